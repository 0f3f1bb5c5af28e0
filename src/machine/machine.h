/*
 * machine.h - one emulated PC: memory, I/O bus, clock, CPU, devices.
 *
 * machine_new() builds the machine described by MachineConfig (parsed
 * from the command line in options.c); machine_run() is the main loop:
 * run the CPU in slices between timer deadlines, poll host I/O, and sleep
 * while the guest halts with interrupts enabled.
 */
#ifndef TX86_MACHINE_H
#define TX86_MACHINE_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "bus/memory.h"
#include "bus/ioport.h"
#include "bus/clock.h"
#include "bus/irq.h"
#include "bus/host.h"
#include "bus/buses.h"
#include "cpu-x86/cpu.h"

struct Translator;

typedef enum BackendKind { BACKEND_NATIVE, BACKEND_INTERP } BackendKind;

typedef struct MachineConfig {
    const char *machine_type;     /* "pc" */
    uint64_t ram_size;            /* bytes, -m */
    char *bios_path;              /* -bios */
    char *debugcon;               /* -debugcon: "stdio", "file:PATH", NULL */
    char *serial;                 /* -serial: COM1's back end (chardev.h), NULL = none */
    char *serial_more[3];         /* further -serial options: COM2..COM4 */
    bool nographic;
    bool display_none;
    bool display_curses;          /* -display curses: the text screen in the terminal (ui/curses.c) */
    bool display_sdl;             /* -display sdl: a window (ui/sdl.c); the default when
                                   * $DISPLAY is set and no other display was asked for */
    bool full_screen;             /* -full-screen / -display sdl,full-screen=on */
    char *vnc_host;               /* -vnc HOST:N: the interface ("" = all), NULL = no VNC */
    int vnc_display;              /* -vnc :N: port 5900 + N (ui/vnc.c) */
    bool vga_none;                /* -vga none: no VGA adapter (vga.c) */
    bool vga_explicit;            /* -vga or -device VGA given (-nodefaults keeps it) */
    bool vga_cirrus;              /* -vga cirrus, -device cirrus-vga: CL-GD5446 (cirrus.c) */
    bool vmport_off;              /* -machine vmport=off: no VMware backdoor (vmport.c) */
    bool nodefaults;              /* -nodefaults: no VGA, COM1 or monitor unless asked for */
    char *pidfile;                /* -pidfile FILE: tx86's pid, removed at exit (main.c) */
    bool daemonize;               /* -daemonize: detach once the machine is built (main.c) */
    char *screenshot;             /* --screenshot FILE: PNG of the screen at exit (ui/screenshot.c) */
    char *screendump_text;        /* --screendump-text FILE|-: the text screen at exit */
    bool no_reboot;
    bool perfmap;            /* -perfmap: /tmp/perf-PID.map for perf */
    bool has_debug_exit;          /* -device isa-debug-exit */
    uint32_t debug_exit_iobase, debug_exit_iosize;
    BackendKind backend;
    uint64_t tb_size;             /* -tb-size / -accel tcg,tb-size=: translation cache
                                     bytes, 0 = machine_tb_size(ram_size) */
    uint64_t max_insns;           /* --max-insns, 0 = unlimited */
    unsigned log_items;           /* -d mask (LOG_*), applied by main */
    char *log_path;               /* -D FILE, NULL = stderr */
    const struct CPUModel *cpu_model; /* -cpu (cpuid.h), NULL = the default model */
    /* OS debugging (src/debug/, docs/debugging.md) */
    char *gdb_dev;                /* -gdb DEV / -s: "tcp::1234", "unix:PATH", NULL = none */
    bool gdb_wait;                /* -S: stopped before the first instruction */
    bool icount;                  /* -icount: virtual time = instructions << icount_shift */
    int icount_shift;
    bool icount_sleep;            /* sleep=on: a halted CPU's idle time passes on the host
                                     too (default with rr=record; else time jumps) */
    /* record and replay (-icount ...,rr=record|replay,rrfile=F; replay.c) */
    int rr_mode;                  /* ReplayMode (replay.h), 0 = off */
    char *rr_file;                /* rrfile=: the input log */
    uint64_t rr_checkpoint;       /* rrcheckpoint=N: instructions between the replay's
                                     checkpoints for reverse execution (0 = default) */
    char *trace_path;             /* --trace FILE: binary execution trace */
    /* disks (-hda..-hdd, -cdrom, -fda/-fdb, -drive; block.c, ide.c, fdc.c) */
    char *ide_file[4];            /* IDE index 0-3 = primary master/slave, secondary m/s */
    bool ide_cdrom[4];            /* media=cdrom (-cdrom is index 2) */
    bool ide_readonly[4];         /* readonly=on (CD-ROMs are always read-only) */
    char *fd_file[2];             /* -fda, -fdb, -drive if=floppy */
    bool fd_readonly[2];
    int ide_locking[4];           /* -drive locking=: BlockLocking (block.h), 0 = auto */
    int fd_locking[2];
    int ide_format[4];            /* -drive format=: ImageFormat (block/image.h), 0 = probe */
    int fd_format[2];
    bool snapshot;                /* -snapshot: writes kept in memory */
    char *boot_order;             /* -boot order=: drive letters "a", "c", "d", "n"..., NULL = default */
    bool boot_menu;               /* -boot menu=on */
    /* direct kernel boot (loader.c) */
    char *kernel_path;            /* -kernel */
    char *initrd_path;            /* -initrd (multiboot: modules "a args,b") */
    char *append;                 /* -append */
    /* the RTC's starting time (-rtc base=; mc146818.c) */
    int rtc_base;                 /* RTC_BASE_UTC (0, default), _LOCALTIME, _DATE */
    int64_t rtc_date;             /* base=DATE: seconds since 1970 the RTC starts at */
    /* firmware (fw_cfg.c, pc.c) */
    char *seabios_log;            /* --seabios-log: port 0x402 console, "stdio"/"file:PATH" */
    /* the monitor and QMP (src/monitor/, docs/monitor.md) */
    char *monitor_dev;            /* -monitor: "stdio", "unix:PATH,server,nowait", "tcp:..." */
    char *qmp_dev;                /* -qmp: "unix:PATH,server,nowait", "tcp:HOST:PORT,..." */
    char *chardevs[8];            /* -chardev: "ID=SPEC", SPEC in -serial's form ("unix:PATH,
                                     server,nowait", "stdio", "file:PATH" ...), for -mon
                                     chardev=ID and -serial chardev:ID (options.c) */
    char *name;                   /* -name: the guest's name (query-name) */
    /* network (-netdev, -nic, -net, -device NIC): "KIND:VALUE" (net/net_opts.h) */
    char *net_opts[16];
    /* USB (uhci.c, usb_hid.c; docs/devices.md) */
    bool usb;                     /* -usb, -machine usb=on, -usbdevice: UHCI at 00:01.2 */
    bool usb_uhci_device;         /* -device piix3-usb-uhci: UHCI at the first free slot */
    char usb_uhci_id[32];         /* its id= ("" = none): its bus is "ID.0" */
    int usb_devs[2];              /* -device usb-tablet|usb-mouse|usb-kbd, -usbdevice:
                                     USBHidKind (usb_hid.h), in command line order */
    int usb_dev_port[2];          /* their port= (1, 2), 0 = the next free one */
    char usb_dev_bus[2][40];      /* their bus= ("" = any), checked by options.c */
    int n_usb_devs;
    /* saved state (savevm.c, docs/savevm.md) */
    char *incoming;               /* -incoming URI: load this state before running */
    char *loadvm;                 /* -loadvm NAME: start from this snapshot (snapshot.c) */
    char *snapshot_dir;           /* --snapshot-dir DIR: state files of machines without
                                     a qcow2 drive (snapshot.c) */
    char *save_at_path;           /* --save-at N:PATH: save the state when the */
    uint64_t save_at;             /* instruction count reaches N (0 = never) */
} MachineConfig;

