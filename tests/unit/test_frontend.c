/*
 * test_frontend.c - golden tests of the x86 front end (src/cpu-x86/):
 * guest bytes in, IR text out.
 *
 * Each row of `cases` gives a CPU mode and some instruction bytes.  The
 * bytes are put in RAM so that they end at a page boundary (the front end
 * ends a block when the next instruction starts on another page), the
 * front end translates the block (fe_translate(), the only code that
 * knows how the front end is reached), and the result is printed by the
 * IR printer (ir_print_block) twice: as the front end emitted it (after its
 * dead-flag pass, cc_live.c) and after ir_optimize().  A header names the
 * mode, the bytes, Capstone's disassembly and what cc_live_analyze() says
 * about each instruction's flag update.  The text must equal
 * tests/unit/golden/NAME.ir; a mismatch prints a unified diff naming the
 * case.  Every block must also pass ir_verify().
 *
 * Regenerate the golden files after an intended change (then review them
 * with git diff):
 *
 *     TX86_GOLDEN_UPDATE=1 make check-unit
 *     TX86_GOLDEN_UPDATE=1 build/tests/unit/run-unit frontend    # from the top directory
 *
 * The files are found in $TX86_SRCDIR/tests/unit/golden (TX86_SRCDIR: the
 * top directory, set by make check-unit; default: the current directory).
 * A golden file without a row is an error too (a renamed case).
 *
 * The second suite is a table for cc_live_analyze() alone: instruction
 * sequences and which of their flag updates are dead.
 */
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <CUnit/CUnit.h>
#include "unit_util.h"
#include <glib.h>
#include <glib/gstdio.h>
#include "cpu-x86/frontend.h"
#include "machine/machine.h"
#include "bus/memory.h"

typedef enum FeMode {
    FE_REAL,        /* real mode, CS = DS = SS = 0, 16-bit */
    FE_PM32,        /* protected mode, flat 32-bit segments, CPL 0 */
    FE_PM32_USER,   /* the same at CPL 3, IOPL 0 */
    FE_PM16,        /* protected mode, 16-bit segments (base 0, limit 64 KiB), CPL 0 */
} FeMode;

static const char *const mode_names[] = {
    [FE_REAL] = "real mode (16-bit)",
    [FE_PM32] = "protected mode, flat 32-bit, CPL 0",
    [FE_PM32_USER] = "protected mode, flat 32-bit, CPL 3, IOPL 0",
    [FE_PM16] = "protected mode, 16-bit segments, CPL 0",
};

typedef struct FrontendCase {
    const char *name;       /* golden file tests/unit/golden/NAME.ir */
    FeMode mode;
    const char *hex;        /* instruction bytes; blanks ignored */
} FrontendCase;

