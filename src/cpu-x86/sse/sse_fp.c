/*
 * sse_fp.c - the SSE/SSE2/SSE3 floating-point core (see sse_fp.h).
 *
 * Integer arithmetic only (no host float or double), one code path for
 * binary32 and binary64 driven by a format descriptor (FpFmt).  A value is
 * held in a uint64_t (binary32 in the low half).  The shape follows
 * float80.c:
 *
 *   daz      denormal operands become signed zeros when MXCSR.DAZ is set
 *            (no DE then); otherwise a denormal operand reports DE
 *   special  NaN (the first source wins, SNaN quieted, IE), infinities,
 *            zeros handled per operation
 *   compute  finite non-zero operands unpacked to (sign, exponent, 64-bit
 *            significand with bit 63 set); exact or sticky results in
 *            128-bit integers
 *   round    fp_round(): one routine for every result (RC, overflow,
 *            tininess AFTER rounding as x86 SSE, FTZ when UM is masked,
 *            UE on tiny exact results when UM is unmasked)
 *
 * Flags are collected per instruction as pre-computation (IE DE ZE) and
 * post-computation (OE UE PE) sets; sse_fp_exec() applies the SDM rule for
 * unmasked pre-computation exceptions (Vol. 1, 11.5.1).  docs/sse.md.
 */
#include <stdbool.h>
#include <string.h>
#include "cpu-x86/sse/sse_fp.h"

#ifndef __SIZEOF_INT128__
#error "sse_fp.c needs unsigned __int128 (a 64-bit GCC or Clang host)"
#endif

typedef unsigned __int128 U128;

typedef struct FpFmt {
    int mbits;          /* stored significand bits: 23 or 52 */
    int emax;           /* all-ones biased exponent: 255 or 2047 */
    int bias;           /* 127 or 1023 */
    uint64_t dnan;      /* default NaN, the "QNaN floating-point indefinite" */
} FpFmt;

static const FpFmt F32 = { 23, 255, 127, 0xffc00000u };
static const FpFmt F64 = { 52, 2047, 1023, 0xfff8000000000000ull };

typedef struct FpEnv {
    int rc;             /* MXCSR.RC: RN RD RU RZ */
    bool ftz, daz;
    uint32_t masked;    /* MXCSR mask bits moved down to the flag positions */
    uint32_t pre;       /* IE DE ZE raised */
    uint32_t post;      /* OE UE PE raised */
} FpEnv;

enum { RC_RN = 0, RC_RD = 1, RC_RU = 2, RC_RZ = 3 };

/* ------------------------------------------------------------------ */
/* classification                                                      */
/* ------------------------------------------------------------------ */

static inline int f_sbit(const FpFmt *f) { return f->mbits == 23 ? 31 : 63; }
static inline bool f_sign(const FpFmt *f, uint64_t v) { return (v >> f_sbit(f)) & 1; }
static inline int f_exp(const FpFmt *f, uint64_t v)
{
    return (int)((v >> f->mbits) & (uint64_t)f->emax);
}
static inline uint64_t f_man(const FpFmt *f, uint64_t v)
{
    return v & ((1ull << f->mbits) - 1);
}
static inline uint64_t f_pack(const FpFmt *f, bool sign, int exp, uint64_t man)
{
    return ((uint64_t)sign << f_sbit(f)) | ((uint64_t)exp << f->mbits) | man;
}
static inline uint64_t f_zero(const FpFmt *f, bool sign) { return f_pack(f, sign, 0, 0); }
static inline uint64_t f_inf(const FpFmt *f, bool sign) { return f_pack(f, sign, f->emax, 0); }
static inline uint64_t f_qbit(const FpFmt *f) { return 1ull << (f->mbits - 1); }

static inline bool f_is_nan(const FpFmt *f, uint64_t v)
{
    return f_exp(f, v) == f->emax && f_man(f, v) != 0;
}
static inline bool f_is_snan(const FpFmt *f, uint64_t v)
{
    return f_is_nan(f, v) && !(v & f_qbit(f));
}
static inline bool f_is_inf(const FpFmt *f, uint64_t v)
{
    return f_exp(f, v) == f->emax && f_man(f, v) == 0;
}
static inline bool f_is_zero(const FpFmt *f, uint64_t v)
{
    return f_exp(f, v) == 0 && f_man(f, v) == 0;
}
static inline bool f_is_den(const FpFmt *f, uint64_t v)
{
    return f_exp(f, v) == 0 && f_man(f, v) != 0;
}

