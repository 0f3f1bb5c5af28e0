/*
 * chardev.h - host back ends of character devices (the serial ports'
 * other end), named as on QEMU's command line (-serial SPEC):
 *
 *   stdio              stdout / stdin; a terminal is put in raw mode (restored
 *                      at exit) and Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A
 *                      (QEMU's -nographic muxing)
 *   mon:stdio          the same, shared with the monitor (chardev_set_mux):
 *                      Ctrl-A c switches the input between the serial port
 *                      and the monitor, also when stdin is a pipe; input is
 *                      read ahead (256 bytes) so an escape gets through
 *                      while the guest does not read (-nographic's default)
 *   file:PATH          output to PATH (truncated), no input
 *   pty                a new pseudo-terminal; its slave path is printed
 *   tcp:[HOST]:PORT,server[,nowait|,wait=off]
 *                      listens on HOST (default 127.0.0.1) and serves one
 *                      client at a time; without nowait the machine waits
 *                      for the first client before it starts, like QEMU
 *   null               output discarded, no input
 *   none               no device at all (chardev_spec_is_none)
 *
 * Input is read by the main loop (host_watch_fd, bus/host.h): the front end (the
 * UART) says how many bytes it can take and gets them in its receive
 * callback.  Output goes out at once (stdio is flushed at each newline and
 * whenever the main loop polls); a back end that cannot take it (no tcp
 * client, a full pty) drops it, as a serial line with nobody listening.
 *
 * Example:
 *     CharDev *c = chardev_new(&m->bus, "stdio", "serial0", &err);
 *     chardev_set_handlers(c, uart_can_receive, uart_receive, uart);
 *     chardev_write(c, (const uint8_t *)"hi\n", 3);
 */
#ifndef TX86_CHARDEV_H
#define TX86_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct Buses;
typedef struct CharDev CharDev;

typedef int  (*CharDevCanReceive)(void *opaque);                   /* bytes it takes now */
typedef void (*CharDevReceive)(void *opaque, const uint8_t *buf, int len);

/* is SPEC well formed?  (options.c checks -serial before building) */
bool     chardev_spec_check(const char *spec, GError **errp);
bool     chardev_spec_is_none(const char *spec);
/* open a back end; label names it in messages ("serial0") */
CharDev *chardev_new(const struct Buses *b, const char *spec, const char *label, GError **errp);
void     chardev_set_handlers(CharDev *c, CharDevCanReceive can_receive,
                              CharDevReceive receive, void *opaque);
/* the front end is the guest's (a serial port, not the monitor): its
 * input goes through the machine's record and replay (bus/host.h) */
void     chardev_set_guest_input(CharDev *c);
/* returns the number of bytes taken (the rest is dropped) */
int      chardev_write(CharDev *c, const uint8_t *buf, int len);
/* "mon:stdio": a monitor shares this back end (src/monitor/).  Ctrl-A c
 * switches the input between the front end and the monitor: while the
 * monitor has it, input(opaque) gets the bytes and focus(opaque, true) is
 * called when it takes over, focus(opaque, false) when it gives back.
 * The monitor writes with chardev_write.  Nothing happens for back ends
 * not opened as "mon:...". */
typedef void (*CharDevMuxInput)(void *opaque, const uint8_t *buf, int len);
typedef void (*CharDevMuxFocus)(void *opaque, bool monitor);
bool     chardev_is_mux(const CharDev *c);
void     chardev_set_mux(CharDev *c, CharDevMuxInput input, CharDevMuxFocus focus,
                         void *opaque);
/* the back end's spec as given ("stdio", "tcp::4444,server,nowait") and
 * its label ("serial0"): query-chardev */
const char *chardev_spec(const CharDev *c);
const char *chardev_label(const CharDev *c);
/* the host end is connected (tcp client present, pty/stdio/file always) */
bool     chardev_connected(CharDev *c);
void     chardev_free(CharDev *c);

/* the saved-state table (bus/vmstate.h): input read ahead and not yet
 * delivered; the serial port owning the back end registers it (ns16550.c) */
extern const struct VMStateDesc chardev_vmsd;
extern const size_t chardev_state_size;

#endif
