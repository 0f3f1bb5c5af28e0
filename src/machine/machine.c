/*
 * machine.c - assembles one PC and runs it (see machine.h).
 *
 * machine_new() builds, in this order:
 *   physical memory   RAM at 0 (-m, default 128 MiB); with -bios the whole
 *                     image at 4 GiB - size and its last 128 KiB (or all of
 *                     a 64 KiB image) again just below 1 MiB (0xE0000-0xFFFFF)
 *   I/O bus, clock    empty port table; host-monotonic virtual clock;
 *                     Machine.bus (bus/buses.h) names them and the host
 *                     services for the devices
 *   devices           debugcon (port 0xE9) and isa-debug-exit when asked for
 *   CPU               cpu_init + cpu_reset (F000:FFF0), INTR pin as cpu_intr
 *   translator        the x86 front end + the interpreter or native backend
 * Without -bios it is a RAM-only machine (no devices unless configured):
 * the unit, front-end and differential test harnesses use it that way,
 * filling the CPU state themselves.
 *
 * machine_run() is the main loop:
 *     loop: shutdown requested?  -> return exit_status
 *           reset requested?     -> machine_reset (listeners: RESET)
 *           stopped (monitor)?   -> poll host fds only, up to 100 ms
 *           fire expired timers
 *           host input?   every ~1 ms: poll the watched fds (serial
 *                         back ends, machine_watch_fd), non-blocking
 *           CPU halted?   IF=1 and something can wake it -> sleep (nanosleep,
 *                         or poll on the watched fds) until the next
 *                         deadline; otherwise stop (status kept, 0 unless
 *                         debug-exit set one)
 *           cpu_exec(slice)  slice bounded by --max-insns and by an
 *                            estimate of how many instructions fit before
 *                            the next timer deadline
 *           triple fault -> -no-reboot: message, status 0 (as QEMU);
 *                           else machine_reset() and go on from the reset
 *                           vector (RAM kept, like a PC's shutdown reset)
 * Run state for the monitor (src/monitor/): machine_stop/machine_cont
 * pause the CPU and the virtual clock; stop, resume, reset, the power
 * button and the final shutdown reach MachineListeners (QMP events).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <time.h>
#include "config.h"
#include "machine/machine.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/translate.h"
#include "cpu-x86/mem.h"
#include "translator/translator.h"
#include "devices/debugcon.h"
#include "devices/isa_debug_exit.h"
#include "machine/pc.h"
#include "machine/debug_machine.h"
#include "machine/savevm.h"
#include "machine/replay.h"
#include "debug/gdbstub.h"
#include "devices/piix4_pm.h"
#include "util/log.h"

#define MACHINE_BIOS_MAX      (16u << 20)
#define MACHINE_BIOS_ALIGN    (64u << 10)
#define MACHINE_LOW_BIOS_SIZE (128u << 10)    /* shadow below 1 MiB */

/* slices are sized by the guest instructions per host ms that recent
 * slices ran (Machine.slice_rate), starting from ~100 MIPS, so a timer
 * deadline ends a slice close to its time whatever the host's speed */
#define SLICE_RATE_INIT       100000
#define SLICE_RATE_MIN        1000
#define SLICE_RATE_MAX        10000000
#define SLICE_MIN             1000
#define SLICE_MAX             (10u * 1000 * 1000)
/* host fds polled at once: serial ports, gdb, the monitor's and QMP's
 * listeners and their clients (8 each) fit */
#define MACHINE_MAX_WATCH     64

typedef struct MachineDevice {
    void *state;
    void (*free_fn)(void *state);
    void (*reset_fn)(void *state);  /* machine_reset(); NULL: nothing to reset */
} MachineDevice;

static MachineDevice *machine_add_device(Machine *m, void *state, void (*free_fn)(void *))
{
    MachineDevice *d = g_new0(MachineDevice, 1);
    d->state = state;
    d->free_fn = free_fn;
    m->devices = g_slist_prepend(m->devices, d);   /* freed in reverse order */
    return d;
}

void machine_register_device(Machine *m, void *state, void (*free_fn)(void *),
                             void (*reset_fn)(void *))
{
    machine_add_device(m, state, free_fn)->reset_fn = reset_fn;
}

static void machine_free_device(gpointer data)
{
    MachineDevice *d = data;
    d->free_fn(d->state);
    g_free(d);
}

/* the CPU's INTR pin: the interrupt controller drives it */
static void machine_cpu_intr(void *opaque, int n, int level)
{
    Machine *m = opaque;
    if (level)
        m->cpu.interrupt_request |= CPU_INTERRUPT_HARD;
    else
        m->cpu.interrupt_request &= ~CPU_INTERRUPT_HARD;
}

static void machine_translate(void *fe, void *env, TranslationBlock *tb, IRBlock *ir)
{
    x86_translate_block(fe, env, tb, ir);
}

