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
#include <errno.h>
#include <ctype.h>
#include <inttypes.h>
#include "translator/ir.h"

_Static_assert(IR_MAX_IN >= HELPER_MAX_ARGS, "a call passes every helper argument");

G_DEFINE_QUARK(tx86-ir-error-quark, tx86_ir_error)

/* name holds the ir.def spelling (upper case); the textual form is its
 * lower-case version (ir_print_op_name, g_ascii_strcasecmp in the parser) */
const IROpDesc ir_op_desc[IR_NUM_OPCODES] = {
#define DEF_IR(name_, nout_, nin_, imm_, types_, flags_) \
    [IR_##name_] = { .name = #name_, .nout = nout_, .nin = nin_, .imm = imm_, \
                     .types = types_, .flags = flags_ },
#include "ir.def"
#undef DEF_IR
};

static const char *const ir_type_name[] = {
    [IR_I32] = "i32", [IR_I64] = "i64", [IR_V128] = "v128", [IR_VOID] = "void",
};

/* name[.type][.memop...]: the type when it is not I32 (and not implied
 * by the op), the MemOp of a load or store */
static void ir_print_op_name(FILE *f, const IRInsn *insn)
{
    const IROpDesc *d = &ir_op_desc[insn->op];
    for (const char *s = d->name; *s; s++)
        fputc(g_ascii_tolower(*s), f);
    if (insn->type != IR_I32 && (d->types == TY_SAME || d->types == TY_MEM))
        fprintf(f, ".%s", insn->type < G_N_ELEMENTS(ir_type_name) ? ir_type_name[insn->type]
                                                                   : "bad");
    if (d->types != TY_MEM)
        return;
    MemOp mo = insn->memop;
    unsigned bits = 8 * memop_bytes(mo);
    const char *sign = (mo & MO_SIGN) ? "s" :
                       insn->op == IR_LD && bits < ir_type_bits(insn->type) ? "u" : "";
    fprintf(f, ".%s%u", sign, bits);
    if (mo & MO_VIEW_MASK)
        fprintf(f, ".v%d", memop_view(mo, 0));
    if (mo & MO_ALIGN)
        fputs(".al", f);
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
    g_free(b->temp_type);
    memset(b, 0, sizeof(*b));
}

uint32_t ir_emit(IRBlock *b, IROpcode op, IRType type, IRTemp out, int nin,
                 const IRTemp *in, uint64_t imm)
{
    g_assert(nin >= 0 && nin <= IR_MAX_IN);
    if (b->n_insns == b->cap_insns) {
        b->cap_insns = b->cap_insns ? b->cap_insns * 2 : 256;
        b->insns = g_renew(IRInsn, b->insns, b->cap_insns);
    }
    IRInsn *i = &b->insns[b->n_insns];
    i->op = (uint8_t)op;
    i->type = (uint8_t)type;
    i->nin = (uint8_t)nin;
    i->memop = 0;
    i->out = out;
    for (int k = 0; k < IR_MAX_IN; k++)
        i->in[k] = k < nin ? in[k] : IR_NO_TEMP;
    i->imm = imm;
    return b->n_insns++;
}

/* the type array grows with the temps (the parser numbers temps itself) */
static void ir_set_temp_type(IRBlock *b, IRTemp t, IRType type)
{
    if (t >= b->cap_temps) {
        uint32_t cap = b->cap_temps ? b->cap_temps : 256;
        while (cap <= t)
            cap *= 2;
        b->temp_type = g_renew(uint8_t, b->temp_type, cap);
        memset(b->temp_type + b->cap_temps, IR_I32, cap - b->cap_temps);
        b->cap_temps = cap;
    }
    b->temp_type[t] = (uint8_t)type;
}

IRTemp ir_new_temp(IRBlock *b, IRType type)
{
    g_assert(b->n_temps < IR_NO_TEMP);
    ir_set_temp_type(b, (IRTemp)b->n_temps, type);
    return (IRTemp)b->n_temps++;
}

uint32_t ir_new_label(IRBlock *b)
{
    return b->n_labels++;
}

