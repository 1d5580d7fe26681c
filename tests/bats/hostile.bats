#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile and damaged input (issue 13): a copy of a capture made hostile, as an
# attacker or a broken system would shape it.  Every case asserts the exit code
# and the message, runs under `timeout` (a hang fails, it does not block), and
# teardown checks that nothing outside the copy changed (a sentinel's checksum,
# and the test directory holds nothing new).
# Classes: symlinks out of the tree (state files, rules, config space, pci.ids),
# FIFOs, sockets and devices where files belong, oversize files, directories where
# files belong, damaged journals, damaged rules, damaged vendor files, exit codes.

load helpers

setup() {
	unset IOMMUCTL_STATE_DIR
	EXE=$(readlink -f "$IOMMUCTL")
	C=$BATS_TEST_TMPDIR/c
	O=$BATS_TEST_TMPDIR/outside
	cp -a "$FIX/intel-server" "$C"
	mkdir -p "$O"
	echo "a file outside the tree that nothing may change" >"$O/secret"
	# a journal-shaped and a config-shaped file outside, for the links to point at
	journal13 >"$O/journal"
	head -c 4096 /dev/zero | tr '\0' '\377' >"$O/config"
	G12=$C/sys/kernel/iommu_groups/12
	D4=$C/sys/devices/pci0000:00/0000:00:1c.3/0000:04:00.0	# group 12
	D41=$(readlink -f "$C/sys/bus/pci/devices/0000:04:00.1")	# group 13
	S=$C/run/iommuctl
	R=$C/etc/udev/rules.d
	UNIT=$(readlink -f "$C/sys/class/iommu/dmar0")/intel-iommu
	SUM=$(outside_sum)
}

teardown() {
	assert_equal "$(outside_sum)" "$SUM"
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR" | grep -v -e '^bats' -e '^separate-stderr' | tr '\n' ' ')" "c outside "
}

outside_sum() {
	find "$O" -printf '%p %y %s %m\n' | sort | sha256sum
	sha256sum "$O/secret" "$O/journal" "$O/config"
}

# x ARGS: iommuctl --sysroot on the copy, with a time limit
x() {
	run --separate-stderr timeout 20 "$IOMMUCTL" --sysroot "$C" "$@"
}

# fails CODE REGEX: the run exited CODE, its message on stderr matches REGEX
fails() {
	assert_equal "$status" "$1"
	[[ $stderr =~ $2 ]] || { echo "stderr: $stderr" >&2; echo "wanted: $2" >&2; return 1; }
}

# replace FILE: FILE made ready to be replaced by something else
replace() {
	rm -rf "$1"
}

journal13() {
	printf '%s\n' "iommuctl-journal 1" "group 13" "phase claiming" "target vfio-pci" "pid 4242" \
		"member 0000:04:00.1 driver e1000e override -"
}

state() {
	mkdir -p "$S"
	chmod 700 "$S"
}

# recover_refuses REGEX: recover acts on nothing, keeps the journal, names the problem
recover_refuses() {
	local before
	before=$(cat "$D41/driver_override")
	x recover
	fails 1 "$1"
	assert_output --partial "not recovered: nothing was done"
	assert_equal "$(cat "$D41/driver_override")" "$before"
	[ -e "$S/group-13.journal" ] || [ -L "$S/group-13.journal" ]
}

rule() {
	printf '%s\n' \
		"# iommuctl-persist 1: keep $1 on $2 across reboots (IOMMU group $3 when written)" \
		"# Written by 'iommuctl persist'; 'iommuctl persist --remove $1' removes it. See iommuctl-persist(8)." \
		"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"$1\", ATTR{driver_override}=\"$2\", RUN{builtin}+=\"kmod load $2\"" \
		"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"$1\", DRIVER!=\"$2\", TEST==\"${4:-$EXE}\", RUN+=\"${4:-$EXE} claim --persisted --driver $2 $1\""
}

rules() {
	mkdir -p "$R"
	rule 0000:02:00.0 vfio-pci 10 >"$R/61-iommuctl-0000:02:00.0.rules"
}

on_vfio() {
	ln -sfn /sys/bus/pci/drivers/vfio-pci "$C/sys/bus/pci/devices/$1/driver"
	echo vfio-pci >"$C/sys/bus/pci/devices/$1/driver_override"
}

# --- state files: links out of the tree ---------------------------------------------------

@test "lock: a symlink out of the tree is not truncated or written (recover)" {
	state
	ln -s "$O/secret" "$S/group-13.lock"
	journal13 >"$S/group-13.journal"
	x recover
	fails 1 "run/iommuctl/group-13.lock is a symbolic link: refusing to follow it"
}

@test "lock: a relative symlink climbing out of the tree (claim)" {
	state
	ln -s ../../../outside/secret "$S/group-13.lock"
	x claim 13
	fails 1 "group-13.lock is a symbolic link"
}

@test "lock: a hard link to a file outside is refused" {
	state
	ln "$O/secret" "$S/group-13.lock"
	x claim 13
	rm -f "$S/group-13.lock"
	fails 1 "group-13.lock has 2 names \\(a hard link\\): refusing it"
}

@test "journal: a symlink to a journal outside is not read or acted on" {
	state
	ln -s "$O/journal" "$S/group-13.journal"
	x recover
	fails 1 "group-13.journal is a symbolic link: refusing to follow it"
}

@test "journal: a hard link to a file outside is refused" {
	state
	ln "$O/journal" "$S/group-13.journal"
	x recover
	rm -f "$S/group-13.journal"
	fails 1 "group-13.journal has 2 names"
}

@test "journal: status does not follow a symlinked journal" {
	state
	ln -s "$O/journal" "$S/group-13.journal"
	x status 13
	assert_success
	assert_line --regexp "^ +13 kernel "
}

@test "state directory: a symlink (run/iommuctl -> outside) is refused" {
	mkdir -p "$C/run"
	ln -s "$O" "$S"
	x claim 13
	fails 1 "state directory .*run/iommuctl: it is a symbolic link or not a directory, refusing it"
}

