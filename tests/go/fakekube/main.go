// Command fakekube is a small fake Kubernetes API server for e2e-profile's
// tests: the real kubectl, pointed at it over plain HTTP on loopback, finds
// namespaces and pods in it and fetches pprof profiles through the pod proxy
// subresource, which fakekube forwards to a real program (the project's Go
// workload) standing in for the pod's port 6060. There is no cluster, no
// etcd, no auth and nothing to write to: the test describes the cluster in a
// JSON state file and rewrites it (atomically: write a temporary file,
// rename it) to change the cluster mid-run, as when a pod is replaced.
//
//	go build -o fakekube tests/go/fakekube/main.go
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
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"mime"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
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

// ---------------------------------------------------------------------
// The state file

type stateFile struct {
	Namespaces  []stateNamespace  `json:"namespaces"`
	Pods        []statePod        `json:"pods"`
	Deployments []stateDeployment `json:"deployments"`
	Leases      []stateLease      `json:"leases"`
}

type stateDeployment struct {
	Namespace         string            `json:"namespace"`
	Name              string            `json:"name"`
	Replicas          *int              `json:"replicas,omitempty"`
	Selector          map[string]string `json:"selector"`
	CreationTimestamp string            `json:"creationTimestamp,omitempty"`
}

type stateLease struct {
	Namespace      string `json:"namespace"`
	Name           string `json:"name"`
	HolderIdentity string `json:"holderIdentity,omitempty"`
}

type stateNamespace struct {
	Name              string `json:"name"`
	CreationTimestamp string `json:"creationTimestamp,omitempty"`
}

// UnmarshalJSON takes a namespace as a bare name or as an object.
func (n *stateNamespace) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &n.Name)
	}
	type plain stateNamespace
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(n))
}

type statePod struct {
	Namespace   string            `json:"namespace"`
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Phase       string            `json:"phase,omitempty"`
	Ready       *bool             `json:"ready,omitempty"`
	StartTime   string            `json:"startTime,omitempty"`
	UID         string            `json:"uid,omitempty"`
	Backend     string            `json:"backend,omitempty"`
	Port        int               `json:"port,omitempty"`
	PodIP       string            `json:"podIP,omitempty"`
	NodeName    string            `json:"nodeName,omitempty"`
	Restarts    int               `json:"restarts,omitempty"`
	Terminating bool              `json:"terminating,omitempty"`
}

var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// parseState reads and checks a state file.
func parseState(data []byte) (*stateFile, error) {
	var sf stateFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sf); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	namespaces := map[string]bool{}
	for _, n := range sf.Namespaces {
		if !dnsLabel.MatchString(n.Name) || len(n.Name) > 63 {
			return nil, fmt.Errorf("namespace %q: not a valid name", n.Name)
		}
		if namespaces[n.Name] {
			return nil, fmt.Errorf("namespace %q: listed twice", n.Name)
		}
		if n.CreationTimestamp != "" {
			if _, err := time.Parse(time.RFC3339, n.CreationTimestamp); err != nil {
				return nil, fmt.Errorf("namespace %q: creationTimestamp: %v", n.Name, err)
			}
		}
		namespaces[n.Name] = true
	}
	pods := map[string]bool{}
	for i := range sf.Pods {
		p := &sf.Pods[i]
		where := fmt.Sprintf("pod %s/%s", p.Namespace, p.Name)
		if !namespaces[p.Namespace] {
			return nil, fmt.Errorf("%s: namespace %q is not in namespaces", where, p.Namespace)
		}
		if !dnsSubdomain.MatchString(p.Name) || len(p.Name) > 253 {
			return nil, fmt.Errorf("%s: not a valid pod name", where)
		}
		if pods[p.Namespace+"/"+p.Name] {
			return nil, fmt.Errorf("%s: listed twice", where)
		}
		pods[p.Namespace+"/"+p.Name] = true
		switch p.Phase {
		case "":
			p.Phase = "Running"
		case "Pending", "Running", "Succeeded", "Failed", "Unknown":
		default:
			return nil, fmt.Errorf("%s: phase %q is none of Pending, Running, Succeeded, Failed, Unknown", where, p.Phase)
		}
		if p.Ready == nil {
			r := p.Phase == "Running"
			p.Ready = &r
		}
		if p.StartTime != "" {
			if _, err := time.Parse(time.RFC3339, p.StartTime); err != nil {
				return nil, fmt.Errorf("%s: startTime: %v", where, err)
			}
		}
		if p.UID == "" {
			p.UID = derivedUID(p.Namespace + "/" + p.Name)
		}
		if p.Backend != "" {
			u, err := url.Parse(p.Backend)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, fmt.Errorf("%s: backend %q is not an http:// or https:// URL", where, p.Backend)
			}
		}
		if p.Port == 0 {
			p.Port = 6060
		}
		if p.Port < 1 || p.Port > 65535 {
			return nil, fmt.Errorf("%s: port %d out of range", where, p.Port)
		}
		if p.PodIP == "" {
			p.PodIP = derivedIP(p.Namespace + "/" + p.Name)
		} else if net.ParseIP(p.PodIP) == nil {
			return nil, fmt.Errorf("%s: podIP %q is not an IP address", where, p.PodIP)
		}
		if p.NodeName == "" {
			p.NodeName = "kind-control-plane"
		}
		if p.Restarts < 0 {
			return nil, fmt.Errorf("%s: restarts %d is negative", where, p.Restarts)
		}
		for k := range p.Labels {
			if !labelKey.MatchString(k) {
				return nil, fmt.Errorf("%s: label key %q is not valid", where, k)
			}
		}
	}
	if err := checkDeployments(sf.Deployments, namespaces); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, l := range sf.Leases {
		where := fmt.Sprintf("lease %s/%s", l.Namespace, l.Name)
		if !namespaces[l.Namespace] {
			return nil, fmt.Errorf("%s: namespace %q is not in namespaces", where, l.Namespace)
		}
		if !dnsSubdomain.MatchString(l.Name) || seen[l.Namespace+"/"+l.Name] {
			return nil, fmt.Errorf("%s: not a valid name, or listed twice", where)
		}
		seen[l.Namespace+"/"+l.Name] = true
	}
	return &sf, nil
}

