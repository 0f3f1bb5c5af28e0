/*
 * apic.c - the local APIC of a P6-family CPU (one CPU: the bootstrap one).
 * Part of the CPU (cpu-x86/): created with its CPUState and the buses,
 * it reads IA32_APIC_BASE there and drives the core's INTR and NMI
 * inputs; the board gives it the INTR pin's line (LINT0) and its EOI
 * listener (the IOAPIC), so it names no device.
 *
 * Reference: Intel SDM Vol. 3A, chapter 10 "Advanced Programmable Interrupt
 * Controller (APIC)" (register map table 10-1, LVT 10.5, timer 10.5.4,
 * priorities 10.8.3, EOI 10.8.5, spurious interrupt 10.9, ICR 10.6.1) and
 * the MultiProcessor Specification 1.4 (virtual wire mode, 3.6.2).
 *
 * Registers, 32-bit at 16-byte strides from IA32_APIC_BASE (0xFEE00000):
 *   020 ID (bits 27:24)     030 version 0x00040014   080 TPR   090 APR  0A0 PPR
 *   0B0 EOI    0D0 LDR     0E0 DFR   0F0 SVR (bits 3:0 read as 1 on P6)
 *   100-170 ISR  180-1F0 TMR  200-270 IRR  280 ESR (a write latches errors)
 *   300/310 ICR   320 LVT timer  340 LVT perf. counter  350 LINT0  360 LINT1
 *   370 LVT error   380 initial count  390 current count  3E0 divide config
 *
 * The APIC owns the CPU's INTR pin (CPU_INTERRUPT_HARD): it is asserted
 * while (a) an ExtINT is pending - LINT0 programmed ExtINT, unmasked and
 * driven high by the i8259, or an ExtINT message from the IOAPIC - or
 * (b) the APIC is software-enabled and the highest IRR vector's priority
 * class is above PPR's.  The CPU's acknowledge (apic_irq_ack) takes an
 * ExtINT from the i8259 (its INTA gives the vector) and otherwise moves the
 * highest IRR vector to ISR.  EOI clears the highest ISR bit and, if that
 * vector was level-triggered (TMR), broadcasts the EOI to the IOAPIC.  The
 * line is recomputed at every change, so an interrupt masked by a TPR
 * write before the CPU takes it simply disappears: the spurious vector is
 * never needed (the SVR keeps it for the guest).
 *
 * IA32_APIC_BASE bit 11 clear (global disable): the APIC vanishes from
 * memory, loses its state (reset), and LINT0/LINT1 become the CPU's plain
 * INTR and NMI pins (the i8259 drives INTR directly).  Unlike a P6 it can
 * be enabled again without a reset (as later CPUs); relocation is not
 * emulated (the registers stay at the address they were mapped at; a
 * moved base makes them vanish), logged under -d unimp.
 *
 * Timer: counts at a 1 GHz bus clock divided by the divide configuration
 * (1 tick = 1, 2, 4 ... 128 ns of virtual time), one-shot or periodic; P6
 * has no TSC-deadline mode.  Missed periods (host lag) are coalesced into
 * one interrupt.  Linux calibrates it against the PIT, so the frequency is
 * ours to choose (QEMU counts at the same 1 GHz).
 *
 * Choices and departures (docs/devices.md):
 *  - LINT0 resets to ExtINT, unmasked (0x700), the virtual wire mode a BIOS
 *    sets up (MP spec 3.6.2.2), so firmware and OSes that never touch the
 *    APIC get i8259 interrupts; SeaBIOS writes 0x8700 itself.  All other
 *    LVTs reset masked, as in the SDM.
 *  - One CPU: INIT, SMI and STARTUP messages to itself are logged (-d unimp)
 *    and ignored; IPIs to other APIC IDs go nowhere; lowest priority is
 *    delivered like fixed.  The delivery status bits always read idle.
 *  - Pin polarity (LVT bit 13) is kept but not applied: our devices drive
 *    their lines active-high.  ESR "illegal register address" is never set.
 *  - Interrupts raised by an MMIO write (a self-IPI, an EOI unmasking a
 *    lower one) reach the CPU at the end of the running block chain.
 */
#include <string.h>
#include "bus/buses.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/apic.h"
#include "util/log.h"

