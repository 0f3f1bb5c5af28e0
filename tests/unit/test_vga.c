/*
 * test_vga.c - unit tests for the VGA adapter (src/devices/vga.c) and the
 * screenshot writers (src/ui/screenshot.c), through the port and memory
 * interfaces of a RAM-only machine with a manual clock: register
 * behaviour, the planar write and read modes, chain-4 and odd/even
 * addressing, the Bochs VBE registers and framebuffer, rendering of text
 * mode, mode 13h and mode 12h, the PNG and text dumps.
 */
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/vga.h"
#include "ui/screenshot.h"

typedef struct VgaFixture {
    Machine *m;
    VGAState *vga;
} VgaFixture;

static VgaFixture fx_new(void)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 1u << 20;
    cfg.backend = BACKEND_INTERP;
    VgaFixture f;
    f.m = machine_new(&cfg, &err);
    g_assert(f.m);
    clock_init(&f.m->clock, true);
    f.vga = vga_init(&f.m->bus, NULL, &err);
    g_assert(f.vga);
    return f;
}

static void outb(VgaFixture *f, uint16_t port, uint8_t v) { ioport_write(f->m->io, port, v, 1); }
static uint8_t inb(VgaFixture *f, uint16_t port) { return ioport_read(f->m->io, port, 1); }
static void outw(VgaFixture *f, uint16_t port, uint16_t v) { ioport_write(f->m->io, port, v, 2); }
static uint16_t inw(VgaFixture *f, uint16_t port) { return ioport_read(f->m->io, port, 2); }
static void wrm(VgaFixture *f, uint32_t a, uint8_t v) { physmem_write(f->m->mem, a, v, 1); }
static uint8_t rdm(VgaFixture *f, uint32_t a) { return physmem_read(f->m->mem, a, 1); }
static void seq(VgaFixture *f, uint8_t i, uint8_t v) { outb(f, 0x3c4, i); outb(f, 0x3c5, v); }
static void gr(VgaFixture *f, uint8_t i, uint8_t v) { outb(f, 0x3ce, i); outb(f, 0x3cf, v); }
static void vbe(VgaFixture *f, uint16_t i, uint16_t v) { outw(f, 0x1ce, i); outw(f, 0x1cf, v); }
static uint16_t vbe_rd(VgaFixture *f, uint16_t i) { outw(f, 0x1ce, i); return inw(f, 0x1cf); }

/* a whole register set, as a mode table of a VGA BIOS */
typedef struct VgaMode {
    uint8_t misc, seq[5], crtc[25], gr[9], ar[21];
} VgaMode;

static const VgaMode mode13 = {
    0x63, { 0x03, 0x01, 0x0f, 0x00, 0x0e },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
      0x0c, 0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00 },
};
static const VgaMode mode12 = {
    0xe3, { 0x03, 0x01, 0x0f, 0x00, 0x06 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0xea, 0x0c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b,
      0x3c, 0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00 },
};

static void set_mode(VgaFixture *f, const VgaMode *md)
{
    outb(f, 0x3c2, md->misc);
    for (int i = 0; i < 5; i++)
        seq(f, i, md->seq[i]);
    outb(f, 0x3d4, 0x11);
    outb(f, 0x3d5, 0x00);               /* unprotect CR0-7 */
    for (int i = 0; i < 25; i++) {
        outb(f, 0x3d4, i);
        outb(f, 0x3d5, md->crtc[i]);
    }
    for (int i = 0; i < 9; i++)
        gr(f, i, md->gr[i]);
    inb(f, 0x3da);
    for (int i = 0; i < 21; i++) {
        outb(f, 0x3c0, i);
        outb(f, 0x3c0, md->ar[i]);
    }
    outb(f, 0x3c0, 0x20);               /* display on */
}

