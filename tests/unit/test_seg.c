/*
 * test_seg.c - unit tests of the segment limit rule every check shares
 * (seg_offset_ok, seg.c; docs/cpu.md "The limit rule"): a table of
 * segments, offsets and sizes with the SDM's verdict (vol. 3 5.3),
 * including accesses that wrap past 4 GiB.
 */
#include <CUnit/CUnit.h>
#include "cpu-x86/seg.h"

static void test_offset_rule(void)
{
    static const struct {
        uint32_t limit;
        bool down;
        uint32_t top, off, size;
        bool ok;
    } t[] = {
        /* expand-up */
        { 0xfff, false, 0xffffffff, 0xffc, 4, true },
        { 0xfff, false, 0xffffffff, 0xffd, 4, false },     /* last byte at 1000 */
        { 0xfff, false, 0xffffffff, 0x1000, 1, false },
        { 0xfff, false, 0xffffffff, 0xf94, 108, true },    /* FNSAVE image at the end */
        { 0xfff, false, 0xffffffff, 0xf95, 108, false },
        { 0, false, 0xffffffff, 0, 1, true },
        { 0, false, 0xffffffff, 0, 2, false },
        { 0xffff, false, 0xffff, 0xffff, 2, false },        /* real mode: word at FFFF */
        /* wrapping past 4 GiB: only a 4 GiB limit lets it wrap */
        { 0xffffefff, false, 0xffffffff, 0xfffffffe, 4, false },
        { 0xffffefff, false, 0xffffffff, 0xffffeffc, 4, true },
        { 0xffffffff, false, 0xffffffff, 0xfffffffe, 4, true },
        { 0xffffffff, false, 0xffffffff, 0xfffffffc, 8, true },
        { 0xffffffff, false, 0xffffffff, 0xffffffff, 1, true },
        /* expand-down, B=0: valid limit+1 .. FFFF */
        { 0xfff, true, 0xffff, 0xfff, 1, false },
        { 0xfff, true, 0xffff, 0x1000, 4, true },
        { 0xfff, true, 0xffff, 0xffff, 1, true },
        { 0xfff, true, 0xffff, 0xffff, 2, false },
        { 0xfff, true, 0xffff, 0x10000, 1, false },
        /* expand-down, B=1: valid limit+1 .. FFFFFFFF, wrapped bytes are below */
        { 0xffff, true, 0xffffffff, 0x10000, 1, true },
        { 0xffff, true, 0xffffffff, 0xfffffffc, 4, true },
        { 0xffff, true, 0xffffffff, 0xfffffffe, 4, false },
        { 0, true, 0xffffffff, 0, 1, false },
        { 0, true, 0xffffffff, 1, 4, true },
    };

    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        bool ok = seg_offset_ok(t[i].limit, t[i].down, t[i].top, t[i].off, t[i].size);
        if (ok != t[i].ok)
            fprintf(stderr, "\nseg_offset_ok case %u: limit %08x %s off %08x size %u -> %d\n",
                    i, t[i].limit, t[i].down ? "down" : "up", t[i].off, t[i].size, ok);
        CU_ASSERT_EQUAL(ok, t[i].ok);
    }
}

void register_seg_tests(void)
{
    CU_pSuite s = CU_add_suite("seg", NULL, NULL);
    CU_add_test(s, "limit rule table (SDM vol. 3 5.3)", test_offset_rule);
}
