/*
 * native32.c - the differential tester's native side: a 32-bit host
 * process that runs test cases on the real CPU (built with -m32).
 *
 * It maps the data area and the code area at the fixed addresses of
 * diffcase.h, makes two LDT entries with modify_ldt (a 16-bit code segment
 * based at the code area, a 16-bit data segment based at the data area),
 * then serves batches of cases from stdin (protocol in diffcase.h).
 *
 * One case: copy the template + pokes into the data area and the code into
 * the code area, load every GPR, EFLAGS, DS/ES and SS:ESP (flat selectors
 * for 32-bit cases, the LDT ones for 16-bit cases) and far-jump to the
 * code.  The code ends with HLT, a #GP in ring 3; that and any other fault
 * arrive as a signal on the alternate stack, whose handler copies the
 * registers, EIP and trap number out of the ucontext and longjmps back.
 *
 * Signal handlers take no user argument, so the handler finds the running
 * case through the one static pointer below: this program is a test tool
 * running one case at a time, not part of the emulator.
 *
 * Self-check: `native32 --selftest` runs a few cases with results computed
 * in C and exits non-zero if one differs.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <asm/ldt.h>
#include "diffcase.h"

#if !defined(__i386__)
#error "native32.c must be built with -m32"
#endif

#define SEL_CODE16 ((0 << 3) | 4 | 3)
#define SEL_DATA16 ((1 << 3) | 4 | 3)

/* what diff_enter loads, in this layout (offsets used by the asm below) */
typedef struct EnterBlock {
    uint32_t eax, ecx, edx, ebx;  /* 0 4 8 12 */
    uint32_t esp, ss;             /* 16 20: lss operand */
    uint32_t ebp, esi, edi;       /* 24 28 32 */
    uint32_t eflags;              /* 36 */
    uint32_t ds;                  /* 40 */
} EnterBlock;

typedef struct RunState {
    sigjmp_buf jb;
    DiffResult *res;
    int signo;
} RunState;

static RunState *volatile run_state;   /* see the header comment */

void diff_enter(const EnterBlock *b) __attribute__((noreturn));
__asm__(
    ".text\n"
    ".globl diff_enter\n"
    "diff_enter:\n"
    "    movl 4(%esp), %eax\n"
    "    pushl 36(%eax)\n"
    "    popfl\n"
    "    movw 40(%eax), %ds\n"
    "    movw %cs:40(%eax), %es\n"
    "    movl %cs:4(%eax), %ecx\n"
    "    movl %cs:8(%eax), %edx\n"
    "    movl %cs:12(%eax), %ebx\n"
    "    movl %cs:24(%eax), %ebp\n"
    "    movl %cs:28(%eax), %esi\n"
    "    movl %cs:32(%eax), %edi\n"
    "    lssl %cs:16(%eax), %esp\n"
    "    movl %cs:0(%eax), %eax\n"
    "    ljmp *%cs:(0x00200ff0)\n");

_Static_assert(DIFF_CODE_ADDR + DIFF_FARPTR_OFF == 0x00200ff0, "far pointer address in asm");

static void native_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)si;
    RunState *rs = run_state;
    greg_t *g = uc->uc_mcontext.gregs;
    DiffResult *r;

    if (!rs) {
        signal(sig, SIG_DFL);
        return;
    }
    r = rs->res;
    r->regs[0] = g[REG_EAX]; r->regs[1] = g[REG_ECX];
    r->regs[2] = g[REG_EDX]; r->regs[3] = g[REG_EBX];
    r->regs[4] = g[REG_ESP]; r->regs[5] = g[REG_EBP];
    r->regs[6] = g[REG_ESI]; r->regs[7] = g[REG_EDI];
    r->eflags = g[REG_EFL];
    r->eip = g[REG_EIP];
    r->vector = sig == SIGALRM ? DIFF_VEC_TIMEOUT : (int32_t)g[REG_TRAPNO];
    r->error_code = g[REG_ERR];
    rs->signo = sig;
    siglongjmp(rs->jb, 1);
}

static void native_setup(void)
{
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    struct sigaction sa;
    struct user_desc d;
    void *p;

    p = mmap((void *)DIFF_DATA_ADDR, DIFF_DATA_SIZE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)DIFF_DATA_ADDR) { perror("native32: mmap data"); exit(2); }
    p = mmap((void *)DIFF_CODE_ADDR, DIFF_CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)DIFF_CODE_ADDR) { perror("native32: mmap code"); exit(2); }

    memset(&d, 0, sizeof d);
    d.entry_number = 0;
    d.base_addr = DIFF_CODE_ADDR;
    d.limit = 0xffff;
    d.contents = MODIFY_LDT_CONTENTS_CODE;
    d.useable = 1;
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) { perror("native32: modify_ldt"); exit(2); }
    d.entry_number = 1;
    d.base_addr = DIFF_DATA_ADDR;
    d.contents = MODIFY_LDT_CONTENTS_DATA;
    if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) { perror("native32: modify_ldt"); exit(2); }

    if (sigaltstack(&ss, NULL) != 0) { perror("native32: sigaltstack"); exit(2); }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = native_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
}