/* ------------------------------------------------------------- builders */

IRTemp ir_movi(IRBlock *b, uint32_t value)
{
    IRTemp t = ir_new_temp(b, IR_I32);
    ir_emit(b, IR_MOVI, IR_I32, t, 0, NULL, value);
    return t;
}

IRTemp ir_movi64(IRBlock *b, uint64_t value)
{
    IRTemp t = ir_new_temp(b, IR_I64);
    ir_emit(b, IR_MOVI, IR_I64, t, 0, NULL, value);
    return t;
}

IRTemp ir_mov(IRBlock *b, IRTemp a)
{
    IRType ty = ir_temp_type(b, a);
    IRTemp t = ir_new_temp(b, ty);
    ir_emit(b, IR_MOV, ty, t, 1, &a, 0);
    return t;
}

IRTemp ir_get_reg(IRBlock *b, int reg)
{
    IRType ty = (IRType)b->guest->regs[reg].type;
    IRTemp t = ir_new_temp(b, ty);
    ir_emit(b, IR_GET_REG, ty, t, 0, NULL, (uint32_t)reg);
    return t;
}

void ir_set_reg(IRBlock *b, int reg, IRTemp v)
{
    ir_emit(b, IR_SET_REG, ir_temp_type(b, v), IR_NO_TEMP, 1, &v, (uint32_t)reg);
}

IRTemp ir_ld_env_type(IRBlock *b, IRType type, uint32_t offset)
{
    IRTemp t = ir_new_temp(b, type);
    ir_emit(b, IR_LD_ENV, type, t, 0, NULL, offset);
    return t;
}

IRTemp ir_ld_env(IRBlock *b, uint32_t offset)
{
    return ir_ld_env_type(b, IR_I32, offset);
}

void ir_st_env(IRBlock *b, uint32_t offset, IRTemp v)
{
    ir_emit(b, IR_ST_ENV, ir_temp_type(b, v), IR_NO_TEMP, 1, &v, offset);
}

IRTemp ir_binop(IRBlock *b, IROpcode op, IRTemp a, IRTemp c)
{
    g_assert(ir_op_desc[op].nin == 2 && ir_op_desc[op].nout == 1);
    IRTemp in[2] = { a, c };
    IRType ty = ir_temp_type(b, a);
    IRTemp t = ir_new_temp(b, ty);
    ir_emit(b, op, ty, t, 2, in, 0);
    return t;
}

IRTemp ir_unop(IRBlock *b, IROpcode op, IRTemp a)
{
    g_assert(ir_op_desc[op].nin == 1 && ir_op_desc[op].nout == 1);
    IRType ty = ir_temp_type(b, a), out_ty = ty;
    if (ir_op_desc[op].types == TY_WIDEN)
        ty = out_ty = IR_I64;
    else if (ir_op_desc[op].types == TY_NARROW)
        out_ty = IR_I32;
    IRTemp t = ir_new_temp(b, out_ty);
    ir_emit(b, op, ty, t, 1, &a, 0);
    return t;
}

IRTemp ir_ld(IRBlock *b, IRType type, MemOp mo, IRTemp addr)
{
    IRTemp t = ir_new_temp(b, type);
    uint32_t n = ir_emit(b, IR_LD, type, t, 1, &addr, 0);
    b->insns[n].memop = mo;
    return t;
}

void ir_st(IRBlock *b, MemOp mo, IRTemp addr, IRTemp v)
{
    IRTemp in[2] = { addr, v };
    uint32_t n = ir_emit(b, IR_ST, ir_temp_type(b, v), IR_NO_TEMP, 2, in, 0);
    b->insns[n].memop = mo;
}

static MemOp ir_size_memop(int size)
{
    g_assert(size == 1 || size == 2 || size == 4);
    return size == 1 ? MO_8 : size == 2 ? MO_16 : MO_32;
}

IRTemp ir_load(IRBlock *b, int size, IRTemp addr)
{
    return ir_ld(b, IR_I32, ir_size_memop(size), addr);
}