static inline int clz64(uint64_t v) { return v ? __builtin_clzll(v) : 64; }
static inline int clz128(U128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)v);
}

static inline uint64_t shr64_sticky(uint64_t v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 64)
        return v != 0;
    return (v >> n) | ((v & ((1ull << n) - 1)) != 0);
}

static inline U128 shr128_sticky(U128 v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v & (((U128)1 << n) - 1)) != 0);
}

/* 128-bit value with the top bit somewhere -> 64-bit significand with bit
 * 63 set and the rest as sticky; *e adjusted so that the value is kept as
 * sig * 2^(e - 63) where the caller's v was v * 2^(e0 - 127) */
static inline uint64_t norm128(U128 v, int *e)
{
    int lz = clz128(v);
    v <<= lz;
    *e -= lz;
    return (uint64_t)(v >> 64) | ((uint64_t)v != 0);
}

/* finite non-zero operand: value = sig * 2^(exp - 63), bit 63 of sig set */
typedef struct Unp {
    bool sign;
    int exp;
    uint64_t sig;
} Unp;

static Unp f_unpack(const FpFmt *f, uint64_t v)
{
    Unp u;
    int e = f_exp(f, v);
    uint64_t m = f_man(f, v);
    u.sign = f_sign(f, v);
    if (e == 0) {                       /* denormal */
        int lz = clz64(m);
        u.sig = m << lz;
        u.exp = (1 - f->bias) + (63 - f->mbits) - lz;
    } else {
        u.sig = (m | (1ull << f->mbits)) << (63 - f->mbits);
        u.exp = e - f->bias;
    }
    return u;
}

/* DAZ: a denormal operand reads as a zero of the same sign */
static inline uint64_t f_daz(const FpFmt *f, const FpEnv *env, uint64_t v)
{
    if (env->daz && f_is_den(f, v))
        return f_zero(f, f_sign(f, v));
    return v;
}

static inline uint64_t f_quiet(const FpFmt *f, uint64_t v) { return v | f_qbit(f); }

/* NaN operand rule of the arithmetic instructions (SDM Vol. 1, table 4-7
 * and 11.5.2.1): SNaN -> IE; the first source if it is a NaN, else the
 * second; the result is quieted */
static uint64_t f_nan2(const FpFmt *f, FpEnv *env, uint64_t a, uint64_t b)
{
    if (f_is_snan(f, a) || f_is_snan(f, b))
        env->pre |= MXCSR_IE;
    return f_quiet(f, f_is_nan(f, a) ? a : b);
}

static inline bool round_up(int rc, bool sign, bool lsb, uint64_t rem, uint64_t half)
{
    switch (rc) {
    case RC_RN: return rem > half || (rem == half && lsb);
    case RC_RD: return sign && rem;
    case RC_RU: return !sign && rem;
    default: return false;
    }
}

/* Round sig * 2^(e - 63) (bit 63 of sig set, bit 0 sticky) to the format. */
static uint64_t fp_round(const FpFmt *f, FpEnv *env, bool sign, int e, uint64_t sig)
{
    int sh = 63 - f->mbits;
    uint64_t half = 1ull << (sh - 1), mask = (1ull << sh) - 1;
    int be = e + f->bias;
    uint64_t m = sig >> sh, rem = sig & mask;
    bool up = round_up(env->rc, sign, m & 1, rem, half);

    if (be >= 1) {
        if (up && ++m >> (f->mbits + 1)) {
            m >>= 1;
            be++;
        }
        if (be >= f->emax) {                     /* overflow */
            env->post |= MXCSR_OE;
            if (!(env->masked & MXCSR_OE)) {
                if (rem)
                    env->post |= MXCSR_PE;
                return 0;                        /* not written by the caller */
            }
            env->post |= MXCSR_PE;
            bool to_inf = env->rc == RC_RN || (env->rc == RC_RU && !sign) ||
                          (env->rc == RC_RD && sign);
            return to_inf ? f_inf(f, sign)
                          : f_pack(f, sign, f->emax - 1, (1ull << f->mbits) - 1);
        }
        if (rem)
            env->post |= MXCSR_PE;
        return f_pack(f, sign, be, m & ((1ull << f->mbits) - 1));
    }

    /* below the normal range before rounding: tiny unless rounding to the
     * full precision with an unbounded exponent reaches 2^emin */
    bool tiny = !(be == 0 && up && m + 1 == (1ull << (f->mbits + 1)));
    bool um = env->masked & MXCSR_UE;
    if (!um) {
        /* no result is written: UE for every tiny result, PE as the
         * full-precision rounding */
        if (tiny) {
            env->post |= MXCSR_UE;
            if (rem)
                env->post |= MXCSR_PE;
            return 0;
        }
    } else if (tiny && env->ftz) {
        env->post |= MXCSR_UE | MXCSR_PE;
        return f_zero(f, sign);
    }
    sig = shr64_sticky(sig, 1 - be);
    m = sig >> sh;
    rem = sig & mask;
    if (round_up(env->rc, sign, m & 1, rem, half))
        m++;                                     /* may carry into the exponent field */
    if (rem) {
        env->post |= MXCSR_PE;
        if (tiny)
            env->post |= MXCSR_UE;
    }
    return f_pack(f, sign, 0, 0) | m;
}

