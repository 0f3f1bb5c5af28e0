/*
 * cpuid.c - the CPU model table (-cpu) and the CPUID instruction.
 *
 * Each model claims exactly the features tx86 implements (docs/cpu.md,
 * "Privileged instructions, MSRs and CPU models"): FPU (x87), VME/PVI
 * (protection work), DE (debug registers), PSE, PAE, PGE and NX (paging),
 * TSC, MSR, CX8, CMOV, SEP, MTRR and PAT (MTRRs and PAT are kept as state;
 * there are no caches to apply them to) and APIC (the default model only:
 * the local APIC is apic.c, created by the board), MMX, FXSR, SSE, SSE2,
 * CLFSH, SSE3 (without MONITOR/MWAIT, which no model claims) and SSSE3
 * (sse/, fpu/ for FISTTP).  MCE, MCA, PSE36, MONITOR, MOVBE, 3DNow! and the AMD MMX
 * extensions are claimed by no model.  The default model "tx86" is a P6
 * (family 6) that Debian's 686 kernel accepts (it needs FPU, CX8, CMOV,
 * TSC) with a brand string and NX in leaf 0x80000001.
 *
 * Unknown leaves return the highest basic leaf, as Intel CPUs do
 * (SDM Vol. 2A, CPUID, "INPUT EAX = 0"); ECX is ignored by every leaf we
 * report.
 */
#include <string.h>
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/msr.h"

/* leaf 2 cache descriptors: 01/02/03/04 TLBs, 06/08 L1 code 8/16 KiB,
 * 0A/0C L1 data 8/16 KiB, 42/43 L2 256/512 KiB (SDM Vol. 2A, Table 3-12) */
#define CACHE_PPRO { 0x03020101u, 0, 0, 0x06040a42u }
#define CACHE_P2   { 0x03020101u, 0, 0, 0x0c040843u }

#define F_P5  (CPUID_FPU | CPUID_VME | CPUID_DE | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8)
#define F_P6  (F_P5 | CPUID_PAE | CPUID_MTRR | CPUID_PGE | CPUID_CMOV)
#define F_P2  (F_P6 | CPUID_SEP | CPUID_PAT | CPUID_MMX)
#define F_P3  (F_P2 | CPUID_FXSR | CPUID_SSE)
#define F_P4  (F_P3 | CPUID_SSE2 | CPUID_CLFSH)
/* leaf 2 of the SSE parts: P4 Willamette (trace cache 12K uops, L1D 8 KiB,
 * L2 256 KiB, TLBs 50/5B/66), Core Duo T2600 (L1 32+32 KiB, L2 2 MiB), Atom
 * N270 (L1 24+32 KiB, L2 512 KiB); SDM Vol. 2A, Table 3-12 */
#define CACHE_P4     { 0x665b5001u, 0, 0, 0x007a7000u }
#define CACHE_YONAH  { 0x02b3b001u, 0x000000f0u, 0, 0x2c04307du }
#define CACHE_ATOM   { 0x4fba5901u, 0x0e3080c0u, 0, 0 }

