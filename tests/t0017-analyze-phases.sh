#!/bin/sh
test_description='analyze: phases.tsv, phase-top.tsv, memstats.tsv and verdict.tsv of crafted runs, exactly; a bad MemStats block; absent inputs write nothing'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"
. "$TESTS/lib-wrapper.sh"

RUN=$E2E_PROFILE_DIR/c
MIB=1048576
FETCH_HEADER='#time	target	kind	seq	outcome	status	bytes	ms	file_or_error'

# The unit's directory the fixtures are written in.
_hd=$RUN/web

# heap N SECONDS FUNCTION ALLOC/INUSE...: web/heapN.pprof at T0 + SECONDS.
heap() {
	_n=$1 _s=$2
	shift 2
	heap_spec "$(at "$_s")" /manager "$@" | pbwrite >"$_hd/heap$_n.pprof"
}

# memstats SYS: a MemStats block as Go writes it (3 GCs, pauses 10 20 30).
memstats() {
	printf 'heap profile: 1: 64 [2: 128] @ heap/1048576\n\n# runtime.MemStats\n'
	printf '# Sys = %s\n# HeapSys = 4000\n# HeapIdle = 1000\n# HeapInuse = 3000\n' "$1"
	printf '# HeapReleased = 600\n# Stack = 512 / 512\n# NextGC = 4194304\n'
	printf '# PauseNs = [10 20 30'
	i=3; while [ $i -lt 256 ]; do printf ' 0'; i=$((i + 1)); done
	printf ']\n# NumGC = 3\n'
}

# Six heap profiles, a second apart from T0 + 1 s, of four functions
# (alloc so far / in use); a restart before heap5. The phases: setup
# 0.5-2.5 s (heap0-2, the boundary profile heap2 the last), e2e 2.5-4.5 s
# (heap2-4), teardown 4.5-7 s (heap4 and heap5: two processes, so no
# phase-top rows). One CPU window, 2.6-3.6 s, 0.5 s of CPU: e2e's.
test_setup 'a crafted run: heap series, CPU, events, MemStats, settle window' '
	mkdir -p "$_hd/settle" &&
	heap 0 1 main.a 100/100 &&
	heap 1 2 main.a 200/150 main.b 50/50 &&
	heap 2 3 main.a 300/200 main.b 100/100 main.c 10/10 &&
	heap 3 4 main.a 300/200 main.b 500/100 main.c 400/300 main.d 20/20 &&
	heap 4 5 main.a 300/150 main.b 900/100 main.c 800/700 main.d 60/20 &&
	heap 5 6 main.a 10/10 &&
	cpu_spec "$(at 2.6)" 1000000000 main.spin 500000000 | pbwrite >"$_hd/cpu0.pprof" &&
	{
		printf "##events\t6\n#time_ns\ttime\tkind\tname\n"
		for e in 0.5:phase-start:setup 2.5:phase-end:setup 2.5:phase-start:e2e \
		    4.5:phase-end:e2e 4.5:phase-start:teardown 7:phase-end:teardown; do
			printf "%s\t-\t%s\t%s\n" "$(at "${e%%:*}")" "$(echo "$e" | cut -d: -f2)" "${e##*:}"
		done
	} >"$RUN/test-events.tsv" &&
	memstats 9000 >"$_hd/memstats1.txt" &&
	memstats 9100 >"$_hd/memstats2.txt" &&
	memstats 9200 | sed "/^# NumGC/d" >"$_hd/memstats3.txt" &&
	{
		printf "%s\n" "$FETCH_HEADER" &&
		printf "2026-11-18T11:06:41.500Z\tweb\tmemstats\t1\tok\t200\t900\t3\tweb/memstats1.txt\n"
	} >"$RUN/collection.log" &&
	heap_spec "$(at 3)" /manager main.cache $((10 * MIB))/$((10 * MIB)) |
	    pbwrite >"$_hd/settle/baseline-heap.pprof" &&
	for k in 0 1 2; do
		heap_spec "$(at $((8 + 10 * k)))" /manager main.cache $((10 * MIB))/$((10 * MIB)) \
		    main.leak $(((2 + k) * MIB))/$(((2 + k) * MIB)) |
		    pbwrite >"$_hd/settle/heap$k.pprof" || return 1
	done &&
	run_tsv_of "$RUN" c 10 &&
	test_expect_code 1 dash "$E2E" analyze c >out 2>err
'

test_expect_success 'phases.tsv: phase-split of the series and the events, with the cores' '
	awk -F"\t" -v OFS="\t" "/^##/ { print; next } { print \$1, \$5, \$6, \$7, \$8, \$9, \$10, \$11, \$12 }" \
	    "$RUN/analysis/web.phases.tsv" >actual &&
	cat >expect <<-\EOT &&
	##phases	heap
	##series	web.heap.series.tsv
	##events	../test-events.tsv
	##cpu	web.cpu.series.tsv
	#phase	profiles	first_seq	last_seq	inuse_first	inuse_last	growth	alloc_during	cpu_cores
	setup	3	0	2	100	310	210	310	-
	e2e	3	2	4	310	970	660	1650	0.500000
	teardown	2	4	5	970	10	0	0	-
	EOT
	test_cmp expect actual
'

