/*
 * test_e1000.c - unit tests for the 82540EM NIC (src/devices/e1000.c) with
 * a fake back end (a NetClient that records the frames it gets): EEPROM
 * (Microwire and EERD), the PHY through MDIC, receive and transmit
 * descriptor rings, checksum offload, TCP segmentation, interrupts, the
 * bounded TX batch, and descriptors pointing outside RAM.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/e1000.h"
#include "net/net.h"

#define RXRING  0x10000
#define RXBUF   0x20000
#define TXRING  0x40000
#define TXBUF   0x50000

typedef struct Fixture {
    Machine *m;
    PCIBus *bus;
    E1000State *e;
    NetClient *peer;              /* the fake back end */
    int nframes;
    uint8_t frames[8][2048];
    size_t lens[8];
    bool peer_full;
} Fixture;

static Fixture fx;

static bool fake_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    Fixture *f = nc->opaque;
    if (f->nframes < 8) {
        memcpy(f->frames[f->nframes], buf, MIN(len, sizeof(f->frames[0])));
        f->lens[f->nframes] = len;
    }
    f->nframes++;
    return true;
}

static const NetClientOps fake_ops = { .receive = fake_receive };

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static bool setup(void)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&fx, 0, sizeof(fx));
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 4u << 20;
    cfg.backend = BACKEND_INTERP;
    fx.m = machine_new(&cfg, &err);
    if (!fx.m) {
        g_clear_error(&err);
        return false;
    }
    clock_init(&fx.m->clock, true);
    fx.bus = pci_bus_new(&fx.m->bus);
    fx.e = e1000_init(&fx.m->bus, fx.bus, PCI_DEVFN(3, 0), mac, &err);
    if (!fx.e) {
        g_clear_error(&err);
        return false;
    }
    fx.peer = net_client_new(&fake_ops, &fx, "fake");
    net_connect(e1000_net_client(fx.e), fx.peer);
    return true;
}

static void teardown(void)
{
    e1000_free(fx.e);
    net_client_free(fx.peer);
    machine_free(fx.m);
}

static uint32_t rd(uint32_t off) { return e1000_mmio_read(fx.e, off); }
static void wr(uint32_t off, uint32_t v) { e1000_mmio_write(fx.e, off, v); }

/* ---- EEPROM */

static void ee_clock(uint32_t bits)
{
    wr(0x10, bits);
    wr(0x10, bits | 1);           /* SK high */
    wr(0x10, bits);
}

static uint16_t ee_read_microwire(int addr)
{
    uint32_t cs = 0x40 | 0x02;    /* REQ, CS */
    wr(0x10, 0x40);
    CU_ASSERT(rd(0x10) & 0x80);   /* GNT */
    wr(0x10, cs);
    uint32_t cmd = 6u << 6 | (uint32_t)addr;   /* 1 10 AAAAAA */
    for (int i = 8; i >= 0; i--)
        ee_clock(cs | ((cmd >> i) & 1 ? 0x04 : 0));
    uint16_t v = 0;
    for (int i = 0; i < 16; i++) {
        wr(0x10, cs | 1);
        v = (uint16_t)(v << 1 | ((rd(0x10) >> 3) & 1));
        wr(0x10, cs);
    }
    wr(0x10, 0);                  /* deselect, release */
    return v;
}

static void test_eeprom(void)
{
    CU_ASSERT_FATAL(setup());
    CU_ASSERT_EQUAL(ee_read_microwire(0), 0x5452);
    CU_ASSERT_EQUAL(ee_read_microwire(1), 0x1200);
    CU_ASSERT_EQUAL(ee_read_microwire(2), 0x5634);
    CU_ASSERT_EQUAL(ee_read_microwire(0x0e), 0x8086);
    uint16_t sum = 0;
    for (int i = 0; i < 64; i++)
        sum = (uint16_t)(sum + ee_read_microwire(i));
    CU_ASSERT_EQUAL(sum, 0xbaba);
    wr(0x14, 0x0d << 8 | 1);      /* EERD: word 0x0d */
    CU_ASSERT_EQUAL(rd(0x14) & 0x10, 0x10);
    CU_ASSERT_EQUAL(rd(0x14) >> 16, 0x100e);
    /* the MAC address is in RAL0/RAH0 with AV */
    CU_ASSERT_EQUAL(rd(0x5400), 0x12005452u);
    CU_ASSERT_EQUAL(rd(0x5404), 0x80005634u);
    teardown();
}

