/*
 * test_vmstate_dev.c - the devices' saved-state tables (bus/vmstate.h)
 * with the generic serializer.
 *
 * Each device case builds the chip on a bare machine with a manual clock
 * (as its own unit test does) behind a BusHost that records what the
 * chip registers with host_register_state, drives it through its ports
 * into a state that is not the reset state, and then:
 *   - every registered table passes vmstate_check_desc;
 *   - the sections saved from it load (check, then apply) into a second
 *     fresh instance, post_load accepts them, the second instance saves
 *     the same bytes, and a script of guest-visible reads (ports, MMIO)
 *     gives the same values on both instances;
 *   - one field left out of a table makes that comparison fail (so the
 *     comparison can catch a missing field);
 *   - a truncated stream, a renamed field, a wrong size, a bad index in a
 *     field and every single-byte corruption of the smaller streams are
 *     refused or loaded without crashing.
 */
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "cpu-x86/apic.h"
#include "devices/i8259.h"
#include "devices/i8254.h"
#include "devices/mc146818.h"
#include "devices/ns16550.h"
#include "devices/chardev.h"
#include "devices/i8042.h"
#include "devices/ps2.h"
#include "devices/ioapic.h"
#include "devices/i8237.h"
#include "devices/fdc.h"
#include "devices/ide.h"
#include "devices/block.h"
#include "devices/pci.h"
#include "devices/i440fx.h"
#include "devices/piix.h"
#include "devices/piix4_pm.h"
#include "devices/fw_cfg.h"
#include "devices/pc_ports.h"
#include "devices/vmport.h"
#include "devices/vga.h"
#include "devices/cirrus.h"

/* ---- a machine whose host records register_state ---- */

#define RIG_MAX_REGS 32

typedef struct Reg {
    const VMStateDesc *d;
    void *s;
} Reg;

typedef struct Rig {
    Machine *m;
    BusHostOps ops;
    Reg regs[RIG_MAX_REGS];
    int nregs;
    IrqLine irq[24];
    int level[24];
    void *dev[6];               /* the case's own pointers */
    char *path;                 /* a disk image, if the case made one */
} Rig;

static void rig_register_device(void *opaque, void *state, void (*free_fn)(void *),
                                void (*reset_fn)(void *))
{
    machine_register_device(((Rig *)opaque)->m, state, free_fn, reset_fn);
}

static void rig_register_state(void *opaque, const VMStateDesc *d, void *state)
{
    Rig *r = opaque;
    g_assert(r->nregs < RIG_MAX_REGS);
    r->regs[r->nregs++] = (Reg){ d, state };
}

static void rig_request_reset(void *opaque) { machine_request_reset(((Rig *)opaque)->m); }
static void rig_request_shutdown(void *opaque, int st)
{
    machine_request_shutdown(((Rig *)opaque)->m, st);
}
static void rig_timers_changed(void *opaque) { machine_timers_changed(((Rig *)opaque)->m); }
static void rig_watch_fd(void *opaque, const HostFdWatch *w)
{
    machine_watch_fd(((Rig *)opaque)->m, w);
}
static void rig_unwatch_fd(void *opaque, int fd, void *o)
{
    machine_unwatch_fd(((Rig *)opaque)->m, fd, o);
}

static void rig_irq(void *opaque, int n, int level)
{
    ((Rig *)opaque)->level[n] = level;
}

static Rig *rig_new(void)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 2u << 20;
    cfg.backend = BACKEND_INTERP;
    Rig *r = g_new0(Rig, 1);
    r->m = machine_new(&cfg, &err);
    g_assert(r->m);
    clock_init(&r->m->clock, true);
    r->ops = (BusHostOps){
        .register_device = rig_register_device, .register_state = rig_register_state,
        .request_reset = rig_request_reset, .request_shutdown = rig_request_shutdown,
        .timers_changed = rig_timers_changed, .watch_fd = rig_watch_fd,
        .unwatch_fd = rig_unwatch_fd,
    };
    r->m->host.ops = &r->ops;           /* before any device: Buses keeps &m->host */
    r->m->host.opaque = r;
    for (int i = 0; i < 24; i++)
        irq_line_init(&r->irq[i], rig_irq, r, i);
    return r;
}

static void rig_free(Rig *r)
{
    machine_free(r->m);
    if (r->path) {
        unlink(r->path);
        g_free(r->path);
    }
    g_free(r);
}

static void outb(Rig *r, uint16_t p, uint32_t v) { ioport_write(r->m->io, p, v, 1); }
static void outw(Rig *r, uint16_t p, uint32_t v) { ioport_write(r->m->io, p, v, 2); }
static void outl(Rig *r, uint16_t p, uint32_t v) { ioport_write(r->m->io, p, v, 4); }
static uint32_t inb(Rig *r, uint16_t p) { return ioport_read(r->m->io, p, 1); }
static uint32_t inw(Rig *r, uint16_t p) { return ioport_read(r->m->io, p, 2); }
static void wrl(Rig *r, uint32_t a, uint32_t v) { physmem_write(r->m->mem, a, v, 4); }
static uint32_t rdl(Rig *r, uint32_t a) { return physmem_read(r->m->mem, a, 4); }

static void advance(Rig *r, int64_t ns)
{
    clock_advance(&r->m->clock, ns);
    clock_run_timers(&r->m->clock);
}

/* ---- the device cases ---- */

#define PROBE_MAX 32

typedef struct DevCase {
    const char *name;
    const char *sections;       /* the names it must register, space separated */
    void (*build)(Rig *r);
    void (*drive)(Rig *r);
    /* guest-visible reads; returns how many values it wrote */
    int (*probe)(Rig *r, uint32_t *v);
    const char *mutant;         /* a field whose absence the probe must see, or NULL */
} DevCase;

