/*
 * fpu.c - x87 FPU state: reset, status/control/tag words, exception
 * summary and delivery (#MF or FERR#), #NM checks, and the memory images
 * of FNSTENV/FLDENV, FNSAVE/FRSTOR and FXSAVE/FXRSTOR.
 *
 * The instruction semantics are in helpers_fpu.c; the arithmetic in
 * float80.c.  Design notes (tag word, FIP/FDP rules, FERR#) are in
 * docs/x87.md, "The x87 instructions".
 *
 * Precise faults: every save-area store is built in a buffer and written
 * before the FPU state changes (the last byte first, so a store that runs
 * into a missing page faults before writing anything); every load reads
 * the whole area before anything is committed.
 */
#include <string.h>
#include "cpu-x86/fpu/fpu.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/sse/simd.h"
#include "mmu/mmu.h"

/* ------------------------------------------------------------------ */
/* words                                                               */

void fpu_reset(CPUState *env, bool power_on)
{
    /* SDM Vol. 3A, table "Processor State Following Power-up, Reset, or
     * INIT", and Vol. 1 8.1.x (FNINIT): RESET leaves FCW 0040,
     * FTW 5555 (every register +0.0, tagged zero); FNINIT 037F, all empty */
    env->fpu_fcw = power_on ? 0x0040 : 0x037f;
    env->fpu_fsw = 0;
    env->fpu_top = 0;
    env->fpu_fop = 0;
    env->fpu_fip = env->fpu_fdp = 0;
    env->fpu_fcs = env->fpu_fds = 0;
    if (power_on) {
        for (int i = 0; i < 8; i++)
            env->fpu_st[i] = (Float80){ 0, 0 };
        env->fpu_valid = 0xff;
        env->fpu_mxcsr = 0x1f80;
        memset(env->xmm, 0, sizeof env->xmm);   /* XMM0-7 +0.0 at RESET */
    } else {
        env->fpu_valid = 0;
    }
    fpu_set_ferr(env, false);
}

uint16_t fpu_get_sw(const CPUState *env)
{
    return (uint16_t)((env->fpu_fsw & ~FSW_TOP) | ((env->fpu_top & 7) << 11));
}

void fpu_update_es(CPUState *env)
{
    if (env->fpu_fsw & ~env->fpu_fcw & FSW_EXC)
        env->fpu_fsw |= FSW_ES | FSW_B;
    else
        env->fpu_fsw &= ~(FSW_ES | FSW_B);
}

void fpu_set_sw(CPUState *env, uint16_t sw)
{
    env->fpu_top = (sw >> 11) & 7;
    env->fpu_fsw = sw & ~FSW_TOP;
    fpu_update_es(env);
    if (!(env->fpu_fsw & FSW_ES))
        fpu_set_ferr(env, false);
}

void fpu_set_cw(CPUState *env, uint16_t cw)
{
    env->fpu_fcw = (cw & FCW_WRITABLE) | 0x0040;
    fpu_update_es(env);
    if (!(env->fpu_fsw & FSW_ES))
        fpu_set_ferr(env, false);
}

void fpu_raise(CPUState *env, uint16_t flags)
{
    env->fpu_fsw |= flags & (FSW_EXC | FSW_SF);
    fpu_update_es(env);
}

/* tag of one physical register from its contents */
static unsigned fpu_tag_of(const CPUState *env, int phys)
{
    Float80 v = env->fpu_st[phys];

    if (!(env->fpu_valid >> phys & 1))
        return 3;                               /* empty */
    if ((v.se & 0x7fff) == 0x7fff || f80_is_unsupported(v) || f80_is_denormal(v))
        return 2;                               /* special */
    if ((v.se & 0x7fff) == 0 && v.mant == 0)
        return 1;                               /* zero */
    if ((v.se & 0x7fff) == 0)
        return 2;                               /* pseudo-denormal */
    return 0;                                   /* valid */
}

uint16_t fpu_get_tw(const CPUState *env)
{
    uint16_t tw = 0;

    for (int i = 0; i < 8; i++)
        tw |= (uint16_t)(fpu_tag_of(env, i) << (2 * i));
    return tw;
}

