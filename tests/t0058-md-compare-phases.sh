#!/bin/sh
test_description='md-report compare: phases matched by name, per-phase deltas, the phase a regression came from'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"

TAB=$(printf '\t')

# In B main.leak grows by 12 MiB in e2e, not 6 (and allocates 6 MiB
# more), deploy allocates within noise, a coverage phase comes in
# before teardown.
test_setup 'two runs with phases: B grows twice as much in e2e' '
	phase_run a &&
	PHASE_MIB="1:1 1:2 2:4 6:10 10:16 14:22" phase_run b &&
	awk -F"$TAB" -v OFS="$TAB" '\''
	$1 == "e2e" { $9 = 18874368; $10 = 12582912; $11 = 31457280 }
	$1 == "deploy" { $11 = 3200000 }
	$1 == "teardown" { $8 = $9 = 18874368; print "coverage", $2, $2, 0, 1, 5, 5, 18874368, 18874368, 0, 0, "-" }
	{ print }'\'' a/analysis/web.phases.tsv >b/analysis/web.phases.tsv &&
	mkdir diffs &&
	md-report compare a b diffs >ab.md &&
	sed -n "/^## Phases/,/^## Top allocators/p" ab.md >phases
'

test_expect_success 'the comparison of runs with phases is what it was (golden file)' '
	test_cmp "$TESTS/golden/compare-phases.md" ab.md
'

test_expect_success 'one row a phase in both runs: growth and allocation, A, B, change, verdict' '
	sed -n "/^| phase /,/^\$/p" phases >got &&
	cat >expect <<-\EOT &&
	| phase | A: growth | B: growth | change | verdict | A: allocated | B: allocated | change | verdict |
	| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |
	| cluster | 0 | 0 | ±0 | within noise | 1MB | 1MB | ±0 | within noise |
	| deploy | 1MB | 1MB | ±0 | within noise | 3MB | 3.05MB | +53kB | within noise |
	| e2e | 6MB | 12MB | +6MB | regression | 24MB | 30MB | +6MB | regression |
	| teardown | 0 | 0 | ±0 | within noise | 0 | 0 | ±0 | within noise |

	EOT
	test_cmp expect got
'

test_expect_success 'a phase of one run only is named' '
	grep "^Phases only in B: \`coverage\`.\$" phases &&
	! grep "^Phases only in A" phases
'

test_expect_success 'the key findings say which phase each regression came from' '
	grep "^- \*\*web\*\*: the heap growth regression came from phase \`e2e\` (6MB → 12MB, +100.0%).\$" ab.md &&
	grep "^- \*\*web\*\*: the allocation regression came from phase \`e2e\` (24MB → 30MB, +25.0%).\$" ab.md
'

test_expect_success 'of two regressions, the larger rise is blamed' '
	rm -rf c && cp -r b c &&
	sed "s/^deploy${TAB}\(\([^${TAB}]*${TAB}\)\{8\}\)1048576${TAB}/deploy${TAB}\19437184${TAB}/" b/analysis/web.phases.tsv >c/analysis/web.phases.tsv &&
	md-report compare a c diffs >ac.md &&
	grep "^| deploy | 1MB | 9MB | +8MB | regression |" ac.md &&
	grep "^- \*\*web\*\*: the heap growth regression came from phase \`deploy\` (1MB → 9MB, +800.0%).\$" ac.md
'

test_expect_success 'phases in one run only: said, not compared' '
	rm -rf np && cp -r b np && rm np/analysis/web.phases.tsv &&
	md-report compare a np diffs >anp.md &&
	sed -n "/^## Phases/,/^## /p" anp.md >got &&
	grep "^Only A has phases: not compared.\$" got &&
	! grep "regression came from" anp.md
'

test_expect_success 'a pair of units neither with phases, beside one with them: said' '
	rm -rf a2 b2 && cp -r a a2 && cp -r b b2 &&
	cp a/analysis/web.heap.series.tsv a2/analysis/api.heap.series.tsv &&
	cp b/analysis/web.heap.series.tsv b2/analysis/api.heap.series.tsv &&
	md-report compare a2 b2 diffs >ab2.md &&
	sed -n "/^## Phases/,/^## Top/{/^### api/,/^#/p}" ab2.md >got &&
	printf "### api\n\nNo phases in either run.\n\n" >expect &&
	sed -n 1,4p got >got4 &&
	test_cmp expect got4
'

test_expect_success 'neither run with phases: no phase section (the report as before)' '
	rm -rf p q && cp -r a p && cp -r b q && rm p/analysis/web.phases.tsv q/analysis/web.phases.tsv &&
	md-report compare p q diffs >pq.md &&
	! grep "^## Phases" pq.md
'

test_done
