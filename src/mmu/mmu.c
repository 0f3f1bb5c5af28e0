/*
 * mmu.c - guest memory access by linear address: the TLB slow path,
 * paging and physical RAM.
 *
 * cpu_ld8/16/32 and cpu_st8/16/32 (mmu.h) and the native code generator
 * look the software TLB up inline (layout: mmu/tlb.h, design: docs/mmu.md);
 * a miss lands here:
 *
 *   linear --(CR0.PG: two-level 4 KiB walk, #PF + CR2, A/D bits)--> physical
 *          --(A20 mask)--> RAM/ROM page: fill the TLB entry, access host memory
 *                          MMIO / unassigned / code page store: physmem_*()
 *
 * Accesses that cross a 4 KiB boundary always miss and are split
 * byte-wise; a split store translates both pages before writing any byte
 * so a #PF leaves memory untouched.  Stores to pages holding translated
 * code go through physmem_write(), whose code-write hook invalidates the
 * blocks and sets env->code_dirty; such pages never get a write tag.
 *
 * Not yet: PSE/PAE, PGE (global pages survive nothing: every CR3 write
 * flushes the whole TLB).
 */
#include <string.h>
#include <glib.h>
#include "mmu/mmu.h"
#include "machine/machine.h"
#include "util/log.h"

enum {
    ACC_READ = 0,
    ACC_WRITE = 1,
    ACC_FETCH = 2,
    ACC_KERNEL = 4,     /* implicit supervisor access (descriptor tables) */
};

#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
#define PTE_A 0x020u
#define PTE_D 0x040u

static inline PhysMem *mmu_mem(CPUState *env)
{
    return env->machine->mem;
}

/*
 * Two-level walk.  Returns true and *pa on success.  On failure: raises #PF
 * when raise is set, else returns false.  A/D bits are only updated when
 * raise is set (a real access, not a probe).
 */
static bool mmu_walk(CPUState *env, uint32_t lin, int acc, bool raise, uint32_t *pa)
{
    PhysMem *pm = mmu_mem(env);
    bool is_write = acc & ACC_WRITE;
    bool is_user = !(acc & ACC_KERNEL) && cpu_cpl(env) == 3;
    uint32_t pde_addr, pde, pte_addr, pte, err;

    pde_addr = ((env->cr[3] & PAGE_MASK) | ((lin >> 20) & 0xffc)) & env->a20_mask;
    pde = physmem_read(pm, pde_addr, 4);
    if (!(pde & PTE_P)) {
        err = 0;
        goto fault;
    }
    pte_addr = ((pde & PAGE_MASK) | ((lin >> 10) & 0xffc)) & env->a20_mask;
    pte = physmem_read(pm, pte_addr, 4);
    if (!(pte & PTE_P)) {
        err = 0;
        goto fault;
    }
    err = 1;    /* protection violation from here on */
    if (is_user) {
        if (!(pde & pte & PTE_U))
            goto fault;
        if (is_write && !(pde & pte & PTE_W))
            goto fault;
    } else if (is_write && (env->cr[0] & CR0_WP) && !(pde & pte & PTE_W)) {
        goto fault;
    }
    if (raise) {
        if (!(pde & PTE_A))
            physmem_write(pm, pde_addr, pde | PTE_A, 4);
        if (!(pte & PTE_A) || (is_write && !(pte & PTE_D)))
            physmem_write(pm, pte_addr, pte | PTE_A | (is_write ? PTE_D : 0), 4);
    }
    *pa = ((pte & PAGE_MASK) | (lin & ~PAGE_MASK)) & env->a20_mask;
    return true;

fault:
    if (!raise)
        return false;
    err |= (is_write ? 2 : 0) | (is_user ? 4 : 0);
    env->cr[2] = lin;
    if (log_enabled(LOG_MMU))
        log_printf("mmu: #PF lin=%08x err=%x eip=%08x\n", lin, err, env->eip);
    raise_exception(env, EXCP_PF, err);
}

static inline uint32_t mmu_phys(CPUState *env, uint32_t lin, int acc)
{
    uint32_t pa;

    if (G_LIKELY(!(env->cr[0] & CR0_PG)))
        return lin & env->a20_mask;
    mmu_walk(env, lin, acc, true, &pa);
    return pa;
}

static inline int mmu_acc(int mode)
{
    return mode == TLB_MMU_KERNEL ? ACC_KERNEL : 0;
}

/*
 * Fill the entry of linear page lin (mode) after a successful translation
 * to pa.  RAM: read tag, and the write tag when the access was a write or
 * paging is off (no D bit to set) and the page holds no code.  ROM: read
 * tag only.  Anything else: no entry.
 */
static void mmu_tlb_fill(CPUState *env, uint32_t lin, uint32_t pa, bool write, int mode)
{
    PhysPage *p = physmem_page(mmu_mem(env), pa);
    CPUTLBEntry *e = tlb_entry(env, mode, lin);
    uint32_t tag = (lin & PAGE_MASK) | TLB_PAGE_LOW;
    uintptr_t addend;

    if (!p->host || (p->kind != MEM_RAM && p->kind != MEM_ROM))
        return;
    addend = (uintptr_t)p->host - (uintptr_t)(lin & PAGE_MASK);
    if (e->addend != addend || (e->addr_read != tag && e->addr_write != tag))
        e->addr_read = e->addr_write = TLB_INVALID;   /* another page was here */
    e->addend = addend;
    e->addr_read = tag;
    if (p->kind == MEM_RAM && !p->has_code && (write || !(env->cr[0] & CR0_PG)))
        e->addr_write = tag;
}

