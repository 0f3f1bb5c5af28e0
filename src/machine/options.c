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
#include "config.h"
#include "machine/options.h"
#include "cpu-x86/cpuid.h"
#include "util/log.h"

G_DEFINE_QUARK(tx86-options-error-quark, options_error)

typedef enum OptId {
    OPT_MACHINE, OPT_M, OPT_BIOS, OPT_NOGRAPHIC, OPT_DISPLAY, OPT_SERIAL,
    OPT_DEBUGCON, OPT_DEVICE, OPT_NO_REBOOT, OPT_D, OPT_LOGFILE, OPT_ACCEL,
    OPT_ENABLE_KVM, OPT_BACKEND, OPT_MAX_INSNS, OPT_HELP, OPT_VERSION, OPT_CPU,
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
    { "d",          OPT_D,          true },
    { "D",          OPT_LOGFILE,    true },
    { "accel",      OPT_ACCEL,      true },
    { "enable-kvm", OPT_ENABLE_KVM, false },
    { "cpu",        OPT_CPU,        true },
    { "backend",    OPT_BACKEND,    true },
    { "max-insns",  OPT_MAX_INSNS,  true },
    { "help",       OPT_HELP,       false },
    { "h",          OPT_HELP,       false },
    { "version",    OPT_VERSION,    false },
    /* later issues */
    { "hda", OPT_LATER, true },  { "hdb", OPT_LATER, true },
    { "hdc", OPT_LATER, true },  { "hdd", OPT_LATER, true },
    { "cdrom", OPT_LATER, true }, { "fda", OPT_LATER, true },
    { "fdb", OPT_LATER, true },  { "drive", OPT_LATER, true },
    { "boot", OPT_LATER, true }, { "snapshot", OPT_LATER, false },
    { "kernel", OPT_LATER, true }, { "initrd", OPT_LATER, true },
    { "append", OPT_LATER, true }, { "rtc", OPT_LATER, true },
    { "s", OPT_LATER, false },   { "S", OPT_LATER, false },
    { "gdb", OPT_LATER, true },  { "icount", OPT_LATER, true },
    { "smp", OPT_LATER, true },
    { "netdev", OPT_LATER, true }, { "nic", OPT_LATER, true },
    { "vga", OPT_LATER, true },  { "dfilter", OPT_LATER, true },
    { "monitor", OPT_LATER, true }, { "loadvm", OPT_LATER, true },
};

void options_usage(FILE *f)
{
    fprintf(f,
"usage: tx86 [options]\n"
"tx86 %s - a full-system x86 PC emulator (QEMU-compatible options)\n"
"\n"
"  -M pc, -machine pc     machine type (only the PC)\n"
"  -m SIZE                RAM size, MiB unless suffixed K, M or G [128]\n"
"  -bios FILE             firmware image: multiple of 64 KiB, at most 16 MiB,\n"
"                         mapped below 4 GiB, its last 128 KiB also at 0xE0000\n"
"  -nographic             no display window\n"
"  -display none          same, for the display only\n"
"  -serial DEV            serial port backend (kept for the serial port issue)\n"
"  -debugcon DEV          port 0xE9 console: stdio, file:PATH or none\n"
"  -device isa-debug-exit[,iobase=0xf4][,iosize=0x04]\n"
"                         writing V to the port exits with status (V<<1)|1\n"
"  -cpu MODEL             CPU model (-cpu help lists them) [" CPUID_DEFAULT_MODEL "]\n"
"  -no-reboot             exit instead of rebooting on a triple fault\n"
"  -d ITEM[,ITEM...]      debug log (-d help lists the items)\n"
"  -D FILE                write the debug log to FILE instead of stderr\n"
"  -accel tcg             the only accelerator\n"
"  --backend=native|interp  translator backend [%s]\n"
"  --max-insns N          stop (status 0) after N guest instructions\n"
"  --help, --version\n"
"\n"
"Recognised but not supported yet: -hda -hdb -hdc -hdd -cdrom -fda -drive -boot\n"
"-snapshot -kernel -initrd -append -rtc -s -S -gdb -icount -smp -netdev\n"
"-vga -display curses -dfilter -monitor\n",
            TX86_VERSION, TX86_NATIVE_BACKEND ? "native" : "interp");
}

void machine_config_init(MachineConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->machine_type = "pc";
    cfg->ram_size = OPTIONS_DEFAULT_RAM;
    cfg->backend = TX86_NATIVE_BACKEND ? BACKEND_NATIVE : BACKEND_INTERP;
}

