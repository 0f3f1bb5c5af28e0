/*
 * control.c - machine control shared by the human monitor and QMP (see
 * control.h).  Drives are named as QEMU names them (ide<bus>-<hd|cd><unit>,
 * floppy<n>); key names are QEMU's QKeyCode names for the PC keys, mapped
 * to the PS/2 keyboard's key numbers (set 1 make codes, 0xE0xx extended).
 */
#include <errno.h>
#include <string.h>
#include "machine/machine.h"
#include "machine/pc.h"
#include "machine/savevm.h"
#include "bus/vmstate.h"
#include "cpu-x86/mem.h"
#include "devices/block.h"
#include "devices/fdc.h"
#include "devices/ide.h"
#include "devices/vga.h"
#include "devices/uhci.h"
#include "ui/display.h"
#include "ui/screenshot.h"
#include "monitor/control.h"
#include "monitor/monitor_int.h"

const char *mon_run_state(Machine *m)
{
    return m->stopped ? "paused" : "running";
}

const char *mon_status(MonCtx *ctx)
{
    return ctx->inmigrate ? "inmigrate" : ctx->prelaunch ? "prelaunch"
                                                         : mon_run_state(ctx->m);
}

void mon_stop(MonCtx *ctx)
{
    if (ctx->inmigrate)
        ctx->autostart = false;
    else
        machine_stop(ctx->m);
}

void mon_cont(MonCtx *ctx)
{
    if (ctx->inmigrate)
        ctx->autostart = true;
    else
        machine_cont(ctx->m);
}

/* -------------------------------------------------------------- migration */

bool mon_migrate_incoming(MonCtx *ctx, const char *uri, GError **errp)
{
    if (ctx->incoming_started) {
        g_set_error(errp, VMSTATE_ERROR, 0, "The incoming migration has already been started");
        return false;
    }
    if (!ctx->inmigrate) {
        g_set_error(errp, VMSTATE_ERROR, 0, "'-incoming' was not specified on the command line");
        return false;
    }
    ctx->incoming = machine_incoming_start(ctx->m, uri, errp);
    if (!ctx->incoming)
        return false;                       /* another URI may follow */
    ctx->incoming_started = true;
    return true;
}

bool mon_migrate(Machine *m, const char *uri, GError **errp)
{
    if (g_str_has_prefix(uri, "tcp:") || g_str_has_prefix(uri, "unix:"))   /* live */
        return machine_migrate_to(m, uri, errp);
    bool was_running = !m->stopped;
    machine_stop(m);
    if (machine_migrate_to(m, uri, errp))
        return true;                        /* stays stopped, as QEMU's source */
    if (was_running)
        machine_cont(m);
    return false;
}

/* ------------------------------------------------------------------ drives */

int mon_block_list(Machine *m, MonDrive out[MON_MAX_DRIVES])
{
    int n = 0;
    if (!m->pc)
        return 0;
    for (int i = 0; m->pc->ide && i < 4; i++) {
        IDEDriveInfo info;
        ide_drive_info(m->pc->ide, i, &info);
        if (!info.present)
            continue;
        MonDrive *d = &out[n++];
        memset(d, 0, sizeof(*d));
        snprintf(d->device, sizeof(d->device), "ide%d-%s%d", i >> 1, info.cdrom ? "cd" : "hd",
                 i & 1);
        d->removable = d->cdrom = info.cdrom;
        d->locked = info.locked;
        d->file = info.blk ? block_path(info.blk) : NULL;
        d->readonly = info.blk ? block_readonly(info.blk) : info.cdrom;
        d->size = info.blk ? block_size(info.blk) : 0;
    }
    for (int i = 0; m->pc->fdc && i < 2; i++) {
        BlockDev *blk = fdc_medium(m->pc->fdc, i);
        if (i == 1 && !blk && !m->cfg.fd_file[1])
            continue;
        MonDrive *d = &out[n++];
        memset(d, 0, sizeof(*d));
        snprintf(d->device, sizeof(d->device), "floppy%d", i);
        d->removable = true;
        d->file = blk ? block_path(blk) : NULL;
        d->readonly = blk && block_readonly(blk);
        d->size = blk ? block_size(blk) : 0;
    }
    return n;
}

/* the drive named device: IDE index 0..3 or floppy 4..5; -1 + error */
static int mon_find_drive(Machine *m, const char *device, GError **errp)
{
    MonDrive list[MON_MAX_DRIVES];
    int n = mon_block_list(m, list);
    for (int i = 0; i < n; i++) {
        if (strcmp(list[i].device, device))
            continue;
        if (!strncmp(device, "floppy", 6))
            return 4 + (device[6] - '0');
        return (device[3] - '0') * 2 + (device[strlen(device) - 1] - '0');
    }
    g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NODEV, "Device '%s' not found", device);
    return -1;
}

