/*
 * test_pci.c - unit tests for the PCI bus (src/devices/pci.c), the i440FX
 * host bridge's PAM shadow-RAM routing (i440fx.c) and the PIIX3's PIRQ
 * routing (piix.c), on a RAM-only machine, through ports 0xCF8/0xCFC as
 * the guest sees them.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/i440fx.h"
#include "devices/piix.h"

typedef struct Fixture {
    Machine *m;
    PCIBus *bus;
    IrqLine isa_irq[16];          /* the ISA IRQ lines the PIIX3 drives */
    int isa_level[16];
    uint8_t regs[16];             /* the test device's I/O and MMIO registers */
} Fixture;

static void isa_irq_set(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    f->isa_level[n] = level;
}

static bool fixture_init(Fixture *f, bool with_rom)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(f, 0, sizeof(*f));
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 2u << 20;
    cfg.backend = BACKEND_INTERP;
    f->m = machine_new(&cfg, &err);
    if (!f->m) {
        g_clear_error(&err);
        return false;
    }
    clock_init(&f->m->clock, true);
    for (int i = 0; i < 16; i++)
        irq_line_init(&f->isa_irq[i], isa_irq_set, f, i);
    if (with_rom) {                          /* a fake BIOS at 0xE0000 */
        static uint8_t rom[0x20000];
        memset(rom, 0xb1, sizeof(rom));
        physmem_add_rom(f->m->mem, 0xe0000, rom, sizeof(rom));
    }
    f->bus = pci_bus_new(&f->m->bus);
    return f->bus != NULL;
}

static uint32_t cfg_read(Fixture *f, int devfn, int reg, int size)
{
    ioport_write(f->m->io, 0xcf8, 0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc), 4);
    return ioport_read(f->m->io, (uint16_t)(0xcfc + (reg & 3)), size);
}

static void cfg_write(Fixture *f, int devfn, int reg, uint32_t v, int size)
{
    ioport_write(f->m->io, 0xcf8, 0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc), 4);
    ioport_write(f->m->io, (uint16_t)(0xcfc + (reg & 3)), v, size);
}

/* the test device: 16 byte registers behind an I/O BAR and a memory BAR */
static uint32_t dev_io_read(void *opaque, uint16_t off, int size)
{
    Fixture *f = opaque;
    return off < 16 ? f->regs[off] : 0xff;
}

static void dev_io_write(void *opaque, uint16_t off, uint32_t v, int size)
{
    Fixture *f = opaque;
    if (off < 16)
        f->regs[off] = (uint8_t)v;
}

static uint32_t dev_mem_read(void *opaque, uint32_t off, int size)
{
    return dev_io_read(opaque, (uint16_t)(off & 15), size);
}

static void dev_mem_write(void *opaque, uint32_t off, uint32_t v, int size)
{
    dev_io_write(opaque, (uint16_t)(off & 15), v, size);
}

static const IOPortOps dev_io_ops = { .read = dev_io_read, .write = dev_io_write,
                                      .sizes = IO_SIZE_8 };
static const MemOps dev_mem_ops = { .read = dev_mem_read, .write = dev_mem_write };

/* config space header and mechanism #1 details */
static void test_config_space(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, false));
    PCIDevice *d = pci_register_function(f.bus, PCI_DEVFN(3, 0), "test", 0x1234, 0x5678, 0x07,
                                         0x0c0330, NULL, &f, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(pci_register_function(f.bus, PCI_DEVFN(3, 0), "dup", 1, 2, 0, 0,
                                             NULL, NULL, &err));
    CU_ASSERT(err && !strcmp(err->message, "dup: PCI 00:03.0 is taken"));
    g_clear_error(&err);
    static const struct { int reg, size; uint32_t want; } reads[] = {
        { 0x00, 4, 0x56781234 }, { 0x00, 2, 0x1234 }, { 0x02, 2, 0x5678 }, { 0x03, 1, 0x56 },
        { 0x08, 4, 0x0c033007 }, { 0x0b, 1, 0x0c }, { 0x2c, 4, 0x11001af4 },
        { 0x10, 4, 0 }, { 0x3c, 2, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(reads); i++)
        CU_ASSERT_EQUAL(cfg_read(&f, PCI_DEVFN(3, 0), reads[i].reg, reads[i].size),
                        reads[i].want);
    /* empty slot, bus 1, enable bit clear: all ones */
    CU_ASSERT_EQUAL(cfg_read(&f, PCI_DEVFN(4, 0), 0, 4), 0xffffffffu);
    ioport_write(f.m->io, 0xcf8, 0x80010000u, 4);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xcfc, 4), 0xffffffffu);
    ioport_write(f.m->io, 0xcf8, 0x00001800u, 4);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xcfc, 4), 0xffffffffu);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xcf8, 4), 0x00001800u);
    /* IDs are read-only, interrupt line is writable, device space too */
    cfg_write(&f, PCI_DEVFN(3, 0), 0x00, 0xffffffff, 4);
    CU_ASSERT_EQUAL(cfg_read(&f, PCI_DEVFN(3, 0), 0, 4), 0x56781234);
    cfg_write(&f, PCI_DEVFN(3, 0), 0x3c, 11, 1);
    CU_ASSERT_EQUAL(cfg_read(&f, PCI_DEVFN(3, 0), 0x3c, 1), 11);
    cfg_write(&f, PCI_DEVFN(3, 0), 0x40, 0xdeadbeef, 4);
    CU_ASSERT_EQUAL(cfg_read(&f, PCI_DEVFN(3, 0), 0x42, 2), 0xdead);
    /* status bits are write-1-to-clear */
    d->config[PCI_STATUS + 1] = 0x20;
    cfg_write(&f, PCI_DEVFN(3, 0), 0x06, 0x2000, 2);
    CU_ASSERT_EQUAL(d->config[PCI_STATUS + 1], 0);
    machine_free(f.m);
}

