/*
 * options.c - the command line (see options.h).
 *
 * One table names every option tx86 knows: the ones it implements, the
 * ones later issues will implement (refused with "not supported yet"), and
 * its own long options.  options_parse() looks each argument up, takes its
 * value ("-m 64", "-m=64", "--m=64") and fills MachineConfig; it performs
 * all checks that do not need the machine (sizes, ranges, the BIOS file
 * exists) so mistakes are reported before anything is built.
 */
#include <string.h>
#include <stdlib.h>
#include <errno.h>
#include <unistd.h>
#include "config.h"
#include "machine/options.h"
#include "machine/replay.h"
#include "cpu-x86/cpuid.h"
#include "devices/block.h"
#include "devices/chardev.h"
#include "devices/mc146818.h"
#include "devices/usb_hid.h"
#include "net/net_opts.h"
#include "util/log.h"
#include "util/error.h"

G_DEFINE_QUARK(tx86-options-error-quark, options_error)

typedef enum OptId {
    OPT_MACHINE, OPT_M, OPT_BIOS, OPT_NOGRAPHIC, OPT_DISPLAY, OPT_SERIAL,
    OPT_DEBUGCON, OPT_DEVICE, OPT_NO_REBOOT, OPT_PERFMAP, OPT_D, OPT_LOGFILE, OPT_ACCEL,
    OPT_ENABLE_KVM, OPT_BACKEND, OPT_MAX_INSNS, OPT_INCOMING, OPT_SAVE_AT, OPT_LOADVM, OPT_SNAPSHOT_DIR, OPT_HELP, OPT_VERSION, OPT_CPU,
    OPT_KERNEL, OPT_INITRD, OPT_APPEND,     /* direct kernel boot (loader.c) */
    OPT_VGA, OPT_SCREENSHOT, OPT_SCREENDUMP_TEXT,   /* display (vga.c, ui/) */
    OPT_GDB, OPT_GDB_S, OPT_GDB_WAIT, OPT_ICOUNT, OPT_TRACE, OPT_DFILTER, /* debugging */
    OPT_RTC,            /* -rtc base= (mc146818.c) */
    OPT_HDA, OPT_HDB, OPT_HDC, OPT_HDD, OPT_CDROM, OPT_FDA, OPT_FDB,   /* disks */
    OPT_DRIVE, OPT_SNAPSHOT, OPT_BOOT,
    OPT_SEABIOS_LOG,    /* --seabios-log: port 0x402 (pc.c) */
    OPT_MONITOR, OPT_QMP, OPT_NAME,     /* the monitor and QMP (src/monitor/) */
    OPT_CHARDEV, OPT_MON,               /* -chardev: a named back end for -mon, -serial */
    OPT_NETDEV, OPT_NIC, OPT_NET,   /* network (net/net_opts.h, pc_net.c) */
    OPT_TB_SIZE,        /* -tb-size MiB: the translation cache (translator.h) */
    OPT_NODEFAULTS, OPT_SMP, OPT_PIDFILE, OPT_DAEMONIZE, OPT_NOOP, OPT_KEYMAP,
    OPT_USB, OPT_USBDEVICE, OPT_NO_ACPI, OPT_VNC, OPT_PARALLEL,  /* QEMU scripts' usual options
                                                                 * (docs/qemu-compat.md) */
    OPT_FULL_SCREEN,    /* -full-screen: the SDL window (ui/sdl.c) */
    OPT_LATER,          /* recognised, planned for a later issue */
} OptId;

typedef struct OptDesc {
    const char *name;   /* without the leading dash(es) */
    OptId id;
    bool has_arg;
} OptDesc;

static const OptDesc opt_table[] = {
    { "M",          OPT_MACHINE,    true },
    { "machine",    OPT_MACHINE,    true },
    { "m",          OPT_M,          true },
    { "bios",       OPT_BIOS,       true },
    { "nographic",  OPT_NOGRAPHIC,  false },
    { "display",    OPT_DISPLAY,    true },
    { "serial",     OPT_SERIAL,     true },
    { "debugcon",   OPT_DEBUGCON,   true },
    { "device",     OPT_DEVICE,     true },
    { "no-reboot",  OPT_NO_REBOOT,  false },
    { "perfmap",    OPT_PERFMAP,    false },
    { "d",          OPT_D,          true },
    { "D",          OPT_LOGFILE,    true },
    { "accel",      OPT_ACCEL,      true },
    { "enable-kvm", OPT_ENABLE_KVM, false },
    { "cpu",        OPT_CPU,        true },
    { "backend",    OPT_BACKEND,    true },
    { "max-insns",  OPT_MAX_INSNS,  true },
    { "seabios-log", OPT_SEABIOS_LOG, true },
    { "tb-size",    OPT_TB_SIZE,    true },
    { "help",       OPT_HELP,       false },
    { "h",          OPT_HELP,       false },
    { "version",    OPT_VERSION,    false },
    /* disks, Linux and multiboot boot, debugging, display; OPT_LATER rows
     * are recognised and refused with "not supported yet" */
    { "hda", OPT_HDA, true },    { "hdb", OPT_HDB, true },       /* disks (opt_disk) */
    { "hdc", OPT_HDC, true },    { "hdd", OPT_HDD, true },
    { "cdrom", OPT_CDROM, true }, { "fda", OPT_FDA, true },
    { "fdb", OPT_FDB, true },    { "drive", OPT_DRIVE, true },
    { "boot", OPT_BOOT, true },  { "snapshot", OPT_SNAPSHOT, false },
    { "kernel", OPT_KERNEL, true }, { "initrd", OPT_INITRD, true },
    { "append", OPT_APPEND, true }, { "rtc", OPT_RTC, true },
    { "s", OPT_GDB_S, false },   { "S", OPT_GDB_WAIT, false },
    { "gdb", OPT_GDB, true },  { "icount", OPT_ICOUNT, true },
    { "trace", OPT_TRACE, true },
    { "smp", OPT_SMP, true },
    { "nodefaults", OPT_NODEFAULTS, false }, { "pidfile", OPT_PIDFILE, true },
    { "daemonize", OPT_DAEMONIZE, false }, { "no-hpet", OPT_NOOP, false },
    { "no-user-config", OPT_NOOP, false },
    { "k", OPT_KEYMAP, true }, { "usb", OPT_USB, false }, { "usbdevice", OPT_USBDEVICE, true },
    { "no-acpi", OPT_NO_ACPI, false }, { "vnc", OPT_VNC, true },
    { "netdev", OPT_NETDEV, true }, { "nic", OPT_NIC, true }, { "net", OPT_NET, true },
    { "vga", OPT_VGA, true },  { "dfilter", OPT_DFILTER, true },
    { "screenshot", OPT_SCREENSHOT, true },     /* tx86: PNG of the screen at exit */
    { "screendump-text", OPT_SCREENDUMP_TEXT, true },
    { "monitor", OPT_MONITOR, true }, { "qmp", OPT_QMP, true },
    { "name", OPT_NAME, true },
    { "mon", OPT_MON, true }, { "chardev", OPT_CHARDEV, true },
    { "loadvm", OPT_LOADVM, true }, { "snapshot-dir", OPT_SNAPSHOT_DIR, true }, { "spice", OPT_LATER, true },
    { "audiodev", OPT_LATER, true }, { "audio", OPT_LATER, true },
    { "blockdev", OPT_LATER, true }, { "object", OPT_LATER, true },
    { "incoming", OPT_INCOMING, true }, { "save-at", OPT_SAVE_AT, true }, { "numa", OPT_LATER, true },
    { "global", OPT_LATER, true }, { "fsdev", OPT_LATER, true },
    { "virtfs", OPT_LATER, true }, { "uuid", OPT_LATER, true },
    { "mem-path", OPT_LATER, true }, { "mem-prealloc", OPT_LATER, false },
    { "runas", OPT_LATER, true }, { "chroot", OPT_LATER, true },
    { "sandbox", OPT_LATER, true }, { "readconfig", OPT_LATER, true },
    { "overcommit", OPT_LATER, true }, { "parallel", OPT_PARALLEL, true },
    { "full-screen", OPT_FULL_SCREEN, false }, { "semihosting", OPT_LATER, false },
    { "add-fd", OPT_LATER, true }, { "set", OPT_LATER, true },
    { "no-shutdown", OPT_LATER, false }, { "action", OPT_LATER, true },
    { "watchdog-action", OPT_LATER, true }, { "msg", OPT_LATER, true },
    { "tpmdev", OPT_LATER, true }, { "option-rom", OPT_LATER, true },
    { "fw_cfg", OPT_LATER, true }, { "L", OPT_LATER, true },
    { "pflash", OPT_LATER, true }, { "smbios", OPT_LATER, true },
    { "acpitable", OPT_LATER, true }, { "echr", OPT_LATER, true },
    { "qmp-pretty", OPT_LATER, true }, { "no-fd-bootchk", OPT_LATER, false },
    { "win2k-hack", OPT_LATER, false }, { "singlestep", OPT_LATER, false },
    { "plugin", OPT_LATER, true }, { "only-migratable", OPT_LATER, false },
};

