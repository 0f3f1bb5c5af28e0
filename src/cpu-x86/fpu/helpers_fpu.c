/*
 * helpers_fpu.c - the x87 instructions: one helper, helper_x87(), decodes
 * the 11-bit FOP (escape & 7, ModRM) the front end passes and runs the
 * instruction on the state in CPUState (fpu.h), with the arithmetic of
 * float80.c.  FXSAVE/FXRSTOR have their own helper; WAIT is helper_fwait
 * (helpers_sys.c).
 *
 * Order inside one instruction (SDM Vol. 1 8.5-8.7):
 *   1. #UD for an undefined encoding, #NM for CR0.EM/CR0.TS;
 *   2. a waiting instruction reports a pending unmasked exception (#MF or
 *      FERR#, fpu_check_pending);
 *   3. the segment limit/type check of the memory operand (x87_seg_check:
 *      the front end passes the linear address unchecked), then the
 *      operand is read (faults leave the FPU untouched);
 *   4. stack faults: an empty source register is an underflow (IE+SF,
 *      C1=0), a push onto a full register an overflow (IE+SF, C1=1); with
 *      IE masked the result is the QNaN indefinite, unmasked nothing
 *      changes (no write, no pop);
 *   5. the operation; an unmasked IE, DE or ZE leaves the destination and
 *      the stack alone, an unmasked OE/UE does not store to memory;
 *   6. memory stores happen before any register or status write;
 *   7. FIP/FCS/FOP (and FDP/FDS for a memory operand) are updated by
 *      every instruction except the control instructions FNINIT, FNCLEX,
 *      FLDCW, FNSTCW, FNSTSW, FNSTENV, FLDENV, FNSAVE, FRSTOR (P6 rule).
 */
#include <glib.h>
#include "cpu-x86/fpu/fpu.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/seg.h"
#include "mmu/mmu.h"
#include "util/log.h"

#define F80_STACK_FAULT (F80_IE | F80_SF)

/* ------------------------------------------------------------------ */
/* register stack                                                      */

static inline int phys(const CPUState *env, int i) { return (env->fpu_top + i) & 7; }

static inline bool st_empty(const CPUState *env, int i)
{
    return !(env->fpu_valid >> phys(env, i) & 1);
}

static inline Float80 st_get(const CPUState *env, int i) { return env->fpu_st[phys(env, i)]; }

static inline void st_set(CPUState *env, int i, Float80 v)
{
    int p = phys(env, i);
    env->fpu_st[p] = v;
    env->fpu_valid |= (uint8_t)(1u << p);
}

static inline void fpu_pop(CPUState *env)
{
    env->fpu_valid &= (uint8_t)~(1u << env->fpu_top);
    env->fpu_top = (env->fpu_top + 1) & 7;
}

static inline void fpu_push(CPUState *env, Float80 v)
{
    env->fpu_top = (env->fpu_top - 1) & 7;
    st_set(env, 0, v);
}

static void set_c1(CPUState *env, bool c1)
{
    env->fpu_fsw = (uint16_t)((env->fpu_fsw & ~FSW_C1) | (c1 ? FSW_C1 : 0));
}

static void set_cc(CPUState *env, unsigned c3, unsigned c2, unsigned c1, unsigned c0)
{
    env->fpu_fsw = (uint16_t)((env->fpu_fsw & ~FSW_CC) | (c3 ? FSW_C3 : 0) |
                              (c2 ? FSW_C2 : 0) | (c1 ? FSW_C1 : 0) | (c0 ? FSW_C0 : 0));
}

static F80Status fpu_status(const CPUState *env)
{
    F80Status st;
    unsigned pc = (env->fpu_fcw >> 8) & 3;

    st.rc = (env->fpu_fcw >> 10) & 3;
    st.pc = pc == 1 ? F80_PC64 : (uint8_t)pc;       /* reserved 01: as 64 bits */
    st.mask = env->fpu_fcw & FCW_MASKS;
    st.flags = 0;
    return st;
}

static inline bool ie_masked(const CPUState *env) { return env->fpu_fcw & F80_IE; }

/* stack fault: records IE+SF and C1 (1 = overflow); true when masked,
 * i.e. the instruction goes on with the QNaN indefinite */
static bool stack_fault(CPUState *env, bool overflow)
{
    set_c1(env, overflow);
    fpu_raise(env, F80_STACK_FAULT);
    return ie_masked(env);
}

/* push with the overflow check */
static void push_checked(CPUState *env, Float80 v)
{
    if (!st_empty(env, -1)) {
        if (!stack_fault(env, true))
            return;
        v = f80_default_nan();
    } else {
        set_c1(env, false);
    }
    fpu_push(env, v);
}

/* would the exceptions of st keep the result from being written?
 * (unmasked IE/DE/ZE always; unmasked OE/UE for a memory destination) */
static bool blocked(const CPUState *env, const F80Status *st, bool to_mem)
{
    uint16_t um = st->flags & ~env->fpu_fcw & FSW_EXC;

    return (um & (F80_IE | F80_DE | F80_ZE)) || (to_mem && (um & (F80_OE | F80_UE)));
}

