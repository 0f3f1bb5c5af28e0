/*
 * pc.h - the PC platform assembled around the CPU: which chips exist,
 * where they sit and how their interrupt lines are wired (pc.c).
 *
 * Each chip lives in its own file under src/devices/ with the one shape
 * every device has (STYLE.md): an XxxState, xxx_init(machine, ...) that
 * registers its ports/MMIO and returns the state, xxx_reset(), a static
 * const ops table.  pc_build() calls those inits in order and wires the
 * interrupt lines; a device never calls an interrupt controller directly:
 * it drives an IrqLine.
 *
 * Interrupt routing (as on QEMU's "pc" machine, which SeaBIOS and Linux
 * expect):
 *   isa_irq[n] (n = 0..15)  -> i8259 pin n  and  IOAPIC pin n (IRQ0 -> pin 2)
 *   PCI INTA-D of a slot    -> PIIX3 PIRQ routing -> isa_irq[PIRQRCn] and
 *                              IOAPIC pins 16-19
 *   i8259 INT output        -> the CPU's INTR pin (Machine.cpu_intr), or the
 *                              local APIC's LINT0 when the APIC is enabled
 */
#ifndef TX86_PC_H
#define TX86_PC_H

#include <stdbool.h>
#include <glib.h>
#include "machine/machine.h"

typedef struct PCDevices {
    IrqLine isa_irq[16];          /* ISA IRQ lines, fanned out by pc.c */
    IrqLine pci_irq[4];           /* PIRQA-D (PIIX3 routing) */

    /* interrupt controllers: set by their init functions */
    void *pic;                    /* struct I8259State *, i8259.c */
    void (*pic_set_irq)(void *pic, int pin, int level);
    void *ioapic;                 /* struct IOAPICState *, ioapic.c */
    void (*ioapic_set_irq)(void *ioapic, int pin, int level);

    /* chips, each owned by its file (fields added by their authors) */
} PCDevices;

/* build the PC's chips and wiring; called by machine_new() when the
 * machine has firmware (-bios or the default SeaBIOS) */
bool pc_build(Machine *m, GError **errp);

#endif
