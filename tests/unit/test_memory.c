/*
 * test_memory.c - unit tests for the physical memory map (memory.c):
 * RAM/ROM/MMIO/unassigned access rules, overlap order, page-crossing
 * splits, bulk copies and the code-write hook.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "bus/memory.h"

/* --- a fake MMIO device that records its last access --- */
typedef struct FakeMmio {
    uint32_t last_off, last_val;
    int last_size, reads, writes;
} FakeMmio;

static uint32_t fake_read(void *opaque, uint32_t off, int size)
{
    FakeMmio *f = opaque;
    f->last_off = off; f->last_size = size; f->reads++;
    return 0xA0 + off;            /* recognisable per-offset value */
}

static void fake_write(void *opaque, uint32_t off, uint32_t v, int size)
{
    FakeMmio *f = opaque;
    f->last_off = off; f->last_val = v; f->last_size = size; f->writes++;
}

static const MemOps fake_ops = { fake_read, fake_write };

/* --- code-write hook recorder --- */
typedef struct HookLog { int calls; uint32_t paddr; int size; } HookLog;
static void hook_rec(void *opaque, GuestPhys paddr, int size)
{
    HookLog *h = opaque;
    h->calls++; h->paddr = paddr; h->size = size;
}

static void test_ram_sizes(void)
{
    PhysMem *pm = physmem_new();
    physmem_add_ram(pm, 0, 1 << 20, NULL);
    CU_ASSERT_PTR_NOT_NULL(pm->ram);
    CU_ASSERT_EQUAL(pm->ram_size, 1u << 20);
    static const struct { uint32_t addr; int size; uint32_t val; } cases[] = {
        { 0x100, 1, 0x5a }, { 0x200, 2, 0xbeef }, { 0x300, 4, 0xdeadbeef },
        { 0x401, 4, 0x01020304 }, { 0x0fff, 1, 0x77 }, { 0xfffff, 1, 0x11 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        physmem_write(pm, cases[i].addr, cases[i].val, cases[i].size);
        CU_ASSERT_EQUAL(physmem_read(pm, cases[i].addr, cases[i].size), cases[i].val);
    }
    /* little-endian layout in host memory */
    CU_ASSERT_EQUAL(pm->ram[0x300], 0xef);
    CU_ASSERT_EQUAL(pm->ram[0x303], 0xde);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x300, 1), 0xef);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x302, 2), 0xdead);
    physmem_free(pm);
}

static void test_cross_page(void)
{
    PhysMem *pm = physmem_new();
    physmem_add_ram(pm, 0, 2 * PAGE_SIZE, NULL);
    physmem_write(pm, 0xffe, 0x11223344, 4);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xffe, 1), 0x44);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xfff, 1), 0x33);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x1000, 1), 0x22);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x1001, 1), 0x11);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xffe, 4), 0x11223344);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xfff, 2), 0x2233);
    /* RAM ends at 0x2000: the upper bytes of a straddling read are ones */
    physmem_write(pm, 0x1ffe, 0xabcd, 2);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x1ffe, 4), 0xffffabcd);
    physmem_write(pm, 0x1fff, 0x12345678, 4);       /* only 0x78 lands */
    CU_ASSERT_EQUAL(physmem_read(pm, 0x1fff, 1), 0x78);
    physmem_free(pm);
}

static void test_unassigned(void)
{
    PhysMem *pm = physmem_new();
    CU_ASSERT_EQUAL(physmem_read(pm, 0x12345678, 1), 0xff);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x12345678, 2), 0xffff);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x12345678, 4), 0xffffffff);
    physmem_write(pm, 0x12345678, 0, 4);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x12345678, 4), 0xffffffff);
    /* wrap-around at the top of the 4 GiB space does not crash */
    CU_ASSERT_EQUAL(physmem_read(pm, 0xfffffffe, 4), 0xffffffff);
    physmem_free(pm);
}

static void test_rom(void)
{
    PhysMem *pm = physmem_new();
    uint8_t img[0x1800];
    for (size_t i = 0; i < sizeof(img); i++)
        img[i] = (uint8_t)i;
    physmem_add_ram(pm, 0, 1 << 20, NULL);
    physmem_add_rom(pm, 0xffffe000, img, sizeof(img));
    physmem_add_rom(pm, 0xf0000, img, sizeof(img));  /* later wins over RAM */
    CU_ASSERT_EQUAL(physmem_read(pm, 0xffffe010, 1), 0x10);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xffffe100, 4), 0x03020100);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xf0100, 2), 0x0100);
    /* padding up to the page is 0xff */
    CU_ASSERT_EQUAL(physmem_read(pm, 0xffffe000 + 0x1800, 4), 0xffffffff);
    /* writes ignored, also through write_buf */
    physmem_write(pm, 0xf0010, 0x99, 1);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xf0010, 1), 0x10);
    uint8_t z[4] = { 0 };
    CU_ASSERT_TRUE(physmem_write_buf(pm, 0xf0010, z, 4));
    CU_ASSERT_EQUAL(physmem_read(pm, 0xf0010, 1), 0x10);
    /* RAM below the ROM overlay is still RAM */
    physmem_write(pm, 0xef000, 0x42, 1);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xef000, 1), 0x42);
    physmem_free(pm);
}

