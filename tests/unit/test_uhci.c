/*
 * test_uhci.c - unit tests for the PIIX3 UHCI (src/devices/uhci.c) with a
 * usb-tablet and a usb-kbd (usb.c, usb_hid.c) on its ports, driven
 * through its registers with frame lists, queue heads and transfer
 * descriptors built by hand in guest RAM: port status and reset bits,
 * enumeration (GET_DESCRIPTOR, SET_ADDRESS, SET_CONFIGURATION, the HID
 * report descriptor), interrupt IN reports after input events (NAK
 * before), STALL, short packets, error counting, IOC interrupts, and the
 * bounds: a TD ring, a QH ring, a frame list outside RAM; and a usb-mouse
 * driven by tokens alone (relative reports split at 127, boot protocol,
 * control transfer stages).
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/pci.h"
#include "devices/uhci.h"
#include "devices/usb_hid.h"

#define FL    0x10000             /* frame list */
#define QH    0x20000             /* the control queue */
#define QH2   0x20010
#define TDS   0x21000             /* TDs, 16 bytes apart */
#define BUF   0x30000
#define DEVFN PCI_DEVFN(1, 2)

typedef struct Fixture {
    Machine *m;
    PCIBus *bus;
    UHCIState *u;
    USBHidState *tablet, *kbd;
} Fixture;

static Fixture fx;

static bool setup(void)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&fx, 0, sizeof(fx));
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 4u << 20;
    cfg.backend = BACKEND_INTERP;
    fx.m = machine_new(&cfg, &err);
    if (!fx.m) {
        g_clear_error(&err);
        return false;
    }
    clock_init(&fx.m->clock, true);
    fx.bus = pci_bus_new(&fx.m->bus);
    fx.u = uhci_init(&fx.m->bus, fx.bus, DEVFN, &err);
    if (!fx.u) {
        g_clear_error(&err);
        return false;
    }
    fx.tablet = usb_hid_new(USB_HID_TABLET, "0000:00:01.2-1");
    fx.kbd = usb_hid_new(USB_HID_KBD, NULL);
    if (!uhci_attach(fx.u, 0, usb_hid_device(fx.tablet), NULL) ||
        !uhci_attach(fx.u, 1, usb_hid_device(fx.kbd), NULL))
        return false;
    /* bus master on, as the guest's driver does */
    pci_config_write(fx.bus, 0, DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    return true;
}

static void teardown(void)
{
    machine_free(fx.m);             /* frees the UHCI (registered with the machine) */
    usb_hid_free(fx.tablet);
    usb_hid_free(fx.kbd);
}

static uint32_t rd(uint32_t off, int size) { return uhci_io_read(fx.u, off, size); }
static void wr(uint32_t off, uint32_t v, int size) { uhci_io_write(fx.u, off, v, size); }
static uint32_t peek(uint32_t a) { return physmem_read(fx.m->bus.mem, a, 4); }
static void poke(uint32_t a, uint32_t v) { physmem_write(fx.m->bus.mem, a, v, 4); }

static uint32_t token(int pid, int addr, int ep, int toggle, int len)
{
    return (uint32_t)pid | (uint32_t)addr << 8 | (uint32_t)ep << 15 | (uint32_t)toggle << 19 |
           ((uint32_t)(len - 1) & 0x7ff) << 21;
}

static void put_td(uint32_t a, uint32_t link, uint32_t ctrl, uint32_t tok, uint32_t buf)
{
    poke(a, link);
    poke(a + 4, ctrl);
    poke(a + 8, tok);
    poke(a + 12, buf);
}

/* every frame list entry points at link */
static void frame_list(uint32_t link)
{
    for (int i = 0; i < 1024; i++)
        poke(FL + (uint32_t)i * 4, link);
    wr(UHCI_FRBASEADD, FL, 4);
}

static void run(int frames)
{
    for (int i = 0; i < frames; i++)
        uhci_run_frame(fx.u);
}