void options_usage(FILE *f)
{
    fprintf(f,
"usage: tx86 [options]\n"
"tx86 %s - a full-system x86 PC emulator (QEMU-compatible options)\n"
"\n"
"  -M pc, -machine pc     machine type (only the PC; pc-i440fx-* is the same);\n"
"                         ,vmport=off: no VMware backdoor/vmmouse (port 0x5658)\n"
"  -m SIZE                RAM size, MiB unless suffixed K, M or G [128]\n"
"  -bios FILE             firmware image: multiple of 64 KiB, at most 16 MiB,\n"
"                         mapped below 4 GiB, its last 128 KiB also at 0xE0000\n"
"  -nographic             no display window\n"
"  -display none          same, for the display only\n"
"  -display curses        the VGA text screen in this terminal, keys to the keyboard\n"
"  -display sdl[,full-screen=on|off]\n"
"                         a window (SDL2): keys and the PS/2 mouse (click to grab,\n"
"                         Ctrl+Alt+G releases, Ctrl+Alt+F full screen) [the default\n"
"                         when $DISPLAY or $WAYLAND_DISPLAY is set]\n"
"  -full-screen           start the window full screen\n"
"  -vnc [HOST]:N|none     a VNC server on port 5900+N (HOST: the interface to listen\n"
"                         on, default all); keys and the PS/2 mouse\n"
"  -vga std|cirrus|none   the VGA adapter (stdvga with Bochs VBE, CL-GD5446) or none [std]\n"
"  -device VGA            the same as -vga std (with -nodefaults)\n"
"  -device cirrus-vga     the same as -vga cirrus\n"
"  -usb                   the PIIX3 USB controller (UHCI, 00:01.2; also -machine usb=on)\n"
"  -device usb-tablet|usb-mouse|usb-kbd   a USB device on it (two at most; or\n"
"                         -usbdevice tablet|mouse|keyboard, which implies -usb)\n"
"  -device piix3-usb-uhci[,id=ID]  the UHCI at the first free PCI slot instead\n"
"  --screenshot FILE      save the screen as PNG when tx86 exits\n"
"  --screendump-text FILE the text screen as UTF-8, updated while running and at\n"
"                         exit (- = stdout, at exit only)\n"
"  -serial DEV            COM1, again for COM2..COM4: stdio, file:PATH, pty,\n"
"                         tcp:[HOST]:PORT,server[,nowait], null or none\n"
"                         mon:stdio shares stdio with the monitor (Ctrl-A c\n"
"                         switches) [mon:stdio with -nographic]\n"
"  -monitor DEV           the human monitor: stdio, unix:PATH,server,nowait,\n"
"                         tcp:[HOST]:PORT,server,nowait or none (docs/monitor.md)\n"
"  -qmp DEV               QMP (JSON): unix:PATH,server,nowait or\n"
"                         tcp:[HOST]:PORT,server,nowait (wait: start on connect)\n"
"  -name NAME             the guest's name (query-name); also guest=NAME[,process=..]\n"
"  -nodefaults            no default devices: no VGA unless -vga/-device VGA|cirrus-vga,\n"
"                         no COM1 unless -serial, no monitor with -nographic\n"
"  -pidfile FILE          write tx86's pid to FILE (locked; removed at exit)\n"
"  -daemonize             detach once the machine is built (no stdio back ends)\n"
"  -smp 1                 one CPU (cpus=1[,cores=1,threads=1,sockets=1,maxcpus=1])\n"
"  -k en-us               keyboard layout (only en-us; keys go to the guest as\n"
"                         scancodes)\n"
"  -no-hpet               accepted: the PC has no HPET\n"
"  -debugcon DEV          port 0xE9 console: stdio, file:PATH or none\n"
"  -device isa-debug-exit[,iobase=0xf4][,iosize=0x04]\n"
"                         writing V to the port exits with status (V<<1)|1\n"
"  -netdev user,id=ID[,hostfwd=tcp:[HADDR]:HPORT-[GADDR]:GPORT][,net=ADDR/N]\n"
"         [,host=][,dhcpstart=][,dns=][,tftp=DIR][,bootfile=F][,restrict=on|off]\n"
"                         user-mode network (libslirp): NAT, DHCP, DNS (docs/net.md)\n"
"  -device e1000|ne2k_pci|ne2k_isa|rtl8139,netdev=ID[,mac=52:54:00:12:34:56]\n"
"                         a NIC on that network (ne2k_isa: iobase=0x300,irq=9)\n"
"  -nic user[,model=e1000][,mac=][,hostfwd=...]  both at once; -nic none\n"
"  -net nic[,model=][,macaddr=] -net user[,...]  the same, old style; -net none\n"
"                         [no NIC unless asked for]\n"
"  -cpu MODEL             CPU model (-cpu help lists them) [" CPUID_DEFAULT_MODEL "]\n"
"  -no-reboot             exit instead of rebooting on a triple fault\n"
"  -perfmap               write /tmp/perf-PID.map: perf names generated code by guest pc\n"
"  -rtc base=utc|localtime|DATE  RTC start time; DATE 2006-06-17[T16:01:21] [utc]\n"
"  -kernel FILE           boot a Linux bzImage or a multiboot kernel directly\n"
"  -initrd FILE           its initial RAM disk (multiboot: modules \"a args,b\")\n"
"  -append STRING         its command line\n"
"  -d ITEM[,ITEM...]      debug log (-d help lists the items)\n"
"  -D FILE                write the debug log to FILE instead of stderr\n"
"  -dfilter RANGE[,...]   log only blocks in START..END, START+LEN, START-LEN\n"
"  --trace FILE           binary execution trace (gzip; read it with tx86-trace)\n"
"  -gdb DEV               gdb stub: tcp::PORT, tcp:HOST:PORT or unix:PATH\n"
"  -s                     same as -gdb tcp::1234\n"
"  -S                     stop before the first instruction (wait for gdb)\n"
"  -icount shift=N        virtual time = instructions << N ns: runs repeat exactly\n"
"  -icount shift=N,rr=record|replay,rrfile=FILE\n"
"                         record the run's host input to FILE, or replay it\n"
"                         exactly (gdb can then run backwards: docs/replay.md)\n"
"  -accel tcg[,tb-size=N] the only accelerator; N as for -tb-size\n"
"  -tb-size N             translation cache in MiB, 1 to 1024 [RAM / 2, 64 to 512]\n"
"  --backend=native|interp  translator backend [%s]\n"
"  --max-insns N          stop (status 0) after N guest instructions\n"
"  --save-at N:PATH       save the machine's state to PATH at instruction N\n"
"  -loadvm NAME           start from snapshot NAME (savevm; docs/savevm.md)\n"
"  --snapshot-dir DIR     snapshots as state files in DIR (machines without qcow2)\n"
"  -incoming file:PATH|exec:CMD|tcp:HOST:PORT|unix:PATH  start from a saved\n"
"                         state or a migrating source; -incoming defer: wait for\n"
"                         the monitor's migrate_incoming URI (docs/savevm.md)\n"
"  --seabios-log DEV      SeaBIOS's debug log (port 0x402): stdio or file:PATH\n"
"  --help, --version\n"
"\n"
"  -hda/-hdb/-hdc/-hdd FILE  disk image (raw, qcow2, vmdk, vdi; probed) as IDE primary/\n"
"                         secondary master/slave\n"
"  -cdrom FILE            ISO image as the CD-ROM (IDE secondary master)\n"
"  -fda/-fdb FILE         floppy image (1.44 MB, 720 KB, 1.2 MB, 360 KB, 2.88 MB)\n"
"  -drive file=F[,format=raw|qcow2|vmdk|vdi|vpc][,if=ide|floppy][,index=N]\n"
"         [,media=disk|cdrom][,readonly=on]  format: probed when not given (docs/block.md)\n"
"         [,locking=auto|on|off]  image locks shared with QEMU (docs/devices.md)\n"
"  -snapshot              keep disk writes in memory, never in the image files\n"
"  -boot [order=]LETTERS[,menu=on]  boot order: a floppy, c disk, d CD-ROM\n"
"\n"
"Recognised but not supported yet (docs/qemu-compat.md): -smp N>1 -mon -chardev\n"
"  -no-acpi -vnc -spice -audiodev -blockdev -object ...\n",
            TX86_VERSION, TX86_NATIVE_BACKEND ? "native" : "interp");
}

#define opt_fail(errp, code, ...) error_fail(errp, OPTIONS_ERROR, code, __VA_ARGS__)

/* unsigned integer, any base C accepts (0x.., 0..), the whole string */
static bool opt_parse_uint(const char *s, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool options_parse_size(const char *s, uint64_t *bytes, GError **errp)
{
    char *end;
    if (!g_ascii_isdigit(*s))
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "invalid size '%s'", s);
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 20;                       /* MiB by default */
    if (*end) {
        switch (g_ascii_toupper(*end)) {
        case 'B': shift = 0; break;
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default:
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "invalid size '%s'", s);
        }
        end++;
        if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
            end += strlen(end);
    }
    if (errno || *end || v > (UINT64_MAX >> shift))
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "invalid size '%s'", s);
    *bytes = (uint64_t)v << shift;
    return true;
}

#define OPT_NO_ACPI_MSG "a PC without ACPI (-no-acpi, -machine acpi=off) is not supported yet"

static bool opt_machine(const char *v, MachineConfig *cfg, GError **errp)
{
    if (!strcmp(v, "help") || !strcmp(v, "?")) {
        printf("Supported machines are:\npc                   Standard PC (the only one)\n");
        return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "help printed");
    }
    gchar **parts = g_strsplit(v, ",", -1);
    bool ok = true;
    if (!parts[0]) {
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "machine type '' is not supported (only 'pc')");
    }
    for (gchar **p = parts; ok && *p; p++) {
        const char *item = *p;
        if (p == parts && !strchr(item, '='))
            ;                                       /* bare type name */
        else if (g_str_has_prefix(item, "type="))
            item += 5;
        else if (g_str_has_prefix(item, "accel=")) {
            if (strcmp(item + 6, "tcg"))
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                              "accelerator '%s' is not supported (only tcg)", item + 6);
            continue;
        } else if (!strcmp(item, "acpi=on") || !strcmp(item, "hpet=off")) {
            continue;                               /* what tx86's PC is anyway */
        } else if (!strcmp(item, "usb=on") || !strcmp(item, "usb=off")) {
            cfg->usb = !strcmp(item, "usb=on");     /* the UHCI at 00:01.2 (uhci.c) */
            continue;
        } else if (!strcmp(item, "vmport=off") || !strcmp(item, "vmport=on") ||
                   !strcmp(item, "vmport=auto")) {
            cfg->vmport_off = !strcmp(item, "vmport=off");   /* vmport.c */
            continue;
        } else if (!strcmp(item, "acpi=off")) {
            ok = opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "%s", OPT_NO_ACPI_MSG);
            continue;
        } else {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                          "machine property '%s' is not supported", item);
            continue;
        }
        if (!strcmp(item, "q35") || g_str_has_prefix(item, "pc-q35"))
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "machine type '%s' is not supported: "
                          "tx86 emulates the i440FX PC only (-M pc)", item);
        else if (strcmp(item, "pc") && !g_str_has_prefix(item, "pc-i440fx-"))
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                          "machine type '%s' is not supported (only 'pc'; -M help)", item);
    }
    g_strfreev(parts);
    return ok;
}

