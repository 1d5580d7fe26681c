#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# make install / uninstall honour PREFIX and DESTDIR.
load helpers

@test "make install puts binary, man pages and completions under DESTDIR/PREFIX; uninstall removes them" {
	local D=$BATS_TEST_TMPDIR/dest
	run make -C "$ROOT" -s install DESTDIR="$D" PREFIX=/opt/ictl
	assert_success
	assert_file_executable "$D/opt/ictl/sbin/iommuctl"
	for p in "$ROOT"/man/*.8; do
		assert_file_exists "$D/opt/ictl/share/man/man8/${p##*/}"
	done
	assert_file_exists "$D/opt/ictl/share/bash-completion/completions/iommuctl"
	assert_file_exists "$D/opt/ictl/share/zsh/vendor-completions/_iommuctl"
	run "$D/opt/ictl/sbin/iommuctl" --version
	assert_success
	run make -C "$ROOT" -s uninstall DESTDIR="$D" PREFIX=/opt/ictl
	assert_success
	run find "$D" -type f
	assert_output ""
}

@test "make deps is idempotent: on a set-up machine it installs nothing" {
	run make -C "$ROOT" -s deps
	assert_success
	assert_output --regexp '^deps: all [0-9]+ packages are installed$'
}
