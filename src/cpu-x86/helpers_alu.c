/*
 * helpers_alu.c - C helpers for the common integer instructions whose IR
 * would be long or needs more than 32 bits: high halves of 32x32 products,
 * rotates (with their CF/OF rules), SHLD/SHRD, bit scans, PUSHF/POPF with
 * the CPL/IOPL/VM86 rules.  Declared in helpers.def (front-end ALU section).
 *
 * Split result/flags helpers (rotate + rotate_cc, shxd + shxd_cc) keep
 * exceptions precise: the emitter stores the result (which may fault)
 * before the flags are written.
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/v86.h"

enum { ROT_ROL, ROT_ROR, ROT_RCL, ROT_RCR };

uint32_t helper_mulhu32(CPUState *env, uint32_t a, uint32_t b)
{
    return (uint32_t)(((uint64_t)a * b) >> 32);
}

uint32_t helper_mulhs32(CPUState *env, uint32_t a, uint32_t b)
{
    return (uint32_t)((uint64_t)((int64_t)(int32_t)a * (int32_t)b) >> 32);
}

/* result of a rotate; *cf_out gets the new CF for RCL/RCR */
static uint32_t rotate_value(CPUState *env, uint32_t val, uint32_t count, uint32_t ctl,
                             uint32_t *cf_out)
{
    int kind = ctl & 3, bits = (int)(ctl >> 4) * 8;
    uint32_t mask = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
    uint32_t c;
    uint64_t t, m;

    val &= mask;
    count &= 31;
    *cf_out = 0;
    switch (kind) {
    case ROT_ROL:
        c = count % bits;
        return c ? ((val << c) | (val >> (bits - c))) & mask : val;
    case ROT_ROR:
        c = count % bits;
        return c ? ((val >> c) | (val << (bits - c))) & mask : val;
    case ROT_RCL:
    case ROT_RCR:
        c = count % (bits + 1);
        *cf_out = helper_cc_compute_c(env);
        if (!c) {
            return val;
        }
        m = (1ull << (bits + 1)) - 1;
        t = ((uint64_t)*cf_out << bits) | val;
        if (kind == ROT_RCL) {
            t = ((t << c) | (t >> (bits + 1 - c))) & m;
        } else {
            t = ((t >> c) | (t << (bits + 1 - c))) & m;
        }
        *cf_out = (uint32_t)(t >> bits) & 1;
        return (uint32_t)t & mask;
    default:
        g_assert_not_reached();
    }
}

uint32_t helper_rotate(CPUState *env, uint32_t val, uint32_t count, uint32_t ctl)
{
    uint32_t cf;
    return rotate_value(env, val, count, ctl, &cf);
}

void helper_rotate_cc(CPUState *env, uint32_t val, uint32_t count, uint32_t ctl)
{
    int kind = ctl & 3, bits = (int)(ctl >> 4) * 8;
    uint32_t cf, r, msb, flags;

    if ((count & 31) == 0) {
        return;                             /* count 0: no flag changes */
    }
    r = rotate_value(env, val, count, ctl, &cf);
    msb = (r >> (bits - 1)) & 1;
    switch (kind) {
    case ROT_ROL:
        cf = r & 1;
        break;
    case ROT_ROR:
        cf = msb;
        break;
    default:
        break;
    }
    flags = helper_cc_compute_all(env) & ~(CC_C | CC_O);
    if (cf) {
        flags |= CC_C;
    }
    if (kind == ROT_ROL || kind == ROT_RCL) {
        if (msb ^ cf) {
            flags |= CC_O;
        }
    } else if (msb ^ ((r >> (bits - 2)) & 1)) {
        flags |= CC_O;
    }
    env->cc_src = flags;
    env->cc_op = CC_OP_EFLAGS;
}

uint32_t helper_shxd(CPUState *env, uint32_t a, uint32_t b, uint32_t ctl)
{
    uint32_t count = ctl & 31, size = (ctl >> 8) & 7;
    bool right = (ctl >> 16) & 1;

    if (!count) {
        return a;
    }
    if (size == 4) {
        return right ? (a >> count) | (b << (32 - count)) : (a << count) | (b >> (32 - count));
    }
    /* 16-bit: the SDM leaves counts above 16 undefined.  Intel hardware
     * (the modelled CPU) shifts the 48-bit value dst:src:dst in both
     * directions; AMD shifts src:src:dst (SHRD) / dst:src:src (SHLD), a
     * documented vendor difference (docs/cpu-frontend.md) */
    a &= 0xffff;
    b &= 0xffff;
    uint64_t w = ((uint64_t)a << 32) | ((uint64_t)b << 16) | a;
    if (right) {
        return (uint32_t)(w >> count) & 0xffff;
    }
    return (uint32_t)(w >> (32 - count)) & 0xffff;
}

void helper_shxd_cc(CPUState *env, uint32_t a, uint32_t b, uint32_t ctl)
{
    uint32_t count = ctl & 31, size = (ctl >> 8) & 7;
    bool right = (ctl >> 16) & 1;

    if (!count) {
        return;
    }
    env->cc_dst = helper_shxd(env, a, b, ctl);
    env->cc_src = helper_shxd(env, a, b, (ctl & ~31u) | (count - 1));
    env->cc_op = (right ? CC_OP_SHRB : CC_OP_SHLB) + (size == 4 ? 2 : 1);
}

uint32_t helper_bsf(CPUState *env, uint32_t v)
{
    return v ? (uint32_t)__builtin_ctz(v) : 0;
}

uint32_t helper_bsr(CPUState *env, uint32_t v)
{
    return v ? 31u - (uint32_t)__builtin_clz(v) : 0;
}

/* flags after BSF/BSR as Intel hardware sets them: ZF = (src == 0), PF from
 * the destination (src 0: ZF and PF set), CF/OF/SF/AF clear */
uint32_t helper_bitscan_cc(CPUState *env, uint32_t src, uint32_t dst)
{
    uint32_t f = __builtin_parity(dst & 0xff) ? 0 : CC_P;
    return src ? f : CC_Z | CC_P;      /* as if for a zero result */
}

static bool in_vm86(const CPUState *env)
{
    return (env->eflags & VM_MASK) != 0;
}

static uint32_t iopl_of(const CPUState *env)
{
    return (env->eflags & IOPL_MASK) >> 12;
}

uint32_t helper_pushf(CPUState *env, uint32_t size)
{
    if (in_vm86(env)) {
        return v86_pushf(env, size);        /* IOPL and VME rules: v86.c */
    }
    return cpu_compute_eflags(env) & ~(VM_MASK | RF_MASK);
}

void helper_popf(CPUState *env, uint32_t val, uint32_t size)
{
    uint32_t mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK | IF_MASK | IOPL_MASK |
                    AC_MASK | ID_MASK | RF_MASK;
    bool pm = (env->cr[0] & CR0_PE) != 0;

    if (in_vm86(env)) {
        v86_popf(env, val, size);           /* IOPL and VME rules: v86.c */
        return;
    } else if (pm) {
        int cpl = cpu_cpl(env);
        if (cpl > 0) {
            mask &= ~IOPL_MASK;
        }
        if ((uint32_t)cpl > iopl_of(env)) {
            mask &= ~IF_MASK;
        }
    }
    if (size == 2) {
        mask &= 0xffff;
    }
    cpu_load_eflags(env, val & ~RF_MASK, mask);
}
