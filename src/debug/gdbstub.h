/*
 * gdbstub.h - a gdb remote-protocol server for the whole machine
 * (-gdb tcp::PORT / unix:PATH, -s, -S; docs/debugging.md).
 *
 * The stub runs in the main loop's thread: machine_run() calls
 * gdb_start() once (with -S it waits for gdb and stays stopped until
 * "continue"), gdb_poll() between CPU slices (a new connection or Ctrl-C
 * stops the machine) and gdb_stopped() when cpu_exec() returns
 * CPU_EXIT_DEBUG.  While stopped, the stub serves packets until gdb
 * resumes, detaches or kills.
 *
 * Breakpoints and watchpoints reuse the CPU's debug-register paths
 * (cpu-x86/debug.h): the stub sets env->dbg_gdb_flags (DBG_GDB plus
 * DBG_IBP and/or DBG_WATCH), so blocks end before breakpoint addresses,
 * watched pages stay out of the TLB, and the hooks below decide.  Single
 * step translates one-instruction blocks (env->gdb_step) with interrupts
 * held back unless "monitor irqstep on".  Addresses are linear (CS base
 * included); in real and virtual-8086 mode the "eip" register gdb sees is
 * the linear address CS*16+IP.
 *
 * Nothing the client sends can hurt tx86 (gdbstub.c's header comment
 * lists the rules): malformed packets get E01, a vanished client only
 * ends its connection (no SIGPIPE), input is bounded by GDB_PKT_MAX.
 */
#ifndef TX86_GDBSTUB_H
#define TX86_GDBSTUB_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>

struct CPUState;
struct PhysMem;
struct BusHost;

/* env->gdb_step: GDB_STEP_ON, GDB_STEP_NOIRQ (cpu-x86/cpu.h) */

typedef struct GdbStub GdbStub;

/* what the stub debugs, given at creation (the board: debug_machine.c):
 * the CPU it reads, writes, stops and steps, the physical map its
 * "monitor phys" accesses go to, and the host services a kill asks for
 * the shutdown.  The stub keeps the pointers, not a copy. */
/* reverse execution on a replay (machine/replay.h): NULL ops when the
 * machine does not replay.  restore goes back to the last checkpoint at
 * or before icount and returns its count; run_until runs forward to
 * icount and returns 0 (there), 1 (a breakpoint or watchpoint of the stub
 * stopped the CPU first) or 2 (the recording ended first). */
typedef struct GdbReplayOps {
    uint64_t (*first)(void *opaque);        /* the recording's first count */
    uint64_t (*restore)(void *opaque, uint64_t icount);
    int (*run_until)(void *opaque, uint64_t icount);
} GdbReplayOps;

typedef struct GdbTarget {
    struct CPUState *cpu;
    struct PhysMem *mem;
    struct BusHost *host;
    const GdbReplayOps *rr;                 /* NULL: no reverse execution */
    void *rr_opaque;
} GdbTarget;

GdbStub *gdb_new(const GdbTarget *t, const char *dev, GError **errp);
/* For tests and fuzzing: serve a connection that is already open, reading
 * packets from in_fd and writing replies to out_fd (the same fd for a
 * socket; a pipe for input and /dev/null for output also work, but a
 * non-socket out_fd may raise SIGPIPE: the caller then ignores it).  The
 * stub owns both fds and closes them at EOF, on an error or in
 * gdb_free(); it never listens for another client.  Serve until EOF:
 *     gdb_start(g, true);
 *     while (gdb_connected(g)) { gdb_poll(g); if (gdb_connected(g)) gdb_stopped(g); }
 */
GdbStub *gdb_new_fd(const GdbTarget *t, int in_fd, int out_fd);
bool     gdb_connected(const GdbStub *g);
void     gdb_free(GdbStub *g);
/* before the first instruction: with wait (-S), wait for gdb and serve it */
void     gdb_start(GdbStub *g, bool wait);
/* between slices: accept a connection, notice Ctrl-C, finish a step */
void     gdb_poll(GdbStub *g);
/* cpu_exec returned CPU_EXIT_DEBUG: report and serve gdb until it resumes */
void     gdb_stopped(GdbStub *g);
/* a replay reached the recording's end: report it ("replaylog:end") and
 * serve gdb, which may go back (bs, bc) */
void     gdb_replay_end(GdbStub *g);

/* the stub's CPUHooks (cpu-x86/cpu.h), registered on every machine's CPU
 * by debug_machine_init with &Machine.gdb as opaque; they call these with
 * that stub (NULL: none, every answer "no") */
extern const struct CPUHooks gdb_cpu_hooks;
bool gdb_cpu_breakpoint(GdbStub *g, const struct CPUState *env);   /* stop before cs:eip? */
bool gdb_bp_at(const GdbStub *g, uint32_t lin);
bool gdb_page_watched(const GdbStub *g, uint32_t lin);
void gdb_check_data(GdbStub *g, struct CPUState *env, uint32_t lin, uint32_t size, bool write);

#endif
