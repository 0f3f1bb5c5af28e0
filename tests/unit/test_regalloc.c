/*
 * test_regalloc.c - the host-neutral register allocator (regalloc.c) on a
 * toy host, and the translator with a toy guest that is not x86: its own
 * env layout, registers, helper, volatile word and TLB slow paths, run on
 * both backends.  Together they check that nothing in src/translator/
 * assumes the x86 guest or the x86-64 host beyond the descriptions.
 *
 * Suites "regalloc" and "guest-neutral"; registered through
 * register_regalloc_tests() (test_main.c).
 */
#include <string.h>
#include <stddef.h>
#include <stdlib.h>
#include <CUnit/CUnit.h>
#include "config.h"
#include "translator/translator.h"
#include "translator/regalloc.h"
#include "mmu/tlb.h"

/* ------------------------------------------------------------ toy guest */

typedef struct ToyEnv {
    uint32_t r[4];              /* get_reg $0..$3 */
    uint32_t pc;                /* block key */
    uint32_t flags;
    uint32_t kick;              /* volatile */
    uint32_t dirty;             /* code_dirty */
    int32_t budget;             /* icount_left */
    uint32_t zero;              /* cs_base and cs_limit of the key */
    uint64_t q[2];              /* get_reg $4, $5: 64-bit registers */
    uint64_t scratch;           /* ld_env.i64 / st_env.i64 */
    CPUTLBEntry tlb[TLB_SIZE];  /* one view */
    uint8_t mem[256];           /* what the slow paths reach */
    uint32_t slow_calls;
    uint32_t slow64_calls;      /* of them, the 64-bit ones */
    uint32_t mis_calls;         /* the misaligned hook: calls, last arguments */
    uint32_t mis_addr, mis_memop;
    bool mis_write;
} ToyEnv;

#define TOY_OFF(f) ((uint32_t)offsetof(ToyEnv, f))

static uint32_t toy_mac(void *env, uint32_t a, uint32_t b)
{
    return a * b + ((ToyEnv *)env)->r[3];
}

static uint64_t toy_ld(ToyEnv *e, uint32_t addr, int size)
{
    uint64_t v = 0;
    e->slow_calls++;
    for (int i = 0; i < size; i++)
        v |= (uint64_t)e->mem[(addr + i) & 255] << (8 * i);
    return v;
}

static void toy_st(ToyEnv *e, uint32_t addr, uint64_t v, int size)
{
    e->slow_calls++;
    for (int i = 0; i < size; i++)
        e->mem[(addr + i) & 255] = (uint8_t)(v >> (8 * i));
}

static uint32_t toy_ld8(void *e, GuestVirt a)  { return (uint32_t)toy_ld(e, a, 1); }
static uint32_t toy_ld16(void *e, GuestVirt a) { return (uint32_t)toy_ld(e, a, 2); }
static uint32_t toy_ld32(void *e, GuestVirt a) { return (uint32_t)toy_ld(e, a, 4); }
static void toy_st8(void *e, GuestVirt a, uint32_t v)  { toy_st(e, a, v, 1); }
static void toy_st16(void *e, GuestVirt a, uint32_t v) { toy_st(e, a, v, 2); }
static void toy_st32(void *e, GuestVirt a, uint32_t v) { toy_st(e, a, v, 4); }
static uint64_t toy_ld64(void *e, GuestVirt a)
{
    ((ToyEnv *)e)->slow64_calls++;
    return toy_ld(e, a, 8);
}
static void toy_st64(void *e, GuestVirt a, uint64_t v)
{
    ((ToyEnv *)e)->slow64_calls++;
    toy_st(e, a, v, 8);
}
/* records and returns: the access then goes on through the slow path */
static void toy_misaligned(void *env, GuestVirt a, uint32_t memop, bool write)
{
    ToyEnv *e = env;
    e->mis_calls++;
    e->mis_addr = a;
    e->mis_memop = memop;
    e->mis_write = write;
}
static int toy_tlb_mode(uint32_t flags) { return 0; }

/* an I64 helper: a * b + r3, its I64 argument in a full register */
static uint64_t toy_mac64(void *env, uint64_t a, uint32_t b)
{
    return a * b + ((ToyEnv *)env)->r[3];
}

static const GuestGlobal toy_regs[6] = {
    { "r0", 0, IR_I32 }, { "r1", 4, IR_I32 }, { "r2", 8, IR_I32 }, { "r3", 12, IR_I32 },
    { "q0", TOY_OFF(q[0]), IR_I64 }, { "q1", TOY_OFF(q[1]), IR_I64 },
};
static const GuestGlobal toy_fields[] = {
    { "pc", TOY_OFF(pc), IR_I32 }, { "kick", TOY_OFF(kick), IR_I32 },
};
static const uint32_t toy_volatile[] = { TOY_OFF(kick) };
static const HelperDesc toy_helpers[] = {
    { "mac", (void (*)(void))toy_mac, 2, IR_I32, { IR_I32, IR_I32 }, HF_READS_STATE },
    { "mac64", (void (*)(void))toy_mac64, 2, IR_I64, { IR_I64, IR_I32 }, HF_READS_STATE },
};