# setup, heap0 to heap2: allocated a 200, b 100, c 10; grew a 100, b 100,
# c 10. e2e, heap2 to heap4: allocated b 800, c 790, d 60 (a none); grew
# c 690, d 20 (b 0 and a -50 are not growth). teardown: two processes.
test_expect_success 'phase-top.tsv: top 3 allocators and growers per phase of one process' '
	cat >expect <<-\EOT &&
	##phase-top	web
	#phase	what	rank	value	function
	setup	alloc	1	200	main.a
	setup	alloc	2	100	main.b
	setup	alloc	3	10	main.c
	setup	growth	1	100	main.a
	setup	growth	2	100	main.b
	setup	growth	3	10	main.c
	e2e	alloc	1	800	main.b
	e2e	alloc	2	790	main.c
	e2e	alloc	3	60	main.d
	e2e	growth	1	690	main.c
	e2e	growth	2	20	main.d
	EOT
	test_cmp expect "$RUN/analysis/web.phase-top.tsv"
'

# memstats1's time is its collection.log line (T0 + 1.5 s); memstats2
# has none, so it is heap2's (T0 + 3 s); memstats3 has no NumGC.
test_expect_success 'memstats.tsv: the good blocks, timed by collection.log or the heap slot' '
	cat >expect <<-EOT &&
	##memstats	web
	#seq	time_ns	sys	heap_sys	heap_inuse	heap_idle	heap_released	stack_inuse	next_gc	num_gc	pause_total_ns	pauses	source
	1	$(at 1.5)	9000	4000	3000	1000	600	512	4194304	3	60	3	web/memstats1.txt
	2	$(at 3)	9100	4000	3000	1000	600	512	4194304	3	60	3	web/memstats2.txt
	EOT
	test_cmp expect "$RUN/analysis/web.memstats.tsv"
'

test_expect_success 'a bad MemStats block: an error of the unit, a row of bad-profiles.tsv' '
	grep "^e2e-profile: web: pprof-memstats: web/memstats3.txt: MemStats block without NumGC$" err &&
	grep "^e2e-profile: .*: 1 profiles could not be decoded" err &&
	printf "#unit\tkind\tfile\treason\nweb\tmemstats\tweb/memstats3.txt\tMemStats block without NumGC\n" >expect &&
	test_cmp expect "$RUN/analysis/bad-profiles.tsv" &&
	test -s "$RUN/analysis.md"
'

test_expect_success 'verdict.tsv: leak-verdict of the settle window against settle/baseline-heap.pprof' '
	pprof-decode "$RUN/web/settle/baseline-heap.pprof" >base &&
	pprof-decode "$RUN"/web/settle/heap0.pprof "$RUN"/web/settle/heap1.pprof \
	    "$RUN"/web/settle/heap2.pprof >settle &&
	leak-verdict base settle >direct &&
	sed "s|^##baseline	.*|##baseline	web/settle/baseline-heap.pprof|" direct >expect &&
	test_cmp expect "$RUN/analysis/web.verdict.tsv" &&
	grep "^##verdict	likely-leak$" expect
'

if test_have_prereq CORPUS; then
	test_expect_success 'settle goroutine profiles join the verdict; a bad settle profile is a bad profile' '
		g=$CORPUS/profiles/go-runtime-goroutine.pb.gz &&
		cp "$g" "$RUN/web/settle/baseline-goroutine.pprof" &&
		cp "$g" "$RUN/web/settle/goroutine0.pprof" &&
		cp "$g" "$RUN/web/settle/goroutine1.pprof" &&
		printf "not a profile" >"$RUN/web/settle/heap3.pprof" &&
		test_expect_code 1 dash "$E2E" analyze c >out 2>err &&
		grep "^##goroutines_baseline	3$" "$RUN/analysis/web.verdict.tsv" &&
		grep "^##goroutines_settled	3$" "$RUN/analysis/web.verdict.tsv" &&
		grep "^##goroutine_threshold	5$" "$RUN/analysis/web.verdict.tsv" &&
		grep "^##settle_profiles	3$" "$RUN/analysis/web.verdict.tsv" &&
		grep "^web	heap	web/settle/heap3.pprof	" "$RUN/analysis/bad-profiles.tsv" &&
		grep "^e2e-profile: web: pprof-decode: web/settle/heap3.pprof: " err &&
		rm "$RUN/web/settle/heap3.pprof" "$RUN"/web/settle/*goroutine*
	'
else
	test_skip 'settle goroutine profiles join the verdict' 'needs the corpus'
fi

test_expect_success 'no settle baseline: the first heap profile of the last process' '
	rm "$RUN/web/settle/baseline-heap.pprof" "$RUN/web/memstats3.txt" &&
	dash "$E2E" analyze c >out 2>err &&
	grep "^##baseline	web/heap5.pprof$" "$RUN/analysis/web.verdict.tsv"
'

test_expect_success 'absent inputs: no phases, phase-top, memstats or verdict, the rest analysed' '
	rm -r "$RUN/test-events.tsv" "$RUN/web/settle" "$RUN"/web/memstats*.txt &&
	dash "$E2E" analyze c >out 2>err &&
	sed "/^e2e-profile: analysis: /d" err >errs &&
	test_must_be_empty errs &&
	test -s "$RUN/analysis/web.heap.series.tsv" &&
	for k in phases phase-top memstats verdict; do
		test ! -e "$RUN/analysis/web.$k.tsv" || return 1
	done &&
	! ls -a "$RUN/analysis" | grep "tmp"
'

test_done
