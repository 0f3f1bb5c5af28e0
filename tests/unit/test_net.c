/*
 * test_net.c - unit tests for the net layer (src/net/): NetClient pairs
 * and their bounded queues, the checksum and CRC helpers, the network
 * options as the board sees them all together (net_plan_finish), and the
 * libslirp back end driven by hand (ARP from the gateway, hostfwd on
 * 127.0.0.1 only).
 */
#include <string.h>
#include <arpa/inet.h>
#include <CUnit/CUnit.h>
#include <sys/socket.h>
#include <unistd.h>
#include "net/net.h"
#include "net/net_opts.h"
#include "net/net_slirp.h"

typedef struct Sink {
    bool open;                    /* can_receive */
    int got;
    size_t last_len;
    uint8_t last0;
} Sink;

static bool sink_can(NetClient *nc) { return ((Sink *)nc->opaque)->open; }
static bool sink_receive(NetClient *nc, const uint8_t *b, size_t len)
{
    Sink *s = nc->opaque;
    s->got++;
    s->last_len = len;
    s->last0 = b[0];
    return true;
}
static const NetClientOps sink_ops = { .can_receive = sink_can, .receive = sink_receive };

static void test_queue(void)
{
    Sink sa = { true }, sb = { false };
    NetClient *a = net_client_new(&sink_ops, &sa, "a"), *b = net_client_new(&sink_ops, &sb, "b");
    uint8_t f[64] = { 1 };
    CU_ASSERT_FALSE(net_send(a, f, sizeof(f)));          /* no peer: dropped */
    net_connect(a, b);
    for (int i = 0; i < NET_QUEUE_MAX + 10; i++) {
        f[0] = (uint8_t)i;
        net_send(a, f, sizeof(f));
    }
    CU_ASSERT_EQUAL(sb.got, 0);
    CU_ASSERT_EQUAL(net_queued(b), NET_QUEUE_MAX);       /* the rest dropped */
    CU_ASSERT_EQUAL(b->dropped, 10);
    sb.open = true;
    CU_ASSERT_EQUAL(net_flush(b), NET_QUEUE_MAX - NET_FLUSH_MAX);   /* bounded */
    CU_ASSERT_EQUAL(sb.got, NET_FLUSH_MAX);
    CU_ASSERT_EQUAL(sb.last0, NET_FLUSH_MAX - 1);        /* in order */
    while (net_flush(b))
        ;
    CU_ASSERT_EQUAL(sb.got, NET_QUEUE_MAX);
    CU_ASSERT_FALSE(net_send(a, f, NET_FRAME_MAX + 1));   /* too long */
    CU_ASSERT_TRUE(net_send(b, f, 10));                  /* the other way */
    CU_ASSERT_EQUAL(sa.got, 1);
    net_client_free(b);
    CU_ASSERT_PTR_NULL(a->peer);
    net_client_free(a);
}

