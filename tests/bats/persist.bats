#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# persist on copies of the captured trees: the exact rule file, atomic writes, idempotence,
# --remove, --list (text and JSON), refusals and their exit codes, --dry-run, bridges left
# alone, the sysroot confinement, and claim --persisted's journal. The fixtures' claimed
# groups are the ones their capture shows on vfio-pci, or endpoints bound to it in the copy
# (a claim on a copied tree cannot bind: nothing probes a plain file).
# shellcheck disable=SC2016
load helpers

setup() {
	export IOMMUCTL_STATE_DIR=$BATS_TEST_TMPDIR/state
	# the binary the rule runs: /proc/self/exe of the binary under test
	EXE=$(readlink -f "$IOMMUCTL")
}

# copy FIXTURE: a private, writable copy in $C; its rules directory in $R
copy() {
	C=$BATS_TEST_TMPDIR/$1
	R=$C/etc/udev/rules.d
	cp -a "$FIX/$1" "$C"
}

# on_vfio DEV...: bind endpoints of the copy to vfio-pci, as a claim on the live system would
on_vfio() {
	local d
	for d in "$@"; do
		ln -sfn /sys/bus/pci/drivers/vfio-pci "$C/sys/bus/pci/devices/$d/driver"
		echo vfio-pci >"$C/sys/bus/pci/devices/$d/driver_override"
	done
}

# rule DEV DRIVER GROUP: the file iommuctl persist writes, line by line
rule() {
	printf '%s\n' \
		"# iommuctl-persist 1: keep $1 on $2 across reboots (IOMMU group $3 when written)" \
		"# Written by 'iommuctl persist'; 'iommuctl persist --remove $1' removes it. See iommuctl-persist(8)." \
		"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"$1\", ATTR{driver_override}=\"$2\", RUN{builtin}+=\"kmod load $2\"" \
		"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"$1\", DRIVER!=\"$2\", TEST==\"$EXE\", RUN+=\"$EXE claim --persisted --driver $2 $1\""
}

@test "persist --help: both usages, every option, the columns of --list" {
	run ictl persist --help
	assert_success
	assert_line "Usage: iommuctl persist [OPTION...] DEVICE|GROUP"
	assert_line "  or:  iommuctl persist [OPTION...] --list"
	for o in --remove --list --dry-run --output --json --sysroot; do
		assert_output --partial -- "$o"
	done
	for c in DEVICE DRIVER GROUP FILE PROBLEM; do
		assert_line --regexp "^  $c +\\*"
	done
}

