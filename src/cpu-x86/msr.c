/*
 * msr.c - RDMSR/WRMSR, the time-stamp counter, RDPMC and SYSENTER/SYSEXIT.
 *
 * Which MSRs exist depends on the CPU model (cpuid.h): an MSR the model
 * lacks, a read-only one written, or a write setting a reserved bit raises
 * #GP(0) (SDM Vol. 2B, RDMSR/WRMSR; Vol. 4 for the MSRs).  The CPL check
 * is the instruction table's IF_PRIV (#GP(0) at CPL > 0 and in v8086
 * mode); the front end only accepts RDMSR/WRMSR on models with CPUID.MSR.
 *
 *   0x10        IA32_TSC: reads the TSC; writes set its low 32 bits and
 *               clear the high half (SDM Vol. 3B 17.17)
 *   0x17, 0x8B  IA32_PLATFORM_ID (read 0), IA32_BIOS_SIGN_ID (reads 0,
 *               writes ignored: no microcode) on family 6
 *   0x1B        IA32_APIC_BASE on models claiming an APIC (tx86): base and
 *               global enable, BSP read-only; writes reach the local APIC
 *               (apic.c) through CPUState.apic_base_changed
 *   0xC1, 0xC2  PERFCTR0/1, 0x186/0x187 PERFEVTSEL0/1 (P6): state only,
 *               the counters do not count; RDPMC reads them
 *   0xFE, 0x2FF, 0x250.., 0x200..  MTRRs (8 variable, fixed): state only,
 *               memory types are checked but never applied
 *   0x174-0x176 SYSENTER_CS/ESP/EIP on models with SEP (low 32 bits kept)
 *   0x1A0       IA32_MISC_ENABLE (tx86 model): bits 0, 3, 16, 18, 22, 23,
 *               34 writable (MISC_ENABLE_RW); 22 limits CPUID leaf 0, 34
 *               hides NX from CPUID and turns EFER.NXE off
 *   0x277       IA32_PAT: state only, entries checked
 *   0xC0000080  IA32_EFER on models with NX: NXE only; a change flushes
 *               the TLB
 */
#include <string.h>
#include <glib.h>
#include "config.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/msr.h"
#include "cpu-x86/seg.h"
#include "bus/clock.h"
#include "cpu-x86/mem.h"
#include "util/log.h"

#define PHYS_ADDR_MASK  0x0000000ffffff000ull   /* 36-bit physical addresses */
#define MTRR_CAP_VALUE  0x508u                  /* WC, FIX, VCNT = 8 */
#define PERFEVTSEL_RSVD 0xffffffff00200000ull   /* bit 21 and bits 63:32 */
/* IA32_MISC_ENABLE bits software may change: fast strings (0), automatic
 * thermal control (3), EIST (16) and MONITOR (18) enables (state only: no
 * model claims EIST or MONITOR, whose CPUID bits stay clear), LIMIT_CPUID
 * (22), xTPR disable (23), XD disable (34).  Linux clears 22 and 34 when
 * they are set; test suites write 0x4_00c51809.  Read-only: 7, 11, 12. */
#define MISC_ENABLE_RW  ((1ull << 0) | (1ull << 3) | (1ull << 16) | (1ull << 18) | \
                         MISC_ENABLE_LIMIT_CPUID | (1ull << 23) | MISC_ENABLE_XD_DISABLE)
#define PAT_RESET       0x0007040600070406ull

static int msr_family(const CPUState *env)
{
    return (int)((cpuid_signature(env) >> 8) & 0xf);
}

void msr_reset(CPUState *env)
{
    env->tsc_last = 0;
    env->msr_sysenter_cs = env->msr_sysenter_esp = env->msr_sysenter_eip = 0;
    env->msr_apic_base = 0xfee00000u | (1u << 11) | (1u << 8);  /* enabled, BSP */
    env->msr_mtrr_def_type = 0;
    memset(env->msr_mtrr_fixed, 0, sizeof(env->msr_mtrr_fixed));
    memset(env->msr_mtrr_var, 0, sizeof(env->msr_mtrr_var));
    env->msr_pat = PAT_RESET;
    env->msr_misc_enable = 1u | (1u << 11) | (1u << 12);  /* fast strings; no BTS, PEBS */
    env->msr_perfevtsel[0] = env->msr_perfevtsel[1] = 0;
    env->msr_pmc[0] = env->msr_pmc[1] = 0;
    env->efer = 0;
}

static uint64_t tsc_base(CPUState *env)
{
    return env->clock ? (uint64_t)clock_now(env->clock) : env->icount;
}

uint64_t msr_read_tsc(CPUState *env)
{
    uint64_t t = tsc_base(env) + env->tsc_offset;

    if ((int64_t)(t - env->tsc_last) <= 0)
        t = env->tsc_last + 1;
    env->tsc_last = t;
    return t;
}