@test "state directory: run -> an absolute path outside resolves inside the tree" {
	ln -s "$O" "$C/run"
	x claim 13
	assert_failure
	[[ $stderr =~ "state directory" ]]
}

@test "state directory: writable by others is refused (exit 5)" {
	mkdir -p "$S"
	chmod 777 "$S"
	x claim 13
	fails 5 "run/iommuctl is writable by group or others \\(mode 0777\\): refusing to use it"
}

@test "state directory: another user's is refused (exit 5)" {
	mkdir -p "$S"
	chmod 700 "$S"
	chown 65534 "$S"
	x recover
	fails 5 "run/iommuctl belongs to uid 65534, not root or you"
}

@test "state directory: IOMMUCTL_STATE_DIR that is a symlink is refused" {
	ln -s "$O" "$BATS_TEST_TMPDIR/c/statelink"
	IOMMUCTL_STATE_DIR=$C/statelink x claim 13
	fails 1 "statelink: it is a symbolic link or not a directory, refusing it"
}

@test "state directory: a lock file of another user is refused" {
	state
	: >"$S/group-13.lock"
	chown 65534 "$S/group-13.lock"
	x claim 13
	fails 5 "group-13.lock belongs to uid 65534"
}

@test "claim: a driver_override that is a hard link to a file outside is not truncated" {
	replace "$D41/driver_override"
	ln "$O/secret" "$D41/driver_override"
	export IOMMUCTL_STATE_DIR=$C/state
	x claim 13
	rm -f "$D41/driver_override"
	fails 1 "step 1 .* failed: .*0000:04:00.1/driver_override is not a file with one name"
}

@test "claim: a driver_override that is a symlink out of the tree is not written" {
	replace "$D41/driver_override"
	ln -s "$O/secret" "$D41/driver_override"
	export IOMMUCTL_STATE_DIR=$C/state
	x claim 13
	fails 1 "step 1 .* failed: Too many levels of symbolic links"
}

@test "claim: a driver_override that is a FIFO does not hang the claim" {
	replace "$D41/driver_override"
	mkfifo "$D41/driver_override"
	export IOMMUCTL_STATE_DIR=$C/state
	x claim 13
	fails 1 "step 1 .* failed: No such device or address; rolled back"
}

# --- rules: links out of the tree ----------------------------------------------------------

@test "rules: a rule file that is a symlink is listed as such, not read" {
	mkdir -p "$R"
	rule 0000:02:00.0 vfio-pci 10 >"$O/rule"
	ln -s "$O/rule" "$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list
	assert_success
	assert_line --regexp "^0000:02:00.0 +- +- +.* +cannot read it: it is a symbolic link, not followed$"
}

@test "rules: persist replaces a symlinked rule file, never writes through it" {
	mkdir -p "$R"
	echo "outside" >"$O/rule"
	ln -s "$O/rule" "$R/61-iommuctl-0000:02:00.0.rules"
	on_vfio 0000:02:00.0
	x persist 10
	assert_success
	[ ! -L "$R/61-iommuctl-0000:02:00.0.rules" ]
	diff <(rule 0000:02:00.0 vfio-pci 10) "$R/61-iommuctl-0000:02:00.0.rules"
}

@test "rules: persist --remove of a symlinked rule removes the link only" {
	mkdir -p "$R"
	echo "outside" >"$O/rule"
	ln -s "$O/rule" "$R/61-iommuctl-0000:02:00.0.rules"
	on_vfio 0000:02:00.0
	x persist --remove 10
	assert_success
	[ ! -e "$R/61-iommuctl-0000:02:00.0.rules" ]
}

@test "rules: a rules directory writable by others is refused (exit 5)" {
	mkdir -p "$R"
	chmod 777 "$R"
	on_vfio 0000:02:00.0
	x persist 10
	fails 5 "rules.d is writable by group or others \\(mode 0777\\): refusing to write rules into it"
	assert_equal "$(ls -A "$R")" ""
}

@test "rules: a rules directory of another user is refused (exit 5)" {
	mkdir -p "$R"
	chown 65534 "$R"
	on_vfio 0000:02:00.0
	x persist 10
	fails 5 "rules.d belongs to uid 65534"
}

# --- libpci: config space and pci.ids ------------------------------------------------------

@test "libpci: config space through an absolute symlink out of the tree is not read" {
	x explain 12
	assert_success
	local want=$output
	rm "$D4/config"
	ln -s "$O/config" "$D4/config"
	x explain 12
	# the link resolves inside the tree, where there is no such file: no config space, as if absent
	assert_success
	rm "$D4/config"
	x explain 12
	local absent=$output
	x explain 12
	assert_equal "$output" "$absent"
	[ "$want" != "" ]
}

@test "libpci: config space through a relative symlink climbing out is not read" {
	rm "$D4/config"
	x explain 12
	local absent=$output
	ln -s ../../../../../outside/config "$D4/config"
	x explain 12
	assert_success
	assert_equal "$output" "$absent"
}

@test "libpci: config space of the parent port through a symlink is confined" {
	local port=$C/sys/devices/pci0000:00/0000:00:1c.3
	rm "$port/config"
	ln -s "$O/config" "$port/config"
	x explain 12
	assert_success
	assert_output --partial "0000:00:1c.3"
}

@test "libpci: pci.ids through a symlink out of the tree is not read" {
	printf '8086  EVIL VENDOR FROM OUTSIDE\n' >"$O/pci.ids"
	x show 00:1f.2
	local want=$output
	rm -f "$C/usr/share/misc/pci.ids"
	ln -s "$O/pci.ids" "$C/usr/share/misc/pci.ids"
	x show 00:1f.2
	assert_success
	refute_output --partial "EVIL"
	[ "$want" != "$output" ]
}

@test "libpci: pci.ids as a FIFO: no hang, no names" {
	rm -f "$C/usr/share/misc/pci.ids"
	mkfifo "$C/usr/share/misc/pci.ids"
	x show 00:1f.2
	assert_success
	assert_output --partial "0000:00:1f.2"
}

@test "libpci: pci.ids as a directory: no names" {
	rm -f "$C/usr/share/misc/pci.ids"
	mkdir "$C/usr/share/misc/pci.ids"
	x devices
	assert_success
}