/* i8259: initialized, masks, a pending request, ISR selected */
static void pic_build(Rig *r) { r->dev[0] = i8259_init(&r->m->bus, &r->irq[0]); }
static void pic_drive(Rig *r)
{
    outb(r, 0x20, 0x11); outb(r, 0x21, 0x08); outb(r, 0x21, 0x04); outb(r, 0x21, 0x01);
    outb(r, 0xa0, 0x11); outb(r, 0xa1, 0x70); outb(r, 0xa1, 0x02); outb(r, 0xa1, 0x01);
    outb(r, 0x21, 0xb8);
    outb(r, 0x4d1, 0x0e);
    i8259_set_irq(r->dev[0], 10, 1);
    i8259_set_irq(r->dev[0], 3, 1);
    i8259_ack(r->dev[0]);                       /* IRQ 3 in service */
    outb(r, 0x20, 0x0b);                        /* read ISR */
    outb(r, 0xa0, 0x11);                        /* slave half way through ICWs */
}
static int pic_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x20);
    v[n++] = inb(r, 0x21);
    v[n++] = inb(r, 0x4d1);
    outb(r, 0xa1, 0x68);                        /* the slave's next ICW */
    outb(r, 0xa1, 0x02);
    outb(r, 0xa1, 0x01);
    outb(r, 0xa0, 0x0a);
    v[n++] = inb(r, 0xa0);                      /* IRR: IRQ 10 */
    v[n++] = (uint32_t)i8259_ack(r->dev[0]);
    return n;
}

/* i8254: counter 0 rate generator, a latch not read yet, counter 2 half written */
static void pit_build(Rig *r) { r->dev[0] = i8254_init(&r->m->bus, 0x40, &r->irq[0]); }
static void pit_drive(Rig *r)
{
    outb(r, 0x43, 0x34); outb(r, 0x40, 0x00); outb(r, 0x40, 0x10);
    advance(r, 1000000);
    outb(r, 0x43, 0x00);                        /* latch counter 0 */
    advance(r, 500000);
    outb(r, 0x43, 0xb6); outb(r, 0x42, 0x34);   /* LSB only so far */
}
static int pit_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x40);
    v[n++] = inb(r, 0x40);
    outb(r, 0x42, 0x12);
    advance(r, 3000000);                        /* the timer fires the same */
    v[n++] = (uint32_t)r->level[0];
    outb(r, 0x43, 0xc2);
    v[n++] = inb(r, 0x40);
    v[n++] = inb(r, 0x40);
    v[n++] = inb(r, 0x40);
    outb(r, 0x43, 0x80);
    v[n++] = inb(r, 0x42);
    v[n++] = inb(r, 0x42);
    return n;
}

/* mc146818: a CMOS byte, periodic interrupt on, index left pointing at it */
static void rtc_build(Rig *r)
{
    MC146818Settings set = { .ram_size = 2u << 20, .rtc_base = RTC_BASE_DATE };
    g_assert(mc146818_parse_date("2006-06-17T16:01:21", &set.rtc_date));
    r->dev[0] = mc146818_init(&r->m->bus, 0x70, &r->irq[8], &set);
}
static void rtc_drive(Rig *r)
{
    advance(r, 2500000000ll);
    outb(r, 0x70, 0x0a); outb(r, 0x71, 0x2a);   /* 64 Hz */
    outb(r, 0x70, 0x0b); outb(r, 0x71, 0x42);   /* PIE, 24 h */
    outb(r, 0x70, 0x00); outb(r, 0x71, 0x33);   /* set seconds (BCD) */
    outb(r, 0x70, 0x40); outb(r, 0x71, 0x5a);
    advance(r, 10000000);
}
static int rtc_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x71);                      /* CMOS 0x40 */
    v[n++] = (uint32_t)r->level[8];
    outb(r, 0x70, 0x0c); v[n++] = inb(r, 0x71);
    advance(r, 1500000000ll);
    outb(r, 0x70, 0x00); v[n++] = inb(r, 0x71);
    outb(r, 0x70, 0x02); v[n++] = inb(r, 0x71);
    outb(r, 0x70, 0x0c); v[n++] = inb(r, 0x71);
    return n;
}

/* ns16550: divisor, FIFO on, three bytes received in loopback, IER */
static void uart_build(Rig *r)
{
    GError *err = NULL;
    CharDev *chr = chardev_new(&r->m->bus, "null", "serial0", &err);
    g_assert(chr);
    r->dev[0] = ns16550_init(&r->m->bus, 0x3f8, &r->irq[4], chr, &err);
    g_assert(r->dev[0]);
}
static void uart_drive(Rig *r)
{
    outb(r, 0x3fb, 0x80); outb(r, 0x3f8, 0x03); outb(r, 0x3f9, 0x00); outb(r, 0x3fb, 0x1b);
    outb(r, 0x3fa, 0xc7);
    outb(r, 0x3fc, 0x10);                       /* loopback */
    outb(r, 0x3f8, 'A'); outb(r, 0x3f8, 'B'); outb(r, 0x3f8, 'C');
    outb(r, 0x3f9, 0x05);
    outb(r, 0x3ff, 0x77);
}
static int uart_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x3fd);
    v[n++] = inb(r, 0x3fa);
    v[n++] = inb(r, 0x3f8);
    v[n++] = inb(r, 0x3ff);
    advance(r, 20000000);                       /* character timeout */
    v[n++] = inb(r, 0x3fa);
    v[n++] = (uint32_t)r->level[4];
    v[n++] = inb(r, 0x3f8);
    outb(r, 0x3fb, 0x9b);
    v[n++] = inb(r, 0x3f8);                     /* DLL */
    v[n++] = inb(r, 0x3fb);
    return n;
}

/* i8042 + PS/2: command byte, keyboard and mouse replies queued */
static void kbc_build(Rig *r)
{
    r->dev[0] = i8042_init(&r->m->bus, &r->irq[1], &r->irq[12], &r->m->a20);
}
static void kbc_drive(Rig *r)
{
    outb(r, 0x64, 0x60); outb(r, 0x60, 0x47);  /* command byte */
    outb(r, 0x60, 0xf0);                        /* keyboard: scancode set... */
    outb(r, 0x60, 0x03);
    outb(r, 0x60, 0xf0); outb(r, 0x60, 0x00);  /* ...and ask which */
    outb(r, 0x64, 0xd4); outb(r, 0x60, 0xf3);  /* mouse: sample rate */
    outb(r, 0x64, 0xd4); outb(r, 0x60, 40);
    outb(r, 0x64, 0xd4); outb(r, 0x60, 0xe9);  /* status request */
    ps2_mouse_event(i8042_mouse(r->dev[0]), 3, -2, 0, 1);
    outb(r, 0x64, 0xaa);                        /* controller replies queue behind */
    outb(r, 0x64, 0x20);
}
static int kbc_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    for (int i = 0; i < 12; i++) {
        v[n++] = inb(r, 0x64);
        v[n++] = inb(r, 0x60);
    }
    v[n++] = (uint32_t)(r->level[1] | r->level[12] << 1);
    return n;
}

