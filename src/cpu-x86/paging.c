/*
 * paging.c - x86 paging for the neutral TLB (mmu/mmu.c): the page walk,
 * #PF, A20, the PAE PDPTE registers, CR0/CR3/CR4 effects, the fetch TLB,
 * and the slow-path entry points native code and helpers call after an
 * inline TLB miss (cpu-x86/mem.h).
 *
 *   mmu_ld_slow(env, lin, size, mode)
 *     -> tlb_ld_slow(MMUContext { &env->tlb, memory, x86_mmu_guest, env })
 *          -> x86_translate (the walk below; #PF) -> fill, access
 *
 * The walk (mmu_walk) handles the two paging modes of a 32-bit CPU
 * (SDM vol. 3A ch. 4):
 *   32-bit paging  CR3 -> PDE -> PTE (4 KiB), or a 4 MiB page when
 *                  CR4.PSE and PDE.PS (PSE-36 is not implemented: PDE bits
 *                  21:13 are reserved)
 *   PAE paging     PDPTE (one of four, loaded at MOV CR3/CR0/CR4 time into
 *                  env->pdpte) -> PDE -> PTE (4 KiB) or a 2 MiB page; 64-bit
 *                  entries, MAXPHYADDR 36, NX (bit 63) when EFER.NXE
 * Rights are the AND of every level's R/W and U/S (and the OR of NX);
 * CR0.WP makes read-only pages read-only for supervisor writes too.  The
 * order of checks is the SDM's: not present (P=0 in the error code), then
 * reserved bits (RSVD), level by level; then rights.  A bits are set on
 * every level of a successful walk, D on the final entry of a successful
 * write; a faulting access sets nothing.  Physical addresses above 4 GiB
 * (PAE) are unassigned: loads read all ones, stores are dropped.
 *
 * -d mmu logs every walk, #PF and flush.
 */
#include <string.h>
#include <inttypes.h>
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/mem.h"
#include "cpu-x86/debug.h"
#include "bus/memory.h"
#include "translator/translator.h"
#include "util/log.h"

/* paging-structure entry bits (both formats; NX only in PAE entries) */
#define PTE_P   0x001u
#define PTE_W   0x002u
#define PTE_U   0x004u
#define PTE_A   0x020u
#define PTE_D   0x040u
#define PTE_PS  0x080u
#define PTE_G   0x100u
#define PTE_NX  (UINT64_C(1) << 63)

/* page-fault error code bits */
#define PFERR_P     0x01u
#define PFERR_W     0x02u
#define PFERR_U     0x04u
#define PFERR_RSVD  0x08u
#define PFERR_ID    0x10u

/* control bits this file reads (named locally: cpu.h's CR4/EFER macros
 * belong to the MSR/CR code) */
#define MMU_CR4_PSE 0x00000010u
#define MMU_CR4_PAE 0x00000020u
#define MMU_CR4_PGE 0x00000080u
#define MMU_EFER_NXE (UINT64_C(1) << 11)

#define MMU_MAXPHYADDR 36
#define PAE_ADDR_MASK  (((UINT64_C(1) << MMU_MAXPHYADDR) - 1) & ~UINT64_C(0xfff))
/* bits 62:MAXPHYADDR, reserved in every PAE entry (63 is NX) */
#define PAE_RSVD       (~((UINT64_C(1) << MMU_MAXPHYADDR) - 1) & ~PTE_NX)
#define PAE_LARGE_RSVD UINT64_C(0x1fe000)       /* 2 MiB PDE bits 20:13 */
#define PDPTE_RSVD     (UINT64_C(0x1e6) | PAE_RSVD | PTE_NX)  /* 2:1, 8:5, 63:36 */
#define PSE_LARGE_RSVD 0x003fe000u              /* 4 MiB PDE bits 21:13 (no PSE-36) */

#define PHYS_NONE MMU_PHYS_NONE                 /* first address we have no memory at */

/* the physical map the CPU's accesses reach (the front end's code fetch
 * finds it the same way) */
static inline PhysMem *mmu_mem(CPUState *env)
{
    return env->mem;
}

static inline bool mmu_pae(const CPUState *env)
{
    return (env->cr[4] & MMU_CR4_PAE) != 0;
}