void machine_config_clear(MachineConfig *cfg)
{
    g_free(cfg->bios_path);
    g_free(cfg->debugcon);
    g_free(cfg->serial);
    g_free(cfg->log_path);
    cfg->bios_path = cfg->debugcon = cfg->serial = cfg->log_path = NULL;
}

static bool opt_fail(GError **errp, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static bool opt_fail(GError **errp, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(errp, OPTIONS_ERROR, code, msg);
    g_free(msg);
    return false;
}

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
        } else {
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                          "machine property '%s' is not supported", item);
            continue;
        }
        if (strcmp(item, "pc"))
            ok = opt_fail(errp, OPTIONS_ERROR_INVALID,
                          "machine type '%s' is not supported (only 'pc'; -M help)", item);
    }
    g_strfreev(parts);
    return ok;
}

static bool opt_device(const char *v, MachineConfig *cfg, GError **errp)
{
    if (!strcmp(v, "help") || !strcmp(v, "?")) {
        printf("Devices:\nname \"isa-debug-exit\", bus ISA (properties iobase, iosize)\n");
        return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "help printed");
    }
    gchar **parts = g_strsplit(v, ",", -1);
    bool ok = true;
    if (!parts[0] || strcmp(parts[0], "isa-debug-exit")) {
        ok = opt_fail(errp, OPTIONS_ERROR_INVALID, "device '%s' is not supported",
                      parts[0] ? parts[0] : "");
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
        if (n < OPTIONS_MIN_RAM || n > OPTIONS_MAX_RAM)
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "-m %s: RAM size out of range (1 MiB to %llu MiB)", v,
                            (unsigned long long)(OPTIONS_MAX_RAM >> 20));
        cfg->ram_size = (n + 4095) & ~(uint64_t)4095;
        return true;
    case OPT_BIOS:
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
            return true;
        }
        if (!strcmp(v, "curses") || g_str_has_prefix(v, "curses,"))
            return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED,
                            "option '-display curses' is not supported yet");
        return opt_fail(errp, OPTIONS_ERROR_INVALID,
                        "display '%s' is not available (use -display none or -nographic)", v);
    case OPT_SERIAL:
        g_free(cfg->serial);
        cfg->serial = g_strdup(v);
        return true;
    case OPT_DEBUGCON:
        return opt_debugcon(v, cfg, errp);
    case OPT_DEVICE:
        return opt_device(v, cfg, errp);
    case OPT_NO_REBOOT:
        cfg->no_reboot = true;
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
    case OPT_ACCEL:
        if (!strcmp(v, "tcg") || g_str_has_prefix(v, "tcg,"))
            return true;
        return opt_fail(errp, OPTIONS_ERROR_INVALID,
                        "accelerator '%s' is not supported (only tcg)", v);
    case OPT_ENABLE_KVM:
        return opt_fail(errp, OPTIONS_ERROR_INVALID, "KVM is not supported (only tcg)");
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
    case OPT_MAX_INSNS:
        if (!opt_parse_uint(v, &n))
            return opt_fail(errp, OPTIONS_ERROR_INVALID, "--max-insns: invalid count '%s'", v);
        cfg->max_insns = n;
        return true;
    case OPT_HELP:
        options_usage(stdout);
        return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "help printed");
    case OPT_VERSION:
        printf("tx86 version %s\n", TX86_VERSION);
        return opt_fail(errp, OPTIONS_ERROR_EXIT_OK, "version printed");
    case OPT_CPU:
        return opt_cpu(v, cfg, errp);
    case OPT_LATER:
        return opt_fail(errp, OPTIONS_ERROR_UNSUPPORTED,
                        "option '-%s' is not supported yet", o->name);
    }
    g_assert_not_reached();
}

bool options_parse(int argc, char **argv, MachineConfig *cfg, GError **errp)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !arg[1])
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "unexpected argument '%s' (disk images need -hda, not supported yet)",
                            arg);
        const char *name = arg + (arg[1] == '-' ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const OptDesc *o = NULL;
        for (size_t k = 0; k < G_N_ELEMENTS(opt_table); k++) {
            if (strlen(opt_table[k].name) == len && !strncmp(opt_table[k].name, name, len)) {
                o = &opt_table[k];
                break;
            }
        }
        if (!o)
            return opt_fail(errp, OPTIONS_ERROR_INVALID,
                            "unknown option '%.*s' (try --help)", (int)(len + (name - arg)), arg);
        const char *val = NULL;
        if (o->has_arg) {
            if (eq)
                val = eq + 1;
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
    return true;
}
