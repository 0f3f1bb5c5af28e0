/*
 * qcow2.c - the qcow2 format driver (image.h), versions 2 and 3, read-write.
 * Written from QEMU's published format description (docs/interop/qcow2.txt,
 * "Qcow2 Image File Format"); all numbers in the file are big-endian.
 *
 * The guest disk is split into clusters (2^cluster_bits bytes, 512 B to
 * 2 MiB).  A guest offset goes through two tables: the L1 table (in memory,
 * l1_size entries) gives the host offset of an L2 table (one cluster of
 * 8-byte entries, kept in a small write-through cache), whose entry says
 * where the guest cluster lives:
 *   0                        unallocated: the backing file, or zeros
 *   ZERO (bit 0, v3)         reads as zeros (with or without a host cluster)
 *   COMPRESSED (bit 62)      deflate (raw, no zlib header) data at a byte
 *                            offset; read only: a write copies it to a new
 *                            cluster and drops its references
 *   host offset (bits 9-55)  the data; COPIED (bit 63) = refcount is 1
 * Every host cluster in use has a reference count: a refcount table (in
 * memory) points to refcount blocks, which hold 2^refcount_order-bit
 * counts (big-endian; narrower than a byte: packed from bit 0 up).  A
 * cluster's count is the number of L1 tables (the active one and each
 * snapshot's) through which it is reached: an L2 table two snapshots
 * share counts 2, and so does every cluster it names.
 *
 * Writes: a write to an allocated cluster of ours alone (COPIED, or
 * refcount 1) goes in place; a write to an unallocated, zero, compressed
 * or shared cluster builds the whole cluster (old contents - backing file,
 * zeros, the decompressed or the shared data - with the new bytes on
 * top), writes it to a newly allocated cluster, then points the L2 entry
 * at it (COPIED) and drops one reference to the old one.  An L2 table
 * without COPIED in its L1 entry and a refcount above 1 is copied first
 * (COPIED flags off in the copy: its clusters stay shared), the L1 entry
 * points at the copy, the old table loses one reference.  New clusters (data, L2 tables, refcount blocks, a
 * grown refcount table) are taken from the end of the file, and every
 * allocation and release updates the refcounts at once, so the image is
 * consistent for `qemu-img check` after every request: no leaks, no
 * errors.  Metadata is written through (nothing is cached dirty).
 *
 * Internal snapshots (image_snapshot_*, as QEMU's savevm/loadvm keep them,
 * so `qemu-img snapshot -l` lists ours and we apply QEMU's): the header's
 * nb_snapshots and snapshots_offset name a table (cluster-aligned) of
 * 8-byte-padded entries: L1 table offset and size, id and name lengths,
 * date, guest clock, vm_state_size (32 bits), extra data (ours: 24 bytes,
 * vm_state_size_large, disk_size, icount = -1), id, name.  A snapshot's
 * own L1 table holds a copy of the active L1 entries for the disk, then
 * L2 tables for the vmstate, which starts at the first L1 entry beyond the
 * disk (guest offset ceil(size / (cluster * L2 entries)) L1 entries in).
 *   create  the disk part's L2 tables and clusters +1; vmstate clusters;
 *           the L1 copy; COPIED flags recomputed in the active tables;
 *           the new table (old entries + this one, a same-named one left
 *           out) in new clusters, sync, header, sync; then the old table
 *           and a replaced snapshot's references released
 *   goto    the snapshot's disk entries +1, the active L1 rewritten in
 *           place, the old active entries -1, COPIED recomputed
 *   delete  the new table, header; then the snapshot's L1 reach -1, its
 *           L1 table freed, COPIED recomputed
 * Every step adds references before the structure that needs them is
 * written and drops them after the last one is gone, so a crash leaves at
 * worst leaked clusters (`qemu-img check -r leaks`), never a reference to
 * a freed cluster.  Freed clusters are not reused (new ones come from the
 * end of the file): a deleted snapshot leaves holes, as with QEMU without
 * discard.  Counts of refcount_bits=1 cannot be shared (create refuses);
 * narrow counts (2, 4 bits) overflow with EOVERFLOW when too many
 * snapshots share a cluster.
 *
 * Refused with a clear error: encryption, external data files, extended
 * L2 entries, compression types other than deflate, unknown incompatible
 * feature bits; for writing also the corrupt bit and the dirty bit.  Dirty bit: tx86 sets it in a v3
 * image while it has it open for writing and clears it on a clean close;
 * an image found dirty (tx86 or QEMU killed while writing) opens only
 * read-only or with -snapshot, and the error says to repair it with
 * `qemu-img check -r all`.  Autoclear bits (bitmaps) are cleared when the
 * image is opened for writing, as the format asks of a program that does
 * not keep bitmaps.
 *
 * Bounds against malformed files: cluster_bits 9..21, the L1 table and
 * the refcount table must lie inside the file (and below 32 MiB), every
 * table offset is cluster-aligned, the backing chain is at most 16 deep;
 * the snapshot table (at most 65536 entries, 64 MiB, 1 KiB of extra data
 * each) and every snapshot's L1 table lie inside the file, a vmstate is no
 * larger than the file or its L1 table's range;
 * metadata pointing past the end of the file is an I/O error for the
 * request that meets it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "block/image.h"

#define QCOW2_MAGIC         0x514649fbu         /* "QFI\xfb" */
#define OFFSET_MASK         0x00fffffffffffe00ull  /* bits 9-55 */
#define ENTRY_COPIED        (1ull << 63)
#define ENTRY_COMPRESSED    (1ull << 62)
#define ENTRY_ZERO          1ull

/* incompatible feature bits */
#define INCOMPAT_DIRTY      (1ull << 0)
#define INCOMPAT_CORRUPT    (1ull << 1)
#define INCOMPAT_DATA_FILE  (1ull << 2)
#define INCOMPAT_COMPRESS   (1ull << 3)
#define INCOMPAT_EXTL2      (1ull << 4)

/* header extension types */
#define EXT_END             0x00000000u
#define EXT_BACKING_FORMAT  0xe2792acau
#define EXT_CRYPTO          0x0537be77u
#define EXT_DATA_FILE       0x44415441u

#define MAX_TABLE_BYTES     (32u << 20)         /* L1 and refcount tables */
#define MAX_SKIP            65536               /* in-use clusters passed by at the end */
#define MAX_SNAPSHOTS       65536               /* QEMU's limit */
#define MAX_SN_TABLE        (64u << 20)         /* bytes of the snapshot table */
#define MAX_SN_EXTRA        1024                /* extra data bytes of one entry */
#define SN_HEADER           40                  /* fixed part of an entry */
#define SN_EXTRA_OURS       24                  /* vm_state_size_large, disk_size, icount */

/* one entry of the snapshot table */
typedef struct Qcow2Snap {
    uint64_t l1_off;                /* its L1 table: the disk, then the vmstate */
    uint32_t l1_size;
    char *id, *name;
    uint32_t date_sec, date_nsec;
    uint64_t vm_clock;
    uint64_t vm_state_size;
    uint64_t disk_size;             /* virtual size when taken */
    uint64_t icount;                /* UINT64_MAX: none */
    uint8_t *extra;                 /* extra data as read, written back as is */
    uint32_t extra_len;
} Qcow2Snap;

typedef struct L2Slot {
    uint64_t off;                   /* host offset of the table, 0: empty */
    uint64_t used;                  /* LRU stamp */
    uint8_t *data;                  /* one cluster */
} L2Slot;

