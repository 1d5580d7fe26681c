#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: `iommuctl devices` against /sys/bus/pci/devices and lspci, on every VM shape.

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
}

@test "devices --json lists exactly the PCI devices in /sys/bus/pci/devices" {
    json_ok devices
    assert_equal "$(jqt '.devices[] | select(.bus == "pci") | .device' | sort)" "$(sys_pci_devices)"
}

@test "group, iommu and driver of every device equal its sysfs links" {
    json_ok devices
    local d want=""
    for d in "${K_PCI[@]}"; do
        want+="$d group=${K_GROUP[$d]:-null} iommu=${K_IOMMU[$d]:-null} driver=${K_DRIVER[$d]:-null}"$'\n'
    done
    assert_equal "$(jqt '.devices[] | select(.bus == "pci") | "\(.device) group=\(.group) iommu=\(.iommu) driver=\(.driver)"' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
}

@test "each device's group equals lspci -vvv's IOMMU group line" {
    json_ok devices
    local lspci
    lspci=$(lspci_groups | sort)
    assert_equal "$(jqt '.devices[] | select(.bus == "pci" and .group != null) | "\(.device) \(.group)"' | sort)" "$lspci"
    if shape_has_iommu; then
        [ -n "$lspci" ] || fail "lspci shows no IOMMU group at all on shape $VM_SHAPE"
    else
        assert_equal "$lspci" ""
    fi
}

@test "the edu device is listed with its IDs, no driver, and its group" {
    local edu g
    edu=$(edu_bdf) || fail "no edu device in this VM: harness broken"
    g=$(sys_dev_group "$edu")
    json_ok devices
    assert_equal "$(jqt --arg d "$edu" '.devices[] | select(.device == $d) | "\(.vendor_id):\(.device_id) \(.class) driver=\(.driver) group=\(.group)"')" \
        "0x1234:0x11e8 0x00ff00 driver=null group=${g:-null}"
}
