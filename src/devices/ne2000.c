/*
 * ne2000.c - NE2000-compatible Ethernet: the National Semiconductor DP8390D
 * Network Interface Controller (datasheet, "DP8390D/NS32490D NIC Network
 * Interface Controller", 1995: registers, receive ring, remote DMA) behind
 * the NE2000's I/O map, as the Realtek RTL8029AS (PCI 10EC:8029, class 02
 * 00 00, I/O BAR0 of 32 ports; RTL8029AS datasheet: ID bytes 'P' 'C' at
 * page 0 offsets 0x0A/0x0B) and as the ISA card.
 *
 * I/O map (both): 0x00-0x0F the DP8390's registers in the page CR.PS
 * selects, 0x10-0x17 the remote DMA data port (8, 16 or 32 bits), 0x18-0x1F
 * reset (a read or write resets the NIC and sets ISR.RST).
 *
 * Buffer memory: the station address PROM at 0x0000-0x001F (each MAC byte
 * twice, bytes 28-31 'W' 0x57: an NE2000, not an NE1000) and 32 KiB of
 * RAM at 0x4000-0xBFFF (pages 0x40-0xBF); elsewhere reads 0xFF and writes
 * are dropped.  The host moves data with remote DMA: RSAR/RBCR and the data
 * port, words when DCR.WTS is set (an 8-bit access then still moves a
 * word, giving its low byte), wrapping at PSTOP to PSTART as the ring does;
 * ISR.RDC when RBCR reaches zero.
 *
 * Receive: when started (CR.STA, not STP) and not in monitor mode, frames
 * for PAR0-5, broadcast (RCR.AB), multicast (RCR.AM: all of them, the
 * driver filters) or anything (RCR.PRO) go into the ring from CURR with
 * the 4-byte header (RSR, next page, length), padded to 60 bytes; ISR.PRX.
 * A frame that does not fit before BNRY stays queued in the net layer
 * until the guest moves BNRY (so it is not lost, unlike ISR.OVW on the
 * real chip), and meanwhile ISR.PRX stays set while the ring holds frames
 * the host has not taken (ne_rx_pending).  Transmit: CR.TXP sends TBCR bytes from page TPSR; TSR.PTX,
 * ISR.PTX at once; frames sent in loopback (TCR.LB) are dropped.
 * Interrupt: (ISR & IMR) drives INTA# or the ISA line.
 * Not modelled: the tally counters (read 0), the FIFO register, the
 * multicast hash, the RTL8029's page 3 configuration registers (read 0),
 * 8-bit (NE1000) cards, collisions and timing.
 */
#include <string.h>
#include "devices/ne2000.h"
#include "util/log.h"

#define NE_MEM_SIZE     0xc000
#define NE_RAM_START    0x4000
#define NE_DATA         0x10
#define NE_RESET        0x18

/* CR */
#define CR_STP          0x01
#define CR_STA          0x02
#define CR_TXP          0x04
#define CR_RD_MASK      0x38
#define CR_RD_READ      0x08
#define CR_RD_WRITE     0x10
/* ISR */
#define ISR_PRX         0x01
#define ISR_PTX         0x02
#define ISR_RDC         0x40
#define ISR_RST         0x80
/* RCR, TCR, DCR */
#define RCR_AB          0x04
#define RCR_AM          0x08
#define RCR_PRO         0x10
#define RCR_MON         0x20
#define TCR_LB          0x06
#define DCR_WTS         0x01
/* RSR */
#define RSR_PRX         0x01
#define RSR_PHY         0x20

struct Ne2000State {
    Buses bus;
    PCIDevice *pci;               /* ne2k_pci */
    IrqLine *irq;                 /* ne2k_isa */
    uint16_t iobase;              /* ne2k_isa */
    NetClient *nc;
    uint8_t mac[6];
    uint8_t cr, isr, imr, rcr, tcr, dcr, tsr, rsr;
    uint8_t pstart, pstop, bnry, curr, tpsr;
    uint16_t tbcr, rsar, rbcr;
    uint8_t par[6], mar[8];
    uint8_t mem[NE_MEM_SIZE];
};

