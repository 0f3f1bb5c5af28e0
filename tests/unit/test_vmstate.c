/*
 * test_vmstate.c - the saved-state serializer (bus/vmstate.c) and the
 * machine's stream (machine/savevm.c): every field type round-trips,
 * older streams load with the newer fields at their reset values, and
 * every malformed stream (unknown or renamed field, other sizes, newer
 * versions, any truncation, any flipped byte) is refused with an error,
 * without writing anything, and without a crash.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "bus/vmstate.h"
#include "bus/clock.h"
#include "machine/machine.h"
#include "machine/savevm.h"
#include "mmu/mmu.h"

typedef struct Inner {
    uint16_t a;
    bool b;
} Inner;

typedef struct Thing {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    bool flag;
    uint32_t arr[3];
    uint8_t bytes[5];
    uint8_t *buf;
    uint32_t vlen;
    uint8_t *vbuf;
    Timer *timer;
    Inner in[2];
    uint32_t added_v2;          /* a field of version 2 */
} Thing;

static const VMStateField inner_fields[] = {
    VMS_U16(Inner, a, 1),
    VMS_BOOL(Inner, b, 1),
    VMS_END
};
static const VMStateDesc inner_vmsd = { .name = "inner", .version = 1, .min_version = 1,
                                        .fields = inner_fields };

#define THING_FIELDS_V1 \
    VMS_U8(Thing, u8, 1), VMS_U16(Thing, u16, 1), VMS_U32(Thing, u32, 1), \
    VMS_U64(Thing, u64, 1), VMS_I32(Thing, i32, 1), VMS_BOOL(Thing, flag, 1), \
    VMS_INT_ARRAY(Thing, arr, 1), VMS_BYTES(Thing, bytes, 1), VMS_BUFFER(Thing, buf, 8, 1), \
    VMS_VBUFFER(Thing, vbuf, vlen, 1), VMS_TIMER(Thing, timer, 1), \
    VMS_STRUCT_ARRAY(Thing, in, inner_vmsd, 1)

static const VMStateField thing_fields_v1[] = { THING_FIELDS_V1, VMS_END };
static const VMStateField thing_fields_v2[] = { THING_FIELDS_V1, VMS_U32(Thing, added_v2, 2),
                                                VMS_END };
static int post_load_version;
static bool thing_post_load(void *opaque, int version, GError **errp)
{
    post_load_version = version;
    return true;
}
static const VMStateDesc thing_v1 = { .name = "thing", .version = 1, .min_version = 1,
                                      .fields = thing_fields_v1 };
static const VMStateDesc thing_v2 = { .name = "thing", .version = 2, .min_version = 1,
                                      .fields = thing_fields_v2, .post_load = thing_post_load };
static const VMStateDesc thing_v2_only = { .name = "thing", .version = 2, .min_version = 2,
                                           .fields = thing_fields_v2 };

static uint8_t bufs[4][16];
static VirtClock test_clock;

static void noop_cb(void *opaque) { }

static void thing_init(Thing *t, int k, bool fill)
{
    memset(t, 0, sizeof(*t));
    t->buf = bufs[2 * k];
    t->vbuf = bufs[2 * k + 1];
    memset(t->buf, 0, 16);
    memset(t->vbuf, 0, 16);
    t->vlen = 6;
    t->timer = timer_new(&test_clock, noop_cb, NULL);
    if (!fill)
        return;
    t->u8 = 0xa5;
    t->u16 = 0xbeef;
    t->u32 = 0xdeadbeef;
    t->u64 = 0x0123456789abcdefull;
    t->i32 = -7;
    t->flag = true;
    t->arr[0] = 1; t->arr[1] = 2; t->arr[2] = 0xffffffff;
    memcpy(t->bytes, "hello", 5);
    memcpy(t->buf, "8bytes!!", 8);
    memcpy(t->vbuf, "six..6", 6);
    timer_mod(t->timer, 123456789);
    t->in[0].a = 11; t->in[1].a = 22; t->in[1].b = true;
    t->added_v2 = 42;
}

static void thing_fini(Thing *t)
{
    timer_free(t->timer);
}

static GByteArray *save(const VMStateDesc *d, Thing *t)
{
    GByteArray *o = g_byte_array_new();
    vmstate_save(d, t, o);
    return o;
}

