/*
 * i8042.h - the Intel 8042 keyboard controller of the PC/AT (ports 0x60
 * and 0x64) with a PS/2 keyboard (IRQ 1) and mouse (IRQ 12).  See i8042.c.
 *
 * Example (pc.c):
 *     I8042State *kbc = i8042_init(&m->bus, &pc->isa_irq[1], &pc->isa_irq[12], &m->a20);
 *     ps2_kbd_put_key(i8042_keyboard(kbc), PS2_KEY_ENTER, true);
 * Joins the machine's device list (reset, freed with it).
 */
#ifndef TX86_I8042_H
#define TX86_I8042_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "bus/irq.h"
#include "devices/ps2.h"

struct Buses;
typedef struct I8042State I8042State;

/* a20: the A20 gate line output port bit 1 drives and reads back
 * (level 1 = on; the board wires it to the CPU) */
I8042State *i8042_init(const struct Buses *b, IrqLine *kbd_irq, IrqLine *aux_irq, IrqLine *a20);
void        i8042_reset(I8042State *s);
void        i8042_free(I8042State *s);
/* the devices behind it, for host input (curses, tests) */
PS2Kbd     *i8042_keyboard(I8042State *s);
PS2Mouse   *i8042_mouse(I8042State *s);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc i8042_vmsd;
extern const size_t i8042_state_size;

#endif
