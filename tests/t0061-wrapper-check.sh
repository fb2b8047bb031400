#!/bin/sh
test_description='e2e-profile check: budgets, a baseline, exit 0/1/2, the step summary; compare --write-budget, sets of runs given as lists'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

command -v dash >/dev/null 2>&1 || skip_all 'needs dash'
unset E2E_PROFILE_REPEAT E2E_PROFILE_SUMMARY_LIMIT GITHUB_STEP_SUMMARY

P=$E2E_PROFILE_DIR
MB=1048576

# fake_run RUN UNIT PEAK SLOPE CPU_NS CORES [ROWS]: a run directory whose
# analysis has the unit's heap series (ROWS rows, 3 by default, rising to
# PEAK) and CPU series: what check and set-stats read.
fake_run() {
	mkdir -p "$P/$1/analysis" &&
	awk -v u="$2" -v peak="$3" -v slope="$4" -v n="${7:-3}" 'BEGIN {
		OFS = "\t"
		print "##series", "heap"; print "##type", "inuse_space"
		print "##unit", "bytes"
		print "#seq", "time_ns", "elapsed_ns", "segment", "duration_ns",
		    "inuse_space/bytes", "source"
		for (i = 0; i < n; i++)
			printf "%d\t%d\t%d\t0\t0\t%d\t%s/heap%d.pprof\n", i,
			    1700000000 + i, i * 1000000000,
			    peak / 2 + peak / 2 * i / (n - 1), u, i
		print "##profiles", n; print "##peak", peak
		print "##peak_seq", n - 1; print "##slope_per_min", slope
		print "##span_ns", (n - 1) * 1000000000
		print "##alloc_space_during", 2 * peak
	}' >"$P/$1/analysis/$2.heap.series.tsv" &&
	{
		printf '##series\tcpu\n##type\tcpu\n##unit\tnanoseconds\n'
		printf '#seq\ttime_ns\telapsed_ns\tsegment\tduration_ns\tcpu/nanoseconds\tcores\tsource\n'
		printf '0\t1700000000\t0\t0\t1000000000\t%s\t%s\t%s/cpu0.pprof\n' \
		    $(($5 / 2)) "$6" "$2"
		printf '1\t1700000001\t1000000000\t0\t1000000000\t%s\t%s\t%s/cpu1.pprof\n' \
		    $(($5 / 2)) "$6" "$2"
		printf '##profiles\t2\n##cpu_ns\t%s\n##cores_mean\t%s\n' "$5" "$6"
	} >"$P/$1/analysis/$2.cpu.series.tsv"
}

test_setup 'five baseline runs and five runs that leak' '
	for i in 1 2 3 4 5; do
		fake_run base.$i demo $(((100 + i) * MB)) $((i * 1000)) \
		    $((400000000 + i * 10000000)) 0.2 &&
		fake_run new.$i demo $(((150 + i) * MB)) $((60 * MB + i * 1000)) \
		    $((400000000 + i * 10000000)) 0.2 || return 1
	done &&
	printf "#run\nbase.1\nbase.2\nbase.3\nbase.4\nbase.5\n" >"$P/base.set" &&
	printf "#run\nnew.1\nnew.2\nnew.3\nnew.4\nnew.5\n" >"$P/new.set"
'

# base: peaks 101..105 MB (median 103 MB = 108003328), heap rising from
# half the peak (mean 3/4 of it), slopes 1000..5000, CPU 410..450 ms,
# allocation twice the peak over 2 s.
test_expect_success 'compare --write-budget: medians plus the margin or the floor' '
	e2e_profile compare --write-budget budget.tsv --margin 10 base 2>err &&
	cat >expect <<-\EOT &&
	##baseline	base
	##margin	10
	#unit	figure	limit	relative
	demo	peak_heap	118803660.8	-
	demo	mean_heap	89102745.6	-
	demo	heap_slope	1051576	-
	demo	alloc_during	237607321.6	-
	demo	alloc_per_min	7128219648	-
	demo	cpu_ns	930000000	-
	demo	cores_mean	0.25	-
	EOT
	test_cmp expect budget.tsv &&
	grep "budget: budget.tsv (7 limits from base, margin 10%)" err
