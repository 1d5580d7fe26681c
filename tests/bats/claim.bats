#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# claim, release, status, recover on captured trees: plans (--dry-run), in-use detection on
# copies of the fixtures changed in the test, names and exit codes, the JSON schema, and the
# rollback of a transaction whose writes land in a copied tree.
# shellcheck disable=SC2016
load helpers

setup() {
	export IOMMUCTL_STATE_DIR=$BATS_TEST_TMPDIR/state
}

# copy FIXTURE: a private, writable copy in $C
copy() {
	C=$BATS_TEST_TMPDIR/$1
	cp -a "$FIX/$1" "$C"
}

@test "claim --dry-run: the edu accelerator's group plans override, probe, verify" {
	local g
	g=$(group_of intel-server 0000:03:00.0)
	run ictl --sysroot "$FIX/intel-server" --json claim --dry-run 03:00.0
	assert_success
	jq_true ".group == $g and .result == \"planned\" and .dry_run and (.changed|not) and .target == \"vfio-pci\""
	jq_true '[.steps[] | "\(.step) \(.action) \(.device) \(.value) \(.status)"] ==
		["1 driver_override 0000:03:00.0 vfio-pci planned", "2 probe 0000:03:00.0 vfio-pci planned",
		 "3 verify 0000:03:00.0 vfio-pci planned"]'
	# nothing was written, not even the state directory
	assert_equal "$(cat "$FIX/intel-server/sys/bus/pci/devices/0000:03:00.0/driver_override")" "(null)"
	assert_not_exist "$IOMMUCTL_STATE_DIR"
}

@test "claim --dry-run of the multifunction group: every member, unbound from its own driver" {
	run ictl --sysroot "$FIX/intel-server" claim -n 00:1f.2
	assert_success
	assert_line "Group $(group_of intel-server 0000:00:1f.0): claim for vfio-pci"
	assert_line --regexp '^ +2\. 0000:00:1f\.0: unbind from lpc_ich$'
	assert_line --regexp '^ +6\. 0000:00:1f\.2: unbind from ahci$'
	assert_line --regexp '^ +10\. 0000:00:1f\.3: unbind from i801_smbus$'
	assert_line --regexp '^ +12\. 0000:00:1f\.3: verify it is on vfio-pci$'
	assert_line "Result: planned"
}

@test "claim: bridges and ports are left alone; a group of only ports is refused" {
	run ictl --sysroot "$FIX/amd-desktop" --json claim --dry-run --force 1
	assert_success
	jq_true '[.members[] | select(.role == "bridge") | .device] == ["0000:00:02.0","0000:00:02.1","0000:00:02.2"]'
	jq_true '[.steps[].device] | unique == ["0000:01:00.0","0000:02:00.0"]'
	run ictl --sysroot "$FIX/intel-server" claim --dry-run 00:1c.0
	assert_failure 3
	assert_output --partial "only bridges and ports"
}

@test "claim of a group already on vfio-pci changes nothing and says so" {
	run ictl --sysroot "$FIX/intel-server" claim 02:00.0
	assert_success
	assert_line "Result: already claimed"
	run ictl --sysroot "$FIX/intel-server" --json claim 02:00.0
	jq_true '.result == "already claimed" and .steps == [] and (.changed|not)'
}

@test "in use: an interface that is up is refused with exit 6 naming it; --force plans anyway" {
	run --separate-stderr ictl --sysroot "$FIX/intel-server" claim --dry-run 00:02.0
	assert_failure 6
	assert_equal "$stderr" "iommuctl: group $(group_of intel-server 0000:00:02.0): 0000:00:02.0 is in use: network interface eth0 is up; --force goes ahead anyway"
	run ictl --sysroot "$FIX/intel-server" claim --dry-run --force 00:02.0
	assert_success
	# down: not in use; administratively up (IFF_UP in flags) without carrier: in use
	copy intel-server
	local n=$C/sys/bus/pci/devices/0000:00:02.0/net/eth0
	echo down >"$n/operstate"
	run ictl --sysroot "$C" claim --dry-run 00:02.0
	assert_success
	echo 0x1003 >"$n/flags"
	run ictl --sysroot "$C" --json claim --dry-run 00:02.0
	assert_failure 6
	jq_true '.result == "refused" and .in_use == [{"device":"0000:00:02.0","kind":"net","what":"eth0",
		"reason":"network interface eth0 is up","forceable":true}] and .error.code == 6'
}