/* a paging-structure entry at physical address pa (A20 applied) */
static uint64_t mmu_read_entry(CPUState *env, uint64_t pa, bool pae)
{
    PhysMem *pm = mmu_mem(env);
    uint32_t lo;

    if (pa >= PHYS_NONE)
        return pae ? UINT64_MAX : 0xffffffffu;          /* no memory: all ones */
    lo = physmem_read(pm, (uint32_t)pa & env->a20_mask, 4);
    if (!pae)
        return lo;
    return lo | (uint64_t)physmem_read(pm, ((uint32_t)pa + 4) & env->a20_mask, 4) << 32;
}

/* A and D live in the low dword of both formats */
static void mmu_set_bits(CPUState *env, uint64_t pa, uint64_t entry, uint32_t bits)
{
    if (pa < PHYS_NONE && (entry & bits) != bits)
        physmem_write(mmu_mem(env), (uint32_t)pa & env->a20_mask, (uint32_t)entry | bits, 4);
}

static _Noreturn void mmu_page_fault(CPUState *env, uint32_t lin, uint32_t err)
{
    env->cr[2] = lin;
    if (log_enabled(LOG_MMU))
        log_printf("mmu: #PF lin=%08x err=%02x eip=%08x\n", lin, err, env->eip);
    raise_exception(env, EXCP_PF, err);
}

/*
 * The page walk.  acc: MMU_ACC_READ/WRITE/FETCH, | MMU_ACC_KERNEL for
 * implicit supervisor accesses.  Returns true and fills *w on success.
 * On a fault: raises #PF when `raise` is set, else returns false.  A/D
 * bits are only written when `raise` is set (a real access, not a probe).
 */
static bool mmu_walk(CPUState *env, uint32_t lin, int acc, bool raise, MMUWalk *w)
{
    const bool is_write = acc & MMU_ACC_WRITE, is_fetch = acc & MMU_ACC_FETCH;
    const bool is_user = !(acc & MMU_ACC_KERNEL) && cpu_cpl(env) == 3;
    const bool pae = mmu_pae(env);
    const bool nxe = pae && (env->efer & MMU_EFER_NXE);
    uint64_t pde_addr, pde, pte_addr, pte, rsvd, rights;
    uint32_t err = 0;
    bool large;

    if (pae) {
        uint64_t pdpte = env->pdpte[lin >> 30];
        if (!(pdpte & PTE_P))
            goto fault;
        pde_addr = (pdpte & PAE_ADDR_MASK) | ((lin >> 18) & 0xff8);
        rsvd = PAE_RSVD | (nxe ? 0 : PTE_NX);
    } else {
        pde_addr = (env->cr[3] & PAGE_MASK) | ((lin >> 20) & 0xffc);
        rsvd = 0;
    }
    pde = mmu_read_entry(env, pde_addr, pae);
    if (!(pde & PTE_P))
        goto fault;
    large = (pde & PTE_PS) && (pae || (env->cr[4] & MMU_CR4_PSE));
    err = PFERR_P | PFERR_RSVD;
    if (pde & (rsvd | (large ? (pae ? PAE_LARGE_RSVD : PSE_LARGE_RSVD) : 0)))
        goto fault;
    if (large) {
        pte_addr = pde_addr;
        pte = pde;
        if (pae)
            w->pa = (pde & PAE_ADDR_MASK & ~UINT64_C(0x1fffff)) | (lin & 0x1fffffu);
        else
            w->pa = (pde & 0xffc00000u) | (lin & 0x3fffffu);
        rights = pde;
    } else {
        pte_addr = pae ? (pde & PAE_ADDR_MASK) | ((lin >> 9) & 0xff8)
                       : (pde & PAGE_MASK) | ((lin >> 10) & 0xffc);
        pte = mmu_read_entry(env, pte_addr, pae);
        if (!(pte & PTE_P)) {
            err = 0;
            goto fault;
        }
        if (pte & rsvd)
            goto fault;
        w->pa = (pae ? pte & PAE_ADDR_MASK : pte & PAGE_MASK) | (lin & 0xfffu);
        /* W and U: AND of both levels; NX: OR of both levels */
        rights = (pde & pte & (PTE_W | PTE_U)) | ((pde | pte) & PTE_NX);
    }

    err = PFERR_P;                           /* protection violation from here on */
    if (is_user && !(rights & PTE_U))
        goto fault;
    if (is_fetch) {
        if (nxe && (rights & PTE_NX))
            goto fault;
    } else if (is_write && !(rights & PTE_W) && (is_user || (env->cr[0] & CR0_WP))) {
        goto fault;
    }

    if (raise) {
        if (!large)
            mmu_set_bits(env, pde_addr, pde, PTE_A);
        mmu_set_bits(env, pte_addr, pte, PTE_A | (is_write ? PTE_D : 0));
    }
    w->may_write = ((rights & PTE_W) || (!is_user && !(env->cr[0] & CR0_WP))) &&
                   (is_write || (pte & PTE_D));
    w->attr = (large ? TLB_ATTR_LARGE : 0) |
              ((env->cr[4] & MMU_CR4_PGE) && (pte & PTE_G) ? TLB_ATTR_GLOBAL : 0);
    if (w->pa < PHYS_NONE)
        w->pa &= env->a20_mask;
    env->tlb.stats.walks++;
    if (log_enabled(LOG_MMU))
        log_printf("mmu: walk %08x %c%c -> %09" PRIx64 " (%s%s pde=%" PRIx64 " pte=%" PRIx64
                   ")\n", lin, is_fetch ? 'x' : is_write ? 'w' : 'r', is_user ? 'u' : 's',
                   w->pa, pae ? "pae" : "32", large ? " large" : "", pde, pte);
    return true;

fault:
    if (!raise)
        return false;
    err |= (is_write ? PFERR_W : 0) | (is_user ? PFERR_U : 0) |
           (is_fetch && nxe ? PFERR_ID : 0);
    mmu_page_fault(env, lin, err);
}