typedef struct Qcow2 {
    unsigned version;
    unsigned cluster_bits;
    uint64_t cs;                    /* cluster size */
    unsigned l2_bits;               /* log2 of entries per L2 table */
    uint64_t l1_off;
    uint32_t l1_size;
    uint64_t *l1;                   /* host order */
    uint64_t rt_off;
    uint32_t rt_clusters;
    uint64_t rt_size;               /* entries */
    uint64_t *rt;                   /* host order */
    unsigned rc_bits;               /* 1 << refcount_order */
    uint64_t rb_entries;            /* refcounts per refcount block */
    uint64_t incompat;
    uint32_t nb_snapshots;
    Qcow2Snap *sn;                  /* the snapshot table */
    uint64_t sn_off;                /* where it is (0: none) */
    uint64_t sn_bytes;              /* its length */
    Image *backing;
    L2Slot *l2c;                    /* the L2 cache */
    unsigned l2c_n;
    uint64_t tick;
    uint64_t rb_off;                /* the cached refcount block, 0: none */
    uint8_t *rb;
    uint64_t next_free;             /* where the next cluster is allocated */
    uint8_t *ubuf;                  /* a decompressed cluster */
    uint64_t ubuf_entry;            /* ... of this L2 entry, 0: none */
    uint8_t *cbuf;                  /* compressed bytes read */
    uint8_t *wbuf;                  /* a cluster being built for a write */
    uint8_t *zbuf;                  /* a cluster of zeros */
    bool dirty_set;                 /* we set the dirty bit */
} Qcow2;

static int qcow2_probe(const uint8_t *head, size_t len)
{
    return len >= 4 && image_be32(head) == QCOW2_MAGIC ? 100 : 0;
}

static void snap_clear(Qcow2Snap *sn)
{
    g_free(sn->id);
    g_free(sn->name);
    g_free(sn->extra);
}

static void qcow2_free(Qcow2 *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; s->sn && i < s->nb_snapshots; i++)
        snap_clear(&s->sn[i]);
    g_free(s->sn);
    image_close(s->backing);
    for (unsigned i = 0; s->l2c && i < s->l2c_n; i++)
        g_free(s->l2c[i].data);
    g_free(s->l2c);
    g_free(s->l1);
    g_free(s->rt);
    g_free(s->rb);
    g_free(s->ubuf);
    g_free(s->cbuf);
    g_free(s->wbuf);
    g_free(s->zbuf);
    g_free(s);
}

/* ---- tables ---- */

/* the L2 table at host offset off, from the cache or the file */
static uint8_t *l2_get(Image *img, Qcow2 *s, uint64_t off)
{
    L2Slot *victim = &s->l2c[0];
    for (unsigned i = 0; i < s->l2c_n; i++) {
        if (s->l2c[i].off == off) {
            s->l2c[i].used = ++s->tick;
            return s->l2c[i].data;
        }
        if (s->l2c[i].used < victim->used)
            victim = &s->l2c[i];
    }
    if (!victim->data)
        victim->data = g_malloc(s->cs);         /* slots fill as tables are used */
    if (off % s->cs || !image_pread(img, victim->data, s->cs, off)) {
        victim->off = 0;
        victim->used = 0;
        return NULL;
    }
    victim->off = off;
    victim->used = ++s->tick;
    return victim->data;
}

/* the L2 entry of guest offset g (0 when no L2 table); *l2_off, *idx say
 * where it is (l2_off 0: no table) */
static bool l2_lookup_in(Image *img, Qcow2 *s, const uint64_t *l1, uint64_t l1_size,
                         uint64_t g, uint64_t *entry, uint64_t *l2_off, uint64_t *idx)
{
    uint64_t l1_idx = g >> (s->cluster_bits + s->l2_bits);
    *entry = 0;
    *l2_off = 0;
    *idx = (g >> s->cluster_bits) & ((1ull << s->l2_bits) - 1);
    if (l1_idx >= l1_size)
        return true;
    uint64_t off = l1[l1_idx] & OFFSET_MASK;
    if (!off)
        return true;
    uint8_t *t = l2_get(img, s, off);
    if (!t)
        return false;
    *l2_off = off;
    *entry = image_be64(t + *idx * 8);
    return true;
}

/* ... through the active L1 table */
static bool l2_lookup(Image *img, Qcow2 *s, uint64_t g, uint64_t *entry, uint64_t *l2_off,
                      uint64_t *idx)
{
    return l2_lookup_in(img, s, s->l1, s->l1_size, g, entry, l2_off, idx);
}

/* write one L2 entry through the cache */
static bool l2_set(Image *img, Qcow2 *s, uint64_t l2_off, uint64_t idx, uint64_t entry)
{
    uint8_t *t = l2_get(img, s, l2_off);
    if (!t)
        return false;
    image_put_be64(t + idx * 8, entry);
    return image_pwrite(img, t + idx * 8, 8, l2_off + idx * 8);
}

/* ---- refcounts ---- */

static bool rb_load(Image *img, Qcow2 *s, uint64_t off)
{
    if (s->rb_off == off)
        return true;
    s->rb_off = 0;
    if (!off || off % s->cs || !image_pread(img, s->rb, s->cs, off))
        return false;
    s->rb_off = off;
    return true;
}

static uint64_t rb_entry(const Qcow2 *s, uint64_t i)
{
    if (s->rc_bits < 8) {
        uint64_t bit = i * s->rc_bits;
        return (uint64_t)(s->rb[bit / 8] >> (bit % 8)) & ((1u << s->rc_bits) - 1);
    }
    unsigned n = s->rc_bits / 8;
    uint64_t v = 0;
    for (unsigned k = 0; k < n; k++)
        v = v << 8 | s->rb[i * n + k];
    return v;
}

/* store v, write the bytes that hold it */
static bool rb_set_entry(Image *img, Qcow2 *s, uint64_t i, uint64_t v)
{
    uint64_t first, n;
    if (s->rc_bits < 8) {
        uint64_t bit = i * s->rc_bits;
        uint8_t mask = (uint8_t)(((1u << s->rc_bits) - 1) << (bit % 8));
        s->rb[bit / 8] = (uint8_t)((s->rb[bit / 8] & ~mask) | ((v << (bit % 8)) & mask));
        first = bit / 8;
        n = 1;
    } else {
        n = s->rc_bits / 8;
        first = i * n;
        for (unsigned k = 0; k < n; k++)
            s->rb[first + n - 1 - k] = (uint8_t)(v >> (8 * k));
    }
    return image_pwrite(img, s->rb + first, n, s->rb_off + first);
}

static bool rc_get(Image *img, Qcow2 *s, uint64_t cluster, uint64_t *v)
{
    uint64_t ti = cluster / s->rb_entries;
    *v = 0;
    if (ti >= s->rt_size || !(s->rt[ti] & ~511ull))
        return true;
    if (!rb_load(img, s, s->rt[ti] & ~511ull))
        return false;
    *v = rb_entry(s, cluster % s->rb_entries);
    return true;
}

static bool rc_add(Image *img, Qcow2 *s, uint64_t cluster, int delta);

/* a zeroed cluster at the end of the file, before refcounts are known
 * (refcount blocks and tables: the end is free by construction) */
static bool take_end_clusters(Image *img, Qcow2 *s, uint64_t n, uint64_t *off)
{
    *off = s->next_free;
    if (n > MAX_TABLE_BYTES / s->cs + 1 || *off > (1ull << 55)) {
        errno = EFBIG;
        return false;
    }
    s->next_free += n * s->cs;
    for (uint64_t i = 0; i < n; i++)
        if (!image_pwrite(img, s->zbuf, s->cs, *off + i * s->cs))
            return false;
    return true;
}

/* a larger refcount table (one that covers entry need and its own
 * clusters), written at the end of the file; the old one is released */
