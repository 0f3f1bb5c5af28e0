/*
 * i8259.c - two Intel 8259A programmable interrupt controllers as wired in
 * a PC/AT: the master at 0x20/0x21 drives the CPU's INTR pin, the slave at
 * 0xA0/0xA1 drives the master's IR2 (ISA IRQ 8-15), and the PIIX3's edge/
 * level control registers ELCR1/ELCR2 (0x4D0/0x4D1) choose the trigger
 * mode of each input.
 *
 * Follows the Intel 8259A datasheet (order 231468-003): initialization
 * words ICW1-ICW4, operation words OCW1 (mask), OCW2 (EOI, specific EOI,
 * rotation, set priority), OCW3 (IRR/ISR read select, poll, special mask
 * mode); fully nested and special fully nested modes; auto-EOI with
 * optional rotation; the INTA sequence with the spurious IR7 vector when a
 * request went away before it.  The ELCR follows the Intel 82371SB (PIIX3)
 * datasheet, 4.1.5: bits for IRQ 0, 1, 2, 8 and 13 are fixed at edge.
 *
 * Model: each chip keeps IRR/ISR/IMR and the input levels.  An edge input
 * sets its IRR bit on a rising edge and keeps it until acknowledged; a
 * level input's IRR bit follows the line.  The slave's INT output is a
 * level input to the master's IR2.  After every change the chips'
 * outputs are recomputed and the master's drives the output IrqLine.
 *
 * Departures: the 8080/8085 mode (ICW4 bit 0 clear) and buffered mode are
 * accepted and ignored (always 8086 vectors); ICW1's LTIM is ignored, as
 * on the PIIX3 (ELCR decides); the cascade is fixed at IR2 whatever ICW3
 * says.
 */
#include <glib.h>
#include "bus/buses.h"
#include "devices/i8259.h"
#include "util/log.h"

#define PIC_CASCADE_IR 2

typedef struct PicChip {
    uint8_t irr, isr, imr;
    uint8_t level;          /* input pin levels */
    uint8_t elcr;           /* 1 = level triggered */
    uint8_t elcr_mask;      /* writable ELCR bits */
    uint8_t vector_base;    /* ICW2 & 0xF8 */
    uint8_t icw3;
    uint8_t priority_add;   /* IR with the highest priority */
    uint8_t init_step;      /* 0 = operating; 2, 3, 4: next ICW expected */
    bool icw4_needed, single;
    bool read_isr;          /* OCW3 RR/RIS: ISR (else IRR) on port reads */
    bool poll;              /* OCW3 P: the next read is a poll */
    bool special_mask;
    bool auto_eoi, rotate_on_aeoi, sfnm;
    bool is_master;
} PicChip;

struct I8259State {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    PicChip chip[2];        /* 0 = master, 1 = slave */
    IrqLine *output;        /* master INT: CPU INTR or the APIC's LINT0 */
    bool out_level;
};

/* saved state (bus/vmstate.h): both chips' registers, input levels and
 * initialization progress, and the level the master drives */
static const VMStateField pic_chip_fields[] = {
    VMS_U8(PicChip, irr, 1),
    VMS_U8(PicChip, isr, 1),
    VMS_U8(PicChip, imr, 1),
    VMS_U8(PicChip, level, 1),
    VMS_U8(PicChip, elcr, 1),
    VMS_U8(PicChip, vector_base, 1),
    VMS_U8(PicChip, icw3, 1),
    VMS_U8(PicChip, priority_add, 1),
    VMS_U8(PicChip, init_step, 1),
    VMS_BOOL(PicChip, icw4_needed, 1),
    VMS_BOOL(PicChip, single, 1),
    VMS_BOOL(PicChip, read_isr, 1),
    VMS_BOOL(PicChip, poll, 1),
    VMS_BOOL(PicChip, special_mask, 1),
    VMS_BOOL(PicChip, auto_eoi, 1),
    VMS_BOOL(PicChip, rotate_on_aeoi, 1),
    VMS_BOOL(PicChip, sfnm, 1),
    VMS_END
};
static const VMStateDesc pic_chip_vmsd = { "i8259-chip", 1, 1, pic_chip_fields };

