/*
 * vmport.c - the VMware backdoor: I/O port 0x5658, read with a 32-bit IN
 * while EAX holds the magic 0x564D5868 ("VMXh"), ECX the command (low 16
 * bits) and EBX its argument; the answer comes back in EAX-EDX.  tx86
 * implements GETVERSION and the vmmouse absolute pointer of what QEMU's pc
 * machine offers (vmport=auto).
 *
 * References: the backdoor protocol as open-vm-tools documents it
 * (lib/include/backdoor_def.h: command numbers) and the vmmouse protocol
 * the Linux psmouse driver (drivers/input/mouse/vmmouse.c) and the X.org
 * vmmouse driver speak.
 *
 * vmmouse: ABSPOINTER_COMMAND with READ_ID enables the device and queues
 * the version word 0x3442554A; REQUEST_ABSOLUTE / REQUEST_RELATIVE choose
 * the mode; DISABLE turns it off (STATUS then reads 0xFFFF0000).
 * ABSPOINTER_STATUS returns the number of queued 32-bit words;
 * ABSPOINTER_DATA with EBX = n (1..4) takes n words into EAX, EBX, ECX,
 * EDX.  An event is 4 words: buttons (0x20 left, 0x10 right, 0x08 middle;
 * 0x10000 for a relative packet), x, y (0..0xFFFF) and the wheel.  As on
 * VMware and QEMU, each event also makes the PS/2 mouse send an empty
 * packet: the guest's driver reads the backdoor from its IRQ 12 handler.
 *
 * The registers come from the port bus (ioport_cpu_regs, bus/ioport.h),
 * which the board points at the CPU.  A read of another size, without the
 * magic or with an unknown command returns all ones and changes nothing
 * else (as QEMU 7.2); so does one without registers or not 32 bits wide.
 */
#include <string.h>
#include "bus/buses.h"
#include "devices/vmport.h"
#include "util/log.h"

#define VMPORT_VERSION   6              /* what GETVERSION reports in EAX */
#define VMMOUSE_QUEUE    1024           /* words */

enum { R_AX, R_CX, R_DX, R_BX };        /* order of the register array */

struct VMPortState {
    Buses buses;
    PS2Mouse *mouse;
    bool enabled, absolute;
    uint32_t queue[VMMOUSE_QUEUE];
    unsigned head, count;
};

/* saved state (bus/vmstate.h): the VMMouse mode and its queue of words
 * not yet read.  The PS/2 mouse is its own section (ps2.c). */
static bool vmport_post_load(void *opaque, int version, GError **errp)
{
    VMPortState *s = opaque;
    if (s->head >= VMMOUSE_QUEUE || s->count > VMMOUSE_QUEUE) {
        g_set_error(errp, VMSTATE_ERROR, 0, "vmport: queue head %u, count %u out of range",
                    s->head, s->count);
        return false;
    }
    return true;
}

static const VMStateField vmport_fields[] = {
    VMS_BOOL(VMPortState, enabled, 1),
    VMS_BOOL(VMPortState, absolute, 1),
    VMS_INT_ARRAY(VMPortState, queue, 1),
    VMS_U32(VMPortState, head, 1),
    VMS_U32(VMPortState, count, 1),
    VMS_END
};
const VMStateDesc vmport_vmsd = { .name = "vmport", .version = 1, .min_version = 1,
                                  .fields = vmport_fields, .post_load = vmport_post_load };
const size_t vmport_state_size = sizeof(VMPortState);

static void vmmouse_push(VMPortState *s, uint32_t w)
{
    if (s->count >= VMMOUSE_QUEUE)
        return;
    s->queue[(s->head + s->count++) % VMMOUSE_QUEUE] = w;
}

static uint32_t vmmouse_pop(VMPortState *s)
{
    if (!s->count)
        return 0;
    uint32_t w = s->queue[s->head];
    s->head = (s->head + 1) % VMMOUSE_QUEUE;
    s->count--;
    return w;
}

static void vmmouse_command(VMPortState *s, uint32_t cmd)
{
    switch (cmd) {
    case VMMOUSE_CMD_READ_ID:
        s->enabled = true;
        s->head = s->count = 0;
        vmmouse_push(s, VMMOUSE_VERSION_ID);
        break;
    case VMMOUSE_CMD_DISABLE:
        s->enabled = s->absolute = false;
        s->head = s->count = 0;
        break;
    case VMMOUSE_CMD_REQUEST_ABSOLUTE:
        s->absolute = true;
        break;
    case VMMOUSE_CMD_REQUEST_RELATIVE:
        s->absolute = false;
        break;
    default:
        if (log_enabled(LOG_UNIMP))
            log_printf("vmport: unknown vmmouse command %08x\n", cmd);
        break;
    }
}

