#!/bin/sh
test_description='e2e-profile through kubectl proxy and the pod proxy subresource: replicas, pprof not enabled, the proxy dying, collect'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

needs_cluster

E2E_PROFILE_TRANSPORT=proxy
export E2E_PROFILE_TRANSPORT

test_setup 'two operator-controller replicas, catalogd without pprof' '
	start_server WA workload -cpu 0.05 &&
	start_server WB workload -cpu 0.05 -leak 0 &&
	write_state "$(pod $OC1 $OC $UID1 "$WA")" "$(pod $OC2 $OC $UID2 "$WB")" \
	    "$(pod $CD1 $CD $UID3)" &&
	start_cluster
'

run=p1
test_expect_success 'a run through the apiserver proxy: exit 0, a unit per replica' '
	TEST_SECONDS=5 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_CPU_DURATION=1 \
	    e2e_profile run p1 sleep >out 2>err &&
	test "$(run_tsv transport)" = proxy &&
	test "$(run_tsv units)" = "operator-controller-0 operator-controller-1 catalogd" &&
	for u in operator-controller-0 operator-controller-1; do
		test "$(ls "$E2E_PROFILE_DIR/p1/$u"/heap*.pprof | wc -l)" -ge 4 &&
		test -s "$E2E_PROFILE_DIR/p1/analysis/$u.heap.peak.tsv" || exit 1
	done &&
	test -z "$(cat pf.log 2>/dev/null)"
'

test_expect_success 'the profiles came through /api/v1/namespaces/NS/pods/POD:6060/proxy' '
	grep " GET /api/v1/namespaces/$NS/pods/$OC1:6060/proxy/debug/pprof/heap?gc=1 200 " K.log &&
	grep " GET /api/v1/namespaces/$NS/pods/$OC2:6060/proxy/debug/pprof/profile?seconds=1 200 " K.log
'

test_expect_success 'pprof not enabled: the 503 is said, with --pprof-bind-address' '
	grep "^e2e-profile: warning: catalogd: no profile in [0-9]* tries (HTTP 503: " err &&
	grep "^e2e-profile: warning: catalogd: is pprof enabled? .* --pprof-bind-address (e.g. --pprof-bind-address=:6060); the test goes on$" err &&
	grep "	catalogd	pprof-unreachable	HTTP 503: " "$E2E_PROFILE_DIR/p1/events.tsv"
'

run=p2
test_expect_success 'kubectl proxy dies mid-run: restarted, collection goes on' '
	{ TEST_SECONDS=8 E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    E2E_PROFILE_COMPONENTS="operator-controller=control-plane=$OC" \
	    setsid dash "$E2E" run p2 sleep >out 2>err & } &&
	pid=$! &&
	echo $pid >wrapper.pid &&
	wait_for 2 "$E2E_PROFILE_DIR/p2/operator-controller-0/heap*.pprof" &&
	ps -A -o pid= -o sid= -o args= |
	    awk -v s=$pid "\$2 == s && / proxy --port=0 --address=127.0.0.1\$/ { print \$1 }" >proxy.pid &&
	test "$(wc -l <proxy.pid)" = 1 &&
	kill "$(cat proxy.pid)" &&
	n=$(ls "$E2E_PROFILE_DIR/p2/operator-controller-0"/heap*.pprof | wc -l) &&
	{ wait $pid; echo $? >rc; } &&
	echo 0 >expect &&
	test_cmp expect rc &&
	grep "	-	transport-restarted	kubectl proxy on 127.0.0.1:[0-9]* exited" "$E2E_PROFILE_DIR/p2/events.tsv" &&
	grep "	operator-controller-0	reconnect	collecting from seq [0-9]* at http://127.0.0.1:[0-9]*/api/v1/namespaces/$NS/pods/$OC1:6060/proxy$" \
	    "$E2E_PROFILE_DIR/p2/events.tsv" &&
	test "$(ls "$E2E_PROFILE_DIR/p2/operator-controller-0"/heap*.pprof | wc -l)" -ge $((n + 3))
'

test_expect_success 'nothing is left running' '
	leftovers "$(cat wrapper.pid)" >left &&
	test_must_be_empty left
'

test_expect_success 'collect through the proxy: a profile per replica' '
	E2E_PROFILE_MODE=heap e2e_profile collect operator-controller >out 2>err &&
	ls "$E2E_PROFILE_DIR/manual" | sed "s/[0-9]\{8\}T[0-9]\{6\}Z/TS/" >actual &&
	printf "collection.log\nheap-TS-0.pprof\nheap-TS-1.pprof\n" >expect &&
	test_cmp expect actual &&
	leftovers none >left &&
	test_must_be_empty left
'

test_done
