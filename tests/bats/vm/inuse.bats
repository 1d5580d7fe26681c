#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: claim refuses devices the kernel is using, on real devices. run-vm puts a
# virtio-net (00:07.0) and a virtio-blk with an ext4 disk (00:08.0) in every shape. The tests
# bring the interface up, give it routes, make it a bridge port and a bond slave, and mount the
# disk; claim must refuse each (exit 6, naming the interface or disk and why) and leave the
# device on virtio-pci. --force takes the interface anyway, and release gives back virtio-pci
# and the interface. The ground truth is sysfs and /proc. Every test leaves the guest as it
# found it: the interface down, without addresses or master, the disk unmounted.

NIC=0000:00:07.0
DISK=0000:00:08.0
BRIDGE=ictl-br0
BOND=ictl-bond0

setup_file() {
    export IOMMUCTL_STATE_DIR=$BATS_FILE_TMPDIR/state
}

setup() {
    [ "${VM_SHAPE:-}" != none ] || skip "shape 'none' has no IOMMU: there are no groups to claim"
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    [ -e "$SYS/bus/pci/devices/$NIC" ] || fail "no PCI device at $NIC: run-vm puts a virtio-net there"
    [ -e "$SYS/bus/pci/devices/$DISK" ] || fail "no PCI device at $DISK: run-vm puts a virtio-blk there"
    IFC=$(below "$NIC" net) || fail "$NIC has no network interface (virtio-net on $(drv "$NIC"))"
    VDX=$(below "$DISK" block) || fail "$DISK has no block device (virtio-blk on $(drv "$DISK"))"
    MNT=$BATS_TEST_TMPDIR/mnt
}

teardown() {
    local d ifc
    mountpoint -q "${MNT:-/nonexistent}" && umount "$MNT"
    ip link del "$BRIDGE" 2>/dev/null || true
    ip link del "$BOND" 2>/dev/null || true
    # a device a failed test left elsewhere goes back to virtio-pci, the way a user does it
    for d in "$NIC" "$DISK"; do
        [ "$(snapshot "$d")" = "$d virtio-pci (null)" ] && continue
        sys_unbind_vfio "$d"
        echo "$d" >"$SYS/bus/pci/drivers_probe"
    done
    if ifc=$(below "$NIC" net); then
        ip addr flush dev "$ifc"
        ip link set dev "$ifc" down
    fi
    rm -rf "$IOMMUCTL_STATE_DIR"
}

# below DEV KIND: the first name in DEV's virtio transport's KIND directory: the interface
# (net) or the disk (block), found where the kernel puts them (virtioN/net/eth0)
below() {
    local p
    for p in "$SYS/bus/pci/devices/$1"/virtio*/"$2"/*; do
        [ -e "$p" ] && { echo "${p##*/}"; return 0; }
    done
    return 1
}

drv() {
    local l
    l=$(readlink "$SYS/bus/pci/devices/$1/driver") && echo "${l##*/}" || echo none
}

# group_state DEV: the snapshot of every endpoint of DEV's group
group_state() {
    local -a devs
    mapfile -t devs < <(group_endpoints "$(sys_dev_group "$1")")
    snapshot "${devs[@]}"
}

# the interface's IFF_UP, from its flags
is_up() {
    local f
    read -r f <"$SYS/class/net/$1/flags"
    (( f & 1 ))
}

# refused DEV: claim DEV is refused with exit 6 and changes nothing; $json holds its JSON
refused() {
    local before
    before=$(group_state "$1")
    run "$IOMMUCTL" --json claim "$1"
    assert_failure 6
    json=$output
    assert_equal "$(jqt '"\(.result) \(.changed) \(.error.code)"')" "refused false 6"
    assert_equal "$(group_state "$1")" "$before"
}

# reasons: the in_use entries of $json, one "DEVICE KIND WHAT FORCEABLE: REASON" per line
reasons() {
    jqt '.in_use[] | "\(.device) \(.kind) \(.what) \(.forceable): \(.reason)"'
}

@test "the virtio-net and virtio-blk devices: on virtio-pci, in separate groups, the interface down without addresses" {
    assert_equal "$(snapshot "$NIC" "$DISK")" "$NIC virtio-pci (null)"$'\n'"$DISK virtio-pci (null)"
    [ -n "$(sys_dev_group "$NIC")" ] || fail "$NIC is in no IOMMU group"
    [ "$(sys_dev_group "$NIC")" != "$(sys_dev_group "$DISK")" ] || fail "$NIC and $DISK share a group"
    is_up "$IFC" && fail "$IFC is up before any test brought it up"
    assert_equal "$(ip -o addr show dev "$IFC")" ""
}

@test "an interface that is up: claim refused with exit 6 naming it; text names it too" {
    ip link set "$IFC" up
    is_up "$IFC" || fail "ip link set $IFC up did not set IFF_UP"
    refused "$NIC"
    # only the state: no routes (nothing configures it; IPv6 link-local routes do not count)
    assert_equal "$(reasons)" "$NIC net $IFC true: network interface $IFC is up"
    run iommuctl claim "$NIC"
    assert_failure 6
    assert_output --partial "$NIC is in use: network interface $IFC is up; --force goes ahead anyway"
}

