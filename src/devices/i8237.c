/*
 * i8237.c - two cascaded Intel 8237A DMA controllers as on the PC/AT (see
 * i8237.h).  Reference: Intel 8237A/8237A-5 datasheet (registers, modes,
 * flip-flop, terminal count), IBM PC/AT Technical Reference (page register
 * ports, 16-bit channels addressing words).
 *
 * Only what the ISA devices need: single/demand/block modes behave alike
 * (the device moves its whole buffer at once), verify transfers move no
 * data, auto-initialise reloads the base registers at terminal count,
 * address decrement works, memory-to-memory (channel 0/1) is not emulated.
 * Guest memory is reached through physmem_*_buf: a transfer into or from
 * a non-RAM page is dropped / reads 0xff, never host memory.
 */
#include <string.h>
#include "bus/buses.h"
#include "devices/i8237.h"
#include "util/log.h"

typedef struct DMAChannel {
    uint16_t base_addr, base_count;     /* as programmed */
    uint16_t addr, count;               /* current */
    uint8_t mode;
    uint8_t page;
} DMAChannel;

typedef struct DMACtrl {
    DMAChannel ch[4];
    uint8_t command, status, request, mask, temp;
    bool flipflop;                      /* false: next byte is the low byte */
    int dshift;                         /* 0: 8-bit controller, 1: 16-bit */
} DMACtrl;

struct I8237State {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    DMACtrl c[2];
    uint8_t extra_page[16];             /* unused page register ports */
};

/* saved state (bus/vmstate.h): every channel's registers and page, each
 * controller's command, status, request, mask, temporary register and
 * byte flip-flop, the spare page registers.  dshift is the wiring. */
static const VMStateField dma_channel_fields[] = {
    VMS_U16(DMAChannel, base_addr, 1),
    VMS_U16(DMAChannel, base_count, 1),
    VMS_U16(DMAChannel, addr, 1),
    VMS_U16(DMAChannel, count, 1),
    VMS_U8(DMAChannel, mode, 1),
    VMS_U8(DMAChannel, page, 1),
    VMS_END
};
static const VMStateDesc dma_channel_vmsd = { "i8237-channel", 1, 1, dma_channel_fields };

static const VMStateField dma_ctrl_fields[] = {
    VMS_STRUCT_ARRAY(DMACtrl, ch, dma_channel_vmsd, 1),
    VMS_U8(DMACtrl, command, 1),
    VMS_U8(DMACtrl, status, 1),
    VMS_U8(DMACtrl, request, 1),
    VMS_U8(DMACtrl, mask, 1),
    VMS_U8(DMACtrl, temp, 1),
    VMS_BOOL(DMACtrl, flipflop, 1),
    VMS_END
};
static const VMStateDesc dma_ctrl_vmsd = { "i8237-ctrl", 1, 1, dma_ctrl_fields };

static const VMStateField dma_fields[] = {
    VMS_STRUCT_ARRAY(I8237State, c, dma_ctrl_vmsd, 1),
    VMS_BYTES(I8237State, extra_page, 1),
    VMS_END
};
const VMStateDesc i8237_vmsd = { .name = "i8237", .version = 1, .min_version = 1,
                                 .fields = dma_fields };
const size_t i8237_state_size = sizeof(I8237State);

/* page register port -> channel (0x80 + index); -1 = spare register */
static const int8_t dma_page_chan[16] = {
    -1, 2, 3, 1, -1, -1, -1, 0, -1, 6, 7, 5, -1, -1, -1, 4,
};

static DMAChannel *dma_chan(I8237State *s, int chan)
{
    return &s->c[chan >> 2].ch[chan & 3];
}

static void dma_ctrl_reset(DMACtrl *c)
{
    int dshift = c->dshift;
    memset(c, 0, sizeof(*c));
    c->dshift = dshift;
    c->mask = 0x0f;
}

static uint32_t dma_read(void *opaque, uint16_t port, int size)
{
    I8237State *s = opaque;
    int ci = port >= 0xc0;
    DMACtrl *c = &s->c[ci];
    unsigned reg = ci ? (unsigned)(port - 0xc0) >> 1 : port;
    if (ci && (port & 1))
        return 0xff;
    if (reg < 8) {
        DMAChannel *ch = &c->ch[reg >> 1];
        uint16_t v = (reg & 1) ? ch->count : ch->addr;
        bool high = c->flipflop;
        c->flipflop = !c->flipflop;
        return high ? v >> 8 : v & 0xff;
    }
    switch (reg) {
    case 8: {                                   /* status: TC bits clear on read */
        uint8_t v = c->status;
        c->status &= 0xf0;
        return v;
    }
    case 13: return c->temp;
    case 15: return c->mask | 0xf0;             /* not on the original 8237 */
    default: return 0xff;
    }
}

static void dma_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    I8237State *s = opaque;
    int ci = port >= 0xc0;
    DMACtrl *c = &s->c[ci];
    unsigned reg = ci ? (unsigned)(port - 0xc0) >> 1 : port;
    uint8_t v = (uint8_t)value;
    if (ci && (port & 1))
        return;
    if (reg < 8) {
        DMAChannel *ch = &c->ch[reg >> 1];
        uint16_t *base = (reg & 1) ? &ch->base_count : &ch->base_addr;
        uint16_t *cur = (reg & 1) ? &ch->count : &ch->addr;
        if (c->flipflop)
            *base = (uint16_t)((*base & 0x00ff) | v << 8);
        else
            *base = (uint16_t)((*base & 0xff00) | v);
        *cur = *base;
        c->flipflop = !c->flipflop;
        return;
    }
    switch (reg) {
    case 8: c->command = v; break;
    case 9:                                     /* request register */
        if (v & 4)
            c->request |= (uint8_t)(1 << (v & 3));
        else
            c->request &= (uint8_t)~(1 << (v & 3));
        break;
    case 10:                                    /* single mask bit */
        if (v & 4)
            c->mask |= (uint8_t)(1 << (v & 3));
        else
            c->mask &= (uint8_t)~(1 << (v & 3));
        break;
    case 11: c->ch[v & 3].mode = v; break;
    case 12: c->flipflop = false; break;
    case 13: dma_ctrl_reset(c); break;          /* master clear */
    case 14: c->mask = 0; break;
    case 15: c->mask = v & 0x0f; break;
    }
}