static bool machine_load_bios(Machine *m, const char *path, GError **errp)
{
    gchar *data;
    gsize len;
    if (!g_file_get_contents(path, &data, &len, errp))
        return false;
    if (len == 0 || len > MACHINE_BIOS_MAX || len % MACHINE_BIOS_ALIGN) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "BIOS '%s' is %zu bytes: it must be a non-zero multiple of 64 KiB "
                    "and at most 16 MiB", path, (size_t)len);
        g_free(data);
        return false;
    }
    uint32_t size = (uint32_t)len;
    uint32_t low = MIN(size, MACHINE_LOW_BIOS_SIZE);
    bool ok = physmem_add_rom(m->mem, (uint32_t)(0x100000000ull - size), (uint8_t *)data, size)
              && physmem_add_rom(m->mem, 0x100000 - low, (uint8_t *)data + size - low, low);
    g_free(data);
    if (!ok)
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot map BIOS '%s'", path);
    return ok;
}

static bool machine_add_devices(Machine *m, GError **errp)
{
    const MachineConfig *c = &m->cfg;
    if (c->debugcon) {
        DebugconState *s = debugcon_init(&m->bus, 0xe9, c->debugcon, "-debugcon", errp);
        if (!s)
            return false;
        machine_add_device(m, s, (void (*)(void *))debugcon_free)->reset_fn =
            (void (*)(void *))debugcon_reset;
    }
    if (c->has_debug_exit) {
        DebugExitState *s = isa_debug_exit_init(&m->bus, (uint16_t)c->debug_exit_iobase,
                                                c->debug_exit_iosize, errp);
        if (!s)
            return false;
        machine_add_device(m, s, (void (*)(void *))isa_debug_exit_free);
    }
    return true;
}

/* every string MachineConfig owns, by offset: machine_config_copy
 * duplicates them, machine_config_clear frees them (a new char * field
 * goes here and nowhere else) */
#define CFG_STR(f)      offsetof(MachineConfig, f)
static const struct { size_t off; int n; } config_strings[] = {
    { CFG_STR(bios_path), 1 },
    { CFG_STR(debugcon), 1 },
    { CFG_STR(serial), 1 },
    { CFG_STR(serial_more), 3 },
    { CFG_STR(screenshot), 1 },                   /* ui/screenshot.c */
    { CFG_STR(screendump_text), 1 },
    { CFG_STR(log_path), 1 },
    { CFG_STR(gdb_dev), 1 },                      /* src/debug/ */
    { CFG_STR(trace_path), 1 },
    { CFG_STR(rr_file), 1 },                      /* record and replay (replay.c) */
    { CFG_STR(ide_file), 4 },                     /* disks (block.c) */
    { CFG_STR(fd_file), 2 },
    { CFG_STR(boot_order), 1 },
    { CFG_STR(kernel_path), 1 },                  /* direct kernel boot (loader.c) */
    { CFG_STR(initrd_path), 1 },
    { CFG_STR(append), 1 },
    { CFG_STR(seabios_log), 1 },                  /* port 0x402 (pc.c) */
    { CFG_STR(monitor_dev), 1 },                  /* src/monitor/ */
    { CFG_STR(qmp_dev), 1 },
    { CFG_STR(chardevs), 8 },
    { CFG_STR(name), 1 },
    { CFG_STR(vnc_host), 1 },                     /* ui/vnc.c */
    { CFG_STR(pidfile), 1 },                      /* main.c */
    { CFG_STR(net_opts), 16 },                    /* network (pc_net.c) */
    { CFG_STR(incoming), 1 },                     /* saved state (savevm.c) */
    { CFG_STR(save_at_path), 1 },
    { CFG_STR(loadvm), 1 },                       /* snapshots (snapshot.c) */
    { CFG_STR(snapshot_dir), 1 },
};
#undef CFG_STR

static char **config_string(MachineConfig *cfg, int i, int k)
{
    return (char **)((char *)cfg + config_strings[i].off) + k;
}

void machine_config_init(MachineConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->machine_type = "pc";
    cfg->ram_size = MACHINE_DEFAULT_RAM;
    cfg->backend = TX86_NATIVE_BACKEND ? BACKEND_NATIVE : BACKEND_INTERP;
}

void machine_config_copy(MachineConfig *dst, const MachineConfig *src)
{
    *dst = *src;
    for (int i = 0; i < (int)G_N_ELEMENTS(config_strings); i++)
        for (int k = 0; k < config_strings[i].n; k++)
            *config_string(dst, i, k) = g_strdup(*config_string((MachineConfig *)src, i, k));
}

void machine_config_clear(MachineConfig *cfg)
{
    for (int i = 0; i < (int)G_N_ELEMENTS(config_strings); i++)
        for (int k = 0; k < config_strings[i].n; k++) {
            g_free(*config_string(cfg, i, k));
            *config_string(cfg, i, k) = NULL;
        }
}

