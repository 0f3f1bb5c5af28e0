# tests/monitor/monitor.mk - make check-monitor (included by tests/tests.mk):
# the human monitor and QMP over real sockets, stdio and the mon:stdio mux
# (src/monitor/, docs/monitor.md).
#   monitor_test.py     QMP and HMP against the keys ROM and SeaBIOS: every
#                       command, events, bad input, several clients, media
#                       change, screendump
#   monitor_linux.py    the Linux guest of tests/boot: it sees CD eject and
#                       change, keys typed with send-key reach its console,
#                       system_powerdown powers it off (POWERDOWN, SHUTDOWN);
#                       skipped without the guest
# Each script ends with "monitor...: N passed, N failed".

MONITOR_ROM := $(BUILD)/tests/monitor/keys_rom.bin

.PHONY: check-monitor

$(BUILD)/tests/monitor/%.bin: tests/monitor/%.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -o $@ $<

check-monitor: tx86 firmware $(MONITOR_ROM)
	python3 tests/monitor/monitor_test.py ./tx86 $(MONITOR_ROM)
	python3 tests/monitor/monitor_linux.py ./tx86
