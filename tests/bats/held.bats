#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# iommuctl held, on the host: what it says when it is not run under apply -- COMMAND, when a
# name was not handed over, when an argument is wrong, and when the fd is no iommufd; the
# state files of holders (held list, --pid): read strictly, damaged, symlinked or FIFO ones
# refused, stale ones reported.  The real work (dirty pages, unmap on the kernel's mock, a
# real holder) is in tests/bats/vm/mock.bats and tests/bats/vm/held.bats.
load helpers

setup() {
	STATE=$(mktemp -d "$BATS_TEST_TMPDIR/state.XXXXXX")
	chmod 700 "$STATE"
	export IOMMUCTL_STATE_DIR=$STATE
	unset IOMMUCTL_OBJECTS IOMMUCTL_MAPPINGS IOMMUCTL_IOMMUFD
}

teardown() {
	[ -z "${SLEEPER:-}" ] || kill "$SLEEPER" 2>/dev/null || true
}

# start_of PID: field 22 of /proc/PID/stat (after the command's name in parentheses)
start_of() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }

# state PID [LINES...]: a state file for PID (its real start time) with the lines given
# after the header, and end
state() {
	local pid=$1 f=$STATE/held-$1.state
	shift
	{
		printf 'iommuctl-held 1\npid %s\nstart %s\niommufd 3\n' "$pid" "$(start_of "$pid")"
		printf '%s\n' "$@" end
	} >"$f"
	chmod 600 "$f"
}

sleeper() {
	sleep 1000 3</dev/null 7>&- &
	SLEEPER=$!
}

@test "held outside apply -- COMMAND, no holder: exit 4, saying where to run it" {
	run --separate-stderr ictl held dirty dirty 0x1000000 2M
	assert_failure 4
	assert_equal "$stderr" "iommuctl: no held set: run under 'iommuctl apply SPEC -- COMMAND', or hold one with 'iommuctl apply SPEC --hold' ('iommuctl held list' shows the holders)"
	IOMMUCTL_OBJECTS="dirty=7" run --separate-stderr ictl held dirty dirty 0x1000000 2M
	assert_failure 2
	[[ $stderr == *"no IOMMUCTL_IOMMUFD: 'held' acts on the iommufd that 'iommuctl apply SPEC -- COMMAND' hands to COMMAND"* ]] ||
		fail "$stderr"
	run --separate-stderr ictl held objects
	assert_failure 4
}

@test "held: a name not handed over exits 4; bad sizes and alignment exit 2" {
	export IOMMUCTL_OBJECTS="ram=1 dirty=7" IOMMUCTL_MAPPINGS="buf=0x1000000"
	run --separate-stderr ictl held dirty nosuch buf 2M
	assert_failure 4
	[[ $stderr == *"no hwpt 'nosuch' in IOMMUCTL_OBJECTS"* ]] || fail "$stderr"
	run --separate-stderr ictl held unmap ram nosuch 4K
	assert_failure 2
	[[ $stderr == *"'nosuch' is neither a number nor a mapping of IOMMUCTL_MAPPINGS"* ]] || fail "$stderr"
	exec 9</dev/null
	IOMMUCTL_IOMMUFD=9 run --separate-stderr ictl held dirty dirty buf 2M --page-size 3K
	assert_failure 2
	[[ $stderr == *"page size 0xc00: give a power of two of at least 4K"* ]] || fail "$stderr"
	IOMMUCTL_IOMMUFD=9 run --separate-stderr ictl held dirty dirty 0x1000800 2M
	assert_failure 2
	[[ $stderr == *"give a range aligned to the page size"* ]] || fail "$stderr"
}

