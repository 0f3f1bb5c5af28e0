/*
 * gen_simd.c - the emitter of every MMX/SSE/SSE2/SSE3/SSSE3 instruction
 * (rows in insn_table_simd.inc; design in simd.h and docs/simd.md).
 *
 * gen_SIMD classifies Capstone's operands (MMn, XMMn, GPR, memory, imm8),
 * chooses the form (an XMM operand makes it the XMM form: Capstone uses
 * one id for PADDB mm and PADDB xmm) and its CPUID feature (#UD when the
 * -cpu model lacks it), computes the linear address of the memory operand
 * (checked by the helper after its #UD/#NM tests, which have priority),
 * and calls helper_simd once.  MASKMOVQ/MASKMOVDQU address DS:(E)DI (the
 * segment may be overridden).  LDMXCSR's only operand is its source; for
 * every other instruction a memory operand 0 is the destination.
 *
 * Capstone 4.0.2 in 16-bit mode ignores 0x66, 0xF2 and 0xF3 as mandatory
 * prefixes (66 0F FC is shown as paddb mm, 66 0F 6F and F3 0F 6F as movq
 * mm): a 16-bit instruction with one of them is decoded again in 32-bit mode with 0x67 toggled (same
 * operands, same 16-bit addressing) and that decode is used
 * (simd_redecode16); those Capstone rejects outright in 16-bit mode (66 0F
 * 73 /3 and /7, 66 0F D6, 66 0F 6C/6D, F2 0F D6) are decoded that way by
 * the front end's first pass (x86_simd_decode16).
 *
 * Capstone 4.0.2 chooses between the 66 and the F2/F3 forms by prefix
 * order (F3 66 0F 6F decodes as movdqa, F2 66 0F 10 as movupd; the CPU
 * takes F2/F3 over 66): such instructions are #UD here, logged under
 * -d unimp (docs/cpu-frontend.md).
 */
#include <string.h>
#include "cpu-x86/gen.h"
#include "cpu-x86/sse/simd.h"

static unsigned simd_class(const cs_x86_op *o, unsigned *reg)
{
    int n, size;

    if (o->type != X86_OP_REG)
        return SC_NONE;
    if (o->reg >= X86_REG_MM0 && o->reg <= X86_REG_MM7) {
        *reg = o->reg - X86_REG_MM0;
        return SC_MM;
    }
    if (o->reg >= X86_REG_XMM0 && o->reg <= X86_REG_XMM7) {
        *reg = o->reg - X86_REG_XMM0;
        return SC_XMM;
    }
    if (x86_creg_gpr(o->reg, &n, &size) && size == 4) {
        *reg = (unsigned)n;
        return SC_GPR;
    }
    return SC_NONE;
}

/* 66 together with F2 or F3 among the prefix bytes */
static bool simd_prefix_clash(DisasContext *s)
{
    bool p66 = false, prep = false;

    for (int i = 0; i < s->insn->size; i++) {
        uint8_t c = s->insn->bytes[i];
        if (c == 0x66)
            p66 = true;
        else if (c == 0xf2 || c == 0xf3)
            prep = true;
        else if (c == 0x0f)
            break;
        else if (c != 0x26 && c != 0x2e && c != 0x36 && c != 0x3e && c != 0x64 &&
                 c != 0x65 && c != 0x67 && c != 0xf0)
            break;
    }
    return p66 && prep;
}

static void gen_simd_body(DisasContext *s, SimdOp op);

/* 16-bit bytes b (len) with 0x66, 0xF2 or 0xF3 before 0F: their decode by
 * the 32-bit Capstone handle with 0x67 toggled into insn, false if none;
 * *dlen gets the length difference (decoded size - real size) */
static bool simd_decode32(X86FrontEnd *fe, const uint8_t *b, int len, uint32_t pc,
                          cs_insn *insn, int *dlen)
{
    uint8_t buf[X86_MAX_INSN_LEN + 1];
    bool p66 = false, p67 = false, prep = false;
    int n = 0, k;
    const uint8_t *code = buf;
    size_t size;
    uint64_t addr = pc;

    for (k = 0; k < len; k++) {
        uint8_t c = b[k];
        if (c == 0x66)
            p66 = true;
        else if (c == 0x67)
            p67 = true;
        else if (c == 0xf2 || c == 0xf3)
            prep = true;
        else if (!(c == 0xf0 || c == 0x26 || c == 0x2e ||
                   c == 0x36 || c == 0x3e || c == 0x64 || c == 0x65))
            break;
    }
    if (!(p66 || prep) || k >= len || b[k] != 0x0f)
        return false;
    if (!p67)
        buf[n++] = 0x67;
    for (int i = 0; i < len && n < X86_MAX_INSN_LEN; i++)
        if (!(i < k && b[i] == 0x67))
            buf[n++] = b[i];
    size = (size_t)n;
    if (!cs_disasm_iter(fe->cs32, &code, &size, &addr, insn))
        return false;
    *dlen = p67 ? -1 : 1;
    return true;
}

/* the row of a decoded id is a SIMD one */
static bool simd_id(unsigned id)
{
    return id == X86_INS_MOVSD || (id < X86_INS_ENDING && x86_insn_table[id].gen == gen_SIMD);
}

