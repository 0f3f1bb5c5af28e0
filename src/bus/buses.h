/*
 * buses.h - what a device is built on: the physical memory map, the I/O
 * port bus, the virtual clock and the host services (bus/host.h).
 *
 * The board fills one Buses (machine.c: Machine.bus) before it creates any
 * device and hands it to every xxx_init; a device keeps a copy and reaches
 * memory, ports, time and the machine's services only through it, so no
 * device names the machine.  Sibling chips and interrupt lines come as
 * further arguments (IrqLine *, PCIBus *, ...).
 *
 *   I8254State *pit = i8254_init(&m->bus, 0x40, &pc->isa_irq[0]);
 *   ...in the device:  timer_new(s->bus.clock, cb, s);
 *                      ioport_register(s->bus.io, base, 4, &ops, s, "i8254");
 *                      host_register_device(s->bus.host, s, free_fn, reset_fn);
 */
#ifndef TX86_BUS_BUSES_H
#define TX86_BUS_BUSES_H

#include "bus/memory.h"
#include "bus/ioport.h"
#include "bus/clock.h"
#include "bus/irq.h"
#include "bus/host.h"
#include "bus/vmstate.h"

typedef struct Buses {
    PhysMem *mem;                 /* physical memory map (memory.h) */
    IOBus *io;                    /* I/O ports (ioport.h) */
    VirtClock *clock;             /* virtual time and timers (clock.h) */
    BusHost *host;                /* the machine's services (host.h) */
} Buses;

#endif
