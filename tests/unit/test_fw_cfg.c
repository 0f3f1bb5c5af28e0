/*
 * test_fw_cfg.c - unit tests for QEMU's fw_cfg interface (src/devices/
 * fw_cfg.c) and the ACPI tables it carries (acpi_tables.c), on a RAM-only
 * machine, through ports 0x510/0x511/0x514 as SeaBIOS uses them.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/fw_cfg.h"
#include "devices/acpi_tables.h"

static Machine *new_machine(void)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(4u << 20, &err);
    g_clear_error(&err);
    return m;
}

static void read_item(Machine *m, uint16_t key, uint8_t *buf, size_t n)
{
    ioport_write(m->io, FW_CFG_PORT_SEL, key, 2);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)ioport_read(m->io, FW_CFG_PORT_DATA, 1);
}

/* find a file in the directory the way SeaBIOS does: returns its key */
static uint16_t find_file(Machine *m, const char *name, uint32_t *size)
{
    uint8_t cnt[4];
    read_item(m, FW_CFG_FILE_DIR, cnt, 4);
    uint32_t n = (uint32_t)cnt[0] << 24 | cnt[1] << 16 | cnt[2] << 8 | cnt[3];
    for (uint32_t i = 0; i < n; i++) {
        uint8_t e[64];
        for (int k = 0; k < 64; k++)
            e[k] = (uint8_t)ioport_read(m->io, FW_CFG_PORT_DATA, 1);
        if (!strcmp((char *)e + 8, name)) {
            *size = (uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
            return (uint16_t)(e[4] << 8 | e[5]);
        }
    }
    return 0;
}

static void test_items(void)
{
    Machine *m = new_machine();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    GError *err = NULL;
    FWCfgState *s = fw_cfg_init(&m->bus, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    uint8_t buf[64];
    read_item(m, FW_CFG_SIGNATURE, buf, 6);
    CU_ASSERT_EQUAL(memcmp(buf, "QEMU\0\0", 6), 0);      /* zeros past the end */
    read_item(m, FW_CFG_ID, buf, 4);
    CU_ASSERT_EQUAL(buf[0], 3);
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x514, 4), 0x554d4551u);   /* "QEMU" */
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x518, 4), 0x47464320u);   /* " CFG" */
    fw_cfg_add_i32(s, FW_CFG_KERNEL_SIZE, 0x12345678);
    read_item(m, FW_CFG_KERNEL_SIZE, buf, 4);
    CU_ASSERT_EQUAL(buf[0], 0x78);
    CU_ASSERT_EQUAL(buf[3], 0x12);
    static const char *names[] = { "zeta", "etc/e820", "bootorder", "genroms/x.bin" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        fw_cfg_add_file(s, names[i], names[i], strlen(names[i]));
    fw_cfg_add_file(s, "bootorder", "again", 5);                 /* replaces */
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        uint32_t size = 0;
        uint16_t key = find_file(m, names[i], &size);
        CU_ASSERT(key >= FW_CFG_FILE_FIRST);
        size_t want = strcmp(names[i], "bootorder") ? strlen(names[i]) : 5;
        CU_ASSERT_EQUAL(size, want);
        read_item(m, key, buf, size);
        CU_ASSERT_EQUAL(memcmp(buf, i == 2 ? "again" : names[i], size), 0);
    }
    uint32_t size;
    CU_ASSERT_EQUAL(find_file(m, "missing", &size), 0);
    CU_ASSERT_TRUE(fw_cfg_set_boot_order(s, "cad", NULL, NULL, NULL, &err));
    size_t len;
    const uint8_t *bo = fw_cfg_get_file(s, "bootorder", &len);
    CU_ASSERT_STRING_EQUAL((const char *)bo, "/pci@i0cf8/ide@1,1/drive@0/disk@0\n"
                           "/isa/fdc@03f0/floppy@0\n/pci@i0cf8/ide@1,1/drive@1/disk@0\n");
    /* the NICs go where the first n is; more n/o/p add nothing */
    CU_ASSERT_TRUE(fw_cfg_set_boot_order(s, "ncn", NULL, NULL,
                                         "/pci@i0cf8/ethernet@3/ethernet-phy@0\n", &err));
    bo = fw_cfg_get_file(s, "bootorder", &len);
    CU_ASSERT_STRING_EQUAL((const char *)bo, "/pci@i0cf8/ethernet@3/ethernet-phy@0\n"
                           "/pci@i0cf8/ide@1,1/drive@0/disk@0\n");
    CU_ASSERT_FALSE(fw_cfg_set_boot_order(s, "x", NULL, NULL, NULL, &err));
    g_clear_error(&err);
    fw_cfg_free(s);
    machine_free(m);
}