/* ------------------------------------------- the neutral TLB's guest */

/* MMUGuest.translate: linear -> physical for a real access (raises #PF) */
static void x86_translate(void *cpu, GuestVirt lin, int acc, MMUWalk *w)
{
    CPUState *env = cpu;

    if (G_LIKELY(!(env->cr[0] & CR0_PG))) {
        w->pa = lin & env->a20_mask;
        w->may_write = true;
        w->attr = 0;
        return;
    }
    mmu_walk(env, lin, acc, true, w);
}

static bool x86_page_watched(void *cpu, GuestVirt lin)
{
    return debug_page_watched(cpu, lin);
}

static void x86_watch_access(void *cpu, GuestVirt lin, uint32_t size, bool write)
{
    debug_watch_access(cpu, lin, size, write);
}

static void x86_before_io(void *cpu)
{
    cpu_before_io(cpu);
}

static const MMUGuest x86_mmu_guest = {
    .translate = x86_translate,
    .page_watched = x86_page_watched,
    .watch_access = x86_watch_access,
    .before_io = x86_before_io,
};

static inline MMUContext x86_mmu_context(CPUState *env)
{
    return (MMUContext) {
        .tlb = &env->tlb,
        .mem = mmu_mem(env),
        .guest = &x86_mmu_guest,
        .cpu = env,
        .watching = (env->dbg_flags & DBG_WATCH) != 0,
    };
}

uint32_t mmu_ld_slow(CPUState *env, GuestVirt lin, uint32_t size, int mode)
{
    MMUContext c = x86_mmu_context(env);
    return (uint32_t)tlb_ld_slow(&c, lin, size, mode);
}

void mmu_st_slow(CPUState *env, GuestVirt lin, uint32_t v, uint32_t size, int mode)
{
    MMUContext c = x86_mmu_context(env);
    tlb_st_slow(&c, lin, v, size, mode);
}

/* the GuestDesc slow paths (guest.c): env is the CPUState */
uint32_t mmu_ld8_slow(void *env, GuestVirt addr)
{
    return mmu_ld_slow(env, addr, 1, mmu_mode(env));
}

uint32_t mmu_ld16_slow(void *env, GuestVirt addr)
{
    return mmu_ld_slow(env, addr, 2, mmu_mode(env));
}

uint32_t mmu_ld32_slow(void *env, GuestVirt addr)
{
    return mmu_ld_slow(env, addr, 4, mmu_mode(env));
}

/* 8 bytes (IR ld.64; MMX/SSE/x87 m64 later): one access through the
 * neutral slow path, which splits page-crossing and MMIO accesses */
uint64_t mmu_ld64_slow(void *env, GuestVirt addr)
{
    MMUContext c = x86_mmu_context(env);
    return tlb_ld_slow(&c, addr, 8, mmu_mode(env));
}

