# tests/lib-wrapper.sh - fixtures of the e2e-profile wrapper's tests
# (tests/t00NN-wrapper-*.sh, and the md-report tests that analyse runs),
# sourced after lib.sh.
#
# A run needs a test to run and pods to profile. The test is a make target
# of a Makefile written here (sleep: runs TEST_SECONDS, default 6, and
# writes E2E_SUMMARY_OUTPUT like operator-controller's tests; fail: runs
# TEST_SECONDS then exits 3). The pods are fakekube's (tests/go/fakekube),
# which the real kubectl talks to, each backed by a running workload
# (tests/go/workload) or by nothing (pprof not enabled).
#
# fakekube serves no pods/portforward, so `kubectl` on PATH is a stand-in
# (kbin/kubectl) that passes every call to the real kubectl except
# port-forward, for which it reproduces the real kubectl's output format:
# "Forwarding from 127.0.0.1:PORT -> 6060" (and the [::1] line when no
# --address is given) on stdout, then waits until killed. It forwards
# nothing itself: PORT is the port of the pod's backend, the workload
# listening on loopback (fakekube's annotation fakekube.invalid/backend,
# read from the cluster that --kubeconfig and --context name), or port 1,
# closed, when the pod has none. Like the real one it exits with "error:
# lost connection to pod" once the pod is gone, or its cluster. Each one
# logs its arguments and pid to pf.log.
#
# install_kind puts tests/fakekind/kind on PATH, a fake kind that makes
# clusters as kind v0.2x does, each its own fakekube on kind/NAME/, and
# writes kubeconfigs as kind does; tests/fakekind/olm.sh plays
# operator-controller and catalogd on such a cluster. The Makefile's
# test-e2e, test-experimental-e2e (2 replicas), test-upgrade-st2st-e2e and
# run play operator-controller's targets in their order (test-default-e2e
# makes its cluster without exporting a kubeconfig): tools (bingo's
# kind), the cluster (kind-cluster-%: delete, create, export into
# .kubeconfig/NAME.kubeconfig), the image build, the deployment with late
# readiness, the suite with a rolling update and a new leader, coverage's
# scale to 0, the delete (not reached when the suite fails).
#
#   E2E                   the wrapper; run it with e2e_profile (under dash)
#   needs_cluster         skip all unless the Go programs, kubectl, dash
#                         and curl are there
#   OC1 OC2 OC3 CD1       pod names, UID1..UID4 their uids
#   start_cluster         fakekube on state.json, kubeconfig, the stand-in
#   install_kind          the stand-in and the fake kind, no cluster
#   clusters              the fake kind's clusters (kind get clusters)
#   stop_clusters         delete them all (before test_done)
#   pod NAME DEPLOY UID [BACKEND]   one pod of the state file (JSON)
#   write_state POD...    the whole cluster, swapped in atomically
#   leftovers SID         live processes of session SID or naming TRASH

# shellcheck shell=sh disable=SC2034,SC2154 # the tests' variables, lib.sh's
E2E=$TEST_ROOT/scripts/e2e-profile
NS=olmv1-system
OC=operator-controller-controller-manager
CD=catalogd-controller-manager
TAB=$(printf '\t')
OC1=$OC-7d9f-abcde
OC2=$OC-7d9f-fghij
OC3=$OC-86b4-klmno
CD1=$CD-55f-xyz12
UID1=0b6e1e3c-0000-4000-8000-000000000001
UID2=0b6e1e3c-0000-4000-8000-000000000002
UID3=0b6e1e3c-0000-4000-8000-000000000003
UID4=0b6e1e3c-0000-4000-8000-000000000004

needs_cluster() {
	test_have_prereq GO ||
	    skip_all 'needs go and the Go test programs (make go-progs)'
	for c in kubectl dash curl; do
		command -v $c >/dev/null 2>&1 || skip_all "needs $c"
	done
}

