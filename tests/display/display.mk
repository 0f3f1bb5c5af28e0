# tests/display/display.mk - make check-display (included by tests/tests.mk):
# the SDL window under Xvfb (xdotool types and clicks, xwd takes its
# picture) and the VNC server with vncsnapshot and a small RFB client, both
# against display_rom.asm (src/ui/, docs/display.md).  The runner exits 77
# when Xvfb, xdotool, xwd, netpbm or vncsnapshot is missing: a note, not a
# failure.  Ends with "display: N passed, N failed".

DISPLAY_ROM := $(BUILD)/tests/display/display_rom.bin

.PHONY: check-display

$(BUILD)/tests/display/%.bin: tests/display/%.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -o $@ $<

check-display: tx86 $(DISPLAY_ROM)
	@python3 tests/display/display_test.py ./tx86 $(DISPLAY_ROM); rc=$$?; \
	if [ $$rc -eq 77 ]; then echo "display: 0 passed, 0 failed (skipped)"; exit 0; fi; exit $$rc