/* record the exceptions of an operation and C1 (rounded up) */
static void apply(CPUState *env, const F80Status *st)
{
    uint16_t f = st->flags;

    if (blocked(env, st, false))
        f &= F80_IE | F80_DE | F80_ZE;          /* pre-computation: the rest did not happen */
    set_c1(env, (f & F80_C1) != 0);
    fpu_raise(env, f);
}

/* FLD m32fp/m64fp: the conversion's exceptions (IE for an SNaN, DE) in
 * st; a stack overflow comes first */
static void push_loaded(CPUState *env, Float80 v, F80Status *st)
{
    if (!st_empty(env, -1)) {
        push_checked(env, v);
        return;
    }
    apply(env, st);
    if (blocked(env, st, false))
        return;
    set_c1(env, false);
    fpu_push(env, v);
}

/* ------------------------------------------------------------------ */
/* arithmetic                                                          */

/* k = ModRM reg field: 0 add, 1 mul, 4 x-y, 5 y-x, 6 x/y, 7 y/x */
static Float80 arith(int k, Float80 x, Float80 y, F80Status *st)
{
    switch (k) {
    case 0: return f80_add(x, y, st);
    case 1: return f80_mul(x, y, st);
    case 4: return f80_sub(x, y, st);
    case 5: return f80_sub(y, x, st);
    case 6: return f80_div(x, y, st);
    case 7: return f80_div(y, x, st);
    }
    g_assert_not_reached();
}

/* ST(dst) = ST(0) op y (y already loaded, its exceptions in *st);
 * y_empty: y is a register that is empty */
static void arith_to(CPUState *env, int k, int dst, Float80 y, bool y_empty,
                     F80Status *st, bool pop, uint16_t load_de)
{
    Float80 r;

    if (st_empty(env, 0) || y_empty) {
        if (!stack_fault(env, false))
            return;
        r = f80_default_nan();
    } else {
        r = arith(k, st_get(env, 0), y, st);
        if (!(st->flags & (F80_IE | F80_ZE)))
            st->flags |= load_de;           /* IE, ZE take priority (P6) */
        if (blocked(env, st, false)) {
            apply(env, st);
            return;
        }
        apply(env, st);
    }
    st_set(env, dst, r);
    if (pop)
        fpu_pop(env);
}

/* compare ST(0) with y: FCOM family (cc) or FCOMI family (EFLAGS) */
static void compare(CPUState *env, Float80 y, bool y_empty, F80Status *st, bool quiet,
                    bool eflags, int pops, uint16_t load_de)
{
    int r;

    if (st_empty(env, 0) || y_empty) {
        if (!stack_fault(env, false))
            return;
        r = F80_UNORD;
    } else {
        r = f80_compare(st_get(env, 0), y, quiet, st);
        if (!(st->flags & F80_IE))
            st->flags |= load_de;
        if (blocked(env, st, false)) {
            apply(env, st);
            return;
        }
        fpu_raise(env, st->flags & FSW_EXC);
    }
    if (eflags) {
        uint32_t f = cpu_compute_eflags(env) & ~(CC_Z | CC_P | CC_C | CC_O | CC_S | CC_A);
        if (r == F80_LT) f |= CC_C;
        if (r == F80_EQ) f |= CC_Z;
        if (r == F80_UNORD) f |= CC_Z | CC_P | CC_C;
        env->cc_op = CC_OP_EFLAGS;
        env->cc_src = f & CC_MASK;          /* C1 unchanged (checked on a P6) */
    } else {
        set_cc(env, r == F80_EQ || r == F80_UNORD, r == F80_UNORD, 0,
               r == F80_LT || r == F80_UNORD);
    }
    while (pops-- > 0)
        fpu_pop(env);
}

/* one-operand functions on ST(0) (D9 E0-FF): result replaces ST(0) */
typedef Float80 (*UnaryFn)(Float80, F80Status *);

static void unary(CPUState *env, UnaryFn fn, F80Status *st)
{
    Float80 r;

    if (st_empty(env, 0)) {
        if (!stack_fault(env, false))
            return;
        r = f80_default_nan();
    } else {
        r = fn(st_get(env, 0), st);
        if (blocked(env, st, false)) {
            apply(env, st);
            return;
        }
        apply(env, st);
    }
    st_set(env, 0, r);
}

/* ST(1) = fn(ST(0), ST(1)), pop: FYL2X, FYL2XP1, FPATAN, and FSCALE
 * (no pop, result in ST(0)) */
typedef Float80 (*BinaryFn)(Float80 st0, Float80 st1, F80Status *);

static Float80 f_atan(Float80 st0, Float80 st1, F80Status *st) { return f80_atan2(st1, st0, st); }
static Float80 f_yl2x(Float80 st0, Float80 st1, F80Status *st) { return f80_fyl2x(st0, st1, st); }
static Float80 f_yl2xp1(Float80 st0, Float80 st1, F80Status *st) { return f80_fyl2xp1(st0, st1, st); }
static Float80 f_scale(Float80 st0, Float80 st1, F80Status *st) { return f80_scale(st0, st1, st); }