/* -netdev, -nic, -net and -device NIC: checked alone here, kept as
 * "KIND:VALUE" for the board (machine/pc_net.c) */
static bool opt_net(const char *kind, const char *v, MachineConfig *cfg, GError **errp)
{
    NetPlan plan;
    GError *err = NULL;
    memset(&plan, 0, sizeof(plan));
    bool ok = net_plan_add(&plan, kind, v, &err);
    net_plan_clear(&plan);
    if (!ok) {
        opt_fail(errp, OPTIONS_ERROR_INVALID, "%s", err->message);
        g_error_free(err);
        return false;
    }
    for (int i = 0; i < (int)G_N_ELEMENTS(cfg->net_opts); i++)
        if (!cfg->net_opts[i]) {
            cfg->net_opts[i] = g_strdup_printf("%s:%s", kind, v);
            return true;
        }
    return opt_fail(errp, OPTIONS_ERROR_INVALID, "too many network options (at most %d)",
                    (int)G_N_ELEMENTS(cfg->net_opts));
}

/* -device names QEMU users often pass that tx86 does not have yet: why,
 * or what to use instead (docs/qemu-compat.md); NULL for other names */
static const char *opt_device_later(const char *name)
{
    static const struct { const char *prefix, *why; } later[] = {
        { "usb-ehci", "the USB controller is the UHCI: -usb or -device piix3-usb-uhci" },
        { "usb-", "the USB devices are usb-tablet, usb-mouse and usb-kbd" },
        { "piix4-usb-uhci", "the USB controller is the PIIX3's: -device piix3-usb-uhci" },
        { "ich9-usb-", "no EHCI: the USB controller is the UHCI (-usb)" },
        { "qemu-xhci", "no xHCI: the USB controller is the UHCI (-usb)" },
        { "nec-usb-xhci", "no xHCI: the USB controller is the UHCI (-usb)" },
        { "virtio-", "the only virtio device is virtio-net-pci: use IDE disks" },
        { "ide-hd", "use -drive file=F,if=ide or -hda" },
        { "ide-cd", "use -drive file=F,media=cdrom or -cdrom" },
        { "floppy", "use -drive file=F,if=floppy or -fda" },
        { "isa-serial", "use -serial (COM1..COM4)" }, { "isa-parallel", "no parallel port" },
        { "isa-cirrus-vga", "the Cirrus VGA is PCI: -vga cirrus" },
        { "bochs-display", "the VGA is stdvga: -vga std" }, { "qxl", "-vga std" },
        { "vmware-svga", "-vga std" }, { "ramfb", "-vga std" },
        { "secondary-vga", "one VGA only" }, { "isa-vga", "-vga std (PCI)" },
        { "sb16", "no sound devices yet" }, { "AC97", "no sound devices yet" },
        { "intel-hda", "no sound devices yet" }, { "hda-", "no sound devices yet" },
        { "adlib", "no sound devices yet" }, { "gus", "no sound devices yet" },
        { "cs4231a", "no sound devices yet" }, { "ES1370", "no sound devices yet" },
        { "pcspk", "no PC speaker sound yet" }, { "pvpanic", "no pvpanic yet" },
        { "i6300esb", "no watchdog yet" }, { "ib700", "no watchdog yet" },
        { "pcnet", "use e1000, rtl8139, ne2k_pci or ne2k_isa" },
        { "i82559", "use e1000, rtl8139, ne2k_pci or ne2k_isa" },
        { "i82551", "use e1000, rtl8139, ne2k_pci or ne2k_isa" },
        { "e1000e", "use e1000" }, { "vmxnet3", "use e1000" },
        { "lsi53c895a", "no SCSI yet: use IDE" }, { "megasas", "no SCSI yet: use IDE" },
        { "scsi-", "no SCSI yet: use IDE" }, { "ahci", "no AHCI yet: use IDE" },
        { "nvme", "no NVMe yet: use IDE" }, { "tpm-", "no TPM yet" },
        { "vfio-pci", "no device pass-through" }, { "ivshmem", "no shared memory device" },
        { "pci-bridge", "one PCI bus only" },
        { "intel-iommu", "no IOMMU" }, { "hpet", "no HPET" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(later); i++)
        if (g_str_has_prefix(name, later[i].prefix))
            return later[i].why;
    return NULL;
}

/* a USB HID device (-device usb-tablet,..., -usbdevice tablet): kind is
 * a USBHidKind; props the "NAME=VALUE" after the device name */
static bool opt_usb_device(int kind, const char *name, gchar **props, MachineConfig *cfg,
                           GError **errp)
{
    if (cfg->n_usb_devs >= 2)
        return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "%s: at most two USB devices (the "
                        "UHCI root hub has two ports, and there is no usb-hub yet)", name);
    int i = cfg->n_usb_devs;
    cfg->usb_dev_port[i] = 0;
    cfg->usb_dev_bus[i][0] = 0;
    for (gchar **p = props; p && *p; p++) {
        if (g_str_has_prefix(*p, "id="))
            continue;
        if (g_str_has_prefix(*p, "bus=") && strlen(*p + 4) < sizeof(cfg->usb_dev_bus[i])) {
            g_strlcpy(cfg->usb_dev_bus[i], *p + 4, sizeof(cfg->usb_dev_bus[i]));
        } else if (!strcmp(*p, "port=1") || !strcmp(*p, "port=2")) {
            cfg->usb_dev_port[i] = (*p)[5] - '0';
        } else {
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-device %s: property '%s' is not "
                            "supported (id=, bus=, port=1|2)", name, *p);
        }
    }
    cfg->usb_devs[i] = kind;
    cfg->n_usb_devs++;
    return true;
}

/* QEMU's rules, checked once every option is in: a USB device needs a
 * controller (-usb, or -device piix3-usb-uhci, whose bus is "ID.0") */
static bool opt_usb_check(MachineConfig *cfg, GError **errp)
{
    if (cfg->usb && cfg->usb_uhci_device)
        return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "one USB controller only: -usb (or "
                        "usb=on, -usbdevice) and -device piix3-usb-uhci make two");
    for (int i = 0; i < cfg->n_usb_devs; i++) {
        const char *name = usb_hid_kind_name((USBHidKind)cfg->usb_devs[i]);
        const char *bus = cfg->usb_dev_bus[i];
        if (!cfg->usb && !cfg->usb_uhci_device)
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-device %s: No 'usb-bus' bus found "
                            "for device '%s' (add -usb)", name, name);
        if (!*bus)
            continue;
        bool ok = cfg->usb ? !strcmp(bus, "usb-bus.0")
                           : cfg->usb_uhci_id[0] && g_str_has_prefix(bus, cfg->usb_uhci_id) &&
                             !strcmp(bus + strlen(cfg->usb_uhci_id), ".0");
        if (!ok)
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-device %s: Bus '%s' not found",
                            name, bus);
    }
    for (int i = 0; i < cfg->n_usb_devs; i++)
        for (int j = i + 1; j < cfg->n_usb_devs; j++)
            if (cfg->usb_dev_port[i] && cfg->usb_dev_port[i] == cfg->usb_dev_port[j])
                return opt_fail(errp, OPTIONS_ERROR_INVALID, "usb port %d is taken",
                                cfg->usb_dev_port[i]);
    return true;
}

