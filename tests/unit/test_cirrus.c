/*
 * test_cirrus.c - unit tests for the CL-GD5446 (src/devices/cirrus.c) and
 * the VMware backdoor with the vmmouse (src/devices/vmport.c), through the
 * ports, the 0xA0000 window and the BAR decoders of a RAM-only machine:
 * register unlock and IDs, the hidden DAC, a 16 bpp mode rendered by
 * vga_render(), banking, the hardware cursor, each kind of blit with
 * known results, blits
 * reaching outside the 4 MiB of video memory (refused, nothing written),
 * and the backdoor protocol, also through a 32-bit IN with registers.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/cirrus.h"
#include "devices/vmport.h"

typedef struct CirrusFixture {
    Machine *m;
    CirrusState *c;
    uint8_t *vram;
} CirrusFixture;

static CirrusFixture fx_new(void)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 1u << 20;
    cfg.backend = BACKEND_INTERP;
    CirrusFixture f;
    f.m = machine_new(&cfg, &err);
    g_assert(f.m);
    clock_init(&f.m->clock, true);
    f.c = cirrus_init(&f.m->bus, NULL, &err);
    g_assert(f.c);
    f.vram = vga_vram(cirrus_vga(f.c));
    return f;
}

static void outb(CirrusFixture *f, uint16_t port, uint8_t v) { ioport_write(f->m->io, port, v, 1); }
static uint8_t inb(CirrusFixture *f, uint16_t port) { return ioport_read(f->m->io, port, 1); }
static void seq(CirrusFixture *f, uint8_t i, uint8_t v) { outb(f, 0x3c4, i); outb(f, 0x3c5, v); }
static uint8_t seq_rd(CirrusFixture *f, uint8_t i) { outb(f, 0x3c4, i); return inb(f, 0x3c5); }
static void gr(CirrusFixture *f, uint8_t i, uint8_t v) { outb(f, 0x3ce, i); outb(f, 0x3cf, v); }
static uint8_t gr_rd(CirrusFixture *f, uint8_t i) { outb(f, 0x3ce, i); return inb(f, 0x3cf); }
static void cr(CirrusFixture *f, uint8_t i, uint8_t v) { outb(f, 0x3d4, i); outb(f, 0x3d5, v); }
static uint8_t cr_rd(CirrusFixture *f, uint8_t i) { outb(f, 0x3d4, i); return inb(f, 0x3d5); }

static void set_hidden_dac(CirrusFixture *f, uint8_t v)
{
    outb(f, 0x3c6, 0xff);
    for (int i = 0; i < 4; i++)
        inb(f, 0x3c6);
    outb(f, 0x3c6, v);
}

/* a blit through the GR registers */
typedef struct Blit {
    unsigned w, h, dpitch, spitch;
    uint32_t dst, src;
    uint8_t mode, rop, modeext;
} Blit;

static void blit(CirrusFixture *f, const Blit *b)
{
    gr(f, 0x20, (b->w - 1) & 0xff); gr(f, 0x21, (b->w - 1) >> 8);
    gr(f, 0x22, (b->h - 1) & 0xff); gr(f, 0x23, (b->h - 1) >> 8);
    gr(f, 0x24, b->dpitch & 0xff);  gr(f, 0x25, b->dpitch >> 8);
    gr(f, 0x26, b->spitch & 0xff);  gr(f, 0x27, b->spitch >> 8);
    gr(f, 0x28, b->dst & 0xff); gr(f, 0x29, (b->dst >> 8) & 0xff); gr(f, 0x2a, b->dst >> 16);
    gr(f, 0x2c, b->src & 0xff); gr(f, 0x2d, (b->src >> 8) & 0xff); gr(f, 0x2e, b->src >> 16);
    gr(f, 0x30, b->mode);
    gr(f, 0x32, b->rop);
    gr(f, 0x33, b->modeext);
    gr(f, 0x31, 0x02);                  /* start */
}