static void binary(CPUState *env, BinaryFn fn, F80Status *st, bool to_st1_pop)
{
    Float80 r;
    int dst = to_st1_pop ? 1 : 0;

    if (st_empty(env, 0) || st_empty(env, 1)) {
        if (!stack_fault(env, false))
            return;
        r = f80_default_nan();
    } else {
        r = fn(st_get(env, 0), st_get(env, 1), st);
        if (blocked(env, st, false)) {
            apply(env, st);
            return;
        }
        apply(env, st);
    }
    st_set(env, dst, r);
    if (to_st1_pop)
        fpu_pop(env);
}

static Float80 f_2xm1(Float80 a, F80Status *st) { return f80_f2xm1(a, st); }
static Float80 f_sqrt(Float80 a, F80Status *st) { return f80_sqrt(a, st); }
static Float80 f_rndint(Float80 a, F80Status *st) { return f80_round_int(a, st); }

/* FSIN, FCOS: |x| >= 2^63 sets C2 and leaves ST(0) */
static void trig(CPUState *env, int which, F80Status *st)
{
    Float80 s, c;

    if (st_empty(env, 0)) {
        if (!stack_fault(env, false))
            return;
        env->fpu_fsw &= ~FSW_C2;
        st_set(env, 0, f80_default_nan());
        return;
    }
    if (!f80_sincos(st_get(env, 0), &s, &c, st)) {
        env->fpu_fsw &= ~FSW_C1;
        env->fpu_fsw |= FSW_C2;
        return;
    }
    if (blocked(env, st, false)) {
        apply(env, st);
        return;
    }
    apply(env, st);
    env->fpu_fsw &= ~FSW_C2;
    st_set(env, 0, which ? c : s);
}

/* FSINCOS (ST(0)=sin, push cos) and FPTAN (ST(0)=tan, push 1.0) */
static void trig_push(CPUState *env, bool tan, F80Status *st)
{
    Float80 a, b;

    if (st_empty(env, 0) || !st_empty(env, -1)) {
        bool of = !st_empty(env, 0);
        if (!stack_fault(env, of))
            return;
        env->fpu_fsw &= ~FSW_C2;
        st_set(env, 0, f80_default_nan());
        fpu_push(env, f80_default_nan());
        return;
    }
    if (tan) {
        if (!f80_tan(st_get(env, 0), &a, st))
            goto out_of_range;
        b = f80_const(F80K_ONE, F80_RN);
    } else {
        if (!f80_sincos(st_get(env, 0), &a, &b, st))
            goto out_of_range;
    }
    if (blocked(env, st, false)) {
        apply(env, st);
        return;
    }
    apply(env, st);
    env->fpu_fsw &= ~FSW_C2;
    if (tan && f80_is_nan(a))
        b = a;                  /* FPTAN of a NaN pushes the NaN again */
    st_set(env, 0, a);
    fpu_push(env, b);
    return;
out_of_range:
    env->fpu_fsw &= ~FSW_C1;
    env->fpu_fsw |= FSW_C2;
}

/* FPREM / FPREM1 */
static void prem(CPUState *env, bool ieee, F80Status *st)
{
    unsigned q = 0;
    bool partial = false;
    Float80 r;

    if (st_empty(env, 0) || st_empty(env, 1)) {
        if (!stack_fault(env, false))
            return;
        env->fpu_fsw &= ~FSW_C2;        /* C1 = 0 (stack_fault); C0 C3 kept */
        st_set(env, 0, f80_default_nan());
        return;
    }
    r = f80_rem(st_get(env, 0), st_get(env, 1), ieee, &q, &partial, st);
    if (blocked(env, st, false)) {
        apply(env, st);
        return;
    }
    fpu_raise(env, st->flags & FSW_EXC);
    if (f80_is_nan(r) || (st->flags & F80_IE))
        env->fpu_fsw &= ~(FSW_C2 | FSW_C1);    /* invalid, NaN: a P6 keeps C0 C3 */
    else if (partial)
        set_cc(env, 0, 1, 0, 0);        /* incomplete: a P6 clears C0 C1 C3 */
    else
        set_cc(env, q >> 1 & 1, 0, q & 1, q >> 2 & 1);
    st_set(env, 0, r);
}

/* FXTRACT: ST(0) = exponent, push significand */
static void xtract(CPUState *env, F80Status *st)
{
    Float80 e, s;

    if (st_empty(env, 0) || !st_empty(env, -1)) {
        bool of = !st_empty(env, 0);
        if (!stack_fault(env, of))
            return;
        st_set(env, 0, f80_default_nan());
        fpu_push(env, f80_default_nan());
        return;
    }
    f80_xtract(st_get(env, 0), &e, &s, st);
    if (blocked(env, st, false)) {
        apply(env, st);
        return;
    }
    apply(env, st);
    st_set(env, 0, e);
    fpu_push(env, s);
}

