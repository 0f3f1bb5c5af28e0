/*
 * cpu_internal.h - functions shared by the CPU core's own files (excp.c,
 * exec.c, the helpers_*.c, farctl.c, intr_pm.c, iopl.c, msr.c, seg.c,
 * task.c, v86.c, debug.c ...); not for the front end or devices.
 *
 * Segment descriptors and loads are in seg.h, and so are the stack
 * accesses of helpers: a SegStack (seg_stack_cur) works on a private copy
 * of ESP with every access limit-checked (#SS), so that a fault half-way
 * leaves the guest ESP unchanged; seg_stack_commit() writes it back.
 */
#ifndef TX86_CPU_INTERNAL_H
#define TX86_CPU_INTERNAL_H

#include "cpu-x86/cpu.h"
#include "cpu-x86/mem.h"

/* descriptor dword 2 bits */
#define DESC_A_BIT    (1u << 8)
#define DESC_RW_BIT   (1u << 9)     /* data: writable; code: readable */
#define DESC_CE_BIT   (1u << 10)    /* code: conforming; data: expand-down */
#define DESC_CODE_BIT (1u << 11)

/* cpu_do_interrupt() with is_hw: a hardware interrupt (exec.c) */
void excp_deliver(CPUState *env, int vector, bool is_sw, bool is_hw, bool has_error,
                  uint32_t error_code, uint32_t next_eip);

/* INT1 and other events that always go through the IDT (excp.c) */
void excp_soft_int(CPUState *env, int vector, bool is_sw, uint32_t next_eip);

/* descriptor reads and segment loads: seg.h (seg.c); far transfers:
 * farctl.c; protected-mode interrupt delivery: intr_pm.c */
/* deliver vector through the IDT (intr_pm.c; called by excp_deliver) */
void intr_pm_deliver(CPUState *env, int vector, bool is_sw, bool is_hw, bool has_error,
                     uint32_t error_code, uint32_t next_eip);

/* port access permission (helpers_sys.c -> iopl_check_io: CPL <= IOPL, else the TSS I/O bitmap) */
void cpu_check_io(CPUState *env, uint32_t port, int size);

/* write the low size bytes of GPR n (size 1 means AL..BL only) */
static inline void cpu_set_reg(CPUState *env, int n, int size, uint32_t v)
{
    if (size == 4)
        env->regs[n] = v;
    else if (size == 2)
        env->regs[n] = (env->regs[n] & 0xffff0000u) | (v & 0xffff);
    else
        env->regs[n] = (env->regs[n] & 0xffffff00u) | (v & 0xff);
}

#endif