/* I/O APIC: a redirection entry, the index */
static void ioapic_build(Rig *r)
{
    GError *err = NULL;
    r->dev[0] = ioapic_init(&r->m->bus, IOAPIC_DEFAULT_BASE, NULL, NULL, &err);
    g_assert(r->dev[0]);
    machine_register_device(r->m, r->dev[0], (void (*)(void *))ioapic_free, NULL);
}
static void ioapic_drive(Rig *r)
{
    wrl(r, IOAPIC_DEFAULT_BASE, 0x00); wrl(r, IOAPIC_DEFAULT_BASE + 0x10, 0x05000000);
    wrl(r, IOAPIC_DEFAULT_BASE, 0x14); wrl(r, IOAPIC_DEFAULT_BASE + 0x10, 0x0000a031);
    wrl(r, IOAPIC_DEFAULT_BASE, 0x15); wrl(r, IOAPIC_DEFAULT_BASE + 0x10, 0x03000000);
    ioapic_set_irq(r->dev[0], 2, 1);
}
static int ioapic_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = rdl(r, IOAPIC_DEFAULT_BASE);
    v[n++] = rdl(r, IOAPIC_DEFAULT_BASE + 0x10);
    wrl(r, IOAPIC_DEFAULT_BASE, 0x14); v[n++] = rdl(r, IOAPIC_DEFAULT_BASE + 0x10);
    wrl(r, IOAPIC_DEFAULT_BASE, 0x00); v[n++] = rdl(r, IOAPIC_DEFAULT_BASE + 0x10);
    return n;
}

/* i8237: channel 2 programmed, the flip-flop half way, page registers */
static void dma_build(Rig *r) { r->dev[0] = i8237_init(&r->m->bus); }
static void dma_drive(Rig *r)
{
    outb(r, 0x0c, 0);
    outb(r, 0x04, 0x34); outb(r, 0x04, 0x12);
    outb(r, 0x05, 0xff); outb(r, 0x05, 0x01);
    outb(r, 0x0b, 0x46);
    outb(r, 0x81, 0x07); outb(r, 0x84, 0x99);   /* 0x84: a spare one */
    outb(r, 0xd4, 0x05);                        /* unmask nothing, mask channel 5 */
    outb(r, 0x04, 0x55);                        /* flip-flop now points at the MSB */
}
static int dma_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x04);
    v[n++] = inb(r, 0x04);
    v[n++] = inb(r, 0x05);
    v[n++] = inb(r, 0x05);
    v[n++] = inb(r, 0x81);
    v[n++] = inb(r, 0x84);
    v[n++] = inb(r, 0x08);
    return n;
}

/* FDC: SPECIFY done, SENSE DRIVE STATUS result not read yet */
static void fdc_build(Rig *r)
{
    GError *err = NULL;
    r->dev[1] = i8237_init(&r->m->bus);
    r->dev[0] = fdc_init(&r->m->bus, 0x3f0, &r->irq[6], r->dev[1], 2, NULL, &err);
    g_assert(r->dev[0]);
}
static void fdc_drive(Rig *r)
{
    outb(r, 0x3f2, 0x1c);
    outb(r, 0x3f5, 0x03); outb(r, 0x3f5, 0xdf); outb(r, 0x3f5, 0x02);
    outb(r, 0x3f5, 0x0e);                       /* DUMPREG: 10 result bytes... */
    inb(r, 0x3f5);
    inb(r, 0x3f5);                              /* ...two of them read */
}
static int fdc_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x3f4);
    v[n++] = inb(r, 0x3f5);
    v[n++] = inb(r, 0x3f4);
    v[n++] = inb(r, 0x3f2);
    for (int i = 0; i < 8; i++)
        v[n++] = inb(r, 0x3f5);
    v[n++] = inb(r, 0x3f4);
    outb(r, 0x3f5, 0x04); outb(r, 0x3f5, 0x01); /* SENSE DRIVE STATUS */
    v[n++] = inb(r, 0x3f5);
    return n;
}

/* IDE: a PIO READ SECTORS half way through its data */
#define IDE_TEST_SECTORS 64
static void ide_build(Rig *r)
{
    GError *err = NULL;
    int fd = g_file_open_tmp("tx86-vms-XXXXXX", &r->path, NULL);
    g_assert(fd >= 0);
    for (unsigned i = 0; i < IDE_TEST_SECTORS * 512 / 2; i++) {
        uint16_t w = (uint16_t)(i * 7 + 3);
        g_assert(write(fd, &w, 2) == 2);
    }
    close(fd);
    DriveSpec drives[4];
    memset(drives, 0, sizeof(drives));
    drives[0].file = r->path;
    r->dev[0] = ide_init(&r->m->bus, NULL, &r->irq[14], &r->irq[15], drives, &err);
    g_assert(r->dev[0]);
}
static void ide_drive(Rig *r)
{
    outb(r, 0x1f6, 0xe0);
    outb(r, 0x1f2, 2); outb(r, 0x1f3, 5); outb(r, 0x1f4, 0); outb(r, 0x1f5, 0);
    outb(r, 0x1f7, 0x20);                       /* READ SECTORS, LBA 5, 2 sectors */
    for (int i = 0; i < 100; i++)
        inw(r, 0x1f0);
}
static int ide_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x3f6);
    v[n++] = inb(r, 0x1f7);
    uint32_t sum = 0;
    for (int i = 0; i < 300; i++)               /* the rest of 1, into sector 2 */
        sum = sum * 31 + inw(r, 0x1f0);
    v[n++] = sum;
    v[n++] = inb(r, 0x1f7);
    v[n++] = inb(r, 0x1f2);
    return n;
}