static void test_cirrus_registers(void)
{
    CirrusFixture f = fx_new();
    /* SR6: locked reads 0x0F, the key 0x12 unlocks */
    CU_ASSERT_EQUAL(seq_rd(&f, 0x06), 0x0f);
    seq(&f, 0x06, 0x34);
    CU_ASSERT_EQUAL(seq_rd(&f, 0x06), 0x0f);
    seq(&f, 0x06, 0x12);
    CU_ASSERT_EQUAL(seq_rd(&f, 0x06), 0x12);
    /* the full index reads back (the VGA keeps 3 bits) */
    outb(&f, 0x3c4, 0x1f);
    CU_ASSERT_EQUAL(inb(&f, 0x3c4), 0x1f);
    /* ID, memory straps (SeaVGABIOS: bits 4:3 = 3 and bit 7 = 4 MiB), PCI bus */
    CU_ASSERT_EQUAL(cr_rd(&f, 0x27), 0xb8);
    cr(&f, 0x27, 0x00);
    CU_ASSERT_EQUAL(cr_rd(&f, 0x27), 0xb8);
    CU_ASSERT_EQUAL(seq_rd(&f, 0x0f) & 0x98, 0x98);
    seq(&f, 0x0f, 0x00);
    CU_ASSERT_EQUAL(seq_rd(&f, 0x0f) & 0x98, 0x98);
    CU_ASSERT_EQUAL((seq_rd(&f, 0x17) >> 3) & 7, 4);
    /* extended GR and CR registers hold their values; standard ones still work */
    gr(&f, 0x0b, 0x21);
    CU_ASSERT_EQUAL(gr_rd(&f, 0x0b), 0x21);
    gr(&f, 0x05, 0x40);
    CU_ASSERT_EQUAL(gr_rd(&f, 0x05), 0x40);
    cr(&f, 0x1b, 0x22);
    CU_ASSERT_EQUAL(cr_rd(&f, 0x1b), 0x22);
    CU_ASSERT_EQUAL(cr_rd(&f, 0x13), 0x28);         /* the VGA's mode 3 offset */
    CU_ASSERT_EQUAL(gr_rd(&f, 0x40), 0xff);         /* beyond GR3F */
    /* hidden DAC: four reads of 0x3C6, then the fifth access */
    set_hidden_dac(&f, 0xc1);
    CU_ASSERT_EQUAL(inb(&f, 0x3c6), 0xff);          /* pel mask again */
    inb(&f, 0x3c8);                                 /* another port: count again */
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(inb(&f, 0x3c6), 0xff);
    CU_ASSERT_EQUAL(inb(&f, 0x3c6), 0xc1);
    for (int i = 0; i < 3; i++)
        inb(&f, 0x3c6);
    inb(&f, 0x3c4);                                 /* another port: count again */
    CU_ASSERT_EQUAL(inb(&f, 0x3c6), 0xff);
    /* the BAR1 decoder reaches the VGA ports at 0x3C0 + offset */
    cirrus_mmio_write(f.c, 0x04, 0x06, 1);
    CU_ASSERT_EQUAL(cirrus_mmio_read(f.c, 0x05, 1), 0x12);
    machine_free(f.m);
}

