/*
 * pc_net.c - builds the network of the PC from MachineConfig.net_opts:
 * one libslirp back end per -netdev user (net/net_slirp.c), one TAP
 * interface per -netdev tap (net/net_tap.c), one NIC per
 * -device/-nic/-net nic, each NIC connected to its back end, and the PCI
 * NICs' boot ROMs (iPXE) when -boot asks for the network or romfile= is
 * given.  When recording or replaying, a relay between each NIC and its
 * back end makes the back end's frames host input (replay.h).
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
#include "net/net_tap.h"
#include "devices/e1000.h"
#include "devices/ne2000.h"
#include "devices/rtl8139.h"
#include "devices/virtio_net.h"
#include "machine/loader.h"
#include "machine/replay.h"

static int pc_net_free_slot(PCIBus *pci)
{
    for (int slot = 3; slot < 32; slot++)
        if (!pci_find_device(pci, PCI_DEVFN(slot, 0)))
            return slot;
    return -1;
}

/* where romfile names are looked for: tx86's firmware directories
 * (loader_find_firmware), then Debian's ipxe-qemu and qemu-system-data */
static char *pc_net_find_rom(const char *name)
{
    if (strchr(name, '/'))
        return g_strdup(name);
    char *path = loader_find_firmware(name, NULL);
    static const char *const dirs[] = { "/usr/lib/ipxe/qemu", "/usr/share/qemu" };
    for (size_t i = 0; !path && i < G_N_ELEMENTS(dirs); i++) {
        path = g_build_filename(dirs[i], name, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            g_free(path);
            path = NULL;
        }
    }
    return path;
}

/* SeaBIOS runs a ROM only when its PCI data structure names the
 * function's vendor and device: Debian's pxe-virtio.rom says 1AF4:1041
 * (modern), the transitional NIC is 1AF4:1000.  Patch the first image's
 * IDs and keep its byte sum zero through the checksum byte iPXE keeps at
 * offset 6 (QEMU patches them too). */
static void pc_net_patch_rom_ids(uint8_t *rom, size_t len, const PCIDevice *d)
{
    size_t pcir = len >= 0x1a ? (size_t)(rom[0x18] | rom[0x19] << 8) : len;
    if (pcir + 0x18 > len || memcmp(rom + pcir, "PCIR", 4))
        return;
    size_t img = (size_t)(rom[pcir + 0x10] | rom[pcir + 0x11] << 8) * 512;
    if (img == 0 || img > len)
        return;
    bool changed = false;
    for (int i = 0; i < 4; i++) {
        uint8_t id = d->config[PCI_VENDOR_ID + i];
        changed |= rom[pcir + 4 + (size_t)i] != id;
        rom[pcir + 4 + (size_t)i] = id;
    }
    if (!changed)
        return;
    uint8_t sum = 0;
    for (size_t i = 0; i < img; i++)
        sum = (uint8_t)(sum + rom[i]);
    rom[6] = (uint8_t)(rom[6] - sum);
}

/* the NIC's boot ROM in its expansion ROM BAR, where SeaBIOS finds and
 * runs it: romfile= if given ("" none), else the model's iPXE ROM when
 * -boot asks for the network (without it the NICs have no ROM, so a
 * guest's firmware does not change unless asked) */
static bool pc_net_boot_rom(Machine *m, PCIDevice *d, const NetNicSpec *n, GError **errp)
{
    static const struct { const char *model, *rom; } roms[] = {
        { "e1000", "pxe-e1000.rom" }, { "ne2k_pci", "pxe-ne2k_pci.rom" },
        { "rtl8139", "pxe-rtl8139.rom" }, { "virtio-net-pci", "pxe-virtio.rom" },
    };
    const char *name = n->romfile;
    bool netboot = m->cfg.boot_order && strpbrk(m->cfg.boot_order, "nop");
    for (size_t i = 0; !name && netboot && i < G_N_ELEMENTS(roms); i++)
        if (!strcmp(n->model, roms[i].model))
            name = roms[i].rom;
    if (!d || !name || !*name)
        return true;
    char *path = pc_net_find_rom(name);
    gchar *data = NULL;
    gsize len = 0;
    if (!path || !g_file_get_contents(path, &data, &len, NULL)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "%s: cannot read the boot ROM '%s' (Debian: apt-get install ipxe-qemu; "
                    "romfile= names another, romfile= with nothing boots without one)",
                    n->model, path ? path : name);
        g_free(path);
        return false;
    }
    bool ok = len >= 512 && len <= (1u << 20) && (uint8_t)data[0] == 0x55 &&
              (uint8_t)data[1] == 0xaa;
    if (ok) {
        pc_net_patch_rom_ids((uint8_t *)data, len, d);
        pci_set_rom(d, (const uint8_t *)data, (uint32_t)len);
    }
    else
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: '%s' is not an option ROM (no 55 AA signature, or over 1 MiB)",
                    n->model, path);
    g_free(data);
    g_free(path);
    return ok;
}

char *pc_net_boot_paths(PCIBus *pci)
{
    GString *paths = g_string_new(NULL);
    for (int devfn = 0; devfn < 256; devfn++) {
        PCIDevice *d = pci_find_device(pci, devfn);
        if (d && d->config[PCI_CLASS_DEVICE + 1] == 0x02 &&
            d->bars[PCI_ROM_SLOT].kind == PCI_BAR_ROM)
            g_string_append_printf(paths, "/pci@i0cf8/ethernet@%x/ethernet-phy@0\n",
                                   PCI_SLOT(devfn));
    }
    return g_string_free(paths, paths->len == 0);
}