static uint32_t dma_page_read(void *opaque, uint16_t port, int size)
{
    I8237State *s = opaque;
    int chan = dma_page_chan[port & 15];
    return chan < 0 ? s->extra_page[port & 15] : dma_chan(s, chan)->page;
}

static void dma_page_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    I8237State *s = opaque;
    int chan = dma_page_chan[port & 15];
    if (chan < 0)
        s->extra_page[port & 15] = (uint8_t)value;
    else
        dma_chan(s, chan)->page = (uint8_t)value;
}

static const IOPortOps dma_ops = { .read = dma_read, .write = dma_write, .sizes = IO_SIZE_8 };
static const IOPortOps dma_page_ops = {
    .read = dma_page_read, .write = dma_page_write, .sizes = IO_SIZE_8,
};

bool i8237_ready(I8237State *s, int chan, I8237Dir dir)
{
    if (chan < 0 || chan > 7 || chan == 4)
        return false;
    DMACtrl *c = &s->c[chan >> 2];
    if ((c->mask >> (chan & 3)) & 1 || (c->command & 4))    /* masked / disabled */
        return false;
    int type = (c->ch[chan & 3].mode >> 2) & 3;
    return type == 0 || type == (dir == I8237_TO_MEMORY ? 1 : 2);
}

bool i8237_terminal_count(I8237State *s, int chan)
{
    if (chan < 0 || chan > 7)
        return false;
    return (s->c[chan >> 2].status >> (chan & 3)) & 1;
}

int i8237_transfer(I8237State *s, int chan, uint8_t *buf, int len, I8237Dir dir)
{
    if (!i8237_ready(s, chan, dir) || len <= 0)
        return 0;
    DMACtrl *c = &s->c[chan >> 2];
    DMAChannel *ch = &c->ch[chan & 3];
    int shift = c->dshift;                      /* 16-bit channels move words */
    int type = (ch->mode >> 2) & 3;
    bool down = ch->mode & 0x20;
    PhysMem *pm = s->buses.mem;
    int done = 0;
    bool tc = false;
    c->status &= (uint8_t)~(1 << (chan & 3));
    while (done < len && !tc) {
        /* one unit (byte or word) at the current address */
        uint32_t unit = 1u << shift;
        if ((uint32_t)(len - done) < unit)
            break;
        uint32_t paddr = shift ? ((uint32_t)(ch->page & 0xfe) << 16) | ((uint32_t)ch->addr << 1)
                               : ((uint32_t)ch->page << 16) | ch->addr;
        /* with increment: as many units as fit before the count ends and
         * the 64 Ki-unit address wraps, in one copy */
        uint32_t n = 1;
        if (!down) {
            uint32_t to_wrap = 0x10000u - ch->addr;
            uint32_t to_tc = (uint32_t)ch->count + 1;
            uint32_t room = (uint32_t)(len - done) >> shift;
            n = MIN(MIN(to_wrap, to_tc), room);
        }
        uint32_t bytes = n << shift;
        if (type == 1)
            physmem_write_buf(pm, paddr, buf + done, bytes);
        else if (type == 2)
            physmem_read_buf(pm, paddr, buf + done, bytes);
        done += (int)bytes;
        ch->addr = (uint16_t)(down ? ch->addr - n : ch->addr + n);
        if ((uint32_t)ch->count + 1 == n) {
            tc = true;
            ch->count = 0xffff;
        } else {
            ch->count = (uint16_t)(ch->count - n);
        }
    }
    if (tc) {
        c->status |= (uint8_t)(1 << (chan & 3));
        if (ch->mode & 0x10) {                  /* auto-initialise */
            ch->addr = ch->base_addr;
            ch->count = ch->base_count;
        } else {
            c->mask |= (uint8_t)(1 << (chan & 3));
        }
    }
    return done;
}

void i8237_reset(I8237State *s)
{
    dma_ctrl_reset(&s->c[0]);
    dma_ctrl_reset(&s->c[1]);
    s->c[1].mask = 0x0e;                        /* channel 4 cascades controller 1 */
}

void i8237_free(I8237State *s)
{
    g_free(s);
}

I8237State *i8237_init(const Buses *b)
{
    I8237State *s = g_new0(I8237State, 1);
    s->buses = *b;
    s->c[1].dshift = 1;
    i8237_reset(s);
    bool ok = ioport_register(b->io, 0x00, 16, &dma_ops, s, "dma1") &&
              ioport_register(b->io, 0xc0, 32, &dma_ops, s, "dma2") &&
              ioport_register(b->io, 0x81, 15, &dma_page_ops, s, "dma-page");
    if (!ok && log_enabled(LOG_UNIMP))
        log_printf("i8237: some DMA ports were already taken\n");
    host_register_device(b->host, s, (void (*)(void *))i8237_free, (void (*)(void *))i8237_reset);
    host_register_state(b->host, &i8237_vmsd, s);
    return s;
}
