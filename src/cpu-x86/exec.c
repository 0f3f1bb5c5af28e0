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
 *       backend->exec(tb); icount += tb->n_insns; single-step trap (TF)
 *
 * The interrupt shadow (after STI, MOV SS, POP SS) is HF_INHIBIT_IRQ in
 * env->hflags: the loop clears it before looking up the next block (so it
 * is never part of a block key) and skips interrupt delivery once.
 * The interrupt controller is reached through env->irq_ack (machine
 * wiring): it acknowledges INTR and returns the vector, or -1.
 *
 * Instruction counting is per block: a block cut short by an exception does
 * not add its instructions (the budget is a soft limit, overshooting by at
 * most one block).
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
    TranslationBlock *volatile last_tb = NULL;
    volatile int last_exit = TB_EXIT_NOCHAIN;
    TranslationBlock *tb;
    int exit;

    if (sigsetjmp(env->jmp_env, 0) != 0) {
        /* a guest exception unwound to here; env is precise */
        int vector = env->exception_index;

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

        exit = t->backend->exec(t, env, tb);
        env->icount += tb->n_insns;
        last_tb = tb;
        last_exit = exit;

        if (G_UNLIKELY(tb->hflags & HF_TF) && !env->halted) {
            /* single-step trap after the instruction (eip = next) */
            env->dr[6] |= 0x4000;
            raise_exception_noerr(env, EXCP_DB);
        }
    }
}
