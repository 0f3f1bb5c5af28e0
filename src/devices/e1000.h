/*
 * e1000.h - Intel 82540EM Gigabit Ethernet controller (PCI 8086:100E), the
 * "e1000" NIC (e1000.c).
 *
 *   E1000State *s = e1000_init(&m->bus, pci_bus, PCI_DEVFN(3, 0), mac, errp);
 *   net_connect(e1000_net_client(s), net_slirp_client(backend));
 */
#ifndef TX86_DEVICES_E1000_H
#define TX86_DEVICES_E1000_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "net/net.h"

typedef struct E1000State E1000State;

#define E1000_MMIO_SIZE   0x20000
#define E1000_IO_SIZE     0x40
#define E1000_TX_BATCH    256     /* TX descriptors per TDT write / timer */

E1000State *e1000_init(const Buses *b, PCIBus *bus, int devfn, const uint8_t mac[6],
                       GError **errp);
NetClient *e1000_net_client(E1000State *s);
PCIDevice *e1000_pci(E1000State *s);
void e1000_reset(E1000State *s);
void e1000_free(E1000State *s);
/* register access as through BAR0 (tests, the fuzz harness) */
uint32_t e1000_mmio_read(E1000State *s, uint32_t offset);
void e1000_mmio_write(E1000State *s, uint32_t offset, uint32_t value);
/* the link as the PHY and STATUS report it (up after reset) */
void e1000_set_link(E1000State *s, bool up);

/* saved state: section "e1000" (bus/vmstate.h), registered by e1000_init */
extern const VMStateDesc e1000_vmsd;
extern const size_t e1000_state_size;

#endif
