/*
 * test_ioapic.c - unit tests for the 82093AA I/O APIC (src/devices/ioapic.c)
 * through IOREGSEL/IOWIN on a bare machine: identification registers,
 * redirection entry bits, edge pins (one message per rising edge, lost
 * while masked), level pins with remote IRR and the EOI from the local
 * APIC, unmasking an asserted pin, and the whole path IOAPIC -> local APIC
 * -> CPU -> EOI with the real apic.c.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "cpu-x86/apic.h"
#include "devices/ioapic.h"

typedef struct Msg { uint8_t dest; bool logical; int mode, vector; bool level; } Msg;

typedef struct IoFixture {
    Machine *m;
    IOAPICState *io;
    Msg msgs[16];
    int n;
} IoFixture;

static void fake_deliver(void *opaque, uint8_t dest, bool logical, int mode, int vector,
                         bool level)
{
    IoFixture *f = opaque;
    if (f->n < 16)
        f->msgs[f->n] = (Msg){ dest, logical, mode, vector, level };
    f->n++;
}

static Machine *bare_machine(void)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(1u << 20, &err);
    g_assert(m);
    clock_init(&m->clock, true);
    return m;
}

static IoFixture *fx_new(void)
{
    IoFixture *f = g_new0(IoFixture, 1);
    GError *err = NULL;
    f->m = bare_machine();
    f->io = ioapic_init(&f->m->bus, IOAPIC_DEFAULT_BASE, fake_deliver, f, &err);
    g_assert(f->io);
    machine_register_device(f->m, f->io, (void (*)(void *))ioapic_free,
                            (void (*)(void *))ioapic_reset);
    return f;
}

static void fx_free(IoFixture *f)
{
    machine_free(f->m);
    g_free(f);
}

static uint32_t io_rd(Machine *m, uint8_t reg)
{
    physmem_write(m->mem, IOAPIC_DEFAULT_BASE, reg, 4);
    return physmem_read(m->mem, IOAPIC_DEFAULT_BASE + 0x10, 4);
}

static void io_wr(Machine *m, uint8_t reg, uint32_t v)
{
    physmem_write(m->mem, IOAPIC_DEFAULT_BASE, reg, 4);
    physmem_write(m->mem, IOAPIC_DEFAULT_BASE + 0x10, v, 4);
}

static void test_ioapic_registers(void)
{
    IoFixture *f = fx_new();
    Machine *m = f->m;
    CU_ASSERT_EQUAL(io_rd(m, 0x01), 0x00170011);
    CU_ASSERT_EQUAL(io_rd(m, 0x00), 0);
    CU_ASSERT_EQUAL(physmem_read(m->mem, IOAPIC_DEFAULT_BASE, 4), 0x00); /* IOREGSEL */
    static const struct { uint8_t reg; uint32_t val, expect; } rw[] = {
        { 0x00, 0xffffffff, 0x0f000000 },      /* ID bits 27:24 */
        { 0x01, 0, 0x00170011 },               /* version: read-only */
        { 0x02, 0, 0x0f000000 },               /* arbitration ID = ID */
        { 0x10, 0xffffffff, 0x0001afff },      /* status, remote IRR read-only */
        { 0x11, 0xffffffff, 0xff000000 },
        { 0x3e, 0x12345678, 0x00000678 },      /* entry 23 low */
        { 0x3f, 0x12345678, 0x12000000 },
        { 0x40, 0xffffffff, 0 },               /* beyond the table */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rw); i++) {
        io_wr(m, rw[i].reg, rw[i].val);
        CU_ASSERT_EQUAL(io_rd(m, rw[i].reg), rw[i].expect);
    }
    /* every entry resets masked */
    machine_reset(m);
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        CU_ASSERT_EQUAL(io_rd(m, (uint8_t)(0x10 + 2 * pin)), 0x10000);
        CU_ASSERT_EQUAL(io_rd(m, (uint8_t)(0x11 + 2 * pin)), 0);
    }
    CU_ASSERT_EQUAL(io_rd(m, 0x00), 0);
    fx_free(f);
}