// checkDeployments checks the deployments of a state file and sets the
// default replica count.
func checkDeployments(deps []stateDeployment, namespaces map[string]bool) error {
	seen := map[string]bool{}
	for i := range deps {
		d := &deps[i]
		where := fmt.Sprintf("deployment %s/%s", d.Namespace, d.Name)
		if !namespaces[d.Namespace] {
			return fmt.Errorf("%s: namespace %q is not in namespaces", where, d.Namespace)
		}
		if !dnsSubdomain.MatchString(d.Name) || seen[d.Namespace+"/"+d.Name] {
			return fmt.Errorf("%s: not a valid name, or listed twice", where)
		}
		seen[d.Namespace+"/"+d.Name] = true
		if d.Replicas == nil {
			one := 1
			d.Replicas = &one
		}
		if *d.Replicas < 0 {
			return fmt.Errorf("%s: replicas %d is negative", where, *d.Replicas)
		}
		if len(d.Selector) == 0 {
			return fmt.Errorf("%s: no selector", where)
		}
		for k := range d.Selector {
			if !labelKey.MatchString(k) {
				return fmt.Errorf("%s: selector key %q is not valid", where, k)
			}
		}
		if d.CreationTimestamp != "" {
			if _, err := time.Parse(time.RFC3339, d.CreationTimestamp); err != nil {
				return fmt.Errorf("%s: creationTimestamp: %v", where, err)
			}
		}
	}
	return nil
}

// derivedUID makes a UUID-shaped uid from a key, the same every time.
func derivedUID(key string) string {
	h := sha1.Sum([]byte(key))
	h[6] = h[6]&0x0f | 0x50 // version 5, as a name-based UUID
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// derivedIP makes a pod IP in kind's pod range from a key.
func derivedIP(key string) string {
	h := sha1.Sum([]byte(key))
	return fmt.Sprintf("10.244.%d.%d", h[0]%4, 2+int(h[1])%250)
}

// ---------------------------------------------------------------------
// The API objects, as the real API server writes them (the fields kubectl
// and the wrapper read, and a few more so that -o yaml looks familiar).

type objectMeta struct {
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace,omitempty"`
	UID               string            `json:"uid,omitempty"`
	ResourceVersion   string            `json:"resourceVersion,omitempty"`
	CreationTimestamp string            `json:"creationTimestamp"`
	DeletionTimestamp string            `json:"deletionTimestamp,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
}

type apiNamespace struct {
	Kind       string     `json:"kind,omitempty"`
	APIVersion string     `json:"apiVersion,omitempty"`
	Metadata   objectMeta `json:"metadata"`
	Spec       struct {
		Finalizers []string `json:"finalizers"`
	} `json:"spec"`
	Status struct {
		Phase string `json:"phase"`
	} `json:"status"`
}

type apiPod struct {
	Kind       string     `json:"kind,omitempty"`
	APIVersion string     `json:"apiVersion,omitempty"`
	Metadata   objectMeta `json:"metadata"`
	Spec       podSpec    `json:"spec"`
	Status     podStatus  `json:"status"`
}

type podSpec struct {
	Containers    []container `json:"containers"`
	NodeName      string      `json:"nodeName"`
	RestartPolicy string      `json:"restartPolicy"`
}

type container struct {
	Name  string          `json:"name"`
	Image string          `json:"image"`
	Ports []containerPort `json:"ports"`
}

type containerPort struct {
	Name          string `json:"name"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

type podStatus struct {
	Phase             string            `json:"phase"`
	Conditions        []podCondition    `json:"conditions"`
	HostIP            string            `json:"hostIP"`
	PodIP             string            `json:"podIP"`
	PodIPs            []podIP           `json:"podIPs"`
	StartTime         string            `json:"startTime"`
	ContainerStatuses []containerStatus `json:"containerStatuses"`
}

type podCondition struct {
	Type               string  `json:"type"`
	Status             string  `json:"status"`
	LastProbeTime      *string `json:"lastProbeTime"`
	LastTransitionTime string  `json:"lastTransitionTime"`
}

type podIP struct {
	IP string `json:"ip"`
}

type containerStatus struct {
	Name         string         `json:"name"`
	Image        string         `json:"image"`
	Ready        bool           `json:"ready"`
	Started      bool           `json:"started"`
	RestartCount int            `json:"restartCount"`
	State        containerState `json:"state"`
}

type containerState struct {
	Running *struct {
		StartedAt string `json:"startedAt"`
	} `json:"running,omitempty"`
	Waiting *struct {
		Reason string `json:"reason"`
	} `json:"waiting,omitempty"`
	Terminated *struct {
		ExitCode int    `json:"exitCode"`
		Reason   string `json:"reason"`
	} `json:"terminated,omitempty"`
}

func boolStatus(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// buildPod makes the API object of a state pod created at created.
func buildPod(p *statePod, created string) *apiPod {
	ready := *p.Ready
	running := p.Phase == "Running"
	o := &apiPod{Kind: "Pod", APIVersion: "v1"}
	o.Metadata = objectMeta{
		Name:              p.Name,
		Namespace:         p.Namespace,
		UID:               p.UID,
		CreationTimestamp: created,
		Labels:            p.Labels,
	}
	if p.Backend != "" {
		o.Metadata.Annotations = map[string]string{"fakekube.invalid/backend": p.Backend}
	}
	if p.Terminating {
		o.Metadata.DeletionTimestamp = created
	}
	o.Spec = podSpec{
		Containers: []container{{
			Name:  "manager",
			Image: "fakekube.invalid/manager:latest",
			Ports: []containerPort{{Name: "pprof", ContainerPort: p.Port, Protocol: "TCP"}},
		}},
		NodeName:      p.NodeName,
		RestartPolicy: "Always",
	}
	st := &o.Status
	st.Phase = p.Phase
	st.Conditions = []podCondition{
		{Type: "PodReadyToStartContainers", Status: boolStatus(p.Phase != "Pending"), LastTransitionTime: created},
		{Type: "Initialized", Status: "True", LastTransitionTime: created},
		{Type: "Ready", Status: boolStatus(ready), LastTransitionTime: created},
		{Type: "ContainersReady", Status: boolStatus(ready), LastTransitionTime: created},
		{Type: "PodScheduled", Status: "True", LastTransitionTime: created},
	}
	st.HostIP = "172.18.0.2"
	st.PodIP = p.PodIP
	st.PodIPs = []podIP{{IP: p.PodIP}}
	st.StartTime = created
	cs := containerStatus{
		Name:         "manager",
		Image:        "fakekube.invalid/manager:latest",
		Ready:        ready,
		Started:      running,
		RestartCount: p.Restarts,
	}
	switch p.Phase {
	case "Running":
		cs.State.Running = &struct {
			StartedAt string `json:"startedAt"`
		}{created}
	case "Pending":
		cs.State.Waiting = &struct {
			Reason string `json:"reason"`
		}{"ContainerCreating"}
	case "Succeeded", "Failed":
		code, reason := 0, "Completed"
		if p.Phase == "Failed" {
			code, reason = 1, "Error"
		}
		cs.State.Terminated = &struct {
			ExitCode int    `json:"exitCode"`
			Reason   string `json:"reason"`
		}{code, reason}
	}
	st.ContainerStatuses = []containerStatus{cs}
	return o
}

type apiDeployment struct {
	Kind       string     `json:"kind,omitempty"`
	APIVersion string     `json:"apiVersion,omitempty"`
	Metadata   objectMeta `json:"metadata"`
	Spec       struct {
		Replicas int `json:"replicas"`
		Selector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		Strategy struct {
			Type          string `json:"type"`
			RollingUpdate struct {
				MaxSurge       int `json:"maxSurge"`
				MaxUnavailable int `json:"maxUnavailable"`
			} `json:"rollingUpdate"`
		} `json:"strategy"`
	} `json:"spec"`
	Status deploymentStatus `json:"status"`
}

type deploymentStatus struct {
	ObservedGeneration int `json:"observedGeneration"`
	Replicas           int `json:"replicas,omitempty"`
	UpdatedReplicas    int `json:"updatedReplicas,omitempty"`
	ReadyReplicas      int `json:"readyReplicas,omitempty"`
	AvailableReplicas  int `json:"availableReplicas,omitempty"`
}

type apiLease struct {
	Kind       string     `json:"kind,omitempty"`
	APIVersion string     `json:"apiVersion,omitempty"`
	Metadata   objectMeta `json:"metadata"`
	Spec       struct {
		HolderIdentity       string `json:"holderIdentity,omitempty"`
		LeaseDurationSeconds int    `json:"leaseDurationSeconds"`
		RenewTime            string `json:"renewTime,omitempty"`
	} `json:"spec"`
}

func buildDeployment(d *stateDeployment, uid, created string, st deploymentStatus) *apiDeployment {
	o := &apiDeployment{Kind: "Deployment", APIVersion: "apps/v1"}
	o.Metadata = objectMeta{Name: d.Name, Namespace: d.Namespace, UID: uid, CreationTimestamp: created}
	o.Spec.Replicas = *d.Replicas
	o.Spec.Selector.MatchLabels = d.Selector
	o.Spec.Strategy.Type = "RollingUpdate"
	o.Spec.Strategy.RollingUpdate.MaxSurge = 1
	o.Status = st
	o.Status.ObservedGeneration = 1
	return o
}

func buildLease(l *stateLease, uid, created, renewed string) *apiLease {
	o := &apiLease{Kind: "Lease", APIVersion: "coordination.k8s.io/v1"}
	o.Metadata = objectMeta{Name: l.Name, Namespace: l.Namespace, UID: uid, CreationTimestamp: created}
	o.Spec.HolderIdentity = l.HolderIdentity
	o.Spec.LeaseDurationSeconds = 15
	if l.HolderIdentity != "" {
		o.Spec.RenewTime = renewed
	}
	return o
}

func buildNamespace(name, created string) *apiNamespace {
	o := &apiNamespace{Kind: "Namespace", APIVersion: "v1"}
	o.Metadata = objectMeta{
		Name:              name,
		UID:               derivedUID("namespace/" + name),
		CreationTimestamp: created,
		Labels:            map[string]string{"kubernetes.io/metadata.name": name},
	}
	o.Spec.Finalizers = []string{"kubernetes"}
	o.Status.Phase = "Active"
	return o
}

// ---------------------------------------------------------------------
// The store: the objects of the current state, and the history of changes
// that watches replay.

// object is one namespace or pod as served.
type object struct {
	resource  string // "namespaces" or "pods"
	namespace string // "" for a namespace
	name      string
	uid       string
	labels    map[string]string
	fields    map[string]string // what fieldSelector can match
	rv        uint64
	created   time.Time
	body      []byte    // the JSON of the API object, resourceVersion included
	pod       *statePod // pods only
	ready     bool
	dep       *stateDeployment // deployments only
	depStatus deploymentStatus // counted from the pods
	lease     *stateLease      // leases only
	renewed   time.Time        // leases: when the holder last changed
}

func (o *object) key() string { return o.resource + "/" + o.namespace + "/" + o.name }

type event struct {
	typ string // ADDED, MODIFIED, DELETED
	obj *object
}

type store struct {
	path  string
	clock func() time.Time

	mu       sync.Mutex
	loaded   os.FileInfo // of the state file last read (nil: none yet)
	applied  bool        // an empty state applied, for no state file
	lastErr  string      // the last error reported, not to repeat it
	objects  map[string]*object
	rv       uint64  // the latest resourceVersion handed out
	history  []event // the last maxHistory changes, in resourceVersion order
	expired  uint64  // the resourceVersion of the last change dropped
	changed  chan struct{}
	firstSaw map[string]time.Time // default timestamps, by key and uid
}

// maxHistory is how many changes watches can replay; a watch from before
// them is 410 Expired, as from a real API server's watch cache.
const maxHistory = 10000

func newStore(path string, clock func() time.Time) *store {
	return &store{
		path:     path,
		clock:    clock,
		objects:  map[string]*object{},
		changed:  make(chan struct{}),
		firstSaw: map[string]time.Time{},
	}
}

// watchFile reloads the state file every interval until ctx is done.
func (s *store) watchFile(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.reload(); err != nil {
				log.Print(err)
			}
		}
	}
}

// reload reads the state file if it changed since last read, and applies
// the difference. It reports whether anything changed. A file that cannot
// be read or parsed leaves the state as it was.
func (s *store) reload() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sf, err := s.read()
	if err != nil {
		// Report an error once, not at every poll and request.
		if err.Error() == s.lastErr {
			return false, nil
		}
		s.lastErr = err.Error()
		if s.applied {
			err = fmt.Errorf("%v (keeping the previous state)", err)
		}
		return false, err
	}
	s.lastErr = ""
	if sf == nil {
		return false, nil
	}
	s.applied = true
	return s.apply(sf), nil
}

