/*
 * i8042.c - the Intel 8042 (UPI-42) keyboard controller as programmed by
 * the PC/AT BIOS, with its two PS/2 interfaces (keyboard, auxiliary =
 * mouse; devices in ps2.c).
 *
 * Follows the IBM PS/2 Hardware Interface Technical Reference ("Keyboard
 * and Auxiliary Device Controller") and the PC/AT Technical Reference:
 *   0x60 read   output buffer (clears OBF; the next byte moves in at once)
 *   0x60 write  to the keyboard, or the argument of a controller command
 *   0x64 read   status: OBF, IBF (always 0: we work instantly), SYS,
 *               A2 (last write went to 0x64), inhibit switch (1 = not
 *               inhibited), AUX OBF, timeout, parity
 *   0x64 write  controller command:
 *     20-3F read RAM (20: command byte)   60-7F write RAM (60: command byte)
 *     A7/A8 disable/enable mouse   A9 test mouse port -> 00
 *     AA self test -> 55           AB test keyboard port -> 00
 *     AD/AE disable/enable keyboard   C0 read input port
 *     D0/D1 read/write output port (bit 0 = 0: system reset, bit 1: A20)
 *     D2/D3 next byte appears as if from keyboard/mouse   D4 next byte to mouse
 *     DD/DF A20 off/on   E0 read test inputs -> 00
 *     F0-FF pulse output port bits (bit 0 clear: system reset)
 * Command byte: bit 0 keyboard IRQ 1, bit 1 mouse IRQ 12, bit 2 system
 * flag, bit 4 keyboard disabled, bit 5 mouse disabled, bit 6 translate
 * set 2 scancodes to set 1 (F0 prefixes become bit 7 of the next code).
 *
 * The IRQ lines follow the output buffer: high while it holds a byte from
 * the device whose interrupt is enabled, low once port 0x60 is read (so
 * every byte is a fresh edge for the edge-triggered 8259).  A20 changes go
 * to the A20 line the board wires to the CPU; a reset asks the machine
 * (host_request_reset, which exits under -no-reboot).  Not emulated: the
 * keyboard lock input, parity and timeout errors, the 8042's test and
 * password commands.
 */
#include <string.h>
#include "bus/buses.h"
#include "devices/i8042.h"
#include "util/log.h"

/* status register */
#define STAT_OBF     0x01
#define STAT_IBF     0x02
#define STAT_SYS     0x04
#define STAT_CMD     0x08      /* A2: last write was to 0x64 */
#define STAT_UNLOCK  0x10      /* keyboard not inhibited */
#define STAT_AUX_OBF 0x20
/* command byte */
#define CB_KBD_INT   0x01
#define CB_AUX_INT   0x02
#define CB_SYS       0x04
#define CB_KBD_DIS   0x10
#define CB_AUX_DIS   0x20
#define CB_XLATE     0x40
#define CB_POWER_ON  (CB_KBD_INT | CB_AUX_INT | CB_XLATE)

#define CTRL_QUEUE 8

typedef struct I8042Reply {
    uint8_t b;
    bool aux;                   /* the reply goes out as mouse data */
} I8042Reply;

struct I8042State {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    IrqLine *kbd_irq, *aux_irq;
    IrqLine *a20;               /* output port bit 1 (level 1 = on) */
    PS2Kbd *kbd;
    PS2Mouse *mouse;
    uint8_t ram[32];            /* ram[0] is the command byte */
    uint8_t status;
    uint8_t out;                /* output buffer */
    bool out_full, out_aux;     /* it holds a byte; from the mouse */
    int pending;                /* command waiting for its data byte, -1 none */
    bool xlate_break;           /* translation saw F0 */
    I8042Reply ctrl[CTRL_QUEUE];   /* controller replies */
    unsigned ctrl_head, ctrl_count;
    bool kbd_level, aux_level;  /* what we drive on IRQ 1 and 12 */
};

