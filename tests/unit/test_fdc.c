/*
 * test_fdc.c - unit tests for the 82077AA floppy controller (src/devices/
 * fdc.c) and the 8237 DMA controller it uses (src/devices/i8237.c), on a
 * RAM-only machine, through ports only: the reset handshake, SPECIFY,
 * RECALIBRATE/SEEK with SENSE INTERRUPT STATUS, READ/WRITE DATA by DMA
 * channel 2 with terminal count and end of cylinder, READ ID, VERSION,
 * DUMPREG, CONFIGURE, LOCK, invalid commands; and the geometry and CMOS
 * type tables for the image sizes.
 */
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/fdc.h"
#include "devices/i8237.h"
#include "devices/block.h"

typedef struct Fixture {
    Machine *m;
    FDCState *fdc;
    I8237State *dma;
    IrqLine irq;
    int level;
    gchar *img;
} Fixture;

static void irq_handler(void *opaque, int n, int level)
{
    ((Fixture *)opaque)->level = level;
}

static uint8_t inb(Fixture *f, uint16_t p) { return (uint8_t)ioport_read(f->m->io, p, 1); }
static void outb(Fixture *f, uint16_t p, uint8_t v) { ioport_write(f->m->io, p, v, 1); }

/* a 1.44 MB image: byte 0 of each sector = LBA & 0xff, byte 1 = LBA >> 8 */
static gchar *make_floppy(size_t size)
{
    gchar *path = NULL;
    int fd = g_file_open_tmp("tx86-fd-XXXXXX", &path, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    uint8_t sec[512];
    for (size_t lba = 0; lba < size / 512; lba++) {
        memset(sec, 0xee, sizeof(sec));
        sec[0] = (uint8_t)lba;
        sec[1] = (uint8_t)(lba >> 8);
        CU_ASSERT_FATAL(write(fd, sec, 512) == 512);
    }
    close(fd);
    return path;
}

static bool fixture_init(Fixture *f)
{
    memset(f, 0, sizeof(*f));
    GError *err = NULL;
    f->m = machine_new_bare(1u << 20, &err);
    if (!f->m)
        return false;
    clock_init(&f->m->clock, true);
    irq_line_init(&f->irq, irq_handler, f, 6);
    f->dma = i8237_init(&f->m->bus);
    f->fdc = fdc_init(&f->m->bus, 0x3f0, &f->irq, f->dma, 2, NULL, &err);
    if (!f->fdc)
        return false;
    f->img = make_floppy(1474560);
    BlockDev *b = block_open(f->img, false, true, &err);
    return b && fdc_attach(f->fdc, 0, b, &err);
}

static void fixture_free(Fixture *f)
{
    machine_free(f->m);
    unlink(f->img);
    g_free(f->img);
}

static void fdc_cmd(Fixture *f, const uint8_t *bytes, int n)
{
    for (int i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(inb(f, 0x3f4) & 0xc0, 0x80);   /* RQM, host -> FDC */
        outb(f, 0x3f5, bytes[i]);
    }
}

static int fdc_results(Fixture *f, uint8_t *r, int max)
{
    int n = 0;
    while ((inb(f, 0x3f4) & 0xc0) == 0xc0 && n < max)
        r[n++] = inb(f, 0x3f5);
    return n;
}

/* program DMA channel 2 as SeaBIOS does: mode, address, count, page */
static void dma_setup(Fixture *f, uint32_t addr, uint32_t len, bool to_mem)
{
    outb(f, 0x0a, 0x06);                            /* mask channel 2 */
    outb(f, 0x0c, 0);
    outb(f, 0x0b, to_mem ? 0x46 : 0x4a);           /* single, write/read, ch 2 */
    outb(f, 0x04, (uint8_t)addr);
    outb(f, 0x04, (uint8_t)(addr >> 8));
    outb(f, 0x81, (uint8_t)(addr >> 16));
    outb(f, 0x0c, 0);
    outb(f, 0x05, (uint8_t)(len - 1));
    outb(f, 0x05, (uint8_t)((len - 1) >> 8));
    outb(f, 0x0a, 0x02);                            /* unmask */
}

static void test_reset_and_seek(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f));
    uint8_t r[16];
    /* reset through the DOR: IRQ and four SENSE INTERRUPT answers */
    outb(&f, 0x3f2, 0x00);
    CU_ASSERT_EQUAL(f.level, 0);
    outb(&f, 0x3f2, 0x0c);
    CU_ASSERT_EQUAL(f.level, 1);
    for (int d = 0; d < 4; d++) {
        uint8_t si = 0x08;
        fdc_cmd(&f, &si, 1);
        CU_ASSERT_EQUAL(fdc_results(&f, r, 16), 2);
        CU_ASSERT_EQUAL(r[0], 0xc0 | d);
        CU_ASSERT_EQUAL(f.level, 0);
    }
    uint8_t si = 0x08;
    fdc_cmd(&f, &si, 1);                            /* nothing pending: invalid */
    CU_ASSERT_EQUAL(fdc_results(&f, r, 16), 1);
    CU_ASSERT_EQUAL(r[0], 0x80);
    /* SPECIFY: no result, no IRQ */
    uint8_t spec[] = { 0x03, 0xaf, 0x02 };
    fdc_cmd(&f, spec, 3);
    CU_ASSERT_EQUAL(inb(&f, 0x3f4) & 0xc0, 0x80);
    CU_ASSERT_EQUAL(f.level, 0);
    /* disk change line until the first seek */
    CU_ASSERT_EQUAL(inb(&f, 0x3f7) & 0x80, 0x80);
    uint8_t seek[] = { 0x0f, 0x04, 40 };            /* head 1, cylinder 40 */
    fdc_cmd(&f, seek, 3);
    CU_ASSERT_EQUAL(f.level, 1);
    fdc_cmd(&f, &si, 1);
    CU_ASSERT_EQUAL(fdc_results(&f, r, 16), 2);
    CU_ASSERT_EQUAL(r[0], 0x24);
    CU_ASSERT_EQUAL(r[1], 40);
    CU_ASSERT_EQUAL(inb(&f, 0x3f7) & 0x80, 0);
    uint8_t recal[] = { 0x07, 0x00 };
    fdc_cmd(&f, recal, 2);
    fdc_cmd(&f, &si, 1);
    fdc_results(&f, r, 16);
    CU_ASSERT_EQUAL(r[0], 0x20);
    CU_ASSERT_EQUAL(r[1], 0);
    /* SENSE DRIVE STATUS: track 0, two-sided, ready */
    uint8_t sds[] = { 0x04, 0x00 };
    fdc_cmd(&f, sds, 2);
    CU_ASSERT_EQUAL(fdc_results(&f, r, 16), 1);
    CU_ASSERT_EQUAL(r[0], 0x38);
    /* VERSION, CONFIGURE + DUMPREG, LOCK, invalid */
    uint8_t ver = 0x10;
    fdc_cmd(&f, &ver, 1);
    fdc_results(&f, r, 16);
    CU_ASSERT_EQUAL(r[0], 0x90);
    uint8_t conf[] = { 0x13, 0x00, 0x57, 0x03 };
    fdc_cmd(&f, conf, 4);
    uint8_t lock = 0x94;
    fdc_cmd(&f, &lock, 1);
    CU_ASSERT_EQUAL(fdc_results(&f, r, 16), 1);
    CU_ASSERT_EQUAL(r[0], 0x10);
    uint8_t dump = 0x0e;
    fdc_cmd(&f, &dump, 1);
    CU_ASSERT_EQUAL(fdc_results(&f, r, 16), 10);
    CU_ASSERT_EQUAL(r[4], 0xaf);
    CU_ASSERT_EQUAL(r[7] & 0x80, 0x80);             /* locked */
    CU_ASSERT_EQUAL(r[8], 0x57);
    CU_ASSERT_EQUAL(r[9], 0x03);
    outb(&f, 0x3f2, 0x08);                          /* reset keeps a locked config */
    outb(&f, 0x3f2, 0x0c);
    fdc_cmd(&f, &dump, 1);
    fdc_results(&f, r, 16);
    CU_ASSERT_EQUAL(r[8], 0x57);
    uint8_t bad = 0x1f;
    fdc_cmd(&f, &bad, 1);
    CU_ASSERT_EQUAL(fdc_results(&f, r, 16), 1);
    CU_ASSERT_EQUAL(r[0], 0x80);
    fixture_free(&f);
}

