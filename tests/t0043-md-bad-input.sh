#!/bin/sh
test_description='md-report: a field that should be a number and is not, an empty file and a cut line are errors naming file:line; a cut last line of collection.log is skipped'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"

TAB=$(printf '\t')

# The fetch log's ##summary lines carry text: not numbers to check.
test_setup 'a run of one unit, three heap and two CPU profiles' '
	mkdir -p run/web &&
	for s in 0 1 2; do
		heap_spec "$(at $((5 + 10 * s)))" /manager main.leak $((1048576 * (s + 1))) |
		    pbwrite >run/web/heap$s.pprof || return 1
	done &&
	for s in 0 1; do
		cpu_spec "$(at $((5 + 10 * s)))" 2000000000 main.burn 300000000 |
		    pbwrite >run/web/cpu$s.pprof || return 1
	done &&
	analyze run web &&
	run_tsv_of run good 60 &&
	printf "#time${TAB}target${TAB}kind${TAB}seq${TAB}outcome${TAB}status${TAB}bytes${TAB}ms${TAB}file_or_error\n2026-11-18T11:06:45.000Z${TAB}web-1${TAB}heap${TAB}0${TAB}ok${TAB}200${TAB}900${TAB}12${TAB}web/heap0.pprof\n##summary${TAB}web-1${TAB}heap${TAB}1${TAB}0${TAB}0${TAB}0${TAB}0${TAB}signal\n" >run/collection.log &&
	md-report analysis run >good.md
'

# broken FILE LINE SED: a copy of the run whose FILE has LINE edited by SED.
broken() {
	rm -rf bad && cp -r run bad &&
	sed "$2$3" "run/$1" >"bad/$1"
}

# refused MESSAGE: md-report refuses the copy, exit 1, nothing written.
refused() {
	test_expect_code 1 md-report analysis bad >out 2>err &&
	echo "md-report: $1" >expect &&
	test_cmp expect err &&
	test_must_be_empty out
}

test_expect_success 'NaN where a number should be' '
	line=$(grep -n "^##peak	" run/analysis/web.heap.series.tsv | cut -d: -f1) &&
	broken analysis/web.heap.series.tsv $line "s/	.*/	NaN/" &&
	refused "bad/analysis/web.heap.series.tsv:$line: peak: not a number"
'

test_expect_success 'inf, and a number out of range' '
	broken analysis/web.heap.peak.tsv 6 "s/^[0-9]*/inf/" &&
	refused "bad/analysis/web.heap.peak.tsv:6: flat: not a number" &&
	broken analysis/web.cpu.series.tsv 6 "s/^0	/1e999	/" &&
	refused "bad/analysis/web.cpu.series.tsv:6: seq: not a number"
'

test_expect_success 'a carriage return at the end of a number' '
	line=$(grep -n "^duration_s" run/run.tsv | cut -d: -f1) &&
	broken run.tsv $line "s/\$/\\r/" &&
	refused "bad/run.tsv:$line: duration_s: not a number" &&
	broken collection.log 2 "s/	12	/	12\\r	/" &&
	refused "bad/collection.log:2: ms: not a number"
'

test_expect_success 'the column named in the message is shown visibly' '
	broken analysis/web.heap.growth.tsv 7 "s/^#first/#fi\\x1bst/" &&
	sed -i "8s/^[0-9]*/x/" bad/analysis/web.heap.growth.tsv &&
	refused "bad/analysis/web.heap.growth.tsv:8: fi\\x1bst: not a number"
'

test_expect_success 'an empty file is an error, not an absent one' '
	rm -rf bad && cp -r run bad &&
	: >bad/analysis/web.cpu.top.tsv &&
	refused "bad/analysis/web.cpu.top.tsv: empty file" &&
	rm -rf bad && cp -r run bad &&
	: >bad/events.tsv &&
	refused "bad/events.tsv: empty file" &&
	rm -rf bad && cp -r run bad &&
	printf "##type\tcpu\n" >bad/analysis/web.cpu.top.tsv &&
	refused "bad/analysis/web.cpu.top.tsv: no column header"
'

test_expect_success 'a cut line of an analysis file is an error' '
	rm -rf bad && cp -r run bad &&
	printf "1\t2" >>bad/analysis/web.heap.peak.tsv &&
	n=$(wc -l <bad/analysis/web.heap.peak.tsv) &&
	refused "bad/analysis/web.heap.peak.tsv:$((n + 1)): a cut line (no newline at the end)"
'

test_expect_success 'a cut last line of collection.log: a warning, the line skipped' '
	rm -rf bad && cp -r run bad &&
	printf "2026-11-18T11:06:55.000Z\tweb-1\theap\t1\tok\t20" >>bad/collection.log &&
	md-report analysis bad >out 2>err &&
	echo "md-report: bad/collection.log:4: a cut last line (no newline at the end), skipped" >expect &&
	test_cmp expect err &&
	test_cmp good.md out
'

test_expect_success 'bad-profiles.tsv: listed in collection health, the rest of the analysis stands' '
	rm -rf bad && cp -r run bad &&
	printf "#unit\tkind\tfile\treason\nweb\theap\tweb/heap3.pprof\ttruncated gzip stream\n" >bad/analysis/bad-profiles.tsv &&
	md-report analysis bad >out &&
	sed -n "/^## Collection health/,/^| target/p" out >got &&
	cat >expect <<-\EOT &&
	## Collection health

	1 profile file could not be decoded and is left out of the analysis (the rest of it stands):

	| unit | kind | file | reason |
	| --- | --- | --- | --- |
	| web | heap | web/heap3.pprof | truncated gzip stream |

	| target | kind | attempts | ok | failed | skipped | aborted | retries | longest gap between profiles |
	EOT
	test_cmp expect got &&
	grep "^| web | 3MB at 25s |" out
'

test_done
