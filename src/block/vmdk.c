/*
 * vmdk.c - the VMware VMDK format driver (image.h), read-only, from
 * VMware's published "Virtual Disk Format 1.1" (little-endian).  Two kinds:
 *
 * Hosted sparse extent (monolithicSparse, and each file of
 * twoGbMaxExtentSparse): a 512-byte header, magic "KDMV", version 1-3,
 * flags (at 8; bit 16 compressed grains), capacity in sectors (12), grain
 * size in sectors (20), descriptor offset/size (28/36), grain table
 * entries per table (44, 512), grain directory offset in sectors (56).
 * The grain directory holds the sector of each grain table; a grain
 * table entry is the sector of a grain, 0 (never written: zeros) or 1 (a
 * zero grain).  Compressed / stream-optimized extents (grain directory at
 * the end, flag bit 16) are refused.
 *
 * Descriptor file (monolithicFlat, twoGbMaxExtentFlat, ...): text, first
 * line "# Disk DescriptorFile", then extent lines
 *     RW 2048 FLAT "disk-flat.vmdk" 0
 * (access, size in sectors, type, file relative to the descriptor, offset
 * in sectors).  FLAT/VMFS extents are read from their file (opened as raw,
 * read-only, with reader locks), ZERO extents are zeros, SPARSE extents are
 * hosted sparse files as above.  parentCID other than ffffffff (a delta
 * disk with a parent) is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "block/image.h"

#define VMDK_MAGIC          0x564d444bu     /* "KDMV" */
#define VMDK_DESC_MAGIC     "# Disk DescriptorFile"
#define VMDK_MAX_DESC       (1u << 20)
#define VMDK_MAX_EXTENTS    1024

typedef enum { EXT_FLAT, EXT_ZERO, EXT_SPARSE } ExtentType;

typedef struct Extent {
    ExtentType type;
    uint64_t start;             /* first virtual byte */
    uint64_t len;               /* bytes */
    uint64_t file_off;          /* FLAT: bytes into the file */
    Image *file;                /* FLAT: raw; SPARSE: vmdk */
} Extent;

typedef struct Vmdk {
    /* a sparse extent */
    uint64_t grain;             /* bytes */
    uint64_t gt_entries;
    uint64_t gd_entries;
    uint32_t *gd;
    uint32_t *gt;               /* the cached grain table */
    uint32_t gt_of;             /* ... its directory entry, 0: none */
    /* a descriptor */
    Extent *ext;
    unsigned n_ext;
} Vmdk;

static int vmdk_probe(const uint8_t *head, size_t len)
{
    if (len >= 4 && image_le32(head) == VMDK_MAGIC)
        return 100;
    size_t m = strlen(VMDK_DESC_MAGIC);
    return len >= m && !memcmp(head, VMDK_DESC_MAGIC, m) ? 100 : 0;
}

static void vmdk_free(Image *img)
{
    Vmdk *s = img->opaque;
    if (s) {
        for (unsigned i = 0; i < s->n_ext; i++)
            image_close(s->ext[i].file);
        g_free(s->ext);
        g_free(s->gd);
        g_free(s->gt);
    }
    g_free(s);
    img->opaque = NULL;
}

/* a descriptor's parentCID: "ffffffff" (none) or absent is fine */
static bool vmdk_check_parent(Image *img, const char *text, GError **errp)
{
    const char *p = strstr(text, "parentCID=");
    if (!p)
        return true;
    p += strlen("parentCID=");
    if (!g_ascii_strncasecmp(p, "ffffffff", 8))
        return true;
    return image_error(img, errp, "VMDK delta disks (with a parent, parentCID) are not "
                       "supported");
}

