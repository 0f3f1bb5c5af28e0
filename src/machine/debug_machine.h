/*
 * debug_machine.h - the debugging features of one Machine: the --trace
 * writer, the -icount clock and the gdb stub (-gdb/-s/-S), set up from
 * MachineConfig by machine_new() and torn down by machine_free().
 */
#ifndef TX86_DEBUG_MACHINE_H
#define TX86_DEBUG_MACHINE_H

#include <stdbool.h>
#include <glib.h>

struct Machine;

/* right after the clock is set up, before any device reads it or arms
 * a timer: -icount makes it an instruction-count clock */
void debug_machine_clock_init(struct Machine *m);
/* after the CPU and the translator exist; false + error on a bad
 * trace file or gdb socket */
bool debug_machine_init(struct Machine *m, GError **errp);
/* closes the trace (END record with the final icount) and the stub */
void debug_machine_free(struct Machine *m);

#endif
