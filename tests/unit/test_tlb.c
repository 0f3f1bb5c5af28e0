/*
 * test_tlb.c - unit tests for the software TLB (mmu/tlb.h, mmu.c) and for
 * direct block chaining in the native backend (codegen.c, translator.c).
 *
 * Each test builds a RAM-only machine (machine_new without -bios, as the
 * differential tester does) and pokes the TLB through cpu_ld* and cpu_st*:
 * what gets an entry (RAM read/write, ROM read only, MMIO never, code
 * pages never writable), page-crossing accesses, A20, paging with the
 * kernel and user views, flushes (CR0, CR3, INVLPG's tlb_flush_page) and
 * the D bit.  The chaining test runs a small real-mode loop with every
 * instruction budget in a table on both backends and checks that icount,
 * registers and memory agree, that native jumps get patched, and that
 * self-modifying code unpatches them.
 */
#include <string.h>
#include <setjmp.h>
#include <CUnit/CUnit.h>
#include "config.h"
#include "machine/machine.h"
#include "bus/memory.h"
#include "mmu/mmu.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/cpuid.h"
#include "translator/translator.h"

static Machine *tlb_machine(BackendKind kind)
{
    MachineConfig cfg;
    GError *err = NULL;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 4u << 20;
    cfg.backend = kind;
    Machine *m = machine_new(&cfg, &err);
    if (!m) {
        fprintf(stderr, "machine_new: %s\n", err->message);
        g_clear_error(&err);
    }
    return m;
}

static CPUTLBEntry *entry(CPUState *env, int mode, uint32_t addr)
{
    return tlb_entry(env, mode, addr);
}

static uint32_t tag(uint32_t addr)
{
    return (addr & PAGE_MASK) | TLB_PAGE_LOW;
}

/* --- a counting MMIO device --- */
typedef struct CountDev { int reads, writes; } CountDev;
static uint32_t count_read(void *o, uint32_t off, int size)
{
    ((CountDev *)o)->reads++;
    return 0x11223344u;
}
static void count_write(void *o, uint32_t off, uint32_t v, int size)
{
    ((CountDev *)o)->writes++;
}
static const MemOps count_ops = { count_read, count_write };

/* --- an MMIO device that logs its accesses --- */
typedef struct LogDev {
    int n;
    struct { uint32_t off, val; int size; bool write; } acc[8];
} LogDev;
static uint32_t log_read(void *o, uint32_t off, int size)
{
    LogDev *d = o;
    uint32_t v = 0xa0000000u | off;
    if (d->n < 8)
        d->acc[d->n] = (typeof(d->acc[0])){ off, v, size, false };
    d->n++;
    return v;
}
static void log_write(void *o, uint32_t off, uint32_t v, int size)
{
    LogDev *d = o;
    if (d->n < 8)
        d->acc[d->n] = (typeof(d->acc[0])){ off, v, size, true };
    d->n++;
}
static const MemOps log_ops = { log_read, log_write };

/*
 * The 8-byte slow paths the GuestDesc gives the backends (IR ld.64 /
 * st.64): inside a RAM page (and the entry filled), across two pages
 * (bytes land in both; a crossing store whose second page faults writes
 * nothing), on MMIO (two 4-byte accesses, low half first, nothing
 * cached), on ROM (read, stores dropped).
 */
