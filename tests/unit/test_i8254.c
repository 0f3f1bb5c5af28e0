/*
 * test_i8254.c - unit tests for the 8254 PIT (src/devices/i8254.c) on a
 * RAM-only machine with a manual clock, through ports 0x40-0x43.
 *
 * Each case is a script (a table) of port writes and reads, moves of the
 * clock to an absolute PIT tick, gate changes and checks of the OUT pins:
 * counter 2's directly, counter 0's through the number of rising edges on
 * its IRQ line (the timers fire as the clock moves).
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/i8254.h"

enum { END, OUT, IN, TICK, GATE, OUT2, EDGES, LINE };

typedef struct Step {
    int op;
    int a;          /* OUT/IN: port; TICK: absolute tick; GATE: level */
    int b;          /* OUT: value; IN: expected; OUT2/EDGES/LINE: expected */
} Step;

typedef struct PitCase {
    const char *name;
    Step steps[40];
} PitCase;

static const PitCase cases[] = {
    { "mode 0: interrupt on terminal count", {
        { OUT, 0x43, 0x30 }, { LINE, 0, 0 }, { OUT, 0x40, 100 }, { OUT, 0x40, 0 },
        { TICK, 40 }, { OUT, 0x43, 0x00 }, { IN, 0x40, 60 }, { IN, 0x40, 0 },
        { TICK, 99 }, { EDGES, 0, 0 }, { TICK, 100 }, { EDGES, 0, 1 }, { LINE, 0, 1 },
        { TICK, 300 }, { EDGES, 0, 1 },
        { OUT, 0x43, 0x00 }, { IN, 0x40, 0x38 }, { IN, 0x40, 0xff },  /* wrapped: -200 */
        { END } } },
    { "mode 2: rate generator", {
        { OUT, 0x43, 0x34 }, { OUT, 0x40, 10 }, { OUT, 0x40, 0 },
        { TICK, 9 }, { EDGES, 0, 0 }, { TICK, 10 }, { EDGES, 0, 1 },
        { TICK, 20 }, { TICK, 30 }, { TICK, 35 }, { EDGES, 0, 3 }, { OUT, 0x43, 0x00 }, { IN, 0x40, 5 }, { IN, 0x40, 0 },
        { TICK, 1000 }, { EDGES, 0, 4 }, { END } } },   /* a jump coalesces periods */
    { "mode 2: new count at the end of the period", {
        { OUT, 0x43, 0x34 }, { OUT, 0x40, 100 }, { OUT, 0x40, 0 },
        { TICK, 50 }, { OUT, 0x40, 10 }, { OUT, 0x40, 0 },
        { TICK, 99 }, { EDGES, 0, 0 }, { TICK, 100 }, { EDGES, 0, 1 },
        { TICK, 110 }, { EDGES, 0, 2 }, { TICK, 125 }, { EDGES, 0, 3 }, { END } } },
    { "mode 3: square wave on counter 2", {
        { GATE, 1 }, { OUT, 0x43, 0xb6 }, { OUT, 0x42, 10 }, { OUT, 0x42, 0 },
        { OUT2, 0, 1 }, { TICK, 4 }, { OUT2, 0, 1 }, { TICK, 5 }, { OUT2, 0, 0 },
        { TICK, 9 }, { OUT2, 0, 0 }, { TICK, 10 }, { OUT2, 0, 1 },
        { TICK, 12 }, { OUT, 0x43, 0x80 }, { IN, 0x42, 6 }, { IN, 0x42, 0 },
        { GATE, 0 }, { OUT2, 0, 1 }, { TICK, 17 }, { OUT2, 0, 1 },   /* gate low: OUT high */
        { GATE, 1 }, { TICK, 22 }, { OUT2, 0, 0 }, { END } } },     /* gate rise reloads */
    { "mode 0 on counter 2: gate low suspends counting", {
        { GATE, 1 }, { OUT, 0x43, 0x90 }, { OUT, 0x42, 50 }, { OUT2, 0, 0 },
        { TICK, 20 }, { GATE, 0 }, { TICK, 100 }, { IN, 0x42, 30 }, { OUT2, 0, 0 },
        { GATE, 1 }, { TICK, 129 }, { OUT2, 0, 0 }, { TICK, 130 }, { OUT2, 0, 1 },
        { END } } },
    { "mode 1: hardware one-shot", {
        { GATE, 0 }, { OUT, 0x43, 0x92 }, { OUT, 0x42, 20 }, { OUT2, 0, 1 },
        { TICK, 10 }, { OUT2, 0, 1 }, { GATE, 1 }, { OUT2, 0, 0 },
        { TICK, 29 }, { OUT2, 0, 0 }, { TICK, 30 }, { OUT2, 0, 1 },
        { GATE, 0 }, { GATE, 1 }, { OUT2, 0, 0 }, { TICK, 50 }, { OUT2, 0, 1 },  /* retrigger */
        { END } } },
    { "mode 4: software strobe", {
        { OUT, 0x43, 0x30 }, { LINE, 0, 0 },            /* mode 0: OUT low */
        { OUT, 0x43, 0x38 }, { LINE, 0, 1 }, { EDGES, 0, 1 },  /* mode 4: high, an edge */
        { OUT, 0x40, 5 }, { OUT, 0x40, 0 },
        { TICK, 5 }, { EDGES, 0, 1 }, { TICK, 6 }, { EDGES, 0, 2 },
        { TICK, 100 }, { EDGES, 0, 2 }, { END } } },
    { "mode 5: hardware strobe", {
        { GATE, 0 }, { OUT, 0x43, 0x9a }, { OUT, 0x42, 8 }, { TICK, 20 }, { OUT2, 0, 1 },
        { GATE, 1 }, { TICK, 27 }, { OUT2, 0, 1 }, { TICK, 28 }, { OUT2, 0, 0 },
        { TICK, 29 }, { OUT2, 0, 1 }, { END } } },
    { "BCD counting", {
        { OUT, 0x43, 0x31 }, { OUT, 0x40, 0x00 }, { OUT, 0x40, 0x01 },   /* 100 decimal */
        { TICK, 1 }, { OUT, 0x43, 0x00 }, { IN, 0x40, 0x99 }, { IN, 0x40, 0x00 },
        { TICK, 100 }, { EDGES, 0, 1 }, { END } } },
    { "LSB-only and MSB-only access", {
        { OUT, 0x43, 0x10 }, { OUT, 0x40, 200 }, { TICK, 50 }, { IN, 0x40, 150 },
        { OUT, 0x43, 0x20 }, { OUT, 0x40, 0x02 }, { TICK, 100 }, { IN, 0x40, 0x01 },
        { END } } },
    { "read-back: status then count", {
        { OUT, 0x43, 0x34 }, { OUT, 0x40, 0x00 }, { OUT, 0x40, 0x10 },   /* 4096 */
        { TICK, 16 }, { OUT, 0x43, 0xc2 }, { IN, 0x40, 0xb4 },          /* OUT high */
        { IN, 0x40, 0xf0 }, { IN, 0x40, 0x0f }, { IN, 0x40, 0xf0 },     /* then live */
        { OUT, 0x43, 0xe2 }, { IN, 0x40, 0xb4 },                          /* status only */
        { OUT, 0x43, 0x30 }, { OUT, 0x43, 0xe2 }, { IN, 0x40, 0x70 },   /* null count, OUT low */
        { END } } },
    { "a second latch is ignored until read", {
        { OUT, 0x43, 0x30 }, { OUT, 0x40, 0x00 }, { OUT, 0x40, 0x01 },
        { TICK, 10 }, { OUT, 0x43, 0x00 }, { TICK, 20 }, { OUT, 0x43, 0x00 },
        { IN, 0x40, 0xf6 }, { IN, 0x40, 0x00 }, { END } } },
    { "port 0x43 is write-only", {
        { IN, 0x43, 0xff }, { END } } },
};

