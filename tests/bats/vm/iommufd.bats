#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# K_* and KV are read by the helpers and the tests:
# shellcheck disable=SC2034,SC2153
# In-guest: the iommufd library (src/lib/iommufd*.c) against the real kernel, through the
# test program tests/uapi/ioas-smoke (built next to iommuctl by `make`): it opens an iommufd
# session, makes an IOAS, binds the edu device on vfio-pci, reads hw_info and the IOVA ranges,
# maps and unmaps, attaches a paging HWPT, probes features and lets the session destroy it
# all. It prints key=value lines that are checked here against sysfs and the ABI's documented
# behaviour. The ground truth never comes from the library. The same on the kernel's selftest
# mock, which is the same code on every shape, is in mock.bats.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    case $VM_SHAPE in none | stock) return 0 ;; esac
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU
    sys_bind_vfio "$EDU"
    # QEMU's AMD IOMMU here comes without interrupt remapping ("AMD-Vi: Disabling interrupt
    # remapping" in dmesg), so the MSIs are not isolated and iommufd refuses to bind until
    # the administrator accepts that, as virtio's kernel arguments do at boot.
    if [ "$VM_SHAPE" = amd ]; then
        echo Y >"$UNSAFE"
    fi
}

UNSAFE=/sys/module/iommufd/parameters/allow_unsafe_interrupts

teardown_file() {
    [ "$VM_SHAPE" = amd ] && echo N >"$UNSAFE"
    [ -n "${EDU:-}" ] || return 0
    sys_unbind_vfio "$EDU"
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    SMOKE=$(dirname "$IOMMUCTL")/tests/ioas-smoke
    [ -x "$SMOKE" ] || fail "no $SMOKE: run make (tests/uapi/uapi.mk builds it)"
}

# The test kernel has iommufd and CONFIG_IOMMUFD_TEST; Debian's stock 6.12 has neither.
need_test_kernel() {
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 kernel has no iommufd"
}
need_edu_on_vfio() {
    need_test_kernel
    shape_has_iommu || skip "shape '$VM_SHAPE' has no IOMMU: vfio-pci cannot take a device"
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
    [ "$(sys_dev_driver "$EDU")" = vfio-pci ] || [ -e "/sys/bus/pci/devices/$EDU/vfio-dev" ] ||
        fail "vfio-pci did not take $EDU"
}

# smoke [DEVICE]: run the program; KV[key]=value of its output, RANGES the range= lines.
smoke() {
    run "$SMOKE" "$@"
    echo "$output" >&2
    declare -gA KV=()
    declare -ga RANGES=()
    local l
    while IFS= read -r l; do
        case $l in
        range=*) RANGES+=("${l#range=}") ;;
        *=*) KV[${l%%=*}]=${l#*=} ;;
        esac
    done <<<"$output"
}

# kv KEY...: "value value ..." of the keys, for one assert_equal over several facts
kv() {
    local k out=()
    for k in "$@"; do out+=("${KV[$k]-<none>}"); done
    echo "${out[*]}"
}

@test "stock kernel: no /dev/iommu, and the program says so" {
    [ "$VM_KERNEL_KIND" = stock ] || skip "only the stock kernel lacks iommufd"
    [ ! -e /dev/iommu ] || fail "Debian's 6.12 has /dev/iommu after all"
    smoke
    assert_equal "$status" 3
    assert_output --partial "no /dev/iommu: this kernel has no iommufd (CONFIG_IOMMUFD)"
}

@test "edu on vfio-pci: cdev bind and attach, hw_info, map and unmap" {
    need_edu_on_vfio
    smoke "$EDU"
    assert_equal "$(kv device cdev)" "$EDU $(ls "/sys/bus/pci/devices/$EDU/vfio-dev")"
    [ -n "${KV[dev_id]:-}" ] && [ -n "${KV[attach.hwpt]:-}" ] || fail "no bind or attach"
    assert_equal "$(kv map.iova map.again map.unmapped detach)" "${KV[fixed_iova]} EEXIST 0x10000 ok"
    assert_equal "$(kv copy.unmapped map_file.unmapped)" "0x10000 0x10000"
    assert_equal "$(kv change_process.file change_process.anon allow.in_window)" "ok EINVAL yes"
    assert_equal "$(kv destroy_all objects_left)" "ok 0"
}