#define APIC_BASE_ENABLE   (1u << 11)
#define APIC_BASE_ADDR     0xfffff000u

#define SVR_ENABLE         (1u << 8)
#define LVT_MASKED         (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_LEVEL          (1u << 15)
#define LVT_REMOTE_IRR     (1u << 14)

/* LVT registers, indexed by (offset - 0x320) / 0x10 */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_N };

/* writable bits of each LVT (delivery status and remote IRR are read-only;
 * LVT_THERMAL does not exist on P6) */
static const uint32_t lvt_write_mask[LVT_N] = {
    [LVT_TIMER] = 0x000300ffu,        /* vector, mask, periodic */
    [LVT_THERMAL] = 0,
    [LVT_PERF]  = 0x000107ffu,        /* vector, delivery mode, mask */
    [LVT_LINT0] = 0x0001a7ffu,        /* + polarity, trigger mode */
    [LVT_LINT1] = 0x0001a7ffu,
    [LVT_ERROR] = 0x000100ffu,
};

/* ESR bits (P6) */
#define ESR_SEND_ILLEGAL   (1u << 5)
#define ESR_RECV_ILLEGAL   (1u << 6)

struct ApicState {
    CPUState *cpu;                /* the CPU it belongs to: IA32_APIC_BASE, INTR, NMI */
    Buses buses;                  /* memory map (its registers), clock (its timer) */
    uint32_t base;                /* where the registers are mapped */
    uint32_t id;                  /* APIC ID register (bits 27:24) */
    uint32_t tpr;
    uint32_t ldr, dfr;
    uint32_t svr;
    uint32_t esr;                 /* as last latched by a write */
    uint32_t esr_pending;         /* errors since */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_N];
    uint32_t irr[8], isr[8], tmr[8];   /* 256-bit vectors, bit v of word v/32 */
    uint32_t initial_count;
    uint32_t dcr;                 /* divide configuration */
    bool timer_running;           /* counting (not 0 after a one-shot) */
    int64_t timer_start;          /* virtual ns at which this period began */
    Timer *timer;
    int lint_level[2];            /* LINT0/LINT1 input levels */
    bool extint_msg;              /* ExtINT message from the IOAPIC pending */
    int (*pic_ack)(void *opaque); /* the i8259's INTA (previous irq_ack) */
    void *pic_ack_opaque;
    void (*eoi_fn)(void *opaque, int vector);
    void *eoi_opaque;
};

/* ------------------------------------------------------------ helpers */

static int apic_highest(const uint32_t *v)
{
    for (int i = 7; i >= 0; i--)
        if (v[i])
            return i * 32 + 31 - __builtin_clz(v[i]);
    return -1;
}

static inline void bit_set(uint32_t *v, int n)   { v[n >> 5] |= 1u << (n & 31); }
static inline void bit_clear(uint32_t *v, int n) { v[n >> 5] &= ~(1u << (n & 31)); }
static inline bool bit_test(const uint32_t *v, int n) { return v[n >> 5] >> (n & 31) & 1; }

/* present at all: IA32_APIC_BASE enable bit (the CPU model claims an APIC
 * whenever apic_init ran) */
static bool apic_hw_enabled(const ApicState *s)
{
    return (s->cpu->msr_apic_base & APIC_BASE_ENABLE) != 0;
}

static bool apic_sw_enabled(const ApicState *s)
{
    return (s->svr & SVR_ENABLE) != 0;
}

