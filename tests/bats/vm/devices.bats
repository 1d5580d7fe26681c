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

@test "IDs, class and revision of every device equal its sysfs attributes" {
    json_ok devices
    local d want=""
    for d in "${K_PCI[@]}"; do
        want+="$d $(sysattr "$d" vendor) $(sysattr "$d" device) $(sysattr "$d" subsystem_vendor)"
        want+=" $(sysattr "$d" subsystem_device) $(sysattr "$d" class) $(sysattr "$d" revision)"$'\n'
    done
    assert_equal "$(jqt '.devices[] | select(.bus == "pci") | [.device, .vendor_id, .device_id, .subsystem_vendor_id, .subsystem_device_id, .class, .revision] | join(" ")' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
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

@test "driver_override, numa_node and boot_vga of every device equal sysfs" {
    json_ok devices
    local d ovr numa vga want=""
    for d in "${K_PCI[@]}"; do
        ovr=$(sysattr "$d" driver_override)
        [ "$ovr" = "(null)" ] && ovr=null
        # without CONFIG_NUMA there is no numa_node file: no node, -1 (NUMA_NO_NODE)
        numa=$(sysattr "$d" numa_node)
        [ "$numa" = null ] && numa=-1
        vga=false
        [ "$(sysattr "$d" boot_vga)" = 1 ] && vga=true
        want+="$d $ovr $numa $vga"$'\n'
    done
    assert_equal "$(jqt '.devices[] | select(.bus == "pci") | "\(.device) \(.driver_override) \(.numa_node) \(.boot_vga)"' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
    # QEMU's std VGA at 00:01.0 is the boot VGA device of q35; the arm64 virt machine has none
    local vga_dev=0000:00:01.0
    [ "${VM_ARCH:-x86_64}" = x86_64 ] || vga_dev=""
    assert_equal "$(jqt '[.devices[] | select(.boot_vga) | .device] | join(" ")')" "$vga_dev"
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

@test "vendor and device names agree with lspci -mm" {
    json_ok devices
    [ "$(jqt '[.devices[] | select(.vendor != null)] | length')" -gt 0 ] ||
        skip "iommuctl reports no vendor names (no pci.ids database in use)"
    # lspci -mm -D: slot "class" "vendor" "device" ...; a name pci.ids lacks is printed as
    # "Device 11e8" (or "Vendor 1234"), which iommuctl reports as null: both become "?"
    local want
    want=$(lspci -mm -D | awk -F'"' '{sub(/ $/, "", $1); print $1 "|" $4 "|" $6}' |
        sed -E 's/\|(Device|Vendor) [0-9a-f]{4}(:[0-9a-f]{4})?/|?/g' | sort)
    assert_equal "$(jqt '.devices[] | select(.bus == "pci") | "\(.device)|\(.vendor // "?")|\(.name // "?")"' | sort)" "$want"
}

@test "devices text output names every PCI device" {
    run iommuctl devices
    assert_success
    local d
    for d in "${K_PCI[@]}"; do
        assert_output --partial "${d#0000:}"
    done
}
