/*
 * loader.c - direct kernel boot, host side (see loader.h for the design).
 *
 * Linux: the bzImage header (Documentation/x86/boot.rst, "The real-mode
 * kernel header") is checked here: "HdrS" at 0x202, protocol >= 2.02,
 * LOADED_HIGH (a bzImage), setup_sects and syssize consistent with the file
 * size; the initrd goes page aligned as high as initrd_addr_max and RAM
 * allow, below the top LOADER_RAM_RESERVED bytes SeaBIOS keeps its tables
 * in.  firmware/linuxboot.asm fills in the header fields the boot loader
 * owns (type_of_loader, loadflags.CAN_USE_HEAP, heap_end_ptr, cmd_line_ptr,
 * ramdisk_image/size) when it copies the setup sectors.
 *
 * Multiboot v1 (the Multiboot Specification 0.6.96, section 3.1): the
 * header is found in the first 8 KiB; an ELF32 i386 executable is loaded by
 * its PT_LOAD program headers (physical addresses), otherwise the header's
 * address fields (flag 16, "a.out kludge") are used.  The information
 * block is built here except the memory map, which firmware/multiboot.asm
 * fills from INT 15h E820 at boot time.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "machine/loader.h"
#include "machine/machine.h"
#include "machine/pc.h"
#include "devices/fw_cfg.h"
#include "util/error.h"

#define MB_MAGIC          0x1BADB002u
#define MB_SEARCH         8192u
#define MB_FLAG_PAGE_ALIGN 0x1u
#define MB_FLAG_MEMINFO   0x2u
#define MB_FLAG_VIDEO     0x4u
#define MB_FLAG_AOUT      0x10000u
#define MB_AOUT_HEADER_SIZE 32u    /* magic..entry_addr: the a.out kludge fields */
#define MB_INFO_MEM       0x001u
#define MB_INFO_CMDLINE   0x004u
#define MB_INFO_MODS      0x008u
#define MB_INFO_MMAP      0x040u
#define MB_INFO_LOADER    0x200u
#define MB_MODLIST_OFF    0x1000u    /* module list in the info block */
#define MB_STRINGS_OFF    0x1400u    /* strings after it, to the block end */

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

#define loader_fail(errp, ...) error_fail(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, __VA_ARGS__)

static void blob_set(LoaderBlob *b, uint32_t addr, const void *data, uint32_t size)
{
    b->addr = addr;
    b->size = size;
    b->data = size ? g_memdup2(data, size) : NULL;
}

void loader_image_clear(LoaderImage *img)
{
    g_free(img->setup.data);
    g_free(img->kernel.data);
    g_free(img->initrd.data);
    g_free(img->cmdline.data);
    memset(img, 0, sizeof(*img));
}

/* usable RAM top for loaded pieces (below 4 GiB, firmware tables kept) */
static uint64_t loader_ram_top(uint64_t ram_size)
{
    uint64_t top = MIN(ram_size, 0xffffffffull);
    return top > LOADER_RAM_RESERVED ? top - LOADER_RAM_RESERVED : 0;
}

/* ---- Linux bzImage ---- */

