/*
 * emit.h - a tiny x86-64 instruction encoder for the native backend.
 *
 * Only what codegen.c needs: ALU forms between a host register and an
 * operand location (HostLoc: a register, [base + disp], or a 32-bit
 * immediate for a constant temp; moves, ALU ops and compares accept all
 * three as source, emit_op_rm only the first two), 64-bit
 * moves for pointers, pushes/pops, calls and rel32 jumps.  The forms
 * built on emit_op_rm work at 32 bits, or at 64 (REX.W) while e->w64 is
 * set: codegen.c sets it for the IR ops of type I64; an immediate is then
 * sign-extended from 32 bits.  Every function
 * appends bytes at e->p; the caller checks the buffer has room before it
 * starts a block (a generous per-IR-op bound, see codegen.c).
 *
 *   Emitter e = { .p = buf };
 *   emit_mov_r_loc(&e, HR_RAX, loc_mem(HR_RBX, 4));   // mov eax, [rbx+4]
 */
#ifndef TX86_X86_64_EMIT_H
#define TX86_X86_64_EMIT_H

#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <glib.h>

enum {
    HR_RAX, HR_RCX, HR_RDX, HR_RBX, HR_RSP, HR_RBP, HR_RSI, HR_RDI,
    HR_R8, HR_R9, HR_R10, HR_R11, HR_R12, HR_R13, HR_R14, HR_R15,
};

/* condition codes (low nibble of Jcc/SETcc) */
enum { CC_HO_B = 0x2, CC_HO_E = 0x4, CC_HO_NE = 0x5, CC_HO_BE = 0x6,
       CC_HO_L = 0xc, CC_HO_LE = 0xe, CC_HO_G = 0xf };

#define HL_MEM (-1)  /* HostLoc.reg of a memory operand */
#define HL_IMM (-2)  /* HostLoc.reg of an immediate (value in disp) */

typedef struct HostLoc {
    int8_t reg;      /* host register, HL_MEM: [base + disp], HL_IMM: disp */
    int8_t base;
    int32_t disp;
} HostLoc;

typedef struct Emitter {
    uint8_t *p;      /* next byte to write */
    bool w64;        /* operand size of the emit_op_rm forms: 64 (REX.W) */
} Emitter;

static inline HostLoc loc_reg(int r) { return (HostLoc){ .reg = (int8_t)r }; }
static inline HostLoc loc_mem(int base, int32_t disp)
{
    return (HostLoc){ .reg = HL_MEM, .base = (int8_t)base, .disp = disp };
}
static inline HostLoc loc_imm(uint32_t v)
{
    return (HostLoc){ .reg = HL_IMM, .disp = (int32_t)v };
}
static inline bool loc_is_imm(HostLoc l) { return l.reg == HL_IMM; }
static inline bool loc_is_mem(HostLoc l) { return l.reg == HL_MEM; }

static inline void emit8(Emitter *e, uint8_t b) { *e->p++ = b; }
static inline void emit32(Emitter *e, uint32_t v) { memcpy(e->p, &v, 4); e->p += 4; }
static inline void emit64(Emitter *e, uint64_t v) { memcpy(e->p, &v, 8); e->p += 8; }

/* REX prefix (if needed) for reg field `r` and r/m `loc`; force emits
 * one even when empty (byte access to SPL..DIL) */
static inline void emit_rex(Emitter *e, bool w, int r, HostLoc loc, bool force)
{
    int b = loc.reg >= 0 ? loc.reg : loc.base;
    uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((r & 8) ? 4 : 0) | ((b & 8) ? 1 : 0));
    if (rex != 0x40 || force)
        emit8(e, rex);
}

static inline void emit_modrm(Emitter *e, int r, HostLoc loc)
{
    g_assert(loc.reg != HL_IMM);
    if (loc.reg >= 0) {
        emit8(e, (uint8_t)(0xc0 | ((r & 7) << 3) | (loc.reg & 7)));
        return;
    }
    int b = loc.base & 7;
    int mod = (loc.disp == 0 && b != 5) ? 0 : (loc.disp >= -128 && loc.disp <= 127) ? 1 : 2;
    emit8(e, (uint8_t)((mod << 6) | ((r & 7) << 3) | b));
    if (b == 4)
        emit8(e, 0x24);          /* SIB: base rsp/r12, no index */
    if (mod == 1)
        emit8(e, (uint8_t)loc.disp);
    else if (mod == 2)
        emit32(e, (uint32_t)loc.disp);
}