static void test_ioapic_edge(void)
{
    IoFixture *f = fx_new();
    Machine *m = f->m;
    io_wr(m, 0x15, 0x01000000);                /* pin 2 -> dest 1, logical */
    io_wr(m, 0x14, 0x0830);                    /* vector 0x30, logical, edge */
    /* (level driven, messages expected so far) */
    static const struct { int level; int n; } steps[] = {
        { 1, 1 }, { 1, 1 }, { 0, 1 }, { 1, 2 }, { 0, 2 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        ioapic_set_irq(f->io, 2, steps[i].level);
        CU_ASSERT_EQUAL(f->n, steps[i].n);
    }
    CU_ASSERT_EQUAL(f->msgs[0].dest, 1);
    CU_ASSERT_TRUE(f->msgs[0].logical);
    CU_ASSERT_EQUAL(f->msgs[0].mode, APIC_DM_FIXED);
    CU_ASSERT_EQUAL(f->msgs[0].vector, 0x30);
    CU_ASSERT_FALSE(f->msgs[0].level);
    /* masked: the edge is lost, unmasking sends nothing */
    io_wr(m, 0x14, 0x10830);
    ioapic_set_irq(f->io, 2, 1);
    ioapic_set_irq(f->io, 2, 0);
    io_wr(m, 0x14, 0x0830);
    CU_ASSERT_EQUAL(f->n, 2);
    /* NMI delivery mode */
    io_wr(m, 0x16, 0x0400);
    ioapic_set_irq(f->io, 3, 1);
    CU_ASSERT_EQUAL(f->n, 3);
    CU_ASSERT_EQUAL(f->msgs[2].mode, APIC_DM_NMI);
    /* out-of-range pins are ignored */
    ioapic_set_irq(f->io, 24, 1);
    ioapic_set_irq(f->io, -1, 1);
    CU_ASSERT_EQUAL(f->n, 3);
    fx_free(f);
}

static void test_ioapic_level(void)
{
    IoFixture *f = fx_new();
    Machine *m = f->m;
    io_wr(m, 0x24, 0x1a93a);                   /* pin 10: 0x3a, level, active low, masked */
    ioapic_set_irq(f->io, 10, 1);
    CU_ASSERT_EQUAL(f->n, 0);
    io_wr(m, 0x24, 0x0a93a);                   /* unmasked while asserted: sent */
    CU_ASSERT_EQUAL(f->n, 1);
    CU_ASSERT_TRUE(f->msgs[0].level);
    CU_ASSERT_EQUAL(io_rd(m, 0x24), 0x0e93a);  /* remote IRR */
    /* table: (action: 'h' high, 'l' low, 'e' EOI of vector v) -> messages, remote IRR */
    static const struct { char op; int v; int n; bool rirr; } steps[] = {
        { 'l', 0, 1, true },
        { 'h', 0, 1, true },                   /* waits for the EOI */
        { 'e', 0x3b, 1, true },                /* another vector's EOI */
        { 'e', 0x3a, 2, true },                /* still asserted: sent again */
        { 'l', 0, 2, true },
        { 'e', 0x3a, 2, false },
        { 'h', 0, 3, true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        switch (steps[i].op) {
        case 'h': ioapic_set_irq(f->io, 10, 1); break;
        case 'l': ioapic_set_irq(f->io, 10, 0); break;
        case 'e': ioapic_eoi(f->io, steps[i].v); break;
        }
        CU_ASSERT_EQUAL(f->n, steps[i].n);
        CU_ASSERT_EQUAL((io_rd(m, 0x24) >> 14) & 1, steps[i].rirr);
    }
    /* switching to edge clears remote IRR */
    io_wr(m, 0x24, 0x0213a);
    CU_ASSERT_EQUAL(io_rd(m, 0x24), 0x0213a);
    fx_free(f);
}

/* IOAPIC -> local APIC -> CPU acknowledge -> EOI -> remote IRR */
static void test_ioapic_with_apic(void)
{
    Machine *m = bare_machine();
    GError *err = NULL;
    ApicState *apic = apic_init(&m->cpu, &m->bus, APIC_DEFAULT_BASE, &m->cpu_intr, &err);
    g_assert(apic);
    machine_register_device(m, apic, (void (*)(void *))apic_free, (void (*)(void *))apic_reset);
    IOAPICState *io = ioapic_init(&m->bus, IOAPIC_DEFAULT_BASE, apic_bus_deliver, apic, &err);
    g_assert(io);
    machine_register_device(m, io, (void (*)(void *))ioapic_free, (void (*)(void *))ioapic_reset);
    apic_set_eoi_listener(apic, ioapic_eoi, io);

    physmem_write(m->mem, APIC_DEFAULT_BASE + 0xf0, 0x1ff, 4);     /* SVR: enabled */
    physmem_write(m->mem, APIC_DEFAULT_BASE + 0x350, 0x10700, 4);  /* LINT0 masked */
    io_wr(m, 0x2c, 0x0a951);                   /* pin 14: 0x51, level, logical dest 0 */
    io_wr(m, 0x2d, 0x01000000);                /* dest 1: LDR is 0 -> no APIC */
    ioapic_set_irq(io, 14, 1);
    CU_ASSERT_FALSE(m->cpu.interrupt_request & CPU_INTERRUPT_HARD);
    ioapic_set_irq(io, 14, 0);
    ioapic_eoi(io, 0x51);                      /* (as a lost message would need) */
    physmem_write(m->mem, APIC_DEFAULT_BASE + 0xd0, 0x01000000, 4); /* LDR */
    ioapic_set_irq(io, 14, 1);
    CU_ASSERT_TRUE(m->cpu.interrupt_request & CPU_INTERRUPT_HARD);
    CU_ASSERT_EQUAL(m->cpu.irq_ack(m->cpu.irq_ack_opaque), 0x51);
    ioapic_set_irq(io, 14, 0);                 /* the handler quiets the device */
    CU_ASSERT_EQUAL((io_rd(m, 0x2c) >> 14) & 1, 1);
    physmem_write(m->mem, APIC_DEFAULT_BASE + 0xb0, 0, 4);         /* EOI */
    CU_ASSERT_EQUAL((io_rd(m, 0x2c) >> 14) & 1, 0);
    CU_ASSERT_FALSE(m->cpu.interrupt_request & CPU_INTERRUPT_HARD);
    /* edge pin 2 (the PIT) with physical destination 0 */
    io_wr(m, 0x14, 0x0030);
    io_wr(m, 0x15, 0);
    ioapic_set_irq(io, 2, 1);
    ioapic_set_irq(io, 2, 0);
    CU_ASSERT_EQUAL(m->cpu.irq_ack(m->cpu.irq_ack_opaque), 0x30);
    physmem_write(m->mem, APIC_DEFAULT_BASE + 0xb0, 0, 4);
    CU_ASSERT_FALSE(m->cpu.interrupt_request & CPU_INTERRUPT_HARD);
    machine_free(m);
}

void register_ioapic_tests(void)
{
    CU_pSuite s = CU_add_suite("ioapic", NULL, NULL);
    CU_add_test(s, "registers: ID, version, redirection bits, reset", test_ioapic_registers);
    CU_add_test(s, "edge pins: rising edges, masked edges lost, NMI", test_ioapic_edge);
    CU_add_test(s, "level pins: remote IRR, EOI, unmask while asserted", test_ioapic_level);
    CU_add_test(s, "with the local APIC: message, INTA, EOI broadcast", test_ioapic_with_apic);
}
