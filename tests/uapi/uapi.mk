# SPDX-License-Identifier: GPL-2.0-or-later
# The iommufd uAPI tests, included by the top-level Makefile.
#
#   make                  also builds $(BUILD)/tests/ioas-smoke, fd-user, session-tree, iofd
#                         and smmu-nest (the in-guest suites run them)
#   make check-uapi       checks src/lib/uapi/*.h against the kernel's own headers, taken
#                         from the cached linux-source .deb (tests/uapi/check-uapi)

# (filter-out takes one % per pattern, so the directories are spelled out)
UAPI_LIB_OBJS = $(filter-out $(BUILD)/obj/src/cli/% $(BUILD)/obj/src/cmds/%,$(OBJS))

.PHONY: check-uapi

all: $(BUILD)/tests/ioas-smoke $(BUILD)/tests/fd-user $(BUILD)/tests/session-tree \
	$(BUILD)/tests/iofd $(BUILD)/tests/smmu-nest

$(BUILD)/tests/ioas-smoke: $(BUILD)/obj/tests/uapi/ioas-smoke.o $(UAPI_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/fd-user: $(BUILD)/obj/tests/uapi/fd-user.o $(UAPI_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/session-tree: $(BUILD)/obj/tests/uapi/session-tree.o $(UAPI_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# iofd asks the kernel with raw ioctls: no library objects.
$(BUILD)/tests/iofd: $(BUILD)/obj/tests/uapi/iofd.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/smmu-nest: $(BUILD)/obj/tests/uapi/smmu-nest.o $(UAPI_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/tests/uapi/%.o: tests/uapi/%.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/lib -c -o $@ $<

-include $(BUILD)/obj/tests/uapi/ioas-smoke.d $(BUILD)/obj/tests/uapi/fd-user.d \
	$(BUILD)/obj/tests/uapi/session-tree.d $(BUILD)/obj/tests/uapi/iofd.d \
	$(BUILD)/obj/tests/uapi/smmu-nest.d

check-uapi:
	CC="$(CC)" tests/uapi/check-uapi $(BUILD)/tests/uapi

# ptlive-hold: the holder of tests/bats/vm/ptlive.bats (the page-table oracles)
all: $(BUILD)/tests/ptlive-hold
$(BUILD)/tests/ptlive-hold: $(BUILD)/obj/tests/uapi/ptlive-hold.o $(UAPI_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
-include $(BUILD)/obj/tests/uapi/ptlive-hold.d

# edu-dma: run under `iommuctl apply -- ...` by tests/bats/vm/apply-dma.bats (raw ioctls)
all: $(BUILD)/tests/edu-dma
$(BUILD)/tests/edu-dma: $(BUILD)/obj/tests/uapi/edu-dma.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^
-include $(BUILD)/obj/tests/uapi/edu-dma.d