/* generic "op r, r/m" with a 1- or 2-byte opcode (op2 0 = none) */
static inline void emit_op_rm(Emitter *e, bool w, uint8_t op1, uint8_t op2, int r,
                              HostLoc loc, bool byte_rm)
{
    bool force = byte_rm && loc.reg >= 4 && loc.reg <= 7;
    emit_rex(e, w || e->w64, r, loc, force);
    emit8(e, op1);
    if (op2)
        emit8(e, op2);
    emit_modrm(e, r, loc);
}

static inline bool loc_same(HostLoc a, HostLoc b)
{
    return a.reg == b.reg && (a.reg >= 0 || (a.base == b.base && a.disp == b.disp));
}

/* mov r32, imm32 (w64: mov r64, sign-extended imm32) */
static inline void emit_mov_r_imm(Emitter *e, int r, uint32_t imm)
{
    if (e->w64) {
        emit_op_rm(e, true, 0xc7, 0, 0, loc_reg(r), false);
        emit32(e, imm);
        return;
    }
    if (r & 8)
        emit8(e, 0x41);
    emit8(e, (uint8_t)(0xb8 + (r & 7)));
    emit32(e, imm);
}

/* mov r32, r/m32 or imm32 */
static inline void emit_mov_r_loc(Emitter *e, int r, HostLoc loc)
{
    if (loc.reg == r)
        return;
    if (loc_is_imm(loc)) {
        emit_mov_r_imm(e, r, (uint32_t)loc.disp);
        return;
    }
    emit_op_rm(e, false, 0x8b, 0, r, loc, false);
}

/* mov r/m32, r32 */
static inline void emit_mov_loc_r(Emitter *e, HostLoc loc, int r)
{
    if (loc.reg == r)
        return;
    emit_op_rm(e, false, 0x89, 0, r, loc, false);
}

/* mov r/m32, imm32 */
static inline void emit_mov_loc_imm(Emitter *e, HostLoc loc, uint32_t imm)
{
    if (loc.reg >= 0) {
        emit_mov_r_imm(e, loc.reg, imm);
        return;
    }
    emit_op_rm(e, false, 0xc7, 0, 0, loc, false);
    emit32(e, imm);
}

/* mov r64, imm64 */
static inline void emit_mov_r64_imm(Emitter *e, int r, uint64_t imm)
{
    emit8(e, (uint8_t)(0x48 | ((r & 8) ? 1 : 0)));
    emit8(e, (uint8_t)(0xb8 + (r & 7)));
    emit64(e, imm);
}

/* mov r64, r64 */
static inline void emit_mov_r64_r64(Emitter *e, int dst, int src)
{
    emit_op_rm(e, true, 0x89, 0, src, loc_reg(dst), false);
}

/* group-1 ALU op with an immediate: r/m32 OP= imm (ext 0 add, 1 or,
 * 4 and, 5 sub, 6 xor, 7 cmp); imm8 form when it fits */
static inline void emit_alu_loc_imm(Emitter *e, int ext, HostLoc loc, uint32_t imm)
{
    bool small = (int32_t)imm >= -128 && (int32_t)imm <= 127;
    emit_op_rm(e, false, small ? 0x83 : 0x81, 0, ext, loc, false);
    if (small)
        emit8(e, (uint8_t)imm);
    else
        emit32(e, imm);
}

/* group-1 ALU op: r32 OP= r/m32 or imm (opcodes 03 add, 0b or, 23 and,
 * 2b sub, 33 xor, 3b cmp; the /ext of the immediate form is opc >> 3) */
static inline void emit_alu_r_loc(Emitter *e, uint8_t opc, int r, HostLoc loc)
{
    if (loc_is_imm(loc)) {
        emit_alu_loc_imm(e, opc >> 3, loc_reg(r), (uint32_t)loc.disp);
        return;
    }
    emit_op_rm(e, false, opc, 0, r, loc, false);
}

