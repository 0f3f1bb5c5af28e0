/*
 * ir_opt.c - the IR optimiser run on every block before the backend.
 *
 *   ir_optimize(b):
 *     1. forward pass, knowledge reset at every label (so loops and merges
 *        are safe without a CFG):
 *        - copy propagation (t2 = mov t1: later uses of t2 read t1 while t1
 *          is unchanged; every temp carries a definition counter because a
 *          temp may be assigned more than once, e.g. loop variables),
 *        - constant folding of pure ops (at the op's width: I32 wraps at
 *          32 bits, I64 at 64) and of branches on constants,
 *        - simple identities (x+0, x|0, x<<0, x&0, x*0, ...),
 *        - common subexpressions: a pure two-input op whose inputs (same
 *          definitions) were already combined the same way, and whose
 *          earlier result is unchanged, becomes a mov of that result (the
 *          last OPT_CSE_SIZE such ops are remembered),
 *        - forwarding of env words: a get_reg / ld_env after a
 *          set_reg / st_env / get_reg / ld_env of the same word, with no
 *          helper that writes state in between, becomes a mov (only words
 *          below the guest's forward_end, never its volatile words, e.g.
 *          x86 exit_request and code_dirty, which change asynchronously
 *          or from inside a guest store; I32 words only: an I64 access is
 *          not forwarded, and an I64 store forgets every word);
 *        A label reached only by one earlier branch, right after an op
 *        that does not fall through (a side exit: "brz L0; ...; exit;
 *        label L0"), keeps the knowledge of the branch point minus what
 *        the skipped ops changed, instead of dropping everything;
 *     2. dead-code elimination of ops without side effects whose output is
 *        never read (iterated to a fixed point);
 *     3. dead-store elimination: a set_reg / st_env whose word is written
 *        again later with no read of it and no barrier in between is
 *        removed.  Barriers (everything stored before them stays): ops that
 *        may fault (the fault handler sees the state of the faulting
 *        instruction), helper calls (they may read any state), labels,
 *        branches and exits.  Backward scan, one pass;
 *     then NOPs are removed.
 *   Ops that may fault are never removed or moved, so guest exceptions stay
 *   precise.  Temps are never renamed: backends see the same numbering.
 */
#include <string.h>
#include <stddef.h>
#include "translator/ir.h"

typedef struct OptTemp {
    uint32_t epoch;     /* knowledge valid only if == OptCtx.epoch */
    uint32_t gen;       /* bumped at every definition */
    uint8_t kind;       /* OPT_* */
    IRTemp src;         /* OPT_COPY: source temp */
    uint32_t src_gen;   /* OPT_COPY: source's gen when copied */
    uint64_t value;     /* OPT_CONST */
} OptTemp;

enum { OPT_UNKNOWN, OPT_CONST, OPT_COPY };

typedef struct OptEnv {
    uint32_t epoch;     /* valid if == OptCtx.env_epoch */
    IRTemp t;           /* temp holding the field's current value */
    uint32_t gen;       /* t's gen when recorded */
} OptEnv;

/* a remembered pure op for common-subexpression elimination */
typedef struct OptExpr {
    uint32_t epoch;     /* valid only if == OptCtx.epoch */
    uint8_t op, type;
    IRTemp in[2], out;
    uint32_t in_gen[2], out_gen;
} OptExpr;

#define OPT_CSE_SIZE 16

typedef struct OptCtx {
    const GuestDesc *g;
    OptTemp *temps;
    OptEnv *env;            /* one per env word below g->forward_end */
    uint32_t n_words;
    uint32_t epoch, env_epoch;
    OptExpr cse[OPT_CSE_SIZE];
    uint32_t cse_next;  /* ring buffer position */
} OptCtx;

/* an earlier op computing the same value as i (pure, two inputs), whose
 * result still holds it; IR_NO_TEMP if none */
static IRTemp opt_cse_find(OptCtx *c, const IRInsn *i)
{
    for (int k = 0; k < OPT_CSE_SIZE; k++) {
        const OptExpr *x = &c->cse[k];
        if (x->epoch == c->epoch && x->op == i->op && x->type == i->type &&
            x->in[0] == i->in[0] &&
            x->in[1] == i->in[1] && c->temps[x->in[0]].gen == x->in_gen[0] &&
            c->temps[x->in[1]].gen == x->in_gen[1] && c->temps[x->out].gen == x->out_gen &&
            x->out != i->out)
            return x->out;
    }
    return IR_NO_TEMP;
}

