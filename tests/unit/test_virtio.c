/*
 * test_virtio.c - unit tests for virtio-net-pci (src/devices/virtio_net.c)
 * and its transport (virtio_pci.c) with a fake back end: the PCI IDs and
 * vendor capabilities of each flavour, the legacy and the modern
 * registers, transmit (header and frame split over descriptors, checksum
 * filled in), receive (waiting for buffers, the 10- and 12-byte headers),
 * INTx through the ISR, and rings a hostile driver breaks (a chain that
 * loops, an avail index far ahead, indices out of range, buffers above
 * 4 GiB): the queue is ignored until reset, nothing hangs.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/virtio_net.h"
#include "net/net.h"

#define RXQ_PFN  0x10           /* legacy rings at 0x10000 (rx) and 0x20000 (tx) */
#define TXQ_PFN  0x20
#define RXBUF    0x40000
#define TXBUF    0x50000
#define QSIZE    256

/* legacy registers, modern common config offsets */
enum { L_DF = 0, L_GF = 4, L_PFN = 8, L_QSIZE = 0x0c, L_QSEL = 0x0e, L_NOTIFY = 0x10,
       L_STATUS = 0x12, L_ISR = 0x13, L_CFG = 0x14 };

typedef struct Fixture {
    Machine *m;
    PCIBus *bus;
    VirtioNetState *v;
    VirtioPCI *vp;
    NetClient *peer;
    int nframes;
    uint8_t frame[2048];
    size_t len;
} Fixture;

static Fixture fx;

static bool fake_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    Fixture *f = nc->opaque;
    memcpy(f->frame, buf, MIN(len, sizeof(f->frame)));
    f->len = len;
    f->nframes++;
    return true;
}

static const NetClientOps fake_ops = { .receive = fake_receive };
static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static bool setup(bool disable_legacy, bool disable_modern)
{
    GError *err = NULL;
    memset(&fx, 0, sizeof(fx));
    fx.m = machine_new_bare(4u << 20, &err);
    if (!fx.m) {
        g_clear_error(&err);
        return false;
    }
    clock_init(&fx.m->clock, true);
    fx.bus = pci_bus_new(&fx.m->bus);
    fx.v = virtio_net_init(&fx.m->bus, fx.bus, PCI_DEVFN(3, 0), mac, disable_legacy,
                           disable_modern, &err);
    if (!fx.v) {
        g_clear_error(&err);
        return false;
    }
    fx.vp = virtio_net_transport(fx.v);
    fx.peer = net_client_new(&fake_ops, &fx, "fake");
    net_connect(virtio_net_net_client(fx.v), fx.peer);
    return true;
}

static void teardown(void)
{
    virtio_net_free(fx.v);
    net_client_free(fx.peer);
    machine_free(fx.m);
}

static uint32_t cfg_read(uint32_t addr, int size)
{
    return pci_config_read(fx.bus, 0, PCI_DEVFN(3, 0), addr, size);
}

static bool irq_high(void)
{
    return pci_find_device(fx.bus, PCI_DEVFN(3, 0))->irq_level & 1;
}

static void put_desc(uint32_t table, int i, uint32_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint32_t d = table + 16u * (uint32_t)i;
    physmem_write(fx.m->mem, d, addr, 4);
    physmem_write(fx.m->mem, d + 4, 0, 4);
    physmem_write(fx.m->mem, d + 8, len, 4);
    physmem_write(fx.m->mem, d + 12, flags, 2);
    physmem_write(fx.m->mem, d + 14, next, 2);
}

/* the driver adds head to the avail ring (its next index is idx) */
static void put_avail(uint32_t avail, uint16_t idx, uint16_t head)
{
    physmem_write(fx.m->mem, avail + 4 + 2u * (idx % QSIZE), head, 2);
    physmem_write(fx.m->mem, avail + 2, (uint16_t)(idx + 1), 2);
}

static uint32_t legacy_avail(uint32_t pfn) { return (pfn << 12) + 16 * QSIZE; }
static uint32_t legacy_used(uint32_t pfn)
{
    return (legacy_avail(pfn) + 6 + 2 * QSIZE + 4095) & ~4095u;
}

