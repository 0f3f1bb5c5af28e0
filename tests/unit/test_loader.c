/*
 * test_loader.c - unit tests for the -kernel loader (loader.c): synthetic
 * bzImage, multiboot ELF and multiboot a.out-kludge images, each with the
 * addresses loader_prepare() must choose or the error it must give, in one
 * table.  The images are built in memory from a few header fields.
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include <glib/gstdio.h>
#include "machine/loader.h"

#define MiB (1u << 20)

typedef enum ImgKind { IMG_BZ, IMG_ELF, IMG_AOUT, IMG_JUNK } ImgKind;

typedef struct LoaderCase {
    const char *what;
    ImgKind kind;
    uint16_t version;           /* bzImage: boot protocol */
    uint8_t loadflags;          /* bzImage */
    uint8_t setup_sects;        /* bzImage */
    uint32_t syssize_adjust;    /* bzImage: added to the correct syssize */
    uint32_t kernel_len;        /* bytes after the setup sectors / ELF payload */
    uint32_t initrd_len;
    uint32_t initrd_max;        /* bzImage initrd_addr_max */
    uint32_t load_addr;         /* multiboot */
    uint32_t ram;               /* machine RAM */
    const char *append;
    const char *error;          /* NULL: must succeed; else a substring */
    uint32_t initrd_addr;       /* expected (when it succeeds), 0 = don't check */
} LoaderCase;