static bool rt_grow(Image *img, Qcow2 *s, uint64_t need)
{
    uint64_t entries = MAX(s->rt_size * 2, need + 1), clusters;
    for (;;) {
        clusters = (entries * 8 + s->cs - 1) / s->cs;
        entries = clusters * s->cs / 8;
        if (entries * 8 > MAX_TABLE_BYTES) {
            errno = EFBIG;
            return false;
        }
        /* the table's own clusters and the refcount blocks for them */
        if ((s->next_free / s->cs + clusters + 8) / s->rb_entries < entries)
            break;
        entries *= 2;
    }
    uint64_t *rt = g_new0(uint64_t, entries);
    memcpy(rt, s->rt, s->rt_size * 8);
    uint8_t *raw = g_malloc0(clusters * s->cs);
    for (uint64_t i = 0; i < s->rt_size; i++)
        image_put_be64(raw + i * 8, rt[i]);
    uint64_t off = s->next_free;
    s->next_free += clusters * s->cs;
    bool ok = image_pwrite(img, raw, clusters * s->cs, off);
    g_free(raw);
    uint8_t hdr[12];
    image_put_be64(hdr, off);
    image_put_be32(hdr + 8, (uint32_t)clusters);
    ok = ok && image_sync(img) && image_pwrite(img, hdr, sizeof(hdr), 48);
    if (!ok) {
        g_free(rt);
        return false;
    }
    uint64_t old_off = s->rt_off, old_clusters = s->rt_clusters;
    g_free(s->rt);
    s->rt = rt;
    s->rt_size = entries;
    s->rt_off = off;
    s->rt_clusters = (uint32_t)clusters;
    for (uint64_t i = 0; i < clusters; i++)
        if (!rc_add(img, s, off / s->cs + i, 1))
            return false;
    for (uint64_t i = 0; i < old_clusters; i++)
        if (!rc_add(img, s, old_off / s->cs + i, -1))
            return false;
    return true;
}

/* refcount of a host cluster += delta, creating refcount blocks (and a
 * larger table) as needed */
static bool rc_add(Image *img, Qcow2 *s, uint64_t cluster, int delta)
{
    uint64_t ti = cluster / s->rb_entries;
    if (ti >= s->rt_size) {
        if (delta < 0 || !rt_grow(img, s, ti))
            return delta < 0 ? (errno = EIO, false) : false;
    }
    if (!(s->rt[ti] & ~511ull)) {
        if (delta < 0) {
            errno = EIO;                        /* releasing what has no count */
            return false;
        }
        uint64_t off;
        if (!take_end_clusters(img, s, 1, &off))
            return false;
        uint8_t e[8];
        image_put_be64(e, off);
        if (!image_pwrite(img, e, 8, s->rt_off + ti * 8))
            return false;
        s->rt[ti] = off;
        if (!rc_add(img, s, off / s->cs, 1))    /* the block counts itself */
            return false;
    }
    if (!rb_load(img, s, s->rt[ti] & ~511ull))
        return false;
    uint64_t i = cluster % s->rb_entries, v = rb_entry(s, i);
    uint64_t max = s->rc_bits == 64 ? UINT64_MAX : (1ull << s->rc_bits) - 1;
    if ((delta < 0 && v == 0) || (delta > 0 && v == max)) {
        errno = v ? EOVERFLOW : EIO;            /* refcount_bits too narrow; inconsistent */
        return false;
    }
    if (delta < 0 && v == 1) {                  /* freed: forget cached copies */
        for (unsigned k = 0; k < s->l2c_n; k++)
            if (s->l2c[k].off == cluster * s->cs)
                s->l2c[k].off = 0;
        s->ubuf_entry = 0;
    }
    return rb_set_entry(img, s, i, delta < 0 ? v - 1 : v + 1);
}

/* a new cluster for data or an L2 table: the first free one from the end */
static bool alloc_cluster(Image *img, Qcow2 *s, uint64_t *off)
{
    for (int i = 0; i < MAX_SKIP; i++) {
        uint64_t c = s->next_free, v;
        if (c > (1ull << 55)) {
            errno = EFBIG;
            return false;
        }
        s->next_free += s->cs;
        if (!rc_get(img, s, c / s->cs, &v))
            return false;
        if (v)
            continue;                           /* counted though past the end */
        if (!rc_add(img, s, c / s->cs, 1))
            return false;
        *off = c;
        return true;
    }
    errno = ENOSPC;
    return false;
}

/* n contiguous new clusters (snapshot tables, L1 tables) */
static bool alloc_clusters(Image *img, Qcow2 *s, uint64_t n, uint64_t *off)
{
    if (n <= 1)
        return alloc_cluster(img, s, off);
    for (int tries = 0; tries < MAX_SKIP; tries++) {
        uint64_t start = s->next_free, i, v = 0;
        if (start > (1ull << 55)) {
            errno = EFBIG;
            return false;
        }
        for (i = 0; i < n && !v; i++)
            if (!rc_get(img, s, start / s->cs + i, &v))
                return false;
        if (v) {                                /* counted: start after it */
            s->next_free = start + i * s->cs;
            continue;
        }
        s->next_free = start + n * s->cs;       /* new refcount blocks go after */
        for (i = 0; i < n; i++)
            if (!rc_add(img, s, start / s->cs + i, 1))
                return false;
        *off = start;
        return true;
    }
    errno = ENOSPC;
    return false;
}

/* ---- data ---- */

/* the compressed cluster of L2 entry e, decompressed into s->ubuf */
static bool read_compressed(Image *img, Qcow2 *s, uint64_t e)
{
    if (s->ubuf_entry == e)
        return true;
    if (!s->ubuf) {
        s->ubuf = g_malloc(s->cs);
        s->cbuf = g_malloc(2 * s->cs + 512);
    }
    unsigned x = 62 - (s->cluster_bits - 8);
    uint64_t off = e & ((1ull << x) - 1);
    uint64_t sectors = ((e >> x) & ((1ull << (s->cluster_bits - 8)) - 1)) + 1;
    uint64_t len = sectors * 512 - (off & 511);
    if (off >= img->file_size) {
        errno = EIO;
        return false;
    }
    len = MIN(len, img->file_size - off);
    if (!image_pread(img, s->cbuf, len, off))
        return false;
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, -15) != Z_OK) {
        errno = ENOMEM;
        return false;
    }
    z.next_in = s->cbuf;
    z.avail_in = (uInt)len;
    z.next_out = s->ubuf;
    z.avail_out = (uInt)s->cs;
    int r = inflate(&z, Z_FINISH);
    bool ok = (r == Z_STREAM_END || r == Z_BUF_ERROR || r == Z_OK) && z.avail_out == 0;
    inflateEnd(&z);
    s->ubuf_entry = ok ? e : 0;
    if (!ok)
        errno = EIO;
    return ok;
}

/* len bytes at guest offset g, all inside one cluster, as the L1 table l1
 * maps them (unallocated: the backing file if asked, else zeros) */
static bool read_piece_in(Image *img, Qcow2 *s, const uint64_t *l1, uint64_t l1_size,
                          bool backing, uint64_t g, uint8_t *buf, size_t len)
{
    uint64_t e, l2_off, idx;
    if (!l2_lookup_in(img, s, l1, l1_size, g, &e, &l2_off, &idx))
        return false;
    uint64_t in = g & (s->cs - 1), host = e & OFFSET_MASK;
    if (e & ENTRY_COMPRESSED) {
        if (!read_compressed(img, s, e))
            return false;
        memcpy(buf, s->ubuf + in, len);
        return true;
    }
    if (s->version >= 3 && (e & ENTRY_ZERO)) {
        memset(buf, 0, len);
        return true;
    }
    if (host) {
        if (host % s->cs) {
            errno = EIO;
            return false;
        }
        return image_pread(img, buf, len, host + in);
    }
    /* unallocated: the backing file as far as it goes, then zeros */
    uint64_t from_backing = 0;
    if (backing && s->backing && g < s->backing->size)
        from_backing = MIN((uint64_t)len, s->backing->size - g);
    if (from_backing && !image_read(s->backing, g, buf, from_backing))
        return false;
    memset(buf + from_backing, 0, len - from_backing);
    return true;
}

/* ... of the active disk */
static bool read_piece(Image *img, Qcow2 *s, uint64_t g, uint8_t *buf, size_t len)
{
    return read_piece_in(img, s, s->l1, s->l1_size, true, g, buf, len);
}

static bool qcow2_read(Image *img, uint64_t off, void *buf, size_t len)
{
    Qcow2 *s = img->opaque;
    uint8_t *p = buf;
    while (len) {
        size_t n = (size_t)MIN((uint64_t)len, s->cs - (off & (s->cs - 1)));
        if (!read_piece(img, s, off, p, n))
            return false;
        off += n;
        p += n;
        len -= n;
    }
    return true;
}

