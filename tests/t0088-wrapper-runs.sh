#!/bin/sh
test_description='e2e-profile: one run, one directory (a lock, FORCE only on a finished run), analysis renamed whole, bad profiles listed and the rest analysed, collect never overwrites'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'
command -v dash >/dev/null 2>&1 || skip_all 'needs dash'

test_setup 'a workload, and a run of it' '
	start_server W workload -cpu 0.2 &&
	E2E_PROFILE_COMPONENTS="demo=$W" &&
	export E2E_PROFILE_COMPONENTS &&
	TEST_SECONDS=4 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 \
	    dash "$E2E" run a sleep >out 2>err &&
	test "$(ls "$E2E_PROFILE_DIR/a/demo" | grep -c "^heap")" -ge 4 &&
	test "$(ls "$E2E_PROFILE_DIR/a/demo" | grep -c "^cpu")" -ge 2 &&
	test ! -e "$E2E_PROFILE_DIR/a/run.lock"
'

test_expect_success 'a live run holds its lock: FORCE refuses it, naming the PID; analyze too' '
	{ TEST_SECONDS=30 E2E_PROFILE_MODE=heap E2E_PROFILE_INTERVAL=1 \
	    setsid dash "$E2E" run live sleep >live.out 2>live.err & } &&
	pid=$! &&
	wait_for 1 "$E2E_PROFILE_DIR/live/run.lock" &&
	echo "$pid" >expect &&
	test_cmp expect "$E2E_PROFILE_DIR/live/run.lock" &&
	test_expect_code 1 env E2E_PROFILE_FORCE=1 E2E_PROFILE_MODE=heap \
	    dash "$E2E" run live sleep >out 2>err &&
	echo "e2e-profile: $E2E_PROFILE_DIR/live: in use by e2e-profile (PID $pid): not moved aside" >expect &&
	test_cmp expect err &&
	test ! -e "$E2E_PROFILE_DIR/live.1" &&
	test_expect_code 1 dash "$E2E" analyze live >out 2>err &&
	echo "e2e-profile: $E2E_PROFILE_DIR/live: in use by e2e-profile (PID $pid)" >expect &&
	test_cmp expect err &&
	kill -TERM "$pid" &&
	{ wait "$pid"; echo $? >rc; } &&
	echo 143 >expect && test_cmp expect rc &&
	test ! -e "$E2E_PROFILE_DIR/live/run.lock" &&
	test "$(grep -c "	test-started	" "$E2E_PROFILE_DIR/live/events.tsv")" = 1
'

test_expect_success 'a finished run is moved aside by FORCE' '
	TEST_SECONDS=1 E2E_PROFILE_FORCE=1 E2E_PROFILE_MODE=heap \
	    dash "$E2E" run live sleep >out 2>err &&
	grep "^e2e-profile: moved the earlier run live aside to $E2E_PROFILE_DIR/live.1$" err &&
	test ! -e "$E2E_PROFILE_DIR/live.1/run.lock"
'

test_expect_success 'a stale lock (its PID gone) is taken over, saying so' '
	sh -c "echo \$\$" >dead.pid &&
	dead=$(cat dead.pid) &&
	cp dead.pid "$E2E_PROFILE_DIR/live/run.lock" &&
	dash "$E2E" analyze live >out 2>err &&
	grep -x "e2e-profile: $E2E_PROFILE_DIR/live: taking over the lock of PID $dead, which is gone" err &&
	test ! -e "$E2E_PROFILE_DIR/live/run.lock" &&
	cp dead.pid "$E2E_PROFILE_DIR/live/run.lock" &&
	E2E_PROFILE_FORCE=1 TEST_SECONDS=1 E2E_PROFILE_MODE=heap \
	    dash "$E2E" run live sleep >out 2>err &&
	grep -x "e2e-profile: $E2E_PROFILE_DIR/live: taking over the lock of PID $dead, which is gone" err &&
	grep -x "e2e-profile: moved the earlier run live aside to $E2E_PROFILE_DIR/live.2" err &&
	test ! -e "$E2E_PROFILE_DIR/live.2/run.lock"
'

test_expect_success 'one truncated heap and one garbage CPU profile among good ones: the rest analysed, the two listed' '
	r=$E2E_PROFILE_DIR/a &&
	cp "$r/demo/heap2.pprof" heap2.orig &&
	head -c 200 heap2.orig >"$r/demo/heap2.pprof" &&
	echo "not a profile at all" >"$r/demo/cpu1.pprof" &&
	test_expect_code 1 dash "$E2E" analyze a >out 2>err &&
	printf "#unit\tkind\tfile\treason\n" >expect &&
	printf "demo\theap\tdemo/heap2.pprof\ttruncated gzip stream\n" >>expect &&
	printf "demo\tcpu\tdemo/cpu1.pprof\tnot a profile: starts with text \"not a profile at all\"\n" >>expect &&
	test_cmp expect "$r/analysis/bad-profiles.tsv" &&
	grep -x "e2e-profile: demo: pprof-decode: demo/heap2.pprof: truncated gzip stream" err &&
	grep -x "e2e-profile: warning: $r: 2 profiles could not be decoded; the others are analysed (see analysis/bad-profiles.tsv)" err &&
	n=$(ls "$r/demo" | grep -c "^heap") &&
	test "$(grep -v "^#" "$r/analysis/demo.heap.series.tsv" | wc -l)" = $((n - 1)) &&
	! grep -q "heap2.pprof" "$r/analysis/demo.heap.series.tsv" &&
	test -s "$r/analysis/demo.heap.peak.tsv" &&
	test -s "$r/analysis/demo.heap.alloc.tsv" &&
	n=$(ls "$r/demo" | grep -c "^cpu") &&
	test "$(grep -v "^#" "$r/analysis/demo.cpu.series.tsv" | wc -l)" = $((n - 1)) &&
	test -s "$r/analysis/demo.cpu.top.tsv"
