/*
 * trace_format.h - the binary execution trace written by --trace FILE and
 * read by tx86-trace (src/tools/trace_main.c).
 *
 * The file is one gzip (zlib) stream.  Uncompressed it holds a header and
 * then records, all little endian, each starting with a kind byte:
 *
 *   header   "TX86TRC1" (8 bytes), u32 version (TRACE_VERSION), u32 0
 *   DEF      u32 id, u32 linear pc, u32 physical pc, u8 mode (TRACE_MODE_*),
 *            u8 len, len bytes        an instruction as translated; ids
 *                                     count up from 0 in translation order
 *                                     (a reader refuses an id past the next)
 *   INSN     u32 id                   the instruction DEF id starts to execute
 *   REG      u8 reg (TraceReg), u32 value
 *                                     a register the previous event (INSN or
 *                                     INT) changed; written at the next
 *                                     boundary, before the next INSN/INT/END
 *   MEMR     u8 size, u32 linear address, u32 value   the current INSN read
 *   MEMW     u8 size, u32 linear address, u32 value   ... and wrote
 *   INT      u8 vector, u8 kind (TRACE_INT_*), u32 error code, u16 cs, u32 eip
 *                                     an interrupt or exception delivered;
 *                                     cs:eip is where it happened (the
 *                                     faulting or next instruction)
 *   IOR      u16 port, u8 size, u32 value   port read  (by the current INSN)
 *   IOW      u16 port, u8 size, u32 value   port write
 *   END      u64 instructions retired at the end of the run
 *
 * So the n-th INSN record is the n-th instruction executed (counting from
 * the start of the trace); its memory and port records follow it, and the
 * REG records before the next INSN or INT say what it changed.  Memory
 * accessed by helpers (REP string instructions, far transfers, interrupt
 * delivery, task switches) is not recorded yet.  Nothing in the file
 * depends on host addresses or host time: two -icount runs give the same
 * bytes.  Record and replay will add a CHECKPOINT record (icount plus a
 * saved-state reference) without changing the ones above.
 */
#ifndef TX86_TRACE_FORMAT_H
#define TX86_TRACE_FORMAT_H

#include <stdint.h>

#define TRACE_MAGIC   "TX86TRC1"
#define TRACE_VERSION 1

typedef enum TraceRecKind {
    TR_DEF = 1,
    TR_INSN = 2,
    TR_REG = 3,
    TR_MEMR = 4,
    TR_MEMW = 5,
    TR_INT = 6,
    TR_IOR = 7,
    TR_IOW = 8,
    TR_END = 9,
} TraceRecKind;

/* DEF mode byte */
#define TRACE_MODE_CODE32 0x01   /* 32-bit code segment */
#define TRACE_MODE_PE     0x02   /* protected mode */
#define TRACE_MODE_VM     0x04   /* virtual-8086 */
#define TRACE_MODE_PG     0x08   /* paging on */

/* INT kind byte */
#define TRACE_INT_IRQ       0    /* maskable interrupt from the PIC/APIC */
#define TRACE_INT_NMI       1
#define TRACE_INT_EXCEPTION 2    /* raised by an instruction (fault or trap) */
#define TRACE_INT_TRIPLE    3    /* triple fault: shutdown */

/* registers recorded by REG records */
typedef enum TraceReg {
    TRACE_REG_EAX, TRACE_REG_ECX, TRACE_REG_EDX, TRACE_REG_EBX,
    TRACE_REG_ESP, TRACE_REG_EBP, TRACE_REG_ESI, TRACE_REG_EDI,
    TRACE_REG_EFLAGS,
    TRACE_REG_ES, TRACE_REG_CS, TRACE_REG_SS, TRACE_REG_DS, TRACE_REG_FS, TRACE_REG_GS,
    TRACE_REG_CR0, TRACE_REG_CR2, TRACE_REG_CR3, TRACE_REG_CR4,
    TRACE_NREGS
} TraceReg;

static const char *const trace_reg_names[TRACE_NREGS] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eflags",
    "es", "cs", "ss", "ds", "fs", "gs", "cr0", "cr2", "cr3", "cr4",
};

/* payload bytes after the kind byte (DEF: fixed part, then len bytes) */
#define TR_DEF_FIXED  14
#define TR_INSN_SIZE  4
#define TR_REG_SIZE   5
#define TR_MEM_SIZE   9
#define TR_INT_SIZE   12
#define TR_IO_SIZE    7
#define TR_END_SIZE   8

#endif
