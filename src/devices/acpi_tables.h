/*
 * acpi_tables.h - the ACPI tables of the PC, built by tx86 and handed to
 * SeaBIOS through fw_cfg with QEMU's table-loader ("etc/table-loader",
 * "etc/acpi/tables", "etc/acpi/rsdp"): SeaBIOS 1.16 no longer builds ACPI
 * tables itself on QEMU ("ACPI tables for qemu 1.6 and older are not
 * supported any more").
 */
#ifndef TX86_ACPI_TABLES_H
#define TX86_ACPI_TABLES_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>

struct FWCfgState;

typedef struct AcpiConfig {
    uint32_t ram_size;            /* below 4 GiB: the PCI window starts above */
    uint16_t pm_base;             /* PIIX4 PM I/O base (0x600) */
    bool apic;                    /* MADT: one CPU with a local APIC, one IOAPIC */
    uint8_t ioapic_id;
} AcpiConfig;

/* adds the three fw_cfg files */
void acpi_build_tables(struct FWCfgState *fw, const AcpiConfig *cfg);
/* the DSDT alone (tests): g_free the result */
uint8_t *acpi_build_dsdt(const AcpiConfig *cfg, size_t *len);

/* table-loader commands (QEMU hw/acpi/bios-linker-loader.c, as SeaBIOS
 * src/fw/romfile_loader.c executes them): 128 bytes each */
#define ACPI_LOADER_ALLOCATE     1
#define ACPI_LOADER_ADD_POINTER  2
#define ACPI_LOADER_ADD_CHECKSUM 3
#define ACPI_LOADER_ZONE_HIGH    1
#define ACPI_LOADER_ZONE_FSEG    2

#endif
