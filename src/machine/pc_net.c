/*
 * pc_net.c - builds the network of the PC from MachineConfig.net_opts:
 * one libslirp back end per -netdev user (net/net_slirp.c), one NIC per
 * -device/-nic/-net nic, each NIC connected to its back end.
 *
 * Without network options the PC has no NIC (QEMU gives it an e1000 on
 * user networking): the guest's hardware, boot time and host sockets do
 * not change unless asked for, which keeps the other tests deterministic
 * and opens no socket behind the user's back.  -nic user gives QEMU's
 * default in one option.
 */
#include <string.h>
#include "machine/pc_net.h"
#include "net/net.h"
#include "net/net_opts.h"
#include "net/net_slirp.h"
#include "devices/e1000.h"
#include "devices/ne2000.h"
#include "devices/rtl8139.h"
#include "devices/virtio_net.h"

static int pc_net_free_slot(PCIBus *pci)
{
    for (int slot = 3; slot < 32; slot++)
        if (!pci_find_device(pci, PCI_DEVFN(slot, 0)))
            return slot;
    return -1;
}

bool pc_net_build(Machine *m, PCIBus *pci, IrqLine *isa_irq, GError **errp)
{
    NetPlan plan;
    memset(&plan, 0, sizeof(plan));
    bool ok = true;
    for (int i = 0; ok && i < (int)G_N_ELEMENTS(m->cfg.net_opts) && m->cfg.net_opts[i]; i++)
        ok = net_plan_add_stored(&plan, m->cfg.net_opts[i], errp);
    ok = ok && net_plan_finish(&plan, errp);

    NetClient *backend[NET_MAX_USER] = { 0 };
    for (int i = 0; ok && i < plan.nuser; i++) {
        NetSlirp *s = net_slirp_new(&m->host, &plan.user[i], errp);
        if (!s) {
            ok = false;
            break;
        }
        machine_register_device(m, s, (void (*)(void *))net_slirp_free, NULL);
        backend[i] = net_slirp_client(s);
    }
    for (int i = 0; ok && i < plan.nnic; i++) {
        NetNicSpec *n = &plan.nic[i];
        NetClient *nc = NULL;
        if (!strcmp(n->model, "e1000")) {
            int slot = pc_net_free_slot(pci);
            E1000State *e = slot < 0 ? NULL : e1000_init(&m->bus, pci, PCI_DEVFN(slot, 0),
                                                          n->mac, errp);
            if (!e) {
                if (slot < 0)
                    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                "e1000: no free PCI slot");
                ok = false;
                break;
            }
            machine_register_device(m, e, (void (*)(void *))e1000_free,
                                    (void (*)(void *))e1000_reset);
            nc = e1000_net_client(e);
        } else if (!strcmp(n->model, "ne2k_pci") || !strcmp(n->model, "ne2k_isa")) {
            bool isa = !strcmp(n->model, "ne2k_isa");
            int slot = isa ? 0 : pc_net_free_slot(pci);
            Ne2000State *ne = isa ? ne2000_isa_init(&m->bus, (uint16_t)n->iobase,
                                                    &isa_irq[n->irq], n->mac, errp)
                            : slot < 0 ? NULL
                            : ne2000_pci_init(&m->bus, pci, PCI_DEVFN(slot, 0), n->mac, errp);
            if (!ne) {
                if (slot < 0)
                    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                "ne2k_pci: no free PCI slot");
                ok = false;
                break;
            }
            machine_register_device(m, ne, (void (*)(void *))ne2000_free,
                                    (void (*)(void *))ne2000_reset);
            nc = ne2000_net_client(ne);
        } else if (!strcmp(n->model, "rtl8139")) {
            int slot = pc_net_free_slot(pci);
            Rtl8139State *r = slot < 0 ? NULL : rtl8139_init(&m->bus, pci, PCI_DEVFN(slot, 0),
                                                             n->mac, errp);
            if (!r) {
                if (slot < 0)
                    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                "rtl8139: no free PCI slot");
                ok = false;
                break;
            }
            machine_register_device(m, r, (void (*)(void *))rtl8139_free,
                                    (void (*)(void *))rtl8139_reset);
            nc = rtl8139_net_client(r);
        } else if (!strcmp(n->model, "virtio-net-pci")) {
            int slot = pc_net_free_slot(pci);
            VirtioNetState *v = slot < 0 ? NULL
                : virtio_net_init(&m->bus, pci, PCI_DEVFN(slot, 0), n->mac, n->disable_legacy,
                                  n->disable_modern, errp);
            if (!v) {
                if (slot < 0)
                    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                "virtio-net-pci: no free PCI slot");
                ok = false;
                break;
            }
            machine_register_device(m, v, (void (*)(void *))virtio_net_free,
                                    (void (*)(void *))virtio_net_reset);
            nc = virtio_net_net_client(v);
        } else {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                        "NIC model '%s' is not implemented", n->model);
            ok = false;
            break;
        }
        for (int k = 0; n->netdev && k < plan.nuser; k++)
            if (!strcmp(plan.user[k].id, n->netdev))
                net_connect(nc, backend[k]);
    }
    net_plan_clear(&plan);
    return ok;
}
