/*
 * exec.c - the CPU loop: find a translated block, run it, repeat.
 *
 *   cpu_exec(env, budget)
 *     sigsetjmp(env->jmp_env)  <- raise_exception() lands here: deliver the
 *                                 exception (or return it to the test
 *                                 harness with stop_on_exception); a triple
 *                                 fault returns CPU_EXIT_SHUTDOWN
 *     loop, one turn per instruction boundary the loop sees:
 *       exit_request / CPU_INTERRUPT_EXIT             -> CPU_EXIT_REQUEST
 *       DR7/DR0-3 changed                             -> flush blocks + TLB
 *       no interrupt shadow: NMI (unless an NMI handler runs: NMIs are
 *       blocked from one NMI's delivery to the next IRET), or INTR with
 *       IF=1                                          -> deliver
 *       halted                                        -> CPU_EXIT_HALT
 *       icount >= budget                              -> CPU_EXIT_BUDGET
 *       instruction breakpoint at cs:eip, RF clear    -> #DB fault; clear RF
 *       tb = tb_next(previous exit) or tb_find(); the shadow is consumed
 *       backend->exec(tb); icount += instructions retired
 *       traps of the instruction(s) just run: TF (DR6.BS), data/I/O
 *       breakpoints and the TSS T bit (env->dbg_pending)  -> one #DB trap
 *
 * Priorities between instructions (SDM vol. 3, 6.9, table 6-2), highest
 * first: (1 reset: machine.c) 2 task-switch T bit, 4 traps of the previous
 * instruction (data breakpoints, single step): all three are one #DB trap
 * raised right after the block, before the loop looks at interrupts;
 * 5 NMI, 6 maskable interrupts (loop top); 7 code breakpoint fault (loop
 * top, after interrupts), then the fetch faults (#PF, CS limit) raised by
 * the translator and the faults of the instruction itself.  A #DB trap is
 * delivered first and the interrupt then before the handler's first
 * instruction, as on hardware.
 *
 * Interrupt shadow (6.8.3): STI with IF=0, MOV SS and POP SS set
 * HF_INHIBIT_IRQ (MOV/POP SS also env->shadow_ss, stored by generated
 * code).  The flag is part of the next block's key, so that block is one
 * instruction long (x86_translate_block) and is never chained to; the loop
 * takes no interrupt before it and clears the flag as it starts it.  After
 * MOV/POP SS, instruction breakpoints on the next instruction are ignored
 * and #DB traps (single step, data breakpoints) wait until it completes.
 *
 * Single step (17.3.1.4): a block translated with TF (HF_TF) is one
 * instruction; if it completes, BS is pending.  TF set by the instruction
 * (POPF, IRET) takes effect after the next one, as the key's HF_TF is the
 * value at its start.  No trap after INT n/INT3/INTO/INT1 (the delivery
 * clears TF; env->excp_sw_int) and none after HLT.
 *
 * Resume flag (17.3.1.1): every fault-class exception except #DB pushes
 * RF=1 (set in EFLAGS here, cleared by the delivery after pushing it); a
 * loop turn that finds RF set skips the instruction breakpoint check and
 * clears RF: RF covers exactly the one instruction IRET returns to.
 *
 * Instruction counting is per block: a block cut short by an exception does
 * not add its instructions (the budget is a soft limit, overshooting by at
 * most one block); each exception delivered counts as one, so a guest
 * stuck in an exception loop (a real-mode #UD handler at a #UD) still ends
 * the slice and --max-insns.  The native backend runs chained blocks without coming
 * back here: each block subtracts its n_insns from env->icount_left at its
 * exit and follows a patched jump only while icount_left stays positive,
 * else it returns its exit to this loop (the same "icount < budget" test
 * as this loop).  The backend names the block whose exit
 * was taken in t->last_tb.  Interrupts and exit requests need no check in a
 * chain: everything that sets them (I/O helpers, IF/mode changes) ends its
 * block with an unchained exit, and timers run between cpu_exec calls.
 * Indirect branches (and jumps to another page) may also continue in
 * generated code through the jump cache (translator.c; the native backend's
 * inline lookup, codegen.c cg_exit_lookup),
 * but only while exit_request, interrupt_request, dbg_pending and
 * code_dirty are all clear (x86_guest.exit_words), and never out of an
 * HF_TF or HF_INHIBIT_IRQ block (flags_nochain) nor with breakpoints set
 * (gen_jmp_indirect): so they never skip what this loop checks.
 * Likewise the front end never chains into an instruction breakpoint and,
 * while data breakpoints are enabled, leaves a block as soon as
 * dbg_pending is set.
 */
