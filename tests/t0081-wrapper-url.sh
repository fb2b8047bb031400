#!/bin/sh
test_description='e2e-profile with a plain URL component: run, the run directory, analysis, failing test, Ctrl+C, collect, compare'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'
command -v dash >/dev/null 2>&1 || skip_all 'needs dash'

# The analysis ends with md-report when it is built; until then the
# wrapper must say so, after writing every TSV.
have_md_report() {
	PATH=$PATH:$TEST_ROOT/bin command -v md-report >/dev/null 2>&1
}

# check_report RUN ERR: analysis.md, or md-report's absence said in ERR.
check_report() {
	if have_md_report; then
		test -s "$E2E_PROFILE_DIR/$1/analysis.md"
	else
		test ! -e "$E2E_PROFILE_DIR/$1/analysis.md" &&
		grep "md-report: command not found (build it with make): the analysis TSVs are in $E2E_PROFILE_DIR/$1/analysis, analysis.md is not written" "$2"
	fi
}

test_setup 'a workload to profile' '
	start_server W workload -goroutines 7 -cpu 0.2 &&
	E2E_PROFILE_COMPONENTS="demo=$W" &&
	export E2E_PROFILE_COMPONENTS
'

run=r1
test_expect_success 'a run: the test passes, exit 0, nothing on stdout' '
	TEST_SECONDS=5 E2E_PROFILE_INTERVAL=2 E2E_PROFILE_CPU_DURATION=1 \
	    E2E_PROFILE_GOROUTINES=1 e2e_profile run r1 sleep >out 2>err &&
	test_must_be_empty out &&
	grep "^e2e-profile: run r1: make sleep; profiles every 2s into $E2E_PROFILE_DIR/r1$" err &&
	grep "^e2e-profile: test make sleep passed in [5-9]s$" err
'

test_expect_success 'run.tsv: every key, in order, and the values' '
	cut -f1 "$E2E_PROFILE_DIR/r1/run.tsv" >actual &&
	printf "%s\n" "#key" name target exit_status started ended duration_s \
	    namespace interval cpu_duration mode transport units kubeconfig \
	    context cluster cluster_created settle settle_start settle_end \
	    main_start main_end memstats_every >expect &&
	test_cmp expect actual &&
	printf "#key\tvalue\n" >expect &&
	sed -n 1p "$E2E_PROFILE_DIR/r1/run.tsv" >actual &&
	test_cmp expect actual &&
	for kv in name=r1 target=sleep exit_status=0 namespace=olmv1-system \
	    interval=2 cpu_duration=1 mode=both transport=url units=demo \
	    kubeconfig=- context=- cluster=- cluster_created=- settle=off \
	    settle_start=- settle_end=- main_start=- main_end=- memstats_every=0; do
		test "$(run_tsv ${kv%%=*})" = "${kv#*=}" || { echo "$kv: $(run_tsv ${kv%%=*})"; exit 1; }
	done &&
	run_tsv started | grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$" &&
	run_tsv ended | grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$" &&
	test "$(run_tsv duration_s)" -ge 5 && test "$(run_tsv duration_s)" -le 9
'

