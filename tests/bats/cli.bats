#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line itself: help, version, the command table, usage errors and exit codes.
load helpers

# a command of a group ("pt-dump", "held-dirty") as it is typed: "pt dump"
typed() {
	case $1 in pt-* | held-*) echo "${1/-/ }" ;; *) echo "$1" ;; esac
}

@test "--help lists every command of the table with its summary" {
	run ictl --help
	assert_success
	for c in $(ictl --list-cmds); do
		# a command of a group ("pt-dump") is shown as it is typed: "pt dump"
		assert_line --regexp "^  ($c|$(typed "$c")) +[A-Z]"
	done
	assert_output --partial "Exit status: 0 ok, 1 failure, 2 usage error, 3 not supported"
}

@test "--help: a summary that wraps continues under its own column, within 79 columns" {
	run ictl --help
	assert_success
	local in=0 line
	while IFS= read -r line; do
		[ ${#line} -le 79 ] || fail "longer than 79 columns: '$line'"
		case $line in
		Commands:) in=1; continue ;;
		"") [ $in = 1 ] && break ;;
		esac
		[ $in = 1 ] || continue
		# "  name         summary" or a continuation "               more summary"
		[[ $line =~ ^\ \ [a-z-]+\ +[^\ ] || $line =~ ^\ {15}[^\ ] ]] ||
			fail "a command line that is neither a command nor a continuation: '$line'"
	done <<<"$output"
	# every command of the table is on a line of its own
	for c in $(ictl --list-cmds); do
		assert_line --regexp "^  ($c|$(typed "$c")) +[^ ]"
	done
}

@test "--list-cmds prints the commands one per line" {
	run ictl --list-cmds
	assert_success
	assert_line groups
	assert_line devices
	assert_line show
	assert_line iommus
	assert_line explain
	[ "${#lines[@]}" -ge 5 ]
}

@test "--version prints the version" {
	run ictl --version
	assert_success
	assert_output --regexp '^iommuctl [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "help CMD and CMD --help print the same per-command help" {
	for c in $(ictl --list-cmds); do
		run ictl help "$c"
		assert_success
		local a=$output
		run ictl "$c" --help
		assert_success
		assert_equal "$output" "$a"
		assert_output --partial "Usage: iommuctl $(typed "$c")"
		assert_output --partial "--json"
	done
}

@test "help with no command prints the top-level help" {
	run ictl help
	assert_success
	assert_output --partial "Commands:"
}

@test "no command is a usage error (exit 2)" {
	run ictl
	assert_failure 2
	assert_output --partial "no command given"
}

@test "an unknown command is a usage error naming it (exit 2)" {
	run ictl frobnicate
	assert_failure 2
	assert_output "iommuctl: unknown command 'frobnicate': 'iommuctl --help' lists the commands"
}

@test "an unknown option is a usage error (exit 2)" {
	run ictl groups --bogus
	assert_failure 2
	assert_output --partial "unrecognized option '--bogus'"
}

@test "in JSON mode usage errors are JSON on stdout" {
	run --separate-stderr ictl --json groups --bogus
	assert_failure 2
	jq_true '.error.code == 2 and (.error.message | test("unrecognized option"))'
	run --separate-stderr ictl -J frobnicate
	assert_failure 2
	jq_true '.error.code == 2 and (.error.message | test("frobnicate"))'
}

@test "too many arguments and missing arguments are usage errors" {
	run ictl show 1 2
	assert_failure 2
	assert_output --partial "too many arguments"
	run ictl explain
	assert_failure 2
	assert_output --partial "missing GROUP"
}

@test "global options work before and after the command" {
	run ictl --sysroot "$FIX/intel-server" --json groups
	assert_success
	local a=$output
	run ictl groups --json --sysroot "$FIX/intel-server"
	assert_success
	assert_equal "$output" "$a"
}

@test "a missing sysroot is a clear usage error (exit 2)" {
	run ictl --sysroot /nonexistent/capture groups
	assert_failure 2
	assert_output "iommuctl: sysroot /nonexistent/capture: No such file or directory; give a directory captured by capture-sysfs"
}

@test "a sysroot that is not a capture is refused (exit 2)" {
	run ictl --sysroot "$BATS_TEST_TMPDIR" devices
	assert_failure 2
	assert_output --partial "has no sys/ directory: it is not a sysfs capture"
	run ictl --sysroot "" devices
	assert_failure 2
	assert_output --partial "empty path"
}

@test "a sysroot that is a file is refused" {
	touch "$BATS_TEST_TMPDIR/file"
	run ictl --sysroot "$BATS_TEST_TMPDIR/file" devices
	assert_failure 2
	assert_output --partial "Not a directory"
}

@test "JSON errors carry message, exit code and errno" {
	run --separate-stderr ictl --json --sysroot "$FIX/no-iommu" groups
	assert_failure 3
	jq_true '.error.code == 3 and .error.errno == "ENODEV" and (.error.message | test("no IOMMU is active"))'
	assert_equal "$stderr" ""
}

@test "writing to a full stdout fails loudly" {
	run bash -c "'$IOMMUCTL' --sysroot '$FIX/intel-server' devices > /dev/full"
	assert_failure 1
	assert_output --partial "write error"
}

@test "symlinks in a sysroot cannot lead outside it" {
	# A hostile capture whose device symlink points at an absolute host path.
	local t=$BATS_TEST_TMPDIR/evil
	mkdir -p "$t/sys/bus/pci/devices" "$t/sys/kernel/iommu_groups/0/devices" "$t/sys/class/iommu"
	ln -s /sys/devices/pci0000:00/0000:00:00.0 "$t/sys/bus/pci/devices/0000:00:00.0"
	ln -s ../../../../../../../../etc "$t/sys/kernel/iommu_groups/0/devices/0000:00:01.0"
	echo DMA > "$t/sys/kernel/iommu_groups/0/type"
	run ictl --sysroot "$t" --json devices
	# whatever it reports, it must not have read the host's /sys or /etc: the device is a
	# row with its error, no ID read
	refute_output --partial '"vendor_id": "'
	refute_output --partial 'passwd'
	jq_true '.devices[] | select(.device == "0000:00:00.0") | .error.code == 1'
}

@test "--verbose says what is read on stderr, and leaves stdout alone" {
	run --separate-stderr ictl --sysroot "$FIX/intel-server" groups
	local plain=$output
	run --separate-stderr ictl -v --sysroot "$FIX/intel-server" groups
	assert_success
	assert_equal "$output" "$plain"
	assert_equal "${stderr_lines[0]}" "iommuctl: reading $FIX/intel-server"
	assert_equal "${stderr_lines[1]}" "iommuctl: $(ls "$FIX/intel-server/sys/kernel/iommu_groups" | wc -l) groups, $(ls "$FIX/intel-server/sys/bus/pci/devices" | wc -l) devices"
}