static bool vmdk_open_sparse(Image *img, Vmdk *s, GError **errp)
{
    uint8_t h[512];
    if (img->file_size < 512 || !image_pread(img, h, 512, 0))
        return image_error(img, errp, "VMDK header cut short");
    uint32_t version = image_le32(h + 4), flags = image_le32(h + 8);
    uint64_t capacity = image_le64(h + 12), grain = image_le64(h + 20);
    uint64_t desc_off = image_le64(h + 28), desc_size = image_le64(h + 36);
    uint32_t gte = image_le32(h + 44);
    uint64_t gd_off = image_le64(h + 56);
    if (version < 1 || version > 3)
        return image_error(img, errp, "VMDK version %u is not supported (1-3)", version);
    if ((flags & (1u << 16)) || gd_off == UINT64_MAX)
        return image_error(img, errp, "compressed (streamOptimized) VMDK images are not "
                           "supported: convert with qemu-img convert -O qcow2");
    if (grain == 0 || grain > 32768 || (grain & (grain - 1)))
        return image_error(img, errp, "VMDK grain size of %llu sectors is invalid",
                           (unsigned long long)grain);
    if (gte == 0 || gte > (1u << 20))
        return image_error(img, errp, "VMDK grain table of %u entries is invalid", gte);
    if (capacity > (1ull << 47))
        return image_error(img, errp, "VMDK capacity of %llu sectors is too large",
                           (unsigned long long)capacity);
    s->grain = grain * 512;
    s->gt_entries = gte;
    s->gd_entries = (capacity + grain * gte - 1) / (grain * gte);
    if (gd_off > img->file_size / 512 || s->gd_entries * 4 > img->file_size - gd_off * 512)
        return image_error(img, errp, "VMDK grain directory (%llu entries at sector %llu) "
                           "lies outside the file", (unsigned long long)s->gd_entries,
                           (unsigned long long)gd_off);
    if (desc_off && desc_size && desc_size <= 128 && desc_off < img->file_size / 512 &&
        desc_size * 512 <= img->file_size - desc_off * 512) {
        char *text = g_malloc0(desc_size * 512 + 1);
        bool ok = image_pread(img, text, desc_size * 512, desc_off * 512) &&
                  vmdk_check_parent(img, text, errp);
        g_free(text);
        if (!ok)
            return errp && *errp ? false : image_error(img, errp, "cannot read the VMDK "
                                                       "descriptor");
    }
    s->gd = g_new(uint32_t, MAX(s->gd_entries, 1));
    if (s->gd_entries && !image_pread(img, s->gd, s->gd_entries * 4, gd_off * 512))
        return image_error(img, errp, "cannot read the VMDK grain directory");
    for (uint64_t i = 0; i < s->gd_entries; i++)
        s->gd[i] = image_le32((const uint8_t *)&s->gd[i]);
    s->gt = g_new(uint32_t, gte);
    img->size = capacity * 512;
    return true;
}

/* one descriptor line: an extent, or something else (false, no error) */
static bool vmdk_parse_extent(Image *img, Vmdk *s, const char *line, uint64_t *pos,
                              GError **errp)
{
    char access[16], type[16];
    unsigned long long sectors, offset = 0;
    int n = 0;
    if (sscanf(line, "%15s %llu %15s %n", access, &sectors, type, &n) < 3 || n == 0)
        return true;
    if (strcmp(access, "RW") && strcmp(access, "RDONLY") && strcmp(access, "NOACCESS"))
        return true;
    if (s->n_ext >= VMDK_MAX_EXTENTS || sectors > (1ull << 47) ||
        *pos + sectors * 512 > (1ull << 56))
        return image_error(img, errp, "VMDK descriptor: too many or too large extents");
    Extent e = { .start = *pos, .len = sectors * 512 };
    if (!strcmp(type, "ZERO")) {
        e.type = EXT_ZERO;
    } else {
        const char *q = line + n;
        const char *end = *q == '"' ? strchr(q + 1, '"') : NULL;
        if (!end)
            return image_error(img, errp, "VMDK descriptor: extent line without a quoted "
                               "file name: %.60s", line);
        if (sscanf(end + 1, " %llu", &offset) != 1)
            offset = 0;
        gchar *name = g_strndup(q + 1, (gsize)(end - q - 1));
        char *path = image_relative_path(img, name);
        g_free(name);
        ImageFormat f;
        if (!strcmp(type, "FLAT") || !strcmp(type, "VMFS")) {
            e.type = EXT_FLAT;
            f = IMAGE_FORMAT_RAW;
        } else if (!strcmp(type, "SPARSE") || !strcmp(type, "VMFSSPARSE")) {
            e.type = EXT_SPARSE;
            f = IMAGE_FORMAT_VMDK;
        } else {
            g_free(path);
            return image_error(img, errp, "VMDK extent type %s is not supported (FLAT, "
                               "SPARSE, ZERO)", type);
        }
        e.file_off = offset * 512;
        e.file = image_open_backing(img, "extent", path, f, errp);
        g_free(path);
        if (!e.file)
            return false;
        if (e.type == EXT_SPARSE && e.file->size < e.len) {
            image_close(e.file);
            return image_error(img, errp, "VMDK sparse extent smaller than its descriptor "
                               "line says");
        }
    }
    s->ext = g_renew(Extent, s->ext, s->n_ext + 1);
    s->ext[s->n_ext++] = e;
    *pos += e.len;
    return true;
}

