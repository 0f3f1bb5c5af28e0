/*
 * pc.h - the PC platform assembled around the CPU: which chips exist,
 * where they sit and how their interrupt lines are wired (pc.c).
 *
 * Each chip lives in its own file under src/devices/ with the one shape
 * every device has (STYLE.md): an XxxState, xxx_init(&m->bus, ...) that
 * registers its ports/MMIO on the buses it is given (bus/buses.h) and
 * returns the state, xxx_reset(), a static const ops table.  pc_build()
 * calls those inits in order, hands each its sibling chips and interrupt
 * lines as arguments, and wires the lines; a device never calls an
 * interrupt controller directly: it drives an IrqLine.
 *
 * Interrupt routing (as on QEMU's "pc" machine, which SeaBIOS and Linux
 * expect):
 *   isa_irq[n] (n = 0..15)  -> i8259 pin n  and  IOAPIC pin n (IRQ0 -> pin 2)
 *   PCI INTA-D of a slot    -> PIIX3 PIRQ routing -> isa_irq[PIRQRCn] and
 *                              pci_irq[PIRQ] -> IOAPIC pins 16-19
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
    IrqLine pci_irq[4];           /* PIRQA-D as the PIIX3 passes them on -> IOAPIC 16-19 */

    /* interrupt controllers: set by their init functions */
    void *pic;                    /* struct I8259State *, i8259.c */
    void (*pic_set_irq)(void *pic, int pin, int level);
    void *ioapic;                 /* struct IOAPICState *, ioapic.c */
    void (*ioapic_set_irq)(void *ioapic, int pin, int level);

    /* chips, each owned by its file (fields added by their authors) */
    struct I8259State *i8259;     /* i8259.c: PIC pair 0x20/0xA0, ELCR 0x4D0 */
    struct I8254State *pit;       /* i8254.c: PIT 0x40-0x43, OUT0 -> IRQ 0 */
    struct MC146818State *rtc;    /* mc146818.c: RTC/CMOS 0x70/0x71, IRQ 8 */
    struct PCPortsState *ports;   /* pc_ports.c: 0x61, 0x92, 0x80, 0xF0 (IRQ 13) */
    struct PCIBus *pci_bus;       /* pci.c: config mechanism #1, BARs (pci.h) */
    struct I440FXState *i440fx;   /* i440fx.c: host bridge 00:00.0, PAM */
    struct PIIX3State *piix3;     /* piix.c: ISA bridge 00:01.0, PIRQ routing */
    struct PIIX4PMState *pm;      /* piix4_pm.c: ACPI PM 00:01.3, SCI, S5 */
    struct FWCfgState *fw_cfg;    /* fw_cfg.c: ports 0x510/0x511/0x514 (fw_cfg.h) */
    struct ApicState *apic;       /* cpu-x86/apic.c: the CPU's local APIC at 0xFEE00000,
                                   * NULL if the CPU model has none (then no IOAPIC) */
    struct VGAState *vga;         /* vga.c: VGA + Bochs VBE, PCI 00:02.0; NULL with -vga none;
                                   * with -vga cirrus the VGA core of the CL-GD5446 */
    struct CirrusState *cirrus;   /* cirrus.c: -vga cirrus, PCI 00:02.0; NULL otherwise */
    struct VMPortState *vmport;   /* vmport.c: VMware backdoor 0x5658 + vmmouse (vmmouse_absolute);
                                   * NULL with -machine vmport=off */
    struct NS16550State *serial[4]; /* ns16550.c: COM1-4 (0x3F8/4, 0x2F8/3, 0x3E8/4,
                                     * 0x2E8/3), NULL = -serial none / not given */
    struct I8042State *i8042;     /* i8042.c: 0x60/0x64, keyboard IRQ 1, mouse IRQ 12
                                   * (i8042_keyboard() for host keys) */
    struct PS2Kbd *kbd;           /* ps2.c: the keyboard behind it (ps2_kbd_put_key) */
    struct IDEState *ide;         /* ide.c: PIIX3 IDE 00:01.1, 0x1F0/0x170, IRQ 14/15 */
    struct I8237State *dma;       /* i8237.c: ISA DMA 0x00-0x0F, 0xC0-0xDF, pages 0x81-0x8F */
    struct FDCState *fdc;         /* fdc.c: floppy 0x3F0-0x3F5/0x3F7, IRQ 6, DMA 2 */
    struct UHCIState *uhci;       /* uhci.c: -usb (00:01.2, INTD) or -device piix3-usb-uhci;
                                   * NULL without USB */
    struct USBHidState *usb_tablet; /* usb_hid.c: on the UHCI's ports; NULL when absent. */
    struct USBHidState *usb_mouse;  /* The display core gives them the input (tablet: */
    struct USBHidState *usb_kbd;    /* absolute; mouse: relative; kbd: every key) */
} PCDevices;

/* build the PC's chips and wiring; called by machine_new() when the
 * machine has firmware (-bios or the default SeaBIOS) */
bool pc_build(Machine *m, GError **errp);
/* the PC's fw_cfg (pc->fw_cfg), NULL before pc_build created it */
struct FWCfgState *pc_fw_cfg(Machine *m);

#endif
