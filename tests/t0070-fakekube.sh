#!/bin/sh
test_description='fakekube: the real kubectl against the fake API server (namespaces, pods, selectors, the pod proxy to the workload, watch)'
. "$(dirname "$0")/lib.sh"

test_have_prereq GO || skip_all 'needs go and the Go test programs (make go-progs)'
command -v kubectl >/dev/null 2>&1 || skip_all 'needs kubectl'
command -v curl >/dev/null 2>&1 || skip_all 'needs curl'

# kubectl caches discovery under HOME/.kube: keep it in the trash directory.
HOME=$TRASH
KUBECONFIG=$TRASH/kubeconfig
export HOME KUBECONFIG

NS=olmv1-system
OC=operator-controller-controller-manager
CD=catalogd-controller-manager
OC1=$OC-7d9f-abcde # ready; its port 6060 is the workload
OC2=$OC-7d9f-fghij # a second replica, not ready until the watch test
CD1=$CD-55f-xyz12  # ready, but nothing listens on 6060 (pprof off)
OC3=$OC-86b4-klmno # replaces OC1 mid-run
UID1=0b6e1e3c-0000-4000-8000-000000000001
UID2=0b6e1e3c-0000-4000-8000-000000000002
UID3=0b6e1e3c-0000-4000-8000-000000000003
UID4=0b6e1e3c-0000-4000-8000-000000000004
# fakekube's clock for the AGE columns, so that they can be expected.
NOW=2026-11-27T10:05:00Z
# The wrapper's pod query.
JP='{range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\t"}{.metadata.uid}{"\n"}{end}'
# The pod IPs fakekube derives from namespace and name.
IP_OC1=10.244.0.88
IP_OC2=10.244.0.123
IP_CD1=10.244.3.13

# pod NAME DEPLOYMENT UID READY START [BACKEND]: one pod of the state file.
pod() {
	printf '{"namespace":"%s","name":"%s","labels":{"control-plane":"%s"},"ready":%s,"phase":"Running","startTime":"%s","uid":"%s"' \
	    "$NS" "$1" "$2" "$4" "$5" "$3"
	[ -z "${6-}" ] || printf ',"backend":"%s"' "$6"
	printf '}'
}

# write_state POD...: the whole cluster, swapped in atomically as the
# wrapper's tests will do.
write_state() {
	{
		printf '{"namespaces":[{"name":"%s","creationTimestamp":"2026-11-27T09:00:00Z"}],\n"pods":[' "$NS"
		_sep=
		for _p in "$@"; do
			printf '%s\n%s' "$_sep" "$_p"
			_sep=,
		done
		printf ']}\n'
	} >"$TRASH/state.tmp" && mv "$TRASH/state.tmp" "$TRASH/state.json"
}

# raw PATH: kubectl get --raw of a pod proxy path, stderr to err.
raw() {
	kubectl get --raw "/api/v1/namespaces/$NS/pods/$1" 2>err
}

# events FILE: TYPE NAME of each watch event in FILE.
events() {
	sed -n 's/^{"type":"\([A-Z]*\)","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"\([^"]*\)".*/\1 \2/p' "$1"
}

test_setup 'start the workload and fakekube with two replicas and catalogd' '
	start_server W workload -leak 1048576 &&
	write_state "$(pod $OC1 $OC $UID1 true 2026-11-27T10:00:00Z "$W")" \
	    "$(pod $OC2 $OC $UID2 false 2026-11-27T10:04:30Z "$W")" \
	    "$(pod $CD1 $CD $UID3 true 2026-11-27T10:00:05Z)" &&
	start_server K fakekube -state "$TRASH/state.json" \
	    -kubeconfig-out "$KUBECONFIG" -now $NOW &&
	test -s "$KUBECONFIG"
'

test_expect_success 'refuses a non-loopback address with exit 2' '
	test_expect_code 2 "$GOBIN/fakekube" -addr 0.0.0.0:0 2>err &&
	grep "refusing to listen on a non-loopback address" err
'

test_expect_success 'refuses a state file with an unknown field, naming it' '
	printf "{\"namespaces\":[\"a\"],\"pods\":[{\"namespace\":\"a\",\"name\":\"p\",\"redy\":true}]}\n" >bad.json &&
	test_expect_code 1 "$GOBIN/fakekube" -state bad.json 2>err &&
	grep "json: unknown field \"redy\"" err
