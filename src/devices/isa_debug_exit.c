/*
 * isa_debug_exit.c - QEMU's isa-debug-exit test device.
 *
 * A write of value V (any access size) to any of its iosize ports ends the
 * emulation with exit status (V << 1) | 1, so a guest can never fake a
 * plain 0 ("the emulator itself succeeded").  Reads return all ones.
 * Used by test ROMs: -device isa-debug-exit,iobase=0xf4,iosize=0x04.
 * Reference: QEMU hw/misc/debugexit.c (behaviour only).
 */
#include "bus/buses.h"
#include "devices/isa_debug_exit.h"

struct DebugExitState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    uint16_t iobase;
    unsigned iosize;
};

static void debug_exit_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    DebugExitState *s = opaque;
    host_request_shutdown(s->buses.host, (int)((value << 1) | 1));
}

static const IOPortOps debug_exit_ops = {
    .read = NULL,
    .write = debug_exit_write,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

DebugExitState *isa_debug_exit_init(const Buses *b, uint16_t iobase, unsigned iosize, GError **errp)
{
    DebugExitState *s = g_new0(DebugExitState, 1);
    s->buses = *b;
    s->iobase = iobase;
    s->iosize = iosize;
    int taken = ioport_first_taken(b->io, iobase, iosize);
    if (taken >= 0 || !ioport_register(b->io, iobase, iosize, &debug_exit_ops, s,
                                       "isa-debug-exit")) {
        const char *owner = taken >= 0 ? ioport_owner(b->io, (uint16_t)taken) : NULL;
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-device isa-debug-exit: ports 0x%x-0x%x overlap port 0x%x of %s",
                    iobase, iobase + iosize - 1, taken, owner ? owner : "another device");
        g_free(s);
        return NULL;
    }
    return s;
}

void isa_debug_exit_free(DebugExitState *s)
{
    g_free(s);
}
