/*
 * test_ide.c - unit tests for the PIIX3 IDE controller (src/devices/ide.c)
 * on a RAM-only machine, through its ports only: the legacy task file at
 * 0x1F0/0x3F6 and 0x170/0x376, and the bus-master registers mapped at
 * 0xC000 (what BAR4 maps on the PC).
 *
 * Primary master: a 4 MiB disk whose sector n is filled with (n & 0xff);
 * secondary master: a CD-ROM image of 8 2048-byte sectors filled with
 * 0x40 + sector.  ATA command cases are a table (command, LBA, count,
 * expected status and error, data checks); ATAPI cases send packets.
 */
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/ide.h"
#include "devices/block.h"

#define BM 0xc000
#define DISK_SECTORS 8192

typedef struct Fixture {
    Machine *m;
    IDEState *ide;
    IrqLine irq[2];
    int level[2];
    gchar *disk, *cd;
} Fixture;

static void irq_handler(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    f->level[n] = level;
}

static gchar *make_image(unsigned sectors, unsigned secsize, int base)
{
    gchar *path = NULL;
    int fd = g_file_open_tmp("tx86-ide-XXXXXX", &path, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    uint8_t *buf = g_malloc(secsize);
    for (unsigned i = 0; i < sectors; i++) {
        memset(buf, (base + (int)i) & 0xff, secsize);
        CU_ASSERT_FATAL(write(fd, buf, secsize) == (ssize_t)secsize);
    }
    g_free(buf);
    close(fd);
    return path;
}

static bool fixture_init(Fixture *f, bool snapshot)
{
    memset(f, 0, sizeof(*f));
    GError *err = NULL;
    f->m = machine_new_bare(2u << 20, &err);
    if (!f->m)
        return false;
    clock_init(&f->m->clock, true);
    irq_line_init(&f->irq[0], irq_handler, f, 0);
    irq_line_init(&f->irq[1], irq_handler, f, 1);
    f->ide = ide_init(&f->m->bus, NULL, &f->irq[0], &f->irq[1], NULL, &err);
    if (!f->ide)
        return false;
    f->disk = make_image(DISK_SECTORS, 512, 0);
    f->cd = make_image(8, 2048, 0x40);
    BlockDev *d = block_open(f->disk, false, snapshot, &err);
    BlockDev *c = block_open(f->cd, true, false, &err);
    if (!d || !c)
        return false;
    ide_attach(f->ide, 0, d, false);
    ide_attach(f->ide, 2, c, true);
    ide_reset(f->ide);
    ide_bm_map(f->ide, BM);
    return true;
}

static void fixture_free(Fixture *f)
{
    machine_free(f->m);
    unlink(f->disk);
    unlink(f->cd);
    g_free(f->disk);
    g_free(f->cd);
}

static uint8_t inb(Fixture *f, uint16_t p) { return (uint8_t)ioport_read(f->m->io, p, 1); }
static uint16_t inw(Fixture *f, uint16_t p) { return (uint16_t)ioport_read(f->m->io, p, 2); }
static void outb(Fixture *f, uint16_t p, uint8_t v) { ioport_write(f->m->io, p, v, 1); }
static void outw(Fixture *f, uint16_t p, uint16_t v) { ioport_write(f->m->io, p, v, 2); }
static void outl(Fixture *f, uint16_t p, uint32_t v) { ioport_write(f->m->io, p, v, 4); }

/* load the task file for an LBA28 or LBA48 command and issue it */
static void ata_cmd(Fixture *f, uint16_t base, uint8_t cmd, uint64_t lba, uint32_t count,
                    bool lba48)
{
    outb(f, base + 6, 0xe0);
    if (lba48) {
        outb(f, base + 2, (uint8_t)(count >> 8));
        outb(f, base + 3, (uint8_t)(lba >> 24));
        outb(f, base + 4, (uint8_t)(lba >> 32));
        outb(f, base + 5, (uint8_t)(lba >> 40));
    }
    outb(f, base + 2, (uint8_t)count);
    outb(f, base + 3, (uint8_t)lba);
    outb(f, base + 4, (uint8_t)(lba >> 8));
    outb(f, base + 5, (uint8_t)(lba >> 16));
    if (!lba48)
        outb(f, base + 6, (uint8_t)(0xe0 | ((lba >> 24) & 0x0f)));
    outb(f, base + 7, cmd);
}

enum { PIO_IN = 1, PIO_OUT, DMA_IN, DMA_OUT, NODATA };

typedef struct AtaCase {
    const char *name;
    uint8_t setmult;            /* SET MULTIPLE first (0 = no) */
    uint8_t cmd;
    uint64_t lba;
    uint32_t count;
    bool lba48;
    int kind;
    uint8_t status, error;      /* expected at the end (status masked with 0xf9) */
    uint32_t irqs;              /* expected interrupts (DRQ blocks + completion) */
} AtaCase;

static const AtaCase ata_cases[] = {
    { "READ SECTORS",          0,  0x20, 5, 3, false, PIO_IN, 0x50, 0, 3 },
    { "READ SECTORS count 0 = 256", 0, 0x20, 0, 0, false, PIO_IN, 0x50, 0, 256 },
    { "READ SECTORS EXT",      0,  0x24, 4000, 2, true, PIO_IN, 0x50, 0, 2 },
    { "READ MULTIPLE",         4,  0xc4, 10, 10, false, PIO_IN, 0x50, 0, 3 },
    { "READ MULTIPLE EXT",     8,  0x29, 16, 9, true, PIO_IN, 0x50, 0, 2 },
    { "READ MULTIPLE w/o SET", 0,  0xc4, 1, 1, false, NODATA, 0x41, 0x04, 1 },
    { "WRITE SECTORS",         0,  0x30, 100, 2, false, PIO_OUT, 0x50, 0, 2 },
    { "WRITE SECTORS EXT",     0,  0x34, 200, 1, true, PIO_OUT, 0x50, 0, 1 },
    { "WRITE MULTIPLE",        2,  0xc5, 300, 5, false, PIO_OUT, 0x50, 0, 3 },
    { "WRITE MULTIPLE EXT",    2,  0x39, 310, 3, true, PIO_OUT, 0x50, 0, 2 },
    { "READ DMA",              0,  0xc8, 7, 4, false, DMA_IN, 0x50, 0, 1 },
    { "READ DMA EXT",          0,  0x25, 8000, 100, true, DMA_IN, 0x50, 0, 1 },
    { "WRITE DMA",             0,  0xca, 400, 3, false, DMA_OUT, 0x50, 0, 1 },
    { "WRITE DMA EXT",         0,  0x35, 500, 2, true, DMA_OUT, 0x50, 0, 1 },
    { "READ past the end",     0,  0x20, DISK_SECTORS - 1, 2, false, NODATA, 0x41, 0x14, 1 },
    { "READ DMA past the end", 0,  0x25, DISK_SECTORS, 1, true, NODATA, 0x41, 0x14, 1 },
    { "READ VERIFY",           0,  0x40, 1, 8, false, NODATA, 0x50, 0, 1 },
    { "FLUSH CACHE",           0,  0xe7, 0, 0, false, NODATA, 0x50, 0, 1 },
    { "FLUSH CACHE EXT",       0,  0xea, 0, 0, false, NODATA, 0x50, 0, 1 },
    { "IDLE IMMEDIATE",        0,  0xe1, 0, 0, false, NODATA, 0x50, 0, 1 },
    { "STANDBY IMMEDIATE",     0,  0xe0, 0, 0, false, NODATA, 0x50, 0, 1 },
    { "IDENTIFY PACKET on a disk", 0, 0xa1, 0, 0, false, NODATA, 0x41, 0x04, 1 },
    { "unknown command",       0,  0xb0, 0, 0, false, NODATA, 0x41, 0x04, 1 },
};

/* count the rising edges of IRQ 14 by acknowledging each (status read) */
static int take_irq(Fixture *f)
{
    if (!f->level[0])
        return 0;
    inb(f, 0x1f7);
    CU_ASSERT_EQUAL(f->level[0], 0);
    return 1;
}

static void run_ata_case(const AtaCase *c)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, true));
    PhysMem *pm = f.m->mem;
    uint32_t irqs = 0;
    if (c->setmult) {
        outb(&f, 0x1f2, c->setmult);
        outb(&f, 0x1f7, 0xc6);
        CU_ASSERT_EQUAL(inb(&f, 0x1f7) & 0xf9, 0x50);
        take_irq(&f);
    }
    uint32_t count = c->count ? c->count : (c->lba48 ? 65536 : 256);
    uint32_t bytes = count * 512;
    if (c->kind == DMA_IN || c->kind == DMA_OUT) {
        /* PRD table at 0x1000: 64 KiB pieces from 0x20000 on */
        uint32_t left = bytes, addr = 0x20000, prd = 0x1000;
        while (left) {
            uint32_t n = MIN(left, 0x10000u);
            left -= n;
            physmem_write(pm, prd, addr, 4);
            physmem_write(pm, prd + 4, (n & 0xffff) | (left ? 0 : 0x80000000u), 4);
            prd += 8;
            addr += n;
        }
        for (uint32_t i = 0; c->kind == DMA_OUT && i < bytes; i++)
            physmem_write(pm, 0x20000 + i, 0xc3, 1);
        outl(&f, BM + 4, 0x1000);
        outb(&f, BM + 2, 0x06);                        /* clear INTR/ERR */
    }
    ata_cmd(&f, 0x1f0, c->cmd, c->lba, c->count, c->lba48);
    if (c->kind == PIO_IN) {
        for (uint32_t s = 0; s < count; s++) {
            if (s == 0 || (c->setmult && s % c->setmult == 0) || !c->setmult)
                irqs += (uint32_t)take_irq(&f);
            CU_ASSERT_EQUAL(inb(&f, 0x3f6) & 0x08, 0x08);   /* DRQ */
            for (int w = 0; w < 256; w++) {
                uint16_t v = inw(&f, 0x1f0);
                uint8_t want = (uint8_t)(c->lba + s);
                if (v != (uint16_t)(want | want << 8)) {
                    printf("\n  %s: sector %u word %d = %04x\n", c->name, s, w, v);
                    CU_FAIL("PIO data");
                    break;
                }
            }
        }
    } else if (c->kind == PIO_OUT) {
        for (uint32_t s = 0; s < count; s++) {
            if (s && (!c->setmult || s % c->setmult == 0))
                irqs += (uint32_t)take_irq(&f);
            CU_ASSERT_EQUAL(inb(&f, 0x3f6) & 0x08, 0x08);
            for (int w = 0; w < 256; w++)
                outw(&f, 0x1f0, 0x7e7e);
        }
    } else if (c->kind == DMA_IN || c->kind == DMA_OUT) {
        CU_ASSERT_EQUAL(f.level[0], 0);                 /* waits for the bus master */
        outb(&f, BM, c->kind == DMA_IN ? 0x09 : 0x01);
        CU_ASSERT_EQUAL(inb(&f, BM + 2) & 0x07, 0x04);  /* INTR, not active, no error */
        outb(&f, BM, 0);
    }
    irqs += (uint32_t)take_irq(&f);
    uint8_t st = inb(&f, 0x1f7) & 0xf9, er = inb(&f, 0x1f1);
    if (st != c->status || er != c->error)
        printf("\n  %s: status %02x error %02x, want %02x %02x\n", c->name, st, er,
               c->status, c->error);
    CU_ASSERT_EQUAL(st, c->status);
    CU_ASSERT_EQUAL(er, c->error);
    if (irqs != c->irqs)
        printf("\n  %s: %u interrupts, want %u\n", c->name, irqs, c->irqs);
    CU_ASSERT_EQUAL(irqs, c->irqs);
    if (c->kind == DMA_IN) {
        for (uint32_t s = 0; s < count; s++)
            CU_ASSERT_EQUAL(physmem_read(pm, 0x20000 + s * 512 + 511, 1),
                            (uint8_t)(c->lba + s));
    }
    if (c->kind == PIO_OUT || c->kind == DMA_OUT) {
        /* read back through PIO */
        uint8_t want = c->kind == PIO_OUT ? 0x7e : 0xc3;
        ata_cmd(&f, 0x1f0, 0x24, c->lba + count - 1, 1, true);
        take_irq(&f);
        CU_ASSERT_EQUAL(inw(&f, 0x1f0), want | want << 8);
    }
    fixture_free(&f);
}

