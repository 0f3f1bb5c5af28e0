/*
 * pci.h - the PCI bus of the PC: configuration mechanism #1 (ports 0xCF8
 * address, 0xCFC-0xCFF data), functions with their 256-byte configuration
 * space, BARs that map I/O ports and memory when the guest programs them,
 * and INTx lines routed by the ISA bridge (PIIX3, piix.c).
 * Reference: PCI Local Bus Specification 2.2 (chapter 6, configuration
 * space; 3.2.2.3.2 configuration mechanism #1).
 *
 * How a device joins the bus (IDE, VGA, ...):
 *
 *     static const PCIDeviceOps ide_pci_ops = { .config_write = ide_cfg_write };
 *     PCIDevice *d = pci_register_function(pci_bus, PCI_DEVFN(1, 1), "piix3-ide",
 *                                          0x8086, 0x7010, 0x00, 0x010180,
 *                                          &ide_pci_ops, ide);
 *     pci_register_io_bar(d, 4, 16, &bmdma_ops, ide, "piix3-bmdma");
 *     pci_register_mem_bar(d, 0, 16 << 20, PCI_BAR_PREFETCH, NULL, vram, vga);
 *     pci_set_rom(d, rom_data, rom_len);          // expansion ROM BAR (0x30)
 *     pci_set_irq(d, 1);  ...  pci_set_irq(d, 0); // INTx, level
 *
 * The bus keeps the standard header itself: IDs, command (I/O, memory,
 * bus master, INTx disable), status (write 1 to clear), cache line size,
 * latency timer, BARs (sizing by writing all ones: the read back gives
 * ~(size-1) | type bits), expansion ROM, interrupt line (read/write) and
 * pin (read only).  A BAR is mapped at the address the guest wrote when
 * its decode bit in the command register is set (I/O bit 0 for I/O BARs,
 * memory bit 1 for memory BARs and the ROM, which also needs its enable
 * bit); changing the BAR or the command register unmaps and remaps.
 * Device-specific registers (0x40-0xFF, and anything the device marks
 * writable with pci_set_wmask) are stored in config[] by the bus; a
 * device that must react to them supplies config_write (called after the
 * bus stored the value) and, for registers with read side effects or
 * computed values, config_read (called instead of the stored value when
 * it returns true).
 *
 * Every function gets subsystem vendor/device 1AF4:1100 like QEMU's
 * devices: SeaBIOS recognises QEMU by the host bridge's subsystem IDs.
 */
#ifndef TX86_PCI_H
#define TX86_PCI_H

#include <stdint.h>
#include <glib.h>
#include <stdbool.h>
#include "bus/ioport.h"
#include "bus/memory.h"

struct Buses;

#define PCI_DEVFN(slot, fn)   ((((slot) & 0x1f) << 3) | ((fn) & 7))
#define PCI_SLOT(devfn)       (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)       ((devfn) & 7)

/* configuration space header (type 0) */
#define PCI_VENDOR_ID         0x00
#define PCI_DEVICE_ID         0x02
#define PCI_COMMAND           0x04
#define  PCI_COMMAND_IO       0x0001
#define  PCI_COMMAND_MEMORY   0x0002
#define  PCI_COMMAND_MASTER   0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS            0x06
#define  PCI_STATUS_INTERRUPT 0x0008
#define PCI_REVISION_ID       0x08
#define PCI_CLASS_PROG        0x09
#define PCI_CLASS_DEVICE      0x0a
#define PCI_CACHE_LINE_SIZE   0x0c
#define PCI_LATENCY_TIMER     0x0d
#define PCI_HEADER_TYPE       0x0e
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0    0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID      0x2e
#define PCI_ROM_ADDRESS       0x30
#define PCI_INTERRUPT_LINE    0x3c
#define PCI_INTERRUPT_PIN     0x3d

#define PCI_NUM_BARS          6
#define PCI_ROM_SLOT          6     /* bars[6] is the expansion ROM */
#define PCI_BAR_UNMAPPED      0xffffffffu

/* pci_register_mem_bar flags */
#define PCI_BAR_PREFETCH      0x08

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

typedef struct PCIDeviceOps {
    /* optional: return true and set *val to override the stored value */
    bool (*config_read)(PCIDevice *d, uint32_t addr, int size, uint32_t *val);
    /* optional: after the bus stored a write (addr is the register
     * offset, size 1/2/4, val the value written) */
    void (*config_write)(PCIDevice *d, uint32_t addr, uint32_t val, int size);
} PCIDeviceOps;

typedef enum PCIBarKind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MMIO, PCI_BAR_RAM,
                          PCI_BAR_ROM } PCIBarKind;

