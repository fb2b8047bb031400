#!/bin/sh
test_description='e2e-profile on a clean machine: test-experimental-e2e makes its own kind cluster; units follow the deployment from build to teardown'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

needs_cluster

# Pods are $OC-$TAG-x and $CD-$TAG-x (tests/fakekind/olm.sh).
TAG=e2e1
export TAG
P_A=$OC-$TAG-a P_B=$OC-$TAG-b P_C=$OC-$TAG-c
C_A=$CD-$TAG-a C_B=$CD-$TAG-b C_C=$CD-$TAG-c
X=operator-controller-experimental-e2e

test_setup 'the fake kind, a workload behind every pod' '
	install_kind &&
	for w in OC_A OC_B OC_C CD_A CD_B CD_C; do
		start_server "W_$w" workload -cpu 0.01 -churn 0 || exit 1
		export "W_$w"
	done &&
	test_must_be_empty "$(clusters)"
'

run=x
# collect, meanwhile, profiles the run's cluster: not the current context,
# which is the cluster too but only because kind made it so.
test_expect_success 'a run of test-experimental-e2e, a collect during it: exit 0, the cluster made and deleted by make' '
	{ TOOLS_SECONDS=3 BUILD_SECONDS=3 LATE_SECONDS=6 SUITE_SECONDS=3 \
	    E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    dash "$E2E" run x test-experimental-e2e >out 2>err; echo $? >rc; } &
	i=0 &&
	until [ -e "$E2E_PROFILE_DIR/x/operator-controller-1/heap1.pprof" ]; do
		i=$((i + 1)) && test "$i" -le 300 && sleep 0.1 || exit 1
	done &&
	kubectl config unset current-context &&
	E2E_PROFILE_MODE=heap E2E_PROFILE_TEST_TARGET=test-experimental-e2e \
	    e2e_profile collect >out.c 2>err.c &&
	grep "^e2e-profile: collect: pods of kind-$X of $TRASH/.kubeconfig/$X.kubeconfig$" err.c &&
	grep "heap profile of operator-controller-0 (pod $P_A)$" err.c &&
	grep "heap profile of operator-controller-1 (pod $P_B)$" err.c &&
	wait &&
	echo 0 >expect &&
	test_cmp expect rc &&
	test_must_be_empty out &&
	grep "^olm.sh: $X: scale0 $" "$E2E_PROFILE_DIR/x/test.log" &&
	test -z "$(clusters)"
'

test_expect_success 'the cluster: found in make -n, waited for, run.tsv says which' '
	grep "^e2e-profile: cluster: kind-$X of $TRASH/.kubeconfig/$X.kubeconfig (make -n test-experimental-e2e: kind cluster $X)$" err &&
	grep "^e2e-profile: waiting for make test-experimental-e2e to create kind cluster $X; nothing older than this run is profiled$" err &&
	test "$(run_tsv kubeconfig)" = "$TRASH/.kubeconfig/$X.kubeconfig" &&
	test "$(run_tsv context)" = "kind-$X" &&
	test "$(run_tsv cluster)" = "$X" &&
	created=$(run_tsv cluster_created) &&
	started=$(run_tsv started) &&
	echo "$(run_tsv cluster_created)" | grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$" &&
	awk -v a="$(run_tsv cluster_created)" -v b="$started" "BEGIN { exit !(a >= b) }" &&
	grep "^e2e-profile: cluster $X is up (created $(run_tsv cluster_created))$" err
'

test_expect_success 'the waits in order: no cluster, no namespace (then the cluster gone); no kubectl error' '
	awk -F"\t" "\$3 ~ /^cluster-/ { print \$3 \": \" \$4 }" "$E2E_PROFILE_DIR/x/events.tsv" >waits &&
	head -n 3 waits >actual &&
	cat >expect <<-EOF &&
	cluster-waiting: no cluster $X yet (no $TRASH/.kubeconfig/$X.kubeconfig)
	cluster-up: $X created $(run_tsv cluster_created)
	cluster-waiting: cluster up, waiting for namespace $NS
	EOF
	test_cmp expect actual &&
	# The delete ends make: the wrapper may see the cluster go first.
	case $(sed -n 4p waits) in
	"" | "cluster-waiting: cluster $X gone") ;;
	*) exit 1 ;;
	esac &&
	grep "^e2e-profile: [0-9]*s no cluster $X yet (no $TRASH/.kubeconfig/$X.kubeconfig)$" err &&
	! grep -i -e refused -e "localhost:8080" -e "error" err
'

test_expect_success 'no warning at all; the pods leave without a fuss' '
	! grep "warning" err &&
	grep "^e2e-profile: operator-controller-0: pod $P_A is being deleted; took its last profiles$" err &&
	grep "^e2e-profile: operator-controller-1: pod $P_B is being deleted; took its last profiles$" err
'