@test "an interface with addresses carries routes: refused for them; down, the routes are gone and it is free" {
    local v6=0
    ip link set "$IFC" up
    ip addr add 192.0.2.1/24 dev "$IFC"
    grep -q "^${IFC}[[:space:]]" /proc/net/route || fail "the kernel lists no IPv4 route through $IFC"
    if [ -r /proc/net/ipv6_route ]; then
        ip -6 addr add 2001:db8::1/64 dev "$IFC" nodad
        grep -q "^20010db8.* $IFC\$" /proc/net/ipv6_route || fail "the kernel lists no IPv6 route through $IFC"
        v6=1
    fi
    refused "$NIC"
    local fam=IPv4
    [ $v6 = 0 ] || fam="IPv4 and IPv6"
    assert_equal "$(reasons)" "$NIC net $IFC true: network interface $IFC is up
$NIC net $IFC true: network interface $IFC carries $fam routes (ip link set $IFC down removes them)"
    # the advice holds: down, the kernel drops the routes (the addresses stay), and claim is free
    ip link set "$IFC" down
    [ -n "$(ip -o -4 addr show dev "$IFC")" ] || fail "the address went away with the link"
    if grep -q "^${IFC}[[:space:]]" /proc/net/route; then fail "IPv4 routes through $IFC outlived the link"; fi
    run iommuctl claim --dry-run "$NIC"
    assert_success
}

@test "a bridge port (down) is refused naming the bridge; nomaster frees it" {
    ip link add "$BRIDGE" type bridge
    ip link set "$IFC" master "$BRIDGE"
    [ -d "$SYS/class/net/$IFC/brport" ] || fail "$IFC is no bridge port in sysfs"
    is_up "$IFC" && fail "enslaving to a bridge brought $IFC up"
    refused "$NIC"
    assert_equal "$(reasons)" "$NIC net $IFC true: network interface $IFC is a port of bridge $BRIDGE (ip link set $IFC nomaster frees it)"
    run iommuctl claim "$NIC"
    assert_output --partial "network interface $IFC is a port of bridge $BRIDGE"
    ip link set "$IFC" nomaster
    run iommuctl claim --dry-run "$NIC"
    assert_success
}

@test "a bond slave is refused naming the bond" {
    local want=""
    ip link add "$BOND" type bond
    ip link set "$IFC" master "$BOND"
    [ -d "$SYS/class/net/$IFC/bonding_slave" ] || fail "$IFC is no bond slave in sysfs"
    # bonding opens its slaves: then the interface is up as well
    is_up "$IFC" && want="$NIC net $IFC true: network interface $IFC is up"$'\n'
    refused "$NIC"
    assert_equal "$(reasons)" "${want}$NIC net $IFC true: network interface $IFC is a slave of bond $BOND (ip link set $IFC nomaster frees it)"
}

@test "--force takes an interface that is up to vfio-pci; release gives back virtio-pci and the interface" {
    local before
    before=$(group_state "$NIC")
    ip link set "$IFC" up
    json_ok claim --force "$NIC"
    assert_equal "$(jqt '"\(.result) \(.changed) \(.in_use | map(.reason) | join(";"))"')" \
        "claimed true network interface $IFC is up"
    assert_equal "$(snapshot "$NIC")" "$NIC vfio-pci vfio-pci"
    [ ! -e "$SYS/class/net/$IFC" ] || fail "$IFC is still there with $NIC on vfio-pci"
    json_ok release "$NIC"
    assert_equal "$(jqt '"\(.result) \(.changed)"')" "released true"
    assert_equal "$(group_state "$NIC")" "$before"
    local ifc
    ifc=$(below "$NIC" net) || fail "no interface below $NIC after release"
    [ "$(readlink -f "$SYS/class/net/$ifc/device/..")" = "$(readlink -f "$SYS/bus/pci/devices/$NIC")" ] ||
        fail "$ifc is not $NIC's interface"
}

@test "a mounted disk is refused naming it and the mount point; unmounted it is claimed and released" {
    local before majmin
    before=$(group_state "$DISK")
    read -r majmin <"$SYS/class/block/$VDX/dev"
    mkdir -p "$MNT"
    mount "/dev/$VDX" "$MNT"
    awk -v d="$majmin" -v m="$MNT" '$3 == d && $5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo ||
        fail "mountinfo has no $majmin on $MNT"
    refused "$DISK"
    assert_equal "$(reasons)" "$DISK block $VDX true: block device $VDX is mounted on $MNT"
    run iommuctl claim "$DISK"
    assert_output --partial "$DISK is in use: block device $VDX is mounted on $MNT; --force goes ahead anyway"
    mountpoint -q "$MNT" || fail "the refused claim unmounted $MNT"
    umount "$MNT"
    json_ok claim "$DISK"
    assert_equal "$(jqt '"\(.result) \(.changed) \(.in_use | length)"')" "claimed true 0"
    assert_equal "$(snapshot "$DISK")" "$DISK vfio-pci vfio-pci"
    [ ! -e "$SYS/class/block/$VDX" ] || fail "$VDX is still there with $DISK on vfio-pci"
    json_ok release "$DISK"
    assert_equal "$(group_state "$DISK")" "$before"
    local vdx
    vdx=$(below "$DISK" block) || fail "no block device below $DISK after release"
    [ -b "/dev/$vdx" ] || fail "no /dev/$vdx after release"
}