/* what a stopped, resumed, reset or ending machine tells its listeners
 * (the monitor's QMP events; machine_add_listener) */
typedef enum MachineEvent {
    MACHINE_EVENT_STOP,           /* machine_stop: the CPU no longer runs */
    MACHINE_EVENT_RESUME,         /* machine_cont */
    MACHINE_EVENT_RESET,          /* a system reset happened; reason as QEMU's */
    MACHINE_EVENT_POWERDOWN,      /* the ACPI power button was pressed */
    MACHINE_EVENT_SHUTDOWN,       /* machine_run is returning; reason as QEMU's */
} MachineEvent;
/* reason: QEMU's ShutdownCause names ("guest-shutdown", "host-qmp-quit",
 * "guest-reset", "host-qmp-system-reset", ...), NULL for STOP, RESUME,
 * POWERDOWN */
typedef void (*MachineListener)(void *opaque, MachineEvent ev, const char *reason);

typedef struct Machine {
    MachineConfig cfg;
    BusHost host;                 /* what devices ask of the machine (bus/host.h) */
    PhysMem *mem;
    IOBus *io;
    VirtClock clock;
    CPUState cpu;
    struct Translator *tr;
    Buses bus;                    /* mem, io, clock, host: what devices are built on
                                   * (bus/buses.h), filled before any device */
    IrqLine cpu_intr;             /* the CPU's INTR pin (the local APIC takes it over as LINT0) */
    IrqLine a20;                  /* the CPU's A20 gate (level 1 = on), driven by the
                                   * i8042 output port and port 92 (pc.c) */
    bool shutdown_requested;
    int exit_status;              /* status tx86 exits with */
    void *devices;                /* device-owned state list (machine.c) */
    struct PCDevices *pc;         /* the PC platform's chips (pc.h), NULL on bare machines */
    struct DisplayState *display; /* ui/display.c: the window and VNC's core, NULL = none */
    struct GdbStub *gdb;          /* -gdb/-s (debug/gdbstub.c), NULL = none */
    void *host_fds;               /* host input watched by the main loop (GArray, machine.c) */
    int64_t host_poll_last;       /* host monotonic ns of the last non-blocking poll */
    uint64_t slice_rate;          /* guest instructions per host ms, measured (machine_run) */
    bool reset_requested;         /* machine_request_reset() */
    /* run state (monitor stop/cont): a stopped machine runs no CPU and no
     * virtual time; the main loop only serves host fds */
    bool stopped;
    const char *reset_reason;     /* of the pending reset (MachineListener) */
    const char *shutdown_reason;  /* of the pending shutdown */
    void *listeners;              /* GArray of MachineListenerEntry (machine.c) */
    void *states;                 /* GPtrArray: the saved-state sections (savevm.c) */
    struct {                      /* the last outgoing migration (query-migrate) */
        const char *status;       /* NULL (none), "active", "completed", "failed" */
        int64_t total_ms;
        int64_t downtime_ms;      /* the machine stopped for the last copy */
        int64_t setup_ms;
        uint64_t bytes;           /* the stream's size */
        uint64_t ram_bytes;       /* RAM it carried */
        uint64_t pages;           /* RAM pages sent (all rounds) */
        uint64_t rounds;          /* passes over dirty RAM */
        uint64_t remaining;       /* dirty bytes not sent yet */
        int64_t downtime_limit_ms;/* migrate_set_parameter downtime-limit (300) */
        char *error;              /* of a failed one */
    } migration;
    void *mig_out;                /* the running live migration (savevm.c), NULL = none */
    struct ReplayState *rr;       /* record or replay (replay.c), NULL = neither */
} Machine;

