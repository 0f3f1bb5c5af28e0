/*
 * net_slirp.h - the user-mode network back end (-netdev user): libslirp
 * gives the guest a NAT'ed network with a gateway, DHCP, DNS, TFTP and
 * port forwardings, using ordinary host sockets (no privileges).
 *
 *   NetSlirp *s = net_slirp_new(&m->host, &plan.user[0], errp);
 *   net_connect(nic_client, net_slirp_client(s));
 *   ...  net_slirp_free(s);           // with the machine
 *
 * Slirp's sockets are watched by the main loop through one epoll fd
 * (host_watch_fd, bus/host.h); its timers run on the host's monotonic
 * clock, not the guest's virtual clock (TCP retransmission towards real
 * peers must follow real time, whatever -icount does).
 */
#ifndef TX86_NET_NET_SLIRP_H
#define TX86_NET_NET_SLIRP_H

#include <glib.h>
#include "bus/host.h"
#include "net/net.h"
#include "net/net_opts.h"

typedef struct NetSlirp NetSlirp;

NetSlirp *net_slirp_new(BusHost *host, const NetUserSpec *u, GError **errp);
NetClient *net_slirp_client(NetSlirp *s);
/* one round of work: expired timers, ready sockets (the main loop does
 * it about every millisecond; tests call it) */
void net_slirp_poll(NetSlirp *s);
void net_slirp_free(NetSlirp *s);

#endif
