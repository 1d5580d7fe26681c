#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes:
# shellcheck disable=SC2016
# iommuctl doctor on captures: the checklist (golden text), its JSON, the exit status of
# each verdict, "not captured" for what old captures lack, and that nothing is changed.
load helpers

setup() {
	export IOMMUCTL_STATE_DIR=$BATS_TEST_TMPDIR/state
}

# doctor_golden FIXTURE NAME STATUS ARGS...: the text equals golden/FIXTURE/NAME and the exit
# status is STATUS (doctor's verdict), nothing on stderr.
doctor_golden() {
	local fixture=$1 name=$2 want=$3
	shift 3
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/$fixture" "$@"
	[ "$status" -eq "$want" ] || fail "doctor on $fixture exited $status, not $want"
	assert_equal "$stderr" ""
	diff -u "$GOLDEN/$fixture/$name" <(printf '%s\n' "$output")
}

@test "doctor: help, and it is in the command list" {
	run ictl doctor --help
	assert_success
	assert_output --partial "--memory"
	assert_output --partial "--user"
	run ictl --list-cmds
	assert_line doctor
}

@test "doctor: golden text on every capture, with the verdict's exit status" {
	local g
	g=$(group_of intel-server 0000:00:1f.0)
	doctor_golden intel-server doctor.txt 8 doctor
	doctor_golden intel-server doctor-devices.txt 1 doctor --memory 1G 00:02.0 01:00.1 "$g" 03:00.0
	doctor_golden amd-desktop doctor.txt 8 doctor
	doctor_golden arm64-smmuv3 doctor.txt 8 doctor
	doctor_golden arm64-smmuv3-dt doctor.txt 1 doctor 00:01.0
	doctor_golden virtio-guest doctor.txt 8 doctor
	doctor_golden no-iommu doctor.txt 1 doctor 00:01.0
}

@test "doctor: golden text on the version-2 captures of the VM shapes, one verdict each" {
	doctor_golden intel-vm doctor.txt 0 doctor
	doctor_golden intel-vm doctor-memory.txt 1 doctor --memory 1G 00:04.0
	doctor_golden intel-no-dmar doctor.txt 1 doctor
	doctor_golden intel-iommu-pt doctor.txt 0 doctor
	doctor_golden intel-intremap-off doctor.txt 1 doctor 00:04.0
}

# status FIXTURE ID [ARGS...]: "STATUS" of one check of doctor on a capture
status_of() {
	local f=$1 id=$2
	shift 2
	ictl --sysroot "$FIX/$f" --json doctor "$@" | jq -r --arg id "$id" '.doctor.checks[] | select(.id == $id) | .status'
}

@test "doctor on a version-2 capture: everything is captured, and each check is judged" {
	for f in "${DOCTOR_FIXTURES[@]}"; do
		grep -qx 'capture-sysfs-version: 2' "$FIX/$f/CAPTURE-INFO" || fail "$f is not a version-2 capture"
		run ictl --sysroot "$FIX/$f" --json doctor --memory 64M
		jq_true 'all(.doctor.checks[]; .captured)'
	done
}

@test "doctor: firmware without DMAR (VT-d off): the firmware and the IOMMU fail, the fix names VT-d" {
	[ ! -e "$FIX/intel-no-dmar/sys/firmware/acpi/tables/DMAR" ] || fail "the capture has a DMAR table"
	grep -q intel_iommu=on "$FIX/intel-no-dmar/proc/cmdline" || fail "intel_iommu=on is not on its command line"
	run ictl --sysroot "$FIX/intel-no-dmar" --json doctor
	assert_failure 1
	jq_true '.doctor.checks[] | select(.id == "acpi-tables") | .status == "fail" and (.fix | test("Intel: enable VT-d")) and (.fix | test("AMD") | not)'
	jq_true '.doctor.checks[] | select(.id == "iommu") | .status == "fail" and (.found | test("firmware describes no IOMMU"))'
}

@test "doctor: a memlock limit below the asked size fails; above it, it is ok" {
	grep -q '^Max locked memory  *67108864  *67108864 ' "$FIX/intel-vm/proc/self/limits" || fail "the capture's limit is not 64 MiB"
	assert_equal "$(status_of intel-vm memlock --memory 1G)" fail
	assert_equal "$(status_of intel-vm memlock --memory 64M)" ok
	assert_equal "$(status_of intel-vm memlock)" skip
}