@test "in use: a virtio transport's interface (virtioN/net/IF) is found below the PCI device" {
	run --separate-stderr ictl --sysroot "$FIX/virtio-guest" claim --dry-run 00:04.0
	assert_failure 6
	assert_equal "$stderr" "iommuctl: group $(group_of virtio-guest 0000:00:04.0): 0000:00:04.0 is in use: network interface eth0 is up; --force goes ahead anyway"
	run ictl --sysroot "$FIX/virtio-guest" claim --dry-run --force 00:04.0
	assert_success
}

# route_tables DIR: proc/net/route and proc/net/ipv6_route in the kernel's format, with
# routes through eth1 only; IPv6 also the link-local and multicast routes of eth0
route_tables() {
	mkdir -p "$1/proc/net"
	printf 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' >"$1/proc/net/route"
	printf 'eth1\t0002000C\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' >>"$1/proc/net/route"
	local z=00000000000000000000000000000000
	printf '%s 40 %s 00 %s 00000100 00000001 00000000 00000001     eth0\n' fe800000000000000000000000000000 $z $z \
		>"$1/proc/net/ipv6_route"
	printf '%s 08 %s 00 %s 00000100 00000001 00000000 00000001     eth0\n' ff000000000000000000000000000000 $z $z \
		>>"$1/proc/net/ipv6_route"
	printf '%s 80 %s 00 %s 00000000 00000002 00000000 80200001     eth0\n' fe80000000000000020000fffe000001 $z $z \
		>>"$1/proc/net/ipv6_route"
}

@test "in use: an interface that carries routes is refused naming the families; link-local and multicast do not count" {
	copy intel-server
	local n=$C/sys/bus/pci/devices/0000:00:02.0/net/eth0 z=00000000000000000000000000000000
	echo down >"$n/operstate"
	route_tables "$C"
	run ictl --sysroot "$C" claim --dry-run 00:02.0
	assert_success
	printf 'eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' >>"$C/proc/net/route"
	run --separate-stderr ictl --sysroot "$C" claim --dry-run 00:02.0
	assert_failure 6
	assert_equal "$stderr" "iommuctl: group $(group_of intel-server 0000:00:02.0): 0000:00:02.0 is in use: network interface eth0 carries IPv4 routes (ip link set eth0 down removes them); --force goes ahead anyway"
	printf '%s 40 %s 00 %s 00000100 00000001 00000000 00000001     eth0\n' 20010db8000000000000000000000000 $z $z \
		>>"$C/proc/net/ipv6_route"
	run ictl --sysroot "$C" --json claim --dry-run 00:02.0
	assert_failure 6
	jq_true '.in_use == [{"device":"0000:00:02.0","kind":"net","what":"eth0",
		"reason":"network interface eth0 carries IPv4 and IPv6 routes (ip link set eth0 down removes them)","forceable":true}]'
	sed -i '/^eth0/d' "$C/proc/net/route"
	echo up >"$n/operstate"
	run ictl --sysroot "$C" --json claim --dry-run 00:02.0
	assert_failure 6
	jq_true '[.in_use[].reason] == ["network interface eth0 is up",
		"network interface eth0 carries IPv6 routes (ip link set eth0 down removes them)"]'
	run ictl --sysroot "$C" claim --dry-run --force 00:02.0
	assert_success
}

