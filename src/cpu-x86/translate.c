/*
 * translate.c - the x86 front end driver: guest bytes -> Capstone -> IR.
 *
 * x86_translate_block() fetches guest code through the MMU, decodes ONE
 * instruction at a time with Capstone (16- or 32-bit handle per HF_CS32),
 * derives operand/address size, segment override, REP and LOCK from the
 * raw prefix bytes (Capstone loses some of them, see shared/CAPSTONE.md),
 * looks the instruction id up in x86_insn_table (insn_table.c) and calls
 * the row's emitter.  The rest of this file is the operand plumbing every
 * emitter shares (frontend.h): registers by Capstone id, effective
 * addresses, loads/stores, the stack, lazy flags and block exits.
 *
 * Lazy flags are tracked statically inside a block: s->cc_op is the CCOp
 * known to be in env->cc_op and s->cc_*_t the temps known to hold
 * env->cc_*, so a Jcc after CMP/SUB/TEST becomes one SET* comparison
 * instead of a helper call.  Every emitter that writes env->cc_* must do
 * it through gen_set_cc()/gen_flush_flags() or a helper flagged
 * HF_WRITES_STATE (gen_helper() then forgets what it knew).
 *
 * Flag updates that nothing reads are not emitted at all: before emitting
 * a block, the whole block is decoded and cc_live.c marks the instructions
 * whose flag results are dead (s->flags_dead), which gen_set_cc() honours.
 *
 * Conditional code inside an instruction (BRZ over a region) must call
 * gen_sync_eip() before the branch and gen_cc_forget() after the label
 * if the region set flags.  See docs/cpu-frontend.md.
 */
#include <stdarg.h>
#include <string.h>
#include "cpu-x86/frontend.h"
#include "cpu-x86/gen.h"
#include "cpu-x86/debug.h"
#include "cpu-x86/seg.h"
#include "bus/memory.h"
#include "mmu/mmu.h"
#include "util/log.h"

#define ENV_OFF(field) ((uint32_t)offsetof(CPUState, field))
#define SEG_BASE_OFF(seg) ((uint32_t)(offsetof(CPUState, seg) + (seg) * sizeof(SegmentCache) \
                                      + offsetof(SegmentCache, base)))
#define SEG_SEL_OFF(seg) ((uint32_t)(offsetof(CPUState, seg) + (seg) * sizeof(SegmentCache) \
                                     + offsetof(SegmentCache, selector)))

/* ------------------------------------------------------------------ */
/* front end lifetime                                                  */

X86FrontEnd *x86_frontend_new(GError **errp)
{
    X86FrontEnd *fe = g_new0(X86FrontEnd, 1);

    if (cs_open(CS_ARCH_X86, CS_MODE_16, &fe->cs16) != CS_ERR_OK ||
        cs_open(CS_ARCH_X86, CS_MODE_32, &fe->cs32) != CS_ERR_OK) {
        g_set_error(errp, g_quark_from_static_string("tx86-frontend"), 0,
                    "cannot open Capstone (x86)");
        x86_frontend_free(fe);
        return NULL;
    }
    fe->ud_logged = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cs_option(fe->cs16, CS_OPT_DETAIL, CS_OPT_ON);
    cs_option(fe->cs32, CS_OPT_DETAIL, CS_OPT_ON);
    for (int i = 0; i < TB_MAX_INSNS; i++) {
        fe->insns[i] = cs_malloc(fe->cs32);
    }
    fe->scratch = cs_malloc(fe->cs32);
    return fe;
}

void x86_frontend_free(X86FrontEnd *fe)
{
    if (!fe) {
        return;
    }
    for (int i = 0; i < TB_MAX_INSNS; i++) {
        if (fe->insns[i]) {
            cs_free(fe->insns[i], 1);
        }
    }
    if (fe->scratch) {
        cs_free(fe->scratch, 1);
    }
    if (fe->cs16) {
        cs_close(&fe->cs16);
    }
    if (fe->cs32) {
        cs_close(&fe->cs32);
    }
    if (fe->ud_logged) {
        g_hash_table_destroy(fe->ud_logged);
    }
    g_free(fe);
}

/* ------------------------------------------------------------------ */
/* registers                                                           */

/* Capstone register -> (GPR number, size); for size 1, n 4-7 are AH..BH.
 * Returns false for non-GPRs. */
