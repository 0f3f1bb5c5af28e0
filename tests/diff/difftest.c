/*
 * difftest.c - the differential tester's driver: generates cases (gen.c),
 * runs each in the native 32-bit server (native32.c, a child process fed
 * through pipes) and in tx86 on the interpreter and the native backend,
 * and compares GPRs, EIP / exception vector, the SDM-defined flags and
 * every byte of the data area.
 *
 *   difftest [--count N] [--seed S] [--mode 16|32|both]
 *            [--backend interp|native|both] [--enumerate] [--case K]
 *            [--code HEX] [--cpl 0|3] [--flush] [--native PATH] [-v]
 *
 * tx86 side: a RAM-only machine (machine_new without -bios) per backend.
 * The CPU state is filled directly: protected mode, CPL 3 (so the final
 * HLT is a #GP, exactly as natively; --cpl 0 runs at CPL 0 and accepts a
 * halt instead), segment caches equal to what the native process uses
 * (flat 0x23/0x2b, or the LDT's 16-bit segments based at the code and data
 * areas).  Code is rewritten in place for every case through
 * physmem_write_buf, so the translator's self-modifying-code invalidation
 * is what keeps stale blocks away (--flush calls tb_flush instead).
 *
 * Native and tx86 runs overlap: a thread exchanges batch k with native32
 * while the main thread runs batch k in tx86.
 *
 * Output: progress on stderr, one report per mismatch (seed, case, bytes,
 * Capstone disassembly, what differs, the replay command), and at the end
 * `difftest: N passed, N failed` (exit status 1 when N failed > 0).
 */
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib.h>
#include <capstone/capstone.h>
#include "config.h"
#include "machine/machine.h"
#include "cpu-x86/cpuid.h"
#include "translator/translator.h"
#include "diffcase.h"
#include "diffgen.h"

#define BATCH 2048
#define MAX_REPORTS 25
#define TX_BUDGET 200000
#define VEC_HALT 100        /* tx86 stopped in HLT (CPL 0 runs) */
#define VEC_TIMEOUT DIFF_VEC_TIMEOUT
#define VEC_OTHER (-3)

typedef struct TxRunner {
    const char *name;
    Machine *m;
    uint8_t *data;          /* host view of the data area */
} TxRunner;

typedef struct NativeProc {
    GPid pid;
    FILE *to, *from;
} NativeProc;

typedef struct Options {
    uint64_t count, seed, one_case;
    bool have_case, enumerate, flush, verbose;
    bool x87;               /* --x87: x87 cases (gen_x87.c) */
    bool simd;              /* --simd: MMX/SSE cases (gen_simd.c) on -cpu n270 */
    int mode;               /* 16, 32, 0 = both */
    int cpl;
    bool run_interp, run_native;
    const char *native_path;
    const char *code_hex;
    const char *only, *exclude;   /* form name lists, as given */
    uint64_t forms;               /* enabled gen_forms[] */
} Options;

typedef struct Batch {
    uint32_t n;
    uint64_t first;                 /* case index of entry 0 */
    DiffCase cases[BATCH];
    GenInfo info[BATCH];
    DiffResult *native;             /* [BATCH] */
    DiffResult *tx[2];              /* [BATCH] per backend */
    bool ok;                        /* native exchange worked */
} Batch;

typedef struct Stats {
    uint64_t passed, failed, skipped, reports;
    uint64_t form_fail[64];
    uint64_t form_seen[64];
    uint64_t ends[4];               /* native stop: HLT, #DE, #UD, #GP/other */
} Stats;

/* ---- the native server ---- */

static bool native_start(NativeProc *np, const char *path, GError **errp)
{
    char *argv[] = { (char *)path, NULL };
    int in_fd, out_fd;

    if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                  &np->pid, &in_fd, &out_fd, NULL, errp))
        return false;
    np->to = fdopen(in_fd, "wb");
    np->from = fdopen(out_fd, "rb");
    return np->to && np->from;
}

static void native_stop(NativeProc *np)
{
    uint32_t zero = 0;
    int status;
    fwrite(&zero, 4, 1, np->to);
    fclose(np->to);
    fclose(np->from);
    waitpid(np->pid, &status, 0);
    g_spawn_close_pid(np->pid);
}

