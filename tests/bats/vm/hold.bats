#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: claim --hold and claim -- COMMAND on the real kernel. A hold takes DMA ownership
# from the kernel (a cdev bound to an iommufd, or the legacy group in a container); the kernel
# then refuses the devices to anyone else, which is what these tests check, from a second
# process, together with sysfs before and after.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    shape_has_iommu || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    MULTI=$(multi_group) || MULTI=
    FD_USER=$(dirname "$IOMMUCTL")/tests/fd-user
    export EDU MULTI FD_USER
    export IOMMUCTL_STATE_DIR=$BATS_FILE_TMPDIR/state
    # QEMU's amd-iommu (no southbridge IOAPIC) and virtio-iommu remap no interrupts: iommufd
    # refuses binds unless told to allow that (restored in teardown_file; hold-irq.bats checks
    # the refusal without it)
    case $VM_SHAPE in virtio | amd)
        read -r UNSAFE_WAS <"$UNSAFE"
        export UNSAFE_WAS
        echo 1 >"$UNSAFE" ;;
    esac
}

UNSAFE=/sys/module/iommufd/parameters/allow_unsafe_interrupts

teardown_file() {
    [ -z "${UNSAFE_WAS:-}" ] || echo "$UNSAFE_WAS" >"$UNSAFE"
}

setup() {
    [ "${VM_SHAPE:-}" != none ] || skip "shape 'none' has no IOMMU: there are no groups to hold"
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
    G=$(sys_dev_group "$EDU")
    BEFORE=$(snapshot "$EDU")
}

teardown() {
    [ -n "${EDU:-}" ] || return 0 # skipped before setup loaded the helpers: nothing to undo
    own_reset
}

require_iommufd() {
    [ "$VM_KERNEL_KIND" != stock ] ||
        skip "Debian's 6.12 has no iommufd (CONFIG_IOMMUFD is off): the legacy tests cover it"
}

require_fd_user() {
    [ -x "$FD_USER" ] || fail "no $FD_USER: run make (tests/uapi/uapi.mk builds it)"
}

# hold_bg ARGS...: iommuctl claim ARGS --hold in the background, output in $OUT; sets HOLDER
hold_bg() {
    OUT=$BATS_TEST_TMPDIR/hold.out
    "$IOMMUCTL" claim "$@" --hold >"$OUT" 2>&1 &
    HOLDER=$!
    BG_PIDS=$HOLDER
}

# wait_held TARGET: until a second iommuctl sees the group held (60 s: TCG is slow)
wait_held() {
    local i
    for i in $(seq 300); do
        json_ok status "$1" && [ "$(jqt '.groups[0].state')" = held ] && return 0
        kill -0 "$HOLDER" 2>/dev/null || { cat "$OUT" >&2; return 1; }
        sleep 0.2
    done
    cat "$OUT" >&2
    return 1
}

# stop_holder [SIGNAL]: signal the holder and check that it exited 0
stop_holder() {
    kill "-${1:-TERM}" "$HOLDER"
    local rc=0
    wait "$HOLDER" || rc=$?
    BG_PIDS=
    [ "$rc" = 0 ] || { cat "$OUT" >&2; fail "the holder exited $rc after SIG${1:-TERM}"; }
}

cdev_of() { echo "/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$1/vfio-dev")"; }

@test "--hold: a second process sees the group held by iommuctl's pid; SIGTERM releases it exactly" {
    local node
    hold_bg "$EDU"
    wait_held "$EDU" || fail "the group never showed as held"
    node=/dev/vfio/$G
    [ "$VM_KERNEL_KIND" = stock ] || node=$(cdev_of "$EDU")
    assert_equal "$(jqt '.groups[0] | "\(.state) \(.holders[0].pid) \(.holders[0].comm) \(.holders[0].path)"')" \
        "held $HOLDER iommuctl $node"
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    stop_holder TERM
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
    run cat "$OUT"
    assert_line --partial "Hold of group $G ended: SIGTERM"
    assert_line "Result: released"
    json_ok status "$EDU"
    assert_equal "$(jqt '.groups[0].state')" kernel
}

# bats test_tags=vm:iommufd
@test "a held device's cdev is refused to a second iommufd, and the error names the holder" {
    require_iommufd
    hold_bg "$EDU"
    wait_held "$EDU" || fail "the group never showed as held"
    # hw-info binds the cdev to a fresh iommufd: the kernel refuses a second bind
    run iommuctl hw-info "$EDU"
    assert_failure 6
    assert_output --partial "VFIO_DEVICE_BIND_IOMMUFD"
    assert_output --partial "held by pid $HOLDER (iommuctl)"
    # and the group lock names the holder to a second claim
    IOMMUCTL_LOCK_TIMEOUT=1 run iommuctl claim "$EDU" --hold
    assert_failure
    assert_output --partial "locked by another iommuctl run (pid $HOLDER)"
    stop_holder TERM
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
    # once released, the same bind works again
    sys_bind_vfio "$EDU"
    run iommuctl hw-info "$EDU"
    sys_unbind_vfio "$EDU"
    assert_success
}

@test "legacy path: the group node is held in a type1 container and refused to a second opener" {
    local -a args=()
    [ "$VM_KERNEL_KIND" = stock ] || args=(--legacy) # the test kernel has both paths
    hold_bg "$EDU" "${args[@]}"
    wait_held "$EDU" || fail "the group never showed as held"
    assert_equal "$(jqt '.groups[0] | "\(.holders[0].pid) \(.holders[0].path)"')" "$HOLDER /dev/vfio/$G"
    run bash -c "exec 3<>/dev/vfio/$G"
    assert_failure
    assert_output --partial "Device or resource busy"
    if [ "$VM_KERNEL_KIND" != stock ]; then
        run iommuctl hw-info "$EDU" # the cdev cannot be bound while the group is in use
        assert_failure 6
        assert_output --partial "held by pid $HOLDER (iommuctl)"
    fi
    run cat "$OUT"
    assert_output --partial "Holding through the legacy group node (pid $HOLDER)"
    stop_holder TERM
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}