@test "doctor --spec: the memory a spec's mappings pin, and its devices, as --memory and arguments would" {
	local spec=$BATS_TEST_TMPDIR/spec.yaml
	# 48M + 8M pinned, a copy of 8M that pins nothing new; edu of the capture, and a mock
	cat >"$spec" <<-EOF
	devices:
	  - {name: edu, device: 0000:00:04.0}
	  - {name: m, mock: {ioas: a}}
	ioas:
	  - name: a
	    mappings:
	      - {name: x, iova: 0x100000, size: 48M}
	      - {name: y, iova: 0x4000000, size: 8M, memory: memfd}
	      - {iova: 0x8000000, size: 8M, copy: {mapping: y}}
	EOF
	run ictl --sysroot "$FIX/intel-vm" --json doctor --spec "$spec"
	jq_true ".doctor.memory == $((56 << 20))"
	jq_true '[.doctor.checks[] | select(.subject == "0000:00:04.0")] | length > 0'
	# the same verdicts as the size and the device given by hand
	local by_spec by_hand
	by_spec=$(jq -c '[.doctor.checks[] | {id, subject, status}]' <<<"$output")
	run ictl --sysroot "$FIX/intel-vm" --json doctor --memory 56M 0000:00:04.0
	by_hand=$(jq -c '[.doctor.checks[] | {id, subject, status}]' <<<"$output")
	assert_equal "$by_spec" "$by_hand"
	# 56M is below the capture's 64 MiB memlock: ok; a bigger spec fails it
	assert_equal "$(status_of intel-vm memlock --spec "$spec")" ok
	sed -i 's/size: 48M/size: 1G/' "$spec"
	assert_equal "$(status_of intel-vm memlock --spec "$spec")" fail
	run --separate-stderr ictl --sysroot "$FIX/intel-vm" doctor --spec "$spec" --memory 1G
	assert_failure 2
	[[ $stderr == *"--spec gives the memory itself: drop --memory"* ]] || fail "$stderr"
	echo "devices: [" >"$spec"
	run --separate-stderr ictl --sysroot "$FIX/intel-vm" doctor --spec "$spec"
	assert_failure 2
	[[ $stderr == *"$spec:"* ]] || fail "the parse error does not name the spec: $stderr"
}