static void start(void)
{
    wr(UHCI_PORTSC1, UHCI_PORT_PE | UHCI_PORT_CSC, 2);   /* the tablet; the keyboard later */
    wr(UHCI_USBCMD, UHCI_CMD_RS | UHCI_CMD_CF | UHCI_CMD_MAXP, 2);
}

#define ACTIVE_3ERR (UHCI_TD_ACTIVE | 3u << UHCI_TD_CERR_SHIFT)

/* a control transfer to addr through a QH: SETUP, 8-byte data packets,
 * status.  Returns the bytes an IN request got (data at BUF + 8), 0 for
 * an OUT request, -1 if a TD stalled or the queue did not finish. */
static int control(int addr, const uint8_t setup8[8], int len)
{
    bool in = setup8[0] & 0x80;
    physmem_write_buf(fx.m->bus.mem, BUF, setup8, 8);
    int n = 0;
    uint32_t t = TDS;
    put_td(t, (t + 16) | UHCI_LINK_VF, ACTIVE_3ERR, token(USB_TOKEN_SETUP, addr, 0, 0, 8), BUF);
    t += 16;
    for (int off = 0; off < len; off += 8, t += 16, n++)
        put_td(t, (t + 16) | UHCI_LINK_VF, ACTIVE_3ERR | (in ? UHCI_TD_SPD : 0),
               token(in ? USB_TOKEN_IN : USB_TOKEN_OUT, addr, 0, (n + 1) & 1, MIN(8, len - off)),
               BUF + 8 + (uint32_t)off);
    uint32_t status_td = t;
    put_td(t, UHCI_LINK_T, ACTIVE_3ERR | UHCI_TD_IOC,
           token(in ? USB_TOKEN_OUT : USB_TOKEN_IN, addr, 0, 1, 0), 0);
    poke(QH, UHCI_LINK_T);
    poke(QH + 4, TDS);
    frame_list(QH | UHCI_LINK_Q);
    for (int i = 0; i < 10 && !(peek(QH + 4) & UHCI_LINK_T); i++)
        run(1);
    if (!(peek(QH + 4) & UHCI_LINK_T)) {
        /* a short packet leaves the queue at its TD: go on with the
         * status stage (what a driver does) */
        uint32_t e = peek(QH + 4) & ~0xfu, ec = peek(e + 4);
        if (!(ec & (UHCI_TD_ACTIVE | UHCI_TD_STALLED))) {
            poke(QH + 4, status_td);
            run(3);
        }
    }
    if (!(peek(QH + 4) & UHCI_LINK_T))
        return -1;
    int got = 0;
    for (uint32_t a = TDS + 16; a < status_td; a += 16) {
        uint32_t c = peek(a + 4);
        if (!(c & UHCI_TD_ACTIVE))
            got += (int)((c + 1) & 0x7ff);
    }
    return in ? got : 0;
}

/* ---- tests */

