/*
 * test_qcow2_snap.c - unit tests for qcow2 internal snapshots (the
 * image_snapshot_* API of src/block/image.h, implemented in qcow2.c), with
 * qemu-img and qemu-io as the oracle.  Every test works in its own
 * temporary directory and keeps a copy of the disk in memory (the mirror):
 *   - tx86 takes snapshots: writes through tx86, snapshots with a vmstate
 *     of a few hundred KiB, more writes; `qemu-img info` lists each with
 *     its exact vm-state-size, `qemu-img check` finds no error and no leak,
 *     `qemu-img convert -l snapshot.name=` gives each snapshot's disk as it
 *     was; goto, read_vmstate, replace by name and delete, each followed by
 *     check (a table of cluster sizes and versions);
 *   - QEMU takes snapshots (`qemu-img snapshot -c`, over plain, compressed
 *     and zero clusters): tx86 opens the image writable, and its writes
 *     change neither what `qemu-img snapshot -a` restores nor the
 *     snapshot's disk; tx86 goes to it and deletes it;
 *   - random writes, partial clusters included, with snapshots present
 *     (copy on write of clusters and L2 tables), goto between them and
 *     more writes: check clean and `qemu-img compare` equal each time;
 *   - the file may not grow past a limit (RLIMIT_FSIZE) at each step of
 *     create, replace, delete, goto and copy-on-write writes: the call
 *     fails cleanly, `qemu-img check` finds leaks at most, never errors;
 *   - a crash after each write of the same operations (Image.fail_writes):
 *     `qemu-img check` finds leaks (and, after delete, COPIED flags not yet
 *     set back) at most, never a reference to a freed or shared cluster;
 *   - QEMU's savevm (qemu-system-x86_64, when installed): tx86 reads its
 *     vmstate ("QEVM..."), stores it again as a snapshot of its own, and
 *     QEMU's loadvm takes that one: the vmstate is where QEMU looks;
 *   - other formats and read-only images refuse with clear errors; a
 *     malformed snapshot table gives a one-line error at open.
 * Without qemu-img each test says it is skipped.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <CUnit/CUnit.h>
#include "unit_shell.h"
#include "block/image.h"

/* `qemu-img check` finds no error and no leak */
static bool check_clean(const char *dir, const char *file, const char *when)
{
    gchar *out = NULL;
    int rc = unit_sh(dir, &out, "qemu-img check %s", file);
    bool ok = rc == 0 && strstr(out, "No errors were found");
    if (!ok)
        printf("\n  %s: qemu-img check exited %d:\n%s", when, rc, out);
    g_free(out);
    return ok;
}

/* the file dir/name equals len bytes of data */
static bool file_equals(const char *dir, const char *name, const uint8_t *data, size_t len,
                        const char *when)
{
    gchar *path = g_build_filename(dir, name, NULL), *got = NULL;
    gsize n = 0;
    bool ok = g_file_get_contents(path, &got, &n, NULL) && n == len && !memcmp(got, data, len);
    if (!ok)
        printf("\n  %s: %s differs (%zu bytes, expected %zu)", when, name, (size_t)n, len);
    g_free(got);
    g_free(path);
    return ok;
}

/* the snapshot's disk through qemu-img equals data */
static bool qemu_snapshot_equals(const char *dir, const char *file, const char *snap,
                                 const uint8_t *data, size_t len, const char *when)
{
    if (unit_sh(dir, NULL, "rm -f snap.raw && qemu-img convert -l snapshot.name=%s -O raw %s "
           "snap.raw", snap, file))
        return false;
    return file_equals(dir, "snap.raw", data, len, when);
}

/* the active disk through qemu-img equals data */
static bool qemu_active_equals(const char *dir, const char *file, const uint8_t *data,
                               size_t len, const char *when)
{
    if (unit_sh(dir, NULL, "rm -f act.raw && qemu-img convert -O raw %s act.raw", file))
        return false;
    return file_equals(dir, "act.raw", data, len, when);
}

/* the whole disk through tx86 equals data */
static bool tx86_equals(Image *img, const uint8_t *data, size_t len, const char *when)
{
    uint8_t *buf = g_malloc(len);
    bool ok = img->size == len && image_read(img, 0, buf, len) && !memcmp(buf, data, len);
    if (!ok)
        printf("\n  %s: tx86 reads other contents", when);
    g_free(buf);
    return ok;
}

static Image *open_rw(const char *dir, const char *file)
{
    gchar *path = g_build_filename(dir, file, NULL);
    GError *err = NULL;
    Image *img = image_open(path, IMAGE_FORMAT_QCOW2, true, BLOCK_LOCKING_AUTO, &err);
    if (!img) {
        printf("\n  open %s: %s", file, err->message);
        g_error_free(err);
    }
    g_free(path);
    return img;
}

