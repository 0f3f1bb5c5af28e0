/*
 * test_formats.c - unit tests for the disk image formats of the block
 * layer (src/block/: qcow2, vmdk, vdi, vpc; raw), with qemu-img as the
 * oracle.  Every test works in its own temporary directory:
 *   - reading: a patterned raw disk is converted by qemu-img to each format
 *     and subformat (a table), read through tx86 (format probed, except the
 *     fixed VHD) and compared with qemu-img's own conversion back to raw;
 *   - qcow2 writing: a table of images (v2/v3, clusters 512 B-2 MiB,
 *     compressed, v3 zero clusters, raw/qcow2/vmdk backing files, refcount
 *     widths 1-64 bits, a refcount table that must grow) gets random and
 *     targeted writes through tx86 and the same writes in a raw copy; after
 *     close `qemu-img check` must find no error and no leak and
 *     `qemu-img compare` must call the two identical;
 *   - malformed images (a table of header patches) give one-line errors
 *     naming the file, metadata past the end gives an I/O error;
 *   - read-only formats refuse writers (and suggest -snapshot), the qcow2
 *     dirty bit, -snapshot on qcow2, the backing file's reader lock.
 * Without qemu-img (scripts/setup-debian.sh installs qemu-utils) each test
 * says it is skipped.
 */
#define _GNU_SOURCE                     /* memmem */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <CUnit/CUnit.h>
#include "unit_shell.h"
#include <glib/gstdio.h>
#include "devices/block.h"
#include "block/image.h"

/* sector s of the pattern disk: runs of 37 sectors, every third zero */
static void pattern_sector(uint64_t s, uint8_t *p)
{
    uint64_t r = s / 37;
    for (int i = 0; i < 512; i++)
        p[i] = r % 3 == 0 ? 0 : (uint8_t)(s * 131 + (uint64_t)i * 7 + r + 1);
}

static gchar *write_pattern(const char *dir, const char *name, uint64_t size)
{
    gchar *path = g_build_filename(dir, name, NULL);
    FILE *f = fopen(path, "wb");
    g_assert(f);
    uint8_t sec[512];
    for (uint64_t s = 0; s < size / 512; s++) {
        pattern_sector(s, sec);
        g_assert(fwrite(sec, 1, 512, f) == 512);
    }
    fclose(f);
    return path;
}

/* the whole disk through tx86 equals the raw file ref; false otherwise */
static bool same_as_raw(BlockDev *b, const char *ref, const char *what)
{
    gchar *data;
    gsize len;
    if (!g_file_get_contents(ref, &data, &len, NULL))
        return false;
    bool ok = block_size(b) == len;
    if (!ok)
        printf("\n  %s: size %llu, qemu-img says %zu", what,
               (unsigned long long)block_size(b), (size_t)len);
    uint8_t *buf = g_malloc(64 * 512);
    for (uint64_t s = 0; ok && s < block_sectors(b); s += 64) {
        uint32_t n = (uint32_t)MIN(64, block_sectors(b) - s);
        if (!block_read(b, s, buf, n)) {
            printf("\n  %s: read of sector %llu failed", what, (unsigned long long)s);
            ok = false;
        } else if (memcmp(buf, data + s * 512, n * 512)) {
            printf("\n  %s: sectors %llu+%u differ", what, (unsigned long long)s, n);
            ok = false;
        }
    }
    g_free(buf);
    g_free(data);
    return ok;
}

/* ---- reading every format ---- */

typedef struct ReadCase {
    const char *name;
    const char *convert;        /* qemu-img convert options for the image */
    const char *file;           /* the image's name */
    const char *probed;         /* the format tx86 must find; NULL: give "vpc" */
} ReadCase;

