/*
 * ioport.c - the x86 port I/O bus (see ioport.h).
 *
 * A flat table of 64 Ki entries, one per port, filled by ioport_register().
 * An access of a size the device does not implement natively is split:
 * 32 bits into two 16-bit halves (port, port+2), 16 bits into two bytes
 * (port, port+1), each half dispatched on its own port so an access that
 * spans two devices reaches both.  A byte access to a device that only
 * implements wider accesses is done at the narrowest width it has and the
 * byte is extracted (writes are zero-extended).  Unassigned ports read all
 * ones and drop writes (-d unimp logs them); -d ioport logs every access.
 */
#include <glib.h>
#include "bus/ioport.h"
#include "util/log.h"

static uint32_t io_ones(int size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

IOBus *iobus_new(void)
{
    return g_new0(IOBus, 1);
}

void iobus_free(IOBus *bus)
{
    g_free(bus);
}

bool ioport_register(IOBus *bus, uint16_t base, unsigned count,
                     const IOPortOps *ops, void *opaque, const char *name)
{
    if (count == 0 || base + count > 65536u)
        return false;
    for (unsigned i = 0; i < count; i++)
        if (bus->ports[base + i].ops)
            return false;
    for (unsigned i = 0; i < count; i++) {
        IOPortEntry *e = &bus->ports[base + i];
        e->ops = ops;
        e->opaque = opaque;
        e->name = name;
    }
    return true;
}

const char *ioport_owner(const IOBus *bus, uint16_t port)
{
    return bus->ports[port].ops ? bus->ports[port].name : NULL;
}

int ioport_first_taken(const IOBus *bus, uint16_t base, unsigned count)
{
    for (unsigned i = 0; i < count && base + i < 65536u; i++)
        if (bus->ports[base + i].ops)
            return (int)(base + i);
    return -1;
}

void ioport_unregister(IOBus *bus, uint16_t base, unsigned count, void *opaque)
{
    for (unsigned i = 0; i < count && base + i < 65536u; i++) {
        IOPortEntry *e = &bus->ports[base + i];
        if (e->ops && e->opaque == opaque) {
            e->ops = NULL;
            e->opaque = NULL;
            e->name = NULL;
        }
    }
}

/* narrowest native width of a device (for byte accesses it lacks) */
static int io_narrowest(unsigned sizes)
{
    return (sizes & IO_SIZE_8) ? 1 : (sizes & IO_SIZE_16) ? 2 : 4;
}

static uint32_t io_read(IOBus *bus, uint16_t port, int size)
{
    const IOPortEntry *e = &bus->ports[port];
    if (!e->ops) {
        if (bus->log_unassigned)
            log_printf("unassigned ioport read  %04x size %d\n", port, size);
        return io_ones(size);
    }
    if (e->ops->sizes & (unsigned)size) {
        if (!e->ops->read)
            return io_ones(size);
        return e->ops->read(e->opaque, port, size) & io_ones(size);
    }
    if (size == 1) {
        int w = io_narrowest(e->ops->sizes);
        if (!e->ops->read)
            return 0xff;
        return e->ops->read(e->opaque, port, w) & 0xff;
    }
    int half = size / 2;
    uint32_t lo = io_read(bus, port, half);
    uint32_t hi = io_read(bus, (uint16_t)(port + half), half);
    return lo | hi << (8 * half);
}

static void io_write(IOBus *bus, uint16_t port, uint32_t value, int size)
{
    const IOPortEntry *e = &bus->ports[port];
    value &= io_ones(size);
    if (!e->ops) {
        if (bus->log_unassigned)
            log_printf("unassigned ioport write %04x size %d value %x\n", port, size, value);
        return;
    }
    if (e->ops->sizes & (unsigned)size) {
        if (e->ops->write)
            e->ops->write(e->opaque, port, value, size);
        return;
    }
    if (size == 1) {
        if (e->ops->write)
            e->ops->write(e->opaque, port, value, io_narrowest(e->ops->sizes));
        return;
    }
    int half = size / 2;
    io_write(bus, port, value & io_ones(half), half);
    io_write(bus, (uint16_t)(port + half), value >> (8 * half), half);
}

uint32_t ioport_read(IOBus *bus, uint16_t port, int size)
{
    uint32_t v = io_read(bus, port, size);
    if (G_UNLIKELY(bus->trace))
        bus->trace(bus->trace_opaque, port, v, size, false);
    if (log_enabled(LOG_IOPORT)) {
        const char *name = bus->ports[port].name;
        log_printf("ioport read  %04x size %d -> %0*x (%s)\n", port, size, size * 2, v,
                   name ? name : "unassigned");
    }
    return v;
}

void ioport_write(IOBus *bus, uint16_t port, uint32_t value, int size)
{
    if (log_enabled(LOG_IOPORT)) {
        const char *name = bus->ports[port].name;
        log_printf("ioport write %04x size %d <- %0*x (%s)\n", port, size, size * 2,
                   value & io_ones(size), name ? name : "unassigned");
    }
    if (G_UNLIKELY(bus->trace))
        bus->trace(bus->trace_opaque, port, value & io_ones(size), size, true);
    io_write(bus, port, value, size);
}
