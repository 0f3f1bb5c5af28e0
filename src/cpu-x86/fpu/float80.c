/*
 * float80.c - portable x87 extended-precision arithmetic (see float80.h).
 *
 * Integer arithmetic only: no host float, double or long double appears in
 * this file, so the x87 behaves the same on every host.  The design is
 * described in docs/x87.md; in short:
 *
 *   unpack   Float80 -> (sign, exponent, 64-bit significand), classifying
 *            NaN / infinity / zero / denormal / unsupported encodings
 *   compute  exactly, or with at least 64 guard bits, in 128-bit integers
 *   round    f80_round_core(): one rounding routine for every result
 *            (precision 24/53/64 bits, RC, x87 tininess and overflow
 *            rules, masked and unmasked responses, C1 "rounded up")
 *
 * Transcendental functions use XF, an internal float with a 128-bit
 * significand and a 32-bit exponent, and are rounded once at the end.
 *
 * The only non-ISO feature used is unsigned __int128 (GCC and Clang on
 * every 64-bit host); a 32-bit host needs a two-word fallback for U128.
 */
#include <glib.h>
#include "cpu-x86/fpu/float80.h"

#ifndef __SIZEOF_INT128__
#error "float80.c needs unsigned __int128 (a 64-bit GCC or Clang host)"
#endif

typedef unsigned __int128 U128;

#define EXP_BIAS 16383
#define EXP_MAX 0x7fff
#define SIGN_BIT 0x8000
#define QUIET_BIT (1ull << 62)
#define INT_BIT (1ull << 63)
#define WRAP_BIAS 24576          /* bias adjust of unmasked OE/UE results */

/* ------------------------------------------------------------------ */
/* classification                                                      */
/* ------------------------------------------------------------------ */

static inline int f80_exp(Float80 a) { return a.se & EXP_MAX; }
static inline bool f80_sign(Float80 a) { return a.se >> 15; }

static inline Float80 f80_make(bool sign, int exp, uint64_t mant)
{
    Float80 r = { mant, (uint16_t)((sign ? SIGN_BIT : 0) | exp) };
    return r;
}

bool f80_is_nan(Float80 a)
{
    return f80_exp(a) == EXP_MAX && (a.mant & INT_BIT) && (a.mant << 1) != 0;
}

bool f80_is_snan(Float80 a)
{
    return f80_is_nan(a) && !(a.mant & QUIET_BIT);
}

bool f80_is_inf(Float80 a)
{
    return f80_exp(a) == EXP_MAX && a.mant == INT_BIT;
}

bool f80_is_zero(Float80 a)
{
    return f80_exp(a) == 0 && a.mant == 0;
}

bool f80_is_denormal(Float80 a)
{
    return f80_exp(a) == 0 && a.mant != 0;
}

/* Pseudo-NaN, pseudo-infinity and unnormals.  Pseudo-denormals (exponent
 * 0, integer bit set) are NOT unsupported: since the 387 they are accepted
 * as denormal operands (DE, exponent read as 1), which the host x87 shows;
 * f80_is_denormal() reports them. */
bool f80_is_unsupported(Float80 a)
{
    int e = f80_exp(a);
    return e != 0 && !(a.mant & INT_BIT);
}

Float80 f80_default_nan(void)
{
    return f80_make(true, EXP_MAX, 0xc000000000000000ull);
}

static inline Float80 f80_zero(bool sign) { return f80_make(sign, 0, 0); }
static inline Float80 f80_inf(bool sign) { return f80_make(sign, EXP_MAX, INT_BIT); }

static inline int clz64(uint64_t v) { return v ? __builtin_clzll(v) : 64; }

static inline int clz128(U128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)v);
}

/* right shift keeping a sticky bit */
static inline U128 shr128_sticky(U128 v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v & (((U128)1 << n) - 1)) != 0);
}

/* finite non-zero operand, normalised: value = sig * 2^(exp - 16383 - 63)
 * with bit 63 of sig set; denormals get exponents below 1 */
typedef struct Unpacked {
    bool sign;
    int32_t exp;
    uint64_t sig;
} Unpacked;

static Unpacked f80_unpack(Float80 a)
{
    Unpacked u = { f80_sign(a), f80_exp(a), a.mant };
    if (u.exp == 0) {
        int n = clz64(u.sig);
        u.exp = 1 - n;          /* denormals and pseudo-denormals: exponent 1 */
        u.sig <<= n;
    }
    return u;
}

/* ------------------------------------------------------------------ */
/* rounding                                                            */
/* ------------------------------------------------------------------ */

typedef struct RoundFmt {
    int prec;                   /* significand bits kept */
    int32_t emin, emax;         /* normal exponent range, 80-bit biased */
} RoundFmt;

static const RoundFmt FMT_F32 = { 24, EXP_BIAS - 126, EXP_BIAS + 127 };
static const RoundFmt FMT_F64 = { 53, EXP_BIAS - 1022, EXP_BIAS + 1023 };

static RoundFmt fmt_ext(int prec) { RoundFmt f = { prec, 1, EXP_MAX - 1 }; return f; }

static int pc_bits(const F80Status *st)
{
    switch (st->pc & 3) {
    case F80_PC24: return 24;
    case F80_PC53: return 53;
    default: return 64;         /* PC64 and the reserved value 1 */
    }
}

/* rounding increment decision for the bits below the kept part */
static bool round_up(U128 low, U128 half, bool odd, bool sign, int rc)
{
    if (low == 0)
        return false;
    switch (rc & 3) {
    case F80_RN: return low > half || (low == half && odd);
    case F80_RD: return sign;
    case F80_RU: return !sign;
    default: return false;
    }
}

/*
 * Round sign * sig * 2^(exp - 16383 - 127) (sig normalised: bit 127 set)
 * to fmt.  On return *rexp is the biased exponent (80-bit bias) and
 * *rsig the significand left-aligned in 64 bits; *rexp == fmt.emin - 1
 * with bit 63 clear means a denormal (or zero), *rexp > fmt.emax an
 * overflow handled by the caller only when OE is unmasked: masked
 * overflow is resolved here.
 *
 * x87 rules: tininess is detected before rounding (exponent below emin
 * with an unbounded exponent); masked: denormalise, UE only when the
 * result is also inexact; unmasked UE: keep the normalised rounded value
 * and add 24576 to the exponent.  Masked overflow gives infinity or the
 * largest finite value by rounding mode; unmasked overflow subtracts
 * 24576.  C1 is set when the significand was rounded up in magnitude.
 */