static void test_ata_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ata_cases); i++)
        run_ata_case(&ata_cases[i]);
}

static void read_words(Fixture *f, uint16_t port, uint16_t *w, int n)
{
    for (int i = 0; i < n; i++)
        w[i] = inw(f, port);
}

static void test_identify(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, true));
    /* signature after reset: ATA disk on the primary, ATAPI on the secondary */
    CU_ASSERT_EQUAL(inb(&f, 0x1f4), 0x00);
    CU_ASSERT_EQUAL(inb(&f, 0x1f5), 0x00);
    CU_ASSERT_EQUAL(inb(&f, 0x174), 0x14);
    CU_ASSERT_EQUAL(inb(&f, 0x175), 0xeb);
    CU_ASSERT_EQUAL(inb(&f, 0x1f2), 1);
    CU_ASSERT_EQUAL(inb(&f, 0x1f1), 1);
    outb(&f, 0x1f6, 0xa0);
    outb(&f, 0x1f7, 0xec);
    CU_ASSERT_EQUAL(f.level[0], 1);
    CU_ASSERT_EQUAL(inb(&f, 0x1f7), 0x58);
    uint16_t w[256];
    read_words(&f, 0x1f0, w, 256);
    CU_ASSERT_EQUAL(inb(&f, 0x1f7), 0x50);
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = (char)(w[27 + i] >> 8);
        model[2 * i + 1] = (char)w[27 + i];
    }
    model[40] = 0;
    CU_ASSERT_EQUAL(strncmp(model, "TX86 HARDDISK ", 14), 0);
    CU_ASSERT_EQUAL(w[0], 0x0040);
    CU_ASSERT_EQUAL(w[60] | (uint32_t)w[61] << 16, DISK_SECTORS);
    CU_ASSERT_EQUAL(w[100] | (uint32_t)w[101] << 16, DISK_SECTORS);
    CU_ASSERT(w[83] & (1 << 10));                   /* LBA48 */
    CU_ASSERT(w[49] & (1 << 9));                    /* LBA */
    CU_ASSERT_EQUAL(w[47] & 0xff, 16);
    CU_ASSERT_EQUAL(w[88] & 0x3f, 0x3f);            /* UDMA 0-5 */
    /* SET FEATURES: UDMA mode 2 becomes the selected mode */
    outb(&f, 0x1f1, 0x03);
    outb(&f, 0x1f2, 0x42);
    outb(&f, 0x1f7, 0xef);
    CU_ASSERT_EQUAL(inb(&f, 0x1f7), 0x50);
    outb(&f, 0x1f1, 0x03);
    outb(&f, 0x1f2, 0x4f);                          /* bad mode */
    outb(&f, 0x1f7, 0xef);
    CU_ASSERT_EQUAL(inb(&f, 0x1f7) & 1, 1);
    outb(&f, 0x1f7, 0xec);
    read_words(&f, 0x1f0, w, 256);
    CU_ASSERT_EQUAL(w[88] >> 8, 0x04);
    CU_ASSERT_EQUAL(w[63] >> 8, 0x00);
    /* absent slave reads 0, an ATA command to it does nothing */
    outb(&f, 0x1f6, 0xb0);
    CU_ASSERT_EQUAL(inb(&f, 0x1f7), 0);
    outb(&f, 0x1f7, 0xec);
    CU_ASSERT_EQUAL(inb(&f, 0x1f7), 0);
    /* ATAPI: IDENTIFY DEVICE aborts with the signature, IDENTIFY PACKET works */
    outb(&f, 0x176, 0xa0);
    outb(&f, 0x177, 0xec);
    CU_ASSERT_EQUAL(inb(&f, 0x177) & 1, 1);
    CU_ASSERT_EQUAL(inb(&f, 0x175), 0xeb);
    outb(&f, 0x177, 0xa1);
    CU_ASSERT_EQUAL(f.level[1], 1);
    CU_ASSERT_EQUAL(inb(&f, 0x177), 0x58);
    read_words(&f, 0x170, w, 256);
    CU_ASSERT_EQUAL(w[0] >> 14, 2);                 /* ATAPI */
    CU_ASSERT_EQUAL((w[0] >> 8) & 0x1f, 5);         /* CD-ROM */
    fixture_free(&f);
}