void ir_store(IRBlock *b, int size, IRTemp addr, IRTemp v)
{
    ir_st(b, ir_size_memop(size), addr, v);
}

IRTemp ir_call(IRBlock *b, int helper, int nargs, const IRTemp *args)
{
    const GuestDesc *g = b->guest;
    g_assert(helper >= 0 && (uint32_t)helper < g->n_helpers);
    const HelperDesc *h = &g->helpers[helper];
    g_assert(nargs == h->nargs);
    IRTemp t = h->ret != IR_VOID ? ir_new_temp(b, (IRType)h->ret) : IR_NO_TEMP;
    ir_emit(b, IR_CALL, IR_I32, t, nargs, args, (uint32_t)helper);
    return t;
}

void ir_label(IRBlock *b, uint32_t label)
{
    ir_emit(b, IR_LABEL, IR_I32, IR_NO_TEMP, 0, NULL, label);
}

void ir_br(IRBlock *b, uint32_t label)
{
    ir_emit(b, IR_BR, IR_I32, IR_NO_TEMP, 0, NULL, label);
}

void ir_brz(IRBlock *b, IRTemp c, uint32_t label)
{
    ir_emit(b, IR_BRZ, ir_temp_type(b, c), IR_NO_TEMP, 1, &c, label);
}

void ir_brnz(IRBlock *b, IRTemp c, uint32_t label)
{
    ir_emit(b, IR_BRNZ, ir_temp_type(b, c), IR_NO_TEMP, 1, &c, label);
}

void ir_insn_start(IRBlock *b, uint64_t pc)
{
    ir_emit(b, IR_INSN_START, IR_I32, IR_NO_TEMP, 0, NULL, pc);
}

void ir_goto_tb(IRBlock *b, int slot)
{
    ir_emit(b, IR_GOTO_TB, IR_I32, IR_NO_TEMP, 0, NULL, (uint32_t)slot);
}

void ir_exit(IRBlock *b)
{
    ir_emit(b, IR_EXIT, IR_I32, IR_NO_TEMP, 0, NULL, 0);
}

void ir_exit_after(IRBlock *b, uint32_t n_done)
{
    ir_emit(b, IR_EXIT, IR_I32, IR_NO_TEMP, 0, NULL, n_done);
}

void ir_lookup_tb(IRBlock *b)
{
    ir_emit(b, IR_LOOKUP_TB, IR_I32, IR_NO_TEMP, 0, NULL, 0);
}

/* the type of insn's output temp (IR_VOID: none), from its type rule */
static IRType ir_out_type(const GuestDesc *g, const IRInsn *insn)
{
    switch (ir_op_desc[insn->op].types) {
    case TY_WIDEN:  return IR_I64;
    case TY_NARROW: return IR_I32;
    case TY_CALL:
        return insn->imm < g->n_helpers ? (IRType)g->helpers[insn->imm].ret : IR_VOID;
    default:        return (IRType)insn->type;
    }
}

/* the type input k of insn must have */
static IRType ir_in_type(const GuestDesc *g, const IRInsn *insn, int k)
{
    switch (ir_op_desc[insn->op].types) {
    case TY_WIDEN:  return IR_I32;
    case TY_NARROW: return IR_I64;
    case TY_MEM:    return k == 0 ? IR_I32 : (IRType)insn->type;
    case TY_CALL:   return (IRType)g->helpers[insn->imm].args[k];
    default:        return (IRType)insn->type;
    }
}

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
        fprintf(f, "label L%" PRIu64 "\n", insn->imm);
        return;
    }
    fputs("    ", f);
    if (insn->out != IR_NO_TEMP)
        fprintf(f, "t%u = ", insn->out);
    ir_print_op_name(f, insn);
    bool first = true;
    switch (d->imm) {
    case IMM_NONE:
        break;
    case IMM_CONST:
    case IMM_ENV:
    case IMM_GUEST_PC:
        fprintf(f, " $0x%" PRIx64, insn->imm);
        first = false;
        break;
    case IMM_REG:
    case IMM_SLOT:
        fprintf(f, " $%" PRIu64, insn->imm);
        first = false;
        break;
    case IMM_COUNT:
        if (insn->imm) {
            fprintf(f, " $%" PRIu64, insn->imm);
            first = false;
        }
        break;
    case IMM_LABEL:
        fprintf(f, " L%" PRIu64, insn->imm);
        first = false;
        break;
    case IMM_HELPER:
        if (insn->imm < g->n_helpers)
            fprintf(f, " @%s", g->helpers[insn->imm].name);
        else
            fprintf(f, " @<bad %" PRIu64 ">", insn->imm);
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
        ir_print_env_comment(f, g, (uint32_t)insn->imm);
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

/* a number after a prefix letter: t12, L3, $0x10, $-1 (negative: two's
 * complement at 64 bits when wide, else at 32) */
static bool ir_parse_number64(IRParser *ps, uint64_t *out, bool allow_neg, bool wide)
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
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || (!wide && v > 0xffffffffull))
        return false;
    ps->p = end;
    if (neg)
        v = wide ? -(uint64_t)v : (uint32_t)-(uint32_t)v;
    *out = v;
    return true;
}

