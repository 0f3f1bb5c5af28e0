/*
 * snapshot.h - named snapshots of the whole machine: savevm, loadvm,
 * delvm, info snapshots and -loadvm (docs/savevm.md, "Snapshots").
 *
 * As QEMU does, a snapshot lives in the machine's qcow2 images: every
 * writable drive gets an internal snapshot of its disk under the name,
 * and the first one also holds the machine's state (savevm.c's stream).
 * A machine whose writable drives cannot hold snapshots (raw, VMDK...)
 * is refused, since its disks could not be rewound.  A machine with no
 * writable drive (read-only images, -snapshot overlays, -kernel boots)
 * keeps its snapshots as state files NAME.tx86vm in --snapshot-dir DIR.
 */
#ifndef TX86_MACHINE_SNAPSHOT_H
#define TX86_MACHINE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct Machine;

typedef struct MachineSnapshot {
    char id[16];                /* qcow2's id ("1", "2"...), "" for state files */
    char *name;
    uint64_t vm_state_size;     /* bytes of machine state */
    uint64_t date_sec;          /* host time it was taken */
    uint64_t vm_clock_nsec;     /* the guest's virtual time then */
    uint64_t icount;            /* instructions retired then */
} MachineSnapshot;

bool machine_savevm(struct Machine *m, const char *name, GError **errp);
/* checks the state before anything is rewound: a refused state leaves the
 * machine and its disks as they were */
bool machine_loadvm(struct Machine *m, const char *name, GError **errp);
bool machine_delvm(struct Machine *m, const char *name, GError **errp);
/* the snapshots every place agrees on (the vmstate drive's, or the state
 * directory's); *out freed with machine_snapshot_list_free */
int  machine_snapshot_list(struct Machine *m, MachineSnapshot **out, GError **errp);
void machine_snapshot_list_free(MachineSnapshot *l, int n);
/* the names of the drives a snapshot takes (QEMU's: ide0-hd0, floppy0),
 * the first one holding the machine state; 0: state files in
 * --snapshot-dir; -1 + error when snapshots are impossible (QMP's
 * snapshot-save checks its "devices" and "vmstate" against this) */
int  machine_snapshot_devices(struct Machine *m, char (*names)[16], int max, GError **errp);

#endif