/* saved state (bus/vmstate.h): the DP8390 registers of every page, the
 * station address PROM and the 32 KiB buffer RAM (the receive ring and
 * the frames the driver put there to send).  Not saved: the MAC, the ISA
 * base and line (the machine's configuration).  Every register is used
 * only after the checks a guest write would meet (ne_ring_ok, the remote
 * DMA bounds), so no value needs a post_load check; the interrupt line
 * is the receiver's saved state. */
static const VMStateField ne2000_fields[] = {
    VMS_U8(Ne2000State, cr, 1),
    VMS_U8(Ne2000State, isr, 1),
    VMS_U8(Ne2000State, imr, 1),
    VMS_U8(Ne2000State, rcr, 1),
    VMS_U8(Ne2000State, tcr, 1),
    VMS_U8(Ne2000State, dcr, 1),
    VMS_U8(Ne2000State, tsr, 1),
    VMS_U8(Ne2000State, rsr, 1),
    VMS_U8(Ne2000State, pstart, 1),
    VMS_U8(Ne2000State, pstop, 1),
    VMS_U8(Ne2000State, bnry, 1),
    VMS_U8(Ne2000State, curr, 1),
    VMS_U8(Ne2000State, tpsr, 1),
    VMS_U16(Ne2000State, tbcr, 1),
    VMS_U16(Ne2000State, rsar, 1),
    VMS_U16(Ne2000State, rbcr, 1),
    VMS_BYTES(Ne2000State, par, 1),
    VMS_BYTES(Ne2000State, mar, 1),
    VMS_BYTES(Ne2000State, mem, 1),
    VMS_END
};

const VMStateDesc ne2000_vmsd = {
    .name = "ne2000", .version = 1, .min_version = 1, .fields = ne2000_fields,
};
const size_t ne2000_state_size = sizeof(Ne2000State);  /* vmstate_check_desc (tests) */

static void ne_update_irq(Ne2000State *s)
{
    int level = (s->isr & s->imr & 0x7f) != 0;
    if (s->pci)
        pci_set_irq(s->pci, level);
    else
        irq_set(s->irq, level);
}

static void ne_prom(Ne2000State *s)
{
    memset(s->mem, 0, 32);
    for (int i = 0; i < 6; i++)
        s->mem[2 * i] = s->mem[2 * i + 1] = s->mac[i];
    for (int i = 28; i < 32; i++)
        s->mem[i] = 0x57;
}

void ne2000_reset(Ne2000State *s)
{
    s->cr = CR_STP | 0x20;        /* stopped, remote DMA aborted */
    s->isr = ISR_RST;
    s->imr = 0;
    s->rcr = s->tcr = s->dcr = s->tsr = s->rsr = 0;
    s->pstart = s->pstop = s->bnry = s->curr = s->tpsr = 0;
    s->tbcr = s->rsar = s->rbcr = 0;
    memcpy(s->par, s->mac, 6);
    ne_prom(s);
    ne_update_irq(s);
}

/* ---- receive */

static bool ne_ring_ok(Ne2000State *s)
{
    return s->pstart < s->pstop && s->pstart >= (NE_RAM_START >> 8) &&
           (unsigned)s->pstop << 8 <= NE_MEM_SIZE && s->curr >= s->pstart &&
           s->curr < s->pstop;
}

/* BNRY inside the ring: drivers write "next frame - 1", which is PSTART - 1
 * when the next frame is at PSTART; the chip only compares it with CURR,
 * so any value outside the ring stands for the ring's last page */
static int ne_bnry(Ne2000State *s)
{
    return s->bnry >= s->pstart && s->bnry < s->pstop ? s->bnry : s->pstop - 1;
}

/* pages free from CURR up to BNRY */
static int ne_free_pages(Ne2000State *s)
{
    int ring = s->pstop - s->pstart, b = ne_bnry(s);
    return s->curr < b ? b - s->curr : ring - (s->curr - b);
}

static bool ne_running(Ne2000State *s)
{
    return (s->cr & (CR_STA | CR_STP)) == CR_STA && !(s->rcr & RCR_MON);
}

static bool ne_can_receive(NetClient *nc)
{
    Ne2000State *s = nc->opaque;
    if (!ne_running(s) || !ne_ring_ok(s))
        return true;                            /* dropped in ne_receive */
    return ne_free_pages(s) > (1518 + 4 + 255) / 256;
}

