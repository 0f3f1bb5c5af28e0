/*
 * gen_msr.c - emitters for RDMSR, WRMSR, RDPMC, SYSENTER and SYSEXIT.
 *
 * Each is one helper call (msr.c) that reads and writes the registers it
 * needs in env.  Their rows (insn_table_sys.inc, last block) carry the
 * model feature that must be present (#UD otherwise) and, for RDMSR and
 * WRMSR, IF_PRIV.  WRMSR ends the block (EFER.NXE changes the TLB);
 * SYSENTER and SYSEXIT set CS, SS, CPL and eip themselves and end the
 * block with LOOKUP_TB, like an indirect jump (gen_jmp_indirect): the
 * jump cache compares the whole key (CS base and limit, hflags with the
 * new CPL), and neither instruction sets IF, so the CPU loop has no new
 * interrupt window to see (it still does after a single-step or
 * interrupt-shadow block: STI; SYSEXIT).
 */
#include "cpu-x86/gen_sys.h"
#include "cpu-x86/gen.h"

void gen_RDMSR(DisasContext *s) { gen_helper(s, HELPER_rdmsr, 0); }
void gen_RDPMC(DisasContext *s) { gen_helper(s, HELPER_rdpmc, 0); }

void gen_WRMSR(DisasContext *s)
{
    gen_helper(s, HELPER_wrmsr, 0);
    s->is_jmp = DISAS_STOP;
}

/* SYSENTER, SYSEXIT: table arg 0 = SYSENTER, 1 = SYSEXIT */
void gen_SYSENTER(DisasContext *s)
{
    gen_helper(s, s->info->arg ? HELPER_sysexit : HELPER_sysenter, 0);
    gen_jmp_indirect(s, ir_ld_env(s->ir, (uint32_t)offsetof(CPUState, eip)));
}
