/*
 * excp.c - guest exceptions and interrupt delivery.
 *
 * Raising: raise_exception(env, vector, err) records the vector and error
 * code in env and siglongjmp()s to env->jmp_env, set by cpu_exec() (exec.c).
 * Whoever raises must have left env precise at the faulting instruction
 * (env->eip = its address, no architectural state of it written yet); the
 * front end guarantees that for generated code (frontend.h ordering rule),
 * helpers by checking before writing.
 *
 * Exception classes (SDM vol. 3, 6.15, table 6-5): while an exception is
 * being delivered env->old_exception holds its vector.  A second one that
 * is contributory (#DE, #TS, #NP, #SS, #GP) after a contributory one, or
 * contributory or #PF after a #PF, becomes #DF (error code 0); anything
 * during #DF delivery is a triple fault (EXCP_TRIPLE_FAULT: cpu_exec()
 * returns CPU_EXIT_SHUTDOWN and the machine resets, machine.c).  Other
 * pairs (a benign first or second exception) are handled serially.
 *
 * Error codes (6.13): pushed for 8, 10-14 and 17.  The EXT bit (bit 0 of
 * the selector-format codes of #TS/#NP/#SS/#GP) is set when the exception
 * happened while delivering an event external to the program: a hardware
 * interrupt, NMI, an earlier exception or INT1; not for INT n/INT3/INTO.
 * env->excp_event records which kind of event is being delivered.
 *
 * Delivering: cpu_do_interrupt() takes the vector through the real-mode
 * IVT (push FLAGS, CS, IP) or the protected-mode IDT.  INT n, INT3 and
 * INTO are helpers_sys.c's (INT3/INTO: gate DPL checked, not redirected or
 * IOPL-sensitive in VM86); INT1 (F1) is excp_soft_int() here: a
 * "privileged software exception": no DPL check, EXT set, delivered as #DB
 * (a trap: return address after it), DR6 unchanged.
 * BOUND's #BR (helper_bound) is a fault.  After any software interrupt no
 * single-step trap follows (TF is cleared by the delivery; env->excp_sw_int
 * tells the CPU loop).
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/seg.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/debug.h"
#include "cpu-x86/mem.h"
#include "util/log.h"

static bool excp_has_error(int vector)
{
    switch (vector) {
    case EXCP_DF: case EXCP_TS: case EXCP_NP: case EXCP_SS:
    case EXCP_GP: case EXCP_PF: case EXCP_AC:
        return true;
    default:
        return false;
    }
}

static bool excp_contributory(int vector)
{
    return vector == EXCP_DE || (vector >= EXCP_TS && vector <= EXCP_GP);
}

/* env->excp_event: what excp_deliver() is delivering right now */
enum { EXCP_EV_NONE, EXCP_EV_SOFT, EXCP_EV_EXT };

/* error codes in selector format, where EXT is bit 0 */
static bool excp_selector_code(int vector)
{
    return vector >= EXCP_TS && vector <= EXCP_GP;
}

static _Noreturn void excp_raise(CPUState *env, int vector, bool has_error,
                                 uint32_t error_code)
{
    int old = env->old_exception;

    if (has_error && env->excp_event == EXCP_EV_EXT && excp_selector_code(vector))
        error_code |= 1;                        /* EXT */
    env->excp_event = EXCP_EV_NONE;
    if (old >= 0) {
        env->old_exception = -1;
        if (old == EXCP_DF) {
            vector = EXCP_TRIPLE_FAULT;
        } else if ((excp_contributory(old) && excp_contributory(vector)) ||
                   (old == EXCP_PF && (excp_contributory(vector) || vector == EXCP_PF))) {
            if (log_enabled(LOG_INT))
                log_printf("excp: #%d while delivering #%d -> #DF\n", vector, old);
            vector = EXCP_DF;
            has_error = true;
            error_code = 0;
        }
    }
    /* the instruction did not complete: its data breakpoint hits are void
     * (a #DB trap raised by the loop has already taken dbg_pending) */
    if (vector != EXCP_DB)
        env->dbg_pending &= ~(DR6_B(0) | DR6_B(1) | DR6_B(2) | DR6_B(3));
    env->exception_index = vector;
    env->error_code = has_error ? error_code : 0;
    env->exception_has_error = has_error;
    siglongjmp(env->jmp_env, 1);
}

