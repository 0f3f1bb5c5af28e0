/*
 * fuzz_guest.c - libFuzzer harness for guest code plus guest I/O: the
 * input becomes the firmware ROM of a small PC (every chip pc.c builds:
 * PICs, PIT, RTC, UARTs, i8042, PCI, IDE with a disk, floppy with ISA
 * DMA, VGA, ACPI PM, fw_cfg, APIC and IOAPIC), which runs it from the
 * reset vector in real mode, while a timer of the harness makes port and
 * memory accesses taken from the input between instructions.
 *
 * Input: a flags byte, the I/O operations, FUZZ_SEP, the ROM's bytes.
 *   flags  bit 0  native backend (x86-64 hosts), else the interpreter
 *          bits 1-3  -icount shift (virtual ns per instruction = 1 << N)
 *          bits 4-7  how often the I/O timer fires ((N + 1) * 256 virtual ns)
 *   ROM    64 KiB at 0xF0000 and below 4 GiB, the input's bytes from its
 *          start; unless the input covers it, the reset vector jumps to
 *          F000:0000.
 *   an I/O operation: op byte, then its operands
 *     op & 3  0 port write, 1 port read, 2 memory write, 3 memory read
 *     op >> 2 & 3   size 1, 2, 4 (3: 4)
 *     op & 0x10  the address is an index into the tables below, else
 *                raw (u16 port / u32 physical address)
 *     then the value (writes, u32)
 * Bounded by instructions (MAX_INSNS) and virtual time (MAX_VIRT_NS: a
 * halted guest jumps ahead to its next timer); -icount makes a run
 * repeatable.  Disk writes stay in memory (-snapshot); nothing is written.
 *
 * FUZZ-ARGS: -timeout=60
 * FUZZ-SMOKE-RUNS: 100
 */
#include <stdlib.h>
#include <glib.h>
#include "config.h"
#include "fuzz_common.h"
#include "machine/machine.h"

#define ROM_SIZE     0x10000
#define RESET_OFF    0xfff0
#define MAX_INSNS    20000
#define MAX_VIRT_NS  2000000          /* 2 ms of guest time */
#define RAM_SIZE     (8u << 20)

static const uint16_t io_ports[] = {
    0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1,               /* i8259, ELCR */
    0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x92,     /* PIT, RTC, ports */
    0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x2f8,    /* UARTs */
    0x60, 0x64,                                         /* i8042 */
    0xcf8, 0xcfc, 0xcfd, 0xcfe,                         /* PCI config */
    0x1f0, 0x1f2, 0x1f6, 0x1f7, 0x3f6, 0x170, 0x177,    /* IDE */
    0x3f2, 0x3f4, 0x3f5, 0x00, 0x04, 0x0a, 0x0b, 0x81,  /* floppy, DMA */
    0x510, 0x511, 0x514, 0x518,                         /* fw_cfg (DMA at 0x514) */
    0x3c0, 0x3c4, 0x3c5, 0x3ce, 0x3cf, 0x3d4, 0x3d5, 0x3da, 0x1ce, 0x1cf, /* VGA, VBE */
    0x600, 0x604, 0x608, 0xb000, 0xb004,                /* ACPI PM (BIOS-set bases) */
    0xe9, 0x402, 0xf0,
};

static const uint32_t mem_bases[] = {
    0xfee00000, 0xfee00080, 0xfee00300, 0xfee00320, 0xfee00380,  /* local APIC */
    0xfec00000, 0xfec00010,                                      /* IOAPIC */
    0x000a0000, 0x000b8000, 0x000c0000, 0x000f0000,              /* VGA, ROM shadow */
    0xfd000000, 0xe0000000, 0xfffffff0, 0x00007000, 0x00100000,
};

typedef struct GuestRun {
    Machine *m;
    Timer *timer;
    FuzzInput ops;
    int64_t period;
} GuestRun;