// read returns the state file's contents if it changed since last read,
// else nil. Called with s.mu held.
func (s *store) read() (*stateFile, error) {
	if s.path == "" {
		if s.applied {
			return nil, nil
		}
		return &stateFile{}, nil
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return nil, fmt.Errorf("state file: %v", err)
	}
	if s.loaded != nil && os.SameFile(fi, s.loaded) && fi.ModTime().Equal(s.loaded.ModTime()) && fi.Size() == s.loaded.Size() {
		return nil, nil
	}
	data, err := os.ReadFile(s.path)
	if err != nil {
		return nil, fmt.Errorf("state file: %v", err)
	}
	// Remember the file even when it is bad: it is read again only when
	// it changes.
	s.loaded = fi
	sf, err := parseState(data)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %v", s.path, err)
	}
	return sf, nil
}

// firstSeen returns when an object (by key and uid) was first seen.
func (s *store) firstSeen(key string) time.Time {
	t, ok := s.firstSaw[key]
	if !ok {
		t = s.clock().UTC().Truncate(time.Second)
		s.firstSaw[key] = t
	}
	return t
}

// apply makes sf the current state, recording the changes as events.
// Called with s.mu held.
func (s *store) apply(sf *stateFile) bool {
	next := map[string]*object{}
	var order []*object // the order new resourceVersions are handed out in
	for _, n := range sf.Namespaces {
		created := s.firstSeen("namespaces//" + n.Name)
		if n.CreationTimestamp != "" {
			created, _ = time.Parse(time.RFC3339, n.CreationTimestamp)
		}
		o := &object{
			resource: "namespaces",
			name:     n.Name,
			uid:      derivedUID("namespace/" + n.Name),
			labels:   map[string]string{"kubernetes.io/metadata.name": n.Name},
			fields:   map[string]string{"metadata.name": n.Name, "status.phase": "Active"},
			created:  created,
		}
		next[o.key()] = o
		order = append(order, o)
	}
	for i := range sf.Pods {
		p := &sf.Pods[i]
		created := s.firstSeen("pods/" + p.Namespace + "/" + p.Name + "/" + p.UID)
		if p.StartTime != "" {
			created, _ = time.Parse(time.RFC3339, p.StartTime)
		}
		o := &object{
			resource:  "pods",
			namespace: p.Namespace,
			name:      p.Name,
			uid:       p.UID,
			labels:    p.Labels,
			fields: map[string]string{
				"metadata.name":      p.Name,
				"metadata.namespace": p.Namespace,
				"status.phase":       p.Phase,
				"spec.nodeName":      p.NodeName,
				"status.podIP":       p.PodIP,
			},
			created: created,
			pod:     p,
			ready:   *p.Ready,
		}
		next[o.key()] = o
		order = append(order, o)
	}
	for i := range sf.Deployments {
		d := &sf.Deployments[i]
		key := "deployments/" + d.Namespace + "/" + d.Name
		created := s.firstSeen(key)
		if d.CreationTimestamp != "" {
			created, _ = time.Parse(time.RFC3339, d.CreationTimestamp)
		}
		o := &object{
			resource: "deployments", namespace: d.Namespace, name: d.Name,
			uid:     derivedUID(key),
			fields:  map[string]string{"metadata.name": d.Name, "metadata.namespace": d.Namespace},
			created: created, dep: d, depStatus: countReplicas(d, sf.Pods),
		}
		next[o.key()] = o
		order = append(order, o)
	}
	for i := range sf.Leases {
		l := &sf.Leases[i]
		key := "leases/" + l.Namespace + "/" + l.Name
		o := &object{
			resource: "leases", namespace: l.Namespace, name: l.Name,
			uid:     derivedUID(key),
			fields:  map[string]string{"metadata.name": l.Name, "metadata.namespace": l.Namespace},
			created: s.firstSeen(key), lease: l, renewed: s.firstSeen(key + "/" + l.HolderIdentity),
		}
		next[o.key()] = o
		order = append(order, o)
	}

	changed := false
	// Deletions first (in key order), so that a pod replaced under the
	// same name is DELETED before it is ADDED again.
	var gone []string
	for k, old := range s.objects {
		if n, ok := next[k]; !ok || n.uid != old.uid {
			gone = append(gone, k)
		}
	}
	sort.Strings(gone)
	for _, k := range gone {
		old := s.objects[k]
		s.rv++
		d := *old
		d.rv = s.rv
		d.body = s.render(&d)
		s.history = append(s.history, event{"DELETED", &d})
		delete(s.objects, k)
		changed = true
	}
	for _, o := range order {
		old, ok := s.objects[o.key()]
		if ok {
			o.rv = old.rv
			if bytes.Equal(s.render(o), old.body) {
				continue
			}
		}
		s.rv++
		o.rv = s.rv
		o.body = s.render(o)
		typ := "ADDED"
		if ok {
			typ = "MODIFIED"
		}
		s.objects[o.key()] = o
		s.history = append(s.history, event{typ, o})
		changed = true
	}
	if n := len(s.history) - maxHistory; n > 0 {
		s.expired = s.history[n-1].obj.rv
		s.history = append([]event(nil), s.history[n:]...)
	}
	if changed {
		close(s.changed)
		s.changed = make(chan struct{})
		log.Printf("state: %d objects, resourceVersion %d", len(s.objects), s.rv)
	}
	return changed
}