@test "held: an fd that is no iommufd: the kernel's answer, naming the ioctl, no crash" {
	export IOMMUCTL_OBJECTS="ram=1 dirty=7" IOMMUCTL_MAPPINGS="buf=0x1000000"
	exec 9</dev/null
	IOMMUCTL_IOMMUFD=9 run --separate-stderr ictl held dirty dirty buf 2M
	assert_failure
	[ "$status" -lt 128 ] || fail "killed by a signal: $status"
	[[ $stderr == *"IOMMU_HWPT_GET_DIRTY_BITMAP"* ]] || fail "$stderr"
	IOMMUCTL_IOMMUFD=9 run --separate-stderr ictl --json held unmap ram buf 4K
	assert_failure
	[ "$status" -lt 128 ] || fail "killed by a signal: $status"
	jq -e '.error.message | test("IOMMU_IOAS_UNMAP")' <<<"$output"
}

@test "held objects: the names handed over, in text and JSON" {
	export IOMMUCTL_OBJECTS="m0=3 guest-ram=1 s2=6" IOMMUCTL_MAPPINGS="buf=0x1000000 scratch=0x1200000"
	run ictl held objects
	assert_success
	assert_line --regexp '^object +guest-ram +1$'
	assert_line --regexp '^mapping +scratch +0x1200000$'
	run ictl --json held objects
	assert_success
	assert_equal "$(jq -c '[.objects.s2, .mappings.buf]' <<<"$output")" '[6,"0x1000000"]'
}

@test "held list: holders, stale ones and damaged files; nothing there: 'No holders.'" {
	run ictl held list
	assert_success
	assert_output "No holders."
	sleeper
	state "$SLEEPER" "object ioas ram 1 - 0x0 -" "mapping buf 1 0x1000000 0x200000"
	# a holder that is gone: its pid is free again, or its start time differs
	sleep 1 & dead=$!
	state "$dead" "object ioas ram 1 - 0x0 -"
	wait "$dead"
	printf 'junk\n' >"$STATE/held-77.state"
	chmod 600 "$STATE/held-77.state"
	run ictl held list
	assert_success
	assert_line --regexp "^$SLEEPER +holding +1 +1  -\$"
	assert_line --regexp "^$dead +stale +1 +0  the holder is gone: 'iommuctl recover' removes it\$"
	assert_line --partial "held-77.state:1: header: not an iommuctl-held state file"
	run ictl --json held list
	assert_success
	jq_true ".holders | length == 3"
	jq_true "(.holders[] | select(.pid == $SLEEPER) | .state) == \"holding\""
	jq_true "(.holders[] | select(.pid == $dead) | .state) == \"stale\""
	jq_true "(.holders[] | select(.pid == 77) | .problem) | test(\"held-77.state:1\")"
}

@test "held --pid: the holder's objects and mappings by name; the one holder without --pid" {
	sleeper
	state "$SLEEPER" "object ioas guest-ram 1 - 0x0 -" "object hwpt_paging s2 6 - 0x0 -" \
		"object veventq ev0 9 7 0xbeefbeef -" "object hwpt_paging - 10 - 0x0 -" "mapping buf 1 0x1000000 0x200000"
	run --separate-stderr ictl held objects --pid "$SLEEPER"
	assert_success
	assert_line --regexp '^object +guest-ram +1$'
	assert_line --regexp '^object +ev0 +9$'
	assert_line --regexp '^mapping +buf +0x1000000$'
	run ictl --json held objects
	assert_success
	jq_true ".holder.pid == $SLEEPER and .holder.iommufd == 3 and .objects.s2 == 6"
	# --pid before the command goes to the command
	run ictl --json held --pid "$SLEEPER" objects
	assert_success
	jq_true ".holder.pid == $SLEEPER"
	run --separate-stderr ictl held --pid 999999 objects
	assert_failure 4
	jq_true '[.holder.objects[] | select(.kind == "veventq") | .fd] == [7]'
	jq_true '[.holder.objects[] | select(.name == null) | .id] == [10]'
	# a name not in the set: exit 4, naming the holder
	run --separate-stderr ictl held unmap nosuch buf 4K
	assert_failure 4
	[[ $stderr == *"no ioas 'nosuch' in the set of holder $SLEEPER"* ]] || fail "$stderr"
	run --separate-stderr ictl held unmap guest-ram nosuch 4K
	assert_failure 2
	[[ $stderr == *"'nosuch' is neither a number nor a mapping of holder $SLEEPER"* ]] || fail "$stderr"
	# the holder's fd 3 is not an iommufd (a sleep has none): the state file is wrong
	run --separate-stderr ictl held unmap guest-ram buf 4K
	assert_failure
	[ "$status" -lt 128 ] || fail "killed by a signal: $status"
	assert_equal "$stderr" "iommuctl: fd 3 of holder $SLEEPER (its iommufd in held-$SLEEPER.state) is not /dev/iommu (this system has none): the state file is wrong"
}

