# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer harnesses of the page-table parsers (tests/fuzz/README.md), included by the
# top-level Makefile.  The fuzz issue unifies these with the others under `make fuzz`.
#
#   make fuzz-pt                 builds build/fuzz/fuzz-pt-* with clang and runs each one
#                                for FUZZ_TIME seconds (default 60) on its corpus
#   make fuzz-pt FUZZ_TIME=3600  a long run

FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1
FUZZ_PT := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tests/fuzz/fuzz-pt-*.c))
FUZZ_LIB_SRCS := $(wildcard src/lib/*.c src/vendors/*.c)
FUZZ_HDRS := $(wildcard src/lib/*.h src/lib/uapi/*.h src/vendors/*.h)

.PHONY: fuzz-pt fuzz-pt-build

fuzz-pt-build: $(FUZZ_PT)

$(FUZZ_BUILD)/fuzz-pt-%: tests/fuzz/fuzz-pt-%.c $(FUZZ_LIB_SRCS) $(FUZZ_HDRS) | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 $(PKG_CFLAGS) $(FUZZ_FLAGS) -Isrc/lib -o $@ $< $(FUZZ_LIB_SRCS) $(LIBS)

fuzz-pt: fuzz-pt-build
	@for f in $(FUZZ_PT); do \
		n=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
		echo "$$n: $(FUZZ_TIME) s on tests/fuzz/corpus/$$n"; \
		$$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			$(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n 2>&1 | \
			grep -E '^stat::number_of_executed_units|ERROR|SUMMARY' || exit 1; \
	done
