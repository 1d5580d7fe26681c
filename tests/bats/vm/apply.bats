#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# K_* are read by the helpers:
# shellcheck disable=SC2034,SC2153
# In-guest: apply --check against the live kernel.  The host's view comes from the running
# system: the edu device and its group's reserved regions from sysfs, its IOMMU through
# iommufd (edu on vfio-pci) or sysfs, the selftest mock's unit, the probed ioctls.  The
# expectations come from the shape QEMU was given (intel-iommu has no NEST; the MSI window
# is 0xfee00000-0xfeefffff on x86), never from iommuctl itself.

# edu is put on vfio-pci where the kernel has iommufd, so its IOMMU is asked through it; on
# Debian's stock kernel (no iommufd) the registers come from sysfs.
setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    edu_iommufd_setup_file
}

teardown_file() {
    edu_iommufd_teardown_file
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    EX=$(cd "$BATS_TEST_DIRNAME/../../../examples" && pwd)
    S=$BATS_TEST_TMPDIR/spec.yaml
}

need_edu() {
    shape_has_iommu || skip "shape '$VM_SHAPE' has no IOMMU"
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
}

@test "apply --check: the selftest mock example is clean on the test kernel, refused on the stock one" {
    run "$IOMMUCTL" apply --check "$EX/selftest-mock.yaml"
    if [ "$VM_KERNEL_KIND" = stock ]; then
        assert_equal "$status" 3
        assert_output --partial "needs a kernel built with CONFIG_IOMMUFD_TEST"
        return
    fi
    [ -n "$(compgen -G '/sys/class/iommu/iommufd_selftest_iommu*')" ] ||
        fail "the test kernel has no selftest IOMMU unit: harness broken"
    assert_success
    assert_output --partial "ok: 0 errors, 0 warnings (against the live system)"
}

@test "apply --check: a nest parent for edu is refused, naming the register field" {
    [ "$VM_SHAPE" != virtio ] || skip "virtio-iommu shows no registers to check"
    need_edu
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas: [{name: ram, mappings: [{iova: 0x0, size: 1M}]}]
	hwpts: [{name: s2, ioas: ram, device: edu, flags: [nest-parent]}]
	EOF
    run "$IOMMUCTL" apply --check "$S"
    echo "# ${lines[0]}" >&3
    assert_equal "$status" 3
    case $VM_SHAPE in
    intel | intel-sm | stock) assert_output --partial "ecap_reg.NEST (bit 26) = 0" ;;
    # edu is bound to iommufd here (unsafe interrupts allowed), so the kernel is asked; where
    # the registers do not already say no, its EOPNOTSUPP is the finding
    amd) assert_output --regexp "efr\.(GTSup|GIOSup)|the kernel refused it for edu: IOMMU_HWPT_ALLOC NEST_PARENT: EOPNOTSUPP" ;;
    esac
}

@test "apply --check: a mapping on edu's MSI window is refused, naming the reserved region" {
    need_edu
    local g=${K_GROUP[$EDU]}
    grep -q '^0x00000000fee00000 0x00000000feefffff msi$' "/sys/kernel/iommu_groups/$g/reserved_regions" ||
        fail "group $g has no MSI window at 0xfee00000: $(cat "/sys/kernel/iommu_groups/$g/reserved_regions")"
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas: [{name: ram, mappings: [{iova: 0xfee00000, size: 4K}]}]
	attach: [{device: edu, ioas: ram}]
	EOF
    run "$IOMMUCTL" apply --check "$S"
    assert_equal "$status" 3
    assert_output --partial "overlaps the msi region 0xfee00000-0xfeefffff of edu's group $g"
}

