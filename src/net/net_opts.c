/*
 * net_opts.c - parses -netdev, -nic, -net and the network -device options
 * into a NetPlan (see net_opts.h).  Keys follow QEMU's; what tx86 does not
 * implement (other back ends than user, guestfwd, smb, IPv6, a -net hub
 * with several members) is refused by name.
 */
#include <string.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include "net/net_opts.h"
#include "net/net.h"
#include "util/error.h"

static const char *const nic_models[] = { "e1000", "ne2k_pci", "ne2k_isa", "rtl8139",
                                          "virtio-net-pci" };

#define fail(errp, ...) error_fail(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, __VA_ARGS__)

bool net_is_nic_model(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(nic_models); i++)
        if (!strcmp(name, nic_models[i]))
            return true;
    return !strcmp(name, "e1000-82540em") || !strcmp(name, "virtio-net");
}

static bool check_model(const char *model, GError **errp)
{
    if (!strcmp(model, "help") || !strcmp(model, "?"))
        return fail(errp, "NIC models: e1000 (82540EM), ne2k_pci, ne2k_isa, rtl8139, "
                    "virtio-net-pci (virtio)");
    for (size_t i = 0; i < G_N_ELEMENTS(nic_models); i++)
        if (!strcmp(model, nic_models[i]))
            return true;
    if (!strcmp(model, "e1000-82540em") || !strcmp(model, "virtio-net") ||
        !strcmp(model, "virtio"))
        return true;
    return fail(errp, "unknown NIC model '%s' (e1000, ne2k_pci, ne2k_isa, rtl8139, "
                "virtio-net-pci)", model);
}

static bool parse_onoff(const char *key, const char *v, bool *out, GError **errp)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
        *out = false;
        return true;
    }
    return fail(errp, "%s=%s: on or off expected", key, v);
}

static bool parse_addr(const char *key, const char *v, struct in_addr *a, GError **errp)
{
    if (inet_pton(AF_INET, v, a) != 1)
        return fail(errp, "%s=%s: an IPv4 address expected", key, v);
    return true;
}

static bool parse_port(const char *s, int *port)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > 65535)
        return false;
    *port = (int)v;
    return true;
}

/* net=ADDR[/MASK]: MASK a prefix length or a dotted mask */
static bool parse_net(const char *v, NetUserSpec *u, GError **errp)
{
    gchar **p = g_strsplit(v, "/", 2);
    bool ok = inet_pton(AF_INET, p[0], &u->net) == 1;
    uint32_t mask = 0xffffff00u;
    if (ok && p[1]) {
        char *end;
        long bits = strtol(p[1], &end, 10);
        if (!*end && *p[1] && bits >= 1 && bits <= 30)
            mask = 0xffffffffu << (32 - bits);
        else {
            struct in_addr m;
            ok = inet_pton(AF_INET, p[1], &m) == 1;
            mask = ntohl(m.s_addr);
            ok = ok && mask && (~mask & (~mask + 1)) == 0 && (~mask) >= 3;
        }
    }
    g_strfreev(p);
    if (!ok)
        return fail(errp, "net=%s: ADDR[/PREFIX] or ADDR/MASK expected (10.0.2.0/24)", v);
    u->mask.s_addr = htonl(mask);
    u->net.s_addr = htonl(ntohl(u->net.s_addr) & mask);
    return true;
}

/* hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
static bool parse_hostfwd(const char *v, NetUserSpec *u, GError **errp)
{
    if (u->nfwd >= NET_MAX_FWD)
        return fail(errp, "hostfwd: at most %d forwardings", NET_MAX_FWD);
    NetHostFwd *f = &u->fwd[u->nfwd];
    memset(f, 0, sizeof(*f));
    const char *s = v;
    if (g_str_has_prefix(s, "tcp:"))
        s += 4;
    else if (g_str_has_prefix(s, "udp:")) {
        f->udp = true;
        s += 4;
    } else if (*s != ':')
        goto bad;
    else
        s++;
    const char *dash = strchr(s, '-');
    if (!dash)
        goto bad;
    gchar *host = g_strndup(s, dash - s);
    gchar **h = g_strsplit(host, ":", 2);
    gchar **g = g_strsplit(dash + 1, ":", 2);
    g_free(host);
    bool ok = h[0] && h[1] && g[0] && g[1] &&
              (!*h[0] || inet_pton(AF_INET, h[0], &f->haddr) == 1) &&
              parse_port(h[1], &f->hport) &&
              (!*g[0] || inet_pton(AF_INET, g[0], &f->gaddr) == 1) &&
              parse_port(g[1], &f->gport);
    g_strfreev(h);
    g_strfreev(g);
    if (!ok)
        goto bad;
    u->nfwd++;
    return true;
bad:
    return fail(errp, "hostfwd=%s: [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT "
                "expected", v);
}

static bool id_taken(NetPlan *p, const char *id)
{
    return net_plan_find_user(p, id) != NULL || net_plan_find_tap(p, id) != NULL;
}

/* -netdev tap,id=,ifname=[,script=no][,downscript=no]: tx86 runs no
 * scripts (set the interface up yourself) */