/* refcounts of the host clusters a compressed L2 entry refers to += delta */
static bool compressed_refs(Image *img, Qcow2 *s, uint64_t e, int delta)
{
    unsigned x = 62 - (s->cluster_bits - 8);
    uint64_t start = (e & ((1ull << x) - 1)) & ~511ull;
    uint64_t sectors = ((e >> x) & ((1ull << (s->cluster_bits - 8)) - 1)) + 1;
    uint64_t end = start + sectors * 512 - 1;
    if (end >= s->next_free) {
        errno = EIO;
        return false;
    }
    for (uint64_t c = start / s->cs; c <= end / s->cs; c++)
        if (!rc_add(img, s, c, delta))
            return false;
    return true;
}

/* the L2 table of active L1 entry l1_idx, made ours alone: a table a
 * snapshot shares (refcount > 1) is copied first, with every COPIED flag
 * off (its clusters stay shared); *l2_off: the table to change */
static bool l2_unshare(Image *img, Qcow2 *s, uint64_t l1_idx, uint64_t *l2_off)
{
    uint64_t old = *l2_off, off = old, v;
    if (!rc_get(img, s, old / s->cs, &v))
        return false;
    if (v == 0) {
        errno = EIO;                            /* in use but not counted */
        return false;
    }
    if (v > 1) {
        uint8_t *t = l2_get(img, s, old);
        if (!t)
            return false;
        memcpy(s->wbuf, t, s->cs);
        for (uint64_t j = 0; j < (1ull << s->l2_bits); j++)
            image_put_be64(s->wbuf + j * 8, image_be64(s->wbuf + j * 8) & ~ENTRY_COPIED);
        if (!alloc_cluster(img, s, &off) || !image_pwrite(img, s->wbuf, s->cs, off))
            return false;
    }
    uint8_t e[8];
    image_put_be64(e, off | ENTRY_COPIED);
    if (!image_pwrite(img, e, 8, s->l1_off + l1_idx * 8))
        return false;
    s->l1[l1_idx] = off | ENTRY_COPIED;
    *l2_off = off;
    return off == old || rc_add(img, s, old / s->cs, -1);
}

static bool write_piece(Image *img, Qcow2 *s, uint64_t g, const uint8_t *buf, size_t len)
{
    uint64_t l1_idx = g >> (s->cluster_bits + s->l2_bits);
    if (l1_idx >= s->l1_size) {
        errno = EIO;
        return false;
    }
    uint64_t l2_off = s->l1[l1_idx] & OFFSET_MASK;
    if (!l2_off) {                              /* a new L2 table */
        uint64_t off;
        uint8_t e[8];
        if (!alloc_cluster(img, s, &off) || !image_pwrite(img, s->zbuf, s->cs, off))
            return false;
        image_put_be64(e, off | ENTRY_COPIED);
        if (!image_pwrite(img, e, 8, s->l1_off + l1_idx * 8))
            return false;
        s->l1[l1_idx] = off | ENTRY_COPIED;
        l2_off = off;
    } else if (!(s->l1[l1_idx] & ENTRY_COPIED) && !l2_unshare(img, s, l1_idx, &l2_off)) {
        return false;
    }
    uint8_t *t = l2_get(img, s, l2_off);
    if (!t)
        return false;
    uint64_t idx = (g >> s->cluster_bits) & ((1ull << s->l2_bits) - 1);
    uint64_t e = image_be64(t + idx * 8), host = e & OFFSET_MASK, in = g & (s->cs - 1);
    bool compressed = e & ENTRY_COMPRESSED, zero = s->version >= 3 && (e & ENTRY_ZERO);
    if (!compressed && host && host % s->cs) {
        errno = EIO;
        return false;
    }
    bool shared = false;                        /* with a snapshot: copy on write */
    if (!compressed && host && !(e & ENTRY_COPIED)) {
        uint64_t v;
        if (!rc_get(img, s, host / s->cs, &v))
            return false;
        if (v == 0) {
            errno = EIO;
            return false;
        }
        shared = v > 1;
        if (!shared) {                          /* ours alone after all */
            e |= ENTRY_COPIED;
            if (!l2_set(img, s, l2_off, idx, e))
                return false;
        }
    }
    if (!compressed && host && !zero && !shared)    /* allocated, ours: in place */
        return image_pwrite(img, buf, len, host + in);
    /* the whole cluster: its old contents with the new bytes on top */
    if (len < s->cs && !read_piece(img, s, g - in, s->wbuf, s->cs))
        return false;
    memcpy(s->wbuf + in, buf, len);
    bool fresh = compressed || !host || shared;
    uint64_t target = host;
    if (fresh && !alloc_cluster(img, s, &target))
        return false;
    if (!image_pwrite(img, s->wbuf, s->cs, target))
        return false;
    if (!l2_set(img, s, l2_off, idx, target | ENTRY_COPIED))
        return false;
    return !shared || rc_add(img, s, host / s->cs, -1);
}

static bool qcow2_write(Image *img, uint64_t off, const void *buf, size_t len)
{
    Qcow2 *s = img->opaque;
    const uint8_t *p = buf;
    while (len) {
        size_t n = (size_t)MIN((uint64_t)len, s->cs - (off & (s->cs - 1)));
        /* a compressed cluster being replaced: its references go after the
         * L2 entry no longer names it */
        uint64_t e = 0, l2_off, idx;
        if (!l2_lookup(img, s, off, &e, &l2_off, &idx))
            return false;
        if (!write_piece(img, s, off, p, n))
            return false;
        if ((e & ENTRY_COMPRESSED) && !compressed_refs(img, s, e, -1))
            return false;
        off += n;
        p += n;
        len -= n;
    }
    return true;
}

/* ---- internal snapshots ---- */

/* L1 entries that map the disk of size bytes; a snapshot's vmstate starts
 * at the next L1 entry (the spec: "the first cluster described by the
 * first L1 table entry that doesn't describe a regular guest cluster") */
static uint64_t l1_entries_for(const Qcow2 *s, uint64_t size)
{
    uint64_t per_l2 = s->cs << s->l2_bits;
    return (size + per_l2 - 1) / per_l2;
}

/* refcount += delta of every cluster an L2 entry names */
static bool entry_refs(Image *img, Qcow2 *s, uint64_t e, int delta)
{
    if (e & ENTRY_COMPRESSED)
        return compressed_refs(img, s, e, delta);
    uint64_t host = e & OFFSET_MASK;
    if (!host)
        return true;
    if (host % s->cs || host >= s->next_free) {
        errno = EIO;
        return false;
    }
    return rc_add(img, s, host / s->cs, delta);
}

/* refcount += delta of every L2 table and cluster the L1 table l1 reaches:
 * one more (or one less) table that uses them */
static bool l1_refs(Image *img, Qcow2 *s, const uint64_t *l1, uint64_t n, int delta)
{
    uint8_t *t = g_malloc(s->cs);
    bool ok = true;
    for (uint64_t i = 0; ok && i < n; i++) {
        uint64_t l2 = l1[i] & OFFSET_MASK;
        if (!l2)
            continue;
        uint8_t *c = l2 % s->cs || l2 >= s->next_free ? NULL : l2_get(img, s, l2);
        if (!c) {
            errno = errno ? errno : EIO;
            ok = false;
            break;
        }
        memcpy(t, c, s->cs);                    /* rc_add may evict it */
        for (uint64_t j = 0; ok && j < (1ull << s->l2_bits); j++)
            ok = entry_refs(img, s, image_be64(t + j * 8), delta);
        ok = ok && rc_add(img, s, l2 / s->cs, delta);
    }
    g_free(t);
    return ok;
}

/* the COPIED flags of the active tables made true again: set exactly on
 * the L2 tables and clusters whose refcount is 1 (after a snapshot was
 * taken, applied or deleted) */
