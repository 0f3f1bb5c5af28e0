/*
 * test_options.c - unit tests for the command line (options.c): a table of
 * command lines with the MachineConfig fields or the error each must give.
 * "@BIOS@" in a command line stands for a temporary existing file.
 */
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "config.h"
#include "machine/options.h"
#include "cpu-x86/cpuid.h"
#include "util/log.h"

#define OK   (-1)          /* expected: parse succeeds */
#define BAD  OPTIONS_ERROR_INVALID
#define LATER OPTIONS_ERROR_UNSUPPORTED

typedef struct OptCase {
    const char *cmd;
    int result;                 /* OK or an OptionsError code */
    const char *msg;            /* substring of the error message */
    uint64_t ram;               /* 0 = don't check */
    const char *debugcon;       /* NULL = don't check, "-" = must be NULL */
    uint32_t exit_base, exit_size;  /* 0 = don't check */
    const char *cpu;            /* -cpu model name; NULL = don't check, "-" = default */
} OptCase;

static const OptCase cases[] = {
    { "", OK, NULL, 128u << 20, "-", 0, 0 },
    { "-m 64", OK, NULL, 64u << 20 },
    { "-m 64M", OK, NULL, 64u << 20 },
    { "-m 1G", OK, NULL, 1u << 30 },
    { "-m 2048K", OK, NULL, 2u << 20 },
    { "-m size=32", OK, NULL, 32u << 20 },
    { "-m=16", OK, NULL, 16u << 20 },
    { "--m=16", OK, NULL, 16u << 20 },
    { "-m 2049K", OK, NULL, 2052u << 10 },          /* rounded up to a page */
    { "-m 0", BAD, "out of range" },
    { "-m 512K", BAD, "out of range" },
    { "-m 4G", BAD, "out of range" },
    { "-m 12Q", BAD, "invalid size" },
    { "-m lots", BAD, "invalid size" },
    { "-m 99999999999999999999", BAD, "invalid size" },
    { "-m", BAD, "requires an argument" },
    { "-M pc", OK }, { "-machine pc", OK }, { "-machine type=pc,accel=tcg", OK },
    { "-M q35", BAD, "not supported" },
    { "-machine pc,accel=kvm", BAD, "only tcg" },
    { "-accel tcg", OK }, { "-accel kvm", BAD, "only tcg" },
    { "-tb-size 256", OK }, { "-accel tcg,tb-size=32", OK },
    { "-accel tcg,thread=single,tb-size=1024", OK },
    { "-tb-size 0", BAD, "1 to 1024" }, { "-tb-size 2048", BAD, "1 to 1024" },
    { "-accel tcg,tb-size=lots", BAD, "1 to 1024" }, { "-tb-size", BAD, "requires an argument" },
    { "-enable-kvm", BAD, "only tcg" },
    { "-bios @BIOS@ -nographic", OK },
    { "-bios /nonexistent/bios.bin", BAD, "cannot find BIOS" },
    { "-display none", OK },
    { "-display gtk", BAD, "not available" },
    { "-display curses", OK },
    { "-vga none", OK }, { "-vga cirrus", OK },
    { "-vga vmware", BAD, "not supported (std, cirrus or none)" },
    { "--screenshot /tmp/s.png --screendump-text -", OK },
    { "-serial stdio", OK },
    { "-debugcon stdio", OK, NULL, 0, "stdio" },
    { "-debugcon file:/tmp/x.log", OK, NULL, 0, "file:/tmp/x.log" },
    { "-debugcon stdio -debugcon none", OK, NULL, 0, "-" },
    { "-debugcon tcp:1234", BAD, "not supported" },
    { "-device isa-debug-exit,iobase=0xf4,iosize=0x04", OK, NULL, 0, NULL, 0xf4, 4 },
    { "-device isa-debug-exit,iobase=0x501,iosize=2", OK, NULL, 0, NULL, 0x501, 2 },
    { "-device isa-debug-exit", OK, NULL, 0, NULL, 0x501, 2 },
    { "-device isa-debug-exit,iobase=0x10000", BAD, "out of range" },
    { "-device isa-debug-exit,iosize=9", BAD, "out of range" },
    { "-device isa-debug-exit,colour=1", BAD, "unknown property" },
    { "-device isa-debug-exit,iobase=zz", BAD, "bad property" },
    { "-device e1000", OK },                       /* network (net/net_opts.c) */
    { "-netdev user,id=n0 -device e1000,netdev=n0,mac=52:54:00:aa:bb:cc", OK },
    { "-netdev user,id=n0,net=10.0.3.0/24,hostfwd=tcp:127.0.0.1:8080-:80,"
      "hostfwd=udp::5555-10.0.3.15:55,restrict=off,ipv6=off", OK },
    { "-netdev tap,id=t0,ifname=tx86t0,script=no,downscript=no -device e1000,netdev=t0", OK },
    { "-netdev tap,id=t0,script=/etc/qemu-ifup", BAD, "runs no scripts" },
    { "-netdev tap,id=t0,vhost=on", BAD, "vhost= is not supported" },
    { "-netdev tap,ifname=x", BAD, "id= is required" },
    { "-netdev tap,id=t0,ifname=abcdefghijklmnopq", BAD, "at most 15" },
    { "-netdev bridge,id=b0", BAD, "user or tap" }, { "-netdev user", BAD, "id= is required" },
    { "-netdev user,id=n,guestfwd=tcp:10.0.2.100:80-cmd:x", BAD, "guestfwd is not implemented" },
    { "-netdev user,id=n,hostfwd=tcp::x-:80", BAD, "hostfwd=tcp::x-:80" },
    { "-netdev user,id=n,net=10.0.2.0/33", BAD, "net=" },
    { "-netdev user,id=n,ipv6=on", BAD, "ipv6=on" },
    { "-netdev user,id=n,colour=red", BAD, "unknown key 'colour'" },
    { "-nic user,model=e1000,mac=52:54:00:aa:bb:cc,hostfwd=tcp::2222-:22", OK },
    { "-nic user,model=virtio-net-pci", OK }, { "-nic user,model=virtio", OK },
    { "-nic user,model=pcnet", BAD, "unknown NIC model" }, { "-nic tap", BAD, "user or none" },
    { "-device e1000,mac=zz", BAD, "52:54:00:12:34:56 form" },
    { "-device e1000,romfile=", OK }, { "-device rtl8139,romfile=/x/pxe-rtl8139.rom", OK },
    { "-netdev user,id=n -device virtio-net-pci,netdev=n,disable-legacy=on", OK },
    { "-netdev user,id=n -device virtio-net-pci,netdev=n,disable-modern=on", OK },
    { "-device virtio-net-pci,disable-modern=maybe", BAD, "on or off expected" },
    { "-device e1000,disable-legacy=on", BAD, "are for virtio-net-pci" },
    { "-device virtio-net-pci,disable-legacy=on,disable-modern=on", BAD, "no interface" },
    { "-net nic,model=e1000,macaddr=52:54:00:00:00:01 -net user,hostfwd=tcp::2222-:22", OK },
    { "-net none", OK }, { "-nic none", OK }, { "-net socket", BAD, "not supported" },
    { "-no-reboot -d int,unimp -D /tmp/tx86.log", OK },
    { "-d bogus", BAD, "unknown log item" },
    { "--backend=interp", OK }, { "--backend interp", OK },
    { "--backend=jit", BAD, "not a backend" },
    { "--max-insns 1000", OK }, { "--max-insns=-5", BAD, "invalid count" },
    { "-kernel /nonexistent/vmlinuz", BAD, "-kernel: cannot find" },
    { "-kernel @BIOS@ -initrd @BIOS@ -append quiet", OK },
    { "-hda disk.img", BAD, "cannot find disk image 'disk.img'" },
    { "-cdrom x.iso", BAD, "-cdrom: cannot find" }, { "-S", OK }, { "-s", OK },
    { "-snapshot", OK }, { "-gdb tcp::1234", OK },
    { "-gdb unix:/tmp/g.sock", OK }, { "-gdb serial", BAD, "use tcp::PORT" },
    { "-smp 2", LATER, "'-smp'" },
    { "-icount 0", OK }, { "-icount shift=3", OK },
    { "-icount shift=auto", BAD, "shift=N" }, { "--trace t.trc", OK }, { "-monitor stdio", OK },
    { "-monitor unix:/tmp/m.sock,server,nowait -qmp tcp::4444,server=on,wait=off", OK },
    { "-monitor vc", BAD, "-monitor 'vc' is not supported" },
    { "-qmp stdio", BAD, "-qmp 'stdio' is not supported" },
    { "-name guest=vm1,debug-threads=on", OK }, { "-name a,colour=1", BAD, "'colour=1'" },
    { "-chardev socket,id=m,path=/tmp/m.sock,server=on,wait=off -mon chardev=m,mode=control", OK },
    { "-chardev socket,id=m,host=127.0.0.1,port=4444,server,nowait -mon chardev=m", OK },
    { "-chardev stdio,id=s -serial chardev:s", OK }, { "-chardev null,id=n -serial chardev:n", OK },
    { "-chardev file,id=f,path=/tmp/s.log -mon chardev=f", BAD, "-monitor 'file:/tmp/s.log'" },
    { "-mon chardev=m", BAD, "no -chardev with id 'm' before it" },
    { "-serial chardev:x", BAD, "no -chardev with id 'x'" },
    { "-chardev socket,id=m", BAD, "-chardev 'socket' is not supported" },
    { "-chardev stdio", BAD, "give id=NAME" }, { "-chardev spicevmc,id=v", BAD, "not supported" },
    { "-chardev stdio,id=a -chardev null,id=a", BAD, "id 'a' is used twice" },
    { "-chardev stdio,id=a,mux=on", BAD, "'mux' is not supported" },
    { "-chardev stdio,id=a -mon chardev=a,mode=fancy", BAD, "'mode=fancy' is not supported" },
    { "-drive file=x", BAD, "cannot find" }, { "-boot c", OK },
    { "-rtc base=utc", OK }, { "-vga std", OK },
    { "-rtc base=localtime,clock=vm,driftfix=slew", OK },     /* RTC (mc146818.c) */
    { "-rtc base=2006-06-17T16:01:21", OK }, { "-rtc base=2006-06-17", OK },
    { "-rtc base=2006-13-01", BAD, "invalid date" }, { "-rtc clock=x", BAD, "unsupported" },
    { "-dfilter 0x0..0x10,0x7c00+0x200", OK },
    { "-dfilter 0x10..0x0", BAD, "bad range" }, { "-dfilter ,0x10", BAD, "bad range" },
    { "-fda a.img", BAD, "-fda: cannot find" }, { "-initrd x", BAD, "-initrd: cannot find 'x'" },
    { "-append x", BAD, "only allowed with -kernel" }, { "-hdb x", BAD, "-hdb" },
    { "-hdc x", BAD, "-hdc" }, { "-hdd x", BAD, "-hdd" },
    /* disks (more in test_block.c) */
    { "-hda @BIOS@ -hdb @BIOS@ -cdrom @BIOS@ -fda @BIOS@ -snapshot -boot order=dca", OK },
    { "-hda @BIOS@ -drive file=x,index=0", BAD, "index 0 is already used" },
    { "-cdrom @BIOS@ -hdc @BIOS@", BAD, "index 2 is already used" },
    { "-drive file=x,format=qcow3", BAD, "format 'qcow3' is not supported" },
    { "-drive file=x,if=scsi", BAD, "ide or floppy" },
    { "-drive file=x,if=floppy,index=2", BAD, "out of range" },
    { "-drive if=ide", BAD, "file= is missing" },
    { "-boot order=x", BAD, "bad order" }, { "-boot menu=on", OK },
    { "-frobnicate", BAD, "unknown option '-frobnicate'" },
    { "--frob=1", BAD, "unknown option '--frob'" },
    { "disk.img", BAD, "unexpected argument" },
    { "-nographic=yes", BAD, "takes no argument" },
    { "-nographic", OK, .cpu = "-" },
    { "-cpu 486", OK, .cpu = "486" }, { "-cpu pentium", OK, .cpu = "pentium" },
    { "-cpu=pentiumpro", OK, .cpu = "pentiumpro" }, { "-cpu pentium2", OK, .cpu = "pentium2" },
    { "--cpu=tx86", OK, .cpu = "tx86" }, { "-cpu 486 -cpu pentium2", OK, .cpu = "pentium2" },
    { "-cpu 386", BAD, "unknown CPU model '386'" },
    { "-cpu Pentium2", BAD, "unknown CPU model" },
    { "-cpu pentium2,+mmx", BAD, "unknown CPU model" },
    { "-cpu", BAD, "requires an argument" },
    /* issue 9: mistakes once accepted */
    { "-boot=", BAD, "-boot '': nothing given" }, { "-boot=,", BAD, "nothing given" },
    { "-d=", BAD, "no log items given" }, { "-d ,", BAD, "no log items given" },
    { "-rtc base=2020-02-30", BAD, "invalid date" }, { "-rtc base=2021-02-29", BAD, "invalid date" },
    { "-rtc base=2020-02-29", OK }, { "-rtc base=2000-02-29", OK },
    { "-rtc base=2100-02-29", BAD, "invalid date" }, { "-rtc base=2020-04-31", BAD, "invalid date" },
    { "-drive file=@BIOS@,file=@BIOS@", BAD, "'file' is given twice" },
    { "-drive file=@BIOS@,if=ide,if=floppy", BAD, "'if' is given twice" },
    { "-bios /tmp", BAD, "is a directory" }, { "-bios /dev/null", BAD, "not a regular file" },
    { "--screenshot /nonexistent/s.png", BAD, "directory '/nonexistent' does not exist" },
    { "--screenshot /tmp", BAD, "is a directory" },
    { "--screendump-text /nonexistent/s.txt", BAD, "does not exist" },
    { "--screendump-text --version", BAD, "requires an argument (got the option '--version'" },
    { "-hda --snapshot", BAD, "requires an argument" },
    /* what QEMU users' scripts pass (docs/qemu-compat.md) */
    { "-nodefaults", OK }, { "-nodefaults -vga std -serial null", OK },
    { "-nodefaults=1", BAD, "takes no argument" },
    { "-smp 1", OK }, { "-smp cpus=1", OK }, { "-smp 1,maxcpus=1", OK },
    { "-smp cpus=1,cores=1,threads=1,sockets=1,maxcpus=1", OK },
    { "-smp cpus=1,dies=1,clusters=1", OK },
    { "-smp 4", LATER, "tx86 emulates one CPU; SMP comes later" },
    { "-smp cpus=1,cores=2", LATER, "one CPU" }, { "-smp 1,maxcpus=8", LATER, "one CPU" },
    { "-smp 0", BAD, "bad count in '0'" }, { "-smp two", BAD, "bad count" },
    { "-smp 1,colour=2", BAD, "'colour=2' is not supported" }, { "-smp=", BAD, "give a CPU count" },
    { "-name vm1", OK }, { "-name guest=vm1,process=tx86-vm1", OK },
    { "-pidfile /tmp/tx86-test.pid", OK }, { "-pidfile=@BIOS@", OK },
    { "-pidfile /nonexistent/x.pid", BAD, "directory '/nonexistent' does not exist" },
    { "-pidfile /tmp", BAD, "is a directory" }, { "-pidfile", BAD, "requires an argument" },
    { "-daemonize -nodefaults", OK }, { "-daemonize -display none -serial file:/tmp/s", OK },
    { "-daemonize -serial stdio", BAD, "-serial stdio cannot be used with -daemonize" },
    { "-daemonize -serial null -serial mon:stdio", BAD, "-serial stdio cannot be used" },
    { "-daemonize -nographic", BAD, "-nographic" }, { "-nographic -daemonize -nodefaults", OK },
    { "-daemonize -monitor stdio", BAD, "-monitor stdio cannot be used with -daemonize" },
    { "-daemonize -debugcon stdio", BAD, "-debugcon stdio cannot be used" },
    { "-daemonize -display curses", BAD, "-display curses cannot be used" },
    { "-no-hpet", OK }, { "-k en-us", OK },
    { "-k de", LATER, "only the en-us layout" },
    /* USB (uhci.c, usb_hid.c): QEMU's rules for which controller a device needs */
    { "-usb", OK }, { "-usbdevice tablet", OK }, { "-usbdevice keyboard", OK },
    { "-usbdevice mouse -usbdevice tablet", OK },
    { "-usbdevice braille", LATER, "-usbdevice braille: not supported (tablet, mouse" },
    { "-device usb-tablet", BAD, "No 'usb-bus' bus found for device 'usb-tablet'" },
    { "-device usb-kbd -usb", OK }, { "-usb -device usb-tablet -device usb-kbd", OK },
    { "-usb -device usb-tablet -device usb-kbd -device usb-mouse", LATER, "at most two USB" },
    { "-usb -device usb-tablet,bus=usb-bus.0,id=t,port=2", OK },
    { "-usb -device usb-tablet,bus=xhci.0", BAD, "Bus 'xhci.0' not found" },
    { "-usb -device usb-tablet,port=1 -device usb-kbd,port=1", BAD, "port 1 is taken" },
    { "-usb -device usb-mouse,speed=fast", BAD, "property 'speed=fast' is not supported" },
    { "-device piix3-usb-uhci", OK }, { "-device piix3-usb-uhci,id=u -device usb-kbd,bus=u.0", OK },
    { "-device piix3-usb-uhci -device usb-mouse", OK },
    { "-device piix3-usb-uhci,addr=5", BAD, "property 'addr=5' is not supported" },
    { "-device piix3-usb-uhci -usb", LATER, "one USB controller only" },
    { "-device usb-storage", LATER, "usb-tablet, usb-mouse and usb-kbd" },
    { "-device usb-ehci", LATER, "the UHCI" }, { "-device qemu-xhci", LATER, "no xHCI" },
    { "-device ich9-usb-uhci1", LATER, "no EHCI" },
    { "-machine pc,usb=on", OK }, { "-M pc,usb=off", OK },
    { "-no-acpi", LATER, "without ACPI" }, { "-machine acpi=off", LATER, "without ACPI" },
    { "-machine pc,acpi=off", LATER, "without ACPI" }, { "-machine pc,acpi=on,hpet=off", OK },
    { "-enable-kvm", BAD, "use -accel tcg" }, { "-accel kvm", BAD, "only tcg" },
    { "-machine pc,accel=tcg", OK }, { "-M pc-i440fx-7.2", OK },
    { "-machine q35", BAD, "i440FX PC only" }, { "-M pc-q35-7.2", BAD, "i440FX PC only" },
    { "-M isapc", BAD, "not supported" },
    { "-display sdl", OK }, { "-display sdl,full-screen=on", OK }, { "-full-screen", OK },
    { "-display sdl,grab-mod=rctrl", BAD, "'grab-mod=rctrl' is not supported" },
    { "-display vnc=:0", OK }, { "-display none", OK }, { "-display gtk", BAD, "-display sdl" },
    { "-vnc :0", OK }, { "-vnc none", OK }, { "-vnc 127.0.0.1:5", OK }, { "-vnc [::1]:3", OK },
    { "-vnc :x", BAD, "0 to 59635" }, { "-vnc :", BAD, "0 to 59635" },
    { "-vnc :70000", BAD, "0 to 59635" }, { "-vnc 5900", BAD, "give [HOST]:N" },
    { "-vnc :1,password=on", BAD, "VNC options (password" },
    { "-daemonize -display sdl", BAD, "-display sdl cannot be used with -daemonize" },
    { "-daemonize -nodefaults -vnc :1", OK },
    { "-vga cirrus -nodefaults", OK }, { "-vga qxl", BAD, "(std, cirrus or none)" },
    { "-device VGA", OK }, { "-device VGA,id=video0", OK },
    { "-device VGA,vgamem_mb=16", BAD, "only id=" },
    { "-device cirrus-vga", OK }, { "-device cirrus-vga,id=v", OK },
    { "-device cirrus-vga,vgamem_mb=8", BAD, "only id=" },
    { "-device isa-cirrus-vga", LATER, "-vga cirrus" },
    { "-M pc,vmport=off", OK }, { "-machine pc,vmport=on", OK },
    { "-machine pc,vmport=auto", OK }, { "-machine pc,vmport=maybe", BAD, "not supported" }, { "-device virtio-blk-pci", LATER, "virtio" },
    { "-device ide-hd,drive=d0", LATER, "-drive file=F,if=ide" },
    { "-device sb16", LATER, "no sound" }, { "-device frobnicator", BAD, "-device help" },
    { "-boot n", OK }, { "-boot order=cn", OK }, { "-boot once=d", OK },
    { "-parallel none", OK }, { "-parallel stdio", LATER, "no parallel port" },
    { "-spice port=5900", LATER, "'-spice'" }, { "-audiodev none,id=a", LATER, "'-audiodev'" },
    { "-blockdev driver=file", LATER, "'-blockdev'" }, { "-object rng-random,id=r", LATER, "'-object'" },
    { "-uuid 1-2", LATER, "'-uuid'" }, { "-no-user-config", OK },
    { "-pflash f.bin", LATER, "'-pflash'" }, { "-smbios type=0", LATER, "'-smbios'" }, { "-mem-prealloc", LATER, "'-mem-prealloc'" },
};

