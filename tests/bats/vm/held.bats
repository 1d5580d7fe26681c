#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# K_* are read by the helpers:
# shellcheck disable=SC2034,SC2153
# In-guest: a held set acted on from another process.  'apply --hold' publishes its set in
# the state directory; 'held --pid' in a second process takes a copy of the holder's
# iommufd and acts on the same objects; the kernel's answers (the mock's selftest ops,
# through iofd) say whether it did.  A holder killed with SIGKILL leaves a stale file that
# 'held' reports and 'recover' removes, giving back the group the holder had claimed.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    edu_iommufd_setup_file
}

teardown_file() {
    edu_iommufd_teardown_file
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    EX=$(cd "$BATS_TEST_DIRNAME/../../../examples" && pwd)
    S=$BATS_TEST_TMPDIR/spec.yaml
    IOMMUCTL_STATE_DIR=$BATS_TEST_TMPDIR/state
    export IOMMUCTL_STATE_DIR
    BG_PIDS=
}

teardown() {
    local p
    for p in ${BG_PIDS:-}; do
        { kill -9 "$p" && wait "$p"; } 2>/dev/null || true
    done
}

need_mock() {
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd selftest (CONFIG_IOMMUFD_TEST)"
    [ -n "$(compgen -G '/sys/class/iommu/iommufd_selftest_iommu*')" ] ||
        fail "the test kernel has no selftest IOMMU unit: harness broken"
    [ -x "$IOFD" ] || fail "no $IOFD: run make (tests/uapi/uapi.mk builds it)"
}

# hold SPEC: 'apply SPEC --hold' in the background (HOLDER), once its state file is there
hold() {
    "$IOMMUCTL" apply "$1" --hold >"$BATS_TEST_TMPDIR/hold.out" 2>&1 3>&- &
    HOLDER=$!
    BG_PIDS=$HOLDER
    HELD=$IOMMUCTL_STATE_DIR/held-$HOLDER.state
    local i
    for i in $(seq 1200); do
        [ -e "$HELD" ] && return 0
        kill -0 "$HOLDER" 2>/dev/null || break
        sleep 0.1
    done
    sed 's/^/# /' "$BATS_TEST_TMPDIR/hold.out" >&3
    fail "apply --hold published no state file $HELD"
}

@test "held --pid: a second process lists, reads and unmaps the set an apply --hold holds; the file goes with the hold" {
    need_mock
    hold "$EX/selftest-mock.yaml"
    # what the file says is the holder's: its pid and start time, its iommufd
    assert_equal "$(sed -n 2p "$HELD")" "pid $HOLDER"
    assert_equal "$(sed -n 's/^start //p' "$HELD")" "$(sed 's/.*) //' "/proc/$HOLDER/stat" | cut -d' ' -f20)"
    [ "$(stat -c %a "$HELD")" = 600 ] || fail "mode $(stat -c %a "$HELD")"
    run --separate-stderr "$IOMMUCTL" held list
    assert_success
    assert_line --regexp "^$HOLDER +holding +[0-9]+ +2  -$"
    # the one holder: no --pid needed
    run --separate-stderr "$IOMMUCTL" held objects
    assert_success
    assert_line --regexp '^object +guest-ram +[0-9]+$'
    assert_line --regexp '^object +q0 +[0-9]+$'
    assert_line --regexp '^mapping +buf +0x1000000$'
    run --separate-stderr "$IOMMUCTL" --json held objects --pid "$HOLDER"
    assert_success
    jq -e ".holder.pid == $HOLDER and ([.holder.objects[] | select(.kind == \"veventq\" or .kind == \"fault_queue\") | .fd | type] == [\"number\", \"number\"])" <<<"$output"
    # through the holder's iommufd: dirty tracking on, nothing dirty yet; unmap, and again
    run --separate-stderr "$IOMMUCTL" held dirty --pid "$HOLDER" dirty buf 2M --enable
    echo "# $stderr" >&3
    assert_success
    assert_line --regexp '^hwpt dirty #[0-9]+: 0x1000000-0x11fffff in 4 KiB pages: 0 of 512 dirty$'
    run --separate-stderr "$IOMMUCTL" held unmap --pid "$HOLDER" guest-ram scratch 64K
    assert_success
    assert_line --regexp '^unmapped 0x10000 bytes at 0x[0-9a-f]+ from ioas guest-ram #[0-9]+$'
    run --separate-stderr "$IOMMUCTL" held unmap --pid "$HOLDER" guest-ram scratch 64K
    assert_failure 1
    [[ $stderr == *"IOMMU_IOAS_UNMAP"* ]] || fail "$stderr"
    # the hold ends: the objects are undone and the file is gone
    kill -TERM "$HOLDER"
    wait "$HOLDER"
    BG_PIDS=
    grep -q '^Apply ended: SIGTERM' "$BATS_TEST_TMPDIR/hold.out" || fail "$(cat "$BATS_TEST_TMPDIR/hold.out")"
    [ ! -e "$HELD" ] || fail "$HELD is left behind"
    run "$IOMMUCTL" held list
    assert_output "No holders."
}

