/*
 * savevm.h - the whole machine's state as one stream (docs/savevm.md):
 * every registered section (bus/vmstate.h: the clock, the CPU, each
 * device) and RAM, written and read here.  A stream loads only into a
 * machine built from the same command line (as QEMU's); anything else is
 * refused with a message before the machine is touched.
 *
 *   GByteArray *s = g_byte_array_new();
 *   machine_save_state(m, s);
 *   ... machine_load_state(m2, s->data, s->len, &err) ...
 *   machine_incoming(m, "file:/tmp/vm.state", &err);   // -incoming
 *   machine_migrate_to(m, "unix:/tmp/mig.sock", &err);  // live, to -incoming unix:
 */
#ifndef TX86_MACHINE_SAVEVM_H
#define TX86_MACHINE_SAVEVM_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct Machine;
struct VMStateDesc;

/* a section joins the machine's state (the BusHost op register_state);
 * instances of one name are numbered in registration order */
void machine_register_state(struct Machine *m, const struct VMStateDesc *desc, void *opaque);
void machine_states_free(struct Machine *m);

/* between instructions (the main loop, or a stopped machine) */
void machine_save_state(struct Machine *m, GByteArray *out);
bool machine_load_state(struct Machine *m, const uint8_t *data, size_t len, GError **errp);
/* the stream without RAM (replay.c's checkpoints keep RAM themselves):
 * loading it changes everything but RAM.  Its CRC is left 0 (a checkpoint
 * is taken often, loaded seldom): machine_seal_state writes it before a
 * load. */
void machine_save_devices(struct Machine *m, GByteArray *out);
void machine_seal_state(uint8_t *data, size_t len);
/* the check machine_load_state makes first, alone: true when the stream
 * would load (only a post_load consistency check can still refuse it) */
bool machine_check_state(struct Machine *m, const uint8_t *data, size_t len, GError **errp);

/* state files: the stream gzip-compressed (file: URIs, --save-at, the
 * snapshot state files); loading takes either form (the gzip magic) */
bool machine_save_state_file(struct Machine *m, const char *path, GError **errp);
bool machine_load_state_bytes(struct Machine *m, const uint8_t *data, size_t len,
                              bool check_only, GError **errp);

/* URIs of -incoming and the monitor's migrate: "file:PATH" and
 * "exec:COMMAND" (the stream on the command's stdin / stdout), done at
 * once with the machine stopped; "tcp:HOST:PORT" and "unix:PATH", live:
 * migrate_to connects and returns, the main loop sends RAM while the guest
 * runs (machine_migration_poll) and stops it for the last copy.  incoming
 * on tcp: or unix: listens and waits for one source before the machine
 * runs. */
bool machine_migrate_to(struct Machine *m, const char *uri, GError **errp);
bool machine_incoming(struct Machine *m, const char *uri, GError **errp);
/* machine_incoming in two steps, for -incoming defer (main.c): start
 * checks the URI and, for tcp: and unix:, listens, so that the monitor's
 * migrate_incoming reports a bad URI or a busy port at once; ready is true
 * when finish would not wait for a source to connect (file:, exec: at
 * once); finish takes the stream and loads it (blocking) and frees in */
typedef struct MigIncoming MigIncoming;
MigIncoming *machine_incoming_start(struct Machine *m, const char *uri, GError **errp);
bool machine_incoming_ready(const MigIncoming *in);
const char *machine_incoming_uri(const MigIncoming *in);
bool machine_incoming_finish(struct Machine *m, MigIncoming *in, GError **errp);
void machine_incoming_free(MigIncoming *in);     /* without loading */
/* the main loop, between CPU slices, while m->mig_out is set: one step of
 * a live migration (a few MiB of dirty RAM, or the final copy) */
void machine_migration_poll(struct Machine *m);
/* migrate_cancel: a running live migration stops, the guest runs on */
void machine_migration_cancel(struct Machine *m);

#endif