static void test_vga_registers(void)
{
    VgaFixture f = fx_new();
    /* reset state: mode 3, colour CRTC */
    CU_ASSERT_EQUAL(inb(&f, 0x3cc), 0x67);
    outb(&f, 0x3d4, 0x01);
    CU_ASSERT_EQUAL(inb(&f, 0x3d5), 0x4f);
    CU_ASSERT_EQUAL(inb(&f, 0x3b5), 0xff);          /* mono CRTC not decoded */
    /* index/data pairs, also as one 16-bit write */
    outw(&f, 0x3c4, 0x0a02);
    CU_ASSERT_EQUAL(inb(&f, 0x3c4), 0x02);
    CU_ASSERT_EQUAL(inb(&f, 0x3c5), 0x0a);
    outw(&f, 0x3ce, 0x5508);
    CU_ASSERT_EQUAL(inb(&f, 0x3cf), 0x55);
    /* CRTC write protect (CR11 bit 7) keeps CR0-6, CR7 only bit 4 */
    outw(&f, 0x3d4, 0x8011);
    outw(&f, 0x3d4, 0x1201);
    outb(&f, 0x3d4, 0x01);
    CU_ASSERT_EQUAL(inb(&f, 0x3d5), 0x4f);
    outw(&f, 0x3d4, 0xff07);
    outb(&f, 0x3d4, 0x07);
    CU_ASSERT_EQUAL(inb(&f, 0x3d5), 0x1f | 0x10);
    outw(&f, 0x3d4, 0x0011);
    outw(&f, 0x3d4, 0x1201);
    outb(&f, 0x3d4, 0x01);
    CU_ASSERT_EQUAL(inb(&f, 0x3d5), 0x12);
    /* mono: misc bit 0 clear moves the CRTC to 0x3B4 */
    outb(&f, 0x3c2, 0x66);
    outb(&f, 0x3b4, 0x0a);
    CU_ASSERT_EQUAL(inb(&f, 0x3b5), 0x0d);
    CU_ASSERT_EQUAL(inb(&f, 0x3d5), 0xff);
    outb(&f, 0x3c2, 0x67);
    /* attribute controller: 0x3DA resets the flip-flop to "index" */
    inb(&f, 0x3da);
    outb(&f, 0x3c0, 0x05);
    outb(&f, 0x3c0, 0x2a);
    CU_ASSERT_EQUAL(inb(&f, 0x3c0), 0x05);
    CU_ASSERT_EQUAL(inb(&f, 0x3c1), 0x2a);
    outb(&f, 0x3c0, 0x20);
    /* DAC: three writes per entry, auto-increment; read back the same */
    outb(&f, 0x3c8, 0x10);
    static const uint8_t rgb[6] = { 0x3f, 0x20, 0x01, 0x02, 0x03, 0x04 };
    for (int i = 0; i < 6; i++)
        outb(&f, 0x3c9, rgb[i]);
    CU_ASSERT_EQUAL(inb(&f, 0x3c8), 0x12);
    CU_ASSERT_EQUAL(inb(&f, 0x3c7), 0x00);
    outb(&f, 0x3c7, 0x10);
    CU_ASSERT_EQUAL(inb(&f, 0x3c7), 0x03);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(inb(&f, 0x3c9), rgb[i]);
    /* input status 1: vertical retrace during the first ms of a frame */
    CU_ASSERT_EQUAL(inb(&f, 0x3da) & 0x08, 0x08);
    clock_advance(&f.m->clock, 5000000);
    CU_ASSERT_EQUAL(inb(&f, 0x3da) & 0x08, 0x00);
    uint8_t a = inb(&f, 0x3da) & 1, b = inb(&f, 0x3da) & 1;
    CU_ASSERT_NOT_EQUAL(a, b);                      /* horizontal retrace toggles */
    machine_free(f.m);
}

/* planar write modes: planes preloaded, latches loaded by a read, then one
 * write with the graphics controller set up; the four planes checked */
typedef struct WriteCase {
    const char *what;
    uint8_t mode, sr_val, sr_en, rot_func, mask, map_mask;
    uint8_t value;
    uint8_t before[4], after[4];
} WriteCase;