static void test_tlb_slow64(void)
{
    Machine *m = tlb_machine(BACKEND_INTERP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    LogDev dev = { 0 };
    static const uint8_t rom[PAGE_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    physmem_add_mmio(m->mem, "log", 0x10000000u, PAGE_SIZE, &log_ops, &dev);
    physmem_add_rom(m->mem, 0x20000000u, rom, PAGE_SIZE);
    tlb_flush(env);

    /* RAM inside a page: both halves, and the entry is filled */
    mmu_st64_slow(env, 0x5008, 0x0123456789abcdefull);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x5008), 0x89abcdefu);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x500c), 0x01234567u);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x5008)->addr_write, tag(0x5000));
    CU_ASSERT_EQUAL(mmu_ld64_slow(env, 0x5008), 0x0123456789abcdefull);
    /* crossing at every split point */
    for (uint32_t k = 1; k < 8; k++) {
        uint32_t a = 0x6000 - k;
        uint64_t v = 0x1122334455667788ull * k;
        mmu_st64_slow(env, a, v);
        for (uint32_t i = 0; i < 8; i++)
            CU_ASSERT_EQUAL(m->mem->ram[a + i], (uint8_t)(v >> (8 * i)));
        CU_ASSERT_EQUAL(mmu_ld64_slow(env, a), v);
    }
    /* MMIO: two 4-byte accesses, low half first, never an entry */
    CU_ASSERT_EQUAL(mmu_ld64_slow(env, 0x10000010u), 0xa0000014a0000010ull);
    mmu_st64_slow(env, 0x10000020u, 0xcafef00d12345678ull);
    CU_ASSERT_EQUAL(dev.n, 4);
    CU_ASSERT(dev.acc[0].off == 0x10 && dev.acc[0].size == 4 && !dev.acc[0].write);
    CU_ASSERT(dev.acc[1].off == 0x14 && dev.acc[1].size == 4 && !dev.acc[1].write);
    CU_ASSERT(dev.acc[2].off == 0x20 && dev.acc[2].val == 0x12345678u && dev.acc[2].write);
    CU_ASSERT(dev.acc[3].off == 0x24 && dev.acc[3].val == 0xcafef00du && dev.acc[3].write);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x10000010u)->addr_read, TLB_INVALID);
    /* ROM: read, stores dropped */
    CU_ASSERT_EQUAL(mmu_ld64_slow(env, 0x20000000u), 0x0807060504030201ull);
    mmu_st64_slow(env, 0x20000000u, 0);
    CU_ASSERT_EQUAL(mmu_ld64_slow(env, 0x20000000u), 0x0807060504030201ull);

    /* paging: a crossing store whose second page is not present faults
     * (#PF, CR2 = that page) and writes no byte of the first */
    enum { PD = 0x80000, PT = 0x81000 };
    memset(m->mem->ram + PD, 0, 2 * PAGE_SIZE);
    physmem_write(m->mem, PD, PT | 3, 4);
    for (uint32_t i = 0; i < 0x10; i++)             /* identity 0..64 KiB, not 0x7000 */
        if (i != 7)
            physmem_write(m->mem, PT + 4 * i, (i << 12) | 3, 4);
    env->exception_index = -1;
    env->old_exception = -1;
    helper_write_cr(env, 3, PD);
    helper_write_cr(env, 0, env->cr[0] | CR0_PE | CR0_PG);
    memset(m->mem->ram + 0x6ff8, 0x5a, 8);
    volatile int vec = -1;
    if (sigsetjmp(env->jmp_env, 0) == 0)
        mmu_st64_slow(env, 0x6ffc, 0);
    else
        vec = env->exception_index;
    CU_ASSERT_EQUAL(vec, EXCP_PF);
    CU_ASSERT_EQUAL(env->cr[2], 0x7000);
    for (int i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(m->mem->ram[0x6ff8 + i], 0x5a);
    CU_ASSERT_EQUAL(mmu_ld64_slow(env, 0x6ff8), 0x5a5a5a5a5a5a5a5aull);
    machine_free(m);
}

/*
 * SMC cost: stores to data bytes of a page holding 64 blocks must not
 * compare every block with the written bytes (translator.c's code bitmap);
 * stores to code bytes still invalidate exactly the blocks under them.
 */
