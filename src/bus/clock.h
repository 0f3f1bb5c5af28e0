/*
 * clock.h - the virtual clock and its timer queue.
 *
 * Virtual time (nanoseconds) follows the host's monotonic clock while the
 * machine runs; it is the only time devices see.  Timers are kept in a
 * queue ordered by deadline; the main loop asks clock_next_deadline() how
 * long the CPU may run or the host may sleep, and clock_run_timers() fires
 * the expired ones.  -icount shift=N makes it an instruction-count clock.
 *
 * Example:
 *     Timer *t = timer_new(clk, pit_tick, pit);
 *     timer_mod(t, clock_now(clk) + 1000000);   // in 1 ms
 */
#ifndef TX86_CLOCK_H
#define TX86_CLOCK_H

#include <stdint.h>
#include <stdbool.h>

typedef void (*TimerCb)(void *opaque);

typedef struct Timer {
    struct VirtClock *clock;
    TimerCb cb;
    void *opaque;
    int64_t deadline;       /* virtual ns; valid while pending */
    bool pending;
    struct Timer *next;     /* queue link, sorted by deadline */
} Timer;

typedef struct VirtClock {
    int64_t host_base;      /* host monotonic ns at virt_base */
    int64_t virt_base;
    bool running;
    bool manual;            /* tests: time moves only via clock_advance */
    int64_t manual_now;
    Timer *head;            /* pending timers, earliest first */
    /* -icount shift=N: virtual ns = (instructions retired << shift) + bias;
     * icount_fn reads the CPU's count (NULL: host time or manual) */
    uint64_t (*icount_fn)(void *opaque);
    void *icount_opaque;
    int icount_shift;
    int64_t icount_bias;    /* time skipped while the CPU idled (clock_warp) */
    int64_t saved_now;      /* clock_vmsd: the time saved (pre_save) or loaded */
    /* timer_mod armed a timer earlier than every pending one: the machine
     * ends the running CPU slice (NULL: nobody to tell) */
    void (*on_earlier)(void *opaque);
    void *on_earlier_opaque;
} VirtClock;

void    clock_init(VirtClock *c, bool manual);
int64_t clock_now(VirtClock *c);
void    clock_advance(VirtClock *c, int64_t ns);   /* manual clocks only */
/* a stopped machine (monitor "stop"): host time no longer moves virtual
 * time until clock_resume (icount and manual clocks move only with the
 * CPU or the test anyway) */
void    clock_pause(VirtClock *c);
void    clock_resume(VirtClock *c);
/* -icount: time follows fn(opaque) << shift from now on (0 .. 20) */
void    clock_set_icount(VirtClock *c, int shift, uint64_t (*fn)(void *opaque), void *opaque);
static inline bool clock_is_icount(const VirtClock *c) { return c->icount_fn != 0; }
/* icount clocks: jump to `to` (a halted CPU waiting for a deadline);
 * nothing if `to` is not in the future */
void    clock_warp(VirtClock *c, int64_t to);
/* icount clocks: instructions the CPU may run before virtual time
 * reaches `deadline` (at least 1) */
uint64_t clock_icount_budget(VirtClock *c, int64_t deadline);
/* deadline of the earliest pending timer, INT64_MAX if none */
int64_t clock_next_deadline(VirtClock *c);
/* fire every timer whose deadline is <= now; returns how many fired */
int     clock_run_timers(VirtClock *c);

/* the clock's saved state (bus/vmstate.h): the virtual time.  Loading it
 * makes clock_now() continue from the saved time (with -icount, from the
 * loaded CPU's instruction count: load the CPU first).  Timers are saved
 * by their owners (VMS_TIMER). */
struct VMStateDesc;
extern const struct VMStateDesc clock_vmsd;

Timer  *timer_new(VirtClock *c, TimerCb cb, void *opaque);
void    timer_free(Timer *t);
void    timer_mod(Timer *t, int64_t deadline);     /* (re)arm */
void    timer_del(Timer *t);                        /* disarm */

#endif
