/*
 * ir.c - the IR's descriptor table, builders, printer, textual parser and
 * verifier.  Everything is driven by the opcode list in ir.def, so a new
 * opcode needs one line there plus its semantics in ir_opt.c (if foldable)
 * and in the two backends.
 *
 * Textual form, one instruction per line (or separated by ';'):
 *     [tOUT =] name [IMM][, tIN...]       # comment
 * IMM is `$N` (decimal, 0x hex or negative) for constants, guest registers,
 * env offsets, guest PCs and exit slots, `Ln` for labels and `@name` for
 * helpers.  The printer writes exactly what the parser reads, so a printed
 * block parses back to the same instructions:
 *     t0 = get_reg $0
 *     t1 = movi $0x1
 *     t2 = add t0, t1
 *     set_reg $0, t2
 *     t3 = call @cc_compute_all
 *     brnz L0, t3
 *     goto_tb $0
 *     label L0
 *     exit
 * Helper names, register names and env word names come from the block's
 * GuestDesc (guest.h); the verifier bounds register indexes and env
 * offsets by it.
 */
#include <string.h>
#include <stdlib.h>
#include <ctype.h>
#include "translator/ir.h"

G_DEFINE_QUARK(tx86-ir-error-quark, tx86_ir_error)

/* name holds the ir.def spelling (upper case); the textual form is its
 * lower-case version (ir_print_op_name, g_ascii_strcasecmp in the parser) */