static const GuestDesc toy_guest = {
    .name = "toy",
    .env_size = TOY_OFF(tlb),                    /* IR may touch the words before it */
    .regs = toy_regs, .n_regs = G_N_ELEMENTS(toy_regs),
    .fields = toy_fields, .n_fields = G_N_ELEMENTS(toy_fields),
    .forward_end = TOY_OFF(budget),
    .volatile_words = toy_volatile, .n_volatile = 1,
    .code_dirty = TOY_OFF(dirty),
    .icount_left = TOY_OFF(budget),
    .key_pc = TOY_OFF(pc), .key_cs_base = TOY_OFF(zero), .key_cs_limit = TOY_OFF(zero),
    .key_flags = TOY_OFF(flags),
    .helpers = toy_helpers, .n_helpers = G_N_ELEMENTS(toy_helpers),
    .tlb_offset = TOY_OFF(tlb),
    .tlb_views = 1,
    .tlb_mode = toy_tlb_mode,
    .ld_slow = { toy_ld8, toy_ld16, toy_ld32 },
    .st_slow = { toy_st8, toy_st16, toy_st32 },
    .ld_slow64 = toy_ld64,
    .st_slow64 = toy_st64,
    .misaligned = toy_misaligned,
};

/* the same guest without 64-bit slow paths and misaligned hook: the
 * verifier must refuse 64-bit and MO_ALIGN accesses for it */
static GuestDesc toy_guest_min(void)
{
    GuestDesc g = toy_guest;
    g.name = "toy-min";
    g.ld_slow64 = NULL;
    g.st_slow64 = NULL;
    g.misaligned = NULL;
    return g;
}

/* ------------------------------------------------------------- toy host */

/* registers 1 and 2 survive calls, 3 does not; 0 is scratch */
static const int8_t toy_alloc[] = { 1, 2, 3 };
static const int8_t toy_args[] = { 4, 5, 6 };
static const HostDesc toy_host = {
    .name = "toy",
    .alloc_regs = toy_alloc, .n_alloc_regs = 3,
    .callee_saved = (1u << 1) | (1u << 2),
    .caller_saved = (1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6),
    .arg_regs = toy_args, .n_arg_regs = 3,
    .ret_reg = 0, .env_reg = 7, .scratch_reg = 0,
};

static void parse(IRBlock *b, const char *text)
{
    GError *err = NULL;
    ir_block_init(b, &toy_guest);
    bool ok = ir_parse(b, text, &err);
    if (!ok)
        fprintf(stderr, "regalloc: parse: %s\n", err->message);
    CU_ASSERT_FATAL(ok);
    ok = ir_verify(b, &err);
    if (!ok)
        fprintf(stderr, "regalloc: verify: %s\n", err->message);
    CU_ASSERT_FATAL(ok);
}

static void test_ra_calls_consts(void)
{
    IRBlock b;
    RABlock ra;
    /* t0 lives across the call: only a callee-saved register will do */
    parse(&b, "t0 = get_reg $0; t1 = call @mac, t0, t0; t2 = add t0, t1\n"
              "t3 = movi $5; t6 = get_reg $1; t7 = add t6, t3\n"
              "set_reg $0, t2; set_reg $1, t7; exit");
    ra_run(&ra, &toy_host, &b, true);
    CU_ASSERT_EQUAL(ra.loc[0].kind, RA_REG);
    CU_ASSERT(ra.loc[0].reg == 1 || ra.loc[0].reg == 2);
    CU_ASSERT_EQUAL(ra.loc[3].kind, RA_CONST);
    CU_ASSERT_EQUAL(ra.loc[3].value, 5);
    CU_ASSERT_EQUAL(ra.loc[4].kind, RA_NONE);      /* never mentioned */
    CU_ASSERT_EQUAL(ra.loc[4].reg, 0);
    /* a short range takes the last listed (caller-saved) register first */
    CU_ASSERT_EQUAL(ra.loc[1].kind, RA_REG);
    CU_ASSERT_EQUAL(ra.loc[1].reg, 3);
    CU_ASSERT_EQUAL(ra.loc[6].kind, RA_REG);
    CU_ASSERT_EQUAL(ra.n_slots, 0);
    CU_ASSERT_EQUAL(ra.used_regs & ~((1u << 1) | (1u << 2) | (1u << 3)), 0);
    CU_ASSERT_EQUAL(ra.temps[0].uses, 3);
    CU_ASSERT(ra.temps[3].is_const);
    ra_free(&ra);
    ir_block_free(&b);
}