bool x86_creg_gpr(x86_reg r, int *n, int *size)
{
    static const struct { uint16_t reg; uint8_t n, size; } map[] = {
        { X86_REG_AL, 0, 1 }, { X86_REG_CL, 1, 1 }, { X86_REG_DL, 2, 1 }, { X86_REG_BL, 3, 1 },
        { X86_REG_AH, 4, 1 }, { X86_REG_CH, 5, 1 }, { X86_REG_DH, 6, 1 }, { X86_REG_BH, 7, 1 },
        { X86_REG_AX, 0, 2 }, { X86_REG_CX, 1, 2 }, { X86_REG_DX, 2, 2 }, { X86_REG_BX, 3, 2 },
        { X86_REG_SP, 4, 2 }, { X86_REG_BP, 5, 2 }, { X86_REG_SI, 6, 2 }, { X86_REG_DI, 7, 2 },
        { X86_REG_EAX, 0, 4 }, { X86_REG_ECX, 1, 4 }, { X86_REG_EDX, 2, 4 }, { X86_REG_EBX, 3, 4 },
        { X86_REG_ESP, 4, 4 }, { X86_REG_EBP, 5, 4 }, { X86_REG_ESI, 6, 4 }, { X86_REG_EDI, 7, 4 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(map); i++) {
        if (map[i].reg == r) {
            *n = map[i].n;
            *size = map[i].size;
            return true;
        }
    }
    return false;
}

int x86_creg_seg(x86_reg r)
{
    switch (r) {
    case X86_REG_ES: return R_ES;
    case X86_REG_CS: return R_CS;
    case X86_REG_SS: return R_SS;
    case X86_REG_DS: return R_DS;
    case X86_REG_FS: return R_FS;
    case X86_REG_GS: return R_GS;
    default: return -1;
    }
}

IRTemp gen_get_gpr(DisasContext *s, int n, int size)
{
    IRBlock *b = s->ir;
    switch (size) {
    case 4:
        return ir_get_reg(b, n);
    case 2:
        return ir_unop(b, IR_EXT16U, ir_get_reg(b, n));
    case 1:
        if (n < 4) {
            return ir_unop(b, IR_EXT8U, ir_get_reg(b, n));
        }
        return ir_unop(b, IR_EXT8U, ir_binop(b, IR_SHR, ir_get_reg(b, n - 4), ir_movi(b, 8)));
    default:
        g_assert_not_reached();
    }
}

void gen_set_gpr(DisasContext *s, int n, int size, IRTemp v)
{
    IRBlock *b = s->ir;
    IRTemp old, lo;
    switch (size) {
    case 4:
        ir_set_reg(b, n, v);
        return;
    case 2:
        old = ir_and(b, ir_get_reg(b, n), ir_movi(b, 0xffff0000u));
        ir_set_reg(b, n, ir_or(b, old, ir_unop(b, IR_EXT16U, v)));
        return;
    case 1:
        if (n < 4) {
            old = ir_and(b, ir_get_reg(b, n), ir_movi(b, 0xffffff00u));
            ir_set_reg(b, n, ir_or(b, old, ir_unop(b, IR_EXT8U, v)));
        } else {
            old = ir_and(b, ir_get_reg(b, n - 4), ir_movi(b, 0xffff00ffu));
            lo = ir_binop(b, IR_SHL, ir_unop(b, IR_EXT8U, v), ir_movi(b, 8));
            ir_set_reg(b, n - 4, ir_or(b, old, lo));
        }
        return;
    default:
        g_assert_not_reached();
    }
}

IRTemp gen_get_creg(DisasContext *s, x86_reg r)
{
    int n, size, seg;
    if (x86_creg_gpr(r, &n, &size)) {
        return gen_get_gpr(s, n, size);
    }
    seg = x86_creg_seg(r);
    if (seg >= 0) {
        return ir_unop(s->ir, IR_EXT16U, ir_ld_env(s->ir, SEG_SEL_OFF(seg)));
    }
    g_assert_not_reached();
}

void gen_set_creg(DisasContext *s, x86_reg r, IRTemp v)
{
    int n, size;
    if (x86_creg_gpr(r, &n, &size)) {
        gen_set_gpr(s, n, size, v);
        return;
    }
    /* segment registers are loaded by gen_mov_seg (gen_system.c) */
    g_assert_not_reached();
}

/* ------------------------------------------------------------------ */
/* operands                                                            */

int op_count(DisasContext *s)
{
    return s->x86->op_count;
}

const cs_x86_op *op_get(DisasContext *s, int idx)
{
    g_assert(idx < s->x86->op_count);
    return &s->x86->operands[idx];
}

int op_size(DisasContext *s, int idx)
{
    const cs_x86_op *o = op_get(s, idx);
    int n, size;
    if (o->type == X86_OP_REG && x86_creg_gpr(o->reg, &n, &size)) {
        return size;
    }
    return o->size;
}

static uint32_t size_mask(int size)
{
    return size == 1 ? 0xffu : size == 2 ? 0xffffu : 0xffffffffu;
}

IRTemp gen_seg_base(DisasContext *s, int seg)
{
    if (seg_hf_class(s->hflags, seg) == SEG_CLS_FLAT) {
        return ir_movi(s->ir, 0);           /* base 0 is part of the block key */
    }
    return ir_ld_env(s->ir, SEG_BASE_OFF(seg));
}

/* the segment a memory operand uses (override, fixed ES, default) */
static int op_segment(DisasContext *s, const cs_x86_op *o)
{
    int capseg = x86_creg_seg(o->mem.segment);
    if (capseg == R_ES) {
        return R_ES;                  /* string destination ES:[EDI], or an ES override */
    }
    if (s->seg_override >= 0) {
        return s->seg_override;
    }
    if (capseg >= 0) {
        return capseg;
    }
    switch (o->mem.base) {
    case X86_REG_ESP: case X86_REG_EBP: case X86_REG_SP: case X86_REG_BP:
        return R_SS;
    default:
        return R_DS;
    }
}

int op_seg(DisasContext *s, int idx)
{
    return op_segment(s, op_get(s, idx));
}

IRTemp gen_lea(DisasContext *s, int idx)
{
    IRBlock *b = s->ir;
    const cs_x86_op *o = op_get(s, idx);
    IRTemp t = IR_NO_TEMP;
    uint32_t disp = (uint32_t)o->mem.disp;
    int n, size;

    g_assert(o->type == X86_OP_MEM);
    if (o->mem.base != X86_REG_INVALID && x86_creg_gpr(o->mem.base, &n, &size)) {
        t = gen_get_gpr(s, n, size);
        if (n == R_ESP) {
            disp += (uint32_t)s->esp_bias;
        }
    }
    if (o->mem.index != X86_REG_INVALID && x86_creg_gpr(o->mem.index, &n, &size)) {
        IRTemp x = gen_get_gpr(s, n, size);
        if (o->mem.scale > 1) {
            int sh = o->mem.scale == 2 ? 1 : o->mem.scale == 4 ? 2 : 3;
            x = ir_binop(b, IR_SHL, x, ir_movi(b, sh));
        }
        t = t == IR_NO_TEMP ? x : ir_add(b, t, x);
    }
    if (t == IR_NO_TEMP) {
        return ir_movi(b, s->addrsize == 2 ? disp & 0xffff : disp);
    }
    if (disp) {
        t = ir_add(b, t, ir_movi(b, disp));
    }
    if (s->addrsize == 2) {
        t = ir_unop(b, IR_EXT16U, t);
    }
    return t;
}

IRTemp gen_ea(DisasContext *s, int idx)
{
    if (s->ea[idx] == IR_NO_TEMP) {
        IRTemp off = gen_lea(s, idx);
        /* limit/type check for a read of the operand (gen_prot.c); writes
         * to read-only segments are caught in gen_st_op */
        s->ea[idx] = gen_seg_addr(s, op_segment(s, op_get(s, idx)), off, op_size(s, idx), false,
                                  s->addrsize == 4);
    }
    return s->ea[idx];
}

IRTemp gen_ea_access(DisasContext *s, int idx, int size, bool write)
{
    int seg = op_segment(s, op_get(s, idx));
    IRTemp off = gen_lea(s, idx);

    if (seg_hf_class(s->hflags, seg) == SEG_CLS_FLAT)
        return off;
    if (size > 0)
        gen_seg_check(s, seg, off, size, write, s->addrsize == 4);
    return ir_add(s->ir, off, gen_seg_base(s, seg));
}

IRTemp gen_ea_plus(DisasContext *s, int idx, IRTemp extra)
{
    IRTemp off = ir_add(s->ir, gen_lea(s, idx), extra);
    if (s->addrsize == 2) {
        off = ir_unop(s->ir, IR_EXT16U, off);
    }
    return gen_seg_addr(s, op_segment(s, op_get(s, idx)), off, op_size(s, idx), false,
                        s->addrsize == 4);
}

/* --trace: record a data access (after it succeeded) */
static void gen_trace_mem(DisasContext *s, int size, IRTemp lin, IRTemp v, bool write)
{
    IRTemp args[3] = { lin, v, ir_movi(s->ir, (uint32_t)size | (write ? CPU_TRACE_MEM_WRITE : 0)) };
    ir_call(s->ir, HELPER_trace_mem, 3, args);
}

IRTemp gen_ld(DisasContext *s, int size, IRTemp lin)
{
    gen_sync_eip(s);
    IRTemp v = ir_load(s->ir, size, lin);
    if (G_UNLIKELY(s->env->trace))
        gen_trace_mem(s, size, lin, v, false);
    return v;
}

void gen_st(DisasContext *s, int size, IRTemp lin, IRTemp v)
{
    gen_sync_eip(s);
    ir_store(s->ir, size, lin, v);
    if (G_UNLIKELY(s->env->trace))
        gen_trace_mem(s, size, lin, v, true);
    s->mem_written = true;
}

IRTemp gen_ld_op(DisasContext *s, int idx)
{
    const cs_x86_op *o = op_get(s, idx);
    switch (o->type) {
    case X86_OP_REG:
        return gen_get_creg(s, o->reg);
    case X86_OP_IMM:
        return ir_movi(s->ir, (uint32_t)o->imm & size_mask(o->size));
    case X86_OP_MEM:
        return gen_ld(s, op_size(s, idx), gen_ea(s, idx));
    default:
        g_assert_not_reached();
    }
}

IRTemp gen_sext(DisasContext *s, int size, IRTemp v)
{
    if (size == 1) {
        return ir_unop(s->ir, IR_EXT8S, v);
    }
    if (size == 2) {
        return ir_unop(s->ir, IR_EXT16S, v);
    }
    return v;
}

IRTemp gen_zext(DisasContext *s, int size, IRTemp v)
{
    if (size == 1) {
        return ir_unop(s->ir, IR_EXT8U, v);
    }
    if (size == 2) {
        return ir_unop(s->ir, IR_EXT16U, v);
    }
    return v;
}

IRTemp gen_ld_op_sext(DisasContext *s, int idx)
{
    const cs_x86_op *o = op_get(s, idx);
    if (o->type == X86_OP_IMM) {
        uint32_t v = (uint32_t)o->imm;
        if (o->size == 1) {
            v = (uint32_t)(int32_t)(int8_t)v;
        } else if (o->size == 2) {
            v = (uint32_t)(int32_t)(int16_t)v;
        }
        return ir_movi(s->ir, v);
    }
    return gen_sext(s, op_size(s, idx), gen_ld_op(s, idx));
}

void gen_st_op(DisasContext *s, int idx, IRTemp v)
{
    const cs_x86_op *o = op_get(s, idx);
    switch (o->type) {
    case X86_OP_REG:
        gen_set_creg(s, o->reg, v);
        return;
    case X86_OP_MEM: {
        int seg = op_segment(s, o), cls = seg_hf_class(s->hflags, seg);
        IRTemp lin = gen_ea(s, idx);
        if (cls == SEG_CLS_SLOW || cls == SEG_CLS_UP_RO) {
            /* writability (gen_prot.c); the limit was checked by gen_ea */
            gen_seg_check(s, seg, gen_lea(s, idx), op_size(s, idx), true, s->addrsize == 4);
        }
        gen_st(s, op_size(s, idx), lin, v);
        return;
    }
    default:
        g_assert_not_reached();
    }
}

bool op_is_mem(DisasContext *s, int idx)
{
    return op_get(s, idx)->type == X86_OP_MEM;
}

bool op_same_reg(DisasContext *s, int a, int b)
{
    const cs_x86_op *x = op_get(s, a), *y = op_get(s, b);
    return x->type == X86_OP_REG && y->type == X86_OP_REG && x->reg == y->reg;
}

/* ------------------------------------------------------------------ */
/* stack                                                               */

/* new ESP value from sp + delta, honouring a 16-bit stack */
static void gen_write_sp(DisasContext *s, IRTemp oldsp, IRTemp newsp)
{
    if (s->ss32) {
        ir_set_reg(s->ir, R_ESP, newsp);
    } else {
        IRTemp hi = ir_and(s->ir, oldsp, ir_movi(s->ir, 0xffff0000u));
        ir_set_reg(s->ir, R_ESP, ir_or(s->ir, hi, ir_unop(s->ir, IR_EXT16U, newsp)));
    }
}

/* linear address of an access of size bytes at SS:sp, limit-checked
 * (#SS(0), gen_prot.c) */
static IRTemp gen_stack_lin(DisasContext *s, IRTemp sp, int size, bool write)
{
    if (!s->ss32) {
        sp = ir_unop(s->ir, IR_EXT16U, sp);
    }
    return gen_seg_addr(s, R_SS, sp, size, write, s->ss32);
}

void gen_push(DisasContext *s, int size, IRTemp v)
{
    IRTemp sp = ir_get_reg(s->ir, R_ESP);
    IRTemp nsp = ir_sub(s->ir, sp, ir_movi(s->ir, size));
    gen_st(s, size, gen_stack_lin(s, nsp, size, true), v);
    gen_write_sp(s, sp, nsp);
}

IRTemp gen_pop_peek(DisasContext *s, int size, int offset)
{
    IRTemp sp = ir_get_reg(s->ir, R_ESP);
    if (offset) {
        sp = ir_add(s->ir, sp, ir_movi(s->ir, (uint32_t)offset));
    }
    return gen_ld(s, size, gen_stack_lin(s, sp, size, false));
}

void gen_adjust_esp(DisasContext *s, int32_t delta)
{
    IRTemp sp = ir_get_reg(s->ir, R_ESP);
    gen_write_sp(s, sp, ir_add(s->ir, sp, ir_movi(s->ir, (uint32_t)delta)));
}

IRTemp gen_pop(DisasContext *s, int size)
{
    IRTemp v = gen_pop_peek(s, size, 0);
    gen_adjust_esp(s, size);
    return v;
}

/* ------------------------------------------------------------------ */
/* lazy flags                                                          */

void gen_cc_forget(DisasContext *s)
{
    s->cc_op = -1;
    s->cc_dst_t = s->cc_src_t = s->cc_src2_t = s->cc_a_t = IR_NO_TEMP;
}

void gen_set_cc(DisasContext *s, CCOp op, IRTemp dst, IRTemp src, IRTemp src2)
{
    IRBlock *b = s->ir;
    if (s->flags_dead) {
        return;                 /* overwritten before read (cc_live.c) */
    }
    if (s->cc_op != (int)op) {
        ir_st_env(b, ENV_OFF(cc_op), ir_movi(b, op));
        s->cc_op = op;
    }
    ir_st_env(b, ENV_OFF(cc_dst), dst);
    if (src != IR_NO_TEMP) {
        ir_st_env(b, ENV_OFF(cc_src), src);
    }
    if (src2 != IR_NO_TEMP) {
        ir_st_env(b, ENV_OFF(cc_src2), src2);
    }
    s->cc_dst_t = dst;
    s->cc_src_t = src;
    s->cc_src2_t = src2;
    s->cc_a_t = IR_NO_TEMP;
}

/* flags are now the EFLAGS-form value e (CC bits) */
void gen_set_cc_eflags(DisasContext *s, IRTemp e)
{
    IRBlock *b = s->ir;
    if (s->flags_dead) {
        return;                 /* overwritten before read (cc_live.c) */
    }
    if (s->cc_op != CC_OP_EFLAGS) {
        ir_st_env(b, ENV_OFF(cc_op), ir_movi(b, CC_OP_EFLAGS));
    }
    ir_st_env(b, ENV_OFF(cc_src), e);
    gen_cc_forget(s);
    s->cc_op = CC_OP_EFLAGS;
    s->cc_src_t = e;
}

static IRTemp cc_dst(DisasContext *s)
{
    return s->cc_dst_t != IR_NO_TEMP ? s->cc_dst_t : ir_ld_env(s->ir, ENV_OFF(cc_dst));
}

static IRTemp cc_src(DisasContext *s)
{
    return s->cc_src_t != IR_NO_TEMP ? s->cc_src_t : ir_ld_env(s->ir, ENV_OFF(cc_src));
}

/* the arithmetic flags in EFLAGS form */
IRTemp gen_cc_all(DisasContext *s)
{
    if (s->cc_op == CC_OP_EFLAGS) {
        return cc_src(s);
    }
    return gen_helper(s, HELPER_cc_compute_all, 0);
}

IRTemp gen_get_cf(DisasContext *s)
{
    IRBlock *b = s->ir;
    int op = s->cc_op;
    if (op >= CC_OP_ADDB && op <= CC_OP_ADDL) {
        int sz = 1 << (op - CC_OP_ADDB);
        return ir_binop(b, IR_SETLTU, gen_zext(s, sz, cc_dst(s)), gen_zext(s, sz, cc_src(s)));
    }
    if (op >= CC_OP_SUBB && op <= CC_OP_SUBL) {
        int sz = 1 << (op - CC_OP_SUBB);
        IRTemp a = s->cc_a_t != IR_NO_TEMP ? s->cc_a_t : ir_add(b, cc_dst(s), cc_src(s));
        return ir_binop(b, IR_SETLTU, gen_zext(s, sz, a), gen_zext(s, sz, cc_src(s)));
    }
    if (op >= CC_OP_LOGICB && op <= CC_OP_LOGICL) {
        return ir_movi(b, 0);
    }
    if (op >= CC_OP_INCB && op <= CC_OP_DECL) {
        return cc_src(s);
    }
    if (op == CC_OP_EFLAGS) {
        return ir_and(b, cc_src(s), ir_movi(b, CC_C));
    }
    return gen_helper(s, HELPER_cc_compute_c, 0);
}

IRTemp gen_get_eflags(DisasContext *s)
{
    return gen_helper(s, HELPER_read_eflags, 0);
}

void gen_flush_flags(DisasContext *s)
{
    if (s->cc_op == CC_OP_EFLAGS) {
        return;
    }
    gen_set_cc_eflags(s, gen_helper(s, HELPER_cc_compute_all, 0));
}

/* bit `bit` of e as 0/1 */
static IRTemp bit_of(IRBlock *b, IRTemp e, int bit)
{
    if (bit) {
        e = ir_binop(b, IR_SHR, e, ir_movi(b, bit));
    }
    return ir_and(b, e, ir_movi(b, 1));
}

/* condition from EFLAGS-form e; base = cc >> 1 */
static IRTemp cond_from_eflags(IRBlock *b, IRTemp e, int base)
{
    switch (base) {
    case 0: return bit_of(b, e, 11);                      /* O */
    case 1: return bit_of(b, e, 0);                       /* B */
    case 2: return bit_of(b, e, 6);                       /* Z */
    case 3: return ir_binop(b, IR_SETNE, ir_and(b, e, ir_movi(b, CC_C | CC_Z)), ir_movi(b, 0));
    case 4: return bit_of(b, e, 7);                       /* S */
    case 5: return bit_of(b, e, 2);                       /* P */
    case 6: return bit_of(b, ir_xor(b, e, ir_binop(b, IR_SHR, e, ir_movi(b, 4))), 7);   /* S^O */
    case 7: {                                             /* (S^O) | Z */
        IRTemp so = ir_xor(b, e, ir_binop(b, IR_SHR, e, ir_movi(b, 4)));
        return bit_of(b, ir_or(b, so, ir_binop(b, IR_SHL, e, ir_movi(b, 1))), 7);
    }
    default: g_assert_not_reached();
    }
}

/* a fast condition from a statically known cc_op, or IR_NO_TEMP */
static IRTemp cond_fast(DisasContext *s, int cc)
{
    IRBlock *b = s->ir;
    int op = s->cc_op, base = cc >> 1, inv = cc & 1, sz;
    IRTemp d, a, c, zero;

    if (op < CC_OP_ADDB) {
        return IR_NO_TEMP;
    }
    sz = 1 << ((op - CC_OP_ADDB) % 3);
    if (op >= CC_OP_SUBB && op <= CC_OP_SUBL && base != 0 && base != 5) {
        c = cc_src(s);
        a = s->cc_a_t != IR_NO_TEMP ? s->cc_a_t : ir_add(b, cc_dst(s), c);
        switch (base) {
        case 1: case 3:     /* B, BE (unsigned) */
            a = gen_zext(s, sz, a);
            c = gen_zext(s, sz, c);
            if (base == 1) {
                return inv ? ir_binop(b, IR_SETLEU, c, a) : ir_binop(b, IR_SETLTU, a, c);
            }
            return inv ? ir_binop(b, IR_SETLTU, c, a) : ir_binop(b, IR_SETLEU, a, c);
        case 2:             /* Z */
            return ir_binop(b, inv ? IR_SETNE : IR_SETEQ, gen_zext(s, sz, cc_dst(s)), ir_movi(b, 0));
        case 4:             /* S */
            d = gen_sext(s, sz, cc_dst(s));
            zero = ir_movi(b, 0);
            return inv ? ir_binop(b, IR_SETLE, zero, d) : ir_binop(b, IR_SETLT, d, zero);
        case 6: case 7:     /* L, LE (signed) */
            a = gen_sext(s, sz, a);
            c = gen_sext(s, sz, c);
            if (base == 6) {
                return inv ? ir_binop(b, IR_SETLE, c, a) : ir_binop(b, IR_SETLT, a, c);
            }
            return inv ? ir_binop(b, IR_SETLT, c, a) : ir_binop(b, IR_SETLE, a, c);
        }
    }
    if (op >= CC_OP_LOGICB && op <= CC_OP_LOGICL) {
        d = cc_dst(s);
        zero = ir_movi(b, 0);
        switch (base) {
        case 0: case 1:     /* O, B: always 0 */
            return ir_movi(b, inv);
        case 2: case 3:     /* Z, BE */
            return ir_binop(b, inv ? IR_SETNE : IR_SETEQ, gen_zext(s, sz, d), zero);
        case 4: case 6:     /* S, L */
            d = gen_sext(s, sz, d);
            return inv ? ir_binop(b, IR_SETLE, zero, d) : ir_binop(b, IR_SETLT, d, zero);
        case 7:             /* LE */
            d = gen_sext(s, sz, d);
            return inv ? ir_binop(b, IR_SETLT, zero, d) : ir_binop(b, IR_SETLE, d, zero);
        default:
            return IR_NO_TEMP;
        }
    }
    /* every other op: Z and S come straight from the result */
    if (base == 2) {
        return ir_binop(b, inv ? IR_SETNE : IR_SETEQ, gen_zext(s, sz, cc_dst(s)), ir_movi(b, 0));
    }
    if (base == 4) {
        d = gen_sext(s, sz, cc_dst(s));
        zero = ir_movi(b, 0);
        return inv ? ir_binop(b, IR_SETLE, zero, d) : ir_binop(b, IR_SETLT, d, zero);
    }
    if (base == 1 && ((op >= CC_OP_ADDB && op <= CC_OP_ADDL) || (op >= CC_OP_INCB && op <= CC_OP_DECL))) {
        c = gen_get_cf(s);
        return inv ? ir_xor(b, c, ir_movi(b, 1)) : c;
    }
    return IR_NO_TEMP;
}

IRTemp gen_cond(DisasContext *s, int cc)
{
    IRTemp r = cond_fast(s, cc);
    if (r != IR_NO_TEMP) {
        return r;
    }
    if (cc >> 1 == 1) {
        r = gen_get_cf(s);
    } else {
        r = cond_from_eflags(s->ir, gen_cc_all(s), cc >> 1);
    }
    return (cc & 1) ? ir_xor(s->ir, r, ir_movi(s->ir, 1)) : r;
}

/* ------------------------------------------------------------------ */
/* control flow                                                        */

/*
 * Position-independent blocks.  A block of flat 32-bit code (CS.D = 1,
 * limit 4 GiB) computes every eip value it writes (eip syncs, branch
 * targets, return addresses, helper arguments) as env->eip at its entry
 * plus a distance, never as a constant: env->eip equals the block's pc
 * whenever a block is entered (the CPU loop, chained jumps and the jump
 * cache all find the block from it).  Such a block (tb->pcrel) serves
 * every linear address its physical code is mapped at, so a library that
 * ASLR maps at a new address in each process is not translated again
 * (the block cache looks pcrel blocks up without their pc: translator.c).
 * Not while anything looks at linear addresses at translation time:
 * --trace, instruction breakpoints and watchpoints, gdb single-step, -d
 * exec/cpu (whose logs name the block's pc); nor in a block with a
 * 16-bit relative branch (its target wraps at 64 KiB: pc_rel_ok).
 */
IRTemp gen_eip(DisasContext *s, uint32_t eip)
{
    if (!s->pcrel)
        return ir_movi(s->ir, eip);
    uint32_t d = eip - s->tb->pc;
    return d ? ir_add(s->ir, s->pc_base, ir_movi(s->ir, d)) : s->pc_base;
}

void gen_sync_eip(DisasContext *s)
{
    if (!s->eip_synced) {
        ir_st_env(s->ir, ENV_OFF(eip), gen_eip(s, s->pc));
        s->eip_synced = true;
    }
}

/* while data breakpoints are enabled: leave the block (eip already
 * stored) when the instruction just emitted hit one, so the CPU loop
 * raises the #DB trap right after it (debug.h) */
static void gen_check_dbg_pending(DisasContext *s)
{
    uint32_t skip = ir_new_label(s->ir);
    ir_brz(s->ir, ir_ld_env(s->ir, ENV_OFF(dbg_pending)), skip);
    ir_exit_after(s->ir, (uint32_t)s->insn_idx + 1);
    ir_label(s->ir, skip);
}

void gen_jmp_imm(DisasContext *s, uint32_t eip, int slot)
{
    ir_st_env(s->ir, ENV_OFF(eip), gen_eip(s, eip));
    if (G_UNLIKELY(s->env->dbg_flags & (DBG_IBP | DBG_WATCH))) {
        if (debug_ibp_at(s->env, s->cs_base + eip)) {
            ir_exit(s->ir);             /* never chain into a breakpoint: the loop checks it */
            s->is_jmp = DISAS_JUMP;
            return;
        }
        if (s->env->dbg_flags & DBG_WATCH)
            gen_check_dbg_pending(s);
    }
    ir_goto_tb(s->ir, slot);
    s->tb->jmp_pc[slot] = eip;
    s->is_jmp = DISAS_JUMP;
}

void gen_jmp_temp(DisasContext *s, IRTemp eip)
{
    ir_st_env(s->ir, ENV_OFF(eip), eip);
    ir_exit(s->ir);
    s->is_jmp = DISAS_JUMP;
}

/*
 * A near indirect branch (JMP/CALL r/m, RET): LOOKUP_TB, which a chaining
 * backend may follow through the jump cache without the CPU loop, unless
 * the loop has to see the next instruction boundary: a single-step or
 * interrupt-shadow block (HF_TF, HF_INHIBIT_IRQ: one instruction, then #DB
 * or the interrupt check), instruction breakpoints or watchpoints (DR7 or
 * gdb: the loop checks them, as gen_jmp_imm never chains into one), gdb
 * single-step.  Changing any of these flushes the blocks.
 */
void gen_jmp_indirect(DisasContext *s, IRTemp eip)
{
    ir_st_env(s->ir, ENV_OFF(eip), eip);
    if ((s->hflags & (HF_TF | HF_INHIBIT_IRQ | HF_ONE_INSN)) || s->env->gdb_step ||
        (s->env->dbg_flags & (DBG_IBP | DBG_WATCH | DBG_GDB)))
        ir_exit(s->ir);
    else
        ir_lookup_tb(s->ir);
    s->is_jmp = DISAS_JUMP;
}

void gen_exception(DisasContext *s, int vector, uint32_t error_code, bool has_error)
{
    gen_helper(s, HELPER_raise_exception, 2, ir_movi(s->ir, vector),
               ir_movi(s->ir, has_error ? error_code : 0));
    ir_exit(s->ir);
    s->is_jmp = DISAS_JUMP;
}

/* why an instruction raises #UD at translation, for -d unimp */
typedef enum UdKind {
    UD_INVALID,         /* the encoding is invalid on every CPU */
    UD_UNIMPL,          /* decoded, but tx86 has no implementation */
    UD_FEATURE,         /* implemented, but the -cpu model does not claim it */
    UD_UNDECODABLE,     /* Capstone cannot decode it */
} UdKind;

/* number of legacy prefix bytes at the start of p */
static int prefix_count(const uint8_t *p, int len)
{
    int i = 0;
    while (i < len) {
        switch (p[i]) {
        case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
            i++;
            continue;
        default:
            return i;
        }
    }
    return i;
}

/* bytes that identify an undecodable instruction: its prefixes, the
 * opcode (0F, 0F 38 and 0F 3A escapes included) and one more byte (the
 * ModRM, if it has one); its real length is unknown */
static int undecodable_key_len(const uint8_t *p, int len)
{
    int i = prefix_count(p, len);
    if (i < len && p[i] == 0x0f) {
        i += (i + 1 < len && (p[i + 1] == 0x38 || p[i + 1] == 0x3a)) ? 3 : 2;
    } else {
        i++;
    }
    i++;
    return i < len ? i : len;
}

/*
 * -d unimp: one line per distinct (kind, code size, instruction bytes) in
 * the life of this front end, however often the instruction is translated
 * again (retranslation after a flush or self-modifying code, or the same
 * bytes elsewhere).  The set lives in X86FrontEnd.
 */
static void log_ud(DisasContext *s, UdKind kind, const uint8_t *bytes, int n)
{
    GString *key, *hex;
    const char *what;
    char why[96];

    key = g_string_new(NULL);
    g_string_printf(key, "%d:%d:", (int)kind, s->code32 ? 32 : 16);
    hex = g_string_new(NULL);
    for (int i = 0; i < n; i++) {
        g_string_append_printf(hex, i ? " %02x" : "%02x", bytes[i]);
    }
    g_string_append(key, hex->str);
    if (g_hash_table_contains(s->fe->ud_logged, key->str)) {
        g_string_free(key, TRUE);
        g_string_free(hex, TRUE);
        return;
    }
    g_hash_table_add(s->fe->ud_logged, g_string_free(key, FALSE));
    switch (kind) {
    case UD_UNIMPL:
        what = "not implemented by tx86";
        break;
    case UD_FEATURE:
        snprintf(why, sizeof why, "invalid on this CPU model (%s lacks %s)",
                 cpuid_get_model(s->env)->name,
                 cpuid_insn_feature_name((InsnFeature)s->info->feature));
        what = why;
        break;
    case UD_UNDECODABLE:
        what = "undecodable (an invalid opcode, or one Capstone 4.0.2 does not know)";
        break;
    default:
        what = "invalid encoding";
        break;
    }
    if (s->insn) {
        log_printf("unimp: #UD, %s: %s (%s%s%s) at %08x (cs_base %08x eip %08x, %d-bit)\n",
                   what, hex->str, s->insn->mnemonic, s->insn->op_str[0] ? " " : "",
                   s->insn->op_str, s->cs_base + s->pc, s->cs_base, s->pc, s->code32 ? 32 : 16);
    } else {
        log_printf("unimp: #UD, %s: %s %s at %08x (cs_base %08x eip %08x, %d-bit)\n",
                   what, hex->str, kind == UD_UNDECODABLE ? "..." : "(hint nop)",
                   s->cs_base + s->pc, s->cs_base, s->pc, s->code32 ? 32 : 16);
    }
    g_string_free(hex, TRUE);
}

static void gen_ud_kind(DisasContext *s, UdKind kind, const uint8_t *bytes, int n)
{
    if (log_enabled(LOG_UNIMP) && bytes) {
        log_ud(s, kind, bytes, n);
    }
    gen_helper(s, HELPER_raise_ud, 0);
    ir_exit(s->ir);
    s->is_jmp = DISAS_JUMP;
}

void gen_ud(DisasContext *s)
{
    gen_ud_kind(s, UD_INVALID, s->insn ? s->insn->bytes : NULL, s->insn ? s->insn->size : 0);
}

void gen_ud_unimpl(DisasContext *s)
{
    gen_ud_kind(s, UD_UNIMPL, s->insn ? s->insn->bytes : NULL, s->insn ? s->insn->size : 0);
}

void gen_ud_feature(DisasContext *s)
{
    gen_ud_kind(s, UD_FEATURE, s->insn ? s->insn->bytes : NULL, s->insn ? s->insn->size : 0);
}

IRTemp gen_helper(DisasContext *s, HelperId h, int nargs, ...)
{
    IRTemp args[IR_MAX_IN];
    va_list ap;
    const HelperDesc *d = &helper_table[h];
    IRTemp r;

    g_assert(nargs == d->nargs && nargs <= IR_MAX_IN);
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++) {
        args[i] = (IRTemp)va_arg(ap, int);
    }
    va_end(ap);
    if (d->flags & HF_MAY_FAULT) {
        gen_sync_eip(s);
    }
    r = ir_call(s->ir, h, nargs, args);
    if (d->flags & HF_WRITES_STATE) {
        gen_cc_forget(s);
    }
    if (d->flags & HF_WRITES_MEM) {
        s->mem_written = true;
    }
    return r;
}

