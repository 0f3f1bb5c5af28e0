/*
 * test_chardev.c - unit tests for the serial back ends (src/devices/
 * chardev.c): which -serial specs are accepted, the null and file back
 * ends, and a tcp server with a client: input through the main loop's
 * host poll (machine_poll_host) with the front end's flow control, output
 * to the client, and reconnection after the client leaves; the tcp
 * listener binds only the loopback address by default and survives a
 * client that resets the connection while the guest writes.
 */
#include <string.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "devices/chardev.h"

static void test_spec_check(void)
{
    static const struct { const char *spec; bool ok; } rows[] = {
        { "stdio", true }, { "mon:stdio", true }, { "null", true }, { "none", true },
        { "pty", true }, { "file:/tmp/x", true },
        { "tcp::4444,server", true }, { "tcp:127.0.0.1:4444,server,nowait", true },
        { "tcp:localhost:4444,server=on,wait=off", true },
        { "file:", false }, { "vc", false }, { "tcp::4444", false },
        { "tcp::99999,server", false }, { "tcp:4444,server", false },
        { "tcp::4444,server,telnet", false }, { "", false }, { "tcp:", false },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++) {
        GError *err = NULL;
        bool ok = chardev_spec_check(rows[i].spec, &err);
        CU_ASSERT_EQUAL(ok, rows[i].ok);
        if (ok != rows[i].ok)
            fprintf(stderr, "spec '%s'\n", rows[i].spec);
        CU_ASSERT_EQUAL(err != NULL, !rows[i].ok);
        g_clear_error(&err);
    }
    CU_ASSERT_TRUE(chardev_spec_is_none("none"));
    CU_ASSERT_FALSE(chardev_spec_is_none("null"));
}

static Machine *bare_machine(void)
{
    GError *err = NULL;
    Machine *m = machine_new_bare(1u << 20, &err);
    g_assert(m);
    return m;
}

typedef struct Sink {
    int room;
    uint8_t buf[64];
    int n;
} Sink;

static int sink_can(void *opaque) { return ((Sink *)opaque)->room; }
static void sink_rx(void *opaque, const uint8_t *b, int len)
{
    Sink *s = opaque;
    for (int i = 0; i < len && s->n < 64; i++)
        s->buf[s->n++] = b[i];
    s->room -= len;
}

