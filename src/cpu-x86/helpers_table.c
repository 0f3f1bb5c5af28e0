/*
 * helpers_table.c - the helper descriptor table, expanded from helpers.def.
 * Used by the IR (call signature), the interpreter (libffi) and the native
 * backend (direct call addresses).
 */
#include "cpu-x86/cpu.h"
#include "cpu-x86/helpers.h"

#define HT_(t) HELPER_IRTYPE_##t
#define HELPER_ROW(name, n, ret, flags, ...) \
    [HELPER_##name] = { #name, (void (*)(void))helper_##name, n, HT_(ret), { __VA_ARGS__ }, flags },

const HelperDesc helper_table[HELPER_COUNT] = {
#define DEF_HELPER_0(name, ret, flags) HELPER_ROW(name, 0, ret, flags, 0)
#define DEF_HELPER_1(name, ret, t1, flags) HELPER_ROW(name, 1, ret, flags, HT_(t1))
#define DEF_HELPER_2(name, ret, t1, t2, flags) HELPER_ROW(name, 2, ret, flags, HT_(t1), HT_(t2))
#define DEF_HELPER_3(name, ret, t1, t2, t3, flags) \
    HELPER_ROW(name, 3, ret, flags, HT_(t1), HT_(t2), HT_(t3))
#define DEF_HELPER_4(name, ret, t1, t2, t3, t4, flags) \
    HELPER_ROW(name, 4, ret, flags, HT_(t1), HT_(t2), HT_(t3), HT_(t4))
#include "helpers.def"
};
