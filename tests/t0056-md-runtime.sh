#!/bin/sh
test_description='md-report analysis: the runtime'"'"'s view, MemStats beside the heap profile, GC count and pauses'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-report.sh"

TAB=$(printf '\t')

test_setup 'a run with three MemStats readings' '
	phase_run ph &&
	md-report analysis ph >ph.md &&
	sed -n "/^## The runtime/,/^## Top allocators/p" ph.md >view
'

test_expect_success 'inuse_space beside HeapInuse and Sys: the peak and the last reading' '
	sed -n "/^| figure /,/^\$/p" view >got &&
	cat >expect <<-\EOT &&
	| figure | peak | last |
	| --- | ---: | ---: |
	| heap profile: inuse_space | 12MB | 12MB |
	| HeapInuse | 13MB | 13MB |
	| HeapSys | 20MB | 20MB |
	| HeapReleased | 3MB | 3MB |
	| StackInuse | 512kB | 512kB |
	| NextGC | 16MB | 16MB |
	| Sys | 28MB | 28MB |

	EOT
	test_cmp expect got
'

test_expect_success 'one sentence says why they differ' '
	grep "^The heap profile is sampled and counts the objects live at the last GC; .*Sys is everything the process took from the OS" view
'

test_expect_success 'GC count and pause time over the test' '
	grep "^Garbage collections over the test: 15 (NumGC 3 → 18); they paused the program for 1.80ms in all.\$" view
'

test_expect_success 'one chart, three lines on one time grid: profile, HeapInuse, Sys' '
	sed -n "/^\`\`\`mermaid/,/^\`\`\`\$/p" view >got &&
	cat >expect <<-\EOT &&
	```mermaid
	xychart-beta
	    title "web: line 1 profile inuse_space, line 2 HeapInuse, line 3 Sys (MiB)"
	    x-axis "time since the test started (s)" [5, 15, 25, 35, 45, 55]
	    y-axis "MiB" 0 --> 31
	    line [5, 5, 6, 8, 10, 12]
	    line [6, 6, 6, 9, 9, 13]
	    line [20, 20, 20, 24, 24, 28]
	```
	EOT
	test_cmp expect got
'

test_expect_success 'a restart (NumGC falls): GCs and pauses counted within each process' '
	rm -rf rs && cp -r ph rs &&
	printf "6\t%s\t10485760\t8388608\t4194304\t4194304\t0\t262144\t4194304\t2\t500000\t2\tweb/memstats6.txt\n" "$(at 58)" >>rs/analysis/web.memstats.tsv &&
	md-report analysis rs >rs.md &&
	grep "^Garbage collections over the test: 15 (NumGC 3 → 2, within each of 2 processes); they paused the program for 1.80ms in all.\$" rs.md &&
	grep -c "^    line \[" rs.md >n && echo 4 >expect && test_cmp expect n
'

test_expect_success 'past 256 GCs the ring holds the last 256 pauses only: said, not summed' '
	rm -rf wr && cp -r ph wr &&
	awk -F"$TAB" -v OFS="$TAB" '\''/^[0-9]/ { $10 += 300; $12 = 256 } { print }'\'' ph/analysis/web.memstats.tsv >wr/analysis/web.memstats.tsv &&
	md-report analysis wr >wr.md &&
	grep "^Garbage collections over the test: 15 (NumGC 303 → 318); the last reading.s last 256 pauses took 2.10ms (Go.s text keeps only the last 256 pauses, so the whole test.s pause time is not known).\$" wr.md
'

test_expect_success 'a unit without MemStats, beside one with them, says so' '
	rm -rf two && cp -r ph two &&
	cp two/analysis/web.heap.series.tsv two/analysis/api.heap.series.tsv &&
	md-report analysis two >two.md &&
	sed -n "/^## The runtime/,/^## Top allocators/{/^### api/,/^#/p}" two.md >got &&
	printf "### api\n\nNo MemStats readings.\n\n" >expect &&
	sed -n 1,4p got >got4 &&
	test_cmp expect got4
'

test_done