static void test_reset_and_nien(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, true));
    /* nIEN: no interrupt line, status still shows completion */
    outb(&f, 0x3f6, 0x02);
    outb(&f, 0x1f7, 0xe7);
    CU_ASSERT_EQUAL(f.level[0], 0);
    outb(&f, 0x3f6, 0x00);                          /* enabling shows the pending one */
    CU_ASSERT_EQUAL(f.level[0], 1);
    inb(&f, 0x1f7);
    CU_ASSERT_EQUAL(f.level[0], 0);
    /* SRST: BSY while asserted, signature and DRDY after */
    outb(&f, 0x1f4, 0x55);
    outb(&f, 0x3f6, 0x04);
    CU_ASSERT_EQUAL(inb(&f, 0x3f6) & 0x80, 0x80);
    outb(&f, 0x3f6, 0x00);
    CU_ASSERT_EQUAL(inb(&f, 0x1f7), 0x50);
    CU_ASSERT_EQUAL(inb(&f, 0x1f4), 0);
    CU_ASSERT_EQUAL(inb(&f, 0x1f1), 1);
    /* LBA48 HOB readback */
    outb(&f, 0x1f3, 0x11);
    outb(&f, 0x1f3, 0x22);
    outb(&f, 0x3f6, 0x80);
    CU_ASSERT_EQUAL(inb(&f, 0x1f3), 0x11);
    outb(&f, 0x3f6, 0x00);
    CU_ASSERT_EQUAL(inb(&f, 0x1f3), 0x22);
    /* CHECK POWER MODE: active */
    outb(&f, 0x1f7, 0xe5);
    CU_ASSERT_EQUAL(inb(&f, 0x1f2), 0xff);
    /* bus-master PRD register and status bits */
    outl(&f, BM + 12, 0x12345679);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, BM + 12, 4), 0x12345678);
    outb(&f, BM + 10, 0x60);
    CU_ASSERT_EQUAL(inb(&f, BM + 10) & 0x60, 0x60);
    fixture_free(&f);
}