static const FrontendCase cases[] = {
    /* moves, each operand form */
    { "mov-r16-imm", FE_REAL, "b8 34 12" },
    { "mov-r16-r16", FE_REAL, "89 d8" },
    { "mov-r8-m8", FE_REAL, "8a 07" },
    { "mov-m16-r16", FE_REAL, "89 47 02" },
    { "mov-m16-imm", FE_REAL, "c7 06 00 10 34 12" },
    { "mov-r8-high", FE_REAL, "88 e3" },                    /* mov bl, ah */
    { "mov-r32-m32-sib", FE_PM32, "8b 44 8b 08" },
    { "mov-r32-m32-user", FE_PM32_USER, "8b 06" },
    { "mov-pm16", FE_PM16, "8b 07" },
    { "movzx-movsx", FE_PM32, "0f b6 c3 0f bf cb" },
    { "lea-16", FE_REAL, "8d 40 04" },
    { "lea-32-sib", FE_PM32, "8d 44 88 08" },
    { "xchg-r16", FE_REAL, "93" },
    { "xchg-m16", FE_REAL, "87 07" },
    /* ALU */
    { "add-r16-r16", FE_REAL, "01 d8" },
    { "add-m16-r16", FE_REAL, "01 07" },
    { "add-al-imm", FE_REAL, "04 05" },
    { "add-r32-m32", FE_PM32, "03 44 8b 08" },
    { "add-opsize-66", FE_PM32, "66 01 d8" },
    { "sub-r16-imm8", FE_REAL, "83 e8 01" },
    { "xor-self", FE_PM32, "31 c0" },
    { "adc-sbb", FE_REAL, "11 d8 19 ca" },
    { "inc-dec", FE_REAL, "40 4b" },
    { "neg-not", FE_PM32, "f7 d8 f7 d1" },
    { "lock-add-m32", FE_PM32, "f0 01 03" },
    /* shifts and rotates */
    { "shl-1", FE_REAL, "d1 e0" },
    { "shl-imm", FE_PM32, "c1 e0 04" },
    { "shl-0", FE_PM32, "c1 e0 00" },
    { "shl-cl", FE_PM32, "d3 e0" },
    { "sar-cl-16", FE_REAL, "d3 f8" },
    { "rol-1", FE_PM32, "d1 c0" },
    { "rcl-1", FE_PM32, "d1 d0" },
    { "shld-imm", FE_PM32, "0f a4 d8 04" },
    /* multiply, divide */
    { "mul-r16", FE_REAL, "f7 e3" },
    { "imul-r32-r32", FE_PM32, "0f af c3" },
    { "imul-r32-imm", FE_PM32, "6b c3 05" },
    { "div-r16", FE_REAL, "f7 f3" },
    { "idiv-r8", FE_REAL, "f6 fb" },
    /* bits, conversions, flags */
    { "bt-bsf", FE_PM32, "0f a3 d8 0f bc c3" },
    { "bswap", FE_PM32, "0f c8" },
    { "setcc", FE_PM32, "39 d8 0f 94 c0" },
    { "cmovcc", FE_PM32, "85 c9 0f 44 c1" },
    { "cbw-cwd", FE_REAL, "98 99" },
    { "lahf-sahf", FE_REAL, "9f 9e" },
    { "daa-aaa", FE_REAL, "27 37" },
    { "cmpxchg-r32", FE_PM32, "0f b1 d9" },
    { "lock-cmpxchg-m32", FE_PM32, "f0 0f b1 0b" },
    /* stack */
    { "push-pop-16", FE_REAL, "50 5b" },
    { "push-pop-32", FE_PM32, "50 5b" },
    { "push-imm", FE_REAL, "68 34 12" },
    { "pushf-popf", FE_REAL, "9c 9d" },
    { "leave-32", FE_PM32, "c9" },
    /* control transfer */
    { "jmp-short", FE_REAL, "eb 10" },
    { "jmp-reg", FE_PM32, "ff e0" },
    { "call-near", FE_REAL, "e8 00 01" },
    { "ret-16", FE_REAL, "c3" },
    { "ret-imm-32", FE_PM32, "c2 04 00" },
    { "cmp-jz", FE_REAL, "39 d8 74 02" },
    { "test-jl-32", FE_PM32, "85 c0 7c 10" },
    { "dec-jnz", FE_PM32, "49 75 fd" },
    { "loop", FE_REAL, "e2 fe" },
    { "jcxz", FE_REAL, "e3 04" },
    { "int-10", FE_REAL, "cd 10" },
    { "jmp-far-real", FE_REAL, "ea 00 00 00 10" },
    /* strings */
    { "movsb", FE_REAL, "a4" },
    { "rep-movsw", FE_REAL, "f3 a5" },
    { "rep-stosd", FE_PM32, "f3 ab" },
    { "repe-cmpsb", FE_REAL, "f3 a6" },
    { "repne-scasb", FE_PM32, "f2 ae" },
    { "lodsb-es", FE_REAL, "26 ac" },
    /* segments (real mode), I/O, system */
    { "mov-ds-r16", FE_REAL, "8e d8" },
    { "mov-ss-r16", FE_REAL, "8e d0" },
    { "pop-ds-push-es", FE_REAL, "1f 06" },
    { "les", FE_REAL, "c4 1e 00 10" },
    { "in-out-imm", FE_REAL, "e4 60 e6 80" },
    { "in-out-dx", FE_PM32, "ec 66 ef" },
    { "in-user", FE_PM32_USER, "e4 60" },
    { "cli-user", FE_PM32_USER, "fa" },
    { "hlt-user", FE_PM32_USER, "f4" },
    { "cpuid", FE_PM32, "0f a2" },
    /* x87 */
    { "fld1-fadd", FE_PM32, "d9 e8 d8 c1" },
    { "fld-m64", FE_REAL, "dd 07" },
    { "fnstsw-ax", FE_PM32, "df e0" },
    { "fxch-fninit", FE_PM32, "d9 c9 db e3" },
    /* #UD and hint NOPs */
    { "ud2", FE_PM32, "0f 0b" },
    { "hint-nop", FE_PM32, "0f 1f 00" },
    /* dead flags (cc_live.c): the first update is overwritten unread */
    { "dead-add-sub", FE_REAL, "01 d8 29 c8" },
    { "dead-add-mov-xor", FE_PM32, "01 d8 89 c1 31 d2" },
    { "dead-rol-add", FE_PM32, "d1 c0 01 d8" },
    { "dead-adc", FE_PM32, "01 d8 11 ca 29 c8" },
    /* live flags: read by a branch, kept by INC (CF), or across a store */
    { "live-add-jc", FE_REAL, "01 d8 72 00" },
    { "live-add-inc", FE_PM32, "01 d8 40" },
    { "live-add-store-sub", FE_PM32, "01 d8 89 03 29 c8" },
    { "live-shl-0", FE_PM32, "01 d8 c1 e0 00" },
};

