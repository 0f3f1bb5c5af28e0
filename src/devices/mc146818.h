/*
 * mc146818.h - the Motorola MC146818 real-time clock with its battery-
 * backed CMOS RAM at ports 0x70/0x71, IRQ 8 (see mc146818.c).
 *
 * Example (pc.c):
 *     MC146818Settings set = { .ram_size = 128 << 20, .boot_order = "cad" };
 *     MC146818State *rtc = mc146818_init(&m->bus, 0x70, &pc->isa_irq[8], &set);
 *     mc146818_cmos_set(rtc, 0x12, 0xf0);     // the checksum follows
 */
#ifndef TX86_MC146818_H
#define TX86_MC146818_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "bus/irq.h"

struct Buses;
typedef struct MC146818State MC146818State;

/* where the clock starts (-rtc base=; MachineConfig.rtc_base) */
#define RTC_BASE_UTC       0
#define RTC_BASE_LOCALTIME 1
#define RTC_BASE_DATE      2    /* MC146818Settings.rtc_date */

/* what the board tells the chip at creation (pc.c fills it from the
 * command line); read during mc146818_init only */
typedef struct MC146818Settings {
    uint64_t ram_size;            /* bytes: CMOS memory-size bytes */
    const char *fd_file[2];       /* floppy images (drive types 0x10), NULL = none */
    const char *boot_order;       /* drive letters, NULL = "cad" */
    int rtc_base;                 /* RTC_BASE_* */
    int64_t rtc_date;             /* RTC_BASE_DATE: seconds since 1970 */
} MC146818Settings;

/* registers base, base+1; fills the NVRAM as QEMU's pc does from the
 * settings (memory sizes, floppies, boot order, checksum).  Joins the
 * machine's device list (reset, freed with it). */
MC146818State *mc146818_init(const struct Buses *b, uint16_t base, IrqLine *irq,
                             const MC146818Settings *set);
void mc146818_reset(MC146818State *s);
void mc146818_free(MC146818State *s);

/* NVRAM byte for other devices' setup (disk geometry bytes...); keeps the
 * 0x10-0x2D checksum at 0x2E/0x2F right.  Registers 0-0x0D are refused. */
void    mc146818_cmos_set(MC146818State *s, int index, uint8_t value);
uint8_t mc146818_cmos_get(MC146818State *s, int index);
/* CMOS boot order bytes 0x3D/0x38 from drive letters ("cad", "dc"...) */
void    mc146818_set_boot_order(MC146818State *s, const char *order);
/* the NMI mask bit written with the index at port 0x70 */
bool    mc146818_nmi_masked(const MC146818State *s);

/* "2006-06-17T16:01:21" or "2006-06-17" -> seconds since 1970 (UTC) */
bool    mc146818_parse_date(const char *s, int64_t *secs);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc mc146818_vmsd;
extern const size_t mc146818_state_size;

#endif
