/*
 * mmu.c - guest memory access by linear address: paging and physical RAM.
 *
 * Every guest data access of generated code and helpers ends up here
 * (cpu_ld8/16/32, cpu_st8/16/32); the translator fetches code through
 * mmu_translate_code().  Steps of one access:
 *
 *   linear --(CR0.PG: two-level 4 KiB walk, #PF + CR2)--> physical
 *          --(A20 mask)--> RAM page host pointer (fast) or physmem_*()
 *
 * Accesses that cross a 4 KiB boundary are split byte-wise; a split store
 * translates both pages before writing any byte so a #PF leaves memory
 * untouched.  Stores to pages holding translated code go through
 * physmem_write(), whose code-write hook invalidates the blocks and sets
 * env->code_dirty.
 *
 * Today: no TLB (every access with paging walks the tables), no PSE/PAE,
 * U/S and R/W checks (with CR0.WP) and A/D bits are done.  The software
 * TLB with an inline fast path is the next issue (docs/cpu.md).
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

/* load of size 1/2/4 that stays inside one page */
static inline uint32_t mmu_ld_page(CPUState *env, uint32_t lin, int size, int acc)
{
    uint32_t pa = mmu_phys(env, lin, acc);
    PhysPage *p = physmem_page(mmu_mem(env), pa);

    if (G_LIKELY(p->host != NULL)) {
        const uint8_t *h = p->host + (pa & ~PAGE_MASK);
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
    return physmem_read(mmu_mem(env), pa, size);
}

static inline void mmu_st_phys(CPUState *env, uint32_t pa, uint32_t v, int size)
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
    physmem_write(mmu_mem(env), pa, v, size);
}

static uint32_t mmu_ld(CPUState *env, uint32_t lin, int size, int acc)
{
    uint32_t v = 0;
    int i;

    if (G_LIKELY((lin & ~PAGE_MASK) + (uint32_t)size <= PAGE_SIZE))
        return mmu_ld_page(env, lin, size, acc);
    for (i = 0; i < size; i++)
        v |= mmu_ld_page(env, lin + i, 1, acc) << (8 * i);
    return v;
}

static void mmu_st(CPUState *env, uint32_t lin, uint32_t v, int size, int acc)
{
    uint32_t pa0, pa1, off;
    int i;

    if (G_LIKELY((lin & ~PAGE_MASK) + (uint32_t)size <= PAGE_SIZE)) {
        mmu_st_phys(env, mmu_phys(env, lin, acc | ACC_WRITE), v, size);
        return;
    }
    /* crossing: translate both pages first, then write byte by byte */
    pa0 = mmu_phys(env, lin, acc | ACC_WRITE);
    pa1 = mmu_phys(env, (lin + size - 1) & PAGE_MASK, acc | ACC_WRITE);
    off = PAGE_SIZE - (lin & ~PAGE_MASK);
    for (i = 0; i < size; i++) {
        uint32_t pa = (uint32_t)i < off ? pa0 + i : pa1 + (i - off);
        mmu_st_phys(env, pa & env->a20_mask, (v >> (8 * i)) & 0xff, 1);
    }
}

uint32_t cpu_ld8(CPUState *env, uint32_t addr)  { return mmu_ld(env, addr, 1, ACC_READ); }
uint32_t cpu_ld16(CPUState *env, uint32_t addr) { return mmu_ld(env, addr, 2, ACC_READ); }
uint32_t cpu_ld32(CPUState *env, uint32_t addr) { return mmu_ld(env, addr, 4, ACC_READ); }
void cpu_st8(CPUState *env, uint32_t addr, uint32_t v)  { mmu_st(env, addr, v, 1, ACC_READ); }
void cpu_st16(CPUState *env, uint32_t addr, uint32_t v) { mmu_st(env, addr, v, 2, ACC_READ); }
void cpu_st32(CPUState *env, uint32_t addr, uint32_t v) { mmu_st(env, addr, v, 4, ACC_READ); }

uint32_t cpu_ld32_kernel(CPUState *env, uint32_t addr)
{
    return mmu_ld(env, addr, 4, ACC_KERNEL);
}

void cpu_st32_kernel(CPUState *env, uint32_t addr, uint32_t v)
{
    mmu_st(env, addr, v, 4, ACC_KERNEL);
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