/* run one case; tmpl is the data template */
static void native_run(const DiffCase *c, DiffResult *r, const uint8_t *tmpl)
{
    uint8_t *data = (uint8_t *)DIFF_DATA_ADDR;
    uint8_t *code = (uint8_t *)DIFF_CODE_ADDR;
    uint32_t far[2];
    EnterBlock b;
    RunState rs;
    uint32_t len = c->code_len <= DIFF_CODE_MAX ? c->code_len : DIFF_CODE_MAX;

    memcpy(data, tmpl, DIFF_DATA_SIZE);
    diff_apply_pokes(data, c);
    memcpy(code, c->code, len);
    memset(code + len, 0xf4, 16);

    b.eax = c->regs[0]; b.ecx = c->regs[1]; b.edx = c->regs[2]; b.ebx = c->regs[3];
    b.esp = c->regs[4]; b.ebp = c->regs[5]; b.esi = c->regs[6]; b.edi = c->regs[7];
    b.eflags = (c->eflags & DIFF_FLAGS_IN) | 0x202;
    if (c->mode == 16) {
        b.ss = b.ds = SEL_DATA16;
        far[0] = 0;
        far[1] = SEL_CODE16;
    } else {
        uint16_t cs, ds;
        __asm__ volatile("movw %%cs, %0; movw %%ds, %1" : "=r"(cs), "=r"(ds));
        b.ss = b.ds = ds;
        far[0] = DIFF_CODE_ADDR;
        far[1] = cs;
    }
    memcpy(code + DIFF_FARPTR_OFF, far, 8);

    memset(r, 0, DIFF_RESULT_HEAD);
    rs.res = r;
    rs.signo = 0;
    run_state = &rs;
    if (sigsetjmp(rs.jb, 0) == 0)
        diff_enter(&b);
    run_state = NULL;
    __asm__ volatile("cld");
    diff_collect(r, data, tmpl);
}

static int read_full(void *buf, size_t n)
{
    return fread(buf, 1, n, stdin) == n;
}

static int native_serve(const uint8_t *tmpl)
{
    DiffCase *cases = NULL;
    DiffResult *res = malloc(sizeof *res);
    uint32_t cap = 0, n;

    while (read_full(&n, 4) && n != 0) {
        if (n > cap) {
            cap = n;
            cases = realloc(cases, (size_t)cap * sizeof *cases);
            if (!cases) return 2;
        }
        if (!read_full(cases, (size_t)n * sizeof *cases))
            return 2;
        for (uint32_t i = 0; i < n; i++) {
            if ((i & 255) == 0)
                alarm(10);          /* a case that never ends: DIFF_VEC_TIMEOUT */
            native_run(&cases[i], res, tmpl);
            fwrite(res, 1, DIFF_RESULT_HEAD + res->n_diffs * 4, stdout);
        }
        alarm(0);
        fflush(stdout);
    }
    free(cases);
    free(res);
    return 0;
}

/* ---- self-check: results computed in C ---- */

typedef struct SelfTest {
    const char *name;
    uint32_t mode;
    uint8_t code[16];
    uint32_t len;
    uint32_t eax, ebx, ecx;
    uint32_t want_eax, want_flags_mask, want_flags;
    int want_vector;
    uint32_t want_eip_off;     /* offset of the stop, from the code start */
} SelfTest;

static const SelfTest self_tests[] = {
    { "add eax,ebx", 32, { 0x01, 0xd8, 0xf4 }, 3, 0xffffffff, 1, 0,
      0, 0x8d5, 0x55 /* CF PF AF ZF */, 13, 2 },
    { "add ax,bx (16)", 16, { 0x01, 0xd8, 0xf4 }, 3, 0x1237fff0, 0x20, 0,
      0x12370010, 0x8d5, 0x01 /* CF */, 13, 2 },
    { "add eax,ebx (16, 66)", 16, { 0x66, 0x01, 0xd8, 0xf4 }, 4, 0x7fffffff, 1, 0,
      0x80000000u, 0x8d5, 0x894 /* OF SF AF PF */, 13, 3 },
    { "div ecx by 0", 32, { 0xf7, 0xf1, 0xf4 }, 3, 5, 0, 0, 5, 0, 0, 0, 0 },
    { "ud2", 32, { 0x0f, 0x0b, 0xf4 }, 3, 5, 0, 0, 5, 0, 0, 6, 0 },
    { "mov [ebx],eax; mov ecx,[ebx]", 32, { 0x89, 0x03, 0x8b, 0x0b, 0x91, 0xf4 }, 6,
      0x1234, DIFF_DATA_ADDR + 0x100, 0, 0x1234, 0, 0, 13, 5 },
};

static int native_selftest(const uint8_t *tmpl)
{
    static DiffResult r;
    int bad = 0;

    for (size_t i = 0; i < sizeof self_tests / sizeof self_tests[0]; i++) {
        const SelfTest *t = &self_tests[i];
        DiffCase c;
        uint32_t base = t->mode == 16 ? 0 : DIFF_CODE_ADDR;

        memset(&c, 0, sizeof c);
        c.mode = t->mode;
        c.regs[0] = t->eax; c.regs[3] = t->ebx; c.regs[1] = t->ecx;
        c.regs[4] = t->mode == 16 ? 0x8000 : DIFF_DATA_ADDR + 0x8000;
        c.code_len = t->len;
        memcpy(c.code, t->code, t->len);
        native_run(&c, &r, tmpl);
        int ok = r.regs[0] == t->want_eax && (r.eflags & t->want_flags_mask) == t->want_flags
                 && r.vector == t->want_vector && r.eip == base + t->want_eip_off;
        printf("%-32s eax=%08x efl=%08x vec=%d eip=%08x diffs=%u %s\n", t->name, r.regs[0],
               r.eflags, r.vector, r.eip, r.n_diffs, ok ? "ok" : "FAIL");
        bad += !ok;
    }
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    uint8_t *tmpl = malloc(DIFF_DATA_SIZE);

    diff_fill_template(tmpl);
    native_setup();
    if (argc > 1 && strcmp(argv[1], "--selftest") == 0)
        return native_selftest(tmpl);
    return native_serve(tmpl);
}
