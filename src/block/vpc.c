/*
 * vpc.c - the Virtual PC / VHD format driver (image.h), read-only, from
 * Microsoft's published "Virtual Hard Disk Image Format Specification"
 * (big-endian).
 *
 * Every VHD ends with a 512-byte footer: cookie "conectix", data offset
 * (at 16), current size in bytes (at 48), disk type (at 60: 2 fixed,
 * 3 dynamic, 4 differencing).  A dynamic disk also has a copy of the
 * footer at offset 0 and, at the footer's data offset, a 1024-byte
 * dynamic disk header: cookie "cxsparse", the block allocation table's
 * offset (at 16), its entry count (at 28) and the block size (at 32,
 * 2 MiB).  The BAT holds the first sector of each block, 0xffffffff when
 * the block was never written (zeros).  A block is a sector bitmap (one bit
 * per sector, most significant bit first, padded to 512 bytes) and then the
 * data; a sector whose bit is clear reads as zeros.
 * Fixed disks: the data is the file before the footer.  The disk size is
 * the footer's current size (QEMU writes the size of its CHS geometry
 * there).  Differencing disks (a parent) are refused.  A fixed VHD has no
 * header at offset 0 and is probed as raw, as QEMU does: use format=vpc.
 */
#include <errno.h>
#include <string.h>
#include "block/image.h"

#define VPC_FIXED    2
#define VPC_DYNAMIC  3
#define VPC_DIFF     4

typedef struct Vpc {
    bool fixed;
    uint32_t *bat;
    uint32_t entries;
    uint64_t block_size;
    uint64_t bitmap_size;       /* bytes, a multiple of 512 */
    uint8_t *bitmap;            /* the last block's sector bitmap */
    uint32_t bitmap_of;         /* ... its BAT entry, 0xffffffff: none */
} Vpc;

static int vpc_probe(const uint8_t *head, size_t len)
{
    return len >= 8 && !memcmp(head, "conectix", 8) ? 100 : 0;
}

static void vpc_free(Image *img)
{
    Vpc *s = img->opaque;
    if (s) {
        g_free(s->bat);
        g_free(s->bitmap);
    }
    g_free(s);
    img->opaque = NULL;
}

static bool vpc_open(Image *img, GError **errp)
{
    /* a dynamic disk's footer copy at 0, else the footer at the end */
    uint8_t f[512];
    if (img->file_size < 512 || !image_pread(img, f, 512, 0) || memcmp(f, "conectix", 8)) {
        if (img->file_size < 512 || !image_pread(img, f, 512, img->file_size - 512) ||
            memcmp(f, "conectix", 8))
            return image_error(img, errp, "no VHD footer (cookie 'conectix') at the end "
                               "of the file");
    }
    uint32_t type = image_be32(f + 60);
    uint64_t size = image_be64(f + 48), data_off = image_be64(f + 16);
    if (type == VPC_DIFF)
        return image_error(img, errp, "differencing VHD images (with a parent) are not "
                           "supported");
    if (type != VPC_FIXED && type != VPC_DYNAMIC)
        return image_error(img, errp, "VHD disk type %u is not supported (fixed or dynamic)",
                           type);
    Vpc *s = g_new0(Vpc, 1);
    img->opaque = s;
    s->bitmap_of = 0xffffffffu;
    img->size = size;
    if (type == VPC_FIXED) {
        s->fixed = true;
        if (size > img->file_size - 512) {
            image_error(img, errp, "VHD fixed disk of %llu bytes in a file of %llu",
                        (unsigned long long)size, (unsigned long long)img->file_size);
            vpc_free(img);
            return false;
        }
        return true;
    }
    uint8_t d[1024];
    if (data_off > img->file_size || img->file_size - data_off < sizeof(d) ||
        !image_pread(img, d, sizeof(d), data_off) || memcmp(d, "cxsparse", 8)) {
        image_error(img, errp, "VHD dynamic disk header (cookie 'cxsparse') not found at %llu",
                    (unsigned long long)data_off);
        vpc_free(img);
        return false;
    }
    uint64_t bat_off = image_be64(d + 16);
    uint32_t entries = image_be32(d + 28), bs = image_be32(d + 32);
    if (bs < 512 || bs > (256u << 20) || (bs & (bs - 1))) {
        image_error(img, errp, "VHD block size %u is invalid", bs);
        vpc_free(img);
        return false;
    }
    if ((uint64_t)entries * bs < size || size > (1ull << 56)) {
        image_error(img, errp, "VHD disk size %llu exceeds its %u blocks",
                    (unsigned long long)size, entries);
        vpc_free(img);
        return false;
    }
    if (bat_off > img->file_size || (uint64_t)entries * 4 > img->file_size - bat_off) {
        image_error(img, errp, "VHD block allocation table (%u entries at %llu) lies outside "
                    "the file", entries, (unsigned long long)bat_off);
        vpc_free(img);
        return false;
    }
    s->entries = entries;
    s->block_size = bs;
    s->bitmap_size = ((uint64_t)bs / 512 / 8 + 511) & ~511ull;
    s->bitmap = g_malloc(s->bitmap_size);
    s->bat = g_new(uint32_t, MAX(entries, 1));
    if (entries && !image_pread(img, s->bat, (size_t)entries * 4, bat_off)) {
        image_error(img, errp, "cannot read the VHD block allocation table");
        vpc_free(img);
        return false;
    }
    for (uint32_t i = 0; i < entries; i++)
        s->bat[i] = image_be32((const uint8_t *)&s->bat[i]);
    return true;
}

static bool bitmap_bit(const Vpc *s, uint64_t sec)
{
    return s->bitmap[sec / 8] >> (7 - sec % 8) & 1;
}

/* runs of sectors alike (data or zeros) inside one block at a time */
static bool vpc_read(Image *img, uint64_t off, void *buf, size_t len)
{
    Vpc *s = img->opaque;
    if (s->fixed)
        return image_pread(img, buf, len, off);
    uint8_t *p = buf;
    while (len) {
        uint64_t block = off / s->block_size, sec = off % s->block_size / 512;
        size_t n = (size_t)MIN((uint64_t)len, s->block_size - off % s->block_size);
        uint32_t e = block < s->entries ? s->bat[block] : 0xffffffffu;
        bool data = false;
        if (e != 0xffffffffu) {
            uint64_t start = (uint64_t)e * 512;
            if (s->bitmap_of != e) {
                s->bitmap_of = 0xffffffffu;
                if (!image_pread(img, s->bitmap, s->bitmap_size, start))
                    return false;
                s->bitmap_of = e;
            }
            data = bitmap_bit(s, sec);
            size_t run = 512;
            while (run < n && bitmap_bit(s, sec + run / 512) == data)
                run += 512;
            n = run;
            if (data && !image_pread(img, p, n, start + s->bitmap_size + sec * 512))
                return false;
        }
        if (!data)
            memset(p, 0, n);
        off += n;
        p += n;
        len -= n;
    }
    return true;
}

static void vpc_close(Image *img)
{
    vpc_free(img);
}

const ImageDriver image_vpc_driver = {
    .name = "vpc",
    .format = IMAGE_FORMAT_VPC,
    .probe = vpc_probe,
    .open = vpc_open,
    .read = vpc_read,
    .close = vpc_close,
};