/* ---- ATAPI ---- */

/* send a 12-byte packet on the secondary channel; dma selects DMA */
static void atapi_send(Fixture *f, const uint8_t *cdb, uint16_t limit, bool dma)
{
    outb(f, 0x176, 0xa0);
    outb(f, 0x171, dma ? 1 : 0);
    outb(f, 0x174, (uint8_t)limit);
    outb(f, 0x175, (uint8_t)(limit >> 8));
    outb(f, 0x177, 0xa0);
    CU_ASSERT_EQUAL(inb(f, 0x376) & 0x08, 0x08);
    CU_ASSERT_EQUAL(inb(f, 0x172), 1);              /* CoD */
    for (int i = 0; i < 12; i += 2)
        outw(f, 0x170, (uint16_t)(cdb[i] | cdb[i + 1] << 8));
}

/* read PIO data blocks until completion; returns bytes read */
static uint32_t atapi_pio_in(Fixture *f, uint8_t *buf, uint32_t max, int *blocks)
{
    uint32_t got = 0;
    *blocks = 0;
    for (int guard = 0; guard < 1000; guard++) {
        CU_ASSERT_EQUAL(f->level[1], 1);
        uint8_t st = inb(f, 0x177);
        if (!(st & 0x08))
            break;
        CU_ASSERT_EQUAL(inb(f, 0x172), 2);          /* IO, data */
        uint32_t n = inb(f, 0x174) | (uint32_t)inb(f, 0x175) << 8;
        (*blocks)++;
        for (uint32_t i = 0; i < n; i += 2) {
            uint16_t v = inw(f, 0x170);
            if (got + 1 < max) {
                buf[got] = (uint8_t)v;
                buf[got + 1] = (uint8_t)(v >> 8);
            }
            got += 2;
        }
    }
    return got;
}