static bool mon_block_set(Machine *m, const char *device, const char *file, bool force,
                          GError **errp)
{
    int idx = mon_find_drive(m, device, errp);
    if (idx < 0)
        return false;
    bool floppy = idx >= 4;
    if (!floppy) {
        IDEDriveInfo info;
        ide_drive_info(m->pc->ide, idx, &info);
        if (!info.cdrom) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "Device '%s' is not removable", device);
            return false;
        }
        if (info.locked && !force) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_PERM,
                        "Device '%s' is locked and force was not specified", device);
            return false;
        }
    }
    BlockDev *blk = NULL;
    if (file) {
        bool ro = !floppy || m->cfg.fd_readonly[idx - 4];
        blk = block_open_locking(file, ro, m->cfg.snapshot, BLOCK_LOCKING_AUTO, errp);
        if (!blk)
            return false;
    }
    if (floppy)
        return fdc_change_medium(m->pc->fdc, idx - 4, blk, errp);
    if (!ide_change_medium(m->pc->ide, idx, blk, force, errp)) {
        if (blk)
            block_close(blk);
        return false;
    }
    return true;
}

/* a medium change is host input a replay log does not carry */
static bool mon_block_rr_check(Machine *m, GError **errp)
{
    if (!m->rr)
        return true;
    g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "media cannot change while recording or replaying (-icount rr=)");
    return false;
}

bool mon_block_change(Machine *m, const char *device, const char *file, GError **errp)
{
    return mon_block_rr_check(m, errp) && mon_block_set(m, device, file, false, errp);
}

bool mon_block_eject(Machine *m, const char *device, bool force, GError **errp)
{
    return mon_block_rr_check(m, errp) && mon_block_set(m, device, NULL, force, errp);
}

/* ------------------------------------------------------------------ keys */

static const struct { const char *name; int key; } mon_keys[] = {
    { "esc", 0x01 }, { "1", 0x02 }, { "2", 0x03 }, { "3", 0x04 }, { "4", 0x05 },
    { "5", 0x06 }, { "6", 0x07 }, { "7", 0x08 }, { "8", 0x09 }, { "9", 0x0a },
    { "0", 0x0b }, { "minus", 0x0c }, { "equal", 0x0d }, { "backspace", 0x0e },
    { "tab", 0x0f }, { "q", 0x10 }, { "w", 0x11 }, { "e", 0x12 }, { "r", 0x13 },
    { "t", 0x14 }, { "y", 0x15 }, { "u", 0x16 }, { "i", 0x17 }, { "o", 0x18 },
    { "p", 0x19 }, { "bracket_left", 0x1a }, { "bracket_right", 0x1b }, { "ret", 0x1c },
    { "ctrl", 0x1d }, { "a", 0x1e }, { "s", 0x1f }, { "d", 0x20 }, { "f", 0x21 },
    { "g", 0x22 }, { "h", 0x23 }, { "j", 0x24 }, { "k", 0x25 }, { "l", 0x26 },
    { "semicolon", 0x27 }, { "apostrophe", 0x28 }, { "grave_accent", 0x29 },
    { "shift", 0x2a }, { "backslash", 0x2b }, { "z", 0x2c }, { "x", 0x2d }, { "c", 0x2e },
    { "v", 0x2f }, { "b", 0x30 }, { "n", 0x31 }, { "m", 0x32 }, { "comma", 0x33 },
    { "dot", 0x34 }, { "slash", 0x35 }, { "shift_r", 0x36 }, { "kp_multiply", 0x37 },
    { "asterisk", 0x37 }, { "alt", 0x38 }, { "spc", 0x39 }, { "caps_lock", 0x3a },
    { "f1", 0x3b }, { "f2", 0x3c }, { "f3", 0x3d }, { "f4", 0x3e }, { "f5", 0x3f },
    { "f6", 0x40 }, { "f7", 0x41 }, { "f8", 0x42 }, { "f9", 0x43 }, { "f10", 0x44 },
    { "num_lock", 0x45 }, { "scroll_lock", 0x46 }, { "kp_7", 0x47 }, { "kp_8", 0x48 },
    { "kp_9", 0x49 }, { "kp_subtract", 0x4a }, { "kp_4", 0x4b }, { "kp_5", 0x4c },
    { "kp_6", 0x4d }, { "kp_add", 0x4e }, { "kp_1", 0x4f }, { "kp_2", 0x50 },
    { "kp_3", 0x51 }, { "kp_0", 0x52 }, { "kp_decimal", 0x53 }, { "less", 0x56 },
    { "f11", 0x57 }, { "f12", 0x58 },
    { "kp_enter", 0xe01c }, { "ctrl_r", 0xe01d }, { "kp_divide", 0xe035 },
    { "print", 0xe037 }, { "sysrq", 0xe037 }, { "alt_r", 0xe038 }, { "home", 0xe047 },
    { "up", 0xe048 }, { "pgup", 0xe049 }, { "left", 0xe04b }, { "right", 0xe04d },
    { "end", 0xe04f }, { "down", 0xe050 }, { "pgdn", 0xe051 }, { "insert", 0xe052 },
    { "delete", 0xe053 }, { "meta_l", 0xe05b }, { "meta_r", 0xe05c }, { "menu", 0xe05d },
};