/* ---- PHY */

static uint32_t mdic(uint32_t op, int phy, int r, uint16_t data)
{
    wr(0x20, op << 26 | (uint32_t)phy << 21 | (uint32_t)r << 16 | data);
    return rd(0x20);
}

static void test_phy(void)
{
    CU_ASSERT_FATAL(setup());
    uint32_t v = mdic(2, 1, 2, 0);
    CU_ASSERT(v & (1u << 28));    /* ready */
    CU_ASSERT_EQUAL(v & 0xffff, 0x0141);
    CU_ASSERT_EQUAL(mdic(2, 1, 3, 0) & 0xfff0, 0x0c20);
    CU_ASSERT(mdic(2, 1, 1, 0) & 0x0024);     /* link, auto-negotiation complete */
    CU_ASSERT(mdic(2, 2, 1, 0) & (1u << 30)); /* no PHY at address 2 */
    mdic(1, 1, 4, 0x01e1);
    CU_ASSERT_EQUAL(mdic(2, 1, 4, 0) & 0xffff, 0x01e1);
    mdic(1, 1, 0, 0x8000);        /* PHY reset: self-clearing, defaults back */
    CU_ASSERT_EQUAL(mdic(2, 1, 0, 0) & 0x8000, 0);
    CU_ASSERT_EQUAL(mdic(2, 1, 4, 0) & 0xffff, 0x0de1);
    CU_ASSERT(rd(0x08) & 2);      /* STATUS.LU */
    e1000_set_link(fx.e, false);
    CU_ASSERT_EQUAL(rd(0x08) & 2, 0);
    CU_ASSERT(rd(0xc0) & 4);      /* ICR.LSC */
    teardown();
}

/* ---- receive */

static void rx_ring(int n, uint32_t rctl)
{
    for (int i = 0; i < n; i++) {
        uint8_t d[16] = { 0 };
        uint32_t a = RXBUF + (uint32_t)i * 2048;
        memcpy(d, &a, 4);
        physmem_write_buf(fx.m->mem, RXRING + (uint32_t)i * 16, d, 16);
    }
    wr(0x2800, RXRING);
    wr(0x2804, 0);
    wr(0x2808, (uint32_t)n * 16);
    wr(0x2810, 0);
    wr(0x2818, (uint32_t)n - 1);
    wr(0xd0, 0x80 | 0x10);        /* IMS: RXT0, RXDMT0 */
    wr(0x100, rctl);
}

static size_t make_frame(uint8_t *f, const uint8_t *dst, size_t len, uint8_t fill)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(fill + i);
    return len;
}