/* BAR sizing, mapping on COMMAND, moving, ROM BAR */
static void test_bars(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, false));
    int df = PCI_DEVFN(5, 0);
    PCIDevice *d = pci_register_function(f.bus, df, "test", 0x1234, 1, 0, 0xff0000, NULL, &f, NULL);
    pci_register_io_bar(d, 0, 16, &dev_io_ops, &f, "test-io");
    pci_register_mem_bar(d, 1, 0x1000, 0, &dev_mem_ops, &f, "test-mmio");
    static uint8_t rom[3000];
    memset(rom, 0x5a, sizeof(rom));
    pci_set_rom(d, rom, sizeof(rom));

    static const struct { int reg; uint32_t want; } sizing[] = {
        { 0x10, 0xfffffff1 }, { 0x14, 0xfffff000 }, { 0x18, 0 }, { 0x30, 0xfffff001 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sizing); i++) {
        cfg_write(&f, df, sizing[i].reg, 0xffffffff, 4);
        CU_ASSERT_EQUAL(cfg_read(&f, df, sizing[i].reg, 4), sizing[i].want);
    }
    /* sizing pattern with decoding on must not map anything */
    cfg_write(&f, df, 0x10, 0xc001, 4);
    cfg_write(&f, df, 0x14, 0xfebff000, 4);
    cfg_write(&f, df, 0x30, 0xfebe0001, 4);
    CU_ASSERT_EQUAL(pci_bar_base(d, 0), PCI_BAR_UNMAPPED);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xc003, 1), 0xff);
    f.regs[3] = 0x42;
    cfg_write(&f, df, 0x04, PCI_COMMAND_IO, 2);
    CU_ASSERT_EQUAL(pci_bar_base(d, 0), 0xc000);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xc003, 1), 0x42);
    CU_ASSERT_EQUAL(physmem_read(f.m->mem, 0xfebff003, 1), 0xff);   /* memory off */
    cfg_write(&f, df, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    CU_ASSERT_EQUAL(physmem_read(f.m->mem, 0xfebff003, 1), 0x42);
    physmem_write(f.m->mem, 0xfebff004, 0x77, 1);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xc004, 1), 0x77);
    CU_ASSERT_EQUAL(physmem_read(f.m->mem, 0xfebe0000, 4), 0x5a5a5a5a);   /* ROM */
    CU_ASSERT_EQUAL(physmem_read(f.m->mem, 0xfebe0c00, 1), 0xff);         /* past image */
    /* move the I/O BAR: the old ports go away */
    cfg_write(&f, df, 0x10, 0xd000, 4);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xc003, 1), 0xff);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xd003, 1), 0x42);
    /* ROM enable bit off, memory decoding off */
    cfg_write(&f, df, 0x30, 0xfebe0000, 4);
    CU_ASSERT_EQUAL(physmem_read(f.m->mem, 0xfebe0000, 1), 0xff);
    cfg_write(&f, df, 0x04, 0, 2);
    CU_ASSERT_EQUAL(physmem_read(f.m->mem, 0xfebff003, 1), 0xff);
    CU_ASSERT_EQUAL(ioport_read(f.m->io, 0xd003, 1), 0xff);
    machine_free(f.m);
}

