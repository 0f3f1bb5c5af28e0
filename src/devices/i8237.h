/*
 * i8237.h - the PC/AT's two 8237A DMA controllers (i8237.c): channels 0-3
 * (8-bit, ports 0x00-0x0F), channels 4-7 (16-bit, ports 0xC0-0xDF, channel
 * 4 is the cascade), page registers 0x81-0x8F (0x80 is the POST port).
 *
 * A device that does ISA DMA (the floppy controller, channel 2) calls
 * i8237_transfer() when it has data: the controller moves bytes between
 * the device buffer and guest memory as the channel is programmed
 * (address, count, mode, mask) and reports terminal count.
 *
 * Example (fdc.c):
 *     int n = i8237_transfer(dma, 2, buf, 512, I8237_TO_MEMORY);
 *     bool tc = i8237_terminal_count(dma, 2);
 */
#ifndef TX86_I8237_H
#define TX86_I8237_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct Buses;
typedef struct I8237State I8237State;

typedef enum I8237Dir {
    I8237_TO_MEMORY,            /* device -> memory (a "write" transfer) */
    I8237_FROM_MEMORY,          /* memory -> device (a "read" transfer) */
} I8237Dir;

I8237State *i8237_init(const struct Buses *b);
void i8237_reset(I8237State *s);
void i8237_free(I8237State *s);

/* is the channel unmasked and programmed for a transfer in direction dir? */
bool i8237_ready(I8237State *s, int chan, I8237Dir dir);
/* move up to len bytes (stops at terminal count); returns the bytes moved */
int  i8237_transfer(I8237State *s, int chan, uint8_t *buf, int len, I8237Dir dir);
/* the channel reached terminal count during its last transfer */
bool i8237_terminal_count(I8237State *s, int chan);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc i8237_vmsd;
extern const size_t i8237_state_size;

#endif
