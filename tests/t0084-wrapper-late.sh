#!/bin/sh
test_description='e2e-profile: a build slower than the ready time-out, a replica ready after it; an upgrade target, without and with pprof on the upgraded pods'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

needs_cluster

X=operator-controller-experimental-e2e
U=operator-controller-upgrade-st2st-e2e

test_setup 'the fake kind, a workload behind every pod' '
	install_kind &&
	for w in OC_A OC_B OC_C CD_A CD_B CD_C; do
		start_server "W_$w" workload -cpu 0.01 -churn 0 || exit 1
		export "W_$w"
	done
'

# The ready time-out (3 s) counts from the namespace's creation: the
# tools and the build (6 s) do not count; pods b are ready 5 s after it.
run=slow
test_expect_success 'a build of 4 s, a ready time-out of 3 s, pods b ready 5 s after the deployment' '
	TAG=slow TOOLS_SECONDS=1 BUILD_SECONDS=3 LOAD_SECONDS=0 READY_SECONDS=1 \
	    LATE_SECONDS=4 SUITE_SECONDS=1 E2E_PROFILE_READY_TIMEOUT=3 \
	    E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    e2e_profile run slow test-experimental-e2e >out 2>err.slow &&
	test_must_be_empty out
'

# The build comes before the cluster, as GNU make orders
# kind-load-%: kind-cluster-% docker-build (an intermediate target last).
test_expect_success 'the time-out is said once a component, after the cluster came, not 3 s after the start' '
	grep "warning" err.slow >warnings &&
	cat >expect <<-EOF &&
	e2e-profile: warning: operator-controller: 1 of 2 pods ready after 3s (E2E_PROFILE_READY_TIMEOUT); still looking, the test goes on
	e2e-profile: warning: catalogd: 1 of 2 pods ready after 3s (E2E_PROFILE_READY_TIMEOUT); still looking, the test goes on
	EOF
	sort expect >expect.s && sort warnings >actual &&
	test_cmp expect.s actual &&
	ev=$E2E_PROFILE_DIR/slow/events.tsv &&
	up_at=$(awk -F"\t" "\$3 == \"cluster-up\" { print \$1; exit }" "$ev") &&
	to_at=$(awk -F"\t" "\$3 == \"ready-timeout\" { print \$1; exit }" "$ev") &&
	test -n "$up_at" && test -n "$to_at" &&
	awk -v a="$to_at" -v b="$up_at" "BEGIN { exit !(a > b) }" &&
	test "$(grep -c "	ready-timeout	" "$ev")" = 2
'

test_expect_success 'the late replicas are profiled all the same, each in a unit of its own' '
	cut -f1,5 "$E2E_PROFILE_DIR/slow/units.tsv" >actual &&
	cat >expect <<-EOF &&
	#unit${TAB}pods
	operator-controller-0${TAB}$OC-slow-a,$OC-slow-c
	operator-controller-1${TAB}$OC-slow-b
	catalogd-0${TAB}$CD-slow-a,$CD-slow-c
	catalogd-1${TAB}$CD-slow-b
	EOF
	test_cmp expect actual &&
	test "$(ls "$E2E_PROFILE_DIR/slow/operator-controller-1" | grep -c "^heap")" -ge 3
'

run=up1
test_expect_success 'an upgrade target without HELM_SETTINGS: said at the start; no profile; warned' '
	TAG=up1 TOOLS_SECONDS=0 BUILD_SECONDS=0 LOAD_SECONDS=0 SUITE_SECONDS=3 \
	    E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    E2E_PROFILE_COMPONENTS="operator-controller=control-plane=$OC" \
	    e2e_profile run up1 test-upgrade-st2st-e2e >out 2>err.up1 &&
	grep "^e2e-profile: make test-upgrade-st2st-e2e installs a release without pprof, then upgrades it: only HELM_SETTINGS=options.profiling.enabled=true gives pprof to the upgraded pods$" err.up1 &&
	test "$(grep -c "^e2e-profile: warning: operator-controller: is pprof enabled? " err.up1)" = 1 &&
	grep "^e2e-profile: warning: operator-controller: the upgrade targets install a release without pprof, then upgrade it: HELM_SETTINGS=options.profiling.enabled=true gives pprof to the upgraded pods$" err.up1 &&
	grep "^e2e-profile: warning: operator-controller: no profile at all: is pprof enabled (--pprof-bind-address)? see $E2E_PROFILE_DIR/up1/collection.log$" err.up1 &&
	test "$(cut -f5 "$E2E_PROFILE_DIR/up1/units.tsv" | sed -n 2p)" = "$OC-up1-a,$OC-up1-c" &&
	test -z "$(clusters)"
'

run=up2
test_expect_success 'with HELM_SETTINGS=options.profiling.enabled=true: the upgraded pods profiled, no warning' '
	TAG=up2 HELM_SETTINGS=options.profiling.enabled=true TOOLS_SECONDS=0 \
	    BUILD_SECONDS=0 LOAD_SECONDS=0 SUITE_SECONDS=4 \
	    E2E_PROFILE_INTERVAL=1 E2E_PROFILE_MODE=heap \
	    E2E_PROFILE_COMPONENTS="operator-controller=control-plane=$OC" \
	    e2e_profile run up2 test-upgrade-st2st-e2e >out 2>err.up2 &&
	! grep -e warning -e "installs a release" err.up2 &&
	grep "^e2e-profile: operator-controller: no profile in [0-9]* tries from pod $OC-up2-a, the release installed before the upgrade (it has no pprof); the upgraded pods are profiled when they come$" err.up2 &&
	test "$(cut -f5 "$E2E_PROFILE_DIR/up2/units.tsv" | sed -n 2p)" = "$OC-up2-a,$OC-up2-c" &&
	test "$(ls "$E2E_PROFILE_DIR/up2/operator-controller" | grep -c "^heap")" -ge 3 &&
	grep "^##restarts	0$" "$E2E_PROFILE_DIR/up2/analysis/operator-controller.heap.series.tsv"
'

test_expect_success 'the profiles are all the upgraded pod'"'"'s: none before it replaced the release' '
	ev=$E2E_PROFILE_DIR/up2/events.tsv &&
	at=$(awk -F"\t" "\$3 == \"pod-replaced\" { print \$1 }" "$ev") &&
	test -n "$at" &&
	awk -F"\t" "!/^#/ && \$5 == \"ok\" { print substr(\$1, 1, 19) \"Z\" }" "$E2E_PROFILE_DIR/up2/collection.log" >times &&
	test -s times &&
	awk -v c="$at" "\$1 < c { bad = 1 } END { exit bad }" times
'

test_expect_success 'nothing is left running' '
	leftovers none >left &&
	test_must_be_empty left
'

stop_clusters
test_done