static bool opt_device(const char *v, MachineConfig *cfg, GError **errp)
{
    if (!strcmp(v, "help") || !strcmp(v, "?")) {
        printf("Devices:\nname \"isa-debug-exit\", bus ISA (properties iobase, iosize)\n"
               "name \"VGA\", bus PCI (the stdvga of -vga std)\n"
               "name \"cirrus-vga\", bus PCI (the CL-GD5446 of -vga cirrus)\n"
               "name \"e1000\", bus PCI (properties netdev, mac)\n"
               "name \"ne2k_pci\", bus PCI (properties netdev, mac)\n"
               "name \"ne2k_isa\", bus ISA (properties netdev, mac, iobase, irq)\n"
               "name \"rtl8139\", bus PCI (properties netdev, mac)\n"
               "name \"piix3-usb-uhci\", bus PCI (property id; the UHCI of -usb)\n"
               "name \"usb-tablet\", bus usb-bus (properties id, bus, port)\n"
               "name \"usb-mouse\", bus usb-bus (properties id, bus, port)\n"
               "name \"usb-kbd\", bus usb-bus (properties id, bus, port)\n");
        return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "help printed");
    }
    gchar **parts = g_strsplit(v, ",", -1);
    bool ok = true;
    if (parts[0] && net_is_nic_model(parts[0])) {
        ok = opt_net("device", v, cfg, errp);
        goto out;
    }
    if (parts[0] && (!strcmp(parts[0], "VGA") || !strcmp(parts[0], "cirrus-vga"))) {
        /* the stdvga of -vga std, the CL-GD5446 of -vga cirrus */
        for (gchar **p = parts + 1; ok && *p; p++)
            if (!g_str_has_prefix(*p, "id="))
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-device %s: property '%s' is "
                              "not supported (only id=)", parts[0], *p);
        cfg->vga_none = false;
        cfg->vga_explicit = true;
        cfg->vga_cirrus = !strcmp(parts[0], "cirrus-vga");
        goto out;
    }
    if (parts[0] && !strcmp(parts[0], "piix3-usb-uhci")) {
        for (gchar **p = parts + 1; ok && *p; p++) {
            if (g_str_has_prefix(*p, "id=") && strlen(*p + 3) < sizeof(cfg->usb_uhci_id))
                g_strlcpy(cfg->usb_uhci_id, *p + 3, sizeof(cfg->usb_uhci_id));
            else
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-device piix3-usb-uhci: property "
                              "'%s' is not supported (only id=)", *p);
        }
        if (ok && cfg->usb_uhci_device)
            ok = opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "one USB controller only");
        cfg->usb_uhci_device = true;
        goto out;
    }
    if (parts[0] && usb_hid_kind_from_name(parts[0]) != USB_HID_NONE) {
        ok = opt_usb_device(usb_hid_kind_from_name(parts[0]), parts[0], parts + 1, cfg, errp);
        goto out;
    }
    if (!parts[0] || strcmp(parts[0], "isa-debug-exit")) {
        const char *later = parts[0] ? opt_device_later(parts[0]) : NULL;
        if (later)
            ok = opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "device '%s' is not supported "
                          "yet (%s)", parts[0], later);
        else
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "device '%s' is not supported "
                          "(-device help lists them)", parts[0] ? parts[0] : "");
        goto out;
    }
    uint64_t iobase = 0x501, iosize = 0x02;     /* QEMU's defaults */
    for (gchar **p = parts + 1; *p; p++) {
        const char *eq = strchr(*p, '=');
        uint64_t n;
        if (!eq || !opt_parse_uint(eq + 1, &n)) {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                          "isa-debug-exit: bad property '%s' (iobase=N, iosize=N)", *p);
            goto out;
        }
        if (!strncmp(*p, "iobase=", 7))
            iobase = n;
        else if (!strncmp(*p, "iosize=", 7))
            iosize = n;
        else {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                          "isa-debug-exit: unknown property '%.*s'", (int)(eq - *p), *p);
            goto out;
        }
    }
    if (iosize < 1 || iosize > 4 || iobase > 0xffff || iobase + iosize > 0x10000) {
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                      "isa-debug-exit: iobase=0x%" G_GINT64_MODIFIER "x iosize=%"
                      G_GINT64_MODIFIER "u out of range (iosize 1..4, ports below 0x10000)",
                      iobase, iosize);
        goto out;
    }
    if (cfg->has_debug_exit) {
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "only one isa-debug-exit device is supported");
        goto out;
    }
    cfg->has_debug_exit = true;
    cfg->debug_exit_iobase = (uint32_t)iobase;
    cfg->debug_exit_iosize = (uint32_t)iosize;
out:
    g_strfreev(parts);
    return ok;
}

static bool opt_debugcon(const char *v, MachineConfig *cfg, GError **errp)
{
    g_free(cfg->debugcon);
    cfg->debugcon = NULL;
    if (!strcmp(v, "none") || !strcmp(v, "null"))
        return true;
    if (!strcmp(v, "stdio") || (g_str_has_prefix(v, "file:") && v[5])) {
        cfg->debugcon = g_strdup(v);
        return true;
    }
    return opt_fail(errp, OPTIONS_ERROR_INVALID,
                    "-debugcon '%s' is not supported (stdio, file:PATH or none)", v);
}

/* -cpu MODEL (QEMU also takes ",+feature" suffixes: refused) */
static bool opt_cpu(const char *v, MachineConfig *cfg, GError **errp)
{
    if (!strcmp(v, "help") || !strcmp(v, "?")) {
        cpuid_list_models(stdout);
        return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "help printed");
    }
    const CPUModel *m = cpuid_find_model(v);
    if (!m)
        return opt_fail(errp, OPTIONS_ERROR_INVALID,
                        "-cpu: unknown CPU model '%s' (-cpu help lists them)", v);
    cfg->cpu_model = m;
    return true;
}

/* -gdb, -s, -S, -icount, --trace, -dfilter (docs/debugging.md) */
static bool opt_debugging(OptId id, const char *v, MachineConfig *cfg, GError **errp)
{
    GError *err = NULL;
    uint64_t n;

    switch (id) {
    case OPT_GDB_S:
        v = "tcp::1234";
        /* fall through */
    case OPT_GDB:
        if (!strcmp(v, "none")) {
            g_free(cfg->gdb_dev);
            cfg->gdb_dev = NULL;
            return true;
        }
        if (!g_str_has_prefix(v, "tcp:") && !g_str_has_prefix(v, "unix:") &&
            !(g_ascii_isdigit(v[0]) && opt_parse_uint(v, &n)))
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "-gdb '%s': use tcp::PORT, tcp:HOST:PORT, unix:PATH or none", v);
        g_free(cfg->gdb_dev);
        cfg->gdb_dev = g_ascii_isdigit(v[0]) ? g_strconcat("tcp::", v, NULL) : g_strdup(v);
        return true;
    case OPT_GDB_WAIT:
        cfg->gdb_wait = true;
        return true;
    case OPT_ICOUNT: {
        /* "shift=N[,align=off,sleep=off][,rr=record|replay,rrfile=F]" or "N";
         * QEMU's "auto" needs host time */
        gchar **parts = g_strsplit(v, ",", -1);
        bool ok = true, have = false;
        int sleep = -1;             /* not given */
        const char *bad = NULL;
        for (gchar **p = parts; ok && *p; p++) {
            const char *s = *p;
            if (g_str_has_prefix(s, "shift="))
                s += 6;
            else if (!strcmp(s, "align=off"))
                continue;
            else if (!strcmp(s, "sleep=off") || !strcmp(s, "sleep=on")) {
                sleep = !strcmp(s, "sleep=on");
                continue;
            }
            else if (!strcmp(s, "rr=record") || !strcmp(s, "rr=replay") || !strcmp(s, "rr=off")) {
                cfg->rr_mode = !strcmp(s, "rr=record") ? REPLAY_RECORD
                             : !strcmp(s, "rr=replay") ? REPLAY_PLAY : REPLAY_OFF;
                continue;
            } else if (g_str_has_prefix(s, "rrfile=") && s[7]) {
                g_free(cfg->rr_file);
                cfg->rr_file = g_strdup(s + 7);
                continue;
            } else if (g_str_has_prefix(s, "rrcheckpoint=")) {
                if (!opt_parse_uint(s + 13, &n) || n < 1000) {
                    bad = "rrcheckpoint=N takes at least 1000 instructions";
                    ok = false;
                } else {
                    cfg->rr_checkpoint = n;
                }
                continue;
            } else if (g_str_has_prefix(s, "rrsnapshot=")) {
                bad = "rrsnapshot= is not supported: recordings start at power-on";
                ok = false;
                continue;
            } else if (p != parts) {
                ok = false;
            }
            if (ok && opt_parse_uint(s, &n) && n <= 20) {
                cfg->icount_shift = (int)n;
                have = true;
            } else {
                ok = false;
            }
        }
        g_strfreev(parts);
        if (!ok || !have)
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-icount '%s': %s", v,
                            bad ? bad : "use shift=N with N from 0 to 20 "
                                        "[,rr=record|replay,rrfile=FILE]");
        if (cfg->rr_mode && !cfg->rr_file)
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "-icount '%s': rr= needs rrfile=FILE", v);
        /* an idle guest being recorded waits for its user in host time;
         * otherwise idle time jumps (the same run, sooner) */
        cfg->icount_sleep = sleep >= 0 ? sleep : cfg->rr_mode == REPLAY_RECORD;
        cfg->icount = true;
        return true;
    }
    case OPT_TRACE:
        g_free(cfg->trace_path);
        cfg->trace_path = g_strdup(v);
        return true;
    case OPT_DFILTER:
        if (!log_parse_filter(v, &err)) {
            opt_fail(errp, OPTIONS_ERROR_INVALID, "-dfilter: %s", err->message);
            g_error_free(err);
            return false;
        }
        return true;
    default:
        g_assert_not_reached();
    }
}

/* -rtc base=utc|localtime|DATE[,clock=host|rt|vm][,driftfix=none|slew]:
 * the virtual clock drives the RTC whatever clock= says */
static bool opt_rtc(const char *v, MachineConfig *cfg, GError **errp)
{
    gchar **parts = g_strsplit(v, ",", -1);
    bool ok = true;
    for (gchar **p = parts; ok && *p; p++) {
        const char *item = *p;
        if (!strcmp(item, "base=utc")) {
            cfg->rtc_base = RTC_BASE_UTC;
        } else if (!strcmp(item, "base=localtime")) {
            cfg->rtc_base = RTC_BASE_LOCALTIME;
        } else if (g_str_has_prefix(item, "base=")) {
            if (!mc146818_parse_date(item + 5, &cfg->rtc_date))
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-rtc: invalid date '%s' "
                              "(utc, localtime, 2006-06-17T16:01:21 or 2006-06-17)", item + 5);
            cfg->rtc_base = RTC_BASE_DATE;
        } else if (!strcmp(item, "clock=host") || !strcmp(item, "clock=rt") ||
                   !strcmp(item, "clock=vm") || !strcmp(item, "driftfix=none") ||
                   !strcmp(item, "driftfix=slew")) {
            ;
        } else {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-rtc: unsupported property '%s' "
                          "(base=, clock=, driftfix=)", item);
        }
    }
    g_strfreev(parts);
    return ok;
}