@test "libpci: pci.ids larger than 64 MiB is not loaded" {
	truncate -s 100M "$C/usr/share/misc/pci.ids"
	x show 00:1f.2
	assert_success
	assert_output --partial "0000:00:1f.2"
}

@test "sysfs: a vendor attribute linked out of the tree is read inside it" {
	echo 0xdead >"$O/vendor"
	rm "$D4/vendor"
	ln -s "$O/vendor" "$D4/vendor"
	x devices --json
	refute_output --partial "dead"
}

# --- FIFOs, sockets and devices where files belong ----------------------------------------

@test "FIFO: a group's type: groups does not hang" {
	replace "$G12/type"
	mkfifo "$G12/type"
	x groups
	assert_success
	assert_output --partial "0000:04:00.0"
}

@test "FIFO: a group's reserved_regions is an error naming it, not 'none'" {
	replace "$G12/reserved_regions"
	mkfifo "$G12/reserved_regions"
	x show 12
	fails 1 "group 12: cannot read its reserved regions: .*iommu_groups/12/reserved_regions is a FIFO, not a file"
	refute_output --partial "none"
}

@test "FIFO: a group's reserved_regions makes apply --check an error naming it once, not a warning" {
	replace "$G12/reserved_regions"
	mkfifo "$G12/reserved_regions"
	printf 'devices:\n  - {name: d, device: 0000:04:00.0}\nioas:\n  - name: a\n    mappings:\n      - {iova: 0x1000000, size: 4K, memory: anon}\nattach:\n  - {device: d, ioas: a}\n' >"$C/spec.yaml"
	x apply --check "$C/spec.yaml"
	assert_equal "$status" 3	# (the findings are the report, on stdout)
	assert_output --regexp "error: devices\\[0\\]\\.device: cannot check 0000:04:00\\.0: group 12: cannot read its reserved regions: .*reserved_regions is a FIFO, not a file"
	refute_output --partial "group 12: group 12"
	assert_output --partial "not supported on this system: 1 error, 0 warnings"
}

@test "FIFO: a device's vendor" {
	replace "$D4/vendor"
	mkfifo "$D4/vendor"
	x devices
	fails 1 "0000:04:00.0: cannot read vendor ID: .*0000:04:00.0/vendor is a FIFO, not a file"
}

@test "FIFO: a device's config (explain)" {
	replace "$D4/config"
	mkfifo "$D4/config"
	x explain 12
	fails 1 "group 12: .*0000:04:00.0/config is a FIFO, not a file: the tree is damaged"
}

@test "FIFO: a device's class: devices does not hang" {
	replace "$D4/class"
	mkfifo "$D4/class"
	x devices
	assert_success
}

@test "FIFO: a device's driver_override: claim --dry-run does not hang" {
	replace "$D4/driver_override"
	mkfifo "$D4/driver_override"
	x claim --dry-run 12
	assert_success
}

@test "FIFO: a device's numa_node: show does not hang" {
	replace "$D4/numa_node"
	mkfifo "$D4/numa_node"
	x show 04:00.0
	assert_success
}

@test "FIFO: an IOMMU unit's cap register (hw-info)" {
	replace "$UNIT/cap"
	mkfifo "$UNIT/cap"
	x hw-info 00:02.0
	fails 1 "cannot read the registers of dmar0 from sysfs: .*intel-iommu/cap is a FIFO, not a file"
}

@test "FIFO: a journal (recover)" {
	state
	mkfifo "$S/group-13.journal"
	recover_refuses "group-13.journal is not a regular file: refusing it"
}

@test "FIFO: a journal (status does not hang)" {
	state
	mkfifo "$S/group-13.journal"
	x status
	assert_success
}

@test "FIFO: a journal (claim refuses)" {
	state
	mkfifo "$S/group-13.journal"
	x claim 13
	fails 1 "group-13.journal is not a regular file"
}

@test "FIFO: a lock file" {
	state
	mkfifo "$S/group-13.lock"
	x claim 13
	fails 1 "group-13.lock is not a regular file"
}

@test "FIFO: a rule file is listed with its problem" {
	mkdir -p "$R"
	mkfifo "$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list
	assert_success
	assert_output --regexp "0000:02:00.0 .*cannot read it: it is not a regular file"
}

@test "FIFO: proc/cmdline (doctor skips that check, does not hang)" {
	replace "$C/proc/cmdline"
	mkfifo "$C/proc/cmdline"
	x doctor
	assert_equal "$status" 8
	assert_line --regexp "^ +skip +kernel command line: /proc/cmdline could not be read$"
}

@test "FIFO: proc/interrupts (doctor does not hang)" {
	rm -f "$C/proc/interrupts"
	mkfifo "$C/proc/interrupts"
	x doctor
	assert_equal "$status" 8
}

@test "socket: a group's reserved_regions" {
	replace "$G12/reserved_regions"
	python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$G12/reserved_regions"
	x show 12
	fails 1 "iommu_groups/12/reserved_regions: No such device or address"
}

@test "socket: a device's vendor" {
	replace "$D4/vendor"
	python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$D4/vendor"
	x devices
	fails 1 "0000:04:00.0/vendor"
}

@test "character device: a group's reserved_regions is refused, not read" {
	replace "$G12/reserved_regions"
	mknod "$G12/reserved_regions" c 1 3
	x show 12
	fails 1 "reserved_regions is a character device, not a file"
}

@test "character device: a device's config is refused" {
	replace "$D4/config"
	mknod "$D4/config" c 1 5
	x explain 12
	fails 1 "0000:04:00.0/config is a character device, not a file"
}

# --- oversize ------------------------------------------------------------------------------

@test "oversize: reserved_regions of 1 GiB" {
	truncate -s 1G "$G12/reserved_regions"
	x show 12
	fails 1 "reserved_regions is 1073741824 bytes, more than such a file can hold"
}

@test "oversize: reserved_regions of 2 MiB" {
	truncate -s 2M "$G12/reserved_regions"
	x groups
	fails 1 "reserved_regions is 2097152 bytes"
}

