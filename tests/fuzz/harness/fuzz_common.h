/*
 * fuzz_common.h - small helpers shared by the libFuzzer harnesses
 * (tests/fuzz/harness/fuzz_*.c, built by tests/fuzz/libfuzzer.mk).
 *
 * FuzzInput reads an input front to back: bytes, little-endian numbers and
 * parts cut at a separator; past the end it yields zeros, so a harness
 * never checks lengths.  fuzz_memfd_path() puts bytes into an anonymous
 * memory file (nothing lands on disk) and gives a path to it for code
 * that opens files by name.
 *
 * Harnesses are compiled with -D_GNU_SOURCE (memfd_create, memmem).
 *
 * Example:
 *     FuzzInput in = { data, size, 0 };
 *     uint8_t flags = fuzz_u8(&in);
 *     size_t n;
 *     const uint8_t *kernel = fuzz_part(&in, FUZZ_SEP, &n);
 */
#ifndef TX86_FUZZ_COMMON_H
#define TX86_FUZZ_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

/* the part separator of fuzz_part: short enough for the fuzzer to find,
 * rare in real files */
#define FUZZ_SEP "\n--part--\n"

typedef struct FuzzInput {
    const uint8_t *data;
    size_t size;
    size_t pos;
} FuzzInput;

static inline size_t fuzz_left(const FuzzInput *in)
{
    return in->size - in->pos;
}

static inline uint8_t fuzz_u8(FuzzInput *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline uint16_t fuzz_u16(FuzzInput *in)
{
    uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(FuzzInput *in)
{
    uint32_t lo = fuzz_u16(in);
    return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* up to n bytes (fewer at the end); *got says how many */
static inline const uint8_t *fuzz_bytes(FuzzInput *in, size_t n, size_t *got)
{
    const uint8_t *p = in->data + in->pos;
    *got = n < fuzz_left(in) ? n : fuzz_left(in);
    in->pos += *got;
    return p;
}

/* the bytes up to the next sep (or the end); the separator is skipped */
static inline const uint8_t *fuzz_part(FuzzInput *in, const char *sep, size_t *len)
{
    const uint8_t *p = in->data + in->pos;
    const uint8_t *s = memmem(p, fuzz_left(in), sep, strlen(sep));
    *len = s ? (size_t)(s - p) : fuzz_left(in);
    in->pos += *len + (s ? strlen(sep) : 0);
    return p;
}

/* an anonymous memory file holding data; *fd to close, path is valid
 * while it is open ("/proc/self/fd/N") */
static inline int fuzz_memfd_path(const void *data, size_t len, char *path, size_t path_size)
{
    int fd = memfd_create("tx86-fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    const uint8_t *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
