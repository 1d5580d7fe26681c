#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json is read by the helpers:
# shellcheck disable=SC2016,SC2034
# In-guest, on the arm64 shapes: how far the kernel lets a VMM go towards a nested SMMUv3 on
# QEMU's virt machine, and whether iommuctl saw it coming. tests/uapi/smmu-nest (built next to
# iommuctl) asks the kernel, step by step, for what a VMM needs (a paging HWPT, a NEST_PARENT
# stage 2, an ARM SMMUv3 vIOMMU, a vDevice, a nested HWPT, the attach) and prints each answer;
# the SMMU's registers come from the SMMU itself (busybox devmem), the firmware from /sys.
#
#   smmuv3         stage 1 only (IDR0.S2P = 0): the kernel refuses NEST_PARENT (EOPNOTSUPP)
#   smmuv3-nested  stages 1 and 2: NEST_PARENT is allowed; the vIOMMU needs IDR3.FWB (S2FWB) or
#                  a CANWBS root complex in IORT (arm_smmu_get_viommu_size in the kernel's
#                  arm-smmu-v3-iommufd.c); QEMU 10's SMMUv3 has no FWB, and the device-tree boot
#                  no IORT, so the kernel refuses the vIOMMU (EOPNOTSUPP)

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    [ "$(shape_kind)" = arm-smmu-v3 ] || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU
    sys_bind_vfio "$EDU"
    # one run of each per file: under TCG every exec counts
    local prog=${IOMMUCTL%/*}/tests/smmu-nest rc=0
    "$prog" "$EDU" >"$BATS_FILE_TMPDIR/nest.out" 2>&1 || rc=$?
    echo "$rc" >"$BATS_FILE_TMPDIR/nest.rc"
    [ -z "${VM_OUT:-}" ] || cp "$BATS_FILE_TMPDIR/nest.out" "$VM_OUT/smmu-nest.out"
    "$IOMMUCTL" --json hw-info "$EDU" >"$BATS_FILE_TMPDIR/hw.json" 2>&1 || true
    "$IOMMUCTL" --json caps "$EDU" >"$BATS_FILE_TMPDIR/caps.json" 2>&1 || true
}

teardown_file() {
    [ -n "${EDU:-}" ] || return 0
    sys_unbind_vfio "$EDU"
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    [ "$(shape_kind)" = arm-smmu-v3 ] || skip "shape '$VM_SHAPE' has no SMMUv3"
    [ -x "${IOMMUCTL%/*}/tests/smmu-nest" ] || fail "no ${IOMMUCTL%/*}/tests/smmu-nest: run make"
    declare -gA NEST=()
    local l
    while IFS= read -r l; do
        [[ $l == *=* ]] && NEST[${l%%=*}]=${l#*=}
    done <"$BATS_FILE_TMPDIR/nest.out"
    NEST_RC=$(cat "$BATS_FILE_TMPDIR/nest.rc")
}

# hw FIELD REG: a decoded field of iommuctl's hw-info; caps CAP KEY: a key of a caps row
hw() {
    jq -r --arg r "$1" --arg f "$2" \
        '.hw_info.registers[] | select(.name == $r) | .fields[] | select(.name == $f) | .value' \
        "$BATS_FILE_TMPDIR/hw.json"
}
caps() {
    jq -r --arg c "$1" --arg k "$2" '.caps.capabilities[] | select(.capability == $c) | .[$k]' \
        "$BATS_FILE_TMPDIR/caps.json"
}
# the SMMU's own register at OFFSET (busybox devmem on the MMIO region the driver requested)
smmu_reg() {
    local dev base
    dev=$(basename "$(dirname "$(dirname "$(readlink -f "/sys/class/iommu/$(sys_dev_iommu "$EDU")")")")")
    base=$(awk -v d="$dev" '$NF == d { split($1, r, "-"); print "0x" r[1]; exit }' /proc/iomem)
    [ -n "$base" ] || fail "no MMIO region of $dev in /proc/iomem"
    busybox devmem $((base + $1)) 32
}
nest_log() { cat "$BATS_FILE_TMPDIR/nest.out" >&2; }

@test "smmu-nest: the device binds, the kernel's hw_info is the SMMU's, the session cleans up" {
    nest_log
    assert_equal "$NEST_RC" 0
    assert_equal "${NEST[bind]} ${NEST[ioas]} ${NEST[destroy]}" "ok ok ok"
    assert_equal "${NEST[hw.type]}" 2 # IOMMU_HW_INFO_TYPE_ARM_SMMUV3
    assert_equal "${NEST[hw.idr0]} ${NEST[hw.idr3]}" "$(printf '0x%08x 0x%08x' "$(smmu_reg 0)" "$(smmu_reg 0xc)")"
    # a paging HWPT over the IOAS: the kernel's own stage 1 (or stage 2) domain
    assert_equal "${NEST[paging]}" ok
}

@test "NEST_PARENT: allowed exactly when IDR0 has both stages, as caps predicts from idr0.S1P/S2P" {
    nest_log
    local s1 s2
    s1=$((($(smmu_reg 0) >> 1) & 1))
    s2=$(($(smmu_reg 0) & 1))
    assert_equal "$(hw idr0 S1P) $(hw idr0 S2P)" "$s1 $s2"
    if [ "$s1$s2" = 11 ]; then
        assert_equal "${NEST[nest_parent]}" ok
        assert_equal "$(caps nest-parent hardware) $(caps nest-parent kernel)" "true true"
    else
        # the refusal, and the prediction naming the register field that causes it
        [[ ${NEST[nest_parent.error]} == EOPNOTSUPP* ]] || fail "nest_parent: ${NEST[nest_parent.error]:-${NEST[nest_parent]}}"
        assert_equal "${NEST[viommu]} ${NEST[vdevice]} ${NEST[nested]} ${NEST[attach]}" \
            "not-tried not-tried not-tried not-tried"
        assert_equal "$(caps nest-parent hardware) $(caps nest-parent kernel)" "false false"
        [[ $(caps nest-parent source) == *"idr0.S2P"* ]] || fail "caps names no idr0.S2P: $(caps nest-parent source)"
    fi
}

@test "vIOMMU: allowed exactly when IDR3.FWB or a CANWBS root complex (IORT) says so" {
    nest_log
    [ "${NEST[nest_parent]:-}" = ok ] || skip "no NEST_PARENT on shape '$VM_SHAPE' (stage 1 only): the vIOMMU needs one"
    local fwb iort=no
    fwb=$((($(smmu_reg 0xc) >> 8) & 1))
    assert_equal "$(hw idr3 FWB)" "$fwb"
    # CANWBS is a flag of IORT's root complex node: without an IORT (device-tree boot) the
    # kernel cannot know it, and treats the root complex as not CANWBS
    [ -e /sys/firmware/acpi/tables/IORT ] && iort=yes
    if [ "$fwb" = 1 ]; then
        assert_equal "${NEST[viommu]} ${NEST[vdevice]} ${NEST[nested]} ${NEST[attach]}" "ok ok ok ok"
    elif [ $iort = no ]; then
        [[ ${NEST[viommu.error]:-} == EOPNOTSUPP* ]] || fail "viommu: ${NEST[viommu.error]:-${NEST[viommu]}}"
        [[ ${NEST[viommu.error]} == *VIOMMU_ALLOC* ]] || fail "the error names no ioctl: ${NEST[viommu.error]}"
        assert_equal "${NEST[vdevice]} ${NEST[nested]} ${NEST[attach]}" "not-tried not-tried not-tried"
        # caps predicted it from the register and the firmware, and the kernel agreed
        assert_equal "$(caps viommu hardware) $(caps viommu kernel)" "false false"
        assert_equal "$(caps viommu source)" "idr3.FWB (bit 8) = 0, no CANWBS"
        [[ $(caps viommu detail) == *"device-tree boot: no IORT"* ]] || fail "caps: $(caps viommu detail)"
        assert_equal "$(caps viommu kernel_source)" "IOMMU_VIOMMU_ALLOC type 1: EOPNOTSUPP"
    else
        skip "IDR3.FWB = 0 with an IORT: whether the root complex is CANWBS is IORT's to say (not decoded here)"
    fi
}

@test "caps and apply --check predict the vIOMMU before anything is allocated" {
    [ -e /dev/iommu ] || skip "no iommufd on this kernel"
    local fwb want
    fwb=$((($(smmu_reg 0xc) >> 8) & 1))
    want=$([ "${NEST[nest_parent]:-}" = ok ] && { [ "$fwb" = 1 ] || [ -e /sys/firmware/acpi/tables/IORT ]; } &&
        echo "${NEST[viommu]}" || echo no)
    # the example spec, for this guest's device: the vIOMMU row decides --check's answer
    sed "s/device: 0000:02:00.0/device: $EDU/; s/size: 2G/size: 64M/" \
        "$BATS_TEST_DIRNAME/../../../examples/smmuv3-nested.yaml" >"$BATS_TEST_TMPDIR/nest.yaml"
    run "$IOMMUCTL" apply --check "$BATS_TEST_TMPDIR/nest.yaml"
    if [ "$want" = ok ]; then
        assert_success
    else
        assert_failure 3
        if [ "${NEST[nest_parent]:-}" = ok ]; then
            assert_line --partial "viommus[0].type: viommu: the IOMMU of nic0"
            assert_line --partial "has no vIOMMU (needs S2FWB or a CANWBS root complex: device-tree boot: no IORT"
        else
            assert_line --partial "has no vIOMMU (needs both stages: a nesting parent): idr0.S2P (bit 0) = 0"
        fi
    fi
    # nothing was left bound to an iommufd: a second check answers the same
    run "$IOMMUCTL" apply --check "$BATS_TEST_TMPDIR/nest.yaml"
    [ "$want" = ok ] && assert_success || assert_failure 3
}
