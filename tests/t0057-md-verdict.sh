#!/bin/sh
test_description='md-report analysis: the settle window'"'"'s leak verdict, its figures and thresholds, replacing the slope-only call'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"

TAB=$(printf '\t')

# verdict_of RUN VERDICT REASON: ph's copy with that verdict.
verdict_of() {
	rm -rf "$1" && cp -r ph "$1" &&
	sed -e "s|^##verdict${TAB}.*|##verdict${TAB}$2|" -e "s|^##reason${TAB}.*|##reason${TAB}$3|" \
	    ph/analysis/web.verdict.tsv >"$1/analysis/web.verdict.tsv"
}

test_setup 'a run whose settle window left 8 MiB and 12 goroutines' '
	phase_run ph &&
	md-report analysis ph >ph.md &&
	sed -n "/^## Leak verdict/,/^## Top CPU/p" ph.md >section
'

test_expect_success 'likely leak: the verdict, its reason and the figures beside their thresholds' '
	sed -n "/^### web/,/^Retained/p" section >got &&
	cat >expect <<-\EOT &&
	### web

	**Likely leak**: 8MB retained beyond the baseline after 20s of settling (threshold 1MB), still rising by 100kB/s (threshold 10kB/s).

	Baseline `settle/baseline-heap.pprof`, 3 settle profiles.

	| figure | baseline | settled | retained or change | threshold |
	| --- | ---: | ---: | ---: | ---: |
	| heap in use (heap?gc=1) | 5MB | 13MB | 8MB | 1MB |
	| heap slope over the settle window | | | 100kB/s | 10kB/s |
	| goroutines | 40 | 52 | | 5 |

	Retained beyond the baseline, by function (inuse_space):
	EOT
	test_cmp expect got
'

test_expect_success 'the retained functions and the goroutine stacks that remain' '
	grep "^| 1 | main.leak | 1MB | 8MB | +7MB |\$" section &&
	grep "^| 1 | runtime.goexit → main.(\\\\\\*server).watch → time.Sleep | 0 | 12 | +12 |\$" section &&
	grep "^The runtime.s goroutine leak profile:\$" section &&
	grep "^| 1 | runtime.goexit → main.(\\\\\\*server).watch → runtime.gopark | 0 | 2 | +2 |\$" section
'

test_expect_success 'the executive summary carries the verdict' '
	grep "^- web: \*\*Likely leak\*\*: 8MB retained beyond the baseline after 20s of settling (threshold 1MB), still rising by 100kB/s (threshold 10kB/s).\$" ph.md
'

test_expect_success 'the verdict replaces the slope-only call in growth and recommendations' '
	sed -n "/^## Growth and leak suspects/,/^## Leak verdict/p" ph.md >growth &&
	grep "^The leak call is the settle window.s (see \[Leak verdict\](#leak-verdict)), not the slope.s.\$" growth &&
	! grep "Steady growth" growth &&
	sed -n "/^## Recommendations/,\$p" ph.md >rec &&
	grep -c "leak" rec >n && echo 1 >expect && test_cmp expect n &&
	grep "^- \*\*web: likely leak after the test settled.\*\* 8MB retained beyond the baseline after 20s of settling (threshold 1MB), still rising by 100kB/s (threshold 10kB/s). Retained beyond the baseline: \`main.leak\` (+7MB). Check what holds them" rec
'

test_expect_success 'without the verdict the slope makes the call, as before' '
	rm -rf nv && cp -r ph nv && rm nv/analysis/web.verdict.tsv &&
	md-report analysis nv >nv.md &&
	grep "^- \*\*web: likely leak.\*\* Heap in use grows by 8.91MB a minute" nv.md &&
	! grep -e "^## Leak verdict" -e "settle" nv.md
'

test_expect_success 'retained but bounded: said, no leak recommendation' '
	verdict_of bd bounded "2MB retained (threshold 1MB), settled: slope 0B/s (threshold 10kB/s)" &&
	md-report analysis bd >bd.md &&
	grep "^\*\*Retained but bounded\*\*: 2MB retained (threshold 1MB), settled: slope 0B/s (threshold 10kB/s).\$" bd.md &&
	grep "^- web: \*\*Retained but bounded\*\*: " bd.md &&
	sed -n "/^## Recommendations/,\$p" bd.md >rec &&
	! grep -i leak rec
'

test_expect_success 'no leak: said, and the steady slope of the test raises nothing' '
	verdict_of nl no-leak "heap back to 100kB of the baseline (threshold 1MB), goroutines back to 40 (threshold 5)." &&
	md-report analysis nl >nl.md &&
	grep "^\*\*No leak\*\*: heap back to 100kB of the baseline (threshold 1MB), goroutines back to 40 (threshold 5).\$" nl.md &&
	sed -n "/^## Recommendations/,\$p" nl.md >rec &&
	! grep -i leak rec
'

test_expect_success 'more rows than -n: the rest counted' '
	rm -rf many && cp -r ph many &&
	printf "heap\tmain.other\t0\t2097152\t2097152\n" >>many/analysis/web.verdict.tsv &&
	md-report -n 1 analysis many >many.md &&
	sed -n "/^Retained beyond the baseline, by function/,/^Goroutine/p" many.md >got &&
	grep "^| 1 | main.leak " got && ! grep main.other got &&
	grep "^1 more.\$" got
'

test_expect_success 'the settle window of run.tsv is named; turned off, it says why there is no verdict' '
	rm -rf sw && cp -r ph sw &&
	printf "settle\tdone\nsettle_start\t2026-11-18T11:07:40Z\nsettle_end\t2026-11-18T11:08:00Z\nmain_start\t2026-11-18T11:07:00Z\nmain_end\t2026-11-18T11:07:30Z\n" >>sw/run.tsv &&
	md-report analysis sw >sw.md &&
	grep "^Settle window: \`done\`, from 2026-11-18T11:07:40Z to 2026-11-18T11:08:00Z; the main phases ran from 2026-11-18T11:07:00Z to 2026-11-18T11:07:30Z.\$" sw.md &&
	rm -rf off && cp -r ph off && rm off/analysis/web.verdict.tsv &&
	printf "settle\tnone: the main phase <never> started\n" >>off/run.tsv &&
	md-report analysis off >off.md &&
	sed -n "/^## Leak verdict/,/^## /p" off.md >got &&
	printf "## Leak verdict\n\nNo settle window, so no verdict: \`none: the main phase <never> started\` (run.tsv \`settle\`).\n\n## Top CPU consumers\n" >expect &&
	test_cmp expect got
'

test_done