static void test_null_and_file(void)
{
    Machine *m = bare_machine();
    GError *err = NULL;
    CharDev *c = chardev_new(&m->bus, "null", "t", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(chardev_write(c, (const uint8_t *)"abc", 3), 3);
    chardev_free(c);
    c = chardev_new(&m->bus, "file:/nonexistent-dir/x", "serial0", &err);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(err);
    if (err)
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/nonexistent-dir/x"));
    g_clear_error(&err);
    machine_free(m);
}

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* after a client left: a new one connects and is taken */
static void serves_next_client(Machine *m, CharDev *c, int port)
{
    int cl = tcp_connect(port);
    CU_ASSERT_FATAL(cl >= 0);
    machine_poll_host(m, 1000000000);
    CU_ASSERT_TRUE(chardev_connected(c));
    close(cl);
}

static void test_tcp_server(void)
{
    Machine *m = bare_machine();
    GError *err = NULL;
    CharDev *c = NULL;
    int port = 0;
    for (int tries = 0; tries < 20 && !c; tries++) {
        port = 20000 + (int)((getpid() * 7 + tries * 131) % 30000);
        gchar *spec = g_strdup_printf("tcp:127.0.0.1:%d,server,nowait", port);
        c = chardev_new(&m->bus, spec, "serial0", &err);
        g_clear_error(&err);
        g_free(spec);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    Sink sink = { .room = 4 };
    chardev_set_handlers(c, sink_can, sink_rx, &sink);
    CU_ASSERT_FALSE(chardev_connected(c));
    CU_ASSERT_EQUAL(chardev_write(c, (const uint8_t *)"lost", 4), 0);

    int cl = tcp_connect(port);
    CU_ASSERT_FATAL(cl >= 0);
    CU_ASSERT_TRUE(machine_poll_host(m, 1000000000));          /* accept */
    CU_ASSERT_TRUE(chardev_connected(c));
    CU_ASSERT_EQUAL(write(cl, "hello!", 6), 6);
    /* the front end takes 4 bytes, then none until it has room */
    for (int i = 0; i < 10 && sink.n < 4; i++)
        machine_poll_host(m, 100000000);
    CU_ASSERT_EQUAL(sink.n, 4);
    CU_ASSERT_FALSE(machine_poll_host(m, 0));
    sink.room = 8;
    for (int i = 0; i < 10 && sink.n < 6; i++)
        machine_poll_host(m, 100000000);
    CU_ASSERT_EQUAL(sink.n, 6);
    CU_ASSERT_EQUAL(memcmp(sink.buf, "hello!", 6), 0);

    CU_ASSERT_EQUAL(chardev_write(c, (const uint8_t *)"out", 3), 3);
    char got[8] = { 0 };
    CU_ASSERT_EQUAL(read(cl, got, sizeof(got)), 3);
    CU_ASSERT_STRING_EQUAL(got, "out");

    /* the client leaves: the server listens again */
    close(cl);
    for (int i = 0; i < 10 && chardev_connected(c); i++)
        machine_poll_host(m, 100000000);
    CU_ASSERT_FALSE(chardev_connected(c));
    serves_next_client(m, c, port);
    chardev_free(c);
    machine_free(m);
}

/* a tcp server on a free port; spec_fmt has one %d */
static CharDev *tcp_server(Machine *m, const char *spec_fmt, int *port)
{
    CharDev *c = NULL;
    GError *err = NULL;
    for (int tries = 0; tries < 20 && !c; tries++) {
        *port = 20000 + (int)((getpid() * 11 + tries * 257) % 30000);
        gchar *spec = g_strdup_printf(spec_fmt, *port);
        c = chardev_new(&m->bus, spec, "serial0", &err);
        g_clear_error(&err);
        g_free(spec);
    }
    return c;
}

/* without a host, only 127.0.0.1 listens: another local address refuses */
static void test_tcp_loopback_only(void)
{
    Machine *m = bare_machine();
    int port;
    CharDev *c = tcp_server(m, "tcp::%d,server,nowait", &port);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    struct ifaddrs *ifs, *i;
    CU_ASSERT_FATAL(getifaddrs(&ifs) == 0);
    for (i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        struct sockaddr_in a = *(struct sockaddr_in *)i->ifa_addr;
        if (a.sin_addr.s_addr == htonl(INADDR_LOOPBACK))
            continue;
        a.sin_port = htons((uint16_t)port);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        CU_ASSERT_NOT_EQUAL(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        close(fd);
    }
    freeifaddrs(ifs);
    int cl = tcp_connect(port);
    CU_ASSERT(cl >= 0);
    if (cl >= 0)
        close(cl);
    chardev_free(c);
    machine_free(m);
}

/* the client resets the connection (unread output, SO_LINGER 0) while the
 * guest keeps writing: no SIGPIPE, the server listens again */
static void test_tcp_client_reset(void)
{
    Machine *m = bare_machine();
    int port;
    CharDev *c = tcp_server(m, "tcp:127.0.0.1:%d,server,nowait", &port);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    Sink sink = { .room = 64 };
    chardev_set_handlers(c, sink_can, sink_rx, &sink);
    int cl = tcp_connect(port);
    CU_ASSERT_FATAL(cl >= 0);
    machine_poll_host(m, 1000000000);
    CU_ASSERT_TRUE(chardev_connected(c));
    CU_ASSERT_EQUAL(write(cl, "ab", 2), 2);                    /* half a line */
    CU_ASSERT_EQUAL(chardev_write(c, (const uint8_t *)"unread", 6), 6);
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(cl, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(cl);                                                  /* RST */
    for (int i = 0; i < 100 && chardev_connected(c); i++) {
        chardev_write(c, (const uint8_t *)"more output\n", 12);
        machine_poll_host(m, 10000000);
    }
    CU_ASSERT_FALSE(chardev_connected(c));
    serves_next_client(m, c, port);
    chardev_free(c);
    machine_free(m);
}

void register_chardev_tests(void)
{
    CU_pSuite s = CU_add_suite("chardev", NULL, NULL);
    CU_add_test(s, "spec check", test_spec_check);
    CU_add_test(s, "null and file", test_null_and_file);
    CU_add_test(s, "tcp server", test_tcp_server);
    CU_add_test(s, "tcp loopback only", test_tcp_loopback_only);
    CU_add_test(s, "tcp client reset", test_tcp_client_reset);
}
