/*
 * usb.h - a USB function as a host controller sees it: tokens in, data
 * and handshakes out (usb.c), with the standard control requests of
 * endpoint 0 handled in one place.  The HID devices (usb_hid.c) supply
 * their descriptors, their class requests and their interrupt IN data;
 * the UHCI (uhci.c) sends the tokens its transfer descriptors carry.
 * Reference: USB 1.1 specification, chapter 9 (device framework:
 * 9.3 setup data, 9.4 standard requests, 9.6 descriptors).
 *
 *     int n = usb_handle_packet(dev, USB_TOKEN_SETUP, 0, setup8, 8);
 *     n = usb_handle_packet(dev, USB_TOKEN_IN, 0, buf, 64);   // bytes, or
 *     // USB_RET_NAK / USB_RET_STALL
 *
 * A control transfer is SETUP, then IN (or OUT) data packets, then the
 * status stage in the other direction (a zero-length packet).  The
 * device answers a request at its SETUP (IN requests: the whole reply is
 * built then and handed out in packets) or, for OUT requests with data,
 * at the status stage.  SET_ADDRESS takes effect after its status stage,
 * as chapter 9.4.6 says.
 */
#ifndef TX86_USB_H
#define TX86_USB_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "bus/vmstate.h"

#define USB_TOKEN_SETUP   0x2d
#define USB_TOKEN_IN      0x69
#define USB_TOKEN_OUT     0xe1

#define USB_RET_NAK       (-1)      /* no data now: try again */
#define USB_RET_STALL     (-2)      /* request or endpoint not supported */
#define USB_RET_BABBLE    (-3)      /* more data than the packet holds */

/* bmRequestType bits and standard requests (USB 1.1 table 9-2, 9-4) */
#define USB_DIR_IN        0x80
#define USB_TYPE_MASK     0x60
#define USB_TYPE_STANDARD 0x00
#define USB_TYPE_CLASS    0x20
#define USB_RECIP_MASK    0x1f
#define USB_RECIP_DEVICE  0x00
#define USB_RECIP_INTERFACE 0x01
#define USB_RECIP_ENDPOINT 0x02

#define USB_REQ_GET_STATUS        0x00
#define USB_REQ_CLEAR_FEATURE     0x01
#define USB_REQ_SET_FEATURE       0x03
#define USB_REQ_SET_ADDRESS       0x05
#define USB_REQ_GET_DESCRIPTOR    0x06
#define USB_REQ_SET_DESCRIPTOR    0x07
#define USB_REQ_GET_CONFIGURATION 0x08
#define USB_REQ_SET_CONFIGURATION 0x09
#define USB_REQ_GET_INTERFACE     0x0a
#define USB_REQ_SET_INTERFACE     0x0b

#define USB_DT_DEVICE     0x01
#define USB_DT_CONFIG     0x02
#define USB_DT_STRING     0x03
#define USB_DT_INTERFACE  0x04
#define USB_DT_ENDPOINT   0x05
#define USB_DT_HID        0x21
#define USB_DT_REPORT     0x22

#define USB_CTL_MAX       1024      /* longest control reply (descriptors) */

typedef struct USBSetup {
    uint8_t request_type, request;
    uint16_t value, index, length;
} USBSetup;

typedef struct USBDevice USBDevice;

typedef struct USBDeviceOps {
    /* a request the core does not handle (class requests, GET_DESCRIPTOR
     * of a class descriptor): for IN requests fill data (USB_CTL_MAX bytes)
     * and return the length; for OUT requests data holds the payload
     * (s->length bytes); return USB_RET_STALL if unsupported */
    int (*control)(USBDevice *d, const USBSetup *s, uint8_t *data);
    /* an IN token for endpoint ep (1-15): bytes written, USB_RET_NAK */
    int (*data_in)(USBDevice *d, int ep, uint8_t *buf, int len);
    /* an OUT token for endpoint ep: bytes taken, or USB_RET_STALL */
    int (*data_out)(USBDevice *d, int ep, const uint8_t *buf, int len);
    /* bus reset (port reset): the device forgets its address and config */
    void (*reset)(USBDevice *d);
} USBDeviceOps;

struct USBDevice {
    const USBDeviceOps *ops;
    void *opaque;                       /* the class device (usb_hid.c) */
    const char *name;                   /* the -device name: "usb-tablet" */
    const char *product;                /* string 2: "QEMU USB Tablet" */
    const uint8_t *dev_desc;            /* 18 bytes */
    const uint8_t *config_desc;         /* configuration + interface + ... */
    int config_len;
    const char *const *strings;         /* index 1..nstrings-1; [0] unused */
    int nstrings;
    /* the controller's port: told when the device has new data (remote
     * wakeup, resume detect); set by the controller at attach */
    void (*wakeup)(void *port_opaque, USBDevice *d);
    void *port_opaque;
    /* the class device's saved state (bus/vmstate.h), registered by the
     * controller at attach with opaque as its state; NULL: none */
    const VMStateDesc *vmsd;
    /* state */
    uint8_t addr;                       /* 0 until SET_ADDRESS */
    uint8_t config;                     /* bConfigurationValue, 0 = unconfigured */
    bool remote_wakeup;                 /* SET_FEATURE DEVICE_REMOTE_WAKEUP */
    bool halted[16];                    /* endpoint halt (IN endpoints 1-15) */
    /* the control transfer in progress on endpoint 0 */
    enum { USB_CTL_IDLE, USB_CTL_DATA_IN, USB_CTL_DATA_OUT, USB_CTL_STATUS_IN,
           USB_CTL_STALLED } ctl_state;     /* STALLED: until the next SETUP */
    USBSetup setup;
    int ctl_len, ctl_pos;
    int pending_addr;                   /* SET_ADDRESS at its status stage, -1 none */
    uint8_t ctl_buf[USB_CTL_MAX];
};

/* a token for this device (the controller matched its address): SETUP
 * and OUT carry len bytes in buf, IN gets at most len bytes into buf.
 * Returns the bytes moved, USB_RET_NAK or USB_RET_STALL. */
int usb_handle_packet(USBDevice *d, int pid, int ep, uint8_t *buf, int len);
/* bus reset: address 0, unconfigured, endpoint 0 idle */
void usb_device_reset(USBDevice *d);
/* the request in an 8-byte SETUP packet */
void usb_parse_setup(const uint8_t *p, USBSetup *s);

/* the state above as a nested struct of the class device's section
 * (VMS_STRUCT(X, dev, usb_device_vmsd, v)): address, configuration,
 * remote wakeup, endpoint halts and the control transfer in progress.
 * The serializer runs no post_load of a nested struct: the class
 * device's post_load calls usb_device_post_load, which refuses values
 * the control pipe could not have made (false with *errp set). */
extern const VMStateDesc usb_device_vmsd;
bool usb_device_post_load(const USBDevice *d, GError **errp);

#endif
