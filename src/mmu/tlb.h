/*
 * tlb.h - the software TLB: layout shared by the C fast path (mmu.h), the
 * slow path that fills it (mmu.c) and the native code generator, which
 * emits the same lookup inline (translator/x86_64/codegen.c).
 *
 * Direct mapped, TLB_SIZE entries per MMU mode; two modes (views):
 * TLB_MMU_KERNEL (CPL 0-2 and implicit supervisor accesses) and
 * TLB_MMU_USER (CPL 3), because a page's rights differ between them.
 * The entry for linear address `a` is table[mode][(a >> 12) & (TLB_SIZE-1)].
 *
 * Entry layout (16 bytes, checked below; codegen hard-codes the offsets):
 *
 *   +0  GuestVirt addr_read  tag for loads:  (linear page) | 0xfff, or 0
 *   +4  GuestVirt addr_write tag for stores: (linear page) | 0xfff, or 0
 *   +8  uintptr_t addend     host address of the page minus its linear address
 *
 * A tag is the page address with the 12 offset bits set, so an all-zero
 * entry (a freshly zeroed CPUState) is invalid; TLB_INVALID (0) marks an
 * access kind that must take the slow path.  Lookup of an access of `size`
 * bytes at `a`:
 *
 *   tag = (a + size - 1) | 0xfff;          // last byte's page, low bits set
 *   e   = &table[mode][(a >> 12) & 255];   // first byte's entry
 *   hit = e->addr_read == tag;             // same page for first and last byte
 *   host = (uint8_t *)(e->addend + a);
 *
 * An access that crosses a page compares the next page's tag with the
 * entry of the first page, which never holds it: page-crossing accesses
 * always miss and the slow path splits them.
 *
 * What gets an entry (mmu.c, mmu_tlb_fill): RAM pages read and write,
 * ROM pages read only, MMIO, unassigned and above-4-GiB (PAE) pages never;
 * with paging on, the write tag only when a store of that view is allowed
 * by the paging entries and the final entry's D bit is set (by this access
 * or an earlier one), so a tag hit never skips an A/D update.  A physical
 * page that holds translated code never has a write tag (stores must
 * reach the code-write hook): tlb_drop_code_page() removes them when the
 * translator marks a page.  4 MiB and 2 MiB pages are cached as 4 KiB
 * entries marked TLB_ATTR_LARGE (INVLPG anywhere in the big page drops
 * them all); entries of global pages (CR4.PGE and G) are marked
 * TLB_ATTR_GLOBAL and survive CR3 loads.  Flushes: docs/mmu.md.
 *
 * Everything after `table` (attributes, the instruction-fetch TLB the
 * dispatcher uses, counters) is read by mmu.c only, never by generated code.
 */
#ifndef TX86_TLB_H
#define TX86_TLB_H

#include <stdint.h>
#include <assert.h>
#include <stddef.h>
#include <string.h>
#include <stdbool.h>
#include "bus/addr.h"

#define TLB_BITS      8
#define TLB_SIZE      (1u << TLB_BITS)
#define TLB_INVALID   0u
#define TLB_PAGE_LOW  0xfffu          /* low bits set in every valid tag */

enum { TLB_MMU_KERNEL = 0, TLB_MMU_USER = 1, TLB_NB_MODES = 2 };

typedef struct CPUTLBEntry {
    GuestVirt addr_read;              /* page | 0xfff if loads may use addend, else 0 */
    GuestVirt addr_write;             /* page | 0xfff if stores may use addend, else 0 */
    uintptr_t addend;                 /* host page pointer - linear page address */
#if UINTPTR_MAX == UINT32_MAX
    uint32_t pad;                     /* 32-bit hosts: keep 16 bytes */
#endif
} CPUTLBEntry;

static_assert(sizeof(GuestVirt) == 4, "codegen compares 32-bit tags (widening GuestVirt changes the layout)");
static_assert(sizeof(CPUTLBEntry) == 16, "CPUTLBEntry must be 16 bytes (codegen)");
static_assert(offsetof(CPUTLBEntry, addr_read) == 0, "codegen: addr_read at +0");
static_assert(offsetof(CPUTLBEntry, addr_write) == 4, "codegen: addr_write at +4");
static_assert(offsetof(CPUTLBEntry, addend) == 8, "codegen: addend at +8");

/* instruction-fetch TLB (mmu_translate_code, used by the block lookup):
 * linear page -> physical page with the fetch rights of the view checked */
#define TLB_CODE_BITS 6
#define TLB_CODE_SIZE (1u << TLB_CODE_BITS)

typedef struct CPUTLBCodeEntry {
    GuestVirt tag;                    /* linear page | 0xfff, or 0 */
    GuestPhys phys;                   /* physical page address */
} CPUTLBCodeEntry;

/* attributes of an entry (CPUTLB.attr / code_attr), for flushes only */
#define TLB_ATTR_GLOBAL 0x01u         /* global page: kept by CR3 loads */
#define TLB_ATTR_LARGE  0x02u         /* part of a 4 MiB / 2 MiB page */

