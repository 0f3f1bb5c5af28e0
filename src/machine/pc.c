/*
 * pc.c - assembles the PC platform: interrupt controllers, timers, serial
 * ports, keyboard controller, PCI host bridge and ISA bridge, IDE, floppy,
 * VGA, ACPI power management and fw_cfg, in that order (pc.h explains the
 * interrupt wiring).  Each step is one call into the chip's own file.
 */
#include "machine/pc.h"
#include "cpu-x86/cpuid.h"
#include "devices/i8259.h"
#include "devices/i8254.h"
#include "devices/mc146818.h"
#include "devices/pc_ports.h"
#include "devices/apic.h"
#include "devices/ioapic.h"
#include "devices/vga.h"
#include "devices/ns16550.h"
#include "devices/i8042.h"
#include "devices/ide.h"
#include "devices/i8237.h"
#include "devices/fdc.h"
#include "devices/block.h"
#include "machine/loader.h"
#include "devices/pci.h"               /* PCI, PAM, PIRQ, ACPI PM, fw_cfg (P4) */
#include "devices/i440fx.h"
#include "devices/piix.h"
#include "devices/piix4_pm.h"
#include "devices/fw_cfg.h"
#include "devices/debugcon.h"
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

/* One image file on two drives (by any path: block_same_file compares
 * device and inode) is refused when either drive writes it: the drives
 * would each cache and overwrite the other's sectors.  Two readers
 * (readonly=on, CD-ROMs, -snapshot) may share a file.  The image locks
 * (block.c) would refuse the pair too; this check names both drives, and
 * is skipped, as the locks are, when a drive says locking=off. */
static bool pc_check_drives(const MachineConfig *c, GError **errp)
{
    static const char *const names[6] = { "hda", "hdb", "hdc", "hdd", "fda", "fdb" };
    const char *file[6];
    bool writes[6];
    int locking[6];
    for (int i = 0; i < 6; i++) {
        bool ide = i < 4;
        file[i] = ide ? c->ide_file[i] : c->fd_file[i - 4];
        writes[i] = !c->snapshot && !(ide ? c->ide_readonly[i] || c->ide_cdrom[i]
                                          : c->fd_readonly[i - 4]);
        locking[i] = ide ? c->ide_locking[i] : c->fd_locking[i - 4];
    }
    for (int i = 0; i < 6; i++)
        for (int j = i + 1; j < 6; j++) {
            if (!file[i] || !file[j] || !(writes[i] || writes[j]) ||
                locking[i] == BLOCK_LOCKING_OFF || locking[j] == BLOCK_LOCKING_OFF ||
                !block_same_file(file[i], file[j]))
                continue;
            gchar *what = strcmp(file[i], file[j]) ?
                g_strdup_printf("'%s' and '%s' are the same file", file[i], file[j]) :
                g_strdup_printf("'%s' is", file[i]);
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                        "disk image %s on two drives (%s and %s), and a drive that writes "
                        "needs the file to itself (use -snapshot or readonly=on, or "
                        "locking=off)", what, names[i], names[j]);
            g_free(what);
            return false;
        }
    return true;
}

