#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# K_* and KV are read by the helpers and the tests:
# shellcheck disable=SC2034,SC2153
# In-guest: the iommufd library (src/lib/iommufd*.c) against the real kernel, through the
# test programs tests/uapi/ioas-smoke and session-tree (built next to iommuctl by `make`).
# ioas-smoke opens an iommufd session, makes an IOAS, binds a device (the edu device on
# vfio-pci, or the kernel's selftest mock), reads hw_info and the IOVA ranges, maps and
# unmaps, attaches a paging HWPT, probes features and lets the session destroy it all.
# session-tree builds a tree of objects on the mock (nested HWPTs, a vIOMMU and what hangs
# off it) and has the session destroy it, asking the kernel behind its back what it refuses
# and what it no longer knows. Both print key=value lines that are checked here against
# sysfs and the ABI's documented behaviour. The ground truth never comes from the library.

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

# tree: run session-tree; KV as smoke(), and the objects the session destroyed, in order:
# FIRST when it destroyed the vIOMMU, THEN in destroy_all.
tree() {
    local prog l phase=
    prog=$(dirname "$IOMMUCTL")/tests/session-tree
    [ -x "$prog" ] || fail "no $prog: run make (tests/uapi/uapi.mk builds it)"
    run "$prog"
    echo "$output" >&2
    declare -gA KV=()
    declare -ga FIRST=() THEN=()
    while IFS= read -r l; do
        case $l in
        phase=*) phase=${l#phase=} ;;
        destroyed=*) if [ "$phase" = viommu ]; then FIRST+=("${l#destroyed=}"); else THEN+=("${l#destroyed=}"); fi ;;
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

@test "mock device: IOAS, bind, hw_info of the selftest type" {
    need_test_kernel
    smoke
    assert_equal "$(kv iommufd device failed)" "/dev/iommu mock 0"
    assert_success
    # IOMMU_HW_INFO_TYPE_SELFTEST and its fixed register value
    assert_equal "$(kv hw_info.type hw_info.selftest.test_reg)" "$((0xfeedbeef)) 0xdeadbeef"
}

