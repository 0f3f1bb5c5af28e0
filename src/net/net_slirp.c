/*
 * net_slirp.c - -netdev user on libslirp 4.x (see net_slirp.h).
 *
 * libslirp's loop contract (libslirp.h): before sleeping the application
 * calls slirp_pollfds_fill(), which names through add_poll every socket
 * and the events it waits for; after poll() it calls
 * slirp_pollfds_poll(), which asks get_revents for each index and does
 * the socket work and its TCP timers.  Frames from the guest go in with
 * slirp_input(); frames for the guest come out through send_packet.
 *
 * tx86's main loop watches host fds for input only (bus/host.h), so the
 * back end keeps one epoll fd holding slirp's current sockets and their
 * events, and has the main loop watch that: it is readable when any of
 * them is ready.  A round (net_slirp_poll) runs from the watch's flush
 * hook, before each of the main loop's polls (about every millisecond
 * while the guest runs, and before it sleeps in HLT), and again when the
 * epoll fd is ready:
 *     run expired slirp timers
 *     poll(0) the sockets named by the last fill -> slirp_pollfds_poll
 *     slirp_pollfds_fill -> bring the epoll set up to date
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <arpa/inet.h>
#include <slirp/libslirp.h>
#include "net/net_slirp.h"
#include "util/log.h"

typedef struct SlirpTimer {
    struct NetSlirp *s;
    SlirpTimerCb cb;              /* timer_new timers */
    void *cb_opaque;
    SlirpTimerId id;              /* timer_new_opaque timers (cb NULL) */
    int64_t expire_ms;            /* host monotonic ms */
    bool armed;
} SlirpTimer;

struct NetSlirp {
    Slirp *slirp;
    NetClient *nc;
    BusHost *host;
    int epfd;
    GArray *pfds;                 /* struct pollfd of the last fill */
    bool filled;
    GHashTable *registered;       /* fd -> epoll events in the epoll set */
    GPtrArray *timers;            /* SlirpTimer * */
    bool in_poll;
};

static int64_t slirp_now_ns(void)
{
    return g_get_monotonic_time() * 1000;
}

/* ---- callbacks from libslirp */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    NetSlirp *s = opaque;
    net_send(s->nc, buf, len);     /* queued for the NIC, or dropped */
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    if (log_enabled(LOG_GUEST_ERRORS))
        log_printf("slirp: guest error: %s\n", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    return slirp_now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    NetSlirp *s = opaque;
    SlirpTimer *t = g_new0(SlirpTimer, 1);
    t->s = s;
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    g_ptr_array_add(s->timers, t);
    return t;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    NetSlirp *s = opaque;
    SlirpTimer *t = g_new0(SlirpTimer, 1);
    t->s = s;
    t->id = id;
    t->cb_opaque = cb_opaque;
    g_ptr_array_add(s->timers, t);
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    NetSlirp *s = opaque;
    g_ptr_array_remove(s->timers, timer);
    g_free(timer);
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    SlirpTimer *t = timer;
    t->expire_ms = expire_ms;
    t->armed = true;
}

static void cb_register_poll_fd(int fd, void *opaque) { }
static void cb_unregister_poll_fd(int fd, void *opaque) { }
static void cb_notify(void *opaque) { }

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* ---- the poll round */

static int add_poll(int fd, int events, void *opaque)
{
    NetSlirp *s = opaque;
    struct pollfd p = { .fd = fd, .events = 0 };
    if (events & SLIRP_POLL_IN)
        p.events |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        p.events |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        p.events |= POLLPRI;
    g_array_append_val(s->pfds, p);
    return (int)s->pfds->len - 1;
}

static int get_revents(int idx, void *opaque)
{
    NetSlirp *s = opaque;
    if (idx < 0 || (guint)idx >= s->pfds->len)
        return 0;
    short r = g_array_index(s->pfds, struct pollfd, idx).revents;
    int ev = 0;
    if (r & POLLIN)
        ev |= SLIRP_POLL_IN;
    if (r & POLLOUT)
        ev |= SLIRP_POLL_OUT;
    if (r & POLLPRI)
        ev |= SLIRP_POLL_PRI;
    if (r & POLLERR)
        ev |= SLIRP_POLL_ERR;
    if (r & POLLHUP)
        ev |= SLIRP_POLL_HUP;
    return ev;
}

/* make the epoll set hold exactly the fds of the last fill */
static void sync_epoll(NetSlirp *s)
{
    GHashTable *want = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < s->pfds->len; i++) {
        struct pollfd *p = &g_array_index(s->pfds, struct pollfd, i);
        uint32_t ev = (p->events & POLLIN ? EPOLLIN : 0) | (p->events & POLLOUT ? EPOLLOUT : 0) |
                      (p->events & POLLPRI ? EPOLLPRI : 0);
        gpointer key = GINT_TO_POINTER(p->fd + 1);
        uint32_t old = GPOINTER_TO_UINT(g_hash_table_lookup(want, key));
        g_hash_table_insert(want, key, GUINT_TO_POINTER(old | ev | 0x80000000u));
    }
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->registered);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        if (!g_hash_table_contains(want, key)) {
            epoll_ctl(s->epfd, EPOLL_CTL_DEL, GPOINTER_TO_INT(key) - 1, NULL);
            g_hash_table_iter_remove(&it);
        }
    }
    g_hash_table_iter_init(&it, want);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        int fd = GPOINTER_TO_INT(key) - 1;
        uint32_t ev = GPOINTER_TO_UINT(val) & ~0x80000000u;
        gpointer have;
        struct epoll_event e = { .events = ev, .data.fd = fd };
        bool known = g_hash_table_lookup_extended(s->registered, key, NULL, &have);
        if (known && GPOINTER_TO_UINT(have) == GPOINTER_TO_UINT(val))
            continue;
        int r = epoll_ctl(s->epfd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &e);
        if (r < 0 && errno == ENOENT)        /* closed and reopened since */
            r = epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e);
        else if (r < 0 && errno == EEXIST)
            r = epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &e);
        if (r == 0)
            g_hash_table_insert(s->registered, key, val);
        else
            g_hash_table_remove(s->registered, key);
    }
    g_hash_table_destroy(want);
}

