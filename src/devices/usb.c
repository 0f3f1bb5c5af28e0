/*
 * usb.c - the device side of USB (usb.h): endpoint 0's control transfer
 * state machine and the standard requests of USB 1.1 chapter 9.4
 * (GET_STATUS, CLEAR/SET_FEATURE, SET_ADDRESS, GET_DESCRIPTOR of the
 * device, configuration and string descriptors, GET/SET_CONFIGURATION,
 * GET/SET_INTERFACE).  Everything else goes to the class device's
 * control() (HID: usb_hid.c); other endpoints to its data_in/data_out.
 *
 * Faults the host makes (a request we do not know, a wrong stage) answer
 * STALL at the data or status stage, as a real function does; the SETUP
 * packet itself is always accepted.
 */
#include <string.h>
#include "devices/usb.h"

void usb_parse_setup(const uint8_t *p, USBSetup *s)
{
    s->request_type = p[0];
    s->request = p[1];
    s->value = (uint16_t)(p[2] | p[3] << 8);
    s->index = (uint16_t)(p[4] | p[5] << 8);
    s->length = (uint16_t)(p[6] | p[7] << 8);
}

void usb_device_reset(USBDevice *d)
{
    d->addr = 0;
    d->config = 0;
    d->remote_wakeup = false;
    memset(d->halted, 0, sizeof(d->halted));
    d->ctl_state = USB_CTL_IDLE;
    d->ctl_len = d->ctl_pos = 0;
    d->pending_addr = -1;
    if (d->ops && d->ops->reset)
        d->ops->reset(d);
}

/* string descriptor n: 0 is the language list (US English) */
static int usb_string_desc(USBDevice *d, int n, uint8_t *out)
{
    if (n == 0) {
        static const uint8_t langs[4] = { 4, USB_DT_STRING, 0x09, 0x04 };
        memcpy(out, langs, 4);
        return 4;
    }
    if (n >= d->nstrings || !d->strings[n])
        return USB_RET_STALL;
    const char *s = d->strings[n];
    int len = 2;
    for (; *s && len + 2 <= 254; s++) {
        out[len++] = (uint8_t)*s;               /* ASCII as UTF-16LE */
        out[len++] = 0;
    }
    out[0] = (uint8_t)len;
    out[1] = USB_DT_STRING;
    return len;
}

/* an IN request: the reply into d->ctl_buf, its length, or USB_RET_STALL */
static int usb_request_in(USBDevice *d, const USBSetup *s)
{
    uint8_t *out = d->ctl_buf;
    int recip = s->request_type & USB_RECIP_MASK;
    if ((s->request_type & USB_TYPE_MASK) != USB_TYPE_STANDARD)
        return d->ops->control ? d->ops->control(d, s, out) : USB_RET_STALL;
    switch (s->request) {
    case USB_REQ_GET_STATUS:
        out[0] = out[1] = 0;
        if (recip == USB_RECIP_DEVICE)
            out[0] = d->remote_wakeup ? 2 : 0;      /* bus powered */
        else if (recip == USB_RECIP_ENDPOINT)
            out[0] = d->halted[s->index & 15] ? 1 : 0;
        return 2;
    case USB_REQ_GET_DESCRIPTOR:
        switch (s->value >> 8) {
        case USB_DT_DEVICE:
            memcpy(out, d->dev_desc, 18);
            return 18;
        case USB_DT_CONFIG:
            if ((s->value & 0xff) != 0)
                return USB_RET_STALL;
            memcpy(out, d->config_desc, (size_t)d->config_len);
            return d->config_len;
        case USB_DT_STRING:
            return usb_string_desc(d, s->value & 0xff, out);
        default:                                /* HID report descriptor, ... */
            return d->ops->control ? d->ops->control(d, s, out) : USB_RET_STALL;
        }
    case USB_REQ_GET_CONFIGURATION:
        out[0] = d->config;
        return 1;
    case USB_REQ_GET_INTERFACE:
        out[0] = 0;
        return 1;
    default:
        return USB_RET_STALL;
    }
}

