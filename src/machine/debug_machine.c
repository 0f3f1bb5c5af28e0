/*
 * debug_machine.c - wires the debugging features into a Machine (see
 * debug_machine.h): --trace (trace.c: its CPUHooks and the I/O bus hook),
 * -icount (clock.c reads the instruction count through machine_icount),
 * and the gdb stub (gdbstub.c: its CPUHooks; machine_run polls it; on a
 * replay its reverse execution goes through replay.c and machine_run_until).
 */
#include "machine/debug_machine.h"
#include "debug/gdbstub.h"
#include "debug/trace.h"
#include "machine/machine.h"
#include "machine/replay.h"
#include "translator/translator.h"

/* instructions retired, also inside a running chain of native blocks
 * (icount_left counts down from icount_left0 there), so a device reading
 * the clock in the middle of a slice sees exact, repeatable time */
static uint64_t machine_icount(void *opaque)
{
    return cpu_icount_now(&((Machine *)opaque)->cpu);
}

void debug_machine_clock_init(Machine *m)
{
    if (m->cfg.icount)
        clock_set_icount(&m->clock, m->cfg.icount_shift, machine_icount, m);
}

/* reverse execution for the gdb stub on a replay (replay.h) */
static uint64_t rr_first(void *opaque)
{
    return replay_first_icount(opaque);
}

static uint64_t rr_restore(void *opaque, uint64_t icount)
{
    return replay_restore(opaque, icount);
}

static int rr_run_until(void *opaque, uint64_t icount)
{
    int r = machine_run_until(opaque, icount);
    return r == MACHINE_RUN_REACHED ? 0 : r == MACHINE_RUN_DEBUG ? 1 : 2;
}

static const GdbReplayOps rr_ops = {
    .first = rr_first, .restore = rr_restore, .run_until = rr_run_until,
};

bool debug_machine_init(Machine *m, GError **errp)
{
    const MachineConfig *c = &m->cfg;

    /* the CPU reaches the gdb stub through hooks (gdbstub.c), which find
     * m->gdb: set by -gdb below or by a test's gdb_new_fd */
    cpu_add_hooks(&m->cpu, &gdb_cpu_hooks, &m->gdb);
    if (c->trace_path) {
        TraceWriter *w = trace_open(c->trace_path, errp);
        if (!w)
            return false;
        m->cpu.trace = w;               /* the front end emits the trace calls */
        cpu_add_hooks(&m->cpu, &trace_cpu_hooks, w);
        m->io->trace = trace_io_hook;
        m->io->trace_opaque = w;
        if (m->tr)
            tb_flush(m->tr);            /* blocks must carry the trace calls */
    }
    if (c->gdb_dev) {
        GdbTarget t = { .cpu = &m->cpu, .mem = m->mem, .host = &m->host };
        if (replay_mode(m) == REPLAY_PLAY) {
            t.rr = &rr_ops;
            t.rr_opaque = m;
        }
        m->gdb = gdb_new(&t, c->gdb_dev, errp);
        if (!m->gdb)
            return false;
    }
    return true;
}

void debug_machine_free(Machine *m)
{
    if (m->cpu.trace) {
        cpu_remove_hooks(&m->cpu, &trace_cpu_hooks, m->cpu.trace);
        trace_close(m->cpu.trace, m->cpu.icount);
        m->cpu.trace = NULL;
        m->io->trace = NULL;
        m->io->trace_opaque = NULL;
    }
    gdb_free(m->gdb);
    m->gdb = NULL;
}