static void f80_round_core(bool sign, int32_t exp, U128 sig, RoundFmt fmt, bool wrap,
                           F80Status *st, int32_t *rexp, uint64_t *rsig)
{
    if (fmt.prec == 64 && exp >= fmt.emin && exp < fmt.emax) {
        /* the common case, a 64-bit significand and an exponent far from
         * both ends: neither tiny nor able to overflow, even when
         * rounding up carries into the exponent; 64-bit arithmetic */
        uint64_t kept = (uint64_t)(sig >> 64), low = (uint64_t)sig;
        if (low) {
            st->flags |= F80_PE;
            if (round_up(low, (U128)1 << 63, kept & 1, sign, st->rc)) {
                st->flags |= F80_C1;
                if (++kept == 0) {
                    kept = INT_BIT;
                    exp++;
                }
            }
        }
        *rexp = exp;
        *rsig = kept;
        return;
    }
    int shift = 128 - fmt.prec;
    U128 mask = ((U128)1 << shift) - 1;
    U128 half = (U128)1 << (shift - 1);
    bool tiny = exp < fmt.emin;
    if (exp == fmt.emin - 1) {
        /* tininess after rounding: a value that rounds (unbounded
         * exponent) up to 2^emin is not tiny */
        U128 kept = sig >> shift;
        if (round_up(sig & mask, half, kept & 1, sign, st->rc) && ((kept + 1) >> fmt.prec))
            tiny = false;
    }

    bool ue_unmasked = wrap && !(st->mask & F80_UE);
    if (tiny && ue_unmasked && exp + WRAP_BIAS < fmt.emin) {
        /* beyond the bias adjust: a zero of the sign in every RC */
        st->flags |= F80_UE | F80_PE;
        *rexp = fmt.emin - 1;
        *rsig = 0;
        return;
    }
    if (exp < fmt.emin && (!ue_unmasked || !tiny)) {
        /* masked (or a store format): denormalise then round */
        sig = shr128_sticky(sig, fmt.emin - exp);
        exp = fmt.emin;
        U128 low = sig & mask;
        U128 kept = sig >> shift;
        bool inc = round_up(low, half, kept & 1, sign, st->rc);
        if (low) {
            st->flags |= F80_PE | (tiny ? F80_UE : 0);
        } else if (tiny && !(st->mask & F80_UE)) {
            st->flags |= F80_UE;            /* store formats: unmasked UE even if exact */
        }
        if (inc) {
            kept++;
            st->flags |= F80_C1;
        }
        uint64_t m = (uint64_t)kept << (64 - fmt.prec);
        *rsig = m;
        *rexp = (m & INT_BIT) ? exp : exp - 1;
        return;
    }
    U128 low = sig & mask;
    U128 kept = sig >> shift;
    bool inc = round_up(low, half, kept & 1, sign, st->rc);
    if (low)
        st->flags |= F80_PE;
    if (inc) {
        kept++;
        st->flags |= F80_C1;
        if (kept >> fmt.prec) {
            kept >>= 1;
            exp++;
        }
    }
    if (tiny) {
        /* unmasked underflow (80-bit destinations): wrapped exponent */
        st->flags |= F80_UE;
        exp += WRAP_BIAS;
    } else if (exp > fmt.emax) {
        st->flags |= F80_OE;
        if (!(st->mask & F80_OE) && wrap && exp - WRAP_BIAS <= fmt.emax) {
            exp -= WRAP_BIAS;
        } else if (!(st->mask & F80_OE) && wrap) {
            /* beyond the bias adjust: infinity in every RC */
            st->flags |= F80_PE | F80_C1;
            *rexp = fmt.emax + 1;
            *rsig = INT_BIT;
            return;
        } else {
            /* masked response: infinity or the largest finite value */
            st->flags |= F80_PE;
            int rc = st->rc & 3;
            bool to_inf = rc == F80_RN || (rc == F80_RU && !sign) || (rc == F80_RD && sign);
            if (to_inf) {
                st->flags |= F80_C1;
                *rexp = fmt.emax + 1;
                *rsig = INT_BIT;
            } else {
                st->flags &= ~F80_C1;
                *rexp = fmt.emax;
                *rsig = ~0ull << (64 - fmt.prec);
            }
            return;
        }
    }
    *rexp = exp;
    *rsig = (uint64_t)kept << (64 - fmt.prec);
}

/* round to the 80-bit format with prec significand bits */
static Float80 f80_round_pack(bool sign, int32_t exp, U128 sig, int prec, F80Status *st)
{
    if (sig == 0)
        return f80_zero(sign);
    int n = clz128(sig);
    sig <<= n;
    exp -= n;
    int32_t e;
    uint64_t m;
    f80_round_core(sign, exp, sig, fmt_ext(prec), true, st, &e, &m);
    if (e > EXP_MAX - 1)
        return f80_inf(sign);
    if (e < 0)
        e = 0;
    if (!(m & INT_BIT))
        e = 0;
    return f80_make(sign, e & EXP_MAX, m);
}

/* pack an already-normalised 64-bit significand (exponent as in Unpacked) */
static Float80 f80_pack_unp(bool sign, int32_t exp, uint64_t sig, int prec, F80Status *st)
{
    return f80_round_pack(sign, exp, (U128)sig << 64, prec, st);
}

/* ------------------------------------------------------------------ */
/* NaN and operand checks                                              */
/* ------------------------------------------------------------------ */

static Float80 f80_quiet(Float80 a)
{
    a.mant |= QUIET_BIT;
    return a;
}

/* x87 rules (SDM vol. 1 table 4-7): an SNaN with a QNaN gives the QNaN;
 * two of the same kind give the larger significand (the positive one on
 * a tie); SNaNs are quieted and raise IE */
static Float80 f80_propagate_nan(Float80 a, Float80 b, F80Status *st)
{
    bool an = f80_is_nan(a), bn = f80_is_nan(b);
    if (f80_is_snan(a) || f80_is_snan(b))
        st->flags |= F80_IE;
    if (an && bn) {
        bool as = f80_is_snan(a), bs = f80_is_snan(b);
        if (as != bs)
            return as ? b : f80_quiet(a);
        uint64_t ma = a.mant | QUIET_BIT, mb = b.mant | QUIET_BIT;
        if (ma != mb)
            return f80_quiet(ma > mb ? a : b);
        return f80_quiet(f80_sign(a) ? b : a);
    }
    return f80_quiet(an ? a : b);
}

static Float80 f80_invalid(F80Status *st)
{
    st->flags |= F80_IE;
    return f80_default_nan();
}

/* common prologue of two-operand arithmetic: returns true with *res set
 * when an unsupported encoding or a NaN decides the result */
static bool f80_check2(Float80 a, Float80 b, Float80 *res, F80Status *st)
{
    if (f80_is_unsupported(a) || f80_is_unsupported(b)) {
        *res = f80_invalid(st);
        return true;
    }
    if (f80_is_nan(a) || f80_is_nan(b)) {
        *res = f80_propagate_nan(a, b, st);
        return true;
    }
    return false;
}

static bool f80_check1(Float80 a, Float80 *res, F80Status *st)
{
    if (f80_is_unsupported(a)) {
        *res = f80_invalid(st);
        return true;
    }
    if (f80_is_nan(a)) {
        if (f80_is_snan(a))
            st->flags |= F80_IE;
        *res = f80_quiet(a);
        return true;
    }
    return false;
}

static void f80_check_denormal(Float80 a, F80Status *st)
{
    if (f80_is_denormal(a))
        st->flags |= F80_DE;
}

/* ------------------------------------------------------------------ */
/* add, sub, mul, div, sqrt                                            */
/* ------------------------------------------------------------------ */

