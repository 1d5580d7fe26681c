#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: bind the edu device to vfio-pci the way a user does (driver_override +
# drivers_probe) and check what iommuctl reports against sysfs. Every shape with an IOMMU.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    shape_has_iommu || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU
    # The binding is done once for the file; the tests check what it led to.
    sys_bind_vfio "$EDU"
}

teardown_file() {
    [ -n "${EDU:-}" ] || return 0
    sys_unbind_vfio "$EDU"
}

setup() {
    [ "${VM_SHAPE:-}" != none ] ||
        skip "shape 'none' has no IOMMU: vfio-pci cannot take a device without an IOMMU group"
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
}

@test "vfio-pci took the edu device (kernel view)" {
    assert_equal "$(sys_dev_driver "$EDU")" vfio-pci
    assert_equal "$(cat "/sys/bus/pci/devices/$EDU/driver_override")" vfio-pci
}

@test "devices --json reports driver vfio-pci and the driver_override" {
    json_ok devices
    assert_equal "$(jqt --arg d "$EDU" '.devices[] | select(.device == $d) | "\(.driver) \(.driver_override)"')" "vfio-pci vfio-pci"
}

@test "devices --json reports vfio_dev as listed in /sys/bus/pci/devices/BDF/vfio-dev" {
    local want=null
    [ -d "/sys/bus/pci/devices/$EDU/vfio-dev" ] && want=$(ls "/sys/bus/pci/devices/$EDU/vfio-dev")
    [ "$want" != null ] || fail "vfio-pci bound edu but made no vfio-dev entry"
    if [ "$VM_KERNEL_KIND" != stock ]; then
        # the test kernel has vfio device cdevs (CONFIG_VFIO_DEVICE_CDEV); Debian's 6.12
        # registers vfio-dev/vfioN in sysfs too, but without iommufd it has no cdev node
        [ -c "/dev/vfio/devices/$want" ] || fail "no /dev/vfio/devices/$want"
    fi
    json_ok devices
    assert_equal "$(jqt --arg d "$EDU" '.devices[] | select(.device == $d) | .vfio_dev')" "$want"
}

@test "show DEVICE of the bound edu device agrees" {
    local g
    g=$(sys_dev_group "$EDU")
    [ -n "$g" ] || fail "edu has no iommu_group even with vfio-pci bound"
    json_ok show "$EDU"
    assert_equal "$(jqt '.device | "\(.driver) \(.group) \(.iommu)"')" "vfio-pci $g $(sys_dev_iommu "$EDU")"
}

@test "the edu group stays viable with vfio-pci bound, and the legacy group node exists" {
    local g
    g=$(sys_dev_group "$EDU")
    json_ok groups
    assert_equal "$(jqt --argjson g "$g" '.groups[] | select(.group == $g) | "\(.viable) \(.blockers | length)"')" "true 0"
    # vfio's group interface (legacy container or iommufd compat) names the same group
    [ -c "/dev/vfio/$g" ] || fail "no /dev/vfio/$g for group $g"
}