static const ReadCase read_cases[] = {
    { "raw", "-O raw", "d.img", "raw" },
    { "qcow2 v2", "-O qcow2 -o compat=0.10", "d.qcow2", "qcow2" },
    { "qcow2 v3 512 B", "-O qcow2 -o compat=1.1,cluster_size=512", "d.qcow2", "qcow2" },
    { "qcow2 v3 2 MiB", "-O qcow2 -o compat=1.1,cluster_size=2M", "d.qcow2", "qcow2" },
    { "qcow2 compressed", "-c -O qcow2 -o cluster_size=4096", "d.qcow2", "qcow2" },
    { "qcow2 v2 compressed", "-c -O qcow2 -o compat=0.10", "d.qcow2", "qcow2" },
    { "vmdk monolithicSparse", "-O vmdk -o subformat=monolithicSparse", "d.vmdk", "vmdk" },
    { "vmdk monolithicFlat", "-O vmdk -o subformat=monolithicFlat", "d.vmdk", "vmdk" },
    { "vmdk twoGbMaxExtentSparse", "-O vmdk -o subformat=twoGbMaxExtentSparse", "d.vmdk",
      "vmdk" },
    { "vdi dynamic", "-O vdi", "d.vdi", "vdi" },
    { "vdi static", "-O vdi -o static=on", "d.vdi", "vdi" },
    { "vpc dynamic", "-O vpc -o subformat=dynamic", "d.vhd", "vpc" },
    { "vpc fixed", "-O vpc -o subformat=fixed", "d.vhd", NULL },
};

static void test_read_formats(void)
{
    if (!unit_have_qemu_img())
        return;
    gchar *dir = unit_tmpdir_new("tx86-fmt-XXXXXX");
    gchar *src = write_pattern(dir, "src.raw", 5u << 20);
    for (size_t i = 0; i < G_N_ELEMENTS(read_cases); i++) {
        const ReadCase *c = &read_cases[i];
        unit_sh(dir, NULL, "rm -f d.* d-*");
        if (unit_sh(dir, NULL, "qemu-img convert -f raw %s src.raw %s && "
               "qemu-img convert -f %s -O raw %s oracle.raw", c->convert, c->file,
               c->probed ? c->probed : "vpc", c->file)) {
            CU_FAIL("qemu-img convert");
            continue;
        }
        gchar *path = g_build_filename(dir, c->file, NULL);
        gchar *oracle = g_build_filename(dir, "oracle.raw", NULL);
        GError *err = NULL;
        BlockDev *b = block_open_format(path, c->probed ? IMAGE_FORMAT_PROBE : IMAGE_FORMAT_VPC,
                                        true, false, BLOCK_LOCKING_AUTO, &err);
        if (!b) {
            printf("\n  %s: %s", c->name, err->message);
            CU_FAIL("open");
            g_clear_error(&err);
        } else {
            const char *want = c->probed ? c->probed : "vpc";
            if (strcmp(block_format(b), want)) {
                printf("\n  %s: probed as %s", c->name, block_format(b));
                CU_FAIL("probe");
            }
            CU_ASSERT_TRUE(same_as_raw(b, oracle, c->name));
            block_close(b);
        }
        /* a writer is refused by the read-only formats, with advice */
        if (c->probed && strcmp(c->probed, "raw") && strcmp(c->probed, "qcow2")) {
            b = block_open(path, false, false, &err);
            CU_ASSERT_PTR_NULL(b);
            if (!b) {
                CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "-snapshot"));
                CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "qemu-img create -f qcow2"));
            }
            block_close(b);
            g_clear_error(&err);
            /* -snapshot: writes in memory */
            b = block_open(path, false, true, &err);
            CU_ASSERT_PTR_NOT_NULL_FATAL(b);
            uint8_t w[1024], r[1024];
            memset(w, 0xa5, sizeof(w));
            CU_ASSERT_TRUE(block_write(b, 3, w, 2));
            CU_ASSERT_TRUE(block_read(b, 3, r, 2));
            CU_ASSERT_EQUAL(memcmp(w, r, sizeof(w)), 0);
            block_close(b);
        }
        g_free(path);
        g_free(oracle);
    }
    g_free(src);
    unit_tmpdir_free(dir);
}

/* ---- qcow2 writes ---- */

typedef struct WriteCase {
    const char *name;
    const char *make;           /* shell commands making img.qcow2 (src.raw is there) */
    uint64_t size;              /* of src.raw */
    bool zero;                  /* qemu-io writes zero clusters at 1 MiB */
    int fill_mib;               /* > 0: a sequential write of so many MiB first */
} WriteCase;