static Float80 f80_addsub(Float80 a, Float80 b, bool negb, F80Status *st)
{
    Float80 r;
    if (f80_check2(a, b, &r, st))
        return r;
    bool sa = f80_sign(a), sb = f80_sign(b) ^ negb;
    if (f80_is_inf(a) || f80_is_inf(b)) {
        if (f80_is_inf(a) && f80_is_inf(b) && sa != sb)
            return f80_invalid(st);
        f80_check_denormal(a, st);
        f80_check_denormal(b, st);
        return f80_inf(f80_is_inf(a) ? sa : sb);
    }
    f80_check_denormal(a, st);
    f80_check_denormal(b, st);
    int prec = pc_bits(st);
    bool za = f80_is_zero(a), zb = f80_is_zero(b);
    if (za && zb)
        return f80_zero(sa == sb ? sa : (st->rc & 3) == F80_RD);
    if (zb) {
        Unpacked ua = f80_unpack(a);
        return f80_pack_unp(sa, ua.exp, ua.sig, prec, st);
    }
    if (za) {
        Unpacked ub = f80_unpack(b);
        return f80_pack_unp(sb, ub.exp, ub.sig, prec, st);
    }
    Unpacked ua = f80_unpack(a), ub = f80_unpack(b);
    ua.sign = sa;
    ub.sign = sb;
    if (ua.exp < ub.exp || (ua.exp == ub.exp && ua.sig < ub.sig)) {
        Unpacked t = ua;
        ua = ub;
        ub = t;
    }
    /* |a| >= |b|; significands placed at bit 126 leaving a carry bit */
    U128 x = (U128)ua.sig << 63;
    U128 y = shr128_sticky((U128)ub.sig << 63, ua.exp - ub.exp);
    U128 s = ua.sign == ub.sign ? x + y : x - y;
    if (s == 0)
        return f80_zero((st->rc & 3) == F80_RD);
    /* value = s * 2^(exp - 16383 - 126) */
    return f80_round_pack(ua.sign, ua.exp + 1, s, prec, st);
}

Float80 f80_add(Float80 a, Float80 b, F80Status *st) { return f80_addsub(a, b, false, st); }
Float80 f80_sub(Float80 a, Float80 b, F80Status *st) { return f80_addsub(a, b, true, st); }

Float80 f80_mul(Float80 a, Float80 b, F80Status *st)
{
    Float80 r;
    if (f80_check2(a, b, &r, st))
        return r;
    bool s = f80_sign(a) ^ f80_sign(b);
    bool za = f80_is_zero(a), zb = f80_is_zero(b);
    if (f80_is_inf(a) || f80_is_inf(b)) {
        if (za || zb)
            return f80_invalid(st);
        f80_check_denormal(a, st);
        f80_check_denormal(b, st);
        return f80_inf(s);
    }
    f80_check_denormal(a, st);
    f80_check_denormal(b, st);
    if (za || zb)
        return f80_zero(s);
    Unpacked ua = f80_unpack(a), ub = f80_unpack(b);
    U128 p = (U128)ua.sig * ub.sig;     /* value = p * 2^(ea + eb - 2*16383 - 126) */
    return f80_round_pack(s, ua.exp + ub.exp - EXP_BIAS + 1, p, pc_bits(st), st);
}

Float80 f80_div(Float80 a, Float80 b, F80Status *st)
{
    Float80 r;
    if (f80_check2(a, b, &r, st))
        return r;
    bool s = f80_sign(a) ^ f80_sign(b);
    bool za = f80_is_zero(a), zb = f80_is_zero(b);
    bool ia = f80_is_inf(a), ib = f80_is_inf(b);
    if ((ia && ib) || (za && zb))
        return f80_invalid(st);
    if (zb && !ia) {
        st->flags |= F80_ZE;            /* checked before denormal operands */
        return f80_inf(s);
    }
    f80_check_denormal(a, st);
    f80_check_denormal(b, st);
    if (ia)
        return f80_inf(s);
    if (ib)
        return f80_zero(s);
    if (za)
        return f80_zero(s);
    Unpacked ua = f80_unpack(a), ub = f80_unpack(b);
    /* 128 quotient bits: q1 = (a << 64) / b (64 or 65 bits), then 64 more */
    U128 num = (U128)ua.sig << 64;
    U128 q1 = num / ub.sig;
    U128 r1 = num % ub.sig;
    U128 num2 = r1 << 64;
    uint64_t q2 = (uint64_t)(num2 / ub.sig);
    bool sticky = (num2 % ub.sig) != 0;
    int32_t exp = ua.exp - ub.exp + EXP_BIAS - 1;
    U128 q;
    if (q1 >> 64) {
        q = (q1 << 63) | (q2 >> 1);
        sticky |= q2 & 1;
        exp += 1;
    } else {
        q = (q1 << 64) | q2;
    }
    /* q has bit 127 set (or 128 shifted to 127), value = q * 2^(exp-16383-127) */
    return f80_round_pack(s, exp, q | sticky, pc_bits(st), st);
}

/* floor(sqrt(v)) for a 32-bit v, digit by digit (16 steps) */
static uint32_t isqrt32(uint32_t v)
{
    uint32_t root = 0, r = 0;
    for (int i = 15; i >= 0; i--) {
        r = (r << 2) | (v >> 30);
        v <<= 2;
        uint32_t t = (root << 2) | 1;
        root <<= 1;
        if (r >= t) {
            r -= t;
            root |= 1;
        }
    }
    return root;
}

/* floor(sqrt(n)) for a 128-bit n and the remainder n - root^2.  n is
 * shifted left by an even count so that m = n << sh is at least 2^126;
 * the top 32 bits of m give a root good to about 15 bits, a Newton step
 * x = (x + v/x) / 2 on the top 64 bits one good to about 30, a second on
 * all 128 bits one good to about 60; then the root is corrected to the
 * exact floor by comparing its square with n in each direction (the
 * estimates only decide how many corrections that takes).  It was 64
 * steps of the digit-by-digit method on 128-bit numbers, half the time
 * of an FSQRT. */
static uint64_t isqrt128(U128 n, U128 *rem)
{
    if (n == 0) {
        *rem = 0;
        return 0;
    }
    int sh = clz128(n) & ~1;
    U128 m = n << sh;                        /* m >= 2^126, sqrt(m) in [2^63, 2^64) */
    uint64_t hi = (uint64_t)(m >> 64);       /* >= 2^62 */
    uint64_t x = (uint64_t)isqrt32((uint32_t)(hi >> 32)) << 16;   /* ~ sqrt(hi), >= 2^30 */
    x = (x + hi / x) >> 1;                   /* sqrt(hi) < 2^32 */
    U128 y = (U128)x << 32;                  /* ~ sqrt(m) */
    y = (y + m / y) >> 1;
    uint64_t root = y > UINT64_MAX ? UINT64_MAX : (uint64_t)y;
    root >>= sh / 2;                         /* floor(sqrt(n)) up to a few */
    while ((U128)root * root > n)
        root--;
    while (root < UINT64_MAX && (U128)(root + 1) * (root + 1) <= n)
        root++;
    *rem = n - (U128)root * root;
    return root;
}

Float80 f80_sqrt(Float80 a, F80Status *st)
{
    Float80 r;
    if (f80_check1(a, &r, st))
        return r;
    if (f80_is_zero(a))
        return a;
    if (f80_sign(a))
        return f80_invalid(st);
    if (f80_is_inf(a))
        return a;
    f80_check_denormal(a, st);
    Unpacked u = f80_unpack(a);
    int32_t e = u.exp - EXP_BIAS;       /* value = sig * 2^(e - 63) */
    U128 n;
    if (e & 1) {
        n = (U128)u.sig << 64;           /* sig*2^64 * 2^(e-1-127); (e-1) even */
        e -= 1;
    } else {
        n = (U128)u.sig << 63;
    }
    /* sqrt = sqrt(n) * 2^((e - 127 + 1)/2 ... ) computed below */
    U128 rem;
    uint64_t root = isqrt128(n, &rem);
    /* n*2^(e-126) for odd-adjusted or n*2^(e-126) even case: both are
     * n * 2^(e - 126) with e even; sqrt = root * 2^(e/2 - 63) */
    uint64_t low = 0;
    if (rem > root)
        low = 0x8000000000000001ull;     /* above the half */
    else if (rem != 0)
        low = 1;
    U128 sig = ((U128)root << 64) | low;
    return f80_round_pack(false, e / 2 + EXP_BIAS, sig, pc_bits(st), st);
}

