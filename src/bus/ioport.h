/*
 * ioport.h - the x86 port I/O bus (64 Ki ports).
 *
 * Devices register a port range with an IOPortOps table that states which
 * access sizes they implement.  An access of a size the device does not
 * implement is split into smaller ones (a 16-bit access to a byte-only
 * device becomes two byte accesses at port and port+1).  Unassigned ports
 * read as all ones and ignore writes; both are logged under -d unimp.
 *
 * Example:
 *     static const IOPortOps debugcon_ops = {
 *         .write = debugcon_write, .sizes = IO_SIZE_8 };
 *     ioport_register(bus, 0xe9, 1, &debugcon_ops, state, "debugcon");
 */
#ifndef TX86_IOPORT_H
#define TX86_IOPORT_H

#include <stdint.h>
#include <stdbool.h>

#define IO_SIZE_8  1u
#define IO_SIZE_16 2u
#define IO_SIZE_32 4u

typedef struct IOPortOps {
    uint32_t (*read)(void *opaque, uint16_t port, int size);    /* may be NULL */
    void (*write)(void *opaque, uint16_t port, uint32_t value, int size); /* may be NULL */
    unsigned sizes;   /* IO_SIZE_* bits the device implements natively */
} IOPortOps;

typedef struct IOPortEntry {
    const IOPortOps *ops;
    void *opaque;
    const char *name;
} IOPortEntry;

typedef struct IOBus {
    IOPortEntry ports[65536];
    bool log_unassigned;        /* -d unimp */
    /* an observer of every access (--trace registers trace_io_hook with
     * its writer as opaque; debug_machine.c); NULL = none */
    void (*trace)(void *opaque, uint16_t port, uint32_t value, int size, bool write);
    void *trace_opaque;
    /* the general registers (EAX ECX EDX EBX ESP EBP ESI EDI) of the CPU
     * making the current access, for a device whose protocol passes values
     * in registers beside the port (the VMware backdoor, vmport.c); set by
     * the board; NULL = none.  The CPU's port helpers keep the registers
     * in its state during the access, so writes through it are seen. */
    uint32_t *(*cpu_regs)(void *opaque);
    void *cpu_regs_opaque;
} IOBus;

IOBus *iobus_new(void);
void   iobus_free(IOBus *bus);
/* returns false if any port of the range is already taken */
bool   ioport_register(IOBus *bus, uint16_t base, unsigned count,
                       const IOPortOps *ops, void *opaque, const char *name);
/* the name of the device on port, or NULL (for error messages) */
const char *ioport_owner(const IOBus *bus, uint16_t port);
/* the first taken port of [base, base+count), or -1 */
int    ioport_first_taken(const IOBus *bus, uint16_t base, unsigned count);
/* free the ports of [base, base+count) that belong to opaque (PCI BARs) */
void   ioport_unregister(IOBus *bus, uint16_t base, unsigned count, void *opaque);
uint32_t ioport_read(IOBus *bus, uint16_t port, int size);
/* the registers of the CPU doing the access (see cpu_regs), or NULL */
static inline uint32_t *ioport_cpu_regs(IOBus *bus)
{
    return bus->cpu_regs ? bus->cpu_regs(bus->cpu_regs_opaque) : NULL;
}
void     ioport_write(IOBus *bus, uint16_t port, uint32_t value, int size);

#endif
