/*
 * machine.h - one emulated PC: memory, I/O bus, clock, CPU, devices.
 *
 * machine_new() builds the machine described by MachineConfig (parsed
 * from the command line in options.c); machine_run() is the main loop:
 * run the CPU in slices between timer deadlines, poll host I/O, and sleep
 * while the guest halts with interrupts enabled.
 */
#ifndef TX86_MACHINE_H
#define TX86_MACHINE_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "machine/memory.h"
#include "machine/ioport.h"
#include "machine/clock.h"
#include "machine/irq.h"
#include "cpu-x86/cpu.h"

struct Translator;

typedef enum BackendKind { BACKEND_NATIVE, BACKEND_INTERP } BackendKind;

typedef struct MachineConfig {
    const char *machine_type;     /* "pc" */
    uint64_t ram_size;            /* bytes, -m */
    char *bios_path;              /* -bios */
    char *debugcon;               /* -debugcon: "stdio", "file:PATH", NULL */
    char *serial;                 /* -serial (kept for the platform issue) */
    bool nographic;
    bool display_none;
    bool no_reboot;
    bool has_debug_exit;          /* -device isa-debug-exit */
    uint32_t debug_exit_iobase, debug_exit_iosize;
    BackendKind backend;
    uint64_t max_insns;           /* --max-insns, 0 = unlimited */
    unsigned log_items;           /* -d mask (LOG_*), applied by main */
    char *log_path;               /* -D FILE, NULL = stderr */
    const struct CPUModel *cpu_model; /* -cpu (cpuid.h), NULL = the default model */
} MachineConfig;

typedef struct Machine {
    MachineConfig cfg;
    PhysMem *mem;
    IOBus *io;
    VirtClock clock;
    CPUState cpu;
    struct Translator *tr;
    IrqLine cpu_intr;             /* the CPU's INTR pin */
    bool shutdown_requested;
    int exit_status;              /* status tx86 exits with */
    void *devices;                /* device-owned state list (machine.c) */
    struct PCDevices *pc;         /* the PC platform's chips (pc.h), NULL on bare machines */
} Machine;

Machine *machine_new(const MachineConfig *cfg, GError **errp);
void     machine_free(Machine *m);
/* run until the guest exits (debug-exit, shutdown, --max-insns);
 * returns the process exit status */
int      machine_run(Machine *m);
void     machine_request_shutdown(Machine *m, int status);
/* reset CPU and devices, keep RAM (triple fault without -no-reboot) */
void     machine_reset(Machine *m);
/* a device's state joins the machine: freed with it (free_fn) and reset
 * by machine_reset() (reset_fn, may be NULL) */
void     machine_register_device(Machine *m, void *state, void (*free_fn)(void *),
                                 void (*reset_fn)(void *));

#endif
