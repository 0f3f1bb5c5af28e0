/*
 * piix4_pm.c - PIIX4 power management function 00:01.3 (8086:7113), the
 * ACPI hardware of QEMU's pc machine.
 * Reference: Intel 82371AB PCI-to-ISA/IDE Xcelerator (PIIX4) datasheet,
 * order no. 290562: 3.4 (function 3 configuration: PMBA 0x40, PMREGMISC
 * 0x80, SMBBA 0x90, SMBHSTCFG 0xD2, DEVACTB 0x58), 7.2 (PM I/O registers:
 * PMSTS 00h, PMEN 02h, PMCNTRL 04h, PMTMR 08h), 7.3 (SMBus host);
 * ACPI 1.0b section 4.7 (fixed hardware: PM1 event/control, PM timer).
 *
 * PM I/O space (64 ports at PMBA when PMREGMISC bit 0 is set; SeaBIOS puts
 * it at 0x600):
 *   +0 PM1_STS (write 1 to clear): TMR_STS 0, BM_STS 4, GBL_STS 5,
 *      PWRBTN_STS 8, RTC_STS 10, WAK_STS 15
 *   +2 PM1_EN: TMR_EN 0, GBL_EN 5, PWRBTN_EN 8, RTC_EN 10
 *   +4 PM1_CNT: SCI_EN 0, SLP_TYP 12:10, SLP_EN 13 (write-only, reads 0)
 *   +8 PM_TMR: 24-bit counter at 3.579545 MHz from the virtual clock;
 *      TMR_STS is set when bit 23 changes
 * SCI (ISA IRQ 9, level) = any status bit whose enable bit is set.
 * Sleep: SLP_EN with SLP_TYP 0 (our DSDT's \_S5) powers off: tx86 ends
 * with status 0.  Other sleep types (S3) are logged and ignored: the
 * guest goes on as if it had woken at once (WAK_STS set).
 * APM control port 0xB2: the FADT's SMI_CMD; 0xF1 sets SCI_EN (ACPI
 * enable), 0xF0 clears it.  SMM is not emulated; DEVACTB reports APMC
 * enabled (bit 25) so SeaBIOS skips its SMM set-up, as with QEMU's
 * "smm=off".  SMBus (SMBBA, enabled by SMBHSTCFG bit 0): a host with no
 * devices: every transaction ends with DEV_ERR.
 * Not emulated: GPE/device monitors, thermal, suspend-to-RAM, the
 * global/device standby timers, SMBus slaves.
 */
#include <string.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "devices/piix4_pm.h"
#include "util/log.h"

#define PMBA          0x40
#define DEVACTB       0x58
#define PMREGMISC     0x80
#define SMBBA         0x90
#define SMBHSTCFG     0xd2
#define PM_IO_SIZE    64
#define SMB_IO_SIZE   16

#define STS_TMR     0x0001
#define STS_BM      0x0010
#define STS_GBL     0x0020
#define STS_PWRBTN  0x0100
#define STS_RTC     0x0400
#define STS_WAK     0x8000
#define EN_MASK     (STS_TMR | STS_GBL | STS_PWRBTN | STS_RTC)
#define CNT_SCI_EN  0x0001
#define CNT_SLP_EN  0x2000

struct PIIX4PMState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    IrqLine *sci;                 /* the SCI: ISA IRQ 9 on the PC, NULL = not wired */
    PCIDevice *dev;
    uint16_t pm_base;             /* mapped PM I/O base, 0 = not mapped */
    uint16_t smb_base;            /* mapped SMBus base, 0 = not mapped */
    uint16_t sts, en, cnt;
    uint8_t apmc, apms;           /* ports 0xB2, 0xB3 */
    uint8_t smb_hst_sts, smb_hst_cnt, smb_cmd, smb_addr, smb_d0, smb_d1;
    Timer *overflow;              /* next change of timer bit 23 */
    int sci_level;
};

static uint64_t pm_ticks(PIIX4PMState *s)
{
    int64_t ns = clock_now(s->buses.clock);
    if (ns < 0)
        ns = 0;
    uint64_t sec = (uint64_t)ns / 1000000000u, rem = (uint64_t)ns % 1000000000u;
    return sec * PIIX4_PM_TIMER_HZ + rem * PIIX4_PM_TIMER_HZ / 1000000000u;
}

