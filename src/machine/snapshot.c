/*
 * snapshot.c - named snapshots (snapshot.h): the machine's state from
 * savevm.c, the disks' internal snapshots from the block layer
 * (block/image.h), or state files in --snapshot-dir.
 */
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include "machine/machine.h"
#include "machine/pc.h"
#include "machine/savevm.h"
#include "machine/snapshot.h"
#include "bus/vmstate.h"
#include "devices/block.h"
#include "devices/ide.h"
#include "devices/fdc.h"

#define MAX_DRIVES 6

typedef struct Drive {
    char name[16];              /* QEMU's: ide0-hd0, floppy0 */
    BlockDev *blk;
} Drive;

/* the drives whose disk is machine state that snapshots must rewind:
 * writable, not a -snapshot overlay (that one is in the machine state) */
static int writable_drives(Machine *m, Drive out[MAX_DRIVES])
{
    int n = 0;
    if (!m->pc)
        return 0;
    for (int i = 0; m->pc->ide && i < 4; i++) {
        IDEDriveInfo info;
        ide_drive_info(m->pc->ide, i, &info);
        if (!info.present || !info.blk || block_readonly(info.blk) || block_overlay(info.blk))
            continue;
        snprintf(out[n].name, sizeof(out[n].name), "ide%d-%s%d", i >> 1,
                 info.cdrom ? "cd" : "hd", i & 1);
        out[n++].blk = info.blk;
    }
    for (int i = 0; m->pc->fdc && i < 2; i++) {
        BlockDev *b = fdc_medium(m->pc->fdc, i);
        if (!b || block_readonly(b) || block_overlay(b))
            continue;
        snprintf(out[n].name, sizeof(out[n].name), "floppy%d", i);
        out[n++].blk = b;
    }
    return n;
}

/* all writable drives must take snapshots; n = 0: state files */
static int snapshot_drives(Machine *m, Drive d[MAX_DRIVES], GError **errp)
{
    int n = writable_drives(m, d);
    for (int i = 0; i < n; i++)
        if (!image_supports_snapshots(block_image(d[i].blk))) {
            g_set_error(errp, VMSTATE_ERROR, 0, "Device '%s' is writable but does not support "
                        "snapshots (%s image; use qcow2, -snapshot or readonly=on)", d[i].name,
                        block_format(d[i].blk));
            return -1;
        }
    if (n == 0 && !m->cfg.snapshot_dir) {
        g_set_error(errp, VMSTATE_ERROR, 0, "no drive can hold snapshots (a writable qcow2 "
                    "image): give --snapshot-dir DIR to keep them as state files");
        return -1;
    }
    return n;
}

static bool name_ok(const char *name, GError **errp)
{
    if (!name || !*name || strlen(name) > 200 || strchr(name, '/') || name[0] == '.') {
        g_set_error(errp, VMSTATE_ERROR, 0, "'%s' is not a snapshot name", name ? name : "");
        return false;
    }
    return true;
}

static char *state_file(Machine *m, const char *name)
{
    g_autofree char *base = g_strconcat(name, ".tx86vm", NULL);
    return g_build_filename(m->cfg.snapshot_dir, base, NULL);
}

bool machine_savevm(Machine *m, const char *name, GError **errp)
{
    Drive d[MAX_DRIVES];
    if (!name_ok(name, errp))
        return false;
    int n = snapshot_drives(m, d, errp);
    if (n < 0)
        return false;
    bool was_running = !m->stopped;
    machine_stop(m);
    g_autoptr(GByteArray) s = g_byte_array_new();
    bool ok = true;
    if (n == 0) {                           /* a state file, compressed */
        g_autofree char *path = state_file(m, name);
        ok = machine_save_state_file(m, path, errp);
    } else {
        machine_save_state(m, s);
    }
    uint64_t vm_ns = (uint64_t)clock_now(&m->clock);
    for (int i = 0; i < n && ok; i++) {
        ok = image_snapshot_create(block_image(d[i].blk), name, i == 0 ? s->data : NULL,
                                   i == 0 ? s->len : 0, vm_ns, errp);
        if (!ok)
            g_prefix_error(errp, "%s: ", d[i].name);
    }
    if (was_running)
        machine_cont(m);
    return ok;
}

static bool read_state(Machine *m, Drive *d, int n, const char *name, GByteArray *out,
                       GError **errp)
{
    if (n == 0) {
        g_autofree char *path = state_file(m, name);
        g_autofree gchar *data = NULL;
        gsize len;
        if (!g_file_get_contents(path, &data, &len, NULL)) {
            g_set_error(errp, VMSTATE_ERROR, 0, "Snapshot '%s' does not exist (no %s)", name,
                        path);
            return false;
        }
        g_byte_array_append(out, (const guint8 *)data, (guint)len);
        return true;
    }
    if (!image_snapshot_read_vmstate(block_image(d[0].blk), name, out, errp)) {
        g_prefix_error(errp, "%s: ", d[0].name);
        return false;
    }
    /* every other drive must have a disk snapshot of that name too */
    for (int i = 1; i < n; i++) {
        ImageSnapshotInfo *l = NULL;
        int k = image_snapshot_list(block_image(d[i].blk), &l);
        bool found = false;
        for (int j = 0; j < k; j++)
            found |= !strcmp(l[j].name, name) || !strcmp(l[j].id, name);
        image_snapshot_list_free(l, k);
        if (!found) {
            g_set_error(errp, VMSTATE_ERROR, 0, "Device '%s' does not have the requested "
                        "snapshot '%s'", d[i].name, name);
            return false;
        }
    }
    return true;
}

