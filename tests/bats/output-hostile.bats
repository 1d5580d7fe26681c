#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Output that stays clean when what iommuctl reads is not: non-UTF-8 bytes and control
# characters in sysfs strings and pci.ids (JSON valid UTF-8, text escaped), write errors,
# and rows that cannot be read (issue 13, "clean output").
load helpers

# A copy of intel-server whose strings hold escape sequences, control characters and bytes
# that are not UTF-8:
#   0000:00:02.0 (group of its own) is bound to the driver "e1000e ESC[31m \xff",
#     its group's type is "DMA ESC]0;pwned BEL \xfe",
#     pci.ids names its vendor (8086) "Intel \xff\xfe ESC[2J Corp" and it "82574L ^AGigabit\xc0\xaf"
#   0000:00:14.0 has the driver_override "vfio\xc3(" BEL (a cut UTF-8 sequence),
#   0000:00:1f.0 the driver_override 'a\x41' (a backslash, then x).
setup_file() {
	export H=$BATS_FILE_TMPDIR/hostile
	local d=$H/sys/devices/pci0000:00 drv
	cp -a "$FIX/intel-server" "$H"
	drv=$(printf 'e1000e\033[31m\377')
	mkdir "$H/sys/bus/pci/drivers/$drv"
	ln -sfn "../../../bus/pci/drivers/$drv" "$d/0000:00:02.0/driver"
	printf 'vfio\303(\a\n' >"$d/0000:00:14.0/driver_override"
	printf 'a\\x41\n' >"$d/0000:00:1f.0/driver_override"
	printf 'DMA\033]0;pwned\a\376\n' >"$H/sys/kernel/iommu_groups/$(group_of intel-server 0000:00:02.0)/type"
	python3 - "$H/usr/share/misc/pci.ids" <<-'EOF'
		import sys
		p = sys.argv[1]
		b = open(p, 'rb').read()
		b = b.replace(b'8086  Intel Corporation\n', b'8086  Intel \xff\xfe\x1b[2J Corp\n', 1)
		b = b.replace(b'\t10d3  82574L Gigabit Network Connection', b'\t10d3  82574L \x01Gigabit\xc0\xaf', 1)
		open(p, 'wb').write(b)
	EOF
}

# The commands that print strings read from sysfs or pci.ids, with the exit status each
# has on the unmodified fixture.
hostile_cmds() {
	local g2 g14
	g2=$(group_of intel-server 0000:00:02.0)
	g14=$(group_of intel-server 0000:00:14.0)
	cat <<-EOF
		groups
		groups --tree
		groups -o +BLOCKERS,RESV
		devices
		devices -o +OVERRIDE,VENDOR,NAME,SUBSYSTEM
		show $g2
		show $g14
		show 00:02.0
		show 00:14.0
		status
		status $g2
		explain $g2
		iommus
		hw-info --sysfs 00:02.0
		caps --sysfs 00:02.0
		doctor
		doctor 00:02.0 00:14.0
		claim --dry-run --force 00:02.0
	EOF
}

# strict_json: stdin is valid UTF-8 and one JSON document (Python decodes strictly).
strict_json() {
	python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read().decode("utf-8", "strict"))'
}

# py_bytes FILTER: run a Python expression on the JSON document in $output (as j); it
# prints the bytes PEP 383 gives back for the string it selects.
py_bytes() {
	python3 -c 'import json, sys
j = json.loads(sys.stdin.buffer.read().decode("utf-8"))
sys.stdout.write(repr((eval(sys.argv[1])).encode("utf-8", "surrogateescape")))' "$1" <<<"$output"
}

@test "hostile strings: every command's JSON is valid UTF-8 and parses, with the usual exit status" {
	local cmd want
	while read -r cmd; do
		# shellcheck disable=SC2086 # the words of the command
		run "$IOMMUCTL" --sysroot "$FIX/intel-server" --json $cmd
		want=$status
		# shellcheck disable=SC2086
		run --separate-stderr "$IOMMUCTL" --sysroot "$H" --json $cmd
		[ "$status" -eq "$want" ] || { echo "$cmd: exit $status, not $want" >&2; return 1; }
		strict_json <<<"$output" || { echo "$cmd: not valid UTF-8 JSON" >&2; return 1; }
		assert_equal "$stderr" ""
	done < <(hostile_cmds)
}

