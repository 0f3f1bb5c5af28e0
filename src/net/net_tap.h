/*
 * net_tap.h - the TAP back end (-netdev tap): the guest's frames go to a
 * host TAP interface and back (Linux /dev/net/tun, IFF_TAP | IFF_NO_PI).
 * Creating the interface needs CAP_NET_ADMIN; tx86 runs no ifup scripts,
 * so the host side (address, bridge) is configured by whoever started it.
 *
 *   NetTap *t = net_tap_new(&m->host, &plan.tap[0], errp);
 *   net_connect(nic_client, net_tap_client(t));
 *   ...  net_tap_free(t);             // with the machine
 */
#ifndef TX86_NET_NET_TAP_H
#define TX86_NET_NET_TAP_H

#include <glib.h>
#include "bus/host.h"
#include "net/net.h"
#include "net/net_opts.h"

typedef struct NetTap NetTap;

NetTap *net_tap_new(BusHost *host, const NetTapSpec *t, GError **errp);
NetClient *net_tap_client(NetTap *t);
/* the interface's name ("tap0"), as the kernel gave it */
const char *net_tap_ifname(NetTap *t);
/* read what the host sent, while the NIC can take it (the main loop
 * calls it when the fd is readable; tests call it) */
void net_tap_poll(NetTap *t);
void net_tap_free(NetTap *t);

#endif
