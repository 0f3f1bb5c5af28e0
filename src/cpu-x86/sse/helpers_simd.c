/*
 * helpers_simd.c - helper_simd, the one helper behind every MMX, SSE,
 * SSE2, SSE3 and SSSE3 instruction tx86 implements (simd.h, docs/simd.md),
 * and the MMX/SSE parts of the CPU state (MMX aliasing of the x87
 * registers, MXCSR).
 *
 * Order of work in helper_simd (precise exceptions):
 *   1. checks: CR0.EM -> #UD; an XMM operand (or LDMXCSR/STMXCSR) with
 *      CR4.OSFXSR=0 -> #UD; CR0.TS -> #NM; an MMX operand (or EMMS) with a
 *      pending x87 exception -> #MF (CR0.NE=0: FERR#, fpu_check_pending);
 *   2. the memory operand: segment check, #GP(0) if a 16-byte operand of
 *      an aligned form is not 16-byte aligned, then the load (a store
 *      destination is written last, after a probe of its last byte so a
 *      page fault leaves nothing half written);
 *   3. the MMX transition (TOP=0, every tag valid) when an MMX register is
 *      an operand (not EMMS);
 *   4. the operation (simd_exec) on 64-bit (MMX) or 128-bit values;
 *   5. the destination write: an MMX register gets its exponent/sign set
 *      to all ones (SDM Vol. 1, 9.5.1), an XMM register all 128 bits.
 */
#include <string.h>
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/seg.h"
#include "cpu-x86/fpu/fpu.h"
#include "cpu-x86/sse/simd.h"
#include "cpu-x86/sse/sse_fp.h"

const SimdOpInfo simd_ops[SOP_COUNT] = {
#define SIMD_OP_ROW(n, fm, fx, mm, mx, fl) [SOP_##n] = { #n, fm, fx, mm, mx, fl },
    SIMD_OP_LIST(SIMD_OP_ROW)
#undef SIMD_OP_ROW
};

/* SimdOp -> SSEFpOp of the floating-point operations (SSEFP_COUNT: none) */
static const uint8_t simd_fp_map[SOP_COUNT] = {
#define SIMD_FP_MAP(n, fm, fx, mm, mx, fl) [SOP_##n] = SSEFP_##n + 1,
    SIMD_FP_LIST(SIMD_FP_MAP)
#undef SIMD_FP_MAP
};
#define simd_fp_op(op) ((SSEFpOp)(simd_fp_map[op] ? simd_fp_map[op] - 1 : SSEFP_COUNT))

uint32_t simd_mxcsr_mask(const CPUState *env)
{
    return cpuid_get_model(env)->mxcsr_daz ? 0xffffu : 0xffbfu;
}

/* ---- saturation ---- */
static inline int8_t sat8(int v) { return v > 127 ? 127 : v < -128 ? -128 : (int8_t)v; }
static inline uint8_t satu8(int v) { return v > 255 ? 255 : v < 0 ? 0 : (uint8_t)v; }
static inline int16_t sat16(int32_t v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}
static inline uint16_t satu16(int32_t v) { return v > 65535 ? 65535 : v < 0 ? 0 : (uint16_t)v; }

/* ---- memory ---- */
static void simd_ld(CPUState *env, uint32_t lin, uint8_t *buf, int n)
{
    int i = 0;

    for (; i + 4 <= n; i += 4) {
        uint32_t v = cpu_ld32(env, lin + i);
        memcpy(buf + i, &v, 4);
    }
    for (; i < n; i++)
        buf[i] = (uint8_t)cpu_ld8(env, lin + i);
}

static void simd_st(CPUState *env, uint32_t lin, const uint8_t *buf, int n)
{
    int i = 0;

    if (((lin ^ (lin + n - 1)) & ~0xfffu) != 0)
        cpu_st8(env, lin + n - 1, buf[n - 1]);      /* fault before any write */
    for (; i + 4 <= n; i += 4) {
        uint32_t v;
        memcpy(&v, buf + i, 4);
        cpu_st32(env, lin + i, v);
    }
    for (; i < n; i++)
        cpu_st8(env, lin + i, buf[i]);
}

/* ---- the operations: r = op(a = destination, b = source), n bytes ---- */