static bool pic_post_load(void *opaque, int version, GError **errp)
{
    I8259State *s = opaque;
    for (int i = 0; i < 2; i++) {
        PicChip *c = &s->chip[i];
        if (c->priority_add > 7 || c->init_step > 4) {
            g_set_error(errp, VMSTATE_ERROR, 0, "i8259: chip %d: priority %u or "
                        "initialization step %u out of range", i, c->priority_add,
                        c->init_step);
            return false;
        }
        c->elcr &= c->elcr_mask;        /* the fixed-edge bits stay edge */
    }
    return true;
}

static const VMStateField pic_fields[] = {
    VMS_STRUCT_ARRAY(I8259State, chip, pic_chip_vmsd, 1),
    VMS_BOOL(I8259State, out_level, 1),
    VMS_END
};
const VMStateDesc i8259_vmsd = { .name = "i8259", .version = 1, .min_version = 1,
                                 .fields = pic_fields, .post_load = pic_post_load };
const size_t i8259_state_size = sizeof(I8259State);

/* priority rank of the highest-priority bit of mask, 8 if none */
static int pic_priority(const PicChip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    int p = 0;
    while (!(mask & (1u << ((p + c->priority_add) & 7))))
        p++;
    return p;
}

/* IR the chip would present at INTA, or -1 */
static int pic_pending_irq(const PicChip *c)
{
    uint8_t req = c->irr & ~c->imr;
    if (c->special_mask) {
        /* all unmasked levels not in service are enabled (datasheet, SMM) */
        req &= ~c->isr;
        int p = pic_priority(c, req);
        return p == 8 ? -1 : (p + c->priority_add) & 7;
    }
    int p = pic_priority(c, req);
    if (p == 8)
        return -1;
    uint8_t isr = c->isr;
    if (c->sfnm && c->is_master)
        isr &= ~(1u << PIC_CASCADE_IR);   /* the slave may nest above itself */
    if (p < pic_priority(c, isr))
        return (p + c->priority_add) & 7;
    return -1;
}

/* recompute the slave's output into master IR2, then the master's output */
static void pic_update(I8259State *s)
{
    PicChip *ms = &s->chip[0], *sl = &s->chip[1];
    bool slave_out = pic_pending_irq(sl) >= 0;
    uint8_t bit = 1u << PIC_CASCADE_IR;
    if (slave_out) {
        ms->level |= bit;
        ms->irr |= bit;
    } else {
        ms->level &= ~bit;
        ms->irr &= ~bit;
    }
    bool out = pic_pending_irq(ms) >= 0;
    if (out != s->out_level) {
        s->out_level = out;
        irq_set(s->output, out);
    }
}

static void pic_chip_input(PicChip *c, int ir, int level)
{
    uint8_t bit = 1u << ir;
    if (c->elcr & bit) {
        if (level)
            c->irr |= bit;
        else
            c->irr &= ~bit;
    } else if (level && !(c->level & bit)) {
        c->irr |= bit;                   /* rising edge */
    }
    if (level)
        c->level |= bit;
    else
        c->level &= ~bit;
}

void i8259_set_irq(void *opaque, int pin, int level)
{
    I8259State *s = opaque;
    if (pin < 0 || pin > 15 || pin == PIC_CASCADE_IR)
        return;                          /* IRQ2 is the cascade: not an input */
    pic_chip_input(&s->chip[pin >> 3], pin & 7, level != 0);
    pic_update(s);
}

/* the chip takes IR ir into service (INTA or poll) */
static void pic_chip_ack(PicChip *c, int ir)
{
    uint8_t bit = 1u << ir;
    bool cascade = c->is_master && ir == PIC_CASCADE_IR;
    if (!(c->elcr & bit) && !cascade)
        c->irr &= ~bit;
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi)
            c->priority_add = (ir + 1) & 7;
    } else {
        c->isr |= bit;
    }
}

