/*
 * msr.h - model-specific registers, the time-stamp counter, RDPMC and
 * SYSENTER/SYSEXIT (msr.c).
 *
 * The helpers (helper_rdmsr, helper_wrmsr, helper_rdpmc, helper_sysenter,
 * helper_sysexit) are declared through helpers.def; this header has what
 * the rest of the CPU core calls: reset of the MSR state (cpu_reset) and
 * the TSC read shared by RDTSC and RDMSR 0x10.
 */
#ifndef TX86_MSR_H
#define TX86_MSR_H

#include <stdint.h>

struct CPUState;

#define MSR_IA32_TSC            0x010u
#define MSR_IA32_PLATFORM_ID    0x017u
#define MSR_IA32_APIC_BASE      0x01bu
#define MSR_IA32_BIOS_SIGN_ID   0x08bu
#define MSR_IA32_PERFCTR0       0x0c1u
#define MSR_IA32_PERFCTR1       0x0c2u
#define MSR_IA32_MTRRCAP        0x0feu
#define MSR_IA32_SYSENTER_CS    0x174u
#define MSR_IA32_SYSENTER_ESP   0x175u
#define MSR_IA32_SYSENTER_EIP   0x176u
#define MSR_IA32_PERFEVTSEL0    0x186u
#define MSR_IA32_PERFEVTSEL1    0x187u
#define MSR_IA32_MISC_ENABLE    0x1a0u
#define MSR_IA32_MTRR_PHYSBASE0 0x200u   /* ..0x20F: base/mask pairs */
#define MSR_IA32_MTRR_FIX64K    0x250u
#define MSR_IA32_MTRR_FIX16K_0  0x258u
#define MSR_IA32_MTRR_FIX16K_1  0x259u
#define MSR_IA32_MTRR_FIX4K_0   0x268u   /* ..0x26F */
#define MSR_IA32_PAT            0x277u
#define MSR_IA32_MTRR_DEF_TYPE  0x2ffu
#define MSR_IA32_EFER           0xc0000080u

#define EFER_NXE (1u << 11)

/* IA32_MISC_ENABLE bits with an effect (SDM Vol. 4, Table 2-2) */
#define MISC_ENABLE_LIMIT_CPUID (1ull << 22)  /* CPUID.0 reports at most leaf 2 */
#define MISC_ENABLE_XD_DISABLE  (1ull << 34)  /* hides CPUID NX; EFER.NXE #GP */

/* power-on values of every MSR (TSC excepted: it keeps counting) */
void msr_reset(struct CPUState *env);
/* the TSC: virtual nanoseconds (1 GHz nominal) plus the WRMSR offset,
 * strictly increasing from one read to the next */
uint64_t msr_read_tsc(struct CPUState *env);

#endif
