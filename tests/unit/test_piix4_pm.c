/*
 * test_piix4_pm.c - unit tests for the PIIX4 ACPI PM function
 * (src/devices/piix4_pm.c): PM I/O mapping through config space, the PM
 * timer against a manual clock, TMR_STS and the SCI, S5 power-off, the
 * APM control port.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/piix4_pm.h"

static int sci_level;

static void isa_irq(void *opaque, int n, int level)
{
    if (n == 9)
        sci_level = level;
}

static void cfg_write(Machine *m, int reg, uint32_t v, int size)
{
    ioport_write(m->io, 0xcf8, 0x80000000u | PCI_DEVFN(1, 3) << 8 | (reg & 0xfc), 4);
    ioport_write(m->io, (uint16_t)(0xcfc + (reg & 3)), v, size);
}

static void test_pm(void)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(1u << 20, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    clock_init(&m->clock, true);
    IrqLine sci;
    irq_line_init(&sci, isa_irq, NULL, PIIX4_PM_SCI_IRQ);
    PCIBus *bus = pci_bus_new(&m->bus);
    PIIX4PMState *s = piix4_pm_init(&m->bus, bus, &sci, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    sci_level = 0;

    CU_ASSERT_EQUAL(ioport_read(m->io, 0x608, 4), 0xffffffffu);   /* not mapped yet */
    cfg_write(m, 0x40, 0x601, 4);
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x608, 4), 0xffffffffu);   /* PMREGMISC off */
    cfg_write(m, 0x80, 1, 1);
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x608, 4), 0);

    /* the timer: 3579545 Hz */
    static const struct { int64_t ns; uint32_t ticks; } times[] = {
        { 1000000000, 3579545 }, { 1000, 3579548 }, { 3000000000ll, 14318183 & 0xffffff },
    };
    int64_t now = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++) {
        clock_advance(&m->clock, times[i].ns);
        now += times[i].ns;
        CU_ASSERT_EQUAL(ioport_read(m->io, 0x608, 4), times[i].ticks);
    }
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x60a, 1), (times[2].ticks >> 16) & 0xff);
    /* TMR_EN: the bit-23 change sets TMR_STS and raises the SCI */
    ioport_write(m->io, 0x602, 0x0001, 2);
    CU_ASSERT_EQUAL(sci_level, 0);
    clock_advance(&m->clock, 2400000000ll);           /* > 2^23 ticks */
    clock_run_timers(&m->clock);
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x600, 2) & 1, 1);
    CU_ASSERT_EQUAL(sci_level, 1);
    ioport_write(m->io, 0x600, 0x0001, 2);            /* write 1 to clear */
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x600, 2) & 1, 0);
    CU_ASSERT_EQUAL(sci_level, 0);
    ioport_write(m->io, 0x602, 0, 2);
    /* APM: ACPI enable sets SCI_EN */
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x604, 2) & 1, 0);
    ioport_write(m->io, 0xb2, 0xf1, 1);
    CU_ASSERT_EQUAL(ioport_read(m->io, 0x604, 2) & 1, 1);
    /* SMM reported as set up (DEVACTB APMC_EN) */
    ioport_write(m->io, 0xcf8, 0x80000000u | PCI_DEVFN(1, 3) << 8 | 0x58, 4);
    CU_ASSERT_EQUAL(ioport_read(m->io, 0xcfc, 4) & (1u << 25), 1u << 25);
    /* S3 is ignored; S5 (SLP_TYP 0) powers off with status 0 */
    ioport_write(m->io, 0x604, 0x0001 | 1 << 10 | 1 << 13, 2);
    CU_ASSERT_FALSE(m->shutdown_requested);
    ioport_write(m->io, 0x604, 0x0001, 2);
    CU_ASSERT_FALSE(m->shutdown_requested);
    ioport_write(m->io, 0x605, 0x20, 1);              /* byte write of SLP_EN */
    CU_ASSERT_TRUE(m->shutdown_requested);
    CU_ASSERT_EQUAL(m->exit_status, 0);
    machine_free(m);
}

void register_piix4_pm_tests(void)
{
    CU_pSuite s = CU_add_suite("piix4_pm", NULL, NULL);
    CU_add_test(s, "PM registers, timer, SCI, S5", test_pm);
}