@test "oversize: a device's config space of 8 KiB" {
	truncate -s 8K "$D4/config"
	x explain 12
	fails 1 "0000:04:00.0/config is 8192 bytes, more than such a file can hold \\(4096\\)"
}

@test "oversize: a device's vendor of 1 MiB" {
	truncate -s 1M "$D4/vendor"
	x devices
	fails 1 "0000:04:00.0/vendor is 1048576 bytes"
}

@test "oversize: a group's type of 64 KiB is not read" {
	truncate -s 64K "$G12/type"
	x show 12
	assert_success
	assert_line --regexp "^  Type: +-$"
}

@test "oversize: an IOMMU cap register file of 1 GiB" {
	truncate -s 1G "$UNIT/cap"
	x hw-info 00:02.0
	fails 1 "intel-iommu/cap is 1073741824 bytes"
}

@test "oversize: a journal of 100 KiB" {
	state
	{ journal13; head -c 100000 /dev/zero | tr '\0' 'x'; } >"$S/group-13.journal"
	recover_refuses "group-13.journal is larger than a journal can be \\(65536 bytes\\)"
}

@test "oversize: a rule file of 100 KiB" {
	mkdir -p "$R"
	head -c 100000 /dev/zero >"$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list
	assert_success
	assert_output --regexp "0000:02:00.0 .*it is longer than any rule iommuctl writes"
}

@test "oversize: proc/cmdline of 2 MiB (doctor skips that check)" {
	truncate -s 2M "$C/proc/cmdline"
	x doctor
	assert_equal "$status" 8
	assert_line --regexp "^ +skip +kernel command line: /proc/cmdline could not be read$"
}

# --- directories and loops where files belong ----------------------------------------------

@test "directory: reserved_regions" {
	replace "$G12/reserved_regions"
	mkdir "$G12/reserved_regions"
	x show 12
	fails 1 "reserved_regions is a directory, not a file"
	refute_output --partial "Reserved regions: none"
}

@test "directory: reserved_regions, in JSON" {
	replace "$G12/reserved_regions"
	mkdir "$G12/reserved_regions"
	x --json show 12
	assert_equal "$status" 1
	jq_true '.error.code == 1 and (.error.message | test("reserved_regions is a directory"))'
}

@test "loop: reserved_regions is a symlink loop" {
	replace "$G12/reserved_regions"
	ln -s reserved_regions "$G12/reserved_regions"
	x show 12
	fails 1 "iommuctl_groups/12/reserved_regions: Too many levels of symbolic links|iommu_groups/12/reserved_regions: Too many levels of symbolic links"
}

@test "directory: a device's config" {
	replace "$D4/config"
	mkdir "$D4/config"
	x explain 12
	fails 1 "0000:04:00.0/config is a directory, not a file"
}

@test "directory: a device's vendor" {
	replace "$D4/vendor"
	mkdir "$D4/vendor"
	x devices
	fails 1 "0000:04:00.0/vendor is a directory"
}

@test "directory: a journal" {
	state
	mkdir "$S/group-13.journal"
	recover_refuses "group-13.journal is not a regular file"
}

@test "directory: a lock" {
	state
	mkdir "$S/group-13.lock"
	x claim 13
	fails 1 "group-13.lock"
}

@test "directory: a rule file" {
	mkdir -p "$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list
	assert_success
	assert_output --regexp "0000:02:00.0 .*cannot read it: it is not a regular file"
}

@test "directory: an IOMMU cap register file" {
	replace "$UNIT/cap"
	mkdir "$UNIT/cap"
	x hw-info 00:02.0
	fails 1 "intel-iommu/cap is a directory"
}

# --- damaged journals -----------------------------------------------------------------------

@test "journal: truncated (no newline at its end)" {
	state
	journal13 | head -c -1 >"$S/group-13.journal"
	recover_refuses "group-13.journal line 6: cut short \\(no newline at its end\\)"
}

@test "journal: truncated in its header" {
	state
	journal13 | head -n 2 >"$S/group-13.journal"
	recover_refuses "group-13.journal line 3: missing: the journal ends in its header"
}

@test "journal: empty" {
	state
	: >"$S/group-13.journal"
	recover_refuses "group-13.journal line 1: missing: the journal is empty"
}

@test "journal: an unknown phase is not acted on" {
	state
	journal13 | sed 's/^phase claiming/phase undoing/' >"$S/group-13.journal"
	recover_refuses "group-13.journal line 3: an unknown phase \\(claiming, claimed, releasing\\)"
}

@test "journal: another version" {
	state
	journal13 | sed 's/^iommuctl-journal 1/iommuctl-journal 2/' >"$S/group-13.journal"
	recover_refuses "group-13.journal line 1: a journal version this iommuctl does not read"
}

@test "journal: not a journal at all" {
	state
	echo "hello" >"$S/group-13.journal"
	recover_refuses "group-13.journal line 1: not 'iommuctl-journal ...': it is not an iommuctl journal"
}

@test "journal: a member of another group is not changed" {
	state
	local before
	before=$(cat "$D4/driver_override")
	journal13 | sed 's/04:00.1/04:00.0/' >"$S/group-13.journal"
	recover_refuses "group-13.journal line 6: member 0000:04:00.0 is not in group 13"
	assert_equal "$(cat "$D4/driver_override")" "$before"
}

@test "journal: a member that is not a PCI address" {
	state
	journal13 | sed 's/0000:04:00.1/..\/..\/etc/' >"$S/group-13.journal"
	recover_refuses "line 6: the member is not a PCI address"
}

@test "journal: a member in another spelling (4:0.1) is refused" {
	state
	journal13 | sed 's/0000:04:00.1/0000:4:0.1/' >"$S/group-13.journal"
	recover_refuses "line 6: the member is not a PCI address"
}

@test "journal: a member named twice" {
	state
	{ journal13; echo "member 0000:04:00.1 driver - override -"; } >"$S/group-13.journal"
	recover_refuses "line 7: member 0000:04:00.1 is named twice"
}