static void test_smc_bitmap(void)
{
    Machine *m = tlb_machine(BACKEND_INTERP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    Translator *t = env->tr_ctx;
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    enum { NB = 64, CODE = 0x2000, DATA = 0x2800 };
    TranslationBlock *tb[NB];
    for (int i = 0; i < NB; i++) {               /* inc ax; jmp $+2 */
        m->mem->ram[CODE + 3 * i] = 0x40;
        m->mem->ram[CODE + 3 * i + 1] = 0xeb;
        m->mem->ram[CODE + 3 * i + 2] = 0x00;
    }
    env->seg[R_CS].base = 0;
    for (int i = 0; i < NB; i++) {
        env->eip = CODE + 3 * i;
        tb[i] = tb_find(t, env);
        CU_ASSERT_EQUAL(tb[i]->size, 3);
    }
    uint64_t checked = t->stats.smc_checked;
    env->code_dirty = 0;
    for (int k = 0; k < 1000; k++)
        cpu_st16(env, DATA + 2 * (k & 255), k);
    CU_ASSERT_EQUAL(env->code_dirty, 0);
    /* walks only until the page has its bitmap (the old cost: NB * 1000) */
    CU_ASSERT(t->stats.smc_checked - checked <= (uint64_t)NB * TB_BITS_THRESHOLD);
    CU_ASSERT(t->stats.smc_skipped >= 1000 - TB_BITS_THRESHOLD);
    for (int i = 0; i < NB; i++)
        CU_ASSERT(tb[i]->valid);

    /* a store over block 10's jmp: that block only, one walk of NB */
    checked = t->stats.smc_checked;
    cpu_st8(env, CODE + 3 * 10 + 2, 0);
    CU_ASSERT_EQUAL(env->code_dirty, 1);
    CU_ASSERT(!tb[10]->valid);
    for (int i = 0; i < NB; i++)
        if (i != 10)
            CU_ASSERT(tb[i]->valid);
    CU_ASSERT(t->stats.smc_checked - checked <= NB);
    /* its bytes hold no block now: the rebuilt bitmap answers */
    checked = t->stats.smc_checked;
    cpu_st8(env, CODE + 3 * 10, 0x40);
    CU_ASSERT_EQUAL(t->stats.smc_checked, checked);
    /* a word store across blocks 20 and 21 */
    cpu_st16(env, CODE + 3 * 21 - 1, 0x4000);
    CU_ASSERT(!tb[20]->valid && !tb[21]->valid && tb[19]->valid && tb[22]->valid);
    /* a new block adds its bytes to the bitmap */
    env->eip = CODE + 3 * 10;
    TranslationBlock *again = tb_find(t, env);
    CU_ASSERT(again->valid);
    cpu_st8(env, CODE + 3 * 10 + 1, 0xeb);
    CU_ASSERT(!again->valid);
    machine_free(m);
}

static void test_tlb_fill_rules(void)
{
    Machine *m = tlb_machine(BACKEND_INTERP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    CountDev dev = { 0, 0 };
    static const uint8_t rom[PAGE_SIZE] = { 0x5a, 0xa5 };
    physmem_add_mmio(m->mem, "count", 0x10000000u, PAGE_SIZE, &count_ops, &dev);
    physmem_add_rom(m->mem, 0x20000000u, rom, PAGE_SIZE);

    /* a zeroed TLB is all invalid */
    tlb_flush(env);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0)->addr_read, TLB_INVALID);

    /* RAM, paging off: one miss fills read and write tags */
    cpu_st32(env, 0x3004, 0xdeadbeef);
    CPUTLBEntry *e = entry(env, TLB_MMU_KERNEL, 0x3004);
    CU_ASSERT_EQUAL(e->addr_read, tag(0x3000));
    CU_ASSERT_EQUAL(e->addr_write, tag(0x3000));
    CU_ASSERT_EQUAL(e->addend + 0x3004, (uintptr_t)(m->mem->ram + 0x3004));
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x3004), 0xdeadbeef);
    CU_ASSERT_EQUAL(cpu_ld16(env, 0x3006), 0xdead);
    CU_ASSERT_EQUAL(cpu_ld8(env, 0x3005), 0xbe);
    /* the user view is separate */
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_USER, 0x3004)->addr_read, TLB_INVALID);

    /* page-crossing accesses: correct bytes, split over two pages */
    static const struct { uint32_t addr; int size; uint32_t val; } cross[] = {
        { 0x3ffd, 4, 0x01020304 }, { 0x3ffe, 4, 0xa1b2c3d4 }, { 0x3fff, 4, 0x55667788 },
        { 0x3fff, 2, 0x9abc },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cross); i++) {
        if (cross[i].size == 4)
            cpu_st32(env, cross[i].addr, cross[i].val);
        else
            cpu_st16(env, cross[i].addr, cross[i].val);
        uint32_t got = cross[i].size == 4 ? cpu_ld32(env, cross[i].addr)
                                          : cpu_ld16(env, cross[i].addr);
        CU_ASSERT_EQUAL(got, cross[i].val);
        for (int k = 0; k < cross[i].size; k++)
            CU_ASSERT_EQUAL(m->mem->ram[cross[i].addr + k],
                            (uint8_t)(cross[i].val >> (8 * k)));
    }
    /* top of the address space wraps to 0 through the slow path */
    cpu_st8(env, 0, 0x77);
    CU_ASSERT_EQUAL(cpu_ld16(env, 0xffffffffu) >> 8, 0x77);

    /* MMIO: never an entry, the device sees every access */
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x10000000u), 0x11223344u);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x10000000u), 0x11223344u);
    cpu_st32(env, 0x10000004u, 1);
    CU_ASSERT_EQUAL(dev.reads, 2);
    CU_ASSERT_EQUAL(dev.writes, 1);
    e = entry(env, TLB_MMU_KERNEL, 0x10000000u);
    CU_ASSERT(e->addr_read != tag(0x10000000u) && e->addr_write != tag(0x10000000u));

    /* ROM: read tag only, stores are dropped */
    CU_ASSERT_EQUAL(cpu_ld16(env, 0x20000000u), 0xa55a);
    cpu_st8(env, 0x20000000u, 0);
    e = entry(env, TLB_MMU_KERNEL, 0x20000000u);
    CU_ASSERT_EQUAL(e->addr_read, tag(0x20000000u));
    CU_ASSERT_EQUAL(e->addr_write, TLB_INVALID);
    CU_ASSERT_EQUAL(cpu_ld8(env, 0x20000000u), 0x5a);

    /* A20 off: 1 MiB wraps; the change flushes */
    cpu_st8(env, 0x100010, 0x42);
    CU_ASSERT_EQUAL(cpu_ld8(env, 0x100010), 0x42);
    cpu_set_a20(env, false);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x100010)->addr_read, TLB_INVALID);
    cpu_st8(env, 0x000010, 0x24);
    CU_ASSERT_EQUAL(cpu_ld8(env, 0x100010), 0x24);
    cpu_set_a20(env, true);
    CU_ASSERT_EQUAL(cpu_ld8(env, 0x100010), 0x42);
    machine_free(m);
}