const IROpDesc ir_op_desc[IR_NUM_OPCODES] = {
#define DEF_IR(name_, nout_, nin_, imm_, flags_) \
    [IR_##name_] = { .name = #name_, .nout = nout_, .nin = nin_, .imm = imm_, .flags = flags_ },
#include "ir.def"
#undef DEF_IR
};

static void ir_print_op_name(FILE *f, int op)
{
    for (const char *s = ir_op_desc[op].name; *s; s++)
        fputc(g_ascii_tolower(*s), f);
}

/* ---------------------------------------------------------------- blocks */

void ir_block_init(IRBlock *b, const GuestDesc *guest)
{
    memset(b, 0, sizeof(*b));
    b->guest = guest;
}

void ir_block_reset(IRBlock *b)
{
    b->n_insns = 0;
    b->n_temps = 0;
    b->n_labels = 0;
}

void ir_block_free(IRBlock *b)
{
    g_free(b->insns);
    memset(b, 0, sizeof(*b));
}

uint32_t ir_emit(IRBlock *b, IROpcode op, IRTemp out, int nin,
                 const IRTemp *in, uint32_t imm)
{
    g_assert(nin >= 0 && nin <= IR_MAX_IN);
    if (b->n_insns == b->cap_insns) {
        b->cap_insns = b->cap_insns ? b->cap_insns * 2 : 256;
        b->insns = g_renew(IRInsn, b->insns, b->cap_insns);
    }
    IRInsn *i = &b->insns[b->n_insns];
    i->op = (uint8_t)op;
    i->type = IR_I32;
    i->nin = (uint8_t)nin;
    i->pad = 0;
    i->out = out;
    for (int k = 0; k < IR_MAX_IN; k++)
        i->in[k] = k < nin ? in[k] : IR_NO_TEMP;
    i->imm = imm;
    return b->n_insns++;
}

IRTemp ir_new_temp(IRBlock *b)
{
    g_assert(b->n_temps < IR_NO_TEMP);
    return (IRTemp)b->n_temps++;
}

uint32_t ir_new_label(IRBlock *b)
{
    return b->n_labels++;
}

/* ------------------------------------------------------------- builders */

IRTemp ir_movi(IRBlock *b, uint32_t value)
{
    IRTemp t = ir_new_temp(b);
    ir_emit(b, IR_MOVI, t, 0, NULL, value);
    return t;
}

IRTemp ir_mov(IRBlock *b, IRTemp a)
{
    IRTemp t = ir_new_temp(b);
    ir_emit(b, IR_MOV, t, 1, &a, 0);
    return t;
}

IRTemp ir_get_reg(IRBlock *b, int reg)
{
    IRTemp t = ir_new_temp(b);
    ir_emit(b, IR_GET_REG, t, 0, NULL, (uint32_t)reg);
    return t;
}

void ir_set_reg(IRBlock *b, int reg, IRTemp v)
{
    ir_emit(b, IR_SET_REG, IR_NO_TEMP, 1, &v, (uint32_t)reg);
}

IRTemp ir_ld_env(IRBlock *b, uint32_t offset)
{
    IRTemp t = ir_new_temp(b);
    ir_emit(b, IR_LD_ENV, t, 0, NULL, offset);
    return t;
}

void ir_st_env(IRBlock *b, uint32_t offset, IRTemp v)
{
    ir_emit(b, IR_ST_ENV, IR_NO_TEMP, 1, &v, offset);
}

IRTemp ir_binop(IRBlock *b, IROpcode op, IRTemp a, IRTemp c)
{
    g_assert(ir_op_desc[op].nin == 2 && ir_op_desc[op].nout == 1);
    IRTemp in[2] = { a, c };
    IRTemp t = ir_new_temp(b);
    ir_emit(b, op, t, 2, in, 0);
    return t;
}

IRTemp ir_unop(IRBlock *b, IROpcode op, IRTemp a)
{
    g_assert(ir_op_desc[op].nin == 1 && ir_op_desc[op].nout == 1);
    IRTemp t = ir_new_temp(b);
    ir_emit(b, op, t, 1, &a, 0);
    return t;
}

IRTemp ir_load(IRBlock *b, int size, IRTemp addr)
{
    IROpcode op = size == 1 ? IR_LD8 : size == 2 ? IR_LD16 : IR_LD32;
    g_assert(size == 1 || size == 2 || size == 4);
    IRTemp t = ir_new_temp(b);
    ir_emit(b, op, t, 1, &addr, 0);
    return t;
}

void ir_store(IRBlock *b, int size, IRTemp addr, IRTemp v)
{
    IROpcode op = size == 1 ? IR_ST8 : size == 2 ? IR_ST16 : IR_ST32;
    g_assert(size == 1 || size == 2 || size == 4);
    IRTemp in[2] = { addr, v };
    ir_emit(b, op, IR_NO_TEMP, 2, in, 0);
}

IRTemp ir_call(IRBlock *b, int helper, int nargs, const IRTemp *args)
{
    const GuestDesc *g = b->guest;
    g_assert(helper >= 0 && (uint32_t)helper < g->n_helpers);
    g_assert(nargs == g->helpers[helper].nargs);
    IRTemp t = g->helpers[helper].has_ret ? ir_new_temp(b) : IR_NO_TEMP;
    ir_emit(b, IR_CALL, t, nargs, args, (uint32_t)helper);
    return t;
}

void ir_label(IRBlock *b, uint32_t label)   { ir_emit(b, IR_LABEL, IR_NO_TEMP, 0, NULL, label); }
void ir_br(IRBlock *b, uint32_t label)      { ir_emit(b, IR_BR, IR_NO_TEMP, 0, NULL, label); }
void ir_brz(IRBlock *b, IRTemp c, uint32_t label)  { ir_emit(b, IR_BRZ, IR_NO_TEMP, 1, &c, label); }
void ir_brnz(IRBlock *b, IRTemp c, uint32_t label) { ir_emit(b, IR_BRNZ, IR_NO_TEMP, 1, &c, label); }
void ir_insn_start(IRBlock *b, uint32_t pc)  { ir_emit(b, IR_INSN_START, IR_NO_TEMP, 0, NULL, pc); }
void ir_goto_tb(IRBlock *b, int slot)       { ir_emit(b, IR_GOTO_TB, IR_NO_TEMP, 0, NULL, (uint32_t)slot); }
void ir_exit(IRBlock *b)                    { ir_emit(b, IR_EXIT, IR_NO_TEMP, 0, NULL, 0); }

/* translate a helper's HF_* flags into IR_SE_* flags */
static unsigned ir_helper_se(unsigned hf)
{
    unsigned se = IR_SE_READS_STATE;       /* every helper gets env */
    if (hf & HF_WRITES_STATE) se |= IR_SE_WRITES_STATE;
    if (hf & HF_READS_MEM)    se |= IR_SE_READS_MEM;
    if (hf & HF_WRITES_MEM)   se |= IR_SE_WRITES_MEM;
    if (hf & HF_MAY_FAULT)    se |= IR_SE_MAY_FAULT;
    if (hf & HF_NORETURN)     se |= IR_SE_EXIT;
    if (hf & HF_IO)           se |= IR_SE_READS_MEM | IR_SE_WRITES_MEM | IR_SE_WRITES_STATE;
    return se;
}

unsigned ir_insn_flags(const GuestDesc *g, const IRInsn *insn)
{
    if (insn->op == IR_CALL) {
        if (insn->imm >= g->n_helpers)
            return IR_SE_CALL;
        return ir_helper_se(g->helpers[insn->imm].flags);
    }
    return ir_op_desc[insn->op].flags;
}

bool ir_env_volatile(const GuestDesc *g, uint32_t offset)
{
    for (uint32_t i = 0; i < g->n_volatile; i++)
        if (g->volatile_words[i] == offset)
            return true;
    return false;
}

/* -------------------------------------------------------------- printer */

/* the name of the env word at off, as a comment (guest's named fields) */
static void ir_print_env_comment(FILE *f, const GuestDesc *g, uint32_t off)
{
    for (uint32_t i = 0; i < g->n_fields; i++) {
        if (g->fields[i].offset == off) {
            fprintf(f, "  # %s", g->fields[i].name);
            return;
        }
    }
}

void ir_print_insn(FILE *f, const IRBlock *b, const IRInsn *insn)
{
    const GuestDesc *g = b->guest;
    if (insn->op >= IR_NUM_OPCODES) {
        fprintf(f, "<bad opcode %u>\n", insn->op);
        return;
    }
    const IROpDesc *d = &ir_op_desc[insn->op];
    if (insn->op == IR_LABEL) {
        fprintf(f, "label L%u\n", insn->imm);
        return;
    }
    fputs("    ", f);
    if (insn->out != IR_NO_TEMP)
        fprintf(f, "t%u = ", insn->out);
    ir_print_op_name(f, insn->op);
    bool first = true;
    switch (d->imm) {
    case IMM_NONE:
        break;
    case IMM_CONST:
    case IMM_ENV:
    case IMM_GUEST_PC:
        fprintf(f, " $0x%x", insn->imm);
        first = false;
        break;
    case IMM_REG:
    case IMM_SLOT:
        fprintf(f, " $%u", insn->imm);
        first = false;
        break;
    case IMM_LABEL:
        fprintf(f, " L%u", insn->imm);
        first = false;
        break;
    case IMM_HELPER:
        if (insn->imm < g->n_helpers)
            fprintf(f, " @%s", g->helpers[insn->imm].name);
        else
            fprintf(f, " @<bad %u>", insn->imm);
        first = false;
        break;
    }
    for (int k = 0; k < insn->nin && k < IR_MAX_IN; k++) {
        fprintf(f, "%s t%u", first ? "" : ",", insn->in[k]);
        first = false;
    }
    if (d->imm == IMM_REG && insn->imm < g->n_regs)
        fprintf(f, "  # %s", g->regs[insn->imm].name);
    else if (d->imm == IMM_ENV)
        ir_print_env_comment(f, g, insn->imm);
    fputc('\n', f);
}

void ir_print_block(FILE *f, const IRBlock *b)
{
    for (uint32_t i = 0; i < b->n_insns; i++)
        ir_print_insn(f, b, &b->insns[i]);
}

/* --------------------------------------------------------------- parser */

typedef struct IRParser {
    const char *p;
    int line;
    IRBlock *b;
} IRParser;

static void ir_parse_skip_ws(IRParser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r')
        ps->p++;
}

static bool ir_parse_fail(IRParser *ps, GError **errp, const char *what)
{
    g_set_error(errp, TX86_IR_ERROR, 0, "line %d: %s near '%.20s'",
                ps->line, what, ps->p);
    return false;
}

/* a number after a prefix letter: t12, L3, $0x10, $-1 */
static bool ir_parse_number(IRParser *ps, uint32_t *out, bool allow_neg)
{
    const char *s = ps->p;
    bool neg = false;
    if (allow_neg && *s == '-') {
        neg = true;
        s++;
    }
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (v > 0xffffffffull)
        return false;
    ps->p = end;
    *out = neg ? (uint32_t)-(uint32_t)v : (uint32_t)v;
    return true;
}

static bool ir_parse_temp(IRParser *ps, IRTemp *t)
{
    uint32_t n;
    if (*ps->p != 't')
        return false;
    ps->p++;
    if (!ir_parse_number(ps, &n, false) || n >= IR_NO_TEMP)
        return false;
    *t = (IRTemp)n;
    if (n + 1 > ps->b->n_temps)
        ps->b->n_temps = n + 1;
    return true;
}

static bool ir_parse_ident(IRParser *ps, char *buf, size_t len)
{
    size_t n = 0;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_') {
        if (n + 1 >= len)
            return false;
        buf[n++] = *ps->p++;
    }
    buf[n] = 0;
    return n > 0;
}

