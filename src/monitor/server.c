/*
 * server.c - listening sockets for the monitor and QMP (see server.h).
 *
 * The listening socket and every client socket are watched by the main
 * loop (host_watch_fd): the listener's handler accepts, a client's reads
 * one chunk and hands it to the session.  Output goes out with
 * send(MSG_NOSIGNAL | MSG_DONTWAIT); what the socket does not take waits
 * in the connection's buffer and is retried before every poll (the
 * watch's flush).  A connection is closed only from its own input handler
 * (EOF, error, or marked dead by an output overflow, which also shuts the
 * socket down so its EOF wakes the handler): the main loop's watch list is
 * never changed from a flush.
 *
 * unix:PATH replaces only a stale socket (nobody listening), never another
 * kind of file, and at the end removes the socket only if it is still the
 * one made here.
 */
#define _GNU_SOURCE             /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "machine/machine.h"
#include "monitor/server.h"
#include "util/sock.h"

struct MonConn {
    MonServer *srv;
    int fd;
    GString *out;               /* unsent output */
    GByteArray *backlog;        /* input read but not yet given to the session */
    bool dead;                  /* close at the next input turn */
    void *session;
};

struct MonServer {
    struct Machine *m;
    const MonConnOps *ops;
    void *opaque;
    char *opt;                  /* "-qmp", for messages */
    int listen_fd;
    GPtrArray *conns;           /* MonConn */
    UnixSocket unix_sock;       /* unix:PATH, removed at the end (util/sock.h) */
};

typedef struct MonSpec {
    bool is_unix;
    char *path;                 /* unix */
    char *host;                 /* tcp */
    char *port;
    bool wait;
} MonSpec;

static void mon_spec_clear(MonSpec *p)
{
    g_free(p->path);
    g_free(p->host);
    g_free(p->port);
}

static bool mon_spec_parse(const char *opt, const char *spec, MonSpec *p, GError **errp)
{
    memset(p, 0, sizeof(*p));
    p->wait = true;
    bool server = false, ok = true;
    p->is_unix = g_str_has_prefix(spec, "unix:");
    if (!p->is_unix && !g_str_has_prefix(spec, "tcp:")) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s '%s': use unix:PATH,server,nowait or tcp:[HOST]:PORT,server,nowait",
                    opt, spec);
        return false;
    }
    gchar **parts = g_strsplit(spec + (p->is_unix ? 5 : 4), ",", -1);
    const char *addr = parts[0] ? parts[0] : "";
    if (p->is_unix) {
        if (!*addr || strlen(addr) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s '%s': bad socket path (empty or longer than 107 bytes)", opt, spec);
            ok = false;
        }
        p->path = g_strdup(addr);
    } else {
        const char *colon = strrchr(addr, ':');
        char *end = NULL;
        long port = colon && colon[1] ? strtol(colon + 1, &end, 10) : -1;
        if (!colon || port < 0 || port > 65535 || (end && *end)) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s '%s': expected tcp:[HOST]:PORT with a port 0..65535", opt, spec);
            ok = false;
        } else {
            p->host = g_strndup(addr, (gsize)(colon - addr));
            p->port = g_strdup(colon + 1);
        }
    }
    for (int i = 1; ok && parts[i]; i++) {
        const char *o = parts[i];
        if (!strcmp(o, "server") || !strcmp(o, "server=on"))
            server = true;
        else if (!strcmp(o, "nowait") || !strcmp(o, "wait=off"))
            p->wait = false;
        else if (!strcmp(o, "wait") || !strcmp(o, "wait=on"))
            p->wait = true;
        else if (!strcmp(o, "server=off"))
            server = false;
        else {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s '%s': unknown option '%s' (server, nowait, server=on, wait=off)",
                        opt, spec, o);
            ok = false;
        }
    }
    if (ok && !server) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s '%s': only server sockets are supported (add ,server,nowait)",
                    opt, spec);
        ok = false;
    }
    g_strfreev(parts);
    if (!ok)
        mon_spec_clear(p);
    return ok;
}

bool mon_server_spec_check(const char *opt, const char *spec, GError **errp)
{
    MonSpec p;
    if (!mon_spec_parse(opt, spec, &p, errp))
        return false;
    mon_spec_clear(&p);
    return true;
}

/* ---------------------------------------------------------------- clients */

static void mon_conn_free(MonConn *c)
{
    MonServer *s = c->srv;
    host_unwatch_fd(&s->m->host, c->fd, c);
    if (c->session)
        s->ops->close(c->session);
    close(c->fd);
    g_string_free(c->out, TRUE);
    g_byte_array_free(c->backlog, TRUE);
    g_ptr_array_remove(s->conns, c);
    g_free(c);
}

