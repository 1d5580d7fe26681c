#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: claim, release, status and recover on the real kernel. The ground truth is sysfs:
# each member's driver link and driver_override, before and after. Every test leaves the
# devices exactly as it found them (the other suites bind edu themselves).

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    shape_has_iommu || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    MULTI=$(multi_group) || MULTI=
    export EDU MULTI
    export IOMMUCTL_STATE_DIR=$BATS_FILE_TMPDIR/state
}

setup() {
    [ "${VM_SHAPE:-}" != none ] || skip "shape 'none' has no IOMMU: there are no groups to claim"
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
}

teardown() {
    [ -n "${EDU:-}" ] || return 0 # skipped before setup loaded the helpers: nothing to undo
    own_reset # whatever a failed test left: holders, paused runs, bindings
}

@test "claim edu: no driver -> vfio-pci, verified in sysfs; again is a no-op; release -> no driver" {
    local before
    before=$(snapshot "$EDU")
    assert_equal "$before" "$EDU - (null)"
    json_ok claim "$EDU"
    assert_equal "$(jqt '"\(.result) \(.changed) \(.group)"')" "claimed true $(sys_dev_group "$EDU")"
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    [ -d "/sys/bus/pci/devices/$EDU/vfio-dev" ] || fail "vfio-pci made no vfio-dev entry"
    json_ok claim "$EDU"
    assert_equal "$(jqt '"\(.result) \(.changed) \(.steps | length)"')" "already claimed false 0"
    json_ok release "$EDU"
    assert_equal "$(jqt '"\(.result) \(.changed)"')" "released true"
    assert_equal "$(snapshot "$EDU")" "$before"
}

@test "status: edu is kernel-owned, then ready for userspace with its cdev" {
    local g cdev
    g=$(sys_dev_group "$EDU")
    json_ok status "$EDU"
    assert_equal "$(jqt '.groups[0] | "\(.group) \(.state) \(.type)"')" "$g kernel $(cat "/sys/kernel/iommu_groups/$g/type")"
    run iommuctl claim "$EDU"
    assert_success
    cdev=null
    [ "$VM_KERNEL_KIND" != stock ] && cdev=/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$EDU/vfio-dev")
    json_ok status "$g"
    assert_equal "$(jqt '.groups[0] | "\(.state) \(.devices[0].driver) \(.devices[0].cdev) \(.holders | length)"')" \
        "userspace vfio-pci $cdev 0"
    [ "$cdev" = null ] || [ -c "$cdev" ] || fail "status names $cdev, which does not exist"
    run iommuctl release "$g"
    assert_success
}

@test "a device held open: status names the PID; release refuses with exit 6 until it is closed" {
    local g node holder
    g=$(sys_dev_group "$EDU")
    run iommuctl claim "$EDU"
    assert_success
    if [ "$VM_KERNEL_KIND" = stock ]; then
        node=/dev/vfio/$g # no iommufd in Debian's 6.12: the legacy group node
    else
        node=/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$EDU/vfio-dev")
    fi
    bash -c "exec 3<>$node; exec sleep 600" &
    holder=$!
    BG_PIDS=$holder
    sleep 0.5
    [ "$(readlink "/proc/$holder/fd/3")" = "$node" ] || fail "the holder could not open $node"
    json_ok status "$EDU"
    assert_equal "$(jqt '.groups[0] | "\(.state) \(.holders[0].pid) \(.holders[0].path)"')" "held $holder $node"
    run iommuctl release "$EDU"
    assert_failure 6
    assert_output --partial "is open in process $holder"
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    kill -9 "$holder"
    wait "$holder" 2>/dev/null || true
    run iommuctl release "$EDU"
    assert_success
    assert_equal "$(snapshot "$EDU")" "$EDU - (null)"
}

@test "claim and release of the multifunction group: every endpoint, then exactly as before" {
    require_multi
    local -a devs
    mapfile -t devs < <(group_endpoints "$MULTI")
    local before want="" d
    before=$(snapshot "${devs[@]}")
    json_ok claim "${devs[1]}"
    assert_equal "$(jqt '"\(.result) \(.group) \([.members[].device] | sort | join(","))"')" \
        "claimed $MULTI $(printf '%s\n' "${devs[@]}" | sort | paste -sd,)"
    for d in "${devs[@]}"; do want+="$d vfio-pci vfio-pci"$'\n'; done
    assert_equal "$(snapshot "${devs[@]}")" "${want%$'\n'}"
    json_ok status "$MULTI"
    assert_equal "$(jqt '.groups[0].state')" userspace
    run iommuctl release "$MULTI"
    assert_success
    assert_equal "$(snapshot "${devs[@]}")" "$before"
}

@test "release restores each member's driver and driver_override exactly" {
    require_multi
    local -a devs
    mapfile -t devs < <(group_endpoints "$MULTI")
    # the first member was already given to vfio-pci by hand; the second has an override of
    # its own (a driver that does not exist, so nothing binds)
    echo vfio-pci >"/sys/bus/pci/devices/${devs[0]}/driver_override"
    echo "${devs[0]}" >/sys/bus/pci/drivers_probe
    echo iommuctl_no_such_drv >"/sys/bus/pci/devices/${devs[1]}/driver_override"
    local before
    before=$(snapshot "${devs[@]}")
    assert_equal "$before" "${devs[0]} vfio-pci vfio-pci"$'\n'"${devs[1]} - iommuctl_no_such_drv"
    run iommuctl claim "$MULTI"
    assert_success
    assert_equal "$(snapshot "${devs[1]}")" "${devs[1]} vfio-pci vfio-pci"
    run iommuctl release "$MULTI"
    assert_success
    assert_equal "$(snapshot "${devs[@]}")" "$before"
}

