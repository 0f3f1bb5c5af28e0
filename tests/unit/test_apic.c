/*
 * test_apic.c - unit tests for the local APIC (src/cpu-x86/apic.c),
 * driven through its MMIO registers on a bare machine with a manual clock:
 * register reset values and writable bits, self-IPIs with priority
 * classes, TPR/PPR and EOI, the timer in one-shot and periodic mode with
 * every divider, LINT0 ExtINT (virtual wire) and global disable, bus
 * messages with physical/logical destinations, level-triggered EOI
 * broadcast, NMI, ESR and software disable.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "cpu-x86/apic.h"

#define A(off) (APIC_DEFAULT_BASE + (off))

typedef struct ApicFixture {
    Machine *m;
    ApicState *apic;
    int pic_acks;                 /* fake i8259 INTA count */
    int eoi_vector, eois;         /* EOI broadcasts heard */
} ApicFixture;

static int fake_pic_ack(void *opaque)
{
    ApicFixture *f = opaque;
    f->pic_acks++;
    return 0x08;
}

static void fake_eoi(void *opaque, int vector)
{
    ApicFixture *f = opaque;
    f->eois++;
    f->eoi_vector = vector;
}

static ApicFixture *fx_new(void)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 1u << 20;
    cfg.backend = BACKEND_INTERP;
    ApicFixture *f = g_new0(ApicFixture, 1);
    f->m = machine_new(&cfg, &err);
    g_assert(f->m);
    clock_init(&f->m->clock, true);
    f->m->cpu.irq_ack = fake_pic_ack;        /* as the i8259 would */
    f->m->cpu.irq_ack_opaque = f;
    f->apic = apic_init(&f->m->cpu, &f->m->bus, APIC_DEFAULT_BASE, &f->m->cpu_intr, &err);
    g_assert(f->apic);
    machine_register_device(f->m, f->apic, (void (*)(void *))apic_free,
                            (void (*)(void *))apic_reset);
    apic_set_eoi_listener(f->apic, fake_eoi, f);
    return f;
}

static void fx_free(ApicFixture *f)
{
    machine_free(f->m);
    g_free(f);
}

static uint32_t rd(ApicFixture *f, uint32_t off) { return physmem_read(f->m->mem, A(off), 4); }
static void wr(ApicFixture *f, uint32_t off, uint32_t v) { physmem_write(f->m->mem, A(off), v, 4); }
static bool intr(ApicFixture *f) { return (f->m->cpu.interrupt_request & CPU_INTERRUPT_HARD) != 0; }
static bool irr_bit(ApicFixture *f, int v) { return rd(f, 0x200 + (v >> 5) * 0x10) >> (v & 31) & 1; }
static bool isr_bit(ApicFixture *f, int v) { return rd(f, 0x100 + (v >> 5) * 0x10) >> (v & 31) & 1; }
static bool tmr_bit(ApicFixture *f, int v) { return rd(f, 0x180 + (v >> 5) * 0x10) >> (v & 31) & 1; }
static void self_ipi(ApicFixture *f, int v) { wr(f, 0x300, 0x40000u | (uint32_t)v); }
static void advance(ApicFixture *f, int64_t ns)
{
    clock_advance(&f->m->clock, ns);
    clock_run_timers(&f->m->clock);
}

