/*
 * usb_hid.c - usb-tablet, usb-mouse and usb-kbd (usb_hid.h): HID class
 * functions per the Device Class Definition for HID 1.11 (7.1 GET_DESCRIPTOR
 * of the HID and report descriptors, 7.2 class requests GET_REPORT,
 * GET/SET_IDLE, GET/SET_PROTOCOL, SET_REPORT; appendix B boot reports).
 *
 * What the guest sees is what QEMU's devices of the same names show
 * (facts a guest or its user may depend on): vendor 0627, product 0001,
 * manufacturer "QEMU", products "QEMU USB Tablet" / "QEMU USB Mouse" /
 * "QEMU USB Keyboard"; the tablet's 6-byte report (buttons, X and Y as
 * 16-bit 0..0x7fff, wheel), the mouse's 4-byte report (buttons, dX, dY,
 * wheel) and the boot keyboard's 8 bytes (modifiers, reserved, 6 keys).
 *
 * Each event becomes one report in a small queue (USB_HID_QUEUE), so a
 * key pressed and released between two polls of the guest is not lost;
 * a full queue merges pointer motion into its last report and drops keys.
 * An IN token with nothing queued is answered NAK (idle rate 0: reports
 * only on change).
 */
#include <string.h>
#include <glib.h>
#include "devices/usb_hid.h"

#define USB_HID_QUEUE  16
#define USB_HID_REPORT_MAX 8

/* HID class requests (HID 1.11 7.2) */
#define HID_GET_REPORT   0x01
#define HID_GET_IDLE     0x02
#define HID_GET_PROTOCOL 0x03
#define HID_SET_REPORT   0x09
#define HID_SET_IDLE     0x0a
#define HID_SET_PROTOCOL 0x0b

struct USBHidState {
    USBDevice dev;
    USBHidKind kind;
    const uint8_t *report_desc;
    int report_desc_len;
    int report_len;                         /* report protocol */
    uint8_t config_desc[34];
    const char *strings[6];
    char serial[64];
    uint8_t protocol;                       /* 0 boot, 1 report */
    uint8_t idle;
    uint8_t leds;                           /* keyboard: SET_REPORT output */
    uint8_t queue[USB_HID_QUEUE][USB_HID_REPORT_MAX];
    int qhead, qcount;
    uint8_t last[USB_HID_REPORT_MAX];       /* the newest report (GET_REPORT) */
    uint8_t keys[6], mods;                  /* keyboard: what is held */
    unsigned buttons;                       /* pointer */
    uint8_t saved_kind;                     /* the kind a stream was saved from */
};

/* saved state (bus/vmstate.h): the USB device state (usb.c: address,
 * configuration, the control transfer in progress), protocol, idle, the
 * keyboard LEDs, the report queue and the newest report, the keys and
 * buttons held, and the kind, which post_load compares with this
 * device's (a tablet's reports are not a keyboard's).  Not saved: the
 * descriptors and the serial string (the machine's configuration).  The controller (uhci_attach)
 * registers the section: this file has no machine services. */
static bool usb_hid_post_load(void *opaque, int version, GError **errp);

static void usb_hid_pre_save(void *opaque)
{
    USBHidState *h = opaque;
    h->saved_kind = (uint8_t)h->kind;
}

static const VMStateField usb_hid_fields[] = {
    VMS_STRUCT(USBHidState, dev, usb_device_vmsd, 1),
    VMS_U8(USBHidState, protocol, 1),
    VMS_U8(USBHidState, idle, 1),
    VMS_U8(USBHidState, leds, 1),
    VMS_BYTES(USBHidState, queue, 1),
    VMS_I32(USBHidState, qhead, 1),
    VMS_I32(USBHidState, qcount, 1),
    VMS_BYTES(USBHidState, last, 1),
    VMS_BYTES(USBHidState, keys, 1),
    VMS_U8(USBHidState, mods, 1),
    VMS_U32(USBHidState, buttons, 1),
    VMS_U8(USBHidState, saved_kind, 1),
    VMS_END
};