/* code pages: no write tag while they hold code; stores reach the hook */
static void test_tlb_code_pages(void)
{
    Machine *m = tlb_machine(TX86_NATIVE_BACKEND ? BACKEND_NATIVE : BACKEND_INTERP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    static const uint8_t code[] = { 0x40, 0x40, 0xf4 };     /* inc ax; inc ax; hlt */

    cpu_load_seg_real(env, R_CS, 0);
    cpu_update_hflags(env);
    cpu_st8(env, 0x1800, 1);                 /* write tag for page 1 */
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x1800)->addr_write, tag(0x1000));
    physmem_write_buf(m->mem, 0x1000, code, sizeof(code));
    env->eip = 0x1000;
    TranslationBlock *tb = tb_find(m->tr, env);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
    CU_ASSERT(physmem_page(m->mem, 0x1000)->watch & PAGE_WATCH_CODE);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x1800)->addr_write, TLB_INVALID);
    /* a store elsewhere on the page: slow path, no write tag, block stays */
    env->code_dirty = 0;
    cpu_st8(env, 0x1800, 2);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x1800)->addr_write, TLB_INVALID);
    CU_ASSERT(tb->valid);
    CU_ASSERT_EQUAL(env->code_dirty, 0);
    /* a store over the code invalidates the block */
    cpu_st8(env, 0x1001, 0x48);
    CU_ASSERT(!tb->valid);
    CU_ASSERT_EQUAL(env->code_dirty, 1);
    /* the page has no code any more: the next store may fill a write tag */
    cpu_st8(env, 0x1800, 3);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x1800)->addr_write, tag(0x1000));
    machine_free(m);
}

#define PTE_P 1u
#define PTE_W 2u
#define PTE_U 4u
#define PTE_D 0x40u
#define PTE_A 0x20u
#define PD_ADDR 0x10000u
#define PT_ADDR 0x11000u

/* run f-like access under sigsetjmp; returns the vector or -1 */
#define TRY_ACCESS(env, stmt)                                   \
    ({                                                          \
        volatile int vec_ = -1;                                 \
        (env)->exception_index = -1;                            \
        (env)->old_exception = -1;                              \
        if (sigsetjmp((env)->jmp_env, 0) == 0) {                \
            stmt;                                               \
        } else {                                                \
            vec_ = (env)->exception_index;                      \
        }                                                       \
        vec_;                                                   \
    })

static void set_cpl(CPUState *env, int cpl)
{
    env->hflags = (env->hflags & ~HF_CPL_MASK) | ((uint32_t)cpl << HF_CPL_SHIFT);
}

