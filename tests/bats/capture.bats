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
	for f in "${FIXTURES[@]}"; do
		assert_file_exists "$FIX/$f/README.md"
		assert_dir_exists "$FIX/$f/sys/bus/pci/devices"
		run find "$FIX/$f" -type l -lname '/*'
		assert_output ""
	done
}

@test "capture-sysfs --root: re-capturing every fixture gives the same tree" {
	for f in "${FIXTURES[@]}"; do
		run "$ROOT/tests/capture-sysfs" --root "$FIX/$f" "$BATS_TEST_TMPDIR/re-$f"
		assert_success
		run diff -r --no-dereference -x CAPTURE-INFO -x usr -x .keep -x README.md "$FIX/$f" "$BATS_TEST_TMPDIR/re-$f"
		assert_success
	done
}