static uint32_t apic_ppr(const ApicState *s)
{
    int isrv = apic_highest(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

/* SDM 10.8.3.1, arbitration priority */
static uint32_t apic_apr(const ApicState *s)
{
    int isrv = apic_highest(s->isr), irrv = apic_highest(s->irr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    uint32_t irr_class = irrv < 0 ? 0 : (uint32_t)irrv & 0xf0;
    if ((s->tpr & 0xf0) >= irr_class && (s->tpr & 0xf0) > isr_class)
        return s->tpr;
    return MAX(s->tpr & 0xf0, MAX(isr_class, irr_class));
}

/* the IRR vector the CPU would take now, or -1 */
static int apic_pending_vector(const ApicState *s)
{
    if (!apic_sw_enabled(s))
        return -1;
    int v = apic_highest(s->irr);
    if (v < 0 || (uint32_t)(v & 0xf0) <= (apic_ppr(s) & 0xf0))
        return -1;
    return v;
}

static bool apic_lvt_extint(const ApicState *s, int lvt)
{
    uint32_t l = s->lvt[lvt];
    return !(l & LVT_MASKED) && ((l >> 8) & 7) == APIC_DM_EXTINT;
}

static bool apic_extint_pending(const ApicState *s)
{
    return s->extint_msg || (s->lint_level[0] && apic_lvt_extint(s, LVT_LINT0));
}

/* drive the CPU's INTR pin from the current state */
static void apic_update_irq(ApicState *s)
{
    bool level;
    if (!apic_hw_enabled(s))
        level = s->lint_level[0] != 0;            /* LINT0 is INTR */
    else
        level = apic_extint_pending(s) || apic_pending_vector(s) >= 0;
    cpu_set_irq(s->cpu, 0, level);              /* the core's INTR input */
}

static void apic_raise_nmi(ApicState *s)
{
    cpu_set_nmi(s->cpu, 0, 1);                  /* the core's NMI input (an edge) */
}

static void apic_accept(ApicState *s, int vector, bool level);

static void apic_error(ApicState *s, uint32_t bits)
{
    s->esr_pending |= bits;
    uint32_t l = s->lvt[LVT_ERROR];
    if (!(l & LVT_MASKED) && (l & 0xff) >= 16)
        apic_accept(s, (int)(l & 0xff), false);
}

/* a fixed interrupt arrives: IRR (and TMR) */
static void apic_accept(ApicState *s, int vector, bool level)
{
    if (vector < 16) {
        apic_error(s, ESR_RECV_ILLEGAL);
        return;
    }
    bit_set(s->irr, vector);
    if (level)
        bit_set(s->tmr, vector);
    else
        bit_clear(s->tmr, vector);
    apic_update_irq(s);
}

/* deliver through an LVT entry (timer, error, LINT fixed/NMI) */
static void apic_lvt_fire(ApicState *s, int lvt, bool level)
{
    uint32_t l = s->lvt[lvt];
    if (l & LVT_MASKED)
        return;
    switch ((l >> 8) & 7) {
    case APIC_DM_FIXED:
        apic_accept(s, (int)(l & 0xff), level);
        break;
    case APIC_DM_NMI:
        apic_raise_nmi(s);
        break;
    case APIC_DM_EXTINT:
        apic_update_irq(s);
        break;
    default:
        if (log_enabled(LOG_UNIMP))
            log_printf("apic: LVT %d delivery mode %u ignored\n", lvt, (l >> 8) & 7);
        break;
    }
}

/* ------------------------------------------------------------ timer */

static int apic_timer_shift(const ApicState *s)
{
    unsigned code = (s->dcr & 3) | ((s->dcr >> 1) & 4);
    return code == 7 ? 0 : (int)code + 1;      /* divide by 1 << shift */
}

static int64_t apic_timer_period(const ApicState *s)
{
    return (int64_t)s->initial_count << apic_timer_shift(s);
}

static uint32_t apic_current_count(ApicState *s)
{
    if (!s->timer_running || !s->initial_count)
        return 0;
    int64_t ticks = (clock_now(s->buses.clock) - s->timer_start) >> apic_timer_shift(s);
    if (ticks < 0)
        ticks = 0;
    if (s->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC)
        return s->initial_count - (uint32_t)(ticks % s->initial_count);
    return ticks >= s->initial_count ? 0 : s->initial_count - (uint32_t)ticks;
}

static void apic_timer_arm(ApicState *s)
{
    if (s->timer_running && s->initial_count)
        timer_mod(s->timer, s->timer_start + apic_timer_period(s));
    else
        timer_del(s->timer);
}

static void apic_timer_cb(void *opaque)
{
    ApicState *s = opaque;
    int64_t now = clock_now(s->buses.clock);
    int64_t period = apic_timer_period(s);

    if (!s->timer_running || period <= 0)
        return;
    if (apic_sw_enabled(s))
        apic_lvt_fire(s, LVT_TIMER, false);
    if (s->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) {
        s->timer_start += period;
        if (s->timer_start + period <= now)           /* missed periods: coalesce */
            s->timer_start += (now - s->timer_start) / period * period;
    } else {
        s->timer_running = false;
    }
    apic_timer_arm(s);
}

/* ------------------------------------------------------------ EOI, IPIs */

static void apic_eoi(ApicState *s)
{
    int v = apic_highest(s->isr);
    if (v < 0)
        return;
    bit_clear(s->isr, v);
    if (bit_test(s->tmr, v) && s->eoi_fn)
        s->eoi_fn(s->eoi_opaque, v);           /* EOI message to the IOAPIC */
    /* a level-triggered LINT input waits for this EOI (and, still
     * asserted, is taken again) */
    for (int i = LVT_LINT0; i <= LVT_LINT1; i++)
        if ((s->lvt[i] & LVT_REMOTE_IRR) && (int)(s->lvt[i] & 0xff) == v) {
            s->lvt[i] &= ~LVT_REMOTE_IRR;
            apic_set_lint(s, i - LVT_LINT0, s->lint_level[i - LVT_LINT0]);
        }
    apic_update_irq(s);
}

static bool apic_match_dest(const ApicState *s, uint8_t dest, bool logical)
{
    if (dest == 0xff)
        return true;                            /* broadcast */
    if (!logical)
        return dest == (uint8_t)(s->id >> 24);
    uint8_t ldr = (uint8_t)(s->ldr >> 24);
    if ((s->dfr >> 28) == 0xf)                  /* flat model */
        return (dest & ldr) != 0;
    /* cluster model: high nibble selects the cluster, low nibble the APICs */
    return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf) != 0;
}

/* a message this APIC accepts (bus or ICR) */
static void apic_receive(ApicState *s, int mode, int vector, bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:                        /* one CPU: the lowest is us */
        apic_accept(s, vector, level);
        break;
    case APIC_DM_NMI:
        apic_raise_nmi(s);
        break;
    case APIC_DM_EXTINT:
        s->extint_msg = true;
        apic_update_irq(s);
        break;
    default:
        if (log_enabled(LOG_UNIMP))
            log_printf("apic: %s message ignored (one CPU)\n",
                       mode == APIC_DM_INIT ? "INIT" : mode == APIC_DM_SMI ? "SMI" :
                       mode == APIC_DM_STARTUP ? "STARTUP" : "reserved");
        break;
    }
}

void apic_bus_deliver(void *apic, uint8_t dest, bool logical, int mode, int vector,
                      bool level)
{
    ApicState *s = apic;
    if (!apic_hw_enabled(s) || !apic_match_dest(s, dest, logical))
        return;
    apic_receive(s, mode, vector, level);
}

static void apic_send_ipi(ApicState *s)
{
    uint32_t lo = s->icr_lo;
    int vector = (int)(lo & 0xff);
    int mode = (int)((lo >> 8) & 7);
    bool logical = (lo >> 11) & 1;
    bool assert_ = (lo >> 14) & 1;
    bool level = (lo >> 15) & 1;
    bool to_self;

    switch ((lo >> 18) & 3) {
    case 0: to_self = apic_match_dest(s, (uint8_t)(s->icr_hi >> 24), logical); break;
    case 1: case 2: to_self = true; break;       /* self; all including self */
    default: to_self = false; break;             /* all excluding self: nobody */
    }
    if (mode == APIC_DM_INIT && level && !assert_)
        return;                                  /* INIT level de-assert: sync only */
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16) {
        apic_error(s, ESR_SEND_ILLEGAL);
        return;
    }
    if (to_self)
        apic_receive(s, mode, vector, level && mode == APIC_DM_FIXED);
}