static void test_ra_spill_loop(void)
{
    IRBlock b;
    RABlock ra;
    /* four values live at once, three registers: one slot */
    parse(&b, "t0 = get_reg $0; t1 = get_reg $1; t2 = get_reg $2; t3 = get_reg $3\n"
              "t4 = add t0, t1; t5 = add t2, t3; t6 = add t4, t5; set_reg $0, t6; exit");
    ra_run(&ra, &toy_host, &b, true);
    int slots = 0;
    for (int t = 0; t < 7; t++)
        slots += ra.loc[t].kind == RA_SLOT;
    CU_ASSERT_EQUAL(slots, 1);
    CU_ASSERT_EQUAL(ra.n_slots, 1);
    CU_ASSERT_EQUAL(ra.loc[3].kind, RA_SLOT);      /* the last to start, ends last */
    ra_free(&ra);
    ir_block_free(&b);

    /* t2 and t3 would share a register in straight-line code; inside the
     * loop both cover it whole, so they may not */
    parse(&b, "t0 = get_reg $0; t1 = movi $1; label L0; t2 = get_reg $1\n"
              "t3 = add t2, t1; set_reg $1, t3; brnz L0, t0; exit");
    ra_run(&ra, &toy_host, &b, true);
    CU_ASSERT_EQUAL(ra.loc[2].kind, RA_REG);
    CU_ASSERT_EQUAL(ra.loc[3].kind, RA_REG);
    CU_ASSERT_NOT_EQUAL(ra.loc[2].reg, ra.loc[3].reg);
    CU_ASSERT_NOT_EQUAL(ra.loc[0].reg, ra.loc[2].reg);
    CU_ASSERT_NOT_EQUAL(ra.loc[0].reg, ra.loc[3].reg);
    CU_ASSERT_EQUAL(ra.label_pos[0], 2);
    ra_free(&ra);
    ir_block_free(&b);
}