static bool fix_copied(Image *img, Qcow2 *s)
{
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2 = s->l1[i] & OFFSET_MASK, v;
        if (!l2)
            continue;
        if (!rc_get(img, s, l2 / s->cs, &v))
            return false;
        uint64_t want = (s->l1[i] & ~ENTRY_COPIED) | (v == 1 ? ENTRY_COPIED : 0);
        if (want != s->l1[i]) {
            uint8_t e[8];
            image_put_be64(e, want);
            if (!image_pwrite(img, e, 8, s->l1_off + i * 8ull))
                return false;
            s->l1[i] = want;
        }
        uint8_t *t = l2_get(img, s, l2);        /* rc_get leaves the L2 cache alone */
        if (!t)
            return false;
        bool changed = false;
        for (uint64_t j = 0; j < (1ull << s->l2_bits); j++) {
            uint64_t e = image_be64(t + j * 8), host = e & OFFSET_MASK, ne = e & ~ENTRY_COPIED;
            if (!(e & ENTRY_COMPRESSED) && host) {
                if (!rc_get(img, s, host / s->cs, &v))
                    return false;
                ne |= v == 1 ? ENTRY_COPIED : 0;
            }
            if (ne != e) {
                image_put_be64(t + j * 8, ne);
                changed = true;
            }
        }
        if (changed && !image_pwrite(img, t, s->cs, l2))
            return false;
    }
    return true;
}

/* a snapshot by id, else by name; -1: none */
static int snap_find(const Qcow2 *s, const char *name_or_id)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        if (!strcmp(s->sn[i].id, name_or_id))
            return (int)i;
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        if (!strcmp(s->sn[i].name, name_or_id))
            return (int)i;
    return -1;
}

static int snap_find_or_error(Image *img, const Qcow2 *s, const char *name_or_id, GError **errp)
{
    int i = name_or_id ? snap_find(s, name_or_id) : -1;
    if (i < 0)
        image_error(img, errp, "no snapshot '%s'", name_or_id ? name_or_id : "");
    return i;
}

/* a snapshot's L1 table (bounded by the file at open) */
static uint64_t *snap_l1_read(Image *img, Qcow2 *s, const Qcow2Snap *sn)
{
    uint64_t *l1 = g_new0(uint64_t, MAX(sn->l1_size, 1u));
    uint8_t *raw = g_malloc((size_t)sn->l1_size * 8 + 8);
    bool ok = image_pread(img, raw, (size_t)sn->l1_size * 8, sn->l1_off);
    for (uint32_t i = 0; ok && i < sn->l1_size; i++)
        l1[i] = image_be64(raw + i * 8);
    g_free(raw);
    if (!ok)
        g_clear_pointer(&l1, g_free);
    return l1;
}

/* clusters of a table of len bytes */
static uint64_t clusters_of(const Qcow2 *s, uint64_t len)
{
    return (len + s->cs - 1) / s->cs;
}

/* v[0..n) as the snapshot table: written to new clusters, then the header
 * points at it (nb_snapshots, snapshots_offset), then the old table's
 * clusters are released.  A crash before the header write leaks the new
 * clusters, after it the old ones: `qemu-img check -r leaks` repairs. */
static bool sn_write_table(Image *img, Qcow2 *s, Qcow2Snap *const *v, uint32_t n)
{
    GByteArray *b = g_byte_array_new();
    for (uint32_t i = 0; i < n; i++) {
        const Qcow2Snap *sn = v[i];
        uint8_t h[SN_HEADER];
        size_t id_len = strlen(sn->id), name_len = strlen(sn->name);
        image_put_be64(h, sn->l1_off);
        image_put_be32(h + 8, sn->l1_size);
        h[12] = (uint8_t)(id_len >> 8);
        h[13] = (uint8_t)id_len;
        h[14] = (uint8_t)(name_len >> 8);
        h[15] = (uint8_t)name_len;
        image_put_be32(h + 16, sn->date_sec);
        image_put_be32(h + 20, sn->date_nsec);
        image_put_be64(h + 24, sn->vm_clock);
        image_put_be32(h + 32, (uint32_t)MIN(sn->vm_state_size, UINT32_MAX));
        image_put_be32(h + 36, sn->extra_len);
        g_byte_array_append(b, h, sizeof(h));
        g_byte_array_append(b, sn->extra, sn->extra_len);
        g_byte_array_append(b, (const uint8_t *)sn->id, (guint)id_len);
        g_byte_array_append(b, (const uint8_t *)sn->name, (guint)name_len);
        static const uint8_t pad[8];
        g_byte_array_append(b, pad, (8 - b->len % 8) % 8);
    }
    uint64_t off = 0, len = b->len, clusters = clusters_of(s, len);
    bool ok = len <= MAX_SN_TABLE || (errno = EFBIG, false);
    if (ok && n) {
        g_byte_array_set_size(b, (guint)(clusters * s->cs));
        memset(b->data + len, 0, clusters * s->cs - len);
        ok = alloc_clusters(img, s, clusters, &off) &&
             image_pwrite(img, b->data, clusters * s->cs, off);
    }
    g_byte_array_free(b, TRUE);
    uint8_t h[12];
    image_put_be32(h, n);
    image_put_be64(h + 4, off);
    ok = ok && image_sync(img) && image_pwrite(img, h, sizeof(h), 60) && image_sync(img);
    if (!ok)
        return false;
    uint64_t old_off = s->sn_off, old_clusters = s->nb_snapshots ? clusters_of(s, s->sn_bytes) : 0;
    s->sn_off = off;
    s->sn_bytes = len;
    for (uint64_t i = 0; i < old_clusters; i++)
        if (!rc_add(img, s, old_off / s->cs + i, -1))
            return false;
    return true;
}

/* the references of a snapshot no longer in the table: its L1 table and
 * all it reaches */
static bool snap_release(Image *img, Qcow2 *s, const Qcow2Snap *sn)
{
    uint64_t *l1 = snap_l1_read(img, s, sn);
    bool ok = l1 && l1_refs(img, s, l1, sn->l1_size, -1);
    g_free(l1);
    uint64_t n = sn->l1_size ? clusters_of(s, sn->l1_size * 8ull) : 0;
    for (uint64_t i = 0; ok && i < n; i++)
        ok = rc_add(img, s, sn->l1_off / s->cs + i, -1);
    return ok;
}

/* the vmstate in new clusters and L2 tables; l1[] gets the tables */
static bool vmstate_write(Image *img, Qcow2 *s, uint64_t *l1, const uint8_t *vm, size_t len)
{
    uint64_t per = 1ull << s->l2_bits, nclusters = clusters_of(s, len);
    uint8_t *t = g_malloc(s->cs);
    bool ok = true;
    for (uint64_t k = 0; ok && k * per < nclusters; k++) {
        memset(t, 0, s->cs);
        for (uint64_t j = 0; ok && j < per && k * per + j < nclusters; j++) {
            uint64_t pos = (k * per + j) * s->cs, n = MIN(s->cs, len - pos), off;
            const uint8_t *src = vm + pos;
            if (n < s->cs) {                    /* the last one, padded with zeros */
                memcpy(s->wbuf, src, n);
                memset(s->wbuf + n, 0, s->cs - n);
                src = s->wbuf;
            }
            ok = alloc_cluster(img, s, &off) && image_pwrite(img, src, s->cs, off);
            image_put_be64(t + j * 8, off | ENTRY_COPIED);
        }
        uint64_t l2 = 0;
        ok = ok && alloc_cluster(img, s, &l2) && image_pwrite(img, t, s->cs, l2);
        l1[k] = l2 | ENTRY_COPIED;
    }
    g_free(t);
    return ok;
}

static bool snap_io_error(Image *img, GError **errp, const char *what)
{
    return image_error(img, errp, "%s: %s (the image may have leaked clusters: "
                       "'qemu-img check -r leaks' frees them)", what, g_strerror(errno));
}