const VMStateDesc usb_hid_vmsd = {
    .name = "usb-hid", .version = 1, .min_version = 1,
    .fields = usb_hid_fields, .pre_save = usb_hid_pre_save, .post_load = usb_hid_post_load,
};
const size_t usb_hid_state_size = sizeof(USBHidState);  /* vmstate_check_desc (tests) */

static bool usb_hid_post_load(void *opaque, int version, GError **errp)
{
    USBHidState *h = opaque;
    if (h->saved_kind != h->kind) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: the stream was saved from a %s",
                    h->dev.name, usb_hid_kind_name((USBHidKind)h->saved_kind));
        return false;
    }
    if (!usb_device_post_load(&h->dev, errp))
        return false;
    if (h->qhead < 0 || h->qhead >= USB_HID_QUEUE || h->qcount < 0 ||
        h->qcount > USB_HID_QUEUE || h->protocol > 1) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: report queue out of range (head %d, "
                    "%d queued, protocol %u)", h->dev.name, h->qhead, h->qcount,
                    h->protocol);
        return false;
    }
    return true;
}

/* ---- descriptors */

static const uint8_t tablet_report_desc[] = {
    0x05, 0x01,         /* Usage Page (Generic Desktop) */
    0x09, 0x02,         /* Usage (Mouse) */
    0xa1, 0x01,         /* Collection (Application) */
    0x09, 0x01,         /*   Usage (Pointer) */
    0xa1, 0x00,         /*   Collection (Physical) */
    0x05, 0x09,         /*     Usage Page (Button) */
    0x19, 0x01,         /*     Usage Minimum (1) */
    0x29, 0x03,         /*     Usage Maximum (3) */
    0x15, 0x00,         /*     Logical Minimum (0) */
    0x25, 0x01,         /*     Logical Maximum (1) */
    0x95, 0x03,         /*     Report Count (3) */
    0x75, 0x01,         /*     Report Size (1) */
    0x81, 0x02,         /*     Input (Data, Variable, Absolute) */
    0x95, 0x01,         /*     Report Count (1) */
    0x75, 0x05,         /*     Report Size (5) */
    0x81, 0x01,         /*     Input (Constant) */
    0x05, 0x01,         /*     Usage Page (Generic Desktop) */
    0x09, 0x30,         /*     Usage (X) */
    0x09, 0x31,         /*     Usage (Y) */
    0x15, 0x00,         /*     Logical Minimum (0) */
    0x26, 0xff, 0x7f,   /*     Logical Maximum (0x7fff) */
    0x35, 0x00,         /*     Physical Minimum (0) */
    0x46, 0xff, 0x7f,   /*     Physical Maximum (0x7fff) */
    0x75, 0x10,         /*     Report Size (16) */
    0x95, 0x02,         /*     Report Count (2) */
    0x81, 0x02,         /*     Input (Data, Variable, Absolute) */
    0x05, 0x01,         /*     Usage Page (Generic Desktop) */
    0x09, 0x38,         /*     Usage (Wheel) */
    0x15, 0x81,         /*     Logical Minimum (-127) */
    0x25, 0x7f,         /*     Logical Maximum (127) */
    0x35, 0x00,         /*     Physical Minimum (same as logical) */
    0x45, 0x00,         /*     Physical Maximum (same as logical) */
    0x75, 0x08,         /*     Report Size (8) */
    0x95, 0x01,         /*     Report Count (1) */
    0x81, 0x06,         /*     Input (Data, Variable, Relative) */
    0xc0,               /*   End Collection */
    0xc0,               /* End Collection */
};

static const uint8_t mouse_report_desc[] = {
    0x05, 0x01, 0x09, 0x02, 0xa1, 0x01,     /* Generic Desktop, Mouse, Application */
    0x09, 0x01, 0xa1, 0x00,                 /*   Pointer, Physical */
    0x05, 0x09, 0x19, 0x01, 0x29, 0x03,     /*     Buttons 1-3 */
    0x15, 0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02,
    0x95, 0x01, 0x75, 0x05, 0x81, 0x01,     /*     5 bits padding */
    0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x09, 0x38,   /* X, Y, Wheel */
    0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x03,
    0x81, 0x06,                             /*     Input (Data, Variable, Relative) */
    0xc0, 0xc0,
};