static void test_table(void)
{
    gchar *bios_path = NULL;
    int fd = g_file_open_tmp("tx86-bios-XXXXXX", &bios_path, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const OptCase *c = &cases[i];
        gchar *cmd = g_strconcat("tx86 ", c->cmd, NULL);
        gchar **words = g_strsplit(cmd, " ", -1);
        int argc = 0;
        for (gchar **w = words; *w; w++) {
            if (!**w) {
                g_free(*w);             /* double spaces: dropped */
                continue;
            }
            if (!strcmp(*w, "@BIOS@")) {
                g_free(*w);
                *w = g_strdup(bios_path);
            }
            words[argc++] = *w;
        }
        words[argc] = NULL;

        MachineConfig cfg;
        GError *err = NULL;
        machine_config_init(&cfg);
        bool ok = options_parse(argc, words, &cfg, &err);
        bool want_ok = c->result == OK;
        if (ok != want_ok)
            printf("\n  case '%s': %s\n", c->cmd, err ? err->message : "parsed but should not");
        CU_ASSERT_EQUAL(ok, want_ok);
        if (!ok && !want_ok) {
            if (err->code != c->result)
                printf("\n  case '%s': error code %d, want %d\n", c->cmd, err->code, c->result);
            CU_ASSERT_EQUAL(err->code, c->result);
            if (c->msg && !strstr(err->message, c->msg)) {
                printf("\n  case '%s': message '%s' lacks '%s'\n", c->cmd, err->message, c->msg);
                CU_FAIL("error message");
            }
        }
        if (ok) {
            if (c->ram) {
                CU_ASSERT_EQUAL(cfg.ram_size, c->ram);
            }
            if (c->debugcon && !strcmp(c->debugcon, "-")) {
                CU_ASSERT_PTR_NULL(cfg.debugcon);
            } else if (c->debugcon) {
                CU_ASSERT_STRING_EQUAL(cfg.debugcon, c->debugcon);
            }
            if (c->cpu && !strcmp(c->cpu, "-")) {
                CU_ASSERT_PTR_NULL(cfg.cpu_model);
            } else if (c->cpu) {
                CU_ASSERT_PTR_NOT_NULL_FATAL(cfg.cpu_model);
                CU_ASSERT_STRING_EQUAL(cfg.cpu_model->name, c->cpu);
            }
            if (c->exit_size) {
                CU_ASSERT_TRUE(cfg.has_debug_exit);
                CU_ASSERT_EQUAL(cfg.debug_exit_iobase, c->exit_base);
                CU_ASSERT_EQUAL(cfg.debug_exit_iosize, c->exit_size);
            }
        }
        if (err)
            g_error_free(err);
        machine_config_clear(&cfg);
        for (int k = 0; k < argc; k++)
            g_free(words[k]);
        g_free(words);
        g_free(cmd);
    }
    unlink(bios_path);
    g_free(bios_path);
}

