#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench-map: run bench/map-bench.c in a guest of the test kernel (iommufd and its
# selftest mock; this machine has no /dev/iommu) and leave its table in VM_OUT for
# bench/map-report, which prints it and checks the goal. A benchmark, not a test: it only
# fails when the program cannot run.

setup() {
    load "$BATS_TEST_DIRNAME/../tests/vm/bats-helpers"
    vm_require_guest
}

@test "map-bench: iommuctl's session and apply against the bare ioctls, 4 KiB to 1 GiB" {
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd selftest"
    local prog=${IOMMUCTL%/*}/tests/map-bench max=$((1 << 30))
    [ -x "$prog" ] || fail "no $prog: run make"
    # 1 GiB pinned needs the memory: the runner boots the guest with VM_MEM
    [ "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)" -gt $((1536 * 1024)) ] || max=$((1 << 28))
    run "$prog" "${BENCH_REPS:-15}" "$max"
    echo "$output" | sed 's/^/# /' >&3
    assert_success
    [ -z "${VM_OUT:-}" ] || printf '# clock: %s\n%s\n' "${VM_CLOCK:-real}" "$output" >"$VM_OUT/map-bench.txt"
}