static bool parse_tap(NetPlan *p, gchar **kv, GError **errp)
{
    if (p->ntap >= NET_MAX_TAP)
        return fail(errp, "-netdev tap: at most %d", NET_MAX_TAP);
    NetTapSpec t = { 0 };
    bool ok = true;
    for (gchar **k = kv; ok && *k; k++) {
        char *eq = strchr(*k, '=');
        if (!eq) {
            ok = fail(errp, "-netdev tap: '%s': KEY=VALUE expected", *k);
            break;
        }
        *eq = 0;
        const char *key = *k, *v = eq + 1;
        if (!strcmp(key, "id")) {
            g_free(t.id);
            t.id = g_strdup(v);
        } else if (!strcmp(key, "ifname")) {
            g_free(t.ifname);
            t.ifname = g_strdup(v);
            if (strlen(v) >= 16 || strchr(v, '/'))
                ok = fail(errp, "-netdev tap: ifname=%s: at most 15 characters, no '/'", v);
        } else if (!strcmp(key, "script") || !strcmp(key, "downscript")) {
            if (strcmp(v, "no") && *v)
                ok = fail(errp, "-netdev tap: %s=%s: tx86 runs no scripts (%s=no; configure "
                          "the interface with ip(8) once tx86 has created it)", key, v, key);
        } else if (!strcmp(key, "vnet_hdr") || !strcmp(key, "queues") ||
                   !strcmp(key, "fd") || !strcmp(key, "fds") || !strcmp(key, "vhost") ||
                   !strcmp(key, "br") || !strcmp(key, "helper")) {
            ok = fail(errp, "-netdev tap: %s= is not supported (id=, ifname=, script=no, "
                      "downscript=no)", key);
        } else
            ok = fail(errp, "-netdev tap: unknown key '%s'", key);
    }
    if (ok && !t.id)
        ok = fail(errp, "-netdev tap: id= is required");
    if (ok && id_taken(p, t.id))
        ok = fail(errp, "-netdev tap: duplicate id '%s'", t.id);
    if (!ok) {
        g_free(t.id);
        g_free(t.ifname);
        return false;
    }
    p->tap[p->ntap++] = t;
    return true;
}

/* the keys of a user back end (-netdev user, -net user, -nic user);
 * nic: -nic, which also takes model= and mac= (into *nic) */