static bool qcow2_snapshot_create(Image *img, const char *name, const void *vmstate,
                                  size_t vmstate_len, uint64_t vm_clock_nsec, GError **errp)
{
    Qcow2 *s = img->opaque;
    uint64_t per_l2 = s->cs << s->l2_bits, l1_disk = l1_entries_for(s, img->size);
    uint64_t n = l1_disk + (vmstate_len + per_l2 - 1) / per_l2;
    int old = -1;
    for (uint32_t i = 0; i < s->nb_snapshots && old < 0; i++)
        if (!strcmp(s->sn[i].name, name))
            old = (int)i;
    if (s->rc_bits < 2)
        return image_error(img, errp, "qcow2 refcount_bits=1 cannot count shared clusters: "
                           "no snapshots (qemu-img amend -o refcount_bits=16)");
    if (n * 8 > MAX_TABLE_BYTES)
        return image_error(img, errp, "snapshot too large (%zu bytes of vmstate)", vmstate_len);
    if (old < 0 && s->nb_snapshots >= MAX_SNAPSHOTS)
        return image_error(img, errp, "too many snapshots (%u)", s->nb_snapshots);

    /* the snapshot's L1 table: the active disk part, then the vmstate */
    uint64_t *l1 = g_new0(uint64_t, n), l1_off = 0;
    for (uint64_t i = 0; i < l1_disk; i++)
        l1[i] = s->l1[i] & ~ENTRY_COPIED;
    uint64_t l1_clusters = clusters_of(s, n * 8);
    uint8_t *raw = g_malloc0(MAX(l1_clusters, 1) * s->cs);
    bool ok = l1_refs(img, s, l1, l1_disk, 1) &&
              vmstate_write(img, s, l1 + l1_disk, vmstate, vmstate_len);
    for (uint64_t i = 0; ok && i < n; i++)
        image_put_be64(raw + i * 8, l1[i]);
    ok = ok && alloc_clusters(img, s, MAX(l1_clusters, 1), &l1_off) &&
         image_pwrite(img, raw, MAX(l1_clusters, 1) * s->cs, l1_off) && fix_copied(img, s);
    g_free(raw);
    g_free(l1);
    if (!ok)
        return snap_io_error(img, errp, "cannot write the snapshot");

    /* the new entry: the next free numeric id, as QEMU picks it */
    unsigned long max_id = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        max_id = MAX(max_id, strtoul(s->sn[i].id, NULL, 10));
    gint64 now = g_get_real_time();
    Qcow2Snap sn = {
        .l1_off = l1_off, .l1_size = (uint32_t)n,
        .id = g_strdup_printf("%lu", max_id + 1), .name = g_strdup(name),
        .date_sec = (uint32_t)(now / G_USEC_PER_SEC),
        .date_nsec = (uint32_t)(now % G_USEC_PER_SEC * 1000),
        .vm_clock = vm_clock_nsec, .vm_state_size = vmstate_len, .disk_size = img->size,
        .icount = UINT64_MAX, .extra = g_malloc(SN_EXTRA_OURS), .extra_len = SN_EXTRA_OURS,
    };
    image_put_be64(sn.extra, sn.vm_state_size);
    image_put_be64(sn.extra + 8, sn.disk_size);
    image_put_be64(sn.extra + 16, sn.icount);
    Qcow2Snap **v = g_new(Qcow2Snap *, s->nb_snapshots + 1);
    uint32_t nv = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        if ((int)i != old)
            v[nv++] = &s->sn[i];
    v[nv++] = &sn;
    ok = sn_write_table(img, s, v, nv);
    g_free(v);
    if (!ok) {
        snap_clear(&sn);
        return snap_io_error(img, errp, "cannot write the snapshot table");
    }
    /* the table in memory; then what the replaced snapshot held */
    Qcow2Snap gone = { 0 };
    if (old >= 0) {
        gone = s->sn[old];
        memmove(&s->sn[old], &s->sn[old + 1], (s->nb_snapshots - old - 1) * sizeof(Qcow2Snap));
        s->nb_snapshots--;
    }
    s->sn = g_renew(Qcow2Snap, s->sn, s->nb_snapshots + 1);
    s->sn[s->nb_snapshots++] = sn;
    ok = old < 0 || (snap_release(img, s, &gone) && fix_copied(img, s));
    snap_clear(&gone);
    if (!ok)
        return snap_io_error(img, errp, "cannot free the replaced snapshot");
    return image_sync(img) || snap_io_error(img, errp, "cannot sync");
}

static bool qcow2_snapshot_goto(Image *img, const char *name_or_id, GError **errp)
{
    Qcow2 *s = img->opaque;
    int i = snap_find_or_error(img, s, name_or_id, errp);
    if (i < 0)
        return false;
    const Qcow2Snap *sn = &s->sn[i];
    if (sn->disk_size != img->size)
        return image_error(img, errp, "snapshot '%s' is of a disk of %llu bytes, not %llu",
                           sn->name, (unsigned long long)sn->disk_size,
                           (unsigned long long)img->size);
    uint64_t *sl1 = snap_l1_read(img, s, sn);
    if (!sl1)
        return snap_io_error(img, errp, "cannot read the snapshot's L1 table");
    /* the disk part of the snapshot's table becomes the active table: its
     * references first, the old table's released after the switch */
    uint64_t *l1 = g_new0(uint64_t, s->l1_size);
    uint64_t n = MIN(l1_entries_for(s, img->size), (uint64_t)sn->l1_size);
    for (uint64_t k = 0; k < n; k++)
        l1[k] = sl1[k] & ~ENTRY_COPIED;
    g_free(sl1);
    uint8_t *raw = g_malloc0((size_t)s->l1_size * 8 + 8);
    for (uint32_t k = 0; k < s->l1_size; k++)
        image_put_be64(raw + k * 8, l1[k]);
    bool ok = l1_refs(img, s, l1, s->l1_size, 1) && image_sync(img) &&
              image_pwrite(img, raw, (size_t)s->l1_size * 8, s->l1_off) && image_sync(img);
    g_free(raw);
    if (!ok) {
        g_free(l1);
        return snap_io_error(img, errp, "cannot apply the snapshot");
    }
    uint64_t *old = s->l1;
    s->l1 = l1;
    ok = l1_refs(img, s, old, s->l1_size, -1) && fix_copied(img, s) && image_sync(img);
    g_free(old);
    return ok || snap_io_error(img, errp, "cannot free the old disk contents");
}

static bool qcow2_snapshot_read_vmstate(Image *img, const char *name_or_id, GByteArray *out,
                                        GError **errp)
{
    Qcow2 *s = img->opaque;
    int i = snap_find_or_error(img, s, name_or_id, errp);
    if (i < 0)
        return false;
    const Qcow2Snap *sn = &s->sn[i];
    uint64_t per_l2 = s->cs << s->l2_bits, l1_disk = l1_entries_for(s, sn->disk_size);
    uint64_t len = sn->vm_state_size;
    /* bounds: inside its L1 table's range, and no larger than the file */
    if (l1_disk > sn->l1_size || len > (sn->l1_size - l1_disk) * per_l2 ||
        len > img->file_size || len > G_MAXUINT - out->len)
        return image_error(img, errp, "snapshot '%s': vmstate of %llu bytes does not fit "
                           "its L1 table or the file", sn->name, (unsigned long long)len);
    uint64_t *l1 = snap_l1_read(img, s, sn);
    if (!l1)
        return snap_io_error(img, errp, "cannot read the snapshot's L1 table");
    guint at = out->len;
    g_byte_array_set_size(out, (guint)(at + len));
    uint64_t base = l1_disk * per_l2;
    bool ok = true;
    for (uint64_t pos = 0; ok && pos < len;) {
        uint64_t g = base + pos, n = MIN(len - pos, s->cs - (g & (s->cs - 1)));
        ok = read_piece_in(img, s, l1, sn->l1_size, false, g, out->data + at + pos, n);
        pos += n;
    }
    g_free(l1);
    if (!ok) {
        g_byte_array_set_size(out, at);
        return image_error(img, errp, "cannot read the vmstate of snapshot '%s': %s",
                           sn->name, g_strerror(errno));
    }
    return true;
}

