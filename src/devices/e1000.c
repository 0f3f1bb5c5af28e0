/*
 * e1000.c - Intel 82540EM Gigabit Ethernet controller, the NIC Linux's
 * e1000 driver and most BIOSes' PXE ROMs know.  Reference: Intel PCI/PCI-X
 * Family of Gigabit Ethernet Controllers Software Developer's Manual
 * (8254x SDM, rev. 4.0): chapter 3 (receive and transmit descriptors,
 * context descriptors, TCP segmentation), chapter 5 (EEPROM), chapter 8
 * (registers), chapter 13 (general register descriptions); the PHY's
 * registers are the Marvell 88E1011's as the SDM lists them.
 *
 * PCI 8086:100E, class 02 00 00; BAR0 128 KiB of registers (MMIO), BAR1
 * 64 I/O ports (IOADDR at +0, IODATA at +4: indirect register access).
 *
 * What the guest sees:
 *   - EEPROM (64 words, Microwire bit-banged through EECD, or EERD): the
 *     MAC address in words 0-2, the device/vendor IDs, a checksum making
 *     words 0x00-0x3F sum to 0xBABA.
 *   - MDIO (MDIC) to a PHY at address 1 with the link up at 1000 full
 *     duplex, auto-negotiation complete at once; STATUS says the same.
 *   - receive: legacy descriptors, RCTL buffer sizes 256 B..16 KiB, frames
 *     longer than a buffer over several descriptors, unicast (RAL/RAH[0..15]),
 *     broadcast (BAM), multicast (MPE or the MTA hash), promiscuous (UPE);
 *     the CRC appended unless RCTL.SECRC; IXSM set (no checksum offload on
 *     receive: the stack checks).  RXT0 per frame, RXDMT0 at the RCTL.RDMTS
 *     threshold; the receive delay timers are not modelled.
 *   - transmit: legacy descriptors with their checksum insertion (IC,
 *     CSO, CSS), context descriptors and data descriptors with IP and
 *     TCP/UDP checksum offload (POPTS IXSM/TXSM) and TCP segmentation
 *     (TSE: IPv4 and IPv6, headers copied, IP length/ID and TCP sequence
 *     fixed up per segment, FIN/PSH only on the last).  DD written back
 *     when RS is set; TXDW and TXQE raised.  At most E1000_TX_BATCH
 *     descriptors per TDT write, the rest from a zero-delay timer.
 *   - interrupts ICR (read clears) / ICS / IMS / IMC on INTA#; ITR and the
 *     delay timers (RDTR, RADV, TIDV, TADV) are stored, not applied.
 *   - statistics: the good packet and octet counters, TPR/TPT; all
 *     clear on read.
 * Not modelled: VLAN tag insertion/stripping (VLE/VME), flow control
 * frames, wake-up, the manageability (MANC) engine, 64-bit descriptor
 * addresses above 4 GiB (such frames are dropped), the PHY's own timing.
 * Bad descriptors (zero-length rings, heads past the ring, buffers
 * outside RAM) are dropped or ignored, never trusted.
 */
#include <string.h>
#include "devices/e1000.h"
#include "util/log.h"

/* registers (byte offsets in BAR0) */
enum {
    CTRL = 0x0000, STATUS = 0x0008, EECD = 0x0010, EERD = 0x0014, CTRL_EXT = 0x0018,
    MDIC = 0x0020, ICR = 0x00c0, ITR = 0x00c4, ICS = 0x00c8, IMS = 0x00d0, IMC = 0x00d8,
    RCTL = 0x0100, TCTL = 0x0400, PBA = 0x1000,
    RDBAL = 0x2800, RDBAH = 0x2804, RDLEN = 0x2808, RDH = 0x2810, RDT = 0x2818,
    TDBAL = 0x3800, TDBAH = 0x3804, TDLEN = 0x3808, TDH = 0x3810, TDT = 0x3818,
    STATS_START = 0x4000, STATS_END = 0x4100,
    GPRC = 0x4074, GPTC = 0x4080, GORCL = 0x4088, GORCH = 0x408c, GOTCL = 0x4090,
    GOTCH = 0x4094, TPR = 0x40d0, TPT = 0x40d4,
    MTA = 0x5200, RA = 0x5400,
};

#define CTRL_RST        (1u << 26)
#define CTRL_SLU        (1u << 6)
#define STATUS_FD       (1u << 0)
#define STATUS_LU       (1u << 1)
#define STATUS_SPEED_1000 (2u << 6)
#define EECD_SK         (1u << 0)
#define EECD_CS         (1u << 1)
#define EECD_DI         (1u << 2)
#define EECD_DO         (1u << 3)
#define EECD_REQ        (1u << 6)
#define EECD_GNT        (1u << 7)
#define EECD_PRES       (1u << 8)
#define EERD_START      (1u << 0)
#define EERD_DONE       (1u << 4)
#define MDIC_OP_WRITE   (1u << 26)
#define MDIC_OP_READ    (2u << 26)
#define MDIC_READY      (1u << 28)
#define MDIC_INT_EN     (1u << 29)
#define MDIC_ERROR      (1u << 30)
#define ICR_TXDW        (1u << 0)
#define ICR_TXQE        (1u << 1)
#define ICR_LSC         (1u << 2)
#define ICR_RXDMT0      (1u << 4)
#define ICR_RXO         (1u << 6)
#define ICR_RXT0        (1u << 7)
#define ICR_MDAC        (1u << 9)
#define RCTL_EN         (1u << 1)
#define RCTL_UPE        (1u << 3)
#define RCTL_MPE        (1u << 4)
#define RCTL_LPE        (1u << 5)
#define RCTL_RDMTS_SHIFT 8
#define RCTL_MO_SHIFT   12
#define RCTL_BAM        (1u << 15)
#define RCTL_BSIZE_SHIFT 16
#define RCTL_BSEX       (1u << 25)
#define RCTL_SECRC      (1u << 26)
#define TCTL_EN         (1u << 1)
#define RAH_AV          (1u << 31)