static void test_apic_registers(void)
{
    ApicFixture *f = fx_new();
    static const struct { uint32_t off, reset; } resets[] = {
        { 0x020, 0 }, { 0x030, 0x00040014 }, { 0x080, 0 }, { 0x0a0, 0 },
        { 0x0d0, 0 }, { 0x0e0, 0xffffffff }, { 0x0f0, 0xff }, { 0x280, 0 },
        { 0x320, 0x10000 }, { 0x330, 0 }, { 0x340, 0x10000 }, { 0x350, 0x700 },
        { 0x360, 0x10000 }, { 0x370, 0x10000 }, { 0x380, 0 }, { 0x390, 0 },
        { 0x3e0, 0 }, { 0x200, 0 }, { 0x100, 0 }, { 0x180, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(resets); i++)
        CU_ASSERT_EQUAL(rd(f, resets[i].off), resets[i].reset);
    /* writable bits; SVR first so that LVTs can be unmasked */
    static const struct { uint32_t off, val, expect; } rw[] = {
        { 0x0f0, 0xfffffff0, 0x3ff },   /* bits 3:0 of the vector read 1 (P6) */
        { 0x020, 0xffffffff, 0x0f000000 },
        { 0x080, 0x1ff, 0xff },
        { 0x0d0, 0x12345678, 0x12000000 },
        { 0x0e0, 0, 0x0fffffff },
        { 0x310, 0x12345678, 0x12000000 },
        { 0x320, 0xffffffff, 0x300ff }, /* no TSC-deadline mode, status RO */
        { 0x330, 0xffffffff, 0 },       /* no thermal LVT on P6 */
        { 0x340, 0xffffffff, 0x107ff },
        { 0x350, 0xffffffff, 0x1a7ff }, /* remote IRR and status read-only */
        { 0x370, 0xffffffff, 0x100ff },
        { 0x3e0, 0xffffffff, 0xb },
        { 0x030, 0, 0x00040014 },       /* read-only */
        { 0x390, 5, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rw); i++) {
        wr(f, rw[i].off, rw[i].val);
        CU_ASSERT_EQUAL(rd(f, rw[i].off), rw[i].expect);
    }
    /* byte reads of a register */
    CU_ASSERT_EQUAL(physmem_read(f->m->mem, A(0x031), 1), 0x00);
    CU_ASSERT_EQUAL(physmem_read(f->m->mem, A(0x032), 1), 0x04);
    CU_ASSERT_EQUAL(physmem_read(f->m->mem, A(0x034), 4), 0);
    /* software disable sets every LVT mask bit and keeps them set */
    wr(f, 0x350, 0x700);
    wr(f, 0x0f0, 0xff);
    CU_ASSERT_EQUAL(rd(f, 0x350), 0x10700);
    wr(f, 0x350, 0x700);
    CU_ASSERT_EQUAL(rd(f, 0x350), 0x10700);
    CU_ASSERT_EQUAL(rd(f, 0x320), 0x300ff);
    /* reset */
    machine_reset(f->m);
    CU_ASSERT_EQUAL(rd(f, 0x0f0), 0xff);
    CU_ASSERT_EQUAL(rd(f, 0x350), 0x700);
    fx_free(f);
}

static void test_apic_priority_eoi(void)
{
    ApicFixture *f = fx_new();
    wr(f, 0x350, 0x10000);                /* LINT0 masked: no ExtINT */
    self_ipi(f, 0x41);                    /* software-disabled: held in IRR */
    CU_ASSERT_TRUE(irr_bit(f, 0x41));
    CU_ASSERT_FALSE(intr(f));
    wr(f, 0x0f0, 0x1ff);                  /* enable */
    CU_ASSERT_TRUE(intr(f));
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x41);
    CU_ASSERT_TRUE(isr_bit(f, 0x41));
    CU_ASSERT_FALSE(irr_bit(f, 0x41));
    CU_ASSERT_EQUAL(rd(f, 0x0a0), 0x40);  /* PPR = ISR class */
    CU_ASSERT_FALSE(intr(f));

    /* table: (action, vector) -> expected INTR and vector acknowledged */
    static const struct { char op; int v; bool intr; int ack; } steps[] = {
        { 'i', 0x42, false, -1 },         /* same class as in service: waits */
        { 'i', 0x51, true, 0x51 },        /* higher class: nests */
        { 'e', 0, false, -1 },            /* EOI 0x51; 0x42 still below PPR 0x40 */
        { 'e', 0, true, 0x42 },           /* EOI 0x41: 0x42 goes */
        { 'e', 0, false, -1 },
        { 't', 0x60, false, -1 },         /* TPR 0x60 */
        { 'i', 0x55, false, -1 },         /* masked by TPR */
        { 'i', 0x65, false, -1 },         /* class 6 = TPR class: masked too */
        { 't', 0x50, true, 0x65 },
        { 'e', 0, false, -1 },            /* 0x55 masked by TPR 0x50 */
        { 't', 0x00, true, 0x55 },
        { 'e', 0, false, -1 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        switch (steps[i].op) {
        case 'i': self_ipi(f, steps[i].v); break;
        case 'e': wr(f, 0x0b0, 0); break;
        case 't': wr(f, 0x080, (uint32_t)steps[i].v); break;
        }
        CU_ASSERT_EQUAL(intr(f), steps[i].intr);
        if (steps[i].ack >= 0)
            CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), steps[i].ack);
    }
    CU_ASSERT_EQUAL(rd(f, 0x100 + 0x40), 0);
    CU_ASSERT_EQUAL(rd(f, 0x200 + 0x20), 0);
    CU_ASSERT_EQUAL(f->eois, 0);          /* edge: no EOI broadcast */
    CU_ASSERT_EQUAL(f->pic_acks, 0);
    /* APR with TPR 0x30 and nothing pending or in service: TPR */
    wr(f, 0x080, 0x30);
    CU_ASSERT_EQUAL(rd(f, 0x090), 0x30);
    fx_free(f);
}