int i8259_ack(I8259State *s)
{
    PicChip *ms = &s->chip[0], *sl = &s->chip[1];
    int vector;
    int irq = pic_pending_irq(ms);
    if (irq < 0) {
        vector = ms->vector_base | 7;           /* spurious IRQ7 */
    } else {
        pic_chip_ack(ms, irq);
        if (irq == PIC_CASCADE_IR) {
            int sirq = pic_pending_irq(sl);
            if (sirq < 0) {
                vector = sl->vector_base | 7;   /* spurious IRQ15 */
            } else {
                pic_chip_ack(sl, sirq);
                vector = sl->vector_base | sirq;
            }
        } else {
            vector = ms->vector_base | irq;
        }
    }
    pic_update(s);
    if (log_enabled(LOG_INT))
        log_printf("i8259: INTA -> vector %#x\n", vector);
    return vector;
}

int i8259_irq_ack(void *opaque)
{
    return i8259_ack(opaque);
}

/* OCW3 poll: the read acts as an INTA; bit 7 = request, bits 2:0 = IR */
static uint8_t pic_poll_read(I8259State *s, PicChip *c)
{
    c->poll = false;
    int irq = pic_pending_irq(c);
    if (irq < 0)
        return 0;
    pic_chip_ack(c, irq);
    pic_update(s);
    return 0x80 | irq;
}

/* the in-service IR with the highest priority (for non-specific EOI) */
static int pic_highest_isr(const PicChip *c)
{
    int p = pic_priority(c, c->isr);
    return p == 8 ? -1 : (p + c->priority_add) & 7;
}

static void pic_write_ocw2(PicChip *c, uint8_t v)
{
    int level = v & 7;
    int ir;
    switch (v >> 5) {
    case 0: c->rotate_on_aeoi = false; break;   /* clear rotate in AEOI */
    case 4: c->rotate_on_aeoi = true; break;    /* set rotate in AEOI */
    case 1:                                     /* non-specific EOI */
    case 5:                                     /* rotate on non-specific EOI */
        ir = pic_highest_isr(c);
        if (ir >= 0) {
            c->isr &= ~(1u << ir);
            if (v >> 5 == 5)
                c->priority_add = (ir + 1) & 7;
        }
        break;
    case 3:                                     /* specific EOI */
        c->isr &= ~(1u << level);
        break;
    case 7:                                     /* rotate on specific EOI */
        c->isr &= ~(1u << level);
        c->priority_add = (level + 1) & 7;
        break;
    case 6:                                     /* set priority: level lowest */
        c->priority_add = (level + 1) & 7;
        break;
    default:                                    /* 2: no operation */
        break;
    }
}

static void pic_chip_reset(PicChip *c)
{
    c->irr = c->elcr & c->level;    /* edge sense reset: edges must come anew */
    c->isr = 0;
    c->imr = 0;
    c->priority_add = 0;
    c->init_step = 0;
    c->icw4_needed = false;
    c->single = false;
    c->read_isr = false;
    c->poll = false;
    c->special_mask = false;
    c->auto_eoi = false;
    c->rotate_on_aeoi = false;
    c->sfnm = false;
}