static const WriteCase write_cases[] = {
    { "v2 64 KiB", "qemu-img convert -O qcow2 -o compat=0.10 src.raw img.qcow2", 4u << 20 },
    { "v3 512 B, zero clusters",
      "qemu-img convert -O qcow2 -o compat=1.1,cluster_size=512 src.raw img.qcow2",
      3u << 20, true },
    { "v3 2 MiB, partial last cluster",
      "qemu-img convert -O qcow2 -o cluster_size=2M src.raw img.qcow2", (7u << 20) + 3072 },
    { "v3 compressed, zero clusters",
      "qemu-img convert -c -O qcow2 -o cluster_size=4096 src.raw img.qcow2", 4u << 20, true },
    { "v2 compressed", "qemu-img convert -c -O qcow2 -o compat=0.10 src.raw img.qcow2",
      4u << 20 },
    { "v3 backing raw",
      "qemu-img create -f qcow2 -b src.raw -F raw img.qcow2", 4u << 20 },
    { "v2 4 KiB backing qcow2 (compressed)",
      "qemu-img convert -c -O qcow2 src.raw base.qcow2 && "
      "qemu-img create -f qcow2 -o compat=0.10,cluster_size=4096 -b base.qcow2 -F qcow2 "
      "img.qcow2", 4u << 20 },
    { "v3 1 KiB backing vmdk",
      "qemu-img convert -O vmdk src.raw base.vmdk && "
      "qemu-img create -f qcow2 -o cluster_size=1024 -b base.vmdk -F vmdk img.qcow2",
      2u << 20 },
    { "v3 backing chain, zero clusters over it",
      "qemu-img convert -O qcow2 src.raw base.qcow2 && "
      "qemu-img create -f qcow2 -b base.qcow2 -F qcow2 mid.qcow2 && "
      "qemu-io -f qcow2 -c 'write -P 0x33 64k 256k' mid.qcow2 >/dev/null && "
      "qemu-img create -f qcow2 -b mid.qcow2 -F qcow2 img.qcow2", 4u << 20, true },
    { "v3 refcount_bits=1", "qemu-img convert -O qcow2 -o refcount_bits=1,cluster_size=4096 "
      "src.raw img.qcow2", 4u << 20 },
    { "v3 refcount_bits=64", "qemu-img convert -O qcow2 -o refcount_bits=64,cluster_size=512 "
      "src.raw img.qcow2", 2u << 20 },
    { "v3 512 B, the refcount table grows",
      "qemu-img create -f qcow2 -o cluster_size=512 img.qcow2 24M", 24u << 20, false, 12 },
};