/* ------------------------------------------------------------ LINT pins */

void apic_set_lint(void *apic, int n, int level)
{
    ApicState *s = apic;
    if (n < 0 || n > 1)
        return;
    int old = s->lint_level[n];
    s->lint_level[n] = level != 0;
    level = level != 0;

    if (!apic_hw_enabled(s)) {                  /* plain INTR / NMI pins */
        if (n == 1 && level && !old)
            apic_raise_nmi(s);
        apic_update_irq(s);
        return;
    }
    uint32_t *l = &s->lvt[LVT_LINT0 + n];
    int mode = (int)((*l >> 8) & 7);
    if (!(*l & LVT_MASKED)) {
        if (mode == APIC_DM_FIXED && (*l & LVT_LEVEL) && n == 0) {
            if (level && !(*l & LVT_REMOTE_IRR)) {
                *l |= LVT_REMOTE_IRR;           /* cleared by the EOI */
                apic_accept(s, (int)(*l & 0xff), true);
            }
        } else if (mode != APIC_DM_EXTINT && level && !old) {
            apic_lvt_fire(s, LVT_LINT0 + n, false);     /* edge */
        }
    }
    apic_update_irq(s);
}

/* ------------------------------------------------------------ CPU side */

int apic_irq_ack(void *apic)
{
    ApicState *s = apic;
    int v;

    if (!apic_hw_enabled(s) || apic_extint_pending(s)) {
        s->extint_msg = false;
        v = s->pic_ack ? s->pic_ack(s->pic_ack_opaque) : -1;
        apic_update_irq(s);
        return v;
    }
    v = apic_pending_vector(s);
    if (v >= 0) {
        bit_clear(s->irr, v);
        bit_set(s->isr, v);
    }
    apic_update_irq(s);
    return v;
}

