// Package local holds what the Go test programs (workload, faultsrv,
// fakekube) share: they listen on loopback only and tell the tests their
// address through a file.
package local

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// CheckLoopback accepts only host:port addresses whose host is a loopback
// IP or localhost: the programs serve process internals (net/http/pprof's
// memory contents and stacks), and an empty host would mean every
// interface.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %v", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %s: refusing to listen on a non-loopback address (use 127.0.0.1, [::1] or localhost)", addr)
}

// WriteFileAtomic writes content to a temporary file next to path and
// renames it into place, so that a test polling for path never reads it
// half-written.
func WriteFileAtomic(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
