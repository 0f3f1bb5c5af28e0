/*
 * excp.c - guest exceptions and interrupt delivery.
 *
 * Raising: raise_exception(env, vector, err) records the vector and error
 * code in env and siglongjmp()s to env->jmp_env, set by cpu_exec() (exec.c).
 * Whoever raises must have left env precise at the faulting instruction
 * (env->eip = its address, no architectural state of it written yet); the
 * front end guarantees that for generated code (frontend.h ordering rule),
 * helpers by checking before writing.  If an exception is raised while
 * another one is being delivered (env->old_exception), the SDM's double
 * fault table decides: #DF, or a triple fault (EXCP_TRIPLE_FAULT, which
 * makes cpu_exec() return CPU_EXIT_SHUTDOWN).
 *
 * Delivering: cpu_do_interrupt() takes the vector through the real-mode
 * IVT (push FLAGS, CS, IP) or the protected-mode IDT (16/32-bit interrupt
 * and trap gates to a code segment at the same privilege level).  Task
 * gates, privilege-changing gates (stack switch from the TSS) and VM86 are
 * the next issue: they raise #GP and log "not implemented" under -d unimp.
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/helpers.h"
#include "mmu/mmu.h"
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

static _Noreturn void excp_raise(CPUState *env, int vector, bool has_error,
                                 uint32_t error_code)
{
    int old = env->old_exception;

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

void helper_raise_ud(CPUState *env)
{
    if (log_enabled(LOG_UNIMP))
        log_printf("unimp: illegal or unimplemented instruction at %04x:%08x -> #UD\n",
                   env->seg[R_CS].selector, env->eip);
    raise_exception_noerr(env, EXCP_UD);
}

_Noreturn void cpu_unimp(CPUState *env, const char *what)
{
    if (log_enabled(LOG_UNIMP))
        log_printf("unimp: %s not implemented (eip=%08x) -> #GP(0)\n", what, env->eip);
    raise_exception(env, EXCP_GP, 0);
}

static void do_interrupt_real(CPUState *env, int vector, uint32_t next_eip)
{
    StackPtr st;
    uint32_t off, sel, a;

    if ((uint32_t)vector * 4 + 3 > env->idt.limit)
        raise_exception(env, EXCP_GP, vector * 8 + 2);
    a = env->idt.base + vector * 4;
    off = cpu_ld16(env, a);
    sel = cpu_ld16(env, a + 2);

    stack_init(env, &st);
    stack_push(env, &st, 2, cpu_compute_eflags(env));
    stack_push(env, &st, 2, env->seg[R_CS].selector);
    stack_push(env, &st, 2, next_eip);
    stack_commit(env, &st);

    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    cpu_load_seg_real(env, R_CS, sel);
    env->eip = off;
    cpu_update_hflags(env);
}

static void do_interrupt_pm(CPUState *env, int vector, bool is_sw, bool has_error,
                            uint32_t error_code, uint32_t next_eip)
{
    uint32_t err_idt = vector * 8 + 2;
    uint32_t e1, e2, d1, d2, sel, off, type, dpl, ddpl, fl, limit;
    int cpl = cpu_cpl(env), sz;
    StackPtr st;

    if ((uint32_t)vector * 8 + 7 > env->idt.limit)
        raise_exception(env, EXCP_GP, err_idt);
    e1 = cpu_ld32_kernel(env, env->idt.base + vector * 8);
    e2 = cpu_ld32_kernel(env, env->idt.base + vector * 8 + 4);
    type = (e2 >> 8) & 0x1f;
    switch (type) {
    case 0x05:
        cpu_unimp(env, "task gate in IDT");
    case 0x06: case 0x07: case 0x0e: case 0x0f:
        break;
    default:
        raise_exception(env, EXCP_GP, err_idt);
    }
    dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if (is_sw && dpl < (uint32_t)cpl)
        raise_exception(env, EXCP_GP, err_idt);
    if (!(e2 & DESC_P_MASK))
        raise_exception(env, EXCP_NP, err_idt);
    sel = e1 >> 16;
    off = (e2 & 0xffff0000u) | (e1 & 0xffff);
    if ((sel & 0xfffc) == 0)
        raise_exception(env, EXCP_GP, 0);
    seg_read_desc(env, sel, &d1, &d2);
    if (!(d2 & DESC_S_MASK) || !(d2 & DESC_CODE_BIT))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    ddpl = (d2 >> DESC_DPL_SHIFT) & 3;
    if (ddpl > (uint32_t)cpl)
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (!(d2 & DESC_P_MASK))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
    if (env->eflags & VM_MASK)
        cpu_unimp(env, "interrupt from VM86 mode");
    if (!(d2 & DESC_CE_BIT) && ddpl < (uint32_t)cpl)
        cpu_unimp(env, "privilege-changing interrupt (TSS stack switch)");

    sz = (type & 8) ? 4 : 2;
    limit = (d1 & 0xffff) | (d2 & 0x000f0000u);
    if (d2 & DESC_G_MASK)
        limit = (limit << 12) | 0xfff;
    if (sz == 2)
        off &= 0xffff;
    if (off > limit)
        raise_exception(env, EXCP_GP, 0);

    fl = cpu_compute_eflags(env);
    stack_init(env, &st);
    stack_push(env, &st, sz, fl);
    stack_push(env, &st, sz, env->seg[R_CS].selector);
    stack_push(env, &st, sz, next_eip);
    if (has_error)
        stack_push(env, &st, sz, error_code);
    stack_commit(env, &st);

    cpu_load_cs_pm(env, sel, d1, d2, cpl);
    env->eip = off;
    env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1))
        env->eflags &= ~IF_MASK;
    cpu_update_hflags(env);
}

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
    env->halted = 0;
    if (env->cr[0] & CR0_PE)
        do_interrupt_pm(env, vector, is_sw, has_error, error_code, next_eip);
    else
        do_interrupt_real(env, vector, next_eip);
    env->old_exception = -1;
    env->exception_index = -1;
}

void cpu_do_interrupt(CPUState *env, int vector, bool is_sw, bool has_error,
                      uint32_t error_code, uint32_t next_eip)
{
    excp_deliver(env, vector, is_sw, false, has_error, error_code, next_eip);
}
