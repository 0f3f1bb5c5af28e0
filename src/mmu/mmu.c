/*
 * mmu.c - the software TLB's slow path and maintenance, for any guest
 * (see mmu.h; layout: mmu/tlb.h; design: docs/mmu.md).
 *
 * A miss of the inline lookup lands in the guest's entry point, which
 * calls tlb_ld_slow / tlb_st_slow with its MMUContext:
 *
 *   linear --(MMUGuest.translate: the guest's walk, faults)--> physical
 *          --> RAM/ROM page: fill the TLB entry, access host memory
 *              MMIO / unassigned / code page store: physmem_*()
 *
 * Fill rules: RAM gets a read tag, and a write tag when the walk allows
 * stores without further bookkeeping (MMUWalk.may_write) and the page
 * holds no translated code; ROM gets a read tag only; MMIO, unassigned
 * pages and pages above 4 GiB get nothing; a page the guest watches
 * (breakpoints) gets nothing.  Accesses are 1, 2, 4 or 8 bytes (8: the
 * IR's 64-bit loads and stores; two 4-byte accesses on MMIO).  Accesses
 * that cross a 4 KiB boundary always miss and are split byte-wise; a split store translates both pages before
 * writing any byte so a fault leaves memory untouched.  Stores to pages
 * holding translated code go through physmem_write(), whose code-write
 * hook invalidates the blocks.
 */
#include <string.h>
#include <glib.h>
#include "mmu/mmu.h"

/* the entry of linear address lin in view mode */
static inline CPUTLBEntry *tlb_entry_of(CPUTLB *tlb, int mode, GuestVirt lin)
{
    return (CPUTLBEntry *)((uint8_t *)tlb->table[mode] + tlb_entry_offset(lin));
}

/* fill the entry of linear page lin (mode) after a successful translation w */
static void tlb_fill(const MMUContext *c, GuestVirt lin, const MMUWalk *w, int mode)
{
    CPUTLB *tlb = c->tlb;
    CPUTLBEntry *e = tlb_entry_of(tlb, mode, lin);
    GuestVirt tag = (lin & PAGE_MASK) | TLB_PAGE_LOW;
    uint8_t *attr = &tlb->attr[mode][(lin >> PAGE_BITS) & (TLB_SIZE - 1)];
    uintptr_t addend;
    PhysPage *p;

    if (w->pa >= MMU_PHYS_NONE)
        return;
    if (c->watching && c->guest->page_watched(c->cpu, lin))
        return;                 /* watched pages: every access checks */
    p = physmem_page(c->mem, (GuestPhys)w->pa);
    if (!p->host || (p->kind != MEM_RAM && p->kind != MEM_ROM))
        return;
    addend = (uintptr_t)p->host - (uintptr_t)(lin & PAGE_MASK);
    if (e->addend != addend || (e->addr_read != tag && e->addr_write != tag)) {
        /* another page was here: keep it as a victim */
        if ((e->addr_read | e->addr_write) != TLB_INVALID) {
            int v = tlb->victim_next[mode]++ % TLB_VICTIM;
            tlb->victim[mode][v] = *e;
            tlb->victim_attr[mode][v] = *attr;
        }
        e->addr_read = e->addr_write = TLB_INVALID;
    }
    e->addend = addend;
    e->addr_read = tag;
    if (p->kind == MEM_RAM && !p->watch && w->may_write)
        e->addr_write = tag;
    *attr = w->attr;
    tlb->n_global += (w->attr & TLB_ATTR_GLOBAL) != 0;
    if (w->attr & TLB_ATTR_LARGE)
        tlb_note_large(tlb, lin);
}