static void test_apic_timer(void)
{
    ApicFixture *f = fx_new();
    wr(f, 0x350, 0x10000);
    wr(f, 0x0f0, 0x1ff);

    /* one-shot, divide by 1: one tick per ns */
    wr(f, 0x3e0, 0xb);
    wr(f, 0x320, 0x30);
    wr(f, 0x380, 1000);
    CU_ASSERT_EQUAL(rd(f, 0x390), 1000);
    advance(f, 400);
    CU_ASSERT_EQUAL(rd(f, 0x390), 600);
    CU_ASSERT_FALSE(intr(f));
    advance(f, 600);
    CU_ASSERT_TRUE(irr_bit(f, 0x30));
    CU_ASSERT_EQUAL(rd(f, 0x390), 0);
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x30);
    wr(f, 0x0b0, 0);
    advance(f, 5000);
    CU_ASSERT_FALSE(irr_bit(f, 0x30));     /* one-shot: once */

    /* every divider: the interrupt comes after initial << shift ns */
    static const struct { uint32_t dcr; int shift; } divs[] = {
        { 0x0, 1 }, { 0x1, 2 }, { 0x2, 3 }, { 0x3, 4 },
        { 0x8, 5 }, { 0x9, 6 }, { 0xa, 7 }, { 0xb, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(divs); i++) {
        wr(f, 0x3e0, divs[i].dcr);
        wr(f, 0x380, 100);
        advance(f, (100 << divs[i].shift) - 1);
        CU_ASSERT_FALSE(irr_bit(f, 0x30));
        CU_ASSERT_EQUAL(rd(f, 0x390), 100 - (((100 << divs[i].shift) - 1) >> divs[i].shift));
        advance(f, 1);
        CU_ASSERT_TRUE(irr_bit(f, 0x30));
        f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque);
        wr(f, 0x0b0, 0);
    }

    /* periodic, divide by 2: period 200 ns */
    wr(f, 0x3e0, 0x0);
    wr(f, 0x320, 0x20031);
    wr(f, 0x380, 100);
    advance(f, 50);
    CU_ASSERT_EQUAL(rd(f, 0x390), 75);
    advance(f, 150);
    int fired = 0;
    for (int i = 0; i < 5; i++) {
        if (irr_bit(f, 0x31)) {
            fired++;
            f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque);
            wr(f, 0x0b0, 0);
        }
        advance(f, 200);
    }
    CU_ASSERT_EQUAL(fired, 5);
    CU_ASSERT_EQUAL(rd(f, 0x390), 100);        /* just reloaded */
    /* masked: counts on, no interrupt */
    wr(f, 0x320, 0x30031);
    advance(f, 1000);
    CU_ASSERT_TRUE(irr_bit(f, 0x31));          /* the one due at the start of the loop's last turn */
    f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque);
    wr(f, 0x0b0, 0);
    advance(f, 1000);
    CU_ASSERT_FALSE(irr_bit(f, 0x31));
    advance(f, 20);
    CU_ASSERT_EQUAL(rd(f, 0x390), 90);
    /* a long host stall: missed periods coalesce into one interrupt */
    wr(f, 0x320, 0x20031);
    advance(f, 1000000);
    CU_ASSERT_TRUE(irr_bit(f, 0x31));
    CU_ASSERT(f->m->clock.head != NULL && f->m->clock.head->deadline > clock_now(&f->m->clock));
    /* initial count 0 stops the timer */
    wr(f, 0x380, 0);
    CU_ASSERT_EQUAL(clock_next_deadline(&f->m->clock), INT64_MAX);
    /* divide change while counting continues from the current count */
    wr(f, 0x320, 0x30);
    wr(f, 0x3e0, 0xb);
    wr(f, 0x380, 1000);
    advance(f, 500);
    wr(f, 0x3e0, 0x0);                          /* now 2 ns per tick */
    CU_ASSERT_EQUAL(rd(f, 0x390), 500);
    advance(f, 400);
    CU_ASSERT_EQUAL(rd(f, 0x390), 300);
    fx_free(f);
}

