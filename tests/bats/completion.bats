#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
load helpers

# The scripts call iommuctl by name.
iommuctl() { "$IOMMUCTL" "$@"; }

@test "completion: the committed scripts are what the binary generates" {
	diff -u "$ROOT/completions/iommuctl.bash" <(ictl completion bash)
	diff -u "$ROOT/completions/_iommuctl" <(ictl completion zsh)
}

@test "completion bash: completes commands, options and columns" {
	source "$ROOT/completions/iommuctl.bash"
	COMP_WORDS=(iommuctl gr); COMP_CWORD=1; _iommuctl
	assert_equal "${COMPREPLY[*]}" "groups"
	COMP_WORDS=(iommuctl groups --tr); COMP_CWORD=2; _iommuctl
	assert_equal "${COMPREPLY[*]}" "--tree"
	COMP_WORDS=(iommuctl --json devices -o VF); COMP_CWORD=4; _iommuctl
	assert_equal "${COMPREPLY[*]}" "VFIO"
	COMP_WORDS=(iommuctl completion ""); COMP_CWORD=2; _iommuctl
	assert_equal "${COMPREPLY[*]}" "bash zsh"
}

@test "completion bash: every option of every command is offered" {
	source "$ROOT/completions/iommuctl.bash"
	for c in $(ictl --list-cmds); do
		COMP_WORDS=(iommuctl "$c" --); COMP_CWORD=2; _iommuctl
		for o in $(ictl "$c" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
			[[ " ${COMPREPLY[*]} " == *" $o "* ]] || { echo "$c: $o not completed"; return 1; }
		done
	done
}

@test "completion zsh: the script parses" {
	command -v zsh >/dev/null || skip "zsh is not installed: the syntax check needs it"
	zsh -n "$ROOT/completions/_iommuctl"
}

@test "completion: an unknown shell is a usage error" {
	run ictl completion fish
	assert_failure 2
	assert_output --partial "give bash or zsh"
}
