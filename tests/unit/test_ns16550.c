/*
 * test_ns16550.c - unit tests for the NS16550A UART (src/devices/ns16550.c)
 * through its ports on a bare machine with a manual clock: reset values,
 * the divisor latch, IER read-back, loopback data and modem lines, FIFO
 * trigger levels and the character timeout, IIR priorities, the OUT2 gate
 * on the IRQ line, the THRE re-assertion Linux probes, host receive and
 * output to a file back end.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/ns16550.h"

#define BASE 0x3f8

typedef struct UartFixture {
    Machine *m;
    NS16550State *u;
    IrqLine irq;
    int level, edges;
} UartFixture;

static void fx_irq(void *opaque, int n, int level)
{
    UartFixture *f = opaque;
    if (level && !f->level)
        f->edges++;
    f->level = level;
}

static UartFixture *fx_new(const char *spec)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 1u << 20;
    cfg.backend = BACKEND_INTERP;
    UartFixture *f = g_new0(UartFixture, 1);
    f->m = machine_new(&cfg, &err);
    g_assert(f->m);
    clock_init(&f->m->clock, true);
    irq_line_init(&f->irq, fx_irq, f, 4);
    CharDev *chr = spec ? chardev_new(&f->m->bus, spec, "serial0", &err) : NULL;
    g_assert(!spec || chr);
    f->u = ns16550_init(&f->m->bus, BASE, &f->irq, chr, &err);
    g_assert(f->u);
    return f;
}

static void fx_free(UartFixture *f)
{
    machine_free(f->m);
    g_free(f);
}

static uint8_t rd(UartFixture *f, int reg) { return (uint8_t)ioport_read(f->m->io, BASE + reg, 1); }
static void wr(UartFixture *f, int reg, uint8_t v) { ioport_write(f->m->io, BASE + reg, v, 1); }

enum { RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static void test_reset_values(void)
{
    UartFixture *f = fx_new(NULL);
    static const struct { int reg; uint8_t v; } want[] = {
        { IER, 0x00 }, { IIR, 0x01 }, { LCR, 0x00 }, { MCR, 0x00 },
        { LSR, 0x60 }, { MSR, 0xb0 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++)
        CU_ASSERT_EQUAL(rd(f, want[i].reg), want[i].v);
    wr(f, SCR, 0x5a);
    CU_ASSERT_EQUAL(rd(f, SCR), 0x5a);
    wr(f, IER, 0xff);                       /* only the low nibble exists */
    CU_ASSERT_EQUAL(rd(f, IER), 0x0f);
    CU_ASSERT_EQUAL(f->level, 0);           /* OUT2 clear: no IRQ */
    fx_free(f);
}

static void test_divisor_latch(void)
{
    UartFixture *f = fx_new(NULL);
    wr(f, LCR, 0x83);
    wr(f, RBR, 0x01);
    wr(f, IER, 0x02);
    CU_ASSERT_EQUAL(rd(f, RBR), 0x01);
    CU_ASSERT_EQUAL(rd(f, IER), 0x02);
    wr(f, LCR, 0x03);
    CU_ASSERT_EQUAL(rd(f, IER), 0x00);      /* IER untouched by the DLM write */
    CU_ASSERT_EQUAL(rd(f, LCR), 0x03);
    fx_free(f);
}

/* loopback: MCR outputs appear as MSR inputs (Linux's 16550 probe) */
static void test_loopback_msr(void)
{
    static const struct { uint8_t mcr, msr_hi; } rows[] = {
        { 0x10, 0x00 }, { 0x11, 0x20 }, { 0x12, 0x10 }, { 0x14, 0x40 },
        { 0x18, 0x80 }, { 0x1a, 0x90 }, { 0x1f, 0xf0 },
    };
    UartFixture *f = fx_new(NULL);
    for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++) {
        wr(f, MCR, rows[i].mcr);
        CU_ASSERT_EQUAL(rd(f, MSR) & 0xf0, rows[i].msr_hi);
        CU_ASSERT_EQUAL(rd(f, MSR) & 0x0f, 0);   /* deltas cleared by the read */
    }
    /* deltas: CTS 0->1 sets DCTS, RI 1->0 sets TERI */
    wr(f, MCR, 0x14);
    rd(f, MSR);
    wr(f, MCR, 0x12);
    CU_ASSERT_EQUAL(rd(f, MSR), 0x10 | 0x01 | 0x04);
    wr(f, MCR, 0x00);                       /* back to the host lines */
    CU_ASSERT_EQUAL(rd(f, MSR) & 0xf0, 0xb0);
    fx_free(f);
}