static const LoaderCase cases[] = {
    { "bzImage 2.15", IMG_BZ, 0x20f, 0x01, 30, 0, 64 << 10, 4096, 0x7fffffff, 0, 64 * MiB,
      "console=ttyS0", NULL, 64 * MiB - MiB - 4096 },
    { "initrd_addr_max bounds the initrd", IMG_BZ, 0x20f, 0x01, 30, 0, 64 << 10, 5000,
      0x1ffffff, 0, 64 * MiB, "", NULL, 32 * MiB - 8192 },
    { "setup_sects 0 means 4", IMG_BZ, 0x202, 0x01, 0, 0, 8192, 0, 0, 0, 32 * MiB, NULL, NULL, 0 },
    { "protocol 2.01 refused", IMG_BZ, 0x201, 0x01, 4, 0, 8192, 0, 0, 0, 32 * MiB, NULL,
      "too old" },
    { "zImage refused", IMG_BZ, 0x20f, 0x00, 4, 0, 8192, 0, 0, 0, 32 * MiB, NULL, "zImage" },
    { "truncated kernel", IMG_BZ, 0x20f, 0x01, 4, 4096, 8192, 0, 0, 0, 32 * MiB, NULL,
      "truncated" },
    { "setup sectors past the end", IMG_BZ, 0x20f, 0x01, 200, 0, 0, 0, 0, 0, 32 * MiB, NULL,
      "corrupt" },
    { "initrd too big for RAM", IMG_BZ, 0x20f, 0x01, 4, 0, 8192, 40 * MiB, 0x7fffffff, 0,
      32 * MiB, NULL, "do not fit" },
    { "command line too long", IMG_BZ, 0x205, 0x01, 4, 0, 8192, 0, 0, 0, 32 * MiB,
      "................................................................................"
      "................................................................................"
      "................................................................................"
      "................................................................................",
      "command line" },
    { "not a kernel", IMG_JUNK, 0, 0, 0, 0, 16384, 0, 0, 0, 32 * MiB, NULL,
      "not a Linux bzImage" },
    { "multiboot ELF", IMG_ELF, 0, 0, 0, 0, 4096, 100, 0, 0x100000, 32 * MiB, "x=1", NULL,
      0x100000 + 8192 },
    { "multiboot ELF over the usual info block", IMG_ELF, 0, 0, 0, 0, 4096, 100, 0, 0x8000,
      32 * MiB, NULL, NULL, 0xa000 },
    { "multiboot a.out kludge in low memory", IMG_AOUT, 0, 0, 0, 0, 4096, 0, 0, 0x1000,
      32 * MiB, NULL, NULL, 0 },
    { "multiboot low kernel, modules from 1 MiB", IMG_ELF, 0, 0, 0, 0, 0x90000, 0x20000, 0,
      0x1000, 32 * MiB, NULL, NULL, 0x100000 },
    { "multiboot ELF over the EBDA", IMG_ELF, 0, 0, 0, 0, 0x2000, 0, 0, 0x9e000,
      32 * MiB, NULL, "outside" },
    { "multiboot ELF over the BIOS data area", IMG_ELF, 0, 0, 0, 0, 4096, 0, 0, 0x400,
      32 * MiB, NULL, "outside" },
    { "multiboot ELF filling conventional memory", IMG_ELF, 0, 0, 0, 0, 0x98000, 0, 0, 0x1000,
      32 * MiB, NULL, "no room" },
    { "multiboot a.out kludge", IMG_AOUT, 0, 0, 0, 0, 4096, 0, 0, 0x200000, 32 * MiB, NULL,
      NULL, 0 },
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* the image of case c; *len its size */
static uint8_t *build(const LoaderCase *c, size_t *len)
{
    uint8_t *k;
    switch (c->kind) {
    case IMG_BZ: {
        uint32_t sects = c->setup_sects ? c->setup_sects : 4;
        size_t setup = (sects + 1) * 512;
        *len = c->kernel_len ? setup + c->kernel_len : 4096;
        k = g_malloc0(MAX(*len, 0x400));
        k[0x1f1] = c->setup_sects;
        put32(k + 0x1f4, (c->kernel_len + 15) / 16 + c->syssize_adjust);
        put16(k + 0x1fe, 0xaa55);
        memcpy(k + 0x202, "HdrS", 4);
        put16(k + 0x206, c->version);
        k[0x211] = c->loadflags;
        put32(k + 0x22c, c->initrd_max);
        put32(k + 0x238, 255);
        return k;
    }
    case IMG_ELF: {
        *len = 0x1000 + c->kernel_len;
        k = g_malloc0(*len);
        memcpy(k, "\x7f" "ELF", 4);
        k[4] = 1; k[5] = 1; k[6] = 1;
        put16(k + 16, 2); put16(k + 18, 3);
        put32(k + 24, c->load_addr + 0x10);              /* entry */
        put32(k + 28, 52);                               /* phoff */
        put16(k + 42, 32); put16(k + 44, 1);
        uint8_t *ph = k + 52;
        put32(ph, 1); put32(ph + 4, 0x1000); put32(ph + 8, c->load_addr);
        put32(ph + 12, c->load_addr); put32(ph + 16, c->kernel_len);
        put32(ph + 20, c->kernel_len + 4096);            /* with BSS */
        uint8_t *mb = k + 0x200;
        put32(mb, 0x1BADB002); put32(mb + 4, 0); put32(mb + 8, -(uint32_t)0x1BADB002);
        memset(k + 0x1000, 0xcc, c->kernel_len);
        return k;
    }
    case IMG_AOUT: {
        *len = c->kernel_len;
        k = g_malloc0(*len);
        uint8_t *mb = k + 0x40;
        uint32_t flags = 0x10000;
        put32(mb, 0x1BADB002); put32(mb + 4, flags); put32(mb + 8, -(0x1BADB002u + flags));
        put32(mb + 12, c->load_addr + 0x40);             /* header_addr */
        put32(mb + 16, c->load_addr);                    /* load_addr */
        put32(mb + 20, 0);                               /* load_end: whole file */
        put32(mb + 24, c->load_addr + 0x3000);           /* bss_end */
        put32(mb + 28, c->load_addr + 0x100);            /* entry */
        return k;
    }
    case IMG_JUNK:
        *len = c->kernel_len;
        return g_malloc0(*len);
    }
    return NULL;
}

static void test_cases(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const LoaderCase *c = &cases[i];
        size_t len = 0;
        uint8_t *k = build(c, &len);
        uint8_t *initrd = c->initrd_len ? g_malloc0(c->initrd_len) : NULL;
        LoaderImage img;
        GError *err = NULL;
        bool ok = loader_prepare(&img, "test", k, len, initrd, c->initrd_len, NULL, NULL, 0,
                                 c->append, c->ram, &err);
        if (c->error) {
            CU_ASSERT_FALSE(ok);
            if (!ok && !strstr(err->message, c->error)) {
                printf("\n%s: message '%s' lacks '%s'\n", c->what, err->message, c->error);
                CU_FAIL("error message");
            }
        } else {
            if (!ok)
                printf("\n%s: %s\n", c->what, err->message);
            CU_ASSERT_TRUE_FATAL(ok);
            if (c->initrd_addr)
                CU_ASSERT_EQUAL(img.initrd.addr, c->initrd_addr);
            if (c->kind == IMG_BZ) {
                uint32_t sects = c->setup_sects ? c->setup_sects : 4;
                CU_ASSERT_EQUAL(img.kind, LOADER_LINUX);
                CU_ASSERT_EQUAL(img.setup.addr, LOADER_SETUP_ADDR);
                CU_ASSERT_EQUAL(img.setup.size, (sects + 1) * 512);
                CU_ASSERT_EQUAL(img.kernel.addr, LOADER_KERNEL_ADDR);
                CU_ASSERT_EQUAL(img.kernel.size, c->kernel_len);
                CU_ASSERT_EQUAL(img.cmdline.size, strlen(c->append ? c->append : "") + 1);
                CU_ASSERT_EQUAL(img.initrd.addr % 4096, 0);
                CU_ASSERT_STRING_EQUAL(img.rom_name, "linuxboot.bin");
            } else {
                CU_ASSERT_EQUAL(img.kind, LOADER_MULTIBOOT);
                CU_ASSERT_EQUAL(img.kernel.addr, c->load_addr);
                CU_ASSERT_STRING_EQUAL(img.rom_name, "multiboot.bin");
                /* the block and the ROM's stack: low, clear of kernel and modules */
                uint32_t base = img.setup.addr, end = base + LOADER_MB_BLOCK_SIZE + LOADER_MB_STACK;
                if (c->load_addr >= MiB)
                    CU_ASSERT_EQUAL(base, LOADER_MB_INFO_ADDR);
                CU_ASSERT_TRUE(base % 4096 == 0 && end <= LOADER_LOW_RAM_END);
                CU_ASSERT_TRUE(end <= img.kernel.addr || base >= img.kernel.addr + img.kernel.size);
                CU_ASSERT_TRUE(!img.initrd.size || end <= img.initrd.addr ||
                               base >= img.initrd.addr + img.initrd.size);
                const uint8_t *mbi = img.setup.data;
                CU_ASSERT_EQUAL(rd32(mbi + 48), base + LOADER_MB_MMAP_OFF);
                CU_ASSERT_EQUAL(rd32(mbi + 8), (c->ram - MiB) / 1024);
                uint32_t cmd = rd32(mbi + 16) - base;
                CU_ASSERT_TRUE(cmd < LOADER_MB_BLOCK_SIZE);
                CU_ASSERT_TRUE(!strncmp((const char *)mbi + cmd, "test", 4));
                if (c->kind == IMG_ELF) {
                    CU_ASSERT_EQUAL(img.entry, c->load_addr + 0x10);
                    CU_ASSERT_EQUAL(img.kernel.size, c->kernel_len + 4096);
                    CU_ASSERT_EQUAL(img.kernel.data[0], 0xcc);
                    CU_ASSERT_EQUAL(img.kernel.data[c->kernel_len], 0);     /* BSS */
                } else {
                    CU_ASSERT_EQUAL(img.entry, c->load_addr + 0x100);
                    CU_ASSERT_EQUAL(img.kernel.size, 0x3000);
                }
                if (c->initrd_len) {
                    CU_ASSERT_EQUAL(rd32(mbi + 20), 1);                     /* mods_count */
                    const uint8_t *mod = mbi + rd32(mbi + 24) - base;
                    CU_ASSERT_EQUAL(rd32(mod), img.initrd.addr);
                    CU_ASSERT_EQUAL(rd32(mod + 4) - rd32(mod), c->initrd_len);
                }
            }
            loader_image_clear(&img);
        }
        if (err)
            g_error_free(err);
        g_free(k);
        g_free(initrd);
    }
}

