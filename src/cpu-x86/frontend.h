/*
 * frontend.h - internals shared by the front end's files: the per-
 * instruction decoding context, the instruction table and the operand
 * plumbing every emitter uses.
 *
 * An emitter gen_<MNEMONIC>(s) holds only the operation: operands are
 * loaded with gen_ld_op() and written back with gen_st_op(); flags are set
 * lazily with gen_set_cc().  Ordering rule for precise exceptions: every
 * operation that may fault (memory access, may-fault helper) comes before
 * the first write to architectural state of the instruction (registers,
 * flags, eip), except that memory stores are done before register writes.
 *
 *   static void gen_ADD(DisasContext *s)
 *   {
 *       IRTemp a = gen_ld_op(s, 0), b = gen_ld_op(s, 1);
 *       IRTemp r = ir_add(s->ir, a, b);
 *       gen_st_op(s, 0, r);
 *       gen_set_cc(s, CC_OP_ADDB + size_index(s->opsize), r, b, IR_NO_TEMP);
 *   }
 *
 * Operand size and address size are derived from the CPU mode and the
 * 0x66/0x67 prefix bytes, not trusted from Capstone (shared/CAPSTONE.md).
 */
#ifndef TX86_FRONTEND_H
#define TX86_FRONTEND_H

#include <capstone/capstone.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/translate.h"
#include "translator/ir.h"

#define X86_MAX_INSN_LEN 15     /* longer instructions are #GP(0) */

struct X86FrontEnd {
    csh cs16, cs32;             /* Capstone handles, detail on */
    cs_insn *insns[TB_MAX_INSNS]; /* the block's decoded instructions */
    cs_insn *scratch;           /* for second looks (too-long instructions) */
    GHashTable *ud_logged;      /* -d unimp: "kind:mode:hex bytes" already logged (once each) */
};

/* how the current instruction ends the block */
enum {
    DISAS_NEXT = 0,     /* fall through to the next instruction */
    DISAS_STOP,         /* end the block after this insn: eip = next_pc, unchained exit */
    DISAS_JUMP,         /* the emitter already wrote eip and emitted the exit */
};

/* REP prefixes as seen */
enum { REP_NONE = 0, REP_Z = 1 /* F3 */, REP_NZ = 2 /* F2 */ };

typedef struct DisasContext {
    struct CPUState *env;
    X86FrontEnd *fe;
    IRBlock *ir;
    TranslationBlock *tb;
    const cs_insn *insn;
    const cs_x86 *x86;
    const struct InsnInfo *info;  /* table row of this instruction */
    uint32_t pc;            /* eip of this instruction */
    uint32_t next_pc;       /* eip of the next one */
    uint32_t cs_base;
    uint32_t cs_limit;      /* of the block key: fetches and near branch targets */
    uint32_t hflags;
    int code32;             /* CS default size is 32 */
    int ss32;               /* stack uses ESP */
    int opsize;             /* effective operand size: 2 or 4 (0x66 applied); 1 for byte forms (set by decode from the operands) */
    int addrsize;           /* 2 or 4 (0x67 applied) */
    int seg_override;       /* R_ES..R_GS or -1 */
    int rep;                /* REP_* */
    bool lock;
    bool eip_synced;        /* env->eip already holds pc in this insn */
    int insn_idx;           /* index of this insn in the block (exits after it
                             * count insn_idx + 1 instructions: ir_exit_after) */
    bool pcrel;             /* position-independent block (translate.c,
                               "Position-independent blocks"): every eip
                               value is pc_base + (eip - tb->pc) */
    IRTemp pc_base;         /* pcrel: env->eip at block entry */
    int is_jmp;             /* DISAS_* */
    IRTemp ea[8];           /* cached effective (linear) address per operand, or IR_NO_TEMP */
    /* block-wide translation state kept by translate.c (not per insn) */
    int cc_op;              /* CCOp known to be in env->cc_op, or -1 (unknown) */
    IRTemp cc_dst_t, cc_src_t, cc_src2_t;  /* temps equal to env->cc_*, or IR_NO_TEMP */
    IRTemp cc_a_t;          /* first operand of the SUB/CMP that set the flags, or IR_NO_TEMP */
    bool mem_written;       /* this insn stored to memory: check code_dirty after it */
    bool sse_checked;       /* this block checked CR0.EM/TS and CR4.OSFXSR for an inline
                             * XMM instruction (sse/gen_simd.c); CR writes end blocks */
    int32_t esp_bias;       /* added to ESP used as an address base (POP r/m) */
    bool flags_dead;        /* no flag this insn writes is read before being
                             * overwritten: skip the flag update (cc_live.c) */
} DisasContext;