static void test_rx(void)
{
    CU_ASSERT_FATAL(setup());
    rx_ring(8, 0x2 | 0x8000 | 0x04000000);   /* EN, BAM, SECRC */
    wr(0x2818, 3);                            /* three buffers for now */
    uint8_t f[1600], got[1600], d[16];
    make_frame(f, mac, 100, 7);
    CU_ASSERT(net_send(fx.peer, f, 100));
    physmem_read_buf(fx.m->mem, RXRING, d, 16);
    CU_ASSERT_EQUAL(d[8] | d[9] << 8, 100);
    CU_ASSERT_EQUAL(d[12] & 3, 3);            /* DD, EOP */
    physmem_read_buf(fx.m->mem, RXBUF, got, 100);
    CU_ASSERT_EQUAL(memcmp(got, f, 100), 0);
    CU_ASSERT_EQUAL(rd(0x2810), 1);           /* RDH */
    CU_ASSERT_EQUAL(fx.m->bus.mem != NULL, true);
    CU_ASSERT(e1000_pci(fx.e)->irq_level & 1);
    uint32_t icr = rd(0xc0);
    CU_ASSERT(icr & 0x80);                    /* RXT0 */
    CU_ASSERT_EQUAL(rd(0xc0), 0);             /* read clears */
    CU_ASSERT_EQUAL(e1000_pci(fx.e)->irq_level & 1, 0);

    /* short frame padded to 60; another MAC dropped; broadcast taken */
    make_frame(f, mac, 20, 1);
    net_send(fx.peer, f, 20);
    physmem_read_buf(fx.m->mem, RXRING + 16, d, 16);
    CU_ASSERT_EQUAL(d[8] | d[9] << 8, 60);
    make_frame(f, (const uint8_t *)"\x52\x54\x00\x99\x99\x99", 80, 1);
    net_send(fx.peer, f, 80);
    CU_ASSERT_EQUAL(rd(0x2810), 2);
    make_frame(f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 80, 1);
    net_send(fx.peer, f, 80);
    CU_ASSERT_EQUAL(rd(0x2810), 3);           /* ring full now: RDH == RDT */
    /* no free descriptor: the frame waits in the queue */
    make_frame(f, mac, 200, 3);
    net_send(fx.peer, f, 200);
    CU_ASSERT_EQUAL(net_queued(e1000_net_client(fx.e)), 1);
    wr(0x2818, 5);                            /* RDT: two more buffers */
    CU_ASSERT_EQUAL(net_queued(e1000_net_client(fx.e)), 0);
    physmem_read_buf(fx.m->mem, RXRING + 48, d, 16);
    CU_ASSERT_EQUAL(d[8] | d[9] << 8, 200);
    teardown();
}

static void test_rx_crc_and_split(void)
{
    CU_ASSERT_FATAL(setup());
    rx_ring(8, 0x2 | (3u << 16));             /* EN, 256-byte buffers, CRC kept */
    uint8_t f[1600], d[16], got[4];
    make_frame(f, mac, 600, 9);
    net_send(fx.peer, f, 600);
    /* 604 bytes over three buffers: 256 + 256 + 92, EOP on the last */
    int lens[3] = { 256, 256, 92 };
    for (int i = 0; i < 3; i++) {
        physmem_read_buf(fx.m->mem, RXRING + (uint32_t)i * 16, d, 16);
        CU_ASSERT_EQUAL(d[8] | d[9] << 8, lens[i]);
        CU_ASSERT_EQUAL(d[12] & 3, i == 2 ? 3 : 1);
    }
    uint32_t crc = net_crc32(f, 600);
    physmem_read_buf(fx.m->mem, RXBUF + 2 * 2048 + 88, got, 4);
    CU_ASSERT_EQUAL(got[0] | got[1] << 8 | got[2] << 16 | (uint32_t)got[3] << 24, crc);
    /* receiver off: dropped, not queued */
    wr(0x100, 0);
    net_send(fx.peer, f, 600);
    CU_ASSERT_EQUAL(rd(0x2810), 3);
    teardown();
}

/* ---- transmit */

static void tx_ring(int n)
{
    wr(0x3800, TXRING);
    wr(0x3804, 0);
    wr(0x3808, (uint32_t)n * 16);
    wr(0x3810, 0);
    wr(0x3818, 0);
    wr(0x400, 0x2);               /* TCTL.EN */
}

static void tx_desc(int i, uint32_t addr, uint32_t lower, uint32_t upper)
{
    uint8_t d[16] = { 0 };
    memcpy(d, &addr, 4);
    memcpy(d + 8, &lower, 4);
    memcpy(d + 12, &upper, 4);
    physmem_write_buf(fx.m->mem, TXRING + (uint32_t)i * 16, d, 16);
}

/* an IPv4/UDP frame: 14 + 20 + 8 + payload */
static size_t udp_frame(uint8_t *f, size_t payload)
{
    memset(f, 0, 64);
    make_frame(f, (const uint8_t *)"\x52\x55\x0a\x00\x02\x02", 14, 0);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((28 + payload) >> 8);
    ip[3] = (uint8_t)(28 + payload);
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    uint8_t *udp = ip + 20;
    udp[1] = 99;
    udp[3] = 53;
    udp[4] = (uint8_t)((8 + payload) >> 8);
    udp[5] = (uint8_t)(8 + payload);
    for (size_t i = 0; i < payload; i++)
        udp[8 + i] = (uint8_t)(i * 7);
    return 42 + payload;
}