static void simd_shift(XMMReg *r, const XMMReg *a, uint64_t cnt, int n, int esz, int kind)
{
    /* kind 0 left, 1 logical right, 2 arithmetic right */
    int bits = esz * 8;

    for (int i = 0; i < n / esz; i++) {
        uint64_t v;
        switch (esz) {
        case 2: v = a->w[i]; break;
        case 4: v = a->d[i]; break;
        default: v = a->q[i]; break;
        }
        if (cnt >= (uint64_t)bits) {
            if (kind == 2)
                v = (v >> (bits - 1)) & 1 ? ~0ull : 0;
            else
                v = 0;
        } else if (kind == 0) {
            v <<= cnt;
        } else if (kind == 1) {
            v >>= cnt;
        } else {
            int64_t sv = (int64_t)(v << (64 - bits)) >> (64 - bits);
            v = (uint64_t)(sv >> cnt);
        }
        switch (esz) {
        case 2: r->w[i] = (uint16_t)v; break;
        case 4: r->d[i] = (uint32_t)v; break;
        default: r->q[i] = v; break;
        }
    }
}

/* horizontal add/sub of 16/32-bit pairs: low half of r from a, high from b */
static void simd_hop(XMMReg *r, const XMMReg *a, const XMMReg *b, int n, int esz, int kind)
{
    /* kind 0 add, 1 sub, 2 add saturating, 3 sub saturating (words only) */
    int k = n / esz / 2;
    XMMReg t;

    for (int i = 0; i < 2 * k; i++) {
        const XMMReg *s = i < k ? a : b;
        int j = (i % k) * 2;
        if (esz == 2) {
            int32_t x = (int16_t)s->w[j], y = (int16_t)s->w[j + 1];
            int32_t v = (kind & 1) ? x - y : x + y;
            t.w[i] = (uint16_t)(kind & 2 ? sat16(v) : v);
        } else {
            t.d[i] = (kind & 1) ? s->d[j] - s->d[j + 1] : s->d[j] + s->d[j + 1];
        }
    }
    *r = t;
}

