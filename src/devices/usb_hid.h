/*
 * usb_hid.h - the USB human interface devices QEMU users name with
 * -device usb-tablet | usb-mouse | usb-kbd (usb_hid.c): full-speed HID
 * functions with one interrupt IN endpoint (0x81) that look to the guest
 * like QEMU's (vendor 0627, product 0001, "QEMU USB Tablet" ...).
 *
 *     USBHidState *t = usb_hid_new(USB_HID_TABLET, "0000:00:01.2-1");
 *     uhci_attach(uhci, 0, usb_hid_device(t));
 *     usb_hid_pointer_abs(t, 0x4000, 0x4000, 0, 1);   // centre, left button
 *
 * Input reaches them from the display core (ui/display.c), which the
 * window, the VNC server and the monitor's sendkey / input-send-event use.
 */
#ifndef TX86_USB_HID_H
#define TX86_USB_HID_H

#include <stdbool.h>
#include "devices/usb.h"

typedef enum USBHidKind {
    USB_HID_NONE = 0,
    USB_HID_TABLET,                 /* absolute pointer, 0..0x7fff on both axes */
    USB_HID_MOUSE,                  /* relative mouse (boot protocol capable) */
    USB_HID_KBD,                    /* boot protocol keyboard */
} USBHidKind;

#define USB_HID_ABS_MAX 0x7fff

typedef struct USBHidState USBHidState;

/* path: the port path in the serial number string (QEMU's form
 * "SERIAL-PCIADDR-PORT"), may be NULL */
USBHidState *usb_hid_new(USBHidKind kind, const char *path);
void usb_hid_free(USBHidState *h);
USBDevice *usb_hid_device(USBHidState *h);
USBHidKind usb_hid_kind(const USBHidState *h);
/* "usb-tablet", "usb-mouse", "usb-kbd" <-> the kind (USB_HID_NONE if unknown) */
const char *usb_hid_kind_name(USBHidKind kind);
USBHidKind usb_hid_kind_from_name(const char *name);

/* events; buttons bit 0 left, 1 right, 2 middle; dz > 0 is the wheel
 * turned towards the user (as the PS/2 mouse, ps2.h) */
void usb_hid_pointer_abs(USBHidState *h, unsigned x, unsigned y, int dz, unsigned buttons);
/* dy > 0 is up, as ps2_mouse_event */
void usb_hid_pointer_rel(USBHidState *h, int dx, int dy, int dz, unsigned buttons);
/* key: a PC scancode set 1 (0xe0xx for the extended keys) as
 * display_key_event takes it */
void usb_hid_key(USBHidState *h, int key, bool down);
/* the HID usage of a scancode set 1 key, 0 if none */
int usb_hid_usage_from_scancode(int key);

/* saved state: section "usb-hid" (bus/vmstate.h), registered by the
 * controller the device is attached to (uhci_attach) */
extern const VMStateDesc usb_hid_vmsd;
extern const size_t usb_hid_state_size;

#endif
