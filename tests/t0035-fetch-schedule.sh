#!/bin/sh
test_description='pprof-fetch schedules: a fixed grid, concurrent targets, skipped slots, retries, give-ups, signals'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

TAB=$(printf '\t')

# outcomes LOG TARGET KIND: "seq outcome" of the target's lines, by seq
# (a slot's retries first, in the order they were logged).
outcomes() {
	grep -v '^#' "$1" | awk -F'\t' -v t="$2" -v k="$3" \
		'$2 == t && $3 == k { print $4, $5 }' | sort -s -n -k1,1
}

# lateness LOG TARGET KIND EVERY_MS: "seq ms" for each of the target's
# lines but retries: how far its start was from the grid point
# t0 + seq*EVERY_MS, t0 being the start of slot 0.
lateness() {
	grep -v '^#' "$1" | awk -F'\t' -v t="$2" -v k="$3" \
		'$2 == t && $3 == k && $5 != "retry" { print $4, $1 }' |
	while read -r seq time; do
		printf '%s %s\n' "$seq" "$(date -u -d "$time" +%s%3N)"
	done | sort -n -k1,1 |
	awk -v every="$4" 'NR == 1 { t0 = $2 } { print $1, $2 - t0 - $1 * every }'
}

# on_grid LOG TARGET KIND EVERY_MS: every start within 250 ms of its point.
on_grid() {
	lateness "$@" >late &&
	awk '$2 < 0 || $2 > 250 { print "slot " $1 " is " $2 " ms off the grid"; bad = 1 }
		END { exit bad }' late
}

# one_final LOG: each target, kind and seq has exactly one line that is not
# a retry.
one_final() {
	grep -v '^#' "$1" | awk -F'\t' '$5 != "retry" { n[$2 "/" $3 "/" $4]++ }
		END { for (k in n) if (n[k] != 1) { print k ": " n[k] " final lines"; bad = 1 }
		      exit bad }'
}

# wait_for FILE PATTERN: until a line of FILE matches (at most 10 s).
wait_for() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 100 ] || { echo "no \"$2\" in $1"; return 1; }
		sleep 0.1
	done
}

# no_dot_files DIR: no temporary file (they start with a dot) is left.
no_dot_files() {
	for f in "$1"/.[!.]* "$1"/..?*; do
		if [ -e "$f" ]; then
			echo "temporary files left in $1:"
			ls -lA "$1"
			return 1
		fi
	done
}

test_setup 'start the workload and faultsrv' '
	start_server W workload &&
	start_server F faultsrv
'

test_expect_success 'one round of every kind from the workload: all decode' '
	mkdir kinds &&
	{
		printf "wl\t%s\tkinds/heap%%d.pprof\n" "$W/debug/pprof/heap?gc=1"
		printf "wl\t%s\tkinds/allocs%%d.pprof\n" "$W/debug/pprof/allocs"
		printf "wl\t%s\tkinds/goroutine%%d.pprof\n" "$W/debug/pprof/goroutine"
		printf "wl\t%s\tkinds/cpu%%d.pprof\n" "$W/debug/pprof/profile?seconds=1"
		printf "# a kind given by hand\n"
		printf "wl\t%s\tkinds/h%%d.pprof\theap-nogc\n" "$W/debug/pprof/heap"
	} >targets.tsv &&
	pprof-fetch --targets - <targets.tsv >log 2>err &&
	test_must_be_empty err &&
	grep -v "^#" log | cut -f2-5,9 | sort >actual &&
	cat >expect <<-EOF &&
	wl${TAB}allocs${TAB}0${TAB}ok${TAB}kinds/allocs0.pprof
	wl${TAB}cpu${TAB}0${TAB}ok${TAB}kinds/cpu0.pprof
	wl${TAB}goroutine${TAB}0${TAB}ok${TAB}kinds/goroutine0.pprof
	wl${TAB}heap${TAB}0${TAB}ok${TAB}kinds/heap0.pprof
	wl${TAB}heap-nogc${TAB}0${TAB}ok${TAB}kinds/h0.pprof
	EOF
	test_cmp expect actual &&
	for k in heap allocs h; do
		pprof-decode kinds/${k}0.pprof >s &&
		grep "^#[^#]" s | cut -f1-4 >actual &&
		printf "#alloc_objects/count\talloc_space/bytes\tinuse_objects/count\tinuse_space/bytes\n" >expect &&
		test_cmp expect actual || exit 1
	done &&
	pprof-decode kinds/cpu0.pprof >s &&
	grep "^#[^#]" s | cut -f1-2 >actual &&
	printf "#samples/count\tcpu/nanoseconds\n" >expect &&
	test_cmp expect actual &&
	grep -q "main\.burnCPU" s &&
	pprof-decode kinds/goroutine0.pprof >s &&
	grep "^#[^#]" s | cut -f1 >actual &&
	echo "#goroutine/count" >expect &&
	test_cmp expect actual &&
	no_dot_files kinds
