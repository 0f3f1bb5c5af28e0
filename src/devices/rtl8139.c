/*
 * rtl8139.c - Realtek RTL8139C 10/100 Ethernet controller in its original
 * (not C+) mode, the NIC of Linux's 8139too.  Reference: Realtek
 * RTL8139C(L) datasheet 1.4 (registers, receive buffer, transmit
 * descriptors, 93C46/93C56 EEPROM interface) and the RTL8139 programming
 * guide.
 *
 * PCI 10EC:8139 revision 0x10 (8139too takes revisions below 0x20; from
 * 0x20 on, 8139cp does), class 02 00 00; BAR0 256 I/O ports, BAR1 the
 * same registers as 256 bytes of MMIO.  TCR reports the RTL8139C.
 *
 * What the guest sees:
 *   - the MAC in IDR0-5 and in a 93C56 EEPROM (word 0 0x8129, the MAC in
 *     words 7-9) bit-banged through 9346CR;
 *   - the internal PHY at BMCR/BMSR/ANAR/ANLPAR: link up, 100 Mb/s full
 *     duplex, auto-negotiation complete; MSR says link and 100 Mb/s;
 *   - receive into the RBSTART ring (8, 16, 32 or 64 KiB + 16 bytes, RCR
 *     bits 12:11): a 4-byte header (status, length with the CRC), the
 *     frame, its CRC, the next packet 4-byte aligned; with RCR.WRAP a
 *     packet runs on past the end of the ring (the driver gives 1.5 KiB
 *     more), else it wraps.  CAPR + 16 is the driver's read position, CBR
 *     the write position, CR.BUFE says when they meet.  A frame that does
 *     not fit waits in the net queue until CAPR moves.  Filters: IDR
 *     (APM), broadcast (AB), multicast (AM: all), everything (AAP).
 *   - transmit from the four TSAD/TSD pairs: writing TSDn with OWN clear
 *     sends SIZE bytes from TSADn, then OWN and TOK are set; ISR.TOK.
 *   - interrupts: ISR (write 1 to clear) & IMR on INTA#; ROK cannot be
 *     cleared while the ring holds unread packets (the driver polls
 *     again only when ROK is set; frames waiting for room wait for it).
 * Not modelled: C+ mode (descriptor rings at 0x20/0xE4), early RX/TX
 * thresholds, the timer (TCTR/TimerInt), wake-on-LAN, the multicast hash
 * (AM takes all multicast), missed-packet counting, RX/TX errors.
 */
#include <string.h>
#include "devices/rtl8139.h"
#include "util/log.h"

enum {
    IDR0 = 0x00, MAR0 = 0x08, TSD0 = 0x10, TSAD0 = 0x20, RBSTART = 0x30, CR = 0x37,
    CAPR = 0x38, CBR = 0x3a, IMR = 0x3c, ISR = 0x3e, TCR = 0x40, RCR = 0x44, MPC = 0x4c,
    CR9346 = 0x50, CONFIG1 = 0x52, MSR = 0x58, TSAD_ALL = 0x60, BMCR = 0x62, BMSR = 0x64,
    ANAR = 0x66, ANLPAR = 0x68, ANER = 0x6a,
};

#define CR_BUFE         0x01
#define CR_TE           0x04
#define CR_RE           0x08
#define CR_RST          0x10
#define ISR_ROK         0x0001
#define ISR_TOK         0x0004
#define RCR_AAP         0x01
#define RCR_APM         0x02
#define RCR_AM          0x04
#define RCR_AB          0x08
#define RCR_WRAP        0x80
#define TSD_SIZE        0x1fff
#define TSD_OWN         (1u << 13)
#define TSD_TOK         (1u << 15)
#define RX_OK           0x0001
#define RX_BAR          0x2000
#define RX_PAM          0x4000
#define RX_MAR          0x8000
#define EE_DO           0x01
#define EE_DI           0x02
#define EE_SK           0x04
#define EE_CS           0x08
#define EEPROM_WORDS    128