_Noreturn void raise_exception(CPUState *env, int vector, uint32_t error_code)
{
    excp_raise(env, vector, excp_has_error(vector), error_code);
}

_Noreturn void raise_exception_noerr(CPUState *env, int vector)
{
    excp_raise(env, vector, false, 0);
}

void helper_raise_exception(CPUState *env, uint32_t vector, uint32_t error_code)
{
    raise_exception(env, (int)vector, error_code);
}

/* #UD for an instruction the front end rejected (it logged why, once,
 * under -d unimp: translate.c) */
void helper_raise_ud(CPUState *env)
{
    raise_exception_noerr(env, EXCP_UD);
}

static void do_interrupt_real(CPUState *env, int vector, uint32_t next_eip)
{
    SegStack st;
    uint32_t off, sel, a;

    if ((uint32_t)vector * 4 + 3 > env->idt.limit)
        raise_exception(env, EXCP_GP, vector * 8 + 2);
    a = env->idt.base + vector * 4;
    off = cpu_ld16(env, a);
    sel = cpu_ld16(env, a + 2);

    seg_stack_cur(env, &st);
    seg_stack_push(env, &st, 2, cpu_compute_eflags(env));
    seg_stack_push(env, &st, 2, env->seg[R_CS].selector);
    seg_stack_push(env, &st, 2, next_eip);
    seg_stack_commit(env, &st);

    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    cpu_load_seg_real(env, R_CS, sel);
    env->eip = off;
    cpu_update_hflags(env);
}

/* protected mode (IDT gates, privilege changes, v8086): intr_pm.c */

void excp_deliver(CPUState *env, int vector, bool is_sw, bool is_hw, bool has_error,
                  uint32_t error_code, uint32_t next_eip)
{
    if (log_enabled(LOG_INT))
        log_printf("INT %02x: %s err=%s%x cs:eip=%04x:%08x next=%08x pe=%d esp=%08x\n",
                   vector, is_sw ? "sw" : is_hw ? "hw" : "excp", has_error ? "" : "-",
                   error_code, env->seg[R_CS].selector, env->eip, next_eip,
                   (env->cr[0] & CR0_PE) != 0, env->regs[R_ESP]);
    /* faults while delivering an exception are double-fault candidates */
    env->old_exception = (!is_sw && !is_hw && vector < 32) ? vector : -1;
    env->excp_event = is_sw ? EXCP_EV_SOFT : EXCP_EV_EXT;
    env->halted = 0;
    if (env->cr[0] & CR0_PE)
        intr_pm_deliver(env, vector, is_sw, is_hw, has_error, error_code, next_eip);
    else
        do_interrupt_real(env, vector, next_eip);
    env->old_exception = -1;
    env->exception_index = -1;
    env->excp_event = EXCP_EV_NONE;
    if (is_sw)
        env->excp_sw_int = 1;
}

void cpu_do_interrupt(CPUState *env, int vector, bool is_sw, bool has_error,
                      uint32_t error_code, uint32_t next_eip)
{
    excp_deliver(env, vector, is_sw, false, has_error, error_code, next_eip);
}

/* ------------------------------------------------------------------ */
/* INT1, BOUND                                                         */

/*
 * A software-raised event with return address next_eip that always goes
 * through the IDT, also in VM86 (INT1: is_sw false, so no DPL check and
 * EXT set).
 * Under stop_on_exception (test harness) they stop the run like the traps
 * they are: exception_index = vector, eip = next_eip.
 */
void excp_soft_int(CPUState *env, int vector, bool is_sw, uint32_t next_eip)
{
    if (env->stop_on_exception) {
        env->eip = next_eip;
        raise_exception_noerr(env, vector);
    }
    cpu_do_interrupt(env, vector, is_sw, false, 0, next_eip);
    env->excp_sw_int = 1;       /* INT1 too: no single-step trap after it */
}

/* BOUND r, m: index and both bounds already sign-extended to 32 bits;
 * #BR (a fault) when index < lower or index > upper */
void helper_bound(CPUState *env, uint32_t index, uint32_t lower, uint32_t upper)
{
    if ((int32_t)index < (int32_t)lower || (int32_t)index > (int32_t)upper)
        raise_exception_noerr(env, EXCP_BR);
}
