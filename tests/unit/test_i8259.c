/*
 * test_i8259.c - unit tests for the 8259A pair (src/devices/i8259.c),
 * driven through its ports like a guest would, on a RAM-only machine.
 *
 * Each case is a script of steps (a table): port writes and reads, IRQ
 * pin levels, INTA cycles with the vector expected, and checks of the INT
 * output.  Every script starts from the PC BIOS initialisation (master
 * vectors 0x08, slave 0x70, cascade on IR2, 8086 mode, all unmasked).
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/i8259.h"

enum { END, OUT, IN, IRQ, ACK, INT };

typedef struct Step {
    int op;
    int a;          /* OUT/IN: port; IRQ: pin */
    int b;          /* OUT: value; IN: expected; IRQ: level; ACK: vector; INT: level */
} Step;

typedef struct PicCase {
    const char *name;
    Step steps[32];
} PicCase;

static const PicCase cases[] = {
    { "edge irq, ack, non-specific EOI", {
        { INT, 0, 0 }, { IRQ, 4, 1 }, { INT, 0, 1 },
        { ACK, 0, 0x0c }, { INT, 0, 0 },
        { OUT, 0x20, 0x0b }, { IN, 0x20, 0x10 },       /* ISR */
        { OUT, 0x20, 0x0a }, { IN, 0x20, 0x00 },       /* IRR cleared by INTA */
        { OUT, 0x20, 0x20 }, { OUT, 0x20, 0x0b }, { IN, 0x20, 0x00 },
        { IRQ, 4, 0 }, { INT, 0, 0 }, { END } } },
    { "fully nested priority", {
        { IRQ, 3, 1 }, { IRQ, 1, 1 }, { ACK, 0, 0x09 },
        { INT, 0, 0 },                                  /* IR3 below IR1 in service */
        { IRQ, 0, 1 }, { INT, 0, 1 }, { ACK, 0, 0x08 }, /* IR0 nests above IR1 */
        { OUT, 0x20, 0x20 }, { INT, 0, 0 },             /* EOI for IR0 */
        { OUT, 0x20, 0x20 }, { INT, 0, 1 }, { ACK, 0, 0x0b }, { END } } },
    { "mask (OCW1) holds a request", {
        { OUT, 0x21, 0x20 }, { IN, 0x21, 0x20 }, { IRQ, 5, 1 }, { INT, 0, 0 },
        { OUT, 0x21, 0x00 }, { INT, 0, 1 }, { ACK, 0, 0x0d }, { END } } },
    { "cascade: slave IRQ 10", {
        { IRQ, 10, 1 }, { INT, 0, 1 }, { ACK, 0, 0x72 },
        { OUT, 0x20, 0x0b }, { IN, 0x20, 0x04 }, { OUT, 0xa0, 0x0b }, { IN, 0xa0, 0x04 },
        { OUT, 0xa0, 0x20 }, { OUT, 0x20, 0x20 }, { IN, 0x20, 0x00 }, { IN, 0xa0, 0x00 },
        { END } } },
    { "slave mask blocks the cascade", {
        { OUT, 0xa1, 0x01 }, { IRQ, 8, 1 }, { INT, 0, 0 }, { OUT, 0xa1, 0x00 },
        { INT, 0, 1 }, { ACK, 0, 0x70 }, { END } } },
    { "spurious IRQ7 and IRQ15", {
        { OUT, 0x4d0, 0x20 }, { IRQ, 5, 1 }, { INT, 0, 1 }, { IRQ, 5, 0 }, { INT, 0, 0 },
        { ACK, 0, 0x0f }, { OUT, 0x20, 0x0b }, { IN, 0x20, 0x00 },   /* no ISR bit */
        { OUT, 0x4d1, 0x08 }, { IRQ, 11, 1 }, { IRQ, 11, 0 }, { ACK, 0, 0x0f },
        { END } } },
    { "auto-EOI", {
        { OUT, 0x20, 0x11 }, { OUT, 0x21, 0x20 }, { OUT, 0x21, 0x04 }, { OUT, 0x21, 0x03 },
        { IRQ, 6, 1 }, { ACK, 0, 0x26 }, { OUT, 0x20, 0x0b }, { IN, 0x20, 0x00 },
        { IRQ, 7, 1 }, { INT, 0, 1 }, { ACK, 0, 0x27 }, { END } } },
    { "poll command", {
        { OUT, 0x21, 0xff }, { IRQ, 3, 1 }, { INT, 0, 0 },
        { OUT, 0x20, 0x0c }, { IN, 0x20, 0x00 },        /* masked: nothing */
        { OUT, 0x21, 0x00 }, { OUT, 0x20, 0x0c }, { IN, 0x20, 0x83 },
        { OUT, 0x20, 0x0b }, { IN, 0x20, 0x08 },        /* poll set ISR */
        { OUT, 0x20, 0x0c }, { IN, 0x20, 0x00 }, { OUT, 0x20, 0x63 }, { END } } },
    { "set priority and rotation", {
        { OUT, 0x21, 0xff }, { IRQ, 0, 1 }, { IRQ, 5, 1 },
        { OUT, 0x20, 0xc3 },                            /* IR3 lowest: IR4 highest */
        { OUT, 0x21, 0x00 }, { ACK, 0, 0x0d }, { OUT, 0x20, 0x20 }, { ACK, 0, 0x08 },
        { OUT, 0x20, 0xa0 },                            /* rotate on EOI: IR0 lowest */
        { IRQ, 0, 0 }, { IRQ, 0, 1 }, { IRQ, 7, 1 }, { ACK, 0, 0x0f }, { END } } },
    { "special mask mode", {
        { IRQ, 1, 1 }, { ACK, 0, 0x09 }, { IRQ, 4, 1 }, { INT, 0, 0 },
        { OUT, 0x21, 0x02 }, { OUT, 0x20, 0x68 },       /* mask IR1, SMM on */
        { INT, 0, 1 }, { ACK, 0, 0x0c },
        { OUT, 0x20, 0x48 }, { END } } },
    { "ELCR writable bits", {
        { OUT, 0x4d0, 0xff }, { IN, 0x4d0, 0xf8 }, { OUT, 0x4d1, 0xff }, { IN, 0x4d1, 0xde },
        { END } } },
    { "level-triggered input stays pending", {
        { OUT, 0x4d1, 0x02 }, { IRQ, 9, 1 }, { ACK, 0, 0x71 },
        { OUT, 0xa0, 0x20 }, { OUT, 0x20, 0x20 }, { INT, 0, 1 },   /* line still high */
        { ACK, 0, 0x71 }, { IRQ, 9, 0 }, { OUT, 0xa0, 0x20 }, { OUT, 0x20, 0x20 },
        { INT, 0, 0 }, { OUT, 0xa0, 0x0a }, { IN, 0xa0, 0x00 }, { END } } },
    { "ICW1 resets masks and edge sense", {
        { OUT, 0x21, 0xff }, { IRQ, 3, 1 },
        { OUT, 0x20, 0x11 }, { OUT, 0x21, 0x08 }, { OUT, 0x21, 0x04 }, { OUT, 0x21, 0x01 },
        { IN, 0x21, 0x00 }, { INT, 0, 0 },             /* edge seen before ICW1 is gone */
        { IRQ, 3, 0 }, { IRQ, 3, 1 }, { ACK, 0, 0x0b }, { END } } },
    { "special fully nested mode", {
        { OUT, 0x20, 0x11 }, { OUT, 0x21, 0x08 }, { OUT, 0x21, 0x04 }, { OUT, 0x21, 0x11 },
        { IRQ, 12, 1 }, { ACK, 0, 0x74 }, { IRQ, 9, 1 }, { INT, 0, 1 },
        { ACK, 0, 0x71 }, { END } } },
};