static bool loader_linux(LoaderImage *img, const char *name, const uint8_t *k, size_t len,
                         const uint8_t *initrd, size_t initrd_len, const char *append,
                         uint64_t ram_size, GError **errp)
{
    uint16_t version = get16(k + 0x206);
    if (version < 0x202)
        return loader_fail(errp, "-kernel %s: Linux boot protocol %u.%02u is too old "
                           "(2.02 or later needed)", name, version >> 8, version & 0xff);
    if (!(k[0x211] & 0x01))
        return loader_fail(errp, "-kernel %s: a zImage (not loaded high) cannot be booted; "
                           "use a bzImage", name);
    uint32_t setup_sects = k[0x1f1] ? k[0x1f1] : 4;
    uint32_t setup_size = (setup_sects + 1) * 512;
    if (setup_size >= len)
        return loader_fail(errp, "-kernel %s: corrupt bzImage: %u setup sectors but the file "
                           "has %zu bytes", name, setup_sects, len);
    if (setup_size > LOADER_MAX_SETUP)
        return loader_fail(errp, "-kernel %s: %u setup sectors do not fit below the setup "
                           "heap", name, setup_sects);
    uint32_t kernel_size = (uint32_t)(len - setup_size);
    uint64_t syssize = (uint64_t)get32(k + 0x1f4) * 16;
    if (syssize == 0 || syssize > (uint64_t)kernel_size + 15)
        return loader_fail(errp, "-kernel %s: corrupt or truncated bzImage (header says %" 
                           G_GUINT64_FORMAT " bytes of kernel, the file has %u)", name,
                           syssize, kernel_size);
    if (get16(k + 0x1fe) != 0xaa55)
        return loader_fail(errp, "-kernel %s: corrupt bzImage (no 0xAA55 boot flag)", name);

    uint32_t initrd_max = version >= 0x203 ? get32(k + 0x22c) : 0x37ffffff;
    uint32_t cmdline_max = version >= 0x206 ? get32(k + 0x238) : 255;
    uint32_t init_size = version >= 0x20a ? get32(k + 0x260) : 0;
    size_t cmd_len = strlen(append ? append : "");
    if (cmd_len > cmdline_max)
        return loader_fail(errp, "-append: the command line has %zu bytes, the kernel takes "
                           "at most %u", cmd_len, cmdline_max);

    uint64_t top = loader_ram_top(ram_size);
    uint64_t kernel_end = LOADER_KERNEL_ADDR + (uint64_t)MAX(kernel_size, init_size);
    if (kernel_end > top)
        return loader_fail(errp, "-kernel %s: the kernel needs %" G_GUINT64_FORMAT
                           " MiB of RAM; use a larger -m", name, (kernel_end >> 20) + 2);
    uint32_t initrd_addr = 0;
    if (initrd) {
        uint64_t itop = MIN(top, (uint64_t)initrd_max + 1);
        if (initrd_len > itop || ((itop - initrd_len) & ~0xfffull) < kernel_end)
            return loader_fail(errp, "-initrd: %zu bytes do not fit in RAM between the kernel "
                               "and %#" G_GINT64_MODIFIER "x; use a larger -m", initrd_len,
                               itop);
        initrd_addr = (uint32_t)((itop - initrd_len) & ~0xfffull);
    }

    img->kind = LOADER_LINUX;
    img->protocol = version;
    img->rom_name = "linuxboot.bin";
    blob_set(&img->setup, LOADER_SETUP_ADDR, k, setup_size);
    blob_set(&img->kernel, LOADER_KERNEL_ADDR, k + setup_size, kernel_size);
    blob_set(&img->initrd, initrd_addr, initrd, (uint32_t)initrd_len);
    blob_set(&img->cmdline, LOADER_CMDLINE_ADDR, append ? append : "", (uint32_t)cmd_len + 1);
    return true;
}

/* ---- multiboot v1 ---- */

/* the multiboot header, or -1 */
static long loader_mb_find(const uint8_t *k, size_t len)
{
    size_t end = MIN(len, MB_SEARCH);
    for (size_t off = 0; off + 12 <= end; off += 4) {
        uint32_t magic = get32(k + off), flags = get32(k + off + 4), sum = get32(k + off + 8);
        if (magic == MB_MAGIC && (uint32_t)(magic + flags + sum) == 0)
            return (long)off;
    }
    return -1;
}

/* [lo, hi) is RAM a multiboot kernel or module may use: conventional
 * memory (above the BIOS data area, below the EBDA; as GRUB and QEMU
 * accept) or from 1 MiB to the usable top */
static bool loader_mb_ram_ok(uint64_t lo, uint64_t hi, uint64_t top)
{
    return (lo >= LOADER_LOW_RAM_START && hi <= LOADER_LOW_RAM_END) ||
           (lo >= 0x100000u && hi <= top);
}

