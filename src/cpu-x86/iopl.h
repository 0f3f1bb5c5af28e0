/*
 * iopl.h - I/O privilege: IOPL and the TSS I/O permission bitmap for
 * IN/OUT/INS/OUTS, and the IOPL (and VME/PVI) rules of CLI and STI
 * (iopl.c; SDM vol. 1 ch. 19.5 "Protected-mode I/O", vol. 3 ch. 20.4).
 *
 *     iopl_check_io(env, port, size);   // before the port access; may #GP(0)
 */
#ifndef TX86_IOPL_H
#define TX86_IOPL_H

#include <stdint.h>
#include "cpu-x86/cpu.h"

/* CR4 bits used here and in v86.c */
#define CR4_VME 0x00000001u
#define CR4_PVI 0x00000002u

static inline uint32_t iopl_level(const CPUState *env)
{
    return (env->eflags & IOPL_MASK) >> 12;
}

/* may the current code access size bytes at port?  Protected mode with
 * CPL > IOPL and virtual-8086 mode consult the bitmap; #GP(0) if not */
void iopl_check_io(CPUState *env, uint32_t port, int size);

/* CLI and STI with the IOPL, VME (virtual-8086) and PVI (CPL 3) rules */
void iopl_cli(CPUState *env);
void iopl_sti(CPUState *env);

#endif