static void test_ra_sinking(void)
{
    static const struct { const char *what, *ir; bool sunk; } cases[] = {
        { "pc before an access, overwritten after",
          "t0 = movi $0x100; st_env $0x10, t0; t1 = get_reg $0; t2 = ld.32 t1\n"
          "st_env $0x10, t2; exit", true },
        { "register, overwritten after",
          "t0 = movi $0x100; set_reg $2, t0; t1 = get_reg $0; t2 = ld.32 t1\n"
          "set_reg $2, t2; exit", true },
        { "volatile word",
          "t0 = movi $0x100; st_env $0x18, t0; t1 = get_reg $0; t2 = ld.32 t1\n"
          "st_env $0x18, t2; exit", false },
        { "read after the access",
          "t0 = movi $0x100; st_env $0x10, t0; t1 = get_reg $0; t2 = ld.32 t1\n"
          "t3 = ld_env $0x10; set_reg $1, t3; st_env $0x10, t2; exit", false },
        { "helper before the access",
          "t0 = movi $0x100; st_env $0x10, t0; t1 = call @mac, t0, t0; t2 = ld.32 t1\n"
          "st_env $0x10, t2; exit", false },
        { "exit before it is overwritten",
          "t0 = movi $0x100; st_env $0x10, t0; t1 = get_reg $0; t2 = ld.32 t1; exit", false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        IRBlock b;
        RABlock ra;
        parse(&b, cases[i].ir);
        ra_run(&ra, &toy_host, &b, true);
        bool sunk = ra.sink_to[1] == 3 && ra.sink_head[3] == 1 && ra.sink_next[1] == UINT32_MAX;
        if (sunk != cases[i].sunk || (!sunk && ra.sink_to[1] != UINT32_MAX))
            fprintf(stderr, "sinking '%s': sink_to[1] = %u\n", cases[i].what, ra.sink_to[1]);
        CU_ASSERT_EQUAL(sunk, cases[i].sunk);
        ra_free(&ra);
        /* without sinking nothing moves */
        ra_run(&ra, &toy_host, &b, false);
        CU_ASSERT_EQUAL(ra.sink_to[1], UINT32_MAX);
        ra_free(&ra);
        ir_block_free(&b);
    }
}

/* ------------------------------------------------- a toy guest, run */

static void toy_no_translate(void *fe, void *env, TranslationBlock *tb, IRBlock *ir)
{
    g_assert_not_reached();
}

/* a translator for the toy guest on backend be (blocks come from parse()) */
static Translator *toy_translator(const Backend *be, void *env)
{
    GError *err = NULL;
    Translator *t = translator_new(be, &toy_guest, NULL, toy_no_translate, NULL, env, 0, &err);
    g_assert_no_error(err);
    return t;
}

static const char toy_block[] =
    "t0 = get_reg $0; t1 = get_reg $1\n"
    "t2 = call @mac, t0, t1\n"          /* r0 * r1 + r3 */
    "set_reg $2, t2\n"
    "t3 = movi $0x10; t4 = ld.32 t3; set_reg $3, t4\n"
    "t5 = movi $0x20; st.16 t5, t2\n"
    "t6 = ld_env $0x18          # kick: volatile, read twice\n"
    "t7 = ld_env $0x18; t8 = add t6, t7; set_reg $0, t8\n"
    "st_env $0x10, t3\n"
    "goto_tb $1";

static void test_toy_guest_backends(void)
{
    static const Backend *const backends[] = {
        &backend_interp,
#if TX86_NATIVE_BACKEND
        &backend_x86_64,
#endif
    };
    static uint8_t host_page[4096];
    for (size_t k = 0; k < G_N_ELEMENTS(backends); k++) {
        for (int hit = 0; hit < 2; hit++) {
            ToyEnv *env = g_new0(ToyEnv, 1);
            Translator *t = toy_translator(backends[k], env);
            IRBlock b;
            parse(&b, toy_block);
            ir_optimize(&b);
            CU_ASSERT(ir_verify(&b, NULL));
            int kicks = 0;
            for (uint32_t i = 0; i < b.n_insns; i++)
                kicks += b.insns[i].op == IR_LD_ENV && b.insns[i].imm == TOY_OFF(kick);
            CU_ASSERT_EQUAL(kicks, 2);          /* never forwarded */
            TranslationBlock tb;
            memset(&tb, 0, sizeof(tb));
            CU_ASSERT_FATAL(t->backend->compile(t, &tb, &b));

            env->r[0] = 6;
            env->r[1] = 7;
            env->r[3] = 100;
            env->kick = 5;
            env->budget = 100;
            env->mem[0x10] = 0x44;
            env->mem[0x13] = 0x11;
            memset(host_page, 0, sizeof(host_page));
            host_page[0x10] = 0x99;
            if (hit) {      /* page 0 mapped to host_page for loads and stores */
                env->tlb[0].addr_read = env->tlb[0].addr_write = TLB_PAGE_LOW;
                env->tlb[0].addend = (uintptr_t)host_page;
            }
            int exit = t->backend->exec(t, env, &tb);
            CU_ASSERT_EQUAL(exit, TB_EXIT_SLOT1);
            CU_ASSERT_EQUAL(env->r[2], 142);
            CU_ASSERT_EQUAL(env->r[0], 10);
            CU_ASSERT_EQUAL(env->pc, 0x10);
            if (hit) {
                CU_ASSERT_EQUAL(env->r[3], 0x99);
                CU_ASSERT_EQUAL(host_page[0x20], 142);
                CU_ASSERT_EQUAL(env->slow_calls, 0);
            } else {
                CU_ASSERT_EQUAL(env->r[3], 0x11000044);
                CU_ASSERT_EQUAL(env->mem[0x20], 142);
                CU_ASSERT_EQUAL(env->mem[0x21], 0);
                CU_ASSERT_EQUAL(env->slow_calls, 2);
            }
            /* the printer names the toy's words */
            char *text = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&text, &len);
            ir_print_block(f, &b);
            fclose(f);
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "# kick"));
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "# r0"));
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "@mac"));
            free(text);
            ir_block_free(&b);
            translator_free(t);
            g_free(env);
        }
    }
}

/* I64 ops on both backends, unoptimised and optimised (folding at 64
 * bits), with enough live I64 temps that some get 8-byte stack slots */
static const char toy_block64[] =
    "t0 = get_reg.i64 $4; t1 = get_reg $0\n"
    "t2 = ext32u t1; t3 = ext32s t1\n"
    "t4 = add.i64 t0, t2; t5 = movi.i64 $0x123456789; t6 = sub.i64 t4, t5\n"
    "t7 = xor.i64 t6, t3; t8 = movi.i64 $4; t9 = shl.i64 t7, t8\n"
    "t10 = sar.i64 t9, t8; t11 = shr.i64 t9, t8; t12 = and.i64 t10, t11\n"
    "t13 = or.i64 t12, t5; t14 = setltu.i64 t0, t5; t15 = setlt.i64 t0, t5\n"
    "t16 = trunc t13; set_reg $1, t16\n"
    "t17 = shl.i64 t14, t8; t18 = or.i64 t17, t15; t19 = trunc t18; set_reg $2, t19\n"
    "t20 = movi $7; t21 = call @mac64, t13, t20; st_env.i64 $0x38, t21\n"
    "t22 = ld_env.i64 $0x38; t23 = add.i64 t22, t0\n"
    /* twelve I64 values live at once */
    "t30 = add.i64 t23, t5; t31 = add.i64 t30, t5; t32 = add.i64 t31, t5\n"
    "t33 = add.i64 t32, t5; t34 = add.i64 t33, t5; t35 = add.i64 t34, t5\n"
    "t36 = add.i64 t35, t5; t37 = add.i64 t36, t5; t38 = add.i64 t37, t5\n"
    "t39 = add.i64 t38, t5; t40 = add.i64 t39, t5; t41 = add.i64 t40, t5\n"
    "t42 = xor.i64 t30, t31; t43 = xor.i64 t42, t32; t44 = xor.i64 t43, t33\n"
    "t45 = xor.i64 t44, t34; t46 = xor.i64 t45, t35; t47 = xor.i64 t46, t36\n"
    "t48 = xor.i64 t47, t37; t49 = xor.i64 t48, t38; t50 = xor.i64 t49, t39\n"
    "t51 = xor.i64 t50, t40; t52 = xor.i64 t51, t41; set_reg.i64 $5, t52\n"
    "t53 = movi.i64 $0xffffffff; t54 = movi.i64 $1; t55 = add.i64 t53, t54\n"
    "t56 = movi $0xffffffff; t57 = movi $1; t58 = add t56, t57\n"
    "brnz.i64 L0, t55; set_reg $3, t58; goto_tb $0\n"
    "label L0; t59 = trunc t55; set_reg $3, t59; t60 = ext32u t58; t61 = or.i64 t60, t55\n"
    "set_reg.i64 $4, t61\n"
    "brz.i64 L1, t61; goto_tb $1; label L1; exit";