'

test_expect_success 'refuses a pod whose namespace is not listed' '
	printf "{\"namespaces\":[],\"pods\":[{\"namespace\":\"x\",\"name\":\"p\"}]}\n" >bad.json &&
	test_expect_code 1 "$GOBIN/fakekube" -state bad.json 2>err &&
	grep "pod x/p: namespace \"x\" is not in namespaces" err
'

test_expect_success 'the kubeconfig points kubectl at fakekube' '
	kubectl config view --minify -o jsonpath="{.clusters[0].cluster.server}" >actual &&
	printf "%s" "$K" >expect &&
	test_cmp expect actual &&
	kubectl version >actual 2>err &&
	test_must_be_empty err &&
	grep "^Server Version: v1.32.0-fakekube$" actual
'

test_expect_success 'get namespace: the table' '
	kubectl get namespace $NS >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-EOF &&
	NAME           STATUS   AGE
	olmv1-system   Active   65m
	EOF
	test_cmp expect actual
'

test_expect_success 'get namespace -o name' '
	kubectl get namespace $NS -o name >actual 2>err &&
	test_must_be_empty err &&
	echo namespace/olmv1-system >expect &&
	test_cmp expect actual
'

test_expect_success 'get namespace: an unknown one is NotFound, exit 1' '
	test_expect_code 1 kubectl get namespace nope >out 2>err &&
	test_must_be_empty out &&
	echo "Error from server (NotFound): namespaces \"nope\" not found" >expect &&
	test_cmp expect err &&
	test_expect_code 1 kubectl get namespace nope -o name >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err
'

test_expect_success 'discovery: legacy /api, /apis, /api/v1 only, no OpenAPI' '
	grep " GET /api?timeout=32s 200 " K.log &&
	grep " GET /apis?timeout=32s 200 " K.log &&
	grep " GET /api/v1?timeout=32s 200 " K.log &&
	! grep " /openapi" K.log
'

test_expect_success 'get pods: the default table' '
	kubectl get pods -n $NS >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-EOF &&
	NAME                                                READY   STATUS    RESTARTS   AGE
	catalogd-controller-manager-55f-xyz12               1/1     Running   0          4m55s
	operator-controller-controller-manager-7d9f-abcde   1/1     Running   0          5m
	operator-controller-controller-manager-7d9f-fghij   0/1     Running   0          30s
	EOF
	test_cmp expect actual
'

test_expect_success 'get pods -o wide' '
	kubectl get pods -n $NS -o wide >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-EOF &&
	NAME                                                READY   STATUS    RESTARTS   AGE     IP             NODE                 NOMINATED NODE   READINESS GATES
	catalogd-controller-manager-55f-xyz12               1/1     Running   0          4m55s   $IP_CD1    kind-control-plane   <none>           <none>
	operator-controller-controller-manager-7d9f-abcde   1/1     Running   0          5m      $IP_OC1    kind-control-plane   <none>           <none>
	operator-controller-controller-manager-7d9f-fghij   0/1     Running   0          30s     $IP_OC2   kind-control-plane   <none>           <none>
	EOF
	test_cmp expect actual
'

test_expect_success 'get pods -l control-plane=X -o jsonpath: the wrapper query' '
	kubectl get pods -n $NS -l control-plane=$OC -o jsonpath="$JP" >actual 2>err &&
	test_must_be_empty err &&
	printf "%s\tRunning\tTrue\t%s\n%s\tRunning\tFalse\t%s\n" \
	    $OC1 $UID1 $OC2 $UID2 >expect &&
	test_cmp expect actual &&
	kubectl get pods -n $NS -l control-plane=$CD -o jsonpath="$JP" >actual 2>err &&
	test_must_be_empty err &&
	printf "%s\tRunning\tTrue\t%s\n" $CD1 $UID3 >expect &&
	test_cmp expect actual
'

test_expect_success 'get pods: a selector matching nothing prints nothing' '
	kubectl get pods -n $NS -l control-plane=nothing -o jsonpath="$JP" >actual 2>err &&
	test_must_be_empty err &&
	test_must_be_empty actual
'

