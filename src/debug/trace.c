/*
 * trace.c - the --trace writer (see trace.h; format in trace_format.h).
 *
 * Records are appended to a 1 MiB buffer with plain stores; a full buffer
 * goes to a compression thread (zlib, gzwrite level 1) and the CPU goes on
 * with a free one (four in all, so at most three wait), so compression
 * runs beside the guest on a second host core.  The per-instruction cost
 * on the CPU's thread is one helper call, a compare of 19 registers with
 * the snapshot and a few bytes of buffer.  The byte stream does not depend
 * on the thread's timing.  The writer is reached through hooks:
 * trace_cpu_hooks on the CPU (the helpers generated code calls,
 * helper_trace_insn/_mem in cpu-x86/debug.c, and the CPU loop's
 * interrupts) and trace_io_hook on the I/O bus; debug_machine.c
 * registers them.
 */
#include <string.h>
#include <errno.h>
#include <zlib.h>
#include "debug/trace.h"
#include "cpu-x86/cpu.h"

#define TRACE_BUF_SIZE (1u << 20)
#define TRACE_NBUFS    4

typedef struct TraceBuf {
    uint8_t *data;
    size_t len;
} TraceBuf;

struct TraceWriter {
    gzFile gz;
    uint8_t *buf;                   /* the current buffer's data */
    size_t len;
    TraceBuf *cur;
    GAsyncQueue *full;              /* to the compression thread (len 0: stop) */
    GAsyncQueue *free;              /* back from it */
    GThread *thread;
    TraceBuf bufs[TRACE_NBUFS];
    uint32_t next_id;               /* DEF ids */
    uint32_t snap[TRACE_NREGS];     /* register values last written */
    bool snap_valid;
    uint64_t n_insns;
    uint64_t raw_bytes;
};

/* the compression thread: buffers in order, a zero-length one stops it */
static gpointer tw_thread(gpointer opaque)
{
    TraceWriter *w = opaque;
    for (;;) {
        TraceBuf *b = g_async_queue_pop(w->full);
        if (b->len == 0) {
            g_async_queue_push(w->free, b);
            return NULL;
        }
        gzwrite(w->gz, b->data, (unsigned)b->len);
        b->len = 0;
        g_async_queue_push(w->free, b);
    }
}

/* hand the current buffer to the thread, take a free one */
static void tw_flush(TraceWriter *w)
{
    if (w->len) {
        w->cur->len = w->len;
        w->raw_bytes += w->len;
        g_async_queue_push(w->full, w->cur);
        w->cur = g_async_queue_pop(w->free);
        w->buf = w->cur->data;
        w->len = 0;
    }
}

static inline uint8_t *tw_room(TraceWriter *w, size_t n)
{
    if (G_UNLIKELY(w->len + n > TRACE_BUF_SIZE))
        tw_flush(w);
    return w->buf + w->len;
}

static inline uint8_t *put8(uint8_t *p, uint8_t v)
{
    *p = v;
    return p + 1;
}

static inline uint8_t *put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}

static inline uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

static inline void tw_commit(TraceWriter *w, const uint8_t *end)
{
    w->len = (size_t)(end - w->buf);
}

TraceWriter *trace_open(const char *path, GError **errp)
{
    gzFile gz = gzopen(path, "wb1");
    if (!gz) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot open trace file '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    TraceWriter *w = g_new0(TraceWriter, 1);
    w->gz = gz;
    gzbuffer(gz, 1u << 17);
    w->full = g_async_queue_new();
    w->free = g_async_queue_new();
    for (int i = 0; i < TRACE_NBUFS; i++) {
        w->bufs[i].data = g_malloc(TRACE_BUF_SIZE);
        if (i)
            g_async_queue_push(w->free, &w->bufs[i]);
    }
    w->cur = &w->bufs[0];
    w->buf = w->cur->data;
    w->thread = g_thread_new("tx86-trace", tw_thread, w);
    uint8_t *p = tw_room(w, 16);
    memcpy(p, TRACE_MAGIC, 8);
    p = put32(p + 8, TRACE_VERSION);
    p = put32(p, 0);
    tw_commit(w, p);
    return w;
}

/* REG records for what changed since the snapshot */
static void tw_regs(TraceWriter *w, CPUState *env)
{
    uint32_t now[TRACE_NREGS];
    for (int i = 0; i < 8; i++)
        now[TRACE_REG_EAX + i] = env->regs[i];
    now[TRACE_REG_EFLAGS] = cpu_compute_eflags(env);
    for (int i = 0; i < NUM_SEGS; i++)
        now[TRACE_REG_ES + i] = env->seg[i].selector;
    now[TRACE_REG_CR0] = env->cr[0];
    now[TRACE_REG_CR2] = env->cr[2];
    now[TRACE_REG_CR3] = env->cr[3];
    now[TRACE_REG_CR4] = env->cr[4];
    if (!w->snap_valid) {
        /* the first event: the whole state, so "last set" always answers */
        memset(w->snap, 0, sizeof(w->snap));
        for (int i = 0; i < TRACE_NREGS; i++)
            w->snap[i] = ~now[i];
        w->snap_valid = true;
    }
    uint8_t *p = tw_room(w, TRACE_NREGS * (1 + TR_REG_SIZE));
    for (int i = 0; i < TRACE_NREGS; i++) {
        if (now[i] != w->snap[i]) {
            p = put8(p, TR_REG);
            p = put8(p, (uint8_t)i);
            p = put32(p, now[i]);
            w->snap[i] = now[i];
        }
    }
    tw_commit(w, p);
}

