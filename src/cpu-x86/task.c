/*
 * task.c - hardware task switching (SDM vol. 3 ch. 7, "Task Management").
 *
 * task_switch() is called by far JMP/CALL (farctl.c), by interrupt and
 * exception delivery through a task gate (intr_pm.c) and by IRET with
 * NT=1; the caller has done the privilege checks of its own path (task.h).
 * The switch runs in three phases:
 *
 *   1. checks that can still fail in the old task: the new TSS descriptor
 *      (in the GDT, type, busy, present, limit), the old TSS limit, and a
 *      read of the whole new TSS image (a #PF here leaves the old task as
 *      it was: nothing has been written);
 *   2. the commit: the old state is written to the old TSS (NT cleared in
 *      the image for IRET), busy bits (JMP/IRET clear the old one, CALL/INT
 *      keep it; the new one is set), the back link and NT for CALL/INT, TR,
 *      CR0.TS, CR3 (only with paging: flushes the TLB), EIP, EFLAGS, the
 *      general registers, the selectors (descriptors marked invalid);
 *   3. loading the LDT and segment descriptors with the checks of SDM
 *      table 7-1.  A fault here is raised with env already describing the
 *      new task, so it is delivered in the new task's context.
 *
 * TSS layouts (offsets):
 *   32-bit: 0 link, 4 ESP0, 8 SS0, ... 1C CR3, 20 EIP, 24 EFLAGS, 28-44 EAX..EDI,
 *           48-5C ES CS SS DS FS GS (dword slots), 60 LDT, 64 T bit, 66 I/O map base
 *   16-bit: 0 link, 2 SP0, 4 SS0, ... 0E IP, 10 FLAGS, 12-20 AX..DI,
 *           22-28 ES CS SS DS, 2A LDT
 * A 16-bit TSS loads the upper halves as Bochs documents real CPUs doing:
 * EIP and EFLAGS 0, general registers 0xFFFF, FS and GS null.
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/seg.h"
#include "cpu-x86/task.h"
#include "cpu-x86/debug.h"
#include "cpu-x86/mem.h"
#include "util/log.h"

#define TSS_BUSY (2u << DESC_TYPE_SHIFT)     /* busy bit in the type field */

/* the parts of a TSS a switch loads */
typedef struct TaskImage {
    uint32_t cr3, eip, eflags;
    uint32_t regs[8];
    uint16_t segs[NUM_SEGS];
    uint16_t ldt;
    uint16_t trap;                  /* T bit (32-bit TSS only) */
} TaskImage;

static inline uint32_t task_ld16(CPUState *env, uint32_t a)
{
    return mmu_ld_fast(env, a, 2, TLB_MMU_KERNEL);
}

static inline void task_st16(CPUState *env, uint32_t a, uint32_t v)
{
    mmu_st_fast(env, a, v, 2, TLB_MMU_KERNEL);
}

