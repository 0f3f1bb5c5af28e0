/*
 * test_i8042.c - unit tests for the i8042 keyboard controller and the PS/2
 * keyboard and mouse (src/devices/i8042.c, ps2.c) through ports 0x60/0x64
 * on a bare machine: controller commands and their replies, the command
 * byte, IRQ 1/12 behaviour, keyboard commands, scancode sets with and
 * without translation, the mouse (reset, ID, IntelliMouse knock, packets),
 * A20 through the output port and the reset pulse.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/i8042.h"

typedef struct KbcFixture {
    Machine *m;
    I8042State *kbc;
    IrqLine irq1, irq12;
    int level[2], edges[2];
} KbcFixture;

static void fx_irq(void *opaque, int n, int level)
{
    KbcFixture *f = opaque;
    if (level && !f->level[n])
        f->edges[n]++;
    f->level[n] = level;
}

static KbcFixture *fx_new(void)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 2u << 20;
    cfg.backend = BACKEND_INTERP;
    KbcFixture *f = g_new0(KbcFixture, 1);
    f->m = machine_new(&cfg, &err);
    g_assert(f->m);
    clock_init(&f->m->clock, true);
    irq_line_init(&f->irq1, fx_irq, f, 0);
    irq_line_init(&f->irq12, fx_irq, f, 1);
    f->kbc = i8042_init(&f->m->bus, &f->irq1, &f->irq12, &f->m->a20);
    return f;
}

static void fx_free(KbcFixture *f)
{
    machine_free(f->m);
    g_free(f);
}

static uint8_t status(KbcFixture *f) { return (uint8_t)ioport_read(f->m->io, 0x64, 1); }
static void cmd(KbcFixture *f, uint8_t c) { ioport_write(f->m->io, 0x64, c, 1); }
static void data(KbcFixture *f, uint8_t d) { ioport_write(f->m->io, 0x60, d, 1); }

/* read every byte the controller has; returns how many (max n) */
static int drain(KbcFixture *f, uint8_t *out, int n)
{
    int k = 0;
    while ((status(f) & 1) && k < n)
        out[k++] = (uint8_t)ioport_read(f->m->io, 0x60, 1);
    return k;
}

static bool expect(KbcFixture *f, const uint8_t *want, int n)
{
    uint8_t got[32];
    int k = drain(f, got, 32);
    return k == n && !memcmp(got, want, (size_t)n);
}
#define EXPECT(f, ...) do { const uint8_t w_[] = { __VA_ARGS__ }; \
    CU_ASSERT_TRUE(expect(f, w_, (int)sizeof(w_))); } while (0)

