#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# monitor on the host: help, the arguments and their exit codes, the refusal of --sysroot,
# and a live monitor that listens and ends cleanly on SIGINT, SIGTERM and SIGHUP. The events
# themselves need a kernel that changes under it: tests/bats/vm/monitor.bats.
load helpers

@test "monitor --help documents the arguments, --kernel and the events" {
	run ictl monitor --help
	assert_success
	assert_output --partial "[GROUP|DEVICE...]"
	assert_output --regexp "--kernel +Read the kernel's uevents"
	assert_output --partial "claimed"
	run ictl help monitor
	assert_success
	assert_output --partial "Stream group, device and driver events"
}

@test "monitor: a bad group or device is a usage error (exit 2), in text and JSON" {
	run --separate-stderr ictl monitor 01
	assert_failure 2
	assert_equal "$stderr" "iommuctl: invalid group '01': give a group number (see 'iommuctl groups')"
	run ictl monitor 12 zz:00.0
	assert_failure 2
	assert_output --partial "invalid device name 'zz:00.0'"
	run ictl --json monitor ../x
	assert_failure 2
	jq_true '.error.code == 2 and (.error.message | test("invalid device name"))'
	run ictl monitor --bogus
	assert_failure 2
}

@test "monitor refuses --sysroot (exit 3): a capture has no events" {
	run --separate-stderr ictl --sysroot "$FIX/intel-server" monitor
	assert_failure 3
	assert_equal "$stderr" "iommuctl: monitor listens to the live kernel's events; a capture has none: drop --sysroot"
	run ictl --sysroot "$FIX/intel-server" --json monitor 12
	assert_failure 3
	jq_true '.error.code == 3 and .error.errno == "EOPNOTSUPP"'
}

# start_monitor ARGS...: iommuctl -v monitor ARGS in the background, until it says it listens
start_monitor() {
	ERR=$BATS_TEST_TMPDIR/err OUT=$BATS_TEST_TMPDIR/out
	# emptied here: the child's redirection may truncate it after the first look below
	: >"$ERR"
	"$IOMMUCTL" -v monitor "$@" >"$OUT" 2>"$ERR" &
	MON=$!
	for _ in $(seq 100); do
		grep -q "listening to" "$ERR" && return 0
		kill -0 "$MON" 2>/dev/null || break
		sleep 0.1
	done
	wait "$MON" || true
	grep -q "netlink socket" "$ERR" && skip "no uevent socket here: $(cat "$ERR")"
	fail "the monitor did not start listening: $(cat "$ERR")"
}

@test "monitor on the live system listens, and SIGINT, SIGTERM and SIGHUP end it with 0" {
	local sig rc
	for sig in INT TERM HUP; do
		start_monitor
		kill "-$sig" "$MON"
		rc=0
		wait "$MON" || rc=$?
		assert_equal "SIG$sig: exit $rc" "SIG$sig: exit 0"
	done
	# says what it listens to, udevd's events or the kernel's
	run grep -E "listening to (udevd's events|the kernel's uevents \(udevd does not run\)); Ctrl-C ends" "$ERR"
	assert_success
}

@test "monitor --kernel listens to the kernel's uevents whether udevd runs or not" {
	start_monitor --json
	kill -TERM "$MON"
	wait "$MON"
	start_monitor --kernel
	run cat "$ERR"
	assert_line --partial "listening to the kernel's uevents; Ctrl-C ends"
	kill -TERM "$MON"
	wait "$MON"
}