static bool parse_user(NetPlan *p, gchar **kv, const char *opt, NetNicSpec *nic,
                       GError **errp)
{
    if (p->nuser >= NET_MAX_USER)
        return fail(errp, "%s: at most %d user back ends", opt, NET_MAX_USER);
    NetUserSpec *u = &p->user[p->nuser];
    memset(u, 0, sizeof(*u));
    inet_pton(AF_INET, "10.0.2.0", &u->net);
    u->mask.s_addr = htonl(0xffffff00u);
    bool ok = true;
    for (gchar **k = kv; ok && *k; k++) {
        char *eq = strchr(*k, '=');
        if (!eq) {
            ok = fail(errp, "%s: '%s': KEY=VALUE expected", opt, *k);
            break;
        }
        *eq = 0;
        const char *key = *k, *v = eq + 1;
        if (!strcmp(key, "id")) {
            g_free(u->id);
            u->id = g_strdup(v);
        } else if (!strcmp(key, "net"))
            ok = parse_net(v, u, errp);
        else if (!strcmp(key, "host"))
            ok = u->has_host = parse_addr(key, v, &u->host, errp);
        else if (!strcmp(key, "dhcpstart"))
            ok = u->has_dhcp = parse_addr(key, v, &u->dhcp, errp);
        else if (!strcmp(key, "dns"))
            ok = u->has_dns = parse_addr(key, v, &u->dns, errp);
        else if (!strcmp(key, "hostfwd"))
            ok = parse_hostfwd(v, u, errp);
        else if (!strcmp(key, "tftp")) {
            g_free(u->tftp);
            u->tftp = g_strdup(v);
        } else if (!strcmp(key, "bootfile")) {
            g_free(u->bootfile);
            u->bootfile = g_strdup(v);
        } else if (!strcmp(key, "hostname")) {
            g_free(u->hostname);
            u->hostname = g_strdup(v);
        } else if (!strcmp(key, "domainname")) {
            g_free(u->domainname);
            u->domainname = g_strdup(v);
        } else if (!strcmp(key, "restrict"))
            ok = parse_onoff(key, v, &u->restricted, errp);
        else if (!strcmp(key, "ipv4")) {
            bool on;
            ok = parse_onoff(key, v, &on, errp) &&
                 (on || fail(errp, "%s: ipv4=off is not supported", opt));
        } else if (!strcmp(key, "ipv6")) {
            bool on;
            ok = parse_onoff(key, v, &on, errp) &&
                 (!on || fail(errp, "%s: ipv6=on is not supported yet (IPv4 only)", opt));
        } else if (!strcmp(key, "guestfwd"))
            ok = fail(errp, "%s: guestfwd is not implemented", opt);
        else if (!strcmp(key, "smb"))
            ok = fail(errp, "%s: smb is not implemented", opt);
        else if (nic && !strcmp(key, "model")) {
            ok = check_model(v, errp);
            g_free(nic->model);
            nic->model = g_strdup(v);
        } else if (nic && !strcmp(key, "mac")) {
            ok = nic->has_mac = net_parse_mac(v, nic->mac);
            if (!ok)
                fail(errp, "%s: mac=%s: 52:54:00:12:34:56 form expected", opt, v);
        } else
            ok = fail(errp, "%s: unknown key '%s'", opt, key);
    }
    if (ok && !u->id && !nic)
        ok = fail(errp, "%s: id= is required", opt);
    if (ok && u->id && id_taken(p, u->id))
        ok = fail(errp, "%s: duplicate id '%s'", opt, u->id);
    if (!ok) {
        g_free(u->id);
        g_free(u->tftp);
        g_free(u->bootfile);
        g_free(u->hostname);
        g_free(u->domainname);
        memset(u, 0, sizeof(*u));
        return false;
    }
    p->nuser++;
    return true;
}

static NetNicSpec *new_nic(NetPlan *p, const char *opt, GError **errp)
{
    if (p->nnic >= NET_MAX_NIC) {
        fail(errp, "%s: at most %d NICs", opt, NET_MAX_NIC);
        return NULL;
    }
    NetNicSpec *n = &p->nic[p->nnic];
    memset(n, 0, sizeof(*n));
    return n;
}

static void nic_clear(NetNicSpec *n)
{
    g_free(n->model);
    g_free(n->netdev);
    g_free(n->romfile);
    memset(n, 0, sizeof(*n));
}

/* -device MODEL,netdev=,mac=  and  -net nic,model=,macaddr=,netdev= */
static bool parse_nic(NetPlan *p, gchar **kv, const char *opt, const char *model,
                      const char *mac_key, GError **errp)
{
    NetNicSpec *n = new_nic(p, opt, errp);
    if (!n)
        return false;
    n->model = g_strdup(model ? model : "e1000");
    bool ok = !model || check_model(model, errp);
    for (gchar **k = kv; ok && *k; k++) {
        char *eq = strchr(*k, '=');
        if (!eq) {
            ok = fail(errp, "%s: '%s': KEY=VALUE expected", opt, *k);
            break;
        }
        *eq = 0;
        const char *key = *k, *v = eq + 1;
        if (!strcmp(key, "netdev")) {
            g_free(n->netdev);
            n->netdev = g_strdup(v);
        } else if (!strcmp(key, mac_key)) {
            if (!(n->has_mac = net_parse_mac(v, n->mac)))
                ok = fail(errp, "%s: %s=%s: 52:54:00:12:34:56 form expected", opt, key, v);
        } else if (!model && !strcmp(key, "model")) {
            ok = check_model(v, errp);
            g_free(n->model);
            n->model = g_strdup(v);
        } else if (!strcmp(key, "iobase") || !strcmp(key, "irq")) {
            char *end;
            long num = strtol(v, &end, 0);
            bool io = key[0] == 'i' && key[1] == 'o';
            if (!*v || *end || num < 1 || num > (io ? 0xffe0 : 15))
                ok = fail(errp, "%s: %s=%s out of range (iobase 0x1-0xffe0, irq 1-15)", opt,
                          key, v);
            else if (io)
                n->iobase = (int)num;
            else
                n->irq = (int)num;
        } else if (!strcmp(key, "romfile")) {
            g_free(n->romfile);
            n->romfile = g_strdup(v);                 /* "": none */
        } else if (!strcmp(key, "disable-legacy") || !strcmp(key, "disable-modern")) {
            bool on = false;
            ok = parse_onoff(key, v, &on, errp);
            if (key[8] == 'l')
                n->disable_legacy = on;
            else
                n->disable_modern = on;
            n->virtio_keys = true;
        } else if (!strcmp(key, "id") || !strcmp(key, "name") || !strcmp(key, "bus") ||
                   !strcmp(key, "addr"))
            ;   /* accepted, not used */
        else
            ok = fail(errp, "%s: unknown key '%s'", opt, key);
    }
    bool virtio = g_str_has_prefix(n->model, "virtio");
    if (ok && n->virtio_keys && !virtio)
        ok = fail(errp, "%s: disable-legacy= and disable-modern= are for virtio-net-pci", opt);
    if (ok && n->disable_legacy && n->disable_modern)
        ok = fail(errp, "%s: disable-legacy=on and disable-modern=on together leave no "
                  "interface", opt);
    if (!ok) {
        nic_clear(n);
        return false;
    }
    p->nnic++;
    return true;
}