typedef struct RWCase {
    const char *name;
    bool write, mt;
    uint8_t c, h, s, eot;
    uint32_t dma_len;
    uint8_t st0, st1;           /* expected */
    uint8_t rc, rh, rs;         /* expected next sector in the result */
} RWCase;

static const RWCase rw_cases[] = {
    { "read 1 sector",          false, false, 0, 0, 1, 18, 512,   0x00, 0, 0, 0, 2 },
    { "read 3 sectors head 1",  false, false, 10, 1, 4, 18, 1536, 0x04, 0, 10, 1, 7 },
    { "read to EOT exactly",    false, false, 2, 0, 17, 18, 1024, 0x00, 0, 3, 0, 1 },
    { "multi-track to head 1",  false, true, 5, 0, 18, 18, 1024,  0x04, 0, 5, 1, 2 },
    { "end of cylinder",        false, false, 1, 0, 17, 18, 4096, 0x40, 0x80, 2, 0, 1 },
    { "sector 19 not found",    false, false, 0, 0, 19, 19, 512,  0x40, 0x04, 0, 0, 19 },
    { "cylinder 80 not found",  false, false, 80, 0, 1, 18, 512,  0x40, 0x04, 80, 0, 1 },
    { "write 2 sectors",        true, false, 79, 1, 17, 18, 1024, 0x04, 0, 80, 1, 1 },
};

