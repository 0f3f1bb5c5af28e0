/*
 * test_trace.c - the OS-debugging pieces without a guest OS: the trace
 * writer's records read back byte for byte (trace_format.h), the
 * instruction-count clock (-icount: clock.c), the -dfilter parser
 * (log.c), and a traced block run on a bare machine (both backends).
 */
#include <CUnit/CUnit.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "config.h"
#include "debug/trace.h"
#include "debug/trace_format.h"
#include "machine/machine.h"
#include "bus/clock.h"
#include "util/log.h"
#include "cpu-x86/cpu.h"

static gchar *trace_tmp_path(void)
{
    return g_strdup_printf("%s/tx86-unit-trace.%d", g_get_tmp_dir(), (int)getpid());
}

/* the whole uncompressed trace */
static uint8_t *trace_slurp(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb");
    GByteArray *a = g_byte_array_new();
    uint8_t buf[4096];
    int n;
    while (gz && (n = gzread(gz, buf, sizeof(buf))) > 0)
        g_byte_array_append(a, buf, (guint)n);
    if (gz)
        gzclose(gz);
    *len = a->len;
    return g_byte_array_free(a, FALSE);
}

static void test_trace_records(void)
{
    gchar *path = trace_tmp_path();
    GError *err = NULL;
    TraceWriter *w = trace_open(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    static const uint8_t bytes[3] = { 0x01, 0xd8, 0x90 };
    CU_ASSERT_EQUAL(trace_def_insn(w, 0x7c00, 0x7c00, TRACE_MODE_CODE32, bytes, 2), 0);
    CU_ASSERT_EQUAL(trace_def_insn(w, 0x7c02, 0x7c02, 0, bytes + 2, 1), 1);
    trace_mem(w, 0x1000, 0x12345678, 2, true);
    trace_io(w, 0x3f8, 0x41, 1, false);
    trace_close(w, 0x100000002ull);

    static const uint8_t want[] = {
        'T', 'X', '8', '6', 'T', 'R', 'C', '1', 1, 0, 0, 0, 0, 0, 0, 0,
        TR_DEF, 0, 0, 0, 0, 0x00, 0x7c, 0, 0, 0x00, 0x7c, 0, 0, TRACE_MODE_CODE32, 2, 0x01, 0xd8,
        TR_DEF, 1, 0, 0, 0, 0x02, 0x7c, 0, 0, 0x02, 0x7c, 0, 0, 0, 1, 0x90,
        TR_MEMW, 2, 0x00, 0x10, 0, 0, 0x78, 0x56, 0, 0,
        TR_IOR, 0xf8, 0x03, 1, 0x41, 0, 0, 0,
        TR_END, 2, 0, 0, 0, 1, 0, 0, 0,
    };
    size_t len;
    uint8_t *got = trace_slurp(path, &len);
    CU_ASSERT_EQUAL(len, sizeof(want));
    CU_ASSERT(len == sizeof(want) && memcmp(got, want, len) == 0);
    g_free(got);
    unlink(path);
    g_free(path);
}

static uint64_t fake_icount;
static uint64_t fake_icount_fn(void *opaque)
{
    return *(uint64_t *)opaque;
}

static void test_icount_clock(void)
{
    static const struct { int shift; uint64_t insns; int64_t now; } rows[] = {
        { 0, 0, 0 }, { 0, 1000, 1000 }, { 3, 1000, 8000 }, { 10, 5, 5120 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++) {
        VirtClock c;
        clock_init(&c, false);
        fake_icount = 777;                          /* the clock starts at 0 */
        clock_set_icount(&c, rows[i].shift, fake_icount_fn, &fake_icount);
        CU_ASSERT_EQUAL(clock_now(&c), 0);
        fake_icount = 777 + rows[i].insns;
        CU_ASSERT_EQUAL(clock_now(&c), rows[i].now);
        /* budget to a deadline 100 ns ahead: ceil(100 >> shift), at least 1 */
        uint64_t want = rows[i].shift == 0 ? 100 : (100 + (1u << rows[i].shift) - 1) >> rows[i].shift;
        CU_ASSERT_EQUAL(clock_icount_budget(&c, rows[i].now + 100), want);
        CU_ASSERT_EQUAL(clock_icount_budget(&c, rows[i].now - 5), 1);
        /* a halted CPU jumps to the deadline */
        clock_warp(&c, rows[i].now + 5000);
        CU_ASSERT_EQUAL(clock_now(&c), rows[i].now + 5000);
        clock_warp(&c, 0);                          /* never backwards */
        CU_ASSERT_EQUAL(clock_now(&c), rows[i].now + 5000);
    }
}

static void test_dfilter(void)
{
    static const struct { const char *s; bool ok; uint32_t in, out; } rows[] = {
        { "0x1000..0x1fff", true, 0x1fff, 0x2000 },
        { "0x7c00+0x200", true, 0x7dff, 0x7e00 },
        { "0x2000-0x100", true, 0x1f01, 0x1f00 },
        { "0x10..0x20,0x100+1", true, 0x100, 0x101 },
        { "0x20..0x10", false, 0, 0 },
        { "zz", false, 0, 0 },
        { "0x10+0", false, 0, 0 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++) {
        GError *err = NULL;
        bool ok = log_parse_filter(rows[i].s, &err);
        CU_ASSERT_EQUAL(ok, rows[i].ok);
        if (ok) {
            CU_ASSERT_TRUE(log_filter_pass(rows[i].in));
            CU_ASSERT_FALSE(log_filter_pass(rows[i].out));
        } else {
            g_clear_error(&err);
        }
    }
    log_filter_count = 0;                           /* no filter for other tests */
    CU_ASSERT_TRUE(log_filter_pass(0x12345678));
}

/* a traced block on a bare machine, real mode: mov [0x100], ax; inc ax; hlt */
static void run_traced(BackendKind be)
{
    static const uint8_t code[] = { 0xa3, 0x00, 0x01, 0x40, 0xf4 };
    MachineConfig cfg;
    GError *err = NULL;
    gchar *path = trace_tmp_path();
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 1u << 20;
    cfg.backend = be;
    cfg.trace_path = path;
    Machine *m = machine_new(&cfg, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CPUState *env = &m->cpu;
    physmem_write_buf(m->mem, 0x1000, code, sizeof(code));
    cpu_load_seg_real(env, R_CS, 0);
    cpu_load_seg_real(env, R_DS, 0);
    cpu_update_hflags(env);
    env->eip = 0x1000;
    env->regs[R_EAX] = 0x55aa;
    cpu_exec(env, 100);
    CU_ASSERT_EQUAL(env->regs[R_EAX], 0x55ab);
    machine_free(m);                                /* closes the trace */

    size_t len;
    uint8_t *t = trace_slurp(path, &len);
    int insns = 0, memw = 0, eax_set = 0;
    /* walk the records (sizes from trace_format.h) */
    for (size_t p = 16; p < len; ) {
        uint8_t k = t[p++];
        switch (k) {
        case TR_DEF: p += TR_DEF_FIXED + t[p + 13]; break;
        case TR_INSN: insns++; p += TR_INSN_SIZE; break;
        case TR_REG:
            if (t[p] == TRACE_REG_EAX && t[p + 1] == 0xab && t[p + 2] == 0x55)
                eax_set++;
            p += TR_REG_SIZE;
            break;
        case TR_MEMR: p += TR_MEM_SIZE; break;
        case TR_MEMW:
            if (t[p] == 2 && t[p + 1] == 0x00 && t[p + 2] == 0x01 && t[p + 5] == 0xaa)
                memw++;
            p += TR_MEM_SIZE;
            break;
        case TR_INT: p += TR_INT_SIZE; break;
        case TR_IOR: case TR_IOW: p += TR_IO_SIZE; break;
        case TR_END: p += TR_END_SIZE; break;
        default: CU_FAIL("bad record kind"); p = len; break;
        }
    }
    CU_ASSERT_EQUAL(insns, 3);
    CU_ASSERT_EQUAL(memw, 1);
    CU_ASSERT_EQUAL(eax_set, 1);
    g_free(t);
    unlink(path);
    g_free(path);
}

static void test_traced_block_interp(void)
{
    run_traced(BACKEND_INTERP);
}

static void test_traced_block_native(void)
{
#if TX86_NATIVE_BACKEND
    run_traced(BACKEND_NATIVE);
#endif
}

void register_trace_tests(void)
{
    CU_pSuite s = CU_add_suite("trace", NULL, NULL);
    CU_add_test(s, "trace records", test_trace_records);
    CU_add_test(s, "icount clock", test_icount_clock);
    CU_add_test(s, "dfilter ranges", test_dfilter);
    CU_add_test(s, "traced block (interp)", test_traced_block_interp);
    CU_add_test(s, "traced block (native)", test_traced_block_native);
}
