# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the host suites: the binary under test, fixtures, golden files.
bats_require_minimum_version 1.5.0
# bats' per-command DEBUG trap, replaced by a record of the stack at a failure (first, so
# that it does not run for the files below either)
# shellcheck source=tests/bats/fast-trace.bash
source "${BASH_SOURCE[0]%/*}/fast-trace.bash"
# bats-support, bats-assert, bats-file: their load.bash files fork a dirname for every file
# they source (38 ms of CPU a test, 4,000 tests a make check); their src/ files directly.
for _f in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash \
	/usr/lib/bats/bats-file/src/*.bash; do
	# shellcheck source=/dev/null
	source "$_f"
done
unset _f

# the clone: this file is its tests/bats/helpers.bash (no subshell: this runs for every test)
ROOT=${BASH_SOURCE[0]%/tests/bats/helpers.bash}
[[ $ROOT == /* && -d $ROOT/tests/bats ]] || ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
IOMMUCTL=${IOMMUCTL:-$ROOT/build/iommuctl}
FIX=$ROOT/tests/fixtures
GOLDEN=$ROOT/tests/golden
# Every fixture the suites replay; each must exist (a missing one fails, it does not skip).
FIXTURES=(intel-server amd-desktop arm64-smmuv3 arm64-smmuv3-dt virtio-guest no-iommu)
# Captures (capture-sysfs version 2) of the VM harness's shapes, for the verdicts of doctor
# (tests/fixtures/regen/vm-capture.sh); only doctor.bats and capture.bats replay them.
DOCTOR_FIXTURES=(intel-vm intel-no-dmar intel-iommu-pt intel-intremap-off)

ictl() { "$IOMMUCTL" "$@"; }

# group_of FIXTURE DEVICE: the device's group number, read from the capture itself.
group_of() {
	basename "$(readlink "$FIX/$1/sys/bus/pci/devices/$2/iommu_group")"
}

# golden FIXTURE NAME ARGS...: stdout of `iommuctl --sysroot FIXTURE ARGS` equals golden/FIXTURE/NAME,
# with nothing on stderr.  tests/update-golden rewrites them after a deliberate change.
golden() {
	local fixture=$1 name=$2
	shift 2
	assert_dir_exists "$FIX/$fixture/sys"
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/$fixture" "$@"
	assert_success
	assert_equal "$stderr" ""
	diff -u "$GOLDEN/$fixture/$name" <(printf '%s\n' "$output")
}

# jq_true FILTER: the jq filter, applied to $output, must yield true ($output is left alone).
jq_true() {
	local filter=$1
	jq -e "$filter" <<<"$output" >/dev/null && return 0
	echo "jq filter failed: $filter" >&2
	echo "$output" | head -40 >&2
	return 1
}

# Binary blobs of register values (decode.bats, apply.bats).
# le VALUE BYTES: VALUE as BYTES little-endian bytes, in printf escapes.
le() {
	local v=$(($1)) n=$2 i
	for ((i = 0; i < n; i++)); do
		printf '\\x%02x' $(((v >> (8 * i)) & 0xff))
	done
}

# blob FILE VALUE BYTES [VALUE BYTES...]: write the fields one after another.
blob() {
	local f=$1 fmt=
	shift
	while (($#)); do
		fmt+=$(le "$1" "$2")
		shift 2
	done
	# shellcheck disable=SC2059 # the escapes are the format
	printf "$fmt" >"$f"
}