static void test_read_write(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rw_cases); i++) {
        const RWCase *c = &rw_cases[i];
        Fixture f;
        CU_ASSERT_FATAL(fixture_init(&f));
        PhysMem *pm = f.m->mem;
        for (uint32_t k = 0; c->write && k < c->dma_len; k++)
            physmem_write(pm, 0x10000 + k, 0xa5, 1);
        dma_setup(&f, 0x10000, c->dma_len, !c->write);
        uint8_t cmd[9] = { (uint8_t)((c->write ? 0x45 : 0x46) | (c->mt ? 0x80 : 0)),
                           (uint8_t)(c->h << 2), c->c, c->h, c->s, 2, c->eot, 0x1b, 0xff };
        fdc_cmd(&f, cmd, 9);
        CU_ASSERT_EQUAL(f.level, 1);
        uint8_t r[16];
        int n = fdc_results(&f, r, 16);
        CU_ASSERT_EQUAL(f.level, 0);                /* first result byte clears it */
        CU_ASSERT_EQUAL(n, 7);
        if (r[0] != c->st0 || r[1] != c->st1 || r[3] != c->rc || r[4] != c->rh ||
            r[5] != c->rs) {
            printf("\n  %s: result %02x %02x %02x %u %u %u %u\n", c->name, r[0], r[1], r[2],
                   r[3], r[4], r[5], r[6]);
            CU_FAIL("result bytes");
        }
        if (!c->write && !(c->st0 & 0x40)) {
            uint32_t lba = ((uint32_t)c->c * 2 + c->h) * 18 + c->s - 1;
            for (uint32_t k = 0; k < c->dma_len / 512; k++) {
                uint32_t got = physmem_read(pm, 0x10000 + k * 512, 2);
                CU_ASSERT_EQUAL(got, (lba + k) & 0xffff);
            }
            CU_ASSERT_EQUAL(inb(&f, 0x08) & 0x04, 0x04);   /* TC of channel 2 */
        }
        if (c->write) {
            /* read the first written sector back */
            dma_setup(&f, 0x20000, 512, true);
            uint8_t rd[9] = { 0x46, (uint8_t)(c->h << 2), c->c, c->h, c->s, 2, c->eot,
                              0x1b, 0xff };
            fdc_cmd(&f, rd, 9);
            fdc_results(&f, r, 16);
            CU_ASSERT_EQUAL(r[0] & 0xc0, 0);
            CU_ASSERT_EQUAL(physmem_read(pm, 0x20000, 1), 0xa5);
            CU_ASSERT_EQUAL(physmem_read(pm, 0x201ff, 1), 0xa5);
        }
        fixture_free(&f);
    }
}