static inline uint64_t round_unp(const FpFmt *f, FpEnv *env, Unp u)
{
    return fp_round(f, env, u.sign, u.exp, u.sig);
}

/* ------------------------------------------------------------------ */
/* arithmetic                                                          */
/* ------------------------------------------------------------------ */

static uint64_t fp_add(const FpFmt *f, FpEnv *env, uint64_t a, uint64_t b, bool sub)
{
    a = f_daz(f, env, a);
    b = f_daz(f, env, b);
    if (f_is_nan(f, a) || f_is_nan(f, b))
        return f_nan2(f, env, a, b);
    if (f_is_den(f, a) || f_is_den(f, b))
        env->pre |= MXCSR_DE;
    bool sa = f_sign(f, a), sb = f_sign(f, b) ^ sub;
    if (f_is_inf(f, a)) {
        if (f_is_inf(f, b) && sa != sb) {
            env->pre |= MXCSR_IE;
            return f->dnan;
        }
        return a;
    }
    if (f_is_inf(f, b))
        return f_inf(f, sb);
    bool za = f_is_zero(f, a), zb = f_is_zero(f, b);
    if (za && zb)
        return f_zero(f, sa == sb ? sa : env->rc == RC_RD);
    if (zb)
        return round_unp(f, env, f_unpack(f, a));
    if (za) {
        Unp ub = f_unpack(f, b);
        ub.sign = sb;
        return round_unp(f, env, ub);
    }
    Unp x = f_unpack(f, a), y = f_unpack(f, b);
    y.sign = sb;
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
        Unp t = x; x = y; y = t;
    }
    U128 X = (U128)x.sig << 62, Y = shr128_sticky((U128)y.sig << 62, x.exp - y.exp);
    U128 S = x.sign == y.sign ? X + Y : X - Y;
    if (S == 0)
        return f_zero(f, env->rc == RC_RD);
    int e = x.exp + 2;
    uint64_t sig = norm128(S, &e);
    return fp_round(f, env, x.sign, e, sig);
}

static uint64_t fp_mul(const FpFmt *f, FpEnv *env, uint64_t a, uint64_t b)
{
    a = f_daz(f, env, a);
    b = f_daz(f, env, b);
    if (f_is_nan(f, a) || f_is_nan(f, b))
        return f_nan2(f, env, a, b);
    if (f_is_den(f, a) || f_is_den(f, b))
        env->pre |= MXCSR_DE;
    bool s = f_sign(f, a) ^ f_sign(f, b);
    bool ia = f_is_inf(f, a), ib = f_is_inf(f, b);
    bool za = f_is_zero(f, a), zb = f_is_zero(f, b);
    if ((ia && zb) || (ib && za)) {
        env->pre |= MXCSR_IE;
        return f->dnan;
    }
    if (ia || ib)
        return f_inf(f, s);
    if (za || zb)
        return f_zero(f, s);
    Unp x = f_unpack(f, a), y = f_unpack(f, b);
    int e = x.exp + y.exp + 1;
    uint64_t sig = norm128((U128)x.sig * y.sig, &e);
    return fp_round(f, env, s, e, sig);
}

