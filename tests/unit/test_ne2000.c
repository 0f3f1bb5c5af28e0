/*
 * test_ne2000.c - unit tests for the NE2000 (src/devices/ne2000.c) and the
 * RTL8139 (rtl8139.c) with a fake back end: what their Linux drivers do
 * first (station address PROM / EEPROM, reset), one frame received into
 * the ring with its header, one frame transmitted, the ring-full queue.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/ne2000.h"
#include "devices/rtl8139.h"
#include "net/net.h"

typedef struct Sink {
    int n;
    size_t len;
    uint8_t first[64];
} Sink;

static bool sink_receive(NetClient *nc, const uint8_t *b, size_t len)
{
    Sink *s = nc->opaque;
    s->n++;
    s->len = len;
    memcpy(s->first, b, MIN(len, sizeof(s->first)));
    return true;
}
static const NetClientOps sink_ops = { .receive = sink_receive };
static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static Machine *new_machine(PCIBus **bus)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(2u << 20, &err);
    g_clear_error(&err);
    if (m) {
        clock_init(&m->clock, true);
        *bus = pci_bus_new(&m->bus);
    }
    return m;
}

static size_t frame_to(uint8_t *f, const uint8_t *dst, size_t len)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)i;
    return len;
}

/* ---- NE2000 */

static void ne_w(Ne2000State *s, int r, uint8_t v) { ne2000_io_write(s, (uint16_t)r, v, 1); }
static uint8_t ne_r(Ne2000State *s, int r) { return (uint8_t)ne2000_io_read(s, (uint16_t)r, 1); }

