/*
 * debug.c - debug registers (SDM vol. 3, chapter 17 "Debug, branch profile,
 * TSC and ..."): MOV DRn, instruction/data/I/O breakpoint matching, DR6.
 *
 * How the breakpoints reach the CPU without costing anything when DR7
 * enables none is described in debug.h.  DR7 layout: L0/G0..L3/G3 in bits
 * 0-7 (either enables breakpoint n), GD bit 13, then per breakpoint n the
 * R/W field at bit 16+4n (00 execute, 01 write, 10 I/O with CR4.DE, 11
 * read/write) and LEN at bit 18+4n (00 1 byte, 01 2, 11 4, 10 8: undefined
 * on 32-bit CPUs, treated as 8).  Data and I/O breakpoint addresses are
 * aligned down to LEN (17.2.5); instruction breakpoints must have LEN 00
 * and match the address of the instruction's first byte (prefixes
 * included).  DR6 bits are sticky: the CPU only ever sets them.
 *
 * Departures: data breakpoints hit by a REP string instruction are
 * reported after the helper's chunk of iterations, not after the exact
 * iteration (the SDM allows reporting after the iteration that hit).
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/debug.h"
#include "cpu-x86/mem.h"
#include "translator/translator.h"
#include "cpu-x86/helpers.h"
#include "util/log.h"

#define CR4_DE 0x8u

static bool dr7_enabled(uint32_t dr7, int n)
{
    return (dr7 >> (2 * n)) & 3;
}

static uint32_t dr7_rw(uint32_t dr7, int n)
{
    return (dr7 >> (16 + 4 * n)) & 3;
}

/* bytes covered by breakpoint n: 1, 2, 4 or 8 */
static uint32_t dr7_len(uint32_t dr7, int n)
{
    static const uint8_t len[4] = { 1, 2, 8, 4 };
    return len[(dr7 >> (18 + 4 * n)) & 3];
}

void debug_update(CPUState *env)
{
    uint32_t dr7 = env->dr[7], f = 0;

    for (int i = 0; i < 4; i++) {
        if (!dr7_enabled(dr7, i))
            continue;
        switch (dr7_rw(dr7, i)) {
        case 0: f |= DBG_IBP; break;
        case 2: f |= DBG_IO; break;
        default: f |= DBG_WATCH; break;
        }
    }
    f |= env->dbg_gdb_flags;            /* the gdb stub's breakpoints/watchpoints */
    if (f || env->dbg_flags)
        env->dbg_dirty = 1;             /* translations may depend on it */
    env->dbg_flags = f;
}

void debug_reset(CPUState *env)
{
    env->dbg_pending = 0;
    env->shadow_ss = 0;
    env->excp_event = 0;
    env->excp_sw_int = 0;
    debug_update(env);
}

void debug_apply(CPUState *env)
{
    env->dbg_dirty = 0;
    tlb_flush(env);                     /* watched pages leave the TLB */
    if (env->tr_ctx)
        tb_flush(env->tr_ctx);          /* block boundaries / checks change */
    if (log_enabled(LOG_INT))
        log_printf("debug: DR7=%08x DR0-3=%08x %08x %08x %08x flags=%x\n", env->dr[7],
                   env->dr[0], env->dr[1], env->dr[2], env->dr[3], env->dbg_flags);
}

/* Bn bits of the enabled instruction breakpoints at lin */
static uint32_t debug_ibp_bits(const CPUState *env, uint32_t lin)
{
    uint32_t dr7 = env->dr[7], bits = 0;

    for (int i = 0; i < 4; i++)
        if (dr7_enabled(dr7, i) && dr7_rw(dr7, i) == 0 && env->dr[i] == lin)
            bits |= DR6_B(i);
    return bits;
}

bool debug_ibp_at(const CPUState *env, uint32_t lin)
{
    if ((env->dbg_flags & DBG_GDB) && cpu_hook_bp_at(env, lin))
        return true;
    return (env->dbg_flags & DBG_IBP) && debug_ibp_bits(env, lin) != 0;
}

void debug_check_ibp(CPUState *env)
{
    uint32_t bits = debug_ibp_bits(env, env->seg[R_CS].base + env->eip);

    if (bits && !(env->eflags & RF_MASK)) {
        env->dr[6] |= bits;
        if (log_enabled(LOG_INT))
            log_printf("debug: instruction breakpoint at %04x:%08x DR6=%08x\n",
                       env->seg[R_CS].selector, env->eip, env->dr[6]);
        raise_exception_noerr(env, EXCP_DB);          /* a fault: eip = the insn */
    }
}

/* Bn bits of breakpoints of kind rw_mask (bit per R/W value) whose range
 * overlaps [a, a + size) */
static uint32_t debug_range_bits(const CPUState *env, uint32_t a, uint32_t size,
                                 unsigned rw_mask)
{
    uint32_t dr7 = env->dr[7], bits = 0;

    for (int i = 0; i < 4; i++) {
        uint32_t len, lo;
        if (!dr7_enabled(dr7, i) || !((rw_mask >> dr7_rw(dr7, i)) & 1))
            continue;
        len = dr7_len(dr7, i);
        lo = env->dr[i] & ~(len - 1);
        if (a - lo < len || lo - a < size)     /* overlap, wrap-safe */
            bits |= DR6_B(i);
    }
    return bits;
}

