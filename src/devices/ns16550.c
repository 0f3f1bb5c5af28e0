/*
 * ns16550.c - the NS16550A UART, one per PC COM port (COM1 0x3F8/IRQ4,
 * COM2 0x2F8/IRQ3, COM3 0x3E8/IRQ4, COM4 0x2E8/IRQ3; pc.c places them).
 *
 * Follows the National Semiconductor (TI) "PC16550D Universal Asynchronous
 * Receiver/Transmitter with FIFOs" datasheet:
 *   +0  RBR (read) / THR (write), DLL when LCR.DLAB
 *   +1  IER (low 4 bits), DLM when LCR.DLAB
 *   +2  IIR (read) / FCR (write)
 *   +3  LCR   +4 MCR   +5 LSR   +6 MSR   +7 SCR
 * Interrupts, highest priority first (IIR bits 3-1): receiver line status
 * (OE/PE/FE/BI, cleared by reading LSR), received data available (FIFO at
 * its trigger level 1/4/8/14, or a byte in RBR without FIFOs), character
 * timeout (FIFO not empty and no activity for 4 character times, a timer
 * on the virtual clock), THR empty (cleared by reading IIR or writing THR,
 * set again when enabled while THR is empty), modem status (MSR deltas,
 * cleared by reading MSR).  IIR bits 7-6 are 11 with FIFOs enabled.
 *
 * PC wiring: the INTR output reaches the ISA line only through MCR.OUT2
 * (the /OUT2 pin gates a buffer on the PC/AT); in loopback mode the modem
 * output pins are forced inactive, so interrupts then work inside the chip
 * (IIR) but do not reach the PIC.  Loopback connects DTR->DSR, RTS->CTS,
 * OUT1->RI, OUT2->DCD and THR->RBR; outside loopback the host end shows
 * CTS, DSR and DCD asserted (a null-modem cable to a live terminal).
 *
 * Transmission completes at once (THRE and TEMT stay set, the transmit
 * FIFO is always empty); that is what Linux's 8250 driver probes for
 * ("ttyS0 ... is a 16550A"): IER reads back its low nibble, loopback MSR,
 * IIR FIFO bits, THRE re-asserted whenever ETBEI is enabled.  Break and
 * parity/framing errors are not generated.
 */
#include <stdio.h>
#include <string.h>
#include "bus/buses.h"
#include "devices/ns16550.h"
#include "util/log.h"

#define UART_FIFO_SIZE 16

/* IER */
#define IER_ERBFI 0x01     /* received data available */
#define IER_ETBEI 0x02     /* THR empty */
#define IER_ELSI  0x04     /* receiver line status */
#define IER_EDSSI 0x08     /* modem status */
/* IIR */
#define IIR_NO_INT  0x01
#define IIR_RLS     0x06
#define IIR_RDA     0x04
#define IIR_CTI     0x0c
#define IIR_THRE    0x02
#define IIR_MSI     0x00
#define IIR_FIFO    0xc0
/* FCR */
#define FCR_ENABLE  0x01
#define FCR_RX_RST  0x02
#define FCR_TX_RST  0x04
/* LCR */
#define LCR_DLAB    0x80
/* MCR */
#define MCR_DTR     0x01
#define MCR_RTS     0x02
#define MCR_OUT1    0x04
#define MCR_OUT2    0x08
#define MCR_LOOP    0x10
/* LSR */
#define LSR_DR      0x01
#define LSR_OE      0x02
#define LSR_PE      0x04
#define LSR_FE      0x08
#define LSR_BI      0x10
#define LSR_THRE    0x20
#define LSR_TEMT    0x40
#define LSR_ERRS    (LSR_OE | LSR_PE | LSR_FE | LSR_BI)
/* MSR */
#define MSR_DCTS    0x01
#define MSR_DDSR    0x02
#define MSR_TERI    0x04
#define MSR_DDCD    0x08
#define MSR_CTS     0x10
#define MSR_DSR     0x20
#define MSR_RI      0x40
#define MSR_DCD     0x80
#define MSR_HOST_LINES (MSR_CTS | MSR_DSR | MSR_DCD)

struct NS16550State {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    IrqLine *irq;
    CharDev *chr;
    uint16_t base;
    uint16_t divisor;             /* DLM:DLL */
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    uint8_t rx_fifo[UART_FIFO_SIZE];
    unsigned rx_head, rx_count;   /* ring buffer; capacity 1 without FIFOs */
    bool thr_ipending;            /* THRE interrupt pending */
    bool timeout_ipending;        /* character timeout pending */
    bool irq_level;               /* what we drive on the ISA line (COM1/COM3 share IRQ4) */
    Timer *timeout_timer;
};

