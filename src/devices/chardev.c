/*
 * chardev.c - host back ends for the serial ports (see chardev.h).
 *
 * Not a chip: the host side of a serial line.  Each back end has at most
 * one input fd, which the main loop watches (host_watch_fd) while the
 * front end can take bytes; output is written as the guest sends it.
 * Back ends follow QEMU's -chardev/-serial behaviour as documented in its
 * manual (spec syntax, "char device redirected to" message, the Ctrl-A
 * escape of -nographic), written from that description.
 *
 * The tcp back end faces the network: it listens on 127.0.0.1 unless a
 * host is given, writes with send(MSG_NOSIGNAL | MSG_DONTWAIT) (a client
 * that vanishes at any byte is disconnected, never a SIGPIPE or a stall),
 * and reads only what the UART can take, so input never piles up in tx86.
 */
#define _GNU_SOURCE             /* posix_openpt, ptsname, accept4 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "bus/buses.h"
#include "devices/chardev.h"

typedef enum CharDevKind {
    CHARDEV_NULL, CHARDEV_STDIO, CHARDEV_FILE, CHARDEV_PTY, CHARDEV_TCP,
} CharDevKind;

#define CHARDEV_ESCAPE 0x01     /* Ctrl-A, the stdio mux escape */

struct CharDev {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    CharDevKind kind;
    char *label;
    FILE *out;                  /* stdio, file: buffered output */
    int in_fd;                  /* watched input fd, -1 if none */
    int out_fd;                 /* pty master / tcp client, -1 if none */
    int listen_fd;              /* tcp: listening socket */
    int pty_slave;              /* pty: our own slave fd (no EIO when nobody is attached) */
    bool watching;              /* in_fd is registered with the main loop */
    bool tty_raw;               /* stdio: stdin's termios saved in tty_saved */
    struct termios tty_saved;
    bool mux_escape;            /* stdio: Ctrl-A seen */
    bool mux_mon;               /* "mon:stdio": escapes also without a terminal */
    bool mon_focus;             /* mon:stdio: input goes to the monitor (Ctrl-A c) */
    CharDevMuxInput mux_input;  /* the monitor sharing the back end */
    CharDevMuxFocus mux_focus;
    void *mux_opaque;
    /* mon:stdio: input read ahead for the front end, so that a Ctrl-A
     * escape gets through while the guest does not read its port */
    uint8_t pend[256];
    int npend;
    char *spec;
    CharDevCanReceive can_receive;
    CharDevReceive receive;
    void *opaque;
    int input_id;               /* host_input_source's id for the front end */
};

/* saved state (bus/vmstate.h): the guest's view only, the input read
 * ahead for the front end and not delivered yet (mon:stdio); fds, the
 * terminal and the monitor mux are the host's.  The serial port that
 * owns the back end registers this section ("chardev", one per port in
 * port order), so a -monitor on its own chardev does not shift them. */
static bool chardev_post_load(void *opaque, int version, GError **errp)
{
    CharDev *c = opaque;
    if (c->npend < 0 || c->npend > (int)sizeof(c->pend)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "chardev: %d bytes pending, at most %zu",
                    c->npend, sizeof(c->pend));
        return false;
    }
    return true;
}

static const VMStateField chardev_fields[] = {
    VMS_BYTES(CharDev, pend, 1),
    VMS_I32(CharDev, npend, 1),
    VMS_END
};
const VMStateDesc chardev_vmsd = { .name = "chardev", .version = 1, .min_version = 1,
                                   .fields = chardev_fields, .post_load = chardev_post_load };
const size_t chardev_state_size = sizeof(CharDev);

static void chardev_watch(CharDev *c, int fd, void (*on_input)(void *));