test_expect_success 'units: one per replica, the late one too; the replacement keeps its unit' '
	test "$(run_tsv units | tr " " "\n" | sort | tr "\n" " ")" = "catalogd-0 catalogd-1 operator-controller-0 operator-controller-1 " &&
	awk -F"\t" "\$3 == \"discovered\" || \$3 == \"pod-replaced\" { print \$2, \$3, \$4 }" \
	    "$E2E_PROFILE_DIR/x/events.tsv" | sed "s/, created [0-9TZ:-]*)/)/; s/ (uid [0-9a-f-]*)//g" >events &&
	{ grep "^operator-controller" events && grep "^catalogd" events; } >actual &&
	cat >expect <<-EOF &&
	operator-controller-0 discovered pod $P_A
	operator-controller-1 discovered pod $P_B
	operator-controller-0 pod-replaced $P_A -> $P_C
	catalogd-0 discovered pod $C_A
	catalogd-1 discovered pod $C_B
	catalogd-0 pod-replaced $C_A -> $C_C
	EOF
	test_cmp expect actual
'

test_expect_success 'each pod was profiled as this run'"'"'s, created after the cluster' '
	for p in $P_A $P_B $P_C $C_A $C_B $C_C; do
		t=$(grep -F "$p (uid " "$E2E_PROFILE_DIR/x/events.tsv" |
		    sed -n "s/.*$p (uid [0-9a-f-]*, created \([0-9TZ:-]*\))$/\1/p") &&
		test -n "$t" &&
		awk -v a="$t" -v b="$(run_tsv cluster_created)" "BEGIN { exit !(a >= b) }" &&
		grep -q " pod/$p :6060 " "$TRASH/pf.log" || { echo "pod $p: created $t"; exit 1; }
	done
'

test_expect_success 'the leases: who held them, events when the holder changed' '
	grep "	leader	" "$E2E_PROFILE_DIR/x/events.tsv" | cut -f2- >events &&
	{ grep "^operator-controller" events && grep "^catalogd" events; } >actual &&
	cat >expect <<-EOF &&
	operator-controller-0${TAB}leader${TAB}pod $P_A holds lease $NS/9c4404e7.operatorframework.io
	operator-controller-1${TAB}leader${TAB}pod $P_B holds lease $NS/9c4404e7.operatorframework.io
	catalogd-0${TAB}leader${TAB}pod $C_A holds lease $NS/catalogd-operator-lock
	catalogd-1${TAB}leader${TAB}pod $C_B holds lease $NS/catalogd-operator-lock
	EOF
	test_cmp expect actual
'

# Pods a lead from their readiness (pods b are 6 s later) until the
# rolling update, pods b from then until the end: pods a the longer.
test_expect_success 'units.tsv: roles by lease time, the pods each unit profiled' '
	u=$E2E_PROFILE_DIR/x/units.tsv &&
	cut -f1-3,5 "$u" >actual &&
	cat >expect <<-EOF &&
	#unit${TAB}component${TAB}role${TAB}pods
	operator-controller-0${TAB}operator-controller${TAB}leader${TAB}$P_A,$P_C
	operator-controller-1${TAB}operator-controller${TAB}standby${TAB}$P_B
	catalogd-0${TAB}catalogd${TAB}leader${TAB}$C_A,$C_C
	catalogd-1${TAB}catalogd${TAB}standby${TAB}$C_B
	EOF
	test_cmp expect actual &&
	l0=$(awk -F"\t" "\$1 == \"operator-controller-0\" { print \$4 }" "$u") &&
	l1=$(awk -F"\t" "\$1 == \"operator-controller-1\" { print \$4 }" "$u") &&
	test "$l0" -gt "$l1" && test "$l1" -ge 1 &&
	test $((l0 + l1)) -le "$(run_tsv duration_s)"
'

test_expect_success 'profiles: every unit has some, the last heap of each deleted pod is there' '
	for u in operator-controller-0 operator-controller-1 catalogd-0 catalogd-1; do
		test "$(ls "$E2E_PROFILE_DIR/x/$u" | grep -c "^heap[0-9]*\.pprof$")" -ge 3 &&
		test -s "$E2E_PROFILE_DIR/x/analysis/$u.heap.series.tsv" || { echo "$u"; exit 1; }
	done &&
	test "$(grep -c "	pod-deleting	" "$E2E_PROFILE_DIR/x/events.tsv")" = 6 &&
	grep "^##restarts	1$" "$E2E_PROFILE_DIR/x/analysis/operator-controller-0.heap.series.tsv" &&
	grep "^##restarts	0$" "$E2E_PROFILE_DIR/x/analysis/operator-controller-1.heap.series.tsv"
'

test_expect_success 'E2E_SUMMARY_OUTPUT is not set for the test' '
	! grep "E2E_SUMMARY_OUTPUT" err &&
	test ! -e "$E2E_PROFILE_DIR/x/e2e-summary.md"
'

test_expect_success 'nothing is left running' '
	leftovers none >left &&
	test_must_be_empty left
'

stop_clusters
test_done
