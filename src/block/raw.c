/*
 * raw.c - the raw format driver (image.h): the host file is the disk, byte
 * for byte.  Its size must be a multiple of 512 (a file of another size is
 * most likely not a disk image).  Probing answers 1 for any file: raw is
 * what a file is when no other driver knows its first bytes.
 */
#include "block/image.h"

static int raw_probe(const uint8_t *head, size_t len)
{
    return 1;
}

static bool raw_open(Image *img, GError **errp)
{
    if (img->file_size % 512)
        return image_error(img, errp, "size %llu bytes is not a multiple of 512 "
                           "(not a raw disk image?)", (unsigned long long)img->file_size);
    img->size = img->file_size;
    return true;
}

static bool raw_read(Image *img, uint64_t off, void *buf, size_t len)
{
    return image_pread(img, buf, len, off);
}

static bool raw_write(Image *img, uint64_t off, const void *buf, size_t len)
{
    return image_pwrite(img, buf, len, off);
}

static void raw_close(Image *img)
{
}

const ImageDriver image_raw_driver = {
    .name = "raw",
    .format = IMAGE_FORMAT_RAW,
    .writable = true,
    .probe = raw_probe,
    .open = raw_open,
    .read = raw_read,
    .write = raw_write,
    .close = raw_close,
};
