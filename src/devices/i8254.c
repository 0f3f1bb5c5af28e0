/*
 * i8254.c - the Intel 8254 programmable interval timer: three 16-bit down
 * counters clocked at 1.193182 MHz, ports base+0..2 (counters 0-2) and
 * base+3 (control word).  On a PC counter 0 drives IRQ 0, counter 1 (the
 * old DRAM refresh) is unused, counter 2 drives the speaker and its gate
 * and OUT are bits 0 and 5 of port 0x61 (pc_ports.c).
 *
 * Follows the Intel 8254 datasheet (order 231164-005): the six modes
 * (0 interrupt on terminal count, 1 hardware-retriggerable one-shot,
 * 2 rate generator, 3 square wave, 4 software strobe, 5 hardware strobe),
 * binary and BCD counting, LSB/MSB/both access with the byte flip-flops,
 * the counter latch command and the read-back command (count and status,
 * status first), null count, gate behaviour per mode, a new count taking
 * effect at once (modes 0 and 4), at the next trigger (1 and 5) or at the
 * end of the current period (2 and 3).
 *
 * Model: nothing ticks.  A counter remembers the PIT clock tick at which
 * it started (its count N loaded into the counting element); its value
 * and OUT at any time are functions of the ticks elapsed since, computed
 * from the virtual clock (clock.h) when the guest reads them.  Only
 * counter 0 has a timer, armed at the next rising edge of OUT; its
 * callback gives the IRQ line a rising edge.  PIT ticks are counted from
 * virtual time 0 (tick = ns * 1193182 / 10^9), so periods never drift.
 *
 * Departures: the one-CLK delay between writing a count and the counter
 * loading it is not modelled (the count starts at once); in mode 3 with
 * an odd count the value read is approximate (OUT timing is exact).
 */
#include <glib.h>
#include "bus/buses.h"
#include "devices/i8254.h"
#include "util/log.h"

typedef struct PitCounter {
    struct I8254State *pit;
    int index;
    uint8_t mode;           /* 0-5 */
    uint8_t rw;             /* 1 LSB, 2 MSB, 3 LSB then MSB */
    bool bcd;
    uint32_t cr;            /* last count written, 1..65536 (BCD 1..10000) */
    uint32_t count;         /* count in the counting element */
    bool armed;             /* a count was written since the control word */
    bool running;           /* counting element decrementing */
    bool triggered;         /* modes 1, 5: a gate edge started the count */
    bool pending;           /* modes 2, 3: cr loads at the end of the period */
    uint64_t pending_at;    /* ... at this elapsed tick count */
    uint64_t start;         /* PIT tick where the elapsed count is 0 */
    uint64_t d_paused;      /* elapsed ticks while stopped (modes 0, 4) */
    bool gate;
    bool null_count;
    bool write_hi;          /* rw 3: the next write is the MSB */
    uint8_t write_lsb;
    bool read_hi;           /* rw 3: the next read is the MSB */
    bool latched;           /* counter latch holds latch_value */
    uint8_t latch_left;     /* bytes of the latch still to read */
    uint16_t latch_value;
    bool status_latched;
    uint8_t status;
    bool line;              /* level driven on irq */
    IrqLine *irq;           /* counter 0 only */
    Timer *timer;
} PitCounter;

struct I8254State {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    uint16_t base;
    PitCounter c[3];
};

/* saved state (bus/vmstate.h): every counter's programming, count,
 * latches and the level it drives; counter 0's timer */
static const VMStateField pit_counter_fields[] = {
    VMS_U8(PitCounter, mode, 1),
    VMS_U8(PitCounter, rw, 1),
    VMS_BOOL(PitCounter, bcd, 1),
    VMS_U32(PitCounter, cr, 1),
    VMS_U32(PitCounter, count, 1),
    VMS_BOOL(PitCounter, armed, 1),
    VMS_BOOL(PitCounter, running, 1),
    VMS_BOOL(PitCounter, triggered, 1),
    VMS_BOOL(PitCounter, pending, 1),
    VMS_U64(PitCounter, pending_at, 1),
    VMS_U64(PitCounter, start, 1),
    VMS_U64(PitCounter, d_paused, 1),
    VMS_BOOL(PitCounter, gate, 1),
    VMS_BOOL(PitCounter, null_count, 1),
    VMS_BOOL(PitCounter, write_hi, 1),
    VMS_U8(PitCounter, write_lsb, 1),
    VMS_BOOL(PitCounter, read_hi, 1),
    VMS_BOOL(PitCounter, latched, 1),
    VMS_U8(PitCounter, latch_left, 1),
    VMS_U16(PitCounter, latch_value, 1),
    VMS_BOOL(PitCounter, status_latched, 1),
    VMS_U8(PitCounter, status, 1),
    VMS_BOOL(PitCounter, line, 1),
    VMS_TIMER(PitCounter, timer, 1),
    VMS_END
};
static const VMStateDesc pit_counter_vmsd = { "i8254-counter", 1, 1, pit_counter_fields };

