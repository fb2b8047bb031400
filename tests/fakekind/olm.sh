# shellcheck shell=sh
# olm.sh CLUSTER STEP [ARG]: operator-controller and catalogd as they come
# and go on a fake kind cluster (tests/fakekind/kind), for e2e-profile's
# tests. The cluster's state file is made from FAKEKIND_HOME/CLUSTER/pods
# (lines of component oc or cd, pod letter, ready, terminating, backend),
# replicas (of both deployments) and lease.oc, lease.cd (the holders).
#
# Pods are named like a ReplicaSet's, DEPLOYMENT-TAG-X: TAG is $TAG, else
# the first four digits of the cluster name's checksum; X is a, b or c. Pod
# X of operator-controller serves pprof at $W_OC_X (upper-case X), of
# catalogd at $W_CD_X, unless PPROF=0 (or the variable is empty).
#
#   deploy N    namespace olmv1-system, both deployments with N replicas,
#               pods a (and b) not ready yet, pod a holds both leases
#   ready X     pods X become ready
#   suite S     S seconds, a rolling update (pods a replaced by c: c comes,
#               is ready, the leases go to b, or to c alone, a is
#               deleted), S seconds; SUITE_FAIL=1 then fails
#   upgrade     the same rolling update, pprof only if HELM_SETTINGS has
#               options.profiling.enabled=true (as the upgrade targets)
#   scale0      both deployments scaled to 0: the pods are deleted, the
#               leases released
NS=olmv1-system
OC=operator-controller-controller-manager
CD=catalogd-controller-manager
d=${FAKEKIND_HOME:?}/$1 step=$2 arg=${3-}
[ -e "$d/url" ] || { echo "olm.sh: no cluster $1" >&2; exit 1; }
tag=${TAG:-$(printf '%s' "$1" | cksum | cut -c1-4)}

render() {
	{
		printf '{"namespaces":["default","kube-node-lease","kube-public","kube-system"'
		[ ! -e "$d/replicas" ] || printf ',"%s"' "$NS"
		printf '],\n"pods":['
		awk -F'\t' -v t="$tag" -v ns="$NS" -v oc="$OC" -v cd="$CD" '{
			dep = $1 == "oc" ? oc : cd
			printf "%s\n{\"namespace\":\"%s\",\"name\":\"%s-%s-%s\",\"labels\":{\"control-plane\":\"%s\"},\"ready\":%s,\"terminating\":%s%s}", \
			    sep, ns, dep, t, $2, dep, ($3 ? "true" : "false"), \
			    ($4 ? "true" : "false"), \
			    ($5 != "" ? ",\"backend\":\"" $5 "\"" : "")
			sep = ","
		}' "$d/pods"
		printf '],\n"deployments":['
		if [ -e "$d/replicas" ]; then
			printf '{"namespace":"%s","name":"%s","replicas":%s,"selector":{"control-plane":"%s"}},' \
			    "$NS" "$OC" "$(cat "$d/replicas")" "$OC"
			printf '{"namespace":"%s","name":"%s","replicas":%s,"selector":{"control-plane":"%s"}}' \
			    "$NS" "$CD" "$(cat "$d/replicas")" "$CD"
		fi
		printf '],\n"leases":['
		sep=
		for c in oc cd; do
			[ -e "$d/lease.$c" ] || continue
			l=9c4404e7.operatorframework.io
			[ "$c" = oc ] || l=catalogd-operator-lock
			printf '%s{"namespace":"%s","name":"%s","holderIdentity":"%s"}' \
			    "$sep" "$NS" "$l" "$(cat "$d/lease.$c")"
			sep=,
		done
		printf ']}\n'
	} >"$d/state.tmp" && mv "$d/state.tmp" "$d/state.json"
}

# pod COMP X READY: pod X of COMP is added, or changed.
pod() {
	b=
	if [ "${PPROF:-1}" != 0 ]; then
		b=$(eval "printf '%s' \"\${W_$(printf '%s_%s' "$1" "$2" | tr a-z A-Z)-}\"")
	fi
	awk -F'\t' -v c="$1" -v x="$2" '!($1 == c && $2 == x)' "$d/pods" >"$d/pods.tmp"
	printf '%s\t%s\t%s\t0\t%s\n' "$1" "$2" "$3" "$b" >>"$d/pods.tmp"
	mv "$d/pods.tmp" "$d/pods"
}

exists() {
	awk -F'\t' -v c="$1" -v x="$2" '$1 == c && $2 == x { f = 1 } END { exit !f }' "$d/pods"
}

# holder COMP X: controller-runtime's identity, the pod name and a uuid.
holder() {
	_h=$OC
	[ "$1" = oc ] || _h=$CD
	printf '%s-%s-%s_0b1e2f3a-7c4d-4e5f-8a6b-%s\n' "$_h" "$tag" "$2" "$1" >"$d/lease.$1"
}

# terminate X, remove X: pods X (all: every pod) get a deletionTimestamp,
# or are gone.
terminate() {
	awk -F'\t' -v OFS='\t' -v x="$1" '$2 == x || x == "all" { $4 = 1 } 1' \
	    "$d/pods" >"$d/pods.tmp" && mv "$d/pods.tmp" "$d/pods"
}

remove() {
	awk -F'\t' -v x="$1" '!($2 == x || x == "all")' "$d/pods" >"$d/pods.tmp" &&
	mv "$d/pods.tmp" "$d/pods"
}

# replace X Y [NEXT]: a rolling update (maxSurge 1, maxUnavailable 0) of
# both deployments, pods X replaced by Y, the leases going to NEXT (Y).
replace() {
	pod oc "$2" 0; pod cd "$2" 0; render; sleep 1
	pod oc "$2" 1; pod cd "$2" 1; render; sleep 1
	holder oc "${3:-$2}"; holder cd "${3:-$2}"; terminate "$1"; render; sleep 3
	remove "$1"; render
}

case $step in
deploy)
	echo "$arg" >"$d/replicas"
	pod oc a 0; pod cd a 0
	if [ "$arg" -ge 2 ]; then
		pod oc b 0; pod cd b 0
	fi
	holder oc a; holder cd a
	render
	;;
ready)
	for c in oc cd; do
		if exists "$c" "$arg"; then
			pod "$c" "$arg" 1
		fi
	done
	render
	;;
suite)
	sleep "$arg"
	if [ "$(cat "$d/replicas")" -ge 2 ]; then
		replace a c b
	else
		replace a c
	fi
	sleep "$arg"
	if [ "${SUITE_FAIL:-0}" != 0 ]; then
		echo 'suite: FAIL'
		exit 1
	fi
	;;
upgrade)
	PPROF=0
	case " ${HELM_SETTINGS-} " in
	*' options.profiling.enabled=true '*) PPROF=1 ;;
	esac
	replace a c
	;;
scale0)
	# Both managers release their leases as they stop
	# (LeaderElectionReleaseOnCancel).
	echo 0 >"$d/replicas"
	: >"$d/lease.oc"; : >"$d/lease.cd"
	terminate all; render; sleep 3
	remove all; render
	;;
*)
	echo "olm.sh: unknown step $step" >&2
	exit 1
	;;
esac
echo "olm.sh: $1: $step $arg"
