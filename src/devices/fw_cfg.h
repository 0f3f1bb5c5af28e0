/*
 * fw_cfg.h - QEMU's firmware configuration interface, as SeaBIOS reads it:
 * a selector (port 0x510, 16 bit), a data port (0x511, byte-wise, the
 * offset advances) and the DMA interface (0x514 high / 0x518 low address
 * of a FWCfgDmaAccess, big-endian).  Items are numbered (FW_CFG_*); files
 * have names ("etc/e820", "bootorder", "genroms/linuxboot.bin") listed in
 * the directory item FW_CFG_FILE_DIR and numbered from FW_CFG_FILE_FIRST.
 * Reference: QEMU docs/specs/fw_cfg.rst (the interface is specified
 * there); SeaBIOS src/fw/paravirt.c (what the firmware reads).
 *
 * Other devices and loaders add items after pc_build() created the
 * device (pc.c: fw_cfg is created in the PCI step):
 *
 *     FWCfgState *fw = pc_fw_cfg(m);         // machine/pc.h
 *     fw_cfg_add_i32(fw, FW_CFG_KERNEL_SIZE, size);
 *     fw_cfg_add_bytes_owned(fw, FW_CFG_KERNEL_DATA, kernel, size); // takes g_malloc'd data
 *     fw_cfg_add_file(fw, "genroms/linuxboot.bin", rom, rom_len);   // copies
 *
 * Adding an item again replaces it.  Numbers are little-endian like
 * QEMU's (the directory itself is big-endian, as specified).
 */
#ifndef TX86_FW_CFG_H
#define TX86_FW_CFG_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <glib.h>

struct Buses;

#define FW_CFG_PORT_SEL       0x510
#define FW_CFG_PORT_DATA      0x511
#define FW_CFG_PORT_DMA       0x514

/* item numbers (QEMU's) */
#define FW_CFG_SIGNATURE      0x00   /* "QEMU" */
#define FW_CFG_ID             0x01   /* bit 0 traditional, bit 1 DMA */
#define FW_CFG_UUID           0x02
#define FW_CFG_RAM_SIZE       0x03   /* u64 */
#define FW_CFG_NOGRAPHIC      0x04
#define FW_CFG_NB_CPUS        0x05   /* u16 */
#define FW_CFG_MACHINE_ID     0x06
#define FW_CFG_KERNEL_ADDR    0x07
#define FW_CFG_KERNEL_SIZE    0x08
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR    0x0a
#define FW_CFG_INITRD_SIZE    0x0b
#define FW_CFG_BOOT_DEVICE    0x0c
#define FW_CFG_NUMA           0x0d   /* u64 node count (0), then maps */
#define FW_CFG_BOOT_MENU      0x0e   /* u16: -boot menu=on */
#define FW_CFG_MAX_CPUS       0x0f   /* u16 */
#define FW_CFG_KERNEL_ENTRY   0x10
#define FW_CFG_KERNEL_DATA    0x11
#define FW_CFG_INITRD_DATA    0x12
#define FW_CFG_CMDLINE_ADDR   0x13
#define FW_CFG_CMDLINE_SIZE   0x14
#define FW_CFG_CMDLINE_DATA   0x15
#define FW_CFG_SETUP_ADDR     0x16
#define FW_CFG_SETUP_SIZE     0x17
#define FW_CFG_SETUP_DATA     0x18
#define FW_CFG_FILE_DIR       0x19
#define FW_CFG_FILE_FIRST     0x20
#define FW_CFG_FILE_SLOTS     0x40   /* files 0x20..0x5f */
#define FW_CFG_ARCH_LOCAL     0x8000
#define FW_CFG_ACPI_TABLES    (FW_CFG_ARCH_LOCAL + 0)
#define FW_CFG_SMBIOS_ENTRIES (FW_CFG_ARCH_LOCAL + 1)
#define FW_CFG_IRQ0_OVERRIDE  (FW_CFG_ARCH_LOCAL + 2)
#define FW_CFG_E820_TABLE     (FW_CFG_ARCH_LOCAL + 3)
#define FW_CFG_HPET           (FW_CFG_ARCH_LOCAL + 4)

#define FW_CFG_MAX_FILE_PATH  56

/* FWCfgDmaAccess.control bits */
#define FW_CFG_DMA_CTL_ERROR  0x01
#define FW_CFG_DMA_CTL_READ   0x02
#define FW_CFG_DMA_CTL_SKIP   0x04
#define FW_CFG_DMA_CTL_SELECT 0x08
#define FW_CFG_DMA_CTL_WRITE  0x10

/* bounded DMA: bytes per step, virtual time between steps (fw_cfg.c) */
#define FW_CFG_DMA_STEP       (1u << 20)
#define FW_CFG_DMA_STEP_NS    10000

typedef struct FWCfgState FWCfgState;

/* registers the ports and the standard items (signature, ID, file
 * directory); pc.c adds the machine's (pc_fw_cfg_setup) */
FWCfgState *fw_cfg_init(const struct Buses *b, GError **errp);
void        fw_cfg_reset(FWCfgState *s);
void        fw_cfg_free(FWCfgState *s);
/* a DMA request is still in progress (its control word not yet cleared) */
bool        fw_cfg_dma_busy(const FWCfgState *s);
/* bytes of DMA READ/SKIP done so far (tests) */
uint64_t    fw_cfg_dma_bytes(const FWCfgState *s);

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len);
/* takes ownership of data (g_malloc'd) */
void fw_cfg_add_bytes_owned(FWCfgState *s, uint16_t key, void *data, size_t len);
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t v);
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t v);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t v);
void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str); /* with its NUL */
/* a named file (copied); returns its item number, 0 if the directory is
 * full.  Adding a name again replaces the data. */
uint16_t fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len);
uint16_t fw_cfg_add_file_owned(FWCfgState *s, const char *name, void *data, size_t len);
/* an item's current contents (tests), NULL if absent */
const uint8_t *fw_cfg_get(FWCfgState *s, uint16_t key, size_t *len);
const uint8_t *fw_cfg_get_file(FWCfgState *s, const char *name, size_t *len);

/* "bootorder" from QEMU -boot order= letters: a = floppy, c = first hard
 * disk, d = first CD-ROM, n (o, p) = the network.  hd_path / cd_path: the
 * SeaBIOS device paths of the first disk / CD (NULL: primary master /
 * secondary master of the PIIX3 IDE); net_paths: the NICs with a boot ROM,
 * one path and newline each, put where the first n/o/p is (NULL: none) */
bool fw_cfg_set_boot_order(FWCfgState *s, const char *letters, const char *hd_path,
                           const char *cd_path, const char *net_paths, GError **errp);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc fw_cfg_vmsd;
extern const size_t fw_cfg_state_size;

#endif
