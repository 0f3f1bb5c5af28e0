/*
 * virtio_pci.c - the virtio PCI transport (legacy and modern interfaces)
 * and split virtqueues, for virtio devices such as virtio_net.c (see
 * virtio_pci.h for the device API).  Reference: Virtual I/O Device
 * (VIRTIO) Version 1.0: 2.4 (split virtqueues), 4.1.4 (the PCI
 * capabilities), 4.1.4.8 (the legacy interface).
 *
 * PCI vendor 1AF4, subsystem vendor 1AF4, subsystem ID the device type.
 * The transitional device (default) has PCI ID 0x1000 + ..., revision 0,
 * and both interfaces; disable-legacy makes it 0x1040 + type, revision 1,
 * modern only; disable-modern leaves the legacy interface alone.
 *
 *   BAR0  I/O, 32 ports (legacy): device features (32 bits), driver
 *         features, queue PFN (address >> 12), queue size (read only),
 *         queue select, queue notify, status, ISR (read clears), then the
 *         device config at 0x14 (no MSI-X, so no vector registers).
 *         Legacy ring layout: descriptors, the avail ring right after,
 *         the used ring at the next 4 KiB boundary.
 *   BAR4  memory, 16 KiB (modern): common config at 0x0000, ISR at
 *         0x1000, device config at 0x2000, notifications at 0x3000 (queue
 *         n at 0x3000 + 4n: notify_off_multiplier 4).  Vendor capabilities
 *         (cfg_type 1 common, 3 ISR, 4 device, 2 notify, 5 config access)
 *         from 0x40 point at them.  VIRTIO_F_VERSION_1 is offered; a driver that does not
 *         take it gets FEATURES_OK refused.
 * Interrupts: INTx only (no MSI-X capability; the Linux driver falls back
 * to one shared INTx handler that reads the ISR): ISR bit 0 queue, bit 1
 * config change; the line is high while the ISR is not zero.
 * The PCI configuration access capability (cfg_type 5, at 0x84) reaches
 * BAR4 (or the legacy BAR0) through config space; iPXE insists on it.
 * Not modelled: MSI-X, indirect descriptors, event indices, packed rings,
 * notification data.
 */
#include <string.h>
#include "devices/virtio_pci.h"
#include "util/log.h"

#define VIRTIO_PCI_VENDOR     0x1af4
#define LEGACY_BAR            0
#define MODERN_BAR            4
#define MODERN_BAR_SIZE       0x4000
#define MODERN_COMMON         0x0000
#define MODERN_ISR            0x1000
#define MODERN_DEVICE         0x2000
#define MODERN_NOTIFY         0x3000
#define NOTIFY_MULTIPLIER     4
#define NO_VECTOR             0xffff
#define PCI_CFG_CAP           0x84    /* the configuration access capability */

/* legacy BAR0 registers */
enum {
    L_DEVICE_FEATURES = 0x00, L_DRIVER_FEATURES = 0x04, L_QUEUE_PFN = 0x08,
    L_QUEUE_SIZE = 0x0c, L_QUEUE_SELECT = 0x0e, L_QUEUE_NOTIFY = 0x10, L_STATUS = 0x12,
    L_ISR = 0x13, L_CONFIG = 0x14,
};

/* modern common configuration (struct virtio_pci_common_cfg) */
enum {
    C_DFSELECT = 0x00, C_DF = 0x04, C_GFSELECT = 0x08, C_GF = 0x0c, C_MSIX = 0x10,
    C_NUMQ = 0x12, C_STATUS = 0x14, C_CFGGEN = 0x15, C_Q_SELECT = 0x16, C_Q_SIZE = 0x18,
    C_Q_MSIX = 0x1a, C_Q_ENABLE = 0x1c, C_Q_NOFF = 0x1e, C_Q_DESC = 0x20, C_Q_AVAIL = 0x28,
    C_Q_USED = 0x30, C_END = 0x38,
};

