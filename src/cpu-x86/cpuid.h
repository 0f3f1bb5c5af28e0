/*
 * cpuid.h - the CPU models tx86 offers (-cpu) and what each one reports.
 *
 * One table in cpuid.c lists every model: CPUID signature, leaf 1 feature
 * bits, cache descriptors, extended leaves, and the optional instructions
 * the front end accepts on it (INSN_FEAT_*, checked against the `feature`
 * column of the instruction table: a missing one is #UD).  A model claims
 * exactly what tx86 implements: no MCE, MCA, PSE36, 3DNow!, MONITOR, MOVBE;
 * APIC only on the default model.
 *
 *     const CPUModel *m = cpuid_find_model("pentium2");   // NULL: unknown
 *     cpuid_set_model(env, m);        // after cpu_init, before cpu_reset
 *     cpuid_list_models(stdout);      // -cpu help
 */
#ifndef TX86_CPUID_H
#define TX86_CPUID_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct CPUState;

/* CPUID.1:EDX feature bits */
#define CPUID_FPU   (1u << 0)
#define CPUID_VME   (1u << 1)
#define CPUID_DE    (1u << 2)
#define CPUID_PSE   (1u << 3)
#define CPUID_TSC   (1u << 4)
#define CPUID_MSR   (1u << 5)
#define CPUID_PAE   (1u << 6)
#define CPUID_MCE   (1u << 7)
#define CPUID_CX8   (1u << 8)
#define CPUID_APIC  (1u << 9)
#define CPUID_SEP   (1u << 11)
#define CPUID_MTRR  (1u << 12)
#define CPUID_PGE   (1u << 13)
#define CPUID_MCA   (1u << 14)
#define CPUID_CMOV  (1u << 15)
#define CPUID_PAT   (1u << 16)
#define CPUID_CLFSH (1u << 19)
#define CPUID_MMX   (1u << 23)
#define CPUID_FXSR  (1u << 24)
#define CPUID_SSE   (1u << 25)
#define CPUID_SSE2  (1u << 26)
/* CPUID.1:ECX */
#define CPUID_ECX_SSE3  (1u << 0)
#define CPUID_ECX_SSSE3 (1u << 9)
/* CPUID.80000001h:EDX */
#define CPUID_EXT_NX (1u << 20)

/* CR4 bits (iopl.h spells VME and PVI the same way) */
#define CR4_VME 0x00000001u
#define CR4_PVI 0x00000002u
#define CR4_TSD 0x00000004u
#define CR4_DE 0x00000008u
#define CR4_PSE 0x00000010u
#define CR4_PAE 0x00000020u
#define CR4_MCE 0x00000040u
#define CR4_PGE 0x00000080u
#define CR4_PCE 0x00000100u
#define CR4_OSFXSR 0x00000200u
#define CR4_OSXMMEXCPT 0x00000400u

/* optional instructions, for InsnInfo.feature (0 = every model has it) */
typedef enum InsnFeature {
    INSN_FEAT_ANY = 0,
    INSN_FEAT_TSC,      /* RDTSC */
    INSN_FEAT_MSR,      /* RDMSR, WRMSR */
    INSN_FEAT_CX8,      /* CMPXCHG8B */
    INSN_FEAT_CMOV,     /* CMOVcc, and with the FPU FCMOVcc, FCOMI(P), FUCOMI(P) */
    INSN_FEAT_SEP,      /* SYSENTER, SYSEXIT */
    INSN_FEAT_PMC,      /* RDPMC (P6 family) */
    INSN_FEAT_NOPL,     /* the hint-NOP space 0F 18..1F (family 6 and 15) */
    INSN_FEAT_MMX,      /* MMX (sse/simd.h) */
    INSN_FEAT_SSE,      /* SSE: XMM moves/logic, SSE integer ops on MMX registers, SFENCE */
    INSN_FEAT_SSE2,     /* SSE2: 128-bit integer ops, LFENCE/MFENCE/CLFLUSH, MOVNTI */
    INSN_FEAT_SSE3,     /* SSE3: MOVDDUP, MOVSHDUP, MOVSLDUP, LDDQU */
    INSN_FEAT_SSSE3,    /* SSSE3 */
} InsnFeature;

typedef struct CPUModel {
    const char *name;           /* -cpu NAME */
    const char *desc;           /* one line for -cpu help */
    uint32_t level;             /* highest basic leaf */
    uint32_t signature;         /* leaf 1 EAX: stepping | model << 4 | family << 8 */
    uint32_t features;          /* leaf 1 EDX (CPUID_*) */
    uint32_t features_ecx;      /* leaf 1 ECX (CPUID_ECX_*) */
    const char *vendor;         /* leaf 0 vendor string (NULL: GenuineIntel) */
    bool mxcsr_daz;             /* MXCSR.DAZ exists: writable MXCSR bits FFFFh (FXSAVE's
                                 * MXCSR_MASK FFFFh), else FFBFh (MXCSR_MASK 0) */
    uint32_t cache[4];          /* leaf 2 EAX EBX ECX EDX (0: no leaf 2) */
    uint32_t xlevel;            /* highest extended leaf, 0 = none */
    uint32_t ext_features;      /* 0x80000001 EDX */
    const char *brand;          /* 0x80000002..4 (NULL: none) */
    bool pmc;                   /* RDPMC, PERFEVTSEL/PERFCTR MSRs (P6) */
    bool misc_enable;           /* IA32_MISC_ENABLE exists */
} CPUModel;

#define CPUID_DEFAULT_MODEL "tx86"

/* the model called name (case-sensitive), NULL if there is none */
const CPUModel *cpuid_find_model(const char *name);
/* every model name with its description, one a line */
void cpuid_list_models(FILE *f);
/* make env that model (NULL = the default); sets cpuid_level and
 * insn_features; call before cpu_reset (which reports the signature) */
void cpuid_set_model(struct CPUState *env, const CPUModel *m);
/* env's model (the default if env->model was never set) */
const CPUModel *cpuid_get_model(const struct CPUState *env);
/* leaf 1 EAX of env's model: EDX after reset */
uint32_t cpuid_signature(const struct CPUState *env);
/* CR4 bits env's model supports (the rest are reserved: #GP) */
uint32_t cpuid_cr4_mask(const struct CPUState *env);
/* the name of an INSN_FEAT_* ("CMOV", ...) for messages */
const char *cpuid_insn_feature_name(InsnFeature f);
/* env's model has every feature bit of mask in leaf 1 EDX */
bool cpuid_has(const struct CPUState *env, uint32_t mask);
/* the CPUID instruction: leaf in EAX (ECX ignored), results in EAX..EDX */
void cpuid_query(const struct CPUState *env, uint32_t leaf, uint32_t out[4]);

#endif