static void toy64_expect(uint64_t q0, uint32_t r0, uint32_t r3, uint32_t *r1, uint32_t *r2,
                         uint64_t *q1, uint64_t *scratch)
{
    uint64_t k = 0x123456789ull;
    uint64_t t7 = (q0 + r0 - k) ^ (uint64_t)(int64_t)(int32_t)r0;
    uint64_t t9 = t7 << 4;
    uint64_t t13 = (((uint64_t)((int64_t)t9 >> 4)) & (t9 >> 4)) | k;
    *r1 = (uint32_t)t13;
    *r2 = (uint32_t)((q0 < k) << 4 | ((int64_t)q0 < (int64_t)k));
    *scratch = t13 * 7 + r3;
    uint64_t v[12], x = 0;
    v[0] = *scratch + q0 + k;
    for (int i = 1; i < 12; i++)
        v[i] = v[i - 1] + k;
    for (int i = 0; i < 12; i++)
        x ^= v[i];
    *q1 = x;
}

static void test_toy_guest_i64(void)
{
    static const Backend *const backends[] = {
        &backend_interp,
#if TX86_NATIVE_BACKEND
        &backend_x86_64,
#endif
    };
    static const struct { uint64_t q0; uint32_t r0; } in[] = {
        { 0x0123456789abcdefull, 0x80000001u }, { 5, 7 }, { 0xfffffffffffffff0ull, 0xffffffffu },
    };
    for (size_t k = 0; k < G_N_ELEMENTS(backends); k++) {
        for (int opt = 0; opt < 2; opt++) {
            ToyEnv *env = g_new0(ToyEnv, 1);
            Translator *t = toy_translator(backends[k], env);
            IRBlock b;
            parse(&b, toy_block64);
            if (opt) {
                ir_optimize(&b);
                CU_ASSERT(ir_verify(&b, NULL));
                /* folded at their widths: 0xffffffff + 1 is 2^32 in I64, 0 in I32 */
                bool wide = false, narrow = false;
                for (uint32_t i = 0; i < b.n_insns; i++) {
                    const IRInsn *x = &b.insns[i];
                    wide |= x->op == IR_MOVI && x->type == IR_I64 && x->imm == 1ull << 32;
                    narrow |= x->out == 58 && x->op == IR_MOVI && x->imm == 0;
                }
                CU_ASSERT(wide);
                CU_ASSERT(narrow);
            }
            TranslationBlock tb;
            memset(&tb, 0, sizeof(tb));
            CU_ASSERT_FATAL(t->backend->compile(t, &tb, &b));
            for (size_t i = 0; i < G_N_ELEMENTS(in); i++) {
                uint32_t r1, r2;
                uint64_t q1, scratch;
                env->q[0] = in[i].q0;
                env->r[0] = in[i].r0;
                env->r[3] = 100;
                env->budget = 100;
                toy64_expect(in[i].q0, in[i].r0, 100, &r1, &r2, &q1, &scratch);
                int exit = t->backend->exec(t, env, &tb);
                CU_ASSERT_EQUAL(exit, TB_EXIT_SLOT1);
                CU_ASSERT_EQUAL(env->r[1], r1);
                CU_ASSERT_EQUAL(env->r[2], r2);
                CU_ASSERT_EQUAL(env->scratch, scratch);
                CU_ASSERT_EQUAL(env->q[1], q1);
                CU_ASSERT_EQUAL(env->r[3], 0);
                CU_ASSERT_EQUAL(env->q[0], 1ull << 32);
                if (env->q[1] != q1 || env->r[1] != r1)
                    fprintf(stderr, "i64 %s opt=%d case %zu: r1 %x/%x q1 %llx/%llx\n",
                            backends[k]->name, opt, i, env->r[1], r1,
                            (unsigned long long)env->q[1], (unsigned long long)q1);
            }
            ir_block_free(&b);
            translator_free(t);
            g_free(env);
        }
    }
}

