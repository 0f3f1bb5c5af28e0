/*
 * fuzz_savevm.c - libFuzzer harness for the machine-state loader
 * (machine/savevm.c, bus/vmstate.c): the bytes of -incoming file:PATH.
 * A 1 MiB bare machine (CPU, clock, RAM) takes the input as a state
 * stream; the harness rewrites the stream's CRC first, so the fuzzer gets
 * past the checksum into the section and field parsers (an input with the
 * gzip magic goes through the state-file inflation instead).  A stream that
 * loads is then run for a few hundred instructions: a loaded CPU state,
 * however odd, must give guest faults, never a crash.
 *
 * Seeds: streams saved from a bare machine (tests/fuzz/corpus/savevm).
 * FUZZ-SMOKE-RUNS: 2000
 */
#include <stdlib.h>
#include <zlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/machine.h"
#include "machine/savevm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Machine *m;
    GError *err = NULL;
    if (!m) {
        m = machine_new_bare(1u << 20, &err);
        if (!m)
            abort();
        m->cpu.stop_on_exception = true;
    }
    uint8_t *s = g_memdup2(data, size);
    bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (size >= 4 && !gz) {
        uint32_t crc = (uint32_t)crc32(0, s, (uInt)(size - 4));
        for (int k = 0; k < 4; k++)
            s[size - 4 + k] = (uint8_t)(crc >> (8 * k));
    }
    if (machine_load_state_bytes(m, s, size, false, &err)) {
        m->cpu.halted = 0;
        cpu_exec(&m->cpu, 300);
    } else {
        g_error_free(err);
    }
    g_free(s);
    return 0;
}
