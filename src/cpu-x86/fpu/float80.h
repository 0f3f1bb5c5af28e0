/*
 * float80.h - portable x87 extended-precision arithmetic (float80.c).
 *
 * The x87 FPU (fpu.c) computes with this software implementation only:
 * nothing relies on the host's long double, so results are the same on
 * every host (an aarch64 host included) and exact to the bit against a
 * real x87 for the basic operations (+ - * / sqrt, conversions, rounding,
 * remainders, scale/extract, comparisons).
 *
 * Values are the 80-bit format: sign, 15-bit biased exponent, 64-bit
 * significand with an explicit integer bit.  Every operation takes the
 * control state (rounding, precision control) and ORs the x87 exception
 * flags it raises into st->flags; masked responses (default NaN, infinity,
 * denormal results...) are produced here, unmasked ones are the FPU's job.
 * With OE or UE unmasked in st->mask the arithmetic functions return the
 * bias-adjusted (exponent -+ 24576) result the x87 writes to a register;
 * with IE/ZE/DE unmasked the FPU must not write the result.  docs/x87.md.
 */
#ifndef TX86_FLOAT80_H
#define TX86_FLOAT80_H

#include <stdint.h>
#include <stdbool.h>

typedef struct Float80 {
    uint64_t mant;      /* significand, bit 63 = explicit integer bit */
    uint16_t se;        /* bit 15 = sign, bits 0-14 = biased exponent (bias 16383) */
} Float80;

/* x87 status-word exception bits */
enum {
    F80_IE = 1 << 0,    /* invalid operation */
    F80_DE = 1 << 1,    /* denormal operand */
    F80_ZE = 1 << 2,    /* zero divide */
    F80_OE = 1 << 3,    /* overflow */
    F80_UE = 1 << 4,    /* underflow */
    F80_PE = 1 << 5,    /* precision (inexact) */
    F80_SF = 1 << 6,    /* stack fault (set by the FPU, not here) */
    F80_C1 = 1 << 9,    /* condition bit C1: rounded up (set by rounding) */
};

enum { F80_RN = 0, F80_RD = 1, F80_RU = 2, F80_RZ = 3 };      /* RC field */
enum { F80_PC24 = 0, F80_PC53 = 2, F80_PC64 = 3 };            /* PC field */

typedef struct F80Status {
    uint8_t rc;         /* rounding control F80_R* */
    uint8_t pc;         /* precision control F80_PC* */
    uint16_t mask;      /* exception mask bits from the control word (F80_IE..F80_PE) */
    uint16_t flags;     /* exceptions raised (ORed in) */
} F80Status;

/* comparison result */
enum { F80_LT = 0, F80_EQ = 1, F80_GT = 2, F80_UNORD = 3 };

Float80 f80_add(Float80 a, Float80 b, F80Status *st);
Float80 f80_sub(Float80 a, Float80 b, F80Status *st);
Float80 f80_mul(Float80 a, Float80 b, F80Status *st);
Float80 f80_div(Float80 a, Float80 b, F80Status *st);
Float80 f80_sqrt(Float80 a, F80Status *st);
Float80 f80_round_int(Float80 a, F80Status *st);           /* FRNDINT */
Float80 f80_scale(Float80 a, Float80 b, F80Status *st);     /* FSCALE */
void    f80_xtract(Float80 a, Float80 *exp, Float80 *sig, F80Status *st);
/* FPREM (ieee=false) / FPREM1 (ieee=true): partial remainder; *quot gets
 * the low three quotient bits, *partial is set when the reduction is
 * incomplete (C2) */
Float80 f80_rem(Float80 a, Float80 b, bool ieee, unsigned *quot, bool *partial,
                F80Status *st);
int     f80_compare(Float80 a, Float80 b, bool quiet, F80Status *st);  /* F80_LT.. */

/* conversions (integers round per st->rc; out of range: IE, indefinite) */
Float80 f80_from_i64(int64_t v);
int64_t f80_to_i64(Float80 a, int bits, bool truncate, F80Status *st); /* bits 16/32/64 */
Float80 f80_from_f32(uint32_t v, F80Status *st);
Float80 f80_from_f64(uint64_t v, F80Status *st);
uint32_t f80_to_f32(Float80 a, F80Status *st);
uint64_t f80_to_f64(Float80 a, F80Status *st);
Float80 f80_from_bcd(const uint8_t bcd[10]);
void    f80_to_bcd(Float80 a, uint8_t bcd[10], F80Status *st);
/* round a result to the precision control (called by the arithmetic
 * functions; exposed for FLD of constants) */
Float80 f80_round_pc(Float80 a, F80Status *st);

/* transcendental functions (as exact as documented in docs/x87.md) */
Float80 f80_f2xm1(Float80 a, F80Status *st);
Float80 f80_fyl2x(Float80 x, Float80 y, F80Status *st);     /* y * log2(x) */
Float80 f80_fyl2xp1(Float80 x, Float80 y, F80Status *st);   /* y * log2(x + 1) */
/* FPTAN, FSIN, FCOS, FSINCOS: false (C2 set by the FPU) when |a| >= 2^63 */
bool    f80_sincos(Float80 a, Float80 *sin, Float80 *cos, F80Status *st);
bool    f80_tan(Float80 a, Float80 *tan, F80Status *st);
Float80 f80_atan2(Float80 y, Float80 x, F80Status *st);     /* FPATAN: atan(y/x) */

/* constants of FLD1/FLDL2T/FLDL2E/FLDPI/FLDLG2/FLDLN2/FLDZ, rounded per rc */
typedef enum { F80K_ONE, F80K_L2T, F80K_L2E, F80K_PI, F80K_LG2, F80K_LN2, F80K_ZERO } F80Const;
Float80 f80_const(F80Const k, int rc);

/* classification (FXAM / tag word) */
bool f80_is_nan(Float80 a);
bool f80_is_snan(Float80 a);
bool f80_is_inf(Float80 a);
bool f80_is_zero(Float80 a);
bool f80_is_denormal(Float80 a);     /* exponent 0, significand != 0 (pseudo-denormals too) */
bool f80_is_unsupported(Float80 a);  /* pseudo-NaN/-inf, unnormal (pseudo-denormals are
                                      * valid denormal operands since the 387) */
Float80 f80_default_nan(void);       /* the "real indefinite" */

#endif
