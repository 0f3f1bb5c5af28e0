/*
 * mc146818.c - the Motorola MC146818A real-time clock and its 128 bytes
 * of CMOS RAM: index port base (0x70, bit 7 = NMI mask), data port
 * base+1 (0x71), interrupt to ISA IRQ 8.
 *
 * Follows the Motorola MC146818A datasheet: time, alarm and date
 * registers 0-9 in BCD or binary (register B DM) and 12- or 24-hour form
 * (B 24/12, PM in bit 7 of the hour); register A (UIP, divider DV2-0,
 * rate select RS3-0), B (SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE),
 * C (IRQF, PF, AF, UF: cleared when read, which lowers IRQ) and D (VRT).
 * Alarm bytes with the two top bits set match any value.  The century is
 * register 0x32 (the IBM PC/AT convention, what SeaBIOS and Linux read).
 *
 * Model: the time is never ticked.  While the clock runs (SET clear,
 * divider 010) the registers show base_sec + the virtual seconds elapsed
 * since base_ns; with SET or a stopped divider they hold what was last
 * written, and releasing them restarts the clock from them (after a
 * divider reset, the first update comes 500 ms later, as on the chip).
 * Periodic, update-ended and alarm events are accounted for lazily when
 * register C is read, and a timer is armed only for the events whose
 * interrupt is enabled.  UIP reads 1 during the last 244 us of each second.
 * The clock starts from the host's time (-rtc base=utc, the default, or
 * localtime) or from a given date (-rtc base=2006-06-17T16:01:21).
 *
 * NVRAM contents (QEMU's pc, hw/i386/pc.c, which SeaBIOS and DOS-era
 * software read): 0x10 floppy types, 0x14 equipment, 0x15/0x16 base memory
 * (640 KiB), 0x17/0x18 and 0x30/0x31 extended memory in KiB (max 65535),
 * 0x34/0x35 memory above 16 MiB in 64 KiB units, 0x5B-0x5D above 4 GiB,
 * 0x5F CPU count - 1, 0x3D/0x38 boot order, checksum 0x2E/0x2F over
 * 0x10-0x2D.
 *
 * Departures: the square-wave output, daylight saving (DSE) and the
 * divider's test modes are not emulated; registers written while the
 * clock runs take effect at once.
 */
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "bus/buses.h"
#include "devices/mc146818.h"
#include "util/log.h"

#define RTC_SEC        0x00
#define RTC_SEC_ALARM  0x01
#define RTC_MIN        0x02
#define RTC_MIN_ALARM  0x03
#define RTC_HOUR       0x04
#define RTC_HOUR_ALARM 0x05
#define RTC_WDAY       0x06
#define RTC_MDAY       0x07
#define RTC_MONTH      0x08
#define RTC_YEAR       0x09
#define RTC_REG_A      0x0a
#define RTC_REG_B      0x0b
#define RTC_REG_C      0x0c
#define RTC_REG_D      0x0d
#define RTC_CENTURY    0x32

#define REG_A_UIP  0x80
#define REG_B_SET  0x80
#define REG_B_PIE  0x40
#define REG_B_AIE  0x20
#define REG_B_UIE  0x10
#define REG_B_DM   0x04
#define REG_B_24H  0x02
#define REG_C_IRQF 0x80
#define REG_C_PF   0x40
#define REG_C_AF   0x20
#define REG_C_UF   0x10

#define NS_PER_SEC 1000000000ll
#define RTC_MIN_SECS (-62135596800ll)   /* 0001-01-01 */
#define RTC_MAX_SECS 253402300799ll     /* 9999-12-31 23:59:59 */
#define RTC_MAX_NS   (1ll << 62)
#define RTC_UIP_NS 244000ll     /* UIP before the update (datasheet: 244 us) */

struct MC146818State {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    IrqLine *irq;
    uint8_t cmos[128];
    uint8_t index;
    bool nmi_masked;
    bool running;           /* SET clear and divider 010 */
    int64_t base_sec;       /* RTC time (seconds, broken down as UTC) ... */
    int64_t base_ns;        /* ... at this virtual time */
    int64_t last_ns;        /* events accounted up to here */
    bool irq_level;
    Timer *timer;
};