static const WriteCase write_cases[] = {
    { "mode 0 plain", 0, 0, 0, 0x00, 0xff, 0x0f, 0xa5,
      { 0x11, 0x22, 0x33, 0x44 }, { 0xa5, 0xa5, 0xa5, 0xa5 } },
    { "mode 0 map mask", 0, 0, 0, 0x00, 0xff, 0x05, 0xa5,
      { 0x11, 0x22, 0x33, 0x44 }, { 0xa5, 0x22, 0xa5, 0x44 } },
    { "mode 0 bit mask", 0, 0, 0, 0x00, 0xf0, 0x0f, 0xff,
      { 0x11, 0x22, 0x33, 0x44 }, { 0xf1, 0xf2, 0xf3, 0xf4 } },
    { "mode 0 set/reset", 0, 0x05, 0x0f, 0x00, 0xff, 0x0f, 0x12,
      { 0x11, 0x22, 0x33, 0x44 }, { 0xff, 0x00, 0xff, 0x00 } },
    { "mode 0 set/reset enable partial", 0, 0x0f, 0x03, 0x00, 0xff, 0x0f, 0x12,
      { 0x11, 0x22, 0x33, 0x44 }, { 0xff, 0xff, 0x12, 0x12 } },
    { "mode 0 rotate 4", 0, 0, 0, 0x04, 0xff, 0x0f, 0x12,
      { 0x11, 0x22, 0x33, 0x44 }, { 0x21, 0x21, 0x21, 0x21 } },
    { "mode 0 AND", 0, 0, 0, 0x08, 0xff, 0x0f, 0x0f,
      { 0x11, 0x22, 0x33, 0x44 }, { 0x01, 0x02, 0x03, 0x04 } },
    { "mode 0 OR", 0, 0, 0, 0x10, 0xff, 0x0f, 0x80,
      { 0x11, 0x22, 0x33, 0x44 }, { 0x91, 0xa2, 0xb3, 0xc4 } },
    { "mode 0 XOR", 0, 0, 0, 0x18, 0xff, 0x0f, 0xff,
      { 0x11, 0x22, 0x33, 0x44 }, { 0xee, 0xdd, 0xcc, 0xbb } },
    { "mode 1 copies the latches", 1, 0, 0, 0x00, 0x00, 0x0f, 0x00,
      { 0x11, 0x22, 0x33, 0x44 }, { 0x11, 0x22, 0x33, 0x44 } },
    { "mode 2 colour", 2, 0, 0, 0x00, 0xff, 0x0f, 0x09,
      { 0x11, 0x22, 0x33, 0x44 }, { 0xff, 0x00, 0x00, 0xff } },
    { "mode 2 colour, bit mask", 2, 0, 0, 0x00, 0x0f, 0x0f, 0x09,
      { 0x11, 0x22, 0x33, 0x44 }, { 0x1f, 0x20, 0x30, 0x4f } },
    { "mode 3 value ANDs the bit mask", 3, 0x06, 0, 0x00, 0xff, 0x0f, 0x3c,
      { 0x11, 0x22, 0x33, 0x44 }, { 0x01, 0x3e, 0x3f, 0x40 } },
    { "mode 3 with rotate", 3, 0x0f, 0, 0x04, 0x0f, 0x0f, 0x30,
      { 0x00, 0x00, 0x00, 0x00 }, { 0x03, 0x03, 0x03, 0x03 } },
};

static void planar_setup(VgaFixture *f)
{
    set_mode(f, &mode12);
}