static void run_timers(NetSlirp *s)
{
    int64_t now_ms = slirp_now_ns() / 1000000;
    /* a callback may free or re-arm timers: rescan after each one */
    for (int rounds = 0; rounds < 16; rounds++) {
        SlirpTimer *due = NULL;
        for (guint i = 0; i < s->timers->len && !due; i++) {
            SlirpTimer *t = g_ptr_array_index(s->timers, i);
            if (t->armed && t->expire_ms <= now_ms)
                due = t;
        }
        if (!due)
            return;
        due->armed = false;
        if (due->cb)
            due->cb(due->cb_opaque);
        else
            slirp_handle_timer(s->slirp, due->id, due->cb_opaque);
    }
}

void net_slirp_poll(NetSlirp *s)
{
    if (s->in_poll)
        return;
    s->in_poll = true;
    run_timers(s);
    if (s->filled) {
        int r = s->pfds->len ? poll((struct pollfd *)s->pfds->data, s->pfds->len, 0) : 0;
        slirp_pollfds_poll(s->slirp, r < 0, get_revents, s);
    }
    g_array_set_size(s->pfds, 0);
    uint32_t timeout = UINT32_MAX;
    slirp_pollfds_fill(s->slirp, &timeout, add_poll, s);
    s->filled = true;
    sync_epoll(s);
    s->in_poll = false;
}

static void slirp_on_input(void *opaque)
{
    NetSlirp *s = opaque;
    net_slirp_poll(s);
}

static void slirp_flush(void *opaque)
{
    NetSlirp *s = opaque;
    net_slirp_poll(s);
}

/* ---- the NetClient: frames from the guest */

static bool slirp_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    NetSlirp *s = nc->opaque;
    slirp_input(s->slirp, buf, (int)len);
    return true;
}

static const NetClientOps slirp_net_ops = {
    .receive = slirp_receive,
};

NetSlirp *net_slirp_new(BusHost *host, const NetUserSpec *u, GError **errp)
{
    NetSlirp *s = g_new0(NetSlirp, 1);
    s->host = host;
    s->pfds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
    s->registered = g_hash_table_new(g_direct_hash, g_direct_equal);
    s->timers = g_ptr_array_new();
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "-netdev user: epoll: %s", g_strerror(errno));
        net_slirp_free(s);
        return NULL;
    }
    s->nc = net_client_new(&slirp_net_ops, s, u->id);

    SlirpConfig cfg = { 0 };
    cfg.version = 4;
    cfg.restricted = u->restricted;
    cfg.in_enabled = true;
    cfg.vnetwork = u->net;
    cfg.vnetmask = u->mask;
    cfg.vhost = u->host;
    cfg.in6_enabled = false;
    cfg.vhostname = u->hostname;
    cfg.tftp_server_name = NULL;
    cfg.tftp_path = u->tftp;
    cfg.bootfile = u->bootfile;
    cfg.vdhcp_start = u->dhcp;
    cfg.vnameserver = u->dns;
    cfg.vdomainname = u->domainname;
    cfg.enable_emu = false;
    s->slirp = slirp_new(&cfg, &slirp_callbacks, s);
    if (!s->slirp) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-netdev user,id=%s: libslirp refused the configuration", u->id);
        net_slirp_free(s);
        return NULL;
    }
    for (int i = 0; i < u->nfwd; i++) {
        const NetHostFwd *f = &u->fwd[i];
        if (slirp_add_hostfwd(s->slirp, f->udp, f->haddr, f->hport, f->gaddr, f->gport) < 0) {
            char h[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &f->haddr, h, sizeof(h));
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                        "-netdev user,id=%s: hostfwd %s:%s:%d: cannot listen there "
                        "(port in use?)", u->id, f->udp ? "udp" : "tcp", h, f->hport);
            net_slirp_free(s);
            return NULL;
        }
    }
    net_slirp_poll(s);
    HostFdWatch w = { .fd = s->epfd, .ready = NULL, .on_input = slirp_on_input,
                      .flush = slirp_flush, .opaque = s };
    if (host)
        host_watch_fd(host, &w);
    return s;
}

NetClient *net_slirp_client(NetSlirp *s)
{
    return s->nc;
}

void net_slirp_free(NetSlirp *s)
{
    if (!s)
        return;
    if (s->host && s->epfd >= 0 && s->slirp)
        host_unwatch_fd(s->host, s->epfd, s);
    if (s->slirp)
        slirp_cleanup(s->slirp);
    for (guint i = 0; i < s->timers->len; i++)
        g_free(g_ptr_array_index(s->timers, i));
    g_ptr_array_free(s->timers, TRUE);
    net_client_free(s->nc);
    if (s->epfd >= 0)
        close(s->epfd);
    g_hash_table_destroy(s->registered);
    g_array_free(s->pfds, TRUE);
    g_free(s);
}