# kubectl caches discovery under HOME/.kube; the wrapper's temporary
# directory goes under TRASH so that leftovers can be found by name.
HOME=$TRASH
KUBECONFIG=$TRASH/kubeconfig
TMPDIR=$TRASH/tmp
E2E_PROFILE_DIR=$TRASH/profiles
export HOME KUBECONFIG TMPDIR E2E_PROFILE_DIR
mkdir -p "$TMPDIR"
unset E2E_PROFILE_NAMESPACE E2E_PROFILE_INTERVAL E2E_PROFILE_CPU_DURATION \
    E2E_PROFILE_MODE E2E_PROFILE_TEST_TARGET E2E_PROFILE_COMPONENTS \
    E2E_PROFILE_TRANSPORT E2E_PROFILE_PPROF_PORT E2E_PROFILE_GOROUTINES \
    E2E_PROFILE_READY_TIMEOUT E2E_PROFILE_FORCE E2E_SUMMARY_OUTPUT NO_COLOR \
    E2E_PROFILE_MAIN_PHASES E2E_PROFILE_PATTERNS
# The tests written before the phases pin the run directory's files and
# the run's length: no MemStats files and no settle window there. The
# phase tests (t0074-t0078) set their own.
E2E_PROFILE_SETTLE=0 E2E_PROFILE_MEMSTATS_EVERY=0
export E2E_PROFILE_SETTLE E2E_PROFILE_MEMSTATS_EVERY

e2e_profile() {
	dash "$E2E" "$@"
}

cat >"$TRASH/Makefile" <<'EOF'
TEST_SECONDS ?= 6
sleep:
	@sh '$(CURDIR)/test-body.sh' $(TEST_SECONDS)
fail:
	@sh '$(CURDIR)/test-body.sh' $(TEST_SECONDS); echo 'test: FAIL'; exit 3
EOF
cat >>"$TRASH/Makefile" <<'EOF'

KIND ?= kind
KUBECONFIG_DIR := $(CURDIR)/.kubeconfig
E2E_KUBECONFIG = $(KUBECONFIG_DIR)/$*.kubeconfig
OLM = sh '$(CURDIR)/olm.sh'
TOOLS_SECONDS ?= 1
BUILD_SECONDS ?= 2
READY_SECONDS ?= 1
LATE_SECONDS ?= 2
LOAD_SECONDS ?= 1
SUITE_SECONDS ?= 3
REPLICAS ?= 1
.PHONY: tools docker-build test-e2e test-experimental-e2e test-upgrade-st2st-e2e run
tools:
	@echo 'tools: kind'; sleep $(TOOLS_SECONDS)
docker-build:
	@echo 'build: images'; sleep $(BUILD_SECONDS)
kind-cluster-%: tools
	@$(KIND) delete cluster --name $* 2>/dev/null || true; \
	$(KIND) create cluster --name $* --config ./kind-config.yaml; \
	mkdir -p $(KUBECONFIG_DIR); \
	KUBECONFIG=$(E2E_KUBECONFIG) $(KIND) export kubeconfig --name $*
kind-load-%: kind-cluster-% docker-build
	$(KIND) load docker-image quay.io/operator-framework/operator-controller:devel --name $*
	sleep $(LOAD_SECONDS)
kind-deploy-%: kind-load-%
	KUBECONFIG=$(E2E_KUBECONFIG) $(OLM) $* deploy $(REPLICAS)
wait-%: kind-deploy-%
	@sleep $(READY_SECONDS); $(OLM) $* ready a; sleep $(LATE_SECONDS); $(OLM) $* ready b
e2e-run-%: wait-%
	KUBECONFIG=$(E2E_KUBECONFIG) $(OLM) $* suite $(SUITE_SECONDS)
e2e-coverage-%: e2e-run-%
	KUBECONFIG=$(E2E_KUBECONFIG) $(OLM) $* scale0
test-e2e: e2e-coverage-operator-controller-e2e
	-$(KIND) delete cluster --name operator-controller-e2e
test-experimental-e2e: REPLICAS = 2
test-experimental-e2e: e2e-coverage-operator-controller-experimental-e2e
	-$(KIND) delete cluster --name operator-controller-experimental-e2e
