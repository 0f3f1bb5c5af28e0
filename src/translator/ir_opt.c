/*
 * ir_opt.c - the IR optimiser run on every block before the backend.
 *
 *   ir_optimize(b):
 *     1. forward pass, knowledge reset at every label (so loops and merges
 *        are safe without a CFG):
 *        - copy propagation (t2 = mov t1: later uses of t2 read t1 while t1
 *          is unchanged; every temp carries a definition counter because a
 *          temp may be assigned more than once, e.g. loop variables),
 *        - constant folding of pure ops and of branches on constants,
 *        - simple identities (x+0, x|0, x<<0, x&0, x*0, ...),
 *        - forwarding of CPUState fields: a get_reg / ld_env after a
 *          set_reg / st_env / get_reg / ld_env of the same word, with no
 *          helper that writes state in between, becomes a mov (not for
 *          exit_request and code_dirty, which change asynchronously or
 *          from inside a guest store);
 *     2. dead-code elimination of ops without side effects whose output is
 *        never read (iterated to a fixed point), then NOPs are removed.
 *   Ops that may fault are never removed or moved, so guest exceptions stay
 *   precise.  Temps are never renamed: backends see the same numbering.
 */
#include <string.h>
#include <stddef.h>
#include "translator/ir.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/helpers.h"

/* CPUState words tracked by forwarding: everything before `halted` */
#define OPT_ENV_WORDS (offsetof(CPUState, halted) / 4)

typedef struct OptTemp {
    uint32_t epoch;     /* knowledge valid only if == OptCtx.epoch */
    uint32_t gen;       /* bumped at every definition */
    uint8_t kind;       /* OPT_* */
    IRTemp src;         /* OPT_COPY: source temp */
    uint32_t src_gen;   /* OPT_COPY: source's gen when copied */
    uint32_t value;     /* OPT_CONST */
} OptTemp;

enum { OPT_UNKNOWN, OPT_CONST, OPT_COPY };

typedef struct OptEnv {
    uint32_t epoch;     /* valid if == OptCtx.env_epoch */
    IRTemp t;           /* temp holding the field's current value */
    uint32_t gen;       /* t's gen when recorded */
} OptEnv;

typedef struct OptCtx {
    OptTemp *temps;
    OptEnv env[OPT_ENV_WORDS];
    uint32_t epoch, env_epoch;
} OptCtx;

static bool opt_is_const(OptCtx *c, IRTemp t, uint32_t *v)
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

/* result of a pure op on constants; false if op is not foldable */
static bool opt_fold(int op, uint32_t a, uint32_t b, uint32_t *r)
{
    switch (op) {
    case IR_MOV:    *r = a; return true;
    case IR_ADD:    *r = a + b; return true;
    case IR_SUB:    *r = a - b; return true;
    case IR_MUL:    *r = a * b; return true;
    case IR_AND:    *r = a & b; return true;
    case IR_OR:     *r = a | b; return true;
    case IR_XOR:    *r = a ^ b; return true;
    case IR_SHL:    *r = a << (b & 31); return true;
    case IR_SHR:    *r = a >> (b & 31); return true;
    case IR_SAR:    *r = (uint32_t)((int32_t)a >> (b & 31)); return true;
    case IR_ROL:    b &= 31; *r = b ? (a << b) | (a >> (32 - b)) : a; return true;
    case IR_ROR:    b &= 31; *r = b ? (a >> b) | (a << (32 - b)) : a; return true;
    case IR_NOT:    *r = ~a; return true;
    case IR_NEG:    *r = -a; return true;
    case IR_EXT8S:  *r = (uint32_t)(int32_t)(int8_t)a; return true;
    case IR_EXT8U:  *r = a & 0xff; return true;
    case IR_EXT16S: *r = (uint32_t)(int32_t)(int16_t)a; return true;
    case IR_EXT16U: *r = a & 0xffff; return true;
    case IR_SETEQ:  *r = a == b; return true;
    case IR_SETNE:  *r = a != b; return true;
    case IR_SETLTU: *r = a < b; return true;
    case IR_SETLEU: *r = a <= b; return true;
    case IR_SETLT:  *r = (int32_t)a < (int32_t)b; return true;
    case IR_SETLE:  *r = (int32_t)a <= (int32_t)b; return true;
    default:        return false;
    }
}

