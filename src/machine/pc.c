/*
 * pc.c - assembles the PC platform: interrupt controllers, timers, serial
 * ports, keyboard controller, PCI host bridge and ISA bridge, IDE, floppy,
 * VGA, ACPI power management and fw_cfg, in that order (pc.h explains the
 * interrupt wiring).  Each step is one call into the chip's own file.
 */
#include "machine/pc.h"
#include "machine/savevm.h"
#include "cpu-x86/cpuid.h"
#include "devices/i8259.h"
#include "devices/i8254.h"
#include "devices/mc146818.h"
#include "devices/pc_ports.h"
#include "cpu-x86/apic.h"
#include "devices/ioapic.h"
#include "devices/vga.h"
#include "devices/cirrus.h"
#include "devices/vmport.h"
#include "devices/ns16550.h"
#include "devices/i8042.h"
#include "devices/ide.h"
#include "devices/i8237.h"
#include "devices/fdc.h"
#include "devices/block.h"
#include "machine/loader.h"
#include "machine/pc_net.h"
#include "devices/pci.h"               /* PCI, PAM, PIRQ, ACPI PM, fw_cfg (P4) */
#include "devices/i440fx.h"
#include "devices/piix.h"
#include "devices/piix4_pm.h"
#include "devices/fw_cfg.h"
#include "devices/acpi_tables.h"
#include "devices/debugcon.h"
#include "devices/uhci.h"
#include "devices/usb_hid.h"
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