/* disks: put an image on IDE index 0-3 or floppy 0-1 (index -1: the
 * first free one); locking: BlockLocking (block.h) */
static bool opt_add_drive(MachineConfig *cfg, bool floppy, int index, const char *file,
                          bool cdrom, bool readonly, int locking, int format, const char *opt,
                          GError **errp)
{
    int n = floppy ? 2 : 4;
    char **files = floppy ? cfg->fd_file : cfg->ide_file;
    if (index < 0) {
        for (int i = 0; i < n && index < 0; i++)
            if (!files[i] && (floppy || !cfg->ide_cdrom[i]))
                index = i;
        if (index < 0)
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "%s: all %s slots are taken (%d)", opt, floppy ? "floppy" : "IDE", n);
    }
    if (index >= n)
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "%s: %s index %d out of range (0-%d)",
                        opt, floppy ? "floppy" : "IDE", index, n - 1);
    if (files[index] || (!floppy && cfg->ide_cdrom[index]))
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "%s: %s index %d is already used", opt,
                        floppy ? "floppy" : "IDE", index);
    if (file && !*file && !cdrom)
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "%s: empty file name", opt);
    if (file && *file && !g_file_test(file, G_FILE_TEST_EXISTS))
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "%s: cannot find disk image '%s'", opt, file);
    files[index] = (file && *file) ? g_strdup(file) : NULL;
    if (floppy) {
        cfg->fd_readonly[index] = readonly;
        cfg->fd_locking[index] = locking;
        cfg->fd_format[index] = format;
    } else {
        cfg->ide_cdrom[index] = cdrom;
        cfg->ide_readonly[index] = readonly || cdrom;
        cfg->ide_locking[index] = locking;
        cfg->ide_format[index] = format;
    }
    return true;
}

/* -hda..-hdd, -cdrom, -fda/-fdb: locking=auto */
static bool opt_add_disk(MachineConfig *cfg, bool floppy, int index, const char *file,
                         bool cdrom, bool readonly, const char *opt, GError **errp)
{
    return opt_add_drive(cfg, floppy, index, file, cdrom, readonly, BLOCK_LOCKING_AUTO,
                         IMAGE_FORMAT_PROBE, opt, errp);
}

static bool opt_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
        *out = true;
    else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
        *out = false;
    else
        return false;
    return true;
}

/* -drive file=F,format=raw|qcow2|...,if=ide|floppy,index=N,media=disk|cdrom,readonly=on
 * (",," in a value is a comma, as in QEMU) */
static bool opt_drive(const char *v, MachineConfig *cfg, GError **errp)
{
    GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    for (const char *p = v;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || !*p) {
            g_ptr_array_add(items, g_string_free(cur, FALSE));
            cur = g_string_new(NULL);
            if (!*p)
                break;
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_string_free(cur, TRUE);

    const char *file = NULL;
    bool floppy = false, cdrom = false, readonly = false, ok = true;
    int index = -1, locking = BLOCK_LOCKING_AUTO, format = IMAGE_FORMAT_PROBE;
    for (guint i = 0; ok && i < items->len; i++) {
        const char *it = items->pdata[i];
        const char *eq = strchr(it, '=');
        if (!*it)
            continue;
        if (!eq) {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-drive: '%s' is not KEY=VALUE", it);
            break;
        }
        gchar *key = g_strndup(it, (gsize)(eq - it));
        const char *val = eq + 1;
        uint64_t n;
        for (guint j = 0; j < i; j++) {            /* file=A,file=B: which one? */
            const char *prev = items->pdata[j];
            if (!strncmp(prev, key, strlen(key)) && prev[strlen(key)] == '=') {
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-drive: '%s' is given twice", key);
                break;
            }
        }
        if (!ok)
            ;
        else if (!strcmp(key, "file"))
            file = val;
        else if (!strcmp(key, "format")) {
            if ((format = image_format_by_name(val)) == IMAGE_FORMAT_PROBE)
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                              "-drive: format '%s' is not supported (%s)", val,
                              image_format_names());
        } else if (!strcmp(key, "if")) {
            if (!strcmp(val, "floppy"))
                floppy = true;
            else if (strcmp(val, "ide"))
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                              "-drive: if=%s is not supported (ide or floppy)", val);
        } else if (!strcmp(key, "index")) {
            if (!opt_parse_uint(val, &n) || n > 3)
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-drive: bad index '%s'", val);
            else
                index = (int)n;
        } else if (!strcmp(key, "media")) {
            if (!strcmp(val, "cdrom"))
                cdrom = true;
            else if (strcmp(val, "disk"))
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                              "-drive: media=%s is not supported (disk or cdrom)", val);
        } else if (!strcmp(key, "readonly") || !strcmp(key, "read-only")) {
            if (!opt_bool(val, &readonly))
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-drive: bad readonly '%s'", val);
        } else if (!strcmp(key, "snapshot")) {
            bool on;
            if (!opt_bool(val, &on))
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-drive: bad snapshot '%s'", val);
            else if (on)
                cfg->snapshot = true;          /* tx86: -snapshot applies to all drives */
        } else if (!strcmp(key, "locking") || !strcmp(key, "file.locking")) {
            if (!strcmp(val, "auto"))
                locking = BLOCK_LOCKING_AUTO;
            else if (!strcmp(val, "on"))
                locking = BLOCK_LOCKING_ON;
            else if (!strcmp(val, "off"))
                locking = BLOCK_LOCKING_OFF;
            else
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                              "-drive: bad locking '%s' (on, off or auto)", val);
        } else if (!strcmp(key, "id") || !strcmp(key, "cache") || !strcmp(key, "aio")) {
            /* accepted and ignored */
        } else {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                          "-drive: '%s' is not supported (file, format, if, index, media, "
                          "readonly, locking)", key);
        }
        g_free(key);
    }
    if (ok && !file && !cdrom)
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-drive: file= is missing");
    if (ok && floppy && cdrom)
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-drive: a floppy cannot be media=cdrom");
    if (ok)
        ok = opt_add_drive(cfg, floppy, index, file, cdrom, readonly, locking, format, "-drive",
                           errp);
    g_ptr_array_free(items, TRUE);
    return ok;
}

/* -boot [order=]LETTERS[,once=LETTERS][,menu=on|off][,splash-time=..,reboot-timeout=..] */
static bool opt_boot(const char *v, MachineConfig *cfg, GError **errp)
{
    if (!v[strspn(v, ",")])
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "-boot '%s': nothing given (a boot "
                        "order such as 'c', 'order=dc' or 'menu=on')", v);
    gchar **parts = g_strsplit(v, ",", -1);
    bool ok = true;
    for (gchar **p = parts; ok && *p; p++) {
        const char *it = *p, *order = NULL;
        if (!*it)
            continue;
        if (!strchr(it, '='))
            order = it;
        else if (g_str_has_prefix(it, "order="))
            order = it + 6;
        else if (g_str_has_prefix(it, "once="))
            order = it + 5;
        else if (g_str_has_prefix(it, "menu=")) {
            if (!opt_bool(it + 5, &cfg->boot_menu))
                ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-boot: bad menu '%s'", it + 5);
            continue;
        } else if (g_str_has_prefix(it, "splash-time=") || g_str_has_prefix(it, "splash=") ||
                   g_str_has_prefix(it, "reboot-timeout=") || g_str_has_prefix(it, "strict=")) {
            continue;                               /* accepted, no effect */
        } else {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-boot: '%s' is not supported "
                          "(order=, once=, menu=)", it);
            continue;
        }
        if (!*order || strspn(order, "abcdnop") != strlen(order) || strlen(order) > 8) {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                          "-boot: bad order '%s' (letters a = floppy, c = disk, d = CD-ROM, "
                          "n = network)", order);
            continue;
        }
        g_free(cfg->boot_order);
        cfg->boot_order = g_strdup(order);
    }
    g_strfreev(parts);
    return ok;
}

/* -hda..-hdd, -cdrom, -fda, -fdb, -drive, -snapshot, -boot */
static bool opt_disk(OptId id, const char *v, MachineConfig *cfg, GError **errp)
{
    switch (id) {
    case OPT_HDA: return opt_add_disk(cfg, false, 0, v, false, false, "-hda", errp);
    case OPT_HDB: return opt_add_disk(cfg, false, 1, v, false, false, "-hdb", errp);
    case OPT_HDC: return opt_add_disk(cfg, false, 2, v, false, false, "-hdc", errp);
    case OPT_HDD: return opt_add_disk(cfg, false, 3, v, false, false, "-hdd", errp);
    case OPT_CDROM: return opt_add_disk(cfg, false, 2, v, true, true, "-cdrom", errp);
    case OPT_FDA: return opt_add_disk(cfg, true, 0, v, false, false, "-fda", errp);
    case OPT_FDB: return opt_add_disk(cfg, true, 1, v, false, false, "-fdb", errp);
    case OPT_DRIVE: return opt_drive(v, cfg, errp);
    case OPT_BOOT: return opt_boot(v, cfg, errp);
    case OPT_SNAPSHOT: cfg->snapshot = true; return true;
    default: g_assert_not_reached();
    }
}

/* a file tx86 writes later (at exit, say): can it be written?  Told now,
 * not after the run.  A missing file is not created here. */
static bool opt_output_file_ok(const char *path, const char *opt, GError **errp)
{
    if (!*path)
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "%s: empty file name", opt);
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "%s '%s' is a directory", opt, path);
    gchar *dir = g_path_get_dirname(path);
    bool ok = true;
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "%s '%s': directory '%s' does not exist",
                      opt, path, dir);
    else if (access(g_file_test(path, G_FILE_TEST_EXISTS) ? path : dir, W_OK) != 0)
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "%s '%s': cannot write there: %s", opt,
                      path, g_strerror(errno));
    g_free(dir);
    return ok;
}

