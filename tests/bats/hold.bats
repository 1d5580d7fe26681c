#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# claim --hold and claim -- COMMAND without a kernel: the argument rules, the refusal to hold a
# captured tree, and the plan of a dry run. Holding itself is tested in the guest
# (tests/bats/vm/hold.bats), where the kernel refuses held devices to a second opener.
# shellcheck disable=SC2016
load helpers

setup() {
	export IOMMUCTL_STATE_DIR=$BATS_TEST_TMPDIR/state
}

@test "claim --help documents --hold, --bind, --legacy and -- COMMAND" {
	run ictl claim --help
	assert_success
	assert_output --partial "DEVICE|GROUP [-- COMMAND [ARG...]]"
	assert_output --regexp "-H, --hold +Then open and bind"
	assert_output --partial "--bind"
	assert_output --partial "--legacy"
	assert_output --partial "fd 3"
}

@test "claim GROUP -- with nothing after it is a usage error" {
	run ictl --sysroot "$FIX/intel-server" claim 02:00.0 --
	assert_failure 2
	assert_output "iommuctl: nothing after --: name the command to run with the group held"
}

@test "--bind without a command, --legacy without a hold or with --bind: usage errors, nothing claimed" {
	run ictl --sysroot "$FIX/intel-server" claim 03:00.0 --bind
	assert_failure 2
	assert_output --partial "--bind is for -- COMMAND"
	run ictl --sysroot "$FIX/intel-server" --json claim 03:00.0 --legacy
	assert_failure 2
	jq_true '.error.message | test("--legacy is for --hold")'
	run ictl --sysroot "$FIX/intel-server" claim 03:00.0 --legacy --bind -- true
	assert_failure 2
	assert_output --partial "cannot go with --legacy"
	assert_not_exist "$IOMMUCTL_STATE_DIR"
}

@test "holding a captured tree is refused before anything changes (exit 3)" {
	local c=$BATS_TEST_TMPDIR/intel-server
	cp -a "$FIX/intel-server" "$c"
	run ictl --sysroot "$c" claim 03:00.0 --hold
	assert_failure 3
	assert_output --partial "drop --sysroot"
	run ictl --sysroot "$c" claim 03:00.0 -- true
	assert_failure 3
	assert_equal "$(cat "$c/sys/bus/pci/devices/0000:03:00.0/driver_override")" "(null)"
	assert_not_exist "$IOMMUCTL_STATE_DIR"
}

@test "claim --dry-run --hold -- COMMAND prints the plan and runs nothing" {
	run ictl --sysroot "$FIX/intel-server" claim --dry-run 03:00.0 --hold -- sh -c 'echo RAN'
	assert_success
	assert_line "Result: planned"
	refute_line RAN
}

@test "an option after -- belongs to the command, not to iommuctl" {
	run ictl --sysroot "$FIX/intel-server" claim --dry-run 03:00.0 -- sh --force --json
	assert_success
	assert_line "Result: planned"
	refute_output --partial '"result"'
}