bool pc_build(Machine *m, GError **errp)
{
    PCDevices *pc = g_new0(PCDevices, 1);
    m->pc = pc;
    for (int i = 0; i < 16; i++)
        irq_line_init(&pc->isa_irq[i], pc_isa_irq_set, pc, i);

    /* interrupt controllers and timers (i8259.c, i8254.c, mc146818.c,
     * port 0x61/0x92/0x80 in pc_ports.c) */
    pc->i8259 = i8259_init(m, &m->cpu_intr);     /* INTR; m->cpu.irq_ack */
    pc->pic = pc->i8259;
    pc->pic_set_irq = i8259_set_irq;
    pc->pit = i8254_init(m, 0x40, &pc->isa_irq[0]);
    pc->rtc = mc146818_init(m, 0x70, &pc->isa_irq[8]);
    pc->ports = pc_ports_init(m, pc->pit, &pc->isa_irq[13], &m->a20);
    m->cpu.fpu_ferr_handler = pc_ports_ferr;     /* the CPU's FERR# -> IRQ 13 */
    m->cpu.fpu_ferr_opaque = pc->ports;

    /* local APIC and IOAPIC (apic.c, ioapic.c), when the CPU model has an
     * APIC (CPUID.1:EDX bit 9).  apic_init takes over the CPU's INTR pin:
     * Machine.cpu_intr (the i8259's output) becomes LINT0 and the i8259's
     * irq_ack is kept for ExtINT; the IOAPIC's messages go to the APIC */
    if (cpuid_has(&m->cpu, CPUID_APIC)) {
        ApicState *apic = apic_init(m, APIC_DEFAULT_BASE, errp);
        if (!apic)
            return false;
        machine_register_device(m, apic, (void (*)(void *))apic_free,
                                (void (*)(void *))apic_reset);
        IOAPICState *io = ioapic_init(m, IOAPIC_DEFAULT_BASE, apic_bus_deliver, apic, errp);
        if (!io)
            return false;
        machine_register_device(m, io, (void (*)(void *))ioapic_free,
                                (void (*)(void *))ioapic_reset);
        apic_set_eoi_listener(apic, ioapic_eoi, io);
        pc->apic = apic;
        pc->ioapic = io;
        pc->ioapic_set_irq = ioapic_set_irq;
    }

    /* serial ports and the keyboard controller (ns16550.c, i8042.c) */
    if (!ns16550_create_com_ports(m, pc->isa_irq, pc->serial, errp))  /* -serial */
        return false;
    pc->i8042 = i8042_init(m, &pc->isa_irq[1], &pc->isa_irq[12], &m->a20);
    pc->kbd = i8042_keyboard(pc->i8042);

    /* PCI: host bridge, ISA bridge and PIRQ routing, ACPI PM, fw_cfg
     * (i440fx.c, piix.c, piix4_pm.c, fw_cfg.c) */
    if (!(pc->pci_bus = pci_bus_new(m))) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "pci: ports 0xcf8-0xcff taken");
        return false;
    }
    if (!(pc->i440fx = i440fx_init(m, pc->pci_bus, errp)) ||
        !(pc->piix3 = piix3_init(m, pc->pci_bus, errp)) ||
        !(pc->pm = piix4_pm_init(m, pc->pci_bus, errp)) ||
        !(pc->fw_cfg = fw_cfg_init(m, errp)))
        return false;
    machine_register_device(m, pc->fw_cfg, (void (*)(void *))fw_cfg_free,
                            (void (*)(void *))fw_cfg_reset);
    if (!fw_cfg_setup_pc(pc->fw_cfg, m, errp))     /* RAM, e820, boot order, ACPI */
        return false;
    if (m->cfg.seabios_log) {                      /* SeaBIOS's debug port 0x402 */
        DebugconState *dc = debugcon_init(m, 0x402, m->cfg.seabios_log, "--seabios-log", errp);
        if (!dc)
            return false;
        machine_register_device(m, dc, (void (*)(void *))debugcon_free,
                                (void (*)(void *))debugcon_reset);
    }

    /* disks: IDE/ATA/ATAPI with bus-master DMA, floppy (ide.c, fdc.c) */
    if (!pc_check_drives(&m->cfg, errp))
        return false;
    if (!(pc->ide = ide_init(m, &pc->isa_irq[14], &pc->isa_irq[15], errp)))
        return false;
    pc->dma = i8237_init(m);
    if (!(pc->fdc = fdc_init(m, 0x3f0, &pc->isa_irq[6], pc->dma, 2, errp)))
        return false;

    /* display: VGA with the Bochs VBE interface (vga.c) */
    if (!m->cfg.vga_none && !(pc->vga = vga_init(m, pc->pci_bus, errp)))
        return false;

    /* -kernel/-initrd/-append: items and option ROM through fw_cfg (loader.c) */
    if (!loader_setup(m, errp))
        return false;

    return true;
}