/* returns the GPR result (PEXTRW, PMOVMSKB, MOVMSK*), else 0 */
static uint32_t simd_exec(CPUState *env, SimdOp op, XMMReg *r, const XMMReg *a,
                          const XMMReg *b, int n, unsigned imm, bool dmem, bool smem)
{
    uint32_t g = 0;

    switch (op) {
    /* moves: the destination write width is decided by the caller */
    case SOP_MOVD:
        memset(r, 0, sizeof *r);
        r->d[0] = b->d[0];
        break;
    case SOP_MOVQ: case SOP_MOVQ2DQ: case SOP_MOVDQ2Q: case SOP_MOVNTQ:
        memset(r, 0, sizeof *r);
        r->q[0] = b->q[0];
        break;
    case SOP_MOVAPS: case SOP_MOVUPS: case SOP_MOVAPD: case SOP_MOVUPD:
    case SOP_MOVDQA: case SOP_MOVDQU: case SOP_LDDQU:
    case SOP_MOVNTPS: case SOP_MOVNTPD: case SOP_MOVNTDQ:
        *r = *b;
        break;
    case SOP_MOVSS:                     /* load from memory zeroes the rest */
        *r = smem ? (XMMReg){ .d = { 0 } } : *a;
        r->d[0] = b->d[0];
        break;
    case SOP_MOVSD:
        *r = smem ? (XMMReg){ .d = { 0 } } : *a;
        r->q[0] = b->q[0];
        break;
    case SOP_MOVLPS: case SOP_MOVLPD:   /* store: the low quadword */
        *r = *a;
        r->q[0] = b->q[0];
        break;
    case SOP_MOVHPS: case SOP_MOVHPD:
        if (dmem) {                     /* store: the high quadword */
            memset(r, 0, sizeof *r);
            r->q[0] = b->q[1];
        } else {
            *r = *a;
            r->q[1] = b->q[0];
        }
        break;
    case SOP_MOVHLPS:
        *r = *a;
        r->q[0] = b->q[1];
        break;
    case SOP_MOVLHPS:
        *r = *a;
        r->q[1] = b->q[0];
        break;
    case SOP_MOVMSKPS:
        for (int i = 0; i < 4; i++)
            g |= (b->d[i] >> 31) << i;
        break;
    case SOP_MOVMSKPD:
        g = (uint32_t)(b->q[0] >> 63) | (uint32_t)(b->q[1] >> 63) << 1;
        break;
    case SOP_PMOVMSKB:
        for (int i = 0; i < n; i++)
            g |= (uint32_t)(b->b[i] >> 7) << i;
        break;
    case SOP_MOVDDUP:
        r->q[0] = r->q[1] = b->q[0];
        break;
    case SOP_MOVSHDUP:
        r->d[0] = r->d[1] = b->d[1];
        r->d[2] = r->d[3] = b->d[3];
        break;
    case SOP_MOVSLDUP:
        r->d[0] = r->d[1] = b->d[0];
        r->d[2] = r->d[3] = b->d[2];
        break;

    /* logic */
    case SOP_PAND: case SOP_ANDPS: case SOP_ANDPD:
        r->q[0] = a->q[0] & b->q[0]; r->q[1] = a->q[1] & b->q[1];
        break;
    case SOP_PANDN: case SOP_ANDNPS: case SOP_ANDNPD:
        r->q[0] = ~a->q[0] & b->q[0]; r->q[1] = ~a->q[1] & b->q[1];
        break;
    case SOP_POR: case SOP_ORPS: case SOP_ORPD:
        r->q[0] = a->q[0] | b->q[0]; r->q[1] = a->q[1] | b->q[1];
        break;
    case SOP_PXOR: case SOP_XORPS: case SOP_XORPD:
        r->q[0] = a->q[0] ^ b->q[0]; r->q[1] = a->q[1] ^ b->q[1];
        break;

    /* unpacks: interleave the low (L) or high (H) halves */
#define UNPACK(lane, esz, hi) do { \
        int k_ = n / (esz) / 2; \
        XMMReg t_; \
        for (int i = 0; i < k_; i++) { \
            t_.lane[2 * i] = a->lane[(hi) * k_ + i]; \
            t_.lane[2 * i + 1] = b->lane[(hi) * k_ + i]; \
        } \
        *r = t_; \
    } while (0)
    case SOP_PUNPCKLBW: UNPACK(b, 1, 0); break;
    case SOP_PUNPCKLWD: UNPACK(w, 2, 0); break;
    case SOP_PUNPCKLDQ: case SOP_UNPCKLPS: UNPACK(d, 4, 0); break;
    case SOP_PUNPCKLQDQ: case SOP_UNPCKLPD: UNPACK(q, 8, 0); break;
    case SOP_PUNPCKHBW: UNPACK(b, 1, 1); break;
    case SOP_PUNPCKHWD: UNPACK(w, 2, 1); break;
    case SOP_PUNPCKHDQ: case SOP_UNPCKHPS: UNPACK(d, 4, 1); break;
    case SOP_PUNPCKHQDQ: case SOP_UNPCKHPD: UNPACK(q, 8, 1); break;
#undef UNPACK
    case SOP_PACKSSWB: {
        int k = n / 2;
        XMMReg t;
        for (int i = 0; i < k; i++) {
            t.b[i] = (uint8_t)sat8((int16_t)a->w[i]);
            t.b[k + i] = (uint8_t)sat8((int16_t)b->w[i]);
        }
        *r = t;
        break;
    }
    case SOP_PACKUSWB: {
        int k = n / 2;
        XMMReg t;
        for (int i = 0; i < k; i++) {
            t.b[i] = satu8((int16_t)a->w[i]);
            t.b[k + i] = satu8((int16_t)b->w[i]);
        }
        *r = t;
        break;
    }
    case SOP_PACKSSDW: {
        int k = n / 4;
        XMMReg t;
        for (int i = 0; i < k; i++) {
            t.w[i] = (uint16_t)sat16((int32_t)a->d[i]);
            t.w[k + i] = (uint16_t)sat16((int32_t)b->d[i]);
        }
        *r = t;
        break;
    }
    case SOP_SHUFPS: {
        XMMReg t;
        t.d[0] = a->d[imm & 3];
        t.d[1] = a->d[(imm >> 2) & 3];
        t.d[2] = b->d[(imm >> 4) & 3];
        t.d[3] = b->d[(imm >> 6) & 3];
        *r = t;
        break;
    }
    case SOP_SHUFPD: {
        XMMReg t;
        t.q[0] = a->q[imm & 1];
        t.q[1] = b->q[(imm >> 1) & 1];
        *r = t;
        break;
    }
    case SOP_PSHUFW:
        for (int i = 0; i < 4; i++)
            r->w[i] = b->w[(imm >> (2 * i)) & 3];
        break;
    case SOP_PSHUFD:
        for (int i = 0; i < 4; i++)
            r->d[i] = b->d[(imm >> (2 * i)) & 3];
        break;
    case SOP_PSHUFLW:
        for (int i = 0; i < 4; i++)
            r->w[i] = b->w[(imm >> (2 * i)) & 3];
        r->q[1] = b->q[1];
        break;
    case SOP_PSHUFHW:
        r->q[0] = b->q[0];
        for (int i = 0; i < 4; i++)
            r->w[4 + i] = b->w[4 + ((imm >> (2 * i)) & 3)];
        break;
    case SOP_PEXTRW:
        g = b->w[imm & (n / 2 - 1)];
        break;
    case SOP_PINSRW:
        *r = *a;
        r->w[imm & (n / 2 - 1)] = b->w[0];
        break;

    /* lane arithmetic */
#define LANES(lane, esz, expr) do { \
        for (int i = 0; i < n / (esz); i++) \
            r->lane[i] = (expr); \
    } while (0)
    case SOP_PADDB: LANES(b, 1, (uint8_t)(a->b[i] + b->b[i])); break;
    case SOP_PADDW: LANES(w, 2, (uint16_t)(a->w[i] + b->w[i])); break;
    case SOP_PADDD: LANES(d, 4, a->d[i] + b->d[i]); break;
    case SOP_PADDQ: LANES(q, 8, a->q[i] + b->q[i]); break;
    case SOP_PSUBB: LANES(b, 1, (uint8_t)(a->b[i] - b->b[i])); break;
    case SOP_PSUBW: LANES(w, 2, (uint16_t)(a->w[i] - b->w[i])); break;
    case SOP_PSUBD: LANES(d, 4, a->d[i] - b->d[i]); break;
    case SOP_PSUBQ: LANES(q, 8, a->q[i] - b->q[i]); break;
    case SOP_PADDSB: LANES(b, 1, (uint8_t)sat8((int8_t)a->b[i] + (int8_t)b->b[i])); break;
    case SOP_PADDSW: LANES(w, 2, (uint16_t)sat16((int16_t)a->w[i] + (int16_t)b->w[i])); break;
    case SOP_PADDUSB: LANES(b, 1, satu8(a->b[i] + b->b[i])); break;
    case SOP_PADDUSW: LANES(w, 2, satu16(a->w[i] + b->w[i])); break;
    case SOP_PSUBSB: LANES(b, 1, (uint8_t)sat8((int8_t)a->b[i] - (int8_t)b->b[i])); break;
    case SOP_PSUBSW: LANES(w, 2, (uint16_t)sat16((int16_t)a->w[i] - (int16_t)b->w[i])); break;
    case SOP_PSUBUSB: LANES(b, 1, satu8(a->b[i] - b->b[i])); break;
    case SOP_PSUBUSW: LANES(w, 2, satu16(a->w[i] - b->w[i])); break;
    case SOP_PMULHW:
        LANES(w, 2, (uint16_t)(((int32_t)(int16_t)a->w[i] * (int16_t)b->w[i]) >> 16));
        break;
    case SOP_PMULLW: LANES(w, 2, (uint16_t)((uint32_t)a->w[i] * b->w[i])); break;
    case SOP_PMULHUW: LANES(w, 2, (uint16_t)(((uint32_t)a->w[i] * b->w[i]) >> 16)); break;
    case SOP_PMULUDQ: LANES(q, 8, (uint64_t)a->d[2 * i] * b->d[2 * i]); break;
    case SOP_PMADDWD:
        LANES(d, 4, (uint32_t)((int64_t)(int16_t)a->w[2 * i] * (int16_t)b->w[2 * i] +
                               (int64_t)(int16_t)a->w[2 * i + 1] * (int16_t)b->w[2 * i + 1]));
        break;
    case SOP_PCMPEQB: LANES(b, 1, a->b[i] == b->b[i] ? 0xff : 0); break;
    case SOP_PCMPEQW: LANES(w, 2, a->w[i] == b->w[i] ? 0xffff : 0); break;
    case SOP_PCMPEQD: LANES(d, 4, a->d[i] == b->d[i] ? ~0u : 0); break;
    case SOP_PCMPGTB: LANES(b, 1, (int8_t)a->b[i] > (int8_t)b->b[i] ? 0xff : 0); break;
    case SOP_PCMPGTW: LANES(w, 2, (int16_t)a->w[i] > (int16_t)b->w[i] ? 0xffff : 0); break;
    case SOP_PCMPGTD: LANES(d, 4, (int32_t)a->d[i] > (int32_t)b->d[i] ? ~0u : 0); break;
    case SOP_PAVGB: LANES(b, 1, (uint8_t)((a->b[i] + b->b[i] + 1) >> 1)); break;
    case SOP_PAVGW: LANES(w, 2, (uint16_t)((a->w[i] + b->w[i] + 1) >> 1)); break;
    case SOP_PMAXSW: LANES(w, 2, (int16_t)a->w[i] > (int16_t)b->w[i] ? a->w[i] : b->w[i]); break;
    case SOP_PMINSW: LANES(w, 2, (int16_t)a->w[i] < (int16_t)b->w[i] ? a->w[i] : b->w[i]); break;
    case SOP_PMAXUB: LANES(b, 1, a->b[i] > b->b[i] ? a->b[i] : b->b[i]); break;
    case SOP_PMINUB: LANES(b, 1, a->b[i] < b->b[i] ? a->b[i] : b->b[i]); break;
    case SOP_PSADBW: {
        XMMReg t = { .q = { 0, 0 } };
        for (int h = 0; h < n / 8; h++) {
            unsigned sum = 0;
            for (int i = 0; i < 8; i++) {
                int d = a->b[8 * h + i] - b->b[8 * h + i];
                sum += (unsigned)(d < 0 ? -d : d);
            }
            t.q[h] = sum;
        }
        *r = t;
        break;
    }

    /* shifts: b holds the count (imm8 forms: the caller put imm in b) */
    case SOP_PSLLW: simd_shift(r, a, b->q[0], n, 2, 0); break;
    case SOP_PSLLD: simd_shift(r, a, b->q[0], n, 4, 0); break;
    case SOP_PSLLQ: simd_shift(r, a, b->q[0], n, 8, 0); break;
    case SOP_PSRLW: simd_shift(r, a, b->q[0], n, 2, 1); break;
    case SOP_PSRLD: simd_shift(r, a, b->q[0], n, 4, 1); break;
    case SOP_PSRLQ: simd_shift(r, a, b->q[0], n, 8, 1); break;
    case SOP_PSRAW: simd_shift(r, a, b->q[0], n, 2, 2); break;
    case SOP_PSRAD: simd_shift(r, a, b->q[0], n, 4, 2); break;
    case SOP_PSLLDQ: {
        unsigned c = imm > 16 ? 16 : imm;
        XMMReg t = { .q = { 0, 0 } };
        for (unsigned i = c; i < 16; i++)
            t.b[i] = a->b[i - c];
        *r = t;
        break;
    }
    case SOP_PSRLDQ: {
        unsigned c = imm > 16 ? 16 : imm;
        XMMReg t = { .q = { 0, 0 } };
        for (unsigned i = 0; i + c < 16; i++)
            t.b[i] = a->b[i + c];
        *r = t;
        break;
    }

    /* SSSE3 */
    case SOP_PSHUFB: {
        XMMReg t;
        for (int i = 0; i < n; i++)
            t.b[i] = (b->b[i] & 0x80) ? 0 : a->b[b->b[i] & (n - 1)];
        *r = t;
        break;
    }
    case SOP_PHADDW: simd_hop(r, a, b, n, 2, 0); break;
    case SOP_PHSUBW: simd_hop(r, a, b, n, 2, 1); break;
    case SOP_PHADDSW: simd_hop(r, a, b, n, 2, 2); break;
    case SOP_PHSUBSW: simd_hop(r, a, b, n, 2, 3); break;
    case SOP_PHADDD: simd_hop(r, a, b, n, 4, 0); break;
    case SOP_PHSUBD: simd_hop(r, a, b, n, 4, 1); break;
    case SOP_PMADDUBSW:
        LANES(w, 2, (uint16_t)sat16(a->b[2 * i] * (int8_t)b->b[2 * i] +
                                    a->b[2 * i + 1] * (int8_t)b->b[2 * i + 1]));
        break;
    case SOP_PMULHRSW:
        LANES(w, 2, (uint16_t)((((int32_t)(int16_t)a->w[i] * (int16_t)b->w[i] >> 14) + 1) >> 1));
        break;
    case SOP_PSIGNB:
        LANES(b, 1, (int8_t)b->b[i] < 0 ? (uint8_t)-a->b[i] : b->b[i] ? a->b[i] : 0);
        break;
    case SOP_PSIGNW:
        LANES(w, 2, (int16_t)b->w[i] < 0 ? (uint16_t)-a->w[i] : b->w[i] ? a->w[i] : 0);
        break;
    case SOP_PSIGND:
        LANES(d, 4, (int32_t)b->d[i] < 0 ? -a->d[i] : b->d[i] ? a->d[i] : 0);
        break;
    case SOP_PABSB: LANES(b, 1, (int8_t)b->b[i] < 0 ? (uint8_t)-b->b[i] : b->b[i]); break;
    case SOP_PABSW: LANES(w, 2, (int16_t)b->w[i] < 0 ? (uint16_t)-b->w[i] : b->w[i]); break;
    case SOP_PABSD: LANES(d, 4, (int32_t)b->d[i] < 0 ? -b->d[i] : b->d[i]); break;
    case SOP_PALIGNR: {
        uint8_t cat[32];
        XMMReg t;
        memcpy(cat, b->b, n);
        memcpy(cat + n, a->b, n);
        for (int i = 0; i < n; i++)
            t.b[i] = imm + i < (unsigned)(2 * n) ? cat[imm + i] : 0;
        *r = t;
        break;
    }
