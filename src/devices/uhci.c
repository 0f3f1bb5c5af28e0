/*
 * uhci.c - the PIIX3 USB host controller (uhci.h), per the Universal Host
 * Controller Interface design guide, revision 1.1 (chapter 2: registers;
 * chapter 3: frame list, transfer descriptors, queue heads; chapter 3.4:
 * the schedule walk) and the PIIX3 datasheet (PCI function 2: 8086:7020,
 * class 0C0300, USBBA in BAR 4, SBRN 0x60, LEGSUP 0xC0).
 *
 * Once per millisecond of virtual time, while USBCMD.RS is set, the frame
 * timer reads the frame list entry FRBASEADD + (FRNUM & 0x3FF) * 4 and
 * walks what it points at:
 *   - a TD (transfer descriptor) that is active is executed: its token
 *     goes to the device on an enabled root port with that address
 *     (usb.c), data moves between the device and the TD's buffer, and
 *     the TD's status is written back; then the walk follows its link;
 *   - a QH (queue head) executes the TD its element pointer names; when
 *     that TD completes the element pointer advances to the TD's link
 *     (and, with the TD's Vf bit, the same queue runs again: depth
 *     first), otherwise (NAK, error, short packet, inactive TD) the walk
 *     goes on to the QH's horizontal link (breadth first).
 * A TD that completes with IOC sets USBSTS.USBINT; an error (STALL, or
 * C_ERR counting down to zero after timeouts) sets USBERRINT; a short IN
 * packet with SPD in a queue leaves the queue where it is and sets
 * USBINT.  USBINTR selects which of these raise INTD.
 *
 * Bounds on what the guest can make us do: everything read from guest
 * memory goes through physmem_read_buf/physmem_write_buf, and an address
 * outside RAM is a host system error (USBSTS.HSE, the controller halts);
 * a TD longer than 1280 bytes or with an unknown PID is a process error
 * (HCPE, halt).  One frame visits at most UHCI_MAX_STEPS QHs and TDs, and
 * a QH met a second time without a TD completing in between ends the
 * frame: Linux closes its schedule into a ring (full-speed bandwidth
 * reclamation), and a malicious frame list may loop forever.  The first
 * frame cut by the step limit is logged (-d guest_errors).
 *
 * Not done: isochronous TDs are executed as their token says (no device
 * here has isochronous endpoints), low-speed devices, the root hub's
 * over-current and line status bits, FGR signalling, the SWDBG
 * single-step mode.
 */
#include <string.h>
#include "devices/uhci.h"
#include "util/log.h"

#define UHCI_FRAME_NS   1000000     /* 1 ms */
#define UHCI_MAX_PACKET 1280        /* the largest MaxLen a TD may carry (0x4FF + 1) */
#define UHCI_QH_SEEN    64          /* QHs remembered per frame to spot a ring */
#define UHCI_RET_TIMEOUT (-100)     /* no device answered the token */

typedef struct UHCIPort {
    uint16_t sc;                    /* PORTSC bits kept (CCS comes from dev) */
    USBDevice *dev;
} UHCIPort;

struct UHCIState {
    Buses bus;
    PCIDevice *pci;
    Timer *timer;
    int64_t next_frame;             /* virtual time of the next frame */
    uint16_t cmd, sts, intr, frnum;
    uint32_t flbase;
    uint8_t sofmod;
    uint8_t int_cause;              /* USBINT from: bit 0 IOC, bit 1 short packet */
    UHCIPort port[UHCI_PORTS];
    unsigned frames_cut;            /* frames stopped by the step limit or a ring */
    bool step_limit_logged;
};

/* saved state (bus/vmstate.h): the registers, the frame timer and the
 * time of the next frame, each root port's PORTSC bits.  The schedule's
 * progress (QH element pointers, TD status) is written back to guest
 * memory as each TD completes, so nothing of a walk is kept between
 * frames.  Not saved: which device is on which port (the machine's
 * configuration; each device saves its own state: usb_hid.c), the
 * frames_cut counter and its log flag (diagnostics). */