@test "a fault at every step k of a group claim rolls back to the exact original state" {
    require_multi
    local -a devs
    mapfile -t devs < <(group_endpoints "$MULTI")
    echo iommuctl_no_such_drv >"/sys/bus/pci/devices/${devs[1]}/driver_override"
    local before n k
    before=$(snapshot "${devs[@]}")
    json_ok claim --dry-run "$MULTI"
    n=$(jqt '.steps | length')
    [ "$n" -ge 6 ] || fail "expected at least 3 steps per endpoint, got $n"
    for k in $(seq "$n"); do
        IOMMUCTL_FAULT_STEP=$k run "$IOMMUCTL" --json claim "$MULTI"
        assert_failure 1
        json=$output
        assert_equal "$(jqt '"\(.result) \([.steps[] | select(.status == "failed")][0].step) \([.steps[] | select(.status == "done")] | length)"')" \
            "rolled back $k 0"
        assert_output --partial "fault injected (IOMMUCTL_FAULT_STEP=$k)"
        assert_equal "$(snapshot "${devs[@]}")" "$before"
        [ ! -e "$IOMMUCTL_STATE_DIR/group-$MULTI.journal" ] || fail "step $k: the journal was left behind"
    done
}

@test "kill -9 in the middle of a claim; recover restores the original state" {
    require_multi
    local -a devs
    mapfile -t devs < <(group_endpoints "$MULTI")
    local before pid k
    before=$(snapshot "${devs[@]}")
    json_ok claim --dry-run "$MULTI"
    # stop before the first step of the second endpoint: the first is then on vfio-pci
    k=$(jqt --arg d "${devs[1]}" '[.steps[] | select(.device == $d)][0].step')
    IOMMUCTL_PAUSE_STEP=$k "$IOMMUCTL" claim "$MULTI" >/dev/null 2>&1 &
    pid=$!
    BG_PIDS=$pid
    wait_for "$IOMMUCTL_STATE_DIR/group-$MULTI.paused" || fail "the claim never reached step $k"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    assert_equal "$(snapshot "${devs[0]}")" "${devs[0]} vfio-pci vfio-pci"
    json_ok status "$MULTI"
    assert_equal "$(jqt '.groups[0].journal')" claiming
    json_ok recover
    assert_equal "$(jqt '.recovered | map("\(.group) \(.phase) \(.ok)") | join(";")')" "$MULTI claiming true"
    assert_equal "$(snapshot "${devs[@]}")" "$before"
    json_ok recover
    assert_equal "$(jqt '.recovered | length')" 0
}

@test "a claim after a killed claim recovers first, then claims" {
    require_multi
    local -a devs
    mapfile -t devs < <(group_endpoints "$MULTI")
    local before pid
    before=$(snapshot "${devs[@]}")
    IOMMUCTL_PAUSE_STEP=2 "$IOMMUCTL" claim "$MULTI" >/dev/null 2>&1 &
    pid=$!
    BG_PIDS=$pid
    wait_for "$IOMMUCTL_STATE_DIR/group-$MULTI.paused" || fail "the claim never paused"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    json_ok claim "$MULTI"
    assert_equal "$(jqt '"\(.recovered) \(.result)"')" "true claimed"
    run iommuctl release "$MULTI"
    assert_success
    assert_equal "$(snapshot "${devs[@]}")" "$before"
}

@test "two claims of one group: the second waits for the lock or fails cleanly; the end state is consistent" {
    require_multi
    local -a devs
    mapfile -t devs < <(group_endpoints "$MULTI")
    local before pid rc1 rc2 want="" d
    before=$(snapshot "${devs[@]}")
    # one run holds the lock (paused at step 2); the other gives up after 1 s
    IOMMUCTL_PAUSE_STEP=2 "$IOMMUCTL" claim "$MULTI" >/dev/null 2>&1 &
    pid=$!
    BG_PIDS=$pid
    wait_for "$IOMMUCTL_STATE_DIR/group-$MULTI.paused" || fail "the claim never paused"
    IOMMUCTL_LOCK_TIMEOUT=1 run iommuctl claim "$MULTI"
    assert_failure 1
    assert_output --partial "is locked by another iommuctl run"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    run iommuctl recover
    assert_success
    assert_equal "$(snapshot "${devs[@]}")" "$before"
    # two unhindered claims at once: both succeed, one of them changed the group (the wait
    # for the lock is generous: under TCG on a loaded host a group claim can take many seconds)
    IOMMUCTL_LOCK_TIMEOUT=300 "$IOMMUCTL" --json claim "$MULTI" >"$BATS_TEST_TMPDIR/a" 2>&1 &
    IOMMUCTL_LOCK_TIMEOUT=300 "$IOMMUCTL" --json claim "$MULTI" >"$BATS_TEST_TMPDIR/b" 2>&1
    rc2=$?
    wait $! && rc1=0 || rc1=$?
    assert_equal "$rc1 $rc2" "0 0"
    assert_equal "$(jq -rs 'map(.changed) | sort | map(tostring) | join(" ")' "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b")" "false true"
    for d in "${devs[@]}"; do want+="$d vfio-pci vfio-pci"$'\n'; done
    assert_equal "$(snapshot "${devs[@]}")" "${want%$'\n'}"
    run iommuctl release "$MULTI"
    assert_success
    assert_equal "$(snapshot "${devs[@]}")" "$before"
}
