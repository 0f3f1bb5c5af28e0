/*
 * helpers_string.c - MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS with and
 * without REP/REPE/REPNE, 16- and 32-bit address size.
 *
 * One helper per instruction (emitters in gen_string.c).  The first
 * argument packs the element size, address size, REP kind and source
 * segment (STR_ARG in gen_sys.h), the second is the eip of the next
 * instruction.  Each returns the eip to continue at.
 *
 * Every element is checked against its segment (limit, and type: null,
 * read-only for the ES:EDI stores) unless the segment is FLAT in hflags:
 * one compare for expand-up segments the access may use, seg_check_access
 * (which raises #GP(0), #SS(0) for an SS override) otherwise.  A REP run
 * that stays inside its segments is found before the loop (str_prepare)
 * and runs the loop instantiated without checks.
 *
 * REP loops are restartable: ECX/ESI/EDI are written back after every
 * element, so a fault in the middle is precise (eip still at the
 * instruction, registers describing the elements done); after STR_CHUNK
 * elements the helper returns its own eip with ECX != 0, the block ends
 * and the CPU loop may take an interrupt before the instruction resumes.
 * With ECX = 0 at the start nothing happens (flags unchanged).
 * CMPS/SCAS leave their flags lazily as CC_OP_SUBx in env (the helper is
 * HF_WRITES_STATE, so the front end forgets its static cc_op).
 */
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/gen_sys.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/seg.h"
#include "bus/ioport.h"
#include "mmu/mmu.h"

/* how one operand's elements are checked: not at all (FLAT), by one
 * compare (an expand-up segment the access type may use: off <= max), or
 * by seg_check_access (everything else, and whatever the compare rejects).
 * Before a run of elements, str_run() clears `each` when every element of
 * the run is known to pass, so REP loops inside a segment check nothing
 * per element. */
typedef struct StrCheck {
    bool check, fast;
    bool each;              /* check every element of the current run */
    uint32_t max;           /* highest offset of an element inside the limit */
} StrCheck;

typedef struct StrCtx {
    int size;
    uint32_t amask;         /* 0xffff or 0xffffffff */
    int32_t step;           /* +size or -size (DF) */
    int src_seg;            /* DS or the override */
    uint32_t src_base, dst_base;
    StrCheck src, dst;      /* dst: for a store (MOVS, STOS, INS) */
} StrCtx;

static inline void str_check_init(CPUState *env, StrCheck *k, int seg, int size, bool write)
{
    int cls = seg_hf_class(env->hflags, seg);
    uint32_t limit = env->seg[seg].limit;

    k->check = cls != SEG_CLS_FLAT;
    k->fast = (cls == SEG_CLS_UP || (cls == SEG_CLS_UP_RO && !write)) &&
              limit >= (uint32_t)size - 1;
    k->max = limit - ((uint32_t)size - 1);
    k->each = k->check;
}

static inline void str_init(CPUState *env, StrCtx *c, uint32_t p, bool store)
{
    c->size = (int)STR_ARG_SIZE(p);
    c->amask = (p & STR_ARG_ADDR32) ? 0xffffffffu : 0xffffu;
    c->step = (int32_t)env->df * c->size;
    c->src_seg = (int)STR_ARG_SEG(p);
    c->src_base = env->seg[c->src_seg].base;
    c->dst_base = env->seg[R_ES].base;
    str_check_init(env, &c->src, c->src_seg, c->size, false);
    str_check_init(env, &c->dst, R_ES, c->size, store);
}

/* the segment limit and type check of one element (seg.c) */
static inline void str_check(CPUState *env, const StrCheck *k, int seg, uint32_t off, int size,
                             bool write)
{
    if (k->each && !(k->fast && off <= k->max))
        seg_check_access(env, seg, off, size, write);
}

/* n elements from offset off on: are they all inside (no address-size
 * wrap, every one at or below max)?  Then they need no check. */
static inline void str_run_one(const StrCtx *c, StrCheck *k, uint32_t off, uint32_t n)
{
    int64_t first = off, last = (int64_t)off + (int64_t)(n - 1) * c->step;
    int64_t lo = first < last ? first : last, hi = first < last ? last : first;
    int64_t top = k->max < c->amask ? k->max : c->amask;

    k->each = k->check && !(k->fast && lo >= 0 && hi <= top);
}

static inline void str_run(CPUState *env, StrCtx *c, uint32_t n)
{
    str_run_one(c, &c->src, env->regs[R_ESI] & c->amask, n);
    str_run_one(c, &c->dst, env->regs[R_EDI] & c->amask, n);
}

