/*
 * v86.c - virtual-8086 mode (SDM vol. 3 ch. 20).
 *
 * In v8086 mode (EFLAGS.VM=1, CR0.PE=1) segments behave as in real mode
 * (base = selector * 16, limit 0xFFFF, DPL 3; cpu_load_seg_real() does it
 * when VM is set) and CPL is 3.  cpu_update_hflags() sets HF_VM and CPL 3
 * in hflags, so translations of v8086 code are never shared with real or
 * protected mode.  Entering: IRETD at CPL 0 with VM=1 in the popped EFLAGS
 * (v86_iret_enter) or a task switch to a TSS whose EFLAGS has VM=1
 * (task.c).  Leaving: any interrupt or exception, through the IDT to a
 * ring-0 handler (intr_pm.c pushes GS, FS, DS, ES, SS, ESP, EFLAGS, CS,
 * EIP and clears VM), or a task switch.
 *
 * IOPL-sensitive instructions (SDM §20.2.7): CLI, STI (iopl.c), PUSHF,
 * POPF, INT n and IRET raise #GP(0) when IOPL < 3, except where VME
 * (CR4.VME, §20.3) emulates them with the virtual interrupt flag:
 *   PUSHF (16-bit):  pushes FLAGS with IF = VIF and IOPL = 3;
 *   POPF, IRET (16-bit): #GP(0) if the image has TF=1 or IF=1 with VIP=1;
 *                    else VIF = IF of the image, IF and IOPL unchanged;
 *   INT n: the interrupt redirection bitmap (32 bytes just below the I/O
 *          bitmap in the TSS) bit n clear -> through the task's real-mode
 *          IVT at linear 0 (with IOPL < 3: IF image = VIF, VIF cleared);
 *          bit set -> IDT if IOPL = 3, else #GP(0).
 * INT3 and INTO are not IOPL-sensitive: always the IDT (helpers_sys.c).
 * Port I/O in v8086 mode always consults the I/O permission bitmap (iopl.c).
 */
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/seg.h"
#include "cpu-x86/iopl.h"
#include "cpu-x86/v86.h"
#include "cpu-x86/mem.h"

/* the bits a 16-bit FLAGS image may change (not IOPL, not IF) */
#define V86_FLAGS16 (CC_MASK | TF_MASK | DF_MASK | NT_MASK)

static bool v86_vme(const CPUState *env)
{
    return (env->cr[4] & CR4_VME) != 0;
}

void v86_iret(CPUState *env, uint32_t opsize)
{
    SegStack st;
    uint32_t eip, sel, fl;

    if (iopl_level(env) < 3 && !(v86_vme(env) && opsize == 2))
        raise_exception(env, EXCP_GP, 0);
    seg_stack_cur(env, &st);
    eip = seg_stack_pop(env, &st, (int)opsize);
    sel = seg_stack_pop(env, &st, (int)opsize) & 0xffff;
    fl = seg_stack_pop(env, &st, (int)opsize);
    if (eip > 0xffff)
        raise_exception(env, EXCP_GP, 0);
    if (iopl_level(env) < 3) {
        /* VME: the virtual interrupt flag takes IF's place */
        if ((fl & TF_MASK) || ((fl & IF_MASK) && (env->eflags & VIP_MASK)))
            raise_exception(env, EXCP_GP, 0);
        seg_stack_commit(env, &st);
        cpu_load_seg_real(env, R_CS, (uint16_t)sel);
        env->eip = eip;
        cpu_load_eflags(env, (fl & V86_FLAGS16) | ((fl & IF_MASK) ? VIF_MASK : 0),
                        V86_FLAGS16 | VIF_MASK);
        return;
    }
    seg_stack_commit(env, &st);
    cpu_load_seg_real(env, R_CS, (uint16_t)sel);
    env->eip = eip;
    if (opsize == 4)
        cpu_load_eflags(env, fl, V86_FLAGS16 | IF_MASK | RF_MASK | AC_MASK | ID_MASK);
    else
        cpu_load_eflags(env, fl, V86_FLAGS16 | IF_MASK);
}