static void test_descs_are_well_formed(void)
{
    GError *err = NULL;
    CU_ASSERT(vmstate_check_desc(&thing_v1, sizeof(Thing), &err));
    CU_ASSERT(vmstate_check_desc(&thing_v2, sizeof(Thing), &err));
    CU_ASSERT(vmstate_check_desc(&cpu_vmsd, sizeof(CPUState), &err));
    CU_ASSERT(vmstate_check_desc(&clock_vmsd, sizeof(VirtClock), &err));
    CU_ASSERT(err == NULL);
    /* a field outside its struct, and a duplicated name, are caught */
    static const VMStateField bad1[] = { VMS_U64(Thing, added_v2, 1), VMS_END };
    static const VMStateDesc d1 = { "bad", 1, 1, bad1 };
    CU_ASSERT(!vmstate_check_desc(&d1, offsetof(Thing, added_v2) + 2, &err));
    g_clear_error(&err);
    static const VMStateField bad2[] = { VMS_U8(Thing, u8, 1), VMS_U8(Thing, u8, 1), VMS_END };
    static const VMStateDesc d2 = { "bad", 1, 1, bad2 };
    CU_ASSERT(!vmstate_check_desc(&d2, sizeof(Thing), &err));
    g_clear_error(&err);
    static const VMStateField bad3[] = { VMS_U8(Thing, u8, 2), VMS_END };
    static const VMStateDesc d3 = { "bad", 1, 1, bad3 };     /* field newer than section */
    CU_ASSERT(!vmstate_check_desc(&d3, sizeof(Thing), &err));
    g_clear_error(&err);
}

static void test_round_trip(void)
{
    clock_init(&test_clock, true);
    Thing a, b;
    thing_init(&a, 0, true);
    thing_init(&b, 1, false);
    g_autoptr(GByteArray) s = save(&thing_v2, &a);
    GError *err = NULL;
    CU_ASSERT(vmstate_load(&thing_v2, &b, 2, s->data, s->len, false, "thing", &err));
    CU_ASSERT(b.u32 == 0 && !b.timer->pending);        /* a check writes nothing */
    CU_ASSERT(vmstate_load(&thing_v2, &b, 2, s->data, s->len, true, "thing", &err));
    CU_ASSERT(err == NULL);
    CU_ASSERT(b.u8 == a.u8 && b.u16 == a.u16 && b.u32 == a.u32 && b.u64 == a.u64);
    CU_ASSERT(b.i32 == -7 && b.flag && b.arr[2] == 0xffffffff && !memcmp(b.bytes, "hello", 5));
    CU_ASSERT(!memcmp(b.buf, "8bytes!!", 8) && !memcmp(b.vbuf, "six..6", 6));
    CU_ASSERT(b.timer->pending && b.timer->deadline == 123456789);
    CU_ASSERT(b.in[0].a == 11 && b.in[1].a == 22 && b.in[1].b && !b.in[0].b);
    CU_ASSERT(b.added_v2 == 42);
    g_autoptr(GByteArray) s2 = save(&thing_v2, &b);
    CU_ASSERT(s->len == s2->len && !memcmp(s->data, s2->data, s->len));
    /* a pending timer saved as idle disarms the loaded one */
    timer_del(a.timer);
    g_autoptr(GByteArray) s3 = save(&thing_v2, &a);
    CU_ASSERT(vmstate_load(&thing_v2, &b, 2, s3->data, s3->len, true, "thing", &err));
    CU_ASSERT(!b.timer->pending);
    thing_fini(&a);
    thing_fini(&b);
}

static void test_versions(void)
{
    clock_init(&test_clock, true);
    Thing a, b;
    thing_init(&a, 0, true);
    thing_init(&b, 1, false);
    b.added_v2 = 7;                         /* its reset value */
    GError *err = NULL;
    /* an older stream: the newer field keeps its value, post_load is told */
    g_autoptr(GByteArray) s1 = save(&thing_v1, &a);
    post_load_version = 0;
    CU_ASSERT(vmstate_load(&thing_v2, &b, 1, s1->data, s1->len, true, "thing", &err));
    CU_ASSERT(b.u32 == a.u32 && b.added_v2 == 7);
    /* older than min_version, or newer than this tx86: refused by name */
    CU_ASSERT(!vmstate_load(&thing_v2_only, &b, 1, s1->data, s1->len, false, "thing", &err));
    CU_ASSERT(err && strstr(err->message, "version 1"));
    g_clear_error(&err);
    g_autoptr(GByteArray) s2 = save(&thing_v2, &a);
    CU_ASSERT(!vmstate_load(&thing_v1, &b, 2, s2->data, s2->len, false, "thing", &err));
    g_clear_error(&err);
    /* a stream claiming version 2 but lacking the v2 field */
    CU_ASSERT(!vmstate_load(&thing_v2, &b, 2, s1->data, s1->len, false, "thing", &err));
    CU_ASSERT(err && strstr(err->message, "added_v2"));
    g_clear_error(&err);
    /* a v2 stream into a v1 table: the unknown field is named */
    static const VMStateDesc thing_v1_loads_v2 = { .name = "thing", .version = 2,
                                                   .min_version = 1, .fields = thing_fields_v1 };
    CU_ASSERT(!vmstate_load(&thing_v1_loads_v2, &b, 2, s2->data, s2->len, false, "thing", &err));
    CU_ASSERT(err && strstr(err->message, "added_v2"));
    g_clear_error(&err);
    thing_fini(&a);
    thing_fini(&b);
}

