#!/bin/sh
test_description='pprof-fetch: SIGUSR1 starts the next slot now (mark lines, --note-file), every-Nth targets, memstats text bodies'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

TAB=$(printf '\t')

# wait_line FILE PATTERN: until a line of FILE matches (at most 20 s).
wait_line() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 200 ] || { echo "no \"$2\" in $1"; cat "$1"; return 1; }
		sleep 0.1
	done
}

# lines LOG: "kind seq outcome file_or_error" of the log's lines, sorted.
lines() {
	grep -v "^#" "$1" | awk -F"\t" "{ print \$3, \$4, \$5, \$9 }" | sort -k2,2n -k1,1 -k3,3
}

test_setup 'start the workload and the misbehaving server' '
	start_server W workload -leak 65536 &&
	start_server F faultsrv
'

test_expect_success 'a memstats target every 3rd slot: text files at seq 0, 3, 6 only, each a good block' '
	mkdir ms &&
	printf "w\t%s\tms/heap%%d.pprof\nw\t%s\tms/memstats%%d.txt\tmemstats\t3\n" \
	    "$W/debug/pprof/heap?gc=1" "$W/debug/pprof/heap?debug=1" >t.tsv &&
	pprof-fetch --every 0.2 --count 8 --targets t.tsv >log 2>err &&
	test_must_be_empty err &&
	ls ms | grep memstats >actual &&
	printf "memstats%s.txt\n" 0 3 6 >expect &&
	test_cmp expect actual &&
	test "$(ls ms | grep -c "^heap[0-7]\.pprof$")" = 8 &&
	awk -F"\t" "!/^#/ && \$3 == \"memstats\" { print \$4, \$5 }" log >actual &&
	printf "%s ok\n" 0 3 6 >expect &&
	test_cmp expect actual &&
	grep "^##summary${TAB}w${TAB}memstats${TAB}3${TAB}0${TAB}0${TAB}0${TAB}0${TAB}count$" log &&
	pprof-memstats ms/memstats0.txt ms/memstats3.txt ms/memstats6.txt >rows &&
	test "$(grep -c -v "^#" rows)" = 3 &&
	awk -F"\t" "!/^#/ && (\$4 <= 0 || \$2 < \$4) { print; bad = 1 } END { exit bad }" rows
'

test_expect_success 'a memstats target whose body is a profile: an error in the log, no file, the heap target unaffected' '
	mkdir bad &&
	printf "w\t%s\tbad/heap%%d.pprof\nw\t%s\tbad/memstats%%d.txt\tmemstats\n" \
	    "$W/debug/pprof/heap?gc=1" "$W/debug/pprof/heap?gc=1" >t.tsv &&
	test_expect_code 1 pprof-fetch --targets t.tsv >log 2>err &&
	ls bad >actual &&
	echo heap0.pprof >expect &&
	test_cmp expect actual &&
	awk -F"\t" "!/^#/ && \$3 == \"memstats\" { print \$5, \$9 }" log >actual &&
	echo "error not text (a NUL byte): fetch the profile with ?debug=1" >expect &&
	test_cmp expect actual &&
	printf "w\t%s\tbad/memstats%%d.txt\tmemstats\n" "$W/debug/pprof/goroutine?debug=1" >t.tsv &&
	test_expect_code 1 pprof-fetch --targets t.tsv >log 2>err &&
	awk -F"\t" "!/^#/ && \$3 == \"memstats\" { print \$5, \$9 }" log >actual &&
	echo "error no \"# runtime.MemStats\" block (not a heap or allocs profile fetched with ?debug=1)" >expect &&
	test_cmp expect actual
'

