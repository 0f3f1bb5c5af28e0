/*
 * test_display.c - unit tests for the display core (src/ui/display.c) and
 * the key tables of its front ends (sdl.c, vnc.c): a PC whose VGA is in
 * its reset text mode, a fake front end that records what the core tells
 * it (resize, changed rectangles, flush), and tables of host keys with
 * the PC keys they must give.  The window and the VNC server themselves
 * are tested by make check-display (tests/display/).
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include <SDL_scancode.h>
#include <glib/gstdio.h>
#include "machine/machine.h"
#include "machine/pc.h"
#include "devices/ps2.h"
#include "ui/display.h"

typedef struct FakeFe {
    int resizes, w, h;
    int updates, flushes;
    int rx[16], ry[16], rw[16], rh[16];
} FakeFe;

static void fake_resize(void *o, int w, int h)
{
    FakeFe *f = o;
    f->resizes++;
    f->w = w;
    f->h = h;
}

static void fake_update(void *o, const VGAImage *img, int x, int y, int w, int h)
{
    FakeFe *f = o;
    CU_ASSERT_TRUE(x >= 0 && y >= 0 && x + w <= img->width && y + h <= img->height);
    if (f->updates < 16) {
        f->rx[f->updates] = x;
        f->ry[f->updates] = y;
        f->rw[f->updates] = w;
        f->rh[f->updates] = h;
    }
    f->updates++;
}

static void fake_flush(void *o)
{
    ((FakeFe *)o)->flushes++;
}

static const DisplayFrontendOps fake_ops = {
    .name = "fake", .resize = fake_resize, .update = fake_update, .flush = fake_flush,
};

/* a PC with a BIOS of zeros (never run) */
static Machine *pc_new(gchar **dir)
{
    *dir = g_strdup("/tmp/tx86-display-XXXXXX");
    g_assert(g_mkdtemp(*dir));
    gchar *bios = g_build_filename(*dir, "zero.bin", NULL);
    gchar *zeros = g_malloc0(65536);
    g_assert(g_file_set_contents(bios, zeros, 65536, NULL));
    MachineConfig cfg;
    machine_config_init(&cfg);
    cfg.ram_size = 16u << 20;
    cfg.backend = BACKEND_INTERP;
    cfg.bios_path = bios;
    GError *err = NULL;
    Machine *m = machine_new(&cfg, &err);
    g_assert(m);
    g_free(zeros);
    g_free(bios);
    return m;
}

static void pc_free(Machine *m, gchar *dir)
{
    machine_free(m);
    gchar *bios = g_build_filename(dir, "zero.bin", NULL);
    g_unlink(bios);
    g_rmdir(dir);
    g_free(bios);
    g_free(dir);
}

static void fake_reset(FakeFe *f)
{
    f->resizes = f->updates = f->flushes = 0;
}

static void test_refresh(void)
{
    gchar *dir;
    Machine *m = pc_new(&dir);
    GError *err = NULL;
    DisplayState *d = display_get(m, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_EQUAL(display_get(m, NULL), d);       /* one per machine */
    FakeFe f = { 0 };
    display_add_frontend(d, &fake_ops, &f);

    /* first frame: the size, then the whole screen */
    display_refresh(d);
    CU_ASSERT_EQUAL(f.resizes, 1);
    CU_ASSERT_EQUAL(f.w, 720);
    CU_ASSERT_EQUAL(f.h, 400);
    CU_ASSERT_EQUAL(f.updates, 1);
    CU_ASSERT_TRUE(f.rx[0] == 0 && f.ry[0] == 0 && f.rw[0] == 720 && f.rh[0] == 400);
    CU_ASSERT_EQUAL(f.flushes, 1);
    CU_ASSERT_EQUAL(display_image(d)->width, 720);

    /* nothing changed: no rectangle, still a flush */
    fake_reset(&f);
    display_refresh(d);
    CU_ASSERT_EQUAL(f.resizes, 0);
    CU_ASSERT_EQUAL(f.updates, 0);
    CU_ASSERT_EQUAL(f.flushes, 1);

    /* one cell (row 5, column 10: pixels 90..98 x 80..95) gets a red
     * background: tiles x 80..111 of tile row 80..95, one rectangle */
    fake_reset(&f);
    physmem_write(m->mem, 0xb8000 + (5 * 80 + 10) * 2 + 1, 0x40, 1);
    display_refresh(d);
    CU_ASSERT_EQUAL(f.updates, 1);
    CU_ASSERT_TRUE(f.rx[0] == 80 && f.ry[0] == 80 && f.rw[0] == 32 && f.rh[0] == 16);

    /* two cells far apart in one tile row: two rectangles; one in the
     * last (partial) tile row is clipped to the screen */
    fake_reset(&f);
    physmem_write(m->mem, 0xb8000 + (5 * 80 + 0) * 2 + 1, 0x20, 1);
    physmem_write(m->mem, 0xb8000 + (5 * 80 + 79) * 2 + 1, 0x20, 1);
    physmem_write(m->mem, 0xb8000 + (24 * 80 + 40) * 2 + 1, 0x10, 1);
    display_refresh(d);
    CU_ASSERT_EQUAL(f.updates, 3);
    CU_ASSERT_TRUE(f.rx[0] == 0 && f.rw[0] == 16 && f.ry[0] == 80);
    CU_ASSERT_TRUE(f.rx[1] == 704 && f.rw[1] == 16 && f.ry[1] == 80);
    CU_ASSERT_TRUE(f.ry[2] == 384 && f.rh[2] == 16 && f.rx[2] == 352);

    /* invalidate: everything again */
    fake_reset(&f);
    display_invalidate(d);
    display_refresh(d);
    CU_ASSERT_EQUAL(f.updates, 1);
    CU_ASSERT_TRUE(f.rw[0] == 720 && f.rh[0] == 400);

    /* a second front end joining gets the size at once */
    FakeFe g = { 0 };
    display_add_frontend(d, &fake_ops, &g);
    CU_ASSERT_EQUAL(g.resizes, 1);
    CU_ASSERT_EQUAL(g.w, 720);

    /* input reaches the i8042 (its output buffer: status bit 0) */
    for (int i = 0; i < 64 && (ioport_read(m->io, 0x64, 1) & 1); i++)
        ioport_read(m->io, 0x60, 1);
    CU_ASSERT_FALSE(ioport_read(m->io, 0x64, 1) & 1);
    CU_ASSERT_TRUE(display_key_event(m, PS2_KEY_ENTER, true, &err));
    CU_ASSERT_TRUE(ioport_read(m->io, 0x64, 1) & 1);
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x60, 1), 0x1c);     /* set 2 5A, translated */
    CU_ASSERT_TRUE(display_mouse_event(m, 5, -3, 0, 1, &err));
    pc_free(m, dir);

    /* a bare machine has no keyboard, mouse or VGA: errors, no crash */
    Machine *bare = machine_new_bare(1u << 20, NULL);
    CU_ASSERT_FALSE(display_key_event(bare, 0x1e, true, &err));
    g_clear_error(&err);
    CU_ASSERT_FALSE(display_mouse_event(bare, 1, 1, 0, 0, &err));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(display_get(bare, &err));
    g_clear_error(&err);
    machine_free(bare);
}