@test "journal: a file name with 2^32+13 does not wrap to group 13" {
	state
	journal13 >"$S/group-4294967309.journal"
	x recover
	fails 1 "group-4294967309.journal: not a journal name iommuctl writes"
	assert_file_exists "$S/group-4294967309.journal"
	[ ! -e "$S/group-13.lock" ]
}

@test "journal: a file name with a leading zero or letters" {
	state
	journal13 >"$S/group-013.journal"
	x recover
	fails 1 "group-013.journal: not a journal name iommuctl writes"
}

@test "journal: group line 2^32+13" {
	state
	journal13 | sed 's/^group 13/group 4294967309/' >"$S/group-13.journal"
	recover_refuses "line 2: the group is not a number from 0 to 2147483647"
}

@test "journal: a group line that is not its file's group" {
	state
	journal13 | sed 's/^group 13/group 12/' >"$S/group-13.journal"
	recover_refuses "line 2: says group 12, its name group 13"
}

@test "journal: a pid out of range" {
	state
	journal13 | sed 's/^pid 4242/pid 99999999999999999999/' >"$S/group-13.journal"
	recover_refuses "line 5: the pid is not a number from 1 to 2147483647"
}

@test "journal: a negative pid" {
	state
	journal13 | sed 's/^pid 4242/pid -1/' >"$S/group-13.journal"
	recover_refuses "line 5: the pid is not a number"
}

@test "journal: a line iommuctl does not write" {
	state
	{ journal13; echo "exec /bin/sh"; } >"$S/group-13.journal"
	recover_refuses "line 7: not 'member DEVICE driver DRIVER override OVERRIDE'"
}

@test "journal: a NUL byte" {
	state
	{ journal13; printf 'member 0000:04:00.1\0 driver - override -\n'; } >"$S/group-13.journal"
	recover_refuses "group-13.journal line 7: a NUL byte"
}

@test "journal: two spaces between fields" {
	state
	journal13 | sed 's/driver e1000e/driver  e1000e/' >"$S/group-13.journal"
	recover_refuses "line 6: not 'member DEVICE driver DRIVER override OVERRIDE'"
}

@test "journal: a driver name with shell characters" {
	state
	journal13 | sed 's/e1000e/e1000e;reboot/' >"$S/group-13.journal"
	recover_refuses "line 6: a driver name iommuctl does not write"
}

@test "journal: CRLF line ends" {
	state
	journal13 | sed 's/$/\r/' >"$S/group-13.journal"
	recover_refuses "line 1: a journal version this iommuctl does not read"
}

@test "journal: the header out of order" {
	state
	journal13 | sed '2{h;d};3{G}' >"$S/group-13.journal"
	recover_refuses "line 2: not 'group ...'"
}

@test "journal: claim refuses a damaged journal and keeps it" {
	state
	journal13 | sed 's/^phase claiming/phase whatever/' >"$S/group-13.journal"
	x claim 13
	fails 1 "group-13.journal line 3: an unknown phase"
	assert_file_exists "$S/group-13.journal"
}

@test "journal: status shows a group whose journal is damaged" {
	state
	echo garbage >"$S/group-13.journal"
	x status 13
	assert_success
	assert_line --regexp "^ +13 kernel "
}

@test "journal: the messages in JSON carry code 1 and the file" {
	state
	journal13 | head -c 30 >"$S/group-13.journal"
	x --json recover
	assert_equal "$status" 1
	jq_true '.recovered[0].ok == false and .recovered[0].phase == "" and (.error.message | test("group-13.journal line 3"))'
}

# --- damaged rules --------------------------------------------------------------------------

@test "rules: an intact rule lists clean; RUN shows what it runs" {
	rules
	x persist --list -o DEVICE,RUN,PROBLEM
	assert_success
	assert_line --regexp "^0000:02:00.0 +kmod load vfio-pci; $EXE claim --persisted --driver vfio-pci 0000:02:00.0 +-$"
}

@test "rules: --json shows what each rule runs" {
	rules
	x --json persist --list
	assert_success
	jq_true ".persisted[0].run == \"kmod load vfio-pci; $EXE claim --persisted --driver vfio-pci 0000:02:00.0\" and .persisted[0].problem == null"
}

@test "rules: a NUL byte is flagged, the rest of the file shown" {
	mkdir -p "$R"
	{ rule 0000:02:00.0 vfio-pci 10; printf 'RUN+="/bin/sh\0-c evil"\n'; } >"$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list -o DEVICE,PROBLEM,RUN
	assert_success
	assert_output --regexp "0000:02:00.0 +it holds a NUL byte \\(at offset [0-9]+\\): not as iommuctl persist writes it +.*/bin/sh\\\\0-c evil"
}

@test "rules: another binary is flagged" {
	mkdir -p "$R"
	rule 0000:02:00.0 vfio-pci 10 /tmp/evil >"$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list -o DEVICE,PROBLEM,RUN
	assert_success
	assert_output --regexp "0000:02:00.0 +it runs /tmp/evil, not this iommuctl \\(.*\\) +kmod load vfio-pci; /tmp/evil claim"
}

@test "rules: an extra key is flagged and shown" {
	mkdir -p "$R"
	rule 0000:02:00.0 vfio-pci 10 | sed '$s/$/, RUN+="\/bin\/touch \/x"/' >"$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list -o DEVICE,PROBLEM,RUN
	assert_success
	assert_output --regexp "0000:02:00.0 +changed by hand: not as iommuctl persist writes it +.*; /bin/touch /x$"
}

@test "rules: an extra line is flagged" {
	rules
	echo 'ACTION=="add", RUN+="/bin/sh -c reboot"' >>"$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list
	assert_success
	assert_output --regexp "0000:02:00.0 .*changed by hand"
}

@test "rules: a header group of 2^32+13 does not wrap to 13" {
	mkdir -p "$R"
	rule 0000:02:00.0 vfio-pci 4294967309 >"$R/61-iommuctl-0000:02:00.0.rules"
	x --json persist --list
	assert_success
	jq_true '.persisted[0].group == null and .persisted[0].problem == "no iommuctl-persist header for 0000:02:00.0"'
}