static void test_loopback_data(void)
{
    UartFixture *f = fx_new(NULL);
    wr(f, MCR, 0x10);
    wr(f, RBR, 'A');
    CU_ASSERT_EQUAL(rd(f, LSR), 0x61);
    CU_ASSERT_EQUAL(rd(f, RBR), 'A');
    CU_ASSERT_EQUAL(rd(f, LSR), 0x60);
    /* no FIFO: a second byte overruns and replaces the first */
    wr(f, RBR, 'B');
    wr(f, RBR, 'C');
    CU_ASSERT_EQUAL(rd(f, LSR), 0x63);
    CU_ASSERT_EQUAL(rd(f, LSR), 0x61);      /* OE cleared by reading LSR */
    CU_ASSERT_EQUAL(rd(f, RBR), 'C');
    /* FIFO: 16 bytes kept in order, the 17th overruns */
    wr(f, FCR, 0x07);
    for (int i = 0; i < 17; i++)
        wr(f, RBR, (uint8_t)('a' + i));
    CU_ASSERT_EQUAL(rd(f, LSR) & 0x03, 0x03);
    for (int i = 0; i < 16; i++)
        CU_ASSERT_EQUAL(rd(f, RBR), 'a' + i);
    CU_ASSERT_EQUAL(rd(f, LSR) & 0x01, 0);
    /* FCR bit 1 empties the receive FIFO */
    wr(f, RBR, 'x');
    wr(f, FCR, 0x03);
    CU_ASSERT_EQUAL(rd(f, LSR) & 0x01, 0);
    /* loopback ignores the host end */
    CU_ASSERT_EQUAL(ns16550_can_receive(f->u), 0);
    fx_free(f);
}

/* FIFO trigger levels: the data interrupt waits for 1/4/8/14 bytes; below
 * it, the character timeout fires after 4 character times */