/* host keys -> PC keys */
static void test_keys(void)
{
    static const struct { int sdl; int key; } sdl[] = {
        { SDL_SCANCODE_A, 0x1e }, { SDL_SCANCODE_Z, 0x2c }, { SDL_SCANCODE_1, 0x02 },
        { SDL_SCANCODE_0, 0x0b }, { SDL_SCANCODE_RETURN, 0x1c }, { SDL_SCANCODE_ESCAPE, 0x01 },
        { SDL_SCANCODE_SPACE, 0x39 }, { SDL_SCANCODE_LCTRL, 0x1d }, { SDL_SCANCODE_RCTRL, 0xe01d },
        { SDL_SCANCODE_LALT, 0x38 }, { SDL_SCANCODE_RALT, 0xe038 }, { SDL_SCANCODE_F1, 0x3b },
        { SDL_SCANCODE_F12, 0x58 }, { SDL_SCANCODE_UP, 0xe048 }, { SDL_SCANCODE_DELETE, 0xe053 },
        { SDL_SCANCODE_KP_ENTER, 0xe01c }, { SDL_SCANCODE_KP_0, 0x52 },
        { SDL_SCANCODE_KP_DIVIDE, 0xe035 }, { SDL_SCANCODE_LGUI, 0xe05b },
        { SDL_SCANCODE_NONUSBACKSLASH, 0x56 }, { SDL_SCANCODE_GRAVE, 0x29 },
        { SDL_SCANCODE_UNKNOWN, -1 }, { SDL_SCANCODE_F24, -1 }, { -5, -1 },
        { SDL_NUM_SCANCODES, -1 }, { 100000, -1 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sdl); i++)
        CU_ASSERT_EQUAL(sdl_scancode_to_key(sdl[i].sdl), sdl[i].key);

    static const struct { uint32_t sym; int key; } vnc[] = {
        { 'a', 0x1e }, { 'A', 0x1e }, { 'z', 0x2c }, { '1', 0x02 }, { '!', 0x02 },
        { ' ', 0x39 }, { '~', 0x29 }, { '/', 0x35 }, { '?', 0x35 },
        { 0xff0d, 0x1c }, { 0xff1b, 0x01 }, { 0xff08, 0x0e }, { 0xff09, 0x0f },
        { 0xff52, 0xe048 }, { 0xffff, 0xe053 }, { 0xffbe, 0x3b }, { 0xffc9, 0x58 },
        { 0xffe1, 0x2a }, { 0xffe4, 0xe01d }, { 0xffea, 0xe038 }, { 0xfe03, 0xe038 },
        { 0xff8d, 0xe01c }, { 0xffb5, 0x4c },
        { 0, -1 }, { 0x7f, -1 }, { 0x20ac, -1 }, { 0xffffffff, -1 }, { 0x1000041, -1 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(vnc); i++) {
        int k = vnc_keysym_to_key(vnc[i].sym);
        if (k != vnc[i].key)
            printf("\n  keysym %#x: %#x, want %#x\n", vnc[i].sym, k, vnc[i].key);
        CU_ASSERT_EQUAL(k, vnc[i].key);
    }
}

void register_display_tests(void)
{
    CU_pSuite s = CU_add_suite("display", NULL, NULL);
    CU_add_test(s, "refresh: size, changed tiles, input", test_refresh);
    CU_add_test(s, "SDL scancodes and X keysyms to PC keys", test_keys);
}