static void test_toy_guest_verify(void)
{
    static const char *const bad[] = {
        "t0 = get_reg $6; exit",             /* the toy has 6 registers */
        "t0 = ld_env $0x40; exit",           /* beyond env_size (the TLB) */
        "t0 = movi $1; t1 = call @mac, t0; exit",
        /* types */
        "t0 = get_reg $4; exit",             /* q0 is I64: get_reg.i64 */
        "t0 = get_reg.i64 $0; exit",         /* r0 is I32 */
        "t0 = get_reg $0; t1 = get_reg.i64 $4; t2 = add t0, t1; exit",
        "t0 = get_reg $0; t1 = add.i64 t0, t0; exit",
        "t0 = get_reg $0; t1 = trunc t0; exit",
        "t0 = get_reg.i64 $4; t1 = ext32u t0; exit",
        "t0 = get_reg $0; t1 = call @mac64, t0, t0; exit",   /* arg 0 is i64 */
        "t0 = get_reg.i64 $4; t1 = call @mac, t0, t0; exit",
        "t0 = get_reg $0; t0 = ext32u t0; exit",             /* a temp has one type */
        "t0 = movi.v128 $0; exit",           /* reserved */
        "t0 = ld_env.i64 $0x2c; exit",       /* I64 env words are 8-aligned */
        "t0 = movi $0; t1 = ld.64 t0; exit",                 /* wider than I32 */
        "t0 = movi $0; t1 = ld.i64.s64 t0; exit",            /* full width, signed */
        "t0 = movi $0; t1 = ld.s32 t0; exit",                /* full width, signed */
        "t0 = movi $0; st.s8 t0, t0; exit",
        "t0 = movi $0; t1 = ld.u8.v1 t0; exit",              /* the toy has one view */
        "t0 = movi $0; brz.i64 L0, t0; label L0; exit",
    };
    IRBlock b;
    ir_block_init(&b, &toy_guest);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        CU_ASSERT_FATAL(ir_parse(&b, bad[i], NULL));
        CU_ASSERT(!ir_verify(&b, NULL));
    }
    CU_ASSERT(!ir_parse(&b, "t0 = call @cc_compute_all; exit", NULL));  /* an x86 helper */
    CU_ASSERT(!ir_parse(&b, "t0 = movi $0; t1 = ld t0; exit", NULL));   /* no size */
    CU_ASSERT(!ir_parse(&b, "t0 = movi $0x100000000; exit", NULL));     /* I32 too wide */
    CU_ASSERT_FATAL(ir_parse(&b, "t0 = movi $0; exit", NULL));
    b.insns[0].imm = 1ull << 32;                                        /* built by hand */
    CU_ASSERT(!ir_verify(&b, NULL));
    CU_ASSERT(!ir_parse(&b, "t0 = add.u8 t0, t0; exit", NULL));         /* not a MemOp op */
    /* and accepts the typed forms */
    static const char *const good[] = {
        "t0 = get_reg.i64 $4; t1 = get_reg $0; t2 = ext32s t1; t3 = add.i64 t0, t2\n"
        "t4 = trunc t3; set_reg $1, t4; set_reg.i64 $5, t3; exit",
        "t0 = movi $0; t1 = ld.s8.v0 t0; t2 = ld.s16 t0; st.16.v0 t0, t1; exit",
        "t0 = movi.i64 $-1; t1 = movi $3; t2 = call @mac64, t0, t1; st_env.i64 $0x38, t2; exit",
        /* 64-bit and aligned accesses (the toy has the slow paths and the hook) */
        "t0 = movi $0; t1 = ld.i64.64 t0; st.i64.64 t0, t1; t2 = ld.i64.s32 t0; exit",
        "t0 = movi $0; t1 = ld.u8.al t0; st.32.al t0, t1; t2 = ld.i64.64.al t0; exit",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        GError *err = NULL;
        CU_ASSERT_FATAL(ir_parse(&b, good[i], NULL));
        if (!ir_verify(&b, &err)) {
            fprintf(stderr, "good[%zu]: %s\n", i, err->message);
            CU_FAIL("typed IR rejected");
            g_clear_error(&err);
        }
    }
    /* a guest without ld_slow64/st_slow64/misaligned: refused */
    static const char *const need_hooks[] = {
        "t0 = movi $0; t1 = ld.i64.64 t0; exit",
        "t0 = movi $0; t1 = movi.i64 $1; st.i64.64 t0, t1; exit",
        "t0 = movi $0; t1 = ld.u8.al t0; exit",
        "t0 = movi $0; st.16.al t0, t0; exit",
    };
    IRBlock m;
    GuestDesc min = toy_guest_min();
    ir_block_init(&m, &min);
    for (size_t i = 0; i < G_N_ELEMENTS(need_hooks); i++) {
        CU_ASSERT_FATAL(ir_parse(&m, need_hooks[i], NULL));
        CU_ASSERT(!ir_verify(&m, NULL));
        CU_ASSERT_FATAL(ir_parse(&b, need_hooks[i], NULL));     /* the toy: fine */
        CU_ASSERT(ir_verify(&b, NULL));
    }
    ir_block_free(&m);
    ir_block_free(&b);
}