/* descriptor flags, ring flags */
#define VIRTQ_DESC_F_NEXT      1
#define VIRTQ_DESC_F_WRITE     2
#define VIRTQ_DESC_F_INDIRECT  4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct VirtioPCI {
    Buses bus;
    PCIDevice *pci;
    VirtioPCIConfig cfg;
    uint64_t host_features;       /* offered (VERSION_1 when modern) */
    uint64_t guest_features;      /* accepted by the driver */
    uint32_t dfselect, gfselect;  /* modern feature word selects */
    uint8_t status;
    uint8_t isr;
    uint8_t config_generation;
    uint16_t queue_sel;
    uint16_t msix_config;         /* stored only */
    VirtQueue vq[VIRTIO_QUEUE_MAX];
};

/* saved state (bus/vmstate.h): the transport registers and every queue's
 * state (size, enable, broken, the three ring addresses, last_avail and
 * the used index, the vector).  Not saved: the configuration the device
 * gave at init (cfg, host_features, each queue's max_size) and the device
 * config bytes (the device's own section: virtio_net.c).  The rings
 * themselves are guest RAM. */
static const VMStateField virtq_fields[] = {
    VMS_U16(VirtQueue, size, 1),
    VMS_BOOL(VirtQueue, enabled, 1),
    VMS_BOOL(VirtQueue, broken, 1),
    VMS_U64(VirtQueue, desc, 1),
    VMS_U64(VirtQueue, avail, 1),
    VMS_U64(VirtQueue, used, 1),
    VMS_U16(VirtQueue, last_avail, 1),
    VMS_U16(VirtQueue, used_idx, 1),
    VMS_U16(VirtQueue, msix_vector, 1),
    VMS_END
};
static const VMStateDesc virtq_vmsd = { "virtqueue", 1, 1, virtq_fields };

static bool virtio_pci_post_load(void *opaque, int version, GError **errp);

static const VMStateField virtio_pci_fields[] = {
    VMS_U64(VirtioPCI, guest_features, 1),
    VMS_U32(VirtioPCI, dfselect, 1),
    VMS_U32(VirtioPCI, gfselect, 1),
    VMS_U8(VirtioPCI, status, 1),
    VMS_U8(VirtioPCI, isr, 1),
    VMS_U8(VirtioPCI, config_generation, 1),
    VMS_U16(VirtioPCI, queue_sel, 1),
    VMS_U16(VirtioPCI, msix_config, 1),
    VMS_STRUCT_ARRAY(VirtioPCI, vq, virtq_vmsd, 1),
    VMS_END
};

const VMStateDesc virtio_pci_vmsd = {
    .name = "virtio-pci", .version = 1, .min_version = 1,
    .fields = virtio_pci_fields, .post_load = virtio_pci_post_load,
};
const size_t virtio_pci_state_size = sizeof(VirtioPCI);  /* vmstate_check_desc (tests) */

static bool virtio_pci_post_load(void *opaque, int version, GError **errp)
{
    VirtioPCI *vp = opaque;
    if (vp->guest_features & ~vp->host_features) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: the driver features 0x%" G_GINT64_MODIFIER
                    "x were not offered (0x%" G_GINT64_MODIFIER "x)", vp->cfg.name,
                    vp->guest_features, vp->host_features);
        return false;
    }
    for (int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        VirtQueue *q = &vp->vq[i];
        bool used = i < vp->cfg.nqueues;
        /* a queue the device does not have stays as reset left it; a
         * queue in use (enabled, not broken) has a power-of-two size up
         * to what the device offers, as C_Q_ENABLE checks it */
        bool live = q->enabled && !q->broken;
        if (!used ? q->size || q->enabled
                  : live && (!q->size || q->size > q->max_size || (q->size & (q->size - 1)))) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: queue %d has size %u (the device "
                        "offers %u)%s", vp->cfg.name, i, q->size, used ? q->max_size : 0,
                        q->enabled ? ", enabled" : "");
            return false;
        }
    }
    return true;
}

