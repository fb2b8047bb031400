#!/bin/sh
test_description='e2e-profile run: the test stamped and its phases live, a heap profile at each phase start, MemStats every 3rd slot, baseline and settle window with the test held'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'
for c in dash curl; do
	command -v $c >/dev/null 2>&1 || skip_all "needs $c"
done

# ns RFC3339: the time in ns since the epoch (GNU date).
ns() {
	date -u -d "$1" +%s%N
}

test_setup 'a workload that leaks only when told, the phase target' '
	start_server W workload -leak 0 -churn 0 -cpu 0 &&
	phases_fixture
'

run=ph
test_expect_success 'the run passes; its output and stream files are there' '
	phases_run ph &&
	test_must_be_empty ph.out &&
	d=$E2E_PROFILE_DIR/ph &&
	test -s "$d/test.log" && test -s "$d/test.stamped.log" &&
	test -s "$d/test-events.tsv" &&
	grep "^e2e-profile: settle window: 4s of heap and goroutine profiles at the end of the main phase (e2e-serial) (the test is held)$" ph.err
'

test_expect_success 'test.stamped.log is test.log, each line stamped in ns, in order' '
	d=$E2E_PROFILE_DIR/ph &&
	cut -f2- "$d/test.stamped.log" >actual &&
	test_cmp "$d/test.log" actual &&
	cut -f1 "$d/test.stamped.log" >stamps &&
	awk "!/^[0-9]+\$/ || length(\$1) != 19 || \$1 < last { print \"bad stamp \" \$0; bad = 1 } { last = \$1 } END { exit bad }" stamps
'

test_expect_success 'test-events.tsv: the header, the phases in order, the godog and go test events' '
	d=$E2E_PROFILE_DIR/ph &&
	sed -n 1,3p "$d/test-events.tsv" >actual &&
	printf "##events\ttest-events\n##patterns\tbuilt-in\n#time_ns\ttime\tkind\tname\n" >expect &&
	test_cmp expect actual &&
	phase_starts ph >actual &&
	printf "%s\n" cluster build e2e-parallel e2e-serial coverage teardown >expect &&
	test_cmp expect actual &&
	awk -F"\t" "\$3 ~ /^(feature|scenario|test-)/ { print \$3, \$4 }" "$d/test-events.tsv" >actual &&
	cat >expect <<-\EOF &&
	test-start TestFeatures
	feature Install ClusterExtension
	scenario Install latest available version
	test-pass TestFeatures
	feature Serial things
	scenario One at a time
	EOF
	test_cmp expect actual
'

test_expect_success 'every phase after the first has its boundary heap profile: a mark line with its name, then the profile of that seq' '
	d=$E2E_PROFILE_DIR/ph &&
	marks ph w >m &&
	cut -d" " -f2 m >actual &&
	printf "%s\n" build e2e-parallel e2e-serial coverage teardown >expect &&
	test_cmp expect actual &&
	sort -n -c m &&
	while read -r seq ph; do
		awk -F"\t" -v s="$seq" "\$3 == \"heap\" && \$4 == s && \$5 == \"ok\" { print \$9 }" \
		    "$d/collection.log" >actual &&
		echo "w/heap$seq.pprof" >expect &&
		test_cmp expect actual &&
		test -s "$d/w/heap$seq.pprof" || { echo "phase $ph: seq $seq"; exit 1; }
	done <m
'

test_expect_success 'one heap series 0..N-1 in time order, the boundary profiles in it' '
	d=$E2E_PROFILE_DIR/ph &&
	ls "$d/w" | sed -n "s/^heap\([0-9]*\)\.pprof$/\1/p" | sort -n >actual &&
	n=$(wc -l <actual) &&
	seq 0 $((n - 1)) >expect &&
	test_cmp expect actual &&
	awk -F"\t" "\$3 == \"heap\" && \$5 == \"ok\" { print \$1, \$4 }" "$d/collection.log" |
	    sort -k1,1 >bytime &&
	cut -d" " -f2 bytime >actual &&
	sort -n actual >expect &&
	test_cmp expect actual
'

test_expect_success 'MemStats: memstatsN.txt every 3rd heap slot of the schedule, each a good block, logged as memstats' '
	d=$E2E_PROFILE_DIR/ph &&
	ls "$d/w" | sed -n "s/^memstats\([0-9]*\)\.txt$/\1/p" | sort -n >actual &&
	last=$(ls "$d/w" | sed -n "s/^heap\([0-9]*\)\.pprof$/\1/p" | sort -n | tail -n 1) &&
	seq 0 3 $((last - 1)) >expect &&
	test_cmp expect actual &&
	awk -F"\t" "\$3 == \"memstats\" && \$5 == \"ok\" { print \$4 }" "$d/collection.log" | sort -n >logged &&
	test_cmp expect logged &&
	pprof-memstats "$d"/w/memstats*.txt >rows &&
	test "$(grep -c -v "^#" rows)" = "$(wc -l <expect)" &&
	test "$(run_tsv memstats_every)" = 3