#undef LANES
    default: {
        /* the floating-point operations (sse_fp.c): flags and #XM before
         * any write; COMIS* only set EFLAGS; *2SI return the integer */
        SSEFpOp fop = simd_fp_op(op);
        XMMReg t;
        g_assert(fop != SSEFP_COUNT);
        uint32_t fl = sse_fp_exec(fop, &t, a, b, imm & 7, env->fpu_mxcsr);
        simd_fp_exceptions(env, fl);
        if (simd_ops[op].flags & SOF_EFLAGS) {
            simd_set_eflags(env, t.d[0]);
            *r = *a;
        } else {
            *r = t;
            g = t.d[0];
        }
        break;
    }
    }
    return g;
}

/* ---- registers ---- */
static void simd_get(CPUState *env, unsigned cls, unsigned reg, uint32_t gpr, XMMReg *v)
{
    memset(v, 0, sizeof *v);
    if (cls == SC_MM)
        v->q[0] = env->fpu_st[reg].mant;
    else if (cls == SC_XMM)
        *v = env->xmm[reg];
    else if (cls == SC_GPR)
        v->d[0] = gpr;
}

void simd_mmx_transition(CPUState *env)
{
    env->fpu_top = 0;
    env->fpu_valid = 0xff;
}

void simd_set_mm(CPUState *env, unsigned reg, uint64_t v)
{
    env->fpu_st[reg].mant = v;
    env->fpu_st[reg].se = 0xffff;
}