/* more RAM runs more software, whose code the cache should hold without
 * flushing (a full flush translates all of it again); the code buffer
 * and the block pool are reserved, not committed: RSS grows only with the
 * code actually generated (docs/translator.md, "Translation cache size") */
uint64_t machine_tb_size(uint64_t ram_size)
{
    return CLAMP(ram_size / 2, UINT64_C(64) << 20, UINT64_C(512) << 20);
}

const char *machine_ram_size_error(uint64_t bytes)
{
    G_STATIC_ASSERT(MACHINE_MIN_RAM == 1ull << 20 && MACHINE_MAX_RAM == 3072ull << 20);
    if (bytes < MACHINE_MIN_RAM || bytes > MACHINE_MAX_RAM)
        return "RAM size out of range (1 MiB to 3072 MiB)";
    return NULL;
}

Machine *machine_new_bare(uint64_t ram_size, GError **errp)
{
    MachineConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = ram_size;
    cfg.backend = BACKEND_INTERP;
    return machine_new(&cfg, errp);
}

/* saved state of the CPU's pins as last driven (INTR, A20): their drivers
 * (the PIC or APIC, the i8042 and port 92) read them back */
static const VMStateField machine_fields[] = {
    VMS_I32(Machine, cpu_intr.level, 1),
    VMS_I32(Machine, a20.level, 1),
    VMS_END
};
static const VMStateDesc machine_vmsd = { .name = "machine", .version = 1,
                                          .min_version = 1, .fields = machine_fields };

/* the BusHost the devices see (bus/host.h): the machine's services */
static void host_op_register_device(void *opaque, void *state, void (*free_fn)(void *),
                                    void (*reset_fn)(void *))
{
    machine_register_device(opaque, state, free_fn, reset_fn);
}

static void host_op_register_state(void *opaque, const VMStateDesc *desc, void *state)
{
    machine_register_state(opaque, desc, state);
}

static void host_op_request_reset(void *opaque)
{
    machine_request_reset(opaque);
}

static void host_op_request_shutdown(void *opaque, int status)
{
    machine_request_shutdown(opaque, status);
}

static void host_op_timers_changed(void *opaque)
{
    machine_timers_changed(opaque);
}

static void host_op_watch_fd(void *opaque, const HostFdWatch *w)
{
    machine_watch_fd(opaque, w);
}

static void host_op_unwatch_fd(void *opaque, int fd, void *fd_opaque)
{
    machine_unwatch_fd(opaque, fd, fd_opaque);
}

static int host_op_input_source(void *opaque, const char *name, HostInputFn fn,
                                void *fn_opaque)
{
    return replay_source(opaque, name, fn, fn_opaque);
}

static void host_op_input(void *opaque, int id, const uint8_t *buf, size_t len)
{
    replay_input(opaque, id, buf, len);
}

static bool host_op_output_muted(void *opaque)
{
    return replay_output_muted(opaque);
}

static int64_t host_op_realtime_us(void *opaque)
{
    return replay_realtime_us(opaque);
}

static const BusHostOps machine_host_ops = {
    .register_device = host_op_register_device,
    .register_state = host_op_register_state,
    .request_reset = host_op_request_reset,
    .request_shutdown = host_op_request_shutdown,
    .timers_changed = host_op_timers_changed,
    .watch_fd = host_op_watch_fd,
    .unwatch_fd = host_op_unwatch_fd,
    .input_source = host_op_input_source,
    .input = host_op_input,
    .output_muted = host_op_output_muted,
    .realtime_us = host_op_realtime_us,
};

/* memory-map listener of the translator: blocks from a remapped range
 * are stale */
static void machine_code_memmap_changed(void *opaque, uint32_t base, uint32_t size)
{
    tb_invalidate_phys_range(opaque, base, size);
}

