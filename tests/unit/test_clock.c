/*
 * test_clock.c - unit tests for the virtual clock and timer queue
 * (clock.c), on a manual clock so time is deterministic.
 */
#include <CUnit/CUnit.h>
#include <glib.h>
#include "bus/clock.h"

typedef struct Rec {
    int order[16];
    int n;
} Rec;

typedef struct Tag {
    Rec *rec;
    int id;
    Timer *self;
    int64_t period;     /* re-arm by this much when > 0 */
} Tag;

static void tag_cb(void *opaque)
{
    Tag *t = opaque;
    if (t->rec->n < 16)
        t->rec->order[t->rec->n++] = t->id;
    if (t->period > 0)
        timer_mod(t->self, t->self->deadline + t->period);
}

static void test_order(void)
{
    VirtClock c;
    Rec rec = { .n = 0 };
    /* armed out of order; equal deadlines fire in arming order */
    static const struct { int id; int64_t deadline; } arm[] = {
        { 1, 300 }, { 2, 100 }, { 3, 200 }, { 4, 100 }, { 5, 1000 },
    };
    Tag tags[5];
    clock_init(&c, true);
    CU_ASSERT_EQUAL(clock_next_deadline(&c), INT64_MAX);
    for (int i = 0; i < 5; i++) {
        tags[i] = (Tag){ &rec, arm[i].id, NULL, 0 };
        tags[i].self = timer_new(&c, tag_cb, &tags[i]);
        timer_mod(tags[i].self, arm[i].deadline);
    }
    CU_ASSERT_EQUAL(clock_next_deadline(&c), 100);
    CU_ASSERT_EQUAL(clock_run_timers(&c), 0);       /* now = 0 */
    clock_advance(&c, 250);
    CU_ASSERT_EQUAL(clock_now(&c), 250);
    CU_ASSERT_EQUAL(clock_run_timers(&c), 3);
    CU_ASSERT_EQUAL(rec.n, 3);
    CU_ASSERT_EQUAL(rec.order[0], 2);
    CU_ASSERT_EQUAL(rec.order[1], 4);
    CU_ASSERT_EQUAL(rec.order[2], 3);
    CU_ASSERT_EQUAL(clock_next_deadline(&c), 300);
    CU_ASSERT_FALSE(tags[1].self->pending);
    CU_ASSERT_TRUE(tags[0].self->pending);
    /* a deleted timer never fires; re-arming moves it */
    timer_del(tags[0].self);
    timer_mod(tags[4].self, 260);
    CU_ASSERT_EQUAL(clock_next_deadline(&c), 260);
    clock_advance(&c, 10000);
    CU_ASSERT_EQUAL(clock_run_timers(&c), 1);
    CU_ASSERT_EQUAL(rec.order[3], 5);
    CU_ASSERT_EQUAL(clock_next_deadline(&c), INT64_MAX);
    for (int i = 0; i < 5; i++)
        timer_free(tags[i].self);
}

static void test_periodic(void)
{
    VirtClock c;
    Rec rec = { .n = 0 };
    Tag t = { &rec, 7, NULL, 100 };
    clock_init(&c, true);
    t.self = timer_new(&c, tag_cb, &t);
    timer_mod(t.self, 100);
    clock_advance(&c, 350);                  /* due at 100, 200, 300 */
    CU_ASSERT_EQUAL(clock_run_timers(&c), 3);
    CU_ASSERT_EQUAL(clock_next_deadline(&c), 400);
    timer_free(t.self);                      /* freeing a pending timer unlinks it */
    CU_ASSERT_EQUAL(clock_next_deadline(&c), INT64_MAX);
}

static void test_host_clock(void)
{
    VirtClock c;
    clock_init(&c, false);
    int64_t a = clock_now(&c);
    int64_t b = clock_now(&c);
    CU_ASSERT_TRUE(a >= 0);
    CU_ASSERT_TRUE(b >= a);
    CU_ASSERT_TRUE(a < 1000000000);          /* starts near 0 */
}

/* a paused host clock stands still and goes on from there (monitor stop) */
static void test_pause(void)
{
    VirtClock c;
    clock_init(&c, false);
    g_usleep(2000);
    clock_pause(&c);
    int64_t t0 = clock_now(&c);
    CU_ASSERT(t0 >= 2000000);
    g_usleep(20000);
    CU_ASSERT_EQUAL(clock_now(&c), t0);
    clock_pause(&c);                        /* twice: no change */
    CU_ASSERT_EQUAL(clock_now(&c), t0);
    clock_resume(&c);
    int64_t t1 = clock_now(&c);
    CU_ASSERT(t1 >= t0 && t1 < t0 + 15000000);      /* the 20 ms pause not counted */
    g_usleep(2000);
    CU_ASSERT(clock_now(&c) >= t1 + 2000000);
}

void register_clock_tests(void)
{
    CU_pSuite s = CU_add_suite("clock", NULL, NULL);
    CU_add_test(s, "timers fire in deadline order", test_order);
    CU_add_test(s, "periodic re-arm from the callback", test_periodic);
    CU_add_test(s, "host monotonic clock starts at 0", test_host_clock);
    CU_add_test(s, "pause and resume (monitor stop/cont)", test_pause);
}