/* saved state (bus/vmstate.h): CMOS RAM (clock registers included), the
 * index, the RTC time base and the event timer */
static bool rtc_post_load(void *opaque, int version, GError **errp)
{
    MC146818State *s = opaque;
    if (s->index > 127) {
        g_set_error(errp, VMSTATE_ERROR, 0, "mc146818: index %u out of range", s->index);
        return false;
    }
    /* years 1-9999 (what the registers can show), virtual times that
     * later arithmetic cannot overflow */
    if (s->base_sec < RTC_MIN_SECS || s->base_sec > RTC_MAX_SECS ||
        s->base_ns < -RTC_MAX_NS || s->base_ns > RTC_MAX_NS || s->last_ns < -RTC_MAX_NS ||
        s->last_ns > RTC_MAX_NS) {        /* before the clock's 0 is fine (a second's start) */
        g_set_error(errp, VMSTATE_ERROR, 0, "mc146818: time base %" G_GINT64_FORMAT
                    " s at %" G_GINT64_FORMAT " ns (events at %" G_GINT64_FORMAT
                    " ns) out of range", s->base_sec, s->base_ns, s->last_ns);
        return false;
    }
    return true;
}

static const VMStateField rtc_fields[] = {
    VMS_BYTES(MC146818State, cmos, 1),
    VMS_U8(MC146818State, index, 1),
    VMS_BOOL(MC146818State, nmi_masked, 1),
    VMS_BOOL(MC146818State, running, 1),
    VMS_I64(MC146818State, base_sec, 1),
    VMS_I64(MC146818State, base_ns, 1),
    VMS_I64(MC146818State, last_ns, 1),
    VMS_BOOL(MC146818State, irq_level, 1),
    VMS_TIMER(MC146818State, timer, 1),
    VMS_END
};
const VMStateDesc mc146818_vmsd = { .name = "mc146818", .version = 1, .min_version = 1,
                                    .fields = rtc_fields, .post_load = rtc_post_load };
const size_t mc146818_state_size = sizeof(MC146818State);

static int64_t rtc_now(MC146818State *s)
{
    return clock_now(s->buses.clock);
}

static int64_t rtc_floordiv(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* RTC seconds at virtual time ns (the clock runs) */
static int64_t rtc_secs_at(MC146818State *s, int64_t ns)
{
    return s->base_sec + rtc_floordiv(ns - s->base_ns, NS_PER_SEC);
}

static uint8_t rtc_enc(MC146818State *s, int v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM)
        return (uint8_t)v;
    return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static int rtc_dec(MC146818State *s, uint8_t b)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM)
        return b;
    return (b >> 4) * 10 + (b & 15);
}

static uint8_t rtc_enc_hour(MC146818State *s, int h)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return rtc_enc(s, h);
    int h12 = h % 12 ? h % 12 : 12;
    return rtc_enc(s, h12) | (h >= 12 ? 0x80 : 0);
}

static int rtc_dec_hour(MC146818State *s, uint8_t b)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return rtc_dec(s, b);
    return rtc_dec(s, b & 0x7f) % 12 + ((b & 0x80) ? 12 : 0);
}

/* write the time registers from RTC seconds */
static void rtc_store_time(MC146818State *s, int64_t secs)
{
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    s->cmos[RTC_SEC] = rtc_enc(s, tm.tm_sec);
    s->cmos[RTC_MIN] = rtc_enc(s, tm.tm_min);
    s->cmos[RTC_HOUR] = rtc_enc_hour(s, tm.tm_hour);
    s->cmos[RTC_WDAY] = rtc_enc(s, tm.tm_wday + 1);
    s->cmos[RTC_MDAY] = rtc_enc(s, tm.tm_mday);
    s->cmos[RTC_MONTH] = rtc_enc(s, tm.tm_mon + 1);
    s->cmos[RTC_YEAR] = rtc_enc(s, (tm.tm_year + 1900) % 100);
    s->cmos[RTC_CENTURY] = rtc_enc(s, (tm.tm_year + 1900) / 100);
}

