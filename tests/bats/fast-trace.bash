# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where a failed test failed, found when it fails instead of before every command.
#
# bats 1.8 runs a DEBUG trap (bats_debug_trap) before every simple command of a test, its
# helpers included, and records the whole call stack each time, so that a failure can name
# its line. That costs about 0.3 ms a command natively and 10 ms and more in a TCG guest: a
# loop of 12,000 commands took 4.9 s with it and 27 ms without. The stack is only read when
# something failed, and bats' ERR trap runs at the failing command with the same stack in
# BASH_SOURCE, FUNCNAME and BASH_LINENO. So here the DEBUG trap removes itself the first time
# it runs, and the ERR trap records the stack as bats' DEBUG trap would have (bats' own files
# and the libraries under $BATS_ROOT/lib skipped, up to the test function). A failure's report
# is the same: "(in test file F, line N)" and the failed command.
#
# The one difference: a failing teardown is reported without its line (it runs as
# `teardown || status=$?`, where no ERR trap fires). Only for the bats this is written against
# (Debian 12's 1.8.2), and not with --trace, which needs the DEBUG trap.
if [[ ${BATS_VERSION-} == 1.8.* && ${BATS_TRACE_LEVEL:-0} == 0 ]] &&
    declare -F bats_check_status_from_trap >/dev/null; then
    bats_debug_trap() { trap - DEBUG; }

    bats_error_trap() {
        bats_check_status_from_trap # first: it reads $?
        local i src
        BATS_DEBUG_LAST_STACK_TRACE=()
        for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
            src=${BASH_SOURCE[$i]:-$BATS_TEST_SOURCE}
            [[ $src == "$BATS_ROOT"/lib/* || $src == "$BATS_ROOT"/libexec/* ]] && continue
            BATS_DEBUG_LAST_STACK_TRACE+=("${BASH_LINENO[$((i - 1))]} ${FUNCNAME[$i]} $src")
            case ${FUNCNAME[$i]} in
            "${BATS_TEST_NAME-}" | setup | teardown | setup_file | teardown_file) break ;;
            esac
        done
        BATS_DEBUG_LAST_STACK_TRACE_IS_VALID=1
    }
fi