static bool ip_csum_ok(const uint8_t *ip)
{
    return net_checksum_finish(net_checksum_add(0, ip, (size_t)(ip[0] & 15) * 4)) == 0;
}

/* TCP/UDP checksum over the pseudo-header and the segment: 0 when right */
static bool l4_csum_ok(const uint8_t *ip, int proto)
{
    size_t tot = (size_t)ip[2] << 8 | ip[3], ihl = (size_t)(ip[0] & 15) * 4;
    uint32_t sum = net_checksum_add(0, ip + 12, 8);
    sum += (uint32_t)proto + (uint32_t)(tot - ihl);
    sum = net_checksum_add(sum, ip + ihl, tot - ihl);
    return net_checksum_finish(sum) == 0;
}

static void test_tx_legacy(void)
{
    CU_ASSERT_FATAL(setup());
    tx_ring(8);
    uint8_t f[256];
    size_t len = udp_frame(f, 30);
    f[14 + 10] = f[14 + 11] = 0;
    physmem_write_buf(fx.m->mem, TXBUF, f, len);
    /* legacy: IC with CSS = IP header start, CSO = its checksum field;
     * EOP, IFCS, RS */
    uint32_t cmd = 0x01 | 0x02 | 0x04 | 0x08;
    tx_desc(0, TXBUF, (uint32_t)len | (14 + 10) << 16 | cmd << 24, 14u << 8);
    wr(0xd0, 0x3);                /* IMS: TXDW, TXQE */
    wr(0x3818, 1);
    CU_ASSERT_EQUAL(fx.nframes, 1);
    CU_ASSERT_EQUAL(fx.lens[0], len);
    /* IC sums from CSS to the end: IP header + UDP as one range, so only
     * check that a checksum landed where asked */
    CU_ASSERT(fx.frames[0][24] | fx.frames[0][25]);
    uint8_t d[16];
    physmem_read_buf(fx.m->mem, TXRING, d, 16);
    CU_ASSERT(d[12] & 1);         /* DD */
    CU_ASSERT_EQUAL(rd(0x3810), 1);
    CU_ASSERT_EQUAL(rd(0xc0) & 3, 3);
    teardown();
}

static void test_tx_offload(void)
{
    CU_ASSERT_FATAL(setup());
    tx_ring(8);
    uint8_t f[256];
    size_t len = udp_frame(f, 40);
    /* the driver leaves the pseudo-header sum (with length) in the UDP
     * checksum field and zero in the IP one */
    uint32_t ps = net_checksum_add(0, f + 26, 8) + 17 + 48;
    while (ps >> 16)
        ps = (ps & 0xffff) + (ps >> 16);
    f[40] = (uint8_t)(ps >> 8);
    f[41] = (uint8_t)ps;
    physmem_write_buf(fx.m->mem, TXBUF, f, 20);
    physmem_write_buf(fx.m->mem, TXBUF + 0x100, f + 20, len - 20);
    /* context: IPCSS 14, IPCSO 24, IPCSE 33, TUCSS 34, TUCSO 40, TUCSE 0 */
    uint8_t ctx[16] = { 14, 24, 33, 0, 34, 40, 0, 0 };
    uint32_t lower = 0x20u << 24 | 0x02u << 24;     /* DEXT, TUCMD.IP */
    memcpy(ctx + 8, &lower, 4);
    physmem_write_buf(fx.m->mem, TXRING, ctx, 16);
    /* data: two buffers, POPTS IXSM|TXSM on the first */
    uint32_t dcmd = 0x20 | 0x02;
    tx_desc(1, TXBUF, 20 | 1u << 20 | dcmd << 24, 0x3u << 8);
    tx_desc(2, TXBUF + 0x100, (uint32_t)(len - 20) | 1u << 20 | (dcmd | 0x09) << 24, 0);
    wr(0x3818, 3);
    CU_ASSERT_EQUAL_FATAL(fx.nframes, 1);
    CU_ASSERT_EQUAL(fx.lens[0], len);
    CU_ASSERT(ip_csum_ok(fx.frames[0] + 14));
    CU_ASSERT(l4_csum_ok(fx.frames[0] + 14, 17));
    teardown();
}

