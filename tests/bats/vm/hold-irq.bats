#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# K_* are read by the helpers:
# shellcheck disable=SC2034,SC2153
# In-guest: claim --hold where the kernel has no interrupt remapping: iommufd refuses to bind
# the device unless iommufd.allow_unsafe_interrupts is set, and iommuctl must say so and give
# the group back. On amd only (QEMU's amd-iommu on q35: the kernel turns AMD-Vi interrupt
# remapping off, "No southbridge IOAPIC found"); the holds themselves, which do not depend on
# the IOMMU type, are in hold.bats (tests/vm/run-vm, SUITE_SHAPES).

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    shape_has_iommu || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    MULTI=$(multi_group) || MULTI=
    export EDU MULTI
    export IOMMUCTL_STATE_DIR=$BATS_FILE_TMPDIR/state
    unsafe_irqs_allow
}

teardown_file() {
    unsafe_irqs_restore
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
    G=$(sys_dev_group "$EDU")
    BEFORE=$(snapshot "$EDU")
}

teardown() {
    [ -n "${EDU:-}" ] || return 0 # skipped before setup loaded the helpers: nothing to undo
    own_reset
}

# bats test_tags=vm:only,vm:amd
@test "amd without interrupt remapping: --hold is refused with exit 5, says why, and gives the group back" {
    [ "$VM_SHAPE" = amd ] || skip "only the amd shape lacks interrupt remapping"
    echo N >"$UNSAFE_IRQS"
    run iommuctl claim "$EDU" --hold
    echo Y >"$UNSAFE_IRQS"
    assert_failure 5
    assert_output --partial "VFIO_DEVICE_BIND_IOMMUFD on $EDU"
    assert_output --partial "iommufd.allow_unsafe_interrupts=1"
    assert_output --partial "Hold of group $G ended: holding failed"
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}
