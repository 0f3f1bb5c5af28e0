/*
 * farctl.c - far control transfers in protected mode: JMP, CALL, RETF and
 * IRET with every descriptor and privilege check (SDM vol. 2 "CALL", "JMP",
 * "RET", "IRET"; vol. 3 5.8 "Privilege level checking when transferring
 * program control between code segments").
 *
 * Direct transfers to code segments (conforming or not), call gates (16-
 * and 32-bit) to the same or an inner level with the stack switch from the
 * TSS and parameter copy, returns to the same or an outer level (reload
 * SS:ESP, null the data segment registers the new CPL may not use), and
 * task switches (TSS descriptors, task gates, IRET with NT=1) through
 * task_switch() in task.c.
 *
 * IRET inside virtual-8086 mode and IRET back to it are v86.c's
 * (v86_iret, v86_iret_enter).  Every check and every stack access that
 * may fault is done on private copies (SegStack) before the first
 * architectural write, so a fault leaves the instruction restartable.
 * Called by the far_jmp/far_call/retf/iret helpers in helpers_sys.c, which handle real mode themselves.
 */
#include <glib.h>
#include "cpu-x86/seg.h"
#include "cpu-x86/farctl.h"
#include "cpu-x86/task.h"
#include "cpu-x86/v86.h"
#include "cpu-x86/cpu_internal.h"
#include "mmu/mmu.h"
#include "util/log.h"

/* descriptor of a far target: null is #GP(0), outside the table #GP(sel) */
static void far_read(CPUState *env, uint16_t sel, Desc *d)
{
    if ((sel & 0xfffc) == 0)
        raise_exception(env, EXCP_GP, 0);
    if (!seg_read_desc(env, sel, d))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
}

/* a direct JMP/CALL to a code segment: conforming DPL <= CPL, otherwise
 * RPL <= CPL and DPL == CPL; present */
static void far_check_direct(CPUState *env, uint16_t sel, Desc d, int cpl)
{
    uint32_t err = sel & 0xfffc;
    int dpl = desc_dpl(d);

    if (!(d.hi & DESC_CODE_BIT))
        raise_exception(env, EXCP_GP, err);
    if (d.hi & DESC_CE_BIT) {
        if (dpl > cpl)
            raise_exception(env, EXCP_GP, err);
    } else if ((sel & 3) > cpl || dpl != cpl) {
        raise_exception(env, EXCP_GP, err);
    }
    if (!desc_present(d))
        raise_exception(env, EXCP_NP, err);
}

/* JMP/CALL to a TSS descriptor or through a task gate */
static void far_task(CPUState *env, uint16_t sel, Desc d, int source, uint32_t next_eip)
{
    uint32_t err = sel & 0xfffc;
    int dpl = desc_dpl(d), cpl = cpu_cpl(env);

    if (dpl < cpl || dpl < (sel & 3))
        raise_exception(env, EXCP_GP, err);
    if (!desc_present(d))
        raise_exception(env, EXCP_NP, err);
    if (desc_type(d) == 5)
        sel = (uint16_t)(d.lo >> 16);           /* the gate's TSS selector */
    task_switch(env, sel, source, next_eip);
}

/* the code segment a call gate names: present code segment with
 * DPL <= CPL (#GP/#NP with its selector) */
static void far_gate_target(CPUState *env, Desc gate, uint16_t *csel, Desc *cd,
                            uint32_t *off)
{
    int type = desc_type(gate);

    *csel = (uint16_t)(gate.lo >> 16);
    *off = (gate.lo & 0xffff) | ((type & 8) ? (gate.hi & 0xffff0000u) : 0);
    far_read(env, *csel, cd);
    if (desc_is_system(*cd) || !(cd->hi & DESC_CODE_BIT) || desc_dpl(*cd) > cpu_cpl(env))
        raise_exception(env, EXCP_GP, *csel & 0xfffc);
    if (!desc_present(*cd))
        raise_exception(env, EXCP_NP, *csel & 0xfffc);
}

/* call gate checks: gate DPL >= CPL and >= RPL, present */
static void far_check_gate(CPUState *env, uint16_t sel, Desc gate)
{
    int dpl = desc_dpl(gate);

    if (dpl < cpu_cpl(env) || dpl < (sel & 3))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (!desc_present(gate))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
}