/* the image: from its lowest to its highest loaded address, BSS zeroed */
static bool loader_mb_elf(LoaderImage *img, const char *name, const uint8_t *k, size_t len,
                          uint64_t top, GError **errp)
{
    if (len < 52 || k[4] != 1 || k[5] != 1)
        return loader_fail(errp, "-kernel %s: multiboot ELF kernel is not a 32-bit "
                           "little-endian ELF", name);
    if (get16(k + 18) != 3 || get16(k + 16) != 2)
        return loader_fail(errp, "-kernel %s: multiboot ELF kernel is not an i386 executable",
                           name);
    uint32_t phoff = get32(k + 28), entry = get32(k + 24);
    uint32_t phentsize = get16(k + 42), phnum = get16(k + 44);
    if (phentsize < 32 || phnum == 0 || phoff > len || (uint64_t)phnum * phentsize > len - phoff)
        return loader_fail(errp, "-kernel %s: corrupt ELF program headers", name);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = k + phoff + (size_t)i * phentsize;
        if (get32(ph) != 1 || get32(ph + 20) == 0)          /* PT_LOAD with memory */
            continue;
        uint32_t off = get32(ph + 4), paddr = get32(ph + 12);
        uint32_t filesz = get32(ph + 16), memsz = get32(ph + 20);
        if (filesz > memsz || off > len || filesz > len - off)
            return loader_fail(errp, "-kernel %s: ELF segment %u lies outside the file", name, i);
        lo = MIN(lo, paddr);
        hi = MAX(hi, (uint64_t)paddr + memsz);
    }
    if (hi == 0)
        return loader_fail(errp, "-kernel %s: ELF kernel has no loadable segment", name);
    if (!loader_mb_ram_ok(lo, hi, top))
        return loader_fail(errp, "-kernel %s: the kernel's segments (%#" G_GINT64_MODIFIER "x-%#"
                           G_GINT64_MODIFIER "x) are outside the usable RAM (%#x-%#x, 1 MiB to "
                           "the RAM top); a larger -m?", name, lo, hi, LOADER_LOW_RAM_START,
                           LOADER_LOW_RAM_END);
    uint8_t *image = g_malloc0(hi - lo);
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = k + phoff + (size_t)i * phentsize;
        if (get32(ph) != 1 || get32(ph + 20) == 0)
            continue;
        uint32_t vaddr = get32(ph + 8), paddr = get32(ph + 12), memsz = get32(ph + 20);
        memcpy(image + (paddr - lo), k + get32(ph + 4), get32(ph + 16));
        if (entry >= vaddr && entry - vaddr < memsz && vaddr != paddr)
            entry = entry - vaddr + paddr;                  /* entry given virtually */
    }
    img->kernel.addr = (uint32_t)lo;
    img->kernel.size = (uint32_t)(hi - lo);
    img->kernel.data = image;
    img->entry = entry;
    return true;
}

static bool loader_mb_aout(LoaderImage *img, const char *name, const uint8_t *k, size_t len,
                           long hoff, uint64_t top, GError **errp)
{
    if ((size_t)hoff + MB_AOUT_HEADER_SIZE > len)
        return loader_fail(errp, "-kernel %s: multiboot header is truncated (the a.out "
                           "kludge flag needs %u bytes, the file has %zu after it)", name,
                           MB_AOUT_HEADER_SIZE, len - (size_t)hoff);
    const uint8_t *h = k + hoff;
    uint32_t header_addr = get32(h + 12), load_addr = get32(h + 16);
    uint32_t load_end = get32(h + 20), bss_end = get32(h + 24), entry = get32(h + 28);
    if (load_addr > header_addr || header_addr - load_addr > (uint32_t)hoff)
        return loader_fail(errp, "-kernel %s: multiboot header addresses are inconsistent", name);
    size_t file_off = (size_t)hoff - (header_addr - load_addr);
    uint64_t load_size = load_end ? (uint64_t)load_end - load_addr : len - file_off;
    if (load_end && load_end < load_addr)
        return loader_fail(errp, "-kernel %s: multiboot load_end_addr below load_addr", name);
    if (load_size > len - file_off)
        return loader_fail(errp, "-kernel %s: truncated (multiboot header wants %"
                           G_GUINT64_FORMAT " bytes)", name, load_size);
    uint64_t mem_end = MAX((uint64_t)bss_end, (uint64_t)load_addr + load_size);
    if (mem_end == load_addr)
        return loader_fail(errp, "-kernel %s: the multiboot header describes an empty kernel "
                           "(load_end_addr = load_addr, no BSS)", name);
    if (!loader_mb_ram_ok(load_addr, mem_end, top))
        return loader_fail(errp, "-kernel %s: load address %#x outside the usable RAM (%#x-%#x, "
                           "1 MiB to the RAM top)", name, load_addr, LOADER_LOW_RAM_START,
                           LOADER_LOW_RAM_END);
    img->kernel.addr = load_addr;
    img->kernel.size = (uint32_t)(mem_end - load_addr);
    img->kernel.data = g_malloc0(img->kernel.size);
    memcpy(img->kernel.data, k + file_off, load_size);
    img->entry = entry;
    return true;
}

