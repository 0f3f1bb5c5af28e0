/*
 * pci.c - the PCI bus: configuration mechanism #1, the standard type-0
 * header, BAR mapping and INTx routing (see pci.h for the device API).
 * Reference: PCI Local Bus Specification 2.2, 3.2.2.3.2 (mechanism #1:
 * CONFIG_ADDRESS at 0xCF8, dword only; CONFIG_DATA at 0xCFC-0xCFF, any
 * size) and chapter 6 (configuration space, BAR sizing).
 *
 * Only bus 0 exists (no bridges).  Byte and word accesses to 0xCF8-0xCFB
 * do not reach CONFIG_ADDRESS; the byte at 0xCF9 is the PIIX3 reset
 * control register (bit 2: reset the machine through host_request_reset,
 * which ends tx86 with status 0 under -no-reboot).
 *
 * The bus keeps the header's generic registers itself; BARs are stored as
 * the guest sees them (address bits masked by the size, type bits fixed)
 * and mapped while their decode bit in COMMAND is on.  INTx: each function
 * drives its pin; the bus counts the asserted functions per PIRQ (A-D,
 * i440FX swizzle) and tells the router (piix.c) whether the wired-OR line
 * is high.
 */
#include <string.h>
#include <glib.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "util/log.h"

struct PCIBus {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    uint32_t config_address;      /* 0xCF8 */
    uint8_t reset_control;        /* 0xCF9 (PIIX3 RCR) */
    PCIDevice *devs[256];         /* by devfn */
    int pirq_count[4];            /* functions asserting each PIRQ */
    void (*route)(void *opaque, int pirq, int level);
    void *route_opaque;
};

/* per-BAR I/O trampolines: the device sees offsets inside its BAR */
typedef struct PCIIoBar {
    IOPortOps ops;                /* sizes copied from the device's ops */
    PCIDevice *dev;
    int bar;
    void *dev_opaque;             /* what the device's ops expect */
} PCIIoBar;