/* saved state (bus/vmstate.h): controller RAM (the command byte), status,
 * the output buffer, the command in progress, the queue of controller
 * replies and the levels driven on IRQ 1 and 12.  The keyboard and the
 * mouse are sections of their own (ps2.c), registered here after it. */
static const VMStateField i8042_reply_fields[] = {
    VMS_U8(I8042Reply, b, 1),
    VMS_BOOL(I8042Reply, aux, 1),
    VMS_END
};
static const VMStateDesc i8042_reply_vmsd = { "i8042-reply", 1, 1, i8042_reply_fields };

static bool i8042_post_load(void *opaque, int version, GError **errp)
{
    I8042State *s = opaque;
    if (s->ctrl_head >= CTRL_QUEUE || s->ctrl_count > CTRL_QUEUE ||
        s->pending < -1 || s->pending > 0xff) {
        g_set_error(errp, VMSTATE_ERROR, 0, "i8042: reply queue head %u, count %u or "
                    "command %d out of range", s->ctrl_head, s->ctrl_count, s->pending);
        return false;
    }
    return true;
}

static const VMStateField i8042_fields[] = {
    VMS_BYTES(I8042State, ram, 1),
    VMS_U8(I8042State, status, 1),
    VMS_U8(I8042State, out, 1),
    VMS_BOOL(I8042State, out_full, 1),
    VMS_BOOL(I8042State, out_aux, 1),
    VMS_I32(I8042State, pending, 1),
    VMS_BOOL(I8042State, xlate_break, 1),
    VMS_STRUCT_ARRAY(I8042State, ctrl, i8042_reply_vmsd, 1),
    VMS_U32(I8042State, ctrl_head, 1),
    VMS_U32(I8042State, ctrl_count, 1),
    VMS_BOOL(I8042State, kbd_level, 1),
    VMS_BOOL(I8042State, aux_level, 1),
    VMS_END
};
const VMStateDesc i8042_vmsd = { .name = "i8042", .version = 1, .min_version = 1,
                                 .fields = i8042_fields, .post_load = i8042_post_load };
const size_t i8042_state_size = sizeof(I8042State);

/* the 8042's set 2 -> set 1 translation: the inverse of the keyboard's
 * set 1 -> set 2 table; other bytes (ACK, BAT, E0, ...) pass unchanged */
static uint8_t i8042_translate(uint8_t b)
{
    if (b == 0x02)
        return 0x41;            /* scancode set number 2 (the 8042 table) */
    for (unsigned i = 0; i < 128; i++)
        if (ps2_set1_to_set2((uint8_t)i) == b)
            return (uint8_t)i;
    return b;
}

static void i8042_update_irq(I8042State *s)
{
    uint8_t cb = s->ram[0];
    bool kbd = s->out_full && !s->out_aux && (cb & CB_KBD_INT);
    bool aux = s->out_full && s->out_aux && (cb & CB_AUX_INT);
    if (kbd != s->kbd_level) {
        s->kbd_level = kbd;
        irq_set(s->kbd_irq, kbd);
    }
    if (aux != s->aux_level) {
        s->aux_level = aux;
        irq_set(s->aux_irq, aux);
    }
}

/* move the next byte into an empty output buffer: controller replies
 * first, then the keyboard, then the mouse */