/* PCI with the i440FX, PIIX3 and PIIX4 PM: PAM, PIRQ routing, PM ports */
static uint32_t cfg_rd(Rig *r, int devfn, int reg, int size)
{
    outl(r, 0xcf8, 0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc));
    return ioport_read(r->m->io, (uint16_t)(0xcfc + (reg & 3)), size);
}
static void cfg_wr(Rig *r, int devfn, int reg, uint32_t v, int size)
{
    outl(r, 0xcf8, 0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc));
    ioport_write(r->m->io, (uint16_t)(0xcfc + (reg & 3)), v, size);
}
static void pci_build(Rig *r)
{
    GError *err = NULL;
    PCIBus *bus = pci_bus_new(&r->m->bus);
    g_assert(bus);
    r->dev[0] = bus;
    r->dev[1] = i440fx_init(&r->m->bus, bus, &err);
    r->dev[2] = piix3_init(&r->m->bus, bus, r->irq, NULL, &err);
    r->dev[3] = piix4_pm_init(&r->m->bus, bus, &r->irq[PIIX4_PM_SCI_IRQ], &err);
    g_assert(r->dev[1] && r->dev[2] && r->dev[3]);
    r->m->mem->ram[0xf0000] = 0x5a;             /* RAM is the machine's section */
}
static void pci_drive(Rig *r)
{
    cfg_wr(r, 0, I440FX_PAM0, 0x30, 1);         /* 0xF0000: read/write DRAM */
    cfg_wr(r, 0, I440FX_PAM0 + 1, 0x12, 1);
    cfg_wr(r, PCI_DEVFN(PIIX_SLOT, 0), PIIX_PIRQRC, 0x0b, 1);
    cfg_wr(r, PCI_DEVFN(1, 3), 0x40, 0xb001, 2);
    cfg_wr(r, PCI_DEVFN(1, 3), 0x80, 0x01, 1);  /* PM I/O on */
    outw(r, 0xb002, 0x0100);                    /* PWRBTN_EN */
    outw(r, 0xb004, 0x0001);                    /* SCI_EN */
    outl(r, 0xcf8, 0x80000810u);                /* CONFIG_ADDRESS left set */
}
static int pci_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = ioport_read(r->m->io, 0xcf8, 4);
    v[n++] = (uint32_t)i440fx_pam_mode(r->dev[1], 0xf0000);
    v[n++] = physmem_read(r->m->mem, 0xf0000, 1);
    v[n++] = (uint32_t)i440fx_pam_mode(r->dev[1], 0xc4000);
    v[n++] = cfg_rd(r, PCI_DEVFN(PIIX_SLOT, 0), PIIX_PIRQRC, 4);
    v[n++] = inw(r, 0xb002);
    v[n++] = inw(r, 0xb004);
    v[n++] = cfg_rd(r, PCI_DEVFN(1, 3), 0x40, 4);
    return n;
}

/* fw_cfg: the signature item selected, two bytes read */
static void fwcfg_build(Rig *r)
{
    GError *err = NULL;
    r->dev[0] = fw_cfg_init(&r->m->bus, &err);
    g_assert(r->dev[0]);
    machine_register_device(r->m, r->dev[0], (void (*)(void *))fw_cfg_free, NULL);
}
static void fwcfg_drive(Rig *r)
{
    outw(r, FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
    inb(r, FW_CFG_PORT_SEL + 1);
    inb(r, FW_CFG_PORT_SEL + 1);
}
static int fwcfg_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, FW_CFG_PORT_SEL + 1);
    v[n++] = inb(r, FW_CFG_PORT_SEL + 1);
    return n;
}

/* PC ports: port 0x61, port 0x92 and a POST code */
static void ports_build(Rig *r)
{
    r->dev[0] = pc_ports_init(&r->m->bus, NULL, &r->irq[13], &r->m->a20);
}
static void ports_drive(Rig *r)
{
    outb(r, 0x61, 0x0b);
    outb(r, 0x80, 0x42);
}
static int ports_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x61) & 0x0f;
    v[n++] = pc_ports_post_code(r->dev[0]);
    return n;
}

/* vmport: the VMMouse on, absolute, words queued */
static void vmport_build(Rig *r)
{
    GError *err = NULL;
    r->dev[0] = vmport_init(&r->m->bus, NULL, &err);
    g_assert(r->dev[0]);
}
static uint32_t vmport_cmd(Rig *r, uint32_t cmd, uint32_t arg)
{
    uint32_t reg[8] = { VMPORT_MAGIC, cmd, 0, arg };
    vmport_call(r->dev[0], reg);
    return reg[0];
}
static void vmport_drive(Rig *r)
{
    vmport_cmd(r, VMPORT_CMD_ABSPOINTER_COMMAND, VMMOUSE_CMD_READ_ID);
    vmport_cmd(r, VMPORT_CMD_ABSPOINTER_DATA, 1);
    vmport_cmd(r, VMPORT_CMD_ABSPOINTER_COMMAND, VMMOUSE_CMD_REQUEST_ABSOLUTE);
    vmmouse_absolute(r->dev[0], 0x1234, 0x4321, 1, 1);
}
static int vmport_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = vmport_cmd(r, VMPORT_CMD_ABSPOINTER_STATUS, 0);
    for (int i = 0; i < 4; i++)
        v[n++] = vmport_cmd(r, VMPORT_CMD_ABSPOINTER_DATA, 1);
    v[n++] = vmmouse_is_absolute(r->dev[0]);
    return n;
}