/* RTC seconds from the time registers (guest values are clamped) */
static int64_t rtc_load_time(MC146818State *s)
{
    struct tm tm = { 0 };
    int century = rtc_dec(s, s->cmos[RTC_CENTURY]);
    if (century < 19 || century > 29)
        century = 20;
    tm.tm_sec = CLAMP(rtc_dec(s, s->cmos[RTC_SEC]), 0, 59);
    tm.tm_min = CLAMP(rtc_dec(s, s->cmos[RTC_MIN]), 0, 59);
    tm.tm_hour = CLAMP(rtc_dec_hour(s, s->cmos[RTC_HOUR]), 0, 23);
    tm.tm_mday = CLAMP(rtc_dec(s, s->cmos[RTC_MDAY]), 1, 31);
    tm.tm_mon = CLAMP(rtc_dec(s, s->cmos[RTC_MONTH]), 1, 12) - 1;
    tm.tm_year = century * 100 + CLAMP(rtc_dec(s, s->cmos[RTC_YEAR]), 0, 99) - 1900;
    return (int64_t)timegm(&tm);
}

/* periodic interrupt period in 32.768 kHz ticks, 0 if off */
static int64_t rtc_period(MC146818State *s)
{
    int rs = s->cmos[RTC_REG_A] & 15;
    if (rs == 0 || ((s->cmos[RTC_REG_A] >> 4) & 7) != 2)
        return 0;
    if (rs <= 2)
        rs += 7;                    /* 256 and 128 Hz with a 32.768 kHz base */
    return 1ll << (rs - 1);
}

static int64_t rtc_t32(int64_t ns)
{
    return (int64_t)((__int128)ns * 32768 / NS_PER_SEC);
}