static inline uint32_t str_ld(CPUState *env, int size, uint32_t a)
{
    return size == 1 ? cpu_ld8(env, a) : size == 2 ? cpu_ld16(env, a) : cpu_ld32(env, a);
}

static inline void str_st(CPUState *env, int size, uint32_t a, uint32_t v)
{
    if (size == 1)
        cpu_st8(env, a, v);
    else if (size == 2)
        cpu_st16(env, a, v);
    else
        cpu_st32(env, a, v);
}

/* index registers: update within the address size */
static inline void str_adv(CPUState *env, const StrCtx *c, int reg)
{
    env->regs[reg] = (env->regs[reg] & ~c->amask) |
                     ((env->regs[reg] + (uint32_t)c->step) & c->amask);
}

/* linear address of the element at seg:ESI (read) / ES:EDI, after the
 * segment limit and type check of this element (seg.c) */
static inline uint32_t str_src(CPUState *env, const StrCtx *c, bool chk)
{
    uint32_t off = env->regs[R_ESI] & c->amask;

    if (chk)
        str_check(env, &c->src, c->src_seg, off, c->size, false);
    return c->src_base + off;
}

static inline uint32_t str_dst(CPUState *env, const StrCtx *c, bool write, bool chk)
{
    uint32_t off = env->regs[R_EDI] & c->amask;

    if (chk)
        str_check(env, &c->dst, R_ES, off, c->size, write);
    return c->dst_base + off;
}

static inline uint32_t str_count(CPUState *env, const StrCtx *c)
{
    return env->regs[R_ECX] & c->amask;
}

static inline void str_dec_count(CPUState *env, const StrCtx *c)
{
    env->regs[R_ECX] = (env->regs[R_ECX] & ~c->amask) |
                       ((env->regs[R_ECX] - 1) & c->amask);
}