'

test_expect_success 'check: a leaking set over its budget: exit 1, one line per violated budget' '
	test_expect_code 1 e2e_profile check new --budget budget.tsv >out 2>err &&
	test_must_be_empty out &&
	grep "^e2e-profile: check: demo: " err >lines &&
	cut -d" " -f4 lines >got &&
	printf "%s\n" peak_heap mean_heap heap_slope alloc_during alloc_per_min >want &&
	test_cmp want got &&
	grep "^e2e-profile: check: demo: peak_heap 160432128 is over its budget 118803660.8 (limit 118803660.8)$" err &&
	grep "a budget is exceeded" err
'

test_expect_success 'check: a baseline run within its budget: exit 0' '
	test_expect_code 0 e2e_profile check base.3 --budget budget.tsv 2>err &&
	grep "check: base.3: all 7 budgets hold" err &&
	! grep "is over" err
'

test_expect_success 'check: relative limits against a baseline set (run given as a list)' '
	printf "#unit\tfigure\tlimit\trelative\ndemo\tpeak_heap\t-\t20%%\n" >rel.tsv &&
	test_expect_code 1 e2e_profile check new.1,new.2,new.3 --budget rel.tsv \
	    --baseline base 2>err &&
	grep "^e2e-profile: check: demo: peak_heap 159383552 is over its budget 129603993.6 (baseline 108003328)$" err &&
	test_expect_code 0 e2e_profile check base.1,base.2 --budget rel.tsv \
	    --baseline base 2>err
'

test_expect_success 'check: missing data is exit 2: no baseline, a unit no run has, no such run' '
	test_expect_code 2 e2e_profile check new --budget rel.tsv 2>err &&
	grep "^e2e-profile: check: demo: peak_heap: no baseline$" err &&
	printf "#unit\tfigure\tlimit\nnope\tpeak_heap\t1G\n" >nope.tsv &&
	test_expect_code 2 e2e_profile check new --budget nope.tsv 2>err &&
	grep "^e2e-profile: check: nope: peak_heap: missing$" err &&
	test_expect_code 2 e2e_profile check gone --budget budget.tsv 2>err &&
	grep "gone: no such run" err
'

test_expect_success 'check: usage errors are exit 2' '
	test_expect_code 2 e2e_profile check new 2>err &&
	grep "check: needs --budget FILE, --baseline RUN, or both" err &&
	test_expect_code 2 e2e_profile check --budget budget.tsv 2>err &&
	grep "check: needs a RUN" err &&
	test_expect_code 2 e2e_profile check new --budget nosuch.tsv 2>err &&
	grep "check: nosuch.tsv: no such budget file" err &&
	printf "#unit\tfigure\tlimit\ndemo\tpeak\t1\n" >typo.tsv &&
	test_expect_code 2 e2e_profile check new --budget typo.tsv 2>err &&
	grep "typo.tsv: row 1: no unit, or an unknown figure peak" err
'

test_expect_success 'check --baseline alone: a regression with p < 0.05 fails' '
	test_expect_code 1 e2e_profile check new --baseline base 2>err &&
	grep "^e2e-profile: check: demo: peak_heap regressed: 108003328 -> 160432128 (median), p = 0.007937$" err &&
	grep "^e2e-profile: check: demo: heap_slope regressed: " err &&
	! grep "cpu_ns regressed" err
'

test_expect_success 'check --baseline alone: two runs a side decide nothing: exit 0, said' '
	test_expect_code 0 e2e_profile check new.1,new.2 --baseline base.1,base.2 2>err &&
	grep "too few runs for the test to decide some figures" err &&
	grep "check: new.1,new.2: no figure of 7 regressed against base.1,base.2" err &&
	! grep "regressed:" err
'

