/*
 * ps2.c - the PS/2 keyboard and mouse (see ps2.h), the devices at the far
 * end of the i8042's two serial interfaces.
 *
 * Keyboard: IBM "Keyboard and Auxiliary Device Controller" / PS/2 Hardware
 * Interface Technical Reference (keyboard chapter): commands
 *   ED set LEDs (+arg)   EE echo            F0 get/set scancode set (+arg)
 *   F2 identify: AB 83   F3 typematic (+arg) F4 enable   F5 disable+defaults
 *   F6 defaults          F7-FD set 3 key types (acknowledged, ignored)
 *   FE resend            FF reset: FA, then AA (self-test passed)
 * every command answered with FA (ACK), unknown ones with FE.  A command
 * clears the keyboard's output queue of pending scancodes.  Keys are sent
 * in set 1, set 2 (default, E0 prefix for extended keys, F0 before break
 * codes) or set 3 (approximated by the set 2 codes, no E0 prefix).  The
 * keyboard does not generate typematic repeats itself: the host's repeats
 * arrive as further make codes.
 *
 * Mouse: same reference (auxiliary device chapter): reset FF -> FA AA 00,
 * E6/E7 scaling, E8 resolution, E9 status (3 bytes), EA stream, EB read
 * data, EC/EE wrap mode, F0 remote, F2 ID (00; 03 after the IntelliMouse
 * sample-rate knock 200,100,80; 04 after 200,200,80), F3 sample rate,
 * F4/F5 enable/disable reporting, F6 defaults, FE resend.  Packets are 3
 * bytes (4 with a wheel); 2:1 scaling is not applied.
 */
#include <string.h>
#include <glib.h>
#include "devices/ps2.h"
#include "bus/vmstate.h"

#define PS2_QUEUE 64
#define PS2_ACK    0xfa
#define PS2_RESEND 0xfe
#define PS2_BAT_OK 0xaa

typedef struct PS2Queue {
    uint8_t data[PS2_QUEUE];
    unsigned head, count;
} PS2Queue;

struct PS2Kbd {
    PS2Queue q;
    PS2Notify notify;
    void *opaque;
    int pending_cmd;        /* command waiting for its argument, -1 none */
    uint8_t last_sent;      /* for FE resend */
    bool scanning;
    int set;                /* 1, 2 or 3 */
    uint8_t leds, typematic;
};

struct PS2Mouse {
    PS2Queue q;
    PS2Notify notify;
    void *opaque;
    int pending_cmd;
    uint8_t last_sent;
    bool reporting, remote, wrap, scale21;
    uint8_t resolution, rate, id;
    uint8_t rate_hist[3];   /* last sample rates set (IntelliMouse knock) */
    int dx, dy, dz;         /* movement not yet reported */
    unsigned buttons;
};

/* saved state (bus/vmstate.h): the output queue, the command in progress
 * and the settings of each device; the i8042 registers both sections
 * (ps2-kbd, ps2-mouse) with its own.  The notify hook is wiring. */
static const VMStateField ps2_queue_fields[] = {
    VMS_BYTES(PS2Queue, data, 1),
    VMS_U32(PS2Queue, head, 1),
    VMS_U32(PS2Queue, count, 1),
    VMS_END
};
static const VMStateDesc ps2_queue_vmsd = { "ps2-queue", 1, 1, ps2_queue_fields };

static bool ps2_queue_valid(const PS2Queue *q, const char *what, GError **errp)
{
    if (q->head >= PS2_QUEUE || q->count > PS2_QUEUE) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: queue head %u, count %u out of range",
                    what, q->head, q->count);
        return false;
    }
    return true;
}