@test "held: several holders need --pid; a stale one says recover; --pid is a pid" {
	sleeper
	one=$SLEEPER
	state "$one" "object ioas a 1 - 0x0 -"
	sleep 1000 & two=$!
	state "$two" "object ioas b 1 - 0x0 -"
	run --separate-stderr ictl held objects
	kill "$two"
	assert_failure 2
	[[ $stderr == *"2 holders (pids "*"$one"*"$two"*"): give --pid PID" ]] || fail "$stderr"
	wait "$two" || true
	run --separate-stderr ictl held objects --pid "$two"
	assert_failure 4
	assert_equal "$stderr" "iommuctl: holder $two is gone (held-$two.state is stale): 'iommuctl recover' removes it"
	run --separate-stderr ictl held objects --pid 4x
	assert_failure 2
	[[ $stderr == *"--pid 4x: give the pid of a holder"* ]] || fail "$stderr"
	run --separate-stderr ictl held objects --pid 999999
	assert_failure 4
	assert_equal "$stderr" "iommuctl: no holder with pid 999999 (no held-999999.state): 'iommuctl held list' shows the holders"
}

@test "held --pid: damaged, symlinked, FIFO, foreign state files and an open state directory are refused" {
	sleeper
	p=$SLEEPER
	f=$STATE/held-$p.state
	state "$p" "object ioas ram 1 - 0x0 -" "object veventq q 2 - 0x0 -"
	run --separate-stderr ictl held objects --pid "$p"
	assert_failure 1
	assert_equal "$stderr" "iommuctl: held-$p.state:6: fd: a veventq has an fd: '-' is not one"
	state "$p" "object ioas ram 1 - 0x0 -"
	sed -i 's/^iommuctl-held 1$/iommuctl-held 7/' "$f"
	run --separate-stderr ictl held objects --pid "$p"
	assert_failure 1
	assert_equal "$stderr" "iommuctl: held-$p.state:1: version: 7 is not known to this iommuctl (it reads version 1)"
	state "$p" "object ioas ram 1 - 0x0 -"
	mv "$f" "$STATE/real"
	ln -s real "$f"
	run --separate-stderr ictl held objects --pid "$p"
	assert_failure 5
	[[ $stderr == *"held-$p.state: a symbolic link: refused"* ]] || fail "$stderr"
	rm "$f"
	mkfifo -m 600 "$f"
	run --separate-stderr timeout 10 "$IOMMUCTL" held objects --pid "$p"
	assert_failure 5
	[[ $stderr == *"held-$p.state: not a regular file: refused"* ]] || fail "$stderr"
	rm "$f"
	state "$p" "object ioas ram 1 - 0x0 -"
	chmod 644 "$f" && chmod g+w "$f"
	run --separate-stderr ictl held objects --pid "$p"
	assert_failure 5
	[[ $stderr == *"writable by others"* ]] || fail "$stderr"
	chmod 600 "$f"
	head -c 300000 /dev/zero | tr '\0' 'x' >>"$f"
	run --separate-stderr ictl held objects --pid "$p"
	assert_failure 1
	[[ $stderr == *"bytes: a state file has at most 262144"* ]] || fail "$stderr"
	state "$p" "object ioas ram 1 - 0x0 -"
	chmod 777 "$STATE"
	run --separate-stderr ictl held objects --pid "$p"
	assert_failure 5
	[[ $stderr == *"state directory $STATE is writable by group or others (mode 0777): refusing to use it (chmod go-w it)"* ]] ||
		fail "$stderr"
}