static bool chardev_fail(GError **errp, const char *label, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static bool chardev_fail(GError **errp, const char *label, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", label, msg);
    g_free(msg);
    return false;
}

/* ---- spec parsing ---- */

typedef struct TcpSpec {
    char host[256];
    int port;
    bool server, wait;
} TcpSpec;

/* "tcp:[HOST]:PORT,server[,nowait|,wait=off|,server=on|,wait=on]" */
static bool chardev_parse_tcp(const char *spec, TcpSpec *t, const char *label, GError **errp)
{
    memset(t, 0, sizeof(*t));
    t->wait = true;
    const char *p = spec + 4;
    gchar **parts = g_strsplit(p, ",", -1);
    bool ok = false;
    const char *addr = parts[0] ? parts[0] : "";       /* "tcp:" splits into nothing */
    const char *colon = strrchr(addr, ':');
    if (!colon) {
        chardev_fail(errp, label, "'%s': expected tcp:[HOST]:PORT,server", spec);
        goto out;
    }
    size_t hl = (size_t)(colon - addr);
    if (hl >= sizeof(t->host)) {
        chardev_fail(errp, label, "'%s': host name too long", spec);
        goto out;
    }
    memcpy(t->host, addr, hl);
    t->host[hl] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535) {
        chardev_fail(errp, label, "'%s': invalid port '%s'", spec, colon + 1);
        goto out;
    }
    t->port = (int)port;
    for (int i = 1; parts[i]; i++) {
        const char *o = parts[i];
        if (!strcmp(o, "server") || !strcmp(o, "server=on"))
            t->server = true;
        else if (!strcmp(o, "nowait") || !strcmp(o, "wait=off"))
            t->wait = false;
        else if (!strcmp(o, "wait") || !strcmp(o, "wait=on"))
            t->wait = true;
        else if (!strcmp(o, "server=off"))
            t->server = false;
        else {
            chardev_fail(errp, label, "'%s': unknown tcp option '%s'", spec, o);
            goto out;
        }
    }
    if (!t->server) {
        chardev_fail(errp, label, "'%s': only tcp server mode is supported (add ,server)", spec);
        goto out;
    }
    ok = true;
out:
    g_strfreev(parts);
    return ok;
}

bool chardev_spec_is_none(const char *spec)
{
    return !strcmp(spec, "none");
}

static bool chardev_parse(const char *spec, CharDevKind *kind, TcpSpec *tcp,
                          const char *label, GError **errp)
{
    if (!strcmp(spec, "null") || !strcmp(spec, "none"))
        *kind = CHARDEV_NULL;
    else if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio"))
        *kind = CHARDEV_STDIO;
    else if (g_str_has_prefix(spec, "file:") && spec[5])
        *kind = CHARDEV_FILE;
    else if (!strcmp(spec, "pty"))
        *kind = CHARDEV_PTY;
    else if (g_str_has_prefix(spec, "tcp:")) {
        *kind = CHARDEV_TCP;
        return chardev_parse_tcp(spec, tcp, label, errp);
    } else
        return chardev_fail(errp, label, "unsupported back end '%s' (stdio, file:PATH, pty, "
                            "tcp:[HOST]:PORT,server[,nowait], null, none)", spec);
    return true;
}

bool chardev_spec_check(const char *spec, GError **errp)
{
    CharDevKind kind;
    TcpSpec tcp;
    return chardev_parse(spec, &kind, &tcp, "-serial", errp);
}

/* ---- input ---- */

static bool chardev_ready(void *opaque)
{
    CharDev *c = opaque;
    if (c->mon_focus || (c->mux_mon && c->npend < (int)sizeof(c->pend)))
        return true;
    return c->can_receive && c->can_receive(c->opaque) > 0;
}

/* bytes for the front end go through the machine (bus/host.h: record
 * and replay log them), which calls this */
static void chardev_input_deliver(void *opaque, const uint8_t *buf, size_t len)
{
    CharDev *c = opaque;
    if (c->receive)
        c->receive(c->opaque, buf, (int)len);
}

static void chardev_to_guest(CharDev *c, const uint8_t *buf, int len)
{
    if (len > 0)
        host_input(c->buses.host, c->input_id, chardev_input_deliver, c, buf, (size_t)len);
}

