#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# stderr is set by bats' run --separate-stderr:
# shellcheck disable=SC2154
# In-guest: apply against the kernel's own fault injection, as the kernel's iommufd_fail_nth
# selftest does it. With IOMMUCTL_FAIL_NTH=N the N-th fault-injection point the kernel passes
# while apply makes its objects fails (/proc/thread-self/fail-nth; failslab and
# fail_page_alloc set to fail sleeping allocations too). For every N until apply passes fewer
# points than N, the run must either absorb the failure or fail with everything it made
# undone; the kernel must not complain (no WARNING, BUG or refcount splat in dmesg), and no
# mock device may be left behind. Then the count of points is what the spec costs in the
# kernel: every one of them was made to fail once.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    [ "$VM_KERNEL_KIND" != stock ] || return 0
    local d=/sys/kernel/debug
    mountpoint -q "$d" || mount -t debugfs debugfs "$d" 2>/dev/null || return 0
    [ -d "$d/failslab" ] || return 0
    # what the kernel's iommufd_fail_nth sets: any allocation may fail, quietly
    FI_SAVED=$BATS_FILE_TMPDIR/fi.saved
    : >"$FI_SAVED"
    local f
    for f in failslab/ignore-gfp-wait fail_page_alloc/ignore-gfp-wait fail_page_alloc/ignore-gfp-highmem \
        failslab/verbose fail_page_alloc/verbose; do
        [ -e "$d/$f" ] || continue
        printf '%s %s\n' "$f" "$(cat "$d/$f")" >>"$FI_SAVED"
    done
    echo N >"$d/failslab/ignore-gfp-wait"
    echo N >"$d/fail_page_alloc/ignore-gfp-wait"
    echo N >"$d/fail_page_alloc/ignore-gfp-highmem"
    echo 0 >"$d/failslab/verbose"
    echo 0 >"$d/fail_page_alloc/verbose"
    export FI_SAVED
}

teardown_file() {
    [ -n "${FI_SAVED:-}" ] && [ -f "$FI_SAVED" ] || return 0
    local f v
    while read -r f v; do echo "$v" >"/sys/kernel/debug/$f"; done <"$FI_SAVED"
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    EX=$(cd "$BATS_TEST_DIRNAME/../../../examples" && pwd)
}

need_fault_injection() {
    # the mock is the same kernel code on every shape: its cost is paid once, on the shape
    # that has the least else to do
    [ "$VM_SHAPE" = none ] || skip "the mock's fault points are the same on every shape: run on 'none'"
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd selftest (CONFIG_IOMMUFD_TEST)"
    [ -e /proc/thread-self/fail-nth ] || fail "the test kernel has no fail-nth (CONFIG_FAULT_INJECTION): harness broken"
    [ -n "${FI_SAVED:-}" ] || fail "no failslab in debugfs (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS): harness broken"
}

# kernel complaints so far (dmesg lines)
splats() { dmesg | grep -cE 'WARNING:|BUG:|refcount_t:|kernel BUG|Oops|leaked' || true; }
# the mock devices there are, into MOCKS, without a fork (the loop below counts some 160 times)
count_mocks() {
    local m=(/sys/bus/iommufd_mock/devices/*)
    MOCKS=${#m[@]}
    [ -e "${m[0]}" ] || MOCKS=0
}

# fail_every_point SPEC MIN: apply SPEC with a failure at each kernel fault point in turn;
# each run absorbs it or fails with everything undone; at least MIN runs failed
fail_every_point() {
    local spec=$1 min=$2
    local n=0 injected=0 failed=0 absorbed=0 splats0 mocks0 limit=2000 last=
    splats0=$(splats)
    count_mocks
    mocks0=$MOCKS
    # the spec is fine without injection (and leaves nothing)
    run "$IOMMUCTL" apply "$spec"
    assert_success
    # Each run is iommuctl's one fork: bats' run, env and a command substitution per turn
    # cost more guest CPU under TCG than the apply itself (1.5 s against 0.3 s a turn).
    local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
    while [ $n -lt $limit ]; do
        n=$((n + 1))
        status=0
        IOMMUCTL_FAIL_NTH=$n "$IOMMUCTL" apply "$spec" >"$out" 2>"$err" || status=$?
        IFS= read -r -d '' output <"$out" || true
        IFS= read -r -d '' stderr <"$err" || true
        if [[ $stderr == *"IOMMUCTL_FAIL_NTH=$n: no failure injected"* ]]; then
            # past the last fault point: the same run as without injection
            [ "$status" -eq 0 ] || fail "n=$n: no failure injected, yet exit $status: $stderr"
            last=$n
            break
        fi
        [[ $stderr == *"IOMMUCTL_FAIL_NTH=$n: the failure was injected"* ]] ||
            fail "n=$n: the run does not say whether the failure was injected: $stderr"
        injected=$((injected + 1))
        if [ "$status" -eq 0 ]; then
            # the kernel absorbed it (a retried fault, an optional allocation): all made, all undone
            absorbed=$((absorbed + 1))
            [[ $output == *"Result: applied, and undone now"* ]] || fail "n=$n: exit 0 without the result line: $output"
        else
            failed=$((failed + 1))
            [ "$status" -eq 1 ] || [ "$status" -eq 3 ] || fail "n=$n: exit $status: $stderr"
            [[ $output == *"Result: failed; everything made was undone"* ]] ||
                fail "n=$n: exit $status without the undo: $output $stderr"
            [[ $stderr != *"UNDO FAILED"* ]] || fail "n=$n: the undo failed: $stderr"
        fi
        count_mocks
        [ "$MOCKS" = "$mocks0" ] || fail "n=$n: mock devices left behind: $MOCKS, were $mocks0"
    done
    echo "# ${spec##*/}: $injected fault points, $failed failed the apply (undone), $absorbed absorbed; none left at n=$last" >&3
    [ -n "$last" ] || fail "still injecting at n=$limit: raise the limit"
    # the ioctls allocate: a spec of this size cannot pass the kernel without many points
    [ "$failed" -ge "$min" ] || fail "only $failed injected failures reached apply: injection is not working"
    assert_equal "$(splats)" "$splats0"
}

@test "fail-nth: apply of the mock example, failed at each kernel fault point in turn, undoes everything" {
    need_fault_injection
    fail_every_point "$EX/selftest-mock.yaml" 20
}

@test "fail-nth: apply of the replace example (device and PASID moved to other HWPTs), failed at each point, undoes everything" {
    need_fault_injection
    # undone after a replace too: the device and its PASID were on the replacing HWPTs
    fail_every_point "$EX/selftest-replace.yaml" 20
}

@test "fail-nth: a bad count is refused before anything is made, and needs the live kernel" {
    need_fault_injection
    run --separate-stderr env IOMMUCTL_FAIL_NTH=0x10 "$IOMMUCTL" apply "$EX/selftest-mock.yaml"
    assert_equal "$status" 2
    [[ $stderr == *"IOMMUCTL_FAIL_NTH='0x10' is not a count from 1 to 100000"* ]] || fail "$stderr"
    # a dry run makes nothing, so nothing is injected
    run --separate-stderr env IOMMUCTL_FAIL_NTH=1 "$IOMMUCTL" apply --dry-run "$EX/selftest-mock.yaml"
    assert_success
    [[ $stderr != *IOMMUCTL_FAIL_NTH* ]] || fail "a dry run armed fail-nth: $stderr"
}