static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t ld32(const uint8_t *p) { return (uint32_t)ld16(p) | (uint32_t)ld16(p + 2) << 16; }
static uint64_t ld64(const uint8_t *p) { return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32; }

/* ---- guest memory: 64-bit addresses, only what lies below 4 GiB */

static bool vp_range_ok(uint64_t addr, uint64_t len)
{
    return addr <= 0xffffffffull && len <= 0x100000000ull - addr;
}

static bool vp_read(VirtioPCI *vp, uint64_t addr, void *buf, size_t len)
{
    if (!vp_range_ok(addr, len)) {
        memset(buf, 0xff, len);
        return false;
    }
    return physmem_read_buf(vp->bus.mem, (GuestPhys)addr, buf, len);
}

static bool vp_write(VirtioPCI *vp, uint64_t addr, const void *buf, size_t len)
{
    return vp_range_ok(addr, len) && physmem_write_buf(vp->bus.mem, (GuestPhys)addr, buf, len);
}

static uint16_t vp_read16(VirtioPCI *vp, uint64_t addr, bool *ok)
{
    uint8_t b[2];
    if (!vp_read(vp, addr, b, 2))
        *ok = false;
    return ld16(b);
}

static void vp_write16(VirtioPCI *vp, uint64_t addr, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    vp_write(vp, addr, b, 2);
}

/* ---- interrupts */

static void vp_update_irq(VirtioPCI *vp)
{
    pci_set_irq(vp->pci, vp->isr != 0);
}

void virtio_pci_config_changed(VirtioPCI *vp)
{
    vp->config_generation++;
    if (vp->status & VIRTIO_STATUS_DRIVER_OK) {
        vp->isr |= 2;
        vp_update_irq(vp);
    }
}

/* ---- virtqueues */

static void vq_break(VirtioPCI *vp, VirtQueue *q, const char *why)
{
    if (!q->broken && log_enabled(LOG_GUEST_ERRORS))
        log_printf("%s: queue %d: %s; ignored until reset\n", vp->cfg.name,
                   (int)(q - vp->vq), why);
    q->broken = true;
}

static bool vq_ready(VirtioPCI *vp, VirtQueue *q)
{
    return q->enabled && !q->broken && q->size && (vp->status & VIRTIO_STATUS_DRIVER_OK);
}

bool virtq_has_avail(VirtioPCI *vp, VirtQueue *q)
{
    if (!vq_ready(vp, q))
        return false;
    bool ok = true;
    uint16_t idx = vp_read16(vp, q->avail + 2, &ok);
    return ok && idx != q->last_avail;
}

int virtq_pop(VirtioPCI *vp, VirtQueue *q, VirtqElem *e)
{
    if (!vq_ready(vp, q))
        return 0;
    bool ok = true;
    uint16_t avail_idx = vp_read16(vp, q->avail + 2, &ok);
    if (!ok) {
        vq_break(vp, q, "avail ring outside RAM");
        return -1;
    }
    uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
    if (pending == 0)
        return 0;
    if (pending > q->size) {
        vq_break(vp, q, "avail index too far ahead");
        return -1;
    }
    uint16_t head = vp_read16(vp, q->avail + 4 + 2u * (q->last_avail % q->size), &ok);
    if (!ok || head >= q->size) {
        vq_break(vp, q, "bad head descriptor index");
        return -1;
    }
    q->last_avail++;
    memset(e, 0, offsetof(VirtqElem, seg));
    e->head = head;
    uint16_t i = head;
    int limit = q->size < VIRTQ_CHAIN_MAX ? q->size : VIRTQ_CHAIN_MAX;
    for (int n = 0;; n++) {
        if (n >= limit) {
            vq_break(vp, q, "descriptor chain too long or a loop");
            return -1;
        }
        uint8_t d[16];
        if (!vp_read(vp, q->desc + 16u * i, d, 16)) {
            vq_break(vp, q, "descriptor table outside RAM");
            return -1;
        }
        uint64_t addr = ld64(d);
        uint32_t len = ld32(d + 8);
        uint16_t flags = ld16(d + 12), next = ld16(d + 14);
        if (flags & VIRTQ_DESC_F_INDIRECT) {
            vq_break(vp, q, "indirect descriptor (not offered)");
            return -1;
        }
        if (!vp_range_ok(addr, len)) {
            vq_break(vp, q, "buffer above 4 GiB");
            return -1;
        }
        if (flags & VIRTQ_DESC_F_WRITE) {
            e->nin++;
            if (e->in_len + (uint64_t)len > 0x7fffffffu) {
                vq_break(vp, q, "chain too large");
                return -1;
            }
            e->in_len += len;
        } else {
            if (e->nin) {
                vq_break(vp, q, "readable descriptor after a writable one");
                return -1;
            }
            e->nout++;
            if (e->out_len + (uint64_t)len > 0x7fffffffu) {
                vq_break(vp, q, "chain too large");
                return -1;
            }
            e->out_len += len;
        }
        e->seg[n].addr = addr;
        e->seg[n].len = len;
        if (!(flags & VIRTQ_DESC_F_NEXT))
            break;
        if (next >= q->size) {
            vq_break(vp, q, "next descriptor index out of range");
            return -1;
        }
        i = next;
    }
    return 1;
}

