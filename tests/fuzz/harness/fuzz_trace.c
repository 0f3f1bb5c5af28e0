/*
 * fuzz_trace.c - libFuzzer harness for the trace reader tx86-trace
 * (src/tools/trace_main.c, format in src/debug/trace_format.h).
 *
 * The program is compiled in here with its main() renamed, and run on an
 * anonymous memory file as it would run on a trace; its output goes to
 * /dev/null.  zlib reads uncompressed files as they are, so inputs are
 * usually raw records (the seeds are decompressed traces).
 *
 * Input: two bytes choose the options, then the trace file.
 *   byte 0 bits  0 --stats  1 --range  2 --mem  3 --who-wrote  4 --insn
 *                5 --last-set  6 --kind  7 --before
 *   byte 1       the option values (range form, register, mnemonic, kinds)
 * Big allocations are findings (-malloc_limit_mb below): a trace of a few
 * bytes must not make the reader allocate gigabytes.
 *
 * FUZZ-ARGS: -malloc_limit_mb=512
 */
#include <fcntl.h>
#include "fuzz_common.h"

#define main trace_tool_main
#include "tools/trace_main.c"
#undef main

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);          /* the tool prints every event */
        close(null);
    }
    return 0;
}

static const char *const ranges[] = { "0xf0000..0xfffff", "0+0x100000", "0x7c00",
                                      "0xfff0..0xfff0", "0..0xffffffff", "4..3" };
static const char *const mnemonics[] = { "mov", "wrmsr", "(bad)", "jmp" };
static const char *const kinds[] = { "insn", "reg,mem", "io,int", "all", "mem", "bogus" };
static const char *const befores[] = { "0", "1", "100", "0x10" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = { data, size, 0 };
    uint8_t opts = fuzz_u8(&in), val = fuzz_u8(&in);
    size_t len;
    const uint8_t *file = fuzz_bytes(&in, fuzz_left(&in), &len);
    char path[64];
    int fd = fuzz_memfd_path(file, len, path, sizeof(path));
    if (fd < 0)
        return 0;

    char *argv[20];
    int argc = 0;
    argv[argc++] = "tx86-trace";
    if (opts & 0x01)
        argv[argc++] = "--stats";
    if (opts & 0x02) {
        argv[argc++] = "--range";
        argv[argc++] = (char *)ranges[val % G_N_ELEMENTS(ranges)];
    }
    if (opts & 0x04) {
        argv[argc++] = "--mem";
        argv[argc++] = (char *)ranges[(val >> 1) % G_N_ELEMENTS(ranges)];
    }
    if (opts & 0x08) {
        argv[argc++] = "--who-wrote";
        argv[argc++] = (char *)ranges[(val >> 2) % G_N_ELEMENTS(ranges)];
    }
    if (opts & 0x10) {
        argv[argc++] = "--insn";
        argv[argc++] = (char *)mnemonics[val & 3];
    }
    if (opts & 0x20) {
        argv[argc++] = "--last-set";
        argv[argc++] = (char *)trace_reg_names[val % TRACE_NREGS];
    }
    if (opts & 0x40) {
        argv[argc++] = "--kind";
        argv[argc++] = (char *)kinds[(val >> 3) % G_N_ELEMENTS(kinds)];
    }
    if (opts & 0x80) {
        argv[argc++] = "--before";
        argv[argc++] = (char *)befores[(val >> 5) & 3];
    }
    argv[argc++] = path;
    argv[argc] = NULL;
    trace_tool_main(argc, argv);
    fflush(stdout);
    close(fd);
    return 0;
}