/* ------------------------------------------------------------------ */
/* the block driver                                                    */

/* may tb be position-independent (gen_eip): the backend wants it
 * (Backend.pcrel: not the interpreter), flat 32-bit code, and nothing
 * that looks at linear pcs at translation or names them in logs */
static bool pcrel_allowed(const CPUState *env, const TranslationBlock *tb)
{
    /* not with an exact count: a fault counts from the block's own pc */
    return env->tr_ctx->backend->pcrel && !env->tr_ctx->exact_count &&
           (tb->hflags & HF_CS32) && tb->cs_limit == 0xffffffffu && !env->trace &&
           !env->gdb_step && !(env->dbg_flags & (DBG_IBP | DBG_WATCH | DBG_GDB)) &&
           !log_enabled(LOG_EXEC | LOG_CPU);
}

/* a relative branch with a 16-bit operand size (0x66): its target wraps
 * at 64 KiB, which a pcrel block cannot compute as a distance */
static bool rel16_branch(const uint8_t *p, int len)
{
    int i = prefix_count(p, len);
    if (!memchr(p, 0x66, (size_t)i) || i >= len)
        return false;
    uint8_t op = p[i];
    if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3) || op == 0xe8 || op == 0xe9 ||
        op == 0xeb)
        return true;
    return op == 0x0f && i + 1 < len && (p[i + 1] & 0xf0) == 0x80;
}