/* remember i (after its output's definition was counted) */
static void opt_cse_add(OptCtx *c, const IRInsn *i)
{
    if (i->out == i->in[0] || i->out == i->in[1])
        return;                 /* t = t op x: the inputs are gone */
    OptExpr *x = &c->cse[c->cse_next++ % OPT_CSE_SIZE];
    *x = (OptExpr){ .epoch = c->epoch, .op = i->op, .type = i->type,
                    .in = { i->in[0], i->in[1] },
                    .out = i->out, .in_gen = { c->temps[i->in[0]].gen, c->temps[i->in[1]].gen },
                    .out_gen = c->temps[i->out].gen };
}

static bool opt_is_const(OptCtx *c, IRTemp t, uint64_t *v)
{
    OptTemp *ot = &c->temps[t];
    if (ot->epoch == c->epoch && ot->kind == OPT_CONST) {
        *v = ot->value;
        return true;
    }
    return false;
}

static IRTemp opt_resolve(OptCtx *c, IRTemp t)
{
    OptTemp *ot = &c->temps[t];
    if (ot->epoch == c->epoch && ot->kind == OPT_COPY &&
        c->temps[ot->src].gen == ot->src_gen)
        return ot->src;
    return t;
}

/* fold i at its width (I32 or I64): the result of a pure op on constants,
 * false if the op is not foldable.  The conversions between widths fold
 * as I64 insns only (their inputs or outputs are I32: in range). */
static bool opt_fold(const IRInsn *i, uint64_t a, uint64_t b, uint64_t *r)
{
    const bool wide = i->type == IR_I64;
    const unsigned bits = wide ? 64 : 32, sh = bits - 1;
    const uint64_t mask = wide ? UINT64_MAX : UINT32_MAX;
    a &= mask;
    b &= mask;
    const int64_t sa = wide ? (int64_t)a : (int32_t)a;
    const int64_t sb = wide ? (int64_t)b : (int32_t)b;
    const unsigned n = (unsigned)(b & sh);
    uint64_t v;

    switch (i->op) {
    case IR_MOV:    v = a; break;
    case IR_ADD:    v = a + b; break;
    case IR_SUB:    v = a - b; break;
    case IR_MUL:    v = a * b; break;
    case IR_AND:    v = a & b; break;
    case IR_OR:     v = a | b; break;
    case IR_XOR:    v = a ^ b; break;
    case IR_SHL:    v = a << n; break;
    case IR_SHR:    v = a >> n; break;
    case IR_SAR:    v = (uint64_t)(sa >> n); break;
    case IR_ROL:    v = n ? (a << n) | (a >> (bits - n)) : a; break;
    case IR_ROR:    v = n ? (a >> n) | (a << (bits - n)) : a; break;
    case IR_NOT:    v = ~a; break;
    case IR_NEG:    v = -a; break;
    case IR_EXT8S:  v = (uint64_t)(int64_t)(int8_t)a; break;
    case IR_EXT8U:  v = a & 0xff; break;
    case IR_EXT16S: v = (uint64_t)(int64_t)(int16_t)a; break;
    case IR_EXT16U: v = a & 0xffff; break;
    case IR_EXT32U: if (!wide) return false; v = (uint32_t)a; break;
    case IR_EXT32S: if (!wide) return false; v = (uint64_t)(int64_t)(int32_t)a; break;
    case IR_TRUNC:  if (!wide) return false; v = (uint32_t)a; break;
    case IR_SETEQ:  v = a == b; break;
    case IR_SETNE:  v = a != b; break;
    case IR_SETLTU: v = a < b; break;
    case IR_SETLEU: v = a <= b; break;
    case IR_SETLT:  v = sa < sb; break;
    case IR_SETLE:  v = sa <= sb; break;
    default:        return false;
    }
    *r = v & mask;
    return true;
}

/* i becomes a movi of its output's type */
static void opt_to_movi(IRInsn *i, uint64_t v)
{
    if (ir_op_desc[i->op].types == TY_NARROW)
        i->type = IR_I32;
    i->op = IR_MOVI;
    i->nin = 0;
    i->in[0] = i->in[1] = IR_NO_TEMP;
    i->imm = v;
}