static void test_registers_ports(void)
{
    CU_ASSERT_FATAL(setup());
    CU_ASSERT_EQUAL(pci_config_read(fx.bus, 0, DEVFN, PCI_VENDOR_ID, 4), 0x70208086u);
    CU_ASSERT_EQUAL(pci_config_read(fx.bus, 0, DEVFN, 0x08, 4) >> 8, 0x0c0300u);
    CU_ASSERT_EQUAL(pci_config_read(fx.bus, 0, DEVFN, PCI_INTERRUPT_PIN, 1), 4);
    CU_ASSERT_EQUAL(pci_config_read(fx.bus, 0, DEVFN, 0x20, 4), 1);   /* BAR 4: I/O */
    CU_ASSERT_EQUAL(rd(UHCI_USBSTS, 2), UHCI_STS_HCH);
    CU_ASSERT_EQUAL(rd(UHCI_SOFMOD, 1), 0x40);
    /* both ports: device present, connect change, reserved bit 7 */
    CU_ASSERT_EQUAL(rd(UHCI_PORTSC1, 2), 0x0083);
    CU_ASSERT_EQUAL(rd(UHCI_PORTSC2, 2), 0x0083);
    CU_ASSERT_EQUAL(rd(0x14, 2) & 0x80, 0);        /* no third port */
    wr(UHCI_PORTSC1, UHCI_PORT_CSC, 2);            /* write 1 clears */
    CU_ASSERT_EQUAL(rd(UHCI_PORTSC1, 2), 0x0081);
    wr(UHCI_PORTSC1, UHCI_PORT_PE, 2);
    CU_ASSERT_EQUAL(rd(UHCI_PORTSC1, 2), 0x0085);
    /* port reset: the device forgets its address */
    usb_hid_device(fx.tablet)->addr = 9;
    wr(UHCI_PORTSC1, UHCI_PORT_PR, 2);
    CU_ASSERT(rd(UHCI_PORTSC1, 2) & UHCI_PORT_PR);
    CU_ASSERT_EQUAL(usb_hid_device(fx.tablet)->addr, 0);
    wr(UHCI_PORTSC1, 0, 2);
    wr(UHCI_PORTSC1, UHCI_PORT_PE, 2);
    CU_ASSERT_EQUAL(rd(UHCI_PORTSC1, 2), 0x0085);
    /* the frame list base keeps bits 31:12; FRNUM 11 bits */
    wr(UHCI_FRBASEADD, 0x12345678, 4);
    CU_ASSERT_EQUAL(rd(UHCI_FRBASEADD, 4), 0x12345000u);
    wr(UHCI_FRNUM, 0xffff, 2);
    CU_ASSERT_EQUAL(rd(UHCI_FRNUM, 2), 0x7ff);
    /* run/stop and halted; frames count while running */
    frame_list(UHCI_LINK_T);
    wr(UHCI_FRNUM, 0x7fe, 2);
    wr(UHCI_USBCMD, UHCI_CMD_RS, 2);
    CU_ASSERT_EQUAL(rd(UHCI_USBSTS, 2) & UHCI_STS_HCH, 0);
    run(3);
    CU_ASSERT_EQUAL(rd(UHCI_FRNUM, 2), 1);
    wr(UHCI_USBCMD, 0, 2);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_HCH);
    /* the frame timer: 1 ms of virtual time per frame */
    wr(UHCI_FRNUM, 0, 2);
    wr(UHCI_USBCMD, UHCI_CMD_RS, 2);
    clock_advance(&fx.m->clock, 5000000);
    clock_run_timers(&fx.m->clock);
    CU_ASSERT(rd(UHCI_FRNUM, 2) >= 1);
    /* HCRESET: registers back, the devices are connected anew */
    wr(UHCI_USBCMD, UHCI_CMD_HCRESET, 2);
    CU_ASSERT_EQUAL(rd(UHCI_USBCMD, 2), 0);
    CU_ASSERT_EQUAL(rd(UHCI_USBSTS, 2), UHCI_STS_HCH);
    CU_ASSERT_EQUAL(rd(UHCI_PORTSC1, 2), 0x0083);
    CU_ASSERT_EQUAL(rd(UHCI_FRBASEADD, 4), 0);
    teardown();
}

static const uint8_t get_dev_desc[8] = { 0x80, 6, 0, 1, 0, 0, 18, 0 };