test-upgrade-st2st-e2e: kind-load-operator-controller-upgrade-st2st-e2e
	PPROF=0 $(OLM) operator-controller-upgrade-st2st-e2e deploy 1
	PPROF=0 $(OLM) operator-controller-upgrade-st2st-e2e ready a
	sleep $(SUITE_SECONDS)
	$(OLM) operator-controller-upgrade-st2st-e2e upgrade
	sleep $(SUITE_SECONDS)
	-$(KIND) delete cluster --name operator-controller-upgrade-st2st-e2e
run: wait-operator-controller
# A target whose cluster has kind's default kubeconfig only.
test-default-e2e: tools
	@$(KIND) delete cluster --name default-e2e 2>/dev/null || true; \
	$(KIND) create cluster --name default-e2e
	$(OLM) default-e2e deploy 1
	$(OLM) default-e2e ready a
	sleep $(SUITE_SECONDS)
	-$(KIND) delete cluster --name default-e2e
EOF
cp "$TESTS/fakekind/olm.sh" "$TRASH/olm.sh"
cat >"$TRASH/test-body.sh" <<'EOF'
echo "test: running for $1 s"
if [ -n "${E2E_SUMMARY_OUTPUT-}" ]; then
	printf '# e2e summary\n\nran %s s\n' "$1" >"$E2E_SUMMARY_OUTPUT"
fi
i=0
while [ "$i" -lt "$1" ]; do
	sleep 1
	i=$((i + 1))
done
echo 'test: done'
EOF

pod() {
	printf '{"namespace":"%s","name":"%s","labels":{"control-plane":"%s"},"uid":"%s"' \
	    "$NS" "$1" "$2" "$3"
	[ -z "${4-}" ] || printf ',"backend":"%s"' "$4"
	printf '}'
}

# write_state POD...: the state file.
write_state() {
	{
		printf '{"namespaces":["%s"],\n"pods":[' "$NS"
		_ws_sep=
		for _ws_p in "$@"; do
			printf '%s\n%s' "$_ws_sep" "$_ws_p"
			_ws_sep=,
		done
		printf ']}\n'
	} >"$TRASH/state.tmp" &&
	mv "$TRASH/state.tmp" "$TRASH/state.json"
}

start_cluster() {
	start_server K fakekube -state "$TRASH/state.json" \
	    -kubeconfig-out "$KUBECONFIG" &&
	mkdir -p "$TRASH/kbin" &&
	install_stand_in &&
	test -s "$KUBECONFIG"
}