void vmport_call(VMPortState *s, uint32_t regs[8])
{
    if (regs[R_AX] != VMPORT_MAGIC) {
        regs[R_AX] = 0xffffffffu;       /* as QEMU 7.2: all ones, nothing else */
        return;
    }
    uint32_t arg = regs[R_BX];
    switch (regs[R_CX] & 0xffff) {
    case VMPORT_CMD_GETVERSION:
        regs[R_AX] = VMPORT_VERSION;
        regs[R_BX] = VMPORT_MAGIC;
        break;
    case VMPORT_CMD_ABSPOINTER_STATUS:
        regs[R_AX] = s->enabled ? s->count : VMMOUSE_STATUS_ERROR;
        break;
    case VMPORT_CMD_ABSPOINTER_DATA: {
        unsigned n = arg < 1 ? 1 : arg > 4 ? 4 : arg;
        static const int order[4] = { R_AX, R_BX, R_CX, R_DX };
        if (!s->enabled || s->count < n) {  /* the driver checked STATUS first */
            regs[R_AX] = VMMOUSE_STATUS_ERROR;
            break;
        }
        for (unsigned i = 0; i < n; i++)
            regs[order[i]] = vmmouse_pop(s);
        break;
    }
    case VMPORT_CMD_ABSPOINTER_COMMAND:
        vmmouse_command(s, arg);
        break;
    default:
        if (log_enabled(LOG_UNIMP))
            log_printf("vmport: unknown backdoor command %u\n", regs[R_CX] & 0xffff);
        regs[R_AX] = 0xffffffffu;
        break;
    }
}

static uint32_t vmport_read(void *opaque, uint16_t port, int size)
{
    VMPortState *s = opaque;
    uint32_t *regs = ioport_cpu_regs(s->buses.io);
    if (size != 4 || !regs)
        return 0xffffffffu;
    uint32_t r[8];
    memcpy(r, regs, sizeof(r));
    vmport_call(s, r);
    /* EAX is the IN's result; the others go back to the CPU */
    memcpy(&regs[1], &r[1], sizeof(r) - sizeof(r[0]));
    return r[R_AX];
}

static const IOPortOps vmport_ops = {
    .read = vmport_read,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

bool vmmouse_is_absolute(VMPortState *s)
{
    return s->enabled && s->absolute;
}

bool vmmouse_absolute(VMPortState *s, unsigned x, unsigned y, int dz, unsigned buttons)
{
    if (!vmmouse_is_absolute(s))
        return false;
    if (s->count + 4 > VMMOUSE_QUEUE)
        return true;                    /* the guest is not reading: drop */
    uint32_t b = ((buttons & 1) ? VMMOUSE_LEFT_BUTTON : 0) |
                 ((buttons & 2) ? VMMOUSE_RIGHT_BUTTON : 0) |
                 ((buttons & 4) ? VMMOUSE_MIDDLE_BUTTON : 0);
    vmmouse_push(s, b);
    vmmouse_push(s, MIN(x, 0xffffu));
    vmmouse_push(s, MIN(y, 0xffffu));
    vmmouse_push(s, (uint32_t)dz);
    if (s->mouse)
        ps2_mouse_event(s->mouse, 0, 0, 0, buttons);   /* IRQ 12: data waiting */
    return true;
}

static void vmport_reset(void *opaque)
{
    VMPortState *s = opaque;
    s->enabled = s->absolute = false;
    s->head = s->count = 0;
}

static void vmport_free(void *opaque)
{
    g_free(opaque);
}

VMPortState *vmport_init(const Buses *b, PS2Mouse *mouse, GError **errp)
{
    VMPortState *s = g_new0(VMPortState, 1);
    s->buses = *b;
    s->mouse = mouse;
    if (!ioport_register(b->io, VMPORT_PORT, 1, &vmport_ops, s, "vmport")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "vmport: port 0x5658 already in use");
        g_free(s);
        return NULL;
    }
    host_register_device(b->host, s, vmport_free, vmport_reset);
    host_register_state(b->host, &vmport_vmsd, s);
    return s;
}
