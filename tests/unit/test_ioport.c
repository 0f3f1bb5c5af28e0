/*
 * test_ioport.c - unit tests for the port I/O bus (ioport.c): dispatch,
 * size splitting per the device's supported sizes, unassigned ports and
 * registration conflicts.
 */
#include <CUnit/CUnit.h>
#include "bus/ioport.h"

/* a fake device that logs every access it receives */
typedef struct FakeDev {
    int n;
    struct { uint16_t port; int size; uint32_t val; bool write; } log[8];
    uint8_t regs[16];               /* byte registers from its base */
    uint16_t base;
} FakeDev;

static uint32_t fake_in(void *opaque, uint16_t port, int size)
{
    FakeDev *d = opaque;
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)d->regs[(port - d->base + i) & 15] << (8 * i);
    if (d->n < 8)
        d->log[d->n++] = (typeof(d->log[0])){ port, size, v, false };
    return v;
}

static void fake_out(void *opaque, uint16_t port, uint32_t v, int size)
{
    FakeDev *d = opaque;
    for (int i = 0; i < size; i++)
        d->regs[(port - d->base + i) & 15] = (uint8_t)(v >> (8 * i));
    if (d->n < 8)
        d->log[d->n++] = (typeof(d->log[0])){ port, size, v, true };
}

static const IOPortOps ops8 = { fake_in, fake_out, IO_SIZE_8 };
static const IOPortOps ops16 = { fake_in, fake_out, IO_SIZE_16 };
static const IOPortOps ops_all = { fake_in, fake_out, IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32 };
static const IOPortOps ops_wo = { NULL, fake_out, IO_SIZE_8 };

static void test_unassigned(void)
{
    IOBus *bus = iobus_new();
    CU_ASSERT_EQUAL(ioport_read(bus, 0x80, 1), 0xff);
    CU_ASSERT_EQUAL(ioport_read(bus, 0x80, 2), 0xffff);
    CU_ASSERT_EQUAL(ioport_read(bus, 0xfffe, 4), 0xffffffff);   /* wraps, no crash */
    ioport_write(bus, 0x80, 0x12, 1);
    iobus_free(bus);
}

static void test_native_sizes(void)
{
    IOBus *bus = iobus_new();
    FakeDev d = { .base = 0x100 };
    CU_ASSERT_TRUE(ioport_register(bus, 0x100, 8, &ops_all, &d, "all"));
    ioport_write(bus, 0x100, 0x11223344, 4);
    CU_ASSERT_EQUAL(d.n, 1);
    CU_ASSERT_EQUAL(d.log[0].size, 4);
    CU_ASSERT_EQUAL(ioport_read(bus, 0x102, 2), 0x1122);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_EQUAL(d.log[1].port, 0x102);
    /* value is masked to the access size */
    ioport_write(bus, 0x104, 0xabcd1234, 1);
    CU_ASSERT_EQUAL(d.log[2].val, 0x34);
    iobus_free(bus);
}

static void test_split(void)
{
    static const struct {
        const IOPortOps *ops;
        int size;
        int n_parts;
        int part_size;
    } cases[] = {
        { &ops8, 2, 2, 1 },      /* word to a byte device: two bytes */
        { &ops8, 4, 4, 1 },      /* dword: four bytes */
        { &ops16, 4, 2, 2 },     /* dword to a word device: two words */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        IOBus *bus = iobus_new();
        FakeDev d = { .base = 0x60 };
        ioport_register(bus, 0x60, 8, cases[i].ops, &d, "dev");
        ioport_write(bus, 0x60, 0x44332211, cases[i].size);
        CU_ASSERT_EQUAL(d.n, cases[i].n_parts);
        for (int k = 0; k < d.n; k++) {
            CU_ASSERT_EQUAL(d.log[k].size, cases[i].part_size);
            CU_ASSERT_EQUAL(d.log[k].port, 0x60 + k * cases[i].part_size);
        }
        CU_ASSERT_EQUAL(d.log[0].val, cases[i].part_size == 1 ? 0x11u : 0x2211u);
        uint32_t want = cases[i].size == 2 ? 0x2211 : 0x44332211;
        CU_ASSERT_EQUAL(ioport_read(bus, 0x60, cases[i].size), want);
        iobus_free(bus);
    }
}

static void test_byte_to_word_device(void)
{
    IOBus *bus = iobus_new();
    FakeDev d = { .base = 0x1f0 };
    ioport_register(bus, 0x1f0, 2, &ops16, &d, "word-only");
    d.regs[0] = 0x34; d.regs[1] = 0x12;
    CU_ASSERT_EQUAL(ioport_read(bus, 0x1f0, 1), 0x34);
    CU_ASSERT_EQUAL(d.log[0].size, 2);
    iobus_free(bus);
}

static void test_two_devices(void)
{
    IOBus *bus = iobus_new();
    FakeDev a = { .base = 0x70 }, b = { .base = 0x71 };
    ioport_register(bus, 0x70, 1, &ops8, &a, "a");
    ioport_register(bus, 0x71, 1, &ops8, &b, "b");
    ioport_write(bus, 0x70, 0xbbaa, 2);
    CU_ASSERT_EQUAL(a.n, 1);
    CU_ASSERT_EQUAL(b.n, 1);
    CU_ASSERT_EQUAL(a.log[0].val, 0xaa);
    CU_ASSERT_EQUAL(b.log[0].val, 0xbb);
    /* half assigned, half not */
    CU_ASSERT_EQUAL(ioport_read(bus, 0x71, 2), 0xffbb);
    iobus_free(bus);
}

static void test_register(void)
{
    IOBus *bus = iobus_new();
    FakeDev d = { 0 };
    CU_ASSERT_TRUE(ioport_register(bus, 0x3f8, 8, &ops8, &d, "uart"));
    CU_ASSERT_FALSE(ioport_register(bus, 0x3ff, 1, &ops8, &d, "overlap"));
    CU_ASSERT_FALSE(ioport_register(bus, 0xfffe, 4, &ops8, &d, "past the end"));
    CU_ASSERT_FALSE(ioport_register(bus, 0x10, 0, &ops8, &d, "empty"));
    CU_ASSERT_TRUE(ioport_register(bus, 0xfffc, 4, &ops8, &d, "last ports"));
    CU_ASSERT_STRING_EQUAL(bus->ports[0x3fa].name, "uart");
    /* a device without a read hook reads as all ones */
    CU_ASSERT_TRUE(ioport_register(bus, 0xf4, 4, &ops_wo, &d, "wo"));
    CU_ASSERT_EQUAL(ioport_read(bus, 0xf4, 1), 0xff);
    iobus_free(bus);
}

void register_ioport_tests(void)
{
    CU_pSuite s = CU_add_suite("ioport", NULL, NULL);
    CU_add_test(s, "unassigned ports", test_unassigned);
    CU_add_test(s, "native access sizes", test_native_sizes);
    CU_add_test(s, "wide accesses split per device sizes", test_split);
    CU_add_test(s, "byte access to a word-only device", test_byte_to_word_device);
    CU_add_test(s, "access spanning two devices", test_two_devices);
    CU_add_test(s, "registration conflicts and ranges", test_register);
}
