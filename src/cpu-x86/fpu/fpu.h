/*
 * fpu.h - the x87 FPU of the guest CPU: register stack, status/control/
 * tag words, exceptions and the environment/save-area formats (fpu.c),
 * and the instruction semantics the front end reaches through one helper
 * (helpers_fpu.c, emitters in gen_fpu.c).
 *
 * State lives in the x87 section of CPUState (cpu.h): eight physical
 * registers of Float80, TOP, the control word, the status word without
 * TOP, a "not empty" bit per physical register (the full tag word of
 * FNSTENV/FNSAVE is computed from the contents, as on a real x87), and
 * the last-instruction pointers FIP/FCS/FOP/FDP/FDS.  The arithmetic is
 * float80.c: portable, no host long double.
 *
 * Encoding of the x87 helper's first argument (X87_ARG): the 11-bit FOP
 * ((escape & 7) << 8 | ModRM), which is both the architectural opcode
 * register and the operation selector, the segment of the memory operand
 * and the operand size (environment formats).
 *
 *     fpu_reset(env, true);         // power-on state (cpu_reset)
 *     uint16_t sw = fpu_get_sw(env);
 */
#ifndef TX86_FPU_H
#define TX86_FPU_H

#include <stdint.h>
#include <stdbool.h>
#include "cpu-x86/cpu.h"

/* status word bits (besides the exception flags F80_IE..F80_PE) */
#define FSW_SF  0x0040u
#define FSW_ES  0x0080u
#define FSW_C0  0x0100u
#define FSW_C1  0x0200u
#define FSW_C2  0x0400u
#define FSW_TOP 0x3800u
#define FSW_C3  0x4000u
#define FSW_B   0x8000u
#define FSW_CC  (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_EXC 0x003fu   /* IE DE ZE OE UE PE */

/* control word: exception masks 0-5, PC 8-9, RC 10-11, IC 12 */
#define FCW_MASKS 0x003fu
#define FCW_WRITABLE 0x1f3fu   /* bit 6 reads as 1, bits 7, 13-15 as 0 */

/* X87_ARG fields */
#define X87_ARG(fop, seg, op32) \
    ((uint32_t)(fop) | ((uint32_t)(seg) << 12) | ((op32) ? 1u << 15 : 0u))
#define X87_ARG_FOP(a)  ((a) & 0x7ffu)
#define X87_ARG_SEG(a)  (((a) >> 12) & 7u)
#define X87_ARG_OP32(a) (((a) >> 15) & 1u)
/* what the emitter decided once from the FOP and the CPU model
 * (x87_classify), so helper_x87 does not decode it at every execution */
#define X87_ARG_UNDEF   (1u << 16)      /* #UD */
#define X87_ARG_NOWAIT  (1u << 17)      /* FNINIT FNCLEX FNSTSW ...: no pending-#MF check */
#define X87_ARG_CONTROL (1u << 18)      /* leaves FIP/FCS/FOP/FDP/FDS alone */

/* helpers_fpu.c: the X87_ARG_UNDEF/NOWAIT/CONTROL bits of fop on env's
 * CPU model (the model never changes while the machine runs) */
uint32_t x87_classify(const CPUState *env, unsigned fop);

/* fpu.c: state */
void     fpu_reset(CPUState *env, bool power_on);  /* RESET (FCW 0040) / FNINIT (037F) */
uint16_t fpu_get_sw(const CPUState *env);           /* with TOP */
void     fpu_set_sw(CPUState *env, uint16_t sw);    /* ES and B follow the masks */
uint16_t fpu_get_tw(const CPUState *env);           /* full 2-bit tag word */
void     fpu_set_tw(CPUState *env, uint16_t tw);    /* only "empty" is kept */
void     fpu_set_cw(CPUState *env, uint16_t cw);    /* ES and B follow the masks */
void     fpu_update_es(CPUState *env);              /* ES/B := unmasked flag pending */
/* exceptions raised by an operation: flags ORed into the status word, ES */
void     fpu_raise(CPUState *env, uint16_t flags);

/* fpu.c: the checks in front of every x87 instruction: #NM for CR0.EM /
 * CR0.TS, then (if `wait`, i.e. not FNINIT/FNCLEX/FNSTSW/FNSTCW/FNSTENV/
 * FNSAVE) a pending unmasked exception: #MF with CR0.NE, else FERR# */
void     fpu_check_nm(CPUState *env);
void     fpu_check_pending(CPUState *env);
void     fpu_set_ferr(CPUState *env, bool level);

/* fpu.c: environment and save areas (checks done by the caller); lin is
 * the linear address, op32 the operand size.  Stores go to memory before
 * any FPU state changes, loads read everything before committing. */
void     fpu_fnstenv(CPUState *env, uint32_t lin, bool op32);
void     fpu_fldenv(CPUState *env, uint32_t lin, bool op32);
void     fpu_fnsave(CPUState *env, uint32_t lin, bool op32);
void     fpu_frstor(CPUState *env, uint32_t lin, bool op32);
void     fpu_fxsave(CPUState *env, uint32_t lin);
void     fpu_fxrstor(CPUState *env, uint32_t lin);

/* 80-bit memory access (little endian, 10 bytes) */
Float80  fpu_ld80(CPUState *env, uint32_t lin);
void     fpu_st80(CPUState *env, uint32_t lin, Float80 v);

#endif