/* VGA: sequencer, graphics index, a DAC write half done, VRAM, VBE */
static void vga_build(Rig *r)
{
    GError *err = NULL;
    r->dev[0] = vga_init(&r->m->bus, NULL, &err);
    g_assert(r->dev[0]);
}
static void vga_drive(Rig *r)
{
    outb(r, 0x3c4, 0x02); outb(r, 0x3c5, 0x0f);
    physmem_write(r->m->mem, 0xb8000, 0x1f41, 2);
    physmem_write(r->m->mem, 0xb8002, 0x2e42, 2);
    outb(r, 0x3c8, 0x05); outb(r, 0x3c9, 0x11); outb(r, 0x3c9, 0x22);
    outb(r, 0x3ce, 0x05);
    static const uint16_t vbe[][2] = {          /* 1000x700x32, a panned view */
        { VBE_DISPI_INDEX_XRES, 1000 }, { VBE_DISPI_INDEX_YRES, 700 },
        { VBE_DISPI_INDEX_BPP, 32 },
        { VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED |
                                  VBE_DISPI_NOCLEARMEM },
        { VBE_DISPI_INDEX_VIRT_WIDTH, 1200 }, { VBE_DISPI_INDEX_Y_OFFSET, 40 },
        { VBE_DISPI_INDEX_BANK, 3 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(vbe); i++) {
        outw(r, 0x1ce, vbe[i][0]);
        outw(r, 0x1cf, vbe[i][1]);
    }
    physmem_write(r->m->mem, VGA_LFB_DEFAULT_ADDR + (3u << 16), 0xc0ffee, 4);
    outb(r, 0x3d4, 0x0e);
}
static int vga_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x3c5);
    v[n++] = inb(r, 0x3cf);
    v[n++] = inb(r, 0x3d5);
    outb(r, 0x3c9, 0x33);                       /* completes entry 5 */
    outb(r, 0x3c7, 0x05);
    v[n++] = inb(r, 0x3c9) | inb(r, 0x3c9) << 8 | inb(r, 0x3c9) << 16;
    v[n++] = physmem_read(r->m->mem, VGA_LFB_DEFAULT_ADDR + 0x18000, 4);  /* text */
    v[n++] = physmem_read(r->m->mem, VGA_LFB_DEFAULT_ADDR + (3u << 16), 4);
    v[n++] = physmem_read(r->m->mem, 0xa0000, 4);   /* the bank's window */
    for (uint16_t i = 0; i < VBE_DISPI_INDEX_NB; i++) {
        outw(r, 0x1ce, i);
        v[n++] = inw(r, 0x1cf);
    }
    return n;
}

/* Cirrus: unlocked, cursor position, an extended register */
static void cirrus_build(Rig *r)
{
    GError *err = NULL;
    r->dev[0] = cirrus_init(&r->m->bus, NULL, &err);
    g_assert(r->dev[0]);
}
static void cirrus_drive(Rig *r)
{
    outb(r, 0x3c4, 0x06); outb(r, 0x3c5, 0x12);
    outb(r, 0x3c4, 0x30); outb(r, 0x3c5, 0x77);    /* SR10 x, index bits 7:5 */
    outb(r, 0x3c4, 0x13); outb(r, 0x3c5, 0x05);
    outb(r, 0x3ce, 0x0b); outb(r, 0x3cf, 0x21);
    outb(r, 0x3d4, 0x1b); outb(r, 0x3d5, 0x22);
    for (int i = 0; i < 4; i++)
        inb(r, 0x3c6);                              /* the hidden DAC is next */
    outb(r, 0x3c4, 0x13);
}
static int cirrus_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = inb(r, 0x3c4);
    v[n++] = inb(r, 0x3c5);
    outb(r, 0x3c4, 0x06); v[n++] = inb(r, 0x3c5);
    outb(r, 0x3ce, 0x0b); v[n++] = inb(r, 0x3cf);
    outb(r, 0x3d4, 0x1b); v[n++] = inb(r, 0x3d5);
    return n;
}

/* local APIC: TPR, SVR, a one-shot timer running, a pending vector */
static void apic_build(Rig *r)
{
    GError *err = NULL;
    r->dev[0] = apic_init(&r->m->cpu, &r->m->bus, APIC_DEFAULT_BASE, &r->m->cpu_intr, &err);
    g_assert(r->dev[0]);
    machine_register_device(r->m, r->dev[0], (void (*)(void *))apic_free,
                            (void (*)(void *))apic_reset);
}
static void apic_drive(Rig *r)
{
    wrl(r, APIC_DEFAULT_BASE + 0xf0, 0x1ff);
    wrl(r, APIC_DEFAULT_BASE + 0x80, 0x20);
    wrl(r, APIC_DEFAULT_BASE + 0x3e0, 0x0b);        /* divide by 1 */
    wrl(r, APIC_DEFAULT_BASE + 0x320, 0x00041);     /* one-shot, vector 0x41 */
    wrl(r, APIC_DEFAULT_BASE + 0x380, 100000);
    advance(r, 20000);
    apic_bus_deliver(r->dev[0], 0, false, 0, 0x55, false);
}
static int apic_probe(Rig *r, uint32_t *v)
{
    int n = 0;
    v[n++] = rdl(r, APIC_DEFAULT_BASE + 0x80);
    v[n++] = rdl(r, APIC_DEFAULT_BASE + 0xf0);
    v[n++] = rdl(r, APIC_DEFAULT_BASE + 0x390);
    v[n++] = rdl(r, APIC_DEFAULT_BASE + 0x200 + 0x20);  /* IRR 32-63: 0x55 */
    v[n++] = rdl(r, APIC_DEFAULT_BASE + 0x200 + 0x20 * 2);
    v[n++] = (uint32_t)apic_irq_ack(r->dev[0]);
    advance(r, 200000000);
    v[n++] = rdl(r, APIC_DEFAULT_BASE + 0x390);
    v[n++] = rdl(r, APIC_DEFAULT_BASE + 0x200 + 0x20 * 2);  /* IRR 64-95: 0x41 */
    return n;
}