typedef struct Fixture {
    Machine *m;
    I8259State *pic;
    IrqLine out;
    int level;
} Fixture;

static void out_handler(void *opaque, int n, int level)
{
    ((Fixture *)opaque)->level = level;
}

static bool fixture_init(Fixture *f)
{
    GError *err = NULL;
    f->m = machine_new_bare(1u << 20, &err);
    if (!f->m) {
        g_clear_error(&err);
        return false;
    }
    clock_init(&f->m->clock, true);
    irq_line_init(&f->out, out_handler, f, 0);
    f->level = 0;
    f->pic = i8259_init(&f->m->bus, &f->out);
    f->m->cpu.irq_ack = i8259_irq_ack;          /* the CPU's INTA, as pc.c wires it */
    f->m->cpu.irq_ack_opaque = f->pic;
    static const uint8_t init[][2] = {
        { 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xa0, 0x11 }, { 0xa1, 0x70 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
        { 0x21, 0x00 }, { 0xa1, 0x00 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(init); i++)
        ioport_write(f->m->io, init[i][0], init[i][1], 1);
    return true;
}

static void run_case(const PicCase *c)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f));
    for (int i = 0; c->steps[i].op != END; i++) {
        const Step *s = &c->steps[i];
        int got = -1, want = s->b;
        switch (s->op) {
        case OUT:
            ioport_write(f.m->io, (uint16_t)s->a, (uint32_t)s->b, 1);
            continue;
        case IRQ:
            i8259_set_irq(f.pic, s->a, s->b);
            continue;
        case IN:
            got = (int)ioport_read(f.m->io, (uint16_t)s->a, 1);
            break;
        case ACK:
            got = f.m->cpu.irq_ack(f.m->cpu.irq_ack_opaque);
            break;
        case INT:
            got = f.level;
            CU_ASSERT_EQUAL(got, i8259_output_level(f.pic));
            break;
        }
        if (got != want)
            fprintf(stderr, "\n  %s: step %d: got %#x, want %#x\n", c->name, i, got, want);
        CU_ASSERT_EQUAL(got, want);
    }
    machine_free(f.m);
}

static void test_cases(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        run_case(&cases[i]);
}

/* the APIC takes the output over; the level follows to the new line */
static void test_set_output(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f));
    Fixture g = { .level = 0 };
    IrqLine other;
    irq_line_init(&other, out_handler, &g, 0);
    i8259_set_irq(f.pic, 1, 1);
    CU_ASSERT_EQUAL(f.level, 1);
    i8259_set_output(f.pic, &other);
    CU_ASSERT_EQUAL(g.level, 1);
    CU_ASSERT_EQUAL(i8259_ack(f.pic), 0x09);
    CU_ASSERT_EQUAL(g.level, 0);
    CU_ASSERT_EQUAL(f.level, 1);           /* the old line is no longer driven */
    machine_free(f.m);
}

void register_i8259_tests(void)
{
    CU_pSuite s = CU_add_suite("i8259", NULL, NULL);
    CU_add_test(s, "scripted cases", test_cases);
    CU_add_test(s, "output redirection", test_set_output);
}