void mmu_st8_slow(void *env, GuestVirt addr, uint32_t v)
{
    mmu_st_slow(env, addr, v, 1, mmu_mode(env));
}

void mmu_st16_slow(void *env, GuestVirt addr, uint32_t v)
{
    mmu_st_slow(env, addr, v, 2, mmu_mode(env));
}

void mmu_st32_slow(void *env, GuestVirt addr, uint32_t v)
{
    mmu_st_slow(env, addr, v, 4, mmu_mode(env));
}

void mmu_st64_slow(void *env, GuestVirt addr, uint64_t v)
{
    MMUContext c = x86_mmu_context(env);
    tlb_st_slow(&c, addr, v, 8, mmu_mode(env));
}

/* ----------------------------------------------------- instruction fetch */

static inline CPUTLBCodeEntry *mmu_code_entry(CPUState *env, int mode, GuestVirt lin,
                                              uint8_t **attr)
{
    uint32_t i = (lin >> PAGE_BITS) & (TLB_CODE_SIZE - 1);
    *attr = &env->tlb.code_attr[mode][i];
    return &env->tlb.code[mode][i];
}

GuestPhys mmu_translate_code(void *cpu, GuestVirt linear)
{
    CPUState *env = cpu;
    int mode = mmu_mode(env);
    uint8_t *attr;
    CPUTLBCodeEntry *ce;
    MMUWalk w;

    if (G_LIKELY(!(env->cr[0] & CR0_PG)))
        return linear & env->a20_mask;
    ce = mmu_code_entry(env, mode, linear, &attr);
    if (G_LIKELY(ce->tag == ((linear & PAGE_MASK) | TLB_PAGE_LOW)))
        return ce->phys | (linear & ~PAGE_MASK);
    env->tlb.stats.code_misses++;
    mmu_walk(env, linear, MMU_ACC_FETCH, true, &w);
    if (w.pa >= PHYS_NONE) {
        /* nothing there: the bytes read as FF FF, which is #UD */
        if (log_enabled(LOG_UNIMP))
            log_printf("unimp: instruction fetch above 4 GiB (%09" PRIx64 ") -> #UD\n", w.pa);
        raise_exception_noerr(env, EXCP_UD);
    }
    ce->tag = (linear & PAGE_MASK) | TLB_PAGE_LOW;
    ce->phys = (GuestPhys)w.pa & PAGE_MASK;
    *attr = w.attr;
    env->tlb.n_global += (w.attr & TLB_ATTR_GLOBAL) != 0;
    if (w.attr & TLB_ATTR_LARGE)
        tlb_note_large(&env->tlb, linear);
    return (GuestPhys)w.pa;
}

bool mmu_probe_code(void *cpu, GuestVirt linear, GuestPhys *paddr)
{
    CPUState *env = cpu;
    uint8_t *attr;
    CPUTLBCodeEntry *ce;
    MMUWalk w;

    if (!(env->cr[0] & CR0_PG)) {
        *paddr = linear & env->a20_mask;
        return true;
    }
    ce = mmu_code_entry(env, mmu_mode(env), linear, &attr);
    if (ce->tag == ((linear & PAGE_MASK) | TLB_PAGE_LOW)) {
        *paddr = ce->phys | (linear & ~PAGE_MASK);
        return true;
    }
    if (!mmu_walk(env, linear, MMU_ACC_FETCH, false, &w) || w.pa >= PHYS_NONE)
        return false;
    *paddr = (GuestPhys)w.pa;
    return true;
}

bool mmu_probe(CPUState *env, GuestVirt linear, bool write, GuestPhys *paddr)
{
    MMUWalk w;

    if (!(env->cr[0] & CR0_PG)) {
        *paddr = linear & env->a20_mask;
        return true;
    }
    if (!mmu_walk(env, linear, write ? MMU_ACC_WRITE : MMU_ACC_READ, false, &w) || w.pa >= PHYS_NONE)
        return false;
    *paddr = (GuestPhys)w.pa;
    return true;
}

/* ------------------------------------------------------ TLB maintenance */

static void mmu_log_flush(CPUState *env, const char *what)
{
    const TLBStats *st = &env->tlb.stats;

    log_printf("mmu: flush %s cr3=%08x [misses=%" PRIu64 " walks=%" PRIu64
               " code_misses=%" PRIu64 " flushes=%" PRIu64 " invlpg=%" PRIu64 "]\n",
               what, env->cr[3], st->misses, st->walks, st->code_misses, st->flushes,
               st->page_flushes);
}

