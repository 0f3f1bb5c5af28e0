/*
 * mem.h - the x86 CPU's view of memory: linear addresses to guest
 * physical (fast paths inline here, slow paths and paging in paging.c).
 *
 * Generated code and helpers access guest memory by linear address
 * (segment base already added) through cpu_ld* and cpu_st*.  Each is an
 * inline software-TLB lookup (layout in mmu/tlb.h, design in docs/mmu.md):
 * on a hit the access goes straight to host memory; on a miss the slow
 * path (mmu_ld_slow / mmu_st_slow, paging.c -> the neutral TLB code in
 * mmu/mmu.c) translates (paging: 32-bit with 4 KiB/4 MiB pages or PAE
 * with 4 KiB/2 MiB pages and NX, #PF; A20 mask), fills the entry for
 * RAM/ROM pages and does the access.  Faults raise guest exceptions via
 * raise_exception() and never return.
 *
 * Stores to pages holding translated code invalidate those blocks and set
 * env->code_dirty so the running block stops after the current instruction.
 *
 * cpu.h includes this file at its end (every user of CPUState gets the
 * accessors).
 *
 *   uint32_t v = cpu_ld32(env, env->seg[R_DS].base + off);
 */
#ifndef TX86_CPU_MEM_H
#define TX86_CPU_MEM_H

#include <stdint.h>
#include <string.h>
#include "cpu-x86/cpu.h"
#include "mmu/tlb.h"
#include "mmu/mmu.h"

/* the TLB view an ordinary access of the current CPL uses */
static inline int mmu_mode(const CPUState *env)
{
    return (env->hflags & HF_CPL_MASK) == HF_CPL_MASK ? TLB_MMU_USER : TLB_MMU_KERNEL;
}

static inline CPUTLBEntry *tlb_entry(CPUState *env, int mode, uint32_t addr)
{
    return (CPUTLBEntry *)((uint8_t *)env->tlb.table[mode] + tlb_entry_offset(addr));
}

/* mmu_ld_slow / mmu_st_slow and the fixed-size forms: mmu/mmu.h (the
 * names are the backends' contract), defined in paging.c */

static inline uint32_t mmu_ld_fast(CPUState *env, uint32_t addr, uint32_t size, int mode)
{
    CPUTLBEntry *e = tlb_entry(env, mode, addr);

    if (__builtin_expect(e->addr_read == tlb_tag(addr, size), 1))
        return tlb_host_ld(e->addend + addr, size);
    return mmu_ld_slow(env, addr, size, mode);
}

static inline void mmu_st_fast(CPUState *env, uint32_t addr, uint32_t v, uint32_t size,
                               int mode)
{
    CPUTLBEntry *e = tlb_entry(env, mode, addr);

    if (__builtin_expect(e->addr_write == tlb_tag(addr, size), 1)) {
        tlb_host_st(e->addend + addr, v, size);
        return;
    }
    mmu_st_slow(env, addr, v, size, mode);
}

static inline uint32_t cpu_ld8(CPUState *env, uint32_t addr)
{
    return mmu_ld_fast(env, addr, 1, mmu_mode(env));
}
static inline uint32_t cpu_ld16(CPUState *env, uint32_t addr)
{
    return mmu_ld_fast(env, addr, 2, mmu_mode(env));
}
static inline uint32_t cpu_ld32(CPUState *env, uint32_t addr)
{
    return mmu_ld_fast(env, addr, 4, mmu_mode(env));
}
static inline void cpu_st8(CPUState *env, uint32_t addr, uint32_t v)
{
    mmu_st_fast(env, addr, v, 1, mmu_mode(env));
}
static inline void cpu_st16(CPUState *env, uint32_t addr, uint32_t v)
{
    mmu_st_fast(env, addr, v, 2, mmu_mode(env));
}
static inline void cpu_st32(CPUState *env, uint32_t addr, uint32_t v)
{
    mmu_st_fast(env, addr, v, 4, mmu_mode(env));
}

/* implicit supervisor accesses (descriptor tables, TSS): as cpu_ld32 /
 * cpu_st32 but with supervisor rights whatever the CPL */
static inline uint32_t cpu_ld32_kernel(CPUState *env, uint32_t addr)
{
    return mmu_ld_fast(env, addr, 4, TLB_MMU_KERNEL);
}
static inline void cpu_st32_kernel(CPUState *env, uint32_t addr, uint32_t v)
{
    mmu_st_fast(env, addr, v, 4, TLB_MMU_KERNEL);
}

/* instruction fetch for the translator: physical address of a linear
 * code address with the fetch rules (U/S, NX; raises #PF like a fetch
 * would, #UD for code above 4 GiB, which reads as all ones).  Cached in a
 * small fetch TLB flushed together with the data TLB.  With the next one
 * the GuestDesc's code_phys / probe_code (guest.c): env is the CPUState,
 * the types exactly the callbacks'. */
GuestPhys mmu_translate_code(void *env, GuestVirt linear);
/* the same without raising (and without setting A bits): false if a fetch
 * from `linear` would fault; used for the second page of a block */
bool     mmu_probe_code(void *env, GuestVirt linear, GuestPhys *paddr);
/* translate a data access without raising or setting A/D bits: false if
 * not mapped or not allowed with the current CPL (debugger, tests) */
bool     mmu_probe(CPUState *env, GuestVirt linear, bool write, GuestPhys *paddr);

/* TLB maintenance (paging.c, over mmu.c's; -d mmu logs them) */
void tlb_flush(CPUState *env);                      /* everything, globals too */
void tlb_flush_nonglobal(CPUState *env);            /* CR3 load, task switch */
void tlb_flush_page(CPUState *env, uint32_t linear);  /* INVLPG: both modes */
/* the translator marks a physical page as holding code: drop every write
 * tag that reaches its host memory (host_page = PhysPage.host), so stores
 * take the slow path and its code-write hook */
void tlb_drop_code_page(CPUState *env, const uint8_t *host_page);
/* a MemMapListener (bus/memory.h) with opaque = the CPUState: flushes
 * the TLB; the board registers it (machine.c) */
void tlb_memmap_changed(void *opaque, uint32_t base, uint32_t size);

/*
 * Control-register hooks (helpers_sys.c, task switch).  Both may raise
 * #GP(0) before anything changed, so call them after the caller's own
 * checks and just before committing:
 *   mmu_set_cr3        MOV CR3 / task switch: loads the PAE PDPTEs when PAE
 *                      paging is on (reserved bit -> #GP(0)), sets CR3,
 *                      flushes all but global entries
 *   mmu_update_paging  MOV CR0 / LMSW / MOV CR4 with the new CR0 and CR4:
 *                      loads the PDPTEs when PAE paging results and PG,
 *                      CD, NW, PAE, PGE or PSE change; flushes everything
 *                      when PE, PG, WP, PSE, PAE or PGE change.  The caller
 *                      then stores the values.
 * An EFER.NXE change (WRMSR) calls tlb_flush.
 */
void mmu_set_cr3(CPUState *env, uint32_t cr3);
void mmu_update_paging(CPUState *env, uint32_t new_cr0, uint32_t new_cr4);

#endif
