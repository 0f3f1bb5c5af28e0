/*
 * net_opts.h - the QEMU network options, parsed into a NetPlan: which
 * back ends (-netdev user, -netdev tap) and which NICs (-device e1000, -nic,
 * -net nic) the board builds and how they are connected.
 *
 *   -netdev tap,id=t0[,ifname=tap0][,script=no][,downscript=no]
 *   -netdev user,id=n0[,net=10.0.2.0/24][,host=][,dhcpstart=][,dns=]
 *           [,hostfwd=tcp:127.0.0.1:8080-:80]...[,tftp=DIR][,bootfile=F]
 *           [,hostname=][,domainname=][,restrict=on|off]
 *   -device e1000|ne2k_pci|ne2k_isa|rtl8139|virtio-net-pci,netdev=n0[,mac=52:54:00:..]
 *           [,disable-legacy=on|off][,disable-modern=on|off]  (the last two: virtio)
 *   -nic user[,model=e1000][,mac=][,hostfwd=...]   (a back end and a NIC)
 *   -net nic[,model=][,macaddr=][,netdev=]  -net user[,...]
 *   -net none, -nic none                 (no network; also the default)
 *
 * options.c stores each option's text in MachineConfig.net_opts as
 * "KIND:VALUE" (KIND netdev, nic, net, device) after checking it alone
 * with net_plan_add(); the board (machine/pc_net.c) parses them all
 * again into one plan and net_plan_finish() checks what needs all of
 * them (a NIC's netdev exists, ids are unique).
 */
#ifndef TX86_NET_NET_OPTS_H
#define TX86_NET_NET_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <glib.h>

#define NET_MAX_USER    4
#define NET_MAX_NIC     4
#define NET_MAX_FWD     8
#define NET_MAX_TAP     4
#define NET_HUB_ID      "hub0"      /* the -net back end and NICs share it */

typedef struct NetHostFwd {
    bool udp;
    struct in_addr haddr;         /* host address to listen on (0.0.0.0 = any) */
    int hport;
    struct in_addr gaddr;         /* 0: the first DHCP address */
    int gport;
} NetHostFwd;

typedef struct NetUserSpec {
    char *id;
    struct in_addr net, mask;     /* 10.0.2.0/24 */
    struct in_addr host;          /* the gateway: 10.0.2.2 */
    struct in_addr dhcp;          /* first DHCP address: 10.0.2.15 */
    struct in_addr dns;           /* 10.0.2.3 */
    bool has_host, has_dhcp, has_dns;
    char *tftp, *bootfile, *hostname, *domainname;
    bool restricted;              /* restrict=on: the guest cannot reach the host */
    NetHostFwd fwd[NET_MAX_FWD];
    int nfwd;
} NetUserSpec;

/* -netdev tap: a host TAP interface (net_tap.c) */
typedef struct NetTapSpec {
    char *id;
    char *ifname;                 /* NULL: the kernel picks tapN */
} NetTapSpec;

typedef struct NetNicSpec {
    char *model;                  /* "e1000", "ne2k_pci", "ne2k_isa", "rtl8139",
                                     "virtio-net-pci" */
    char *netdev;                 /* back end id, NULL: not connected */
    uint8_t mac[6];
    bool has_mac;                 /* else 52:54:00:12:34:56 + NIC index */
    int iobase, irq;              /* ne2k_isa: iobase=, irq= (0: 0x300, 9) */
    bool disable_legacy;          /* virtio-net-pci: modern interface only */
    bool disable_modern;          /* virtio-net-pci: legacy interface only */
    bool virtio_keys;             /* one of the two was given */
    char *romfile;                /* romfile=: the boot ROM ("": none; NULL: the
                                     model's iPXE ROM when booting from the network) */
} NetNicSpec;

typedef struct NetPlan {
    NetUserSpec user[NET_MAX_USER];
    int nuser;
    NetNicSpec nic[NET_MAX_NIC];
    int nnic;
    NetTapSpec tap[NET_MAX_TAP];
    int ntap;
    bool none;                    /* -net none / -nic none */
    int hub_nics;                 /* -net nic without netdev= */
    int auto_ids;                 /* ids given to -nic back ends */
} NetPlan;

/* is name a NIC model -device/-nic/-net nic take? */
bool net_is_nic_model(const char *name);
/* one option: kind "netdev", "nic", "net" or "device" and its value */
bool net_plan_add(NetPlan *p, const char *kind, const char *value, GError **errp);
/* "KIND:VALUE" as options.c stores it */
bool net_plan_add_stored(NetPlan *p, const char *stored, GError **errp);
/* cross-option checks, default addresses, default MACs */
bool net_plan_finish(NetPlan *p, GError **errp);
NetUserSpec *net_plan_find_user(NetPlan *p, const char *id);
NetTapSpec *net_plan_find_tap(NetPlan *p, const char *id);
void net_plan_clear(NetPlan *p);

#endif