@test "hostile strings: the JSON gives the bytes back exactly (PEP 383), control characters as JSON escapes" {
	local g2
	g2=$(group_of intel-server 0000:00:02.0)
	run "$IOMMUCTL" --sysroot "$H" --json show 00:02.0
	assert_success
	assert_output --partial '"driver": "e1000e\u001b[31m\udcff"'
	assert_equal "$(py_bytes 'j["device"]["driver"]')" "b'e1000e\\x1b[31m\\xff'"
	assert_equal "$(py_bytes 'j["device"]["vendor"]')" "b'Intel \\xff\\xfe\\x1b[2J Corp'"
	assert_equal "$(py_bytes 'j["device"]["name"]')" "b'82574L \\x01Gigabit\\xc0\\xaf'"
	assert_equal "$(py_bytes 'j["device"]["group_info"]["type"]')" "b'DMA\\x1b]0;pwned\\x07\\xfe'"
	run "$IOMMUCTL" --sysroot "$H" --json devices
	assert_success
	assert_equal "$(py_bytes '[d for d in j["devices"] if d["device"] == "0000:00:14.0"][0]["driver_override"]')" \
		"b'vfio\\xc3(\\x07'"
	run "$IOMMUCTL" --sysroot "$H" --json groups
	assert_success
	assert_equal "$(py_bytes "[g for g in j['groups'] if g['group'] == $g2][0]['type']")" \
		"b'DMA\\x1b]0;pwned\\x07\\xfe'"
	# jq reads it too (a lone surrogate becomes U+FFFD there).
	jq -e ".groups | length > 0" <<<"$output" >/dev/null
}

@test "hostile strings: a JSON error quoting bad bytes is valid UTF-8 too" {
	run --separate-stderr "$IOMMUCTL" --json hw-info --raw "$BATS_TEST_TMPDIR/no-such-$(printf '\377\033')" \
		--type intel-vtd
	assert_failure 2
	strict_json <<<"$output"
	assert_equal "$(py_bytes 'j["error"]["message"]')" \
		"b'--raw $BATS_TEST_TMPDIR/no-such-\\xff\\x1b: No such file or directory'"
}

@test "hostile strings: valid UTF-8 passes unchanged" {
	local name=$BATS_TEST_TMPDIR/blob-é-日本-😀
	run --separate-stderr "$IOMMUCTL" --json hw-info --raw "$name" --type intel-vtd
	assert_failure 2
	assert_output --partial "\"--raw $name: No such file or directory\""
}

# clean_text: stdin holds no control character but newline, no DEL, no C1 control and
# only valid UTF-8.
clean_text() {
	python3 -c 'import sys, unicodedata
t = sys.stdin.buffer.read().decode("utf-8", "strict")
bad = [c for c in t if c != "\n" and unicodedata.category(c) == "Cc"]
sys.exit(1 if bad else 0)'
}

@test "hostile strings: every text view escapes control characters and bad bytes" {
	local cmd
	while read -r cmd; do
		# shellcheck disable=SC2086 # the words of the command
		run --separate-stderr "$IOMMUCTL" --sysroot "$H" $cmd
		clean_text <<<"$output" || { echo "$cmd: raw control characters or bad bytes" >&2; return 1; }
		clean_text <<<"$stderr" || { echo "$cmd: raw bytes on stderr" >&2; return 1; }
	done < <(hostile_cmds; echo "groups --raw"; echo "devices --raw -o DEVICE,DRIVER,OVERRIDE")
}

@test "hostile strings: show, doctor, claim and the tables write them as \\xHH, as the tables do" {
	run "$IOMMUCTL" --sysroot "$H" show 00:02.0
	assert_success
	assert_line '  Driver:           e1000e\x1b[31m\xff'
	assert_line '  Vendor:           Intel \xff\xfe\x1b[2J Corp [8086]'
	assert_line --partial 'Group:            '"$(group_of intel-server 0000:00:02.0)"' (DMA\x1b]0;pwned\x07\xfe, 1 device)'
	run "$IOMMUCTL" --sysroot "$H" show 00:14.0
	assert_line '  Driver override:  vfio\xc3(\x07'
	run "$IOMMUCTL" --sysroot "$H" show "$(group_of intel-server 0000:00:02.0)"
	assert_line '  Type:             DMA\x1b]0;pwned\x07\xfe'
	assert_line --partial '0000:00:02.0   e1000e\x1b[31m\xff Intel \xff\xfe\x1b[2J Corp 82574L \x01Gigabit\xc0\xaf'
	# The table shows the same string the same way.
	run "$IOMMUCTL" --sysroot "$H" devices --raw -o DEVICE,DRIVER
	assert_line '0000:00:02.0 e1000e\x1b[31m\xff'
	# A backslash before an x is escaped, so that the text can be read back.
	run "$IOMMUCTL" --sysroot "$H" show 00:1f.0
	assert_line '  Driver override:  a\x5cx41'
	run "$IOMMUCTL" --sysroot "$H" devices --raw -o DEVICE,OVERRIDE
	assert_line '0000:00:1f.0 a\x5cx41'
	run "$IOMMUCTL" --sysroot "$H" doctor 00:02.0
	assert_output --partial 'e1000e\x1b[31m\xff'
	run "$IOMMUCTL" --sysroot "$H" claim --dry-run --force 00:02.0
	assert_line '  0000:00:02.0   endpoint  driver e1000e\x1b[31m\xff driver_override -'
	assert_line '   2. 0000:00:02.0: unbind from e1000e\x1b[31m\xff'
}