Float80 f80_round_pc(Float80 a, F80Status *st)
{
    if (f80_is_nan(a) || f80_is_inf(a) || f80_is_zero(a) || f80_is_unsupported(a))
        return a;
    Unpacked u = f80_unpack(a);
    return f80_pack_unp(u.sign, u.exp, u.sig, pc_bits(st), st);
}

/* ------------------------------------------------------------------ */
/* integer rounding, scale, extract, remainder, compare                */
/* ------------------------------------------------------------------ */

/* round |value| = sig * 2^(exp-16383-63) to an integer by rc; returns
 * the integer magnitude (saturating at 2^64-1, *big set beyond 2^63) */
static uint64_t f80_int_mag(Unpacked u, int rc, bool *inexact, bool *up, bool *big)
{
    int32_t sh = EXP_BIAS + 63 - u.exp;   /* bits below the binary point */
    *inexact = *up = *big = false;
    if (sh < 0) {
        *big = true;
        return ~0ull;
    }
    if (sh == 0)
        return u.sig;
    U128 v = (U128)u.sig << 64;
    v = shr128_sticky(v, sh > 127 ? 127 : sh);
    uint64_t ip = (uint64_t)(v >> 64), fr = (uint64_t)v;
    if (sh > 127)
        ip = 0, fr = fr ? 1 : 0;
    if (fr) {
        *inexact = true;
        if (round_up(fr, (U128)1 << 63, ip & 1, u.sign, rc)) {
            *up = true;
            ip++;
            if (ip == 0) {
                *big = true;
                return ~0ull;
            }
        }
    }
    return ip;
}

Float80 f80_round_int(Float80 a, F80Status *st)
{
    Float80 r;
    if (f80_check1(a, &r, st))
        return r;
    if (f80_is_inf(a) || f80_is_zero(a))
        return a;
    f80_check_denormal(a, st);
    Unpacked u = f80_unpack(a);
    if (u.exp >= EXP_BIAS + 63)
        return a;
    bool inexact, up, big;
    uint64_t ip = f80_int_mag(u, st->rc, &inexact, &up, &big);
    if (inexact)
        st->flags |= F80_PE;
    if (up)
        st->flags |= F80_C1;
    if (ip == 0)
        return f80_zero(u.sign);
    int n = clz64(ip);
    return f80_make(u.sign, EXP_BIAS + 63 - n, ip << n);
}

Float80 f80_scale(Float80 a, Float80 b, F80Status *st)
{
    Float80 r;
    if (f80_check2(a, b, &r, st))
        return r;
    bool ia = f80_is_inf(a), ib = f80_is_inf(b);
    bool za = f80_is_zero(a);
    if (ib) {
        if (f80_sign(b)) {
            if (ia)
                return f80_invalid(st);
            f80_check_denormal(a, st);
            return f80_zero(f80_sign(a));
        }
        if (za)
            return f80_invalid(st);
        f80_check_denormal(a, st);
        return f80_inf(f80_sign(a));
    }
    f80_check_denormal(a, st);
    f80_check_denormal(b, st);
    if (ia || za)
        return a;
    /* n = trunc(b), clamped far outside the exponent range */
    int32_t n = 0;
    if (!f80_is_zero(b)) {
        Unpacked ub = f80_unpack(b);
        if (ub.exp >= EXP_BIAS + 20)
            n = 1 << 20;
        else if (ub.exp >= EXP_BIAS)
            n = (int32_t)(ub.sig >> (63 - (ub.exp - EXP_BIAS)));
        if (ub.sign)
            n = -n;
    }
    Unpacked ua = f80_unpack(a);
    if (f80_is_zero(b) && f80_is_denormal(a)) {
        /* a denormal or pseudo-denormal scaled by +-0: Intel signals no
         * underflow even when UE is unmasked (no bias adjustment), only the
         * DE above; AMD underflows.  The modelled CPU is Intel's. */
        uint16_t mask = st->mask;
        st->mask |= F80_UE;
        r = f80_pack_unp(ua.sign, ua.exp, ua.sig, 64, st);
        st->mask = mask;
        return r;
    }
    return f80_pack_unp(ua.sign, ua.exp + n, ua.sig, 64, st);
}

void f80_xtract(Float80 a, Float80 *exp, Float80 *sig, F80Status *st)
{
    Float80 r;
    if (f80_check1(a, &r, st)) {
        *exp = *sig = r;
        return;
    }
    if (f80_is_zero(a)) {
        st->flags |= F80_ZE;
        *exp = f80_inf(true);
        *sig = a;
        return;
    }
    if (f80_is_inf(a)) {
        *exp = f80_inf(false);
        *sig = a;
        return;
    }
    f80_check_denormal(a, st);
    Unpacked u = f80_unpack(a);
    *exp = f80_from_i64(u.exp - EXP_BIAS);
    *sig = f80_make(u.sign, EXP_BIAS, u.sig);
}

Float80 f80_rem(Float80 a, Float80 b, bool ieee, unsigned *quot, bool *partial,
                F80Status *st)
{
    Float80 r;
    *quot = 0;
    *partial = false;
    if (f80_check2(a, b, &r, st))
        return r;
    if (f80_is_inf(a) || f80_is_zero(b))
        return f80_invalid(st);
    f80_check_denormal(a, st);
    f80_check_denormal(b, st);
    if (f80_is_zero(a) || f80_is_inf(b)) {
        if (f80_exp(a) == 0 && (a.mant & INT_BIT))
            a.se |= 1;                  /* pseudo-denormal: same value, exponent 1 */
        return a;
    }
    Unpacked ua = f80_unpack(a), ub = f80_unpack(b);
    int32_t d = ua.exp - ub.exp;
    if (d < -1 || (d == -1 && !ieee))
        return f80_pack_unp(ua.sign, ua.exp, ua.sig, 64, st);
    bool sign = ua.sign;
    U128 q, rm;
    int32_t rexp;                       /* remainder rm is in units of 2^(rexp-16383-63) */
    if (d >= 64) {
        /* partial remainder: reduce the exponent difference by n
         * (32..63), as the hardware does: n = 32 + (d mod 32) */
        int n = 32 + (d & 31);
        U128 num = (U128)ua.sig << n;
        q = num / ub.sig;
        rm = num % ub.sig;
        rexp = ub.exp + (d - n);
        *partial = true;
    } else {
        U128 num = (U128)ua.sig << (d + 1);
        U128 den = (U128)ub.sig << 1;
        q = num / den;
        rm = num % den;
        rexp = ub.exp - 1;
        if (ieee) {
            if (rm * 2 > den || (rm * 2 == den && (q & 1))) {
                q++;
                rm = den - rm;
                sign = !sign;
            }
        }
    }
    *quot = (unsigned)(q & 7);
    if (rm == 0)
        return f80_zero(ua.sign);
    /* rm < 2^65 */
    return f80_round_pack(sign, rexp + 64, rm, 64, st);
}