@test "in use: a bridge port, a bond slave, any interface with a master is refused naming the master" {
	copy intel-server
	local n=$C/sys/bus/pci/devices/0000:00:02.0/net/eth0
	echo down >"$n/operstate"
	mkdir "$n/brport"
	ln -s ../../../../../virtual/net/br0 "$n/master"
	run --separate-stderr ictl --sysroot "$C" claim --dry-run 00:02.0
	assert_failure 6
	assert_equal "$stderr" "iommuctl: group $(group_of intel-server 0000:00:02.0): 0000:00:02.0 is in use: network interface eth0 is a port of bridge br0 (ip link set eth0 nomaster frees it); --force goes ahead anyway"
	rmdir "$n/brport"
	mkdir "$n/bonding_slave"
	ln -sfn ../../../../../virtual/net/bond0 "$n/master"
	run ictl --sysroot "$C" --json claim --dry-run 00:02.0
	assert_failure 6
	jq_true '.in_use == [{"device":"0000:00:02.0","kind":"net","what":"eth0",
		"reason":"network interface eth0 is a slave of bond bond0 (ip link set eth0 nomaster frees it)","forceable":true}]'
	rmdir "$n/bonding_slave"
	ln -sfn ../../../../../virtual/net/team0 "$n/master"
	run ictl --sysroot "$C" claim --dry-run 00:02.0
	assert_failure 6
	assert_output --partial "network interface eth0 is enslaved to team0 (ip link set eth0 nomaster frees it)"
	run ictl --sysroot "$C" claim --dry-run --force 00:02.0
	assert_success
	rm "$n/master"
	run ictl --sysroot "$C" claim --dry-run 00:02.0
	assert_success
}

@test "in use: a mounted block device, or one with holders, is refused" {
	copy intel-server
	local d=$C/sys/bus/pci/devices/0000:04:00.0/nvme/nvme0
	mkdir -p "$d/nvme0n1/holders" "$d/nvme0n1/nvme0n1p1/holders" "$C/proc/self"
	echo 259:0 >"$d/nvme0n1/dev"
	echo 259:1 >"$d/nvme0n1/nvme0n1p1/dev"
	echo "29 1 8:1 / / rw - ext4 /dev/sda1 rw" >"$C/proc/self/mountinfo"
	run ictl --sysroot "$C" claim --dry-run 04:00.0
	assert_success
	echo "30 29 259:1 / /srv rw - xfs /dev/nvme0n1p1 rw" >>"$C/proc/self/mountinfo"
	run ictl --sysroot "$C" claim --dry-run 04:00.0
	assert_failure 6
	assert_output --partial "0000:04:00.0 is in use: block device nvme0n1p1 is mounted on /srv"
	: >"$C/proc/self/mountinfo"
	mkdir "$d/nvme0n1/holders/dm-0"
	run ictl --sysroot "$C" claim --dry-run 04:00.0
	assert_failure 6
	assert_output --partial "block device nvme0n1 is held by dm-0"
}

@test "in use: the boot display with a driver bound; without a driver it is free" {
	run ictl --sysroot "$FIX/intel-server" claim --dry-run 00:01.0
	assert_success
	copy intel-server
	ln -s ../../../bus/pci/drivers/virtio-pci "$C/sys/bus/pci/devices/0000:00:01.0/driver"
	run ictl --sysroot "$C" claim --dry-run 00:01.0
	assert_failure 6
	assert_output --partial "it is the boot display (boot_vga=1), driven by virtio-pci"
}

