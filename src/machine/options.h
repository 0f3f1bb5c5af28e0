/*
 * options.h - the QEMU-compatible command line, parsed into MachineConfig.
 *
 * options_parse() understands the subset of qemu-system-i386 options tx86
 * implements, refuses the ones planned for later issues with "option
 * '-loadvm' is not supported yet" (docs/qemu-compat.md lists them), and
 * adds tx86's own (--backend, --max-insns).  Both "-opt value" and
 * "-opt=value" / "--opt=value" work.
 * It prints nothing on error: the GError message is the one line main()
 * shows.  Informational options (--help, --version, -d help, -M help)
 * print to stdout and return false with OPTIONS_ERROR_EXIT_OK.
 *
 * Example:
 *     MachineConfig cfg;
 *     machine_config_init(&cfg);
 *     if (!options_parse(argc, argv, &cfg, &err)) ...
 *     machine_config_clear(&cfg);
 */
#ifndef TX86_OPTIONS_H
#define TX86_OPTIONS_H

#include <stdbool.h>
#include <glib.h>
#include "machine/machine.h"

#define OPTIONS_ERROR options_error_quark()
typedef enum OptionsError {
    OPTIONS_ERROR_INVALID,       /* bad option or value: exit status 1 */
    OPTIONS_ERROR_UNSUPPORTED,   /* recognised, not implemented yet: 1 */
    OPTIONS_ERROR_EXIT_OK,       /* help/version printed: exit status 0 */
} OptionsError;

GQuark options_error_quark(void);

/* machine_config_init/_copy/_clear and the RAM limits: machine.h */
bool options_parse(int argc, char **argv, MachineConfig *cfg, GError **errp);
/* "128", "64M", "1G", "512K" (MiB when no suffix) -> bytes */
bool options_parse_size(const char *s, uint64_t *bytes, GError **errp);
void options_usage(FILE *f);

#endif
