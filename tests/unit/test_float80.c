/*
 * test_float80.c - unit tests of the portable x87 arithmetic (fpu/float80.c).
 *
 * On x86 hosts every operation is run on the host's own x87 (inline asm,
 * here in the test only: float80.c itself never uses host floating point)
 * and on float80.c, over a table of edge values and a seeded random sample,
 * for every rounding mode x every precision control, with all exceptions
 * masked.  The result bits, the exception flags (IE DE ZE OE UE PE) and the
 * condition bits the operation defines (C1 "rounded up", C0/C2/C3 for
 * compares and remainders) must be identical.  The transcendental
 * functions must stay within 1 ulp of the host (they are not claimed to be
 * bit-exact, see docs/x87.md); F80_STATS=1 in the environment prints how
 * many results match the host bit for bit and the worst ulp error:
 *
 *   F80_STATS=1 build/tests/unit/run-unit float80
 *
 * On other hosts only the fixed tables (known results) run.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "cpu-x86/fpu/float80.h"

#define F80_EXC (F80_IE | F80_DE | F80_ZE | F80_OE | F80_UE | F80_PE)

static Float80 mk(uint16_t se, uint64_t mant) { Float80 r = { mant, se }; return r; }

static bool same(Float80 a, Float80 b) { return a.mant == b.mant && a.se == b.se; }

/* fixed results that hold on every host */
static void test_float80_tables(void)
{
    F80Status st = { F80_RN, F80_PC64, 0x3f, 0 };
    Float80 one = f80_from_i64(1), three = f80_from_i64(3);
    Float80 q = f80_div(one, three, &st);
    CU_ASSERT(q.se == 0x3ffd && q.mant == 0xaaaaaaaaaaaaaaabull);
    CU_ASSERT(st.flags == (F80_PE | F80_C1));
    st.flags = 0;
    st.pc = F80_PC24;
    q = f80_div(one, three, &st);
    CU_ASSERT(q.se == 0x3ffd && q.mant == 0xaaaaab0000000000ull);
    st.flags = 0;
    st.pc = F80_PC64;
    Float80 r = f80_sqrt(f80_from_i64(4), &st);
    CU_ASSERT(same(r, f80_from_i64(2)) && st.flags == 0);
    r = f80_sub(one, one, &st);
    CU_ASSERT(same(r, mk(0, 0)));
    st.rc = F80_RD;
    r = f80_sub(one, one, &st);
    CU_ASSERT(same(r, mk(0x8000, 0)));
    st.rc = F80_RN;
    /* invalid operations give the real indefinite */
    r = f80_sqrt(f80_from_i64(-1), &st);
    CU_ASSERT(same(r, f80_default_nan()) && (st.flags & F80_IE));
    CU_ASSERT(same(f80_default_nan(), mk(0xffff, 0xc000000000000000ull)));
    /* conversions */
    st.flags = 0;
    CU_ASSERT(f80_to_i64(f80_from_i64(40000), 16, false, &st) == -32768 && (st.flags & F80_IE));
    st.flags = 0;
    CU_ASSERT(f80_to_i64(f80_from_i64(-32768), 16, false, &st) == -32768 && st.flags == 0);
    CU_ASSERT(f80_to_f64(one, &st) == 0x3ff0000000000000ull);
    CU_ASSERT(f80_to_f32(f80_from_i64(-2), &st) == 0xc0000000u);
    uint8_t bcd[10];
    f80_to_bcd(f80_from_i64(-1234567890123456789 / 10), bcd, &st);
    CU_ASSERT(bcd[0] == 0x78 && bcd[1] == 0x56 && bcd[8] == 0x12 && bcd[9] == 0x80);
    CU_ASSERT(same(f80_from_bcd(bcd), f80_from_i64(-123456789012345678)));
    /* constants */
    CU_ASSERT(same(f80_const(F80K_PI, F80_RN), mk(0x4000, 0xc90fdaa22168c235ull)));
    CU_ASSERT(same(f80_const(F80K_PI, F80_RZ), mk(0x4000, 0xc90fdaa22168c234ull)));
    CU_ASSERT(same(f80_const(F80K_LN2, F80_RN), mk(0x3ffe, 0xb17217f7d1cf79acull)));
    /* classification */
    CU_ASSERT(f80_is_unsupported(mk(0x7fff, 0x4000000000000000ull)));   /* pseudo-NaN */
    CU_ASSERT(f80_is_unsupported(mk(0x3fff, 0x4000000000000000ull)));   /* unnormal */
    CU_ASSERT(f80_is_denormal(mk(0x0000, 0x8000000000000000ull)));      /* pseudo-denormal */
    CU_ASSERT(f80_is_snan(mk(0x7fff, 0x8000000000000001ull)));
    /* FPREM with a huge exponent difference is partial */
    unsigned quot;
    bool partial;
    f80_rem(mk(0x5000, 0x8000000000000000ull), three, false, &quot, &partial, &st);
    CU_ASSERT(partial);
}

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* ------------------------------------------------------------------ */
/* the host x87                                                        */
/* ------------------------------------------------------------------ */