@test "rules: a header group with a leading zero" {
	mkdir -p "$R"
	rule 0000:02:00.0 vfio-pci 010 >"$R/61-iommuctl-0000:02:00.0.rules"
	x --json persist --list
	jq_true '.persisted[0].group == null'
}

@test "rules: a header naming another device" {
	mkdir -p "$R"
	rule 0000:03:00.0 vfio-pci 10 >"$R/61-iommuctl-0000:02:00.0.rules"
	x persist --list
	assert_output --regexp "0000:02:00.0 .*no iommuctl-persist header for 0000:02:00.0"
}

@test "rules: a NUL byte makes persist rewrite the file, not call it unchanged" {
	mkdir -p "$R"
	{ rule 0000:02:00.0 vfio-pci 10; printf '\0RUN+="/bin/sh"\n'; } >"$R/61-iommuctl-0000:02:00.0.rules"
	on_vfio 0000:02:00.0
	x persist 10
	assert_success
	diff <(rule 0000:02:00.0 vfio-pci 10) "$R/61-iommuctl-0000:02:00.0.rules"
}

# --- damaged vendor files -------------------------------------------------------------------

@test "vendor: an Intel cap that is not a number names the file (exit 1, not usage)" {
	echo zzz >"$UNIT/cap"
	x hw-info 00:02.0
	fails 1 "0000:00:02.0: cannot read the registers of dmar0 from sysfs: .*intel-iommu/cap: 'zzz' is not a number: the tree is damaged"
}

@test "vendor: an empty Intel ecap" {
	: >"$UNIT/ecap"
	x hw-info 00:02.0
	fails 1 "intel-iommu/ecap: '' is not a number"
}

@test "vendor: a damaged cap in caps (JSON code 1)" {
	echo 0xZZ >"$UNIT/cap"
	x --json caps 00:02.0
	assert_equal "$status" 1
	jq_true '.error.code == 1 and (.error.message | test("intel-iommu/cap"))'
}

@test "vendor: an AMD features file that is not a number" {
	rm -rf "$C"
	cp -a "$FIX/amd-desktop" "$C"
	local f dev
	f=$(readlink -f "$C"/sys/class/iommu/*/amd-iommu)/features
	dev=$(basename "$(readlink -f "$C"/sys/class/iommu/*/devices/* | head -1)")
	echo "not-hex" >"$f"
	x hw-info "$dev"
	fails 1 "cannot read the registers of ivhd0 from sysfs \\(sys/devices/.*/ivhd0\\): Invalid argument"
}

@test "vendor: a device's vendor that is not a number" {
	echo nope >"$D4/vendor"
	x devices
	fails 1 "0000:04:00.0: cannot read vendor ID: .*0000:04:00.0/vendor: 'nope' is not a number"
}

@test "vendor: a negative vendor number is not wrapped" {
	printf '%s\n' -1 >"$D4/vendor"
	x devices
	fails 1 "0000:04:00.0/vendor: '-1' is not a number"
}

@test "numbers: a vendor with a blank and a sign (' -1') is not wrapped to 0xffff" {
	printf ' -1\n' >"$D4/vendor"
	x show 04:00.0
	fails 1 "0000:04:00.0/vendor: ' -1' is not a number: the tree is damaged"
	refute_output --partial "ffff"
}

@test "numbers: a vendor with a plus sign" {
	printf '+0x8086\n' >"$D4/vendor"
	x show 04:00.0
	fails 1 "0000:04:00.0/vendor: '\\+0x8086' is not a number"
}

@test "numbers: a vendor of 0x10000 is not cut to 16 bits" {
	printf '0x10000\n' >"$D4/vendor"
	x show 04:00.0
	fails 1 "0000:04:00.0: cannot read vendor ID: .*0000:04:00.0/vendor: 0x10000 is wider than 16 bits: the tree is damaged"
	refute_output --partial "[0000]"
}

@test "numbers: a vendor of 0x with no digits" {
	printf '0x\n' >"$D4/vendor"
	x show 04:00.0
	fails 1 "0000:04:00.0/vendor: '0x' is not a number"
}

@test "numbers: a device ID of -1 is not read as 0xffff" {
	printf '%s\n' -1 >"$D4/device"
	x --json show 04:00.0
	assert_success
	jq_true '.device.vendor_id == "0x1b36" and .device.device_id != "0xffff"'
}

@test "numbers: a NUMA node of -1 still reads (the one negative sysfs writes), ' -1' does not" {
	printf '%s\n' 1 >"$D4/numa_node"
	x --json show 04:00.0
	jq_true '.device.numa_node == 1'
	printf ' 1\n' >"$D4/numa_node"
	x --json show 04:00.0
	jq_true '.device.numa_node == -1'
}

@test "NUL byte: a vendor '0x8086\\0junk' is an error naming the file, not 0x8086" {
	printf '0x8086\0junk\n' >"$D4/vendor"
	x show 04:00.0
	fails 1 "0000:04:00.0: cannot read vendor ID: .*0000:04:00.0/vendor holds a NUL byte \\(at offset 6\\): it is not text; the tree is damaged"
	refute_output --partial "Intel"
}

@test "NUL byte: a vendor '5\\0' in a listing is that device's row" {
	printf '5\0' >"$D4/vendor"
	x devices
	fails 1 "0000:04:00.0/vendor holds a NUL byte \\(at offset 1\\)"
	assert_line --regexp "^0000:04:00.0 +12 dmar0 nvme +- +- +error$"
	assert_line --regexp "^0000:04:00.1 +13 "
}

@test "NUL byte: reserved_regions with good lines before a NUL is an error, not the lines before it" {
	printf '0x00000000fee00000 0x00000000feefffff msi\n\0garbage\n' >"$G12/reserved_regions"
	x show 12
	fails 1 "group 12: cannot read its reserved regions: .*iommu_groups/12/reserved_regions holds a NUL byte \\(at offset 42\\)"
	refute_output --partial "msi"
}

@test "NUL byte: a group's type 'DMA\\0identity' is not shown as DMA" {
	printf 'DMA\0identity\n' >"$G12/type"
	x show 12
	assert_success
	assert_line --regexp "^  Type: +-$"
}

