#!/bin/sh
test_description='e2e-profile: killed with SIGKILL, no collector or transport lives on; Ctrl+C in collect or in the final analysis stops every child; a full disk loses whole lines, said once, and the run keeps the test'"'"'s status'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'
command -v dash >/dev/null 2>&1 || skip_all 'needs dash'

# kids PID WHAT: the live children of PID whose command line matches WHAT
# (an awk regular expression), as "pid args" lines.
kids() {
	ps -A -o pid= -o ppid= -o args= | awk -v p="$1" -v w="$2" '$2 == p && $0 ~ w {
		$2 = ""; print }'
}

# gone FILE: until none of the processes of FILE (pid first) is alive, 5 s
# at most; then the live ones are listed.
gone() {
	_gn_i=0
	while :; do
		: >alive
		while read -r _gn_p _gn_rest; do
			! ps -p "$_gn_p" -o stat= | grep -qv "^Z" || echo "$_gn_p $_gn_rest" >>alive
		done <"$1"
		[ -s alive ] || return 0
		_gn_i=$((_gn_i + 1))
		[ "$_gn_i" -le 50 ] || { cat alive; return 1; }
		sleep 0.1
	done
}

# stop_test_of: the tests killed wrappers left behind (SIGKILL leaves
# the test running: only collectors and transports must stop).
stop_test_of() {
	leftovers none | grep "test-body.sh" | awk '{ print $1 }' >test.pids
	# shellcheck disable=SC2046
	[ ! -s test.pids ] || kill $(cat test.pids) 2>/dev/null || :
}

test_setup 'a workload' '
	start_server W workload -cpu 0.2
'

test_expect_success 'SIGKILL during a run at a URL: pprof-fetch --every stops within 2 s' '
	{ TEST_SECONDS=30 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    E2E_PROFILE_COMPONENTS="demo=$W" setsid dash "$E2E" run k1 sleep >out 2>err & } &&
	pid=$! &&
	wait_for 2 "$E2E_PROFILE_DIR/k1/demo/heap*.pprof" &&
	kids "$pid" "pprof-fetch --every" >before &&
	test "$(wc -l <before)" = 1 &&
	kill -KILL "$pid" &&
	{ wait "$pid" || :; } &&
	gone before &&
	n=$(ls "$E2E_PROFILE_DIR/k1/demo" | wc -l) &&
	sleep 1.5 &&
	test "$(ls "$E2E_PROFILE_DIR/k1/demo" | wc -l)" = "$n" &&
	stop_test_of
'

if command -v kubectl >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
	test_setup 'a cluster of one pod' '
		write_state "$(pod $OC1 $OC $UID1 "$W")" &&
		start_cluster
	'
	for transport in port-forward proxy; do
		test_expect_success "SIGKILL during a run through kubectl $transport: the transport stops within 2 s" '
			{ TEST_SECONDS=30 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
			    E2E_PROFILE_TRANSPORT=$transport \
			    E2E_PROFILE_COMPONENTS="operator-controller=control-plane=$OC" \
			    setsid dash "$E2E" run "k-$transport" sleep >out 2>err & } &&
			pid=$! &&
			wait_for 2 "$E2E_PROFILE_DIR/k-$transport/operator-controller/heap*.pprof" &&
			kids "$pid" "pprof-fetch|kubectl" >before &&
			grep -q "kubectl $transport" before &&
			grep -q "pprof-fetch --every" before &&
			kill -KILL "$pid" &&
			{ wait "$pid" || :; } &&
			gone before &&
			stop_test_of
		'
	done
else
	test_skip 'SIGKILL during a run through kubectl' 'needs kubectl and curl'
fi

