#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
load helpers

@test "show: group and device text match golden" {
	golden intel-server show-group-ich9.txt show "$(group_of intel-server 0000:00:1f.0)"
	golden intel-server show-group-nvme.txt show "$(group_of intel-server 0000:02:00.0)"
	golden intel-server show-device-02.txt show 0000:02:00.0
	golden intel-server show-device-1f3.txt show 00:1f.3
}

@test "show GROUP --json: the group, its members' details, regions and viability" {
	local g
	g=$(group_of intel-server 0000:00:1f.0)
	run ictl --sysroot "$FIX/intel-server" --json show "$g"
	assert_success
	jq_true ".group.group == $g"
	jq_true '(.group.device_info | map(.device)) == .group.devices
		and .group.viable == false and (.group.reserved_regions | length) >= 1'
}

@test "show DEVICE --json: the device and its group" {
	run ictl --sysroot "$FIX/intel-server" --json show 02:00.0
	assert_success
	jq_true '.device.device == "0000:02:00.0" and .device.driver == "vfio-pci"
		and .device.group_info.group == .device.group and .device.group_info.viable == true'
}

@test "show: the short and long forms of a PCI address are the same device" {
	run ictl --sysroot "$FIX/intel-server" --json show 00:02.0
	local a=$output
	run ictl --sysroot "$FIX/intel-server" --json show 0000:00:02.0
	assert_equal "$output" "$a"
	run ictl --sysroot "$FIX/intel-server" --json show 0000:00:1F.3
	assert_success
	jq_true '.device.device == "0000:00:1f.3"'
}

@test "show: bad device names are usage errors (exit 2) with a clear message" {
	for bad in "../" "../../etc/passwd" "" "0000:00:02" "00:2.0" "0000:00:02.8" "0000:00:20.0" \
		"zz:00.0" "0000:00:02.0/../x" "0:00:02.0" "00000:00:02.0" "0000:00:02.0 " "1:2:3" \
		"$(printf 'a%.0s' {1..300})" "0000:00:02.0x" ".hidden"; do
		run ictl --sysroot "$FIX/intel-server" show "$bad"
		[ "$status" -eq 2 ] || { echo "'$bad' gave exit $status: $output"; return 1; }
		assert_output --regexp "^iommuctl: (invalid device name|empty device name|device name is too long|invalid device name .*: device must be)"
		[ "${#lines[@]}" -eq 1 ]
	done
}

@test "show: a well-formed but absent device or group is 'not found' (exit 4)" {
	run ictl --sysroot "$FIX/intel-server" show 0000:7f:00.0
	assert_failure 4
	assert_output "iommuctl: no device 0000:7f:00.0 on this system (see 'iommuctl devices')"
	run ictl --sysroot "$FIX/intel-server" show 4242
	assert_failure 4
	assert_output "iommuctl: no IOMMU group 4242 on this system (see 'iommuctl groups')"
}

@test "show: group numbers are strict" {
	for bad in 007 99999999999 4294967296; do
		run ictl --sysroot "$FIX/intel-server" show "$bad"
		assert_failure 2
		assert_output --partial "invalid group"
	done
}

@test "show: a device without an IOMMU says it has no group" {
	local d
	d=$(ls "$FIX/no-iommu/sys/bus/pci/devices" | head -1)
	run ictl --sysroot "$FIX/no-iommu" show "$d"
	assert_success
	assert_line --regexp '^  Group: +none'
}