uint32_t trace_def_insn(TraceWriter *w, uint32_t lin, uint32_t phys, uint8_t mode,
                        const uint8_t *bytes, int len)
{
    if (len < 0)
        len = 0;
    if (len > 15)
        len = 15;
    uint32_t id = w->next_id++;
    uint8_t *p = tw_room(w, 1 + TR_DEF_FIXED + 15);
    p = put8(p, TR_DEF);
    p = put32(p, id);
    p = put32(p, lin);
    p = put32(p, phys);
    p = put8(p, mode);
    p = put8(p, (uint8_t)len);
    memcpy(p, bytes, (size_t)len);
    tw_commit(w, p + len);
    return id;
}

void trace_insn(TraceWriter *w, CPUState *env, uint32_t id)
{
    tw_regs(w, env);
    uint8_t *p = tw_room(w, 1 + TR_INSN_SIZE);
    p = put8(p, TR_INSN);
    p = put32(p, id);
    tw_commit(w, p);
    w->n_insns++;
}

void trace_mem(TraceWriter *w, uint32_t lin, uint32_t value, int size, bool write)
{
    uint8_t *p = tw_room(w, 1 + TR_MEM_SIZE);
    if (size == 1)
        value &= 0xff;
    else if (size == 2)
        value &= 0xffff;
    p = put8(p, write ? TR_MEMW : TR_MEMR);
    p = put8(p, (uint8_t)size);
    p = put32(p, lin);
    p = put32(p, value);
    tw_commit(w, p);
}

void trace_io(TraceWriter *w, uint16_t port, uint32_t value, int size, bool write)
{
    uint8_t *p = tw_room(w, 1 + TR_IO_SIZE);
    p = put8(p, write ? TR_IOW : TR_IOR);
    p = put16(p, port);
    p = put8(p, (uint8_t)size);
    p = put32(p, value);
    tw_commit(w, p);
}

void trace_int(TraceWriter *w, CPUState *env, int vector, int kind, uint32_t error_code)
{
    tw_regs(w, env);                        /* what the last instruction changed */
    uint8_t *p = tw_room(w, 1 + TR_INT_SIZE);
    p = put8(p, TR_INT);
    p = put8(p, (uint8_t)vector);
    p = put8(p, (uint8_t)kind);
    p = put32(p, error_code);
    p = put16(p, env->seg[R_CS].selector);
    p = put32(p, env->eip);
    tw_commit(w, p);
}

void trace_close(TraceWriter *w, uint64_t icount)
{
    if (!w)
        return;
    uint8_t *p = tw_room(w, 1 + TR_END_SIZE);
    p = put8(p, TR_END);
    p = put32(p, (uint32_t)icount);
    p = put32(p, (uint32_t)(icount >> 32));
    tw_commit(w, p);
    tw_flush(w);
    TraceBuf stop = { NULL, 0 };        /* len 0: the thread's end */
    g_async_queue_push(w->full, &stop);
    g_thread_join(w->thread);
    gzclose(w->gz);
    for (int i = 0; i < TRACE_NBUFS; i++)
        g_free(w->bufs[i].data);
    g_async_queue_unref(w->full);
    g_async_queue_unref(w->free);
    g_free(w);
}

uint64_t trace_insn_count(const TraceWriter *w)
{
    return w->n_insns;
}

uint64_t trace_raw_bytes(const TraceWriter *w)
{
    return w->raw_bytes + w->len;
}

/* ------------------------------------------------------------ hooks */

/* the CPU's hooks (cpu-x86/cpu.h): opaque is the writer */
static void trace_hook_insn(void *opaque, CPUState *env, uint32_t id)
{
    trace_insn(opaque, env, id);
}

static void trace_hook_mem(void *opaque, uint32_t lin, uint32_t value, int size, bool write)
{
    trace_mem(opaque, lin, value, size, write);
}

static void trace_hook_int(void *opaque, CPUState *env, int vector, int kind,
                           uint32_t error_code)
{
    trace_int(opaque, env, vector, kind, error_code);
}

static uint32_t trace_hook_translate_insn(void *opaque, uint32_t lin, uint32_t phys,
                                          uint8_t mode, const uint8_t *bytes, int len)
{
    return trace_def_insn(opaque, lin, phys, mode, bytes, len);
}

G_STATIC_ASSERT(TRACE_MEM_WRITE == CPU_TRACE_MEM_WRITE);
G_STATIC_ASSERT(TRACE_MODE_CODE32 == CPU_TRACE_MODE_CODE32 && TRACE_MODE_PE == CPU_TRACE_MODE_PE &&
                TRACE_MODE_VM == CPU_TRACE_MODE_VM && TRACE_MODE_PG == CPU_TRACE_MODE_PG);
G_STATIC_ASSERT(TRACE_INT_IRQ == CPU_INT_IRQ && TRACE_INT_NMI == CPU_INT_NMI &&
                TRACE_INT_EXCEPTION == CPU_INT_EXCEPTION && TRACE_INT_TRIPLE == CPU_INT_TRIPLE);

const CPUHooks trace_cpu_hooks = {
    .on_insn = trace_hook_insn,
    .on_mem = trace_hook_mem,
    .on_int = trace_hook_int,
    .on_translate_insn = trace_hook_translate_insn,
};

/* the I/O bus's hook (bus/ioport.h): opaque is the writer */
void trace_io_hook(void *opaque, uint16_t port, uint32_t value, int size, bool write)
{
    trace_io(opaque, port, value, size, write);
}