static bool ir_parse_number(IRParser *ps, uint32_t *out, bool allow_neg)
{
    uint64_t v;
    if (!ir_parse_number64(ps, &v, allow_neg, false))
        return false;
    *out = (uint32_t)v;
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
    if (n >= ps->b->cap_temps)
        ir_set_temp_type(ps->b, (IRTemp)n, IR_I32);   /* typed by its definition */
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
    IRType type = d->types == TY_WIDEN || d->types == TY_NARROW ? IR_I64 : IR_I32;
    MemOp mo = 0;
    bool have_size = false;
    /* suffixes: .i64 (.v128), a load/store's size .8 .u8 .s8 ..., .vN, .al */
    while (*ps->p == '.') {
        char sfx[16];
        ps->p++;
        if (!ir_parse_ident(ps, sfx, sizeof(sfx)))
            return ir_parse_fail(ps, errp, "bad suffix");
        if (strcmp(sfx, "i64") == 0 || strcmp(sfx, "v128") == 0 || strcmp(sfx, "i32") == 0) {
            type = sfx[0] == 'v' ? IR_V128 : sfx[1] == '6' ? IR_I64 : IR_I32;
            continue;
        }
        if (d->types != TY_MEM)
            return ir_parse_fail(ps, errp, "suffix on an op without a type or MemOp");
        const char *n = sfx;
        if (strcmp(sfx, "al") == 0) {
            mo |= MO_ALIGN;
        } else if (sfx[0] == 'v' && isdigit((unsigned char)sfx[1]) && !sfx[2]) {
            mo = (MemOp)((mo & ~MO_VIEW_MASK) | MO_VIEW(sfx[1] - '0'));
        } else {
            if (*n == 'u' || *n == 's')
                mo |= *n++ == 's' ? MO_SIGN : 0;
            int bits = atoi(n);
            if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
                return ir_parse_fail(ps, errp, "bad memory access size");
            mo = (MemOp)((mo & ~MO_SIZE) | (bits == 8 ? MO_8 : bits == 16 ? MO_16 :
                                             bits == 32 ? MO_32 : MO_64));
            have_size = true;
        }
    }
    if (d->types == TY_MEM && !have_size)
        return ir_parse_fail(ps, errp, "load/store without a size (ld.32, st.8, ...)");
    uint64_t imm = 0;
    IRTemp in[IR_MAX_IN];
    int nin = 0;
    bool need_comma = false;

    ir_parse_skip_ws(ps);
    if (d->imm != IMM_NONE && !(d->imm == IMM_COUNT && *ps->p != '$')) {
        if (d->imm == IMM_LABEL) {
            if (*ps->p != 'L')
                return ir_parse_fail(ps, errp, "expected a label Ln");
            ps->p++;
            if (!ir_parse_number64(ps, &imm, false, false))
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
            if (!ir_parse_number64(ps, &imm, true, type == IR_I64 || d->imm == IMM_GUEST_PC))
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
    uint32_t n = ir_emit(ps->b, (IROpcode)op, type, out, nin, in, imm);
    IRInsn *insn = &ps->b->insns[n];
    insn->memop = mo;
    IRType ot = ir_out_type(ps->b->guest, insn);
    if (out != IR_NO_TEMP && ot != IR_VOID)
        ir_set_temp_type(ps->b, out, ot);
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

/* the op's own type and MemOp; NULL if fine, else what is wrong */
static const char *ir_verify_type(const GuestDesc *g, const IRInsn *insn)
{
    const IROpDesc *d = &ir_op_desc[insn->op];
    if (insn->type == IR_V128)
        return "type v128 is reserved, not implemented";
    if (insn->type != IR_I32 && insn->type != IR_I64)
        return "bad type";
    if ((d->types == TY_NONE || d->types == TY_CALL) && insn->type != IR_I32)
        return "op without typed temps must be i32";
    if ((d->types == TY_WIDEN || d->types == TY_NARROW) && insn->type != IR_I64)
        return "extension/truncation op must be i64";
    if (d->types != TY_MEM)
        return insn->memop ? "MemOp on an op that is not a load or store" : NULL;
    MemOp mo = insn->memop;
    if (8 * memop_bytes(mo) > ir_type_bits(insn->type))
        return "memory access wider than the op's type";
    if ((mo & MO_SIGN) && (insn->op == IR_ST || 8 * memop_bytes(mo) == ir_type_bits(insn->type)))
        return "sign extension on a store or a full-width load";
    if ((mo & MO_VIEW_MASK) && (uint32_t)memop_view(mo, 0) >= g->tlb_views)
        return "TLB view out of range";
    if (mo & ~(MO_SIZE | MO_SIGN | MO_VIEW_MASK | MO_ALIGN))
        return "bad MemOp bits";
    if ((mo & MO_ALIGN) && !g->misaligned)
        return "MO_ALIGN: the guest has no misaligned-access hook";
    if ((mo & MO_SIZE) == MO_64 && (insn->op == IR_LD ? !g->ld_slow64 : !g->st_slow64))
        return "64-bit load/store: the guest has no 64-bit slow path";
    return NULL;
}

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
            nout = g->helpers[insn->imm].ret != IR_VOID ? 1 : 0;
        }
        if (insn->nin != nin) {
            ir_verify_fail(errp, i, insn, "wrong number of inputs");
            goto out;
        }
        const char *bad_type = ir_verify_type(g, insn);
        if (bad_type) {
            ir_verify_fail(errp, i, insn, bad_type);
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
            if (b->temp_type[t] != ir_in_type(g, insn, k)) {
                ir_verify_fail(errp, i, insn, "input temp of the wrong type");
                goto out;
            }
        }
        if (nout == 1) {
            if (insn->out == IR_NO_TEMP || insn->out >= b->n_temps) {
                ir_verify_fail(errp, i, insn, "missing or bad output temp");
                goto out;
            }
            if (b->temp_type[insn->out] != ir_out_type(g, insn)) {
                ir_verify_fail(errp, i, insn, "output temp of the wrong type "
                               "(a temp has one type)");
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
            if (insn->type != g->regs[insn->imm].type) {
                ir_verify_fail(errp, i, insn, "op type is not the guest register's type");
                goto out;
            }
            break;
        case IMM_SLOT:
            if (insn->imm >= 2) {
                ir_verify_fail(errp, i, insn, "exit slot out of range");
                goto out;
            }
            break;
        case IMM_CONST:
            if (insn->type == IR_I32 && insn->imm > UINT32_MAX) {
                ir_verify_fail(errp, i, insn, "I32 constant wider than 32 bits");
                goto out;
            }
            break;
        case IMM_ENV:
            if ((insn->imm & (ir_type_bits(insn->type) / 8 - 1)) ||
                insn->imm + ir_type_bits(insn->type) / 8 > g->env_size) {
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
        bool ends = last->op == IR_GOTO_TB || last->op == IR_EXIT || last->op == IR_LOOKUP_TB ||
                    last->op == IR_BR ||
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
