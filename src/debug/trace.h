/*
 * trace.h - the --trace writer: a compressed binary execution trace
 * (format in trace_format.h, reader: tx86-trace).
 *
 * Tracing costs nothing when off.  When on (env->trace set before any
 * code is translated, or the cache flushed), the front end translates
 * every block with two helper calls (translate.c): helper_trace_insn at
 * each instruction start (the instruction was DEFined at translation time
 * and is named by a small id) and helper_trace_mem after each load and
 * store.  Chaining stays on: the trace is emitted by the generated code.
 * Registers are not recorded by the generated code: at each instruction
 * start the writer compares the CPU state with its snapshot and writes
 * what changed.  The CPU loop adds interrupts (trace_int) and the I/O
 * bus port accesses (trace_io).
 *
 *   TraceWriter *w = trace_open("boot.trace", &err);
 *   env->trace = w; cpu_add_hooks(env, &trace_cpu_hooks, w);
 *   io->trace = trace_io_hook; io->trace_opaque = w;
 *   ... run ...
 *   trace_close(w, env->icount);
 */
#ifndef TX86_TRACE_H
#define TX86_TRACE_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "debug/trace_format.h"

struct CPUState;

typedef struct TraceWriter TraceWriter;

TraceWriter *trace_open(const char *path, GError **errp);
/* writes END, flushes and closes; NULL is fine */
void trace_close(TraceWriter *w, uint64_t icount);

/* translation time: record an instruction, get its id */
uint32_t trace_def_insn(TraceWriter *w, uint32_t lin, uint32_t phys, uint8_t mode,
                        const uint8_t *bytes, int len);
/* run time */
void trace_insn(TraceWriter *w, struct CPUState *env, uint32_t id);
void trace_mem(TraceWriter *w, uint32_t lin, uint32_t value, int size, bool write);
void trace_io(TraceWriter *w, uint16_t port, uint32_t value, int size, bool write);
void trace_int(TraceWriter *w, struct CPUState *env, int vector, int kind,
               uint32_t error_code);

/* the writer's hooks (opaque = the TraceWriter): on the CPU
 * (cpu_add_hooks) and on the I/O bus (IOBus.trace) */
extern const struct CPUHooks trace_cpu_hooks;
void trace_io_hook(void *opaque, uint16_t port, uint32_t value, int size, bool write);

/* statistics: instructions and uncompressed bytes written */
uint64_t trace_insn_count(const TraceWriter *w);
uint64_t trace_raw_bytes(const TraceWriter *w);

/* helper_trace_mem's third argument: size | TRACE_MEM_WRITE */
#define TRACE_MEM_WRITE 0x100

#endif