void fpu_set_tw(CPUState *env, uint16_t tw)
{
    uint8_t valid = 0;

    for (int i = 0; i < 8; i++)
        if (((tw >> (2 * i)) & 3) != 3)
            valid |= (uint8_t)(1u << i);
    env->fpu_valid = valid;
}

/* ------------------------------------------------------------------ */
/* exception delivery                                                  */

void fpu_set_ferr(CPUState *env, bool level)
{
    if (env->fpu_ferr == level)
        return;
    env->fpu_ferr = level;
    if (env->fpu_ferr_handler)
        env->fpu_ferr_handler(env->fpu_ferr_opaque, 13, level);
}

void fpu_check_nm(CPUState *env)
{
    if (env->cr[0] & (CR0_EM | CR0_TS))
        raise_exception_noerr(env, EXCP_NM);
}

/* SDM Vol. 1 8.6 and Vol. 3 D.2: a pending unmasked exception is reported
 * at the next waiting x87 instruction, before it executes.  CR0.NE=1:
 * #MF (vector 16, fault at this instruction).  CR0.NE=0 (MS-DOS style):
 * the P6 asserts FERR# at this point and the platform turns it into
 * IRQ 13; like Bochs and QEMU we then go on with the instruction (a real
 * CPU would wait for the interrupt unless IGNNE# is asserted, which the
 * chipset does after the handler's write to port F0h).  FERR# drops when
 * ES is cleared (FNCLEX, FNINIT, FLDENV/FRSTOR/FLDCW clearing it). */
void fpu_check_pending(CPUState *env)
{
    if (!(env->fpu_fsw & FSW_ES))
        return;
    if (env->cr[0] & CR0_NE)
        raise_exception_noerr(env, EXCP_MF);
    fpu_set_ferr(env, true);
}

/* ------------------------------------------------------------------ */
/* memory                                                              */

static void fpu_store_buf(CPUState *env, uint32_t lin, const uint8_t *buf, uint32_t n)
{
    uint32_t i = 0;

    if (((lin ^ (lin + n - 1)) & ~0xfffu) != 0)
        cpu_st8(env, lin + n - 1, buf[n - 1]);      /* fault before any write */
    for (; i + 4 <= n; i += 4)
        cpu_st32(env, lin + i, (uint32_t)buf[i] | (uint32_t)buf[i + 1] << 8 |
                 (uint32_t)buf[i + 2] << 16 | (uint32_t)buf[i + 3] << 24);
    for (; i < n; i++)
        cpu_st8(env, lin + i, buf[i]);
}

static void fpu_load_buf(CPUState *env, uint32_t lin, uint8_t *buf, uint32_t n)
{
    uint32_t i = 0;

    for (; i + 4 <= n; i += 4) {
        uint32_t v = cpu_ld32(env, lin + i);
        buf[i] = (uint8_t)v; buf[i + 1] = (uint8_t)(v >> 8);
        buf[i + 2] = (uint8_t)(v >> 16); buf[i + 3] = (uint8_t)(v >> 24);
    }
    for (; i < n; i++)
        buf[i] = (uint8_t)cpu_ld8(env, lin + i);
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static uint32_t get16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }

static void put80(uint8_t *p, Float80 v)
{
    put32(p, (uint32_t)v.mant);
    put32(p + 4, (uint32_t)(v.mant >> 32));
    put16(p + 8, v.se);
}

static Float80 get80(const uint8_t *p)
{
    Float80 v;

    v.mant = get32(p) | (uint64_t)get32(p + 4) << 32;
    v.se = (uint16_t)get16(p + 8);
    return v;
}

Float80 fpu_ld80(CPUState *env, uint32_t lin)
{
    uint8_t b[10];

    fpu_load_buf(env, lin, b, 10);
    return get80(b);
}

void fpu_st80(CPUState *env, uint32_t lin, Float80 v)
{
    uint8_t b[10];

    put80(b, v);
    fpu_store_buf(env, lin, b, 10);
}

/* ------------------------------------------------------------------ */
/* environment (SDM Vol. 1 8.1.10, figures 8-9 to 8-12)                */

static bool fpu_pm_format(const CPUState *env)
{
    return (env->cr[0] & CR0_PE) && !(env->eflags & VM_MASK);
}