static const VMStateField uhci_port_fields[] = {
    VMS_U16(UHCIPort, sc, 1),
    VMS_END
};
static const VMStateDesc uhci_port_vmsd = { "uhci-port", 1, 1, uhci_port_fields };

static bool uhci_post_load(void *opaque, int version, GError **errp);

static const VMStateField uhci_fields[] = {
    VMS_U16(UHCIState, cmd, 1),
    VMS_U16(UHCIState, sts, 1),
    VMS_U16(UHCIState, intr, 1),
    VMS_U16(UHCIState, frnum, 1),
    VMS_U32(UHCIState, flbase, 1),
    VMS_U8(UHCIState, sofmod, 1),
    VMS_U8(UHCIState, int_cause, 1),
    VMS_STRUCT_ARRAY(UHCIState, port, uhci_port_vmsd, 1),
    VMS_I64(UHCIState, next_frame, 1),
    VMS_TIMER(UHCIState, timer, 1),
    VMS_END
};

const VMStateDesc uhci_vmsd = {
    .name = "uhci", .version = 1, .min_version = 1,
    .fields = uhci_fields, .post_load = uhci_post_load,
};
const size_t uhci_state_size = sizeof(UHCIState);  /* vmstate_check_desc (tests) */

/* ------------------------------------------------------------------ IRQ */

static void uhci_update_irq(UHCIState *s)
{
    bool level = ((s->sts & UHCI_STS_USBINT) &&
                  (((s->int_cause & 1) && (s->intr & UHCI_INTR_IOC)) ||
                   ((s->int_cause & 2) && (s->intr & UHCI_INTR_SP)))) ||
                 ((s->sts & UHCI_STS_USBERR) && (s->intr & UHCI_INTR_TOCRC)) ||
                 ((s->sts & UHCI_STS_RD) && (s->intr & UHCI_INTR_RESUME)) ||
                 (s->sts & (UHCI_STS_HSE | UHCI_STS_HCPE));
    pci_set_irq(s->pci, level);
}

/* ------------------------------------------------------------------ ports */

static uint16_t uhci_portsc(UHCIState *s, int i)
{
    UHCIPort *p = &s->port[i];
    return (uint16_t)(p->sc | UHCI_PORT_RSVD1 | (p->dev ? UHCI_PORT_CCS : 0));
}

static void uhci_port_write(UHCIState *s, int i, uint16_t val)
{
    UHCIPort *p = &s->port[i];
    const uint16_t rw = UHCI_PORT_PE | UHCI_PORT_RD | UHCI_PORT_PR | UHCI_PORT_SUSP;
    uint16_t old = p->sc;
    if ((val & UHCI_PORT_PR) != (old & UHCI_PORT_PR) && p->dev)
        usb_device_reset(p->dev);           /* start and end of the bus reset */
    p->sc = (uint16_t)((old & ~rw) | (val & rw));
    p->sc &= (uint16_t)~(val & (UHCI_PORT_CSC | UHCI_PORT_PEC));
    if (!p->dev)
        p->sc &= (uint16_t)~(UHCI_PORT_PE | UHCI_PORT_SUSP);
}

/* the device that answers to addr: on an enabled, awake port */
static USBDevice *uhci_find_device(UHCIState *s, int addr)
{
    for (int i = 0; i < UHCI_PORTS; i++) {
        UHCIPort *p = &s->port[i];
        if (p->dev && (p->sc & UHCI_PORT_PE) && !(p->sc & (UHCI_PORT_SUSP | UHCI_PORT_PR)) &&
            p->dev->addr == addr)
            return p->dev;
    }
    return NULL;
}