struct Rtl8139State {
    Buses bus;
    PCIDevice *pci;
    NetClient *nc;
    uint8_t mac[6];
    uint8_t regs[256];
    uint16_t eeprom[EEPROM_WORDS];
    uint32_t ee_in;               /* 93C56: command bits shifted in */
    int ee_nin;
    int ee_out_bits;
    uint16_t ee_out;
    bool ee_do;
    uint8_t frame[1536];          /* a transmitted frame */
};

/* saved state (bus/vmstate.h): the 256 register bytes (IDR, MAR, the
 * TSD/TSAD pairs, RBSTART, CAPR/CBR, IMR/ISR, TCR/RCR, the PHY), the
 * EEPROM and its Microwire shift state.  Not saved: the MAC (the EEPROM
 * and IDR carry what the guest sees), frame (scratch of one transmit). */
static bool rtl8139_post_load(void *opaque, int version, GError **errp);

static const VMStateField rtl8139_fields[] = {
    VMS_BYTES(Rtl8139State, regs, 1),
    VMS_INT_ARRAY(Rtl8139State, eeprom, 1),
    VMS_U32(Rtl8139State, ee_in, 1),
    VMS_I32(Rtl8139State, ee_nin, 1),
    VMS_I32(Rtl8139State, ee_out_bits, 1),
    VMS_U16(Rtl8139State, ee_out, 1),
    VMS_BOOL(Rtl8139State, ee_do, 1),
    VMS_END
};

const VMStateDesc rtl8139_vmsd = {
    .name = "rtl8139", .version = 1, .min_version = 1,
    .fields = rtl8139_fields, .post_load = rtl8139_post_load,
};
const size_t rtl8139_state_size = sizeof(Rtl8139State);  /* vmstate_check_desc (tests) */

static bool rtl8139_post_load(void *opaque, int version, GError **errp)
{
    Rtl8139State *s = opaque;
    if (s->ee_nin < 0 || s->ee_nin >= 11 || s->ee_out_bits < 0 || s->ee_out_bits > 16) {
        g_set_error(errp, VMSTATE_ERROR, 0, "rtl8139: EEPROM shift state out of range "
                    "(%d bits in, %d out)", s->ee_nin, s->ee_out_bits);
        return false;
    }
    return true;
}

static uint16_t rd16(Rtl8139State *s, int o) { return (uint16_t)(s->regs[o] | s->regs[o + 1] << 8); }
static uint32_t rd32(Rtl8139State *s, int o)
{
    return (uint32_t)rd16(s, o) | (uint32_t)rd16(s, o + 2) << 16;
}
static void wr16(Rtl8139State *s, int o, uint16_t v)
{
    s->regs[o] = (uint8_t)v;
    s->regs[o + 1] = (uint8_t)(v >> 8);
}
static void wr32(Rtl8139State *s, int o, uint32_t v)
{
    wr16(s, o, (uint16_t)v);
    wr16(s, o + 2, (uint16_t)(v >> 16));
}

static void rtl_update_irq(Rtl8139State *s)
{
    pci_set_irq(s->pci, (rd16(s, ISR) & rd16(s, IMR)) != 0);
}

static void rtl_raise(Rtl8139State *s, uint16_t bits)
{
    wr16(s, ISR, rd16(s, ISR) | bits);
    rtl_update_irq(s);
}

void rtl8139_reset(Rtl8139State *s)
{
    memset(s->regs, 0, sizeof(s->regs));
    memcpy(s->regs + IDR0, s->mac, 6);
    s->regs[CR] = CR_BUFE;
    wr32(s, TCR, 0x74000000);               /* HWVERID: RTL8139C */
    for (int i = 0; i < 4; i++)
        wr32(s, TSD0 + 4 * i, TSD_OWN);     /* all four buffers are the driver's */
    s->regs[CONFIG1] = 0x0d;
    s->regs[MSR] = 0x00;                    /* link (LINKB 0), 100 Mb/s (SPEED_10 0) */
    wr16(s, BMCR, 0x3100);                  /* auto-negotiation, 100, full duplex */
    wr16(s, ANAR, 0x05e1);
    wr16(s, ANLPAR, 0x45e1);
    wr16(s, ANER, 0x0001);
    wr16(s, CAPR, 0xfff0);                  /* read position 0 */
    s->ee_nin = s->ee_out_bits = 0;
    s->ee_in = 0;
    s->ee_do = false;
    rtl_update_irq(s);
}