static void test_apic_lint_extint(void)
{
    ApicFixture *f = fx_new();
    /* virtual wire at reset: the i8259's output reaches INTR through LINT0 */
    irq_raise(&f->m->cpu_intr);
    CU_ASSERT_TRUE(intr(f));
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x08);
    CU_ASSERT_EQUAL(f->pic_acks, 1);
    wr(f, 0x0f0, 0x1ff);
    wr(f, 0x350, 0x10700);                     /* LINT0 masked */
    CU_ASSERT_FALSE(intr(f));
    wr(f, 0x350, 0x8700);                      /* as SeaBIOS writes it */
    CU_ASSERT_TRUE(intr(f));
    /* ExtINT goes before any IRR vector */
    self_ipi(f, 0xf0);
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x08);
    irq_lower(&f->m->cpu_intr);
    CU_ASSERT_TRUE(intr(f));                   /* 0xf0 */
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0xf0);
    wr(f, 0x0b0, 0);
    CU_ASSERT_FALSE(intr(f));

    /* LINT0 fixed, level: remote IRR until EOI */
    wr(f, 0x350, 0x8000 | 0x45);
    irq_raise(&f->m->cpu_intr);
    CU_ASSERT_EQUAL(rd(f, 0x350), 0xc045);
    CU_ASSERT_TRUE(tmr_bit(f, 0x45));
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x45);
    wr(f, 0x0b0, 0);                           /* still asserted: taken again */
    CU_ASSERT_EQUAL(rd(f, 0x350), 0xc045);
    CU_ASSERT_EQUAL(f->eois, 1);
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x45);
    irq_lower(&f->m->cpu_intr);
    wr(f, 0x0b0, 0);
    CU_ASSERT_EQUAL(rd(f, 0x350), 0x8045);
    CU_ASSERT_EQUAL(f->eois, 2);
    CU_ASSERT_FALSE(intr(f));
    wr(f, 0x350, 0x700);

    /* LINT1 NMI on a rising edge */
    wr(f, 0x360, 0x400);
    apic_set_lint(f->apic, 1, 1);
    CU_ASSERT_TRUE(f->m->cpu.interrupt_request & CPU_INTERRUPT_NMI);
    f->m->cpu.interrupt_request &= ~CPU_INTERRUPT_NMI;
    apic_set_lint(f->apic, 1, 1);
    CU_ASSERT_FALSE(f->m->cpu.interrupt_request & CPU_INTERRUPT_NMI);
    apic_set_lint(f->apic, 1, 0);

    /* global disable (IA32_APIC_BASE bit 11): registers vanish, the
     * i8259 drives INTR directly, state is lost */
    self_ipi(f, 0x70);
    f->m->cpu.msr_apic_base &= ~(1ull << 11);
    f->m->cpu.apic_base_changed(f->m->cpu.apic_opaque);
    CU_ASSERT_EQUAL(rd(f, 0x030), 0xffffffff);
    CU_ASSERT_FALSE(intr(f));
    irq_raise(&f->m->cpu_intr);
    CU_ASSERT_TRUE(intr(f));
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x08);
    irq_lower(&f->m->cpu_intr);
    CU_ASSERT_FALSE(intr(f));
    apic_set_lint(f->apic, 1, 1);              /* LINT1 is the NMI pin */
    CU_ASSERT_TRUE(f->m->cpu.interrupt_request & CPU_INTERRUPT_NMI);
    f->m->cpu.interrupt_request &= ~CPU_INTERRUPT_NMI;
    apic_set_lint(f->apic, 1, 0);
    f->m->cpu.msr_apic_base |= 1ull << 11;
    f->m->cpu.apic_base_changed(f->m->cpu.apic_opaque);
    CU_ASSERT_EQUAL(rd(f, 0x030), 0x00040014);
    CU_ASSERT_EQUAL(rd(f, 0x0f0), 0xff);
    CU_ASSERT_FALSE(irr_bit(f, 0x70));
    fx_free(f);
}