static void legacy_up(void)
{
    virtio_pci_legacy_write(fx.vp, L_STATUS, 0, 1);
    virtio_pci_legacy_write(fx.vp, L_STATUS, 3, 1);
    virtio_pci_legacy_write(fx.vp, L_GF, virtio_pci_legacy_read(fx.vp, L_DF, 4), 4);
    virtio_pci_legacy_write(fx.vp, L_QSEL, 0, 2);
    virtio_pci_legacy_write(fx.vp, L_PFN, RXQ_PFN, 4);
    virtio_pci_legacy_write(fx.vp, L_QSEL, 1, 2);
    virtio_pci_legacy_write(fx.vp, L_PFN, TXQ_PFN, 4);
    virtio_pci_legacy_write(fx.vp, L_STATUS, 7, 1);
}

static const uint8_t test_frame[60] = {
    0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x54, 0x00, 0x12, 0x34, 0x02, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x2e, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 2, 2, 10, 0, 2, 15,
    0x12, 0x34, 0x56, 0x78, 0x00, 0x1a, 0x00, 0x00, 'h', 'e', 'l', 'l', 'o',
};

static void test_ids(void)
{
    static const struct { bool nl, nm; uint16_t dev; uint8_t rev; bool io, caps; } rows[] = {
        { false, false, 0x1000, 0, true, true },
        { true, false, 0x1041, 1, false, true },
        { false, true, 0x1000, 0, true, false },
    };
    for (size_t r = 0; r < G_N_ELEMENTS(rows); r++) {
        CU_ASSERT_FATAL(setup(rows[r].nl, rows[r].nm));
        CU_ASSERT_EQUAL(cfg_read(0, 2), 0x1af4);
        CU_ASSERT_EQUAL(cfg_read(2, 2), rows[r].dev);
        CU_ASSERT_EQUAL(cfg_read(PCI_REVISION_ID, 1), rows[r].rev);
        CU_ASSERT_EQUAL(cfg_read(PCI_SUBSYSTEM_ID, 2), 1);          /* network card */
        CU_ASSERT_EQUAL(cfg_read(PCI_CLASS_DEVICE, 2), 0x0200);
        CU_ASSERT_EQUAL(cfg_read(PCI_INTERRUPT_PIN, 1), 1);
        /* BAR0 sizing: I/O, 32 ports, when legacy */
        pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), 0x10, 0xffffffff, 4);
        CU_ASSERT_EQUAL(cfg_read(0x10, 4), rows[r].io ? 0xffffffe1u : 0);
        CU_ASSERT_EQUAL((cfg_read(PCI_STATUS, 2) & 0x10) != 0, rows[r].caps);
        if (rows[r].caps) {
            /* the vendor capabilities: common, ISR, device, notify in BAR4,
             * then the configuration access window */
            static const uint8_t types[5] = { 1, 3, 4, 2, 5 };
            uint32_t p = cfg_read(0x34, 1), window = 0;
            for (int i = 0; i < 5; i++) {
                CU_ASSERT_EQUAL(cfg_read(p, 1), 0x09);
                CU_ASSERT_EQUAL(cfg_read(p + 3, 1), types[i]);
                CU_ASSERT_EQUAL(cfg_read(p + 4, 1), types[i] == 5 ? 0 : 4);
                if (types[i] == 5)
                    window = p;
                if (types[i] == 2)
                    CU_ASSERT_EQUAL(cfg_read(p + 16, 4), 4);        /* multiplier */
                p = cfg_read(p + 1, 1);
            }
            CU_ASSERT_EQUAL(p, 0);
            /* capabilities are read only */
            pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), 0x43, 0x77, 1);
            CU_ASSERT_EQUAL(cfg_read(0x43, 1), 1);
            /* the window: the MAC's first dword from BAR4 0x2000, the
             * status register written through it */
            pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), window + 4, 4, 1);
            pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), window + 8, 0x2000, 4);
            pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), window + 12, 4, 4);
            CU_ASSERT_EQUAL(cfg_read(window + 16, 4), 0x12005452u);
            pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), window + 8, 0x14, 4);
            pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), window + 12, 1, 4);
            pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), window + 16, 3, 1);
            CU_ASSERT_EQUAL(virtio_pci_status(fx.vp), 3);
            /* a length other than 1, 2, 4 reaches nothing */
            pci_config_write(fx.bus, 0, PCI_DEVFN(3, 0), window + 12, 3, 4);
            CU_ASSERT_EQUAL(cfg_read(window + 16, 4), 0);
        }
        teardown();
    }
}