static void test_cirrus_mode(void)
{
    CirrusFixture f = fx_new();
    seq(&f, 0x06, 0x12);
    /* 640x480 at 16 bpp 5:6:5 as the cirrus DRM driver sets it */
    cr(&f, 0x11, 0x00);
    cr(&f, 0x01, 640 / 8 - 1);
    cr(&f, 0x12, (480 - 1) & 0xff);
    cr(&f, 0x07, 0x02);                             /* VDE bit 8 */
    cr(&f, 0x13, (640 * 2 / 8) & 0xff);
    cr(&f, 0x1b, 0x22 | (((640 * 2 / 8) >> 8) << 4));
    cr(&f, 0x0c, 0); cr(&f, 0x0d, 0);
    gr(&f, 0x06, 0x05);                             /* graphics */
    seq(&f, 0x07, 0x17);
    set_hidden_dac(&f, 0xc1);
    /* pixel (3, 2) pure red through BAR0 */
    cirrus_lfb_write(f.c, 2 * 1280 + 3 * 2, 0xf800, 2);
    CU_ASSERT_EQUAL(f.vram[2 * 1280 + 6], 0x00);
    CU_ASSERT_EQUAL(f.vram[2 * 1280 + 7], 0xf8);
    VGAImage img = { 0 };
    CU_ASSERT_TRUE(vga_render(cirrus_vga(f.c), &img));
    CU_ASSERT_EQUAL(img.width, 640);
    CU_ASSERT_EQUAL(img.height, 480);
    const uint8_t *p = img.rgb + ((size_t)2 * 640 + 3) * 3;
    CU_ASSERT(p[0] == 255 && p[1] == 0 && p[2] == 0);
    /* 15 bpp by the hidden DAC: the same word is another colour */
    set_hidden_dac(&f, 0xc0);
    CU_ASSERT_TRUE(vga_render(cirrus_vga(f.c), &img));
    p = img.rgb + ((size_t)2 * 640 + 3) * 3;
    CU_ASSERT(p[0] == 255 * 0x1e / 31 && p[1] == 0 && p[2] == 0);
    /* start address: CR1B bit 0 is bit 16 of the dword address */
    set_hidden_dac(&f, 0xc1);
    cr(&f, 0x1b, 0x23);
    cirrus_lfb_write(f.c, 0x40000, 0x001f, 2);      /* blue at (0, 0) of the new start */
    CU_ASSERT_TRUE(vga_render(cirrus_vga(f.c), &img));
    CU_ASSERT(img.rgb[0] == 0 && img.rgb[1] == 0 && img.rgb[2] == 255);
    /* 32 bpp */
    seq(&f, 0x07, 0x19);
    cr(&f, 0x1b, 0x22);
    cirrus_lfb_write(f.c, 0, 0x00123456, 4);
    CU_ASSERT_TRUE(vga_render(cirrus_vga(f.c), &img));
    CU_ASSERT(img.rgb[0] == 0x12 && img.rgb[1] == 0x34 && img.rgb[2] == 0x56);
    vga_image_clear(&img);
    /* the 0xA0000 window: GR9 bank in 4 KiB units, GRB bit 5 = 16 KiB */
    gr(&f, 0x09, 3);
    physmem_write(f.m->mem, 0xA0010, 0x5a, 1);
    CU_ASSERT_EQUAL(f.vram[0x3010], 0x5a);
    gr(&f, 0x0b, 0x20);
    physmem_write(f.m->mem, 0xA0010, 0xa5, 1);
    CU_ASSERT_EQUAL(f.vram[0xC010], 0xa5);
    CU_ASSERT_EQUAL(physmem_read(f.m->mem, 0xA0010, 1), 0xa5);
    /* dual page: 0xA8000 uses GRA */
    gr(&f, 0x0b, 0x21);
    gr(&f, 0x0a, 1);
    physmem_write(f.m->mem, 0xA8004, 0x77, 1);
    CU_ASSERT_EQUAL(f.vram[0x4004], 0x77);
    /* back to standard VGA: the window is the VGA's again (mode 3 text) */
    seq(&f, 0x07, 0x00);
    gr(&f, 0x06, 0x0e);
    physmem_write(f.m->mem, 0xB8000, 'A', 1);
    CU_ASSERT_EQUAL(f.vram[0], 'A');
    machine_free(f.m);
}