static void test_atapi(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, true));
    static uint8_t buf[32768];
    int blocks;
    uint8_t tur[12] = { 0x00 };
    uint8_t sense[12] = { 0x03, 0, 0, 0, 18 };
    /* first command after insert: UNIT ATTENTION, then sense 06/28 */
    atapi_send(&f, tur, 0xfffe, false);
    CU_ASSERT_EQUAL(inb(&f, 0x177) & 0x09, 0x01);
    CU_ASSERT_EQUAL(inb(&f, 0x171) >> 4, 6);
    CU_ASSERT_EQUAL(inb(&f, 0x172), 3);
    atapi_send(&f, sense, 0xfffe, false);
    CU_ASSERT_EQUAL(atapi_pio_in(&f, buf, sizeof(buf), &blocks), 18);
    CU_ASSERT_EQUAL(buf[2], 6);
    CU_ASSERT_EQUAL(buf[12], 0x28);
    CU_ASSERT_EQUAL(inb(&f, 0x177), 0x50);
    atapi_send(&f, tur, 0xfffe, false);
    CU_ASSERT_EQUAL(inb(&f, 0x177), 0x50);
    /* INQUIRY */
    uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    atapi_send(&f, inq, 0xfffe, false);
    CU_ASSERT_EQUAL(atapi_pio_in(&f, buf, sizeof(buf), &blocks), 36);
    CU_ASSERT_EQUAL(buf[0], 5);
    CU_ASSERT_EQUAL(memcmp(buf + 16, "TX86 DVD-ROM", 12), 0);
    /* READ CAPACITY: 8 sectors of 2048 */
    uint8_t cap[12] = { 0x25 };
    atapi_send(&f, cap, 0xfffe, false);
    CU_ASSERT_EQUAL(atapi_pio_in(&f, buf, sizeof(buf), &blocks), 8);
    CU_ASSERT_EQUAL(buf[3], 7);
    CU_ASSERT_EQUAL(buf[6], 0x08);
    /* READ(10) of 3 sectors from 2 with a byte count limit of 2048: 3 blocks */
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 2, 0, 0, 3 };
    atapi_send(&f, rd, 2048, false);
    CU_ASSERT_EQUAL(atapi_pio_in(&f, buf, sizeof(buf), &blocks), 3 * 2048);
    CU_ASSERT_EQUAL(blocks, 3);
    CU_ASSERT_EQUAL(buf[0], 0x42);
    CU_ASSERT_EQUAL(buf[2048 * 3 - 1], 0x44);
    CU_ASSERT_EQUAL(inb(&f, 0x177), 0x50);
    /* READ(12) with a large limit: one block */
    uint8_t rd12[12] = { 0xa8, 0, 0, 0, 0, 6, 0, 0, 0, 2 };
    atapi_send(&f, rd12, 0xfffe, false);
    CU_ASSERT_EQUAL(atapi_pio_in(&f, buf, sizeof(buf), &blocks), 2 * 2048);
    CU_ASSERT_EQUAL(blocks, 1);
    CU_ASSERT_EQUAL(buf[4095], 0x47);
    /* READ past the end: ILLEGAL REQUEST, LBA out of range */
    uint8_t bad[12] = { 0x28, 0, 0, 0, 0, 7, 0, 0, 2 };
    atapi_send(&f, bad, 0xfffe, false);
    CU_ASSERT_EQUAL(inb(&f, 0x177) & 1, 1);
    CU_ASSERT_EQUAL(inb(&f, 0x171) >> 4, 5);
    atapi_send(&f, sense, 0xfffe, false);
    atapi_pio_in(&f, buf, sizeof(buf), &blocks);
    CU_ASSERT_EQUAL(buf[12], 0x21);
    /* unknown opcode */
    uint8_t unk[12] = { 0xee };
    atapi_send(&f, unk, 0xfffe, false);
    CU_ASSERT_EQUAL(inb(&f, 0x171) >> 4, 5);
    /* READ TOC (format 0, LBA), MODE SENSE page 2A, GET CONFIGURATION, GESN */
    uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 1, 0x03, 0x24 };
    atapi_send(&f, toc, 0xfffe, false);
    CU_ASSERT_EQUAL(atapi_pio_in(&f, buf, sizeof(buf), &blocks), 20);
    CU_ASSERT_EQUAL(buf[6], 1);                     /* track 1 */
    CU_ASSERT_EQUAL(buf[14], 0xaa);                 /* lead-out */
    CU_ASSERT_EQUAL(buf[19], 8);                    /* at LBA 8 */
    uint8_t ms[12] = { 0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 64 };
    atapi_send(&f, ms, 0xfffe, false);
    CU_ASSERT_EQUAL(atapi_pio_in(&f, buf, sizeof(buf), &blocks), 30);
    CU_ASSERT_EQUAL(buf[8], 0x2a);
    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 64 };
    atapi_send(&f, gc, 0xfffe, false);
    atapi_pio_in(&f, buf, sizeof(buf), &blocks);
    CU_ASSERT_EQUAL(buf[7], 0x08);                  /* current profile CD-ROM */
    uint8_t gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    atapi_send(&f, gesn, 0xfffe, false);
    CU_ASSERT_EQUAL(atapi_pio_in(&f, buf, sizeof(buf), &blocks), 8);
    CU_ASSERT_EQUAL(buf[5], 2);                     /* medium present */
    /* START STOP UNIT, PREVENT ALLOW */
    uint8_t pa[12] = { 0x1e, 0, 0, 0, 1 };
    atapi_send(&f, pa, 0xfffe, false);
    CU_ASSERT_EQUAL(inb(&f, 0x177), 0x50);
    uint8_t ss[12] = { 0x1b, 0, 0, 0, 1 };
    atapi_send(&f, ss, 0xfffe, false);
    CU_ASSERT_EQUAL(inb(&f, 0x177), 0x50);
    /* READ(10) by DMA: 4 sectors into 0x30000 */
    PhysMem *pm = f.m->mem;
    physmem_write(pm, 0x2000, 0x30000, 4);
    physmem_write(pm, 0x2004, 0x80000000u | 0x2000, 4);
    physmem_write(pm, 0x2008, 0x32000, 4);
    physmem_write(pm, 0x200c, 0x80000000u | 0x6000, 4);
    physmem_write(pm, 0x2000 + 4, 0x2000, 4);       /* first entry not last */
    outl(&f, BM + 12, 0x2000);
    uint8_t rdd[12] = { 0x28, 0, 0, 0, 0, 1, 0, 0, 4 };
    atapi_send(&f, rdd, 0xfffe, true);
    outb(&f, BM + 8, 0x09);
    CU_ASSERT_EQUAL(inb(&f, BM + 10) & 0x07, 0x04);
    CU_ASSERT_EQUAL(inb(&f, 0x177), 0x50);
    CU_ASSERT_EQUAL(inb(&f, 0x172), 3);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x30000, 1), 0x41);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x30000 + 4 * 2048 - 1, 1), 0x44);
    outb(&f, BM + 8, 0);
    fixture_free(&f);
}

