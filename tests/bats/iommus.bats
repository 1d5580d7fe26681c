#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
load helpers

@test "iommus: text output matches golden on every fixture with an IOMMU" {
	for f in intel-server amd-desktop arm64-smmuv3 arm64-smmuv3-dt virtio-guest; do
		golden "$f" iommus.txt iommus
	done
}

@test "iommus: no IOMMU is exit 3 with one line" {
	run --separate-stderr ictl --sysroot "$FIX/no-iommu" iommus
	assert_failure 3
	assert_equal "$stderr" "iommuctl: no IOMMU is active in $FIX/no-iommu (sys/class/iommu is empty)"
}

@test "iommus --json: exactly the units of /sys/class/iommu, each with the right kind" {
	declare -A kind=([intel-server]=intel-vtd [amd-desktop]=amd-vi [arm64-smmuv3]=arm-smmu-v3
		[virtio-guest]=virtio-iommu [arm64-smmuv3-dt]=arm-smmu-v3)
	for f in "${!kind[@]}"; do
		run ictl --sysroot "$FIX/$f" --json iommus
		assert_success
		local want
		want=$(ls "$FIX/$f/sys/class/iommu" | jq -R . | jq -sc 'sort')
		jq_true "([.iommus[].iommu] | sort) == $want"
		jq_true "all(.iommus[]; .kind == \"${kind[$f]}\")"
		for u in $(ls "$FIX/$f/sys/class/iommu"); do
			want=$(ls "$FIX/$f/sys/class/iommu/$u/devices" | jq -R . | jq -sc 'sort')
			jq_true "(.iommus[] | select(.iommu == \"$u\") | .devices | sort) == $want"
		done
	done
}

@test "iommus: Intel cap and ecap equal the kernel's sysfs registers" {
	run ictl --sysroot "$FIX/intel-server" --json iommus
	assert_success
	local d=$FIX/intel-server/sys/class/iommu/dmar0/intel-iommu
	jq_true ".iommus[0].attributes.cap == \"0x$(cat "$d/cap")\" and
		.iommus[0].attributes.ecap == \"0x$(cat "$d/ecap")\" and
		.iommus[0].attributes.version == \"$(cat "$d/version")\""
}

@test "iommus: AMD EFR (and EFR2) split from amd-iommu/features" {
	run ictl --sysroot "$FIX/amd-desktop" --json iommus
	assert_success
	local u features
	u=$(ls "$FIX/amd-desktop/sys/class/iommu" | head -1)
	features=$(cat "$FIX/amd-desktop/sys/class/iommu/$u/amd-iommu/features")
	jq_true "(.iommus[] | select(.iommu == \"$u\") | .attributes.efr) == (\"0x\" + (\"${features%%:*}\" | ltrimstr(\"0x\") | sub(\"^0+(?=.)\"; \"\")))"
}

@test "iommus: the groups a unit serves are those of its devices" {
	run ictl --sysroot "$FIX/intel-server" --json iommus
	assert_success
	local want
	want=$(for d in "$FIX"/intel-server/sys/class/iommu/dmar0/devices/*; do
		basename "$(readlink "$d/iommu_group")"; done | sort -un | jq -R 'tonumber' | jq -sc .)
	jq_true ".iommus[0].groups == $want"
}