static void i8042_refill(I8042State *s)
{
    uint8_t cb = s->ram[0];
    if (!s->out_full) {
        if (s->ctrl_count) {
            s->out = s->ctrl[s->ctrl_head].b;
            s->out_aux = s->ctrl[s->ctrl_head].aux;
            s->ctrl_head = (s->ctrl_head + 1) % CTRL_QUEUE;
            s->ctrl_count--;
            s->out_full = true;
        } else if (!(cb & CB_KBD_DIS) && ps2_kbd_has_data(s->kbd)) {
            int b = ps2_kbd_read(s->kbd);
            if (cb & CB_XLATE) {
                while (b == 0xf0) {
                    s->xlate_break = true;
                    b = ps2_kbd_read(s->kbd);
                }
                if (b >= 0) {
                    uint8_t t = i8042_translate((uint8_t)b);
                    if (s->xlate_break)
                        t |= 0x80;
                    s->xlate_break = false;
                    b = t;
                }
            }
            if (b >= 0) {
                s->out = (uint8_t)b;
                s->out_aux = false;
                s->out_full = true;
            }
        } else if (!(cb & CB_AUX_DIS) && ps2_mouse_has_data(s->mouse)) {
            s->out = (uint8_t)ps2_mouse_read(s->mouse);
            s->out_aux = true;
            s->out_full = true;
        }
    }
    s->status &= ~(STAT_OBF | STAT_AUX_OBF);
    if (s->out_full)
        s->status |= STAT_OBF | (s->out_aux ? STAT_AUX_OBF : 0);
    i8042_update_irq(s);
}

static void i8042_notify(void *opaque)
{
    i8042_refill(opaque);
}

static void i8042_reply(I8042State *s, uint8_t b, bool aux)
{
    if (s->ctrl_count < CTRL_QUEUE) {
        unsigned i = (s->ctrl_head + s->ctrl_count) % CTRL_QUEUE;
        s->ctrl[i].b = b;
        s->ctrl[i].aux = aux;
        s->ctrl_count++;
    }
    i8042_refill(s);
}

static bool i8042_a20(I8042State *s)
{
    return s->a20->level != 0;
}

static uint8_t i8042_output_port(I8042State *s)
{
    return 0x01 | (i8042_a20(s) ? 0x02 : 0) |
           ((s->out_full && !s->out_aux) ? 0x10 : 0) |
           ((s->out_full && s->out_aux) ? 0x20 : 0);
}

static void i8042_write_output_port(I8042State *s, uint8_t v)
{
    if (!!(v & 0x02) != i8042_a20(s))
        irq_set(s->a20, (v & 0x02) != 0);
    if (!(v & 0x01))
        host_request_reset(s->buses.host);
}

static void i8042_set_command_byte(I8042State *s, uint8_t v)
{
    s->ram[0] = v;
    s->status = (uint8_t)((s->status & ~STAT_SYS) | (v & CB_SYS));
    i8042_refill(s);        /* a device may have been enabled */
}

static void i8042_command(I8042State *s, uint8_t cmd)
{
    if (cmd >= 0x20 && cmd <= 0x3f) {
        i8042_reply(s, s->ram[cmd & 0x1f], false);
        return;
    }
    if ((cmd >= 0x60 && cmd <= 0x7f) || (cmd >= 0xd1 && cmd <= 0xd4)) {
        s->pending = cmd;
        return;
    }
    if (cmd >= 0xf0) {
        if (!(cmd & 0x01))
            host_request_reset(s->buses.host);
        return;
    }
    switch (cmd) {
    case 0xa7: i8042_set_command_byte(s, s->ram[0] | CB_AUX_DIS); break;
    case 0xa8: i8042_set_command_byte(s, s->ram[0] & ~CB_AUX_DIS); break;
    case 0xa9: i8042_reply(s, 0x00, false); break;
    case 0xaa:
        s->status |= STAT_SYS;
        i8042_reply(s, 0x55, false);
        break;
    case 0xab: i8042_reply(s, 0x00, false); break;
    case 0xad: i8042_set_command_byte(s, s->ram[0] | CB_KBD_DIS); break;
    case 0xae: i8042_set_command_byte(s, s->ram[0] & ~CB_KBD_DIS); break;
    case 0xc0: i8042_reply(s, 0x80, false); break;   /* keyboard not inhibited */
    case 0xd0: i8042_reply(s, i8042_output_port(s), false); break;
    case 0xdd: irq_set(s->a20, 0); break;
    case 0xdf: irq_set(s->a20, 1); break;
    case 0xe0: i8042_reply(s, 0x00, false); break;
    default:
        if (log_enabled(LOG_UNIMP))
            log_printf("i8042: command %#04x not emulated\n", cmd);
        break;
    }
}

