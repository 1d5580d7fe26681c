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
    [ -n "$VM_SHAPE" ] || return 0
    [ "$VM_SHAPE" != none ] || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU
    [ "$VM_KERNEL_KIND" = stock ] || sys_bind_vfio "$EDU"
}

teardown_file() {
    [ -n "${EDU:-}" ] && [ "$VM_KERNEL_KIND" != stock ] || return 0
    sys_unbind_vfio "$EDU"
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
    amd) assert_output --regexp "efr\.(GTSup|GIOSup)" ;;
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
