// Command fakekube is a small fake Kubernetes API server for e2e-profile's
// tests: the real kubectl, pointed at it over plain HTTP on loopback, finds
// namespaces and pods in it and fetches pprof profiles through the pod proxy
// subresource, which fakekube forwards to a real program (the project's Go
// workload) standing in for the pod's port 6060. There is no cluster, no
// etcd, no auth and nothing to write to: the test describes the cluster in a
// JSON state file and rewrites it (atomically: write a temporary file,
// rename it) to change the cluster mid-run, as when a pod is replaced.
//
//	cd tests/go && go build -o fakekube ./fakekube
//	./fakekube -addr-file k.url -state state.json -kubeconfig-out kubeconfig &
//	until [ -s k.url ]; do sleep 0.1; done
//	KUBECONFIG=kubeconfig kubectl get pods -n olmv1-system
//
// The state file (re-read whenever its mtime, size or inode changes; checked
// every -poll and before every request):
//
//	{
//	  "namespaces": ["olmv1-system",
//	                 {"name": "other", "creationTimestamp": "2026-11-27T09:00:00Z"}],
//	  "pods": [{
//	    "namespace": "olmv1-system",
//	    "name": "operator-controller-controller-manager-7d9f-abcde",
//	    "labels": {"control-plane": "operator-controller-controller-manager"},
//	    "ready": true,
//	    "phase": "Running",
//	    "startTime": "2026-11-27T10:00:00Z",
//	    "uid": "0b6e1e3c-0000-4000-8000-000000000001",
//	    "backend": "http://127.0.0.1:PORT"
//	  }],
//	  "deployments": [{
//	    "namespace": "olmv1-system",
//	    "name": "operator-controller-controller-manager",
//	    "replicas": 2,
//	    "selector": {"control-plane": "operator-controller-controller-manager"}
//	  }],
//	  "leases": [{
//	    "namespace": "olmv1-system",
//	    "name": "9c4404e7.operatorframework.io",
//	    "holderIdentity": "operator-controller-controller-manager-7d9f-abcde_1b2c"
//	  }]
//	}
//
// A namespace is a name, or an object with "name" and "creationTimestamp"
// (default: when fakekube first saw it). Pod fields, all but namespace and
// name optional:
//
//	labels       map of label to value
//	phase        Pending, Running (default), Succeeded, Failed, Unknown
//	ready        the Ready condition (default: phase is Running)
//	startTime    RFC 3339; also the creationTimestamp (default: first seen)
//	uid          default: derived from namespace and name
//	backend      base URL of what really listens on the pod's port; absent
//	             or "" means nothing listens (pprof not enabled)
//	port         the pod's container port (default 6060)
//	podIP        default: 10.244.X.Y derived from namespace and name
//	nodeName     default "kind-control-plane"
//	restarts     the container's restartCount (default 0)
//	terminating  sets deletionTimestamp, so STATUS shows Terminating
//
// Every pod has one container, "manager", declaring the port, and a pod
// with a backend carries it in the annotation fakekube.invalid/backend
// (what a test's stand-in for kubectl port-forward reads). Unknown fields
// are refused, so a typo fails loudly. A pod, deployment or lease whose
// namespace is not listed is refused too.
//
// A deployment (apps/v1) has a name, spec.replicas ("replicas", default 1),
// spec.selector.matchLabels ("selector", required) and creationTimestamp
// (default: first seen); its status counts the listed pods its selector
// matches: replicas and updatedReplicas those not terminating,
// readyReplicas and availableReplicas those also Running and ready. A
// lease (coordination.k8s.io/v1) has a name, spec.holderIdentity
// ("holderIdentity", default none), leaseDurationSeconds (15) and
// renewTime (when the holder last changed).
//
// What it serves (GET only; anything else is 405 MethodNotAllowed; other
// paths are 404, among them pods/portforward, so kubectl port-forward does
// not work against it):
//
//	/version, /healthz, /readyz, /livez
//	/api, /api/v1, /apis          legacy (unaggregated) discovery: kubectl
//	                              asks for the aggregated kind and falls back
//	/api/v1/namespaces[/NAME]     list (and watch) or get
//	/api/v1/pods                  list (and watch) across namespaces
//	/api/v1/namespaces/NS/pods[/NAME]
//	/api/v1/namespaces/NS/pods/NAME[:PORT]/proxy/PATH   any method
//	/apis/apps/v1/[namespaces/NS/]deployments[/NAME]
//	/apis/coordination.k8s.io/v1/[namespaces/NS/]leases[/NAME]
//	/apis/apps/v1, /apis/coordination.k8s.io/v1   their discovery
//
// Lists take labelSelector (=, ==, !=, in, notin, key, !key) and
// fieldSelector (metadata.name, metadata.namespace, status.phase,
// spec.nodeName, status.podIP with =, ==, !=); limit is accepted and
// ignored (everything comes in one page). Gets and lists answer with a
// meta.k8s.io Table when the Accept header asks for one (as kubectl's
// default output does), in the columns the real API server uses; AGE is
// counted from -now when given, so a test can expect it exactly. Errors are
// metav1.Status objects with the real server's reasons and messages, e.g.
// 404 `namespaces "x" not found`. ?watch=true (or watch=1) streams JSON
// watch events, ADDED, MODIFIED and DELETED, as the state file changes
// (a pod replaced under the same name but a new uid is DELETED, then
// ADDED); resourceVersion ""/"0" starts with ADDED for what exists, N
// replays every change after N (410 Expired when N is older than the last
// 10000 changes); timeoutSeconds ends the stream; sendInitialEvents is
// answered with the initial-events-end bookmark; a watch that asks for
// Tables (kubectl get -w) gets one-row Tables. That is what kubectl wait
// and kubectl get -w need.
//
// The proxy forwards the method, the path after /proxy and the query to the
// pod's backend, streaming the answer (a CPU profile's N seconds pass
// through). As the real API server, it answers 404 for an unknown pod and
// 503 ServiceUnavailable "error trying to reach service: dial tcp
// IP:PORT: connect: connection refused" when nothing listens there: the pod
// has no backend, a port other than its own was asked for, or, to model a
// container that is still starting, it is not Running or not ready. (A real
// API server proxies to a not-ready pod all the same if its process
// listens.)
//
// It only listens on loopback. Every request is logged to stderr, when it
// ends, as one line: method, request URI, status, duration. Stdout carries
// only the base URL. It exits 0 on SIGINT or SIGTERM, 1 if it cannot listen
// or read the state file at start, 2 on bad flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"e2e-profile/tests/go/internal/local"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen on `host:port`, loopback only (port 0 picks a free one)")
	addrFile := flag.String("addr-file", "", "once listening, write the base URL to `path` (atomically)")
	statePath := flag.String("state", "", "the cluster's namespaces and pods, a JSON `file` re-read when it changes (default: an empty cluster)")
	kubeconfigOut := flag.String("kubeconfig-out", "", "once listening, write a kubeconfig for this server to `path` (atomically)")
	nowFlag := flag.String("now", "", "RFC 3339 `time` to use as now for AGE columns and default timestamps (default: the real time)")
	poll := flag.Duration("poll", 100*time.Millisecond, "how often to check the state file for changes (`interval`)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: fakekube [flags]\n\nServe a fake Kubernetes API (namespaces, pods, the pod proxy) for kubectl.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		usageError("unexpected argument %q", flag.Arg(0))
	}
	if err := local.CheckLoopback(*addr); err != nil {
		usageError("%v", err)
	}
	if *poll <= 0 {
		usageError("-poll %v: must be positive", *poll)
	}
	var clock func() time.Time = time.Now
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			usageError("-now %q: not an RFC 3339 time", *nowFlag)
		}
		clock = func() time.Time { return t }
	}

	log.SetPrefix("fakekube: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	st := newStore(*statePath, clock)
	if _, err := st.reload(); err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The flag named a loopback host, but "localhost" is whatever the
	// resolver says: check the address actually bound too.
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		ln.Close()
		usageError("-addr %s: bound %s, which is not a loopback address", *addr, ln.Addr())
	}
	base := "http://" + ln.Addr().String()

	srv := &http.Server{
		Handler: logRequests(&server{store: st, host: ln.Addr().String()}),
		// No write timeout: watches and CPU profiles take their time.
		ReadHeaderTimeout: 10 * time.Second,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	go st.watchFile(ctx, *poll)

	if *kubeconfigOut != "" {
		if err := local.WriteFileAtomic(*kubeconfigOut, kubeconfig(base)); err != nil {
			log.Fatal(err)
		}
	}
	if *addrFile != "" {
		if err := local.WriteFileAtomic(*addrFile, base+"\n"); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(base)
	log.Printf("serving at %s", base)

	select {
	case <-ctx.Done():
		log.Print("signal received, exiting")
	case err := <-serveErr:
		log.Fatal(err)
	}
	// Close, not Shutdown: watches never end by themselves.
	srv.Close()
}

func usageError(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "fakekube: "+format+"\n", args...)
	os.Exit(2)
}

// kubeconfig returns a kubeconfig whose current context is this server,
// with no credentials.
func kubeconfig(base string) string {
	return `apiVersion: v1
kind: Config
clusters:
- name: fakekube
  cluster:
    server: ` + base + `
contexts:
- name: fakekube
  context:
    cluster: fakekube
    user: fakekube
current-context: fakekube
users:
- name: fakekube
  user: {}
`
}
