/*
 * gen_system.c - emitters for the system and far-control instructions:
 * segment register moves and loads (MOV/PUSH/POP Sreg, LxS), ENTER, LEAVE,
 * PUSHA/POPA, far JMP/CALL/RETF, INT n/INT3/INTO/INT1, IRET, IN/OUT,
 * CPUID, RDTSC, HLT, CLI/STI, CMPXCHG8B, LGDT/LIDT/SGDT/SIDT, LLDT/LTR/
 * SLDT/STR, MOV CRn/DRn, LMSW/SMSW, CLTS, INVD/WBINVD/INVLPG (WAIT and the
 * x87 escapes are fpu/gen_fpu.c).
 *
 * Almost everything is one helper call (helpers_sys.c) that does its
 * checks and memory accesses before writing state.  Rules for ending the
 * block: a helper that sets eip itself (far transfers, INT, IRET) is
 * followed by an unchained exit (DISAS_JUMP); instructions that change
 * hflags (CR0, LMSW, SS loads), open an interrupt window (STI), halt, or
 * touch a port end the block after themselves (DISAS_STOP).  Operand size
 * always comes from s->opsize (prefix-derived): Capstone gives none for
 * RETF/IRET and loses 0x66 after a REP prefix.
 */
#include <stddef.h>
#include "cpu-x86/gen_sys.h"
#include "cpu-x86/gen.h"

#define ENV_OFF(field) ((uint32_t)offsetof(CPUState, field))

/* GPR number of a 16/32-bit Capstone register, or -1 */
static int gpr_index(x86_reg r)
{
    static const x86_reg r32[8] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
                                    X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI };
    static const x86_reg r16[8] = { X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
                                    X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI };
    for (int i = 0; i < 8; i++)
        if (r32[i] == r || r16[i] == r)
            return i;
    return -1;
}

static IRTemp imm(DisasContext *s, uint32_t v)
{
    return ir_movi(s->ir, v);
}

/* the helper wrote env->eip: leave the block without chaining */
static void gen_exit_after_helper(DisasContext *s)
{
    ir_exit(s->ir);
    s->is_jmp = DISAS_JUMP;
}

/* ------------------------------------------------------------------ */
/* segment registers                                                   */

static IRTemp seg_selector(DisasContext *s, int seg)
{
    size_t off = offsetof(CPUState, seg) + seg * sizeof(SegmentCache) +
                 offsetof(SegmentCache, selector);
    return ir_unop(s->ir, IR_EXT16U, ir_ld_env(s->ir, (uint32_t)off));
}

static void gen_load_seg(DisasContext *s, int seg, IRTemp sel)
{
    gen_helper(s, HELPER_load_seg, 2, imm(s, seg), sel);
    if (seg == R_SS)
        s->is_jmp = DISAS_STOP;     /* SS.B may change; interrupt shadow */
}

/* MOV Sreg, r/m16 (load) and MOV r/m, Sreg (store) */
void gen_mov_seg(DisasContext *s, bool load)
{
    if (load) {
        int seg = x86_creg_seg(op_get(s, 0)->reg);
        IRTemp v;
        if (seg < 0 || seg == R_CS) {
            gen_ud(s);              /* 8E /1 (mov cs) is #UD on 386+ */
            return;
        }
        v = ir_unop(s->ir, IR_EXT16U, gen_ld_op(s, 1));
        gen_load_seg(s, seg, v);
        if (seg != R_SS)
            gen_prot_end_if_hflags_changed(s);   /* access class changed (gen_prot.c) */
    } else {
        int seg = x86_creg_seg(op_get(s, 1)->reg);
        if (seg < 0) {
            gen_ud(s);
            return;
        }
        /* register destination: zero-extended to the operand size */
        gen_st_op(s, 0, seg_selector(s, seg));
    }
}

void gen_push_seg(DisasContext *s)
{
    int seg = x86_creg_seg(op_get(s, 0)->reg);

    gen_push(s, s->opsize, seg_selector(s, seg));
}