test_expect_success 'the unit directory: heap, cpu and goroutine profiles numbered from 0, all decodable' '
	u=$E2E_PROFILE_DIR/r1/demo &&
	n=$(ls "$u"/heap*.pprof | wc -l) &&
	test "$n" -ge 4 &&
	ls "$u" | sed -n "s/^heap\([0-9]*\).pprof$/\1/p" | sort -n >actual &&
	seq 0 $((n - 1)) >expect &&
	test_cmp expect actual &&
	test "$(ls "$u"/cpu*.pprof | wc -l)" -ge 2 &&
	test "$(ls "$u"/goroutine*.pprof | wc -l)" -ge 3 &&
	pprof-decode "$u"/*.pprof >/dev/null &&
	test -z "$(ls -A "$u" | grep -v -E "^(heap|cpu|goroutine)[0-9]+\.pprof$")"
'

test_expect_success 'collection.log: one header, an ok line per profile, the summaries' '
	log=$E2E_PROFILE_DIR/r1/collection.log &&
	printf "#time\ttarget\tkind\tseq\toutcome\tstatus\tbytes\tms\tfile_or_error\n" >expect &&
	grep "^#[^#]" "$log" >actual &&
	test_cmp expect actual &&
	sed -n 1p "$log" >actual &&
	test_cmp expect actual &&
	awk -F"\t" "!/^#/ && \$5 == \"ok\" { print \$9 }" "$log" | sort >actual &&
	(cd "$E2E_PROFILE_DIR/r1" && ls demo/*.pprof | sort) >expect &&
	test_cmp expect actual &&
	# The CPU profile in flight when the test ended is cut short.
	test -z "$(awk -F"\t" "!/^#/ && \$5 != \"ok\" && !(\$3 == \"cpu\" && \$5 == \"aborted\")" "$log")" &&
	grep "^##summary	demo	heap	" "$log"
'

test_expect_success 'events.tsv: the test, the unit, the end' '
	cut -f2-4 "$E2E_PROFILE_DIR/r1/events.tsv" >actual &&
	cat >expect <<-EOF &&
	unit${TAB}event${TAB}detail
	-${TAB}test-started${TAB}make sleep
	demo${TAB}discovered${TAB}url $W
	-${TAB}test-ended${TAB}exit status 0
	EOF
	test_cmp expect actual
'

# E2E_SUMMARY_OUTPUT makes operator-controller's targets install
# Prometheus: the wrapper passes it on only when the user set it.
test_expect_success 'test.log is the test output; no E2E_SUMMARY_OUTPUT, no summary' '
	cat >expect <<-EOF &&
	test: running for 5 s
	test: done
	EOF
	test_cmp expect "$E2E_PROFILE_DIR/r1/test.log" &&
	test ! -e "$E2E_PROFILE_DIR/r1/e2e-summary.md" &&
	! grep E2E_SUMMARY_OUTPUT err
'

test_expect_success 'E2E_SUMMARY_OUTPUT set by the user: said, passed on, the summary copied' '
	TEST_SECONDS=1 E2E_SUMMARY_OUTPUT=$TRASH/summary.md E2E_PROFILE_MODE=heap \
	    e2e_profile run sum sleep >out 2>err &&
	grep "^e2e-profile: E2E_SUMMARY_OUTPUT is set: operator-controller'"'"'s e2e targets then install Prometheus and scrape both managers; its summary is copied into the run$" err &&
	printf "# e2e summary\n\nran 1 s\n" >expect &&
	test_cmp expect "$TRASH/summary.md" &&
	test_cmp expect "$E2E_PROFILE_DIR/sum/e2e-summary.md"
'

test_expect_success 'analysis/: every TSV of the unit' '
	ls "$E2E_PROFILE_DIR/r1/analysis" >actual &&
	cat >expect <<-EOF &&
	demo.cpu.series.tsv
	demo.cpu.top.tsv
	demo.goroutine.series.tsv
	demo.heap.alloc.series.tsv
	demo.heap.alloc.tsv
	demo.heap.growth.tsv
	demo.heap.peak.tsv
	demo.heap.series.tsv
	EOF
	test_cmp expect actual &&
	check_report r1 err
'

test_expect_success 'analysis: the heap series has every profile in numeric order' '
	a=$E2E_PROFILE_DIR/r1/analysis &&
	grep -v "^#" "$a/demo.heap.series.tsv" | awk -F"\t" "{ print \$1, \$NF }" >actual &&
	ls "$E2E_PROFILE_DIR/r1/demo" | sed -n "s|^heap\([0-9]*\).pprof$|\1|p" | sort -n |
	    awk "{ print NR - 1, \"demo/heap\" \$1 \".pprof\" }" >expect &&
	test_cmp expect actual &&
	files=$(awk "{ print \$2 }" expect) &&
	(cd "$E2E_PROFILE_DIR/r1" && pprof-decode $files) >stream &&
	pprof-series stream >expect &&
	test_cmp expect "$a/demo.heap.series.tsv" &&
	pprof-series -t alloc_space stream >expect &&
	test_cmp expect "$a/demo.heap.alloc.series.tsv" &&
	pprof-series -g stream >expect &&
	test_cmp expect "$a/demo.heap.growth.tsv"
'

test_expect_success 'analysis: the peak table is the peak profile'"'"'s pprof-top' '
	cd "$E2E_PROFILE_DIR/r1" &&
	seq=$(awk -F"\t" "\$1 == \"##peak_seq\" { print \$2 }" analysis/demo.heap.series.tsv) &&
	pprof-decode "demo/heap$seq.pprof" | pprof-top -t inuse_space --nodefraction 0 >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" analysis/demo.heap.peak.tsv &&
	grep -q "	main\.leakyRetain	" analysis/demo.heap.peak.tsv
'

test_expect_success 'analysis: the allocation is the diff of the first and last profile' '
	cd "$E2E_PROFILE_DIR/r1" &&
	last=$(ls demo/heap*.pprof | sed "s/[^0-9]//g" | sort -n | tail -n 1) &&
	printf "##a\tdemo/heap0.pprof\n##b\tdemo/heap%s.pprof\n" "$last" >"$TRASH/expect" &&
	grep "^##[ab]	" analysis/demo.heap.alloc.tsv >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual" &&
	delta=$(awk -F"\t" "\$1 == \"##total_delta\" { print \$2 }" analysis/demo.heap.alloc.tsv) &&
	during=$(awk -F"\t" "\$1 == \"##alloc_space_during\" { print \$2 }" analysis/demo.heap.series.tsv) &&
	test "$delta" = "$during" && test "$delta" -gt 0
'

test_expect_success 'analysis: the leak grows, CPU is burnCPU, the goroutines are counted' '
	cd "$E2E_PROFILE_DIR/r1/analysis" &&
	awk -F"\t" "\$8 == \"main.leakyRetain\" { exit !(\$5 > 0) }" demo.heap.growth.tsv &&
	grep -q "	main\.leakyRetain$" demo.heap.growth.tsv &&
	grep -q "	main\.burnCPU	" demo.cpu.top.tsv &&
	test "$(grep -v "^#" demo.cpu.series.tsv | wc -l)" = "$(ls ../demo/cpu*.pprof | wc -l)" &&
	grep "^##series	goroutine$" demo.goroutine.series.tsv &&
	test "$(grep -v "^#" demo.goroutine.series.tsv | wc -l)" = "$(ls ../demo/goroutine*.pprof | wc -l)"
'

test_expect_success 'analyze again rewrites the same TSVs' '
	a=$E2E_PROFILE_DIR/r1/analysis &&
	cp "$a/demo.heap.peak.tsv" peak.before &&
	{ e2e_profile analyze r1 >out 2>err || { have_md_report && exit 1; : ; }; } &&
	test_cmp peak.before "$a/demo.heap.peak.tsv" &&
	test -z "$(ls -A "$a" | grep "^\.")"
'

# The recipe exits 3; make, the test as run, says Error 3 and exits 2,
# and so does the wrapper: what `make fail` alone would have returned.
run=r2
test_expect_success 'a failing test: make'"'"'s exit status is the run'"'"'s' '
	test_expect_code 2 env TEST_SECONDS=2 E2E_PROFILE_INTERVAL=2 \
	    E2E_PROFILE_CPU_DURATION=1 dash "$E2E" run r2 fail >out 2>err &&
	test "$(run_tsv exit_status)" = 2 &&
	grep "^e2e-profile: warning: test make fail failed (exit status 2) after [0-9]s; its output: $E2E_PROFILE_DIR/r2/test.log$" err &&
	grep "^    test: FAIL$" err &&
	grep "^    make: \*\*\* \[Makefile:5: fail\] Error 3$" err &&
	test -s "$E2E_PROFILE_DIR/r2/analysis/demo.heap.series.tsv"
'

run=r3
test_expect_success 'SIGINT: the test stopped, what was collected analysed, exit 130, nothing left' '
	start=$(date +%s) &&
	{ TEST_SECONDS=60 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 \
	    setsid env --default-signal=INT dash "$E2E" run r3 sleep >out 2>err & } &&
	pid=$! &&
	wait_for 2 "$E2E_PROFILE_DIR/r3/demo/heap*.pprof" &&
	kill -INT $pid &&
	{ wait $pid; echo $? >rc; } &&
	echo 130 >expect &&
	test_cmp expect rc &&
	test $(($(date +%s) - start)) -lt 20 &&
	test "$(run_tsv exit_status)" = - &&
	test "$(run_tsv ended)" != - &&
	grep "	-	interrupted	SIGINT$" "$E2E_PROFILE_DIR/r3/events.tsv" &&
	! grep "test: done" "$E2E_PROFILE_DIR/r3/test.log" &&
	test -s "$E2E_PROFILE_DIR/r3/analysis/demo.heap.series.tsv" &&
	grep "^e2e-profile: interrupted (INT): stopping the test and the collectors$" err &&
	leftovers $pid >left &&
	test_must_be_empty left &&
	test -z "$(ls -A "$TMPDIR")"
'

test_expect_success 'SIGTERM does the same, exit 143' '
	{ TEST_SECONDS=60 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 \
	    setsid dash "$E2E" run r4 sleep >out 2>err & } &&
	pid=$! &&
	wait_for 1 "$E2E_PROFILE_DIR/r4/demo/heap*.pprof" &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >rc; } &&
	echo 143 >expect &&
	test_cmp expect rc &&
	test "$(run_tsv exit_status r4)" = - &&
	leftovers $pid >left &&
	test_must_be_empty left
'

test_expect_success 'collect: a heap and a CPU profile now, into manual/' '
	E2E_PROFILE_CPU_DURATION=1 e2e_profile collect >out 2>err &&
	test_must_be_empty out &&
	ls "$E2E_PROFILE_DIR/manual" >actual &&
	cd "$E2E_PROFILE_DIR/manual" &&
	sed -n "s/^heap-\([0-9]\{8\}T[0-9]\{6\}Z\).pprof$/\1/p" "$TRASH/actual" >"$TRASH/ts" &&
	test "$(wc -l <"$TRASH/ts")" = 1 &&
	ts=$(cat "$TRASH/ts") &&
	printf "collection.log\ncpu-%s.pprof\nheap-%s.pprof\n" "$ts" "$ts" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual" &&
	pprof-decode "heap-$ts.pprof" >"$TRASH/heap.tsv" &&
	grep -q "^##default_type	inuse_space$" "$TRASH/heap.tsv" &&
	pprof-decode "cpu-$ts.pprof" >"$TRASH/cpu.tsv" &&
	grep -q "^##period	10000000	cpu	nanoseconds$" "$TRASH/cpu.tsv" &&
	grep "^e2e-profile: $E2E_PROFILE_DIR/manual/heap-$ts.pprof: heap profile of demo$" "$TRASH/err" &&
	test "$(grep -c "^#time" collection.log)" = 1 &&
	test "$(grep -c "	ok	" collection.log)" = 2
'

test_expect_success 'collect again: new files, the log appended under one header' '
	sleep 1 &&
	E2E_PROFILE_MODE=heap e2e_profile collect demo 2>err &&
	cd "$E2E_PROFILE_DIR/manual" &&
	test "$(ls heap-*.pprof | wc -l)" = 2 &&
	test "$(grep -c "^#time" collection.log)" = 1 &&
	test "$(grep -c "	ok	" collection.log)" = 3
'

test_expect_success 'compare: per-unit diffs of the peak heap and of the CPU' '
	e2e_profile compare r1 r2 >out 2>err || { have_md_report && exit 1; : ; } &&
	c=$E2E_PROFILE_DIR/comparisons &&
	ls "$c/r1-vs-r2" >actual &&
	printf "demo.cpu.top.diff.tsv\ndemo.heap.peak.diff.tsv\n" >expect &&
	test_cmp expect actual &&
	printf "##a\tr1/analysis/demo.heap.peak.tsv\n##b\tr2/analysis/demo.heap.peak.tsv\n" >expect &&
	grep "^##[ab]	" "$c/r1-vs-r2/demo.heap.peak.diff.tsv" >actual &&
	test_cmp expect actual &&
	(cd "$E2E_PROFILE_DIR" && pprof-diff r1/analysis/demo.cpu.top.tsv r2/analysis/demo.cpu.top.tsv) >expect &&
	test_cmp expect "$c/r1-vs-r2/demo.cpu.top.diff.tsv" &&
	if have_md_report; then
		test -s "$c/r1-vs-r2.md"
	else
		grep "md-report: command not found (build it with make): the differences are in $E2E_PROFILE_DIR/comparisons/r1-vs-r2, r1-vs-r2.md is not written" "$TRASH/err"
	fi
'

test_expect_success 'compare analyses a run that has no analysis/ yet' '
	rm -r "$E2E_PROFILE_DIR/r2/analysis" &&
	e2e_profile compare r2 r1 >out 2>err || { have_md_report && exit 1; : ; } &&
	grep "^e2e-profile: analysing r2 first$" err &&
	test -s "$E2E_PROFILE_DIR/r2/analysis/demo.heap.peak.tsv" &&
	test -s "$E2E_PROFILE_DIR/comparisons/r2-vs-r1/demo.heap.peak.diff.tsv"
'

test_done
