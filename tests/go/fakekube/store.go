// fakekube, the store of the current objects and the history watches replay;
// label and field selectors (see main.go).

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

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