static void test_qcow2_writes(void)
{
    if (!unit_have_qemu_img())
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(write_cases); i++) {
        const WriteCase *c = &write_cases[i];
        gchar *dir = unit_tmpdir_new("tx86-fmt-XXXXXX");
        g_free(write_pattern(dir, "src.raw", c->size));
        if (unit_sh(dir, NULL, "%s", c->make) ||
            (c->zero && unit_sh(dir, NULL, "qemu-io -f qcow2 -c 'write -z 1M 192k' img.qcow2 "
                           ">/dev/null")) ||
            unit_sh(dir, NULL, "qemu-img convert -O raw img.qcow2 ref.raw")) {
            CU_FAIL("making the image");
            unit_tmpdir_free(dir);
            continue;
        }
        gchar *img = g_build_filename(dir, "img.qcow2", NULL);
        gchar *refp = g_build_filename(dir, "ref.raw", NULL);
        gchar *ref;
        gsize len;
        CU_ASSERT_TRUE_FATAL(g_file_get_contents(refp, &ref, &len, NULL));
        GError *err = NULL;
        BlockDev *b = block_open(img, false, false, &err);
        if (!b) {
            printf("\n  %s: %s", c->name, err->message);
            CU_FAIL("open");
            g_clear_error(&err);
            g_free(ref);
            g_free(img);
            g_free(refp);
            unit_tmpdir_free(dir);
            continue;
        }
        CU_ASSERT_STRING_EQUAL(block_format(b), "qcow2");
        CU_ASSERT_EQUAL(block_size(b), len);
        uint64_t sectors = block_sectors(b);
        GRand *rnd = g_rand_new_with_seed((guint32)i + 1);
        uint8_t *buf = g_malloc(64 * 512);
        bool ok = true;
        /* a sequential fill, then targeted writes, then random ones */
        for (uint64_t s = 0; s < (uint64_t)c->fill_mib * 2048 && ok; s += 64) {
            for (int k = 0; k < 64 * 512; k++)
                buf[k] = (uint8_t)(s + (uint64_t)k);
            ok = block_write(b, s, buf, 64);
            memcpy(ref + s * 512, buf, 64 * 512);
        }
        uint64_t fixed[][2] = {
            { 0, 1 }, { sectors - 1, 1 }, { 127, 3 }, { 2048 + 5, 7 },   /* 1 MiB: zeros */
            { 2048 + 300, 64 }, { 8 * 37 + 2, 40 }, { 3 * 37, 1 },
        };
        for (int n = 0; n < 180 && ok; n++) {
            uint64_t s;
            uint32_t cnt;
            if (n < (int)G_N_ELEMENTS(fixed)) {
                s = fixed[n][0];
                cnt = (uint32_t)fixed[n][1];
            } else {
                s = (uint64_t)g_rand_int_range(rnd, 0, (gint32)sectors);
                cnt = (uint32_t)g_rand_int_range(rnd, 1, 65);
            }
            if (s >= sectors)
                continue;
            cnt = (uint32_t)MIN((uint64_t)cnt, sectors - s);
            for (uint32_t k = 0; k < cnt * 512; k++)
                buf[k] = (uint8_t)g_rand_int(rnd);
            if (!block_write(b, s, buf, cnt)) {
                printf("\n  %s: write %llu+%u failed", c->name, (unsigned long long)s, cnt);
                ok = false;
            }
            memcpy(ref + s * 512, buf, cnt * 512);
        }
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_TRUE(block_flush(b));
        /* tx86 reads back what it wrote */
        for (uint64_t s = 0; s < sectors && ok; s += 64) {
            uint32_t n = (uint32_t)MIN(64, sectors - s);
            if (!block_read(b, s, buf, n) || memcmp(buf, ref + s * 512, n * 512)) {
                printf("\n  %s: read back of %llu+%u differs", c->name,
                       (unsigned long long)s, n);
                ok = false;
            }
        }
        CU_ASSERT_TRUE(ok);
        block_close(b);
        CU_ASSERT_TRUE(g_file_set_contents(refp, ref, (gssize)len, NULL));
        gchar *out = NULL;
        int rc = unit_sh(dir, &out, "qemu-img check img.qcow2");
        if (rc || !strstr(out, "No errors were found") || strstr(out, "leaked")) {
            printf("\n  %s: qemu-img check (exit %d):\n%s", c->name, rc, out);
            CU_FAIL("qemu-img check");
        }
        g_free(out);
        rc = unit_sh(dir, &out, "qemu-img compare -f qcow2 -F raw img.qcow2 ref.raw");
        if (rc) {
            printf("\n  %s: qemu-img compare (exit %d): %s", c->name, rc, out);
            CU_FAIL("qemu-img compare");
        }
        g_free(out);
        g_free(buf);
        g_rand_free(rnd);
        g_free(ref);
        g_free(img);
        g_free(refp);
        unit_tmpdir_free(dir);
    }
}

static uint8_t header_byte(const char *path, off_t off)
{
    uint8_t v = 0;
    int fd = open(path, O_RDONLY);
    CU_ASSERT(fd >= 0 && pread(fd, &v, 1, off) == 1);
    close(fd);
    return v;
}

static void patch(const char *path, off_t off, const void *bytes, size_t n)
{
    int fd = open(path, O_WRONLY);
    CU_ASSERT(fd >= 0 && pwrite(fd, bytes, n, off) == (ssize_t)n);
    close(fd);
}