/* count random writes of 1-24 sectors through tx86 and into the mirror */
static bool random_writes(Image *img, uint8_t *mirror, size_t len, GRand *r, int count)
{
    uint8_t *buf = g_malloc(24 * 512);
    bool ok = true;
    for (int i = 0; i < count && ok; i++) {
        size_t secs = (size_t)g_rand_int_range(r, 1, 25);
        uint64_t off = (uint64_t)g_rand_int_range(r, 0, (gint32)(len / 512 - secs + 1)) * 512;
        for (size_t k = 0; k < secs * 512; k++)
            buf[k] = (uint8_t)g_rand_int(r);
        ok = image_write(img, off, buf, secs * 512);
        memcpy(mirror + off, buf, secs * 512);
    }
    if (!ok)
        printf("\n  a tx86 write failed: %s", g_strerror(errno));
    g_free(buf);
    return ok;
}

static uint8_t *random_bytes(GRand *r, size_t len)
{
    uint8_t *b = g_malloc(len);
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)g_rand_int(r);
    return b;
}

static bool snap_create(Image *img, const char *name, const uint8_t *vm, size_t len,
                        uint64_t clock)
{
    GError *err = NULL;
    bool ok = image_snapshot_create(img, name, vm, len, clock, &err);
    if (!ok) {
        printf("\n  snapshot %s: %s", name, err->message);
        g_error_free(err);
    }
    return ok;
}

static bool snap_do(Image *img, const char *what, const char *name)
{
    GError *err = NULL;
    bool ok = !strcmp(what, "goto") ? image_snapshot_goto(img, name, &err)
                                    : image_snapshot_delete(img, name, &err);
    if (!ok) {
        printf("\n  %s %s: %s", what, name, err->message);
        g_error_free(err);
    }
    return ok;
}

typedef struct SnapCase {
    const char *name;
    const char *opts;           /* qemu-img create -o */
    size_t size;
} SnapCase;

static const SnapCase snap_cases[] = {
    { "v3 64 KiB", "compat=1.1", 4u << 20 },
    { "v3 512 B (vmstate over many L2 tables)", "compat=1.1,cluster_size=512", 2u << 20 },
    { "v2 4 KiB", "compat=0.10,cluster_size=4096", 4u << 20 },
    { "v3 4 KiB, refcount_bits=4", "compat=1.1,cluster_size=4096,refcount_bits=4", 3u << 20 },
};