static const uint8_t kbd_report_desc[] = {
    0x05, 0x01, 0x09, 0x06, 0xa1, 0x01,     /* Generic Desktop, Keyboard, Application */
    0x75, 0x01, 0x95, 0x08, 0x05, 0x07,     /*   8 modifier bits, Key Codes page */
    0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01, 0x81, 0x02,
    0x95, 0x01, 0x75, 0x08, 0x81, 0x01,     /*   reserved byte */
    0x95, 0x05, 0x75, 0x01, 0x05, 0x08,     /*   5 LEDs */
    0x19, 0x01, 0x29, 0x05, 0x91, 0x02,
    0x95, 0x01, 0x75, 0x03, 0x91, 0x01,     /*   LED padding */
    0x95, 0x06, 0x75, 0x08, 0x15, 0x00,     /*   6 key codes */
    0x26, 0xff, 0x00, 0x05, 0x07, 0x19, 0x00, 0x29, 0xff, 0x81, 0x00,
    0xc0,
};

static const uint8_t hid_dev_desc[18] = {
    18, USB_DT_DEVICE, 0x10, 0x01,          /* USB 1.1 */
    0x00, 0x00, 0x00, 8,                    /* class in the interface; ep0 8 bytes */
    0x27, 0x06, 0x01, 0x00,                 /* vendor 0627, product 0001 */
    0x00, 0x00, 1, 2,                       /* bcdDevice 0.00; strings */
    3, 1,                                   /* serial; one configuration */
};

static const struct {
    const char *name, *product, *config, *serial;
    uint8_t subclass, protocol;             /* interface: boot subclass 1 */
    const uint8_t *report_desc;
    int report_desc_len, report_len;
} hid_kinds[] = {
    [USB_HID_TABLET] = { "usb-tablet", "QEMU USB Tablet", "HID Tablet", "28754", 0, 0,
                         tablet_report_desc, sizeof(tablet_report_desc), 6 },
    [USB_HID_MOUSE] = { "usb-mouse", "QEMU USB Mouse", "HID Mouse", "89126", 1, 2,
                        mouse_report_desc, sizeof(mouse_report_desc), 4 },
    [USB_HID_KBD] = { "usb-kbd", "QEMU USB Keyboard", "HID Keyboard", "68284", 1, 1,
                      kbd_report_desc, sizeof(kbd_report_desc), 8 },
};

const char *usb_hid_kind_name(USBHidKind kind)
{
    return kind > USB_HID_NONE && kind <= USB_HID_KBD ? hid_kinds[kind].name : "usb-?";
}

USBHidKind usb_hid_kind_from_name(const char *name)
{
    for (int k = USB_HID_TABLET; k <= USB_HID_KBD; k++)
        if (!strcmp(name, hid_kinds[k].name))
            return (USBHidKind)k;
    return USB_HID_NONE;
}

/* ---- reports */

static int hid_report_len(const USBHidState *h)
{
    if (h->protocol == 0 && h->kind == USB_HID_MOUSE)
        return 3;                           /* boot mouse: no wheel */
    return hid_kinds[h->kind].report_len;
}

static void hid_push(USBHidState *h, const uint8_t *r, bool merge)
{
    memcpy(h->last, r, USB_HID_REPORT_MAX);
    if (h->qcount == USB_HID_QUEUE) {
        if (merge)                          /* pointer: the newest state wins */
            memcpy(h->queue[(h->qhead + h->qcount - 1) % USB_HID_QUEUE], r,
                   USB_HID_REPORT_MAX);
        return;
    }
    memcpy(h->queue[(h->qhead + h->qcount) % USB_HID_QUEUE], r, USB_HID_REPORT_MAX);
    h->qcount++;
    if (h->dev.wakeup)
        h->dev.wakeup(h->dev.port_opaque, &h->dev);
}

static int8_t hid_clamp8(int v)
{
    return (int8_t)(v < -127 ? -127 : v > 127 ? 127 : v);
}