# bats test_tags=vm:iommufd
@test "-- COMMAND: the iommufd on fd 3, the device's cdev on fd 4, unbound; the command binds, attaches and maps" {
    require_iommufd
    require_fd_user
    run iommuctl claim "$EDU" -- sh -c 'readlink /proc/self/fd/3 /proc/self/fd/4
        echo "env $IOMMUCTL_IOMMUFD $IOMMUCTL_DEVICE_FDS $IOMMUCTL_DEVICES $IOMMUCTL_GROUP ${IOMMUCTL_DEV_IDS-unset}"
        exec "$0"' "$FD_USER"
    assert_success
    assert_line /dev/iommu
    assert_line --regexp '^/dev/vfio/devices/vfio[0-9]+$'
    assert_line "env 3 4 $EDU $G unset"
    assert_line --regexp '^dev_id=[0-9]+$'
    assert_line --regexp '^attach.hwpt=[0-9]+$'
    assert_line ok=1
    assert_line --partial "Hold of group $G ended: the command exited with status 0"
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}

# bats test_tags=vm:iommufd
@test "-- COMMAND with --bind: the devices come bound, with their dev_ids in IOMMUCTL_DEV_IDS" {
    require_iommufd
    require_fd_user
    run iommuctl claim "$EDU" --bind -- sh -c 'exec "$0" --bound "$IOMMUCTL_DEV_IDS"' "$FD_USER"
    assert_success
    assert_line ok=1
    # binding a bound cdev again is what the kernel refuses
    run iommuctl claim "$EDU" --bind -- "$FD_USER"
    assert_failure 1
    assert_output --partial "bind.error=EBUSY"
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}

@test "legacy -- COMMAND: the container on fd 3, the group on fd 4, the device on fd 5" {
    local -a args=()
    [ "$VM_KERNEL_KIND" = stock ] || args=(--legacy)
    run iommuctl claim "$EDU" "${args[@]}" -- sh -c 'readlink /proc/self/fd/3 /proc/self/fd/4 /proc/self/fd/5
        echo "env $IOMMUCTL_CONTAINER $IOMMUCTL_GROUP_FD $IOMMUCTL_DEVICE_FDS ${IOMMUCTL_IOMMUFD-unset}"'
    assert_success
    assert_line /dev/vfio/vfio
    assert_line "/dev/vfio/$G"
    assert_line "anon_inode:[vfio-device]"
    assert_line "env 3 4 5 unset"
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}

@test "the command's exit status is iommuctl's; a command that cannot start is released and exits 127" {
    run iommuctl claim "$EDU" -- sh -c 'exit 7'
    assert_failure 7
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
    run iommuctl claim "$EDU" -- /nonexistent/vmm
    assert_failure 127
    assert_output --partial "cannot run /nonexistent/vmm: No such file or directory"
    assert_output --partial "Result: released"
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}

@test "a multi-device group is held as a whole; --json prints the hold, then its end" {
    require_multi
    local -a devs
    mapfile -t devs < <(group_endpoints "$MULTI")
    local before
    before=$(snapshot "${devs[@]}")
    OUT=$BATS_TEST_TMPDIR/hold.json
    "$IOMMUCTL" --json claim "$MULTI" --hold >"$OUT" 2>&1 &
    HOLDER=$!
    BG_PIDS=$HOLDER
    wait_held "$MULTI" || fail "the group never showed as held"
    stop_holder TERM
    json=$(jq -s . "$OUT")
    assert_equal "$(jqt 'length')" 2
    assert_equal "$(jqt '.[0] | "\(.result) \(.hold.pid) \(.hold.devices | map(.device) | join(","))"')" \
        "claimed $HOLDER $(IFS=,; echo "${devs[*]}")"
    assert_equal "$(jqt '.[1] | "\(.action) \(.reason) \(.released) \(.release.result)"')" \
        "hold-end SIGTERM true released"
    assert_equal "$(snapshot "${devs[@]}")" "$before"
}

@test "a holder killed with -9: the group stays claimed but is no longer held; release gives it back" {
    hold_bg "$EDU"
    wait_held "$EDU" || fail "the group never showed as held"
    kill -9 "$HOLDER"
    wait "$HOLDER" 2>/dev/null || true
    BG_PIDS=
    json_ok status "$EDU"
    assert_equal "$(jqt '.groups[0] | "\(.state) \(.holders | length) \(.journal)"')" "userspace 0 claimed"
    run iommuctl release "$EDU"
    assert_success
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}

@test "--hold on a group claimed before: held, then left claimed" {
    run iommuctl claim "$EDU"
    assert_success
    hold_bg "$EDU"
    wait_held "$EDU" || fail "the group never showed as held"
    stop_holder TERM
    run cat "$OUT"
    assert_output --partial "Group $G stays claimed: it was claimed before this run."
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    run iommuctl release "$EDU"
    assert_success
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}

# bats test_tags=vm:only,vm:stock
@test "without iommufd, --bind is refused saying why, and the claim is given back" {
    [ "$VM_KERNEL_KIND" = stock ] || skip "this kernel has iommufd: --bind works here (tested above)"
    run iommuctl claim "$EDU" --bind -- true
    assert_failure 3
    assert_output --partial "no /dev/iommu: this kernel has no iommufd"
    assert_output --partial "Result: released"
    assert_equal "$(snapshot "$EDU")" "$BEFORE"
}