/* descriptor bits */
#define RXD_STAT_DD     0x01
#define RXD_STAT_EOP    0x02
#define RXD_STAT_IXSM   0x04
#define TXD_CMD_EOP     0x01
#define TXD_CMD_IFCS    0x02
#define TXD_CMD_IC      0x04      /* legacy: insert checksum */
#define TXD_CMD_TSE     0x04      /* data descriptor: TCP segmentation */
#define TXD_CMD_RS      0x08
#define TXD_CMD_DEXT    0x20
#define TXD_CMD_VLE     0x40
#define TXD_STAT_DD     0x01
#define TXD_POPTS_IXSM  0x01
#define TXD_POPTS_TXSM  0x02
#define TUCMD_TCP       0x01
#define TUCMD_IP        0x02      /* IPv4 (else IPv6) */

#define EEPROM_WORDS    64
#define PHY_REGS        32
#define TX_BUF_MAX      (NET_FRAME_MAX + 256)    /* a TSO packet's data */
#define RX_FRAME_MAX    16384                    /* with LPE; 1522 without */

typedef struct TxContext {
    uint8_t ipcss, ipcso, tucss, tucso;
    uint16_t ipcse, tucse;
    uint8_t tucmd, hdrlen;
    uint16_t mss;
    uint32_t paylen;
} TxContext;

struct E1000State {
    Buses bus;
    PCIDevice *pci;
    NetClient *nc;
    Timer *tx_timer;              /* continues a TX ring longer than one batch */
    uint32_t regs[E1000_MMIO_SIZE / 4];
    uint16_t eeprom[EEPROM_WORDS];
    uint16_t phy[PHY_REGS];
    uint8_t mac[6];
    bool link_up;
    uint32_t ioaddr;              /* BAR1 IOADDR */
    /* Microwire EEPROM interface (EECD) */
    uint32_t ee_in;               /* command bits shifted in */
    int ee_nin;
    int ee_out_bits;              /* data bits left to shift out, 0: command phase */
    uint16_t ee_out;
    uint8_t ee_addr;
    bool ee_do;
    /* transmit: the packet being gathered from data descriptors */
    TxContext ctx;
    uint8_t *tx_buf;              /* TX_BUF_MAX */
    uint32_t tx_len;
    bool tx_bad;                  /* too long: dropped at EOP */
    bool tx_started;
    uint8_t tx_popts;
    bool tx_tse;
    uint8_t *tx_seg;              /* one segment being built (TSO) */
    uint8_t rx_buf[RX_FRAME_MAX + 64];
};

static inline uint32_t *reg(E1000State *s, uint32_t off) { return &s->regs[off >> 2]; }

/* ---- saved state (bus/vmstate.h): registers, EEPROM, PHY, the Microwire
 * and MDIO progress, the TX context and the packet being gathered across
 * descriptors, the TX continuation timer.  Not saved: the MAC (the
 * machine's configuration; the EEPROM and RAL0/RAH0 carry what the guest
 * sees), rx_buf and tx_seg (scratch of one call). */

static const VMStateField e1000_txctx_fields[] = {
    VMS_U8(TxContext, ipcss, 1),
    VMS_U8(TxContext, ipcso, 1),
    VMS_U8(TxContext, tucss, 1),
    VMS_U8(TxContext, tucso, 1),
    VMS_U16(TxContext, ipcse, 1),
    VMS_U16(TxContext, tucse, 1),
    VMS_U8(TxContext, tucmd, 1),
    VMS_U8(TxContext, hdrlen, 1),
    VMS_U16(TxContext, mss, 1),
    VMS_U32(TxContext, paylen, 1),
    VMS_END
};
static const VMStateDesc e1000_txctx_vmsd = { "e1000-tx-context", 1, 1, e1000_txctx_fields };

static bool e1000_post_load(void *opaque, int version, GError **errp);

static const VMStateField e1000_fields[] = {
    VMS_INT_ARRAY(E1000State, regs, 1),
    VMS_INT_ARRAY(E1000State, eeprom, 1),
    VMS_INT_ARRAY(E1000State, phy, 1),
    VMS_BOOL(E1000State, link_up, 1),
    VMS_U32(E1000State, ioaddr, 1),
    VMS_U32(E1000State, ee_in, 1),
    VMS_I32(E1000State, ee_nin, 1),
    VMS_I32(E1000State, ee_out_bits, 1),
    VMS_U16(E1000State, ee_out, 1),
    VMS_U8(E1000State, ee_addr, 1),
    VMS_BOOL(E1000State, ee_do, 1),
    VMS_STRUCT(E1000State, ctx, e1000_txctx_vmsd, 1),
    VMS_BUFFER(E1000State, tx_buf, TX_BUF_MAX, 1),
    VMS_U32(E1000State, tx_len, 1),
    VMS_BOOL(E1000State, tx_bad, 1),
    VMS_BOOL(E1000State, tx_started, 1),
    VMS_U8(E1000State, tx_popts, 1),
    VMS_BOOL(E1000State, tx_tse, 1),
    VMS_TIMER(E1000State, tx_timer, 1),
    VMS_END
};

