# SPDX-License-Identifier: GPL-2.0-or-later
# C unit tests of the library (tests/unit/README.md), included by the top-level Makefile.
#
#   make unit-tests       builds build/tests/unit/test-* and build/asan/tests/unit/test-*
#                         (make check builds and runs them, on both builds, through
#                         tests/run-tests)
#
# Each tests/unit/test-NAME.c is one TAP program linked against the library and vendor
# objects (not the CLI).

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
UNIT_ASAN_BINS := $(UNIT_SRCS:tests/unit/%.c=$(ASAN_BUILD)/tests/unit/%)
LIB_OBJS = $(filter $(BUILD)/obj/src/lib/% $(BUILD)/obj/src/vendors/%,$(OBJS))
LIB_ASAN_OBJS = $(filter $(ASAN_BUILD)/obj/src/lib/% $(ASAN_BUILD)/obj/src/vendors/%,$(ASAN_OBJS))

.PHONY: unit-tests

# Their objects are kept: as intermediate files make would delete them at its end, and
# print that "rm" after make check's summary line, which must be the last.
.SECONDARY: $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.o) \
	$(UNIT_SRCS:tests/unit/%.c=$(ASAN_BUILD)/obj/tests/unit/%.o)

unit-tests: $(UNIT_BINS) $(UNIT_ASAN_BINS)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(ASAN_BUILD)/tests/unit/%: $(ASAN_BUILD)/obj/tests/unit/%.o $(LIB_ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/tests/unit/%.o: tests/unit/%.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/lib -c -o $@ $<

$(ASAN_BUILD)/obj/tests/unit/%.o: tests/unit/%.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -Isrc/lib -c -o $@ $<

# A CLI module that stands alone (libc only) is tested the same way, linked in by name.
$(BUILD)/tests/unit/test-exec: $(BUILD)/obj/src/cli/exec.o $(BUILD)/obj/src/cli/error.o \
	$(BUILD)/obj/src/cli/escape.o
$(ASAN_BUILD)/tests/unit/test-exec: $(ASAN_BUILD)/obj/src/cli/exec.o \
	$(ASAN_BUILD)/obj/src/cli/error.o $(ASAN_BUILD)/obj/src/cli/escape.o

$(BUILD)/tests/unit/test-escape: $(BUILD)/obj/src/cli/escape.o
$(ASAN_BUILD)/tests/unit/test-escape: $(ASAN_BUILD)/obj/src/cli/escape.o

-include $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d) \
	$(UNIT_SRCS:tests/unit/%.c=$(ASAN_BUILD)/obj/tests/unit/%.d)

# The CLI's output layer is tested with the objects it is made of.
CLI_OUT = src/cli/output.o src/cli/error.o src/cli/present.o src/cli/escape.o
$(BUILD)/tests/unit/test-output: $(addprefix $(BUILD)/obj/,$(CLI_OUT))
$(ASAN_BUILD)/tests/unit/test-output: $(addprefix $(ASAN_BUILD)/obj/,$(CLI_OUT))
