#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# $json is read by the helpers:
# shellcheck disable=SC2034
# In-guest: persist on the real kernel with a real udevd. The rule iommuctl writes into
# /etc/udev/rules.d (a tmpfs over it: the 9p root is read-only) is read by systemd-udevd,
# started standalone as the initramfs starts it; edu is then removed and re-added
# (remove + rescan: the kernel adds it as at boot) or replayed (udevadm trigger: the
# coldplug of a boot). The ground truth is sysfs: edu's driver link and driver_override.
# Every test leaves edu as it found it: no driver, no override.

RULES=/etc/udev/rules.d

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    shape_has_iommu || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU UDEVD= RULES_TMPFS= STATE_CREATED=
    local u
    for u in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do
        [ -x "$u" ] && UDEVD=$u && break
    done
    [ -d /run/iommuctl ] || STATE_CREATED=1
    [ -d "$RULES" ] && mount -t tmpfs -o mode=0755 tmpfs "$RULES" && RULES_TMPFS=1
    return 0
}

teardown_file() {
    [ "${RULES_TMPFS:-}" != 1 ] || umount "$RULES"
    [ "${STATE_CREATED:-}" != 1 ] || rm -rf /run/iommuctl
}

setup() {
    [ "${VM_SHAPE:-}" != none ] || skip "shape 'none' has no IOMMU: there are no groups to claim"
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
    [ -n "${UDEVD:-}" ] ||
        skip "systemd-udevd is not installed on the host whose root the guest runs (make deps installs udev)"
    [ "${RULES_TMPFS:-}" = 1 ] || fail "could not mount a tmpfs over $RULES"
    # the claim the rule runs gets udev's environment, not ours: one state directory for both
    unset IOMMUCTL_STATE_DIR
    F=$RULES/61-iommuctl-$EDU.rules
}

teardown() {
    stop_udevd
    rm -f "$RULES"/61-iommuctl-*.rules
    [ -e "/sys/bus/pci/devices/$EDU" ] || echo 1 >/sys/bus/pci/rescan
    sys_unbind_vfio "$EDU"
    rm -f /run/iommuctl/group-*.journal
}

# remove edu and rescan the bus: the kernel adds it again, and sends "add" as at boot
replug() {
    echo 1 >"/sys/bus/pci/devices/$EDU/remove"
    udevadm settle --timeout=120
    [ ! -e "/sys/bus/pci/devices/$EDU" ] || fail "edu is still there after remove"
    echo 1 >/sys/bus/pci/rescan
    udevadm settle --timeout=120
    [ -e "/sys/bus/pci/devices/$EDU" ] || fail "edu did not come back after the rescan"
}

# persist edu: claim, persist, release; the rule stays, edu is back to no driver
persist_edu() {
    assert_equal "$(snapshot "$EDU")" "$EDU - (null)"
    run iommuctl claim "$EDU"
    assert_success
    json_ok persist "$EDU"
    assert_equal "$(jqt '"\(.result) \(.changed) \(.mechanism) \(.devices | join(","))"')" \
        "persisted true udev $EDU"
    [ -f "$F" ] || fail "persist wrote no $F"
    assert_equal "$(stat -c %a "$F")" 644
    run iommuctl release "$EDU"
    assert_success
    assert_equal "$(snapshot "$EDU")" "$EDU - (null)"
}

# udevd's log must not complain about our rules file (syntax, keys, the program it runs)
assert_rules_accepted() {
    run grep -F "61-iommuctl-$EDU.rules" "$UDEVD_LOG"
    refute_output --regexp '[Ii]nvalid|[Uu]nknown|[Ff]ailed|[Ee]rror|ignoring'
    # the log names the file as it reads it (debug), so the check above saw something
    assert_output --partial "61-iommuctl-$EDU.rules"
}

# The claim the rule ran recorded the kernel's default as what release restores (--persisted).
assert_journal_from_rule() {
    local g
    g=$(basename "$(readlink "/sys/bus/pci/devices/$EDU/iommu_group")")
    if [ ! -r "/run/iommuctl/group-$g.journal" ]; then
        ls -la /run/iommuctl >&2
        grep -n "iommuctl\|$EDU" "$UDEVD_LOG" | tail -40 >&2
        fail "no journal of group $g: the rule's claim did not run"
    fi
    run grep -x "member $EDU driver \* override -" "/run/iommuctl/group-$g.journal"
    assert_success
}

@test "persist + udevd: edu, removed and re-added as at boot, ends on vfio-pci; after --remove it does not" {
    persist_edu
    start_udevd
    replug
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    assert_rules_accepted
    # A rescan sends "add" before the kernel's first probe of the device (pci_bus_add_device);
    # when udev sets the override inside that window, the kernel's probe binds vfio-pci itself
    # and the rule's claim finds it claimed (no journal). Otherwise the claim journaled it.
    # Both are right; the coldplug test below always goes through the claim.
    [ ! -e "/run/iommuctl/group-$(basename "$(readlink "/sys/bus/pci/devices/$EDU/iommu_group")").journal" ] ||
        assert_journal_from_rule
    # --remove deletes the rule and leaves the group claimed
    json_ok persist --remove "$EDU"
    assert_equal "$(jqt '"\(.result) \(.changed) \(.claimed) \(.files[0].path)"')" "removed true true $F"
    [ ! -e "$F" ] || fail "$F is still there"
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    run iommuctl release "$EDU"
    assert_success
    assert_equal "$(snapshot "$EDU")" "$EDU - (null)"
    udevadm control --timeout=30 --reload
    replug
    assert_equal "$(snapshot "$EDU")" "$EDU - (null)"
}

@test "persist + udevd: the coldplug of a boot (udevadm trigger --action=add) claims edu" {
    persist_edu
    start_udevd
    udevadm trigger --action=add "/sys/bus/pci/devices/$EDU"
    udevadm settle --timeout=120
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    assert_journal_from_rule
    # a second coldplug changes nothing
    udevadm trigger --action=add "/sys/bus/pci/devices/$EDU"
    udevadm settle --timeout=120
    assert_equal "$(snapshot "$EDU")" "$EDU vfio-pci vfio-pci"
    run iommuctl release "$EDU"
    assert_success
    assert_equal "$(snapshot "$EDU")" "$EDU - (null)"
}

@test "persist --list reads the rule back; persist is refused once edu is released" {
    persist_edu
    json_ok persist --list
    assert_equal "$(jqt '.persisted | map("\(.device) \(.driver) \(.group) \(.file) \(.problem)") | join(";")')" \
        "$EDU vfio-pci $(basename "$(readlink "/sys/bus/pci/devices/$EDU/iommu_group")") $F null"
    run iommuctl persist "$EDU"
    assert_failure 7
    assert_output --partial "is not claimed"
    run iommuctl persist --remove "$EDU"
    assert_success
    assert_output --partial "Result: removed"
    [ ! -e "$F" ] || fail "$F is still there"
}