/* send a batch and read its results (run in a thread) */
static bool native_exchange(NativeProc *np, Batch *b)
{
    if (fwrite(&b->n, 4, 1, np->to) != 1 ||
        fwrite(b->cases, sizeof(DiffCase), b->n, np->to) != b->n || fflush(np->to) != 0)
        return false;
    for (uint32_t i = 0; i < b->n; i++) {
        DiffResult *r = &b->native[i];
        if (fread(r, DIFF_RESULT_HEAD, 1, np->from) != 1 || r->n_diffs > DIFF_MAX_DIFFS)
            return false;
        if (r->n_diffs && fread(r->diffs, 4, r->n_diffs, np->from) != r->n_diffs)
            return false;
    }
    return true;
}

typedef struct ExchangeJob {
    NativeProc *np;
    Batch *b;
} ExchangeJob;

static gpointer native_thread(gpointer opaque)
{
    ExchangeJob *j = opaque;
    j->b->ok = native_exchange(j->np, j->b);
    return NULL;
}

/* ---- tx86 ---- */

static bool tx_init(TxRunner *r, BackendKind kind, const char *name, GError **errp)
{
    MachineConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.machine_type = "pc";
    cfg.ram_size = 4u << 20;
    cfg.backend = kind;
    r->name = name;
    r->m = machine_new(&cfg, errp);
    if (!r->m)
        return false;
    r->data = physmem_page(r->m->mem, DIFF_DATA_ADDR)->host;
    g_assert(r->data);
    return true;
}

static void tx_seg(SegmentCache *s, uint16_t sel, uint32_t base, uint32_t limit, uint32_t flags)
{
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->flags = flags;
}

static void tx_run(TxRunner *r, const DiffCase *c, const uint8_t *tmpl, DiffResult *res,
                   const Options *o)
{
    CPUState *env = &r->m->cpu;
    uint8_t code[DIFF_CODE_MAX + 16];
    uint32_t len = c->code_len <= DIFF_CODE_MAX ? c->code_len : DIFF_CODE_MAX;
    uint32_t dpl = (uint32_t)o->cpl << DESC_DPL_SHIFT;
    uint32_t code_fl = (0xbu << DESC_TYPE_SHIFT) | DESC_S_MASK | DESC_P_MASK | dpl;
    uint32_t data_fl = (0x3u << DESC_TYPE_SHIFT) | DESC_S_MASK | DESC_P_MASK | dpl;

    memcpy(r->data, tmpl, DIFF_DATA_SIZE);
    diff_apply_pokes(r->data, c);
    memcpy(code, c->code, len);
    memset(code + len, 0xf4, 16);
    physmem_write_buf(r->m->mem, DIFF_CODE_ADDR, code, len + 16);
    if (o->flush)
        tb_flush(r->m->tr);

    for (int i = 0; i < 8; i++)
        env->regs[i] = c->regs[i];
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE;
    if (o->simd) {          /* a model with every SIMD extension, OSFXSR as Linux sets it */
        if (env->model != cpuid_find_model("n270"))
            cpuid_set_model(env, cpuid_find_model("n270"));
        env->cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    }
    /* selectors as native32 sees them (RPL 3) even under --cpl 0: only
     * hflags and the DPLs carry the privilege level */
    if (c->mode == 32) {
        uint32_t big = DESC_B_MASK | DESC_G_MASK;
        tx_seg(&env->seg[R_CS], 0x23, 0, 0xffffffffu, code_fl | big);
        for (int s = R_ES; s <= R_DS; s++)
            if (s != R_CS)
                tx_seg(&env->seg[s], 0x2b, 0, 0xffffffffu, data_fl | big);
        env->eip = DIFF_CODE_ADDR;
    } else {
        tx_seg(&env->seg[R_CS], 0x07, DIFF_CODE_ADDR, 0xffff, code_fl);
        for (int s = R_ES; s <= R_DS; s++)
            if (s != R_CS)
                tx_seg(&env->seg[s], 0x0f, DIFF_DATA_ADDR, 0xffff, data_fl);
        env->eip = 0;
    }
    tx_seg(&env->seg[R_FS], 0, 0, 0, 0);
    tx_seg(&env->seg[R_GS], 0, 0, 0, 0);
    env->eflags = 0x202;
    cpu_load_eflags(env, (c->eflags & DIFF_FLAGS_IN) | 0x202, CC_MASK | DF_MASK);
    env->hflags = (uint32_t)o->cpl << HF_CPL_SHIFT;
    cpu_update_hflags(env);
    env->stop_on_exception = true;
    env->exception_index = -1;
    env->old_exception = -1;
    env->error_code = 0;
    env->halted = 0;
    env->exit_request = 0;
    env->interrupt_request = 0;
    env->code_dirty = 0;

    CPUExitReason why = cpu_exec(env, TX_BUDGET);

    for (int i = 0; i < 8; i++)
        res->regs[i] = env->regs[i];
    res->eflags = cpu_compute_eflags(env);
    res->eip = env->eip;
    res->error_code = env->error_code;
    switch (why) {
    case CPU_EXIT_EXCEPTION: res->vector = env->exception_index; break;
    case CPU_EXIT_HALT:      res->vector = VEC_HALT; break;
    case CPU_EXIT_BUDGET:    res->vector = VEC_TIMEOUT; break;
    default:                 res->vector = VEC_OTHER; break;
    }
    diff_collect(res, r->data, tmpl);
}