void simd_fp_exceptions(CPUState *env, uint32_t flags)
{
    uint32_t unmasked;

    flags &= MXCSR_FLAGS;
    env->fpu_mxcsr |= flags;
    unmasked = flags & ~(env->fpu_mxcsr >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    if (unmasked)
        raise_exception_noerr(env, (env->cr[4] & CR4_OSXMMEXCPT) ? EXCP_XM : EXCP_UD);
}

void simd_set_eflags(CPUState *env, uint32_t cc)
{
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = cc & (CC_Z | CC_P | CC_C);
}

/* LDMXCSR / FXRSTOR: #GP(0) if a reserved bit is set */
void simd_load_mxcsr(CPUState *env, uint32_t v)
{
    if (v & ~simd_mxcsr_mask(env))
        raise_exception(env, EXCP_GP, 0);
    env->fpu_mxcsr = v;
}

/* the checks of an XMM form before the inline code of its block's first
 * one (gen_simd.c): #UD for CR0.EM or CR4.OSFXSR=0, #NM for CR0.TS */
void helper_sse_check(CPUState *env)
{
    if ((env->cr[0] & CR0_EM) || !(env->cr[4] & CR4_OSFXSR))
        raise_exception_noerr(env, EXCP_UD);
    if (env->cr[0] & CR0_TS)
        raise_exception_noerr(env, EXCP_NM);
}

uint32_t helper_simd(CPUState *env, uint32_t arg, uint32_t lin, uint32_t gpr)
{
    SimdOp op = (SimdOp)SIMD_ARG_OP(arg);
    const SimdOpInfo *oi = &simd_ops[op];
    unsigned dcls = SIMD_ARG_DCLS(arg), scls = SIMD_ARG_SCLS(arg);
    unsigned dreg = SIMD_ARG_DREG(arg), sreg = SIMD_ARG_SREG(arg), imm = SIMD_ARG_IMM(arg);
    bool dmem = SIMD_ARG_DMEM(arg), smem = SIMD_ARG_SMEM(arg);
    bool uses_mm = dcls == SC_MM || scls == SC_MM || op == SOP_EMMS;
    bool uses_xmm = dcls == SC_XMM || scls == SC_XMM || !oi->feat_mm;   /* LDMXCSR, CVTSD2SI r, m */
    bool xform = dcls == SC_XMM || scls == SC_XMM;
    int n = xform && op != SOP_MOVDQ2Q ? 16 : 8;
    int msz = (uses_xmm && op != SOP_MOVNTQ && op != SOP_MASKMOVQ) ? oi->msz_xmm : oi->msz_mm;
    XMMReg a, b, r;
    uint32_t g;

    /* 1. checks */
    if (env->cr[0] & CR0_EM)
        raise_exception_noerr(env, EXCP_UD);
    if (uses_xmm && !(env->cr[4] & CR4_OSFXSR))
        raise_exception_noerr(env, EXCP_UD);
    if (env->cr[0] & CR0_TS)
        raise_exception_noerr(env, EXCP_NM);
    if (uses_mm)
        fpu_check_pending(env);

    /* 2. memory operand */
    if (dmem || smem) {
        int seg = (int)SIMD_ARG_SEG(arg);
        if (msz == 0)                   /* a register-only form (not seen from Capstone) */
            raise_exception_noerr(env, EXCP_UD);
        if (seg_hf_class(env->hflags, seg) != SEG_CLS_FLAT)
            seg_check_access(env, seg, lin - env->seg[seg].base, msz, dmem);
        if (msz == 16 && !(oi->flags & (SOF_UNALIGNED | SOF_MASKMOV)) && (lin & 15))
            raise_exception(env, EXCP_GP, 0);
    }
    simd_get(env, dcls, dreg, gpr, &a);
    if (smem) {
        memset(&b, 0, sizeof b);
        simd_ld(env, lin, b.b, msz);
    } else if (scls == SC_NONE) {
        memset(&b, 0, sizeof b);
        b.q[0] = imm;                   /* shift counts of 0F 71-73 */
    } else {
        simd_get(env, scls, sreg, gpr, &b);
    }

    /* 3. the MMX transition */
    if (uses_mm && !(oi->flags & SOF_NO_MMX_TRANSITION))
        simd_mmx_transition(env);

    /* 4. special forms, then the operation */
    switch (op) {
    case SOP_EMMS:
        env->fpu_valid = 0;
        return 0;
    case SOP_LDMXCSR:
        simd_load_mxcsr(env, b.d[0]);
        return 0;
    case SOP_STMXCSR:
        memcpy(b.b, &env->fpu_mxcsr, 4);
        simd_st(env, lin, b.b, 4);
        return 0;
    case SOP_MASKMOVQ: case SOP_MASKMOVDQU:
        /* dst register = data, src register = mask, lin = DS:(E)DI */
        for (int i = 0; i < n; i++)
            if (b.b[i] & 0x80)
                cpu_st8(env, lin + i, a.b[i]);
        return 0;
    default:
        break;
    }
    memset(&r, 0, sizeof r);
    g = simd_exec(env, op, &r, &a, &b, n, imm, dmem, smem);

    /* 5. the destination */
    if (dmem) {
        int k = op == SOP_MOVSS || op == SOP_MOVD ? 4 : msz;
        simd_st(env, lin, r.b, k);
    } else if (dcls == SC_MM) {
        simd_set_mm(env, dreg, r.q[0]);
    } else if (dcls == SC_XMM) {
        env->xmm[dreg] = r;
    } else if (dcls == SC_GPR && (op == SOP_MOVD)) {
        g = r.d[0];
    }
    return g;
}
