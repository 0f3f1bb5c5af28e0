/*
 * sse_fp.h - the SSE/SSE2/SSE3 floating-point core (sse_fp.c): every
 * binary32/binary64 operation of those extensions in portable soft-float,
 * bit-exact to Intel hardware (results and MXCSR flags) under every
 * rounding mode, FTZ and DAZ.  Pure: no CPUState, no host floating point.
 *
 * One entry point computes one instruction on register values:
 *
 *   XMMReg r;
 *   uint32_t fl = sse_fp_exec(SSEFP_ADDPS, &r, &xmm_dst, &xmm_src, 0, mxcsr);
 *   if (fl & ~(mxcsr >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS) {
 *       mxcsr |= fl;  raise #XM (or #UD if CR4.OSXMMEXCPT = 0); dst unchanged
 *   } else {
 *       mxcsr |= fl;  xmm_dst = r;
 *   }
 *
 * The returned flags are exactly what the hardware leaves in MXCSR: when a
 * pre-computation exception (IE, DE, ZE) of any lane is unmasked only those
 * flags are returned (SDM Vol. 1, 11.5.1); otherwise the pre- and
 * post-computation (OE, UE, PE) flags of all lanes.  docs/sse.md.
 */
#ifndef TX86_SSE_FP_H
#define TX86_SSE_FP_H

#include <stdint.h>
#include "cpu-x86/sse/xmm.h"

/* X(name): a = destination (first source), b = second source.  Scalar
 * forms and CVTPI2PS/CVTSI2Sx/CVTSx2Sx copy a's other lanes; the
 * destination-is-integer forms return the integer in out->d[0] (out->q[0]
 * for the ...64 forms, out->d[0..1] for the MMX ...PI forms) with the rest
 * of out zeroed; COMIS and UCOMIS return EFLAGS ZF|PF|CF in out->d[0].
 * CMPxx take the predicate 0-7 in imm (SDM CMPPS). */
#define SSEFP_OPS(X) \
    X(ADDPS) X(ADDSS) X(ADDPD) X(ADDSD) \
    X(SUBPS) X(SUBSS) X(SUBPD) X(SUBSD) \
    X(MULPS) X(MULSS) X(MULPD) X(MULSD) \
    X(DIVPS) X(DIVSS) X(DIVPD) X(DIVSD) \
    X(MINPS) X(MINSS) X(MINPD) X(MINSD) \
    X(MAXPS) X(MAXSS) X(MAXPD) X(MAXSD) \
    X(SQRTPS) X(SQRTSS) X(SQRTPD) X(SQRTSD) \
    X(CMPPS) X(CMPSS) X(CMPPD) X(CMPSD) \
    X(COMISS) X(UCOMISS) X(COMISD) X(UCOMISD) \
    X(RCPPS) X(RCPSS) X(RSQRTPS) X(RSQRTSS) \
    X(ADDSUBPS) X(ADDSUBPD) X(HADDPS) X(HADDPD) X(HSUBPS) X(HSUBPD) \
    X(CVTSI2SS) X(CVTSI2SD) X(CVTSI642SS) X(CVTSI642SD) \
    X(CVTSS2SI) X(CVTTSS2SI) X(CVTSS2SI64) X(CVTTSS2SI64) \
    X(CVTSD2SI) X(CVTTSD2SI) X(CVTSD2SI64) X(CVTTSD2SI64) \
    X(CVTPS2DQ) X(CVTTPS2DQ) X(CVTDQ2PS) \
    X(CVTPD2DQ) X(CVTTPD2DQ) X(CVTDQ2PD) \
    X(CVTPS2PD) X(CVTPD2PS) X(CVTSS2SD) X(CVTSD2SS) \
    X(CVTPI2PS) X(CVTPS2PI) X(CVTTPS2PI) \
    X(CVTPI2PD) X(CVTPD2PI) X(CVTTPD2PI)

typedef enum SSEFpOp {
#define SSEFP_ENUM(n) SSEFP_##n,
    SSEFP_OPS(SSEFP_ENUM)
#undef SSEFP_ENUM
    SSEFP_COUNT
} SSEFpOp;

/* EFLAGS bits returned by COMIS/UCOMIS */
enum { SSEFP_CF = 1 << 0, SSEFP_PF = 1 << 2, SSEFP_ZF = 1 << 6 };

/* Compute op(a, b) under mxcsr's RC, FTZ, DAZ and exception masks into
 * *out; returns the MXCSR flags (bits 0-5) the hardware sets (see the top
 * of the file for the unmasked case).  out may alias a or b. */
uint32_t sse_fp_exec(SSEFpOp op, XMMReg *out, const XMMReg *a, const XMMReg *b,
                     uint32_t imm, uint32_t mxcsr);
const char *sse_fp_name(SSEFpOp op);   /* "ADDPS" */

#endif