static void test_controller_commands(void)
{
    KbcFixture *f = fx_new();
    CU_ASSERT_EQUAL(status(f) & 0x01, 0);
    static const struct { uint8_t cmd; uint8_t reply; } rows[] = {
        { 0xaa, 0x55 }, { 0xab, 0x00 }, { 0xa9, 0x00 }, { 0xe0, 0x00 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++) {
        cmd(f, rows[i].cmd);
        CU_ASSERT_EQUAL(status(f) & 0x09, 0x09);     /* OBF, A2 = command */
        EXPECT(f, rows[i].reply);
    }
    CU_ASSERT_EQUAL(status(f) & 0x04, 0x04);         /* system flag after self test */
    /* command byte write and read back; bit 2 is the status SYS flag */
    cmd(f, 0x60);
    data(f, 0x61);
    CU_ASSERT_EQUAL(status(f) & 0x0c, 0x00);
    cmd(f, 0x20);
    EXPECT(f, 0x61);
    /* AD/AE and A7/A8 flip bits 4 and 5 */
    cmd(f, 0xad); cmd(f, 0xa7);
    cmd(f, 0x20);
    EXPECT(f, 0x71);
    cmd(f, 0xae); cmd(f, 0xa8);
    cmd(f, 0x20);
    EXPECT(f, 0x41);
    /* RAM bytes 0x21-0x3F */
    cmd(f, 0x65); data(f, 0x9c);
    cmd(f, 0x25);
    EXPECT(f, 0x9c);
    /* D2/D3 echo as keyboard / mouse data */
    cmd(f, 0xd2); data(f, 0x12);
    CU_ASSERT_EQUAL(status(f) & 0x21, 0x01);
    EXPECT(f, 0x12);
    cmd(f, 0x60); data(f, 0x03);                      /* both IRQs, no translation */
    cmd(f, 0xd3); data(f, 0x5a);
    CU_ASSERT_EQUAL(status(f) & 0x21, 0x21);
    CU_ASSERT_EQUAL(f->level[1], 1);
    EXPECT(f, 0x5a);
    CU_ASSERT_EQUAL(f->level[1], 0);
    fx_free(f);
}

static void test_keyboard_commands(void)
{
    KbcFixture *f = fx_new();
    cmd(f, 0x60); data(f, 0x01);                      /* IRQ 1, no translation */
    data(f, 0xff);
    CU_ASSERT_EQUAL(f->level[0], 1);
    EXPECT(f, 0xfa, 0xaa);
    CU_ASSERT_EQUAL(f->level[0], 0);
    CU_ASSERT_EQUAL(f->edges[0], 2);                  /* one edge per byte */
    data(f, 0xf2);
    EXPECT(f, 0xfa, 0xab, 0x83);
    data(f, 0xed); data(f, 0x07);
    EXPECT(f, 0xfa, 0xfa);
    data(f, 0xee);
    EXPECT(f, 0xee);
    data(f, 0xf0); data(f, 0x00);
    EXPECT(f, 0xfa, 0xfa, 0x02);
    data(f, 0xf3); data(f, 0x20);
    EXPECT(f, 0xfa, 0xfa);
    data(f, 0x42);                                    /* not a command */
    EXPECT(f, 0xfe);
    /* with translation the ID reads AB 41 (Linux: "AT Translated Set 2") */
    cmd(f, 0x60); data(f, 0x41);
    data(f, 0xf2);
    EXPECT(f, 0xfa, 0xab, 0x41);
    fx_free(f);
}

/* one key in each scancode set, with and without translation */
static void test_scancodes(void)
{
    static const struct {
        int set; bool xlate; int key;
        uint8_t make[3], brk[3]; int nm, nb;
    } rows[] = {
        { 2, true,  0x1e,       { 0x1e },       { 0x9e },             1, 1 },  /* A */
        { 2, false, 0x1e,       { 0x1c },       { 0xf0, 0x1c },       1, 2 },
        { 1, false, 0x1e,       { 0x1e },       { 0x9e },             1, 1 },
        { 2, true,  PS2_KEY_UP, { 0xe0, 0x48 }, { 0xe0, 0xc8 },       2, 2 },
        { 2, false, PS2_KEY_UP, { 0xe0, 0x75 }, { 0xe0, 0xf0, 0x75 }, 2, 3 },
        { 1, false, PS2_KEY_UP, { 0xe0, 0x48 }, { 0xe0, 0xc8 },       2, 2 },
        { 2, true,  0x41,       { 0x41 },       { 0xc1 },             1, 1 },  /* F7: 0x83 */
        { 2, false, 0x41,       { 0x83 },       { 0xf0, 0x83 },       1, 2 },
        { 3, false, 0x1e,       { 0x1c },       { 0xf0, 0x1c },       1, 2 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++) {
        KbcFixture *f = fx_new();
        uint8_t got[8];
        cmd(f, 0x60); data(f, rows[i].xlate ? 0x41 : 0x01);
        data(f, 0xf0); data(f, (uint8_t)rows[i].set);
        drain(f, got, 8);
        CU_ASSERT_EQUAL(ps2_kbd_scancode_set(i8042_keyboard(f->kbc)), rows[i].set);
        ps2_kbd_put_key(i8042_keyboard(f->kbc), rows[i].key, true);
        CU_ASSERT_TRUE(expect(f, rows[i].make, rows[i].nm));
        ps2_kbd_put_key(i8042_keyboard(f->kbc), rows[i].key, false);
        CU_ASSERT_TRUE(expect(f, rows[i].brk, rows[i].nb));
        fx_free(f);
    }
}

static void test_keyboard_disable(void)
{
    KbcFixture *f = fx_new();
    PS2Kbd *k = i8042_keyboard(f->kbc);
    cmd(f, 0xad);                                     /* interface off: bytes wait */
    ps2_kbd_put_key(k, 0x1c, true);
    CU_ASSERT_EQUAL(status(f) & 1, 0);
    cmd(f, 0xae);
    EXPECT(f, 0x1c);
    data(f, 0xf5);                                    /* keyboard off: keys lost */
    EXPECT(f, 0xfa);
    ps2_kbd_put_key(k, 0x1c, true);
    CU_ASSERT_EQUAL(status(f) & 1, 0);
    data(f, 0xf4);
    EXPECT(f, 0xfa);
    bool shift;
    CU_ASSERT_EQUAL(ps2_ascii_to_key('A', &shift), 0x1e);
    CU_ASSERT_TRUE(shift);
    CU_ASSERT_EQUAL(ps2_ascii_to_key('/', &shift), 0x35);
    CU_ASSERT_FALSE(shift);
    CU_ASSERT_EQUAL(ps2_ascii_to_key('\n', &shift), PS2_KEY_ENTER);
    fx_free(f);
}

static void mouse(KbcFixture *f, uint8_t b)
{
    cmd(f, 0xd4);
    data(f, b);
}

static void test_mouse(void)
{
    KbcFixture *f = fx_new();
    cmd(f, 0x60); data(f, 0x47);                      /* both IRQs, translate */
    mouse(f, 0xff);
    CU_ASSERT_EQUAL(status(f) & 0x21, 0x21);
    CU_ASSERT_EQUAL(f->level[1], 1);
    EXPECT(f, 0xfa, 0xaa, 0x00);                      /* never translated */
    mouse(f, 0xf2);
    EXPECT(f, 0xfa, 0x00);
    static const uint8_t knock[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        mouse(f, 0xf3); mouse(f, knock[i]);
        EXPECT(f, 0xfa, 0xfa);
    }
    mouse(f, 0xf2);
    EXPECT(f, 0xfa, 0x03);
    mouse(f, 0xe9);
    EXPECT(f, 0xfa, 0x00, 0x02, 80);
    /* no packets until reporting is enabled */
    PS2Mouse *ms = i8042_mouse(f->kbc);
    ps2_mouse_event(ms, 5, -3, 0, 0);
    CU_ASSERT_EQUAL(status(f) & 1, 0);
    mouse(f, 0xf4);
    EXPECT(f, 0xfa);
    ps2_mouse_event(ms, 0, 0, 1, 1);                  /* left button, wheel */
    EXPECT(f, 0x09, 0x00, 0x00, 0x01);
    /* remote mode: read data on request */
    mouse(f, 0xf0);
    EXPECT(f, 0xfa);
    ps2_mouse_event(ms, -2, 0, 0, 0);
    CU_ASSERT_EQUAL(status(f) & 1, 0);
    mouse(f, 0xeb);
    EXPECT(f, 0xfa, 0x18, 0xfe, 0x00, 0x00);
    /* wrap mode echoes */
    mouse(f, 0xee); mouse(f, 0x33); mouse(f, 0xec);
    EXPECT(f, 0xfa, 0x33, 0xfa);
    fx_free(f);
}

static void test_a20_and_reset(void)
{
    KbcFixture *f = fx_new();
    CPUState *env = &f->m->cpu;
    cmd(f, 0xd1); data(f, 0xdd);                      /* A20 off */
    CU_ASSERT_EQUAL(env->a20_mask, 0xffefffffu);
    cmd(f, 0xd0);
    uint8_t v = 0;
    drain(f, &v, 1);
    CU_ASSERT_EQUAL(v & 0x03, 0x01);
    cmd(f, 0xd1); data(f, 0xdf);                      /* A20 on */
    CU_ASSERT_EQUAL(env->a20_mask, 0xffffffffu);
    cmd(f, 0xd0);
    drain(f, &v, 1);
    CU_ASSERT_EQUAL(v & 0x03, 0x03);
    CU_ASSERT_FALSE(f->m->reset_requested);
    cmd(f, 0xff);                                     /* pulse nothing */
    CU_ASSERT_FALSE(f->m->reset_requested);
    cmd(f, 0xfe);                                     /* pulse the reset line */
    CU_ASSERT_TRUE(f->m->reset_requested);
    f->m->reset_requested = false;
    cmd(f, 0xd1); data(f, 0x02);                      /* output port bit 0 low */
    CU_ASSERT_TRUE(f->m->reset_requested);
    fx_free(f);
}

void register_i8042_tests(void)
{
    CU_pSuite s = CU_add_suite("i8042", NULL, NULL);
    CU_add_test(s, "controller commands", test_controller_commands);
    CU_add_test(s, "keyboard commands", test_keyboard_commands);
    CU_add_test(s, "scancode sets and translation", test_scancodes);
    CU_add_test(s, "keyboard disable", test_keyboard_disable);
    CU_add_test(s, "mouse", test_mouse);
    CU_add_test(s, "A20 and reset", test_a20_and_reset);
}
