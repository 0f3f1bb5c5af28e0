/*
 * vmport.h - the VMware "backdoor" I/O port 0x5658 with the vmmouse
 * absolute pointer, as QEMU's vmport/vmmouse present it on the PC.  See
 * vmport.c.
 *
 * Display front ends give the pointer position in absolute coordinates:
 *     if (!vmmouse_absolute(vp, x * 0xFFFF / (w - 1), y * 0xFFFF / (h - 1), buttons))
 *         ps2_mouse_event(mouse, dx, dy, 0, buttons);   // guest has no vmmouse driver
 * buttons: bit 0 left, 1 right, 2 middle (as ps2_mouse_event).
 */
#ifndef TX86_VMPORT_H
#define TX86_VMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "devices/ps2.h"

struct Buses;
typedef struct VMPortState VMPortState;

#define VMPORT_PORT        0x5658
#define VMPORT_MAGIC       0x564D5868u      /* "VMXh" in EAX, returned in EBX */
/* commands (ECX low 16 bits) */
#define VMPORT_CMD_GETVERSION     10
#define VMPORT_CMD_ABSPOINTER_DATA    39
#define VMPORT_CMD_ABSPOINTER_STATUS  40
#define VMPORT_CMD_ABSPOINTER_COMMAND 41
/* ABSPOINTER_COMMAND arguments (EBX) */
#define VMMOUSE_CMD_READ_ID           0x45414552u
#define VMMOUSE_CMD_DISABLE           0x000000f5u
#define VMMOUSE_CMD_REQUEST_RELATIVE  0x4c455252u
#define VMMOUSE_CMD_REQUEST_ABSOLUTE  0x53424152u
#define VMMOUSE_VERSION_ID            0x3442554au
#define VMMOUSE_STATUS_ERROR          0xffff0000u
/* first word of a packet */
#define VMMOUSE_LEFT_BUTTON     0x20
#define VMMOUSE_RIGHT_BUTTON    0x10
#define VMMOUSE_MIDDLE_BUTTON   0x08
#define VMMOUSE_RELATIVE_PACKET 0x00010000u

/* mouse: the PS/2 mouse whose interrupt announces new data (i8042's) */
VMPortState *vmport_init(const struct Buses *b, PS2Mouse *mouse, GError **errp);
/* an absolute pointer event (x, y in 0..0xFFFF, dz wheel); false when
 * the guest has not asked for absolute mode (then use relative events) */
bool vmmouse_absolute(VMPortState *s, unsigned x, unsigned y, int dz, unsigned buttons);
bool vmmouse_is_absolute(VMPortState *s);
/* one backdoor access as the guest makes it: regs EAX ECX EDX EBX ESP
 * EBP ESI EDI in and out (unit tests; the port does this with the CPU's) */
void vmport_call(VMPortState *s, uint32_t regs[8]);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc vmport_vmsd;
extern const size_t vmport_state_size;

#endif