static void i8042_data(I8042State *s, uint8_t v)
{
    int cmd = s->pending;
    s->pending = -1;
    if (cmd < 0) {
        ps2_kbd_write(s->kbd, v);
        return;
    }
    if (cmd >= 0x60 && cmd <= 0x7f) {
        if (cmd == 0x60)
            i8042_set_command_byte(s, v);
        else
            s->ram[cmd & 0x1f] = v;
        return;
    }
    switch (cmd) {
    case 0xd1: i8042_write_output_port(s, v); break;
    case 0xd2: i8042_reply(s, v, false); break;
    case 0xd3: i8042_reply(s, v, true); break;
    case 0xd4: ps2_mouse_write(s->mouse, v); break;
    }
}

static uint32_t i8042_read(void *opaque, uint16_t port, int size)
{
    I8042State *s = opaque;
    if (port == 0x64)
        return s->status;
    uint8_t v = s->out;
    if (s->out_full) {
        s->out_full = false;
        s->status &= ~(STAT_OBF | STAT_AUX_OBF);
        i8042_update_irq(s);    /* low: the next byte is a new edge */
        i8042_refill(s);
    }
    return v;
}

static void i8042_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    I8042State *s = opaque;
    if (port == 0x64) {
        s->status |= STAT_CMD;
        i8042_command(s, (uint8_t)value);
    } else {
        s->status &= ~STAT_CMD;
        i8042_data(s, (uint8_t)value);
    }
}

static const IOPortOps i8042_ops = {
    .read = i8042_read,
    .write = i8042_write,
    .sizes = IO_SIZE_8,
};

void i8042_reset(I8042State *s)
{
    memset(s->ram, 0, sizeof(s->ram));
    s->ram[0] = CB_POWER_ON;
    s->status = STAT_UNLOCK;
    s->out = 0;
    s->out_full = false;
    s->pending = -1;
    s->xlate_break = false;
    s->ctrl_head = s->ctrl_count = 0;
    ps2_kbd_reset(s->kbd);
    ps2_mouse_reset(s->mouse);
    i8042_refill(s);
}

I8042State *i8042_init(const Buses *b, IrqLine *kbd_irq, IrqLine *aux_irq, IrqLine *a20)
{
    I8042State *s = g_new0(I8042State, 1);
    s->buses = *b;
    s->kbd_irq = kbd_irq;
    s->aux_irq = aux_irq;
    s->a20 = a20;
    s->kbd = ps2_kbd_new(i8042_notify, s);
    s->mouse = ps2_mouse_new(i8042_notify, s);
    /* 0x60 and 0x64 are two registrations: 0x61-0x63 belong to others */
    if (!ioport_register(b->io, 0x60, 1, &i8042_ops, s, "i8042") ||
        !ioport_register(b->io, 0x64, 1, &i8042_ops, s, "i8042"))
        g_warning("i8042: ports 0x60/0x64 already taken");
    i8042_reset(s);
    host_register_device(b->host, s, (void (*)(void *))i8042_free,
                            (void (*)(void *))i8042_reset);
    host_register_state(b->host, &i8042_vmsd, s);
    host_register_state(b->host, &ps2_kbd_vmsd, s->kbd);
    host_register_state(b->host, &ps2_mouse_vmsd, s->mouse);
    return s;
}

void i8042_free(I8042State *s)
{
    if (!s)
        return;
    ps2_kbd_free(s->kbd);
    ps2_mouse_free(s->mouse);
    g_free(s);
}

PS2Kbd *i8042_keyboard(I8042State *s)
{
    return s->kbd;
}

PS2Mouse *i8042_mouse(I8042State *s)
{
    return s->mouse;
}