/* an OUT request (data, s->length bytes, in d->ctl_buf): 0 or USB_RET_STALL */
static int usb_request_out(USBDevice *d, const USBSetup *s)
{
    int recip = s->request_type & USB_RECIP_MASK;
    if ((s->request_type & USB_TYPE_MASK) != USB_TYPE_STANDARD)
        return d->ops->control ? (d->ops->control(d, s, d->ctl_buf) < 0 ? USB_RET_STALL : 0)
                               : USB_RET_STALL;
    switch (s->request) {
    case USB_REQ_SET_ADDRESS:
        if (s->value > 127)
            return USB_RET_STALL;
        d->pending_addr = s->value;             /* after the status stage */
        return 0;
    case USB_REQ_SET_CONFIGURATION:
        if (s->value > 1)
            return USB_RET_STALL;
        d->config = (uint8_t)s->value;
        memset(d->halted, 0, sizeof(d->halted));
        return 0;
    case USB_REQ_SET_INTERFACE:
        return s->value == 0 ? 0 : USB_RET_STALL;
    case USB_REQ_CLEAR_FEATURE:
    case USB_REQ_SET_FEATURE: {
        bool on = s->request == USB_REQ_SET_FEATURE;
        if (recip == USB_RECIP_DEVICE && s->value == 1)        /* DEVICE_REMOTE_WAKEUP */
            d->remote_wakeup = on;
        else if (recip == USB_RECIP_ENDPOINT && s->value == 0)  /* ENDPOINT_HALT */
            d->halted[s->index & 15] = on && (s->index & 15);
        else
            return USB_RET_STALL;
        return 0;
    }
    default:
        return USB_RET_STALL;
    }
}

static int usb_setup(USBDevice *d, const uint8_t *buf, int len)
{
    if (len != 8) {
        d->ctl_state = USB_CTL_STALLED;
        return USB_RET_STALL;
    }
    USBSetup *s = &d->setup;
    usb_parse_setup(buf, s);
    d->ctl_pos = 0;
    d->ctl_len = 0;
    d->pending_addr = -1;
    if (s->request_type & USB_DIR_IN) {
        int n = usb_request_in(d, s);
        if (n < 0) {
            d->ctl_state = USB_CTL_STALLED;
        } else {
            d->ctl_len = n < s->length ? n : s->length;
            d->ctl_state = USB_CTL_DATA_IN;
        }
    } else if (s->length == 0) {
        d->ctl_state = usb_request_out(d, s) < 0 ? USB_CTL_STALLED : USB_CTL_STATUS_IN;
    } else if (s->length > USB_CTL_MAX) {
        d->ctl_state = USB_CTL_STALLED;
    } else {
        d->ctl_state = USB_CTL_DATA_OUT;
    }
    return 8;
}

static int usb_ep0_in(USBDevice *d, uint8_t *buf, int len)
{
    switch (d->ctl_state) {
    case USB_CTL_DATA_IN: {
        int n = d->ctl_len - d->ctl_pos;
        if (n > len)
            n = len;
        memcpy(buf, d->ctl_buf + d->ctl_pos, (size_t)n);
        d->ctl_pos += n;
        return n;
    }
    case USB_CTL_DATA_OUT:                      /* status stage of an OUT request */
        if (d->ctl_pos < d->setup.length ||
            usb_request_out(d, &d->setup) < 0) {
            d->ctl_state = USB_CTL_STALLED;
            return USB_RET_STALL;
        }
        /* fall through */
    case USB_CTL_STATUS_IN:
        if (d->pending_addr >= 0)
            d->addr = (uint8_t)d->pending_addr;
        d->pending_addr = -1;
        d->ctl_state = USB_CTL_IDLE;
        return 0;
    default:
        return USB_RET_STALL;
    }
}