static uint64_t fp_div(const FpFmt *f, FpEnv *env, uint64_t a, uint64_t b)
{
    a = f_daz(f, env, a);
    b = f_daz(f, env, b);
    if (f_is_nan(f, a) || f_is_nan(f, b))
        return f_nan2(f, env, a, b);
    bool s = f_sign(f, a) ^ f_sign(f, b);
    bool ia = f_is_inf(f, a), ib = f_is_inf(f, b);
    bool za = f_is_zero(f, a), zb = f_is_zero(f, b);
    if ((ia && ib) || (za && zb)) {
        env->pre |= MXCSR_IE;
        return f->dnan;
    }
    if (zb && !ia) {                    /* ZE has priority over DE */
        env->pre |= MXCSR_ZE;
        return f_inf(f, s);
    }
    if (f_is_den(f, a) || f_is_den(f, b))
        env->pre |= MXCSR_DE;
    if (ia)
        return f_inf(f, s);
    if (ib || za)
        return f_zero(f, s);
    Unp x = f_unpack(f, a), y = f_unpack(f, b);
    U128 n = (U128)x.sig << 64;
    U128 q = n / y.sig;
    bool r = (n % y.sig) != 0;
    int e = x.exp - y.exp + 63;
    uint64_t sig = norm128(q, &e) | r;
    return fp_round(f, env, s, e, sig);
}

/* floor(sqrt(n)), *rem = n - root^2 */
static uint64_t isqrt128(U128 n, bool *rem)
{
    U128 res = 0, one = (U128)1 << 126;
    while (one > n)
        one >>= 2;
    while (one) {
        if (n >= res + one) {
            n -= res + one;
            res = (res >> 1) + one;
        } else {
            res >>= 1;
        }
        one >>= 2;
    }
    *rem = n != 0;
    return (uint64_t)res;
}

static uint64_t fp_sqrt(const FpFmt *f, FpEnv *env, uint64_t a)
{
    a = f_daz(f, env, a);
    if (f_is_nan(f, a)) {
        if (f_is_snan(f, a))
            env->pre |= MXCSR_IE;
        return f_quiet(f, a);
    }
    if (f_is_zero(f, a))
        return a;
    if (f_sign(f, a)) {
        env->pre |= MXCSR_IE;
        return f->dnan;
    }
    if (f_is_inf(f, a))
        return a;
    if (f_is_den(f, a))
        env->pre |= MXCSR_DE;
    Unp x = f_unpack(f, a);
    int k = x.exp - 63;
    U128 n;
    if (k & 1) {
        n = (U128)x.sig << 63;
        k -= 63;
    } else {
        n = (U128)x.sig << 62;
        k -= 62;
    }
    bool rem;
    uint64_t r = isqrt128(n, &rem);
    int lz = clz64(r);
    r = (r << lz) | rem;
    return fp_round(f, env, false, k / 2 - lz + 63, r);
}

/* compare: -1 less, 0 equal, 1 greater, 2 unordered (no flags) */
static int fp_cmp_raw(const FpFmt *f, uint64_t a, uint64_t b)
{
    if (f_is_nan(f, a) || f_is_nan(f, b))
        return 2;
    if (f_is_zero(f, a) && f_is_zero(f, b))
        return 0;
    bool sa = f_sign(f, a), sb = f_sign(f, b);
    uint64_t smask = 1ull << f_sbit(f);
    uint64_t ma = a & ~smask, mb = b & ~smask;
    if (sa != sb)
        return sa ? -1 : 1;
    if (ma == mb)
        return 0;
    return (ma < mb) ^ sa ? -1 : 1;
}

/* operands of compares/min/max: DAZ, DE, IE for SNaN (or any NaN when
 * qnan_invalid) */
static void cmp_operands(const FpFmt *f, FpEnv *env, uint64_t *a, uint64_t *b, bool qnan_invalid)
{
    *a = f_daz(f, env, *a);
    *b = f_daz(f, env, *b);
    bool na = f_is_nan(f, *a), nb = f_is_nan(f, *b);
    if (f_is_snan(f, *a) || f_is_snan(f, *b) || (qnan_invalid && (na || nb)))
        env->pre |= MXCSR_IE;
    else if (!na && !nb && (f_is_den(f, *a) || f_is_den(f, *b)))
        env->pre |= MXCSR_DE;
}

/* MIN/MAX (SDM MAXPS): the second source if either is a NaN or both are
 * zeros (of any sign); IE on any NaN */
static uint64_t fp_minmax(const FpFmt *f, FpEnv *env, uint64_t a, uint64_t b, bool max)
{
    cmp_operands(f, env, &a, &b, true);
    int c = fp_cmp_raw(f, a, b);
    if (c == 2 || c == 0)
        return b;
    return (c > 0) == max ? a : b;
}

/* CMPPS predicates 0-7 (EQ LT LE UNORD NEQ NLT NLE ORD); LT LE NLT NLE
 * signal IE on a QNaN */