@test "status: kernel, userspace with the cdev, held naming the process, mixed naming the blocker" {
	run ictl --sysroot "$FIX/intel-server" --json status
	assert_success
	# the capture's kernel has no iommufd: vfio-dev/vfio0 in sysfs, but no cdev node
	jq_true '[.groups[] | select(.group == 10)][0] | .state == "userspace" and .devices[0].cdev == null and .holders == []'
	jq_true '[.groups[] | select(.group == 8)][0] | .state == "kernel" and .type == "DMA-FQ"'
	copy intel-server
	mkdir -p "$C/dev/vfio/devices"
	: >"$C/dev/vfio/devices/vfio0"
	run ictl --sysroot "$C" --json status 10
	jq_true '.groups[0] | .state == "userspace" and .devices[0].cdev == "/dev/vfio/devices/vfio0"'
	mkdir -p "$C/proc/4242/fd"
	ln -s /dev/vfio/devices/vfio0 "$C/proc/4242/fd/7"
	ln -s /dev/null "$C/proc/4242/fd/0"
	echo qemu-system-x86 >"$C/proc/4242/comm"
	run ictl --sysroot "$C" --json status 02:00.0
	assert_success
	jq_true '.groups == [.groups[0]] and .groups[0].state == "held" and .groups[0].holders ==
		[{"pid":4242,"comm":"qemu-system-x86","path":"/dev/vfio/devices/vfio0"}]'
	run ictl --sysroot "$C" status -o GROUP,STATE,HOLDERS --noheadings 10
	assert_output --regexp '^ *10 +held +4242\(qemu-system-x86\)$'
	run ictl --sysroot "$FIX/amd-desktop" --json status 1
	jq_true '.groups[0].state == "mixed" and ([.groups[0].blockers[].device] == ["0000:01:00.0","0000:02:00.0"])'
}

# proc_scans LOG: how many times a run listed the root's /proc (one per scan for holders)
proc_scans() {
	grep -c 'openat2([0-9]*, "proc",' "$1" || true
}

# traced LOG ARGS...: iommuctl ARGS under strace, its openat2 calls in LOG (LeakSanitizer
# cannot run under ptrace: the ASan build checks leaks everywhere else)
traced() {
	local log=$1
	shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=openat2 -o "$log" "$IOMMUCTL" "$@"
}

@test "status of every group, and a release, read /proc once" {
	command -v strace >/dev/null || skip "strace is not installed: it counts the /proc scans"
	copy intel-server
	mkdir -p "$C/proc/4242/fd"
	ln -s /dev/vfio/devices/vfio0 "$C/proc/4242/fd/7"
	echo qemu-system-x86 >"$C/proc/4242/comm"
	mkdir -p "$C/dev/vfio/devices"
	: >"$C/dev/vfio/devices/vfio0"
	run traced "$BATS_TEST_TMPDIR/status.log" --sysroot "$C" --json status
	assert_success
	jq_true '(.groups | length) > 10 and ([.groups[] | select(.state == "held") | .group] == [10])'
	assert_equal "$(proc_scans "$BATS_TEST_TMPDIR/status.log")" 1
	# the plan and the re-plan under the lock ask the same snapshot: the holder refuses it
	run traced "$BATS_TEST_TMPDIR/release.log" --sysroot "$C" release 10
	assert_failure 6
	assert_output --partial "/dev/vfio/devices/vfio0 is open in process 4242 (qemu-system-x86)"
	assert_equal "$(proc_scans "$BATS_TEST_TMPDIR/release.log")" 1
}

@test "release refuses a group whose device is open, naming the process" {
	copy intel-server
	mkdir -p "$C/proc/4242/fd"
	ln -s /dev/vfio/10 "$C/proc/4242/fd/5"
	echo dpdk-testpmd >"$C/proc/4242/comm"
	run ictl --sysroot "$C" release --dry-run 10
	assert_failure 6
	assert_output --partial "/dev/vfio/10 is open in process 4242 (dpdk-testpmd)"
	run ictl --sysroot "$C" release 10
	assert_failure 6
}

@test "release --dry-run without a record: back to the kernel's default probe" {
	run ictl --sysroot "$FIX/intel-server" --json release --dry-run 02:00.0
	assert_success
	jq_true '[.steps[] | "\(.action) \(.value)"] == ["unbind vfio-pci", "driver_override null", "probe null", "verify null"]'
	jq_true '.result == "planned" and .target == null'
	run ictl --sysroot "$FIX/intel-server" release --dry-run 03:00.0
	assert_success
	assert_line "Result: not claimed"
}

