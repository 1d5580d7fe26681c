#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
load helpers

@test "groups: text output matches golden on every fixture with an IOMMU" {
	for f in "${FIXTURES[@]}"; do
		[ "$f" = no-iommu ] && continue
		golden "$f" groups.txt groups
		golden "$f" groups-tree.txt groups --tree
	done
}

@test "groups: on a machine without an IOMMU, one clear line and exit 3" {
	run --separate-stderr ictl --sysroot "$FIX/no-iommu" groups
	assert_failure 3
	assert_equal "$output" ""
	assert_equal "$stderr" "iommuctl: no IOMMU is active in $FIX/no-iommu (sys/kernel/iommu_groups is empty)"
}

@test "groups --json: one entry per group directory, members as the kernel lists them" {
	for f in intel-server amd-desktop arm64-smmuv3 arm64-smmuv3-dt virtio-guest; do
		run ictl --sysroot "$FIX/$f" --json groups
		assert_success
		local want
		want=$(ls "$FIX/$f/sys/kernel/iommu_groups" | sort -n | jq -R 'tonumber' | jq -sc .)
		jq_true "[.groups[].group] == $want"
		for g in $(ls "$FIX/$f/sys/kernel/iommu_groups"); do
			want=$(ls "$FIX/$f/sys/kernel/iommu_groups/$g/devices" | sort | jq -R . | jq -sc .)
			jq_true "(.groups[] | select(.group == $g) | .devices | sort) == $want"
			want=$(cat "$FIX/$f/sys/kernel/iommu_groups/$g/type")
			jq_true "(.groups[] | select(.group == $g) | .type) == \"$want\""
		done
	done
}

@test "groups --json: schema of every entry" {
	for f in intel-server amd-desktop arm64-smmuv3 arm64-smmuv3-dt virtio-guest; do
		run ictl --sysroot "$FIX/$f" --json groups
		assert_success
		jq_true '.groups | length > 0'
		jq_true 'all(.groups[]; (.group|type)=="number" and (.type|type)=="string"
			and (.devices|type)=="array" and (.viable|type)=="boolean"
			and (.blockers|type)=="array" and (.reserved_regions|type)=="array"
			and (.iommu == null or (.iommu|type)=="string"))'
		jq_true 'all(.groups[].reserved_regions[]; (.start|test("^0x[0-9a-f]{16}$")) and
			(.end|test("^0x[0-9a-f]{16}$")) and (.type|type)=="string")'
		# viability agrees with the blockers it names
		jq_true 'all(.groups[]; .viable == (.blockers|length == 0))'
	done
}

@test "groups: reserved regions are the kernel's, exactly" {
	for f in intel-server amd-desktop arm64-smmuv3 arm64-smmuv3-dt virtio-guest; do
		run ictl --sysroot "$FIX/$f" --json groups
		assert_success
		for g in $(ls "$FIX/$f/sys/kernel/iommu_groups"); do
			local want
			want=$(awk '{printf "%s %s %s\n", $1, $2, $3}' "$FIX/$f/sys/kernel/iommu_groups/$g/reserved_regions")
			got=$(jq -r ".groups[] | select(.group == $g) | .reserved_regions[] | \"\(.start) \(.end) \(.type)\"" <<<"$output")
			assert_equal "$got" "$want"
		done
	done
}

@test "groups: the multifunction group of intel-server is one group, not viable, blocked by its drivers" {
	run ictl --sysroot "$FIX/intel-server" --json groups
	assert_success
	jq_true '[.groups[] | select(.devices | index("0000:00:1f.0"))][0] |
		(.devices | sort) == ["0000:00:1f.0","0000:00:1f.2","0000:00:1f.3"] and .viable == false
		and ([.blockers[].device] | sort) == ["0000:00:1f.0","0000:00:1f.2","0000:00:1f.3"]'
}

@test "groups: a group whose only member is on vfio-pci is viable" {
	run ictl --sysroot "$FIX/intel-server" --json groups
	assert_success
	jq_true '[.groups[] | select(.devices == ["0000:02:00.0"])][0].viable == true'
}

@test "groups --driver, --vendor, --class filter by member devices" {
	local F=$FIX/intel-server want
	# expected: the groups of the devices that the capture shows bound to vfio-pci
	want=$(for p in "$F"/sys/bus/pci/devices/*; do
		[ "$(basename "$(readlink "$p/driver" 2>/dev/null)")" = vfio-pci ] && group_of intel-server "${p##*/}"
	done | sort -n | jq -R 'tonumber' | jq -sc .)
	[ "$want" != "[]" ]
	run ictl --sysroot "$F" --json groups --driver vfio-pci
	assert_success
	jq_true "[.groups[].group] == $want"
	# NVMe controllers: class 0x0108xx, by hex prefix and by a word of the class name
	want=$(for p in "$F"/sys/bus/pci/devices/*; do
		case $(cat "$p/class") in 0x0108*) group_of intel-server "${p##*/}" ;; esac
	done | sort -un | jq -R 'tonumber' | jq -sc .)
	run ictl --sysroot "$F" --json groups --class 0108
	assert_success
	jq_true "[.groups[].group] == $want"
	run ictl --sysroot "$F" --json groups --class "Non-Volatile"
	assert_success
	jq_true "[.groups[].group] == $want"
	run ictl --sysroot "$F" --json groups --vendor 8086 --class 0108
	assert_success
	jq_true '.groups == []'
}

@test "groups: bad filter values are usage errors" {
	run ictl --sysroot "$FIX/intel-server" groups --vendor xyz
	assert_failure 2
	assert_output --partial "is not a PCI vendor ID"
	run ictl --sysroot "$FIX/intel-server" groups --driver ../../x
	assert_failure 2
}

@test "groups -o selects columns; --raw and --noheadings shape the table" {
	run ictl --sysroot "$FIX/intel-server" groups -o GROUP,NDEV --raw --noheadings
	assert_success
	assert_line "$(group_of intel-server 0000:00:1f.0) 3"
	refute_line --partial GROUP
	run ictl --sysroot "$FIX/intel-server" groups -o +RESV
	assert_success
	assert_line --index 0 --regexp 'GROUP +TYPE +IOMMU +NDEV +VIABLE +DEVICES +RESV'
	run ictl --sysroot "$FIX/intel-server" groups -o group,nope
	assert_failure 2
	assert_output "iommuctl: unknown column 'nope': 'iommuctl groups --help' lists the columns"
}

@test "groups --help documents every column" {
	run ictl groups --help
	assert_success
	for c in GROUP TYPE IOMMU NDEV VIABLE DEVICES BLOCKERS RESV; do
		assert_line --regexp "^  $c +"
	done
}
