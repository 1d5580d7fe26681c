#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: `iommuctl iommus` against /sys/class/iommu and dmesg, on every VM shape.
# The test kernel (not the stock one) also has the IOMMUFD_TEST mock IOMMU,
# iommufd_selftest_iommu.0, in /sys/class/iommu: it is listed too, as kind "selftest".

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
}

# kind of an IOMMU from its sysfs directory alone
sys_kind() {
    local t
    t=$(readlink -f "/sys/class/iommu/$1")
    if [ -d "/sys/class/iommu/$1/intel-iommu" ]; then echo intel-vtd
    elif [ -d "/sys/class/iommu/$1/amd-iommu" ]; then echo amd-vi
    elif [[ $t == */virtio* ]]; then echo virtio-iommu
    elif [[ $t == *.smmuv3/iommu/* ]]; then echo arm-smmu-v3
    elif [[ $1 == iommufd_selftest_iommu* ]]; then echo selftest
    else echo unknown
    fi
}

@test "the guest kernel has the IOMMU the shape asked QEMU for" {
    # a harness check: if this fails, every other result on this shape is suspect
    local i kinds=""
    for i in $(sys_hw_iommus); do kinds+="$(sys_kind "$i") "; done
    case $(shape_kind) in
    none) assert_equal "$kinds" "" ;;
    *) assert_equal "$(tr ' ' '\n' <<<"$kinds" | sort -u | sed '/^$/d')" "$(shape_kind)" ;;
    esac
}

@test "iommus --json lists exactly /sys/class/iommu, each with its kind" {
    local i want=""
    for i in "${K_IOMMUS[@]}"; do want+="$i $(sys_kind "$i")"$'\n'; done
    run "$IOMMUCTL" --json iommus
    if [ -z "$want" ] && [ "$status" = 3 ]; then
        return 0 # no IOMMU at all (stock kernel, none shape): "not supported" is fine
    fi
    assert_success
    json=$output
    assert_equal "$(jqt '.iommus[] | "\(.iommu) \(.kind)"' | sort)" "$(sort <<<"$want" | sed '/^$/d')"
}

# bats test_tags=vm:iommu
@test "every IOMMU's devices and groups are those linked in sysfs" {
    skip_without_iommu
    json_ok iommus
    local i p d want="" devs groups
    for i in "${K_IOMMUS[@]}"; do
        devs=""
        groups=""
        for p in "/sys/class/iommu/$i/devices"/*; do
            [ -e "$p" ] || continue
            d=${p##*/}
            devs+="${devs:+,}$d"
            [ -n "${K_GROUP[$d]:-}" ] && groups+="${K_GROUP[$d]}"$'\n'
        done
        groups=$(sort -un <<<"$groups" | sed '/^$/d' | paste -sd,)
        want+="$i devices=$devs groups=$groups"$'\n'
    done
    assert_equal "$(jqt '.iommus[] | "\(.iommu) devices=\(.devices | sort | join(",")) groups=\(.groups | sort | map(tostring) | join(","))"' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
    # and the hardware IOMMU is in charge of the edu device
    assert_equal "$(jqt --arg d "$(edu_bdf)" '[.iommus[] | select(.devices | index($d)) | .iommu] | join(" ")')" \
        "$(sys_dev_iommu "$(edu_bdf)")"
}

# bats test_tags=vm:only,vm:intel,vm:intel-sm,vm:stock,vm:intel-intremap-off,vm:intel-pt,vm:intel-flts
@test "Intel: cap, ecap and version equal sysfs and the kernel's DMAR boot line" {
    [ "$(shape_kind)" = intel-vtd ] || skip "shape '$VM_SHAPE' has no Intel IOMMU"
    json_ok iommus
    local i s cap ecap ver want="" dmesg
    dmesg=$(dmesg)
    for i in $(sys_hw_iommus); do
        s=/sys/class/iommu/$i/intel-iommu
        read -r cap <"$s/cap"
        read -r ecap <"$s/ecap"
        read -r ver <"$s/version"
        want+="$i 0x${cap#0x} 0x${ecap#0x} $ver"$'\n'
        # "DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c22260286 ecap f00f5e"
        [[ $dmesg =~ $i:\ reg_base_addr\ [0-9a-f]+\ ver\ $ver\ cap\ ${cap#0x}\ ecap\ ${ecap#0x} ]] ||
            fail "dmesg has no '$i: reg_base_addr ... ver $ver cap ${cap#0x} ecap ${ecap#0x}' line"
    done
    assert_equal "$(jqt '.iommus[] | select(.kind == "intel-vtd") | "\(.iommu) \(.attributes.cap) \(.attributes.ecap) \(.attributes.version)"' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
}

# bats test_tags=vm:only,vm:intel,vm:intel-sm,vm:stock,vm:intel-intremap-off,vm:intel-pt,vm:intel-flts
@test "Intel: scalable mode is on exactly in the intel-sm shape" {
    [ "$(shape_kind)" = intel-vtd ] || skip "shape '$VM_SHAPE' has no Intel IOMMU"
    json_ok iommus
    local ecap smts
    ecap=$(jqt '.iommus[] | select(.iommu == "dmar0") | .attributes.ecap')
    assert_equal "$ecap" "0x$(sed 's/^0x//' /sys/class/iommu/dmar0/intel-iommu/ecap)"
    smts=$(((ecap >> 43) & 1)) # ECAP_REG.SMTS
    if [ "$VM_SHAPE" = intel-sm ]; then assert_equal "$smts" 1; else assert_equal "$smts" 0; fi
}

# bats test_tags=vm:only,vm:amd
@test "AMD: cap and extended features equal sysfs and the kernel's AMD-Vi boot line" {
    [ "$(shape_kind)" = amd-vi ] || skip "shape '$VM_SHAPE' has no AMD IOMMU"
    json_ok iommus
    local i s cap feat efr efr2 want="" dmesg pci
    dmesg=$(dmesg)
    for i in $(sys_hw_iommus); do
        s=/sys/class/iommu/$i/amd-iommu
        read -r cap <"$s/cap"
        read -r feat <"$s/features" # EFR[:EFR2]
        efr=${feat%%:*}
        efr2=0
        [[ $feat == *:* ]] && efr2=${feat#*:}
        want+="$i 0x${cap#0x} 0x${efr#0x} 0x${efr2#0x}"$'\n'
        # "AMD-Vi: Extended features (0x29d3, 0x0): PreF PPR GT IA GA HE"
        [[ $dmesg == *"AMD-Vi: Extended features (0x${efr#0x}, 0x${efr2#0x})"* ]] ||
            fail "dmesg has no 'AMD-Vi: Extended features (0x${efr#0x}, 0x${efr2#0x})' line"
        # QEMU's AMD IOMMU is itself a PCI function of class 0x0806 (IOMMU)
        pci=$(readlink -f "/sys/class/iommu/$i/device")
        [[ $(<"$pci/class") == 0x0806* ]] || fail "$i's device $pci is not a PCI IOMMU function"
    done
    assert_equal "$(jqt '.iommus[] | select(.kind == "amd-vi") | "\(.iommu) \(.attributes.cap) \(.attributes.efr) \(.attributes.efr2 // "0x0")"' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
}

# bats test_tags=vm:only,vm:virtio
@test "virtio: the virtio-iommu is the one iommus reports, translating the edu device" {
    [ "$(shape_kind)" = virtio-iommu ] || skip "shape '$VM_SHAPE' has no virtio-iommu"
    json_ok iommus
    local v
    v=$(jqt '[.iommus[] | select(.kind == "virtio-iommu") | .iommu] | join(" ")')
    [ -n "$v" ] || fail "iommus reports no virtio-iommu"
    assert_equal "$v" "$(sys_dev_iommu "$(edu_bdf)")"
}

@test "iommus text output names every IOMMU" {
    [ ${#K_IOMMUS[@]} -gt 0 ] || skip "no /sys/class/iommu entry on shape '$VM_SHAPE'"
    run iommuctl iommus
    assert_success
    local i
    for i in "${K_IOMMUS[@]}"; do assert_output --partial "$i"; done
}

# bats test_tags=vm:only,vm:smmuv3,vm:smmuv3-nested
@test "SMMUv3: each unit's address is the base of the MMIO region its driver requested" {
    [ "$(shape_kind)" = arm-smmu-v3 ] || skip "shape '$VM_SHAPE' has no SMMUv3"
    json_ok iommus
    local i dev base want=""
    for i in $(sys_hw_iommus); do
        # /sys/class/iommu/smmu3.0x.../ -> /sys/devices/platform/9050000.smmuv3/iommu/smmu3.0x...
        dev=$(basename "$(dirname "$(dirname "$(readlink -f "/sys/class/iommu/$i")")")")
        base=$(awk -v d="$dev" '$NF == d { split($1, r, "-"); print "0x" r[1]; exit }' /proc/iomem)
        [ -n "$base" ] || fail "no MMIO region of $dev in /proc/iomem"
        want+="$i $(printf '0x%016x' $((base)))"$'\n'
    done
    assert_equal "$(jqt '.iommus[] | select(.kind == "arm-smmu-v3") | "\(.iommu) \(.attributes.address)"' | sort)" \
        "$(sort <<<"$want" | sed '/^$/d')"
}