static void rtc_update_irq(MC146818State *s)
{
    uint8_t c = s->cmos[RTC_REG_C] & (REG_C_PF | REG_C_AF | REG_C_UF);
    uint8_t en = s->cmos[RTC_REG_B] & (REG_B_PIE | REG_B_AIE | REG_B_UIE);
    if (c & en)                     /* PF/AF/UF sit at the same bits as PIE/AIE/UIE */
        c |= REG_C_IRQF;
    s->cmos[RTC_REG_C] = c;
    bool level = (c & REG_C_IRQF) != 0;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

static bool rtc_alarm_match(MC146818State *s)
{
    static const int pairs[3][2] = {
        { RTC_SEC_ALARM, RTC_SEC }, { RTC_MIN_ALARM, RTC_MIN }, { RTC_HOUR_ALARM, RTC_HOUR },
    };
    for (int i = 0; i < 3; i++) {
        uint8_t a = s->cmos[pairs[i][0]];
        if ((a & 0xc0) != 0xc0 && a != s->cmos[pairs[i][1]])
            return false;
    }
    return true;
}

/* account for the periodic, update and alarm events up to now */
static void rtc_catch_up(MC146818State *s, int64_t now)
{
    int64_t p = rtc_period(s);
    if (now <= s->last_ns)
        return;
    if (p && rtc_t32(now) / p > rtc_t32(s->last_ns) / p)
        s->cmos[RTC_REG_C] |= REG_C_PF;
    if (s->running && rtc_secs_at(s, now) > rtc_secs_at(s, s->last_ns)) {
        s->cmos[RTC_REG_C] |= REG_C_UF;
        rtc_store_time(s, rtc_secs_at(s, now));
        if (rtc_alarm_match(s))
            s->cmos[RTC_REG_C] |= REG_C_AF;
    }
    s->last_ns = now;
    rtc_update_irq(s);
}

/* arm the timer for the next event whose interrupt is enabled */
static void rtc_schedule(MC146818State *s, int64_t now)
{
    int64_t next = INT64_MAX;
    int64_t p = rtc_period(s);
    uint8_t b = s->cmos[RTC_REG_B];
    if (p && (b & REG_B_PIE)) {
        int64_t k = rtc_t32(now) / p + 1;
        next = (int64_t)(((__int128)k * p * NS_PER_SEC + 32767) / 32768);
    }
    if (s->running && (b & (REG_B_UIE | REG_B_AIE))) {
        int64_t sec = rtc_floordiv(now - s->base_ns, NS_PER_SEC) + 1;
        next = MIN(next, s->base_ns + sec * NS_PER_SEC);
    }
    if (next == INT64_MAX)
        timer_del(s->timer);
    else
        timer_mod(s->timer, next);
}

static void rtc_timer_cb(void *opaque)
{
    MC146818State *s = opaque;
    int64_t now = rtc_now(s);
    rtc_catch_up(s, now);
    rtc_schedule(s, now);
}

/* SET or the divider changed: freeze the registers or restart the clock */
static void rtc_set_running(MC146818State *s, bool run, bool divider_restart, int64_t now)
{
    if (run == s->running)
        return;
    if (!run) {
        rtc_store_time(s, rtc_secs_at(s, now));
    } else {
        s->base_sec = rtc_load_time(s);
        s->base_ns = divider_restart ? now - NS_PER_SEC / 2 : now;
    }
    s->running = run;
}

static bool rtc_should_run(MC146818State *s)
{
    return !(s->cmos[RTC_REG_B] & REG_B_SET) && ((s->cmos[RTC_REG_A] >> 4) & 7) == 2;
}

static void rtc_data_write(MC146818State *s, uint8_t v)
{
    int64_t now = rtc_now(s);
    int idx = s->index;
    rtc_catch_up(s, now);
    switch (idx) {
    case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY:
    case RTC_MDAY: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
        if (s->running) {
            int64_t frac = (now - s->base_ns) - rtc_floordiv(now - s->base_ns, NS_PER_SEC) * NS_PER_SEC;
            rtc_store_time(s, rtc_secs_at(s, now));
            s->cmos[idx] = v;
            s->base_sec = rtc_load_time(s);
            s->base_ns = now - frac;
            s->last_ns = now;
        } else {
            s->cmos[idx] = v;
        }
        break;
    case RTC_REG_A: {
        bool was_reset = ((s->cmos[RTC_REG_A] >> 5) & 3) == 3;
        s->cmos[RTC_REG_A] = (v & 0x7f) | (s->cmos[RTC_REG_A] & REG_A_UIP);
        rtc_set_running(s, rtc_should_run(s), was_reset, now);
        break;
    }
    case RTC_REG_B:
        if (v & REG_B_SET)
            v &= ~REG_B_UIE;        /* SET clears UIE (datasheet) */
        if (s->running) {
            /* keep the time the registers show across a format change */
            rtc_store_time(s, rtc_secs_at(s, now));
            s->cmos[RTC_REG_B] = v;
            rtc_store_time(s, rtc_secs_at(s, now));
        } else {
            s->cmos[RTC_REG_B] = v;
        }
        rtc_set_running(s, rtc_should_run(s), false, now);
        break;
    case RTC_REG_C: case RTC_REG_D:
        break;                      /* read-only */
    default:
        s->cmos[idx] = v;
        break;
    }
    s->last_ns = MAX(s->last_ns, now);
    rtc_update_irq(s);
    rtc_schedule(s, now);
    if (idx == RTC_REG_A || idx == RTC_REG_B)
        host_timers_changed(s->buses.host);
}

static uint8_t rtc_data_read(MC146818State *s)
{
    int64_t now = rtc_now(s);
    int idx = s->index;
    uint8_t v;
    rtc_catch_up(s, now);
    switch (idx) {
    case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY:
    case RTC_MDAY: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
        if (s->running)
            rtc_store_time(s, rtc_secs_at(s, now));
        v = s->cmos[idx];
        break;
    case RTC_REG_A: {
        v = s->cmos[RTC_REG_A] & 0x7f;
        int64_t frac = (now - s->base_ns) - rtc_floordiv(now - s->base_ns, NS_PER_SEC) * NS_PER_SEC;
        if (s->running && frac >= NS_PER_SEC - RTC_UIP_NS)
            v |= REG_A_UIP;
        break;
    }
    case RTC_REG_C:
        v = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        rtc_update_irq(s);
        rtc_schedule(s, now);
        break;
    case RTC_REG_D:
        v = 0x80;                   /* VRT: battery good */
        break;
    default:
        v = s->cmos[idx];
        break;
    }
    return v;
}

static void rtc_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    MC146818State *s = opaque;
    if (log_enabled(LOG_IOPORT))
        log_printf("mc146818: write %#x <- %#04x\n", port, value & 0xff);
    if (!(port & 1)) {
        s->index = value & 0x7f;
        s->nmi_masked = (value & 0x80) != 0;
    } else {
        rtc_data_write(s, (uint8_t)value);
    }
}