bool net_plan_add(NetPlan *p, const char *kind, const char *value, GError **errp)
{
    gchar **kv = g_strsplit(value, ",", -1);
    const char *type = kv[0] ? kv[0] : "";
    bool ok;
    if (!strcmp(kind, "netdev")) {
        if (!strcmp(type, "user"))
            ok = parse_user(p, kv + 1, "-netdev user", NULL, errp);
        else if (!strcmp(type, "tap"))
            ok = parse_tap(p, kv + 1, errp);
        else if (!strcmp(type, "help") || !strcmp(type, "?"))
            ok = fail(errp, "-netdev types: user, tap");
        else
            ok = fail(errp, "-netdev %s is not supported (user or tap)", type);
    } else if (!strcmp(kind, "nic")) {
        if (!strcmp(type, "none")) {
            p->none = true;
            ok = true;
        } else if (!strcmp(type, "user")) {
            NetNicSpec *n = new_nic(p, "-nic", errp);
            ok = n != NULL;
            if (ok && !(ok = parse_user(p, kv + 1, "-nic user", n, errp)))
                nic_clear(n);
            if (ok) {
                NetUserSpec *u = &p->user[p->nuser - 1];
                if (!u->id)
                    u->id = g_strdup_printf("nic%d", p->auto_ids++);
                n->netdev = g_strdup(u->id);
                if (!n->model)
                    n->model = g_strdup("e1000");
                p->nnic++;
            }
        } else
            ok = fail(errp, "-nic %s is not supported (user or none)", type);
    } else if (!strcmp(kind, "net")) {
        if (!strcmp(type, "none")) {
            p->none = true;
            ok = true;
        } else if (!strcmp(type, "nic")) {
            ok = parse_nic(p, kv + 1, "-net nic", NULL, "macaddr", errp);
            if (ok && !p->nic[p->nnic - 1].netdev) {
                p->nic[p->nnic - 1].netdev = g_strdup(NET_HUB_ID);
                if (++p->hub_nics > 1)
                    ok = fail(errp, "-net nic: only one NIC on the -net hub (use -netdev "
                              "and -device for more)");
            }
        } else if (!strcmp(type, "user")) {
            gchar **rest = kv + 1;
            ok = !net_plan_find_user(p, NET_HUB_ID) ||
                 fail(errp, "-net user: only one back end on the -net hub");
            if (ok) {
                /* the hub's back end: the given id/name is only a label */
                GPtrArray *keys = g_ptr_array_new();
                for (gchar **k = rest; *k; k++)
                    if (!g_str_has_prefix(*k, "id=") && !g_str_has_prefix(*k, "name="))
                        g_ptr_array_add(keys, *k);
                gchar *id = g_strdup("id=" NET_HUB_ID);
                g_ptr_array_add(keys, id);
                g_ptr_array_add(keys, NULL);
                ok = parse_user(p, (gchar **)keys->pdata, "-net user", NULL, errp);
                g_free(id);
                g_ptr_array_free(keys, TRUE);
            }
        } else
            ok = fail(errp, "-net %s is not supported (nic, user or none)", type);
    } else if (!strcmp(kind, "device")) {
        ok = check_model(type, errp) &&
             parse_nic(p, kv + 1, "-device", type, "mac", errp);
    } else
        ok = fail(errp, "unknown network option kind '%s'", kind);
    g_strfreev(kv);
    return ok;
}