/* load of size 1/2/4 that stays inside one page */
static inline uint32_t mmu_ld_page(CPUState *env, uint32_t lin, uint32_t size, int mode)
{
    uint32_t pa = mmu_phys(env, lin, mmu_acc(mode));
    PhysPage *p = physmem_page(mmu_mem(env), pa);

    if (G_LIKELY(p->host != NULL)) {
        const uint8_t *h = p->host + (pa & ~PAGE_MASK);
        mmu_tlb_fill(env, lin, pa, false, mode);
        switch (size) {
        case 1:
            return *h;
        case 2: {
            uint16_t v;
            memcpy(&v, h, 2);
            return v;
        }
        default: {
            uint32_t v;
            memcpy(&v, h, 4);
            return v;
        }
        }
    }
    return physmem_read(mmu_mem(env), pa, (int)size);
}

static inline void mmu_st_phys(CPUState *env, uint32_t pa, uint32_t v, uint32_t size)
{
    PhysPage *p = physmem_page(mmu_mem(env), pa);

    if (G_LIKELY(p->kind == MEM_RAM && !p->has_code && p->host)) {
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
        default:
            memcpy(h, &v, 4);
            break;
        }
        return;
    }
    physmem_write(mmu_mem(env), pa, v, (int)size);
}

uint32_t mmu_ld_slow(CPUState *env, uint32_t lin, uint32_t size, int mode)
{
    uint32_t v = 0;
    uint32_t i;

    if (G_LIKELY((lin & ~PAGE_MASK) + size <= PAGE_SIZE))
        return mmu_ld_page(env, lin, size, mode);
    for (i = 0; i < size; i++)
        v |= mmu_ld_page(env, lin + i, 1, mode) << (8 * i);
    return v;
}

void mmu_st_slow(CPUState *env, uint32_t lin, uint32_t v, uint32_t size, int mode)
{
    int acc = mmu_acc(mode) | ACC_WRITE;
    uint32_t pa0, pa1, off, pa;
    uint32_t i;

    if (G_LIKELY((lin & ~PAGE_MASK) + size <= PAGE_SIZE)) {
        pa = mmu_phys(env, lin, acc);
        mmu_tlb_fill(env, lin, pa, true, mode);
        mmu_st_phys(env, pa, v, size);
        return;
    }
    /* crossing: translate both pages first, then write byte by byte */
    pa0 = mmu_phys(env, lin, acc);
    pa1 = mmu_phys(env, (lin + size - 1) & PAGE_MASK, acc);
    off = PAGE_SIZE - (lin & ~PAGE_MASK);
    for (i = 0; i < size; i++) {
        pa = i < off ? pa0 + i : pa1 + (i - off);
        mmu_st_phys(env, pa & env->a20_mask, (v >> (8 * i)) & 0xff, 1);
    }
}

uint32_t mmu_ld8_slow(CPUState *env, uint32_t addr)
{
    return mmu_ld_slow(env, addr, 1, mmu_mode(env));
}

uint32_t mmu_ld16_slow(CPUState *env, uint32_t addr)
{
    return mmu_ld_slow(env, addr, 2, mmu_mode(env));
}

uint32_t mmu_ld32_slow(CPUState *env, uint32_t addr)
{
    return mmu_ld_slow(env, addr, 4, mmu_mode(env));
}

void mmu_st8_slow(CPUState *env, uint32_t addr, uint32_t v)
{
    mmu_st_slow(env, addr, v, 1, mmu_mode(env));
}

void mmu_st16_slow(CPUState *env, uint32_t addr, uint32_t v)
{
    mmu_st_slow(env, addr, v, 2, mmu_mode(env));
}

void mmu_st32_slow(CPUState *env, uint32_t addr, uint32_t v)
{
    mmu_st_slow(env, addr, v, 4, mmu_mode(env));
}

uint32_t mmu_translate_code(CPUState *env, uint32_t linear)
{
    return mmu_phys(env, linear, ACC_FETCH);
}

bool mmu_probe(CPUState *env, uint32_t linear, bool write, uint32_t *paddr)
{
    if (!(env->cr[0] & CR0_PG)) {
        *paddr = linear & env->a20_mask;
        return true;
    }
    return mmu_walk(env, linear, write ? ACC_WRITE : ACC_READ, false, paddr);
}

/* ------------------------------------------------------ TLB maintenance */

void tlb_flush(CPUState *env)
{
    memset(&env->tlb, 0, sizeof(env->tlb));
}

void tlb_flush_page(CPUState *env, uint32_t linear)
{
    for (int mode = 0; mode < TLB_NB_MODES; mode++) {
        CPUTLBEntry *e = tlb_entry(env, mode, linear);
        uint32_t tag = (linear & PAGE_MASK) | TLB_PAGE_LOW;
        if (e->addr_read == tag || e->addr_write == tag)
            memset(e, 0, sizeof(*e));
    }
}

void tlb_drop_code_page(CPUState *env, const uint8_t *host_page)
{
    uintptr_t host = (uintptr_t)host_page;

    if (!host)
        return;
    for (int mode = 0; mode < TLB_NB_MODES; mode++) {
        for (uint32_t i = 0; i < TLB_SIZE; i++) {
            CPUTLBEntry *e = &env->tlb.table[mode][i];
            if (e->addr_write != TLB_INVALID &&
                e->addend + (e->addr_write & PAGE_MASK) == host)
                e->addr_write = TLB_INVALID;
        }
    }
}

void mmu_set_a20(CPUState *env, bool enabled)
{
    uint32_t mask = enabled ? 0xffffffffu : 0xffefffffu;

    if (mask != env->a20_mask) {
        env->a20_mask = mask;
        tlb_flush(env);
    }
}