static uint32_t rtc_read(void *opaque, uint16_t port, int size)
{
    MC146818State *s = opaque;
    if (!(port & 1))
        return 0xff;                /* the index register is write-only */
    uint8_t v = rtc_data_read(s);
    if (log_enabled(LOG_IOPORT))
        log_printf("mc146818: read [%#04x] -> %#04x\n", s->index, v);
    return v;
}

static const IOPortOps rtc_ops = {
    .read = rtc_read,
    .write = rtc_write,
    .sizes = IO_SIZE_8,
};

static void rtc_update_checksum(MC146818State *s)
{
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2d; i++)
        sum += s->cmos[i];
    s->cmos[0x2e] = (uint8_t)(sum >> 8);
    s->cmos[0x2f] = (uint8_t)sum;
}

void mc146818_cmos_set(MC146818State *s, int index, uint8_t value)
{
    if (index <= RTC_REG_D || index > 127)
        return;
    s->cmos[index] = value;
    if (index >= 0x10 && index <= 0x2d)
        rtc_update_checksum(s);
}

uint8_t mc146818_cmos_get(MC146818State *s, int index)
{
    return index >= 0 && index < 128 ? s->cmos[index] : 0xff;
}

bool mc146818_nmi_masked(const MC146818State *s)
{
    return s->nmi_masked;
}

static int rtc_boot_nibble(char c)
{
    switch (c) {
    case 'a': case 'b': return 1;   /* floppy */
    case 'c': return 2;             /* hard disk */
    case 'd': return 3;             /* CD-ROM */
    case 'n': return 4;             /* network */
    default: return 0;
    }
}

void mc146818_set_boot_order(MC146818State *s, const char *order)
{
    int n[3] = { 0, 0, 0 };
    for (int i = 0; i < 3 && order && order[i]; i++)
        n[i] = rtc_boot_nibble(order[i]);
    s->cmos[0x3d] = (uint8_t)(n[1] << 4 | n[0]);
    s->cmos[0x38] = (uint8_t)(n[2] << 4);   /* bit 0 clear: check the floppy boot signature */
}

/* CMOS floppy type of an image, by its size (0: none) */
static uint8_t rtc_floppy_type(const char *path)
{
    GStatBuf st;
    if (!path || g_stat(path, &st) != 0)
        return 0;
    switch (st.st_size) {
    case 368640: return 1;          /* 360 KB 5.25" */
    case 1228800: return 2;         /* 1.2 MB 5.25" */
    case 737280: return 3;          /* 720 KB 3.5" */
    case 2949120: return 5;         /* 2.88 MB 3.5" */
    default: return 4;              /* 1.44 MB 3.5" */
    }
}

/* the NVRAM as QEMU's pc fills it (pc_cmos_init) */
static void rtc_nvram_setup(MC146818State *s, const MC146818Settings *cfg)
{
    uint64_t ram = cfg->ram_size;
    uint64_t ext = ram >= (1u << 20) ? (ram >> 10) - 1024 : 0;
    uint64_t hi = ram > (16u << 20) ? (ram - (16u << 20)) >> 16 : 0;
    ext = MIN(ext, 65535);
    hi = MIN(hi, 65535);

    uint8_t fa = rtc_floppy_type(cfg->fd_file[0]), fb = rtc_floppy_type(cfg->fd_file[1]);
    int nfd = (fa != 0) + (fb != 0);
    s->cmos[0x10] = (uint8_t)(fa << 4 | fb);
    uint8_t equip = 0x02 | 0x04;    /* FPU, PS/2 mouse; VGA: bits 5:4 = 00 */
    if (nfd)
        equip |= 0x01 | (uint8_t)((nfd - 1) << 6);
    s->cmos[0x14] = equip;
    s->cmos[0x15] = 640 & 0xff;
    s->cmos[0x16] = 640 >> 8;
    s->cmos[0x17] = s->cmos[0x30] = (uint8_t)ext;
    s->cmos[0x18] = s->cmos[0x31] = (uint8_t)(ext >> 8);
    s->cmos[0x34] = (uint8_t)hi;
    s->cmos[0x35] = (uint8_t)(hi >> 8);
    s->cmos[0x5b] = s->cmos[0x5c] = s->cmos[0x5d] = 0;  /* nothing above 4 GiB */
    s->cmos[0x5f] = 0;              /* one CPU */
    mc146818_set_boot_order(s, cfg->boot_order ? cfg->boot_order : "cad");
    rtc_update_checksum(s);
}

