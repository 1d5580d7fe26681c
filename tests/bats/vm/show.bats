#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: `iommuctl show GROUP|DEVICE` against sysfs, on every VM shape.

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
}

@test "show DEVICE describes the edu device as sysfs does" {
    local edu g i
    edu=$(edu_bdf) || fail "no edu device in this VM: harness broken"
    g=$(sys_dev_group "$edu")
    i=$(sys_dev_iommu "$edu")
    json_ok show "$edu"
    assert_equal "$(jqt '.device | "\(.device) \(.vendor_id):\(.device_id) \(.class) group=\(.group) iommu=\(.iommu)"')" \
        "$edu 0x1234:0x11e8 0x00ff00 group=${g:-null} iommu=${i:-null}"
}

@test "show DEVICE accepts the short address (00:04.0) and says the same" {
    local edu
    edu=$(edu_bdf) || fail "no edu device in this VM: harness broken"
    json_ok show "${edu#0000:}"
    local short=$json
    json_ok show "$edu"
    assert_equal "$short" "$json"
}

@test "show DEVICE agrees with the devices entry for every PCI device" {
    json_ok devices
    local all=$json d shows
    shows=$BATS_TEST_TMPDIR/shows.json
    for d in "${K_PCI[@]}"; do
        "$IOMMUCTL" --json show "$d" >>"$shows" || fail "show $d exited $?"
    done
    # show may add the group's details (group_info); a devices row carries its error (null when
    # it was read: show fails instead, and every device was read here); the rest must be equal
    json=$all
    jq -e '[.devices[] | select(.error != null)] == []' <<<"$all" >/dev/null ||
        fail "devices has rows with an error: $(jq -c '[.devices[] | select(.error != null)]' <<<"$all")"
    assert_equal "$(jq -S -s '[.[].device | del(.group_info)] | sort_by(.device)' "$shows")" \
        "$(jq -S '[.devices[] | select(.bus == "pci") | del(.error)] | sort_by(.device)' <<<"$all")"
    if shape_has_iommu; then
        # where present, group_info is the device's group
        assert_equal "$(jq -s '[.[].device | select(.group_info != null and .group_info.group != .group)] | length' "$shows")" 0
    fi
}

# bats test_tags=vm:iommu
@test "show GROUP lists the group's devices and their details as sysfs does" {
    skip_without_iommu
    local edu g t devs
    edu=$(edu_bdf) || fail "no edu device in this VM: harness broken"
    g=$(sys_dev_group "$edu")
    read -r t <"/sys/kernel/iommu_groups/$g/type"
    sys_group_devices_to devs "$g" ,
    json_ok show "$g"
    assert_equal "$(jqt '.group | "\(.group) \(.type) \(.devices | sort | join(",")) \(.device_info | map(.device) | sort | join(","))"')" \
        "$g $t $devs $devs"
    assert_equal "$(jqt --arg d "$edu" '.group.device_info[] | select(.device == $d) | "\(.vendor_id):\(.device_id)"')" "0x1234:0x11e8"
}

# bats test_tags=vm:iommu
@test "show GROUP for the multifunction group details both functions" {
    skip_without_iommu
    local g
    g=$(sys_dev_group 0000:00:05.0)
    [ -n "$g" ] || fail "00:05.0 has no group on shape $VM_SHAPE"
    json_ok show "$g"
    local devs
    sys_group_devices_to devs "$g" " "
    assert_equal "$(jqt '.group.device_info | map(.device) | sort | join(" ")')" "$devs"
}

@test "show of a group that does not exist exits 4 (3 when there is no group at all), with a JSON error in JSON mode" {
    local n=100 code=4
    [ ${#K_GROUPS[@]} -gt 0 ] && n=$((K_GROUPS[-1] + 100))
    # no IOMMU: no group number is wrong, the system lacks what is needed (not supported)
    [ ${#K_GROUPS[@]} -gt 0 ] || code=3
    run iommuctl show "$n"
    assert_failure $code
    [ $code = 4 ] || assert_output --partial "no IOMMU is active"
    run "$IOMMUCTL" --json show "$n"
    assert_failure $code
    json=$output
    assert_equal "$(jqt '.error.code')" $code
}
