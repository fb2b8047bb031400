// fakekube, the HTTP handler: discovery, lists and gets, errors as Status
// objects, and the tables kubectl get asks for (see main.go).

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

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
