/*
 * test_monitor.c - unit tests for the monitor's sessions (src/monitor/
 * hmp.c, qmp.c) and the machine's run state (machine.c: stop, cont,
 * listeners), on a bare machine with a buffer as the client: a table of
 * inputs and the text their output must (and must not) contain.
 * The socket side is tested by tests/monitor/ (make check-monitor).
 */
#include <string.h>
#include <CUnit/CUnit.h>
#include "machine/machine.h"
#include "monitor/monitor_int.h"

static void sink(void *opaque, const char *buf, size_t len)
{
    g_string_append_len(opaque, buf, (gssize)len);
}

static Machine *new_machine(void)
{
    Machine *m = machine_new_bare(1u << 20, NULL);
    static const uint32_t words[] = { 0x11223344, 0xdeadbeef, 0xfffffffe };
    physmem_write_buf(m->mem, 0x1000, words, sizeof(words));
    m->cpu.regs[R_EBX] = 0x12345678;
    return m;
}

typedef struct Case {
    const char *input;
    const char *want;           /* must appear in the output */
    const char *not_want;       /* must not (NULL: no check) */
} Case;

static const Case hmp_cases[] = {
    { "info status\n", "VM status: running" },
    { "stop\ninfo status\n", "VM status: paused" },
    { "stop\nc\ninfo status\n", "VM status: running" },
    { "xp /2xw 0x1000\n", "0000000000001000: 0x11223344 0xdeadbeef" },
    { "x /4xb 0x1000\n", "00001000: 0x44 0x33 0x22 0x11" },
    { "x/1dw 0x1008\n", "00001008:         -2" },
    { "xp /1ug 0x1000\n", "16045690981384860484" },
    { "xp /3c 0x1004\n", "'\\xef' '\\xbe' '\\xad'" },
    { "xp /2xw 0x800+0x800\n", "0x11223344 0xdeadbeef" },
    { "x /1xw $ebx-0x12344678\n", "0x11223344" },
    { "x /1xw $nosuch\n", "unknown register" },
    { "x /1q 0\n", "invalid format" },
    { "x /0x 0\n", "out of range" },
    { "xp /1xw 0xfffff000000\n", "Cannot access" },
    { "info registers\n", "EBX=12345678" },
    { "info tlb\n", "PG disabled" },
    { "info\n", "info registers" },
    { "info bogus\n", "unknown info item" },
    { "sendkey ctrl-alt-delete\n", "no keyboard" },
    { "sendkey ctrl-nokey\n", "unknown key: 'nokey'" },
    { "screendump /nonexistent/x.ppm\n", "no VGA" },
    { "eject ide1-cd0\n", "not found" },
    { "change floppy0 /nonexistent.img\n", "not found" },
    { "system_powerdown\n", "no ACPI power button" },
    { "frobnicate\n", "unknown command: 'frobnicate'" },
    { "help sendkey\n", "sendkey keys", "xp /fmt" },
    { "inf\x7fo status\r\n", "unknown command: 'ino'" },       /* no echo: backspace edits */
    { "info nam\x08\x08\x08status\r\n", "VM status" },
};

static void test_hmp(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(hmp_cases); i++) {
        Machine *m = new_machine();
        MonCtx ctx = { .m = m };
        GString *out = g_string_new(NULL);
        HmpSession *h = hmp_session_new(&ctx, sink, out, false);
        const Case *c = &hmp_cases[i];
        hmp_session_input(h, (const uint8_t *)c->input, strlen(c->input));
        if (!strstr(out->str, c->want))
            printf("\nhmp case %zu (%s): no '%s' in '%s'\n", i, c->input, c->want, out->str);
        CU_ASSERT_PTR_NOT_NULL(strstr(out->str, c->want));
        if (c->not_want)
            CU_ASSERT_PTR_NULL(strstr(out->str, c->not_want));
        hmp_session_free(h);
        g_string_free(out, TRUE);
        machine_free(m);
    }
}