/* the DMA interface: select + read, skip, reads past the end, errors */
static void test_dma(void)
{
    Machine *m = new_machine();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    GError *err = NULL;
    FWCfgState *s = fw_cfg_init(&m->bus, &err);
    uint8_t data[300];
    for (int i = 0; i < 300; i++)
        data[i] = (uint8_t)i;
    uint16_t key = fw_cfg_add_file(s, "blob", data, sizeof(data));
    uint8_t *ram = m->mem->ram;
    static const struct { uint32_t control; uint32_t len; uint32_t first; uint32_t ctl_after; } ops[] = {
        { FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 10, 0, 0 },
        { FW_CFG_DMA_CTL_SKIP, 100, 0, 0 },
        { FW_CFG_DMA_CTL_READ, 4, 110, 0 },
        { FW_CFG_DMA_CTL_WRITE, 4, 0, FW_CFG_DMA_CTL_ERROR },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        uint32_t ctl = ops[i].control | (ops[i].control & FW_CFG_DMA_CTL_SELECT ? (uint32_t)key << 16 : 0);
        uint32_t acc[4] = { GUINT32_TO_BE(ctl), GUINT32_TO_BE(ops[i].len), 0,
                            GUINT32_TO_BE(0x2000) };
        memset(ram + 0x2000, 0xee, 16);
        memcpy(ram + 0x1000, acc, 16);
        ioport_write(m->io, 0x514, 0, 4);
        ioport_write(m->io, 0x518, GUINT32_SWAP_LE_BE(0x1000), 4);
        uint32_t after;
        memcpy(&after, ram + 0x1000, 4);
        CU_ASSERT_EQUAL(GUINT32_FROM_BE(after), ops[i].ctl_after);
        if (ops[i].control & FW_CFG_DMA_CTL_READ) {
            CU_ASSERT_EQUAL(ram[0x2000], (uint8_t)ops[i].first);
            CU_ASSERT_EQUAL(ram[0x2000 + ops[i].len - 1], (uint8_t)(ops[i].first + ops[i].len - 1));
            CU_ASSERT_EQUAL(ram[0x2000 + ops[i].len], 0xee);
        }
    }
    /* past the end: zeros; address beyond 4 GiB: error */
    uint32_t acc[4] = { GUINT32_TO_BE(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ | (uint32_t)key << 16),
                        GUINT32_TO_BE(310), 0, GUINT32_TO_BE(0x3000) };
    memcpy(ram + 0x1000, acc, 16);
    memset(ram + 0x3000, 0xee, 320);
    ioport_write(m->io, 0x518, GUINT32_SWAP_LE_BE(0x1000), 4);
    CU_ASSERT_EQUAL(ram[0x3000 + 299], (uint8_t)299);
    CU_ASSERT_EQUAL(ram[0x3000 + 305], 0);
    CU_ASSERT_EQUAL(ram[0x3000 + 310], 0xee);
    acc[2] = GUINT32_TO_BE(1);                                  /* address high = 1 */
    memcpy(ram + 0x1000, acc, 16);
    ioport_write(m->io, 0x518, GUINT32_SWAP_LE_BE(0x1000), 4);
    uint32_t after;
    memcpy(&after, ram + 0x1000, 4);
    CU_ASSERT_EQUAL(GUINT32_FROM_BE(after), FW_CFG_DMA_CTL_ERROR);
    fw_cfg_free(s);
    machine_free(m);
}

/* a 4 GiB READ (zeros past the item) must not run inside the OUT that
 * starts it: one step of FW_CFG_DMA_STEP bytes, the rest from the timer,
 * the control word busy until the end (it took 0.64 s in one OUT before) */