static uint32_t pci_ones(int size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* ---- BAR mapping ------------------------------------------------------ */

static uint32_t pci_bar_reg(int bar)
{
    return bar == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * bar;
}

static uint32_t pci_get_long(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void pci_put_long(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* the address a BAR should decode now, PCI_BAR_UNMAPPED if none */
static uint32_t pci_bar_target(PCIDevice *d, int bar)
{
    PCIBar *b = &d->bars[bar];
    uint16_t cmd = (uint16_t)(d->config[PCI_COMMAND] | d->config[PCI_COMMAND + 1] << 8);
    uint32_t v = pci_get_long(&d->config[pci_bar_reg(bar)]);
    uint32_t base, last;
    switch (b->kind) {
    case PCI_BAR_IO:
        if (!(cmd & PCI_COMMAND_IO))
            return PCI_BAR_UNMAPPED;
        base = v & ~3u & ~(b->size - 1);
        last = base + b->size - 1;
        if (base == 0 || last > 0xffff || last < base)
            return PCI_BAR_UNMAPPED;
        return base;
    case PCI_BAR_MMIO:
    case PCI_BAR_RAM:
    case PCI_BAR_ROM:
        if (!(cmd & PCI_COMMAND_MEMORY))
            return PCI_BAR_UNMAPPED;
        if (b->kind == PCI_BAR_ROM && !(v & 1))
            return PCI_BAR_UNMAPPED;
        base = v & ~0xfu & ~(b->size - 1);
        last = base + b->size - 1;
        /* 0, or the sizing pattern that ends at 4 GiB - 1 */
        if (base == 0 || last <= base || last == 0xffffffffu)
            return PCI_BAR_UNMAPPED;
        return base;
    default:
        return PCI_BAR_UNMAPPED;
    }
}

static void pci_update_mappings(PCIDevice *d)
{
    const Buses *buses = &d->bus->buses;
    for (int i = 0; i <= PCI_ROM_SLOT; i++) {
        PCIBar *b = &d->bars[i];
        if (b->kind == PCI_BAR_NONE)
            continue;
        uint32_t target = pci_bar_target(d, i);
        if (target == b->mapped)
            continue;
        if (b->kind == PCI_BAR_IO) {
            PCIIoBar *tramp = b->opaque;
            if (b->mapped != PCI_BAR_UNMAPPED)
                ioport_unregister(buses->io, (uint16_t)b->mapped, b->size, tramp);
            b->mapped = PCI_BAR_UNMAPPED;
            if (target != PCI_BAR_UNMAPPED) {
                if (ioport_register(buses->io, (uint16_t)target, b->size, &tramp->ops, tramp,
                                    b->name))
                    b->mapped = target;
                else if (log_enabled(LOG_UNIMP))
                    log_printf("pci: %s BAR%d at port %#x overlaps other ports: not mapped\n",
                               d->name, i, target);
            }
        } else {
            /* the map's listeners (TLB, translated code) hear of both ranges */
            physmem_region_set(buses->mem, b->region,
                               target == PCI_BAR_UNMAPPED ? b->region->base : target,
                               target != PCI_BAR_UNMAPPED);
            b->mapped = target;
        }
    }
}

/* ---- saved state (bus/vmstate.h) ------------------------------------ */

/* "pci": the CONFIG_ADDRESS latch and the reset control register.
 * "pci-dev", one per function in registration order (the board's, so
 * deterministic): its whole configuration space (BARs, command, the
 * device-specific registers such as the i440FX's PAM or the PIIX's
 * PIRQ routing) and the INTx level.  The bus's post_load maps every
 * BAR again; the owning device's post_load rebuilds whatever else it
 * derives from its config bytes.  wmask/w1cmask and the BAR descriptions are fixed at
 * registration. */
static bool pci_dev_post_load(void *opaque, int version, GError **errp)
{
    PCIDevice *d = opaque;
    if (d->irq_level < 0 || d->irq_level > 3) {
        g_set_error(errp, VMSTATE_ERROR, 0, "pci-dev %s: INTx state %d out of range",
                    d->name, d->irq_level);
        return false;
    }
    return true;                        /* the bus maps the BARs (pci_bus_post_load) */
}

static const VMStateField pci_dev_fields[] = {
    VMS_BYTES(PCIDevice, config, 1),
    VMS_I32(PCIDevice, irq_level, 1),
    VMS_END
};
const VMStateDesc pci_dev_vmsd = { .name = "pci-dev", .version = 1, .min_version = 1,
                                   .fields = pci_dev_fields, .post_load = pci_dev_post_load };

/* the BARs and the PIRQ counts follow from the functions' config spaces
 * and INTx states (loaded by then: post_load runs after every section) */
static void pci_unmap_bars(PCIDevice *d)
{
    const Buses *buses = &d->bus->buses;
    for (int i = 0; i <= PCI_ROM_SLOT; i++) {
        PCIBar *b = &d->bars[i];
        if (b->kind == PCI_BAR_NONE || b->mapped == PCI_BAR_UNMAPPED)
            continue;
        if (b->kind == PCI_BAR_IO)
            ioport_unregister(buses->io, (uint16_t)b->mapped, b->size, b->opaque);
        else
            physmem_region_set(buses->mem, b->region, b->region->base, false);
        b->mapped = PCI_BAR_UNMAPPED;
    }
}

/* every function's BARs move to where the loaded config space puts them:
 * all are unmapped first, so a load into a running machine does not find
 * a BAR's new range still held by another one's old mapping */
static bool pci_bus_post_load(void *opaque, int version, GError **errp)
{
    PCIBus *bus = opaque;
    for (int i = 0; i < 256; i++)
        if (bus->devs[i])
            pci_unmap_bars(bus->devs[i]);
    for (int i = 0; i < 256; i++)
        if (bus->devs[i])
            pci_update_mappings(bus->devs[i]);
    memset(bus->pirq_count, 0, sizeof(bus->pirq_count));
    for (int i = 0; i < 256; i++) {
        PCIDevice *d = bus->devs[i];
        int pirq = d ? pci_irq_pirq(d) : -1;
        if (pirq >= 0 && (d->irq_level & 2))
            bus->pirq_count[pirq]++;
    }
    return true;
}

static const VMStateField pci_bus_fields[] = {
    VMS_U32(PCIBus, config_address, 1),
    VMS_U8(PCIBus, reset_control, 1),
    VMS_END
};
const VMStateDesc pci_bus_vmsd = { .name = "pci", .version = 1, .min_version = 1,
                                   .fields = pci_bus_fields, .post_load = pci_bus_post_load };
const size_t pci_bus_state_size = sizeof(PCIBus);

static uint32_t pci_io_tramp_read(void *opaque, uint16_t port, int size)
{
    PCIIoBar *t = opaque;
    PCIBar *b = &t->dev->bars[t->bar];
    if (!b->io_ops->read)
        return pci_ones(size);
    return b->io_ops->read(t->dev_opaque, (uint16_t)(port - b->mapped), size);
}

static void pci_io_tramp_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    PCIIoBar *t = opaque;
    PCIBar *b = &t->dev->bars[t->bar];
    if (b->io_ops->write)
        b->io_ops->write(t->dev_opaque, (uint16_t)(port - b->mapped), value, size);
}

/* ---- configuration space ---------------------------------------------- */

static bool pci_is_bar_byte(PCIDevice *d, uint32_t a, int *bar)
{
    if (a >= PCI_BASE_ADDRESS_0 && a < PCI_BASE_ADDRESS_0 + 24) {
        *bar = (int)(a - PCI_BASE_ADDRESS_0) / 4;
        return true;
    }
    if (a >= PCI_ROM_ADDRESS && a < PCI_ROM_ADDRESS + 4) {
        *bar = PCI_ROM_SLOT;
        return true;
    }
    return false;
}

static uint32_t pci_dev_config_read(PCIDevice *d, uint32_t addr, int size)
{
    uint32_t v;
    if (d->ops && d->ops->config_read && d->ops->config_read(d, addr, size, &v))
        return v & pci_ones(size);
    v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)d->config[(addr + i) & 0xff] << (8 * i);
    return v;
}

static void pci_dev_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int size)
{
    bool remap = false;
    for (int i = 0; i < size; i++) {
        uint32_t a = (addr + i) & 0xff;
        uint8_t byte = (uint8_t)(val >> (8 * i));
        int bar;
        if (pci_is_bar_byte(d, a, &bar)) {
            PCIBar *b = &d->bars[bar];
            if (b->kind == PCI_BAR_NONE)
                continue;                          /* unused BAR reads 0 */
            uint32_t reg = pci_bar_reg(bar);
            uint32_t v = pci_get_long(&d->config[reg]);
            int sh = 8 * (int)(a - reg);
            v = (v & ~(0xffu << sh)) | (uint32_t)byte << sh;
            if (bar == PCI_ROM_SLOT)
                v = (v & ~(b->size - 1) & ~0x7feu) | (v & 1);
            else
                v = (v & ~(b->size - 1) & ~0xfu) | b->type_bits;
            pci_put_long(&d->config[reg], v);
            remap = true;
            continue;
        }
        if (a == PCI_COMMAND || a == PCI_COMMAND + 1)
            remap = true;
        uint8_t w = d->wmask[a];
        d->config[a] = (uint8_t)((d->config[a] & ~w) | (byte & w));
        d->config[a] &= (uint8_t)~(byte & d->w1cmask[a]);
    }
    if (remap)
        pci_update_mappings(d);
    /* INTx disable may mask or unmask the line */
    if (addr <= PCI_COMMAND + 1 && addr + (uint32_t)size > PCI_COMMAND + 1)
        pci_set_irq(d, d->irq_level & 1);
    if (d->ops && d->ops->config_write)
        d->ops->config_write(d, addr, val & pci_ones(size), size);
}

