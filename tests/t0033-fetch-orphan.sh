#!/bin/sh
test_description='pprof-fetch --every stops, as on SIGTERM, when the process that started it is killed'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'

test_setup 'a server, two targets: a quick one and one that stalls' '
	start_server F faultsrv &&
	mkdir out &&
	printf "quick\t%s/good\tout/heap%%d.pprof\nslow\t%s/slow?ms=60000\tout/slow%%d.pprof\n" \
	    "$F" "$F" >targets.tsv
'

# A parent sh that starts the schedule and waits: killed with SIGKILL, it
# runs no trap, and the schedule must notice on its own.
test_expect_success 'the parent killed with SIGKILL: the schedule ends within 2 s, its fetches logged aborted' '
	sh -c '"'"'pprof-fetch --every 0.5 --targets targets.tsv >log 2>err & echo $! >fetch.pid; wait'"'"' sh "$F" &
	parent=$! &&
	i=0 &&
	until [ -s fetch.pid ] && grep -q "	ok	" log 2>/dev/null || [ $i -gt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done &&
	grep -q "	ok	" log &&
	kill -9 "$parent" &&
	wait "$parent" 2>/dev/null; pid=$(cat fetch.pid) &&
	i=0 &&
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done &&
	! kill -0 "$pid" 2>/dev/null &&
	n=$(ls out | wc -l) && sleep 1 && test "$(ls out | wc -l)" = "$n"
'

test_expect_success 'the log: the stalled fetch aborted, the parent named; both targets ended on a signal' '
	awk -F"\t" "\$5 == \"aborted\" { print \$2 \"|\" \$9 }" log >actual &&
	echo "slow|the parent process exited" >expect &&
	test_cmp expect actual &&
	grep "^##summary" log | cut -f2,9 >actual &&
	printf "quick\tsignal\nslow\tsignal\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a one-round fetch has no such watch: it ends as usual' '
	sh -c '"'"'pprof-fetch -o out/once.pprof "$1/slow?ms=1500" >once.log 2>&1 & echo $! >once.pid'"'"' sh "$F" &&
	pid=$(cat once.pid) &&
	i=0 &&
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done &&
	pprof-decode out/once.pprof >/dev/null
'

test_done
