/*
 * fuzz_chardev.c - libFuzzer harness for serial input: bytes arriving
 * from the host through the stdio back end (src/devices/chardev.c, with
 * its Ctrl-A escapes) into the NS16550A UART (ns16550.c), interleaved
 * with the guest's register reads and writes and with time passing.
 *
 * The process's stdin is made the slave side of a pseudo-terminal once
 * (a pipe when there are no ptys), so the back end sees a terminal and
 * puts it in raw mode as it does for a user; the harness types into the
 * master side and lets the machine poll its host fds.  Whatever the UART
 * did not take is drained after each input.  Guest output goes to stdout,
 * which is /dev/null here.
 *
 * Input: operations until the end, each an op byte and its operands:
 *   op & 7  0, 1  host sends 1..16 bytes (taken from the input)
 *           2     guest writes register op>>3 (0-7) with the next byte
 *           3     guest reads register op>>3
 *           4     time passes: next byte * 10 us, timers run
 *           5     the machine polls the host fds
 *           6     guest reads RBR/LSR/IIR in a loop, next byte times
 *           7     host sends one byte straight to the UART (ns16550_receive)
 */
#include <fcntl.h>
#include <stdlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/machine.h"
#include "devices/ns16550.h"
#include "devices/chardev.h"

#define BASE 0x3f8
#define MAX_OPS 4096

static int host_fd = -1;                /* we type here; stdin is the other end */

static void irq_ignore(void *opaque, int n, int level)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        close(null);
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    int slave = -1;
    if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0 && ptsname(master))
        slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    if (slave < 0) {
        int p[2];
        if (master >= 0)
            close(master);
        if (pipe(p) < 0)
            abort();
        slave = p[0];
        master = p[1];
    }
    dup2(slave, STDIN_FILENO);
    close(slave);
    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    host_fd = master;
    return 0;
}

static void drain_stdin(void)
{
    uint8_t buf[512];
    while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(1u << 20, &err);
    if (!m)
        abort();
    clock_init(&m->clock, true);
    IrqLine irq;
    irq_line_init(&irq, irq_ignore, NULL, 4);
    CharDev *chr = chardev_new(&m->bus, "stdio", "serial0", &err);
    if (!chr)
        abort();
    NS16550State *u = ns16550_init(&m->bus, BASE, &irq, chr, &err);
    if (!u)
        abort();

    FuzzInput in = { data, size, 0 };
    for (int n = 0; fuzz_left(&in) && n < MAX_OPS && !m->shutdown_requested; n++) {
        uint8_t op = fuzz_u8(&in);
        uint16_t reg = BASE + (op >> 3 & 7);
        switch (op & 7) {
        case 0:
        case 1: {
            size_t len;
            const uint8_t *p = fuzz_bytes(&in, 1 + (op >> 3 & 15), &len);
            if (len && write(host_fd, p, len) < 0)
                break;
            machine_poll_host(m, 0);
            break;
        }
        case 2:
            ioport_write(m->io, reg, fuzz_u8(&in), 1);
            break;
        case 3:
            ioport_read(m->io, reg, 1);
            break;
        case 4:
            clock_advance(&m->clock, (int64_t)fuzz_u8(&in) * 10000);
            clock_run_timers(&m->clock);
            break;
        case 5:
            machine_poll_host(m, 0);
            break;
        case 6:
            for (int i = fuzz_u8(&in); i > 0; i--) {
                ioport_read(m->io, BASE + 5, 1);
                ioport_read(m->io, BASE + 2, 1);
                ioport_read(m->io, BASE, 1);
            }
            break;
        default: {
            uint8_t b = fuzz_u8(&in);
            if (ns16550_can_receive(u) > 0)
                ns16550_receive(u, &b, 1);
            break;
        }
        }
    }
    machine_free(m);                    /* frees the UART and its back end */
    drain_stdin();
    return 0;
}
