/*
 * virtio_net.h - the virtio network card, "virtio-net-pci" (virtio_net.c),
 * on the virtio PCI transport (virtio_pci.c): transitional by default,
 * modern only with disable_legacy, legacy only with disable_modern.
 *
 *   VirtioNetState *s = virtio_net_init(&m->bus, pci_bus, PCI_DEVFN(3, 0), mac,
 *                                       false, false, errp);
 *   net_connect(virtio_net_net_client(s), backend);
 */
#ifndef TX86_DEVICES_VIRTIO_NET_H
#define TX86_DEVICES_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "devices/virtio_pci.h"
#include "net/net.h"

typedef struct VirtioNetState VirtioNetState;

VirtioNetState *virtio_net_init(const Buses *b, PCIBus *bus, int devfn, const uint8_t mac[6],
                                bool disable_legacy, bool disable_modern, GError **errp);
NetClient *virtio_net_net_client(VirtioNetState *s);
/* the transport, for register access in tests and the fuzz harness */
VirtioPCI *virtio_net_transport(VirtioNetState *s);
void virtio_net_reset(VirtioNetState *s);
void virtio_net_free(VirtioNetState *s);

/* saved state: section "virtio-net" (bus/vmstate.h, the config bytes),
 * registered by virtio_net_init after its transport's "virtio-pci" */
extern const VMStateDesc virtio_net_vmsd;
extern const size_t virtio_net_state_size;

#endif