/* (a) tx86 takes the snapshots, qemu-img reads them */
static void test_tx86_snapshots(void)
{
    if (!unit_have_qemu_img())
        return;
    for (size_t c = 0; c < G_N_ELEMENTS(snap_cases); c++) {
        const SnapCase *sc = &snap_cases[c];
        gchar *dir = unit_tmpdir_new("tx86-qsnap-XXXXXX");
        GRand *r = g_rand_new_with_seed(17 + (guint32)c);
        size_t len = sc->size, vm1_len = 300 * 1024, vm2_len = 200 * 1024 + 123;
        uint8_t *mirror = g_malloc0(len), *at_s1, *at_s2;
        uint8_t *vm1 = random_bytes(r, vm1_len), *vm2 = random_bytes(r, vm2_len);
        printf("\n  %s ", sc->name);
        CU_ASSERT_FATAL(unit_sh(dir, NULL, "qemu-img create -q -f qcow2 -o %s img.qcow2 %zu",
                           sc->opts, len) == 0);
        Image *img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        CU_ASSERT(image_supports_snapshots(img));
        CU_ASSERT(random_writes(img, mirror, len, r, 200));
        CU_ASSERT(snap_create(img, "s1", vm1, vm1_len, 1234567890123ull));
        at_s1 = g_memdup2(mirror, len);
        CU_ASSERT(random_writes(img, mirror, len, r, 200));
        CU_ASSERT(snap_create(img, "s2", vm2, vm2_len, 42));
        at_s2 = g_memdup2(mirror, len);
        CU_ASSERT(random_writes(img, mirror, len, r, 100));
        CU_ASSERT(tx86_equals(img, mirror, len, "after s2"));
        image_close(img);

        /* what QEMU sees */
        gchar *out = NULL;
        CU_ASSERT(unit_sh(dir, &out, "qemu-img info --output=json img.qcow2") == 0);
        gchar *want1 = g_strdup_printf("\"vm-state-size\": %zu", vm1_len);
        gchar *want2 = g_strdup_printf("\"vm-state-size\": %zu", vm2_len);
        bool listed = strstr(out, "\"name\": \"s1\"") && strstr(out, "\"name\": \"s2\"") &&
                      strstr(out, want1) && strstr(out, want2) &&
                      strstr(out, "\"vm-clock-sec\": 1234,") &&
                      strstr(out, "\"vm-clock-nsec\": 567890123");
        if (!listed)
            printf("\n  qemu-img info:\n%s", out);
        CU_ASSERT(listed);
        g_free(out);
        g_free(want1);
        g_free(want2);
        CU_ASSERT(unit_sh(dir, &out, "qemu-img snapshot -l img.qcow2") == 0);
        CU_ASSERT(strstr(out, "s1") && strstr(out, "300 KiB") && strstr(out, "s2"));
        g_free(out);
        CU_ASSERT(check_clean(dir, "img.qcow2", "after two snapshots"));
        CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "s1", at_s1, len, "s1 by qemu-img"));
        CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "s2", at_s2, len, "s2 by qemu-img"));
        CU_ASSERT(qemu_active_equals(dir, "img.qcow2", mirror, len, "active by qemu-img"));

        /* back in tx86: list, vmstate, goto, replace, delete */
        img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        ImageSnapshotInfo *l;
        int n = image_snapshot_list(img, &l);
        CU_ASSERT_EQUAL(n, 2);
        if (n == 2) {
            CU_ASSERT_STRING_EQUAL(l[0].name, "s1");
            CU_ASSERT_STRING_EQUAL(l[0].id, "1");
            CU_ASSERT_EQUAL(l[0].vm_state_size, vm1_len);
            CU_ASSERT_EQUAL(l[0].vm_clock_nsec, 1234567890123ull);
            CU_ASSERT_STRING_EQUAL(l[1].name, "s2");
            CU_ASSERT_EQUAL(l[1].vm_state_size, vm2_len);
        }
        image_snapshot_list_free(l, n);
        GByteArray *vm = g_byte_array_new();
        GError *err = NULL;
        CU_ASSERT(image_snapshot_read_vmstate(img, "s1", vm, &err));
        CU_ASSERT(vm->len == vm1_len && !memcmp(vm->data, vm1, vm1_len));
        g_byte_array_set_size(vm, 0);
        CU_ASSERT(image_snapshot_read_vmstate(img, "2", vm, &err));     /* by id */
        CU_ASSERT(vm->len == vm2_len && !memcmp(vm->data, vm2, vm2_len));
        CU_ASSERT_FALSE(image_snapshot_read_vmstate(img, "nope", vm, &err));
        CU_ASSERT(err && strstr(err->message, "no snapshot 'nope'"));
        g_clear_error(&err);
        g_byte_array_free(vm, TRUE);

        CU_ASSERT(snap_do(img, "goto", "s1"));
        CU_ASSERT(tx86_equals(img, at_s1, len, "goto s1"));
        memcpy(mirror, at_s1, len);
        CU_ASSERT(random_writes(img, mirror, len, r, 50));   /* after goto: copy on write */
        CU_ASSERT(snap_create(img, "s2", vm1, 1000, 7));   /* replaces s2 */
        n = image_snapshot_list(img, &l);
        CU_ASSERT(n == 2 && !strcmp(l[1].name, "s2") && !strcmp(l[1].id, "3") &&
                  l[1].vm_state_size == 1000);
        image_snapshot_list_free(l, n);
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", "after goto and replace"));
        CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "s1", at_s1, len, "s1 after replace"));
        CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "s2", mirror, len, "new s2"));

        img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        CU_ASSERT(snap_do(img, "delete", "s2"));
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", "after delete s2"));
        CU_ASSERT(unit_sh(dir, &out, "qemu-img snapshot -l img.qcow2") == 0);
        CU_ASSERT(strstr(out, "s1") && !strstr(out, "s2"));
        g_free(out);
        CU_ASSERT(qemu_active_equals(dir, "img.qcow2", mirror, len, "active after delete"));

        img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        CU_ASSERT(snap_do(img, "delete", "1"));
        CU_ASSERT_EQUAL(image_snapshot_list(img, &l), 0);
        image_snapshot_list_free(l, 0);
        CU_ASSERT(random_writes(img, mirror, len, r, 50));
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", "after deleting all"));
        CU_ASSERT(qemu_active_equals(dir, "img.qcow2", mirror, len, "active at the end"));

        g_free(at_s1);
        g_free(at_s2);
        g_free(vm1);
        g_free(vm2);
        g_free(mirror);
        g_rand_free(r);
        unit_tmpdir_free(dir);
    }
}

typedef struct QemuCase {
    const char *name;
    const char *make;           /* shell: makes img.qcow2 from src.raw, no snapshot yet */
} QemuCase;

