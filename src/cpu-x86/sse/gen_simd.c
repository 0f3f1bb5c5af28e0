/*
 * gen_simd.c - the emitter of every MMX/SSE/SSE2/SSE3/SSSE3 instruction
 * (rows in insn_table_simd.inc; design in simd.h and docs/simd.md).
 *
 * gen_SIMD classifies Capstone's operands (MMn, XMMn, GPR, memory, imm8),
 * chooses the form (an XMM operand makes it the XMM form: Capstone uses
 * one id for PADDB mm and PADDB xmm) and its CPUID feature (#UD when the
 * -cpu model lacks it), computes the linear address of the memory operand
 * (checked by the helper after its #UD/#NM tests, which have priority),
 * and calls helper_simd once, unless gen_simd_inline emits the form as IR
 * (the common SSE2 integer forms: docs/simd.md, "Inline forms").  MASKMOVQ/MASKMOVDQU address DS:(E)DI (the
 * segment may be overridden).  LDMXCSR's only operand is its source; for
 * every other instruction a memory operand 0 is the destination.
 *
 * Capstone 4.0.2 gets the mandatory prefix wrong in two ways
 * (docs/cpu-frontend.md): in 16-bit mode it ignores 0x66, 0xF2 and 0xF3
 * (66 0F FC is shown as paddb mm, 66 0F 6F and F3 0F 6F as movq mm), and
 * with 66 next to F2/F3, or F2 next to F3, it goes by prefix order (F3 66
 * 0F 6F decodes as movdqa, F2 66 0F 10 as movupd).  Such instructions are
 * decoded again with one canonical mandatory prefix (simd_decode_canon)
 * and that decode is used; bytes Capstone rejects outright that way (66 0F
 * 73 /3 in 16-bit code...) are decoded by the front end's first pass
 * through x86_simd_decode_alt.
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

/*
 * The bytes b (len) of a SIMD instruction decoded again so Capstone sees
 * one mandatory prefix, into insn: false if no second look is needed.
 * Needed in 16-bit code whenever 66, F2 or F3 is present (decoded by the
 * 32-bit handle with 0x67 toggled: same operands, same 16-bit addressing),
 * and in any code when 66 comes with F2/F3 or F2 with F3 (measured on an
 * Intel CPU: F2/F3 take precedence over 66 in any order, and of F2 and F3
 * the last one counts; the others are dropped).  *dlen gets the decoded
 * size minus the real size.
 */
static bool simd_decode_canon(X86FrontEnd *fe, const uint8_t *b, int len, uint32_t pc,
                              bool code32, cs_insn *insn, int *dlen)
{
    uint8_t buf[X86_MAX_INSN_LEN + 2];
    bool p66 = false, p67 = false, pf2 = false, pf3 = false;
    uint8_t rep = 0;
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
        else if (c == 0xf2 || c == 0xf3) {
            pf2 |= c == 0xf2;
            pf3 |= c == 0xf3;
            rep = c;                    /* the last one */
        } else if (!(c == 0xf0 || c == 0x26 || c == 0x2e || c == 0x36 || c == 0x3e ||
                     c == 0x64 || c == 0x65))
            break;
    }
    if (k >= len || b[k] != 0x0f)
        return false;
    if (code32 ? !((p66 && rep) || (pf2 && pf3)) : !(p66 || rep))
        return false;
    if (!code32 && !p67)
        buf[n++] = 0x67;
    for (int i = 0; i < k; i++) {
        uint8_t c = b[i];
        if ((c == 0x67 && !code32) || c == 0x66 || c == 0xf2 || c == 0xf3)
            continue;
        buf[n++] = c;
    }
    if (rep)
        buf[n++] = rep;
    else if (p66)
        buf[n++] = 0x66;
    for (int i = k; i < len && n < (int)sizeof buf; i++)
        buf[n++] = b[i];
    size = (size_t)n;
    if (!cs_disasm_iter(fe->cs32, &code, &size, &addr, insn))
        return false;
    *dlen = n - len;                    /* prefix bytes added minus removed */
    return true;
}

