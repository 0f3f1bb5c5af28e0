/*
 * iopl.c - I/O privilege checks (SDM vol. 1 §19.5, vol. 3 §20.4).
 *
 * Port access (IN, OUT, INS, OUTS; helpers_sys.c and helpers_string.c call
 * iopl_check_io() before touching the port): allowed in real mode and in
 * protected mode when CPL <= IOPL; otherwise (CPL > IOPL, or virtual-8086
 * mode whatever IOPL) every bit of the access in the I/O permission
 * bitmap of the current 32-bit TSS must be clear.  The bitmap starts at
 * the offset stored at TSS+0x66; the CPU always reads the two bytes
 * holding the bits, and any of them beyond the TSS limit (or a 16-bit or
 * missing TSS) means "not permitted": #GP(0).
 *
 * CLI/STI (helper_cli/helper_sti call in here), by the SDM's pseudo code:
 *   real mode, or CPL <= IOPL (VM=0), or IOPL = 3 (VM=1): change IF;
 *   VM=1, IOPL < 3, CR4.VME:            change VIF instead;
 *   VM=0, CPL = 3 > IOPL, CR4.PVI:      change VIF instead;
 *   STI in those two cases with VIP = 1: #GP(0); otherwise #GP(0).
 */
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/iopl.h"
#include "cpu-x86/mem.h"

void iopl_check_io(CPUState *env, uint32_t port, int size)
{
    uint32_t type, io_base, off, bits;

    if (!(env->cr[0] & CR0_PE))
        return;
    if (!(env->eflags & VM_MASK) && (uint32_t)cpu_cpl(env) <= iopl_level(env))
        return;
    type = (env->tr.flags >> DESC_TYPE_SHIFT) & 0xf;
    if ((type != 0x9 && type != 0xb) || env->tr.limit < 0x67)
        raise_exception(env, EXCP_GP, 0);
    io_base = mmu_ld_fast(env, env->tr.base + 0x66, 2, TLB_MMU_KERNEL);
    off = io_base + (port >> 3);
    if (off + 1 > env->tr.limit)
        raise_exception(env, EXCP_GP, 0);
    bits = mmu_ld_fast(env, env->tr.base + off, 2, TLB_MMU_KERNEL);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        raise_exception(env, EXCP_GP, 0);
}

/* 0: use IF, 1: use VIF, or raise #GP(0) */
static bool iopl_use_vif(CPUState *env)
{
    if (!(env->cr[0] & CR0_PE))
        return false;
    if (env->eflags & VM_MASK) {
        if (iopl_level(env) == 3)
            return false;
        if (env->cr[4] & CR4_VME)
            return true;
    } else {
        if ((uint32_t)cpu_cpl(env) <= iopl_level(env))
            return false;
        if (cpu_cpl(env) == 3 && (env->cr[4] & CR4_PVI))
            return true;
    }
    raise_exception(env, EXCP_GP, 0);
}

void iopl_cli(CPUState *env)
{
    if (iopl_use_vif(env))
        env->eflags &= ~VIF_MASK;
    else
        env->eflags &= ~IF_MASK;
}

void iopl_sti(CPUState *env)
{
    if (iopl_use_vif(env)) {
        if (env->eflags & VIP_MASK)
            raise_exception(env, EXCP_GP, 0);
        env->eflags |= VIF_MASK;
        return;
    }
    if (!(env->eflags & IF_MASK))
        env->hflags |= HF_INHIBIT_IRQ;
    env->eflags |= IF_MASK;
}