static void test_vga_write_modes(void)
{
    VgaFixture f = fx_new();
    planar_setup(&f);
    for (size_t i = 0; i < G_N_ELEMENTS(write_cases); i++) {
        const WriteCase *c = &write_cases[i];
        uint32_t a = 0xa0000 + 0x100 + i;
        gr(&f, 5, 0x00); gr(&f, 1, 0); gr(&f, 3, 0); gr(&f, 8, 0xff);
        for (int p = 0; p < 4; p++) {
            seq(&f, 2, 1 << p);
            wrm(&f, a, c->before[p]);
        }
        (void)rdm(&f, a);                   /* load the latches */
        seq(&f, 2, c->map_mask);
        gr(&f, 0, c->sr_val);
        gr(&f, 1, c->sr_en);
        gr(&f, 3, c->rot_func);
        gr(&f, 8, c->mask);
        gr(&f, 5, c->mode);
        wrm(&f, a, c->value);
        gr(&f, 5, 0x00);
        for (int p = 0; p < 4; p++) {
            gr(&f, 4, p);
            uint8_t got = rdm(&f, a);
            if (got != c->after[p])
                fprintf(stderr, "\n  %s: plane %d = %02x, want %02x\n", c->what, p, got,
                        c->after[p]);
            CU_ASSERT_EQUAL(got, c->after[p]);
        }
    }
    /* read mode 1: colour compare with don't-care planes */
    gr(&f, 1, 0); gr(&f, 3, 0); gr(&f, 8, 0xff);
    static const uint8_t planes[4] = { 0xf0, 0xcc, 0x00, 0xff };
    for (int p = 0; p < 4; p++) {
        seq(&f, 2, 1 << p);
        wrm(&f, 0xa0010, planes[p]);
    }
    gr(&f, 5, 0x08);
    gr(&f, 2, 0x0b);                        /* colour 1011 */
    gr(&f, 7, 0x0f);
    CU_ASSERT_EQUAL(rdm(&f, 0xa0010), 0xc0);    /* bits with 1,1,0,1 */
    gr(&f, 7, 0x01);                        /* only plane 0 counts */
    CU_ASSERT_EQUAL(rdm(&f, 0xa0010), 0xf0);
    gr(&f, 7, 0x00);
    CU_ASSERT_EQUAL(rdm(&f, 0xa0010), 0xff);
    machine_free(f.m);
}

static void test_vga_addressing(void)
{
    VgaFixture f = fx_new();
    uint8_t *vram = vga_vram(f.vga);
    /* text mode (reset state): odd/even at 0xB8000 */
    wrm(&f, 0xb8000, 'H');
    wrm(&f, 0xb8001, 0x1f);
    wrm(&f, 0xb8002, 'i');
    wrm(&f, 0xb8003, 0x2e);
    CU_ASSERT_EQUAL(vram[0 * 4 + 0], 'H');
    CU_ASSERT_EQUAL(vram[0 * 4 + 1], 0x1f);
    CU_ASSERT_EQUAL(vram[2 * 4 + 0], 'i');
    CU_ASSERT_EQUAL(vram[2 * 4 + 1], 0x2e);
    CU_ASSERT_EQUAL(rdm(&f, 0xb8002), 'i');
    CU_ASSERT_EQUAL(rdm(&f, 0xb8003), 0x2e);
    CU_ASSERT_EQUAL(rdm(&f, 0xa0000), 0xff);        /* the map is B8000-BFFFF */
    wrm(&f, 0xa0000, 0x55);                         /* ignored */
    CU_ASSERT_EQUAL(vram[0], 'H');
    VGATextScreen *t = g_new(VGATextScreen, 1);
    CU_ASSERT_TRUE(vga_text_screen(f.vga, t));
    CU_ASSERT_EQUAL(t->cols, 80);
    CU_ASSERT_EQUAL(t->rows, 25);
    CU_ASSERT_EQUAL(t->cells[0], 'H' | 0x1f << 8);
    CU_ASSERT_EQUAL(t->cells[1], 'i' | 0x2e << 8);
    /* cursor at row 1, column 5 */
    outw(&f, 0x3d4, 0x000e);
    outw(&f, 0x3d4, 0x550f);
    vga_text_screen(f.vga, t);
    CU_ASSERT_EQUAL(t->cursor_row, 1);
    CU_ASSERT_EQUAL(t->cursor_col, 5);
    outw(&f, 0x3d4, 0x200a);                        /* cursor off */
    vga_text_screen(f.vga, t);
    CU_ASSERT_EQUAL(t->cursor_row, -1);
    g_free(t);

    /* chain-4 (mode 13h): A[1:0] picks the plane */
    set_mode(&f, &mode13);
    for (int i = 0; i < 8; i++)
        wrm(&f, 0xa0000 + i, 0x10 + i);
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(vram[(i & ~3) * 4 + (i & 3)], 0x10 + i);
        CU_ASSERT_EQUAL(rdm(&f, 0xa0000 + i), 0x10 + i);
    }
    CU_ASSERT_EQUAL(rdm(&f, 0xb8000), 0xff);        /* 64 KiB map at A0000 */
    CU_ASSERT_FALSE(vga_text_screen(f.vga, &(VGATextScreen){ 0 }));
    machine_free(f.m);
}

