/*
 * test_hintnop.c - x86_hint_nop_len() (src/cpu-x86/hintnop.c), the raw-
 * byte decoder of the hint-NOP space 0F 18..1F: a table of byte strings
 * with their code size and the expected length (0 = not a hint NOP, or it
 * does not fit in the bytes given / in 15 bytes).  The lengths agree with
 * Capstone 4.0.2 wherever Capstone decodes the form at all.
 */
#include <CUnit/CUnit.h>
#include "unit_util.h"
#include <stdio.h>
#include "cpu-x86/frontend.h"

typedef struct HintCase {
    const char *hex;            /* instruction bytes */
    int avail;                  /* bytes the decoder may look at (0: all of hex) */
    bool code32;
    int len;                    /* expected result */
} HintCase;

static const HintCase hint_cases[] = {
    /* ENDBR32/64 and their neighbours */
    { "f30f1efb", 0, true, 4 },
    { "f30f1efa", 0, true, 4 },
    { "f30f1efb", 0, false, 4 },
    { "0f1efb", 0, true, 3 },
    { "66f30f1efb", 0, true, 5 },
    /* register forms of every opcode */
    { "0f18c0", 0, true, 3 }, { "0f19ff", 0, true, 3 }, { "0f1ad1", 0, false, 3 },
    { "0f1be2", 0, true, 3 }, { "0f1cf3", 0, true, 3 }, { "0f1dc4", 0, true, 3 },
    { "0f1ec8", 0, true, 3 }, { "0f1fc0", 0, true, 3 },
    /* 32-bit addressing: plain, disp8, disp32, SIB, SIB without base */
    { "0f1800", 0, true, 3 },
    { "0f1f4000", 0, true, 4 },
    { "0f1f440000", 0, true, 5 },
    { "0f1f8000000000", 0, true, 7 },
    { "0f1f840000000000", 0, true, 8 },
    { "0f1f0500000000", 0, true, 7 },          /* [disp32] */
    { "0f1f042500000000", 0, true, 8 },        /* SIB, no base: disp32 */
    { "0f1f0424", 0, true, 4 },                /* [esp] */
    { "0f1f4c2410", 0, true, 5 },
    { "0f1f45ff", 0, true, 4 },                /* [ebp-1] */
    /* 16-bit addressing */
    { "0f1f00", 0, false, 3 },
    { "0f1f0600 10", 0, false, 5 },            /* [disp16] (blank skipped) */
    { "0f1f4001", 0, false, 4 },
    { "0f1f800010", 0, false, 5 },
    { "0f1f84ffff", 0, false, 5 },             /* [si+disp16]: no SIB in 16-bit */
    { "0f1f46ff", 0, false, 4 },               /* [bp-1] */
    /* 67 switches the addressing size either way */
    { "670f1f0600 10", 0, true, 6 },
    { "670f1f840000000000", 0, false, 9 },
    { "67670f1f0600 10", 0, true, 7 },         /* a second 67 changes nothing */
    /* the recommended multi-byte NOPs and other prefixes */
    { "660f1f440000", 0, true, 6 },
    { "660f1f840000000000", 0, true, 9 },
    { "662e0f1f840000000000", 0, true, 10 },
    { "66662e0f1f840000000000", 0, true, 11 },
    { "666666666666 2e0f1f840000000000", 0, true, 15 },
    { "26363e6465f2f30f1800", 0, true, 10 },
    { "f00f1f00", 0, true, 4 },                /* LOCK: still its length (#UD later) */
    /* not hint NOPs */
    { "90", 0, true, 0 }, { "f390", 0, true, 0 }, { "0f0d08", 0, true, 0 },
    { "0f1700", 0, true, 0 }, { "0f2000", 0, true, 0 }, { "0f", 0, true, 0 },
    { "0f38 1800", 0, true, 0 },
    /* too long: 16 bytes */
    { "66666666666666 2e0f1f840000000000", 0, true, 0 },
    /* cut short by the bytes available (e.g. a page end) */
    { "0f1f8000000000", 6, true, 0 },
    { "0f1f04", 3, true, 0 },
    { "0f1f", 2, true, 0 },
    { "0f1f8000000000", 7, true, 7 },
};

static void test_hint_nop_len(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(hint_cases); i++) {
        const HintCase *c = &hint_cases[i];
        uint8_t b[32];
        int n = unit_parse_hex(c->hex, b, (int)sizeof b);
        int got = x86_hint_nop_len(b, c->avail ? c->avail : n, c->code32);
        if (got != c->len) {
            printf("\n  %s (%d-bit, %d bytes): length %d, want %d", c->hex,
                   c->code32 ? 32 : 16, c->avail ? c->avail : n, got, c->len);
            CU_FAIL("x86_hint_nop_len");
        }
    }
}

void register_hintnop_tests(void)
{
    CU_pSuite s = CU_add_suite("hintnop", NULL, NULL);
    CU_add_test(s, "hint NOP lengths", test_hint_nop_len);
}
