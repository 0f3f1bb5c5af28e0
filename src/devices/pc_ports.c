/*
 * pc_ports.c - the PC/AT system ports that are not one chip's: on the
 * PIIX3 they live in the ISA bridge (Intel 82371SB datasheet, 4.1.16 NMI
 * status and control register "port 61h", 4.1.13 port 92h).
 *
 *   0x61  system control port B.  Write: bit 0 PIT counter 2 gate,
 *         bit 1 speaker data enable, bits 2-3 NMI enables (stored).
 *         Read: bits 0-3 as written, bit 4 refresh toggle (flips every
 *         15.085 us of virtual time; BIOS delay loops count it), bit 5
 *         PIT counter 2 OUT, bits 6-7 (IOCHK/SERR NMI sources) 0.
 *   0x92  system control port A.  Bit 1 A20 gate (reads back the CPU's
 *         A20 state, which the i8042 can change too), bit 0 fast reset:
 *         writing a 1 where it was 0 resets the machine (-no-reboot:
 *         tx86 exits).
 *   0x80  POST code port: a write is stored and logged under -d ioport
 *         (Linux writes it as an I/O delay); reads 0xFF as on QEMU.
 *   0xF0  coprocessor error: the CPU's FERR# output drives IRQ 13; a
 *         write to 0xF0 clears the latched request (lowers IRQ 13).
 *
 * The speaker makes no sound: gate and data are kept so the bits read
 * back.
 */
#include <glib.h>
#include "bus/buses.h"
#include "devices/i8254.h"
#include "devices/pc_ports.h"
#include "util/log.h"

#define REFRESH_NS 15085            /* DRAM refresh request period */

struct PCPortsState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    struct I8254State *pit;
    IrqLine *ferr_irq;
    IrqLine *a20;                   /* the A20 gate (level 1 = on) */
    uint8_t port61;                 /* bits 0-3 as written */
    uint8_t port92;                 /* bit 0 as written */
    uint8_t post;
};

/* saved state (bus/vmstate.h): port 0x61 bits 0-3, port 0x92 bit 0 and
 * the last POST code.  The PIT's gate 2 is the PIT's state; the A20
 * level read back through port 0x92 is the board's A20 line. */
static const VMStateField pc_ports_fields[] = {
    VMS_U8(PCPortsState, port61, 1),
    VMS_U8(PCPortsState, port92, 1),
    VMS_U8(PCPortsState, post, 1),
    VMS_END
};
const VMStateDesc pc_ports_vmsd = { .name = "pc_ports", .version = 1, .min_version = 1,
                                    .fields = pc_ports_fields };
const size_t pc_ports_state_size = sizeof(PCPortsState);

static uint32_t ports_read(void *opaque, uint16_t port, int size)
{
    PCPortsState *s = opaque;
    uint32_t v = 0xff;
    switch (port) {
    case 0x61:
        v = s->port61 & 0x0f;
        if ((clock_now(s->buses.clock) / REFRESH_NS) & 1)
            v |= 0x10;
        if (s->pit && i8254_get_out(s->pit, 2))
            v |= 0x20;
        break;
    case 0x92:
        v = (s->port92 & 1) | (s->a20->level ? 2 : 0);
        break;
    default:                        /* 0x80, 0xF0 */
        break;
    }
    if (log_enabled(LOG_IOPORT))
        log_printf("pc_ports: read %#x -> %#04x\n", port, v);
    return v;
}

static void ports_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    PCPortsState *s = opaque;
    uint8_t v = (uint8_t)value;
    if (log_enabled(LOG_IOPORT))
        log_printf(port == 0x80 ? "pc_ports: POST code %#04x\n"
                                : "pc_ports: write %#x <- %#04x\n",
                   port == 0x80 ? v : port, v);
    switch (port) {
    case 0x61:
        s->port61 = v & 0x0f;
        if (s->pit)
            i8254_set_gate(s->pit, 2, v & 1);
        break;
    case 0x92: {
        bool reset = (v & 1) && !(s->port92 & 1);
        s->port92 = v & 1;
        irq_set(s->a20, (v & 2) != 0);
        if (reset) {
            if (log_enabled(LOG_INT))
                log_printf("pc_ports: fast reset through port 0x92\n");
            host_request_reset(s->buses.host);
        }
        break;
    }
    case 0x80:
        s->post = v;
        break;
    case 0xf0:
        irq_lower(s->ferr_irq);
        break;
    }
}

static const IOPortOps ports_ops = {
    .read = ports_read,
    .write = ports_write,
    .sizes = IO_SIZE_8,
};

/* the CPU's FERR# output (cpu.h fpu_ferr_handler, wired by pc.c): IRQ 13 */
void pc_ports_ferr(void *opaque, int n, int level)
{
    PCPortsState *s = opaque;
    if (level)
        irq_raise(s->ferr_irq);
}

void pc_ports_reset(PCPortsState *s)
{
    s->port61 = 0;
    s->port92 = 0;
    if (s->pit)
        i8254_set_gate(s->pit, 2, 0);
    irq_lower(s->ferr_irq);
}

void pc_ports_free(PCPortsState *s)
{
    g_free(s);
}

uint8_t pc_ports_post_code(const PCPortsState *s)
{
    return s->post;
}

PCPortsState *pc_ports_init(const Buses *b, struct I8254State *pit, IrqLine *ferr_irq,
                            IrqLine *a20)
{
    PCPortsState *s = g_new0(PCPortsState, 1);
    s->buses = *b;
    s->pit = pit;
    s->ferr_irq = ferr_irq;
    s->a20 = a20;
    ioport_register(b->io, 0x61, 1, &ports_ops, s, "port61");
    ioport_register(b->io, 0x92, 1, &ports_ops, s, "port92");
    ioport_register(b->io, 0x80, 1, &ports_ops, s, "post");
    ioport_register(b->io, 0xf0, 1, &ports_ops, s, "fpu-error");
    host_register_device(b->host, s, (void (*)(void *))pc_ports_free,
                            (void (*)(void *))pc_ports_reset);
    host_register_state(b->host, &pc_ports_vmsd, s);
    return s;
}
