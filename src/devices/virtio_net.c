/*
 * virtio_net.c - the virtio network card ("virtio-net-pci"), on the
 * virtio PCI transport (virtio_pci.c).  Reference: Virtual I/O Device
 * (VIRTIO) Version 1.0, 5.1 (network device).
 *
 * Queues: 0 receive, 1 transmit, 256 entries each (no control queue, no
 * multiqueue).  Config: the MAC (6 bytes) and the status word (link up).
 * Features offered: MAC, STATUS, CSUM (the device fills in the checksum
 * of a frame sent with VIRTIO_NET_HDR_F_NEEDS_CSUM), ANY_LAYOUT, and
 * VERSION_1 on the modern interface.  Not offered: guest checksum, GSO
 * and TSO, mergeable receive buffers, the control queue, multiqueue.
 *
 * Every buffer starts with a struct virtio_net_hdr: 10 bytes on a legacy
 * driver, 12 (with num_buffers) when VERSION_1 is negotiated.  Transmit:
 * each chain is the header and a frame, gathered from its readable
 * descriptors (frames above 64 KiB are dropped).  Receive: a frame goes
 * into one chain (header zero, num_buffers 1) or, when the chain is too
 * small, is dropped and the chain returned with nothing written; with no
 * chain available the frame waits in the net queue until the driver kicks
 * the receive queue.
 */
#include <string.h>
#include "devices/virtio_net.h"
#include "devices/virtio_pci.h"
#include "util/log.h"

#define VNET_RXQ              0
#define VNET_TXQ              1
#define VNET_QUEUE_SIZE       256
#define VNET_TX_MAX           (65536 + 12)

/* feature bits (5.1.3) */
#define VIRTIO_NET_F_CSUM     0
#define VIRTIO_NET_F_MAC      5
#define VIRTIO_NET_F_STATUS   16
#define VIRTIO_NET_S_LINK_UP  1
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1

struct VirtioNetState {
    VirtioPCI *vp;
    NetClient *nc;
    uint8_t config[8];            /* mac[6], status (le16) */
    uint8_t tx_buf[VNET_TX_MAX];  /* transmit scratch (receive has its own) */
    VirtqElem tx_elem, rx_elem;
};

/* saved state (bus/vmstate.h): the config bytes (the MAC the guest may
 * read and the link status).  The queues and the transport registers are
 * the transport's section ("virtio-pci"); tx_buf and the two elements are
 * scratch of one kick or one frame (a chain is popped and pushed back in
 * the same call, so none is in flight between instructions). */
static const VMStateField virtio_net_fields[] = {
    VMS_BYTES(VirtioNetState, config, 1),
    VMS_END
};

const VMStateDesc virtio_net_vmsd = {
    .name = "virtio-net", .version = 1, .min_version = 1, .fields = virtio_net_fields,
};
const size_t virtio_net_state_size = sizeof(VirtioNetState);  /* vmstate_check_desc (tests) */

static size_t vnet_hdr_len(VirtioNetState *s)
{
    return virtio_pci_has_feature(s->vp, VIRTIO_F_VERSION_1) ? 12 : 10;
}

/* ---- transmit */

static void vnet_tx_csum(uint8_t *f, size_t len, const uint8_t *hdr)
{
    size_t start = (size_t)(hdr[6] | hdr[7] << 8), off = (size_t)(hdr[8] | hdr[9] << 8);
    if (start >= len || start + off + 2 > len)
        return;                                  /* offsets outside the frame */
    /* the field holds the pseudo-header sum; the device adds the rest */
    uint16_t sum = net_checksum_finish(net_checksum_add(0, f + start, len - start));
    f[start + off] = (uint8_t)(sum >> 8);
    f[start + off + 1] = (uint8_t)sum;
}