static void test_fifo_trigger(void)
{
    static const struct { uint8_t fcr; int level; } rows[] = {
        { 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++) {
        UartFixture *f = fx_new(NULL);
        wr(f, FCR, rows[i].fcr | 0x06);
        wr(f, LCR, 0x03);                    /* 8N1 */
        wr(f, MCR, 0x10);
        wr(f, IER, 0x01);
        for (int n = 0; n < rows[i].level - 1; n++)
            wr(f, RBR, (uint8_t)n);
        CU_ASSERT_EQUAL(rd(f, IIR), 0xc1);
        wr(f, RBR, 0xee);
        CU_ASSERT_EQUAL(rd(f, IIR), 0xc4);
        rd(f, RBR);                          /* one below the level again */
        CU_ASSERT_EQUAL(rd(f, IIR), 0xc1);
        if (rows[i].level > 1) {
            /* 9600 baud 8N1: 1.04 ms per character; timeout after 4 */
            clock_advance(&f->m->clock, 3000000);
            clock_run_timers(&f->m->clock);
            CU_ASSERT_EQUAL(rd(f, IIR), 0xc1);
            clock_advance(&f->m->clock, 2000000);
            clock_run_timers(&f->m->clock);
            CU_ASSERT_EQUAL(rd(f, IIR), 0xcc);
            rd(f, RBR);                      /* reading clears the timeout */
            CU_ASSERT_EQUAL(rd(f, IIR), 0xc1);
        }
        fx_free(f);
    }
}

/* all sources at once: line status > data > THRE > modem status */
static void test_iir_priorities(void)
{
    UartFixture *f = fx_new(NULL);
    wr(f, MCR, 0x10);
    wr(f, RBR, 1);
    wr(f, RBR, 2);                           /* overrun */
    wr(f, MCR, 0x12);                        /* CTS changes: DCTS */
    wr(f, IER, 0x0f);
    static const struct { uint8_t iir; int clear_reg; } seq[] = {
        { 0x06, LSR }, { 0x04, RBR }, { 0x02, IIR }, { 0x00, MSR }, { 0x01, -1 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(seq); i++) {
        CU_ASSERT_EQUAL(rd(f, IIR), seq[i].iir);
        if (seq[i].clear_reg >= 0 && seq[i].clear_reg != IIR)
            rd(f, seq[i].clear_reg);
    }
    fx_free(f);
}

/* THRE: raised when ETBEI is enabled with THR empty, cleared by reading
 * IIR, raised again by re-enabling (Linux's UART_BUG_THRE probe), and
 * the PC's OUT2 gate on the IRQ pin */
static void test_thre_and_out2(void)
{
    UartFixture *f = fx_new(NULL);
    wr(f, IER, 0x02);
    CU_ASSERT_EQUAL(f->level, 0);            /* OUT2 off */
    wr(f, MCR, 0x0b);                        /* DTR RTS OUT2 */
    CU_ASSERT_EQUAL(f->level, 1);
    CU_ASSERT_EQUAL(rd(f, IIR), 0x02);
    CU_ASSERT_EQUAL(f->level, 0);
    CU_ASSERT_EQUAL(rd(f, IIR), 0x01);
    wr(f, IER, 0x00);
    wr(f, IER, 0x02);
    CU_ASSERT_EQUAL(f->level, 1);
    CU_ASSERT_EQUAL(rd(f, IIR), 0x02);
    /* a THR write completes at once and raises THRE again: a new edge */
    int edges = f->edges;
    wr(f, RBR, 'z');
    CU_ASSERT_EQUAL(f->edges, edges + 1);
    CU_ASSERT_EQUAL(rd(f, LSR) & 0x60, 0x60);
    /* loopback forces OUT2 off at the pin */
    wr(f, MCR, 0x18);
    wr(f, IER, 0x00);
    wr(f, IER, 0x02);
    CU_ASSERT_EQUAL(rd(f, IIR) & 0x0f, 0x02);
    CU_ASSERT_EQUAL(f->level, 0);
    fx_free(f);
}

static void test_host_receive(void)
{
    UartFixture *f = fx_new(NULL);
    CU_ASSERT_EQUAL(ns16550_can_receive(f->u), 1);
    wr(f, FCR, 0x01);
    CU_ASSERT_EQUAL(ns16550_can_receive(f->u), 16);
    wr(f, IER, 0x01);
    wr(f, MCR, 0x08);
    ns16550_receive(f->u, (const uint8_t *)"hi", 2);
    CU_ASSERT_EQUAL(ns16550_can_receive(f->u), 14);
    CU_ASSERT_EQUAL(f->level, 1);
    CU_ASSERT_EQUAL(rd(f, RBR), 'h');
    CU_ASSERT_EQUAL(rd(f, RBR), 'i');
    CU_ASSERT_EQUAL(f->level, 0);
    CU_ASSERT_EQUAL(rd(f, LSR) & 1, 0);
    fx_free(f);
}

static void test_file_output(void)
{
    char path[] = "/tmp/tx86-uart-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    gchar *spec = g_strdup_printf("file:%s", path);
    UartFixture *f = fx_new(spec);
    const char *msg = "hello\n";
    for (const char *p = msg; *p; p++)
        wr(f, RBR, (uint8_t)*p);
    wr(f, MCR, 0x10);
    wr(f, RBR, 'L');                         /* loopback: not sent */
    fx_free(f);
    gchar *text = NULL;
    CU_ASSERT_TRUE(g_file_get_contents(path, &text, NULL, NULL));
    CU_ASSERT_STRING_EQUAL(text, msg);
    g_free(text);
    g_free(spec);
    unlink(path);
}

void register_ns16550_tests(void)
{
    CU_pSuite s = CU_add_suite("ns16550", NULL, NULL);
    CU_add_test(s, "reset values", test_reset_values);
    CU_add_test(s, "divisor latch", test_divisor_latch);
    CU_add_test(s, "loopback modem lines", test_loopback_msr);
    CU_add_test(s, "loopback data and overrun", test_loopback_data);
    CU_add_test(s, "FIFO trigger levels and timeout", test_fifo_trigger);
    CU_add_test(s, "IIR priorities", test_iir_priorities);
    CU_add_test(s, "THRE and the OUT2 gate", test_thre_and_out2);
    CU_add_test(s, "host receive", test_host_receive);
    CU_add_test(s, "file back end", test_file_output);
}