#define CODE_END 0x2000u        /* the bytes end here, at a page boundary */

static void set_seg(SegmentCache *sc, uint16_t sel, uint32_t base, uint32_t limit, uint32_t flags)
{
    sc->selector = sel;
    sc->base = base;
    sc->limit = limit;
    sc->flags = flags;
}

/* the CPU state of a mode, with eip at the first of len bytes */
static void set_mode(CPUState *env, FeMode mode, int len)
{
    uint32_t cpl = mode == FE_PM32_USER ? 3 : 0;
    uint32_t dpl = cpl << DESC_DPL_SHIFT;
    uint32_t code = (0xbu << DESC_TYPE_SHIFT) | DESC_S_MASK | DESC_P_MASK | dpl;
    uint32_t data = (0x3u << DESC_TYPE_SHIFT) | DESC_S_MASK | DESC_P_MASK | dpl;

    cpu_reset(env);
    env->eflags = 0x2;
    switch (mode) {
    case FE_REAL:
        env->cr[0] = CR0_ET;
        for (int s = 0; s < NUM_SEGS; s++)
            set_seg(&env->seg[s], 0, 0, 0xffff, s == R_CS ? 0xb00 | DESC_S_MASK | DESC_P_MASK
                                                          : 0x300 | DESC_S_MASK | DESC_P_MASK);
        break;
    case FE_PM32:
    case FE_PM32_USER:
        env->cr[0] = CR0_PE | CR0_ET | CR0_NE;
        set_seg(&env->seg[R_CS], 0x08 | cpl, 0, 0xffffffffu, code | DESC_B_MASK | DESC_G_MASK);
        for (int s = 0; s < NUM_SEGS; s++)
            if (s != R_CS)
                set_seg(&env->seg[s], 0x10 | cpl, 0, 0xffffffffu, data | DESC_B_MASK | DESC_G_MASK);
        break;
    case FE_PM16:
        env->cr[0] = CR0_PE | CR0_ET | CR0_NE;
        set_seg(&env->seg[R_CS], 0x08, 0, 0xffff, code);
        for (int s = 0; s < NUM_SEGS; s++)
            if (s != R_CS)
                set_seg(&env->seg[s], 0x10, 0, 0xffff, data);
        break;
    }
    env->eip = CODE_END - (uint32_t)len;
    env->hflags = cpl << HF_CPL_SHIFT;
    cpu_update_hflags(env);
}

/* The glue: translate the block at the CPU's CS:EIP into ir, as a block
 * cache miss in tb_find() would (without the cache, the optimiser and the
 * backend).  The only function that knows how the front end is reached. */
