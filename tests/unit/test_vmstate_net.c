/*
 * test_vmstate_net.c - the saved state (bus/vmstate.h) of the network
 * cards (e1000, ne2000, rtl8139, virtio-net and its virtio-pci
 * transport), the UHCI and its HID devices, and the -snapshot overlay of
 * the block layer.  For each: the table passes vmstate_check_desc; a
 * device driven out of its reset state is saved, loaded into a fresh
 * instance (checked, then applied, then post_load), saved again, and the
 * two streams must be byte-identical, with a guest-visible read agreeing;
 * truncated streams, damaged streams and values post_load must refuse
 * are refused with a message, never a crash.
 */
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/e1000.h"
#include "devices/ne2000.h"
#include "devices/rtl8139.h"
#include "devices/virtio_pci.h"
#include "devices/virtio_net.h"
#include "devices/uhci.h"
#include "devices/usb.h"
#include "devices/usb_hid.h"
#include "devices/block.h"
#include "net/net.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* ---- helpers */

static Machine *new_machine(PCIBus **bus)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(4u << 20, &err);
    g_clear_error(&err);
    if (m) {
        clock_init(&m->clock, true);
        *bus = pci_bus_new(&m->bus);
    }
    return m;
}

static GByteArray *save(const VMStateDesc *d, void *s)
{
    GByteArray *a = g_byte_array_new();
    vmstate_save(d, s, a);
    return a;
}

/* what the machine does with one section: check, apply, post_load */
static bool load(const VMStateDesc *d, void *s, const uint8_t *data, size_t len, GError **err)
{
    if (!vmstate_load(d, s, d->version, data, len, false, d->name, err))
        return false;
    if (!vmstate_load(d, s, d->version, data, len, true, d->name, err))
        return false;
    return d->post_load ? d->post_load(s, d->version, err) : true;
}

static void check_desc(const VMStateDesc *d, size_t size)
{
    GError *err = NULL;
    bool ok = vmstate_check_desc(d, size, &err);
    if (!ok)
        fprintf(stderr, "\n%s\n", err->message);
    CU_ASSERT_TRUE(ok);
    g_clear_error(&err);
    CU_ASSERT_EQUAL(d->version, 1);
    CU_ASSERT_EQUAL(d->min_version, 1);
}

/* save src, load into dst, save dst: the same bytes */
static GByteArray *roundtrip(const VMStateDesc *d, void *src, void *dst)
{
    GByteArray *a = save(d, src);
    GError *err = NULL;
    bool ok = load(d, dst, a->data, a->len, &err);
    if (!ok)
        fprintf(stderr, "\n%s\n", err->message);
    CU_ASSERT_TRUE(ok);
    g_clear_error(&err);
    GByteArray *b = save(d, dst);
    CU_ASSERT_EQUAL(a->len, b->len);
    CU_ASSERT(a->len == b->len && memcmp(a->data, b->data, a->len) == 0);
    g_byte_array_unref(b);
    return a;
}

/* cut short anywhere: refused with a message; damaged bytes: refused or
 * loaded, never a crash (the checks run first, then apply and post_load) */
static void bad_streams(const VMStateDesc *d, void *scratch, const GByteArray *a)
{
    size_t cuts[] = { 0, 3, 4, 9, a->len / 3, a->len / 2, a->len - 1 };
    for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
        GError *err = NULL;
        CU_ASSERT_FALSE(vmstate_load(d, scratch, d->version, a->data, cuts[i], false, d->name,
                                     &err));
        CU_ASSERT_PTR_NOT_NULL(err);
        if (err)
            CU_ASSERT(strlen(err->message) > 0);
        g_clear_error(&err);
    }
    uint8_t *copy = g_memdup2(a->data, a->len);
    size_t step = a->len / 400 + 1;
    for (size_t at = 0; at < a->len; at += step) {
        for (int k = 0; k < 3; k++) {
            static const uint8_t flips[3] = { 0x01, 0x80, 0xff };
            copy[at] ^= flips[k];
            GError *err = NULL;
            if (!load(d, scratch, copy, a->len, &err))
                CU_ASSERT_PTR_NOT_NULL(err);
            g_clear_error(&err);
            copy[at] ^= flips[k];
        }
    }
    g_free(copy);
}

/* the data of the first field called name in a section's payload, nested
 * structs included (walking the stream's own layout, vmstate.c), or NULL */
