/*
 * i440fx.h - the Intel 82441FX PCI and memory controller (PMC), the PCI
 * host bridge at 00:00.0 (8086:1237): PAM shadow-RAM routing of
 * 0xC0000-0xFFFFF and the SMRAM register.
 */
#ifndef TX86_I440FX_H
#define TX86_I440FX_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct Buses;
struct PCIBus;
typedef struct I440FXState I440FXState;

#define I440FX_PAM0   0x59      /* PAM0-PAM6: 0x59-0x5f */
#define I440FX_SMRAM  0x72

/* the host bridge on bus (devfn 0); PAM starts "all to ROM/PCI" */
I440FXState *i440fx_init(const struct Buses *b, struct PCIBus *bus, GError **errp);
/* how the 16 KiB (64 KiB for 0xF0000) segment holding addr is routed:
 * bit 0 reads from RAM, bit 1 writes to RAM (the PAM nibble's RE/WE) */
int i440fx_pam_mode(I440FXState *s, uint32_t addr);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc i440fx_vmsd;
extern const size_t i440fx_state_size;

#endif