typedef void (*GenFn)(DisasContext *s);

/* InsnInfo.flags */
enum {
    IF_LOCK_OK   = 1 << 0,  /* LOCK prefix allowed (with a memory destination) */
    IF_PRIV      = 1 << 1,  /* CPL 0 only in protected mode (#GP(0) otherwise) */
    IF_ENDS_BLOCK = 1 << 2, /* always the last insn of a block */
    IF_STRING    = 1 << 3,  /* string instruction: REP prefixes meaningful */
    IF_BYTE_OP   = 1 << 4,  /* hint: byte operation regardless of operands */
    IF_IO        = 1 << 5,  /* port I/O */
};

/* InsnInfo.cc: what the instruction does to the six arithmetic flags, for
 * the dead-flag analysis (cc_live.c).  CCE_UNKNOWN (0, the default) is the
 * safe answer: reads them all and may end the block. */
enum {
    CCE_UNKNOWN = 0,
    CCE_NONE,           /* neither reads nor writes them (MOV, LEA, NOT...) */
    CCE_ALL,            /* writes all six, reads none (ADD, CMP, MUL...) */
    CCE_ALL_USE_CF,     /* writes all six, reads CF (ADC, SBB) */
    CCE_ALL_BUT_CF,     /* writes all but CF, reads none (INC, DEC) */
    CCE_SHIFT,          /* SHL/SHR/SAR: all six unless the count is 0 */
    CCE_ROTATE,         /* ROL/ROR: CF and OF unless the count is 0 */
    CCE_ROTATE_CF,      /* RCL/RCR: CF and OF unless the count is 0, reads CF */
};

typedef struct InsnInfo {
    GenFn gen;              /* emitter; NULL = not implemented (#UD, logged) */
    uint16_t flags;         /* IF_* */
    uint32_t arg;           /* emitter-specific (ALU kind, condition code, ...) */
    uint8_t cc;             /* CCE_* flag effect */
    uint8_t feature;        /* INSN_FEAT_* (cpuid.h): #UD unless the CPU model has it */
} InsnInfo;

/* one table keyed by Capstone instruction id (insn_table.c) */
extern const InsnInfo x86_insn_table[X86_INS_ENDING];

/* cc_live.c: for each of the n decoded instructions of a block, whether
 * the flags it writes are dead (never read before being overwritten, no
 * fault or block exit in between).  insns[i] NULL = not decoded. */
void cc_live_analyze(const cs_insn *const *insns, const bool *locked, int n,
                     bool *flags_dead);

/* hintnop.c: length of the hint NOP (0F 18..1F /r with any prefixes,
 * ModRM, SIB and displacement; ENDBR32/64 included) that p starts with, or
 * 0 if it starts with something else or does not fit in len (<= 15) bytes.
 * Decided from the bytes alone: Capstone 4.0.2 gets this space wrong. */
int x86_hint_nop_len(const uint8_t *p, int len, bool code32);

/* size index for CC_OP_xxxB + size_index(size) */
static inline int size_index(int size) { return size == 1 ? 0 : size == 2 ? 1 : 2; }

/* ---- operand plumbing (translate.c) ---- */
int    op_count(DisasContext *s);
const cs_x86_op *op_get(DisasContext *s, int idx);
int    op_size(DisasContext *s, int idx);          /* bytes, mode-corrected */
IRTemp gen_ea(DisasContext *s, int idx);           /* linear address of a memory operand */
int    op_seg(DisasContext *s, int idx);           /* its segment (R_ES..; override, default) */
IRTemp gen_lea(DisasContext *s, int idx);          /* offset only (LEA), address-size wrapped */
IRTemp gen_ld_op(DisasContext *s, int idx);        /* zero-extended value */
IRTemp gen_ld_op_sext(DisasContext *s, int idx);   /* sign-extended to 32 bits */
void   gen_st_op(DisasContext *s, int idx, IRTemp v);
/* guest registers by Capstone register id (AL, AH, AX, EAX, segment regs...) */
IRTemp gen_get_creg(DisasContext *s, x86_reg r);
void   gen_set_creg(DisasContext *s, x86_reg r, IRTemp v);
/* GPR n (R_EAX..) of a size; writes merge into the low part */
IRTemp gen_get_gpr(DisasContext *s, int n, int size);
void   gen_set_gpr(DisasContext *s, int n, int size, IRTemp v);
/* segment base of seg (R_ES..) as a temp; default segment for an
 * operand honours the override prefix */