/* put a string into the info block's string area; its guest address */
static uint32_t mb_string(uint8_t *blk, uint32_t base, uint32_t *pos, const char *s, bool *ok)
{
    size_t n = strlen(s) + 1;
    if (*pos + n > LOADER_MB_BLOCK_SIZE) {
        *ok = false;
        return 0;
    }
    memcpy(blk + *pos, s, n);
    uint32_t addr = base + *pos;
    *pos += (uint32_t)n;
    return addr;
}

static bool loader_multiboot(LoaderImage *img, const char *name, const uint8_t *k, size_t len,
                             long hoff, const uint8_t *mods, size_t mods_len,
                             const size_t *mod_sizes, const char *const *mod_names,
                             unsigned n_mods, const char *append, uint64_t ram_size,
                             GError **errp)
{
    uint32_t flags = get32(k + hoff + 4);
    if (flags & 0xfff8u)
        return loader_fail(errp, "-kernel %s: multiboot header asks for features this loader "
                           "lacks (flags %#x)", name, flags);
    uint64_t top = loader_ram_top(ram_size);
    bool is_elf = len >= 4 && !memcmp(k, "\x7f" "ELF", 4);
    bool ok = (flags & MB_FLAG_AOUT) ? loader_mb_aout(img, name, k, len, hoff, top, errp)
              : is_elf ? loader_mb_elf(img, name, k, len, top, errp)
              : loader_fail(errp, "-kernel %s: multiboot kernel is neither ELF nor gives its "
                            "load addresses (flag 16)", name);
    if (!ok)
        return false;
    if (n_mods > (MB_STRINGS_OFF - MB_MODLIST_OFF) / 16)
        return loader_fail(errp, "-initrd: too many multiboot modules (%u)", n_mods);

    /* modules after the kernel, each page aligned; from 1 MiB if they do not
     * fit in conventional memory after a kernel loaded low */
    uint64_t kend = (uint64_t)img->kernel.addr + img->kernel.size;
    uint64_t mod_base = (kend + 0xfff) & ~0xfffull;
    uint64_t span = 0;
    for (unsigned i = 0; i < n_mods; i++)
        span = ((span + 0xfff) & ~0xfffull) + mod_sizes[i];
    if (span && !loader_mb_ram_ok(mod_base, mod_base + span, top))
        mod_base = MAX(0x100000u, mod_base);
    if (span && !loader_mb_ram_ok(mod_base, mod_base + span, top))
        return loader_fail(errp, "-initrd: the multiboot modules (%" G_GUINT64_FORMAT
                           " bytes) do not fit in RAM; use a larger -m", span);
    /* the information block and the ROM's stack, clear of both */
    uint32_t need = LOADER_MB_BLOCK_SIZE + LOADER_MB_STACK, base = LOADER_MB_INFO_ADDR;
    for (uint32_t a = 0;; a += 0x1000) {         /* a = 0: the preferred place */
        base = a ? a : LOADER_MB_INFO_ADDR;
        if (base + need > LOADER_LOW_RAM_END)
            return loader_fail(errp, "-kernel %s: no room below %#x for the multiboot "
                               "information block (%#x bytes) beside the kernel", name,
                               LOADER_LOW_RAM_END, need);
        if (!(base < kend && base + need > img->kernel.addr) &&
            !(span && base < mod_base + span && base + need > mod_base))
            break;
    }
    uint8_t *blk = g_malloc0(LOADER_MB_BLOCK_SIZE);
    uint8_t *modimg = span ? g_malloc0(span) : NULL;
    uint32_t spos = MB_STRINGS_OFF;
    uint64_t at = 0;
    size_t src = 0;
    ok = true;
    for (unsigned i = 0; i < n_mods; i++) {
        at = (at + 0xfff) & ~0xfffull;
        if (src + mod_sizes[i] > mods_len) {
            ok = false;
            break;
        }
        if (mod_sizes[i])                       /* an empty module: start == end */
            memcpy(modimg + at, mods + src, mod_sizes[i]);
        uint8_t *ent = blk + MB_MODLIST_OFF + i * 16;
        put32(ent, (uint32_t)(mod_base + at));
        put32(ent + 4, (uint32_t)(mod_base + at + mod_sizes[i]));
        put32(ent + 8, mb_string(blk, base, &spos, mod_names[i], &ok));
        at += mod_sizes[i];
        src += mod_sizes[i];
    }
    gchar *cmd = g_strdup_printf("%s%s%s", name, append && *append ? " " : "",
                                 append ? append : "");
    uint32_t info_flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP | MB_INFO_LOADER |
                          (n_mods ? MB_INFO_MODS : 0);
    put32(blk + 0, info_flags);
    put32(blk + 4, 639);                                        /* mem_lower, KiB */
    put32(blk + 8, (uint32_t)MIN((MIN(ram_size, 0xffffffffull) - 0x100000) / 1024,
                                 0xffffffffull));               /* mem_upper */
    put32(blk + 16, mb_string(blk, base, &spos, cmd, &ok));
    put32(blk + 20, n_mods);
    put32(blk + 24, base + MB_MODLIST_OFF);
    put32(blk + 44, 0);                                 /* mmap_length: the ROM */
    put32(blk + 48, base + LOADER_MB_MMAP_OFF);
    put32(blk + 64, mb_string(blk, base, &spos, "tx86 " TX86_VERSION, &ok));
    g_free(cmd);
    if (!ok) {
        g_free(blk);
        g_free(modimg);
        return loader_fail(errp, "-kernel %s: command line and module names too long for "
                           "the multiboot information block", name);
    }
    img->kind = LOADER_MULTIBOOT;
    img->rom_name = "multiboot.bin";
    img->setup = (LoaderBlob){ base, blk, LOADER_MB_BLOCK_SIZE };
    img->initrd = (LoaderBlob){ span ? (uint32_t)mod_base : 0, modimg, (uint32_t)span };
    return true;
}