/* a multiboot header at the end of the file with the a.out flag: the
 * address fields it promises are not there (read past the buffer once) */
static void test_truncated_aout(void)
{
    for (size_t len = 12; len < 32; len += 4) {
        uint8_t *k = g_malloc0(len);            /* exact size: ASan sees an over-read */
        uint32_t flags = 0x10000;
        put32(k, 0x1BADB002); put32(k + 4, flags); put32(k + 8, -(0x1BADB002u + flags));
        LoaderImage img;
        GError *err = NULL;
        bool ok = loader_prepare(&img, "test", k, len, NULL, 0, NULL, NULL, 0, NULL,
                                 32 * MiB, &err);
        CU_ASSERT_FALSE(ok);
        if (!ok && !strstr(err->message, "multiboot header is truncated")) {
            printf("\nlen %zu: message '%s'\n", len, err->message);
            CU_FAIL("error message");
        }
        if (ok)
            loader_image_clear(&img);
        g_clear_error(&err);
        g_free(k);
    }
}

/* fuzz_loader's findings: an a.out kludge describing nothing (memcpy to
 * NULL, an empty kernel accepted) and an empty multiboot module (NULL +
 * offset) */
static void test_empty_parts(void)
{
    uint8_t k[0x200] = { 0 };
    uint32_t flags = 0x10000;
    put32(k, 0x1BADB002); put32(k + 4, flags); put32(k + 8, -(0x1BADB002u + flags));
    put32(k + 12, 0x200000); put32(k + 16, 0x200000);           /* header = load addr */
    put32(k + 20, 0x200000); put32(k + 24, 0); put32(k + 28, 0x200000);
    LoaderImage img;
    GError *err = NULL;
    CU_ASSERT_FALSE(loader_prepare(&img, "test", k, sizeof(k), NULL, 0, NULL, NULL, 0, NULL,
                                   32 * MiB, &err));
    CU_ASSERT_TRUE(err && strstr(err->message, "empty kernel"));
    g_clear_error(&err);

    /* a real kernel and two modules, the first empty */
    LoaderCase c = { "mods", IMG_AOUT, 0, 0, 0, 0, 4096, 0, 0, 0x200000, 32 * MiB, NULL,
                     NULL, 0 };
    size_t len;
    uint8_t *kern = build(&c, &len);
    static const uint8_t mods[3] = { 1, 2, 3 };
    const size_t sizes[2] = { 0, 3 };
    const char *const names[2] = { "empty", "three" };
    bool ok = loader_prepare(&img, "test", kern, len, mods, sizeof(mods), sizes, names, 2,
                             NULL, 32 * MiB, &err);
    CU_ASSERT_TRUE_FATAL(ok);
    const uint8_t *mbi = img.setup.data;
    const uint8_t *mod = mbi + rd32(mbi + 24) - img.setup.addr;
    CU_ASSERT_EQUAL(rd32(mbi + 20), 2);
    CU_ASSERT_EQUAL(rd32(mod), rd32(mod + 4));                  /* empty: start == end */
    CU_ASSERT_EQUAL(rd32(mod + 20) - rd32(mod + 16), 3);
    loader_image_clear(&img);
    g_free(kern);
}

