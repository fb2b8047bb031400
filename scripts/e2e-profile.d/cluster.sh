# shellcheck shell=sh disable=SC2034,SC2154 # the globals: see e2e-profile
# e2e-profile part: the cluster, its pods and their transports: kubectl, discovery of the
# target's cluster, units that follow the deployments, leader election.
# Sourced by e2e-profile; defines functions only. See e2e-profile for
# the globals that are the program's state.

# --- transports -----------------------------------------------------------

# wait_port PID FILE SCRIPT: the port that a kubectl starting as PID names
# in FILE, as sed -n SCRIPT prints it, waited for up to 15 s while PID
# lives; nothing when it died first or said none.
wait_port() {
	_wp_i=0
	while [ "$_wp_i" -lt 150 ]; do
		_wp_port=$(sed -n "$3" "$2" | sed -n 1p)
		if [ -n "$_wp_port" ]; then
			printf '%s\n' "$_wp_port"
			return 0
		fi
		alive "$1" || return 0
		nap
		_wp_i=$((_wp_i + 1))
	done
}

# start_port_forward UNIT: kubectl chooses a free loopback port (so a busy
# 6060 does not matter) and says which on its "Forwarding from" line. Sets
# unit_base, or transport_error and returns 1.
start_port_forward() {
	_pf_dir=$state/u/$1
	_pf_pod=$(uget "$1" pod)
	# Emptied here, not by the child's redirection: a "Forwarding from"
	# line of an earlier port-forward must not be read as this one's.
	: >"$_pf_dir/pf.out"
	watched kube_exec port-forward -n "$namespace" "pod/$_pf_pod" ":$pprof_port" \
	    --address 127.0.0.1 </dev/null >"$_pf_dir/pf.out" 2>"$_pf_dir/pf.err"
	_pf_pid=$watched_pid
	uset "$1" tpid "$_pf_pid"
	_pf_port=$(wait_port "$_pf_pid" "$_pf_dir/pf.out" \
	    's/^Forwarding from 127\.0\.0\.1:\([0-9][0-9]*\) -> [0-9][0-9]*$/\1/p')
	if [ -z "$_pf_port" ]; then
		stop_pid "$_pf_pid" 2
		uset "$1" tpid ''
		_pf_err=$(last_line "$_pf_dir/pf.err")
		transport_error="kubectl port-forward pod/$_pf_pod: ${_pf_err:-no 'Forwarding from' line after 15 s}"
		return 1
	fi
	unit_base=http://127.0.0.1:$_pf_port
}

# ensure_proxy: one kubectl proxy on a free loopback port for every pod,
# restarted when it died. Sets transport_error and returns 1 on failure.
ensure_proxy() {
	! alive "$proxy_pid" || return 0
	_px_old=$proxy_port
	if [ -n "$proxy_pid" ]; then
		wait "$proxy_pid" 2>/dev/null || :
	fi
	_px_olderr=$(last_line "$state/proxy.err")
	: >"$state/proxy.out"
	watched kube_exec proxy --port=0 --address=127.0.0.1 </dev/null \
	    >"$state/proxy.out" 2>"$state/proxy.err"
	proxy_pid=$watched_pid
	proxy_port=$(wait_port "$proxy_pid" "$state/proxy.out" \
	    's/^Starting to serve on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p')
	if [ -z "$proxy_port" ]; then
		stop_pid "$proxy_pid" 2
		_px_err=$(last_line "$state/proxy.err")
		transport_error="kubectl proxy: ${_px_err:-no 'Starting to serve' line after 15 s}"
		proxy_pid=''
		return 1
	fi
	if [ -n "$_px_old" ]; then
		event - transport-restarted "kubectl proxy on 127.0.0.1:$_px_old exited${_px_olderr:+ ($_px_olderr)}; now 127.0.0.1:$proxy_port"
		warn "kubectl proxy exited${_px_olderr:+ ($_px_olderr)}; restarted on 127.0.0.1:$proxy_port"
	fi
}

