/*
 * tests/boot/libc_check.c - exercises what a Linux distribution relies on
 * from the CPU, the kernel and glibc, for the Debian boot test
 * (tests/boot/debian.sh).  Built on the host with `gcc -m32`, once -static
 * and once dynamic; the output of a native host run is the reference, the
 * same binaries run inside the guest must print the same lines.
 *
 *   pthreads   several threads, a mutex and a condition variable, join
 *   TLS        __thread variables (glibc sets up %gs via set_thread_area)
 *   futex      FUTEX_WAIT / FUTEX_WAKE by direct syscall between threads
 *   signals    sigaction, raise, kill, sigprocmask + sigpending, alarm
 *              with sigsuspend, setitimer, SA_SIGINFO
 *   vDSO       getauxval(AT_SYSINFO_EHDR) maps an ELF image; clock_gettime
 *              and gettimeofday move forward and agree with each other
 *   mmap       a file mapped MAP_SHARED, changed, msync'd, read back
 *   fork/exec  fork + waitpid exit status, a pipe, exec of this program
 *              (/proc/self/exe) with an argument, a child killed by a signal
 *
 * Usage: libc_check [TMPDIR]  (default /tmp).  Prints only deterministic
 * lines (no times, pids or addresses), "libc_check: ALL OK" at the end,
 * and exits 0 when every check passed.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

/* ---- pthreads: workers add to a shared counter under a mutex, the last
 * one signals the main thread through a condition variable ---- */
#define NTHREADS 6
#define NADDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static long counter;
static int finished;
static __thread long tls_value = 1000;       /* every thread starts with 1000 */
static __thread char tls_name[16];

static void *worker(void *arg)
{
    long id = (long)arg;
    snprintf(tls_name, sizeof tls_name, "worker%ld", id);
    for (int i = 0; i < NADDS; i++) {
        tls_value += id;                  /* private: no lock needed */
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        if (i % 4096 == 0)
            sched_yield();
    }
    int name_ok = strcmp(tls_name, "worker") > 0 && tls_name[6] == (char)('0' + id);
    pthread_mutex_lock(&lock);
    if (++finished == NTHREADS)
        pthread_cond_signal(&all_done);
    pthread_mutex_unlock(&lock);
    /* the thread's own TLS block must not have been touched by the others */
    return (void *)(long)(tls_value == 1000 + id * NADDS && name_ok);
}

static void test_threads(void)
{
    pthread_t t[NTHREADS];
    int created = 1, tls_ok = 1;
    tls_value = 7;
    strcpy(tls_name, "main");
    for (long i = 0; i < NTHREADS; i++)
        created &= pthread_create(&t[i], NULL, worker, (void *)i) == 0;
    pthread_mutex_lock(&lock);
    while (finished < NTHREADS)
        pthread_cond_wait(&all_done, &lock);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        created &= pthread_join(t[i], &r) == 0;
        tls_ok &= r == (void *)1L;
    }
    check(created, "pthread create/join");
    printf("pthread counter = %ld (expect %d)\n", counter, NTHREADS * NADDS);
    check(counter == NTHREADS * NADDS, "pthread mutex");
    check(finished == NTHREADS, "pthread condvar");
    check(tls_ok, "TLS in threads");
    check(tls_value == 7 && strcmp(tls_name, "main") == 0, "TLS in main thread");
}

/* ---- futex: a ping-pong of FUTEX_WAIT / FUTEX_WAKE on one word ---- */
#define ROUNDS 200
static volatile int futex_word;    /* even: main's turn, odd: the thread's */

static long futex(volatile int *addr, int op, int val)
{
    return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void wait_for(int value)
{
    while (__atomic_load_n(&futex_word, __ATOMIC_ACQUIRE) != value) {
        int seen = __atomic_load_n(&futex_word, __ATOMIC_ACQUIRE);
        if (seen != value)
            futex(&futex_word, FUTEX_WAIT, seen);
    }
}

static void *futex_partner(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        wait_for(2 * i + 1);
        __atomic_store_n(&futex_word, 2 * i + 2, __ATOMIC_RELEASE);
        futex(&futex_word, FUTEX_WAKE, 1);
    }
    return NULL;
}