/* group-1 ALU op: r/m32 OP= r32 (opcodes 01 add, 09 or, 21 and, 29 sub,
 * 31 xor, 39 cmp) */
static inline void emit_alu_loc_r(Emitter *e, uint8_t opc, HostLoc loc, int r)
{
    emit_op_rm(e, false, opc, 0, r, loc, false);
}

/* imul r32, r/m32 */
static inline void emit_imul_r_loc(Emitter *e, int r, HostLoc loc)
{
    emit_op_rm(e, false, 0x0f, 0xaf, r, loc, false);
}

/* D3 /ext: shift/rotate r/m32 by cl */
static inline void emit_shift_cl(Emitter *e, int ext, HostLoc loc)
{
    emit_op_rm(e, false, 0xd3, 0, ext, loc, false);
}

/* C1 /ext ib: shift/rotate r/m32 by an immediate (taken modulo 32; 64
 * with w64) */
static inline void emit_shift_imm(Emitter *e, int ext, HostLoc loc, uint8_t n)
{
    emit_op_rm(e, false, 0xc1, 0, ext, loc, false);
    emit8(e, n & (e->w64 ? 63 : 31));
}

/* F7 /ext: not (2), neg (3) */
static inline void emit_f7(Emitter *e, int ext, HostLoc loc)
{
    emit_op_rm(e, false, 0xf7, 0, ext, loc, false);
}

/* movzx/movsx r32, r/m8 or r/m16: op2 = b6 zx8, b7 zx16, be sx8, bf sx16 */
static inline void emit_movx(Emitter *e, uint8_t op2, int r, HostLoc loc)
{
    emit_op_rm(e, false, 0x0f, op2, r, loc, op2 == 0xb6 || op2 == 0xbe);
}

/* cmp r/m32, imm8 */
static inline void emit_cmp_loc_imm8(Emitter *e, HostLoc loc, int8_t imm)
{
    emit_op_rm(e, false, 0x83, 0, 7, loc, false);
    emit8(e, (uint8_t)imm);
}

/* test r32, r32 */
static inline void emit_test_r_r(Emitter *e, int a, int b)
{
    emit_op_rm(e, false, 0x85, 0, b, loc_reg(a), false);
}

/* setcc al */
static inline void emit_setcc_al(Emitter *e, int cc)
{
    emit8(e, 0x0f);
    emit8(e, (uint8_t)(0x90 | cc));
    emit8(e, 0xc0);
}

static inline void emit_push(Emitter *e, int r)
{
    if (r & 8)
        emit8(e, 0x41);
    emit8(e, (uint8_t)(0x50 + (r & 7)));
}

static inline void emit_pop(Emitter *e, int r)
{
    if (r & 8)
        emit8(e, 0x41);
    emit8(e, (uint8_t)(0x58 + (r & 7)));
}

/* add/sub rsp, imm32 */
static inline void emit_rsp_adjust(Emitter *e, int32_t delta)
{
    if (delta == 0)
        return;
    emit8(e, 0x48);
    emit8(e, 0x81);
    emit8(e, delta < 0 ? 0xec : 0xc4);   /* /5 sub, /0 add, rm = rsp */
    emit32(e, (uint32_t)(delta < 0 ? -delta : delta));
}

/* call a C function: rel32 if reachable, else through rax */
static inline void emit_call(Emitter *e, const void *fn)
{
    intptr_t rel = (intptr_t)fn - (intptr_t)(e->p + 5);
    if (rel >= INT32_MIN && rel <= INT32_MAX) {
        emit8(e, 0xe8);
        emit32(e, (uint32_t)(int32_t)rel);
    } else {
        emit_mov_r64_imm(e, HR_RAX, (uint64_t)(uintptr_t)fn);
        emit8(e, 0xff);
        emit8(e, 0xd0);                  /* call rax */
    }
}

/* jmp rel32 / jcc rel32 with the displacement left to patch; return the
 * address of the rel32 field */
static inline uint8_t *emit_jmp32(Emitter *e)
{
    emit8(e, 0xe9);
    uint8_t *at = e->p;
    emit32(e, 0);
    return at;
}

static inline uint8_t *emit_jcc32(Emitter *e, int cc)
{
    emit8(e, 0x0f);
    emit8(e, (uint8_t)(0x80 | cc));
    uint8_t *at = e->p;
    emit32(e, 0);
    return at;
}

