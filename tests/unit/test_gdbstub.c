/*
 * test_gdbstub.c - unit tests for the gdb stub's packet handling
 * (src/debug/gdbstub.c), through gdb_new_fd() on a socketpair: a table of
 * requests and the exact replies they get (well-formed and malformed),
 * a client that closes before the replies are sent (no SIGPIPE), an
 * overlong packet, and a watchpoint longer than two pages.
 *
 * Each row runs one session on a fresh stub: the request is written with
 * its checksum, the client's write side is shut, the stub serves to EOF
 * as machine_run would, and the client reads "+$REPLY#xx".
 */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "cpu-x86/debug.h"
#include "debug/gdbstub.h"

static Machine *gdb_test_machine(void)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(1u << 20, &err);
    g_assert(m);
    return m;
}

/* a stub on one connection, debugging what the board would give it:
 * the machine's CPU, memory and host */
static GdbStub *gdb_stub_on(Machine *m, int fd)
{
    GdbTarget t = { .cpu = &m->cpu, .mem = m->mem, .host = &m->host };
    return gdb_new_fd(&t, fd, fd);
}

static GString *gdb_packet_of(const char *payload)
{
    unsigned sum = 0;
    for (const char *p = payload; *p; p++)
        sum += (uint8_t)*p;
    GString *s = g_string_new("$");
    g_string_append_printf(s, "%s#%02x", payload, sum & 0xff);
    return s;
}

/* serve what the client sent until EOF, as machine_run's calls would */
static void gdb_serve_to_eof(Machine *m, GdbStub *g)
{
    m->gdb = g;
    gdb_start(g, true);
    while (gdb_connected(g)) {
        gdb_poll(g);
        if (gdb_connected(g))
            gdb_stopped(g);
    }
}

/* one session: send raw bytes, return everything the stub answered */
static GString *gdb_session(Machine *m, const char *raw, size_t len, bool keep)
{
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CU_ASSERT_FATAL(write(sv[0], raw, len) == (ssize_t)len);
    shutdown(sv[0], SHUT_WR);
    GdbStub *g = gdb_stub_on(m, sv[1]);
    gdb_serve_to_eof(m, g);
    GString *out = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    while ((n = read(sv[0], buf, sizeof(buf))) > 0)
        g_string_append_len(out, buf, n);
    close(sv[0]);
    if (!keep) {
        m->gdb = NULL;
        gdb_free(g);
    }
    return out;
}

static const struct {
    const char *request, *reply;
} gdb_rows[] = {
    /* well formed */
    { "?", "T05thread:01;" },
    { "qAttached", "1" },
    { "m2000,4", "00000000" },
    { "M2000,2:abcd", "OK" },
    { "M2000,0:", "OK" },
    { "p0", "00000000" },
    { "P0=78563412", "OK" },
    { "Z0,fffffff0,1", "OK" },
    { "Z2,1000,4", "OK" },
    { "z2,1000,4", "OK" },
    { "Z0,1000,1;X1,0", "OK" },
    { "Z9,1000,1", "" },
    { "qXfer:features:read:target.xml:ffffffff,10", "l" },
    { "qXfer:features:read:other.xml:0,10", "E00" },
    { "vMustReplyEmpty", "" },
    { "", "" },
    /* malformed: E01 */
    { "M0,8000000000000000:00", "E01" },
    { "M0,ffffffffffffffff:00", "E01" },
    { "M0,801:00", "E01" },
    { "M0,2:00", "E01" },
    { "M0,1:000", "E01" },
    { "M0,1:0g", "E01" },
    { "M100000000,1:00", "E01" },
    { "M0,1", "E01" },
    { "m0,8000000000000000", "E01" },
    { "m0,7fd", "E01" },                /* the hex reply would not fit a packet */
    { "m0,10000000000000001", "E01" },
    { "m,4", "E01" },
    { "m0", "E01" },
    { "m0,4x", "E01" },
    { "m-1,4", "E01" },
    { "p", "E01" },
    { "p2d", "E01" },
    { "p8x", "E01" },
    { "pffffffffffffffffff", "E01" },
    { "P8", "E01" },
    { "P8=12", "E01" },
    { "P8=1234567890", "E01" },
    { "P0=zz000000", "E01" },
    { "Pffffffffffffffff=00000000", "E01" },
    { "G", "E01" },
    { "G0", "E01" },
    { "Gzz", "E01" },
    { "Z0,zz,1", "E01" },
    { "Z0,100000000,1", "E01" },
    { "Z0,1000", "E01" },
    { "Z0,1000,1x", "E01" },
    { "Z2,1000,ffffffffffffffffff", "E01" },
    { "Z", "E01" },
    { "z1", "E01" },
    { "qRcmd,6", "E01" },
    { "qRcmd,6g", "E01" },
    { "qXfer:features:read:target.xml:ffffffffffffffffffff,10", "E01" },
    { "qXfer:features:read:target.xml:0,ffffffffffffffffffff", "E01" },
    { "qXfer:features:read:target.xml:0", "E01" },
    { "cfffffffffffffffff", "E01" },
    { "sxyz", "E01" },
};

