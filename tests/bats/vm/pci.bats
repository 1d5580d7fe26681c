#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: what `iommuctl devices` and `show` say of the PCI devices that no IOMMU changes
# (IDs, class, revision, driver_override, NUMA node, the boot VGA device, names, the text
# listing, a missing or malformed address), against sysfs and lspci. The machine's devices are
# the same on every x86 shape, so this runs on one shape of the test kernel and on Debian's
# (whose sysfs differs: a NUMA kernel, modules) and on smmuv3 (tests/vm/run-vm, SUITE_SHAPES);
# what the IOMMU changes (groups, units, the device list with a virtio-iommu) is checked by
# devices.bats, groups.bats and show.bats on every IOMMU type.

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
}

@test "IDs, class and revision of every device equal its sysfs attributes" {
    json_ok devices
    local d a v want=""
    for d in "${K_PCI[@]}"; do
        want+=$d
        for a in vendor device subsystem_vendor subsystem_device class revision; do
            sysattr_to v "$d" $a
            want+=" $v"
        done
        want+=$'\n'
    done
    assert_equal "$(jqt '.devices[] | select(.bus == "pci") | [.device, .vendor_id, .device_id, .subsystem_vendor_id, .subsystem_device_id, .class, .revision] | join(" ")' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
}

@test "driver_override, numa_node and boot_vga of every device equal sysfs" {
    json_ok devices
    local d ovr numa vga want=""
    for d in "${K_PCI[@]}"; do
        sysattr_to ovr "$d" driver_override
        [ "$ovr" = "(null)" ] && ovr=null
        # without CONFIG_NUMA there is no numa_node file: no node, -1 (NUMA_NO_NODE)
        sysattr_to numa "$d" numa_node
        [ "$numa" = null ] && numa=-1
        sysattr_to vga "$d" boot_vga
        if [ "$vga" = 1 ]; then vga=true; else vga=false; fi
        want+="$d $ovr $numa $vga"$'\n'
    done
    assert_equal "$(jqt '.devices[] | select(.bus == "pci") | "\(.device) \(.driver_override) \(.numa_node) \(.boot_vga)"' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
    # QEMU's std VGA at 00:01.0 is the boot VGA device of q35; the arm64 virt machine has none
    local vga_dev=0000:00:01.0
    [ "${VM_ARCH:-x86_64}" = x86_64 ] || vga_dev=""
    assert_equal "$(jqt '[.devices[] | select(.boot_vga) | .device] | join(" ")')" "$vga_dev"
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

@test "show of a PCI address with no device exits 4" {
    [ -e /sys/bus/pci/devices/0000:00:1e.7 ] && skip "0000:00:1e.7 exists in this VM"
    run iommuctl show 0000:00:1e.7
    assert_failure 4
}

@test "show of a malformed device name exits 2" {
    run iommuctl show 0000:zz:00.0
    assert_failure 2
    run iommuctl show ../../etc
    assert_failure 2
}