static bool ps2_kbd_post_load(void *opaque, int version, GError **errp)
{
    PS2Kbd *k = opaque;
    if (!ps2_queue_valid(&k->q, "ps2-kbd", errp))
        return false;
    if (k->set < 1 || k->set > 3 || k->pending_cmd < -1 || k->pending_cmd > 0xff) {
        g_set_error(errp, VMSTATE_ERROR, 0, "ps2-kbd: scancode set %d or command %d out "
                    "of range", k->set, k->pending_cmd);
        return false;
    }
    return true;
}

static const VMStateField ps2_kbd_fields[] = {
    VMS_STRUCT(PS2Kbd, q, ps2_queue_vmsd, 1),
    VMS_I32(PS2Kbd, pending_cmd, 1),
    VMS_U8(PS2Kbd, last_sent, 1),
    VMS_BOOL(PS2Kbd, scanning, 1),
    VMS_I32(PS2Kbd, set, 1),
    VMS_U8(PS2Kbd, leds, 1),
    VMS_U8(PS2Kbd, typematic, 1),
    VMS_END
};
const VMStateDesc ps2_kbd_vmsd = { .name = "ps2-kbd", .version = 1, .min_version = 1,
                                   .fields = ps2_kbd_fields, .post_load = ps2_kbd_post_load };
const size_t ps2_kbd_state_size = sizeof(PS2Kbd);

static bool ps2_mouse_post_load(void *opaque, int version, GError **errp)
{
    PS2Mouse *ms = opaque;
    if (!ps2_queue_valid(&ms->q, "ps2-mouse", errp))
        return false;
    if (ms->pending_cmd < -1 || ms->pending_cmd > 0xff) {
        g_set_error(errp, VMSTATE_ERROR, 0, "ps2-mouse: command %d out of range",
                    ms->pending_cmd);
        return false;
    }
    return true;
}

static const VMStateField ps2_mouse_fields[] = {
    VMS_STRUCT(PS2Mouse, q, ps2_queue_vmsd, 1),
    VMS_I32(PS2Mouse, pending_cmd, 1),
    VMS_U8(PS2Mouse, last_sent, 1),
    VMS_BOOL(PS2Mouse, reporting, 1),
    VMS_BOOL(PS2Mouse, remote, 1),
    VMS_BOOL(PS2Mouse, wrap, 1),
    VMS_BOOL(PS2Mouse, scale21, 1),
    VMS_U8(PS2Mouse, resolution, 1),
    VMS_U8(PS2Mouse, rate, 1),
    VMS_U8(PS2Mouse, id, 1),
    VMS_BYTES(PS2Mouse, rate_hist, 1),
    VMS_I32(PS2Mouse, dx, 1),
    VMS_I32(PS2Mouse, dy, 1),
    VMS_I32(PS2Mouse, dz, 1),
    VMS_U32(PS2Mouse, buttons, 1),
    VMS_END
};
const VMStateDesc ps2_mouse_vmsd = { .name = "ps2-mouse", .version = 1, .min_version = 1,
                                     .fields = ps2_mouse_fields,
                                     .post_load = ps2_mouse_post_load };
const size_t ps2_mouse_state_size = sizeof(PS2Mouse);

