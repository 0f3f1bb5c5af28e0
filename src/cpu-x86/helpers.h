/*
 * helpers.h - prototypes, ids and the descriptor table of the C helpers
 * that translated code calls.  Everything is derived from helpers.def.
 *
 * Generated code names a helper by its HelperId (IR CALL immediate); the
 * interpreter backend calls it through libffi using HelperDesc.nargs/ret,
 * the native backend calls HelperDesc.fn directly.
 */
#ifndef TX86_HELPERS_H
#define TX86_HELPERS_H

#include <stdint.h>
#include <stdbool.h>

#include "translator/guest.h"    /* HelperDesc, the HF_* flags */

struct CPUState;

#define HELPER_RET_void 0
#define HELPER_RET_i32  1
#define HELPER_CTYPE_void void
#define HELPER_CTYPE_i32  uint32_t

#define HELPER_PROTO_0(name, ret) HELPER_CTYPE_##ret helper_##name(struct CPUState *env)
#define HELPER_PROTO_1(name, ret) HELPER_CTYPE_##ret helper_##name(struct CPUState *env, uint32_t)
#define HELPER_PROTO_2(name, ret) HELPER_CTYPE_##ret helper_##name(struct CPUState *env, uint32_t, uint32_t)
#define HELPER_PROTO_3(name, ret) HELPER_CTYPE_##ret helper_##name(struct CPUState *env, uint32_t, uint32_t, uint32_t)
#define HELPER_PROTO_4(name, ret) HELPER_CTYPE_##ret helper_##name(struct CPUState *env, uint32_t, uint32_t, uint32_t, uint32_t)

#define DEF_HELPER(name, ret, nargs, flags) HELPER_PROTO_##nargs(name, ret);
#include "helpers.def"
#undef DEF_HELPER

typedef enum HelperId {
#define DEF_HELPER(name, ret, nargs, flags) HELPER_##name,
#include "helpers.def"
#undef DEF_HELPER
    HELPER_COUNT
} HelperId;

/* the guest description's helper table (x86_guest.helpers) */
extern const HelperDesc helper_table[HELPER_COUNT];

#endif