static void test_helpers(void)
{
    /* RFC 1071's example: 0001 f203 f4f5 f6f7 sums to ddf2 */
    static const uint8_t w[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    CU_ASSERT_EQUAL(net_checksum_add(0, w, 8), 0xddf2);
    CU_ASSERT_EQUAL(net_checksum_finish(0xddf2), 0x220d);
    CU_ASSERT_EQUAL(net_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
    uint8_t mac[6];
    CU_ASSERT_TRUE(net_parse_mac("52:54:00:ab:CD:0f", mac));
    CU_ASSERT_EQUAL(mac[4], 0xcd);
    CU_ASSERT_FALSE(net_parse_mac("52:54:00:ab:cd", mac));
    CU_ASSERT_FALSE(net_parse_mac("52:54:00:ab:cd:0f:11", mac));
}

/* whole command lines: KIND:VALUE lists as MachineConfig.net_opts holds them */
static const struct {
    const char *opts[4];
    bool ok;
    const char *err;              /* part of the message when !ok */
    int nuser, nnic;
} plans[] = {
    { { "netdev:user,id=n0", "device:e1000,netdev=n0" }, true, NULL, 1, 1 },
    { { "device:e1000,netdev=n9" }, false, "no -netdev with id 'n9'", 0, 0 },
    { { "netdev:user,id=a", "netdev:user,id=a" }, false, "duplicate id 'a'", 0, 0 },
    { { "netdev:user,id=a", "device:e1000,netdev=a", "device:e1000,netdev=a" }, false,
      "used by two NICs", 0, 0 },
    { { "net:nic", "net:user" }, true, NULL, 1, 1 },
    { { "net:nic", "net:nic" }, false, "only one NIC on the -net hub", 0, 0 },
    { { "net:user", "net:user,id=x" }, false, "only one back end on the -net hub", 0, 0 },
    { { "nic:user,model=e1000", "nic:user" }, true, NULL, 2, 2 },
    { { "net:none", "nic:user" }, false, "-net none", 0, 0 },
    { { "netdev:user,id=n,net=192.168.7.0/24,host=10.0.2.2" }, false, "outside net=", 0, 0 },
};

static void test_plans(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(plans); i++) {
        NetPlan p;
        GError *err = NULL;
        memset(&p, 0, sizeof(p));
        bool ok = true;
        for (int k = 0; ok && k < 4 && plans[i].opts[k]; k++)
            ok = net_plan_add_stored(&p, plans[i].opts[k], &err);
        ok = ok && net_plan_finish(&p, &err);
        if (ok != plans[i].ok || (!ok && !strstr(err->message, plans[i].err)))
            printf("\nplan %zu: %s\n", i, err ? err->message : "accepted");
        CU_ASSERT_EQUAL(ok, plans[i].ok);
        if (ok) {
            CU_ASSERT_EQUAL(p.nuser, plans[i].nuser);
            CU_ASSERT_EQUAL(p.nnic, plans[i].nnic);
        } else if (err) {
            CU_ASSERT_PTR_NOT_NULL(strstr(err->message, plans[i].err));
        }
        g_clear_error(&err);
        net_plan_clear(&p);
    }
}

static void test_defaults(void)
{
    NetPlan p;
    GError *err = NULL;
    memset(&p, 0, sizeof(p));
    CU_ASSERT_TRUE(net_plan_add(&p, "netdev", "user,id=n,net=10.9.0.0/16,"
                                "hostfwd=tcp:127.0.0.1:2222-:22", &err));
    CU_ASSERT_TRUE(net_plan_add(&p, "device", "e1000,netdev=n", &err));
    CU_ASSERT_TRUE(net_plan_add(&p, "device", "e1000", &err));
    CU_ASSERT_TRUE_FATAL(net_plan_finish(&p, &err));
    NetUserSpec *u = net_plan_find_user(&p, "n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(ntohl(u->host.s_addr), 0x0a090002u);
    CU_ASSERT_EQUAL(ntohl(u->dhcp.s_addr), 0x0a09000fu);
    CU_ASSERT_EQUAL(ntohl(u->dns.s_addr), 0x0a090003u);
    CU_ASSERT_EQUAL(u->nfwd, 1);
    CU_ASSERT_EQUAL(u->fwd[0].hport, 2222);
    CU_ASSERT_EQUAL(u->fwd[0].gport, 22);
    CU_ASSERT_EQUAL(u->fwd[0].gaddr.s_addr, u->dhcp.s_addr);   /* the first DHCP address */
    CU_ASSERT_EQUAL(p.nic[0].mac[5], 0x56);                    /* 52:54:00:12:34:56, +1 ... */
    CU_ASSERT_EQUAL(p.nic[1].mac[5], 0x57);
    CU_ASSERT_PTR_NULL(p.nic[1].netdev);
    net_plan_clear(&p);
}

/* the libslirp back end without a main loop (host NULL, net_slirp_poll by
 * hand): the gateway answers ARP at once; hostfwd listens on 127.0.0.1
 * and a port already taken is a clear error */
static void test_slirp(void)
{
    NetPlan p;
    GError *err = NULL;
    memset(&p, 0, sizeof(p));
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
    CU_ASSERT_FATAL(probe >= 0 && bind(probe, (struct sockaddr *)&a, sizeof(a)) == 0);
    socklen_t al = sizeof(a);
    getsockname(probe, (struct sockaddr *)&a, &al);
    close(probe);
    gchar *opt = g_strdup_printf("user,id=n,hostfwd=tcp:127.0.0.1:%d-:80", ntohs(a.sin_port));
    CU_ASSERT_TRUE_FATAL(net_plan_add(&p, "netdev", opt, &err));
    CU_ASSERT_TRUE_FATAL(net_plan_finish(&p, &err));
    NetSlirp *s = net_slirp_new(NULL, &p.user[0], &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    /* the same port again: refused with a message */
    NetSlirp *s2 = net_slirp_new(NULL, &p.user[0], &err);
    CU_ASSERT_PTR_NULL(s2);
    CU_ASSERT(err && strstr(err->message, "cannot listen"));
    g_clear_error(&err);
    g_free(opt);

    Sink nic = { true };
    NetClient *nc = net_client_new(&sink_ops, &nic, "nic");
    net_connect(nc, net_slirp_client(s));
    static const uint8_t arp[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,                     /* request */
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,             /* sender */
        0, 0, 0, 0, 0, 0, 10, 0, 2, 2,                                /* who has 10.0.2.2 */
    };
    CU_ASSERT_TRUE(net_send(nc, arp, sizeof(arp)));
    net_slirp_poll(s);
    CU_ASSERT_EQUAL(nic.got, 1);
    CU_ASSERT(nic.last_len >= 42);
    CU_ASSERT_EQUAL(nic.last0, 0x52);                  /* to the guest's MAC */
    net_client_free(nc);
    net_slirp_free(s);
    net_plan_clear(&p);
}

void register_net_tests(void)
{
    CU_pSuite s = CU_add_suite("net", NULL, NULL);
    CU_add_test(s, "client pairs and queues", test_queue);
    CU_add_test(s, "checksum, CRC, MAC helpers", test_helpers);
    CU_add_test(s, "option sets", test_plans);
    CU_add_test(s, "default addresses and MACs", test_defaults);
    CU_add_test(s, "libslirp back end: ARP, hostfwd", test_slirp);
}