void gen_pop_seg(DisasContext *s)
{
    int seg = x86_creg_seg(op_get(s, 0)->reg);
    IRTemp v;

    if (seg < 0 || seg == R_CS) {
        gen_ud(s);
        return;
    }
    v = gen_pop_peek(s, s->opsize, 0);
    gen_load_seg(s, seg, ir_unop(s->ir, IR_EXT16U, v));
    gen_adjust_esp(s, s->opsize);
    if (seg != R_SS)
        gen_prot_end_if_hflags_changed(s);   /* access class changed (gen_prot.c) */
}

/* LES/LDS/LSS/LFS/LGS r, m16:16/32; table arg = segment */
void gen_LXS(DisasContext *s)
{
    int reg = gpr_index(op_get(s, 0)->reg);
    IRTemp off;

    if (reg < 0 || !op_is_mem(s, 1)) {
        gen_ud(s);
        return;
    }
    /* m16:16 / m16:32: the selector word after the offset is checked too */
    off = gen_helper(s, HELPER_lseg, 2, imm(s, s->info->arg | (s->opsize << 8)),
                     gen_ea_access(s, 1, s->opsize + 2, false));
    gen_set_gpr(s, reg, s->opsize, off);
    if (s->info->arg == R_SS)
        s->is_jmp = DISAS_STOP;
    else
        gen_prot_end_if_hflags_changed(s);   /* access class changed (gen_prot.c) */
}

/* ------------------------------------------------------------------ */
/* control and debug registers (called by the MOV emitter)            */

/* MOV to/from CRn or DRn: reg0 is X86_REG_CR0 or X86_REG_DR0, the helpers
 * take the register number; writes end the block (paging, PE, breakpoints) */
static void gen_mov_ctrl(DisasContext *s, bool load, x86_reg reg0, HelperId write,
                         HelperId read)
{
    const cs_x86_op *o0 = op_get(s, 0), *o1 = op_get(s, 1);
    int r = gpr_index(load ? o1->reg : o0->reg);

    if (r < 0) {
        gen_ud(s);
        return;
    }
    if (load) {
        gen_helper(s, write, 2, imm(s, o0->reg - reg0), ir_get_reg(s->ir, r));
        s->is_jmp = DISAS_STOP;
    } else {
        ir_set_reg(s->ir, r, gen_helper(s, read, 1, imm(s, o1->reg - reg0)));
    }
}

void gen_mov_cr(DisasContext *s, bool load)
{
    gen_mov_ctrl(s, load, X86_REG_CR0, HELPER_write_cr, HELPER_read_cr);
}

void gen_mov_dr(DisasContext *s, bool load)
{
    gen_mov_ctrl(s, load, X86_REG_DR0, HELPER_write_dr, HELPER_read_dr);
}

/* ------------------------------------------------------------------ */
/* stack frames                                                        */

void gen_ENTER(DisasContext *s)
{
    uint32_t alloc = (uint32_t)op_get(s, 0)->imm & 0xffff;
    uint32_t level = (uint32_t)op_get(s, 1)->imm & 0xff;

    gen_helper(s, HELPER_enter, 3, imm(s, alloc), imm(s, level), imm(s, s->opsize));
}

/* LEAVE: ESP := EBP (SP := BP with a 16-bit stack), then pop EBP; the
 * load through SS:EBP is limit-checked like a pop (#SS(0)) */
void gen_LEAVE(DisasContext *s)
{
    int ssz = s->ss32 ? 4 : 2;
    IRTemp bp = gen_get_gpr(s, R_EBP, ssz);
    IRTemp v = gen_ld(s, s->opsize, gen_seg_addr(s, R_SS, bp, s->opsize, false, s->ss32));

    gen_set_gpr(s, R_ESP, ssz, ir_add(s->ir, bp, imm(s, s->opsize)));
    gen_set_gpr(s, R_EBP, s->opsize, v);
}

void gen_PUSHA(DisasContext *s) { gen_helper(s, HELPER_pusha, 1, imm(s, s->opsize)); }
void gen_POPA(DisasContext *s)  { gen_helper(s, HELPER_popa, 1, imm(s, s->opsize)); }

/* ------------------------------------------------------------------ */
/* far control transfers and interrupts                                */