/* the row of a decoded id is a SIMD one */
static bool simd_id(unsigned id)
{
    return id == X86_INS_MOVSD || id == X86_INS_CMPSD ||
           (id < X86_INS_ENDING && x86_insn_table[id].gen == gen_SIMD);
}

/* LFENCE/MFENCE/SFENCE with r/m bits other than 0 (0F AE E9..EF, F1..F7,
 * F9..FF): the CPU ignores r/m (SDM Vol. 2 LFENCE, MFENCE, SFENCE),
 * Capstone 4.0.2 rejects them; decoded as the r/m 0 form */
static bool simd_fence_alias(X86FrontEnd *fe, const uint8_t *b, int len, uint32_t pc,
                             bool code32, cs_insn *insn)
{
    uint8_t buf[X86_MAX_INSN_LEN];
    const uint8_t *code = buf;
    size_t size;
    uint64_t addr = pc;
    int k = 0;

    while (k < len && (b[k] == 0x66 || b[k] == 0x67 || b[k] == 0xf0 || b[k] == 0xf2 ||
                       b[k] == 0xf3 || b[k] == 0x26 || b[k] == 0x2e || b[k] == 0x36 ||
                       b[k] == 0x3e || b[k] == 0x64 || b[k] == 0x65))
        k++;
    if (k + 2 >= len || b[k] != 0x0f || b[k + 1] != 0xae || b[k + 2] < 0xe8 ||
        (b[k + 2] & 7) == 0)
        return false;
    memcpy(buf, b, (size_t)k + 3);
    buf[k + 2] &= 0xf8;
    size = (size_t)k + 3;
    if (!cs_disasm_iter(code32 ? fe->cs32 : fe->cs16, &code, &size, &addr, insn))
        return false;
    memcpy(insn->bytes, b, (size_t)k + 3);
    return true;
}

bool x86_simd_decode_alt(X86FrontEnd *fe, const uint8_t *buf, int len, uint32_t pc,
                         bool code32, cs_insn *insn)
{
    int dlen;

    if (simd_fence_alias(fe, buf, len, pc, code32, insn))
        return true;

    if (!simd_decode_canon(fe, buf, len, pc, code32, insn, &dlen) || !simd_id(insn->id))
        return false;
    insn->size = (uint16_t)(insn->size - dlen);
    memcpy(insn->bytes, buf, insn->size);
    return true;
}

/* the canonical decode of the current instruction, or NULL */
static cs_insn *simd_redecode(DisasContext *s)
{
    int dlen;

    if (!s->fe->scratch ||
        !simd_decode_canon(s->fe, s->insn->bytes, s->insn->size, s->pc, s->code32,
                           s->fe->scratch, &dlen))
        return NULL;
    return s->fe->scratch;
}

static void gen_simd_body(DisasContext *s, SimdOp op);

/*
 * Inline IR for the commonest XMM forms (docs/simd.md, "Inline forms"):
 * 128-bit moves (register, load, store; MOVNTxx stores as plain ones),
 * MOVD and MOVQ (GPR, register, 32/64-bit load and store, the top
 * zeroed), the bitwise logic, PADDB/W/D/Q, PSUBB/W/D/Q, PCMPEQB/W/D,
 * PMULUDQ, PMOVMSKB, the unpacks, PSHUFD/PSHUFLW/PSHUFHW, the byte
 * shifts PSLLDQ/PSRLDQ and the lane shifts by an immediate, on the two
 * 64-bit halves of env's XMM registers (lane operations as SWAR on each
 * half) and 4-, 8- or two 8-byte guest accesses of the operand's real
 * size.  The block's first such instruction calls helper_sse_check
 * (#UD/#NM: CR0.EM, CR0.TS, CR4.OSFXSR); later ones need not, as every
 * write of CR0/CR4 ends its block.  Then, as in helper_simd: the segment
 * check (inline, with the real size), #GP(0) for a misaligned operand of
 * an aligned 16-byte form, the loads, and the destination written last.
 * A store that would cross a page goes to helper_simd (it probes the last
 * byte first, so a fault writes nothing and CR2 is the helper's); two
 * 8-byte stores on one page cannot fault after the first.  MMX operands,
 * shift counts from a register or memory, and -trace always take
 * helper_simd.
 * Returns SIMD_INLINE_NO (emit the helper), SIMD_INLINE_DONE, or
 * SIMD_INLINE_SLOW: the caller emits the helper call and then *done.
 */