/* the dirty bit, -snapshot, the backing file's lock, a probed backing format */
static void test_qcow2_state(void)
{
    if (!unit_have_qemu_img())
        return;
    gchar *dir = unit_tmpdir_new("tx86-fmt-XXXXXX");
    g_free(write_pattern(dir, "base.raw", 1u << 20));
    CU_ASSERT_EQUAL_FATAL(unit_sh(dir, NULL, "qemu-img create -q -f qcow2 -b base.raw -F raw "
                             "img.qcow2 && cp img.qcow2 orig.qcow2"), 0);
    gchar *img = g_build_filename(dir, "img.qcow2", NULL);
    gchar *base = g_build_filename(dir, "base.raw", NULL);
    GError *err = NULL;
    uint8_t buf[512];
    memset(buf, 0x77, sizeof(buf));

    /* -snapshot: the file does not change */
    BlockDev *b = block_open(img, false, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_TRUE(block_write(b, 5, buf, 1));
    CU_ASSERT_EQUAL(header_byte(img, 79) & 1, 0);
    block_close(b);
    CU_ASSERT_EQUAL(unit_sh(dir, NULL, "cmp -s img.qcow2 orig.qcow2"), 0);

    /* open for writing: dirty; the backing file is locked against writers */
    b = block_open(img, false, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(header_byte(img, 79) & 1, 1);
    BlockDev *w = block_open(base, false, false, &err);
    CU_ASSERT_PTR_NULL(w);
    if (err)
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "another process"));
    g_clear_error(&err);
    block_close(w);
    BlockDev *r = block_open(base, true, false, &err);      /* readers share */
    CU_ASSERT_PTR_NOT_NULL(r);
    block_close(r);
    g_clear_error(&err);
    CU_ASSERT_TRUE(block_write(b, 5, buf, 1));
    block_close(b);
    CU_ASSERT_EQUAL(header_byte(img, 79) & 1, 0);

    /* found dirty: read-only yes, writing no (repair first) */
    uint8_t dirty = 1;
    patch(img, 79, &dirty, 1);
    b = block_open(img, false, false, &err);
    CU_ASSERT_PTR_NULL(b);
    if (err)
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "qemu-img check -r all"));
    g_clear_error(&err);
    block_close(b);
    b = block_open(img, true, false, &err);
    CU_ASSERT_PTR_NOT_NULL(b);
    uint8_t rd[512];
    CU_ASSERT_TRUE(b && block_read(b, 5, rd, 1) && !memcmp(rd, buf, 512));
    block_close(b);
    g_clear_error(&err);

    /* no backing format extension (its type changed to an unknown one,
     * which readers skip): the backing file's format is probed */
    gchar *hdr;
    gsize hlen;
    CU_ASSERT_TRUE_FATAL(g_file_get_contents(img, &hdr, &hlen, NULL));
    const uint8_t ext[4] = { 0xe2, 0x79, 0x2a, 0xca }, other[4] = { 0x12, 0x34, 0x56, 0x78 };
    uint8_t *at = memmem(hdr, MIN(hlen, 4096), ext, 4);
    CU_ASSERT_PTR_NOT_NULL(at);
    if (at)
        patch(img, at - (uint8_t *)hdr, other, 4);
    g_free(hdr);
    b = block_open(img, true, false, &err);
    CU_ASSERT_PTR_NOT_NULL(b);
    uint8_t want[512];
    pattern_sector(40, want);                   /* data, not zeros */
    CU_ASSERT_TRUE(b && block_read(b, 40, rd, 1) && !memcmp(rd, want, 512));
    block_close(b);
    g_clear_error(&err);
    g_free(img);
    g_free(base);
    unit_tmpdir_free(dir);
}

/* ---- malformed images ---- */

typedef struct BadImage {
    const char *make;           /* makes x.img */
    off_t off;                  /* patch at (-1: none) */
    int len;
    uint64_t value;             /* big-endian (BE) or little-endian (LE) */
    bool le;
    const char *msg;            /* in the error */
    ImageFormat format;
} BadImage;

