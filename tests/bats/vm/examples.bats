#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# stderr is set by bats' run --separate-stderr:
# shellcheck disable=SC2154
# In-guest, shape intel: every file of examples/ against a real kernel. The mock's specs are
# applied (the test kernel has CONFIG_IOMMUFD_TEST). The ones for a real device get the
# guest's edu for their device (sed: the device: line), and are applied where QEMU's VT-d and
# a 1 GiB guest can take them (the sizes cut to what the guest has, each test says which),
# or --check'ed where the shape cannot, with the refusal that names the register field
# (QEMU's intel-iommu has no nesting: ecap_reg.NEST). Offline, every example is checked
# in tests/bats/apply.bats too.

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
    T=$BATS_TEST_TMPDIR
    IOMMUCTL_STATE_DIR=$T/state
    export IOMMUCTL_STATE_DIR
    MOCKS0=$(mocks)
}

mocks() { find /sys/bus/iommufd_mock/devices -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

need_mock() {
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd selftest (CONFIG_IOMMUFD_TEST)"
    [ -n "$(compgen -G '/sys/class/iommu/iommufd_selftest_iommu*')" ] ||
        fail "the test kernel has no selftest IOMMU unit: harness broken"
}

need_edu() {
    [ "$VM_SHAPE" = intel ] || skip "the real-device examples are run on shape intel (QEMU's VT-d)"
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd (CONFIG_IOMMUFD is off)"
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
}

# on_edu NAME [SED...]: examples/NAME with its device the guest's edu (and the sed
# expressions given), as $T/NAME
on_edu() {
    local name=$1 e=(-e "s/device: 0000:[0-9a-f]*:[0-9a-f]*\.[0-9]/device: $EDU/")
    shift
    for s in "$@"; do e+=(-e "$s"); done
    sed "${e[@]}" "$EX/$name" >"$T/$name"
    grep -q "device: $EDU" "$T/$name" || fail "$name: no device: line to give the edu"
}

# nothing left: no holder, no more mock devices than before the test
nothing_left() {
    run "$IOMMUCTL" held list
    assert_output "No holders."
    [ "$(mocks)" = "$MOCKS0" ] || fail "mock devices left behind: $(mocks), were $MOCKS0"
}

@test "every file of examples/ has its test here" {
    local f
    for f in "$EX"/*.yaml; do
        grep -qF "$(basename "$f")" "$BATS_TEST_FILENAME" ||
            fail "examples/$(basename "$f") has no test in tests/bats/vm/examples.bats"
    done
}

@test "selftest-mock.yaml: applied on the mock; the kernel reads every mapping back (MD_CHECK_MAP)" {
    need_mock
    run --separate-stderr "$IOMMUCTL" apply "$EX/selftest-mock.yaml"
    echo "# $stderr" >&3
    assert_success
    assert_line "Verified: 4 mappings read back from the mock's page tables (IOMMU_TEST_OP_MD_CHECK_MAP)"
    assert_line "Result: applied, and undone now (--hold or -- COMMAND keeps it)"
    nothing_left
}

@test "selftest-replace.yaml: applied on the mock, the replaces last; undone" {
    need_mock
    run --separate-stderr "$IOMMUCTL" apply "$EX/selftest-replace.yaml"
    echo "# $stderr" >&3
    assert_success
    assert_line --regexp "^ *12\. replace the attach of device 'm0' at PASID 0x200 with hwpt 'pb' \(IOMMU_TEST_OP_PASID_REPLACE\): #[0-9]+$"
    assert_line "Result: applied, and undone now (--hold or -- COMMAND keeps it)"
    nothing_left
}

@test "vmm-guest-ram.yaml on edu: as is, --check refuses only its missing firmware file; applied with the guest RAM cut to fit" {
    need_edu
    on_edu "vmm-guest-ram.yaml"
    run --separate-stderr "$IOMMUCTL" apply --check "$T/vmm-guest-ram.yaml"
    echo "# $output $stderr" >&3
    assert_failure
    assert_line --partial "/var/lib/vm/fw.img"
    assert_line --partial ": 1 error, 0 warnings"
    # 3 GiB of RAM do not fit a 1 GiB guest: 32M and 16M; the firmware a file on tmpfs
    head -c 4194304 /dev/zero >/dev/shm/iommuctl-fw.img
    on_edu "vmm-guest-ram.yaml" 's/size: 2G/size: 32M/; s/size: 1G/size: 16M/' 's|/var/lib/vm/fw.img|/dev/shm/iommuctl-fw.img|'
    run --separate-stderr "$IOMMUCTL" apply "$T/vmm-guest-ram.yaml"
    echo "# $output $stderr" >&3
    rm -f /dev/shm/iommuctl-fw.img
    assert_success
    assert_line --regexp "attach device 'nvme0' to hwpt 'ram' \(VFIO_DEVICE_ATTACH_IOMMUFD_PT\): #[0-9]+$"
    assert_line "Result: applied, and undone now (--hold or -- COMMAND keeps it)"
    nothing_left
}

@test "dpdk.yaml on edu: as is, --check is clean; applied with the 1G huge page of mbufs in 2M pages" {
    need_edu
    on_edu "dpdk.yaml"
    run --separate-stderr "$IOMMUCTL" apply --check "$T/dpdk.yaml"
    echo "# $output $stderr" >&3
    assert_success
    local old
    old=$(cat /proc/sys/vm/nr_hugepages)
    echo $((old + 4)) >/proc/sys/vm/nr_hugepages
    [ "$(cat /proc/sys/vm/nr_hugepages)" -ge $((old + 4)) ] || {
        echo "$old" >/proc/sys/vm/nr_hugepages
        skip "no four 2 MiB huge pages free in this guest"
    }
    on_edu "dpdk.yaml" 's/size: 1G, memory: hugetlb-1G/size: 4M, memory: hugetlb-2M/'
    run --separate-stderr "$IOMMUCTL" apply "$T/dpdk.yaml"
    echo "# $output $stderr" >&3
    echo "$old" >/proc/sys/vm/nr_hugepages
    assert_success
    assert_line --regexp "attach device 'nic' to ioas 'dpdk' \(VFIO_DEVICE_ATTACH_IOMMUFD_PT\): #[0-9]+$"
    assert_line "Result: applied, and undone now (--hold or -- COMMAND keeps it)"
    nothing_left
}

# refused NAME: --check of examples/NAME on edu exits 3, naming QEMU's missing nesting
refused() {
    on_edu "$1"
    run --separate-stderr "$IOMMUCTL" apply --check "$T/$1"
    echo "# $output $stderr" >&3
    assert_failure 3
    assert_line --regexp "^$T/$1:[0-9]+:[0-9]+: error: hwpts\[0\]\.flags\[0\]: nest-parent: the IOMMU of [a-z0-9]+ \(dmar[0-9]+, intel-vtd\) cannot be a nesting parent: ecap_reg\.NEST \(bit 26\) = 0$"
    assert_line --partial "not supported on this system"
}

@test "intel-nested.yaml and nested-page-tables.yaml on edu: refused by --check, naming ecap_reg.NEST and FLTS" {
    need_edu
    local f
    for f in "intel-nested.yaml" "nested-page-tables.yaml"; do
        refused "$f"
        assert_line --partial "walks no nested stage-1 table: ecap_reg.FLTS (bit 47) = 0"
    done
}

@test "amd-guest.yaml and amd-guest-table.yaml on edu: refused by --check, naming ecap_reg.NEST and the hw_info type" {
    need_edu
    local f
    for f in "amd-guest.yaml" "amd-guest-table.yaml"; do
        refused "$f"
        assert_line --partial "amd-guest data is for amd-vi IOMMUs"
    done
}

@test "smmuv3-nested.yaml and smmuv3-nested-table.yaml on edu: refused by --check, naming ecap_reg.NEST and the MSI window" {
    need_edu
    local f
    for f in "smmuv3-nested.yaml" "smmuv3-nested-table.yaml"; do
        refused "$f"
        assert_line --partial "arm-smmuv3 data is for arm-smmu-v3 IOMMUs"
        assert_line --partial "overlaps the msi region 0xfee00000-0xfeefffff"
    done
}