typedef enum {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT,
    OP_RNDINT, OP_SCALE, OP_XTRACT, OP_PREM, OP_PREM1, OP_COM, OP_UCOM,
    OP_F2XM1, OP_YL2X, OP_YL2XP1, OP_PATAN, OP_SINCOS, OP_TAN,
    OP_COUNT
} Op;

static const char *const op_names[OP_COUNT] = {
    "fadd", "fsub", "fmul", "fdiv", "fsqrt", "frndint", "fscale", "fxtract",
    "fprem", "fprem1", "fcom", "fucom", "f2xm1", "fyl2x", "fyl2xp1", "fpatan",
    "fsincos", "fptan",
};

typedef struct HostFrame {
    Float80 a, b;               /* ST0 = a, ST1 = b */
    Float80 r, r2;              /* ST0, ST1 after the operation */
    uint16_t cw, sw;
    int64_t i;
    int32_t i32;
    int16_t i16;
    uint64_t f;
    uint32_t f32;
    uint8_t bcd[10];
} HostFrame;

/* run "fld b; fld a; fnclex; OP; fnstsw; fstp r; fstp r2" */
#define HOST_OP(bytes)                                                     \
    __asm__ volatile("fninit\n\tfldcw %c[cw](%0)\n\t"                      \
                     "fldt %c[b](%0)\n\tfldt %c[a](%0)\n\tfnclex\n\t"      \
                     ".byte " bytes "\n\t"                                  \
                     "fnstsw %c[sw](%0)\n\tfnclex\n\t"                      \
                     "fstpt %c[r](%0)\n\tfstpt %c[r2](%0)\n\tfninit"        \
                     : : "r"(h), [cw] "i"(offsetof(HostFrame, cw)),        \
                       [sw] "i"(offsetof(HostFrame, sw)),                  \
                       [a] "i"(offsetof(HostFrame, a)),                    \
                       [b] "i"(offsetof(HostFrame, b)),                    \
                       [r] "i"(offsetof(HostFrame, r)),                    \
                       [r2] "i"(offsetof(HostFrame, r2))                   \
                     : "memory", "ax")

static void host_op(Op op, HostFrame *h)
{
    switch (op) {
    case OP_ADD: HOST_OP("0xd8, 0xc1"); break;      /* fadd st0, st1 */
    case OP_SUB: HOST_OP("0xd8, 0xe1"); break;      /* fsub st0, st1 */
    case OP_MUL: HOST_OP("0xd8, 0xc9"); break;
    case OP_DIV: HOST_OP("0xd8, 0xf1"); break;      /* fdiv st0, st1 */
    case OP_SQRT: HOST_OP("0xd9, 0xfa"); break;
    case OP_RNDINT: HOST_OP("0xd9, 0xfc"); break;
    case OP_SCALE: HOST_OP("0xd9, 0xfd"); break;
    case OP_XTRACT: HOST_OP("0xd9, 0xf4"); break;
    case OP_PREM: HOST_OP("0xd9, 0xf8"); break;
    case OP_PREM1: HOST_OP("0xd9, 0xf5"); break;
    case OP_COM: HOST_OP("0xd8, 0xd1"); break;      /* fcom st1 */
    case OP_UCOM: HOST_OP("0xdd, 0xe1"); break;     /* fucom st1 */
    case OP_F2XM1: HOST_OP("0xd9, 0xf0"); break;
    case OP_YL2X: HOST_OP("0xd9, 0xf1"); break;
    case OP_YL2XP1: HOST_OP("0xd9, 0xf9"); break;
    case OP_PATAN: HOST_OP("0xd9, 0xf3"); break;
    case OP_SINCOS: HOST_OP("0xd9, 0xfb"); break;
    case OP_TAN: HOST_OP("0xd9, 0xf2"); break;
    default: break;
    }
}

