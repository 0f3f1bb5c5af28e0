/*
 * fe_selftest.c - front-end self test: runs short 32-bit instruction
 * sequences on tx86 (RAM-only machine, flat protected mode, interpreter
 * backend) and on the host CPU (in 64-bit mode, through native64.asm;
 * only encodings that mean the same there), and compares registers and
 * arithmetic flags.  Random inputs, a table of templates.
 *
 * Build (from the top directory, after make):
 *   nasm -f elf64 tests/frontend/native64.asm -o build/native64.o
 *   cc -Isrc -I. $(pkg-config --cflags glib-2.0 capstone) tests/frontend/fe_selftest.c \
 *      build/native64.o build/libtx86.a $(pkg-config --libs glib-2.0 capstone libffi zlib) -lm \
 *      -o build/fe_selftest
 * Usage: fe_selftest [iterations] [-v]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/translate.h"
#include "machine/machine.h"
#include "translator/translator.h"

void fe_native_run(uint32_t *state, const void *code);

#define CODE_ADDR 0x10000u

typedef struct Template {
    const char *name;
    const char *hex;        /* code bytes */
    uint32_t undef;         /* flags undefined for this template (not compared) */
} Template;

#define ALLF CC_MASK
static const Template templates[] = {
    { "add eax,ecx", "01c8", 0 }, { "adc eax,ecx", "11c8", 0 }, { "sub eax,ecx", "29c8", 0 },
    { "sbb eax,ecx", "19c8", 0 }, { "and eax,ecx", "21c8", CC_A }, { "or eax,ecx", "09c8", CC_A },
    { "xor eax,ecx", "31c8", CC_A }, { "cmp eax,ecx", "39c8", 0 }, { "test eax,ecx", "85c8", CC_A },
    { "add cl,ah", "00e1", 0 }, { "sbb cl,ah", "18e1", 0 }, { "add ax,cx", "6601c8", 0 },
    { "sub ax,cx", "6629c8", 0 }, { "adc ax,cx", "6611c8", 0 }, { "cmp bh,dl", "38d7", 0 },
    { "add eax,-1", "83c0ff", 0 }, { "sub ecx,imm32", "81e978563412", 0 }, { "add ah,0x85", "80c485", 0 },
    { "xor eax,eax", "31c0", CC_A }, { "sub edx,edx", "29d2", 0 },
    { "inc eax", "ffc0", 0 }, { "dec ecx", "ffc9", 0 }, { "inc ah", "fec4", 0 }, { "dec ax", "66ffc8", 0 },
    { "neg eax", "f7d8", 0 }, { "neg ah", "f6dc", 0 }, { "not eax", "f7d0", 0 }, { "neg cx", "66f7d9", 0 },
    { "shl eax,cl", "d3e0", CC_A }, { "shr eax,cl", "d3e8", CC_A }, { "sar eax,cl", "d3f8", CC_A },
    { "shl ah,cl", "d2e4", CC_A }, { "shr ah,cl", "d2ec", CC_A }, { "sar dx,cl", "66d3fa", CC_A },
    { "shl eax,5", "c1e005", CC_A | CC_O }, { "shr eax,31", "c1e81f", CC_A | CC_O },
    { "shl eax,1", "d1e0", CC_A }, { "shr eax,1", "d1e8", CC_A }, { "sar eax,1", "d1f8", CC_A },
    { "sar al,3", "c0f803", CC_A | CC_O },
    { "rol eax,cl", "d3c0", 0 }, { "ror eax,cl", "d3c8", 0 }, { "rcl eax,cl", "d3d0", 0 },
    { "rcr eax,cl", "d3d8", 0 }, { "rcl ah,cl", "d2d4", 0 }, { "rcr ah,cl", "d2dc", 0 },
    { "rcl ax,cl", "66d3d0", 0 }, { "rol al,cl", "d2c0", 0 }, { "ror dx,cl", "66d3ca", 0 },
    { "rol eax,1", "d1c0", 0 }, { "rcr eax,1", "d1d8", 0 }, { "rol eax,7", "c1c007", CC_O },
    { "ror eax,13", "c1c80d", CC_O }, { "rcr ah,4", "c0dc04", CC_O },
    { "shld eax,ecx,cl", "0fa5c8", CC_A }, { "shrd eax,ecx,cl", "0fadc8", CC_A },
    { "shld eax,edx,5", "0fa4d005", CC_A | CC_O }, { "shrd ax,cx,cl", "660fadc8", CC_A | CC_O | CC_C }  /* CF: counts > 16, docs */,
    { "shld ax,cx,cl", "660fa5c8", CC_A | CC_O | CC_C },
    { "mul ecx", "f7e1", CC_A | CC_Z | CC_S | CC_P }, { "mul cl", "f6e1", CC_A | CC_Z | CC_S | CC_P },
    { "mul cx", "66f7e1", CC_A | CC_Z | CC_S | CC_P }, { "imul ecx", "f7e9", CC_A | CC_Z | CC_S | CC_P },
    { "imul cl", "f6e9", CC_A | CC_Z | CC_S | CC_P }, { "imul cx", "66f7e9", CC_A | CC_Z | CC_S | CC_P },
    { "imul eax,ecx", "0fafc1", CC_A | CC_Z | CC_S | CC_P },
    { "imul ax,cx", "660fafc1", CC_A | CC_Z | CC_S | CC_P },
    { "imul eax,ecx,-13", "6bc1f3", CC_A | CC_Z | CC_S | CC_P },
    { "imul edx,ebx,imm32", "69d378563412", CC_A | CC_Z | CC_S | CC_P },
    { "bt eax,ecx", "0fa3c8", 0 }, { "bts eax,ecx", "0fabc8", 0 }, { "btr eax,ecx", "0fb3c8", 0 },
    { "btc eax,ecx", "0fbbc8", 0 }, { "bt eax,5", "0fbae005", 0 }, { "bt ax,cx", "660fa3c8", 0 },
    { "bsf eax,ecx", "0fbcc1", 0 }, { "bsr eax,ecx", "0fbdc1", 0 }, { "bsf ax,cx", "660fbcc1", 0 },
    { "bswap eax", "0fc8", 0 },
    { "xadd eax,ecx", "0fc1c8", 0 }, { "xadd cl,ah", "0fc0e1", 0 },
    { "cmpxchg ecx,edx", "0fb1d1", 0 }, { "cmpxchg eax,ecx", "0fb1c8", 0 }, { "cmpxchg ah,cl", "0fb0cc", 0 },
    { "cmp+sete", "39c80f94c0", 0 }, { "cmp+setb", "39c80f92c0", 0 }, { "cmp+setl", "39c80f9cc0", 0 },
    { "cmp+setle", "38e10f9ec0", 0 }, { "cmp+seta", "6639c80f97c0", 0 }, { "cmp+setg", "39c80f9fc0", 0 },
    { "cmp+sets", "39c80f98c0", 0 }, { "cmp+seto", "39c80f90c0", 0 }, { "cmp+setp", "39c80f9ac0", 0 },
    { "test+setle", "85c80f9ed0", CC_A }, { "test+setg", "84c80f9fd0", CC_A },
    { "add+setb", "01c80f92c2", 0 }, { "add+setbe", "00e10f96c2", 0 }, { "inc+setb", "ffc00f92c2", 0 },
    { "inc+setle", "ffc00f9ec2", 0 }, { "shl+setb", "d3e00f92c2", CC_A },
    { "seto", "0f90c0", 0 }, { "setno", "0f91c0", 0 }, { "setb", "0f92c0", 0 }, { "setae", "0f93c0", 0 },
    { "sete", "0f94c0", 0 }, { "setne", "0f95c0", 0 }, { "setbe", "0f96c0", 0 }, { "seta", "0f97c0", 0 },
    { "sets", "0f98c0", 0 }, { "setns", "0f99c0", 0 }, { "setp", "0f9ac0", 0 }, { "setnp", "0f9bc0", 0 },
    { "setl", "0f9cc0", 0 }, { "setge", "0f9dc0", 0 }, { "setle", "0f9ec0", 0 }, { "setg", "0f9fc0", 0 },
    { "cmovo", "0f40c1", 0 }, { "cmovb", "0f42c1", 0 }, { "cmove", "0f44c1", 0 }, { "cmovbe", "0f46c1", 0 },
    { "cmovs", "0f48c1", 0 }, { "cmovp", "0f4ac1", 0 }, { "cmovl", "0f4cc1", 0 }, { "cmovg", "0f4fc1", 0 },
    { "cmovne ax,cx", "660f45c1", 0 },
    { "cmp+jb", "39c8720231c0", 0 }, { "cmp+jle", "39c87e0231c0", 0 }, { "sub+jg", "29c87f0231c0", 0 },
    { "test+js", "85c8780231c0", CC_A }, { "jp", "7a0231c0", 0 }, { "jo", "700231c0", 0 },
    { "inc+jnz", "ffc1750231c0", 0 }, { "add+ja", "01d0770231c0", 0 }, { "adc+jl", "11d07c0231c0", 0 },
    { "lahf", "9f", 0 }, { "sahf", "9e", 0 }, { "clc", "f8", 0 }, { "stc", "f9", 0 }, { "cmc", "f5", 0 },
    { "cbw", "6698", 0 }, { "cwde", "98", 0 }, { "cwd", "6699", 0 }, { "cdq", "99", 0 },
    { "movzx eax,ah", "0fb6c4", 0 }, { "movsx eax,cx", "0fbfc1", 0 }, { "movsx ax,cl", "660fbec1", 0 },
    { "lea eax,[eax+ecx*2+16]", "8d444810", 0 }, { "xchg eax,ecx", "87c8", 0 }, { "xchg cl,ah", "86e1", 0 },
    { "add;adc chain", "01c811da", 0 }, { "sub;sbb chain", "29c819da", 0 },
    { "mov ah,cl; mov dx,bx", "88cc6689da", 0 },
};