static bool vmdk_open_descriptor(Image *img, Vmdk *s, GError **errp)
{
    if (img->file_size > VMDK_MAX_DESC)
        return image_error(img, errp, "VMDK descriptor file larger than 1 MiB");
    char *text = g_malloc0(img->file_size + 1);
    if (!image_pread(img, text, img->file_size, 0)) {
        g_free(text);
        return image_error(img, errp, "cannot read the VMDK descriptor");
    }
    bool ok = vmdk_check_parent(img, text, errp);
    uint64_t pos = 0;
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; ok && *l; l++)
        ok = vmdk_parse_extent(img, s, g_strstrip(*l), &pos, errp);
    g_strfreev(lines);
    g_free(text);
    if (ok && !s->n_ext)
        ok = image_error(img, errp, "VMDK descriptor names no extent");
    img->size = pos;
    return ok;
}

static bool vmdk_open(Image *img, GError **errp)
{
    Vmdk *s = g_new0(Vmdk, 1);
    img->opaque = s;
    uint8_t m[4];
    bool ok = image_pread(img, m, 4, 0) && image_le32(m) == VMDK_MAGIC
                  ? vmdk_open_sparse(img, s, errp) : vmdk_open_descriptor(img, s, errp);
    if (!ok)
        vmdk_free(img);
    return ok;
}

static bool sparse_read(Image *img, Vmdk *s, uint64_t off, uint8_t *p, size_t len)
{
    while (len) {
        uint64_t gi = off / s->grain, in = off % s->grain;
        size_t n = (size_t)MIN((uint64_t)len, s->grain - in);
        uint64_t di = gi / s->gt_entries;
        uint32_t gt = di < s->gd_entries ? s->gd[di] : 0, sector = 0;
        if (gt) {
            if (s->gt_of != gt) {
                s->gt_of = 0;
                if (!image_pread(img, s->gt, s->gt_entries * 4, (uint64_t)gt * 512))
                    return false;
                s->gt_of = gt;
            }
            sector = image_le32((const uint8_t *)&s->gt[gi % s->gt_entries]);
        }
        if (sector <= 1)                        /* never written, or a zero grain */
            memset(p, 0, n);
        else if (!image_pread(img, p, n, (uint64_t)sector * 512 + in))
            return false;
        off += n;
        p += n;
        len -= n;
    }
    return true;
}

static bool vmdk_read(Image *img, uint64_t off, void *buf, size_t len)
{
    Vmdk *s = img->opaque;
    if (!s->n_ext)
        return sparse_read(img, s, off, buf, len);
    uint8_t *p = buf;
    for (unsigned i = 0; len && i < s->n_ext; i++) {
        Extent *e = &s->ext[i];
        if (off >= e->start + e->len)
            continue;
        size_t n = (size_t)MIN((uint64_t)len, e->start + e->len - off);
        uint64_t in = off - e->start;
        bool ok = true;
        if (e->type == EXT_ZERO)
            memset(p, 0, n);
        else if (e->type == EXT_SPARSE)
            ok = image_read(e->file, in, p, n);
        else
            ok = e->file_off + in + n <= e->file->size && image_read(e->file, e->file_off + in,
                                                                   p, n);
        if (!ok) {
            errno = EIO;
            return false;
        }
        off += n;
        p += n;
        len -= n;
    }
    return len == 0;
}

static void vmdk_close(Image *img)
{
    vmdk_free(img);
}

const ImageDriver image_vmdk_driver = {
    .name = "vmdk",
    .format = IMAGE_FORMAT_VMDK,
    .probe = vmdk_probe,
    .open = vmdk_open,
    .read = vmdk_read,
    .close = vmdk_close,
};