/* ---- comparison and reports ---- */

static const char *reg_names[8] = { "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI" };

static void gen_case(const Options *o, uint64_t k, DiffCase *c, GenInfo *info)
{
    if (o->x87)
        gen_x87_case(o->seed, k, o->mode, c, info);
    else if (o->simd)
        gen_simd_case(o->seed, k, o->mode, c, info);
    else if (o->enumerate)
        gen_enum_case(k, o->mode, o->cpl == 3, c, info);
    else
        gen_random_case(o->seed, k, o->mode, o->cpl == 3, o->forms, c, info);
    if (o->code_hex) {
        size_t n = strlen(o->code_hex) / 2;
        c->code_len = 0;
        for (size_t i = 0; i < n && i < DIFF_CODE_MAX - 1; i++) {
            unsigned v;
            sscanf(o->code_hex + 2 * i, "%2x", &v);
            c->code[c->code_len++] = (uint8_t)v;
        }
        c->code[c->code_len++] = 0xf4;
        info->n_insns = 0;
        info->final_off = c->code_len - 1;
        info->final_undef = 0;
    }
}

static uint32_t code_base(const DiffCase *c)
{
    return c->mode == 32 ? DIFF_CODE_ADDR : 0;
}

/* native stop -> (vector, eip) where a "normal end" is vector -1 */
static void norm_native(const DiffCase *c, const GenInfo *gi, const DiffResult *r,
                        int *vec, uint32_t *eip)
{
    *vec = r->vector;
    *eip = r->eip;
    if (r->vector == EXCP_GP && r->eip == code_base(c) + gi->final_off)
        *vec = -1;
}

static void norm_tx(const DiffCase *c, const GenInfo *gi, const DiffResult *r,
                    int *vec, uint32_t *eip)
{
    *vec = r->vector;
    *eip = r->eip;
    if (r->vector == EXCP_GP && r->eip == code_base(c) + gi->final_off)
        *vec = -1;
    else if (r->vector == VEC_HALT && r->eip == code_base(c) + gi->final_off + 1) {
        *vec = -1;
        *eip = r->eip - 1;
    }
}

/* flags to compare when execution stopped at eip */
static uint32_t flag_mask(const DiffCase *c, const GenInfo *gi, int vec, uint32_t eip)
{
    uint32_t undef = gi->final_undef;
    if (vec >= 0) {
        undef = gi->final_undef;
        for (int i = 0; i < gi->n_insns; i++)
            if (code_base(c) + gi->insn_off[i] == eip)
                undef = gi->insn_undef[i];
    }
    return (CC_MASK | DF_MASK | IF_MASK | IOPL_MASK) & ~undef;
}

static void print_flags(GString *s, uint32_t f)
{
    static const struct { uint32_t bit; const char *n; } fl[] = {
        { CC_C, "CF" }, { CC_P, "PF" }, { CC_A, "AF" }, { CC_Z, "ZF" }, { CC_S, "SF" },
        { CC_O, "OF" }, { DF_MASK, "DF" }, { IF_MASK, "IF" }, { IOPL_MASK, "IOPL" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fl); i++)
        if (f & fl[i].bit)
            g_string_append_printf(s, " %s", fl[i].n);
}