typedef struct Fixture {
    Machine *m;
    I8254State *pit;
    IrqLine irq;
    int level, edges;
} Fixture;

static void irq_handler(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    if (level && !f->level)
        f->edges++;
    f->level = level;
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
    irq_line_init(&f->irq, irq_handler, f, 0);
    f->level = f->edges = 0;
    f->pit = i8254_init(&f->m->bus, 0x40, &f->irq);
    CU_ASSERT_EQUAL(f->edges, 0);       /* no edge at power-on */
    return true;
}

/* move the manual clock to the first ns of PIT tick t and fire timers */
static void goto_tick(Fixture *f, uint64_t t)
{
    int64_t ns = (int64_t)(((unsigned __int128)t * 1000000000u + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ);
    int64_t now = clock_now(&f->m->clock);
    if (ns > now)
        clock_advance(&f->m->clock, ns - now);
    clock_run_timers(&f->m->clock);
}

static void run_case(const PitCase *c)
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
        case TICK:
            goto_tick(&f, (uint64_t)s->a);
            continue;
        case GATE:
            i8254_set_gate(f.pit, 2, s->a);
            continue;
        case IN:
            got = (int)ioport_read(f.m->io, (uint16_t)s->a, 1);
            break;
        case OUT2:
            got = i8254_get_out(f.pit, 2);
            break;
        case EDGES:
            got = f.edges;
            break;
        case LINE:
            got = f.level;
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

/* 100 Hz (count 11932) for one virtual second: 100 interrupts, no drift */
static void test_100hz(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f));
    ioport_write(f.m->io, 0x43, 0x34, 1);
    ioport_write(f.m->io, 0x40, 11932 & 0xff, 1);
    ioport_write(f.m->io, 0x40, 11932 >> 8, 1);
    for (int ms = 1; ms <= 1000; ms++) {
        clock_advance(&f.m->clock, 1000000);
        clock_run_timers(&f.m->clock);
    }
    CU_ASSERT_EQUAL(f.edges, 99);       /* 1 s = 1193182 ticks = 99.99 periods */
    clock_advance(&f.m->clock, 1000000);
    clock_run_timers(&f.m->clock);
    CU_ASSERT_EQUAL(f.edges, 100);
    machine_free(f.m);
}

void register_i8254_tests(void)
{
    CU_pSuite s = CU_add_suite("i8254", NULL, NULL);
    CU_add_test(s, "scripted cases", test_cases);
    CU_add_test(s, "100 Hz over a second", test_100hz);
}
