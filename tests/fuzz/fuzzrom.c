/*
 * fuzzrom.c - writes a 64 KiB ROM of random guest code for the robustness
 * test (tests/fuzz/run-fuzz.sh): "guest code that does anything at all"
 * must end in guest exceptions, a halt or a triple fault, never in a host
 * crash, an assertion or a hang.
 *
 *   fuzzrom SEED real OUT.bin          random bytes, reset vector jumps to
 *                                      F000:0000 (real mode)
 *   fuzzrom SEED pm STUB.bin OUT.bin   keeps the stub's first 4 KiB and its
 *                                      reset vector (pmstub.asm enters
 *                                      protected mode and jumps to 0xF1000)
 *
 * The generator is a fixed xorshift so that a seed names the same ROM on
 * every host.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROM_SIZE 0x10000
#define STUB_KEEP 0x1000
#define RESET_OFF 0xfff0

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

int main(int argc, char **argv)
{
    static uint8_t rom[ROM_SIZE];
    uint64_t st;
    const char *out;
    int pm;

    if (argc < 4 || (strcmp(argv[2], "real") && strcmp(argv[2], "pm")) ||
        (!strcmp(argv[2], "pm") && argc != 5) || (!strcmp(argv[2], "real") && argc != 4)) {
        fprintf(stderr, "usage: fuzzrom SEED real OUT.bin | fuzzrom SEED pm STUB.bin OUT.bin\n");
        return 1;
    }
    st = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
    pm = !strcmp(argv[2], "pm");
    out = argv[argc - 1];
    for (int i = 0; i < ROM_SIZE; i++) {
        rom[i] = (uint8_t)(next(&st) >> 24);
    }
    if (pm) {
        static uint8_t stub[ROM_SIZE];
        FILE *f = fopen(argv[3], "rb");
        if (!f || fread(stub, 1, ROM_SIZE, f) != ROM_SIZE) {
            fprintf(stderr, "fuzzrom: cannot read a 64 KiB stub from %s\n", argv[3]);
            return 1;
        }
        fclose(f);
        memcpy(rom, stub, STUB_KEEP);
        memcpy(rom + RESET_OFF, stub + RESET_OFF, ROM_SIZE - RESET_OFF);
    } else {
        static const uint8_t jmp[] = { 0xea, 0x00, 0x00, 0x00, 0xf0 };  /* jmp f000:0000 */
        memcpy(rom + RESET_OFF, jmp, sizeof(jmp));
    }
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(rom, 1, ROM_SIZE, f) != ROM_SIZE || fclose(f) != 0) {
        fprintf(stderr, "fuzzrom: cannot write %s\n", out);
        return 1;
    }
    return 0;
}