static void test_mmio(void)
{
    PhysMem *pm = physmem_new();
    FakeMmio f = { 0 };
    physmem_add_ram(pm, 0, 1 << 20, NULL);
    physmem_add_mmio(pm, "fake", 0xfec00000, 0x1000, &fake_ops, &f);
    CU_ASSERT_EQUAL(physmem_read(pm, 0xfec00010, 4), 0xb0);
    CU_ASSERT_EQUAL(f.last_off, 0x10);
    CU_ASSERT_EQUAL(f.last_size, 4);
    physmem_write(pm, 0xfec00020, 0x1234, 2);
    CU_ASSERT_EQUAL(f.last_off, 0x20);
    CU_ASSERT_EQUAL(f.last_val, 0x1234);
    CU_ASSERT_EQUAL(f.last_size, 2);
    /* an MMIO region mapped over RAM hides it */
    physmem_add_mmio(pm, "fake2", 0x2000, 0x1000, &fake_ops, &f);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x2003, 1), 0xa3);
    /* straddling RAM and MMIO: byte-wise, each part to its owner */
    f.writes = 0;
    physmem_write(pm, 0x1ffe, 0xddccbbaa, 4);
    CU_ASSERT_EQUAL(f.writes, 2);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x1ffe, 2), 0xbbaa);
    CU_ASSERT_EQUAL(physmem_read(pm, 0x1ffe, 4), 0xa1a0bbaa);
    /* bulk copies do not touch MMIO */
    uint8_t buf[8];
    f.reads = 0;
    CU_ASSERT_FALSE(physmem_read_buf(pm, 0x1ffc, buf, 8));
    CU_ASSERT_EQUAL(f.reads, 0);
    CU_ASSERT_EQUAL(buf[2], 0xaa);
    CU_ASSERT_EQUAL(buf[4], 0xff);
    physmem_free(pm);
}

static void test_bulk(void)
{
    PhysMem *pm = physmem_new();
    physmem_add_ram(pm, 0, 3 * PAGE_SIZE, NULL);
    uint8_t in[6000], out[6000];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 7);
    CU_ASSERT_TRUE(physmem_write_buf(pm, 1000, in, sizeof(in)));
    CU_ASSERT_TRUE(physmem_read_buf(pm, 1000, out, sizeof(out)));
    CU_ASSERT_EQUAL(memcmp(in, out, sizeof(in)), 0);
    CU_ASSERT_EQUAL(physmem_read(pm, 1000 + 4500, 1), (uint8_t)(4500 * 7));
    /* past the end of RAM */
    CU_ASSERT_FALSE(physmem_write_buf(pm, 3 * PAGE_SIZE - 2, in, 4));
    CU_ASSERT_FALSE(physmem_read_buf(pm, 3 * PAGE_SIZE - 2, out, 4));
    CU_ASSERT_EQUAL(out[0], in[0]);
    CU_ASSERT_EQUAL(out[1], in[1]);
    CU_ASSERT_EQUAL(out[2], 0xff);
    physmem_free(pm);
}

static void test_code_hook(void)
{
    PhysMem *pm = physmem_new();
    HookLog h = { 0 };
    static uint8_t host[4 * PAGE_SIZE];     /* caller-provided RAM */
    physmem_add_ram(pm, 0, sizeof(host), host);
    CU_ASSERT_PTR_EQUAL(pm->ram, host);
    physmem_set_code_hook(pm, hook_rec, &h);
    physmem_write(pm, 0x1010, 1, 4);
    CU_ASSERT_EQUAL(h.calls, 0);
    physmem_mark_code(pm, 0x1000, true);
    physmem_write(pm, 0x1010, 0x90909090, 4);
    CU_ASSERT_EQUAL(h.calls, 1);
    CU_ASSERT_EQUAL(h.paddr, 0x1010);
    CU_ASSERT_EQUAL(h.size, 4);
    CU_ASSERT_EQUAL(host[0x1010], 0x90);           /* data stored */
    /* a store straddling into the code page reports the code-page part */
    h.calls = 0;
    physmem_write(pm, 0xffe, 0xffffffff, 4);
    CU_ASSERT_EQUAL(h.calls, 2);
    CU_ASSERT_EQUAL(h.paddr, 0x1001);
    /* bulk writes too */
    h.calls = 0;
    uint8_t buf[PAGE_SIZE * 2] = { 0 };
    physmem_write_buf(pm, 0x800, buf, sizeof(buf));
    CU_ASSERT_EQUAL(h.calls, 1);
    CU_ASSERT_EQUAL(h.paddr, 0x1000);
    CU_ASSERT_EQUAL(h.size, (int)PAGE_SIZE);
    /* unmarked again: silent */
    physmem_mark_code(pm, 0x1000, false);
    h.calls = 0;
    physmem_write(pm, 0x1010, 0, 1);
    CU_ASSERT_EQUAL(h.calls, 0);
    physmem_free(pm);
}

void register_memory_tests(void)
{
    CU_pSuite s = CU_add_suite("memory", NULL, NULL);
    CU_add_test(s, "RAM access sizes, little endian", test_ram_sizes);
    CU_add_test(s, "page-crossing accesses are split", test_cross_page);
    CU_add_test(s, "unassigned reads all ones", test_unassigned);
    CU_add_test(s, "ROM reads, ignores writes, overlays RAM", test_rom);
    CU_add_test(s, "MMIO dispatch with region offsets", test_mmio);
    CU_add_test(s, "bulk read/write across pages", test_bulk);
    CU_add_test(s, "code-write hook on pages with code", test_code_hook);
}
