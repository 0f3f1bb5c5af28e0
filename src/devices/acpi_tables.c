/*
 * acpi_tables.c - the PC's ACPI tables (RSDP, RSDT, FADT, FACS, DSDT,
 * MADT) and the table-loader script SeaBIOS runs to place them in guest
 * memory and patch their pointers and checksums.
 * Reference: ACPI 1.0b (tables: 5.2; AML encoding: chapter 16), ACPI 2.0
 * 5.2.10.4 (MADT entries), QEMU docs/specs (fw_cfg, table-loader command
 * layout), SeaBIOS src/fw/romfile_loader.c (how the commands execute).
 *
 * Layout:
 *   etc/acpi/rsdp    FSEG, 16-aligned: RSDP revision 0 -> RSDT
 *   etc/acpi/tables  high memory, 64-aligned: FACS, DSDT, FADT, [MADT], RSDT
 *   etc/table-loader ALLOCATE x2, ADD_POINTER for every pointer (the field
 *                    holds the offset in the pointee file; the loader adds
 *                    the file's address), then ADD_CHECKSUM per table
 * The FADT is revision 1 (as QEMU's pc): SCI on IRQ 9, SMI_CMD 0xB2 with
 * ACPI enable/disable 0xF1/0xF0, PM1a event/control and PM timer at the
 * PIIX4 PM base (piix4_pm.c), no GPE block, no C2/C3.
 * The DSDT (built as AML bytes here, no iasl needed): \_SB.PCI0 (PNP0A03,
 * _CRS with bus 0-255, I/O and the memory windows: VGA and the PCI hole
 * above RAM), under it ISA (00:01.0) with the PS/2 keyboard (PNP0303;
 * SeaBIOS skips its keyboard set-up without it), mouse (PNP0F13), RTC
 * (PNP0B00) and COM1 (PNP0501); and \_S5 = {0, 0} matching piix4_pm.c's
 * soft-off SLP_TYP.
 * Not provided: _PRT and PCI interrupt link devices (Linux uses the
 * interrupt line SeaBIOS programmed), HPET, SRAT, SSDT processor objects.
 */
#include <string.h>
#include "devices/acpi_tables.h"
#include "devices/fw_cfg.h"

/* ---- AML encoding ------------------------------------------------------- */

typedef GByteArray Aml;

static void aml_byte(Aml *a, uint8_t b)
{
    g_byte_array_append(a, &b, 1);
}

static void aml_bytes(Aml *a, const void *p, size_t n)
{
    g_byte_array_append(a, p, (guint)n);
}

static void aml_le(Aml *a, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        aml_byte(a, (uint8_t)(v >> (8 * i)));
}

/* PkgLength (16.2.4): the length includes its own bytes */
static void aml_pkg(Aml *out, uint8_t op_prefix, uint8_t op, Aml *body)
{
    size_t n = body->len, total;
    int extra;
    if (n + 1 < 0x40) { extra = 0; total = n + 1; }
    else if (n + 2 < 0x1000) { extra = 1; total = n + 2; }
    else if (n + 3 < 0x100000) { extra = 2; total = n + 3; }
    else { extra = 3; total = n + 4; }
    if (op_prefix)
        aml_byte(out, op_prefix);
    aml_byte(out, op);
    if (extra == 0) {
        aml_byte(out, (uint8_t)total);
    } else {
        aml_byte(out, (uint8_t)(extra << 6 | (total & 0x0f)));
        for (int i = 0; i < extra; i++)
            aml_byte(out, (uint8_t)(total >> (4 + 8 * i)));
    }
    aml_bytes(out, body->data, body->len);
    g_byte_array_free(body, TRUE);
}

static void aml_int(Aml *a, uint32_t v)
{
    if (v == 0) { aml_byte(a, 0x00); return; }            /* ZeroOp */
    if (v == 1) { aml_byte(a, 0x01); return; }            /* OneOp */
    if (v <= 0xff) { aml_byte(a, 0x0a); aml_le(a, v, 1); return; }
    if (v <= 0xffff) { aml_byte(a, 0x0b); aml_le(a, v, 2); return; }
    aml_byte(a, 0x0c);
    aml_le(a, v, 4);
}

