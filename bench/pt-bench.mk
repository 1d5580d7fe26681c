# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench-pt`: the page-table benchmarks (bench/pt-bench).  The bench issue's `make bench`
# will take this in.
BENCH_PT := $(BUILD)/bench/pt-bench

.PHONY: bench-pt

$(BENCH_PT): bench/pt-bench.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/lib $(LDFLAGS) -o $@ $^ $(LIBS)

bench-pt: all $(BENCH_PT)
	bench/pt-bench $(BENCH_PT_GIB)