/* every model predates family 0F model 3: WRMSR writes the low 32 bits and
 * clears the high half (SDM Vol. 3B 17.17) */
static void msr_write_tsc(CPUState *env, uint64_t v)
{
    v &= 0xffffffffu;
    env->tsc_offset = v - tsc_base(env);
    env->tsc_last = v - 1;
}

/* memory type encodings valid in MTRRs (UC, WC, WT, WP, WB) and PAT (+UC-) */
static bool mtrr_type_ok(uint64_t t)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static bool mtrr_fixed_ok(uint64_t v)
{
    for (int i = 0; i < 8; i++)
        if (!mtrr_type_ok((v >> (8 * i)) & 0xff))
            return false;
    return true;
}

static bool pat_ok(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        uint64_t t = (v >> (8 * i)) & 0xff;
        if (t != 7 && !mtrr_type_ok(t))
            return false;
    }
    return true;
}

/* index into msr_mtrr_fixed[] of a fixed-range MTRR, or -1 */
static int mtrr_fixed_index(uint32_t msr)
{
    if (msr == MSR_IA32_MTRR_FIX64K)
        return 0;
    if (msr == MSR_IA32_MTRR_FIX16K_0 || msr == MSR_IA32_MTRR_FIX16K_1)
        return 1 + (int)(msr - MSR_IA32_MTRR_FIX16K_0);
    if (msr >= MSR_IA32_MTRR_FIX4K_0 && msr <= MSR_IA32_MTRR_FIX4K_0 + 7)
        return 3 + (int)(msr - MSR_IA32_MTRR_FIX4K_0);
    return -1;
}

static _Noreturn void msr_gp(CPUState *env, uint32_t msr, bool write, uint64_t v)
{
    if (log_enabled(LOG_UNIMP))
        log_printf("msr: %s of MSR %#x%s%#" G_GINT64_MODIFIER "x -> #GP(0)\n",
                   write ? "WRMSR" : "RDMSR", msr, write ? " value " : "", write ? v : 0);
    raise_exception(env, EXCP_GP, 0);
}

/* the MSR's value; #GP(0) if env's model has no such MSR */
static uint64_t msr_read(CPUState *env, uint32_t msr)
{
    const CPUModel *m = cpuid_get_model(env);
    bool p6 = msr_family(env) >= 6;
    int i;

    switch (msr) {
    case MSR_IA32_TSC:
        return msr_read_tsc(env);
    case MSR_IA32_PLATFORM_ID:
    case MSR_IA32_BIOS_SIGN_ID:
        if (p6)
            return 0;
        break;
    case MSR_IA32_APIC_BASE:
        if (m->features & CPUID_APIC)
            return env->msr_apic_base;
        break;
    case MSR_IA32_PERFCTR0: case MSR_IA32_PERFCTR1:
        if (m->pmc)
            return env->msr_pmc[msr - MSR_IA32_PERFCTR0];
        break;
    case MSR_IA32_PERFEVTSEL0: case MSR_IA32_PERFEVTSEL1:
        if (m->pmc)
            return env->msr_perfevtsel[msr - MSR_IA32_PERFEVTSEL0];
        break;
    case MSR_IA32_MTRRCAP:
        if (m->features & CPUID_MTRR)
            return MTRR_CAP_VALUE;
        break;
    case MSR_IA32_MTRR_DEF_TYPE:
        if (m->features & CPUID_MTRR)
            return env->msr_mtrr_def_type;
        break;
    case MSR_IA32_SYSENTER_CS:
        if (m->features & CPUID_SEP)
            return env->msr_sysenter_cs;
        break;
    case MSR_IA32_SYSENTER_ESP:
        if (m->features & CPUID_SEP)
            return env->msr_sysenter_esp;
        break;
    case MSR_IA32_SYSENTER_EIP:
        if (m->features & CPUID_SEP)
            return env->msr_sysenter_eip;
        break;
    case MSR_IA32_MISC_ENABLE:
        if (m->misc_enable)
            return env->msr_misc_enable;
        break;
    case MSR_IA32_PAT:
        if (m->features & CPUID_PAT)
            return env->msr_pat;
        break;
    case MSR_IA32_EFER:
        if (m->ext_features & CPUID_EXT_NX)
            return env->efer;
        break;
    default:
        if (!(m->features & CPUID_MTRR))
            break;
        if (msr >= MSR_IA32_MTRR_PHYSBASE0 && msr < MSR_IA32_MTRR_PHYSBASE0 + 16)
            return env->msr_mtrr_var[msr - MSR_IA32_MTRR_PHYSBASE0];
        i = mtrr_fixed_index(msr);
        if (i >= 0)
            return env->msr_mtrr_fixed[i];
        break;
    }
    msr_gp(env, msr, false, 0);
}