/* the same operation on float80.c, reporting a status word like the host's */
static void soft_op(Op op, Float80 a, Float80 b, F80Status *st, Float80 *r, Float80 *r2,
                    uint16_t *sw)
{
    static const uint16_t cc[4] = { 0x0100, 0x4000, 0x0000, 0x4500 };  /* LT EQ GT UN */
    unsigned quot;
    bool partial, ok;
    uint16_t c = 0;
    *r2 = b;
    switch (op) {
    case OP_ADD: *r = f80_add(a, b, st); break;
    case OP_SUB: *r = f80_sub(a, b, st); break;
    case OP_MUL: *r = f80_mul(a, b, st); break;
    case OP_DIV: *r = f80_div(a, b, st); break;
    case OP_SQRT: *r = f80_sqrt(a, st); break;
    case OP_RNDINT: *r = f80_round_int(a, st); break;
    case OP_SCALE: *r = f80_scale(a, b, st); break;
    case OP_XTRACT: f80_xtract(a, r2, r, st); break;
    case OP_PREM:
    case OP_PREM1:
        *r = f80_rem(a, b, op == OP_PREM1, &quot, &partial, st);
        if (partial)
            c = 0x0400;
        else
            c = ((quot & 4) ? 0x0100 : 0) | ((quot & 2) ? 0x4000 : 0) | ((quot & 1) ? 0x0200 : 0);
        break;
    case OP_COM:
    case OP_UCOM:
        *r = a;
        c = cc[f80_compare(a, b, op == OP_UCOM, st)];
        break;
    case OP_F2XM1: *r = f80_f2xm1(a, st); break;
    case OP_YL2X: *r = f80_fyl2x(a, b, st); break;
    case OP_YL2XP1: *r = f80_fyl2xp1(a, b, st); break;
    case OP_PATAN: *r = f80_atan2(b, a, st); break;
    case OP_SINCOS:
        ok = f80_sincos(a, r2, r, st);
        if (!ok) {
            c = 0x0400;
            *r = a;
            *r2 = b;
        }
        break;
    case OP_TAN:
        ok = f80_tan(a, r2, st);
        *r = f80_from_i64(1);
        if (!ok) {
            c = 0x0400;
            *r = a;
            *r2 = b;
        } else if (f80_is_nan(*r2)) {
            *r = *r2;           /* FPTAN pushes the NaN twice */
        }
        break;
    default: break;
    }
    *sw = (st->flags & (F80_EXC | F80_C1)) | c;
}

/* bits of the host status word that each operation defines */
static uint16_t sw_mask(Op op)
{
    switch (op) {
    case OP_PREM: case OP_PREM1: case OP_COM: case OP_UCOM:
        return F80_EXC | 0x4700;
    case OP_SINCOS: case OP_TAN:
        return F80_EXC | 0x0600;
    default:
        return F80_EXC | F80_C1;
    }
}

/* ------------------------------------------------------------------ */
/* operands                                                            */
/* ------------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static const Float80 edge_values[] = {
    { 0, 0 }, { 0, 0x8000 },                                     /* +-0 */
    { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0xbfff },  /* +-1 */
    { 0x8000000000000000ull, 0x7fff }, { 0x8000000000000000ull, 0xffff },  /* +-inf */
    { 0xc000000000000000ull, 0xffff },                            /* indefinite */
    { 0xc000000000000001ull, 0x7fff }, { 0xd000000000000000ull, 0xffff },  /* QNaN */
    { 0x8000000000000001ull, 0x7fff }, { 0xa000000000000000ull, 0xffff },  /* SNaN */
    { 0x4000000000000000ull, 0x7fff }, { 0x0000000000000000ull, 0x7fff },  /* pseudo-NaN/inf */
    { 0x4000000000000000ull, 0x3fff },                            /* unnormal */
    { 0x0000000000000001ull, 0x0000 }, { 0x4000000000000000ull, 0x8000 },  /* denormals */
    { 0x8000000000000000ull, 0x0000 }, { 0x8000000000000123ull, 0x8000 },  /* pseudo-denormals */
    { 0x8000000000000000ull, 0x0001 }, { 0xffffffffffffffffull, 0x7ffe },  /* min normal, max */
    { 0xffffffffffffffffull, 0xfffe }, { 0xffffffffffffffffull, 0x0000 },
    { 0xc90fdaa22168c235ull, 0x4000 }, { 0xc90fdaa22168c234ull, 0xc001 },  /* pi, -2pi */
    { 0x8000000000000000ull, 0x403e }, { 0xffffffffffffffffull, 0x403d },  /* 2^63, < 2^63 */
    { 0xc000000000000000ull, 0x3ffe }, { 0xa000000000000000ull, 0x4002 },  /* 0.75, 10 */
    { 0x8000000000000000ull, 0x3ffe }, { 0xc000000000000000ull, 0xbfff },  /* 0.5, -1.5 */
    { 0x8000000000000400ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf },
    { 0x8000000000000000ull, 0x43fe }, { 0x8000000000000000ull, 0x3c00 },
};
#define N_EDGE (sizeof(edge_values) / sizeof(edge_values[0]))