/* frames wait in the net queue for room in the ring while the ring holds
 * frames the host has not taken: keep ISR.PRX set, so a driver that reads
 * a few frames per interrupt and acknowledges PRX comes back for the rest
 * (on the wire the next frame would set PRX again, or overflow the ring) */
static void ne_rx_pending(Ne2000State *s)
{
    if (!(s->isr & ISR_PRX) && net_queued(s->nc) && ne_ring_ok(s)) {
        int next = ne_bnry(s) + 1 >= s->pstop ? s->pstart : ne_bnry(s) + 1;
        if (next != s->curr)
            s->isr |= ISR_PRX;
    }
}

static bool ne_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    Ne2000State *s = nc->opaque;
    if (!ne_running(s) || !ne_ring_ok(s) || len < 14 || len > 1518)
        return true;
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    bool multi = buf[0] & 1;
    if (!(s->rcr & RCR_PRO)) {
        if (!memcmp(buf, bcast, 6) ? !(s->rcr & RCR_AB)
                                   : multi ? !(s->rcr & RCR_AM) : memcmp(buf, s->par, 6))
            return true;
    }
    size_t size = len < 60 ? 60 : len;
    int need = (int)((size + 4 + 255) / 256);
    if (need >= ne_free_pages(s))
        return false;                           /* wait for the guest to move BNRY */
    uint32_t start = (uint32_t)s->pstart << 8, stop = (uint32_t)s->pstop << 8;
    uint32_t at = (uint32_t)s->curr << 8;
    int next = s->curr + need;
    if (next >= s->pstop)
        next -= s->pstop - s->pstart;
    s->rsr = RSR_PRX | (multi ? RSR_PHY : 0);
    uint8_t hdr[4] = { s->rsr, (uint8_t)next, (uint8_t)(size + 4), (uint8_t)((size + 4) >> 8) };
    for (size_t i = 0; i < size + 4; i++) {
        s->mem[at] = i < 4 ? hdr[i] : i - 4 < len ? buf[i - 4] : 0;
        if (++at >= stop)
            at = start;
    }
    s->curr = (uint8_t)next;
    s->isr |= ISR_PRX;
    ne_update_irq(s);
    return true;
}

/* ---- transmit, remote DMA */

static void ne_transmit(Ne2000State *s)
{
    uint32_t at = (uint32_t)s->tpsr << 8, len = s->tbcr;
    if (at >= NE_RAM_START && at + len <= NE_MEM_SIZE && len >= 14 && !(s->tcr & TCR_LB))
        net_send(s->nc, s->mem + at, len);
    else if (log_enabled(LOG_GUEST_ERRORS) && !(s->tcr & TCR_LB))
        log_printf("ne2000: transmit of %u bytes at 0x%x dropped\n", len, at);
    s->tsr = 0x01;                              /* PTX */
    s->cr &= (uint8_t)~CR_TXP;
    s->isr |= ISR_PTX;
    ne_update_irq(s);
}

static uint8_t ne_mem_read(Ne2000State *s, uint32_t a)
{
    return a < 32 || (a >= NE_RAM_START && a < NE_MEM_SIZE) ? s->mem[a] : 0xff;
}

static void ne_dma_step(Ne2000State *s, int n)
{
    s->rsar = (uint16_t)(s->rsar + n);
    if (s->pstop > s->pstart && s->rsar == (uint16_t)(s->pstop << 8))
        s->rsar = (uint16_t)(s->pstart << 8);
    s->rbcr = s->rbcr > n ? (uint16_t)(s->rbcr - n) : 0;
    if (s->rbcr == 0) {
        s->isr |= ISR_RDC;
        ne_update_irq(s);
    }
}

static uint32_t ne_data_read(Ne2000State *s, int size)
{
    uint32_t v = 0;
    int unit = (s->dcr & DCR_WTS) ? 2 : 1;
    int n = size < unit ? 1 : size / unit;
    for (int i = 0; i < n; i++) {
        uint32_t w = ne_mem_read(s, s->rsar);
        if (unit == 2)
            w |= (uint32_t)ne_mem_read(s, (uint16_t)(s->rsar + 1)) << 8;
        v |= w << (i * unit * 8);
        ne_dma_step(s, unit);
    }
    return size == 1 ? v & 0xff : size == 2 ? v & 0xffff : v;
}