/*
 * Loads and stores of every width on both backends, against a model: page
 * 0 is in the TLB (host_page), page 1 is not (the toy's slow paths, whose
 * memory is env->mem: which bytes changed says which path ran).  A 64-bit
 * access inside page 0 hits; one crossing into page 1 must miss, as must
 * a misaligned MO_ALIGN access, which calls the misaligned hook (once,
 * with its address, MemOp and direction) before its slow path; an aligned
 * one hits and calls nothing.  A temp live in a caller-saved register
 * across the access (t9) must survive the slow path and the hook.
 */
static const struct ToyMemCase {
    uint32_t addr;
    const char *op;             /* "ld.i64.64", "st.32.al", ... */
} toy_mem_cases[] = {
    { 0x010, "ld.i64.64" }, { 0x013, "ld.i64.64" }, { 0xffc, "ld.i64.64" },
    { 0xff9, "ld.i64.64" }, { 0x1010, "ld.i64.64" },
    { 0x020, "st.i64.64" }, { 0xffd, "st.i64.64" }, { 0x1020, "st.i64.64" },
    { 0x081, "ld.i64.s8" }, { 0x081, "ld.i64.u8" }, { 0x082, "ld.i64.s16" },
    { 0x082, "ld.i64.u16" }, { 0x084, "ld.i64.s32" }, { 0x084, "ld.i64.u32" },
    { 0x1081, "ld.i64.s8" }, { 0x1082, "ld.i64.s16" }, { 0x1084, "ld.i64.s32" },
    { 0x1084, "ld.i64.u32" }, { 0x1081, "ld.i64.u16" },
    { 0x030, "st.i64.8" }, { 0x031, "st.i64.16" }, { 0x1034, "st.i64.32" },
    /* MO_ALIGN */
    { 0x014, "ld.32.al" }, { 0x016, "ld.32.al" }, { 0x1014, "ld.32.al" }, { 0x1015, "ld.32.al" },
    { 0x015, "ld.u8.al" }, { 0x017, "ld.s16.al" }, { 0x018, "ld.u16.al" },
    { 0x018, "ld.i64.64.al" }, { 0x01c, "ld.i64.64.al" }, { 0xffc, "ld.i64.64.al" },
    { 0x024, "st.32.al" }, { 0x026, "st.32.al" }, { 0x02a, "st.16.al" }, { 0x029, "st.16.al" },
    { 0x028, "st.i64.64.al" }, { 0x02c, "st.i64.64.al" }, { 0x1038, "st.i64.64.al" },
    { 0x083, "ld.i64.s32.al" }, { 0x084, "ld.i64.s32.al" },
};

