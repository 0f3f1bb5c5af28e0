/*
 * ne2000.h - NE2000-compatible Ethernet (National DP8390 core + the NE2000
 * remote-DMA "ASIC"), as the RTL8029 on PCI (ne2k_pci, 10EC:8029) and as
 * the ISA card (ne2k_isa, io 0x300 irq 9 like QEMU).  ne2000.c.
 *
 *   Ne2000State *n = ne2000_pci_init(&m->bus, pci_bus, PCI_DEVFN(4, 0), mac, errp);
 *   Ne2000State *i = ne2000_isa_init(&m->bus, 0x300, &pc->isa_irq[9], mac, errp);
 *   net_connect(ne2000_net_client(n), backend);
 */
#ifndef TX86_DEVICES_NE2000_H
#define TX86_DEVICES_NE2000_H

#include <stdint.h>
#include <glib.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "net/net.h"

typedef struct Ne2000State Ne2000State;

#define NE2000_IO_SIZE  0x20      /* registers 0x00-0x0F, data 0x10, reset 0x1F */

Ne2000State *ne2000_pci_init(const Buses *b, PCIBus *bus, int devfn, const uint8_t mac[6],
                             GError **errp);
Ne2000State *ne2000_isa_init(const Buses *b, uint16_t iobase, IrqLine *irq,
                             const uint8_t mac[6], GError **errp);
NetClient *ne2000_net_client(Ne2000State *s);
void ne2000_reset(Ne2000State *s);
void ne2000_free(Ne2000State *s);
/* port access relative to the card's base (tests, the fuzz harness) */
uint32_t ne2000_io_read(Ne2000State *s, uint16_t off, int size);
void ne2000_io_write(Ne2000State *s, uint16_t off, uint32_t v, int size);

/* saved state: section "ne2000" (bus/vmstate.h), registered by both inits */
extern const VMStateDesc ne2000_vmsd;
extern const size_t ne2000_state_size;

#endif