IRTemp gen_seg_base(DisasContext *s, int seg);

/* segment checks of data accesses (gen_prot.c): check an access of size
 * bytes at offset off through seg as its class in hflags requires
 * (#GP(0)/#SS(0)); wide: off is a 32-bit offset (32-bit address size or
 * stack), so off + size - 1 may wrap past 4 GiB; gen_seg_addr also
 * returns the linear address */
void   gen_seg_check(DisasContext *s, int seg, IRTemp off, int size, bool write, bool wide);
IRTemp gen_seg_addr(DisasContext *s, int seg, IRTemp off, int size, bool write, bool wide);
/* linear address of memory operand idx checked for an access of size
 * bytes (not Capstone's operand size: far pointers, descriptor-table
 * images, x87 environments), plus the write check when write; size 0:
 * no access (INVLPG), no check */
IRTemp gen_ea_access(DisasContext *s, int idx, int size, bool write);

/* memory by linear address */
IRTemp gen_ld(DisasContext *s, int size, IRTemp lin);
void   gen_st(DisasContext *s, int size, IRTemp lin, IRTemp v);

/* stack (SS, ESP or SP per ss32); pushes store first, then update ESP */
void   gen_push(DisasContext *s, int size, IRTemp v);
IRTemp gen_pop(DisasContext *s, int size);          /* loads and updates ESP */
IRTemp gen_pop_peek(DisasContext *s, int size, int offset);  /* load without ESP update */
void   gen_adjust_esp(DisasContext *s, int32_t delta);

/* flags */
void   gen_set_cc(DisasContext *s, CCOp op, IRTemp dst, IRTemp src, IRTemp src2);
IRTemp gen_cond(DisasContext *s, int cc);          /* x86 condition 0-15 (JO..JG) -> 0/1 */
IRTemp gen_get_cf(DisasContext *s);                /* 0/1 */
IRTemp gen_get_eflags(DisasContext *s);            /* full EFLAGS */
void   gen_flush_flags(DisasContext *s);           /* materialise into CC_OP_EFLAGS */

/* control flow */
IRTemp gen_eip(DisasContext *s, uint32_t eip);   /* the value eip (tb->pc's frame) */
void   gen_sync_eip(DisasContext *s);              /* env->eip = pc (if not done) */
void   gen_jmp_imm(DisasContext *s, uint32_t eip, int slot);  /* ends block */
void   gen_jmp_temp(DisasContext *s, IRTemp eip);  /* indirect, ends block */
void   gen_jmp_indirect(DisasContext *s, IRTemp eip); /* near JMP/CALL/RET: jump cache */
void   gen_exception(DisasContext *s, int vector, uint32_t error_code, bool has_error);
/* #UD, logged once per distinct bytes under -d unimp (translate.c):
 * gen_ud: the encoding is invalid (LOCK misuse, bad operand form, UD2...);
 * gen_ud_unimpl: the CPU would run it but tx86 does not implement it;
 * gen_ud_feature: the row's feature (s->info->feature) is not claimed by
 * the -cpu model, so the CPU model itself raises #UD */
void   gen_ud(DisasContext *s);
void   gen_ud_unimpl(DisasContext *s);
void   gen_ud_feature(DisasContext *s);

/* helper call; syncs eip first if the helper may fault */
IRTemp gen_helper(DisasContext *s, HelperId h, int nargs, ...);

/* ---- system-register operands of MOV/PUSH/POP (gen_system.c) ---- */
void   gen_mov_seg(DisasContext *s, bool load);   /* MOV Sreg,r/m (load) / MOV r/m,Sreg */
void   gen_mov_cr(DisasContext *s, bool load);   /* load: MOV CRn,r32; else MOV r32,CRn */
void   gen_mov_dr(DisasContext *s, bool load);   /* load: MOV DRn,r32; else MOV r32,DRn */
void   gen_push_seg(DisasContext *s);             /* PUSH Sreg */
void   gen_pop_seg(DisasContext *s);              /* POP Sreg (not CS) */

#endif