#define QCOW2_MAKE "qemu-img create -q -f qcow2 x.img 1M"
static const BadImage bad_images[] = {
    { QCOW2_MAKE, 20, 4, 31, false, "cluster_bits" },
    { QCOW2_MAKE, 20, 4, 8, false, "cluster_bits" },
    { QCOW2_MAKE, 4, 4, 4, false, "version" },
    { QCOW2_MAKE, 36, 4, 0x7fffffff, false, "L1 table" },
    { QCOW2_MAKE, 36, 4, 0, false, "L1 table" },
    { QCOW2_MAKE, 40, 8, 1ull << 40, false, "L1 table" },
    { QCOW2_MAKE, 40, 8, 0x10001, false, "L1 table" },
    { QCOW2_MAKE, 48, 8, 1ull << 40, false, "refcount table" },
    { QCOW2_MAKE, 56, 4, 0x7fffffff, false, "refcount table" },
    { QCOW2_MAKE, 32, 4, 1, false, "encrypted" },
    { QCOW2_MAKE, 72, 8, 1ull << 10, false, "incompatible feature" },
    { QCOW2_MAKE, 72, 8, 1ull << 4, false, "extended L2" },
    { QCOW2_MAKE, 72, 8, 1ull << 2, false, "external data" },
    { QCOW2_MAKE, 72, 8, 1ull << 3, false, "compression" },
    { QCOW2_MAKE, 96, 4, 7, false, "refcount_order" },
    { QCOW2_MAKE, 100, 4, 1u << 20, false, "header_length" },
    { QCOW2_MAKE, 24, 8, 1ull << 62, false, "too large" },
    { "qemu-img create -q -f qcow2 b.img 1M && qemu-img create -q -f qcow2 -b b.img -F qcow2 "
      "x.img && sed -i 's/b\\.img/x.img/' x.img", -1, 0, 0, false, "chain" },
    { "qemu-img create -q -f raw b.img 1M && qemu-img create -q -f qcow2 -b b.img -F raw x.img "
      "&& rm b.img", -1, 0, 0, false, "backing file" },
    { "qemu-img create -q -f vdi x.img 1M", 0x180, 4, 0x7fffffff, true, "block map" },
    { "qemu-img create -q -f vdi x.img 1M", 0x178, 4, 3, true, "block size" },
    { "qemu-img create -q -f vdi x.img 1M", 0x4c, 4, 4, true, "differencing" },
    { "qemu-img create -q -f vpc x.img 1M", 512 + 28, 4, 0x7fffffff, false,
      "allocation table" },
    { "qemu-img create -q -f vpc x.img 1M", 512 + 16, 8, 1ull << 40, false,
      "allocation table" },
    { "qemu-img create -q -f vpc x.img 1M", 16, 8, 1ull << 40, false, "cxsparse" },
    { "qemu-img create -q -f vpc x.img 1M", 60, 4, 4, false, "differencing" },
    { "qemu-img create -q -f vpc -o subformat=fixed x.img 1M", -1, 0, 0, false, "footer",
      IMAGE_FORMAT_VPC },
    { "qemu-img create -q -f vmdk x.img 1M", 56, 8, 1ull << 40, true, "grain directory" },
    { "qemu-img create -q -f vmdk x.img 1M", 20, 8, 3, true, "grain size" },
    { "qemu-img create -q -f vmdk x.img 1M", 44, 4, 0, true, "grain table" },
    { "qemu-img create -q -f vmdk -o subformat=monolithicFlat x.img 1M && rm x-flat.*",
      -1, 0, 0, false, "extent" },
    { "printf '# Disk DescriptorFile\\nRW 10 FLAT x.raw 0\\n' > x.img", -1, 0, 0, false,
      "quoted" },
    { "printf '# Disk DescriptorFile\\nparentCID=12345678\\nRW 10 ZERO\\n' > x.img", -1, 0, 0,
      false, "parent" },
    { "printf '# Disk DescriptorFile\\nRW 10 VMFSRDM \"x\"\\n' > x.img", -1, 0, 0, false,
      "not supported" },
    { "printf '# Disk DescriptorFile\\n' > x.img", -1, 0, 0, false, "no extent" },
};

static void test_bad_formats(void)
{
    if (!unit_have_qemu_img())
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(bad_images); i++) {
        const BadImage *c = &bad_images[i];
        gchar *dir = unit_tmpdir_new("tx86-fmt-XXXXXX");
        gchar *path = g_build_filename(dir, "x.img", NULL);
        CU_ASSERT_EQUAL(unit_sh(dir, NULL, "%s", c->make), 0);
        if (c->off >= 0) {
            uint8_t v[8];
            for (int k = 0; k < c->len; k++)
                v[k] = (uint8_t)(c->value >> (8 * (c->le ? k : c->len - 1 - k)));
            patch(path, c->off, v, (size_t)c->len);
        }
        if (c->format == IMAGE_FORMAT_VPC)      /* the fixed VHD loses its footer */
            CU_ASSERT_EQUAL(truncate(path, 1 << 20), 0);
        GError *err = NULL;
        BlockDev *b = block_open_format(path, c->format, true, false, BLOCK_LOCKING_AUTO, &err);
        CU_ASSERT_PTR_NULL(b);
        if (b) {
            printf("\n  case %zu (%s): opened", i, c->msg);
            block_close(b);
        } else if (!strstr(err->message, c->msg) || !strstr(err->message, path)) {
            printf("\n  case %zu: '%s' lacks '%s' or the file name", i, err->message, c->msg);
            CU_FAIL("error message");
        }
        g_clear_error(&err);
        g_free(path);
        unit_tmpdir_free(dir);
    }
}