@test "hostile strings: an error message quoting bad bytes is escaped on stderr" {
	run --separate-stderr "$IOMMUCTL" hw-info --raw "$BATS_TEST_TMPDIR/no-such-$(printf '\377\033[2J\a')" \
		--type intel-vtd
	assert_failure 2
	assert_equal "$stderr" "iommuctl: --raw $BATS_TEST_TMPDIR/no-such-\\xff\\x1b[2J\\x07: No such file or directory"
}

# full CMD...: run iommuctl with stdout on /dev/full; it must exit 1 with the one line.
full() {
	run --separate-stderr sh -c 'exec "$0" "$@" >/dev/full' "$IOMMUCTL" "$@"
}
full_fails() {
	full "$@"
	[ "$status" -eq 1 ] || { echo "$*: exit $status to /dev/full, not 1" >&2; return 1; }
	assert_equal "$stderr" "iommuctl: write error on standard output: No space left on device"
	assert_output ""
}

@test "write errors: --help, --usage, --version, help CMD, CMD --help, --list-cmds exit 1 with a message" {
	[ -w /dev/full ] || skip "/dev/full is missing"
	local args
	while read -r args; do
		# shellcheck disable=SC2086 # the words
		full_fails $args
	done <<-'EOF'
		--help
		--usage
		--version
		help
		help show
		help pt dump
		show --help
		groups --usage
		pt dump --help
		--list-cmds
		completion bash
		completion zsh
		--json --help
	EOF
}

@test "write errors: every command's normal output to /dev/full exits 1 with one line, text and JSON" {
	[ -w /dev/full ] || skip "/dev/full is missing"
	local cmd g
	g=$(group_of intel-server 0000:00:02.0)
	blob "$BATS_TEST_TMPDIR/vtd.bin" 0xd2008c22260286 8 0xf0050af 8 0 8
	while read -r cmd; do
		# shellcheck disable=SC2086 # the words
		full_fails --sysroot "$FIX/intel-server" $cmd
		# shellcheck disable=SC2086
		full_fails --sysroot "$FIX/intel-server" --json $cmd
	done < <(hostile_cmds; cat <<-EOF
		groups --raw
		status $g --noheadings
		persist --list
		hw-info --raw $BATS_TEST_TMPDIR/vtd.bin --type intel-vtd
		pt build --format x86-64 $ROOT/tests/fixtures/pt/maps.txt -o /dev/stdout
	EOF
	)
}

@test "write errors: a failing command keeps its own exit status and message" {
	[ -w /dev/full ] || skip "/dev/full is missing"
	full --sysroot "$FIX/intel-server" show 99
	assert_failure 4
	assert_equal "$stderr" "$("$IOMMUCTL" --sysroot "$FIX/intel-server" show 99 2>&1)"
}

# rows_tree NAME: a copy of intel-server in $BATS_TEST_TMPDIR/NAME.
rows_tree() {
	R=$BATS_TEST_TMPDIR/$1
	cp -a "$FIX/intel-server" "$R"
}