#include <inttypes.h>
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/debug.h"
#include "translator/translator.h"
#include "util/log.h"

static FILE *exec_log_file(void)
{
    return log_file ? log_file : stderr;
}

/* take a pending NMI or maskable interrupt if allowed; true if delivered */
static bool exec_check_interrupts(CPUState *env)
{
    uint32_t req = env->interrupt_request;

    if (cpu_nmi_deliverable(env)) {
        env->interrupt_request &= ~CPU_INTERRUPT_NMI;
        env->nmi_blocked = 1;               /* until the next IRET (helper_iret) */
        if (G_UNLIKELY(env->int_hooks))
            cpu_hook_int(env, EXCP_NMI, CPU_INT_NMI, 0);
        excp_deliver(env, EXCP_NMI, false, true, false, 0, env->eip);
        return true;
    }
    if ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK) && env->irq_ack) {
        int vector = env->irq_ack(env->irq_ack_opaque);
        if (vector >= 0) {
            if (G_UNLIKELY(env->int_hooks))
                cpu_hook_int(env, vector & 0xff, CPU_INT_IRQ, 0);
            excp_deliver(env, vector & 0xff, false, true, false, 0, env->eip);
            return true;
        }
    }
    return false;
}

/* fault-class exceptions push RF=1 (all faults but #DB, 17.3.1.1) */
static bool exec_pushes_rf(int vector)
{
    switch (vector) {
    case EXCP_DE: case EXCP_BR: case EXCP_UD: case EXCP_NM: case EXCP_TS:
    case EXCP_NP: case EXCP_SS: case EXCP_GP: case EXCP_PF: case EXCP_MF:
    case EXCP_AC: case 19:
        return true;
    default:
        return false;
    }
}

/* deliver the exception that unwound to cpu_exec (eip: the faulting
 * instruction for faults, the next one for traps) */
static void exec_deliver_exception(CPUState *env, int vector)
{
    env->hflags &= ~HF_INHIBIT_IRQ;     /* e.g. a fetch fault of the shadowed insn */
    env->shadow_ss = 0;
    if (exec_pushes_rf(vector))
        env->eflags |= RF_MASK;
    else if (vector == EXCP_DB)
        env->dr[7] &= ~DR7_GD;          /* so the handler may use MOV DRn */
    /* may raise again: we come back to sigsetjmp (double fault logic) */
    cpu_do_interrupt(env, vector, false, env->exception_has_error,
                     env->error_code, env->eip);
}

/* #DB traps after a block: single step, breakpoints, T bit */
static void exec_debug_traps(CPUState *env, const TranslationBlock *tb)
{
    if ((tb->hflags & HF_TF) && !env->excp_sw_int && !env->halted)
        env->dbg_pending |= DR6_BS;
    if (!env->dbg_pending)
        return;
    if ((env->hflags & HF_INHIBIT_IRQ) && env->shadow_ss)
        return;                         /* MOV SS: after the next instruction */
    env->dr[6] |= env->dbg_pending;
    env->dbg_pending = 0;
    if (log_enabled(LOG_INT))
        log_printf("debug: #DB trap DR6=%08x next=%04x:%08x\n", env->dr[6],
                   env->seg[R_CS].selector, env->eip);
    raise_exception_noerr(env, EXCP_DB);
}

/* the code breakpoint check at an instruction boundary, and RF */
static void exec_check_ibp(CPUState *env)
{
    if (!(env->eflags & RF_MASK) && !((env->hflags & HF_INHIBIT_IRQ) && env->shadow_ss))
        debug_check_ibp(env);
    env->eflags &= ~RF_MASK;            /* the instruction starts */
}