static void test_cirrus_cursor(void)
{
    CirrusFixture f = fx_new();
    seq(&f, 0x06, 0x12);
    cr(&f, 0x11, 0x00);
    cr(&f, 0x01, 640 / 8 - 1);
    cr(&f, 0x12, (480 - 1) & 0xff);
    cr(&f, 0x07, 0x02);
    cr(&f, 0x13, 640 / 8);
    gr(&f, 0x06, 0x05);
    seq(&f, 0x07, 0x01);                            /* 8 bpp */
    /* the cursor's colours through the extended DAC entries 0 and 15 */
    seq(&f, 0x12, 0x02);
    outb(&f, 0x3c8, 0x00);
    outb(&f, 0x3c9, 63); outb(&f, 0x3c9, 0); outb(&f, 0x3c9, 0);     /* colour 0: red */
    outb(&f, 0x3c8, 0x0f);
    outb(&f, 0x3c9, 0); outb(&f, 0x3c9, 63); outb(&f, 0x3c9, 0);     /* colour 1: green */
    outb(&f, 0x3c7, 0x0f);
    CU_ASSERT(inb(&f, 0x3c9) == 0 && inb(&f, 0x3c9) == 63 && inb(&f, 0x3c9) == 0);
    seq(&f, 0x12, 0x01);                            /* shown, 32x32, DAC back */
    outb(&f, 0x3c7, 0x00);
    CU_ASSERT_EQUAL(inb(&f, 0x3c9), 0);             /* the VGA's entry 0 kept black */
    /* pattern 0: row 0 plane 0 = 11000000, plane 1 = 10100000 */
    uint32_t base = CIRRUS_VRAM_SIZE - 16384;
    f.vram[base] = 0xc0;
    f.vram[base + 128] = 0xa0;
    /* position (13, 7): SR10/SR11 hold bits 10:3, the index bits 7:5 bits 2:0 */
    seq(&f, 0x10 | (13 & 7) << 5, 13 >> 3);
    seq(&f, 0x11 | (7 & 7) << 5, 7 >> 3);
    VGAImage img = { 0 };
    CU_ASSERT_TRUE(vga_render(cirrus_vga(f.c), &img));
    const uint8_t *p = img.rgb + ((size_t)7 * 640 + 13) * 3;
    CU_ASSERT(p[0] == 0 && p[1] == 255 && p[2] == 0);           /* 11: colour 1 */
    CU_ASSERT(p[3] == 255 && p[4] == 255 && p[5] == 255);       /* 01: black inverted */
    CU_ASSERT(p[6] == 255 && p[7] == 0 && p[8] == 0);           /* 10: colour 0 */
    CU_ASSERT(p[9] == 0 && p[10] == 0 && p[11] == 0);           /* 00: the screen */
    /* hidden: the frame alone */
    seq(&f, 0x12, 0x00);
    CU_ASSERT_TRUE(vga_render(cirrus_vga(f.c), &img));
    p = img.rgb + ((size_t)7 * 640 + 13) * 3;
    CU_ASSERT(p[0] == 0 && p[1] == 0 && p[2] == 0);
    /* a cursor hanging off the right and bottom edges is clipped */
    seq(&f, 0x12, 0x05);                            /* 64x64 */
    seq(&f, 0x10 | (7 << 5), 639 >> 3);
    seq(&f, 0x11 | (7 << 5), 479 >> 3);
    memset(f.vram + base, 0xff, 1024);
    CU_ASSERT_TRUE(vga_render(cirrus_vga(f.c), &img));
    p = img.rgb + ((size_t)479 * 640 + 639) * 3;
    CU_ASSERT(p[0] == 0 && p[1] == 255 && p[2] == 0);
    vga_image_clear(&img);
    machine_free(f.m);
}

static void fill(uint8_t *v, uint32_t at, unsigned n, uint8_t seed)
{
    for (unsigned i = 0; i < n; i++)
        v[at + i] = (uint8_t)(seed + i * 7);
}

