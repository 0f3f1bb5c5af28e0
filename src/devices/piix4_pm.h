/*
 * piix4_pm.h - the PIIX4 power management function (82371AB function 3,
 * 8086:7113) as QEMU's pc has it at 00:01.3: ACPI PM1 event/control
 * registers, the 3.579545 MHz PM timer, SCI on ISA IRQ 9, sleep states
 * (S5 = soft off ends tx86 with status 0), the APM control port 0xB2 and
 * a stub SMBus host.
 */
#ifndef TX86_PIIX4_PM_H
#define TX86_PIIX4_PM_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "bus/irq.h"

struct Buses;
struct PCIBus;
typedef struct PIIX4PMState PIIX4PMState;

#define PIIX4_PM_BASE_DEFAULT 0x600   /* where SeaBIOS puts it (PMBA) */
#define PIIX4_PM_SCI_IRQ      9
#define PIIX4_PM_TIMER_HZ     3579545
/* SLP_TYP values of the sleep states our DSDT (acpi_tables.c) declares */
#define PIIX4_SLP_TYP_S5      0
#define PIIX4_SLP_TYP_S3      1

/* PM1 registers relative to the PM base */
#define PIIX4_PM1_STS  0x00
#define PIIX4_PM1_EN   0x02
#define PIIX4_PM1_CNT  0x04
#define PIIX4_PM_TMR   0x08

/* sci: the line the SCI drives (the board's ISA IRQ PIIX4_PM_SCI_IRQ),
 * NULL = not wired */
PIIX4PMState *piix4_pm_init(const struct Buses *b, struct PCIBus *bus, IrqLine *sci,
                            GError **errp);
/* the PM timer's current 24-bit value */
uint32_t piix4_pm_timer(PIIX4PMState *s);
/* the power button (sets PWRBTN_STS, SCI if enabled) */
void piix4_pm_power_button(PIIX4PMState *s);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc piix4_pm_vmsd;
extern const size_t piix4_pm_state_size;

#endif