/* -monitor and -qmp: the back end's form is checked here, its options
 * and the socket when the monitor starts (src/monitor/server.c) */
static bool opt_monitor(OptId id, const char *v, MachineConfig *cfg, GError **errp)
{
    const char *opt = id == OPT_MONITOR ? "-monitor" : "-qmp";
    char **dst = id == OPT_MONITOR ? &cfg->monitor_dev : &cfg->qmp_dev;
    if (!strcmp(v, "none") || !strcmp(v, "null")) {
        g_free(*dst);
        *dst = NULL;
        return true;
    }
    bool ok = g_str_has_prefix(v, "unix:") || g_str_has_prefix(v, "tcp:") ||
              (id == OPT_MONITOR && !strcmp(v, "stdio"));
    if (!ok)
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "%s '%s' is not supported (%s"
                        "unix:PATH,server,nowait, tcp:[HOST]:PORT,server,nowait or none)",
                        opt, v, id == OPT_MONITOR ? "stdio, " : "");
    g_free(*dst);
    *dst = g_strdup(v);
    return true;
}

/*
 * -chardev BACKEND,id=ID[,...]: recorded as "ID=SPEC" with SPEC in the
 * legacy form -serial, -monitor and -qmp take (chardev.h, server.c), for
 * -mon chardev=ID[,mode=readline|control] and -serial chardev:ID, which
 * must come after it.  Back ends: socket (path= or host=/port=, server,
 * wait), stdio, file (path=), pty, null.
 */
static bool opt_chardev(const char *v, MachineConfig *cfg, GError **errp)
{
    gchar **parts = g_strsplit(v, ",", -1);
    const char *backend = parts[0], *id = NULL, *path = NULL, *host = NULL, *port = NULL;
    bool server = false, wait = true, ok = true;
    for (gchar **p = parts + 1; ok && *p; p++) {
        char *eq = strchr(*p, '=');
        const char *val = eq ? eq + 1 : "on";
        if (eq)
            *eq = 0;
        if (!strcmp(*p, "id"))
            id = val;
        else if (!strcmp(*p, "path"))
            path = val;
        else if (!strcmp(*p, "host"))
            host = val;
        else if (!strcmp(*p, "port"))
            port = val;
        else if (!strcmp(*p, "server") || !strcmp(*p, "wait"))
            *(**p == 's' ? &server : &wait) = !strcmp(val, "on") || !strcmp(val, "yes");
        else if (!strcmp(*p, "nowait"))
            wait = false;
        else if (!strcmp(*p, "signal") || !strcmp(*p, "logappend") || !strcmp(*p, "append"))
            ;                           /* no effect here */
        else
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-chardev: '%s' is not supported "
                          "(id, path, host, port, server, wait)", *p);
    }
    char *spec = NULL;
    if (ok && (!id || !*id))
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-chardev %s: give id=NAME", v);
    else if (ok && !strcmp(backend, "socket") && (path || (host && port)))
        spec = path ? g_strdup_printf("unix:%s%s%s", path, server ? ",server" : "",
                                      server && !wait ? ",nowait" : "")
                    : g_strdup_printf("tcp:%s:%s%s%s", host, port, server ? ",server" : "",
                                      server && !wait ? ",nowait" : "");
    else if (ok && !strcmp(backend, "file") && path)
        spec = g_strdup_printf("file:%s", path);
    else if (ok && (!strcmp(backend, "stdio") || !strcmp(backend, "pty") ||
                    !strcmp(backend, "null")))
        spec = g_strdup(backend);
    else if (ok)
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-chardev '%s' is not supported (socket with "
                      "path= or host=,port=; stdio; file,path=; pty; null)", backend);
    for (size_t i = 0; ok && i < G_N_ELEMENTS(cfg->chardevs); i++) {
        size_t n = strlen(id);
        if (cfg->chardevs[i] && !strncmp(cfg->chardevs[i], id, n) && cfg->chardevs[i][n] == '=') {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-chardev: id '%s' is used twice", id);
        } else if (!cfg->chardevs[i]) {
            cfg->chardevs[i] = g_strdup_printf("%s=%s", id, spec);
            break;
        } else if (i + 1 == G_N_ELEMENTS(cfg->chardevs)) {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-chardev: at most %zu",
                          G_N_ELEMENTS(cfg->chardevs));
        }
    }
    g_free(spec);
    g_strfreev(parts);
    return ok;
}

/* the SPEC of -chardev id=ID, or NULL (an error set) */
static const char *opt_chardev_spec(const MachineConfig *cfg, const char *opt, const char *id,
                                    GError **errp)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < G_N_ELEMENTS(cfg->chardevs) && cfg->chardevs[i]; i++)
        if (!strncmp(cfg->chardevs[i], id, n) && cfg->chardevs[i][n] == '=')
            return cfg->chardevs[i] + n + 1;
    opt_fail(errp, OPTIONS_ERROR_INVALID, "%s: no -chardev with id '%s' before it", opt, id);
    return NULL;
}

/* -mon chardev=ID[,mode=readline|control][,id=..][,pretty=on|off] */
static bool opt_mon(const char *v, MachineConfig *cfg, GError **errp)
{
    gchar **parts = g_strsplit(v, ",", -1);
    const char *dev = NULL;
    bool control = false, ok = true;
    for (gchar **p = parts; ok && *p; p++) {
        if (g_str_has_prefix(*p, "chardev="))
            dev = *p + 8;
        else if (!strcmp(*p, "mode=control"))
            control = true;
        else if (!strcmp(*p, "mode=readline"))
            control = false;
        else if (!g_str_has_prefix(*p, "id=") && !g_str_has_prefix(*p, "pretty="))
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-mon: '%s' is not supported "
                          "(chardev=ID, mode=readline|control)", *p);
    }
    const char *spec = NULL;
    if (ok && !dev)
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-mon %s: give chardev=ID", v);
    if (ok)
        ok = (spec = opt_chardev_spec(cfg, "-mon", dev, errp)) != NULL;
    if (ok)
        ok = opt_monitor(control ? OPT_QMP : OPT_MONITOR, spec, cfg, errp);
    g_strfreev(parts);
    return ok;
}

/* -name NAME or -name guest=NAME[,process=..][,debug-threads=..] */
static bool opt_name(const char *v, MachineConfig *cfg, GError **errp)
{
    gchar **parts = g_strsplit(v, ",", -1);
    bool ok = true;
    for (gchar **p = parts; ok && *p; p++) {
        const char *name = NULL;
        if (p == parts && !strchr(*p, '='))
            name = *p;
        else if (g_str_has_prefix(*p, "guest="))
            name = *p + 6;
        else if (!g_str_has_prefix(*p, "process=") && !g_str_has_prefix(*p, "debug-threads="))
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-name: '%s' is not supported "
                          "(NAME or guest=NAME)", *p);
        if (name) {
            g_free(cfg->name);
            cfg->name = g_strdup(name);
        }
    }
    g_strfreev(parts);
    return ok;
}

/* -tb-size N, -accel tcg,tb-size=N: MiB, as QEMU */
static bool opt_tb_size(const char *v, MachineConfig *cfg, GError **errp)
{
    char *end;
    guint64 n = g_ascii_strtoull(v, &end, 10);
    if (!*v || *end || n < 1 || n > 1024)
        return opt_fail(errp, OPTIONS_ERROR_INVALID,
                        "tb-size '%s': give the translation cache in MiB, 1 to 1024", v);
    cfg->tb_size = n << 20;
    return true;
}

/* -smp [cpus=]N[,maxcpus=,sockets=,dies=,clusters=,cores=,threads=]: every
 * count given must be 1 (an absent cpus= is 1 too) */
static bool opt_smp(const char *v, GError **errp)
{
    static const char *const keys[] = { "cpus", "maxcpus", "sockets", "dies", "clusters",
                                        "cores", "threads" };
    gchar **parts = g_strsplit(v, ",", -1);
    bool ok = true, more = false;
    if (!parts[0] || !*parts[0])
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-smp '%s': give a CPU count (-smp 1)", v);
    for (gchar **p = parts; ok && *p; p++) {
        const char *val = NULL;
        uint64_t n;
        if (p == parts && !strchr(*p, '='))
            val = *p;
        for (size_t k = 0; !val && k < G_N_ELEMENTS(keys); k++)
            if (g_str_has_prefix(*p, keys[k]) && (*p)[strlen(keys[k])] == '=')
                val = *p + strlen(keys[k]) + 1;
        if (!val)
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-smp: '%s' is not supported (cpus=, "
                          "maxcpus=, sockets=, dies=, clusters=, cores=, threads=)", *p);
        else if (!opt_parse_uint(val, &n) || n == 0)
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-smp: bad count in '%s'", *p);
        else if (n > 1)
            more = true;
    }
    g_strfreev(parts);
    if (ok && more)
        ok = opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "option '-smp' %s: tx86 emulates one "
                      "CPU; SMP comes later (use -smp 1)", v);
    return ok;
}

/* -vnc [HOST]:N, -vnc none, -display vnc=[HOST]:N (ui/vnc.c); QEMU's
 * further options (",password=on", "websocket=") are refused */