Machine *machine_new(const MachineConfig *cfg, GError **errp)
{
    Machine *m = g_new0(Machine, 1);
    m->host.ops = &machine_host_ops;              /* before any device */
    m->host.opaque = m;
    machine_config_copy(&m->cfg, cfg);
    if (!m->cfg.machine_type)
        m->cfg.machine_type = "pc";
    if (m->cfg.ram_size == 0)
        m->cfg.ram_size = MACHINE_DEFAULT_RAM;

    const Backend *be;
    if (m->cfg.backend == BACKEND_NATIVE) {
#if TX86_NATIVE_BACKEND
        be = &backend_x86_64;
#else
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "the native backend is not built in (x86-64 hosts only); use --backend=interp");
        goto fail;
#endif
    } else {
        be = &backend_interp;
    }
    if (machine_ram_size_error(m->cfg.ram_size)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s",
                    machine_ram_size_error(m->cfg.ram_size));
        goto fail;
    }

    m->mem = physmem_new();
    m->mem->log_unassigned = log_enabled(LOG_UNIMP);
    m->io = iobus_new();
    m->io->log_unassigned = log_enabled(LOG_UNIMP);
    clock_init(&m->clock, false);
    debug_machine_clock_init(m);               /* -icount, before devices read the clock */
    /* saved state: the CPU before the clock (the clock's post_load reads
     * the instruction count), then the devices as they are built */
    m->clock.on_earlier = host_op_timers_changed;  /* any device's new deadline ends the slice */
    m->clock.on_earlier_opaque = m;
    m->migration.downtime_limit_ms = 300;         /* QEMU's default */
    machine_register_state(m, &cpu_vmsd, &m->cpu);
    machine_register_state(m, &clock_vmsd, &m->clock);
    machine_register_state(m, &machine_vmsd, m);
    m->bus = (Buses){ .mem = m->mem, .io = m->io, .clock = &m->clock, .host = &m->host };

    if (!physmem_add_ram(m->mem, 0, (uint32_t)m->cfg.ram_size, NULL)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "cannot map RAM");
        goto fail;
    }
    if (m->cfg.bios_path && !machine_load_bios(m, m->cfg.bios_path, errp))
        goto fail;
    irq_line_init(&m->cpu_intr, machine_cpu_intr, m, 0);
    irq_line_init(&m->a20, cpu_set_a20_line, &m->cpu, 0);
    m->a20.level = 1;                             /* on at reset (cpu_reset) */
    cpu_init(&m->cpu, m->mem);
    m->cpu.io = m->io;                            /* the CPU's buses */
    m->cpu.clock = &m->clock;
    cpuid_set_model(&m->cpu, m->cfg.cpu_model);   /* -cpu, before the reset */
    if (m->cfg.rr_mode)
        m->cfg.snapshot = true;       /* record and replay see the same disks */
    if (!replay_init(m, errp))        /* before the devices: their input sources */
        goto fail;
    if (m->cfg.bios_path && !pc_build(m, errp))      /* the PC's chips (pc.c) */
        goto fail;
    /* after the board: a -device or -debugcon port on a chip's ports is
     * refused with the chip's name (not silently taking them from it) */
    if (!machine_add_devices(m, errp))
        goto fail;
    cpu_reset(&m->cpu);
    /* memory-map changes from now on (PCI BARs, PAM) reach the TLB and
     * the translated code (bus/memory.h listeners), in that order */
    physmem_add_listener(m->mem, tlb_memmap_changed, &m->cpu);

    X86FrontEnd *fe = x86_frontend_new(errp);
    if (!fe)
        goto fail;
    m->tr = translator_new(be, &x86_guest, m->mem, machine_translate, fe, &m->cpu,
                           m->cfg.tb_size ? m->cfg.tb_size : machine_tb_size(m->cfg.ram_size),
                           errp);
    if (!m->tr) {
        x86_frontend_free(fe);
        goto fail;
    }
    m->cpu.tr_ctx = m->tr;
    m->tr->exact_count = m->cfg.icount;           /* -icount: exec.c, "Exact count" */
    if (m->cfg.perfmap && !translator_perfmap(m->tr, errp))
        goto fail;
    physmem_add_listener(m->mem, machine_code_memmap_changed, m->tr);
    if (!debug_machine_init(m, errp))       /* --trace, -icount, -gdb (src/debug/) */
        goto fail;
    return m;

fail:
    machine_free(m);
    return NULL;
}

void machine_free(Machine *m)
{
    if (!m)
        return;
    debug_machine_free(m);                     /* trace END record, gdb socket */
    replay_free(m);                            /* the log's end record */
    machine_migration_cancel(m);
    g_free(m->migration.error);
    if (m->tr) {
        void *fe = m->tr->frontend;
        if (log_enabled(LOG_TB)) {              /* next to the block counters */
            const TLBStats *st = &m->cpu.tlb.stats;
            log_printf("tlb: exit: misses=%" PRIu64 " victim_hits=%" PRIu64 " walks=%" PRIu64
                       " code_misses=%" PRIu64 " flushes=%" PRIu64 " invlpg=%" PRIu64 "\n",
                       st->misses, st->victim_hits, st->walks, st->code_misses, st->flushes,
                       st->page_flushes);
        }
        physmem_remove_listener(m->mem, machine_code_memmap_changed, m->tr);
        translator_free(m->tr);
        x86_frontend_free(fe);
    }
    g_slist_free_full(m->devices, machine_free_device);
    machine_states_free(m);
    g_free(m->pc);
    iobus_free(m->io);
    physmem_free(m->mem);
    if (m->host_fds)
        g_array_free(m->host_fds, TRUE);
    if (m->listeners)
        g_array_free(m->listeners, TRUE);
    machine_config_clear(&m->cfg);
    g_free(m);
}

/* the reset a triple fault causes (the PC's shutdown cycle resets the
 * CPU): devices and CPU to their reset state, RAM and translated code
 * kept (blocks are keyed by physical address), the instruction count goes
 * on so --max-insns still holds */
