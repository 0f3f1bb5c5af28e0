/*
 * gen_mmu.c - front-end emitters for the instructions that maintain the
 * TLB (docs/mmu.md).  Today: INVLPG m, which drops the TLB entries of one
 * page through helper_invlpg (helpers_sys.c -> tlb_flush_page).  Its table
 * row is in insn_table_sys.inc (IF_PRIV: CPL 0 checked by the front end).
 * MOV CR0/CR3 and LMSW flush in their helpers.
 */
#include "cpu-x86/gen_sys.h"
#include "cpu-x86/gen.h"
#include "cpu-x86/helpers.h"

void gen_INVLPG(DisasContext *s)
{
    if (!op_is_mem(s, 0)) {
        gen_ud(s);               /* 0F 01 /7 with a register: not INVLPG */
        return;
    }
    /* no access, so no segment check (SDM "INVLPG" lists none) */
    gen_helper(s, HELPER_invlpg, 1, gen_ea_access(s, 0, 0, false));
}