@test "persist writes one rule per endpoint: exact content, mode 0644, no temp file left" {
	copy intel-server
	run ictl --sysroot "$C" --json persist 02:00.0
	assert_success
	jq_true ".action == \"persist\" and .group == 10 and .mechanism == \"udev\" and .result == \"persisted\"
		and .changed and .claimed and (.dry_run|not) and .devices == [\"0000:02:00.0\"] and .error == null"
	jq_true ".files == [{\"device\": \"0000:02:00.0\", \"driver\": \"vfio-pci\",
		\"path\": \"$R/61-iommuctl-0000:02:00.0.rules\", \"action\": \"write\", \"done\": true,
		\"content\": $(rule 0000:02:00.0 vfio-pci 10 | jq -Rs .)}]"
	diff -u <(rule 0000:02:00.0 vfio-pci 10) "$R/61-iommuctl-0000:02:00.0.rules"
	assert_equal "$(stat -c %a "$R/61-iommuctl-0000:02:00.0.rules") $(stat -c %a "$R") $(stat -c %a "$C/etc/udev")" "644 755 755"
	assert_equal "$(ls -A "$R")" "61-iommuctl-0000:02:00.0.rules"
}

@test "persist again writes nothing and says so; a file that differs is rewritten" {
	copy intel-server
	local f=$R/61-iommuctl-0000:02:00.0.rules
	run ictl --sysroot "$C" persist 10
	assert_success
	assert_output "Group 10: persist the claim across reboots (udev rules)
  0000:02:00.0   vfio-pci   written         $f
Result: persisted"
	local before
	before=$(stat -c %i:%Y.%y "$f")
	run ictl --sysroot "$C" persist 10
	assert_success
	assert_line --regexp "^  0000:02:00.0 +vfio-pci +unchanged +$f$"
	assert_line "Result: already persisted: nothing written"
	run ictl --sysroot "$C" --json persist 02:00.0
	jq_true '.result == "already persisted" and (.changed|not) and .files[0].action == "unchanged" and (.files[0].done|not)'
	assert_equal "$(stat -c %i:%Y.%y "$f")" "$before"
	# edited by hand: rewritten
	echo '# a local note' >>"$f"
	run ictl --sysroot "$C" --json persist 10
	jq_true '.result == "persisted" and .changed and .files[0].action == "rewrite"'
	diff -u <(rule 0000:02:00.0 vfio-pci 10) "$f"
	# the endpoint is on another VFIO driver now: rewritten with it
	mkdir "$C/sys/bus/pci/drivers/mlx5_vfio_pci"
	ln -sfn /sys/bus/pci/drivers/mlx5_vfio_pci "$C/sys/bus/pci/devices/0000:02:00.0/driver"
	run ictl --sysroot "$C" persist 10
	assert_line --regexp "^  0000:02:00.0 +mlx5_vfio_pci +rewritten +$f$"
	diff -u <(rule 0000:02:00.0 mlx5_vfio_pci 10) "$f"
	assert_equal "$(ls -A "$R")" "61-iommuctl-0000:02:00.0.rules"
}

@test "a group with bridges: only its endpoints get a rule" {
	copy amd-desktop
	on_vfio 0000:01:00.0 0000:02:00.0
	run ictl --sysroot "$C" --json persist 00:02.1
	assert_success
	jq_true '.group == 1 and .devices == ["0000:01:00.0","0000:02:00.0","0000:03:00.0"]'
	assert_equal "$(ls "$R" | tr '\n' ' ')" \
		"61-iommuctl-0000:01:00.0.rules 61-iommuctl-0000:02:00.0.rules 61-iommuctl-0000:03:00.0.rules "
	run grep -rl "0000:00:02" "$R"
	assert_failure
	diff -u <(rule 0000:03:00.0 vfio-pci 1) "$R/61-iommuctl-0000:03:00.0.rules"
}

@test "a group that is not claimed is refused with exit 7, naming the group and what to do" {
	copy intel-server
	run --separate-stderr ictl --sysroot "$C" persist 03:00.0
	assert_failure 7
	assert_equal "$stderr" "iommuctl: group 11 is not claimed (0000:03:00.0 has no driver): run 'iommuctl claim 11' first"
	assert_equal "$output" ""
	run ictl --sysroot "$C" --json persist 11
	assert_failure 7
	jq_true '.error.code == 7 and .error.errno == "EUNATCH" and (.error.message | test("run .iommuctl claim 11. first"))'
	assert_not_exist "$C/etc/udev"
	# a mixed group names the endpoint on a kernel driver
	copy amd-desktop
	run --separate-stderr ictl --sysroot "$C" persist 1
	assert_failure 7
	assert_equal "$stderr" "iommuctl: group 1 is not claimed (0000:01:00.0 is on e1000e): run 'iommuctl claim 1' first"
	# only bridges and ports: nothing to persist
	run ictl --sysroot "$FIX/intel-server" persist 00:1c.0
	assert_failure 3
	assert_output --partial "only bridges and ports"
}

@test "names, arguments and exit codes" {
	copy intel-server
	run ictl --sysroot "$C" persist
	assert_failure 2
	assert_output --partial "missing DEVICE|GROUP"
	run ictl --sysroot "$C" persist 00:1f.8
	assert_failure 2
	run ictl --sysroot "$C" persist 012
	assert_failure 2
	run ictl --sysroot "$C" persist '0000:02:00.0"'
	assert_failure 2
	run ictl --sysroot "$C" persist '../02:00.0'
	assert_failure 2
	run ictl --sysroot "$C" persist 0000:09:00.0
	assert_failure 4
	run ictl --sysroot "$C" persist 99
	assert_failure 4
	run ictl --sysroot "$C" persist --remove 99
	assert_failure 4
	run ictl --sysroot "$C" persist --list 10
	assert_failure 2
	run ictl --sysroot "$C" persist --list --remove
	assert_failure 2
	run ictl --sysroot "$C" persist 10 11
	assert_failure 2
	run ictl --sysroot "$FIX/no-iommu" persist "$(ls "$FIX/no-iommu/sys/bus/pci/devices" | head -1)"
	assert_failure 3
	assert_not_exist "$C/etc/udev"
}

@test "--dry-run prints each file and its content, and changes nothing" {
	copy amd-desktop
	run ictl --sysroot "$C" persist --dry-run 4
	assert_success
	assert_line --regexp "^  0000:04:00.0 +vfio-pci +would write +$R/61-iommuctl-0000:04:00.0.rules$"
	assert_line --regexp "^  0000:04:00.1 +vfio-pci +would write +$R/61-iommuctl-0000:04:00.1.rules$"
	while IFS= read -r l; do assert_line "      $l"; done < <(rule 0000:04:00.1 vfio-pci 4)
	assert_line "Result: planned (dry run: nothing is changed)"
	run ictl --sysroot "$C" --json persist -n 4
	jq_true ".dry_run and .result == \"planned\" and (.changed|not) and ([.files[] | .done] == [false, false])
		and .files[1].content == $(rule 0000:04:00.1 vfio-pci 4 | jq -Rs .)"
	assert_not_exist "$C/etc/udev"
	# --remove --dry-run: what would go, with its content; the file stays
	run ictl --sysroot "$C" persist 4
	assert_success
	run ictl --sysroot "$C" persist --remove --dry-run 04:00.0
	assert_success
	assert_line --regexp "^  0000:04:00.0 +vfio-pci +would remove +$R/61-iommuctl-0000:04:00.0.rules$"
	assert_line "      ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"0000:04:00.0\", ATTR{driver_override}=\"vfio-pci\", RUN{builtin}+=\"kmod load vfio-pci\""
	assert_line "Result: planned (dry run: nothing is changed); the group stays claimed until 'iommuctl release 4'"
	assert_equal "$(ls "$R" | wc -l)" 2
}

@test "--remove deletes the rules of the group's endpoints and leaves the group claimed" {
	copy amd-desktop
	echo 'SUBSYSTEM=="net", ACTION=="add", NAME="lan0"' >"$BATS_TEST_TMPDIR/70-local.rules"
	run ictl --sysroot "$C" persist 4
	assert_success
	cp "$BATS_TEST_TMPDIR/70-local.rules" "$R/"
	run ictl --sysroot "$C" persist --remove 04:00.1
	assert_success
	assert_output "Group 4: remove the persisted claim (udev rules)
  0000:04:00.0   vfio-pci   removed         $R/61-iommuctl-0000:04:00.0.rules
  0000:04:00.1   vfio-pci   removed         $R/61-iommuctl-0000:04:00.1.rules
Result: removed; the group stays claimed until 'iommuctl release 4'"
	assert_equal "$(ls -A "$R")" "70-local.rules"
	run ictl --sysroot "$C" --json status 4
	jq_true '.groups[0].state == "userspace"'
	run ictl --sysroot "$C" --json persist --remove 4
	assert_success
	jq_true '.action == "remove" and .result == "not persisted" and (.changed|not) and .claimed
		and ([.files[].action] == ["absent", "absent"]) and ([.files[].content] == [null, null])'
	run ictl --sysroot "$C" persist --remove 4
	assert_success
	assert_line "Result: not persisted: nothing to remove"
	# no rules directory at all: the same, and nothing is created
	copy intel-server
	run ictl --sysroot "$C" persist --remove 10
	assert_success
	assert_line "Result: not persisted: nothing to remove"
	assert_not_exist "$C/etc/udev"
}

@test "--remove of a device that is gone removes its file alone" {
	copy intel-server
	run ictl --sysroot "$C" persist 10
	assert_success
	sed 's/0000:02:00\.0/0000:09:00.0/g' "$R/61-iommuctl-0000:02:00.0.rules" >"$R/61-iommuctl-0000:09:00.0.rules"
	run ictl --sysroot "$C" --json persist --remove 09:00.0
	assert_success
	jq_true '.group == null and .result == "removed" and .devices == ["0000:09:00.0"] and .files[0].driver == "vfio-pci"'
	assert_equal "$(ls "$R")" "61-iommuctl-0000:02:00.0.rules"
	run ictl --sysroot "$C" persist --remove 09:00.0
	assert_failure 4
	assert_output --partial "no device 0000:09:00.0"
}

@test "--list: text and JSON; other files ignored; a malformed file of ours is reported, not fatal" {
	copy intel-server
	run ictl --sysroot "$C" persist --list
	assert_success
	assert_output "Nothing is persisted: no iommuctl rules in $R."
	run ictl --sysroot "$C" --json persist --list
	jq_true ".persisted == [] and .mechanism == \"udev\" and .directory == \"$R\""
	on_vfio 0000:03:00.0
	run ictl --sysroot "$C" persist 10
	run ictl --sysroot "$C" persist 11
	echo 'ACTION=="add", SUBSYSTEM=="pci", ATTR{driver_override}="vfio-pci"' >"$R/61-iommuctl-0000:04:00.0.rules"
	rule 0000:01:00.0 vfio-pci 9 | sed 's/kmod load/kmod  load/' >"$R/61-iommuctl-0000:01:00.0.rules"
	: >"$R/61-iommuctl-notapci.rules"
	: >"$R/60-other.rules"
	: >"$R/61-iommuctl-0000:02:00.0.rules.bak"
	run --separate-stderr ictl --sysroot "$C" persist --list
	assert_success
	assert_equal "$stderr" ""
	assert_line --regexp "^DEVICE +DRIVER +GROUP +FILE +PROBLEM$"
	assert_line --regexp "^0000:01:00.0 +vfio-pci +9 +$R/61-iommuctl-0000:01:00.0.rules +changed by hand: not as iommuctl persist writes it$"
	assert_line --regexp "^0000:02:00.0 +vfio-pci +10 +$R/61-iommuctl-0000:02:00.0.rules +-$"
	assert_line --regexp "^0000:03:00.0 +vfio-pci +11 +$R/61-iommuctl-0000:03:00.0.rules +-$"
	assert_line --regexp "^0000:04:00.0 +- +- +$R/61-iommuctl-0000:04:00.0.rules +no iommuctl-persist header for 0000:04:00.0$"
	assert_line --regexp "^notapci +- +- +$R/61-iommuctl-notapci.rules +its name holds no canonical PCI address$"
	assert_equal "${#lines[@]}" 6
	run ictl --sysroot "$C" --json persist --list
	assert_success
	jq_true '[.persisted[] | "\(.device) \(.driver) \(.group) \(.problem != null)"] ==
		["0000:01:00.0 vfio-pci 9 true", "0000:02:00.0 vfio-pci 10 false", "0000:03:00.0 vfio-pci 11 false",
		 "0000:04:00.0 null null true", "notapci null null true"]'
	run ictl --sysroot "$C" persist --list -o DEVICE,GROUP --noheadings --raw
	assert_line "0000:02:00.0 10"
	run ictl --sysroot "$C" persist --list -o NOPE
	assert_failure 2
}

@test "--sysroot: a rules directory that links outside the root stays inside it" {
	copy intel-server
	mkdir -p "$C/etc/udev" "$C/outside" "$BATS_TEST_TMPDIR/outside"
	# from etc/udev, ../../.. climbs out of the copy into the test's own directory
	ln -s ../../../outside "$R"
	run ictl --sysroot "$C" persist 10
	assert_success
	assert_file_exists "$C/outside/61-iommuctl-0000:02:00.0.rules"
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR/outside")" ""
	# an absolute link is the root's own path, not the host's
	rm "$R" && ln -s "$BATS_TEST_TMPDIR/outside" "$R"
	run ictl --sysroot "$C" persist 10
	assert_failure
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR/outside")" ""
}

@test "a path of the binary that udev would misread is refused, nothing written" {
	copy intel-server
	mkdir "$BATS_TEST_TMPDIR/my bin"
	cp "$IOMMUCTL" "$BATS_TEST_TMPDIR/my bin/iommuctl"
	run "$BATS_TEST_TMPDIR/my bin/iommuctl" --sysroot "$C" persist 10
	assert_failure 2
	assert_output --partial "cannot go into a udev rule"
	assert_not_exist "$C/etc/udev"
}

@test "claim --persisted journals no override and the kernel's probe as the original" {
	copy intel-server
	local o=$C/sys/bus/pci/devices/0000:03:00.0/driver_override j=$IOMMUCTL_STATE_DIR/group-11.journal pid
	: >"$C/sys/bus/pci/drivers_probe"
	# as the rule leaves it: driver_override set, no driver; the claim stops before its first step
	for flag in --persisted ""; do
		echo vfio-pci >"$o"
		IOMMUCTL_PAUSE_STEP=1 "$IOMMUCTL" --sysroot "$C" claim $flag 03:00.0 >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 100); do [ -e "$IOMMUCTL_STATE_DIR/group-11.paused" ] && break; sleep 0.05; done
		kill -9 "$pid"
		wait "$pid" 2>/dev/null || true
		if [ -n "$flag" ]; then
			run grep -x "member 0000:03:00.0 driver \* override -" "$j"
		else
			run grep -x "member 0000:03:00.0 driver - override vfio-pci" "$j"
		fi
		assert_success
		rm -rf "$IOMMUCTL_STATE_DIR"
	done
}

@test "the rule is valid udev syntax (udevadm verify)" {
	command -v udevadm >/dev/null || skip "udevadm is not installed (make deps installs udev)"
	udevadm verify --help >/dev/null 2>&1 ||
		skip "udevadm $(udevadm --version) has no 'verify' (systemd 253 or later); tests/bats/vm/persist.bats runs the rule in a real udevd"
	copy intel-server
	run ictl --sysroot "$C" persist 10
	assert_success
	run udevadm verify --resolve-names=never "$R/61-iommuctl-0000:02:00.0.rules"
	assert_success
}