/* PIRQ A-D, as the PIIX3 passes them on, reach IOAPIC pins 16-19 */
static void pc_pirq_set(void *opaque, int n, int level)
{
    PCDevices *pc = opaque;
    if (pc->ioapic_set_irq)
        pc->ioapic_set_irq(pc->ioapic, 16 + n, level);
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

/* the PC's fw_cfg items, from the machine config: RAM size and e820,
 * CPUs, NUMA, boot menu, sercon port (-nographic), ACPI tables
 * (acpi_tables.c); the boot order comes later (pc_boot_order) */
static bool pc_fw_cfg_setup(FWCfgState *s, Machine *m, GError **errp)
{
    const MachineConfig *c = &m->cfg;
    uint64_t ram = c->ram_size;
    fw_cfg_add_i64(s, FW_CFG_RAM_SIZE, ram);
    fw_cfg_add_i16(s, FW_CFG_NOGRAPHIC, c->nographic);
    fw_cfg_add_i16(s, FW_CFG_NB_CPUS, 1);
    fw_cfg_add_i16(s, FW_CFG_MAX_CPUS, 1);
    fw_cfg_add_i64(s, FW_CFG_NUMA, 0);
    fw_cfg_add_i16(s, FW_CFG_BOOT_MENU, c->boot_menu);
    fw_cfg_add_i32(s, FW_CFG_IRQ0_OVERRIDE, 1);
    uint8_t uuid[16] = { 0 };
    fw_cfg_add_bytes(s, FW_CFG_UUID, uuid, sizeof(uuid));

    /* e820: { le64 address; le64 length; le32 type; } packed; RAM only,
     * SeaBIOS reserves its own areas */
    uint8_t e820[20] = { 0 };
    for (int i = 0; i < 8; i++)
        e820[8 + i] = (uint8_t)(ram >> (8 * i));
    e820[16] = 1;                                 /* E820_RAM */
    fw_cfg_add_file(s, "etc/e820", e820, sizeof(e820));

    /* "No bootable device." then wait forever, as QEMU without
     * -boot reboot-timeout */
    uint32_t wait = GUINT32_TO_LE(0xffffffffu);
    fw_cfg_add_file(s, "etc/boot-fail-wait", &wait, 4);

    if (c->nographic) {
        uint16_t port = GUINT16_TO_LE(0x3f8);
        fw_cfg_add_file(s, "etc/sercon-port", &port, 2);
    }

    AcpiConfig acpi = {
        .ram_size = (uint32_t)ram,
        .pm_base = PIIX4_PM_BASE_DEFAULT,
        .apic = m->pc && m->pc->ioapic,
        .ioapic_id = 0,
    };
    acpi_build_tables(s, &acpi);

    return true;
}

/* fw_cfg "bootorder" from -boot order= (after the NICs exist: n puts
 * those with a boot ROM, pc_net.c, where SeaBIOS looks for them) */
static bool pc_boot_order(FWCfgState *s, Machine *m, GError **errp)
{
    const MachineConfig *c = &m->cfg;
    if (!c->boot_order)
        return true;
    /* the first disk and CD-ROM on the PIIX3 IDE (ide_file[] index:
     * primary master/slave, secondary master/slave) */
    char *hd = NULL, *cd = NULL;
    for (int i = 0; i < 4; i++) {
        if (!c->ide_file[i])
            continue;
        char *path = g_strdup_printf("/pci@i0cf8/ide@1,1/drive@%d/disk@%d", i / 2, i % 2);
        char **slot = c->ide_cdrom[i] ? &cd : &hd;
        if (!*slot)
            *slot = path;
        else
            g_free(path);
    }
    char *net = pc_net_boot_paths(m->pc->pci_bus);
    bool ok = fw_cfg_set_boot_order(s, c->boot_order, hd, cd, net, errp);
    g_free(net);
    g_free(hd);
    g_free(cd);
    return ok;
}

/* USB as QEMU's pc machine has it: -usb (usb=on) puts the PIIX3's UHCI at
 * 00:01.2; -device piix3-usb-uhci at the first free slot (after the
 * NICs); the HID devices on its two root ports, in command line order or
 * as port= says (options.c checked the rules) */
static bool pc_usb_build(Machine *m, GError **errp)
{
    PCDevices *pc = m->pc;
    const MachineConfig *c = &m->cfg;
    if (!c->usb && !c->usb_uhci_device)
        return true;
    int devfn = PCI_DEVFN(1, 2);
    if (c->usb_uhci_device) {
        devfn = -1;
        for (int slot = 3; slot < 32 && devfn < 0; slot++)
            if (!pci_find_device(pc->pci_bus, PCI_DEVFN(slot, 0)))
                devfn = PCI_DEVFN(slot, 0);
        if (devfn < 0) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                        "piix3-usb-uhci: no free PCI slot");
            return false;
        }
    }
    if (!(pc->uhci = uhci_init(&m->bus, pc->pci_bus, devfn, errp)))
        return false;
    bool taken[UHCI_PORTS] = { false };
    for (int i = 0; i < c->n_usb_devs; i++)
        if (c->usb_dev_port[i])
            taken[c->usb_dev_port[i] - 1] = true;
    for (int i = 0; i < c->n_usb_devs; i++) {
        int port = c->usb_dev_port[i] - 1;
        for (int p = 0; port < 0 && p < UHCI_PORTS; p++)
            if (!taken[p]) {
                taken[p] = true;
                port = p;
            }
        if (port < 0)
            port = UHCI_PORTS;          /* uhci_attach says there is no free port */
        char path[32];
        g_snprintf(path, sizeof(path), "0000:00:%02x.%x-%d", PCI_SLOT(devfn), PCI_FUNC(devfn),
                   port + 1);
        USBHidKind kind = (USBHidKind)c->usb_devs[i];
        USBHidState *h = usb_hid_new(kind, path);
        machine_register_device(m, h, (void (*)(void *))usb_hid_free, NULL);
        if (!uhci_attach(pc->uhci, port, usb_hid_device(h), errp))
            return false;
        if (kind == USB_HID_TABLET && !pc->usb_tablet)
            pc->usb_tablet = h;
        else if (kind == USB_HID_MOUSE && !pc->usb_mouse)
            pc->usb_mouse = h;
        else if (kind == USB_HID_KBD && !pc->usb_kbd)
            pc->usb_kbd = h;
    }
    return true;
}

/* the port bus's view of the CPU registers (vmport.c) */
static uint32_t *pc_cpu_regs(void *opaque)
{
    CPUState *env = opaque;
    return env->regs;
}

/* saved state of the board's wiring: the level each ISA and PCI interrupt
 * line was last driven to (the chips on both ends saved what they saw;
 * this is what the lines' owners and readers such as the APIC's LINT0
 * check read back) */
static const VMStateField irq_line_fields[] = {
    VMS_I32(IrqLine, level, 1),
    VMS_END
};
static const VMStateDesc irq_line_vmsd = { .name = "irq-line", .version = 1,
                                           .min_version = 1, .fields = irq_line_fields };