typedef struct PCIBar {
    PCIBarKind kind;
    uint32_t size;              /* power of two (I/O >= 4, memory >= 16) */
    uint8_t type_bits;          /* low bits of the BAR (I/O bit 0, prefetch) */
    const IOPortOps *io_ops;    /* PCI_BAR_IO */
    const MemOps *mem_ops;      /* PCI_BAR_MMIO */
    uint8_t *host;              /* PCI_BAR_RAM / PCI_BAR_ROM backing (size bytes) */
    void *opaque;
    const char *name;
    uint32_t mapped;            /* address it is mapped at, PCI_BAR_UNMAPPED */
    MemRegion *region;          /* memory BARs: the physmem region */
} PCIBar;

struct PCIDevice {
    uint8_t config[256];        /* configuration space as the guest sees it */
    uint8_t wmask[256];         /* bits the guest may write (device-specific) */
    uint8_t w1cmask[256];       /* bits cleared by writing 1 (status) */
    PCIBus *bus;
    int devfn;
    const char *name;
    const PCIDeviceOps *ops;
    void *opaque;               /* the device's own state */
    PCIBar bars[PCI_NUM_BARS + 1];
    int irq_level;              /* bit 0: INTx the device drives; bit 1: counted by the bus */
};

/* the bus: registers ports 0xCF8-0xCFF; freed with the machine.  The
 * board hands it to the functions it creates (i440fx_init, ide_init ...) */
PCIBus *pci_bus_new(const struct Buses *b);

/* a function at devfn (PCI_DEVFN(slot, fn)); class_code is class <<
 * 16 | subclass << 8 | prog-if.  Returns NULL, with "NAME: PCI 00:SS.F
 * is taken" in errp (may be NULL), if devfn is taken or out of range.
 * The device's fields stay valid for the machine's lifetime. */
PCIDevice *pci_register_function(PCIBus *bus, int devfn, const char *name,
                                 uint16_t vendor, uint16_t device, uint8_t revision,
                                 uint32_t class_code, const PCIDeviceOps *ops, void *opaque,
                                 GError **errp);
/* make config bytes [addr, addr+len) writable by the guest with mask
 * (pci_register_function makes 0x40-0xFF writable by default) */
void pci_set_wmask(PCIDevice *d, uint32_t addr, int len, uint8_t mask);
/* BARs: size a power of two.  io_ops / mem_ops get offsets relative to
 * the BAR's base (IOPortOps receive the offset in their `port`
 * argument; the access sizes of io_ops apply).  A RAM BAR maps host
 * memory directly (fast, for framebuffers).  A BAR that would overlap
 * ports already taken stays unmapped (-d unimp says so). */
void pci_register_io_bar(PCIDevice *d, int bar, uint32_t size, const IOPortOps *ops,
                         void *opaque, const char *name);
void pci_register_mem_bar(PCIDevice *d, int bar, uint32_t size, unsigned flags,
                          const MemOps *ops, void *opaque, const char *name);
void pci_register_ram_bar(PCIDevice *d, int bar, uint32_t size, unsigned flags,
                          uint8_t *host, const char *name);
/* expansion ROM (config 0x30): the image is copied, padded to a power of two */
void pci_set_rom(PCIDevice *d, const uint8_t *data, uint32_t len);
/* where a BAR is mapped now (PCI_BAR_UNMAPPED when decoding is off) */
uint32_t pci_bar_base(PCIDevice *d, int bar);
/* drive the function's INTx pin (level); the bus ORs the functions that
 * share a PIRQ and calls the router */
void pci_set_irq(PCIDevice *d, int level);
/* the PIRQ (0-3 = A-D) a function's pin reaches on the PC (i440FX
 * swizzle: (slot + pin - 2) & 3 with pin 1 = INTA) */
int pci_irq_pirq(PCIDevice *d);
/* the ISA bridge installs the PIRQ router: called with the PIRQ number
 * and the ORed level of every function driving it */
void pci_bus_set_router(PCIBus *bus, void (*route)(void *opaque, int pirq, int level),
                        void *opaque);

/* config space access as the CPU does it through 0xCF8/0xCFC (tests, and
 * devices reading their neighbours) */
uint32_t pci_config_read(PCIBus *bus, int busno, int devfn, uint32_t addr, int size);
void     pci_config_write(PCIBus *bus, int busno, int devfn, uint32_t addr,
                          uint32_t val, int size);
PCIDevice *pci_find_device(PCIBus *bus, int devfn);

/* the saved-state tables (bus/vmstate.h): "pci" (the bus) and "pci-dev"
 * (every function's configuration space), for the tests */
extern const struct VMStateDesc pci_bus_vmsd, pci_dev_vmsd;
extern const size_t pci_bus_state_size;

#endif