/* set 1 make code -> set 2 code (IBM tables; 0 = no key) */
static const uint8_t ps2_set2_of_set1[128] = {
    [0x01] = 0x76, [0x02] = 0x16, [0x03] = 0x1e, [0x04] = 0x26, [0x05] = 0x25,
    [0x06] = 0x2e, [0x07] = 0x36, [0x08] = 0x3d, [0x09] = 0x3e, [0x0a] = 0x46,
    [0x0b] = 0x45, [0x0c] = 0x4e, [0x0d] = 0x55, [0x0e] = 0x66, [0x0f] = 0x0d,
    [0x10] = 0x15, [0x11] = 0x1d, [0x12] = 0x24, [0x13] = 0x2d, [0x14] = 0x2c,
    [0x15] = 0x35, [0x16] = 0x3c, [0x17] = 0x43, [0x18] = 0x44, [0x19] = 0x4d,
    [0x1a] = 0x54, [0x1b] = 0x5b, [0x1c] = 0x5a, [0x1d] = 0x14, [0x1e] = 0x1c,
    [0x1f] = 0x1b, [0x20] = 0x23, [0x21] = 0x2b, [0x22] = 0x34, [0x23] = 0x33,
    [0x24] = 0x3b, [0x25] = 0x42, [0x26] = 0x4b, [0x27] = 0x4c, [0x28] = 0x52,
    [0x29] = 0x0e, [0x2a] = 0x12, [0x2b] = 0x5d, [0x2c] = 0x1a, [0x2d] = 0x22,
    [0x2e] = 0x21, [0x2f] = 0x2a, [0x30] = 0x32, [0x31] = 0x31, [0x32] = 0x3a,
    [0x33] = 0x41, [0x34] = 0x49, [0x35] = 0x4a, [0x36] = 0x59, [0x37] = 0x7c,
    [0x38] = 0x11, [0x39] = 0x29, [0x3a] = 0x58, [0x3b] = 0x05, [0x3c] = 0x06,
    [0x3d] = 0x04, [0x3e] = 0x0c, [0x3f] = 0x03, [0x40] = 0x0b, [0x41] = 0x83,
    [0x42] = 0x0a, [0x43] = 0x01, [0x44] = 0x09, [0x45] = 0x77, [0x46] = 0x7e,
    [0x47] = 0x6c, [0x48] = 0x75, [0x49] = 0x7d, [0x4a] = 0x7b, [0x4b] = 0x6b,
    [0x4c] = 0x73, [0x4d] = 0x74, [0x4e] = 0x79, [0x4f] = 0x69, [0x50] = 0x72,
    [0x51] = 0x7a, [0x52] = 0x70, [0x53] = 0x71, [0x54] = 0x84, [0x56] = 0x61,
    [0x57] = 0x78, [0x58] = 0x07,
    [0x5b] = 0x1f, [0x5c] = 0x27, [0x5d] = 0x2f,     /* with E0: Windows keys, Menu */
};

uint8_t ps2_set1_to_set2(uint8_t code)
{
    return code < 128 ? ps2_set2_of_set1[code] : 0;
}

static bool ps2_queue_put(PS2Queue *q, uint8_t b)
{
    if (q->count >= PS2_QUEUE)
        return false;
    q->data[(q->head + q->count) % PS2_QUEUE] = b;
    q->count++;
    return true;
}

static int ps2_queue_get(PS2Queue *q)
{
    if (!q->count)
        return -1;
    uint8_t b = q->data[q->head];
    q->head = (q->head + 1) % PS2_QUEUE;
    q->count--;
    return b;
}

/* ---- keyboard ---- */

static void kbd_send(PS2Kbd *k, uint8_t b)
{
    if (ps2_queue_put(&k->q, b))
        k->notify(k->opaque);
}

static void kbd_defaults(PS2Kbd *k)
{
    k->typematic = 0x2b;    /* 10.9 cps, 500 ms */
    k->set = 2;
}

void ps2_kbd_reset(PS2Kbd *k)
{
    memset(&k->q, 0, sizeof(k->q));
    k->pending_cmd = -1;
    k->last_sent = 0;
    k->scanning = true;
    k->leds = 0;
    kbd_defaults(k);
}

PS2Kbd *ps2_kbd_new(PS2Notify notify, void *opaque)
{
    PS2Kbd *k = g_new0(PS2Kbd, 1);
    k->notify = notify;
    k->opaque = opaque;
    ps2_kbd_reset(k);
    return k;
}

void ps2_kbd_free(PS2Kbd *k)
{
    g_free(k);
}

int ps2_kbd_read(PS2Kbd *k)
{
    int b = ps2_queue_get(&k->q);
    if (b >= 0)
        k->last_sent = (uint8_t)b;
    return b;
}