static void test_tx_tso(void)
{
    CU_ASSERT_FATAL(setup());
    tx_ring(8);
    /* an IPv4/TCP packet: 14 + 20 + 20 header bytes, 2500 bytes of data,
     * MSS 1000 -> segments of 1000, 1000, 500 */
    static uint8_t p[2600];
    memset(p, 0, sizeof(p));
    make_frame(p, (const uint8_t *)"\x52\x55\x0a\x00\x02\x02", 14, 0);
    uint8_t *ip = p + 14, *tcp = p + 34;
    ip[0] = 0x45;
    ip[4] = 0x12;
    ip[5] = 0x34;                 /* ID */
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    tcp[1] = 80;
    tcp[3] = 99;
    tcp[4] = 0x01;                /* sequence 0x01000000 */
    tcp[12] = 5 << 4;
    tcp[13] = 0x18 | 0x01;        /* PSH ACK FIN */
    /* pseudo-header sum without the length, as Linux leaves it */
    uint32_t ps = net_checksum_add(0, ip + 12, 8) + 6;
    while (ps >> 16)
        ps = (ps & 0xffff) + (ps >> 16);
    tcp[16] = (uint8_t)(ps >> 8);
    tcp[17] = (uint8_t)ps;
    for (int i = 0; i < 2500; i++)
        p[54 + i] = (uint8_t)(i * 13);
    physmem_write_buf(fx.m->mem, TXBUF, p, 54 + 2500);
    uint8_t ctx[16] = { 14, 24, 33, 0, 34, 50, 0, 0 };
    uint32_t lower = 2500 | (0x20u | 0x04 | 0x02 | 0x01) << 24;   /* DEXT TSE IP TCP */
    memcpy(ctx + 8, &lower, 4);
    ctx[13] = 54;                 /* HDRLEN */
    ctx[14] = 1000 & 0xff;        /* MSS */
    ctx[15] = 1000 >> 8;
    physmem_write_buf(fx.m->mem, TXRING, ctx, 16);
    uint32_t dcmd = 0x20 | 0x04 | 0x01 | 0x08;   /* DEXT TSE EOP RS */
    tx_desc(1, TXBUF, (54 + 2500) | 1u << 20 | dcmd << 24, 0x3u << 8);
    wr(0x3818, 2);
    CU_ASSERT_EQUAL_FATAL(fx.nframes, 3);
    static const int plen[3] = { 1000, 1000, 500 };
    for (int s = 0; s < 3; s++) {
        const uint8_t *f = fx.frames[s], *sip = f + 14, *stcp = f + 34;
        CU_ASSERT_EQUAL(fx.lens[s], (size_t)(54 + plen[s]));
        CU_ASSERT_EQUAL(sip[2] << 8 | sip[3], 40 + plen[s]);
        CU_ASSERT_EQUAL(sip[4] << 8 | sip[5], 0x1234 + s);
        uint32_t seq = (uint32_t)stcp[4] << 24 | stcp[5] << 16 | stcp[6] << 8 | stcp[7];
        CU_ASSERT_EQUAL(seq, 0x01000000u + 1000u * (uint32_t)s);
        CU_ASSERT_EQUAL(stcp[13], s == 2 ? 0x19 : 0x10);
        CU_ASSERT(ip_csum_ok(sip));
        CU_ASSERT(l4_csum_ok(sip, 6));
        CU_ASSERT_EQUAL(memcmp(f + 54, p + 54 + 1000 * s, (size_t)plen[s]), 0);
    }
    teardown();
}

/* a long ring is worked through in batches: one per TDT write, the rest
 * from the timer */