bool net_plan_add_stored(NetPlan *p, const char *stored, GError **errp)
{
    const char *colon = strchr(stored, ':');
    if (!colon)
        return fail(errp, "bad stored network option '%s'", stored);
    gchar *kind = g_strndup(stored, colon - stored);
    bool ok = net_plan_add(p, kind, colon + 1, errp);
    g_free(kind);
    return ok;
}

NetTapSpec *net_plan_find_tap(NetPlan *p, const char *id)
{
    for (int i = 0; i < p->ntap; i++)
        if (!strcmp(p->tap[i].id, id))
            return &p->tap[i];
    return NULL;
}

NetUserSpec *net_plan_find_user(NetPlan *p, const char *id)
{
    for (int i = 0; i < p->nuser; i++)
        if (p->user[i].id && !strcmp(p->user[i].id, id))
            return &p->user[i];
    return NULL;
}

bool net_plan_finish(NetPlan *p, GError **errp)
{
    if (p->none && (p->nnic || p->nuser))
        return fail(errp, "-net none / -nic none with other network options");
    for (int i = 0; i < p->nuser; i++) {
        NetUserSpec *u = &p->user[i];
        uint32_t net = ntohl(u->net.s_addr), mask = ntohl(u->mask.s_addr);
        if (!u->has_host)
            u->host.s_addr = htonl(net | 2);
        if (!u->has_dhcp)
            u->dhcp.s_addr = htonl(net | 15);
        if (!u->has_dns)
            u->dns.s_addr = htonl(net | 3);
        const struct in_addr *in[3] = { &u->host, &u->dhcp, &u->dns };
        static const char *const names[3] = { "host", "dhcpstart", "dns" };
        for (int k = 0; k < 3; k++)
            if ((ntohl(in[k]->s_addr) & mask) != net)
                return fail(errp, "-netdev %s: %s is outside net=", u->id, names[k]);
        for (int k = 0; k < u->nfwd; k++) {
            NetHostFwd *f = &u->fwd[k];
            if (!f->gaddr.s_addr)
                f->gaddr = u->dhcp;
        }
    }
    for (int i = 0; i < p->nnic; i++) {
        NetNicSpec *n = &p->nic[i];
        if (!strcmp(n->model, "e1000-82540em") || !strcmp(n->model, "virtio-net") ||
            !strcmp(n->model, "virtio")) {
            const char *canon = n->model[0] == 'e' ? "e1000" : "virtio-net-pci";
            g_free(n->model);
            n->model = g_strdup(canon);
        }

        if ((n->iobase || n->irq) && strcmp(n->model, "ne2k_isa"))
            return fail(errp, "NIC %s: iobase= and irq= are for ne2k_isa", n->model);
        if (!strcmp(n->model, "ne2k_isa")) {
            n->iobase = n->iobase ? n->iobase : 0x300;    /* QEMU's defaults */
            n->irq = n->irq ? n->irq : 9;
        }
        if (n->netdev && strcmp(n->netdev, NET_HUB_ID) && !net_plan_find_user(p, n->netdev) &&
            !net_plan_find_tap(p, n->netdev))
            return fail(errp, "NIC %s: no -netdev with id '%s'", n->model, n->netdev);
        for (int j = 0; j < i; j++)
            if (n->netdev && p->nic[j].netdev && !strcmp(n->netdev, p->nic[j].netdev))
                return fail(errp, "netdev '%s' is used by two NICs", n->netdev);
        if (!n->has_mac) {
            static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
            memcpy(n->mac, base, 6);
            n->mac[5] = (uint8_t)(base[5] + i);
        }
        if (n->mac[0] & 1)
            return fail(errp, "NIC %s: a multicast MAC address is not allowed", n->model);
    }
    return true;
}

void net_plan_clear(NetPlan *p)
{
    for (int i = 0; i < p->nuser; i++) {
        NetUserSpec *u = &p->user[i];
        g_free(u->id);
        g_free(u->tftp);
        g_free(u->bootfile);
        g_free(u->hostname);
        g_free(u->domainname);
    }
    for (int i = 0; i < p->nnic; i++)
        nic_clear(&p->nic[i]);
    for (int i = 0; i < p->ntap; i++) {
        g_free(p->tap[i].id);
        g_free(p->tap[i].ifname);
    }
    memset(p, 0, sizeof(*p));
}