/* ------------------------------------------------------------ exact count
 *
 * Under -icount the instruction count is the clock, so it must not depend
 * on where blocks happen to begin and end (a snapshot loaded into a new
 * process translates blocks from another starting point):
 * - every exit subtracts only the instructions that ran before it
 *   (IR_EXIT's count), a fault counts those of its block before the
 *   faulting one (cur_tb and the block's instruction lengths), and a
 *   device reading the clock in a helper sees the same (cpu_icount_now);
 * - a block runs only if the budget holds all of it (the native code's
 *   entry check; here for the first block): the end of a budget is run
 *   one instruction per block (HF_ONE_INSN), so a slice ends exactly on
 *   its timer's deadline;
 * - an MMIO access from an instruction that is not the last of its block
 *   restarts that instruction as a block of its own (cpu_before_io); from
 *   the last one it ends the chain there (icount_stop takes the budget
 *   away until the loop gives it back): what a device did to the
 *   interrupt lines is seen right after the instruction, as after IN/OUT.
 */

/* instructions of tb before the one at eip (all if eip is not one of its) */
static uint32_t tb_insns_before(const TranslationBlock *tb, uint32_t eip)
{
    uint32_t mask = (tb->hflags & HF_CS32) ? ~0u : 0xffffu;
    uint32_t pc = tb->pc;
    for (uint32_t k = 0; k < tb->n_insns; k++) {
        if (pc == eip)
            return k;
        pc = (pc + tb->insn_len[k]) & mask;
    }
    return 0;
}

uint64_t cpu_icount_now(const CPUState *env)
{
    uint64_t n = env->icount + (uint64_t)(int64_t)(env->icount_left0 - env->icount_left -
                                                   env->icount_stop);
    if (env->cur_tb)
        n += tb_insns_before(env->cur_tb, env->eip);
    return n;
}

void cpu_before_io(CPUState *env)
{
    const TranslationBlock *tb = env->cur_tb;
    if (!tb)
        return;
    if (tb->n_insns > 1 && tb_insns_before(tb, env->eip) + 1 < tb->n_insns)
        raise_exception_noerr(env, EXCP_IO_RESTART);
    if (!env->icount_stop) {                /* the last one: no chaining after it */
        env->icount_stop = 1 << 30;
        env->icount_left -= env->icount_stop;
    }
}

/* the budget icount_stop took away, back before the loop counts */
static inline void exec_unstop(CPUState *env)
{
    env->icount_left += env->icount_stop;
    env->icount_stop = 0;
}

