/*
 * pc_net.h - the PC's network: the back ends and NICs the network options
 * ask for (net/net_opts.h), built by pc_build after the VGA adapter (so
 * the first PCI NIC is at 00:03.0, as in QEMU).
 */
#ifndef TX86_MACHINE_PC_NET_H
#define TX86_MACHINE_PC_NET_H

#include <stdbool.h>
#include <glib.h>
#include "machine/machine.h"
#include "devices/pci.h"

bool pc_net_build(Machine *m, PCIBus *pci, IrqLine *isa_irq, GError **errp);
/* the SeaBIOS boot paths of the NICs that have a boot ROM, one line each
 * (for fw_cfg "bootorder"); NULL when there are none */
char *pc_net_boot_paths(PCIBus *pci);

#endif