int f80_compare(Float80 a, Float80 b, bool quiet, F80Status *st)
{
    if (f80_is_unsupported(a) || f80_is_unsupported(b)) {
        st->flags |= F80_IE;
        return F80_UNORD;
    }
    if (f80_is_nan(a) || f80_is_nan(b)) {
        if (!quiet || f80_is_snan(a) || f80_is_snan(b))
            st->flags |= F80_IE;
        return F80_UNORD;
    }
    f80_check_denormal(a, st);
    f80_check_denormal(b, st);
    bool za = f80_is_zero(a), zb = f80_is_zero(b);
    if (za && zb)
        return F80_EQ;
    bool sa = f80_sign(a), sb = f80_sign(b);
    if (sa != sb)
        return sa ? F80_LT : F80_GT;
    /* same sign: compare magnitudes (pseudo-denormals read as exponent 1) */
    int ea = f80_exp(a), eb = f80_exp(b);
    if (ea == 0 && !za) ea = 1;
    if (eb == 0 && !zb) eb = 1;
    int c;
    if (za)
        c = -1;
    else if (zb)
        c = 1;
    else if (ea != eb)
        c = ea < eb ? -1 : 1;
    else
        c = a.mant == b.mant ? 0 : a.mant < b.mant ? -1 : 1;
    if (c == 0)
        return F80_EQ;
    if (sa)
        c = -c;
    return c < 0 ? F80_LT : F80_GT;
}

/* ------------------------------------------------------------------ */
/* conversions                                                         */
/* ------------------------------------------------------------------ */

Float80 f80_from_i64(int64_t v)
{
    if (v == 0)
        return f80_zero(false);
    bool s = v < 0;
    uint64_t m = s ? -(uint64_t)v : (uint64_t)v;
    int n = clz64(m);
    return f80_make(s, EXP_BIAS + 63 - n, m << n);
}

int64_t f80_to_i64(Float80 a, int bits, bool truncate, F80Status *st)
{
    int64_t indef = (int64_t)(~0ull << (bits - 1));        /* 0x8000.. sign-extended */
    if (f80_is_nan(a) || f80_is_inf(a) || f80_is_unsupported(a)) {
        st->flags |= F80_IE;
        return indef;
    }
    if (f80_is_zero(a))
        return 0;
    Unpacked u = f80_unpack(a);         /* stores do not signal DE */
    bool inexact, up, big;
    uint64_t m = f80_int_mag(u, truncate ? F80_RZ : st->rc, &inexact, &up, &big);
    uint64_t lim = 1ull << (bits - 1);      /* |neg| <= lim, pos < lim */
    if (big || m > lim || (m == lim && !u.sign)) {
        st->flags |= F80_IE;
        return indef;
    }
    if (inexact)
        st->flags |= F80_PE;
    if (up)
        st->flags |= F80_C1;
    return u.sign ? (int64_t)(0 - m) : (int64_t)m;
}

static Float80 f80_from_ieee(uint64_t v, int fbits, int ebits, F80Status *st)
{
    bool s = (v >> (fbits + ebits)) & 1;
    int e = (v >> fbits) & ((1 << ebits) - 1);
    uint64_t f = v & ((1ull << fbits) - 1);
    int emax = (1 << ebits) - 1, bias = (1 << (ebits - 1)) - 1;
    if (e == emax) {
        if (f == 0)
            return f80_inf(s);
        Float80 r = f80_make(s, EXP_MAX, INT_BIT | (f << (63 - fbits)));
        if (f80_is_snan(r)) {
            st->flags |= F80_IE;
            r = f80_quiet(r);
        }
        return r;
    }
    if (e == 0) {
        if (f == 0)
            return f80_zero(s);
        st->flags |= F80_DE;
        int n = clz64(f);
        /* value = f * 2^(1 - bias - fbits) */
        return f80_make(s, 1 - bias - fbits + EXP_BIAS + 63 - n, f << n);
    }
    return f80_make(s, e - bias + EXP_BIAS, INT_BIT | (f << (63 - fbits)));
}

Float80 f80_from_f32(uint32_t v, F80Status *st) { return f80_from_ieee(v, 23, 8, st); }
Float80 f80_from_f64(uint64_t v, F80Status *st) { return f80_from_ieee(v, 52, 11, st); }

static uint64_t f80_to_ieee(Float80 a, int fbits, int ebits, RoundFmt fmt, F80Status *st)
{
    bool s = f80_sign(a);
    uint64_t sbit = (uint64_t)s << (fbits + ebits);
    uint64_t emaxf = (1ull << ebits) - 1;
    int bias = (1 << (ebits - 1)) - 1;
    if (f80_is_unsupported(a)) {
        st->flags |= F80_IE;
        a = f80_default_nan();
        s = true;
        sbit = (uint64_t)1 << (fbits + ebits);
    }
    if (f80_is_nan(a)) {
        if (f80_is_snan(a))
            st->flags |= F80_IE;
        uint64_t f = ((a.mant | QUIET_BIT) << 1) >> (64 - fbits);
        return sbit | (emaxf << fbits) | f;
    }
    if (f80_is_inf(a))
        return sbit | (emaxf << fbits);
    if (f80_is_zero(a))
        return sbit;
    Unpacked u = f80_unpack(a);
    int32_t e;
    uint64_t m;
    f80_round_core(s, u.exp, (U128)u.sig << 64, fmt, false, st, &e, &m);
    if (e > fmt.emax)
        return sbit | (emaxf << fbits);
    if (!(m & INT_BIT))
        return sbit | (m >> (63 - fbits));         /* denormal or zero */
    return sbit | ((uint64_t)(e - EXP_BIAS + bias) << fbits) | ((m << 1) >> (64 - fbits));
}

uint32_t f80_to_f32(Float80 a, F80Status *st) { return (uint32_t)f80_to_ieee(a, 23, 8, FMT_F32, st); }
uint64_t f80_to_f64(Float80 a, F80Status *st) { return f80_to_ieee(a, 52, 11, FMT_F64, st); }

Float80 f80_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (bcd[i] >> 4) * 10 + (bcd[i] & 15);
    Float80 r = f80_from_i64((int64_t)v);
    if (bcd[9] & 0x80)
        r.se |= SIGN_BIT;
    return r;
}

void f80_to_bcd(Float80 a, uint8_t bcd[10], F80Status *st)
{
    static const uint8_t indef[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };
    bool ok = !(f80_is_nan(a) || f80_is_inf(a) || f80_is_unsupported(a));
    uint64_t m = 0;
    bool sign = f80_sign(a);
    if (ok && !f80_is_zero(a)) {
        bool inexact, up, big;
        m = f80_int_mag(f80_unpack(a), st->rc, &inexact, &up, &big);
        if (big || m > 999999999999999999ull) {
            ok = false;
        } else {
            if (inexact)
                st->flags |= F80_PE;
            if (up)
                st->flags |= F80_C1;
        }
    }
    if (!ok) {
        st->flags |= F80_IE;
        for (int i = 0; i < 10; i++)
            bcd[i] = indef[i];
        return;
    }
    for (int i = 0; i < 9; i++) {
        unsigned lo = m % 10;
        m /= 10;
        unsigned hi = m % 10;
        m /= 10;
        bcd[i] = (uint8_t)(hi << 4 | lo);
    }
    bcd[9] = sign ? 0x80 : 0;
}