uint32_t piix4_pm_timer(PIIX4PMState *s)
{
    return (uint32_t)(pm_ticks(s) & 0xffffff);
}

static void pm_update_sci(PIIX4PMState *s)
{
    int level = (s->sts & s->en & EN_MASK) != 0;
    if (level != s->sci_level) {
        s->sci_level = level;
        irq_set(s->sci, level);
    }
}

/* arm the timer for the next bit-23 change while TMR_EN is set */
static void pm_arm_overflow(PIIX4PMState *s)
{
    if (!(s->en & STS_TMR)) {
        timer_del(s->overflow);
        return;
    }
    uint64_t next = (pm_ticks(s) | 0x7fffff) + 1;
    uint64_t sec = next / PIIX4_PM_TIMER_HZ, rem = next % PIIX4_PM_TIMER_HZ;
    int64_t ns = (int64_t)(sec * 1000000000u + (rem * 1000000000u + PIIX4_PM_TIMER_HZ - 1) /
                           PIIX4_PM_TIMER_HZ);
    timer_mod(s->overflow, ns);
}

static void pm_overflow(void *opaque)
{
    PIIX4PMState *s = opaque;
    s->sts |= STS_TMR;
    pm_update_sci(s);
    pm_arm_overflow(s);
}

void piix4_pm_power_button(PIIX4PMState *s)
{
    s->sts |= STS_PWRBTN;
    pm_update_sci(s);
}

static void pm_sleep(PIIX4PMState *s, int typ)
{
    if (typ == PIIX4_SLP_TYP_S5) {
        host_request_shutdown(s->buses.host, 0);
        return;
    }
    if (log_enabled(LOG_UNIMP))
        log_printf("piix4_pm: sleep type %d not emulated, resuming\n", typ);
    s->sts |= STS_WAK;
}

static uint32_t pm_io_read(void *opaque, uint16_t off, int size)
{
    PIIX4PMState *s = opaque;
    switch (off) {
    case PIIX4_PM1_STS: return s->sts;
    case PIIX4_PM1_EN:  return s->en;
    case PIIX4_PM1_CNT: return s->cnt & ~CNT_SLP_EN;
    case PIIX4_PM_TMR:  return piix4_pm_timer(s);
    default:            return 0;
    }
}

static void pm_io_write(void *opaque, uint16_t off, uint32_t v, int size)
{
    PIIX4PMState *s = opaque;
    switch (off) {
    case PIIX4_PM1_STS:
        s->sts &= (uint16_t)~(v & (EN_MASK | STS_BM | STS_WAK));
        pm_update_sci(s);
        break;
    case PIIX4_PM1_EN:
        s->en = (uint16_t)(v & EN_MASK);
        pm_update_sci(s);
        pm_arm_overflow(s);
        break;
    case PIIX4_PM1_CNT:
        s->cnt = (uint16_t)(v & ~CNT_SLP_EN);
        if (v & CNT_SLP_EN)
            pm_sleep(s, (v >> 10) & 7);
        break;
    default:
        break;
    }
}

/* any size at any offset: the bytes of STS, EN, CNT (16-bit) and TMR
 * (32-bit) are assembled; a partial write of a 16-bit register keeps the
 * other byte (STS: writes 0 there, it is write-1-to-clear) */
static uint32_t pm_io_read_any(void *opaque, uint16_t port, int size)
{
    PIIX4PMState *s = opaque;
    uint16_t off = (uint16_t)(port - s->pm_base);
    uint32_t tmr = piix4_pm_timer(s), v = 0;
    for (int i = 0; i < size; i++) {
        unsigned o = off + (unsigned)i;
        uint32_t b = (o & ~3u) == PIIX4_PM_TMR ? tmr >> (8 * (o & 3))
                   : o < 6 ? pm_io_read(s, (uint16_t)(o & ~1u), 2) >> (8 * (o & 1)) : 0;
        v |= (b & 0xff) << (8 * i);
    }
    return v;
}

