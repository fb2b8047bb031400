#!/bin/sh
test_description='e2e-profile: a pod replaced mid-run and a port-forward that dies; the units number on and the analysis sees the restart'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

needs_cluster

# heap_numbers UNIT: the numbers of its heap profiles, in order.
heap_numbers() {
	ls "$E2E_PROFILE_DIR/r/$1" | sed -n "s/^heap\([0-9]*\)\.pprof$/\1/p" | sort -n
}

# WC, the replacement, is a process of its own that allocates far less
# than WA: its counters are seen to fall, which is how a restart shows.
test_setup 'operator-controller and catalogd, each a workload' '
	start_server WA workload -cpu 0.05 &&
	start_server WB workload -cpu 0.05 &&
	start_server WC workload -cpu 0.05 -churn 0 -leak 0 &&
	write_state "$(pod $OC1 $OC $UID1 "$WA")" "$(pod $CD1 $CD $UID3 "$WB")" &&
	start_cluster
'

run=r
test_expect_success 'a run during which OC1 is replaced by OC3 and catalogd'"'"'s port-forward dies' '
	{ TEST_SECONDS=11 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    setsid dash "$E2E" run r sleep >out 2>err & } &&
	pid=$! &&
	echo $pid >wrapper.pid &&
	wait_for 3 "$E2E_PROFILE_DIR/r/operator-controller/heap*.pprof" &&
	heap_numbers operator-controller >before.oc &&
	write_state "$(pod $OC3 $OC $UID4 "$WC")" "$(pod $CD1 $CD $UID3 "$WB")" &&
	wait_for 4 "$E2E_PROFILE_DIR/r/catalogd/heap*.pprof" &&
	pf=$(grep " pod/$CD1 " pf.log | tail -n 1 | cut -d" " -f1) &&
	kill $pf &&
	{ wait $pid; echo $? >rc; } &&
	echo 0 >expect &&
	test_cmp expect rc &&
	test "$(run_tsv units)" = "operator-controller catalogd"
'

test_expect_success 'events: pod-replaced old -> new, the transport restarted' '
	grep "	operator-controller	pod-replaced	$OC1 (uid $UID1) -> $OC3 (uid $UID4, created 20[0-9-]*T[0-9:]*Z)$" \
	    "$E2E_PROFILE_DIR/r/events.tsv" &&
	grep -A1 "	catalogd	transport-restarted	port-forward to pod $CD1 exited$" \
	    "$E2E_PROFILE_DIR/r/events.tsv" >restart &&
	sed -n 2p restart | grep "	catalogd	reconnect	collecting from seq [0-9]* at http://127.0.0.1:[0-9]*$" &&
	grep -A1 "	operator-controller	pod-replaced	" "$E2E_PROFILE_DIR/r/events.tsv" |
	    sed -n 2p | grep "	operator-controller	reconnect	collecting from seq [0-9]* at http://127.0.0.1:[0-9]*$" &&
	grep "^e2e-profile: operator-controller: pod $OC1 replaced by $OC3; numbering on from [0-9]*$" err &&
	grep "^e2e-profile: warning: catalogd: port-forward to pod $CD1 exited; restarting it$" err
'

test_expect_success 'the unit numbered on: nothing overwritten, profiles from both pods' '
	heap_numbers operator-controller >after.oc &&
	test "$(wc -l <after.oc)" -gt "$(wc -l <before.oc)" &&
	head -n "$(wc -l <before.oc)" after.oc >actual &&
	test_cmp before.oc actual &&
	log=$E2E_PROFILE_DIR/r/collection.log &&
	awk -F"\t" "!/^#/ && \$5 == \"ok\" { print \$9 }" "$log" | sort | uniq -d >dups &&
	test_must_be_empty dups &&
	test "$(grep -c "^#time" "$log")" = 1 &&
	test "$(heap_numbers catalogd | wc -l)" -ge 7
'

test_expect_success 'the analysis sees the restart; the allocation is of the new process only' '
	a=$E2E_PROFILE_DIR/r/analysis &&
	grep "^##restarts	1$" "$a/operator-controller.heap.series.tsv" &&
	rs=$(awk -F"\t" "\$1 == \"##restart_seqs\" { print \$2 }" "$a/operator-controller.heap.series.tsv") &&
	first=$(awk -F"\t" -v s="$rs" "\$1 == s { print \$NF }" "$a/operator-controller.heap.series.tsv") &&
	grep "^##a	$first$" "$a/operator-controller.heap.alloc.tsv" &&
	delta=$(awk -F"\t" "\$1 == \"##total_delta\" { print \$2 }" "$a/operator-controller.heap.alloc.tsv") &&
	test "$delta" -ge 0 &&
	grep "^##restarts	0$" "$a/catalogd.heap.series.tsv"
'

test_expect_success 'nothing is left running' '
	leftovers "$(cat wrapper.pid)" >left &&
	test_must_be_empty left
'

test_done