/* cheap counters: one increment per slow-path event, never on a hit */
typedef struct TLBStats {
    uint64_t misses;                  /* slow-path accesses (inline lookup failed) */
    uint64_t walks;                   /* page walks done (data and fetch) */
    uint64_t code_misses;             /* fetch TLB misses (walks for tb_find) */
    uint64_t flushes;                 /* full flushes (CR3 keeps globals: counted) */
    uint64_t page_flushes;            /* INVLPG */
    uint64_t victim_hits;             /* misses served by the victim entries */
} TLBStats;

/* victim entries: what a fill evicted from the direct-mapped table, per
 * view, replaced round robin.  A miss looks here before it walks and swaps
 * a matching entry back into the table, so two pages that share an index
 * (a copy whose source and destination are a multiple of TLB_SIZE pages
 * apart) do not walk on every access. */
#define TLB_VICTIM 8

typedef struct CPUTLB {
    CPUTLBEntry table[TLB_NB_MODES][TLB_SIZE];   /* codegen reads this, keep first */
    CPUTLBCodeEntry code[TLB_NB_MODES][TLB_CODE_SIZE];
    CPUTLBEntry victim[TLB_NB_MODES][TLB_VICTIM];
    uint8_t victim_attr[TLB_NB_MODES][TLB_VICTIM];
    uint8_t victim_next[TLB_NB_MODES];
    uint8_t attr[TLB_NB_MODES][TLB_SIZE];        /* TLB_ATTR_* of table entries */
    uint8_t code_attr[TLB_NB_MODES][TLB_CODE_SIZE];
    uint32_t n_global;                /* entries filled with GLOBAL since the last full flush */
    uint32_t n_large;                 /* entries filled with LARGE since the last full flush */
    uint32_t large_map[1024 / 32];    /* 4 MiB linear regions that had a LARGE entry
                                         filled since the last full flush (a 2 MiB
                                         page marks its 4 MiB region): an INVLPG
                                         elsewhere drops one page, not every piece */
    TLBStats stats;
} CPUTLB;

/* note a LARGE entry filled for linear (mmu_fill's callers) */
static inline void tlb_note_large(CPUTLB *tlb, GuestVirt linear)
{
    tlb->n_large++;
    tlb->large_map[((linear >> 22) & 1023) / 32] |= 1u << ((linear >> 22) % 32);
}

/* may the TLB hold pieces of a big page that covers linear */
static inline bool tlb_large_at(const CPUTLB *tlb, GuestVirt linear)
{
    return tlb->n_large &&
           (tlb->large_map[((linear >> 22) & 1023) / 32] &
            (1u << ((linear >> 22) % 32)));
}

static_assert(offsetof(CPUTLB, table) == 0, "codegen: the entry table starts CPUTLB");

/* the victim entry holding linear page `page` (page | 0xfff) for loads
 * (write false) or stores, or NULL: a probe, nothing moves */
static inline CPUTLBEntry *tlb_victim_find(CPUTLB *tlb, int mode, GuestVirt tag, bool write)
{
    for (int i = 0; i < TLB_VICTIM; i++) {
        CPUTLBEntry *v = &tlb->victim[mode][i];
        if ((write ? v->addr_write : v->addr_read) == tag)
            return v;
    }
    return NULL;
}

/* byte offset of the entry for `addr` inside one mode's table */
static inline uint32_t tlb_entry_offset(GuestVirt addr)
{
    return (addr >> (12 - 4)) & ((TLB_SIZE - 1) << 4);
}

/* tag that a `size`-byte access at addr must match */
static inline GuestVirt tlb_tag(GuestVirt addr, uint32_t size)
{
    return (addr + size - 1) | TLB_PAGE_LOW;
}

/* the same for an access that must also be aligned to `align` bytes (a
 * power of two, at most size): the last byte's address keeps its low
 * log2(align) bits out of the OR, and they are all ones exactly when addr
 * is aligned, so a misaligned access never equals a tag (whose 12 low
 * bits are set) and misses.  An aligned access never crosses a page.
 * align 1 is tlb_tag. */
static inline GuestVirt tlb_tag_aligned(GuestVirt addr, uint32_t size, uint32_t align)
{
    return (addr + size - 1) | (TLB_PAGE_LOW & ~(align - 1));
}

/* a 1-, 2- or 4-byte little-endian access to the host memory an entry
 * maps (e->addend + addr), once the tag matched: every C fast path
 * (cpu-x86/mem.h, the interpreter) */
static inline uint32_t tlb_host_ld(uintptr_t host, uint32_t size)
{
    const uint8_t *h = (const uint8_t *)host;
    if (size == 1)
        return *h;
    if (size == 2) {
        uint16_t v;
        memcpy(&v, h, 2);
        return v;
    }
    uint32_t v;
    memcpy(&v, h, 4);
    return v;
}

static inline void tlb_host_st(uintptr_t host, uint32_t v, uint32_t size)
{
    uint8_t *h = (uint8_t *)host;
    if (size == 1) {
        *h = (uint8_t)v;
    } else if (size == 2) {
        uint16_t w = (uint16_t)v;
        memcpy(h, &w, 2);
    } else {
        memcpy(h, &v, 4);
    }
}

/* the 8-byte forms (64-bit IR loads and stores: the interpreter) */
static inline uint64_t tlb_host_ld64(uintptr_t host)
{
    uint64_t v;
    memcpy(&v, (const void *)host, 8);
    return v;
}

static inline void tlb_host_st64(uintptr_t host, uint64_t v)
{
    memcpy((void *)host, &v, 8);
}

#endif