/* every truncation and every single-byte change is either refused or
 * loads something; never a crash or an out-of-bounds access (ASan) */
static void test_damaged_streams(void)
{
    clock_init(&test_clock, true);
    Thing a, b;
    thing_init(&a, 0, true);
    thing_init(&b, 1, false);
    g_autoptr(GByteArray) s = save(&thing_v2, &a);
    GError *err = NULL;
    for (guint n = 0; n < s->len; n++) {
        CU_ASSERT(!vmstate_load(&thing_v2, &b, 2, s->data, n, false, "thing", &err));
        CU_ASSERT(err != NULL);
        g_clear_error(&err);
    }
    unsigned refused = 0;
    for (guint i = 0; i < s->len; i++)
        for (int bit = 0; bit < 8; bit++) {
            s->data[i] ^= (uint8_t)(1u << bit);
            bool ok = vmstate_load(&thing_v2, &b, 2, s->data, s->len, false, "thing", &err);
            if (ok)
                ok = vmstate_load(&thing_v2, &b, 2, s->data, s->len, true, "thing", &err);
            refused += !ok;
            g_clear_error(&err);
            s->data[i] ^= (uint8_t)(1u << bit);
        }
    CU_ASSERT(refused > s->len);            /* names, types, sizes, lengths: most flips */
    /* a renamed field and a resized one are refused with their names */
    guint at = 0;
    while (at + 3 < s->len && memcmp(s->data + at, "u16", 3))
        at++;
    s->data[at] = 'x';
    CU_ASSERT(!vmstate_load(&thing_v2, &b, 2, s->data, s->len, false, "thing", &err));
    CU_ASSERT(err && strstr(err->message, "x16"));
    g_clear_error(&err);
    s->data[at] = 'u';
    thing_fini(&a);
    thing_fini(&b);
}

/* the machine's stream: a bare machine's CPU, clock and RAM */
static void test_machine_stream(void)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(1u << 20, &err);
    Machine *m2 = machine_new_bare(1u << 20, &err);
    Machine *m3 = machine_new_bare(2u << 20, &err);
    CU_ASSERT_FATAL(m && m2 && m3);
    clock_pause(&m->clock);                 /* time stands still: streams compare */
    clock_pause(&m2->clock);
    m->cpu.regs[0] = 0x12345678;
    m->cpu.eip = 0x7c00;
    m->cpu.xmm[3].d[2] = 0xfeedface;
    m->cpu.fpu_st[5].mant = 0x8000000000000001ull;
    m->cpu.icount = 1000;
    memcpy(m->mem->ram + 0x1000, "tx86 was here", 13);
    for (int i = 0; i < 70000; i++)          /* a chunk that does not compress */
        m->mem->ram[0x20000 + i] = (uint8_t)(i * 2654435761u >> 24);
    g_autoptr(GByteArray) s = g_byte_array_new();
    machine_save_state(m, s);
    CU_ASSERT(machine_load_state(m2, s->data, s->len, &err));
    CU_ASSERT(err == NULL);
    CU_ASSERT(m2->cpu.regs[0] == 0x12345678 && m2->cpu.eip == 0x7c00);
    CU_ASSERT(m2->cpu.xmm[3].d[2] == 0xfeedface && m2->cpu.fpu_st[5].mant == 0x8000000000000001ull);
    CU_ASSERT(memcmp(m->mem->ram, m2->mem->ram, 1u << 20) == 0);
    g_autoptr(GByteArray) s2 = g_byte_array_new();
    machine_save_state(m2, s2);
    CU_ASSERT(s->len == s2->len && !memcmp(s->data, s2->data, s->len));
    /* another RAM size is refused, saying so */
    CU_ASSERT(!machine_load_state(m3, s->data, s->len, &err));
    CU_ASSERT(err && strstr(err->message, "RAM"));
    g_clear_error(&err);
    /* damage anywhere: the checksum refuses it and nothing is written */
    m2->cpu.regs[0] = 1;
    for (guint i = 0; i < s->len; i += 7) {
        s->data[i] ^= 0x10;
        CU_ASSERT(!machine_load_state(m2, s->data, s->len, &err));
        g_clear_error(&err);
        s->data[i] ^= 0x10;
    }
    CU_ASSERT(!machine_load_state(m2, s->data, s->len - 1, &err));
    g_clear_error(&err);
    CU_ASSERT(m2->cpu.regs[0] == 1);
    /* an inconsistent CPU (cc_op out of range) is refused by post_load */
    m->cpu.cc_op = 10000;
    g_byte_array_set_size(s, 0);
    machine_save_state(m, s);
    CU_ASSERT(!machine_load_state(m2, s->data, s->len, &err));
    CU_ASSERT(err && strstr(err->message, "cc_op"));
    g_clear_error(&err);
    machine_free(m);
    machine_free(m2);
    machine_free(m3);
}