/* RAM limits (-m, machine_new): defined here only */
#define MACHINE_DEFAULT_RAM   (128ull << 20)
#define MACHINE_MIN_RAM       (1ull << 20)
#define MACHINE_MAX_RAM       (3ull << 30)    /* below the PCI/ROM hole */
/* NULL when bytes is a RAM size machine_new accepts, else the one message
 * (-m and machine_new both show it) */
const char *machine_ram_size_error(uint64_t bytes);
/* the default translation cache for a RAM size: half of it, 64..512 MiB */
uint64_t machine_tb_size(uint64_t ram_size);

void machine_config_init(MachineConfig *cfg);   /* defaults */
/* dst = a deep copy of src (every string duplicated); dst is overwritten,
 * not cleared first */
void machine_config_copy(MachineConfig *dst, const MachineConfig *src);
void machine_config_clear(MachineConfig *cfg);  /* frees the strings */

Machine *machine_new(const MachineConfig *cfg, GError **errp);
/* RAM, the buses, the CPU and the translator (interpreter) but no firmware
 * and no board: the base unit tests and fuzz harnesses add chips to */
Machine *machine_new_bare(uint64_t ram_size, GError **errp);
void     machine_free(Machine *m);
/* run until the guest exits (debug-exit, shutdown, --max-insns);
 * returns the process exit status */