bool mc146818_parse_date(const char *str, int64_t *secs)
{
    int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
    if (sscanf(str, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return false;
    if (str[n] == 'T' || str[n] == ' ') {
        int n2 = 0;
        if (sscanf(str + n + 1, "%2d:%2d:%2d%n", &h, &mi, &se, &n2) != 3)
            return false;
        n += 1 + n2;
    }
    static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (str[n] || y < 1970 || y > 2999 || mo < 1 || mo > 12 || d < 1 ||
        d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0)
        return false;                          /* 2020-02-30 is no date */
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                     .tm_hour = h, .tm_min = mi, .tm_sec = se };
    *secs = (int64_t)timegm(&tm);
    return true;
}

/* where the clock starts: -rtc base= */
static void rtc_set_base(MC146818State *s, const MC146818Settings *set)
{
    int64_t now = rtc_now(s);
    int64_t us = host_realtime_us(s->buses.host);    /* a recording's, when replaying */
    if (us < 0)
        us = g_get_real_time();
    int64_t host = us / 1000000;
    switch (set->rtc_base) {
    case RTC_BASE_DATE:
        s->base_sec = set->rtc_date;
        s->base_ns = now;
        break;
    case RTC_BASE_LOCALTIME: {
        time_t t = (time_t)host;
        struct tm tm;
        localtime_r(&t, &tm);
        s->base_sec = (int64_t)timegm(&tm);
        s->base_ns = now - (us % 1000000) * 1000;
        break;
    }
    default:
        s->base_sec = host;
        s->base_ns = now - (us % 1000000) * 1000;
        break;
    }
}

void mc146818_reset(MC146818State *s)
{
    /* a reset keeps the time and the NVRAM; it clears the interrupt
     * enables and flags (datasheet, RESET pin) */
    int64_t now = rtc_now(s);
    rtc_catch_up(s, now);
    s->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE);
    s->cmos[RTC_REG_C] = 0;
    rtc_update_irq(s);
    rtc_schedule(s, now);
}

void mc146818_free(MC146818State *s)
{
    if (!s)
        return;
    timer_free(s->timer);
    g_free(s);
}

MC146818State *mc146818_init(const Buses *b, uint16_t base, IrqLine *irq,
                             const MC146818Settings *set)
{
    MC146818State *s = g_new0(MC146818State, 1);
    s->buses = *b;
    s->irq = irq;
    s->timer = timer_new(b->clock, rtc_timer_cb, s);
    s->cmos[RTC_REG_A] = 0x26;          /* 32.768 kHz divider, 1024 Hz rate */
    s->cmos[RTC_REG_B] = REG_B_24H;     /* BCD, 24 hours */
    s->cmos[RTC_REG_D] = 0x80;
    rtc_set_base(s, set);
    s->running = true;
    s->last_ns = rtc_now(s);
    rtc_store_time(s, rtc_secs_at(s, s->last_ns));
    rtc_nvram_setup(s, set);
    ioport_register(b->io, base, 2, &rtc_ops, s, "mc146818");
    host_register_device(b->host, s, (void (*)(void *))mc146818_free,
                            (void (*)(void *))mc146818_reset);
    host_register_state(b->host, &mc146818_vmsd, s);
    return s;
}
