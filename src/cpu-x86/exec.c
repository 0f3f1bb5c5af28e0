/*
 * exec.c - the CPU loop: find a translated block, run it, repeat.
 *
 *   cpu_exec(env, budget)
 *     sigsetjmp(env->jmp_env)  <- raise_exception() lands here: deliver the
 *                                 exception (or return it to the test
 *                                 harness with stop_on_exception)
 *     loop:
 *       exit_request / CPU_INTERRUPT_EXIT          -> CPU_EXIT_REQUEST
 *       NMI, or INTR with IF=1 and no interrupt shadow -> deliver
 *       halted                                      -> CPU_EXIT_HALT
 *       icount >= budget                            -> CPU_EXIT_BUDGET
 *       tb = tb_next(previous exit) or tb_find()
 *       env->icount_left = what is left of the budget
 *       backend->exec(tb); icount += instructions retired; single-step trap (TF)
 *
 * The interrupt shadow (after STI, MOV SS, POP SS) is HF_INHIBIT_IRQ in
 * env->hflags: the loop clears it before looking up the next block (so it
 * is never part of a block key) and skips interrupt delivery once.
 * The interrupt controller is reached through env->irq_ack (machine
 * wiring): it acknowledges INTR and returns the vector, or -1.
 *
 * Instruction counting is per block: a block cut short by an exception does
 * not add its instructions (the budget is a soft limit, overshooting by at
 * most one block).  The native backend runs chained blocks without coming
 * back here: each block subtracts its n_insns from env->icount_left when it
 * exits and, when reached through a patched jump, returns TB_EXIT_REQUESTED
 * without running if icount_left <= 0 at its entry (the same "icount <
 * budget" test as this loop).  The backend names the block whose exit was
 * taken in t->last_tb.  Interrupts and exit requests need no check in a
 * chain: everything that sets them (I/O helpers, IF/mode changes) ends its
 * block with an unchained exit, and timers run between cpu_exec calls.
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
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

    if (req & CPU_INTERRUPT_NMI) {
        env->interrupt_request &= ~CPU_INTERRUPT_NMI;
        excp_deliver(env, EXCP_NMI, false, true, false, 0, env->eip);
        return true;
    }
    if ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK) && env->irq_ack) {
        int vector = env->irq_ack(env->irq_ack_opaque);
        if (vector >= 0) {
            excp_deliver(env, vector & 0xff, false, true, false, 0, env->eip);
            return true;
        }
    }
    return false;
}

CPUExitReason cpu_exec(CPUState *env, uint64_t max_insns)
{
    struct Translator *t = env->tr_ctx;
    const uint64_t end = env->icount + max_insns;
    const bool chains = t->backend->patch_jump != NULL;
    TranslationBlock *volatile last_tb = NULL;
    volatile int last_exit = TB_EXIT_NOCHAIN;
    volatile int32_t left0 = 0;            /* icount_left given to exec, 0: none */
    TranslationBlock *tb;
    int exit;

    if (sigsetjmp(env->jmp_env, 0) != 0) {
        /* a guest exception unwound to here; env is precise */
        int vector = env->exception_index;

        if (chains && left0) {
            /* blocks of the chain that completed before the fault */
            env->icount += (uint64_t)(int64_t)(left0 - env->icount_left);
        }
        left0 = 0;
        last_tb = NULL;
        env->code_dirty = 0;
        if (vector == EXCP_TRIPLE_FAULT) {
            if (log_enabled(LOG_INT))
                log_printf("excp: triple fault at %04x:%08x -> shutdown\n",
                           env->seg[R_CS].selector, env->eip);
            env->exception_index = -1;
            return CPU_EXIT_SHUTDOWN;
        }
        if (env->stop_on_exception)
            return CPU_EXIT_EXCEPTION;
        /* may raise again: we come back here (double fault logic) */
        cpu_do_interrupt(env, vector, false, env->exception_has_error,
                         env->error_code, env->eip);
    }

    for (;;) {
        if (env->exit_request || (env->interrupt_request & CPU_INTERRUPT_EXIT)) {
            env->exit_request = 0;
            env->interrupt_request &= ~CPU_INTERRUPT_EXIT;
            return CPU_EXIT_REQUEST;
        }
        if (env->hflags & HF_INHIBIT_IRQ) {
            env->hflags &= ~HF_INHIBIT_IRQ;        /* shadow covers one block */
        } else if (env->interrupt_request & (CPU_INTERRUPT_HARD | CPU_INTERRUPT_NMI)) {
            if (exec_check_interrupts(env))
                last_tb = NULL;
        }
        if (env->halted)
            return CPU_EXIT_HALT;
        if (env->icount >= end)
            return CPU_EXIT_BUDGET;

        if (last_tb && !env->code_dirty)
            tb = tb_next(t, env, last_tb, last_exit);
        else
            tb = tb_find(t, env);
        env->code_dirty = 0;

        if (G_UNLIKELY(log_mask & (LOG_EXEC | LOG_CPU))) {
            if (log_enabled(LOG_CPU))
                cpu_dump_state(env, exec_log_file());
            if (log_enabled(LOG_EXEC))
                log_printf("Trace 0: %p [%08x/%08x/%04x] %04x:%08x\n", (void *)tb,
                           tb->cs_base, tb->pc, tb->hflags,
                           env->seg[R_CS].selector, env->eip);
        }

        if (chains) {
            uint64_t rem = end - env->icount;
            left0 = rem > (1u << 30) ? (1 << 30) : (int32_t)rem;
            env->icount_left = left0;
            t->last_tb = tb;
            exit = t->backend->exec(t, env, tb);
            env->icount += (uint64_t)(int64_t)(left0 - env->icount_left);
            left0 = 0;
            tb = t->last_tb;
            if (exit == TB_EXIT_REQUESTED) {
                last_tb = NULL;             /* tb did not run; budget is spent */
                continue;
            }
        } else {
            exit = t->backend->exec(t, env, tb);
            env->icount += tb->n_insns;
        }
        last_tb = tb;
        last_exit = exit;

        if (G_UNLIKELY(tb->hflags & HF_TF) && !env->halted) {
            /* single-step trap after the instruction (eip = next) */
            env->dr[6] |= 0x4000;
            raise_exception_noerr(env, EXCP_DB);
        }
    }
}