/* copy between buf and the segments [first, first + n) from byte off */
static size_t vq_copy(VirtioPCI *vp, const VirtqSeg *seg, int n, size_t off, uint8_t *buf,
                      size_t len, bool to_guest)
{
    size_t done = 0;
    for (int k = 0; k < n && done < len; k++) {
        if (off >= seg[k].len) {
            off -= seg[k].len;
            continue;
        }
        size_t chunk = MIN(len - done, seg[k].len - off);
        if (to_guest)
            vp_write(vp, seg[k].addr + off, buf + done, chunk);
        else
            vp_read(vp, seg[k].addr + off, buf + done, chunk);
        done += chunk;
        off = 0;
    }
    return done;
}

size_t virtq_read(VirtioPCI *vp, const VirtqElem *e, size_t off, void *buf, size_t len)
{
    return vq_copy(vp, e->seg, e->nout, off, buf, len, false);
}

size_t virtq_write(VirtioPCI *vp, const VirtqElem *e, size_t off, const void *buf, size_t len)
{
    return vq_copy(vp, e->seg + e->nout, e->nin, off, (uint8_t *)buf, len, true);
}

void virtq_push(VirtioPCI *vp, VirtQueue *q, const VirtqElem *e, uint32_t written)
{
    if (!q->size)
        return;
    uint8_t u[8];
    uint32_t id = e->head;
    for (int i = 0; i < 4; i++) {
        u[i] = (uint8_t)(id >> (8 * i));
        u[4 + i] = (uint8_t)(written >> (8 * i));
    }
    vp_write(vp, q->used + 4 + 8u * (q->used_idx % q->size), u, 8);
    q->used_idx++;
    vp_write16(vp, q->used + 2, q->used_idx);
}

void virtq_notify(VirtioPCI *vp, VirtQueue *q)
{
    bool ok = true;
    uint16_t flags = vp_read16(vp, q->avail, &ok);
    if (ok && (flags & VIRTQ_AVAIL_F_NO_INTERRUPT))
        return;
    vp->isr |= 1;
    vp_update_irq(vp);
}

/* ---- the device */

static void vq_reset(VirtQueue *q)
{
    uint16_t max = q->max_size;
    memset(q, 0, sizeof(*q));
    q->max_size = q->size = max;
    q->msix_vector = NO_VECTOR;
}

void virtio_pci_reset(VirtioPCI *vp)
{
    vp->status = 0;
    vp->isr = 0;
    vp->guest_features = 0;
    vp->dfselect = vp->gfselect = 0;
    vp->queue_sel = 0;
    vp->msix_config = NO_VECTOR;
    for (int i = 0; i < vp->cfg.nqueues; i++)
        vq_reset(&vp->vq[i]);
    vp_update_irq(vp);
    if (vp->cfg.reset)
        vp->cfg.reset(vp->cfg.opaque);
}