enum { SIMD_INLINE_NO, SIMD_INLINE_DONE, SIMD_INLINE_SLOW };
enum {
    SI_MOV, SI_ALU, SI_ANDN, SI_ADD, SI_SUB, SI_CMPEQ, SI_MULUDQ, SI_MOVMSK,
    SI_MOVD,            /* MOVD/MOVQ: esz 4 or 8 bytes, the rest of an XMM destination zeroed */
    SI_UNPL, SI_UNPH,   /* PUNPCKLxx / PUNPCKHxx: lanes of esz bytes */
    SI_PSHUFD, SI_PSHUFLW, SI_PSHUFHW,
    SI_SLLDQ, SI_SRLDQ, /* byte shifts by imm8 */
    SI_SHL, SI_SHR, SI_SAR,     /* lane shifts by imm8 (0F 71-73) */
};

/* lane high bits of a 64-bit half for lanes of esz bytes */
static uint64_t simd_hmask(int esz)
{
    return esz == 1 ? 0x8080808080808080ull : esz == 2 ? 0x8000800080008000ull
                                                       : 0x8000000080000000ull;
}

/* a lane's value replicated into every lane of esz bytes of a 64-bit half */
static uint64_t simd_rep(int esz, uint64_t lane)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i += esz)
        v |= lane << (8 * i);
    return v;
}

static IRTemp simd_shri(IRBlock *b, IROpcode op, IRTemp x, unsigned n)
{
    return n ? ir_binop(b, op, x, ir_movi64(b, n)) : x;
}

/* one 64-bit half of a lane-wise op (SWAR: no carry crosses a lane) */
static IRTemp simd_swar(IRBlock *b, int kind, int esz, IRTemp a, IRTemp x)
{
    IRTemp h = ir_movi64(b, simd_hmask(esz)), l = ir_movi64(b, ~simd_hmask(esz));

    switch (kind) {
    case SI_ADD:        /* ((a & L) + (x & L)) ^ ((a ^ x) & H) */
        return ir_xor(b, ir_add(b, ir_and(b, a, l), ir_and(b, x, l)),
                      ir_and(b, ir_xor(b, a, x), h));
    case SI_SUB:        /* ((a | H) - (x & L)) ^ ((a ^ ~x) & H) */
        return ir_xor(b, ir_sub(b, ir_or(b, a, h), ir_and(b, x, l)),
                      ir_and(b, ir_xor(b, a, ir_unop(b, IR_NOT, x)), h));
    default: {          /* CMPEQ: all ones in the lanes where a == x */
        IRTemp t = ir_xor(b, a, x);
        IRTemp y = ir_or(b, ir_add(b, ir_and(b, t, l), l), t);    /* top bit: lane != 0 */
        IRTemp z = ir_and(b, ir_unop(b, IR_NOT, y), h);           /* top bit: lane == 0 */
        uint64_t ones = esz == 1 ? 0xff : esz == 2 ? 0xffff : 0xffffffffull;
        return ir_binop(b, IR_MUL, ir_binop(b, IR_SHR, z, ir_movi64(b, 8 * esz - 1)),
                        ir_movi64(b, ones));
    }
    }
}

/* the low 4 bytes (esz 1) or 2 words (esz 2) of x (bits 32-63 clear)
 * spread to every other lane: b0 b1 b2 b3 -> b0 0 b1 0 b2 0 b3 0 */