static void opt_to_mov(IRInsn *i, IRTemp src)
{
    i->op = IR_MOV;
    i->nin = 1;
    i->in[0] = src;
    i->in[1] = IR_NO_TEMP;
    i->imm = 0;
}

/* x op const identities; k is the constant, `x_first` tells its side */
static void opt_identity(IRInsn *i, IRTemp x, uint64_t k, bool const_second)
{
    uint64_t ones = i->type == IR_I64 ? UINT64_MAX : UINT32_MAX;
    uint64_t count = ir_type_bits(i->type) - 1;
    switch (i->op) {
    case IR_ADD: case IR_OR: case IR_XOR:
        if (k == 0)
            opt_to_mov(i, x);
        break;
    case IR_SUB: case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROL: case IR_ROR:
        if (const_second && (i->op == IR_SUB ? k == 0 : (k & count) == 0))
            opt_to_mov(i, x);
        break;
    case IR_AND:
        if (k == 0)
            opt_to_movi(i, 0);
        else if (k == ones)
            opt_to_mov(i, x);
        break;
    case IR_MUL:
        if (k == 0)
            opt_to_movi(i, 0);
        else if (k == 1)
            opt_to_mov(i, x);
        break;
    default:
        break;
    }
}

/* the env word a get_reg/set_reg/ld_env/st_env touches, or -1 when it is
 * not tracked (beyond forward_end, or volatile: changed behind our back,
 * asynchronously or from inside a guest store) */
static int opt_env_word(const GuestDesc *g, const IRInsn *i)
{
    if (i->type != IR_I32)
        return -1;          /* two words: see opt_env_wide */
    if (i->op == IR_GET_REG || i->op == IR_SET_REG)
        return (int)(ir_reg_offset(g, i->imm) / 4);
    if ((i->op == IR_LD_ENV || i->op == IR_ST_ENV) &&
        !(i->imm & 3) && i->imm < g->forward_end && !ir_env_volatile(g, i->imm))
        return (int)(i->imm / 4);
    return -1;
}

/* an I64 env access (two words, not tracked) */
static bool opt_env_wide(const IRInsn *i)
{
    return i->type != IR_I32 && (i->op == IR_GET_REG || i->op == IR_SET_REG ||
                                 i->op == IR_LD_ENV || i->op == IR_ST_ENV);
}

static bool opt_falls_through(const IRInsn *i)
{
    return i->op != IR_BR && i->op != IR_EXIT && i->op != IR_GOTO_TB && i->op != IR_LOOKUP_TB;
}

/*
 * Side-exit labels: for each label, the index of the only branch to it if
 * that branch comes first in linear order and the op before the label does
 * not fall through (so the label is reached from that branch alone), else
 * UINT32_MAX.
 */
static uint32_t *opt_single_pred_labels(const IRBlock *b)
{
    uint32_t *pred = g_new(uint32_t, b->n_labels + 1);
    uint32_t *refs = g_new0(uint32_t, b->n_labels + 1);
    for (uint32_t l = 0; l <= b->n_labels; l++)
        pred[l] = UINT32_MAX;
    for (uint32_t n = 0; n < b->n_insns; n++) {
        const IRInsn *i = &b->insns[n];
        if ((i->op == IR_BR || i->op == IR_BRZ || i->op == IR_BRNZ) && i->imm < b->n_labels) {
            refs[i->imm]++;
            pred[i->imm] = n;
        }
    }
    uint32_t last_label = 0;    /* index just after the last label seen */
    for (uint32_t n = 0; n < b->n_insns; n++) {
        const IRInsn *i = &b->insns[n];
        if (i->op != IR_LABEL || i->imm >= b->n_labels)
            continue;
        uint32_t l = i->imm, p = pred[l];
        uint32_t k = n;         /* previous op that generates code */
        while (k > 0 && (b->insns[k - 1].op == IR_INSN_START || b->insns[k - 1].op == IR_NOP))
            k--;
        if (refs[l] != 1 || p == UINT32_MAX || p >= n || p < last_label || k == 0 ||
            opt_falls_through(&b->insns[k - 1]))
            pred[l] = UINT32_MAX;
        last_label = n + 1;
    }
    g_free(refs);
    return pred;
}