static void fe_translate(Machine *m, IRBlock *ir)
{
    CPUState *env = &m->cpu;
    TranslationBlock tb;

    memset(&tb, 0, sizeof(tb));
    tb.pc = env->eip;
    tb.cs_base = env->seg[R_CS].base;
    tb.cs_limit = env->seg[R_CS].limit;
    tb.hflags = env->hflags;
    tb.phys_page2 = UINT32_MAX;
    ir_block_reset(ir);
    /* the front end as the native backend drives it, with position-
     * independent blocks (Backend.pcrel), whichever backend the machine has */
    const Backend *saved = m->tr->backend;
    Backend be = *saved;
    be.pcrel = true;
    m->tr->backend = &be;
    m->tr->translate(m->tr->frontend, env, &tb, ir);
    m->tr->backend = saved;
}

static bool is_prefix(uint8_t b)
{
    return b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x66 || b == 0x67 || b == 0x26 ||
           b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

/* Capstone's decoding of the bytes, one line per instruction, with what
 * cc_live_analyze() says about its flag update; dead_out (if not NULL)
 * gets one character per instruction: 'D' dead, '-' not */
static void describe(const uint8_t *bytes, int len, bool code32, GString *out, GString *dead_out)
{
    csh h;
    cs_insn *insn = NULL;
    g_assert(cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &h) == CS_ERR_OK);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    size_t n = cs_disasm(h, bytes, (size_t)len, CODE_END - (uint32_t)len, 0, &insn);
    if (n > TB_MAX_INSNS)
        n = TB_MAX_INSNS;
    const cs_insn *ptrs[TB_MAX_INSNS];
    bool locked[TB_MAX_INSNS], dead[TB_MAX_INSNS];
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = &insn[i];
        locked[i] = false;
        for (int k = 0; k < insn[i].size && is_prefix(insn[i].bytes[k]); k++)
            locked[i] |= insn[i].bytes[k] == 0xf0;
    }
    cc_live_analyze(ptrs, locked, (int)n, dead);
    for (size_t i = 0; i < n; i++) {
        if (out) {
            uint8_t cc = x86_insn_table[insn[i].id].cc;
            g_string_append_printf(out, "#   %s%s%s: %s\n", insn[i].mnemonic,
                                   insn[i].op_str[0] ? " " : "", insn[i].op_str,
                                   dead[i] ? "flag update dead (skipped)" :
                                   cc == CCE_UNKNOWN ? "no flag effect in the table (a barrier)" :
                                   cc == CCE_NONE ? "no flag update" : "flag update kept");
        }
        if (dead_out)
            g_string_append_c(dead_out, dead[i] ? 'D' : '-');
    }
    if (out && n == 0)
        g_string_append(out, "#   (Capstone decodes nothing)\n");
    cs_free(insn, n);
    cs_close(&h);
}

static gchar *print_ir(const IRBlock *ir)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    g_assert(f);
    ir_print_block(f, ir);
    fclose(f);
    gchar *s = g_strdup(buf);
    free(buf);
    return s;
}

/* the whole golden text of one case */
static gchar *render_case(Machine *m, const FrontendCase *c, IRBlock *ir, gchar **verify_error)
{
    uint8_t bytes[64];
    int len = unit_parse_hex(c->hex, bytes, sizeof(bytes));
    GString *out = g_string_new(NULL);
    GError *err = NULL;

    g_string_append_printf(out, "# %s: %s\n# bytes:", c->name, mode_names[c->mode]);
    for (int i = 0; i < len; i++)
        g_string_append_printf(out, " %02x", bytes[i]);
    g_string_append(out, "\n");
    describe(bytes, len, c->mode == FE_PM32 || c->mode == FE_PM32_USER, out, NULL);

    set_mode(&m->cpu, c->mode, len);
    physmem_write_buf(m->mem, CODE_END - (uint32_t)len, bytes, (size_t)len);
    fe_translate(m, ir);
    *verify_error = NULL;
    if (!ir_verify(ir, &err)) {
        *verify_error = g_strdup(err->message);
        g_error_free(err);
    }
    gchar *text = print_ir(ir);
    g_string_append_printf(out, "## front end\n%s", text);
    g_free(text);
    ir_optimize(ir);
    text = print_ir(ir);
    g_string_append_printf(out, "## after ir_optimize\n%s", text);
    g_free(text);
    return g_string_free(out, FALSE);
}