/* Record and replay (replay.h): a relay between a NIC and its back end.
 * Frames from the back end are host input: recorded, or replaced by the
 * log's when replaying; the guest's frames reach the back end only when
 * it is not a replay (the replay's answers are the log's). */
typedef struct NetRelay {
    Machine *m;
    NetClient *front;           /* the NIC's peer */
    NetClient *back;            /* the back end's peer */
    int id;                     /* replay_source */
} NetRelay;

static bool relay_from_nic(NetClient *nc, const uint8_t *buf, size_t len)
{
    NetRelay *r = nc->opaque;
    if (replay_mode(r->m) != REPLAY_PLAY)
        net_send(r->back, buf, len);
    return true;
}

static bool relay_from_backend(NetClient *nc, const uint8_t *buf, size_t len)
{
    NetRelay *r = nc->opaque;
    replay_input(r->m, r->id, buf, len);
    return true;
}

static void relay_deliver(void *opaque, const uint8_t *buf, size_t len)
{
    NetRelay *r = opaque;
    net_send(r->front, buf, len);       /* to the NIC, or its queue */
}

static const NetClientOps relay_front_ops = { .receive = relay_from_nic };
static const NetClientOps relay_back_ops = { .receive = relay_from_backend };

static void relay_free(void *opaque)
{
    NetRelay *r = opaque;
    net_client_free(r->front);
    net_client_free(r->back);
    g_free(r);
}

/* connect nic to backend, through a relay when recording or replaying */
static void pc_net_connect(Machine *m, NetClient *nic, NetClient *backend)
{
    if (!m->rr) {
        net_connect(nic, backend);
        return;
    }
    NetRelay *r = g_new0(NetRelay, 1);
    r->m = m;
    r->front = net_client_new(&relay_front_ops, r, "replay");
    r->back = net_client_new(&relay_back_ops, r, "replay");
    g_autofree char *name = g_strdup_printf("net:%s", nic->name);
    r->id = replay_source(m, name, relay_deliver, r);
    net_connect(nic, r->front);
    net_connect(r->back, backend);
    machine_register_device(m, r, relay_free, NULL);
}

bool pc_net_build(Machine *m, PCIBus *pci, IrqLine *isa_irq, GError **errp)
{
    NetPlan plan;
    memset(&plan, 0, sizeof(plan));
    bool ok = true;
    for (int i = 0; ok && i < (int)G_N_ELEMENTS(m->cfg.net_opts) && m->cfg.net_opts[i]; i++)
        ok = net_plan_add_stored(&plan, m->cfg.net_opts[i], errp);
    ok = ok && net_plan_finish(&plan, errp);

    NetClient *backend[NET_MAX_USER] = { 0 }, *tap[NET_MAX_TAP] = { 0 };
    for (int i = 0; ok && i < plan.nuser; i++) {
        NetSlirp *s = net_slirp_new(&m->host, &plan.user[i], errp);
        if (!s) {
            ok = false;
            break;
        }
        machine_register_device(m, s, (void (*)(void *))net_slirp_free, NULL);
        backend[i] = net_slirp_client(s);
    }
    for (int i = 0; ok && i < plan.ntap; i++) {
        NetTap *t = net_tap_new(&m->host, &plan.tap[i], errp);
        if (!t) {
            ok = false;
            break;
        }
        machine_register_device(m, t, (void (*)(void *))net_tap_free, NULL);
        tap[i] = net_tap_client(t);
    }
    for (int i = 0; ok && i < plan.nnic; i++) {
        NetNicSpec *n = &plan.nic[i];
        NetClient *nc = NULL;
        int slot = -1;
        if (!strcmp(n->model, "e1000")) {
            slot = pc_net_free_slot(pci);
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
            slot = isa ? -1 : pc_net_free_slot(pci);
            Ne2000State *ne = isa ? ne2000_isa_init(&m->bus, (uint16_t)n->iobase,
                                                    &isa_irq[n->irq], n->mac, errp)
                            : slot < 0 ? NULL
                            : ne2000_pci_init(&m->bus, pci, PCI_DEVFN(slot, 0), n->mac, errp);
            if (!ne) {
                if (!isa && slot < 0)
                    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                "ne2k_pci: no free PCI slot");
                ok = false;
                break;
            }
            machine_register_device(m, ne, (void (*)(void *))ne2000_free,
                                    (void (*)(void *))ne2000_reset);
            nc = ne2000_net_client(ne);
        } else if (!strcmp(n->model, "rtl8139")) {
            slot = pc_net_free_slot(pci);
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
            slot = pc_net_free_slot(pci);
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
        if (slot >= 0 && !pc_net_boot_rom(m, pci_find_device(pci, PCI_DEVFN(slot, 0)), n,
                                          errp)) {
            ok = false;
            break;
        }
        for (int k = 0; n->netdev && k < plan.nuser; k++)
            if (!strcmp(plan.user[k].id, n->netdev))
                pc_net_connect(m, nc, backend[k]);
        for (int k = 0; n->netdev && k < plan.ntap; k++)
            if (!strcmp(plan.tap[k].id, n->netdev))
                pc_net_connect(m, nc, tap[k]);
    }
    net_plan_clear(&plan);
    return ok;
}
