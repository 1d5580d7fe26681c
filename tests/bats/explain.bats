#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
load helpers

@test "explain: text matches golden" {
	golden intel-server explain-ich9.txt explain "$(group_of intel-server 0000:00:1f.0)"
	golden intel-server explain-nic.txt explain "$(group_of intel-server 0000:01:00.0)"
	golden intel-server explain-nvme.txt explain "$(group_of intel-server 0000:02:00.0)"
	golden amd-desktop explain-chipset.txt explain "$(group_of amd-desktop 0000:00:02.0)"
	golden arm64-smmuv3-dt explain-all.txt explain "$(group_of arm64-smmuv3-dt 0000:00:01.0)"
}

@test "explain: the ICH9 functions share a group because the multifunction device lacks ACS" {
	run ictl --sysroot "$FIX/intel-server" --json explain "$(group_of intel-server 0000:00:1f.0)"
	assert_success
	jq_true '.explain.isolated == false and
		all(.explain.findings[]; .kind == "multifunction-without-acs")'
	jq_true 'all(.explain.pci_path[]; .multifunction and .acs.present == false)'
}

@test "explain: the ACS registers reported are the bytes of config space" {
	run ictl --sysroot "$FIX/intel-server" --json explain "$(group_of intel-server 0000:01:00.0)"
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
	run ictl --sysroot "$FIX/intel-server" --json explain "$(group_of intel-server 0000:02:00.0)"
	assert_success
	jq_true '.explain.isolated and .explain.findings[0].kind == "alone"'
}

@test "explain: every finding on every fixture names a kind, a device and a message" {
	for f in intel-server amd-desktop arm64-smmuv3 arm64-smmuv3-dt virtio-guest; do
		for g in $(ls "$FIX/$f/sys/kernel/iommu_groups"); do
			run ictl --sysroot "$FIX/$f" --json explain "$g"
			assert_success
			jq_true '(.explain.findings | length) == .explain.devices and
				all(.explain.findings[]; (.kind|type)=="string" and (.device|type)=="string"
				and (.message|length) > 20)'
		done
	done
}

@test "explain: the big chipset group of amd-desktop names the root ports without ACS" {
	run ictl --sysroot "$FIX/amd-desktop" --json explain "$(group_of amd-desktop 0000:00:02.0)"
	assert_success
	# every device behind a root port names that port as the broken link
	for p in "$FIX"/amd-desktop/sys/bus/pci/devices/*; do
		local d=${p##*/} up
		up=$(basename "$(dirname "$(readlink -f "$p")")")
		[ "$(group_of amd-desktop "$d")" = "$(group_of amd-desktop 0000:00:02.0)" ] || continue
		case $up in 0000:*) ;; *) continue ;; esac
		jq_true "any(.explain.findings[]; .device == \"$d\" and .kind == \"upstream-without-acs\" and .link == \"$up\")"
	done
	jq_true 'all(.explain.findings[]; .link != null)'
	jq_true 'all(.explain.pci_path[] | select(.pcie_type == "root-port"); .acs.present == false)'
}

@test "explain: on a device-tree boot everything behind the root ports is one group, and explain says why" {
	run ictl --sysroot "$FIX/arm64-smmuv3-dt" --json explain "$(group_of arm64-smmuv3-dt 0000:00:01.0)"
	assert_success
	jq_true '.explain.isolated == false and (.explain.findings | length) > 2'
	jq_true 'all(.explain.findings[]; .kind != "alone")'
}

@test "explain: bad and absent groups" {
	run ictl --sysroot "$FIX/intel-server" explain x1
	assert_failure 2
	run ictl --sysroot "$FIX/intel-server" explain 555
	assert_failure 4
	# no group at all: the system has no IOMMU (3, as for groups), not a wrong number (4)
	run ictl --sysroot "$FIX/no-iommu" explain 0
	assert_failure 3
	assert_output --partial "no IOMMU is active"
}