static bool opt_vnc(const char *v, MachineConfig *cfg, GError **errp)
{
    if (!strcmp(v, "none")) {
        g_clear_pointer(&cfg->vnc_host, g_free);
        return true;
    }
    const char *colon = strrchr(v, ':');
    if (!colon || strchr(v, ','))
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "-vnc %s: give [HOST]:N (port 5900+N) "
                        "or none%s", v, strchr(v, ',') ? "; VNC options (password, tls, "
                        "websocket ...) are not supported" : "");
    char *end;
    errno = 0;
    long n = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || n < 0 || n > 59635)
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "-vnc %s: the display number must be "
                        "0 to 59635 (port 5900+N)", v);
    g_free(cfg->vnc_host);
    cfg->vnc_host = g_strndup(v, (gsize)(colon - v));
    if (cfg->vnc_host[0] == '[' && colon > v + 1 && colon[-1] == ']') {
        memmove(cfg->vnc_host, cfg->vnc_host + 1, strlen(cfg->vnc_host) - 2);
        cfg->vnc_host[colon - v - 2] = 0;
    }
    cfg->vnc_display = (int)n;
    return true;
}

/* -display sdl[,full-screen=on|off][,window-close=..][,gl=off] */
static bool opt_display_sdl(const char *v, MachineConfig *cfg, GError **errp)
{
    char **parts = g_strsplit(v, ",", -1);
    bool ok = true;
    for (int i = 1; ok && parts[i]; i++) {
        const char *p = parts[i];
        if (!strcmp(p, "full-screen=on") || !strcmp(p, "full-screen=off"))
            cfg->full_screen = !strcmp(p, "full-screen=on");
        else if (strcmp(p, "gl=off") && strcmp(p, "window-close=on"))
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "-display sdl: '%s' is not supported "
                          "(full-screen=on|off)", p);
    }
    g_strfreev(parts);
    if (ok) {
        cfg->display_sdl = true;
        cfg->display_none = cfg->display_curses = false;
    }
    return ok;
}

/* the options of QEMU users' scripts (docs/qemu-compat.md) */
static bool opt_qemu_script(OptId id, const char *v, MachineConfig *cfg, GError **errp)
{
    switch (id) {
    case OPT_NODEFAULTS:            /* resolved at the end of options_parse */
        cfg->nodefaults = true;
        return true;
    case OPT_SMP:
        return opt_smp(v, errp);
    case OPT_PIDFILE:
        if (!opt_output_file_ok(v, "-pidfile", errp))
            return false;
        g_free(cfg->pidfile);
        cfg->pidfile = g_strdup(v);
        return true;
    case OPT_DAEMONIZE:
        cfg->daemonize = true;
        return true;
    case OPT_NOOP:                  /* -no-hpet: the PC has no HPET; -no-user-config:
                                     * tx86 reads no configuration file */
        return true;
    case OPT_KEYMAP:
        if (!strcmp(v, "en-us"))
            return true;
        return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "-k %s: only the en-us layout is "
                        "supported (keys reach the guest as PC scancodes, so set the layout in "
                        "the guest)", v);
    case OPT_USB:                   /* the UHCI at 00:01.2, as QEMU's usb=on */
        cfg->usb = true;
        return true;
    case OPT_USBDEVICE: {           /* implies usb=on, as in QEMU */
        static const struct { const char *name; int kind; } devs[] = {
            { "tablet", USB_HID_TABLET }, { "mouse", USB_HID_MOUSE },
            { "keyboard", USB_HID_KBD },
        };
        cfg->usb = true;
        for (size_t i = 0; i < G_N_ELEMENTS(devs); i++)
            if (!strcmp(v, devs[i].name))
                return opt_usb_device(devs[i].kind, v, NULL, cfg, errp);
        return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "-usbdevice %s: not supported (tablet, "
                        "mouse or keyboard)", v);
    }
    case OPT_NO_ACPI:
        return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "%s", OPT_NO_ACPI_MSG);
    case OPT_VNC:
        return opt_vnc(v, cfg, errp);
    case OPT_PARALLEL:              /* the PC has no parallel port */
        if (!strcmp(v, "none") || !strcmp(v, "null"))
            return true;
        return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED, "-parallel %s: there is no "
                        "parallel port yet (-parallel none)", v);
    default:
        g_assert_not_reached();
    }
}

static bool opt_one(const OptDesc *o, const char *v, MachineConfig *cfg, GError **errp)
{
    uint64_t n;
    GError *err = NULL;

    switch (o->id) {
    case OPT_MACHINE:
        return opt_machine(v, cfg, errp);
    case OPT_M:
        if (g_str_has_prefix(v, "size="))
            v += 5;
        if (!options_parse_size(v, &n, &err)) {
            opt_fail(errp, OPTIONS_ERROR_INVALID, "-m: %s", err->message);
            g_error_free(err);
            return false;
        }
        if (machine_ram_size_error(n))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-m %s: %s", v,
                            machine_ram_size_error(n));
        cfg->ram_size = (n + 4095) & ~(uint64_t)4095;
        return true;
    case OPT_BIOS:
        if (g_file_test(v, G_FILE_TEST_IS_DIR))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-bios '%s' is a directory, not a "
                            "firmware file", v);
        if (g_file_test(v, G_FILE_TEST_EXISTS) && !g_file_test(v, G_FILE_TEST_IS_REGULAR))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-bios '%s' is not a regular file", v);
        if (!g_file_test(v, G_FILE_TEST_IS_REGULAR))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "cannot find BIOS file '%s'", v);
        g_free(cfg->bios_path);
        cfg->bios_path = g_strdup(v);
        return true;
    case OPT_NOGRAPHIC:
        cfg->nographic = true;
        return true;
    case OPT_DISPLAY:
        if (!strcmp(v, "none")) {
            cfg->display_none = true;
            cfg->display_sdl = cfg->display_curses = false;
            return true;
        }
        if (!strcmp(v, "curses") || g_str_has_prefix(v, "curses,")) {
            cfg->display_curses = true;     /* ui/curses.c; ",charset=" ignored */
            cfg->display_sdl = cfg->display_none = false;
            return true;
        }
        if (!strcmp(v, "sdl") || g_str_has_prefix(v, "sdl,"))
            return opt_display_sdl(v, cfg, errp);
        if (!strcmp(v, "gtk") || !strcmp(v, "vnc") || !strcmp(v, "spice-app") ||
            !strcmp(v, "egl-headless") || !strcmp(v, "dbus") || !strcmp(v, "cocoa") ||
            g_str_has_prefix(v, "gtk,"))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "display '%s' is not available "
                            "(use -display sdl, -vnc :N, -display curses, -display none "
                            "or -nographic)", v);
        if (!strcmp(v, "default")) {
            cfg->display_none = cfg->display_curses = cfg->display_sdl = false;
            return true;
        }
        if (g_str_has_prefix(v, "vnc="))
            return opt_vnc(v + 4, cfg, errp);
        return opt_fail(errp, OPTIONS_ERROR_INVALID,
                        "display '%s' is not available (use -display sdl, -display none "
                        "or -nographic)", v);
    case OPT_FULL_SCREEN:
        cfg->full_screen = true;
        return true;
    case OPT_VGA:       /* vga.c, cirrus.c */
        cfg->vga_explicit = true;
        if (!strcmp(v, "std") || !strcmp(v, "cirrus")) {
            cfg->vga_none = false;
            cfg->vga_cirrus = !strcmp(v, "cirrus");
            return true;
        }
        if (!strcmp(v, "none")) {
            cfg->vga_none = true;
            return true;
        }
        return opt_fail(errp, OPTIONS_ERROR_INVALID,
                        "-vga '%s' is not supported (std, cirrus or none)", v);
    case OPT_SCREENSHOT:
        if (!opt_output_file_ok(v, "--screenshot", errp))
            return false;
        g_free(cfg->screenshot);
        cfg->screenshot = g_strdup(v);
        return true;
    case OPT_SCREENDUMP_TEXT:
        if (strcmp(v, "-") && !opt_output_file_ok(v, "--screendump-text", errp))
            return false;
        g_free(cfg->screendump_text);
        cfg->screendump_text = g_strdup(v);
        return true;
    case OPT_SERIAL:    /* first -serial: COM1, then COM2..COM4 (chardev.h) */
        if (g_str_has_prefix(v, "chardev:") &&
            !(v = opt_chardev_spec(cfg, "-serial", v + 8, errp)))
            return false;
        if (!chardev_spec_check(v, &err)) {
            opt_fail(errp, OPTIONS_ERROR_INVALID, "%s", err->message);
            g_error_free(err);
            return false;
        }
        if (!cfg->serial) {
            cfg->serial = g_strdup(v);
            return true;
        }
        for (int i = 0; i < 3; i++) {
            if (!cfg->serial_more[i]) {
                cfg->serial_more[i] = g_strdup(v);
                return true;
            }
        }
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "-serial: at most 4 serial ports");
    case OPT_DEBUGCON:
        return opt_debugcon(v, cfg, errp);
    case OPT_DEVICE:
        return opt_device(v, cfg, errp);
    case OPT_NETDEV:
        return opt_net("netdev", v, cfg, errp);
    case OPT_NIC:
        return opt_net("nic", v, cfg, errp);
    case OPT_NET:
        return opt_net("net", v, cfg, errp);
    case OPT_NO_REBOOT:
        cfg->no_reboot = true;
        return true;
    case OPT_PERFMAP:
        cfg->perfmap = true;
        return true;
    case OPT_D:
        if (!strcmp(v, "help") || !strcmp(v, "?")) {
            log_list_items(stdout);
            return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "help printed");
        }
        if (!log_parse_items(v, &cfg->log_items, &err)) {
            opt_fail(errp, OPTIONS_ERROR_INVALID, "-d: %s", err->message);
            g_error_free(err);
            return false;
        }
        return true;
    case OPT_LOGFILE:
        g_free(cfg->log_path);
        cfg->log_path = g_strdup(v);
        return true;
    case OPT_ACCEL: {
        if (strcmp(v, "tcg") && !g_str_has_prefix(v, "tcg,"))
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "accelerator '%s' is not supported (only tcg)", v);
        gchar **parts = g_strsplit(v, ",", -1);
        bool ok = true;
        for (gchar **p = parts + 1; ok && *p; p++)
            if (g_str_has_prefix(*p, "tb-size="))
                ok = opt_tb_size(*p + 8, cfg, errp);     /* other properties: ignored */
        g_strfreev(parts);
        return ok;
    }
    case OPT_TB_SIZE:
        return opt_tb_size(v, cfg, errp);
    case OPT_ENABLE_KVM:
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "KVM is not supported: tx86 translates "
                        "guest code itself (only tcg; drop -enable-kvm or use -accel tcg)");
    case OPT_BACKEND:
        if (!strcmp(v, "interp")) {
            cfg->backend = BACKEND_INTERP;
            return true;
        }
        if (!strcmp(v, "native")) {
            if (!TX86_NATIVE_BACKEND)
                return opt_fail(errp, OPTIONS_ERROR_INVALID,
                                "--backend=native: this tx86 was built without the native "
                                "backend (x86-64 hosts only)");
            cfg->backend = BACKEND_NATIVE;
            return true;
        }
        return opt_fail(errp, OPTIONS_ERROR_INVALID,
                        "--backend: '%s' is not a backend (native or interp)", v);
    case OPT_INCOMING:                        /* savevm.c */
        if (!g_str_has_prefix(v, "file:") && !g_str_has_prefix(v, "exec:") &&
            !g_str_has_prefix(v, "tcp:") && !g_str_has_prefix(v, "unix:") &&
            strcmp(v, "defer"))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-incoming: '%s': tx86 loads a "
                            "state from file:PATH, exec:COMMAND, tcp:HOST:PORT or "
                            "unix:PATH, or waits for migrate_incoming (defer)", v);
        g_free(cfg->incoming);
        cfg->incoming = g_strdup(v);
        return true;
    case OPT_LOADVM:                          /* snapshot.c */
        g_free(cfg->loadvm);
        cfg->loadvm = g_strdup(v);
        return true;
    case OPT_SNAPSHOT_DIR:
        if (!g_file_test(v, G_FILE_TEST_IS_DIR))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "--snapshot-dir: '%s' is not a "
                            "directory", v);
        g_free(cfg->snapshot_dir);
        cfg->snapshot_dir = g_strdup(v);
        return true;
    case OPT_SAVE_AT: {                       /* N:PATH */
        const char *colon = strchr(v, ':');
        g_autofree char *num = colon ? g_strndup(v, (gsize)(colon - v)) : NULL;
        if (!colon || !colon[1] || !opt_parse_uint(num, &n) || n == 0)
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "--save-at: '%s' is not N:PATH with N > 0", v);
        cfg->save_at = n;
        g_free(cfg->save_at_path);
        cfg->save_at_path = g_strdup(colon + 1);
        return true;
    }
    case OPT_MAX_INSNS:
        if (!opt_parse_uint(v, &n))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "--max-insns: invalid count '%s'", v);
        cfg->max_insns = n;
        return true;
    case OPT_SEABIOS_LOG:                     /* same back ends as -debugcon */
        if (strcmp(v, "stdio") && !g_str_has_prefix(v, "file:"))
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "--seabios-log '%s' is not supported (stdio or file:PATH)", v);
        g_free(cfg->seabios_log);
        cfg->seabios_log = g_strdup(v);
        return true;
    case OPT_HELP:
        options_usage(stdout);
        return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "help printed");
    case OPT_VERSION:
        printf("tx86 version %s\n", TX86_VERSION);
        return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "version printed");
    case OPT_CPU:
        return opt_cpu(v, cfg, errp);
    case OPT_KERNEL:
    case OPT_INITRD: {
        const char *file = v;
        gchar *first = NULL;
        if (o->id == OPT_INITRD)    /* multiboot modules: "file args,file" */
            file = first = g_strndup(v, strcspn(v, ", "));
        bool found = g_file_test(file, G_FILE_TEST_IS_REGULAR);
        g_free(first);
        if (!found)
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "-%s: cannot find '%s'", o->name, v);
        char **dst = o->id == OPT_KERNEL ? &cfg->kernel_path : &cfg->initrd_path;
        g_free(*dst);
        *dst = g_strdup(v);
        return true;
    }
    case OPT_APPEND:
        g_free(cfg->append);
        cfg->append = g_strdup(v);
        return true;
    case OPT_GDB: case OPT_GDB_S: case OPT_GDB_WAIT: case OPT_ICOUNT:
    case OPT_TRACE: case OPT_DFILTER:
        return opt_debugging(o->id, v, cfg, errp);
    case OPT_RTC:
        return opt_rtc(v, cfg, errp);
    case OPT_HDA: case OPT_HDB: case OPT_HDC: case OPT_HDD: case OPT_CDROM:
    case OPT_FDA: case OPT_FDB: case OPT_DRIVE: case OPT_SNAPSHOT: case OPT_BOOT:
        return opt_disk(o->id, v, cfg, errp);
    case OPT_MONITOR: case OPT_QMP:
        return opt_monitor(o->id, v, cfg, errp);
    case OPT_CHARDEV:
        return opt_chardev(v, cfg, errp);
    case OPT_MON:
        return opt_mon(v, cfg, errp);
    case OPT_NAME:
        return opt_name(v, cfg, errp);
    case OPT_NODEFAULTS: case OPT_SMP: case OPT_PIDFILE: case OPT_DAEMONIZE:
    case OPT_NOOP: case OPT_KEYMAP: case OPT_USB: case OPT_USBDEVICE: case OPT_NO_ACPI:
    case OPT_VNC:
    case OPT_PARALLEL:
        return opt_qemu_script(o->id, v, cfg, errp);
    case OPT_LATER:
        return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED,
                        "option '-%s' is not supported yet", o->name);
    }
    g_assert_not_reached();
}

