/*
 * debugcon.h - the Bochs/QEMU debug console on port 0xE9.
 */
#ifndef TX86_DEBUGCON_H
#define TX86_DEBUGCON_H

#include <stdint.h>
#include <glib.h>

struct Buses;
typedef struct DebugconState DebugconState;

/* spec: "stdio" or "file:PATH" (as accepted by -debugcon); opt names the
 * option in messages ("-debugcon", "--seabios-log") */
DebugconState *debugcon_init(const struct Buses *b, uint16_t port, const char *spec,
                             const char *opt, GError **errp);
void debugcon_reset(DebugconState *s);
void debugcon_free(DebugconState *s);

#endif
