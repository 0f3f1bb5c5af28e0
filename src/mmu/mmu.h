/*
 * mmu.h - the CPU's view of memory: linear addresses to guest physical.
 *
 * Generated code accesses guest memory by linear address (segment base
 * already added) through cpu_ld* and cpu_st*.  Today linear == physical (with
 * the A20 mask) unless CR0.PG is set, in which case a two-level page walk
 * translates; the software TLB, the inline fast path and full protection
 * checks arrive with the system-CPU issue (see docs/mmu.md).  Faults raise
 * guest exceptions via raise_exception() and never return.
 *
 * Stores to pages holding translated code invalidate those blocks and set
 * env->code_dirty so the running block stops after the current instruction.
 */
#ifndef TX86_MMU_H
#define TX86_MMU_H

#include <stdint.h>
#include "cpu-x86/cpu.h"

uint32_t cpu_ld8(CPUState *env, uint32_t addr);
uint32_t cpu_ld16(CPUState *env, uint32_t addr);
uint32_t cpu_ld32(CPUState *env, uint32_t addr);
void     cpu_st8(CPUState *env, uint32_t addr, uint32_t v);
void     cpu_st16(CPUState *env, uint32_t addr, uint32_t v);
void     cpu_st32(CPUState *env, uint32_t addr, uint32_t v);

/* implicit supervisor accesses (descriptor tables, TSS): as cpu_ld32 /
 * cpu_st32 but with supervisor rights whatever the CPL */
uint32_t cpu_ld32_kernel(CPUState *env, uint32_t addr);
void     cpu_st32_kernel(CPUState *env, uint32_t addr, uint32_t v);

/* instruction fetch for the translator: physical address of a linear
 * code address (raises #PF like a fetch would), and a byte fetch */
uint32_t mmu_translate_code(CPUState *env, uint32_t linear);
/* translate without raising: false if not mapped (debugger, tests) */
bool     mmu_probe(CPUState *env, uint32_t linear, bool write, uint32_t *paddr);

#endif