static void vp_set_status(VirtioPCI *vp, uint8_t v, bool modern)
{
    if (v == 0) {
        virtio_pci_reset(vp);
        return;
    }
    /* a modern driver must accept VERSION_1: refuse FEATURES_OK otherwise */
    if (modern && (v & VIRTIO_STATUS_FEATURES_OK) &&
        !(vp->guest_features & (1ull << VIRTIO_F_VERSION_1)))
        v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
    vp->status = v;
    if (vp->cfg.status_changed)
        vp->cfg.status_changed(vp->cfg.opaque, v);
}

static void vp_kick(VirtioPCI *vp, uint32_t q)
{
    if (q < (uint32_t)vp->cfg.nqueues && vq_ready(vp, &vp->vq[q]) && vp->cfg.queue_notify)
        vp->cfg.queue_notify(vp->cfg.opaque, (int)q);
}

static VirtQueue *vp_sel(VirtioPCI *vp)
{
    return vp->queue_sel < vp->cfg.nqueues ? &vp->vq[vp->queue_sel] : NULL;
}

static uint32_t vp_config_read(VirtioPCI *vp, uint32_t off, int size)
{
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        if (off + (uint32_t)i < vp->cfg.config_len)
            v |= (uint32_t)vp->cfg.config[off + (uint32_t)i] << (8 * i);
    return v;
}

/* ---- legacy interface (I/O BAR0) */

uint32_t virtio_pci_legacy_read(VirtioPCI *vp, uint32_t off, int size)
{
    VirtQueue *q = vp_sel(vp);
    if (off >= L_CONFIG)
        return vp_config_read(vp, off - L_CONFIG, size);
    switch (off) {
    case L_DEVICE_FEATURES: return (uint32_t)vp->host_features;
    case L_DRIVER_FEATURES: return (uint32_t)vp->guest_features;
    case L_QUEUE_PFN: return q && q->enabled ? (uint32_t)(q->desc >> 12) : 0;
    case L_QUEUE_SIZE: return q ? q->max_size : 0;
    case L_QUEUE_SELECT: return vp->queue_sel;
    case L_STATUS: return vp->status;
    case L_ISR: {
        uint8_t v = vp->isr;
        vp->isr = 0;
        vp_update_irq(vp);
        return v;
    }
    default: return 0;
    }
}

void virtio_pci_legacy_write(VirtioPCI *vp, uint32_t off, uint32_t v, int size)
{
    VirtQueue *q = vp_sel(vp);
    switch (off) {
    case L_DRIVER_FEATURES:
        vp->guest_features = v & (uint32_t)vp->host_features;
        break;
    case L_QUEUE_PFN:
        if (!q)
            break;
        if (v == 0) {
            vq_reset(q);
            break;
        }
        q->size = q->max_size;
        q->desc = (uint64_t)v << 12;
        q->avail = q->desc + 16u * q->size;
        q->used = (q->avail + 4 + 2u * q->size + 2 + 4095) & ~4095ull;
        q->last_avail = q->used_idx = 0;
        q->broken = false;
        q->enabled = true;
        break;
    case L_QUEUE_SELECT:
        vp->queue_sel = (uint16_t)v;
        break;
    case L_QUEUE_NOTIFY:
        vp_kick(vp, v & 0xffff);
        break;
    case L_STATUS:
        vp_set_status(vp, (uint8_t)v, false);
        break;
    default:
        break;                   /* features, size, ISR, config: read only */
    }
}

static uint32_t vp_legacy_io_read(void *opaque, uint16_t port, int size)
{
    return virtio_pci_legacy_read(opaque, port, size);
}

static void vp_legacy_io_write(void *opaque, uint16_t port, uint32_t v, int size)
{
    virtio_pci_legacy_write(opaque, port, v, size);
}

