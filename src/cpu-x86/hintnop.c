/*
 * hintnop.c - the hint-NOP space decided from the raw instruction bytes.
 *
 * 0F 18 .. 0F 1F with any ModRM byte is, on a P6-or-later CPU without the
 * later extensions that took parts of it (MPX 0F 1A/1B, CET's ENDBR32
 * F3 0F 1E FB / ENDBR64 F3 0F 1E FA, CLDEMOTE, ...), an instruction that
 * does nothing: 0F 18 /0-3 are PREFETCHNTA/T0/T1/T2, 0F 1F /0 is the
 * multi-byte NOP, the rest are "reserved NOPs" (SDM Vol. 2B, NOP and
 * PREFETCHh; Vol. 2D, Table A-3).  None of them touches memory: the SDM
 * says the multi-byte NOP "will not issue a memory operation" and PREFETCHh
 * "does not affect program behavior" and raises no exception but #UD for
 * LOCK, so a memory operand is never checked against a segment limit or
 * the page tables.
 *
 * Capstone 4.0.2 is wrong or unhelpful for much of this space (docs/
 * cpu-frontend.md has the table): it rejects most register forms, returns
 * ENDBR32/ENDBR64/PREFETCH* ids that the instruction table does not know,
 * and decodes 0F 1E FB without F3 as invalid.  The front end (translate.c)
 * therefore asks x86_hint_nop_len() first and uses Capstone only when this
 * says no.
 *
 *     int n = x86_hint_nop_len(buf, 15, true);   // f3 0f 1e fb -> 4
 */
#include "cpu-x86/frontend.h"

/* bytes of ModRM + SIB + displacement starting at modrm (p[0]); 0 if they
 * do not fit in avail bytes */
static int modrm_len(const uint8_t *p, int avail, bool addr32)
{
    int mod, rm, n = 1;

    if (avail < 1) {
        return 0;
    }
    mod = p[0] >> 6;
    rm = p[0] & 7;
    if (mod == 3) {
        return 1;
    }
    if (addr32) {
        if (rm == 4) {                          /* SIB */
            if (avail < 2) {
                return 0;
            }
            n++;
            if (mod == 0 && (p[1] & 7) == 5) {
                n += 4;                         /* [index*s + disp32] */
            }
        } else if (mod == 0 && rm == 5) {
            n += 4;                             /* [disp32] */
        }
        n += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    } else {
        if (mod == 0 && rm == 6) {
            n += 2;                             /* [disp16] */
        }
        n += mod == 1 ? 1 : mod == 2 ? 2 : 0;
    }
    return n <= avail ? n : 0;
}

int x86_hint_nop_len(const uint8_t *p, int len, bool code32)
{
    bool p67 = false;
    int i = 0, m;

    if (len > X86_MAX_INSN_LEN) {
        len = X86_MAX_INSN_LEN;                 /* longer than 15 bytes: not ours */
    }
    for (; i < len; i++) {
        switch (p[i]) {
        case 0x67:
            p67 = true;
            continue;
        case 0x66: case 0xf0: case 0xf2: case 0xf3:
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
            continue;
        default:
            break;
        }
        break;
    }
    if (i + 2 > len || p[i] != 0x0f || p[i + 1] < 0x18 || p[i + 1] > 0x1f) {
        return 0;
    }
    m = modrm_len(p + i + 2, len - i - 2, code32 ^ p67);
    return m ? i + 2 + m : 0;
}
