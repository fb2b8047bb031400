// fakekube, watches, the pod proxy and the request log (see main.go).

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"e2e-profile/tests/go/internal/local"
)

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
