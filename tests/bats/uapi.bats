#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Our uAPI definitions (src/lib/uapi/*.h) against the kernel's own headers, taken from the
# linux-source .deb the VM harness builds its kernel from (tests/uapi/check-uapi), and proof
# that the check catches a difference: each test changes one fact in a copy of our header
# and the generated checker must then fail to compile, naming that fact.

setup_file() {
    load helpers
    KDIR=$ROOT/build/tests/uapi/kernel
    KH_RC=0
    KH_ERR=$("$ROOT/tests/uapi/kernel-headers" "$KDIR" 2>&1) || KH_RC=$?
    export KDIR KH_RC KH_ERR
}

setup() {
    load helpers
    [ "$KH_RC" != 2 ] || skip "the kernel's headers cannot be had: $KH_ERR"
    [ "$KH_RC" = 0 ] || fail "tests/uapi/kernel-headers failed ($KH_RC): $KH_ERR"
    OURS=$BATS_TEST_TMPDIR/ours
    mkdir -p "$OURS"
    cp -r "$ROOT/src/lib/uapi" "$OURS/"
}

# mutate FILE SED-EXPR: change our copy; the sed expression must match
mutate() {
    local f=$OURS/uapi/$1
    cp "$f" "$f.orig"
    sed -i "$2" "$f"
    ! cmp -s "$f" "$f.orig" || fail "the mutation '$2' matched nothing in $1"
}

check() { run "$ROOT/tests/uapi/check-uapi" -k "$KDIR" -o "$OURS" "$BATS_TEST_TMPDIR/work"; }

@test "every iommufd, VFIO and selftest definition of ours equals the kernel's" {
    run "$ROOT/tests/uapi/check-uapi" -k "$KDIR" "$BATS_TEST_TMPDIR/work"
    assert_success
    # 7.3 has 22 iommufd commands; every constant and struct field gets its assertions
    assert_output --regexp '^uapi: [0-9]+ constants, [0-9]+ structs, [0-9]+ assertions: equal$'
    local n
    n=$(grep -c '^CONST(IOMMU_[A-Z_]*)$' "$BATS_TEST_TMPDIR/work/check-uapi.c")
    [ "$n" -ge 22 ] || fail "only $n IOMMU_ constants checked"
}

@test "control: an unchanged copy of our headers passes" {
    check
    assert_success
}

@test "a field of another size fails: ioas_alloc.out_ioas_id as 64 bits" {
    mutate iommufd.h '/struct ictl_iommu_ioas_alloc {/,/};/s/uint32_t out_ioas_id/uint64_t out_ioas_id/'
    check
    assert_failure
    assert_output --partial 'static assertion failed: "size of iommu_ioas_alloc.out_ioas_id"'
}

@test "two fields swapped fail: ioas_unmap.iova and length" {
    mutate iommufd.h '/struct ictl_iommu_ioas_unmap {/,/};/{s/ICTL_ALIGNED_U64 iova;/ICTL_ALIGNED_U64 TMP;/;s/ICTL_ALIGNED_U64 length;/ICTL_ALIGNED_U64 iova;/;s/ICTL_ALIGNED_U64 TMP;/ICTL_ALIGNED_U64 length;/}'
    check
    assert_failure
    assert_output --partial 'static assertion failed: "offset of iommu_ioas_unmap.iova"'
}

@test "a wrong ioctl number fails: IOAS_MAP numbered as UNMAP" {
    mutate iommufd.h 's/ICTL_IOMMUFD_CMD_IOAS_MAP = 0x85/ICTL_IOMMUFD_CMD_IOAS_MAP = 0x86/'
    check
    assert_failure
    assert_output --partial 'static assertion failed: "value of IOMMU_IOAS_MAP"'
}

@test "a wrong flag fails: HWPT_ALLOC_NEST_PARENT" {
    mutate iommufd.h 's/ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0/ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 4/'
    check
    assert_failure
    assert_output --partial 'static assertion failed: "value of IOMMU_HWPT_ALLOC_NEST_PARENT"'
}

@test "a wrong signedness fails: map_file.fd unsigned" {
    mutate iommufd.h '/struct ictl_iommu_ioas_map_file {/,/};/s/int32_t fd;/uint32_t fd;/'
    check
    assert_failure
    assert_output --partial 'static assertion failed: "signedness of iommu_ioas_map_file.fd"'
}

@test "a wrong VFIO definition fails: bind_iommufd without its 8-byte alignment" {
    mutate vfio.h 's/uint64_t token_uuid_ptr __attribute__((aligned(8)));/uint32_t token_uuid_ptr;/'
    check
    assert_failure
    assert_output --partial 'static assertion failed: "alignment of vfio_device_bind_iommufd"'
}

@test "a definition the kernel lacks fails: an invented flag" {
    mutate iommufd.h 's/^\(#define ICTL_MOCK_PASID_WIDTH 20\)$/\1\n#define ICTL_IOMMU_INVENTED 1/'
    check
    assert_failure
    assert_output --partial 'our ICTL_IOMMU_INVENTED has no kernel counterpart IOMMU_INVENTED'
}

@test "a kernel definition we lack fails: IOMMU_IOAS_NOIOMMU_GET_PA removed" {
    mutate iommufd.h '/^#define ICTL_IOMMU_IOAS_NOIOMMU_GET_PA/d'
    check
    assert_failure
    assert_output --partial 'ICTL_IOMMU_IOAS_NOIOMMU_GET_PA'
}

@test "ioas-smoke says clearly when the kernel has no /dev/iommu" {
    [ ! -e /dev/iommu ] || skip "this machine has /dev/iommu (the VM suite covers it)"
    local smoke
    smoke=$(dirname "$IOMMUCTL")/tests/ioas-smoke
    [ -x "$smoke" ] || smoke=$ROOT/build/tests/ioas-smoke # the ASan build has none
    [ -x "$smoke" ] || fail "no $smoke: run make"
    run "$smoke"
    assert_equal "$status" 3
    assert_output --partial "no /dev/iommu: this kernel has no iommufd (CONFIG_IOMMUFD)"
}