static void test_vga_vbe(void)
{
    VgaFixture f = fx_new();
    uint8_t *vram = vga_vram(f.vga);
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_ID), VBE_DISPI_ID0);
    vbe(&f, VBE_DISPI_INDEX_ID, VBE_DISPI_ID5);
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_ID), VBE_DISPI_ID5);
    vbe(&f, VBE_DISPI_INDEX_ID, 0x1234);            /* not an ID: ignored */
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_ID), VBE_DISPI_ID5);
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), VGA_VRAM_SIZE >> 16);
    /* GETCAPS: XRES/YRES/BPP read the maximums */
    vbe(&f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_XRES), VBE_DISPI_MAX_XRES);
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_BPP), 32);
    vbe(&f, VBE_DISPI_INDEX_ENABLE, 0);
    /* 800x600x32 with the LFB */
    vbe(&f, VBE_DISPI_INDEX_XRES, 800);
    vbe(&f, VBE_DISPI_INDEX_YRES, 600);
    vbe(&f, VBE_DISPI_INDEX_BPP, 32);
    memset(vram, 0x77, 64);
    vbe(&f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    CU_ASSERT_EQUAL(vram[0], 0);                    /* cleared */
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_VIRT_WIDTH), 800);
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_VIRT_HEIGHT), VGA_VRAM_SIZE / (800 * 4));
    vbe(&f, VBE_DISPI_INDEX_XRES, 1024);            /* ignored while enabled */
    CU_ASSERT_EQUAL(vbe_rd(&f, VBE_DISPI_INDEX_XRES), 800);
    /* a pixel through the LFB (plain RAM over the video memory) */
    physmem_write(f.m->mem, VGA_LFB_DEFAULT_ADDR + (10 * 800 + 3) * 4, 0x00ff8040, 4);
    CU_ASSERT_EQUAL(vram[(10 * 800 + 3) * 4], 0x40);
    VGAImage img = { 0 };
    CU_ASSERT_TRUE(vga_render(f.vga, &img));
    CU_ASSERT_EQUAL(img.width, 800);
    CU_ASSERT_EQUAL(img.height, 600);
    const uint8_t *px = img.rgb + (10 * 800 + 3) * 3;
    CU_ASSERT(px[0] == 0xff && px[1] == 0x80 && px[2] == 0x40);
    /* panning: Y_OFFSET 10 moves that pixel to row 0 */
    vbe(&f, VBE_DISPI_INDEX_Y_OFFSET, 10);
    vga_render(f.vga, &img);
    px = img.rgb + 3 * 3;
    CU_ASSERT(px[0] == 0xff && px[1] == 0x80 && px[2] == 0x40);
    /* the 64 KiB bank window at 0xA0000 */
    vbe(&f, VBE_DISPI_INDEX_BANK, 3);
    wrm(&f, 0xa0010, 0x5a);
    CU_ASSERT_EQUAL(vram[3 * 0x10000 + 0x10], 0x5a);
    CU_ASSERT_EQUAL(rdm(&f, 0xa0010), 0x5a);
    /* disable, 16 bpp 320x200 with NOCLEARMEM keeps memory */
    vbe(&f, VBE_DISPI_INDEX_ENABLE, 0);
    vbe(&f, VBE_DISPI_INDEX_XRES, 320);
    vbe(&f, VBE_DISPI_INDEX_YRES, 200);
    vbe(&f, VBE_DISPI_INDEX_BPP, 16);
    vram[0] = 0x1f;                                  /* 565 blue */
    vram[1] = 0x00;
    vbe(&f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_NOCLEARMEM);
    CU_ASSERT_EQUAL(vram[0], 0x1f);
    vga_render(f.vga, &img);
    CU_ASSERT_EQUAL(img.width, 320);
    CU_ASSERT(img.rgb[0] == 0 && img.rgb[1] == 0 && img.rgb[2] == 0xff);
    vga_image_clear(&img);
    machine_free(f.m);
}

/* a font where glyph c, line y is c ^ (y * 17): known, unlike any real one */
static void load_test_font(VgaFixture *f)
{
    uint8_t *vram = vga_vram(f->vga);
    for (int c = 0; c < 256; c++)
        for (int y = 0; y < 32; y++)
            vram[(c * 32 + y) * 4 + 2] = (uint8_t)(c ^ (y * 17));
}