static bool ir_parse_line(IRParser *ps, GError **errp)
{
    IRTemp out = IR_NO_TEMP;
    char name[48];
    ir_parse_skip_ws(ps);
    if (*ps->p == 't' && isdigit((unsigned char)ps->p[1])) {
        if (!ir_parse_temp(ps, &out))
            return ir_parse_fail(ps, errp, "bad output temp");
        ir_parse_skip_ws(ps);
        if (*ps->p != '=')
            return ir_parse_fail(ps, errp, "expected '='");
        ps->p++;
        ir_parse_skip_ws(ps);
    }
    if (!ir_parse_ident(ps, name, sizeof(name)))
        return ir_parse_fail(ps, errp, "expected an opcode");
    int op = -1;
    for (int i = 0; i < IR_NUM_OPCODES; i++) {
        if (g_ascii_strcasecmp(name, ir_op_desc[i].name) == 0) {
            op = i;
            break;
        }
    }
    if (op < 0)
        return ir_parse_fail(ps, errp, "unknown opcode");
    const IROpDesc *d = &ir_op_desc[op];
    uint32_t imm = 0;
    IRTemp in[IR_MAX_IN];
    int nin = 0;
    bool need_comma = false;

    ir_parse_skip_ws(ps);
    if (d->imm != IMM_NONE) {
        if (d->imm == IMM_LABEL) {
            if (*ps->p != 'L')
                return ir_parse_fail(ps, errp, "expected a label Ln");
            ps->p++;
            if (!ir_parse_number(ps, &imm, false))
                return ir_parse_fail(ps, errp, "bad label");
            if (imm + 1 > ps->b->n_labels)
                ps->b->n_labels = imm + 1;
        } else if (d->imm == IMM_HELPER) {
            char hn[64];
            if (*ps->p != '@')
                return ir_parse_fail(ps, errp, "expected @helper");
            ps->p++;
            if (!ir_parse_ident(ps, hn, sizeof(hn)))
                return ir_parse_fail(ps, errp, "bad helper name");
            const GuestDesc *g = ps->b->guest;
            imm = g->n_helpers;
            for (uint32_t h = 0; h < g->n_helpers; h++) {
                if (strcmp(hn, g->helpers[h].name) == 0) {
                    imm = h;
                    break;
                }
            }
            if (imm == g->n_helpers)
                return ir_parse_fail(ps, errp, "unknown helper");
        } else {
            if (*ps->p != '$')
                return ir_parse_fail(ps, errp, "expected $immediate");
            ps->p++;
            if (!ir_parse_number(ps, &imm, true))
                return ir_parse_fail(ps, errp, "bad immediate");
        }
        need_comma = true;
    }
    for (;;) {
        ir_parse_skip_ws(ps);
        if (*ps->p == 0 || *ps->p == '\n' || *ps->p == ';' || *ps->p == '#')
            break;
        if (need_comma) {
            if (*ps->p != ',')
                return ir_parse_fail(ps, errp, "expected ','");
            ps->p++;
            ir_parse_skip_ws(ps);
        }
        if (nin == IR_MAX_IN)
            return ir_parse_fail(ps, errp, "too many inputs");
        if (!ir_parse_temp(ps, &in[nin]))
            return ir_parse_fail(ps, errp, "expected an input temp");
        nin++;
        need_comma = true;
    }
    /* arity and output are checked by ir_verify, so that tests can build
     * malformed blocks from text */
    ir_emit(ps->b, (IROpcode)op, out, nin, in, imm);
    return true;
}

