/*
 * fuzz_options.c - libFuzzer harness for the command line parser
 * (src/machine/options.c): bytes -> argv -> options_parse ->
 * machine_config_clear.
 *
 * Arguments are separated by NUL or newline bytes.  "@F" inside an
 * argument becomes the path of an existing regular file (an anonymous
 * memory file made once), so options that check their file (-bios, -hda,
 * -kernel) get past that check.  Help and version output goes to
 * /dev/null.  Every failure must come with an OPTIONS_ERROR message.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/options.h"

#define MAX_ARGS 64

static char file_path[64];              /* "@F" */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const uint8_t disk[1024];
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);      /* --help, -cpu help, ... */
        close(null);
    }
    if (fuzz_memfd_path(disk, sizeof(disk), file_path, sizeof(file_path)) < 0)
        snprintf(file_path, sizeof(file_path), "/nonexistent");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = g_strdup("tx86");
    size_t start = 0;
    for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
        if (i < size && data[i] != 0 && data[i] != '\n')
            continue;
        gchar *arg = g_strndup((const char *)data + start, i - start);
        if (strstr(arg, "@F")) {
            gchar **parts = g_strsplit(arg, "@F", -1);
            g_free(arg);
            arg = g_strjoinv(file_path, parts);
            g_strfreev(parts);
        }
        argv[argc++] = arg;
        start = i + 1;
    }
    argv[argc] = NULL;

    /* options_parse may permute or keep pointers into argv: a copy */
    char **copy = g_memdup2(argv, sizeof(argv[0]) * (size_t)(argc + 1));
    MachineConfig cfg;
    GError *err = NULL;
    machine_config_init(&cfg);
    if (!options_parse(argc, copy, &cfg, &err)) {
        if (!err || err->domain != OPTIONS_ERROR || !err->message[0])
            abort();
        g_error_free(err);
    } else if (err) {
        abort();
    }
    machine_config_clear(&cfg);
    fflush(stdout);
    g_free(copy);
    for (int i = 0; i < argc; i++)
        g_free(argv[i]);
    return 0;
}