static void disassemble(GString *s, const DiffCase *c)
{
    csh h;
    cs_insn *insn;
    if (cs_open(CS_ARCH_X86, c->mode == 32 ? CS_MODE_32 : CS_MODE_16, &h) != CS_ERR_OK)
        return;
    size_t n = cs_disasm(h, c->code, c->code_len, code_base(c), 0, &insn);
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(s, "    %08" PRIx64 ":  ", insn[i].address);
        for (int j = 0; j < insn[i].size; j++)
            g_string_append_printf(s, "%02x", insn[i].bytes[j]);
        g_string_append_printf(s, "%*s%s %s\n", 24 - 2 * insn[i].size > 1 ? 24 - 2 * insn[i].size : 1,
                               "", insn[i].mnemonic, insn[i].op_str);
    }
    if (n)
        cs_free(insn, n);
    cs_close(&h);
}

static const char *stop_name(int vec)
{
    return vec == -1 ? "end " : vec == VEC_TIMEOUT ? "TIMEOUT " : vec == VEC_HALT ? "halt "
         : vec < 0 ? "other " : "vector ";
}

/* x87 cases: drop the changed bytes of the ranges GenInfo masks (the
 * FIP/FCS/FOP/FDP/FDS fields of FNSAVE/FNSTENV images) */
static void mask_diffs(DiffResult *r, const GenInfo *gi)
{
    uint32_t j = 0;

    if (gi->n_masks == 0)
        return;
    for (uint32_t i = 0; i < r->n_diffs; i++) {
        uint32_t off = r->diffs[i] >> 8;
        bool masked = false;
        for (int m = 0; m < gi->n_masks; m++)
            masked |= off >= gi->mask_off[m] && off < gi->mask_off[m] + gi->mask_len[m];
        if (!masked)
            r->diffs[j++] = r->diffs[i];
    }
    r->n_diffs = j;
}

/* compare one backend's result; appends the differences to s */
static bool compare_one(const DiffCase *c, const GenInfo *gi, const DiffResult *n,
                        const DiffResult *t, const char *be, GString *s)
{
    int nv, tv;
    uint32_t ne, te;
    bool ok = true;

    norm_native(c, gi, n, &nv, &ne);
    norm_tx(c, gi, t, &tv, &te);
    if (nv != tv || ne != te) {
        g_string_append_printf(s, "  [%s] stop: native %s%d eip=%08x, tx86 %s%d eip=%08x\n", be,
                               stop_name(nv), nv, ne, stop_name(tv), tv, te);
        ok = false;
    }
    for (int i = 0; i < 8; i++)
        if (n->regs[i] != t->regs[i]) {
            g_string_append_printf(s, "  [%s] %s native=%08x tx86=%08x\n", be, reg_names[i],
                                   n->regs[i], t->regs[i]);
            ok = false;
        }
    uint32_t mask = flag_mask(c, gi, nv, ne);
    uint32_t fd = (n->eflags ^ t->eflags) & mask;
    if (fd) {
        g_string_append_printf(s, "  [%s] EFLAGS native=%08x tx86=%08x differ:", be,
                               n->eflags, t->eflags);
        print_flags(s, fd);
        g_string_append(s, " (compared:");
        print_flags(s, mask);
        g_string_append(s, ")\n");
        ok = false;
    }
    if (n->n_diffs != t->n_diffs || memcmp(n->diffs, t->diffs, 4 * n->n_diffs) != 0) {
        uint32_t i = 0, j = 0, shown = 0;
        g_string_append_printf(s, "  [%s] memory differs (native %u bytes changed, tx86 %u):\n",
                               be, n->n_diffs, t->n_diffs);
        while ((i < n->n_diffs || j < t->n_diffs) && shown < 16) {
            uint32_t no = i < n->n_diffs ? n->diffs[i] >> 8 : UINT32_MAX;
            uint32_t to = j < t->n_diffs ? t->diffs[j] >> 8 : UINT32_MAX;
            if (no == to) {
                if (n->diffs[i] != t->diffs[j]) {
                    g_string_append_printf(s, "      data+%04x native=%02x tx86=%02x\n", no,
                                           n->diffs[i] & 0xff, t->diffs[j] & 0xff);
                    shown++;
                }
                i++; j++;
            } else if (no < to) {
                g_string_append_printf(s, "      data+%04x native=%02x tx86=unchanged\n", no,
                                       n->diffs[i] & 0xff);
                i++; shown++;
            } else {
                g_string_append_printf(s, "      data+%04x native=unchanged tx86=%02x\n", to,
                                       t->diffs[j] & 0xff);
                j++; shown++;
            }
        }
        ok = false;
    }
    return ok;
}