# proxy_base POD: the base URL of POD's pprof port through kubectl proxy.
proxy_base() {
	printf '%s\n' "http://127.0.0.1:$proxy_port/api/v1/namespaces/$namespace/pods/$1:$pprof_port/proxy"
}

# open_transport UNIT: the way to UNIT's pprof port, its URL, or a port
# forward, or the proxy. Sets unit_base, or transport_error and returns 1.
open_transport() {
	transport_error=''
	case $(uget "$1" kind) in
	url)
		unit_base=$(uget "$1" url)
		;;
	pod)
		if [ "$transport" = port-forward ]; then
			start_port_forward "$1" || return 1
		else
			ensure_proxy || return 1
			uset "$1" tpid "$proxy_pid"
			unit_base=$(proxy_base "$(uget "$1" pod)")
		fi
		;;
	esac
}

stop_transport() {
	if [ "$(uget "$1" kind)" = pod ] && [ "$transport" = port-forward ]; then
		stop_pid "$(uget "$1" tpid)" 2
		uset "$1" tpid ''
	fi
}

# transport_alive UNIT
transport_alive() {
	[ "$(uget "$1" kind)" = pod ] || return 0
	if [ "$transport" = proxy ]; then
		alive "$proxy_pid" && [ "$(uget "$1" tpid)" = "$proxy_pid" ]
	else
		alive "$(uget "$1" tpid)"
	fi
}

# --- the cluster ----------------------------------------------------------

# kube ARGS...: kubectl against the run's cluster, with its kubeconfig and
# context when they are known (find_cluster), else kubectl's defaults.
# Every kubectl of the wrapper is this one, or kube_exec.
kube() {
	kubectl ${kc:+"--kubeconfig=$kc"} ${kctx:+"--context=$kctx"} "$@"
}

# kube_exec ARGS...: the same in place of the (sub)shell, for the
# transports started with &: their pid is kubectl's, which a signal stops.
kube_exec() {
	exec kubectl ${kc:+"--kubeconfig=$kc"} ${kctx:+"--context=$kctx"} "$@"
}