static inline void emit_patch_rel32(uint8_t *at, const uint8_t *target)
{
    int32_t rel = (int32_t)(target - (at + 4));
    memcpy(at, &rel, 4);
}

/* ALU op (the /n of 81 / 83: 5 sub, 7 cmp) dword [base + disp32], imm32
 * (the imm8 form when it fits) */
static inline void emit_alu_m32_imm(Emitter *e, int n, int base, int32_t disp, uint32_t imm)
{
    bool small = imm <= 127;
    emit_rex(e, false, 0, loc_reg(base), false);
    emit8(e, small ? 0x83 : 0x81);
    emit8(e, (uint8_t)(0x80 | (n << 3) | (base & 7)));
    if ((base & 7) == 4)
        emit8(e, 0x24);
    emit32(e, (uint32_t)disp);
    if (small)
        emit8(e, (uint8_t)imm);
    else
        emit32(e, imm);
}

/* sub dword [base + disp32], imm */
static inline void emit_sub_m32_imm(Emitter *e, int base, int32_t disp, uint32_t imm)
{
    emit_alu_m32_imm(e, 5, base, disp, imm);
}

/* cmp dword [base + disp32], imm */
static inline void emit_cmp_m32_imm(Emitter *e, int base, int32_t disp, uint32_t imm)
{
    emit_alu_m32_imm(e, 7, base, disp, imm);
}

/* mov qword [base + disp32], r */
static inline void emit_mov_m64_r(Emitter *e, int base, int32_t disp, int r)
{
    emit_rex(e, true, r, loc_reg(base), false);
    emit8(e, 0x89);
    emit8(e, (uint8_t)(0x80 | ((r & 7) << 3) | (base & 7)));
    if ((base & 7) == 4)
        emit8(e, 0x24);
    emit32(e, (uint32_t)disp);
}

/* op r, [base + index + disp32] (scale 1), op = 1- or 2-byte opcode with
 * an optional 0x66 prefix; w: REX.W.  Registers: any of the 16. */
static inline void emit_op_sib(Emitter *e, bool p66, bool w, uint8_t op1, uint8_t op2,
                               int r, int base, int index, int32_t disp, bool has_disp)
{
    uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((r & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) |
                            ((base & 8) ? 1 : 0));
    if (p66)
        emit8(e, 0x66);
    if (rex != 0x40)
        emit8(e, rex);
    emit8(e, op1);
    if (op2)
        emit8(e, op2);
    /* mod 00 needs a base other than rbp/r13; use disp32 otherwise */
    bool d32 = has_disp || (base & 7) == 5;
    emit8(e, (uint8_t)((d32 ? 0x80 : 0x00) | ((r & 7) << 3) | 4));
    emit8(e, (uint8_t)(((index & 7) << 3) | (base & 7)));
    if (d32)
        emit32(e, (uint32_t)disp);
}

/* lea r32, [base + disp8] */
static inline void emit_lea_r32_disp8(Emitter *e, int r, int base, int8_t disp)
{
    emit_rex(e, false, r, loc_reg(base), false);
    emit8(e, 0x8d);
    emit8(e, (uint8_t)(0x40 | ((r & 7) << 3) | (base & 7)));
    if ((base & 7) == 4)
        emit8(e, 0x24);
    emit8(e, (uint8_t)disp);
}

/* 32-bit ALU with imm32 on a register: ext 0 add, 1 or, 4 and, 5 sub */
static inline void emit_alu_r_imm32(Emitter *e, int ext, int r, uint32_t imm)
{
    emit_rex(e, false, 0, loc_reg(r), false);
    emit8(e, 0x81);
    emit8(e, (uint8_t)(0xc0 | (ext << 3) | (r & 7)));
    emit32(e, imm);
}

/* shr r32, imm8 */
static inline void emit_shr_r_imm(Emitter *e, int r, uint8_t n)
{
    emit_rex(e, false, 0, loc_reg(r), false);
    emit8(e, 0xc1);
    emit8(e, (uint8_t)(0xc0 | (5 << 3) | (r & 7)));
    emit8(e, n);
}

#endif
