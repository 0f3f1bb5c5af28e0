/*
 * ns16550.h - the National Semiconductor NS16550A UART (the PC's COM
 * ports).  See ns16550.c.
 *
 * Example (pc.c):
 *     CharDev *chr = chardev_new(&m->bus, "stdio", "serial0", &err);
 *     NS16550State *com1 = ns16550_init(&m->bus, 0x3f8, &pc->isa_irq[4], chr, &err);
 * The UART owns chr from then on (freed with it) and joins the machine's
 * device list (reset by machine_reset, freed by machine_free).
 */
#ifndef TX86_NS16550_H
#define TX86_NS16550_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "bus/irq.h"
#include "devices/chardev.h"

struct Buses;
typedef struct NS16550State NS16550State;

#define NS16550_CLOCK_HZ 1843200    /* the PC's 1.8432 MHz crystal: 115200 baud / divisor */

/* registers ports base..base+7; irq: the ISA line (gated by MCR.OUT2);
 * chr may be NULL (no host end: output dropped, no input) */
NS16550State *ns16550_init(const struct Buses *b, uint16_t base, IrqLine *irq, CharDev *chr,
                           GError **errp);
/* the PC's COM1..COM4 from the back-end specs the board gives (-serial,
 * chardev.h syntax): NULL or "none" leaves a port out; the board turns
 * "no -serial at all" into COM1 "stdio" under -nographic, else "null" */
bool ns16550_create_com_ports(const struct Buses *b, IrqLine isa_irq[16],
                              const char *const spec[4], NS16550State *out[4], GError **errp);
void ns16550_reset(NS16550State *s);
/* its host back end (NULL: none), for the monitor (mon:stdio, query-chardev) */
CharDev *ns16550_chardev(NS16550State *s);
void ns16550_free(NS16550State *s);

/* host side, also for tests: how many bytes the receiver takes now, and
 * deliver them (as the back end does) */
int  ns16550_can_receive(void *opaque);
void ns16550_receive(void *opaque, const uint8_t *buf, int len);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc ns16550_vmsd;
extern const size_t ns16550_state_size;

#endif