// countReplicas is a deployment's status: the pods its selector matches.
func countReplicas(d *stateDeployment, pods []statePod) deploymentStatus {
	var st deploymentStatus
	for i := range pods {
		p := &pods[i]
		if p.Namespace != d.Namespace || p.Terminating {
			continue
		}
		match := true
		for k, v := range d.Selector {
			match = match && p.Labels[k] == v
		}
		if !match {
			continue
		}
		st.Replicas++
		if p.Phase == "Running" && *p.Ready {
			st.ReadyReplicas++
		}
	}
	st.UpdatedReplicas, st.AvailableReplicas = st.Replicas, st.ReadyReplicas
	return st
}

// render returns the JSON of an object's API form.
func (s *store) render(o *object) []byte {
	var v any
	created := o.created.UTC().Format(time.RFC3339)
	rv := strconv.FormatUint(o.rv, 10)
	switch o.resource {
	case "pods":
		p := buildPod(o.pod, created)
		p.Metadata.ResourceVersion = rv
		v = p
	case "deployments":
		d := buildDeployment(o.dep, o.uid, created, o.depStatus)
		d.Metadata.ResourceVersion = rv
		v = d
	case "leases":
		l := buildLease(o.lease, o.uid, created, o.renewed.UTC().Format("2006-01-02T15:04:05.000000Z"))
		l.Metadata.ResourceVersion = rv
		v = l
	default:
		n := buildNamespace(o.name, created)
		n.Metadata.ResourceVersion = rv
		v = n
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// query is what a list, get or watch selects.
type query struct {
	resource  string
	namespace string // "" for all namespaces (or a cluster-scoped resource)
	name      string // a get, or "" for a list
	labels    []requirement
	fields    []fieldReq
}

func (q *query) matches(o *object) bool {
	if o.resource != q.resource {
		return false
	}
	if q.namespace != "" && o.namespace != q.namespace {
		return false
	}
	if q.name != "" && o.name != q.name {
		return false
	}
	for _, r := range q.labels {
		if !r.matches(o.labels) {
			return false
		}
	}
	for _, f := range q.fields {
		if (o.fields[f.field] == f.value) == f.not {
			return false
		}
	}
	return true
}

// list returns the matching objects in key order, as etcd does, and the
// current resourceVersion.
func (s *store) list(q *query) ([]*object, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*object
	for _, o := range s.objects {
		if q.matches(o) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out, s.rv
}

func (s *store) get(resource, namespace, name string) *object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[resource+"/"+namespace+"/"+name]
}

// ---------------------------------------------------------------------
// Selectors

var (
	labelKey  = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	labelVal  = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$`)
	reqEquals = regexp.MustCompile(`^([^!=\s()]+)\s*(==|=|!=)\s*([^=\s(),]*)$`)
	reqSet    = regexp.MustCompile(`^([^!=\s()]+)\s+(in|notin)\s*\(([^()]*)\)$`)
	reqExists = regexp.MustCompile(`^(!?)\s*([^!=\s()]+)$`)
)

type requirement struct {
	key    string
	op     string // "=", "!=", "in", "notin", "exists", "!"
	values []string
}

func (r requirement) matches(labels map[string]string) bool {
	v, ok := labels[r.key]
	switch r.op {
	case "exists":
		return ok
	case "!":
		return !ok
	case "=", "in":
		if !ok {
			return false
		}
		for _, want := range r.values {
			if v == want {
				return true
			}
		}
		return false
	default: // "!=", "notin": true also when the label is absent
		for _, want := range r.values {
			if ok && v == want {
				return false
			}
		}
		return true
	}
}

// splitTop splits s at the commas that are not inside parentheses.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// parseLabelSelector parses a label selector as the API server does (less
// the numeric comparisons gt and lt).
func parseLabelSelector(s string) ([]requirement, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var reqs []requirement
	for _, part := range splitTop(s) {
		p := strings.TrimSpace(part)
		var r requirement
		if m := reqSet.FindStringSubmatch(p); m != nil {
			r = requirement{key: m[1], op: m[2]}
			for _, v := range strings.Split(m[3], ",") {
				r.values = append(r.values, strings.TrimSpace(v))
			}
		} else if m := reqEquals.FindStringSubmatch(p); m != nil {
			r = requirement{key: m[1], op: m[2], values: []string{m[3]}}
			if r.op == "==" {
				r.op = "="
			}
		} else if m := reqExists.FindStringSubmatch(p); m != nil {
			r = requirement{key: m[2], op: "exists"}
			if m[1] == "!" {
				r.op = "!"
			}
		} else {
			return nil, fmt.Errorf("unable to parse requirement: %q", p)
		}
		if !labelKey.MatchString(r.key) {
			return nil, fmt.Errorf("unable to parse requirement: invalid label key %q", r.key)
		}
		for _, v := range r.values {
			if !labelVal.MatchString(v) || len(v) > 63 {
				return nil, fmt.Errorf("unable to parse requirement: invalid label value: %q", v)
			}
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

type fieldReq struct {
	field, value string
	not          bool
}

var fieldsOf = map[string][]string{
	"pods":        {"metadata.name", "metadata.namespace", "spec.nodeName", "status.phase", "status.podIP"},
	"namespaces":  {"metadata.name", "status.phase"},
	"deployments": {"metadata.name", "metadata.namespace"},
	"leases":      {"metadata.name", "metadata.namespace"},
}

func parseFieldSelector(resource, s string) ([]fieldReq, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var reqs []fieldReq
	for _, part := range strings.Split(s, ",") {
		var f fieldReq
		var ok bool
		if f.field, f.value, ok = strings.Cut(part, "!="); ok {
			f.not = true
		} else if f.field, f.value, ok = strings.Cut(part, "=="); ok {
		} else if f.field, f.value, ok = strings.Cut(part, "="); !ok {
			return nil, fmt.Errorf("invalid selector: '%s'; can't understand '%s'", s, part)
		}
		f.field = strings.TrimSpace(f.field)
		known := false
		for _, k := range fieldsOf[resource] {
			known = known || k == f.field
		}
		if !known {
			return nil, fmt.Errorf("field label not supported: %s", f.field)
		}
		reqs = append(reqs, f)
	}
	return reqs, nil
}

// ---------------------------------------------------------------------
// HTTP

type server struct {
	store *store
	host  string
}

// status is a metav1.Status.
type status struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Metadata   struct{}       `json:"metadata"`
	Status     string         `json:"status"`
	Message    string         `json:"message"`
	Reason     string         `json:"reason,omitempty"`
	Details    *statusDetails `json:"details,omitempty"`
	Code       int            `json:"code"`
}

type statusDetails struct {
	Name string `json:"name,omitempty"`
	Kind string `json:"kind,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

func writeStatus(w http.ResponseWriter, code int, reason, message string, details *statusDetails) {
	writeJSON(w, code, status{
		Kind:       "Status",
		APIVersion: "v1",
		Status:     "Failure",
		Message:    message,
		Reason:     reason,
		Details:    details,
		Code:       code,
	})
}

// qualified is a resource as the API server names it in messages: with
// its group, if it has one.
func qualified(resource string) string {
	if gv := apiVersionOf[resource]; strings.Contains(gv, "/") {
		return resource + "." + gv[:strings.Index(gv, "/")]
	}
	return resource
}

func notFound(w http.ResponseWriter, resource, name string) {
	writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("%s %q not found", resource, name),
		&statusDetails{Name: name, Kind: resource})
}

func pathNotFound(w http.ResponseWriter) {
	writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", &statusDetails{})
}

func badRequest(w http.ResponseWriter, message string) {
	writeStatus(w, http.StatusBadRequest, "BadRequest", message, nil)
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, err := s.store.reload(); err != nil {
		log.Print(err)
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	// The pod proxy takes every method; the rest is read-only.
	if len(parts) >= 7 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "namespaces" &&
		parts[4] == "pods" && parts[6] == "proxy" {
		s.proxy(w, r, parts[3], parts[5])
		return
	}
	if len(parts) == 7 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "namespaces" &&
		parts[4] == "pods" {
		// kubectl port-forward asks for pods/portforward: not served.
		writeStatus(w, http.StatusNotFound, "NotFound",
			fmt.Sprintf("the server could not find the requested resource (fakekube serves the pods/proxy subresource only, not pods/%s)", parts[6]), &statusDetails{})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed",
			fmt.Sprintf("the server does not allow this method on the requested resource (fakekube is read-only: %s is not served; edit the state file instead)", r.Method), &statusDetails{})
		return
	}
	switch p := strings.Trim(r.URL.Path, "/"); p {
	case "version":
		writeJSON(w, 200, map[string]string{
			"major": "1", "minor": "32", "gitVersion": "v1.32.0-fakekube",
			"gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
			"buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0",
			"compiler": "gc", "platform": "linux/amd64",
		})
		return
	case "healthz", "readyz", "livez":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok"))
		return
	case "api":
		writeJSON(w, 200, map[string]any{
			"kind":     "APIVersions",
			"versions": []string{"v1"},
			"serverAddressByClientCIDRs": []map[string]string{
				{"clientCIDR": "0.0.0.0/0", "serverAddress": s.host},
			},
		})
		return
	case "apis":
		writeJSON(w, 200, apiGroups)
		return
	case "api/v1":
		writeJSON(w, 200, apiResources)
		return
	case "apis/apps/v1":
		writeJSON(w, 200, groupResources("apps/v1", "deployments", "Deployment", "deploy"))
		return
	case "apis/coordination.k8s.io/v1":
		writeJSON(w, 200, groupResources("coordination.k8s.io/v1", "leases", "Lease", ""))
		return
	}
	// /api/v1/namespaces[/NAME], /api/v1/pods and
	// [/apis/GROUP]/VERSION/[namespaces/NS/]RESOURCE[/NAME]
	var gv string
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api" && parts[1] == "v1":
		gv, rest = "v1", parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		gv, rest = parts[1]+"/"+parts[2], parts[3:]
	default:
		pathNotFound(w)
		return
	}
	q := &query{}
	switch {
	case gv == "v1" && len(rest) == 1 && rest[0] == "namespaces":
		q.resource = "namespaces"
	case gv == "v1" && len(rest) == 2 && rest[0] == "namespaces":
		q.resource, q.name = "namespaces", rest[1]
	case len(rest) == 1 && rest[0] != "namespaces" && apiVersionOf[rest[0]] == gv:
		q.resource = rest[0]
	case len(rest) == 3 && rest[0] == "namespaces" && rest[2] != "namespaces" && apiVersionOf[rest[2]] == gv:
		q.resource, q.namespace = rest[2], rest[1]
	case len(rest) == 4 && rest[0] == "namespaces" && rest[2] != "namespaces" && apiVersionOf[rest[2]] == gv:
		q.resource, q.namespace, q.name = rest[2], rest[1], rest[3]
	default:
		pathNotFound(w)
		return
	}
	v := r.URL.Query()
	var err error
	if q.labels, err = parseLabelSelector(v.Get("labelSelector")); err != nil {
		badRequest(w, err.Error())
		return
	}
	if q.fields, err = parseFieldSelector(q.resource, v.Get("fieldSelector")); err != nil {
		badRequest(w, err.Error())
		return
	}
	if w1 := v.Get("watch"); w1 == "true" || w1 == "1" {
		if q.name != "" {
			// The old watch-one-object form; clients use fieldSelector.
			q.fields = append(q.fields, fieldReq{field: "metadata.name", value: q.name})
			q.name = ""
		}
		s.watch(w, r, q)
		return
	}
	table, tableVersion := wantsTable(r.Header.Get("Accept"))
	if q.name != "" {
		o := s.store.get(q.resource, q.namespace, q.name)
		if o == nil {
			notFound(w, qualified(q.resource), q.name)
			return
		}
		if table {
			s.writeTable(w, r, tableVersion, q.resource, []*object{o}, o.rv)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(o.body, '\n'))
		return
	}
	objs, rv := s.store.list(q)
	if table {
		s.writeTable(w, r, tableVersion, q.resource, objs, rv)
		return
	}
	writeList(w, q.resource, objs, rv)
}

// wantsTable reports whether an Accept header asks for a meta.k8s.io Table
// before anything else, and which version.
func wantsTable(accept string) (bool, string) {
	for _, a := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(a))
		if err != nil {
			continue
		}
		if mt != "application/json" && mt != "*/*" && mt != "application/*" {
			continue // protobuf, yaml: not served, try the next
		}
		if params["as"] == "Table" && params["g"] == "meta.k8s.io" &&
			(params["v"] == "v1" || params["v"] == "v1beta1") {
			return true, params["v"]
		}
		if params["as"] == "" {
			return false, ""
		}
	}
	return false, ""
}