static uint32_t rd_u32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *find_field(uint8_t *p, uint8_t *end, const char *name)
{
    if (end - p < 4)
        return NULL;
    uint32_t nf = rd_u32(p);
    p += 4;
    for (uint32_t i = 0; i < nf && p < end; i++) {
        uint8_t n = p[0];
        if (end - p < 1 + n + 13)
            return NULL;
        bool match = n == strlen(name) && !memcmp(p + 1, name, n);
        uint8_t type = p[1 + n];
        uint32_t count = rd_u32(p + 1 + n + 5), len = rd_u32(p + 1 + n + 9);
        uint8_t *data = p + 1 + n + 13;
        if (match)
            return data;
        if (type == VMS_T_STRUCT) {
            uint8_t *q = data;
            for (uint32_t k = 0; k < count && q + 4 <= data + len; k++) {
                uint32_t sl = rd_u32(q);
                uint8_t *hit = find_field(q + 4, q + 4 + sl, name);
                if (hit)
                    return hit;
                q += 4 + sl;
            }
        }
        p = data + len;
    }
    return NULL;
}

static uint8_t *field_data(GByteArray *a, const char *name)
{
    return find_field(a->data, a->data + a->len, name);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* a stream with one field patched must be refused (by post_load) */
static void refused_with(const VMStateDesc *d, void *scratch, const GByteArray *a,
                         const char *field, uint64_t v, int size)
{
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, a->data, a->len);
    uint8_t *p = field_data(b, field);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    put_le(p, v, size);
    GError *err = NULL;
    CU_ASSERT_FALSE(load(d, scratch, b->data, b->len, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    g_byte_array_unref(b);
}

static size_t eth_frame(uint8_t *f, const uint8_t *dst, size_t len)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(i * 7);
    return len;
}

static bool null_receive(NetClient *nc, const uint8_t *b, size_t len) { return true; }
static const NetClientOps null_ops = { .receive = null_receive };

/* ---- e1000 */

static uint32_t e_mdic(E1000State *e, uint32_t op, int r, uint16_t data)
{
    e1000_mmio_write(e, 0x20, op << 26 | 1u << 21 | (uint32_t)r << 16 | data);
    return e1000_mmio_read(e, 0x20) & 0xffff;
}

static void test_e1000(void)
{
    check_desc(&e1000_vmsd, e1000_state_size);
    PCIBus *b1 = NULL, *b2 = NULL;
    Machine *m1 = new_machine(&b1), *m2 = new_machine(&b2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m2);
    GError *err = NULL;
    E1000State *e = e1000_init(&m1->bus, b1, PCI_DEVFN(3, 0), mac, &err);
    E1000State *f = e1000_init(&m2->bus, b2, PCI_DEVFN(3, 0), mac, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    NetClient *peer = net_client_new(&null_ops, NULL, "peer");
    net_connect(e1000_net_client(e), peer);

    /* a receive ring of 8 descriptors at 0x10000, buffers from 0x20000 */
    for (uint32_t i = 0; i < 8; i++)
        physmem_write(m1->mem, 0x10000 + 16 * i, 0x20000 + 2048 * i, 4);
    e1000_mmio_write(e, 0x2800, 0x10000);
    e1000_mmio_write(e, 0x2808, 8 * 16);
    e1000_mmio_write(e, 0x2818, 7);
    e1000_mmio_write(e, 0xd0, 0x80);              /* IMS: RXT0 */
    e1000_mmio_write(e, 0x100, 0x2 | 0x8000);     /* RCTL: EN, BAM */
    e1000_mmio_write(e, 0x5208, 0xdeadbeef);      /* MTA[2] */
    e_mdic(e, 1, 4, 0x01e1);                      /* PHY advertisement */
    uint8_t fr[128];
    eth_frame(fr, mac, 100);
    CU_ASSERT_TRUE(net_send(peer, fr, 100));
    CU_ASSERT_EQUAL(e1000_mmio_read(e, 0x2810), 1);       /* RDH moved */
    /* half a Microwire command shifted in: EECD state mid-way */
    e1000_mmio_write(e, 0x10, 0x40 | 0x02);
    for (int i = 0; i < 3; i++) {
        e1000_mmio_write(e, 0x10, 0x42 | 0x04);
        e1000_mmio_write(e, 0x10, 0x42 | 0x04 | 0x01);
    }

    GByteArray *a = roundtrip(&e1000_vmsd, e, f);
    CU_ASSERT_EQUAL(e1000_mmio_read(f, 0x2810), 1);
    CU_ASSERT_EQUAL(e1000_mmio_read(f, 0x2800), 0x10000);
    CU_ASSERT_EQUAL(e1000_mmio_read(f, 0x5208), 0xdeadbeef);
    CU_ASSERT_EQUAL(e_mdic(f, 2, 4, 0), 0x01e1);
    CU_ASSERT_EQUAL(e1000_mmio_read(f, 0x4074), 1);        /* GPRC */
    CU_ASSERT_EQUAL(e1000_mmio_read(f, 0xc0), e1000_mmio_read(e, 0xc0));   /* ICR */

    refused_with(&e1000_vmsd, f, a, "tx_len", 0xffffffffu, 4);
    refused_with(&e1000_vmsd, f, a, "ee_addr", 64, 1);
    refused_with(&e1000_vmsd, f, a, "ee_nin", 9, 4);
    bad_streams(&e1000_vmsd, f, a);
    g_byte_array_unref(a);
    e1000_free(e);
    e1000_free(f);
    net_client_free(peer);
    machine_free(m1);
    machine_free(m2);
}

/* transmit: a packet half gathered (no EOP yet) and a ring longer than
 * one batch (the rest left to tx_timer) carry over a save and a load */
typedef struct Rec {
    int n;
    size_t len;
    uint8_t last[256];
} Rec;

static bool rec_receive(NetClient *nc, const uint8_t *b, size_t len)
{
    Rec *r = nc->opaque;
    r->n++;
    r->len = len;
    memcpy(r->last, b, MIN(len, sizeof(r->last)));
    return true;
}
static const NetClientOps rec_ops = { .receive = rec_receive };

static void tx_desc(Machine *m, int i, uint32_t buf, uint16_t len, uint8_t cmd)
{
    uint32_t d = 0x40000 + 16u * (uint32_t)i;
    physmem_write(m->mem, d, buf, 4);
    physmem_write(m->mem, d + 4, 0, 4);
    physmem_write(m->mem, d + 8, len, 2);
    physmem_write(m->mem, d + 10, 0, 1);
    physmem_write(m->mem, d + 11, cmd, 1);
    physmem_write(m->mem, d + 12, 0, 4);
}

/* guest RAM is the machine's section: copy what the rings use */
static void copy_ram(Machine *from, Machine *to)
{
    static uint8_t buf[0x20000];
    physmem_read_buf(from->mem, 0x40000, buf, sizeof(buf));
    physmem_write_buf(to->mem, 0x40000, buf, sizeof(buf));
}

static void test_e1000_tx(void)
{
    PCIBus *b1 = NULL, *b2 = NULL;
    Machine *m1 = new_machine(&b1), *m2 = new_machine(&b2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m2);
    GError *err = NULL;
    E1000State *e = e1000_init(&m1->bus, b1, PCI_DEVFN(3, 0), mac, &err);
    E1000State *f = e1000_init(&m2->bus, b2, PCI_DEVFN(3, 0), mac, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    Rec r1 = { 0 }, r2 = { 0 };
    NetClient *p1 = net_client_new(&rec_ops, &r1, "p1"), *p2 = net_client_new(&rec_ops, &r2, "p2");
    net_connect(e1000_net_client(e), p1);
    net_connect(e1000_net_client(f), p2);

    uint8_t fr[128];
    eth_frame(fr, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 100);
    physmem_write_buf(m1->mem, 0x50000, fr, 100);
    tx_desc(m1, 0, 0x50000, 30, 0x02);             /* IFCS, no EOP */
    tx_desc(m1, 1, 0x50000 + 30, 70, 0x03);        /* EOP */
    e1000_mmio_write(e, 0x3800, 0x40000);
    e1000_mmio_write(e, 0x3808, 512 * 16);
    e1000_mmio_write(e, 0x400, 0x2);               /* TCTL.EN */
    e1000_mmio_write(e, 0x3818, 1);
    CU_ASSERT_EQUAL(r1.n, 0);

    copy_ram(m1, m2);
    g_byte_array_unref(roundtrip(&e1000_vmsd, e, f));
    e1000_mmio_write(e, 0x3818, 2);
    e1000_mmio_write(f, 0x3818, 2);
    CU_ASSERT_EQUAL(r1.n, 1);
    CU_ASSERT_EQUAL(r2.n, 1);
    CU_ASSERT_EQUAL(r2.len, 100);
    CU_ASSERT_EQUAL(memcmp(r2.last, fr, 100), 0);

    /* 300 more frames: one batch now, the rest from tx_timer */
    for (int i = 2; i < 302; i++)
        tx_desc(m1, i, 0x50000, 60, 0x03);
    e1000_mmio_write(e, 0x3818, 302);
    CU_ASSERT_EQUAL(e1000_mmio_read(e, 0x3810), 2 + E1000_TX_BATCH);
    copy_ram(m1, m2);
    GByteArray *a = roundtrip(&e1000_vmsd, e, f);
    uint8_t *t = field_data(a, "tx_timer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t[0], 1);                      /* pending */
    CU_ASSERT_EQUAL(e1000_mmio_read(f, 0x3810), 2 + E1000_TX_BATCH);
    clock_run_timers(&m2->clock);
    CU_ASSERT_EQUAL(e1000_mmio_read(f, 0x3810), 302);
    CU_ASSERT_EQUAL(r2.n, 1 + 300 - E1000_TX_BATCH);
    g_byte_array_unref(a);
    e1000_free(e);
    e1000_free(f);
    net_client_free(p1);
    net_client_free(p2);
    machine_free(m1);
    machine_free(m2);
}

/* ---- NE2000 */

static void ne_w(Ne2000State *s, int r, uint8_t v) { ne2000_io_write(s, (uint16_t)r, v, 1); }
static uint8_t ne_r(Ne2000State *s, int r) { return (uint8_t)ne2000_io_read(s, (uint16_t)r, 1); }

static void test_ne2000(void)
{
    check_desc(&ne2000_vmsd, ne2000_state_size);
    PCIBus *b1 = NULL, *b2 = NULL;
    Machine *m1 = new_machine(&b1), *m2 = new_machine(&b2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m2);
    GError *err = NULL;
    Ne2000State *s = ne2000_pci_init(&m1->bus, b1, PCI_DEVFN(3, 0), mac, &err);
    Ne2000State *t = ne2000_isa_init(&m2->bus, 0x300, NULL, mac, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    NetClient *peer = net_client_new(&null_ops, NULL, "peer");
    net_connect(ne2000_net_client(s), peer);

    ne_w(s, 7, 0xff);
    ne_w(s, 1, 0x4c);
    ne_w(s, 2, 0x80);
    ne_w(s, 3, 0x7f);
    ne_w(s, 0, 0x61);
    ne_w(s, 7, 0x4c);
    ne_w(s, 0, 0x22);
    ne_w(s, 0x0c, 0x04);
    uint8_t fr[400];
    eth_frame(fr, mac, 300);
    CU_ASSERT_TRUE(net_send(peer, fr, 300));
    CU_ASSERT(ne_r(s, 7) & 0x01);

    GByteArray *a = roundtrip(&ne2000_vmsd, s, t);
    CU_ASSERT_EQUAL(ne_r(t, 7), ne_r(s, 7));      /* ISR */
    ne_w(t, 0, 0x62);
    CU_ASSERT_EQUAL(ne_r(t, 7), 0x4e);            /* CURR past the frame */
    ne_w(t, 0, 0x22);
    /* the frame in the ring, by remote DMA on the loaded card */
    ne_w(t, 0x0a, 20);
    ne_w(t, 0x0b, 0);
    ne_w(t, 0x08, 4);
    ne_w(t, 0x09, 0x4c);
    ne_w(t, 0, 0x0a);
    uint8_t got[20];
    for (int i = 0; i < 20; i++)
        got[i] = (uint8_t)ne2000_io_read(t, 0x10, 1);
    CU_ASSERT_EQUAL(memcmp(got, fr, 20), 0);
    bad_streams(&ne2000_vmsd, t, a);
    g_byte_array_unref(a);
    ne2000_free(s);
    ne2000_free(t);
    net_client_free(peer);
    machine_free(m1);
    machine_free(m2);
}

/* ---- RTL8139 */

static void test_rtl8139(void)
{
    check_desc(&rtl8139_vmsd, rtl8139_state_size);
    PCIBus *b1 = NULL, *b2 = NULL;
    Machine *m1 = new_machine(&b1), *m2 = new_machine(&b2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m2);
    GError *err = NULL;
    Rtl8139State *s = rtl8139_init(&m1->bus, b1, PCI_DEVFN(3, 0), mac, &err);
    Rtl8139State *t = rtl8139_init(&m2->bus, b2, PCI_DEVFN(3, 0), mac, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    NetClient *peer = net_client_new(&null_ops, NULL, "peer");
    net_connect(rtl8139_net_client(s), peer);

    rtl8139_reg_write(s, 0x30, 0x10000, 4);       /* RBSTART */
    rtl8139_reg_write(s, 0x44, 0x8f, 4);          /* RCR: all, WRAP */
    rtl8139_reg_write(s, 0x3c, 0x0005, 2);        /* IMR: ROK, TOK */
    rtl8139_reg_write(s, 0x37, 0x0c, 1);          /* CR: RE, TE */
    rtl8139_reg_write(s, 0x08, 0x11223344, 4);    /* MAR0-3 */
    uint8_t fr[128];
    eth_frame(fr, mac, 100);
    CU_ASSERT_TRUE(net_send(peer, fr, 100));
    CU_ASSERT(rtl8139_reg_read(s, 0x3e, 2) & 1);  /* ISR.ROK */
    /* an EEPROM read command half shifted in */
    for (int i = 0; i < 4; i++) {
        rtl8139_reg_write(s, 0x50, 0x80 | 0x08 | 0x02, 1);
        rtl8139_reg_write(s, 0x50, 0x80 | 0x08 | 0x02 | 0x04, 1);
    }

    GByteArray *a = roundtrip(&rtl8139_vmsd, s, t);
    CU_ASSERT_EQUAL(rtl8139_reg_read(t, 0x3a, 2), rtl8139_reg_read(s, 0x3a, 2));   /* CBR */
    CU_ASSERT(rtl8139_reg_read(t, 0x3a, 2) != 0);
    CU_ASSERT_EQUAL(rtl8139_reg_read(t, 0x3e, 2), rtl8139_reg_read(s, 0x3e, 2));
    CU_ASSERT_EQUAL(rtl8139_reg_read(t, 0x08, 4), 0x11223344u);
    refused_with(&rtl8139_vmsd, t, a, "ee_out_bits", 17, 4);
    bad_streams(&rtl8139_vmsd, t, a);
    g_byte_array_unref(a);
    rtl8139_free(s);
    rtl8139_free(t);
    net_client_free(peer);
    machine_free(m1);
    machine_free(m2);
}

/* ---- virtio-net and the virtio-pci transport */

static void test_virtio_net(void)
{
    check_desc(&virtio_pci_vmsd, virtio_pci_state_size);
    check_desc(&virtio_net_vmsd, virtio_net_state_size);
    PCIBus *b1 = NULL, *b2 = NULL;
    Machine *m1 = new_machine(&b1), *m2 = new_machine(&b2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m2);
    GError *err = NULL;
    VirtioNetState *v = virtio_net_init(&m1->bus, b1, PCI_DEVFN(3, 0), mac, false, false, &err);
    VirtioNetState *w = virtio_net_init(&m2->bus, b2, PCI_DEVFN(3, 0), mac, false, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    VirtioPCI *vp = virtio_net_transport(v), *wp = virtio_net_transport(w);
    NetClient *peer = net_client_new(&null_ops, NULL, "peer");
    net_connect(virtio_net_net_client(v), peer);

    /* a legacy driver: features, both queues at 0x10000 / 0x20000, one
     * receive buffer, DRIVER_OK; a frame arrives */
    virtio_pci_legacy_write(vp, 0x12, 0x03, 1);
    virtio_pci_legacy_write(vp, 0x04, 1u << 5 | 1u << 16, 4);
    virtio_pci_legacy_write(vp, 0x0e, 0, 2);
    virtio_pci_legacy_write(vp, 0x08, 0x10, 4);
    virtio_pci_legacy_write(vp, 0x0e, 1, 2);
    virtio_pci_legacy_write(vp, 0x08, 0x20, 4);
    virtio_pci_legacy_write(vp, 0x12, 0x07, 1);
    VirtQueue *rq = virtio_pci_queue(vp, 0);
    physmem_write(m1->mem, (uint32_t)rq->desc, 0x30000, 4);   /* desc 0: 2 KiB, writable */
    physmem_write(m1->mem, (uint32_t)rq->desc + 8, 2048, 4);
    physmem_write(m1->mem, (uint32_t)rq->desc + 12, 2, 2);
    physmem_write(m1->mem, (uint32_t)rq->avail + 4, 0, 2);
    physmem_write(m1->mem, (uint32_t)rq->avail + 2, 1, 2);
    uint8_t fr[128];
    eth_frame(fr, mac, 100);
    CU_ASSERT_TRUE(net_send(peer, fr, 100));
    CU_ASSERT_EQUAL(rq->last_avail, 1);
    CU_ASSERT_EQUAL(rq->used_idx, 1);

    GByteArray *a = roundtrip(&virtio_pci_vmsd, vp, wp);
    GByteArray *c = roundtrip(&virtio_net_vmsd, v, w);
    VirtQueue *wq = virtio_pci_queue(wp, 0);
    CU_ASSERT_EQUAL(wq->last_avail, 1);
    CU_ASSERT_EQUAL(wq->used_idx, 1);
    CU_ASSERT_EQUAL(wq->desc, rq->desc);
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(wp, 0x12, 1), 0x07);        /* status */
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(wp, 0x04, 4), 1u << 5 | 1u << 16);
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(wp, 0x0e, 2), 1);           /* queue select */
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(wp, 0x08, 4), 0x20);        /* its PFN */
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(wp, 0x13, 1), virtio_pci_legacy_read(vp, 0x13, 1));
    CU_ASSERT_EQUAL(virtio_pci_legacy_read(wp, 0x14, 1), mac[0]);      /* config */

    /* features never offered; an enabled queue of a size the ring cannot have */
    refused_with(&virtio_pci_vmsd, wp, a, "guest_features", 1ull << 62, 8);
    refused_with(&virtio_pci_vmsd, wp, a, "size", 3, 2);
    bad_streams(&virtio_pci_vmsd, wp, a);
    bad_streams(&virtio_net_vmsd, w, c);
    g_byte_array_unref(a);
    g_byte_array_unref(c);
    virtio_net_free(v);
    virtio_net_free(w);
    net_client_free(peer);
    machine_free(m1);
    machine_free(m2);
}

/* ---- UHCI and usb-hid */

static int ctl(USBDevice *d, uint8_t type, uint8_t req, uint16_t value, uint16_t len,
               uint8_t *data)
{
    uint8_t setup[8] = { type, req, (uint8_t)value, (uint8_t)(value >> 8), 0, 0,
                         (uint8_t)len, (uint8_t)(len >> 8) };
    int n = usb_handle_packet(d, USB_TOKEN_SETUP, 0, setup, 8);
    if (n < 0)
        return n;
    if (type & USB_DIR_IN) {
        n = usb_handle_packet(d, USB_TOKEN_IN, 0, data, len);
        usb_handle_packet(d, USB_TOKEN_OUT, 0, NULL, 0);
        return n;
    }
    return usb_handle_packet(d, USB_TOKEN_IN, 0, data, 0);
}

static void test_usb_hid(void)
{
    check_desc(&usb_hid_vmsd, usb_hid_state_size);
    check_desc(&usb_device_vmsd, sizeof(USBDevice));
    USBHidState *h = usb_hid_new(USB_HID_KBD, NULL), *g = usb_hid_new(USB_HID_KBD, NULL);
    USBDevice *d = usb_hid_device(h), *e = usb_hid_device(g);
    uint8_t buf[64];
    CU_ASSERT_EQUAL(ctl(d, 0x00, USB_REQ_SET_ADDRESS, 5, 0, buf), 0);
    CU_ASSERT_EQUAL(d->addr, 5);
    CU_ASSERT_EQUAL(ctl(d, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, buf), 0);
    CU_ASSERT_EQUAL(ctl(d, 0x21, 0x0a, 0x2000, 0, buf), 0);      /* SET_IDLE 32 */
    CU_ASSERT_EQUAL(ctl(d, 0x21, 0x0b, 0, 0, buf), 0);           /* SET_PROTOCOL boot */
    usb_hid_key(h, 0x1e, true);                                  /* '1' */
    usb_hid_key(h, 0x2a, true);                                  /* shift */
    usb_hid_key(h, 0x1e, false);
    /* a control IN transfer in its data stage: 8 of 18 bytes taken */
    uint8_t setup[8] = { 0x80, USB_REQ_GET_DESCRIPTOR, 0, USB_DT_DEVICE, 0, 0, 18, 0 };
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_SETUP, 0, setup, 8), 8);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 0, buf, 8), 8);

    GByteArray *a = roundtrip(&usb_hid_vmsd, h, g);
    CU_ASSERT_EQUAL(e->addr, 5);
    CU_ASSERT_EQUAL(e->config, 1);
    /* the rest of the descriptor, then the queued reports, in order */
    uint8_t x[16], y[16];
    CU_ASSERT_EQUAL(usb_handle_packet(e, USB_TOKEN_IN, 0, x, 16), 10);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 0, y, 16), 10);
    CU_ASSERT_EQUAL(memcmp(x, y, 10), 0);
    usb_handle_packet(d, USB_TOKEN_OUT, 0, NULL, 0);
    usb_handle_packet(e, USB_TOKEN_OUT, 0, NULL, 0);
    for (int i = 0; i < 3; i++) {
        int n1 = usb_handle_packet(d, USB_TOKEN_IN, 1, x, 8);
        int n2 = usb_handle_packet(e, USB_TOKEN_IN, 1, y, 8);
        CU_ASSERT_EQUAL(n1, 8);
        CU_ASSERT_EQUAL(n2, 8);
        CU_ASSERT_EQUAL(memcmp(x, y, 8), 0);
    }
    CU_ASSERT_EQUAL(usb_handle_packet(e, USB_TOKEN_IN, 1, y, 8), USB_RET_NAK);
    CU_ASSERT_EQUAL(ctl(e, 0xa1, 0x02, 0, 1, buf), 1);           /* GET_IDLE */
    CU_ASSERT_EQUAL(buf[0], 0x20);
    CU_ASSERT_EQUAL(ctl(e, 0xa1, 0x03, 0, 1, buf), 1);           /* GET_PROTOCOL */
    CU_ASSERT_EQUAL(buf[0], 0);

    refused_with(&usb_hid_vmsd, g, a, "qhead", 16, 4);
    refused_with(&usb_hid_vmsd, g, a, "qcount", 17, 4);
    refused_with(&usb_hid_vmsd, g, a, "ctl_pos", 2000, 4);
    refused_with(&usb_hid_vmsd, g, a, "ctl_state", 9, 4);
    bad_streams(&usb_hid_vmsd, g, a);
    /* a keyboard's state into a tablet */
    USBHidState *tab = usb_hid_new(USB_HID_TABLET, NULL);
    GError *err = NULL;
    CU_ASSERT_FALSE(load(&usb_hid_vmsd, tab, a->data, a->len, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    usb_hid_free(tab);
    g_byte_array_unref(a);
    usb_hid_free(h);
    usb_hid_free(g);
}

static void test_uhci(void)
{
    check_desc(&uhci_vmsd, uhci_state_size);
    PCIBus *b1 = NULL, *b2 = NULL;
    Machine *m1 = new_machine(&b1), *m2 = new_machine(&b2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m2);
    GError *err = NULL;
    UHCIState *u = uhci_init(&m1->bus, b1, PCI_DEVFN(1, 2), &err);
    UHCIState *v = uhci_init(&m2->bus, b2, PCI_DEVFN(1, 2), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    USBHidState *h1 = usb_hid_new(USB_HID_TABLET, NULL), *h2 = usb_hid_new(USB_HID_TABLET, NULL);
    CU_ASSERT_TRUE(uhci_attach(u, 0, usb_hid_device(h1), NULL));
    CU_ASSERT_TRUE(uhci_attach(v, 0, usb_hid_device(h2), NULL));

    uhci_io_write(u, UHCI_FRBASEADD, 0x10000, 4);
    uhci_io_write(u, UHCI_USBINTR, 0x0f, 2);
    uhci_io_write(u, UHCI_PORTSC1, UHCI_PORT_PE | UHCI_PORT_CSC, 2);
    uhci_io_write(u, UHCI_USBCMD, UHCI_CMD_RS | UHCI_CMD_CF | UHCI_CMD_MAXP, 2);
    for (int i = 0; i < 5; i++)
        uhci_run_frame(u);          /* an empty frame list (all zero: TDs at 0, inactive) */
    CU_ASSERT_EQUAL(uhci_io_read(u, UHCI_FRNUM, 2), 5);

    GByteArray *a = roundtrip(&uhci_vmsd, u, v);
    CU_ASSERT_EQUAL(uhci_io_read(v, UHCI_FRNUM, 2), 5);
    CU_ASSERT_EQUAL(uhci_io_read(v, UHCI_FRBASEADD, 4), 0x10000);
    CU_ASSERT_EQUAL(uhci_io_read(v, UHCI_PORTSC1, 2), uhci_io_read(u, UHCI_PORTSC1, 2));
    CU_ASSERT_EQUAL(uhci_io_read(v, UHCI_USBCMD, 2), uhci_io_read(u, UHCI_USBCMD, 2));
    /* the frame timer is armed at the same deadline */
    uint8_t *t = field_data(a, "timer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t[0], 1);
    CU_ASSERT_EQUAL(clock_next_deadline(&m2->clock), clock_next_deadline(&m1->clock));
    clock_advance(&m2->clock, 1000000);
    clock_run_timers(&m2->clock);
    CU_ASSERT_EQUAL(uhci_io_read(v, UHCI_FRNUM, 2), 6);     /* the loaded timer ran a frame */

    refused_with(&uhci_vmsd, v, a, "frnum", 0x800, 2);
    refused_with(&uhci_vmsd, v, a, "flbase", 0x10004, 4);
    bad_streams(&uhci_vmsd, v, a);
    /* an enabled port with nothing on it here */
    UHCIState *bare = uhci_init(&m2->bus, b2, PCI_DEVFN(2, 2), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bare);
    CU_ASSERT_FALSE(load(&uhci_vmsd, bare, a->data, a->len, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    g_byte_array_unref(a);
    machine_free(m1);               /* frees the controllers (registered devices) */
    machine_free(m2);
    usb_hid_free(h1);
    usb_hid_free(h2);
}

/* ---- the -snapshot overlay */

static gchar *tmp_image(uint32_t sectors)
{
    gchar *path = NULL;
    int fd = g_file_open_tmp("tx86-vms-XXXXXX", &path, NULL);
    if (fd < 0)
        return NULL;
    uint8_t s[512];
    for (uint32_t i = 0; i < sectors; i++) {
        memset(s, (int)(i + 1), sizeof(s));
        if (write(fd, s, sizeof(s)) != (ssize_t)sizeof(s)) {
            close(fd);
            g_free(path);
            return NULL;
        }
    }
    close(fd);
    return path;
}

static void test_block_snapshot(void)
{
    check_desc(&block_snapshot_vmsd, block_snapshot_state_size);
    gchar *path = tmp_image(32);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    GError *err = NULL;
    BlockDev *b = block_open(path, false, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint8_t s[3 * 512], r[512];
    for (int i = 0; i < 3; i++)
        memset(s + 512 * i, 0xa0 + i, 512);
    CU_ASSERT_TRUE(block_write(b, 20, s, 3));
    CU_ASSERT_TRUE(block_write(b, 2, s + 512, 1));
    CU_ASSERT_EQUAL(block_snapshot_sectors(b), 4);

    /* a fresh overlay on the same image (the loader allocates the blob) */
    BlockDev *c = block_open(path, false, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    block_write(c, 7, s, 1);                    /* replaced by the load */
    GByteArray *a = roundtrip(&block_snapshot_vmsd, b, c);
    CU_ASSERT_EQUAL(block_snapshot_sectors(c), 4);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_TRUE(block_read(c, 20 + (uint64_t)i, r, 1));
        CU_ASSERT_EQUAL(memcmp(r, s + 512 * i, 512), 0);
    }
    CU_ASSERT_TRUE(block_read(c, 2, r, 1));
    CU_ASSERT_EQUAL(memcmp(r, s + 512, 512), 0);
    CU_ASSERT_TRUE(block_read(c, 7, r, 1));     /* the image's again */
    CU_ASSERT_EQUAL(r[0], 8);
    CU_ASSERT_EQUAL(r[511], 8);

    /* a sector past the end, sectors out of order, another image size */
    refused_with(&block_snapshot_vmsd, c, a, "saved_sectors", 31, 8);
    {
        GByteArray *x = g_byte_array_new();
        g_byte_array_append(x, a->data, a->len);
        uint8_t *p = field_data(x, "cow_blob");
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        put_le(p, 32, 8);                       /* the first entry: sector 32 of 32 */
        CU_ASSERT_FALSE(load(&block_snapshot_vmsd, c, x->data, x->len, &err));
        CU_ASSERT_PTR_NOT_NULL(err);
        g_clear_error(&err);
        put_le(p, 21, 8);                       /* 21, 20, 21, 22 */
        CU_ASSERT_FALSE(load(&block_snapshot_vmsd, c, x->data, x->len, &err));
        CU_ASSERT_PTR_NOT_NULL(err);
        g_clear_error(&err);
        g_byte_array_unref(x);
    }
    bad_streams(&block_snapshot_vmsd, c, a);
    /* a drive without -snapshot has no overlay to load into */
    BlockDev *plain = block_open(path, true, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    CU_ASSERT_FALSE(load(&block_snapshot_vmsd, plain, a->data, a->len, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    /* an overlay nothing was written to saves and loads as it is */
    BlockDev *e1 = block_open(path, false, true, &err), *e2 = block_open(path, false, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e2);
    g_byte_array_unref(roundtrip(&block_snapshot_vmsd, e1, e2));
    CU_ASSERT_EQUAL(block_snapshot_sectors(e2), 0);

    g_byte_array_unref(a);
    block_close(b);
    block_close(c);
    block_close(plain);
    block_close(e1);
    block_close(e2);
    unlink(path);
    g_free(path);
}

void register_vmstate_net_tests(void)
{
    CU_pSuite s = CU_add_suite("vmstate_net", NULL, NULL);
    CU_add_test(s, "e1000: registers, EEPROM, PHY, received frame", test_e1000);
    CU_add_test(s, "e1000: a packet half gathered, tx_timer", test_e1000_tx);
    CU_add_test(s, "ne2000: registers, ring and buffer RAM", test_ne2000);
    CU_add_test(s, "rtl8139: registers, EEPROM shift state", test_rtl8139);
    CU_add_test(s, "virtio-net and virtio-pci: queues, features, config", test_virtio_net);
    CU_add_test(s, "usb-hid: address, config, report queue, control transfer", test_usb_hid);
    CU_add_test(s, "uhci: registers, ports, frame timer", test_uhci);
    CU_add_test(s, "block: the -snapshot overlay", test_block_snapshot);
}