static void test_enumerate(void)
{
    CU_ASSERT_FATAL(setup());
    start();
    /* device descriptor at address 0 */
    CU_ASSERT_EQUAL(control(0, get_dev_desc, 18), 18);
    uint8_t d[64];
    physmem_read_buf(fx.m->bus.mem, BUF + 8, d, 18);
    CU_ASSERT_EQUAL(d[0], 18);
    CU_ASSERT_EQUAL(d[1], USB_DT_DEVICE);
    CU_ASSERT_EQUAL(d[7], 8);                       /* ep0 max packet */
    CU_ASSERT_EQUAL(d[8] | d[9] << 8, 0x0627);
    CU_ASSERT_EQUAL(d[10] | d[11] << 8, 0x0001);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_USBINT); /* IOC of the status TD */
    wr(UHCI_USBSTS, UHCI_STS_USBINT, 2);
    /* SET_ADDRESS 5: the address changes after the status stage */
    static const uint8_t set_addr[8] = { 0x00, 5, 5, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(control(0, set_addr, 0), 0);
    CU_ASSERT_EQUAL(usb_hid_device(fx.tablet)->addr, 5);
    CU_ASSERT_EQUAL(control(0, get_dev_desc, 18), -1);   /* nobody at 0 now: time-outs */
    CU_ASSERT_EQUAL(usb_hid_device(fx.kbd)->addr, 0);
    /* configuration descriptor: 34 bytes with interface, HID, endpoint */
    static const uint8_t get_cfg[8] = { 0x80, 6, 0, 2, 0, 0, 64, 0 };
    CU_ASSERT_EQUAL(control(5, get_cfg, 64), 34);
    physmem_read_buf(fx.m->bus.mem, BUF + 8, d, 34);
    CU_ASSERT_EQUAL(d[2], 34);
    CU_ASSERT_EQUAL(d[9 + 5], 3);                  /* interface class HID */
    CU_ASSERT_EQUAL(d[18 + 1], USB_DT_HID);
    CU_ASSERT_EQUAL(d[27 + 2], 0x81);              /* endpoint 1 IN */
    CU_ASSERT_EQUAL(d[27 + 3], 3);                 /* interrupt */
    int report_len = d[18 + 7];
    /* product string: "QEMU USB Tablet" in UTF-16LE */
    static const uint8_t get_str2[8] = { 0x80, 6, 2, 3, 0x09, 0x04, 255, 0 };
    CU_ASSERT_EQUAL(control(5, get_str2, 255), 2 + 2 * 15);
    physmem_read_buf(fx.m->bus.mem, BUF + 8, d, 6);
    CU_ASSERT_EQUAL(d[2], 'Q');
    CU_ASSERT_EQUAL(d[4], 'E');
    /* SET_CONFIGURATION 1, GET_CONFIGURATION */
    static const uint8_t set_cfg[8] = { 0x00, 9, 1, 0, 0, 0, 0, 0 };
    static const uint8_t get_cfgval[8] = { 0x80, 8, 0, 0, 0, 0, 1, 0 };
    CU_ASSERT_EQUAL(control(5, set_cfg, 0), 0);
    CU_ASSERT_EQUAL(control(5, get_cfgval, 1), 1);
    CU_ASSERT_EQUAL(physmem_read(fx.m->bus.mem, BUF + 8, 1), 1);
    /* HID: SET_IDLE, the report descriptor (interface recipient) */
    static const uint8_t set_idle[8] = { 0x21, 0x0a, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(control(5, set_idle, 0), 0);
    uint8_t get_rdesc[8] = { 0x81, 6, 0, 0x22, 0, 0, (uint8_t)report_len, 0 };
    CU_ASSERT_EQUAL(control(5, get_rdesc, report_len), report_len);
    physmem_read_buf(fx.m->bus.mem, BUF + 8, d, 4);
    CU_ASSERT_EQUAL(d[0], 0x05);                   /* Usage Page (Generic Desktop) */
    CU_ASSERT_EQUAL(d[3], 0x02);                   /* Usage (Mouse) */
    /* an unknown request stalls its data stage: USBERRINT */
    static const uint8_t bad[8] = { 0x80, 6, 0, 0x7f, 0, 0, 8, 0 };
    wr(UHCI_USBSTS, 0x1f, 2);
    CU_ASSERT_EQUAL(control(5, bad, 8), -1);
    CU_ASSERT(peek(TDS + 16 + 4) & UHCI_TD_STALLED);
    CU_ASSERT_FALSE(peek(TDS + 16 + 4) & UHCI_TD_ACTIVE);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_USBERR);
    teardown();
}