/* dirty logging: after a harvest, a store by the CPU (through a TLB entry
 * made before the harvest: the flush must drop it) and a DMA write mark
 * their pages, and nothing else is dirty; a second client (a replay's
 * checkpoints) sees the same stores whichever harvested first */
static void test_dirty_log(void)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(1u << 20, &err);
    CU_ASSERT_FATAL(m != NULL);
    CPUState *env = &m->cpu;
    /* mov byte [0x5000], 1; mov byte [0x6000], 2; hlt (real mode at 0:1000) */
    static const uint8_t code[] = { 0xc6, 0x06, 0x00, 0x50, 0x01, 0xc6, 0x06, 0x00, 0x60,
                                    0x02, 0xf4 };
    memcpy(m->mem->ram + 0x1000, code, sizeof(code));
    cpu_load_seg_real(env, R_CS, 0);
    cpu_load_seg_real(env, R_DS, 0);
    env->eip = 0x1000;
    cpu_exec(env, 100);                     /* fills write tags for 0x5000, 0x6000 */
    CU_ASSERT(m->mem->ram[0x5000] == 1 && env->halted);
    physmem_dirty_log_start(m->mem, DIRTY_MIGRATION);
    physmem_dirty_log_start(m->mem, DIRTY_REPLAY);
    uint32_t n = m->mem->ram_size >> PAGE_BITS, dirty = 0, dirty2 = 0;
    for (uint32_t i = 0; i < n; i++)
        dirty += physmem_dirty_harvest(m->mem, i, DIRTY_MIGRATION);
    CU_ASSERT(dirty == n);                  /* all dirty at the start */
    for (uint32_t i = 0; i < n; i++)
        dirty2 += physmem_dirty_harvest(m->mem, i, DIRTY_REPLAY);
    CU_ASSERT(dirty2 == n);
    tlb_flush_all(&env->tlb);
    env->halted = 0;
    env->eip = 0x1000;
    cpu_exec(env, 100);
    physmem_write_buf(m->mem, 0x9000, "dma", 3);
    uint32_t got[64], k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (physmem_dirty_harvest(m->mem, i, DIRTY_MIGRATION) && k < 64)
            got[k++] = i;
    /* the replay client still has them, once */
    CU_ASSERT(physmem_dirty_test(m->mem, 5, DIRTY_REPLAY) &&
              physmem_dirty_test(m->mem, 9, DIRTY_REPLAY) &&
              !physmem_dirty_test(m->mem, 7, DIRTY_REPLAY));
    CU_ASSERT(physmem_dirty_harvest(m->mem, 6, DIRTY_REPLAY) &&
              !physmem_dirty_harvest(m->mem, 6, DIRTY_REPLAY));
    /* pages 5, 6 and 9 (and none else below the VGA/BIOS hole, whose pages
     * count as always dirty where something else is mapped over RAM) */
    bool p5 = false, p6 = false, p9 = false, other = false;
    for (uint32_t i = 0; i < k; i++) {
        p5 |= got[i] == 5; p6 |= got[i] == 6; p9 |= got[i] == 9;
        other |= got[i] != 5 && got[i] != 6 && got[i] != 9 && got[i] < 0xa0;
    }
    CU_ASSERT(p5 && p6 && p9 && !other);
    physmem_dirty_log_stop(m->mem, DIRTY_MIGRATION);
    CU_ASSERT(m->mem->dirty != NULL);       /* the replay client logs on */
    physmem_dirty_log_stop(m->mem, DIRTY_REPLAY);
    CU_ASSERT(m->mem->dirty == NULL && !(physmem_page(m->mem, 0x5000)->watch & PAGE_WATCH_CLEAN));
    machine_free(m);
}

void register_vmstate_tests(void)
{
    CU_pSuite s = CU_add_suite("vmstate", NULL, NULL);
    CU_add_test(s, "tables are well formed", test_descs_are_well_formed);
    CU_add_test(s, "every field type round-trips", test_round_trip);
    CU_add_test(s, "versions: older loads, newer and unknown are refused", test_versions);
    CU_add_test(s, "damaged section streams are refused", test_damaged_streams);
    CU_add_test(s, "machine stream: CPU, RAM, checks", test_machine_stream);
    CU_add_test(s, "dirty logging: CPU stores and DMA mark pages", test_dirty_log);
}
