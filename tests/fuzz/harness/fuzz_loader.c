/*
 * fuzz_loader.c - libFuzzer harness for direct kernel boot's parser
 * (src/machine/loader.c: Linux bzImage, multiboot ELF and a.out kludge,
 * initrd and multiboot modules, the command line).
 *
 * Input: one flags byte, then parts cut at FUZZ_SEP (fuzz_common.h):
 *   kernel FUZZ_SEP append FUZZ_SEP module FUZZ_SEP module ...
 *   flags bits 0-1  RAM: 8, 16, 32 or 64 MiB
 *         bit 2     the parts after append are named multiboot modules
 *                   ("-initrd a,b"); else the first is the initrd
 *         bit 3     no -append at all (NULL) even when the part is there
 * A prepared image must lie where the loader promises: inside usable RAM,
 * the multiboot information block and its stack clear of kernel and
 * modules; anything else aborts (a finding).
 */
#include <stdlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/loader.h"

#define MAX_MODULES 80

/* the loader's usable ranges (loader.h): conventional memory or 1 MiB
 * up to the RAM top minus the firmware's reserve */
static int in_ram(uint64_t lo, uint64_t hi, uint64_t ram)
{
    uint64_t top = ram - LOADER_RAM_RESERVED;
    return (lo >= LOADER_LOW_RAM_START && hi <= LOADER_LOW_RAM_END) ||
           (lo >= 0x100000 && hi <= top);
}

static int overlap(const LoaderBlob *a, uint64_t lo, uint64_t hi)
{
    return a->size && a->addr < hi && (uint64_t)a->addr + a->size > lo;
}

static void check_image(const LoaderImage *img, uint64_t ram)
{
    const LoaderBlob *k = &img->kernel, *s = &img->setup, *i = &img->initrd;
    if (img->kind == LOADER_LINUX) {
        if (k->addr != LOADER_KERNEL_ADDR || s->addr != LOADER_SETUP_ADDR ||
            s->size > LOADER_MAX_SETUP || !img->cmdline.size ||
            img->cmdline.data[img->cmdline.size - 1] != 0)
            abort();
        if (i->size && ((uint64_t)i->addr + i->size > ram - LOADER_RAM_RESERVED ||
                        overlap(i, k->addr, (uint64_t)k->addr + k->size)))
            abort();
        return;
    }
    uint64_t blk_end = (uint64_t)s->addr + LOADER_MB_BLOCK_SIZE + LOADER_MB_STACK;
    if (!k->size || !in_ram(k->addr, (uint64_t)k->addr + k->size, ram) ||
        s->size != LOADER_MB_BLOCK_SIZE || blk_end > LOADER_LOW_RAM_END ||
        overlap(k, s->addr, blk_end) || overlap(i, s->addr, blk_end))
        abort();
    if (i->size && (!in_ram(i->addr, (uint64_t)i->addr + i->size, ram) ||
                    overlap(i, k->addr, (uint64_t)k->addr + k->size)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = { data, size, 0 };
    uint8_t flags = fuzz_u8(&in);
    uint64_t ram = (8ull << 20) << (flags & 3);
    size_t klen, alen;
    const uint8_t *kernel = fuzz_part(&in, FUZZ_SEP, &klen);
    const uint8_t *append = fuzz_part(&in, FUZZ_SEP, &alen);
    gchar *cmd = (flags & 8) ? NULL : g_strndup((const char *)append, alen);

    /* the rest: modules (or one initrd), concatenated as loader_setup does */
    GByteArray *mods = g_byte_array_new();
    size_t sizes[MAX_MODULES];
    gchar *names[MAX_MODULES];
    unsigned n = 0;
    while (fuzz_left(&in) && n < MAX_MODULES) {
        size_t len;
        const uint8_t *p = fuzz_part(&in, FUZZ_SEP, &len);
        g_byte_array_append(mods, p, (guint)len);
        sizes[n] = len;
        names[n] = g_strdup_printf("mod%u arg=%u", n, n);
        n++;
    }
    /* a private copy of the kernel: reads past its end are caught */
    uint8_t *k = g_memdup2(kernel, klen);
    LoaderImage img;
    GError *err = NULL;
    bool named = (flags & 4) && n;
    bool ok = loader_prepare(&img, "fuzz-kernel", k, klen, n ? mods->data : NULL,
                             n ? (named ? mods->len : sizes[0]) : 0,
                             named ? sizes : NULL, named ? (const char *const *)names : NULL,
                             named ? n : 0, cmd, ram, &err);
    if (ok) {
        check_image(&img, ram);
        loader_image_clear(&img);
    } else if (!err || !err->message[0]) {
        abort();                        /* a failure must say why */
    }
    if (err)
        g_error_free(err);
    g_free(k);
    for (unsigned i = 0; i < n; i++)
        g_free(names[i]);
    g_byte_array_free(mods, TRUE);
    g_free(cmd);
    return 0;
}