static uint32_t image_crc(const VGAImage *img)
{
    return (uint32_t)crc32(0, img->rgb, (uInt)((size_t)img->width * img->height * 3));
}

static void test_vga_render_text(void)
{
    VgaFixture f = fx_new();
    load_test_font(&f);
    static const char msg[] = "tx86 VGA text \x01\xc4\xdb";
    for (int i = 0; msg[i]; i++) {
        wrm(&f, 0xb8000 + 160 * 2 + 2 * i, (uint8_t)msg[i]);
        wrm(&f, 0xb8000 + 160 * 2 + 2 * i + 1, (uint8_t)(0x17 + i));
    }
    outw(&f, 0x3d4, 0x000e);
    outw(&f, 0x3d4, 0xa40f);                        /* cursor at row 2, col 4 */
    VGAImage img = { 0 };
    CU_ASSERT_TRUE(vga_render(f.vga, &img));
    CU_ASSERT_EQUAL(img.width, 720);
    CU_ASSERT_EQUAL(img.height, 400);
    /* row 2, column 0 is 't' (0x74) with attribute 0x17: line 0 = 0x74 =
     * 01110100: pixel 0 background blue (0,0,0xaa), pixel 1 grey */
    const uint8_t *px = img.rgb + (size_t)(2 * 16) * 720 * 3;
    CU_ASSERT(px[0] == 0 && px[1] == 0 && px[2] == 0xaa);
    CU_ASSERT(px[3] == 0xaa && px[4] == 0xaa && px[5] == 0xaa);
    /* the whole picture, against a recorded checksum */
    uint32_t crc = image_crc(&img);
    if (crc != 0xa9d1bee9u)
        fprintf(stderr, "\n  text render crc32 = 0x%08x\n", crc);
    CU_ASSERT_EQUAL(crc, 0xa9d1bee9u);
    /* 8-dot characters and the text dump */
    seq(&f, 1, 0x01);
    vga_render(f.vga, &img);
    CU_ASSERT_EQUAL(img.width, 640);
    VGATextScreen *t = g_new(VGATextScreen, 1);
    vga_text_screen(f.vga, t);
    char *text = screendump_text_string(t);
    CU_ASSERT_TRUE(g_str_has_prefix(text, "\n\ntx86 VGA text \u263a\u2500\u2588\n\n"));
    g_free(text);
    g_free(t);
    vga_image_clear(&img);
    machine_free(f.m);
}

static void test_vga_render_graphics(void)
{
    VgaFixture f = fx_new();
    VGAImage img = { 0 };
    /* mode 13h: 320x200, bytes through the DAC */
    set_mode(&f, &mode13);
    outb(&f, 0x3c8, 0x42);
    outb(&f, 0x3c9, 0x3f); outb(&f, 0x3c9, 0x00); outb(&f, 0x3c9, 0x15);
    wrm(&f, 0xa0000 + 199 * 320 + 319, 0x42);
    wrm(&f, 0xa0000 + 5, 0x01);
    CU_ASSERT_TRUE(vga_render(f.vga, &img));
    CU_ASSERT_EQUAL(img.width, 320);
    CU_ASSERT_EQUAL(img.height, 200);
    const uint8_t *px = img.rgb + ((size_t)199 * 320 + 319) * 3;
    CU_ASSERT(px[0] == 0xff && px[1] == 0 && px[2] == 0x55);
    px = img.rgb + 5 * 3;
    CU_ASSERT(px[0] == 0 && px[1] == 0 && px[2] == 0xaa);     /* EGA blue */
    /* mode 12h: 640x480, 4 planes through the attribute palette */
    set_mode(&f, &mode12);
    gr(&f, 5, 0x02);                                /* write mode 2 */
    gr(&f, 8, 0x80);                                /* leftmost pixel only */
    (void)rdm(&f, 0xa0000 + 479 * 80);             /* latches: 0 */
    wrm(&f, 0xa0000 + 479 * 80, 0x06);              /* colour 6 -> AR6 = 0x14 brown */
    gr(&f, 5, 0x00); gr(&f, 8, 0xff);
    vga_render(f.vga, &img);
    CU_ASSERT_EQUAL(img.width, 640);
    CU_ASSERT_EQUAL(img.height, 480);
    px = img.rgb + (size_t)479 * 640 * 3;
    CU_ASSERT(px[0] == 0xaa && px[1] == 0x55 && px[2] == 0x00);
    CU_ASSERT(px[3] == 0 && px[4] == 0 && px[5] == 0);
    /* display off (AR index bit 5 clear): a black picture */
    inb(&f, 0x3da);
    outb(&f, 0x3c0, 0x00);
    vga_render(f.vga, &img);
    CU_ASSERT(img.rgb[(size_t)479 * 640 * 3] == 0);
    vga_image_clear(&img);
    machine_free(f.m);
}