void machine_reset(Machine *m)
{
    CPUState *env = &m->cpu;
    uint64_t icount = env->icount;

    for (GSList *l = m->devices; l; l = l->next) {
        MachineDevice *d = l->data;
        if (d->reset_fn)
            d->reset_fn(d->state);
    }
    cpu_reset(env);
    m->a20.level = 1;                   /* cpu_reset turned the gate on */
    env->icount = icount;
    env->interrupt_request &= ~CPU_INTERRUPT_NMI;
}

void machine_request_reset(Machine *m)
{
    machine_request_reset_reason(m, "guest-reset");
}

static void machine_reset_deliver(void *opaque, const uint8_t *buf, size_t len)
{
    Machine *m = opaque;
    m->reset_requested = true;
    m->reset_reason = "host-qmp-system-reset";
    m->cpu.exit_request = 1;
    m->cpu.interrupt_request |= CPU_INTERRUPT_EXIT;
}

void machine_request_reset_reason(Machine *m, const char *reason)
{
    if (G_UNLIKELY(m->rr) && g_str_has_prefix(reason, "host-")) {
        /* the monitor's: input to record and replay */
        replay_input(m, replay_source(m, "reset", machine_reset_deliver, m), NULL, 0);
        return;
    }
    m->reset_requested = true;
    m->reset_reason = reason;
    m->cpu.exit_request = 1;
    m->cpu.interrupt_request |= CPU_INTERRUPT_EXIT;
}

void machine_request_shutdown(Machine *m, int status)
{
    machine_request_shutdown_reason(m, status, "guest-shutdown");
}

void machine_request_shutdown_reason(Machine *m, int status, const char *reason)
{
    if (!m->shutdown_requested)
        m->shutdown_reason = reason;
    m->shutdown_requested = true;
    m->exit_status = status;
    m->cpu.exit_request = 1;
    m->cpu.interrupt_request |= CPU_INTERRUPT_EXIT;
}

typedef struct MachineListenerEntry {
    MachineListener fn;
    void *opaque;
} MachineListenerEntry;

void machine_add_listener(Machine *m, MachineListener fn, void *opaque)
{
    if (!m->listeners)
        m->listeners = g_array_new(FALSE, FALSE, sizeof(MachineListenerEntry));
    MachineListenerEntry e = { fn, opaque };
    g_array_append_val((GArray *)m->listeners, e);
}

void machine_remove_listener(Machine *m, MachineListener fn, void *opaque)
{
    GArray *a = m->listeners;
    for (guint i = 0; a && i < a->len; i++) {
        MachineListenerEntry *e = &g_array_index(a, MachineListenerEntry, i);
        if (e->fn == fn && e->opaque == opaque) {
            g_array_remove_index(a, i);
            return;
        }
    }
}

static void machine_notify(Machine *m, MachineEvent ev, const char *reason)
{
    GArray *a = m->listeners;
    for (guint i = 0; a && i < a->len; i++) {
        MachineListenerEntry e = g_array_index(a, MachineListenerEntry, i);
        e.fn(e.opaque, ev, reason);
    }
}

void machine_stop(Machine *m)
{
    if (m->stopped)
        return;
    m->stopped = true;
    clock_pause(&m->clock);
    m->cpu.exit_request = 1;
    machine_notify(m, MACHINE_EVENT_STOP, NULL);
}

void machine_cont(Machine *m)
{
    if (!m->stopped)
        return;
    m->stopped = false;
    clock_resume(&m->clock);
    machine_notify(m, MACHINE_EVENT_RESUME, NULL);
}

static void machine_powerdown_deliver(void *opaque, const uint8_t *buf, size_t len)
{
    Machine *m = opaque;
    piix4_pm_power_button(m->pc->pm);
    m->cpu.exit_request = 1;            /* the SCI is seen at once */
}

bool machine_powerdown(Machine *m)
{
    if (!m->pc || !m->pc->pm)
        return false;
    machine_notify(m, MACHINE_EVENT_POWERDOWN, NULL);
    int id = replay_source(m, "powerdown", machine_powerdown_deliver, m);
    if (id >= 0)
        replay_input(m, id, NULL, 0);   /* recorded, or dropped in a replay */
    else
        machine_powerdown_deliver(m, NULL, 0);
    return true;
}

void machine_watch_fd(Machine *m, const HostFdWatch *w)
{
    if (!m->host_fds)
        m->host_fds = g_array_new(FALSE, FALSE, sizeof(HostFdWatch));
    g_array_append_val((GArray *)m->host_fds, *w);
}

void machine_unwatch_fd(Machine *m, int fd, void *opaque)
{
    GArray *a = m->host_fds;
    for (guint i = 0; a && i < a->len; i++) {
        HostFdWatch *w = &g_array_index(a, HostFdWatch, i);
        if (w->fd == fd && w->opaque == opaque) {
            g_array_remove_index(a, i);
            return;
        }
    }
}