static void test_tlb_paging(void)
{
    Machine *m = tlb_machine(BACKEND_INTERP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    PhysMem *pm = m->mem;
    volatile uint32_t v = 0;

    /* identity map the first 4 MiB, user RW; 0x5000 supervisor only,
     * 0x6000 read-only, 0x7000 -> 0x8000 */
    physmem_write(pm, PD_ADDR, PT_ADDR | PTE_P | PTE_W | PTE_U, 4);
    for (uint32_t i = 0; i < 1024; i++)
        physmem_write(pm, PT_ADDR + 4 * i, (i << 12) | PTE_P | PTE_W | PTE_U, 4);
    physmem_write(pm, PT_ADDR + 4 * 5, 0x5000 | PTE_P | PTE_W, 4);
    physmem_write(pm, PT_ADDR + 4 * 6, 0x6000 | PTE_P | PTE_U, 4);
    physmem_write(pm, PT_ADDR + 4 * 7, 0x8000 | PTE_P | PTE_W | PTE_U, 4);
    physmem_write(pm, 0x5000, 0x55555555, 4);
    physmem_write(pm, 0x6000, 0x66666666, 4);
    physmem_write(pm, 0x8000, 0x88888888, 4);
    physmem_write(pm, 0x9000, 0x99999999, 4);

    env->exception_index = -1;
    env->old_exception = -1;
    set_cpl(env, 0);
    cpu_st32(env, 0x7000, 0x12345678);        /* paging off: fills page 7 */
    CU_ASSERT_EQUAL(physmem_read(pm, 0x7000, 4), 0x12345678);
    helper_write_cr(env, 3, PD_ADDR);
    helper_write_cr(env, 0, env->cr[0] | CR0_PE | CR0_PG);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x7000)->addr_read, TLB_INVALID);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x7000), 0x88888888);

    /* table of (cpl, addr, write, expected vector, expected error code) */
    static const struct {
        int cpl; uint32_t addr; bool write; int vec; uint32_t err;
    } acc[] = {
        { 0, 0x5000, false, -1, 0 },
        { 0, 0x5000, true,  -1, 0 },
        { 3, 0x5000, false, EXCP_PF, 5 },
        { 3, 0x5000, true,  EXCP_PF, 7 },
        { 3, 0x6000, false, -1, 0 },
        { 3, 0x6000, true,  EXCP_PF, 7 },
        { 0, 0x6000, true,  -1, 0 },          /* WP=0: supervisor may write */
        { 3, 0x400000, false, EXCP_PF, 4 },   /* PDE not present */
        { 3, 0x7004, true,  -1, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(acc); i++) {
        set_cpl(env, acc[i].cpl);
        int vec = TRY_ACCESS(env, acc[i].write ? cpu_st32(env, acc[i].addr, 0x6000 + i)
                                               : (void)(v = cpu_ld32(env, acc[i].addr)));
        CU_ASSERT_EQUAL(vec, acc[i].vec);
        if (vec >= 0) {
            CU_ASSERT_EQUAL(env->error_code, acc[i].err);
            CU_ASSERT_EQUAL(env->cr[2], acc[i].addr);
        }
        if (vec != acc[i].vec)
            fprintf(stderr, "paging case %zu: vector %d\n", i, vec);
        /* the same access again: now from the TLB (or faulting again) */
        int vec2 = TRY_ACCESS(env, acc[i].write ? cpu_st32(env, acc[i].addr, 0x6000 + i)
                                                : (void)(v = cpu_ld32(env, acc[i].addr)));
        CU_ASSERT_EQUAL(vec2, acc[i].vec);
    }
    /* the kernel view has page 5, the user view must not */
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x5000)->addr_read, tag(0x5000));
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_USER, 0x5000)->addr_read, TLB_INVALID);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_USER, 0x6000)->addr_write, TLB_INVALID);

    /* CR0.WP: flushes, then the supervisor store faults */
    set_cpl(env, 0);
    helper_write_cr(env, 0, env->cr[0] | CR0_WP);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x6000)->addr_write, TLB_INVALID);
    CU_ASSERT_EQUAL(TRY_ACCESS(env, cpu_st32(env, 0x6000, 1)), EXCP_PF);

    /* D bit: a read fills no write tag; the first write walks and sets D */
    physmem_write(pm, PT_ADDR + 4 * 9, 0x9000 | PTE_P | PTE_W | PTE_U, 4);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x9000), 0x99999999);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x9000)->addr_write, TLB_INVALID);
    CU_ASSERT_EQUAL(physmem_read(pm, PT_ADDR + 4 * 9, 4) & PTE_D, 0);
    cpu_st32(env, 0x9000, 1);
    CU_ASSERT(physmem_read(pm, PT_ADDR + 4 * 9, 4) & PTE_D);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x9000)->addr_write, tag(0x9000));

    /* a PTE change is not seen until INVLPG (tlb_flush_page) or CR3 */
    uint32_t at5 = physmem_read(pm, 0x5000, 4), at8 = physmem_read(pm, 0x8000, 4);
    CU_ASSERT(at5 != at8);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x7000), at8);           /* fills the entry */
    physmem_write(pm, PT_ADDR + 4 * 7, 0x5000 | PTE_P | PTE_W | PTE_U, 4);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x7000), at8);           /* stale, as on hardware */
    helper_invlpg(env, 0x7abc);                           /* INVLPG */
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x7000), at5);
    physmem_write(pm, PT_ADDR + 4 * 7, 0x8000 | PTE_P | PTE_W | PTE_U, 4);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x7000), at5);
    helper_write_cr(env, 3, PD_ADDR);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x7000), at8);
    (void)v;
    machine_free(m);
}

/* INVLPG with big pages cached in 4 KiB pieces: an address inside the big
 * page drops every piece of it; one in a 4 MiB region that never had a big
 * page drops only its own page (tlb.h: large_map) */
static void test_tlb_big_invlpg(void)
{
    Machine *m = tlb_machine(BACKEND_INTERP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    PhysMem *pm = m->mem;

    /* 0-4 MiB: 4 KiB pages, identity; 4-8 MiB: one 4 MiB page -> 0 */
    physmem_write(pm, PD_ADDR, PT_ADDR | PTE_P | PTE_W, 4);
    for (uint32_t i = 0; i < 1024; i++)
        physmem_write(pm, PT_ADDR + 4 * i, (i << 12) | PTE_P | PTE_W, 4);
    physmem_write(pm, PD_ADDR + 4, 0x000000 | 0x80 | PTE_P | PTE_W, 4);
    env->exception_index = -1;
    env->old_exception = -1;
    set_cpl(env, 0);
    helper_write_cr(env, 4, env->cr[4] | CR4_PSE);
    helper_write_cr(env, 3, PD_ADDR);
    helper_write_cr(env, 0, env->cr[0] | CR0_PE | CR0_PG);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x405000), physmem_read(pm, 0x5000, 4));
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x409000), physmem_read(pm, 0x9000, 4));
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x7000), physmem_read(pm, 0x7000, 4));
    CU_ASSERT(tlb_large_at(&env->tlb, 0x400000));
    CU_ASSERT(!tlb_large_at(&env->tlb, 0x7000));
    helper_invlpg(env, 0x7000);             /* no big page here: one page */
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x7000)->addr_read, TLB_INVALID);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x405000)->addr_read, tag(0x405000));
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x409000)->addr_read, tag(0x409000));
    helper_invlpg(env, 0x7ff000);           /* inside the big page, not cached */
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x405000)->addr_read, TLB_INVALID);
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x409000)->addr_read, TLB_INVALID);
    machine_free(m);
}

