/*
 * mmu.h - the software TLB and the slow path of guest memory accesses,
 * for any guest: linear address -> host memory or the physical map.
 *
 * The TLB (layout in mmu/tlb.h, design in docs/mmu.md) caches, per view
 * (kernel/user), linear page -> host page.  Guest code looks it up inline
 * (the guest's fast paths: x86's mem.h; the native backend emits the same
 * lookup); a miss calls the guest's slow-path entry points below,
 * which bind the guest (MMUContext: its TLB, memory map and MMUGuest
 * callbacks) and call tlb_ld_slow / tlb_st_slow here.  These translate
 * through the guest's walk (MMUGuest.translate, which raises the guest's
 * fault and does not return), fill the entry for RAM/ROM pages and do the
 * access; MMIO, unassigned pages, page-crossing accesses and stores to
 * pages holding translated code always take this way.
 *
 * Nothing here knows the guest's architecture: paging, faults, the CPU
 * state live with the guest (x86: paging.c in the x86 CPU folder).
 *
 *   MMUContext c = { &env->tlb, mem, &x86_mmu_guest, env, watching };
 *   uint32_t v = (uint32_t)tlb_ld_slow(&c, lin, 4, TLB_MMU_KERNEL);
 */
#ifndef TX86_MMU_H
#define TX86_MMU_H

#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "mmu/tlb.h"
#include "bus/memory.h"

struct CPUState;

/* the access a translation is for (MMUGuest.translate) */
enum {
    MMU_ACC_READ = 0,
    MMU_ACC_WRITE = 1,
    MMU_ACC_FETCH = 2,
    MMU_ACC_KERNEL = 4,     /* implicit supervisor access (descriptor tables) */
};

/* first physical address with no memory (PAE reaches 64 GiB): loads read
 * all ones, stores are dropped, nothing is cached */
#define MMU_PHYS_NONE UINT64_C(0x100000000)

/* what a successful translation found, for the TLB fill */
typedef struct MMUWalk {
    uint64_t pa;            /* physical address of the access */
    bool may_write;         /* stores of this view may use the entry (D already set) */
    uint8_t attr;           /* TLB_ATTR_GLOBAL / TLB_ATTR_LARGE */
} MMUWalk;

/* what the guest supplies (x86: its paging.c); cpu is MMUContext.cpu */
typedef struct MMUGuest {
    /* linear -> physical for a real access (acc: MMU_ACC_*, the view's
     * rights): fills *w, or raises the guest's fault and does not return */
    void (*translate)(void *cpu, GuestVirt lin, int acc, MMUWalk *w);
    /* MMUContext.watching only: keep this linear page out of the TLB */
    bool (*page_watched)(void *cpu, GuestVirt lin);
    /* MMUContext.watching only: before each slow-path access */
    void (*watch_access)(void *cpu, GuestVirt lin, uint32_t size, bool write);
    /* before an access reaches an MMIO page (NULL: nothing); may leave
     * through the guest's unwinding, as a fault does */
    void (*before_io)(void *cpu);
} MMUGuest;

typedef struct MMUContext {
    CPUTLB *tlb;
    PhysMem *mem;
    const MMUGuest *guest;
    void *cpu;
    bool watching;          /* data breakpoints/watchpoints are set */
} MMUContext;

/* the slow path (mmu.c): an access of size 1, 2, 4 or 8 bytes (the
 * value in the low bytes).  mode: TLB_MMU_KERNEL supervisor rights,
 * TLB_MMU_USER user rights.  A page-crossing access is split into bytes;
 * a page-crossing store translates both pages before it writes any byte,
 * so a fault leaves memory untouched.  8-byte MMIO accesses are two
 * 4-byte ones, low half first. */
uint64_t tlb_ld_slow(const MMUContext *c, GuestVirt lin, uint32_t size, int mode);
void     tlb_st_slow(const MMUContext *c, GuestVirt lin, uint64_t v, uint32_t size, int mode);

/* TLB maintenance (mmu.c); the guest's wrappers add its logging */
void tlb_flush_all(CPUTLB *tlb);                     /* everything, globals too */
void tlb_flush_nonglobal_entries(CPUTLB *tlb);       /* entries not marked GLOBAL */
/* one linear page in every view and the fetch TLB, globals too, and every
 * cached piece of a big page containing it (big_mask: ~(big page size - 1)) */
void tlb_flush_linear_page(CPUTLB *tlb, GuestVirt linear, uint32_t big_mask);
/* drop every write tag whose host page is host_page (a page now holding
 * code: stores must reach the code-write hook) */
void tlb_drop_host_page(CPUTLB *tlb, const uint8_t *host_page);

/*
 * The guest's slow-path entry points: native code and the interpreter
 * call these after an inline TLB miss (mode: the current privilege's
 * view).  Declared here so that their names and signatures stay one
 * contract; the guest defines them (x86: its paging.c).  They may
 * unwind with the guest's fault (siglongjmp): callers keep nothing in
 * caller-saved registers across the call.  The fixed-size forms take the
 * env as void *: they are the GuestDesc slow paths (translator/guest.h
 * GuestLoadFn ...) with exactly those types, no function-pointer casts.
 */
uint32_t mmu_ld_slow(struct CPUState *env, GuestVirt addr, uint32_t size, int mode);
void     mmu_st_slow(struct CPUState *env, GuestVirt addr, uint32_t v, uint32_t size, int mode);
uint32_t mmu_ld8_slow(void *env, GuestVirt addr);
uint32_t mmu_ld16_slow(void *env, GuestVirt addr);
uint32_t mmu_ld32_slow(void *env, GuestVirt addr);
uint64_t mmu_ld64_slow(void *env, GuestVirt addr);
void     mmu_st8_slow(void *env, GuestVirt addr, uint32_t v);
void     mmu_st16_slow(void *env, GuestVirt addr, uint32_t v);
void     mmu_st32_slow(void *env, GuestVirt addr, uint32_t v);
void     mmu_st64_slow(void *env, GuestVirt addr, uint64_t v);

#endif