/*
 * The translator's jump cache maps linear pcs to blocks, so it forgets
 * what the TLB forgets: every flush here clears it too (whole, or the
 * flushed page and the one before it, whose blocks may reach into it).
 * A page inside a big page cached in 4 KiB pieces (tlb_large_at: a big
 * page was cached in its 4 MiB region) may stand for the whole big page:
 * then the whole cache goes.
 */
void tlb_flush(CPUState *env)
{
    tlb_flush_all(&env->tlb);
    tb_jc_flush(env->tr_ctx);
    if (log_enabled(LOG_MMU))
        mmu_log_flush(env, "all");
}

void tlb_flush_nonglobal(CPUState *env)
{
    if (env->tlb.n_global == 0) {
        tlb_flush(env);
        return;
    }
    tlb_flush_nonglobal_entries(&env->tlb);
    tb_jc_flush(env->tr_ctx);
    if (log_enabled(LOG_MMU))
        mmu_log_flush(env, "non-global");
}

void tlb_flush_page(CPUState *env, uint32_t linear)
{
    /* a big page is cached as 4 KiB pieces: drop every piece of it */
    tlb_flush_linear_page(&env->tlb, linear,
                          mmu_pae(env) ? ~UINT32_C(0x1fffff) : ~UINT32_C(0x3fffff));
    if (tlb_large_at(&env->tlb, linear))
        tb_jc_flush(env->tr_ctx);
    else
        tb_jc_flush_page(env->tr_ctx, linear);
    if (log_enabled(LOG_MMU))
        log_printf("mmu: invlpg %08x\n", linear);
}

void tlb_drop_code_page(CPUState *env, const uint8_t *host_page)
{
    tlb_drop_host_page(&env->tlb, host_page);
}

/* ------------------------------------------------- control registers */

/*
 * Load the four PAE PDPTEs from the table CR3 points to (SDM 4.4.1): a
 * present PDPTE with a reserved bit set (2:1, 8:5, 63:MAXPHYADDR) makes
 * the MOV that loads them raise #GP(0), and then nothing is changed.
 */
static void mmu_load_pdptes(CPUState *env, uint32_t cr3)
{
    uint64_t e[4];

    for (int i = 0; i < 4; i++) {
        e[i] = mmu_read_entry(env, (cr3 & ~0x1fu) + 8u * (uint32_t)i, true);
        if ((e[i] & PTE_P) && (e[i] & PDPTE_RSVD)) {
            if (log_enabled(LOG_MMU))
                log_printf("mmu: PDPTE %d = %016" PRIx64 " has reserved bits -> #GP\n",
                           i, e[i]);
            raise_exception(env, EXCP_GP, 0);
        }
    }
    memcpy(env->pdpte, e, sizeof(e));
}

void mmu_set_cr3(CPUState *env, uint32_t cr3)
{
    if ((env->cr[0] & CR0_PG) && mmu_pae(env))
        mmu_load_pdptes(env, cr3);
    env->cr[3] = cr3;
    tlb_flush_nonglobal(env);
}

void mmu_update_paging(CPUState *env, uint32_t new_cr0, uint32_t new_cr4)
{
    uint32_t d0 = new_cr0 ^ env->cr[0], d4 = new_cr4 ^ env->cr[4];
    const uint32_t cr4_paging = MMU_CR4_PSE | MMU_CR4_PAE | MMU_CR4_PGE;

    if ((new_cr0 & CR0_PG) && (new_cr4 & MMU_CR4_PAE) &&
        ((d0 & (CR0_PG | CR0_CD | CR0_NW)) || (d4 & cr4_paging)))
        mmu_load_pdptes(env, env->cr[3]);
    if ((d0 & (CR0_PE | CR0_PG | CR0_WP)) || (d4 & cr4_paging)) {
        if (log_enabled(LOG_MMU))
            log_printf("mmu: CR0 %08x -> %08x, CR4 %08x -> %08x\n", env->cr[0], new_cr0,
                       env->cr[4], new_cr4);
        tlb_flush(env);
    }
}

/* memory-map listener (bus/memory.h): a page's kind or host memory
 * changed, so entries for any linear alias of it may be stale */
void tlb_memmap_changed(void *opaque, uint32_t base, uint32_t size)
{
    tlb_flush(opaque);
}