var (
	kinds        = map[string]string{"pods": "Pod", "namespaces": "Namespace", "deployments": "Deployment", "leases": "Lease"}
	apiVersionOf = map[string]string{"pods": "v1", "namespaces": "v1", "deployments": "apps/v1", "leases": "coordination.k8s.io/v1"}
)

func writeList(w http.ResponseWriter, resource string, objs []*object, rv uint64) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"kind":"%sList","apiVersion":"%s","metadata":{"resourceVersion":"%d"},"items":[`, kinds[resource], apiVersionOf[resource], rv)
	for i, o := range objs {
		if i > 0 {
			b.WriteByte(',')
		}
		// As the real server: list items carry no kind or apiVersion.
		var m map[string]json.RawMessage
		json.Unmarshal(o.body, &m)
		delete(m, "kind")
		delete(m, "apiVersion")
		item, _ := json.Marshal(m)
		b.Write(item)
	}
	b.WriteString("]}\n")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Write(b.Bytes())
}

// apiResources is /api/v1: what kubectl maps resource names with.
var apiResources = map[string]any{
	"kind":         "APIResourceList",
	"groupVersion": "v1",
	"resources": []map[string]any{
		{
			"name": "namespaces", "singularName": "namespace", "namespaced": false,
			"kind": "Namespace", "verbs": []string{"get", "list", "watch"},
			"shortNames": []string{"ns"},
		},
		{
			"name": "pods", "singularName": "pod", "namespaced": true,
			"kind": "Pod", "verbs": []string{"get", "list", "watch"},
			"shortNames": []string{"po"}, "categories": []string{"all"},
		},
		{
			"name": "pods/proxy", "singularName": "", "namespaced": true,
			"kind":  "PodProxyOptions",
			"verbs": []string{"create", "delete", "get", "patch", "update"},
		},
	},
}

// apiGroups is /apis: the groups of deployments and leases.
var apiGroups = map[string]any{
	"kind": "APIGroupList", "apiVersion": "v1",
	"groups": []map[string]any{
		groupVersion("apps", "v1"),
		groupVersion("coordination.k8s.io", "v1"),
	},
}

func groupVersion(group, version string) map[string]any {
	gv := map[string]string{"groupVersion": group + "/" + version, "version": version}
	return map[string]any{"name": group, "versions": []any{gv}, "preferredVersion": gv}
}

// groupResources is /apis/GROUP/VERSION for one resource.
func groupResources(gv, name, kind, short string) map[string]any {
	r := map[string]any{
		"name": name, "singularName": strings.ToLower(kind), "namespaced": true,
		"kind": kind, "verbs": []string{"get", "list", "watch"},
	}
	if short != "" {
		r["shortNames"] = []string{short}
	}
	return map[string]any{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
		"resources": []map[string]any{r}}
}

// ---------------------------------------------------------------------
// Tables, as the API server's printers make them for kubectl get.

type tableColumn struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format"`
	Description string `json:"description"`
	Priority    int    `json:"priority"`
}