static bool pit_post_load(void *opaque, int version, GError **errp)
{
    I8254State *s = opaque;
    for (int i = 0; i < 3; i++) {
        const PitCounter *c = &s->c[i];
        if (c->mode > 5 || c->rw < 1 || c->rw > 3 || c->cr < 1 || c->cr > 65536 ||
            c->count > 65536 || c->latch_left > 2) {
            g_set_error(errp, VMSTATE_ERROR, 0, "i8254: counter %d: mode %u, access %u, "
                        "count %u/%u or latch %u out of range", i, c->mode, c->rw, c->cr,
                        c->count, c->latch_left);
            return false;
        }
    }
    return true;
}

static const VMStateField pit_fields[] = {
    VMS_STRUCT_ARRAY(I8254State, c, pit_counter_vmsd, 1),
    VMS_END
};
const VMStateDesc i8254_vmsd = { .name = "i8254", .version = 1, .min_version = 1,
                                 .fields = pit_fields, .post_load = pit_post_load };
const size_t i8254_state_size = sizeof(I8254State);

static uint64_t pit_ticks(int64_t ns)
{
    return ns <= 0 ? 0 : (uint64_t)((unsigned __int128)ns * PIT_FREQ_HZ / 1000000000u);
}

/* first virtual ns at which the tick count reaches ticks */
static int64_t pit_ns(uint64_t ticks)
{
    return (int64_t)(((unsigned __int128)ticks * 1000000000u + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ);
}

static uint64_t pit_now(const PitCounter *c)
{
    return pit_ticks(clock_now(c->pit->buses.clock));
}

/* ticks elapsed in the counting element */
static uint64_t pit_elapsed(const PitCounter *c, uint64_t t)
{
    return c->running ? t - c->start : c->d_paused;
}

/* modes 2, 3: a count written during a period loads at its end */
static void pit_sync(PitCounter *c, uint64_t t)
{
    if (c->pending && c->running && t - c->start >= c->pending_at) {
        c->start += c->pending_at;
        c->count = c->cr;
        c->pending = false;
        c->null_count = false;
    }
}

static bool pit_out(const PitCounter *c, uint64_t t)
{
    if (!c->armed)
        return c->mode != 0;            /* after the control word */
    uint64_t d = pit_elapsed(c, t), n = c->count;
    switch (c->mode) {
    case 0:
        return d >= n;
    case 1:
        return !c->triggered || d >= n;
    case 2:
        return !c->running || n < 2 || d % n != n - 1;
    case 3:
        return !c->running || d % n < (n + 1) / 2;
    case 4:
        return d != n;
    default:                            /* 5 */
        return !c->triggered || d != n;
    }
}

static uint16_t pit_to_bcd(uint32_t v)
{
    return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

/* the counting element as the guest reads it (16 bits, BCD if selected) */
static uint16_t pit_value(const PitCounter *c, uint64_t t)
{
    uint32_t period = c->bcd ? 10000 : 65536;
    uint64_t n = c->armed ? c->count : c->cr;
    uint64_t v;
    if (!c->armed || (!c->running && (c->mode == 2 || c->mode == 3)) ||
        ((c->mode == 1 || c->mode == 5) && !c->triggered)) {
        v = n;
    } else {
        uint64_t d = pit_elapsed(c, t);
        switch (c->mode) {
        case 2:
            v = n - d % n;
            break;
        case 3: {
            uint64_t p = d % n, half = (n + 1) / 2;
            uint64_t q = p < half ? p : p - half;
            int64_t w = (int64_t)(n & ~1ull) - 2 * (int64_t)q;
            v = w < 2 ? 2 : (uint64_t)w;
            break;
        }
        default:                        /* 0, 1, 4, 5: wraps around */
            v = (n + period - d % period) % period;
            break;
        }
    }
    v %= period;
    return c->bcd ? pit_to_bcd((uint32_t)v) : (uint16_t)v;
}

static uint8_t pit_status(const PitCounter *c, uint64_t t)
{
    return (uint8_t)(pit_out(c, t) << 7 | c->null_count << 6 | c->rw << 4 |
                     c->mode << 1 | c->bcd);
}

/* drive counter 0's IRQ line with OUT */
static void pit_drive(PitCounter *c, uint64_t t)
{
    bool out = pit_out(c, t);
    if (c->irq && out != c->line) {
        c->line = out;
        irq_set(c->irq, out);
    }
}

/* elapsed tick count of the next rising edge of OUT after d, 0 if none */
static uint64_t pit_next_rise(const PitCounter *c, uint64_t d)
{
    uint64_t n = c->count;
    if (!c->armed || !c->running)
        return 0;
    switch (c->mode) {
    case 0: case 1:
        return d < n ? n : 0;
    case 4: case 5:
        return d < n + 1 ? n + 1 : 0;
    default:                            /* 2, 3 */
        return n < 2 ? 0 : (d / n + 1) * n;
    }
}

static void pit_schedule(PitCounter *c, uint64_t t)
{
    if (!c->timer)
        return;
    uint64_t r = pit_next_rise(c, pit_elapsed(c, t));
    if (r)
        timer_mod(c->timer, pit_ns(c->start + r));
    else
        timer_del(c->timer);
}

/* counter 0's timer: OUT has a rising edge now */
static void pit_timer_cb(void *opaque)
{
    PitCounter *c = opaque;
    uint64_t t = pit_now(c);
    pit_sync(c, t);
    if (c->irq) {
        if (c->line)
            irq_set(c->irq, 0);
        irq_set(c->irq, 1);
        c->line = true;
        pit_drive(c, t);
    }
    pit_schedule(c, t);
}

/* after a guest access changed the counter: OUT, timer, CPU slice */
static void pit_changed(PitCounter *c, uint64_t t)
{
    pit_drive(c, t);
    if (c->timer) {
        pit_schedule(c, t);
        host_timers_changed(c->pit->buses.host);
    }
}

static void pit_load(PitCounter *c, uint32_t raw, uint64_t t)
{
    uint32_t n;
    if (c->bcd) {
        n = (raw & 15) % 10 + (raw >> 4 & 15) % 10 * 10 + (raw >> 8 & 15) % 10 * 100 +
            (raw >> 12 & 15) % 10 * 1000;
        if (n == 0)
            n = 10000;
    } else {
        n = raw ? raw : 65536;
    }
    c->cr = n;
    c->null_count = true;
    switch (c->mode) {
    case 0: case 4:
        c->count = n;
        c->start = t;
        c->d_paused = 0;
        c->running = c->gate;
        c->armed = true;
        c->null_count = false;
        break;
    case 1: case 5:
        if (!c->armed) {
            c->armed = true;
            c->triggered = false;
            c->running = false;
            c->count = n;
        }
        break;                          /* used at the next trigger */
    default:                            /* 2, 3 */
        if (!c->armed || !c->running) {
            c->count = n;
            c->armed = true;
            c->start = t;
            c->running = c->gate;
            c->pending = false;
            c->null_count = !c->running;
        } else {
            c->pending = true;
            c->pending_at = ((t - c->start) / c->count + 1) * c->count;
        }
        break;
    }
    pit_changed(c, t);
}

static void pit_control(I8254State *s, uint8_t v, uint64_t t)
{
    int sc = v >> 6;
    if (sc == 3) {                      /* read-back */
        for (int i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            PitCounter *c = &s->c[i];
            pit_sync(c, t);
            if (!(v & 0x20) && !c->latched) {
                c->latched = true;
                c->latch_value = pit_value(c, t);
                c->latch_left = c->rw == 3 ? 2 : 1;
            }
            if (!(v & 0x10) && !c->status_latched) {
                c->status_latched = true;
                c->status = pit_status(c, t);
            }
        }
        return;
    }
    PitCounter *c = &s->c[sc];
    pit_sync(c, t);
    int rw = (v >> 4) & 3;
    if (rw == 0) {                      /* counter latch command */
        if (!c->latched) {
            c->latched = true;
            c->latch_value = pit_value(c, t);
            c->latch_left = c->rw == 3 ? 2 : 1;
        }
        return;
    }
    c->rw = (uint8_t)rw;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;                   /* 6, 7 are modes 2, 3 */
    c->bcd = v & 1;
    c->armed = c->running = c->triggered = c->pending = false;
    c->latched = c->status_latched = false;
    c->write_hi = c->read_hi = false;
    c->null_count = true;
    pit_changed(c, t);
}

static void pit_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    I8254State *s = opaque;
    uint8_t v = (uint8_t)value;
    int idx = (port - s->base) & 3;
    PitCounter *c = &s->c[idx < 3 ? idx : 0];
    uint64_t t = pit_now(c);

    if (log_enabled(LOG_IOPORT))
        log_printf("i8254: write %#x <- %#04x\n", port, v);
    if (idx == 3) {
        pit_control(s, v, t);
        return;
    }
    pit_sync(c, t);
    switch (c->rw) {
    case 1:
        pit_load(c, v, t);
        break;
    case 2:
        pit_load(c, (uint32_t)v << 8, t);
        break;
    case 3:
        if (!c->write_hi) {
            c->write_lsb = v;
            c->write_hi = true;
            if (c->mode == 0 && c->armed) {   /* first byte stops mode 0, OUT low */
                c->armed = false;
                pit_changed(c, t);
            }
        } else {
            c->write_hi = false;
            pit_load(c, c->write_lsb | (uint32_t)v << 8, t);
        }
        break;
    default:                            /* no control word yet */
        break;
    }
}

static uint32_t pit_read(void *opaque, uint16_t port, int size)
{
    I8254State *s = opaque;
    int idx = (port - s->base) & 3;
    if (idx == 3)
        return 0xff;                    /* the control word is write-only */
    PitCounter *c = &s->c[idx];
    uint64_t t = pit_now(c);
    uint8_t v;

    pit_sync(c, t);
    if (c->status_latched) {
        c->status_latched = false;
        v = c->status;
    } else if (c->latched) {
        bool hi = c->rw == 2 || (c->rw == 3 && c->latch_left == 1);
        v = (uint8_t)(hi ? c->latch_value >> 8 : c->latch_value);
        if (--c->latch_left == 0)
            c->latched = false;
    } else {
        uint16_t val = pit_value(c, t);
        bool hi = c->rw == 2 || (c->rw == 3 && c->read_hi);
        if (c->rw == 3)
            c->read_hi = !c->read_hi;
        v = (uint8_t)(hi ? val >> 8 : val);
    }
    if (log_enabled(LOG_IOPORT))
        log_printf("i8254: read %#x -> %#04x\n", port, v);
    return v;
}

static const IOPortOps pit_ops = {
    .read = pit_read,
    .write = pit_write,
    .sizes = IO_SIZE_8,
};

void i8254_set_gate(I8254State *s, int ch, int level)
{
    if (ch < 0 || ch > 2)
        return;
    PitCounter *c = &s->c[ch];
    uint64_t t = pit_now(c);
    bool rising = level && !c->gate, falling = !level && c->gate;
    pit_sync(c, t);
    c->gate = level != 0;
    if (!c->armed || (!rising && !falling))
        return;
    switch (c->mode) {
    case 0: case 4:                     /* gate low suspends counting */
        if (falling && c->running) {
            c->d_paused = t - c->start;
            c->running = false;
        } else if (rising && !c->running) {
            c->start = t - c->d_paused;
            c->running = true;
        }
        break;
    case 1: case 5:                     /* a rising edge (re)triggers */
        if (rising) {
            c->count = c->cr;
            c->start = t;
            c->running = c->triggered = true;
            c->null_count = false;
        }
        break;
    default:                            /* 2, 3: low stops, rising reloads */
        if (falling) {
            c->running = false;
        } else {
            c->count = c->cr;
            c->start = t;
            c->running = true;
            c->pending = false;
            c->null_count = false;
        }
        break;
    }
    pit_changed(c, t);
}

bool i8254_get_gate(I8254State *s, int ch)
{
    return ch >= 0 && ch <= 2 && s->c[ch].gate;
}

bool i8254_get_out(I8254State *s, int ch)
{
    if (ch < 0 || ch > 2)
        return false;
    PitCounter *c = &s->c[ch];
    uint64_t t = pit_now(c);
    pit_sync(c, t);
    return pit_out(c, t);
}

void i8254_reset(I8254State *s)
{
    for (int i = 0; i < 3; i++) {
        PitCounter *c = &s->c[i];
        if (c->timer)
            timer_del(c->timer);
        Timer *timer = c->timer;
        IrqLine *irq = c->irq;
        bool line = c->line;
        *c = (PitCounter){ .pit = s, .index = i, .timer = timer, .irq = irq, .line = line,
                           .mode = 3, .rw = 3, .cr = 65536, .count = 65536,
                           .gate = i != 2 };
        /* the line is not driven here: a reset must not raise IRQ 0 on a
         * PIC nobody programmed (guest test ROMs that STI) */
    }
}

void i8254_free(I8254State *s)
{
    if (!s)
        return;
    for (int i = 0; i < 3; i++)
        timer_free(s->c[i].timer);
    g_free(s);
}

I8254State *i8254_init(const Buses *b, uint16_t base, IrqLine *irq)
{
    I8254State *s = g_new0(I8254State, 1);
    s->buses = *b;
    s->base = base;
    s->c[0].irq = irq;
    s->c[0].timer = timer_new(b->clock, pit_timer_cb, &s->c[0]);
    /* OUT is high after the control word of every mode but 0: count the
     * line as high from power-on (without an edge), so a BIOS programming
     * mode 2 or 3 gets its first IRQ 0 at the end of the first period */
    s->c[0].line = true;
    i8254_reset(s);
    ioport_register(b->io, base, 4, &pit_ops, s, "i8254");
    host_register_device(b->host, s, (void (*)(void *))i8254_free,
                            (void (*)(void *))i8254_reset);
    host_register_state(b->host, &i8254_vmsd, s);
    return s;
}