static void test_apic_bus_messages(void)
{
    ApicFixture *f = fx_new();
    wr(f, 0x350, 0x10000);
    wr(f, 0x0f0, 0x1ff);
    wr(f, 0x0d0, 0x01000000);                  /* logical ID bit 0 */
    static const struct { uint32_t dfr; uint32_t ldr; uint8_t dest; bool logical, hit; } d[] = {
        { 0xffffffff, 0x01000000, 0x00, false, true },   /* physical ID 0 */
        { 0xffffffff, 0x01000000, 0x01, false, false },
        { 0xffffffff, 0x01000000, 0xff, false, true },   /* broadcast */
        { 0xffffffff, 0x01000000, 0x01, true, true },    /* flat: bit set */
        { 0xffffffff, 0x01000000, 0x06, true, false },
        { 0xffffffff, 0x01000000, 0xff, true, true },
        { 0x0fffffff, 0x21000000, 0x23, true, true },    /* cluster 2, APIC bit 0 */
        { 0x0fffffff, 0x21000000, 0x13, true, false },   /* other cluster */
        { 0x0fffffff, 0x21000000, 0x22, true, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(d); i++) {
        wr(f, 0x0e0, d[i].dfr);
        wr(f, 0x0d0, d[i].ldr);
        apic_bus_deliver(f->apic, d[i].dest, d[i].logical, APIC_DM_FIXED, 0x80, false);
        CU_ASSERT_EQUAL(irr_bit(f, 0x80), d[i].hit);
        if (irr_bit(f, 0x80)) {
            f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque);
            wr(f, 0x0b0, 0);
        }
    }
    /* level-triggered: TMR set, EOI broadcast with the vector */
    apic_bus_deliver(f->apic, 0, false, APIC_DM_LOWEST, 0x61, true);
    CU_ASSERT_TRUE(tmr_bit(f, 0x61));
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x61);
    wr(f, 0x0b0, 0);
    CU_ASSERT_EQUAL(f->eois, 1);
    CU_ASSERT_EQUAL(f->eoi_vector, 0x61);
    /* then edge on the same vector clears TMR */
    apic_bus_deliver(f->apic, 0, false, APIC_DM_FIXED, 0x61, false);
    CU_ASSERT_FALSE(tmr_bit(f, 0x61));
    f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque);
    wr(f, 0x0b0, 0);
    CU_ASSERT_EQUAL(f->eois, 1);
    /* NMI message, ExtINT message */
    apic_bus_deliver(f->apic, 0, false, APIC_DM_NMI, 0, false);
    CU_ASSERT_TRUE(f->m->cpu.interrupt_request & CPU_INTERRUPT_NMI);
    f->m->cpu.interrupt_request &= ~CPU_INTERRUPT_NMI;
    apic_bus_deliver(f->apic, 0, false, APIC_DM_EXTINT, 0, false);
    CU_ASSERT_TRUE(intr(f));
    CU_ASSERT_EQUAL(f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque), 0x08);
    CU_ASSERT_FALSE(intr(f));
    /* ICR: NMI to self; all-excluding-self reaches nobody; INIT ignored */
    wr(f, 0x300, 0x40400);
    CU_ASSERT_TRUE(f->m->cpu.interrupt_request & CPU_INTERRUPT_NMI);
    f->m->cpu.interrupt_request &= ~CPU_INTERRUPT_NMI;
    wr(f, 0x300, 0xc0090);
    CU_ASSERT_FALSE(irr_bit(f, 0x90));
    wr(f, 0x300, 0x000c4500);
    wr(f, 0x300, 0x000c4610);
    CU_ASSERT_FALSE(intr(f));
    CU_ASSERT_EQUAL(rd(f, 0x300) & (1u << 12), 0);  /* idle */
    /* ICR destination field, physical: ID 0 is us */
    wr(f, 0x310, 0);
    wr(f, 0x300, 0x00091);
    CU_ASSERT_TRUE(irr_bit(f, 0x91));
    f->m->cpu.irq_ack(f->m->cpu.irq_ack_opaque);
    wr(f, 0x0b0, 0);
    fx_free(f);
}

