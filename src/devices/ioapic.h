/*
 * ioapic.h - the Intel 82093AA I/O APIC (ioapic.c): 24 interrupt pins
 * turned into messages to the local APIC.
 *
 * Pins (pc.h): ISA IRQ n -> pin n (IRQ0, the PIT, -> pin 2), PCI PIRQs ->
 * pins 16-19.  Drive a pin with ioapic_set_irq (the IrqHandler shape:
 * PCDevices.ioapic_set_irq); the local APIC reports EOIs of level-triggered
 * vectors with ioapic_eoi.
 */
#ifndef TX86_IOAPIC_H
#define TX86_IOAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct Buses;
typedef struct IOAPICState IOAPICState;

#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_NUM_PINS     24
#define IOAPIC_VERSION_VALUE 0x00170011u   /* 24 entries (max index 0x17), version 0x11 */

/* how a message reaches the local APIC(s): apic_bus_deliver's shape */
typedef void (*IOAPICDeliverFn)(void *opaque, uint8_t dest, bool logical, int mode,
                                int vector, bool level);

IOAPICState *ioapic_init(const struct Buses *b, uint32_t base, IOAPICDeliverFn deliver,
                         void *deliver_opaque, GError **errp);
void ioapic_reset(IOAPICState *s);
void ioapic_free(IOAPICState *s);
/* pin (0..23) level: 1 asserted, 0 deasserted */
void ioapic_set_irq(void *ioapic, int pin, int level);
/* EOI broadcast from the local APIC for a level-triggered vector */
void ioapic_eoi(void *ioapic, int vector);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc ioapic_vmsd;
extern const size_t ioapic_state_size;

#endif
