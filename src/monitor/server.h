/*
 * server.h - the listening sockets of the monitor and QMP (-monitor
 * unix:PATH,server,nowait, -qmp tcp:HOST:PORT,server,nowait): accept
 * clients and move their bytes, on the machine's main loop (host fd
 * watches, bus/host.h), so they are served while the guest runs, halts or
 * is stopped.  What the bytes mean is the session's business (hmp.c,
 * qmp.c): the server calls open/input/close of MonConnOps.
 *
 * Several clients at once (at most MON_MAX_CLIENTS; one more is told so
 * and closed).  Bounded: input is read at most MON_READ_CHUNK bytes per
 * main-loop turn, handed to the session MON_FEED_STEP bytes at a time
 * while the client's unsent output is below MON_OUT_SOFT (the rest waits,
 * and nothing more is read, until the client reads its replies); output
 * beyond MON_OUT_MAX (events for a client that never reads) ends that
 * connection.  A client that leaves at any byte only ends its
 * connection (send with MSG_NOSIGNAL).
 *
 * Example:
 *     MonServer *s = mon_server_new(m, "-qmp", "unix:/tmp/q.sock,server,nowait",
 *                                   &qmp_conn_ops, mon, &err);
 */
#ifndef TX86_MON_SERVER_H
#define TX86_MON_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct Machine;
typedef struct MonServer MonServer;
typedef struct MonConn MonConn;

#define MON_MAX_CLIENTS 8
#define MON_READ_CHUNK  4096
#define MON_OUT_SOFT    (256u << 10)
#define MON_OUT_MAX     (8u << 20)
#define MON_FEED_STEP   16      /* input bytes handed over between output checks */

typedef struct MonConnOps {
    /* a client connected: its session (written to with mon_conn_write) */
    void *(*open)(void *opaque, MonConn *c);
    void  (*input)(void *session, const uint8_t *buf, size_t len);
    void  (*close)(void *session);
    const char *too_many;       /* told to the client over the limit */
} MonConnOps;

/* spec: "unix:PATH[,server][,nowait|,wait=off]" or
 * "tcp:[HOST]:PORT[,server][,...]" (HOST defaults to 127.0.0.1); a server
 * always (QEMU's client mode is refused); without nowait/wait=off tx86
 * waits here for the first client.  opt names the option in errors. */
MonServer *mon_server_new(struct Machine *m, const char *opt, const char *spec,
                          const MonConnOps *ops, void *opaque, GError **errp);
void       mon_server_free(MonServer *s);
/* is spec well formed? (no socket made) */
bool       mon_server_spec_check(const char *opt, const char *spec, GError **errp);

/* queue output for the client (sent at once when the socket takes it) */
void       mon_conn_write(void *conn, const char *buf, size_t len);

#endif