static const Case qmp_cases[] = {
    { "", "{\"QMP\":{\"version\":" },
    { "{\"execute\":\"query-status\"}", "\"CommandNotFound\"" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"query-status\",\"id\":[7]}",
      "{\"return\":{\"status\":\"running\",\"singlestep\":false,\"running\":true},\"id\":[7]}" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"stop\"}",
      "\"event\":\"STOP\"}\r\n{\"return\":{}}" },
    { "{\"execute\":\"stop\"}", "Expecting capabilities", "STOP" },
    { "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"nosuch\"}",
      "The command nosuch has not been found" },
    { "{\"execute\":\"qmp_capabilities\"} } {\"execute\":\"query-name\"}",
      "invalid token" },
    { "{\"execute\":\"qmp_capabilities\"} {\"execute\":\"query-name\"}", "{\"return\":{}}" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"eject\",\"arguments\":{\"device\":\"x\"}}",
      "\"DeviceNotFound\"" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"eject\",\"arguments\":{\"device\":1}}",
      "Invalid parameter type for 'device', expected: string" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"screendump\"}",
      "Parameter 'filename' is missing" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"cont\",\"arguments\":{\"a\":1}}",
      "Parameter 'a' is unexpected" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"human-monitor-command\","
      "\"arguments\":{\"command-line\":\"xp /1xw 0x1004\"}}",
      "\"return\":\"0000000000001004: 0xdeadbeef\\r\\n\"" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"send-key\",\"arguments\":{\"keys\":"
      "[{\"type\":\"qcode\",\"data\":\"ctrl\"}]}}", "no keyboard" },
    { "{\"execute\":\"qmp_capabilities\"}[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
      "{\"execute\":\"query-name\"}", "nesting too deep" },
    { "{\"execute\":\"qmp_capabilities\"}[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
      "{\"execute\":\"query-name\"}", "{\"return\":{}}\r\n" },
    { "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"quit\"}", "{\"return\":{}}" },
};

static void to_session(void *opaque, MachineEvent ev, const char *reason)
{
    qmp_session_machine_event(opaque, ev, reason);
}

static void test_qmp(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qmp_cases); i++) {
        Machine *m = new_machine();
        MonCtx ctx = { .m = m };
        GString *out = g_string_new(NULL);
        QmpSession *q = qmp_session_new(&ctx, sink, out);
        const Case *c = &qmp_cases[i];
        machine_add_listener(m, to_session, q);       /* events, as monitor.c */
        /* byte by byte: framing must not depend on how input arrives */
        for (const char *p = c->input; *p; p++)
            qmp_session_input(q, (const uint8_t *)p, 1);
        machine_remove_listener(m, to_session, q);
        if (!strstr(out->str, c->want))
            printf("\nqmp case %zu: no '%s' in '%s'\n", i, c->want, out->str);
        CU_ASSERT_PTR_NOT_NULL(strstr(out->str, c->want));
        if (c->not_want)
            CU_ASSERT_PTR_NULL(strstr(out->str, c->not_want));
        qmp_session_free(q);
        g_string_free(out, TRUE);
        machine_free(m);
    }
}

typedef struct Seen {
    int n;
    MachineEvent ev[8];
} Seen;

static void listener(void *opaque, MachineEvent ev, const char *reason)
{
    Seen *s = opaque;
    if (s->n < 8)
        s->ev[s->n++] = ev;
}

static void test_run_state(void)
{
    Machine *m = new_machine();
    Seen seen = { 0 };
    machine_add_listener(m, listener, &seen);
    machine_stop(m);
    machine_stop(m);                    /* no second STOP */
    CU_ASSERT_TRUE(m->stopped);
    CU_ASSERT_FALSE(m->clock.running);
    machine_cont(m);
    machine_cont(m);
    CU_ASSERT_FALSE(m->stopped);
    CU_ASSERT_TRUE(m->clock.running);
    CU_ASSERT_FALSE(machine_powerdown(m));  /* a bare machine has no PM device */
    CU_ASSERT_EQUAL(seen.n, 2);
    CU_ASSERT_EQUAL(seen.ev[0], MACHINE_EVENT_STOP);
    CU_ASSERT_EQUAL(seen.ev[1], MACHINE_EVENT_RESUME);
    /* quit while stopped: machine_run returns at once, SHUTDOWN told */
    machine_stop(m);
    machine_request_shutdown_reason(m, 0, "host-qmp-quit");
    CU_ASSERT_EQUAL(machine_run(m), 0);
    CU_ASSERT_EQUAL(seen.n, 4);
    CU_ASSERT_EQUAL(seen.ev[3], MACHINE_EVENT_SHUTDOWN);
    CU_ASSERT_STRING_EQUAL(m->shutdown_reason, "host-qmp-quit");
    machine_remove_listener(m, listener, &seen);
    machine_free(m);
}

void register_monitor_tests(void)
{
    CU_pSuite s = CU_add_suite("monitor", NULL, NULL);
    CU_add_test(s, "HMP commands (table)", test_hmp);
    CU_add_test(s, "QMP requests byte by byte (table)", test_qmp);
    CU_add_test(s, "run state: stop, cont, listeners, quit while stopped", test_run_state);
}
