/*
 * sse2work.c - the "sse2" workload of scripts/bench-work-debian.sh (make
 * bench, Debian set): a loop over glibc's string and memory functions,
 * whose i686 versions on an SSE2 CPU (Debian's libc picks them by CPUID)
 * are MOVD/PUNPCKLBW/PSHUFD broadcasts (most of a short call's work),
 * PCMPEQB/PMOVMSKB scans, MOVDQU/MOVDQA/MOVNTDQ copies and PSRLDQ/PSLLDQ
 * merges (docs/simd.md, "Inline forms"), plus a gcc -msse2 integer loop.  Built on the host by
 * scripts/bench.sh with `gcc -m32 -O2 -msse2` (dynamic: the guest's libc
 * runs it) and put on the TX86-CHECKS disk.  Prints a checksum of the
 * results, which every engine must agree on.
 *
 *   sse2work [ROUNDS]      (default 400)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF (256 * 1024)

static uint32_t mix(uint32_t h, uint32_t v)
{
    return (h ^ v) * 0x01000193u;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 400;
    char *a = malloc(BUF + 64), *b = malloc(BUF + 64);
    uint32_t h = 2166136261u, seed = 12345;
    static uint16_t w[4096];

    if (!a || !b)
        return 1;
    for (int r = 0; r < rounds; r++) {
        /* memset of every size class, then strings of random lengths */
        for (int i = 0; i < 64; i++) {
            size_t off = i & 15, n = (size_t)(i * 977 + r * 31) % 4000 + 1;
            memset(a + off, 'a' + (i + r) % 26, n);
            a[off + n] = 0;
            h = mix(h, (uint32_t)strlen(a + off));
            char *p = strchr(a + off, 'a' + (i + r + 1) % 26);
            h = mix(h, p ? (uint32_t)(p - a) : 0xffffffffu);
            a[off + n / 2] = '#';
            p = strchr(a + off, '#');
            h = mix(h, (uint32_t)(p - a));
            p = strrchr(a + off, 'a' + (i + r) % 26);
            h = mix(h, p ? (uint32_t)(p - a) : 0);
            p = memchr(a + off, '#', n);
            h = mix(h, p ? (uint32_t)(p - a) : 0);
        }
        /* short calls, as real string code makes them: each one's
         * broadcast and first compare are most of its work */
        for (int i = 0; i < 1500; i++) {
            size_t off = (size_t)(i * 7) & 63, n = (size_t)(i * 13 + r) % 61 + 2;
            int c = 'A' + (i + r) % 26;
            memset(a + off, c, n);
            a[off + n] = 0;
            a[off + n - 1] = '!';
            h = mix(h, (uint32_t)(strchr(a + off, '!') - a));
            h = mix(h, (uint32_t)((char *)memchr(a + off, '!', n) - a));
            h = mix(h, (uint32_t)(strrchr(a + off, c) - a));
            h = mix(h, (uint32_t)strlen(a + off));
        }
        /* big copies (MOVNTDQ above the cache threshold), misaligned ones */
        memset(a, (int)r, BUF);
        memcpy(b + (r & 15), a + (r & 7), BUF - 32);
        h = mix(h, (uint32_t)(unsigned char)b[BUF / 2]);
        for (int i = 0; i < 200; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t n = (seed >> 8) % 2048, s = (seed >> 4) % 64, d = (seed >> 12) % 64;
            memcpy(b + d, a + s + 4096, n);
            memmove(b + d + 7, b + d, n);
            h = mix(h, (uint32_t)memcmp(b + d + 7, a + s + 4096, n));
        }
        /* a loop gcc vectorizes with SSE2 integer code */
        for (int i = 0; i < 4096; i++)
            w[i] = (uint16_t)(w[i] * 3 + (uint16_t)(i ^ r) + (uint8_t)b[i]);
        for (int i = 0; i < 4096; i += 64)
            h = mix(h, w[i]);
    }
    printf("%08x\n", h);
    return 0;
}
