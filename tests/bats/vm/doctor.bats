#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: `iommuctl doctor` on every VM shape, each with its own verdict, and each check
# against the guest kernel's own view: the kernel log's interrupt-remapping and default
# domain lines, /proc/cmdline, /sys, /dev, lsmod, and the limits of the shell that runs it.
#
#   intel, intel-sm, intel-pt   ready (0); intel-pt with identity default domains
#   virtio                      warnings (8): no interrupt remapping, allowed unsafely
#   stock                       warnings (8): no iommufd, legacy VFIO only
#   none                        not ready (1): no IOMMU; the fix names firmware and cmdline
#   intel-intremap-off          not ready (1): interrupt remapping off, VFIO refuses devices
#   amd                         not ready (1): the kernel turns AMD-Vi interrupt remapping off,
#                               as QEMU's IVRS names no southbridge IOAPIC (dmesg: "No
#                               southbridge IOAPIC found"; hold.bats and iommufd.bats rely on it)
#
# This file has the checks that differ between shapes that differ only in a kernel parameter
# (the verdict, interrupt remapping, the command line, the default domains): it runs on every
# shape. What differs only with the IOMMU type is in doctor-units.bats, what differs only with
# the kernel (modules, /dev nodes, the device check, memory limits) in doctor-vfio.bats; the
# helpers (one doctor run per file, its checks as a table) are in bats-helpers.bash.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    doctor_setup_file
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    doctor_setup
}

@test "doctor: the verdict of this shape, and its exit status" {
    local want verdict rc
    case $VM_SHAPE in
    intel | intel-sm | intel-pt) want=ready ;;
    virtio | stock) want=warnings ;;
    none | intel-intremap-off | amd) want=not-ready ;;
    *) skip "no verdict defined for shape '$VM_SHAPE'" ;;
    esac
    verdict=$VERDICT
    rc=$DOCTOR_RC
    if [ "$verdict" != "$want" ]; then
        jqt '.doctor.checks[] | select(.status == "fail" or .status == "warn") | "\(.id): \(.status): \(.found)"' >&2
    fi
    assert_equal "$verdict" "$want"
    case $want in
    ready) assert_equal "$rc" 0 ;;
    warnings) assert_equal "$rc" 8 ;;
    not-ready) assert_equal "$rc" 1 ;;
    esac
    assert_equal "$DOCTOR_ERR" ""
}

# bats test_tags=vm:iommu
@test "doctor: interrupt remapping as the kernel log says, allowed unsafely or refused" {
    local st found fix
    skip_without_iommu
    require_x86 "on arm64 the GIC's ITS isolates MSIs, not interrupt remapping"
    IFS=$'\t' read -r st found fix <<<"$(check interrupt-remapping)"
    if kernel_ir_on; then
        assert_equal "$st" ok
        [[ $found == "on: "* ]] || fail "found: $found"
        grep -q ' IR-' /proc/interrupts || fail "the kernel log says on, /proc/interrupts has no IR- chip"
    else
        grep -q ' IR-' /proc/interrupts && fail "no remapping in the kernel log, yet IR- chips"
        [[ $found == "off: "* ]] || fail "found: $found"
        if unsafe_set; then assert_equal "$st" warn; else assert_equal "$st" fail; fi
        if has_param intremap=off; then
            [[ $fix == *"remove intremap=off"* ]] || fail "fix: $fix"
        fi
        if [ "$VM_SHAPE" = virtio ]; then
            [[ $fix == *"virtio-iommu does not remap"* ]] || fail "fix: $fix"
        fi
        if grep -q 'AMD-Vi: \[Firmware Bug\]: : No southbridge IOAPIC found' "$DMESG"; then
            [[ $fix == *"No southbridge IOAPIC found"* ]] || fail "fix: $fix"
        fi
    fi
}

@test "doctor: the command line check lists what /proc/cmdline has" {
    local p st found fix
    IFS=$'\t' read -r st found fix <<<"$(check cmdline)"
    for p in $CMDLINE; do
        case ${p%%=*} in
        intel_iommu | iommu | intremap | iommufd.allow_unsafe_interrupts | vfio_iommu_type1.allow_unsafe_interrupts)
            [[ " ${found%%;*} " == *" $p "* ]] || fail "$p not listed: $found" ;;
        esac
    done
    if has_param intremap=off; then assert_equal "$st" fail; else assert_equal "$st" ok; fi
}

# bats test_tags=vm:iommu
@test "doctor: the default domain types are the groups' type files" {
    local g t want="" st found fix
    skip_without_iommu
    declare -A n=()
    for g in "${K_GROUPS[@]}"; do
        read -r t <"/sys/kernel/iommu_groups/$g/type"
        n[$t]=$((${n[$t]:-0} + 1))
    done
    for t in DMA-FQ DMA identity; do
        [ -n "${n[$t]:-}" ] && want+="${want:+, }$t ${n[$t]}"
    done
    IFS=$'\t' read -r st found fix <<<"$(check default-domain)"
    assert_equal "$st" ok
    assert_equal "${found%%;*}" "$want"
    if has_param iommu=pt; then
        grep -q 'iommu: Default domain type: Passthrough (set via kernel command line)' "$DMESG" ||
            fail "iommu=pt, but the kernel log does not say passthrough"
        [[ $found == *"identity: DMA of host drivers in those groups is not translated (iommu=pt)"* ]] ||
            fail "found: $found"
    fi
}