/* ------------------------------------------------------------------ */
/* XF: internal 128-bit float for constants and transcendentals        */
/* ------------------------------------------------------------------ */

/* value = (-1)^sign * m * 2^(e - 127); m has bit 127 set, or m == 0 */
typedef struct XF {
    bool sign;
    int32_t e;
    U128 m;
} XF;

typedef struct XConst { uint64_t hi, lo; int32_t e; } XConst;

enum { XK_LN2, XK_LOG2E, XK_PI, XK_L2T, XK_LG2,
       XK_ATAN1, XK_ATAN2, XK_ATAN3, XK_ATAN4, XK_ATAN5, XK_ATAN6, XK_ATAN7, XK_COUNT };

/* 128-bit truncations of the constants (generated with exact integer
 * arithmetic: Machin's formula for pi, atanh series for the logarithms);
 * XK_ATANk = atan(k/8) */
static const XConst xk[XK_COUNT] = {
    [XK_LN2] = { 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, -1 },
    [XK_LOG2E] = { 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 0 },
    [XK_PI] = { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 1 },
    [XK_L2T] = { 0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull, 1 },
    [XK_LG2] = { 0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull, -2 },
    [XK_ATAN1] = { 0xfeadd4d5617b6e32ull, 0xc897989f3e888ef7ull, -4 },
    [XK_ATAN2] = { 0xfadbafc96406eb15ull, 0x6dc79ef5f7a217e5ull, -3 },
    [XK_ATAN3] = { 0xb7b0ca0f26f78473ull, 0x8aa32122dcfe4483ull, -2 },
    [XK_ATAN4] = { 0xed63382b0dda7b45ull, 0x6fe445ecbc3a8d03ull, -2 },
    [XK_ATAN5] = { 0x8f005d5ef7f59f9bull, 0x5c835e1665c43747ull, -1 },
    [XK_ATAN6] = { 0xa4bc7d1934f70924ull, 0x19a87f2a457dac9eull, -1 },
    [XK_ATAN7] = { 0xb8053e2bc2319e73ull, 0xcb2da55210a4443dull, -1 },
};

/* 2/pi to 384 bits (fraction bits, most significant word first) */
static const uint64_t two_over_pi[6] = {
    0xa2f9836e4e441529ull, 0xfc2757d1f534ddc0ull, 0xdb6295993c439041ull,
    0xfe5163abdebbc561ull, 0xb7246e3a424dd2e0ull, 0x06492eea09d1921cull,
};

static XF xf_const(int k)
{
    XF r = { false, xk[k].e, ((U128)xk[k].hi << 64) | xk[k].lo };
    return r;
}

static XF xf_norm(bool sign, int32_t e, U128 m)
{
    XF r = { sign, 0, 0 };
    if (m == 0)
        return r;
    int n = clz128(m);
    r.m = m << n;
    r.e = e - n;
    return r;
}

static XF xf_from_f80(Float80 a)
{
    if (f80_is_zero(a)) {
        XF z = { f80_sign(a), 0, 0 };
        return z;
    }
    Unpacked u = f80_unpack(a);
    XF r = { u.sign, u.exp - EXP_BIAS, (U128)u.sig << 64 };
    return r;
}

static XF xf_from_int(int64_t v)
{
    bool s = v < 0;
    return xf_norm(s, 127, s ? -(U128)v : (U128)v);
}

static Float80 xf_to_f80(XF x, F80Status *st)
{
    if (x.m == 0)
        return f80_zero(x.sign);
    return f80_round_pack(x.sign, x.e + EXP_BIAS, x.m, 64, st);
}

static XF xf_neg(XF a) { a.sign = !a.sign; return a; }

static XF xf_add(XF a, XF b)
{
    if (a.m == 0)
        return b;
    if (b.m == 0)
        return a;
    if (a.e < b.e || (a.e == b.e && a.m < b.m)) {
        XF t = a;
        a = b;
        b = t;
    }
    U128 x = a.m >> 1;
    U128 y = shr128_sticky(b.m >> 1, a.e - b.e);
    U128 s = a.sign == b.sign ? x + y : x - y;
    return xf_norm(a.sign, a.e + 1, s);
}

static XF xf_sub(XF a, XF b) { return xf_add(a, xf_neg(b)); }

static XF xf_mul(XF a, XF b)
{
    XF r = { a.sign ^ b.sign, 0, 0 };
    if (a.m == 0 || b.m == 0)
        return r;
    uint64_t ah = a.m >> 64, al = (uint64_t)a.m, bh = b.m >> 64, bl = (uint64_t)b.m;
    U128 hh = (U128)ah * bh, hl = (U128)ah * bl, lh = (U128)al * bh, ll = (U128)al * bl;
    U128 mid = (hl & ~0ull) + (lh & ~0ull) + (ll >> 64);
    U128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
    /* product = hi * 2^128 + low; value = product * 2^(ea + eb - 254) */
    uint64_t low = (uint64_t)mid;
    if (!(hi >> 127)) {
        hi = (hi << 1) | (low >> 63);
        return (XF){ r.sign, a.e + b.e, hi };
    }
    return (XF){ r.sign, a.e + b.e + 1, hi };
}

static XF xf_div(XF a, XF b)
{
    XF r = { a.sign ^ b.sign, 0, 0 };
    if (a.m == 0)
        return r;
    /* restoring division: q = floor(ma * 2^127 / mb); the partial
     * remainder stays below 2 * mb, its bit 128 is kept in top */
    U128 rem = a.m, q = 0, d = b.m;
    bool top = false;
    for (int i = 0; i < 128; i++) {
        q <<= 1;
        if (top || rem >= d) {
            rem -= d;
            q |= 1;
        }
        top = rem >> 127;
        rem <<= 1;
    }
    return xf_norm(r.sign, a.e - b.e, q | (rem != 0 || top));
}

static XF xf_div_int(XF a, int64_t n) { return xf_div(a, xf_from_int(n)); }

/* |a| < 2^-k for a.m != 0 ... test whether a term no longer matters */
static bool xf_negligible(XF term, XF sum)
{
    return term.m == 0 || (sum.m != 0 && term.e < sum.e - 130);
}

static XF xf_ldexp(XF a, int32_t n) { if (a.m) a.e += n; return a; }

/* ------------------------------------------------------------------ */
/* elementary functions in XF                                          */
/* ------------------------------------------------------------------ */