@test "names and exit codes" {
	run ictl --sysroot "$FIX/intel-server" claim
	assert_failure 2
	run ictl --sysroot "$FIX/intel-server" claim 00:1f.8
	assert_failure 2
	run ictl --sysroot "$FIX/intel-server" claim 012
	assert_failure 2
	run ictl --sysroot "$FIX/intel-server" claim 0000:09:00.0
	assert_failure 4
	run ictl --sysroot "$FIX/intel-server" status 99
	assert_failure 4
	run ictl --sysroot "$FIX/intel-server" claim --driver e1000e 03:00.0
	assert_failure 2
	assert_output --partial "give vfio-pci or a VFIO variant driver"
	run ictl --sysroot "$FIX/no-iommu" status
	assert_failure 3
	run ictl --sysroot "$FIX/no-iommu" claim "$(ls "$FIX/no-iommu/sys/bus/pci/devices" | head -1)"
	assert_failure 3
	assert_output --partial "is in no IOMMU group"
	run ictl --help
	assert_output --partial "6 in use"
}

@test "claim --json: the schema of plan and result" {
	run ictl --sysroot "$FIX/intel-server" --json claim --dry-run 8
	assert_success
	jq_true '(.action == "claim") and (.group|type) == "number" and (.dry_run|type) == "boolean"
		and (.changed|type) == "boolean" and (.recovered|type) == "boolean" and .error == null
		and all(.members[]; (.device|type) == "string" and (.role == "endpoint" or .role == "bridge")
			and (.driver == null or (.driver|type) == "string"))
		and all(.steps[]; (.step|type) == "number" and (.action|IN("modprobe","driver_override","unbind","probe","verify"))
			and (.description|type) == "string" and .status == "planned")
		and ([.steps[].step] == [range(1; (.steps|length) + 1)]) and (.in_use|type) == "array"'
	run ictl --sysroot "$FIX/intel-server" --json status
	jq_true 'all(.groups[]; (.state|IN("kernel","userspace","held","mixed")) and (.holders|type) == "array"
		and (.blockers|type) == "array" and all(.devices[]; has("cdev") and has("driver_override")))'
}

@test "a failed claim rolls back: its writes to a copied tree are undone and verified" {
	copy intel-server
	local o=$C/sys/bus/pci/devices/0000:03:00.0/driver_override
	# the capture has no drivers_probe: step 2 fails after step 1 wrote the override
	run ictl --sysroot "$C" --json claim 03:00.0
	assert_failure 1
	jq_true '.result == "rolled back" and ([.steps[].status] == ["undone","failed","not run"])'
	jq_true '.error.message | test("step 2 .*drivers_probe.* failed: No such file or directory; rolled back: every member verified as it was")'
	[ "$(cat "$o")" = "(null)" ] || [ "$(cat "$o")" = "" ] || fail "override left as $(cat "$o")"
	assert_not_exist "$IOMMUCTL_STATE_DIR/group-11.journal"
	# with drivers_probe, the probe "succeeds" but nothing binds: the verification catches it
	: >"$C/sys/bus/pci/drivers_probe"
	run ictl --sysroot "$C" claim 03:00.0
	assert_failure 1
	assert_output --partial "step 3 (0000:03:00.0: verify it is on vfio-pci) failed: 0000:03:00.0 is on -, not vfio-pci (drivers_probe reports success even when no driver binds); rolled back"
	for k in 1 2 3; do
		IOMMUCTL_FAULT_STEP=$k run ictl --sysroot "$C" claim 03:00.0
		assert_failure 1
		assert_output --partial "step $k "
		run ictl --sysroot "$C" --json show 03:00.0
		jq_true '.device.driver_override == null and .device.driver == null'
	done
}