@test "edu on vfio-pci: VFIO_DEVICE_GET_INFO of the bound cdev shows vfio-pci's fixed regions and IRQs" {
    need_edu_on_vfio
    smoke "$EDU"
    # VFIO_PCI_NUM_REGIONS (6 BARs, ROM, config, VGA) and VFIO_PCI_NUM_IRQS (INTx, MSI, MSI-X,
    # ERR, REQ): the ABI's fixed indexes; edu has no device-specific regions
    assert_equal "$(kv info.pci info.num_regions info.num_irqs)" "1 9 5"
}

@test "edu on vfio-pci: the IOVA ranges exclude every reserved region of its group" {
    need_edu_on_vfio
    smoke "$EDU"
    [ ${#RANGES[@]} -gt 0 ] || fail "no IOVA ranges"
    local g start end kind r lo hi bad=""
    g=$(sys_dev_group "$EDU")
    while read -r start end kind; do
        for r in "${RANGES[@]}"; do
            lo=${r%-*} hi=${r#*-}
            # an overlap: the range starts at or before the region's end and ends at or after its start
            if ((lo <= end && hi >= start)); then bad+=" $start-$end($kind)/$r"; fi
        done
    done <"/sys/kernel/iommu_groups/$g/reserved_regions"
    assert_equal "${bad:-none}" none
}

@test "edu on vfio-pci: intel hw_info is type 1 with sysfs's cap and ecap" {
    need_edu_on_vfio
    [[ $VM_SHAPE == intel* ]] || skip "hw_info registers are checked on the intel shapes"
    smoke "$EDU"
    local u cap ecap
    u=$(sys_dev_iommu "$EDU")
    read -r cap <"/sys/class/iommu/$u/intel-iommu/cap"
    read -r ecap <"/sys/class/iommu/$u/intel-iommu/ecap"
    assert_equal "$(kv hw_info.type hw_info.vtd.cap hw_info.vtd.ecap)" "1 0x$cap 0x$ecap"
}

@test "edu on vfio-pci: QEMU's vIOMMU refuses NEST_PARENT and DIRTY_TRACKING with EOPNOTSUPP" {
    need_edu_on_vfio
    smoke "$EDU"
    assert_equal "$(kv probe.hwpt.NEST_PARENT probe.hwpt.DIRTY_TRACKING)" "EOPNOTSUPP EOPNOTSUPP"
}

@test "edu on vfio-pci: a paging HWPT is attached in place of the automatic one" {
    need_edu_on_vfio
    smoke "$EDU"
    [ -n "${KV[hwpt]:-}" ] || fail "no HWPT allocated: ${KV[hwpt.error]:-}"
    assert_equal "${KV[hwpt.attached]}" "${KV[hwpt]}"
    # (on Debian's 6.12, virtio-iommu gave such an HWPT an empty aperture; 7.3 maps)
    assert_equal "$(kv hwpt_map.again hwpt_map.unmapped)" "EEXIST 0x10000"
}

@test "amd without interrupt remapping: bind is refused with EPERM, and the message says why" {
    need_edu_on_vfio
    [ "$VM_SHAPE" = amd ] || skip "only the amd shape lacks interrupt remapping"
    echo N >"$UNSAFE"
    smoke "$EDU"
    echo Y >"$UNSAFE"
    assert_failure 1
    assert_output --partial "bind.error=EPERM VFIO_DEVICE_BIND_IOMMUFD on $EDU"
    assert_output --partial "iommufd.allow_unsafe_interrupts=1"
}