/* prefixes from the raw bytes; returns the number of prefix bytes */
static int parse_prefixes(DisasContext *s, const uint8_t *p, int len)
{
    bool p66 = false, p67 = false;
    int i;
    s->seg_override = -1;
    s->rep = REP_NONE;
    s->lock = false;
    for (i = 0; i < len; i++) {
        switch (p[i]) {
        case 0x66: p66 = true; continue;
        case 0x67: p67 = true; continue;
        case 0xf0: s->lock = true; continue;
        case 0xf2: s->rep = REP_NZ; continue;
        case 0xf3: s->rep = REP_Z; continue;
        case 0x26: s->seg_override = R_ES; continue;
        case 0x2e: s->seg_override = R_CS; continue;
        case 0x36: s->seg_override = R_SS; continue;
        case 0x3e: s->seg_override = R_DS; continue;
        case 0x64: s->seg_override = R_FS; continue;
        case 0x65: s->seg_override = R_GS; continue;
        default: break;
        }
        break;
    }
    s->opsize = (s->code32 ^ p66) ? 4 : 2;
    s->addrsize = (s->code32 ^ p67) ? 4 : 2;
    return i;
}

/* the end-of-instruction check for self-modifying code */
static void gen_check_code_dirty(DisasContext *s)
{
    uint32_t skip = ir_new_label(s->ir);
    ir_brz(s->ir, ir_ld_env(s->ir, ENV_OFF(code_dirty)), skip);
    ir_st_env(s->ir, ENV_OFF(eip), gen_eip(s, s->next_pc));
    ir_exit_after(s->ir, (uint32_t)s->insn_idx + 1);
    ir_label(s->ir, skip);
}