install_stand_in() {
	mkdir -p "$TRASH/kbin" &&
	sed -e "s|@REAL@|$(command -v kubectl)|" -e "s|@TRASH@|$TRASH|" \
	    >"$TRASH/kbin/kubectl" <<-\EOF &&
	#!/bin/sh
	# A stand-in for kubectl port-forward; see tests/lib-wrapper.sh.
	real=@REAL@
	pf=0
	for a in "$@"; do
		[ "$a" != port-forward ] || pf=1
	done
	[ "$pf" = 1 ] || exec "$real" "$@"
	printf '%s %s\n' "$$" "$*" >>'@TRASH@/pf.log'
	g='' ns=default pod='' port='' addr=''
	while [ "$#" -gt 0 ]; do
		case $1 in
		--kubeconfig=* | --context=*) g="$g $1" ;;
		--kubeconfig | --context) g="$g $1=$2"; shift ;;
		-n) ns=$2; shift ;;
		--address) addr=$2; shift ;;
		pod/*) pod=${1#pod/} ;;
		:*) port=${1#:} ;;
		esac
		shift
	done
	# shellcheck disable=SC2086 # paths without blanks
	info=$("$real" $g get pod -n "$ns" "$pod" -o 'jsonpath={.metadata.uid} {.metadata.annotations.fakekube\.invalid/backend}') || exit 1
	# shellcheck disable=SC2086
	server=$("$real" $g config view --minify -o 'jsonpath={.clusters[0].cluster.server}') || exit 1
	uid=${info%% *} backend=${info#* }
	lport=${backend##*:}
	[ -n "$lport" ] || lport=1
	printf 'Forwarding from 127.0.0.1:%s -> %s\n' "$lport" "$port"
	[ -n "$addr" ] || printf 'Forwarding from [::1]:%s -> %s\n' "$lport" "$port"
	trap 'kill "$s" 2>/dev/null; exit 143' TERM
	trap 'kill "$s" 2>/dev/null; exit 130' INT
	while :; do
		sleep 1 &
		s=$!
		wait "$s"
		curl -sf "$server/api/v1/namespaces/$ns/pods/$pod" 2>/dev/null |
		    grep -q "\"uid\":\"$uid\"" && continue
		echo 'error: lost connection to pod' >&2
		exit 1
	done
	EOF
	chmod +x "$TRASH/kbin/kubectl" &&
	case :$PATH: in
	*":$TRASH/kbin:"*) ;;
	*) PATH=$TRASH/kbin:$PATH && export PATH ;;
	esac
}

# install_kind: the kubectl stand-in and the fake kind on PATH.
install_kind() {
	FAKEKIND_KUBECTL=$(command -v kubectl) FAKEKIND_HOME=$TRASH/kind \
	    FAKEKUBE=$GOBIN/fakekube &&
	export FAKEKIND_KUBECTL FAKEKIND_HOME FAKEKUBE &&
	install_stand_in &&
	ln -sf "$TESTS/fakekind/kind" "$TRASH/kbin/kind" &&
	trap 'stop_clusters; stop_servers' EXIT
}

# clusters: the fake kind's clusters, one a line.
clusters() {
	ls "$TRASH/kind" 2>/dev/null
}

# kind_servers: the pids of the fake kind's clusters.
kind_servers() {
	cat "$TRASH"/kind/*/pid 2>/dev/null
}

# stop_clusters: every cluster of the fake kind deleted: before test_done,
# which removes the trash directory, and on exit.
stop_clusters() {
	for _sc_c in $(clusters); do
		kind delete cluster --name "$_sc_c" 2>/dev/null
	done
}

# leftovers SID: live processes (not zombies) of session SID, or whose
# command line names the trash directory, but for the servers of
# start_server and the fake kind's clusters; empty when all is clean.
leftovers() {
	ps -A -o pid= -o sid= -o stat= -o args= >"$TRASH/ps.out" &&
	awk -v sid="$1" -v trash="$TRASH" -v servers="$test_servers $(kind_servers)" '
	    BEGIN { n = split(servers, s, " "); for (i = 1; i <= n; i++) srv[s[i]] = 1 }
	    $3 !~ /^Z/ && !($1 in srv) && ($2 == sid || index($0, trash))' \
	    "$TRASH/ps.out"
}

# wait_for N FILE_GLOB: until at least N files match (10 s at most).
wait_for() {
	_wf_i=0
	# shellcheck disable=SC2012,SC2086 # $2 is a glob
	while [ "$(ls $2 2>/dev/null | wc -l)" -lt "$1" ]; do
		_wf_i=$((_wf_i + 1))
		[ "$_wf_i" -le 100 ] || return 1
		sleep 0.1
	done
}

# run_tsv KEY [RUN]: a value of run.tsv.
run_tsv() {
	awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$E2E_PROFILE_DIR/${2:-$run}/run.tsv"
}