/* mon:stdio: hand read-ahead input to the front end as it takes it */
static void chardev_drain(CharDev *c)
{
    int want = c->npend && c->can_receive ? c->can_receive(c->opaque) : 0;
    if (want <= 0 || !c->receive)
        return;
    int n = MIN(want, c->npend);
    chardev_to_guest(c, c->pend, n);
    memmove(c->pend, c->pend + n, (size_t)(c->npend - n));
    c->npend -= n;
}

static void chardev_flush(void *opaque)
{
    CharDev *c = opaque;
    if (c->out)
        fflush(c->out);
    if (c->npend)
        chardev_drain(c);
}

static void chardev_unwatch(CharDev *c)
{
    if (c->watching)
        host_unwatch_fd(c->buses.host, c->in_fd, c);
    c->watching = false;
}

static void chardev_tcp_accept(void *opaque);

/* the tcp client went away: listen again */
static void chardev_tcp_disconnect(CharDev *c)
{
    chardev_unwatch(c);
    if (c->out_fd >= 0)
        close(c->out_fd);
    c->out_fd = c->in_fd = -1;
    c->in_fd = c->listen_fd;
    chardev_watch(c, c->listen_fd, chardev_tcp_accept);
}

/* input to whoever has it: the monitor (mon:stdio, Ctrl-A c) or the
 * front end (no more than it takes now) */
static void chardev_deliver(CharDev *c, const uint8_t *buf, int len)
{
    if (len <= 0)
        return;
    if (c->mon_focus) {
        c->mux_input(c->mux_opaque, buf, len);
        return;
    }
    if (c->mux_mon) {           /* queued behind what waits already */
        int n = MIN(len, (int)sizeof(c->pend) - c->npend);
        memcpy(c->pend + c->npend, buf, (size_t)n);
        c->npend += n;
        chardev_drain(c);
        return;
    }
    int want = c->can_receive ? c->can_receive(c->opaque) : 0;
    if (want > 0 && c->receive)
        chardev_to_guest(c, buf, MIN(len, want));
}

/* stdio: Ctrl-A x quits, Ctrl-A Ctrl-A (or a) sends Ctrl-A, Ctrl-A c
 * switches to the monitor and back (mon:stdio), Ctrl-A h helps */
static void chardev_mux(CharDev *c, uint8_t *buf, int n)
{
    int start = 0, o = 0;           /* buf[start..o) waits for delivery */
    for (int i = 0; i < n; i++) {
        uint8_t b = buf[i];
        if (c->mux_escape) {
            c->mux_escape = false;
            if (b == 'x') {
                chardev_deliver(c, buf + start, o - start);
                fprintf(stderr, "\r\ntx86: terminated (Ctrl-A x)\r\n");
                host_request_shutdown(c->buses.host, 0);
                return;
            } else if (b == 'c' && c->mux_input) {
                chardev_deliver(c, buf + start, o - start);
                start = o;
                c->mon_focus = !c->mon_focus;
                c->mux_focus(c->mux_opaque, c->mon_focus);
            } else if (b == 'h' || b == '?') {
                fprintf(stderr, "\r\nCtrl-A x  exit tx86\r\nCtrl-A a  send Ctrl-A\r\n%s",
                        c->mux_input ? "Ctrl-A c  switch between console and monitor\r\n" : "");
            } else if (b == CHARDEV_ESCAPE || b == 'a') {
                buf[o++] = CHARDEV_ESCAPE;
            } else {
                buf[o++] = CHARDEV_ESCAPE;
                buf[o++] = b;       /* o <= i: there is room */
            }
        } else if (b == CHARDEV_ESCAPE && (c->tty_raw || c->mux_mon)) {
            c->mux_escape = true;
        } else {
            buf[o++] = b;
        }
    }
    chardev_deliver(c, buf + start, o - start);
}