bool ps2_kbd_has_data(const PS2Kbd *k)
{
    return k->q.count > 0;
}

int ps2_kbd_scancode_set(const PS2Kbd *k)
{
    return k->set;
}

void ps2_kbd_write(PS2Kbd *k, uint8_t b)
{
    if (k->pending_cmd >= 0) {
        int cmd = k->pending_cmd;
        if (b >= 0xed && cmd != 0xf3) {
            k->pending_cmd = -1;        /* a new command instead of the argument */
        } else {
            k->pending_cmd = -1;
            switch (cmd) {
            case 0xed:
                k->leds = b & 7;
                kbd_send(k, PS2_ACK);
                return;
            case 0xf3:
                k->typematic = b & 0x7f;
                kbd_send(k, PS2_ACK);
                return;
            case 0xf0:
                if (b == 0) {
                    kbd_send(k, PS2_ACK);
                    kbd_send(k, (uint8_t)k->set);
                } else if (b <= 3) {
                    k->set = b;
                    kbd_send(k, PS2_ACK);
                } else {
                    kbd_send(k, PS2_RESEND);
                }
                return;
            }
        }
    }
    if (b == 0xfe) {                    /* resend: keep the queue */
        kbd_send(k, k->last_sent);
        return;
    }
    memset(&k->q, 0, sizeof(k->q));     /* a command clears the output queue */
    switch (b) {
    case 0xed: case 0xf0: case 0xf3:
        k->pending_cmd = b;
        kbd_send(k, PS2_ACK);
        break;
    case 0xee:
        kbd_send(k, 0xee);
        break;
    case 0xf2:
        kbd_send(k, PS2_ACK);
        kbd_send(k, 0xab);
        kbd_send(k, 0x83);              /* the i8042 translates it to 0x41 */
        break;
    case 0xf4:
        k->scanning = true;
        kbd_send(k, PS2_ACK);
        break;
    case 0xf5:
        kbd_defaults(k);
        k->scanning = false;
        kbd_send(k, PS2_ACK);
        break;
    case 0xf6:
        kbd_defaults(k);
        k->scanning = true;
        kbd_send(k, PS2_ACK);
        break;
    case 0xf7: case 0xf8: case 0xf9: case 0xfa:
    case 0xfb: case 0xfc: case 0xfd:
        kbd_send(k, PS2_ACK);           /* set 3 key types: not emulated */
        break;
    case 0xff:
        ps2_kbd_reset(k);
        kbd_send(k, PS2_ACK);
        kbd_send(k, PS2_BAT_OK);
        break;
    default:
        kbd_send(k, PS2_RESEND);
        break;
    }
}

void ps2_kbd_put_key(PS2Kbd *k, int key, bool down)
{
    if (!k->scanning || key <= 0)
        return;
    bool ext = (key & 0xff00) == 0xe000;
    uint8_t code = key & 0x7f;
    if ((key & ~0xe07f) || !ps2_set2_of_set1[code])
        return;                         /* not a key we know */
    /* room for the longest sequence (E0 F0 xx), else the key is lost */
    if (k->q.count + 3 > PS2_QUEUE)
        return;
    if (k->set == 1) {
        if (ext)
            ps2_queue_put(&k->q, 0xe0);
        ps2_queue_put(&k->q, down ? code : (uint8_t)(code | 0x80));
    } else {
        if (ext && k->set == 2)
            ps2_queue_put(&k->q, 0xe0);
        if (!down)
            ps2_queue_put(&k->q, 0xf0);
        ps2_queue_put(&k->q, ps2_set2_of_set1[code]);
    }
    k->notify(k->opaque);
}

/* US layout: the unshifted and shifted characters of keys 0x02..0x35 */
static const char ps2_us_plain[]   = "\0\0" "1234567890-=\0\0qwertyuiop[]\0\0asdfghjkl;'`\0\\zxcvbnm,./";
static const char ps2_us_shifted[] = "\0\0" "!@#$%^&*()_+\0\0QWERTYUIOP{}\0\0ASDFGHJKL:\"~\0|ZXCVBNM<>?";

