/*
 * ioapic.c - Intel 82093AA I/O Advanced Programmable Interrupt Controller.
 *
 * Reference: Intel 82093AA I/O APIC datasheet (order 290566-001, 1996),
 * sections 3.0 "Register description" and 2.4 "Interrupt signals".
 *
 * Memory-mapped at 0xFEC00000 (the address SeaBIOS's MP table and the
 * ACPI MADT advertise, with I/O APIC ID 0):
 *   +0x00 IOREGSEL  (8 bits used)    selects the register IOWIN shows
 *   +0x10 IOWIN     32-bit window
 * Registers: 0x00 IOAPICID (bits 27:24), 0x01 IOAPICVER 0x00170011 (24
 * entries, version 0x11), 0x02 IOAPICARB (arbitration ID = the ID),
 * 0x10 + 2n / 0x11 + 2n redirection table entry n (n = 0..23):
 *   7:0 vector  10:8 delivery mode (fixed, lowest, SMI, NMI, INIT, ExtINT)
 *   11 destination mode (0 physical, 1 logical)  12 delivery status (RO)
 *   13 polarity  14 remote IRR (RO)  15 trigger mode (1 level)  16 mask
 *   63:56 destination
 * Entries reset masked.
 *
 * Pins: an edge-triggered pin sends one message per rising edge; edges
 * on a masked pin are lost (datasheet, mask bit).  A level-triggered pin
 * sends a message when asserted and sets remote IRR; while remote IRR is
 * set nothing more is sent; the local APIC's EOI for that vector clears
 * it and, if the pin is still asserted (and unmasked), a new message goes
 * out.  Unmasking an asserted level-triggered pin sends the message.
 *
 * Departures: messages are delivered at once, so delivery status always
 * reads 0; the polarity bit is kept but not applied (our devices drive
 * their lines active-high, and the firmware tables say so); there is no
 * EOI register (that came with version 0x20).
 */
#include "bus/buses.h"
#include "devices/ioapic.h"
#include "util/log.h"

#define RTE_MASKED     (1ull << 16)
#define RTE_LEVEL      (1ull << 15)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_STATUS     (1ull << 12)
#define RTE_LOGICAL    (1ull << 11)
#define RTE_RO_BITS    (RTE_REMOTE_IRR | RTE_STATUS)
/* writable: vector, mode, dest mode, polarity, trigger, mask, destination */
#define RTE_WRITABLE   (0xff00000000000000ull | 0x1afffull)

struct IOAPICState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    uint32_t base;
    uint8_t regsel;               /* IOREGSEL */
    uint32_t id;                  /* IOAPICID (bits 27:24) */
    uint64_t rte[IOAPIC_NUM_PINS];
    uint32_t pin_level;           /* input pin levels, bit n = pin n */
    IOAPICDeliverFn deliver;
    void *deliver_opaque;
};

/* saved state (bus/vmstate.h): IOREGSEL, the ID, the redirection table
 * (remote IRR included) and the input pin levels as this chip saw them */
static const VMStateField ioapic_fields[] = {
    VMS_U8(IOAPICState, regsel, 1),
    VMS_U32(IOAPICState, id, 1),
    VMS_INT_ARRAY(IOAPICState, rte, 1),
    VMS_U32(IOAPICState, pin_level, 1),
    VMS_END
};
const VMStateDesc ioapic_vmsd = { .name = "ioapic", .version = 1, .min_version = 1,
                                  .fields = ioapic_fields };
const size_t ioapic_state_size = sizeof(IOAPICState);

static void ioapic_send(IOAPICState *s, int pin)
{
    uint64_t e = s->rte[pin];
    if (log_enabled(LOG_INT))
        log_printf("ioapic: pin %d -> vector %#x mode %d dest %#x%s\n", pin,
                   (unsigned)(e & 0xff), (int)((e >> 8) & 7), (unsigned)(e >> 56),
                   (e & RTE_LEVEL) ? " level" : "");
    if (s->deliver)
        s->deliver(s->deliver_opaque, (uint8_t)(e >> 56), (e & RTE_LOGICAL) != 0,
                   (int)((e >> 8) & 7), (int)(e & 0xff), (e & RTE_LEVEL) != 0);
}

/* a level-triggered pin that is asserted, unmasked and not waiting for
 * an EOI sends its message */
static void ioapic_service_level(IOAPICState *s, int pin)
{
    uint64_t *e = &s->rte[pin];
    if (!(*e & RTE_LEVEL) || (*e & (RTE_MASKED | RTE_REMOTE_IRR)) ||
        !(s->pin_level >> pin & 1))
        return;
    /* remote IRR counts only for fixed and lowest-priority messages */
    if (((*e >> 8) & 7) <= 1)
        *e |= RTE_REMOTE_IRR;
    ioapic_send(s, pin);
}