@test "doctor: iommu=pt gives identity default domains, and passthrough is still ready" {
	run ictl --sysroot "$FIX/intel-iommu-pt" --json doctor
	assert_success
	jq_true '.doctor.checks[] | select(.id == "cmdline") | .found | test("iommu=pt")'
	local n
	n=$(grep -lx identity "$FIX"/intel-iommu-pt/sys/kernel/iommu_groups/*/type | wc -l)
	jq_true ".doctor.checks[] | select(.id == \"default-domain\") | .found | startswith(\"identity $n;\")"
}

@test "doctor: interrupt remapping off (intremap=off): VFIO would refuse, the fix removes it" {
	grep -q ' IR-' "$FIX/intel-intremap-off/proc/interrupts" && fail "the capture has remapped interrupts"
	run ictl --sysroot "$FIX/intel-intremap-off" --json doctor
	assert_failure 1
	jq_true '.doctor.checks[] | select(.id == "interrupt-remapping") | .status == "fail" and (.fix | test("remove intremap=off"))'
	jq_true '.doctor.checks[] | select(.id == "cmdline") | .status == "fail"'
	assert_equal "$(status_of intel-vm interrupt-remapping)" ok
}

@test "doctor --json: every check has the documented keys, and the verdict matches the exit status" {
	for f in "${FIXTURES[@]}" "${DOCTOR_FIXTURES[@]}"; do
		run --separate-stderr ictl --sysroot "$FIX/$f" --json doctor --memory 2G 00:01.0
		local rc=$status
		jq_true '.doctor | keys == ["checks", "counts", "memory", "ready", "user", "verdict"]'
		jq_true '.doctor.checks | all(keys == ["captured", "category", "fix", "found", "id", "read", "status", "subject", "title"])'
		jq_true '.doctor.checks | all(.status | IN("ok", "warn", "fail", "skip"))'
		jq_true '.doctor.checks | all(.category | IN("firmware", "kernel", "resources", "device"))'
		jq_true '.doctor.checks | all((.status == "ok") or (.found | length > 10))'
		jq_true '.doctor.checks | all(.captured or .status == "skip")'
		jq_true '.doctor.memory == 2147483648'
		jq_true '[.doctor.checks[] | select(.subject != null) | .category] | all(. == "device")'
		jq_true '(.doctor.counts | .ok + .warn + .fail + .skip) == (.doctor.checks | length)'
		jq_true '.doctor.counts.fail == ([.doctor.checks[] | select(.status == "fail")] | length)'
		case $(jq -r .doctor.verdict <<<"$output") in
		ready) [ "$rc" -eq 0 ] ;;
		warnings) [ "$rc" -eq 8 ] && jq_true '.doctor.ready and .doctor.counts.fail == 0' ;;
		not-ready) [ "$rc" -eq 1 ] && jq_true '.doctor.ready == false' ;;
		*) fail "$f: verdict $(jq -r .doctor.verdict <<<"$output")" ;;
		esac || fail "$f: verdict $(jq -r .doctor.verdict <<<"$output") with exit $rc"
	done
}

@test "doctor on a capture older than version 2: what it lacks is 'not captured', never guessed" {
	run ictl --sysroot "$FIX/intel-server" --json doctor --memory 1G
	assert_failure 8
	jq_true '[.doctor.checks[] | select(.captured == false) | .id] | sort ==
		["acpi-tables", "hugepages", "interrupt-remapping", "memlock"]'
	jq_true '.doctor.checks[] | select(.captured == false) | .status == "skip" and (.found | startswith("not captured"))'
	# what version 1 holds is judged: the VT-d unit and its groups
	jq_true '.doctor.checks[] | select(.id == "iommu") | .status == "ok" and (.found | test("dmar0"))'
}

@test "doctor: no IOMMU fails, and the fix names the firmware option and the command line" {
	run ictl --sysroot "$FIX/no-iommu" --json doctor
	assert_failure 1
	jq_true '.doctor.verdict == "not-ready"'
	jq_true '.doctor.checks[] | select(.id == "iommu") | .status == "fail" and
		(.fix | test("VT-d")) and (.fix | test("intel_iommu=on"))'
}

@test "doctor DEVICE: the group's other members, its ACS verdict, and what a claim would refuse" {
	run ictl --sysroot "$FIX/intel-server" --json doctor 01:00.1 00:02.0 03:00.0
	assert_failure 1
	jq_true '[.doctor.checks[] | select(.subject == "0000:01:00.1") | "\(.id)=\(.status)"] ==
		["group=warn", "isolation=warn", "claim=fail"]'
	jq_true '.doctor.checks[] | select(.subject == "0000:01:00.1" and .id == "isolation") |
		.found | test("multifunction device without ACS")'
	jq_true '.doctor.checks[] | select(.subject == "0000:00:02.0" and .id == "claim") |
		.status == "fail" and (.found | test("eth0 is up"))'
	jq_true '[.doctor.checks[] | select(.subject == "0000:03:00.0") | .status] == ["ok", "ok", "ok"]'
}

@test "doctor: a device or group that does not exist is a failed check; a bad name is a usage error" {
	run --separate-stderr ictl --sysroot "$FIX/intel-server" doctor 00:1e.7
	assert_failure 1
	assert_output --partial "FAIL  IOMMU group: "
	run --separate-stderr ictl --sysroot "$FIX/intel-server" doctor 9999
	assert_failure 1
	run --separate-stderr ictl --sysroot "$FIX/intel-server" doctor 00:1f.9
	assert_failure 2
	run --separate-stderr ictl --sysroot "$FIX/intel-server" doctor --memory 12X
	assert_failure 2
	assert_equal "$stderr" "iommuctl: '12X' is not a size: give bytes or a number with K, M, G or T (16G, 512M)"
	run --separate-stderr ictl --sysroot "$FIX/intel-server" doctor --user 'a b'
	assert_failure 2
	run --separate-stderr ictl --sysroot "$FIX/intel-server" --json doctor --memory 0
	assert_failure 2
	jq_true '.error.code == 2'
}

@test "doctor --user: pam_limits lines of the capture's /etc, with the user's groups" {
	local c=$BATS_TEST_TMPDIR/c
	cp -a "$FIX/intel-server" "$c"
	mkdir -p "$c/etc/security/limits.d"
	printf 'root:x:0:0::/root:/bin/sh\nqemu:x:64055:64055::/nonexistent:/usr/sbin/nologin\n' >"$c/etc/passwd"
	printf 'kvm:x:104:qemu\nqemu:x:64055:\n' >"$c/etc/group"
	printf '*\thard\tmemlock\t65536\n@kvm\t-\tmemlock\t8388608\n' >"$c/etc/security/limits.conf"
	run ictl --sysroot "$c" --json doctor --user qemu --memory 16G
	jq_true '.doctor.user == "qemu"'
	jq_true '.doctor.checks[] | select(.id == "memlock-user") | .status == "fail" and
		(.found | test("soft 8 GiB \\(/etc/security/limits.conf:2\\), hard 8 GiB")) and
		(.fix | test("qemu - memlock 16777216"))'
	printf 'qemu - memlock unlimited\n' >"$c/etc/security/limits.d/90-qemu.conf"
	run ictl --sysroot "$c" --json doctor --user qemu --memory 16G
	jq_true '.doctor.checks[] | select(.id == "memlock-user") | .status == "ok" and
		(.read | test("/etc/security/limits.d/90-qemu.conf"))'
}

@test "doctor changes nothing: the capture and the state directory are untouched" {
	local c=$BATS_TEST_TMPDIR/c
	cp -a "$FIX/intel-server" "$c"
	run ictl --sysroot "$c" doctor --memory 1G 03:00.0 04:00.0 00:02.0
	assert_failure 1
	run diff -r --no-dereference "$FIX/intel-server" "$c"
	assert_success
	[ ! -e "$IOMMUCTL_STATE_DIR" ] || fail "doctor created $IOMMUCTL_STATE_DIR"
}