'

test_expect_success 'the CPU profile blocked for its second, and nothing waited for it' '
	test "$(grep -v "^#" log | grep "${TAB}cpu${TAB}" | cut -f8)" -ge 1000 &&
	grep -v "^#" log | cut -f3 | tail -n 1 >actual &&
	echo cpu >expect &&
	test_cmp expect actual
'

test_expect_success 'one round with a failure exits 1; the good file is still written' '
	mkdir round &&
	printf "a\t%s\tround/a%%d\nb\t%s\tround/b%%d\n" "$F/good" "$F/status/404" >t.tsv &&
	test_expect_code 1 pprof-fetch --targets t.tsv >log &&
	ls -A round >actual &&
	echo a0 >expect &&
	test_cmp expect actual
'

test_expect_success 'a good target beside a stalled one keeps its schedule' '
	mkdir gb &&
	printf "good\t%s\tgb/good%%d\nbad\t%s\tgb/bad%%d\n" "$F/good" "$F/stall-headers" >t.tsv &&
	pprof-fetch --every 1 --count 5 --timeout 1.5 --retries 0 --targets t.tsv >gb.log 2>err &&
	test_must_be_empty err &&
	outcomes gb.log good good >actual &&
	printf "0 ok\n1 ok\n2 ok\n3 ok\n4 ok\n" >expect &&
	test_cmp expect actual &&
	outcomes gb.log bad stall-headers >actual &&
	printf "0 error\n1 skipped\n2 error\n3 skipped\n4 error\n" >expect &&
	test_cmp expect actual &&
	on_grid gb.log good good 1000 &&
	on_grid gb.log bad stall-headers 1000 &&
	grep -v "^#" gb.log | awk -F"\t" "\$2 == \"bad\"" | cut -f5,9 | sort -u >actual &&
	cat >expect <<-EOF &&
	error${TAB}timed out after 1500 ms
	skipped${TAB}seq 0 still in flight
	skipped${TAB}seq 2 still in flight
	EOF
	test_cmp expect actual &&
	grep "^##summary" gb.log >actual &&
	cat >expect <<-EOF &&
	##summary${TAB}good${TAB}good${TAB}5${TAB}0${TAB}0${TAB}0${TAB}0${TAB}count
	##summary${TAB}bad${TAB}stall-headers${TAB}0${TAB}3${TAB}2${TAB}0${TAB}0${TAB}count
	EOF
	test_cmp expect actual &&
	ls -A gb >actual &&
	printf "good0\ngood1\ngood2\ngood3\ngood4\n" >expect &&
	test_cmp expect actual &&
	one_final gb.log
'

test_expect_success 'a CPU profile does not delay the heap profiles beside it' '
	mkdir cpu &&
	{
		printf "wl\t%s\tcpu/heap%%d\n" "$W/debug/pprof/heap"
		printf "wl\t%s\tcpu/cpu%%d\n" "$W/debug/pprof/profile?seconds=2"
	} >t.tsv &&
	pprof-fetch --every 0.8 --count 6 --targets t.tsv >cpu.log 2>err &&
	test_must_be_empty err &&
	outcomes cpu.log wl heap >actual &&
	printf "0 ok\n1 ok\n2 ok\n3 ok\n4 ok\n5 ok\n" >expect &&
	test_cmp expect actual &&
	outcomes cpu.log wl cpu >actual &&
	printf "0 ok\n1 skipped\n2 skipped\n3 ok\n4 skipped\n5 skipped\n" >expect &&
	test_cmp expect actual &&
	on_grid cpu.log wl heap 800 &&
	on_grid cpu.log wl cpu 800 &&
	grep "${TAB}skipped${TAB}" cpu.log | cut -f4,9 >actual &&
	cat >expect <<-EOF &&
	1${TAB}seq 0 still in flight
	2${TAB}seq 0 still in flight
	4${TAB}seq 3 still in flight
	5${TAB}seq 3 still in flight
	EOF
	test_cmp expect actual &&
	one_final cpu.log &&
	pprof-decode cpu/cpu0 cpu/cpu3 >/dev/null