static void test_cirrus_blit_copy(void)
{
    CirrusFixture f = fx_new();
    uint8_t *v = f.vram;
    /* forward screen to screen, 8 bpp, SRCCOPY: 10x4 from pitch 64 to pitch 128 */
    for (int y = 0; y < 4; y++)
        fill(v, 0x1000 + y * 64, 10, (uint8_t)(y * 16));
    blit(&f, &(Blit){ .w = 10, .h = 4, .dpitch = 128, .spitch = 64,
                      .dst = 0x20000, .src = 0x1000, .rop = 0x0d });
    for (int y = 0; y < 4; y++)
        CU_ASSERT_EQUAL(memcmp(v + 0x20000 + y * 128, v + 0x1000 + y * 64, 10), 0);
    CU_ASSERT_EQUAL(v[0x20000 + 10], 0);
    CU_ASSERT_EQUAL(gr_rd(&f, 0x31) & 0x03, 0);     /* done, not busy */
    /* ROP: XOR onto a known destination */
    memset(v + 0x30000, 0xff, 16);
    fill(v, 0x31000, 16, 1);
    blit(&f, &(Blit){ .w = 16, .h = 1, .dst = 0x30000, .src = 0x31000, .rop = 0x59 });
    for (int i = 0; i < 16; i++)
        CU_ASSERT_EQUAL(v[0x30000 + i], (uint8_t)~(1 + i * 7));
    /* ROP 0 (BLACKNESS) and NOT D */
    blit(&f, &(Blit){ .w = 4, .h = 1, .dst = 0x30000, .src = 0x31000, .rop = 0x00 });
    CU_ASSERT_EQUAL(v[0x30000] | v[0x30001] | v[0x30002] | v[0x30003], 0);
    blit(&f, &(Blit){ .w = 2, .h = 1, .dst = 0x30000, .src = 0x31000, .rop = 0x0b });
    CU_ASSERT(v[0x30000] == 0xff && v[0x30001] == 0xff && v[0x30002] == 0);
    /* backwards, overlapping: move a 8-byte run up by 3 within one row */
    fill(v, 0x40000, 8, 100);
    uint8_t want[8];
    memcpy(want, v + 0x40000, 8);
    blit(&f, &(Blit){ .w = 8, .h = 1, .dst = 0x40000 + 3 + 7, .src = 0x40000 + 7,
                      .mode = 0x01, .rop = 0x0d });
    CU_ASSERT_EQUAL(memcmp(v + 0x40003, want, 8), 0);
    /* the same through the BAR1 BitBLT registers, 16 bpp */
    fill(v, 0x50000, 8, 9);
    cirrus_mmio_write(f.c, 0x108, 8 - 1, 2);        /* width */
    cirrus_mmio_write(f.c, 0x10a, 0, 2);            /* height */
    cirrus_mmio_write(f.c, 0x110, 0x60000, 4);      /* destination (0x113 is nothing) */
    cirrus_mmio_write(f.c, 0x114, 0x50000, 4);      /* source */
    cirrus_mmio_write(f.c, 0x118, 0x10, 1);         /* 16 bpp */
    cirrus_mmio_write(f.c, 0x11a, 0x0d, 1);
    cirrus_mmio_write(f.c, 0x11b, 0x00, 1);
    cirrus_mmio_write(f.c, 0x140, 0x02, 1);
    CU_ASSERT_EQUAL(memcmp(v + 0x60000, v + 0x50000, 8), 0);
    CU_ASSERT_EQUAL(cirrus_mmio_read(f.c, 0x140, 1) & 1, 0);
    /* transparency key (8 bpp): source bytes equal to GR34 are skipped */
    memset(v + 0x70000, 0xee, 4);
    v[0x71000] = 1; v[0x71001] = 0x42; v[0x71002] = 3; v[0x71003] = 0x42;
    gr(&f, 0x34, 0x42);
    gr(&f, 0x35, 0x00);
    blit(&f, &(Blit){ .w = 4, .h = 1, .dst = 0x70000, .src = 0x71000, .mode = 0x08, .rop = 0x0d });
    CU_ASSERT(v[0x70000] == 1 && v[0x70001] == 0xee && v[0x70002] == 3 && v[0x70003] == 0xee);
    CU_ASSERT_EQUAL(cirrus_blits_rejected(f.c), 0);
    machine_free(f.m);
}

