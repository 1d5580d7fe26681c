#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes:
# shellcheck disable=SC2016
# In-guest: iommuctl monitor on the real kernel, and the wait for udevd before a claim hands
# VFIO nodes to a command. edu is removed and rescanned, bound and unbound by hand (sysfs),
# claimed and released by iommuctl, while monitors run in the background; the events they
# print must be those the kernel's sysfs shows happened, in order. The ground truth (groups,
# nodes) is read from sysfs as each step is done.
# Every test leaves edu as it found it: no driver, no override, and no udevd running.

RULES=/run/udev/rules.d
RULE=$RULES/99-iommuctl-monitor-test.rules

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    shape_has_iommu || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    MULTI=$(multi_group) || MULTI=
    export EDU MULTI UDEVD= RUN_UDEV_CREATED=
    export IOMMUCTL_STATE_DIR=$BATS_FILE_TMPDIR/state
    local u
    for u in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do
        [ -x "$u" ] && UDEVD=$u && break
    done
    [ -d /run/udev ] || RUN_UDEV_CREATED=1
    unsafe_irqs_allow
}

teardown_file() {
    unsafe_irqs_restore
    # /run/udev was made by the udevd of this file: a later suite starts as at boot
    [ "${RUN_UDEV_CREATED:-}" != 1 ] || rm -rf /run/udev
}

setup() {
    [ "${VM_SHAPE:-}" != none ] || skip "shape 'none' has no IOMMU: there are no groups to watch"
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
    BG_PIDS=
}

teardown() {
    [ -n "${EDU:-}" ] || return 0
    local p
    for p in $BG_PIDS; do
        { kill -9 "$p" && wait "$p"; } 2>/dev/null
    done
    BG_PIDS=
    stop_udevd
    rm -f "$RULE"
    [ -e "/sys/bus/pci/devices/$EDU" ] || echo 1 >/sys/bus/pci/rescan
    sys_unbind_vfio "$EDU"
    rm -rf "$IOMMUCTL_STATE_DIR"
}

# --- helpers -----------------------------------------------------------------------------

# start_monitor NAME ARGS...: iommuctl -v --json monitor ARGS in the background (text
# instead of JSON when NAME is "text"), output in $BATS_TEST_TMPDIR/NAME.out; returns once it
# says it listens (its stderr, NAME.err). The binary itself, not the iommuctl function: a
# background subshell ignores SIGINT, and stop_monitor signals the process it started.
start_monitor() {
    local name=$1 i json=--json
    shift
    [ "$name" != text ] || json=
    "$IOMMUCTL" -v $json monitor "$@" >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" &
    eval "MON_$name=$!"
    BG_PIDS="$BG_PIDS $!"
    for i in $(seq 300); do
        grep -q "listening to" "$BATS_TEST_TMPDIR/$name.err" && return 0
        kill -0 "$!" 2>/dev/null || break
        sleep 0.1
    done
    fail "monitor $name did not start: $(cat "$BATS_TEST_TMPDIR/$name.err")"
}

# stop_monitor NAME: SIGINT; it must exit 0, within 30 s
stop_monitor() {
    local pid rc=0
    pid=$(eval echo "\$MON_$1")
    kill -INT "$pid"
    if ! exited "$pid" 30; then
        proc_diag "$pid" >&2
        kill -9 "$pid"
        fail "monitor $1 did not exit after SIGINT: $(cat "$BATS_TEST_TMPDIR/$1.err")"
    fi
    wait "$pid" || rc=$?
    BG_PIDS=${BG_PIDS/ $pid/}
    [ "$rc" = 0 ] || fail "monitor $1 exited $rc after SIGINT: $(cat "$BATS_TEST_TMPDIR/$1.err")"
}

# wait_lines NAME N: until NAME.out has N lines (60 s: TCG)
wait_lines() {
    local i n
    for i in $(seq 600); do
        n=$(wc -l <"$BATS_TEST_TMPDIR/$1.out")
        [ "$n" -ge "$2" ] && return 0
        sleep 0.1
    done
    echo "monitor $1 printed $n events, expected $2:" >&2
    cat "$BATS_TEST_TMPDIR/$1.out" >&2
}