'

test_expect_success 'all good again: no bad-profiles.tsv, exit 0' '
	r=$E2E_PROFILE_DIR/a &&
	cp heap2.orig "$r/demo/heap2.pprof" &&
	rm "$r/demo/cpu1.pprof" &&
	dash "$E2E" analyze a >out 2>err &&
	test ! -e "$r/analysis/bad-profiles.tsv" &&
	test -z "$(ls -A "$r" | grep "^\.")"
'

# wait_tmp RUN: until RUN/.analysis.PID, the analysis in progress, is there.
wait_tmp() {
	_wt_i=0
	until [ -n "$(ls -d "$1"/.analysis.* 2>/dev/null)" ]; do
		_wt_i=$((_wt_i + 1))
		[ "$_wt_i" -le 100 ] || return 1
		sleep 0.1
	done
}

# A pprof-series that stalls: the analysis is stopped half-way.
test_expect_success 'Ctrl+C during analyze: exit 130, analysis/ as it was, no temporary directory, nothing left running' '
	mkdir -p slow &&
	printf "#!/bin/sh\nsleep 30\nexec %s/pprof-series \"\$@\"\n" "$BIN" >slow/pprof-series &&
	chmod +x slow/pprof-series &&
	r=$E2E_PROFILE_DIR/a &&
	ls "$r/analysis" >before &&
	{ PATH=$TRASH/slow:$PATH setsid env --default-signal=INT dash "$E2E" analyze a >out 2>err & } &&
	pid=$! &&
	wait_tmp "$r" &&
	sleep 0.5 &&
	kill -INT "$pid" &&
	{ wait "$pid"; echo $? >rc; } &&
	echo 130 >expect && test_cmp expect rc &&
	grep -x "e2e-profile: interrupted (INT); stopping now" err &&
	ls "$r/analysis" >after &&
	test_cmp before after &&
	test -z "$(ls -A "$r" | grep "^\.")" &&
	test ! -e "$r/run.lock" &&
	leftovers "$pid" >left &&
	test_must_be_empty left
'

test_expect_success 'compare after an analysis that never completed: the run is analysed again' '
	r=$E2E_PROFILE_DIR/a &&
	rm -r "$r/analysis" &&
	{ PATH=$TRASH/slow:$PATH setsid env --default-signal=INT dash "$E2E" analyze a >out 2>err & } &&
	pid=$! &&
	wait_tmp "$r" &&
	kill -INT "$pid" &&
	{ wait "$pid" || :; } &&
	test ! -e "$r/analysis" &&
	dash "$E2E" compare a live >out 2>err &&
	grep -x "e2e-profile: analysing a first" err &&
	test -s "$r/analysis/demo.heap.peak.tsv"
'

# A date that always says the same second, for the collect file names.
test_expect_success 'collect twice in one second, and twice at once: four files, none overwritten' '
	mkdir -p frozen &&
	printf "#!/bin/sh\ncase \"\$*\" in *%%Y%%m%%dT*) echo 20260101T000000Z ;; *) exec %s \"\$@\" ;; esac\n" \
	    "$(command -v date)" >frozen/date &&
	chmod +x frozen/date &&
	PATH=$TRASH/frozen:$PATH E2E_PROFILE_MODE=heap dash "$E2E" collect >out1 2>err1 &&
	PATH=$TRASH/frozen:$PATH E2E_PROFILE_MODE=heap dash "$E2E" collect >out2 2>err2 &&
	{ PATH=$TRASH/frozen:$PATH E2E_PROFILE_MODE=heap dash "$E2E" collect >out3 2>err3 & } &&
	p3=$! &&
	{ PATH=$TRASH/frozen:$PATH E2E_PROFILE_MODE=heap dash "$E2E" collect >out4 2>err4 & } &&
	p4=$! &&
	wait "$p3" && wait "$p4" &&
	m=$E2E_PROFILE_DIR/manual &&
	grep -x "e2e-profile: $m/heap-20260101T000000Z.pprof: heap profile of demo" err1 &&
	grep -x "e2e-profile: $m/heap-20260101T000000Z.2.pprof: heap profile of demo" err2 &&
	ls -A "$m" >actual &&
	printf "%s\n" collection.log heap-20260101T000000Z.2.pprof heap-20260101T000000Z.3.pprof \
	    heap-20260101T000000Z.4.pprof heap-20260101T000000Z.pprof >expect &&
	test_cmp expect actual &&
	for f in "$m"/heap-*.pprof; do pprof-decode "$f" >/dev/null || exit 1; done &&
	test "$(grep -c "	ok	" "$m/collection.log")" = 4
'

test_done