@test "recover: the state file of a holder that is gone goes; a running holder's and a damaged one stay" {
	[ "$(id -u)" = 0 ] || skip "recover on the live system needs root"
	sleeper
	state "$SLEEPER" "object ioas ram 1 - 0x0 -"
	sleep 1 & dead=$!
	state "$dead" "object ioas ram 1 - 0x0 -"
	wait "$dead"
	printf 'junk\n' >"$STATE/held-77.state"
	chmod 600 "$STATE/held-77.state"
	run --separate-stderr ictl recover
	assert_success
	assert_output "Held set of pid $dead (gone): state file removed"
	assert_file_not_exists "$STATE/held-$dead.state"
	assert_file_exists "$STATE/held-$SLEEPER.state"
	assert_file_exists "$STATE/held-77.state"
	run ictl --json recover
	assert_success
	jq_true '.recovered == [] and .held == [] and .error == null'
	run ictl recover
	assert_output "Nothing to recover."
}

@test "held events and respond: argument rules, checked before anything is opened" {
	run --separate-stderr ictl held respond f0 --cookie 1
	assert_failure 2
	assert_equal "$stderr" "iommuctl: held respond needs --cookie N and --code success|invalid"
	run --separate-stderr ictl held respond f0 --cookie 1 --code failure
	assert_failure 2
	[[ $stderr == *"--code failure: the iommufd uAPI answers a fault with success or invalid only"* ]] || fail "$stderr"
	run --separate-stderr ictl held respond f0 --cookie x --code success
	assert_failure 2
	run --separate-stderr ictl held events q0 --count 0
	assert_failure 2
	run --separate-stderr ictl held events q0 --timeout 3601
	assert_failure 2
	[[ $stderr == *"--timeout 3601: give a number up to 3600"* ]] || fail "$stderr"
	sleeper
	state "$SLEEPER" "object ioas ram 1 - 0x0 -" "object veventq q0 2 7 0xbeefbeef -"
	run --separate-stderr ictl held events ram
	assert_failure 2
	assert_equal "$stderr" "iommuctl: 'ram' is a ioas: give a fault_queue or a veventq"
	run --separate-stderr ictl held events nosuch
	assert_failure 4
	# the holder (a sleep) has no fd 7: its state file is wrong
	run --separate-stderr ictl held events q0 --timeout 0
	assert_failure 1
	assert_equal "$stderr" "iommuctl: holder $SLEEPER has no fd 7: held-$SLEEPER.state is wrong"
	run --separate-stderr ictl held respond q0 --cookie 1 --code success
	assert_failure
}

# queue_doc NAME KIND TYPE: an IOMMUCTL_OBJECTS_JSON naming one queue
queue_doc() {
	printf '{"objects": {"%s": {"kind": "%s", "id": 5, "type": %s}}}\n' "$1" "$2" "$3" \
		>"$BATS_TEST_TMPDIR/objects.json"
	export IOMMUCTL_OBJECTS_JSON=$BATS_TEST_TMPDIR/objects.json
}