const VMStateDesc e1000_vmsd = {
    .name = "e1000", .version = 1, .min_version = 1,
    .fields = e1000_fields, .post_load = e1000_post_load,
};
const size_t e1000_state_size = sizeof(E1000State);  /* vmstate_check_desc (tests) */

static void e1000_update_irq(E1000State *s)
{
    pci_set_irq(s->pci, (*reg(s, ICR) & *reg(s, IMS)) != 0);
}

static void e1000_raise(E1000State *s, uint32_t cause)
{
    *reg(s, ICR) |= cause;
    e1000_update_irq(s);
}

/* ---- EEPROM */

static void e1000_eeprom_fill(E1000State *s)
{
    uint16_t *e = s->eeprom;
    memset(e, 0, sizeof(s->eeprom));
    for (int i = 0; i < 3; i++)
        e[i] = (uint16_t)(s->mac[2 * i] | s->mac[2 * i + 1] << 8);
    e[0x0a] = 0x4408;             /* init control 1: load subsystem IDs, FRCSPD */
    e[0x0b] = 0x1100;             /* subsystem ID (as the PCI header, pci.h) */
    e[0x0c] = 0x1af4;             /* subsystem vendor */
    e[0x0d] = 0x100e;             /* device ID */
    e[0x0e] = 0x8086;             /* vendor ID */
    e[0x0f] = 0x3040;             /* init control 2 */
    uint16_t sum = 0;
    for (int i = 0; i < EEPROM_WORDS - 1; i++)
        sum = (uint16_t)(sum + e[i]);
    e[EEPROM_WORDS - 1] = (uint16_t)(0xbaba - sum);
}

/* EECD written: Microwire READ (start bit 1, opcode 10, 6 address bits,
 * then 16 data bits out on DO, MSB first, the next word after that) */
static void e1000_eecd_write(E1000State *s, uint32_t v)
{
    uint32_t old = *reg(s, EECD);
    *reg(s, EECD) = v & (EECD_SK | EECD_CS | EECD_DI | EECD_REQ | 0x30);
    if (!(v & EECD_CS)) {                         /* deselected: back to idle */
        s->ee_nin = 0;
        s->ee_in = 0;
        s->ee_out_bits = 0;
        s->ee_do = false;
        return;
    }
    if ((old & EECD_SK) || !(v & EECD_SK))
        return;                                   /* act on SK rising edges */
    if (s->ee_out_bits) {
        s->ee_do = (s->ee_out >> 15) & 1;
        s->ee_out = (uint16_t)(s->ee_out << 1);
        if (--s->ee_out_bits == 0) {              /* sequential read */
            s->ee_addr = (uint8_t)((s->ee_addr + 1) % EEPROM_WORDS);
            s->ee_out = s->eeprom[s->ee_addr];
            s->ee_out_bits = 16;
        }
        return;
    }
    if (s->ee_nin == 0 && !(v & EECD_DI))
        return;                                   /* waiting for the start bit */
    s->ee_in = s->ee_in << 1 | ((v & EECD_DI) ? 1 : 0);
    if (++s->ee_nin == 9) {
        if ((s->ee_in >> 6) == 6) {               /* 1 10: READ */
            s->ee_addr = (uint8_t)(s->ee_in & 0x3f);
            s->ee_out = s->eeprom[s->ee_addr];
            s->ee_out_bits = 16;
        } else if (log_enabled(LOG_UNIMP)) {
            log_printf("e1000: EEPROM opcode %u not supported\n", s->ee_in >> 6);
        }
        s->ee_nin = 0;
        s->ee_in = 0;
    }
}

static uint32_t e1000_eecd_read(E1000State *s)
{
    uint32_t v = *reg(s, EECD) | EECD_PRES;
    if (v & EECD_REQ)
        v |= EECD_GNT;
    if (s->ee_do)
        v |= EECD_DO;
    return v;
}

/* ---- PHY (MDIC) */

static void e1000_phy_reset(E1000State *s)
{
    memset(s->phy, 0, sizeof(s->phy));
    s->phy[0] = 0x1140;           /* control: auto-negotiation, full duplex, 1000 */
    s->phy[2] = 0x0141;           /* Marvell 88E1011 */
    s->phy[3] = 0x0c20;
    s->phy[4] = 0x0de1;           /* advertisement */
    s->phy[5] = 0x45e1;           /* link partner: 10/100 full/half, ack */
    s->phy[6] = 0x0001;
    s->phy[9] = 0x0e00;           /* 1000BASE-T control */
    s->phy[15] = 0x3000;          /* extended status: 1000BASE-T full/half */
    s->phy[0x10] = 0x0068;        /* M88 specific control */
    s->phy[0x14] = 0x0d60;        /* M88 extended specific control */
}

