/*
 * seg.c - protected-mode segmentation (seg.h): descriptor table reads,
 * segment cache loads, MOV/POP/LxS segment register loads with every check
 * of the SDM (vol. 2 "MOV - Move to segment register", vol. 3 5.4-5.6),
 * the checked stacks used by far transfers and interrupt delivery, and the
 * per-segment access classes the front end uses to check data accesses.
 *
 * Segment classes (SEG_CLS_*, two bits per segment in hflags): the front
 * end emits nothing for a FLAT segment (base 0, 4 GiB, writable data), an
 * inline "offset + size - 1 <= limit" for expand-up segments, an
 * unconditional #GP for writes to read-only ones, and a call to
 * helper_seg_check() (seg_check_access) for everything else.  Real and
 * virtual-8086 mode check limits only (SDM 20.1.1: no type checks).  One
 * limit rule serves every path (seg_offset_ok: offsets modulo 2^32, an
 * access wrapping past 4 GiB faults unless the limit is 4 GiB), and every
 * implicit stack access of a helper goes through a SegStack (#SS).
 *
 *     seg_load(env, R_DS, 0x23);      // may raise #GP/#NP/#SS(sel)
 */
#include <glib.h>
#include "cpu-x86/seg.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/mem.h"

uint32_t desc_base(Desc d)
{
    return (d.lo >> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000u);
}

uint32_t desc_limit(Desc d)
{
    uint32_t limit = (d.lo & 0xffff) | (d.hi & 0x000f0000u);

    return (d.hi & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}

/* linear address of the descriptor of sel; false outside the table */
static bool seg_desc_addr(CPUState *env, uint16_t sel, uint32_t *addr)
{
    uint32_t base, limit, index = sel & ~7u;

    if (sel & 4) {
        if ((env->ldt.selector & 0xfffc) == 0)
            return false;
        base = env->ldt.base;
        limit = env->ldt.limit;
    } else {
        base = env->gdt.base;
        limit = env->gdt.limit;
    }
    if (index + 7 > limit)
        return false;
    *addr = base + index;
    return true;
}

bool seg_read_desc(CPUState *env, uint16_t sel, Desc *d)
{
    uint32_t a;

    if (!seg_desc_addr(env, sel, &a))
        return false;
    d->lo = cpu_ld32_kernel(env, a);
    d->hi = cpu_ld32_kernel(env, a + 4);
    return true;
}

void seg_write_desc_hi(CPUState *env, uint16_t sel, uint32_t hi)
{
    uint32_t a;

    if (seg_desc_addr(env, sel, &a))
        cpu_st32_kernel(env, a + 4, hi);
}

void seg_cache_load(SegmentCache *sc, uint16_t sel, Desc d)
{
    sc->selector = sel;
    sc->base = desc_base(d);
    sc->limit = desc_limit(d);
    sc->flags = d.hi & 0x00ffff00u;
}

void seg_set_accessed(CPUState *env, uint16_t sel, Desc *d)
{
    if (!(d->hi & DESC_A_BIT)) {
        d->hi |= DESC_A_BIT;
        seg_write_desc_hi(env, sel, d->hi);
    }
}

static void seg_load_null(SegmentCache *sc, uint16_t sel)
{
    sc->selector = sel;
    sc->base = 0;
    sc->limit = 0;
    sc->flags = 0;          /* not present: any use is #GP(0) */
}

void seg_load(CPUState *env, int seg, uint16_t sel)
{
    uint32_t err = sel & 0xfffc;
    int cpl, rpl = sel & 3, dpl;
    Desc d;

    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK)) {
        cpu_load_seg_real(env, seg, sel);
        cpu_update_hflags(env);
        return;
    }
    cpl = cpu_cpl(env);
    if ((sel & 0xfffc) == 0) {
        if (seg == R_SS)
            raise_exception(env, EXCP_GP, 0);
        seg_load_null(&env->seg[seg], sel);
        cpu_update_hflags(env);
        return;
    }
    if (!seg_read_desc(env, sel, &d))
        raise_exception(env, EXCP_GP, err);
    dpl = desc_dpl(d);
    if (seg == R_SS) {
        if (rpl != cpl || desc_is_system(d) || (d.hi & DESC_CODE_BIT) ||
            !(d.hi & DESC_RW_BIT) || dpl != cpl)
            raise_exception(env, EXCP_GP, err);
        if (!desc_present(d))
            raise_exception(env, EXCP_SS, err);
    } else {
        if (desc_is_system(d) || ((d.hi & DESC_CODE_BIT) && !(d.hi & DESC_RW_BIT)))
            raise_exception(env, EXCP_GP, err);   /* system or execute-only */
        if (!(d.hi & DESC_CODE_BIT) || !(d.hi & DESC_CE_BIT)) {
            if (rpl > dpl || cpl > dpl)           /* data, non-conforming code */
                raise_exception(env, EXCP_GP, err);
        }
        if (!desc_present(d))
            raise_exception(env, EXCP_NP, err);
    }
    seg_set_accessed(env, sel, &d);
    seg_cache_load(&env->seg[seg], sel, d);
    cpu_update_hflags(env);
}