/* the option ROM fix-up: size byte and checksum */
static void test_option_rom(void)
{
    char dir[] = "/tmp/tx86-loader-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_mkdtemp(dir));
    gchar *path = g_build_filename(dir, "t.bin", NULL);
    uint8_t raw[700] = { 0x55, 0xaa, 0, 0xcb };
    raw[100] = 0x42;
    CU_ASSERT_TRUE(g_file_set_contents(path, (const char *)raw, sizeof(raw), NULL));
    g_setenv("TX86_FIRMWARE_DIR", dir, TRUE);
    uint32_t size = 0;
    uint8_t *rom = loader_load_option_rom("t.bin", &size, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rom);
    CU_ASSERT_EQUAL(size, 1024);
    CU_ASSERT_EQUAL(rom[2], 2);
    uint8_t sum = 0;
    for (uint32_t i = 0; i < size; i++)
        sum += rom[i];
    CU_ASSERT_EQUAL(sum, 0);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(loader_load_option_rom("missing.bin", &size, &err));
    CU_ASSERT_TRUE(err && strstr(err->message, "cannot find"));
    g_clear_error(&err);
    g_unsetenv("TX86_FIRMWARE_DIR");
    g_free(rom);
    remove(path);
    g_free(path);
    g_rmdir(dir);
}

void register_loader_tests(void)
{
    CU_pSuite s = CU_add_suite("loader", NULL, NULL);
    CU_add_test(s, "bzImage and multiboot images", test_cases);
    CU_add_test(s, "option ROM size and checksum", test_option_rom);
    CU_add_test(s, "multiboot a.out header cut short", test_truncated_aout);
    CU_add_test(s, "empty multiboot kernel and module", test_empty_parts);
}
