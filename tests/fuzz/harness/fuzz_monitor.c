/*
 * fuzz_monitor.c - libFuzzer harness for the monitor's input parsers
 * (src/monitor/qmp.c: the JSON framing scanner, json-glib, the command
 * and argument checks; src/monitor/hmp.c: line editing, command words,
 * x/xp formats and address expressions, sendkey names).
 *
 * The input's first byte picks the session (bit 0: QMP or HMP; bit 1:
 * HMP echo; bits 2-4: the CPU's paging mode for x and info tlb: off,
 * 32-bit, 32-bit with PSE, PAE), the next four bytes are CR3, and the rest
 * is what a client sends, fed in pieces of 1 to 64 bytes (their sizes from
 * the data itself), as a socket delivers it.  Output goes nowhere; every
 * byte of it must be produced without a crash, a leak or undefined
 * behaviour (ASan + UBSan).  A bare machine (1 MiB of RAM, no PC board)
 * is built once: commands that need a device answer "no such device",
 * screendump writes no file, quit/stop/reset only set flags, which each
 * run clears.  Seed corpus: tests/fuzz/corpus/monitor/; dictionary:
 * tests/fuzz/dict/monitor.dict.
 *
 *   ./fuzz_monitor -dict=tests/fuzz/dict/monitor.dict tests/fuzz/corpus/monitor/
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "machine/machine.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpuid.h"
#include "monitor/monitor_int.h"

#define FUZZ_MONITOR_MAX_INPUT (256u << 10)

static Machine *fuzz_machine;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_sink(void *opaque, const char *buf, size_t len)
{
    size_t *total = opaque;
    *total += len;
    if (len)
        (void)(volatile char)buf[len - 1];      /* the bytes are really there */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    GError *err = NULL;
    fuzz_machine = machine_new_bare(1u << 20, &err);
    if (!fuzz_machine) {
        fprintf(stderr, "fuzz_monitor: %s\n", err ? err->message : "no machine");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Machine *m = fuzz_machine;
    if (size < 5 || size > FUZZ_MONITOR_MAX_INPUT)
        return -1;
    uint8_t mode = data[0];
    uint32_t cr3 = data[1] | data[2] << 8 | (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
    data += 5;
    size -= 5;
    int paging = (mode >> 2) & 7;
    if (paging) {
        m->cpu.cr[0] |= CR0_PG | 1;
        m->cpu.cr[3] = cr3;
        m->cpu.cr[4] = (paging == 2 ? CR4_PSE : 0) | (paging >= 3 ? CR4_PAE : 0);
    }

    MonCtx ctx = { .m = m };
    size_t total = 0;
    QmpSession *q = NULL;
    HmpSession *h = NULL;
    if (mode & 1)
        q = qmp_session_new(&ctx, fuzz_sink, &total);
    else
        h = hmp_session_new(&ctx, fuzz_sink, &total, mode & 2);
    size_t pos = 0;
    while (pos < size) {
        size_t n = 1 + (data[pos] & 63);
        n = n < size - pos ? n : size - pos;
        if (q) {
            qmp_session_input(q, data + pos, n);
            qmp_session_machine_event(q, MACHINE_EVENT_STOP, NULL);
        } else {
            hmp_session_input(h, data + pos, n);
        }
        pos += n;
    }
    qmp_session_free(q);
    hmp_session_free(h);

    /* undo what the session did: run state, requests, registers */
    machine_cont(m);
    machine_reset(m);
    m->shutdown_requested = false;
    m->reset_requested = false;
    m->shutdown_reason = m->reset_reason = NULL;
    m->cpu.exit_request = 0;
    m->cpu.interrupt_request &= ~CPU_INTERRUPT_EXIT;
    return 0;
}
