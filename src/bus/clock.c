/*
 * clock.c - the virtual clock and its timer queue (see clock.h).
 *
 * Virtual time is host CLOCK_MONOTONIC time, offset so that it starts at 0
 * when the clock is created; a manual clock (unit tests) only moves
 * through clock_advance().  An icount clock (-icount shift=N) is
 * (instructions retired << N) + bias: the CPU loop sizes its slices with
 * clock_icount_budget() so timers fire at exact instruction counts, and a
 * halted CPU jumps to the next deadline (clock_warp) instead of sleeping,
 * so runs repeat exactly.  Pending timers form a singly linked
 * list sorted by deadline (equal deadlines fire in the order they were
 * armed); there are few timers on a PC, so insertion by walking is fine.
 * A callback may re-arm its own timer or others; a timer re-armed to a
 * deadline that has already passed fires again in the same
 * clock_run_timers() call.
 */
#include <time.h>
#include <glib.h>
#include "bus/clock.h"
#include "bus/vmstate.h"

static int64_t clock_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void clock_init(VirtClock *c, bool manual)
{
    c->manual = manual;
    c->manual_now = 0;
    c->virt_base = 0;
    c->host_base = clock_host_ns();
    c->running = true;
    c->head = NULL;
    c->icount_fn = NULL;        /* host or manual time until clock_set_icount */
    c->icount_opaque = NULL;
    c->icount_shift = 0;
    c->icount_bias = 0;
    c->saved_now = 0;
    c->on_earlier = NULL;       /* the machine sets it */
    c->on_earlier_opaque = NULL;
}

int64_t clock_now(VirtClock *c)
{
    if (c->icount_fn)
        return (int64_t)(c->icount_fn(c->icount_opaque) << c->icount_shift) + c->icount_bias;
    if (c->manual)
        return c->manual_now;
    if (!c->running)
        return c->virt_base;
    return c->virt_base + (clock_host_ns() - c->host_base);
}

void clock_advance(VirtClock *c, int64_t ns)
{
    g_assert(c->manual);
    g_assert(ns >= 0);
    c->manual_now += ns;
}

void clock_pause(VirtClock *c)
{
    if (!c->running)
        return;
    c->virt_base = clock_now(c);
    c->running = false;
}

void clock_resume(VirtClock *c)
{
    if (c->running)
        return;
    c->host_base = clock_host_ns();
    c->running = true;
}

void clock_set_icount(VirtClock *c, int shift, uint64_t (*fn)(void *opaque), void *opaque)
{
    g_assert(shift >= 0 && shift <= 20);
    c->icount_fn = fn;
    c->icount_opaque = opaque;
    c->icount_shift = shift;
    c->icount_bias = 0;
    c->icount_bias = -(int64_t)(fn(opaque) << shift);   /* time starts at 0 */
}

void clock_warp(VirtClock *c, int64_t to)
{
    int64_t now = clock_now(c);
    if (c->icount_fn && to > now && to != INT64_MAX)
        c->icount_bias += to - now;
}

uint64_t clock_icount_budget(VirtClock *c, int64_t deadline)
{
    int64_t ns = deadline - clock_now(c);
    if (ns <= 0)
        return 1;
    uint64_t n = ((uint64_t)ns + (1ull << c->icount_shift) - 1) >> c->icount_shift;
    return n ? n : 1;
}

int64_t clock_next_deadline(VirtClock *c)
{
    return c->head ? c->head->deadline : INT64_MAX;
}

int clock_run_timers(VirtClock *c)
{
    int fired = 0;
    int64_t now = clock_now(c);
    while (c->head && c->head->deadline <= now) {
        Timer *t = c->head;
        c->head = t->next;
        t->next = NULL;
        t->pending = false;
        t->cb(t->opaque);
        fired++;
    }
    return fired;
}

Timer *timer_new(VirtClock *c, TimerCb cb, void *opaque)
{
    Timer *t = g_new0(Timer, 1);
    t->clock = c;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

void timer_free(Timer *t)
{
    if (!t)
        return;
    timer_del(t);
    g_free(t);
}

void timer_del(Timer *t)
{
    if (!t->pending)
        return;
    for (Timer **pp = &t->clock->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->pending = false;
}

void timer_mod(Timer *t, int64_t deadline)
{
    VirtClock *c = t->clock;
    timer_del(t);
    /* a deadline before every other one: the running CPU slice was sized
     * for a later one and must end now (then the next is sized by this) */
    if (c->on_earlier && (!c->head || deadline < c->head->deadline))
        c->on_earlier(c->on_earlier_opaque);
    Timer **pp = &c->head;
    while (*pp && (*pp)->deadline <= deadline)
        pp = &(*pp)->next;
    t->deadline = deadline;
    t->next = *pp;
    *pp = t;
    t->pending = true;
}

/* ---- saved state (bus/vmstate.h) ---- */

static void clock_pre_save(void *opaque)
{
    VirtClock *c = opaque;
    c->saved_now = clock_now(c);
}

static bool clock_post_load(void *opaque, int version, GError **errp)
{
    VirtClock *c = opaque;
    if (c->saved_now < 0) {
        g_set_error(errp, VMSTATE_ERROR, 0, "clock: negative time %" G_GINT64_FORMAT,
                    c->saved_now);
        return false;
    }
    if (c->icount_fn)
        c->icount_bias = c->saved_now - (int64_t)(c->icount_fn(c->icount_opaque) << c->icount_shift);
    else if (c->manual)
        c->manual_now = c->saved_now;
    else {
        c->virt_base = c->saved_now;
        c->host_base = clock_host_ns();
    }
    return true;
}

static const VMStateField clock_fields[] = {
    VMS_I64(VirtClock, saved_now, 1),
    VMS_END
};

const VMStateDesc clock_vmsd = {
    .name = "clock", .version = 1, .min_version = 1, .fields = clock_fields,
    .pre_save = clock_pre_save, .post_load = clock_post_load,
};