@test "held events inside apply -- COMMAND: vEVENT and fault records decoded, text and JSON" {
	# the records as the kernel writes them: a header (flags, sequence), then the selftest's
	# virt_id; a lost-events header has no data
	printf '\0\0\0\0\0\0\0\0\x10\0\0\0\1\0\0\0\1\0\0\0\0\0\0\0\2\0\0\0\x20\0\0\0' >"$BATS_TEST_TMPDIR/vev"
	queue_doc q0 veventq 3203383023
	export IOMMUCTL_FDS="f0=8 q0=9" IOMMUCTL_OBJECTS="q0=5"
	exec 9<"$BATS_TEST_TMPDIR/vev"
	run --separate-stderr ictl held events q0 --count 3 --timeout 1
	assert_success
	assert_equal "$output" "veventq q0 #5 (type 0xbeefbeef): 3 events
  seq 0: virt_id 0x10
  seq 1: events were lost before this one (the queue was full)
  seq 2: virt_id 0x20"
	exec 9<"$BATS_TEST_TMPDIR/vev"
	run ictl --json held events q0 --count 3 --timeout 1
	assert_success
	jq_true '.events.records == [{"sequence": 0, "lost_events": false, "virt_id": "0x10"},
		{"sequence": 1, "lost_events": true}, {"sequence": 2, "lost_events": false, "virt_id": "0x20"}]'
	# more asked for than there is: what there is, and exit 1 saying so
	exec 9<"$BATS_TEST_TMPDIR/vev"
	run --separate-stderr ictl held events q0 --count 5 --timeout 0
	assert_failure 1
	assert_line "  seq 2: virt_id 0x20"
	[[ $stderr == *"3 of 5 events in 0 ms: the time ran out"* ]] || fail "$stderr"
	# a fault: flags (PASID valid, last page), dev_id 2, pasid 0x100, group 7, perm rw,
	# reserved, addr 0x1000000, length 4096, cookie 9
	printf '\3\0\0\0\2\0\0\0\0\1\0\0\7\0\0\0\3\0\0\0\0\0\0\0\0\0\0\1\0\0\0\0\0\x10\0\0\x09\0\0\0' \
		>"$BATS_TEST_TMPDIR/pf"
	queue_doc f0 fault_queue null
	exec 8<"$BATS_TEST_TMPDIR/pf"
	run --separate-stderr ictl held events f0 --timeout 0
	assert_success
	assert_equal "$output" "fault_queue f0 #5: 1 fault
  cookie 9: dev_id 2 addr 0x1000000 pasid 0x100 group 7 perm rw-- last-page"
	queue_doc q0 ioas null
	run --separate-stderr ictl held events q0
	assert_failure 2
	unset IOMMUCTL_OBJECTS_JSON
	run --separate-stderr ictl held events q0
	assert_failure 2
	[[ $stderr == *"its kind and type are in IOMMUCTL_OBJECTS_JSON"* ]] || fail "$stderr"
	run --separate-stderr ictl held events nosuch
	assert_failure 4
	assert_equal "$stderr" "iommuctl: no queue 'nosuch' in IOMMUCTL_FDS (the event queues apply handed over, by name)"
}

@test "held invalidate: the type follows the target; entries are checked before anything is opened" {
	sleeper
	state "$SLEEPER" "object ioas ram 1 - 0x0 -" "object hwpt_paging s2 2 - 0x0 -" \
		"object hwpt_nested s1 3 - 0xdead -" "object viommu v0 4 - 0xdeadbeef -" \
		"object hwpt_nested v1 5 - 0x1 -"
	run --separate-stderr ictl held invalidate s1 iotlb=4
	assert_failure 2
	assert_equal "$stderr" "iommuctl: invalidation entry 1 'iotlb=4': the mock's IOTLB entries are 0 to 3"
	run --separate-stderr ictl held invalidate v0 iotlb=1
	assert_failure 2
	[[ $stderr == *"entry 1 'iotlb=1': give 'vdev=VIRT_ID,cache=N' or 'vdev=VIRT_ID,all'"* ]] || fail "$stderr"
	run --separate-stderr ictl held invalidate v1 all addr=0x1001,npages=1
	assert_failure 2
	assert_equal "$stderr" "iommuctl: invalidation entry 2 'addr=0x1001,npages=1': addr must be 4 KiB aligned"
	run --separate-stderr ictl held invalidate s2 all
	assert_failure 3
	[[ $stderr == *"'s2' is a hwpt_paging of type 0: nothing this iommuctl invalidates"* ]] || fail "$stderr"
	run --separate-stderr ictl held invalidate s1 all --type vtd
	assert_failure 2
	run --separate-stderr ictl held invalidate nosuch all
	assert_failure 4
	# the entries are good: then the holder's iommufd is taken (a sleep has none)
	run --separate-stderr ictl held invalidate s2 all --type selftest
	assert_failure 1
	[[ $stderr == *"is not /dev/iommu"* ]] || fail "$stderr"
}

