#!/bin/sh
test_description='pprof-memstats: the runtime.MemStats block of heap?debug=1, against the workload'"'"'s own ReadMemStats; bad inputs'
. "$(dirname "$0")/lib.sh"

HEADER='#source	sys	heap_sys	heap_inuse	heap_idle	heap_released	stack_inuse	next_gc	num_gc	pause_total_ns	pauses'

# block [SKIP]: a MemStats block as Go 1.19 writes it (after the heap
# records), 3 GCs, with the line named SKIP left out.
block() {
	printf 'heap profile: 1: 64 [2: 128] @ heap/1048576\n'
	printf '1: 64 [2: 128] @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/x.go:1\n\n'
	printf '# runtime.MemStats\n'
	{
		printf '# Alloc = 100\n# TotalAlloc = 200\n# Sys = 9000\n'
		printf '# Lookups = 0\n# Mallocs = 5\n# Frees = 2\n'
		printf '# HeapAlloc = 100\n# HeapSys = 4000\n# HeapIdle = 1000\n'
		printf '# HeapInuse = 3000\n# HeapReleased = 600\n'
		printf '# HeapObjects = 3\n# Stack = 512 / 512\n'
		printf '# MSpan = 1 / 2\n# MCache = 1 / 2\n# BuckHashSys = 7\n'
		printf '# GCSys = 8\n# OtherSys = 9\n# NextGC = 4194304\n'
		printf '# LastGC = 1700000000000000000\n'
		printf '# PauseNs = [10 20 30'
		i=3; while [ $i -lt 256 ]; do printf ' 0'; i=$((i + 1)); done
		printf ']\n# PauseEnd = [0]\n# NumGC = 3\n# NumForcedGC = 0\n'
		printf '# GCCPUFraction = 0.001\n# DebugGC = false\n'
		printf '# MaxRSS = 30000\n'
	} | grep -v "^# ${1:-NONE} ="
}

test_expect_success 'a crafted block: the row, exactly; stdin is "stdin"' '
	block >good.txt &&
	pprof-memstats good.txt - <good.txt >actual &&
	cat >expect <<-EOT &&
	##memstats	runtime.MemStats of heap?debug=1
	##pause_ring	256
	$HEADER
	good.txt	9000	4000	3000	1000	600	512	4194304	3	60	3
	stdin	9000	4000	3000	1000	600	512	4194304	3	60	3
	EOT
	test_cmp expect actual
'

test_expect_success 'bad inputs: one message each, exit 1, the good one still written' '
	block HeapInuse >no-inuse.txt &&
	block PauseNs >no-pause.txt &&
	block | sed "s/^# Sys = 9000/# Sys = 9k/" >bad-sys.txt &&
	block | sed "s/^# Stack = 512 \/ 512/# Stack = 512/" >bad-stack.txt &&
	block | sed "s/^\(# PauseNs = \[10\) 20/\1 x/" >bad-pause.txt &&
	block | sed "s/^\(# PauseNs = \[10\) 20/\1/" >short-pause.txt &&
	block | sed "s/^# NumGC = 3/# NumGC = -3/" >neg-gc.txt &&
	block | sed "s/^# Alloc = 100/# Alloc 100/" >no-eq.txt &&
	{ block; printf "# Sys = 1\n"; } >twice.txt &&
	block | sed "/runtime.MemStats/d" >no-block.txt &&
	printf "\037\213\010\000" >binary.txt &&
	printf "\000" >>binary.txt &&
	test_expect_code 1 pprof-memstats no-inuse.txt no-pause.txt bad-sys.txt \
	    bad-stack.txt bad-pause.txt short-pause.txt neg-gc.txt no-eq.txt \
	    twice.txt no-block.txt binary.txt missing.txt good.txt \
	    >actual 2>err &&
	cat >expect <<-EOT &&
	pprof-memstats: no-inuse.txt: MemStats block without HeapInuse
	pprof-memstats: no-pause.txt: MemStats block without PauseNs
	pprof-memstats: bad-sys.txt: line 8: bad Sys "9k"
	pprof-memstats: bad-stack.txt: line 18: bad Stack "512"
	pprof-memstats: bad-pause.txt: line 26: bad PauseNs value "x"
	pprof-memstats: short-pause.txt: line 26: PauseNs has 255 values, not 256
	pprof-memstats: neg-gc.txt: line 28: bad NumGC "-3"
	pprof-memstats: no-eq.txt: line 6: not "# Key = value"
	pprof-memstats: twice.txt: line 33: Sys given twice
	pprof-memstats: no-block.txt: no "# runtime.MemStats" block (not a heap or allocs profile fetched with ?debug=1)
	pprof-memstats: binary.txt: not text (a NUL byte): fetch the profile with ?debug=1
	pprof-memstats: missing.txt: No such file or directory
	EOT
	test_cmp expect err &&
	grep -v "^#" actual >rows &&
	printf "good.txt\t9000\t4000\t3000\t1000\t600\t512\t4194304\t3\t60\t3\n" >expect &&
	test_cmp expect rows
