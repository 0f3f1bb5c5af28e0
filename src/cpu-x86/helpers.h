/*
 * helpers.h - prototypes, ids and the descriptor table of the C helpers
 * that translated code calls.  Everything is derived from helpers.def.
 *
 * Generated code names a helper by its HelperId (IR CALL immediate); the
 * interpreter backend calls it through libffi using the signature in
 * HelperDesc (nargs, ret, args: IR types), the native backend calls
 * HelperDesc.fn directly.
 */
#ifndef TX86_HELPERS_H
#define TX86_HELPERS_H

#include <stdint.h>
#include <stdbool.h>

#include "translator/guest.h"    /* HelperDesc, the HF_* flags */

struct CPUState;

/* the .def's type names as C types (prototypes) and IR types (table) */
#define HELPER_CTYPE_void void
#define HELPER_CTYPE_i32  uint32_t
#define HELPER_CTYPE_i64  uint64_t
#define HELPER_IRTYPE_void IR_VOID
#define HELPER_IRTYPE_i32  IR_I32
#define HELPER_IRTYPE_i64  IR_I64
#define HC_(t) HELPER_CTYPE_##t

/* the prototypes: a helper defined with other types does not compile */
#define DEF_HELPER_0(name, ret, flags) HC_(ret) helper_##name(struct CPUState *env);
#define DEF_HELPER_1(name, ret, t1, flags) \
    HC_(ret) helper_##name(struct CPUState *env, HC_(t1));
#define DEF_HELPER_2(name, ret, t1, t2, flags) \
    HC_(ret) helper_##name(struct CPUState *env, HC_(t1), HC_(t2));
#define DEF_HELPER_3(name, ret, t1, t2, t3, flags) \
    HC_(ret) helper_##name(struct CPUState *env, HC_(t1), HC_(t2), HC_(t3));
#define DEF_HELPER_4(name, ret, t1, t2, t3, t4, flags) \
    HC_(ret) helper_##name(struct CPUState *env, HC_(t1), HC_(t2), HC_(t3), HC_(t4));
#include "helpers.def"
#undef DEF_HELPER_0
#undef DEF_HELPER_1
#undef DEF_HELPER_2
#undef DEF_HELPER_3
#undef DEF_HELPER_4
#undef HC_

typedef enum HelperId {
#define DEF_HELPER_0(name, ...) HELPER_##name,
#define DEF_HELPER_1 DEF_HELPER_0
#define DEF_HELPER_2 DEF_HELPER_0
#define DEF_HELPER_3 DEF_HELPER_0
#define DEF_HELPER_4 DEF_HELPER_0
#include "helpers.def"
#undef DEF_HELPER_0
#undef DEF_HELPER_1
#undef DEF_HELPER_2
#undef DEF_HELPER_3
#undef DEF_HELPER_4
    HELPER_COUNT
} HelperId;

/* the guest description's helper table (x86_guest.helpers) */
extern const HelperDesc helper_table[HELPER_COUNT];

#endif