static const CPUModel cpu_models[] = {
    { .name = "486", .desc = "Intel486 DX4: CPUID, FPU, VME; no RDTSC, MSRs, CMPXCHG8B",
      .level = 1, .signature = 0x480, .features = CPUID_FPU | CPUID_VME },
    { .name = "pentium", .desc = "Pentium (P54C): + DE, PSE, TSC, MSR, CX8; no CMOV",
      .level = 1, .signature = 0x52c, .features = F_P5 },
    { .name = "pentiumpro", .desc = "Pentium Pro: P6, + PAE, MTRR, PGE, CMOV, RDPMC; no SYSENTER",
      .level = 2, .signature = 0x619, .features = F_P6, .cache = CACHE_PPRO, .pmc = true },
    { .name = "pentium2", .desc = "Pentium II (Deschutes): Pentium Pro + MMX, SEP, PAT",
      .level = 2, .signature = 0x652, .features = F_P2, .cache = CACHE_P2, .pmc = true },
    { .name = "pentium3", .desc = "Pentium III (Katmai): pentium2 + FXSR, SSE (no DAZ)",
      .level = 2, .signature = 0x673, .features = F_P3, .cache = CACHE_P2, .pmc = true },
    { .name = "pentium4", .desc = "Pentium 4 (Willamette): pentium3 + SSE2, CLFLUSH (no DAZ)",
      .level = 2, .signature = 0xf12, .features = F_P4, .cache = CACHE_P4,
      .xlevel = 0x80000004u, .brand = "Intel(R) Pentium(R) 4 CPU 1.50GHz", .misc_enable = true },
    { .name = "coreduo", .desc = "Core Duo T2600 (Yonah): pentium4 + SSE3, NX (no SSSE3)",
      .level = 10, .signature = 0x6e8, .features = F_P4, .features_ecx = CPUID_ECX_SSE3,
      .cache = CACHE_YONAH, .xlevel = 0x80000008u, .ext_features = CPUID_EXT_NX,
      .brand = "Genuine Intel(R) CPU           T2600  @ 2.16GHz", .mxcsr_daz = true,
      .pmc = true, .misc_enable = true },
    { .name = "n270", .desc = "Atom N270: coreduo + SSSE3",
      .level = 10, .signature = 0x106c2, .features = F_P4,
      .features_ecx = CPUID_ECX_SSE3 | CPUID_ECX_SSSE3, .cache = CACHE_ATOM,
      .xlevel = 0x80000008u, .ext_features = CPUID_EXT_NX,
      .brand = "Intel(R) Atom(TM) CPU N270   @ 1.60GHz", .mxcsr_daz = true,
      .pmc = true, .misc_enable = true },
    { .name = "athlon", .desc = "AMD Athlon (K7): MMX, FXSR, no SSE; 3DNow! not implemented nor claimed",
      .level = 1, .signature = 0x623, .features = F_P6 | CPUID_SEP | CPUID_PAT | CPUID_MMX | CPUID_FXSR,
      .vendor = "AuthenticAMD", .xlevel = 0x80000004u, .brand = "AMD Athlon(tm) Processor" },
    { .name = "qemu32", .desc = "QEMU's qemu32: P6 with MMX, SSE, SSE2, SSE3",
      .level = 4, .signature = 0x663, .features = F_P4, .features_ecx = CPUID_ECX_SSE3,
      .xlevel = 0x80000004u, .brand = "QEMU Virtual CPU version 2.5+", .mxcsr_daz = true },
    { .name = "kvm32", .desc = "QEMU's kvm32: family 15 with MMX, SSE, SSE2, SSE3",
      .level = 5, .signature = 0xf61, .features = F_P4 | CPUID_VME, .features_ecx = CPUID_ECX_SSE3,
      .xlevel = 0x80000008u, .brand = "Common 32-bit KVM processor", .mxcsr_daz = true,
      .misc_enable = true },            /* family 15: Linux reads IA32_MISC_ENABLE */
    { .name = "tx86", .desc = "tx86 P6 (default): MMX, SSE, SSE2, SSE3 (no SSSE3), APIC, NX, brand string",
      .level = 2, .signature = 0x633, .features = F_P4 | CPUID_APIC,
      .features_ecx = CPUID_ECX_SSE3, .mxcsr_daz = true,
      .cache = CACHE_P2, .xlevel = 0x80000004u, .ext_features = CPUID_EXT_NX,
      .brand = "tx86 P6-class virtual CPU", .pmc = true, .misc_enable = true },
};

const CPUModel *cpuid_find_model(const char *name)
{
    for (size_t i = 0; i < sizeof(cpu_models) / sizeof(cpu_models[0]); i++)
        if (!strcmp(cpu_models[i].name, name))
            return &cpu_models[i];
    return NULL;
}

void cpuid_list_models(FILE *f)
{
    fprintf(f, "Available CPUs (default %s):\n", CPUID_DEFAULT_MODEL);
    for (size_t i = 0; i < sizeof(cpu_models) / sizeof(cpu_models[0]); i++)
        fprintf(f, "  %-12s %s\n", cpu_models[i].name, cpu_models[i].desc);
}

void cpuid_set_model(CPUState *env, const CPUModel *m)
{
    uint32_t f;

    if (!m)
        m = cpuid_find_model(CPUID_DEFAULT_MODEL);
    env->model = m;
    env->cpuid_level = m->level;
    f = 0;
    if (m->features & CPUID_TSC)
        f |= 1u << INSN_FEAT_TSC;
    if (m->features & CPUID_MSR)
        f |= 1u << INSN_FEAT_MSR;
    if (m->features & CPUID_CX8)
        f |= 1u << INSN_FEAT_CX8;
    if (m->features & CPUID_CMOV)
        f |= 1u << INSN_FEAT_CMOV;
    if (m->features & CPUID_SEP)
        f |= 1u << INSN_FEAT_SEP;
    if (m->pmc)
        f |= 1u << INSN_FEAT_PMC;
    if (m->features & CPUID_MMX)
        f |= 1u << INSN_FEAT_MMX;
    if ((m->features & CPUID_SSE) && (m->features & CPUID_FXSR))
        f |= 1u << INSN_FEAT_SSE;
    if (m->features & CPUID_SSE2)
        f |= 1u << INSN_FEAT_SSE2;
    if (m->features_ecx & CPUID_ECX_SSE3)
        f |= 1u << INSN_FEAT_SSE3;
    if (m->features_ecx & CPUID_ECX_SSSE3)
        f |= 1u << INSN_FEAT_SSSE3;
    if (((m->signature >> 8) & 0xf) == 6 || ((m->signature >> 8) & 0xf) == 0xf)
        f |= 1u << INSN_FEAT_NOPL;      /* SDM Vol. 2B, NOP: "CPUID.01H.EAX[11:8] = 0110B or 1111B" */
    env->insn_features = f;
}