/* ---- EEPROM (93C56, 8 address bits) */

static void rtl_eeprom_write(Rtl8139State *s, uint8_t v)
{
    uint8_t old = s->regs[CR9346];
    s->regs[CR9346] = v & ~EE_DO;
    if ((v & 0xc0) != 0x80 || !(v & EE_CS)) {   /* not in program mode, or deselected */
        s->ee_nin = s->ee_out_bits = 0;
        s->ee_in = 0;
        s->ee_do = false;
        return;
    }
    if ((old & EE_SK) || !(v & EE_SK))
        return;                                  /* SK rising edges */
    if (s->ee_out_bits) {
        s->ee_do = (s->ee_out >> 15) & 1;
        s->ee_out = (uint16_t)(s->ee_out << 1);
        s->ee_out_bits--;
        return;
    }
    if (s->ee_nin == 0 && !(v & EE_DI))
        return;                                  /* leading zeros before the start bit */
    s->ee_in = s->ee_in << 1 | ((v & EE_DI) ? 1 : 0);
    if (++s->ee_nin == 11) {                     /* start 1, opcode 2, address 8 */
        if ((s->ee_in >> 8) == 6) {
            s->ee_out = s->eeprom[s->ee_in & (EEPROM_WORDS - 1)];
            s->ee_out_bits = 16;
            s->ee_do = false;                    /* the dummy 0 */
        }
        s->ee_nin = 0;
        s->ee_in = 0;
    }
}

/* ---- receive */

static uint32_t rtl_rx_len(Rtl8139State *s)
{
    return 8192u << ((rd32(s, RCR) >> 11) & 3);
}

static uint32_t rtl_rx_read_pos(Rtl8139State *s)
{
    return (uint32_t)(rd16(s, CAPR) + 16) % rtl_rx_len(s);
}

static uint32_t rtl_rx_free(Rtl8139State *s)
{
    uint32_t len = rtl_rx_len(s), w = rd16(s, CBR) % len, r = rtl_rx_read_pos(s);
    return w == r ? len : (r + len - w) % len;
}

static bool rtl_can_receive(NetClient *nc)
{
    Rtl8139State *s = nc->opaque;
    if (!(s->regs[CR] & CR_RE))
        return true;                             /* dropped in rtl_receive */
    return rtl_rx_free(s) > 1518 + 8 + 4;
}