@test "held --pid as another user: exit 5, saying to run as root" {
    need_mock
    command -v setpriv >/dev/null || skip "no setpriv in this guest"
    hold "$EX/selftest-mock.yaml"
    # the state directory is root's: another user cannot even read it
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$IOMMUCTL" held objects --pid "$HOLDER"
    echo "# $stderr" >&3
    assert_failure 5
}

@test "kill -9 of a mock holder: held says it is stale, recover removes the file, nothing left" {
    need_mock
    hold "$EX/selftest-mock.yaml"
    kill -9 "$HOLDER"
    wait "$HOLDER" || true
    BG_PIDS=
    [ -e "$HELD" ] || fail "no $HELD after kill -9"
    run "$IOMMUCTL" held list
    assert_line --regexp "^$HOLDER +stale +[0-9]+ +2  the holder is gone: 'iommuctl recover' removes it$"
    run --separate-stderr "$IOMMUCTL" held objects --pid "$HOLDER"
    assert_failure 4
    assert_equal "$stderr" "iommuctl: holder $HOLDER is gone (held-$HOLDER.state is stale): 'iommuctl recover' removes it"
    run --separate-stderr "$IOMMUCTL" held objects
    assert_failure 4
    run --separate-stderr "$IOMMUCTL" recover
    assert_success
    assert_output "Held set of pid $HOLDER (gone): state file removed"
    assert_equal "$(ls -A "$IOMMUCTL_STATE_DIR" | grep -v '\.lock$' || true)" ""
}

edu_spec() {
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: ram
	    mappings: [{name: low, iova: 0x100000, size: 64K}]
	hwpts: [{name: pt, ioas: ram, device: edu}]
	attach: [{device: edu, hwpt: pt}]
	EOF
}

@test "kill -9 of a holder that claimed edu's group: recover gives the group back and removes the file" {
    shape_has_iommu || skip "shape '$VM_SHAPE' has no IOMMU"
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd (CONFIG_IOMMUFD is off)"
    local g=${K_GROUP[$EDU]} before after
    sys_unbind_vfio "$EDU"
    before=$(snapshot "$EDU")
    edu_spec
    hold "$S"
    grep -qx "group $g" "$HELD" || { sys_bind_vfio "$EDU"; fail "no 'group $g' in $(cat "$HELD")"; }
    grep -qx "mapping low [0-9]* 0x100000 0x10000" "$HELD" || { sys_bind_vfio "$EDU"; fail "$(cat "$HELD")"; }
    kill -9 "$HOLDER"
    wait "$HOLDER" || true
    BG_PIDS=
    run --separate-stderr "$IOMMUCTL" recover
    after=$(snapshot "$EDU")
    sys_bind_vfio "$EDU"
    echo "# $output $stderr" >&3
    assert_success
    assert_output "Held set of pid $HOLDER (gone): group $g given back; state file removed"
    assert_equal "$after" "$before"
    [ ! -e "$HELD" ] || fail "$HELD is left behind"
    assert_equal "$(ls -A "$IOMMUCTL_STATE_DIR" | grep -v '\.lock$' || true)" ""
}