static void log_in_asm(DisasContext *s)
{
    GString *g = g_string_new(NULL);
    for (int i = 0; i < s->insn->size; i++) {
        g_string_append_printf(g, "%02x", s->insn->bytes[i]);
    }
    log_printf("0x%08x:  %-20s %s %s\n", s->cs_base + s->pc, g->str, s->insn->mnemonic,
               s->insn->op_str);
    g_string_free(g, TRUE);
}

static void translate_one(DisasContext *s)
{
    const InsnInfo *info = s->info;
    const cs_x86_op *o0 = s->x86->op_count ? &s->x86->operands[0] : NULL;

    if (!info->gen) {
        gen_ud_unimpl(s);
        return;
    }
    if (info->feature && !(s->env->insn_features & (1u << info->feature))) {
        gen_ud_feature(s);          /* the -cpu model lacks it (cpuid.h) */
        return;
    }
    if (s->lock && (!(info->flags & IF_LOCK_OK) || !o0 || o0->type != X86_OP_MEM)) {
        gen_ud(s);
        return;
    }
    if ((info->flags & IF_PRIV) && (s->hflags & HF_PE) &&
        ((s->hflags & HF_CPL_MASK) || (s->hflags & HF_VM))) {
        gen_exception(s, EXCP_GP, 0, true);
        return;
    }
    info->gen(s);
    if (s->is_jmp == DISAS_NEXT && (info->flags & IF_ENDS_BLOCK)) {
        s->is_jmp = DISAS_STOP;
    }
}