static void test_screenshot_png(void)
{
    VGAImage img = { 0 };
    img.width = 3;
    img.height = 2;
    uint8_t pix[18];
    for (int i = 0; i < 18; i++)
        pix[i] = (uint8_t)(i * 13);
    img.rgb = pix;
    char path[] = "/tmp/tx86-test-png-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    GError *err = NULL;
    CU_ASSERT_TRUE(screenshot_write_png(&img, path, &err));
    gchar *data;
    gsize len;
    CU_ASSERT_FATAL(g_file_get_contents(path, &data, &len, NULL));
    unlink(path);
    const uint8_t *d = (const uint8_t *)data;
    CU_ASSERT_EQUAL(memcmp(d, "\x89PNG\r\n\x1a\n", 8), 0);
    CU_ASSERT_EQUAL(memcmp(d + 12, "IHDR", 4), 0);
    CU_ASSERT_EQUAL(d[19], 3);                      /* width */
    CU_ASSERT_EQUAL(d[23], 2);                      /* height */
    CU_ASSERT(d[24] == 8 && d[25] == 2);            /* 8-bit RGB */
    uint32_t crc = (uint32_t)crc32(0, d + 12, 17);
    CU_ASSERT_EQUAL(crc, (uint32_t)(d[29] << 24 | d[30] << 16 | d[31] << 8 | d[32]));
    /* IDAT: the filtered rows back */
    uint32_t ilen = d[33] << 24 | d[34] << 16 | d[35] << 8 | d[36];
    CU_ASSERT_EQUAL(memcmp(d + 37, "IDAT", 4), 0);
    uint8_t raw[64];
    uLongf rlen = sizeof(raw);
    CU_ASSERT_EQUAL(uncompress(raw, &rlen, d + 41, ilen), Z_OK);
    CU_ASSERT_EQUAL(rlen, 2 * (1 + 9));
    CU_ASSERT(raw[0] == 0 && raw[10] == 0);
    CU_ASSERT_EQUAL(memcmp(raw + 1, pix, 9), 0);
    CU_ASSERT_EQUAL(memcmp(raw + 11, pix + 9, 9), 0);
    CU_ASSERT_EQUAL(memcmp(d + len - 8, "IEND", 4), 0);
    g_free(data);
    /* an empty picture is an error, not a broken file */
    VGAImage none = { 0 };
    CU_ASSERT_FALSE(screenshot_write_png(&none, "/tmp/never-written.png", &err));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(ui_cp437_to_unicode(0xdb), 0x2588);
    CU_ASSERT_EQUAL(ui_cp437_to_unicode('A'), 'A');
    CU_ASSERT_EQUAL(ui_cp437_to_unicode(0xff), 0x00a0);
}

void register_vga_tests(void)
{
    CU_pSuite s = CU_add_suite("vga", NULL, NULL);
    CU_add_test(s, "registers: reset, index/data, CRTC protect, AR, DAC, status",
                test_vga_registers);
    CU_add_test(s, "planar write modes 0-3 and read mode 1", test_vga_write_modes);
    CU_add_test(s, "odd/even text, chain-4, memory maps", test_vga_addressing);
    CU_add_test(s, "Bochs VBE: ID, caps, LFB, panning, banks", test_vga_vbe);
    CU_add_test(s, "text mode rendering and the text dump", test_vga_render_text);
    CU_add_test(s, "mode 13h and mode 12h rendering", test_vga_render_graphics);
    CU_add_test(s, "PNG writer and CP437", test_screenshot_png);
}
