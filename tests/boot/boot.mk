# tests/boot/boot.mk - make check-boot (included by tests/tests.mk): boots
# real guests (tests/boot/get-guests.sh fetches and builds them from Debian
# packages into build/guests) and checks their serial output.  Each test is
# a script that exits 0 (pass), 1 (fail) or 77 (skipped); add yours to
# BOOT_TESTS with one line.  TX86=qemu-system-i386 make check-boot-qemu runs
# the same scripts under QEMU, to check a test rather than tx86.

BOOT_TESTS := tests/boot/linux_kernel.sh
BOOT_TESTS += tests/boot/linux_disk.sh
BOOT_TESTS += tests/boot/memtest.sh
BOOT_TESTS += tests/boot/multiboot.sh
BOOT_TESTS += tests/boot/seabios_vga.sh
BOOT_TESTS += tests/boot/cirrus.sh
BOOT_TESTS += tests/boot/usb.sh
BOOT_TESTS += tests/boot/seabios_post.sh
BOOT_TESTS += tests/boot/floppy.sh tests/boot/cdrom.sh
BOOT_TESTS += tests/boot/image_lock.sh
BOOT_TESTS += tests/boot/formats.sh
BOOT_TESTS += tests/boot/debian.sh
BOOT_TESTS += tests/boot/debian_formats.sh
BOOT_TESTS += tests/boot/debian_sse.sh
BOOT_TESTS += tests/boot/cpu_models.sh

.PHONY: check-debian-formats check-debian-sse check-cpu-models check-qemu-opts check-boot check-boot-linux check-cirrus check-usb check-boot-qemu check-kill check-formats check-net guests

guests:
	sh tests/boot/get-guests.sh

# debian.sh boots on each backend this build has (DEBIAN_BACKENDS overrides)
check-boot: tx86 firmware
	DEBIAN_BACKENDS="$${DEBIAN_BACKENDS:-$(GUEST_BACKENDS)}" sh tests/boot/run-boot.sh ./tx86 $(BOOT_TESTS)

# the disk image formats alone (docs/block.md): the unit tests against
# qemu-img (tests/unit/test_formats.c) and the boot test (formats.sh, also
# part of check-boot)
check-formats: tx86 firmware $(UNIT_BIN)
	@d=$$(mktemp -d "$${TMPDIR:-/tmp}/tx86-unit.XXXXXX") && cd "$$d" && \
	    "$(CURDIR)/$(UNIT_BIN)" formats; rc=$$?; rm -rf "$$d"; [ $$rc -eq 0 ]
	sh tests/boot/run-boot.sh ./tx86 tests/boot/formats.sh

# the full Debian system converted to qcow2, vmdk, vdi and vpc, booted from
# each (tests/boot/debian_formats.sh, also part of check-boot; ~2 minutes)
check-debian-formats: tx86 firmware
	sh tests/boot/run-boot.sh ./tx86 tests/boot/debian_formats.sh

# the full Debian system on SSE2 models (-cpu n270, pentium4): SSE2 code
# from gcc and glibc against the host (tests/boot/debian_sse.sh, also part
# of check-boot; ~1 minute)
check-debian-sse: tx86 firmware
	sh tests/boot/run-boot.sh ./tx86 tests/boot/debian_sse.sh

# every i686 -cpu model as Linux's /proc/cpuinfo shows it (vendor,
# family/model/stepping, the SIMD flags; tests/boot/cpu_models.sh, also
# part of check-boot; ~70 s)
check-cpu-models: tx86 firmware
	sh tests/boot/run-boot.sh ./tx86 tests/boot/cpu_models.sh

# Linux by -kernel alone (tests/boot/linux_kernel.sh): scripts/run-tests.sh
# runs it in the --enable-debug build, where the IR verifier checks every
# block Linux makes the translator build (TX86_GUESTS=the main build's
# build/guests saves fetching the guests again; BOOT_TIMEOUT=seconds)
check-boot-linux: tx86 firmware
	sh tests/boot/run-boot.sh ./tx86 tests/boot/linux_kernel.sh

# -vga cirrus alone (tests/boot/cirrus.sh, also part of check-boot):
# SeaVGABIOS's text screen, Linux's cirrus DRM driver
check-cirrus: tx86 firmware
	sh tests/boot/run-boot.sh ./tx86 tests/boot/cirrus.sh

# USB alone (tests/boot/usb.sh, also part of check-boot): Linux's uhci-hcd
# and usbhid with -usb -device usb-tablet -device usb-kbd, QMP input to
# /dev/input/eventN (~12 s)
check-usb: tx86 firmware
	sh tests/boot/run-boot.sh ./tx86 tests/boot/usb.sh

# -nodefaults, -pidfile and -daemonize end to end with a small ROM, no
# guest images (tests/boot/qemu_opts.sh, docs/qemu-compat.md; ~10 s)
check-qemu-opts: tx86
	sh tests/boot/run-boot.sh ./tx86 tests/boot/qemu_opts.sh

# user-mode networking with each NIC model (tests/boot/net.sh, docs/net.md)
check-net: tx86 firmware
	sh tests/boot/run-boot.sh ./tx86 tests/boot/net.sh tests/boot/tap.sh tests/boot/pxe.sh

check-boot-qemu:
	sh tests/boot/run-boot.sh $$(command -v qemu-system-i386) $(BOOT_TESTS)

# tests/boot/kill.py: SIGKILL during a Debian guest's synced writes, then
# e2fsck and the synced files' hashes (docs/testing.md); KILL_ROUNDS=20.
# Exit 77 (no Debian image here, a tool missing) is a skip.
KILL_ROUNDS ?= 20
check-kill: tx86 firmware
	KILL_ROUNDS=$(KILL_ROUNDS) python3 tests/boot/kill.py ./tx86; \
	s=$$?; if [ $$s -eq 77 ]; then echo "check-kill: skipped"; else exit $$s; fi
