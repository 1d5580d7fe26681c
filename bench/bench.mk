# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks (bench/README.md), included by the top-level Makefile.
#
#   make bench      builds the bench tools and runs bench/run: `groups --json` on
#                   generated trees against plain C, lspci and the wiki loop
#
# The tools: gen-tree (writes a tree), bare-groups (the plain C floor), lib-groups
# (the library calls alone, linked against the library objects), timeit.

BENCH_BUILD := $(BUILD)/bench
BENCH_TOOLS := $(BENCH_BUILD)/gen-tree $(BENCH_BUILD)/bare-groups $(BENCH_BUILD)/timeit \
	$(BENCH_BUILD)/lib-groups

.PHONY: bench bench-tools

bench: $(BUILD)/iommuctl bench-tools
	@IOMMUCTL=$(IOMMUCTL) BENCH_BIN=$(abspath $(BENCH_BUILD)) bench/run

bench-tools: $(BENCH_TOOLS)

$(BENCH_BUILD)/gen-tree: $(BUILD)/obj/bench/gen-tree.o $(BUILD)/obj/bench/sysfs-tree.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

$(BENCH_BUILD)/bare-groups $(BENCH_BUILD)/timeit: $(BENCH_BUILD)/%: $(BUILD)/obj/bench/%.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

$(BENCH_BUILD)/lib-groups: $(BUILD)/obj/bench/lib-groups.o $(filter $(BUILD)/obj/src/lib/% \
		$(BUILD)/obj/src/vendors/%,$(OBJS))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/bench/%.o: bench/%.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/lib -c -o $@ $<

-include $(wildcard $(BUILD)/obj/bench/*.d)

# The unit tests that build test trees link the tree writer (tests/unit/tree.h).
TREE_TESTS := test-lookups test-enum
$(TREE_TESTS:%=$(BUILD)/tests/unit/%): $(BUILD)/obj/bench/sysfs-tree.o
$(TREE_TESTS:%=$(ASAN_BUILD)/tests/unit/%): $(ASAN_BUILD)/obj/bench/sysfs-tree.o

# bench-map: iommufd map/unmap and apply against the bare ioctls (bench/map-bench.c), in a
# guest of the test kernel (the VM harness, shape none, 3 GiB for the 1 GiB mapping)
# map-bench is put next to the in-guest test programs (build/tests/), which the VM harness
# takes into the guest; `make all` does not build it.
.PHONY: bench-map
$(BUILD)/tests/map-bench: $(BUILD)/obj/bench/map-bench.o $(filter-out $(BUILD)/obj/src/cli/% \
		$(BUILD)/obj/src/cmds/%,$(OBJS))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# Under TCG the guest's clock counts instructions (VM_ICOUNT, one vCPU; MAP_ICOUNT=0: QEMU's
# own time, which charges user code after system calls far more than its work: bench/README.md).
MAP_ICOUNT ?= 1
bench-map: all $(BUILD)/tests/map-bench
	IOMMUCTL=$(abspath $(IOMMUCTL)) VM_OUT=$(abspath $(BUILD))/vm-bench VM_SHAPES=none \
		VM_SUITES=bench/vm-map.bats VM_MEM=3G VM_JOBS=1 VM_SMP=1 VM_ICOUNT=$(MAP_ICOUNT) \
		tests/vm/run-suites
	bench/map-report $(abspath $(BUILD))/vm-bench/none/map-bench.txt