static const DevCase dev_cases[] = {
    { "i8259", "i8259", pic_build, pic_drive, pic_probe, "chip" },
    { "i8254", "i8254", pit_build, pit_drive, pit_probe, "c" },
    { "mc146818", "mc146818", rtc_build, rtc_drive, rtc_probe, "cmos" },
    { "ns16550", "ns16550 chardev", uart_build, uart_drive, uart_probe, "divisor" },
    { "i8042", "i8042 ps2-kbd ps2-mouse", kbc_build, kbc_drive, kbc_probe, "ctrl_count" },
    { "ioapic", "ioapic", ioapic_build, ioapic_drive, ioapic_probe, "rte" },
    { "i8237", "i8237", dma_build, dma_drive, dma_probe, "extra_page" },
    { "fdc", "i8237 fdc", fdc_build, fdc_drive, fdc_probe, "res_pos" },
    { "ide", "ide", ide_build, ide_drive, ide_probe, "bus" },
    { "pci", "pci pci-dev i440fx pci-dev piix3 pci-dev piix4-pm", pci_build, pci_drive,
      pci_probe, "config" },
    { "fw_cfg", "fw_cfg", fwcfg_build, fwcfg_drive, fwcfg_probe, "cur_off" },
    { "pc_ports", "pc_ports", ports_build, ports_drive, ports_probe, "post" },
    { "vmport", "vmport", vmport_build, vmport_drive, vmport_probe, "queue" },
    { "vga", "vga", vga_build, vga_drive, vga_probe, "seq" },
    { "cirrus", "vga cirrus", cirrus_build, cirrus_drive, cirrus_probe, "sr" },
    { "apic", "apic", apic_build, apic_drive, apic_probe, "tpr" },
};

/* ---- save, load ---- */

/* a copy of d without the field `drop` (at the top level) */
static VMStateDesc *desc_without(const VMStateDesc *d, const char *drop)
{
    int n = 0;
    while (d->fields[n].name)
        n++;
    VMStateField *f = g_new0(VMStateField, n + 1);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!drop || strcmp(d->fields[i].name, drop))
            f[k++] = d->fields[i];
    VMStateDesc *c = g_new(VMStateDesc, 1);
    *c = *d;
    c->fields = f;
    return c;
}

static void desc_free(VMStateDesc *d)
{
    g_free((void *)d->fields);
    g_free(d);
}

/* save every section of `from`, load it into `to` (check, then apply),
 * run post_load; `drop` leaves that field out of both sides' tables */
static bool transfer(Rig *from, Rig *to, const char *drop)
{
    if (from->nregs != to->nregs)
        return false;
    int64_t dt = clock_now(&from->m->clock) - clock_now(&to->m->clock);
    if (dt > 0)
        clock_advance(&to->m->clock, dt);
    /* the lines' receivers here are the harness: their levels go along,
     * as a receiving chip's own section would carry them */
    memcpy(to->level, from->level, sizeof(to->level));
    bool ok = true;
    for (int i = 0; i < from->nregs && ok; i++) {
        const VMStateDesc *d = from->regs[i].d;
        if (d != to->regs[i].d)
            return false;
        VMStateDesc *m = drop ? desc_without(d, drop) : NULL;
        const VMStateDesc *use = m ? m : d;
        GByteArray *a = g_byte_array_new();
        vmstate_save(use, from->regs[i].s, a);
        GError *err = NULL;
        ok = vmstate_load(use, to->regs[i].s, use->version, a->data, a->len, false, d->name,
                          &err) &&
             vmstate_load(use, to->regs[i].s, use->version, a->data, a->len, true, d->name,
                          &err);
        if (!ok) {
            fprintf(stderr, "\n  %s: %s\n", d->name, err->message);
            g_error_free(err);
        }
        g_byte_array_free(a, TRUE);
        if (m)
            desc_free(m);
    }
    for (int i = 0; i < to->nregs && ok; i++) {
        const VMStateDesc *d = to->regs[i].d;
        GError *err = NULL;
        if (d->post_load && !d->post_load(to->regs[i].s, d->version, &err)) {
            fprintf(stderr, "\n  %s: post_load: %s\n", d->name, err->message);
            g_error_free(err);
            ok = false;
        }
    }
    return ok;
}

static bool same_streams(Rig *a, Rig *b)
{
    bool same = true;
    for (int i = 0; i < a->nregs; i++) {
        GByteArray *x = g_byte_array_new(), *y = g_byte_array_new();
        vmstate_save(a->regs[i].d, a->regs[i].s, x);
        vmstate_save(b->regs[i].d, b->regs[i].s, y);
        if (x->len != y->len || memcmp(x->data, y->data, x->len)) {
            fprintf(stderr, "\n  %s: the reloaded state saves differently\n",
                    a->regs[i].d->name);
            same = false;
        }
        g_byte_array_free(x, TRUE);
        g_byte_array_free(y, TRUE);
    }
    return same;
}

/* ---- the tests ---- */

static void test_tables(void)
{
    static const struct { const VMStateDesc *d; size_t size; } t[] = {
        { &i8259_vmsd, 0 }, { &i8254_vmsd, 0 }, { &mc146818_vmsd, 0 }, { &ns16550_vmsd, 0 },
        { &chardev_vmsd, 0 }, { &i8042_vmsd, 0 }, { &ps2_kbd_vmsd, 0 }, { &ps2_mouse_vmsd, 0 },
        { &ioapic_vmsd, 0 }, { &i8237_vmsd, 0 }, { &fdc_vmsd, 0 }, { &ide_vmsd, 0 },
        { &pci_bus_vmsd, 0 }, { &pci_dev_vmsd, sizeof(PCIDevice) }, { &i440fx_vmsd, 0 },
        { &piix3_vmsd, 0 }, { &piix4_pm_vmsd, 0 }, { &fw_cfg_vmsd, 0 }, { &pc_ports_vmsd, 0 },
        { &vmport_vmsd, 0 }, { &vga_vmsd, 0 }, { &cirrus_vmsd, 0 }, { &apic_vmsd, 0 },
    };
    const size_t sizes[] = {
        i8259_state_size, i8254_state_size, mc146818_state_size, ns16550_state_size,
        chardev_state_size, i8042_state_size, ps2_kbd_state_size, ps2_mouse_state_size,
        ioapic_state_size, i8237_state_size, fdc_state_size, ide_state_size,
        pci_bus_state_size, sizeof(PCIDevice), i440fx_state_size, piix3_state_size,
        piix4_pm_state_size, fw_cfg_state_size, pc_ports_state_size, vmport_state_size,
        vga_state_size, cirrus_state_size, apic_state_size,
    };
    G_STATIC_ASSERT(G_N_ELEMENTS(t) == G_N_ELEMENTS(sizes));
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        GError *err = NULL;
        bool ok = vmstate_check_desc(t[i].d, sizes[i], &err);
        if (!ok) {
            fprintf(stderr, "\n  %s\n", err->message);
            g_error_free(err);
        }
        CU_ASSERT(ok);
        CU_ASSERT(t[i].d->version == 1 && t[i].d->min_version == 1);
        for (const VMStateField *f = t[i].d->fields; f->name; f++)
            CU_ASSERT_EQUAL(f->version, 1);
        /* the table ends up too small to hold its fields: refused */
        if (t[i].d->fields[0].name)
            CU_ASSERT_FALSE(vmstate_check_desc(t[i].d, t[i].d->fields[0].offset, NULL));
    }
}

