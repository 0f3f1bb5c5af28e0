# firmware/firmware.mk - firmware ROM images (included by Makefile.in).
# Every firmware/*.asm is assembled with nasm into build/firmware/NAME.bin.

FIRMWARE_ASMS := $(sort $(wildcard firmware/*.asm))
FIRMWARE_BINS := $(patsubst firmware/%.asm,$(BUILD)/firmware/%.bin,$(FIRMWARE_ASMS))

.PHONY: firmware
firmware: $(FIRMWARE_BINS)

$(BUILD)/firmware/%.bin: firmware/%.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -o $@ $<

# the option ROMs share firmware/fwcfg.inc (nasm runs from the top directory)
$(FIRMWARE_BINS): $(wildcard firmware/*.inc)
