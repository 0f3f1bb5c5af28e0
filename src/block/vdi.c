/*
 * vdi.c - the VirtualBox VDI format driver (image.h), read-only, from the
 * published VDI 1.1 header layout (little-endian):
 *
 *   0x000  64-byte text ("<<< Oracle VM VirtualBox Disk Image >>>")
 *   0x040  signature 0xbeda107f          0x044  version (major.minor 16.16)
 *   0x048  header size                   0x04c  image type: 1 dynamic, 2 static
 *   0x154  offset of the block map       0x158  offset of the data
 *   0x168  sector size (512)             0x170  disk size in bytes
 *   0x178  block size (1 MiB)            0x17c  extra bytes before each block
 *   0x180  blocks in the image           0x184  blocks allocated
 *
 * The block map holds one 32-bit entry per block of the disk: the block's
 * index in the data area, or 0xffffffff (never written) / 0xfffffffe (a
 * zero block), both read as zeros.  Block i's data starts at
 * data offset + index * (extra + block size) + extra.  A static image has
 * every block allocated; a differencing image (type 4, a parent) and
 * undo images are refused.
 */
#include <errno.h>
#include <string.h>
#include "block/image.h"

#define VDI_SIGNATURE   0xbeda107fu
#define VDI_UNALLOCATED 0xfffffffeu     /* and 0xffffffff */

typedef struct Vdi {
    uint32_t *bmap;
    uint32_t blocks;
    uint64_t block_size;
    uint64_t extra;
    uint64_t data_off;
} Vdi;

static int vdi_probe(const uint8_t *head, size_t len)
{
    return len >= 0x48 && image_le32(head + 0x40) == VDI_SIGNATURE ? 100 : 0;
}

static bool vdi_fail(Image *img, Vdi *s)
{
    if (s)
        g_free(s->bmap);
    g_free(s);
    img->opaque = NULL;
    return false;
}

static bool vdi_open(Image *img, GError **errp)
{
    uint8_t h[0x190];
    if (img->file_size < sizeof(h) || !image_pread(img, h, sizeof(h), 0))
        return image_error(img, errp, "VDI header cut short");
    uint32_t version = image_le32(h + 0x44), type = image_le32(h + 0x4c);
    uint32_t bmap_off = image_le32(h + 0x154), data_off = image_le32(h + 0x158);
    uint32_t sector = image_le32(h + 0x168), bs = image_le32(h + 0x178);
    uint32_t extra = image_le32(h + 0x17c), blocks = image_le32(h + 0x180);
    uint64_t size = image_le64(h + 0x170);
    if (version >> 16 != 1)
        return image_error(img, errp, "VDI version %u.%u is not supported (1.1)",
                           version >> 16, version & 0xffff);
    if (type == 4)
        return image_error(img, errp, "differencing VDI images (with a parent) are not "
                           "supported");
    if (type != 1 && type != 2)
        return image_error(img, errp, "VDI image type %u is not supported (dynamic or static)",
                           type);
    if (sector != 512)
        return image_error(img, errp, "VDI sector size %u is not supported (512)", sector);
    if (bs < 512 || bs > (256u << 20) || (bs & (bs - 1)))
        return image_error(img, errp, "VDI block size %u is invalid", bs);
    if (extra > (1u << 20) || extra % 512)
        return image_error(img, errp, "VDI block extra size %u is invalid", extra);
    if ((uint64_t)blocks * bs < size || size > (1ull << 56))
        return image_error(img, errp, "VDI disk size %llu exceeds its %u blocks",
                           (unsigned long long)size, blocks);
    if (bmap_off > img->file_size || (uint64_t)blocks * 4 > img->file_size - bmap_off)
        return image_error(img, errp, "VDI block map (%u entries at %u) lies outside the file",
                           blocks, bmap_off);
    Vdi *s = g_new0(Vdi, 1);
    img->opaque = s;
    s->blocks = blocks;
    s->block_size = bs;
    s->extra = extra;
    s->data_off = data_off;
    s->bmap = g_new(uint32_t, MAX(blocks, 1));
    if (blocks && !image_pread(img, s->bmap, (size_t)blocks * 4, bmap_off)) {
        image_error(img, errp, "cannot read the VDI block map");
        return vdi_fail(img, s);
    }
    for (uint32_t i = 0; i < blocks; i++)
        s->bmap[i] = image_le32((const uint8_t *)&s->bmap[i]);
    img->size = size;
    return true;
}

static bool vdi_read(Image *img, uint64_t off, void *buf, size_t len)
{
    Vdi *s = img->opaque;
    uint8_t *p = buf;
    while (len) {
        uint64_t block = off / s->block_size, in = off % s->block_size;
        size_t n = (size_t)MIN((uint64_t)len, s->block_size - in);
        uint32_t e = block < s->blocks ? s->bmap[block] : 0xffffffffu;
        if (e >= VDI_UNALLOCATED)
            memset(p, 0, n);
        else if (!image_pread(img, p, n, s->data_off + (uint64_t)e * (s->extra + s->block_size) +
                              s->extra + in))
            return false;
        off += n;
        p += n;
        len -= n;
    }
    return true;
}

static void vdi_close(Image *img)
{
    Vdi *s = img->opaque;
    if (s)
        g_free(s->bmap);
    g_free(s);
}

const ImageDriver image_vdi_driver = {
    .name = "vdi",
    .format = IMAGE_FORMAT_VDI,
    .probe = vdi_probe,
    .open = vdi_open,
    .read = vdi_read,
    .close = vdi_close,
};