test_expect_success 'the step summary: the verdict table first, into --step-summary FILE' '
	test_expect_code 1 e2e_profile check new --budget budget.tsv \
	    --baseline base --step-summary sum.md 2>err &&
	sed -n 1p sum.md >got &&
	echo "# e2e-profile check: new: ❌ 5 of 7 budgets exceeded" >want &&
	test_cmp want got &&
	sed -n 3,5p sum.md >got &&
	cat >want <<-\EOT &&
	| | unit | figure | value | allowed | limit | baseline | verdict |
	| --- | --- | --- | --- | --- | --- | --- | --- |
	| ❌ | `demo` | peak heap in use | 153MB | 113.30MB | 113.30MB | - | over |
	EOT
	test_cmp want got &&
	grep "^<details><summary>The figures against the baseline</summary>$" sum.md &&
	grep "^| heap slope | .* | \*\*regression\*\* |$" sum.md
'

test_expect_success 'the step summary: appended to GITHUB_STEP_SUMMARY' '
	echo "# earlier step output" >gh.md &&
	GITHUB_STEP_SUMMARY=$PWD/gh.md e2e_profile check base.3 --budget budget.tsv 2>err &&
	sed -n 1p gh.md >got &&
	echo "# earlier step output" >want &&
	test_cmp want got &&
	grep "^# e2e-profile check: base.3: ✅ all 7 budgets hold$" gh.md
'

test_setup 'a large run: 1500 units, 20 profiles each, and its analysis.md' '
	i=0 &&
	while [ $i -lt 1500 ]; do
		i=$((i + 1)) &&
		fake_run large unit-$i $((100 * MB + i)) 1000 400000000 0.2 20 || return 1
	done &&
	md-report analysis "$P/large" >"$P/large/analysis.md" &&
	say "analysis.md of the large run: $(wc -c <"$P/large/analysis.md") bytes" &&
	test "$(wc -c <"$P/large/analysis.md")" -gt 1048576
'

test_expect_success 'a large run: the summary stays under 1 MiB, trimmed with a note, fences whole' '
	printf "#unit\tfigure\tlimit\n*\tpeak_heap\t1G\n" >all.tsv &&
	e2e_profile check large --budget all.tsv --step-summary big.md 2>err &&
	size=$(wc -c <big.md) &&
	say "step summary: $size bytes" &&
	test "$size" -le 1048576 &&
	test "$size" -gt 900000 &&
	sed -n 1p big.md >got &&
	echo "# e2e-profile check: large: ✅ all 1500 budgets hold" >want &&
	test_cmp want got &&
	grep "^\*Trimmed: large/analysis.md is [0-9]* bytes, more than fits in the step summary" big.md &&
	test "$(grep -c "^\`\`\`" big.md)" -gt 100 &&
	test $(($(grep -c "^\`\`\`" big.md) % 2)) = 0 &&
	tail -n 1 big.md >got &&
	echo "</details>" >want &&
	test_cmp want got
'

R=$TESTS/render
if command -v node >/dev/null 2>&1 && [ -x "${CHROMIUM:-/usr/bin/chromium}" ] &&
    [ -d "$R/node_modules/mermaid" ]; then
	test_expect_success 'a trimmed summary renders in the browser: every chart inside <details> whole' '
		i=0 &&
		while [ $i -lt 6 ]; do
			i=$((i + 1)) &&
			fake_run small unit-$i $((100 * MB + i)) 1000 400000000 0.2 5 || return 1
		done &&
		md-report analysis "$P/small" >"$P/small/analysis.md" &&
		E2E_PROFILE_SUMMARY_LIMIT=6000 e2e_profile check small \
		    --budget all.tsv --step-summary small.md 2>err &&
		test "$(wc -c <small.md)" -le 6000 &&
		grep "^\*Trimmed: small/analysis.md" small.md &&
		node "$R/render.mjs" small.md small.png >charts &&
		cat charts >&2 &&
		test "$(grep -c "xychart-beta	points [0-9]" charts)" -ge 1 &&
		! grep error charts
	'
else
	test_skip 'the summary in the browser' 'needs node, chromium and tests/render/node_modules'
fi

test_done