'

test_expect_success 'transient failures retry within the slot, never past the next one' '
	mkdir retry &&
	test_expect_code 0 pprof-fetch --every 1 --count 2 --retries 10 \
		-o "retry/p%d" "$F/status/503" >retry.log 2>err &&
	test_must_be_empty err &&
	outcomes retry.log "${F#http://}" 503 >actual &&
	printf "0 retry\n0 retry\n0 error\n1 retry\n1 retry\n1 error\n" >expect &&
	test_cmp expect actual &&
	test -z "$(ls -A retry)"
'

test_expect_success 'a retry that succeeds ends the slot ok' '
	mkdir flaky &&
	pprof-fetch --every 1 --count 2 -o "flaky/p%d" "$F/flaky?fail=1&key=sched" >flaky.log &&
	outcomes flaky.log "${F#http://}" flaky >actual &&
	printf "0 retry\n0 ok\n1 ok\n" >expect &&
	test_cmp expect actual &&
	tail -n 1 flaky.log | cut -f4- >actual &&
	printf "2\t0\t0\t0\t1\tcount\n" >expect &&
	test_cmp expect actual
'

test_expect_success '--max-failures gives up that target only, exit 1' '
	mkdir mf &&
	printf "good\t%s\tmf/good%%d\nbad\t%s\tmf/bad%%d\n" "$F/good" "$F/status/404" >t.tsv &&
	test_expect_code 1 pprof-fetch --every 0.3 --count 8 --max-failures 3 \
		--targets t.tsv >mf.log 2>err &&
	echo "pprof-fetch: bad 404: giving up after 3 failed slots in a row" >expect &&
	test_cmp expect err &&
	outcomes mf.log bad 404 >actual &&
	printf "0 error\n1 error\n2 error\n" >expect &&
	test_cmp expect actual &&
	test "$(outcomes mf.log good good | grep -c " ok$")" = 8 &&
	grep "^##summary" mf.log >actual &&
	cat >expect <<-EOF &&
	##summary${TAB}good${TAB}good${TAB}8${TAB}0${TAB}0${TAB}0${TAB}0${TAB}count
	##summary${TAB}bad${TAB}404${TAB}0${TAB}3${TAB}0${TAB}0${TAB}0${TAB}max-failures
	EOF
	test_cmp expect actual
'

test_expect_success 'an ok slot resets the count of failures in a row' '
	mkdir mf2 &&
	pprof-fetch --every 0.3 --count 6 --max-failures 2 --retries 0 \
		-o "mf2/p%d" "$F/flaky?fail=1&key=reset" >mf2.log 2>err &&
	test_must_be_empty err &&
	outcomes mf2.log "${F#http://}" flaky >actual &&
	printf "0 error\n1 ok\n2 ok\n3 ok\n4 ok\n5 ok\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'when every target is given up, the run ends' '
	mkdir mf3 &&
	test_expect_code 1 pprof-fetch --every 0.3 --max-failures 2 --retries 0 \
		-o "mf3/p%d" "$F/status/404" >mf3.log 2>err &&
	grep -c "${TAB}error${TAB}" mf3.log >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_expect_success 'slots missed while the collector was stopped are logged as skipped' '
	mkdir stop &&
	pprof-fetch --every 0.3 --count 12 -o "stop/p%d" "$F/good" >stop.log 2>err &
	pid=$! &&
	{ wait_for stop.log "${TAB}2${TAB}ok${TAB}" || { kill "$pid"; false; }; } &&
	kill -STOP "$pid" &&
	sleep 1.5 &&
	kill -CONT "$pid" &&
	{ wait "$pid"; echo "$?" >rc; } &&
	echo 0 >expect && test_cmp expect rc &&
	test_must_be_empty err &&
	one_final stop.log &&
	grep -v "^#" stop.log | cut -f5 | sort | uniq -c | awk "{ print \$2, \$1 }" >counts &&
	missed=$(awk "\$1 == \"skipped\" { print \$2 }" counts) &&
	ok=$(awk "\$1 == \"ok\" { print \$2 }" counts) &&
	test "$missed" -ge 3 && test $((missed + ok)) = 12 &&
	grep "${TAB}skipped${TAB}" stop.log | cut -f9 >why &&
	if grep -v -E "^slot missed: the collector was [0-9]+ ms late$" why; then false; fi &&
	grep -v "${TAB}skipped${TAB}" stop.log >started.log &&
	on_grid started.log "${F#http://}" good 300
