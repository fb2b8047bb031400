#!/bin/sh
test_description='md-report output renders in a real browser: every Mermaid chart parses and has data'
. "$(dirname "$0")/lib.sh"

R=$TESTS/render
command -v node >/dev/null 2>&1 || skip_all 'needs node (make deps)'
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || skip_all 'needs chromium (make deps)'
[ -d "$R/node_modules/mermaid" ] || skip_all 'needs tests/render/node_modules (make render-deps)'

# The screenshots stay under tests/artifacts for a person to look at.
ART=$TESTS/artifacts

test_expect_success 'the analysis report: both charts render with their points' '
	node "$R/render.mjs" "$TESTS/golden/analysis.md" "$ART/analysis.png" >actual &&
	printf "chart 0\txychart-beta\tpoints 3\nchart 1\txychart-beta\tpoints 2\n" >expect &&
	test_cmp expect actual &&
	test -s "$ART/analysis.png"
'

test_expect_success 'the comparison report: one chart, two lines' '
	node "$R/render.mjs" "$TESTS/golden/compare.md" "$ART/compare.png" >actual &&
	printf "chart 0\txychart-beta\tpoints 3,3\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a chart mermaid cannot parse fails the check' '
	printf "# x\n\n\`\`\`mermaid\nxychart-beta\n    line [1, oops\n\`\`\`\n" >bad.md &&
	test_expect_code 1 node "$R/render.mjs" bad.md bad.png >out &&
	grep "^chart 0	xychart-beta	points -	error " out
'

test_expect_success 'a chart without data points fails the check' '
	printf "# x\n\n\`\`\`mermaid\nxychart-beta\n    x-axis [a]\n    line [1]\n\`\`\`\n" >empty.md &&
	test_expect_code 1 node "$R/render.mjs" empty.md empty.png >out &&
	grep "^chart 0	xychart-beta	points 1$" out
'

test_expect_success 'a long run is bucketed and still renders, peak kept' '
	mkdir -p long/analysis &&
	{
		printf "##series\theap\n##type\tinuse_space\n##unit\tbytes\n##peak\t999999999\n##peak_seq\t150\n" &&
		printf "#seq\ttime_ns\telapsed_ns\tsegment\tinuse_space/bytes\tsource\n" &&
		i=0 && while [ $i -lt 360 ]; do
			v=$((100000000 + i * 100000))
			[ $i -eq 150 ] && v=999999999
			printf "%d\t%d\t%d\t0\t%d\th%d\n" $i $((i * 10000000000)) $((i * 10000000000)) $v $i
			i=$((i + 1))
		done
	} >long/analysis/big.heap.series.tsv &&
	md-report analysis long >long.md &&
	grep -c "^    line \[" long.md >n && test "$(cat n)" = 1 &&
	grep "^    line \[" long.md | tr -d "[]," | tr " " "\n" | grep -c . >points &&
	test "$(cat points)" = 41 &&
	grep "^    line \[.*953.67" long.md &&
	node "$R/render.mjs" long.md "$ART/long.png" >actual &&
	printf "chart 0\txychart-beta\tpoints 40\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the report of a run with phases: the phases named in the x labels as drawn' '
	LABELS=1 node "$R/render.mjs" "$TESTS/golden/analysis-phases.md" "$ART/analysis-phases.png" >actual &&
	printf "chart 0\txychart-beta\tpoints 6\tlabels 5 cluster|15 deploy|25 e2e|35|45|55 teardown\nchart 1\txychart-beta\tpoints 6,6,6\tlabels 5|15|25|35|45|55\n" >expect &&
	test_cmp expect actual &&
	LABELS=1 node "$R/render.mjs" "$TESTS/golden/compare-phases.md" "$ART/compare-phases.png" >actual &&
	printf "chart 0\txychart-beta\tpoints 6,6\tlabels 5|15|25|35|45|55\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a long run with phases: 40 points, numbered marks, a legend' '
	{
		printf "##phases\theap\n#phase\tstart_ns\tend_ns\tduration_ns\tprofiles\tfirst_seq\tlast_seq\tinuse_first\tinuse_last\tgrowth\talloc_during\tcpu_cores\n" &&
		for p in kind-cluster:0 image-build-and-load:300 deploy:600 wait-for-rollout:900 e2e-parallel:1200 e2e-serial:2400 coverage:3300 teardown:3500; do
			printf "%s\t%d\t0\t0\t0\t-\t-\t-\t-\t-\t-\t-\n" "${p%:*}" $((${p#*:} * 1000000000)) || return 1
		done
	} >long/analysis/big.phases.tsv &&
	md-report analysis long >long-phases.md &&
	LABELS=1 node "$R/render.mjs" long-phases.md "$ART/long-phases.png" >actual &&
	grep "^chart 0	xychart-beta	points 40	labels " actual >line &&
	sed "s/.*	labels //" line | tr "|" "\n" | grep " P[0-9]" >got &&
	printf "%s\n" "0 P1" "6.1 P2" "10.7 P3" "15.3 P4" "21.5 P5" "41.4 P6" "55.2 P7" "59.8 P8" >expect &&
	test_cmp expect got &&
	grep "^A Pn in an x label is the phase that starts there, .*: P1 \`kind-cluster\`, P2 \`image-build-and-load\`, P3 \`deploy\`, P4 \`wait-for-rollout\`, P5 \`e2e-parallel\`, P6 \`e2e-serial\`, P7 \`coverage\`, P8 \`teardown\`.\$" long-phases.md
'

test_done
