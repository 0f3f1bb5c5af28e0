/*
 * translate.h - the x86 front end: guest code to IR (public side).
 *
 * x86_translate_block() decodes guest instructions with Capstone, one at a
 * time, starting at the CPU's cs_base+eip, and emits IR through the
 * emitter that the instruction table (insn_table.c) names for each
 * Capstone instruction id.  The Capstone handles live in an X86FrontEnd
 * owned by the Translator (no global state).  See docs/cpu-frontend.md.
 */
#ifndef TX86_TRANSLATE_H
#define TX86_TRANSLATE_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "translator/translator.h"
#include "cpu-x86/cpu.h"

typedef struct X86FrontEnd X86FrontEnd;

/* what the translator knows of the x86 guest (guest.c) */
extern const GuestDesc x86_guest;

X86FrontEnd *x86_frontend_new(GError **errp);   /* opens Capstone (16/32-bit) */
void         x86_frontend_free(X86FrontEnd *fe);
/* translate the block at tb->pc/cs_base/hflags into ir; fills tb->size,
 * tb->n_insns, tb->phys_page2, tb->jmp_pc[].  A fetch fault on the first
 * instruction raises the guest exception; later ones end the block before
 * that instruction. */
void x86_translate_block(X86FrontEnd *fe, struct CPUState *env,
                         TranslationBlock *tb, IRBlock *ir);

#endif