static void opt_forward(IRBlock *b)
{
    OptCtx c;
    c.g = b->guest;
    c.n_words = c.g->forward_end / 4;
    c.env = g_new0(OptEnv, c.n_words + 1);
    memset(&c.cse, 0, sizeof(c.cse));
    c.cse_next = 0;
    c.temps = g_new0(OptTemp, b->n_temps + 1);
    c.epoch = 1;
    c.env_epoch = 1;
    uint32_t *pred = opt_single_pred_labels(b);

    for (uint32_t n = 0; n < b->n_insns; n++) {
        IRInsn *i = &b->insns[n];
        if (i->op == IR_LABEL) {
            uint32_t p = i->imm < b->n_labels ? pred[i->imm] : UINT32_MAX;
            if (p == UINT32_MAX) {
                c.epoch++;
                c.env_epoch++;
                continue;
            }
            /* reached only from the branch at p: forget what the ops
             * skipped by that branch established */
            for (uint32_t k = p + 1; k < n; k++) {
                const IRInsn *s = &b->insns[k];
                if (s->out != IR_NO_TEMP) {
                    c.temps[s->out].gen++;
                    c.temps[s->out].epoch = 0;
                }
                int w = opt_env_word(c.g, s);
                if (w >= 0 && w < (int)c.n_words)
                    c.env[w].epoch = 0;
                if ((s->op == IR_CALL && (ir_insn_flags(c.g, s) & IR_SE_WRITES_STATE)) ||
                    (opt_env_wide(s) && (s->op == IR_SET_REG || s->op == IR_ST_ENV)))
                    c.env_epoch++;
            }
            continue;
        }
        for (int k = 0; k < i->nin; k++)
            i->in[k] = opt_resolve(&c, i->in[k]);

        uint64_t va = 0, vb = 0, r;
        const IROpDesc *d = &ir_op_desc[i->op];
        if (i->op != IR_CALL && i->op != IR_MOV && d->flags == 0 && d->nout == 1 &&
            i->nin >= 1) {
            bool ca = opt_is_const(&c, i->in[0], &va);
            bool cb = i->nin < 2 || opt_is_const(&c, i->in[1], &vb);
            if (ca && cb && opt_fold(i, va, vb, &r))
                opt_to_movi(i, r);
            else if (i->nin == 2 && ca)
                opt_identity(i, i->in[1], va, false);
            else if (i->nin == 2 && cb)
                opt_identity(i, i->in[0], vb, true);
            IRTemp prev;
            if (i->op != IR_MOVI && i->op != IR_MOV && i->nin == 2 &&
                (prev = opt_cse_find(&c, i)) != IR_NO_TEMP)
                opt_to_mov(i, prev);
        } else if (i->op == IR_BRZ || i->op == IR_BRNZ) {
            if (opt_is_const(&c, i->in[0], &va)) {
                bool taken = (i->op == IR_BRZ) == (va == 0);
                i->op = taken ? IR_BR : IR_NOP;
                i->type = IR_I32;       /* untyped now */
                i->nin = 0;
                i->in[0] = IR_NO_TEMP;
                if (!taken)
                    i->imm = 0;
            }
        }

        /* env forwarding */
        int word = opt_env_word(c.g, i);
        if (i->op == IR_GET_REG || i->op == IR_LD_ENV) {
            if (word >= 0 && word < (int)c.n_words) {
                OptEnv *e = &c.env[word];
                if (e->epoch == c.env_epoch && c.temps[e->t].gen == e->gen && e->t != i->out)
                    opt_to_mov(i, e->t);
            }
        } else if ((i->op == IR_CALL && (ir_insn_flags(c.g, i) & IR_SE_WRITES_STATE)) ||
                   (opt_env_wide(i) && (i->op == IR_SET_REG || i->op == IR_ST_ENV))) {
            c.env_epoch++;
        }

        if (i->out != IR_NO_TEMP) {
            OptTemp *ot = &c.temps[i->out];
            ot->gen++;
            ot->epoch = c.epoch;
            ot->kind = OPT_UNKNOWN;
            if (i->op == IR_MOVI) {
                ot->kind = OPT_CONST;
                ot->value = i->imm;
            } else if (i->op == IR_MOV && i->in[0] != i->out) {
                /* a copy (even of a constant): uses read the source and
                 * the mov usually dies */
                ot->kind = OPT_COPY;
                ot->src = i->in[0];
                ot->src_gen = c.temps[i->in[0]].gen;
            } else if (i->nin == 2 && i->op != IR_CALL && ir_op_desc[i->op].flags == 0 &&
                       ir_op_desc[i->op].nout == 1) {
                opt_cse_add(&c, i);
            }
        }
        /* record the field's value after the op (a load records its
         * output, a store its input) */
        if (word >= 0 && word < (int)c.n_words) {
            IRTemp v = (i->op == IR_SET_REG || i->op == IR_ST_ENV) ? i->in[0] : i->out;
            if (i->op == IR_MOV)   /* a forwarded load: the value is its source */
                v = i->in[0];
            OptEnv *e = &c.env[word];
            e->epoch = c.env_epoch;
            e->t = v;
            e->gen = c.temps[v].gen;
        }
    }
    g_free(c.temps);
    g_free(c.env);
    g_free(pred);
}