void usb_hid_pointer_abs(USBHidState *h, unsigned x, unsigned y, int dz, unsigned buttons)
{
    if (h->kind != USB_HID_TABLET)
        return;
    x = MIN(x, USB_HID_ABS_MAX);
    y = MIN(y, USB_HID_ABS_MAX);
    uint8_t r[USB_HID_REPORT_MAX] = {
        (uint8_t)(buttons & 7), (uint8_t)x, (uint8_t)(x >> 8), (uint8_t)y, (uint8_t)(y >> 8),
        (uint8_t)hid_clamp8(-dz),
    };
    hid_push(h, r, true);
}

void usb_hid_pointer_rel(USBHidState *h, int dx, int dy, int dz, unsigned buttons)
{
    if (h->kind != USB_HID_MOUSE)
        return;
    dy = -dy;                               /* USB: Y grows downwards */
    dz = -dz;                               /* USB: positive is away from the user */
    do {                                    /* big moves in several reports */
        int8_t x = hid_clamp8(dx), y = hid_clamp8(dy), z = hid_clamp8(dz);
        uint8_t r[USB_HID_REPORT_MAX] = { (uint8_t)(buttons & 7), (uint8_t)x, (uint8_t)y,
                                          (uint8_t)z };
        hid_push(h, r, false);
        dx -= x;
        dy -= y;
        dz -= z;
    } while ((dx || dy || dz) && h->qcount < USB_HID_QUEUE);
}

/* PC scancode set 1 -> HID keyboard usage (HID Usage Tables 1.12, chapter 10) */
static const uint8_t set1_to_usage[0x59] = {
    [0x01] = 0x29, [0x02] = 0x1e, [0x03] = 0x1f, [0x04] = 0x20, [0x05] = 0x21,
    [0x06] = 0x22, [0x07] = 0x23, [0x08] = 0x24, [0x09] = 0x25, [0x0a] = 0x26,
    [0x0b] = 0x27, [0x0c] = 0x2d, [0x0d] = 0x2e, [0x0e] = 0x2a, [0x0f] = 0x2b,
    [0x10] = 0x14, [0x11] = 0x1a, [0x12] = 0x08, [0x13] = 0x15, [0x14] = 0x17,
    [0x15] = 0x1c, [0x16] = 0x18, [0x17] = 0x0c, [0x18] = 0x12, [0x19] = 0x13,
    [0x1a] = 0x2f, [0x1b] = 0x30, [0x1c] = 0x28, [0x1d] = 0xe0, [0x1e] = 0x04,
    [0x1f] = 0x16, [0x20] = 0x07, [0x21] = 0x09, [0x22] = 0x0a, [0x23] = 0x0b,
    [0x24] = 0x0d, [0x25] = 0x0e, [0x26] = 0x0f, [0x27] = 0x33, [0x28] = 0x34,
    [0x29] = 0x35, [0x2a] = 0xe1, [0x2b] = 0x31, [0x2c] = 0x1d, [0x2d] = 0x1b,
    [0x2e] = 0x06, [0x2f] = 0x19, [0x30] = 0x05, [0x31] = 0x11, [0x32] = 0x10,
    [0x33] = 0x36, [0x34] = 0x37, [0x35] = 0x38, [0x36] = 0xe5, [0x37] = 0x55,
    [0x38] = 0xe2, [0x39] = 0x2c, [0x3a] = 0x39, [0x3b] = 0x3a, [0x3c] = 0x3b,
    [0x3d] = 0x3c, [0x3e] = 0x3d, [0x3f] = 0x3e, [0x40] = 0x3f, [0x41] = 0x40,
    [0x42] = 0x41, [0x43] = 0x42, [0x44] = 0x43, [0x45] = 0x53, [0x46] = 0x47,
    [0x47] = 0x5f, [0x48] = 0x60, [0x49] = 0x61, [0x4a] = 0x56, [0x4b] = 0x5c,
    [0x4c] = 0x5d, [0x4d] = 0x5e, [0x4e] = 0x57, [0x4f] = 0x59, [0x50] = 0x5a,
    [0x51] = 0x5b, [0x52] = 0x62, [0x53] = 0x63, [0x56] = 0x64, [0x57] = 0x44,
    [0x58] = 0x45,
};