/* selector and offset of a far pointer operand (ptr16:16/32 or m16:16/32) */
static bool gen_far_ptr(DisasContext *s, IRTemp *sel, IRTemp *off)
{
    if (op_count(s) == 2) {
        *sel = imm(s, (uint32_t)op_get(s, 0)->imm & 0xffff);
        *off = imm(s, (uint32_t)op_get(s, 1)->imm);
        return true;
    }
    if (op_count(s) == 1 && op_is_mem(s, 0)) {
        /* m16:16 / m16:32 by operand size (Capstone's size ignores 0x66) */
        IRTemp ea = gen_ea_access(s, 0, s->opsize + 2, false);
        *off = gen_ld(s, s->opsize, ea);
        *sel = gen_ld(s, 2, ir_add(s->ir, ea, imm(s, s->opsize)));
        return true;
    }
    gen_ud(s);
    return false;
}

void gen_LJMP(DisasContext *s)
{
    IRTemp sel, off;

    if (!gen_far_ptr(s, &sel, &off))
        return;
    gen_helper(s, HELPER_far_jmp, 4, sel, off, imm(s, s->opsize), gen_eip(s, s->next_pc));
    gen_exit_after_helper(s);
}

void gen_LCALL(DisasContext *s)
{
    IRTemp sel, off;

    if (!gen_far_ptr(s, &sel, &off))
        return;
    gen_helper(s, HELPER_far_call, 4, sel, off, imm(s, s->opsize), gen_eip(s, s->next_pc));
    gen_exit_after_helper(s);
}

void gen_RETF(DisasContext *s)
{
    uint32_t n = op_count(s) ? (uint32_t)op_get(s, 0)->imm & 0xffff : 0;

    gen_helper(s, HELPER_retf, 2, imm(s, s->opsize), imm(s, n));
    gen_exit_after_helper(s);
}

void gen_IRET(DisasContext *s)
{
    gen_helper(s, HELPER_iret, 2, imm(s, s->opsize), gen_eip(s, s->next_pc));
    gen_exit_after_helper(s);
}

void gen_INT(DisasContext *s)
{
    uint32_t v = (uint32_t)op_get(s, 0)->imm & 0xff;

    gen_helper(s, HELPER_int_sw, 2, imm(s, v), gen_eip(s, s->next_pc));
    gen_exit_after_helper(s);
}

void gen_INT3(DisasContext *s)
{
    gen_helper(s, HELPER_int_sw, 2, imm(s, EXCP_BP | 0x100), gen_eip(s, s->next_pc));  /* not IOPL-sensitive */
    gen_exit_after_helper(s);
}

void gen_INTO(DisasContext *s)
{
    gen_helper(s, HELPER_into, 1, gen_eip(s, s->next_pc));
    gen_exit_after_helper(s);
}

/* BOUND r16/r32, m16&16 / m32&32: #BR (fault) unless lower <= index <=
 * upper, signed; the register form (62 /r with mod 11) is #UD */
void gen_BOUND(DisasContext *s)
{
    const cs_x86_op *o0 = op_count(s) == 2 ? op_get(s, 0) : NULL;
    int reg = o0 && o0->type == X86_OP_REG ? gpr_index(o0->reg) : -1;
    int size = s->opsize;
    IRTemp idx, ea, lo, hi;

    if (reg < 0 || !op_is_mem(s, 1)) {
        gen_ud(s);
        return;
    }
    idx = gen_sext(s, size, gen_get_gpr(s, reg, size));
    ea = gen_ea_access(s, 1, 2 * size, false);              /* both bounds */
    lo = gen_sext(s, size, gen_ld(s, size, ea));
    hi = gen_sext(s, size, gen_ld(s, size, ir_add(s->ir, ea, imm(s, (uint32_t)size))));
    gen_helper(s, HELPER_bound, 3, idx, lo, hi);
}

void gen_INT1(DisasContext *s)
{
    gen_helper(s, HELPER_int1, 1, gen_eip(s, s->next_pc));
    gen_exit_after_helper(s);
}

/* ------------------------------------------------------------------ */
/* port I/O                                                            */

void gen_IN(DisasContext *s)
{
    uint8_t opc = s->x86->opcode[0];
    int size = (opc == 0xe4 || opc == 0xec) ? 1 : s->opsize;
    IRTemp port = ir_unop(s->ir, IR_EXT16U, gen_ld_op(s, 1));
    IRTemp v = gen_helper(s, HELPER_in, 2, port, imm(s, size));

    gen_set_gpr(s, R_EAX, size, v);
    s->is_jmp = DISAS_STOP;
}