static void test_dma_bounded(void)
{
    Machine *m = new_machine();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    m->clock.manual = true;                       /* steps follow clock_advance */
    GError *err = NULL;
    FWCfgState *s = fw_cfg_init(&m->bus, &err);
    uint8_t data[16];
    memset(data, 0x5a, sizeof(data));
    uint16_t key = fw_cfg_add_file(s, "blob", data, sizeof(data));
    uint8_t *ram = m->mem->ram;
    const uint32_t target = 0x200000;
    const uint32_t length = 0xffffffffu - target + 1;   /* to the top of 4 GiB */
    uint32_t acc[4] = { GUINT32_TO_BE(FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ |
                                      (uint32_t)key << 16),
                        GUINT32_TO_BE(length), 0, GUINT32_TO_BE(target) };
    memcpy(ram + 0x1000, acc, 16);
    memset(ram + target, 0xee, 0x10000);
    memset(ram + (3u << 20), 0xee, 16);           /* a byte of the second step */

    ioport_write(m->io, 0x514, 0, 4);
    ioport_write(m->io, 0x518, GUINT32_SWAP_LE_BE(0x1000), 4);
    uint32_t ctl;
    memcpy(&ctl, ram + 0x1000, 4);
    CU_ASSERT_EQUAL(GUINT32_FROM_BE(ctl) & 0xffff, FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ);
    CU_ASSERT_TRUE(fw_cfg_dma_busy(s));
    CU_ASSERT_EQUAL(fw_cfg_dma_bytes(s), FW_CFG_DMA_STEP);
    CU_ASSERT_EQUAL(ram[target], 0x5a);           /* the item, then zeros */
    CU_ASSERT_EQUAL(ram[target + 15], 0x5a);
    CU_ASSERT_EQUAL(ram[target + 16], 0);
    CU_ASSERT_EQUAL(ram[3u << 20], 0xee);         /* not reached yet */

    unsigned steps = 1;
    while (fw_cfg_dma_busy(s) && steps < 10000) {
        clock_advance(&m->clock, FW_CFG_DMA_STEP_NS);
        clock_run_timers(&m->clock);
        steps++;
        CU_ASSERT(fw_cfg_dma_bytes(s) <= (uint64_t)steps * FW_CFG_DMA_STEP);
    }
    CU_ASSERT_FALSE(fw_cfg_dma_busy(s));
    CU_ASSERT_EQUAL(steps, (length + FW_CFG_DMA_STEP - 1) / FW_CFG_DMA_STEP);
    CU_ASSERT_EQUAL(fw_cfg_dma_bytes(s), length);
    CU_ASSERT_EQUAL(ram[3u << 20], 0);
    memcpy(&ctl, ram + 0x1000, 4);
    CU_ASSERT_EQUAL(ctl, 0);

    /* a new request while one is in progress: the old one ends with ERROR */
    memcpy(ram + 0x1000, acc, 16);
    ioport_write(m->io, 0x518, GUINT32_SWAP_LE_BE(0x1000), 4);
    CU_ASSERT_TRUE(fw_cfg_dma_busy(s));
    uint32_t skip[4] = { GUINT32_TO_BE(FW_CFG_DMA_CTL_SKIP), GUINT32_TO_BE(4), 0, 0 };
    memcpy(ram + 0x1100, skip, 16);
    ioport_write(m->io, 0x518, GUINT32_SWAP_LE_BE(0x1100), 4);
    CU_ASSERT_FALSE(fw_cfg_dma_busy(s));
    memcpy(&ctl, ram + 0x1000, 4);
    CU_ASSERT_EQUAL(GUINT32_FROM_BE(ctl), FW_CFG_DMA_CTL_ERROR);
    memcpy(&ctl, ram + 0x1100, 4);
    CU_ASSERT_EQUAL(ctl, 0);
    fw_cfg_free(s);
    machine_free(m);
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(hay + i, needle, k))
            return true;
    return false;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* run the table-loader like SeaBIOS (files "placed" at fake addresses)
 * and check signatures, pointers and checksums */