static const VMStateField pc_fields[] = {
    VMS_STRUCT_ARRAY(PCDevices, isa_irq, irq_line_vmsd, 1),
    VMS_STRUCT_ARRAY(PCDevices, pci_irq, irq_line_vmsd, 1),
    VMS_END
};
const VMStateDesc pc_vmsd = { .name = "pc", .version = 1, .min_version = 1,
                              .fields = pc_fields };

bool pc_build(Machine *m, GError **errp)
{
    PCDevices *pc = g_new0(PCDevices, 1);
    m->pc = pc;
    for (int i = 0; i < 16; i++)
        irq_line_init(&pc->isa_irq[i], pc_isa_irq_set, pc, i);
    for (int i = 0; i < 4; i++)
        irq_line_init(&pc->pci_irq[i], pc_pirq_set, pc, i);
    machine_register_state(m, &pc_vmsd, pc);

    /* interrupt controllers and timers (i8259.c, i8254.c, mc146818.c,
     * port 0x61/0x92/0x80 in pc_ports.c) */
    pc->i8259 = i8259_init(&m->bus, &m->cpu_intr);   /* drives INTR */
    m->cpu.irq_ack = i8259_irq_ack;                  /* the CPU's INTA cycle */
    m->cpu.irq_ack_opaque = pc->i8259;
    pc->pic = pc->i8259;
    pc->pic_set_irq = i8259_set_irq;
    pc->pit = i8254_init(&m->bus, 0x40, &pc->isa_irq[0]);
    MC146818Settings rtc_set = {
        .ram_size = m->cfg.ram_size,
        .fd_file = { m->cfg.fd_file[0], m->cfg.fd_file[1] },
        .boot_order = m->cfg.boot_order,
        .rtc_base = m->cfg.rtc_base,
        .rtc_date = m->cfg.rtc_date,
    };
    pc->rtc = mc146818_init(&m->bus, 0x70, &pc->isa_irq[8], &rtc_set);
    pc->ports = pc_ports_init(&m->bus, pc->pit, &pc->isa_irq[13], &m->a20);
    m->cpu.fpu_ferr_handler = pc_ports_ferr;     /* the CPU's FERR# -> IRQ 13 */
    m->cpu.fpu_ferr_opaque = pc->ports;

    /* local APIC and IOAPIC (apic.c, ioapic.c), when the CPU model has an
     * APIC (CPUID.1:EDX bit 9).  apic_init (cpu-x86/apic.c) takes over the
     * CPU's INTR pin: Machine.cpu_intr (the i8259's output) becomes LINT0
     * and the i8259's irq_ack is kept for ExtINT; the IOAPIC's messages go
     * to the APIC, the APIC's EOIs of level-triggered vectors to the IOAPIC */
    if (cpuid_has(&m->cpu, CPUID_APIC)) {
        ApicState *apic = apic_init(&m->cpu, &m->bus, APIC_DEFAULT_BASE, &m->cpu_intr, errp);
        if (!apic)
            return false;
        machine_register_device(m, apic, (void (*)(void *))apic_free,
                                (void (*)(void *))apic_reset);
        IOAPICState *io = ioapic_init(&m->bus, IOAPIC_DEFAULT_BASE, apic_bus_deliver, apic, errp);
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
    const char *serial[4] = {                    /* -serial */
        /* -nographic: COM1 on stdio, shared with the monitor unless
         * -monitor puts it elsewhere (as QEMU; src/monitor/); -nodefaults:
         * no COM1 unless -serial */
        m->cfg.serial ? m->cfg.serial
        : m->cfg.nodefaults ? NULL
        : m->cfg.nographic ? (m->cfg.monitor_dev ? "stdio" : "mon:stdio") : "null",
        m->cfg.serial_more[0], m->cfg.serial_more[1], m->cfg.serial_more[2],
    };
    if (!ns16550_create_com_ports(&m->bus, pc->isa_irq, serial, pc->serial, errp))
        return false;
    pc->i8042 = i8042_init(&m->bus, &pc->isa_irq[1], &pc->isa_irq[12], &m->a20);
    pc->kbd = i8042_keyboard(pc->i8042);

    /* PCI: host bridge, ISA bridge and PIRQ routing, ACPI PM, fw_cfg
     * (i440fx.c, piix.c, piix4_pm.c, fw_cfg.c) */
    if (!(pc->pci_bus = pci_bus_new(&m->bus))) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "pci: ports 0xcf8-0xcff taken");
        return false;
    }
    if (!(pc->i440fx = i440fx_init(&m->bus, pc->pci_bus, errp)) ||
        !(pc->piix3 = piix3_init(&m->bus, pc->pci_bus, pc->isa_irq, pc->pci_irq, errp)) ||
        !(pc->pm = piix4_pm_init(&m->bus, pc->pci_bus, &pc->isa_irq[PIIX4_PM_SCI_IRQ],
                                 errp)) ||
        !(pc->fw_cfg = fw_cfg_init(&m->bus, errp)))
        return false;
    machine_register_device(m, pc->fw_cfg, (void (*)(void *))fw_cfg_free,
                            (void (*)(void *))fw_cfg_reset);
    if (!pc_fw_cfg_setup(pc->fw_cfg, m, errp))     /* RAM, e820, ACPI */
        return false;
    if (m->cfg.seabios_log) {                      /* SeaBIOS's debug port 0x402 */
        DebugconState *dc = debugcon_init(&m->bus, 0x402, m->cfg.seabios_log, "--seabios-log", errp);
        if (!dc)
            return false;
        machine_register_device(m, dc, (void (*)(void *))debugcon_free,
                                (void (*)(void *))debugcon_reset);
    }

    /* disks: IDE/ATA/ATAPI with bus-master DMA, floppy (ide.c, fdc.c) */
    if (!pc_check_drives(&m->cfg, errp))
        return false;
    DriveSpec ide_drives[4], fd_drives[2];
    for (int i = 0; i < 4; i++)
        ide_drives[i] = (DriveSpec){ m->cfg.ide_file[i], m->cfg.ide_readonly[i],
                                     m->cfg.ide_cdrom[i], m->cfg.snapshot,
                                     (BlockLocking)m->cfg.ide_locking[i],
                                     (ImageFormat)m->cfg.ide_format[i] };
    for (int i = 0; i < 2; i++)
        fd_drives[i] = (DriveSpec){ m->cfg.fd_file[i], m->cfg.fd_readonly[i], false,
                                    m->cfg.snapshot, (BlockLocking)m->cfg.fd_locking[i],
                                    (ImageFormat)m->cfg.fd_format[i] };
    if (!(pc->ide = ide_init(&m->bus, pc->pci_bus, &pc->isa_irq[14], &pc->isa_irq[15],
                              ide_drives, errp)))
        return false;
    pc->dma = i8237_init(&m->bus);
    if (!(pc->fdc = fdc_init(&m->bus, 0x3f0, &pc->isa_irq[6], pc->dma, 2, fd_drives, errp)))
        return false;

    /* display: VGA with the Bochs VBE interface (vga.c) or the CL-GD5446 (cirrus.c) */
    if (!m->cfg.vga_none && m->cfg.vga_cirrus) {
        if (!(pc->cirrus = cirrus_init(&m->bus, pc->pci_bus, errp)))
            return false;
        pc->vga = cirrus_vga(pc->cirrus);
    } else if (!m->cfg.vga_none && !(pc->vga = vga_init(&m->bus, pc->pci_bus, errp))) {
        return false;
    }

    /* the VMware backdoor with the vmmouse (vmport.c), as QEMU's vmport=auto;
     * it reads the CPU's registers through the port bus */
    if (!m->cfg.vmport_off) {
        m->io->cpu_regs = pc_cpu_regs;
        m->io->cpu_regs_opaque = &m->cpu;
        if (!(pc->vmport = vmport_init(&m->bus, i8042_mouse(pc->i8042), errp)))
            return false;
    }

    /* network: user-mode back ends and NICs (pc_net.c) */
    if (!pc_net_build(m, pc->pci_bus, pc->isa_irq, errp))
        return false;

    /* USB: the UHCI and its HID devices (uhci.c, usb_hid.c) */
    if (!pc_usb_build(m, errp))
        return false;

    /* -kernel/-initrd/-append: items and option ROM through fw_cfg (loader.c) */
    if (!pc_boot_order(pc->fw_cfg, m, errp) ||     /* after the NICs: their boot ROMs */
        !loader_setup(m, errp))
        return false;

    return true;
}

struct FWCfgState *pc_fw_cfg(Machine *m)
{
    return m && m->pc ? m->pc->fw_cfg : NULL;
}