/* 4-character name segment (padded with '_') */
static void aml_nameseg(Aml *a, const char *name)
{
    char seg[4] = { '_', '_', '_', '_' };
    for (int i = 0; i < 4 && name[i]; i++)
        seg[i] = name[i];
    aml_bytes(a, seg, 4);
}

static uint32_t aml_eisaid(const char *id)
{
    uint16_t w = (uint16_t)(((id[0] - 0x40) & 0x1f) << 10 | ((id[1] - 0x40) & 0x1f) << 5 |
                            ((id[2] - 0x40) & 0x1f));
    uint8_t b[4];
    b[0] = (uint8_t)(w >> 8);
    b[1] = (uint8_t)w;
    b[2] = (uint8_t)(g_ascii_xdigit_value(id[3]) << 4 | g_ascii_xdigit_value(id[4]));
    b[3] = (uint8_t)(g_ascii_xdigit_value(id[5]) << 4 | g_ascii_xdigit_value(id[6]));
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Name(NAME, integer) */
static void aml_name_int(Aml *a, const char *name, uint32_t v)
{
    aml_byte(a, 0x08);
    aml_nameseg(a, name);
    aml_int(a, v);
}

/* Name(NAME, Buffer(){res..., EndTag}) for a resource template */
static void aml_name_crs(Aml *a, const char *name, Aml *res)
{
    aml_byte(res, 0x79);                  /* end tag */
    aml_byte(res, 0x00);                  /* checksum 0: "sum is fine" */
    Aml *buf = g_byte_array_new();
    aml_int(buf, res->len);
    aml_bytes(buf, res->data, res->len);
    g_byte_array_free(res, TRUE);
    aml_byte(a, 0x08);
    aml_nameseg(a, name);
    aml_pkg(a, 0, 0x11, buf);            /* BufferOp */
}

static void res_io(Aml *r, uint16_t base, uint8_t len)
{
    uint8_t d[8] = { 0x47, 0x01, (uint8_t)base, (uint8_t)(base >> 8), (uint8_t)base,
                     (uint8_t)(base >> 8), 0x01, len };
    aml_bytes(r, d, 8);
}

static void res_irq(Aml *r, int irq)
{
    uint16_t mask = (uint16_t)(1u << irq);
    uint8_t d[3] = { 0x22, (uint8_t)mask, (uint8_t)(mask >> 8) };
    aml_bytes(r, d, 3);
}

/* Word address space descriptor (bus numbers: type 2, I/O: type 1) */
static void res_word(Aml *r, uint8_t type, uint8_t tflags, uint16_t min, uint16_t max)
{
    aml_byte(r, 0x88);
    aml_le(r, 13, 2);
    aml_byte(r, type);
    aml_byte(r, 0x0c);                    /* producer, min and max fixed */
    aml_byte(r, tflags);
    aml_le(r, 0, 2);                      /* granularity */
    aml_le(r, min, 2);
    aml_le(r, max, 2);
    aml_le(r, 0, 2);                      /* translation */
    aml_le(r, (uint32_t)max - min + 1, 2);
}

/* DWord memory window */
static void res_dword_mem(Aml *r, uint8_t tflags, uint32_t min, uint32_t max)
{
    aml_byte(r, 0x87);
    aml_le(r, 23, 2);
    aml_byte(r, 0);                       /* memory */
    aml_byte(r, 0x0c);
    aml_byte(r, tflags);
    aml_le(r, 0, 4);
    aml_le(r, min, 4);
    aml_le(r, max, 4);
    aml_le(r, 0, 4);
    aml_le(r, (uint64_t)max - min + 1, 4);
}

/* Device(NAME) { Name(_HID, EisaId(hid)) [Name(_UID, uid)] Name(_CRS, res) } */
static void aml_isa_device(Aml *parent, const char *name, const char *hid, int uid, Aml *res)
{
    Aml *d = g_byte_array_new();
    aml_nameseg(d, name);
    aml_name_int(d, "_HID", aml_eisaid(hid));
    if (uid >= 0)
        aml_name_int(d, "_UID", (uint32_t)uid);
    aml_name_crs(d, "_CRS", res);
    aml_pkg(parent, 0x5b, 0x82, d);       /* DeviceOp */
}

/* ---- tables ---------------------------------------------------------------- */

static void acpi_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(t, sig, 4);
    t[4] = (uint8_t)len; t[5] = (uint8_t)(len >> 8); t[6] = (uint8_t)(len >> 16);
    t[7] = (uint8_t)(len >> 24);
    t[8] = rev;
    t[9] = 0;                                     /* checksum: by the loader */
    memcpy(t + 10, "TX86  ", 6);
    memcpy(t + 16, "TX86", 4);
    memcpy(t + 20, sig, 4);                       /* OEM table id "TX86xxxx" */
    t[24] = 1;                                    /* OEM revision */
    memcpy(t + 28, "TX86", 4);                    /* creator */
    t[32] = 1;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

uint8_t *acpi_build_dsdt(const AcpiConfig *cfg, size_t *len)
{
    Aml *pci = g_byte_array_new();
    aml_nameseg(pci, "PCI0");
    aml_name_int(pci, "_HID", aml_eisaid("PNP0A03"));
    aml_name_int(pci, "_ADR", 0);
    aml_name_int(pci, "_UID", 0);
    Aml *crs = g_byte_array_new();
    res_word(crs, 2, 0, 0, 0xff);                 /* bus numbers */
    res_io(crs, 0xcf8, 8);
    res_word(crs, 1, 0x03, 0x0000, 0x0cf7);       /* I/O below and above 0xCF8 */
    res_word(crs, 1, 0x03, 0x0d00, 0xffff);
    res_dword_mem(crs, 0x03, 0x000a0000, 0x000bffff);
    uint32_t hole = MAX(cfg->ram_size, 0x100000u);
    hole = (hole + 0xfffff) & ~0xfffffu;
    res_dword_mem(crs, 0x01, hole, 0xfebfffff);
    aml_name_crs(pci, "_CRS", crs);

    Aml *isa = g_byte_array_new();
    aml_nameseg(isa, "ISA_");
    aml_name_int(isa, "_ADR", 0x00010000);
    Aml *r = g_byte_array_new();
    res_io(r, 0x60, 1); res_io(r, 0x64, 1); res_irq(r, 1);
    aml_isa_device(isa, "KBD_", "PNP0303", -1, r);
    r = g_byte_array_new();
    res_irq(r, 12);
    aml_isa_device(isa, "MOU_", "PNP0F13", -1, r);
    r = g_byte_array_new();
    res_io(r, 0x70, 8); res_irq(r, 8);
    aml_isa_device(isa, "RTC_", "PNP0B00", -1, r);
    r = g_byte_array_new();
    res_io(r, 0x3f8, 8); res_irq(r, 4);
    aml_isa_device(isa, "COM1", "PNP0501", 1, r);
    aml_pkg(pci, 0x5b, 0x82, isa);

    Aml *sb = g_byte_array_new();
    aml_byte(sb, '\\');
    aml_nameseg(sb, "_SB_");
    aml_pkg(sb, 0x5b, 0x82, pci);

    Aml *body = g_byte_array_new();
    aml_pkg(body, 0, 0x10, sb);                   /* ScopeOp */
    /* Name(\_S5, Package(4) {0, 0, 0, 0}) */
    aml_byte(body, 0x08);
    aml_byte(body, '\\');
    aml_nameseg(body, "_S5_");
    Aml *pkg = g_byte_array_new();
    aml_byte(pkg, 4);
    for (int i = 0; i < 4; i++)
        aml_byte(pkg, 0x00);
    aml_pkg(body, 0, 0x12, pkg);                  /* PackageOp */

    size_t n = 36 + body->len;
    uint8_t *t = g_malloc0(n);
    acpi_header(t, "DSDT", (uint32_t)n, 1);
    memcpy(t + 36, body->data, body->len);
    g_byte_array_free(body, TRUE);
    *len = n;
    return t;
}

/* ---- the loader script ---------------------------------------------------- */

static void loader_cmd(GByteArray *l, uint32_t cmd, const char *f1, const char *f2,
                       uint32_t a, uint32_t b, uint32_t c)
{
    uint8_t e[128] = { 0 };
    put32(e, cmd);
    g_strlcpy((char *)e + 4, f1, 56);
    switch (cmd) {
    case ACPI_LOADER_ALLOCATE:                    /* align a, zone b */
        put32(e + 60, a);
        e[64] = (uint8_t)b;
        break;
    case ACPI_LOADER_ADD_POINTER:                 /* offset a, size b */
        g_strlcpy((char *)e + 60, f2, 56);
        put32(e + 116, a);
        e[120] = (uint8_t)b;
        break;
    case ACPI_LOADER_ADD_CHECKSUM:                /* offset a, start b, length c */
        put32(e + 60, a);
        put32(e + 64, b);
        put32(e + 68, c);
        break;
    }
    g_byte_array_append(l, e, 128);
}

#define TABLES "etc/acpi/tables"
#define RSDP   "etc/acpi/rsdp"

void acpi_build_tables(FWCfgState *fw, const AcpiConfig *cfg)
{
    GByteArray *t = g_byte_array_new();
    GByteArray *loader = g_byte_array_new();
    uint32_t offs[8], lens[8];
    int nt = 0;

    /* FACS, 64 bytes at offset 0 (64-aligned) */
    uint8_t facs[64] = { 'F', 'A', 'C', 'S', 64 };
    uint32_t facs_off = t->len;
    g_byte_array_append(t, facs, 64);

    size_t dlen;
    uint8_t *dsdt = acpi_build_dsdt(cfg, &dlen);
    uint32_t dsdt_off = t->len;
    g_byte_array_append(t, dsdt, (guint)dlen);
    g_free(dsdt);
    offs[nt] = dsdt_off; lens[nt++] = (uint32_t)dlen;

    /* FADT revision 1, 116 bytes */
    uint8_t fadt[116] = { 0 };
    acpi_header(fadt, "FACP", sizeof(fadt), 1);
    put32(fadt + 36, facs_off);                   /* FIRMWARE_CTRL (patched) */
    put32(fadt + 40, dsdt_off);                   /* DSDT (patched) */
    fadt[44] = cfg->apic ? 1 : 0;                 /* INT_MODEL */
    fadt[46] = 9;                                 /* SCI_INT */
    put32(fadt + 48, 0xb2);                       /* SMI_CMD */
    fadt[52] = 0xf1;                              /* ACPI_ENABLE */
    fadt[53] = 0xf0;                              /* ACPI_DISABLE */
    put32(fadt + 56, cfg->pm_base);               /* PM1a_EVT_BLK */
    put32(fadt + 64, cfg->pm_base + 4u);          /* PM1a_CNT_BLK */
    put32(fadt + 76, cfg->pm_base + 8u);          /* PM_TMR_BLK */
    fadt[88] = 4;                                 /* PM1_EVT_LEN */
    fadt[89] = 2;                                 /* PM1_CNT_LEN */
    fadt[91] = 4;                                 /* PM_TM_LEN */
    fadt[96] = 0xff; fadt[97] = 0x0f;             /* P_LVL2_LAT > 100: no C2 */
    fadt[98] = 0xff; fadt[99] = 0x0f;             /* P_LVL3_LAT > 1000: no C3 */
    fadt[108] = 0x32;                             /* CENTURY (CMOS index) */
    fadt[109] = 0x03;                             /* IAPC_BOOT_ARCH: legacy devs, 8042 */
    put32(fadt + 112, 0x1 | 0x4 | 0x20 | 0x80);   /* WBINVD, PROC_C1, SLP_BUTTON, RTC_S4 */
    uint32_t fadt_off = t->len;
    g_byte_array_append(t, fadt, sizeof(fadt));
    offs[nt] = fadt_off; lens[nt++] = sizeof(fadt);

    uint32_t madt_off = 0;
    if (cfg->apic) {
        GByteArray *m = g_byte_array_new();
        uint8_t hdr[44] = { 0 };
        acpi_header(hdr, "APIC", 0, 1);
        put32(hdr + 36, 0xfee00000);              /* local APIC address */
        put32(hdr + 40, 1);                       /* PCAT_COMPAT: 8259s present */
        g_byte_array_append(m, hdr, 44);
        uint8_t lapic[8] = { 0, 8, 0, 0, 1, 0, 0, 0 };   /* CPU 0, APIC ID 0, enabled */
        g_byte_array_append(m, lapic, 8);
        uint8_t ioapic[12] = { 1, 12, cfg->ioapic_id, 0 };
        put32(ioapic + 4, 0xfec00000);
        put32(ioapic + 8, 0);                     /* GSI base */
        g_byte_array_append(m, ioapic, 12);
        /* IRQ0 -> GSI 2; the PCI/SCI IRQs level, active high (as QEMU) */
        static const uint8_t iso_irq[] = { 0, 5, 9, 10, 11 };
        for (size_t i = 0; i < sizeof(iso_irq); i++) {
            uint8_t iso[10] = { 2, 10, 0, iso_irq[i] };
            put32(iso + 4, iso_irq[i] == 0 ? 2 : iso_irq[i]);
            iso[8] = iso_irq[i] == 0 ? 0 : 0x0d;
            g_byte_array_append(m, iso, 10);
        }
        uint8_t nmi[6] = { 4, 6, 0xff, 0, 0, 1 }; /* LINT1 of every CPU is NMI */
        g_byte_array_append(m, nmi, 6);
        put32(m->data + 4, m->len);
        madt_off = t->len;
        offs[nt] = madt_off; lens[nt++] = m->len;
        g_byte_array_append(t, m->data, m->len);
        g_byte_array_free(m, TRUE);
    }

    /* RSDT */
    uint32_t rsdt_entries = cfg->apic ? 2 : 1;
    uint32_t rsdt_len = 36 + 4 * rsdt_entries;
    uint8_t rsdt[44] = { 0 };
    acpi_header(rsdt, "RSDT", rsdt_len, 1);
    put32(rsdt + 36, fadt_off);
    put32(rsdt + 40, madt_off);
    uint32_t rsdt_off = t->len;
    g_byte_array_append(t, rsdt, rsdt_len);
    offs[nt] = rsdt_off; lens[nt++] = rsdt_len;

    /* RSDP revision 0 */
    uint8_t *rsdp = g_malloc0(20);
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "TX86  ", 6);
    put32(rsdp + 16, rsdt_off);

    loader_cmd(loader, ACPI_LOADER_ALLOCATE, RSDP, NULL, 16, ACPI_LOADER_ZONE_FSEG, 0);
    loader_cmd(loader, ACPI_LOADER_ALLOCATE, TABLES, NULL, 64, ACPI_LOADER_ZONE_HIGH, 0);
    loader_cmd(loader, ACPI_LOADER_ADD_POINTER, TABLES, TABLES, fadt_off + 36, 4, 0);
    loader_cmd(loader, ACPI_LOADER_ADD_POINTER, TABLES, TABLES, fadt_off + 40, 4, 0);
    loader_cmd(loader, ACPI_LOADER_ADD_POINTER, TABLES, TABLES, rsdt_off + 36, 4, 0);
    if (cfg->apic)
        loader_cmd(loader, ACPI_LOADER_ADD_POINTER, TABLES, TABLES, rsdt_off + 40, 4, 0);
    loader_cmd(loader, ACPI_LOADER_ADD_POINTER, RSDP, TABLES, 16, 4, 0);
    for (int i = 0; i < nt; i++)
        loader_cmd(loader, ACPI_LOADER_ADD_CHECKSUM, TABLES, NULL, offs[i] + 9, offs[i],
                   lens[i]);
    loader_cmd(loader, ACPI_LOADER_ADD_CHECKSUM, RSDP, NULL, 8, 0, 20);

    size_t tlen = t->len, llen = loader->len;
    fw_cfg_add_file_owned(fw, RSDP, rsdp, 20);
    fw_cfg_add_file_owned(fw, TABLES, g_byte_array_free(t, FALSE), tlen);
    fw_cfg_add_file_owned(fw, "etc/table-loader", g_byte_array_free(loader, FALSE), llen);
}
