/*
 * pc_ports.h - the PC/AT's miscellaneous system ports (see pc_ports.c):
 * 0x61 system control port B (speaker, PIT counter 2 gate/OUT, refresh),
 * 0x92 system control port A (fast A20, fast reset), 0x80 POST codes,
 * 0xF0 the coprocessor error latch (IRQ 13).
 *
 * Example (pc.c):
 *     PCPortsState *p = pc_ports_init(&m->bus, pit, &pc->isa_irq[13], &m->a20);
 *     m->cpu.fpu_ferr_handler = pc_ports_ferr;  m->cpu.fpu_ferr_opaque = p;
 */
#ifndef TX86_PC_PORTS_H
#define TX86_PC_PORTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "bus/irq.h"

struct Buses;
struct I8254State;
typedef struct PCPortsState PCPortsState;

/* pit: counter 2's gate and OUT for port 0x61 (may be NULL); ferr_irq:
 * IRQ 13, raised when the CPU's FERR# output (pc_ports_ferr, which the
 * board wires to it) rises and lowered by a write to port 0xF0; a20: the
 * A20 gate line port 92 bit 1 drives and reads back (level 1 = on).
 * Joins the machine's device list (reset, freed with it). */
PCPortsState *pc_ports_init(const struct Buses *b, struct I8254State *pit, IrqLine *ferr_irq,
                            IrqLine *a20);
/* IrqHandler for the CPU's FERR# output (opaque = the PCPortsState) */
void pc_ports_ferr(void *opaque, int n, int level);
void pc_ports_reset(PCPortsState *s);
void pc_ports_free(PCPortsState *s);
/* last POST code written to port 0x80 */
uint8_t pc_ports_post_code(const PCPortsState *s);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc pc_ports_vmsd;
extern const size_t pc_ports_state_size;

#endif
