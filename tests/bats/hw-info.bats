#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# hw-info's sources and errors (decoding itself: decode.bats; the live kernel: bats/vm/).
load helpers

@test "hw-info: without /dev/iommu, Intel registers come from sysfs and equal it" {
	local u=$FIX/intel-server/sys/class/iommu/dmar0/intel-iommu
	run --separate-stderr ictl --sysroot "$FIX/intel-server" --json hw-info 00:02.0
	assert_success
	jq_true ".hw_info.source == \"sysfs\" and .hw_info.kind == \"intel-vtd\" and .hw_info.type == 1
		and .hw_info.iommu == \"dmar0\" and .hw_info.capabilities == null"
	jq_true "(.hw_info.registers[] | select(.name == \"cap_reg\") | .value) == \"0x$(cat "$u/cap")\""
	jq_true "(.hw_info.registers[] | select(.name == \"ecap_reg\") | .value) == \"0x$(cat "$u/ecap")\""
}

@test "hw-info: AMD EFR comes from amd-iommu/features" {
	local f
	f=$(cat "$FIX"/amd-desktop/sys/class/iommu/ivhd0/amd-iommu/features)
	run ictl --sysroot "$FIX/amd-desktop" --json hw-info 01:00.0
	assert_success
	jq_true ".hw_info.source == \"sysfs\" and (.hw_info.registers[] | select(.name == \"efr\") | .value) == \"0x${f%%:*}\""
}

@test "hw-info: a unit whose registers sysfs does not show, without iommufd, is 'not supported' (exit 3)" {
	run ictl --sysroot "$FIX/arm64-smmuv3" hw-info 02:00.0
	assert_failure 3
	assert_output "iommuctl: 0000:02:00.0: iommufd is missing (no /dev/iommu: the kernel lacks CONFIG_IOMMUFD); and sysfs shows no registers of arm-smmu-v3 units (smmu3.0x0000000009050000)"
}

@test "hw-info: a device without an IOMMU (exit 3), an absent one (exit 4), a bad name (exit 2)" {
	run ictl --sysroot "$FIX/no-iommu" hw-info 00:02.0
	assert_failure 3
	assert_output --partial "is not behind an IOMMU"
	run ictl --sysroot "$FIX/intel-server" hw-info 00:1e.0
	assert_failure 4
	run ictl --sysroot "$FIX/intel-server" hw-info ../../x
	assert_failure 2
}

@test "hw-info: with iommufd, a device not on vfio-pci is refused with how to bind it" {
	local t=$BATS_TEST_TMPDIR/with-iommufd
	cp -a "$FIX/intel-server" "$t"
	: > "$t/dev/iommu"
	run ictl --sysroot "$t" hw-info 00:02.0
	assert_failure 6
	assert_output --partial "0000:00:02.0 is bound to e1000e, not on vfio-pci"
	assert_output --partial "echo vfio-pci > /sys/bus/pci/devices/0000:00:02.0/driver_override"
	# --sysfs still reads the registers
	run ictl --sysroot "$t" --json hw-info --sysfs 00:02.0
	assert_success
	jq_true '.hw_info.source == "sysfs"'
}

@test "hw-info: usage errors" {
	run ictl hw-info
	assert_failure 2
	assert_output --partial "missing DEVICE"
	run ictl hw-info --raw /dev/null
	assert_failure 2
	assert_output --partial "--raw needs --type"
	run ictl hw-info --type intel-vtd 00:02.0
	assert_failure 2
	run ictl hw-info --raw /dev/null --type intel-vtd 00:02.0
	assert_failure 2
	run ictl hw-info --raw /nonexistent --type intel-vtd
	assert_failure 2
	assert_output --partial "--raw /nonexistent: No such file or directory"
}
