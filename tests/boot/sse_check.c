/*
 * sse_check.c - a program for the Debian guest of tests/boot/debian_sse.sh,
 * built on the host with gcc -m32 -O2 -msse2 -mfpmath=sse: its float and
 * double arithmetic (scalar and, where gcc vectorises, packed), conversions
 * under each rounding mode, denormals, NaNs, libm, and glibc's string and
 * memory functions (which take their SSE2/SSSE3 paths on a CPU that
 * reports them) print checksums that must be the same in the guest as on
 * the host.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; }

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

#define N 4096
static float fa[N], fb[N], fc[N];
static double da[N], db[N], dc[N];
static char buf1[1 << 16], buf2[1 << 16];

int main(void)
{
    static const int modes[] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };
    static const char *names[] = { "nearest", "down", "up", "zero" };
    uint64_t h;

    for (int i = 0; i < N; i++) {
        uint64_t r = next();
        switch (i % 8) {
        case 0: fa[i] = (float)(int32_t)r / 65536.0f; break;
        case 1: { uint32_t u = (uint32_t)r; memcpy(&fa[i], &u, 4); break; }   /* any bits */
        case 2: fa[i] = 1e-40f * (float)(r & 0xff); break;                     /* denormals */
        default: fa[i] = (float)(r % 100000) / 7.0f - 5000.0f; break;
        }
        fb[i] = (float)((r >> 32) % 1000) / 3.0f - 100.0f;
        da[i] = (double)(int64_t)next() / 4294967296.0;
        db[i] = (double)(next() % 1000000) / 9.0 + 1e-310 * (double)(i % 3);
    }
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        h = 0xcbf29ce484222325ull;
        for (int i = 0; i < N; i++) {
            fc[i] = fa[i] * fb[i] + fa[i] / (fb[i] + 0.5f);
            dc[i] = da[i] * db[i] - da[i] / (db[i] - 0.25) + sqrt(fabs(db[i]));
        }
        for (int i = 0; i < N; i++) {
            h = mix(h, fbits(fc[i]));
            h = mix(h, dbits(dc[i]));
            h = mix(h, (uint32_t)(int32_t)lrintf(fb[i] * 1000.0f));
            h = mix(h, (uint32_t)(int32_t)(da[i] * 1000.0));          /* truncating */
            h = mix(h, fbits((float)da[i]));
            h = mix(h, fbits(sqrtf(fabsf(fa[i]))));
            h = mix(h, (uint64_t)(fa[i] < fb[i]) | (uint64_t)(fa[i] == fa[i]) << 1);
        }
        printf("arith %s: %016llx\n", names[m], (unsigned long long)h);
    }
    fesetround(FE_TONEAREST);
    h = 0xcbf29ce484222325ull;
    for (int i = 0; i < 512; i++) {
        double x = (double)i / 37.0 - 3.0;
        h = mix(h, dbits(exp(x)));
        h = mix(h, dbits(log(fabs(x) + 1.0)));
        h = mix(h, dbits(sin(x)));
        h = mix(h, dbits(atan2(x, 1.5)));
        h = mix(h, fbits(powf((float)fabs(x), 1.3f)));
    }
    printf("libm: %016llx\n", (unsigned long long)h);

    /* glibc's string functions over many lengths and alignments */
    for (size_t i = 0; i < sizeof buf1; i++)
        buf1[i] = (char)(next() % 255 + 1);
    h = 0xcbf29ce484222325ull;
    for (int k = 0; k < 2000; k++) {
        size_t off = next() % 64, dst = next() % 64, len = next() % 3000;
        memcpy(buf2 + dst, buf1 + off, len);
        h = mix(h, (uint64_t)memcmp(buf2 + dst, buf1 + off, len));
        memmove(buf2 + dst + 1, buf2 + dst, len);
        memset(buf2 + dst + len / 2, (int)(k & 0xff), len / 3);
        buf2[dst + len + 100] = 0;
        h = mix(h, strlen(buf2 + dst));
        char *p = strchr(buf2 + dst, (int)(next() % 255 + 1));
        h = mix(h, p ? (uint64_t)(p - buf2) : 0);
        h = mix(h, (uint64_t)(strcmp(buf2 + dst, buf1 + off) > 0));
        void *q = memchr(buf2, (int)(k & 0xff), sizeof buf2);
        h = mix(h, q ? (uint64_t)((char *)q - buf2) : 0);
    }
    printf("string: %016llx\n", (unsigned long long)h);
    printf("snprintf: %.17g %.9g %a\n", da[5] * 3.0, (double)fc[7], dc[11]);
    return 0;
}