static void test_legacy_config(void)
{
    CU_ASSERT_FATAL(setup(false, false));
    uint32_t f = virtio_pci_legacy_read(fx.vp, L_DF, 4);
    CU_ASSERT(f & (1u << 5));                    /* MAC */
    CU_ASSERT(f & (1u << 16));                   /* STATUS */
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(fx.vp, L_QSIZE, 2), QSIZE);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(virtio_pci_legacy_read(fx.vp, L_CFG + (uint32_t)i, 1), mac[i]);
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(fx.vp, L_CFG + 6, 2), 1);   /* link up */
    /* the driver cannot accept what is not offered */
    virtio_pci_legacy_write(fx.vp, L_GF, 0xffffffff, 4);
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(fx.vp, L_GF, 4), f);
    teardown();
}

static void test_legacy_tx_rx(void)
{
    CU_ASSERT_FATAL(setup(false, true));
    legacy_up();
    uint32_t txd = TXQ_PFN << 12, txa = legacy_avail(TXQ_PFN), txu = legacy_used(TXQ_PFN);
    /* header (10 bytes, NEEDS_CSUM: UDP checksum from 34, field at +6) then the frame */
    uint8_t hdr[10] = { 1, 0, 0, 0, 0, 0, 34, 0, 6, 0 };
    physmem_write_buf(fx.m->mem, TXBUF, hdr, sizeof(hdr));
    physmem_write_buf(fx.m->mem, TXBUF + 0x100, test_frame, sizeof(test_frame));
    put_desc(txd, 0, TXBUF, 10, 1, 1);
    put_desc(txd, 1, TXBUF + 0x100, sizeof(test_frame), 0, 0);
    put_avail(txa, 0, 0);
    virtio_pci_legacy_write(fx.vp, L_NOTIFY, 1, 2);
    CU_ASSERT_EQUAL(fx.nframes, 1);
    CU_ASSERT_EQUAL(fx.len, sizeof(test_frame));
    uint16_t sum = (uint16_t)(fx.frame[40] << 8 | fx.frame[41]);
    CU_ASSERT_NOT_EQUAL(sum, 0);
    /* summing over the range with the checksum in place gives 0 */
    CU_ASSERT_EQUAL(net_checksum_finish(net_checksum_add(0, fx.frame + 34,
                                                         sizeof(test_frame) - 34)), 0);
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, txu + 2, 2), 1);          /* used idx */
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, txu + 4, 4), 0);          /* id: head 0 */
    CU_ASSERT(irq_high());
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(fx.vp, L_ISR, 1), 1);
    CU_ASSERT(!irq_high());
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(fx.vp, L_ISR, 1), 0);      /* read cleared it */

    /* receive: no buffer yet, so the frame waits in the net queue */
    net_send(fx.peer, test_frame, sizeof(test_frame));
    CU_ASSERT_EQUAL(net_queued(virtio_net_net_client(fx.v)), 1);
    uint32_t rxd = RXQ_PFN << 12, rxu = legacy_used(RXQ_PFN);
    put_desc(rxd, 3, RXBUF, 10, 3, 4);                                /* header, then data */
    put_desc(rxd, 4, RXBUF + 0x100, 1514, 2, 0);
    put_avail(legacy_avail(RXQ_PFN), 0, 3);
    virtio_pci_legacy_write(fx.vp, L_NOTIFY, 0, 2);
    CU_ASSERT_EQUAL(net_queued(virtio_net_net_client(fx.v)), 0);
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, rxu + 2, 2), 1);
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, rxu + 4, 4), 3);
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, rxu + 8, 4), 10 + sizeof(test_frame));
    uint8_t got[sizeof(test_frame)];
    physmem_read_buf(fx.m->mem, RXBUF + 0x100, got, sizeof(got));
    CU_ASSERT_EQUAL(memcmp(got, test_frame, sizeof(got)), 0);
    CU_ASSERT(irq_high());
    /* NO_INTERRUPT in the avail flags: used, but no interrupt */
    virtio_pci_legacy_read(fx.vp, L_ISR, 1);
    physmem_write(fx.m->mem, legacy_avail(RXQ_PFN), 1, 2);
    put_avail(legacy_avail(RXQ_PFN), 1, 3);
    net_send(fx.peer, test_frame, sizeof(test_frame));
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, rxu + 2, 2), 2);
    CU_ASSERT(!irq_high());
    teardown();
}

