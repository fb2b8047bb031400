# tests/lib-wrapper.sh - fixtures of the e2e-profile wrapper's tests
# (tests/t0080-wrapper-*.sh), sourced after lib.sh.
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
# listening on loopback (from the file backends.tsv), or port 1, closed,
# when the pod has none. Like the real one it exits with "error: lost
# connection to pod" once the pod is gone. Each one logs its arguments and
# pid to pf.log.
#
#   E2E                   the wrapper; run it with e2e_profile (under dash)
#   needs_cluster         skip all unless the Go programs, kubectl, dash
#                         and curl are there
#   OC1 OC2 OC3 CD1       pod names, UID1..UID4 their uids
#   start_cluster         fakekube on state.json, kubeconfig, the stand-in
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
    E2E_PROFILE_READY_TIMEOUT E2E_PROFILE_FORCE E2E_SUMMARY_OUTPUT NO_COLOR

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

# write_state POD...: the state file, and backends.tsv (pod, backend URL)
# for the port-forward stand-in.
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
	for _ws_p in "$@"; do
		printf '%s\n' "$_ws_p" |
		    sed -n 's/.*"name":"\([^"]*\)".*"backend":"\([^"]*\)".*/\1\t\2/p'
	done >"$TRASH/backends.tmp" &&
	mv "$TRASH/backends.tmp" "$TRASH/backends.tsv" &&
	mv "$TRASH/state.tmp" "$TRASH/state.json"
}

start_cluster() {
	start_server K fakekube -state "$TRASH/state.json" \
	    -kubeconfig-out "$KUBECONFIG" &&
	mkdir -p "$TRASH/kbin" &&
	sed -e "s|@REAL@|$(command -v kubectl)|" -e "s|@TRASH@|$TRASH|" \
	    -e "s|@K@|$K|" >"$TRASH/kbin/kubectl" <<-\EOF &&
	#!/bin/sh
	# A stand-in for kubectl port-forward; see tests/lib-wrapper.sh.
	real=@REAL@
	[ "${1-}" = port-forward ] || exec "$real" "$@"
	printf '%s %s\n' "$$" "$*" >>'@TRASH@/pf.log'
	shift
	ns=default pod= port= addr=
	while [ "$#" -gt 0 ]; do
		case $1 in
		-n) ns=$2; shift ;;
		--address) addr=$2; shift ;;
		pod/*) pod=${1#pod/} ;;
		:*) port=${1#:} ;;
		esac
		shift
	done
	uid=$("$real" get pod -n "$ns" "$pod" -o 'jsonpath={.metadata.uid}') || exit 1
	backend=$(awk -F'\t' -v p="$pod" '$1 == p { print $2 }' '@TRASH@/backends.tsv')
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
		curl -sf "@K@/api/v1/namespaces/$ns/pods/$pod" 2>/dev/null |
		    grep -q "\"uid\":\"$uid\"" && continue
		echo 'error: lost connection to pod' >&2
		exit 1
	done
	EOF
	chmod +x "$TRASH/kbin/kubectl" &&
	PATH=$TRASH/kbin:$PATH &&
	export PATH &&
	test -s "$KUBECONFIG"
}

# leftovers SID: live processes (not zombies) of session SID, or whose
# command line names the trash directory, but for the servers of
# start_server; empty when all is clean.
leftovers() {
	ps -A -o pid= -o sid= -o stat= -o args= >"$TRASH/ps.out" &&
	awk -v sid="$1" -v trash="$TRASH" -v servers="$test_servers" '
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
