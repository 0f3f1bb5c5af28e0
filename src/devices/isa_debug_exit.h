/*
 * isa_debug_exit.h - QEMU's isa-debug-exit device: the guest ends tx86.
 */
#ifndef TX86_ISA_DEBUG_EXIT_H
#define TX86_ISA_DEBUG_EXIT_H

#include <stdint.h>
#include <glib.h>

struct Buses;
typedef struct DebugExitState DebugExitState;

DebugExitState *isa_debug_exit_init(const struct Buses *b, uint16_t iobase, unsigned iosize,
                                    GError **errp);
void isa_debug_exit_free(DebugExitState *s);

#endif