static void test_packet_table(void)
{
    Machine *m = gdb_test_machine();
    for (unsigned i = 0; i < G_N_ELEMENTS(gdb_rows); i++) {
        GString *req = gdb_packet_of(gdb_rows[i].request);
        GString *want = gdb_packet_of(gdb_rows[i].reply);
        g_string_prepend_c(want, '+');
        GString *got = gdb_session(m, req->str, req->len, false);
        CU_ASSERT_STRING_EQUAL(got->str, want->str);
        if (strcmp(got->str, want->str))
            fprintf(stderr, "gdb '%s': got '%s', want '%s'\n", gdb_rows[i].request,
                    got->str, want->str);
        g_string_free(req, TRUE);
        g_string_free(want, TRUE);
        g_string_free(got, TRUE);
    }
    machine_free(m);
}

/* the largest read fits, one byte more is refused */
static void test_mem_limits(void)
{
    Machine *m = gdb_test_machine();
    GString *req = gdb_packet_of("m0,7fc");
    GString *got = gdb_session(m, req->str, req->len, false);
    CU_ASSERT_EQUAL(got->len, 1 + 1 + 2 * 0x7fc + 3);
    g_string_free(req, TRUE);
    g_string_free(got, TRUE);
    machine_free(m);
}

/* a packet over GDB_PKT_MAX is answered E01, not acted on truncated; a
 * bad checksum gets '-'; garbage and a cut packet are skipped */
static void test_overlong_and_noise(void)
{
    Machine *m = gdb_test_machine();
    GString *raw = g_string_new("xyz\x01+-");
    GString *big = g_string_new("M2000,1:11");
    for (int i = 0; i < 5000; i++)
        g_string_append_c(big, '0');
    GString *p = gdb_packet_of(big->str);
    g_string_append_len(raw, p->str, p->len);
    g_string_append(raw, "$g#00");                  /* bad checksum */
    g_string_append(raw, "$m2000,1");               /* cut by a new packet */
    g_string_free(p, TRUE);
    p = gdb_packet_of("m2000,1");
    g_string_append_len(raw, p->str, p->len);
    GString *got = gdb_session(m, raw->str, raw->len, false);
    CU_ASSERT_STRING_EQUAL(got->str, "+$E01#a6-+$00#60");
    g_string_free(p, TRUE);
    g_string_free(big, TRUE);
    g_string_free(raw, TRUE);
    g_string_free(got, TRUE);
    machine_free(m);
}

/* the client closes before reading its replies: the writes fail with
 * EPIPE (a SIGPIPE would end this test program) and the stub lets go */
static void test_client_gone(void)
{
    Machine *m = gdb_test_machine();
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    GString *req = gdb_packet_of("g");
    for (int i = 0; i < 50; i++)
        CU_ASSERT_FATAL(write(sv[0], req->str, req->len) == (ssize_t)req->len);
    close(sv[0]);
    GdbStub *g = gdb_stub_on(m, sv[1]);
    gdb_serve_to_eof(m, g);
    CU_ASSERT_FALSE(gdb_connected(g));
    CU_ASSERT_FALSE(m->shutdown_requested);
    m->gdb = NULL;
    gdb_free(g);
    g_string_free(req, TRUE);
    machine_free(m);
}

/* the stub uses only what it was given: a kill asks the GdbTarget's host
 * (here a counting one, not the machine's) for the shutdown, and 'g'
 * reads the GdbTarget's CPU */