static void ne_data_write(Ne2000State *s, uint32_t v, int size)
{
    int unit = (s->dcr & DCR_WTS) ? 2 : 1;
    int n = size < unit ? 1 : size / unit;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < unit && k < size; k++) {
            uint32_t a = (uint16_t)(s->rsar + k);
            if (a >= NE_RAM_START && a < NE_MEM_SIZE)
                s->mem[a] = (uint8_t)(v >> ((i * unit + k) * 8));
        }
        ne_dma_step(s, unit);
    }
}

/* ---- registers */

static uint8_t ne_reg_read(Ne2000State *s, int r)
{
    int page = s->cr >> 6;
    if (r == 0)
        return s->cr;
    if (page == 0) {
        switch (r) {
        case 0x03: return s->bnry;
        case 0x04: return s->tsr;
        case 0x07: return s->isr;
        case 0x08: return (uint8_t)s->rsar;
        case 0x09: return (uint8_t)(s->rsar >> 8);
        case 0x0a: return s->pci ? 0x50 : 0;    /* RTL8029 ID 'P' */
        case 0x0b: return s->pci ? 0x43 : 0;    /* 'C' */
        case 0x0c: return s->rsr;
        default: return 0;                      /* CLDA, NCR, FIFO, tally counters */
        }
    }
    if (page == 1)
        return r <= 6 ? s->par[r - 1] : r == 7 ? s->curr : s->mar[r - 8];
    if (page == 2) {
        switch (r) {
        case 0x01: return s->pstart;
        case 0x02: return s->pstop;
        case 0x04: return s->tpsr;
        case 0x0c: return s->rcr;
        case 0x0d: return s->tcr;
        case 0x0e: return s->dcr;
        case 0x0f: return s->imr;
        default: return 0;
        }
    }
    return 0;                                   /* page 3: RTL8029 configuration */
}

static void ne_reg_write(Ne2000State *s, int r, uint8_t v)
{
    int page = s->cr >> 6;
    if (r == 0) {
        /* STP and STA change the state when written 1 (STP wins); a
         * command with neither (a page switch) keeps it */
        uint8_t state = s->cr & (CR_STP | CR_STA);
        if (v & CR_STP)
            state = CR_STP;
        else if (v & CR_STA) {
            state = CR_STA;
            s->isr &= (uint8_t)~ISR_RST;
        }
        s->cr = (uint8_t)((v & ~(CR_TXP | CR_STP | CR_STA)) | (s->cr & CR_TXP) | state);
        int rd = v & CR_RD_MASK;
        if ((rd == CR_RD_READ || rd == CR_RD_WRITE) && s->rbcr == 0) {
            s->isr |= ISR_RDC;
            ne_update_irq(s);
        }
        if ((v & CR_TXP) && !(s->cr & CR_STP))
            ne_transmit(s);
        if (ne_running(s))
            net_flush(s->nc);
        return;
    }
    if (page == 0) {
        switch (r) {
        case 0x01: s->pstart = v; break;
        case 0x02: s->pstop = v; break;
        case 0x03:
            s->bnry = v;
            net_flush(s->nc);                   /* room in the ring again */
            break;
        case 0x04: s->tpsr = v; break;
        case 0x05: s->tbcr = (uint16_t)((s->tbcr & 0xff00) | v); break;
        case 0x06: s->tbcr = (uint16_t)((s->tbcr & 0x00ff) | v << 8); break;
        case 0x07:
            s->isr &= (uint8_t)~v;
            ne_rx_pending(s);
            ne_update_irq(s);
            break;
        case 0x08: s->rsar = (uint16_t)((s->rsar & 0xff00) | v); break;
        case 0x09: s->rsar = (uint16_t)((s->rsar & 0x00ff) | v << 8); break;
        case 0x0a: s->rbcr = (uint16_t)((s->rbcr & 0xff00) | v); break;
        case 0x0b: s->rbcr = (uint16_t)((s->rbcr & 0x00ff) | v << 8); break;
        case 0x0c: s->rcr = v; break;
        case 0x0d: s->tcr = v; break;
        case 0x0e: s->dcr = v; break;
        case 0x0f:
            s->imr = v;
            ne_update_irq(s);
            break;
        }
        return;
    }
    if (page == 1) {
        if (r <= 6)
            s->par[r - 1] = v;
        else if (r == 7) {
            s->curr = v;
            net_flush(s->nc);
        } else
            s->mar[r - 8] = v;
    }
    /* pages 2 and 3: read-only here (diagnostics, RTL8029 configuration) */
}