static void msr_write(CPUState *env, uint32_t msr, uint64_t v)
{
    int i;

    /* every MSR must exist: reading it raises #GP for us if it does not
     * (and costs nothing: no MSR read has side effects but the TSC's) */
    if (msr != MSR_IA32_TSC)
        (void)msr_read(env, msr);
    switch (msr) {
    case MSR_IA32_TSC:
        msr_write_tsc(env, v);
        return;
    case MSR_IA32_PLATFORM_ID:
    case MSR_IA32_MTRRCAP:
        break;                                  /* read-only */
    case MSR_IA32_BIOS_SIGN_ID:
        return;                                 /* no microcode: ignored */
    case MSR_IA32_APIC_BASE:
        if (v & ~(PHYS_ADDR_MASK | (1u << 11) | (1u << 8)))
            break;
        /* BSP (bit 8) is read-only: there is one CPU, the bootstrap one */
        env->msr_apic_base = (v & ~(uint64_t)(1u << 8)) | (env->msr_apic_base & (1u << 8));
        if (env->apic_base_changed)
            env->apic_base_changed(env->apic_opaque);   /* apic.c */
        return;
    case MSR_IA32_PERFCTR0: case MSR_IA32_PERFCTR1:
        /* P6: the low 32 bits, sign-extended to the 40-bit counter */
        env->msr_pmc[msr - MSR_IA32_PERFCTR0] =
            (uint64_t)(int64_t)(int32_t)(uint32_t)v & 0xffffffffffull;
        return;
    case MSR_IA32_PERFEVTSEL0: case MSR_IA32_PERFEVTSEL1:
        if (v & PERFEVTSEL_RSVD)
            break;
        env->msr_perfevtsel[msr - MSR_IA32_PERFEVTSEL0] = v;
        return;
    case MSR_IA32_MTRR_DEF_TYPE:
        if ((v & ~0xcffull) || !mtrr_type_ok(v & 0xff))
            break;
        env->msr_mtrr_def_type = v;
        return;
    case MSR_IA32_SYSENTER_CS:
        env->msr_sysenter_cs = (uint32_t)v;
        return;
    case MSR_IA32_SYSENTER_ESP:
        env->msr_sysenter_esp = (uint32_t)v;
        return;
    case MSR_IA32_SYSENTER_EIP:
        env->msr_sysenter_eip = (uint32_t)v;
        return;
    case MSR_IA32_MISC_ENABLE:
        if ((v ^ env->msr_misc_enable) & ~(uint64_t)MISC_ENABLE_RW)
            break;                              /* read-only bits changed */
        env->msr_misc_enable = v;
        if ((v & MISC_ENABLE_XD_DISABLE) && (env->efer & EFER_NXE)) {
            env->efer &= ~(uint64_t)EFER_NXE;   /* no XD bit any more */
            tlb_flush(env);
        }
        return;
    case MSR_IA32_PAT:
        if (!pat_ok(v))
            break;
        env->msr_pat = v;
        return;
    case MSR_IA32_EFER:
        if ((v & ~(uint64_t)EFER_NXE) ||
            ((v & EFER_NXE) && (env->msr_misc_enable & MISC_ENABLE_XD_DISABLE)))
            break;
        if ((v ^ env->efer) & EFER_NXE)
            tlb_flush(env);                     /* cached rights depend on NXE */
        env->efer = v;
        return;
    default:
        if (msr >= MSR_IA32_MTRR_PHYSBASE0 && msr < MSR_IA32_MTRR_PHYSBASE0 + 16) {
            bool is_mask = (msr - MSR_IA32_MTRR_PHYSBASE0) & 1;
            if (is_mask ? (v & ~(PHYS_ADDR_MASK | 0x800u))
                        : ((v & ~(PHYS_ADDR_MASK | 0xffu)) || !mtrr_type_ok(v & 0xff)))
                break;
            env->msr_mtrr_var[msr - MSR_IA32_MTRR_PHYSBASE0] = v;
            return;
        }
        i = mtrr_fixed_index(msr);
        if (i >= 0 && mtrr_fixed_ok(v)) {
            env->msr_mtrr_fixed[i] = v;
            return;
        }
        break;
    }
    msr_gp(env, msr, true, v);
}

void helper_rdmsr(CPUState *env)
{
    uint64_t v = msr_read(env, env->regs[R_ECX]);

    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = (uint32_t)(v >> 32);
}

void helper_wrmsr(CPUState *env)
{
    msr_write(env, env->regs[R_ECX],
              (uint64_t)env->regs[R_EDX] << 32 | env->regs[R_EAX]);
}