/* saved state (bus/vmstate.h): the registers, the receive FIFO and its
 * indices, the pending interrupt causes, the level driven and the
 * character-timeout timer.  The back end (chr) is the host's. */
static bool uart_post_load(void *opaque, int version, GError **errp)
{
    NS16550State *s = opaque;
    unsigned cap = (s->fcr & FCR_ENABLE) ? UART_FIFO_SIZE : 1;
    if (s->rx_head >= UART_FIFO_SIZE || s->rx_count > cap) {
        g_set_error(errp, VMSTATE_ERROR, 0, "ns16550: receive FIFO head %u, count %u out "
                    "of range (capacity %u)", s->rx_head, s->rx_count, cap);
        return false;
    }
    return true;
}

static const VMStateField uart_fields[] = {
    VMS_U16(NS16550State, divisor, 1),
    VMS_U8(NS16550State, ier, 1),
    VMS_U8(NS16550State, lcr, 1),
    VMS_U8(NS16550State, mcr, 1),
    VMS_U8(NS16550State, lsr, 1),
    VMS_U8(NS16550State, msr, 1),
    VMS_U8(NS16550State, scr, 1),
    VMS_U8(NS16550State, fcr, 1),
    VMS_BYTES(NS16550State, rx_fifo, 1),
    VMS_U32(NS16550State, rx_head, 1),
    VMS_U32(NS16550State, rx_count, 1),
    VMS_BOOL(NS16550State, thr_ipending, 1),
    VMS_BOOL(NS16550State, timeout_ipending, 1),
    VMS_BOOL(NS16550State, irq_level, 1),
    VMS_TIMER(NS16550State, timeout_timer, 1),
    VMS_END
};
const VMStateDesc ns16550_vmsd = { .name = "ns16550", .version = 1, .min_version = 1,
                                   .fields = uart_fields, .post_load = uart_post_load };
const size_t ns16550_state_size = sizeof(NS16550State);

static const uint8_t uart_trigger_levels[4] = { 1, 4, 8, 14 };

static unsigned uart_rx_capacity(const NS16550State *s)
{
    return (s->fcr & FCR_ENABLE) ? UART_FIFO_SIZE : 1;
}

/* one character time in virtual ns: start + data + parity + stop bits */
static int64_t uart_char_ns(const NS16550State *s)
{
    unsigned bits = 1 + 5 + (s->lcr & 3) + ((s->lcr & 0x08) ? 1 : 0) + ((s->lcr & 0x04) ? 2 : 1);
    uint32_t div = s->divisor ? s->divisor : 0x10000;
    return (int64_t)bits * 16 * div * 1000000000ll / NS16550_CLOCK_HZ;
}

