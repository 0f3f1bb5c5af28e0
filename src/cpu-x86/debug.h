/*
 * debug.h - the debug registers DR0-DR7: instruction, data and I/O
 * breakpoints, and the pending #DB trap bits (debug.c).
 *
 * DR7 is decoded once per write into env->dbg_flags (which kinds of
 * breakpoint are enabled); everything on a hot path tests that word first,
 * so with DR7 = 0x400 (reset) no code runs at all.
 *
 *   instruction breakpoints (R/W = 00): the front end ends a block before
 *     an instruction at a breakpoint address and never chains into one
 *     (debug_ibp_at), so every such instruction starts from the CPU loop,
 *     which calls debug_check_ibp() (a fault, honouring EFLAGS.RF).
 *   data breakpoints (R/W = 01 write, 11 read/write): the MMU never fills a
 *     TLB entry for a page holding a watched address (debug_page_watched),
 *     so every access to it takes the slow path, which calls
 *     debug_watch_access() after the access; a match ORs Bn into
 *     env->dbg_pending and the #DB trap is raised at the end of the
 *     instruction (generated code checks dbg_pending after each
 *     instruction while data breakpoints are enabled).
 *   I/O breakpoints (R/W = 10, only with CR4.DE): debug_check_io() from the
 *     port-I/O helpers; without CR4.DE, R/W = 10 is undefined and ignored.
 *   the T bit of a TSS: the task switch calls debug_task_trap().
 *
 * A write to DR0-DR3/DR7 sets env->dbg_dirty; the CPU loop then flushes
 * translated code and the TLB (debug_apply) before running anything else.
 */
#ifndef TX86_DEBUG_H
#define TX86_DEBUG_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu-x86/cpu.h"

/* the registered CPUHooks (cpu.h), each registrant in turn (debug.c):
 * true if any says so */
bool cpu_hook_breakpoint(CPUState *env);
bool cpu_hook_bp_at(const CPUState *env, uint32_t lin);
bool cpu_hook_page_watched(const CPUState *env, uint32_t lin);
void cpu_hook_data(CPUState *env, uint32_t lin, uint32_t size, bool write);
void cpu_hook_int(CPUState *env, int vector, int kind, uint32_t error_code);

/* env->dbg_flags */
#define DBG_IBP   (1u << 0)     /* an instruction breakpoint is enabled */
#define DBG_WATCH (1u << 1)     /* a data breakpoint is enabled */
#define DBG_IO    (1u << 2)     /* an I/O breakpoint is enabled (CR4.DE) */
/* the gdb stub (src/debug/gdbstub.c) has breakpoints (it then also sets
 * DBG_IBP) or watchpoints (DBG_WATCH) through env->dbg_gdb_flags: the same
 * block splitting and slow-path checks serve both; a gdb hit stops the
 * machine (CPU_EXIT_DEBUG) instead of raising #DB */
#define DBG_GDB   (1u << 3)
/* dbg_pending bit (not a DR6 bit): a gdb watchpoint was hit */
#define DBG_PENDING_GDB (1u << 31)

/* DR6 status bits */
#define DR6_B(n)  (1u << (n))   /* breakpoint n condition met */
#define DR6_BD    (1u << 13)    /* general detect: MOV DRn with DR7.GD */
#define DR6_BS    (1u << 14)    /* single step (TF) */
#define DR6_BT    (1u << 15)    /* task switch to a TSS with the T bit */
#define DR6_FIXED 0xffff0ff0u   /* bits that read as 1 (P6) */
#define DR7_GD    (1u << 13)
#define DR7_FIXED 0x00000400u

/* MOV r32, DRn / MOV DRn, r32 (helper_read_dr/helper_write_dr): #GP(0)
 * outside ring 0 and in VM86, #UD for DR4/DR5 with CR4.DE (else they
 * alias DR6/DR7), #DB fault with DR6.BD when DR7.GD is set */
uint32_t debug_read_dr(CPUState *env, uint32_t n);
void debug_write_dr(CPUState *env, uint32_t n, uint32_t v);

/* recompute env->dbg_flags from DR7 (and CR4.DE) and ask the loop to
 * flush translations and the TLB; call after any DR7/DR0-3/CR4.DE change
 * and after cpu_reset() */
void debug_update(CPUState *env);
/* after cpu_reset(): no pending traps, breakpoint state from DR7 */
void debug_reset(CPUState *env);
/* the loop: dbg_dirty set -> flush blocks and TLB, clear it */
void debug_apply(CPUState *env);

/* is there an enabled instruction breakpoint at this linear address? */
bool debug_ibp_at(const CPUState *env, uint32_t lin);
/* CPU loop, before the instruction at cs_base+eip: #DB fault with Bn set
 * when an enabled instruction breakpoint matches and EFLAGS.RF is clear */
void debug_check_ibp(CPUState *env);

/* does linear page `lin` hold an address an enabled data breakpoint
 * watches?  (the MMU then keeps the page out of the TLB) */
static inline bool debug_page_watched(const CPUState *env, uint32_t lin)
{
    if (__builtin_expect(!(env->dbg_flags & DBG_WATCH), 1))
        return false;
    if ((env->dbg_flags & DBG_GDB) && cpu_hook_page_watched(env, lin))
        return true;
    for (int i = 0; i < 4; i++) {
        uint32_t dr7 = env->dr[7];
        uint32_t rw = (dr7 >> (16 + 4 * i)) & 3;
        if ((dr7 >> (2 * i)) & 3 && (rw == 1 || rw == 3) &&
            ((env->dr[i] ^ lin) & 0xfffff000u) == 0)
            return true;
    }
    return false;
}

/* slow path of every data access (after it succeeded): record matches */
void debug_check_data(CPUState *env, uint32_t lin, uint32_t size, bool write);
static inline void debug_watch_access(CPUState *env, uint32_t lin, uint32_t size, bool write)
{
    if (__builtin_expect((env->dbg_flags & DBG_WATCH) != 0, 0))
        debug_check_data(env, lin, size, write);
}

/* IN/OUT/INS/OUTS after the access: I/O breakpoints (CR4.DE) */
void debug_check_io(CPUState *env, uint32_t port, uint32_t size);

/* a task switch loaded a TSS with the T bit: #DB trap (DR6.BT) before
 * the first instruction of the new task */
static inline void debug_task_trap(CPUState *env)
{
    env->dbg_pending |= DR6_BT;
}

#endif
