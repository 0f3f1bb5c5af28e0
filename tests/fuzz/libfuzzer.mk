# tests/fuzz/libfuzzer.mk - coverage-guided fuzzing with clang's libFuzzer
# (included by tests/fuzz/fuzz.mk; docs/testing.md, "Fuzzing").
#
#   make fuzz-build                 build every harness
#   make fuzz-smoke                 each harness: its seed corpus plus a fixed
#                                   number of runs (CI, under ASan + UBSan)
#   make fuzz FUZZ_SECONDS=N [FUZZ_TARGETS="loader trace"]
#                                   long runs; new inputs go to
#                                   build/fuzz/corpus-NAME/, never the tree
#
# A harness is tests/fuzz/harness/fuzz_NAME.c defining
# LLVMFuzzerTestOneInput (found by wildcard); its seeds are in
# tests/fuzz/corpus/NAME/, an optional dictionary in tests/fuzz/dict/NAME.dict,
# extra libFuzzer flags on a "FUZZ-ARGS:" line of the source.  The whole
# tx86 library is built again with FUZZ_CC (configure: clang-14) into
# build/fuzz/, instrumented for coverage, ASan and UBSan.

FUZZ_DIR      := $(BUILD)/fuzz
FUZZ_HARNESS  := $(sort $(wildcard tests/fuzz/harness/fuzz_*.c))
FUZZ_NAMES    := $(patsubst tests/fuzz/harness/fuzz_%.c,%,$(FUZZ_HARNESS))
FUZZ_BINS     := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_NAMES))
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_DIR)/%.o,$(LIB_SRCS))
FUZZ_LIB      := $(FUZZ_DIR)/libtx86.a
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
	-Wall -Wno-unused-parameter -Wno-missing-field-initializers \
	-I. -Isrc $(PKG_CFLAGS)
FUZZ_SECONDS  ?= 60
FUZZ_TARGETS  ?= $(FUZZ_NAMES)
FUZZ_SMOKE_RUNS ?= 2000

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-check-cc

fuzz-check-cc:
	@if [ -z "$(FUZZ_CC)" ]; then \
	    echo "fuzz: no clang with libFuzzer (FUZZ_CC is empty): install clang-14 and"; \
	    echo "      libclang-rt-14-dev (scripts/setup-debian.sh), then ./configure"; \
	    exit 1; fi

# the library: sources compiled with coverage hooks but no main
$(FUZZ_DIR)/%.o: %.c config.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# a harness: libFuzzer supplies main()
$(FUZZ_DIR)/fuzz_%: tests/fuzz/harness/fuzz_%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE -fsanitize=fuzzer -MMD -MP -MF $@.d -o $@ $< $(FUZZ_LIB) \
		$(PKG_LIBS) -lm

fuzz-build: fuzz-check-cc
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

fuzz-smoke: fuzz-build
	sh tests/fuzz/run-libfuzzer.sh smoke $(FUZZ_DIR) $(FUZZ_SMOKE_RUNS) $(FUZZ_NAMES)

fuzz: fuzz-build
	sh tests/fuzz/run-libfuzzer.sh long $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BINS:=.d)