bool ir_parse(IRBlock *b, const char *text, GError **errp)
{
    IRParser ps = { .p = text, .line = 1, .b = b };
    ir_block_reset(b);
    for (;;) {
        ir_parse_skip_ws(&ps);
        if (*ps.p == 0)
            return true;
        if (*ps.p == '\n') {
            ps.line++;
            ps.p++;
            continue;
        }
        if (*ps.p == ';') {
            ps.p++;
            continue;
        }
        if (*ps.p == '#') {
            while (*ps.p && *ps.p != '\n')
                ps.p++;
            continue;
        }
        if (!ir_parse_line(&ps, errp))
            return false;
        ir_parse_skip_ws(&ps);
        if (*ps.p == '#')
            while (*ps.p && *ps.p != '\n')
                ps.p++;
        if (*ps.p != 0 && *ps.p != '\n' && *ps.p != ';')
            return ir_parse_fail(&ps, errp, "junk at end of line");
    }
}

/* ------------------------------------------------------------- verifier */

static bool ir_verify_fail(GError **errp, uint32_t idx, const IRInsn *insn,
                           const char *what)
{
    g_set_error(errp, TX86_IR_ERROR, 1, "insn %u (%s): %s", idx,
                insn && insn->op < IR_NUM_OPCODES ? ir_op_desc[insn->op].name : "-", what);
    return false;
}