void v86_iret_enter(CPUState *env)
{
    SegStack st;
    uint32_t eip, cs, fl, esp, ss, es, ds, fs, gs;

    seg_stack_cur(env, &st);
    eip = seg_stack_pop(env, &st, 4);
    cs = seg_stack_pop(env, &st, 4) & 0xffff;
    fl = seg_stack_pop(env, &st, 4);
    esp = seg_stack_pop(env, &st, 4);
    ss = seg_stack_pop(env, &st, 4) & 0xffff;
    es = seg_stack_pop(env, &st, 4) & 0xffff;
    ds = seg_stack_pop(env, &st, 4) & 0xffff;
    fs = seg_stack_pop(env, &st, 4) & 0xffff;
    gs = seg_stack_pop(env, &st, 4) & 0xffff;
    if (eip > 0xffff)
        raise_exception(env, EXCP_GP, 0);
    /* every EFLAGS bit comes from the image, VM=1 (then CPL 3) */
    cpu_load_eflags(env, fl | VM_MASK, 0xffffffffu);
    cpu_load_seg_real(env, R_CS, (uint16_t)cs);
    cpu_load_seg_real(env, R_SS, (uint16_t)ss);
    cpu_load_seg_real(env, R_ES, (uint16_t)es);
    cpu_load_seg_real(env, R_DS, (uint16_t)ds);
    cpu_load_seg_real(env, R_FS, (uint16_t)fs);
    cpu_load_seg_real(env, R_GS, (uint16_t)gs);
    env->regs[R_ESP] = esp;
    env->eip = eip;
    cpu_update_hflags(env);
}

/* bit vector of the VME interrupt redirection bitmap: true = redirect */
static bool v86_redirected(CPUState *env, int vector)
{
    uint32_t type = (env->tr.flags >> DESC_TYPE_SHIFT) & 0xf, io_base, off;

    if ((type != 0x9 && type != 0xb) || env->tr.limit < 0x67)
        raise_exception(env, EXCP_GP, 0);
    io_base = mmu_ld_fast(env, env->tr.base + 0x66, 2, TLB_MMU_KERNEL);
    off = io_base - 32 + ((uint32_t)vector >> 3);
    if (off > env->tr.limit)
        raise_exception(env, EXCP_GP, 0);
    return !((mmu_ld_fast(env, env->tr.base + off, 1, TLB_MMU_KERNEL) >> (vector & 7)) & 1);
}

/* INT n through the v8086 task's own IVT at linear 0 (SDM §20.3.3.5) */
static void v86_redirect(CPUState *env, int vector, uint32_t next_eip)
{
    SegStack st;
    uint32_t fl = cpu_compute_eflags(env) & 0xffff;
    uint32_t ip = mmu_ld_fast(env, (uint32_t)vector * 4, 2, TLB_MMU_KERNEL);
    uint32_t cs = mmu_ld_fast(env, (uint32_t)vector * 4 + 2, 2, TLB_MMU_KERNEL);
    bool viopl = iopl_level(env) < 3;

    if (viopl) {
        fl |= IOPL_MASK;
        fl = (env->eflags & VIF_MASK) ? fl | IF_MASK : fl & ~IF_MASK;
    }
    seg_stack_cur(env, &st);
    seg_stack_push(env, &st, 2, fl);
    seg_stack_push(env, &st, 2, env->seg[R_CS].selector);
    seg_stack_push(env, &st, 2, next_eip);
    seg_stack_commit(env, &st);
    cpu_load_seg_real(env, R_CS, (uint16_t)cs);
    env->eip = ip;
    env->eflags &= ~(TF_MASK | RF_MASK | (viopl ? VIF_MASK : IF_MASK));
    cpu_update_hflags(env);
}

bool v86_int_sw(CPUState *env, int vector, uint32_t next_eip)
{
    if (v86_vme(env) && v86_redirected(env, vector)) {
        v86_redirect(env, vector, next_eip);
        return true;
    }
    if (iopl_level(env) < 3)
        raise_exception(env, EXCP_GP, 0);
    return false;
}

uint32_t v86_pushf(CPUState *env, uint32_t opsize)
{
    uint32_t fl = cpu_compute_eflags(env) & ~(VM_MASK | RF_MASK);

    if (iopl_level(env) == 3)
        return fl;
    if (!v86_vme(env) || opsize != 2)
        raise_exception(env, EXCP_GP, 0);
    fl |= IOPL_MASK;
    return (env->eflags & VIF_MASK) ? fl | IF_MASK : fl & ~IF_MASK;
}

void v86_popf(CPUState *env, uint32_t val, uint32_t opsize)
{
    if (iopl_level(env) == 3) {
        uint32_t mask = V86_FLAGS16 | IF_MASK;
        if (opsize == 4)
            mask |= AC_MASK | ID_MASK;      /* not VM, RF, IOPL, VIF, VIP */
        cpu_load_eflags(env, val, mask);
        return;
    }
    if (!v86_vme(env) || opsize != 2)
        raise_exception(env, EXCP_GP, 0);
    if ((val & TF_MASK) || ((val & IF_MASK) && (env->eflags & VIP_MASK)))
        raise_exception(env, EXCP_GP, 0);
    cpu_load_eflags(env, (val & V86_FLAGS16) | ((val & IF_MASK) ? VIF_MASK : 0),
                    V86_FLAGS16 | VIF_MASK);
}
