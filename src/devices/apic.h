/*
 * apic.h - the CPU's local APIC (P6-family integrated xAPIC), apic.c.
 *
 * One local APIC for the one CPU, memory-mapped at IA32_APIC_BASE
 * (0xFEE00000).  When it exists it owns the CPU's INTR pin: the i8259's
 * output (Machine.cpu_intr) becomes its LINT0 input, CPUState.irq_ack
 * becomes apic_irq_ack (which asks the i8259 for the vector only for ExtINT
 * deliveries), and the IOAPIC sends it interrupt messages through
 * apic_bus_deliver().
 *
 * Example (pc.c):
 *     ApicState *a = apic_init(m, APIC_DEFAULT_BASE, errp);
 *     IOAPICState *io = ioapic_init(m, IOAPIC_DEFAULT_BASE, apic_bus_deliver, a, errp);
 *     apic_set_eoi_listener(a, ioapic_eoi, io);
 */
#ifndef TX86_APIC_H
#define TX86_APIC_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct Machine;
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

/* maps the APIC at base, takes over Machine.cpu_intr and CPUState.irq_ack
 * (the previous irq_ack, the i8259's INTA, is kept for ExtINT) */
ApicState *apic_init(struct Machine *m, uint32_t base, GError **errp);
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

#endif