type tableRow struct {
	Cells  []any           `json:"cells"`
	Object json.RawMessage `json:"object,omitempty"`
}

var (
	podColumns = []tableColumn{
		{Name: "Name", Type: "string", Format: "name", Description: "Name must be unique within a namespace."},
		{Name: "Ready", Type: "string", Description: "The aggregate readiness state of this pod for accepting traffic."},
		{Name: "Status", Type: "string", Description: "The aggregate status of the containers in this pod."},
		{Name: "Restarts", Type: "string", Description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."},
		{Name: "Age", Type: "string", Description: "CreationTimestamp is a timestamp representing the server time when this object was created."},
		{Name: "IP", Type: "string", Priority: 1, Description: "podIP address allocated to the pod."},
		{Name: "Node", Type: "string", Priority: 1, Description: "NodeName indicates in which node this pod is scheduled."},
		{Name: "Nominated Node", Type: "string", Priority: 1, Description: "nominatedNodeName is set only when this pod preempts other pods on the node."},
		{Name: "Readiness Gates", Type: "string", Priority: 1, Description: "If specified, all readiness gates will be evaluated for pod readiness."},
	}
	deploymentColumns = []tableColumn{
		{Name: "Name", Type: "string", Format: "name", Description: "Name must be unique within a namespace."},
		{Name: "Ready", Type: "string", Description: "Number of the pod with ready state"},
		{Name: "Up-to-date", Type: "integer", Description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec."},
		{Name: "Available", Type: "integer", Description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."},
		{Name: "Age", Type: "string", Description: "CreationTimestamp is a timestamp representing the server time when this object was created."},
	}
	leaseColumns = []tableColumn{
		{Name: "Name", Type: "string", Format: "name", Description: "Name must be unique within a namespace."},
		{Name: "Holder", Type: "string", Description: "holderIdentity contains the identity of the holder of a current lease."},
		{Name: "Age", Type: "string", Description: "CreationTimestamp is a timestamp representing the server time when this object was created."},
	}
	namespaceColumns = []tableColumn{
		{Name: "Name", Type: "string", Format: "name", Description: "Name must be unique within a namespace."},
		{Name: "Status", Type: "string", Description: "The status of the namespace"},
		{Name: "Age", Type: "string", Description: "CreationTimestamp is a timestamp representing the server time when this object was created."},
	}
)

func (s *server) writeTable(w http.ResponseWriter, r *http.Request, version, resource string, objs []*object, rv uint64) {
	t, err := s.table(r, version, resource, objs, rv)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	writeJSON(w, 200, t)
}

// table makes the Table of objects that the request asks for.
func (s *server) table(r *http.Request, version, resource string, objs []*object, rv uint64) (map[string]any, error) {
	include := r.URL.Query().Get("includeObject")
	if include == "" {
		include = "Metadata"
	}
	if include != "None" && include != "Metadata" && include != "Object" {
		return nil, fmt.Errorf("includeObject: %q is none of None, Metadata, Object", include)
	}
	now := s.store.clock()
	rows := []tableRow{}
	for _, o := range objs {
		row := tableRow{}
		age := humanDuration(now.Sub(o.created))
		if resource == "pods" {
			p := o.pod
			ready := 0
			if o.ready {
				ready = 1
			}
			st := p.Phase
			switch p.Phase {
			case "Pending":
				st = "ContainerCreating"
			case "Succeeded":
				st = "Completed"
			case "Failed":
				st = "Error"
			}
			if p.Terminating {
				st = "Terminating"
			}
			row.Cells = []any{o.name, fmt.Sprintf("%d/1", ready), st, strconv.Itoa(p.Restarts), age,
				p.PodIP, p.NodeName, "<none>", "<none>"}
		} else if resource == "deployments" {
			st := o.depStatus
			row.Cells = []any{o.name, fmt.Sprintf("%d/%d", st.ReadyReplicas, *o.dep.Replicas),
				int64(st.UpdatedReplicas), int64(st.AvailableReplicas), age}
		} else if resource == "leases" {
			row.Cells = []any{o.name, o.lease.HolderIdentity, age}
		} else {
			row.Cells = []any{o.name, "Active", age}
		}
		switch include {
		case "Object":
			row.Object = o.body
		case "Metadata":
			var m struct {
				Metadata json.RawMessage `json:"metadata"`
			}
			json.Unmarshal(o.body, &m)
			row.Object, _ = json.Marshal(map[string]any{
				"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/" + version,
				"metadata": m.Metadata,
			})
		}
		rows = append(rows, row)
	}
	cols := map[string][]tableColumn{"pods": podColumns, "namespaces": namespaceColumns,
		"deployments": deploymentColumns, "leases": leaseColumns}[resource]
	return map[string]any{
		"kind":              "Table",
		"apiVersion":        "meta.k8s.io/" + version,
		"metadata":          map[string]string{"resourceVersion": strconv.FormatUint(rv, 10)},
		"columnDefinitions": cols,
		"rows":              rows,
	}, nil
}

// humanDuration formats an age as kubectl's AGE column does
// (k8s.io/apimachinery/pkg/util/duration.HumanDuration).
func humanDuration(d time.Duration) string {
	if seconds := int(d.Seconds()); seconds < -1 {
		return "<invalid>"
	} else if seconds < 0 {
		return "0s"
	} else if seconds < 60*2 {
		return fmt.Sprintf("%ds", seconds)
	}
	minutes := int(d / time.Minute)
	if minutes < 10 {
		s := int(d/time.Second) % 60
		if s == 0 {
			return fmt.Sprintf("%dm", minutes)
		}
		return fmt.Sprintf("%dm%ds", minutes, s)
	} else if minutes < 60*3 {
		return fmt.Sprintf("%dm", minutes)
	}
	hours := int(d / time.Hour)
	if hours < 8 {
		m := int(d/time.Minute) % 60
		if m == 0 {
			return fmt.Sprintf("%dh", hours)
		}
		return fmt.Sprintf("%dh%dm", hours, m)
	} else if hours < 48 {
		return fmt.Sprintf("%dh", hours)
	} else if hours < 24*8 {
		h := hours % 24
		if h == 0 {
			return fmt.Sprintf("%dd", hours/24)
		}
		return fmt.Sprintf("%dd%dh", hours/24, h)
	} else if hours < 24*365*2 {
		return fmt.Sprintf("%dd", hours/24)
	} else if hours < 24*365*8 {
		dy := (hours / 24) % 365
		if dy == 0 {
			return fmt.Sprintf("%dy", hours/24/365)
		}
		return fmt.Sprintf("%dy%dd", hours/24/365, dy)
	}
	return fmt.Sprintf("%dy", hours/24/365)
}

// ---------------------------------------------------------------------
// Watch

type watchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

func (s *server) watch(w http.ResponseWriter, r *http.Request, q *query) {
	v := r.URL.Query()
	ctx := r.Context()
	if t := v.Get("timeoutSeconds"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			badRequest(w, fmt.Sprintf("timeoutSeconds: %q is not a number of seconds", t))
			return
		}
		if n > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Duration(n)*time.Second)
			defer cancel()
		}
	}
	var from uint64 // replay history after this resourceVersion
	initial := false
	switch rv := v.Get("resourceVersion"); rv {
	case "", "0":
		initial = true
	default:
		n, err := strconv.ParseUint(rv, 10, 64)
		if err != nil {
			badRequest(w, fmt.Sprintf("resourceVersion: invalid value %q", rv))
			return
		}
		from = n
	}
	if v.Get("sendInitialEvents") == "true" {
		initial = true
	}

	// kubectl get -w asks for Tables: every event's object is then a
	// Table of one row.
	table, tableVersion := wantsTable(r.Header.Get("Accept"))
	if table {
		if _, err := s.table(r, tableVersion, q.resource, nil, 0); err != nil {
			badRequest(w, err.Error())
			return
		}
	}
	st := s.store
	ev := func(typ string, o *object) watchEvent {
		if !table {
			return watchEvent{typ, o.body}
		}
		t, _ := s.table(r, tableVersion, q.resource, []*object{o}, o.rv)
		b, _ := json.Marshal(t)
		return watchEvent{typ, b}
	}
	var pending []watchEvent
	st.mu.Lock()
	if initial {
		var objs []*object
		for _, o := range st.objects {
			if q.matches(o) {
				objs = append(objs, o)
			}
		}
		sort.Slice(objs, func(i, j int) bool { return objs[i].key() < objs[j].key() })
		for _, o := range objs {
			pending = append(pending, ev("ADDED", o))
		}
		from = st.rv
		if v.Get("sendInitialEvents") == "true" {
			b, _ := json.Marshal(map[string]any{
				"kind": kinds[q.resource], "apiVersion": apiVersionOf[q.resource],
				"metadata": map[string]any{
					"resourceVersion": strconv.FormatUint(st.rv, 10),
					"annotations":     map[string]string{"k8s.io/initial-events-end": "true"},
				},
			})
			pending = append(pending, watchEvent{"BOOKMARK", b})
		}
	} else if from < st.expired {
		st.mu.Unlock()
		writeStatus(w, http.StatusGone, "Expired", fmt.Sprintf("too old resource version: %d (%d)", from, st.expired+1), nil)
		return
	}
	// Otherwise every change after from is replayed.
	st.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	for {
		for _, e := range pending {
			if err := enc.Encode(e); err != nil {
				return
			}
		}
		if flusher != nil {
			flusher.Flush()
		}
		pending = pending[:0]
		st.mu.Lock()
		changed := st.changed
		for _, e := range st.history {
			if e.obj.rv > from && q.matches(e.obj) {
				pending = append(pending, ev(e.typ, e.obj))
			}
		}
		if st.rv > from {
			from = st.rv
		}
		st.mu.Unlock()
		if len(pending) > 0 {
			continue
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}

// ---------------------------------------------------------------------
// The pod proxy

// splitSchemeNamePort splits "name", "name:port" or "scheme:name:port", as
// the API server does for the proxy subresource.
func splitSchemeNamePort(id string) (scheme, name, port string, ok bool) {
	parts := strings.Split(id, ":")
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		name, port = parts[0], parts[1]
	case 3:
		scheme, name, port = parts[0], parts[1], parts[2]
	default:
		return "", "", "", false
	}
	if name == "" || (scheme != "" && scheme != "http" && scheme != "https") {
		return "", "", "", false
	}
	return scheme, name, port, true
}

func (s *server) proxy(w http.ResponseWriter, r *http.Request, namespace, id string) {
	scheme, name, port, ok := splitSchemeNamePort(id)
	if !ok {
		badRequest(w, fmt.Sprintf("invalid pod request %q", id))
		return
	}
	o := s.store.get("pods", namespace, name)
	if o == nil {
		notFound(w, "pods", name)
		return
	}
	p := o.pod
	if port == "" {
		port = strconv.Itoa(p.Port)
	}
	// What follows /api/v1/namespaces/NS/pods/ID/proxy in the escaped
	// path, so that escapes survive.
	prefix := "/api/v1/namespaces/" + namespace + "/pods/" + id + "/proxy"
	rest := ""
	if segs := strings.SplitN(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/", 8); len(segs) == 8 {
		rest = "/" + segs[7]
	}
	if rest == "" {
		// As the real server: /proxy redirects to /proxy/.
		loc := prefix + "/"
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}
	dial := net.JoinHostPort(p.PodIP, port)
	refused := fmt.Sprintf("error trying to reach service: dial tcp %s: connect: connection refused", dial)
	if port != strconv.Itoa(p.Port) || p.Backend == "" || p.Phase != "Running" || !o.ready {
		writeStatus(w, http.StatusServiceUnavailable, "ServiceUnavailable", refused, nil)
		return
	}
	if scheme == "https" && !strings.HasPrefix(p.Backend, "https:") {
		writeStatus(w, http.StatusServiceUnavailable, "ServiceUnavailable",
			"error trying to reach service: tls: first record does not look like a TLS handshake", nil)
		return
	}
	target, _ := url.Parse(p.Backend)
	rp := &httputil.ReverseProxy{
		Director: func(out *http.Request) {
			out.URL.Scheme = target.Scheme
			out.URL.Host = target.Host
			path, err := url.PathUnescape(rest)
			if err != nil {
				path = rest
			}
			out.URL.Path = strings.TrimSuffix(target.Path, "/") + path
			out.URL.RawPath = strings.TrimSuffix(target.EscapedPath(), "/") + rest
			out.Host = target.Host
			// The API server talks to the pod itself: no credentials or
			// client identity pass through.
			out.Header.Del("Authorization")
		},
		FlushInterval: -1, // stream: a watch-like answer must not wait
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return // the client went away
			}
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				writeStatus(w, http.StatusServiceUnavailable, "ServiceUnavailable", refused, nil)
				return
			}
			writeStatus(w, http.StatusServiceUnavailable, "ServiceUnavailable",
				"error trying to reach service: "+err.Error(), nil)
		},
		ErrorLog: log.Default(),
	}
	rp.ServeHTTP(w, r)
}

// ---------------------------------------------------------------------
// Request log

// logRequests logs one line per request, when it ends.
func logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &local.LoggingWriter{ResponseWriter: w}
		defer func() {
			code := "-"
			if lw.Status != 0 {
				code = strconv.Itoa(lw.Status)
			}
			note := ""
			p := recover()
			if p != nil {
				note = " (aborted)"
			}
			log.Printf("%s %s %s %s%s", r.Method, r.URL.RequestURI(), code,
				time.Since(start).Round(time.Millisecond), note)
			if p != nil {
				panic(p)
			}
		}()
		h.ServeHTTP(lw, r)
	})
}
