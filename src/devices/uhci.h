/*
 * uhci.h - the Intel PIIX3 USB host controller (UHCI), PCI 8086:7020,
 * function 2 of the PIIX3 (00:01.2 on QEMU's pc machine with -usb):
 * 32 I/O ports in BAR 4, INTD, a root hub with two ports (uhci.c).
 *
 *     UHCIState *u = uhci_init(&m->bus, pci, PCI_DEVFN(1, 2), errp);
 *     uhci_attach(u, 0, usb_hid_device(tablet), errp);      // port 1
 *
 * The frame timer runs while the guest keeps the controller running
 * (USBCMD.RS) and walks the guest's frame list once per millisecond of
 * virtual time.
 */
#ifndef TX86_UHCI_H
#define TX86_UHCI_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "devices/usb.h"

#define UHCI_PORTS         2
#define UHCI_IO_SIZE       32
#define UHCI_MAX_STEPS     1024    /* QHs + TDs visited in one frame, at most */

/* registers (offsets in the I/O BAR; UHCI 1.1 chapter 2.1) */
#define UHCI_USBCMD        0x00
#define UHCI_USBSTS        0x02
#define UHCI_USBINTR       0x04
#define UHCI_FRNUM         0x06
#define UHCI_FRBASEADD     0x08
#define UHCI_SOFMOD        0x0c
#define UHCI_PORTSC1       0x10
#define UHCI_PORTSC2       0x12

#define UHCI_CMD_RS        0x0001  /* run/stop */
#define UHCI_CMD_HCRESET   0x0002
#define UHCI_CMD_GRESET    0x0004
#define UHCI_CMD_EGSM      0x0008  /* enter global suspend mode */
#define UHCI_CMD_FGR       0x0010  /* force global resume */
#define UHCI_CMD_SWDBG     0x0020
#define UHCI_CMD_CF        0x0040  /* configure flag */
#define UHCI_CMD_MAXP      0x0080

#define UHCI_STS_USBINT    0x0001
#define UHCI_STS_USBERR    0x0002
#define UHCI_STS_RD        0x0004  /* resume detect */
#define UHCI_STS_HSE       0x0008  /* host system error */
#define UHCI_STS_HCPE      0x0010  /* host controller process error */
#define UHCI_STS_HCH       0x0020  /* halted */

#define UHCI_INTR_TOCRC    0x0001
#define UHCI_INTR_RESUME   0x0002
#define UHCI_INTR_IOC      0x0004
#define UHCI_INTR_SP       0x0008

#define UHCI_PORT_CCS      0x0001  /* device present */
#define UHCI_PORT_CSC      0x0002  /* connect status change (write 1 clears) */
#define UHCI_PORT_PE       0x0004  /* enabled */
#define UHCI_PORT_PEC      0x0008  /* enable change (write 1 clears) */
#define UHCI_PORT_RD       0x0040  /* resume detect */
#define UHCI_PORT_RSVD1    0x0080  /* reads as 1 */
#define UHCI_PORT_LSDA     0x0100  /* low speed device */
#define UHCI_PORT_PR       0x0200  /* reset */
#define UHCI_PORT_SUSP     0x1000  /* suspended */

/* link pointers, TD control/status and token (UHCI 1.1 chapter 3.2) */
#define UHCI_LINK_T        0x1     /* terminate */
#define UHCI_LINK_Q        0x2     /* a QH, not a TD */
#define UHCI_LINK_VF       0x4     /* TD links: depth first */
#define UHCI_TD_ACTLEN     0x7ff
#define UHCI_TD_BITSTUFF   (1u << 17)
#define UHCI_TD_CRCTO      (1u << 18)
#define UHCI_TD_NAK        (1u << 19)
#define UHCI_TD_BABBLE     (1u << 20)
#define UHCI_TD_DBUFERR    (1u << 21)
#define UHCI_TD_STALLED    (1u << 22)
#define UHCI_TD_ACTIVE     (1u << 23)
#define UHCI_TD_IOC        (1u << 24)
#define UHCI_TD_IOS        (1u << 25)
#define UHCI_TD_LS         (1u << 26)
#define UHCI_TD_CERR_SHIFT 27
#define UHCI_TD_SPD        (1u << 29)

typedef struct UHCIState UHCIState;

UHCIState *uhci_init(const Buses *b, PCIBus *bus, int devfn, GError **errp);
/* plug a device into root port 0 or 1 (connect status change set) */
bool uhci_attach(UHCIState *s, int port, USBDevice *dev, GError **errp);
USBDevice *uhci_port_device(UHCIState *s, int port);
PCIDevice *uhci_pci(UHCIState *s);
/* the registers as the I/O BAR reaches them (tests) */
uint32_t uhci_io_read(UHCIState *s, uint32_t off, int size);
void uhci_io_write(UHCIState *s, uint32_t off, uint32_t val, int size);
/* process one frame now, as the frame timer does (tests, fuzzing) */
void uhci_run_frame(UHCIState *s);
/* how many frames stopped at UHCI_MAX_STEPS or at a QH met twice */
unsigned uhci_frames_cut(UHCIState *s);
/* "info usb" lines for the attached devices */
void uhci_info(UHCIState *s, GString *out);

/* saved state: section "uhci" (bus/vmstate.h), registered by uhci_init;
 * uhci_attach registers the attached device's section (USBDevice.vmsd) */
extern const VMStateDesc uhci_vmsd;
extern const size_t uhci_state_size;

#endif
