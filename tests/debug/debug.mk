# tests/debug/debug.mk - make check-debug (included by tests/tests.mk): the
# OS-debugging features (docs/debugging.md).
#   gdb_rom.sh          Debian's gdb in batch mode against the debug ROM
#   gdb_robust.py       a misbehaving client: SIGPIPE, malformed packets, a
#                       disconnect at every byte, unix:PATH safety
#   determinism_rom.sh  -icount: two runs, identical -d exec logs and traces
#   gdb_linux.sh, determinism_linux.sh   the same with the Linux guest of
#                       tests/boot (they skip while it does not boot)
# Each script ends with "NAME: N passed, N failed".

DEBUG_ROM := $(BUILD)/tests/debug/debug_rom.bin

.PHONY: check-debug check-debug-linux

$(BUILD)/tests/debug/%.bin: tests/debug/%.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -o $@ $<

check-debug: tx86 tx86-trace $(DEBUG_ROM)
	sh tests/debug/gdb_rom.sh ./tx86 $(DEBUG_ROM)
	python3 tests/debug/gdb_robust.py ./tx86 $(DEBUG_ROM)
	sh tests/debug/determinism_rom.sh ./tx86 "$(GUEST_BACKENDS)" $(DEBUG_ROM)
	sh tests/debug/trace_tool.sh ./tx86 ./tx86-trace $(DEBUG_ROM)
	TX86=./tx86 sh tests/debug/gdb_linux.sh
	TX86=./tx86 sh tests/debug/determinism_linux.sh