static void test_read_id_and_dma_not_ready(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f));
    uint8_t r[16];
    uint8_t rid[] = { 0x4a, 0x00 };
    fdc_cmd(&f, rid, 2);
    CU_ASSERT_EQUAL(fdc_results(&f, r, 16), 7);
    CU_ASSERT_EQUAL(r[0], 0x00);
    CU_ASSERT_EQUAL(r[6], 2);
    /* drive 1 has no medium */
    uint8_t rid1[] = { 0x4a, 0x01 };
    fdc_cmd(&f, rid1, 2);
    fdc_results(&f, r, 16);
    CU_ASSERT_EQUAL(r[0], 0x41);
    /* channel masked: overrun */
    outb(&f, 0x0a, 0x06);
    uint8_t cmd[9] = { 0x46, 0, 0, 0, 1, 2, 18, 0x1b, 0xff };
    fdc_cmd(&f, cmd, 9);
    fdc_results(&f, r, 16);
    CU_ASSERT_EQUAL(r[0] & 0xc0, 0x40);
    CU_ASSERT_EQUAL(r[1], 0x10);
    fixture_free(&f);
}

static void test_formats(void)
{
    static const struct { uint64_t size; uint8_t cmos; } t[] = {
        { 1474560, 4 }, { 737280, 3 }, { 1228800, 2 }, { 368640, 1 }, { 2949120, 5 },
        { 1474560 + 512, 0 }, { 512, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
        CU_ASSERT_EQUAL(fdc_cmos_type_for_size(t[i].size), t[i].cmos);
    /* a 720 KB image reports 9 sectors per track: sector 10 is not found */
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f));
    gchar *small = make_floppy(737280);
    GError *err = NULL;
    BlockDev *b = block_open(small, true, false, &err);
    CU_ASSERT_TRUE(fdc_attach(f.fdc, 1, b, &err));
    dma_setup(&f, 0x10000, 512, true);
    uint8_t cmd[9] = { 0x46, 0x01, 0, 0, 10, 2, 10, 0x1b, 0xff };
    fdc_cmd(&f, cmd, 9);
    uint8_t r[16];
    fdc_results(&f, r, 16);
    CU_ASSERT_EQUAL(r[1], 0x04);
    dma_setup(&f, 0x10000, 512, false);            /* read-only: not writable */
    cmd[0] = 0x45;
    cmd[4] = 1;
    fdc_cmd(&f, cmd, 9);
    fdc_results(&f, r, 16);
    CU_ASSERT_EQUAL(r[1], 0x02);
    /* an odd size is refused with a clear error */
    gchar *odd = make_floppy(1474560 + 512);
    b = block_open(odd, true, false, &err);
    CU_ASSERT_FALSE(fdc_attach(f.fdc, 1, b, &err));
    CU_ASSERT(err && strstr(err->message, "not a floppy format"));
    g_clear_error(&err);
    const char *fd_file[2] = { f.img, small };
    CU_ASSERT_EQUAL(fdc_cmos_drive_types(fd_file), 0x43);
    unlink(small);
    unlink(odd);
    g_free(small);
    g_free(odd);
    fixture_free(&f);
}

void register_fdc_tests(void)
{
    CU_pSuite s = CU_add_suite("fdc", NULL, NULL);
    CU_add_test(s, "reset, SPECIFY, SEEK, SENSE, VERSION, DUMPREG, LOCK", test_reset_and_seek);
    CU_add_test(s, "READ/WRITE DATA by DMA", test_read_write);
    CU_add_test(s, "READ ID, no medium, DMA not ready", test_read_id_and_dma_not_ready);
    CU_add_test(s, "formats, CMOS types, read-only", test_formats);
}