static uint8_t *native_code;

static int hexbytes(const char *hex, uint8_t *out)
{
    int n = 0;
    while (hex[0] && hex[1]) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

static uint32_t rnd_value(void)
{
    static const uint32_t special[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
                                        0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe,
                                        0x80008080, 0x7f7f7f7f };
    switch (rand() % 4) {
    case 0: return special[rand() % (int)G_N_ELEMENTS(special)];
    case 1: return (uint32_t)(rand() % 40);
    default: return (uint32_t)rand() ^ ((uint32_t)rand() << 16);
    }
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 300;
    bool verbose = argc > 2;
    GError *err = NULL;
    Machine *m = g_new0(Machine, 1);
    CPUState *env = &m->cpu;
    int total_fail = 0;

    m->mem = physmem_new();
    physmem_add_ram(m->mem, 0, 1 << 20, NULL);
    cpu_init(env, m);
    X86FrontEnd *fe = x86_frontend_new(&err);
    g_assert(fe);
    Translator *t = translator_new(&backend_interp, m->mem, (TranslateFn)x86_translate_block,
                                   fe, env, &err);
    if (!t) {
        fprintf(stderr, "translator_new: %s\n", err->message);
        return 1;
    }
    env->tr_ctx = t;
    native_code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    srand(1234);

    for (unsigned ti = 0; ti < G_N_ELEMENTS(templates); ti++) {
        const Template *tp = &templates[ti];
        uint8_t code[64];
        int len = hexbytes(tp->hex, code), fails = 0;

        memcpy(native_code, code, len);
        native_code[len] = 0xc3;
        for (int it = 0; it < iters; it++) {
            uint32_t in[9], nat[9];
            for (int r = 0; r < 8; r++) {
                in[r] = rnd_value();
            }
            in[R_ESP] = 0x80000;
            in[8] = ((uint32_t)rand() & CC_MASK) | 2;
            memcpy(nat, in, sizeof(in));
            fe_native_run(nat, native_code);

            /* tx86: flat 32-bit protected mode, code at CODE_ADDR, UD2 at the end */
            env->cr[0] |= CR0_PE;
            for (int sg = 0; sg < NUM_SEGS; sg++) {
                env->seg[sg].base = 0;
                env->seg[sg].limit = 0xffffffff;
                env->seg[sg].flags = DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | DESC_G_MASK |
                                     ((sg == R_CS ? 0xbu : 0x3u) << DESC_TYPE_SHIFT);
                env->seg[sg].selector = sg == R_CS ? 8 : 16;
            }
            env->eflags = 2;
            cpu_update_hflags(env);
            physmem_write_buf(m->mem, CODE_ADDR, code, len);
            physmem_write_buf(m->mem, CODE_ADDR + len, "\x0f\x0b", 2);
            tb_flush(t);
            memcpy(env->regs, in, 32);
            cpu_load_eflags(env, in[8], CC_MASK | DF_MASK);
            env->eip = CODE_ADDR;
            env->stop_on_exception = true;
            CPUExitReason why = cpu_exec(env, 100);
            uint32_t fl = cpu_compute_eflags(env);
            bool bad = why != CPU_EXIT_EXCEPTION || env->exception_index != EXCP_UD ||
                       env->eip != CODE_ADDR + (uint32_t)len;
            uint32_t fmask = CC_MASK & ~tp->undef;
            for (int r = 0; r < 8; r++) {
                if (r != R_ESP && env->regs[r] != nat[r]) {
                    bad = true;
                }
            }
            if ((fl & fmask) != (nat[8] & fmask)) {
                bad = true;
            }
            if (bad) {
                if (fails < 3 || verbose) {
                    printf("FAIL %-24s in: eax=%08x ecx=%08x edx=%08x ebx=%08x fl=%03x\n",
                           tp->name, in[0], in[1], in[2], in[3], in[8]);
                    printf("     host: eax=%08x ecx=%08x edx=%08x ebx=%08x fl=%03x\n",
                           nat[0], nat[1], nat[2], nat[3], nat[8] & CC_MASK);
                    printf("     tx86: eax=%08x ecx=%08x edx=%08x ebx=%08x fl=%03x  exit=%d exc=%d eip=%x\n",
                           env->regs[0], env->regs[1], env->regs[2], env->regs[3], fl & CC_MASK,
                           why, env->exception_index, env->eip);
                }
                fails++;
            }
        }
        if (fails) {
            printf("%-24s %d/%d failed\n", tp->name, fails, iters);
        }
        total_fail += fails;
    }
    printf("fe_selftest: %u templates, %d failures\n", (unsigned)G_N_ELEMENTS(templates), total_fail);
    return total_fail != 0;
}