/* MOV SS, r/m or POP SS: the loads that open an interrupt shadow */
static bool is_ss_load(const cs_insn *insn)
{
    const cs_x86 *x = &insn->detail->x86;

    return (insn->id == X86_INS_MOV || insn->id == X86_INS_POP) && x->op_count > 0 &&
           x->operands[0].type == X86_OP_REG && x->operands[0].reg == X86_REG_SS;
}


/* one instruction as decoded by the first pass of x86_translate_block */
typedef struct DecodedInsn {
    uint32_t pc;
    uint32_t next_pc;
    GuestPhys p2;               /* physical address in the next page (if read) */
    uint8_t buf[X86_MAX_INSN_LEN];
    uint8_t len;                /* valid bytes in buf */
    uint8_t hint;               /* hint-NOP length (hintnop.c; Capstone not asked), or 0 */
    bool ok;                    /* Capstone decoded it into fe->insns[i] */
    bool too_long;              /* longer than 15 bytes: #GP(0) */
    bool crossed;               /* it runs into the next page */
} DecodedInsn;

/* a hint NOP (hintnop.c): nothing, unless the model predates them or LOCK
 * is used */
static void gen_hint_nop(DisasContext *s, const DecodedInsn *di)
{
    static const InsnInfo nopl_info = { .feature = INSN_FEAT_NOPL };

    if (!(s->env->insn_features & (1u << INSN_FEAT_NOPL))) {
        s->info = &nopl_info;
        gen_ud_kind(s, UD_FEATURE, di->buf, di->hint);
    } else if (s->lock) {
        gen_ud_kind(s, UD_INVALID, di->buf, di->hint);
    }
}