@test "NUL byte: a driver_override 'vfio-pci\\0' is not vfio-pci" {
	printf 'vfio-pci\0\n' >"$D4/driver_override"
	x --json show 04:00.0
	assert_success
	jq_true '.device.driver_override == null'
}

@test "reserved_regions: a damaged line names the group (exit 1)" {
	echo "0xfee00000 garbage" >"$G12/reserved_regions"
	x show 12
	fails 1 "group 12: reserved_regions line 1 is not 'START END TYPE' in hex"
}

# --- rows that cannot be read: a row with its error, the rest of the listing intact --------

# sound ARGS: the same command's stdout on the unmodified fixture, without lines matching $SKIP
sound() {
	"$IOMMUCTL" --sysroot "$FIX/intel-server" "$@" | grep -v -E "$SKIP"
}

# rest_intact ARGS: the run's stdout, but for lines matching $SKIP, is the sound tree's
rest_intact() {
	diff -u <(sound "$@") <(grep -v -E "$SKIP" <<<"$output")
}

# json_rest_intact KEY FILTER ARGS: the JSON elements not selected by FILTER are the sound tree's
json_rest_intact() {
	local key=$1 sel=$2
	shift 2
	diff -u <("$IOMMUCTL" --sysroot "$FIX/intel-server" --json "$@" |
		jq -c ".$key[] | select(($sel) | not)") <(jq -c ".$key[] | select(($sel) | not)" <<<"$output")
}

@test "rows: a group without devices/ is a row with its error; groups lists the rest, exits 1" {
	rm -rf "$G12/devices"
	x groups -o +ERROR
	fails 1 "^iommuctl: group 12: cannot list sys/kernel/iommu_groups/12/devices: No such file or directory$"
	assert_line --regexp "^ +12 DMA-FQ +- +0 error +- +group 12: cannot list sys/kernel/iommu_groups/12/devices: No such file or directory$"
	SKIP='^ +12 ' rest_intact groups -o +ERROR
	assert_equal "$(grep -c . <<<"$output")" 16
}

@test "rows: a group without devices/, in JSON: an error object in its element, null in the others" {
	rm -rf "$G12/devices"
	x --json groups
	assert_equal "$status" 1
	assert_equal "$stderr" ""
	jq_true '(.groups | length) == 15 and ([.groups[] | select(.error != null) | .group] == [12])
		and (.groups[] | select(.group == 12) | .viable == null and .devices == []
			and .error.code == 1 and .error.errno == "ENOENT"
			and (.error.message | test("iommu_groups/12/devices")))
		and (has("error") | not)'
	json_rest_intact groups '.group == 12' groups
}

@test "rows: a group without devices/: show, explain and claim of that one group fail naming it" {
	rm -rf "$G12/devices"
	for cmd in "show 12" "explain 12" "claim --dry-run 12" "show 04:00.0" "status 12"; do
		# shellcheck disable=SC2086
		x $cmd
		fails 1 "group 12: cannot list sys/kernel/iommu_groups/12/devices: No such file or directory"
		assert_equal "$(grep -c . <<<"$stderr")" 1
	done
	x show 13
	assert_success
}

@test "rows: a group without devices/: status lists the others, the group is its own row" {
	rm -rf "$G12/devices"
	x status -o GROUP,STATE,ERROR
	fails 1 "group 12: cannot list sys/kernel/iommu_groups/12/devices"
	assert_line --regexp "^ +12 error +group 12: cannot list sys/kernel/iommu_groups/12/devices: No such file or directory$"
	assert_line --regexp "^ +13 kernel +-$"
}

@test "rows: a group whose reserved_regions is damaged keeps its members; groups --tree lists the rest" {
	echo "0xfee00000 garbage" >"$G12/reserved_regions"
	x groups -o GROUP,NDEV,VIABLE,DEVICES,ERROR
	fails 1 "^iommuctl: group 12: reserved_regions line 1 is not 'START END TYPE' in hex"
	assert_line --regexp "^ +12 +1 error +0000:04:00.0 +group 12: reserved_regions line 1 is not"
	x groups --tree
	assert_equal "$status" 1
	assert_line --regexp "^12 +DMA-FQ +- +error$"
	SKIP='^12 ' rest_intact groups --tree
	# the one group alone is the command's error, as before
	x show 12
	fails 1 "group 12: reserved_regions line 1"
}

@test "rows: a reserved_regions that is a directory is its group's row, in JSON too" {
	replace "$G12/reserved_regions"
	mkdir "$G12/reserved_regions"
	x --json groups
	assert_equal "$status" 1
	jq_true '[.groups[] | select(.error != null) | .group] == [12]
		and (.groups[] | select(.group == 12) | .devices == ["0000:04:00.0"]
			and .error.code == 1 and (.error.message | test("iommu_groups/12/reserved_regions is a directory")))'
	json_rest_intact groups '.group == 12' groups
}

@test "rows: a device whose vendor is a FIFO is a row with its error; devices lists the rest, exits 1" {
	replace "$D4/vendor"
	mkfifo "$D4/vendor"
	x devices -o +ERROR
	fails 1 "^iommuctl: 0000:04:00.0: cannot read vendor ID: .*0000:04:00.0/vendor is a FIFO, not a file: the tree is damaged$"
	assert_line --regexp "^0000:04:00.0 +12 dmar0 nvme +- +- +error +0000:04:00.0: cannot read vendor ID: .*/vendor is a FIFO"
	SKIP='^0000:04:00.0 ' rest_intact devices -o +ERROR
	assert_equal "$(grep -c . <<<"$output")" 19
}

@test "rows: a device whose vendor is not a number, in JSON: its IDs null, its error, the rest intact" {
	echo nope >"$D4/vendor"
	x --json devices
	assert_equal "$status" 1
	assert_equal "$stderr" ""
	jq_true '(.devices | length) == 18 and ([.devices[] | select(.error != null) | .device] == ["0000:04:00.0"])
		and (.devices[] | select(.device == "0000:04:00.0") | .vendor_id == null and .class == null
			and .driver == "nvme" and .group == 12 and .error.code == 1 and .error.errno == "EINVAL"
			and (.error.message | test("0000:04:00.0/vendor: .nope. is not a number")))'
	json_rest_intact devices '.device == "0000:04:00.0"' devices
}