static IRTemp simd_spread(IRBlock *b, IRTemp x, int esz)
{
    x = ir_and(b, ir_or(b, x, simd_shri(b, IR_SHL, x, 16)), ir_movi64(b, 0x0000ffff0000ffffull));
    if (esz == 1)
        x = ir_and(b, ir_or(b, x, simd_shri(b, IR_SHL, x, 8)),
                   ir_movi64(b, 0x00ff00ff00ff00ffull));
    return x;
}

/* one half of an unpack: the interleaved lanes of the low (hi32 false) or
 * high dwords of the destination half d and the source half x */
static IRTemp simd_unpack(IRBlock *b, int esz, IRTemp d, IRTemp x, bool hi32)
{
    IRTemp m32 = ir_movi64(b, 0xffffffffull);

    d = hi32 ? simd_shri(b, IR_SHR, d, 32) : ir_and(b, d, m32);
    x = hi32 ? simd_shri(b, IR_SHR, x, 32) : ir_and(b, x, m32);
    if (esz < 4) {
        d = simd_spread(b, d, esz);
        x = simd_spread(b, x, esz);
    }
    return ir_or(b, d, simd_shri(b, IR_SHL, x, 8 * (unsigned)esz));
}

/* dword k (0-3) of (lo, hi) placed at bit 0 (up false) or 32 of a half */
static IRTemp simd_dword(IRBlock *b, IRTemp lo, IRTemp hi, unsigned k, bool up)
{
    IRTemp v = k < 2 ? lo : hi;

    if (up)
        return k & 1 ? ir_and(b, v, ir_movi64(b, 0xffffffff00000000ull))
                     : simd_shri(b, IR_SHL, v, 32);
    return k & 1 ? simd_shri(b, IR_SHR, v, 32) : ir_and(b, v, ir_movi64(b, 0xffffffffull));
}

/* PSHUFLW/PSHUFHW on one half: word i := word (imm >> 2i) & 3 */
static IRTemp simd_shufw(IRBlock *b, IRTemp v, unsigned imm)
{
    IRTemp r = IR_NO_TEMP;

    for (unsigned i = 0; i < 4; i++) {
        unsigned k = (imm >> (2 * i)) & 3;
        IRTemp w = ir_and(b, simd_shri(b, IR_SHR, v, 16 * k), ir_movi64(b, 0xffff));
        w = simd_shri(b, IR_SHL, w, 16 * i);
        r = r == IR_NO_TEMP ? w : ir_or(b, r, w);
    }
    return r;
}

/* a lane shift by a constant count on one half (helper_simd's simd_shift) */
static IRTemp simd_lane_shift(IRBlock *b, int kind, int esz, IRTemp v, unsigned cnt)
{
    unsigned bits = 8 * (unsigned)esz;
    uint64_t lane = esz == 8 ? ~0ull : (1ull << bits) - 1;

    if (kind == SI_SAR) {
        IRTemp t, sign;
        if (cnt >= bits)
            cnt = bits - 1;
        if (esz == 8 || cnt == 0)
            return simd_shri(b, IR_SAR, v, cnt);
        /* logical shift, then each negative lane's top cnt bits set */
        t = ir_and(b, simd_shri(b, IR_SHR, v, cnt), ir_movi64(b, simd_rep(esz, lane >> cnt)));
        sign = ir_and(b, simd_shri(b, IR_SHR, v, bits - 1), ir_movi64(b, simd_rep(esz, 1)));
        return ir_or(b, t, ir_binop(b, IR_MUL, sign,
                                    ir_movi64(b, (lane << (bits - cnt)) & lane)));
    }
    if (cnt >= bits)
        return ir_movi64(b, 0);
    if (kind == SI_SHL)
        return esz == 8 ? simd_shri(b, IR_SHL, v, cnt)
                        : ir_and(b, simd_shri(b, IR_SHL, v, cnt),
                                 ir_movi64(b, simd_rep(esz, (lane << cnt) & lane)));
    return esz == 8 ? simd_shri(b, IR_SHR, v, cnt)
                    : ir_and(b, simd_shri(b, IR_SHR, v, cnt),
                             ir_movi64(b, simd_rep(esz, lane >> cnt)));
}