/* IA32_APIC_BASE was written (msr.c) */
static void apic_base_changed(void *opaque)
{
    ApicState *s = opaque;
    uint32_t base = (uint32_t)s->cpu->msr_apic_base & APIC_BASE_ADDR;

    if (base != s->base && log_enabled(LOG_UNIMP))
        log_printf("apic: relocation to %#x not emulated (registers stay at %#x)\n",
                   base, s->base);
    if (!apic_hw_enabled(s))
        apic_reset(s);                          /* a disabled APIC loses its state */
    apic_update_irq(s);
}

/* ------------------------------------------------------------ registers */

static bool apic_mapped(const ApicState *s)
{
    return apic_hw_enabled(s) &&
           ((uint32_t)s->cpu->msr_apic_base & APIC_BASE_ADDR) == s->base;
}

static uint32_t apic_reg_read(ApicState *s, unsigned reg)
{
    switch (reg) {
    case 0x02: return s->id;
    case 0x03: return APIC_VERSION_VALUE;
    case 0x08: return s->tpr;
    case 0x09: return apic_apr(s);
    case 0x0a: return apic_ppr(s);
    case 0x0d: return s->ldr;
    case 0x0e: return s->dfr;
    case 0x0f: return s->svr;
    case 0x28: return s->esr;
    case 0x30: return s->icr_lo;
    case 0x31: return s->icr_hi;
    case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
        return s->lvt[reg - 0x32];
    case 0x38: return s->initial_count;
    case 0x39: return apic_current_count(s);
    case 0x3e: return s->dcr;
    default:
        if (reg >= 0x10 && reg < 0x18)
            return s->isr[reg - 0x10];
        if (reg >= 0x18 && reg < 0x20)
            return s->tmr[reg - 0x18];
        if (reg >= 0x20 && reg < 0x28)
            return s->irr[reg - 0x20];
        return 0;                               /* EOI, RRD, reserved */
    }
}

static void apic_write_svr(ApicState *s, uint32_t v)
{
    bool was = apic_sw_enabled(s);
    s->svr = (v & 0x3ffu) | 0xfu;               /* P6: vector bits 3:0 are 1 */
    if (was && !apic_sw_enabled(s))
        for (int i = 0; i < LVT_N; i++)         /* software disable masks every LVT */
            s->lvt[i] |= lvt_write_mask[i] ? LVT_MASKED : 0;
    apic_update_irq(s);
}

static void apic_write_lvt(ApicState *s, int i, uint32_t v)
{
    uint32_t ro = s->lvt[i] & ~lvt_write_mask[i];
    if (!lvt_write_mask[i])
        return;                                 /* no thermal LVT on P6 */
    if (!apic_sw_enabled(s))
        v |= LVT_MASKED;                        /* cannot unmask while disabled */
    s->lvt[i] = (v & lvt_write_mask[i]) | (ro & LVT_REMOTE_IRR);
    if (i == LVT_LINT0 || i == LVT_LINT1) {
        if (!(s->lvt[i] & LVT_LEVEL))
            s->lvt[i] &= ~LVT_REMOTE_IRR;
        /* a level-triggered fixed LINT0 still asserted is taken now */
        apic_set_lint(s, i - LVT_LINT0, s->lint_level[i - LVT_LINT0]);
    }
    if (i == LVT_TIMER)
        apic_timer_arm(s);                      /* mode change: same deadline */
    apic_update_irq(s);
}

