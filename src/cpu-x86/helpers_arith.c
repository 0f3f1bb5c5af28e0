/*
 * helpers_arith.c - the arithmetic instructions done in C: the BCD
 * adjusts (DAA, DAS, AAA, AAS, AAM, AAD) and unsigned/signed division.
 *
 * BCD helpers read the current flags through cc_compute_all() and leave
 * them as CC_OP_EFLAGS (cc_src); the emitters (gen_arith.c) flush the lazy
 * flags first so the front end's view of cc_op stays right.  Flags the SDM
 * calls undefined are cleared (OF) or computed from the result (SF/ZF/PF).
 * Division raises #DE for a zero divisor and for a quotient that does not
 * fit, before any register is written; DIV/IDIV leave the flags alone.
 */
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/helpers.h"

static uint32_t bcd_flags_in(CPUState *env)
{
    return cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

/* SF, ZF, PF of an 8-bit result */
static uint32_t szp8(uint32_t v)
{
    v &= 0xff;
    return (v & 0x80 ? CC_S : 0) | (v == 0 ? CC_Z : 0) |
           (__builtin_parity(v) ? 0 : CC_P);
}

static void bcd_flags_out(CPUState *env, uint32_t fl)
{
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = fl & CC_MASK;
}

void helper_daa(CPUState *env)
{
    uint32_t fl = bcd_flags_in(env), al = env->regs[R_EAX] & 0xff, old_al = al;
    uint32_t cf = 0, af = 0;

    if ((al & 0xf) > 9 || (fl & CC_A)) {
        cf = (fl & CC_C) || al + 6 > 0xff;
        al = (al + 6) & 0xff;
        af = CC_A;
    }
    if (old_al > 0x99 || (fl & CC_C)) {
        al = (al + 0x60) & 0xff;
        cf = 1;
    }
    cpu_set_reg(env, R_EAX, 1, al);
    bcd_flags_out(env, szp8(al) | af | (cf ? CC_C : 0));
}

void helper_das(CPUState *env)
{
    uint32_t fl = bcd_flags_in(env), al = env->regs[R_EAX] & 0xff, old_al = al;
    uint32_t cf = 0, af = 0;

    if ((al & 0xf) > 9 || (fl & CC_A)) {
        cf = (fl & CC_C) || al < 6;
        al = (al - 6) & 0xff;
        af = CC_A;
    }
    if (old_al > 0x99 || (fl & CC_C)) {
        al = (al - 0x60) & 0xff;
        cf = 1;
    }
    cpu_set_reg(env, R_EAX, 1, al);
    bcd_flags_out(env, szp8(al) | af | (cf ? CC_C : 0));
}

void helper_aaa(CPUState *env)
{
    uint32_t fl = bcd_flags_in(env), ax = env->regs[R_EAX] & 0xffff, out = 0;

    if ((ax & 0xf) > 9 || (fl & CC_A)) {
        ax = (ax + 0x106) & 0xffff;
        out = CC_A | CC_C;
    }
    ax &= 0xff0f;
    cpu_set_reg(env, R_EAX, 2, ax);
    bcd_flags_out(env, szp8(ax) | out);
}

void helper_aas(CPUState *env)
{
    uint32_t fl = bcd_flags_in(env), ax = env->regs[R_EAX] & 0xffff, out = 0;

    if ((ax & 0xf) > 9 || (fl & CC_A)) {
        ax = (ax - 6) & 0xffff;                 /* borrow reaches AH, */
        ax = (ax - 0x100) & 0xffff;             /* then AH -= 1 */
        out = CC_A | CC_C;
    }
    ax &= 0xff0f;
    cpu_set_reg(env, R_EAX, 2, ax);
    bcd_flags_out(env, szp8(ax) | out);
}

void helper_aam(CPUState *env, uint32_t imm)
{
    uint32_t al = env->regs[R_EAX] & 0xff;

    imm &= 0xff;
    if (imm == 0)
        raise_exception_noerr(env, EXCP_DE);
    cpu_set_reg(env, R_EAX, 2, ((al / imm) << 8) | (al % imm));
    bcd_flags_out(env, szp8(al % imm));
}

void helper_aad(CPUState *env, uint32_t imm)
{
    uint32_t ax = env->regs[R_EAX];
    uint32_t al = ((ax & 0xff) + ((ax >> 8) & 0xff) * (imm & 0xff)) & 0xff;

    cpu_set_reg(env, R_EAX, 2, al);
    bcd_flags_out(env, szp8(al));
}

void helper_div8(CPUState *env, uint32_t d)
{
    uint32_t num = env->regs[R_EAX] & 0xffff, q;

    d &= 0xff;
    if (d == 0 || (q = num / d) > 0xff)
        raise_exception_noerr(env, EXCP_DE);
    cpu_set_reg(env, R_EAX, 2, ((num % d) << 8) | q);
}

void helper_div16(CPUState *env, uint32_t d)
{
    uint32_t num = ((env->regs[R_EDX] & 0xffff) << 16) | (env->regs[R_EAX] & 0xffff), q;

    d &= 0xffff;
    if (d == 0 || (q = num / d) > 0xffff)
        raise_exception_noerr(env, EXCP_DE);
    cpu_set_reg(env, R_EAX, 2, q);
    cpu_set_reg(env, R_EDX, 2, num % d);
}

void helper_div32(CPUState *env, uint32_t d)
{
    uint64_t num = ((uint64_t)env->regs[R_EDX] << 32) | env->regs[R_EAX], q;

    if (d == 0 || (q = num / d) > 0xffffffffu)
        raise_exception_noerr(env, EXCP_DE);
    env->regs[R_EAX] = (uint32_t)q;
    env->regs[R_EDX] = (uint32_t)(num % d);
}

void helper_idiv8(CPUState *env, uint32_t dv)
{
    int32_t num = (int16_t)env->regs[R_EAX], d = (int8_t)dv, q;

    if (d == 0)
        raise_exception_noerr(env, EXCP_DE);
    q = num / d;
    if (q < -128 || q > 127)
        raise_exception_noerr(env, EXCP_DE);
    cpu_set_reg(env, R_EAX, 2, (((uint32_t)(num % d) & 0xff) << 8) | ((uint32_t)q & 0xff));
}

void helper_idiv16(CPUState *env, uint32_t dv)
{
    int32_t num = (int32_t)(((env->regs[R_EDX] & 0xffff) << 16) | (env->regs[R_EAX] & 0xffff));
    int64_t d = (int16_t)dv, q;

    if (d == 0)
        raise_exception_noerr(env, EXCP_DE);
    q = (int64_t)num / d;
    if (q < -32768 || q > 32767)
        raise_exception_noerr(env, EXCP_DE);
    cpu_set_reg(env, R_EAX, 2, (uint32_t)q);
    cpu_set_reg(env, R_EDX, 2, (uint32_t)((int64_t)num % d));
}

void helper_idiv32(CPUState *env, uint32_t dv)
{
    int64_t num = (int64_t)(((uint64_t)env->regs[R_EDX] << 32) | env->regs[R_EAX]);
    int64_t d = (int32_t)dv, q;

    if (d == 0 || (num == INT64_MIN && d == -1))
        raise_exception_noerr(env, EXCP_DE);
    q = num / d;
    if (q < INT32_MIN || q > INT32_MAX)
        raise_exception_noerr(env, EXCP_DE);
    env->regs[R_EAX] = (uint32_t)q;
    env->regs[R_EDX] = (uint32_t)(num % d);
}