/* a PRD table that ends before the data: error bit, no host memory touched
 * beyond RAM */
static void test_short_prd(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, true));
    PhysMem *pm = f.m->mem;
    physmem_write(pm, 0x1000, 0x1ff000, 4);        /* runs off the end of RAM */
    physmem_write(pm, 0x1004, 0x80000000u | 0x0200, 4);
    outl(&f, BM + 4, 0x1000);
    ata_cmd(&f, 0x1f0, 0xc8, 0, 4, false);
    outb(&f, BM, 0x09);
    CU_ASSERT_EQUAL(inb(&f, BM + 2) & 0x07, 0x06);  /* INTR + ERR */
    CU_ASSERT_EQUAL(inb(&f, 0x1f7) & 1, 1);
    /* a PRD pointing above RAM is dropped silently */
    physmem_write(pm, 0x1000, 0xfffff000u, 4);
    physmem_write(pm, 0x1004, 0x80000000u, 4);     /* 64 KiB, wraps 4 GiB */
    outb(&f, BM, 0);
    outb(&f, BM + 2, 0x06);
    ata_cmd(&f, 0x1f0, 0xc8, 0, 128, false);
    outb(&f, BM, 0x09);
    CU_ASSERT_EQUAL(inb(&f, BM + 2) & 0x04, 0x04);
    fixture_free(&f);
}