/* the table's entry for the len bytes at name, or NULL */
static const OptDesc *opt_find(const char *name, size_t len)
{
    for (size_t k = 0; k < G_N_ELEMENTS(opt_table); k++)
        if (strlen(opt_table[k].name) == len && !strncmp(opt_table[k].name, name, len))
            return &opt_table[k];
    return NULL;
}

/* "--NAME[=...]" with NAME in the table: an option, not a value (so
 * "--screendump-text --version" does not write a file named --version) */
static bool opt_is_option(const char *arg)
{
    if (arg[0] != '-' || arg[1] != '-')
        return false;
    return opt_find(arg + 2, strcspn(arg + 2, "=")) != NULL;
}

/* -daemonize: the daemon has no terminal, so nothing may use stdio (as
 * QEMU, which also refuses -nographic's stdio console) */
static bool opt_daemonize_ok(const MachineConfig *cfg, GError **errp)
{
    const char *what = NULL, *hint = "";
    if (cfg->nographic && !cfg->nodefaults && !cfg->serial) {
        what = "-nographic";
        hint = ": it puts COM1 and the monitor on stdio; add -serial FILE or -nodefaults";
    }
    if (cfg->display_curses)
        what = "-display curses";
    if (cfg->display_sdl)
        what = "-display sdl";
    for (int i = 0; !what && i < 4; i++) {
        const char *s = i ? cfg->serial_more[i - 1] : cfg->serial;
        if (s && (!strcmp(s, "stdio") || !strcmp(s, "mon:stdio")))
            what = "-serial stdio";
    }
    if (!what && cfg->monitor_dev && !strcmp(cfg->monitor_dev, "stdio"))
        what = "-monitor stdio";
    if (!what && cfg->debugcon && !strcmp(cfg->debugcon, "stdio"))
        what = "-debugcon stdio";
    if (!what && cfg->seabios_log && !strcmp(cfg->seabios_log, "stdio"))
        what = "--seabios-log stdio";
    if (!what && cfg->screendump_text && !strcmp(cfg->screendump_text, "-"))
        what = "--screendump-text -";
    if (what)
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "%s cannot be used with -daemonize "
                        "(the daemon has no terminal%s)", what, hint);
    return true;
}

bool options_parse(int argc, char **argv, MachineConfig *cfg, GError **errp)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !arg[1])
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "unexpected argument '%s' (a disk image needs -hda FILE or -drive file=FILE)",
                            arg);
        const char *name = arg + (arg[1] == '-' ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const OptDesc *o = opt_find(name, len);
        if (!o)
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "unknown option '%.*s' (try --help)", (int)(len + (name - arg)), arg);
        const char *val = NULL;
        if (o->has_arg) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc && o->id != OPT_APPEND && opt_is_option(argv[i + 1]))
                return opt_fail(errp, OPTIONS_ERROR_INVALID, "option '%.*s' requires an "
                                "argument (got the option '%s'; for a file of that name "
                                "write ./%s)", (int)(len + (name - arg)), arg, argv[i + 1],
                                argv[i + 1]);
            else if (i + 1 < argc)
                val = argv[++i];
            else if (o->id != OPT_LATER)
                return opt_fail(errp, OPTIONS_ERROR_INVALID,
                                "option '-%s' requires an argument", o->name);
        } else if (eq) {
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "option '-%s' takes no argument", o->name);
        }
        if (!opt_one(o, val, cfg, errp))
            return false;
    }
    if (cfg->nodefaults && !cfg->vga_explicit)  /* no VGA unless -vga / -device VGA|cirrus-vga */
        cfg->vga_none = true;
    if (cfg->daemonize && !opt_daemonize_ok(cfg, errp))
        return false;
    if (!opt_usb_check(cfg, errp))
        return false;
    if ((cfg->initrd_path || cfg->append) && !cfg->kernel_path)   /* as QEMU */
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "-%s only allowed with -kernel option",
                        cfg->initrd_path ? "initrd" : "append");
    return true;
}