test_expect_success 'get pods: set-based and inequality selectors' '
	kubectl get pods -n $NS -l "control-plane in ($CD,nothing)" -o name >actual 2>err &&
	test_must_be_empty err &&
	echo pod/$CD1 >expect &&
	test_cmp expect actual &&
	kubectl get pods -n $NS -l "control-plane notin ($CD)" -o name >actual &&
	printf "pod/%s\npod/%s\n" $OC1 $OC2 >expect &&
	test_cmp expect actual &&
	kubectl get pods -n $NS -l "control-plane!=$OC,control-plane" -o name >actual &&
	echo pod/$CD1 >expect &&
	test_cmp expect actual
'

test_expect_success 'get pods: a bad selector is a 400 Status' '
	curl -s -o body -w "%{http_code}\n" \
	    "$K/api/v1/namespaces/$NS/pods?labelSelector=a%20in%20(b" >code &&
	echo 400 >expect &&
	test_cmp expect code &&
	grep "\"reason\":\"BadRequest\"" body
'

test_expect_success 'get pods in a namespace that does not exist: none, exit 0' '
	kubectl get pods -n nope >actual 2>err &&
	test_must_be_empty actual &&
	echo "No resources found in nope namespace." >expect &&
	test_cmp expect err
'

test_expect_success 'get pod: an unknown one is NotFound, exit 1' '
	test_expect_code 1 kubectl get pod -n $NS nope >out 2>err &&
	test_must_be_empty out &&
	echo "Error from server (NotFound): pods \"nope\" not found" >expect &&
	test_cmp expect err
'

test_expect_success 'get pod -o json: the object' '
	kubectl get pod -n $NS $CD1 -o json >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-EOF &&
	{
	    "apiVersion": "v1",
	    "kind": "Pod",
	    "metadata": {
	        "creationTimestamp": "2026-11-27T10:00:05Z",
	        "labels": {
	            "control-plane": "catalogd-controller-manager"
	        },
	        "name": "catalogd-controller-manager-55f-xyz12",
	        "namespace": "olmv1-system",
	        "resourceVersion": "4",
	        "uid": "$UID3"
	    },
	    "spec": {
	        "containers": [
	            {
	                "image": "fakekube.invalid/manager:latest",
	                "name": "manager",
	                "ports": [
	                    {
	                        "containerPort": 6060,
	                        "name": "pprof",
	                        "protocol": "TCP"
	                    }
	                ]
	            }
	        ],
	        "nodeName": "kind-control-plane",
	        "restartPolicy": "Always"
	    },
	    "status": {
	        "conditions": [
	            {
	                "lastProbeTime": null,
	                "lastTransitionTime": "2026-11-27T10:00:05Z",
	                "status": "True",
	                "type": "PodReadyToStartContainers"
	            },
	            {
	                "lastProbeTime": null,
	                "lastTransitionTime": "2026-11-27T10:00:05Z",
	                "status": "True",
	                "type": "Initialized"
	            },
	            {
	                "lastProbeTime": null,
	                "lastTransitionTime": "2026-11-27T10:00:05Z",
	                "status": "True",
	                "type": "Ready"
	            },
	            {
	                "lastProbeTime": null,
	                "lastTransitionTime": "2026-11-27T10:00:05Z",
	                "status": "True",
	                "type": "ContainersReady"
	            },
	            {
	                "lastProbeTime": null,
	                "lastTransitionTime": "2026-11-27T10:00:05Z",
	                "status": "True",
	                "type": "PodScheduled"
	            }
	        ],
	        "containerStatuses": [
	            {
	                "image": "fakekube.invalid/manager:latest",
	                "name": "manager",
	                "ready": true,
	                "restartCount": 0,
	                "started": true,
	                "state": {
	                    "running": {
	                        "startedAt": "2026-11-27T10:00:05Z"
	                    }
	                }
	            }
	        ],
	        "hostIP": "172.18.0.2",
	        "phase": "Running",
	        "podIP": "$IP_CD1",
	        "podIPs": [
	            {
	                "ip": "$IP_CD1"
	            }
	        ],
	        "startTime": "2026-11-27T10:00:05Z"
	    }
	}
	EOF
	test_cmp expect actual
'

test_expect_success 'proxy: a heap profile through kubectl get --raw decodes' '
	raw "$OC1:6060/proxy/debug/pprof/heap?gc=1" >heap.pprof &&
	test_must_be_empty err &&
	pprof-decode heap.pprof >stream &&
	grep "^##default_type	inuse_space$" stream &&
	grep -q "main\.leakyRetain" stream