int ps2_ascii_to_key(int c, bool *shift)
{
    *shift = false;
    switch (c) {
    case '\r': case '\n': return PS2_KEY_ENTER;
    case '\t': return PS2_KEY_TAB;
    case '\b': case 0x7f: return PS2_KEY_BACKSPACE;
    case 0x1b: return PS2_KEY_ESC;
    case ' ': return PS2_KEY_SPACE;
    }
    if (c >= 1 && c <= 26) {            /* Ctrl-letter: the letter's key */
        c = 'a' + c - 1;
    }
    for (unsigned i = 2; i < sizeof(ps2_us_plain) - 1; i++) {
        if (ps2_us_plain[i] && ps2_us_plain[i] == c)
            return (int)i;
        if (ps2_us_shifted[i] && ps2_us_shifted[i] == c) {
            *shift = true;
            return (int)i;
        }
    }
    return -1;
}

/* ---- mouse ---- */

static void mouse_send(PS2Mouse *ms, uint8_t b)
{
    if (ps2_queue_put(&ms->q, b))
        ms->notify(ms->opaque);
}

static void mouse_defaults(PS2Mouse *ms)
{
    ms->rate = 100;
    ms->resolution = 2;     /* 4 counts/mm */
    ms->scale21 = false;
    ms->reporting = false;
    ms->remote = false;
    ms->dx = ms->dy = ms->dz = 0;
}

void ps2_mouse_reset(PS2Mouse *ms)
{
    memset(&ms->q, 0, sizeof(ms->q));
    ms->pending_cmd = -1;
    ms->last_sent = 0;
    ms->wrap = false;
    ms->id = 0;
    memset(ms->rate_hist, 0, sizeof(ms->rate_hist));
    ms->buttons = 0;
    mouse_defaults(ms);
}

PS2Mouse *ps2_mouse_new(PS2Notify notify, void *opaque)
{
    PS2Mouse *ms = g_new0(PS2Mouse, 1);
    ms->notify = notify;
    ms->opaque = opaque;
    ps2_mouse_reset(ms);
    return ms;
}

void ps2_mouse_free(PS2Mouse *ms)
{
    g_free(ms);
}

int ps2_mouse_read(PS2Mouse *ms)
{
    int b = ps2_queue_get(&ms->q);
    if (b >= 0)
        ms->last_sent = (uint8_t)b;
    return b;
}

bool ps2_mouse_has_data(const PS2Mouse *ms)
{
    return ms->q.count > 0;
}

static unsigned mouse_packet_size(const PS2Mouse *ms)
{
    return ms->id ? 4 : 3;
}

/* queue one movement packet from the accumulated motion */
static void mouse_packet(PS2Mouse *ms)
{
    int dx = CLAMP(ms->dx, -255, 255), dy = CLAMP(ms->dy, -255, 255);
    int dz = CLAMP(ms->dz, -8, 7);
    uint8_t b0 = 0x08 | (ms->buttons & 7) | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0);
    ps2_queue_put(&ms->q, b0);
    ps2_queue_put(&ms->q, (uint8_t)dx);
    ps2_queue_put(&ms->q, (uint8_t)dy);
    if (ms->id == 3)
        ps2_queue_put(&ms->q, (uint8_t)dz);
    else if (ms->id == 4)
        ps2_queue_put(&ms->q, (uint8_t)((dz & 0x0f) | ((ms->buttons & 0x18) << 1)));
    ms->dx -= dx;
    ms->dy -= dy;
    ms->dz -= dz;
    ms->notify(ms->opaque);
}

