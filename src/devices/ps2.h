/*
 * ps2.h - the PS/2 keyboard (MF2, scancode sets 1/2/3) and mouse
 * (3-byte packets, IntelliMouse wheel) behind the i8042 controller.
 * See ps2.c.
 *
 * The devices talk bytes with the controller: ps2_*_write() sends a
 * command or argument byte to the device; the device queues its answers
 * and events, and calls notify(opaque) when a byte is waiting;
 * ps2_*_read() takes the next one (-1 when none).
 *
 * Host input: keys are numbered by their PC/XT (set 1) make code, extended
 * keys with 0xE000 added (PS2_KEY_UP = 0xE048); the keyboard sends them in
 * its current scancode set.  Example (a curses front end typing "A"):
 *     bool shift;
 *     int key = ps2_ascii_to_key('A', &shift);       // 0x1E, shift = true
 *     ps2_kbd_put_key(kbd, PS2_KEY_LSHIFT, true);
 *     ps2_kbd_put_key(kbd, key, true);  ps2_kbd_put_key(kbd, key, false);
 *     ps2_kbd_put_key(kbd, PS2_KEY_LSHIFT, false);
 */
#ifndef TX86_PS2_H
#define TX86_PS2_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct PS2Kbd PS2Kbd;
typedef struct PS2Mouse PS2Mouse;
typedef void (*PS2Notify)(void *opaque);

/* a few key numbers (set 1 make codes; 0xE0xx = extended) */
enum {
    PS2_KEY_ESC = 0x01, PS2_KEY_BACKSPACE = 0x0e, PS2_KEY_TAB = 0x0f,
    PS2_KEY_ENTER = 0x1c, PS2_KEY_LCTRL = 0x1d, PS2_KEY_LSHIFT = 0x2a,
    PS2_KEY_RSHIFT = 0x36, PS2_KEY_LALT = 0x38, PS2_KEY_SPACE = 0x39,
    PS2_KEY_CAPSLOCK = 0x3a, PS2_KEY_F1 = 0x3b, PS2_KEY_F10 = 0x44,
    PS2_KEY_F11 = 0x57, PS2_KEY_F12 = 0x58,
    PS2_KEY_HOME = 0xe047, PS2_KEY_UP = 0xe048, PS2_KEY_PGUP = 0xe049,
    PS2_KEY_LEFT = 0xe04b, PS2_KEY_RIGHT = 0xe04d, PS2_KEY_END = 0xe04f,
    PS2_KEY_DOWN = 0xe050, PS2_KEY_PGDN = 0xe051, PS2_KEY_INSERT = 0xe052,
    PS2_KEY_DELETE = 0xe053, PS2_KEY_RCTRL = 0xe01d, PS2_KEY_RALT = 0xe038,
};

PS2Kbd *ps2_kbd_new(PS2Notify notify, void *opaque);
void    ps2_kbd_reset(PS2Kbd *k);            /* power-on: set 2, scanning on */
void    ps2_kbd_free(PS2Kbd *k);
void    ps2_kbd_write(PS2Kbd *k, uint8_t b); /* command or argument from the host */
int     ps2_kbd_read(PS2Kbd *k);             /* next byte, -1 if none */
bool    ps2_kbd_has_data(const PS2Kbd *k);
/* a key goes down or up (key as above); dropped while scanning is off */
void    ps2_kbd_put_key(PS2Kbd *k, int key, bool down);
int     ps2_kbd_scancode_set(const PS2Kbd *k);
/* ASCII to key number; *shift says whether Shift must be held; Ctrl
 * characters (1..26) map to their letter with *shift false (hold Ctrl).
 * Returns -1 for characters without a key. */
int     ps2_ascii_to_key(int c, bool *shift);
/* the set 2 code of a set 1 code (0..0x7f), 0 if none: the i8042's
 * translation is its inverse (i8042.c) */
uint8_t ps2_set1_to_set2(uint8_t code);

PS2Mouse *ps2_mouse_new(PS2Notify notify, void *opaque);
void    ps2_mouse_reset(PS2Mouse *ms);
void    ps2_mouse_free(PS2Mouse *ms);
void    ps2_mouse_write(PS2Mouse *ms, uint8_t b);
int     ps2_mouse_read(PS2Mouse *ms);
bool    ps2_mouse_has_data(const PS2Mouse *ms);
/* movement (dx right, dy up, dz wheel) and buttons (bit 0 left, 1 right,
 * 2 middle); sent as packets in stream mode when reporting is on */
void    ps2_mouse_event(PS2Mouse *ms, int dx, int dy, int dz, unsigned buttons);

/* the saved-state tables (bus/vmstate.h): the i8042 registers them for
 * its keyboard and mouse; the sizes are for the tests */
extern const struct VMStateDesc ps2_kbd_vmsd, ps2_mouse_vmsd;
extern const size_t ps2_kbd_state_size, ps2_mouse_state_size;

#endif