/* a device has data: resume detect if the bus or its port sleeps */
static void uhci_wakeup(void *opaque, USBDevice *d)
{
    UHCIState *s = opaque;
    for (int i = 0; i < UHCI_PORTS; i++) {
        UHCIPort *p = &s->port[i];
        if (p->dev != d || !d->remote_wakeup)
            continue;
        if (p->sc & UHCI_PORT_SUSP) {
            p->sc |= UHCI_PORT_RD;
            s->sts |= UHCI_STS_RD;
        } else if ((s->cmd & UHCI_CMD_EGSM) && !(s->cmd & UHCI_CMD_RS)) {
            s->sts |= UHCI_STS_RD;
        }
    }
    uhci_update_irq(s);
}

/* ------------------------------------------------------------------ schedule */

enum { TD_DONE, TD_NEXT, TD_HALT };     /* what the walk does after a TD */

static void uhci_halt(UHCIState *s, uint16_t why)
{
    s->sts |= why | UHCI_STS_HCH;
    s->cmd &= (uint16_t)~UHCI_CMD_RS;
    timer_del(s->timer);
    if (log_enabled(LOG_GUEST_ERRORS))
        log_printf("uhci: %s, controller halted\n",
                   why == UHCI_STS_HSE ? "schedule outside RAM (host system error)"
                                       : "invalid transfer descriptor (process error)");
}

static bool uhci_read32(UHCIState *s, uint32_t addr, uint32_t *v, int n)
{
    if (physmem_read_buf(s->bus.mem, addr, v, (size_t)n * 4)) {
        for (int i = 0; i < n; i++)
            v[i] = GUINT32_FROM_LE(v[i]);
        return true;
    }
    uhci_halt(s, UHCI_STS_HSE);
    return false;
}

static bool uhci_write32(UHCIState *s, uint32_t addr, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    if (physmem_write_buf(s->bus.mem, addr, &v, 4))
        return true;
    uhci_halt(s, UHCI_STS_HSE);
    return false;
}

/* a TD finished: with IOC, USBINT (its interrupt enabled by USBINTR.IOC) */
static void uhci_ioc(UHCIState *s, uint32_t ctrl)
{
    if (ctrl & UHCI_TD_IOC) {
        s->sts |= UHCI_STS_USBINT;
        s->int_cause |= 1;
    }
}

/* execute the active TD td[4] at addr (in_qh: a queue's element); returns
 * TD_DONE when it completed without error (the queue may advance), TD_NEXT
 * otherwise */