@test "rows: a device that cannot be read is not hidden by a filter, and shows in groups --tree" {
	replace "$D4/vendor"
	mkdir "$D4/vendor"
	x devices --class 0c03
	fails 1 "0000:04:00.0/vendor is a directory"
	assert_line --regexp "^0000:04:00.0 .* error$"
	assert_line --regexp "^0000:00:14.0 "
	assert_equal "$(grep -c . <<<"$output")" 3
	x groups --tree
	fails 1 "0000:04:00.0/vendor is a directory"
	assert_line --regexp "^.-0000:04:00.0 +- +nvme +error$"
	SKIP='^.-0000:04:00.0 ' rest_intact groups --tree
	x --json groups --tree
	jq_true '.groups[] | select(.group == 12) | .device_info[0].error.code == 1 and .error == null'
	# the group's other readers fail on that one member, naming it
	x explain 12
	fails 1 "0000:04:00.0/vendor is a directory"
	x show 04:00.0
	fails 1 "0000:04:00.0/vendor is a directory"
}

@test "rows: a member link that leads nowhere is a device row with its error" {
	rm -rf "$D41"
	x --json devices
	assert_equal "$status" 1
	jq_true '[.devices[] | select(.error != null) | .device] == ["0000:04:00.1"]
		and (.devices[] | select(.device == "0000:04:00.1") | .error.code == 1
			and (.error.message | test("no device 0000:04:00.1 in .*: sys/bus/pci/devices/0000:04:00.1 leads nowhere")))'
	json_rest_intact devices '.device == "0000:04:00.1"' devices
}

@test "rows: an IOMMU unit whose link leads nowhere is a row with its error; iommus lists the rest, exits 1" {
	ln -s ../../devices/virtual/iommu/dmar9 "$C/sys/class/iommu/dmar9"
	x iommus -o IOMMU,KIND,NDEV,ERROR
	fails 1 "^iommuctl: IOMMU unit dmar9: cannot resolve its sysfs directory sys/class/iommu/dmar9: No such file or directory$"
	assert_line --regexp "^dmar9 error +0 IOMMU unit dmar9: cannot resolve its sysfs directory sys/class/iommu/dmar9: No such file or directory$"
	assert_line --regexp "^dmar0 intel-vtd +18 -$"
	SKIP='^dmar9 ' rest_intact iommus -o IOMMU,KIND,NDEV,ERROR
	x --json iommus
	assert_equal "$status" 1
	jq_true '[.iommus[] | select(.error != null) | .iommu] == ["dmar9"]
		and (.iommus[] | select(.iommu == "dmar9") | .kind == null and .error.code == 1 and .error.errno == "ENOENT")'
	json_rest_intact iommus '.iommu == "dmar9"' iommus
	# the other unit's devices are served as before; doctor says the unit could not be read
	x hw-info --sysfs 00:02.0
	assert_success
	assert_output --partial "intel-vtd IOMMU dmar0 of 0000:00:02.0"
	x doctor
	assert_equal "$status" 8
	assert_output --partial "IOMMU unit dmar9: cannot resolve its sysfs"
}

@test "rows: a sound tree's groups, devices and groups --tree have an error member null everywhere, exit 0" {
	x --json groups
	assert_success
	jq_true '[.groups[] | has("error") and .error == null] | all'
	x --json devices
	assert_success
	jq_true '[.devices[] | has("error") and .error == null] | all'
	x --json groups --tree
	assert_success
	jq_true '[.groups[] | .device_info[] | has("error") and .error == null] | all'
}

@test "reserved_regions: a bad line after good ones, through every command that reads them (no leak on the ASan build)" {
	local cmd want
	printf '%s\n' "0x00000000fee00000 0x00000000feefffff msi" "bad line" \
		"0x0000000000000000 0x0000000000000fff direct" >"$G12/reserved_regions"
	printf '0x0 2M 0x40000000 rw\n' | "$IOMMUCTL" pt build --format x86-64 -o "$C/x.img" - >/dev/null
	# the exit status of each on the damaged group: a leak aborts the ASan build (134) instead
	while read -r want cmd; do
		# shellcheck disable=SC2086
		x $cmd
		fails "$want" "group 12: reserved_regions line 2 is not 'START END TYPE' in hex"
	done <<-EOF
		1 show 12
		1 show 04:00.0
		1 groups
		1 groups --tree
		1 explain 12
		1 status 12
		1 claim --dry-run 12
		1 pt validate --group 12 $C/x.img
	EOF
	x doctor 04:00.0
	assert_equal "$status" 1
	assert_output --partial "IOMMU group: group 12: reserved_regions line 2 is not 'START END TYPE'"
	x --json groups
	assert_equal "$status" 1
	jq_true '.groups[] | select(.group == 12) | .error.code == 1'
}

# --- exit codes on a host without an IOMMU ------------------------------------------------

@test "no IOMMU: explain GROUP exits 3" {
	run --separate-stderr timeout 20 "$IOMMUCTL" --sysroot "$FIX/no-iommu" explain 13
	fails 3 "no IOMMU is active"
}

@test "no IOMMU: claim GROUP exits 3" {
	run --separate-stderr timeout 20 "$IOMMUCTL" --sysroot "$FIX/no-iommu" claim 13
	fails 3 "no IOMMU is active"
}

@test "no IOMMU: release GROUP exits 3" {
	run --separate-stderr timeout 20 "$IOMMUCTL" --sysroot "$FIX/no-iommu" release 13
	fails 3 "no IOMMU is active"
}

@test "no IOMMU: persist GROUP exits 3" {
	run --separate-stderr timeout 20 "$IOMMUCTL" --sysroot "$FIX/no-iommu" persist 13
	fails 3 "no IOMMU is active"
}

@test "no IOMMU: no iommu_groups directory at all, explain exits 3" {
	rm -rf "$C/sys/kernel/iommu_groups"
	x explain 12
	fails 3 "no IOMMU is active"
}