void seg_set_cs(CPUState *env, uint16_t sel, Desc d, int cpl)
{
    seg_set_accessed(env, sel, &d);
    seg_cache_load(&env->seg[R_CS], (uint16_t)((sel & 0xfffc) | cpl), d);
    env->hflags = (env->hflags & ~HF_CPL_MASK) | ((uint32_t)cpl << HF_CPL_SHIFT);
}

void seg_load_cs(CPUState *env, uint16_t sel, Desc d, int cpl)
{
    seg_set_cs(env, sel, d, cpl);
    cpu_update_hflags(env);
}

void seg_check_ss(CPUState *env, uint16_t ss, int dpl, int vector, uint32_t ext, Desc *d)
{
    uint32_t err = (ss & 0xfffc) | ext;

    if ((ss & 0xfffc) == 0)
        raise_exception(env, vector, ext);
    if (!seg_read_desc(env, ss, d))
        raise_exception(env, vector, err);
    if ((ss & 3) != dpl || desc_is_system(*d) || (d->hi & DESC_CODE_BIT) ||
        !(d->hi & DESC_RW_BIT) || desc_dpl(*d) != dpl)
        raise_exception(env, vector, err);
    if (!desc_present(*d))
        raise_exception(env, EXCP_SS, err);
}

void seg_tss_stack(CPUState *env, int dpl, uint32_t ext, uint16_t *ss, uint32_t *esp)
{
    uint32_t err = (env->tr.selector & 0xfffc) | ext;
    uint32_t off, base = env->tr.base;

    if (!(env->tr.flags & DESC_P_MASK))
        raise_exception(env, EXCP_TS, err);
    if (env->tr.flags & (8u << DESC_TYPE_SHIFT)) {          /* 32-bit TSS */
        off = 4 + 8 * (uint32_t)dpl;
        if (off + 5 > env->tr.limit)
            raise_exception(env, EXCP_TS, err);
        *esp = cpu_ld32_kernel(env, base + off);
        *ss = (uint16_t)mmu_ld_fast(env, base + off + 4, 2, TLB_MMU_KERNEL);
    } else {                                                /* 16-bit TSS */
        off = 2 + 4 * (uint32_t)dpl;
        if (off + 3 > env->tr.limit)
            raise_exception(env, EXCP_TS, err);
        *esp = mmu_ld_fast(env, base + off, 2, TLB_MMU_KERNEL);
        *ss = (uint16_t)mmu_ld_fast(env, base + off + 2, 2, TLB_MMU_KERNEL);
    }
}

void seg_null_invalid(CPUState *env)
{
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
    int cpl = cpu_cpl(env);

    for (unsigned i = 0; i < G_N_ELEMENTS(segs); i++) {
        SegmentCache *sc = &env->seg[segs[i]];
        bool conforming_code = (sc->flags & DESC_CODE_BIT) && (sc->flags & DESC_CE_BIT);
        int dpl = (sc->flags >> DESC_DPL_SHIFT) & 3;

        if (!conforming_code && dpl < cpl)
            seg_load_null(sc, 0);
    }
    cpu_update_hflags(env);
}

/* ------------------------------------------------------------------ */
/* the limit rule                                                      */

/*
 * SDM vol. 3 5.3: an access of size bytes at off is allowed when every
 * byte is at a valid offset: [0, limit] for expand-up segments,
 * [limit + 1, top] for expand-down ones (top 0xFFFF or 0xFFFFFFFF by the
 * B flag).  Offsets are taken modulo 2^32, so an access that wraps past
 * 4 GiB faults unless the wrapped bytes are valid: only in an expand-up
 * segment with a 4 GiB limit, where the SDM leaves the outcome to the
 * implementation ("may or may not cause the indicated exceptions") and
 * tx86 lets it wrap, like the FLAT class that emits no check at all.
 */
bool seg_offset_ok(uint32_t limit, bool expand_down, uint32_t top, uint32_t off,
                   uint32_t size)
{
    uint32_t last = off + size - 1;

    if (expand_down)
        return off > limit && last <= top && last >= off;
    if (last < off)                     /* wraps past 4 GiB */
        return limit == 0xffffffffu;
    return last <= limit;
}