'

test_expect_success 'proxy: the query string reaches the pod (?debug=1 is text)' '
	raw "$OC1:6060/proxy/debug/pprof/heap?debug=1" >heap.txt &&
	test_must_be_empty err &&
	sed -n 1p heap.txt | grep "^heap profile: "
'

test_expect_success 'proxy: a CPU profile streams for its seconds' '
	start=$(date +%s) &&
	raw "$OC1:6060/proxy/debug/pprof/profile?seconds=2" >cpu.pprof &&
	end=$(date +%s) &&
	test_must_be_empty err &&
	test $((end - start)) -ge 2 &&
	pprof-decode cpu.pprof >stream &&
	grep "^##period	10000000	cpu	nanoseconds$" stream &&
	awk -F"\t" "/^##duration/ { exit !(\$2 >= 2000000000) }" stream
'

test_expect_success 'proxy: the apiserver URL fetched directly with curl' '
	curl -sf -o heap2.pprof \
	    "$K/api/v1/namespaces/$NS/pods/$OC1:6060/proxy/debug/pprof/heap?gc=1" &&
	pprof-decode heap2.pprof >stream &&
	grep -q "main\.leakyRetain" stream
'

test_expect_success 'proxy: the pod name alone means its own port' '
	raw "$OC1/proxy/debug/pprof/heap?gc=1" >heap3.pprof &&
	test_must_be_empty err &&
	pprof-decode heap3.pprof >/dev/null
'

test_expect_success 'proxy: /proxy without a path redirects to /proxy/' '
	curl -s -o /dev/null -w "%{http_code} %{redirect_url}\n" \
	    "$K/api/v1/namespaces/$NS/pods/$OC1:6060/proxy?x=1" >actual &&
	echo "301 $K/api/v1/namespaces/$NS/pods/$OC1:6060/proxy/?x=1" >expect &&
	test_cmp expect actual
'

test_expect_success 'proxy: pprof not enabled is 503 connection refused' '
	test_expect_code 1 raw "$CD1:6060/proxy/debug/pprof/heap" >out &&
	test_must_be_empty out &&
	echo "Error from server (ServiceUnavailable): error trying to reach service: dial tcp $IP_CD1:6060: connect: connection refused" >expect &&
	test_cmp expect err
'

test_expect_success 'proxy: a pod not ready yet is 503 connection refused' '
	test_expect_code 1 raw "$OC2:6060/proxy/debug/pprof/heap" >out &&
	test_must_be_empty out &&
	echo "Error from server (ServiceUnavailable): error trying to reach service: dial tcp $IP_OC2:6060: connect: connection refused" >expect &&
	test_cmp expect err
'

test_expect_success 'proxy: the 503 is a Status for curl too' '
	curl -s -o body -w "%{http_code}\n" \
	    "$K/api/v1/namespaces/$NS/pods/$OC2:6060/proxy/debug/pprof/heap" >code &&
	echo 503 >expect &&
	test_cmp expect code &&
	printf "%s\n" "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"error trying to reach service: dial tcp $IP_OC2:6060: connect: connection refused\",\"reason\":\"ServiceUnavailable\",\"code\":503}" >expect &&
	test_cmp expect body
'

test_expect_success 'proxy: another port than the pod serves is refused' '
	test_expect_code 1 raw "$OC1:8080/proxy/debug/pprof/heap" >out &&
	echo "Error from server (ServiceUnavailable): error trying to reach service: dial tcp $IP_OC1:8080: connect: connection refused" >expect &&
	test_cmp expect err
'

test_expect_success 'proxy: an unknown pod is NotFound' '
	test_expect_code 1 raw "nope:6060/proxy/debug/pprof/heap" >out &&
	test_must_be_empty out &&
	echo "Error from server (NotFound): pods \"nope\" not found" >expect &&
	test_cmp expect err
'

test_expect_success 'port-forward is not served, and says so' '
	test_must_fail kubectl port-forward -n $NS pod/$OC1 :6060 >out 2>err &&
	grep "fakekube serves the pods/proxy subresource only, not pods/portforward" err
'