static void pm_io_write_any(void *opaque, uint16_t port, uint32_t v, int size)
{
    PIIX4PMState *s = opaque;
    uint16_t off = (uint16_t)(port - s->pm_base);
    for (unsigned reg = 0; reg < 6; reg += 2) {
        if (off >= reg + 2 || off + (unsigned)size <= reg)
            continue;
        uint32_t w = reg == PIIX4_PM1_STS ? 0 : pm_io_read(s, (uint16_t)reg, 2);
        if (reg == PIIX4_PM1_CNT)
            w = s->cnt;
        for (unsigned b = reg; b < reg + 2; b++)
            if (b >= off && b < off + (unsigned)size)
                w = (w & ~(0xffu << (8 * (b - reg)))) |
                    ((v >> (8 * (b - off))) & 0xff) << (8 * (b - reg));
        pm_io_write(s, (uint16_t)reg, w, 2);
    }
}

static const IOPortOps pm_io_ops = {
    .read = pm_io_read_any, .write = pm_io_write_any,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

/* SMBus host: status, control, command, address, data 0/1 */
static uint32_t smb_read(void *opaque, uint16_t port, int size)
{
    PIIX4PMState *s = opaque;
    switch (port - s->smb_base) {
    case 0: return s->smb_hst_sts;
    case 2: return s->smb_hst_cnt & 0x1f;
    case 3: return s->smb_cmd;
    case 4: return s->smb_addr;
    case 5: return s->smb_d0;
    case 6: return s->smb_d1;
    default: return 0;
    }
}

static void smb_write(void *opaque, uint16_t port, uint32_t v, int size)
{
    PIIX4PMState *s = opaque;
    switch (port - s->smb_base) {
    case 0: s->smb_hst_sts &= (uint8_t)~(v & 0x1e); break;
    case 2:
        s->smb_hst_cnt = (uint8_t)v;
        if (v & 0x40)                       /* START: nobody answers */
            s->smb_hst_sts |= 0x04;         /* DEV_ERR */
        break;
    case 3: s->smb_cmd = (uint8_t)v; break;
    case 4: s->smb_addr = (uint8_t)v; break;
    case 5: s->smb_d0 = (uint8_t)v; break;
    case 6: s->smb_d1 = (uint8_t)v; break;
    default: break;
    }
}

static const IOPortOps smb_io_ops = { .read = smb_read, .write = smb_write, .sizes = IO_SIZE_8 };

/* APM control/status ports 0xB2/0xB3 */
static uint32_t apm_read(void *opaque, uint16_t port, int size)
{
    PIIX4PMState *s = opaque;
    return port == 0xb2 ? s->apmc : s->apms;
}

static void apm_write(void *opaque, uint16_t port, uint32_t v, int size)
{
    PIIX4PMState *s = opaque;
    if (port == 0xb3) {
        s->apms = (uint8_t)v;
        return;
    }
    s->apmc = (uint8_t)v;
    if (v == 0xf1)
        s->cnt |= CNT_SCI_EN;
    else if (v == 0xf0)
        s->cnt &= (uint16_t)~CNT_SCI_EN;
}

static const IOPortOps apm_io_ops = { .read = apm_read, .write = apm_write, .sizes = IO_SIZE_8 };

static void pm_update_io(PIIX4PMState *s)
{
    const uint8_t *c = s->dev->config;
    IOBus *io = s->buses.io;
    uint16_t pm = (uint16_t)((c[PMBA] | c[PMBA + 1] << 8) & 0xffc0);
    if (!(c[PMREGMISC] & 1))
        pm = 0;
    if (pm != s->pm_base) {
        if (s->pm_base)
            ioport_unregister(io, s->pm_base, PM_IO_SIZE, s);
        s->pm_base = 0;
        if (pm && ioport_register(io, pm, PM_IO_SIZE, &pm_io_ops, s, "piix4-pm"))
            s->pm_base = pm;
    }
    uint16_t smb = (uint16_t)((c[SMBBA] | c[SMBBA + 1] << 8) & 0xfff0);
    if (!(c[SMBHSTCFG] & 1))
        smb = 0;
    if (smb != s->smb_base) {
        if (s->smb_base)
            ioport_unregister(io, s->smb_base, SMB_IO_SIZE, s);
        s->smb_base = 0;
        if (smb && ioport_register(io, smb, SMB_IO_SIZE, &smb_io_ops, s, "piix4-smbus"))
            s->smb_base = smb;
    }
}

static void pm_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int size)
{
    pm_update_io(d->opaque);
}

