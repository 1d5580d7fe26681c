# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer harnesses of iommuctl's parsers (tests/fuzz/README.md), included by the
# top-level Makefile.
#
#   make fuzz FUZZ_SECONDS=N   build every tests/fuzz/fuzz-NAME.c and run it N seconds (60 by
#                              default) from its seed corpus tests/fuzz/corpus/NAME/; what it
#                              finds new goes to $(BUILD)/fuzz/corpus/NAME/, crashes to
#                              $(BUILD)/fuzz/crash-NAME-*
#   make fuzz FUZZ="pt-image spec"   only those harnesses (make fuzz-pt: the page-table ones)
#   make fuzz-build            build them only (make check does, and replays the corpora)
#
# Each harness is linked with the library and vendor objects compiled again by clang with
# -fsanitize=fuzzer-no-link,address,undefined.  Without clang there is nothing to build:
# make check then reports the fuzz tests as skipped, saying why.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ ?= $(FUZZ_SRCS:tests/fuzz/fuzz-%.c=%)
FUZZ_LIB_SRCS := $(wildcard src/lib/*.c src/vendors/*.c)
FUZZ_LIB_OBJS := $(FUZZ_LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# clang -Wformat=2 also warns of vsnprintf in helpers gcc accepts (ctx.c): not ours to change here.
FUZZ_CFLAGS = -std=gnu11 $(WARN) -Wno-format-nonliteral -O1 -g $(PKG_CFLAGS) -DICTL_VERSION='"$(VERSION)"' -MMD -MP \
	$(FUZZ_SAN)

.PHONY: fuzz fuzz-build fuzz-bins fuzz-pt

# Whether clang is there is asked when the target runs, not when make reads this file:
# `make deps check` installs it first.
fuzz-build: | $(DEPS_FIRST)
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then $(MAKE) --no-print-directory fuzz-bins; \
	else echo "fuzz-build: $(FUZZ_CC) is not installed: no fuzz harness built (make deps installs it)"; fi

fuzz-bins: $(FUZZ_BINS)

$(FUZZ_DIR)/fuzz-%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz-%.o $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(FUZZ_DIR)/obj/tests/fuzz/%.o: tests/fuzz/%.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Isrc/lib -c -o $@ $<

$(FUZZ_DIR)/obj/%.o: %.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/obj/tests/fuzz/%.d)

# Made through the pattern rules above, the objects would be intermediate files that make
# deletes after linking, and compiles again on every run: keep them.
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/obj/tests/fuzz/%.o)

fuzz: fuzz-bins
	@set -e; for n in $(FUZZ); do \
		b=$(FUZZ_DIR)/fuzz-$$n; [ -x $$b ] || { echo "fuzz: no harness tests/fuzz/fuzz-$$n.c" >&2; exit 2; }; \
		mkdir -p $(FUZZ_DIR)/corpus/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
		$$b -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$n- \
			$$( [ -f tests/fuzz/$$n.dict ] && echo -dict=tests/fuzz/$$n.dict ) \
			$(FUZZ_DIR)/corpus/$$n tests/fuzz/corpus/$$n; \
	done

fuzz-pt:
	@$(MAKE) --no-print-directory fuzz FUZZ="$(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-pt-*.c))"
