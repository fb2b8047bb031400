#!/bin/sh
test_description='e2e-profile on the fake kind cluster: the settle window between the parallel and the serial godog runs, the test held, before coverage scales the managers to 0'
. "$(dirname "$0")/lib.sh"
. "$TESTS/lib-wrapper.sh"

needs_cluster

# Pods are $OC-$TAG-a and $CD-$TAG-a (tests/fakekind/olm.sh).
TAG=ph1
export TAG
X=operator-controller-ph-e2e

# test-ph-e2e: operator-controller's test-e2e as the real patterns see
# it: kind's cluster, kind load, the godog suite's go test lines and go
# test's "ok" between its two runs, the coverage script (here olm.sh's
# scale to 0) and kind delete cluster.
cat >>"$TRASH/Makefile" <<'EOF'
e2e-ph-%: wait-%
	@echo 'go test -count=1 -v ./test/e2e/features_test.go -timeout 20m -args --godog.tags="~@Serial && ~@demo" --godog.concurrency=100'
	@sleep $(SUITE_SECONDS)
	@printf 'ok  \tcommand-line-arguments\t3.0s\n'
	@sleep 1; echo "serial: going on $$(date +%s%N)"
	@sleep $(SUITE_SECONDS)
test-ph-e2e: e2e-ph-operator-controller-ph-e2e
	KUBECONFIG=$(KUBECONFIG_DIR)/operator-controller-ph-e2e.kubeconfig COVERAGE_NAME=operator-controller-ph-e2e ./hack/test/e2e-coverage.sh
	-$(KIND) delete cluster --name operator-controller-ph-e2e
EOF
mkdir -p "$TRASH/hack/test"
cat >"$TRASH/hack/test/e2e-coverage.sh" <<'EOF'
#!/bin/sh
exec sh "$(dirname "$0")/../../olm.sh" "$COVERAGE_NAME" scale0
EOF
chmod +x "$TRASH/hack/test/e2e-coverage.sh"

# ns RFC3339: the time in ns since the epoch (GNU date).
ns() {
	date -u -d "$1" +%s%N
}

test_setup 'the fake kind, a workload behind each manager' '
	install_kind &&
	start_server W_OC_A workload -cpu 0.01 -churn 0 &&
	start_server W_CD_A workload -cpu 0.01 -churn 0 &&
	export W_OC_A W_CD_A &&
	test_must_be_empty "$(clusters)"
'

run=k
test_expect_success 'a run of the target: exit 0, the cluster made, scaled to 0 and deleted by make' '
	TOOLS_SECONDS=1 BUILD_SECONDS=1 LATE_SECONDS=1 SUITE_SECONDS=2 \
	    E2E_PROFILE_INTERVAL=2 E2E_PROFILE_MODE=heap E2E_PROFILE_SETTLE=4 \
	    E2E_PROFILE_MEMSTATS_EVERY=3 dash "$E2E" run k test-ph-e2e >out 2>err &&
	test_must_be_empty out &&
	grep "^olm.sh: $X: scale0 $" "$E2E_PROFILE_DIR/k/test.log" &&
	test -z "$(clusters)" &&
	grep "^e2e-profile: settle window: 4s of heap and goroutine profiles at the end of the main phase (e2e-serial) (the test is held)$" err &&
	grep "${TAB}-${TAB}settle${TAB}done at the end of the main phase (e2e-serial)$" "$E2E_PROFILE_DIR/k/events.tsv"
'

test_expect_success 'test-events.tsv: the phases of the real patterns, in order' '
	phase_starts k >actual &&
	printf "%s\n" cluster image-load e2e-parallel e2e-serial coverage teardown >expect &&
	test_cmp expect actual
'

test_expect_success 'both managers served the whole window: 5 heap and goroutine profiles each, the baseline, no failure but goroutineleak' '
	for u in operator-controller catalogd; do
		ls "$E2E_PROFILE_DIR/k/$u/settle" >actual &&
		printf "%s\n" baseline-goroutine.pprof baseline-heap.pprof goroutine0.pprof \
		    goroutine1.pprof goroutine2.pprof goroutine3.pprof goroutine4.pprof \
		    heap0.pprof heap1.pprof heap2.pprof heap3.pprof heap4.pprof >expect &&
		test_cmp expect actual || exit 1
	done &&
	awk -F"\t" "\$3 ~ /^(settle|baseline)-/ && \$5 != \"ok\" && !/^#/ { print \$2, \$3, \$5, \$6 }" \
	    "$E2E_PROFILE_DIR/k/collection.log" | sort >actual &&
	printf "%s\n" "catalogd settle-goroutineleak error 404" \
	    "operator-controller settle-goroutineleak error 404" >expect &&
	test_cmp expect actual &&
	test "$(run_tsv settle)" = done
'

test_expect_success 'the window came before the coverage step, and the test waited for it' '
	d=$E2E_PROFILE_DIR/k &&
	cov=$(awk -F"\t" "\$3 == \"phase-start\" && \$4 == \"coverage\" { print \$1 }" "$d/test-events.tsv") &&
	end=$(ns "$(run_tsv settle_end)") &&
	went_on=$(sed -n "s/^serial: going on \([0-9]*\)$/\1/p" "$d/test.log") &&
	test "$end" -lt "$went_on" && test "$went_on" -lt "$cov" ||
	    { echo "settle end $end, went on $went_on, coverage $cov"; exit 1; }
'

# The units come when their pods are ready, around the parallel run's
# start: that phase may begin before them (its first profile is then the
# unit's first).
test_expect_success 'the phases after the units came have their mark in both units, and the numbering holds' '
	for u in operator-controller catalogd; do
		marks k $u | cut -d" " -f2 | grep -v "^e2e-parallel$" >actual &&
		printf "%s\n" e2e-serial coverage >expect &&
		test_cmp expect actual &&
		ls "$E2E_PROFILE_DIR/k/$u" | sed -n "s/^heap\([0-9]*\)\.pprof$/\1/p" | sort -n >seqs &&
		seq 0 $(($(wc -l <seqs) - 1)) >expect &&
		test_cmp expect seqs || exit 1
	done
'

test_expect_success 'nothing left running' '
	leftovers none >left &&
	test_must_be_empty left
'

stop_clusters
test_done