test_expect_success 'watch: the initial ADDED event, then the stream ends at timeoutSeconds' '
	curl -sN -o ev \
	    "$K/api/v1/namespaces/$NS/pods?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3D$CD1" &&
	events ev >actual &&
	echo "ADDED $CD1" >expect &&
	test_cmp expect actual &&
	test $(wc -l <ev) -eq 1
'

test_expect_success 'watch: sendInitialEvents ends the initial events with a bookmark' '
	curl -sN -o ev \
	    "$K/api/v1/namespaces/$NS/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1&labelSelector=control-plane%3D$OC" &&
	events ev >actual &&
	printf "ADDED %s\nADDED %s\n" $OC1 $OC2 >expect &&
	test_cmp expect actual &&
	test $(wc -l <ev) -eq 3 &&
	sed -n 3p ev | grep "^{\"type\":\"BOOKMARK\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{\"k8s.io/initial-events-end\":\"true\"},\"resourceVersion\":\"[0-9]*\"}}}$"
'

test_expect_success 'kubectl wait: times out on a pod that stays not ready' '
	test_expect_code 1 kubectl wait --for=condition=Ready pod/$OC2 -n $NS \
	    --timeout=1s >out 2>err &&
	test_must_be_empty out &&
	echo "error: timed out waiting for the condition on pods/$OC2" >expect &&
	test_cmp expect err
'

test_expect_success 'kubectl wait: returns when the state file makes the pod ready' '
	# kubectl lists OC2, then watches it from the list resourceVersion:
	# once the list is done, the change can only reach kubectl by the
	# watch, which replays every change after that resourceVersion.
	list="GET /api/v1/namespaces/$NS/pods?fieldSelector=metadata.name%3D$OC2&limit=500&resourceVersion=0 200 " &&
	rv=$(curl -s "$K/api/v1/namespaces/$NS/pods" |
	    sed -n "s/.*\"metadata\":{\"resourceVersion\":\"\([0-9]*\)\"}.*/\1/p") &&
	watch="GET /api/v1/namespaces/$NS/pods?allowWatchBookmarks=true&fieldSelector=metadata.name%3D$OC2&resourceVersion=$rv&timeoutSeconds=[0-9]*&watch=true 200 " &&
	lists=$(grep -c -F "$list" K.log || :) &&
	watches=$(grep -c "$watch" K.log || :) &&
	{
		{
			kubectl wait --for=condition=Ready pod -l control-plane=$OC \
			    -n $NS --timeout=20s >wait.out 2>wait.err
			echo $? >wait.rc
		} &
	} &&
	waiter=$! &&
	i=0 &&
	while [ "$(grep -c -F "$list" K.log)" -eq "$lists" ]; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || break
	done &&
	write_state "$(pod $OC1 $OC $UID1 true 2026-11-27T10:00:00Z "$W")" \
	    "$(pod $OC2 $OC $UID2 true 2026-11-27T10:04:30Z "$W")" \
	    "$(pod $CD1 $CD $UID3 true 2026-11-27T10:00:05Z)" &&
	wait $waiter &&
	echo 0 >expect &&
	test_cmp expect wait.rc &&
	printf "pod/%s condition met\npod/%s condition met\n" $OC1 $OC2 >expect &&
	test_cmp expect wait.out &&
	test_must_be_empty wait.err &&
	test "$(grep -c "$watch" K.log)" -eq $((watches + 1))
'

test_expect_success 'proxy: the pod that became ready now answers' '
	raw "$OC2:6060/proxy/debug/pprof/heap?gc=1" >heap4.pprof &&
	test_must_be_empty err &&
	pprof-decode heap4.pprof >/dev/null
'

