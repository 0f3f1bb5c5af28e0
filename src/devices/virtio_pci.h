/*
 * virtio_pci.h - the virtio PCI transport and split virtqueues
 * (virtio_pci.c), shared by virtio devices (virtio_net.c).  Reference:
 * Virtual I/O Device (VIRTIO) Version 1.0, 2.4 (split virtqueues), 4.1
 * (virtio over PCI: the legacy I/O interface and the modern capabilities).
 *
 * A device fills a VirtioPCIConfig (IDs, features, queue sizes, its
 * config bytes, callbacks) and gets a VirtioPCI; when the guest kicks a
 * queue the device pops chains, reads and writes them, pushes them back
 * used and raises the interrupt:
 *
 *   VirtioPCI *vp = virtio_pci_init(&m->bus, pci_bus, devfn, &cfg, errp);
 *   VirtqElem e;
 *   while (virtq_pop(vp, q, &e) > 0) {
 *       virtq_read(vp, &e, 0, buf, e.out_len);      // what the guest wrote
 *       virtq_push(vp, q, &e, 0);
 *   }
 *   virtq_notify(vp, q);                            // INTx unless suppressed
 *
 * Every index, length and address the guest wrote is checked: a ring that
 * is inconsistent (an avail index more than the queue size ahead, a
 * descriptor index out of range, a chain longer than VIRTQ_CHAIN_MAX or
 * the queue, indirect descriptors, which are not offered) marks the queue
 * broken: it is ignored until the driver resets the device.
 */
#ifndef TX86_DEVICES_VIRTIO_PCI_H
#define TX86_DEVICES_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "bus/buses.h"
#include "devices/pci.h"

#define VIRTIO_QUEUE_MAX      8       /* queues a device may have */
#define VIRTQ_CHAIN_MAX       64      /* descriptors in one chain */

/* device status (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE   0x01
#define VIRTIO_STATUS_DRIVER        0x02
#define VIRTIO_STATUS_DRIVER_OK     0x04
#define VIRTIO_STATUS_FEATURES_OK   0x08
#define VIRTIO_STATUS_NEEDS_RESET   0x40
#define VIRTIO_STATUS_FAILED        0x80

/* transport features */
#define VIRTIO_F_NOTIFY_ON_EMPTY    24
#define VIRTIO_F_ANY_LAYOUT         27
#define VIRTIO_F_VERSION_1          32

typedef struct VirtioPCI VirtioPCI;

typedef struct VirtQueue {
    uint16_t max_size;            /* what the device offers */
    uint16_t size;                /* entries (modern: the driver may lower it) */
    bool enabled;                 /* legacy: PFN written; modern: queue_enable */
    bool broken;                  /* the guest broke the ring: ignored until reset */
    uint64_t desc, avail, used;   /* guest physical addresses of the three parts */
    uint16_t last_avail;          /* next avail entry the device takes */
    uint16_t used_idx;            /* the device's used index */
    uint16_t msix_vector;         /* stored only (no MSI-X) */
} VirtQueue;

typedef struct VirtqSeg {
    uint64_t addr;
    uint32_t len;
} VirtqSeg;

/* one chain popped from the avail ring: device-readable segments first
 * (out), then device-writable ones (in) */
typedef struct VirtqElem {
    uint16_t head;                /* the chain's first descriptor (for the used ring) */
    int nout, nin;
    uint32_t out_len, in_len;     /* bytes in each direction */
    VirtqSeg seg[VIRTQ_CHAIN_MAX];
} VirtqElem;

typedef struct VirtioPCIConfig {
    const char *name;             /* "virtio-net-pci" */
    uint16_t device_type;         /* virtio device ID: 1 = network card */
    uint16_t legacy_device_id;    /* PCI device ID of the transitional device (0x1000) */
    uint32_t class_code;          /* PCI class << 16 | subclass << 8 | prog-if */
    uint64_t features;            /* device features (VERSION_1 is added for modern) */
    int nqueues;
    uint16_t queue_size;          /* every queue's maximum (a power of two) */
    uint8_t *config;              /* device config bytes, owned by the device */
    uint32_t config_len;
    bool disable_legacy;          /* no I/O BAR, PCI ID 0x1040 + type, revision 1 */
    bool disable_modern;          /* no capabilities, no memory BAR */
    void *opaque;                 /* the device's state, for the callbacks */
    void (*queue_notify)(void *opaque, int q);    /* the guest kicked queue q */
    void (*status_changed)(void *opaque, uint8_t status);
    void (*reset)(void *opaque);  /* the driver or the machine reset the device */
} VirtioPCIConfig;

VirtioPCI *virtio_pci_init(const Buses *b, PCIBus *bus, int devfn, const VirtioPCIConfig *cfg,
                           GError **errp);
void virtio_pci_reset(VirtioPCI *vp);
void virtio_pci_free(VirtioPCI *vp);

VirtQueue *virtio_pci_queue(VirtioPCI *vp, int q);
uint8_t virtio_pci_status(VirtioPCI *vp);
/* the features the driver accepted (and the device offered) */
uint64_t virtio_pci_features(VirtioPCI *vp);
bool virtio_pci_has_feature(VirtioPCI *vp, int bit);
/* the device changed its config bytes: the config interrupt (ISR bit 1) */
void virtio_pci_config_changed(VirtioPCI *vp);

/* register access as through the BARs (tests, the fuzz harness): the
 * legacy I/O BAR0 and the modern memory BAR4 */
uint32_t virtio_pci_legacy_read(VirtioPCI *vp, uint32_t off, int size);
void virtio_pci_legacy_write(VirtioPCI *vp, uint32_t off, uint32_t v, int size);
uint32_t virtio_pci_modern_read(VirtioPCI *vp, uint32_t off, int size);
void virtio_pci_modern_write(VirtioPCI *vp, uint32_t off, uint32_t v, int size);

/* does the queue hold a chain for the device?  (false when disabled or
 * broken) */
bool virtq_has_avail(VirtioPCI *vp, VirtQueue *q);
/* the next chain: 1 popped into *e, 0 none, -1 the ring is bad (the
 * queue is now broken) */
int virtq_pop(VirtioPCI *vp, VirtQueue *q, VirtqElem *e);
/* copy from the chain's readable bytes at offset off; returns bytes copied */
size_t virtq_read(VirtioPCI *vp, const VirtqElem *e, size_t off, void *buf, size_t len);
/* copy into the chain's writable bytes at offset off; returns bytes copied */
size_t virtq_write(VirtioPCI *vp, const VirtqElem *e, size_t off, const void *buf,
                   size_t len);
/* give the chain back: a used ring entry with the bytes written */
void virtq_push(VirtioPCI *vp, VirtQueue *q, const VirtqElem *e, uint32_t written);
/* raise the queue interrupt unless the driver suppressed it */
void virtq_notify(VirtioPCI *vp, VirtQueue *q);

/* saved state: section "virtio-pci" (bus/vmstate.h, the transport and its
 * queues), registered by virtio_pci_init */
extern const VMStateDesc virtio_pci_vmsd;
extern const size_t virtio_pci_state_size;

#endif
