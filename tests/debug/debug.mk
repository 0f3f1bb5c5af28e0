# tests/debug/debug.mk - make check-debug (included by tests/tests.mk): the
# OS-debugging features (docs/debugging.md).
#   gdb_rom.sh          Debian's gdb in batch mode against the debug ROM
#   gdb_robust.py       a misbehaving client: SIGPIPE, malformed packets, a
#                       disconnect at every byte, unix:PATH safety
#   determinism_rom.sh  -icount: two runs, identical -d exec logs and traces
#   savevm_rom.sh       save at random instructions, load in a new process:
#                       the same output as an uninterrupted run (ROMs with timers)
#   gdb_linux.sh, determinism_linux.sh   the same with the Linux guest of
#                       tests/boot (they skip while it does not boot)
#   savevm_linux.sh     save/load at SAVEVM_POINTS (5) points of a Linux boot;
#                       make check-savevm-long: 50 points (issue 14)
#   snapshot_check.py   savevm/loadvm/-loadvm/delvm in a qcow2 disk (qemu-img checks it)
#   migrate_check.py    live migration of the Linux guest on the loopback (-icount:
#                       source + destination output = an uninterrupted run), over
#                       tcp:, then over unix: into a destination started with
#                       -incoming defer (migrate-incoming over QMP, bad URIs)
#   qmp_snapshot_check.py  QMP snapshot-save/-load/-delete jobs: JOB_STATUS_CHANGE
#                       events, query-jobs, job-dismiss, bad requests (qemu-img checks)
#   replay_rom.py       record and replay a ROM taking serial input, on each
#                       backend; a damaged log is caught; gdb reverse-continue
#   replay_linux.py     record a Linux boot with typed serial input, replay it
#                       (identical), reverse-continue/stepi in gdb (docs/replay.md)
# Each script ends with "NAME: N passed, N failed".

DEBUG_ROM := $(BUILD)/tests/debug/debug_rom.bin
ECHO_ROM := $(BUILD)/tests/debug/echo_rom.bin

.PHONY: check-debug check-debug-linux check-savevm-long

$(BUILD)/tests/debug/%.bin: tests/debug/%.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -o $@ $<

check-debug: tx86 tx86-trace $(DEBUG_ROM) $(ECHO_ROM) $(GUEST_BINS)
	sh tests/debug/gdb_rom.sh ./tx86 $(DEBUG_ROM)
	python3 tests/debug/gdb_robust.py ./tx86 $(DEBUG_ROM)
	sh tests/debug/determinism_rom.sh ./tx86 "$(GUEST_BACKENDS)" $(DEBUG_ROM)
	sh tests/debug/savevm_rom.sh ./tx86 "$(GUEST_BACKENDS)" $(DEBUG_ROM) $(BUILD)/tests/guest
	sh tests/debug/trace_tool.sh ./tx86 ./tx86-trace $(DEBUG_ROM)
	python3 tests/debug/replay_rom.py ./tx86 "$(GUEST_BACKENDS)" $(ECHO_ROM)
	TX86=./tx86 sh tests/debug/gdb_linux.sh
	TX86=./tx86 sh tests/debug/determinism_linux.sh
	TX86=./tx86 sh tests/debug/savevm_linux.sh
	if [ -f $(BUILD)/guests/vmlinuz ]; then \
	    python3 tests/debug/snapshot_check.py ./tx86 $(BUILD)/guests/vmlinuz $(BUILD)/guests/initrd.gz && \
	    python3 tests/debug/migrate_check.py migrate_linux --after 4 --icount -- ./tx86 -M pc \
	        -m 256 -kernel $(BUILD)/guests/vmlinuz -initrd $(BUILD)/guests/initrd.gz \
	        -append "console=ttyS0 nokaslr tx86.mode=test" -nographic -no-reboot \
	        -icount shift=0 -rtc base=2020-01-01 && \
	    python3 tests/debug/migrate_check.py migrate_unix_defer --after 4 --icount --unix \
	        --defer -- ./tx86 -M pc -m 256 -kernel $(BUILD)/guests/vmlinuz \
	        -initrd $(BUILD)/guests/initrd.gz -append "console=ttyS0 nokaslr tx86.mode=test" \
	        -nographic -no-reboot -icount shift=0 -rtc base=2020-01-01 && \
	    python3 tests/debug/qmp_snapshot_check.py ./tx86 $(BUILD)/guests/vmlinuz \
	        $(BUILD)/guests/initrd.gz && \
	    python3 tests/debug/replay_linux.py ./tx86 $(BUILD)/guests/vmlinuz $(BUILD)/guests/initrd.gz; \
	else echo "snapshot_check, migrate_linux, migrate_unix_defer, qmp_snapshot_check," \
	    "replay_linux: SKIP (no Linux guest: tests/boot/get-guests.sh)"; fi

# issue 14's count: 50 save/load points of a Linux boot (about 50 boots), and
# live migration of 256 MiB and 1 GiB guests in real time (downtime figures)
check-savevm-long: tx86
	TX86=./tx86 SAVEVM_POINTS=50 sh tests/debug/savevm_linux.sh
	for m in 256 1024; do python3 tests/debug/migrate_check.py migrate_$${m}M --after 4 \
	    --expect TX86-TESTS-DONE -- ./tx86 -M pc -m $$m -kernel $(BUILD)/guests/vmlinuz \
	    -initrd $(BUILD)/guests/initrd.gz -append "console=ttyS0 nokaslr tx86.mode=test" \
	    -nographic -no-reboot || exit 1; done