/* a 3 MiB READ DMA EXT: one port write moves at most 1 MiB, the rest
 * follows from the timer with the bus master ACTIVE and no interrupt
 * until the last step; stopping the bus master abandons the transfer */
static void test_dma_steps(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, true));
    PhysMem *pm = f.m->mem;
    const uint32_t count = 6144;                       /* 3 MiB */
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < count / 128; i++) {    /* 48 x 64 KiB, all to 0x20000 */
            physmem_write(pm, 0x1000 + i * 8, 0x20000, 4);
            physmem_write(pm, 0x1000 + i * 8 + 4, i == count / 128 - 1 ? 0x80000000u : 0, 4);
        }
        physmem_write(pm, 0x20000, 0xee, 1);
        outl(&f, BM + 4, 0x1000);
        outb(&f, BM + 2, 0x06);
        ata_cmd(&f, 0x1f0, 0x25, 0, count, true);
        outb(&f, BM, 0x09);
        CU_ASSERT_EQUAL(inb(&f, BM + 2) & 0x07, 0x01);  /* still active, no INTR */
        CU_ASSERT_EQUAL(f.level[0], 0);
        /* one step: 1 MiB, 16 pieces; 0x20000 holds the 16th piece's first sector */
        CU_ASSERT_EQUAL(physmem_read(pm, 0x20000, 1), (uint8_t)(15 * 128));
        if (round == 1) {                               /* stop: nothing more happens */
            outb(&f, BM, 0x08);
            for (int i = 0; i < 4; i++) {
                clock_advance(&f.m->clock, 1000000);
                clock_run_timers(&f.m->clock);
            }
            CU_ASSERT_EQUAL(inb(&f, BM + 2) & 0x07, 0x00);
            CU_ASSERT_EQUAL(f.level[0], 0);
            CU_ASSERT_EQUAL(physmem_read(pm, 0x20000, 1), (uint8_t)(15 * 128));
            break;
        }
        int steps = 0;
        while ((inb(&f, BM + 2) & 0x01) && steps < 10) {
            clock_advance(&f.m->clock, 1000000);
            clock_run_timers(&f.m->clock);
            steps++;
        }
        CU_ASSERT_EQUAL(steps, 2);
        CU_ASSERT_EQUAL(inb(&f, BM + 2) & 0x07, 0x04);  /* INTR, done, no error */
        CU_ASSERT_EQUAL(take_irq(&f), 1);
        CU_ASSERT_EQUAL(inb(&f, 0x1f7) & 0xf9, 0x50);
        for (uint32_t k = 0; k < 128; k++)              /* the last 64 KiB piece */
            CU_ASSERT_EQUAL(physmem_read(pm, 0x20000 + k * 512 + 511, 1),
                            (uint8_t)(count - 128 + k));
        outb(&f, BM, 0);
    }
    fixture_free(&f);
}

void register_ide_tests(void)
{
    CU_pSuite s = CU_add_suite("ide", NULL, NULL);
    CU_add_test(s, "ATA command table", test_ata_table);
    CU_add_test(s, "IDENTIFY, signatures, SET FEATURES", test_identify);
    CU_add_test(s, "SRST, nIEN, HOB, bus-master registers", test_reset_and_nien);
    CU_add_test(s, "ATAPI packets by PIO and DMA", test_atapi);
    CU_add_test(s, "short and wild PRD tables", test_short_prd);
    CU_add_test(s, "a long DMA goes in steps", test_dma_steps);
}
