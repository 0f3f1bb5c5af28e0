/*
 * test_ir.c - unit tests for the IR (ir.c), the optimiser (ir_opt.c) and
 * both backends (interp/, x86_64/).
 *
 * The golden cases below are IR in the textual form plus initial guest
 * registers / env fields and the expected registers, env fields, memory
 * word and exit.  Every case runs four ways: {interpreter, native} x
 * {as written, after ir_optimize}, on a RAM-only machine (64 KiB at 0,
 * real mode), so the interpreter checks the code generator and both check
 * the optimiser.  Also: verifier accepts/rejects, printer/parser round trip.
 *
 * Registered by the runner (test_main.c) through register_ir_tests();
 * standalone: build with -DTEST_IR_STANDALONE.
 */
#include <string.h>
#include <stdio.h>
#include <setjmp.h>
#include <CUnit/CUnit.h>
#include <CUnit/Basic.h>
#include "config.h"
#include "translator/ir.h"
#include "translator/translator.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/translate.h"
#include "machine/machine.h"
#include "bus/memory.h"
#include "mmu/mmu.h"

#define ENV(f) ((uint32_t)offsetof(CPUState, f))
#define NONE 0xdeadbeefu             /* "any value" in expected regs */

typedef struct EnvVal { uint32_t off, val; } EnvVal;

typedef struct GoldenCase {
    const char *name;
    const char *ir;
    uint32_t regs_in[8];
    uint32_t regs_out[8];           /* NONE: not checked */
    EnvVal env_in[4];               /* off 0 with val 0 ends the list */
    EnvVal env_out[4];
    uint32_t mem_addr;              /* checked if mem_size != 0 */
    int mem_size;
    uint32_t mem_val;
    int exit;                       /* TB_EXIT_* */
    int exception;                  /* expected vector, or -1... 0 means none */
} GoldenCase;

#define X NONE
#define ANY8 { X, X, X, X, X, X, X, X }