@test "held: a holder that died but was not reaped yet (a zombie) is gone too" {
	# the zombie: a child of a shell that does not wait for it
	bash -c 'sleep 0.2 & echo $! >"$1"; exec sleep 1000' _ "$BATS_TEST_TMPDIR/zpid" 3</dev/null 7>&- &
	SLEEPER=$!
	sleep 1
	z=$(cat "$BATS_TEST_TMPDIR/zpid")
	grep -q '^State:.*Z' "/proc/$z/status" || skip "no zombie to test with"
	printf 'iommuctl-held 1\npid %s\nstart %s\niommufd 3\nend\n' "$z" "$(start_of "$z")" >"$STATE/held-$z.state"
	chmod 600 "$STATE/held-$z.state"
	run ictl held list
	assert_line --regexp "^$z +stale "
}

# notes PID [LINES...]: the notes of other processes' mappings for holder PID (held.h)
notes() {
	local pid=$1 f=$STATE/held-$1.maps
	shift
	{
		printf 'iommuctl-held-maps 1\n'
		printf '%s\n' "$@"
	} >"$f"
	chmod 600 "$f"
}

@test "held objects: mappings other processes made and unmapped (the holder's notes), text and JSON" {
	sleeper
	state "$SLEEPER" "object ioas ram 1 - 0x0 -" "object ioas two 2 - 0x0 -" \
		"mapping buf 1 0x1000000 0x200000" "mapping gone 1 0x3000000 0x1000"
	notes "$SLEEPER" "map extra 1 0x4000000 0x10000 memfd 4242" "map - 2 0x0 0x1000 anon 4243" \
		"unmap 1 0x3000000 0x1000 4244" "map later 2 0x100000 0x2000 copy 4245"
	run --separate-stderr ictl held objects --pid "$SLEEPER"
	assert_success
	assert_line --regexp '^mapping +buf +0x1000000$'
	assert_line --regexp '^mapping +extra +0x4000000$'
	assert_line --regexp '^mapping +- +0$'
	assert_line --regexp '^mapping +later +0x100000$'
	refute_line --regexp '^mapping +gone'
	run ictl --json held objects --pid "$SLEEPER"
	assert_success
	jq_true '.mappings == {"buf": "0x1000000", "extra": "0x4000000", "later": "0x100000"}'
	jq_true '[.added[] | [.name, .ioas, .iova, .length, .memory, .by]] == [["extra", 1, "0x4000000", 65536, "memfd", 4242], [null, 2, "0x0", 4096, "anon", 4243], ["later", 2, "0x100000", 8192, "copy", 4245]]'
	run ictl --json held list
	jq_true ".holders[0].mappings == 4"
	# an IOVA argument takes a noted mapping's name
	run --separate-stderr ictl held unmap ram extra 64K --pid "$SLEEPER"
	[[ $stderr != *"neither a number nor a mapping"* ]] || fail "$stderr"
}

