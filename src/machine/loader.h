/*
 * loader.h - -kernel / -initrd / -append: the host side of direct kernel
 * boot (loader.c).
 *
 * tx86 never writes the kernel into guest RAM itself.  It parses the image
 * on the host (a clear error for anything it cannot boot), then hands the
 * pieces to the firmware through QEMU's fw_cfg items, the way QEMU does:
 *
 *   Linux bzImage (boot protocol 2.02+, Documentation/x86/boot.rst)
 *     SETUP_ADDR/SIZE/DATA    real-mode setup sectors, run at 0x10000
 *     KERNEL_ADDR/SIZE/DATA   protected-mode kernel, at 0x100000
 *     INITRD_ADDR/SIZE/DATA   initrd, as high as initrd_addr_max and RAM allow
 *     CMDLINE_ADDR/SIZE/DATA  the command line (NUL-terminated), at 0x20000
 *     file genroms/linuxboot.bin   our option ROM (firmware/linuxboot.asm)
 *   Multiboot v1 (magic 0x1BADB002 in the first 8 KiB; ELF32 or a.out kludge)
 *     KERNEL_ADDR/SIZE/DATA   the loaded image, segments flattened, BSS zeroed
 *     KERNEL_ENTRY            entry point
 *     SETUP_ADDR/SIZE/DATA    the multiboot information block built here
 *                             (LOADER_MB_INFO_ADDR), with the command line,
 *                             module list and room for the memory map
 *     INITRD_ADDR/SIZE/DATA   the modules (-initrd "a,b c"), page aligned
 *     file genroms/multiboot.bin   firmware/multiboot.asm
 * SeaBIOS runs the option ROM (genroms/ files are option ROMs to it); the
 * ROM copies the items into RAM at boot time and starts the kernel.
 *
 * The parsing half (loader_prepare) needs no machine, so the unit tests
 * (tests/unit/test_loader.c) check it on synthetic images.
 */
#ifndef TX86_LOADER_H
#define TX86_LOADER_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

struct Machine;

/* the boot protocol's fixed places (real-mode part) */
#define LOADER_SETUP_ADDR     0x10000u    /* real-mode kernel (setup) */
#define LOADER_HEAP_END       0xe000u     /* setup heap end, offset in setup seg */
#define LOADER_CMDLINE_ADDR   0x20000u
#define LOADER_KERNEL_ADDR    0x100000u   /* bzImage protected-mode code */
#define LOADER_MAX_SETUP      (LOADER_HEAP_END - 0x200)
#define LOADER_RAM_RESERVED   (1u << 20)  /* top of RAM left to the firmware's tables */

/* multiboot: the information block and its memory map buffer (the ROM
 * fills the map from INT 15h E820 into the block at LOADER_MB_MMAP_OFF),
 * followed by the ROM's stack.  The block goes to LOADER_MB_INFO_ADDR, or
 * when a kernel or module loaded low is there, to the first free page
 * aligned place in conventional memory. */
#define LOADER_MB_INFO_ADDR   0x9000u     /* the block's preferred address */
#define LOADER_MB_MMAP_OFF    0x800u      /* offset of the mmap buffer in the block */
#define LOADER_MB_MMAP_MAX    0x800u      /* bytes of map */
#define LOADER_MB_BLOCK_SIZE  0x6000u     /* info + mmap + cmdlines + module list */
#define LOADER_MB_STACK       0x800u      /* the ROM's stack, after the block */
/* where multiboot kernels and modules may load: conventional memory above
 * the BIOS data area and below the EBDA, and RAM from 1 MiB up */
#define LOADER_LOW_RAM_START  0x500u
#define LOADER_LOW_RAM_END    0x9f000u

typedef enum LoaderKind { LOADER_LINUX, LOADER_MULTIBOOT } LoaderKind;

/* one blob the ROM copies to guest physical address addr */
typedef struct LoaderBlob {
    uint32_t addr;
    uint8_t *data;              /* g_malloc'd, NULL when size == 0 */
    uint32_t size;
} LoaderBlob;

typedef struct LoaderImage {
    LoaderKind kind;
    uint16_t protocol;          /* Linux boot protocol version (0x20c...) */
    LoaderBlob setup;           /* Linux setup / multiboot info block */
    LoaderBlob kernel;
    LoaderBlob initrd;          /* Linux initrd / multiboot modules */
    LoaderBlob cmdline;         /* Linux only: NUL-terminated */
    uint32_t entry;             /* multiboot entry point */
    const char *rom_name;       /* "linuxboot.bin" or "multiboot.bin" */
} LoaderImage;

/* Parse kernel (and initrd, the command line) for a machine with ram_size
 * bytes of RAM.  kernel_data/initrd_data are the files' contents (not
 * kept); initrd_data may be NULL.  Multiboot modules: initrd_data holds
 * the files concatenated, module_sizes/module_names one entry each
 * (n_modules; NULL/0 for Linux).  On error: false and a message naming
 * kernel_name. */
bool loader_prepare(LoaderImage *img, const char *kernel_name,
                    const uint8_t *kernel_data, size_t kernel_len,
                    const uint8_t *initrd_data, size_t initrd_len,
                    const size_t *module_sizes, const char *const *module_names,
                    unsigned n_modules, const char *append, uint64_t ram_size,
                    GError **errp);
void loader_image_clear(LoaderImage *img);

/* machine side: read cfg.kernel_path/initrd_path/append, prepare the
 * image, publish the items and the ROM through the machine's fw_cfg.
 * Nothing to do (true) without -kernel. */
bool loader_setup(struct Machine *m, GError **errp);

/* locate a firmware file built from firmware/ (build/firmware/NAME next to
 * the tx86 binary, $TX86_FIRMWARE_DIR, PREFIX/share/tx86); g_free the path */
char *loader_find_firmware(const char *name, GError **errp);
/* read an option ROM and fix its size byte and checksum (sum of all bytes 0) */
uint8_t *loader_load_option_rom(const char *name, uint32_t *size, GError **errp);

#endif