static void test_fields(void)
{
    char *argv[] = { "tx86", "-nographic", "-no-reboot", "-d", "int,unimp", "-D", "/tmp/l",
                     "--max-insns", "0x100", "--backend=interp", "-serial", "stdio", NULL };
    MachineConfig cfg;
    GError *err = NULL;
    machine_config_init(&cfg);
    CU_ASSERT_EQUAL(cfg.backend, TX86_NATIVE_BACKEND ? BACKEND_NATIVE : BACKEND_INTERP);
    CU_ASSERT_FALSE(cfg.has_debug_exit);
    CU_ASSERT_TRUE_FATAL(options_parse(12, argv, &cfg, &err));
    CU_ASSERT_TRUE(cfg.nographic);
    CU_ASSERT_TRUE(cfg.no_reboot);
    CU_ASSERT_EQUAL(cfg.log_items, LOG_INT | LOG_UNIMP);
    CU_ASSERT_STRING_EQUAL(cfg.log_path, "/tmp/l");
    CU_ASSERT_EQUAL(cfg.max_insns, 0x100);
    CU_ASSERT_EQUAL(cfg.backend, BACKEND_INTERP);
    CU_ASSERT_STRING_EQUAL(cfg.serial, "stdio");
    CU_ASSERT_STRING_EQUAL(cfg.machine_type, "pc");
    machine_config_clear(&cfg);
}