'

test_expect_success 'settle: the baseline, 5 heap and goroutine profiles, no goroutineleak (404, said once)' '
	d=$E2E_PROFILE_DIR/ph &&
	ls "$d/w/settle" >actual &&
	printf "%s\n" baseline-goroutine.pprof baseline-heap.pprof goroutine0.pprof \
	    goroutine1.pprof goroutine2.pprof goroutine3.pprof goroutine4.pprof \
	    heap0.pprof heap1.pprof heap2.pprof heap3.pprof heap4.pprof >expect &&
	test_cmp expect actual &&
	pprof-decode "$d"/w/settle/*.pprof >/dev/null &&
	awk -F"\t" "\$3 ~ /^(settle|baseline)-/ && !/^#/ { print \$3, \$5 }" "$d/collection.log" |
	    sort | uniq -c | sed "s/^ *//" >actual &&
	printf "%s\n" "1 baseline-goroutine ok" "1 baseline-heap ok" \
	    "5 settle-goroutine ok" "1 settle-goroutineleak error" "5 settle-heap ok" >expect &&
	test_cmp expect actual &&
	grep -c "${TAB}w${TAB}goroutineleak${TAB}not served (HTTP 404)$" "$d/events.tsv" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'run.tsv: settle done, its window and the main phase from test-events.tsv' '
	d=$E2E_PROFILE_DIR/ph &&
	test "$(run_tsv settle)" = done &&
	awk -F"\t" "\$3 == \"phase-start\" && \$4 == \"e2e-parallel\" { print \$2 }" "$d/test-events.tsv" >expect &&
	run_tsv main_start >actual &&
	test_cmp expect actual &&
	awk -F"\t" "\$3 == \"phase-start\" && \$4 == \"e2e-serial\" { print \$2 }" "$d/test-events.tsv" >expect &&
	run_tsv main_end >actual &&
	test_cmp expect actual &&
	awk -F"\t" "\$3 == \"settle-heap\" && \$4 == 0 { print \$1 }" "$d/collection.log" >expect &&
	run_tsv settle_start >actual &&
	test_cmp expect actual &&
	awk -F"\t" "\$3 == \"settle-heap\" && \$4 == 4 { print \$1 }" "$d/collection.log" >expect &&
	run_tsv settle_end >actual &&
	test_cmp expect actual
'

test_expect_success 'the test was held for the window: its next line came after the last settle profile, then it resumed' '
	d=$E2E_PROFILE_DIR/ph &&
	went_on=$(sed -n "s/^serial: going on \([0-9]*\)$/\1/p" "$d/test.log") &&
	last=$(ns "$(run_tsv settle_end)") &&
	test "$went_on" -gt "$last" || { echo "went on at $went_on, settle ended $last"; exit 1; }
	cut -f3 "$d/events.tsv" | grep -E "^(baseline|test-held|settle|test-resumed)$" >actual &&
	printf "%s\n" baseline test-held settle test-resumed >expect &&
	test_cmp expect actual
'

test_expect_success 'the leak ran in the parallel phase only: main.leakyRetain grew there, not after' '
	d=$E2E_PROFILE_DIR/ph &&
	par=$(awk "\$2 == \"e2e-parallel\" { print \$1 }" m) &&
	ser=$(awk "\$2 == \"e2e-serial\" { print \$1 }" m) &&
	cov=$(awk "\$2 == \"coverage\" { print \$1 }" m) &&
	for s in $par $ser $cov; do
		pprof-decode "$d/w/heap$s.pprof" >dec.$s &&
		pprof-top -t inuse_space dec.$s >top.$s || exit 1
	done &&
	leak() { awk -F"\t" "\$6 == \"main.leakyRetain\" { print \$1 }" "top.$1"; } &&
	a=$(leak $par) b=$(leak $ser) c=$(leak $cov) &&
	echo "parallel ${a:-0} serial ${b:-0} coverage ${c:-0}" &&
	test "${b:-0}" -gt "${a:-0}" &&
	test "${c:-0}" = "${b:-0}"
'

test_expect_success 'E2E_PROFILE_SETTLE=0: no settle directory, no hold, settle off' '
	phases_run off E2E_PROFILE_SETTLE=0 &&
	d=$E2E_PROFILE_DIR/off &&
	test ! -e "$d/w/settle" &&
	test "$(run_tsv settle off)" = off &&
	test "$(run_tsv settle_start off)" = - &&
	! grep -E "${TAB}(test-held|baseline|settle)${TAB}" "$d/events.tsv" &&
	! grep "settle window" off.err &&
	marks off w | cut -d" " -f2 >actual &&
	printf "%s\n" build e2e-parallel e2e-serial coverage teardown >expect &&
	test_cmp expect actual
'

test_done