static bool rtl_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    Rtl8139State *s = nc->opaque;
    uint32_t rcr = rd32(s, RCR);
    if (!(s->regs[CR] & CR_RE) || len < 14 || len > 1514)
        return true;
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint16_t status = RX_OK;
    if (!memcmp(buf, bcast, 6)) {
        if (!(rcr & (RCR_AB | RCR_AAP)))
            return true;
        status |= RX_BAR;
    } else if (buf[0] & 1) {
        if (!(rcr & (RCR_AM | RCR_AAP)))
            return true;
        status |= RX_MAR;
    } else if (!memcmp(buf, s->regs + IDR0, 6)) {
        if (!(rcr & (RCR_APM | RCR_AAP)))
            return true;
        status |= RX_PAM;
    } else if (!(rcr & RCR_AAP))
        return true;
    size_t size = len < 60 ? 60 : len;
    uint32_t total = (uint32_t)(4 + size + 4 + 3) & ~3u;
    if (rtl_rx_free(s) <= total)
        return false;                            /* wait for CAPR to move */
    uint8_t pkt[4 + 1518];
    uint32_t crc_len = (uint32_t)size + 4;
    pkt[0] = (uint8_t)status;
    pkt[1] = (uint8_t)(status >> 8);
    pkt[2] = (uint8_t)crc_len;
    pkt[3] = (uint8_t)(crc_len >> 8);
    memcpy(pkt + 4, buf, len);
    memset(pkt + 4 + len, 0, size - len);
    uint32_t crc = net_crc32(pkt + 4, size);
    for (int i = 0; i < 4; i++)
        pkt[4 + size + i] = (uint8_t)(crc >> (8 * i));
    uint32_t ring = rd32(s, RBSTART), rlen = rtl_rx_len(s), w = rd16(s, CBR) % rlen;
    uint32_t n = (uint32_t)(4 + size + 4);
    if ((rcr & RCR_WRAP) || w + n <= rlen) {
        physmem_write_buf(s->bus.mem, ring + w, pkt, n);    /* may run past the end */
    } else {
        physmem_write_buf(s->bus.mem, ring + w, pkt, rlen - w);
        physmem_write_buf(s->bus.mem, ring, pkt + (rlen - w), n - (rlen - w));
    }
    wr16(s, CBR, (uint16_t)((w + total) % rlen));
    s->regs[CR] &= (uint8_t)~CR_BUFE;
    rtl_raise(s, ISR_ROK);
    return true;
}

/* ---- transmit */

static void rtl_transmit(Rtl8139State *s, int n)
{
    uint32_t tsd = rd32(s, TSD0 + 4 * n), size = tsd & TSD_SIZE;
    if (!(s->regs[CR] & CR_TE))
        return;                                  /* stays owned by the chip */
    if (size >= 14 && size <= sizeof(s->frame)) {
        physmem_read_buf(s->bus.mem, rd32(s, TSAD0 + 4 * n), s->frame, size);
        net_send(s->nc, s->frame, size);
    } else if (log_enabled(LOG_GUEST_ERRORS)) {
        log_printf("rtl8139: transmit of %u bytes dropped\n", size);
    }
    wr32(s, TSD0 + 4 * n, tsd | TSD_OWN | TSD_TOK);
    rtl_raise(s, ISR_TOK);
}

/* ---- registers */

static uint8_t rtl_read8(Rtl8139State *s, uint32_t o)
{
    switch (o) {
    case CR: {
        uint8_t v = s->regs[CR] & ~CR_BUFE;
        return v | (rd16(s, CBR) % rtl_rx_len(s) == rtl_rx_read_pos(s) ? CR_BUFE : 0);
    }
    case CR9346:
        return (uint8_t)(s->regs[CR9346] | (s->ee_do ? EE_DO : 0));
    case BMSR:
        return 0x2d;                             /* link, auto-negotiation complete */
    case BMSR + 1:
        return 0x78;                             /* 10/100, half/full */
    case TSAD_ALL: case TSAD_ALL + 1: {
        uint16_t v = 0;
        for (int i = 0; i < 4; i++) {
            uint32_t t = rd32(s, TSD0 + 4 * i);
            v |= (uint16_t)(((t & TSD_OWN) ? 1u : 0) << i | ((t & TSD_TOK) ? 1u : 0) << (12 + i));
        }
        return (uint8_t)(o == TSAD_ALL ? v : v >> 8);
    }
    default:
        return s->regs[o & 0xff];
    }
}

uint32_t rtl8139_reg_read(Rtl8139State *s, uint32_t off, int size)
{
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)rtl_read8(s, (off + (uint32_t)i) & 0xff) << (8 * i);
    return v;
}