# The mock behind a vIOMMU: TRIGGER_VEVENT needs the device attached to a nested HWPT over
# the vIOMMU (and a vDevice, whose virt_id the event carries); that HWPT reports page
# faults to f0.
viommu_spec() {
    cat >"$S" <<-'EOF'
	version: 1
	devices:
	  - name: m0
	    mock: {ioas: guest-ram, flags: [pasid]}
	ioas:
	  - name: guest-ram
	    mappings:
	      - {name: buf, iova: 0x1000000, size: 2M, memory: memfd}
	faults:
	  - name: f0
	hwpts:
	  - {name: s2, ioas: guest-ram, device: m0, flags: [nest-parent]}
	  - {name: s1v, viommu: v0, device: m0, fault: f0, data: {type: selftest}}
	viommus:
	  - {name: v0, type: selftest, device: m0, parent: s2}
	vdevices:
	  - {name: vd0, viommu: v0, device: m0, virt_id: 0x10}
	veventqs:
	  - {name: q0, viommu: v0, depth: 64}
	attach:
	  - {device: m0, hwpt: s1v}
	EOF
}

# iofd_holder ARGS...: iofd on the holder's iommufd (pidfd_getfd, as held --pid does)
iofd_holder() {
    IOFD_PID=$HOLDER IOFD_FD=$(sed -n 's/^iommufd //p' "$HELD") "$IOFD" "$@"
}