# target_cluster: the cluster the test will use. E2E_PROFILE_KUBECONFIG and
# E2E_PROFILE_CONTEXT say it; else `make -n TARGET` (state/make-n.out) does
# when the target makes a kind cluster, as operator-controller's
# kind-cluster-% does: `kind create cluster --name NAME`, then
# `KUBECONFIG=FILE kind export kubeconfig --name NAME` (without the export,
# kind's default kubeconfig, context kind-NAME). Sets kc, kctx, cluster,
# cl_file (the kubeconfig file kubectl reads), cl_how (how it was found)
# and cl_own: 1 when the test makes the cluster, so that no cluster or
# kubeconfig older than the run is taken for it.
target_cluster() {
	kc=${E2E_PROFILE_KUBECONFIG-} kctx=${E2E_PROFILE_CONTEXT-} cluster='' cl_own=0
	_fc_exp=$(sed -n 's/.*KUBECONFIG=\([^ ;&|]*\) [^ ;&|]*kind[^ ;&|]* export kubeconfig .*--name[ =]\([^ ;&|]*\).*/\1 \2/p' \
	    "$state/make-n.out" | sed -n 1p)
	_fc_new=$(sed -n 's/.*kind[^ ;&|]* create cluster .*--name[ =]\([^ ;&|]*\).*/\1/p' \
	    "$state/make-n.out" | sed -n 1p)
	if [ -n "$kc$kctx" ]; then
		cl_how="E2E_PROFILE_KUBECONFIG/E2E_PROFILE_CONTEXT"
	elif [ -n "$_fc_exp" ]; then
		kc=${_fc_exp% *} cluster=${_fc_exp##* } kctx=kind-$cluster cl_own=1
		cl_how="make -n $target: kind cluster $cluster"
	elif [ -n "$_fc_new" ]; then
		cluster=$_fc_new kctx=kind-$cluster cl_own=1
		cl_how="make -n $target: kind cluster $cluster"
	else
		cl_how="make -n $target makes no kind cluster: the current context"
	fi
	case $kc in
	'' | /*) ;;
	*) kc=$PWD/$kc ;;
	esac
	cl_file=$kc
	if [ -z "$cl_file" ]; then
		cl_file=${KUBECONFIG%%:*}
		[ -n "$cl_file" ] || cl_file=$HOME/.kube/config
	fi
}

# find_cluster: the run's cluster (target_cluster), said, and not up yet.
find_cluster() {
	target_cluster
	cl_state=down cl_why='' cl_created=- t_ready=$t_start deps_fresh=0
	say "cluster: ${kctx:-the current context} of $cl_file ($cl_how)"
	[ "$cl_own" = 0 ] ||
	    say "waiting for make $target to create kind cluster $cluster; nothing older than this run is profiled"
}

# cl_wait WHY: the cluster is not (or no longer) there to profile; the
# progress line says WHY, events.tsv each new WHY.
cl_wait() {
	[ "$cl_why" = "$1" ] || event - cluster-waiting "$1"
	cl_why=$1
}

# ignored WHAT WHY: something that predates the run and is not profiled,
# said once.
ignored() {
	[ ! -e "$state/ignored.$1" ] || return 0
	: >"$state/ignored.$1"
	event - ignored "$2"
	say "ignoring $2"
}

# epoch RFC3339: seconds since 1970 (days from the civil date, in awk).
epoch() {
	printf '%s\n' "$1" | awk -F'[-T:Z]' '{ y = $1; m = $2
		if (m <= 2) { y--; m += 12 }
		d = 365 * y + int(y / 4) - int(y / 100) + int(y / 400)
		d += int((153 * (m - 3) + 2) / 5) + $3 - 719469
		print d * 86400 + $4 * 3600 + $5 * 60 + int($6) }'
}

# cluster_up: the cluster is there, made during this run when the test
# makes it, and has the namespace. Until then says why not (cl_wait); the
# ready time-out counts from the namespace's creation, not the test's start.
cluster_up() {
	[ "$cl_state" != up ] || return 0
	if [ "$cl_own" = 1 ]; then
		if [ ! -e "$cl_file" ]; then
			cl_wait "no cluster $cluster yet (no $cl_file)"
			return 1
		fi
		if [ -z "$(find "$cl_file" -newer "$state/started" 2>/dev/null)" ]; then
			ignored kubeconfig "$cl_file: written before this run started (an earlier cluster's); waiting for make to write it"
			cl_wait "no cluster $cluster yet"
			return 1
		fi
	fi
	if ! kube get namespaces -o "jsonpath=$NS_JSONPATH" </dev/null \
	    >"$state/ns" 2>"$state/kubectl.err"; then
		cl_wait "no cluster${cluster:+ $cluster} yet"
		return 1
	fi
	# A kind cluster's age is its kube-system namespace's.
	_cu_made=$(awk -F'\t' '$1 == "kube-system" { k = $2 }
	    NR == 1 || $2 < m { m = $2 } END { print (k != "" ? k : m) }' "$state/ns")
	if [ "$cl_own" = 1 ] && awk -v a="$_cu_made" -v b="$run_started" \
	    'BEGIN { exit !(a < b) }'; then
		ignored "cluster.$_cu_made" "kind cluster $cluster created $_cu_made, before this run started: an earlier run's"
		cl_wait "no cluster $cluster of this run yet"
		return 1
	fi
	if [ "$cl_created" != "$_cu_made" ]; then
		cl_created=$_cu_made
		event - cluster-up "${cluster:-${kctx:-current context}} created $cl_created"
		say "cluster ${cluster:-${kctx:-of the current context}} is up (created $cl_created)"
		write_run_tsv
	fi
	_cu_ns=$(awk -F'\t' -v n="$namespace" '$1 == n { print $2 }' "$state/ns")
	if [ -z "$_cu_ns" ]; then
		cl_wait "cluster up, waiting for namespace $namespace"
		return 1
	fi
	t_ready=$(epoch "$_cu_ns")
	[ "$t_ready" -ge "$t_start" ] || t_ready=$t_start
	cl_state=up cl_why=''
}

# cluster_gone: kubectl failed; if the cluster is gone (deleted with the
# test's end, or by the test), its units end without a fuss and the search
# starts again.
cluster_gone() {
	cl_state=down
	if kube get namespaces -o name </dev/null >/dev/null 2>&1; then
		return 0
	fi
	_cg_any=0
	for _cg_u in $(units); do
		[ "$(uget "$_cg_u" kind)" = pod ] || continue
		case $(uget "$_cg_u" state) in
		up | down) stop_unit "$_cg_u" ;;
		esac
		[ "$(uget "$_cg_u" state)" = failed ] || uset "$_cg_u" state ended
		_cg_any=1
	done
	cl_wait "cluster${cluster:+ $cluster} gone"
	[ "$_cg_any" = 0 ] || say "cluster${cluster:+ $cluster} is gone: collection from its pods ends"
	end_leases
}

# collect_cluster: collect's cluster: the one a run of
# E2E_PROFILE_TEST_TARGET uses while it answers, else kubectl's current
# context.
collect_cluster() {
	target=${E2E_PROFILE_TEST_TARGET:-test-experimental-e2e}
	if ! make -n "$target" </dev/null >"$state/make-n.out" 2>/dev/null; then
		: >"$state/make-n.out"
	fi
	target_cluster
	if [ "$cl_own" = 1 ] && { [ ! -e "$cl_file" ] ||
	    ! kube get namespaces -o name </dev/null >/dev/null 2>&1; }; then
		kc='' kctx='' cluster=''
	fi
	say "collect: pods of ${kctx:-the current context}${kc:+ of $kc}"
}

# --- discovery ------------------------------------------------------------

# list_pods SELECTOR: state/pods, name-sorted lines of name, phase, Ready,
# uid, deletionTimestamp, creationTimestamp. Returns 1, with kubectl's
# error in state/kubectl.err, when kubectl fails.
list_pods() {
	kube get pods -n "$namespace" -l "$1" -o "jsonpath=$POD_JSONPATH" \
	    </dev/null >"$state/pods.raw" 2>"$state/kubectl.err" || return 1
	sort "$state/pods.raw" >"$state/pods"
}

# The pods that can be profiled: running, ready, not being deleted.
usable_pods() {
	awk -F'\t' '$2 == "Running" && $3 == "True" && $5 == "" { print $1 "\t" $4 }' \
	    "$state/pods"
}

# list_deployments: state/deploys, lines of name, spec.replicas and the
# selector's matchLabels as JSON; empty when kubectl cannot list them.
list_deployments() {
	kube get deployments -n "$namespace" -o "jsonpath=$DEPLOY_JSONPATH" \
	    </dev/null >"$state/deploys" 2>/dev/null || : >"$state/deploys"
}

# replicas SELECTOR: spec.replicas of the deployment whose matchLabels are
# SELECTOR (k=v,...), or nothing.
replicas() {
	awk -F'\t' -v sel="$1" '{
		n = split(sel, kv, ","); ok = 1
		for (i = 1; i <= n; i++) {
			if (split(kv[i], p, "=") != 2) { ok = 0; break }
			if (index($3, "\"" p[1] "\":\"" p[2] "\"") == 0) ok = 0
		}
		if (ok && n > 0) { print $2; exit }
	}' "$state/deploys"
}

# discover COMP: follows the component's deployment. Its replica count
# (else the number of its pods not being deleted) is how many units it
# has; a ready pod takes the unit of a pod gone or being deleted (a
# rollout's replacement keeps its predecessor's unit), else a new unit
# while the component has fewer than that; a surge pod waits for a slot.
# A pod being deleted gets a last heap profile at once.
discover() {
	_dc_c=$1
	_dc_sel=$(awk -F'\t' -v n="$1" '$1 == n && $2 == "selector" { print $3 }' \
	    "$state/components")
	[ -n "$_dc_sel" ] || return 0
	cluster_up || { comp_wait "$1" "$_dc_sel"; return 1; }
	if ! list_pods "$_dc_sel"; then
		cluster_gone
		return 1
	fi
	[ "$deps_fresh" = 1 ] || list_deployments
	deps_fresh=1
	_dc_want=$(replicas "$_dc_sel")
	[ -n "$_dc_want" ] ||
	    _dc_want=$(awk -F'\t' '$5 == "" { n++ } END { print n + 0 }' "$state/pods")
	printf '%s\n' "$_dc_want" >"$state/want.$1"
	_dc_leaving=''
	for _dc_u in $(comp_units "$1"); do
		case $(uget "$_dc_u" state) in
		up | down) ;;
		*) continue ;;
		esac
		_dc_pod=$(uget "$_dc_u" pod)
		_dc_row=$(awk -F'\t' -v n="$_dc_pod" -v u="$(uget "$_dc_u" uid)" \
		    '$1 == n && $4 == u && ($2 == "Running" || $2 == "Pending") {
		    print ($5 == "" ? "live" : "deleting") }' "$state/pods")
		case $_dc_row in
		live) ;;
		deleting)
			last_heap "$_dc_u"
			_dc_leaving="$_dc_leaving $_dc_u"
			;;
		*)
			stop_unit "$_dc_u"
			uset "$_dc_u" state waiting
			;;
		esac
	done
	for _dc_u in $_dc_leaving; do
		last_heap_end "$_dc_u"
	done
	# Pairs of words (pod names and uids have no blanks), so that nothing
	# below can read the list from standard input by mistake.
	set -f
	# shellcheck disable=SC2046
	set -- $(usable_pods)
	set +f
	while [ "$#" -ge 2 ]; do
		if ! claimed "$_dc_c" "$1" "$2"; then
			_dc_free=$(free_unit "$_dc_c")
			if [ -n "$_dc_free" ]; then
				replace_pod "$_dc_free" "$1" "$2"
			elif [ "$(live_units "$_dc_c")" -lt "$_dc_want" ]; then
				add_unit "$_dc_c" "$1" "$2" "$_dc_want"
			fi
		fi
		shift 2
	done
	for _dc_u in $(comp_units "$_dc_c"); do
		[ "$(uget "$_dc_u" state)" = waiting ] || continue
		[ -z "$(uget "$_dc_u" gone)" ] || continue
		uset "$_dc_u" gone "$(uget "$_dc_u" pod)"
		event "$_dc_u" pod-gone "pod $(uget "$_dc_u" pod) (uid $(uget "$_dc_u" uid))"
		if [ "$(live_units "$_dc_c")" -lt "$_dc_want" ]; then
			say "$_dc_u: pod $(uget "$_dc_u" pod) is gone; waiting for its replacement"
		else
			say "$_dc_u: pod $(uget "$_dc_u" pod) is gone (deployment scaled to $_dc_want)"
		fi
	done
	comp_wait "$_dc_c" "$_dc_sel"
}

# free_unit COMP: its first unit without a pod (waiting for one, or ended
# with an earlier cluster).
free_unit() {
	for _fu_u in $(comp_units "$1"); do
		case $(uget "$_fu_u" state) in
		waiting | ended)
			printf '%s\n' "$_fu_u"
			return 0
			;;
		esac
	done
}

# live_units COMP: how many of its units have a pod (up or down).
live_units() {
	_lu_n=0
	for _lu_u in $(comp_units "$1"); do
		case $(uget "$_lu_u" state) in
		up | down) _lu_n=$((_lu_n + 1)) ;;
		esac
	done
	printf '%s\n' "$_lu_n"
}

# claimed COMP POD UID: a unit of the component has this pod.
claimed() {
	for _cl_u in $(comp_units "$1"); do
		if [ "$(uget "$_cl_u" pod)" = "$2" ] && [ "$(uget "$_cl_u" uid)" = "$3" ]; then
			return 0
		fi
	done
	return 1
}

# add_unit COMP POD UID REPLICAS: a new unit for the pod; a component of
# one replica has a unit of its name, one of several COMP-0, COMP-1...
add_unit() {
	_au_n=$(comp_units "$1" | wc -l | tr -d ' ')
	_au_unit=$1-$_au_n
	[ "$_au_n" -gt 0 ] || [ "$4" -gt 1 ] || _au_unit=$1
	# A name taken by the component's unit of one replica (scaled up).
	[ ! -d "$state/u/$_au_unit" ] || _au_unit=$1-$((_au_n + 1))
	new_unit "$_au_unit" "$1" pod
	attach_pod "$_au_unit" "$2" "$3"
	event "$_au_unit" discovered "pod $2 (uid $3, created $(pod_created "$2"))"
	say "$_au_unit: pod $2"
	start_unit "$_au_unit" || :
	note_leader "$1"
	write_run_tsv
	write_units_tsv
}

# attach_pod UNIT POD UID: the unit profiles this pod from now on.
attach_pod() {
	uset "$1" pod "$2"
	uset "$1" uid "$3"
	uset "$1" gone ''
	printf '%s\n' "$2" >>"$state/u/$1/pods"
}

pod_created() {
	awk -F'\t' -v n="$1" '$1 == n { print $6 }' "$state/pods"
}

# comp_wait COMP SEL: why the component (its pods labelled SEL) has fewer
# units than replicas, for the progress line; at the ready time-out, said
# once.
comp_wait() {
	_cw_want=$(cat "$state/want.$1" 2>/dev/null || :)
	_cw_live=$(live_units "$1")
	if [ "$cl_state" != up ]; then
		printf '%s\n' "$cl_why" >"$state/why.$1"
		return 0
	fi
	if [ -n "$(comp_units "$1")" ] && [ "$_cw_live" -ge "${_cw_want:-0}" ]; then
		: >"$state/why.$1"
		: >"$state/full.$1"
		return 0
	fi
	_cw_ready=$(usable_pods | wc -l | tr -d ' ')
	if [ "${_cw_want:-0}" -eq 0 ] && [ -z "$(comp_units "$1")" ]; then
		_cw_why="no pod with labels $2 in namespace $namespace"
	else
		_cw_why="$_cw_ready of ${_cw_want:-?} pods ready"
	fi
	printf '%s\n' "$_cw_why" >"$state/why.$1"
	# Late pods are said once, while the component comes up the first
	# time: a replacement later on is no news.
	[ ! -e "$state/full.$1" ] || return 0
	not_ready "$1" "$_cw_why"
}

# not_ready COMP WHY: once E2E_PROFILE_READY_TIMEOUT has passed since the
# namespace appeared without the component's pods all ready, says why,
# once; the search goes on.
not_ready() {
	[ $(($(now) - t_ready)) -ge "$ready_timeout" ] || return 0
	[ ! -e "$state/late.$1" ] || return 0
	: >"$state/late.$1"
	event "$1" ready-timeout "$2 after ${ready_timeout}s"
	warn "$1: $2 after ${ready_timeout}s (E2E_PROFILE_READY_TIMEOUT); still looking, the test goes on"
}

# replace_pod UNIT POD UID: the unit's slot goes to the new pod; its
# profiles go on numbering, and the analysis sees the restart.
replace_pod() {
	_rp_old=$(uget "$1" pod)
	_rp_olduid=$(uget "$1" uid)
	stop_unit "$1"
	attach_pod "$1" "$2" "$3"
	event "$1" pod-replaced "$_rp_old (uid $_rp_olduid) -> $2 (uid $3, created $(pod_created "$2"))"
	say "$1: pod $_rp_old replaced by $2; numbering on from $(next_seq "$1")"
	uset "$1" restarts 0
	start_unit "$1" || :
	note_leader "$(uget "$1" comp)"
	write_units_tsv
}

# last_heap UNIT: its pod is being deleted (scale-down, rollout, the
# coverage step's scale to 0): the schedule stops and one last heap (and
# goroutine) profile is fetched while the pod still serves, the units'
# of a component at once; last_heap_end UNIT waits for it.
last_heap() {
	stop_fetch "$1"
	if [ "$(uget "$1" state)" = up ] && transport_alive "$1" &&
	    { [ "$mode" != cpu ] || [ "$goroutines" = 1 ]; }; then
		start_fetch "$1" "$(uget "$1" base)" final
	fi
}

last_heap_end() {
	_lh_pod=$(uget "$1" pod)
	if [ -n "$(uget "$1" fpid)" ]; then
		wait "$(uget "$1" fpid)" 2>/dev/null || :
		uset "$1" fpid ''
		merge_log "$(uget "$1" flog)"
	fi
	stop_transport "$1"
	uset "$1" state waiting
	uset "$1" gone "$_lh_pod"
	event "$1" pod-deleting "pod $_lh_pod: last profiles taken"
	say "$1: pod $_lh_pod is being deleted; took its last profiles"
}

discover_all() {
	deps_fresh=0
	# shellcheck disable=SC2013 # component names are single words
	for _da_c in $(awk -F'\t' '$2 == "selector" { print $1 }' "$state/components"); do
		[ -z "$interrupted" ] || return 0
		discover "$_da_c" || :
	done
	[ "$cl_state" != up ] || poll_leases
}

# --- leader election ------------------------------------------------------

# parse_leases: state/leases.conf, lines of component and lease name, from
# E2E_PROFILE_LEASES (words COMPONENT=LEASE; LEASE - for none), for the
# components that select pods.
parse_leases() {
	: >"$state/leases.conf"
	_pl_words=${E2E_PROFILE_LEASES-$DEFAULT_LEASES}
	set -f
	# shellcheck disable=SC2086 # one word per lease
	set -- $_pl_words
	set +f
	for _pl_w in "$@"; do
		_pl_c=${_pl_w%%=*} _pl_l=${_pl_w#*=}
		case $_pl_w in
		*=*) ;;
		*) die_usage "E2E_PROFILE_LEASES: '$_pl_w' is not COMPONENT=LEASE" ;;
		esac
		case $_pl_l in
		'' | *[!a-z0-9.-]*) die_usage "E2E_PROFILE_LEASES: '$_pl_w': not a lease name" ;;
		esac
		if ! awk -F'\t' -v n="$_pl_c" '$1 == n && $2 == "selector" { f = 1 }
		    END { exit !f }' "$state/components"; then
			[ -z "${E2E_PROFILE_LEASES+set}" ] ||
			    die_usage "E2E_PROFILE_LEASES: '$_pl_c' is not a component that selects pods"
			continue
		fi
		[ "$_pl_l" = - ] || printf '%s\t%s\n' "$_pl_c" "$_pl_l" >>"$state/leases.conf"
	done
}

# poll_leases: who holds each component's lease (controller-runtime's
# holderIdentity is POD_UUID); the time since the last look goes to the
# unit that profiled the holder, a change of holder is an event.
poll_leases() {
	[ -s "$state/leases.conf" ] || return 0
	kube get leases -n "$namespace" -o "jsonpath=$LEASE_JSONPATH" </dev/null \
	    >"$state/leases" 2>/dev/null || return 0
	_pl_now=$(now)
	while IFS="$(printf '\t')" read -r _pl_c _pl_l; do
		_pl_h=$(awk -F'\t' -v l="$_pl_l" '$1 == l { print $2 }' "$state/leases")
		credit "$_pl_c" "$_pl_now"
		printf '%s\t%s\n' "${_pl_h%%_*}" "$_pl_l" >"$state/leader.$_pl_c"
		note_leader "$_pl_c"
	done <"$state/leases.conf"
}

# credit COMP NOW: the seconds since the last look go to the unit that
# profiled the holder seen then.
credit() {
	_cr_t=$(cat "$state/leader_t.$1" 2>/dev/null || :)
	printf '%s\n' "$2" >"$state/leader_t.$1"
	[ -n "$_cr_t" ] || return 0
	_cr_u=$(leader_unit "$1")
	[ -n "$_cr_u" ] || return 0
	uset "$_cr_u" leader_s $(($(uget "$_cr_u" leader_s) + $2 - _cr_t))
}

# leader_unit COMP: the unit that profiles (or profiled) the holder.
leader_unit() {
	[ -r "$state/leader.$1" ] || return 0
	_lu_pod=$(cut -f1 "$state/leader.$1")
	[ -n "$_lu_pod" ] || return 0
	for _lu_u in $(comp_units "$1"); do
		if [ "$(uget "$_lu_u" pod)" = "$_lu_pod" ]; then
			printf '%s\n' "$_lu_u"
			return 0
		fi
	done
	for _lu_u in $(comp_units "$1"); do
		if grep -qxF "$_lu_pod" "$state/u/$_lu_u/pods"; then
			printf '%s\n' "$_lu_u"
			return 0
		fi
	done
}

# note_leader COMP: an event when the holder is new, once a unit profiles
# it (a leader is elected before its pod is ready).
note_leader() {
	[ -r "$state/leader.$1" ] || return 0
	_nl_pod=$(cut -f1 "$state/leader.$1")
	_nl_u=$(leader_unit "$1")
	[ -n "$_nl_pod" ] && [ -n "$_nl_u" ] || return 0
	[ "$(cat "$state/leader_ev.$1" 2>/dev/null || :)" != "$_nl_pod" ] || return 0
	printf '%s\n' "$_nl_pod" >"$state/leader_ev.$1"
	event "$_nl_u" leader "pod $_nl_pod holds lease $namespace/$(cut -f2 "$state/leader.$1")"
	write_units_tsv
}

# end_leases: the last look's holders are credited up to now; then nobody
# holds anything (the cluster is gone).
end_leases() {
	[ -r "$state/leases.conf" ] || return 0
	_el_now=$(now)
	while IFS="$(printf '\t')" read -r _el_c _el_l; do
		credit "$_el_c" "$_el_now"
		rm -f "$state/leader.$_el_c" "$state/leader_t.$_el_c" "$state/leader_ev.$_el_c"
	done <"$state/leases.conf"
	write_units_tsv
}

# units_tsv: the units, component by component, the leader's first: role,
# seconds as leader, the pods in the order profiled (see e2e-profile(1)).
units_tsv() {
	printf '#unit\tcomponent\trole\tleader_s\tpods\n'
	# shellcheck disable=SC2013 # component names are single words
	for _ut_c in $(cut -f1 "$state/components"); do
		_ut_lead='' _ut_max=0 _ut_n=0
		for _ut_u in $(comp_units "$_ut_c"); do
			_ut_n=$((_ut_n + 1))
			_ut_s=$(uget "$_ut_u" leader_s)
			if [ "${_ut_s:-0}" -gt "$_ut_max" ]; then
				_ut_max=$_ut_s _ut_lead=$_ut_u
			fi
		done
		for _ut_u in $_ut_lead $(comp_units "$_ut_c" | grep -vxF "${_ut_lead:-/}"); do
			if [ "$_ut_n" -eq 1 ]; then
				_ut_role=single
			elif [ -n "$_ut_lead" ] && [ "$_ut_u" = "$_ut_lead" ]; then
				_ut_role=leader
			elif [ -n "$_ut_lead" ]; then
				_ut_role=standby
			else
				_ut_role=-
			fi
			_ut_pods=-
			[ ! -s "$state/u/$_ut_u/pods" ] ||
			    _ut_pods=$(paste -s -d, "$state/u/$_ut_u/pods")
			_ut_s=$(uget "$_ut_u" leader_s)
			printf '%s\t%s\t%s\t%s\t%s\n' "$_ut_u" "$_ut_c" "$_ut_role" \
			    "${_ut_s:-0}" "$_ut_pods"
		done
	done
}

write_units_tsv() {
	atomic "$run_dir/units.tsv" units_tsv 2>"$state/append.err" ||
	    lost 1 "update of units.tsv"
}
