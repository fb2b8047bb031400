#!/bin/sh
test_description='e2e-profile after a failed run: its cluster is left, current, with its kubeconfig; the next run profiles only its own cluster'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

needs_cluster

X=operator-controller-e2e
OLD_A=$OC-old1-a OLD_C=$OC-old1-c
NEW_A=$OC-new1-a NEW_C=$OC-new1-c

# The failed run's pods leak (main.leakyRetain), this run's do not: the
# peak tables say whose pods were profiled.
test_setup 'the fake kind; leaking workloads for the failed run, steady ones for the next' '
	install_kind &&
	for w in OC_A OC_C CD_A CD_C; do
		start_server "OLD_$w" workload -cpu 0.01 -churn 0 -leak 2097152 &&
		start_server "NEW_$w" workload -cpu 0.01 -churn 0 -leak 0 || exit 1
	done
'

# backends OLD|NEW: the W_* variables olm.sh reads.
backends() {
	for w in OC_A OC_C CD_A CD_C; do
		eval "W_$w=\$${1}_$w"
		export "W_$w"
	done
}

run=failed
test_expect_success 'a run whose suite fails: exit 2, its cluster left and current' '
	backends OLD &&
	test_expect_code 2 env TAG=old1 SUITE_FAIL=1 TOOLS_SECONDS=0 BUILD_SECONDS=0 \
	    LOAD_SECONDS=0 LATE_SECONDS=0 SUITE_SECONDS=2 E2E_PROFILE_INTERVAL=1 \
	    E2E_PROFILE_MODE=heap dash "$E2E" run failed test-e2e >out 2>err &&
	grep "^suite: FAIL$" "$E2E_PROFILE_DIR/failed/test.log" &&
	test "$(clusters)" = $X &&
	test "$(kubectl config current-context)" = kind-$X &&
	test "$(cut -f5 "$E2E_PROFILE_DIR/failed/units.tsv" | sed -n 2p)" = "$OLD_A,$OLD_C" &&
	grep -q "	main\.leakyRetain	" "$E2E_PROFILE_DIR/failed/analysis/operator-controller.heap.peak.tsv" &&
	wc -l <"$TRASH/pf.log" >pf.before
'

run=next
test_expect_success 'the next run: exit 0, the old cluster deleted by make, its own made and deleted' '
	backends NEW &&
	TAG=new1 TOOLS_SECONDS=2 BUILD_SECONDS=2 LATE_SECONDS=0 SUITE_SECONDS=2 \
	    E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    e2e_profile run next test-e2e >out 2>err &&
	test_must_be_empty out &&
	test -z "$(clusters)"
'

test_expect_success 'the earlier kubeconfig is said to be ignored, once, and why' '
	grep "^e2e-profile: ignoring $TRASH/.kubeconfig/$X.kubeconfig: written before this run started (an earlier cluster'"'"'s); waiting for make to write it$" err &&
	test "$(grep -c "^e2e-profile: ignoring " err)" = 1 &&
	grep "	-	ignored	$TRASH/.kubeconfig/$X.kubeconfig: written before this run started" \
	    "$E2E_PROFILE_DIR/next/events.tsv" &&
	! grep "warning" err
'

test_expect_success 'only this run'"'"'s pods were profiled: by name, port-forward, creation time' '
	cut -f1-3,5 "$E2E_PROFILE_DIR/next/units.tsv" >actual &&
	cat >expect <<-EOF &&
	#unit${TAB}component${TAB}role${TAB}pods
	operator-controller${TAB}operator-controller${TAB}single${TAB}$NEW_A,$NEW_C
	catalogd${TAB}catalogd${TAB}single${TAB}$CD-new1-a,$CD-new1-c
	EOF
	test_cmp expect actual &&
	sed "1,$(cat pf.before)d" "$TRASH/pf.log" >pf.next &&
	test -s pf.next &&
	! grep -e "-old1-" pf.next &&
	created=$(run_tsv cluster_created) &&
	awk -v a="$created" -v b="$(run_tsv started)" "BEGIN { exit !(a >= b) }" &&
	sed -n "s/.*(uid [0-9a-f-]*, created \([0-9TZ:-]*\))$/\1/p" \
	    "$E2E_PROFILE_DIR/next/events.tsv" >pod.times &&
	test "$(wc -l <pod.times)" = 4 &&
	awk -v c="$created" "\$1 < c { bad = 1 } END { exit bad }" pod.times
