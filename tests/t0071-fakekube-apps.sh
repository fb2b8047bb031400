#!/bin/sh
test_description='fakekube: deployments (apps/v1) and leader-election leases (coordination.k8s.io/v1) through the real kubectl'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'
command -v kubectl >/dev/null 2>&1 || skip_all 'needs kubectl'

HOME=$TRASH
KUBECONFIG=$TRASH/kubeconfig
export HOME KUBECONFIG

NS=olmv1-system
OC=operator-controller-controller-manager
CD=catalogd-controller-manager
LEASE=9c4404e7.operatorframework.io
NOW=2026-11-27T10:05:00Z
T0=2026-11-27T10:00:00Z

# state OC_READY_B HOLDER [OC_REPLICAS]: two operator-controller pods (a is
# ready, b as told), one catalogd pod being deleted; a lease held by HOLDER.
state() {
	cat >"$TRASH/state.tmp" <<-EOF &&
	{"namespaces":[{"name":"$NS","creationTimestamp":"$T0"}],
	 "pods":[
	  {"namespace":"$NS","name":"$OC-a","labels":{"control-plane":"$OC"},"startTime":"$T0","backend":"http://127.0.0.1:1"},
	  {"namespace":"$NS","name":"$OC-b","labels":{"control-plane":"$OC"},"startTime":"$T0","ready":$1},
	  {"namespace":"$NS","name":"$CD-a","labels":{"control-plane":"$CD"},"startTime":"$T0","terminating":true}],
	 "deployments":[
	  {"namespace":"$NS","name":"$OC","replicas":${3:-2},"selector":{"control-plane":"$OC"},"creationTimestamp":"$T0"},
	  {"namespace":"$NS","name":"$CD","selector":{"control-plane":"$CD"},"creationTimestamp":"$T0"}],
	 "leases":[{"namespace":"$NS","name":"$LEASE","holderIdentity":"$2"}]}
	EOF
	mv "$TRASH/state.tmp" "$TRASH/state.json"
}

test_setup 'fakekube with two deployments and a lease' '
	state false "$OC-a_1b2c3d4e" &&
	start_server K fakekube -state "$TRASH/state.json" -kubeconfig-out "$KUBECONFIG" -now "$NOW"
'

test_expect_success 'get deployments: the default table, READY counted from the pods' '
	kubectl get deployments -n $NS >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-EOF &&
	NAME                                     READY   UP-TO-DATE   AVAILABLE   AGE
	catalogd-controller-manager              0/1     0            0           5m
	operator-controller-controller-manager   1/2     2            1           5m
	EOF
	test_cmp expect actual
'

test_expect_success 'a deployment: spec.replicas, the selector, the status' '
	kubectl get deployment -n $NS $OC -o "jsonpath={.spec.replicas} {.spec.selector.matchLabels} {.status.replicas} {.status.readyReplicas} {.spec.strategy.rollingUpdate.maxSurge}" >actual &&
	printf "2 {\"control-plane\":\"%s\"} 2 1 1" "$OC" >expect &&
	test_cmp expect actual &&
	# No pod: status.replicas is 0, which the API server leaves out.
	kubectl get deploy -n $NS $CD -o "jsonpath={.spec.replicas}/{.status.replicas}" >actual &&
	printf "1/" >expect &&
	test_cmp expect actual
'

test_expect_success 'get leases: the holder, and the lease by name' '
	kubectl get leases -n $NS >actual &&
	cat >expect <<-EOF &&
	NAME                            HOLDER                                              AGE
	$LEASE   $OC-a_1b2c3d4e   0s
	EOF
	test_cmp expect actual &&
	kubectl get lease -n $NS $LEASE -o "jsonpath={.spec.holderIdentity} {.spec.leaseDurationSeconds}" >actual &&
	printf "%s 15" "$OC-a_1b2c3d4e" >expect &&
	test_cmp expect actual
'

test_expect_success 'a new holder, a ready pod b, a scale to 0: each seen at once' '
	state true "$OC-b_5f6a7b8c" 0 &&
	sleep 0.3 &&
	kubectl get lease -n $NS $LEASE -o "jsonpath={.spec.holderIdentity}" >actual &&
	printf "%s" "$OC-b_5f6a7b8c" >expect &&
	test_cmp expect actual &&
	kubectl get deployment -n $NS $OC -o "jsonpath={.spec.replicas} {.status.readyReplicas}" >actual &&
	printf "0 2" >expect &&
	test_cmp expect actual
'

test_expect_success 'the pod with a backend names it in an annotation' '
	kubectl get pod -n $NS $OC-a -o "jsonpath={.metadata.annotations.fakekube\.invalid/backend}" >actual &&
	printf "http://127.0.0.1:1" >expect &&
	test_cmp expect actual &&
	kubectl get pod -n $NS $OC-b -o "jsonpath={.metadata.annotations}" >actual &&
	test_must_be_empty actual
'

test_expect_success 'discovery: the apps and coordination.k8s.io groups' '
	grep " GET /apis/apps/v1?timeout=32s 200 " K.log &&
	grep " GET /apis/coordination.k8s.io/v1?timeout=32s 200 " K.log &&
	kubectl api-resources --no-headers -o name >actual &&
	printf "%s\n" namespaces pods deployments.apps leases.coordination.k8s.io | sort >expect &&
	sort actual >actual.s &&
	test_cmp expect actual.s
'

test_expect_success 'a lease or deployment not there: NotFound as the API server says' '
	test_expect_code 1 kubectl get lease -n $NS nope >out 2>err &&
	echo "Error from server (NotFound): leases.coordination.k8s.io \"nope\" not found" >expect &&
	test_cmp expect err &&
	test_expect_code 1 kubectl get deployment -n $NS nope >out 2>err &&
	echo "Error from server (NotFound): deployments.apps \"nope\" not found" >expect &&
	test_cmp expect err
'

test_expect_success 'a bad deployment or lease in the state file is refused, the state kept' '
	cat >"$TRASH/state.tmp" <<-EOF &&
	{"namespaces":["$NS"],"deployments":[{"namespace":"$NS","name":"d","replicas":-1,"selector":{"a":"b"}}]}
	EOF
	mv "$TRASH/state.tmp" "$TRASH/state.json" &&
	sleep 0.3 &&
	grep "deployment $NS/d: replicas -1 is negative (keeping the previous state)$" K.log &&
	cat >"$TRASH/state.tmp" <<-EOF &&
	{"namespaces":["$NS"],"leases":[{"namespace":"other","name":"l"}]}
	EOF
	mv "$TRASH/state.tmp" "$TRASH/state.json" &&
	sleep 0.3 &&
	grep "lease other/l: namespace \"other\" is not in namespaces (keeping the previous state)$" K.log &&
	kubectl get deployment -n $NS $OC -o "jsonpath={.spec.replicas}" >actual &&
	printf 0 >expect &&
	test_cmp expect actual
'

test_done