static const GoldenCase golden[] = {
    { "movi", "t0 = movi $0x12345678; set_reg $0, t0; goto_tb $1",
      {0}, { 0x12345678, 0, 0, 0, 0, 0, 0, 0 }, .exit = TB_EXIT_SLOT1 },
    { "add-sub-wrap",
      "t0 = get_reg $0; t1 = get_reg $1; t2 = add t0, t1; set_reg $2, t2\n"
      "t3 = sub t2, t1; set_reg $3, t3; t4 = sub t2, t0; set_reg $4, t4; exit",
      { 0xffffffff, 1 }, { 0xffffffff, 1, 0, 0xffffffff, 1, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    { "mul-logic",
      "t0 = get_reg $0; t1 = get_reg $1\n"
      "t2 = mul t0, t1; set_reg $2, t2\n"
      "t3 = and t0, t1; set_reg $3, t3\n"
      "t4 = or t0, t1; set_reg $4, t4\n"
      "t5 = xor t0, t1; set_reg $5, t5\n"
      "t6 = not t0; set_reg $6, t6\n"
      "t7 = neg t1; set_reg $7, t7; goto_tb $0",
      { 0x10001, 0xf0f0ff01 },
      { 0x10001, 0xf0f0ff01, 0x10001u * 0xf0f0ff01u, 0x00000001, 0xf0f1ff01,
        0xf0f1ff00, 0xfffefffe, 0x0f0f00ff }, .exit = TB_EXIT_SLOT0 },
    { "shifts-edge",
      "t0 = get_reg $0\n"
      "t1 = movi $0; t2 = shl t0, t1; set_reg $1, t2\n"
      "t3 = movi $31; t4 = shl t0, t3; set_reg $2, t4\n"
      "t5 = movi $32; t6 = shr t0, t5; set_reg $3, t6\n"
      "t7 = movi $33; t8 = shr t0, t7; set_reg $4, t8\n"
      "t9 = sar t0, t3; set_reg $5, t9\n"
      "t10 = movi $4; t11 = sar t0, t10; set_reg $6, t11\n"
      "t12 = shl t0, t7; set_reg $7, t12; exit",
      { 0x80000003 },
      { 0x80000003, 0x80000003, 0x80000000, 0x80000003, 0x40000001, 0xffffffff,
        0xf8000000, 0x00000006 },
      .exit = TB_EXIT_NOCHAIN },
    { "sar-positive-rotates",
      "t0 = get_reg $0; t1 = get_reg $1\n"
      "t2 = sar t0, t1; set_reg $2, t2\n"
      "t3 = rol t0, t1; set_reg $3, t3\n"
      "t4 = ror t0, t1; set_reg $4, t4\n"
      "t5 = movi $0; t6 = rol t0, t5; set_reg $5, t6\n"
      "t7 = movi $36; t8 = ror t0, t7; set_reg $6, t8\n"
      "t9 = movi $32; t10 = rol t0, t9; set_reg $7, t10; exit",
      { 0x7234567f, 4 },
      { 0x7234567f, 4, 0x07234567, 0x234567f7, 0xf7234567, 0x7234567f,
        0xf7234567, 0x7234567f },
      .exit = TB_EXIT_NOCHAIN },
    { "ext",
      "t0 = get_reg $0; t1 = ext8s t0; set_reg $1, t1; t2 = ext8u t0; set_reg $2, t2\n"
      "t3 = ext16s t0; set_reg $3, t3; t4 = ext16u t0; set_reg $4, t4\n"
      "t5 = get_reg $5; t6 = ext8s t5; set_reg $6, t6; t7 = ext16s t5; set_reg $7, t7; exit",
      { 0x12348f80, 0, 0, 0, 0, 0x00017f7f },
      { 0x12348f80, 0xffffff80, 0x80, 0xffff8f80, 0x8f80, 0x00017f7f, 0x7f, 0x7f7f },
      .exit = TB_EXIT_NOCHAIN },
    { "compare",
      "t0 = get_reg $0; t1 = get_reg $1\n"
      "t2 = seteq t0, t0; set_reg $2, t2\n"
      "t3 = setne t0, t0; set_reg $3, t3\n"
      "t4 = setltu t0, t1; set_reg $4, t4\n"
      "t5 = setlt t0, t1; set_reg $5, t5\n"
      "t6 = setleu t1, t1; set_reg $6, t6\n"
      "t7 = setle t1, t0; set_reg $7, t7; exit",
      { 1, 0xffffffff }, { 1, 0xffffffff, 1, 0, 1, 0, 1, 1 },
      .exit = TB_EXIT_NOCHAIN },
    { "compare-signed-edge",
      "t0 = get_reg $0; t1 = get_reg $1\n"
      "t2 = setlt t0, t1; set_reg $2, t2\n"
      "t3 = setle t0, t1; set_reg $3, t3\n"
      "t4 = setltu t0, t1; set_reg $4, t4\n"
      "t5 = setleu t0, t1; set_reg $5, t5\n"
      "t6 = setlt t1, t0; set_reg $6, t6\n"
      "t7 = setne t0, t1; set_reg $7, t7; exit",
      { 0x80000000, 0x7fffffff }, { 0x80000000, 0x7fffffff, 1, 1, 0, 0, 0, 1 },
      .exit = TB_EXIT_NOCHAIN },
    { "loop-sum",
      "t0 = movi $0; t1 = get_reg $1; t2 = movi $1\n"
      "label L0\n"
      "t0 = add t0, t1\n"
      "t1 = sub t1, t2\n"
      "brnz L0, t1\n"
      "set_reg $0, t0; set_reg $1, t1; goto_tb $1",
      { 0, 10 }, { 55, 0, 0, 0, 0, 0, 0, 0 }, .exit = TB_EXIT_SLOT1 },
    { "nested-loops",
      "t0 = movi $0; t1 = movi $0; t9 = movi $1; t8 = get_reg $2\n"
      "label L0\n"
      "t2 = movi $0\n"
      "label L1\n"
      "t0 = add t0, t9\n"
      "t2 = add t2, t9\n"
      "t3 = setltu t2, t8\n"
      "brnz L1, t3\n"
      "t1 = add t1, t9\n"
      "t4 = setltu t1, t8\n"
      "brnz L0, t4\n"
      "set_reg $0, t0; set_reg $1, t1; exit",
      { 0, 0, 5 }, { 25, 5, 5, 0, 0, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    { "forward-branches",
      "t0 = get_reg $0; t1 = movi $7\n"
      "brz L0, t0\n"
      "t1 = movi $9\n"
      "label L0\n"
      "set_reg $1, t1\n"
      "brnz L1, t0\n"
      "t2 = movi $0x11; set_reg $2, t2; goto_tb $0\n"
      "label L1\n"
      "t3 = movi $0x22; set_reg $3, t3; goto_tb $1",
      { 0 }, { 0, 7, 0x11, 0, 0, 0, 0, 0 }, .exit = TB_EXIT_SLOT0 },
    { "forward-branches-taken",
      "t0 = get_reg $0; t1 = movi $7\n"
      "brz L0, t0\n"
      "t1 = movi $9\n"
      "label L0\n"
      "set_reg $1, t1\n"
      "brnz L1, t0\n"
      "t2 = movi $0x11; set_reg $2, t2; goto_tb $0\n"
      "label L1\n"
      "t3 = movi $0x22; set_reg $3, t3; goto_tb $1",
      { 3 }, { 3, 9, 0, 0x22, 0, 0, 0, 0 }, .exit = TB_EXIT_SLOT1 },
    { "br-skips-code",
      "t0 = movi $1; br L2\n"
      "label L1\n"
      "t0 = movi $3; set_reg $0, t0; exit\n"
      "label L2\n"
      "set_reg $1, t0; br L1",
      { 0 }, { 3, 1, 0, 0, 0, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    { "pressure-across-call",
      "t0 = get_reg $0; t1 = get_reg $1; t2 = get_reg $2; t3 = get_reg $3\n"
      "t4 = get_reg $4; t5 = get_reg $5; t6 = get_reg $6; t7 = get_reg $7\n"
      "t8 = call @cc_compute_all\n"
      "t9 = add t0, t1; t10 = add t9, t2; t11 = add t10, t3; t12 = add t11, t4\n"
      "t13 = add t12, t5; t14 = add t13, t6; t15 = add t14, t7\n"
      "set_reg $0, t15; set_reg $1, t8; set_reg $2, t0; set_reg $3, t7; exit",
      { 1, 2, 4, 8, 16, 32, 64, 128 }, { 255, 0x44, 1, 128, 16, 32, 64, 128 },
      .env_in = { { ENV(cc_op), CC_OP_SUBL }, { ENV(cc_dst), 0 }, { ENV(cc_src), 5 } },
      .exit = TB_EXIT_NOCHAIN },
    { "call0-cc_compute_all",
      "t0 = call @cc_compute_all; set_reg $0, t0; t1 = call @cc_compute_c; set_reg $1, t1; exit",
      {0}, { 0x55, 1, 0, 0, 0, 0, 0, 0 },
      .env_in = { { ENV(cc_op), CC_OP_ADDL }, { ENV(cc_dst), 0 }, { ENV(cc_src), 1 } },
      .exit = TB_EXIT_NOCHAIN },
    { "call1-bsf-bsr",
      "t0 = get_reg $0; t1 = call @bsf, t0; set_reg $1, t1; t2 = call @bsr, t0; set_reg $2, t2; exit",
      { 0x80000080 }, { 0x80000080, 7, 31, 0, 0, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    { "call2-mulh",
      "t0 = get_reg $0; t1 = get_reg $1\n"
      "t2 = call @mulhu32, t0, t0; set_reg $2, t2\n"
      "t3 = call @mulhs32, t0, t0; set_reg $3, t3\n"
      "t4 = call @mulhs32, t1, t0; set_reg $4, t4; exit",
      { 0xffffffff, 0x80000000 }, { 0xffffffff, 0x80000000, 0xfffffffe, 0, 0, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    { "call3-shxd",
      "t0 = get_reg $0; t1 = get_reg $1; t2 = movi $0x408\n"
      "t3 = call @shxd, t0, t1, t2; set_reg $2, t3\n"
      "t4 = movi $0x10408; t5 = call @shxd, t0, t1, t4; set_reg $3, t5; exit",
      { 0x12345678, 0x9abcdef0 }, { 0x12345678, 0x9abcdef0, 0x3456789a, 0xf0123456, 0, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    { "call1-void-aad",
      "t0 = movi $10; call @aad, t0; exit",
      { 0x0102 }, { 0x000c, 0, 0, 0, 0, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    { "call4-far_call-real-mode",
      "t0 = movi $0x1234; t1 = movi $0x5678; t2 = movi $4; t3 = movi $0xabcd\n"
      "call @far_call, t0, t1, t2, t3; exit",
      { 0, 0, 0, 0, 0x1000 }, { 0, 0, 0, 0, 0xff8, 0, 0, 0 },
      .env_out = { { ENV(eip), 0x5678 }, { ENV(seg[R_CS].base), 0x12340 } },
      .mem_addr = 0xff8, .mem_size = 4, .mem_val = 0xabcd,
      .exit = TB_EXIT_NOCHAIN },
    { "memory",
      "t0 = movi $0x100; t1 = get_reg $0; st.32 t0, t1\n"
      "t2 = ld.u8 t0; set_reg $1, t2\n"
      "t3 = ld.u16 t0; set_reg $2, t3\n"
      "t4 = ld.32 t0; set_reg $3, t4\n"
      "t5 = movi $0x101; t6 = movi $0xaa; st.8 t5, t6\n"
      "t7 = movi $0x102; t8 = movi $0xbbcc; st.16 t7, t8\n"
      "t9 = ld.32 t0; set_reg $4, t9\n"
      "t10 = movi $0xffe; t11 = movi $0x55667788; st.32 t10, t11\n"
      "t12 = ld.32 t10; set_reg $5, t12; t13 = ld.u16 t10; set_reg $6, t13; exit",
      { 0xdeadbeef }, { 0xdeadbeef, 0xef, 0xbeef, 0xdeadbeef, 0xbbccaaef, 0x55667788,
        0x7788, 0 }, .mem_addr = 0x1000, .mem_size = 2, .mem_val = 0x5566,
      .exit = TB_EXIT_NOCHAIN },
    { "memory-memop-sign-view",     /* sign-extending loads, hit and (after invlpg) miss */
      "t0 = movi $0x100; t1 = get_reg $0; st.32 t0, t1\n"
      "t2 = ld.s8 t0; set_reg $1, t2; t3 = ld.s16 t0; set_reg $2, t3\n"
      "t4 = movi $0x102; t5 = ld.s16 t4; set_reg $3, t5\n"
      "call @invlpg, t0; t6 = ld.s8 t0; set_reg $4, t6\n"
      "call @invlpg, t0; t7 = ld.s16 t4; set_reg $5, t7\n"
      "t8 = ld.u8.v0 t0; set_reg $6, t8; exit",
      { 0x80ff8081 }, { 0x80ff8081, 0xffffff81, 0xffff8081, 0xffff80ff, 0xffffff81,
        0xffff80ff, 0x81, 0 },
      .exit = TB_EXIT_NOCHAIN },
    { "env-fields",
      "t0 = ld_env $0x20; t1 = movi $0x10; t2 = add t0, t1; st_env $0x20, t2\n"
      "t3 = ld_env $0x20; set_reg $0, t3; goto_tb $0",
      {0}, { 0x1010, 0, 0, 0, 0, 0, 0, 0 },
      .env_in = { { ENV(eip), 0x1000 } }, .env_out = { { ENV(eip), 0x1010 } },
      .exit = TB_EXIT_SLOT0 },
    { "exception-unwinds",
      "t0 = movi $1; set_reg $0, t0; t1 = movi $13; t2 = movi $0x18\n"
      "call @raise_exception, t1, t2\n"
      "t3 = movi $2; set_reg $1, t3; exit",
      {0}, { 1, 0, 0, 0, 0, 0, 0, 0 }, .exception = EXCP_GP },
    { "fold-and-forward",
      "t0 = movi $2; t1 = movi $3; t2 = add t0, t1; t3 = mov t2\n"
      "set_reg $0, t3; t4 = get_reg $0; t5 = shl t4, t1; set_reg $1, t5\n"
      "t6 = get_reg $1; t7 = movi $0; t8 = or t6, t7; set_reg $2, t8\n"
      "brz L0, t7; set_reg $3, t8\n"
      "label L0\n"
      "t9 = sub t7, t0; set_reg $4, t9; exit",
      {0}, { 5, 40, 40, 0, 0xfffffffe, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    /* code generator: immediates in every operand position, two-address
     * forms where the output shares the second input's register, lea */
    { "imm-operands",
      "t0 = get_reg $0; t1 = movi $0x80; t9 = movi $-3\n"
      "t2 = add t0, t1; set_reg $1, t2; t3 = sub t0, t1; set_reg $2, t3\n"
      "t4 = sub t1, t0; set_reg $3, t4; t5 = mul t0, t9; set_reg $4, t5\n"
      "t6 = xor t0, t9; t6 = and t6, t1; set_reg $5, t6\n"
      "t7 = movi $4; t8 = ror t0, t7; t8 = or t8, t1; set_reg $6, t8\n"
      "t10 = get_reg $7; t10 = sub t0, t10; set_reg $7, t10; exit",
      { 0x1234, 0, 0, 0, 0, 0, 0, 0x34 },
      { 0x1234, 0x12b4, 0x11b4, 0xffffee4c, 0xffffc964, 0x80, 0x400001a3, 0x1200 },
      .exit = TB_EXIT_NOCHAIN },
    /* a comparison used only by the next branch becomes cmp + jcc */
    { "fused-compare-branch",
      "t0 = get_reg $0; t1 = get_reg $1; t9 = movi $0\n"
      "t2 = setlt t0, t1; brz L0, t2; t9 = or t9, t0\n"
      "label L0\n"
      "t3 = movi $5; t4 = setleu t0, t3; brnz L1, t4; t9 = add t9, t1\n"
      "label L1\n"
      "t5 = movi $0x10; t6 = seteq t5, t1; brnz L2, t6; t9 = xor t9, t3\n"
      "label L2\n"
      "t7 = ld_env $0x28; brz L3, t7; t9 = not t9\n"
      "label L3\n"
      "set_reg $2, t9; exit",
      { 0xfffffff0, 0x10 }, { 0xfffffff0, 0x10, 0xffffffff, 0, 0, 0, 0, 0 },
      .env_in = { { ENV(cc_op), 7 } },
      .exit = TB_EXIT_NOCHAIN },
    { "stores-of-immediates",
      "t0 = movi $0x200; t1 = movi $0x11223344; st.32 t0, t1\n"
      "t2 = movi $0x204; t3 = movi $0xabcd; st.16 t2, t3\n"
      "t4 = movi $0x206; t5 = movi $0xef; st.8 t4, t5\n"
      "t6 = get_reg $0; t7 = movi $0x207; st.8 t7, t6\n"
      "t8 = ld.32 t2; set_reg $1, t8; t9 = ld.32 t0; set_reg $2, t9; exit",
      { 0x99 }, { 0x99, 0x99efabcd, 0x11223344, 0, 0, 0, 0, 0 },
      .exit = TB_EXIT_NOCHAIN },
    /* dead-store elimination and stores sunk into a TLB miss path: the
     * eip and eax stores before the faulting load are dead afterwards
     * (overwritten), yet the #PF must see them; the first ecx store is
     * dead before the load and goes */
    { "fault-sees-stores-before-it",
      "t0 = movi $0x11; st_env $0x20, t0; t1 = movi $5; set_reg $0, t1\n"
      "set_reg $1, t1; t9 = movi $6; set_reg $1, t9\n"
      "t2 = movi $0x1000; t3 = ld.32 t2\n"
      "t4 = movi $0x22; st_env $0x20, t4; set_reg $0, t3; exit",
      {0}, { 5, 6, 0, 0, 0, 0, 0, 0 },
      .env_in = { { ENV(cr[0]), CR0_PG | CR0_PE }, { ENV(cr[3]), 0x2000 } },
      .env_out = { { ENV(eip), 0x11 } },
      .exception = EXCP_PF },
    /* the sunk eip store's value (entry eip + 3) is computed in the
     * miss path only (ra_plan_remat): the fault must still see it */
    { "fault-sees-computed-sunk-store",
      "t0 = ld_env $0x20; t1 = movi $3; t5 = add t0, t1; st_env $0x20, t5\n"
      "t2 = movi $0x1000; t3 = ld.32 t2\n"
      "t6 = movi $9; t4 = add t0, t6; st_env $0x20, t4; set_reg $0, t3; exit",
      {0}, { 0, 0, 0, 0, 0, 0, 0, 0 },
      .env_in = { { ENV(cr[0]), CR0_PG | CR0_PE }, { ENV(cr[3]), 0x2000 }, { ENV(eip), 0x40 } },
      .env_out = { { ENV(eip), 0x43 } },
      .exception = EXCP_PF },
    { "no-fault-same-code",
      "t0 = movi $0x11; st_env $0x20, t0; t1 = movi $5; set_reg $0, t1\n"
      "set_reg $1, t1; t9 = movi $6; set_reg $1, t9\n"
      "t2 = movi $0x1000; t3 = ld.32 t2\n"
      "t4 = movi $0x22; st_env $0x20, t4; set_reg $0, t3; exit",
      {0}, { 0, 6, 0, 0, 0, 0, 0, 0 },
      .env_out = { { ENV(eip), 0x22 } },
      .exit = TB_EXIT_NOCHAIN },
    { "helper-sees-stores-before-it",
      "t0 = movi $1; set_reg $0, t0; t1 = movi $13; t2 = movi $0x18\n"
      "call @raise_exception, t1, t2\n"
      "t3 = movi $2; set_reg $0, t3; exit",
      {0}, { 1, 0, 0, 0, 0, 0, 0, 0 }, .exception = EXCP_GP },
    /* 64-bit loads and stores through the x86 guest's TLB and its 64-bit
     * slow paths: a miss fills, the next access hits; one crossing a page
     * (0xffc: half in each page) is split; narrower I64 loads extend */
    { "x86-64-bit-access",
      "t0 = get_reg $0; t1 = get_reg $1; t2 = ext32u t0; t3 = ext32u t1\n"
      "t4 = movi.i64 $32; t5 = shl.i64 t3, t4; t6 = or.i64 t5, t2\n"
      "t7 = movi $0x300; st.i64.64 t7, t6; t8 = movi $0xffc; st.i64.64 t8, t6\n"
      "t9 = ld.i64.64 t8; t10 = trunc t9; set_reg $2, t10\n"
      "t11 = shr.i64 t9, t4; t12 = trunc t11; set_reg $3, t12\n"
      "t13 = movi $0x307; t14 = ld.i64.s8 t13; t15 = shr.i64 t14, t4; t16 = trunc t15\n"
      "set_reg $4, t16; t17 = ld.i64.64 t7; t18 = trunc t17; set_reg $5, t18; exit",
      { 0x89abcdef, 0x81234567 },
      { 0x89abcdef, 0x81234567, 0x89abcdef, 0x81234567, 0xffffffff, 0x89abcdef, 0, 0 },
      .mem_addr = 0x1000, .mem_size = 4, .mem_val = 0x81234567,
      .exit = TB_EXIT_NOCHAIN },
    /* MO_ALIGN: an aligned access runs, a misaligned one reaches x86's
     * misaligned hook, which raises #GP(0) before any byte moves */
    { "x86-aligned-access",
      "t0 = movi $0x304; t1 = get_reg $0; st.32.al t0, t1; t2 = ld.32.al t0\n"
      "set_reg $1, t2; t3 = movi $0x300; t4 = ld.i64.64.al t3; t5 = trunc t4\n"
      "set_reg $2, t5; exit",
      { 0x5a5a1234 }, { 0x5a5a1234, 0x5a5a1234, 0, 0, 0, 0, 0, 0 },
      .mem_addr = 0x304, .mem_size = 4, .mem_val = 0x5a5a1234,
      .exit = TB_EXIT_NOCHAIN },
    { "x86-misaligned-access-gp",
      "t0 = movi $1; set_reg $0, t0; t1 = movi $0x306; t2 = movi $0x77\n"
      "st.32.al t1, t2; t3 = movi $2; set_reg $0, t3; exit",
      {0}, { 1, 0, 0, 0, 0, 0, 0, 0 },
      .mem_addr = 0x306, .mem_size = 4, .mem_val = 0,
      .exception = EXCP_GP },
    /* a side exit (brz over an exit) keeps the optimiser's knowledge */
    { "side-exit-label",
      "t0 = get_reg $0; set_reg $1, t0; t1 = ld_env $0x48\n"
      "brz L0, t1; t2 = movi $1; set_reg $1, t2; exit\n"
      "label L0\n"
      "t3 = get_reg $1; t4 = add t3, t0; set_reg $2, t4; exit",
      { 21 }, { 21, 21, 42, 0, 0, 0, 0, 0 }, .exit = TB_EXIT_NOCHAIN },
    /* the native backend emits the side exit out of line (cg_side_exit):
     * temps of before the branch must reach its cold copy and the label */
#define SIDE_EXIT_COLD \
      "t0 = get_reg $0; t1 = get_reg $1; t2 = movi $5; t3 = add t0, t2\n" \
      "brz L0, t1\n" \
      "t4 = add t3, t2; set_reg $2, t4; t5 = movi $0x100; st.32 t5, t4; exit\n" \
      "label L0\n" \
      "t6 = add t3, t0; set_reg $3, t6; goto_tb $0"
    { "side-exit-cold-taken", SIDE_EXIT_COLD, { 10, 1 }, { 10, 1, 20, 0, X, X, X, X },
      .mem_addr = 0x100, .mem_size = 4, .mem_val = 20, .exit = TB_EXIT_NOCHAIN },
    { "side-exit-cold-not-taken", SIDE_EXIT_COLD, { 10, 0 }, { 10, 0, 0, 25, X, X, X, X },
      .mem_addr = 0x100, .mem_size = 4, .mem_val = 0, .exit = TB_EXIT_SLOT0 },
};

/* --------------------------------------------------------- test machine */

typedef struct TestRig {
    Machine *m;
    CPUState *env;
    Translator *tr[2];      /* interp, native (NULL if not built) */
} TestRig;

static void dummy_translate(void *fe, void *env, TranslationBlock *tb, IRBlock *ir)
{
    g_assert_not_reached();
}

static TestRig *rig_new(void)
{
    TestRig *r = g_new0(TestRig, 1);
    r->m = g_new0(Machine, 1);
    r->m->mem = physmem_new();
    physmem_add_ram(r->m->mem, 0, 64 << 10, NULL);
    r->env = &r->m->cpu;
    GError *err = NULL;
    r->tr[0] = translator_new(&backend_interp, &x86_guest, r->m->mem, dummy_translate, NULL, r->env, 0, &err);
    g_assert_no_error(err);
    r->env->tr_ctx = r->tr[0];      /* the last one made, as translator_new once did */
#if TX86_NATIVE_BACKEND
    r->tr[1] = translator_new(&backend_x86_64, &x86_guest, r->m->mem, dummy_translate, NULL, r->env, 0, &err);
    g_assert_no_error(err);
    r->env->tr_ctx = r->tr[1];
#endif
    return r;
}

static void rig_free(TestRig *r)
{
    translator_free(r->tr[0]);
    translator_free(r->tr[1]);
    physmem_free(r->m->mem);
    g_free(r->m);
    g_free(r);
}

static void rig_reset_env(TestRig *r, const GoldenCase *c)
{
    CPUState *env = r->env;
    memset(env, 0, offsetof(CPUState, mem));
    env->mem = r->m->mem;
    env->a20_mask = 0xffffffff;
    env->exception_index = -1;
    env->old_exception = -1;
    env->df = 1;
    for (int i = 0; i < NUM_SEGS; i++)
        env->seg[i].limit = 0xffff;
    env->seg[R_SS].flags = DESC_B_MASK;
    env->hflags = HF_SS32;
    memcpy(env->regs, c->regs_in, sizeof(env->regs));
    for (int i = 0; i < 4 && (c->env_in[i].off || c->env_in[i].val); i++)
        memcpy((uint8_t *)env + c->env_in[i].off, &c->env_in[i].val, 4);
    memset(r->m->mem->ram, 0, 64 << 10);
}

/* run c on backend be_idx, optimised or not; report mismatches */
static void run_case(TestRig *r, const GoldenCase *c, int be_idx, bool opt)
{
    Translator *t = r->tr[be_idx];
    IRBlock ir;
    GError *err = NULL;
    char where[160];
    snprintf(where, sizeof(where), "%s [%s%s]", c->name, t->backend->name,
             opt ? ", optimised" : "");

    ir_block_init(&ir, &x86_guest);
    if (!ir_parse(&ir, c->ir, &err)) {
        fprintf(stderr, "%s: parse: %s\n", where, err->message);
        CU_FAIL("parse failed");
        g_clear_error(&err);
        ir_block_free(&ir);
        return;
    }
    if (!ir_verify(&ir, &err)) {
        fprintf(stderr, "%s: verify: %s\n", where, err->message);
        CU_FAIL("verify failed");
        g_clear_error(&err);
        ir_block_free(&ir);
        return;
    }
    if (opt) {
        ir_optimize(&ir);
        if (!ir_verify(&ir, &err)) {
            fprintf(stderr, "%s: optimised IR does not verify: %s\n", where, err->message);
            ir_print_block(stderr, &ir);
            CU_FAIL("optimised verify failed");
            g_clear_error(&err);
        }
    }
    TranslationBlock tb;
    memset(&tb, 0, sizeof(tb));
    CU_ASSERT_FATAL(t->backend->compile(t, &tb, &ir));
    rig_reset_env(r, c);

    volatile int exit_code = -1;
    CPUState *env = r->env;
    if (sigsetjmp(env->jmp_env, 0) == 0)
        exit_code = t->backend->exec(t, env, &tb);

    bool ok = true;
    if (c->exception) {
        if (env->exception_index != c->exception) {
            fprintf(stderr, "%s: exception %d, expected %d\n", where,
                    env->exception_index, c->exception);
            ok = false;
        }
    } else if (exit_code != c->exit) {
        fprintf(stderr, "%s: exit %d, expected %d\n", where, exit_code, c->exit);
        ok = false;
    }
    for (int i = 0; i < 8; i++) {
        if (c->regs_out[i] != NONE && env->regs[i] != c->regs_out[i]) {
            fprintf(stderr, "%s: reg %d = %08x, expected %08x\n", where, i,
                    env->regs[i], c->regs_out[i]);
            ok = false;
        }
    }
    for (int i = 0; i < 4 && c->env_out[i].off; i++) {
        uint32_t v;
        memcpy(&v, (uint8_t *)env + c->env_out[i].off, 4);
        if (v != c->env_out[i].val) {
            fprintf(stderr, "%s: env+%#x = %08x, expected %08x\n", where,
                    c->env_out[i].off, v, c->env_out[i].val);
            ok = false;
        }
    }
    if (c->mem_size) {
        uint32_t v = physmem_read(r->m->mem, c->mem_addr, c->mem_size);
        if (v != c->mem_val) {
            fprintf(stderr, "%s: mem[%#x] = %08x, expected %08x\n", where, c->mem_addr,
                    v, c->mem_val);
            ok = false;
        }
    }
    if (!ok) {
        ir_print_block(stderr, &ir);
        if (be_idx == 1)
            t->backend->dump(t, &tb, stderr);
    }
    CU_ASSERT(ok);
    ir_block_free(&ir);
}

static void test_golden(void)
{
    TestRig *r = rig_new();
    for (size_t i = 0; i < G_N_ELEMENTS(golden); i++)
        for (int be = 0; be < 2; be++)
            if (r->tr[be])
                for (int opt = 0; opt < 2; opt++)
                    run_case(r, &golden[i], be, opt);
    rig_free(r);
}

#if TX86_NATIVE_BACKEND
/* offset of the first `mov dword [rbx + disp8], r32` with that disp in
 * code (89 /r, ModRM mod 01 rm 011), or -1 */
static int find_env_store(const uint8_t *code, size_t size, uint8_t disp)
{
    for (size_t i = 0; i + 2 < size; i++)
        if (code[i] == 0x89 && (code[i + 1] & 0xc7) == 0x43 && code[i + 2] == disp)
            return (int)i;
    return -1;
}
#endif

/* the side exit's code lies after the code at its label (out of line):
 * fails if the native backend emits side exits in place again */
static void test_side_exit_out_of_line(void)
{
#if TX86_NATIVE_BACKEND
    TestRig *r = rig_new();
    IRBlock ir;
    TranslationBlock tb;
    ir_block_init(&ir, &x86_guest);
    CU_ASSERT_FATAL(ir_parse(&ir, SIDE_EXIT_COLD, NULL));
    memset(&tb, 0, sizeof(tb));
    CU_ASSERT_FATAL(r->tr[1]->backend->compile(r->tr[1], &tb, &ir));
    int in_exit = find_env_store(tb.code, tb.code_size, ENV(regs[2]));
    int at_label = find_env_store(tb.code, tb.code_size, ENV(regs[3]));
    CU_ASSERT(in_exit > 0 && at_label > 0);
    CU_ASSERT(at_label < in_exit);
    ir_block_free(&ir);
    rig_free(r);
#endif
}

/* -------------------------------------------------------------- verifier */

static void test_verify_good(void)
{
    IRBlock b;
    ir_block_init(&b, &x86_guest);
    for (size_t i = 0; i < G_N_ELEMENTS(golden); i++) {
        GError *err = NULL;
        CU_ASSERT(ir_parse(&b, golden[i].ir, &err));
        bool ok = ir_verify(&b, &err);
        if (!ok)
            fprintf(stderr, "%s: %s\n", golden[i].name, err->message);
        CU_ASSERT(ok);
        g_clear_error(&err);
    }
    /* the builders produce verifiable IR too */
    ir_block_reset(&b);
    IRTemp t = ir_get_reg(&b, R_EAX);
    IRTemp one = ir_movi(&b, 1);
    ir_set_reg(&b, R_EAX, ir_add(&b, t, one));
    uint32_t l = ir_new_label(&b);
    ir_brz(&b, t, l);
    IRTemp args[2] = { t, one };
    IRTemp h = ir_call(&b, HELPER_mulhu32, 2, args);
    ir_store(&b, 4, h, ir_load(&b, 2, t));
    ir_label(&b, l);
    ir_insn_start(&b, 0x1000);
    ir_goto_tb(&b, 1);
    CU_ASSERT(ir_verify(&b, NULL));
    ir_block_free(&b);
}

static void test_verify_bad(void)
{
    static const struct { const char *what, *ir; } bad[] = {
        { "undefined temp",   "t1 = movi $1; t2 = add t0, t1; exit" },
        { "use before def",   "t0 = add t1, t1; t1 = movi $1; exit" },
        { "wrong arity",      "t1 = movi $1; t2 = add t1; exit" },
        { "too many inputs",  "t1 = movi $1; t2 = not t1, t1; exit" },
        { "missing output",   "t1 = movi $1; add t1, t1; exit" },
        { "output on store",  "t1 = movi $1; t2 = st.32 t1, t1; exit" },
        { "call arity",       "t1 = movi $1; t2 = call @mulhu32, t1; exit" },
        { "void call output", "t1 = movi $1; t2 = call @aad, t1; exit" },
        { "undefined label",  "t0 = movi $1; brz L3, t0; exit" },
        { "label twice",      "label L0; label L0; exit" },
        { "no exit",          "t0 = movi $1; set_reg $0, t0" },
        { "label at end",     "exit; label L0" },
        { "bad reg index",    "t0 = get_reg $8; exit" },
        { "bad slot",         "goto_tb $2" },
        { "bad env offset",   "t0 = ld_env $0x3; exit" },
        { "env out of range", "t0 = ld_env $0x100000; exit" },
        { "empty",            "" },
    };
    IRBlock b;
    ir_block_init(&b, &x86_guest);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        bool parsed = ir_parse(&b, bad[i].ir, &err);
        if (!parsed) {
            fprintf(stderr, "verify_bad %s: did not parse: %s\n", bad[i].what, err->message);
            CU_FAIL("bad case did not parse");
            g_clear_error(&err);
            continue;
        }
        bool ok = ir_verify(&b, &err);
        if (ok)
            fprintf(stderr, "verify_bad: '%s' accepted\n", bad[i].what);
        CU_ASSERT(!ok);
        CU_ASSERT(ok || (err && err->domain == TX86_IR_ERROR));
        g_clear_error(&err);
    }
    /* parse errors */
    static const char *const junk[] = {
        "t0 = frobnicate $1", "t0 = movi 1", "t0 = call @no_such_helper", "t0 = add t1 t2",
        "br 3", "t0 movi $1",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(junk); i++) {
        GError *err = NULL;
        CU_ASSERT(!ir_parse(&b, junk[i], &err));
        CU_ASSERT(err != NULL);
        g_clear_error(&err);
    }
    ir_block_free(&b);
}

static bool blocks_equal(const IRBlock *a, const IRBlock *b)
{
    if (a->n_insns != b->n_insns || a->n_temps != b->n_temps || a->n_labels != b->n_labels)
        return false;
    for (uint32_t i = 0; i < a->n_insns; i++) {
        const IRInsn *x = &a->insns[i], *y = &b->insns[i];
        if (x->op != y->op || x->out != y->out || x->nin != y->nin || x->imm != y->imm ||
            x->type != y->type || x->memop != y->memop)
            return false;
        for (int k = 0; k < x->nin; k++)
            if (x->in[k] != y->in[k])
                return false;
    }
    return true;
}

static void test_roundtrip(void)
{
    IRBlock a, b;
    ir_block_init(&a, &x86_guest);
    ir_block_init(&b, &x86_guest);
    for (size_t i = 0; i < G_N_ELEMENTS(golden); i++) {
        char *text = NULL;
        size_t len = 0;
        CU_ASSERT_FATAL(ir_parse(&a, golden[i].ir, NULL));
        FILE *f = open_memstream(&text, &len);
        ir_print_block(f, &a);
        fclose(f);
        GError *err = NULL;
        bool ok = ir_parse(&b, text, &err);
        if (!ok)
            fprintf(stderr, "roundtrip %s: %s\n%s", golden[i].name, err->message, text);
        CU_ASSERT(ok);
        CU_ASSERT(ok && blocks_equal(&a, &b));
        g_clear_error(&err);
        free(text);
    }
    /* every opcode's name parses back to itself */
    for (int op = 0; op < IR_NUM_OPCODES; op++)
        CU_ASSERT_PTR_NOT_NULL(ir_op_desc[op].name);
    ir_block_free(&a);
    ir_block_free(&b);
}

static void test_optimize_shrinks(void)
{
    IRBlock b;
    ir_block_init(&b, &x86_guest);
    CU_ASSERT_FATAL(ir_parse(&b,
        "t0 = movi $2; t1 = movi $3; t2 = add t0, t1; t3 = mul t2, t2\n"
        "t4 = get_reg $1; t5 = get_reg $1; t6 = add t4, t5\n"
        "set_reg $0, t3; t7 = get_reg $0; set_reg $2, t7; exit", NULL));
    ir_optimize(&b);
    CU_ASSERT(ir_verify(&b, NULL));
    /* expected: movi 25; set_reg 0; set_reg 2 (same temp); exit */
    CU_ASSERT_EQUAL(b.n_insns, 4);
    CU_ASSERT_EQUAL(b.insns[0].op, IR_MOVI);
    CU_ASSERT_EQUAL(b.insns[0].imm, 25);
    /* a faulting load with an unused result stays */
    CU_ASSERT_FATAL(ir_parse(&b, "t0 = movi $0x10; t1 = ld.32 t0; exit", NULL));
    ir_optimize(&b);
    CU_ASSERT_EQUAL(b.n_insns, 3);
    ir_block_free(&b);
}

/* how many times op occurs in b */
static int count_op(const IRBlock *b, int op)
{
    int n = 0;
    for (uint32_t i = 0; i < b->n_insns; i++)
        n += b->insns[i].op == op;
    return n;
}

static void test_optimize_dead_stores(void)
{
    static const struct { const char *what, *ir; int op, count; } cases[] = {
        /* fires: overwritten with nothing in between */
        { "overwritten", "t0 = movi $1; set_reg $1, t0; t1 = movi $2; set_reg $1, t1\n"
          "st_env $0x28, t0; st_env $0x28, t1; exit", IR_SET_REG, 1 },
        { "overwritten env", "t0 = movi $1; st_env $0x28, t0; t1 = get_reg $0\n"
          "t2 = add t1, t0; st_env $0x28, t2; exit", IR_ST_ENV, 1 },
        /* must not fire: a may-fault op, a helper, a label, a branch in between */
        { "before may-fault", "t0 = movi $1; set_reg $1, t0; t2 = ld.32 t0\n"
          "set_reg $1, t2; exit", IR_SET_REG, 2 },
        { "before helper", "t0 = movi $1; set_reg $1, t0; t2 = call @cc_compute_all\n"
          "set_reg $1, t2; exit", IR_SET_REG, 2 },
        { "across label", "t0 = movi $1; set_reg $1, t0; label L0\n"
          "t1 = get_reg $0; set_reg $1, t1; brnz L0, t1; exit", IR_SET_REG, 2 },
        { "across branch", "t0 = get_reg $0; set_reg $1, t0; brz L0, t0\n"
          "set_reg $1, t0; label L0; exit", IR_SET_REG, 2 },
        { "before exit", "t0 = movi $1; set_reg $1, t0; exit", IR_SET_REG, 1 },
        /* side-exit label: the second get_reg is forwarded */
        { "side exit", "t0 = get_reg $0; t1 = ld_env $0x48; brz L0, t1; exit\n"
          "label L0; t2 = get_reg $0; t3 = add t2, t0; set_reg $1, t3; exit",
          IR_GET_REG, 1 },
        /* a label reached by fall-through too: knowledge dropped */
        { "merge label", "t0 = get_reg $0; brz L0, t0; t5 = movi $3; set_reg $0, t5\n"
          "label L0; t2 = get_reg $0; set_reg $1, t2; exit", IR_GET_REG, 2 },
        /* common subexpression */
        { "cse", "t0 = get_reg $0; t1 = get_reg $1; t2 = add t0, t1; t3 = add t0, t1\n"
          "set_reg $2, t2; set_reg $3, t3; exit", IR_ADD, 1 },
        { "cse input changed", "t0 = get_reg $0; t1 = get_reg $1; t2 = add t0, t1\n"
          "t0 = movi $3; t3 = add t0, t1; set_reg $2, t2; set_reg $3, t3; exit", IR_ADD, 2 },
    };
    IRBlock b;
    ir_block_init(&b, &x86_guest);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *err = NULL;
        CU_ASSERT_FATAL(ir_parse(&b, cases[i].ir, &err));
        CU_ASSERT_FATAL(ir_verify(&b, NULL));
        ir_optimize(&b);
        CU_ASSERT(ir_verify(&b, NULL));
        int n = count_op(&b, cases[i].op);
        if (n != cases[i].count) {
            fprintf(stderr, "dead stores '%s': %d x %s, expected %d\n", cases[i].what, n,
                    ir_op_desc[cases[i].op].name, cases[i].count);
            ir_print_block(stderr, &b);
        }
        CU_ASSERT_EQUAL(n, cases[i].count);
    }
    ir_block_free(&b);
}

/* ---------------------------------------------------- the block cache */

/* a toy front end: the guest byte at pc means "eax += byte", then jump to
 * pc + 1 through exit slot 0 */
static void toy_translate(void *fe, void *env, TranslationBlock *tb, IRBlock *ir)
{
    uint32_t v = cpu_ld8(env, tb->cs_base + tb->pc);
    IRTemp a = ir_get_reg(ir, R_EAX);
    ir_set_reg(ir, R_EAX, ir_add(ir, a, ir_movi(ir, v)));
    ir_st_env(ir, offsetof(CPUState, eip), ir_movi(ir, tb->pc + 1));
    ir_goto_tb(ir, 0);
    tb->size = 1;
    tb->n_insns = 1;
    tb->jmp_pc[0] = tb->pc + 1;
}

static void test_tb_cache(void)
{
    static const GoldenCase blank = { .name = "cache" };
    TestRig *r = rig_new();
    CPUState *env = r->env;
    for (int be = 0; be < 2; be++) {
        Translator *t = r->tr[be];
        if (!t)
            continue;
        const Backend *backend = t->backend;
        translator_free(t);
        GError *err = NULL;
        t = r->tr[be] = translator_new(backend, &x86_guest, r->m->mem, toy_translate, NULL,
                                       env, 0, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        env->tr_ctx = t;
        rig_reset_env(r, &blank);
        r->m->mem->ram[0x500] = 3;
        r->m->mem->ram[0x501] = 4;
        env->eip = 0x500;

        TranslationBlock *tb = tb_find(t, env);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
        CU_ASSERT(tb_find(t, env) == tb);
        CU_ASSERT_EQUAL(t->stats.blocks_translated, 1);
        CU_ASSERT(physmem_page(r->m->mem, 0x500)->watch & PAGE_WATCH_CODE);

        int exit = t->backend->exec(t, env, tb);
        CU_ASSERT_EQUAL(exit, TB_EXIT_SLOT0);
        CU_ASSERT_EQUAL(env->regs[R_EAX], 3);
        TranslationBlock *n1 = tb_next(t, env, tb, exit);
        CU_ASSERT_EQUAL(n1->pc, 0x501);
        CU_ASSERT(tb->jmp_tb[0] == n1);
        uint64_t hits = t->stats.chain_hits;
        CU_ASSERT(tb_next(t, env, tb, exit) == n1);
        CU_ASSERT_EQUAL(t->stats.chain_hits, hits + 1);
        env->eip = 0x500;
        CU_ASSERT(tb_next(t, env, tb, exit) == tb);   /* eip differs: no chain */
        CU_ASSERT_EQUAL(t->stats.chain_hits, hits + 1);
        env->eip = 0x501;
        CU_ASSERT(tb_next(t, env, tb, exit) == n1);

        /* self-modifying code: a guest store over the second block */
        env->code_dirty = 0;
        cpu_st8(env, 0x501, 40);
        CU_ASSERT_EQUAL(env->code_dirty, 1);
        CU_ASSERT(!n1->valid);
        CU_ASSERT(tb->valid);
        TranslationBlock *n2 = tb_next(t, env, tb, TB_EXIT_SLOT0);
        CU_ASSERT(n2 != n1 && n2->valid);
        env->regs[R_EAX] = 0;
        t->backend->exec(t, env, n2);
        CU_ASSERT_EQUAL(env->regs[R_EAX], 40);
        /* a store next to code but not over it leaves blocks alone */
        env->code_dirty = 0;
        cpu_st8(env, 0x510, 1);
        CU_ASSERT_EQUAL(env->code_dirty, 0);
        CU_ASSERT(n2->valid && tb->valid);

        tb_flush(t);
        CU_ASSERT(!(physmem_page(r->m->mem, 0x500)->watch & PAGE_WATCH_CODE));
        env->eip = 0x500;
        TranslationBlock *again = tb_find(t, env);
        CU_ASSERT(again->valid && again->pc == 0x500);
        CU_ASSERT_EQUAL(t->stats.flushes, 1);
    }
    rig_free(r);
}

void register_ir_tests(void)
{
    CU_pSuite s = CU_add_suite("ir", NULL, NULL);
    CU_add_test(s, "verifier accepts good IR", test_verify_good);
    CU_add_test(s, "verifier and parser reject bad IR", test_verify_bad);
    CU_add_test(s, "printer/parser round trip", test_roundtrip);
    CU_add_test(s, "optimiser folds and removes dead code", test_optimize_shrinks);
    CU_add_test(s, "optimiser: dead stores, side-exit labels, CSE", test_optimize_dead_stores);
    CU_pSuite g = CU_add_suite("ir-backends", NULL, NULL);
    CU_add_test(g, "golden cases on both backends, with and without ir_optimize", test_golden);
    CU_add_test(g, "native: side exits are emitted out of line", test_side_exit_out_of_line);
    CU_add_test(g, "block cache: lookup, chaining, SMC invalidation, flush", test_tb_cache);
}

#ifdef TEST_IR_STANDALONE
int main(void)
{
    CU_initialize_registry();
    register_ir_tests();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
#endif
