#!/bin/sh
test_description='e2e-profile against fakekube through kubectl port-forward: replicas, pprof not enabled, ready time-out, Ctrl+C, collect'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

needs_cluster

test_setup 'two operator-controller replicas, catalogd without pprof' '
	start_server WA workload -cpu 0.05 &&
	start_server WB workload -cpu 0.05 -leak 0 &&
	write_state "$(pod $OC1 $OC $UID1 "$WA")" "$(pod $OC2 $OC $UID2 "$WB")" \
	    "$(pod $CD1 $CD $UID3)" &&
	start_cluster
'

run=k1
test_expect_success 'a run: one unit per replica, the test completes, exit 0' '
	TEST_SECONDS=6 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 \
	    E2E_PROFILE_READY_TIMEOUT=2 \
	    E2E_PROFILE_COMPONENTS="operator-controller=control-plane=$OC catalogd=control-plane=$CD ghost=control-plane=ghost" \
	    e2e_profile run k1 sleep >out 2>err &&
	test_must_be_empty out &&
	test "$(run_tsv units)" = "operator-controller-0 operator-controller-1 catalogd" &&
	test "$(run_tsv transport)" = port-forward &&
	test "$(run_tsv exit_status)" = 0 &&
	grep "^test: done$" "$E2E_PROFILE_DIR/k1/test.log"
'

test_expect_success 'units are numbered in pod-name order; events say which pod, created when' '
	grep "	discovered	" "$E2E_PROFILE_DIR/k1/events.tsv" | cut -f2-4 >actual &&
	for p in $OC1 $OC2 $CD1; do
		kubectl get pod -n $NS $p -o jsonpath="{.metadata.creationTimestamp}{\"\\n\"}" || exit 1
	done >created &&
	test "$(sort -u created | wc -l)" = 1 &&
	t=$(sed -n 1p created) &&
	cat >expect <<-EOF &&
	operator-controller-0${TAB}discovered${TAB}pod $OC1 (uid $UID1, created $t)
	operator-controller-1${TAB}discovered${TAB}pod $OC2 (uid $UID2, created $t)
	catalogd${TAB}discovered${TAB}pod $CD1 (uid $UID3, created $t)
	EOF
	test_cmp expect actual &&
	grep "^e2e-profile: operator-controller-0: pod $OC1$" err &&
	grep "^e2e-profile: catalogd: pod $CD1$" err
'

test_expect_success 'kubectl port-forward: an ephemeral local port on loopback' '
	grep " port-forward -n $NS pod/$OC1 :6060 --address 127.0.0.1$" "$TRASH/pf.log" &&
	grep " port-forward -n $NS pod/$CD1 :6060 --address 127.0.0.1$" "$TRASH/pf.log"
'

test_expect_success 'each replica has its own profiles and analysis' '
	for u in operator-controller-0 operator-controller-1; do
		test "$(ls "$E2E_PROFILE_DIR/k1/$u"/heap*.pprof | wc -l)" -ge 5 &&
		test -s "$E2E_PROFILE_DIR/k1/analysis/$u.heap.series.tsv" &&
		test -s "$E2E_PROFILE_DIR/k1/analysis/$u.cpu.top.tsv" || exit 1
	done &&
	grep -q "	main\.leakyRetain	" "$E2E_PROFILE_DIR/k1/analysis/operator-controller-0.heap.peak.tsv" &&
	! grep -q "	main\.leakyRetain	" "$E2E_PROFILE_DIR/k1/analysis/operator-controller-1.heap.peak.tsv"
'