static uint64_t fp_cmp_pred(const FpFmt *f, FpEnv *env, uint64_t a, uint64_t b, unsigned imm)
{
    imm &= 7;
    bool sig = imm == 1 || imm == 2 || imm == 5 || imm == 6;
    cmp_operands(f, env, &a, &b, sig);
    int c = fp_cmp_raw(f, a, b);
    bool r;
    switch (imm) {
    case 0: r = c == 0; break;
    case 1: r = c == -1; break;
    case 2: r = c == -1 || c == 0; break;
    case 3: r = c == 2; break;
    case 4: r = c != 0; break;
    case 5: r = !(c == -1); break;
    case 6: r = !(c == -1 || c == 0); break;
    default: r = c != 2; break;
    }
    return r ? (f->mbits == 23 ? 0xffffffffull : ~0ull) : 0;
}

static uint32_t fp_comi(const FpFmt *f, FpEnv *env, uint64_t a, uint64_t b, bool signal)
{
    cmp_operands(f, env, &a, &b, signal);
    switch (fp_cmp_raw(f, a, b)) {
    case -1: return SSEFP_CF;
    case 0: return SSEFP_ZF;
    case 1: return 0;
    default: return SSEFP_ZF | SSEFP_PF | SSEFP_CF;
    }
}

/* ------------------------------------------------------------------ */
/* conversions                                                         */
/* ------------------------------------------------------------------ */

static uint64_t fp_from_int(const FpFmt *f, FpEnv *env, int64_t v)
{
    if (v == 0)
        return 0;
    bool s = v < 0;
    uint64_t u = s ? -(uint64_t)v : (uint64_t)v;
    int lz = clz64(u);
    return fp_round(f, env, s, 63 - lz, u << lz);
}

/* float -> int32/int64; out of range and NaN: the integer indefinite with
 * IE (and no PE) */
static int64_t fp_to_int(const FpFmt *f, FpEnv *env, uint64_t a, int bits, bool trunc)
{
    int64_t indef = bits == 32 ? INT32_MIN : INT64_MIN;
    a = f_daz(f, env, a);
    if (f_is_nan(f, a) || f_is_inf(f, a)) {
        env->pre |= MXCSR_IE;
        return indef;
    }
    if (f_is_zero(f, a))
        return 0;
    Unp x = f_unpack(f, a);
    int rc = trunc ? RC_RZ : env->rc;
    uint64_t ip, frac;
    if (x.exp >= 64) {
        env->pre |= MXCSR_IE;
        return indef;
    }
    if (x.exp == 63) {
        ip = x.sig;
        frac = 0;
    } else if (x.exp < -1) {
        ip = 0;
        frac = 1;                       /* below one half, not zero */
    } else {
        int sh = 63 - x.exp;            /* 1..64 */
        ip = sh == 64 ? 0 : x.sig >> sh;
        frac = sh == 64 ? x.sig : x.sig << (64 - sh);
    }
    if (round_up(rc, x.sign, ip & 1, frac, 1ull << 63))
        ip++;
    uint64_t lim = 1ull << (bits - 1);
    if (ip > lim - !x.sign) {
        env->pre |= MXCSR_IE;
        return indef;
    }
    if (frac)
        env->post |= MXCSR_PE;
    return x.sign ? -(int64_t)(ip - 1) - 1 : (int64_t)ip;
}

/* binary32 <-> binary64 */
static uint64_t fp_convert(const FpFmt *from, const FpFmt *to, FpEnv *env, uint64_t a)
{
    a = f_daz(from, env, a);
    bool s = f_sign(from, a);
    if (f_is_nan(from, a)) {
        if (f_is_snan(from, a))
            env->pre |= MXCSR_IE;
        uint64_t m = f_man(from, a);
        m = to->mbits > from->mbits ? m << (to->mbits - from->mbits)
                                    : m >> (from->mbits - to->mbits);
        return f_pack(to, s, to->emax, m | f_qbit(to));
    }
    if (f_is_inf(from, a))
        return f_inf(to, s);
    if (f_is_zero(from, a))
        return f_zero(to, s);
    if (f_is_den(from, a))
        env->pre |= MXCSR_DE;
    return round_unp(to, env, f_unpack(from, a));
}

/* ------------------------------------------------------------------ */
/* RCPPS / RSQRTPS                                                     */
/* ------------------------------------------------------------------ */

