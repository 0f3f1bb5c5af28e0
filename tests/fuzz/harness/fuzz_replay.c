/*
 * fuzz_replay.c - libFuzzer harness for the record-and-replay log reader
 * (machine/replay.c: replay_log_parse), the bytes of rrfile= under
 * -icount ...,rr=replay.  A log that parses is walked as a replay walks
 * it: every input's data range must lie inside the log, counts must not
 * go back, every input must name a source the log defined.
 *
 * Seeds: small logs written by hand in the format of replay.c's header
 * comment and the head of a recorded Linux boot (tests/fuzz/corpus/replay).
 * FUZZ-SMOKE-RUNS: 5000
 */
#include <stdlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ReplayLog l;
    GError *err = NULL;
    if (replay_log_parse(&l, data, size, &err)) {
        uint64_t last = 0;
        for (guint i = 0; i < l.events->len; i++) {
            const ReplayEvent *e = &g_array_index(l.events, ReplayEvent, i);
            if (e->off + e->len > size || e->icount < last || e->src >= 64 ||
                !l.names[e->src])
                abort();
            last = e->icount;
        }
    } else {
        if (!err)
            abort();                    /* a refusal always says why */
        g_error_free(err);
    }
    replay_log_clear(&l);
    return 0;
}
