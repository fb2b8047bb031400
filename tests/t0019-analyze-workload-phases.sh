#!/bin/sh
test_description='analyze on a workload run that leaks in one phase only: that phase grew, its allocation is go tool pprof -base, the cores, MemStats, the verdict'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

# go tool pprof keeps state under HOME (lib-wrapper.sh made it TRASH).
RUN=$E2E_PROFILE_DIR/r
RATE=2097152		# bytes per second, main.leakyRetain, during e2e only

# get PATH FILE: the workload's PATH into RUN/web/FILE.
get() {
	curl -sf -o "$RUN/web/$2" "$W$1"
}

# ev KIND NAME: a test-events row, now.
ev() {
	printf '%s\t-\t%s\t%s\n' "$(date +%s%N)" "$1" "$2" >>"$RUN/test-events.tsv"
}

# A run as the wrapper lays it out: setup (heap0, heap1), e2e (the
# boundary profile heap2, the settle baseline, the leak on, a CPU window,
# heap3 with its MemStats, the leak off), teardown (heap4 at the
# boundary, the settle window, heap5). Every allocation sampled
# (-memprofilerate 1) and every heap profile after a GC (?gc=1), without
# the JSON churn, so that each phase's growth is its own.
test_setup 'a workload run: three phases, the leak in e2e alone' '
	mkdir -p "$RUN/web/settle" &&
	printf "##events\t6\n#time_ns\ttime\tkind\tname\n" >"$RUN/test-events.tsv" &&
	start_server W workload -leak 0 -churn 0 -memprofilerate 1 &&
	ev phase-start setup && get "/debug/pprof/heap?gc=1" heap0.pprof &&
	sleep 1 && get "/debug/pprof/heap?gc=1" heap1.pprof &&
	ev phase-end setup && ev phase-start e2e &&
	get "/debug/pprof/heap?gc=1" heap2.pprof &&
	get "/debug/pprof/heap?gc=1" settle/baseline-heap.pprof &&
	get "/debug/pprof/goroutine" settle/baseline-goroutine.pprof &&
	curl -sf -X POST "$W/leak?bytes=$RATE" >/dev/null &&
	get "/debug/pprof/profile?seconds=1" cpu0.pprof &&
	get "/debug/pprof/heap?gc=1" heap3.pprof &&
	get "/debug/pprof/heap?debug=1" memstats3.txt &&
	curl -sf -X POST "$W/leak?bytes=0" >/dev/null &&
	ev phase-end e2e && ev phase-start teardown &&
	get "/debug/pprof/heap?gc=1" heap4.pprof &&
	for k in 0 1 2; do
		get "/debug/pprof/heap?gc=1" settle/heap$k.pprof &&
		get "/debug/pprof/goroutine" settle/goroutine$k.pprof || return 1
		[ $k = 2 ] || sleep 1
	done &&
	get "/debug/pprof/heap?gc=1" heap5.pprof &&
	ev phase-end teardown &&
	stop_servers &&
	printf "#key\tvalue\nname\tr\ntarget\ttest-e2e\nexit_status\t0\nstarted\t%s\nduration_s\t6\n" \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$RUN/run.tsv" &&
	dash "$E2E" analyze r >out 2>err &&
	A=$RUN/analysis
'

# col FILE PHASE COLUMN: a phase's figure in phases.tsv.
col() {
	awk -F'\t' -v p="$2" -v c="$3" '/^#phase/ { for (i = 1; i <= NF; i++) if ($i == c || $i == "#" c) n = i }
	    $1 == p { print $n }' "$1"
}

test_expect_success 'the phase that leaked grew, the others hardly; phase-top names main.leakyRetain' '
	e2e=$(col "$A/web.phases.tsv" e2e growth) &&
	setup=$(col "$A/web.phases.tsv" setup growth) &&
	teardown=$(col "$A/web.phases.tsv" teardown growth) &&
	say "growth: setup $setup, e2e $e2e, teardown $teardown" &&
	test "$e2e" -gt $((RATE / 2)) &&
	test "$setup" -lt $((RATE / 4)) && test "$teardown" -lt $((RATE / 4)) &&
	awk -F"\t" "\$1 == \"e2e\" && \$2 == \"growth\" && \$3 == 1 { print \$5 }" \
	    "$A/web.phase-top.tsv" >top &&
	echo main.leakyRetain >expect &&
	test_cmp expect top
