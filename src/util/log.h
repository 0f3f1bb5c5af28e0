/*
 * log.h - the -d / -D debug log, QEMU style.
 *
 * Items are bits of a mask chosen with -d ITEM[,ITEM...]; output goes to
 * stderr or to the -D file.  Keep the check cheap on hot paths:
 *     if (log_enabled(LOG_EXEC)) log_printf("Trace %08x\n", eip);
 * The log state is the one piece of process-wide state: it belongs to the
 * process (like stderr), not to a machine.
 */
#ifndef TX86_LOG_H
#define TX86_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

#define LOG_ITEMS(X) \
    X(IN_ASM,  "in_asm",  "show guest code being translated") \
    X(OP,      "op",      "show the IR of each translated block") \
    X(OUT_ASM, "out_asm", "show the host code generated") \
    X(EXEC,    "exec",    "show each block executed") \
    X(CPU,     "cpu",     "dump CPU registers before each block") \
    X(INT,     "int",     "show interrupts and exceptions") \
    X(UNIMP,   "unimp",   "log unimplemented instructions, ports, memory") \
    X(MMU,     "mmu",     "log page walks and TLB flushes") \
    X(IOPORT,  "ioport",  "log port I/O") \
    X(NOCHAIN, "nochain", "do not chain translated blocks") \
    X(TB,      "tb",      "log block cache flushes and its counters at exit") \
    X(GUEST_ERRORS, "guest_errors", "log guest errors")

enum {
#define LOG_BIT(id, name, help) LOG_BIT_##id,
    LOG_ITEMS(LOG_BIT)
#undef LOG_BIT
};
enum {
#define LOG_MASKDEF(id, name, help) LOG_##id = 1u << LOG_BIT_##id,
    LOG_ITEMS(LOG_MASKDEF)
#undef LOG_MASKDEF
};

extern unsigned log_mask;
extern FILE *log_file;

static inline bool log_enabled(unsigned item) { return (log_mask & item) != 0; }
void log_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* parse "in_asm,exec" into a mask; "help" lists the items; false + error */
bool log_parse_items(const char *s, unsigned *mask, GError **errp);
void log_list_items(FILE *f);
bool log_set_file(const char *path, GError **errp);
void log_flush(void);

/* -dfilter RANGE[,RANGE...]: in_asm, op, out_asm, exec and cpu only log
 * blocks whose start address (linear) is in one of the ranges.  A range
 * is START..END (inclusive), START+LEN or START-LEN (the LEN bytes before
 * START), numbers in C syntax (0x...). */
#define LOG_FILTER_MAX 16
typedef struct LogRange {
    uint32_t lo, hi;            /* inclusive */
} LogRange;
extern unsigned log_filter_count;   /* 0: no filter */
extern LogRange log_filter_ranges[LOG_FILTER_MAX];
bool log_parse_filter(const char *s, GError **errp);
static inline bool log_filter_pass(uint32_t addr)
{
    if (__builtin_expect(log_filter_count == 0, 1))
        return true;
    for (unsigned i = 0; i < log_filter_count; i++)
        if (addr >= log_filter_ranges[i].lo && addr <= log_filter_ranges[i].hi)
            return true;
    return false;
}

#endif
