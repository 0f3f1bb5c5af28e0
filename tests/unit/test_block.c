/*
 * test_block.c - unit tests for the raw image back end (src/devices/block.c)
 * and the disk options that fill MachineConfig (options.c): a table of bad
 * images with the error each must give, read/write round trips, -snapshot
 * leaving the file untouched, read-only images refusing writes, and a
 * table of disk command lines with the drive slots they fill.  Image
 * locks: a table of two opens of one file in this process (which pairs
 * share, which refuse and with what message), a forked child holding the
 * lock until it is killed, and the guest's FLUSH CACHE reaching
 * fdatasync() (block_sync_count) through the IDE ports.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <CUnit/CUnit.h>
#include "devices/block.h"
#include "devices/ide.h"
#include "machine/machine.h"
#include "machine/options.h"

static gchar *tmp_image(size_t size, bool pattern)
{
    gchar *path = NULL;
    int fd = g_file_open_tmp("tx86-blk-XXXXXX", &path, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    uint8_t sec[512];
    for (size_t off = 0; off < size; off += 512) {
        size_t n = MIN(size - off, sizeof(sec));
        memset(sec, pattern ? (int)(off / 512 & 0xff) : 0, n);
        CU_ASSERT_FATAL(write(fd, sec, n) == (ssize_t)n);
    }
    close(fd);
    return path;
}

typedef struct BadCase {
    size_t size;            /* (size_t)-1: missing file, -2: a directory */
    const char *msg;
} BadCase;

static const BadCase bad_cases[] = {
    { (size_t)-1, "cannot open" },
    { (size_t)-2, "is a directory" },
    { 0, "is empty" },
    { 1000, "not a multiple of 512" },
};

static void test_bad_images(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const BadCase *c = &bad_cases[i];
        gchar *path;
        if (c->size == (size_t)-1)
            path = g_strdup("/nonexistent/tx86-disk.img");
        else if (c->size == (size_t)-2)
            path = g_dir_make_tmp("tx86-blkdir-XXXXXX", NULL);
        else
            path = tmp_image(c->size, false);
        GError *err = NULL;
        BlockDev *b = block_open(path, false, false, &err);
        CU_ASSERT_PTR_NULL(b);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        if (!strstr(err->message, c->msg) || !strstr(err->message, path)) {
            printf("\n  case %zu: '%s' lacks '%s' or the file name\n", i, err->message, c->msg);
            CU_FAIL("error message");
        }
        g_error_free(err);
        if (c->size == (size_t)-2)
            rmdir(path);
        else
            unlink(path);
        g_free(path);
    }
}

