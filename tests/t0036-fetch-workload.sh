#!/bin/sh
test_description='pprof-fetch against the real workload: 30 slots of 1 s on time, and the leak growing in them'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

# This script takes 30 s: the schedule under test is 30 slots of 1 s.
SLOTS=30
LEAK=1048576		# the workload's -leak, bytes per second
TOLERANCE=5		# percent, for the leak's growth (see below)

pids=
stop_servers() {
	# shellcheck disable=SC2086
	[ -z "$pids" ] || { kill $pids 2>/dev/null; wait 2>/dev/null; }
}
trap stop_servers EXIT

# ms_of TIME: the log's RFC 3339 time in ms since the epoch.
ms_of() {
	date -u -d "$1" +%s%3N
}

# leak_of FILE: inuse_space of the samples whose leaf is main.leakyRetain.
leak_of() {
	pprof-decode "$1" >stream &&
	awk -F'\t' '
		/^##/ { next }
		/^#/ { for (i = 1; i <= NF; i++) if ($i ~ /^#?inuse_space\//) col = i; next }
		{ n = split($NF, f, ";"); if (f[n] == "main.leakyRetain") sum += $col }
		END { if (!col) exit 1; print sum + 0 }' stream
}

test_setup 'start the workload' '
	"$GOBIN/workload" -addr 127.0.0.1:0 -addr-file work.url -leak $LEAK \
		>/dev/null 2>work.log &
	pids=$! &&
	i=0 &&
	until [ -s work.url ] || [ "$i" -gt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done &&
	test -s work.url &&
	W=$(cat work.url)
'

test_setup "fetch a heap profile every second for $SLOTS slots" '
	mkdir prof &&
	printf "wl\t%s\tprof/heap%%d.pprof\n" "$W/debug/pprof/heap?gc=1" >targets.tsv &&
	pprof-fetch --every 1 --count $SLOTS --targets targets.tsv >collection.log 2>err &&
	test_must_be_empty err
'

test_expect_success 'every slot ok, one line each, every file there' '
	grep -v "^#" collection.log | cut -f4,5 >actual &&
	i=0 && while [ $i -lt $SLOTS ]; do printf "%d\tok\n" $i; i=$((i + 1)); done >expect &&
	test_cmp expect actual &&
	tail -n 1 collection.log | cut -f4- >actual &&
	printf "%d\t0\t0\t0\t0\tcount\n" $SLOTS >expect &&
	test_cmp expect actual &&
	ls -A prof | sort -k1.5n >actual &&
	i=0 && while [ $i -lt $SLOTS ]; do echo "heap$i.pprof"; i=$((i + 1)); done >expect &&
	test_cmp expect actual
'

# Lateness of each start against its grid point t0 + k s, t0 being slot
# 0's start, from the log's times (ms resolution).
test_setup 'measure how late each slot started' '
	grep -v "^#" collection.log | cut -f1,4 >starts &&
	while IFS="	" read -r t seq; do
		printf "%s %s\n" "$seq" "$(ms_of "$t")"
	done <starts >ms &&
	awk "NR == 1 { t0 = \$2 } { print \$1, \$2 - t0 - \$1 * 1000 }" ms >late &&
	awk "{ if (\$2 > max) max = \$2; if (\$2 < min) min = \$2; sum += \$2 }
		END { printf \"%d %d %.1f\n\", max, min, sum / NR }" late >jitter &&
	read -r max min mean <jitter
'
say "slot start lateness over $SLOTS slots of 1 s: max ${max:-?} ms, mean ${mean:-?} ms, min ${min:-?} ms"

test_expect_success 'every start within 250 ms of its grid point (the goal is 100 ms)' '
	awk "\$2 < 0 || \$2 > 250 { print \"slot \" \$1 \" started \" \$2 \" ms off\"; bad = 1 }
		END { exit bad }" late
'

test_expect_success 'the grid does not drift: the last slot starts 29 s after the first' '
	first=$(sed -n 1p ms | cut -d" " -f2) &&
	last=$(sed -n ${SLOTS}p ms | cut -d" " -f2) &&
	d=$((last - first - (SLOTS - 1) * 1000)) &&
	test "$d" -ge 0 && test "$d" -le 250
'

test_expect_success 'every profile decodes as a heap profile' '
	for f in prof/heap*.pprof; do
		pprof-decode "$f" >s && grep -q "^#alloc_objects/count	alloc_space/bytes	inuse_objects/count	inuse_space/bytes	" s ||
		{ echo "$f"; exit 1; }
	done
'

test_expect_success 'the leak never shrinks from one profile to the next' '
	i=0 && prev=0 &&
	while [ $i -lt $SLOTS ]; do
		v=$(leak_of prof/heap$i.pprof) || exit 1
		[ "$v" -ge "$prev" ] || { echo "heap$i: $v < $prev"; exit 1; }
		prev=$v i=$((i + 1))
	done
'

# main.leakyRetain holds leak x T bytes T seconds in, less a tick and a
# chunk, within the heap profile's sampling error (under 1% from 3 MiB on;
# see tests/go/workload). Between profiles fetched at t0 and t29 with
# ?gc=1 it grows by leak x (t29 - t0), to within those errors: the
# tolerance is $TOLERANCE% of the expected growth.
test_setup 'measure the leak between the first and the last profile' '
	l0=$(leak_of prof/heap0.pprof) &&
	ln=$(leak_of prof/heap$((SLOTS - 1)).pprof) &&
	first=$(sed -n 1p ms | cut -d" " -f2) &&
	last=$(sed -n ${SLOTS}p ms | cut -d" " -f2) &&
	grew=$((ln - l0)) &&
	elapsed=$((last - first)) &&
	want=$(( LEAK * elapsed / 1000 )) &&
	off=$(awk "BEGIN { printf \"%.2f\", ($grew - $want) * 100 / $want }")
'
say "leak growth heap0 -> heap$((SLOTS - 1)): ${grew:-?} bytes, expected ${want:-?} (leak x ${elapsed:-?} ms), off by ${off:-?}%"

test_expect_success "the leak grew by leak x elapsed, within $TOLERANCE%" '
	awk "BEGIN { d = ${grew:-0} - ${want:-1}; if (d < 0) d = -d; exit !(d * 100 <= ${want:-0} * $TOLERANCE) }"
'

test_done