/* PSLLDQ (left) / PSRLDQ by c bytes on (*lo, *hi) */
static void simd_byte_shift(IRBlock *b, bool left, unsigned c, IRTemp *lo, IRTemp *hi)
{
    IRTemp z = ir_movi64(b, 0);

    if (c > 16)
        c = 16;
    if (c >= 8) {
        if (left) {
            *hi = c == 16 ? z : simd_shri(b, IR_SHL, *lo, 8 * (c - 8));
            *lo = z;
        } else {
            *lo = c == 16 ? z : simd_shri(b, IR_SHR, *hi, 8 * (c - 8));
            *hi = z;
        }
    } else if (c > 0) {
        if (left) {
            *hi = ir_or(b, simd_shri(b, IR_SHL, *hi, 8 * c), simd_shri(b, IR_SHR, *lo, 64 - 8 * c));
            *lo = simd_shri(b, IR_SHL, *lo, 8 * c);
        } else {
            *lo = ir_or(b, simd_shri(b, IR_SHR, *lo, 8 * c), simd_shri(b, IR_SHL, *hi, 64 - 8 * c));
            *hi = simd_shri(b, IR_SHR, *hi, 8 * c);
        }
    }
}

static int gen_simd_inline(DisasContext *s, SimdOp op, unsigned dcls, unsigned dreg,
                           unsigned scls, unsigned sreg, bool dmem, bool smem, int mi,
                           unsigned imm, uint32_t *done)
{
    IRBlock *b = s->ir;
    uint32_t dst = (uint32_t)offsetof(CPUState, xmm) + 16 * dreg;
    uint32_t src = (uint32_t)offsetof(CPUState, xmm) + 16 * sreg;
    IROpcode alu = IR_MOV;
    int kind = SI_ALU, esz = 8, msz = 16;
    bool aligned = true;
    IRTemp lo, hi;

    switch (op) {
    case SOP_MOVUPS: case SOP_MOVUPD: case SOP_MOVDQU: case SOP_LDDQU:
        aligned = false;
        /* fall through */
    case SOP_MOVAPS: case SOP_MOVAPD: case SOP_MOVDQA:
    case SOP_MOVNTPS: case SOP_MOVNTPD: case SOP_MOVNTDQ:
        kind = SI_MOV;
        break;
    case SOP_MOVD: kind = SI_MOVD; esz = msz = 4; aligned = false; break;
    case SOP_MOVQ: kind = SI_MOVD; esz = msz = 8; aligned = false; break;
    case SOP_PXOR: case SOP_XORPS: case SOP_XORPD: alu = IR_XOR; break;
    case SOP_POR: case SOP_ORPS: case SOP_ORPD:    alu = IR_OR; break;
    case SOP_PAND: case SOP_ANDPS: case SOP_ANDPD: alu = IR_AND; break;
    case SOP_PANDN: case SOP_ANDNPS: case SOP_ANDNPD: alu = IR_AND; kind = SI_ANDN; break;
    case SOP_PADDQ: alu = IR_ADD; break;
    case SOP_PSUBQ: alu = IR_SUB; break;
    case SOP_PADDB: kind = SI_ADD; esz = 1; break;
    case SOP_PADDW: kind = SI_ADD; esz = 2; break;
    case SOP_PADDD: kind = SI_ADD; esz = 4; break;
    case SOP_PSUBB: kind = SI_SUB; esz = 1; break;
    case SOP_PSUBW: kind = SI_SUB; esz = 2; break;
    case SOP_PSUBD: kind = SI_SUB; esz = 4; break;
    case SOP_PCMPEQB: kind = SI_CMPEQ; esz = 1; break;
    case SOP_PCMPEQW: kind = SI_CMPEQ; esz = 2; break;
    case SOP_PCMPEQD: kind = SI_CMPEQ; esz = 4; break;
    case SOP_PMULUDQ: kind = SI_MULUDQ; break;
    case SOP_PMOVMSKB: kind = SI_MOVMSK; break;
    case SOP_PUNPCKLBW: kind = SI_UNPL; esz = 1; break;
    case SOP_PUNPCKLWD: kind = SI_UNPL; esz = 2; break;
    case SOP_PUNPCKLDQ: case SOP_UNPCKLPS: kind = SI_UNPL; esz = 4; break;
    case SOP_PUNPCKLQDQ: case SOP_UNPCKLPD: kind = SI_UNPL; esz = 8; break;
    case SOP_PUNPCKHBW: kind = SI_UNPH; esz = 1; break;
    case SOP_PUNPCKHWD: kind = SI_UNPH; esz = 2; break;
    case SOP_PUNPCKHDQ: case SOP_UNPCKHPS: kind = SI_UNPH; esz = 4; break;
    case SOP_PUNPCKHQDQ: case SOP_UNPCKHPD: kind = SI_UNPH; esz = 8; break;
    case SOP_PSHUFD: kind = SI_PSHUFD; break;
    case SOP_PSHUFLW: kind = SI_PSHUFLW; break;
    case SOP_PSHUFHW: kind = SI_PSHUFHW; break;
    case SOP_PSLLDQ: kind = SI_SLLDQ; break;
    case SOP_PSRLDQ: kind = SI_SRLDQ; break;
    case SOP_PSLLW: kind = SI_SHL; esz = 2; break;
    case SOP_PSLLD: kind = SI_SHL; esz = 4; break;
    case SOP_PSLLQ: kind = SI_SHL; esz = 8; break;
    case SOP_PSRLW: kind = SI_SHR; esz = 2; break;
    case SOP_PSRLD: kind = SI_SHR; esz = 4; break;
    case SOP_PSRLQ: kind = SI_SHR; esz = 8; break;
    case SOP_PSRAW: kind = SI_SAR; esz = 2; break;
    case SOP_PSRAD: kind = SI_SAR; esz = 4; break;
    default:
        return SIMD_INLINE_NO;
    }
    if (G_UNLIKELY(s->env->trace))
        return SIMD_INLINE_NO;
    switch (kind) {
    case SI_MOVMSK:
        if (dcls != SC_GPR || scls != SC_XMM)
            return SIMD_INLINE_NO;
        break;
    case SI_MOVD:       /* xmm <- r32/m/xmm, r32/m <- xmm (MOVD r32: dcls GPR) */
        if (dmem || dcls == SC_GPR) {
            if (scls != SC_XMM)
                return SIMD_INLINE_NO;
        } else if (dcls != SC_XMM || (!smem && scls != SC_XMM && scls != SC_GPR)) {
            return SIMD_INLINE_NO;
        }
        break;
    case SI_SLLDQ: case SI_SRLDQ: case SI_SHL: case SI_SHR: case SI_SAR:
        /* only the imm8 forms: no source operand */
        if (dmem || smem || dcls != SC_XMM || scls != SC_NONE)
            return SIMD_INLINE_NO;
        break;
    default:
        if (dmem) {
            if (kind != SI_MOV || scls != SC_XMM)
                return SIMD_INLINE_NO;
        } else if (dcls != SC_XMM || (!smem && scls != SC_XMM)) {
            return SIMD_INLINE_NO;
        }
        break;
    }
    if (!s->sse_checked) {
        gen_helper(s, HELPER_sse_check, 0);
        s->sse_checked = true;
    }
    if (dmem || smem) {
        IRTemp lin = gen_ea_access(s, mi, msz, dmem);
        /* before the branch: a helper call inside the side exit below
         * would otherwise sync EIP on that path only, and mark it done
         * for the loads and stores after it (a #PF there would report an
         * old EIP) */
        gen_sync_eip(s);
        if (aligned) {
            uint32_t ok = ir_new_label(b);
            ir_brz(b, ir_and(b, lin, ir_movi(b, 15)), ok);
            gen_helper(s, HELPER_raise_exception, 2, ir_movi(b, EXCP_GP), ir_movi(b, 0));
            ir_exit(b);
            ir_label(b, ok);
        }
        if (dmem) {
            /* a store crossing a page: helper_simd (no byte written on a
             * fault, CR2 from its probe of the last byte) */
            uint32_t slow = ir_new_label(b);
            *done = ir_new_label(b);
            ir_brnz(b, ir_binop(b, IR_SETLTU, ir_movi(b, 0x1000 - (uint32_t)msz),
                                ir_and(b, lin, ir_movi(b, 0xfff))), slow);
            if (msz == 4) {
                ir_st(b, MO_32, lin, ir_ld_env(b, src));
            } else {
                ir_st(b, MO_64, lin, ir_ld_env_type(b, IR_I64, src));
                if (msz == 16)
                    ir_st(b, MO_64, ir_add(b, lin, ir_movi(b, 8)),
                          ir_ld_env_type(b, IR_I64, src + 8));
            }
            s->mem_written = true;
            ir_br(b, *done);
            ir_label(b, slow);
            return SIMD_INLINE_SLOW;
        }
        if (msz == 4) {
            lo = ir_unop(b, IR_EXT32U, ir_ld(b, IR_I32, MO_32, lin));
            hi = ir_movi64(b, 0);
        } else if (msz == 8) {
            lo = ir_ld(b, IR_I64, MO_64, lin);
            hi = ir_movi64(b, 0);
        } else {
            lo = ir_ld(b, IR_I64, MO_64, lin);
            hi = ir_ld(b, IR_I64, MO_64, ir_add(b, lin, ir_movi(b, 8)));
        }
    } else if (scls == SC_GPR) {
        lo = ir_unop(b, IR_EXT32U, gen_get_gpr(s, (int)sreg, 4));
        hi = ir_movi64(b, 0);
    } else if (scls == SC_XMM) {
        lo = ir_ld_env_type(b, IR_I64, src);
        hi = ir_ld_env_type(b, IR_I64, src + 8);
    } else {            /* the imm8 shifts: the destination is the operand */
        lo = ir_ld_env_type(b, IR_I64, dst);
        hi = ir_ld_env_type(b, IR_I64, dst + 8);
    }

    switch (kind) {
    case SI_MOVMSK: {
        /* the top bit of each byte: (v & 0x80..80) * 0x0002040810204081 >> 56 */
        IRTemp h = ir_movi64(b, simd_hmask(1)), m = ir_movi64(b, 0x0002040810204081ull);
        IRTemp s56 = ir_movi64(b, 56);
        IRTemp ml = ir_binop(b, IR_SHR, ir_binop(b, IR_MUL, ir_and(b, lo, h), m), s56);
        IRTemp mh = ir_binop(b, IR_SHR, ir_binop(b, IR_MUL, ir_and(b, hi, h), m), s56);
        IRTemp r = ir_or(b, ml, ir_binop(b, IR_SHL, mh, ir_movi64(b, 8)));
        gen_set_gpr(s, (int)dreg, 4, ir_unop(b, IR_TRUNC, r));
        return SIMD_INLINE_DONE;
    }
    case SI_MOVD:
        if (dcls == SC_GPR) {   /* MOVD r32, xmm */
            gen_set_gpr(s, (int)dreg, 4, ir_unop(b, IR_TRUNC, lo));
            return SIMD_INLINE_DONE;
        }
        hi = ir_movi64(b, 0);   /* MOVQ xmm, xmm (a load or GPR: already 0) */
        break;
    case SI_MOV:
        break;
    case SI_PSHUFD: {
        IRTemp l = lo, h = hi;
        lo = ir_or(b, simd_dword(b, l, h, imm & 3, false), simd_dword(b, l, h, (imm >> 2) & 3, true));
        hi = ir_or(b, simd_dword(b, l, h, (imm >> 4) & 3, false), simd_dword(b, l, h, imm >> 6, true));
        break;
    }
    case SI_PSHUFLW:
        lo = simd_shufw(b, lo, imm);
        break;
    case SI_PSHUFHW:
        hi = simd_shufw(b, hi, imm);
        break;
    case SI_SLLDQ: case SI_SRLDQ:
        simd_byte_shift(b, kind == SI_SLLDQ, imm, &lo, &hi);
        break;
    case SI_SHL: case SI_SHR: case SI_SAR:
        lo = simd_lane_shift(b, kind, esz, lo, imm);
        hi = simd_lane_shift(b, kind, esz, hi, imm);
        break;
    default: {
        IRTemp dlo = ir_ld_env_type(b, IR_I64, dst), dhi = ir_ld_env_type(b, IR_I64, dst + 8);
        switch (kind) {
        case SI_ANDN:
            dlo = ir_unop(b, IR_NOT, dlo);
            dhi = ir_unop(b, IR_NOT, dhi);
            /* fall through */
        case SI_ALU:
            lo = ir_binop(b, alu, dlo, lo);
            hi = ir_binop(b, alu, dhi, hi);
            break;
        case SI_MULUDQ: {
            IRTemp m32 = ir_movi64(b, 0xffffffffull);
            lo = ir_binop(b, IR_MUL, ir_and(b, dlo, m32), ir_and(b, lo, m32));
            hi = ir_binop(b, IR_MUL, ir_and(b, dhi, m32), ir_and(b, hi, m32));
            break;
        }
        case SI_UNPL: case SI_UNPH: {
            IRTemp d = kind == SI_UNPL ? dlo : dhi, x = kind == SI_UNPL ? lo : hi;
            if (esz == 8) {
                lo = d;
                hi = x;
            } else {
                lo = simd_unpack(b, esz, d, x, false);
                hi = simd_unpack(b, esz, d, x, true);
            }
            break;
        }
        default:
            lo = simd_swar(b, kind, esz, dlo, lo);
            hi = simd_swar(b, kind, esz, dhi, hi);
            break;
        }
        break;
    }
    }
    ir_st_env(b, dst, lo);
    ir_st_env(b, dst + 8, hi);
    return SIMD_INLINE_DONE;
}