'

test_expect_success 'usage: exit 2; --help: stdout, exit 0' '
	test_expect_code 2 pprof-memstats --bogus 2>err &&
	grep "^usage: pprof-memstats \[file \.\.\.\]$" err &&
	pprof-memstats --help >out &&
	grep "^usage: pprof-memstats \[file \.\.\.\]$" out
'

test_have_prereq GO || { test_done; exit; }

# The workload, quiet (no leak, churn or CPU), with a 32 MiB steady cache.
test_setup 'start the workload' '
	start_server W workload -leak 0 -churn 0 -cpu 0 -steady 33554432
'

# get NAME FILE: the value of NAME in a /memstats answer.
get() {
	awk -F'\t' -v k="$1" '$1 == k { print $2; f = 1 } END { exit !f }' "$2"
}

# The heap text's own ReadMemStats runs between the two /memstats
# answers. A GC in between moves everything, so the triple is fetched
# again (up to 5 times) until NumGC is the same before and after.
test_setup 'the runtime read before, by heap?debug=1, after' '
	i=0 &&
	while :; do
		curl -sf "$W/memstats" >before &&
		curl -sf "$W/debug/pprof/heap?debug=1" >heap.txt &&
		curl -sf "$W/memstats" >after &&
		[ "$(get NumGC before)" = "$(get NumGC after)" ] && break
		i=$((i + 1))
		[ $i -lt 5 ] || { echo "a GC in every try"; false; } || return 1
	done &&
	pprof-memstats heap.txt >ms.tsv 2>err &&
	test_must_be_empty err
'

# col NAME: the row's column NAME.
col() {
	awk -F'\t' -v k="$1" '/^#source/ { for (i = 1; i <= NF; i++) if ($i == k) c = i; next }
		/^#/ { next } { print $c }' ms.tsv
}

test_expect_success 'GC figures: exactly the runtime'"'"'s (no GC in between)' '
	test "$(col num_gc)" = "$(get NumGC before)" &&
	test "$(col pause_total_ns)" = "$(get PauseTotalNs before)" &&
	test "$(col pauses)" = "$(get NumGC before)"
'

# The byte figures move between the readings as the HTTP server
# allocates for the requests and the scavenger returns pages: each must
# lie within what the two readings span, widened by SLACK (256 KiB, under
# 1 % of the 32 MiB heap: the quiet workload moves ~100-300 KB between
# two readings; a misplaced column is off by megabytes, or breaks the
# identities below).
SLACK=262144
test_expect_success 'byte figures: within the two readings, +- 256 KiB' '
	for pair in sys:Sys heap_sys:HeapSys heap_inuse:HeapInuse \
	    heap_idle:HeapIdle heap_released:HeapReleased \
	    stack_inuse:StackInuse next_gc:NextGC; do
		c=${pair%%:*} k=${pair#*:}
		awk -v v="$(col $c)" -v a="$(get $k before)" -v b="$(get $k after)" \
		    -v s=$SLACK -v c=$c "BEGIN {
			lo = (a < b ? a : b) - s; hi = (a > b ? a : b) + s
			if (v < lo || v > hi) { print c, v, \"not in\", lo, hi; exit 1 } }" ||
		return 1
	done
'

test_expect_success 'identities of one reading: idle + inuse = heap_sys; the heap held' '
	test $(( $(col heap_idle) + $(col heap_inuse) )) = "$(col heap_sys)" &&
	test "$(col heap_released)" -le "$(col heap_idle)" &&
	test "$(col heap_inuse)" -ge 33554432 &&
	test "$(col sys)" -gt $(( $(col heap_sys) + $(col stack_inuse) ))
'

test_done
