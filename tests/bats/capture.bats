#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/capture-sysfs: what it captures replays to the same answers as the live system.
load helpers

setup() {
	CAP=$ROOT/tests/capture-sysfs
}

@test "capture-sysfs: a capture of this machine replays to the same devices as live" {
	[ "$(id -u)" -eq 0 ] || skip "capture needs root (full PCI config space)"
	compgen -G "/sys/bus/pci/devices/*" >/dev/null || skip "this machine's /sys shows no PCI devices"
	run "$CAP" "$BATS_TEST_TMPDIR/cap"
	assert_success
	local live replay
	live=$(ictl --json devices | jq -S 'del(.devices[].vendor, .devices[].name, .devices[].class_name, .devices[].subsystem)')
	replay=$(ictl --sysroot "$BATS_TEST_TMPDIR/cap" --json devices | jq -S 'del(.devices[].vendor, .devices[].name, .devices[].class_name, .devices[].subsystem)')
	assert_equal "$replay" "$live"
	# config space is captured whole
	for d in /sys/bus/pci/devices/*; do
		cmp "$d/config" "$BATS_TEST_TMPDIR/cap/sys/bus/pci/devices/${d##*/}/config"
	done
}

@test "capture-sysfs: no absolute symlinks in a capture" {
	[ "$(id -u)" -eq 0 ] || skip "capture needs root"
	run "$CAP" "$BATS_TEST_TMPDIR/cap2"
	assert_success
	run find "$BATS_TEST_TMPDIR/cap2" -type l -lname '/*'
	assert_output ""
}

@test "capture-sysfs: refuses a non-empty output directory" {
	mkdir -p "$BATS_TEST_TMPDIR/full"
	touch "$BATS_TEST_TMPDIR/full/x"
	run "$CAP" "$BATS_TEST_TMPDIR/full"
	assert_failure
	[ "${#lines[@]}" -eq 1 ]
}

@test "fixtures: every fixture has a README saying what it models, and no absolute symlinks" {
	for f in "${FIXTURES[@]}" "${DOCTOR_FIXTURES[@]}"; do
		assert_file_exists "$FIX/$f/README.md"
		assert_dir_exists "$FIX/$f/sys/bus/pci/devices"
		run find "$FIX/$f" -type l -lname '/*'
		assert_output ""
	done
}

@test "capture-sysfs --root: re-capturing every fixture gives the same tree" {
	for f in "${FIXTURES[@]}" "${DOCTOR_FIXTURES[@]}"; do
		run "$ROOT/tests/capture-sysfs" --root "$FIX/$f" "$BATS_TEST_TMPDIR/re-$f"
		assert_success
		run diff -r --no-dereference -x CAPTURE-INFO -x usr -x .keep -x README.md "$FIX/$f" "$BATS_TEST_TMPDIR/re-$f"
		assert_success
	done
}

@test "capture-sysfs: what doctor reads, filtered: table names only (IORT whole), addresses zeroed, memlock lines kept in place" {
	local R=$BATS_TEST_TMPDIR/root
	mkdir -p "$R/sys/devices" "$R/sys/firmware/acpi/tables/data" "$R/proc/sys/kernel" "$R/proc/self" \
		"$R/etc/security/limits.d" "$R/lib/modules/6.1.0-x" \
		"$R/sys/firmware/devicetree/base/soc/iommu@1000" "$R/sys/firmware/devicetree/base/soc/uart@2000"
	echo secret >"$R/sys/firmware/acpi/tables/DMAR"
	printf 'IORT\x30\0\0\0' >"$R/sys/firmware/acpi/tables/IORT"
	echo 6.1.0-x >"$R/proc/sys/kernel/osrelease"
	echo 'vfio_pci 16384 0 - Live 0xffffffffc0a1b000' >"$R/proc/modules"
	printf 'processor\t: 0\nvendor_id\t: GenuineIntel\n\nprocessor\t: 1\n' >"$R/proc/cpuinfo"
	printf 'Name:\tx\nUid:\t0\nCapEff:\t000001ffffffffff\n' >"$R/proc/self/status"
	printf '# a comment\n@staff hard nproc 100\n@kvm - memlock unlimited\n' >"$R/etc/security/limits.conf"
	printf 'kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/vfio.ko.xz\nkernel/drivers/net/e1000e/e1000e.ko.xz:\n' \
		>"$R/lib/modules/6.1.0-x/modules.dep"
	printf '\0\0\0\1' >"$R/sys/firmware/devicetree/base/soc/iommu@1000/#iommu-cells"
	printf 'arm,smmu-v3\0' >"$R/sys/firmware/devicetree/base/soc/iommu@1000/compatible"
	printf 'arm,pl011\0' >"$R/sys/firmware/devicetree/base/soc/uart@2000/compatible"
	run "$ROOT/tests/capture-sysfs" --root "$R" "$BATS_TEST_TMPDIR/cap"
	assert_success
	local C=$BATS_TEST_TMPDIR/cap
	assert_file_exists "$C/sys/firmware/acpi/tables/DMAR"
	assert_equal "$(stat -c %s "$C/sys/firmware/acpi/tables/DMAR")" 0
	assert_file_not_exists "$C/sys/firmware/acpi/tables/data"
	cmp "$R/sys/firmware/acpi/tables/IORT" "$C/sys/firmware/acpi/tables/IORT" # kept whole: CANWBS
	assert_equal "$(cat "$C/proc/modules")" "vfio_pci 16384 0 - Live 0x0000000000000000"
	assert_equal "$(cat "$C/proc/cpuinfo")" "$(printf 'processor\t: 0\nvendor_id\t: GenuineIntel\n')"
	assert_equal "$(cat "$C/proc/self/status")" "$(printf 'CapEff:\t000001ffffffffff')"
	assert_equal "$(cat "$C/etc/security/limits.conf")" "$(printf '\n\n@kvm - memlock unlimited')"
	assert_equal "$(cat "$C/lib/modules/6.1.0-x/modules.dep")" "kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/vfio.ko.xz"
	cmp "$R/sys/firmware/devicetree/base/soc/iommu@1000/compatible" "$C/sys/firmware/devicetree/base/soc/iommu@1000/compatible"
	assert_file_not_exists "$C/sys/firmware/devicetree/base/soc/uart@2000/compatible"
	grep -qx 'capture-sysfs-version: 2' "$C/CAPTURE-INFO"
}

@test "capture-sysfs: doctor on a capture of this machine gives the live answers" {
	[ "$(id -u)" -eq 0 ] || skip "capture needs root (full PCI config space)"
	run "$ROOT/tests/capture-sysfs" "$BATS_TEST_TMPDIR/cap"
	assert_success
	# the limit is this process's live and the capturing process's in the capture: same shell
	local live replay q='[.doctor.checks[] | select(.id != "memlock") | {id, status, found, fix}]'
	live=$(ictl --json doctor | jq -S "$q")
	replay=$(ictl --sysroot "$BATS_TEST_TMPDIR/cap" --json doctor | jq -S "$q")
	assert_equal "$replay" "$live"
	live=$(ictl --json doctor | jq '.doctor.checks[] | select(.id == "memlock") | .status')
	replay=$(ictl --sysroot "$BATS_TEST_TMPDIR/cap" --json doctor | jq '.doctor.checks[] | select(.id == "memlock") | .status')
	assert_equal "$replay" "$live"
}