/* every case registers exactly its sections, in a fixed order */
static void test_registration(void)
{
    for (size_t c = 0; c < G_N_ELEMENTS(dev_cases); c++) {
        const DevCase *dc = &dev_cases[c];
        Rig *r = rig_new();
        dc->build(r);
        gchar **want = g_strsplit(dc->sections, " ", -1);
        int n = (int)g_strv_length(want);
        CU_ASSERT_EQUAL(r->nregs, n);
        for (int i = 0; i < n && i < r->nregs; i++) {
            if (strcmp(r->regs[i].d->name, want[i]))
                fprintf(stderr, "\n  %s: section %d is %s, want %s\n", dc->name, i,
                        r->regs[i].d->name, want[i]);
            CU_ASSERT_STRING_EQUAL(r->regs[i].d->name, want[i]);
            CU_ASSERT_PTR_NOT_NULL(r->regs[i].s);
        }
        g_strfreev(want);
        rig_free(r);
    }
}

static void roundtrip(const DevCase *dc, const char *drop, bool *probes_equal)
{
    Rig *a = rig_new(), *b = rig_new();
    dc->build(a);
    dc->build(b);
    dc->drive(a);
    bool ok = transfer(a, b, drop);
    CU_ASSERT(ok);
    if (ok && !drop) {
        CU_ASSERT(same_streams(a, b));
        /* every timer a chip owns is in its table: the same ones pending */
        const Timer *ta = a->m->clock.head, *tb = b->m->clock.head;
        while (ta && tb && ta->deadline == tb->deadline) {
            ta = ta->next;
            tb = tb->next;
        }
        if (ta || tb)
            fprintf(stderr, "\n  %s: the pending timers differ after the load\n", dc->name);
        CU_ASSERT(!ta && !tb);
    }
    uint32_t va[PROBE_MAX], vb[PROBE_MAX];
    int na = dc->probe(a, va), nb = dc->probe(b, vb);
    g_assert(na <= PROBE_MAX && nb <= PROBE_MAX);
    bool eq = na == nb;
    for (int i = 0; i < na && eq; i++)
        if (va[i] != vb[i]) {
            if (!drop)
                fprintf(stderr, "\n  %s: read %d: %#x before, %#x after the load\n",
                        dc->name, i, va[i], vb[i]);
            eq = false;
        }
    *probes_equal = eq;
    rig_free(a);
    rig_free(b);
}

static void test_roundtrip(void)
{
    for (size_t c = 0; c < G_N_ELEMENTS(dev_cases); c++) {
        bool eq;
        roundtrip(&dev_cases[c], NULL, &eq);
        CU_ASSERT(eq);
    }
}

/* the comparison can fail: a field left out of the table shows in the reads */
static void test_missing_field_is_seen(void)
{
    for (size_t c = 0; c < G_N_ELEMENTS(dev_cases); c++) {
        const DevCase *dc = &dev_cases[c];
        if (!dc->mutant)
            continue;
        bool eq = true;
        roundtrip(dc, dc->mutant, &eq);
        if (eq)
            fprintf(stderr, "\n  %s: leaving out '%s' goes unnoticed\n", dc->name, dc->mutant);
        CU_ASSERT_FALSE(eq);
    }
}

/* a load into a machine that runs already: the BARs move to where the
 * loaded config space says, the old mapping goes away */
static void pci_ide_build(Rig *r)
{
    GError *err = NULL;
    PCIBus *bus = pci_bus_new(&r->m->bus);
    g_assert(bus);
    r->dev[0] = ide_init(&r->m->bus, bus, &r->irq[14], &r->irq[15], NULL, &err);
    g_assert(r->dev[0]);
}

static void test_bars_move(void)
{
    Rig *a = rig_new(), *b = rig_new();
    pci_ide_build(a);
    pci_ide_build(b);
    CU_ASSERT_EQUAL(b->nregs, 3);               /* pci, pci-dev (piix3-ide), ide */
    int devfn = PCI_DEVFN(1, 1);
    cfg_wr(a, devfn, 0x20, 0xc001, 4);          /* BAR4: bus-master registers */
    cfg_wr(a, devfn, PCI_COMMAND, PCI_COMMAND_IO, 2);
    outb(a, 0xc002, 0x06);                      /* clear status bits */
    outl(a, 0xc004, 0x00012340);                /* PRD table */
    cfg_wr(b, devfn, 0x20, 0xd001, 4);          /* b runs with it elsewhere */
    cfg_wr(b, devfn, PCI_COMMAND, PCI_COMMAND_IO, 2);
    CU_ASSERT_EQUAL(inb(b, 0xc004), 0xff);
    CU_ASSERT(transfer(a, b, NULL));
    CU_ASSERT_EQUAL(ioport_read(b->m->io, 0xc004, 4), 0x00012340);
    CU_ASSERT_EQUAL(inb(b, 0xc002), inb(a, 0xc002));
    CU_ASSERT_EQUAL(inb(b, 0xd004), 0xff);      /* the old range is free */
    CU_ASSERT_EQUAL(cfg_rd(b, devfn, 0x20, 4), 0xc001);
    rig_free(a);
    rig_free(b);
}