/* Intel's bits (docs/sse.md): the result fraction has 12 bits and depends
 * only on the top 11 mantissa bits of x (RCP) or on the top 10 and the
 * parity of the exponent (RSQRT); the exponent only scales.  Those 2048
 * + 2048 fractions are stored as segments of a piecewise linear function
 * (sse_fp_approx.inc, derived from an Intel host, family 6 model 207),
 * which reproduces that host for every input.  The same bits for every
 * modelled CPU (AMD's differ: a documented departure).  Special inputs as
 * the SDM: +-0 and denormals (read as zero whatever DAZ says) give
 * +-infinity, a NaN is returned quieted, RSQRT of a negative non-zero
 * number gives the default QNaN, a result below the smallest normal is
 * flushed to a zero of x's sign.  MXCSR (RC, FTZ, DAZ, masks) has no
 * effect and no flag is ever raised. */
#include "cpu-x86/sse/sse_fp_approx.inc"

static uint32_t fp_rcp(uint32_t a)
{
    uint32_t s = a & 0x80000000u;
    int e = f_exp(&F32, a);
    uint32_t m = (uint32_t)f_man(&F32, a);
    if (e == F32.emax)
        return m ? a | 0x00400000u : s;     /* NaN quieted; 1/inf = 0 */
    if (e == 0)
        return s | 0x7f800000u;             /* zero, denormal: infinity */
    if (e >= 253)                           /* x >= 2^126: result tiny, flushed */
        return s;
    uint32_t t = rcp_seg[m >> 16], j = (m >> 12) & 15;
    uint32_t f = ((t >> 8) - (t & 0xff) * j) >> 6;
    /* 1/(1.m * 2^(e-127)) ~ 0.5 * (1 + f/2^12) * 2^(127-e) */
    return s | (uint32_t)(253 - e) << 23 | f << 11;
}

static uint32_t fp_rsqrt(uint32_t a)
{
    uint32_t s = a & 0x80000000u;
    int e = f_exp(&F32, a);
    uint32_t m = (uint32_t)f_man(&F32, a);
    if (e == F32.emax && m)
        return a | 0x00400000u;
    if (e == 0)
        return s | 0x7f800000u;             /* -0 and -denormal: -infinity */
    if (s)
        return 0xffc00000u;
    if (e == F32.emax)
        return 0;
    /* x = y * 2^(2k), y in [1,4): 1/sqrt(x) ~ 0.5 * (1 + f/2^12) * 2^(-k);
     * biased result exponent 126 - floor((e - 127) / 2) */
    uint32_t t = rsqrt_seg[!(e & 1)][m >> 16], j = (m >> 13) & 7;
    uint32_t f = ((t >> 8) - (t & 0xff) * j) >> 4;
    return (uint32_t)(190 - ((e + 1) >> 1)) << 23 | f << 11;
}

/* ------------------------------------------------------------------ */
/* dispatch                                                            */
/* ------------------------------------------------------------------ */

static const char *const op_names[SSEFP_COUNT] = {
#define SSEFP_NAME(n) [SSEFP_##n] = #n,
    SSEFP_OPS(SSEFP_NAME)
#undef SSEFP_NAME
};

const char *sse_fp_name(SSEFpOp op)
{
    return (unsigned)op < SSEFP_COUNT ? op_names[op] : "?";
}

enum { K_ADD, K_SUB, K_MUL, K_DIV, K_MIN, K_MAX, K_CMP };

static uint64_t binop(int k, const FpFmt *f, FpEnv *env, uint64_t a, uint64_t b, uint32_t imm)
{
    switch (k) {
    case K_ADD: return fp_add(f, env, a, b, false);
    case K_SUB: return fp_add(f, env, a, b, true);
    case K_MUL: return fp_mul(f, env, a, b);
    case K_DIV: return fp_div(f, env, a, b);
    case K_MIN: return fp_minmax(f, env, a, b, false);
    case K_MAX: return fp_minmax(f, env, a, b, true);
    default: return fp_cmp_pred(f, env, a, b, imm);
    }
}

/* the four forms PS SS PD SD of one binary operation */
static void binop4(int k, int form, XMMReg *r, const XMMReg *a, const XMMReg *b,
                   uint32_t imm, FpEnv *env)
{
    switch (form) {
    case 0:
        for (int i = 0; i < 4; i++)
            r->d[i] = (uint32_t)binop(k, &F32, env, a->d[i], b->d[i], imm);
        break;
    case 1:
        r->d[0] = (uint32_t)binop(k, &F32, env, a->d[0], b->d[0], imm);
        break;
    case 2:
        for (int i = 0; i < 2; i++)
            r->q[i] = binop(k, &F64, env, a->q[i], b->q[i], imm);
        break;
    default:
        r->q[0] = binop(k, &F64, env, a->q[0], b->q[0], imm);
        break;
    }
}