static uint32_t task_desc_base(uint32_t lo, uint32_t hi)
{
    return (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
}

static uint32_t task_desc_limit(uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0x000f0000u);

    return (hi & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}

static void task_cache_set(SegmentCache *sc, uint16_t sel, uint32_t lo, uint32_t hi)
{
    sc->selector = sel;
    sc->base = task_desc_base(lo, hi);
    sc->limit = task_desc_limit(lo, hi);
    sc->flags = hi & 0x00ffff00u;
}

/* linear address of sel's descriptor in the GDT or the current LDT;
 * false when beyond the table limit (or the LDT is null) */
static bool task_desc_addr(CPUState *env, uint16_t sel, uint32_t *addr)
{
    uint32_t index = sel & ~7u;

    if (sel & 4) {
        if ((env->ldt.selector & 0xfffc) == 0 || index + 7 > env->ldt.limit)
            return false;
        *addr = env->ldt.base + index;
    } else {
        if (index + 7 > env->gdt.limit)
            return false;
        *addr = env->gdt.base + index;
    }
    return true;
}

static bool task_desc_read(CPUState *env, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    uint32_t a;

    if (!task_desc_addr(env, sel, &a))
        return false;
    *lo = cpu_ld32_kernel(env, a);
    *hi = cpu_ld32_kernel(env, a + 4);
    return true;
}

static void task_desc_write_hi(CPUState *env, uint16_t sel, uint32_t hi)
{
    uint32_t a;

    if (task_desc_addr(env, sel, &a))
        cpu_st32_kernel(env, a + 4, hi);
}

static void task_set_accessed(CPUState *env, uint16_t sel, uint32_t *hi)
{
    if (!(*hi & DESC_A_BIT)) {
        *hi |= DESC_A_BIT;
        task_desc_write_hi(env, sel, *hi);
    }
}

static void task_read_image(CPUState *env, uint32_t base, bool is32, TaskImage *t)
{
    int i;

    if (is32) {
        t->cr3 = cpu_ld32_kernel(env, base + 0x1c);
        t->eip = cpu_ld32_kernel(env, base + 0x20);
        t->eflags = cpu_ld32_kernel(env, base + 0x24);
        for (i = 0; i < 8; i++)
            t->regs[i] = cpu_ld32_kernel(env, base + 0x28 + 4 * i);
        for (i = 0; i < NUM_SEGS; i++)
            t->segs[i] = (uint16_t)task_ld16(env, base + 0x48 + 4 * i);
        t->ldt = (uint16_t)task_ld16(env, base + 0x60);
        t->trap = (uint16_t)task_ld16(env, base + 0x64);
    } else {
        t->cr3 = 0;
        t->eip = task_ld16(env, base + 0x0e);
        t->eflags = task_ld16(env, base + 0x10);
        for (i = 0; i < 8; i++)
            t->regs[i] = 0xffff0000u | task_ld16(env, base + 0x12 + 2 * i);
        for (i = 0; i < 4; i++)          /* ES CS SS DS */
            t->segs[i] = (uint16_t)task_ld16(env, base + 0x22 + 2 * i);
        t->segs[R_FS] = t->segs[R_GS] = 0;
        t->ldt = (uint16_t)task_ld16(env, base + 0x2a);
        t->trap = 0;
    }
}

/* save the current task's dynamic state into its TSS */
static void task_save_state(CPUState *env, uint32_t next_eip, uint32_t eflags)
{
    uint32_t base = env->tr.base;
    int i;

    if (env->tr.flags & (8u << DESC_TYPE_SHIFT)) {
        cpu_st32_kernel(env, base + 0x20, next_eip);
        cpu_st32_kernel(env, base + 0x24, eflags);
        for (i = 0; i < 8; i++)
            cpu_st32_kernel(env, base + 0x28 + 4 * i, env->regs[i]);
        for (i = 0; i < NUM_SEGS; i++)
            task_st16(env, base + 0x48 + 4 * i, env->seg[i].selector);
    } else {
        task_st16(env, base + 0x0e, next_eip);
        task_st16(env, base + 0x10, eflags);
        for (i = 0; i < 8; i++)
            task_st16(env, base + 0x12 + 2 * i, env->regs[i]);
        for (i = 0; i < 4; i++)
            task_st16(env, base + 0x22 + 2 * i, env->seg[i].selector);
    }
}

/* virtual-8086 segment: base sel*16, limit 64 KiB, DPL 3, present */
static void task_load_seg_v86(SegmentCache *sc, uint16_t sel, bool code)
{
    sc->selector = sel;
    sc->base = (uint32_t)sel << 4;
    sc->limit = 0xffff;
    sc->flags = DESC_P_MASK | DESC_S_MASK | (3u << DESC_DPL_SHIFT) |
                ((code ? 0xbu : 0x3u) << DESC_TYPE_SHIFT);
}

static void task_load_ldt(CPUState *env, uint16_t sel)
{
    uint32_t lo, hi;

    if ((sel & 0xfffc) == 0) {
        env->ldt.selector = sel;
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
        return;
    }
    if ((sel & 4) || !task_desc_read(env, sel & ~4u, &lo, &hi))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    if ((hi & DESC_S_MASK) || ((hi >> DESC_TYPE_SHIFT) & 0xf) != 2 || !(hi & DESC_P_MASK))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    task_cache_set(&env->ldt, sel, lo, hi);
}

static void task_load_cs(CPUState *env, uint16_t sel)
{
    uint32_t lo, hi, dpl, rpl = sel & 3;

    if ((sel & 0xfffc) == 0 || !task_desc_read(env, sel, &lo, &hi))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (!(hi & DESC_S_MASK) || !(hi & DESC_CODE_BIT))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    if ((hi & DESC_CE_BIT) ? dpl > rpl : dpl != rpl)
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    if (!(hi & DESC_P_MASK))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
    task_set_accessed(env, sel, &hi);
    task_cache_set(&env->seg[R_CS], sel, lo, hi);
}

static void task_load_ss(CPUState *env, uint16_t sel, uint32_t cpl)
{
    uint32_t lo, hi;

    if ((sel & 0xfffc) == 0 || !task_desc_read(env, sel, &lo, &hi))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    if ((sel & 3) != cpl || ((hi >> DESC_DPL_SHIFT) & 3) != cpl ||
        !(hi & DESC_S_MASK) || (hi & DESC_CODE_BIT) || !(hi & DESC_RW_BIT))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    if (!(hi & DESC_P_MASK))
        raise_exception(env, EXCP_SS, sel & 0xfffc);
    task_set_accessed(env, sel, &hi);
    task_cache_set(&env->seg[R_SS], sel, lo, hi);
}

static void task_load_data(CPUState *env, int seg, uint16_t sel, uint32_t cpl)
{
    uint32_t lo, hi, dpl;

    if ((sel & 0xfffc) == 0) {
        env->seg[seg].selector = sel;
        env->seg[seg].base = 0;
        env->seg[seg].limit = 0;
        env->seg[seg].flags = 0;
        return;
    }
    if (!task_desc_read(env, sel, &lo, &hi))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (!(hi & DESC_S_MASK) || ((hi & DESC_CODE_BIT) && !(hi & DESC_RW_BIT)))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    /* data and non-conforming code: DPL >= CPL and DPL >= RPL */
    if ((!(hi & DESC_CODE_BIT) || !(hi & DESC_CE_BIT)) && (dpl < cpl || dpl < (sel & 3u)))
        raise_exception(env, EXCP_TS, sel & 0xfffc);
    if (!(hi & DESC_P_MASK))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
    task_set_accessed(env, sel, &hi);
    task_cache_set(&env->seg[seg], sel, lo, hi);
}

void task_switch(CPUState *env, uint16_t tss_sel, int source, uint32_t next_eip)
{
    uint32_t lo, hi, type, base, limit, eflags, old_hi;
    bool is32, iret = source == TASK_FROM_IRET;
    int wrong_kind = iret ? EXCP_TS : EXCP_GP;
    uint16_t old_sel = env->tr.selector;
    TaskImage t;
    uint32_t cpl;
    int i;

    if (log_enabled(LOG_INT))
        log_printf("task: switch %04x -> %04x (%s) eip=%08x\n", old_sel, tss_sel,
                   (const char *[]){ "jmp", "call", "int", "iret" }[source], next_eip);

    /* phase 1: the new TSS descriptor must be a TSS in the GDT */
    if ((tss_sel & 4) || !task_desc_read(env, tss_sel, &lo, &hi))
        raise_exception(env, wrong_kind, tss_sel & 0xfffc);
    type = (hi >> DESC_TYPE_SHIFT) & 0x1f;      /* with the S bit */
    if (iret ? (type != 0x03 && type != 0x0b) : (type != 0x01 && type != 0x09))
        raise_exception(env, wrong_kind, tss_sel & 0xfffc);
    if (!(hi & DESC_P_MASK))
        raise_exception(env, EXCP_NP, tss_sel & 0xfffc);
    is32 = (type & 8) != 0;
    limit = task_desc_limit(lo, hi);
    if (limit < (is32 ? 0x67u : 0x2bu))
        raise_exception(env, EXCP_TS, tss_sel & 0xfffc);
    if (env->tr.limit < ((env->tr.flags & (8u << DESC_TYPE_SHIFT)) ? 0x5fu : 0x29u))
        raise_exception(env, EXCP_TS, old_sel & 0xfffc);
    base = task_desc_base(lo, hi);
    task_read_image(env, base, is32, &t);

    /* phase 2: commit.  Everything that can still fault here (#PF on the
     * old TSS or the descriptor tables) is written before anything else. */
    eflags = cpu_compute_eflags(env);
    if (iret)
        eflags &= ~NT_MASK;
    task_save_state(env, next_eip, eflags);
    if (source == TASK_FROM_JMP || iret) {
        if (task_desc_read(env, old_sel, &lo, &old_hi))
            task_desc_write_hi(env, old_sel, old_hi & ~TSS_BUSY);
    }
    if (source == TASK_FROM_CALL || source == TASK_FROM_INT) {
        task_st16(env, base, old_sel);          /* back link */
        t.eflags |= NT_MASK;
    }
    if (!iret) {
        hi |= TSS_BUSY;
        task_desc_write_hi(env, tss_sel, hi);
    }
    env->tr.selector = tss_sel;
    env->tr.base = base;
    env->tr.limit = limit;
    env->tr.flags = (hi | TSS_BUSY) & 0x00ffff00u;
    env->cr[0] |= CR0_TS;
    env->dr[7] &= ~0x155u;                     /* local breakpoints L0-L3, LE */
    if (is32 && (env->cr[0] & CR0_PG)) {
        env->cr[3] = t.cr3;
        tlb_flush(env);
    }
    env->eip = t.eip;
    for (i = 0; i < 8; i++)
        env->regs[i] = t.regs[i];
    if (!is32)
        eflags = (t.eflags & 0xffff) | 2u;
    else
        eflags = t.eflags;
    cpu_load_eflags(env, eflags, 0xffffffffu);
    /* selectors first: their descriptors are not valid until checked */
    for (i = 0; i < NUM_SEGS; i++) {
        env->seg[i].selector = t.segs[i];
        env->seg[i].flags &= ~DESC_P_MASK;
    }
    env->ldt.selector = t.ldt;

    /* phase 3: descriptors, faults in the new task's context */
    if (env->eflags & VM_MASK) {
        for (i = 0; i < NUM_SEGS; i++)
            task_load_seg_v86(&env->seg[i], t.segs[i], i == R_CS);
        cpl = 3;
    } else {
        cpl = t.segs[R_CS] & 3;
    }
    env->hflags = (env->hflags & ~HF_CPL_MASK) | (cpl << HF_CPL_SHIFT);
    cpu_update_hflags(env);
    task_load_ldt(env, t.ldt);
    if (!(env->eflags & VM_MASK)) {
        task_load_cs(env, t.segs[R_CS]);
        cpu_update_hflags(env);
        task_load_ss(env, t.segs[R_SS], cpl);
        cpu_update_hflags(env);
        task_load_data(env, R_DS, t.segs[R_DS], cpl);
        task_load_data(env, R_ES, t.segs[R_ES], cpl);
        task_load_data(env, R_FS, t.segs[R_FS], cpl);
        task_load_data(env, R_GS, t.segs[R_GS], cpl);
    }
    cpu_update_hflags(env);
    if (env->eip > env->seg[R_CS].limit)
        raise_exception(env, EXCP_GP, 0);
    if (t.trap & 1) {
        debug_task_trap(env);           /* #DB (DR6.BT) before the new task's first insn */
    }
}

void task_push_error_code(CPUState *env, uint32_t error_code)
{
    SegStack st;

    seg_stack_cur(env, &st);
    seg_stack_push(env, &st, (env->tr.flags & (8u << DESC_TYPE_SHIFT)) ? 4 : 2, error_code);
    seg_stack_commit(env, &st);
}