int mon_key_from_name(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(mon_keys); i++)
        if (!strcmp(mon_keys[i].name, name))
            return mon_keys[i].key;
    return -1;
}

int mon_key_from_number(int64_t n)
{
    if (n <= 0 || n > 0xff)
        return -1;
    int key = n & 0x80 ? 0xe000 | (int)(n & 0x7f) : (int)n;
    for (size_t i = 0; i < G_N_ELEMENTS(mon_keys); i++)
        if (mon_keys[i].key == key)
            return key;
    return -1;
}

/* the display core's input path (ui/display.c), which the window and the
 * VNC server type through too */
bool mon_key_event(Machine *m, int key, bool down, GError **errp)
{
    return display_key_event(m, key, down, errp);
}

bool mon_send_keys(Machine *m, const int *keys, int n, GError **errp)
{
    for (int i = 0; i < n; i++)
        if (!display_key_event(m, keys[i], true, errp))
            return false;
    for (int i = n - 1; i >= 0; i--)
        display_key_event(m, keys[i], false, NULL);
    return true;
}

bool mon_mouse_event(Machine *m, int dx, int dy, int dz, unsigned buttons, GError **errp)
{
    return display_mouse_event(m, dx, dy, dz, buttons, errp);
}

bool mon_pointer_abs(Machine *m, unsigned x, unsigned y, int dz, unsigned buttons,
                     GError **errp)
{
    return display_pointer_abs(m, x, y, dz, buttons, errp);
}

bool mon_has_tablet(Machine *m)
{
    return m->pc && m->pc->usb_tablet;
}

void mon_info_usb(Machine *m, GString *out)
{
    if (m->pc && m->pc->uhci)
        uhci_info(m->pc->uhci, out);
}

/* ------------------------------------------------------------------ screen */

static bool mon_write_ppm(const VGAImage *img, const char *file, GError **errp)
{
    FILE *f = fopen(file, "wb");
    if (!f) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "failed to open file '%s': %s", file, g_strerror(errno));
        return false;
    }
    fprintf(f, "P6\n%d %d\n255\n", img->width, img->height);
    size_t len = (size_t)img->width * (size_t)img->height * 3;
    bool ok = fwrite(img->rgb, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write '%s'", file);
    return ok;
}

bool mon_screendump(Machine *m, const char *file, bool png, GError **errp)
{
    if (!m->pc || !m->pc->vga) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED, "There is no console to take a "
                    "screendump from (no VGA)");
        return false;
    }
    VGAImage img = { 0 };
    if (!vga_render(m->pc->vga, &img) || img.width <= 0 || img.height <= 0) {
        vga_image_clear(&img);
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "the display is off or in a mode tx86 cannot draw");
        return false;
    }
    bool ok = png ? screenshot_write_png(&img, file, errp) : mon_write_ppm(&img, file, errp);
    vga_image_clear(&img);
    return ok;
}

/* ------------------------------------------------------------------ memory */

/* RAM and ROM only: MMIO pages (no side effects from a debugger) and
 * unassigned ones fail */
bool mon_read_mem(Machine *m, uint64_t addr, bool phys, uint8_t *buf, uint32_t len)
{
    if (addr > UINT32_MAX || len > UINT32_MAX - addr + 1)
        return false;
    uint32_t a = (uint32_t)addr;
    while (len) {
        uint32_t chunk = MIN(len, 4096 - (a & 4095));
        GuestPhys pa = a;
        if (!phys && !mmu_probe(&m->cpu, a, false, &pa))
            return false;
        if (!physmem_read_buf(m->mem, pa, buf, chunk))
            return false;
        a += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}