'

test_expect_success 'a signal while a retry waits ends that slot as aborted' '
	mkdir wait &&
	pprof-fetch --every 10 -o "wait/p%d" "$F/status/503" >wait.log 2>err &
	pid=$! &&
	{ wait_for wait.log "${TAB}retry${TAB}" || { kill "$pid"; false; }; } &&
	kill -INT "$pid" &&
	{ wait "$pid"; echo "$?" >rc; } &&
	echo 0 >expect && test_cmp expect rc &&
	grep -v "^#" wait.log | cut -f4,5,9 | tail -n 1 >actual &&
	printf "0\taborted\tinterrupted by SIGINT\n" >expect &&
	test_cmp expect actual &&
	tail -n 1 wait.log | cut -f4- >actual &&
	printf "0\t0\t0\t1\t1\tsignal\n" >expect &&
	test_cmp expect actual &&
	test -z "$(ls -A wait)"
'

test_expect_success 'SIGINT in the middle of a 10 s CPU fetch: prompt exit 0, nothing left behind' '
	mkdir int &&
	{
		printf "wl\t%s\tint/heap%%d\n" "$W/debug/pprof/heap"
		printf "wl\t%s\tint/cpu%%d\n" "$W/debug/pprof/profile?seconds=10"
	} >t.tsv &&
	pprof-fetch --every 1 --targets t.tsv >int.log 2>err &
	pid=$! &&
	{ wait_for int.log "${TAB}heap${TAB}2${TAB}ok${TAB}" || { kill "$pid"; false; }; } &&
	start=$(date +%s%3N) &&
	kill -INT "$pid" &&
	{ wait "$pid"; echo "$?" >rc; } &&
	took=$(( $(date +%s%3N) - start )) &&
	echo "$took" >int.took &&
	echo 0 >expect && test_cmp expect rc &&
	test_must_be_empty err &&
	test "$took" -lt 2000 &&
	grep -v "^#" int.log | grep "${TAB}cpu${TAB}0${TAB}" | cut -f5,6,9 >actual &&
	printf "aborted\t0\tinterrupted by SIGINT\n" >expect &&
	test_cmp expect actual &&
	test "$(grep -v "^#" int.log | grep "${TAB}cpu${TAB}0${TAB}" | cut -f8)" -ge 2000 &&
	grep "^##summary" int.log | cut -f1-5,7-9 >actual &&
	grep "^##summary${TAB}wl${TAB}heap${TAB}[1-9][0-9]*${TAB}0${TAB}[01]${TAB}0${TAB}signal\$" actual &&
	grep "^##summary${TAB}wl${TAB}cpu${TAB}0${TAB}0${TAB}1${TAB}0${TAB}signal\$" actual &&
	tail -n 2 int.log | cut -c1-9 >actual &&
	printf "##summary\n##summary\n" >expect &&
	test_cmp expect actual &&
	no_dot_files int &&
	{ ls int | grep -v "^heap[0-9]*$" >actual || true; } &&
	test_must_be_empty actual &&
	one_final int.log
'

say "SIGINT during a 10 s CPU fetch: pprof-fetch exited $(cat int.took 2>/dev/null) ms after the signal"

test_expect_success 'SIGTERM during a one-shot CPU fetch: exit 1, no file' '
	mkdir term &&
	pprof-fetch -o term/cpu.pprof "$W/debug/pprof/profile?seconds=10" >term.log 2>err &
	pid=$! &&
	sleep 1 &&
	start=$(date +%s%3N) &&
	kill -TERM "$pid" &&
	{ wait "$pid"; echo "$?" >rc; } &&
	took=$(( $(date +%s%3N) - start )) &&
	echo 1 >expect && test_cmp expect rc &&
	test "$took" -lt 2000 &&
	grep -v "^#" term.log | cut -f5,9 >actual &&
	printf "aborted\tinterrupted by SIGTERM\n" >expect &&
	test_cmp expect actual &&
	test -z "$(ls -A term)"
'

test_done