/* RDPMC: CR4.PCE or CPL 0 (real mode is CPL 0); ECX selects PERFCTR0/1 */
void helper_rdpmc(CPUState *env)
{
    uint32_t n = env->regs[R_ECX];

    if (!(env->cr[4] & CR4_PCE) && cpu_cpl(env) != 0)
        raise_exception(env, EXCP_GP, 0);
    if (n > 1)
        raise_exception(env, EXCP_GP, 0);
    env->regs[R_EAX] = (uint32_t)env->msr_pmc[n];
    env->regs[R_EDX] = (uint32_t)(env->msr_pmc[n] >> 32) & 0xff;
}

/* a flat 4 GiB segment as SYSENTER/SYSEXIT load it (no descriptor read) */
static void sys_flat_seg(SegmentCache *sc, uint32_t sel, uint32_t dpl, bool code)
{
    sc->selector = (uint16_t)sel;
    sc->base = 0;
    sc->limit = 0xffffffffu;
    sc->flags = DESC_G_MASK | DESC_B_MASK | 0x000f0000u | DESC_P_MASK | DESC_S_MASK |
                (dpl << DESC_DPL_SHIFT) | ((code ? 0xbu : 0x3u) << DESC_TYPE_SHIFT);
}

/* hflags after SYSENTER/SYSEXIT loaded the flat CS and SS at `cpl`.  In
 * protected mode outside v8086 (the mode does not change) only CPL and
 * the CS/SS parts differ from what cpu_update_hflags() computed before:
 * both 32-bit, CS readable code (class UP_RO), SS flat writable data
 * (FLAT); they are patched in, which saves the recomputation of every
 * segment's class on each system call.  From v8086 mode (SYSENTER
 * clears VM) everything is recomputed. */
static void sys_set_cpl(CPUState *env, uint32_t cpl, bool was_vm)
{
    uint32_t seg_cs = 3u << (HF_SEG_SHIFT + 2 * R_CS), seg_ss = 3u << (HF_SEG_SHIFT + 2 * R_SS);

    if (was_vm) {
        env->hflags = (env->hflags & ~HF_CPL_MASK) | (cpl << HF_CPL_SHIFT);
        cpu_update_hflags(env);
        return;
    }
    env->hflags = (env->hflags & ~(HF_CPL_MASK | seg_cs | seg_ss)) | (cpl << HF_CPL_SHIFT) |
                  HF_CS32 | HF_SS32 | ((uint32_t)SEG_CLS_UP_RO << (HF_SEG_SHIFT + 2 * R_CS)) |
                  ((uint32_t)SEG_CLS_FLAT << (HF_SEG_SHIFT + 2 * R_SS));
#if TX86_DEBUG
    uint32_t patched = env->hflags;             /* the debug build checks the patch */
    cpu_update_hflags(env);
    g_assert(env->hflags == patched);
#endif
}

/* SYSENTER (SDM Vol. 2B): to CPL 0 at SYSENTER_CS:SYSENTER_EIP, flat CS
 * and SS (= CS + 8), ESP = SYSENTER_ESP; clears VM, IF and RF */
void helper_sysenter(CPUState *env)
{
    uint32_t cs = (uint32_t)env->msr_sysenter_cs & 0xfffc;
    bool was_vm = (env->eflags & VM_MASK) != 0;

    if (!(env->cr[0] & CR0_PE) || cs == 0)
        raise_exception(env, EXCP_GP, 0);
    env->eflags &= ~(VM_MASK | IF_MASK | RF_MASK);
    sys_flat_seg(&env->seg[R_CS], cs, 0, true);
    sys_flat_seg(&env->seg[R_SS], cs + 8, 0, false);
    sys_set_cpl(env, 0, was_vm);
    env->regs[R_ESP] = (uint32_t)env->msr_sysenter_esp;
    env->eip = (uint32_t)env->msr_sysenter_eip;
}

/* SYSEXIT (SDM Vol. 2B): from CPL 0 to CPL 3 at (SYSENTER_CS + 16) | 3 :
 * EDX, SS = (SYSENTER_CS + 24) | 3, ESP = ECX; flags unchanged */
void helper_sysexit(CPUState *env)
{
    uint32_t cs = (uint32_t)env->msr_sysenter_cs & 0xfffc;

    if (!(env->cr[0] & CR0_PE) || cs == 0 || cpu_cpl(env) != 0)
        raise_exception(env, EXCP_GP, 0);
    sys_flat_seg(&env->seg[R_CS], ((cs + 16) & 0xfffc) | 3, 3, true);
    sys_flat_seg(&env->seg[R_SS], ((cs + 24) & 0xfffc) | 3, 3, false);
    sys_set_cpl(env, 3, false);             /* CPL 0: never v8086 */
    env->regs[R_ESP] = env->regs[R_ECX];
    env->eip = env->regs[R_EDX];
}
