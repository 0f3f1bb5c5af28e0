/*
 * flags.c - lazy condition codes: turning (cc_op, cc_dst, cc_src, cc_src2)
 * into EFLAGS bits, and reading/writing the whole EFLAGS register.
 *
 * Arithmetic instructions only record their operands and result (see the
 * CC_OP table in cpu.h); the six arithmetic flags are computed here when
 * something reads them: a Jcc the front end could not resolve statically,
 * PUSHF, LAHF, an interrupt, the debugger.  The front end inlines the
 * common cases itself (translate.c cond_fast).  Undefined flags follow
 * what Intel P6+ hardware does (docs/cpu-frontend.md).
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/helpers.h"

/* every EFLAGS bit software can change (bit 1 is always 1) */
#define EFLAGS_WRITABLE (CC_MASK | TF_MASK | IF_MASK | DF_MASK | IOPL_MASK | NT_MASK | \
                         RF_MASK | VM_MASK | AC_MASK | VIF_MASK | VIP_MASK | ID_MASK)

static inline uint32_t cc_pzs(uint32_t res, uint32_t sign)
{
    uint32_t f = __builtin_parity(res & 0xff) ? 0 : CC_P;
    if (res == 0) {
        f |= CC_Z;
    }
    if (res & sign) {
        f |= CC_S;
    }
    return f;
}

uint32_t cc_compute_all(uint32_t op, uint32_t dst, uint32_t src, uint32_t src2)
{
    int si;
    uint32_t mask, sign, res, a, b, f;

    if (op == CC_OP_EFLAGS) {
        return src & CC_MASK;
    }
    si = (op - CC_OP_ADDB) % 3;
    mask = si == 0 ? 0xffu : si == 1 ? 0xffffu : 0xffffffffu;
    sign = si == 0 ? 0x80u : si == 1 ? 0x8000u : 0x80000000u;
    res = dst & mask;
    b = src & mask;
    f = cc_pzs(res, sign);

    switch (op) {
    case CC_OP_ADDB: case CC_OP_ADDW: case CC_OP_ADDL:
        src2 = 0;
        /* fall through */
    case CC_OP_ADCB: case CC_OP_ADCW: case CC_OP_ADCL:
        a = (dst - src - src2) & mask;
        if (src2 ? res <= b : res < b) {
            f |= CC_C;
        }
        f |= (a ^ b ^ res) & CC_A;
        if ((a ^ res) & (b ^ res) & sign) {
            f |= CC_O;
        }
        return f;
    case CC_OP_SUBB: case CC_OP_SUBW: case CC_OP_SUBL:
        src2 = 0;
        /* fall through */
    case CC_OP_SBBB: case CC_OP_SBBW: case CC_OP_SBBL:
        a = (dst + src + src2) & mask;
        if (src2 ? a <= b : a < b) {
            f |= CC_C;
        }
        f |= (a ^ b ^ res) & CC_A;
        if ((a ^ b) & (a ^ res) & sign) {
            f |= CC_O;
        }
        return f;
    case CC_OP_LOGICB: case CC_OP_LOGICW: case CC_OP_LOGICL:
        return f;
    case CC_OP_INCB: case CC_OP_INCW: case CC_OP_INCL:
        f |= src & CC_C;
        if ((res & 0xf) == 0) {
            f |= CC_A;
        }
        if (res == sign) {
            f |= CC_O;
        }
        return f;
    case CC_OP_DECB: case CC_OP_DECW: case CC_OP_DECL:
        f |= src & CC_C;
        if ((res & 0xf) == 0xf) {
            f |= CC_A;
        }
        if (res == sign - 1) {
            f |= CC_O;
        }
        return f;
    case CC_OP_SHLB: case CC_OP_SHLW: case CC_OP_SHLL:
        if (b & sign) {
            f |= CC_C;
        }
        if ((b ^ res) & sign) {
            f |= CC_O;
        }
        return f;
    case CC_OP_SHRB: case CC_OP_SHRW: case CC_OP_SHRL:
        f |= b & CC_C;
        if ((b ^ res) & sign) {
            f |= CC_O;
        }
        return f;
    case CC_OP_SARB: case CC_OP_SARW: case CC_OP_SARL:
        f |= b & CC_C;
        return f;
    case CC_OP_MULB: case CC_OP_MULW: case CC_OP_MULL:
        if (src) {
            f |= CC_C | CC_O;
        }
        return f;
    default:
        g_assert_not_reached();
    }
}

uint32_t helper_cc_compute_all(CPUState *env)
{
    return cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

uint32_t helper_cc_compute_c(CPUState *env)
{
    return cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2) & CC_C;
}

uint32_t cpu_compute_eflags(CPUState *env)
{
    return (env->eflags & ~CC_MASK) | 2u |
           cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

uint32_t helper_read_eflags(CPUState *env)
{
    return cpu_compute_eflags(env);
}

void cpu_load_eflags(CPUState *env, uint32_t val, uint32_t mask)
{
    uint32_t old = env->eflags;

    mask &= EFLAGS_WRITABLE;
    if (mask & CC_MASK) {
        uint32_t cc = cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
        env->cc_src = (cc & ~mask) | (val & mask & CC_MASK);
        env->cc_op = CC_OP_EFLAGS;
    }
    mask &= ~CC_MASK;
    env->eflags = ((old & ~mask) | (val & mask) | 2u) & ~CC_MASK;
    env->df = (env->eflags & DF_MASK) ? (uint32_t)-1 : 1;
    if ((old ^ env->eflags) & (TF_MASK | VM_MASK)) {
        cpu_update_hflags(env);
    }
}