static const QemuCase qemu_cases[] = {
    { "plain", "qemu-img convert -q -O qcow2 src.raw img.qcow2" },
    { "compressed, 4 KiB clusters",
      "qemu-img convert -q -c -O qcow2 -o cluster_size=4096 src.raw img.qcow2" },
    { "v2 with a backing file", "qemu-img convert -q -O qcow2 src.raw base.qcow2 && "
      "qemu-img create -q -f qcow2 -o compat=0.10 -b base.qcow2 -F qcow2 img.qcow2 && "
      "qemu-io -f qcow2 -c 'write -P 0x5a 1M 100k' img.qcow2 >/dev/null" },
    { "zero clusters", "qemu-img convert -q -O qcow2 src.raw img.qcow2 && "
      "qemu-io -f qcow2 -c 'write -z 512k 256k' img.qcow2 >/dev/null" },
};

/* (b) QEMU takes the snapshot, tx86 writes and applies it */
static void test_qemu_snapshots(void)
{
    if (!unit_have_qemu_img())
        return;
    for (size_t c = 0; c < G_N_ELEMENTS(qemu_cases); c++) {
        const QemuCase *qc = &qemu_cases[c];
        gchar *dir = unit_tmpdir_new("tx86-qsnap-XXXXXX");
        GRand *r = g_rand_new_with_seed(99 + (guint32)c);
        size_t len = 4u << 20;
        printf("\n  %s ", qc->name);
        uint8_t *src = random_bytes(r, len);
        memset(src + (1u << 20), 0, 300 * 1024);                 /* some zeros too */
        gchar *p = g_build_filename(dir, "src.raw", NULL);
        CU_ASSERT_FATAL(g_file_set_contents(p, (char *)src, (gssize)len, NULL));
        g_free(p);
        CU_ASSERT_FATAL(unit_sh(dir, NULL, "%s && qemu-img snapshot -c q1 img.qcow2 && "
                           "qemu-img convert -l snapshot.name=q1 -O raw img.qcow2 q1.raw",
                           qc->make) == 0);
        gchar *data;
        gsize n;
        p = g_build_filename(dir, "q1.raw", NULL);
        CU_ASSERT_FATAL(g_file_get_contents(p, &data, &n, NULL) && n == len);
        g_free(p);
        uint8_t *at_q1 = (uint8_t *)data, *mirror = g_memdup2(data, len);

        Image *img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        CU_ASSERT(random_writes(img, mirror, len, r, 300));
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", "tx86 writes over a QEMU snapshot"));
        CU_ASSERT(qemu_active_equals(dir, "img.qcow2", mirror, len, "active"));
        CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "q1", at_q1, len, "q1 unchanged"));
        /* qemu-img snapshot -a on a copy restores q1's disk */
        CU_ASSERT(unit_sh(dir, NULL, "cp img.qcow2 copy.qcow2 && qemu-img snapshot -a q1 copy.qcow2 "
                     "&& qemu-img check -q copy.qcow2") == 0);
        CU_ASSERT(qemu_active_equals(dir, "copy.qcow2", at_q1, len, "qemu-img snapshot -a"));

        img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        CU_ASSERT(snap_do(img, "goto", "q1"));
        CU_ASSERT(tx86_equals(img, at_q1, len, "tx86 goto q1"));
        memcpy(mirror, at_q1, len);
        CU_ASSERT(random_writes(img, mirror, len, r, 100));
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", "tx86 goto q1 and writes"));
        CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "q1", at_q1, len, "q1 after goto"));

        img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        CU_ASSERT(snap_do(img, "delete", "q1"));
        CU_ASSERT(tx86_equals(img, mirror, len, "after delete q1"));
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", "tx86 deleted q1"));
        CU_ASSERT(qemu_active_equals(dir, "img.qcow2", mirror, len, "active after delete"));

        g_free(mirror);
        g_free(at_q1);
        g_free(src);
        g_rand_free(r);
        unit_tmpdir_free(dir);
    }
}