static void report(const Options *o, uint64_t k, const DiffCase *c, const GenInfo *gi,
                   const GString *diffs)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "MISMATCH seed=%" PRIu64 " case=%" PRIu64 " mode=%u%s\n",
                           o->seed, k, c->mode, o->enumerate ? " (enumerated)" : "");
    g_string_append(s, "  bytes: ");
    for (uint32_t i = 0; i < c->code_len; i++)
        g_string_append_printf(s, "%02x", c->code[i]);
    g_string_append(s, "\n");
    disassemble(s, c);
    g_string_append(s, "  in:");
    for (int i = 0; i < 8; i++)
        g_string_append_printf(s, " %s=%08x", reg_names[i], c->regs[i]);
    g_string_append_printf(s, " EFL=%08x\n", (c->eflags & DIFF_FLAGS_IN) | 0x202);
    for (uint32_t i = 0; i < c->n_pokes; i++)
        g_string_append_printf(s, "  poke data+%04x = %08x\n", c->pokes[i].off, c->pokes[i].val);
    g_string_append(s, diffs->str);
    g_string_append_printf(s, "  replay: build/tests/diff/difftest %s--case %" PRIu64 " --seed %" PRIu64
                           " --mode %s --cpl %d%s%s%s%s -v\n",
                           o->x87 ? "--x87 " : o->simd ? "--simd " : o->enumerate ? "--enumerate " : "", k, o->seed,
                           o->mode == 16 ? "16" : o->mode == 32 ? "32" : "both", o->cpl,
                           o->only ? " --only " : "", o->only ? o->only : "",
                           o->exclude ? " --exclude " : "", o->exclude ? o->exclude : "");
    fputs(s->str, stdout);
    fflush(stdout);
    g_string_free(s, TRUE);
}

static void verbose_result(const char *who, const DiffResult *r)
{
    printf("  %-7s vec=%d eip=%08x err=%x EFL=%08x", who, r->vector, r->eip, r->error_code, r->eflags);
    for (int i = 0; i < 8; i++)
        printf(" %s=%08x", reg_names[i], r->regs[i]);
    printf(" mem:%u\n", r->n_diffs);
}

static void check_batch(const Options *o, Batch *b, TxRunner *tx, int ntx, Stats *st)
{
    for (uint32_t i = 0; i < b->n; i++) {
        const DiffCase *c = &b->cases[i];
        const GenInfo *gi = &b->info[i];
        const DiffResult *n = &b->native[i];
        uint64_t k = b->first + i;

        if (o->verbose) {
            GString *s = g_string_new(NULL);
            disassemble(s, c);
            printf("case %" PRIu64 " mode %u\n%s", k, c->mode, s->str);
            g_string_free(s, TRUE);
            verbose_result("native", n);
            for (int t = 0; t < ntx; t++)
                verbose_result(tx[t].name, &b->tx[t][i]);
        }
        /* natively unmatchable: page fault (address outside the areas),
         * data change too large to list */
        if (n->vector == EXCP_PF || n->status != DIFF_STAT_OK) {
            st->skipped++;
            continue;
        }
        int nv;
        uint32_t ne;
        mask_diffs(&b->native[i], gi);
        for (int t = 0; t < ntx; t++)
            mask_diffs(&b->tx[t][i], gi);
        norm_native(c, gi, n, &nv, &ne);
        st->ends[nv < 0 ? 0 : nv == EXCP_DE ? 1 : nv == EXCP_UD ? 2 : 3]++;
        GString *d = g_string_new(NULL);
        bool ok = true;
        for (int t = 0; t < ntx; t++)
            ok &= compare_one(c, gi, n, &b->tx[t][i], tx[t].name, d);
        for (int j = 0; j < gi->n_insns; j++)
            if (gi->insn_form[j] >= 0 && gi->insn_form[j] < 64) {
                st->form_seen[gi->insn_form[j]]++;
                if (!ok)
                    st->form_fail[gi->insn_form[j]]++;
            }
        if (ok) {
            st->passed++;
        } else {
            st->failed++;
            if (st->reports++ < MAX_REPORTS || o->have_case)
                report(o, k, c, gi, d);
        }
        g_string_free(d, TRUE);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: difftest [options]\n"
            "  --count N          random cases to run [100000]\n"
            "  --seed S           seed of the random cases [1]\n"
            "  --mode 16|32|both  code size of the cases [both]\n"
            "  --backend interp|native|both   tx86 backends [both]\n"
            "  --enumerate        the enumerated pass (every form x every edge value)\n"
            "  --x87              x87 cases instead (gen_x87.c; state compared via FNSAVE)\n"
            "  --simd             MMX/SSE/SSE2/SSE3/SSSE3 cases instead (gen_simd.c; -cpu n270,\n"
            "                     state compared via FXSAVE)\n"
            "  --case K           run only case K (replay); with --code HEX, replace its code\n"
            "  --code HEX         instruction bytes to run (HLT appended)\n"
            "  --cpl 0|3          privilege level of the tx86 run [3]\n"
            "  --flush            tb_flush between cases instead of relying on SMC invalidation\n"
            "  --native PATH      the native32 server [next to difftest]\n"
            "  --only F1,F2       random cases use only these forms (names below)\n"
            "  --exclude F1,F2    random cases never use these forms\n"
            "  -v                 print every case and result\n"
            "forms:");
    for (int i = 0; i < gen_n_forms; i++)
        fprintf(f, " %s", gen_forms[i].name);
    fprintf(f, "\n");
}