static void enumerate_tablet(int addr)
{
    uint8_t set_addr[8] = { 0x00, 5, (uint8_t)addr, 0, 0, 0, 0, 0 };
    static const uint8_t set_cfg[8] = { 0x00, 9, 1, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(control(0, set_addr, 0), 0);
    CU_ASSERT_EQUAL(control(addr, set_cfg, 0), 0);
}

static void test_interrupt_in(void)
{
    CU_ASSERT_FATAL(setup());
    start();
    enumerate_tablet(3);
    wr(UHCI_USBSTS, 0x1f, 2);
    wr(UHCI_USBINTR, UHCI_INTR_IOC | UHCI_INTR_SP | UHCI_INTR_TOCRC, 2);
    /* an interrupt queue with one IN TD for endpoint 1 */
    put_td(TDS, UHCI_LINK_T, ACTIVE_3ERR | UHCI_TD_IOC | UHCI_TD_SPD,
           token(USB_TOKEN_IN, 3, 1, 0, 8), BUF);
    poke(QH2, UHCI_LINK_T);
    poke(QH2 + 4, TDS);
    frame_list(QH2 | UHCI_LINK_Q);
    run(2);
    /* nothing to report: NAK, still active, no interrupt */
    CU_ASSERT(peek(TDS + 4) & UHCI_TD_ACTIVE);
    CU_ASSERT_EQUAL(peek(QH2 + 4), TDS);
    CU_ASSERT_EQUAL(rd(UHCI_USBSTS, 2) & UHCI_STS_USBINT, 0);
    CU_ASSERT_EQUAL(uhci_pci(fx.u)->irq_level & 1, 0);
    /* an absolute event: one 6-byte report (a short packet: the queue stays) */
    usb_hid_pointer_abs(fx.tablet, 0x1234, 0x0567, 0, 1);
    run(1);
    uint32_t c = peek(TDS + 4);
    CU_ASSERT_FALSE(c & UHCI_TD_ACTIVE);
    CU_ASSERT_EQUAL(c & 0x7ff, 5);                 /* ActLen 6 - 1 */
    CU_ASSERT_EQUAL(c & 0x00ff0000u, 0);           /* no error bits */
    uint8_t r[6];
    physmem_read_buf(fx.m->bus.mem, BUF, r, 6);
    static const uint8_t want[6] = { 0x01, 0x34, 0x12, 0x67, 0x05, 0x00 };
    CU_ASSERT_EQUAL(memcmp(r, want, 6), 0);
    CU_ASSERT_EQUAL(peek(QH2 + 4), TDS);           /* short packet: not advanced */
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_USBINT);
    CU_ASSERT_EQUAL(uhci_pci(fx.u)->irq_level & 1, 1);
    wr(UHCI_USBSTS, UHCI_STS_USBINT, 2);
    CU_ASSERT_EQUAL(uhci_pci(fx.u)->irq_level & 1, 0);
    /* the full packet with a 6-byte TD advances the queue; wheel and clamp */
    put_td(TDS, UHCI_LINK_T, ACTIVE_3ERR | UHCI_TD_IOC, token(USB_TOKEN_IN, 3, 1, 1, 6), BUF);
    usb_hid_pointer_abs(fx.tablet, 0x9000, 0x7fff, 1, 0);
    run(1);
    physmem_read_buf(fx.m->bus.mem, BUF, r, 6);
    static const uint8_t want2[6] = { 0x00, 0xff, 0x7f, 0xff, 0x7f, 0xff };
    CU_ASSERT_EQUAL(memcmp(r, want2, 6), 0);
    CU_ASSERT_EQUAL(peek(QH2 + 4), UHCI_LINK_T);
    /* the keyboard on port 2: 'a' down and up before the guest polls:
     * both reports arrive, in order */
    wr(UHCI_PORTSC2, UHCI_PORT_PE | UHCI_PORT_CSC, 2);
    static const uint8_t set_addr4[8] = { 0x00, 5, 4, 0, 0, 0, 0, 0 };
    static const uint8_t set_cfg[8] = { 0x00, 9, 1, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(control(0, set_addr4, 0), 0);
    CU_ASSERT_EQUAL(control(4, set_cfg, 0), 0);
    usb_hid_key(fx.kbd, 0x2a, true);               /* left shift */
    usb_hid_key(fx.kbd, 0x1e, true);               /* a */
    usb_hid_key(fx.kbd, 0x1e, false);
    uint8_t k[3][8];
    for (int i = 0; i < 3; i++) {
        put_td(TDS, UHCI_LINK_T, ACTIVE_3ERR, token(USB_TOKEN_IN, 4, 1, i & 1, 8), BUF);
        poke(QH2 + 4, TDS);
        frame_list(QH2 | UHCI_LINK_Q);
        run(1);
        CU_ASSERT_FALSE(peek(TDS + 4) & UHCI_TD_ACTIVE);
        physmem_read_buf(fx.m->bus.mem, BUF, k[i], 8);
    }
    CU_ASSERT_EQUAL(k[0][0], 0x02);
    CU_ASSERT_EQUAL(k[0][2], 0);
    CU_ASSERT_EQUAL(k[1][0], 0x02);
    CU_ASSERT_EQUAL(k[1][2], 0x04);                /* usage of A */
    CU_ASSERT_EQUAL(k[2][2], 0);
    CU_ASSERT_EQUAL(usb_hid_usage_from_scancode(0xe048), 0x52);   /* up arrow */
    teardown();
}

static void test_errors(void)
{
    CU_ASSERT_FATAL(setup());
    start();
    wr(UHCI_USBINTR, UHCI_INTR_TOCRC, 2);
    /* nobody at address 7: C_ERR counts 3, 2, 1, then the TD stops */
    put_td(TDS, UHCI_LINK_T, ACTIVE_3ERR, token(USB_TOKEN_IN, 7, 1, 0, 8), BUF);
    frame_list(TDS);
    run(2);
    CU_ASSERT(peek(TDS + 4) & UHCI_TD_ACTIVE);
    CU_ASSERT_EQUAL((peek(TDS + 4) >> UHCI_TD_CERR_SHIFT) & 3, 1);
    run(1);
    uint32_t c = peek(TDS + 4);
    CU_ASSERT_FALSE(c & UHCI_TD_ACTIVE);
    CU_ASSERT(c & UHCI_TD_CRCTO);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_USBERR);
    CU_ASSERT_EQUAL(uhci_pci(fx.u)->irq_level & 1, 1);
    wr(UHCI_USBSTS, 0x1f, 2);
    /* an endpoint of an unconfigured device stalls */
    put_td(TDS, UHCI_LINK_T, ACTIVE_3ERR, token(USB_TOKEN_IN, 0, 1, 0, 8), BUF);
    run(1);
    CU_ASSERT(peek(TDS + 4) & UHCI_TD_STALLED);
    /* MaxLen over 1280: process error, the controller halts */
    put_td(TDS, UHCI_LINK_T, ACTIVE_3ERR, token(USB_TOKEN_IN, 0, 0, 0, 1500), BUF);
    run(1);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_HCPE);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_HCH);
    CU_ASSERT_EQUAL(rd(UHCI_USBCMD, 2) & UHCI_CMD_RS, 0);
    /* a frame list outside RAM: host system error, halted */
    wr(UHCI_USBSTS, 0x1f, 2);
    wr(UHCI_FRBASEADD, 0xfe000000u, 4);
    wr(UHCI_USBCMD, UHCI_CMD_RS, 2);
    run(1);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_HSE);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_HCH);
    /* without bus mastering the controller does not touch memory */
    wr(UHCI_USBSTS, 0x1f, 2);
    pci_config_write(fx.bus, 0, DEVFN, PCI_COMMAND, PCI_COMMAND_IO, 2);
    wr(UHCI_USBCMD, UHCI_CMD_RS, 2);
    run(1);
    CU_ASSERT_EQUAL(rd(UHCI_USBSTS, 2) & UHCI_STS_HSE, 0);
    teardown();
}