bool x86_simd_decode16(X86FrontEnd *fe, const uint8_t *buf, int len, uint32_t pc,
                       cs_insn *insn)
{
    int dlen;

    if (!simd_decode32(fe, buf, len, pc, insn, &dlen) || !simd_id(insn->id))
        return false;
    insn->size = (uint16_t)(insn->size - dlen);
    memcpy(insn->bytes, buf, insn->size);
    return true;
}

/* 16-bit code with 0x66, 0xF2 or 0xF3: the 32-bit decode, or NULL */
static cs_insn *simd_redecode16(DisasContext *s)
{
    int dlen;

    if (s->code32 || !s->fe->scratch ||
        !simd_decode32(s->fe, s->insn->bytes, s->insn->size, s->pc, s->fe->scratch, &dlen))
        return NULL;
    return s->fe->scratch;
}

void gen_SIMD(DisasContext *s)
{
    gen_simd_op(s, (int)s->info->arg);
}

void gen_simd_op(DisasContext *s, int op)
{
    cs_insn *re = simd_redecode16(s);

    if (re) {
        const cs_insn *insn = s->insn;
        const cs_x86 *x86 = s->x86;
        const InsnInfo *row = &x86_insn_table[re->id];

        if (re->id == X86_INS_MOVSD)
            op = SOP_MOVSD;
        else if (row->gen == gen_SIMD)
            op = (int)row->arg;
        else {
            gen_ud_unimpl(s);
            return;
        }
        s->insn = re;
        s->x86 = &re->detail->x86;
        gen_simd_body(s, (SimdOp)op);
        s->insn = insn;
        s->x86 = x86;
        return;
    }
    gen_simd_body(s, (SimdOp)op);
}

static void gen_simd_body(DisasContext *s, SimdOp op)
{
    const SimdOpInfo *oi = &simd_ops[op];
    unsigned cls[3] = { SC_NONE, SC_NONE, SC_NONE }, reg[3] = { 0, 0, 0 };
    int nops = op_count(s), mi = -1, nreg = 0;
    unsigned imm = 0, dcls = SC_NONE, scls = SC_NONE, dreg = 0, sreg = 0;
    bool xform = false, dmem = false, smem = false;
    int seg = R_DS, feat;
    IRTemp lin, gpr;

    for (int i = 0; i < nops && i < 3; i++) {
        const cs_x86_op *o = op_get(s, i);
        if (o->type == X86_OP_MEM) {
            mi = i;
        } else if (o->type == X86_OP_IMM) {
            imm = (unsigned)o->imm & 0xff;
        } else {
            cls[i] = simd_class(o, &reg[i]);
            if (cls[i] == SC_NONE) {
                gen_ud(s);
                return;
            }
            if (cls[i] == SC_XMM)
                xform = true;
            nreg++;
        }
    }
    if (op == SOP_EMMS)
        xform = false;
    else if (op == SOP_LDMXCSR || op == SOP_STMXCSR)
        xform = true;
    feat = xform ? oi->feat_xmm : oi->feat_mm;
    if (!feat) {
        gen_ud(s);
        return;
    }
    if (!(s->env->insn_features & (1u << feat))) {
        static const InsnInfo feat_info[32] = {
            [INSN_FEAT_MMX] = { .feature = INSN_FEAT_MMX },
            [INSN_FEAT_SSE] = { .feature = INSN_FEAT_SSE },
            [INSN_FEAT_SSE2] = { .feature = INSN_FEAT_SSE2 },
            [INSN_FEAT_SSE3] = { .feature = INSN_FEAT_SSE3 },
            [INSN_FEAT_SSSE3] = { .feature = INSN_FEAT_SSSE3 },
        };
        s->info = &feat_info[feat];
        gen_ud_feature(s);
        return;
    }
    if (xform && simd_prefix_clash(s)) {
        gen_ud_unimpl(s);
        return;
    }

    /* destination and source */
    if (mi == 0 && op != SOP_LDMXCSR) {
        dmem = true;
        if (nops > 1) {
            scls = cls[1];
            sreg = reg[1];
        }
    } else {
        dcls = cls[0];
        dreg = reg[0];
        if (mi == 1 || (op == SOP_LDMXCSR && mi == 0)) {
            smem = true;
        } else if (nops > 1) {
            scls = cls[1];
            sreg = reg[1];
        }
    }

    if (oi->flags & SOF_MASKMOV) {
        /* data, mask; stores the selected bytes to seg:(E)DI */
        IRTemp off = gen_get_gpr(s, R_EDI, s->addrsize);
        seg = s->seg_override >= 0 ? s->seg_override : R_DS;
        lin = ir_add(s->ir, gen_seg_base(s, seg), off);
        dmem = true;
    } else if (mi >= 0) {
        lin = gen_ea(s, mi);
        seg = op_seg(s, mi);
    } else {
        lin = ir_movi(s->ir, 0);
    }
    if (oi->flags & SOF_EFLAGS)
        gen_flush_flags(s);                 /* the helper writes them as CC_OP_EFLAGS */
    if (scls == SC_GPR)
        gpr = gen_get_gpr(s, (int)sreg, 4);
    else
        gpr = ir_movi(s->ir, 0);

    IRTemp r = gen_helper(s, HELPER_simd, 3,
                          ir_movi(s->ir, SIMD_ARG(op, dreg, sreg, dmem, dcls, scls, seg, smem, imm)),
                          lin, gpr);
    if (dcls == SC_GPR && !dmem)
        gen_set_gpr(s, (int)dreg, 4, r);
}