@test "bad rows: a group with a member that is not PCI is a row with its error; status lists the rest, exits 1" {
	local g
	rows_tree notpci
	g=$(group_of intel-server 0000:00:02.0)
	mkdir -p "$R/sys/devices/platform/foo"
	ln -s ../../../../devices/platform/foo "$R/sys/kernel/iommu_groups/$g/devices/foo"
	ln -s "../../../kernel/iommu_groups/$g" "$R/sys/devices/platform/foo/iommu_group"
	run --separate-stderr "$IOMMUCTL" --sysroot "$R" status -o GROUP,STATE,ERROR
	assert_failure 1
	assert_line --regexp "^ +$g error +group $g: foo is not a PCI device; only PCI groups can change owner\$"
	assert_line --regexp '^ +10 userspace +-$'
	assert_equal "$stderr" "iommuctl: group $g: foo is not a PCI device; only PCI groups can change owner"
	run --separate-stderr "$IOMMUCTL" --sysroot "$R" --json status
	assert_failure 1
	assert_equal "$stderr" ""
	jq_true "(.groups | length) == $(ls "$FIX/intel-server/sys/kernel/iommu_groups" | wc -l)
		and ([.groups[] | select(.error != null) | .group] == [$g])
		and (.groups[] | select(.group == $g) | .state == null and .error.code == 3
			and .error.errno == \"EOPNOTSUPP\" and (.error.message | test(\"foo is not a PCI device\")))
		and (.groups[] | select(.group == 10) | .state == \"userspace\" and .error == null)
		and (has(\"error\") | not)"
	# Asked for by number, the group is the command's error, as before.
	run --separate-stderr "$IOMMUCTL" --sysroot "$R" status "$g"
	assert_failure 3
}

@test "bad rows: a device attribute that cannot be read is its group's row, not the whole status" {
	local g
	rows_tree unreadable
	g=$(group_of intel-server 0000:00:02.0)
	rm "$R/sys/devices/pci0000:00/0000:00:02.0/vendor"
	mkdir "$R/sys/devices/pci0000:00/0000:00:02.0/vendor"
	run --separate-stderr "$IOMMUCTL" --sysroot "$R" --json status
	assert_failure 1
	jq_true "[.groups[] | select(.error != null) | .group] == [$g]
		and (.groups[] | select(.group == $g) | .error.message | test(\"0000:00:02.0: cannot read vendor ID\"))"
	run --separate-stderr "$IOMMUCTL" --sysroot "$R" status
	assert_failure 1
	assert_line --regexp "^ +$g error "
}

@test "bad rows: status of a sound tree has an error member that is null in every element and exits 0" {
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/intel-server" --json status
	assert_success
	jq_true '[.groups[] | has("error") and .error == null] | all'
}

# --- file names and other strings the user hands in: pt and apply -------------------------

@test "hostile strings: pt build, pt validate and pt dump --svg escape a file name with control characters" {
	local d=$BATS_TEST_TMPDIR img maps resv
	img=$d/$(printf 't\033[31m\377.img')
	maps=$d/$(printf 'm\033]0;x\a.txt')
	resv=$d/$(printf 'r<&\033.resv')
	printf '0x0 2M 0x40000000 rw\n' >"$maps"
	run --separate-stderr "$IOMMUCTL" pt build --format x86-64 -o "$img" "$maps"
	assert_success
	assert_output --partial 't\x1b[31m\xff.img: x86-64'
	refute_output --partial $'\033'
	run --separate-stderr "$IOMMUCTL" pt validate --mappings "$maps" "$img"
	assert_success
	assert_output --partial ', as '"$d"'/m\x1b]0;x\x07.txt'
	refute_output --partial $'\033'
	# the SVG: well-formed XML in UTF-8 whatever the names hold (a file name, a region's type)
	printf '0x0000000000400000 0x00000000004fffff <b>&\033[2J\n' >"$resv"
	run --separate-stderr "$IOMMUCTL" pt dump --svg --reserved "$resv" "$img"
	assert_success
	refute_output --partial $'\033'
	python3 -c 'import sys, xml.etree.ElementTree as E
t = E.fromstring(sys.stdin.buffer.read())
text = "".join(t.itertext())
assert "t\\x1b[31m\\xff.img" in text, text
assert "reserved region (<b>&\\x1b[2J)" in text, text' <<<"$output"
}

@test "hostile strings: apply --dry-run escapes the spec's file name; --json stays valid UTF-8" {
	local spec
	spec=$BATS_TEST_TMPDIR/$(printf 'v\033[2J\377.yaml')
	cp "$ROOT/examples/vmm-guest-ram.yaml" "$spec"
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/intel-server" apply --dry-run "$spec"
	assert_success
	assert_line "Would apply $BATS_TEST_TMPDIR/v\\x1b[2J\\xff.yaml:"
	refute_output --partial $'\033'
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/intel-server" --json apply --dry-run "$spec"
	assert_success
	strict_json <<<"$output"
}
