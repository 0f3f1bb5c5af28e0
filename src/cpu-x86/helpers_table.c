/*
 * helpers_table.c - the helper descriptor table, expanded from helpers.def.
 * Used by the IR (call arity), the interpreter (libffi) and the native
 * backend (direct call addresses).
 */
#include "cpu-x86/cpu.h"
#include "cpu-x86/helpers.h"

const HelperDesc helper_table[HELPER_COUNT] = {
#define DEF_HELPER(name, ret, nargs, flags) \
    [HELPER_##name] = { #name, (void (*)(void))helper_##name, nargs, HELPER_RET_##ret, flags },
#include "helpers.def"
#undef DEF_HELPER
};
