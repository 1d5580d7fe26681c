#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
load helpers

@test "explain: text matches golden" {
	golden intel-server explain-7.txt explain 7
	golden intel-server explain-8.txt explain 8
	golden intel-server explain-9.txt explain 9
}

@test "explain: the ICH9 functions share a group because the multifunction device lacks ACS" {
	run ictl --sysroot "$FIX/intel-server" --json explain 7
	assert_success
	jq_true '.explain.isolated == false and
		all(.explain.findings[]; .kind == "multifunction-without-acs")'
	jq_true 'all(.explain.pci_path[]; .multifunction and .acs.present == false)'
}

@test "explain: the ACS registers reported are the bytes of config space" {
	run ictl --sysroot "$FIX/intel-server" --json explain 8
	assert_success
	# find the ACS extended capability (ID 0x000d) of the root port in the raw config file
	local cfg=$FIX/intel-server/sys/bus/pci/devices/0000:00:1c.0/config off=256 hdr id
	local capreg ctlreg
	while [ "$off" -ne 0 ]; do
		hdr=$(od -An -tx4 -j "$off" -N4 "$cfg" | tr -d ' ')
		id=$((16#${hdr:4:4}))
		if [ "$id" -eq 13 ]; then
			capreg=$(od -An -tx2 -j $((off + 4)) -N2 "$cfg" | tr -d ' ')
			ctlreg=$(od -An -tx2 -j $((off + 6)) -N2 "$cfg" | tr -d ' ')
			break
		fi
		off=$((16#${hdr:0:3} & ~3))
	done
	[ -n "$capreg" ]
	jq_true "(.explain.pci_path[] | select(.device == \"0000:00:1c.0\") | .acs) |
		.capability == \"0x$capreg\" and .control == \"0x$ctlreg\""
}

@test "explain: a lone device is isolated" {
	run ictl --sysroot "$FIX/intel-server" --json explain 9
	assert_success
	jq_true '.explain.isolated and .explain.findings[0].kind == "alone"'
}

@test "explain: every finding on every fixture names a kind, a device and a message" {
	for f in intel-server amd-desktop arm64-smmuv3 virtio-guest; do
		for g in $(ls "$FIX/$f/sys/kernel/iommu_groups"); do
			run ictl --sysroot "$FIX/$f" --json explain "$g"
			assert_success
			jq_true '(.explain.findings | length) == .explain.devices and
				all(.explain.findings[]; (.kind|type)=="string" and (.device|type)=="string"
				and (.message|length) > 20)'
		done
	done
}

@test "explain: the big chipset group of amd-desktop names the link that breaks isolation" {
	local g
	g=$(ictl --sysroot "$FIX/amd-desktop" --json groups | jq '[.groups[] | select(.devices|length > 2)][0].group')
	[ "$g" != null ]
	run ictl --sysroot "$FIX/amd-desktop" --json explain "$g"
	assert_success
	jq_true 'any(.explain.findings[]; .kind == "upstream-without-acs" or .kind == "multifunction-without-acs")'
	jq_true 'all(.explain.findings[]; .link != null)'
}

@test "explain: bad and absent groups" {
	run ictl --sysroot "$FIX/intel-server" explain x1
	assert_failure 2
	run ictl --sysroot "$FIX/intel-server" explain 555
	assert_failure 4
	run ictl --sysroot "$FIX/no-iommu" explain 0
	assert_failure 4
}
