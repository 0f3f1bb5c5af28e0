/*
 * fuzz_nic_virtio.c - libFuzzer harness for virtio-net-pci
 * (src/devices/virtio_net.c on the transport and split virtqueues of
 * virtio_pci.c): a transitional device on a 1 MiB RAM machine whose
 * memory the input fills (descriptor tables, avail rings, buffers), with
 * accesses to the legacy I/O BAR and the modern memory BAR (feature and
 * queue set-up, kicks, status, ISR) interleaved with frames arriving from
 * a fake back end.  What the device transmits goes to the fake back end.
 * The checks are the sanitizers' and libFuzzer's timeout: no
 * out-of-bounds access, no crash, no endless chain walk, whatever the
 * rings say.
 *
 * Input: operations until the end, each an op byte and its operands:
 *   op & 7  0  legacy register write: offset op>>3, size byte (1/2/4), value u32
 *           1  legacy register read: offset op>>3, size byte
 *           2  guest RAM write: address u16 (x16), 1..32 bytes (op>>3)
 *           3  modern BAR write: offset u16 (within 16 KiB), size byte, value u32;
 *              with bit 15 of the offset, a PCI config space write at its
 *              low byte (the configuration access window)
 *           4  modern BAR read: offset u16, size byte (bit 15: config space)
 *           5  a frame for the device: length u16 (0..2047), its bytes
 *           6  quick set-up through the legacy BAR: reset, the PFNs of the
 *              receive and transmit queues (u8 each: pages of RAM), a
 *              status byte, driver features u32, then the status
 *           7  queues flushed, a kick of queue op>>3 & 1 through the legacy BAR
 * FUZZ-SMOKE-RUNS: 1000
 */
#include <stdlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/virtio_net.h"
#include "net/net.h"

#define MAX_OPS 2048
#define RAM     (1u << 20)

static uint64_t sent_frames;

static bool sink_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    sent_frames += len ? buf[0] & 1 : 0;    /* touch the bytes */
    return true;
}

static const NetClientOps sink_ops = { .receive = sink_receive };

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(RAM, &err);
    if (!m)
        abort();
    clock_init(&m->clock, true);
    PCIBus *bus = pci_bus_new(&m->bus);
    VirtioNetState *v = bus ? virtio_net_init(&m->bus, bus, PCI_DEVFN(3, 0), mac, false,
                                              false, &err) : NULL;
    if (!v)
        abort();
    VirtioPCI *vp = virtio_net_transport(v);
    NetClient *peer = net_client_new(&sink_ops, NULL, "sink-virtio");
    net_connect(virtio_net_net_client(v), peer);

    static const int sizes[4] = { 1, 2, 4, 4 };
    FuzzInput in = { data, size, 0 };
    for (int n = 0; fuzz_left(&in) && n < MAX_OPS; n++) {
        uint8_t op = fuzz_u8(&in);
        switch (op & 7) {
        case 0: {
            int sz = sizes[fuzz_u8(&in) & 3];
            virtio_pci_legacy_write(vp, op >> 3, fuzz_u32(&in), sz);
            break;
        }
        case 1:
            virtio_pci_legacy_read(vp, op >> 3, sizes[fuzz_u8(&in) & 3]);
            break;
        case 2: {
            uint32_t addr = ((uint32_t)fuzz_u16(&in) * 16u) % RAM;
            size_t len;
            const uint8_t *p = fuzz_bytes(&in, 1 + (op >> 3), &len);
            physmem_write_buf(m->mem, addr, p, MIN(len, RAM - addr));
            break;
        }
        case 3: {
            uint16_t o = fuzz_u16(&in);
            int sz = sizes[fuzz_u8(&in) & 3];
            uint32_t v = fuzz_u32(&in);
            if (o & 0x8000)
                pci_config_write(bus, 0, PCI_DEVFN(3, 0), (o & 0xff) & ~(uint32_t)(sz - 1), v,
                                 sz);
            else
                virtio_pci_modern_write(vp, o & 0x3fff, v, sz);
            break;
        }
        case 4: {
            uint16_t o = fuzz_u16(&in);
            int sz = sizes[fuzz_u8(&in) & 3];
            if (o & 0x8000)
                pci_config_read(bus, 0, PCI_DEVFN(3, 0), (o & 0xff) & ~(uint32_t)(sz - 1), sz);
            else
                virtio_pci_modern_read(vp, o & 0x3fff, sz);
            break;
        }
        case 5: {
            uint16_t l = fuzz_u16(&in);
            size_t len;
            const uint8_t *p = fuzz_bytes(&in, l % 2048, &len);
            if (len)
                net_send(peer, p, len);
            break;
        }
        case 6: {
            virtio_pci_legacy_write(vp, 0x12, 0, 1);                /* reset */
            for (int q = 0; q < 2; q++) {
                virtio_pci_legacy_write(vp, 0x0e, (uint32_t)q, 2);
                virtio_pci_legacy_write(vp, 0x08, fuzz_u8(&in), 4);
            }
            uint8_t status = fuzz_u8(&in);
            virtio_pci_legacy_write(vp, 0x04, fuzz_u32(&in), 4);
            virtio_pci_legacy_write(vp, 0x12, status, 1);
            break;
        }
        case 7:
            net_flush(virtio_net_net_client(v));
            virtio_pci_legacy_write(vp, 0x10, (op >> 3) & 1, 2);
            break;
        }
    }
    virtio_net_free(v);
    net_client_free(peer);
    machine_free(m);
    return 0;
}
