/*
 * piix.h - the PIIX3 (82371SB) PCI-to-ISA bridge, function 0 of slot 1
 * (8086:7000): PIRQ[A-D] routing of PCI interrupts to ISA IRQs and to
 * IOAPIC pins 16-19.  Function 1 (IDE) is ide.c; function 3 (the ACPI PM
 * function, PIIX4-style as on QEMU's pc) is piix4_pm.c.
 */
#ifndef TX86_PIIX_H
#define TX86_PIIX_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "bus/irq.h"

struct Buses;
struct PCIBus;
typedef struct PIIX3State PIIX3State;

#define PIIX_PIRQRC   0x60      /* PIRQRC[A-D]: 0x60-0x63 */
#define PIIX_SLOT     1         /* the PIIX3's PCI slot (00:01.x) */

/* installs itself as the bus's PIRQ router; drives isa_irq[0..15] (the
 * routed ISA IRQs) and pirq_out[0..3] (PIRQ A-D themselves: the IOAPIC's
 * pins 16-19 on the PC); either may be NULL (not wired) */
PIIX3State *piix3_init(const struct Buses *b, struct PCIBus *bus, IrqLine isa_irq[16],
                       IrqLine pirq_out[4], GError **errp);
/* the ISA IRQ a PIRQ is routed to, -1 when disabled (bit 7 of PIRQRC) */
int piix3_pirq_to_isa(PIIX3State *s, int pirq);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc piix3_vmsd;
extern const size_t piix3_state_size;

#endif