uint32_t ne2000_io_read(Ne2000State *s, uint16_t off, int size)
{
    off &= NE2000_IO_SIZE - 1;
    if (off >= NE_DATA && off < NE_RESET)
        return ne_data_read(s, size);
    if (off >= NE_RESET) {
        ne2000_reset(s);
        return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < size && off + i < NE_DATA; i++)
        v |= (uint32_t)ne_reg_read(s, off + i) << (8 * i);
    return v;
}

void ne2000_io_write(Ne2000State *s, uint16_t off, uint32_t v, int size)
{
    off &= NE2000_IO_SIZE - 1;
    if (off >= NE_DATA && off < NE_RESET) {
        ne_data_write(s, v, size);
        return;
    }
    if (off >= NE_RESET) {
        ne2000_reset(s);
        return;
    }
    for (int i = 0; i < size && off + i < NE_DATA; i++)
        ne_reg_write(s, off + i, (uint8_t)(v >> (8 * i)));
}

static uint32_t ne_io_read(void *opaque, uint16_t port, int size)
{
    Ne2000State *s = opaque;
    return ne2000_io_read(s, (uint16_t)(s->pci ? port : port - s->iobase), size);
}

static void ne_io_write(void *opaque, uint16_t port, uint32_t v, int size)
{
    Ne2000State *s = opaque;
    ne2000_io_write(s, (uint16_t)(s->pci ? port : port - s->iobase), v, size);
}

static const IOPortOps ne_io_ops = {
    .read = ne_io_read, .write = ne_io_write, .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

static const NetClientOps ne_net_ops = {
    .can_receive = ne_can_receive,
    .receive = ne_receive,
};

static Ne2000State *ne_new(const Buses *b, const uint8_t mac[6], const char *name)
{
    Ne2000State *s = g_new0(Ne2000State, 1);
    s->bus = *b;
    memcpy(s->mac, mac, 6);
    s->nc = net_client_new(&ne_net_ops, s, name);
    return s;
}

Ne2000State *ne2000_pci_init(const Buses *b, PCIBus *bus, int devfn, const uint8_t mac[6],
                             GError **errp)
{
    Ne2000State *s = ne_new(b, mac, "ne2k_pci");
    s->pci = pci_register_function(bus, devfn, "ne2k_pci", 0x10ec, 0x8029, 0x00, 0x020000,
                                   NULL, s, errp);
    if (!s->pci) {
        ne2000_free(s);
        return NULL;
    }
    s->pci->config[PCI_INTERRUPT_PIN] = 1;
    pci_register_io_bar(s->pci, 0, NE2000_IO_SIZE, &ne_io_ops, s, "ne2k_pci");
    ne2000_reset(s);
    if (b->host)
        host_register_state(b->host, &ne2000_vmsd, s);
    return s;
}

Ne2000State *ne2000_isa_init(const Buses *b, uint16_t iobase, IrqLine *irq,
                             const uint8_t mac[6], GError **errp)
{
    Ne2000State *s = ne_new(b, mac, "ne2k_isa");
    s->irq = irq;
    s->iobase = iobase;
    if (!ioport_register(b->io, iobase, NE2000_IO_SIZE, &ne_io_ops, s, "ne2k_isa")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "ne2k_isa: ports 0x%x-0x%x are taken", iobase, iobase + NE2000_IO_SIZE - 1);
        ne2000_free(s);
        return NULL;
    }
    ne2000_reset(s);
    if (b->host)
        host_register_state(b->host, &ne2000_vmsd, s);
    return s;
}

NetClient *ne2000_net_client(Ne2000State *s) { return s->nc; }

void ne2000_free(Ne2000State *s)
{
    if (!s)
        return;
    net_client_free(s->nc);
    g_free(s);
}