/* e^t - 1 for |t| <= 1 by its Taylor series */
static XF xf_expm1(XF t)
{
    XF sum = t, term = t;
    for (int n = 2; n < 60; n++) {
        term = xf_div_int(xf_mul(term, t), n);
        if (xf_negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    return sum;
}

/* 2 atanh(z) = ln((1+z)/(1-z)) for |z| <= 0.2 */
static XF xf_2atanh(XF z)
{
    XF z2 = xf_mul(z, z), sum = z, pw = z;
    for (int n = 3; n < 200; n += 2) {
        pw = xf_mul(pw, z2);
        XF term = xf_div_int(pw, n);
        if (xf_negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    return xf_ldexp(sum, 1);
}

/* log2(x) for x > 0: k + 2 atanh((m-1)/(m+1)) * log2(e), exact (zero
 * fraction) when x is a power of two */
static XF xf_log2(XF x)
{
    /* x = m * 2^k with m in [sqrt(1/2), sqrt(2)) */
    int32_t k = x.e;
    XF m = x;
    m.e = 0;
    if (m.m > ((U128)0xb504f333f9de6484ull << 64)) {   /* sqrt(2) */
        m.e = -1;
        k += 1;
    }
    XF one = xf_from_int(1);
    XF z = xf_div(xf_sub(m, one), xf_add(m, one));
    XF r = xf_mul(xf_2atanh(z), xf_const(XK_LOG2E));
    return xf_add(xf_from_int(k), r);
}

/* atan(t) for 0 <= t <= 1 */
static XF xf_atan01(XF t)
{
    /* k = round(8t) */
    XF t8 = xf_ldexp(t, 3);
    int k = 0;
    if (t8.m && t8.e >= -1) {
        int sh = 127 - t8.e;
        U128 v = sh >= 128 ? 0 : t8.m >> sh;             /* floor */
        U128 half = sh >= 1 ? (t8.m >> (sh - 1)) & 1 : 0;
        k = (int)v + (int)half;
    }
    XF base = { false, 0, 0 };
    XF u = t;
    if (k == 8) {
        base = xf_ldexp(xf_const(XK_PI), -2);
    } else if (k > 0) {
        base = xf_const(XK_ATAN1 + k - 1);
    }
    if (k > 0) {
        XF c = xf_div_int(xf_from_int(k), 8);
        u = xf_div(xf_sub(t, c), xf_add(xf_from_int(1), xf_mul(t, c)));
    }
    XF u2 = xf_mul(u, u), sum = u, pw = u;
    for (int n = 3; n < 200; n += 2) {
        pw = xf_neg(xf_mul(pw, u2));
        XF term = xf_div_int(pw, n);
        if (xf_negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    return xf_add(base, sum);
}

/* sin and cos of |r| <= pi/4 */
static void xf_sincos_small(XF r, XF *s, XF *c)
{
    XF r2 = xf_mul(r, r);
    XF sum = r, term = r;
    for (int n = 2; n < 80; n += 2) {
        term = xf_neg(xf_div_int(xf_mul(term, r2), (int64_t)n * (n + 1)));
        if (xf_negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    *s = sum;
    XF one = xf_from_int(1);
    sum = one;
    term = one;
    for (int n = 1; n < 80; n += 2) {
        term = xf_neg(xf_div_int(xf_mul(term, r2), (int64_t)n * (n + 1)));
        if (xf_negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    *c = sum;
}

/* bit field [pos, pos+64) of the 448-bit product p[0..6] (p[6] least
 * significant word); bits below 0 read as 0 */
static uint64_t bits_at(const uint64_t p[7], int pos)
{
    int w = pos >> 6, b = pos & 63;        /* word index from the bottom */
    uint64_t lo = (w >= 0 && w < 7) ? p[6 - w] : 0;
    uint64_t hi = (w + 1 >= 0 && w + 1 < 7) ? p[6 - (w + 1)] : 0;
    return b ? (lo >> b) | (hi << (64 - b)) : lo;
}

/* reduce |x| (finite, < 2^63) modulo pi/2: returns r with |r| <= pi/4
 * and the quadrant */
static XF xf_reduce(Float80 a, int *quadrant)
{
    XF x = xf_from_f80(a);
    x.sign = false;
    *quadrant = 0;
    /* |x| < pi/4 (0.785): exponent below -1, or m < pi/4 scaled */
    XF pio4 = xf_ldexp(xf_const(XK_PI), -2);
    if (x.e < -1 || (x.e == -1 && x.m <= pio4.m))
        return x;
    Unpacked u = f80_unpack(a);
    /* x = sig * 2^k, k = exp - 16383 - 63 (k in [-64, -1]) */
    int k = u.exp - EXP_BIAS - 63;
    uint64_t p[7] = { 0 };
    U128 carry = 0;
    for (int i = 5; i >= 0; i--) {
        U128 t = (U128)u.sig * two_over_pi[i] + carry;
        p[i + 1] = (uint64_t)t;
        carry = t >> 64;
    }
    p[0] = (uint64_t)carry;
    /* x * 2/pi = P * 2^(k - 384): binary point at bit 384 - k */
    int bp = 384 - k;
    uint64_t ip = bits_at(p, bp);
    uint64_t f0 = bits_at(p, bp - 64), f1 = bits_at(p, bp - 128), f2 = bits_at(p, bp - 192);
    int q = (int)(ip & 3);
    bool neg = false;
    if (f0 >> 63) {
        /* fraction >= 1/2: use f - 1 (negative), next quadrant */
        q = (q + 1) & 3;
        neg = true;
        f2 = ~f2 + 1;
        uint64_t c2 = f2 == 0;
        f1 = ~f1 + c2;
        uint64_t c1 = c2 && f1 == 0;
        f0 = ~f0 + c1;
    }
    *quadrant = q;
    /* fraction = f0:f1:f2 * 2^-192 */
    U128 hi = ((U128)f0 << 64) | f1;
    int32_t e = -1;            /* value of hi's bit 127 is 2^-1 */
    if (hi == 0) {
        hi = (U128)f2 << 64;
        e -= 128;
        f2 = 0;
    }
    int n = clz128(hi);
    if (n) {
        hi = (hi << n) | ((U128)f2 >> (64 - n));
        e -= n;
    }
    XF f = { neg, e, hi };
    XF pio2 = xf_ldexp(xf_const(XK_PI), -1);
    return xf_mul(f, pio2);
}

/* ------------------------------------------------------------------ */
/* transcendental instructions                                         */
/* ------------------------------------------------------------------ */

Float80 f80_f2xm1(Float80 a, F80Status *st)
{
    Float80 r;
    if (f80_check1(a, &r, st))
        return r;
    if (f80_is_zero(a))
        return a;
    if (f80_is_inf(a))
        return f80_sign(a) ? f80_from_i64(-1) : a;
    f80_check_denormal(a, st);
    XF x = xf_from_f80(a);
    XF res;
    if (x.e < 0 || (x.e == 0 && x.m == (U128)1 << 127)) {
        res = xf_expm1(xf_mul(x, xf_const(XK_LN2)));
    } else {
        /* outside the architectural range [-1, 1]: 2^n * 2^f - 1 */
        if (x.e > 20) {
            if (x.sign)
                return xf_to_f80(xf_sub(xf_norm(false, -(1 << 21), 1), xf_from_int(1)), st);
            return f80_round_pack(false, EXP_MAX + (1 << 21), (U128)1 << 127, 64, st);
        }
        int32_t n = (int32_t)(x.m >> (127 - x.e));
        if (x.sign)
            n = -n;
        XF fpart = xf_sub(x, xf_from_int(n));
        XF p = xf_add(xf_expm1(xf_mul(fpart, xf_const(XK_LN2))), xf_from_int(1));
        res = xf_sub(xf_ldexp(p, n), xf_from_int(1));
    }
    return xf_to_f80(res, st);
}

/* y * log2(x) where x is finite and > 0; xp1: log2(1 + x) */
static Float80 f80_ylog2(Float80 x, Float80 y, bool xp1, F80Status *st)
{
    XF xx = xf_from_f80(x);
    XF l;
    if (xp1 && xx.e < -2) {
        /* ln(1+x) = 2 atanh(x / (2 + x)), accurate for tiny x */
        l = xf_2atanh(xf_div(xx, xf_add(xf_from_int(2), xx)));
        l = xf_mul(l, xf_const(XK_LOG2E));
    } else {
        l = xf_log2(xp1 ? xf_add(xf_from_int(1), xx) : xx);
    }
    XF prod = xf_mul(l, xf_from_f80(y));
    if (prod.m == 0)
        return f80_zero(prod.sign);
    return xf_to_f80(prod, st);
}

Float80 f80_fyl2x(Float80 x, Float80 y, F80Status *st)
{
    Float80 r;
    if (f80_check2(x, y, &r, st))
        return r;
    bool sx = f80_sign(x), sy = f80_sign(y);
    bool zx = f80_is_zero(x), zy = f80_is_zero(y);
    bool ix = f80_is_inf(x), iy = f80_is_inf(y);
    if (sx && !zx)
        return f80_invalid(st);
    if (zx) {
        /* log2(0) = -inf: ZE is checked before denormal operands */
        if (zy)
            return f80_invalid(st);
        if (!iy)
            st->flags |= F80_ZE;
        return f80_inf(!sy);
    }
    f80_check_denormal(x, st);
    f80_check_denormal(y, st);
    bool x_one = !ix && x.se == EXP_BIAS && x.mant == INT_BIT;
    if (ix) {
        if (zy)
            return f80_invalid(st);
        return f80_inf(sy);
    }
    /* x finite positive: sign of log2(x) */
    bool lneg = f80_exp(x) < EXP_BIAS;
    if (iy) {
        if (x_one)
            return f80_invalid(st);
        return f80_inf(sy ^ lneg);
    }
    if (zy || x_one)
        return f80_zero(sy ^ lneg);
    return f80_ylog2(x, y, false, st);
}

Float80 f80_fyl2xp1(Float80 x, Float80 y, F80Status *st)
{
    Float80 r;
    if (f80_check2(x, y, &r, st))
        return r;
    bool sx = f80_sign(x), sy = f80_sign(y);
    bool zx = f80_is_zero(x), zy = f80_is_zero(y);
    bool ix = f80_is_inf(x), iy = f80_is_inf(y);
    if (ix) {
        if (sx || zy)
            return f80_invalid(st);
        f80_check_denormal(y, st);
        return f80_inf(sy);
    }
    f80_check_denormal(x, st);
    f80_check_denormal(y, st);
    /* x <= -1 is outside the domain */
    if (sx && f80_exp(x) >= EXP_BIAS) {
        if (x.se == (SIGN_BIT | EXP_BIAS) && x.mant == INT_BIT) {
            if (zy)
                return f80_invalid(st);
            if (!iy)
                st->flags |= F80_ZE;
            return f80_inf(!sy);
        }
        return f80_invalid(st);
    }
    if (zx) {
        if (iy)
            return f80_invalid(st);
        return f80_zero(sx ^ sy);
    }
    if (iy)
        return f80_inf(sx ^ sy);
    if (zy)
        return f80_zero(sx ^ sy);
    return f80_ylog2(x, y, true, st);
}

Float80 f80_atan2(Float80 y, Float80 x, F80Status *st)
{
    Float80 r;
    if (f80_check2(y, x, &r, st))
        return r;
    bool sx = f80_sign(x), sy = f80_sign(y);
    f80_check_denormal(x, st);
    f80_check_denormal(y, st);
    XF pi = xf_const(XK_PI);
    XF res;
    bool zx = f80_is_zero(x), zy = f80_is_zero(y);
    bool ix = f80_is_inf(x), iy = f80_is_inf(y);
    if (zy && !ix) {
        if (!sx)
            return f80_zero(sy);
        res = pi;
    } else if (iy) {
        if (ix)
            res = sx ? xf_mul(pi, xf_div_int(xf_from_int(3), 4)) : xf_ldexp(pi, -2);
        else
            res = xf_ldexp(pi, -1);
    } else if (ix) {
        if (!sx)
            return f80_zero(sy);
        res = pi;
    } else if (zx) {
        res = xf_ldexp(pi, -1);
    } else {
        XF ax = xf_from_f80(x), ay = xf_from_f80(y);
        ax.sign = ay.sign = false;
        bool swap = ay.e > ax.e || (ay.e == ax.e && ay.m > ax.m);
        XF t = swap ? xf_div(ax, ay) : xf_div(ay, ax);
        res = xf_atan01(t);
        if (swap)
            res = xf_sub(xf_ldexp(pi, -1), res);
        if (sx)
            res = xf_sub(pi, res);
    }
    res.sign = sy;
    return xf_to_f80(res, st);
}

/* common prologue of FSIN/FCOS/FSINCOS/FPTAN; returns true when done */
static bool f80_trig_check(Float80 a, Float80 *res, bool *ok, F80Status *st)
{
    *ok = true;
    if (f80_check1(a, res, st))
        return true;
    if (f80_is_inf(a)) {
        *res = f80_invalid(st);
        return true;
    }
    if (f80_exp(a) >= EXP_BIAS + 63) {
        *ok = false;
        *res = a;
        return true;
    }
    f80_check_denormal(a, st);
    return false;
}

bool f80_sincos(Float80 a, Float80 *sin, Float80 *cos, F80Status *st)
{
    Float80 r;
    bool ok;
    if (f80_trig_check(a, &r, &ok, st)) {
        *sin = *cos = r;
        return ok;
    }
    if (f80_is_zero(a)) {
        *sin = a;
        *cos = f80_from_i64(1);
        return true;
    }
    int q;
    XF red = xf_reduce(a, &q), s, c;
    xf_sincos_small(red, &s, &c);
    XF rs = (q & 1) ? c : s, rc = (q & 1) ? s : c;
    if (q & 2)
        rs = xf_neg(rs);
    if (q == 1 || q == 2)
        rc = xf_neg(rc);
    if (f80_sign(a))
        rs = xf_neg(rs);
    /* both results are rounded; the flags are those of the last (cos)
     * merged with the sine's */
    *sin = xf_to_f80(rs, st);
    *cos = xf_to_f80(rc, st);
    return true;
}

bool f80_tan(Float80 a, Float80 *tan, F80Status *st)
{
    Float80 r;
    bool ok;
    if (f80_trig_check(a, &r, &ok, st)) {
        *tan = r;
        return ok;
    }
    if (f80_is_zero(a)) {
        *tan = a;
        return true;
    }
    int q;
    XF red = xf_reduce(a, &q), s, c;
    xf_sincos_small(red, &s, &c);
    XF t = (q & 1) ? xf_neg(xf_div(c, s)) : xf_div(s, c);
    if (f80_sign(a))
        t = xf_neg(t);
    *tan = xf_to_f80(t, st);
    return true;
}

/* ------------------------------------------------------------------ */
/* constants                                                           */
/* ------------------------------------------------------------------ */

Float80 f80_const(F80Const k, int rc)
{
    F80Status st = { (uint8_t)rc, F80_PC64, 0x3f, 0 };
    switch (k) {
    case F80K_ONE: return f80_from_i64(1);
    case F80K_ZERO: return f80_zero(false);
    case F80K_L2T: return xf_to_f80(xf_const(XK_L2T), &st);
    case F80K_L2E: return xf_to_f80(xf_const(XK_LOG2E), &st);
    case F80K_PI: return xf_to_f80(xf_const(XK_PI), &st);
    case F80K_LG2: return xf_to_f80(xf_const(XK_LG2), &st);
    case F80K_LN2: return xf_to_f80(xf_const(XK_LN2), &st);
    }
    g_assert_not_reached();
}