bool loader_prepare(LoaderImage *img, const char *kernel_name,
                    const uint8_t *kernel_data, size_t kernel_len,
                    const uint8_t *initrd_data, size_t initrd_len,
                    const size_t *module_sizes, const char *const *module_names,
                    unsigned n_modules, const char *append, uint64_t ram_size,
                    GError **errp)
{
    memset(img, 0, sizeof(*img));
    if (kernel_len > 0xffffffffu)
        return loader_fail(errp, "-kernel %s: file too large", kernel_name);
    bool ok;
    if (kernel_len >= 0x400 && !memcmp(kernel_data + 0x202, "HdrS", 4)) {
        ok = loader_linux(img, kernel_name, kernel_data, kernel_len, initrd_data, initrd_len,
                          append, ram_size, errp);
    } else {
        long hoff = loader_mb_find(kernel_data, kernel_len);
        if (hoff < 0)
            return loader_fail(errp, "-kernel %s: not a Linux bzImage (no \"HdrS\" header) "
                               "and not a multiboot kernel (no multiboot header in the "
                               "first 8 KiB)", kernel_name);
        if (!module_sizes && initrd_data) {                 /* one unnamed module */
            static const char *const one_name[] = { "initrd" };
            size_t one = initrd_len;
            ok = loader_multiboot(img, kernel_name, kernel_data, kernel_len, hoff,
                                  initrd_data, initrd_len, &one, one_name, 1, append,
                                  ram_size, errp);
        } else {
            ok = loader_multiboot(img, kernel_name, kernel_data, kernel_len, hoff,
                                  initrd_data, initrd_len, module_sizes, module_names,
                                  n_modules, append, ram_size, errp);
        }
    }
    if (!ok)
        loader_image_clear(img);
    return ok;
}

