/*
 * helpers_string.c - MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS with and
 * without REP/REPE/REPNE, 16- and 32-bit address size.
 *
 * One helper per instruction (emitters in gen_string.c).  The first
 * argument packs the element size, address size, REP kind and source
 * segment (STR_ARG in gen_sys.h), the second is the eip of the next
 * instruction.  Each returns the eip to continue at.
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
#include "machine/machine.h"
#include "mmu/mmu.h"

typedef struct StrCtx {
    int size;
    uint32_t amask;         /* 0xffff or 0xffffffff */
    int32_t step;           /* +size or -size (DF) */
    uint32_t src_base, dst_base;
} StrCtx;

static inline void str_init(CPUState *env, StrCtx *c, uint32_t p)
{
    c->size = (int)STR_ARG_SIZE(p);
    c->amask = (p & STR_ARG_ADDR32) ? 0xffffffffu : 0xffffu;
    c->step = (int32_t)env->df * c->size;
    c->src_base = env->seg[STR_ARG_SEG(p)].base;
    c->dst_base = env->seg[R_ES].base;
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

static inline uint32_t str_src(CPUState *env, const StrCtx *c)
{
    return c->src_base + (env->regs[R_ESI] & c->amask);
}

static inline uint32_t str_dst(CPUState *env, const StrCtx *c)
{
    return c->dst_base + (env->regs[R_EDI] & c->amask);
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

/* the loop shared by every instruction; ONE(env, c) does one element */
#define STR_LOOP(ONE, next)                                                  \
    do {                                                                     \
        uint32_t n_;                                                         \
        if (!STR_ARG_REP(p)) {                                               \
            ONE;                                                             \
            return (next);                                                   \
        }                                                                    \
        for (n_ = 0; n_ < STR_CHUNK; n_++) {                                 \
            if (str_count(env, &c) == 0)                                     \
                return (next);                                               \
            ONE;                                                             \
            str_dec_count(env, &c);                                          \
        }                                                                    \
        return str_count(env, &c) ? env->eip : (next);                       \
    } while (0)

static inline void movs_one(CPUState *env, const StrCtx *c)
{
    uint32_t v = str_ld(env, c->size, str_src(env, c));
    str_st(env, c->size, str_dst(env, c), v);
    str_adv(env, c, R_ESI);
    str_adv(env, c, R_EDI);
}

uint32_t helper_movs(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p);
    STR_LOOP(movs_one(env, &c), next);
}

static inline void stos_one(CPUState *env, const StrCtx *c)
{
    str_st(env, c->size, str_dst(env, c), env->regs[R_EAX]);
    str_adv(env, c, R_EDI);
}

uint32_t helper_stos(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p);
    STR_LOOP(stos_one(env, &c), next);
}

static inline void lods_one(CPUState *env, const StrCtx *c)
{
    uint32_t v = str_ld(env, c->size, str_src(env, c));
    cpu_set_reg(env, R_EAX, c->size, v);
    str_adv(env, c, R_ESI);
}

uint32_t helper_lods(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p);
    STR_LOOP(lods_one(env, &c), next);
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
static uint32_t cmp_loop(CPUState *env, const StrCtx *c, uint32_t p, uint32_t next,
                         bool is_scas)
{
    uint32_t m = size_mask(c->size), a = 0, b = 0, n, ret = next;
    int rep = (int)STR_ARG_REP(p);
    bool done_any = false;

    for (n = 0; n < (rep ? STR_CHUNK : 1); n++) {
        if (rep && str_count(env, c) == 0)
            break;
        if (is_scas) {
            b = str_ld(env, c->size, str_dst(env, c));
            a = env->regs[R_EAX] & m;
        } else {
            a = str_ld(env, c->size, str_src(env, c));
            b = str_ld(env, c->size, str_dst(env, c));
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
    str_init(env, &c, p);
    return cmp_loop(env, &c, p, next, false);
}

uint32_t helper_scas(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p);
    return cmp_loop(env, &c, p, next, true);
}

static inline void ins_one(CPUState *env, const StrCtx *c)
{
    uint32_t a = str_dst(env, c), v;

    /* make sure the store cannot fault after the port was read */
    str_st(env, c->size, a, str_ld(env, c->size, a));
    v = ioport_read(env->machine->io, (uint16_t)env->regs[R_EDX], c->size);
    str_st(env, c->size, a, v);
    str_adv(env, c, R_EDI);
}

uint32_t helper_ins(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p);
    cpu_check_io(env, env->regs[R_EDX] & 0xffff, c.size);
    STR_LOOP(ins_one(env, &c), next);
}

static inline void outs_one(CPUState *env, const StrCtx *c)
{
    uint32_t v = str_ld(env, c->size, str_src(env, c));
    ioport_write(env->machine->io, (uint16_t)env->regs[R_EDX], v, c->size);
    str_adv(env, c, R_ESI);
}

uint32_t helper_outs(CPUState *env, uint32_t p, uint32_t next)
{
    StrCtx c;
    str_init(env, &c, p);
    cpu_check_io(env, env->regs[R_EDX] & 0xffff, c.size);
    STR_LOOP(outs_one(env, &c), next);
}