static bool qcow2_snapshot_delete(Image *img, const char *name_or_id, GError **errp)
{
    Qcow2 *s = img->opaque;
    int d = snap_find_or_error(img, s, name_or_id, errp);
    if (d < 0)
        return false;
    Qcow2Snap **v = g_new(Qcow2Snap *, s->nb_snapshots);
    uint32_t nv = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        if ((int)i != d)
            v[nv++] = &s->sn[i];
    bool ok = sn_write_table(img, s, v, nv);
    g_free(v);
    if (!ok)
        return snap_io_error(img, errp, "cannot write the snapshot table");
    Qcow2Snap gone = s->sn[d];
    memmove(&s->sn[d], &s->sn[d + 1], (s->nb_snapshots - d - 1) * sizeof(Qcow2Snap));
    s->nb_snapshots--;
    ok = snap_release(img, s, &gone) && fix_copied(img, s) && image_sync(img);
    snap_clear(&gone);
    return ok || snap_io_error(img, errp, "cannot free the snapshot's clusters");
}

static int qcow2_snapshot_list(Image *img, ImageSnapshotInfo **out)
{
    Qcow2 *s = img->opaque;
    ImageSnapshotInfo *l = g_new0(ImageSnapshotInfo, MAX(s->nb_snapshots, 1u));
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        const Qcow2Snap *sn = &s->sn[i];
        g_strlcpy(l[i].id, sn->id, sizeof(l[i].id));
        l[i].name = g_strdup(sn->name);
        l[i].vm_state_size = sn->vm_state_size;
        l[i].date_sec = sn->date_sec;
        l[i].date_nsec = sn->date_nsec;
        l[i].vm_clock_nsec = sn->vm_clock;
        l[i].icount = sn->icount;
    }
    *out = l;
    return (int)s->nb_snapshots;
}

/* the snapshot table at off, every entry and L1 table inside the file */
static bool read_snapshots(Image *img, Qcow2 *s, uint64_t off, GError **errp)
{
    uint32_t nb = s->nb_snapshots;
    s->nb_snapshots = 0;                        /* entries read so far (qcow2_free) */
    if (!nb)
        return true;
    if (nb > MAX_SNAPSHOTS || off % s->cs || off > img->file_size ||
        (uint64_t)nb * SN_HEADER > img->file_size - off)
        return image_error(img, errp, "qcow2 snapshot table (%u entries at %llu) lies outside "
                           "the file", nb, (unsigned long long)off);
    s->sn = g_new0(Qcow2Snap, nb);
    uint64_t p = off;
    for (uint32_t i = 0; i < nb; i++) {
        uint8_t h[SN_HEADER];
        if (p - off + SN_HEADER > MAX_SN_TABLE || p > img->file_size - SN_HEADER ||
            !image_pread(img, h, SN_HEADER, p))
            return image_error(img, errp, "qcow2 snapshot table runs past the end of the file "
                               "(entry %u of %u)", i + 1, nb);
        Qcow2Snap *sn = &s->sn[i];
        uint32_t id_len = image_be16(h + 12), name_len = image_be16(h + 14);
        sn->l1_off = image_be64(h);
        sn->l1_size = image_be32(h + 8);
        sn->date_sec = image_be32(h + 16);
        sn->date_nsec = image_be32(h + 20);
        sn->vm_clock = image_be64(h + 24);
        sn->vm_state_size = image_be32(h + 32);
        sn->extra_len = image_be32(h + 36);
        uint64_t var = (uint64_t)sn->extra_len + id_len + name_len;
        if (sn->extra_len > MAX_SN_EXTRA || var > img->file_size - p - SN_HEADER)
            return image_error(img, errp, "qcow2 snapshot table entry %u runs past the end of "
                               "the file", i + 1);
        uint8_t *d = g_malloc(var + 1);
        bool ok = image_pread(img, d, var, p + SN_HEADER);
        sn->extra = g_memdup2(d, sn->extra_len);
        sn->id = g_strndup((char *)d + sn->extra_len, id_len);
        sn->name = g_strndup((char *)d + sn->extra_len + id_len, name_len);
        g_free(d);
        s->nb_snapshots = i + 1;
        if (!ok)
            return image_error(img, errp, "cannot read the qcow2 snapshot table");
        sn->disk_size = img->size;
        sn->icount = UINT64_MAX;
        if (sn->extra_len >= 8)
            sn->vm_state_size = image_be64(sn->extra);
        if (sn->extra_len >= 16)
            sn->disk_size = image_be64(sn->extra + 8);
        if (sn->extra_len >= 24)
            sn->icount = image_be64(sn->extra + 16);
        if ((uint64_t)sn->l1_size * 8 > MAX_TABLE_BYTES || sn->l1_off % s->cs ||
            sn->l1_off > img->file_size ||
            (uint64_t)sn->l1_size * 8 > img->file_size - sn->l1_off)
            return image_error(img, errp, "qcow2 snapshot '%s': L1 table (%u entries at %llu) "
                               "lies outside the file", sn->name, sn->l1_size,
                               (unsigned long long)sn->l1_off);
        if (sn->disk_size % 512 || sn->disk_size > (1ull << 60))
            return image_error(img, errp, "qcow2 snapshot '%s': disk size %llu is invalid",
                               sn->name, (unsigned long long)sn->disk_size);
        p += (SN_HEADER + var + 7) & ~7ull;
    }
    s->sn_off = off;
    s->sn_bytes = p - off;
    return true;
}

/* ---- open and close ---- */

static bool set_incompat(Image *img, Qcow2 *s, uint64_t bits)
{
    uint8_t v[8];
    image_put_be64(v, bits);
    if (!image_pwrite(img, v, 8, 72))
        return false;
    s->incompat = bits;
    return true;
}

/* header extensions from off to the end of the first cluster */
static bool read_extensions(Image *img, Qcow2 *s, const uint8_t *hdr, size_t hlen, size_t off,
                            char *backing_fmt, GError **errp)
{
    while (off + 8 <= hlen) {
        uint32_t type = image_be32(hdr + off), len = image_be32(hdr + off + 4);
        if (type == EXT_END)
            return true;
        if (len > hlen - off - 8)
            return image_error(img, errp, "qcow2 header extension 0x%08x runs past the "
                               "first cluster", type);
        const uint8_t *d = hdr + off + 8;
        if (type == EXT_BACKING_FORMAT) {
            if (len == 0 || len > 15)
                return image_error(img, errp, "qcow2 backing format name of %u bytes", len);
            memcpy(backing_fmt, d, len);
            backing_fmt[len] = 0;
        } else if (type == EXT_CRYPTO) {
            return image_error(img, errp, "encrypted qcow2 images are not supported");
        } else if (type == EXT_DATA_FILE) {
            return image_error(img, errp, "qcow2 external data files are not supported");
        }
        off += 8 + (((uint64_t)len + 7) & ~7ull);
    }
    return true;
}