void debug_check_data(CPUState *env, uint32_t lin, uint32_t size, bool write)
{
    /* R/W 01: writes only; 11: reads and writes */
    uint32_t bits = debug_range_bits(env, lin, size, write ? 0xa : 0x8);

    if (env->dbg_flags & DBG_GDB)
        cpu_hook_data(env, lin, size, write);

    if (bits) {
        env->dbg_pending |= bits;
        if (log_enabled(LOG_INT))
            log_printf("debug: data breakpoint %s %08x/%u eip=%08x bits=%x\n",
                       write ? "write" : "read", lin, size, env->eip, bits);
    }
}

void debug_check_io(CPUState *env, uint32_t port, uint32_t size)
{
    if (!(env->dbg_flags & DBG_IO) || !(env->cr[4] & CR4_DE))
        return;                         /* R/W 10 without CR4.DE: undefined, ignored */
    env->dbg_pending |= debug_range_bits(env, port & 0xffff, size, 0x4);
}

/* ------------------------------------------------------------------ */
/* MOV DRn                                                             */

/* privilege, DR4/DR5 and general detect; the register index to use */
static int debug_dr_access(CPUState *env, uint32_t n)
{
    if ((env->cr[0] & CR0_PE) && (cpu_cpl(env) != 0 || (env->eflags & VM_MASK)))
        raise_exception(env, EXCP_GP, 0);
    n &= 7;
    if (n == 4 || n == 5) {
        if (env->cr[4] & CR4_DE)
            raise_exception_noerr(env, EXCP_UD);
        n += 2;                         /* aliases of DR6/DR7 */
    }
    if (env->dr[7] & DR7_GD) {
        /* general detect (17.2.4): a fault before the access; the #DB
         * delivery clears GD so the handler can use the registers */
        env->dr[6] |= DR6_BD;
        raise_exception_noerr(env, EXCP_DB);
    }
    return (int)n;
}

uint32_t debug_read_dr(CPUState *env, uint32_t n)
{
    return env->dr[debug_dr_access(env, n)];
}

void debug_write_dr(CPUState *env, uint32_t n, uint32_t v)
{
    int i = debug_dr_access(env, n);

    switch (i) {
    case 6:
        env->dr[6] = (v & (0xfu | DR6_BD | DR6_BS | DR6_BT)) | DR6_FIXED;
        return;
    case 7:
        v = (v & 0xffff23ffu) | DR7_FIXED;     /* bits 10-12, 14, 15 fixed */
        break;
    default:
        break;
    }
    if (env->dr[i] != v) {
        env->dr[i] = v;
        debug_update(env);
    }
}

/* ----------------------------------------- the debuggers' hooks (cpu.h) */

#define FOR_HOOKS(env, h, fn) \
    for (int h##_i = 0; h##_i < (env)->n_hooks; h##_i++) \
        for (const CPUHooks *h = (env)->hooks[h##_i].ops; h && h->fn; h = NULL)
#define HOOK_OPAQUE(env, h) ((env)->hooks[h##_i].opaque)

bool cpu_hook_breakpoint(CPUState *env)
{
    bool stop = false;
    FOR_HOOKS(env, h, on_breakpoint)
        stop |= h->on_breakpoint(HOOK_OPAQUE(env, h), env);
    return stop;
}

bool cpu_hook_bp_at(const CPUState *env, uint32_t lin)
{
    FOR_HOOKS(env, h, bp_at)
        if (h->bp_at(HOOK_OPAQUE(env, h), env, lin))
            return true;
    return false;
}

bool cpu_hook_page_watched(const CPUState *env, uint32_t lin)
{
    FOR_HOOKS(env, h, page_watched)
        if (h->page_watched(HOOK_OPAQUE(env, h), env, lin))
            return true;
    return false;
}

void cpu_hook_data(CPUState *env, uint32_t lin, uint32_t size, bool write)
{
    FOR_HOOKS(env, h, on_data)
        h->on_data(HOOK_OPAQUE(env, h), env, lin, size, write);
}

void cpu_hook_int(CPUState *env, int vector, int kind, uint32_t error_code)
{
    FOR_HOOKS(env, h, on_int)
        h->on_int(HOOK_OPAQUE(env, h), env, vector, kind, error_code);
}

/* the trace helpers the front end emits while env->trace is set
 * (helpers.def: trace_insn, trace_mem) */
void helper_trace_insn(CPUState *env, uint32_t id)
{
    if (env->trace)
        FOR_HOOKS(env, h, on_insn)
            h->on_insn(HOOK_OPAQUE(env, h), env, id);
}

void helper_trace_mem(CPUState *env, uint32_t lin, uint32_t value, uint32_t size)
{
    if (env->trace)
        FOR_HOOKS(env, h, on_mem)
            h->on_mem(HOOK_OPAQUE(env, h), lin, value, (int)(size & 0xff),
                      (size & CPU_TRACE_MEM_WRITE) != 0);
}