/* (c) many random writes with snapshots present; goto back and forth */
static void test_cow_random(void)
{
    if (!unit_have_qemu_img())
        return;
    gchar *dir = unit_tmpdir_new("tx86-qsnap-XXXXXX");
    GRand *r = g_rand_new_with_seed(4242);
    size_t len = 6u << 20;
    uint8_t *mirror = g_malloc0(len), *at[3];
    CU_ASSERT_FATAL(unit_sh(dir, NULL, "qemu-img create -q -f qcow2 -o cluster_size=4096 "
                       "img.qcow2 %zu", len) == 0);
    for (int round = 0; round < 3; round++) {
        Image *img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        CU_ASSERT(random_writes(img, mirror, len, r, 400));
        gchar *name = g_strdup_printf("r%d", round);
        uint8_t vm[5000];
        memset(vm, round, sizeof(vm));
        CU_ASSERT(snap_create(img, name, vm, sizeof(vm), (uint64_t)round));
        g_free(name);
        at[round] = g_memdup2(mirror, len);
        CU_ASSERT(random_writes(img, mirror, len, r, 400));
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", "random writes over snapshots"));
        CU_ASSERT(qemu_active_equals(dir, "img.qcow2", mirror, len, "active"));
    }
    /* goto each, write, check the others are intact */
    for (int k = 2; k >= 0; k--) {
        gchar *name = g_strdup_printf("r%d", k);
        Image *img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        CU_ASSERT(snap_do(img, "goto", name));
        memcpy(mirror, at[k], len);
        CU_ASSERT(random_writes(img, mirror, len, r, 200));
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", "goto and random writes"));
        CU_ASSERT(qemu_active_equals(dir, "img.qcow2", mirror, len, "active after goto"));
        for (int j = 0; j < 3; j++) {
            gchar *nj = g_strdup_printf("r%d", j);
            CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", nj, at[j], len, nj));
            g_free(nj);
        }
        g_free(name);
    }
    Image *img = open_rw(dir, "img.qcow2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT(snap_do(img, "delete", "r1"));
    CU_ASSERT(random_writes(img, mirror, len, r, 200));
    image_close(img);
    CU_ASSERT(check_clean(dir, "img.qcow2", "after delete r1"));
    CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "r0", at[0], len, "r0 at the end"));
    CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "r2", at[2], len, "r2 at the end"));
    CU_ASSERT(qemu_active_equals(dir, "img.qcow2", mirror, len, "active at the end"));
    for (int k = 0; k < 3; k++)
        g_free(at[k]);
    g_free(mirror);
    g_rand_free(r);
    unit_tmpdir_free(dir);
}

/* (d) the file cannot grow past a limit (RLIMIT_FSIZE: writes past it
 * fail with EFBIG, as a full disk fails them) at each point of create,
 * delete, goto and copy-on-write writes: the call fails or succeeds, and
 * either way `qemu-img check` finds no error (leaks allowed after a
 * failure), the snapshot's disk is intact, and the image opens again */
static void test_write_failures(void)
{
    if (!unit_have_qemu_img())
        return;
    gchar *dir = unit_tmpdir_new("tx86-qsnap-XXXXXX");
    GRand *r = g_rand_new_with_seed(777);
    size_t len = 2u << 20;
    uint8_t *mirror = g_malloc0(len), *at_s1, *vm = random_bytes(r, 40000);
    CU_ASSERT_FATAL(unit_sh(dir, NULL, "qemu-img create -q -f qcow2 -o cluster_size=4096 "
                       "base.qcow2 %zu", len) == 0);
    Image *img = open_rw(dir, "base.qcow2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT(random_writes(img, mirror, len, r, 300));
    CU_ASSERT(snap_create(img, "s1", vm, 40000, 1));
    at_s1 = g_memdup2(mirror, len);
    CU_ASSERT(random_writes(img, mirror, len, r, 100));
    CU_ASSERT(snap_create(img, "s2", vm, 1000, 2));
    image_close(img);
    static const char *const ops[] = { "create", "replace", "delete", "goto", "write" };
    struct rlimit old;
    getrlimit(RLIMIT_FSIZE, &old);
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    int failed = 0, passed = 0;
    for (size_t o = 0; o < G_N_ELEMENTS(ops); o++) {
        for (int k = 0; k < 24; k++) {
            CU_ASSERT_FATAL(unit_sh(dir, NULL, "cp base.qcow2 img.qcow2") == 0);
            img = open_rw(dir, "img.qcow2");
            CU_ASSERT_PTR_NOT_NULL_FATAL(img);
            struct rlimit lim = old;
            lim.rlim_cur = img->file_size + (rlim_t)k * 4096 * 2;
            setrlimit(RLIMIT_FSIZE, &lim);
            GError *err = NULL;
            bool ok;
            uint8_t buf[8192];
            memset(buf, k, sizeof(buf));
            if (!strcmp(ops[o], "create"))
                ok = image_snapshot_create(img, "s3", vm, 40000, 3, &err);
            else if (!strcmp(ops[o], "replace"))
                ok = image_snapshot_create(img, "s2", vm, 40000, 3, &err);
            else if (!strcmp(ops[o], "delete"))
                ok = image_snapshot_delete(img, "s2", &err);
            else if (!strcmp(ops[o], "goto"))
                ok = image_snapshot_goto(img, "s2", &err);
            else {
                ok = true;
                for (uint64_t off = 0; ok && off < len; off += 64 * 1024)
                    ok = image_write(img, off + 1024, buf, sizeof(buf));
            }
            setrlimit(RLIMIT_FSIZE, &old);
            g_clear_error(&err);
            image_close(img);
            ok ? passed++ : failed++;
            gchar *out = NULL;
            int rc = unit_sh(dir, &out, "qemu-img check img.qcow2");
            if (rc != 0 && !(rc == 3 && !ok)) {
                printf("\n  %s with %d clusters to spare (%s): qemu-img check exited %d:\n%s",
                       ops[o], 2 * k, ok ? "succeeded" : "failed", rc, out);
                CU_FAIL("qemu-img check after a failed write");
            }
            g_free(out);
            CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "s1", at_s1, len, ops[o]));
            img = open_rw(dir, "img.qcow2");
            CU_ASSERT_PTR_NOT_NULL(img);
            image_close(img);
        }
    }
    signal(SIGXFSZ, old_sig);
    CU_ASSERT(failed > 0 && passed > 0);        /* both ways were tried */
    g_free(at_s1);
    g_free(vm);
    g_free(mirror);
    g_rand_free(r);
    unit_tmpdir_free(dir);
}