/* -nodefaults: the VGA only when -vga std or -device VGA asks for it
 * (before or after), -pidfile and -daemonize kept */
static void test_nodefaults(void)
{
    static const struct { const char *cmd; bool vga_none, nodefaults, daemonize, cirrus; } t[] = {
        { "tx86", false, false, false },
        { "tx86 -nodefaults", true, true, false },
        { "tx86 -nodefaults -vga cirrus", false, true, false, true },
        { "tx86 -device cirrus-vga -nodefaults", false, true, false, true },
        { "tx86 -vga cirrus -vga std", false, false, false, false },
        { "tx86 -nodefaults -vga std", false, true, false },
        { "tx86 -vga std -nodefaults", false, true, false },
        { "tx86 -device VGA -nodefaults -daemonize", false, true, true },
        { "tx86 -nodefaults -vga none", true, true, false },
        { "tx86 -vga none", true, false, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        gchar **argv = g_strsplit(t[i].cmd, " ", -1);
        MachineConfig cfg;
        GError *err = NULL;
        machine_config_init(&cfg);
        CU_ASSERT_TRUE(options_parse((int)g_strv_length(argv), argv, &cfg, &err));
        CU_ASSERT_EQUAL(cfg.vga_none, t[i].vga_none);
        CU_ASSERT_EQUAL(cfg.nodefaults, t[i].nodefaults);
        CU_ASSERT_EQUAL(cfg.daemonize, t[i].daemonize);
        CU_ASSERT_EQUAL(cfg.vga_cirrus, t[i].cirrus);
        if (err)
            g_error_free(err);
        machine_config_clear(&cfg);
        g_strfreev(argv);
    }
    /* the VMware backdoor is on unless -machine vmport=off (vmport.c) */
    static const struct { const char *cmd; bool off; } vp[] = {
        { "tx86", false }, { "tx86 -M pc,vmport=off", true },
        { "tx86 -machine vmport=off -machine vmport=auto", false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(vp); i++) {
        gchar **av = g_strsplit(vp[i].cmd, " ", -1);
        MachineConfig c;
        machine_config_init(&c);
        CU_ASSERT_TRUE(options_parse((int)g_strv_length(av), av, &c, NULL));
        CU_ASSERT_EQUAL(c.vmport_off, vp[i].off);
        machine_config_clear(&c);
        g_strfreev(av);
    }
    char *argv[] = { "tx86", "-pidfile", "/tmp/tx86-unit.pid", NULL };
    MachineConfig cfg, copy;
    machine_config_init(&cfg);
    CU_ASSERT_TRUE_FATAL(options_parse(3, argv, &cfg, NULL));
    CU_ASSERT_STRING_EQUAL(cfg.pidfile, "/tmp/tx86-unit.pid");
    machine_config_copy(&copy, &cfg);               /* a string field: copied */
    CU_ASSERT_PTR_NOT_EQUAL(copy.pidfile, cfg.pidfile);
    CU_ASSERT_STRING_EQUAL(copy.pidfile, "/tmp/tx86-unit.pid");
    machine_config_clear(&copy);
    machine_config_clear(&cfg);
}

/* -display and -vnc: the fields main.c's display_start reads */
static void test_display(void)
{
    static const struct {
        const char *cmd;
        bool sdl, none, curses, full;
        const char *vnc_host;           /* NULL: no VNC */
        int vnc_display;
    } t[] = {
        { "tx86", false, false, false, false, NULL, 0 },
        { "tx86 -display sdl", true, false, false, false, NULL, 0 },
        { "tx86 -display sdl,full-screen=on", true, false, false, true, NULL, 0 },
        { "tx86 -display sdl -display none", false, true, false, false, NULL, 0 },
        { "tx86 -display none -display sdl", true, false, false, false, NULL, 0 },
        { "tx86 -display curses", false, false, true, false, NULL, 0 },
        { "tx86 -vnc :7", false, false, false, false, "", 7 },
        { "tx86 -vnc 127.0.0.1:12 -display sdl", true, false, false, false, "127.0.0.1", 12 },
        { "tx86 -vnc [::1]:3", false, false, false, false, "::1", 3 },
        { "tx86 -display vnc=localhost:2", false, false, false, false, "localhost", 2 },
        { "tx86 -vnc :1 -vnc none", false, false, false, false, NULL, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        gchar **argv = g_strsplit(t[i].cmd, " ", -1);
        MachineConfig cfg;
        GError *err = NULL;
        machine_config_init(&cfg);
        CU_ASSERT_TRUE(options_parse((int)g_strv_length(argv), argv, &cfg, &err));
        CU_ASSERT_EQUAL(cfg.display_sdl, t[i].sdl);
        CU_ASSERT_EQUAL(cfg.display_none, t[i].none);
        CU_ASSERT_EQUAL(cfg.display_curses, t[i].curses);
        CU_ASSERT_EQUAL(cfg.full_screen, t[i].full);
        if (t[i].vnc_host) {
            CU_ASSERT_PTR_NOT_NULL(cfg.vnc_host);
            if (cfg.vnc_host)
                CU_ASSERT_STRING_EQUAL(cfg.vnc_host, t[i].vnc_host);
            CU_ASSERT_EQUAL(cfg.vnc_display, t[i].vnc_display);
        } else {
            CU_ASSERT_PTR_NULL(cfg.vnc_host);
        }
        if (err) {
            printf("\n  case '%s': %s\n", t[i].cmd, err->message);
            g_error_free(err);
        }
        machine_config_clear(&cfg);
        g_strfreev(argv);
    }
}

static void test_native_backend(void)
{
    char *argv[] = { "tx86", "--backend=native", NULL };
    MachineConfig cfg;
    GError *err = NULL;
    machine_config_init(&cfg);
    bool ok = options_parse(2, argv, &cfg, &err);
    CU_ASSERT_EQUAL(ok, TX86_NATIVE_BACKEND != 0);
    if (ok) {
        CU_ASSERT_EQUAL(cfg.backend, BACKEND_NATIVE);
    }
    if (err)
        g_error_free(err);
    machine_config_clear(&cfg);
}

static void test_sizes(void)
{
    static const struct { const char *s; bool ok; uint64_t bytes; } sz[] = {
        { "1", true, 1u << 20 }, { "4k", true, 4096 }, { "4KiB", true, 4096 },
        { "3g", true, 3ull << 30 }, { "100B", true, 100 }, { "2MB", true, 2u << 20 },
        { "", false, 0 }, { "-1", false, 0 }, { "1X", false, 0 }, { "1KK", false, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sz); i++) {
        uint64_t b = 0;
        GError *err = NULL;
        bool ok = options_parse_size(sz[i].s, &b, &err);
        CU_ASSERT_EQUAL(ok, sz[i].ok);
        if (ok) {
            CU_ASSERT_EQUAL(b, sz[i].bytes);
        }
        if (err)
            g_error_free(err);
    }
}

void register_options_tests(void)
{
    CU_pSuite s = CU_add_suite("options", NULL, NULL);
    CU_add_test(s, "command-line table", test_table);
    CU_add_test(s, "fields filled", test_fields);
    CU_add_test(s, "-nodefaults, -pidfile, -daemonize", test_nodefaults);
    CU_add_test(s, "-display sdl, -vnc", test_display);
    CU_add_test(s, "--backend=native availability", test_native_backend);
    CU_add_test(s, "size suffixes", test_sizes);
}