/* ---- firmware files ---- */

char *loader_find_firmware(const char *name, GError **errp)
{
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    const char *env = g_getenv("TX86_FIRMWARE_DIR");
    if (env && *env)
        g_ptr_array_add(dirs, g_strdup(env));
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (exe) {
        char *dir = g_path_get_dirname(exe);
        g_ptr_array_add(dirs, g_build_filename(dir, "build", "firmware", NULL));
        g_ptr_array_add(dirs, g_build_filename(dir, "..", "share", "tx86", NULL));
        g_free(dir);
        g_free(exe);
    }
    g_ptr_array_add(dirs, g_build_filename("build", "firmware", NULL));
    g_ptr_array_add(dirs, g_build_filename(TX86_PREFIX, "share", "tx86", NULL));
    char *found = NULL;
    for (guint i = 0; i < dirs->len && !found; i++) {
        char *p = g_build_filename(g_ptr_array_index(dirs, i), name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
            found = p;
        else
            g_free(p);
    }
    if (!found)
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "cannot find the firmware file '%s' (run 'make firmware', or set "
                    "TX86_FIRMWARE_DIR)", name);
    g_ptr_array_free(dirs, TRUE);
    return found;
}

uint8_t *loader_load_option_rom(const char *name, uint32_t *size, GError **errp)
{
    char *path = loader_find_firmware(name, errp);
    if (!path)
        return NULL;
    gchar *data;
    gsize len;
    bool ok = g_file_get_contents(path, &data, &len, errp);
    if (ok && (len < 512 || len > 0x10000 || (uint8_t)data[0] != 0x55 ||
               (uint8_t)data[1] != 0xaa)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "'%s' is not an option ROM (no 55 AA signature, or bad size)", path);
        g_free(data);
        ok = false;
    }
    g_free(path);
    if (!ok)
        return NULL;
    uint32_t rom_size = ((uint32_t)len + 511) & ~511u;
    uint8_t *rom = g_malloc0(rom_size);
    memcpy(rom, data, len);
    g_free(data);
    rom[2] = (uint8_t)(rom_size / 512);
    uint8_t sum = 0;
    for (uint32_t i = 0; i < rom_size - 1; i++)
        sum += rom[i];
    rom[rom_size - 1] = (uint8_t)-sum;
    *size = rom_size;
    return rom;
}

/* ---- the machine side ---- */

static bool loader_read_file(const char *what, const char *path, gchar **data, gsize *len,
                             GError **errp)
{
    GError *err = NULL;
    if (!g_file_get_contents(path, data, len, &err)) {
        g_set_error(errp, G_FILE_ERROR, err->code, "%s: %s", what, err->message);
        g_error_free(err);
        return false;
    }
    return true;
}

/* -initrd "a args,b" for multiboot: files separated by commas, each name
 * may carry arguments after a space (the module string) */
static bool loader_read_modules(const char *spec, GByteArray *all, GArray *sizes,
                                GPtrArray *names, GError **errp)
{
    gchar **parts = g_strsplit(spec, ",", -1);
    bool ok = true;
    for (gchar **p = parts; ok && *p; p++) {
        gchar *file = g_strdup(*p);
        gchar *sp = strchr(file, ' ');
        if (sp)
            *sp = 0;
        gchar *data;
        gsize len;
        ok = loader_read_file("-initrd", file, &data, &len, errp);
        if (ok) {
            g_byte_array_append(all, (guint8 *)data, (guint)len);
            size_t n = len;
            g_array_append_val(sizes, n);
            g_ptr_array_add(names, g_strdup(*p));
            g_free(data);
        }
        g_free(file);
    }
    g_strfreev(parts);
    return ok;
}