static inline uint32_t size_mask(int size)
{
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* before the elements of this call: must any of them be checked?  (a REP
 * run entirely inside its segments needs no per-element check) */
static inline bool str_prepare(CPUState *env, StrCtx *c, uint32_t p)
{
    uint32_t n;

    if (!STR_ARG_REP(p))
        return c->src.each || c->dst.each;
    n = str_count(env, c);
    str_run(env, c, n < STR_CHUNK ? (n ? n : 1) : STR_CHUNK);
    return c->src.each || c->dst.each;
}

/* the loop shared by every instruction; ONE(env, c, chk) does one element,
 * instantiated with and without the per-element checks */
#define STR_REP(ONE, chk, next)                                              \
    do {                                                                     \
        for (uint32_t n_ = 0; n_ < STR_CHUNK; n_++) {                        \
            if (str_count(env, &c) == 0)                                     \
                return (next);                                               \
            ONE(env, &c, chk);                                               \
            str_dec_count(env, &c);                                          \
        }                                                                    \
        return str_count(env, &c) ? env->eip : (next);                       \
    } while (0)
#define STR_LOOP(ONE, next)                                                  \
    do {                                                                     \
        bool chk_ = str_prepare(env, &c, p);                                 \
        if (!STR_ARG_REP(p)) {                                               \
            ONE(env, &c, chk_);                                              \
            return (next);                                                   \
        }                                                                    \
        if (chk_)                                                            \
            STR_REP(ONE, true, next);                                        \
        STR_REP(ONE, false, next);                                           \
    } while (0)

static inline void movs_one(CPUState *env, const StrCtx *c, bool chk)
{
    uint32_t v = str_ld(env, c->size, str_src(env, c, chk));
    str_st(env, c->size, str_dst(env, c, true, chk), v);
    str_adv(env, c, R_ESI);
    str_adv(env, c, R_EDI);
}

static inline void stos_one(CPUState *env, const StrCtx *c, bool chk)
{
    str_st(env, c->size, str_dst(env, c, true, chk), env->regs[R_EAX]);
    str_adv(env, c, R_EDI);
}

/*
 * REP MOVS/STOS a page at a time.  When no element of the run needs a
 * segment check, the elements from ESI/EDI on that stay inside the
 * current page on each side (and inside the 64 KiB of a 16-bit address)
 * are done on host memory at once, provided both pages hit the TLB: a read
 * tag for the source, a write tag for the destination.  A hit means RAM
 * with the A (and, for the write tag, D) bits already set, no translated
 * code on the page and no data breakpoint in it (mmu_tlb_fill caches
 * neither), so nothing an element-by-element run would do is skipped.
 * Everything else (misses, page-crossing elements, MMIO, code pages) goes
 * one element through the ordinary path, which fills the TLB or faults
 * precisely, and the next turn tries again.  ECX/ESI/EDI are written back
 * after each run, so a fault on a later page leaves them as after the
 * last element done.  Overlapping source and destination ranges are
 * copied element by element in the instruction's order (REP MOVSB with
 * EDI = ESI + 1 replicates a byte, as on hardware).
 */

/* of the n elements from linear lin (offset off), how many stay in lin's
 * page and do not wrap a 16-bit offset */
static inline uint32_t str_page_run(const StrCtx *c, uint32_t lin, uint32_t off, uint32_t n)
{
    uint32_t po = lin & 0xfffu, size = (uint32_t)c->size, k;

    if (c->step > 0) {
        k = (0x1000u - po) / size;
        if (c->amask == 0xffffu)
            k = MIN(k, (0x10000u - off) / size);
    } else {
        if (po + size > 0x1000u)
            return 0;
        k = po / size + 1;
        if (c->amask == 0xffffu)
            k = MIN(k, off / size + 1);
    }
    return MIN(k, n);
}

/* host address of linear lin for a run inside its page, or NULL unless
 * the TLB holds the page for that kind of access */
static inline uint8_t *str_host(CPUState *env, uint32_t lin, bool write)
{
    CPUTLBEntry *e = tlb_entry(env, mmu_mode(env), lin);
    GuestVirt tag = lin | TLB_PAGE_LOW;

    if ((write ? e->addr_write : e->addr_read) != tag &&
        !(e = tlb_victim_find(&env->tlb, mmu_mode(env), tag, write)))
        return NULL;            /* (a source and a destination page that
                                 * share an index: one is a victim entry) */
    return (uint8_t *)(e->addend + lin);
}

/* advance an index register (or decrement ECX) by k elements */
static inline void str_adv_n(CPUState *env, const StrCtx *c, int reg, uint32_t k)
{
    env->regs[reg] = (env->regs[reg] & ~c->amask) |
                     ((env->regs[reg] + (uint32_t)c->step * k) & c->amask);
}

static inline void str_sub_count(CPUState *env, const StrCtx *c, uint32_t k)
{
    env->regs[R_ECX] = (env->regs[R_ECX] & ~c->amask) | ((env->regs[R_ECX] - k) & c->amask);
}

/* k elements of MOVS on host memory; hs/hd address the first element */
static void str_host_movs(const StrCtx *c, uint8_t *hd, const uint8_t *hs, uint32_t k)
{
    size_t bytes = (size_t)k * (size_t)c->size;
    const uint8_t *slo = c->step > 0 ? hs : hs - (bytes - (size_t)c->size);
    uint8_t *dlo = c->step > 0 ? hd : hd - (bytes - (size_t)c->size);

    if (dlo + bytes <= slo || slo + bytes <= dlo) {
        memcpy(dlo, slo, bytes);
        return;
    }
    for (uint32_t i = 0; i < k; i++) {
        memmove(hd, hs, (size_t)c->size);
        hd += c->step;
        hs += c->step;
    }
}

/* k elements of STOS (value v, little endian) on host memory */
static void str_host_stos(const StrCtx *c, uint8_t *hd, uint32_t v, uint32_t k)
{
    size_t bytes = (size_t)k * (size_t)c->size;
    uint8_t *dlo = c->step > 0 ? hd : hd - (bytes - (size_t)c->size);
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

    if (c->size == 1) {
        memset(dlo, b[0], bytes);
        return;
    }
    /* one element, then the filled part copied after itself: the pattern
     * repeats every element, and `done` stays a multiple of the size */
    memcpy(dlo, b, (size_t)c->size);
    for (size_t done = (size_t)c->size; done < bytes;) {
        size_t n = MIN(done, bytes - done);
        memcpy(dlo + done, dlo, n);
        done += n;
    }
}

/* REP MOVS (stos = false) or REP STOS without per-element checks */
static uint32_t str_rep_pages(CPUState *env, StrCtx *c, bool stos, uint32_t next)
{
    uint32_t done = 0;

    while (done < STR_CHUNK) {
        uint32_t n = str_count(env, c), k, soff = 0, s = 0, doff, d;
        uint8_t *hs = NULL, *hd;

        if (n == 0)
            return next;
        doff = env->regs[R_EDI] & c->amask;
        d = c->dst_base + doff;
        k = str_page_run(c, d, doff, MIN(n, STR_CHUNK - done));
        if (!stos) {
            soff = env->regs[R_ESI] & c->amask;
            s = c->src_base + soff;
            k = str_page_run(c, s, soff, k);
        }
        if (k >= 2 && (stos || (hs = str_host(env, s, false)) != NULL) &&
            (hd = str_host(env, d, true)) != NULL) {
            if (stos) {
                str_host_stos(c, hd, env->regs[R_EAX], k);
            } else {
                str_host_movs(c, hd, hs, k);
                str_adv_n(env, c, R_ESI, k);
            }
            str_adv_n(env, c, R_EDI, k);
            str_sub_count(env, c, k);
            done += k;
            continue;
        }
        if (stos)
            stos_one(env, c, false);
        else
            movs_one(env, c, false);
        str_dec_count(env, c);
        done++;
    }
    return str_count(env, c) ? env->eip : next;
}

uint32_t helper_movs(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p, true);
    if (STR_ARG_REP(p) && !str_prepare(env, &c, p))
        return str_rep_pages(env, &c, false, next);
    STR_LOOP(movs_one, next);
}

