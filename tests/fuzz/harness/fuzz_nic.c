/*
 * fuzz_nic.c - libFuzzer harness for the network cards' guest-facing and
 * wire-facing paths: the e1000 (src/devices/e1000.c), the NE2000
 * (ne2000.c, PCI flavour) and the RTL8139 (rtl8139.c) on a 1 MiB RAM
 * machine whose memory the input fills, with register accesses (ring set-ups, doorbells, EEPROM and PHY
 * bit-banging, remote DMA) interleaved with frames arriving from a fake
 * back end and with time passing.  What the NICs transmit goes to the
 * fake back end, which counts it.  The checks are the sanitizers': no
 * out-of-bounds access, no crash, whatever the descriptors say.
 *
 * Input: operations until the end, each an op byte and its operands:
 *   op & 7  0  e1000 register write: offset u16 (x4), value u32
 *           1  e1000 register read: offset u16 (x4)
 *           2  guest RAM write: address u16 (x16), 1..32 bytes (op>>3)
 *           3  a frame for the e1000: length u16 (0..2047), its bytes
 *           4  port write: a byte B (size B&3; B&4: the RTL8139 at offset
 *              (op>>3)*8 + (B>>3&7), else the NE2000 at offset op>>3),
 *              value u32
 *           5  port read: B as for 4
 *           6  a frame for the NE2000 (length bit 15 clear) or the RTL8139:
 *              length u16 (low 11 bits), its bytes
 *           7  time passes (timers run), queues are flushed
 * A machine per input costs ~14 ms (its RAM and translator), hence fewer
 * smoke runs:
 * FUZZ-SMOKE-RUNS: 1000
 */
#include <stdlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/e1000.h"
#include "devices/ne2000.h"
#include "devices/rtl8139.h"
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
    E1000State *e = bus ? e1000_init(&m->bus, bus, PCI_DEVFN(3, 0), mac, &err) : NULL;
    Ne2000State *ne = bus ? ne2000_pci_init(&m->bus, bus, PCI_DEVFN(4, 0), mac, &err) : NULL;
    Rtl8139State *rt = bus ? rtl8139_init(&m->bus, bus, PCI_DEVFN(5, 0), mac, &err) : NULL;
    if (!e || !ne || !rt)
        abort();
    NetClient *peer_e = net_client_new(&sink_ops, NULL, "sink-e1000");
    NetClient *peer_n = net_client_new(&sink_ops, NULL, "sink-ne2000");
    NetClient *peer_r = net_client_new(&sink_ops, NULL, "sink-rtl8139");
    net_connect(e1000_net_client(e), peer_e);
    net_connect(ne2000_net_client(ne), peer_n);
    net_connect(rtl8139_net_client(rt), peer_r);

    static const int sizes[4] = { 1, 2, 4, 4 };
    FuzzInput in = { data, size, 0 };
    for (int n = 0; fuzz_left(&in) && n < MAX_OPS; n++) {
        uint8_t op = fuzz_u8(&in);
        switch (op & 7) {
        case 0: {
            uint32_t off = (uint32_t)fuzz_u16(&in) * 4u;
            e1000_mmio_write(e, off, fuzz_u32(&in));
            break;
        }
        case 1:
            e1000_mmio_read(e, (uint32_t)fuzz_u16(&in) * 4u);
            break;
        case 2: {
            uint32_t addr = ((uint32_t)fuzz_u16(&in) * 16u) % RAM;
            size_t len;
            const uint8_t *p = fuzz_bytes(&in, 1 + (op >> 3), &len);
            physmem_write_buf(m->mem, addr, p, MIN(len, RAM - addr));
            break;
        }
        case 3:
        case 6: {
            uint16_t l = fuzz_u16(&in);
            size_t len;
            const uint8_t *p = fuzz_bytes(&in, l % 2048, &len);
            if (len)
                net_send((op & 7) == 3 ? peer_e : (l & 0x8000) ? peer_r : peer_n, p, len);
            break;
        }
        case 4:
        case 5: {
            uint8_t b = fuzz_u8(&in);
            int sz = sizes[b & 3];
            uint32_t roff = (uint32_t)(op >> 3) * 8 + (b >> 3 & 7);
            if ((op & 7) == 4) {
                uint32_t v = fuzz_u32(&in);
                if (b & 4)
                    rtl8139_reg_write(rt, roff, v, sz);
                else
                    ne2000_io_write(ne, op >> 3, v, sz);
            } else if (b & 4) {
                rtl8139_reg_read(rt, roff, sz);
            } else {
                ne2000_io_read(ne, op >> 3, sz);
            }
            break;
        }
        case 7:
            clock_advance(&m->clock, 1000 * (1 + (op >> 3)));
            clock_run_timers(&m->clock);
            net_flush(e1000_net_client(e));
            net_flush(ne2000_net_client(ne));
            net_flush(rtl8139_net_client(rt));
            break;
        }
    }
    e1000_free(e);
    ne2000_free(ne);
    rtl8139_free(rt);
    net_client_free(peer_e);
    net_client_free(peer_n);
    net_client_free(peer_r);
    machine_free(m);
    return 0;
}