/* one snapshot operation of test_crash_points */
static bool crash_op(Image *img, const char *op, const uint8_t *vm, size_t len)
{
    uint8_t buf[8192];
    memset(buf, 0x3c, sizeof(buf));
    if (!strcmp(op, "create"))
        return image_snapshot_create(img, "s3", vm, 40000, 3, NULL);
    if (!strcmp(op, "replace"))
        return image_snapshot_create(img, "s2", vm, 40000, 3, NULL);
    if (!strcmp(op, "delete"))
        return image_snapshot_delete(img, "s2", NULL);
    if (!strcmp(op, "goto"))
        return image_snapshot_goto(img, "s2", NULL);
    bool ok = true;                             /* copy-on-write writes */
    for (uint64_t off = 0; ok && off < len; off += 256 * 1024)
        ok = image_write(img, off + 1024, buf, sizeof(buf));
    return ok;
}

/* the errors of `qemu-img check` are all COPIED flags missing on clusters
 * whose refcount is 1: the one window no order of writes closes (a
 * snapshot's references dropped, the active flags not yet set back; QEMU's
 * snapshot delete has it too).  Harmless - a write copies a cluster it
 * could have written in place - and `qemu-img check -r all` sets them (a
 * v3 image keeps its dirty bit after a crash: tx86 asks for that repair) */
static bool only_cautious_copied(const char *out)
{
    gchar **lines = g_strsplit(out, "\n", -1);
    bool ok = true;
    for (gchar **l = lines; *l; l++) {
        if (!g_str_has_prefix(*l, "ERROR"))
            continue;
        unsigned long long e = 0;
        unsigned rc = 0, i;
        ok = ok && (sscanf(*l, "ERROR OFLAG_COPIED data cluster: l2_entry=%llx refcount=%u",
                           &e, &rc) == 2 ||
                    sscanf(*l, "ERROR OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=%llx "
                           "refcount=%u", &i, &e, &rc) == 3) && rc == 1 && !(e >> 63);
    }
    g_strfreev(lines);
    return ok;
}

/* (e) a crash after each write of create, replace, delete, goto and
 * copy-on-write writes (Image.fail_writes: every later write fails, the
 * dirty bit stays set): `qemu-img check` finds leaks and COPIED flags
 * missing where the refcount is 1 (only_cautious_copied) at most, never
 * another error, `qemu-img check -r all` repairs it, and snapshot s1
 * reads as it was */