PCIDevice *pci_find_device(PCIBus *bus, int devfn)
{
    if (!bus || devfn < 0 || devfn > 255)
        return NULL;
    return bus->devs[devfn];
}

uint32_t pci_config_read(PCIBus *bus, int busno, int devfn, uint32_t addr, int size)
{
    PCIDevice *d = busno == 0 ? pci_find_device(bus, devfn) : NULL;
    if (!d || addr + (uint32_t)size > 256)
        return pci_ones(size);
    return pci_dev_config_read(d, addr, size);
}

void pci_config_write(PCIBus *bus, int busno, int devfn, uint32_t addr, uint32_t val, int size)
{
    PCIDevice *d = busno == 0 ? pci_find_device(bus, devfn) : NULL;
    if (!d || addr + (uint32_t)size > 256)
        return;
    pci_dev_config_write(d, addr, val, size);
}

/* ---- ports 0xCF8-0xCFF -------------------------------------------------- */

static uint32_t pci_addr_read(void *opaque, uint16_t port, int size)
{
    PCIBus *bus = opaque;
    if (port == 0xcf8 && size == 4)
        return bus->config_address;
    if (port == 0xcf9 && size == 1)
        return bus->reset_control;
    return pci_ones(size);
}

static void pci_addr_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    PCIBus *bus = opaque;
    if (port == 0xcf8 && size == 4) {
        bus->config_address = value & 0x80fffffcu;
        return;
    }
    if (port == 0xcf9 && size == 1) {
        bus->reset_control = (uint8_t)(value & 0x02);
        if (value & 0x04)
            host_request_reset(bus->buses.host);   /* exits instead under -no-reboot */
    }
}