'

# The oracle: go tool pprof -top -base FIRST LAST of a phase, in bytes:
# what its nodes account for (with -nodefraction=0 every node, so the sum
# of the difference; the "of N total" after it is B's own total) and
# each function's flat.
oracle() {
	go tool pprof -top -nodefraction=0 -symbolize=none -unit=B \
	    -sample_index="$1" -base "$RUN/$2" "$RUN/$3" >pprof.out 2>/dev/null &&
	sed -n "s/^Showing nodes accounting for \(-\{0,1\}[0-9]*\)B\{0,1\}, .*/\1/p" pprof.out >total &&
	test -s total &&
	sed -n "/^ *flat  *flat%/,\$p" pprof.out | sed 1d |
	    sed -E "s/^ *(-?[0-9]+)B +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +(.*)\$/\2	\1/
		s/ \((partial-)?inline\)	/	/" | LC_ALL=C sort >flat
}

# phase_files PHASE: the first and last profile of a phase, from the series.
phase_files() {
	f=$(col "$A/web.phases.tsv" "$1" first_seq) &&
	l=$(col "$A/web.phases.tsv" "$1" last_seq) &&
	printf "web/heap%s.pprof web/heap%s.pprof\n" "$f" "$l"
}

for p in setup e2e teardown; do
	test_expect_success "$p: alloc_during and phase-top are go tool pprof -sample_index=alloc_space -base first last" "
		set -- \$(phase_files $p) &&
		say \"$p: \$1 .. \$2\" &&
		oracle alloc_space \$1 \$2 &&
		col \"\$A/web.phases.tsv\" $p alloc_during >ours &&
		test_cmp total ours &&
		awk -F'\t' -v OFS='\t' '\$1 == \"$p\" && \$2 == \"alloc\" { print \$5, \$4 }' \
		    \"\$A/web.phase-top.tsv\" | LC_ALL=C sort >top &&
		test \$(wc -l <top) = 3 &&
		join -t '	' top flat >both &&
		awk -F'\t' '\$2 != \$3 { print \"differ:\", \$0; bad = 1 } END { exit bad }' both &&
		test \$(wc -l <both) = 3 &&
		oracle inuse_space \$1 \$2 &&
		col \"\$A/web.phases.tsv\" $p growth >ours &&
		test_cmp total ours
	"
done

test_expect_success 'cpu_cores: the CPU window inside e2e, none in the others' '
	awk -F"\t" "!/^#/ { print \$8 }" "$A/web.cpu.series.tsv" >expect &&
	col "$A/web.phases.tsv" e2e cpu_cores >actual &&
	test_cmp expect actual &&
	col "$A/web.phases.tsv" setup cpu_cores >actual &&
	echo - >expect &&
	test_cmp expect actual
'

test_expect_success 'memstats.tsv: the block of slot 3, at heap3'"'"'s time (no collection.log)' '
	awk -F"\t" "!/^#/ && \$1 == 3 { print \$2 }" "$A/web.heap.series.tsv" >expect &&
	awk -F"\t" "!/^#/ { print \$2 }" "$A/web.memstats.tsv" >actual &&
	test_cmp expect actual &&
	pprof-memstats "$RUN/web/memstats3.txt" >direct &&
	grep -v "^#" direct | cut -f2-11 >expect &&
	grep -v "^#" "$A/web.memstats.tsv" | cut -f3-12 >actual &&
	test_cmp expect actual
'

test_expect_success 'verdict.tsv: the leak stopped with e2e: bounded, main.leakyRetain first' '
	grep "^##verdict	bounded$" "$A/web.verdict.tsv" &&
	grep "^##baseline	web/settle/baseline-heap.pprof$" "$A/web.verdict.tsv" &&
	grep "^##settle_profiles	3$" "$A/web.verdict.tsv" &&
	grep "^##goroutines_baseline	[0-9][0-9]*$" "$A/web.verdict.tsv" &&
	grep "^##goroutines_settled	[0-9][0-9]*$" "$A/web.verdict.tsv" &&
	grep -v "^#" "$A/web.verdict.tsv" | head -n 1 | cut -f1,2 >actual &&
	printf "heap\tmain.leakyRetain\n" >expect &&
	test_cmp expect actual &&
	say "$(sed -n "s/^##reason	//p" "$A/web.verdict.tsv")"
'

test_done