/* can this instruction be deleted when its output is unused? */
static bool opt_removable(const GuestDesc *g, const IRInsn *i)
{
    if (i->out == IR_NO_TEMP)
        return false;
    if (i->op == IR_CALL) {
        unsigned hf = g->helpers[i->imm].flags;
        return (hf & ~HF_READS_STATE) == 0;
    }
    return (ir_op_desc[i->op].flags & ~IR_SE_READS_STATE) == 0;
}

static void opt_dce(IRBlock *b)
{
    uint32_t *uses = g_new0(uint32_t, b->n_temps + 1);
    for (uint32_t n = 0; n < b->n_insns; n++) {
        const IRInsn *i = &b->insns[n];
        for (int k = 0; k < i->nin; k++)
            uses[i->in[k]]++;
    }
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t n = b->n_insns; n-- > 0;) {
            IRInsn *i = &b->insns[n];
            if (i->op == IR_NOP || !opt_removable(b->guest, i) || uses[i->out] != 0)
                continue;
            for (int k = 0; k < i->nin; k++)
                uses[i->in[k]]--;
            i->op = IR_NOP;
            i->nin = 0;
            i->out = IR_NO_TEMP;
            changed = true;
        }
    }
    g_free(uses);
}

/* may the state stored before this op be observed by it or after it in a
 * way the straight-line scan cannot see? */
static bool opt_store_barrier(const IRInsn *i)
{
    return i->op == IR_CALL ||
           (ir_op_desc[i->op].flags & (IR_SE_MAY_FAULT | IR_SE_BRANCH | IR_SE_LABEL |
                                       IR_SE_EXIT)) != 0;
}

static void opt_dse(IRBlock *b)
{
    /* overwritten[w] == stamp: word w is written later in the same
     * barrier-free stretch, with no read of it in between */
    const GuestDesc *g = b->guest;
    uint32_t n_words = g->forward_end / 4;
    uint32_t *overwritten = g_new0(uint32_t, n_words + 1);
    uint32_t stamp = 1;
    for (uint32_t n = b->n_insns; n-- > 0;) {
        IRInsn *i = &b->insns[n];
        if (opt_store_barrier(i) || opt_env_wide(i)) {
            stamp++;
            continue;
        }
        int w = opt_env_word(g, i);
        if (w < 0 || w >= (int)n_words)
            continue;
        if (i->op == IR_GET_REG || i->op == IR_LD_ENV) {
            overwritten[w] = 0;
        } else if (overwritten[w] == stamp) {
            i->op = IR_NOP;
            i->nin = 0;
            i->in[0] = IR_NO_TEMP;
        } else {
            overwritten[w] = stamp;
        }
    }
    g_free(overwritten);
}

static void opt_compact(IRBlock *b)
{
    uint32_t w = 0;
    for (uint32_t n = 0; n < b->n_insns; n++)
        if (b->insns[n].op != IR_NOP)
            b->insns[w++] = b->insns[n];
    b->n_insns = w;
}

void ir_optimize(IRBlock *b)
{
    if (b->n_insns == 0)
        return;
    opt_forward(b);
    opt_dse(b);
    opt_dce(b);
    opt_compact(b);
}