static void apic_reg_write(ApicState *s, unsigned reg, uint32_t v)
{
    switch (reg) {
    case 0x02:
        s->id = v & 0x0f000000u;
        break;
    case 0x08:
        s->tpr = v & 0xff;
        apic_update_irq(s);
        break;
    case 0x0b:
        apic_eoi(s);
        break;
    case 0x0d:
        s->ldr = v & 0xff000000u;
        break;
    case 0x0e:
        s->dfr = v | 0x0fffffffu;
        break;
    case 0x0f:
        apic_write_svr(s, v);
        break;
    case 0x28:
        s->esr = s->esr_pending;                /* the write latches the errors */
        s->esr_pending = 0;
        break;
    case 0x30:
        s->icr_lo = v & 0x000ccfffu;            /* delivery status reads idle */
        apic_send_ipi(s);
        break;
    case 0x31:
        s->icr_hi = v & 0xff000000u;
        break;
    case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
        apic_write_lvt(s, (int)(reg - 0x32), v);
        break;
    case 0x38:
        s->initial_count = v;
        s->timer_running = v != 0;
        s->timer_start = clock_now(s->buses.clock);
        apic_timer_arm(s);
        break;
    case 0x3e: {
        uint32_t cur = apic_current_count(s);
        s->dcr = v & 0xbu;
        if (s->timer_running) {                 /* go on from the current count */
            s->timer_start = clock_now(s->buses.clock) -
                             ((int64_t)(s->initial_count - cur) << apic_timer_shift(s));
            apic_timer_arm(s);
        }
        break;
    }
    default:
        if (log_enabled(LOG_UNIMP) && !(reg >= 0x10 && reg < 0x28) && reg != 0x39 &&
            reg != 0x03 && reg != 0x09 && reg != 0x0a)
            log_printf("apic: write %#x to reserved register %#x\n", v, reg << 4);
        break;                                  /* read-only or reserved */
    }
}

static uint32_t apic_mem_read(void *opaque, uint32_t offset, int size)
{
    ApicState *s = opaque;
    if (!apic_mapped(s))
        return 0xffffffffu;
    if (offset & 0xc)
        return 0;
    uint32_t v = apic_reg_read(s, offset >> 4);
    return v >> ((offset & 3) * 8);
}

static void apic_mem_write(void *opaque, uint32_t offset, uint32_t value, int size)
{
    ApicState *s = opaque;
    if (!apic_mapped(s))
        return;
    if (size != 4 || (offset & 0xf)) {
        if (log_enabled(LOG_UNIMP))
            log_printf("apic: %d-byte write at offset %#x ignored\n", size, offset);
        return;
    }
    apic_reg_write(s, offset >> 4, value);
}

static const MemOps apic_mem_ops = {
    .read = apic_mem_read,
    .write = apic_mem_write,
};

/* ------------------------------------------------------------ saved state */

/* "apic" (bus/vmstate.h): every register, the IRR/ISR/TMR vectors, the
 * timer (its count, period start and deadline), the LINT input levels as
 * the APIC saw them and a pending ExtINT message.  IA32_APIC_BASE is the
 * CPU's (its MSR); base is where the board mapped the registers.  post_load
 * recomputes the core's INTR input from the loaded vectors (the APIC is
 * part of the CPU: this drives no other device). */
static bool apic_post_load(void *opaque, int version, GError **errp)
{
    ApicState *s = opaque;
    if ((unsigned)s->lint_level[0] > 1 || (unsigned)s->lint_level[1] > 1) {
        g_set_error(errp, VMSTATE_ERROR, 0, "apic: LINT levels %d/%d are not 0 or 1",
                    s->lint_level[0], s->lint_level[1]);
        return false;
    }
    if (s->timer_start < 0 || s->timer_start > (1ll << 62)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "apic: timer start %" G_GINT64_FORMAT
                    " ns out of range", s->timer_start);
        return false;
    }
    apic_update_irq(s);
    return true;
}