static void chardev_on_input(void *opaque)
{
    CharDev *c = opaque;
    uint8_t buf[256];
    int want = c->mon_focus ? (int)sizeof(buf)
             : c->mux_mon ? (int)sizeof(c->pend) - c->npend
             : c->can_receive ? c->can_receive(c->opaque) : 0;
    if (want <= 0)
        return;
    /* room for the Ctrl-A the mux may have held back */
    int max = MIN(want, (int)sizeof(buf) - 1);
    ssize_t n = read(c->in_fd, buf, (size_t)max);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {              /* EOF or error: no more input from here */
        if (c->kind == CHARDEV_TCP) {
            chardev_tcp_disconnect(c);
        } else {
            chardev_unwatch(c);
        }
        return;
    }
    if (c->kind == CHARDEV_STDIO)
        chardev_mux(c, buf, (int)n);
    else if (c->receive)
        chardev_to_guest(c, buf, MIN((int)n, want));
}

static void chardev_watch(CharDev *c, int fd, void (*on_input)(void *))
{
    HostFdWatch w = {
        .fd = fd,
        .ready = on_input == chardev_on_input ? chardev_ready : NULL,
        .on_input = on_input,
        .flush = c->kind == CHARDEV_STDIO ? chardev_flush : NULL,
        .opaque = c,
    };
    host_watch_fd(c->buses.host, &w);
    c->watching = true;
}

static void chardev_tcp_accept(void *opaque)
{
    CharDev *c = opaque;
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;                     /* the client left before we took it */
    chardev_unwatch(c);             /* one client at a time */
    c->in_fd = c->out_fd = fd;
    chardev_watch(c, fd, chardev_on_input);
}

/* ---- opening ---- */

static bool chardev_open_tcp(CharDev *c, const TcpSpec *t, GError **errp)
{
    const char *host = t->host[0] ? t->host : "127.0.0.1";
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res;
    char port[16];
    snprintf(port, sizeof(port), "%d", t->port);
    int r = getaddrinfo(host, port, &hints, &res);
    if (r)
        return chardev_fail(errp, c->label, "tcp: cannot resolve '%s': %s", host, gai_strerror(r));
    int fd = -1, err = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return chardev_fail(errp, c->label, "tcp: cannot listen on %s:%d: %s", host, t->port,
                            g_strerror(err));
    c->listen_fd = fd;
    if (t->wait) {
        fprintf(stderr, "tx86: %s: waiting for a connection on tcp:%s:%d,server\n",
                c->label, host, t->port);
        int cfd;
        do      /* a client that resets before we take it: wait for the next */
            cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        while (cfd < 0 && (errno == EINTR || errno == ECONNABORTED));
        if (cfd < 0)
            return chardev_fail(errp, c->label, "tcp: accept: %s", g_strerror(errno));
        c->in_fd = c->out_fd = cfd;
        chardev_watch(c, cfd, chardev_on_input);
    } else {
        c->in_fd = fd;
        chardev_watch(c, fd, chardev_tcp_accept);
    }
    return true;
}

static bool chardev_open_pty(CharDev *c, GError **errp)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return chardev_fail(errp, c->label, "pty: %s", g_strerror(e));
    }
    const char *name = ptsname(fd);
    struct termios tio;
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(fd, TCSANOW, &tio);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    /* keep a slave fd open: the master then never reads EIO between
     * clients; output nobody reads fills the buffer and is dropped */
    c->pty_slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    fprintf(stderr, "tx86: char device redirected to %s (label %s)\n",
            name ? name : "?", c->label);
    c->in_fd = c->out_fd = fd;
    chardev_watch(c, fd, chardev_on_input);
    return true;
}

static void chardev_open_stdio(CharDev *c)
{
    c->out = stdout;
    c->in_fd = STDIN_FILENO;
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->tty_saved) == 0) {
        struct termios tio = c->tty_saved;
        /* raw input (keys, Ctrl-C go to the guest), output post-processing
         * kept so tx86's own messages still start at column 0 */
        tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        tio.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        tio.c_cflag &= ~(CSIZE | PARENB);
        tio.c_cflag |= CS8;
        tio.c_cc[VMIN] = 1;
        tio.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
            c->tty_raw = true;
    }
    chardev_watch(c, STDIN_FILENO, chardev_on_input);
}