static void test_apic_errors(void)
{
    ApicFixture *f = fx_new();
    wr(f, 0x350, 0x10000);
    wr(f, 0x0f0, 0x1ff);
    wr(f, 0x370, 0xfe);                        /* LVT error -> vector 0xfe */
    self_ipi(f, 0x05);                         /* illegal vector */
    CU_ASSERT_FALSE(irr_bit(f, 0x05));
    CU_ASSERT_TRUE(irr_bit(f, 0xfe));
    CU_ASSERT_EQUAL(rd(f, 0x280), 0);          /* not latched yet */
    wr(f, 0x280, 0);
    CU_ASSERT_EQUAL(rd(f, 0x280), 0x20);       /* send illegal vector */
    apic_bus_deliver(f->apic, 0, false, APIC_DM_FIXED, 0x0f, false);
    wr(f, 0x280, 0);
    CU_ASSERT_EQUAL(rd(f, 0x280), 0x40);       /* receive illegal vector */
    wr(f, 0x280, 0);
    CU_ASSERT_EQUAL(rd(f, 0x280), 0);
    fx_free(f);
}

void register_apic_tests(void)
{
    CU_pSuite s = CU_add_suite("apic", NULL, NULL);
    CU_add_test(s, "registers: reset values, writable bits, reset", test_apic_registers);
    CU_add_test(s, "self-IPIs: priority classes, TPR, PPR, EOI", test_apic_priority_eoi);
    CU_add_test(s, "timer: one-shot, periodic, dividers, mask, coalescing",
                test_apic_timer);
    CU_add_test(s, "LINT0 ExtINT, LINT fixed level, LINT1 NMI, global disable",
                test_apic_lint_extint);
    CU_add_test(s, "bus messages: destinations, level EOI, NMI, ExtINT, ICR",
                test_apic_bus_messages);
    CU_add_test(s, "ESR and the error LVT", test_apic_errors);
}