static int uhci_run_td(UHCIState *s, uint32_t addr, uint32_t td[4], bool in_qh)
{
    uint32_t ctrl = td[1], token = td[2], buf = td[3];
    int pid = token & 0xff, devaddr = (token >> 8) & 0x7f, ep = (token >> 15) & 0xf;
    int maxlen = (int)(((token >> 21) + 1) & 0x7ff);
    if (maxlen > UHCI_MAX_PACKET ||
        (pid != USB_TOKEN_SETUP && pid != USB_TOKEN_IN && pid != USB_TOKEN_OUT)) {
        uhci_halt(s, UHCI_STS_HCPE);
        return TD_HALT;
    }
    uint8_t data[UHCI_MAX_PACKET];
    USBDevice *dev = uhci_find_device(s, devaddr);
    int ret;
    if (!dev) {
        ret = UHCI_RET_TIMEOUT;                 /* no handshake */
    } else if (pid == USB_TOKEN_IN) {
        ret = usb_handle_packet(dev, pid, ep, data, maxlen);
        if (ret > maxlen)
            ret = USB_RET_BABBLE;
        if (ret > 0 && !physmem_write_buf(s->bus.mem, buf, data, (size_t)ret)) {
            uhci_halt(s, UHCI_STS_HSE);
            return TD_HALT;
        }
    } else {
        if (maxlen && !physmem_read_buf(s->bus.mem, buf, data, (size_t)maxlen)) {
            uhci_halt(s, UHCI_STS_HSE);
            return TD_HALT;
        }
        ret = usb_handle_packet(dev, pid, ep, data, maxlen);
    }
    if (ret == USB_RET_NAK)                     /* stays active, tried next frame */
        return TD_NEXT;

    int result = TD_NEXT;
    ctrl &= ~(0xffu << 16 | UHCI_TD_ACTLEN);    /* new status and length */
    ctrl |= UHCI_TD_ACTIVE;
    if (ret >= 0) {
        ctrl &= ~UHCI_TD_ACTIVE;
        ctrl |= (uint32_t)(ret - 1) & UHCI_TD_ACTLEN;
        uhci_ioc(s, ctrl);
        if (in_qh && pid == USB_TOKEN_IN && ret < maxlen && (ctrl & UHCI_TD_SPD)) {
            s->sts |= UHCI_STS_USBINT;          /* short packet: the queue stays */
            s->int_cause |= 2;
        } else {
            result = TD_DONE;
        }
    } else if (ret == USB_RET_STALL) {
        ctrl &= ~UHCI_TD_ACTIVE;
        ctrl |= UHCI_TD_STALLED;
        s->sts |= UHCI_STS_USBERR;
        uhci_ioc(s, ctrl);
    } else {                                    /* time-out or babble: count down */
        uint32_t cerr = (ctrl >> UHCI_TD_CERR_SHIFT) & 3;
        uint32_t bit = ret == USB_RET_BABBLE ? UHCI_TD_BABBLE : UHCI_TD_CRCTO;
        if (cerr) {
            cerr--;
            ctrl = (ctrl & ~(3u << UHCI_TD_CERR_SHIFT)) | cerr << UHCI_TD_CERR_SHIFT;
            if (!cerr) {
                ctrl &= ~UHCI_TD_ACTIVE;
                ctrl |= bit | UHCI_TD_STALLED;
                s->sts |= UHCI_STS_USBERR;
                uhci_ioc(s, ctrl);
            }
        }
        if (ctrl & UHCI_TD_ACTIVE)
            ctrl |= bit;                        /* still active: retried */
    }
    if (!uhci_write32(s, addr + 4, ctrl))
        return TD_HALT;
    return result;
}

static void uhci_step_limit(UHCIState *s, const char *why)
{
    s->frames_cut++;
    if (!s->step_limit_logged && log_enabled(LOG_GUEST_ERRORS)) {
        s->step_limit_logged = true;
        log_printf("uhci: frame %u: %s; the rest of the frame is skipped "
                   "(reported once)\n", s->frnum, why);
    }
}

/* walk the schedule of the current frame */
static void uhci_frame(UHCIState *s)
{
    uint32_t link;
    if (!uhci_read32(s, s->flbase + (s->frnum & 0x3ffu) * 4, &link, 1))
        return;
    uint32_t seen[UHCI_QH_SEEN];
    int nseen = 0;
    for (int steps = 0; !(link & UHCI_LINK_T); steps++) {
        if (steps >= UHCI_MAX_STEPS) {
            uhci_step_limit(s, "more than " G_STRINGIFY(UHCI_MAX_STEPS) " QHs and TDs");
            return;
        }
        uint32_t addr = link & ~0xfu;
        if (!(link & UHCI_LINK_Q)) {            /* a TD outside any queue */
            uint32_t td[4];
            if (!uhci_read32(s, addr, td, 4))
                return;
            if ((td[1] & UHCI_TD_ACTIVE)) {
                int r = uhci_run_td(s, addr, td, false);
                if (r == TD_HALT)
                    return;
                if (r == TD_DONE)
                    nseen = 0;                  /* progress */
            }
            link = td[0];
            continue;
        }
        /* a QH: met again without progress means the rest is a ring */
        for (int i = 0; i < nseen; i++)
            if (seen[i] == addr)
                return;                         /* the normal end of a ring (Linux FSBR) */
        if (nseen < UHCI_QH_SEEN)
            seen[nseen++] = addr;
        uint32_t qh[2];                         /* horizontal link, element */
        if (!uhci_read32(s, addr, qh, 2))
            return;
        uint32_t elem = qh[1];
        if (elem & UHCI_LINK_T) {
            link = qh[0];
            continue;
        }
        if (elem & UHCI_LINK_Q) {               /* a queue in a queue: go down */
            link = elem;
            continue;
        }
        uint32_t td[4], tdaddr = elem & ~0xfu;
        if (!uhci_read32(s, tdaddr, td, 4))
            return;
        if (!(td[1] & UHCI_TD_ACTIVE)) {        /* not ours to run: next queue */
            link = qh[0];
            continue;
        }
        int r = uhci_run_td(s, tdaddr, td, true);
        if (r == TD_HALT)
            return;
        if (r == TD_DONE) {
            nseen = 0;
            if (!uhci_write32(s, addr + 4, td[0]))   /* the queue advances */
                return;
            if ((td[0] & UHCI_LINK_VF) && !(td[0] & UHCI_LINK_T)) {
                link = addr | UHCI_LINK_Q;      /* depth first: this queue again */
                continue;
            }
        }
        link = qh[0];
    }
}