static uint16_t e1000_phy_read(E1000State *s, int r)
{
    switch (r) {
    case 1:                       /* status: link and auto-negotiation done */
        return s->link_up ? 0x796d : 0x7949;
    case 10:                      /* 1000BASE-T status: partner 1000 FD/HD */
        return s->link_up ? 0x3c00 : 0;
    case 0x11:                    /* M88 specific status: 1000, full, resolved, link */
        return s->link_up ? 0xac00 : 0;
    default:
        return s->phy[r];
    }
}

static void e1000_phy_write(E1000State *s, int r, uint16_t v)
{
    if (r == 0) {
        if (v & 0x8000) {         /* reset: self-clearing */
            e1000_phy_reset(s);
            return;
        }
        v &= ~0x0200;             /* restart auto-negotiation: done at once */
    }
    if (r == 1 || r == 2 || r == 3 || r == 5 || r == 10 || r == 15 || r == 0x11)
        return;                   /* read-only */
    s->phy[r] = v;
}

static void e1000_mdic_write(E1000State *s, uint32_t v)
{
    int phy = (v >> 21) & 0x1f, r = (v >> 16) & 0x1f;
    uint32_t op = v & (3u << 26);
    uint32_t out = v & ~(MDIC_READY | MDIC_ERROR);
    if (phy != 1 || (op != MDIC_OP_READ && op != MDIC_OP_WRITE))
        out |= MDIC_ERROR;
    else if (op == MDIC_OP_READ)
        out = (out & 0xffff0000u) | e1000_phy_read(s, r);
    else
        e1000_phy_write(s, r, (uint16_t)v);
    *reg(s, MDIC) = out | MDIC_READY;
    if (v & MDIC_INT_EN)
        e1000_raise(s, ICR_MDAC);
}

/* ---- reset */

static void e1000_set_ra0(E1000State *s)
{
    *reg(s, RA) = (uint32_t)s->mac[0] | s->mac[1] << 8 | s->mac[2] << 16 |
                  (uint32_t)s->mac[3] << 24;
    *reg(s, RA + 4) = (uint32_t)s->mac[4] | s->mac[5] << 8 | RAH_AV;
}

void e1000_reset(E1000State *s)
{
    memset(s->regs, 0, sizeof(s->regs));
    *reg(s, CTRL) = CTRL_SLU | 0x0200;      /* set link up, speed 1000 */
    *reg(s, PBA) = 0x00100030;
    *reg(s, 0x0e00) = 0x07068302;           /* LEDCTL */
    *reg(s, 0x0410) = 0x0060200a;           /* TIPG */
    e1000_set_ra0(s);
    e1000_phy_reset(s);
    s->ee_nin = s->ee_out_bits = 0;
    s->ee_in = 0;
    s->ee_do = false;
    memset(&s->ctx, 0, sizeof(s->ctx));
    s->tx_len = 0;
    s->tx_bad = s->tx_started = false;
    s->ioaddr = 0;
    if (s->tx_timer)
        timer_del(s->tx_timer);
    e1000_update_irq(s);
}

/* ---- receive */

static uint32_t e1000_rx_bufsize(uint32_t rctl)
{
    static const uint32_t sizes[2][4] = { { 2048, 1024, 512, 256 },
                                          { 2048, 16384, 8192, 4096 } };
    return sizes[(rctl & RCTL_BSEX) ? 1 : 0][(rctl >> RCTL_BSIZE_SHIFT) & 3];
}

/* descriptors the guest owns for the device (RDH up to RDT) */
static uint32_t e1000_rx_free(E1000State *s, uint32_t *n_out)
{
    uint32_t n = *reg(s, RDLEN) / 16;
    if (n_out)
        *n_out = n;
    if (!n)
        return 0;
    uint32_t h = *reg(s, RDH), t = *reg(s, RDT);
    if (h >= n || t >= n)
        return 0;                               /* bad indices: owns nothing */
    return (t + n - h) % n;
}

static bool e1000_accept(E1000State *s, const uint8_t *f)
{
    uint32_t rctl = *reg(s, RCTL);
    if (rctl & RCTL_UPE)
        return true;
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (!memcmp(f, bcast, 6))
        return (rctl & RCTL_BAM) != 0;
    if (f[0] & 1) {                             /* multicast */
        if (rctl & RCTL_MPE)
            return true;
        static const int shift[4] = { 4, 3, 2, 0 };
        int mo = (rctl >> RCTL_MO_SHIFT) & 3;
        uint32_t h = ((uint32_t)f[4] >> shift[mo] | (uint32_t)f[5] << (8 - shift[mo])) & 0xfff;
        return (*reg(s, MTA + (h >> 5) * 4) >> (h & 31)) & 1;
    }
    for (int i = 0; i < 16; i++) {
        uint32_t lo = *reg(s, RA + 8 * i), hi = *reg(s, RA + 8 * i + 4);
        if (!(hi & RAH_AV))
            continue;
        uint8_t a[6] = { (uint8_t)lo, (uint8_t)(lo >> 8), (uint8_t)(lo >> 16),
                         (uint8_t)(lo >> 24), (uint8_t)hi, (uint8_t)(hi >> 8) };
        if (!memcmp(f, a, 6))
            return true;
    }
    return false;
}

static bool e1000_can_receive(NetClient *nc)
{
    E1000State *s = nc->opaque;
    uint32_t n;
    /* only a full ring holds frames back; a receiver that is off, or has
     * no ring, drops them (e1000_receive) as the wire would */
    if (!(*reg(s, RCTL) & RCTL_EN) || !s->link_up)
        return true;
    return e1000_rx_free(s, &n) > 0 || n == 0;
}