/* FXAM: C1 = sign, C3 C2 C0 = class */
static void xam(CPUState *env)
{
    Float80 v = st_get(env, 0);
    unsigned c3, c2, c0, exp = v.se & 0x7fff;

    if (st_empty(env, 0)) {
        c3 = 1; c2 = 0; c0 = 1;
    } else if (f80_is_unsupported(v)) {
        c3 = 0; c2 = 0; c0 = 0;
    } else if (f80_is_nan(v)) {
        c3 = 0; c2 = 0; c0 = 1;
    } else if (f80_is_inf(v)) {
        c3 = 0; c2 = 1; c0 = 1;
    } else if (f80_is_zero(v)) {
        c3 = 1; c2 = 0; c0 = 0;
    } else if (exp == 0) {
        c3 = 1; c2 = 1; c0 = 0;         /* denormal (and pseudo-denormal) */
    } else {
        c3 = 0; c2 = 1; c0 = 0;
    }
    set_cc(env, c3, c2, v.se >> 15, c0);
}

/* FCHS / FABS: no exceptions but the stack fault */
static void sign_op(CPUState *env, bool abs)
{
    Float80 v;

    if (st_empty(env, 0)) {
        if (!stack_fault(env, false))
            return;
        st_set(env, 0, f80_default_nan());
        return;
    }
    v = st_get(env, 0);
    v.se = abs ? (uint16_t)(v.se & 0x7fff) : (uint16_t)(v.se ^ 0x8000);
    set_c1(env, false);
    st_set(env, 0, v);
}

/* ------------------------------------------------------------------ */
/* memory operands                                                     */

/* memory source of the D8/DC/DA/DE arithmetic (esc & 7: 0, 4, 2, 6) */
/* an m32fp/m64fp NaN as an operand keeps its quiet bit: the arithmetic
 * raises IE for an SNaN and picks the NaN with the larger significand
 * before quieting, as a P6 does */
static Float80 nan_operand(uint64_t frac, int shift, bool sign)
{
    Float80 r;

    r.mant = 0x8000000000000000ull | frac << shift;
    r.se = (uint16_t)(0x7fff | (sign ? 0x8000 : 0));
    return r;
}

