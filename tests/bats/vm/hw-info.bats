#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes:
# shellcheck disable=SC2016
# In-guest: hw-info and caps against the kernel.  The edu device is bound to vfio-pci (as a
# user would) and iommuctl binds its cdev to iommufd; what IOMMU_GET_HW_INFO returns must be,
# field by field, what the guest's own sysfs shows of the unit.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    shape_has_iommu || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU
    # virtio-iommu, and QEMU's amd-iommu without a southbridge IOAPIC, remap no interrupts:
    # iommufd refuses VFIO binds unless told to allow that (restored in teardown_file)
    case $VM_SHAPE in virtio | amd)
        read -r UNSAFE_WAS </sys/module/iommufd/parameters/allow_unsafe_interrupts
        export UNSAFE_WAS
        echo 1 >/sys/module/iommufd/parameters/allow_unsafe_interrupts ;;
    esac
    sys_bind_vfio "$EDU"
}

teardown_file() {
    [ -z "${UNSAFE_WAS:-}" ] || echo "$UNSAFE_WAS" >/sys/module/iommufd/parameters/allow_unsafe_interrupts
    [ -n "${EDU:-}" ] || return 0
    sys_unbind_vfio "$EDU"
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
}

# field_check REG_HEX: every decoded field of the register named $1 equals (REG >> lsb) & mask
fields_match() {
    local reg=$1 value=$2 name bits v msb lsb want
    while read -r name bits v; do
        msb=${bits%:*}
        lsb=${bits#*:}
        want=$(( (value >> lsb) & ((1 << (msb - lsb + 1)) - 1) ))
        [ $((msb - lsb)) -ge 63 ] && want=$value
        [ "$v" = "$want" ] || { echo "$reg.$name ($bits) = $v, the register says $want" >&2; return 1; }
    done < <(jqt --arg r "$reg" '.hw_info.registers[] | select(.name == $r) | .fields[] | "\(.name) \(.bits) \(.value)"')
}

# bats test_tags=vm:only,vm:intel,vm:intel-sm
@test "hw-info through iommufd: Intel cap_reg and ecap_reg equal the unit's sysfs, field by field" {
    case $VM_SHAPE in intel | intel-sm) ;; *) skip "shape '$VM_SHAPE' has no Intel IOMMU with iommufd" ;; esac
    json_ok hw-info "$EDU"
    local u cap ecap
    u=/sys/class/iommu/$(sys_dev_iommu "$EDU")/intel-iommu
    read -r cap <"$u/cap"
    read -r ecap <"$u/ecap"
    assert_equal "$(jqt '"\(.hw_info.source) \(.hw_info.type) \(.hw_info.kind)"')" "iommufd 1 intel-vtd"
    assert_equal "$(jqt '.hw_info.registers[] | select(.name == "cap_reg") | .value')" "0x$cap"
    assert_equal "$(jqt '.hw_info.registers[] | select(.name == "ecap_reg") | .value')" "0x$ecap"
    fields_match cap_reg $((16#$cap))
    fields_match ecap_reg $((16#$ecap))
}

# bats test_tags=vm:only,vm:intel,vm:intel-sm
@test "hw-info: scalable mode shows in ecap (SMTS) on intel-sm and not on intel" {
    case $VM_SHAPE in intel | intel-sm) ;; *) skip "shape '$VM_SHAPE' has no Intel IOMMU" ;; esac
    json_ok hw-info "$EDU"
    local smts
    smts=$(jqt '.hw_info.registers[] | select(.name == "ecap_reg") | .fields[] | select(.name == "SMTS") | .value')
    if [ "$VM_SHAPE" = intel-sm ]; then assert_equal "$smts" 1; else assert_equal "$smts" 0; fi
}

# bats test_tags=vm:only,vm:amd
@test "hw-info through iommufd: AMD EFR equals amd-iommu/features" {
    [ "$VM_SHAPE" = amd ] || skip "shape '$VM_SHAPE' has no AMD IOMMU"
    json_ok hw-info "$EDU"
    local f efr
    read -r f <"/sys/class/iommu/$(sys_dev_iommu "$EDU")/amd-iommu/features"
    efr=${f%%:*}
    assert_equal "$(jqt '"\(.hw_info.source) \(.hw_info.kind)"')" "iommufd amd-vi"
    assert_equal "$(jqt '.hw_info.registers[] | select(.name == "efr") | .value')" "$(printf '0x%x' $((16#$efr)))"
    fields_match efr $((16#$efr))
}

# bats test_tags=vm:only,vm:virtio
@test "hw-info through iommufd on virtio-iommu: no driver data, the kernel's generic answers" {
    [ "$VM_SHAPE" = virtio ] || skip "shape '$VM_SHAPE' is not virtio-iommu"
    json_ok hw-info "$EDU"
    assert_equal "$(jqt '"\(.hw_info.source) \(.hw_info.type) \(.hw_info.registers | length)"')" "iommufd 0 0"
    assert_equal "$(jqt '.hw_info.capabilities | type')" object
}

# The SMMU's registers, as the CPU reads them: busybox devmem on the MMIO page the driver
# requested (/proc/iomem names it after the SMMU's platform device).
smmu_base() {
    local dev
    dev=$(basename "$(dirname "$(dirname "$(readlink -f "/sys/class/iommu/$1")")")")
    awk -v d="$dev" '$NF == d { split($1, r, "-"); print "0x" r[1]; exit }' /proc/iomem
}
smmu_reg() { printf '0x%x' "$(busybox devmem $(($1 + $2)) 32)"; } # BASE OFFSET

# bats test_tags=vm:only,vm:smmuv3,vm:smmuv3-nested
@test "hw-info through iommufd on SMMUv3: IDR0-5, IIDR and AIDR are the SMMU's own registers, field by field" {
    [ "$(shape_kind)" = arm-smmu-v3 ] || skip "shape '$VM_SHAPE' has no SMMUv3"
    json_ok hw-info "$EDU"
    local u base r off v
    u=$(sys_dev_iommu "$EDU")
    base=$(smmu_base "$u")
    [ -n "$base" ] || fail "no MMIO region of $u in /proc/iomem"
    # IOMMU_HW_INFO_TYPE_ARM_SMMUV3 is 2
    assert_equal "$(jqt '"\(.hw_info.source) \(.hw_info.type) \(.hw_info.kind)"')" "iommufd 2 arm-smmu-v3"
    off=0
    for r in idr0 idr1 idr2 idr3 idr4 idr5 iidr aidr; do
        v=$(smmu_reg "$base" $off)
        assert_equal "$r $(jqt --arg r "$r" '.hw_info.registers[] | select(.name == $r) | .value')" "$r $v"
        fields_match "$r" $((v))
        off=$((off + 4))
    done
}

# bats test_tags=vm:only,vm:smmuv3,vm:smmuv3-nested
@test "hw-info on SMMUv3 agrees with what the driver logged at probe, and with the shape's stages" {
    [ "$(shape_kind)" = arm-smmu-v3 ] || skip "shape '$VM_SHAPE' has no SMMUv3"
    json_ok hw-info "$EDU"
    local line oas feat f
    # "arm-smmu-v3 9050000.smmuv3: oas 44-bit (features 0x...)"; the feature bits are
    # the driver's (arm-smmu-v3.h): TRANS_S1 9, TRANS_S2 10, RANGE_INV 15, NESTING 19, S2FWB 23
    line=$(dmesg | grep -m1 -o 'oas [0-9]*-bit (features 0x[0-9a-f]*)')
    [ -n "$line" ] || fail "no 'oas ... (features ...)' line from arm-smmu-v3 in dmesg"
    oas=${line#oas }
    oas=${oas%%-bit*}
    feat=${line##*features }
    feat=$((${feat%")"}))
    field() { jqt --arg r "$1" --arg f "$2" '.hw_info.registers[] | select(.name == $r) | .fields[] | select(.name == $f) | .value'; }
    assert_equal "OAS $(jqt '.hw_info.registers[] | select(.name == "idr5") | .fields[] | select(.name == "OAS") | .meaning')" "OAS $oas-bit"
    assert_equal "S1P $(field idr0 S1P)" "S1P $(((feat >> 9) & 1))"
    assert_equal "S2P $(field idr0 S2P)" "S2P $(((feat >> 10) & 1))"
    assert_equal "RIL $(field idr3 RIL)" "RIL $(((feat >> 15) & 1))"
    assert_equal "FWB $(field idr3 FWB)" "FWB $(((feat >> 23) & 1))"
    f=$(((feat >> 19) & 1))
    assert_equal "NESTING $f" "NESTING $(($(field idr0 S1P) & $(field idr0 S2P)))"
    # the harness asked QEMU for stage 1 only (smmuv3) or for both stages (smmuv3-nested)
    if [ "$VM_SHAPE" = smmuv3-nested ]; then
        assert_equal "$(field idr0 S1P) $(field idr0 S2P)" "1 1"
    else
        assert_equal "$(field idr0 S1P) $(field idr0 S2P)" "1 0"
    fi
}

# bats test_tags=vm:only,vm:smmuv3,vm:smmuv3-nested
@test "caps on SMMUv3: idr0.S1P and S2P predict the kernel's answer to NEST_PARENT" {
    [ "$(shape_kind)" = arm-smmu-v3 ] || skip "shape '$VM_SHAPE' has no SMMUv3"
    json_ok caps "$EDU"
    assert_equal "$(jqt '.caps.source')" iommufd
    assert_equal "$(jqt '.caps.capabilities[] | select(.capability == "paging") | "\(.hardware) \(.kernel)"')" "true true"
    local np
    np=$(jqt '.caps.capabilities[] | select(.capability == "nest-parent")')
    [[ $(jq -r .source <<<"$np") == *"idr0.S2P"* ]] || fail "nest-parent's source names no idr0.S2P: $np"
    if [ "$VM_SHAPE" = smmuv3-nested ]; then
        assert_equal "$(jq -r '"\(.hardware) \(.kernel)"' <<<"$np")" "true true"
    else
        # no stage 2: the hardware column says no, and the kernel refuses as predicted
        assert_equal "$(jq -r '"\(.hardware) \(.kernel) \(.kernel_source)"' <<<"$np")" \
            "false false IOMMU_HWPT_ALLOC NEST_PARENT: EOPNOTSUPP"
    fi
}

# bats test_tags=vm:only,vm:stock
@test "hw-info on the stock kernel (no iommufd) falls back to sysfs and says so" {
    [ "$VM_KERNEL_KIND" = stock ] || skip "the test kernel has iommufd"
    [ ! -e /dev/iommu ] || fail "Debian's 6.12 should have no /dev/iommu"
    json_ok hw-info "$EDU"
    assert_equal "$(jqt '"\(.hw_info.source) \(.hw_info.capabilities)"')" "sysfs null"
    local u cap
    u=/sys/class/iommu/$(sys_dev_iommu "$EDU")/intel-iommu
    read -r cap <"$u/cap"
    assert_equal "$(jqt '.hw_info.registers[] | select(.name == "cap_reg") | .value')" "0x$cap"
}

# bats test_tags=vm:iommufd
@test "hw-info: a device not on vfio-pci is refused with how to bind it (iommufd kernels)" {
    [ -e /dev/iommu ] || skip "no iommufd on this kernel: hw-info reads sysfs instead"
    local other=
    for d in $(sys_pci_devices); do
        [ -n "$(sys_dev_group "$d")" ] && [ "$(sys_dev_driver "$d")" != vfio-pci ] &&
            [ -n "$(sys_dev_driver "$d")" ] && other=$d && break
    done
    [ -n "$other" ] || skip "no other device with a driver and a group in this shape"
    run "$IOMMUCTL" hw-info "$other"
    assert_failure 6
    assert_output --partial "not on vfio-pci"
    assert_output --partial "driver_override"
}

# bats test_tags=vm:only,vm:intel,vm:intel-sm,vm:amd,vm:virtio
@test "caps through iommufd: the kernel allocates a paging HWPT and refuses what QEMU's vIOMMU cannot" {
    [ -e /dev/iommu ] || skip "no iommufd on this kernel"
    case $VM_SHAPE in intel | intel-sm | amd | virtio) ;; *) skip "shape '$VM_SHAPE'" ;; esac
    json_ok caps "$EDU"
    assert_equal "$(jqt '.caps.source')" iommufd
    assert_equal "$(jqt '.caps.capabilities[] | select(.capability == "paging") | .kernel')" true
    # measured on QEMU 7.2's vIOMMUs: NEST_PARENT and DIRTY_TRACKING give EOPNOTSUPP
    assert_equal "$(jqt '.caps.capabilities[] | select(.capability == "nest-parent") | "\(.kernel) \(.kernel_source)"')" \
        "false IOMMU_HWPT_ALLOC NEST_PARENT: EOPNOTSUPP"
    assert_equal "$(jqt '.caps.capabilities[] | select(.capability == "dirty-tracking") | .kernel')" false
}

# bats test_tags=vm:only,vm:intel,vm:intel-sm
@test "caps: hardware and kernel agree where both are asked (Intel ecap NEST vs NEST_PARENT)" {
    case $VM_SHAPE in intel | intel-sm) ;; *) skip "shape '$VM_SHAPE' has no Intel IOMMU" ;; esac
    json_ok caps "$EDU"
    local hw k
    hw=$(jqt '.caps.capabilities[] | select(.capability == "nest-parent") | .hardware')
    k=$(jqt '.caps.capabilities[] | select(.capability == "nest-parent") | .kernel')
    # a kernel cannot offer a nest parent the hardware lacks
    if [ "$hw" = false ]; then assert_equal "$k" false; fi
}