/* offset of the data of top-level field `name` in a payload, its length */
static size_t field_data(const GByteArray *p, const char *name, uint32_t *len, size_t *hdr)
{
    VMSReader r = { p->data, p->data + p->len, false };
    uint32_t n = vms_get_u32(&r);
    for (uint32_t i = 0; i < n; i++) {
        size_t at = (size_t)(r.p - p->data);
        char buf[256];
        vms_get_str(&r, buf);
        vms_get_u8(&r);
        vms_get_u32(&r);
        vms_get_u32(&r);
        uint32_t l = vms_get_u32(&r);
        size_t data = (size_t)(r.p - p->data);
        vms_get_bytes(&r, l);
        if (!strcmp(buf, name)) {
            *len = l;
            if (hdr)
                *hdr = at;
            return data;
        }
    }
    g_assert_not_reached();
}

static bool load_checked(const VMStateDesc *d, void *s, const uint8_t *data, size_t len,
                         GError **err)
{
    return vmstate_load(d, s, d->version, data, len, false, d->name, err) &&
           vmstate_load(d, s, d->version, data, len, true, d->name, err) &&
           (!d->post_load || d->post_load(s, d->version, err));
}

static void test_corrupt_streams(void)
{
    Rig *a = rig_new(), *b = rig_new();
    uart_build(a);
    uart_build(b);
    uart_drive(a);
    const VMStateDesc *d = a->regs[0].d;
    CU_ASSERT_STRING_EQUAL(d->name, "ns16550");
    GByteArray *s = g_byte_array_new();
    vmstate_save(d, a->regs[0].s, s);
    GError *err = NULL;

    /* cut short anywhere */
    for (guint n = 0; n < s->len; n++) {
        CU_ASSERT_FALSE(vmstate_load(d, b->regs[0].s, 1, s->data, n, false, "ns16550", &err));
        CU_ASSERT_PTR_NOT_NULL(err);
        g_clear_error(&err);
    }
    /* a renamed field */
    GByteArray *c = g_byte_array_new();
    g_byte_array_append(c, s->data, s->len);
    size_t hdr;
    uint32_t len;
    field_data(c, "divisor", &len, &hdr);
    c->data[hdr + 1] = 'D';
    CU_ASSERT_FALSE(vmstate_load(d, b->regs[0].s, 1, c->data, c->len, false, "ns16550", &err));
    CU_ASSERT(err && strstr(err->message, "Divisor"));
    g_clear_error(&err);
    /* a wrong element size */
    memcpy(c->data, s->data, s->len);
    field_data(c, "divisor", &len, &hdr);
    c->data[hdr + 1 + 7 + 1] = 4;               /* name "divisor", type, elem_size */
    CU_ASSERT_FALSE(vmstate_load(d, b->regs[0].s, 1, c->data, c->len, false, "ns16550", &err));
    CU_ASSERT(err && strstr(err->message, "divisor"));
    g_clear_error(&err);
    /* a newer version, an unknown one */
    CU_ASSERT_FALSE(vmstate_load(d, b->regs[0].s, 2, s->data, s->len, false, "ns16550", &err));
    g_clear_error(&err);
    /* an index out of its FIFO: loads, post_load refuses */
    memcpy(c->data, s->data, s->len);
    size_t at = field_data(c, "rx_head", &len, NULL);
    CU_ASSERT_EQUAL(len, 4);
    c->data[at] = 200;
    CU_ASSERT_FALSE(load_checked(d, b->regs[0].s, c->data, c->len, &err));
    CU_ASSERT(err && strstr(err->message, "FIFO"));
    g_clear_error(&err);
    g_byte_array_free(c, TRUE);
    g_byte_array_free(s, TRUE);
    rig_free(a);
    rig_free(b);
}

/* every single-byte change of every section is refused, or loads into a
 * device that still answers its reads (sections over 64 KiB, VRAM and the
 * IDE buffers, are changed at every 16th of their first 2 KiB; over
 * 1 MiB not at all) */
static void test_fuzz_sections(void)
{
    unsigned accepted = 0;
    for (size_t ci = 0; ci < G_N_ELEMENTS(dev_cases); ci++) {
        const DevCase *dc = &dev_cases[ci];
        Rig *a = rig_new(), *b = rig_new();
        dc->build(a);
        dc->build(b);
        dc->drive(a);
        for (int i = 0; i < a->nregs; i++) {
            const VMStateDesc *d = a->regs[i].d;
            GByteArray *s = g_byte_array_new();
            vmstate_save(d, a->regs[i].s, s);
            if (s->len > (1u << 20)) {
                g_byte_array_free(s, TRUE);
                continue;
            }
            guint limit = s->len > 65536 ? 2048 : s->len, step = s->len > 65536 ? 16 : 1;
            uint8_t *c = g_memdup2(s->data, s->len);
            for (guint k = 0; k < limit; k += step) {
                static const uint8_t deltas[] = { 0x01, 0x80, 0xff };
                for (size_t j = 0; j < G_N_ELEMENTS(deltas); j++) {
                    c[k] = s->data[k] ^ deltas[j];
                    GError *err = NULL;
                    if (load_checked(d, b->regs[i].s, c, s->len, &err)) {
                        uint32_t v[PROBE_MAX];
                        dc->probe(b, v);
                        accepted++;
                    } else {
                        CU_ASSERT_PTR_NOT_NULL(err);
                    }
                    g_clear_error(&err);
                }
                c[k] = s->data[k];
            }
            g_free(c);
            g_byte_array_free(s, TRUE);
        }
        rig_free(a);
        rig_free(b);
    }
    CU_ASSERT(accepted > 1000);         /* most changes are values: they load */
}

void register_vmstate_dev_tests(void)
{
    CU_pSuite s = CU_add_suite("vmstate_dev", NULL, NULL);
    CU_add_test(s, "tables are well formed", test_tables);
    CU_add_test(s, "every device registers its sections", test_registration);
    CU_add_test(s, "save, load, save again: same bytes, same reads", test_roundtrip);
    CU_add_test(s, "a field left out is seen", test_missing_field_is_seen);
    CU_add_test(s, "a load moves the PCI BARs", test_bars_move);
    CU_add_test(s, "corrupt streams are refused", test_corrupt_streams);
    CU_add_test(s, "single-byte corruptions do not crash", test_fuzz_sections);
}