/* send what waits; false if the connection is broken */
static bool mon_conn_send(MonConn *c)
{
    while (c->out->len) {
        ssize_t n = send(c->fd, c->out->str, c->out->len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        g_string_erase(c->out, 0, n);
    }
    return true;
}

static void mon_conn_kill(MonConn *c)
{
    c->dead = true;
    g_string_truncate(c->out, 0);
    shutdown(c->fd, SHUT_RDWR);         /* its EOF wakes mon_conn_input */
}

void mon_conn_write(void *conn, const char *buf, size_t len)
{
    MonConn *c = conn;
    if (c->dead)
        return;
    if (c->out->len + len > MON_OUT_MAX) {
        mon_conn_kill(c);               /* a client that does not read */
        return;
    }
    g_string_append_len(c->out, buf, (gssize)len);
    if (!mon_conn_send(c))
        mon_conn_kill(c);
}

/* give the session what was read, MON_FEED_STEP bytes at a time, while
 * the client takes its replies: a client that sends many requests and
 * reads nothing stops being read (its replies stay below MON_OUT_SOFT
 * plus what the last step's commands print) instead of being cut off */
static void mon_conn_feed(MonConn *c)
{
    guint done = 0;
    while (done < c->backlog->len && !c->dead && c->out->len < MON_OUT_SOFT) {
        guint n = MIN(c->backlog->len - done, MON_FEED_STEP);
        c->srv->ops->input(c->session, c->backlog->data + done, n);
        done += n;
    }
    g_byte_array_remove_range(c->backlog, 0, done);
}

static bool mon_conn_ready(void *opaque)
{
    MonConn *c = opaque;
    return c->dead || (!c->backlog->len && c->out->len < MON_OUT_SOFT);
}

static void mon_conn_flush(void *opaque)
{
    MonConn *c = opaque;
    if (!c->dead && c->out->len && !mon_conn_send(c))
        mon_conn_kill(c);
    if (!c->dead && c->backlog->len && c->out->len < MON_OUT_SOFT)
        mon_conn_feed(c);               /* writes only: the watch list stays */
}

static void mon_conn_input(void *opaque)
{
    MonConn *c = opaque;
    uint8_t buf[MON_READ_CHUNK];
    if (!c->dead) {
        ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n > 0) {
            g_byte_array_append(c->backlog, buf, (guint)n);
            mon_conn_feed(c);
            if (!c->dead)
                return;
        }
    }
    mon_conn_free(c);                   /* EOF, error, or dead */
}

static void mon_server_accept(void *opaque)
{
    MonServer *s = opaque;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;                         /* the client left before we took it */
    if (s->conns->len >= MON_MAX_CLIENTS) {
        const char *msg = s->ops->too_many;
        if (send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
            /* nothing to do: closed anyway */
        }
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));   /* fails on unix: fine */
    MonConn *c = g_new0(MonConn, 1);
    c->srv = s;
    c->fd = fd;
    c->out = g_string_new(NULL);
    c->backlog = g_byte_array_new();
    g_ptr_array_add(s->conns, c);
    HostFdWatch w = {
        .fd = fd, .ready = mon_conn_ready, .on_input = mon_conn_input,
        .flush = mon_conn_flush, .opaque = c,
    };
    host_watch_fd(&s->m->host, &w);
    c->session = s->ops->open(s->opaque, c);      /* may write the greeting */
}

/* ---------------------------------------------------------------- listen */

static bool mon_listen_unix(MonServer *s, const char *spec, const char *path, GError **errp)
{
    gchar *what = g_strdup_printf("%s %s", s->opt, spec);
    s->listen_fd = unix_socket_listen(&s->unix_sock, path, MON_MAX_CLIENTS, what, errp);
    g_free(what);
    return s->listen_fd >= 0;
}

static bool mon_listen_tcp(MonServer *s, const char *spec, const MonSpec *p, GError **errp)
{
    const char *host = *p->host ? p->host : "127.0.0.1";
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res;
    int r = getaddrinfo(host, p->port, &hints, &res);
    if (r) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s %s: cannot resolve '%s': %s",
                    s->opt, spec, host, gai_strerror(r));
        return false;
    }
    int err = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, MON_MAX_CLIENTS) == 0) {
            s->listen_fd = fd;
            break;
        }
        err = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (s->listen_fd < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(err),
                    "%s %s: cannot listen on %s:%s: %s", s->opt, spec, host, p->port,
                    g_strerror(err));
        return false;
    }
    return true;
}

MonServer *mon_server_new(struct Machine *m, const char *opt, const char *spec,
                          const MonConnOps *ops, void *opaque, GError **errp)
{
    MonSpec p;
    if (!mon_spec_parse(opt, spec, &p, errp))
        return NULL;
    MonServer *s = g_new0(MonServer, 1);
    s->m = m;
    s->ops = ops;
    s->opaque = opaque;
    s->opt = g_strdup(opt);
    s->listen_fd = -1;
    s->conns = g_ptr_array_new();
    bool ok = p.is_unix ? mon_listen_unix(s, spec, p.path, errp)
                        : mon_listen_tcp(s, spec, &p, errp);
    bool wait = p.wait;
    mon_spec_clear(&p);
    if (!ok) {
        mon_server_free(s);
        return NULL;
    }
    fcntl(s->listen_fd, F_SETFL, fcntl(s->listen_fd, F_GETFL) | O_NONBLOCK);
    HostFdWatch w = { .fd = s->listen_fd, .on_input = mon_server_accept, .opaque = s };
    host_watch_fd(&m->host, &w);
    if (wait) {                         /* as QEMU: start once a client is there */
        fprintf(stderr, "tx86: %s: waiting for a connection on %s\n", opt, spec);
        while (!s->conns->len) {
            struct pollfd pf = { .fd = s->listen_fd, .events = POLLIN };
            if (poll(&pf, 1, -1) > 0)
                mon_server_accept(s);
        }
    }
    return s;
}

void mon_server_free(MonServer *s)
{
    if (!s)
        return;
    while (s->conns->len)
        mon_conn_free(g_ptr_array_index(s->conns, s->conns->len - 1));
    g_ptr_array_free(s->conns, TRUE);
    if (s->listen_fd >= 0) {
        host_unwatch_fd(&s->m->host, s->listen_fd, s);
        close(s->listen_fd);
    }
    unix_socket_remove(&s->unix_sock);   /* ours, not what replaced it */
    g_free(s->opt);
    g_free(s);
}