int      machine_run(Machine *m);
void     machine_request_shutdown(Machine *m, int status);
/* a replay going to an instruction count for the debugger (replay.c,
 * the gdb stub's reverse execution): run until the count is icount and
 * the next instruction is about to run (a halted CPU has taken the
 * interrupt that wakes it),
 * without host input, the gdb stub or the monitor.  Returns
 * MACHINE_RUN_REACHED, MACHINE_RUN_DEBUG (a gdb breakpoint or watchpoint
 * stopped the CPU first) or MACHINE_RUN_ENDED (the guest or the
 * recording ended first) */
enum { MACHINE_RUN_REACHED, MACHINE_RUN_DEBUG, MACHINE_RUN_ENDED };
int      machine_run_until(Machine *m, uint64_t icount);
/* reset CPU and devices, keep RAM (triple fault without -no-reboot) */
void     machine_reset(Machine *m);
/* a device asks for a system reset (i8042 pulse, output port bit 0):
 * the main loop does it after the current instruction, or ends tx86 with
 * status 0 under -no-reboot (as QEMU) */
void     machine_request_reset(Machine *m);
/* a device's state joins the machine: freed with it (free_fn) and reset
 * by machine_reset() (reset_fn, may be NULL) */
void     machine_register_device(Machine *m, void *state, void (*free_fn)(void *),
                                 void (*reset_fn)(void *));
/* a device (re)armed a timer from a guest I/O access: end the CPU slice
 * at the next instruction boundary so the main loop sizes the next one
 * by the new deadline (I/O instructions end their block unchained) */
static inline void machine_timers_changed(Machine *m) { m->cpu.exit_request = 1; }

/* run state, for the monitor (src/monitor/): stop and cont tell the
 * listeners (STOP/RESUME) when the state changes; a stopped machine keeps
 * serving host input and reacts to resets and shutdowns */
void     machine_stop(Machine *m);
void     machine_cont(Machine *m);
/* a system reset at the next main-loop turn, with QEMU's reason
 * ("host-qmp-system-reset"); under -no-reboot tx86 ends instead */
void     machine_request_reset_reason(Machine *m, const char *reason);
/* end machine_run with status and reason ("host-qmp-quit") */
void     machine_request_shutdown_reason(Machine *m, int status, const char *reason);
/* press the ACPI power button (PIIX4 PM: PWRBTN_STS and the SCI); false
 * when the machine has no ACPI PM device */
bool     machine_powerdown(Machine *m);
void     machine_add_listener(Machine *m, MachineListener fn, void *opaque);
void     machine_remove_listener(Machine *m, MachineListener fn, void *opaque);

/* host input watched by the main loop: HostFdWatch (bus/host.h) */
void     machine_watch_fd(Machine *m, const HostFdWatch *w);
void     machine_unwatch_fd(Machine *m, int fd, void *opaque);
/* poll the watched fds once, waiting up to timeout_ns (0: don't wait);
 * returns true if any handler ran */
bool     machine_poll_host(Machine *m, int64_t timeout_ns);

#endif
