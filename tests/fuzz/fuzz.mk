# tests/fuzz/fuzz.mk - fuzzing (included by tests/tests.mk): the random-
# guest-code robustness test (check-fuzz: 150 seeds; check-fuzz-short: 25
# seeds, for the sanitizer build) and libFuzzer harnesses (libfuzzer.mk).

FUZZROM := $(BUILD)/tests/fuzz/fuzzrom
PMSTUB  := $(BUILD)/tests/fuzz/pmstub.bin

.PHONY: check-fuzz check-fuzz-short

$(FUZZROM): tests/fuzz/fuzzrom.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -o $@ $<

$(PMSTUB): tests/fuzz/pmstub.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -o $@ $<

check-fuzz: tx86 $(FUZZROM) $(PMSTUB)
	sh tests/fuzz/run-fuzz.sh ./tx86 $(FUZZROM) $(PMSTUB) "$(GUEST_BACKENDS)" 1 150

check-fuzz-short: tx86 $(FUZZROM) $(PMSTUB)
	sh tests/fuzz/run-fuzz.sh ./tx86 $(FUZZROM) $(PMSTUB) "$(GUEST_BACKENDS)" 1 25

# coverage-guided fuzzing with libFuzzer (make fuzz-smoke, make fuzz)
include tests/fuzz/libfuzzer.mk