void ps2_mouse_event(PS2Mouse *ms, int dx, int dy, int dz, unsigned buttons)
{
    ms->buttons = buttons;
    if (!ms->reporting && !ms->remote)
        return;                         /* stream mode, reporting off: lost */
    ms->dx += dx;
    ms->dy += dy;
    ms->dz += dz;
    ms->buttons = buttons;
    if (ms->reporting && !ms->remote && !ms->wrap &&
        ms->q.count + mouse_packet_size(ms) <= PS2_QUEUE)
        mouse_packet(ms);
}

void ps2_mouse_write(PS2Mouse *ms, uint8_t b)
{
    if (ms->wrap && b != 0xec && b != 0xff) {
        mouse_send(ms, b);              /* wrap mode echoes */
        return;
    }
    if (ms->pending_cmd >= 0) {
        int cmd = ms->pending_cmd;
        ms->pending_cmd = -1;
        if (cmd == 0xe8) {
            ms->resolution = b & 3;
            mouse_send(ms, PS2_ACK);
            return;
        }
        if (cmd == 0xf3) {
            ms->rate = b;
            ms->rate_hist[0] = ms->rate_hist[1];
            ms->rate_hist[1] = ms->rate_hist[2];
            ms->rate_hist[2] = b;
            if (ms->rate_hist[0] == 200 && ms->rate_hist[1] == 100 && ms->rate_hist[2] == 80)
                ms->id = 3;
            else if (ms->rate_hist[0] == 200 && ms->rate_hist[1] == 200 &&
                     ms->rate_hist[2] == 80 && ms->id == 3)
                ms->id = 4;
            mouse_send(ms, PS2_ACK);
            return;
        }
    }
    if (b == 0xfe) {
        mouse_send(ms, ms->last_sent);
        return;
    }
    switch (b) {
    case 0xe6: ms->scale21 = false; mouse_send(ms, PS2_ACK); break;
    case 0xe7: ms->scale21 = true;  mouse_send(ms, PS2_ACK); break;
    case 0xe8: case 0xf3:
        ms->pending_cmd = b;
        mouse_send(ms, PS2_ACK);
        break;
    case 0xe9:
        mouse_send(ms, PS2_ACK);
        mouse_send(ms, (uint8_t)((ms->remote ? 0x40 : 0) | (ms->reporting ? 0x20 : 0) |
                                 (ms->scale21 ? 0x10 : 0) | ((ms->buttons & 1) << 2) |
                                 ((ms->buttons & 4) >> 1) | ((ms->buttons & 2) >> 1)));
        mouse_send(ms, ms->resolution);
        mouse_send(ms, ms->rate);
        break;
    case 0xea: ms->remote = false; mouse_send(ms, PS2_ACK); break;
    case 0xf0: ms->remote = true;  mouse_send(ms, PS2_ACK); break;
    case 0xeb:
        mouse_send(ms, PS2_ACK);
        if (ms->q.count + mouse_packet_size(ms) <= PS2_QUEUE)
            mouse_packet(ms);
        break;
    case 0xec: ms->wrap = false; mouse_send(ms, PS2_ACK); break;
    case 0xee: ms->wrap = true;  mouse_send(ms, PS2_ACK); break;
    case 0xf2:
        mouse_send(ms, PS2_ACK);
        mouse_send(ms, ms->id);
        break;
    case 0xf4:                          /* enable: movement counters cleared */
        ms->reporting = true;
        ms->dx = ms->dy = ms->dz = 0;
        mouse_send(ms, PS2_ACK);
        break;
    case 0xf5: ms->reporting = false; mouse_send(ms, PS2_ACK); break;
    case 0xf6: mouse_defaults(ms);    mouse_send(ms, PS2_ACK); break;
    case 0xff:
        ps2_mouse_reset(ms);
        mouse_send(ms, PS2_ACK);
        mouse_send(ms, PS2_BAT_OK);
        mouse_send(ms, 0x00);
        break;
    default:
        mouse_send(ms, PS2_RESEND);
        break;
    }
}