/* build the 14- or 28-byte image; returns its size */
static uint32_t fpu_env_image(CPUState *env, uint8_t *b, bool op32)
{
    uint16_t cw = env->fpu_fcw, sw = fpu_get_sw(env), tw = fpu_get_tw(env);

    if (fpu_pm_format(env)) {
        if (op32) {
            put32(b + 0, 0xffff0000u | cw);
            put32(b + 4, 0xffff0000u | sw);
            put32(b + 8, 0xffff0000u | tw);
            put32(b + 12, env->fpu_fip);
            put32(b + 16, env->fpu_fcs | (uint32_t)env->fpu_fop << 16);
            put32(b + 20, env->fpu_fdp);
            put32(b + 24, 0xffff0000u | env->fpu_fds);
            return 28;
        }
        put16(b + 0, cw); put16(b + 2, sw); put16(b + 4, tw);
        put16(b + 6, env->fpu_fip); put16(b + 8, env->fpu_fcs);
        put16(b + 10, env->fpu_fdp); put16(b + 12, env->fpu_fds);
        return 14;
    }
    /* real-address and virtual-8086 formats: 32-bit linear pointers */
    uint32_t ip = env->fpu_fip + ((uint32_t)env->fpu_fcs << 4);
    uint32_t dp = env->fpu_fdp + ((uint32_t)env->fpu_fds << 4);
    if (op32) {
        put32(b + 0, 0xffff0000u | cw);
        put32(b + 4, 0xffff0000u | sw);
        put32(b + 8, 0xffff0000u | tw);
        put32(b + 12, 0xffff0000u | (ip & 0xffff));
        put32(b + 16, ((ip >> 16) << 12) | env->fpu_fop);
        put32(b + 20, 0xffff0000u | (dp & 0xffff));
        put32(b + 24, (dp >> 16) << 12);
        return 28;
    }
    put16(b + 0, cw); put16(b + 2, sw); put16(b + 4, tw);
    put16(b + 6, ip);
    put16(b + 8, ((ip >> 16) & 0xf) << 12 | env->fpu_fop);
    put16(b + 10, dp);
    put16(b + 12, ((dp >> 16) & 0xf) << 12);
    return 14;
}

/* commit an environment image read from memory */
static uint32_t fpu_env_load(CPUState *env, const uint8_t *b, bool op32)
{
    uint16_t cw, sw, tw;
    uint32_t n = op32 ? 28 : 14;
    int s = op32 ? 4 : 2;

    cw = (uint16_t)get16(b); sw = (uint16_t)get16(b + s); tw = (uint16_t)get16(b + 2 * s);
    if (fpu_pm_format(env)) {
        if (op32) {
            env->fpu_fip = get32(b + 12);
            env->fpu_fcs = (uint16_t)get16(b + 16);
            env->fpu_fop = (uint16_t)(get16(b + 18) & 0x7ff);
            env->fpu_fdp = get32(b + 20);
            env->fpu_fds = (uint16_t)get16(b + 24);
        } else {
            env->fpu_fip = get16(b + 6);
            env->fpu_fcs = (uint16_t)get16(b + 8);
            env->fpu_fdp = get16(b + 10);
            env->fpu_fds = (uint16_t)get16(b + 12);
        }
    } else {
        uint32_t ip, dp;
        if (op32) {
            ip = get16(b + 12) | (get32(b + 16) >> 12 & 0xffff) << 16;
            env->fpu_fop = (uint16_t)(get16(b + 16) & 0x7ff);
            dp = get16(b + 20) | (get32(b + 24) >> 12 & 0xffff) << 16;
        } else {
            ip = get16(b + 6) | (get16(b + 8) >> 12) << 16;
            env->fpu_fop = (uint16_t)(get16(b + 8) & 0x7ff);
            dp = get16(b + 10) | (get16(b + 12) >> 12) << 16;
        }
        /* kept as linear offsets with a null selector */
        env->fpu_fip = ip; env->fpu_fcs = 0;
        env->fpu_fdp = dp; env->fpu_fds = 0;
    }
    env->fpu_fcw = (cw & FCW_WRITABLE) | 0x0040;
    fpu_set_tw(env, tw);
    fpu_set_sw(env, sw);
    return n;
}

