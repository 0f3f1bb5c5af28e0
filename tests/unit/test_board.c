/*
 * test_board.c - unit tests for assembling the PC (machine.c, pc.c) from a
 * configuration: devices the user places on I/O ports must not take ports
 * from the board's chips, and errors name the option the user gave.
 * The BIOS is 64 KiB of zeros (never run).
 */
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include <glib/gstdio.h>
#include "machine/machine.h"
#include "machine/options.h"

/* build a PC from cfg; NULL and *msg set when it is refused */
static Machine *build(MachineConfig *cfg, const char *bios, gchar **msg)
{
    GError *err = NULL;
    cfg->machine_type = "pc";
    cfg->ram_size = 16u << 20;
    cfg->backend = BACKEND_INTERP;
    cfg->bios_path = (char *)bios;
    Machine *m = machine_new(cfg, &err);
    *msg = err ? g_strdup(err->message) : NULL;
    g_clear_error(&err);
    return m;
}

static void test_port_conflicts(void)
{
    char dir[] = "/tmp/tx86-board-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_mkdtemp(dir));
    gchar *bios = g_build_filename(dir, "zero.bin", NULL);
    gchar *zeros = g_malloc0(65536);
    CU_ASSERT_TRUE_FATAL(g_file_set_contents(bios, zeros, 65536, NULL));
    static const struct {
        uint32_t iobase, iosize;
        const char *error;      /* NULL: accepted */
    } cases[] = {
        { 0x501, 2, NULL },                               /* QEMU's default */
        { 0xf4, 4, NULL },
        { 0x20, 1, "overlap port 0x20 of i8259-master" },
        { 0x1f, 2, "overlap port 0x20 of i8259-master" },
        { 0x3f8, 1, "ns16550" },                          /* COM1 */
        { 0x60, 1, "i8042" },
        { 0xcfc, 4, "pci-config-data" },
        { 0xe9, 1, "debugcon" },                          /* -debugcon stdio below */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        MachineConfig cfg;
        gchar *msg;
        memset(&cfg, 0, sizeof(cfg));
        cfg.has_debug_exit = true;
        cfg.debug_exit_iobase = cases[i].iobase;
        cfg.debug_exit_iosize = cases[i].iosize;
        cfg.debugcon = cases[i].iobase == 0xe9 ? "stdio" : NULL;
        Machine *m = build(&cfg, bios, &msg);
        if (cases[i].error) {
            CU_ASSERT_PTR_NULL(m);
            if (!msg || !strstr(msg, cases[i].error)) {
                printf("\niobase %#x: '%s' lacks '%s'\n", cases[i].iobase, msg ? msg : "",
                       cases[i].error);
                CU_FAIL("message");
            }
        } else {
            CU_ASSERT_PTR_NOT_NULL(m);
        }
        if (m)
            machine_free(m);
        g_free(msg);
    }

    /* --seabios-log errors say --seabios-log, not -debugcon */
    MachineConfig cfg;
    gchar *msg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.seabios_log = "file:/nonexistent/dir/log";
    Machine *m = build(&cfg, bios, &msg);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_TRUE(msg && g_str_has_prefix(msg, "--seabios-log: cannot open"));
    if (m)
        machine_free(m);
    g_free(msg);

    g_unlink(bios);
    g_rmdir(dir);
    g_free(bios);
    g_free(zeros);
}

void register_board_tests(void)
{
    CU_pSuite s = CU_add_suite("board", NULL, NULL);
    CU_add_test(s, "user ports never take a chip's", test_port_conflicts);
}