/* does this decoded instruction always end the block?  (branches, calls,
 * returns, interrupts, table rows flagged IF_ENDS_BLOCK, #UD) */
static bool ends_block(const cs_insn *insn)
{
    const cs_detail *d = insn->detail;
    const InsnInfo *info = &x86_insn_table[insn->id];
    if (!info->gen || (info->flags & IF_ENDS_BLOCK)) {
        return true;
    }
    for (int i = 0; i < d->groups_count; i++) {
        switch (d->groups[i]) {
        case X86_GRP_JUMP: case X86_GRP_CALL: case X86_GRP_RET:
        case X86_GRP_INT: case X86_GRP_IRET:
            return true;
        default:
            break;
        }
    }
    return false;
}

/* does an instruction at pc of size bytes reach past the CS limit?  (SDM
 * vol. 3 5.3 covers fetches; with a 4 GiB limit offsets wrap, as data
 * accesses do: seg_offset_ok) */
static bool fetch_beyond_limit(uint32_t limit, uint32_t pc, uint32_t size)
{
    return limit != 0xffffffffu && (uint64_t)pc + size - 1 > limit;
}

/*
 * buf holds the 15 bytes of an instruction Capstone did not decode: is it a
 * valid one longer than 15 bytes?  That is #GP(0), not #UD (SDM Vol. 2A
 * 2.3.11).  Capstone refuses anything longer than 15 bytes, so the prefixes
 * are cut down to those that change the length or the opcode (the last
 * 66, 67 and F2/F3; segment overrides and LOCK do not), the rest follows,
 * zero bytes stand for what lies after byte 15, and the instruction found
 * is measured against the real prefix count.
 */
static bool insn_too_long(X86FrontEnd *fe, const uint8_t *buf, bool code32)
{
    uint8_t t[2 * X86_MAX_INSN_LEN] = { 0 };
    int npfx = prefix_count(buf, X86_MAX_INSN_LEN), n = 0, len;
    bool p66 = false, p67 = false;
    uint8_t rep = 0;
    const uint8_t *code = t;
    size_t csize = X86_MAX_INSN_LEN;
    uint64_t addr = 0;

    if (npfx == X86_MAX_INSN_LEN) {
        return true;                            /* no room left for an opcode */
    }
    for (int i = 0; i < npfx; i++) {
        p66 |= buf[i] == 0x66;
        p67 |= buf[i] == 0x67;
        if (buf[i] == 0xf2 || buf[i] == 0xf3) {
            rep = buf[i];
        }
    }
    if (p66) {
        t[n++] = 0x66;
    }
    if (p67) {
        t[n++] = 0x67;
    }
    if (rep) {
        t[n++] = rep;
    }
    memcpy(t + n, buf + npfx, X86_MAX_INSN_LEN - npfx);
    len = x86_hint_nop_len(t, X86_MAX_INSN_LEN, code32);
    if (!len && cs_disasm_iter(code32 ? fe->cs32 : fe->cs16, &code, &csize, &addr, fe->scratch)) {
        len = fe->scratch->size;
    }
    return len && npfx + len - n > X86_MAX_INSN_LEN;
}

/*
 * First pass: fetch and decode up to max_insns instructions of the block
 * into fe->insns[] / d[], stopping at a page change, at an instruction that
 * always ends a block, or at bytes that do not decode.  Only the first
 * instruction's fetch may raise (#PF, or #GP(0) when it starts or ends
 * past the CS limit); later fetch problems end the block, so the next
 * block starts with the faulting instruction.
 */
static int decode_block(X86FrontEnd *fe, CPUState *env, PhysMem *pm, TranslationBlock *tb,
                        bool code32, int max_insns, DecodedInsn *d)
{
    uint32_t lin0 = tb->cs_base + tb->pc;
    uint32_t page_lin = lin0 & PAGE_MASK, page_phys = tb->phys_pc & PAGE_MASK;
    uint32_t pc = tb->pc;
    int n = 0;

    while (n < max_insns) {
        DecodedInsn *di = &d[n];

        if (n > 0 && G_UNLIKELY(env->dbg_flags & DBG_IBP) && debug_ibp_at(env, tb->cs_base + pc))
            break;                              /* a breakpoint starts its own block */
        if (fetch_beyond_limit(tb->cs_limit, pc, 1)) {
            if (n > 0)
                break;
            raise_exception(env, EXCP_GP, 0);   /* eip = tb->pc: the fetch faults */
        }
        uint32_t off = (tb->cs_base + pc) & ~PAGE_MASK;
        uint32_t avail = PAGE_SIZE - off, len, size;
        const uint8_t *code = di->buf;
        size_t csize;
        uint64_t addr = pc;
        bool second = false;

        memset(di, 0, sizeof(*di));
        di->pc = pc;
        len = avail < X86_MAX_INSN_LEN ? avail : X86_MAX_INSN_LEN;
        physmem_read_buf(pm, page_phys + off, di->buf, len);
        if (len < X86_MAX_INSN_LEN && mmu_probe_code(env, page_lin + PAGE_SIZE, &di->p2)) {
            physmem_read_buf(pm, di->p2 & PAGE_MASK, di->buf + len, X86_MAX_INSN_LEN - len);
            len = X86_MAX_INSN_LEN;
            second = true;
        }
        di->len = (uint8_t)len;
        /* the hint-NOP space is decided from the bytes (Capstone 4.0.2
         * rejects or misnames much of it: docs/cpu-frontend.md) */
        di->hint = (uint8_t)x86_hint_nop_len(di->buf, (int)len, code32);
        if (!di->hint) {
            csize = len;
            di->ok = cs_disasm_iter(code32 ? fe->cs32 : fe->cs16, &code, &csize, &addr,
                                    fe->insns[n]);
            if (!di->ok)                /* SIMD forms Capstone rejects (gen_simd.c) */
                di->ok = x86_simd_decode_alt(fe, di->buf, (int)len, pc, code32, fe->insns[n]);
            if (!di->ok && len < X86_MAX_INSN_LEN && !second) {
                /* maybe truncated by an unmapped next page */
                if (n > 0) {
                    break;                      /* end the block before it */
                }
                if (fetch_beyond_limit(tb->cs_limit, pc, avail + 1))
                    raise_exception(env, EXCP_GP, 0);   /* the limit is checked before paging */
                mmu_translate_code(env, page_lin + PAGE_SIZE);   /* raises #PF */
            }
        }
        if (di->hint) {
            size = di->hint;
        } else if (di->ok) {
            size = fe->insns[n]->size;
        } else {
            /* undecodable or too long: #UD or #GP(0) ends the block */
            di->too_long = len == X86_MAX_INSN_LEN && insn_too_long(fe, di->buf, code32);
            size = 1;
        }
        if (fetch_beyond_limit(tb->cs_limit, pc, size)) {
            if (n > 0)
                break;
            raise_exception(env, EXCP_GP, 0);
        }
        di->crossed = di->ok || di->hint ? off + size > PAGE_SIZE : false;
        di->next_pc = pc + size;
        if (!code32) {
            di->next_pc &= 0xffff;
        }
        n++;
        pc = di->next_pc;
        if ((!di->ok && !di->hint) || di->crossed || (di->ok && ends_block(fe->insns[n - 1])) ||
            ((tb->cs_base + pc) & PAGE_MASK) != page_lin) {
            break;
        }
    }
    return n;
}