@test "held events: TRIGGER_VEVENT comes back with the spec's virt_id; a TRIGGER_IOPF fault is read and answered" {
    need_mock
    viommu_spec
    hold "$S"
    local dev cookie
    dev=$(awk '$1 == "object" && $2 == "mock_device" { print $7 }' "$HELD")
    [ -n "$dev" ] || fail "no mock device in $(cat "$HELD")"
    # nothing there yet: a bounded wait, then exit 1 saying so
    run --separate-stderr "$IOMMUCTL" held events q0 --timeout 1
    assert_failure 1
    assert_line --regexp '^veventq q0 #[0-9]+ \(type 0xbeefbeef\): 0 events$'
    [[ $stderr == *"0 of 1 events in 1000 ms: the time ran out"* ]] || fail "$stderr"
    run iofd_holder trigger-vevent "$dev"
    assert_output "ok"
    run --separate-stderr "$IOMMUCTL" held events q0 --timeout 60
    echo "# $output $stderr" >&3
    assert_success
    assert_line --regexp '^veventq q0 #[0-9]+ \(type 0xbeefbeef\): 1 event$'
    assert_line "  seq 0: virt_id 0x10"
    run iofd_holder trigger-vevent "$dev"
    run --separate-stderr "$IOMMUCTL" --json held events q0 --timeout 60
    assert_success
    jq -e '.events.records == [{"sequence": 1, "lost_events": false, "virt_id": "0x10"}]' <<<"$output"
    # a page fault of the mock device, on s1 (which reports to f0): read, then answered once
    run iofd_holder trigger-iopf "$dev" 0x1000000
    assert_output "ok"
    run --separate-stderr "$IOMMUCTL" --json held events f0 --timeout 60
    echo "# $output $stderr" >&3
    assert_success
    jq -e ".events.kind == \"fault_queue\" and (.events.records | length) == 1 and
        .events.records[0].dev_id == $dev and .events.records[0].addr == \"0x1000000\" and
        .events.records[0].pasid == null and .events.records[0].perm == [\"read\", \"write\"] and
        .events.records[0].last_page" <<<"$output"
    cookie=$(jq -r '.events.records[0].cookie' <<<"$output")
    run --separate-stderr "$IOMMUCTL" held respond f0 --cookie "$cookie" --code failure
    assert_failure 2
    [[ $stderr == *"success or invalid only"* ]] || fail "$stderr"
    run --separate-stderr "$IOMMUCTL" held respond f0 --cookie "$cookie" --code success
    assert_success
    assert_line --regexp "^answered fault cookie $cookie of f0 #[0-9]+: success$"
    # answered: the kernel has no group of that cookie any more
    run --separate-stderr "$IOMMUCTL" held respond f0 --cookie "$cookie" --code success
    assert_failure 1
    [[ $stderr == *"no fault group with that cookie is waiting"* ]] || fail "$stderr"
}

@test "held events inside apply -- COMMAND: the queues' fds are handed over (IOMMUCTL_FDS)" {
    need_mock
    viommu_spec
    run --separate-stderr "$IOMMUCTL" apply "$S" -- sh -c '
        echo "fds: $IOMMUCTL_FDS"
        echo "json fds: $(jq -c .fds "$IOMMUCTL_OBJECTS_JSON")"
        "$1" trigger-vevent "$(jq -r .objects.m0.dev_id "$IOMMUCTL_OBJECTS_JSON")"
        "$0" held events q0 --timeout 60' "$IOMMUCTL" "$IOFD"
    echo "$output" | sed 's/^/# /' >&3
    assert_success
    assert_line --regexp '^fds: f0=[0-9]+ q0=[0-9]+$'
    assert_line --regexp '^json fds: \{"f0":[0-9]+,"q0":[0-9]+\}$'
    assert_line "  seq 0: virt_id 0x10"
}

@test "held invalidate: the mock's IOTLB entries and the device's cache read back as invalidated (MD_CHECK_IOTLB, DEV_CHECK_CACHE)" {
    need_mock
    hold "$EX/selftest-mock.yaml"
    local s1 dev
    s1=$(awk '$1 == "object" && $3 == "s1" { print $4 }' "$HELD")
    dev=$(awk '$1 == "object" && $2 == "mock_device" { print $7 }' "$HELD")
    # s1 was made with iotlb 0x1234 (the example): every entry holds it
    assert_equal "$(iofd_holder check-iotlb "$s1" 1 0x1234) $(iofd_holder check-iotlb "$s1" 2 0x1234)" "ok ok"
    run --separate-stderr "$IOMMUCTL" held invalidate s1 iotlb=1
    echo "# $output $stderr" >&3
    assert_success
    assert_line --regexp "^invalidated 1 of 1 selftest entry on s1 #$s1$"
    assert_equal "$(iofd_holder check-iotlb "$s1" 1 0) $(iofd_holder check-iotlb "$s1" 2 0x1234)" "ok ok"
    run --separate-stderr "$IOMMUCTL" --json held invalidate --pid "$HOLDER" s1 all
    assert_success
    jq -e '.invalidated.done == 1 and .invalidated.type == "selftest"' <<<"$output"
    assert_equal "$(iofd_holder check-iotlb "$s1" 2 0) $(iofd_holder check-iotlb "$s1" 3 0)" "ok ok"
    # the vIOMMU's device cache, by the vDevice's virtual id (0x10): entry 2, then all
    assert_equal "$(iofd_holder check-cache "$dev" 2 0xbaddad)" "ok"
    run --separate-stderr "$IOMMUCTL" held invalidate v0 vdev=0x10,cache=2
    echo "# $output $stderr" >&3
    assert_success
    assert_line --regexp "^invalidated 1 of 1 selftest-viommu entry on v0 #[0-9]+$"
    assert_equal "$(iofd_holder check-cache "$dev" 2 0) $(iofd_holder check-cache "$dev" 1 0xbaddad)" "ok ok"
    run --separate-stderr "$IOMMUCTL" held invalidate v0 vdev=0x10,all
    assert_success
    assert_equal "$(iofd_holder check-cache "$dev" 1 0) $(iofd_holder check-cache "$dev" 3 0)" "ok ok"
    # a virtual id no vDevice has: the kernel stops at that entry, and says how far it got
    run --separate-stderr "$IOMMUCTL" held invalidate v0 vdev=0x10,cache=0 vdev=0x99,all
    echo "# $stderr" >&3
    assert_failure 1
    [[ $stderr == *"IOMMU_HWPT_INVALIDATE"*"1 of 2 entries done"* ]] || fail "$stderr"
    # checked before the ioctl: the mock has IOTLB entries 0 to 3
    run --separate-stderr "$IOMMUCTL" held invalidate s1 iotlb=7
    assert_failure 2
    assert_equal "$stderr" "iommuctl: invalidation entry 1 'iotlb=7': the mock's IOTLB entries are 0 to 3"
}
