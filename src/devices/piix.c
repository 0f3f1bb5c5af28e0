/*
 * piix.c - PIIX3 function 0: the PCI-to-ISA bridge 00:01.0 (8086:7000).
 * Reference: Intel 82371FB (PIIX) and 82371SB (PIIX3) PCI ISA IDE
 * Xcelerator datasheet, order no. 290550: 2.2 PCI configuration registers
 * (PIRQRC[A:D] 0x60-0x63, TOM 0x69, MBIRQ 0x70-0x71, XBCS 0x4E), 4.2
 * (PCI interrupt steering).
 *
 * PIRQ routing: PCI functions drive their INTx pin (pci.c ORs them per
 * PIRQ A-D after the i440FX swizzle).  PIRQRCn bit 7 set disables the
 * route; otherwise bits 3:0 name the ISA IRQ (3-7, 9-12, 14, 15 are
 * legal).  Several PIRQs may share an ISA IRQ: the line is the OR.  The
 * ISA IRQ lines are the board's (given to piix3_init; pc.c fans them out to
 * the i8259 and the IOAPIC); the PIRQ itself also leaves the chip on the
 * pirq_out lines, which the board wires to IOAPIC pins 16-19 (pc.h) for
 * guests that route PCI interrupts there.  The ELCR (level-triggered PCI
 * IRQs) is the i8259's (ports 0x4D0/0x4D1, i8259.c); SeaBIOS programs both.
 * Not emulated: the motherboard DMA and IRQ registers beyond storage,
 * deterministic latency, the ISA clock divisor (stored only).
 */
#include <string.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "devices/piix.h"

struct PIIX3State {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    IrqLine *isa_irq;             /* ISA IRQ 0-15 (16 lines), NULL = none */
    IrqLine *pirq_out;            /* PIRQ A-D as they leave the chip (4 lines), NULL = none */
    PCIDevice *dev;
    int pirq_level[4];            /* wired-OR level of PIRQ A-D */
    int isa_level[16];            /* what we drive on each ISA IRQ */
};

/* saved state (bus/vmstate.h): the PIRQ input levels as this chip saw
 * them and the ISA IRQ levels it drives; the routing registers (PIRQRC)
 * are configuration space, saved by "pci-dev" */
static bool piix3_post_load(void *opaque, int version, GError **errp)
{
    PIIX3State *s = opaque;
    for (int i = 0; i < 16; i++)
        if ((unsigned)s->isa_level[i] > 1 || (i < 4 && (unsigned)s->pirq_level[i] > 1)) {
            g_set_error(errp, VMSTATE_ERROR, 0, "piix3: IRQ level %d is not 0 or 1", i);
            return false;
        }
    return true;
}

static const VMStateField piix3_fields[] = {
    VMS_INT_ARRAY(PIIX3State, pirq_level, 1),
    VMS_INT_ARRAY(PIIX3State, isa_level, 1),
    VMS_END
};
const VMStateDesc piix3_vmsd = { .name = "piix3", .version = 1, .min_version = 1,
                                 .fields = piix3_fields, .post_load = piix3_post_load };
const size_t piix3_state_size = sizeof(PIIX3State);

int piix3_pirq_to_isa(PIIX3State *s, int pirq)
{
    uint8_t r = s->dev->config[PIIX_PIRQRC + (pirq & 3)];
    if (r & 0x80)
        return -1;
    r &= 0x0f;
    /* 0-2, 8 and 13 are reserved encodings */
    if (r < 3 || r == 8 || r == 13)
        return -1;
    return r;
}

/* recompute the ISA IRQ levels from the PIRQ levels and the routing */
static void piix3_update(PIIX3State *s)
{
    int want[16] = { 0 };
    for (int p = 0; p < 4; p++) {
        int irq = piix3_pirq_to_isa(s, p);
        if (irq >= 0 && s->pirq_level[p])
            want[irq] = 1;
    }
    for (int i = 0; i < 16; i++) {
        if (want[i] == s->isa_level[i])
            continue;
        s->isa_level[i] = want[i];
        if (s->isa_irq)
            irq_set(&s->isa_irq[i], want[i]);
    }
}

static void piix3_route(void *opaque, int pirq, int level)
{
    PIIX3State *s = opaque;
    s->pirq_level[pirq & 3] = level;
    piix3_update(s);
    if (s->pirq_out)
        irq_set(&s->pirq_out[pirq & 3], level);
}

static void piix3_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int size)
{
    if (addr <= PIIX_PIRQRC + 3 && addr + (uint32_t)size > PIIX_PIRQRC)
        piix3_update(d->opaque);
}

static const PCIDeviceOps piix3_pci_ops = { .config_write = piix3_config_write };

static void piix3_reset(void *opaque)
{
    PIIX3State *s = opaque;
    uint8_t *c = s->dev->config;
    c[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    c[PCI_STATUS] = 0x00;
    c[PCI_STATUS + 1] = 0x02;                 /* DEVSEL medium */
    c[0x4c] = 0x4d;                           /* IORT */
    c[0x4e] = 0x03;                           /* XBCS: BIOS decode */
    c[0x4f] = 0x00;
    memset(&c[PIIX_PIRQRC], 0x80, 4);         /* all routes disabled */
    c[0x69] = 0x02;                           /* TOM: 1 MiB */
    c[0x6a] = 0x00;                           /* MSTAT */
    c[0x70] = 0x80;                           /* MBIRQ0 disabled */
    c[0x71] = 0x80;
    c[0x76] = 0x0c;                           /* MBDMA0/1 */
    c[0x77] = 0x0c;
    c[0x78] = 0x02;                           /* PCSC */
    c[0x79] = 0x00;
    c[0x80] = 0x00;                           /* APICBASE */
    c[0x82] = 0x00;                           /* DLC */
    c[0xa0] = 0x08;                           /* SMICNTL */
    c[0xa2] = c[0xa3] = 0x00;
    c[0xa4] = c[0xa5] = c[0xa6] = c[0xa7] = 0x00;
    c[0xa8] = 0x0f;
    c[0xaa] = c[0xab] = 0x00;
    c[0xac] = 0x00;
    c[0xae] = 0x00;
    piix3_update(s);
}

static void piix3_free(void *opaque)
{
    g_free(opaque);
}

PIIX3State *piix3_init(const Buses *b, PCIBus *bus, IrqLine isa_irq[16], IrqLine pirq_out[4],
                       GError **errp)
{
    PIIX3State *s = g_new0(PIIX3State, 1);
    s->buses = *b;
    s->isa_irq = isa_irq;
    s->pirq_out = pirq_out;
    s->dev = pci_register_function(bus, PCI_DEVFN(PIIX_SLOT, 0), "piix3", 0x8086, 0x7000,
                                   0x00, 0x060100, &piix3_pci_ops, s, errp);
    if (!s->dev) {
        g_free(s);
        return NULL;
    }
    s->dev->config[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_MULTI_FUNCTION;
    pci_bus_set_router(bus, piix3_route, s);
    piix3_reset(s);
    host_register_device(b->host, s, piix3_free, piix3_reset);
    host_register_state(b->host, &piix3_vmsd, s);
    return s;
}
