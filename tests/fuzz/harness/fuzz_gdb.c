/*
 * fuzz_gdb.c - libFuzzer harness for the gdb stub (src/debug/gdbstub.c).
 *
 * The input is the byte stream a gdb client sends: packets, acks, Ctrl-C,
 * anything.  Each run writes it into a pipe, closes the pipe and lets a
 * stub made by gdb_new_fd() serve it to its end as the main loop would:
 * stopped at the start (-S), then alternately polled (Ctrl-C while
 * running) and stopped (as after a breakpoint) until EOF.  The CPU never
 * runs, so a run is quick and repeatable; replies go to /dev/null.
 *
 * One small machine (1 MiB, PC board, interpreter) is built once; each
 * run frees its stub and resets the machine.  Seed corpus:
 * tests/fuzz/corpus/gdb/ (packet streams of real gdb sessions).
 *
 *   clang-14 -fsanitize=fuzzer,address,undefined ... fuzz_gdb.c libtx86.a
 *   ./fuzz_gdb -max_total_time=300 corpus/
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* pipe2 */
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "machine/machine.h"
#include "debug/gdbstub.h"

#define FUZZ_GDB_MAX_INPUT 60000     /* fits a pipe (64 KiB): written before serving */

static Machine *fuzz_machine;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    GError *err = NULL;
    fuzz_machine = machine_new_bare(1u << 20, &err);
    if (!fuzz_machine) {
        fprintf(stderr, "fuzz_gdb: %s\n", err ? err->message : "no machine");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Machine *m = fuzz_machine;
    int p[2];
    if (size > FUZZ_GDB_MAX_INPUT)
        return -1;                      /* not added to the corpus */
    if (pipe2(p, O_CLOEXEC) < 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = write(p[1], data + done, size - done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    close(p[1]);
    int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (out < 0)
        abort();

    GdbTarget t = { .cpu = &m->cpu, .mem = m->mem, .host = &m->host };
    GdbStub *g = gdb_new_fd(&t, p[0], out);
    m->gdb = g;                         /* the CPU hooks find it here */
    gdb_start(g, true);
    while (gdb_connected(g)) {
        gdb_poll(g);
        if (gdb_connected(g))
            gdb_stopped(g);
    }
    m->gdb = NULL;
    gdb_free(g);

    /* undo what the session did: registers, a kill request */
    machine_reset(m);
    m->shutdown_requested = false;
    m->cpu.exit_request = 0;
    m->cpu.interrupt_request &= ~CPU_INTERRUPT_EXIT;
    return 0;
}
