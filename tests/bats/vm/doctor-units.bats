#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: the checks of `iommuctl doctor` that depend on the IOMMU type and its firmware
# table, not on kernel parameters (the ACPI table, the IOMMU driver and its units, the
# allow_unsafe_interrupts parameters): run on one shape per IOMMU type, without one, and on
# Debian's kernel (tests/vm/run-vm, SUITE_SHAPES). The verdicts are in doctor.bats.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    doctor_setup_file
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    doctor_setup
}

@test "doctor: the firmware table is the one QEMU gave this shape" {
    local want
    require_x86 "DMAR/IVRS/VIOT are ACPI tables; the arm64 shapes boot with a device tree"
    case $VM_SHAPE in
    intel | intel-sm | stock | intel-intremap-off | intel-pt) want=DMAR ;;
    amd) want=IVRS ;;
    virtio) want=VIOT ;;
    none) want="" ;;
    esac
    [ -e "/sys/firmware/acpi/tables/${want:-DMAR}" ] || [ -z "$want" ] ||
        fail "the guest has no $want table: a harness problem"
    IFS=$'\t' read -r st found fix <<<"$(check acpi-tables)"
    if [ -z "$want" ]; then
        assert_equal "$st" fail
        [[ $fix == *"virtual IOMMU"* ]] || fail "fix: $fix"
    else
        assert_equal "$st" ok
        [[ $found == *"$want"* ]] || fail "found: $found"
    fi
}

@test "doctor: the IOMMU driver is active exactly when the kernel has units with groups" {
    local i st found fix
    IFS=$'\t' read -r st found fix <<<"$(check iommu)"
    if [ -n "$(sys_hw_iommus)" ] && [ ${#K_GROUPS[@]} -gt 0 ]; then
        assert_equal "$st" ok
        for i in $(sys_hw_iommus); do
            [[ $found == *"$i"* ]] || fail "$i is not named: $found"
        done
        [[ $found == *"${#K_GROUPS[@]} IOMMU group"* ]] || fail "group count: $found"
    else
        assert_equal "$st" fail
        # no IOMMU: the fix names the firmware side (a VM: a virtual IOMMU) and the command line
        [[ $fix == *"intel_iommu=on"* ]] || fail "fix lacks the command line: $fix"
        [[ $fix == *"virtual IOMMU"* || $fix == *"firmware"* ]] || fail "fix lacks the firmware side: $fix"
    fi
}

# the value of MODULE's allow_unsafe_interrupts in sysfs, or a pattern for "no value there"
unsafe_want() {
    local f=/sys/module/$1/parameters/allow_unsafe_interrupts v
    if [ -r "$f" ]; then read -r v <"$f" && echo "$v"; else echo "(not loaded|no such module|[YN] \(on the command line; not loaded\))"; fi
}

@test "doctor: allow_unsafe_interrupts as /sys/module shows it" {
    local st found fix re
    IFS=$'\t' read -r st found fix <<<"$(check unsafe-interrupts)"
    re="^vfio_iommu_type1: $(unsafe_want vfio_iommu_type1), iommufd: $(unsafe_want iommufd);"
    [[ $found =~ $re ]] || fail "found: $found (want $re)"
    # a module the kernel does not have: no value from the command line is taken for it
    if [ ! -d /sys/module/vfio_iommu_type1 ] && ! lsmod 2>/dev/null | grep -q .; then
        [[ $found == "vfio_iommu_type1: no such module,"* ]] || fail "found: $found"
    fi
    if unsafe_set; then assert_equal "$st" warn; else assert_equal "$st" ok; fi
}