void x86_translate_block(X86FrontEnd *fe, CPUState *env, TranslationBlock *tb, IRBlock *ir)
{
    DisasContext ctx, *s = &ctx;
    PhysMem *pm = env->mem ? env->mem : env->tr_ctx->mem;
    DecodedInsn d[TB_MAX_INSNS];
    bool locked[TB_MAX_INSNS], flags_dead[TB_MAX_INSNS];
    const cs_insn *decoded[TB_MAX_INSNS];
    uint32_t pc = tb->pc;
    int max_insns, n_decoded, n = 0;
    static const InsnInfo ud_info = { NULL, 0, 0, CCE_UNKNOWN };

    memset(s, 0, sizeof(*s));
    s->env = env;
    s->fe = fe;
    s->ir = ir;
    s->tb = tb;
    s->cs_base = tb->cs_base;
    s->cs_limit = tb->cs_limit;
    s->hflags = tb->hflags;
    s->code32 = (tb->hflags & HF_CS32) != 0;
    s->ss32 = (tb->hflags & HF_SS32) != 0;
    gen_cc_forget(s);

    tb->phys_page2 = GUEST_PHYS_NONE;
    tb->jmp_pc[0] = tb->jmp_pc[1] = UINT32_MAX;
    tb->phys_pc = mmu_translate_code(env, tb->cs_base + tb->pc);     /* may raise #PF */
    max_insns = (tb->hflags & (HF_TF | HF_INHIBIT_IRQ | HF_ONE_INSN)) || env->gdb_step
                ? 1 : TB_MAX_INSNS;

    /* pass 1: decode; pass 2: which flag updates are dead */
    n_decoded = decode_block(fe, env, pm, tb, s->code32, max_insns, d);
    for (int i = 0; i < n_decoded; i++) {
        decoded[i] = d[i].ok ? fe->insns[i] : NULL;
        locked[i] = memchr(d[i].buf, 0xf0, (size_t)prefix_count(d[i].buf, d[i].len)) != NULL;
    }
    cc_live_analyze(decoded, locked, n_decoded, flags_dead);
    s->pcrel = pcrel_allowed(env, tb);
    for (int i = 0; i < n_decoded && s->pcrel; i++)
        s->pcrel = !rel16_branch(d[i].buf, d[i].len);
    tb->pcrel = s->pcrel;
    s->pc_base = s->pcrel ? ir_ld_env(ir, ENV_OFF(eip)) : IR_NO_TEMP;
    if (G_UNLIKELY(env->trace))
        memset(flags_dead, 0, sizeof(flags_dead));  /* the trace shows every flag update */

    if (log_enabled(LOG_IN_ASM) && log_filter_pass(tb->cs_base + tb->pc)) {
        log_printf("----------------\nIN: %s cs_base %08x eip %08x\n",
                   s->code32 ? "32-bit" : "16-bit", tb->cs_base, tb->pc);
    }

    /* pass 3: emit IR, one instruction at a time */
    for (n = 0; n < n_decoded; ) {
        const DecodedInsn *di = &d[n];

        ir_insn_start(ir, di->pc);
        if (G_UNLIKELY(env->trace)) {
            /* --trace: the instruction is DEFined now, its execution recorded by id */
            uint32_t lin = tb->cs_base + di->pc;
            uint32_t len = (di->next_pc - di->pc) & (s->code32 ? ~0u : 0xffffu);
            uint8_t mode = (s->code32 ? CPU_TRACE_MODE_CODE32 : 0) |
                           ((tb->hflags & HF_PE) ? CPU_TRACE_MODE_PE : 0) |
                           ((tb->hflags & HF_VM) ? CPU_TRACE_MODE_VM : 0) |
                           ((tb->hflags & HF_PG) ? CPU_TRACE_MODE_PG : 0);
            IRTemp id = ir_movi(ir, cpu_hook_translate_insn(env, lin,
                                                   (tb->phys_pc & PAGE_MASK) | (lin & ~PAGE_MASK),
                                                   mode, di->buf, (int)MIN(len, di->len)));
            ir_call(ir, HELPER_trace_insn, 1, &id);
        }
        s->pc = di->pc;
        s->next_pc = di->next_pc;
        s->insn_idx = n;
        tb->insn_len[n] = (uint8_t)((di->next_pc - di->pc) & (s->code32 ? ~0u : 0xffffu));
        s->eip_synced = false;
        s->is_jmp = DISAS_NEXT;
        s->mem_written = false;
        s->esp_bias = 0;
        s->flags_dead = flags_dead[n];
        for (unsigned i = 0; i < G_N_ELEMENTS(s->ea); i++) {
            s->ea[i] = IR_NO_TEMP;
        }
        parse_prefixes(s, di->buf, di->len);

        if (di->ok) {
            s->insn = fe->insns[n];
            s->x86 = &s->insn->detail->x86;
            s->info = &x86_insn_table[s->insn->id];
            if (log_enabled(LOG_IN_ASM) && log_filter_pass(tb->cs_base + tb->pc)) {
                log_in_asm(s);
            }
        } else {
            s->insn = NULL;
            s->info = &ud_info;
            if (di->hint && log_enabled(LOG_IN_ASM) && log_filter_pass(tb->cs_base + tb->pc)) {
                GString *g = g_string_new(NULL);
                for (int i = 0; i < di->hint; i++) {
                    g_string_append_printf(g, "%02x", di->buf[i]);
                }
                log_printf("0x%08x:  %-20s (hint nop)\n", s->cs_base + di->pc, g->str);
                g_string_free(g, TRUE);
            }
        }
        if (di->crossed) {
            tb->phys_page2 = di->p2 & PAGE_MASK;
        }

        if (s->insn) {
            translate_one(s);
        } else if (di->hint) {
            gen_hint_nop(s, di);
        } else if (di->too_long) {
            gen_exception(s, EXCP_GP, 0, true);
        } else {
            gen_ud_kind(s, UD_UNDECODABLE, di->buf, undecodable_key_len(di->buf, di->len));
        }
        if (s->is_jmp == DISAS_NEXT && s->mem_written) {
            gen_check_code_dirty(s);
        }
        if (G_UNLIKELY(env->dbg_flags & DBG_WATCH) && s->is_jmp == DISAS_NEXT) {
            ir_st_env(ir, ENV_OFF(eip), gen_eip(s, s->next_pc));
            gen_check_dbg_pending(s);
        }
        if (s->insn && s->is_jmp != DISAS_JUMP && is_ss_load(s->insn)) {
            /* the MOV/POP SS shadow also holds back #DB traps (exec.c) */
            ir_st_env(ir, ENV_OFF(shadow_ss), ir_movi(ir, 1));
        }
        n++;
        tb->size = (s->next_pc - tb->pc) & (s->code32 ? ~0u : 0xffffu);
        pc = s->next_pc;
        if (s->is_jmp != DISAS_NEXT) {
            break;
        }
    }
    if (tb->size == 0) {
        tb->size = 1;
    }
    tb->n_insns = n;
    switch (s->is_jmp) {
    case DISAS_NEXT:
        s->pc = pc;
        gen_jmp_imm(s, pc, 0);
        break;
    case DISAS_STOP:
        ir_st_env(ir, ENV_OFF(eip), gen_eip(s, pc));
        ir_exit(ir);
        break;
    case DISAS_JUMP:
        break;
    default:
        g_assert_not_reached();
    }
}