static void test_acpi(void)
{
    Machine *m = new_machine();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    GError *err = NULL;
    FWCfgState *s = fw_cfg_init(&m->bus, &err);
    AcpiConfig cfg = { .ram_size = 128u << 20, .pm_base = 0x600, .apic = true };
    acpi_build_tables(s, &cfg);
    size_t tlen, rlen, llen;
    const uint8_t *tf = fw_cfg_get_file(s, "etc/acpi/tables", &tlen);
    const uint8_t *rf = fw_cfg_get_file(s, "etc/acpi/rsdp", &rlen);
    uint8_t *t = g_memdup2(tf, tlen);
    uint8_t *r = g_memdup2(rf, rlen);
    const uint8_t *l = fw_cfg_get_file(s, "etc/table-loader", &llen);
    CU_ASSERT_FATAL(t && r && l && llen % 128 == 0);
    const uint32_t taddr = 0x07fe0000, raddr = 0xf5000;
    for (size_t off = 0; off < llen; off += 128) {
        const uint8_t *e = l + off;
        uint32_t cmd = e[0];
        uint8_t *file = !strcmp((const char *)e + 4, "etc/acpi/tables") ? t : r;
        if (cmd == ACPI_LOADER_ADD_POINTER) {
            uint32_t at = e[116] | e[117] << 8 | e[118] << 16 | (uint32_t)e[119] << 24;
            uint32_t base = !strcmp((const char *)e + 60, "etc/acpi/tables") ? taddr : raddr;
            uint32_t v;
            memcpy(&v, file + at, 4);
            v += base;
            memcpy(file + at, &v, 4);
        } else if (cmd == ACPI_LOADER_ADD_CHECKSUM) {
            uint32_t at, start, len;
            memcpy(&at, e + 60, 4);
            memcpy(&start, e + 64, 4);
            memcpy(&len, e + 68, 4);
            file[at] = (uint8_t)(file[at] - sum8(file + start, len));
        }
    }
    CU_ASSERT_EQUAL(memcmp(r, "RSD PTR ", 8), 0);
    CU_ASSERT_EQUAL(sum8(r, 20), 0);
    uint32_t rsdt;
    memcpy(&rsdt, r + 16, 4);
    rsdt -= taddr;
    CU_ASSERT_FATAL(rsdt < tlen);
    CU_ASSERT_EQUAL(memcmp(t + rsdt, "RSDT", 4), 0);
    CU_ASSERT_EQUAL(sum8(t + rsdt, t[rsdt + 4]), 0);
    static const char *sigs[] = { "FACP", "APIC" };
    for (int i = 0; i < 2; i++) {
        uint32_t p;
        memcpy(&p, t + rsdt + 36 + 4 * i, 4);
        p -= taddr;
        CU_ASSERT_FATAL(p < tlen);
        CU_ASSERT_EQUAL(memcmp(t + p, sigs[i], 4), 0);
        uint32_t len;
        memcpy(&len, t + p + 4, 4);
        CU_ASSERT_EQUAL(sum8(t + p, len), 0);
        if (i == 0) {
            uint32_t dsdt, facs;
            memcpy(&facs, t + p + 36, 4);
            memcpy(&dsdt, t + p + 40, 4);
            CU_ASSERT_EQUAL(memcmp(t + facs - taddr, "FACS", 4), 0);
            CU_ASSERT_EQUAL(memcmp(t + dsdt - taddr, "DSDT", 4), 0);
            CU_ASSERT_EQUAL(t[p + 46], 9);                      /* SCI_INT */
            CU_ASSERT_EQUAL(t[p + 76] | t[p + 77] << 8, 0x608);  /* PM_TMR_BLK */
        }
    }
    size_t dlen;
    uint8_t *dsdt = acpi_build_dsdt(&cfg, &dlen);
    static const uint8_t s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0 };
    CU_ASSERT_TRUE(contains(dsdt, dlen, s5, sizeof(s5)));
    static const uint8_t kbd[] = { 0x0c, 0x41, 0xd0, 0x03, 0x03 };     /* EisaId PNP0303 */
    CU_ASSERT_TRUE(contains(dsdt, dlen, kbd, sizeof(kbd)));
    CU_ASSERT_EQUAL(dsdt[4] | dsdt[5] << 8, dlen);
    g_free(dsdt);
    g_free(t);
    g_free(r);
    fw_cfg_free(s);
    machine_free(m);
}

void register_fw_cfg_tests(void)
{
    CU_pSuite s = CU_add_suite("fw_cfg", NULL, NULL);
    CU_add_test(s, "items, files and boot order", test_items);
    CU_add_test(s, "DMA interface", test_dma);
    CU_add_test(s, "DMA of 4 GiB: bounded steps", test_dma_bounded);
    CU_add_test(s, "ACPI tables and loader", test_acpi);
}