static void test_toy_guest_mem(void)
{
    static const Backend *const backends[] = {
        &backend_interp,
#if TX86_NATIVE_BACKEND
        &backend_x86_64,
#endif
    };
    static uint8_t host_page[4096], host_want[4096];
    for (size_t k = 0; k < G_N_ELEMENTS(backends); k++) {
        for (size_t c = 0; c < G_N_ELEMENTS(toy_mem_cases); c++) {
            const struct ToyMemCase *tc = &toy_mem_cases[c];
            bool store = tc->op[0] == 's';
            bool i64 = strstr(tc->op, ".i64") != NULL;
            bool align = strstr(tc->op, ".al") != NULL;
            const char *sz = tc->op + 3 + (i64 ? 4 : 0);     /* after "ld." / "st." [".i64"] */
            bool sign = *sz == 's';
            uint32_t size = (uint32_t)atoi(sz + (*sz == 's' || *sz == 'u')) / 8;
            /* r0: address; r1 + 1 kept across the access; store value in
             * q1 / r3; a load's result in q0 / r2 */
            char *acc = store ? g_strdup_printf("t1 = get_reg%s $%d; %s t0, t1",
                                                i64 ? ".i64" : "", i64 ? 5 : 3, tc->op)
                              : g_strdup_printf("t1 = %s t0; set_reg%s $%d, t1", tc->op,
                                                i64 ? ".i64" : "", i64 ? 4 : 2);
            char *text = g_strdup_printf(
                "t9 = get_reg $1; t8 = movi $1; t9 = add t9, t8; t0 = get_reg $0\n"
                "%s\nset_reg $1, t9; exit", acc);
            g_free(acc);
            ToyEnv *env = g_new0(ToyEnv, 1);
            Translator *t = toy_translator(backends[k], env);
            IRBlock b;
            parse(&b, text);
            MemOp memop = 0;
            for (uint32_t i = 0; i < b.n_insns; i++)
                if (b.insns[i].op == IR_LD || b.insns[i].op == IR_ST)
                    memop = b.insns[i].memop;
            TranslationBlock tb;
            memset(&tb, 0, sizeof(tb));
            CU_ASSERT_FATAL(t->backend->compile(t, &tb, &b));

            for (int i = 0; i < 4096; i++)
                host_page[i] = (uint8_t)(i * 7 + 0x81);
            for (int i = 0; i < 256; i++)
                env->mem[i] = (uint8_t)(0x90 + i * 3);
            env->tlb[0].addr_read = env->tlb[0].addr_write = TLB_PAGE_LOW;
            env->tlb[0].addend = (uintptr_t)host_page;
            env->r[0] = tc->addr;
            env->r[1] = 41;
            env->r[3] = 0xc3c2c1c0u;
            env->q[1] = 0xf7f6f5f4f3f2f1f0ull;
            env->budget = 100;
            memcpy(host_want, host_page, sizeof(host_page));
            uint8_t mem_want[256];
            memcpy(mem_want, env->mem, sizeof(mem_want));

            /* the model */
            bool misaligned = align && (tc->addr & (size - 1));
            bool hit = tc->addr < 0x1000 && tc->addr + size <= 0x1000 && !misaligned;
            uint64_t raw = 0, val = i64 ? env->q[1] : env->r[3];
            for (uint32_t i = 0; i < size; i++) {
                uint32_t a = tc->addr + i;
                if (store) {
                    if (hit)
                        host_want[a] = (uint8_t)(val >> (8 * i));
                    else
                        mem_want[a & 255] = (uint8_t)(val >> (8 * i));
                } else {
                    raw |= (uint64_t)(hit ? host_page[a] : env->mem[a & 255]) << (8 * i);
                }
            }
            if (sign && size < 8)
                raw = (uint64_t)((int64_t)(raw << (64 - 8 * size)) >> (64 - 8 * size));

            int exit = t->backend->exec(t, env, &tb);
            CU_ASSERT_EQUAL(exit, TB_EXIT_NOCHAIN);
            bool ok = env->r[1] == 42 && env->slow_calls == (hit ? 0u : 1u) &&
                      env->slow64_calls == (!hit && size == 8 ? 1u : 0u) &&
                      env->mis_calls == (misaligned ? 1u : 0u) &&
                      memcmp(host_page, host_want, sizeof(host_page)) == 0 &&
                      memcmp(env->mem, mem_want, sizeof(mem_want)) == 0;
            if (!store)
                ok &= i64 ? env->q[0] == raw : env->r[2] == (uint32_t)raw;
            if (misaligned)
                ok &= env->mis_addr == tc->addr && env->mis_write == store &&
                      env->mis_memop == memop && (memop & MO_ALIGN);
            CU_ASSERT(ok);
            if (!ok)
                fprintf(stderr, "toy mem %s: %s at %#x: r1 %u slow %u/%u mis %u, "
                        "q0 %#llx r2 %#x want %#llx\n", backends[k]->name, tc->op, tc->addr,
                        env->r[1], env->slow_calls, env->slow64_calls, env->mis_calls,
                        (unsigned long long)env->q[0], env->r[2], (unsigned long long)raw);
            ir_block_free(&b);
            translator_free(t);
            g_free(env);
            g_free(text);
        }
    }
}

void register_regalloc_tests(void)
{
    CU_pSuite s = CU_add_suite("regalloc", NULL, NULL);
    CU_add_test(s, "calls take callee-saved registers; constants, unused temps", test_ra_calls_consts);
    CU_add_test(s, "spills to a slot; loops widen live ranges", test_ra_spill_loop);
    CU_add_test(s, "store sinking into the next access's slow path", test_ra_sinking);
    CU_pSuite g = CU_add_suite("guest-neutral", NULL, NULL);
    CU_add_test(g, "a toy guest on both backends (TLB hit and miss)", test_toy_guest_backends);
    CU_add_test(g, "the verifier bounds the toy's registers, env, helpers", test_toy_guest_verify);
    CU_add_test(g, "I64 temps, registers, env words, helper on both backends", test_toy_guest_i64);
    CU_add_test(g, "64-bit and MO_ALIGN loads/stores: hit, crossing, miss, hook", test_toy_guest_mem);
}