static const IOPortOps vp_legacy_ops = {
    .read = vp_legacy_io_read, .write = vp_legacy_io_write,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

/* ---- modern interface (memory BAR4) */

static uint32_t vp_common_read(VirtioPCI *vp, uint32_t off, int size)
{
    VirtQueue *q = vp_sel(vp);
    switch (off) {
    case C_DFSELECT: return vp->dfselect;
    case C_DF: return vp->dfselect < 2 ? (uint32_t)(vp->host_features >> (32 * vp->dfselect)) : 0;
    case C_GFSELECT: return vp->gfselect;
    case C_GF: return vp->gfselect < 2 ? (uint32_t)(vp->guest_features >> (32 * vp->gfselect)) : 0;
    case C_MSIX: return vp->msix_config;
    case C_NUMQ: return (uint32_t)vp->cfg.nqueues;
    case C_STATUS: return vp->status;
    case C_CFGGEN: return vp->config_generation;
    case C_Q_SELECT: return vp->queue_sel;
    case C_Q_SIZE: return q ? q->size : 0;
    case C_Q_MSIX: return q ? q->msix_vector : NO_VECTOR;
    case C_Q_ENABLE: return q && q->enabled;
    case C_Q_NOFF: return q ? vp->queue_sel : 0;
    case C_Q_DESC: case C_Q_DESC + 4: case C_Q_AVAIL: case C_Q_AVAIL + 4:
    case C_Q_USED: case C_Q_USED + 4: {
        if (!q)
            return 0;
        uint64_t a = off < C_Q_AVAIL ? q->desc : off < C_Q_USED ? q->avail : q->used;
        return (uint32_t)(a >> ((off & 4) ? 32 : 0));
    }
    default: return 0;
    }
}

static void vp_set_addr(uint64_t *a, uint32_t off, uint32_t v)
{
    if (off & 4)
        *a = (*a & 0xffffffffull) | (uint64_t)v << 32;
    else
        *a = (*a & ~0xffffffffull) | v;
}

static void vp_common_write(VirtioPCI *vp, uint32_t off, uint32_t v, int size)
{
    VirtQueue *q = vp_sel(vp);
    switch (off) {
    case C_DFSELECT: vp->dfselect = v; break;
    case C_GFSELECT: vp->gfselect = v; break;
    case C_GF:
        if (vp->gfselect < 2 && !(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
            int sh = 32 * (int)vp->gfselect;
            uint64_t mask = 0xffffffffull << sh;
            vp->guest_features = (vp->guest_features & ~mask) |
                                 (((uint64_t)v << sh) & vp->host_features);
        }
        break;
    case C_MSIX: vp->msix_config = (uint16_t)v; break;
    case C_STATUS: vp_set_status(vp, (uint8_t)v, true); break;
    case C_Q_SELECT: vp->queue_sel = (uint16_t)v; break;
    case C_Q_SIZE:
        if (q && !q->enabled)
            q->size = (uint16_t)v;
        break;
    case C_Q_MSIX: if (q) q->msix_vector = (uint16_t)v; break;
    case C_Q_ENABLE:
        if (q && (v & 1) && !q->enabled) {
            q->enabled = true;
            q->last_avail = q->used_idx = 0;
            if (!q->size || q->size > q->max_size || (q->size & (q->size - 1)))
                vq_break(vp, q, "queue size not a power of two up to the maximum");
        }
        break;
    case C_Q_DESC: case C_Q_DESC + 4:
        if (q && !q->enabled) vp_set_addr(&q->desc, off, v);
        break;
    case C_Q_AVAIL: case C_Q_AVAIL + 4:
        if (q && !q->enabled) vp_set_addr(&q->avail, off, v);
        break;
    case C_Q_USED: case C_Q_USED + 4:
        if (q && !q->enabled) vp_set_addr(&q->used, off, v);
        break;
    default:
        break;
    }
}

uint32_t virtio_pci_modern_read(VirtioPCI *vp, uint32_t off, int size)
{
    off &= MODERN_BAR_SIZE - 1;
    if (off < MODERN_COMMON + C_END)
        return vp_common_read(vp, off, size);
    if (off == MODERN_ISR) {
        uint8_t v = vp->isr;
        vp->isr = 0;
        vp_update_irq(vp);
        return v;
    }
    if (off >= MODERN_DEVICE && off < MODERN_NOTIFY)
        return vp_config_read(vp, off - MODERN_DEVICE, size);
    return 0;
}

void virtio_pci_modern_write(VirtioPCI *vp, uint32_t off, uint32_t v, int size)
{
    off &= MODERN_BAR_SIZE - 1;
    if (off < MODERN_COMMON + C_END)
        vp_common_write(vp, off, v, size);
    else if (off >= MODERN_NOTIFY && off < MODERN_NOTIFY + NOTIFY_MULTIPLIER * VIRTIO_QUEUE_MAX)
        vp_kick(vp, v & 0xffff);
}

static uint32_t vp_mem_read(void *opaque, uint32_t off, int size)
{
    return virtio_pci_modern_read(opaque, off, size);
}

static void vp_mem_write(void *opaque, uint32_t off, uint32_t v, int size)
{
    virtio_pci_modern_write(opaque, off, v, size);
}

static const MemOps vp_modern_ops = { .read = vp_mem_read, .write = vp_mem_write };

/* The PCI configuration access capability (cfg_type 5, 4.1.4.7): the
 * driver writes a BAR number, an offset and a length (1, 2, 4) into it,
 * then reads or writes pci_cfg_data to access that BAR there.  iPXE
 * will not drive a modern device without it. */
static bool vp_cfg_window(VirtioPCI *vp, uint32_t *off, int *len, int *bar)
{
    const uint8_t *c = vp->pci->config + PCI_CFG_CAP;
    *bar = c[4];
    *off = ld32(c + 8);
    *len = (int)ld32(c + 12);
    return (*len == 1 || *len == 2 || *len == 4) &&
           ((*bar == MODERN_BAR && *off < MODERN_BAR_SIZE) ||
            (*bar == LEGACY_BAR && !vp->cfg.disable_legacy && *off < 32));
}

static bool vp_pci_config_read(PCIDevice *d, uint32_t addr, int size, uint32_t *val)
{
    VirtioPCI *vp = d->opaque;
    uint32_t off;
    int len, bar;
    if (addr != PCI_CFG_CAP + 16)
        return false;
    *val = 0;
    if (vp_cfg_window(vp, &off, &len, &bar))
        *val = bar == MODERN_BAR ? virtio_pci_modern_read(vp, off, len)
                                 : virtio_pci_legacy_read(vp, off, len);
    return true;
}

static void vp_pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int size)
{
    VirtioPCI *vp = d->opaque;
    uint32_t off;
    int len, bar;
    if (addr != PCI_CFG_CAP + 16 || !vp_cfg_window(vp, &off, &len, &bar))
        return;
    if (bar == MODERN_BAR)
        virtio_pci_modern_write(vp, off, val, len);
    else
        virtio_pci_legacy_write(vp, off, val, len);
}

static const PCIDeviceOps vp_pci_ops = { .config_read = vp_pci_config_read,
                                         .config_write = vp_pci_config_write };

/* a vendor capability (struct virtio_pci_cap) at config offset at */
static void vp_add_cap(PCIDevice *d, uint8_t at, uint8_t next, uint8_t type, uint32_t offset,
                       uint32_t length, int cap_len)
{
    uint8_t *c = d->config + at;
    c[0] = 0x09;                                 /* vendor-specific */
    c[1] = next;
    c[2] = (uint8_t)cap_len;
    c[3] = type;
    c[4] = MODERN_BAR;
    for (int i = 0; i < 4; i++) {
        c[8 + i] = (uint8_t)(offset >> (8 * i));
        c[12 + i] = (uint8_t)(length >> (8 * i));
    }
    if (cap_len == 20)
        c[16] = NOTIFY_MULTIPLIER;               /* notify_off_multiplier */
    pci_set_wmask(d, at, cap_len, 0);
}

VirtioPCI *virtio_pci_init(const Buses *b, PCIBus *bus, int devfn, const VirtioPCIConfig *cfg,
                           GError **errp)
{
    if (cfg->nqueues < 1 || cfg->nqueues > VIRTIO_QUEUE_MAX ||
        (cfg->disable_legacy && cfg->disable_modern)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "%s: disable-legacy and disable-modern cannot both be on", cfg->name);
        return NULL;
    }
    VirtioPCI *vp = g_new0(VirtioPCI, 1);
    vp->bus = *b;
    vp->cfg = *cfg;
    bool modern = !cfg->disable_modern;
    uint16_t pci_id = cfg->disable_legacy ? (uint16_t)(0x1040 + cfg->device_type)
                                          : cfg->legacy_device_id;
    vp->pci = pci_register_function(bus, devfn, cfg->name, VIRTIO_PCI_VENDOR, pci_id,
                                    cfg->disable_legacy ? 1 : 0, cfg->class_code,
                                    modern ? &vp_pci_ops : NULL, vp, errp);
    if (!vp->pci) {
        g_free(vp);
        return NULL;
    }
    PCIDevice *d = vp->pci;
    d->config[PCI_SUBSYSTEM_ID] = (uint8_t)cfg->device_type;
    d->config[PCI_SUBSYSTEM_ID + 1] = (uint8_t)(cfg->device_type >> 8);
    d->config[PCI_INTERRUPT_PIN] = 1;
    vp->host_features = cfg->features | (modern ? 1ull << VIRTIO_F_VERSION_1 : 0);
    if (!cfg->disable_legacy)
        pci_register_io_bar(d, LEGACY_BAR, 32, &vp_legacy_ops, vp, "virtio-legacy");
    if (modern) {
        pci_register_mem_bar(d, MODERN_BAR, MODERN_BAR_SIZE, 0, &vp_modern_ops, vp,
                             "virtio-modern");
        d->config[PCI_STATUS] |= 0x10;           /* capabilities list */
        d->config[0x34] = 0x40;
        vp_add_cap(d, 0x40, 0x50, 1, MODERN_COMMON, C_END, 16);
        vp_add_cap(d, 0x50, 0x60, 3, MODERN_ISR, 4, 16);
        vp_add_cap(d, 0x60, 0x70, 4, MODERN_DEVICE, cfg->config_len ? cfg->config_len : 4, 16);
        vp_add_cap(d, 0x70, PCI_CFG_CAP, 2, MODERN_NOTIFY,
                   NOTIFY_MULTIPLIER * (uint32_t)cfg->nqueues, 20);
        /* the PCI configuration access window: bar, offset, length and
         * the data dword are the driver's to write */
        vp_add_cap(d, PCI_CFG_CAP, 0x00, 5, 0, 0, 20);
        d->config[PCI_CFG_CAP + 4] = 0;
        pci_set_wmask(d, PCI_CFG_CAP + 4, 1, 0xff);
        pci_set_wmask(d, PCI_CFG_CAP + 8, 12, 0xff);
    }
    for (int i = 0; i < cfg->nqueues; i++)
        vp->vq[i].max_size = cfg->queue_size;
    virtio_pci_reset(vp);
    if (b->host)
        host_register_state(b->host, &virtio_pci_vmsd, vp);
    return vp;
}

void virtio_pci_free(VirtioPCI *vp)
{
    g_free(vp);
}

VirtQueue *virtio_pci_queue(VirtioPCI *vp, int q)
{
    return q >= 0 && q < vp->cfg.nqueues ? &vp->vq[q] : NULL;
}

uint8_t virtio_pci_status(VirtioPCI *vp) { return vp->status; }
uint64_t virtio_pci_features(VirtioPCI *vp) { return vp->guest_features; }

bool virtio_pci_has_feature(VirtioPCI *vp, int bit)
{
    return (vp->guest_features >> bit) & 1;
}