static char disk_path[64], floppy_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static uint8_t disk[64 * 1024];
    for (size_t i = 0; i < sizeof(disk); i++)
        disk[i] = (uint8_t)(i / 512);
    disk[510] = 0x55;
    disk[511] = 0xaa;
    if (fuzz_memfd_path(disk, sizeof(disk), disk_path, sizeof(disk_path)) < 0)
        disk_path[0] = 0;
    int fd = fuzz_memfd_path(disk, sizeof(disk), floppy_path, sizeof(floppy_path));
    if (fd < 0 || ftruncate(fd, 1474560) < 0)
        floppy_path[0] = 0;
    return 0;
}

static void guest_io(GuestRun *g)
{
    FuzzInput *in = &g->ops;
    uint8_t op = fuzz_u8(in);
    int size = (op >> 2 & 3) == 3 ? 4 : 1 << (op >> 2 & 3);
    bool table = op & 0x10;
    if ((op & 3) < 2) {
        uint16_t port = table ? io_ports[fuzz_u8(in) % G_N_ELEMENTS(io_ports)] : fuzz_u16(in);
        if (op & 1)
            ioport_read(g->m->io, port, size);
        else
            ioport_write(g->m->io, port, fuzz_u32(in), size);
    } else {
        uint32_t addr = table ? mem_bases[fuzz_u8(in) % G_N_ELEMENTS(mem_bases)] + fuzz_u8(in) * 4u
                              : fuzz_u32(in);
        if (op & 1)
            physmem_read(g->m->mem, addr, size);
        else
            physmem_write(g->m->mem, addr, fuzz_u32(in), size);
    }
}

/* every period: one I/O operation; at the end of the time: stop */
static void guest_tick(void *opaque)
{
    GuestRun *g = opaque;
    int64_t now = clock_now(&g->m->clock);
    if (now >= MAX_VIRT_NS) {
        machine_request_shutdown(g->m, 0);
        return;
    }
    if (fuzz_left(&g->ops))
        guest_io(g);
    int64_t next = fuzz_left(&g->ops) ? now + g->period : MAX_VIRT_NS;
    timer_mod(g->timer, next);
    machine_timers_changed(g->m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = { data, size, 0 };
    uint8_t flags = fuzz_u8(&in);
    size_t ops_len, code_len;
    const uint8_t *ops = fuzz_part(&in, FUZZ_SEP, &ops_len);
    const uint8_t *code = fuzz_bytes(&in, ROM_SIZE, &code_len);

    static uint8_t rom[ROM_SIZE];
    memset(rom, 0xf4, sizeof(rom));                     /* hlt */
    static const uint8_t jmp[] = { 0xea, 0x00, 0x00, 0x00, 0xf0 };  /* jmp f000:0000 */
    memcpy(rom + RESET_OFF, jmp, sizeof(jmp));
    memcpy(rom, code, code_len);
    char rom_path[64];
    int rom_fd = fuzz_memfd_path(rom, sizeof(rom), rom_path, sizeof(rom_path));
    if (rom_fd < 0)
        return 0;

    MachineConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = RAM_SIZE;
    cfg.bios_path = rom_path;
    cfg.no_reboot = true;
    cfg.display_none = true;
    cfg.max_insns = MAX_INSNS;
    cfg.icount = true;
    cfg.icount_shift = flags >> 1 & 7;
    cfg.backend = (TX86_NATIVE_BACKEND && (flags & 1)) ? BACKEND_NATIVE : BACKEND_INTERP;
    cfg.snapshot = true;
    cfg.ide_file[0] = disk_path[0] ? disk_path : NULL;
    cfg.fd_file[0] = floppy_path[0] ? floppy_path : NULL;
    GError *err = NULL;
    Machine *m = machine_new(&cfg, &err);
    if (!m) {
        fprintf(stderr, "fuzz_guest: %s\n", err->message);
        abort();
    }
    GuestRun g = { m, NULL, { ops, ops_len, 0 }, ((int64_t)(flags >> 4) + 1) * 256 };
    g.timer = timer_new(&m->clock, guest_tick, &g);
    timer_mod(g.timer, fuzz_left(&g.ops) ? g.period : MAX_VIRT_NS);
    machine_run(m);
    timer_free(g.timer);
    machine_free(m);
    close(rom_fd);
    return 0;
}
