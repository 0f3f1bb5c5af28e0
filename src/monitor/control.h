/*
 * control.h - what the human monitor (hmp.c) and QMP (qmp.c) do to the
 * machine, once for both: run state, drives (list, change, eject), keys
 * (QEMU's key names -> PS/2 keys), screen dumps, guest memory reads.
 * Every function works on a bare machine too (no PC board: no drives, no
 * keyboard, no display) and says so with an error.
 *
 * Example:
 *     int key = mon_key_from_name("ctrl");          // PS2_KEY_LCTRL
 *     mon_block_eject(m, "ide1-cd0", false, &err);
 */
#ifndef TX86_MON_CONTROL_H
#define TX86_MON_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct Machine;
struct MonCtx;

#define MON_MAX_DRIVES   6      /* 4 IDE + 2 floppy */
#define MON_MAX_KEYS     16     /* keys of one send-key / sendkey */

/* "running", "paused" (QEMU's RunState names) */
const char *mon_run_state(struct Machine *m);
/* query-status's: "inmigrate", "prelaunch", else mon_run_state's */
const char *mon_status(struct MonCtx *ctx);
/* migrate URI (file:PATH, exec:COMMAND): stop, save; the machine stays
 * stopped after a success (QEMU's "postmigrate"), runs on after a failure.
 * tcp:HOST:PORT: a live migration starts and this returns; the machine
 * stops when it completes (query-migrate) */
bool mon_migrate(struct Machine *m, const char *uri, GError **errp);
/* migrate_incoming URI (-incoming defer only, once): checks the URI and,
 * for tcp:/unix:, listens at once; main.c then waits for the source and
 * loads its state (monitor_take_incoming) */
bool mon_migrate_incoming(struct MonCtx *ctx, const char *uri, GError **errp);
/* stop and cont: while the machine waits for an incoming migration they
 * only say whether it runs once loaded (QEMU's autostart) */
void mon_stop(struct MonCtx *ctx);
void mon_cont(struct MonCtx *ctx);

typedef struct MonDrive {
    char device[16];            /* QEMU's names: ide0-hd0, ide1-cd0, floppy0 */
    bool removable;             /* CD-ROM or floppy */
    bool cdrom;
    bool locked;                /* the guest locked the tray */
    const char *file;           /* the medium's image, NULL: none */
    bool readonly;
    uint64_t size;              /* the image's bytes */
} MonDrive;

/* the machine's drives (disks, CD-ROM drives with or without a disc,
 * floppy drive A and, with a medium, B); returns how many */
int  mon_block_list(struct Machine *m, MonDrive out[MON_MAX_DRIVES]);
/* a new image in a CD-ROM or floppy drive (the guest sees a media
 * change), or none (eject); errors name the device or file; an unknown
 * device is G_FILE_ERROR_NODEV (QMP's DeviceNotFound) */
bool mon_block_change(struct Machine *m, const char *device, const char *file,
                      GError **errp);
bool mon_block_eject(struct Machine *m, const char *device, bool force, GError **errp);

/* QEMU's key names (QKeyCode: "a", "ret", "ctrl", "f1", "kp_add" ...) to
 * PS/2 key numbers (ps2.h); -1 if unknown */
int  mon_key_from_name(const char *name);
/* QEMU's key numbers (set 1 codes, 0x80 + code for E0-prefixed keys) */
int  mon_key_from_number(int64_t n);
/* a key goes down or up on the PS/2 keyboard */
bool mon_key_event(struct Machine *m, int key, bool down, GError **errp);
/* press keys[0..n) in order, then release them in reverse */
bool mon_send_keys(struct Machine *m, const int *keys, int n, GError **errp);
/* a mouse movement / buttons (bit 0 left, 1 right, 2 middle) */
bool mon_mouse_event(struct Machine *m, int dx, int dy, int dz, unsigned buttons,
                     GError **errp);
/* an absolute pointer position, 0..0x7fff on both axes (QMP "abs"
 * events): the usb-tablet, else the vmmouse in absolute mode */
bool mon_pointer_abs(struct Machine *m, unsigned x, unsigned y, int dz, unsigned buttons,
                     GError **errp);
bool mon_has_tablet(struct Machine *m);
/* "info usb": the devices on the USB controller */
void mon_info_usb(struct Machine *m, GString *out);

/* the screen as PPM (P6, as QEMU's screendump) or PNG */
bool mon_screendump(struct Machine *m, const char *file, bool png, GError **errp);

/* guest memory: linear addresses through the CPU's page tables (as the
 * CPU would read them now), or physical ones; false if any byte is not
 * mapped */
bool mon_read_mem(struct Machine *m, uint64_t addr, bool phys, uint8_t *buf, uint32_t len);

#endif
