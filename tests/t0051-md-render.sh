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

test_done