/* victim entries: two pages that share a table index (TLB_SIZE pages
 * apart) take turns without walking again; INVLPG, CR3 loads and a page
 * getting code drop the victim copy too */
static void test_tlb_victim(void)
{
    Machine *m = tlb_machine(BACKEND_INTERP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    PhysMem *pm = m->mem;
    const uint32_t a = 0x1000, b = 0x1000 + TLB_SIZE * 0x1000u;   /* same index */

    physmem_write(pm, PD_ADDR, PT_ADDR | PTE_P | PTE_W, 4);
    for (uint32_t i = 0; i < 1024; i++)
        physmem_write(pm, PT_ADDR + 4 * i, (i << 12) | PTE_P | PTE_W | PTE_D | PTE_A, 4);
    physmem_write(pm, a, 0xaaaa0001, 4);
    physmem_write(pm, b, 0xbbbb0002, 4);
    physmem_write(pm, 0x8000, 0x88888888, 4);
    env->exception_index = -1;
    env->old_exception = -1;
    set_cpl(env, 0);
    helper_write_cr(env, 3, PD_ADDR);
    helper_write_cr(env, 0, env->cr[0] | CR0_PE | CR0_PG);
    CU_ASSERT_EQUAL(cpu_ld32(env, a), 0xaaaa0001);
    CU_ASSERT_EQUAL(cpu_ld32(env, b), 0xbbbb0002);
    uint64_t walks = env->tlb.stats.walks, hits = env->tlb.stats.victim_hits;
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(cpu_ld32(env, a), 0xaaaa0001);
        cpu_st32(env, b, 0xbbbb0000u + (uint32_t)i);
    }
    CU_ASSERT_EQUAL(env->tlb.stats.walks, walks);           /* no walk again */
    CU_ASSERT_EQUAL(env->tlb.stats.victim_hits, hits + 20);
    CU_ASSERT_EQUAL(physmem_read(pm, b, 4), 0xbbbb0009);
    /* a is now the victim; a PTE change is seen after INVLPG */
    physmem_write(pm, PT_ADDR + 4 * 1, 0x8000 | PTE_P | PTE_W | PTE_D | PTE_A, 4);
    CU_ASSERT_PTR_NOT_NULL(tlb_victim_find(&env->tlb, TLB_MMU_KERNEL, tag(a), false));
    CU_ASSERT_EQUAL(cpu_ld32(env, b), 0xbbbb0009);
    helper_invlpg(env, a);
    CU_ASSERT_PTR_NULL(tlb_victim_find(&env->tlb, TLB_MMU_KERNEL, tag(a), false));
    CU_ASSERT_EQUAL(cpu_ld32(env, a), 0x88888888);
    /* b is the victim now: a CR3 load drops it */
    CU_ASSERT_PTR_NOT_NULL(tlb_victim_find(&env->tlb, TLB_MMU_KERNEL, tag(b), true));
    helper_write_cr(env, 3, PD_ADDR);
    CU_ASSERT_PTR_NULL(tlb_victim_find(&env->tlb, TLB_MMU_KERNEL, tag(b), false));
    /* a page that gets translated code loses its victim's write tag */
    CU_ASSERT_EQUAL(cpu_ld32(env, b), 0xbbbb0009);
    cpu_st32(env, a, 0x12345678);           /* b to the victims, writable */
    CPUTLBEntry *v = tlb_victim_find(&env->tlb, TLB_MMU_KERNEL, tag(b), true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    tlb_drop_host_page(&env->tlb, (const uint8_t *)(v->addend + b));
    CU_ASSERT_PTR_NULL(tlb_victim_find(&env->tlb, TLB_MMU_KERNEL, tag(b), true));
    CU_ASSERT_PTR_NOT_NULL(tlb_victim_find(&env->tlb, TLB_MMU_KERNEL, tag(b), false));
    machine_free(m);
}

/* A20, globals, PAE PDPTE loads and the fetch TLB (mmu.c hooks) */
static void test_tlb_a20_global_pae(void)
{
    Machine *m = tlb_machine(BACKEND_INTERP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    PhysMem *pm = m->mem;
    Translator *t = env->tr_ctx;
    GuestPhys pa = 0;

    env->exception_index = -1;
    env->old_exception = -1;
    set_cpl(env, 0);

    /* A20: a change flushes the TLB and the translated code; no change
     * flushes nothing */
    uint64_t flushes = t->stats.flushes;
    cpu_set_a20(env, true);
    CU_ASSERT_EQUAL(t->stats.flushes, flushes);
    CU_ASSERT_EQUAL(mmu_translate_code(env, 0x100123), 0x100123);
    cpu_set_a20(env, false);
    CU_ASSERT_EQUAL(env->a20_mask, 0xffefffffu);
    CU_ASSERT_EQUAL(t->stats.flushes, flushes + 1);
    CU_ASSERT_EQUAL(mmu_translate_code(env, 0x100123), 0x000123);
    cpu_set_a20(env, true);

    /* 32-bit paging, page 7 global (CR4.PGE), page 8 not */
    physmem_write(pm, PD_ADDR, PT_ADDR | PTE_P | PTE_W, 4);
    for (uint32_t i = 0; i < 1024; i++)
        physmem_write(pm, PT_ADDR + 4 * i, (i << 12) | PTE_P | PTE_W, 4);
    physmem_write(pm, PT_ADDR + 4 * 7, 0x7000 | PTE_P | PTE_W | 0x100, 4);
    physmem_write(pm, 0x7000, 0x77, 4);
    physmem_write(pm, 0x8000, 0x88, 4);
    mmu_update_paging(env, CR0_PE | CR0_PG | CR0_ET, 0x80);
    env->cr[4] = 0x80;
    mmu_set_cr3(env, PD_ADDR);
    env->cr[0] = CR0_PE | CR0_PG | CR0_ET;
    cpu_update_hflags(env);
    set_cpl(env, 0);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x7000), 0x77);
    CU_ASSERT_EQUAL(cpu_ld32(env, 0x8000), 0x88);
    CU_ASSERT_EQUAL(mmu_translate_code(env, 0x8010), 0x8010);
    CU_ASSERT(env->tlb.attr[TLB_MMU_KERNEL][7] & TLB_ATTR_GLOBAL);
    mmu_set_cr3(env, PD_ADDR);                 /* keeps only the global entry */
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x7000)->addr_read, tag(0x7000));
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x8000)->addr_read, TLB_INVALID);
    CU_ASSERT_EQUAL(env->tlb.code[TLB_MMU_KERNEL][8].tag, TLB_INVALID);
    tlb_flush_page(env, 0x7000);               /* INVLPG drops globals too */
    CU_ASSERT_EQUAL(entry(env, TLB_MMU_KERNEL, 0x7000)->addr_read, TLB_INVALID);
    /* the fetch TLB is a cache: a PTE change shows after INVLPG */
    CU_ASSERT_EQUAL(mmu_translate_code(env, 0x8010), 0x8010);
    physmem_write(pm, PT_ADDR + 4 * 8, 0x9000 | PTE_P | PTE_W, 4);
    CU_ASSERT_EQUAL(mmu_translate_code(env, 0x8010), 0x8010);
    tlb_flush_page(env, 0x8000);
    CU_ASSERT_EQUAL(mmu_translate_code(env, 0x8010), 0x9010);
    CU_ASSERT(mmu_probe_code(env, 0x8000, &pa) && pa == 0x9000);

    /* PAE: a present PDPTE with a reserved bit makes the load #GP(0) and
     * leaves CR3 alone; a valid table is taken */
    physmem_write(pm, 0x20000, 0x21000 | PTE_P | PTE_W, 4);     /* bit 1: reserved */
    physmem_write(pm, 0x20004, 0, 4);
    env->cr[3] = 0x20000;
    int vec = TRY_ACCESS(env, mmu_update_paging(env, env->cr[0], 0x20));
    CU_ASSERT_EQUAL(vec, EXCP_GP);
    CU_ASSERT_EQUAL(env->error_code, 0);
    physmem_write(pm, 0x20000, 0x21000 | PTE_P, 4);
    vec = TRY_ACCESS(env, mmu_update_paging(env, env->cr[0], 0x20));
    CU_ASSERT_EQUAL(vec, -1);
    CU_ASSERT_EQUAL(env->pdpte[0], 0x21000 | PTE_P);
    machine_free(m);
}