static void vnet_tx(VirtioNetState *s)
{
    VirtQueue *q = virtio_pci_queue(s->vp, VNET_TXQ);
    size_t hl = vnet_hdr_len(s);
    bool any = false;
    /* at most a ring's worth per kick: the driver kicks again for more */
    for (int n = 0; n < VNET_QUEUE_SIZE; n++) {
        VirtqElem *e = &s->tx_elem;
        if (virtq_pop(s->vp, q, e) <= 0)
            break;
        any = true;
        if (e->out_len < hl + 14 || e->out_len > hl + 65536) {
            if (log_enabled(LOG_GUEST_ERRORS))
                log_printf("virtio-net: transmit of %u bytes dropped\n", e->out_len);
        } else {
            size_t len = virtq_read(s->vp, e, 0, s->tx_buf, e->out_len) - hl;
            uint8_t *f = s->tx_buf + hl;
            if ((s->tx_buf[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
                virtio_pci_has_feature(s->vp, VIRTIO_NET_F_CSUM))
                vnet_tx_csum(f, len, s->tx_buf);
            net_send(s->nc, f, len);
        }
        virtq_push(s->vp, q, e, 0);
    }
    if (any)
        virtq_notify(s->vp, q);
}

/* ---- receive */

static bool vnet_rx_ready(VirtioNetState *s)
{
    return (virtio_pci_status(s->vp) & VIRTIO_STATUS_DRIVER_OK) &&
           virtio_pci_queue(s->vp, VNET_RXQ)->enabled;
}

static bool vnet_can_receive(NetClient *nc)
{
    VirtioNetState *s = nc->opaque;
    if (!vnet_rx_ready(s))
        return true;                             /* dropped in vnet_receive */
    return virtq_has_avail(s->vp, virtio_pci_queue(s->vp, VNET_RXQ));
}

static bool vnet_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    VirtioNetState *s = nc->opaque;
    if (!vnet_rx_ready(s) || len < 14)
        return true;
    VirtQueue *q = virtio_pci_queue(s->vp, VNET_RXQ);
    VirtqElem *e = &s->rx_elem;
    int r = virtq_pop(s->vp, q, e);
    if (r < 0)
        return true;                             /* broken ring: dropped */
    if (r == 0)
        return false;                            /* wait for buffers */
    size_t hl = vnet_hdr_len(s);
    uint32_t written = 0;
    if (e->in_len >= hl + len) {
        uint8_t hdr[12] = { 0 };
        hdr[10] = 1;                             /* num_buffers (VERSION_1) */
        virtq_write(s->vp, e, 0, hdr, hl);
        virtq_write(s->vp, e, hl, buf, len);
        written = (uint32_t)(hl + len);
    } else if (log_enabled(LOG_GUEST_ERRORS)) {
        log_printf("virtio-net: receive buffer of %u bytes too small for %zu\n", e->in_len,
                   len);
    }
    virtq_push(s->vp, q, e, written);
    virtq_notify(s->vp, q);
    return true;
}

/* ---- transport callbacks */

static void vnet_queue_notify(void *opaque, int q)
{
    VirtioNetState *s = opaque;
    if (q == VNET_TXQ)
        vnet_tx(s);
    else if (q == VNET_RXQ)
        net_flush(s->nc);                        /* buffers for waiting frames */
}

static void vnet_status_changed(void *opaque, uint8_t status)
{
    VirtioNetState *s = opaque;
    if (status & VIRTIO_STATUS_DRIVER_OK)
        net_flush(s->nc);
}

static const NetClientOps vnet_net_ops = { .can_receive = vnet_can_receive,
                                           .receive = vnet_receive };

VirtioNetState *virtio_net_init(const Buses *b, PCIBus *bus, int devfn, const uint8_t mac[6],
                                bool disable_legacy, bool disable_modern, GError **errp)
{
    VirtioNetState *s = g_new0(VirtioNetState, 1);
    memcpy(s->config, mac, 6);
    s->config[6] = VIRTIO_NET_S_LINK_UP;
    VirtioPCIConfig cfg = {
        .name = "virtio-net-pci", .device_type = 1, .legacy_device_id = 0x1000,
        .class_code = 0x020000,
        .features = 1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_MAC |
                    1ull << VIRTIO_NET_F_STATUS | 1ull << VIRTIO_F_ANY_LAYOUT,
        .nqueues = 2, .queue_size = VNET_QUEUE_SIZE,
        .config = s->config, .config_len = sizeof(s->config),
        .disable_legacy = disable_legacy, .disable_modern = disable_modern,
        .opaque = s, .queue_notify = vnet_queue_notify, .status_changed = vnet_status_changed,
    };
    s->vp = virtio_pci_init(b, bus, devfn, &cfg, errp);
    if (!s->vp) {
        g_free(s);
        return NULL;
    }
    s->nc = net_client_new(&vnet_net_ops, s, "virtio-net");
    if (b->host)
        host_register_state(b->host, &virtio_net_vmsd, s);
    return s;
}

NetClient *virtio_net_net_client(VirtioNetState *s) { return s->nc; }
VirtioPCI *virtio_net_transport(VirtioNetState *s) { return s->vp; }

void virtio_net_reset(VirtioNetState *s)
{
    virtio_pci_reset(s->vp);
}

void virtio_net_free(VirtioNetState *s)
{
    if (!s)
        return;
    net_client_free(s->nc);
    virtio_pci_free(s->vp);
    g_free(s);
}
