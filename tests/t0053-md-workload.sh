#!/bin/sh
test_description='md-report on real profiles of the Go workload: a leak across a restart, the profiler apart, points under their time'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"
. "$TESTS/lib-wrapper.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

LEAK=2097152		# bytes per second, main.leakyRetain
RUN=$E2E_PROFILE_DIR/w

# fetch FIRST: four heap profiles, heapFIRST.pprof and on, a second apart.
fetch() {
	_i=$1
	while [ "$_i" -lt $(($1 + 4)) ]; do
		curl -sf -o "$RUN/web/heap$_i.pprof" "$W/debug/pprof/heap?gc=1" || return 1
		_i=$((_i + 1))
		[ "$_i" -lt $(($1 + 4)) ] && sleep 1
	done
	return 0
}

test_setup 'a workload profiled for four seconds, restarted, profiled again' '
	mkdir -p "$RUN/web" &&
	started=$(date -u +%Y-%m-%dT%H:%M:%SZ) &&
	start_server W workload -leak $LEAK -steady 8388608 -churn 4194304 \
	    -memprofilerate 1 &&
	port=${W##*:} &&
	fetch 0 &&
	curl -sf -o "$RUN/web/cpu0.pprof" "$W/debug/pprof/profile?seconds=1" &&
	kill "$W_pid" && wait "$W_pid";
	start_server W workload -addr "127.0.0.1:$port" -leak $LEAK \
	    -steady 8388608 -churn 4194304 -memprofilerate 1 &&
	fetch 4 &&
	curl -sf -o "$RUN/web/cpu1.pprof" "$W/debug/pprof/profile?seconds=1" &&
	stop_servers &&
	printf "#key\tvalue\nname\tw\ntarget\ttest-e2e\nexit_status\t0\nstarted\t%s\nduration_s\t12\n" \
	    "$started" >"$RUN/run.tsv" &&
	dash "$E2E" analyze w >/dev/null 2>&1 &&
	test -s "$RUN/analysis.md"
'

test_expect_success 'each heap point is a profile, under its own time since the start' '
	t0=$(awk -F"\t" "\$1 == \"started\" { print \$2 }" "$RUN/run.tsv") &&
	ns=$(date -u -d "$t0" +%s)000000000 &&
	chart_points "$RUN/analysis.md" 1 1 >points &&
	samples "$RUN/analysis/web.heap.series.tsv" "$ns" >samples &&
	test "$(wc -l <points)" = 9 &&
	unmatched points samples 0.5 >bad &&
	test_must_be_empty bad
'

test_expect_success 'the leak of both processes is the first suspect, and the one named' '
	sed -n "/^## Growth and leak suspects/,/^## Top CPU/p" "$RUN/analysis.md" >growth &&
	grep "^| main\\.\\|^| [a-z]" growth | grep -v "^| suspect" | head -1 | cut -d"|" -f2 >got &&
	echo " main.leakyRetain " >expect &&
	test_cmp expect got &&
	! grep -q "pprof\\|flate" growth &&
	grep -q "Top suspects: \`main.leakyRetain\` (+" "$RUN/analysis.md"
'

test_expect_success 'the allocation table covers both processes: its total is the summary' '
	grep "^| web |" "$RUN/analysis.md" | cut -d"|" -f6,10 >got &&
	total=$(cut -d"|" -f1 got | tr -d " ") &&
	test "$(cut -d"|" -f2 got)" = " 1 " &&
	grep "^### web: allocated during the test ($total in all, summed over 2 processes)\$" "$RUN/analysis.md"
'

test_expect_success 'the profiler is one overhead line, in no category' '
	grep "^- web: " "$RUN/analysis.md" >line &&
	awk "{ exit !(\$8 + 0 > 1) }" line &&
	sed -n "/^## Hotspots/,/^## Growth/p" "$RUN/analysis.md" | grep "^| " >hot &&
	! grep -q "^| profiler " hot
'

test_done