/* ------------------------------------------------------------- chaining */

/* 16-bit real-mode loop at 0x1000:
 *   mov cx, 1000; l: add ax, cx; mov [0x2000], ax; dec cx; jnz l; hlt */
static const uint8_t loop_code[] = {
    0xb9, 0xe8, 0x03, 0x01, 0xc8, 0xa3, 0x00, 0x20, 0x49, 0x75, 0xf8, 0xf4,
};
#define LOOP_INSNS (1 + 1000 * 4 + 1)

typedef struct ChainResult {
    uint64_t icount;
    uint32_t ax, cx, mem, eip;
    CPUExitReason why;
} ChainResult;

static void chain_start(Machine *m)
{
    CPUState *env = &m->cpu;
    cpu_load_seg_real(env, R_CS, 0);
    cpu_load_seg_real(env, R_DS, 0);
    env->regs[R_EAX] = 0;
    env->eip = 0x1000;
    env->halted = 0;
    env->icount = 0;
    cpu_update_hflags(env);
}

static ChainResult chain_run(Machine *m, uint64_t budget)
{
    CPUState *env = &m->cpu;
    ChainResult r;
    r.why = cpu_exec(env, budget);
    r.icount = env->icount;
    r.ax = env->regs[R_EAX] & 0xffff;
    r.cx = env->regs[R_ECX] & 0xffff;
    r.mem = physmem_read(m->mem, 0x2000, 2);
    r.eip = env->eip;
    return r;
}