CharDev *chardev_new(const Buses *b, const char *spec, const char *label, GError **errp)
{
    CharDevKind kind;
    TcpSpec tcp;
    if (!chardev_parse(spec, &kind, &tcp, label, errp))
        return NULL;
    CharDev *c = g_new0(CharDev, 1);
    c->input_id = -1;                   /* the monitor's: not the guest's input */
    c->buses = *b;
    c->kind = kind;
    c->label = g_strdup(label);
    c->spec = g_strdup(spec);
    c->mux_mon = g_str_has_prefix(spec, "mon:");
    c->in_fd = c->out_fd = c->listen_fd = c->pty_slave = -1;
    bool ok = true;
    switch (kind) {
    case CHARDEV_NULL:
        break;
    case CHARDEV_STDIO:
        chardev_open_stdio(c);
        break;
    case CHARDEV_FILE:
        c->out = fopen(spec + 5, "wb");
        if (!c->out)
            ok = chardev_fail(errp, label, "cannot open '%s': %s", spec + 5, g_strerror(errno));
        break;
    case CHARDEV_PTY:
        ok = chardev_open_pty(c, errp);
        break;
    case CHARDEV_TCP:
        ok = chardev_open_tcp(c, &tcp, errp);
        break;
    }
    if (!ok) {
        chardev_free(c);
        return NULL;
    }
    return c;
}

void chardev_set_handlers(CharDev *c, CharDevCanReceive can_receive,
                          CharDevReceive receive, void *opaque)
{
    c->can_receive = can_receive;
    c->receive = receive;
    c->opaque = opaque;
}

void chardev_set_guest_input(CharDev *c)
{
    c->input_id = host_input_source(c->buses.host, c->label, chardev_input_deliver, c);
}

int chardev_write(CharDev *c, const uint8_t *buf, int len)
{
    if (len <= 0)
        return 0;
    if (host_output_muted(c->buses.host))
        return len;             /* a replay going over what it showed already */
    switch (c->kind) {
    case CHARDEV_NULL:
        return len;
    case CHARDEV_STDIO:
    case CHARDEV_FILE:
        fwrite(buf, 1, (size_t)len, c->out);
        if (memchr(buf, '\n', (size_t)len))
            fflush(c->out);
        return len;
    case CHARDEV_PTY:
    case CHARDEV_TCP: {
        if (c->out_fd < 0)
            return 0;               /* nobody connected: dropped */
        ssize_t n = c->kind == CHARDEV_TCP
                        ? send(c->out_fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT)
                        : write(c->out_fd, buf, (size_t)len);
        if (n < 0) {
            if (c->kind == CHARDEV_TCP && errno != EAGAIN && errno != EWOULDBLOCK &&
                errno != EINTR)
                chardev_tcp_disconnect(c);
            return 0;
        }
        return (int)n;
    }
    }
    return 0;
}

bool chardev_is_mux(const CharDev *c)
{
    return c->mux_mon;
}

void chardev_set_mux(CharDev *c, CharDevMuxInput input, CharDevMuxFocus focus, void *opaque)
{
    if (!c->mux_mon)
        return;
    c->mux_input = input;
    c->mux_focus = focus;
    c->mux_opaque = opaque;
    if (!input)
        c->mon_focus = false;
}

const char *chardev_spec(const CharDev *c)
{
    return c->spec;
}

const char *chardev_label(const CharDev *c)
{
    return c->label;
}

bool chardev_connected(CharDev *c)
{
    return c->kind != CHARDEV_TCP || c->out_fd >= 0;
}

void chardev_free(CharDev *c)
{
    if (!c)
        return;
    chardev_unwatch(c);
    if (c->out) {
        if (c->kind == CHARDEV_FILE)
            fclose(c->out);
        else
            fflush(c->out);
    }
    if (c->tty_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &c->tty_saved);
    if (c->out_fd >= 0)
        close(c->out_fd);
    if (c->listen_fd >= 0)
        close(c->listen_fd);
    if (c->pty_slave >= 0)
        close(c->pty_slave);
    g_free(c->label);
    g_free(c->spec);
    g_free(c);
}