static void test_crash_points(void)
{
    if (!unit_have_qemu_img())
        return;
    gchar *dir = unit_tmpdir_new("tx86-qsnap-XXXXXX");
    GRand *r = g_rand_new_with_seed(4711);
    size_t len = 2u << 20;
    uint8_t *mirror = g_malloc0(len), *at_s1, *vm = random_bytes(r, 40000);
    CU_ASSERT_FATAL(unit_sh(dir, NULL, "qemu-img create -q -f qcow2 -o cluster_size=4096 "
                       "base.qcow2 %zu", len) == 0);
    Image *img = open_rw(dir, "base.qcow2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT(random_writes(img, mirror, len, r, 200));
    CU_ASSERT(snap_create(img, "s1", vm, 40000, 1));
    at_s1 = g_memdup2(mirror, len);
    CU_ASSERT(random_writes(img, mirror, len, r, 100));
    CU_ASSERT(snap_create(img, "s2", vm, 1000, 2));
    image_close(img);
    static const char *const ops[] = { "create", "replace", "delete", "goto", "write" };
    for (size_t o = 0; o < G_N_ELEMENTS(ops); o++) {
        /* how many writes the operation makes */
        CU_ASSERT_FATAL(unit_sh(dir, NULL, "cp base.qcow2 img.qcow2") == 0);
        img = open_rw(dir, "img.qcow2");
        CU_ASSERT_PTR_NOT_NULL_FATAL(img);
        uint64_t w0 = img->writes;
        CU_ASSERT(crash_op(img, ops[o], vm, len));
        uint64_t total = img->writes - w0;
        image_close(img);
        CU_ASSERT(check_clean(dir, "img.qcow2", ops[o]));
        /* every write among the first and the last 30 (the table and the
         * header are there), every total/20th in between */
        uint64_t step = MAX(total / 20, 1), n = 0;
        for (uint64_t k = 0; k < total; k += k < 30 || k + 30 >= total ? 1 : step, n++) {
            CU_ASSERT_FATAL(unit_sh(dir, NULL, "cp base.qcow2 img.qcow2") == 0);
            img = open_rw(dir, "img.qcow2");
            CU_ASSERT_PTR_NOT_NULL_FATAL(img);
            img->fail_writes = img->writes + k;
            CU_ASSERT_FALSE(crash_op(img, ops[o], vm, len));
            image_close(img);
            gchar *out = NULL;
            int rc = unit_sh(dir, &out, "qemu-img check img.qcow2");
            if ((rc != 0 && rc != 3 && !(rc == 2 && only_cautious_copied(out))) ||
                (rc == 2 && unit_sh(dir, NULL, "qemu-img check -q -r all img.qcow2 >/dev/null && "
                               "qemu-img check -q img.qcow2"))) {
                printf("\n  %s, crash after %llu of %llu writes: qemu-img check exited %d:\n%s",
                       ops[o], (unsigned long long)k, (unsigned long long)total, rc, out);
                CU_FAIL("qemu-img check after a crash");
            }
            g_free(out);
            if (n % 4 == 0)
                CU_ASSERT(qemu_snapshot_equals(dir, "img.qcow2", "s1", at_s1, len, ops[o]));
        }
    }
    g_free(at_s1);
    g_free(vm);
    g_free(mirror);
    g_rand_free(r);
    unit_tmpdir_free(dir);
}

/* QEMU's own machine state: `savevm` in qemu-system-x86_64 (when
 * installed), read by tx86; stored back by tx86 under another name,
 * `loadvm` in QEMU takes it: the vmstate sits where QEMU looks for it */
static void test_qemu_vmstate(void)
{
    gchar *qemu = g_find_program_in_path("qemu-system-x86_64");
    if (!qemu || !unit_have_qemu_img()) {
        if (!qemu)
            printf("\n  skipped: qemu-system-x86_64 not installed ");
        g_free(qemu);
        return;
    }
    g_free(qemu);
    gchar *dir = unit_tmpdir_new("tx86-qsnap-XXXXXX");
    const char *run = "timeout 60 qemu-system-x86_64 -nodefaults -display none "
                      "-machine pc,accel=tcg -m 16 -S -drive file=img.qcow2,if=ide,format=qcow2 "
                      "-monitor stdio";
    gchar *out = NULL;
    CU_ASSERT_FATAL(unit_sh(dir, NULL, "qemu-img create -q -f qcow2 img.qcow2 8M && "
                       "qemu-io -c 'write -P 0x42 0 1M' img.qcow2 >/dev/null") == 0);
    CU_ASSERT_FATAL(unit_sh(dir, NULL, "printf 'savevm qs1\nquit\n' | %s >/dev/null", run) == 0);
    Image *img = open_rw(dir, "img.qcow2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    ImageSnapshotInfo *l;
    int n = image_snapshot_list(img, &l);
    CU_ASSERT_FATAL(n == 1);
    uint64_t size = l[0].vm_state_size;
    image_snapshot_list_free(l, n);
    GByteArray *vm = g_byte_array_new();
    GError *err = NULL;
    CU_ASSERT(image_snapshot_read_vmstate(img, "qs1", vm, &err));
    CU_ASSERT(size > 1000 && vm->len == size && !memcmp(vm->data, "QEVM", 4));
    CU_ASSERT(snap_create(img, "t1", vm->data, vm->len, 0));
    g_byte_array_free(vm, TRUE);
    CU_ASSERT(snap_do(img, "delete", "qs1"));
    image_close(img);
    CU_ASSERT(check_clean(dir, "img.qcow2", "QEMU's vmstate stored by tx86"));
    CU_ASSERT(unit_sh(dir, &out, "printf 'loadvm t1\ninfo snapshots\nquit\n' | %s", run) == 0);
    bool loaded = strstr(out, "t1") && !strstr(out, "rror");
    if (!loaded)
        printf("\n  QEMU loadvm t1:\n%s", out);
    CU_ASSERT(loaded);
    g_free(out);
    CU_ASSERT(check_clean(dir, "img.qcow2", "after QEMU's loadvm"));
    unit_tmpdir_free(dir);
}

/* patch len bytes of a file at off */
static void patch(const char *dir, const char *file, uint64_t off, const void *p, size_t len)
{
    gchar *path = g_build_filename(dir, file, NULL);
    int fd = open(path, O_WRONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(pwrite(fd, p, len, (off_t)off) == (ssize_t)len);
    close(fd);
    g_free(path);
}

/* the first bytes of error err contain want; frees err */
static void expect_error(GError *err, const char *want)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (!strstr(err->message, want)) {
        printf("\n  error '%s' lacks '%s'", err->message, want);
        CU_FAIL("error message");
    }
    g_error_free(err);
}

/* formats without snapshots, read-only images, malformed snapshot tables */
static void test_snapshot_errors(void)
{
    if (!unit_have_qemu_img())
        return;
    gchar *dir = unit_tmpdir_new("tx86-qsnap-XXXXXX");
    GError *err = NULL;
    CU_ASSERT_FATAL(unit_sh(dir, NULL, "qemu-img create -q -f raw d.raw 1M && "
                       "qemu-img create -q -f qcow2 img.qcow2 1M && "
                       "qemu-img snapshot -c q1 img.qcow2") == 0);
    gchar *raw = g_build_filename(dir, "d.raw", NULL), *q = g_build_filename(dir, "img.qcow2",
                                                                               NULL);
    Image *img = image_open(raw, IMAGE_FORMAT_RAW, true, BLOCK_LOCKING_AUTO, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT_FALSE(image_supports_snapshots(img));
    ImageSnapshotInfo *l;
    CU_ASSERT_EQUAL(image_snapshot_list(img, &l), 0);
    CU_ASSERT_FALSE(image_snapshot_create(img, "x", NULL, 0, 0, &err));
    expect_error(err, "format raw has no internal snapshots");
    err = NULL;
    image_close(img);

    img = image_open(q, IMAGE_FORMAT_PROBE, false, BLOCK_LOCKING_AUTO, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT_EQUAL(image_snapshot_list(img, &l), 1);
    image_snapshot_list_free(l, 1);
    GByteArray *vm = g_byte_array_new();
    CU_ASSERT(image_snapshot_read_vmstate(img, "q1", vm, &err));     /* read-only: fine */
    CU_ASSERT_EQUAL(vm->len, 0);
    g_byte_array_free(vm, TRUE);
    CU_ASSERT_FALSE(image_snapshot_goto(img, "q1", &err));
    expect_error(err, "read-only");
    err = NULL;
    image_close(img);

    /* malformed: the table past the end, an entry's L1 table past the end */
    static const struct { uint64_t off; uint8_t v[8]; unsigned len; const char *msg; } bad[] = {
        { 64, { 0, 0, 0, 0, 0x10, 0, 0, 0 }, 8, "snapshot table" },
        { 60, { 0, 1, 0, 0 }, 4, "snapshot table" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        CU_ASSERT_FATAL(unit_sh(dir, NULL, "cp img.qcow2 bad.qcow2") == 0);
        patch(dir, "bad.qcow2", bad[i].off, bad[i].v, bad[i].len);
        gchar *b = g_build_filename(dir, "bad.qcow2", NULL);
        img = image_open(b, IMAGE_FORMAT_PROBE, false, BLOCK_LOCKING_AUTO, &err);
        CU_ASSERT_PTR_NULL(img);
        image_close(img);
        expect_error(err, bad[i].msg);
        err = NULL;
        g_free(b);
    }
    /* the entry's L1 offset (the table's first 8 bytes) */
    gchar *out = NULL;
    unit_sh(dir, &out, "od -An -tx1 -j64 -N8 img.qcow2 | tr -d ' \\n'");
    uint64_t sn_off = g_ascii_strtoull(out, NULL, 16);
    g_free(out);
    CU_ASSERT_FATAL(sn_off > 0);
    CU_ASSERT_FATAL(unit_sh(dir, NULL, "cp img.qcow2 bad.qcow2") == 0);
    uint8_t far[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
    patch(dir, "bad.qcow2", sn_off, far, 8);
    gchar *b = g_build_filename(dir, "bad.qcow2", NULL);
    img = image_open(b, IMAGE_FORMAT_PROBE, true, BLOCK_LOCKING_AUTO, &err);
    CU_ASSERT_PTR_NULL(img);
    image_close(img);
    expect_error(err, "L1 table");
    g_free(b);
    g_free(raw);
    g_free(q);
    unit_tmpdir_free(dir);
}

void register_qcow2_snap_tests(void)
{
    CU_pSuite s = CU_add_suite("qcow2_snap", NULL, NULL);
    CU_add_test(s, "tx86 snapshots: qemu-img lists, checks, converts", test_tx86_snapshots);
    CU_add_test(s, "QEMU snapshots: tx86 writes, applies, deletes", test_qemu_snapshots);
    CU_add_test(s, "copy on write under random writes", test_cow_random);
    CU_add_test(s, "QEMU savevm/loadvm and tx86 share vmstates", test_qemu_vmstate);
    CU_add_test(s, "a full disk at each step: no corruption", test_write_failures);
    CU_add_test(s, "a crash at each write: no corruption", test_crash_points);
    CU_add_test(s, "errors: other formats, read-only, malformed", test_snapshot_errors);
}