void uhci_run_frame(UHCIState *s)
{
    if (!(s->cmd & UHCI_CMD_RS))
        return;
    if (s->pci->config[PCI_COMMAND] & PCI_COMMAND_MASTER)
        uhci_frame(s);
    s->frnum = (s->frnum + 1) & 0x7ff;
    uhci_update_irq(s);
}

static void uhci_timer_cb(void *opaque)
{
    UHCIState *s = opaque;
    if (!(s->cmd & UHCI_CMD_RS))
        return;
    uhci_run_frame(s);
    if (!(s->cmd & UHCI_CMD_RS))
        return;                                 /* halted by an error */
    int64_t now = clock_now(s->bus.clock);
    s->next_frame += UHCI_FRAME_NS;
    if (s->next_frame < now - 100 * UHCI_FRAME_NS)  /* far behind (a stopped VM): catch up */
        s->next_frame = now;
    timer_mod(s->timer, s->next_frame);
}

/* ------------------------------------------------------------------ registers */

static void uhci_hc_reset(UHCIState *s)
{
    s->cmd = 0;
    s->sts = UHCI_STS_HCH;
    s->intr = 0;
    s->frnum = 0;
    s->flbase = 0;
    s->sofmod = 0x40;
    s->int_cause = 0;
    for (int i = 0; i < UHCI_PORTS; i++) {
        UHCIPort *p = &s->port[i];
        p->sc = p->dev ? UHCI_PORT_CSC : 0;     /* the device is seen anew */
        if (p->dev)
            usb_device_reset(p->dev);
    }
    if (s->timer)
        timer_del(s->timer);
    uhci_update_irq(s);
}

static void uhci_reset(void *opaque)
{
    uhci_hc_reset(opaque);
}

static uint16_t uhci_read16(UHCIState *s, uint32_t off)
{
    switch (off) {
    case UHCI_USBCMD:   return s->cmd;
    case UHCI_USBSTS:   return s->sts;
    case UHCI_USBINTR:  return s->intr;
    case UHCI_FRNUM:    return s->frnum;
    case UHCI_FRBASEADD: return (uint16_t)s->flbase;
    case UHCI_FRBASEADD + 2: return (uint16_t)(s->flbase >> 16);
    case UHCI_SOFMOD:   return s->sofmod;
    case UHCI_PORTSC1:  return uhci_portsc(s, 0);
    case UHCI_PORTSC2:  return uhci_portsc(s, 1);
    default:            return 0;               /* no more ports (Linux counts them) */
    }
}