test_expect_success 'SIGUSR1: the next slot now, a mark line with the note before it, one series' '
	mkdir sig &&
	printf "w\t%s\tsig/heap%%d.pprof\nw\t%s\tsig/memstats%%d.txt\tmemstats\t2\n" \
	    "$W/debug/pprof/heap?gc=1" "$W/debug/pprof/heap?debug=1" >t.tsv &&
	echo "phase-start e2e" >note || exit 1
	pprof-fetch --every 600 --seq-start 4 --note-file note --targets t.tsv >logs 2>err &
	pid=$! &&
	wait_line logs "^#time" &&
	wait_line logs "${TAB}heap${TAB}4${TAB}ok${TAB}" &&
	kill -s USR1 $pid &&
	wait_line logs "${TAB}heap${TAB}5${TAB}ok${TAB}" &&
	rm note &&
	kill -s USR1 $pid &&
	wait_line logs "${TAB}heap${TAB}6${TAB}ok${TAB}" &&
	kill $pid && wait $pid;
	lines logs >actual &&
	cat >expect <<-EOF &&
	heap 4 ok sig/heap4.pprof
	memstats 4 ok sig/memstats4.txt
	heap 5 mark phase-start e2e
	heap 5 ok sig/heap5.pprof
	heap 6 mark SIGUSR1
	heap 6 ok sig/heap6.pprof
	memstats 6 mark SIGUSR1
	memstats 6 ok sig/memstats6.txt
	EOF
	test_cmp expect actual &&
	test_must_be_empty err &&
	grep "^##summary${TAB}w${TAB}heap${TAB}3${TAB}0${TAB}0${TAB}0${TAB}0${TAB}signal$" logs &&
	ls sig >actual &&
	printf "%s\n" heap4.pprof heap5.pprof heap6.pprof memstats4.txt memstats6.txt >expect &&
	test_cmp expect actual
'

test_expect_success 'SIGUSR1 while the previous fetch is in flight: the marked slot waits for it, not skipped' '
	mkdir slow &&
	printf "f\t%s\tslow/heap%%d.pprof\theap\n" "$F/slow?ms=1500" >t.tsv || exit 1
	pprof-fetch --every 600 --targets t.tsv >logs2 2>err &
	pid=$! &&
	wait_line logs2 "^#time" &&
	sleep 0.3 &&
	kill -s USR1 $pid &&
	wait_line logs2 "${TAB}heap${TAB}1${TAB}ok${TAB}" &&
	kill $pid && wait $pid;
	lines logs2 >actual &&
	printf "%s\n" "heap 0 ok slow/heap0.pprof" "heap 1 mark SIGUSR1" \
	    "heap 1 ok slow/heap1.pprof" >expect &&
	test_cmp expect actual &&
	awk -F"\t" "\$5 == \"ok\" { print \$1 }" logs2 >starts &&
	test "$(sed -n 1p starts)" \< "$(sed -n 2p starts)" &&
	test_must_be_empty err
'

test_expect_success 'SIGUSR1 in one round: ignored, the round ends as usual' '
	mkdir one &&
	printf "w\t%s\tone/cpu%%d.pprof\n" "$W/debug/pprof/profile?seconds=1" >t.tsv || exit 1
	pprof-fetch --targets t.tsv >log1 2>err &
	pid=$! &&
	wait_line log1 "^#time" &&
	kill -s USR1 $pid &&
	wait $pid &&
	ls one >actual &&
	echo cpu0.pprof >expect &&
	test_cmp expect actual &&
	! grep "${TAB}mark${TAB}" log1
'

test_expect_success 'the every field: a whole number from 1, with --every only, at most 5 fields' '
	printf "w\t%s\tx%%d\theap\t3\n" "$W/debug/pprof/heap" >t.tsv &&
	test_expect_code 2 pprof-fetch --targets t.tsv >out 2>err &&
	echo "pprof-fetch: t.tsv:1: every 3 slots needs --every" >expect &&
	test_cmp expect err &&
	printf "w\t%s\tx%%d\theap\t0\n" "$W/debug/pprof/heap" >t.tsv &&
	test_expect_code 2 pprof-fetch --every 1 --targets t.tsv >out 2>err &&
	grep "^pprof-fetch: t.tsv:1: not a whole number from 1 to [0-9]*: 0$" err &&
	printf "w\t%s\tx%%d\theap\t1\tmore\n" "$W/debug/pprof/heap" >t.tsv &&
	test_expect_code 2 pprof-fetch --every 1 --targets t.tsv >out 2>err &&
	echo "pprof-fetch: t.tsv:1: expected 3 to 5 fields (name, URL, pattern[, kind[, every]]), got 6" >expect &&
	test_cmp expect err
'

test_done