test_expect_success 'a pod replaced mid-run: the next get pods shows the new name and uid' '
	rv=$(curl -s "$K/api/v1/namespaces/$NS/pods" |
	    sed -n "s/.*\"metadata\":{\"resourceVersion\":\"\([0-9]*\)\"}.*/\1/p") &&
	test -n "$rv" &&
	write_state "$(pod $OC2 $OC $UID2 true 2026-11-27T10:04:30Z "$W")" \
	    "$(pod $OC3 $OC $UID4 true 2026-11-27T10:04:50Z "$W")" \
	    "$(pod $CD1 $CD $UID3 true 2026-11-27T10:00:05Z)" &&
	kubectl get pods -n $NS -l control-plane=$OC -o jsonpath="$JP" >actual 2>err &&
	test_must_be_empty err &&
	printf "%s\tRunning\tTrue\t%s\n%s\tRunning\tTrue\t%s\n" \
	    $OC2 $UID2 $OC3 $UID4 >expect &&
	test_cmp expect actual &&
	kubectl get pods -n $NS >actual 2>err &&
	test_must_be_empty err &&
	cat >expect <<-EOF &&
	NAME                                                READY   STATUS    RESTARTS   AGE
	catalogd-controller-manager-55f-xyz12               1/1     Running   0          4m55s
	operator-controller-controller-manager-7d9f-fghij   1/1     Running   0          30s
	operator-controller-controller-manager-86b4-klmno   1/1     Running   0          10s
	EOF
	test_cmp expect actual &&
	curl -sN -o ev \
	    "$K/api/v1/namespaces/$NS/pods?watch=true&timeoutSeconds=1&resourceVersion=$rv&labelSelector=control-plane%3D$OC" &&
	events ev >actual &&
	printf "DELETED %s\nADDED %s\n" $OC1 $OC3 >expect &&
	test_cmp expect actual
'

test_expect_success 'a pod replaced mid-run: the old one is gone, the new one answers' '
	test_expect_code 1 raw "$OC1:6060/proxy/debug/pprof/heap" >out &&
	echo "Error from server (NotFound): pods \"$OC1\" not found" >expect &&
	test_cmp expect err &&
	raw "$OC3:6060/proxy/debug/pprof/heap?gc=1" >heap5.pprof &&
	test_must_be_empty err &&
	pprof-decode heap5.pprof >stream &&
	grep -q "main\.leakyRetain" stream
'

test_expect_success 'kubectl get -w prints the rows of watch events' '
	# A list watch starts from the list resourceVersion, so the change
	# reaches it however soon it is made. (A watch of one named object
	# starts from "0", and kubectl drops its first event.)
	{ kubectl get pods -n $NS -l control-plane=$CD -w >watch.out 2>watch.err & } &&
	watcher=$! &&
	i=0 &&
	until [ "$(wc -l <watch.out)" -ge 2 ]; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || break
	done &&
	write_state "$(pod $OC2 $OC $UID2 true 2026-11-27T10:04:30Z "$W")" \
	    "$(pod $OC3 $OC $UID4 true 2026-11-27T10:04:50Z "$W")" \
	    "$(pod $CD1 $CD $UID3 false 2026-11-27T10:00:05Z)" &&
	i=0 &&
	until [ "$(wc -l <watch.out)" -ge 3 ]; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || break
	done &&
	sleep 0.2 &&
	kill $watcher &&
	{ wait $watcher || :; } &&
	cat >expect <<-EOF &&
	NAME                                    READY   STATUS    RESTARTS   AGE
	catalogd-controller-manager-55f-xyz12   1/1     Running   0          4m55s
	catalogd-controller-manager-55f-xyz12   0/1     Running   0          4m55s
	EOF
	test_cmp expect watch.out &&
	test_must_be_empty watch.err
'

test_expect_success 'a bad state file mid-run is logged, the previous state kept' '
	kubectl get pods -n $NS -o name >before &&
	printf "{\"namespaces\":[],\"pods\":[{\"namespace\":\"x\",\"name\":\"p\"}]}\n" >state.tmp &&
	mv state.tmp state.json &&
	kubectl get pods -n $NS -o name >after 2>err &&
	test_must_be_empty err &&
	test_cmp before after &&
	grep "pod x/p: namespace \"x\" is not in namespaces (keeping the previous state)$" K.log
'

test_expect_success 'the request log: one line per request with method, URI, status' '
	grep " GET /api/v1/namespaces/$NS 200 " K.log &&
	grep " GET /api/v1/namespaces/nope 404 " K.log &&
	grep " GET /api/v1/namespaces/$NS/pods/$OC1:6060/proxy/debug/pprof/heap?gc=1 200 " K.log &&
	grep " GET /api/v1/namespaces/$NS/pods/$CD1:6060/proxy/debug/pprof/heap 503 " K.log &&
	grep " GET /api/v1/namespaces/$NS/pods/nope:6060/proxy/debug/pprof/heap 404 " K.log
'

test_done
