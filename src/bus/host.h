/*
 * host.h - what a device may ask of the machine that holds it, without
 * naming the machine: join its device list (reset and free with it), ask
 * for a system reset or a shutdown, have the main loop watch a host fd,
 * end the CPU slice after re-arming a timer, have its state saved with
 * the machine's (bus/vmstate.h).
 *
 * The board fills one BusHost (machine.c: Machine.host) before it builds
 * any device; devices call the host_* wrappers below, which go through
 * the ops table, so no device calls into src/machine/ by name.
 *
 *   host_register_device(&m->host, s, (void (*)(void *))xxx_free,
 *                        (void (*)(void *))xxx_reset);
 *   host_request_reset(&m->host);      // the i8042's reset pulse
 */
#ifndef TX86_BUS_HOST_H
#define TX86_BUS_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct VMStateDesc;                         /* bus/vmstate.h */

/* Host input (chardev.c: serial back ends).  The main loop polls each
 * watched fd between CPU slices (about every millisecond) and while the
 * guest halts (poll instead of a plain sleep); ready(opaque) false means
 * "cannot take input now" (the fd is not polled), then on_input(opaque)
 * runs when the fd is readable or hung up.  A watched fd also counts as
 * something that can wake a halted guest.  flush(opaque), if not NULL,
 * runs before every poll (buffered output). */
typedef struct HostFdWatch {
    int fd;
    bool (*ready)(void *opaque);            /* NULL: always ready */
    void (*on_input)(void *opaque);
    void (*flush)(void *opaque);            /* may be NULL */
    void *opaque;
} HostFdWatch;

/* host input for the guest, delivered by the machine (host_input) */
typedef void (*HostInputFn)(void *opaque, const uint8_t *buf, size_t len);

typedef struct BusHostOps {
    /* a device's state joins the machine: freed with it (free_fn) and
     * reset by a machine reset (reset_fn, may be NULL) */
    void (*register_device)(void *opaque, void *state, void (*free_fn)(void *),
                            void (*reset_fn)(void *));
    /* a state that snapshots and migration carry (bus/vmstate.h): saved
     * and loaded through its table; instances of one name are numbered
     * in registration order */
    void (*register_state)(void *opaque, const struct VMStateDesc *desc, void *state);
    /* a system reset after the current instruction (or the end of tx86
     * with status 0 under -no-reboot) */
    void (*request_reset)(void *opaque);
    /* stop the machine; tx86 exits with status */
    void (*request_shutdown)(void *opaque, int status);
    /* a timer was (re)armed from a guest I/O access: end the CPU slice at
     * the next instruction boundary so the next one is sized by it */
    void (*timers_changed)(void *opaque);
    void (*watch_fd)(void *opaque, const HostFdWatch *w);
    void (*unwatch_fd)(void *opaque, int fd, void *fd_opaque);
    /* Record and replay (machine/replay.h): every piece of host input
     * that reaches the guest (a serial port's bytes) goes through the
     * machine.  input_source names a source once and returns its id (-1:
     * the machine delivers at once, as when not recording); input(id)
     * then delivers through the source's fn: at once, or when recording
     * at the main loop's next turn (and logged), or never when replaying
     * (the log's copy arrives at its instruction).  May be NULL. */
    int  (*input_source)(void *opaque, const char *name, HostInputFn fn, void *fn_opaque);
    void (*input)(void *opaque, int id, const uint8_t *buf, size_t len);
    /* the guest's output was shown once already (a replay going over its
     * past again for the debugger): devices drop it.  May be NULL. */
    bool (*output_muted)(void *opaque);
    /* the time of day (us since 1970) the guest's clock chip starts from:
     * the host's, or a recording's.  May be NULL (host_realtime_us: -1) */
    int64_t (*realtime_us)(void *opaque);
} BusHostOps;

typedef struct BusHost {
    const BusHostOps *ops;
    void *opaque;                           /* the machine */
} BusHost;

static inline void host_register_device(BusHost *h, void *state, void (*free_fn)(void *),
                                        void (*reset_fn)(void *))
{
    h->ops->register_device(h->opaque, state, free_fn, reset_fn);
}
static inline void host_register_state(BusHost *h, const struct VMStateDesc *desc,
                                       void *state)
{
    if (h->ops->register_state)             /* bare test hosts may have none */
        h->ops->register_state(h->opaque, desc, state);
}
static inline void host_request_reset(BusHost *h) { h->ops->request_reset(h->opaque); }
static inline void host_request_shutdown(BusHost *h, int status)
{
    h->ops->request_shutdown(h->opaque, status);
}
static inline void host_timers_changed(BusHost *h) { h->ops->timers_changed(h->opaque); }
static inline void host_watch_fd(BusHost *h, const HostFdWatch *w)
{
    h->ops->watch_fd(h->opaque, w);
}
static inline void host_unwatch_fd(BusHost *h, int fd, void *fd_opaque)
{
    h->ops->unwatch_fd(h->opaque, fd, fd_opaque);
}

static inline int host_input_source(BusHost *h, const char *name, HostInputFn fn,
                                    void *fn_opaque)
{
    return h->ops->input_source ? h->ops->input_source(h->opaque, name, fn, fn_opaque) : -1;
}
/* host input of source id (host_input_source; fn and fn_opaque as given
 * there, used at once when id < 0) */
static inline void host_input(BusHost *h, int id, HostInputFn fn, void *fn_opaque,
                              const uint8_t *buf, size_t len)
{
    if (id < 0)
        fn(fn_opaque, buf, len);
    else
        h->ops->input(h->opaque, id, buf, len);
}
static inline int64_t host_realtime_us(BusHost *h)
{
    return h->ops->realtime_us ? h->ops->realtime_us(h->opaque) : -1;
}
static inline bool host_output_muted(BusHost *h)
{
    return h->ops->output_muted && h->ops->output_muted(h->opaque);
}

#endif