# events NAME [JQ-SELECT]: "event device group driver node" per line, in the order printed
events() {
    jq -r "${2:-.} | \"\\(.event) \\(.device) \\(.group) \\(.driver) \\(.node)\"" "$BATS_TEST_TMPDIR/$1.out"
}

group_of() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }

# nodes_of DEV: the VFIO nodes edu has now, as the kernel shows them in sysfs:
# LEGACY (/dev/vfio/GROUP) and CDEV (/dev/vfio/devices/vfioN; "" on kernels without cdevs)
nodes_of() {
    local c
    LEGACY= CDEV=
    [ -e "/sys/class/vfio/$(group_of "$1")/dev" ] && LEGACY=/dev/vfio/$(group_of "$1")
    for c in "/sys/bus/pci/devices/$1"/vfio-dev/vfio*; do
        [ -e "$c/dev" ] && CDEV=/dev/vfio/devices/${c##*/}
    done
    return 0
}

# The events of a bind of edu to vfio-pci in group $1 and of its unbind, as the kernel sends
# them (the nodes as nodes_of found them while bound)
expect_bind_unbind() {
    [ -z "$LEGACY" ] || echo "node-added null $1 null $LEGACY"
    [ -z "$CDEV" ] || echo "node-added $EDU $1 null $CDEV"
    echo "bound $EDU $1 vfio-pci null"
    echo "claimed null $1 vfio-pci null"
    [ -z "$CDEV" ] || echo "node-removed $EDU $1 null $CDEV"
    [ -z "$LEGACY" ] || echo "node-removed null $1 null $LEGACY"
    echo "unbound $EDU $1 vfio-pci null"
    echo "released null $1 null null"
}

# A slow rule for the VFIO nodes: PROGRAM runs while the rules are applied, before udevd sets
# the node's mode (RUN would run after it, too late to make a difference), then MODE.
SLOW=5
slow_mode_rule() {
    mkdir -p "$RULES"
    printf '%s\n' "SUBSYSTEM==\"vfio-dev|vfio\", ACTION==\"add\", PROGRAM=\"/bin/sleep $SLOW\", MODE=\"0660\"" >"$RULE"
}

# --- tests -----------------------------------------------------------------------------------

@test "monitor (the kernel's uevents): remove + rescan, bind + unbind, claim + release of edu, in order" {
    local g g2 exp
    g=$(group_of "$EDU")
    start_monitor dev "$EDU"
    start_monitor all
    start_monitor text "$EDU"
    [ -z "$MULTI" ] || start_monitor other "$MULTI"
    assert_equal "$(grep -c "listening to the kernel's uevents (udevd does not run)" "$BATS_TEST_TMPDIR/dev.err")" 1

    echo 1 >"/sys/bus/pci/devices/$EDU/remove"
    [ ! -e "/sys/bus/pci/devices/$EDU" ] || fail "edu is still there after remove"
    echo 1 >/sys/bus/pci/rescan
    [ -e "/sys/bus/pci/devices/$EDU" ] || fail "edu did not come back after the rescan"
    g2=$(group_of "$EDU")
    sys_bind_vfio "$EDU"
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    nodes_of "$EDU"
    [ -n "$LEGACY$CDEV" ] || fail "edu on vfio-pci has no VFIO node in sysfs"
    sys_unbind_vfio "$EDU"
    run iommuctl claim "$EDU"
    assert_success
    run iommuctl release "$EDU"
    assert_success

    exp=$(
        echo "device-removed $EDU $g null null"
        echo "group-removed $EDU $g null null"
        echo "group-added $EDU $g2 null null"
        echo "device-added $EDU $g2 null null"
        expect_bind_unbind "$g2"
        expect_bind_unbind "$g2"
    )
    wait_lines dev "$(wc -l <<<"$exp")"
    stop_monitor dev
    stop_monitor all
    stop_monitor text
    assert_equal "$(events dev)" "$exp"
    # the unfiltered monitor saw the same (nothing else changed), with the details
    assert_equal "$(events all)" "$exp"
    run jq -r 'select(.event == "device-added") | "\(.details) \(.seqnum | type)"' "$BATS_TEST_TMPDIR/all.out"
    assert_output "1234:11e8 class 00ff00 number"
    # the text lines: TIME EVENT DEVICE GROUP DRIVER [NODE] [DETAILS], "-" for none
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/text.out")" "$(wc -l <<<"$exp")"
    run awk '{ $1 = ""; sub(/^ /, ""); print }' "$BATS_TEST_TMPDIR/text.out"
    assert_line --index 3 --regexp "^device-added +$EDU +$g2 +- +1234:11e8 class 00ff00$"
    assert_line --regexp "^bound +$EDU +$g2 +vfio-pci$"
    assert_line --regexp "^claimed +- +$g2 +vfio-pci +1 endpoint on a VFIO driver$"
    # every line starts with its time, RFC 3339 with microseconds
    assert_equal "$(grep -cEv '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2} ' \
        "$BATS_TEST_TMPDIR/text.out")" 0
    # a monitor of another group saw none of it
    if [ -n "$MULTI" ]; then
        stop_monitor other
        assert_equal "$(cat "$BATS_TEST_TMPDIR/other.out")" ""
    fi
}

@test "a two-endpoint group is claimed after its last bind, released after its last unbind; group filters" {
    [ -n "$MULTI" ] || fail "no group with two endpoints: the multifunction pci-testdev slot is missing"
    local g exp e1 e2 l1 c1 c2
    local -a devs
    mapfile -t devs < <(group_endpoints "$MULTI")
    e1=${devs[0]} e2=${devs[1]}
    assert_equal "$(snapshot "$e1" "$e2")" "$e1 - (null)"$'\n'"$e2 - (null)"
    g=$(group_of "$EDU")
    start_monitor multi "$MULTI"
    start_monitor edu "$g"
    run iommuctl claim "$MULTI"
    assert_success
    nodes_of "$e1"
    l1=$LEGACY c1=$CDEV
    nodes_of "$e2"
    c2=$CDEV
    run iommuctl release "$MULTI"
    assert_success
    # the kernel's order: the group node comes with the first VFIO device of the group and goes
    # with the last; each device's cdev before its bind, and goes before its unbind
    exp=$(
        [ -z "$l1" ] || echo "node-added null $MULTI null $l1"
        [ -z "$c1" ] || echo "node-added $e1 $MULTI null $c1"
        echo "bound $e1 $MULTI vfio-pci null"
        [ -z "$c2" ] || echo "node-added $e2 $MULTI null $c2"
        echo "bound $e2 $MULTI vfio-pci null"
        echo "claimed null $MULTI vfio-pci null"
        [ -z "$c1" ] || echo "node-removed $e1 $MULTI null $c1"
        echo "unbound $e1 $MULTI vfio-pci null"
        [ -z "$c2" ] || echo "node-removed $e2 $MULTI null $c2"
        [ -z "$l1" ] || echo "node-removed null $MULTI null $l1"
        echo "unbound $e2 $MULTI vfio-pci null"
        echo "released null $MULTI null null"
    )
    wait_lines multi "$(wc -l <<<"$exp")"
    # then edu, in its own group: the other monitor sees it alone
    sys_bind_vfio "$EDU"
    nodes_of "$EDU"
    sys_unbind_vfio "$EDU"
    wait_lines edu "$(expect_bind_unbind "$g" | wc -l)"
    stop_monitor multi
    stop_monitor edu
    assert_equal "$(events multi)" "$exp"
    assert_equal "$(events edu)" "$(expect_bind_unbind "$g")"
}

@test "with udevd: monitor hears udevd's events, and claim -- COMMAND waits for udev's rules on the VFIO nodes" {
    local g node exp
    g=$(group_of "$EDU")
    slow_mode_rule
    start_udevd
    start_monitor udev "$EDU"
    assert_equal "$(grep -c "listening to udevd's events" "$BATS_TEST_TMPDIR/udev.err")" 1
    # the node the command gets: the cdev on iommufd kernels, the group node on Debian's 6.12
    node=/dev/vfio/$g
    [ "$VM_KERNEL_KIND" = stock ] || node=/dev/vfio/devices/vfio0
    run --separate-stderr timeout 120 "$IOMMUCTL" -v claim "$EDU" -- stat -c '%a %n' "$node"
    assert_success
    # the command saw the mode the rule set, not devtmpfs's 0600
    assert_line "660 $node"
    [[ $stderr == *"udevd has set up the "*" VFIO node"*" of group $g (waited "* ]] ||
        fail "no word of the wait in --verbose: $stderr"
    # udevd's events: those of edu and its cdev in order (the group node's come in parallel)
    nodes_of "$EDU"
    exp=$(expect_bind_unbind "$g" | grep -v "^node-[a-z]* null")
    wait_lines udev "$(expect_bind_unbind "$g" | wc -l)"
    stop_monitor udev
    assert_equal "$(events udev 'select(.event | startswith("node-") and .device == null | not)')" "$exp"
}

@test "with udevd and the wait turned off (IOMMUCTL_NO_UDEV_WAIT=1), the command sees the node before the rule" {
    local g node
    g=$(group_of "$EDU")
    slow_mode_rule
    start_udevd
    node=/dev/vfio/$g
    [ "$VM_KERNEL_KIND" = stock ] || node=/dev/vfio/devices/vfio0
    # The rule sleeps $SLOW s before it sets the mode; the claim, the hold and the command take
    # well under a second after the nodes appear (about 0.5 s under TCG), so without the wait
    # the command runs while udevd is still in the rule: devtmpfs's 0600.
    IOMMUCTL_NO_UDEV_WAIT=1 run --separate-stderr timeout 120 "$IOMMUCTL" -v claim "$EDU" -- stat -c '%a %n' "$node"
    assert_success
    assert_line "600 $node"
    [[ $stderr == *"not waiting for udevd"* ]] || fail "--verbose does not say the wait is off: $stderr"
    # and udevd did set it in the end: the rule works, the wait is what made the difference
    udevadm settle --timeout=60
    run timeout 120 "$IOMMUCTL" claim "$EDU" -- stat -c '%a %n' "$node"
    assert_line "660 $node"
}

@test "SIGTERM while claim --hold waits for udevd: the hold ends as it begins, and the group is released" {
    local g i rc=0 out=$BATS_TEST_TMPDIR/hold.out
    g=$(group_of "$EDU")
    slow_mode_rule
    start_udevd
    "$IOMMUCTL" claim "$EDU" --hold >"$out" 2>&1 &
    local pid=$!
    BG_PIDS="$BG_PIDS $pid"
    # claimed: the nodes are there and udevd is in the rule's $SLOW s; the claim waits for it
    for i in $(seq 100); do
        [ "$(snapshot "$EDU")" = "$EDU vfio-pci vfio-pci" ] && break
        sleep 0.1
    done
    kill -TERM "$pid"
    exited "$pid" 60 || { proc_diag "$pid" >&2; fail "claim --hold did not end after SIGTERM"; }
    wait "$pid" || rc=$?
    BG_PIDS=${BG_PIDS/ $pid/}
    [ "$rc" = 0 ] || fail "claim --hold exited $rc after SIGTERM: $(cat "$out")"
    run cat "$out"
    assert_line "Hold of group $g ended: SIGTERM"
    assert_line "Result: released"
    assert_equal "$(snapshot "$EDU")" "$EDU - (null)"
}

@test "without udevd, claim -- COMMAND does not wait, and --verbose says why" {
    if [ -S /run/udev/control ] && udevadm control --timeout=5 --ping >/dev/null 2>&1; then
        skip "a udevd runs in this guest"
    fi
    run --separate-stderr iommuctl -v claim "$EDU" -- true
    assert_success
    [[ $stderr == *"udevd does not run: no udev rules to wait for"* ]] ||
        fail "--verbose does not say there is nothing to wait for: $stderr"
}