static const struct { uint8_t code, usage; } set1_e0_to_usage[] = {
    { 0x1c, 0x58 }, { 0x1d, 0xe4 }, { 0x35, 0x54 }, { 0x37, 0x46 }, { 0x38, 0xe6 },
    { 0x47, 0x4a }, { 0x48, 0x52 }, { 0x49, 0x4b }, { 0x4b, 0x50 }, { 0x4d, 0x4f },
    { 0x4f, 0x4d }, { 0x50, 0x51 }, { 0x51, 0x4e }, { 0x52, 0x49 }, { 0x53, 0x4c },
    { 0x5b, 0xe3 }, { 0x5c, 0xe7 }, { 0x5d, 0x65 },
};

int usb_hid_usage_from_scancode(int key)
{
    if ((key & 0xff00) == 0xe000) {
        for (size_t i = 0; i < G_N_ELEMENTS(set1_e0_to_usage); i++)
            if (set1_e0_to_usage[i].code == (key & 0x7f))
                return set1_e0_to_usage[i].usage;
        return 0;
    }
    return key > 0 && key < (int)sizeof(set1_to_usage) ? set1_to_usage[key] : 0;
}

void usb_hid_key(USBHidState *h, int key, bool down)
{
    if (h->kind != USB_HID_KBD)
        return;
    int u = usb_hid_usage_from_scancode(key);
    if (!u)
        return;
    if (u >= 0xe0) {
        uint8_t bit = (uint8_t)(1u << (u - 0xe0));
        h->mods = down ? h->mods | bit : h->mods & ~bit;
    } else {
        int i, free_slot = -1;
        for (i = 0; i < 6 && h->keys[i] != u; i++)
            if (!h->keys[i] && free_slot < 0)
                free_slot = i;
        if (down && i == 6 && free_slot >= 0)
            h->keys[free_slot] = (uint8_t)u;
        else if (!down && i < 6)
            h->keys[i] = 0;
        else if (down && i == 6)
            return;                         /* seven keys held: ignore the seventh */
    }
    uint8_t r[USB_HID_REPORT_MAX] = { h->mods, 0 };
    for (int i = 0, n = 2; i < 6; i++)      /* held keys, packed to the front */
        if (h->keys[i])
            r[n++] = h->keys[i];
    hid_push(h, r, false);
}

/* ---- USB device ops */

static int hid_data_in(USBDevice *d, int ep, uint8_t *buf, int len)
{
    USBHidState *h = d->opaque;
    if (ep != 1)
        return USB_RET_STALL;
    if (!h->qcount)
        return USB_RET_NAK;
    int n = MIN(len, hid_report_len(h));
    memcpy(buf, h->queue[h->qhead], (size_t)n);
    h->qhead = (h->qhead + 1) % USB_HID_QUEUE;
    h->qcount--;
    return n;
}