static void test_modern(void)
{
    CU_ASSERT_FATAL(setup(true, false));
    VirtioPCI *vp = fx.vp;
    virtio_pci_modern_write(vp, 0x14, 3, 1);                          /* ACK | DRIVER */
    virtio_pci_modern_write(vp, 0x00, 1, 4);                          /* features 32-63 */
    CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x04, 4), 1);          /* VERSION_1 */
    /* without VERSION_1 the device refuses FEATURES_OK */
    virtio_pci_modern_write(vp, 0x08, 0, 4);
    virtio_pci_modern_write(vp, 0x0c, 1u << 5, 4);
    virtio_pci_modern_write(vp, 0x14, 0x0b, 1);
    CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x14, 1) & 8, 0);
    virtio_pci_modern_write(vp, 0x08, 1, 4);
    virtio_pci_modern_write(vp, 0x0c, 1, 4);
    virtio_pci_modern_write(vp, 0x14, 0x0b, 1);
    CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x14, 1), 0x0b);
    CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x12, 2), 2);          /* num_queues */
    CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x2000, 4),
                    (uint32_t)(mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24));
    /* queues: smaller than the maximum, rings where the driver wants them */
    static const uint32_t base[2] = { 0x10000, 0x20000 };
    for (int q = 0; q < 2; q++) {
        virtio_pci_modern_write(vp, 0x16, (uint32_t)q, 2);
        CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x18, 2), QSIZE);
        CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x1e, 2), (uint32_t)q);   /* notify off */
        virtio_pci_modern_write(vp, 0x18, 64, 2);
        virtio_pci_modern_write(vp, 0x20, base[q], 4);
        virtio_pci_modern_write(vp, 0x24, 0, 4);
        virtio_pci_modern_write(vp, 0x28, base[q] + 0x1000, 4);
        virtio_pci_modern_write(vp, 0x2c, 0, 4);
        virtio_pci_modern_write(vp, 0x30, base[q] + 0x2000, 4);
        virtio_pci_modern_write(vp, 0x34, 0, 4);
        virtio_pci_modern_write(vp, 0x1c, 1, 2);
        CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x28, 4), base[q] + 0x1000);
    }
    virtio_pci_modern_write(vp, 0x14, 0x0f, 1);                       /* DRIVER_OK */
    /* transmit: one descriptor, the 12-byte header and the frame */
    uint8_t buf[12 + sizeof(test_frame)] = { 0 };
    memcpy(buf + 12, test_frame, sizeof(test_frame));
    physmem_write_buf(fx.m->mem, TXBUF, buf, sizeof(buf));
    put_desc(0x20000, 0, TXBUF, sizeof(buf), 0, 0);
    physmem_write(fx.m->mem, 0x21000 + 4, 0, 2);
    physmem_write(fx.m->mem, 0x21000 + 2, 1, 2);
    virtio_pci_modern_write(vp, 0x3000 + 4, 1, 2);                    /* notify queue 1 */
    CU_ASSERT_EQUAL(fx.nframes, 1);
    CU_ASSERT_EQUAL(fx.len, sizeof(test_frame));
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, 0x22000 + 2, 2), 1);
    CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x1000, 1), 1);        /* ISR */
    /* receive: 12-byte header with num_buffers 1 */
    put_desc(0x10000, 0, RXBUF, 2048, 2, 0);
    physmem_write(fx.m->mem, 0x11000 + 4, 0, 2);
    physmem_write(fx.m->mem, 0x11000 + 2, 1, 2);
    virtio_pci_modern_write(vp, 0x3000, 0, 2);
    net_send(fx.peer, test_frame, sizeof(test_frame));
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, 0x12000 + 8, 4), 12 + sizeof(test_frame));
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, RXBUF + 10, 2), 1);
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, RXBUF + 12, 1), test_frame[0]);
    /* a queue size that is not a power of two breaks the queue, not tx86 */
    virtio_pci_modern_write(vp, 0x14, 0, 1);                          /* reset */
    CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x14, 1), 0);
    virtio_pci_modern_write(vp, 0x16, 1, 2);
    CU_ASSERT_EQUAL(virtio_pci_modern_read(vp, 0x1c, 2), 0);          /* disabled again */
    teardown();
}