static void test_tx_bounded(void)
{
    CU_ASSERT_FATAL(setup());
    enum { N = 1024 };
    uint8_t f[64];
    size_t len = udp_frame(f, 10);
    physmem_write_buf(fx.m->mem, TXBUF, f, len);
    wr(0x3800, 0x100000);
    wr(0x3808, N * 16);
    wr(0x400, 0x2);
    for (int i = 0; i < N; i++) {
        uint8_t d[16] = { 0 };
        uint32_t a = TXBUF, lower = (uint32_t)len | 0x01u << 24;
        memcpy(d, &a, 4);
        memcpy(d + 8, &lower, 4);
        physmem_write_buf(fx.m->mem, 0x100000 + (uint32_t)i * 16, d, 16);
    }
    wr(0x3818, N - 1);
    CU_ASSERT_EQUAL(fx.nframes, E1000_TX_BATCH);
    CU_ASSERT_EQUAL(rd(0x3810), E1000_TX_BATCH);
    for (int k = 0; k < 8; k++)
        clock_run_timers(&fx.m->clock);
    CU_ASSERT_EQUAL(fx.nframes, N - 1);
    CU_ASSERT_EQUAL(rd(0x3810), N - 1);
    teardown();
}

/* descriptors and buffers outside RAM, bad ring sizes and heads: no
 * crash, nothing sent from nowhere */
static void test_bad_descriptors(void)
{
    CU_ASSERT_FATAL(setup());
    wr(0x3800, 0xfffffff0u);      /* ring at the top of the address space */
    wr(0x3804, 0x1);              /* above 4 GiB */
    wr(0x3808, 0x100000);
    wr(0x400, 0x2);
    wr(0x3818, 5);
    CU_ASSERT_EQUAL(fx.nframes, 0);
    wr(0x3810, 0x9999);           /* head past the ring */
    wr(0x3818, 3);
    CU_ASSERT_EQUAL(fx.nframes, 0);
    tx_ring(4);
    tx_desc(0, 0xfffff000u, 4000 | 0x01u << 24, 0);   /* buffer crosses 4 GiB */
    wr(0x3818, 1);
    CU_ASSERT_EQUAL(fx.nframes, 0);
    /* receive into buffers outside RAM: consumed, nothing written */
    wr(0x2800, 0x3ff000);
    wr(0x2808, 0);                /* no ring */
    wr(0x100, 0x2 | 0x8);
    uint8_t fr[100];
    make_frame(fr, mac, 100, 0);
    net_send(fx.peer, fr, 100);
    CU_ASSERT_EQUAL(net_queued(e1000_net_client(fx.e)), 0);
    teardown();
}

static void test_reset(void)
{
    CU_ASSERT_FATAL(setup());
    wr(0xd0, 0xff);
    wr(0xc8, 0x4);                /* ICS: LSC */
    CU_ASSERT(e1000_pci(fx.e)->irq_level & 1);
    wr(0x0, 1u << 26);            /* CTRL.RST */
    CU_ASSERT_EQUAL(rd(0xd0), 0);
    CU_ASSERT_EQUAL(e1000_pci(fx.e)->irq_level & 1, 0);
    CU_ASSERT_EQUAL(rd(0x0) & (1u << 26), 0);
    CU_ASSERT_EQUAL(rd(0x5404), 0x80005634u);
    /* byte access to a register merges into the stored value */
    wr(0x5200, 0x11223344);
    CU_ASSERT_EQUAL(e1000_mmio_read(fx.e, 0x5200), 0x11223344u);
    teardown();
}

void register_e1000_tests(void)
{
    CU_pSuite s = CU_add_suite("e1000", NULL, NULL);
    CU_add_test(s, "EEPROM: Microwire, EERD, checksum, MAC", test_eeprom);
    CU_add_test(s, "PHY through MDIC, link", test_phy);
    CU_add_test(s, "receive ring, filter, queue when full", test_rx);
    CU_add_test(s, "receive: CRC, frames over several buffers", test_rx_crc_and_split);
    CU_add_test(s, "transmit: legacy descriptor, IC", test_tx_legacy);
    CU_add_test(s, "transmit: context + data, IP/UDP checksums", test_tx_offload);
    CU_add_test(s, "transmit: TCP segmentation", test_tx_tso);
    CU_add_test(s, "transmit: bounded batches", test_tx_bounded);
    CU_add_test(s, "bad descriptors", test_bad_descriptors);
    CU_add_test(s, "reset", test_reset);
}