static bool qcow2_open(Image *img, GError **errp)
{
    Qcow2 *s = g_new0(Qcow2, 1);
    img->opaque = s;
    uint8_t hdr[4096];
    size_t hlen = (size_t)MIN(img->file_size, (uint64_t)sizeof(hdr));
    char backing_fmt[16] = "";
    if (hlen < 72 || !image_pread(img, hdr, hlen, 0)) {
        image_error(img, errp, "qcow2 header cut short");
        goto fail;
    }
    s->version = image_be32(hdr + 4);
    s->cluster_bits = image_be32(hdr + 20);
    uint64_t size = image_be64(hdr + 24);
    uint32_t crypt = image_be32(hdr + 32);
    s->l1_size = image_be32(hdr + 36);
    s->l1_off = image_be64(hdr + 40);
    s->rt_off = image_be64(hdr + 48);
    s->rt_clusters = image_be32(hdr + 56);
    s->nb_snapshots = image_be32(hdr + 60);
    uint64_t backing_off = image_be64(hdr + 8);
    uint32_t backing_len = image_be32(hdr + 16);
    unsigned order = 4;
    uint32_t hdr_len = 72;
    if (s->version != 2 && s->version != 3) {
        image_error(img, errp, "qcow2 version %u is not supported (2 or 3)", s->version);
        goto fail;
    }
    if (s->cluster_bits < 9 || s->cluster_bits > 21) {
        image_error(img, errp, "qcow2 cluster_bits %u out of range (9-21)", s->cluster_bits);
        goto fail;
    }
    s->cs = 1ull << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    if (s->version == 3) {
        if (hlen < 104) {
            image_error(img, errp, "qcow2 v3 header cut short");
            goto fail;
        }
        s->incompat = image_be64(hdr + 72);
        order = image_be32(hdr + 96);
        hdr_len = image_be32(hdr + 100);
        if (hdr_len < 104 || hdr_len > hlen || hdr_len % 8) {
            image_error(img, errp, "qcow2 header_length %u is invalid", hdr_len);
            goto fail;
        }
        uint64_t known = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE |
                         INCOMPAT_COMPRESS | INCOMPAT_EXTL2;
        const char *no = NULL;
        if (s->incompat & ~known) {
            image_error(img, errp, "qcow2 incompatible feature bits 0x%llx are not supported",
                        (unsigned long long)(s->incompat & ~known));
            goto fail;
        }
        if (s->incompat & INCOMPAT_DATA_FILE)
            no = "qcow2 external data files are not supported";
        else if (s->incompat & INCOMPAT_COMPRESS)
            no = "qcow2 compression types other than deflate (zlib) are not supported";
        else if (s->incompat & INCOMPAT_EXTL2)
            no = "qcow2 extended L2 entries (subclusters) are not supported";
        else if (img->writable && (s->incompat & INCOMPAT_DIRTY))
            no = "qcow2 image was not closed cleanly (dirty bit): repair it with "
                 "'qemu-img check -r all', or use -snapshot or readonly=on";
        else if (img->writable && (s->incompat & INCOMPAT_CORRUPT))
            no = "qcow2 image is marked corrupt: repair it with 'qemu-img check -r all', "
                 "or use -snapshot or readonly=on";
        if (no) {
            image_error(img, errp, "%s", no);
            goto fail;
        }
    }
    if (crypt) {
        image_error(img, errp, "encrypted qcow2 images are not supported");
        goto fail;
    }
    if (order > 6) {
        image_error(img, errp, "qcow2 refcount_order %u out of range (0-6)", order);
        goto fail;
    }
    s->rc_bits = 1u << order;
    s->rb_entries = s->cs * 8 / s->rc_bits;
    if (size > (1ull << 60)) {
        image_error(img, errp, "qcow2 virtual size %llu is too large",
                    (unsigned long long)size);
        goto fail;
    }
    img->size = size;
    uint64_t l1_need = (size + (s->cs << s->l2_bits) - 1) >> (s->cluster_bits + s->l2_bits);
    if (s->l1_size < l1_need) {
        image_error(img, errp, "qcow2 L1 table of %u entries is too small for the disk",
                    s->l1_size);
        goto fail;
    }
    if ((uint64_t)s->l1_size * 8 > MAX_TABLE_BYTES || s->l1_off % s->cs ||
        s->l1_off > img->file_size || (uint64_t)s->l1_size * 8 > img->file_size - s->l1_off) {
        image_error(img, errp, "qcow2 L1 table (%u entries at %llu) lies outside the file",
                    s->l1_size, (unsigned long long)s->l1_off);
        goto fail;
    }
    uint64_t rt_bytes = (uint64_t)s->rt_clusters * s->cs;
    if (rt_bytes > MAX_TABLE_BYTES || s->rt_off % s->cs || s->rt_off > img->file_size ||
        rt_bytes > img->file_size - s->rt_off || (img->writable && !s->rt_clusters)) {
        image_error(img, errp, "qcow2 refcount table (%u clusters at %llu) lies outside "
                    "the file", s->rt_clusters, (unsigned long long)s->rt_off);
        goto fail;
    }
    if (!read_extensions(img, s, hdr, (size_t)MIN((uint64_t)hlen, s->cs), hdr_len,
                         backing_fmt, errp))
        goto fail;

    /* the tables */
    s->l1 = g_new0(uint64_t, MAX(s->l1_size, 1));
    uint8_t *raw = g_malloc(MAX((uint64_t)s->l1_size * 8, rt_bytes) + 8);
    if (!image_pread(img, raw, (size_t)s->l1_size * 8, s->l1_off)) {
        g_free(raw);
        image_error(img, errp, "cannot read the qcow2 L1 table");
        goto fail;
    }
    for (uint32_t i = 0; i < s->l1_size; i++)
        s->l1[i] = image_be64(raw + i * 8);
    s->rt_size = rt_bytes / 8;
    s->rt = g_new0(uint64_t, MAX(s->rt_size, 1));
    if (!image_pread(img, raw, (size_t)rt_bytes, s->rt_off)) {
        g_free(raw);
        image_error(img, errp, "cannot read the qcow2 refcount table");
        goto fail;
    }
    for (uint64_t i = 0; i < s->rt_size; i++)
        s->rt[i] = image_be64(raw + i * 8);
    g_free(raw);

    s->l2c_n = (unsigned)CLAMP((8u << 20) >> s->cluster_bits, 4, 32);
    s->l2c = g_new0(L2Slot, s->l2c_n);
    s->rb = g_malloc(s->cs);
    if (img->writable) {                        /* ubuf, cbuf: at the first compressed read */
        s->wbuf = g_malloc(s->cs);
        s->zbuf = g_malloc0(s->cs);
    }
    s->next_free = (img->file_size + s->cs - 1) & ~(s->cs - 1);
    if (!read_snapshots(img, s, image_be64(hdr + 64), errp))
        goto fail;

    /* the backing file: relative to this image's directory */
    if (backing_off) {
        char name[1024];
        if (backing_len == 0 || backing_len > 1023 || backing_off > img->file_size ||
            backing_len > img->file_size - backing_off ||
            !image_pread(img, name, backing_len, backing_off)) {
            image_error(img, errp, "qcow2 backing file name (%u bytes at %llu) is invalid",
                        backing_len, (unsigned long long)backing_off);
            goto fail;
        }
        name[backing_len] = 0;
        if (strlen(name) != backing_len) {
            image_error(img, errp, "qcow2 backing file name holds a NUL byte");
            goto fail;
        }
        ImageFormat f = IMAGE_FORMAT_PROBE;
        if (backing_fmt[0] && (f = image_format_by_name(backing_fmt)) == IMAGE_FORMAT_PROBE) {
            image_error(img, errp, "backing file format '%s' is not supported (%s)",
                        backing_fmt, image_format_names());
            goto fail;
        }
        char *path = image_relative_path(img, name);
        s->backing = image_open_backing(img, "backing file", path, f, errp);
        g_free(path);
        if (!s->backing)
            goto fail;
    }

    if (img->writable) {
        /* v3: dirty while we write; autoclear bits we do not keep: off */
        uint8_t zero[8] = { 0 };
        bool ok = true;
        if (s->version == 3) {
            ok = image_pwrite(img, zero, 8, 88) && set_incompat(img, s, s->incompat |
                                                                INCOMPAT_DIRTY) &&
                 image_sync(img);
            s->dirty_set = ok;
        }
        if (!ok) {
            image_error(img, errp, "cannot write the qcow2 header: %s", g_strerror(errno));
            goto fail;
        }
    }
    return true;
fail:
    qcow2_free(s);
    img->opaque = NULL;
    return false;
}

static bool qcow2_flush(Image *img)
{
    return true;                                /* written through; image.c syncs */
}

static void qcow2_close(Image *img)
{
    Qcow2 *s = img->opaque;
    if (s && s->dirty_set && image_sync(img))
        set_incompat(img, s, s->incompat & ~INCOMPAT_DIRTY);
    qcow2_free(s);
    img->opaque = NULL;
}

const ImageDriver image_qcow2_driver = {
    .name = "qcow2",
    .format = IMAGE_FORMAT_QCOW2,
    .writable = true,
    .probe = qcow2_probe,
    .open = qcow2_open,
    .read = qcow2_read,
    .write = qcow2_write,
    .flush = qcow2_flush,
    .close = qcow2_close,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_goto = qcow2_snapshot_goto,
    .snapshot_read_vmstate = qcow2_snapshot_read_vmstate,
    .snapshot_delete = qcow2_snapshot_delete,
    .snapshot_list = qcow2_snapshot_list,
};