const char *cpuid_insn_feature_name(InsnFeature f)
{
    static const char *const names[] = {
        [INSN_FEAT_ANY] = "-", [INSN_FEAT_TSC] = "TSC", [INSN_FEAT_MSR] = "MSR",
        [INSN_FEAT_CX8] = "CX8", [INSN_FEAT_CMOV] = "CMOV", [INSN_FEAT_SEP] = "SEP",
        [INSN_FEAT_PMC] = "RDPMC (P6 family)", [INSN_FEAT_NOPL] = "hint NOPs (P6 family)",
        [INSN_FEAT_MMX] = "MMX", [INSN_FEAT_SSE] = "SSE", [INSN_FEAT_SSE2] = "SSE2",
        [INSN_FEAT_SSE3] = "SSE3", [INSN_FEAT_SSSE3] = "SSSE3",
    };
    return (unsigned)f < G_N_ELEMENTS(names) && names[f] ? names[f] : "?";
}

/* env's model; the default one for a CPUState that was zeroed by hand
 * (unit tests) rather than set up by cpu_init */
static const CPUModel *cpuid_model(const CPUState *env)
{
    return env->model ? env->model : cpuid_find_model(CPUID_DEFAULT_MODEL);
}

const CPUModel *cpuid_get_model(const CPUState *env)
{
    return cpuid_model(env);
}

uint32_t cpuid_signature(const CPUState *env)
{
    return cpuid_model(env)->signature;
}

bool cpuid_has(const CPUState *env, uint32_t mask)
{
    return (cpuid_model(env)->features & mask) == mask;
}

uint32_t cpuid_cr4_mask(const CPUState *env)
{
    const CPUModel *m = cpuid_model(env);
    uint32_t mask = 0;

    if (m->features & CPUID_VME)
        mask |= CR4_VME | CR4_PVI;
    if (m->features & CPUID_TSC)
        mask |= CR4_TSD;
    if (m->features & CPUID_DE)
        mask |= CR4_DE;
    if (m->features & CPUID_PSE)
        mask |= CR4_PSE;
    if (m->features & CPUID_PAE)
        mask |= CR4_PAE;
    if (m->features & CPUID_MCE)
        mask |= CR4_MCE;
    if (m->features & CPUID_PGE)
        mask |= CR4_PGE;
    if (m->pmc)
        mask |= CR4_PCE;
    if (m->features & CPUID_FXSR)
        mask |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    return mask;
}

/* four little-endian dwords of the brand string from offset off */
static void cpuid_brand(const char *brand, uint32_t off, uint32_t out[4])
{
    char buf[48] = { 0 };

    strncpy(buf, brand, sizeof(buf) - 1);
    for (int i = 0; i < 4; i++) {
        const unsigned char *p = (const unsigned char *)buf + off + 4 * i;
        out[i] = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
    }
}

void cpuid_query(const CPUState *env, uint32_t leaf, uint32_t out[4])
{
    const CPUModel *m = cpuid_model(env);
    uint32_t level = m->level;

    if (m->misc_enable && (env->msr_misc_enable & MISC_ENABLE_LIMIT_CPUID) && level > 2)
        level = 2;      /* IA32_MISC_ENABLE.LIMIT_CPUID */
    if (leaf >= 0x80000000u ? leaf > m->xlevel : leaf > level)
        leaf = level;   /* out of range: the highest basic leaf */
    out[0] = out[1] = out[2] = out[3] = 0;
    switch (leaf) {
    case 0: {
        const char *v = m->vendor ? m->vendor : "GenuineIntel";
        out[0] = level;
        memcpy(&out[1], v, 4);          /* "Genu" */
        memcpy(&out[3], v + 4, 4);      /* "ineI" */
        memcpy(&out[2], v + 8, 4);      /* "ntel" */
        break;
    }
    case 1:
        out[0] = m->signature;
        if (m->features & CPUID_CLFSH)
            out[1] = 8u << 8;           /* CLFLUSH line size: 8 x 8 = 64 bytes */
        out[2] = m->features_ecx;
        out[3] = m->features;
        if (!(env->msr_apic_base & (1u << 11)))
            out[3] &= ~CPUID_APIC;  /* APIC globally disabled (SDM 10.4.3) */
        break;
    case 2:
        memcpy(out, m->cache, sizeof(m->cache));
        break;
    case 0x80000000u:
        out[0] = m->xlevel;
        break;
    case 0x80000001u:
        out[3] = m->ext_features;
        if (env->msr_misc_enable & MISC_ENABLE_XD_DISABLE)
            out[3] &= ~CPUID_EXT_NX;
        break;
    case 0x80000002u: case 0x80000003u: case 0x80000004u:
        cpuid_brand(m->brand ? m->brand : "", (leaf - 0x80000002u) * 16, out);
        break;
    case 0x80000008u:
        out[0] = 32u << 8 | 32u;    /* 32-bit linear and physical addresses (Linux
                                     * sizes iomem_resource from this) */
        break;
    default:
        if (leaf < 0x80000000u || leaf <= 0x80000007u)
            break;          /* leaves 3-10, 0x80000005-7: not modelled, zero */
        g_assert_not_reached();
    }
}