@test "a rollback that fails says what failed and why the restore failed, whole; recover finishes the job" {
	copy intel-server
	local g o=$C/sys/bus/pci/devices/0000:03:00.0/driver_override msg
	g=$(group_of intel-server 0000:03:00.0)
	msg="step 2 (0000:03:00.0: probe drivers (drivers_probe)) failed: No such file or directory; ROLLBACK FAILED: 0000:03:00.0: could not restore driver -, driver_override - (now -, vfio-pci); run 'iommuctl recover'"
	# the capture has no drivers_probe: step 2 fails after step 1 wrote the override;
	# the rollback's restore of the device is made to fail (it writes nothing)
	IOMMUCTL_FAULT_RESTORE=1 run --separate-stderr ictl --sysroot "$C" claim 03:00.0
	assert_failure 1
	assert_equal "$stderr" "iommuctl: $msg"
	assert_line "Result: rollback failed"
	assert_equal "$(cat "$o")" vfio-pci
	run ictl --sysroot "$C" --json status 03:00.0
	jq_true '.groups[0].journal == "claiming"'
	run ictl --sysroot "$C" recover
	assert_success
	assert_output "Group $g: interrupted claiming recovered: every member is as recorded"
	run ictl --sysroot "$C" --json show 03:00.0
	jq_true '.device.driver_override == null and .device.driver == null'
	assert_not_exist "$IOMMUCTL_STATE_DIR/group-$g.journal"
	# the same in JSON: the whole message, the exit code, the steps as the failure left them
	IOMMUCTL_FAULT_RESTORE=1 run --separate-stderr ictl --sysroot "$C" --json claim 03:00.0
	assert_failure 1
	assert_equal "$stderr" ""
	jq -e --arg m "$msg" '.error.message == $m and .error.code == 1 and .result == "rollback failed"
		and ([.steps[].status] == ["done", "failed", "not run"]) and (.changed|not)' <<<"$output" >/dev/null ||
		fail "unexpected JSON: $output"
	# a recovery that fails the same way keeps the journal and says why; one that works clears it
	IOMMUCTL_FAULT_RESTORE=1 run --separate-stderr ictl --sysroot "$C" --json recover
	assert_failure 1
	jq -e --arg g "$g" '.recovered == [{"group": ($g|tonumber), "phase": "claiming", "ok": false}] and .error.message ==
		"group \($g): recovering the interrupted claiming: 0000:03:00.0: could not restore driver -, driver_override - (now -, vfio-pci)"' \
		<<<"$output" >/dev/null || fail "unexpected JSON: $output"
	assert_exist "$IOMMUCTL_STATE_DIR/group-$g.journal"
	run ictl --sysroot "$C" --json recover
	assert_success
	jq_true ".recovered == [{\"group\": $g, \"phase\": \"claiming\", \"ok\": true}] and .error == null"
	[ "$(cat "$o")" = "" ] || fail "override left as $(cat "$o")"
	assert_not_exist "$IOMMUCTL_STATE_DIR/group-$g.journal"
}

@test "recover undoes an interrupted claim recorded in the journal" {
	copy intel-server
	mkdir -p "$IOMMUCTL_STATE_DIR"
	echo vfio-pci >"$C/sys/bus/pci/devices/0000:03:00.0/driver_override"
	printf 'iommuctl-journal 1\ngroup 11\nphase claiming\ntarget vfio-pci\npid 1\nmember 0000:03:00.0 driver - override -\n' \
		>"$IOMMUCTL_STATE_DIR/group-11.journal"
	run ictl --sysroot "$C" --json status 11
	jq_true '.groups[0].journal == "claiming"'
	run ictl --sysroot "$C" recover
	assert_success
	assert_output "Group 11: interrupted claiming recovered: every member is as recorded"
	run ictl --sysroot "$C" --json show 03:00.0
	jq_true '.device.driver_override == null'
	assert_not_exist "$IOMMUCTL_STATE_DIR/group-11.journal"
	run ictl --sysroot "$C" recover
	assert_output "Nothing to recover."
}

@test "with --sysroot the state directory must not be the live one" {
	copy intel-server
	IOMMUCTL_STATE_DIR=/run/iommuctl run ictl --sysroot "$C" claim 03:00.0
	assert_failure 2
	assert_output --partial "must not be the live /run/iommuctl"
}