static void uhci_write_cmd(UHCIState *s, uint16_t val)
{
    if (val & UHCI_CMD_HCRESET) {               /* self-clearing */
        uhci_hc_reset(s);
        return;
    }
    if ((val & UHCI_CMD_GRESET) && !(s->cmd & UHCI_CMD_GRESET)) {
        for (int i = 0; i < UHCI_PORTS; i++)    /* the bus reset every device sees */
            if (s->port[i].dev)
                usb_device_reset(s->port[i].dev);
    }
    bool was_running = s->cmd & UHCI_CMD_RS;
    s->cmd = val & 0xff;
    if ((s->cmd & UHCI_CMD_RS) && !was_running) {
        s->sts &= (uint16_t)~UHCI_STS_HCH;
        s->next_frame = clock_now(s->bus.clock) + UHCI_FRAME_NS;
        if (s->timer)
            timer_mod(s->timer, s->next_frame);
    } else if (!(s->cmd & UHCI_CMD_RS)) {
        s->sts |= UHCI_STS_HCH;
        if (s->timer)
            timer_del(s->timer);
    }
}

static void uhci_write16(UHCIState *s, uint32_t off, uint16_t val)
{
    switch (off) {
    case UHCI_USBCMD:
        uhci_write_cmd(s, val);
        break;
    case UHCI_USBSTS:                           /* write 1 to clear */
        s->sts &= (uint16_t)~(val & 0x1f);
        if (!(s->sts & UHCI_STS_USBINT))
            s->int_cause = 0;
        break;
    case UHCI_USBINTR:
        s->intr = val & 0xf;
        break;
    case UHCI_FRNUM:
        s->frnum = val & 0x7ff;
        break;
    case UHCI_FRBASEADD:
        s->flbase = (s->flbase & 0xffff0000u) | (val & 0xf000u);
        break;
    case UHCI_FRBASEADD + 2:
        s->flbase = (s->flbase & 0xffffu) | (uint32_t)val << 16;
        break;
    case UHCI_SOFMOD:
        s->sofmod = val & 0x7f;
        break;
    case UHCI_PORTSC1:
    case UHCI_PORTSC2:
        uhci_port_write(s, (int)(off - UHCI_PORTSC1) / 2, val);
        break;
    default:
        if (log_enabled(LOG_UNIMP))
            log_printf("uhci: write %04x to register %02x\n", val, off);
        break;
    }
    uhci_update_irq(s);
}

uint32_t uhci_io_read(UHCIState *s, uint32_t off, int size)
{
    off &= UHCI_IO_SIZE - 1;
    if (size == 4)
        return uhci_read16(s, off & ~1u) | (uint32_t)uhci_read16(s, (off & ~1u) + 2) << 16;
    uint16_t v = uhci_read16(s, off & ~1u);
    return size == 1 ? (off & 1 ? v >> 8 : v & 0xff) : v;
}

void uhci_io_write(UHCIState *s, uint32_t off, uint32_t val, int size)
{
    off &= UHCI_IO_SIZE - 1;
    if (size == 4) {
        uhci_write16(s, off & ~1u, (uint16_t)val);
        uhci_write16(s, (off & ~1u) + 2, (uint16_t)(val >> 16));
    } else if (size == 2) {
        uhci_write16(s, off & ~1u, (uint16_t)val);
    } else if ((off & ~1u) == UHCI_SOFMOD) {
        s->sofmod = off & 1 ? s->sofmod : val & 0x7f;
    } else {
        /* one byte: the other keeps its value, without its write-1-to-clear bits */
        uint32_t reg = off & ~1u;
        uint16_t w1c = reg == UHCI_USBSTS ? 0x1f
                     : reg >= UHCI_PORTSC1 ? UHCI_PORT_CSC | UHCI_PORT_PEC : 0;
        uint16_t keep = (uint16_t)(uhci_read16(s, reg) & ~w1c & (off & 1 ? 0x00ff : 0xff00));
        uint16_t v = (uint16_t)((val & 0xff) << (off & 1 ? 8 : 0));
        uhci_write16(s, reg, keep | v);
    }
}

static uint32_t uhci_port_read_op(void *opaque, uint16_t port, int size)
{
    return uhci_io_read(opaque, port, size);
}

static void uhci_port_write_op(void *opaque, uint16_t port, uint32_t val, int size)
{
    uhci_io_write(opaque, port, val, size);
}

