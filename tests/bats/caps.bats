#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# caps from captured registers (the kernel's side is tested in bats/vm/).
load helpers

@test "caps: Intel answers come from the cap/ecap fields sysfs shows" {
	local u=$FIX/intel-server/sys/class/iommu/dmar0/intel-iommu ecap cap
	ecap=$((16#$(cat "$u/ecap")))
	cap=$((16#$(cat "$u/cap")))
	run ictl --sysroot "$FIX/intel-server" --json caps 00:02.0
	assert_success
	jq_true '.caps.source == "sysfs" and (.caps.capabilities | length) == 8
		and all(.caps.capabilities[]; .kernel == null)'
	# each answer is the bit the specification names (VT-d 11.4.3: NEST 26, FLTS 47, SLADS 45, PASID 40, DT 2)
	for pair in nest-parent:26 nested-stage1:47 dirty-tracking:45 pasid:40 ats:2; do
		local want=false
		(( (ecap >> ${pair#*:}) & 1 )) && want=true
		jq_true "(.caps.capabilities[] | select(.capability == \"${pair%%:*}\") | .hardware) == $want"
	done
	# page sizes: 4K always, SLLPS (cap bits 37:34) bit 0 = 2M, bit 1 = 1G
	local sl=$(( (cap >> 34) & 0xf )) want=4K
	(( sl & 1 )) && want="$want, 2M"
	(( sl & 2 )) && want="$want, 1G"
	jq_true "(.caps.capabilities[] | select(.capability == \"page-sizes\") | .detail) == \"$want\""
	# the kernel's uAPI has vIOMMU types for SMMUv3 (and the selftest mock) only
	jq_true '(.caps.capabilities[] | select(.capability == "viommu")) as $v
		| $v.hardware == false and $v.source == "IOMMU_VIOMMU_TYPE_* (the kernel'"'"'s uAPI)"
		and $v.detail == "the uAPI has no vIOMMU type for intel-vtd"'
}

@test "caps: AMD answers come from EFR (GTSup bit 4, HDSup bit 52, PASmax 36:32)" {
	local f efr
	f=$(cat "$FIX"/amd-desktop/sys/class/iommu/ivhd0/amd-iommu/features)
	efr=$((16#${f%%:*}))
	run ictl --sysroot "$FIX/amd-desktop" --json caps 01:00.0
	assert_success
	local gt=false hd=false
	(( (efr >> 4) & 1 )) && gt=true
	(( (efr >> 52) & 1 )) && hd=true
	jq_true "(.caps.capabilities[] | select(.capability == \"nest-parent\") | .hardware) == $gt"
	jq_true "(.caps.capabilities[] | select(.capability == \"dirty-tracking\") | .hardware) == $hd"
	jq_true "(.caps.capabilities[] | select(.capability == \"pasid\") | .detail) == \"$(( ((efr >> 32) & 0x1f) + 1 ))-bit PASIDs (PASmax + 1)\""
	jq_true '(.caps.capabilities[] | select(.capability == "ats") | .hardware) == null'
}

@test "caps: text table and column selection" {
	run ictl --sysroot "$FIX/intel-server" caps 00:02.0 -o CAPABILITY,HW --raw --noheadings
	assert_success
	assert_line --regexp '^paging yes$'
	[ "${#lines[@]}" -eq 8 ]
}

@test "caps: errors are those of hw-info" {
	run ictl --sysroot "$FIX/arm64-smmuv3" caps 02:00.0
	assert_failure 3
	run ictl --sysroot "$FIX/no-iommu" caps 00:02.0
	assert_failure 3
	run ictl caps
	assert_failure 2
}
