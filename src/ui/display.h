/*
 * display.h - the host-neutral display core under the window (sdl.c) and
 * the VNC server (vnc.c): it takes frames from the VGA (vga_render) at a
 * fixed refresh rate, finds what changed since the last frame, and hands
 * front ends the new size and the changed rectangles; it also takes their
 * input (keys as PS/2 key numbers, relative mouse motion and buttons)
 * into the PS/2 keyboard and mouse.  The monitor's sendkey and
 * input-send-event go through the same input functions.
 *
 * The refresh is a host timer (a timerfd the main loop watches, bus/host.h):
 * it runs while the guest runs, halts or is stopped by the monitor, and
 * adds no virtual-clock timer (-icount runs stay the same).  Every refresh
 * also calls each front end's poll() for its host input.
 *
 * Example (main.c):
 *     if (!display_start(m, &err)) ...   // -display sdl, -vnc, the default
 * A front end:
 *     DisplayState *d = display_get(m, &err);
 *     display_add_frontend(d, &sdl_ops, ui);   // resize/update/flush/poll/free
 */
#ifndef TX86_DISPLAY_H
#define TX86_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "devices/vga.h"

struct Machine;
typedef struct DisplayState DisplayState;

#define DISPLAY_REFRESH_MS  30      /* about 33 frames a second */
#define DISPLAY_TILE        16      /* changes are found per 16x16 tile */

/* what a front end is told; every function may be NULL */
typedef struct DisplayFrontendOps {
    const char *name;
    /* the screen has a new size; an update of the whole screen follows */
    void (*resize)(void *opaque, int width, int height);
    /* the pixels in [x, x+w) x [y, y+h) changed (img: the whole screen,
     * RGB, 3 bytes a pixel) */
    void (*update)(void *opaque, const VGAImage *img, int x, int y, int w, int h);
    /* the updates of one refresh are done (present the frame) */
    void (*flush)(void *opaque);
    /* read host input (every refresh) */
    void (*poll)(void *opaque);
    void (*free)(void *opaque);
} DisplayFrontendOps;

/* the machine's display core, made on first use (needs the VGA) */
DisplayState *display_get(struct Machine *m, GError **errp);
void display_add_frontend(DisplayState *d, const DisplayFrontendOps *ops, void *opaque);
struct Machine *display_machine(DisplayState *d);
/* the last frame (never NULL; a blank 640x480 before the first one) */
const VGAImage *display_image(DisplayState *d);
/* render now and tell the front ends (the refresh timer calls it) */
void display_refresh(DisplayState *d);
/* the next refresh redraws everything (a front end lost its picture) */
void display_invalidate(DisplayState *d);

/* The command line's front ends: -display sdl, -vnc, and the default
 * (SDL when $DISPLAY or $WAYLAND_DISPLAY is set and nothing else was
 * asked for, as QEMU; a default window that cannot open only warns). */
bool display_start(struct Machine *m, GError **errp);

/* input, for the front ends and the monitor: a key (PS/2 key number,
 * ps2.h) goes down or up; mouse motion (dx right, dy up, dz wheel:
 * positive = towards the user) with the buttons held (bit 0 left,
 * 1 right, 2 middle).  The CPU sees the interrupt at once.  As in QEMU,
 * a usb-kbd takes the keys from the PS/2 keyboard and a usb-mouse the
 * relative motion from the PS/2 mouse (usb_hid.h). */
bool display_key_event(struct Machine *m, int key, bool down, GError **errp);
bool display_mouse_event(struct Machine *m, int dx, int dy, int dz, unsigned buttons,
                         GError **errp);
/* an absolute pointer position (x, y on a w x h screen) for the
 * usb-tablet when there is one, else the VMware vmmouse
 * (devices/vmport.h) when the guest has asked for absolute positions;
 * false when neither takes it (the front end then sends relative motion,
 * or grabs) */
/* an absolute position in QEMU's input range 0..0x7fff on both axes
 * (QMP input-send-event "abs"): to the usb-tablet, else the vmmouse */
bool display_pointer_abs(struct Machine *m, unsigned x, unsigned y, int dz, unsigned buttons,
                         GError **errp);
/* is there an absolute pointer that takes events now? */
bool display_has_abs_pointer(struct Machine *m);
bool display_mouse_abs(struct Machine *m, int x, int y, int w, int h, int dz,
                       unsigned buttons);

/* front ends (sdl.c, vnc.c) */
bool sdl_start(DisplayState *d, bool full_screen, GError **errp);
/* listen on host ("" = every interface) port 5900 + display */
bool vnc_start(DisplayState *d, const char *host, int display, GError **errp);
/* their key tables: an SDL scancode / an X keysym -> PC key (set 1 make
 * code, 0xE0xx extended; ps2.h), -1 if none */
int  sdl_scancode_to_key(int scancode);
int  vnc_keysym_to_key(uint32_t keysym);

#endif