/* ------------------------------------------------------------------ */
/* checked stacks                                                      */

void seg_stack_init(SegStack *st, uint32_t base, uint32_t limit, uint32_t flags,
                    uint32_t esp, int cpl, uint32_t err)
{
    st->base = base;
    st->limit = limit;
    st->flags = flags;
    st->mask = (flags & DESC_B_MASK) ? 0xffffffffu : 0xffffu;
    st->sp = esp;
    st->err = err;
    st->mode = cpl == 3 ? TLB_MMU_USER : TLB_MMU_KERNEL;
}

void seg_stack_cur(CPUState *env, SegStack *st)
{
    const SegmentCache *ss = &env->seg[R_SS];
    uint32_t flags = ss->flags;

    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK))
        flags = DESC_RW_BIT | (flags & DESC_B_MASK);    /* limit checks only */
    seg_stack_init(st, ss->base, ss->limit, flags, env->regs[R_ESP], cpu_cpl(env), 0);
}

void seg_stack_commit(CPUState *env, const SegStack *st)
{
    env->regs[R_ESP] = (env->regs[R_ESP] & ~st->mask) | (st->sp & st->mask);
}

static void seg_stack_check(CPUState *env, SegStack *st, uint32_t off, int size)
{
    bool down = !(st->flags & DESC_CODE_BIT) && (st->flags & DESC_CE_BIT);

    if (!seg_offset_ok(st->limit, down, st->mask, off, (uint32_t)size))
        raise_exception(env, EXCP_SS, st->err);
}

void seg_stack_probe(CPUState *env, SegStack *st, int size)
{
    seg_stack_check(env, st, st->sp & st->mask, size);
}

void seg_stack_push(CPUState *env, SegStack *st, int size, uint32_t v)
{
    uint32_t off;

    st->sp -= (uint32_t)size;
    off = st->sp & st->mask;
    seg_stack_check(env, st, off, size);
    mmu_st_fast(env, st->base + off, v, (uint32_t)size, st->mode);
}

uint32_t seg_stack_pop(CPUState *env, SegStack *st, int size)
{
    uint32_t off = st->sp & st->mask, v;

    seg_stack_check(env, st, off, size);
    v = mmu_ld_fast(env, st->base + off, (uint32_t)size, st->mode);
    st->sp += (uint32_t)size;
    return v;
}

/* ------------------------------------------------------------------ */
/* data access classes and checks (front end)                          */

/* the class of a protected-mode segment by its descriptor bits: index
 * type (bits 0-3: code, C/E, R/W, accessed) | S << 4 | P << 5; SEG_CLS_FLAT
 * here means "FLAT if base 0 and limit 4 GiB, else UP".  Null selectors
 * (P = 0 in the cache) and system segments are SLOW, code is UP_RO when
 * readable (writes always fault) else SLOW, expand-down data SLOW,
 * read-only data UP_RO. */
#define SEG_PM_CLS(i)                                                          \
    (!((i) & 0x20) || !((i) & 0x10) ? SEG_CLS_SLOW                             \
     : ((i) & 8) ? (((i) & 2) ? SEG_CLS_UP_RO : SEG_CLS_SLOW)                  \
     : ((i) & 4) ? SEG_CLS_SLOW : !((i) & 2) ? SEG_CLS_UP_RO : SEG_CLS_FLAT)
#define SEG_PM_CLS4(i) SEG_PM_CLS(i), SEG_PM_CLS((i) + 1), SEG_PM_CLS((i) + 2), SEG_PM_CLS((i) + 3)
#define SEG_PM_CLS16(i) SEG_PM_CLS4(i), SEG_PM_CLS4((i) + 4), SEG_PM_CLS4((i) + 8), SEG_PM_CLS4((i) + 12)
static const uint8_t seg_pm_class[64] = {
    SEG_PM_CLS16(0), SEG_PM_CLS16(16), SEG_PM_CLS16(32), SEG_PM_CLS16(48)
};

/* every segment's class for hflags: called at each CPL, mode and segment
 * change (far transfers, interrupts, SYSENTER/SYSEXIT), so one table
 * lookup per segment rather than a chain of tests */
