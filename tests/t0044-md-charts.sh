#!/bin/sh
test_description='md-report: chart points under their own time, from runs whose profile times jitter as real ones do'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"
. "$TESTS/lib-wrapper.sh"

# The test started at T0; STARTED_NS is T0 in run.tsv's own precision.
STARTED_NS=$T0
E2E_PROFILE_DIR=$TRASH/profiles
export E2E_PROFILE_DIR

# heap_run NAME DURATION TIME:MIB[:ALLOC]...: a run of one unit, web,
# with one heap profile per argument, MIB in use and ALLOC allocated so
# far (by default 1 MiB more a profile; less than before: a restart),
# then the wrapper's analysis of it.
heap_run() {
	n=$1 d=$E2E_PROFILE_DIR/$1 dur=$2
	shift 2
	mkdir -p "$d/web" &&
	i=0 && for p in "$@"; do
		v=${p#*:} && alloc=$((i + 1)) &&
		case $v in *:*) alloc=${v#*:} v=${v%:*} ;; esac &&
		heap_spec "$(at "${p%%:*}")" /manager main.cache \
		    "$((1048576 * alloc))/$(awk -v m="$v" "BEGIN { printf \"%d\", m * 1048576 }")" |
		    pbwrite >"$d/web/heap$i.pprof" || return 1
		i=$((i + 1))
	done &&
	run_tsv_of "$d" "$n" "$dur" &&
	dash "$E2E" analyze "$n" >/dev/null 2>&1
}

# The jitter of a real run: profiles every 10 s from 5 s after the start,
# a few ms late, one 40 ms late, and an extra final profile 0.7 s after
# the last scheduled one.
test_setup 'runs with jittered profile times' '
	heap_run short 100 5.003:20 15.001:21 25.04:35.5 35.002:22 45.007:23 \
	    55.001:24 65.003:25 75.009:26 85.002:27 85.7:27.5 &&
	args="" && i=0 && while [ $i -lt 100 ]; do
		m=$((100 + i)) && [ $i -eq 37 ] && m=400
		args="$args $((10 * i + 5)).00$((i % 7)):$m" && i=$((i + 1))
	done &&
	heap_run long 1010 $args &&
	heap_run b 110 5.002:20 15.003:20.5 25.001:21 35.004:21.5 45.002:22 \
	    55.003:22.5 65.001:23 75.002:23.5 85.001:24 95.003:24.5 &&
	heap_run restart 60 5.001:30:1 15.002:40:2 25.003:50:3 35.001:10:1 45.002:20:2
'

test_expect_success 'up to 40 profiles: each point is a profile, under its own time' '
	chart_points "$E2E_PROFILE_DIR/short/analysis.md" 1 1 >points &&
	samples "$E2E_PROFILE_DIR/short/analysis/web.heap.series.tsv" $STARTED_NS >samples &&
	test "$(wc -l <points)" = 10 &&
	unmatched points samples 0.5 >bad &&
	test_must_be_empty bad
'

test_expect_success 'labels are distinct, in seconds since the test started' '
	grep "^    x-axis" "$E2E_PROFILE_DIR/short/analysis.md" >got &&
	echo "    x-axis \"time since the test started (s)\" [5, 15, 25, 35, 45, 55, 65, 75, 85, 85.7]" >expect &&
	test_cmp expect got
'

test_expect_success 'profiles 10 s apart: labels in whole seconds' '
	grep "^    x-axis" "$E2E_PROFILE_DIR/b/analysis.md" >got &&
	echo "    x-axis \"time since the test started (s)\" [5, 15, 25, 35, 45, 55, 65, 75, 85, 95]" >expect &&
	test_cmp expect got
'

test_expect_success 'elapsed time is from the start everywhere: the peak 25 s in' '
	grep "^| web |" "$E2E_PROFILE_DIR/short/analysis.md" | cut -d"|" -f3 >got &&
	echo " 35.50MB at 25s " >expect &&
	test_cmp expect got &&
	grep "^### web: in use at the peak" "$E2E_PROFILE_DIR/short/analysis.md" >got &&
	echo "### web: in use at the peak (web/heap2.pprof, 25s since the test started)" >expect &&
	test_cmp expect got
'

test_expect_success 'more than 40: 40 points, each the highest profile within half a step, the peak drawn' '
	chart_points "$E2E_PROFILE_DIR/long/analysis.md" 1 1 >points &&
	samples "$E2E_PROFILE_DIR/long/analysis/web.heap.series.tsv" $STARTED_NS >samples &&
	test "$(wc -l <points)" = 40 &&
	awk "BEGIN { for (i = 0; i < 40; i++) printf \"%.6f\n\", 5.000 + i * (995.001 - 5) / 39 }" >grid &&
	cut -d" " -f1 points | paste -d" " - grid | awk "{ d = \$1 - \$2; if (d < 0) d = -d; if (d > 0.3) print }" >bad &&
	test_must_be_empty bad &&
	cut -d" " -f2 points | paste -d" " grid - >exact &&
	unmatched exact samples $(awk "BEGIN { print (995.001 - 5) / 39 / 2 }") >bad &&
	test_must_be_empty bad &&
	grep -c " 400$" points >n &&
	test "$(cat n)" = 1 &&
	cut -d" " -f1 points | sort -u | wc -l >n &&
	test "$(cat n)" = 40 &&
	grep "^    x-axis" "$E2E_PROFILE_DIR/long/analysis.md" | cut -d, -f1-2 >got &&
	echo "    x-axis \"time since the test started (min)\" [0.08, 0.51" >expect &&
	test_cmp expect got
'

test_expect_success 'a restart is a drop to 0 between the processes, not a line' '
	chart_points "$E2E_PROFILE_DIR/restart/analysis.md" 1 1 >points &&
	cat >expect <<-\EOT &&
	5.000000 30
	15.000000 40
	25.000000 50
	30.000000 0
	35.000000 10
	45.000000 20
	EOT
	test_cmp expect points &&
	grep "^The process restarted" "$E2E_PROFILE_DIR/restart/analysis.md" >got &&
	echo "The process restarted 1 time at 35s: the line drops to 0 between two processes (where no profile of either falls)." >expect &&
	test_cmp expect got
'

test_expect_success 'two runs on one axis: each line under its own profiles, a shorter run stops' '
	dash "$E2E" compare short b >/dev/null 2>&1 &&
	report=$E2E_PROFILE_DIR/comparisons/short-vs-b.md &&
	samples "$E2E_PROFILE_DIR/short/analysis/web.heap.series.tsv" $STARTED_NS >sa &&
	samples "$E2E_PROFILE_DIR/b/analysis/web.heap.series.tsv" $STARTED_NS >sb &&
	chart_points "$report" 1 1 >pa &&
	chart_points "$report" 1 2 >pb &&
	grep "^    x-axis" "$report" >got &&
	echo "    x-axis \"time since the test started (s)\" [5, 15, 25, 35, 45, 55, 65, 75, 85, 95]" >expect &&
	test_cmp expect got &&
	test "$(wc -l <pa)" = 9 &&
	test "$(wc -l <pb)" = 10 &&
	unmatched pa sa 5 >bad &&
	unmatched pb sb 5 >>bad &&
	test_must_be_empty bad &&
	head -3 pa >got &&
	printf "5.000000 20\n15.000000 21\n25.000000 35.5\n" >expect &&
	test_cmp expect got
'

test_expect_success 'the charts render' '
	command -v node >/dev/null 2>&1 || { say "# skipped: needs node"; return 0; }
	[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { say "# skipped: needs chromium"; return 0; }
	[ -d "$TESTS/render/node_modules/mermaid" ] || { say "# skipped: needs tests/render/node_modules"; return 0; }
	node "$TESTS/render/render.mjs" "$E2E_PROFILE_DIR/comparisons/short-vs-b.md" cmp.png >got &&
	printf "chart 0\txychart-beta\tpoints 9,10\n" >expect &&
	test_cmp expect got &&
	node "$TESTS/render/render.mjs" "$E2E_PROFILE_DIR/restart/analysis.md" restart.png >got &&
	printf "chart 0\txychart-beta\tpoints 6\n" >expect &&
	test_cmp expect got
'

test_done