static void test_futex(void)
{
    pthread_t t;
    pthread_create(&t, NULL, futex_partner, NULL);
    for (int i = 0; i < ROUNDS; i++) {
        wait_for(2 * i);
        __atomic_store_n(&futex_word, 2 * i + 1, __ATOMIC_RELEASE);
        futex(&futex_word, FUTEX_WAKE, 1);
    }
    wait_for(2 * ROUNDS);
    pthread_join(t, NULL);
    printf("futex rounds = %d\n", futex_word / 2);
    /* waiting on a value that is not there returns EAGAIN at once */
    errno = 0;
    long r = futex(&futex_word, FUTEX_WAIT, futex_word + 1);
    check(r == -1 && errno == EAGAIN, "futex EAGAIN");
    check(futex_word == 2 * ROUNDS, "futex ping-pong");
}

/* ---- signals ---- */
static volatile sig_atomic_t got_usr1, got_usr2, got_alarm, got_vtalrm, info_ok;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) got_usr1++;
    if (sig == SIGALRM) got_alarm++;
    if (sig == SIGVTALRM) got_vtalrm++;
}

static void on_siginfo(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_usr2++;
    info_ok = sig == SIGUSR2 && si->si_signo == SIGUSR2 && si->si_code == SI_USER &&
              si->si_pid == getpid();
}

static void test_signals(void)
{
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGVTALRM, &sa, NULL);
    struct sigaction si = { .sa_sigaction = on_siginfo, .sa_flags = SA_SIGINFO };
    sigemptyset(&si.sa_mask);
    sigaction(SIGUSR2, &si, NULL);

    raise(SIGUSR1);
    check(got_usr1 == 1, "signal raise");
    kill(getpid(), SIGUSR2);
    check(got_usr2 == 1 && info_ok, "signal kill SA_SIGINFO");

    /* blocked: pending, not delivered; delivered on unblock */
    sigset_t block, old, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    raise(SIGUSR1);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGUSR1) && got_usr1 == 1;
    sigprocmask(SIG_SETMASK, &old, NULL);
    check(was_pending && got_usr1 == 2, "sigprocmask pending/unblock");

    /* alarm, waited for with SIGALRM blocked + sigsuspend (no race) */
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    alarm(1);
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGALRM);
    while (!got_alarm)
        sigsuspend(&wait_mask);
    sigprocmask(SIG_SETMASK, &old, NULL);
    check(got_alarm == 1, "alarm + sigsuspend");

    /* an interval timer on CPU time: burn CPU until it fires a few times */
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
    setitimer(ITIMER_VIRTUAL, &it, NULL);
    volatile unsigned long spin = 0;
    while (got_vtalrm < 3 && spin < 4000000000UL)
        spin++;
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_VIRTUAL, &it, NULL);
    check(got_vtalrm >= 3, "setitimer ITIMER_VIRTUAL");
}

/* ---- vDSO ---- */
static void test_vdso(void)
{
    unsigned long base = getauxval(AT_SYSINFO_EHDR);
    const unsigned char *e = (const unsigned char *)base;
    check(base != 0 && memcmp(e, ELFMAG, SELFMAG) == 0 && e[EI_CLASS] == ELFCLASS32,
          "vDSO mapped (AT_SYSINFO_EHDR)");
    check(getauxval(AT_SYSINFO) != 0, "AT_SYSINFO entry point");

    struct timespec m0, m1, r0;
    struct timeval tv;
    int ok = clock_gettime(CLOCK_MONOTONIC, &m0) == 0;
    ok &= clock_gettime(CLOCK_REALTIME, &r0) == 0;
    ok &= gettimeofday(&tv, NULL) == 0;
    /* realtime from two interfaces agrees within 5 s, and is after 2020 */
    long d = (long)tv.tv_sec - (long)r0.tv_sec;
    ok &= d >= 0 && d <= 5 && r0.tv_sec > 1577836800;
    check(ok, "clock_gettime/gettimeofday");
    /* monotonic never goes back; 20 ms of sleep are seen */
    struct timespec nap = { 0, 20000000 };
    int back = 0;
    for (int i = 0; i < 1000; i++) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec < m0.tv_sec || (t.tv_sec == m0.tv_sec && t.tv_nsec < m0.tv_nsec))
            back = 1;
        m0 = t;
    }
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &m1);
    long long ns = (m1.tv_sec - m0.tv_sec) * 1000000000LL + (m1.tv_nsec - m0.tv_nsec);
    check(!back && ns >= 20000000, "CLOCK_MONOTONIC monotonic");
    check(time(NULL) >= r0.tv_sec, "time()");
}