void rtl8139_reg_write(Rtl8139State *s, uint32_t off, uint32_t v, int size)
{
    off &= 0xff;
    if (size == 1 && off == CR) {
        if (v & CR_RST) {
            rtl8139_reset(s);
            return;
        }
        s->regs[CR] = (uint8_t)((v & (CR_TE | CR_RE)) | (s->regs[CR] & CR_BUFE));
        if (v & CR_RE)
            net_flush(s->nc);
        return;
    }
    if (size == 1 && off == CR9346) {
        rtl_eeprom_write(s, (uint8_t)v);
        return;
    }
    if (off == ISR && size >= 2) {               /* write 1 to clear */
        uint16_t isr = rd16(s, ISR) & (uint16_t)~v;
        /* ROK stays set while the ring holds unread packets: 8139too
         * acks ROK after each packet and polls again only when ROK is
         * set, so a packet written between its last read of BUFE and
         * its ack (or left over when its budget ran out) would wait
         * for the next arrival, which waits for CAPR: a stall */
        if ((s->regs[CR] & CR_RE) && rd16(s, CBR) % rtl_rx_len(s) != rtl_rx_read_pos(s))
            isr |= ISR_ROK;
        wr16(s, ISR, isr);
        rtl_update_irq(s);
        return;
    }
    if (off == CBR || off == CBR + 1 || off == MSR || off == BMSR || off == TSAD_ALL)
        return;                                  /* read-only */
    for (int i = 0; i < size && off + (uint32_t)i < 256; i++)
        s->regs[off + (uint32_t)i] = (uint8_t)(v >> (8 * i));
    if (off >= TSD0 && off < TSD0 + 16 && size == 4 && !(v & TSD_OWN))
        rtl_transmit(s, (int)(off - TSD0) / 4);
    else if (off == IMR)
        rtl_update_irq(s);
    else if (off == CAPR || off == RCR)
        net_flush(s->nc);                        /* room again */
}

static uint32_t rtl_io_read(void *opaque, uint16_t port, int size)
{
    return rtl8139_reg_read(opaque, port, size);
}

static void rtl_io_write(void *opaque, uint16_t port, uint32_t v, int size)
{
    rtl8139_reg_write(opaque, port, v, size);
}

static uint32_t rtl_mem_read(void *opaque, uint32_t off, int size)
{
    return rtl8139_reg_read(opaque, off, size);
}

static void rtl_mem_write(void *opaque, uint32_t off, uint32_t v, int size)
{
    rtl8139_reg_write(opaque, off, v, size);
}

static const IOPortOps rtl_io_ops = {
    .read = rtl_io_read, .write = rtl_io_write, .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};
static const MemOps rtl_mem_ops = { .read = rtl_mem_read, .write = rtl_mem_write };
static const NetClientOps rtl_net_ops = { .can_receive = rtl_can_receive,
                                          .receive = rtl_receive };

Rtl8139State *rtl8139_init(const Buses *b, PCIBus *bus, int devfn, const uint8_t mac[6],
                           GError **errp)
{
    Rtl8139State *s = g_new0(Rtl8139State, 1);
    s->bus = *b;
    memcpy(s->mac, mac, 6);
    s->pci = pci_register_function(bus, devfn, "rtl8139", 0x10ec, 0x8139, 0x10, 0x020000,
                                   NULL, s, errp);
    if (!s->pci) {
        g_free(s);
        return NULL;
    }
    s->pci->config[PCI_INTERRUPT_PIN] = 1;
    pci_register_io_bar(s->pci, 0, 256, &rtl_io_ops, s, "rtl8139-io");
    pci_register_mem_bar(s->pci, 1, 256, 0, &rtl_mem_ops, s, "rtl8139-mmio");
    s->eeprom[0] = 0x8129;
    s->eeprom[1] = 0x10ec;
    s->eeprom[2] = 0x8139;
    for (int i = 0; i < 3; i++)
        s->eeprom[7 + i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);
    s->nc = net_client_new(&rtl_net_ops, s, "rtl8139");
    rtl8139_reset(s);
    if (b->host)
        host_register_state(b->host, &rtl8139_vmsd, s);
    return s;
}

NetClient *rtl8139_net_client(Rtl8139State *s) { return s->nc; }

void rtl8139_free(Rtl8139State *s)
{
    if (!s)
        return;
    net_client_free(s->nc);
    g_free(s);
}