static void e1000_stat_add(E1000State *s, uint32_t lo, uint64_t v)
{
    uint64_t x = *reg(s, lo) | (uint64_t)*reg(s, lo + 4) << 32;
    x += v;
    *reg(s, lo) = (uint32_t)x;
    *reg(s, lo + 4) = (uint32_t)(x >> 32);
}

static bool e1000_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    E1000State *s = nc->opaque;
    uint32_t rctl = *reg(s, RCTL);
    if (!(rctl & RCTL_EN) || !s->link_up || len < 14)
        return true;                            /* dropped */
    if (!e1000_accept(s, buf))
        return true;
    size_t max = (rctl & RCTL_LPE) ? RX_FRAME_MAX : 1518;
    if (len > max)
        return true;                            /* oversize: dropped */
    /* the frame as the MAC stores it: padded to 60 bytes, then the CRC */
    size_t size = len < 60 ? 60 : len;
    memcpy(s->rx_buf, buf, len);
    memset(s->rx_buf + len, 0, size - len);
    if (!(rctl & RCTL_SECRC)) {
        uint32_t crc = net_crc32(s->rx_buf, size);
        for (int i = 0; i < 4; i++)
            s->rx_buf[size + i] = (uint8_t)(crc >> (8 * i));
        size += 4;
    }
    uint32_t bufsize = e1000_rx_bufsize(rctl), n;
    uint32_t need = (uint32_t)((size + bufsize - 1) / bufsize);
    uint32_t avail = e1000_rx_free(s, &n);
    if (!n)
        return true;                            /* no ring: dropped */
    if (avail < need) {
        e1000_raise(s, ICR_RXO);
        return false;                           /* wait for buffers */
    }
    uint64_t base = *reg(s, RDBAL) | (uint64_t)*reg(s, RDBAH) << 32;
    uint32_t h = *reg(s, RDH);
    size_t done = 0;
    for (uint32_t k = 0; k < need; k++) {
        uint64_t da = base + (uint64_t)h * 16;
        uint8_t d[16];
        if (da >> 32 || !physmem_read_buf(s->bus.mem, (uint32_t)da, d, 16))
            memset(d, 0, sizeof(d));
        uint64_t addr = 0;
        for (int i = 7; i >= 0; i--)
            addr = addr << 8 | d[i];
        size_t chunk = MIN(bufsize, size - done);
        if (addr && !(addr >> 32) && addr + chunk <= 0x100000000ull)
            physmem_write_buf(s->bus.mem, (uint32_t)addr, s->rx_buf + done, chunk);
        else if (log_enabled(LOG_GUEST_ERRORS))
            log_printf("e1000: RX buffer address 0x%" G_GINT64_MODIFIER "x unusable\n", addr);
        done += chunk;
        d[8] = (uint8_t)chunk;
        d[9] = (uint8_t)(chunk >> 8);
        d[10] = d[11] = 0;                      /* packet checksum */
        d[12] = RXD_STAT_DD | RXD_STAT_IXSM | (done == size ? RXD_STAT_EOP : 0);
        d[13] = 0;                              /* errors */
        d[14] = d[15] = 0;                      /* special */
        if (!(da >> 32))
            physmem_write_buf(s->bus.mem, (uint32_t)da, d, 16);
        h = (h + 1) % n;
    }
    *reg(s, RDH) = h;
    e1000_stat_add(s, GORCL, size);
    (*reg(s, GPRC))++;
    (*reg(s, TPR))++;
    uint32_t cause = ICR_RXT0;
    uint32_t left = e1000_rx_free(s, NULL);
    if (left <= (n >> (((rctl >> RCTL_RDMTS_SHIFT) & 3) + 1)))
        cause |= ICR_RXDMT0;
    e1000_raise(s, cause);
    return true;
}

/* ---- transmit */

