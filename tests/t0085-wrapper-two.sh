#!/bin/sh
test_description='e2e-profile: a dev cluster current (make run, no pprof) and two runs at once, test-e2e and test-experimental-e2e, each following its own cluster'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

needs_cluster

S=operator-controller-e2e
X=operator-controller-experimental-e2e
DEV=operator-controller

test_setup 'the fake kind, workloads, a dev cluster made by make run, current' '
	install_kind &&
	for w in OC_A OC_B OC_C CD_A CD_B CD_C; do
		start_server "W_$w" workload -cpu 0.01 -churn 0 || exit 1
		export "W_$w"
	done &&
	PPROF=0 TAG=dev TOOLS_SECONDS=0 BUILD_SECONDS=0 LOAD_SECONDS=0 READY_SECONDS=0 \
	    LATE_SECONDS=0 make run >dev.log 2>&1 &&
	test "$(clusters)" = $DEV &&
	test "$(kubectl config current-context)" = kind-$DEV &&
	kubectl get pods -n $NS -o name >dev.pods &&
	test "$(wc -l <dev.pods)" = 2
'

# A git checkout that does not ignore e2e-profiles/, for run s.
test_setup 'a git checkout for one run'"'"'s profiles' '
	git init -q "$TRASH/checkout"
'

test_expect_success 'two runs at once: both pass' '
	{ TAG=s1 TOOLS_SECONDS=2 BUILD_SECONDS=1 SUITE_SECONDS=2 E2E_PROFILE_INTERVAL=1 \
	    E2E_PROFILE_MODE=heap E2E_PROFILE_DIR=$TRASH/checkout/e2e-profiles \
	    dash "$E2E" run s test-e2e >out.s 2>err.s; echo $? >rc.s; } &
	{ TAG=x1 TOOLS_SECONDS=1 BUILD_SECONDS=1 SUITE_SECONDS=2 E2E_PROFILE_INTERVAL=1 \
	    E2E_PROFILE_MODE=heap dash "$E2E" run x test-experimental-e2e >out.x 2>err.x
	  echo $? >rc.x; } &&
	wait &&
	echo 0 >expect &&
	test_cmp expect rc.s &&
	test_cmp expect rc.x &&
	test_must_be_empty out.s &&
	test_must_be_empty out.x
'

test_expect_success 'each its own cluster, kubeconfig and context' '
	run_tsv kubeconfig "../checkout/e2e-profiles/s" >actual &&
	echo "$TRASH/.kubeconfig/$S.kubeconfig" >expect &&
	test_cmp expect actual &&
	test "$(run_tsv context ../checkout/e2e-profiles/s)" = kind-$S &&
	test "$(run_tsv kubeconfig x)" = "$TRASH/.kubeconfig/$X.kubeconfig" &&
	test "$(run_tsv context x)" = kind-$X &&
	test "$(run_tsv cluster x)" = $X
'

test_expect_success 'each profiled its own pods only, never the dev cluster'"'"'s' '
	cut -f1,5 "$TRASH/checkout/e2e-profiles/s/units.tsv" >actual &&
	cat >expect <<-EOF &&
	#unit${TAB}pods
	operator-controller${TAB}$OC-s1-a,$OC-s1-c
	catalogd${TAB}$CD-s1-a,$CD-s1-c
	EOF
	test_cmp expect actual &&
	cut -f1,5 "$E2E_PROFILE_DIR/x/units.tsv" | sort >actual &&
	sort >expect <<-EOF &&
	#unit${TAB}pods
	operator-controller-0${TAB}$OC-x1-a,$OC-x1-c
	operator-controller-1${TAB}$OC-x1-b
	catalogd-0${TAB}$CD-x1-a,$CD-x1-c
	catalogd-1${TAB}$CD-x1-b
	EOF
	test_cmp expect actual &&
	! grep -e "-dev-" "$TRASH/pf.log" &&
	grep -e "--context=kind-$S " "$TRASH/pf.log" >pf.s &&
	grep -e "--context=kind-$X " "$TRASH/pf.log" >pf.x &&
	test "$(wc -l <pf.s)" -ge 4 && test "$(wc -l <pf.x)" -ge 6 &&
	test $(($(wc -l <pf.s) + $(wc -l <pf.x))) = "$(wc -l <"$TRASH/pf.log")" &&
	! grep -v " pod/[a-z-]*-s1-[ac] " pf.s &&
	! grep -v " pod/[a-z-]*-x1-[abc] " pf.x
'

test_expect_success 'no warning in either; the dev cluster is still there' '
	! grep warning err.s err.x &&
	test "$(clusters)" = $DEV &&
	kubectl --context kind-$DEV get pods -n $NS -o name >actual &&
	test_cmp dev.pods actual
'

# The kind deletes left no current context: E2E_PROFILE_CONTEXT names one.
run=ctx
test_expect_success 'E2E_PROFILE_CONTEXT: that cluster, whatever is current' '
	test_must_fail kubectl config current-context &&
	TEST_SECONDS=2 E2E_PROFILE_CONTEXT=kind-$DEV E2E_PROFILE_INTERVAL=1 \
	    E2E_PROFILE_MODE=heap E2E_PROFILE_COMPONENTS="operator-controller=control-plane=$OC" \
	    e2e_profile run ctx sleep >out 2>err &&
	grep "^e2e-profile: cluster: kind-$DEV of $KUBECONFIG (E2E_PROFILE_KUBECONFIG/E2E_PROFILE_CONTEXT)$" err &&
	test "$(run_tsv context)" = kind-$DEV &&
	test "$(run_tsv kubeconfig)" = "$KUBECONFIG" &&
	test "$(run_tsv cluster)" = - &&
	grep "	operator-controller	discovered	pod $OC-dev-a (uid " "$E2E_PROFILE_DIR/ctx/events.tsv"
'

test_expect_success 'a run directory inside a git checkout, not ignored: said once' '
	grep "^e2e-profile: $TRASH/checkout/e2e-profiles is inside the git checkout $TRASH/checkout and not ignored: consider adding '"'"'e2e-profiles/'"'"' to its .gitignore$" err.s &&
	test "$(grep -c "gitignore" err.s)" = 1 &&
	! grep gitignore err.x &&
	echo /e2e-profiles/ >"$TRASH/checkout/.gitignore" &&
	TEST_SECONDS=0 E2E_PROFILE_DIR=$TRASH/checkout/e2e-profiles \
	    E2E_PROFILE_COMPONENTS=demo=$W_OC_A E2E_PROFILE_MODE=heap \
	    e2e_profile run ignored sleep >out 2>err &&
	! grep gitignore err
'

test_expect_success 'nothing is left running but the dev cluster' '
	leftovers none >left &&
	test_must_be_empty left
'

stop_clusters
test_done
