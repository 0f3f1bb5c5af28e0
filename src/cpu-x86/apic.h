/*
 * apic.h - the CPU's local APIC (P6-family integrated xAPIC), apic.c.
 *
 * Part of the CPU: one local APIC per CPU, memory-mapped at the CPU's
 * IA32_APIC_BASE (0xFEE00000), delivering into its core (cpu_set_irq,
 * cpu_set_nmi).  It is created with its CPUState and the buses
 * (bus/buses.h: the memory map for its registers, the clock for its
 * timer) and names no device: the board wires it.  When it exists it owns
 * the CPU's INTR pin: the line the i8259 drives (the board's
 * Machine.cpu_intr) becomes its LINT0 input, CPUState.irq_ack becomes
 * apic_irq_ack (which asks the i8259's previous irq_ack for the vector
 * only for ExtINT deliveries), the IOAPIC sends it interrupt messages
 * through apic_bus_deliver(), and EOIs of level-triggered vectors go back
 * to whatever apic_set_eoi_listener() named (the IOAPIC's ioapic_eoi).
 *
 * Example (pc.c):
 *     ApicState *a = apic_init(&m->cpu, &m->bus, APIC_DEFAULT_BASE, &m->cpu_intr, errp);
 *     IOAPICState *io = ioapic_init(&m->bus, IOAPIC_DEFAULT_BASE, apic_bus_deliver, a, errp);
 *     apic_set_eoi_listener(a, ioapic_eoi, io);
 */
#ifndef TX86_CPU_APIC_H
#define TX86_CPU_APIC_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "bus/irq.h"

struct Buses;
struct CPUState;
typedef struct ApicState ApicState;

#define APIC_DEFAULT_BASE 0xfee00000u

/* delivery modes (ICR, LVT and IOAPIC redirection entries, bits 10:8) */
enum {
    APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
    APIC_DM_INIT = 5, APIC_DM_STARTUP = 6, APIC_DM_EXTINT = 7,
};

/* the APIC version register: version 0x14 (integrated), max LVT entry 4
 * (timer, performance counter, LINT0, LINT1, error: as on a P6) */
#define APIC_VERSION_VALUE 0x00040014u

/* maps the APIC of cpu at base (b->mem), its timer on b->clock; takes over
 * the CPU's INTR pin intr_pin (its handler becomes LINT0's; NULL: no
 * line to take over) and cpu->irq_ack (the previous one, the i8259's
 * INTA, is kept for ExtINT), and hooks cpu->apic_base_changed.  The
 * caller registers it with the machine (apic_free, apic_reset). */
ApicState *apic_init(struct CPUState *cpu, const struct Buses *b, uint32_t base,
                     IrqLine *intr_pin, GError **errp);
void apic_reset(ApicState *s);
void apic_free(ApicState *s);

/* an interrupt message on the APIC bus (from the IOAPIC): accepted when
 * dest matches this APIC (physical ID or logical LDR/DFR, 0xFF = all);
 * level = level-triggered (sets the TMR bit: EOI is then broadcast) */
void apic_bus_deliver(void *apic, uint8_t dest, bool logical, int mode, int vector,
                      bool level);
/* IrqHandler of the LINT0 (n = 0) and LINT1 (n = 1) pins */
void apic_set_lint(void *apic, int n, int level);
/* EOI of a level-triggered vector is broadcast to fn (the IOAPIC) */
void apic_set_eoi_listener(ApicState *s, void (*fn)(void *opaque, int vector),
                           void *opaque);
/* CPUState.irq_ack while the APIC is wired: the vector of the interrupt
 * the CPU takes now (IRR -> ISR), or the i8259's for ExtINT; -1 none */
int apic_irq_ack(void *apic);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc apic_vmsd;
extern const size_t apic_state_size;

#endif
