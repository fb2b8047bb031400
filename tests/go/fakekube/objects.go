// fakekube, the API objects, built from the state as the real API server
// writes them (see main.go).

package main

import ()

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
