#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The test harness itself: a failure's report still names its line and command with bats'
# per-command DEBUG trap replaced (tests/bats/fast-trace.bash), and the trap is gone.
load helpers

# run_inner BODY...: a bats file that loads the helpers, with one test of BODY lines
run_inner() {
	local f=$BATS_TEST_TMPDIR/inner.bats
	{
		printf 'load %q\n' "$BATS_TEST_DIRNAME/helpers"
		printf 'check() {\n\t[ "$1" = ok ]\n}\n'
		printf '@test "inner" {\n'
		printf '\t%s\n' "$@"
		printf '}\n'
	} >"$f"
	run bats --tap "$f"
}

@test "a failed assertion in a test is reported at its line, with its command" {
	run_inner 'run echo hi' 'assert_output ho'
	assert_failure
	assert_line --index 1 "not ok 1 inner"
	assert_line --index 2 "# (in test file $BATS_TEST_TMPDIR/inner.bats, line 7)"
	assert_line --index 3 "#   \`assert_output ho' failed"
	assert_line "# expected : ho"
}

@test "a failure inside a helper names the helper's line and the test's" {
	run_inner 'true' 'check ko'
	assert_failure
	assert_line --index 2 "# (from function \`check' in file $BATS_TEST_TMPDIR/inner.bats, line 3,"
	assert_line --index 3 "#  in test file $BATS_TEST_TMPDIR/inner.bats, line 7)"
}

@test "a passing test runs without the DEBUG trap, on the bats it was written for" {
	[[ $BATS_VERSION == 1.8.* ]] || skip "bats $BATS_VERSION: fast-trace.bash applies to 1.8 only"
	run_inner 'trap -p DEBUG >"$BATS_TEST_TMPDIR/trap"' '[ ! -s "$BATS_TEST_TMPDIR/trap" ]'
	assert_success
	assert_output --partial "ok 1 inner"
}
