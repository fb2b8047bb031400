#!/bin/sh
test_description='md-report analysis: the phases table, where the heap grew, the phases marked in the memory chart'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"

TAB=$(printf '\t')

test_setup 'a run of four phases, the heap growing in e2e' '
	phase_run ph &&
	md-report analysis ph >ph.md
'

test_expect_success 'the report of a run with phases is what it was (golden file)' '
	test_cmp "$TESTS/golden/analysis-phases.md" ph.md
'

test_expect_success 'one row a phase: times, heap, growth, allocation, cores, top 3' '
	sed -n "/^### web/,/^## /{/^| /p}" ph.md | sed -n "/^| phase /,\$p" | head -6 >got &&
	cat >expect <<-\EOT &&
	| phase | start | duration | heap in use at start | at end | growth | allocated during | CPU cores | top allocators | grew most |
	| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |
	| cluster | 0s | 10s | 5MB | 5MB | +0 | 1MB | 0.10 | main.json (1MB) | - |
	| deploy | 10s | 10s | 5MB | 6MB | +1MB | 3MB | - | main.json (2MB); main.leak (1MB) | main.leak (+1MB) |
	| e2e | 20s | 30s | 6MB | 12MB | +6MB | 24MB | 0.50 | main.json (18MB); main.leak (6MB) | main.leak (+6MB) |
	| teardown | 50s | 10s | 12MB | 12MB | +0 | 0 | - | - | - |
	EOT
	test_cmp expect got
'

test_expect_success 'the executive summary names the phase the growth came from' '
	grep "^- web: the growth came from phase \`e2e\`, +6MB (86% of the +7MB the growing phases add up to).\$" ph.md
'

test_expect_success 'the memory chart names each phase at its first point' '
	grep "^    x-axis " ph.md | head -1 >got &&
	echo "    x-axis \"time since the test started (s)\" [\"5 cluster\", \"15 deploy\", \"25 e2e\", \"35\", \"45\", \"55 teardown\"]" >expect &&
	test_cmp expect got &&
	grep "^A name in an x label is the phase that starts there" ph.md
'

# shifted START...: ph's copy with the phases starting at START seconds.
shifted() {
	rm -rf sh && cp -r ph sh &&
	awk -F"$TAB" -v OFS="$TAB" -v s="$*" -v t0="$T0" '
	BEGIN { split(s, st, " ") }
	/^#/ { print; next }
	{ k++; $2 = sprintf("%d%09d", t0 / 1e9 + st[k], 0); print }' ph/analysis/web.phases.tsv >sh/analysis/web.phases.tsv
}

test_expect_success 'between two profiles, the mark is on the point after; two starts share a point; after the last, none' '
	shifted 0 12 14 58 &&
	md-report analysis sh >sh.md &&
	grep "^    x-axis " sh.md | head -1 >got &&
	echo "    x-axis \"time since the test started (s)\" [\"5 cluster\", \"15 deploy, e2e\", \"25\", \"35\", \"45\", \"55\"]" >expect &&
	test_cmp expect got
'

test_expect_success 'a phase without profiles: its figures are -' '
	rm -rf np && cp -r ph np &&
	sed "s/^teardown${TAB}\([0-9]*${TAB}[0-9]*${TAB}[0-9]*\)${TAB}.*/teardown${TAB}\1${TAB}0${TAB}-${TAB}-${TAB}-${TAB}-${TAB}-${TAB}-${TAB}-/" \
	    ph/analysis/web.phases.tsv >np/analysis/web.phases.tsv &&
	md-report analysis np >np.md &&
	grep "^| teardown | 50s | 10s | - | - | - | - | - | - | - |\$" np.md
'

test_expect_success 'a phase name seen twice: each occurrence has its own top rows' '
	rm -rf tw && cp -r ph tw &&
	sed "s/^teardown${TAB}/deploy${TAB}/" ph/analysis/web.phases.tsv >tw/analysis/web.phases.tsv &&
	printf "deploy\talloc\t1\t5\tmain.second\n" >>tw/analysis/web.phase-top.tsv &&
	md-report analysis tw >tw.md &&
	grep "^| deploy | 10s | .* | main.json (2MB); main.leak (1MB) | main.leak (+1MB) |\$" tw.md &&
	grep "^| deploy | 50s | .* | main.second (5B) | - |\$" tw.md
'

test_expect_success 'the top allocators follow the rank, not the order of the rows' '
	grep "^| e2e | .* | main.json (18MB); main.leak (6MB) |" ph.md &&
	grep "^e2e${TAB}alloc${TAB}2${TAB}" ph/analysis/web.phase-top.tsv
'

test_expect_success 'without the phase files, no phase section and an unmarked chart' '
	rm -rf plain && cp -r ph plain &&
	rm plain/analysis/web.phases.tsv plain/analysis/web.phase-top.tsv \
	    plain/analysis/web.memstats.tsv plain/analysis/web.verdict.tsv &&
	md-report analysis plain >plain.md &&
	! grep -e "^## Phases" -e "^## The runtime" -e "^## Leak verdict" -e "Where the heap grew" -e "phase that starts there" plain.md &&
	grep "^    x-axis \"time since the test started (s)\" \[5, 15, 25, 35, 45, 55\]\$" plain.md &&
	grep "^\*\*Steady growth\*\*: heap in use rises by" plain.md
'

test_done