static void opt_to_movi(IRInsn *i, uint32_t v)
{
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
static void opt_identity(IRInsn *i, IRTemp x, uint32_t k, bool const_second)
{
    switch (i->op) {
    case IR_ADD: case IR_OR: case IR_XOR:
        if (k == 0)
            opt_to_mov(i, x);
        break;
    case IR_SUB: case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROL: case IR_ROR:
        if (const_second && (i->op == IR_SUB ? k == 0 : (k & 31) == 0))
            opt_to_mov(i, x);
        break;
    case IR_AND:
        if (k == 0)
            opt_to_movi(i, 0);
        else if (k == 0xffffffffu)
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

static void opt_forward(IRBlock *b)
{
    OptCtx c;
    memset(&c.env, 0, sizeof(c.env));
    c.temps = g_new0(OptTemp, b->n_temps + 1);
    c.epoch = 1;
    c.env_epoch = 1;

    for (uint32_t n = 0; n < b->n_insns; n++) {
        IRInsn *i = &b->insns[n];
        if (i->op == IR_LABEL) {
            c.epoch++;
            c.env_epoch++;
            continue;
        }
        for (int k = 0; k < i->nin; k++)
            i->in[k] = opt_resolve(&c, i->in[k]);

        uint32_t va = 0, vb = 0, r;
        const IROpDesc *d = &ir_op_desc[i->op];
        if (i->op != IR_CALL && i->op != IR_MOV && d->flags == 0 && d->nout == 1 &&
            i->nin >= 1) {
            bool ca = opt_is_const(&c, i->in[0], &va);
            bool cb = i->nin < 2 || opt_is_const(&c, i->in[1], &vb);
            if (ca && cb && opt_fold(i->op, va, vb, &r))
                opt_to_movi(i, r);
            else if (i->nin == 2 && ca)
                opt_identity(i, i->in[1], va, false);
            else if (i->nin == 2 && cb)
                opt_identity(i, i->in[0], vb, true);
        } else if (i->op == IR_BRZ || i->op == IR_BRNZ) {
            if (opt_is_const(&c, i->in[0], &va)) {
                bool taken = (i->op == IR_BRZ) == (va == 0);
                i->op = taken ? IR_BR : IR_NOP;
                i->nin = 0;
                i->in[0] = IR_NO_TEMP;
                if (!taken)
                    i->imm = 0;
            }
        }

        /* CPUState forwarding */
        int word = -1;
        if (i->op == IR_GET_REG || i->op == IR_SET_REG)
            word = (int)((offsetof(CPUState, regs) / 4) + i->imm);
        else if ((i->op == IR_LD_ENV || i->op == IR_ST_ENV) &&
                 !(i->imm & 3) && i->imm / 4 < OPT_ENV_WORDS &&
                 i->imm != offsetof(CPUState, exit_request) &&
                 i->imm != offsetof(CPUState, code_dirty))
            word = (int)(i->imm / 4);   /* those two change behind our back */
        if (i->op == IR_GET_REG || i->op == IR_LD_ENV) {
            if (word >= 0 && word < (int)OPT_ENV_WORDS) {
                OptEnv *e = &c.env[word];
                if (e->epoch == c.env_epoch && c.temps[e->t].gen == e->gen && e->t != i->out)
                    opt_to_mov(i, e->t);
            }
        } else if (i->op == IR_CALL && (ir_insn_flags(i) & IR_SE_WRITES_STATE)) {
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
            }
        }
        /* record the field's value after the op (a load records its
         * output, a store its input) */
        if (word >= 0 && word < (int)OPT_ENV_WORDS) {
            IRTemp v = (i->op == IR_SET_REG || i->op == IR_ST_ENV) ? i->in[0] : i->out;
            if (i->op == IR_MOV)   /* a forwarded load: the value is its source */
                v = i->out;
            OptEnv *e = &c.env[word];
            e->epoch = c.env_epoch;
            e->t = v;
            e->gen = c.temps[v].gen;
        }
    }
    g_free(c.temps);
}

/* can this instruction be deleted when its output is unused? */
static bool opt_removable(const IRInsn *i)
{
    if (i->out == IR_NO_TEMP)
        return false;
    if (i->op == IR_CALL) {
        unsigned hf = helper_table[i->imm].flags;
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
            if (i->op == IR_NOP || !opt_removable(i) || uses[i->out] != 0)
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
    opt_dce(b);
}