/* poll the watched fds once (machine_poll_host without record's flush) */
static bool machine_poll_fds(Machine *m, int64_t timeout_ns)
{
    GArray *a = m->host_fds;
    guint n = a ? a->len : 0;
    struct pollfd pfd[MACHINE_MAX_WATCH];
    HostFdWatch watch[MACHINE_MAX_WATCH];
    int np = 0;
    for (guint i = 0; i < n; i++) {
        HostFdWatch *w = &g_array_index(a, HostFdWatch, i);
        if (w->flush)
            w->flush(w->opaque);
        if (np < MACHINE_MAX_WATCH && (!w->ready || w->ready(w->opaque))) {
            watch[np] = *w;
            pfd[np].fd = w->fd;
            pfd[np].events = POLLIN;
            pfd[np].revents = 0;
            np++;
        }
    }
    m->host_poll_last = g_get_monotonic_time() * 1000;
    int64_t ms = timeout_ns <= 0 ? 0 : MIN((timeout_ns + 999999) / 1000000, 1000);
    int r = poll(pfd, np, (int)ms);
    if (r <= 0)
        return false;
    bool ran = false;
    for (int i = 0; i < np; i++) {
        if (pfd[i].revents) {
            /* the handler may unwatch fds: it got a copy of its entry */
            watch[i].on_input(watch[i].opaque);
            ran = true;
        }
    }
    return ran;
}

bool machine_poll_host(Machine *m, int64_t timeout_ns)
{
    bool ran = machine_poll_fds(m, timeout_ns);
    if (G_UNLIKELY(m->rr))
        replay_flush_input(m);         /* record: what the handlers gave, logged */
    return ran;
}

/* sleep until the virtual clock reaches deadline (INT64_MAX: a while),
 * waking early for host input (serial back ends) */
static void machine_sleep_until(Machine *m, int64_t deadline)
{
    if (clock_is_icount(&m->clock) && deadline != INT64_MAX) {
        if (!m->cfg.icount_sleep) {
            clock_warp(&m->clock, deadline);   /* -icount: idle time takes no host time */
            return;
        }
        /* sleep=on: idle time passes on the host too; input that comes
         * first is delivered at the virtual time it came at */
        int64_t now = clock_now(&m->clock), wait = deadline - now;
        int64_t t0 = g_get_monotonic_time();
        bool input = false;
        if (wait > 0 && m->host_fds && ((GArray *)m->host_fds)->len) {
            input = machine_poll_fds(m, wait);
        } else if (wait > 0) {
            struct timespec ts = { .tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000 };
            nanosleep(&ts, NULL);
        }
        int64_t slept = (g_get_monotonic_time() - t0) * 1000;
        clock_warp(&m->clock, input && slept < wait ? now + slept : deadline);
        if (G_UNLIKELY(m->rr))
            replay_flush_input(m);
        return;
    }
    int64_t wait = deadline == INT64_MAX ? 100000000 : deadline - clock_now(&m->clock);
    if (wait <= 0)
        return;
    if (m->host_fds && ((GArray *)m->host_fds)->len) {
        machine_poll_host(m, wait);
        return;
    }
    struct timespec ts = { .tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000 };
    nanosleep(&ts, NULL);    /* no host input watched */
}

/* can anything wake a halted CPU?  An NMI or IRQ already pending, or
 * (with IF=1) a timer that may raise one, or host input a device watches
 * (Machine.host_fds). */
static bool machine_can_wake(Machine *m)
{
    CPUState *env = &m->cpu;
    if ((env->interrupt_request & CPU_INTERRUPT_EXIT) ||
        cpu_nmi_deliverable(env))
        return true;
    if (!(env->eflags & IF_MASK))
        return false;
    return (env->interrupt_request & CPU_INTERRUPT_HARD) ||
           clock_next_deadline(&m->clock) != INT64_MAX ||
           (m->host_fds && ((GArray *)m->host_fds)->len);    /* host input */
}