static int hid_control(USBDevice *d, const USBSetup *s, uint8_t *data)
{
    USBHidState *h = d->opaque;
    bool in = s->request_type & USB_DIR_IN;
    if ((s->request_type & USB_TYPE_MASK) == USB_TYPE_STANDARD) {
        /* GET_DESCRIPTOR of the interface: HID 7.1 */
        if (!in || s->request != USB_REQ_GET_DESCRIPTOR)
            return USB_RET_STALL;
        switch (s->value >> 8) {
        case USB_DT_REPORT:
            memcpy(data, h->report_desc, (size_t)h->report_desc_len);
            return h->report_desc_len;
        case USB_DT_HID:
            memcpy(data, h->config_desc + 18, 9);
            return 9;
        default:
            return USB_RET_STALL;
        }
    }
    if ((s->request_type & USB_TYPE_MASK) != USB_TYPE_CLASS)
        return USB_RET_STALL;
    switch (s->request) {
    case HID_GET_REPORT:
        if (!in)
            return USB_RET_STALL;
        memcpy(data, h->last, USB_HID_REPORT_MAX);
        if (h->kind == USB_HID_MOUSE)       /* relative: no motion now */
            data[1] = data[2] = data[3] = 0;
        return hid_report_len(h);
    case HID_GET_IDLE:
        data[0] = h->idle;
        return in ? 1 : USB_RET_STALL;
    case HID_GET_PROTOCOL:
        data[0] = h->protocol;
        return in ? 1 : USB_RET_STALL;
    case HID_SET_IDLE:
        h->idle = (uint8_t)(s->value >> 8);
        return in ? USB_RET_STALL : 0;
    case HID_SET_PROTOCOL:
        if (in || s->value > 1)
            return USB_RET_STALL;
        h->protocol = (uint8_t)s->value;
        return 0;
    case HID_SET_REPORT:
        if (in)
            return USB_RET_STALL;
        if (h->kind == USB_HID_KBD && s->length >= 1)
            h->leds = data[0];
        return 0;
    default:
        return USB_RET_STALL;
    }
}

static void hid_reset(USBDevice *d)
{
    USBHidState *h = d->opaque;
    h->protocol = 1;
    h->idle = 0;
    h->qhead = h->qcount = 0;
    memset(h->keys, 0, sizeof(h->keys));
    h->mods = 0;
}

static const USBDeviceOps hid_ops = {
    .control = hid_control,
    .data_in = hid_data_in,
    .reset = hid_reset,
};

USBHidState *usb_hid_new(USBHidKind kind, const char *path)
{
    g_assert(kind >= USB_HID_TABLET && kind <= USB_HID_KBD);
    USBHidState *h = g_new0(USBHidState, 1);
    h->kind = kind;
    h->report_desc = hid_kinds[kind].report_desc;
    h->report_desc_len = hid_kinds[kind].report_desc_len;
    h->report_len = hid_kinds[kind].report_len;
    if (path)
        g_snprintf(h->serial, sizeof(h->serial), "%s-%s", hid_kinds[kind].serial, path);
    else
        g_strlcpy(h->serial, hid_kinds[kind].serial, sizeof(h->serial));
    h->strings[1] = "QEMU";
    h->strings[2] = hid_kinds[kind].product;
    h->strings[3] = h->serial;
    h->strings[4] = hid_kinds[kind].config;
    const uint8_t config[34] = {
        /* configuration: 34 bytes, 1 interface, value 1, string 4,
         * bus powered + remote wakeup, 100 mA */
        9, USB_DT_CONFIG, 34, 0, 1, 1, 4, 0xa0, 50,
        /* interface 0: 1 endpoint, HID */
        9, USB_DT_INTERFACE, 0, 0, 1, 3, hid_kinds[kind].subclass,
        hid_kinds[kind].protocol, 0,
        /* HID 1.01, one report descriptor */
        9, USB_DT_HID, 0x01, 0x01, 0, 1, USB_DT_REPORT, (uint8_t)h->report_desc_len,
        (uint8_t)(h->report_desc_len >> 8),
        /* endpoint 0x81: interrupt IN, 8 bytes, every 10 ms */
        7, USB_DT_ENDPOINT, 0x81, 3, 8, 0, 10,
    };
    memcpy(h->config_desc, config, sizeof(config));
    h->dev.ops = &hid_ops;
    h->dev.opaque = h;
    h->dev.name = hid_kinds[kind].name;
    h->dev.product = hid_kinds[kind].product;
    h->dev.dev_desc = hid_dev_desc;
    h->dev.config_desc = h->config_desc;
    h->dev.config_len = sizeof(h->config_desc);
    h->dev.strings = h->strings;
    h->dev.nstrings = 5;
    h->dev.vmsd = &usb_hid_vmsd;
    usb_device_reset(&h->dev);
    return h;
}

void usb_hid_free(USBHidState *h)
{
    g_free(h);
}

USBDevice *usb_hid_device(USBHidState *h) { return &h->dev; }
USBHidKind usb_hid_kind(const USBHidState *h) { return h->kind; }