static void test_loops(void)
{
    CU_ASSERT_FATAL(setup());
    start();
    /* a TD that links to itself and NAKs forever (the tablet has nothing) */
    enumerate_tablet(2);
    put_td(TDS, TDS, UHCI_TD_ACTIVE, token(USB_TOKEN_IN, 2, 1, 0, 8), BUF);
    frame_list(TDS);
    unsigned cut = uhci_frames_cut(fx.u);
    run(1);
    CU_ASSERT_EQUAL(uhci_frames_cut(fx.u), cut + 1);
    CU_ASSERT_EQUAL(rd(UHCI_USBCMD, 2) & UHCI_CMD_RS, UHCI_CMD_RS);   /* still running */
    /* a ring of inactive TDs: the step limit too */
    put_td(TDS, TDS + 16, 0, token(USB_TOKEN_IN, 2, 1, 0, 8), BUF);
    put_td(TDS + 16, TDS, 0, token(USB_TOKEN_IN, 2, 1, 0, 8), BUF);
    run(1);
    CU_ASSERT_EQUAL(uhci_frames_cut(fx.u), cut + 2);
    /* a ring of QHs (as Linux's bandwidth reclamation makes): the
     * second visit of a QH without progress ends the frame, no cut */
    poke(QH, QH2 | UHCI_LINK_Q);
    poke(QH + 4, UHCI_LINK_T);
    poke(QH2, QH | UHCI_LINK_Q);
    poke(QH2 + 4, TDS | 0);
    put_td(TDS, UHCI_LINK_T, UHCI_TD_ACTIVE, token(USB_TOKEN_IN, 2, 1, 0, 8), BUF);
    frame_list(QH | UHCI_LINK_Q);
    run(1);
    CU_ASSERT_EQUAL(uhci_frames_cut(fx.u), cut + 2);
    /* ... and the work in it is done: an event completes the TD */
    usb_hid_pointer_abs(fx.tablet, 1, 2, 0, 0);
    run(1);
    CU_ASSERT_FALSE(peek(TDS + 4) & UHCI_TD_ACTIVE);
    /* a QH whose element is itself */
    poke(QH, UHCI_LINK_T);
    poke(QH + 4, QH | UHCI_LINK_Q);
    run(1);
    CU_ASSERT_EQUAL(uhci_frames_cut(fx.u), cut + 2);
    CU_ASSERT_EQUAL(rd(UHCI_USBCMD, 2) & UHCI_CMD_RS, UHCI_CMD_RS);
    teardown();
}