/* a qcow2 L2 entry, a VHD BAT entry, a VDI block map entry pointing past
 * the end: the request fails (the guest's I/O error), nothing crashes */
static void test_qcow2_bad_entry(void)
{
    if (!unit_have_qemu_img())
        return;
    gchar *dir = unit_tmpdir_new("tx86-fmt-XXXXXX");
    g_free(write_pattern(dir, "src.raw", 1u << 20));
    CU_ASSERT_EQUAL_FATAL(unit_sh(dir, NULL, "qemu-img convert -O qcow2 src.raw x.qcow2"), 0);
    gchar *path = g_build_filename(dir, "x.qcow2", NULL);
    int fd = open(path, O_RDWR);
    uint8_t h[48], e[8];
    CU_ASSERT_FATAL(fd >= 0 && pread(fd, h, sizeof(h), 0) == sizeof(h));
    CU_ASSERT_FATAL(pread(fd, e, 8, (off_t)image_be64(h + 40)) == 8);   /* L1[0] */
    uint64_t l2 = image_be64(e) & 0x00fffffffffffe00ull;
    image_put_be64(e, (1ull << 63) | (1ull << 45));
    CU_ASSERT_FATAL(pwrite(fd, e, 8, (off_t)l2 + 8 * 1) == 8);   /* guest cluster 1 */
    close(fd);
    GError *err = NULL;
    BlockDev *b = block_open(path, false, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint8_t buf[512];
    CU_ASSERT_TRUE(block_read(b, 0, buf, 1));
    CU_ASSERT_FALSE(block_read(b, 128, buf, 1));                 /* 64 KiB in */
    CU_ASSERT_FALSE(block_write(b, 129, buf, 1));
    block_close(b);
    g_free(path);

    /* a VHD BAT entry and a VDI block map entry past the end */
    static const struct { const char *make, *file; off_t entry; bool le; } others[] = {
        { "qemu-img convert -O vpc src.raw x.vhd", "x.vhd", 512 + 1024, false },
        { "qemu-img convert -O vdi src.raw x.vdi", "x.vdi", -1, true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
        CU_ASSERT_EQUAL_FATAL(unit_sh(dir, NULL, "%s", others[i].make), 0);
        path = g_build_filename(dir, others[i].file, NULL);
        fd = open(path, O_RDWR);
        CU_ASSERT_FATAL(fd >= 0);
        off_t at = others[i].entry;
        uint8_t v[4];
        if (at < 0) {                           /* VDI: the block map's offset */
            CU_ASSERT_FATAL(pread(fd, v, 4, 0x154) == 4);
            at = image_le32(v);
        }
        image_put_be32(v, 0x7ffffff0u);         /* the same both ways round */
        CU_ASSERT_FATAL(pwrite(fd, v, 4, at) == 4);
        close(fd);
        b = block_open(path, true, false, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_FALSE(block_read(b, 40, buf, 1));               /* block 0 */
        block_close(b);
        g_free(path);
    }
    unit_tmpdir_free(dir);
}

void register_formats_tests(void)
{
    CU_pSuite s = CU_add_suite("formats", NULL, NULL);
    CU_add_test(s, "every format reads as qemu-img converts it", test_read_formats);
    CU_add_test(s, "qcow2 writes: qemu-img check and compare", test_qcow2_writes);
    CU_add_test(s, "qcow2 dirty bit, -snapshot, backing lock", test_qcow2_state);
    CU_add_test(s, "malformed images give clear errors", test_bad_formats);
    CU_add_test(s, "metadata past the end: I/O error", test_qcow2_bad_entry);
}
