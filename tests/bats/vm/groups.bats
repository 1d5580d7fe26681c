#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: `iommuctl groups` against what the guest kernel reports in
# /sys/kernel/iommu_groups and lspci -vvv. Runs on every VM shape (tests/vm/run-suites).

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
}

# bats test_tags=vm:iommu
@test "groups --json lists exactly the groups in /sys/kernel/iommu_groups" {
    skip_without_iommu
    [ ${#K_GROUPS[@]} -gt 0 ] || fail "shape $VM_SHAPE has an IOMMU but the kernel made no groups"
    json_ok groups
    # group numbers are JSON numbers, not strings
    assert_equal "$(jqt '.groups[].group | if type == "number" then . else "NOT A NUMBER: \(.)" end' | lines_sorted -n)" \
        "$(sys_groups)"
}

# bats test_tags=vm:iommu
@test "every group's type, iommu and devices equal sysfs" {
    skip_without_iommu
    json_ok groups
    local g d t want="" devs first
    for g in "${K_GROUPS[@]}"; do
        read -r t <"/sys/kernel/iommu_groups/$g/type"
        sys_group_devices_to devs "$g" ,
        first=${devs%%,*}
        want+="$g $t ${K_IOMMU[$first]:-null} $devs"$'\n'
    done
    assert_equal "$(jqt '.groups[] | "\(.group) \(.type) \(.iommu) \(.devices | sort | join(","))"' | sort -n)" \
        "$(sort -n <<<"$want" | sed '/^$/d')"
}

# bats test_tags=vm:iommu
@test "every group's reserved regions equal /sys/kernel/iommu_groups/N/reserved_regions" {
    skip_without_iommu
    json_ok groups
    local g start end type want=""
    for g in "${K_GROUPS[@]}"; do
        while read -r start end type; do
            want+="$g $start $end $type"$'\n'
        done <"/sys/kernel/iommu_groups/$g/reserved_regions"
    done
    assert_equal "$(jqt '.groups[] | .group as $g | .reserved_regions[] | "\($g) \(.start) \(.end) \(.type)"' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
    # an MSI window is reserved in the edu device's group: x86's 0xfee00000 one, or on arm64
    # the software MSI window the SMMU driver reserves for the ITS doorbell mappings
    g=$(sys_dev_group "$(edu_bdf)")
    assert_equal "$(jqt --argjson g "$g" '.groups[] | select(.group == $g) | .reserved_regions | any(.type == "msi")')" true
}

# bats test_tags=vm:iommu
@test "each PCI device's group is the same in iommuctl, its iommu_group link and lspci -vvv" {
    skip_without_iommu
    json_ok groups
    local d want=""
    for d in "${K_PCI[@]}"; do
        [ -n "${K_GROUP[$d]:-}" ] && want+="$d ${K_GROUP[$d]}"$'\n'
    done
    [ -n "$want" ] || fail "no PCI device has an iommu_group on shape $VM_SHAPE"
    want=$(sort <<<"$want" | sed '/^$/d')
    assert_equal "$(lspci_groups | sort)" "$want"
    assert_equal "$(jqt '.groups[] | .group as $g | .devices[] | select(test("^[0-9a-f]{4}:")) | "\(.) \($g)"' | sort)" "$want"
}

# bats test_tags=vm:iommu
@test "each device's group equals the kernel's 'Adding to iommu group' boot message" {
    skip_without_iommu
    # "pci 0000:00:04.0: Adding to iommu group 2" (a device may be re-added: the last one counts)
    local want
    want=$(dmesg | sed -n 's/.* \([0-9a-f]\{4\}:[0-9a-f:.]*\): Adding to iommu group \([0-9]*\)$/\1 \2/p' |
        awk '{g[$1] = $2} END {for (d in g) print d, g[d]}' | sort)
    [ -n "$want" ] || fail "no 'Adding to iommu group' lines in dmesg on shape $VM_SHAPE"
    json_ok groups
    assert_equal "$(jqt '.groups[] | .group as $g | .devices[] | select(test("^[0-9a-f]{4}:")) | "\(.) \($g)"' | sort)" "$want"
}

# bats test_tags=vm:iommu
@test "the edu device (1234:11e8) is listed in its group, in JSON and text" {
    skip_without_iommu
    local edu g
    edu=$(edu_bdf) || fail "no edu device in this VM: harness broken"
    g=$(sys_dev_group "$edu")
    [ -n "$g" ] || fail "edu $edu has no iommu_group on shape $VM_SHAPE"
    json_ok groups
    assert_equal "$(jqt --arg d "$edu" '.groups[] | select(.devices | index($d)) | .group')" "$g"
    run iommuctl groups
    assert_success
    assert_output --partial "${edu#0000:}"
}

# bats test_tags=vm:iommu
@test "both functions of the multifunction slot share one group, as the kernel says" {
    skip_without_iommu
    local g0 g1
    [ -e /sys/bus/pci/devices/0000:00:05.0 ] && [ -e /sys/bus/pci/devices/0000:00:05.1 ] ||
        fail "no multifunction device at 00:05.0/00:05.1: harness broken"
    g0=$(sys_dev_group 0000:00:05.0)
    g1=$(sys_dev_group 0000:00:05.1)
    # No ACS on QEMU's multifunction endpoints: the kernel must put the functions together.
    assert_equal "$g1" "$g0"
    json_ok groups
    assert_equal "$(jqt --argjson g "$g0" '.groups[] | select(.group == $g) | .devices | map(select(startswith("0000:00:05."))) | join(" ")')" \
        "0000:00:05.0 0000:00:05.1"
}

# bats test_tags=vm:iommu
@test "the device behind the pcie-root-port is in the group the kernel gave it" {
    skip_without_iommu
    local p dev=""
    for p in /sys/bus/pci/devices/0000:00:06.0/0000:*:00.0; do [ -e "$p" ] && dev=${p##*/}; done
    [ -n "$dev" ] || fail "nothing behind the root port 00:06.0: harness broken"
    json_ok groups
    assert_equal "$(jqt --arg d "$dev" '.groups[] | select(.devices | index($d)) | .group')" "$(sys_dev_group "$dev")"
}

# bats test_tags=vm:iommu
@test "viable is true exactly when no device in the group has a blocking driver" {
    skip_without_iommu
    json_ok groups
    local g d drv blockers devs want=""
    for g in "${K_GROUPS[@]}"; do
        blockers=""
        sys_group_devices_to devs "$g" " "
        for d in $devs; do
            drv=${K_DRIVER[$d]:-}
            case $drv in "" | vfio-pci | pci-stub | pcieport) ;; *) blockers+="${blockers:+,}$d=$drv" ;; esac
        done
        if [ -z "$blockers" ]; then want+="$g true -"$'\n'; else want+="$g false $blockers"$'\n'; fi
    done
    assert_equal "$(jqt '.groups[] | "\(.group) \(.viable) \(if (.blockers | length) == 0 then "-" else (.blockers | map("\(.device)=\(.driver)") | sort | join(",")) end)"' | sort -n)" \
        "$(sort -n <<<"$want" | sed '/^$/d')"
}

# bats test_tags=vm:only,vm:none
@test "groups without an IOMMU exits 3 with one line saying no IOMMU is active" {
    shape_has_iommu && skip "shape '$VM_SHAPE' has an IOMMU; this checks the no-IOMMU shape"
    [ ${#K_GROUPS[@]} = 0 ] || fail "the none shape has IOMMU groups: harness broken"
    run iommuctl groups
    assert_failure 3
    assert_equal "${#lines[@]}" 1
    assert_output --regexp '[Nn]o IOMMU (is )?active'
}

# bats test_tags=vm:only,vm:none
@test "groups --json without an IOMMU prints a JSON error with code 3" {
    shape_has_iommu && skip "shape '$VM_SHAPE' has an IOMMU; this checks the no-IOMMU shape"
    run "$IOMMUCTL" --json groups
    assert_failure 3
    json=$output
    assert_equal "$(jqt '.error.code')" 3
}