# --- the phase fixture (t0074-t0078, and the report tests on top) ---------
#
# phases_fixture: the make target `phases` of the Makefile, a stand-in for
# operator-controller's test-e2e that prints the lines of lib/phases.tsv's
# real patterns: kind's cluster line, go build, the godog suite's two go
# test runs (the ~@Serial one, then the @Serial one, which starts where
# go test prints "ok  command-line-arguments"), Feature:/Scenario: lines,
# go test -v's === RUN and --- PASS, coverage and teardown. The workload
# at $W (started by the test) leaks PHASE_LEAK bytes a second during the
# parallel run only (/leak; stopped a second before the phase ends, so
# that the workload's last tick is in it), and nothing before or after. Each phase lasts
# PHASE_SECONDS (default 3). After the parallel run's "ok" line it waits a
# second, then prints "serial: going on" with the time it did so
# (date +%s%N), so a test can tell whether it was held.
#
#   phases_run RUN [VAR=VALUE...]   e2e-profile run RUN phases, with
#                                   E2E_PROFILE_COMPONENTS=w=$W, a 2 s
#                                   interval, heap only, MemStats every 3rd
#                                   slot, a settle window of 4 s (each
#                                   overridable); out in RUN.out, RUN.err
#   phase_starts RUN                its test-events' phase-start names
#   marks RUN UNIT                  "seq phase" of the unit's mark lines
phases_fixture() {
	# shellcheck disable=SC2016 # make's variables
	printf '%s\n' 'PHASE_SECONDS ?= 3' 'PHASE_LEAK ?= 4194304' 'phases:' \
	    "	@sh '\$(CURDIR)/phases-body.sh' '\$(W)' \$(PHASE_SECONDS) \$(PHASE_LEAK)" \
	    >>"$TRASH/Makefile"
	cat >"$TRASH/phases-body.sh" <<-\EOF
	w=$1 s=$2 leak=$3
	echo 'Creating cluster "operator-controller-e2e" ...'
	sleep "$s"
	echo 'go build -ldflags "-X version=devel" -o bin/operator-controller ./cmd/operator-controller'
	sleep "$s"
	echo 'go test -count=1 -v ./test/e2e/features_test.go -timeout 20m -args --godog.tags="~@Serial && ~@demo" --godog.concurrency=100; \'
	echo 'go test -count=1 -v ./test/e2e/features_test.go -timeout 20m -args --godog.tags="@Serial && ~@demo" --godog.concurrency=1'
	echo '=== RUN   TestFeatures'
	echo 'Feature: Install ClusterExtension'
	echo '  Scenario: Install latest available version   # features/install.feature:12'
	curl -sf -X POST "$w/leak?bytes=$leak" >/dev/null
	sleep "$s"
	curl -sf -X POST "$w/leak?bytes=0" >/dev/null
	# The leak's last tick (0.1 s) is over before the phase ends.
	sleep 1
	echo '--- PASS: TestFeatures (3.00s)'
	printf 'ok  \tcommand-line-arguments\t3.012s\n'
	sleep 1
	echo "serial: going on $(date +%s%N)"
	echo 'Feature: Serial things'
	echo '  Scenario: One at a time   # features/serial.feature:3'
	sleep "$s"
	printf 'ok  \tcommand-line-arguments\t3.001s\n'
	echo 'KUBECONFIG=/tmp/x.kubeconfig COVERAGE_NAME=operator-controller-e2e ./hack/test/e2e-coverage.sh'
	sleep "$s"
	echo '/tmp/bin/kind-v0.29.0 delete cluster --name operator-controller-e2e'
	sleep 1
	EOF
}

phases_run() {
	_pr_run=$1
	shift
	env E2E_PROFILE_COMPONENTS="w=$W" E2E_PROFILE_INTERVAL=2 \
	    E2E_PROFILE_MODE=heap E2E_PROFILE_MEMSTATS_EVERY=3 \
	    E2E_PROFILE_SETTLE=4 W="$W" "$@" \
	    dash "$E2E" run "$_pr_run" phases >"$_pr_run.out" 2>"$_pr_run.err"
}

phase_starts() {
	awk -F'\t' '$3 == "phase-start" { print $4 }' \
	    "$E2E_PROFILE_DIR/$1/test-events.tsv"
}

marks() {
	awk -F'\t' -v u="$2" '$2 == u && $3 == "heap" && $5 == "mark" {
	    sub(/^phase-start /, "", $9); print $4, $9 }' \
	    "$E2E_PROFILE_DIR/$1/collection.log"
}