@test "mock device: iommuctl decodes the driver data the kernel gave" {
    need_test_kernel
    smoke
    local raw=${KV[hw_info.raw]} bytes= i
    [ -n "$raw" ] || fail "the program printed no hw_info.raw"
    for ((i = 0; i < ${#raw}; i += 2)); do bytes+="\\x${raw:i:2}"; done
    printf "$bytes" >"$BATS_TEST_TMPDIR/mock.bin"
    run "$IOMMUCTL" --json hw-info --raw "$BATS_TEST_TMPDIR/mock.bin" --type selftest
    assert_success
    json=$output
    assert_equal "$(jqt '"\(.hw_info.kind) \(.hw_info.raw)"')" "selftest $raw"
    assert_equal "$(jqt '.hw_info.registers[] | select(.name == "test_reg") | "\(.value) \(.fields[0].meaning)"')" \
        "0xdeadbeef the mock's fixed value"
}

@test "mock device: the IOVA ranges are the mock aperture minus the reserved range" {
    need_test_kernel
    smoke
    # aperture [16 MiB, 2 GiB - 1] (iommufd_test.h); the program reserves 1 MiB at 1 GiB
    assert_equal "${RANGES[*]}" "0x1000000-0x3fffffff 0x40100000-0x7fffffff"
}

@test "mock device: a fixed-IOVA mapping is in the mock domain; unmap returns its length" {
    need_test_kernel
    smoke
    assert_equal "$(kv map.iova map.again map.in_domain map.unmapped)" \
        "${KV[fixed_iova]} EEXIST yes 0x10000"
    assert_equal "$(kv auto_map.iova copy.unmapped map_file.unmapped)" \
        "${KV[auto_map.iova]} 0x10000 0x10000"
    # only file mappings can be charged to another process (IOMMU_IOAS_CHANGE_PROCESS)
    assert_equal "$(kv change_process.file change_process.anon)" "ok EINVAL"
}

@test "mock device: with a 1 MiB window allowed the kernel maps inside it; a window over a reserved range is refused" {
    need_test_kernel
    smoke
    local lo=${KV[fixed_iova]} at=${KV[allow.auto_iova]:-none}
    [ "$at" != none ] || fail "no mapping was made with the window allowed"
    # the IOVA the kernel chose, against the window asked for [fixed_iova, fixed_iova + 1 MiB)
    ((at >= lo && at + 0x10000 <= lo + 0x100000)) || fail "IOVA $at is outside the window at $lo"
    assert_equal "$(kv allow.over_reserved allow.reset)" "EADDRINUSE ok"
}

@test "mock device: the session destroys all it made, the kernel refusing none of it" {
    need_test_kernel
    smoke
    assert_equal "$(kv destroy_all objects_left failed)" "ok 0 0"
}

@test "mock device: a paging HWPT is attached and maps" {
    need_test_kernel
    smoke
    [ -n "${KV[hwpt]:-}" ] || fail "no HWPT allocated"
    assert_equal "$(kv hwpt.attached hwpt_map.again hwpt_map.in_domain hwpt_map.unmapped)" \
        "${KV[hwpt]} EEXIST yes 0x10000"
}

@test "mock device: every 7.3 ioctl is known; NEST_PARENT and DIRTY_TRACKING are supported" {
    need_test_kernel
    smoke
    run grep -c '^probe\.ioctl\..*=known$' <<<"$output"
    assert_output 22
    assert_equal "$(kv probe.hwpt.NEST_PARENT probe.hwpt.DIRTY_TRACKING option.huge_pages)" \
        "supported supported 1"
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

@test "session on the mock: a tree of twelve objects, each recorded with its kind and parent" {
    need_test_kernel
    tree
    assert_success
    assert_equal "$(kv objects failed refused)" "12 0 0"
    assert_equal "$(kv object.mock object.dirty object.nested object.iopf object.vdev object.hwq1)" \
        "mock_device ioas hwpt_paging ioas hwpt_nested parent hwpt_nested viommu vdevice viommu hw_queue viommu"
    # the mock vIOMMU's data comes back as it went in: the driver data reached the kernel
    assert_equal "${KV[viommu.out_data]}" 0xbeef
}

@test "session on the mock: the kernel refuses to destroy a parent while its children live" {
    need_test_kernel
    tree
    # asked behind the session's back: EBUSY for each (an IOMMU_DESTROY that worked would say so)
    assert_equal "$(kv busy.ioas busy.parent busy.viommu busy.hwq0 busy.faultq busy.iopf)" \
        "EBUSY EBUSY EBUSY EBUSY EBUSY EBUSY"
    # the HW queue pins its page of the parent's IOAS
    assert_equal "${KV[hw_queue.unmap]}" EBUSY
}

@test "session on the mock: destroying the vIOMMU takes what hangs off it first; the kernel then knows none of it" {
    need_test_kernel
    tree
    assert_equal "${FIRST[*]}" "hwq1 hwq0 veventq iopf vdev viommu"
    assert_equal "$(kv gone.viommu gone.vdev gone.iopf gone.veventq gone.hwq0 gone.hwq1)" \
        "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT"
    # the mock was moved to the dirty-tracking HWPT before: it and the rest stay
    assert_equal "$(kv objects_after_viommu busy.dirty unmap.after)" "6 EBUSY 0x10000"
}

@test "session on the mock: destroy_all goes by dependency, the mock before the HWPT made after it" {
    need_test_kernel
    tree
    # the reverse of allocation would destroy dirty before the mock attached to it: EBUSY
    assert_equal "${THEN[*]}" "faultq nested parent mock dirty ioas"
    assert_equal "$(kv gone.ioas gone.mock gone.mock_dev gone.dirty gone.parent gone.nested gone.faultq)" \
        "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT"
    assert_equal "$(kv objects_left refused failed)" "0 0 0"
    assert_success
}

@test "session on the mock: dirty bits the mock sets are read back; IOTLB entries invalidated one, then all" {
    need_test_kernel
    tree
    # pages 1 and 3 of 16 marked: bitmap 0b1010, kept by NO_CLEAR, cleared by the next read
    assert_equal "$(kv option.huge_pages dirty.marked dirty.no_clear dirty.read dirty.after)" "0 2 0xa 0xa 0x0"
    assert_equal "${KV[iotlb.before]}" "default default default default"
    assert_equal "$(kv invalidate.one iotlb.one)" "1 default 0 default default"
    assert_equal "$(kv invalidate.all iotlb.all)" "1 0 0 0 0"
}