/* a message from the main loop: guest output first, then ours */
static void machine_note(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void machine_note(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("tx86: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* a slice ran to its budget: fold its speed into slice_rate (the
 * average of the last few, ignoring slices too short to time) */
static void machine_measure_rate(Machine *m, uint64_t insns, int64_t host_us)
{
    if (host_us < 200 || insns < SLICE_MIN)
        return;
    uint64_t r = insns * 1000 / (uint64_t)host_us;
    uint64_t old = m->slice_rate ? m->slice_rate : SLICE_RATE_INIT;
    m->slice_rate = CLAMP((old * 3 + r) / 4, SLICE_RATE_MIN, SLICE_RATE_MAX);
}

static uint64_t machine_slice(Machine *m, uint64_t remaining)
{
    if (G_UNLIKELY(m->cpu.gdb_step))
        return 1;                              /* gdb single step */
    if (clock_is_icount(&m->clock)) {          /* -icount: end at the deadline exactly */
        int64_t d = clock_next_deadline(&m->clock);
        uint64_t n = d == INT64_MAX ? SLICE_MAX : clock_icount_budget(&m->clock, d);
        return MIN(MIN(n, SLICE_MAX), remaining);
    }
    uint64_t slice = SLICE_MAX;
    int64_t deadline = clock_next_deadline(&m->clock);
    if (deadline != INT64_MAX) {
        int64_t ns = deadline - clock_now(&m->clock);
        uint64_t rate = m->slice_rate ? m->slice_rate : SLICE_RATE_INIT;
        uint64_t est = ns <= 0 ? 0 : (uint64_t)((unsigned __int128)ns * rate / 1000000);
        slice = CLAMP(est, SLICE_MIN, SLICE_MAX);
    }
    return MIN(slice, remaining);
}

/* what a turn of the main loop says */
typedef enum TurnResult {
    TURN_ON,                    /* go on */
    TURN_END,                   /* machine_run returns (m->exit_status) */
    TURN_DEBUG,                 /* nested: a gdb breakpoint or watchpoint stopped the CPU */
} TurnResult;

/* the halted CPU of a turn: sleep, warp or end; TURN_ON to start the
 * next turn, TURN_END, or -1 when the CPU can take its interrupt now */
static int machine_turn_halted(Machine *m, bool nested)
{
    CPUState *env = &m->cpu;
    bool replaying = m->rr && replay_mode(m) == REPLAY_PLAY;

    /* a halted CPU wakes for an NMI, or an INTR it can take (IF=1);
     * else sleep until the next timer (no busy loop on a masked INTR) */
    if (!env->halted || cpu_nmi_deliverable(env) ||
        ((env->interrupt_request & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK)))
        return -1;
    if (env->interrupt_request & CPU_INTERRUPT_EXIT)
        return -1;
    int64_t deadline = clock_next_deadline(&m->clock);
    if (replaying) {
        /* the recording's input may have come while it idled (sleep=on) */
        int64_t t = replay_next_vtime(m);
        if (t < deadline && (env->eflags & IF_MASK)) {
            clock_warp(&m->clock, t);
            return TURN_ON;
        }
    }
    if ((replaying || nested) && (!(env->eflags & IF_MASK) || deadline == INT64_MAX)) {
        /* only the log could wake it, and it has nothing here */
        if (nested)
            return TURN_END;
        return replay_idle(m) ? TURN_ON : TURN_END;
    }
    if (!machine_can_wake(m)) {
        machine_note("the guest halted with %s; stopping\n",
                     (env->eflags & IF_MASK) ? "nothing that could wake it"
                                              : "interrupts disabled");
        return TURN_END;
    }
    if (nested)
        clock_warp(&m->clock, deadline);       /* icount: the time the sleep would skip */
    else if (G_UNLIKELY(m->mig_out))            /* an idle guest: migrate, don't sleep */
        machine_poll_host(m, 0);
    else
        machine_sleep_until(m, deadline);
    return TURN_ON;
}

/* one turn of the main loop (machine.c's header comment).  nested: a
 * replay going to an instruction count for the debugger
 * (machine_run_until): no gdb, host input, migration or monitor stop,
 * and a breakpoint returns TURN_DEBUG.  The CPU runs no further than
 * stop_at. */
static TurnResult machine_turn(Machine *m, uint64_t start, uint64_t stop_at, bool nested)
{
    CPUState *env = &m->cpu;
    const uint64_t limit = nested ? 0 : m->cfg.max_insns;

    if (!nested && G_UNLIKELY(m->gdb))
        gdb_poll(m->gdb);                      /* attach, Ctrl-C, end of a step */
    if (m->shutdown_requested)
        return TURN_END;
    if (m->reset_requested) {              /* machine_request_reset() */
        m->reset_requested = false;
        if (m->cfg.no_reboot) {
            machine_note("system reset requested: exiting (-no-reboot)\n");
            m->exit_status = 0;
            m->shutdown_reason = m->reset_reason;
            return TURN_END;
        }
        machine_reset(m);
        machine_notify(m, MACHINE_EVENT_RESET, m->reset_reason);
    }
    if (!nested) {
        if (G_UNLIKELY(m->mig_out))
            machine_migration_poll(m);         /* live migration: RAM while it runs (or not) */
        if (m->stopped) {                  /* monitor "stop": host input only */
            machine_poll_host(m, m->mig_out ? 0 : 100000000);
            return TURN_ON;
        }
    }
    clock_run_timers(&m->clock);
    /* host input about every 1 ms, also while the CPU halts (with -icount
     * sleep=off it then jumps from timer to timer without sleeping) */
    if (!nested && m->host_fds &&
        g_get_monotonic_time() * 1000 - m->host_poll_last >= 1000000)
        machine_poll_host(m, 0);
    if (G_UNLIKELY(m->rr) && !replay_turn(m)) {
        /* the replay is over: a debugger may still look at it, and go back */
        if (nested || !m->gdb)
            return TURN_END;
        if (gdb_connected(m->gdb))
            gdb_replay_end(m->gdb);
        else
            machine_poll_host(m, 100000000);
        return TURN_ON;
    }
    int h = machine_turn_halted(m, nested);
    if (h >= 0)
        return (TurnResult)h;

    uint64_t remaining = stop_at - MIN(stop_at, env->icount);
    if (G_UNLIKELY(m->cfg.save_at_path) && !nested) {  /* --save-at N:PATH */
        if (env->icount >= m->cfg.save_at) {
            GError *err = NULL;
            g_autofree char *uri = g_strconcat("file:", m->cfg.save_at_path, NULL);
            if (!machine_migrate_to(m, uri, &err)) {
                machine_note("--save-at: %s\n", err->message);
                g_error_free(err);
                m->exit_status = 1;
                return TURN_END;
            }
            g_clear_pointer(&m->cfg.save_at_path, g_free);
        } else {
            remaining = MIN(remaining, m->cfg.save_at - env->icount);
        }
    }
    if (limit) {
        uint64_t done = env->icount - start;
        if (done >= limit) {
            machine_note("instruction limit (%" G_GUINT64_FORMAT
                    ") reached; stopping\n", limit);
            m->exit_status = 0;
            return TURN_END;
        }
        remaining = MIN(remaining, limit - done);
    }
    if (G_UNLIKELY(m->rr))
        remaining = MIN(remaining, replay_budget(m));
    if (remaining == 0) {
        /* nested: there, once the interrupt that wakes a halted CPU is
         * taken (a count names the state just before its next
         * instruction); replay: its turn next */
        if (nested && env->halted)
            cpu_exec(env, 0);
        return TURN_ON;
    }

    uint64_t slice = machine_slice(m, remaining);
    uint64_t icount0 = env->icount;
    int64_t host0 = g_get_monotonic_time();
    CPUExitReason why = cpu_exec(env, slice);
    if (why == CPU_EXIT_BUDGET)
        machine_measure_rate(m, env->icount - icount0, g_get_monotonic_time() - host0);
    switch (why) {
    case CPU_EXIT_BUDGET:
    case CPU_EXIT_HALT:
    case CPU_EXIT_REQUEST:
        break;
    case CPU_EXIT_DEBUG:                   /* gdb breakpoint or watchpoint */
        if (nested)
            return TURN_DEBUG;
        gdb_stopped(m->gdb);
        break;
    case CPU_EXIT_EXCEPTION:
        /* only with stop_on_exception (test harnesses) */
        machine_note("guest exception %d (error code %#x) at %04x:%08x; stopping\n",
                env->exception_index, env->error_code, env->seg[R_CS].selector, env->eip);
        m->exit_status = 1;
        return TURN_END;
    case CPU_EXIT_SHUTDOWN:
        if (m->shutdown_requested)
            break;
        if (log_enabled(LOG_CPU) || log_enabled(LOG_INT))
            cpu_dump_state(env, log_file ? log_file : stderr);
        if (m->cfg.no_reboot) {
            machine_note("triple fault: guest shut down (-no-reboot)\n");
            m->exit_status = 0;
            m->shutdown_reason = "guest-reset";
            return TURN_END;
        }
        if (log_enabled(LOG_INT))
            log_printf("triple fault: machine reset\n");
        machine_reset(m);
        machine_notify(m, MACHINE_EVENT_RESET, "guest-reset");
        break;
    }
    return TURN_ON;
}

int machine_run_until(Machine *m, uint64_t icount)
{
    int ret = MACHINE_RUN_REACHED;
    replay_set_seeking(m, true);               /* its output was shown before */
    while (m->cpu.icount < icount || (m->cpu.icount == icount && m->cpu.halted)) {
        TurnResult r = machine_turn(m, 0, icount, true);
        if (r == TURN_DEBUG || r == TURN_END) {
            ret = r == TURN_DEBUG ? MACHINE_RUN_DEBUG : MACHINE_RUN_ENDED;
            break;
        }
    }
    replay_set_seeking(m, false);
    return ret;
}

int machine_run(Machine *m)
{
    CPUState *env = &m->cpu;
    const uint64_t start = env->icount;

    if (m->gdb)
        gdb_start(m->gdb, m->cfg.gdb_wait);    /* -S: wait for gdb */
    while (machine_turn(m, start, UINT64_MAX, false) != TURN_END)
        ;
    if (m->cfg.save_at_path) {
        machine_note("--save-at: the run ended at instruction %" G_GUINT64_FORMAT
                     ", before %" G_GUINT64_FORMAT ": nothing saved\n", env->icount,
                     m->cfg.save_at);
        m->exit_status = 1;
    }
    fflush(stdout);
    machine_notify(m, MACHINE_EVENT_SHUTDOWN,
                   m->shutdown_reason ? m->shutdown_reason : "guest-shutdown");
    return m->exit_status;
}