static void pic_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    I8259State *s = opaque;
    PicChip *c = &s->chip[(port & 0x80) ? 1 : 0];
    uint8_t v = (uint8_t)value;

    if (log_enabled(LOG_IOPORT))
        log_printf("i8259: write %#x <- %#04x\n", port, v);
    if (!(port & 1)) {
        if (v & 0x10) {                             /* ICW1 */
            pic_chip_reset(c);                      /* keeps ELCR, levels, ICW2 */
            c->icw4_needed = v & 1;
            c->single = (v & 2) != 0;
            c->init_step = 2;
        } else if (v & 0x08) {                      /* OCW3 */
            if (v & 0x04)
                c->poll = true;
            if (v & 0x02)
                c->read_isr = v & 1;
            if (v & 0x40)
                c->special_mask = (v & 0x20) != 0;
        } else {                                    /* OCW2 */
            pic_write_ocw2(c, v);
        }
    } else {
        switch (c->init_step) {
        case 2:                                     /* ICW2 */
            c->vector_base = v & 0xf8;
            c->init_step = !c->single ? 3 : c->icw4_needed ? 4 : 0;
            break;
        case 3:                                     /* ICW3 */
            c->icw3 = v;
            c->init_step = c->icw4_needed ? 4 : 0;
            break;
        case 4:                                     /* ICW4 */
            c->auto_eoi = (v & 2) != 0;
            c->sfnm = (v & 0x10) != 0;
            if (!(v & 1) && log_enabled(LOG_UNIMP))
                log_printf("i8259: 8080/8085 mode not emulated (8086 vectors used)\n");
            c->init_step = 0;
            break;
        default:                                    /* OCW1 */
            c->imr = v;
            break;
        }
    }
    pic_update(s);
}

static uint32_t pic_read(void *opaque, uint16_t port, int size)
{
    I8259State *s = opaque;
    PicChip *c = &s->chip[(port & 0x80) ? 1 : 0];
    uint8_t v;
    if (c->poll)
        v = pic_poll_read(s, c);
    else if (port & 1)
        v = c->imr;
    else
        v = c->read_isr ? c->isr : c->irr;
    if (log_enabled(LOG_IOPORT))
        log_printf("i8259: read %#x -> %#04x\n", port, v);
    return v;
}

static uint32_t pic_elcr_read(void *opaque, uint16_t port, int size)
{
    I8259State *s = opaque;
    return s->chip[port & 1].elcr;
}

static void pic_elcr_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    I8259State *s = opaque;
    PicChip *c = &s->chip[port & 1];
    c->elcr = (uint8_t)value & c->elcr_mask;
    /* level inputs: IRR follows the line from now on */
    c->irr = (c->irr & ~c->elcr) | (c->level & c->elcr);
    pic_update(s);
}

static const IOPortOps pic_ops = {
    .read = pic_read,
    .write = pic_write,
    .sizes = IO_SIZE_8,
};

static const IOPortOps pic_elcr_ops = {
    .read = pic_elcr_read,
    .write = pic_elcr_write,
    .sizes = IO_SIZE_8,
};

void i8259_reset(I8259State *s)
{
    for (int i = 0; i < 2; i++) {
        PicChip *c = &s->chip[i];
        pic_chip_reset(c);
        c->vector_base = 0;
        c->icw3 = 0;
        c->elcr = 0;
        c->irr = 0;     /* input levels are kept: devices lower them */
    }
    pic_update(s);      /* recomputes the cascade input */
}

void i8259_free(I8259State *s)
{
    g_free(s);
}

void i8259_set_output(I8259State *s, IrqLine *output)
{
    s->output = output;
    irq_set(s->output, s->out_level);
}

bool i8259_output_level(const I8259State *s)
{
    return s->out_level;
}

I8259State *i8259_init(const Buses *b, IrqLine *output)
{
    I8259State *s = g_new0(I8259State, 1);
    s->buses = *b;
    s->output = output;
    s->chip[0].is_master = true;
    s->chip[0].elcr_mask = 0xf8;        /* IRQ 0, 1, 2 always edge */
    s->chip[1].elcr_mask = 0xde;        /* IRQ 8, 13 always edge */
    i8259_reset(s);
    ioport_register(b->io, 0x20, 2, &pic_ops, s, "i8259-master");
    ioport_register(b->io, 0xa0, 2, &pic_ops, s, "i8259-slave");
    ioport_register(b->io, 0x4d0, 2, &pic_elcr_ops, s, "elcr");
    host_register_device(b->host, s, (void (*)(void *))i8259_free,
                            (void (*)(void *))i8259_reset);
    host_register_state(b->host, &i8259_vmsd, s);
    return s;
}