static void loader_publish_blob(FWCfgState *fw, const LoaderBlob *b, uint16_t addr_key,
                                uint16_t size_key, uint16_t data_key)
{
    fw_cfg_add_i32(fw, addr_key, b->addr);
    fw_cfg_add_i32(fw, size_key, b->size);
    if (b->size)
        fw_cfg_add_bytes_owned(fw, data_key, b->data, b->size);   /* takes b->data */
}

bool loader_setup(Machine *m, GError **errp)
{
    const MachineConfig *c = &m->cfg;
    if (!c->kernel_path)
        return true;
    FWCfgState *fw = pc_fw_cfg(m);
    if (!fw)
        return loader_fail(errp, "-kernel needs the PC's fw_cfg device");

    gchar *kdata = NULL, *idata = NULL;
    gsize klen = 0, ilen = 0;
    LoaderImage img;
    GByteArray *mods = g_byte_array_new();
    GArray *mod_sizes = g_array_new(FALSE, FALSE, sizeof(size_t));
    GPtrArray *mod_names = g_ptr_array_new_with_free_func(g_free);
    bool ok = loader_read_file("-kernel", c->kernel_path, &kdata, &klen, errp);
    bool linux_image = ok && klen >= 0x400 && !memcmp(kdata + 0x202, "HdrS", 4);
    if (ok && c->initrd_path) {
        if (linux_image)
            ok = loader_read_file("-initrd", c->initrd_path, &idata, &ilen, errp);
        else
            ok = loader_read_modules(c->initrd_path, mods, mod_sizes, mod_names, errp);
    }
    if (ok) {
        if (linux_image || !c->initrd_path)
            ok = loader_prepare(&img, c->kernel_path, (uint8_t *)kdata, klen,
                                (uint8_t *)idata, ilen, NULL, NULL, 0, c->append,
                                c->ram_size, errp);
        else
            ok = loader_prepare(&img, c->kernel_path, (uint8_t *)kdata, klen, mods->data,
                                mods->len, (size_t *)(void *)mod_sizes->data,
                                (const char *const *)mod_names->pdata, mod_sizes->len,
                                c->append, c->ram_size, errp);
    }
    g_free(kdata);
    g_free(idata);
    g_byte_array_free(mods, TRUE);
    g_array_free(mod_sizes, TRUE);
    g_ptr_array_free(mod_names, TRUE);
    if (!ok)
        return false;

    uint32_t rom_size = 0;
    uint8_t *rom = loader_load_option_rom(img.rom_name, &rom_size, errp);
    if (!rom) {
        loader_image_clear(&img);
        return false;
    }
    loader_publish_blob(fw, &img.setup, FW_CFG_SETUP_ADDR, FW_CFG_SETUP_SIZE,
                        FW_CFG_SETUP_DATA);
    loader_publish_blob(fw, &img.kernel, FW_CFG_KERNEL_ADDR, FW_CFG_KERNEL_SIZE,
                        FW_CFG_KERNEL_DATA);
    loader_publish_blob(fw, &img.initrd, FW_CFG_INITRD_ADDR, FW_CFG_INITRD_SIZE,
                        FW_CFG_INITRD_DATA);
    loader_publish_blob(fw, &img.cmdline, FW_CFG_CMDLINE_ADDR, FW_CFG_CMDLINE_SIZE,
                        FW_CFG_CMDLINE_DATA);
    fw_cfg_add_i32(fw, FW_CFG_KERNEL_ENTRY, img.entry);
    gchar *file = g_strdup_printf("genroms/%s", img.rom_name);
    uint16_t rom_item = fw_cfg_add_file_owned(fw, file, rom, rom_size);
    g_free(file);
    /* fw_cfg took the data buffers */
    img.setup.data = img.kernel.data = img.initrd.data = img.cmdline.data = NULL;
    if (!rom_item)
        return loader_fail(errp, "-kernel: no fw_cfg file slot left for the option ROM");
    loader_image_clear(&img);
    return true;
}