static inline uint64_t tlb_ones(uint32_t size)
{
    return size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

static inline int tlb_acc(int mode)
{
    return mode == TLB_MMU_KERNEL ? MMU_ACC_KERNEL : 0;
}

/* the guest's before_io hook, for an access that reaches MMIO */
static inline void tlb_before_io(const MMUContext *c, GuestPhys pa)
{
    if (c->guest->before_io && physmem_page(c->mem, pa)->kind == MEM_MMIO)
        c->guest->before_io(c->cpu);
}

/* physical memory outside RAM/ROM: 8 bytes are two 4-byte accesses */
static uint64_t tlb_phys_read(const MMUContext *c, GuestPhys pa, uint32_t size)
{
    tlb_before_io(c, pa);
    if (size == 8)
        return physmem_read(c->mem, pa, 4) | (uint64_t)physmem_read(c->mem, pa + 4, 4) << 32;
    return physmem_read(c->mem, pa, (int)size);
}

static void tlb_phys_write(const MMUContext *c, GuestPhys pa, uint64_t v, uint32_t size)
{
    tlb_before_io(c, pa);
    if (size == 8) {
        physmem_write(c->mem, pa, (uint32_t)v, 4);
        physmem_write(c->mem, pa + 4, (uint32_t)(v >> 32), 4);
        return;
    }
    physmem_write(c->mem, pa, (uint32_t)v, (int)size);
}

/* load of size 1/2/4/8 that stays inside one page */
static inline uint64_t tlb_ld_page(const MMUContext *c, GuestVirt lin, uint32_t size, int mode)
{
    MMUWalk w;
    PhysPage *p;

    c->guest->translate(c->cpu, lin, tlb_acc(mode), &w);
    if (G_UNLIKELY(w.pa >= MMU_PHYS_NONE))
        return tlb_ones(size);
    p = physmem_page(c->mem, (GuestPhys)w.pa);
    if (G_LIKELY(p->host != NULL)) {
        const uint8_t *h = p->host + (w.pa & ~PAGE_MASK);
        tlb_fill(c, lin, &w, mode);
        switch (size) {
        case 1:
            return *h;
        case 2: {
            uint16_t v;
            memcpy(&v, h, 2);
            return v;
        }
        case 4: {
            uint32_t v;
            memcpy(&v, h, 4);
            return v;
        }
        default: {
            uint64_t v;
            memcpy(&v, h, 8);
            return v;
        }
        }
    }
    return tlb_phys_read(c, (GuestPhys)w.pa, size);
}

static inline void tlb_st_phys(const MMUContext *c, uint64_t pa, uint64_t v, uint32_t size)
{
    PhysPage *p;

    if (G_UNLIKELY(pa >= MMU_PHYS_NONE))
        return;                                 /* no memory there */
    p = physmem_page(c->mem, (GuestPhys)pa);
    if (G_LIKELY(p->kind == MEM_RAM && !p->watch && p->host)) {
        uint8_t *h = p->host + (pa & ~PAGE_MASK);
        switch (size) {
        case 1:
            *h = (uint8_t)v;
            break;
        case 2: {
            uint16_t w = (uint16_t)v;
            memcpy(h, &w, 2);
            break;
        }
        case 4: {
            uint32_t w = (uint32_t)v;
            memcpy(h, &w, 4);
            break;
        }
        default:
            memcpy(h, &v, 8);
            break;
        }
        return;
    }
    tlb_phys_write(c, (GuestPhys)pa, v, size);
}

/* a miss on the table: the victim entry for lin's page and access kind,
 * swapped into the table; false if there is none */
static bool tlb_victim_swap(CPUTLB *tlb, GuestVirt lin, int mode, bool write)
{
    CPUTLBEntry *v = tlb_victim_find(tlb, mode, (lin & PAGE_MASK) | TLB_PAGE_LOW, write);
    if (!v)
        return false;
    uint32_t i = (lin >> PAGE_BITS) & (TLB_SIZE - 1), k = (uint32_t)(v - tlb->victim[mode]);
    CPUTLBEntry e = tlb->table[mode][i];
    uint8_t a = tlb->attr[mode][i];
    tlb->table[mode][i] = *v;
    tlb->attr[mode][i] = tlb->victim_attr[mode][k];
    *v = e;
    tlb->victim_attr[mode][k] = a;
    tlb->stats.victim_hits++;
    return true;
}

uint64_t tlb_ld_slow(const MMUContext *c, GuestVirt lin, uint32_t size, int mode)
{
    uint64_t v = 0;

    c->tlb->stats.misses++;
    if (c->watching)            /* data breakpoints (a fault voids it) */
        c->guest->watch_access(c->cpu, lin, size, false);
    if (G_LIKELY((lin & ~PAGE_MASK) + size <= PAGE_SIZE)) {
        if (tlb_victim_swap(c->tlb, lin, mode, false)) {
            uint8_t *h = (uint8_t *)(tlb_entry_of(c->tlb, mode, lin)->addend + lin);
            uint64_t v8 = 0;
            memcpy(&v8, h, size);           /* little-endian host */
            return v8;
        }
        return tlb_ld_page(c, lin, size, mode);
    }
    for (uint32_t i = 0; i < size; i++)
        v |= tlb_ld_page(c, lin + i, 1, mode) << (8 * i);
    return v;
}

void tlb_st_slow(const MMUContext *c, GuestVirt lin, uint64_t v, uint32_t size, int mode)
{
    int acc = tlb_acc(mode) | MMU_ACC_WRITE;
    MMUWalk w0, w1;
    uint32_t off;

    c->tlb->stats.misses++;
    if (c->watching)            /* data breakpoints (a fault voids it) */
        c->guest->watch_access(c->cpu, lin, size, true);
    if (G_LIKELY((lin & ~PAGE_MASK) + size <= PAGE_SIZE)) {
        if (tlb_victim_swap(c->tlb, lin, mode, true)) {
            uint8_t *h = (uint8_t *)(tlb_entry_of(c->tlb, mode, lin)->addend + lin);
            memcpy(h, &v, size);            /* little-endian host */
            return;
        }
        c->guest->translate(c->cpu, lin, acc, &w0);
        tlb_fill(c, lin, &w0, mode);
        tlb_st_phys(c, w0.pa, v, size);
        return;
    }
    /* crossing: translate both pages first, then write byte by byte (the
     * bytes of each part stay inside their page: its translation holds) */
    c->guest->translate(c->cpu, lin, acc, &w0);
    c->guest->translate(c->cpu, (lin + size - 1) & PAGE_MASK, acc, &w1);
    off = PAGE_SIZE - (lin & ~PAGE_MASK);
    for (uint32_t i = 0; i < size; i++) {
        uint64_t pa = i < off ? w0.pa + i : w1.pa + (i - off);
        tlb_st_phys(c, pa, (v >> (8 * i)) & 0xff, 1);
    }
}

/* ------------------------------------------------------ TLB maintenance */

void tlb_flush_all(CPUTLB *tlb)
{
    TLBStats stats = tlb->stats;

    stats.flushes++;
    memset(tlb, 0, sizeof(*tlb));
    tlb->stats = stats;
}

void tlb_flush_nonglobal_entries(CPUTLB *tlb)
{
    tlb->stats.flushes++;
    for (int mode = 0; mode < TLB_NB_MODES; mode++) {
        for (uint32_t i = 0; i < TLB_SIZE; i++) {
            if (!(tlb->attr[mode][i] & TLB_ATTR_GLOBAL)) {
                memset(&tlb->table[mode][i], 0, sizeof(CPUTLBEntry));
                tlb->attr[mode][i] = 0;
            }
        }
        for (uint32_t i = 0; i < TLB_CODE_SIZE; i++) {
            if (!(tlb->code_attr[mode][i] & TLB_ATTR_GLOBAL)) {
                tlb->code[mode][i].tag = TLB_INVALID;
                tlb->code_attr[mode][i] = 0;
            }
        }
        for (int i = 0; i < TLB_VICTIM; i++) {
            if (!(tlb->victim_attr[mode][i] & TLB_ATTR_GLOBAL)) {
                memset(&tlb->victim[mode][i], 0, sizeof(CPUTLBEntry));
                tlb->victim_attr[mode][i] = 0;
            }
        }
    }
}

/* the linear page of a valid entry (either tag) */
static inline GuestVirt tlb_entry_page(const CPUTLBEntry *e)
{
    return (e->addr_read ? e->addr_read : e->addr_write) & PAGE_MASK;
}

void tlb_flush_linear_page(CPUTLB *tlb, GuestVirt linear, uint32_t big)
{
    GuestVirt tag = (linear & PAGE_MASK) | TLB_PAGE_LOW;

    tlb->stats.page_flushes++;
    for (int mode = 0; mode < TLB_NB_MODES; mode++) {
        uint32_t i = (linear >> PAGE_BITS) & (TLB_SIZE - 1);
        uint32_t c = (linear >> PAGE_BITS) & (TLB_CODE_SIZE - 1);
        CPUTLBEntry *e = &tlb->table[mode][i];
        if (e->addr_read == tag || e->addr_write == tag)
            memset(e, 0, sizeof(*e));
        if (tlb->code[mode][c].tag == tag)
            tlb->code[mode][c].tag = TLB_INVALID;
        for (int k = 0; k < TLB_VICTIM; k++) {
            e = &tlb->victim[mode][k];
            if (e->addr_read == tag || e->addr_write == tag ||
                ((tlb->victim_attr[mode][k] & TLB_ATTR_LARGE) &&
                 (e->addr_read | e->addr_write) != TLB_INVALID &&
                 (tlb_entry_page(e) & big) == (linear & big)))
                memset(e, 0, sizeof(*e));
        }
        if (!tlb_large_at(tlb, linear))
            continue;
        for (i = 0; i < TLB_SIZE; i++) {
            e = &tlb->table[mode][i];
            if ((tlb->attr[mode][i] & TLB_ATTR_LARGE) &&
                (e->addr_read | e->addr_write) != TLB_INVALID &&
                (tlb_entry_page(e) & big) == (linear & big))
                memset(e, 0, sizeof(*e));
        }
        for (i = 0; i < TLB_CODE_SIZE; i++) {
            CPUTLBCodeEntry *ce = &tlb->code[mode][i];
            if ((tlb->code_attr[mode][i] & TLB_ATTR_LARGE) && ce->tag != TLB_INVALID &&
                (ce->tag & big) == (linear & big))
                ce->tag = TLB_INVALID;
        }
    }
}

void tlb_drop_host_page(CPUTLB *tlb, const uint8_t *host_page)
{
    uintptr_t host = (uintptr_t)host_page;

    if (!host)
        return;
    for (int mode = 0; mode < TLB_NB_MODES; mode++) {
        for (uint32_t i = 0; i < TLB_SIZE; i++) {
            CPUTLBEntry *e = &tlb->table[mode][i];
            if (e->addr_write != TLB_INVALID &&
                e->addend + (e->addr_write & PAGE_MASK) == host)
                e->addr_write = TLB_INVALID;
        }
        for (int i = 0; i < TLB_VICTIM; i++) {
            CPUTLBEntry *e = &tlb->victim[mode][i];
            if (e->addr_write != TLB_INVALID &&
                e->addend + (e->addr_write & PAGE_MASK) == host)
                e->addr_write = TLB_INVALID;
        }
    }
}