void gen_SIMD(DisasContext *s)
{
    gen_simd_op(s, (int)s->info->arg);
}

void gen_simd_op(DisasContext *s, int op)
{
    cs_insn *re = simd_redecode(s);

    if (re) {
        const cs_insn *insn = s->insn;
        const cs_x86 *x86 = s->x86;
        const InsnInfo *row = &x86_insn_table[re->id];

        if (re->id == X86_INS_MOVSD)
            op = SOP_MOVSD;
        else if (re->id == X86_INS_CMPSD)
            op = SOP_CMPSD;
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
    if (oi->flags & SOF_CMP)
        imm = s->insn->bytes[s->insn->size - 1];   /* the predicate (cmpltps: no imm operand) */
    if (!oi->feat_mm)
        xform = true;                       /* SSE only (cvtsd2si r32, m64: no XMM register) */
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

    uint32_t inline_done = 0;
    int inl = gen_simd_inline(s, op, dcls, dreg, scls, sreg, dmem, smem, mi, imm,
                              &inline_done);
    if (inl == SIMD_INLINE_DONE)
        return;
    if (oi->flags & SOF_MASKMOV) {
        /* data, mask; stores the selected bytes to seg:(E)DI */
        IRTemp off = gen_get_gpr(s, R_EDI, s->addrsize);
        seg = s->seg_override >= 0 ? s->seg_override : R_DS;
        lin = ir_add(s->ir, gen_seg_base(s, seg), off);
        dmem = true;
    } else if (mi >= 0) {
        /* unchecked: helper_simd checks the limit with the real operand
         * size (Capstone's is wrong for some MMX forms: punpckldq mm, m32
         * shows a qword) after #UD/#NM, which come first */
        lin = gen_ea_access(s, mi, 0, false);
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
    if (inl == SIMD_INLINE_SLOW)
        ir_label(s->ir, inline_done);
}
