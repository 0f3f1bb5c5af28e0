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

struct CPUState;

/* what a helper may do (helpers.def FLAGS column) */
enum {
    HF_PURE_STATE  = 0,       /* reads CPUState only, no side effects */
    HF_READS_STATE = 1 << 0,
    HF_WRITES_STATE = 1 << 1, /* writes CPUState (registers, flags, ...) */
    HF_READS_MEM   = 1 << 2,  /* guest memory or I/O ports */
    HF_WRITES_MEM  = 1 << 3,
    HF_MAY_FAULT   = 1 << 4,  /* may raise a guest exception */
    HF_NORETURN    = 1 << 5,  /* never returns (always raises/exits) */
    HF_IO          = 1 << 6,  /* touches devices: must be the last thing in its insn */
};

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

typedef struct HelperDesc {
    const char *name;
    void (*fn)(void);   /* cast to the real prototype before calling */
    uint8_t nargs;      /* arguments after env, each uint32_t */
    uint8_t has_ret;    /* returns uint32_t */
    uint16_t flags;     /* HF_* */
} HelperDesc;

extern const HelperDesc helper_table[HELPER_COUNT];

#endif