void far_jmp_pm(CPUState *env, uint16_t sel, uint32_t off, int opsize, uint32_t next_eip)
{
    int cpl = cpu_cpl(env);
    uint16_t csel;
    Desc d, cd;

    far_read(env, sel, &d);
    if (!desc_is_system(d)) {
        far_check_direct(env, sel, d, cpl);
        if (off > desc_limit(d))
            raise_exception(env, EXCP_GP, 0);
        seg_load_cs(env, sel, d, cpl);
        env->eip = off;
        return;
    }
    switch (desc_type(d)) {
    case 4: case 12:                            /* call gate */
        far_check_gate(env, sel, d);
        far_gate_target(env, d, &csel, &cd, &off);
        if (!(cd.hi & DESC_CE_BIT) && desc_dpl(cd) != cpl)
            raise_exception(env, EXCP_GP, csel & 0xfffc);
        if (off > desc_limit(cd))
            raise_exception(env, EXCP_GP, 0);
        seg_load_cs(env, csel, cd, cpl);
        env->eip = off;
        return;
    case 1: case 5: case 9:                     /* TSS, task gate */
        far_task(env, sel, d, TASK_FROM_JMP, next_eip);
        return;
    default:
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    }
}

/* CALL through a call gate to a more privileged non-conforming segment:
 * new stack from the TSS, copy the parameters (SDM 5.8.5) */
static void far_call_inner(CPUState *env, Desc gate, uint16_t csel, Desc cd, uint32_t off,
                           uint32_t next_eip)
{
    int gsize = (desc_type(gate) & 8) ? 4 : 2, dpl = desc_dpl(cd);
    int count = gate.hi & 0x1f;
    uint16_t nss;
    uint32_t nesp;
    SegStack old, ns;
    Desc sd;

    seg_tss_stack(env, dpl, 0, &nss, &nesp);
    seg_check_ss(env, nss, dpl, EXCP_TS, 0, &sd);
    seg_stack_init(&ns, desc_base(sd), desc_limit(sd), sd.hi & 0x00ffff00u, nesp, dpl,
                   nss & 0xfffc);
    seg_stack_cur(env, &old);
    seg_stack_push(env, &ns, gsize, env->seg[R_SS].selector);
    seg_stack_push(env, &ns, gsize, env->regs[R_ESP]);
    for (int i = count - 1; i >= 0; i--) {
        SegStack p = old;
        p.sp += (uint32_t)(i * gsize);
        seg_stack_push(env, &ns, gsize, seg_stack_pop(env, &p, gsize));
    }
    seg_stack_push(env, &ns, gsize, env->seg[R_CS].selector);
    seg_stack_push(env, &ns, gsize, next_eip);
    if (off > desc_limit(cd))
        raise_exception(env, EXCP_GP, 0);

    /* commit */
    seg_set_accessed(env, nss, &sd);
    seg_cache_load(&env->seg[R_SS], nss, sd);
    env->regs[R_ESP] = (nesp & ~ns.mask) | (ns.sp & ns.mask);
    seg_load_cs(env, csel, cd, dpl);
    env->eip = off;
}

void far_call_pm(CPUState *env, uint16_t sel, uint32_t off, int opsize, uint32_t next_eip)
{
    int cpl = cpu_cpl(env), gsize;
    uint16_t csel;
    SegStack st;
    Desc d, cd;

    far_read(env, sel, &d);
    if (!desc_is_system(d)) {
        far_check_direct(env, sel, d, cpl);
        seg_stack_cur(env, &st);
        seg_stack_push(env, &st, opsize, env->seg[R_CS].selector);
        seg_stack_push(env, &st, opsize, next_eip);
        if (off > desc_limit(d))
            raise_exception(env, EXCP_GP, 0);
        seg_stack_commit(env, &st);
        seg_load_cs(env, sel, d, cpl);
        env->eip = off;
        return;
    }
    switch (desc_type(d)) {
    case 4: case 12:                            /* call gate */
        far_check_gate(env, sel, d);
        far_gate_target(env, d, &csel, &cd, &off);
        if (!(cd.hi & DESC_CE_BIT) && desc_dpl(cd) < cpl) {
            far_call_inner(env, d, csel, cd, off, next_eip);
            return;
        }
        gsize = (desc_type(d) & 8) ? 4 : 2;
        seg_stack_cur(env, &st);
        seg_stack_push(env, &st, gsize, env->seg[R_CS].selector);
        seg_stack_push(env, &st, gsize, next_eip);
        if (off > desc_limit(cd))
            raise_exception(env, EXCP_GP, 0);
        seg_stack_commit(env, &st);
        seg_load_cs(env, csel, cd, cpl);
        env->eip = off;
        return;
    case 1: case 5: case 9:                     /* TSS, task gate */
        far_task(env, sel, d, TASK_FROM_CALL, next_eip);
        return;
    default:
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    }
}