static uint32_t pci_data_read(void *opaque, uint16_t port, int size)
{
    PCIBus *bus = opaque;
    uint32_t a = bus->config_address;
    if (!(a & 0x80000000u))
        return pci_ones(size);
    return pci_config_read(bus, (a >> 16) & 0xff, (a >> 8) & 0xff,
                           (a & 0xfc) + (port & 3u), size);
}

static void pci_data_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    PCIBus *bus = opaque;
    uint32_t a = bus->config_address;
    if (!(a & 0x80000000u))
        return;
    pci_config_write(bus, (a >> 16) & 0xff, (a >> 8) & 0xff, (a & 0xfc) + (port & 3u),
                     value, size);
}

static const IOPortOps pci_addr_ops = {
    .read = pci_addr_read, .write = pci_addr_write,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

static const IOPortOps pci_data_ops = {
    .read = pci_data_read, .write = pci_data_write,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

/* ---- bus and functions -------------------------------------------------- */

static void pci_bus_free(void *opaque)
{
    PCIBus *bus = opaque;
    for (int i = 0; i < 256; i++) {
        PCIDevice *d = bus->devs[i];
        if (!d)
            continue;
        for (int b = 0; b <= PCI_ROM_SLOT; b++) {
            if (d->bars[b].kind == PCI_BAR_IO)
                g_free(d->bars[b].opaque);
            if (d->bars[b].kind == PCI_BAR_ROM)
                g_free(d->bars[b].host);
        }
        g_free(d);
    }
    g_free(bus);
}

static void pci_device_reset(PCIDevice *d)
{
    /* command, status and BARs back to 0: decoding off */
    d->config[PCI_COMMAND] = d->config[PCI_COMMAND + 1] = 0;
    d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
    d->config[PCI_CACHE_LINE_SIZE] = d->config[PCI_LATENCY_TIMER] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int b = 0; b <= PCI_ROM_SLOT; b++)
        if (d->bars[b].kind != PCI_BAR_NONE)
            pci_put_long(&d->config[pci_bar_reg(b)], d->bars[b].type_bits);
    pci_update_mappings(d);
}

static void pci_bus_reset(void *opaque)
{
    PCIBus *bus = opaque;
    bus->config_address = 0;
    bus->reset_control = 0;
    for (int i = 0; i < 256; i++)
        if (bus->devs[i])
            pci_device_reset(bus->devs[i]);
}

PCIBus *pci_bus_new(const Buses *b)
{
    PCIBus *bus = g_new0(PCIBus, 1);
    bus->buses = *b;
    if (!ioport_register(b->io, 0xcf8, 4, &pci_addr_ops, bus, "pci-config-address") ||
        !ioport_register(b->io, 0xcfc, 4, &pci_data_ops, bus, "pci-config-data")) {
        g_free(bus);
        return NULL;
    }
    /* registered before the functions' own resets so BARs unmap first */
    host_register_device(b->host, bus, pci_bus_free, pci_bus_reset);
    host_register_state(b->host, &pci_bus_vmsd, bus);
    return bus;
}

void pci_set_wmask(PCIDevice *d, uint32_t addr, int len, uint8_t mask)
{
    for (int i = 0; i < len && addr + (uint32_t)i < 256; i++)
        d->wmask[addr + i] = mask;
}

PCIDevice *pci_register_function(PCIBus *bus, int devfn, const char *name,
                                 uint16_t vendor, uint16_t device, uint8_t revision,
                                 uint32_t class_code, const PCIDeviceOps *ops, void *opaque,
                                 GError **errp)
{
    if (!bus || devfn < 0 || devfn > 255 || bus->devs[devfn]) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s: PCI 00:%02x.%x is taken",
                    name, devfn >= 0 && devfn <= 255 ? PCI_SLOT(devfn) : 0xff,
                    devfn >= 0 && devfn <= 255 ? PCI_FUNC(devfn) : 0);
        return NULL;
    }
    PCIDevice *d = g_new0(PCIDevice, 1);
    d->bus = bus;
    d->devfn = devfn;
    d->name = name;
    d->ops = ops;
    d->opaque = opaque;
    for (int i = 0; i <= PCI_ROM_SLOT; i++)
        d->bars[i].mapped = PCI_BAR_UNMAPPED;
    uint8_t *c = d->config;
    c[PCI_VENDOR_ID] = (uint8_t)vendor; c[PCI_VENDOR_ID + 1] = (uint8_t)(vendor >> 8);
    c[PCI_DEVICE_ID] = (uint8_t)device; c[PCI_DEVICE_ID + 1] = (uint8_t)(device >> 8);
    c[PCI_REVISION_ID] = revision;
    c[PCI_CLASS_PROG] = (uint8_t)class_code;
    c[PCI_CLASS_DEVICE] = (uint8_t)(class_code >> 8);
    c[PCI_CLASS_DEVICE + 1] = (uint8_t)(class_code >> 16);
    c[PCI_SUBSYSTEM_VENDOR_ID] = 0xf4; c[PCI_SUBSYSTEM_VENDOR_ID + 1] = 0x1a;
    c[PCI_SUBSYSTEM_ID] = 0x00; c[PCI_SUBSYSTEM_ID + 1] = 0x11;
    /* writable: COMMAND (I/O, memory, master, SERR, INTx disable), cache
     * line, latency, interrupt line, device-specific space */
    d->wmask[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | 0x40;
    d->wmask[PCI_COMMAND + 1] = (PCI_COMMAND_INTX_DISABLE | 0x100) >> 8;
    d->w1cmask[PCI_STATUS + 1] = 0xf9;            /* parity, aborts, SERR */
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    pci_set_wmask(d, 0x40, 0xc0, 0xff);
    bus->devs[devfn] = d;
    host_register_state(bus->buses.host, &pci_dev_vmsd, d);
    /* a function > 0 makes function 0 of the slot multi-function */
    if (PCI_FUNC(devfn) != 0 && bus->devs[devfn & ~7])
        bus->devs[devfn & ~7]->config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    if (PCI_FUNC(devfn) == 0)
        for (int f = 1; f < 8; f++)
            if (bus->devs[devfn + f])
                c[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    return d;
}

static bool pci_bar_check(PCIDevice *d, int bar, uint32_t size, uint32_t min)
{
    if (bar < 0 || bar > PCI_ROM_SLOT || size < min || (size & (size - 1)) ||
        d->bars[bar].kind != PCI_BAR_NONE) {
        g_warning("pci: %s: bad BAR %d (size %#x)", d->name, bar, size);
        return false;
    }
    return true;
}

void pci_register_io_bar(PCIDevice *d, int bar, uint32_t size, const IOPortOps *ops,
                         void *opaque, const char *name)
{
    if (bar == PCI_ROM_SLOT || !pci_bar_check(d, bar, size, 4) || size > 256)
        return;
    PCIBar *b = &d->bars[bar];
    PCIIoBar *t = g_new0(PCIIoBar, 1);
    t->ops.read = pci_io_tramp_read;
    t->ops.write = pci_io_tramp_write;
    t->ops.sizes = ops->sizes;
    t->dev = d;
    t->bar = bar;
    t->dev_opaque = opaque;
    b->kind = PCI_BAR_IO;
    b->size = size;
    b->type_bits = 1;
    b->io_ops = ops;
    b->opaque = t;                /* the trampoline; it calls ops with opaque */
    b->name = name;
    pci_put_long(&d->config[pci_bar_reg(bar)], 1);
}

void pci_register_mem_bar(PCIDevice *d, int bar, uint32_t size, unsigned flags,
                          const MemOps *ops, void *opaque, const char *name)
{
    if (bar == PCI_ROM_SLOT || !pci_bar_check(d, bar, size, 16))
        return;
    PCIBar *b = &d->bars[bar];
    b->kind = PCI_BAR_MMIO;
    b->size = size;
    b->type_bits = (uint8_t)(flags & PCI_BAR_PREFETCH);
    b->mem_ops = ops;
    b->opaque = opaque;
    b->name = name;
    b->region = physmem_add_mmio_off(d->bus->buses.mem, name, 0, size, ops, opaque);
    if (!b->region) {
        b->kind = PCI_BAR_NONE;
        return;
    }
    pci_put_long(&d->config[pci_bar_reg(bar)], b->type_bits);
}

void pci_register_ram_bar(PCIDevice *d, int bar, uint32_t size, unsigned flags,
                          uint8_t *host, const char *name)
{
    if (bar == PCI_ROM_SLOT || !pci_bar_check(d, bar, size, 16))
        return;
    PCIBar *b = &d->bars[bar];
    b->kind = PCI_BAR_RAM;
    b->size = size;
    b->type_bits = (uint8_t)(flags & PCI_BAR_PREFETCH);
    b->host = host;
    b->name = name;
    b->region = physmem_add_host(d->bus->buses.mem, name, MEM_RAM, 0, size, host, false);
    if (!b->region) {
        b->kind = PCI_BAR_NONE;
        return;
    }
    pci_put_long(&d->config[pci_bar_reg(bar)], b->type_bits);
}

void pci_set_rom(PCIDevice *d, const uint8_t *data, uint32_t len)
{
    uint32_t size = 2048;
    while (size < len)
        size <<= 1;
    if (len == 0 || !pci_bar_check(d, PCI_ROM_SLOT, size, 2048))
        return;
    PCIBar *b = &d->bars[PCI_ROM_SLOT];
    uint32_t span = MAX(size, PAGE_SIZE);
    b->host = g_malloc(span);
    memset(b->host, 0xff, span);
    memcpy(b->host, data, len);
    b->kind = PCI_BAR_ROM;
    b->size = size;
    b->type_bits = 0;
    b->name = "pci-rom";
    b->region = physmem_add_host(d->bus->buses.mem, "pci-rom", MEM_ROM, 0, span, b->host, false);
    if (!b->region) {
        g_free(b->host);
        b->host = NULL;
        b->kind = PCI_BAR_NONE;
    }
    d->wmask[PCI_ROM_ADDRESS] = 0;                /* handled as a BAR */
}

uint32_t pci_bar_base(PCIDevice *d, int bar)
{
    if (bar < 0 || bar > PCI_ROM_SLOT)
        return PCI_BAR_UNMAPPED;
    return d->bars[bar].mapped;
}

int pci_irq_pirq(PCIDevice *d)
{
    int pin = d->config[PCI_INTERRUPT_PIN];       /* 1 = INTA */
    if (pin < 1 || pin > 4)
        return -1;
    return (PCI_SLOT(d->devfn) + pin - 2) & 3;
}

void pci_set_irq(PCIDevice *d, int level)
{
    PCIBus *bus = d->bus;
    level = level != 0;
    int pirq = pci_irq_pirq(d);
    if (level)
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else
        d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
    bool masked = d->config[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8);
    int effective = level && !masked;
    /* irq_level records what the bus counted (bit 1) and the pin (bit 0) */
    int counted = (d->irq_level >> 1) & 1;
    d->irq_level = level | effective << 1;
    if (pirq < 0 || counted == effective)
        return;
    bus->pirq_count[pirq] += effective ? 1 : -1;
    if (bus->route && (bus->pirq_count[pirq] == 0 || (effective && bus->pirq_count[pirq] == 1)))
        bus->route(bus->route_opaque, pirq, bus->pirq_count[pirq] > 0);
}

void pci_bus_set_router(PCIBus *bus, void (*route)(void *opaque, int pirq, int level),
                        void *opaque)
{
    bus->route = route;
    bus->route_opaque = opaque;
}
