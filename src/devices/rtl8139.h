/*
 * rtl8139.h - Realtek RTL8139C Fast Ethernet controller (PCI 10EC:8139),
 * the "rtl8139" NIC (rtl8139.c).
 *
 *   Rtl8139State *s = rtl8139_init(&m->bus, pci_bus, PCI_DEVFN(3, 0), mac, errp);
 *   net_connect(rtl8139_net_client(s), backend);
 */
#ifndef TX86_DEVICES_RTL8139_H
#define TX86_DEVICES_RTL8139_H

#include <stdint.h>
#include <glib.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "net/net.h"

typedef struct Rtl8139State Rtl8139State;

Rtl8139State *rtl8139_init(const Buses *b, PCIBus *bus, int devfn, const uint8_t mac[6],
                           GError **errp);
NetClient *rtl8139_net_client(Rtl8139State *s);
void rtl8139_reset(Rtl8139State *s);
void rtl8139_free(Rtl8139State *s);
/* register access as through the BARs (tests, the fuzz harness) */
uint32_t rtl8139_reg_read(Rtl8139State *s, uint32_t off, int size);
void rtl8139_reg_write(Rtl8139State *s, uint32_t off, uint32_t v, int size);

/* saved state: section "rtl8139" (bus/vmstate.h), registered by rtl8139_init */
extern const VMStateDesc rtl8139_vmsd;
extern const size_t rtl8139_state_size;

#endif
