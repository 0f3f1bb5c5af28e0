/*
 * test_simd.c - the SIMD tables and CPU models (src/cpu-x86/sse/simd.h,
 * insn_table_simd.inc, cpuid.c): every SimdOp has a form and a table row,
 * the feature gates each model derives from its CPUID bits, the vendor and
 * ECX leaves, MXCSR_MASK, and the 16-byte alignment of env->xmm.  The
 * instructions' results are checked against the host by difftest --simd.
 */
#include <CUnit/CUnit.h>
#include "unit_util.h"
#include <string.h>
#include <glib.h>
#include "cpu-x86/frontend.h"
#include "cpu-x86/gen.h"
#include "cpu-x86/sse/simd.h"

static void test_simd_table(void)
{
    bool seen[SOP_COUNT] = { false };

    for (int op = 0; op < SOP_COUNT; op++)
        CU_ASSERT(simd_ops[op].feat_mm || simd_ops[op].feat_xmm);
    for (int id = 0; id < X86_INS_ENDING; id++) {
        if (x86_insn_table[id].gen != gen_SIMD)
            continue;
        CU_ASSERT_FATAL(x86_insn_table[id].arg < SOP_COUNT);
        seen[x86_insn_table[id].arg] = true;
    }
    seen[SOP_MOVSD] = true;         /* through the string MOVSD row (gen_string.c) */
    for (int op = 0; op < SOP_COUNT; op++) {
        if (!seen[op])
            fprintf(stderr, "SimdOp %s has no table row\n", simd_ops[op].name);
        CU_ASSERT(seen[op]);
    }
    CU_ASSERT(offsetof(CPUState, xmm) % 16 == 0);
}

typedef struct ModelCase {
    const char *name;
    const char *vendor;
    bool mmx, sse, sse2, sse3, ssse3;
    uint32_t mxcsr_mask;
} ModelCase;

static const ModelCase model_cases[] = {
    { "486", "GenuineIntel", false, false, false, false, false, 0xffbf },
    { "pentium2", "GenuineIntel", true, false, false, false, false, 0xffbf },
    { "tx86", "GenuineIntel", true, true, true, true, false, 0xffff },
    { "pentium3", "GenuineIntel", true, true, false, false, false, 0xffbf },
    { "pentium4", "GenuineIntel", true, true, true, false, false, 0xffbf },
    { "coreduo", "GenuineIntel", true, true, true, true, false, 0xffff },
    { "n270", "GenuineIntel", true, true, true, true, true, 0xffff },
    { "athlon", "AuthenticAMD", true, false, false, false, false, 0xffbf },
    { "qemu32", "GenuineIntel", true, true, true, true, false, 0xffff },
    { "kvm32", "GenuineIntel", true, true, true, true, false, 0xffff },
};

static void test_simd_models(void)
{
    CPUState *env = g_new0(CPUState, 1);

    for (size_t i = 0; i < G_N_ELEMENTS(model_cases); i++) {
        const ModelCase *c = &model_cases[i];
        const CPUModel *m = cpuid_find_model(c->name);
        uint32_t out[4];
        char vendor[13];

        CU_ASSERT_FATAL(m != NULL);
        cpuid_set_model(env, m);
        cpuid_query(env, 0, out);
        memcpy(vendor, &out[1], 4);
        memcpy(vendor + 4, &out[3], 4);
        memcpy(vendor + 8, &out[2], 4);
        vendor[12] = 0;
        CU_ASSERT_STRING_EQUAL(vendor, c->vendor);
        cpuid_query(env, 1, out);
        CU_ASSERT(!!(out[3] & CPUID_MMX) == c->mmx);
        CU_ASSERT(!!(out[3] & CPUID_SSE) == c->sse);
        CU_ASSERT(!!(out[3] & CPUID_SSE2) == c->sse2);
        CU_ASSERT(!!(out[2] & CPUID_ECX_SSE3) == c->sse3);
        CU_ASSERT(!!(out[2] & CPUID_ECX_SSSE3) == c->ssse3);
        CU_ASSERT(!!(env->insn_features & (1u << INSN_FEAT_MMX)) == c->mmx);
        CU_ASSERT(!!(env->insn_features & (1u << INSN_FEAT_SSE)) == c->sse);
        CU_ASSERT(!!(env->insn_features & (1u << INSN_FEAT_SSE2)) == c->sse2);
        CU_ASSERT(!!(env->insn_features & (1u << INSN_FEAT_SSE3)) == c->sse3);
        CU_ASSERT(!!(env->insn_features & (1u << INSN_FEAT_SSSE3)) == c->ssse3);
        CU_ASSERT_EQUAL(simd_mxcsr_mask(env), c->mxcsr_mask);
        CU_ASSERT(!!(cpuid_cr4_mask(env) & CR4_OSFXSR) == !!(out[3] & CPUID_FXSR));
        for (uint32_t leaf = 0; leaf <= m->level; leaf++)
            cpuid_query(env, leaf, out);    /* every leaf up to the maximum answers */
        for (uint32_t leaf = 0x80000000u; m->xlevel && leaf <= m->xlevel; leaf++)
            cpuid_query(env, leaf, out);
    }
    CU_ASSERT_STRING_EQUAL(CPUID_DEFAULT_MODEL, "tx86");
    g_free(env);
}

void register_simd_tests(void)
{
    CU_pSuite s = CU_add_suite("simd", NULL, NULL);
    CU_add_test(s, "SIMD operation table and rows", test_simd_table);
    CU_add_test(s, "CPU models: SIMD features, vendor, MXCSR_MASK", test_simd_models);
}