static uint8_t uart_iir(const NS16550State *s)
{
    uint8_t id;
    if ((s->ier & IER_ELSI) && (s->lsr & LSR_ERRS))
        id = IIR_RLS;
    else if ((s->ier & IER_ERBFI) &&
             ((s->fcr & FCR_ENABLE)
                  ? s->rx_count >= uart_trigger_levels[s->fcr >> 6]
                  : s->rx_count > 0))
        id = IIR_RDA;
    else if ((s->ier & IER_ERBFI) && s->timeout_ipending)
        id = IIR_CTI;
    else if ((s->ier & IER_ETBEI) && s->thr_ipending)
        id = IIR_THRE;
    else if ((s->ier & IER_EDSSI) && (s->msr & 0x0f))
        id = IIR_MSI;
    else
        id = IIR_NO_INT;
    return id | ((s->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
}

static void uart_update_irq(NS16550State *s)
{
    bool intr = !(uart_iir(s) & IIR_NO_INT);
    bool pin = intr && (s->mcr & MCR_OUT2) && !(s->mcr & MCR_LOOP);
    if (pin != s->irq_level) {
        s->irq_level = pin;
        irq_set(s->irq, pin);
    }
}

/* the modem inputs as the chip sees them; sets the delta bits */
static void uart_update_msr(NS16550State *s)
{
    uint8_t lines;
    if (s->mcr & MCR_LOOP)
        lines = ((s->mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
                ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
    else
        lines = MSR_HOST_LINES;
    uint8_t old = s->msr & 0xf0, chg = old ^ lines;
    uint8_t delta = 0;
    if (chg & MSR_CTS)
        delta |= MSR_DCTS;
    if (chg & MSR_DSR)
        delta |= MSR_DDSR;
    if ((old & MSR_RI) && !(lines & MSR_RI))
        delta |= MSR_TERI;
    if (chg & MSR_DCD)
        delta |= MSR_DDCD;
    s->msr = lines | (s->msr & 0x0f) | delta;
}

/* restart the character-timeout clock (FIFO mode, data waiting) */
static void uart_rearm_timeout(NS16550State *s)
{
    if ((s->fcr & FCR_ENABLE) && s->rx_count)
        timer_mod(s->timeout_timer, clock_now(s->buses.clock) + 4 * uart_char_ns(s));
    else
        timer_del(s->timeout_timer);
}

static void uart_timeout(void *opaque)
{
    NS16550State *s = opaque;
    if ((s->fcr & FCR_ENABLE) && s->rx_count) {
        s->timeout_ipending = true;
        uart_update_irq(s);
    }
}

static void uart_rx_reset(NS16550State *s)
{
    s->rx_head = s->rx_count = 0;
    s->lsr &= ~LSR_DR;
    s->timeout_ipending = false;
    timer_del(s->timeout_timer);
}

/* a character arrives at the receiver (host end or loopback) */
static void uart_rx_byte(NS16550State *s, uint8_t b)
{
    unsigned cap = uart_rx_capacity(s);
    if (s->rx_count >= cap) {
        s->lsr |= LSR_OE;
        if (cap == 1)                           /* no FIFO: RBR is overwritten */
            s->rx_fifo[s->rx_head] = b;
        /* FIFO: the shift register is overwritten, the FIFO kept */
    } else {
        s->rx_fifo[(s->rx_head + s->rx_count) % UART_FIFO_SIZE] = b;
        s->rx_count++;
    }
    s->lsr |= LSR_DR;
    s->timeout_ipending = false;
    uart_rearm_timeout(s);
}

int ns16550_can_receive(void *opaque)
{
    NS16550State *s = opaque;
    if (s->mcr & MCR_LOOP)
        return 0;       /* the serial input is disconnected */
    return (int)(uart_rx_capacity(s) - s->rx_count);
}

void ns16550_receive(void *opaque, const uint8_t *buf, int len)
{
    NS16550State *s = opaque;
    if (s->mcr & MCR_LOOP)
        return;
    for (int i = 0; i < len; i++)
        uart_rx_byte(s, buf[i]);
    uart_update_irq(s);
}

static void uart_transmit(NS16550State *s, uint8_t b)
{
    s->thr_ipending = false;
    uart_update_irq(s);            /* writing THR clears the THRE interrupt */
    if (s->mcr & MCR_LOOP)
        uart_rx_byte(s, b);
    else if (s->chr)
        chardev_write(s->chr, &b, 1);
    /* sent at once: THR and the shift register are empty again */
    s->lsr |= LSR_THRE | LSR_TEMT;
    s->thr_ipending = true;
    uart_update_irq(s);
}

static uint32_t ns16550_read(void *opaque, uint16_t port, int size)
{
    NS16550State *s = opaque;
    unsigned reg = (port - s->base) & 7;
    uint8_t v;
    switch (reg) {
    case 0:
        if (s->lcr & LCR_DLAB)
            return s->divisor & 0xff;
        v = s->rx_fifo[s->rx_head];
        if (s->rx_count) {
            s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
            s->rx_count--;
        }
        if (!s->rx_count)
            s->lsr &= ~LSR_DR;
        s->timeout_ipending = false;
        uart_rearm_timeout(s);
        uart_update_irq(s);
        return v;
    case 1:
        if (s->lcr & LCR_DLAB)
            return s->divisor >> 8;
        return s->ier;
    case 2:
        v = uart_iir(s);
        if ((v & 0x0f) == IIR_THRE) {     /* reading IIR clears THRE */
            s->thr_ipending = false;
            uart_update_irq(s);
        }
        return v;
    case 3:
        return s->lcr;
    case 4:
        return s->mcr;
    case 5:
        v = s->lsr;
        if (s->lsr & LSR_ERRS) {
            s->lsr &= ~LSR_ERRS;
            uart_update_irq(s);
        }
        return v;
    case 6:
        v = s->msr;
        if (s->msr & 0x0f) {
            s->msr &= 0xf0;
            uart_update_irq(s);
        }
        return v;
    default:
        return s->scr;
    }
}

static void ns16550_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    NS16550State *s = opaque;
    unsigned reg = (port - s->base) & 7;
    uint8_t v = (uint8_t)value;
    switch (reg) {
    case 0:
        if (s->lcr & LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | v;
            uart_rearm_timeout(s);
        } else {
            uart_transmit(s, v);
        }
        return;
    case 1:
        if (s->lcr & LCR_DLAB) {
            s->divisor = (uint16_t)((s->divisor & 0x00ff) | (v << 8));
            uart_rearm_timeout(s);
            return;
        }
        v &= 0x0f;
        /* enabling ETBEI while THR is empty raises THRE again */
        if ((v & IER_ETBEI) && !(s->ier & IER_ETBEI) && (s->lsr & LSR_THRE))
            s->thr_ipending = true;
        s->ier = v;
        uart_update_irq(s);
        return;
    case 2:
        if ((v ^ s->fcr) & FCR_ENABLE) {  /* enabling or disabling clears both FIFOs */
            uart_rx_reset(s);
            v |= FCR_RX_RST | FCR_TX_RST;
        }
        if (v & FCR_RX_RST)
            uart_rx_reset(s);
        s->fcr = (v & FCR_ENABLE) ? (v & 0xc1) : 0;
        if (v & FCR_RX_RST)
            s->lsr &= ~LSR_DR;
        uart_update_irq(s);
        return;
    case 3:
        if ((v & 0x40) && !(s->lcr & 0x40) && log_enabled(LOG_UNIMP))
            log_printf("ns16550 %#x: break not emulated\n", s->base);
        s->lcr = v;
        uart_rearm_timeout(s);
        return;
    case 4:
        s->mcr = v & 0x1f;
        uart_update_msr(s);
        uart_update_irq(s);
        return;
    case 5:
    case 6:
        return;         /* LSR, MSR: factory test writes, ignored */
    default:
        s->scr = v;
        return;
    }
}

static const IOPortOps ns16550_ops = {
    .read = ns16550_read,
    .write = ns16550_write,
    .sizes = IO_SIZE_8,
};

void ns16550_reset(NS16550State *s)
{
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->fcr = 0;
    s->lsr = LSR_THRE | LSR_TEMT;
    s->thr_ipending = false;
    uart_rx_reset(s);
    s->msr = 0;
    uart_update_msr(s);
    s->msr &= 0xf0;                   /* no deltas after reset */
    /* DLL, DLM and SCR are not affected by a master reset */
    uart_update_irq(s);
}

NS16550State *ns16550_init(const Buses *b, uint16_t base, IrqLine *irq, CharDev *chr,
                           GError **errp)
{
    NS16550State *s = g_new0(NS16550State, 1);
    s->buses = *b;
    s->base = base;
    s->irq = irq;
    s->chr = chr;
    s->divisor = 12;                  /* 9600 baud until the firmware sets it */
    s->timeout_timer = timer_new(b->clock, uart_timeout, s);
    if (!ioport_register(b->io, base, 8, &ns16550_ops, s, "ns16550")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "serial port: ports %#x-%#x are already in use", base, base + 7);
        s->chr = NULL;                /* the caller still owns it */
        timer_free(s->timeout_timer);
        g_free(s);
        return NULL;
    }
    ns16550_reset(s);
    if (chr) {
        chardev_set_handlers(chr, ns16550_can_receive, ns16550_receive, s);
        chardev_set_guest_input(chr);  /* record and replay log it */
    }
    host_register_device(b->host, s, (void (*)(void *))ns16550_free,
                            (void (*)(void *))ns16550_reset);
    host_register_state(b->host, &ns16550_vmsd, s);
    if (chr)
        host_register_state(b->host, &chardev_vmsd, chr);  /* its pending input */
    return s;
}

void ns16550_free(NS16550State *s)
{
    if (!s)
        return;
    chardev_free(s->chr);
    timer_free(s->timeout_timer);
    g_free(s);
}

bool ns16550_create_com_ports(const Buses *b, IrqLine isa_irq[16],
                              const char *const spec[4], NS16550State *out[4], GError **errp)
{
    static const uint16_t base[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
    static const uint8_t irq[4] = { 4, 3, 4, 3 };
    bool stdio_used = false;
    for (int i = 0; i < 4; i++) {
        out[i] = NULL;
        if (!spec[i] || chardev_spec_is_none(spec[i]))
            continue;
        bool is_stdio = !strcmp(spec[i], "stdio") || !strcmp(spec[i], "mon:stdio");
        if (is_stdio && stdio_used) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "-serial stdio: only one serial port can use stdio");
            return false;
        }
        stdio_used |= is_stdio;
        char label[16];
        snprintf(label, sizeof(label), "serial%d", i);
        CharDev *chr = chardev_new(b, spec[i], label, errp);
        if (!chr)
            return false;
        out[i] = ns16550_init(b, base[i], &isa_irq[irq[i]], chr, errp);
        if (!out[i]) {
            chardev_free(chr);
            return false;
        }
    }
    return true;
}

CharDev *ns16550_chardev(NS16550State *s)
{
    return s->chr;
}