uint32_t helper_stos(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p, true);
    if (STR_ARG_REP(p) && !str_prepare(env, &c, p))
        return str_rep_pages(env, &c, true, next);
    STR_LOOP(stos_one, next);
}

static inline void lods_one(CPUState *env, const StrCtx *c, bool chk)
{
    uint32_t v = str_ld(env, c->size, str_src(env, c, chk));
    cpu_set_reg(env, R_EAX, c->size, v);
    str_adv(env, c, R_ESI);
}

uint32_t helper_lods(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p, false);
    STR_LOOP(lods_one, next);
}

/* flags of CMP a, b, lazily (CC_OP_SUBx: dst = result, src = b) */
static inline void str_set_cmp_flags(CPUState *env, int size, uint32_t a, uint32_t b)
{
    env->cc_op = CC_OP_SUBB + size_index(size);
    env->cc_dst = (a - b) & size_mask(size);
    env->cc_src = b;
}

/*
 * CMPS/SCAS: a - b like CMP; REPE stops when not equal, REPNE when equal.
 * Flags of the last comparison are what remains in env.
 */
static inline uint32_t cmp_loop(CPUState *env, const StrCtx *c, uint32_t p, uint32_t next,
                                bool is_scas, bool chk)
{
    uint32_t m = size_mask(c->size), a = 0, b = 0, n, ret = next;
    int rep = (int)STR_ARG_REP(p);
    bool done_any = false;

    for (n = 0; n < (rep ? STR_CHUNK : 1); n++) {
        if (rep && str_count(env, c) == 0)
            break;
        if (is_scas) {
            b = str_ld(env, c->size, str_dst(env, c, false, chk));
            a = env->regs[R_EAX] & m;
        } else {
            a = str_ld(env, c->size, str_src(env, c, chk));
            b = str_ld(env, c->size, str_dst(env, c, false, chk));
            str_adv(env, c, R_ESI);
        }
        str_adv(env, c, R_EDI);
        done_any = true;
        if (rep) {
            str_dec_count(env, c);
            /* flags are written now so a later fault leaves them right */
            str_set_cmp_flags(env, c->size, a, b);
            if ((rep == REP_Z && a != b) || (rep == REP_NZ && a == b))
                break;
        }
    }
    if (done_any && !rep) {
        str_set_cmp_flags(env, c->size, a, b);
    }
    if (rep && n == STR_CHUNK && str_count(env, c) != 0)
        ret = env->eip;
    return ret;
}

uint32_t helper_cmps(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p, false);
    if (str_prepare(env, &c, p))
        return cmp_loop(env, &c, p, next, false, true);
    return cmp_loop(env, &c, p, next, false, false);
}

uint32_t helper_scas(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p, false);
    if (str_prepare(env, &c, p))
        return cmp_loop(env, &c, p, next, true, true);
    return cmp_loop(env, &c, p, next, true, false);
}

static inline void ins_one(CPUState *env, const StrCtx *c, bool chk)
{
    uint32_t a = str_dst(env, c, true, chk), v;

    /* make sure the store cannot fault after the port was read */
    str_st(env, c->size, a, str_ld(env, c->size, a));
    v = ioport_read(env->io, (uint16_t)env->regs[R_EDX], c->size);
    str_st(env, c->size, a, v);
    str_adv(env, c, R_EDI);
}

uint32_t helper_ins(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p, true);
    cpu_check_io(env, env->regs[R_EDX] & 0xffff, c.size);
    STR_LOOP(ins_one, next);
}

static inline void outs_one(CPUState *env, const StrCtx *c, bool chk)
{
    uint32_t v = str_ld(env, c->size, str_src(env, c, chk));
    ioport_write(env->io, (uint16_t)env->regs[R_EDX], v, c->size);
    str_adv(env, c, R_ESI);
}

uint32_t helper_outs(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p, false);
    cpu_check_io(env, env->regs[R_EDX] & 0xffff, c.size);
    STR_LOOP(outs_one, next);
}