CPUExitReason cpu_exec(CPUState *env, uint64_t max_insns)
{
    struct Translator *t = env->tr_ctx;
    const uint64_t end = env->icount + max_insns;
    const bool chains = t->backend->patch_jump != NULL;
    const bool exact = t->exact_count;
    TranslationBlock *volatile last_tb = NULL;
    volatile int last_exit = TB_EXIT_NOCHAIN;
    volatile int32_t left0 = 0;            /* icount_left given to exec, 0: none */
    volatile bool one_next = false;        /* an I/O restart: the next block is one insn */
    TranslationBlock *tb;
    int exit;

    if (sigsetjmp(env->jmp_env, 0) != 0) {
        /* a guest exception unwound to here; env is precise */
        int vector = env->exception_index;

        exec_unstop(env);
        if (left0) {
            /* blocks of the chain that completed before the fault */
            env->icount += (uint64_t)(int64_t)(left0 - env->icount_left);
        }
        if (env->cur_tb) {                  /* exact count: and those of the faulting block */
            env->icount += tb_insns_before(env->cur_tb, env->eip);
            env->cur_tb = NULL;
        }
        left0 = 0;
        env->icount_left0 = env->icount_left;
        env->hflags &= ~HF_ONE_INSN;
        last_tb = NULL;
        env->code_dirty = 0;
        if (vector == EXCP_IO_RESTART) {    /* the instruction again, alone */
            env->exception_index = -1;
            one_next = true;
            goto restart;
        }
        if (G_UNLIKELY(env->int_hooks))
            cpu_hook_int(env, vector & 0xff,
                         vector == EXCP_TRIPLE_FAULT ? CPU_INT_TRIPLE : CPU_INT_EXCEPTION,
                         env->exception_has_error ? env->error_code : 0);
        if (vector == EXCP_TRIPLE_FAULT) {
            if (log_enabled(LOG_INT))
                log_printf("excp: triple fault at %04x:%08x -> shutdown\n",
                           env->seg[R_CS].selector, env->eip);
            env->exception_index = -1;
            return CPU_EXIT_SHUTDOWN;
        }
        if (env->stop_on_exception)
            return CPU_EXIT_EXCEPTION;
        env->icount++;                  /* an exception storm must end the slice */
        exec_deliver_exception(env, vector);
    }
restart:
    for (;;) {
        if (!one_next && (env->exit_request || (env->interrupt_request & CPU_INTERRUPT_EXIT))) {
            env->exit_request = 0;
            env->interrupt_request &= ~CPU_INTERRUPT_EXIT;
            return CPU_EXIT_REQUEST;
        }
        if (G_UNLIKELY(env->dbg_dirty)) {
            debug_apply(env);
            last_tb = NULL;
        }
        if (!one_next && !(env->hflags & HF_INHIBIT_IRQ) &&
            (env->interrupt_request & (CPU_INTERRUPT_HARD | CPU_INTERRUPT_NMI)) &&
            !(env->gdb_step & GDB_STEP_NOIRQ)) {
            if (exec_check_interrupts(env))
                last_tb = NULL;
        }
        if (env->halted)
            return CPU_EXIT_HALT;
        if (env->icount >= end)
            return CPU_EXIT_BUDGET;
        if (G_UNLIKELY(env->dbg_flags & DBG_GDB) && cpu_hook_breakpoint(env))
            return CPU_EXIT_DEBUG;          /* gdb breakpoint at cs:eip (a CPUHooks hook) */
        if (G_UNLIKELY((env->dbg_flags & DBG_IBP) || (env->eflags & RF_MASK)))
            exec_check_ibp(env);

        if (last_tb && !env->code_dirty)
            tb = tb_next(t, env, last_tb, last_exit);
        else
            tb = tb_find(t, env);
        bool one = false;
        if (exact && (one_next || end - env->icount < tb->n_insns)) {
            /* the budget's last instructions, or an I/O restart: one per block */
            one_next = false;
            if (tb->n_insns > 1) {
                env->hflags |= HF_ONE_INSN;
                tb = tb_find(t, env);
                one = true;
            }
        }
        env->code_dirty = 0;
        env->excp_sw_int = 0;
        if (G_UNLIKELY(env->hflags & HF_INHIBIT_IRQ)) {
            /* the shadowed instruction (a one-instruction block) starts */
            env->hflags &= ~HF_INHIBIT_IRQ;
            env->shadow_ss = 0;
        }

        if (G_UNLIKELY(log_mask & (LOG_EXEC | LOG_CPU))) {
            if (log_enabled(LOG_CPU) && log_filter_pass(env->seg[R_CS].base + env->eip))
                cpu_dump_state(env, exec_log_file());
            /* the block's key, never its host address: -d exec logs of two
             * -icount runs compare byte for byte */
            if (log_enabled(LOG_EXEC) && log_filter_pass(env->seg[R_CS].base + env->eip))
                log_printf("Trace 0: %08" PRIx64 " [%08x/%08x/%04x] %04x:%08x\n",
                           (uint64_t)tb->phys_pc,
                           tb->cs_base, tb->pc, tb->hflags,
                           env->seg[R_CS].selector, env->eip);
        }

        /* both backends take the budget word down by what ran (translator.h) */
        uint64_t rem = end - env->icount;
        left0 = rem > (1u << 30) ? (1 << 30) : (int32_t)rem;
        env->icount_left = env->icount_left0 = left0;
        if (exact)
            env->cur_tb = tb;
        t->last_tb = tb;
        exit = t->backend->exec(t, env, tb);
        exec_unstop(env);
        env->icount += (uint64_t)(int64_t)(left0 - env->icount_left);
        left0 = 0;
        env->cur_tb = NULL;
        env->icount_left0 = env->icount_left;   /* counted: clock_now sees no chain */
        if (chains)
            tb = t->last_tb;
        last_tb = tb;
        last_exit = exit;
        if (one) {
            env->hflags &= ~HF_ONE_INSN;
            last_tb = NULL;                     /* never chain out of it */
        }

        if (G_UNLIKELY(env->dbg_pending & DBG_PENDING_GDB)) {
            env->dbg_pending &= ~DBG_PENDING_GDB;   /* a gdb watchpoint hit */
            return CPU_EXIT_DEBUG;
        }
        if (G_UNLIKELY((tb->hflags & HF_TF) || env->dbg_pending))
            exec_debug_traps(env, tb);
    }
}