void gen_OUT(DisasContext *s)
{
    uint8_t opc = s->x86->opcode[0];
    int size = (opc == 0xe6 || opc == 0xee) ? 1 : s->opsize;
    IRTemp port = ir_unop(s->ir, IR_EXT16U, gen_ld_op(s, 0));

    gen_helper(s, HELPER_out, 3, port, imm(s, size), gen_get_gpr(s, R_EAX, size));
    s->is_jmp = DISAS_STOP;
}

/* ------------------------------------------------------------------ */
/* miscellaneous system instructions                                   */

void gen_CPUID(DisasContext *s) { gen_helper(s, HELPER_cpuid, 0); }
void gen_RDTSC(DisasContext *s) { gen_helper(s, HELPER_rdtsc, 0); }

void gen_HLT(DisasContext *s)
{
    gen_helper(s, HELPER_hlt, 0);
    s->is_jmp = DISAS_STOP;
}

void gen_CLI(DisasContext *s) { gen_helper(s, HELPER_cli, 0); }

void gen_STI(DisasContext *s)
{
    gen_helper(s, HELPER_sti, 0);
    s->is_jmp = DISAS_STOP;         /* let the loop see the new IF/shadow */
}

void gen_CMPXCHG8B(DisasContext *s)
{
    if (!op_is_mem(s, 0)) {
        gen_ud(s);
        return;
    }
    gen_helper(s, HELPER_cmpxchg8b, 1, gen_ea_access(s, 0, 8, true));  /* always written */
}

void gen_LGDT(DisasContext *s)
{
    if (!op_is_mem(s, 0)) {
        gen_ud(s);
        return;
    }
    /* the 6-byte image: limit word and base dword, whatever the operand size */
    gen_helper(s, s->info->arg ? HELPER_lidt : HELPER_lgdt, 2, gen_ea_access(s, 0, 6, false),
               imm(s, s->opsize));
}

void gen_SGDT(DisasContext *s)
{
    if (!op_is_mem(s, 0)) {
        gen_ud(s);
        return;
    }
    gen_helper(s, s->info->arg ? HELPER_sidt : HELPER_sgdt, 1, gen_ea_access(s, 0, 6, true));
}

static bool pm_only(DisasContext *s)
{
    if (!(s->hflags & HF_PE) || (s->hflags & HF_VM)) {
        gen_ud(s);
        return false;
    }
    return true;
}

void gen_LLDT(DisasContext *s)
{
    if (pm_only(s))
        gen_helper(s, HELPER_lldt, 1, ir_unop(s->ir, IR_EXT16U, gen_ld_op(s, 0)));
}

void gen_LTR(DisasContext *s)
{
    if (pm_only(s))
        gen_helper(s, HELPER_ltr, 1, ir_unop(s->ir, IR_EXT16U, gen_ld_op(s, 0)));
}

/* SLDT / STR (arg 1) */
void gen_SLDT(DisasContext *s)
{
    size_t off = s->info->arg ? offsetof(CPUState, tr) : offsetof(CPUState, ldt);

    if (!pm_only(s))
        return;
    off += offsetof(SegmentCache, selector);
    gen_st_op(s, 0, ir_unop(s->ir, IR_EXT16U, ir_ld_env(s->ir, (uint32_t)off)));
}

void gen_LMSW(DisasContext *s)
{
    gen_helper(s, HELPER_lmsw, 1, ir_unop(s->ir, IR_EXT16U, gen_ld_op(s, 0)));
    s->is_jmp = DISAS_STOP;
}

void gen_SMSW(DisasContext *s)
{
    IRTemp cr0 = ir_ld_env(s->ir, ENV_OFF(cr[0]));

    if (op_is_mem(s, 0) || op_size(s, 0) == 2)
        cr0 = ir_unop(s->ir, IR_EXT16U, cr0);
    gen_st_op(s, 0, cr0);
}

void gen_CLTS(DisasContext *s) { gen_helper(s, HELPER_clts, 0); }

/* INVD, WBINVD: privileged no-ops (there is no cache to write back) */
void gen_NOP_PRIV(DisasContext *s) { }

void gen_UD(DisasContext *s) { gen_ud(s); }