bool machine_loadvm(Machine *m, const char *name, GError **errp)
{
    Drive d[MAX_DRIVES];
    if (!name || !*name) {
        g_set_error(errp, VMSTATE_ERROR, 0, "loadvm: give a snapshot name");
        return false;
    }
    if (m->rr) {                        /* a jump the log could not replay */
        g_set_error(errp, VMSTATE_ERROR, 0, "loadvm: not while recording or replaying "
                    "(-icount rr=)");
        return false;
    }
    int n = snapshot_drives(m, d, errp);
    if (n < 0)
        return false;
    g_autoptr(GByteArray) s = g_byte_array_new();
    if (!read_state(m, d, n, name, s, errp))
        return false;
    if (!machine_load_state_bytes(m, s->data, s->len, true, errp)) {
        g_prefix_error(errp, "snapshot '%s': ", name);
        return false;
    }
    bool was_running = !m->stopped;
    machine_stop(m);
    for (int i = 0; i < n; i++)
        if (!image_snapshot_goto(block_image(d[i].blk), name, errp)) {
            g_prefix_error(errp, "%s: ", d[i].name);
            return false;                   /* stays stopped: disks disagree now */
        }
    if (!machine_load_state_bytes(m, s->data, s->len, false, errp))
        return false;
    if (was_running)
        machine_cont(m);
    return true;
}

bool machine_delvm(Machine *m, const char *name, GError **errp)
{
    Drive d[MAX_DRIVES];
    if (!name_ok(name, errp))
        return false;
    int n = snapshot_drives(m, d, errp);
    if (n < 0)
        return false;
    if (n == 0) {
        g_autofree char *path = state_file(m, name);
        if (unlink(path)) {
            g_set_error(errp, VMSTATE_ERROR, 0, "Snapshot '%s': %s: %s", name, path,
                        g_strerror(errno));
            return false;
        }
        return true;
    }
    bool ok = true;
    for (int i = 0; i < n; i++) {
        GError *e = NULL;
        if (!image_snapshot_delete(block_image(d[i].blk), name, &e)) {
            if (ok)
                g_propagate_prefixed_error(errp, e, "%s: ", d[i].name);
            else
                g_error_free(e);
            ok = false;
        }
    }
    return ok;
}

int machine_snapshot_list(Machine *m, MachineSnapshot **out, GError **errp)
{
    Drive d[MAX_DRIVES];
    *out = NULL;
    int n = snapshot_drives(m, d, errp);
    if (n < 0)
        return -1;
    GArray *a = g_array_new(FALSE, TRUE, sizeof(MachineSnapshot));
    if (n > 0) {
        ImageSnapshotInfo *l = NULL;
        int k = image_snapshot_list(block_image(d[0].blk), &l);
        for (int j = 0; j < k; j++) {
            MachineSnapshot s = { 0 };
            g_strlcpy(s.id, l[j].id, sizeof(s.id));
            s.name = g_strdup(l[j].name);
            s.vm_state_size = l[j].vm_state_size;
            s.date_sec = l[j].date_sec;
            s.vm_clock_nsec = l[j].vm_clock_nsec;
            s.icount = l[j].icount;
            g_array_append_val(a, s);
        }
        image_snapshot_list_free(l, k);
    } else {
        GDir *dir = g_dir_open(m->cfg.snapshot_dir, 0, NULL);
        const char *f;
        while (dir && (f = g_dir_read_name(dir))) {
            if (!g_str_has_suffix(f, ".tx86vm") || !strcmp(f, ".tx86vm"))
                continue;
            g_autofree char *path = g_build_filename(m->cfg.snapshot_dir, f, NULL);
            struct stat st;
            if (stat(path, &st))
                continue;
            MachineSnapshot s = { 0 };
            s.name = g_strndup(f, strlen(f) - 7);
            s.vm_state_size = (uint64_t)st.st_size;
            s.date_sec = (uint64_t)st.st_mtime;
            g_array_append_val(a, s);
        }
        if (dir)
            g_dir_close(dir);
    }
    int k = (int)a->len;
    *out = (MachineSnapshot *)g_array_free(a, FALSE);
    return k;
}

int machine_snapshot_devices(Machine *m, char (*names)[16], int max, GError **errp)
{
    Drive d[MAX_DRIVES];
    int n = snapshot_drives(m, d, errp);
    for (int i = 0; i < n && i < max; i++)
        g_strlcpy(names[i], d[i].name, sizeof(names[i]));
    return MIN(n, max);
}

void machine_snapshot_list_free(MachineSnapshot *l, int n)
{
    for (int i = 0; i < n; i++)
        g_free(l[i].name);
    g_free(l);
}