static void test_resume(void)
{
    CU_ASSERT_FATAL(setup());
    start();
    enumerate_tablet(2);
    static const uint8_t wakeup_on[8] = { 0x00, 3, 1, 0, 0, 0, 0, 0 };  /* SET_FEATURE */
    CU_ASSERT_EQUAL(control(2, wakeup_on, 0), 0);
    CU_ASSERT(usb_hid_device(fx.tablet)->remote_wakeup);
    /* the bus sleeps (global suspend): an event is a resume detect */
    wr(UHCI_USBINTR, UHCI_INTR_RESUME, 2);
    wr(UHCI_USBCMD, UHCI_CMD_EGSM, 2);
    wr(UHCI_USBSTS, 0x1f, 2);
    usb_hid_pointer_abs(fx.tablet, 5, 5, 0, 0);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_RD);
    CU_ASSERT_EQUAL(uhci_pci(fx.u)->irq_level & 1, 1);
    wr(UHCI_USBSTS, UHCI_STS_RD, 2);
    CU_ASSERT_EQUAL(uhci_pci(fx.u)->irq_level & 1, 0);
    /* a suspended port: its RD bit too */
    wr(UHCI_USBCMD, UHCI_CMD_RS, 2);
    wr(UHCI_PORTSC1, UHCI_PORT_PE | UHCI_PORT_SUSP, 2);
    usb_hid_pointer_abs(fx.tablet, 6, 6, 0, 0);
    CU_ASSERT(rd(UHCI_PORTSC1, 2) & UHCI_PORT_RD);
    CU_ASSERT(rd(UHCI_USBSTS, 2) & UHCI_STS_RD);
    teardown();
}

/* a control request straight to a device (no controller): SETUP, one
 * data packet of up to 64 bytes, status; returns the data stage's result */
