#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: the kernel's own iommufd selftest (tools/testing/selftests/iommu/iommufd, built
# static from the same tree as the guest kernel by tests/vm/build-kernel). A suite we did not
# write: if the harness (kernel config, guest userland, QEMU setup) is broken, this fails.
# It takes a while under TCG, so it runs on one shape per architecture only.

SELFTEST_SHAPES="intel smmuv3"

setup() {
    [ -z "${VM_SHAPE:-}" ] || [[ " $SELFTEST_SHAPES " == *" $VM_SHAPE "* ]] ||
        skip "the kernel selftest runs on the shapes $SELFTEST_SHAPES only"
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    if [ -z "${VM_SELFTESTS:-}" ] || [ ! -x "$VM_SELFTESTS/iommufd" ]; then
        fail "no iommufd selftest binary in '${VM_SELFTESTS:-}': the kernel build did not install it"
    fi
}

@test "kernel selftest iommufd passes (Totals line shows 0 failures)" {
    [ -c /dev/iommu ] || fail "no /dev/iommu: the guest kernel lacks iommufd"
    # the MAP_HUGETLB variants need reserved huge pages
    echo 64 >/proc/sys/vm/nr_hugepages
    local log=$BATS_FILE_TMPDIR/iommufd.log rc=0 t0=$SECONDS
    (cd "$BATS_FILE_TMPDIR" && timeout 900 "$VM_SELFTESTS/iommufd") >"$log" 2>&1 || rc=$?
    echo "# iommufd selftest: rc=$rc in $((SECONDS - t0))s" >&3
    [ -n "${VM_OUT:-}" ] && cp "$log" "$VM_OUT/selftest-iommufd.log"
    run grep '^# Totals' "$log"
    assert_success
    echo "# $output" >&3
    assert_output --regexp 'pass:[1-9][0-9]* fail:0 '
    assert_equal "$rc" 0
}