static const PCIDeviceOps pm_pci_ops = { .config_write = pm_config_write };

/* saved state (bus/vmstate.h): PM1 status/enable/control, APM ports,
 * the SMBus host registers, the bit-23 overflow timer and the SCI level
 * driven.  The PM timer's value is the virtual clock's; PMBA, SMBBA and
 * their enables are configuration space ("pci-dev"): post_load maps the
 * PM and SMBus ports again from them. */
static bool pm_post_load(void *opaque, int version, GError **errp)
{
    PIIX4PMState *s = opaque;
    if ((unsigned)s->sci_level > 1) {
        g_set_error(errp, VMSTATE_ERROR, 0, "piix4-pm: SCI level %d is not 0 or 1",
                    s->sci_level);
        return false;
    }
    pm_update_io(s);
    return true;
}

static const VMStateField pm_fields[] = {
    VMS_U16(PIIX4PMState, sts, 1),
    VMS_U16(PIIX4PMState, en, 1),
    VMS_U16(PIIX4PMState, cnt, 1),
    VMS_U8(PIIX4PMState, apmc, 1),
    VMS_U8(PIIX4PMState, apms, 1),
    VMS_U8(PIIX4PMState, smb_hst_sts, 1),
    VMS_U8(PIIX4PMState, smb_hst_cnt, 1),
    VMS_U8(PIIX4PMState, smb_cmd, 1),
    VMS_U8(PIIX4PMState, smb_addr, 1),
    VMS_U8(PIIX4PMState, smb_d0, 1),
    VMS_U8(PIIX4PMState, smb_d1, 1),
    VMS_TIMER(PIIX4PMState, overflow, 1),
    VMS_I32(PIIX4PMState, sci_level, 1),
    VMS_END
};
const VMStateDesc piix4_pm_vmsd = { .name = "piix4-pm", .version = 1, .min_version = 1,
                                    .fields = pm_fields, .post_load = pm_post_load };
const size_t piix4_pm_state_size = sizeof(PIIX4PMState);

static void pm_reset(void *opaque)
{
    PIIX4PMState *s = opaque;
    uint8_t *c = s->dev->config;
    memset(&c[0x40], 0, 0xc0);
    c[PMBA] = 0x01;                           /* I/O space indicator */
    c[DEVACTB + 3] = 0x02;                    /* APMC_EN: SMM "already set up" */
    c[SMBBA] = 0x01;
    s->sts = s->en = 0;
    s->cnt = 0;
    s->apmc = s->apms = 0;
    s->smb_hst_sts = s->smb_hst_cnt = 0;
    timer_del(s->overflow);
    pm_update_io(s);
    pm_update_sci(s);
}

static void pm_free(void *opaque)
{
    PIIX4PMState *s = opaque;
    timer_free(s->overflow);
    g_free(s);
}

PIIX4PMState *piix4_pm_init(const Buses *b, PCIBus *bus, IrqLine *sci, GError **errp)
{
    PIIX4PMState *s = g_new0(PIIX4PMState, 1);
    s->buses = *b;
    s->sci = sci;
    s->dev = pci_register_function(bus, PCI_DEVFN(1, 3), "piix4-pm", 0x8086, 0x7113, 0x03,
                                   0x068000, &pm_pci_ops, s, errp);
    if (!s->dev) {
        g_free(s);
        return NULL;
    }
    if (!ioport_register(b->io, 0xb2, 2, &apm_io_ops, s, "apm")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "piix4_pm: ports 0xb2-0xb3 are taken");
        g_free(s);
        return NULL;
    }
    s->dev->config[PCI_INTERRUPT_PIN] = 1;
    s->dev->config[PCI_STATUS + 1] = 0x02;
    pci_set_wmask(s->dev, 0x40, 0xc0, 0xff);
    pci_set_wmask(s->dev, PMBA, 1, 0xc0);     /* bits 15:6 */
    pci_set_wmask(s->dev, SMBBA, 1, 0xf0);
    s->overflow = timer_new(b->clock, pm_overflow, s);
    pm_reset(s);
    host_register_device(b->host, s, pm_free, pm_reset);
    host_register_state(b->host, &piix4_pm_vmsd, s);
    return s;
}