static int direct_control(USBDevice *d, const uint8_t setup8[8], uint8_t *buf)
{
    uint8_t s[8];
    memcpy(s, setup8, 8);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_SETUP, 0, s, 8), 8);
    bool in = setup8[0] & 0x80;
    int len = setup8[6];
    int r = len ? usb_handle_packet(d, in ? USB_TOKEN_IN : USB_TOKEN_OUT, 0, buf, len) : 0;
    int st = usb_handle_packet(d, in ? USB_TOKEN_OUT : USB_TOKEN_IN, 0, buf + 64, 0);
    return r < 0 ? r : st < 0 ? st : r;
}

static void test_mouse(void)
{
    USBHidState *h = usb_hid_new(USB_HID_MOUSE, NULL);
    USBDevice *d = usb_hid_device(h);
    uint8_t buf[128];
    /* not configured: endpoint 1 stalls */
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 1, buf, 8), USB_RET_STALL);
    static const uint8_t set_cfg[8] = { 0x00, 9, 1, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(direct_control(d, set_cfg, buf), 0);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 1, buf, 8), USB_RET_NAK);
    /* 200 right, 10 up, wheel towards the user: split at 127; USB Y grows down */
    usb_hid_pointer_rel(h, 200, 10, 1, 2);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 1, buf, 8), 4);
    CU_ASSERT_EQUAL(buf[0], 2);
    CU_ASSERT_EQUAL((int8_t)buf[1], 127);
    CU_ASSERT_EQUAL((int8_t)buf[2], -10);
    CU_ASSERT_EQUAL((int8_t)buf[3], -1);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 1, buf, 8), 4);
    CU_ASSERT_EQUAL((int8_t)buf[1], 73);
    CU_ASSERT_EQUAL(buf[2], 0);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 1, buf, 8), USB_RET_NAK);
    /* boot protocol: 3-byte reports; GET_PROTOCOL says 0 */
    static const uint8_t set_proto0[8] = { 0x21, 0x0b, 0, 0, 0, 0, 0, 0 };
    static const uint8_t get_proto[8] = { 0xa1, 0x03, 0, 0, 0, 0, 1, 0 };
    CU_ASSERT_EQUAL(direct_control(d, set_proto0, buf), 0);
    CU_ASSERT_EQUAL(direct_control(d, get_proto, buf), 1);
    CU_ASSERT_EQUAL(buf[0], 0);
    usb_hid_pointer_rel(h, -5, 0, 0, 1);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 1, buf, 8), 3);
    CU_ASSERT_EQUAL((int8_t)buf[1], -5);
    /* a status stage in the wrong direction stalls until the next SETUP */
    static const uint8_t get_dev[8] = { 0x80, 6, 0, 1, 0, 0, 18, 0 };
    uint8_t s8[8];
    memcpy(s8, get_dev, 8);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_SETUP, 0, s8, 8), 8);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 0, buf, 8), 8);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 0, buf, 64), 10);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_OUT, 0, buf, 0), 0);
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_IN, 0, buf, 8), USB_RET_STALL);
    /* a setup packet of the wrong size stalls */
    CU_ASSERT_EQUAL(usb_handle_packet(d, USB_TOKEN_SETUP, 0, s8, 7), USB_RET_STALL);
    usb_hid_free(h);
}

void register_uhci_tests(void)
{
    CU_pSuite s = CU_add_suite("uhci", NULL, NULL);
    CU_add_test(s, "registers, ports, reset, frame counter", test_registers_ports);
    CU_add_test(s, "enumeration: descriptors, SET_ADDRESS, SET_CONFIGURATION, STALL",
                test_enumerate);
    CU_add_test(s, "interrupt IN: NAK, tablet report, short packet, IOC, keyboard",
                test_interrupt_in);
    CU_add_test(s, "errors: C_ERR time-outs, STALL, HCPE, HSE, bus master", test_errors);
    CU_add_test(s, "bounds: TD rings, QH rings", test_loops);
    CU_add_test(s, "remote wakeup: resume detect", test_resume);
    CU_add_test(s, "usb-mouse: relative reports, boot protocol, control stages", test_mouse);
}