/* ---- a small line diff (LCS), printed like diff -u with 2 lines of context ---- */

static void print_diff(const char *name, const char *want, const char *got)
{
    gchar **a = g_strsplit(want, "\n", -1), **b = g_strsplit(got, "\n", -1);
    int na = (int)g_strv_length(a), nb = (int)g_strv_length(b);
    int *l = g_new0(int, (size_t)(na + 1) * (size_t)(nb + 1));   /* LCS of suffixes */
#define L(i, j) l[(size_t)(i) * (size_t)(nb + 1) + (size_t)(j)]
    for (int i = na - 1; i >= 0; i--)
        for (int j = nb - 1; j >= 0; j--)
            L(i, j) = !strcmp(a[i], b[j]) ? L(i + 1, j + 1) + 1 : MAX(L(i + 1, j), L(i, j + 1));
    /* the edit script: ' ' same, '-' only in want, '+' only in got */
    GString *ops = g_string_new(NULL);
    GPtrArray *lines = g_ptr_array_new();
    for (int i = 0, j = 0; i < na || j < nb; ) {
        if (i < na && j < nb && !strcmp(a[i], b[j])) {
            g_string_append_c(ops, ' ');
            g_ptr_array_add(lines, a[i]);
            i++, j++;
        } else if (j < nb && (i == na || L(i, j + 1) >= L(i + 1, j))) {
            g_string_append_c(ops, '+');
            g_ptr_array_add(lines, b[j++]);
        } else {
            g_string_append_c(ops, '-');
            g_ptr_array_add(lines, a[i++]);
        }
    }
#undef L
    printf("\n--- tests/unit/golden/%s.ir (expected)\n+++ %s (front end now)\n", name, name);
    int n = (int)ops->len, last = -100;
    for (int k = 0; k < n; k++) {
        bool near = false;
        for (int d = -2; d <= 2 && !near; d++)
            near = k + d >= 0 && k + d < n && ops->str[k + d] != ' ';
        if (!near)
            continue;
        if (k != last + 1)
            printf("@@ line %d @@\n", k + 1);
        printf("%c%s\n", ops->str[k], (const char *)lines->pdata[k]);
        last = k;
    }
    g_ptr_array_free(lines, TRUE);
    g_string_free(ops, TRUE);
    g_free(l);
    g_strfreev(a);
    g_strfreev(b);
}

static gchar *golden_dir(void)
{
    const char *top = getenv("TX86_SRCDIR");
    return g_build_filename(top && *top ? top : ".", "tests", "unit", "golden", NULL);
}

static void test_golden(void)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(1u << 20, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    bool update = getenv("TX86_GOLDEN_UPDATE") && *getenv("TX86_GOLDEN_UPDATE") &&
                  strcmp(getenv("TX86_GOLDEN_UPDATE"), "0") != 0;
    gchar *dir = golden_dir();
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    IRBlock ir;
    int updated = 0;

    ir_block_init(&ir, &x86_guest);
    if (update)
        g_mkdir_with_parents(dir, 0755);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const FrontendCase *c = &cases[i];
        gchar *verr = NULL;
        gchar *text = render_case(m, c, &ir, &verr);
        gchar *base = g_strconcat(c->name, ".ir", NULL);
        gchar *path = g_build_filename(dir, base, NULL);
        gchar *want = NULL;

        if (g_hash_table_contains(names, base)) {
            printf("\nfrontend: two cases named %s\n", c->name);
            CU_FAIL("two cases with one name");
        }
        g_hash_table_add(names, base);
        if (verr) {
            printf("\nfrontend: %s: the IR does not verify: %s\n%s", c->name, verr, text);
            CU_FAIL("front-end IR does not verify");
        }
        if (update) {
            if (!g_file_get_contents(path, &want, NULL, NULL) || strcmp(want, text)) {
                CU_ASSERT_TRUE(g_file_set_contents(path, text, -1, NULL));
                updated++;
            }
        } else if (!g_file_get_contents(path, &want, NULL, &err)) {
            printf("\nfrontend: %s: %s (TX86_GOLDEN_UPDATE=1 make check-unit writes it)\n",
                   c->name, err->message);
            g_clear_error(&err);
            CU_FAIL("golden file missing");
        } else if (strcmp(want, text)) {
            print_diff(c->name, want, text);
            CU_FAIL("front-end IR differs from its golden file");
        }
        g_free(want);
        g_free(path);
        g_free(verr);
        g_free(text);
    }
    if (update)
        printf("\nfrontend: %d of %zu golden files written in %s\n", updated,
               G_N_ELEMENTS(cases), dir);

    /* every golden file belongs to a case */
    GDir *d = g_dir_open(dir, 0, NULL);
    for (const char *f; d && (f = g_dir_read_name(d)); ) {
        if (g_str_has_suffix(f, ".ir") && !g_hash_table_contains(names, f)) {
            printf("\nfrontend: %s/%s has no case in test_frontend.c (delete it?)\n", dir, f);
            CU_FAIL("golden file without a case");
        }
    }
    if (d)
        g_dir_close(d);
    g_hash_table_destroy(names);
    ir_block_free(&ir);
    g_free(dir);
    machine_free(m);
}