static void test_read_write(void)
{
    gchar *path = tmp_image(64 * 512, true);
    GError *err = NULL;
    BlockDev *b = block_open(path, false, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(block_sectors(b), 64);
    CU_ASSERT_EQUAL(block_size(b), 64 * 512);
    uint8_t buf[3 * 512];
    CU_ASSERT_TRUE(block_read(b, 10, buf, 3));
    CU_ASSERT_EQUAL(buf[0], 10);
    CU_ASSERT_EQUAL(buf[1023], 11);
    CU_ASSERT_EQUAL(buf[1024], 12);
    CU_ASSERT_FALSE(block_read(b, 62, buf, 3));        /* past the end */
    CU_ASSERT_FALSE(block_read(b, UINT64_MAX, buf, 1));
    memset(buf, 0xab, sizeof(buf));
    CU_ASSERT_TRUE(block_write(b, 63, buf, 1));
    CU_ASSERT_FALSE(block_write(b, 63, buf, 2));
    CU_ASSERT_TRUE(block_flush(b));
    block_close(b);
    /* the write reached the file */
    gchar *data;
    gsize len;
    CU_ASSERT_TRUE_FATAL(g_file_get_contents(path, &data, &len, NULL));
    CU_ASSERT_EQUAL(len, 64 * 512);
    CU_ASSERT_EQUAL((uint8_t)data[63 * 512], 0xab);
    CU_ASSERT_EQUAL((uint8_t)data[62 * 512], 62);
    g_free(data);
    unlink(path);
    g_free(path);
}

static void test_snapshot(void)
{
    gchar *path = tmp_image(16 * 512, true);
    GError *err = NULL;
    BlockDev *b = block_open(path, false, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_FALSE(block_readonly(b));
    uint8_t buf[2 * 512];
    memset(buf, 0x5a, sizeof(buf));
    CU_ASSERT_TRUE(block_write(b, 3, buf, 2));
    CU_ASSERT_TRUE(block_write(b, 4, buf, 1));         /* rewrite: still 2 sectors */
    CU_ASSERT_EQUAL(block_snapshot_sectors(b), 2);
    uint8_t rd[3 * 512];
    CU_ASSERT_TRUE(block_read(b, 2, rd, 3));
    CU_ASSERT_EQUAL(rd[0], 2);                          /* from the file */
    CU_ASSERT_EQUAL(rd[512], 0x5a);                     /* from memory */
    CU_ASSERT_EQUAL(rd[1535], 0x5a);
    block_close(b);
    gchar *data;
    gsize len;
    CU_ASSERT_TRUE_FATAL(g_file_get_contents(path, &data, &len, NULL));
    CU_ASSERT_EQUAL((uint8_t)data[3 * 512], 3);         /* file untouched */
    CU_ASSERT_EQUAL((uint8_t)data[4 * 512], 4);
    g_free(data);
    unlink(path);
    g_free(path);
}

static void test_readonly(void)
{
    gchar *path = tmp_image(4 * 512, true);
    GError *err = NULL;
    BlockDev *b = block_open(path, true, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_TRUE(block_readonly(b));
    uint8_t buf[512] = { 0 };
    CU_ASSERT_FALSE(block_write(b, 0, buf, 1));
    CU_ASSERT_TRUE(block_read(b, 1, buf, 1));
    CU_ASSERT_EQUAL(buf[0], 1);
    block_close(b);
    /* a read-only file opened for writing: a clear error */
    chmod(path, 0444);
    if (geteuid() != 0) {
        b = block_open(path, false, false, &err);
        CU_ASSERT_PTR_NULL(b);
        CU_ASSERT_PTR_NOT_NULL(err);
        if (err) {
            CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "readonly=on"));
        }
        g_clear_error(&err);
    }
    unlink(path);
    g_free(path);
}

/* disk options: "@" in a command line stands for an existing image */
typedef struct DiskOptCase {
    const char *cmd;
    bool ok;
    const char *ide[4];         /* "@" = the image, NULL = empty; "cd" = empty CD drive */
    bool cdrom[4];
    const char *fd[2];
    bool snapshot;
    const char *boot;
} DiskOptCase;

static const DiskOptCase disk_cases[] = {
    { "-hda @ -cdrom @", true, { "@", NULL, "@", NULL }, { 0, 0, 1, 0 } },
    { "-hdb @ -hdd @", true, { NULL, "@", NULL, "@" } },
    { "-drive file=@,if=ide -drive file=@,media=cdrom", true, { "@", "@" }, { 0, 1 } },
    { "-drive file=@,format=raw,if=ide,index=3,readonly=on", true, { NULL, NULL, NULL, "@" } },
    { "-drive if=ide,index=2,media=cdrom", true, { NULL, NULL, "cd" }, { 0, 0, 1 } },
    { "-fda @ -drive file=@,if=floppy", true, { 0 }, { 0 }, { "@", "@" } },
    { "-snapshot -hda @ -boot order=c,menu=on", true, { "@" }, { 0 }, { 0 }, true, "c" },
    { "-boot d", true, { 0 }, { 0 }, { 0 }, false, "d" },
    { "-boot once=a", true, { 0 }, { 0 }, { 0 }, false, "a" },
    { "-drive file=@,snapshot=on", true, { "@" }, { 0 }, { 0 }, true },
    { "-drive file=@,cache=unsafe,id=d0", true, { "@" } },
    { "-drive file=@,format=qcow2", true, { "@" } },
    { "-drive file=@,format=vpc,if=floppy", true, { 0 }, { 0 }, { "@" } },
    { "-drive file=@,format=qcow3", false },
    { "-hda @ -hdb @ -hdc @ -hdd @ -drive file=@", false },
    { "-fda @ -fdb @ -drive file=@,if=floppy", false },
    { "-drive file=@,media=tape", false },
    { "-drive file=@,readonly=maybe", false },
    { "-drive file=@,bogus=1", false },
    { "-drive file=@,if=floppy,media=cdrom", false },
    { "-boot order=", false },
};

static void test_disk_options(void)
{
    gchar *img = tmp_image(512, false);
    for (size_t i = 0; i < G_N_ELEMENTS(disk_cases); i++) {
        const DiskOptCase *c = &disk_cases[i];
        gchar *cmd0 = g_strconcat("tx86 ", c->cmd, NULL);
        GString *cmd = g_string_new(NULL);
        for (const char *p = cmd0; *p; p++) {
            if (*p == '@')
                g_string_append(cmd, img);
            else
                g_string_append_c(cmd, *p);
        }
        gchar **argv = g_strsplit(cmd->str, " ", -1);
        int argc = (int)g_strv_length(argv);
        MachineConfig cfg;
        GError *err = NULL;
        machine_config_init(&cfg);
        bool ok = options_parse(argc, argv, &cfg, &err);
        if (ok != c->ok)
            printf("\n  case '%s': %s\n", c->cmd, err ? err->message : "parsed");
        CU_ASSERT_EQUAL(ok, c->ok);
        if (ok && c->ok) {
            for (int k = 0; k < 4; k++) {
                const char *want = c->ide[k];
                if (!want || !strcmp(want, "cd")) {
                    CU_ASSERT_PTR_NULL(cfg.ide_file[k]);
                } else {
                    CU_ASSERT(cfg.ide_file[k] && !strcmp(cfg.ide_file[k], img));
                }
                CU_ASSERT_EQUAL(cfg.ide_cdrom[k], c->cdrom[k]);
                if (c->cdrom[k]) {
                    CU_ASSERT_TRUE(cfg.ide_readonly[k]);
                }
            }
            for (int k = 0; k < 2; k++) {
                if (c->fd[k]) {
                    CU_ASSERT(cfg.fd_file[k] && !strcmp(cfg.fd_file[k], img));
                } else {
                    CU_ASSERT_PTR_NULL(cfg.fd_file[k]);
                }
            }
            CU_ASSERT_EQUAL(cfg.snapshot, c->snapshot);
            if (c->boot) {
                CU_ASSERT(cfg.boot_order && !strcmp(cfg.boot_order, c->boot));
            }
        }
        g_clear_error(&err);
        machine_config_clear(&cfg);
        g_strfreev(argv);
        g_string_free(cmd, TRUE);
        g_free(cmd0);
    }
    unlink(img);
    g_free(img);
}

/* two opens of one file: the first is kept open while the second is tried */
typedef struct LockCase {
    bool ro1, snap1;
    int lock1;
    bool ro2, snap2;
    int lock2;
    const char *error;          /* NULL: the second open succeeds */
} LockCase;

static const LockCase lock_cases[] = {
    { false, false, BLOCK_LOCKING_AUTO, false, false, BLOCK_LOCKING_AUTO,
      "locked for writing by another process" },
    { false, false, BLOCK_LOCKING_AUTO, true, false, BLOCK_LOCKING_AUTO,
      "locked for writing by another process" },
    { false, false, BLOCK_LOCKING_AUTO, false, true, BLOCK_LOCKING_AUTO,
      "locked for writing by another process" },
    { true, false, BLOCK_LOCKING_AUTO, false, false, BLOCK_LOCKING_ON,
      "does not allow writers" },
    { false, true, BLOCK_LOCKING_AUTO, false, false, BLOCK_LOCKING_AUTO,
      "does not allow writers" },
    { true, false, BLOCK_LOCKING_AUTO, true, false, BLOCK_LOCKING_AUTO, NULL },
    { false, true, BLOCK_LOCKING_AUTO, true, false, BLOCK_LOCKING_ON, NULL },
    { false, true, BLOCK_LOCKING_AUTO, false, true, BLOCK_LOCKING_AUTO, NULL },
    { false, false, BLOCK_LOCKING_OFF, false, false, BLOCK_LOCKING_AUTO, NULL },
    { false, false, BLOCK_LOCKING_AUTO, false, false, BLOCK_LOCKING_OFF, NULL },
};

static void test_lock_pairs(void)
{
    gchar *path = tmp_image(8 * 512, true);
    gchar *link = g_strconcat(path, "-link", NULL);
    CU_ASSERT_FATAL(symlink(path, link) == 0);
    for (size_t i = 0; i < G_N_ELEMENTS(lock_cases); i++) {
        const LockCase *c = &lock_cases[i];
        GError *err = NULL;
        BlockDev *a = block_open_locking(path, c->ro1, c->snap1, c->lock1, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(block_locked(a), c->lock1 != BLOCK_LOCKING_OFF);
        /* the second open goes through another path to the same file */
        BlockDev *b = block_open_locking(link, c->ro2, c->snap2, c->lock2, &err);
        bool ok = c->error ? !b && err && strstr(err->message, c->error) &&
                             strstr(err->message, "locking=off") && strstr(err->message, link)
                           : b && !err;
        if (!ok) {
            printf("\n  lock case %zu: %s\n", i, err ? err->message : "opened");
            CU_FAIL("lock case");
        }
        g_clear_error(&err);
        block_close(b);
        block_close(a);
        /* closing dropped the locks: a writer may open it now */
        b = block_open(path, false, false, &err);
        CU_ASSERT_PTR_NOT_NULL(b);
        g_clear_error(&err);
        block_close(b);
    }
    CU_ASSERT_TRUE(block_same_file(path, link));
    CU_ASSERT_FALSE(block_same_file(path, "/"));
    unlink(link);
    unlink(path);
    g_free(link);
    g_free(path);
}

/* another process writes the image: refused until it dies */
static void test_lock_child(void)
{
    gchar *path = tmp_image(8 * 512, true);
    int ready[2];
    CU_ASSERT_FATAL(pipe(ready) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        BlockDev *b = block_open(path, false, false, NULL);
        char c = b ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    char c = 0;
    CU_ASSERT_EQUAL(read(ready[0], &c, 1), 1);
    CU_ASSERT_EQUAL(c, 'y');
    GError *err = NULL;
    static const struct { bool ro, snap; } users[] = { { false, false }, { true, false },
                                                       { false, true } };
    for (size_t i = 0; i < G_N_ELEMENTS(users); i++) {
        BlockDev *b = block_open(path, users[i].ro, users[i].snap, &err);
        CU_ASSERT_PTR_NULL(b);
        CU_ASSERT(err && strstr(err->message, "locked for writing by another process"));
        g_clear_error(&err);
        block_close(b);
    }
    BlockDev *off = block_open_locking(path, false, false, BLOCK_LOCKING_OFF, &err);
    CU_ASSERT_PTR_NOT_NULL(off);
    block_close(off);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    BlockDev *b = block_open(path, false, false, &err);   /* the kernel dropped its locks */
    CU_ASSERT_PTR_NOT_NULL(b);
    g_clear_error(&err);
    block_close(b);
    close(ready[0]);
    close(ready[1]);
    unlink(path);
    g_free(path);
}

/* block_flush is fdatasync for a writer, nothing for -snapshot and
 * read-only images; the guest's FLUSH CACHE (0xE7) and FLUSH CACHE EXT
 * (0xEA) reach it through the IDE ports */
static void test_flush(void)
{
    gchar *path = tmp_image(64 * 512, true);
    GError *err = NULL;
    static const struct { bool ro, snap; unsigned syncs; } modes[] = {
        { false, false, 1 }, { false, true, 0 }, { true, false, 0 } };
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        BlockDev *b = block_open(path, modes[i].ro, modes[i].snap, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_TRUE(block_flush(b));
        CU_ASSERT_EQUAL(block_sync_count(b), modes[i].syncs);
        block_close(b);
    }

    MachineConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = 2u << 20;
    cfg.backend = BACKEND_INTERP;
    Machine *m = machine_new(&cfg, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    IrqLine irq[2];
    irq_line_init(&irq[0], NULL, NULL, 0);
    irq_line_init(&irq[1], NULL, NULL, 1);
    IDEState *ide = ide_init(&m->bus, NULL, &irq[0], &irq[1], NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide);
    BlockDev *b = block_open(path, false, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    ide_attach(ide, 0, b, false);
    ide_reset(ide);
    static const uint8_t cmds[] = { 0xe7, 0xea };
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        ioport_write(m->io, 0x1f6, 0xe0, 1);
        ioport_write(m->io, 0x1f7, cmds[i], 1);
        CU_ASSERT_EQUAL(ioport_read(m->io, 0x1f7, 1) & 0x89, 0x00);  /* !BSY !DRQ !ERR */
        CU_ASSERT_EQUAL(block_sync_count(b), i + 1);
    }
    machine_free(m);
    unlink(path);
    g_free(path);
}

/* -drive locking= fills MachineConfig */
static void test_locking_option(void)
{
    gchar *img = tmp_image(512, false);
    static const struct { const char *arg; bool ok; int locking; } cases[] = {
        { "file=@", true, BLOCK_LOCKING_AUTO },
        { "file=@,locking=off", true, BLOCK_LOCKING_OFF },
        { "file=@,file.locking=on", true, BLOCK_LOCKING_ON },
        { "file=@,locking=auto,if=floppy", true, BLOCK_LOCKING_AUTO },
        { "file=@,locking=maybe", false, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        gchar **parts = g_strsplit(cases[i].arg, "@", 2);
        gchar *arg = g_strjoin(img, parts[0], parts[1], NULL);
        char *argv[] = { "tx86", "-drive", arg, NULL };
        MachineConfig cfg;
        GError *err = NULL;
        machine_config_init(&cfg);
        bool ok = options_parse(3, argv, &cfg, &err);
        CU_ASSERT_EQUAL(ok, cases[i].ok);
        if (ok) {
            bool floppy = strstr(arg, "floppy") != NULL;
            CU_ASSERT_EQUAL(floppy ? cfg.fd_locking[0] : cfg.ide_locking[0], cases[i].locking);
        }
        g_clear_error(&err);
        machine_config_clear(&cfg);
        g_free(arg);
        g_strfreev(parts);
    }
    unlink(img);
    g_free(img);
}

void register_block_tests(void)
{
    CU_pSuite s = CU_add_suite("block", NULL, NULL);
    CU_add_test(s, "bad images give clear errors", test_bad_images);
    CU_add_test(s, "read and write reach the file", test_read_write);
    CU_add_test(s, "-snapshot keeps writes in memory", test_snapshot);
    CU_add_test(s, "read-only images", test_readonly);
    CU_add_test(s, "disk options", test_disk_options);
    CU_add_test(s, "two opens of one image: locks", test_lock_pairs);
    CU_add_test(s, "a process holding the lock", test_lock_child);
    CU_add_test(s, "FLUSH CACHE is fdatasync", test_flush);
    CU_add_test(s, "-drive locking=", test_locking_option);
}