static uint16_t get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* the checksum of f[start..end] (end inclusive, 0 = to the frame's end)
 * stored at f[at]; extra is added to the sum (the TSO length) */
static void e1000_csum(uint8_t *f, size_t len, uint32_t start, uint32_t at, uint32_t end,
                       uint32_t extra)
{
    size_t stop = end ? MIN((size_t)end + 1, len) : len;
    if (start >= stop || (size_t)at + 2 > len)
        return;                                 /* offsets outside the frame */
    uint32_t sum = net_checksum_add(extra, f + start, stop - start);
    put_be16(f + at, net_checksum_finish(sum));
}

static void e1000_tx_frame(E1000State *s, uint8_t *f, size_t len)
{
    e1000_stat_add(s, GOTCL, len);
    (*reg(s, GPTC))++;
    (*reg(s, TPT))++;
    net_send(s->nc, f, len);
}

/* a whole packet (EOP reached) without TSO: offloaded checksums, then out */
static void e1000_tx_plain(E1000State *s, uint8_t *f, size_t len, bool ext, uint8_t popts,
                           uint8_t cso, uint8_t css, bool ic)
{
    const TxContext *c = &s->ctx;
    if (ext) {
        if ((popts & TXD_POPTS_IXSM) && (size_t)c->ipcso + 2 <= len) {
            f[c->ipcso] = f[c->ipcso + 1] = 0;
            e1000_csum(f, len, c->ipcss, c->ipcso, c->ipcse, 0);
        }
        if (popts & TXD_POPTS_TXSM)
            e1000_csum(f, len, c->tucss, c->tucso, c->tucse, 0);
    } else if (ic) {
        e1000_csum(f, len, css, cso, 0, 0);
    }
    e1000_tx_frame(s, f, len);
}

/* TCP segmentation (SDM 3.5): the first hdrlen bytes are the headers,
 * the rest goes out in mss-sized pieces, each with a copy of the headers */
static void e1000_tx_tso(E1000State *s, const uint8_t *pkt, size_t len, uint8_t popts)
{
    const TxContext *c = &s->ctx;
    size_t hdr = c->hdrlen;
    bool tcp = c->tucmd & TUCMD_TCP, ip4 = c->tucmd & TUCMD_IP;
    if (!c->mss || hdr > len || hdr > 255 || (size_t)c->tucss + 20 > hdr ||
        (size_t)c->ipcss + (ip4 ? 20 : 40) > hdr || c->tucss <= c->ipcss) {
        if (log_enabled(LOG_GUEST_ERRORS))
            log_printf("e1000: bad TSO context (hdrlen %zu mss %u): packet dropped\n", hdr,
                       c->mss);
        return;
    }
    size_t payload = len - hdr;
    uint32_t seq0 = 0;
    if (tcp)
        seq0 = (uint32_t)get_be16(pkt + c->tucss + 4) << 16 | get_be16(pkt + c->tucss + 6);
    uint16_t id0 = ip4 ? get_be16(pkt + c->ipcss + 4) : 0;
    size_t off = 0;
    for (int seg = 0; off < payload || (seg == 0 && payload == 0); seg++) {
        size_t chunk = MIN((size_t)c->mss, payload - off);
        bool last = off + chunk >= payload;
        uint8_t *f = s->tx_seg;
        memcpy(f, pkt, hdr);
        memcpy(f + hdr, pkt + hdr + off, chunk);
        size_t flen = hdr + chunk;
        uint8_t *ip = f + c->ipcss, *l4 = f + c->tucss;
        if (ip4) {
            put_be16(ip + 2, (uint16_t)(flen - c->ipcss));
            put_be16(ip + 4, (uint16_t)(id0 + seg));
        } else {
            put_be16(ip + 4, (uint16_t)(flen - c->ipcss - 40));
        }
        if (tcp) {
            uint32_t seq = seq0 + (uint32_t)off;
            put_be16(l4 + 4, (uint16_t)(seq >> 16));
            put_be16(l4 + 6, (uint16_t)seq);
            if (!last)
                l4[13] &= (uint8_t)~0x09;      /* FIN, PSH on the last segment only */
        } else {
            put_be16(l4 + 4, (uint16_t)(flen - c->tucss));
        }
        if ((popts & TXD_POPTS_IXSM) && ip4) {
            if ((size_t)c->ipcso + 2 <= flen) {
                f[c->ipcso] = f[c->ipcso + 1] = 0;
                e1000_csum(f, flen, c->ipcss, c->ipcso, (uint32_t)(c->ipcse ? c->ipcse : hdr - 1), 0);
            }
        }
        if (popts & TXD_POPTS_TXSM) {
            /* the field holds the pseudo-header sum without the length */
            e1000_csum(f, flen, c->tucss, c->tucso, 0, (uint32_t)(flen - c->tucss));
        }
        e1000_tx_frame(s, f, flen);
        off += chunk;
        if (payload == 0)
            break;
    }
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* gather a data or legacy descriptor's buffer into the packet */
static void e1000_tx_gather(E1000State *s, uint64_t addr, uint32_t len)
{
    if (s->tx_bad || !len)
        return;
    if (s->tx_len + len > TX_BUF_MAX || addr >> 32 || addr + len > 0x100000000ull) {
        s->tx_bad = true;
        return;
    }
    physmem_read_buf(s->bus.mem, (uint32_t)addr, s->tx_buf + s->tx_len, len);
    s->tx_len += len;
}

static void e1000_tx_desc(E1000State *s, uint8_t *d)
{
    uint64_t addr = le64(d);
    uint32_t lower = le32(d + 8);
    uint8_t cmd = (uint8_t)(lower >> 24);
    bool ext = cmd & TXD_CMD_DEXT;
    uint32_t dtyp = (lower >> 20) & 0xf;
    if (ext && dtyp == 0) {                      /* context descriptor */
        TxContext *c = &s->ctx;
        c->ipcss = d[0];
        c->ipcso = d[1];
        c->ipcse = (uint16_t)(d[2] | d[3] << 8);
        c->tucss = d[4];
        c->tucso = d[5];
        c->tucse = (uint16_t)(d[6] | d[7] << 8);
        c->paylen = lower & 0xfffff;
        c->tucmd = cmd;
        c->hdrlen = d[13];
        c->mss = (uint16_t)(d[14] | d[15] << 8);
        return;
    }
    if (ext && dtyp != 1) {
        if (log_enabled(LOG_GUEST_ERRORS))
            log_printf("e1000: TX descriptor type %u ignored\n", dtyp);
        return;
    }
    uint32_t len = ext ? lower & 0xfffff : lower & 0xffff;
    if (!s->tx_started) {                        /* first descriptor of a packet */
        s->tx_started = true;
        s->tx_popts = ext ? d[13] : 0;
        s->tx_tse = ext && (cmd & TXD_CMD_TSE);
    }
    if ((cmd & TXD_CMD_VLE) && log_enabled(LOG_UNIMP))
        log_printf("e1000: VLAN tag insertion not supported (sent untagged)\n");
    e1000_tx_gather(s, addr, len);
    if (!(cmd & TXD_CMD_EOP))
        return;
    if (s->tx_bad) {
        if (log_enabled(LOG_GUEST_ERRORS))
            log_printf("e1000: TX packet too long or outside RAM: dropped\n");
    } else if (s->tx_tse) {
        e1000_tx_tso(s, s->tx_buf, s->tx_len, s->tx_popts);
    } else if (s->tx_len >= 14) {
        e1000_tx_plain(s, s->tx_buf, s->tx_len, ext, s->tx_popts, (uint8_t)(lower >> 16), d[13],
                       !ext && (cmd & TXD_CMD_IC));
    }
    s->tx_len = 0;
    s->tx_bad = s->tx_started = false;
}

/* process TX descriptors from TDH to TDT, at most one batch */
static void e1000_tx_run(E1000State *s)
{
    if (!(*reg(s, TCTL) & TCTL_EN))
        return;
    uint32_t n = *reg(s, TDLEN) / 16;
    uint32_t h = *reg(s, TDH), t = *reg(s, TDT);
    if (!n || h >= n || t >= n || h == t)
        return;
    uint64_t base = *reg(s, TDBAL) | (uint64_t)*reg(s, TDBAH) << 32;
    bool wrote = false;
    int k;
    for (k = 0; k < E1000_TX_BATCH && h != t; k++) {
        uint64_t da = base + (uint64_t)h * 16;
        uint8_t d[16];
        if (da >> 32 || !physmem_read_buf(s->bus.mem, (uint32_t)da, d, 16))
            memset(d, 0, sizeof(d));
        e1000_tx_desc(s, d);
        if (d[11] & TXD_CMD_RS) {               /* report status: DD */
            d[12] |= TXD_STAT_DD;
            if (!(da >> 32))
                physmem_write(s->bus.mem, (uint32_t)da + 12, d[12], 1);
            wrote = true;
        }
        h = (h + 1) % n;
        *reg(s, TDH) = h;
        t = *reg(s, TDT);                       /* a receive may not change it, but be safe */
        if (t >= n)
            break;
    }
    uint32_t cause = wrote ? ICR_TXDW : 0;
    if (h == *reg(s, TDT))
        cause |= ICR_TXQE;
    else if (s->tx_timer)
        timer_mod(s->tx_timer, clock_now(s->bus.clock));    /* the rest: next round */
    if (cause)
        e1000_raise(s, cause);
}

static void e1000_tx_timer_cb(void *opaque)
{
    e1000_tx_run(opaque);
}

/* ---- saved state: what the stream may not hold */

static bool e1000_post_load(void *opaque, int version, GError **errp)
{
    E1000State *s = opaque;
    if (s->ee_nin < 0 || s->ee_nin >= 9 || s->ee_out_bits < 0 || s->ee_out_bits > 16 ||
        s->ee_addr >= EEPROM_WORDS) {
        g_set_error(errp, VMSTATE_ERROR, 0, "e1000: EEPROM shift state out of range "
                    "(%d bits in, %d out, word %u)", s->ee_nin, s->ee_out_bits, s->ee_addr);
        return false;
    }
    if (s->tx_len > TX_BUF_MAX) {
        g_set_error(errp, VMSTATE_ERROR, 0, "e1000: %u bytes gathered for transmit, "
                    "the buffer holds %u", s->tx_len, (unsigned)TX_BUF_MAX);
        return false;
    }
    if (s->ioaddr & ~(uint32_t)(E1000_MMIO_SIZE - 4)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "e1000: IOADDR 0x%x is not a register offset",
                    s->ioaddr);
        return false;
    }
    /* the interrupt line is the PCI core's saved state: nothing to drive */
    return true;
}

/* ---- registers */

uint32_t e1000_mmio_read(E1000State *s, uint32_t off)
{
    off &= (E1000_MMIO_SIZE - 1) & ~3u;
    switch (off) {
    case STATUS:
        return (s->link_up ? STATUS_LU : 0) | STATUS_FD | STATUS_SPEED_1000;
    case EECD:
        return e1000_eecd_read(s);
    case ICR: {
        uint32_t v = *reg(s, ICR);
        *reg(s, ICR) = 0;
        e1000_update_irq(s);
        return v;
    }
    case ICS: case IMC:                          /* write-only */
        return 0;
    default:
        break;
    }
    if (off >= STATS_START && off < STATS_END) {     /* statistics clear on read */
        uint32_t v = *reg(s, off);
        *reg(s, off) = 0;
        return v;
    }
    return *reg(s, off);
}

void e1000_mmio_write(E1000State *s, uint32_t off, uint32_t v)
{
    off &= (E1000_MMIO_SIZE - 1) & ~3u;
    switch (off) {
    case CTRL:
        if (v & CTRL_RST) {
            e1000_reset(s);
            return;
        }
        *reg(s, CTRL) = v & ~(1u << 31);         /* PHY reset bit is not kept */
        return;
    case STATUS:
        return;
    case EECD:
        e1000_eecd_write(s, v);
        return;
    case EERD:
        if (v & EERD_START) {
            uint32_t a = (v >> 8) & 0xff;
            uint16_t w = a < EEPROM_WORDS ? s->eeprom[a] : 0;
            *reg(s, EERD) = (v & 0xff00) | EERD_DONE | (uint32_t)w << 16;
        }
        return;
    case MDIC:
        e1000_mdic_write(s, v);
        return;
    case ICR:                                    /* write 1 to clear */
        *reg(s, ICR) &= ~v;
        e1000_update_irq(s);
        return;
    case ICS:
        e1000_raise(s, v);
        return;
    case IMS:
        *reg(s, IMS) |= v;
        e1000_update_irq(s);
        return;
    case IMC:
        *reg(s, IMS) &= ~v;
        e1000_update_irq(s);
        return;
    case RCTL:
        *reg(s, RCTL) = v;
        if (v & RCTL_EN)
            net_flush(s->nc);
        return;
    case RDT:
        *reg(s, RDT) = v & 0xffff;
        net_flush(s->nc);
        return;
    case RDH: case TDH:
        *reg(s, off) = v & 0xffff;
        return;
    case RDLEN: case TDLEN:
        *reg(s, off) = v & 0xfff80;
        return;
    case RDBAL: case TDBAL:
        *reg(s, off) = v & ~0xfu;
        return;
    case TDT:
        *reg(s, TDT) = v & 0xffff;
        e1000_tx_run(s);
        return;
    case TCTL:
        *reg(s, TCTL) = v;
        e1000_tx_run(s);
        return;
    default:
        break;
    }
    if (off >= STATS_START && off < STATS_END)
        return;
    *reg(s, off) = v;
}

static uint32_t e1000_mem_read(void *opaque, uint32_t off, int size)
{
    E1000State *s = opaque;
    uint32_t v = e1000_mmio_read(s, off & ~3u);
    if (size == 4)
        return v;
    return (v >> ((off & 3) * 8)) & (size == 1 ? 0xff : 0xffff);
}

static void e1000_mem_write(void *opaque, uint32_t off, uint32_t v, int size)
{
    E1000State *s = opaque;
    if (size != 4) {                             /* merge into the stored value */
        uint32_t shift = (off & 3) * 8, mask = (size == 1 ? 0xffu : 0xffffu) << shift;
        v = (*reg(s, off & (E1000_MMIO_SIZE - 4)) & ~mask) | ((v << shift) & mask);
    }
    e1000_mmio_write(s, off & ~3u, v);
}

static const MemOps e1000_mem_ops = { .read = e1000_mem_read, .write = e1000_mem_write };

static uint32_t e1000_io_read(void *opaque, uint16_t port, int size)
{
    E1000State *s = opaque;
    if (port == 0)
        return s->ioaddr;
    if (port == 4)
        return e1000_mmio_read(s, s->ioaddr);
    return 0;
}

static void e1000_io_write(void *opaque, uint16_t port, uint32_t v, int size)
{
    E1000State *s = opaque;
    if (port == 0)
        s->ioaddr = v & (E1000_MMIO_SIZE - 4);
    else if (port == 4)
        e1000_mmio_write(s, s->ioaddr, v);
}

static const IOPortOps e1000_io_ops = {
    .read = e1000_io_read, .write = e1000_io_write, .sizes = IO_SIZE_32,
};

static const NetClientOps e1000_net_ops = {
    .can_receive = e1000_can_receive,
    .receive = e1000_receive,
};

E1000State *e1000_init(const Buses *b, PCIBus *bus, int devfn, const uint8_t mac[6],
                       GError **errp)
{
    E1000State *s = g_new0(E1000State, 1);
    s->bus = *b;
    memcpy(s->mac, mac, 6);
    s->pci = pci_register_function(bus, devfn, "e1000", 0x8086, 0x100e, 0x03, 0x020000,
                                   NULL, s, errp);
    if (!s->pci) {
        g_free(s);
        return NULL;
    }
    s->pci->config[PCI_INTERRUPT_PIN] = 1;
    pci_register_mem_bar(s->pci, 0, E1000_MMIO_SIZE, 0, &e1000_mem_ops, s, "e1000-mmio");
    pci_register_io_bar(s->pci, 1, E1000_IO_SIZE, &e1000_io_ops, s, "e1000-io");
    s->tx_buf = g_malloc0(TX_BUF_MAX);      /* saved whole: no host bytes in a stream */
    s->tx_seg = g_malloc(TX_BUF_MAX);
    s->nc = net_client_new(&e1000_net_ops, s, "e1000");
    if (b->clock)
        s->tx_timer = timer_new(b->clock, e1000_tx_timer_cb, s);
    s->link_up = true;
    e1000_eeprom_fill(s);
    e1000_reset(s);
    if (b->host)
        host_register_state(b->host, &e1000_vmsd, s);
    return s;
}

NetClient *e1000_net_client(E1000State *s) { return s->nc; }
PCIDevice *e1000_pci(E1000State *s) { return s->pci; }

void e1000_set_link(E1000State *s, bool up)
{
    if (s->link_up == up)
        return;
    s->link_up = up;
    e1000_raise(s, ICR_LSC);
}

void e1000_free(E1000State *s)
{
    if (!s)
        return;
    if (s->tx_timer)
        timer_free(s->tx_timer);
    net_client_free(s->nc);
    g_free(s->tx_buf);
    g_free(s->tx_seg);
    g_free(s);
}