static void test_ne2000(void)
{
    PCIBus *bus = NULL;
    Machine *m = new_machine(&bus);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    GError *err = NULL;
    Ne2000State *s = ne2000_pci_init(&m->bus, bus, PCI_DEVFN(3, 0), mac, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    Sink sink = { 0 };
    NetClient *peer = net_client_new(&sink_ops, &sink, "sink");
    net_connect(ne2000_net_client(s), peer);

    /* reset port, ISR.RST; the 8390 probe: CNTR0 reads 0 */
    ne2000_io_read(s, 0x1f, 1);
    CU_ASSERT(ne_r(s, 7) & 0x80);
    CU_ASSERT_EQUAL(ne_r(s, 0x0d), 0);
    CU_ASSERT_EQUAL(ne_r(s, 0x0a), 0x50);      /* RTL8029 'P' */
    /* PROM by remote DMA, word mode with byte reads (ne2k-pci): the MAC */
    ne_w(s, 0, 0x21);
    ne_w(s, 0x0e, 0x49);
    ne_w(s, 0x0a, 32);
    ne_w(s, 0x0b, 0);
    ne_w(s, 0x08, 0);
    ne_w(s, 0x09, 0);
    ne_w(s, 0, 0x0a);
    uint8_t prom[16];
    for (int i = 0; i < 16; i++)
        prom[i] = (uint8_t)ne2000_io_read(s, 0x10, 1);
    CU_ASSERT_EQUAL(memcmp(prom, mac, 6), 0);
    CU_ASSERT_EQUAL(prom[14], 0x57);
    CU_ASSERT(ne_r(s, 7) & 0x40);             /* RDC */

    /* start: ring 0x4c-0x80, BNRY 0x7f, CURR 0x4c, broadcast + own MAC */
    ne_w(s, 7, 0xff);
    ne_w(s, 1, 0x4c);
    ne_w(s, 2, 0x80);
    ne_w(s, 3, 0x7f);
    ne_w(s, 0, 0x61);                         /* page 1 */
    ne_w(s, 7, 0x4c);
    ne_w(s, 0, 0x22);                         /* page 0, start */
    ne_w(s, 0x0c, 0x04);
    ne_w(s, 0x0f, 0x3f);
    uint8_t f[1600];
    frame_to(f, mac, 300);
    CU_ASSERT_TRUE(net_send(peer, f, 300));
    CU_ASSERT(ne_r(s, 7) & 0x01);             /* PRX */
    CU_ASSERT(pci_find_device(bus, PCI_DEVFN(3, 0))->irq_level & 1);
    /* header at 0x4c00: status, next page, length 304 */
    ne_w(s, 0x0a, 4);
    ne_w(s, 0x0b, 0);
    ne_w(s, 0x08, 0);
    ne_w(s, 0x09, 0x4c);
    ne_w(s, 0, 0x0a);
    uint32_t h0 = ne2000_io_read(s, 0x10, 2), h1 = ne2000_io_read(s, 0x10, 2);
    CU_ASSERT_EQUAL(h0 & 0xff, 0x01);
    CU_ASSERT_EQUAL(h0 >> 8, 0x4e);
    CU_ASSERT_EQUAL(h1, 304);
    /* a frame for someone else is dropped */
    frame_to(f, (const uint8_t *)"\x52\x54\x00\x00\x00\x09", 100);
    net_send(peer, f, 100);
    ne_w(s, 0, 0x62);
    CU_ASSERT_EQUAL(ne_r(s, 7), 0x4e);        /* CURR unchanged */
    ne_w(s, 0, 0x22);

    /* fill the ring: frames wait in the queue until BNRY moves */
    frame_to(f, mac, 1500);
    for (int i = 0; i < 12; i++)
        net_send(peer, f, 1500);
    CU_ASSERT(net_queued(ne2000_net_client(s)) > 0);
    size_t q = net_queued(ne2000_net_client(s));
    ne_w(s, 0, 0x62);
    uint8_t curr = ne_r(s, 7);
    ne_w(s, 0, 0x22);
    ne_w(s, 3, (uint8_t)(curr - 1 < 0x4c ? 0x7f : curr - 1));     /* all read */
    CU_ASSERT(net_queued(ne2000_net_client(s)) < q);

    /* transmit 64 bytes written by remote DMA to page 0x40 */
    ne_w(s, 0x0a, 64);
    ne_w(s, 0x0b, 0);
    ne_w(s, 0x08, 0);
    ne_w(s, 0x09, 0x40);
    ne_w(s, 0, 0x12);
    frame_to(f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 64);
    for (int i = 0; i < 64; i += 2)
        ne2000_io_write(s, 0x10, (uint32_t)(f[i] | f[i + 1] << 8), 2);
    ne_w(s, 4, 0x40);
    ne_w(s, 5, 64);
    ne_w(s, 6, 0);
    ne_w(s, 0, 0x26);
    CU_ASSERT_EQUAL(sink.n, 1);
    CU_ASSERT_EQUAL(sink.len, 64);
    CU_ASSERT_EQUAL(memcmp(sink.first, f, 64), 0);
    CU_ASSERT(ne_r(s, 7) & 0x02);             /* PTX */
    ne2000_free(s);
    net_client_free(peer);
    machine_free(m);
}

/* ---- RTL8139 */

static uint16_t rtl_eeprom(Rtl8139State *s, int addr)
{
    uint32_t cmd = 6u << 8 | (uint32_t)addr;   /* 0 0 1 10 AAAAAAAA, as 8139too */
    for (int i = 12; i >= 0; i--) {
        uint8_t di = (cmd >> i) & 1 ? 0x02 : 0;
        rtl8139_reg_write(s, 0x50, 0x80 | 0x08 | di, 1);
        rtl8139_reg_write(s, 0x50, 0x80 | 0x08 | di | 0x04, 1);
    }
    rtl8139_reg_write(s, 0x50, 0x80 | 0x08, 1);
    uint16_t v = 0;
    for (int i = 0; i < 16; i++) {
        rtl8139_reg_write(s, 0x50, 0x80 | 0x08 | 0x04, 1);
        v = (uint16_t)(v << 1 | (rtl8139_reg_read(s, 0x50, 1) & 1));
        rtl8139_reg_write(s, 0x50, 0x80 | 0x08, 1);
    }
    rtl8139_reg_write(s, 0x50, 0, 1);
    return v;
}

static void test_rtl8139(void)
{
    PCIBus *bus = NULL;
    Machine *m = new_machine(&bus);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    GError *err = NULL;
    Rtl8139State *s = rtl8139_init(&m->bus, bus, PCI_DEVFN(3, 0), mac, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    Sink sink = { 0 };
    NetClient *peer = net_client_new(&sink_ops, &sink, "sink");
    net_connect(rtl8139_net_client(s), peer);

    CU_ASSERT_EQUAL(rtl_eeprom(s, 0), 0x8129);
    CU_ASSERT_EQUAL(rtl_eeprom(s, 7), 0x5452);
    CU_ASSERT_EQUAL(rtl_eeprom(s, 9), 0xefcd);
    CU_ASSERT_EQUAL(rtl8139_reg_read(s, 0x40, 4) & 0x7cc00000u, 0x74000000u);   /* 8139C */
    CU_ASSERT(rtl8139_reg_read(s, 0x64, 2) & 0x0004);                          /* BMSR link */
    rtl8139_reg_write(s, 0x37, 0x10, 1);                                       /* reset */
    CU_ASSERT_EQUAL(rtl8139_reg_read(s, 0x37, 1) & 0x10, 0);

    /* RX: 8 KiB ring at 0x10000, WRAP, broadcast + own MAC */
    rtl8139_reg_write(s, 0x30, 0x10000, 4);
    rtl8139_reg_write(s, 0x44, 0x80 | 0x08 | 0x02, 4);
    rtl8139_reg_write(s, 0x3c, 0x0005, 2);
    rtl8139_reg_write(s, 0x37, 0x0c, 1);
    CU_ASSERT(rtl8139_reg_read(s, 0x37, 1) & 0x01);                           /* BUFE */
    uint8_t f[1600], hdr[4];
    frame_to(f, mac, 100);
    net_send(peer, f, 100);
    CU_ASSERT_EQUAL(rtl8139_reg_read(s, 0x37, 1) & 0x01, 0);
    CU_ASSERT(rtl8139_reg_read(s, 0x3e, 2) & 0x0001);                         /* ROK */
    physmem_read_buf(m->mem, 0x10000, hdr, 4);
    CU_ASSERT_EQUAL(hdr[0] & 1, 1);
    CU_ASSERT_EQUAL(hdr[2] | hdr[3] << 8, 104);                               /* with CRC */
    CU_ASSERT_EQUAL(rtl8139_reg_read(s, 0x3a, 2), (4 + 104 + 3) & ~3);       /* CBR */
    /* the driver reads it: CAPR = next - 16, buffer empty again */
    rtl8139_reg_write(s, 0x38, (uint16_t)(((4 + 104 + 3) & ~3) - 16), 2);
    CU_ASSERT(rtl8139_reg_read(s, 0x37, 1) & 0x01);
    rtl8139_reg_write(s, 0x3e, 0xffff, 2);
    CU_ASSERT_EQUAL(rtl8139_reg_read(s, 0x3e, 2), 0);

    /* TX: buffer 1 at 0x20000, 80 bytes */
    frame_to(f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 80);
    physmem_write_buf(m->mem, 0x20000, f, 80);
    rtl8139_reg_write(s, 0x24, 0x20000, 4);
    rtl8139_reg_write(s, 0x14, 80, 4);
    CU_ASSERT_EQUAL(sink.n, 1);
    CU_ASSERT_EQUAL(sink.len, 80);
    CU_ASSERT_EQUAL(memcmp(sink.first, f, 64), 0);
    CU_ASSERT_EQUAL(rtl8139_reg_read(s, 0x14, 4) & 0xa000, 0xa000);           /* OWN, TOK */
    CU_ASSERT(rtl8139_reg_read(s, 0x3e, 2) & 0x0004);                         /* TOK */
    rtl8139_free(s);
    net_client_free(peer);
    machine_free(m);
}

void register_ne2000_tests(void)
{
    CU_pSuite s = CU_add_suite("ne2000", NULL, NULL);
    CU_add_test(s, "NE2000: PROM, receive ring, queue, transmit", test_ne2000);
    CU_add_test(s, "RTL8139: EEPROM, reset, receive ring, transmit", test_rtl8139);
}
