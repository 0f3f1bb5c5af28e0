/*
 * net_tap.c - the TAP back end (-netdev tap, see net_tap.h): one
 * nonblocking /dev/net/tun file descriptor attached to a TAP interface
 * (TUNSETIFF with IFF_TAP | IFF_NO_PI: each read and write is one whole
 * Ethernet frame, no packet-information header).
 *
 * Guest to host: the NIC's frame is written at once; when the interface's
 * queue is full (EAGAIN) or it is down (EIO) the frame is dropped, as a
 * wire would.  Host to guest: the main loop watches the fd
 * (host_watch_fd) while the NIC's net queue has room, and reads up to
 * TAP_READ_MAX frames per wake-up into net_send.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include "net/net_tap.h"

#define TAP_READ_MAX    64         /* frames read per wake-up */
#define TAP_FRAME_MAX   65536

struct NetTap {
    BusHost *host;
    NetClient *nc;
    int fd;
    char ifname[IFNAMSIZ];
    uint8_t buf[TAP_FRAME_MAX];
};

static bool tap_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    NetTap *t = nc->opaque;
    ssize_t n;
    do
        n = write(t->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        nc->dropped++;                        /* EAGAIN, EIO (down): dropped */
    return true;
}

static const NetClientOps tap_net_ops = { .receive = tap_receive };

/* room for more frames on the NIC's side */
static bool tap_ready(void *opaque)
{
    NetTap *t = opaque;
    return !t->nc->peer || net_queued(t->nc->peer) < NET_QUEUE_MAX / 2;
}

void net_tap_poll(NetTap *t)
{
    for (int i = 0; i < TAP_READ_MAX && tap_ready(t); i++) {
        ssize_t n = read(t->fd, t->buf, sizeof(t->buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;                            /* EAGAIN: nothing more */
        net_send(t->nc, t->buf, (size_t)n);
    }
}

static void tap_on_input(void *opaque)
{
    net_tap_poll(opaque);
}

NetTap *net_tap_new(BusHost *host, const NetTapSpec *spec, GError **errp)
{
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(e),
                    "-netdev tap,id=%s: cannot open /dev/net/tun: %s%s", spec->id,
                    g_strerror(e),
                    e == ENOENT ? " (no TUN/TAP driver: modprobe tun, or create the node "
                                  "with mknod /dev/net/tun c 10 200; or use -netdev user)"
                    : e == EACCES || e == EPERM ? " (run as root, or give the user access "
                                                  "to it; or use -netdev user)" : "");
        return NULL;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (spec->ifname)
        g_strlcpy(ifr.ifr_name, spec->ifname, IFNAMSIZ);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(e),
                    "-netdev tap,id=%s: cannot create the TAP interface %s: %s%s", spec->id,
                    spec->ifname ? spec->ifname : "", g_strerror(e),
                    e == EPERM ? " (needs CAP_NET_ADMIN: run as root, or create it "
                                 "beforehand with 'ip tuntap add NAME mode tap user USER')"
                    : e == EBUSY ? " (in use by another program)" : "");
        close(fd);
        return NULL;
    }
    NetTap *t = g_new0(NetTap, 1);
    t->host = host;
    t->fd = fd;
    g_strlcpy(t->ifname, ifr.ifr_name, IFNAMSIZ);
    t->nc = net_client_new(&tap_net_ops, t, spec->id);
    HostFdWatch w = { .fd = fd, .ready = tap_ready, .on_input = tap_on_input, .opaque = t };
    if (host)
        host_watch_fd(host, &w);
    return t;
}

NetClient *net_tap_client(NetTap *t) { return t->nc; }
const char *net_tap_ifname(NetTap *t) { return t->ifname; }

void net_tap_free(NetTap *t)
{
    if (!t)
        return;
    if (t->host)
        host_unwatch_fd(t->host, t->fd, t);
    net_client_free(t->nc);
    close(t->fd);
    g_free(t);
}