@test "held: damaged notes are refused, naming the line; a symlink is refused" {
	sleeper
	state "$SLEEPER" "object ioas ram 1 - 0x0 -" "mapping buf 1 0x1000000 0x200000"
	local bad
	for bad in "map x 9 0x0 0x1000 anon 1|ioas: 9 is no ioas of the holder" \
		"map x 1 0x0 0x1000 ram 1|memory: 'ram': not anon" \
		"map buf 1 0x0 0x1000 anon 1|name: 'buf' is mapped already" \
		"map x 1 0x0 0x0 anon 1|length: 0x0: empty" \
		"map x 1 0x0 0x1000 anon 0|pid: 0 is no process" \
		"unmap 1 0x0|unmap: give 'unmap IOAS IOVA LENGTH PID'" \
		"remap 1 0x0 0x1000 1|remap: not a record here (map or unmap)"; do
		notes "$SLEEPER" "${bad%%|*}"
		run --separate-stderr ictl held objects --pid "$SLEEPER"
		assert_failure
		[[ $stderr == *"held-$SLEEPER.maps:2: ${bad#*|}"* ]] || fail "${bad%%|*}: $stderr"
	done
	printf 'iommuctl-held-maps 2\n' >"$STATE/held-$SLEEPER.maps"
	run --separate-stderr ictl held objects --pid "$SLEEPER"
	assert_failure
	[[ $stderr == *"held-$SLEEPER.maps:1: version: 2: this iommuctl reads version 1"* ]] || fail "$stderr"
	rm "$STATE/held-$SLEEPER.maps"
	ln -s /etc/passwd "$STATE/held-$SLEEPER.maps"
	run --separate-stderr ictl held objects --pid "$SLEEPER"
	assert_failure
	[[ $stderr == *"a symbolic link: refused"* ]] || fail "$stderr"
}

@test "held map and copy: argument rules, checked before anything is opened or mapped" {
	sleeper
	state "$SLEEPER" "object ioas ram 1 - 0x0 -" "mapping buf 1 0x1000000 0x200000"
	run --separate-stderr ictl held map ram 64K --memory ram --pid "$SLEEPER"
	assert_failure 2
	[[ $stderr == *"--memory ram: give anon, memfd, hugetlb-2M or hugetlb-1G (or --file PATH)"* ]] || fail "$stderr"
	run --separate-stderr ictl held map ram 64K --memory anon --file /etc/hostname --pid "$SLEEPER"
	assert_failure 2
	[[ $stderr == *"--file and --memory: give one"* ]] || fail "$stderr"
	run --separate-stderr ictl held map ram 64K --offset 4K --pid "$SLEEPER"
	assert_failure 2
	[[ $stderr == *"--offset is where in --file"* ]] || fail "$stderr"
	run --separate-stderr ictl held map ram 0 --pid "$SLEEPER"
	assert_failure 2
	run --separate-stderr ictl held map ram 64K --access x --pid "$SLEEPER"
	assert_failure 2
	[[ $stderr == *"--access x: give r, w or rw"* ]] || fail "$stderr"
	run --separate-stderr ictl held map ram 64K --name 9bad --pid "$SLEEPER"
	assert_failure 2
	[[ $stderr == *"--name '9bad': a name is a letter"* ]] || fail "$stderr"
	run --separate-stderr ictl held map ram 64K --name buf --pid "$SLEEPER"
	assert_failure 2
	[[ $stderr == *"--name 'buf': a mapping of that name is there already"* ]] || fail "$stderr"
	run --separate-stderr ictl held map nosuch 64K --pid "$SLEEPER"
	assert_failure 4
	run --separate-stderr ictl held copy ram nosuch 0 4K --pid "$SLEEPER"
	assert_failure 4
	run --separate-stderr ictl held copy ram ram nosuch 4K --pid "$SLEEPER"
	assert_failure 2
	# good arguments: then the holder's iommufd is taken (a sleep has none), nothing noted
	run --separate-stderr ictl held map ram 64K --iova 0x2000000 --name more --pid "$SLEEPER"
	assert_failure
	[[ $stderr == *"is not /dev/iommu"* ]] || fail "$stderr"
	assert_file_not_exists "$STATE/held-$SLEEPER.maps"
}

@test "recover removes a gone holder's notes with its state file" {
	[ "$(id -u)" = 0 ] || skip "recover on the live system needs root"
	sleep 1 & dead=$!
	state "$dead" "object ioas ram 1 - 0x0 -"
	notes "$dead" "map x 1 0x0 0x1000 anon 1"
	wait "$dead"
	run --separate-stderr ictl recover
	assert_success
	assert_file_not_exists "$STATE/held-$dead.state"
	assert_file_not_exists "$STATE/held-$dead.maps"
}
