/*
 * i8259.h - the PC's pair of Intel 8259A programmable interrupt
 * controllers (master at 0x20, slave at 0xA0 cascaded on IR2) with the
 * PIIX edge/level control registers (ELCR, 0x4D0/0x4D1).  See i8259.c.
 *
 * Example (pc.c):
 *     I8259State *pic = i8259_init(&m->bus, &m->cpu_intr);
 *     m->cpu.irq_ack = i8259_irq_ack;           // the CPU's INTA: the board's wiring
 *     m->cpu.irq_ack_opaque = pic;
 *     i8259_set_irq(pic, 4, 1);                 // ISA IRQ 4 goes high
 * The local APIC (cpu-x86/apic.c) takes the INT output's line over as its
 * LINT0 and installs its own irq_ack hook, calling the i8259's (kept from
 * before) for ExtINT deliveries.
 */
#ifndef TX86_I8259_H
#define TX86_I8259_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "bus/irq.h"

struct Buses;
typedef struct I8259State I8259State;

/* registers ports 0x20-0x21, 0xA0-0xA1, 0x4D0-0x4D1; drives output (the
 * master's INT pin).  The CPU's acknowledge is the board's to wire
 * (CPUState.irq_ack = i8259_irq_ack).  Joins the machine's device list
 * (reset, freed with it). */
I8259State *i8259_init(const struct Buses *b, IrqLine *output);
void i8259_reset(I8259State *s);
void i8259_free(I8259State *s);

/* an IRQ input (pin 0-15, slave = 8-15) changes level; IrqHandler shape */
void i8259_set_irq(void *opaque, int pin, int level);
/* the INTA cycle: acknowledge the highest-priority request and return its
 * vector (the spurious IR7 vector of the chip when none is left) */
int  i8259_ack(I8259State *s);
/* the same with the CPUState.irq_ack signature (opaque = I8259State) */
int  i8259_irq_ack(void *opaque);
/* redirect the INT output (the local APIC's LINT0); drives it at once */
void i8259_set_output(I8259State *s, IrqLine *output);
/* level of the master's INT output */
bool i8259_output_level(const I8259State *s);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc i8259_vmsd;
extern const size_t i8259_state_size;

#endif