static void test_bad_rings(void)
{
    CU_ASSERT_FATAL(setup(false, true));
    legacy_up();
    uint32_t txd = TXQ_PFN << 12, txa = legacy_avail(TXQ_PFN), txu = legacy_used(TXQ_PFN);
    VirtQueue *tq = virtio_pci_queue(fx.vp, 1);
    /* a chain that loops on itself */
    put_desc(txd, 0, TXBUF, 100, 1, 0);
    put_avail(txa, 0, 0);
    virtio_pci_legacy_write(fx.vp, L_NOTIFY, 1, 2);
    CU_ASSERT(tq->broken);
    CU_ASSERT_EQUAL(fx.nframes, 0);
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, txu + 2, 2), 0);
    /* a broken queue stays ignored until the driver resets the device */
    put_desc(txd, 0, TXBUF, 100, 0, 0);
    virtio_pci_legacy_write(fx.vp, L_NOTIFY, 1, 2);
    CU_ASSERT_EQUAL(fx.nframes, 0);

    static const struct { uint16_t head, flags, next, avail_idx; uint64_t addr; } rows[] = {
        { 300, 0, 0, 1, TXBUF },                 /* head index out of range */
        { 0, 1, 999, 1, TXBUF },                 /* next index out of range */
        { 0, 0, 0, 1000, TXBUF },                /* avail index far ahead */
        { 0, 4, 0, 1, TXBUF },                   /* indirect (not offered) */
        { 0, 0, 0, 1, 0xfffffff0ull },           /* runs past 4 GiB */
        { 0, 0, 0, 1, 0x100000000ull },          /* above 4 GiB */
    };
    for (size_t r = 0; r < G_N_ELEMENTS(rows); r++) {
        legacy_up();
        CU_ASSERT(!tq->broken);
        uint32_t d = txd;
        physmem_write(fx.m->mem, d, (uint32_t)rows[r].addr, 4);
        physmem_write(fx.m->mem, d + 4, (uint32_t)(rows[r].addr >> 32), 4);
        physmem_write(fx.m->mem, d + 8, 100, 4);
        physmem_write(fx.m->mem, d + 12, rows[r].flags, 2);
        physmem_write(fx.m->mem, d + 14, rows[r].next, 2);
        physmem_write(fx.m->mem, txa + 4, rows[r].head, 2);
        physmem_write(fx.m->mem, txa + 2, rows[r].avail_idx, 2);
        virtio_pci_legacy_write(fx.vp, L_NOTIFY, 1, 2);
        CU_ASSERT(tq->broken);
        CU_ASSERT_EQUAL(fx.nframes, 0);
    }
    /* a frame too short for the header is dropped, the chain given back */
    legacy_up();
    put_desc(txd, 0, TXBUF, 8, 0, 0);
    put_avail(txa, 0, 0);
    virtio_pci_legacy_write(fx.vp, L_NOTIFY, 1, 2);
    CU_ASSERT(!tq->broken);
    CU_ASSERT_EQUAL(fx.nframes, 0);
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, txu + 2, 2), 1);
    /* a receive buffer that is too small: the frame is dropped */
    uint32_t rxd = RXQ_PFN << 12, rxu = legacy_used(RXQ_PFN);
    put_desc(rxd, 0, RXBUF, 20, 2, 0);
    put_avail(legacy_avail(RXQ_PFN), 0, 0);
    net_send(fx.peer, test_frame, sizeof(test_frame));
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, rxu + 2, 2), 1);
    CU_ASSERT_EQUAL(physmem_read(fx.m->mem, rxu + 8, 4), 0);
    CU_ASSERT_EQUAL(net_queued(virtio_net_net_client(fx.v)), 0);
    teardown();
}

void register_virtio_tests(void)
{
    CU_pSuite s = CU_add_suite("virtio", NULL, NULL);
    CU_add_test(s, "PCI IDs and capabilities of each flavour", test_ids);
    CU_add_test(s, "legacy registers and config", test_legacy_config);
    CU_add_test(s, "legacy transmit (checksum) and receive", test_legacy_tx_rx);
    CU_add_test(s, "modern: features, queues, transmit, receive", test_modern);
    CU_add_test(s, "bad rings break the queue, not tx86", test_bad_rings);
}