static Float80 load_arith_operand(CPUState *env, int esc, uint32_t lin, F80Status *st)
{
    switch (esc) {
    case 0: {
        uint32_t v = cpu_ld32(env, lin);
        if ((v & 0x7f800000u) == 0x7f800000u && (v & 0x7fffffu))
            return nan_operand(v & 0x7fffffu, 40, v >> 31);
        return f80_from_f32(v, st);
    }
    case 4: {
        uint64_t v = cpu_ld32(env, lin);
        v |= (uint64_t)cpu_ld32(env, lin + 4) << 32;
        if ((v & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (v & 0xfffffffffffffull))
            return nan_operand(v & 0xfffffffffffffull, 11, v >> 63);
        return f80_from_f64(v, st);
    }
    case 2: return f80_from_i64((int32_t)cpu_ld32(env, lin));
    case 6: return f80_from_i64((int16_t)cpu_ld16(env, lin));
    }
    g_assert_not_reached();
}

static uint64_t ld64(CPUState *env, uint32_t lin)
{
    uint64_t lo = cpu_ld32(env, lin);
    return lo | (uint64_t)cpu_ld32(env, lin + 4) << 32;
}

static void st64(CPUState *env, uint32_t lin, uint64_t v)
{
    if (((lin ^ (lin + 7)) & ~0xfffu) != 0)
        cpu_st8(env, lin + 7, (uint32_t)(v >> 56));   /* fault before writing */
    cpu_st32(env, lin, (uint32_t)v);
    cpu_st32(env, lin + 4, (uint32_t)(v >> 32));
}

/* integer and float stores of ST(0): kind 0 m32fp, 1 m64fp, 2 m16int,
 * 3 m32int, 4 m64int, 5 m80fp, 6 m80bcd; pop after a successful store */
static void store_st0(CPUState *env, int kind, uint32_t lin, bool pop)
{
    F80Status st = fpu_status(env);
    Float80 v;
    bool uf = st_empty(env, 0);

    if (uf) {
        if (!ie_masked(env)) {
            stack_fault(env, false);
            return;
        }
        st.flags |= F80_STACK_FAULT;
        v = f80_default_nan();
    } else {
        v = st_get(env, 0);
    }
    switch (kind) {
    case 0: {
        uint32_t r = f80_to_f32(v, &st);
        if (!blocked(env, &st, true))
            cpu_st32(env, lin, r);
        break;
    }
    case 1: {
        uint64_t r = f80_to_f64(v, &st);
        if (!blocked(env, &st, true))
            st64(env, lin, r);
        break;
    }
    case 2: case 3: case 4:                 /* FIST(P) m16/m32/m64 */
    case 7: case 8: case 9: {               /* FISTTP m16/m32/m64 (SSE3): truncating */
        static const int bits[] = { 16, 32, 64, 0, 0, 16, 32, 64 };
        int64_t r = f80_to_i64(v, bits[kind - 2], kind >= 7, &st);
        if (blocked(env, &st, true))
            break;
        if (bits[kind - 2] == 16)
            cpu_st16(env, lin, (uint32_t)r);
        else if (bits[kind - 2] == 32)
            cpu_st32(env, lin, (uint32_t)r);
        else
            st64(env, lin, (uint64_t)r);
        break;
    }
    case 5:
        fpu_st80(env, lin, v);
        break;
    case 6: {
        uint8_t b[10];
        f80_to_bcd(v, b, &st);
        if (!blocked(env, &st, true)) {
            Float80 w;
            w.mant = 0;
            for (int i = 0; i < 8; i++)
                w.mant |= (uint64_t)b[i] << (8 * i);
            w.se = (uint16_t)(b[8] | b[9] << 8);
            fpu_st80(env, lin, w);
        }
        break;
    }
    default:
        g_assert_not_reached();
    }
    if (uf)
        set_c1(env, false);
    if (blocked(env, &st, true)) {
        fpu_raise(env, st.flags & (FSW_EXC | FSW_SF));
        return;
    }
    apply(env, &st);
    if (uf)
        set_c1(env, false);
    if (pop)
        fpu_pop(env);
}

/* ------------------------------------------------------------------ */
/* decoding                                                            */

/* no-wait instructions: FNINIT FNCLEX FNSTSW FNSTCW FNSTENV FNSAVE and the
 * 8087/287 FNENI FNDISI FNSETPM (no-ops) */
static bool x87_nowait(unsigned fop)
{
    unsigned esc = fop >> 8, modrm = fop & 0xff, reg = (modrm >> 3) & 7;

    if (modrm < 0xc0)
        return (esc == 1 && (reg == 6 || reg == 7)) || (esc == 5 && (reg == 6 || reg == 7));
    return (esc == 3 && (modrm == 0xe0 || modrm == 0xe1 || modrm == 0xe2 ||
                         modrm == 0xe3 || modrm == 0xe4)) ||
           (esc == 7 && modrm == 0xe0);
}

/* control instructions: leave FIP/FCS/FOP/FDP/FDS alone */
static bool x87_control(unsigned fop)
{
    unsigned esc = fop >> 8, modrm = fop & 0xff, reg = (modrm >> 3) & 7;

    if (x87_nowait(fop))
        return true;
    return modrm < 0xc0 && ((esc == 1 && (reg == 4 || reg == 5)) || (esc == 5 && reg == 4));
}

/* undefined encodings (#UD), including FISTTP (DB/DD/DF /1) on a model
 * without SSE3 */
static bool x87_undefined(const CPUState *env, unsigned fop)
{
    unsigned esc = fop >> 8, modrm = fop & 0xff, reg = (modrm >> 3) & 7;
    bool cmov = (env->insn_features & (1u << INSN_FEAT_CMOV)) != 0;
    bool sse3 = (env->insn_features & (1u << INSN_FEAT_SSE3)) != 0;

    if (modrm < 0xc0) {
        switch (esc) {
        case 1: return reg == 1;
        case 3: return (reg == 1 && !sse3) || reg == 4 || reg == 6;
        case 5: return (reg == 1 && !sse3) || reg == 5;
        case 7: return reg == 1 && !sse3;
        }
        return false;
    }
    switch (esc) {
    case 1:
        return (modrm >= 0xd1 && modrm <= 0xd7) || modrm == 0xe2 || modrm == 0xe3 ||
               modrm == 0xe6 || modrm == 0xe7 || modrm == 0xef;
    case 2:
        return modrm >= 0xe0 ? modrm != 0xe9 : !cmov;
    case 3:
        if (modrm < 0xe0 || modrm >= 0xe8)
            return modrm >= 0xf8 || !cmov;
        return modrm >= 0xe5;
    case 5:
        return modrm >= 0xf0;
    case 6:
        return reg == 3 && modrm != 0xd9;
    case 7:
        if (modrm >= 0xe8)
            return modrm >= 0xf8 || !cmov;
        return modrm >= 0xe1 && modrm <= 0xe7;
    }
    return false;
}

/* memory forms */
static uint32_t x87_mem(CPUState *env, unsigned esc, unsigned reg, uint32_t lin, bool op32)
{
    F80Status st = fpu_status(env);

    switch (esc) {
    case 0: case 2: case 4: case 6: {       /* arithmetic with m32fp/m32int/m64fp/m16int */
        /* a denormal m32fp/m64fp is a denormal operand (DE) unless ST(0)
         * is a NaN or the operation raises IE or ZE, which take priority
         * (checked against a P6) */
        F80Status lst = st;
        Float80 y = load_arith_operand(env, esc, lin, &lst);
        uint16_t de = lst.flags & F80_DE;
        if (!st_empty(env, 0) && f80_is_nan(st_get(env, 0)))
            de = 0;
        st.flags |= lst.flags & (uint16_t)~F80_DE;
        if (reg == 2 || reg == 3)
            compare(env, y, false, &st, false, false, reg == 3, de);
        else
            arith_to(env, reg, 0, y, false, &st, false, de);
        return 0;
    }
    case 1:
        switch (reg) {
        case 0:                             /* FLD m32fp */
            push_loaded(env, f80_from_f32(cpu_ld32(env, lin), &st), &st);
            return 0;
        case 2: store_st0(env, 0, lin, false); return 0;
        case 3: store_st0(env, 0, lin, true); return 0;
        case 4: fpu_fldenv(env, lin, op32); return 0;
        case 5: fpu_set_cw(env, (uint16_t)cpu_ld16(env, lin)); return 0;
        case 6: fpu_fnstenv(env, lin, op32); return 0;
        case 7: cpu_st16(env, lin, env->fpu_fcw); return 0;
        }
        break;
    case 3:
        switch (reg) {
        case 0: {                           /* FILD m32int */
            Float80 v = f80_from_i64((int32_t)cpu_ld32(env, lin));
            push_checked(env, v);
            return 0;
        }
        case 1: store_st0(env, 8, lin, true); return 0;            /* FISTTP m32int */
        case 2: store_st0(env, 3, lin, false); return 0;
        case 3: store_st0(env, 3, lin, true); return 0;
        case 5: push_checked(env, fpu_ld80(env, lin)); return 0;   /* FLD m80fp */
        case 7: store_st0(env, 5, lin, true); return 0;
        }
        break;
    case 5:
        switch (reg) {
        case 0:                             /* FLD m64fp */
            push_loaded(env, f80_from_f64(ld64(env, lin), &st), &st);
            return 0;
        case 1: store_st0(env, 9, lin, true); return 0;            /* FISTTP m64int */
        case 2: store_st0(env, 1, lin, false); return 0;
        case 3: store_st0(env, 1, lin, true); return 0;
        case 4: fpu_frstor(env, lin, op32); return 0;
        case 6: fpu_fnsave(env, lin, op32); return 0;
        case 7: cpu_st16(env, lin, fpu_get_sw(env)); return 0;
        }
        break;
    case 7:
        switch (reg) {
        case 0: push_checked(env, f80_from_i64((int16_t)cpu_ld16(env, lin))); return 0;
        case 1: store_st0(env, 7, lin, true); return 0;            /* FISTTP m16int */
        case 2: store_st0(env, 2, lin, false); return 0;
        case 3: store_st0(env, 2, lin, true); return 0;
        case 4: {                           /* FBLD */
            Float80 raw = fpu_ld80(env, lin);
            uint8_t b[10];
            for (int i = 0; i < 8; i++)
                b[i] = (uint8_t)(raw.mant >> (8 * i));
            b[8] = (uint8_t)raw.se;
            b[9] = (uint8_t)(raw.se >> 8);
            push_checked(env, f80_from_bcd(b));
            return 0;
        }
        case 5: push_checked(env, f80_from_i64((int64_t)ld64(env, lin))); return 0;
        case 6: store_st0(env, 6, lin, true); return 0;
        case 7: store_st0(env, 4, lin, true); return 0;
        }
        break;
    }
    g_assert_not_reached();
}

/* register forms */
static uint32_t x87_reg(CPUState *env, unsigned esc, unsigned modrm, uint32_t cond)
{
    F80Status st = fpu_status(env);
    unsigned reg = (modrm >> 3) & 7, i = modrm & 7;

    switch (esc) {
    case 0:                                 /* D8: ST(0) op ST(i) */
        if (reg == 2 || reg == 3)
            compare(env, st_get(env, i), st_empty(env, i), &st, false, false, reg == 3, 0);
        else
            arith_to(env, reg, 0, st_get(env, i), st_empty(env, i), &st, false, 0);
        return 0;
    case 4: case 6:                         /* DC, DE: ST(i) = ST(0) op ST(i) [pop] */
        if (reg == 2 || reg == 3) {
            int pops = esc == 4 ? reg == 3 : reg == 2 ? 1 : 2;
            compare(env, st_get(env, i), st_empty(env, i), &st, false, false, pops, 0);
        } else {
            arith_to(env, reg, i, st_get(env, i), st_empty(env, i), &st, esc == 6, 0);
        }
        return 0;
    case 1:
        switch (reg) {
        case 0:                             /* FLD ST(i) */
            if (st_empty(env, i)) {         /* underflow wins over overflow */
                if (stack_fault(env, false))
                    fpu_push(env, f80_default_nan());
                return 0;
            }
            push_checked(env, st_get(env, i));
            return 0;
        case 1: {                           /* FXCH ST(i) */
            Float80 a = st_get(env, 0), b = st_get(env, i);
            if (st_empty(env, 0) || st_empty(env, i)) {
                if (!stack_fault(env, false))
                    return 0;
                if (st_empty(env, 0)) a = f80_default_nan();
                if (st_empty(env, i)) b = f80_default_nan();
            } else {
                set_c1(env, false);
            }
            st_set(env, 0, b);
            st_set(env, i, a);
            return 0;
        }
        case 2:                             /* FNOP */
            return 0;
        case 3:                             /* FSTP ST(i) alias (FSTPNCE) */
            goto fstp_reg;
        }
        switch (modrm) {
        case 0xe0: sign_op(env, false); return 0;
        case 0xe1: sign_op(env, true); return 0;
        case 0xe4:                          /* FTST */
            compare(env, f80_const(F80K_ZERO, F80_RN), false, &st, false, false, 0, 0);
            return 0;
        case 0xe5: xam(env); return 0;
        case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: case 0xee: {
            static const F80Const k[] = { F80K_ONE, F80K_L2T, F80K_L2E, F80K_PI,
                                          F80K_LG2, F80K_LN2, F80K_ZERO };
            push_checked(env, f80_const(k[modrm - 0xe8], (env->fpu_fcw >> 10) & 3));
            return 0;
        }
        case 0xf0: unary(env, f_2xm1, &st); return 0;
        case 0xf1: binary(env, f_yl2x, &st, true); return 0;
        case 0xf2: trig_push(env, true, &st); return 0;
        case 0xf3: binary(env, f_atan, &st, true); return 0;
        case 0xf4: xtract(env, &st); return 0;
        case 0xf5: prem(env, true, &st); return 0;
        case 0xf6: env->fpu_top = (env->fpu_top - 1) & 7; set_c1(env, false); return 0;
        case 0xf7: env->fpu_top = (env->fpu_top + 1) & 7; set_c1(env, false); return 0;
        case 0xf8: prem(env, false, &st); return 0;
        case 0xf9: binary(env, f_yl2xp1, &st, true); return 0;
        case 0xfa: unary(env, f_sqrt, &st); return 0;
        case 0xfb: trig_push(env, false, &st); return 0;
        case 0xfc: unary(env, f_rndint, &st); return 0;
        case 0xfd: binary(env, f_scale, &st, false); return 0;
        case 0xfe: trig(env, 0, &st); return 0;
        case 0xff: trig(env, 1, &st); return 0;
        }
        break;
    case 2: case 3:
        if (modrm < 0xe0) {                 /* FCMOVcc: cond computed by the front end */
            if (st_empty(env, 0) || st_empty(env, i)) {
                if (!stack_fault(env, false))
                    return 0;
                st_set(env, 0, f80_default_nan());
                return 0;
            }
            if (cond)                       /* C1 unchanged (checked on a P6) */
                st_set(env, 0, st_get(env, i));
            return 0;
        }
        if (esc == 2) {                     /* DA E9: FUCOMPP */
            compare(env, st_get(env, 1), st_empty(env, 1), &st, true, false, 2, 0);
            return 0;
        }
        switch (modrm) {
        case 0xe0: case 0xe1: case 0xe4:    /* FNENI, FNDISI, FNSETPM: no-ops */
            return 0;
        case 0xe2:                          /* FNCLEX */
            env->fpu_fsw &= ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
            fpu_set_ferr(env, false);
            return 0;
        case 0xe3:                          /* FNINIT */
            fpu_reset(env, false);
            return 0;
        }
        /* DB E8+i FUCOMI, DB F0+i FCOMI */
        compare(env, st_get(env, i), st_empty(env, i), &st, reg == 5, true, 0, 0);
        return 0;
    case 5:
        switch (reg) {
        case 0:                             /* FFREE (a P6 clears C1) */
            env->fpu_valid &= (uint8_t)~(1u << phys(env, i));
            set_c1(env, false);
            return 0;
        case 1:                             /* FXCH alias */
            return x87_reg(env, 1, 0xc8 | i, cond);
        case 2: case 3:                     /* FST / FSTP ST(i) */
            if (st_empty(env, 0)) {
                if (!stack_fault(env, false))
                    return 0;
                st_set(env, i, f80_default_nan());
            } else {
                set_c1(env, false);
                st_set(env, i, st_get(env, 0));
            }
            if (reg == 3)
                fpu_pop(env);
            return 0;
        case 4: case 5:                     /* FUCOM / FUCOMP */
            compare(env, st_get(env, i), st_empty(env, i), &st, true, false, reg == 5, 0);
            return 0;
        }
        break;
    case 7:
        switch (reg) {
        case 0:                             /* FFREEP (C1 cleared as by FINCSTP) */
            env->fpu_valid &= (uint8_t)~(1u << phys(env, i));
            fpu_pop(env);
            set_c1(env, false);
            return 0;
        case 1:
            return x87_reg(env, 1, 0xc8 | i, cond);
        case 2: case 3:                     /* FSTP aliases */
            goto fstp_reg;
        case 4:                             /* FNSTSW AX: the front end writes AX */
            return fpu_get_sw(env);
        case 5: case 6:                     /* FUCOMIP, FCOMIP */
            compare(env, st_get(env, i), st_empty(env, i), &st, reg == 5, true, 1, 0);
            return 0;
        }
        break;
    }
    g_assert_not_reached();
fstp_reg:
    return x87_reg(env, 5, 0xd8 | i, cond);
}

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* every D8-DF instruction; arg = X87_ARG(fop, seg, op32), lin = linear
 * address of the memory operand, cond = FCMOVcc condition (0/1); returns
 * the status word for FNSTSW AX */
/*
 * The bytes a memory form accesses and whether it writes them (Capstone's
 * operand sizes are wrong for FNSAVE/FRSTOR, FNSTSW m and the 16-bit
 * environment): m32/m64/m16 by escape, m80 (FLD/FSTP m80, FBLD/FBSTP),
 * 14/28-byte environment, 94/108-byte state.
 */
static int x87_mem_size(unsigned esc, unsigned reg, bool op32, bool *write)
{
    static const uint8_t arith[8] = { 4, 0, 4, 0, 8, 0, 2, 0 };     /* D8 DA DC DE */
    int env_size = op32 ? 28 : 14, state_size = op32 ? 108 : 94;

    *write = false;
    if (arith[esc])
        return arith[esc];
    switch (esc) {
    case 1:                                 /* D9 */
        *write = reg == 2 || reg == 3 || reg == 6 || reg == 7;
        return reg == 4 || reg == 6 ? env_size : reg >= 5 ? 2 : 4;
    case 3:                                 /* DB */
        *write = reg != 0 && reg != 5;
        return reg >= 5 ? 10 : 4;
    case 5:                                 /* DD */
        *write = reg != 0 && reg != 4;
        return reg == 4 || reg == 6 ? state_size : reg == 7 ? 2 : 8;
    default:                                /* DF */
        *write = reg != 0 && reg != 4 && reg != 5;
        return reg == 4 || reg == 6 ? 10 : reg == 5 || reg == 7 ? 8 : 2;
    }
}

/* segment limit and type check of the memory operand, after #NM and a
 * pending #MF (SDM vol. 3 6.9: "coprocessor not available" is a decode
 * fault, above the execution faults); the front end passes the address
 * unchecked (gen_fpu.c) */
static void x87_seg_check(CPUState *env, uint32_t arg, uint32_t lin)
{
    unsigned fop = X87_ARG_FOP(arg), seg = X87_ARG_SEG(arg);
    bool write;
    int size;

    if (seg_hf_class(env->hflags, (int)seg) == SEG_CLS_FLAT)
        return;
    size = x87_mem_size(fop >> 8, (fop >> 3) & 7, X87_ARG_OP32(arg), &write);
    seg_check_access(env, (int)seg, lin - env->seg[seg].base, size, write);
}

uint32_t x87_classify(const CPUState *env, unsigned fop)
{
    return (x87_undefined(env, fop) ? X87_ARG_UNDEF : 0) |
           (x87_nowait(fop) ? X87_ARG_NOWAIT : 0) |
           (x87_control(fop) ? X87_ARG_CONTROL : 0);
}

uint32_t helper_x87(CPUState *env, uint32_t arg, uint32_t lin, uint32_t cond)
{
    unsigned fop = X87_ARG_FOP(arg), esc = fop >> 8, modrm = fop & 0xff;
    uint32_t r;

    if (arg & X87_ARG_UNDEF)
        raise_exception_noerr(env, EXCP_UD);
    fpu_check_nm(env);
    if (!(arg & X87_ARG_NOWAIT))
        fpu_check_pending(env);
    if (modrm < 0xc0)
        x87_seg_check(env, arg, lin);
    if (modrm < 0xc0)
        r = x87_mem(env, esc, (modrm >> 3) & 7, lin, X87_ARG_OP32(arg));
    else
        r = x87_reg(env, esc, modrm, cond);
    if (!(arg & X87_ARG_CONTROL)) {
        env->fpu_fop = (uint16_t)fop;
        env->fpu_fip = env->eip;
        env->fpu_fcs = env->seg[R_CS].selector;
        if (modrm < 0xc0) {
            int seg = X87_ARG_SEG(arg);
            env->fpu_fdp = lin - env->seg[seg].base;
            env->fpu_fds = env->seg[seg].selector;
        }
    }
    return r;
}

/* FXSAVE / FXRSTOR m512 (0F AE /0, /1): arg bit 0: 0 save, 1 restore,
 * bits 4-6 the segment; #UD unless the model claims FXSR; #NM for EM/TS;
 * the segment check of the 512 bytes; #GP(0) if not 16-byte aligned */
void helper_x87_fxsave(CPUState *env, uint32_t arg, uint32_t lin)
{
    uint32_t restore = arg & 1;
    int seg = (int)((arg >> 4) & 7);

    if (!env->model || !cpuid_has(env, CPUID_FXSR))
        raise_exception_noerr(env, EXCP_UD);
    fpu_check_nm(env);
    if (seg_hf_class(env->hflags, seg) != SEG_CLS_FLAT)
        seg_check_access(env, seg, lin - env->seg[seg].base, 512, !restore);
    if (lin & 15)
        raise_exception(env, EXCP_GP, 0);
    if (restore)
        fpu_fxrstor(env, lin);
    else
        fpu_fxsave(env, lin);
}