static int gdb_test_shutdowns, gdb_test_status = -1;
static void gdb_test_shutdown(void *opaque, int status)
{
    gdb_test_shutdowns++;
    gdb_test_status = status;
}

static void test_target_host(void)
{
    Machine *m = gdb_test_machine();
    static const BusHostOps ops = { .request_shutdown = gdb_test_shutdown };
    BusHost host = { .ops = &ops };
    GdbTarget t = { .cpu = &m->cpu, .mem = m->mem, .host = &host };
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    m->cpu.regs[R_EAX] = 0x12345678;
    GString *req = gdb_packet_of("g");
    GString *k = gdb_packet_of("k");
    g_string_append_len(req, k->str, k->len);
    CU_ASSERT_FATAL(write(sv[0], req->str, req->len) == (ssize_t)req->len);
    shutdown(sv[0], SHUT_WR);
    GdbStub *g = gdb_new_fd(&t, sv[1], sv[1]);
    gdb_serve_to_eof(m, g);
    char buf[64] = "";
    CU_ASSERT_FATAL(read(sv[0], buf, sizeof(buf) - 1) > 10);
    CU_ASSERT_EQUAL(strncmp(buf, "+$78563412", 10), 0);     /* eax, little-endian */
    CU_ASSERT_EQUAL(gdb_test_shutdowns, 1);
    CU_ASSERT_EQUAL(gdb_test_status, 0);
    CU_ASSERT_FALSE(m->shutdown_requested);                 /* not the machine's host */
    m->gdb = NULL;
    gdb_free(g);
    close(sv[0]);
    g_string_free(req, TRUE);
    g_string_free(k, TRUE);
    machine_free(m);
}

/* every page of a long watchpoint is watched, not just the first and last */
static void test_long_watchpoint(void)
{
    Machine *m = gdb_test_machine();
    GString *req = gdb_packet_of("Z2,1800,3000");
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CU_ASSERT_FATAL(write(sv[0], req->str, req->len) == (ssize_t)req->len);
    GdbStub *g = gdb_stub_on(m, sv[1]);
    m->gdb = g;
    /* serve only what is there: the watchpoint stays while connected */
    shutdown(sv[0], SHUT_WR);
    gdb_start(g, true);                 /* returns at EOF: the stub detaches */
    CU_ASSERT_FALSE(gdb_page_watched(m->gdb, 0x2000));   /* detached: gone */
    m->gdb = NULL;
    gdb_free(g);
    close(sv[0]);

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    GString *two = g_string_new(req->str);
    g_string_append(two, "$c#63");      /* resume: the stub returns, connected */
    CU_ASSERT_FATAL(write(sv[0], two->str, two->len) == (ssize_t)two->len);
    g = gdb_stub_on(m, sv[1]);
    m->gdb = g;
    gdb_start(g, true);
    CU_ASSERT_TRUE(gdb_connected(g));
    CU_ASSERT_TRUE(gdb_page_watched(m->gdb, 0x1000));
    CU_ASSERT_TRUE(gdb_page_watched(m->gdb, 0x2000));     /* a middle page */
    CU_ASSERT_TRUE(gdb_page_watched(m->gdb, 0x3000));
    CU_ASSERT_TRUE(gdb_page_watched(m->gdb, 0x4000));
    CU_ASSERT_FALSE(gdb_page_watched(m->gdb, 0x5000));
    CU_ASSERT_FALSE(gdb_page_watched(m->gdb, 0x0000));
    m->gdb = NULL;
    gdb_free(g);
    close(sv[0]);
    g_string_free(two, TRUE);
    g_string_free(req, TRUE);
    machine_free(m);
}

void register_gdbstub_tests(void)
{
    CU_pSuite s = CU_add_suite("gdbstub", NULL, NULL);
    CU_add_test(s, "packet table", test_packet_table);
    CU_add_test(s, "memory read limits", test_mem_limits);
    CU_add_test(s, "overlong packet and noise", test_overlong_and_noise);
    CU_add_test(s, "client gone before the replies", test_client_gone);
    CU_add_test(s, "long watchpoint", test_long_watchpoint);
    CU_add_test(s, "kill goes to the given host", test_target_host);
}
