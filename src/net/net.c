/*
 * net.c - NetClient pairs and their frame queues (see net.h), and the
 * checksum, CRC and MAC helpers NICs share.
 */
#include <string.h>
#include <stdio.h>
#include <glib.h>
#include <zlib.h>
#include "net/net.h"

typedef struct NetFrame {
    size_t len;
    uint8_t data[];
} NetFrame;

NetClient *net_client_new(const NetClientOps *ops, void *opaque, const char *name)
{
    NetClient *nc = g_new0(NetClient, 1);
    nc->ops = ops;
    nc->opaque = opaque;
    nc->name = g_strdup(name ? name : "net");
    nc->queue = g_queue_new();
    return nc;
}

static void net_queue_clear(NetClient *nc)
{
    NetFrame *f;
    while ((f = g_queue_pop_head(nc->queue)))
        g_free(f);
}

void net_client_free(NetClient *nc)
{
    if (!nc)
        return;
    if (nc->peer && nc->peer->peer == nc)
        nc->peer->peer = NULL;
    net_queue_clear(nc);
    g_queue_free(nc->queue);
    g_free(nc->name);
    g_free(nc);
}

void net_connect(NetClient *a, NetClient *b)
{
    if (a->peer && a->peer->peer == a)
        a->peer->peer = NULL;
    if (b->peer && b->peer->peer == b)
        b->peer->peer = NULL;
    a->peer = b;
    b->peer = a;
}

static bool net_can_receive(NetClient *nc)
{
    return !nc->ops->can_receive || nc->ops->can_receive(nc);
}

static bool net_enqueue(NetClient *to, const uint8_t *buf, size_t len)
{
    GQueue *q = to->queue;
    if (q->length >= NET_QUEUE_MAX) {
        to->dropped++;
        return false;
    }
    NetFrame *f = g_malloc(sizeof(NetFrame) + len);
    f->len = len;
    memcpy(f->data, buf, len);
    g_queue_push_tail(q, f);
    return true;
}

bool net_send(NetClient *nc, const uint8_t *buf, size_t len)
{
    NetClient *to = nc->peer;
    if (!to || len == 0 || len > NET_FRAME_MAX) {
        nc->dropped++;
        return false;
    }
    nc->sent++;
    /* frames already waiting go first */
    if (((GQueue *)to->queue)->length || !net_can_receive(to))
        return net_enqueue(to, buf, len);
    if (to->ops->receive(to, buf, len)) {
        to->received++;
        return true;
    }
    return net_enqueue(to, buf, len);
}

size_t net_flush(NetClient *nc)
{
    GQueue *q = nc->queue;
    for (int n = 0; n < NET_FLUSH_MAX && q->length && net_can_receive(nc); n++) {
        NetFrame *f = g_queue_pop_head(q);
        if (!nc->ops->receive(nc, f->data, f->len)) {
            g_queue_push_head(q, f);
            break;
        }
        nc->received++;
        g_free(f);
    }
    return q->length;
}

size_t net_queued(const NetClient *nc)
{
    return ((GQueue *)nc->queue)->length;
}

uint32_t net_checksum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
    size_t i;
    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)buf[i] << 8 | buf[i + 1];
    if (i < len)
        sum += (uint32_t)buf[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

uint16_t net_checksum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* zlib's table-driven CRC-32 is the same CRC (reflected 0xedb88320, ~0
 * in and out); the bit-at-a-time loop it replaces took a quarter of the
 * host CPU of a slirp download through the e1000 (docs/PERFORMANCE.md,
 * "Network") */
uint32_t net_crc32(const uint8_t *buf, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len) {
        uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = crc32(crc, buf, n);
        buf += n;
        len -= n;
    }
    return (uint32_t)crc;
}

bool net_parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char end;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &end) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return strlen(s) == 17;
}
