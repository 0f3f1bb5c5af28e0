/*
 * fuzz_usb.c - libFuzzer harness for the USB path a guest controls: the
 * UHCI's registers and its walk of the frame list, queue heads and
 * transfer descriptors in guest RAM (src/devices/uhci.c), and the setup
 * packets and tokens the USB devices parse (usb.c, usb_hid.c).  A 1 MiB
 * RAM machine with a UHCI (usb-tablet on port 1, usb-kbd on port 2) and
 * a usb-mouse driven directly; the input fills RAM with schedules,
 * programs registers, runs frames and sends input events.  The checks are
 * the sanitizers' and the frame bound: no out-of-bounds access, no crash,
 * no frame that runs away, whatever the schedule says.
 *
 * Input: operations until the end, each an op byte and its operands:
 *   op & 7  0  UHCI register write: offset op>>3, size byte (1, 2, 4), value u32
 *           1  UHCI register read: offset op>>3, size byte
 *           2  guest RAM write: address u16 (x16), 1..32 bytes (op>>3)
 *           3  1 + (op>>3) frames
 *           4  input: kind u8 (tablet abs, key, mouse rel), values u16 u16 u8
 *           5  a token straight to the usb-mouse: pid u8, ep u8, length u8, bytes
 *           6  PCI command register write: u16 (bus mastering on or off)
 *           7  time passes: (1 + op>>3) ms, the frame timer runs
 * FUZZ-SMOKE-RUNS: 1000
 */
#include <stdlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/uhci.h"
#include "devices/usb_hid.h"

#define MAX_OPS 2048
#define RAM     (1u << 20)
#define DEVFN   PCI_DEVFN(1, 2)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(RAM, &err);
    if (!m)
        abort();
    clock_init(&m->clock, true);
    PCIBus *bus = pci_bus_new(&m->bus);
    UHCIState *u = bus ? uhci_init(&m->bus, bus, DEVFN, &err) : NULL;
    if (!u)
        abort();
    USBHidState *tablet = usb_hid_new(USB_HID_TABLET, "0000:00:01.2-1");
    USBHidState *kbd = usb_hid_new(USB_HID_KBD, NULL);
    USBHidState *mouse = usb_hid_new(USB_HID_MOUSE, NULL);
    if (!uhci_attach(u, 0, usb_hid_device(tablet), NULL) ||
        !uhci_attach(u, 1, usb_hid_device(kbd), NULL))
        abort();
    static const int sizes[4] = { 1, 2, 4, 4 };
    FuzzInput in = { data, size, 0 };
    for (int n = 0; fuzz_left(&in) && n < MAX_OPS; n++) {
        uint8_t op = fuzz_u8(&in);
        switch (op & 7) {
        case 0: {
            int sz = sizes[fuzz_u8(&in) & 3];
            uhci_io_write(u, op >> 3, fuzz_u32(&in), sz);
            break;
        }
        case 1:
            uhci_io_read(u, op >> 3, sizes[fuzz_u8(&in) & 3]);
            break;
        case 2: {
            uint32_t addr = ((uint32_t)fuzz_u16(&in) * 16u) % RAM;
            size_t len;
            const uint8_t *p = fuzz_bytes(&in, 1 + (op >> 3), &len);
            physmem_write_buf(m->mem, addr, p, MIN(len, RAM - addr));
            break;
        }
        case 3:
            for (int i = 0; i <= (op >> 3); i++)
                uhci_run_frame(u);
            break;
        case 4: {
            uint8_t kind = fuzz_u8(&in);
            uint16_t a = fuzz_u16(&in), b = fuzz_u16(&in);
            uint8_t c = fuzz_u8(&in);
            if (kind % 3 == 0)
                usb_hid_pointer_abs(tablet, a, b, (int8_t)c, c >> 5);
            else if (kind % 3 == 1)
                usb_hid_key(kbd, a & 0x80 ? 0xe000 | (a & 0x7f) : a & 0x7f, c & 1);
            else
                usb_hid_pointer_rel(mouse, (int16_t)a, (int16_t)b, (int8_t)c, c >> 5);
            break;
        }
        case 5: {
            static const int pids[4] = { USB_TOKEN_SETUP, USB_TOKEN_IN, USB_TOKEN_OUT, 0 };
            uint8_t pid = fuzz_u8(&in), ep = fuzz_u8(&in), len = fuzz_u8(&in);
            uint8_t buf[256] = { 0 };
            size_t got;
            const uint8_t *p = fuzz_bytes(&in, len, &got);
            memcpy(buf, p, got);
            int r = usb_handle_packet(usb_hid_device(mouse), pids[pid & 3], ep & 15, buf, len);
            if (r > len)
                abort();                        /* a device never overfills */
            break;
        }
        case 6:
            pci_config_write(bus, 0, DEVFN, PCI_COMMAND, fuzz_u16(&in), 2);
            break;
        case 7:
            clock_advance(&m->clock, 1000000 * (1 + (op >> 3)));
            clock_run_timers(&m->clock);
            break;
        }
    }
    machine_free(m);                            /* frees the UHCI */
    usb_hid_free(tablet);
    usb_hid_free(kbd);
    usb_hid_free(mouse);
    return 0;
}