static void test_cirrus_blit_expand(void)
{
    CirrusFixture f = fx_new();
    uint8_t *v = f.vram;
    /* colour expansion from video memory, 8 bpp: bits 10110000 */
    gr(&f, 0x00, 0x11);                             /* background */
    gr(&f, 0x01, 0x99);                             /* foreground */
    v[0x1000] = 0xb0;
    blit(&f, &(Blit){ .w = 8, .h = 1, .dst = 0x2000, .src = 0x1000, .mode = 0x80, .rop = 0x0d });
    static const uint8_t e8[8] = { 0x99, 0x11, 0x99, 0x99, 0x11, 0x11, 0x11, 0x11 };
    CU_ASSERT_EQUAL(memcmp(v + 0x2000, e8, 8), 0);
    /* with transparency: zeros leave the destination */
    memset(v + 0x3000, 0x55, 8);
    blit(&f, &(Blit){ .w = 8, .h = 1, .dst = 0x3000, .src = 0x1000, .mode = 0x88, .rop = 0x0d });
    static const uint8_t t8[8] = { 0x99, 0x55, 0x99, 0x99, 0x55, 0x55, 0x55, 0x55 };
    CU_ASSERT_EQUAL(memcmp(v + 0x3000, t8, 8), 0);
    /* 16 bpp colours use GR1/GR11 and GR0/GR10 */
    gr(&f, 0x11, 0xab);
    gr(&f, 0x10, 0xcd);
    v[0x1001] = 0x80;
    blit(&f, &(Blit){ .w = 4, .h = 1, .dst = 0x4000, .src = 0x1001, .mode = 0x90, .rop = 0x0d });
    CU_ASSERT(v[0x4000] == 0x99 && v[0x4001] == 0xab && v[0x4002] == 0x11 && v[0x4003] == 0xcd);
    /* 8x8 colour pattern fill, 8 bpp: 16x10 bytes at pitch 32 */
    for (int i = 0; i < 64; i++)
        v[0x8000 + i] = (uint8_t)i;
    blit(&f, &(Blit){ .w = 16, .h = 10, .dpitch = 32, .dst = 0x9000, .src = 0x8000,
                      .mode = 0x40, .rop = 0x0d });
    int bad = 0;
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 16; x++)
            bad += v[0x9000 + y * 32 + x] != (uint8_t)((y & 7) * 8 + (x & 7));
    CU_ASSERT_EQUAL(bad, 0);
    /* colour-expanded pattern with solid fill (cirrusfb's rectangle fill), 32 bpp */
    gr(&f, 0x01, 0x01); gr(&f, 0x11, 0x02); gr(&f, 0x13, 0x03); gr(&f, 0x15, 0x04);
    blit(&f, &(Blit){ .w = 12, .h = 2, .dpitch = 64, .dst = 0xA000, .src = 0,
                      .mode = 0xf0, .rop = 0x0d, .modeext = 0x04 });
    static const uint8_t s32[4] = { 1, 2, 3, 4 };
    bad = 0;
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
            bad += memcmp(v + 0xA000 + y * 64 + x * 4, s32, 4) != 0;
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(v[0xA000 + 12], 0);
    /* system-memory source with colour expansion through BAR0: 16x2 pixels
     * of 8 bpp, two bytes of bits per row */
    gr(&f, 0x00, 0x00); gr(&f, 0x01, 0xff);
    blit(&f, &(Blit){ .w = 16, .h = 2, .dpitch = 16, .dst = 0xB000, .mode = 0x84, .rop = 0x0d });
    CU_ASSERT_EQUAL(gr_rd(&f, 0x31) & 1, 1);        /* waiting for data */
    cirrus_lfb_write(f.c, 0, 0x0f00ff81, 4);        /* rows 81 ff, 00 0f */
    CU_ASSERT_EQUAL(gr_rd(&f, 0x31) & 1, 0);
    static const uint8_t r0[16] = { 0xff, 0, 0, 0, 0, 0, 0, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t r1[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
    CU_ASSERT_EQUAL(memcmp(v + 0xB000, r0, 16), 0);
    CU_ASSERT_EQUAL(memcmp(v + 0xB010, r1, 16), 0);
    CU_ASSERT_EQUAL(v[0], 0);                       /* the data did not reach vram */
    /* system-memory source, plain copy, through the 0xA0000 window */
    blit(&f, &(Blit){ .w = 4, .h = 1, .dst = 0xC000, .mode = 0x04, .rop = 0x0d });
    physmem_write(f.m->mem, 0xA0000, 0x44332211, 4);
    CU_ASSERT(v[0xC000] == 0x11 && v[0xC001] == 0x22 && v[0xC002] == 0x33 && v[0xC003] == 0x44);
    /* reset abandons a blit that waits for data */
    blit(&f, &(Blit){ .w = 4, .h = 1, .dst = 0xD000, .mode = 0x04, .rop = 0x0d });
    gr(&f, 0x31, 0x04);
    CU_ASSERT_EQUAL(gr_rd(&f, 0x31) & 1, 0);
    cirrus_lfb_write(f.c, 0xD000, 0x01010101, 4);   /* a plain framebuffer write again */
    CU_ASSERT_EQUAL(v[0xD000], 1);
    machine_free(f.m);
}

static void test_cirrus_blit_bounds(void)
{
    CirrusFixture f = fx_new();
    uint8_t *v = f.vram;
    const uint32_t top = CIRRUS_VRAM_SIZE;
    /* the video memory buffer is larger than the chip's 4 MiB: a marker
     * above it must survive every refused blit */
    memset(v + top, 0x5a, 64);
    memset(v + top - 256, 0x33, 256);
    unsigned before = cirrus_blits_rejected(f.c);
    /* destination rows running past the end */
    blit(&f, &(Blit){ .w = 64, .h = 8, .dpitch = 64, .dst = top - 128, .src = 0, .rop = 0x0e });
    /* backwards below address 0 */
    blit(&f, &(Blit){ .w = 64, .h = 4, .dpitch = 64, .dst = 100, .src = 0x1000,
                      .mode = 0x01, .rop = 0x0d });
    /* source past the end */
    blit(&f, &(Blit){ .w = 256, .h = 2, .spitch = 256, .dst = 0x1000, .src = top - 256,
                      .rop = 0x0d });
    /* largest width and height at the last address */
    blit(&f, &(Blit){ .w = 8192, .h = 2048, .dpitch = 8191, .spitch = 8191, .dst = top - 1,
                      .src = top - 1, .rop = 0x0d });
    /* system-source blit whose destination does not fit */
    blit(&f, &(Blit){ .w = 16, .h = 4, .dpitch = 0x1000, .dst = top - 0x2000, .mode = 0x04,
                      .rop = 0x0d });
    CU_ASSERT_EQUAL(cirrus_blits_rejected(f.c) - before, 5);
    CU_ASSERT_EQUAL(gr_rd(&f, 0x31) & 1, 0);
    uint8_t mark[64];
    memset(mark, 0x5a, sizeof(mark));
    CU_ASSERT_EQUAL(memcmp(v + top, mark, 64), 0);
    int bad = 0;
    for (int i = 0; i < 256; i++)
        bad += v[top - 256 + i] != 0x33;
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(v[0], 0);
    CU_ASSERT_EQUAL(v[0x1000], 0);
    /* the last byte itself is fine */
    v[0x100] = 0x77;
    blit(&f, &(Blit){ .w = 1, .h = 1, .dst = top - 1, .src = 0x100, .rop = 0x0d });
    CU_ASSERT_EQUAL(v[top - 1], 0x77);
    CU_ASSERT_EQUAL(cirrus_blits_rejected(f.c) - before, 5);
    /* BAR0 aliases: an offset beyond 4 MiB wraps into the chip's memory */
    cirrus_lfb_write(f.c, top + 8, 0x99, 1);
    CU_ASSERT_EQUAL(v[8], 0x99);
    CU_ASSERT_EQUAL(v[top + 8], 0x5a);
    machine_free(f.m);
}

/* the registers a test IN sees */
static uint32_t test_regs[8];
static uint32_t *test_cpu_regs(void *opaque)
{
    return test_regs;
}

static void test_vmport(void)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 1u << 20;
    cfg.backend = BACKEND_INTERP;
    Machine *m = machine_new(&cfg, &err);
    g_assert(m);
    VMPortState *vp = vmport_init(&m->bus, NULL, &err);
    g_assert(vp);
    uint32_t r[8];
    /* GETVERSION: EAX version, EBX magic; no magic: nothing */
    memset(r, 0, sizeof(r));
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_GETVERSION; r[3] = 0;
    vmport_call(vp, r);
    CU_ASSERT_EQUAL(r[0], 6);
    CU_ASSERT_EQUAL(r[3], VMPORT_MAGIC);
    r[0] = 0x1234; r[1] = VMPORT_CMD_GETVERSION; r[3] = 0;
    vmport_call(vp, r);
    CU_ASSERT_EQUAL(r[0], 0xffffffffu);
    CU_ASSERT_EQUAL(r[3], 0);
    r[0] = VMPORT_MAGIC; r[1] = 0xffff; r[3] = 7;      /* unknown: all ones, EBX kept */
    vmport_call(vp, r);
    CU_ASSERT(r[0] == 0xffffffffu && r[3] == 7);
    /* disabled: status is the error value, events are not taken */
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_STATUS;
    vmport_call(vp, r);
    CU_ASSERT_EQUAL(r[0], VMMOUSE_STATUS_ERROR);
    CU_ASSERT_FALSE(vmmouse_absolute(vp, 10, 20, 0, 1));
    /* the Linux driver's start: READ_ID, one word = the version id */
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_COMMAND; r[3] = VMMOUSE_CMD_READ_ID;
    vmport_call(vp, r);
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_STATUS;
    vmport_call(vp, r);
    CU_ASSERT_EQUAL(r[0], 1);
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_DATA; r[3] = 1;
    vmport_call(vp, r);
    CU_ASSERT_EQUAL(r[0], VMMOUSE_VERSION_ID);
    /* relative mode still: the front end must send relative events */
    CU_ASSERT_FALSE(vmmouse_absolute(vp, 10, 20, 0, 1));
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_COMMAND;
    r[3] = VMMOUSE_CMD_REQUEST_ABSOLUTE;
    vmport_call(vp, r);
    CU_ASSERT_TRUE(vmmouse_is_absolute(vp));
    CU_ASSERT_TRUE(vmmouse_absolute(vp, 0x8000, 0xffff, -1, 1 | 4));
    /* through the port: a 32-bit IN with the registers of the "CPU" */
    m->io->cpu_regs = test_cpu_regs;
    memset(test_regs, 0, sizeof(test_regs));
    test_regs[0] = VMPORT_MAGIC; test_regs[1] = VMPORT_CMD_ABSPOINTER_STATUS;
    test_regs[2] = VMPORT_PORT;
    CU_ASSERT_EQUAL(ioport_read(m->io, VMPORT_PORT, 4), 4);
    test_regs[0] = VMPORT_MAGIC; test_regs[1] = VMPORT_CMD_ABSPOINTER_DATA;
    test_regs[3] = 4;
    uint32_t eax = ioport_read(m->io, VMPORT_PORT, 4);
    CU_ASSERT_EQUAL(eax, VMMOUSE_LEFT_BUTTON | VMMOUSE_MIDDLE_BUTTON);
    CU_ASSERT_EQUAL(test_regs[0], VMPORT_MAGIC);    /* EAX is the IN's result, not written */
    CU_ASSERT_EQUAL(test_regs[3], 0x8000);          /* EBX = x */
    CU_ASSERT_EQUAL(test_regs[1], 0xffff);          /* ECX = y */
    CU_ASSERT_EQUAL(test_regs[2], 0xffffffffu);     /* EDX = wheel -1 */
    /* a byte read, or no registers: all ones, nothing changes */
    CU_ASSERT_EQUAL(ioport_read(m->io, VMPORT_PORT, 1), 0xff);
    m->io->cpu_regs = NULL;
    CU_ASSERT_EQUAL(ioport_read(m->io, VMPORT_PORT, 4), 0xffffffffu);
    /* coordinates are clamped; DISABLE empties and stops */
    CU_ASSERT_TRUE(vmmouse_absolute(vp, 0x12345, 3, 0, 0));
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_DATA; r[3] = 4;
    vmport_call(vp, r);
    CU_ASSERT_EQUAL(r[3], 0xffff);
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_COMMAND; r[3] = VMMOUSE_CMD_DISABLE;
    vmport_call(vp, r);
    CU_ASSERT_FALSE(vmmouse_is_absolute(vp));
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_STATUS;
    vmport_call(vp, r);
    CU_ASSERT_EQUAL(r[0], VMMOUSE_STATUS_ERROR);
    /* reading more than is queued is an error, not stale data */
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_COMMAND; r[3] = VMMOUSE_CMD_READ_ID;
    vmport_call(vp, r);
    r[0] = VMPORT_MAGIC; r[1] = VMPORT_CMD_ABSPOINTER_DATA; r[3] = 4;
    vmport_call(vp, r);
    CU_ASSERT_EQUAL(r[0], VMMOUSE_STATUS_ERROR);
    machine_free(m);
}

void register_cirrus_tests(void)
{
    CU_pSuite s = CU_add_suite("cirrus", NULL, NULL);
    CU_add_test(s, "registers: SR6 unlock, IDs, memory straps, hidden DAC, BAR1",
                test_cirrus_registers);
    CU_add_test(s, "16/15/32 bpp scan-out, start address, banked window", test_cirrus_mode);
    CU_add_test(s, "hardware cursor: colours, planes, position, clipping", test_cirrus_cursor);
    CU_add_test(s, "blits: copy, ROPs, backwards, MMIO registers, transparency",
                test_cirrus_blit_copy);
    CU_add_test(s, "blits: colour expansion, patterns, solid fill, system source",
                test_cirrus_blit_expand);
    CU_add_test(s, "blits outside video memory are refused", test_cirrus_blit_bounds);
    CU_add_test(s, "vmport backdoor and vmmouse protocol", test_vmport);
}