void fpu_fnstenv(CPUState *env, uint32_t lin, bool op32)
{
    uint8_t b[28];
    uint32_t n = fpu_env_image(env, b, op32);

    fpu_store_buf(env, lin, b, n);
    /* FNSTENV then masks every exception (SDM FSTENV); ES is left as it
     * is (the handler's FNCLEX clears it), as Bochs does */
    env->fpu_fcw |= FCW_MASKS;
}

void fpu_fldenv(CPUState *env, uint32_t lin, bool op32)
{
    uint8_t b[28];

    fpu_load_buf(env, lin, b, op32 ? 28 : 14);
    fpu_env_load(env, b, op32);
}

void fpu_fnsave(CPUState *env, uint32_t lin, bool op32)
{
    uint8_t b[108];
    uint32_t n = fpu_env_image(env, b, op32);

    for (int i = 0; i < 8; i++)
        put80(b + n + 10 * i, env->fpu_st[(env->fpu_top + i) & 7]);
    fpu_store_buf(env, lin, b, n + 80);
    fpu_reset(env, false);
}

void fpu_frstor(CPUState *env, uint32_t lin, bool op32)
{
    uint8_t b[108];
    uint32_t n = op32 ? 28 : 14;

    fpu_load_buf(env, lin, b, n + 80);
    fpu_env_load(env, b, op32);
    for (int i = 0; i < 8; i++)
        env->fpu_st[(env->fpu_top + i) & 7] = get80(b + n + 10 * i);
}

/* ------------------------------------------------------------------ */
/* FXSAVE / FXRSTOR (SDM Vol. 2 FXSAVE, table 3-53: 32-bit layout).    */
/* MXCSR and MXCSR_MASK (FFFFh with DAZ, 0 = "FFBFh" without) at 24/28; */
/* XMM0-7 at 160-287 on models with SSE (sse/helpers_simd.c).  Bytes   */
/* 288-511 are reserved and not written.                                */

void fpu_fxsave(CPUState *env, uint32_t lin)
{
    uint8_t b[288];
    uint32_t n = cpuid_has(env, CPUID_SSE) ? 288 : 160;
    uint8_t abridged = env->fpu_valid;

    memset(b, 0, sizeof b);
    put16(b + 0, env->fpu_fcw);
    put16(b + 2, fpu_get_sw(env));
    b[4] = abridged;
    put16(b + 6, env->fpu_fop);
    put32(b + 8, env->fpu_fip);
    put16(b + 12, env->fpu_fcs);
    put32(b + 16, env->fpu_fdp);
    put16(b + 20, env->fpu_fds);
    put32(b + 24, env->fpu_mxcsr);
    /* MXCSR_MASK: FFFFh with DAZ; 0 without (the field is reserved there,
     * and software then assumes FFBFh: SDM Vol. 1 11.6.3, 11.6.6) */
    put32(b + 28, cpuid_get_model(env)->mxcsr_daz ? 0xffffu : 0);
    for (int i = 0; i < 8; i++)
        put80(b + 32 + 16 * i, env->fpu_st[(env->fpu_top + i) & 7]);
    /* bytes 10-15 of each register slot are reserved: left as zero */
    memcpy(b + 160, env->xmm, 128);
    fpu_store_buf(env, lin, b, n);
}

void fpu_fxrstor(CPUState *env, uint32_t lin)
{
    uint8_t b[288];
    uint32_t n = cpuid_has(env, CPUID_SSE) ? 288 : 160;

    fpu_load_buf(env, lin, b, n);
    simd_load_mxcsr(env, get32(b + 24));    /* #GP(0) on a reserved bit, before any change */
    env->fpu_fcw = (uint16_t)((get16(b) & FCW_WRITABLE) | 0x0040);
    env->fpu_valid = b[4];
    env->fpu_fop = (uint16_t)(get16(b + 6) & 0x7ff);
    env->fpu_fip = get32(b + 8);
    env->fpu_fcs = (uint16_t)get16(b + 12);
    env->fpu_fdp = get32(b + 16);
    env->fpu_fds = (uint16_t)get16(b + 20);
    fpu_set_sw(env, (uint16_t)get16(b + 2));
    for (int i = 0; i < 8; i++)
        env->fpu_st[(env->fpu_top + i) & 7] = get80(b + 32 + 16 * i);
    if (n > 160)
        memcpy(env->xmm, b + 160, 128);
}