void ioapic_set_irq(void *ioapic, int pin, int level)
{
    IOAPICState *s = ioapic;
    if (pin < 0 || pin >= IOAPIC_NUM_PINS)
        return;
    uint32_t bit = 1u << pin;
    bool old = (s->pin_level & bit) != 0;
    if (level)
        s->pin_level |= bit;
    else
        s->pin_level &= ~bit;

    uint64_t e = s->rte[pin];
    if (e & RTE_LEVEL)
        ioapic_service_level(s, pin);
    else if (level && !old && !(e & RTE_MASKED))
        ioapic_send(s, pin);
}

void ioapic_eoi(void *ioapic, int vector)
{
    IOAPICState *s = ioapic;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t *e = &s->rte[pin];
        if ((*e & RTE_LEVEL) && (*e & RTE_REMOTE_IRR) && (int)(*e & 0xff) == vector) {
            *e &= ~RTE_REMOTE_IRR;
            ioapic_service_level(s, pin);
        }
    }
}

static uint32_t ioapic_reg_read(IOAPICState *s, uint8_t reg)
{
    switch (reg) {
    case 0x00: return s->id;
    case 0x01: return IOAPIC_VERSION_VALUE;
    case 0x02: return s->id;                    /* arbitration ID */
    default:
        if (reg >= 0x10 && reg < 0x10 + 2 * IOAPIC_NUM_PINS) {
            uint64_t e = s->rte[(reg - 0x10) >> 1];
            return (reg & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        return 0;
    }
}

static void ioapic_reg_write(IOAPICState *s, uint8_t reg, uint32_t v)
{
    if (reg == 0x00) {
        s->id = v & 0x0f000000u;
        return;
    }
    if (reg < 0x10 || reg >= 0x10 + 2 * IOAPIC_NUM_PINS) {
        if (log_enabled(LOG_UNIMP))
            log_printf("ioapic: write %#x to read-only/reserved register %#x\n", v, reg);
        return;
    }
    int pin = (reg - 0x10) >> 1;
    uint64_t *e = &s->rte[pin];
    uint64_t n = (reg & 1) ? ((uint64_t)v << 32) | (uint32_t)*e
                           : (*e & 0xffffffff00000000ull) | v;
    n = (n & RTE_WRITABLE) | (*e & RTE_RO_BITS);
    if (!(n & RTE_LEVEL))
        n &= ~RTE_REMOTE_IRR;                   /* meaningless for edge pins */
    *e = n;
    ioapic_service_level(s, pin);               /* unmasked while asserted */
}

static uint32_t ioapic_mem_read(void *opaque, uint32_t offset, int size)
{
    IOAPICState *s = opaque;
    switch (offset & ~3u) {
    case 0x00: return (uint32_t)s->regsel >> ((offset & 3) * 8);
    case 0x10: return ioapic_reg_read(s, s->regsel) >> ((offset & 3) * 8);
    default:   return 0;
    }
}

static void ioapic_mem_write(void *opaque, uint32_t offset, uint32_t value, int size)
{
    IOAPICState *s = opaque;
    if (offset == 0x00) {
        s->regsel = (uint8_t)value;
    } else if (offset == 0x10 && size == 4) {
        ioapic_reg_write(s, s->regsel, value);
    } else if (log_enabled(LOG_UNIMP)) {
        log_printf("ioapic: %d-byte write at offset %#x ignored\n", size, offset);
    }
}

static const MemOps ioapic_mem_ops = {
    .read = ioapic_mem_read,
    .write = ioapic_mem_write,
};

void ioapic_reset(IOAPICState *s)
{
    s->regsel = 0;
    s->id = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++)
        s->rte[i] = RTE_MASKED;
    /* pin levels are wires: they keep what the devices drive */
}

IOAPICState *ioapic_init(const Buses *b, uint32_t base, IOAPICDeliverFn deliver,
                         void *deliver_opaque, GError **errp)
{
    IOAPICState *s = g_new0(IOAPICState, 1);
    s->buses = *b;
    s->base = base;
    s->deliver = deliver;
    s->deliver_opaque = deliver_opaque;
    if (!physmem_add_mmio(b->mem, "ioapic", base, 0x1000, &ioapic_mem_ops, s)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "ioapic: cannot map the I/O APIC at %#x", base);
        g_free(s);
        return NULL;
    }
    ioapic_reset(s);
    host_register_state(b->host, &ioapic_vmsd, s);
    return s;
}

void ioapic_free(IOAPICState *s)
{
    g_free(s);
}
