/*
 * xmm.h - the 128-bit SSE register value (XMMReg), shared by the CPU state
 * (cpu.h), the SIMD helpers and the SSE floating-point core (sse_fp.h).
 *
 * Lanes are little-endian as in the guest: lane 0 of every view is bits
 * 0.. of the register.  tx86 only builds on little-endian hosts today;
 * a big-endian host (issue "Any host") must swap lanes in these views.
 */
#ifndef TX86_SSE_XMM_H
#define TX86_SSE_XMM_H

#include <stdint.h>

typedef union XMMReg {
    uint8_t  b[16];
    uint16_t w[8];
    uint32_t d[4];     /* also the bits of four binary32 values */
    uint64_t q[2];     /* also the bits of two binary64 values */
} __attribute__((aligned(16))) XMMReg;

/* MXCSR (SDM Vol. 1, 10.2.3) */
enum {
    MXCSR_IE = 1 << 0, MXCSR_DE = 1 << 1, MXCSR_ZE = 1 << 2,
    MXCSR_OE = 1 << 3, MXCSR_UE = 1 << 4, MXCSR_PE = 1 << 5,
    MXCSR_FLAGS = 0x3f,
    MXCSR_DAZ = 1 << 6,
    MXCSR_MASK_SHIFT = 7,           /* IM..PM: bits 7-12, same order as flags */
    MXCSR_RC_SHIFT = 13,            /* 00 nearest, 01 down, 10 up, 11 toward zero */
    MXCSR_FZ = 1 << 15,
    MXCSR_DEFAULT = 0x1f80,
};

#endif