uint32_t sse_fp_exec(SSEFpOp op, XMMReg *out, const XMMReg *a, const XMMReg *b,
                     uint32_t imm, uint32_t mxcsr)
{
    FpEnv env = {
        .rc = (mxcsr >> MXCSR_RC_SHIFT) & 3,
        .ftz = mxcsr & MXCSR_FZ,
        .daz = mxcsr & MXCSR_DAZ,
        .masked = (mxcsr >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS,
    };
    XMMReg r = *a;                      /* scalar forms keep a's upper lanes */
    XMMReg zero = { .q = { 0, 0 } };

    _Static_assert(SSEFP_CMPSD == SSEFP_ADDPS + 31, "SSEFP_OPS: ADD..CMP in groups of four");
    if (op <= SSEFP_CMPSD) {
        int k = (op - SSEFP_ADDPS) / 4, form = (op - SSEFP_ADDPS) % 4;
        static const int kinds[] = { K_ADD, K_SUB, K_MUL, K_DIV, K_MIN, K_MAX, -1, K_CMP };
        if (kinds[k] >= 0) {
            binop4(kinds[k], form, &r, a, b, imm, &env);
        } else if (form == 0) {
            for (int i = 0; i < 4; i++)
                r.d[i] = (uint32_t)fp_sqrt(&F32, &env, b->d[i]);
        } else if (form == 1) {
            r.d[0] = (uint32_t)fp_sqrt(&F32, &env, b->d[0]);
        } else if (form == 2) {
            for (int i = 0; i < 2; i++)
                r.q[i] = fp_sqrt(&F64, &env, b->q[i]);
        } else {
            r.q[0] = fp_sqrt(&F64, &env, b->q[0]);
        }
    } else {
        switch (op) {
        case SSEFP_COMISS: case SSEFP_UCOMISS:
            r = zero;
            r.d[0] = fp_comi(&F32, &env, a->d[0], b->d[0], op == SSEFP_COMISS);
            break;
        case SSEFP_COMISD: case SSEFP_UCOMISD:
            r = zero;
            r.d[0] = fp_comi(&F64, &env, a->q[0], b->q[0], op == SSEFP_COMISD);
            break;
        case SSEFP_RCPPS:
            for (int i = 0; i < 4; i++)
                r.d[i] = fp_rcp(b->d[i]);
            break;
        case SSEFP_RCPSS:
            r.d[0] = fp_rcp(b->d[0]);
            break;
        case SSEFP_RSQRTPS:
            for (int i = 0; i < 4; i++)
                r.d[i] = fp_rsqrt(b->d[i]);
            break;
        case SSEFP_RSQRTSS:
            r.d[0] = fp_rsqrt(b->d[0]);
            break;
        case SSEFP_ADDSUBPS:
            for (int i = 0; i < 4; i++)
                r.d[i] = (uint32_t)fp_add(&F32, &env, a->d[i], b->d[i], !(i & 1));
            break;
        case SSEFP_ADDSUBPD:
            r.q[0] = fp_add(&F64, &env, a->q[0], b->q[0], true);
            r.q[1] = fp_add(&F64, &env, a->q[1], b->q[1], false);
            break;
        case SSEFP_HADDPS: case SSEFP_HSUBPS: {
            bool sub = op == SSEFP_HSUBPS;
            r.d[0] = (uint32_t)fp_add(&F32, &env, a->d[0], a->d[1], sub);
            r.d[1] = (uint32_t)fp_add(&F32, &env, a->d[2], a->d[3], sub);
            r.d[2] = (uint32_t)fp_add(&F32, &env, b->d[0], b->d[1], sub);
            r.d[3] = (uint32_t)fp_add(&F32, &env, b->d[2], b->d[3], sub);
            break;
        }
        case SSEFP_HADDPD: case SSEFP_HSUBPD: {
            bool sub = op == SSEFP_HSUBPD;
            r.q[0] = fp_add(&F64, &env, a->q[0], a->q[1], sub);
            r.q[1] = fp_add(&F64, &env, b->q[0], b->q[1], sub);
            break;
        }
        case SSEFP_CVTSI2SS:
            r.d[0] = (uint32_t)fp_from_int(&F32, &env, (int32_t)b->d[0]);
            break;
        case SSEFP_CVTSI2SD:
            r.q[0] = fp_from_int(&F64, &env, (int32_t)b->d[0]);
            break;
        case SSEFP_CVTSI642SS:
            r.d[0] = (uint32_t)fp_from_int(&F32, &env, (int64_t)b->q[0]);
            break;
        case SSEFP_CVTSI642SD:
            r.q[0] = fp_from_int(&F64, &env, (int64_t)b->q[0]);
            break;
        case SSEFP_CVTSS2SI: case SSEFP_CVTTSS2SI:
            r = zero;
            r.d[0] = (uint32_t)fp_to_int(&F32, &env, b->d[0], 32, op == SSEFP_CVTTSS2SI);
            break;
        case SSEFP_CVTSS2SI64: case SSEFP_CVTTSS2SI64:
            r = zero;
            r.q[0] = (uint64_t)fp_to_int(&F32, &env, b->d[0], 64, op == SSEFP_CVTTSS2SI64);
            break;
        case SSEFP_CVTSD2SI: case SSEFP_CVTTSD2SI:
            r = zero;
            r.d[0] = (uint32_t)fp_to_int(&F64, &env, b->q[0], 32, op == SSEFP_CVTTSD2SI);
            break;
        case SSEFP_CVTSD2SI64: case SSEFP_CVTTSD2SI64:
            r = zero;
            r.q[0] = (uint64_t)fp_to_int(&F64, &env, b->q[0], 64, op == SSEFP_CVTTSD2SI64);
            break;
        case SSEFP_CVTPS2DQ: case SSEFP_CVTTPS2DQ:
            for (int i = 0; i < 4; i++)
                r.d[i] = (uint32_t)fp_to_int(&F32, &env, b->d[i], 32, op == SSEFP_CVTTPS2DQ);
            break;
        case SSEFP_CVTDQ2PS:
            for (int i = 0; i < 4; i++)
                r.d[i] = (uint32_t)fp_from_int(&F32, &env, (int32_t)b->d[i]);
            break;
        case SSEFP_CVTPD2DQ: case SSEFP_CVTTPD2DQ:
        case SSEFP_CVTPD2PI: case SSEFP_CVTTPD2PI: {
            bool t = op == SSEFP_CVTTPD2DQ || op == SSEFP_CVTTPD2PI;
            r = zero;
            for (int i = 0; i < 2; i++)
                r.d[i] = (uint32_t)fp_to_int(&F64, &env, b->q[i], 32, t);
            break;
        }
        case SSEFP_CVTDQ2PD: case SSEFP_CVTPI2PD: {
            int32_t v0 = (int32_t)b->d[0], v1 = (int32_t)b->d[1];
            r.q[0] = fp_from_int(&F64, &env, v0);
            r.q[1] = fp_from_int(&F64, &env, v1);
            break;
        }
        case SSEFP_CVTPS2PD: {
            uint32_t v0 = b->d[0], v1 = b->d[1];
            r.q[0] = fp_convert(&F32, &F64, &env, v0);
            r.q[1] = fp_convert(&F32, &F64, &env, v1);
            break;
        }
        case SSEFP_CVTPD2PS:
            r = zero;
            for (int i = 0; i < 2; i++)
                r.d[i] = (uint32_t)fp_convert(&F64, &F32, &env, b->q[i]);
            break;
        case SSEFP_CVTSS2SD:
            r.q[0] = fp_convert(&F32, &F64, &env, b->d[0]);
            break;
        case SSEFP_CVTSD2SS:
            r.d[0] = (uint32_t)fp_convert(&F64, &F32, &env, b->q[0]);
            break;
        case SSEFP_CVTPI2PS:
            for (int i = 0; i < 2; i++)
                r.d[i] = (uint32_t)fp_from_int(&F32, &env, (int32_t)b->d[i]);
            break;
        case SSEFP_CVTPS2PI: case SSEFP_CVTTPS2PI:
            r = zero;
            for (int i = 0; i < 2; i++)
                r.d[i] = (uint32_t)fp_to_int(&F32, &env, b->d[i], 32, op == SSEFP_CVTTPS2PI);
            break;
        default:
            r = zero;
            break;
        }
    }
    *out = r;
    /* SDM Vol. 1, 11.5.1: unmasked pre-computation exceptions of any lane
     * stop the instruction before the post-computation ones are looked at */
    if (env.pre & ~env.masked)
        return env.pre;
    return env.pre | env.post;
}