'

test_expect_success 'no profile older than this run'"'"'s cluster' '
	created=$(run_tsv cluster_created) &&
	awk -F"\t" "!/^#/ && \$5 == \"ok\" { print substr(\$1, 1, 19) \"Z\" }" \
	    "$E2E_PROFILE_DIR/next/collection.log" >times &&
	test "$(wc -l <times)" -ge 6 &&
	awk -v c="$created" "\$1 < c { bad = 1 } END { exit bad }" times
'

test_expect_success 'the peak is this run'"'"'s pods'"'"', which do not leak' '
	for u in operator-controller catalogd; do
		test -s "$E2E_PROFILE_DIR/next/analysis/$u.heap.peak.tsv" &&
		! grep -q "	main\.leakyRetain	" "$E2E_PROFILE_DIR/next/analysis/$u.heap.peak.tsv" ||
		    { echo "$u"; exit 1; }
	done
'

# Without an export, the cluster's kubeconfig is kind's default one, which
# anything may write during the run: the cluster's age tells.
D=default-e2e
run=dflt
test_expect_success 'an earlier cluster of the same name, the default kubeconfig written meanwhile' '
	backends OLD &&
	TAG=old2 kind create cluster --name $D 2>/dev/null &&
	TAG=old2 sh olm.sh $D deploy 1 && TAG=old2 sh olm.sh $D ready a &&
	# Creation times are whole seconds: the earlier cluster is older.
	sleep 1 &&
	backends NEW &&
	{ TAG=new2 TOOLS_SECONDS=4 SUITE_SECONDS=3 E2E_PROFILE_INTERVAL=1 \
	    E2E_PROFILE_MODE=heap dash "$E2E" run dflt test-default-e2e >out 2>err
	  echo $? >rc; } &
	i=0 &&
	until grep -q "	cluster-waiting	" "$E2E_PROFILE_DIR/dflt/events.tsv" 2>/dev/null; do
		i=$((i + 1)) && test "$i" -le 100 && sleep 0.1 || exit 1
	done &&
	kubectl config set-context scratch --cluster=nowhere >/dev/null &&
	wait &&
	echo 0 >expect &&
	test_cmp expect rc &&
	test -z "$(clusters)"
'

test_expect_success 'the earlier cluster is said to be ignored, once; the new one is profiled' '
	grep "^e2e-profile: cluster: kind-$D of $KUBECONFIG (make -n test-default-e2e: kind cluster $D)$" err &&
	grep "^e2e-profile: ignoring kind cluster $D created [0-9TZ:-]*, before this run started: an earlier run'"'"'s$" err &&
	test "$(grep -c "^e2e-profile: ignoring kind cluster " err)" = 1 &&
	# Before it is written, the kubeconfig is an earlier one too.
	grep "^e2e-profile: ignoring $KUBECONFIG: written before this run started" err &&
	test "$(grep -c "^e2e-profile: ignoring " err)" = 2 &&
	test "$(cut -f5 "$E2E_PROFILE_DIR/dflt/units.tsv" | sed -n 2p)" = "$OC-new2-a" &&
	! grep -e "-old2-" "$TRASH/pf.log" &&
	awk -v a="$(run_tsv cluster_created)" -v b="$(run_tsv started)" "BEGIN { exit !(a >= b) }"
'

test_expect_success 'nothing is left running' '
	leftovers none >left &&
	test_must_be_empty left
'

stop_clusters
test_done
