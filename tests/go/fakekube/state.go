// fakekube, the state file the test writes: its parsing and checks (see
// main.go).

package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"time"
)

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