static const IOPortOps uhci_io_ops = {
    .read = uhci_port_read_op,
    .write = uhci_port_write_op,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

/* ------------------------------------------------------------------ saved state */

static bool uhci_post_load(void *opaque, int version, GError **errp)
{
    UHCIState *s = opaque;
    /* only values a guest write can produce: the walk trusts them */
    if (s->cmd > 0xff || s->intr > 0xf || s->frnum > 0x7ff || (s->flbase & 0xfff) ||
        s->sofmod > 0x7f || s->int_cause > 3) {
        g_set_error(errp, VMSTATE_ERROR, 0, "uhci: register out of range (USBCMD %04x, "
                    "USBINTR %04x, FRNUM %04x, FRBASEADD %08x, SOFMOD %02x)", s->cmd,
                    s->intr, s->frnum, s->flbase, s->sofmod);
        return false;
    }
    for (int i = 0; i < UHCI_PORTS; i++) {
        UHCIPort *p = &s->port[i];
        if (!p->dev && (p->sc & (UHCI_PORT_PE | UHCI_PORT_SUSP))) {
            g_set_error(errp, VMSTATE_ERROR, 0, "uhci: port %d is enabled in the stream "
                        "but has no device here", i + 1);
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ setup */

static void uhci_free(void *opaque)
{
    UHCIState *s = opaque;
    if (s->timer)
        timer_free(s->timer);
    g_free(s);
}

UHCIState *uhci_init(const Buses *b, PCIBus *bus, int devfn, GError **errp)
{
    UHCIState *s = g_new0(UHCIState, 1);
    s->bus = *b;
    s->pci = pci_register_function(bus, devfn, "piix3-usb-uhci", 0x8086, 0x7020, 0x01,
                                   0x0c0300, NULL, s, errp);
    if (!s->pci) {
        g_free(s);
        return NULL;
    }
    s->pci->config[PCI_INTERRUPT_PIN] = 4;      /* INTD */
    s->pci->config[0x60] = 0x10;                /* SBRN: USB 1.0 */
    s->pci->config[0xc1] = 0x20;                /* LEGSUP: PIRQ enable (USBPIRQDEN) */
    pci_register_io_bar(s->pci, 4, UHCI_IO_SIZE, &uhci_io_ops, s, "uhci");
    if (b->clock)
        s->timer = timer_new(b->clock, uhci_timer_cb, s);
    uhci_hc_reset(s);
    if (b->host) {
        host_register_device(b->host, s, uhci_free, uhci_reset);
        host_register_state(b->host, &uhci_vmsd, s);
    }
    return s;
}

bool uhci_attach(UHCIState *s, int port, USBDevice *dev, GError **errp)
{
    if (port < 0 || port >= UHCI_PORTS || s->port[port].dev) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "%s: no free USB port (the UHCI root hub has %d, and there is "
                    "no usb-hub)", dev->name, UHCI_PORTS);
        return false;
    }
    s->port[port].dev = dev;
    s->port[port].sc |= UHCI_PORT_CSC;
    dev->wakeup = uhci_wakeup;
    dev->port_opaque = s;
    usb_device_reset(dev);
    /* the device's state is saved with the machine's: the controller has
     * the machine's services, the device (usb_hid_new) does not */
    if (dev->vmsd && s->bus.host)
        host_register_state(s->bus.host, dev->vmsd, dev->opaque);
    return true;
}

USBDevice *uhci_port_device(UHCIState *s, int port)
{
    return port >= 0 && port < UHCI_PORTS ? s->port[port].dev : NULL;
}

PCIDevice *uhci_pci(UHCIState *s) { return s->pci; }
unsigned uhci_frames_cut(UHCIState *s) { return s->frames_cut; }

void uhci_info(UHCIState *s, GString *out)
{
    for (int i = 0; i < UHCI_PORTS; i++) {
        USBDevice *d = s->port[i].dev;
        if (d)
            g_string_append_printf(out, "  Device 0.%d, Port %d, Speed 12 Mb/s, Product %s\n",
                                   d->addr, i + 1, d->product);
    }
}