static int usb_ep0_out(USBDevice *d, const uint8_t *buf, int len)
{
    switch (d->ctl_state) {
    case USB_CTL_DATA_OUT: {
        int n = d->setup.length - d->ctl_pos;
        if (len > n)
            return USB_RET_BABBLE;
        memcpy(d->ctl_buf + d->ctl_pos, buf, (size_t)len);
        d->ctl_pos += len;
        return len;
    }
    case USB_CTL_DATA_IN:                       /* status stage of an IN request */
        d->ctl_state = USB_CTL_IDLE;
        return 0;
    default:
        return USB_RET_STALL;
    }
}

int usb_handle_packet(USBDevice *d, int pid, int ep, uint8_t *buf, int len)
{
    if (len < 0)
        return USB_RET_STALL;
    if (ep == 0) {
        switch (pid) {
        case USB_TOKEN_SETUP: return usb_setup(d, buf, len);
        case USB_TOKEN_IN:    return usb_ep0_in(d, buf, len);
        case USB_TOKEN_OUT:   return usb_ep0_out(d, buf, len);
        default:              return USB_RET_STALL;
        }
    }
    ep &= 15;
    if (!d->config || d->halted[ep])
        return USB_RET_STALL;
    if (pid == USB_TOKEN_IN)
        return d->ops->data_in ? d->ops->data_in(d, ep, buf, len) : USB_RET_STALL;
    if (pid == USB_TOKEN_OUT)
        return d->ops->data_out ? d->ops->data_out(d, ep, buf, len) : USB_RET_STALL;
    return USB_RET_STALL;
}

/* ---- saved state */

static const VMStateField usb_setup_fields[] = {
    VMS_U8(USBSetup, request_type, 1),
    VMS_U8(USBSetup, request, 1),
    VMS_U16(USBSetup, value, 1),
    VMS_U16(USBSetup, index, 1),
    VMS_U16(USBSetup, length, 1),
    VMS_END
};
static const VMStateDesc usb_setup_vmsd = { "usb-setup", 1, 1, usb_setup_fields };

static const VMStateField usb_device_fields[] = {
    VMS_U8(USBDevice, addr, 1),
    VMS_U8(USBDevice, config, 1),
    VMS_BOOL(USBDevice, remote_wakeup, 1),
    VMS_BOOL_ARRAY(USBDevice, halted, 1),
    VMS_INT(USBDevice, ctl_state, 1),
    VMS_STRUCT(USBDevice, setup, usb_setup_vmsd, 1),
    VMS_I32(USBDevice, ctl_len, 1),
    VMS_I32(USBDevice, ctl_pos, 1),
    VMS_I32(USBDevice, pending_addr, 1),
    VMS_BYTES(USBDevice, ctl_buf, 1),
    VMS_END
};

const VMStateDesc usb_device_vmsd = { "usb-device", 1, 1, usb_device_fields };

bool usb_device_post_load(const USBDevice *d, GError **errp)
{
    const char *what = NULL;
    if (d->addr > 127 || d->pending_addr < -1 || d->pending_addr > 127)
        what = "address";
    else if ((unsigned)d->ctl_state > USB_CTL_STALLED)
        what = "control state";
    else if (d->ctl_len < 0 || d->ctl_len > USB_CTL_MAX || d->ctl_pos < 0 ||
             d->ctl_pos > USB_CTL_MAX || d->setup.length > USB_CTL_MAX)
        what = "control transfer length";
    else if (d->ctl_state == USB_CTL_DATA_IN && d->ctl_pos > d->ctl_len)
        what = "control IN position";
    else if (d->ctl_state == USB_CTL_DATA_OUT && d->ctl_pos > d->setup.length)
        what = "control OUT position";
    if (what) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: %s out of range (address %u, pending %d, "
                    "state %d, length %d, position %d, wLength %u)", d->name, what, d->addr,
                    d->pending_addr, (int)d->ctl_state, d->ctl_len, d->ctl_pos,
                    d->setup.length);
        return false;
    }
    return true;
}
