/*
 * test_mc146818.c - unit tests for the RTC/CMOS (src/devices/mc146818.c)
 * on a RAM-only machine with a manual clock, through ports 0x70/0x71.
 *
 * The clock starts at 2006-06-17 16:01:21 (a Saturday), as -rtc
 * base=2006-06-17T16:01:21 sets it.  Each case is a script (a table) of
 * register writes and reads, clock moves and IRQ 8 checks.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/mc146818.h"

enum { END, WR, RD, WAIT, IRQ };

typedef struct Step {
    int op;
    int a;          /* WR/RD: register; WAIT: microseconds */
    int b;          /* WR: value; RD: expected; IRQ: expected level */
} Step;

typedef struct RtcCase {
    const char *name;
    Step steps[32];
} RtcCase;

static const RtcCase cases[] = {
    { "time from -rtc base=DATE, BCD 24h", {
        { RD, 0x00, 0x21 }, { RD, 0x02, 0x01 }, { RD, 0x04, 0x16 }, { RD, 0x06, 0x07 },
        { RD, 0x07, 0x17 }, { RD, 0x08, 0x06 }, { RD, 0x09, 0x06 }, { RD, 0x32, 0x20 },
        { RD, 0x0a, 0x26 }, { RD, 0x0b, 0x02 }, { RD, 0x0d, 0x80 },
        { WAIT, 1000000 }, { RD, 0x00, 0x22 }, { WAIT, 38000000 }, { RD, 0x00, 0x00 },
        { RD, 0x02, 0x02 }, { END } } },
    { "binary and 12-hour formats", {
        { WR, 0x0b, 0x06 }, { RD, 0x00, 21 }, { RD, 0x04, 16 }, { RD, 0x09, 6 },
        { WR, 0x0b, 0x04 }, { RD, 0x04, 0x84 },           /* 4 PM */
        { WR, 0x0b, 0x00 }, { RD, 0x04, 0x84 }, { END } } },
    { "SET, then the clock runs from the written time", {
        { WR, 0x0b, 0x82 }, { WR, 0x00, 0x59 }, { WR, 0x02, 0x59 }, { WR, 0x04, 0x23 },
        { WR, 0x07, 0x31 }, { WR, 0x08, 0x12 }, { WR, 0x09, 0x99 }, { WR, 0x32, 0x19 },
        { WAIT, 3000000 }, { RD, 0x00, 0x59 },            /* frozen while SET */
        { WR, 0x0b, 0x02 }, { WAIT, 1000000 },
        { RD, 0x00, 0x00 }, { RD, 0x04, 0x00 }, { RD, 0x07, 0x01 }, { RD, 0x08, 0x01 },
        { RD, 0x09, 0x00 }, { RD, 0x32, 0x20 }, { RD, 0x06, 0x07 }, { END } } },
    { "periodic interrupt, 1024 Hz", {
        { RD, 0x0c, 0x00 }, { WR, 0x0b, 0x42 }, { IRQ, 0, 0 }, { WAIT, 1000 }, { IRQ, 0, 1 },
        { RD, 0x0c, 0xc0 }, { IRQ, 0, 0 }, { RD, 0x0c, 0x00 },
        { WR, 0x0a, 0x2f }, { WAIT, 400000 }, { IRQ, 0, 0 }, { WAIT, 100000 }, { IRQ, 0, 1 },
        { RD, 0x0c, 0xc0 }, { END } } },
    { "periodic flag without PIE raises nothing", {
        { WAIT, 2000 }, { IRQ, 0, 0 }, { RD, 0x0c, 0x40 }, { END } } },
    { "update-ended interrupt", {
        { WR, 0x0b, 0x12 }, { WAIT, 999000 }, { IRQ, 0, 0 }, { WAIT, 1000 }, { IRQ, 0, 1 },
        { RD, 0x0c, 0xd0 }, { IRQ, 0, 0 }, { END } } },
    { "alarm interrupt, don't-care bytes", {
        { WR, 0x01, 0x23 }, { WR, 0x03, 0xc0 }, { WR, 0x05, 0xff },
        { WR, 0x0b, 0x22 }, { WAIT, 1000000 }, { IRQ, 0, 0 }, { WAIT, 1000000 },
        { IRQ, 0, 1 }, { RD, 0x0c, 0xf0 }, { END } } },
    { "UIP during the last 244 us of a second", {
        { WAIT, 999700 }, { RD, 0x0a, 0x26 }, { WAIT, 100 }, { RD, 0x0a, 0xa6 },
        { WAIT, 300 }, { RD, 0x0a, 0x26 }, { END } } },
    { "divider reset: first update 500 ms after release", {
        { WR, 0x0a, 0x66 }, { WAIT, 5000000 }, { RD, 0x00, 0x21 },
        { WR, 0x0a, 0x26 }, { WAIT, 499000 }, { RD, 0x00, 0x21 }, { WAIT, 1000 },
        { RD, 0x00, 0x22 }, { END } } },
    { "NVRAM: QEMU pc layout for 32 MiB", {
        { RD, 0x10, 0x00 }, { RD, 0x14, 0x06 }, { RD, 0x15, 0x80 }, { RD, 0x16, 0x02 },
        { RD, 0x17, 0x00 }, { RD, 0x18, 0x7c }, { RD, 0x30, 0x00 }, { RD, 0x31, 0x7c },
        { RD, 0x34, 0x00 }, { RD, 0x35, 0x01 }, { RD, 0x5b, 0 }, { RD, 0x5f, 0 },
        { RD, 0x3d, 0x12 }, { RD, 0x38, 0x30 },
        { RD, 0x2e, 0x01 }, { RD, 0x2f, 0x04 },         /* 0x06+0x80+0x02+0x7c */
        { WR, 0x40, 0x5a }, { RD, 0x40, 0x5a }, { RD, 0x7f, 0x00 }, { END } } },
    { "registers C and D are read-only", {
        { WR, 0x0c, 0xff }, { RD, 0x0c, 0x00 }, { WR, 0x0d, 0x00 }, { RD, 0x0d, 0x80 },
        { END } } },
};