uint32_t seg_hflags(const CPUState *env)
{
    bool pm = (env->cr[0] & CR0_PE) && !(env->eflags & VM_MASK);
    uint32_t hf = 0;

    for (int seg = 0; seg < NUM_SEGS; seg++) {
        const SegmentCache *sc = &env->seg[seg];
        uint32_t f = sc->flags, cls = SEG_CLS_FLAT;

        if (pm)             /* real and v8086 mode: limit checks only */
            cls = seg_pm_class[((f >> DESC_TYPE_SHIFT) & 0x1f) | ((f >> 10) & 0x20)];
        if (cls == SEG_CLS_FLAT && (sc->base != 0 || sc->limit != 0xffffffffu))
            cls = SEG_CLS_UP;
        hf |= cls << (HF_SEG_SHIFT + 2 * seg);
    }
    return hf;
}

void seg_check_access(CPUState *env, int seg, uint32_t off, int size, bool write)
{
    const SegmentCache *sc = &env->seg[seg];
    uint32_t f = sc->flags;
    bool down = false;

    if ((env->cr[0] & CR0_PE) && !(env->eflags & VM_MASK)) {
        if (!(f & DESC_P_MASK) || !(f & DESC_S_MASK))
            raise_exception(env, EXCP_GP, 0);            /* null selector */
        if ((f & DESC_CODE_BIT) ? (write || !(f & DESC_RW_BIT)) : (write && !(f & DESC_RW_BIT)))
            raise_exception(env, EXCP_GP, 0);            /* type */
        down = !(f & DESC_CODE_BIT) && (f & DESC_CE_BIT);
    }
    if (!seg_offset_ok(sc->limit, down, (f & DESC_B_MASK) ? 0xffffffffu : 0xffffu, off,
                       (uint32_t)size))
        raise_exception(env, seg == R_SS ? EXCP_SS : EXCP_GP, 0);
}

/* packed: seg | write << 3 | size << 4 (SEG_CHECK_ARG) */
void helper_seg_check(CPUState *env, uint32_t packed, uint32_t off)
{
    seg_check_access(env, packed & 7, off, (int)(packed >> 4), (packed >> 3) & 1);
}

/* the inline check failed (or a write to a read-only segment) */
void helper_seg_fault(CPUState *env, uint32_t seg)
{
    raise_exception(env, seg == R_SS ? EXCP_SS : EXCP_GP, 0);
}

/* ------------------------------------------------------------------ */
/* LAR, LSL, VERR, VERW (SDM vol. 2): ZF = 1 when the descriptor is    */
/* valid and visible at CPL and RPL; no fault for bad selectors        */

static void seg_set_zf(CPUState *env, bool z)
{
    uint32_t fl = cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);

    env->cc_src = z ? (fl | CC_Z) : (fl & ~CC_Z);
    env->cc_op = CC_OP_EFLAGS;
}

/* the descriptor of sel if it is visible (DPL >= CPL and RPL, except for
 * conforming code); system types allowed by the mask (1 << type) */
static bool seg_visible(CPUState *env, uint16_t sel, uint32_t sys_types, Desc *d)
{
    int dpl;

    if ((sel & 0xfffc) == 0 || !seg_read_desc(env, sel, d))
        return false;
    dpl = desc_dpl(*d);
    if (desc_is_system(*d)) {
        if (!(sys_types & (1u << desc_type(*d))))
            return false;
    } else if ((d->hi & DESC_CODE_BIT) && (d->hi & DESC_CE_BIT)) {
        return true;                            /* conforming code */
    }
    return dpl >= cpu_cpl(env) && dpl >= (sel & 3);
}

uint32_t helper_lar(CPUState *env, uint32_t sel, uint32_t old)
{
    Desc d;
    /* TSS 16/32 (avail/busy), LDT, call gates 16/32, task gate */
    bool ok = seg_visible(env, (uint16_t)sel, 0x1a3e, &d);

    seg_set_zf(env, ok);
    return ok ? d.hi & 0x00f0ff00u : old;
}

uint32_t helper_lsl(CPUState *env, uint32_t sel, uint32_t old)
{
    Desc d;
    /* TSS 16/32 (avail/busy), LDT: no gates */
    bool ok = seg_visible(env, (uint16_t)sel, 0x0a0e, &d);

    seg_set_zf(env, ok);
    return ok ? desc_limit(d) : old;
}

void helper_verr(CPUState *env, uint32_t sel)
{
    Desc d;
    bool ok = seg_visible(env, (uint16_t)sel, 0, &d) && !desc_is_system(d) &&
              (!(d.hi & DESC_CODE_BIT) || (d.hi & DESC_RW_BIT));

    seg_set_zf(env, ok);
}

void helper_verw(CPUState *env, uint32_t sel)
{
    Desc d;
    bool ok = seg_visible(env, (uint16_t)sel, 0, &d) && !desc_is_system(d) &&
              !(d.hi & DESC_CODE_BIT) && (d.hi & DESC_RW_BIT);

    seg_set_zf(env, ok);
}