/* ---- mmap of a file ---- */
static void test_mmap(const char *tmpdir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/libc_check.XXXXXX", tmpdir);
    int fd = mkstemp(path);
    if (fd < 0) {
        check(0, "mmap: mkstemp");
        return;
    }
    unlink(path);
    char buf[8192];
    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = 'a' + i % 26;
    int ok = write(fd, buf, sizeof buf) == (ssize_t)sizeof buf;
    char *p = mmap(NULL, sizeof buf, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ok &= p != MAP_FAILED;
    if (ok) {
        ok &= memcmp(p, buf, sizeof buf) == 0;
        memcpy(p + 4096 + 10, "MAPPED", 6);
        p[0] = 'Z';
        ok &= msync(p, sizeof buf, MS_SYNC) == 0;
        ok &= munmap(p, sizeof buf) == 0;
    }
    char back[8192];
    ok &= pread(fd, back, sizeof back, 0) == (ssize_t)sizeof back;
    buf[0] = 'Z';
    memcpy(buf + 4096 + 10, "MAPPED", 6);
    ok &= memcmp(back, buf, sizeof buf) == 0;
    /* a private mapping must not write through */
    p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
        p[1] = '!';
        munmap(p, 4096);
        ok &= pread(fd, back, 2, 0) == 2 && back[1] == 'b';
    } else {
        ok = 0;
    }
    close(fd);
    check(ok, "mmap MAP_SHARED file + msync");
    /* anonymous memory: a few MB touched and checked */
    size_t n = 4 << 20;
    unsigned *a = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok = a != MAP_FAILED;
    if (ok) {
        for (size_t i = 0; i < n / 4; i += 1024)
            a[i] = (unsigned)i * 2654435761u;
        for (size_t i = 0; i < n / 4; i += 1024)
            ok &= a[i] == (unsigned)i * 2654435761u;
        munmap(a, n);
    }
    check(ok, "mmap anonymous");
}

/* ---- fork / exec / wait ---- */
static void test_fork_exec(void)
{
    fflush(stdout);
    int st = -1;
    pid_t pid = fork();
    if (pid == 0)
        _exit(42);
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42,
          "fork + waitpid exit status");

    int fds[2];
    pipe(fds);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 1);
        execl("/proc/self/exe", "libc_check", "--child", "hello", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[128] = "";
    ssize_t got = 0, r;
    while ((r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += r;
    close(fds[0]);
    buf[got > 0 ? got : 0] = 0;
    waitpid(pid, &st, 0);
    printf("exec child said: %s", buf);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 3 && strcmp(buf, "child got hello\n") == 0,
          "exec self + pipe");

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec /bin/true");

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "child killed by SIGTERM");
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0) {
        printf("child got %s\n", argv[2]);
        return 3;
    }
    const char *tmpdir = argc > 1 ? argv[1] : "/tmp";
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("libc_check: %d-bit, %s\n", (int)sizeof(void *) * 8,
#ifdef LIBC_CHECK_STATIC
           "static"
#else
           "dynamic"
#endif
    );
    test_threads();
    test_futex();
    test_signals();
    test_vdso();
    test_mmap(tmpdir);
    test_fork_exec();
    printf("libc_check: %s\n", failures ? "FAILED" : "ALL OK");
    return failures != 0;
}