test_expect_success 'Ctrl+C during collect: the CPU fetch in flight stopped, no file, no claim, nothing left' '
	ls -A "$TMPDIR" >tmp.before &&
	{ E2E_PROFILE_CPU_DURATION=20 E2E_PROFILE_COMPONENTS="demo=$W" \
	    setsid env --default-signal=INT dash "$E2E" collect >out 2>err & } &&
	pid=$! &&
	wait_for 1 "$E2E_PROFILE_DIR/manual/heap-*.pprof" &&
	sleep 0.5 &&
	kill -INT "$pid" &&
	{ wait "$pid"; echo $? >rc; } &&
	echo 130 >expect &&
	test_cmp expect rc &&
	grep -x "e2e-profile: interrupted (INT); stopping now" err &&
	leftovers "$pid" >left &&
	test_must_be_empty left &&
	test -z "$(ls "$E2E_PROFILE_DIR/manual" | grep "^cpu-")" &&
	test -z "$(ls -A "$E2E_PROFILE_DIR/manual" | grep "^\.")" &&
	ls -A "$TMPDIR" >tmp.after &&
	test_cmp tmp.before tmp.after
'

test_expect_success 'Ctrl+C during the final analysis of a run: exit 130, no analysis left half-done, nothing left' '
	mkdir -p slow &&
	printf "#!/bin/sh\nsleep 30\nexec %s/pprof-series \"\$@\"\n" "$BIN" >slow/pprof-series &&
	chmod +x slow/pprof-series &&
	{ PATH=$TRASH/slow:$PATH TEST_SECONDS=2 E2E_PROFILE_INTERVAL=1 \
	    E2E_PROFILE_CPU_DURATION=1 E2E_PROFILE_COMPONENTS="demo=$W" \
	    setsid env --default-signal=INT dash "$E2E" run fa sleep >out 2>err & } &&
	pid=$! &&
	i=0 &&
	until [ -n "$(ls -d "$E2E_PROFILE_DIR"/fa/.analysis.* 2>/dev/null)" ] || [ $i -gt 150 ]; do
		sleep 0.1; i=$((i + 1))
	done &&
	sleep 0.5 &&
	kill -INT "$pid" &&
	{ wait "$pid"; echo $? >rc; } &&
	echo 130 >expect &&
	test_cmp expect rc &&
	leftovers "$pid" >left &&
	test_must_be_empty left &&
	test -z "$(ls -A "$E2E_PROFILE_DIR/fa" | grep "^\.")" &&
	test ! -e "$E2E_PROFILE_DIR/fa/analysis" &&
	test ! -e "$E2E_PROFILE_DIR/fa/run.lock"
'

if [ "$(id -u)" = 0 ] && command -v mount >/dev/null 2>&1 &&
    mkdir -p "$TRASH/full" && mount -t tmpfs -o size=48k tmpfs "$TRASH/full" 2>/dev/null; then
	test_expect_success 'a full disk (a tmpfs of 48 KiB): the test'"'"'s status, said once, whole lines only' '
		test_expect_code 2 env E2E_PROFILE_DIR="$TRASH/full" TEST_SECONDS=5 \
		    E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 E2E_PROFILE_GOROUTINES=1 \
		    E2E_PROFILE_COMPONENTS="demo=$W" dash "$E2E" run full fail >out 2>err &&
		d=$TRASH/full/full &&
		grep "No space left on device" err >said &&
		test "$(wc -l <said)" = 1 &&
		grep -E "^e2e-profile: $d: No space left on device \\([0-9]+ (lines of collection.log|line of events.tsv|update of (run|units).tsv|profiles) lost(; the test goes on)?\\)$" said &&
		grep -E "^e2e-profile: warning: lost: .*[0-9]+ profiles$" err &&
		grep -x "e2e-profile: warning: $d: not analysed, as it could not be written to: run '"'"'e2e-profile analyze full'"'"' once it can" err &&
		awk -F"\t" "NF != 9 { print FILENAME \": \" NR \": \" \$0 }" "$d/collection.log" >cut &&
		test_must_be_empty cut &&
		awk -F"\t" "NF != 4 { print FILENAME \": \" NR \": \" \$0 }" "$d/events.tsv" >cut &&
		test_must_be_empty cut &&
		test -z "$(ls -A "$d" "$d/demo" | grep "^\.")"
	'
	umount "$TRASH/full"
else
	test_skip 'a full disk' 'needs root (mount -t tmpfs)'
fi

test_done
