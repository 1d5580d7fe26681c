#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Every command has a man page, and every long option it takes is documented there.
load helpers

@test "man: iommuctl(8) exists and lists every command" {
	assert_file_exists "$ROOT/man/iommuctl.8"
	for c in $(ictl --list-cmds); do
		grep -qF ".BR $(printf 'iommuctl-%s' "$c" | sed 's/-/\\-/g') (8)" "$ROOT/man/iommuctl.8" ||
			{ echo "iommuctl.8 does not refer to iommuctl-$c(8)"; return 1; }
	done
}

@test "man: every command has a page naming every long option it takes" {
	for c in $(ictl --list-cmds); do
		local page=$ROOT/man/iommuctl-$c.8
		assert_file_exists "$page"
		for o in $(ictl "$c" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
			case $o in --help | --usage | --version) continue ;; esac
			grep -qF -- "$(printf %s "$o" | sed 's/-/\\-/g')" "$page" || { echo "$page lacks $o"; return 1; }
		done
	done
}

@test "man: every column of a table command is documented in its page" {
	for c in groups devices iommus; do
		for col in $(ictl "$c" --help | sed -n '/^Columns/,$p' | awk '/^  [A-Z]/ {print $1}'); do
			grep -q "^\\.B $col\$\|^\\\\fB$col\\\\fR" "$ROOT/man/iommuctl-$c.8" ||
				{ echo "iommuctl-$c.8 lacks column $col"; return 1; }
		done
	done
}

@test "man: the pages render without warnings" {
	command -v man >/dev/null || skip "man is not installed"
	for p in "$ROOT"/man/*.[578]; do
		run bash -c "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '$p' 2>&1 >/dev/null"
		assert_output ""
	done
}

@test "man: exit codes in iommuctl(8) match the binary's help" {
	for code in "0 ok" "1 failure" "2 usage error" "3 not supported" "4 no such device or group" "5 permission denied" \
		"6 in use" "7 not claimed" "8 ready with warnings"; do
		ictl --help | tr '\n' ' ' | grep -q "${code%% *} ${code#* }" || { echo "help lacks $code"; return 1; }
	done
	grep -q '^\.B 3$\|^\.IP 3\|^3$' "$ROOT/man/iommuctl.8"
	grep -q '^\.B 8$' "$ROOT/man/iommuctl.8"
}
