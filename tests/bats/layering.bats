#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The dependency graph of src/ (tests/layering) on the objects of the build under test:
# no #include cycle, no symbol cycle (an object using a symbol of another that uses one of
# its own, directly or around a longer loop), and src/lib includes nothing above it.
load helpers

setup() {
	# build/obj/src for build/iommuctl, build/asan/obj/src for the ASan build
	OBJ=$(dirname "$IOMMUCTL")/obj/src
	assert_dir_exists "$OBJ/lib"
}

# finished: the check ran to its summary line (a crash prints none)
finished() {
	[ "$status" -le 1 ] || fail "tests/layering exited $status"
	assert_line --regexp '^layering: '
}

@test "the check finds an include cycle, a symbol cycle and a lib file that includes a vendor header" {
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/src/lib" "$t/src/vendors" "$t/obj/lib"
	printf '#include "b.h"\nint a(void);\nint a(void) { return 1; }\nint c(void);\nint c(void) { return b(); }\n' >"$t/src/lib/a.c"
	printf '#include "a.h"\nint b(void);\nint b(void) { return a(); }\n' >"$t/src/lib/b.c"
	echo 'int a(void);' >"$t/src/lib/a.h"
	echo 'int b(void);' >"$t/src/lib/b.h"
	printf '#include "../vendors/v.h"\nint v(void) { return 0; }\n' >"$t/src/lib/v.c"
	: >"$t/src/vendors/v.h"
	for f in a b v; do cc -c -o "$t/obj/lib/$f.o" "$t/src/lib/$f.c"; done
	run "$ROOT/tests/layering" --src "$t/src" --obj "$t/obj"
	assert_failure 1
	assert_line 'layering: src/lib/v.c includes "../vendors/v.h" (src/vendors/v.h): src/lib must not include src/vendors, src/cli or src/cmds'
	assert_line 'include cycle: lib/a -> lib/b (lib/a.c:#include"b.h") -> lib/a (lib/b.c:#include"a.h")'
	assert_line 'symbol cycle: lib/a.o -> lib/b.o (b) -> lib/a.o (a)'
	assert_line --partial 'layering: 3 problem(s)'
	# the same code, arrows one way: b no longer calls back into a
	printf 'int b(void);\nint b(void) { return 2; }\n' >"$t/src/lib/b.c"
	rm "$t/src/lib/v.c" "$t/obj/lib/v.o"
	cc -c -o "$t/obj/lib/b.o" "$t/src/lib/b.c"
	run "$ROOT/tests/layering" --src "$t/src" --obj "$t/obj"
	assert_success
	assert_output --partial "layering: no cycle among"
}

@test "src/lib: no include cycle and no symbol cycle among the library's modules" {
	run "$ROOT/tests/layering" --obj "$OBJ" lib
	finished
	refute_line --partial ' cycle: '
}

@test "src/lib includes nothing from src/vendors, src/cli or src/cmds" {
	run "$ROOT/tests/layering" --obj "$OBJ" lib
	finished
	refute_line --partial 'src/lib must not include'
}

@test "no include cycle and no symbol cycle anywhere in src/" {
	run "$ROOT/tests/layering" --obj "$OBJ"
	assert_success
}

@test "the bottom of the iommufd layer (iommufd.c) includes and calls nothing of ownership or the session" {
	run grep -E '^#include "' "$ROOT/src/lib/iommufd.c"
	assert_success
	refute_output --regexp 'owner|hold|handoff|session|iommufd-internal'
	# symbols: what iommufd.o leaves undefined is defined only below it
	local o=$OBJ/lib/iommufd.o s
	for s in $(nm -u "$o" | awk '{print $2}' | grep '^ictl_\|^iofd_\|^holders_\|^own_'); do
		case $s in
		ictl_err | ictl_err_kernel | ictl_device_read | ictl_device_clear | ictl_parse_* | sysfs_* | \
			str_copy | path_fmt) ;;
		*) fail "iommufd.o uses $s, which is above it" ;;
		esac
	done
}