/* ---- cc_live_analyze() alone ---- */

static const struct {
    const char *hex;
    bool code32;
    const char *dead;       /* per instruction: 'D' flag update dead, '-' not */
} cc_cases[] = {
    { "01 d8 29 c8", true, "D-" },                  /* add; sub: the add's flags are overwritten */
    { "01 d8 72 00", true, "--" },                  /* add; jc (reads CF, and a barrier) */
    { "01 d8 40", true, "--" },                     /* add; inc: INC keeps CF, the add's CF is live */
    { "01 d8 40 29 c8", true, "DD-" },              /* ...unless a later SUB kills it */
    { "01 d8 11 ca 29 c8", true, "-D-" },           /* add; adc reads CF; sub */
    { "01 d8 89 03 29 c8", true, "---" },           /* a store in between is a barrier */
    { "01 d8 8d 04 08 29 c8", true, "D--" },        /* LEA's memory operand is no access */
    { "f0 01 03 29 c8", true, "--" },               /* LOCK: a barrier */
    { "d1 c0 01 d8", true, "D-" },                  /* rol 1: CF, OF; then add */
    { "d1 c0 d1 c0", true, "--" },                  /* rol; rol: a rotate never kills (count may wrap) */
    { "c1 e0 00 01 d8", true, "--" },               /* shl 0 writes nothing */
    { "01 d8 c1 e0 00", true, "--" },               /* ... so the add's flags stay live through it */
    { "01 d8 c1 e0 04", true, "D-" },               /* shl 4 writes them all */
    { "01 d8 d3 e0", true, "--" },                  /* shl cl: the count may be 0 */
    { "01 d8 31 c0 8e d8 29 c8", false, "D---" },   /* mov ds, ax (segment register): a barrier, so the xor is live */
    { "01 d8 29 c8", false, "D-" },                 /* 16-bit code */
};

static void test_cc_live(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cc_cases); i++) {
        uint8_t bytes[64];
        int len = unit_parse_hex(cc_cases[i].hex, bytes, sizeof(bytes));
        GString *dead = g_string_new(NULL);
        describe(bytes, len, cc_cases[i].code32, NULL, dead);
        if (strcmp(dead->str, cc_cases[i].dead)) {
            printf("\ncc_live: %s (%d-bit): dead flags %s, expected %s\n", cc_cases[i].hex,
                   cc_cases[i].code32 ? 32 : 16, dead->str, cc_cases[i].dead);
            CU_FAIL("cc_live_analyze");
        }
        g_string_free(dead, TRUE);
    }
}

void register_frontend_tests(void)
{
    CU_pSuite s = CU_add_suite("frontend", NULL, NULL);
    CU_add_test(s, "golden IR of x86 instructions", test_golden);
    CU_add_test(s, "cc_live_analyze table", test_cc_live);
}
