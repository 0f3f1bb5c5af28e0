/*
 * i8254.h - the Intel 8254 programmable interval timer at 0x40-0x43
 * (see i8254.c).  Counter 0's OUT drives ISA IRQ 0; counter 2's gate and
 * OUT are bits 0 and 5 of port 0x61 (pc_ports.c).
 *
 * Example (pc.c):
 *     I8254State *pit = i8254_init(&m->bus, 0x40, &pc->isa_irq[0]);
 *     i8254_set_gate(pit, 2, 1);
 *     bool out2 = i8254_get_out(pit, 2);
 */
#ifndef TX86_I8254_H
#define TX86_I8254_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "bus/irq.h"

struct Buses;
typedef struct I8254State I8254State;

#define PIT_FREQ_HZ 1193182     /* 14.31818 MHz / 12 */

/* registers base..base+3; irq = counter 0's OUT (may be NULL).  Joins
 * the machine's device list (reset, freed with it). */
I8254State *i8254_init(const struct Buses *b, uint16_t base, IrqLine *irq);
void i8254_reset(I8254State *s);
void i8254_free(I8254State *s);

/* GATE input of counter ch (0-2); counters 0 and 1 are tied high on a PC */
void i8254_set_gate(I8254State *s, int ch, int level);
bool i8254_get_gate(I8254State *s, int ch);
/* OUT pin of counter ch now */
bool i8254_get_out(I8254State *s, int ch);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc i8254_vmsd;
extern const size_t i8254_state_size;

#endif