/* PAM: each nibble routes a segment between the ROM/PCI side and RAM */
static void test_pam(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, true));
    f.m->mem->ram[0xf0010] = 0x11;               /* DRAM under the BIOS */
    f.m->mem->ram[0xc4000] = 0x22;
    GError *err = NULL;
    I440FXState *s = i440fx_init(&f.m->bus, f.bus, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    PhysMem *pm = f.m->mem;
    static const struct { int reg; uint8_t val; uint32_t addr; uint8_t read; uint8_t write_back;
                          uint8_t ram_after; } steps[] = {
        /* reset: F segment reads ROM, writes dropped; C segment reads all ones */
        { -1, 0, 0xf0010, 0xb1, 0xb1, 0x11 },
        { -1, 0, 0xc4000, 0xff, 0xff, 0x22 },
        /* PAM0 = 0x30: RAM read/write */
        { 0x59, 0x30, 0xf0010, 0x11, 0x33, 0x33 },
        /* PAM0 = 0x10: read-only RAM */
        { 0x59, 0x10, 0xf0010, 0x33, 0x33, 0x33 },
        /* PAM0 = 0x20: reads ROM, writes RAM */
        { 0x59, 0x20, 0xf0010, 0xb1, 0xb1, 0x44 },
        /* PAM1 high nibble = 0xC4000 */
        { 0x5a, 0x30, 0xc4000, 0x22, 0x55, 0x55 },
        { 0x5a, 0x03, 0xc4000, 0xff, 0xff, 0x55 },
        { 0x5a, 0x03, 0xc0000, 0x00, 0x66, 0x66 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        uint8_t val = i == 4 ? 0x44 : i == 5 ? 0x55 : i == 7 ? 0x66 : 0x33;
        if (steps[i].reg >= 0)
            cfg_write(&f, 0, steps[i].reg, steps[i].val, 1);
        CU_ASSERT_EQUAL(physmem_read(pm, steps[i].addr, 1), steps[i].read);
        physmem_write(pm, steps[i].addr, val, 1);
        CU_ASSERT_EQUAL(physmem_read(pm, steps[i].addr, 1), steps[i].write_back);
        CU_ASSERT_EQUAL(pm->ram[steps[i].addr], steps[i].ram_after);
    }
    CU_ASSERT_EQUAL(i440fx_pam_mode(s, 0xc0000), 3);
    CU_ASSERT_EQUAL(cfg_read(&f, 0, 0x00, 4), 0x12378086);
    CU_ASSERT_EQUAL(cfg_read(&f, 0, 0x72, 1), 0x02);
    /* reset: back to ROM */
    machine_reset(f.m);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xf0010, 1), 0xb1);
    machine_free(f.m);
}

/* PIRQ routing: slot swizzle, PIRQRC, sharing, INTx disable */
static void test_pirq(void)
{
    Fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, false));
    GError *err = NULL;
    IrqLine pirq[4];                             /* PIRQ A-D out (no handler: levels only) */
    for (int i = 0; i < 4; i++)
        irq_line_init(&pirq[i], NULL, NULL, i);
    PIIX3State *p = piix3_init(&f.m->bus, f.bus, f.isa_irq, pirq, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(cfg_read(&f, PCI_DEVFN(1, 0), 0x00, 4), 0x70008086);
    CU_ASSERT_EQUAL(cfg_read(&f, PCI_DEVFN(1, 0), 0x60, 4), 0x80808080);
    PCIDevice *a = pci_register_function(f.bus, PCI_DEVFN(3, 0), "a", 1, 1, 0, 0, NULL, NULL, NULL);
    PCIDevice *b = pci_register_function(f.bus, PCI_DEVFN(4, 0), "b", 1, 2, 0, 0, NULL, NULL, NULL);
    a->config[PCI_INTERRUPT_PIN] = 1;            /* slot 3 INTA -> PIRQC */
    b->config[PCI_INTERRUPT_PIN] = 4;            /* slot 4 INTD -> PIRQB... (4+4-2)&3 = 2 */
    CU_ASSERT_EQUAL(pci_irq_pirq(a), 2);
    CU_ASSERT_EQUAL(pci_irq_pirq(b), 2);
    pci_set_irq(a, 1);
    CU_ASSERT_EQUAL(f.isa_level[11], 0);         /* route disabled */
    CU_ASSERT_EQUAL(pirq[2].level, 1);           /* the PIRQ itself (IOAPIC pin 18) */
    cfg_write(&f, PCI_DEVFN(1, 0), 0x62, 11, 1); /* PIRQC -> IRQ 11 */
    CU_ASSERT_EQUAL(f.isa_level[11], 1);
    pci_set_irq(b, 1);
    pci_set_irq(a, 0);
    CU_ASSERT_EQUAL(f.isa_level[11], 1);         /* b still holds the shared line */
    cfg_write(&f, PCI_DEVFN(4, 0), 0x04, PCI_COMMAND_INTX_DISABLE, 2);
    CU_ASSERT_EQUAL(f.isa_level[11], 0);
    cfg_write(&f, PCI_DEVFN(4, 0), 0x04, 0, 2);
    CU_ASSERT_EQUAL(f.isa_level[11], 1);
    cfg_write(&f, PCI_DEVFN(1, 0), 0x62, 10, 1); /* re-route */
    CU_ASSERT_EQUAL(f.isa_level[11], 0);
    CU_ASSERT_EQUAL(f.isa_level[10], 1);
    CU_ASSERT_EQUAL(piix3_pirq_to_isa(p, 2), 10);
    pci_set_irq(b, 0);
    CU_ASSERT_EQUAL(f.isa_level[10], 0);
    CU_ASSERT_EQUAL(pirq[2].level, 0);
    machine_free(f.m);
}

void register_pci_tests(void)
{
    CU_pSuite s = CU_add_suite("pci", NULL, NULL);
    CU_add_test(s, "config space and mechanism #1", test_config_space);
    CU_add_test(s, "BAR sizing and mapping", test_bars);
    CU_add_test(s, "i440FX PAM routing", test_pam);
    CU_add_test(s, "PIIX3 PIRQ routing", test_pirq);
}