/* a random finite value: kind 0 near 1, kind 1 any exponent, kind 2 near
 * the bottom of the range */
static Float80 rnd_value(uint64_t *s, int kind)
{
    uint64_t r = rng_next(s);
    uint64_t m = rng_next(s) | (1ull << 63);
    switch (r & 7) {
    case 0: m &= ~0ull << (r >> 8 & 63); break;        /* trailing zeros */
    case 1: m |= (1ull << (r >> 8 & 63)) - 1; break;   /* trailing ones */
    default: break;
    }
    int e;
    switch (kind) {
    case 0: e = 0x3fff + (int)((r >> 16) & 127) - 64; break;
    case 1: e = (int)((r >> 16) % 0x7ffe) + 1; break;
    default: e = (int)((r >> 16) & 127); break;
    }
    if (e == 0)
        m >>= (r >> 24) & 63;
    return mk((uint16_t)(e | ((r >> 40 & 1) << 15)), m);
}

/* operand pair for an operation: mostly related exponents */
static void rnd_pair(uint64_t *s, Op op, Float80 *a, Float80 *b)
{
    uint64_t r = rng_next(s);
    if ((r & 15) == 0) {
        *a = edge_values[(r >> 8) % N_EDGE];
        *b = (r & 16) ? edge_values[(r >> 16) % N_EDGE] : rnd_value(s, 0);
        if (r & 32) {
            Float80 t = *a;
            *a = *b;
            *b = t;
        }
        return;
    }
    int kind = (r >> 4) % 5 == 0 ? 1 : (r >> 4) % 5 == 1 ? 2 : 0;
    *a = rnd_value(s, kind);
    *b = rnd_value(s, kind);
    if ((r >> 12 & 3) == 0) {
        /* close exponents, for cancellation and ties */
        int d = (int)((r >> 16) & 7) - 3;
        int e = (a->se & 0x7fff) + d;
        if (e > 0 && e < 0x7fff)
            b->se = (uint16_t)((b->se & 0x8000) | e);
        if (r & (1ull << 20))
            b->mant = a->mant ^ (rng_next(s) & 0xff);
    }
    switch (op) {
    case OP_SCALE:
        *b = f80_from_i64((int64_t)(rng_next(s) % 40000) - 20000);
        if (r & (1ull << 21))
            *b = f80_from_i64((int64_t)(rng_next(s) % 200) - 100);
        break;
    case OP_F2XM1:
        a->se = (uint16_t)((a->se & 0x8000) | (0x3fff - (int)((r >> 24) % 70)));
        break;
    case OP_YL2X:
        a->se &= 0x7fff;
        break;
    case OP_YL2XP1:
        a->se = (uint16_t)((a->se & 0x8000) | (0x3ffd - (int)((r >> 24) % 70)));
        break;
    case OP_SINCOS:
    case OP_TAN:
        a->se = (uint16_t)((a->se & 0x8000) | (0x3fff - 20 + (int)((r >> 24) % 84)));
        break;
    case OP_RNDINT:
        a->se = (uint16_t)((a->se & 0x8000) | (0x3fff - 4 + (int)((r >> 24) % 72)));
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------ */
/* comparison                                                          */
/* ------------------------------------------------------------------ */

/* distance in ulps between two finite values of the same sign */
static uint64_t ulp_dist(Float80 a, Float80 b)
{
    if ((a.se ^ b.se) & 0x8000) {
        if (f80_is_zero(a) && f80_is_zero(b))
            return 0;
        return ~0ull;
    }
    __int128 ka = ((__int128)(a.se & 0x7fff) << 63) + (a.mant & ~(1ull << 63));
    __int128 kb = ((__int128)(b.se & 0x7fff) << 63) + (b.mant & ~(1ull << 63));
    if ((a.se & 0x7fff) == 0) ka = a.mant;
    if ((b.se & 0x7fff) == 0) kb = b.mant;
    __int128 d = ka > kb ? ka - kb : kb - ka;
    return d > 0xffffffff ? ~0ull : (uint64_t)d;
}

typedef struct OpStats {
    unsigned cases, exact, flag_mismatch, worst_ulp;
} OpStats;

static int failures_printed;

static void report(Op op, Float80 a, Float80 b, int rc, int pc, const Float80 hr[2],
                   uint16_t hsw, const Float80 sr[2], uint16_t ssw)
{
    if (failures_printed++ > 20)
        return;
    printf("\n  %s rc=%d pc=%d a=%04x:%016llx b=%04x:%016llx\n"
           "    host %04x:%016llx %04x:%016llx sw=%04x\n"
           "    soft %04x:%016llx %04x:%016llx sw=%04x\n", op_names[op], rc, pc,
           a.se, (unsigned long long)a.mant, b.se, (unsigned long long)b.mant,
           hr[0].se, (unsigned long long)hr[0].mant, hr[1].se, (unsigned long long)hr[1].mant, hsw,
           sr[0].se, (unsigned long long)sr[0].mant, sr[1].se, (unsigned long long)sr[1].mant, ssw);
}

/* run one case on both; exact ops must agree bit for bit, transcendental
 * ones within max_ulp (flags other than PE/C1/UE must agree) */
/* finite operands outside an instruction's architectural domain (results
 * undefined by the SDM) are not compared; for FSIN/FCOS/FPTAN neither are
 * |x| > pi/4 unless wide: the host reduces with a 66-bit pi (see
 * docs/x87.md), float80.c with a 384-bit one */
static bool out_of_domain(Op op, Float80 a, bool wide)
{
    if (f80_is_nan(a) || f80_is_inf(a) || f80_is_zero(a) || f80_is_unsupported(a))
        return false;
    int e = a.se & 0x7fff;
    switch (op) {
    case OP_F2XM1: return e > 0x3fff || (e == 0x3fff && a.mant != 1ull << 63);
    case OP_YL2XP1: return e > 0x3ffd || (e == 0x3ffd && a.mant > 0x95f619980c4336f7ull);
    case OP_SINCOS: case OP_TAN:
        return !wide && (e > 0x3ffe || (e == 0x3ffe && a.mant > 0xc90fdaa22168c234ull));
    default: return false;
    }
}

static bool wide_trig;

/* the host CPU's vendor: the modelled x87 is Intel's */
static bool host_is_intel(void)
{
    unsigned a, b, c, d;
    return __get_cpuid(0, &a, &b, &c, &d) &&
           b == 0x756e6547u && d == 0x49656e69u && c == 0x6c65746eu;   /* GenuineIntel */
}

/* Documented vendor differences, where the host is not Intel: replace the
 * host's answer by Intel's.
 *  - FSCALE of a denormal or pseudo-denormal by +-0 with UE unmasked: Intel
 *    returns what it returns with UE masked (the operand, DE only); AMD
 *    signals UE and bias-adjusts.  Both agree with UE masked, so the host
 *    runs the case again with UE masked. */
static void intel_reference(Op op, HostFrame *h)
{
    static int intel = -1;
    if (intel < 0)
        intel = host_is_intel();
    if (intel || op != OP_SCALE || (h->cw & F80_UE) || !f80_is_zero(h->b) ||
        !f80_is_denormal(h->a))
        return;
    HostFrame m = *h;
    m.cw |= F80_UE;
    host_op(op, &m);
    h->r = m.r;
    h->r2 = m.r2;
    h->sw = m.sw;
}

static uint16_t test_mask = 0x3f;  /* exception mask of the current run */

static bool check_case(Op op, Float80 a, Float80 b, int rc, int pc, unsigned max_ulp,
                       OpStats *stats)
{
    if (out_of_domain(op, a, wide_trig))
        return true;
    HostFrame h;
    memset(&h, 0, sizeof(h));
    h.a = a;
    h.b = b;
    h.cw = (uint16_t)(test_mask | (pc << 8) | (rc << 10));
    host_op(op, &h);
    intel_reference(op, &h);
    F80Status st = { (uint8_t)rc, (uint8_t)pc, test_mask, 0 };
    Float80 sr[2], hr[2] = { h.r, h.r2 };
    uint16_t ssw;
    soft_op(op, a, b, &st, &sr[0], &sr[1], &ssw);
    uint16_t m = sw_mask(op);
    uint16_t hsw = h.sw & m;
    ssw &= m;
    int nres = (op == OP_XTRACT || op == OP_SINCOS || op == OP_TAN) ? 2 : 1;
    if (op == OP_COM || op == OP_UCOM)
        nres = 0;
    bool exact = hsw == ssw;
    for (int i = 0; i < nres; i++)
        exact = exact && same(hr[i], sr[i]);
    stats->cases++;
    if (exact) {
        stats->exact++;
        return true;
    }
    if (max_ulp == 0) {
        report(op, a, b, rc, pc, hr, hsw, sr, ssw);
        return false;
    }
    uint16_t strict = F80_IE | F80_DE | F80_ZE | F80_OE | 0x0400;
    bool ok = (hsw & strict) == (ssw & strict);
    if (!ok)
        stats->flag_mismatch++;
    for (int i = 0; i < nres; i++) {
        if (same(hr[i], sr[i]))
            continue;
        uint64_t d = ulp_dist(hr[i], sr[i]);
        if (d > stats->worst_ulp)
            stats->worst_ulp = d > 0xffffffffu ? 0xffffffffu : (unsigned)d;
        if (d > max_ulp)
            ok = false;
    }
    if (!ok)
        report(op, a, b, rc, pc, hr, hsw, sr, ssw);
    return ok || max_ulp == ~0u;
}

static const int pcs[3] = { F80_PC24, F80_PC53, F80_PC64 };

static void run_ops(const Op *ops, int nops, unsigned samples, unsigned max_ulp, bool all_pc)
{
    bool stats = getenv("F80_STATS") != NULL;
    for (int oi = 0; oi < nops; oi++) {
        Op op = ops[oi];
        OpStats s = { 0 };
        unsigned bad = 0;
        const char *only = getenv("F80_ONLY");
        if (only && strcmp(only, op_names[op]))
            continue;
        failures_printed = 0;
        uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)op * 0x100000001b3ull;
        for (int rc = 0; rc < 4; rc++) {
            for (int pi = all_pc ? 0 : 2; pi < 3; pi++) {
                for (unsigned i = 0; i < N_EDGE * N_EDGE; i++) {
                    if (!check_case(op, edge_values[i / N_EDGE], edge_values[i % N_EDGE], rc,
                                    pcs[pi], max_ulp, &s))
                        bad++;
                }
                for (unsigned i = 0; i < samples; i++) {
                    Float80 a, b;
                    rnd_pair(&seed, op, &a, &b);
                    if (!check_case(op, a, b, rc, pcs[pi], max_ulp, &s))
                        bad++;
                }
            }
        }
        if (stats || bad)
            printf("\n  %-8s %u cases, %u bit-exact (%.2f%%), worst %u ulp, %u flag mismatches, "
                   "%u failures", op_names[op], s.cases, s.exact, 100.0 * s.exact / s.cases,
                   s.worst_ulp, s.flag_mismatch, bad);
        CU_ASSERT(bad == 0);
    }
}

static void test_float80_arith(void)
{
    static const Op ops[] = { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT };
    run_ops(ops, 5, 4000, 0, true);
}

/* unmasked OE and UE: float80.c returns the bias-adjusted (+-24576)
 * result the x87 writes to a register */
static void test_float80_unmasked(void)
{
    static const Op ops[] = { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_SCALE };
    test_mask = 0x3f & ~(F80_OE | F80_UE);
    run_ops(ops, 6, 3000, 0, true);
    test_mask = 0x3f;
}

static void test_float80_misc(void)
{
    static const Op ops[] = { OP_RNDINT, OP_SCALE, OP_XTRACT, OP_PREM, OP_PREM1,
                              OP_COM, OP_UCOM };
    run_ops(ops, 7, 4000, 0, false);
}

static void test_float80_transcendental(void)
{
    static const Op ops[] = { OP_F2XM1, OP_YL2X, OP_YL2XP1, OP_PATAN, OP_SINCOS, OP_TAN };
    run_ops(ops, 6, 1500, 1, false);
    if (getenv("F80_STATS")) {
        /* measurement only: FSIN/FCOS/FPTAN over |x| < 2^63 */
        static const Op trig[] = { OP_SINCOS, OP_TAN };
        wide_trig = true;
        printf("\n  (|x| up to 2^63, not asserted:)");
        run_ops(trig, 2, 1500, ~0u, false);
        wide_trig = false;
    }
}

/* conversions: FIST/FISTTP, FST m32/m64, FLD m32/m64, FBSTP, FBLD, FLD constants */
static void test_float80_convert(void)
{
    uint64_t seed = 12345;
    unsigned bad = 0;
    for (int rc = 0; rc < 4; rc++) {
        for (unsigned i = 0; i < N_EDGE + 6000; i++) {
            Float80 a;
            if (i < N_EDGE) {
                a = edge_values[i];
            } else {
                Float80 b;
                rnd_pair(&seed, OP_ADD, &a, &b);
                uint64_t r = rng_next(&seed);
                int kind = r % 4;
                if (kind == 0)          /* integers range */
                    a.se = (uint16_t)((a.se & 0x8000) | (0x3fff + (int)((r >> 8) % 66) - 2));
                else if (kind == 1)     /* float/double range boundaries */
                    a.se = (uint16_t)((a.se & 0x8000) |
                                      ((r >> 8 & 1 ? 0x3fff - 126 : 0x3fff - 1022) +
                                       (int)((r >> 16) % 60) - 40));
                else if (kind == 2)
                    a.se = (uint16_t)((a.se & 0x8000) |
                                      ((r >> 8 & 1 ? 0x3fff + 127 : 0x3fff + 1023) +
                                       (int)((r >> 16) % 6) - 3));
            }
            HostFrame h;
            memset(&h, 0, sizeof(h));
            h.a = a;
            h.cw = (uint16_t)(0x033f | (rc << 10));
            for (int k = 0; k < 7; k++) {
                F80Status st = { (uint8_t)rc, F80_PC64, 0x3f, 0 };
                uint64_t hv = 0, sv = 0;
                h.i = 0;
                h.f = 0;
                switch (k) {
                case 0: case 1: case 2: {
                    /* FISTP m16/m32/m64 */
                    if (k == 0)
                        __asm__ volatile("fninit\n\tfldcw %1\n\tfldt %2\n\tfistps %0\n\tfnstsw %3"
                                         : "=m"(h.i16) : "m"(h.cw), "m"(h.a), "m"(h.sw));
                    else if (k == 1)
                        __asm__ volatile("fninit\n\tfldcw %1\n\tfldt %2\n\tfistpl %0\n\tfnstsw %3"
                                         : "=m"(h.i32) : "m"(h.cw), "m"(h.a), "m"(h.sw));
                    else
                        __asm__ volatile("fninit\n\tfldcw %1\n\tfldt %2\n\tfistpll %0\n\tfnstsw %3"
                                         : "=m"(h.i) : "m"(h.cw), "m"(h.a), "m"(h.sw));
                    int bits = 16 << k;
                    if (k == 0)
                        h.i = h.i16;
                    else if (k == 1)
                        h.i = h.i32;
                    hv = (uint64_t)h.i & (bits == 64 ? ~0ull : (1ull << bits) - 1);
                    sv = (uint64_t)f80_to_i64(a, bits, false, &st) &
                         (bits == 64 ? ~0ull : (1ull << bits) - 1);
                    break;
                }
                case 3:     /* FISTTP m64 */
                    __asm__ volatile("fninit\n\tfldcw %1\n\tfldt %2\n\tfisttpll %0\n\tfnstsw %3"
                                     : "=m"(h.i) : "m"(h.cw), "m"(h.a), "m"(h.sw));
                    hv = (uint64_t)h.i;
                    sv = (uint64_t)f80_to_i64(a, 64, true, &st);
                    break;
                case 4:     /* FSTP m32 */
                    __asm__ volatile("fninit\n\tfldcw %1\n\tfldt %2\n\tfstps %0\n\tfnstsw %3"
                                     : "=m"(h.f32) : "m"(h.cw), "m"(h.a), "m"(h.sw));
                    hv = h.f32;
                    sv = f80_to_f32(a, &st);
                    break;
                case 5:     /* FSTP m64 */
                    __asm__ volatile("fninit\n\tfldcw %1\n\tfldt %2\n\tfstpl %0\n\tfnstsw %3"
                                     : "=m"(h.f) : "m"(h.cw), "m"(h.a), "m"(h.sw));
                    hv = h.f;
                    sv = f80_to_f64(a, &st);
                    break;
                case 6:     /* FBSTP */
                    __asm__ volatile("fninit\n\tfldcw %1\n\tfldt %2\n\tfbstp %0\n\tfnstsw %3"
                                     : "=m"(h.bcd) : "m"(h.cw), "m"(h.a), "m"(h.sw));
                    {
                        uint8_t sb[10];
                        f80_to_bcd(a, sb, &st);
                        hv = memcmp(sb, h.bcd, 10);
                        sv = 0;
                    }
                    break;
                }
                uint16_t hsw = h.sw & (F80_EXC | F80_C1), ssw = st.flags & (F80_EXC | F80_C1);
                if (hv != sv || hsw != ssw) {
                    if (bad++ < 20)
                        printf("\n  convert %d rc=%d a=%04x:%016llx host %llx sw=%04x soft %llx sw=%04x",
                               k, rc, a.se, (unsigned long long)a.mant, (unsigned long long)hv,
                               hsw, (unsigned long long)sv, ssw);
                }
            }
            /* FLD m32/m64 of random bit patterns, FBLD of valid BCD */
            uint64_t bits = rng_next(&seed);
            if (i & 1)
                bits = (bits & 0x800fffffffffffffull) | (i & 2 ? 0x7ff0000000000000ull : 0);
            uint32_t b32 = (uint32_t)bits;
            if (i & 4)
                b32 = (b32 & 0x807fffffu) | (i & 8 ? 0x7f800000u : 0);
            HostFrame g;
            Float80 s1, s2;
            F80Status st1 = { (uint8_t)rc, F80_PC64, 0x3f, 0 }, st2 = st1;
            uint16_t sw1, sw2;
            __asm__ volatile("fninit\n\tfnclex\n\tflds %2\n\tfnstsw %1\n\tfstpt %0"
                             : "=m"(g.r), "=m"(sw1) : "m"(b32));
            __asm__ volatile("fninit\n\tfnclex\n\tfldl %2\n\tfnstsw %1\n\tfstpt %0"
                             : "=m"(g.r2), "=m"(sw2) : "m"(bits));
            s1 = f80_from_f32(b32, &st1);
            s2 = f80_from_f64(bits, &st2);
            if (!same(s1, g.r) || !same(s2, g.r2) || (sw1 & F80_EXC) != st1.flags ||
                (sw2 & F80_EXC) != st2.flags) {
                if (bad++ < 20)
                    printf("\n  fld m32 %08x / m64 %016llx", b32, (unsigned long long)bits);
            }
            uint8_t bcd[10];
            uint64_t d = rng_next(&seed);
            for (int j = 0; j < 9; j++, d /= 100)
                bcd[j] = (uint8_t)((d % 100 / 10) << 4 | (d % 10));
            bcd[9] = (uint8_t)(i & 0x80);
            __asm__ volatile("fninit\n\tfbld %1\n\tfstpt %0" : "=m"(g.r) : "m"(bcd));
            if (!same(f80_from_bcd(bcd), g.r) && bad++ < 20)
                printf("\n  fbld mismatch");
        }
        /* constants */
        static const F80Const ks[] = { F80K_ONE, F80K_L2T, F80K_L2E, F80K_PI, F80K_LG2,
                                       F80K_LN2, F80K_ZERO };
        Float80 hk[7];
        uint16_t cw = (uint16_t)(0x037f | (rc << 10));
        __asm__ volatile("fninit\n\tfldcw %7\n\t"
                         "fld1\n\tfstpt %0\n\tfldl2t\n\tfstpt %1\n\tfldl2e\n\tfstpt %2\n\t"
                         "fldpi\n\tfstpt %3\n\tfldlg2\n\tfstpt %4\n\tfldln2\n\tfstpt %5\n\t"
                         "fldz\n\tfstpt %6"
                         : "=m"(hk[0]), "=m"(hk[1]), "=m"(hk[2]), "=m"(hk[3]), "=m"(hk[4]),
                           "=m"(hk[5]), "=m"(hk[6]) : "m"(cw));
        for (int k = 0; k < 7; k++) {
            if (!same(hk[k], f80_const(ks[k], rc)) && bad++ < 20)
                printf("\n  constant %d rc=%d host %04x:%016llx", k, rc, hk[k].se,
                       (unsigned long long)hk[k].mant);
        }
    }
    if (bad)
        printf("\n  conversions: %u failures", bad);
    CU_ASSERT(bad == 0);
}

#endif /* x86 host */

void register_float80_tests(void)
{
    CU_pSuite s = CU_add_suite("float80", NULL, NULL);
    CU_add_test(s, "fixed tables", test_float80_tables);
#if defined(__x86_64__) || defined(__i386__)
    CU_add_test(s, "add sub mul div sqrt vs host x87", test_float80_arith);
    CU_add_test(s, "unmasked overflow and underflow vs host x87", test_float80_unmasked);
    CU_add_test(s, "rndint scale xtract prem compare vs host x87", test_float80_misc);
    CU_add_test(s, "conversions and constants vs host x87", test_float80_convert);
    CU_add_test(s, "transcendentals within 1 ulp of host x87", test_float80_transcendental);
#endif
}