/* is name in the comma-separated list? */
static bool name_in_list(const char *name, const char *list)
{
    char **v = g_strsplit(list, ",", -1);
    bool found = false;
    for (int i = 0; v[i]; i++)
        found |= strcmp(v[i], name) == 0;
    g_strfreev(v);
    return found;
}

static bool parse_options(int argc, char **argv, Options *o)
{
    static const struct option lo[] = {
        { "count", 1, NULL, 'n' }, { "seed", 1, NULL, 's' }, { "mode", 1, NULL, 'm' },
        { "backend", 1, NULL, 'b' }, { "enumerate", 0, NULL, 'e' }, { "case", 1, NULL, 'k' },
        { "code", 1, NULL, 'x' }, { "cpl", 1, NULL, 'p' }, { "flush", 0, NULL, 'f' },
        { "native", 1, NULL, 'N' }, { "only", 1, NULL, 'O' }, { "exclude", 1, NULL, 'X' }, { "x87", 0, NULL, '8' }, { "simd", 0, NULL, 'S' }, { "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int ch;

    memset(o, 0, sizeof *o);
    o->count = 100000;
    o->seed = 1;
    o->cpl = 3;
    o->run_interp = o->run_native = true;
    while ((ch = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
        switch (ch) {
        case 'n': o->count = strtoull(optarg, NULL, 0); break;
        case 's': o->seed = strtoull(optarg, NULL, 0); break;
        case 'm':
            if (!strcmp(optarg, "16")) o->mode = 16;
            else if (!strcmp(optarg, "32")) o->mode = 32;
            else if (!strcmp(optarg, "both")) o->mode = 0;
            else return false;
            break;
        case 'b':
            o->run_interp = !strcmp(optarg, "interp") || !strcmp(optarg, "both");
            o->run_native = !strcmp(optarg, "native") || !strcmp(optarg, "both");
            if (!o->run_interp && !o->run_native) return false;
            break;
        case 'e': o->enumerate = true; break;
        case '8': o->x87 = true; break;
        case 'S': o->simd = true; break;
        case 'k': o->one_case = strtoull(optarg, NULL, 0); o->have_case = true; break;
        case 'x': o->code_hex = optarg; break;
        case 'p': o->cpl = atoi(optarg) ? 3 : 0; break;
        case 'f': o->flush = true; break;
        case 'N': o->native_path = optarg; break;
        case 'v': o->verbose = true; break;
        case 'O': o->only = optarg; break;
        case 'X': o->exclude = optarg; break;
        case 'h': usage(stdout); exit(0);
        default: return false;
        }
    }
    o->forms = 0;
    for (int f = 0; f < gen_n_forms && f < 64; f++) {
        bool on = true;
        if (o->only)
            on = name_in_list(gen_forms[f].name, o->only);
        if (o->exclude && name_in_list(gen_forms[f].name, o->exclude))
            on = false;
        if (on)
            o->forms |= 1ull << f;
    }
    if (o->enumerate && !o->have_case)
        o->count = gen_enum_count(o->mode);
    return optind == argc;
}

/* the host CPU's vendor: tx86 models a GenuineIntel CPU, so cases whose
 * result is a documented vendor difference run only on an Intel host */
static bool host_is_intel(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (__get_cpuid(0, &a, &b, &c, &d))
        return b == 0x756e6547u && d == 0x49656e69u && c == 0x6c65746eu;  /* GenuineIntel */
#endif
    return false;
}

int main(int argc, char **argv)
{
    Options o;
    GError *err = NULL;
    NativeProc np;
    TxRunner tx[2];
    int ntx = 0;
    Stats st;
    uint8_t *tmpl;

    if (!parse_options(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
#if !TX86_NATIVE_BACKEND
    o.run_native = false;
#endif
    gen_host_intel = host_is_intel();
    if (!o.run_interp && !o.run_native) {
        fprintf(stderr, "difftest: no backend to run\n");
        return 2;
    }
    char *dir = g_path_get_dirname(argv[0]);
    char *native_path = o.native_path ? g_strdup(o.native_path)
                                      : g_build_filename(dir, "native32", NULL);
    g_free(dir);
    if (!native_start(&np, native_path, &err)) {
        fprintf(stderr, "difftest: cannot start %s: %s\n", native_path, err ? err->message : "?");
        return 2;
    }
    if (o.run_interp && !tx_init(&tx[ntx++], BACKEND_INTERP, "interp", &err)) {
        fprintf(stderr, "difftest: %s\n", err->message);
        return 2;
    }
    if (o.run_native && !tx_init(&tx[ntx++], BACKEND_NATIVE, "native", &err)) {
        fprintf(stderr, "difftest: %s\n", err->message);
        return 2;
    }
    tmpl = g_malloc(DIFF_DATA_SIZE);
    diff_fill_template(tmpl);
    memset(&st, 0, sizeof st);

    Batch *b = g_new0(Batch, 1);
    b->native = g_new(DiffResult, BATCH);
    for (int t = 0; t < ntx; t++)
        b->tx[t] = g_new(DiffResult, BATCH);

    uint64_t first = o.have_case ? o.one_case : 0;
    uint64_t total = o.have_case ? 1 : o.count;
    uint64_t done = 0, next_progress = 100000;
    GTimer *timer = g_timer_new();

    while (done < total) {
        b->n = (uint32_t)MIN((uint64_t)BATCH, total - done);
        b->first = first + done;
        for (uint32_t i = 0; i < b->n; i++)
            gen_case(&o, b->first + i, &b->cases[i], &b->info[i]);
        ExchangeJob job = { &np, b };
        GThread *th = g_thread_new("native", native_thread, &job);
        for (int t = 0; t < ntx; t++)
            for (uint32_t i = 0; i < b->n; i++)
                tx_run(&tx[t], &b->cases[i], tmpl, &b->tx[t][i], &o);
        g_thread_join(th);
        if (!b->ok) {
            fprintf(stderr, "difftest: lost the native server\n");
            return 2;
        }
        check_batch(&o, b, tx, ntx, &st);
        done += b->n;
        if (done >= next_progress) {
            fprintf(stderr, "difftest: %" PRIu64 "/%" PRIu64 " cases, %" PRIu64 " failed, %.1f s\n",
                    done, total, st.failed, g_timer_elapsed(timer, NULL));
            next_progress += 100000;
        }
    }
    native_stop(&np);

    if (st.failed) {
        printf("failures by form (cases containing it):\n");
        for (int f = 0; f < gen_n_forms && f < 64; f++)
            if (st.form_fail[f])
                printf("  %-16s %" PRIu64 " of %" PRIu64 "\n", gen_forms[f].name,
                       st.form_fail[f], st.form_seen[f]);
    }
    printf("difftest: cases ended natively: %" PRIu64 " at the final HLT, %" PRIu64 " #DE, %" PRIu64
           " #UD, %" PRIu64 " other faults\n", st.ends[0], st.ends[1], st.ends[2], st.ends[3]);
    if (st.skipped)
        printf("difftest: %" PRIu64 " cases skipped (native page fault outside the test areas)\n",
               st.skipped);
    printf("difftest: %" PRIu64 " passed, %" PRIu64 " failed\n", st.passed, st.failed);
    fflush(stdout);
    g_timer_destroy(timer);
    for (int t = 0; t < ntx; t++) {
        g_free(b->tx[t]);
        machine_free(tx[t].m);
    }
    g_free(b->native);
    g_free(b);
    g_free(tmpl);
    g_free(native_path);
    return st.failed ? 1 : 0;
}