@test "apply --check: guest RAM for edu around the MSI window is clean, live" {
    need_edu
    cat >"$S" <<-EOF
	options: {rlimit_mode: process}
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: ram
	    allow: [0x0-0xfedfffff]
	    huge_pages: true
	    mappings:
	      - {name: low, iova: 0x0, size: 16M, memory: memfd}
	      - {size: 64K}
	  - name: copy
	    mappings: [{iova: 0x100000, size: 4K, copy: {mapping: low}}]
	hwpts: [{name: pt, ioas: ram, device: edu}]
	attach: [{device: edu, hwpt: pt}]
	EOF
    run "$IOMMUCTL" apply --check "$S"
    assert_success
    assert_output --partial "ok: 0 errors"
}

# --- apply: making the objects ------------------------------------------------------------

# A spec for edu on its IOMMU: a fixed and a kernel-chosen mapping, a paging HWPT, attached.
edu_spec() {
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: ram
	    mappings:
	      - {name: low, iova: 0x100000, size: 64K}
	      - {name: any, size: 8K, memory: memfd, access: r}
	      - {name: big, iova: 0x40000000, size: ${1:-2M}, memory: ${2:-anon}}
	hwpts: [{name: pt, ioas: ram, device: edu}]
	attach: [{device: edu, hwpt: pt}]
	EOF
}

need_edu_iommufd() {
    need_edu
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd (CONFIG_IOMMUFD is off)"
    [ -x "$IOFD" ] || fail "no $IOFD: run make (tests/uapi/uapi.mk builds it)"
}

@test "apply: edu on its IOMMU, a paging HWPT attached; the command finds the mappings; edu stays as it was" {
    need_edu_iommufd
    edu_spec
    local before
    before=$(snapshot "$EDU")
    run --separate-stderr "$IOMMUCTL" apply "$S" -- sh -c '
        echo "low: $("$0" unmap ram 0x100000 0x10000)"
        echo "any: $("$0" unmap ram "$("$0" iova any)" 0x2000)"
        echo "ram busy: $("$0" destroy ram)"
        echo "devices: $IOMMUCTL_DEVICES ids $IOMMUCTL_DEV_IDS"' "$IOFD"
    echo "$output" | sed 's/^/# /' >&3
    assert_success
    assert_line "low: unmapped=0x10000"
    assert_line "any: unmapped=0x2000"
    assert_line "ram busy: error=EBUSY"
    assert_line --regexp "^devices: $EDU ids [0-9]+$"
    assert_line --regexp "attach device 'edu' to hwpt 'pt' \(VFIO_DEVICE_ATTACH_IOMMUFD_PT\): #[0-9]+$"
    # edu was on vfio-pci before (setup_file): apply claimed nothing, so it stays there
    assert_equal "$(snapshot "$EDU")" "$before"
}

@test "apply: a failure midway undoes everything, and a group apply claimed goes back" {
    need_edu_iommufd
    sys_unbind_vfio "$EDU"
    local before
    before=$(snapshot "$EDU")
    # 1G of hugetlb pages this guest does not have: the check cannot know, mmap fails
    echo 0 >/proc/sys/vm/nr_hugepages
    edu_spec 1G hugetlb-1G
    run --separate-stderr "$IOMMUCTL" apply "$S" --hold
    local after
    after=$(snapshot "$EDU")
    echo "$output" | sed 's/^/# /' >&3
    echo "# $stderr" >&3
    sys_bind_vfio "$EDU"
    assert_equal "$status" 1
    assert_line "    1. claim group ${K_GROUP[$EDU]} for vfio-pci"
    assert_line --regexp "map 'big', 1G of hugetlb-1G at 0x40000000 in ioas 'ram' \(IOMMU_IOAS_MAP\): FAILED"
    assert_line "Result: failed; everything made was undone"
    [[ $stderr == *"reserve free huge pages first"* ]] || fail "no advice in: $stderr"
    # no step after the failure was taken, and edu is back where it was
    refute_line --partial "hwpt 'pt'"
    assert_line --regexp "^Apply ended: the apply failed; 0 objects destroyed; released group ${K_GROUP[$EDU]}$"
    assert_equal "$before" "$EDU - (null)"
    assert_equal "$after" "$before"
}