static const VMStateField apic_fields[] = {
    VMS_U32(ApicState, id, 1),
    VMS_U32(ApicState, tpr, 1),
    VMS_U32(ApicState, ldr, 1),
    VMS_U32(ApicState, dfr, 1),
    VMS_U32(ApicState, svr, 1),
    VMS_U32(ApicState, esr, 1),
    VMS_U32(ApicState, esr_pending, 1),
    VMS_U32(ApicState, icr_lo, 1),
    VMS_U32(ApicState, icr_hi, 1),
    VMS_INT_ARRAY(ApicState, lvt, 1),
    VMS_INT_ARRAY(ApicState, irr, 1),
    VMS_INT_ARRAY(ApicState, isr, 1),
    VMS_INT_ARRAY(ApicState, tmr, 1),
    VMS_U32(ApicState, initial_count, 1),
    VMS_U32(ApicState, dcr, 1),
    VMS_BOOL(ApicState, timer_running, 1),
    VMS_I64(ApicState, timer_start, 1),
    VMS_TIMER(ApicState, timer, 1),
    VMS_INT_ARRAY(ApicState, lint_level, 1),
    VMS_BOOL(ApicState, extint_msg, 1),
    VMS_END
};
const VMStateDesc apic_vmsd = { .name = "apic", .version = 1, .min_version = 1,
                                .fields = apic_fields, .post_load = apic_post_load };
const size_t apic_state_size = sizeof(ApicState);

/* ------------------------------------------------------------ life cycle */

void apic_reset(ApicState *s)
{
    s->id = 0;                                  /* the BSP */
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    s->esr = s->esr_pending = 0;
    s->icr_lo = s->icr_hi = 0;
    for (int i = 0; i < LVT_N; i++)
        s->lvt[i] = lvt_write_mask[i] ? LVT_MASKED : 0;
    s->lvt[LVT_LINT0] = APIC_DM_EXTINT << 8;    /* virtual wire (see the header) */
    memset(s->irr, 0, sizeof(s->irr));
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    s->initial_count = 0;
    s->dcr = 0;
    s->timer_running = false;
    timer_del(s->timer);
    s->extint_msg = false;
    apic_update_irq(s);
}

ApicState *apic_init(CPUState *cpu, const Buses *b, uint32_t base, IrqLine *intr_pin,
                     GError **errp)
{
    ApicState *s = g_new0(ApicState, 1);
    s->cpu = cpu;
    s->buses = *b;
    s->base = base & APIC_BASE_ADDR;
    if (!physmem_add_mmio(b->mem, "apic", s->base, 0x1000, &apic_mem_ops, s)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "apic: cannot map the local APIC at %#x", s->base);
        g_free(s);
        return NULL;
    }
    s->timer = timer_new(b->clock, apic_timer_cb, s);
    /* the i8259 keeps its INTA for ExtINT; the APIC answers the CPU */
    s->pic_ack = cpu->irq_ack;
    s->pic_ack_opaque = cpu->irq_ack_opaque;
    cpu->irq_ack = apic_irq_ack;
    cpu->irq_ack_opaque = s;
    /* whatever drives the CPU's INTR pin (the i8259) now drives LINT0 */
    if (intr_pin) {
        s->lint_level[0] = intr_pin->level != 0;
        irq_line_init(intr_pin, apic_set_lint, s, 0);
        intr_pin->level = s->lint_level[0];
    }
    cpu->apic_base_changed = apic_base_changed;
    cpu->apic_opaque = s;
    apic_reset(s);
    host_register_state(b->host, &apic_vmsd, s);
    return s;
}

void apic_free(ApicState *s)
{
    if (!s)
        return;
    if (s->cpu->apic_opaque == s) {
        s->cpu->apic_base_changed = NULL;
        s->cpu->apic_opaque = NULL;
    }
    if (s->cpu->irq_ack_opaque == s) {
        s->cpu->irq_ack = s->pic_ack;
        s->cpu->irq_ack_opaque = s->pic_ack_opaque;
    }
    timer_free(s->timer);
    g_free(s);
}

void apic_set_eoi_listener(ApicState *s, void (*fn)(void *opaque, int vector),
                           void *opaque)
{
    s->eoi_fn = fn;
    s->eoi_opaque = opaque;
}
