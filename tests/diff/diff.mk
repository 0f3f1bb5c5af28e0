# tests/diff/diff.mk - the differential tester against the host CPU
# (included by tests/tests.mk).  See docs/testing.md.
#
#   make check-diff        enumerated pass, then DIFF_COUNT (4,000,000) seeded random
#                          cases (half 32-bit, half 16-bit code), every case
#                          on both backends
#   make check-diff-short  enumerated pass (16-bit forms only) + 20,000
#                          random cases: for the sanitizer build
#                          + DIFF_X87_COUNT (500,000) x87 cases (both modes);
#                          check-diff-short runs 5,000 of them
#   make check-diff-x87    the x87 cases alone (difftest --x87, docs/x87.md)
#   make check-diff-simd   DIFF_SIMD_COUNT (400,000) MMX/SSE cases (difftest --simd,
#                          docs/simd.md), also run by check-diff (5,000 in -short);
#                          check-diff-simd-long runs DIFF_SIMD_LONG (10,000,000)
#
# build/tests/diff/native32 is a 32-bit host program (gcc -m32): it is
# built only when configure found a working -m32 (HAVE_M32 := 1).
# DIFF_SEED picks the random cases (the CI default is fixed so runs are
# reproducible); DIFF_COUNT changes their number.

DIFF_DIR    := $(BUILD)/tests/diff
DIFF_BIN    := $(DIFF_DIR)/difftest
DIFF_NATIVE := $(DIFF_DIR)/native32
DIFF_OBJS   := $(DIFF_DIR)/difftest.o $(DIFF_DIR)/gen.o $(DIFF_DIR)/gen_x87.o $(DIFF_DIR)/gen_simd.o
DIFF_SEED   ?= 20240601
DIFF_COUNT  ?= 4000000
DIFF_X87_COUNT ?= 500000
DIFF_SIMD_COUNT ?= 400000
DIFF_SIMD_LONG ?= 10000000
DIFF_HALF   := $(shell echo $$(( $(DIFF_COUNT) / 2 )))

.PHONY: check-diff check-diff-short check-diff-x87 check-diff-simd check-diff-simd-long difftest

ifeq ($(HAVE_M32),1)

difftest: $(DIFF_BIN) $(DIFF_NATIVE)

$(DIFF_OBJS): tests/diff/diffcase.h tests/diff/diffgen.h
# the tx86 headers they include (MachineConfig's layout...): a stale
# difftest.o against a new libtx86.a crashes
-include $(DIFF_OBJS:.o=.d)

$(DIFF_BIN): $(DIFF_OBJS) $(BUILD)/libtx86.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

# never with the sanitizer flags: it runs raw code in its own process
$(DIFF_NATIVE): tests/diff/native32.c tests/diff/diffcase.h
	@mkdir -p $(dir $@)
	$(CC) -m32 -O2 -g -std=gnu11 -Wall -Wextra -fno-pie -no-pie -o $@ $<

check-diff: $(DIFF_BIN) $(DIFF_NATIVE)
	$(DIFF_NATIVE) --selftest >/dev/null
	$(DIFF_BIN) --enumerate
	$(DIFF_BIN) --seed $(DIFF_SEED) --count $(DIFF_HALF) --mode 32
	$(DIFF_BIN) --seed $(DIFF_SEED) --count $(DIFF_HALF) --mode 16
	$(DIFF_BIN) --x87 --seed $(DIFF_SEED) --count $(DIFF_X87_COUNT)
	$(DIFF_BIN) --simd --seed $(DIFF_SEED) --count $(DIFF_SIMD_COUNT)

check-diff-short: $(DIFF_BIN) $(DIFF_NATIVE)
	$(DIFF_NATIVE) --selftest >/dev/null
	$(DIFF_BIN) --enumerate --mode 16
	$(DIFF_BIN) --seed $(DIFF_SEED) --count 20000
	$(DIFF_BIN) --x87 --seed $(DIFF_SEED) --count 5000
	$(DIFF_BIN) --simd --seed $(DIFF_SEED) --count 5000

# x87 cases only (gen_x87.c, docs/x87.md)
check-diff-x87: $(DIFF_BIN) $(DIFF_NATIVE)
	$(DIFF_BIN) --x87 --seed $(DIFF_SEED) --count $(DIFF_X87_COUNT)

# MMX/SSE cases only (gen_simd.c, docs/simd.md); -long: DIFF_SIMD_LONG of them
check-diff-simd: $(DIFF_BIN) $(DIFF_NATIVE)
	$(DIFF_BIN) --simd --seed $(DIFF_SEED) --count $(DIFF_SIMD_COUNT)

check-diff-simd-long: $(DIFF_BIN) $(DIFF_NATIVE)
	$(DIFF_BIN) --simd --seed $(DIFF_SEED) --count $(DIFF_SIMD_LONG)

else

difftest check-diff check-diff-short check-diff-x87 check-diff-simd check-diff-simd-long:
	@echo "$@: skipped (no working gcc -m32 on this host: HAVE_M32 is not 1)"

endif