bool ir_verify(const IRBlock *b, GError **errp)
{
    const GuestDesc *g = b->guest;
    bool ok = false;
    uint8_t *defined = g_malloc0(b->n_temps + 1);
    uint8_t *label_def = g_malloc0(b->n_labels + 1);

    if (b->n_insns == 0) {
        ir_verify_fail(errp, 0, NULL, "empty block");
        goto out;
    }
    for (uint32_t i = 0; i < b->n_insns; i++) {
        const IRInsn *insn = &b->insns[i];
        if (insn->op >= IR_NUM_OPCODES) {
            ir_verify_fail(errp, i, NULL, "bad opcode");
            goto out;
        }
        const IROpDesc *d = &ir_op_desc[insn->op];
        int nin = d->nin, nout = d->nout;
        if (insn->op == IR_CALL) {
            if (insn->imm >= g->n_helpers) {
                ir_verify_fail(errp, i, insn, "bad helper id");
                goto out;
            }
            nin = g->helpers[insn->imm].nargs;
            nout = g->helpers[insn->imm].has_ret ? 1 : 0;
        }
        if (insn->nin != nin) {
            ir_verify_fail(errp, i, insn, "wrong number of inputs");
            goto out;
        }
        for (int k = 0; k < nin; k++) {
            IRTemp t = insn->in[k];
            if (t >= b->n_temps) {
                ir_verify_fail(errp, i, insn, "input temp out of range");
                goto out;
            }
            if (!defined[t]) {
                ir_verify_fail(errp, i, insn, "input temp used before definition");
                goto out;
            }
        }
        if (nout == 1) {
            if (insn->out == IR_NO_TEMP || insn->out >= b->n_temps) {
                ir_verify_fail(errp, i, insn, "missing or bad output temp");
                goto out;
            }
            defined[insn->out] = 1;
        } else if (insn->out != IR_NO_TEMP) {
            ir_verify_fail(errp, i, insn, "output temp on an op without output");
            goto out;
        }
        switch (d->imm) {
        case IMM_REG:
            if (insn->imm >= g->n_regs) {
                ir_verify_fail(errp, i, insn, "guest register index out of range");
                goto out;
            }
            break;
        case IMM_SLOT:
            if (insn->imm >= 2) {
                ir_verify_fail(errp, i, insn, "exit slot out of range");
                goto out;
            }
            break;
        case IMM_ENV:
            if ((insn->imm & 3) || (uint64_t)insn->imm + 4 > g->env_size) {
                ir_verify_fail(errp, i, insn, "env offset out of range or unaligned");
                goto out;
            }
            break;
        case IMM_LABEL:
            if (insn->imm >= b->n_labels) {
                ir_verify_fail(errp, i, insn, "label number out of range");
                goto out;
            }
            if (insn->op == IR_LABEL) {
                if (label_def[insn->imm]) {
                    ir_verify_fail(errp, i, insn, "label defined twice");
                    goto out;
                }
                label_def[insn->imm] = 1;
            }
            break;
        default:
            break;
        }
    }
    for (uint32_t i = 0; i < b->n_insns; i++) {
        const IRInsn *insn = &b->insns[i];
        if ((insn->op == IR_BR || insn->op == IR_BRZ || insn->op == IR_BRNZ) &&
            !label_def[insn->imm]) {
            ir_verify_fail(errp, i, insn, "branch to an undefined label");
            goto out;
        }
    }
    {
        const IRInsn *last = &b->insns[b->n_insns - 1];
        bool ends = last->op == IR_GOTO_TB || last->op == IR_EXIT || last->op == IR_BR ||
                    (last->op == IR_CALL && (g->helpers[last->imm].flags & HF_NORETURN));
        if (!ends) {
            ir_verify_fail(errp, b->n_insns - 1, last, "block does not end with an exit");
            goto out;
        }
    }
    ok = true;
out:
    g_free(defined);
    g_free(label_def);
    return ok;
}