test_expect_success 'pprof not enabled: said once, naming --pprof-bind-address' '
	grep "^e2e-profile: warning: catalogd: no profile in [0-9]* tries (cannot connect: " err &&
	grep "^e2e-profile: warning: catalogd: is pprof enabled? operator-controller and catalogd serve /debug/pprof only when started with --pprof-bind-address (e.g. --pprof-bind-address=:6060); the test goes on$" err &&
	test "$(grep -c "is pprof enabled? " err)" = 1 &&
	grep "^e2e-profile: warning: catalogd: no profile at all: is pprof enabled (--pprof-bind-address)? see $E2E_PROFILE_DIR/k1/collection.log$" err &&
	grep "	catalogd	pprof-unreachable	cannot connect: " "$E2E_PROFILE_DIR/k1/events.tsv" &&
	test -d "$E2E_PROFILE_DIR/k1/catalogd" &&
	test -z "$(ls -A "$E2E_PROFILE_DIR/k1/catalogd")" &&
	test -z "$(ls "$E2E_PROFILE_DIR/k1/analysis" | grep catalogd)"
'

test_expect_success 'a component without pods: said at the ready time-out, the run goes on' '
	grep "^e2e-profile: warning: ghost: no pod with labels control-plane=ghost in namespace $NS after 2s (E2E_PROFILE_READY_TIMEOUT); still looking, the test goes on$" err &&
	grep "	ghost	ready-timeout	no pod with labels control-plane=ghost in namespace $NS after 2s$" "$E2E_PROFILE_DIR/k1/events.tsv"
'

test_expect_success 'nothing is left running' '
	leftovers none >left &&
	test_must_be_empty left
'

run=k2
test_expect_success 'SIGINT: port-forwards, collectors and the test stopped; exit 130' '
	{ TEST_SECONDS=60 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 \
	    E2E_PROFILE_COMPONENTS="operator-controller=control-plane=$OC" \
	    setsid env --default-signal=INT dash "$E2E" run k2 sleep >out 2>err & } &&
	pid=$! &&
	wait_for 2 "$E2E_PROFILE_DIR/k2/operator-controller-1/heap*.pprof" &&
	leftovers $pid >running &&
	grep -q "kbin/kubectl port-forward" running &&
	grep -q "pprof-fetch --every" running &&
	grep -q "test-body.sh 60" running &&
	kill -INT $pid &&
	{ wait $pid; echo $? >rc; } &&
	echo 130 >expect &&
	test_cmp expect rc &&
	leftovers $pid >left &&
	test_must_be_empty left &&
	test "$(run_tsv exit_status)" = - &&
	test -s "$E2E_PROFILE_DIR/k2/analysis/operator-controller-0.heap.series.tsv" &&
	test -s "$E2E_PROFILE_DIR/k2/analysis/operator-controller-1.heap.series.tsv"
'

test_expect_success 'collect: one heap profile per replica now' '
	E2E_PROFILE_MODE=heap e2e_profile collect >out 2>err &&
	ls "$E2E_PROFILE_DIR/manual" | sed "s/[0-9]\{8\}T[0-9]\{6\}Z/TS/" >actual &&
	printf "collection.log\nheap-TS-0.pprof\nheap-TS-1.pprof\n" >expect &&
	test_cmp expect actual &&
	grep "heap profile of operator-controller-0 (pod $OC1)$" err &&
	grep "heap profile of operator-controller-1 (pod $OC2)$" err &&
	pprof-decode "$E2E_PROFILE_DIR"/manual/heap-*-0.pprof >heap0.tsv &&
	grep -q "main\.leakyRetain" heap0.tsv &&
	leftovers none >left &&
	test_must_be_empty left
'

test_expect_success 'collect from a pod without pprof fails, exit 1, saying why' '
	test_expect_code 1 env E2E_PROFILE_MODE=heap dash "$E2E" collect catalogd >out 2>err &&
	grep "^e2e-profile: warning: catalogd: heap: cannot connect: " err &&
	test "$(ls "$E2E_PROFILE_DIR/manual" | grep -c pprof)" = 2
'

test_expect_success 'collect: a component not configured is a usage error' '
	test_expect_code 2 dash "$E2E" collect nope >out 2>err &&
	grep "^e2e-profile: collect: no component '"'nope'"' in E2E_PROFILE_COMPONENTS (operator-controller catalogd)$" err
'

test_done