/* checks of the CS a RETF/IRET returns to (RPL >= CPL already checked) */
static void far_check_return_cs(CPUState *env, uint16_t sel, Desc *d)
{
    uint32_t err = sel & 0xfffc;
    int rpl = sel & 3;

    far_read(env, sel, d);
    if (desc_is_system(*d) || !(d->hi & DESC_CODE_BIT))
        raise_exception(env, EXCP_GP, err);
    if ((d->hi & DESC_CE_BIT) ? desc_dpl(*d) > rpl : desc_dpl(*d) != rpl)
        raise_exception(env, EXCP_GP, err);
    if (!desc_present(*d))
        raise_exception(env, EXCP_NP, err);
}

/*
 * The common tail of RETF and IRET in protected mode once CS:EIP (and
 * EFLAGS) are popped: same level, or outer level with SS:ESP popped too.
 * imm is RETF's immediate (0 for IRET); the EFLAGS update is the caller's.
 * Returns the old CPL.
 */
static int far_return(CPUState *env, SegStack *st, uint16_t sel, uint32_t eip, int opsize,
                      uint32_t imm)
{
    int cpl = cpu_cpl(env), rpl = sel & 3;
    uint32_t nesp;
    uint16_t nss;
    Desc d, sd;

    if ((sel & 0xfffc) == 0)
        raise_exception(env, EXCP_GP, 0);
    if (rpl < cpl)
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    far_check_return_cs(env, sel, &d);
    st->sp += imm;
    if (rpl == cpl) {
        if (eip > desc_limit(d))
            raise_exception(env, EXCP_GP, 0);
        seg_stack_commit(env, st);
        seg_load_cs(env, sel, d, cpl);
        env->eip = eip;
        return cpl;
    }
    nesp = seg_stack_pop(env, st, opsize);
    nss = (uint16_t)seg_stack_pop(env, st, opsize);
    seg_check_ss(env, nss, rpl, EXCP_GP, 0, &sd);
    if (eip > desc_limit(d))
        raise_exception(env, EXCP_GP, 0);

    /* commit */
    seg_set_accessed(env, nss, &sd);
    seg_cache_load(&env->seg[R_SS], nss, sd);
    nesp += imm;
    if (sd.hi & DESC_B_MASK)
        env->regs[R_ESP] = opsize == 2 ? (nesp & 0xffff) : nesp;
    else
        env->regs[R_ESP] = (env->regs[R_ESP] & 0xffff0000u) | (nesp & 0xffff);
    seg_set_cs(env, sel, d, rpl);               /* seg_null_invalid updates hflags */
    env->eip = eip;
    seg_null_invalid(env);
    return cpl;
}

void far_ret_pm(CPUState *env, int opsize, uint32_t imm)
{
    SegStack st;
    uint32_t eip;
    uint16_t sel;

    seg_stack_cur(env, &st);
    eip = seg_stack_pop(env, &st, opsize);
    sel = (uint16_t)seg_stack_pop(env, &st, opsize);
    far_return(env, &st, sel, eip, opsize, imm);
}

void iret_pm(CPUState *env, int opsize, uint32_t next_eip)
{
    SegStack st;
    uint32_t eip, fl, mask;
    uint16_t sel;
    int cpl = cpu_cpl(env), iopl = (env->eflags & IOPL_MASK) >> 12;

    if (env->eflags & VM_MASK) {
        v86_iret(env, (uint32_t)opsize);        /* IOPL 3 or VME (v86.c) */
        return;
    }
    if (env->eflags & NT_MASK) {                /* return from a nested task */
        uint16_t link;
        /* the back link word must be inside the current TSS (SDM vol. 3
         * table 6-6: "an attempt to load the backlink limit faults") */
        if (env->tr.limit < 1)
            raise_exception(env, EXCP_TS, env->tr.selector & 0xfffc);
        link = (uint16_t)mmu_ld_fast(env, env->tr.base, 2, TLB_MMU_KERNEL);
        if (link & 4)
            raise_exception(env, EXCP_TS, link & 0xfffc);
        task_switch(env, link, TASK_FROM_IRET, next_eip);
        return;
    }
    seg_stack_cur(env, &st);
    eip = seg_stack_pop(env, &st, opsize);
    sel = (uint16_t)seg_stack_pop(env, &st, opsize);
    fl = seg_stack_pop(env, &st, opsize);
    if (opsize == 4 && (fl & VM_MASK) && cpl == 0) {
        v86_iret_enter(env);                    /* pops the whole frame (v86.c) */
        return;
    }
    mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK | RF_MASK | AC_MASK | ID_MASK;
    if (cpl == 0)
        mask |= IOPL_MASK | VIF_MASK | VIP_MASK;
    if (cpl <= iopl)
        mask |= IF_MASK;
    if (opsize == 2)
        mask &= 0xffff;
    far_return(env, &st, sel, eip, opsize, 0);  /* hflags updated for the new CS */
    cpu_load_eflags(env, fl, mask);             /* and again if TF changes (VM cannot) */
}
