#!/bin/sh
test_description='pprof-series on the Go workload: a known leak, a steady part and a restart, measured back'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

LEAK=2097152		# bytes per second, main.leakyRetain
STEADY=8388608		# bytes, main.buildSteadyCache
CHURN=4194304		# bytes per second of JSON garbage, main.churnJSON
PER_RUN=4		# heap profiles per process, one a second

# fetch FIRST: PER_RUN heap profiles, heapFIRST.pprof and on, a second
# apart, from the workload at $W.
fetch() {
	_i=$1
	while [ "$_i" -lt $(($1 + PER_RUN)) ]; do
		curl -sf -o "heap$_i.pprof" "$W/debug/pprof/heap?gc=1" || return 1
		_i=$((_i + 1))
		[ "$_i" -lt $(($1 + PER_RUN)) ] && sleep 1
	done
	return 0
}

# within LO HI VALUE: LO <= VALUE <= HI, said either way.
within() {
	say "$3 (want $1 .. $2)"
	awk -v lo="$1" -v hi="$2" -v v="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'
}

test_setup 'a workload, four profiles, a restart on the same port, four more' '
	start_server W workload -leak $LEAK -steady $STEADY -churn $CHURN \
	    -memprofilerate 1 &&
	port=${W##*:} &&
	fetch 0 &&
	kill "$W_pid" && wait "$W_pid";
	start_server W workload -addr "127.0.0.1:$port" -leak $LEAK \
	    -steady $STEADY -churn $CHURN -memprofilerate 1 &&
	test "$W" = "http://127.0.0.1:$port" &&
	fetch 4 &&
	stop_servers &&
	pprof-decode heap0.pprof heap1.pprof heap2.pprof heap3.pprof \
	    heap4.pprof heap5.pprof heap6.pprof heap7.pprof >stream &&
	pprof-series stream >series &&
	pprof-series -s stream >summary &&
	pprof-series --growth stream >growth
'

value() {
	awk -F'\t' -v k="$1" '$1 == k { print $2 }' summary
}

test_expect_success 'one restart, seen at the first profile of the new process' '
	printf "restarts\t1\nrestart_seqs\t4\n" >expect &&
	grep -E "^restart(s|_seqs)	" summary >actual &&
	test_cmp expect actual &&
	grep -v "^#" series | cut -f4 | paste -s -d " " - >segments &&
	echo "0 0 0 0 1 1 1 1" >expect &&
	test_cmp expect segments
'

# The leak is 2 MiB/s = 125829120 B/min; the within-segment fit must find
# it to 15% (the leak is paced by 100 ms ticks; the rest of the heap is
# steady or garbage that ?gc=1 collects).
test_expect_success 'the slope of inuse_space is the leak rate, within 15%' '
	rate=$((LEAK * 60)) &&
	within $((rate * 85 / 100)) $((rate * 115 / 100)) "$(value slope_per_min)" &&
	within 0.95 1 "$(value slope_r2)"
'

test_expect_success 'the peak is the largest row, at least the steady part and the leak of its segment' '
	peak=$(value peak) && seq=$(value peak_seq) &&
	grep -v "^#" series | cut -f9 | sort -n | tail -1 >max &&
	test "$peak" = "$(cat max)" &&
	grep -v "^#" series | awk -F"\t" -v s="$seq" "\$1 == s" | cut -f4 >seg &&
	grep -v "^#" series | awk -F"\t" -v g="$(cat seg)" -v s="$seq" \
	    "\$4 == g && \$1 <= s { if (t0 == \"\") t0 = \$3; t = \$3 }
	    END { printf \"%d\\n\", (t - t0) / 1e9 }" >span &&
	within $((STEADY + LEAK * $(cat span) * 85 / 100)) \
	    $((STEADY + LEAK * ($(cat span) + 4) + 4194304)) "$peak"
'

# With -memprofilerate 1 every allocation is in the profile, so pprof-top's
# alloc_space totals of the four end profiles give the answer exactly.
test_expect_success 'allocation during the run: per-segment last - first, never negative' '
	for i in 0 3 4 7; do
		pprof-decode heap$i.pprof >h$i &&
		pprof-top -t alloc_space h$i >top$i &&
		sed -n "s/^##total	//p" top$i >total$i || exit 1
	done &&
	want=$(( $(cat total3) - $(cat total0) + $(cat total7) - $(cat total4) )) &&
	got=$(value alloc_space_during) &&
	test "$got" = "$want" &&
	test "$got" -gt 0 &&
	grep -v "^#" series | awk -F"\t" "
		\$1 == 0 || \$1 == 4 { t0 = \$3 }
		\$1 == 3 || \$1 == 7 { s += \$3 - t0 }
		END { print s / 1e9 }" >spans &&
	spans=$(cat spans) &&
	say "segments span $spans s" &&
	within $(awk "BEGIN { print ($LEAK + $CHURN) * $spans * 0.85 }") \
	    $(awk "BEGIN { print ($LEAK + $CHURN) * $spans * 1.6 + 8388608 }") "$got"
'

# main.churnJSON allocates CHURN bytes a second, all of it under
# encoding/json frames: the JSON category of alloc_space grows that fast.
test_expect_success 'the JSON category of alloc_space grows at the churn rate, within 15%' '
	pprof-series -t alloc_space stream >alloc &&
	col=$(grep "^#seq" alloc | tr "\t" "\n" | grep -n "^cat:JSON\$" | cut -d: -f1) &&
	grep -v "^#" alloc | awk -F"\t" -v c="$col" "
		\$1 == 0 || \$1 == 4 { t0 = \$3; j0 = \$c }
		\$1 == 3 || \$1 == 7 { t += \$3 - t0; j += \$c - j0 }
		END { printf \"%d %d\\n\", j, t / 1e9 * $CHURN }" >json &&
	read got want <json &&
	within $((want * 85 / 100)) $((want * 115 / 100)) "$got"
'

test_expect_success 'the growth table puts the leak first, growing at every interval' '
	grep -v "^#" growth | head -1 | cut -f7,10 >top &&
	printf "100.00\tmain.leakyRetain\n" >expect &&
	test_cmp expect top &&
	rate=$((LEAK * 60)) &&
	within $((rate * 85 / 100)) $((rate * 115 / 100)) \
	    "$(grep -v "^#" growth | head -1 | cut -f6)"
'

# buildSteadyCache also allocates its slice of chunks (3 KiB) and keeps it.
test_expect_success 'the steady part is flat: its size in every profile, no slope' '
	awk -F"\t" "\$10 == \"main.buildSteadyCache\"" growth >steady &&
	test "$(wc -l <steady)" = 1 &&
	for f in 1 2 3 4; do
		within $STEADY $((STEADY + 4096)) "$(cut -f$f steady)" || exit 1
	done &&
	within -1000 1000 "$(cut -f6 steady)" &&
	test "$(cut -f7 steady)" = 0.00
'

test_done