static void test_chaining(void)
{
    static const uint64_t budgets[] = { 1, 2, 5, 6, 7, 100, 1001, 3999, 4001, 4002,
                                        100000 };
    Machine *mi = tlb_machine(BACKEND_INTERP);
    Machine *mn = tlb_machine(BACKEND_NATIVE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mi);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mn);
    Machine *ms[2] = { mi, mn };

    for (size_t b = 0; b < G_N_ELEMENTS(budgets); b++) {
        ChainResult r[2];
        for (int k = 0; k < 2; k++) {
            physmem_write_buf(ms[k]->mem, 0x1000, loop_code, sizeof(loop_code));
            physmem_write(ms[k]->mem, 0x2000, 0, 2);
            chain_start(ms[k]);
            r[k] = chain_run(ms[k], budgets[b]);
        }
        CU_ASSERT_EQUAL(r[0].icount, r[1].icount);
        CU_ASSERT_EQUAL(r[0].ax, r[1].ax);
        CU_ASSERT_EQUAL(r[0].cx, r[1].cx);
        CU_ASSERT_EQUAL(r[0].mem, r[1].mem);
        CU_ASSERT_EQUAL(r[0].eip, r[1].eip);
        CU_ASSERT_EQUAL(r[0].why, r[1].why);
        if (r[0].icount != r[1].icount || r[0].ax != r[1].ax)
            fprintf(stderr, "budget %" G_GUINT64_FORMAT ": interp icount %" G_GUINT64_FORMAT
                    " ax %x, native icount %" G_GUINT64_FORMAT " ax %x\n", budgets[b],
                    r[0].icount, r[0].ax, r[1].icount, r[1].ax);
        CU_ASSERT(r[1].icount >= MIN(budgets[b], (uint64_t)LOOP_INSNS));
        if (budgets[b] >= LOOP_INSNS)
            CU_ASSERT_EQUAL(r[1].why, CPU_EXIT_HALT);
    }
    /* the loop block jumps to itself directly */
    CU_ASSERT(mn->tr->stats.jumps_patched > 0);

    /* run it to the end in slices: still exact, same sum */
    for (int k = 0; k < 2; k++) {
        chain_start(ms[k]);
        while (!ms[k]->cpu.halted)
            cpu_exec(&ms[k]->cpu, 37);
    }
    CU_ASSERT_EQUAL(mi->cpu.icount, LOOP_INSNS);
    CU_ASSERT_EQUAL(mn->cpu.icount, LOOP_INSNS);
    CU_ASSERT_EQUAL(mi->cpu.regs[R_EAX] & 0xffff, mn->cpu.regs[R_EAX] & 0xffff);

    /* self-modifying code: add -> sub in the loop body unpatches the
     * jumps into it; both backends then agree on the new result */
    uint64_t unpatched = mn->tr->stats.jumps_unpatched;
    static const uint8_t sub_ax_cx[] = { 0x29, 0xc8 };
    for (int k = 0; k < 2; k++) {
        physmem_write_buf(ms[k]->mem, 0x1003, sub_ax_cx, sizeof(sub_ax_cx));
        chain_start(ms[k]);
        chain_run(ms[k], 100000);
    }
    CU_ASSERT(mn->tr->stats.jumps_unpatched > unpatched);
    CU_ASSERT_EQUAL(mi->cpu.regs[R_EAX] & 0xffff, mn->cpu.regs[R_EAX] & 0xffff);
    CU_ASSERT_EQUAL(mn->cpu.regs[R_EAX] & 0xffff, (uint16_t)-(1000 * 1001 / 2));

    /* a flush forgets all patched jumps; running again re-patches */
    tb_flush(mn->tr);
    uint64_t patched = mn->tr->stats.jumps_patched;
    chain_start(mn);
    chain_run(mn, 100000);
    CU_ASSERT(mn->tr->stats.jumps_patched > patched);
    CU_ASSERT_EQUAL(mn->cpu.icount, LOOP_INSNS);
    machine_free(mi);
    machine_free(mn);
}

void register_tlb_tests(void)
{
    CU_pSuite s = CU_add_suite("tlb", NULL, NULL);
    CU_add_test(s, "fill rules: RAM, ROM, MMIO, crossing, A20", test_tlb_fill_rules);
    CU_add_test(s, "64-bit slow path: RAM, crossing, MMIO, ROM, #PF", test_tlb_slow64);
    CU_add_test(s, "code pages have no write tag", test_tlb_code_pages);
    CU_add_test(s, "paging: views, rights, flushes, D bit", test_tlb_paging);
    CU_add_test(s, "INVLPG and big pages in 4 KiB pieces", test_tlb_big_invlpg);
    CU_add_test(s, "victim entries: index conflicts, INVLPG, CR3, code pages", test_tlb_victim);
    CU_add_test(s, "A20, global pages, PDPTE loads, fetch TLB", test_tlb_a20_global_pae);
#if TX86_NATIVE_BACKEND
    CU_add_test(s, "native chaining: budgets, SMC unpatch, flush", test_chaining);
    CU_add_test(s, "SMC: the code bitmap skips stores to data bytes", test_smc_bitmap);
#endif
}