typedef struct Fixture {
    Machine *m;
    MC146818State *rtc;
    IrqLine irq;
    int level;
} Fixture;

static void irq_handler(void *opaque, int n, int level)
{
    ((Fixture *)opaque)->level = level;
}

static bool fixture_init(Fixture *f)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 32u << 20;
    cfg.backend = BACKEND_INTERP;
    cfg.rtc_base = RTC_BASE_DATE;
    if (!mc146818_parse_date("2006-06-17T16:01:21", &cfg.rtc_date))
        return false;
    f->m = machine_new(&cfg, &err);
    if (!f->m) {
        g_clear_error(&err);
        return false;
    }
    clock_init(&f->m->clock, true);
    irq_line_init(&f->irq, irq_handler, f, 8);
    f->level = 0;
    MC146818Settings set = {
        .ram_size = cfg.ram_size, .rtc_base = cfg.rtc_base, .rtc_date = cfg.rtc_date,
    };
    f->rtc = mc146818_init(&f->m->bus, 0x70, &f->irq, &set);
    return true;
}

static void run_case(const RtcCase *c)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f));
    for (int i = 0; c->steps[i].op != END; i++) {
        const Step *s = &c->steps[i];
        int got = -1, want = s->b;
        switch (s->op) {
        case WR:
            ioport_write(f.m->io, 0x70, (uint32_t)s->a, 1);
            ioport_write(f.m->io, 0x71, (uint32_t)s->b, 1);
            continue;
        case WAIT:
            clock_advance(&f.m->clock, (int64_t)s->a * 1000);
            clock_run_timers(&f.m->clock);
            continue;
        case RD:
            ioport_write(f.m->io, 0x70, (uint32_t)s->a, 1);
            got = (int)ioport_read(f.m->io, 0x71, 1);
            break;
        case IRQ:
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

static void test_nmi_mask_and_setters(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f));
    CU_ASSERT_FALSE(mc146818_nmi_masked(f.rtc));
    ioport_write(f.m->io, 0x70, 0x8f, 1);
    CU_ASSERT_TRUE(mc146818_nmi_masked(f.rtc));
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0x71, 1), 0x00);     /* register 0x0F */
    mc146818_cmos_set(f.rtc, 0x12, 0xf0);
    CU_ASSERT_EQUAL(mc146818_cmos_get(f.rtc, 0x2e), 0x01);
    CU_ASSERT_EQUAL(mc146818_cmos_get(f.rtc, 0x2f), 0xf4);
    mc146818_cmos_set(f.rtc, 0x00, 0x42);                        /* refused */
    mc146818_set_boot_order(f.rtc, "dca");
    CU_ASSERT_EQUAL(mc146818_cmos_get(f.rtc, 0x3d), 0x23);
    CU_ASSERT_EQUAL(mc146818_cmos_get(f.rtc, 0x38), 0x10);
    machine_free(f.m);
}

static void test_parse_date(void)
{
    static const struct { const char *s; bool ok; int64_t secs; } v[] = {
        { "2006-06-17T16:01:21", true, 1150560081 },
        { "2006-06-17", true, 1150502400 },
        { "1970-01-01", true, 0 },
        { "2006-13-01", false, 0 },
        { "2006-06-17T25:00:00", false, 0 },
        { "2006-06-17X", false, 0 },
        { "yesterday", false, 0 },
        { "", false, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
        int64_t secs = -1;
        CU_ASSERT_EQUAL(mc146818_parse_date(v[i].s, &secs), v[i].ok);
        if (v[i].ok)
            CU_ASSERT_EQUAL(secs, v[i].secs);
    }
}

void register_mc146818_tests(void)
{
    CU_pSuite s = CU_add_suite("mc146818", NULL, NULL);
    CU_add_test(s, "scripted cases", test_cases);
    CU_add_test(s, "NMI mask, NVRAM setters", test_nmi_mask_and_setters);
    CU_add_test(s, "-rtc dates", test_parse_date);
}
