#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Every documented exit status (iommuctl(8)), reached by the paths that lead to it, in text
# and in JSON mode: the status, one line on stderr (text), and in JSON one document whose
# error.code is the same status (iommuctl-json(7)).
load helpers

setup() {
	export IOMMUCTL_STATE_DIR=$BATS_TEST_TMPDIR/state
}

# expect CODE ARGS...: exit CODE with a one-line message on stderr and nothing on stdout;
# with --json, exit CODE with {"error": {message, code: CODE, errno}} alone on stdout.
# A command that reports an operation (claim, release, persist) prints its report even when
# it fails: with REPORT=1 stdout may hold it, and the JSON report's error is checked.
expect() {
	local code=$1
	shift
	run --separate-stderr "$IOMMUCTL" "$@"
	[ "$status" -eq "$code" ] || fail "iommuctl $* exited $status, not $code: $stderr"
	[ -z "$output" ] || [ "$code" -eq 0 ] || [ "${REPORT:-0}" = 1 ] ||
		fail "iommuctl $*: stdout is not empty: $output"
	# one line; argp's usage errors add its standard "Try ... --help" hint
	[ "$code" -eq 0 ] || [ "$(printf '%s\n' "$stderr" | grep -cv '^Try \|^information\.$')" -eq 1 ] ||
		fail "iommuctl $*: not one line on stderr: $stderr"
	[[ $code -eq 0 || $stderr == "iommuctl"[:\ ]* ]] || fail "iommuctl $*: stderr is '$stderr'"
	run --separate-stderr "$IOMMUCTL" --json "$@"
	[ "$status" -eq "$code" ] || fail "iommuctl --json $* exited $status, not $code"
	[ "$code" -eq 0 ] && return
	if [ "${REPORT:-0}" = 1 ]; then
		jq_true ".error.code == $code and (.error | keys == [\"code\", \"errno\", \"message\"])"
	else
		jq_true "keys == [\"error\"] and .error.code == $code and (.error.message | length > 10)
			and (.error | keys == [\"code\", \"errno\", \"message\"])"
	fi
}

@test "exit 0: success" {
	expect 0 --sysroot "$FIX/intel-server" groups
	expect 0 --sysroot "$FIX/intel-server" show 00:1f.3
}

@test "exit 1: failure (a write error on stdout, a transaction that rolls back)" {
	run bash -c "'$IOMMUCTL' --sysroot '$FIX/intel-server' groups >/dev/full"
	assert_failure 1
	cp -a "$FIX/intel-server" "$BATS_TEST_TMPDIR/c"
	# the capture has no drivers_probe: the claim fails at step 2 and rolls back
	run --separate-stderr "$IOMMUCTL" --sysroot "$BATS_TEST_TMPDIR/c" --json claim 03:00.0
	assert_failure 1
	jq_true '.result == "rolled back" and .error.code == 1'
}

@test "exit 1: damaged data is a failure, not a usage error" {
	cp -a "$FIX/intel-server" "$BATS_TEST_TMPDIR/c"
	local g
	g=$(group_of intel-server 0000:02:00.0)
	echo "not hex at all" >"$BATS_TEST_TMPDIR/c/sys/kernel/iommu_groups/$g/reserved_regions"
	expect 1 --sysroot "$BATS_TEST_TMPDIR/c" show "$g"
	assert_output --partial "reserved_regions"
}

@test "exit 2: usage errors" {
	expect 2 --sysroot "$FIX/intel-server" groups --no-such-option
	expect 2 --sysroot "$FIX/intel-server" nosuchcommand
	expect 2 --sysroot "$FIX/intel-server" show 00:1f.9
	expect 2 --sysroot "$FIX/intel-server" show 012
	expect 2 --sysroot "$FIX/intel-server" devices -o NOPE
	expect 2 --sysroot "$BATS_TEST_TMPDIR/none" groups
	expect 2 --sysroot "$FIX/intel-server" claim 03:00.0 --bind
}

@test "exit 3: not supported on this system (no IOMMU, for every command that needs one)" {
	local f=$FIX/no-iommu
	expect 3 --sysroot "$f" groups
	expect 3 --sysroot "$f" status
	for cmd in show explain claim release status persist; do
		expect 3 --sysroot "$f" $cmd 0
	done
	expect 3 --sysroot "$f" hw-info 00:01.0
	expect 3 --sysroot "$f" caps 00:01.0
}

@test "exit 4: no such device or group" {
	local f=$FIX/intel-server
	expect 4 --sysroot "$f" show 9999
	expect 4 --sysroot "$f" show 00:1e.7
	expect 4 --sysroot "$f" explain 9999
	expect 4 --sysroot "$f" claim 9999
	expect 4 --sysroot "$f" status 9999
}

@test "exit 5: permission denied (changing drivers without root)" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	local T
	T=$(mktemp -d /tmp/ictl-perm.XXXXXX)
	chmod 755 "$T"
	cp -a "$FIX/intel-server" "$T/c"
	# The caller's own state directory: one others can write into is refused (hostile.bats).
	mkdir -m 700 "$T/state"
	chown 65534:65534 "$T/state"
	run --separate-stderr env IOMMUCTL_STATE_DIR="$T/state" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$IOMMUCTL" --sysroot "$T/c" --json claim 03:00.0
	rm -rf "$T"
	assert_failure 5
	jq_true '.error.code == 5 and (.error.message | test("Permission denied"))'
}

@test "exit 6: in use" {
	# eth0 of 0000:00:02.0 is up in the capture: claim refuses it without --force
	REPORT=1 expect 6 --sysroot "$FIX/intel-server" claim --dry-run 00:02.0
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/intel-server" --json claim --dry-run 00:02.0
	jq_true '.result == "refused" and .error.code == 6 and .error.errno == "EBUSY"'
}

@test "exit 7: not claimed" {
	expect 7 --sysroot "$FIX/intel-server" persist 00:1f.3
}

@test "exit 8: ready with warnings (doctor), and doctor's 0 and 1" {
	# intel-server has no /dev/iommu: iommufd warns, nothing fails
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/intel-server" doctor
	assert_failure 8
	assert_equal "$stderr" ""
	assert_line "Verdict: ready, with warnings (6 ok, 1 warning, 0 failed, 5 skipped)"
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/intel-server" --json doctor
	assert_failure 8
	jq_true '.doctor.verdict == "warnings" and (has("error") | not)'
	# a check that fails: 1, with the report and no error object
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/no-iommu" --json doctor
	assert_failure 1
	jq_true '.doctor.verdict == "not-ready" and (has("error") | not)'
	# ready: 0 (a copy of intel-server with /dev/iommu and the cdevs' device numbers)
	cp -a "$FIX/intel-server" "$BATS_TEST_TMPDIR/c"
	: >"$BATS_TEST_TMPDIR/c/dev/iommu"
	run --separate-stderr "$IOMMUCTL" --sysroot "$BATS_TEST_TMPDIR/c" doctor
	assert_success
	assert_line --partial "Verdict: ready ("
}
