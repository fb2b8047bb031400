// Command faultsrv is a misbehaving HTTP server for testing e2e-profile's
// pprof collector: each path answers the way a pprof endpoint, a
// port-forward or a proxy in between can go wrong, so the tests can check
// that pprof-fetch logs a clear outcome for every one of them, keeps no
// broken file, and still gets /good right.
//
//	/good                 200, a real gzipped heap profile from this process
//	/status/CODE          that status (e.g. 500, 404) with a short text body
//	/html                 200 with an HTML error page, as a login page or
//	                      proxy answers
//	/empty                200 with an empty body
//	/truncated            200 announcing the whole profile, half of it sent,
//	                      then the connection closed
//	/garbage              200 with 4 KiB of random bytes, the same every
//	                      time: neither gzip nor a profile
//	/stall                200 headers and 100 bytes of the profile, then
//	                      nothing more until the client gives up (or faultsrv
//	                      exits)
//	/stall-headers        no answer at all, likewise
//	/reset                200 headers and half the profile, then a TCP reset
//	/slow?ms=N            /good after N milliseconds
//	/redirect?to=URL      302 to URL
//	/redirect-loop        302 to itself
//	/flaky?fail=N&key=K   503 for the first N requests with key K, then /good
//	/big?mb=N             200 with N MiB of zero bytes
//
// N defaults to 0 for ms and to 1 for fail and mb; a bad N is a 400. Other
// query parameters are ignored. Tests start it like the workload and
// wait for the address file:
//
//	go build -o faultsrv tests/go/faultsrv/main.go
//	./faultsrv -addr-file f.url &
//	until [ -s f.url ]; do sleep 0.1; done
//	pprof-fetch "$(cat f.url)/truncated" ...
//
// It only listens on loopback. Every request is logged to stderr, when it
// ends, as one line: method, request URI, status ("-" when none was sent),
// duration, and a note for the paths that break the connection. Stdout
// carries only the base URL. It exits 0 on SIGINT or SIGTERM, 1 if it cannot
// listen, 2 on bad flags.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"e2e-profile/tests/go/internal/local"
)

// The bodies every request is served from, made once at start.
var (
	goodProfile []byte // a gzipped heap profile, as net/http/pprof sends it
	garbage     []byte // random bytes that no pprof reader can take
)

// fixture is what /good's profile shows in use: a known allocation under a
// known name, main.allocateFixture, for tests that decode /good.
var fixture [][]byte

func main() {
	// Record every allocation from here on, so that /good shows the
	// fixture whole rather than as a few random samples. Set once and
	// kept: the heap profile scales all its samples by the rate in force
	// when it is written.
	runtime.MemProfileRate = 1

	addr := flag.String("addr", "127.0.0.1:0", "listen on `host:port`, loopback only (port 0 picks a free one)")
	addrFile := flag.String("addr-file", "", "once listening, write the base URL to `path` (atomically)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: faultsrv [flags]\n\nServe the ways a pprof endpoint can fail, one per path.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		usageError("unexpected argument %q", flag.Arg(0))
	}
	if err := local.CheckLoopback(*addr); err != nil {
		usageError("%v", err)
	}

	log.SetPrefix("faultsrv: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	goodProfile = captureHeapProfile()
	garbage = makeGarbage(4 << 10)

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

	srv := &http.Server{
		Handler: logRequests(newMux()),
		// No write or idle timeouts: stalling clients is the point.
		ReadHeaderTimeout: 10 * time.Second,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	url := "http://" + ln.Addr().String()
	if *addrFile != "" {
		if err := local.WriteFileAtomic(*addrFile, url+"\n"); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(url)
	log.Printf("serving faults at %s (good profile: %d bytes)", url, len(goodProfile))

	select {
	case <-ctx.Done():
		log.Print("signal received, exiting")
	case err := <-serveErr:
		log.Fatal(err)
	}
	// Close, not Shutdown: the stalled requests would never finish.
	srv.Close()
}

func usageError(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "faultsrv: "+format+"\n", args...)
	os.Exit(2)
}

// captureHeapProfile returns this process's heap profile in the format
// /debug/pprof/heap serves (gzipped protobuf), with the fixture in it.
func captureHeapProfile() []byte {
	fixture = allocateFixture()
	// The heap profile only shows allocations as of the last completed
	// GC; this one makes the fixture part of it.
	runtime.GC()
	var buf bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&buf, 0); err != nil {
		log.Fatalf("writing heap profile: %v", err)
	}
	return buf.Bytes()
}

// allocateFixture allocates 1 MiB in 64 chunks of 16 KiB.
//
//go:noinline
func allocateFixture() [][]byte {
	chunks := make([][]byte, 64)
	for i := range chunks {
		chunks[i] = make([]byte, 16<<10)
	}
	return chunks
}

// makeGarbage returns n deterministic random bytes that start with 0xff
// 0xff: not gzip's magic 0x1f 0x8b, and, read as protobuf, a tag of wire
// type 7, which does not exist, so a decoder fails on the first byte.
func makeGarbage(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(1)).Read(b)
	b[0], b[1] = 0xff, 0xff
	return b
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, r *http.Request) { serveGood(w) })
	mux.HandleFunc("/status/", serveStatus)
	mux.HandleFunc("/html", serveHTML)
	mux.HandleFunc("/empty", serveEmpty)
	mux.HandleFunc("/truncated", serveTruncated)
	mux.HandleFunc("/garbage", serveGarbage)
	mux.HandleFunc("/stall", serveStall)
	mux.HandleFunc("/stall-headers", serveStallHeaders)
	mux.HandleFunc("/reset", serveReset)
	mux.HandleFunc("/slow", serveSlow)
	mux.HandleFunc("/redirect", serveRedirect)
	mux.HandleFunc("/redirect-loop", serveRedirectLoop)
	mux.HandleFunc("/flaky", newFlaky().ServeHTTP)
	mux.HandleFunc("/big", serveBig)
	return mux
}

func serveGood(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(goodProfile)))
	w.Write(goodProfile)
}

func serveStatus(w http.ResponseWriter, r *http.Request) {
	code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
	if err != nil || code < 200 || code > 599 {
		http.Error(w, "faultsrv: /status/CODE needs a CODE from 200 to 599", http.StatusBadRequest)
		return
	}
	http.Error(w, fmt.Sprintf("%d %s", code, http.StatusText(code)), code)
}

const htmlPage = `<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<h1>Bad Gateway</h1>
<p>The upstream server did not answer. Please try again later.</p>
</body>
</html>
`

func serveHTML(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(htmlPage))
}

func serveEmpty(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

func serveTruncated(w http.ResponseWriter, r *http.Request) {
	conn, bw, err := hijack(w, len(goodProfile))
	if err != nil {
		log.Print(err)
		return
	}
	defer conn.Close()
	half := len(goodProfile) / 2
	bw.Write(goodProfile[:half])
	bw.Flush()
	note(w, "closed after %d of %d bytes", half, len(goodProfile))
}

func serveGarbage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(garbage)))
	w.Write(garbage)
}

func serveStall(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(goodProfile)))
	n := 100
	if n > len(goodProfile) {
		n = len(goodProfile)
	}
	w.Write(goodProfile[:n])
	w.(http.Flusher).Flush()
	<-r.Context().Done()
	note(w, "stalled after %d of %d bytes until the connection ended", n, len(goodProfile))
}

func serveStallHeaders(w http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
	note(w, "no response until the connection ended")
}

func serveReset(w http.ResponseWriter, r *http.Request) {
	conn, bw, err := hijack(w, len(goodProfile))
	if err != nil {
		log.Print(err)
		return
	}
	half := len(goodProfile) / 2
	bw.Write(goodProfile[:half])
	bw.Flush()
	// Give the client time to read what was sent: a reset arriving first
	// can make its kernel drop the data still unread.
	time.Sleep(100 * time.Millisecond)
	// With a zero linger, close sends RST instead of FIN.
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
	note(w, "reset after %d of %d bytes", half, len(goodProfile))
}

func serveSlow(w http.ResponseWriter, r *http.Request) {
	ms, ok := intParam(w, r, "ms", 0)
	if !ok {
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		serveGood(w)
	case <-r.Context().Done():
		note(w, "client left before %d ms", ms)
	}
}

func serveRedirect(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to == "" {
		http.Error(w, "faultsrv: /redirect needs ?to=URL", http.StatusBadRequest)
		return
	}
	// Set Location by hand: http.Redirect would rewrite a relative URL.
	w.Header().Set("Location", to)
	w.WriteHeader(http.StatusFound)
}

func serveRedirectLoop(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Location", "/redirect-loop")
	w.WriteHeader(http.StatusFound)
}

// flaky fails the first requests for each key, so that a test can check a
// retry with backoff; tests running side by side use different keys.
type flaky struct {
	mu    sync.Mutex
	count map[string]int // requests seen per key
}

func newFlaky() *flaky { return &flaky{count: make(map[string]int)} }

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail, ok := intParam(w, r, "fail", 1)
	if !ok {
		return
	}
	key := r.URL.Query().Get("key")
	f.mu.Lock()
	f.count[key]++
	n := f.count[key]
	f.mu.Unlock()
	if n <= fail {
		http.Error(w, fmt.Sprintf("503 Service Unavailable (request %d of %d failing for key %q)", n, fail, key), http.StatusServiceUnavailable)
		return
	}
	serveGood(w)
}

func serveBig(w http.ResponseWriter, r *http.Request) {
	mb, ok := intParam(w, r, "mb", 1)
	if !ok {
		return
	}
	size := int64(mb) << 20
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	zeros := make([]byte, 64<<10)
	for sent := int64(0); sent < size; sent += int64(len(zeros)) {
		if _, err := w.Write(zeros); err != nil {
			note(w, "client left after %d of %d bytes", sent, size)
			return
		}
	}
}

// intParam returns the query parameter name as a non-negative integer, or
// def if absent. On a bad value it answers 400 itself and returns false.
func intParam(w http.ResponseWriter, r *http.Request, name string, def int) (int, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		http.Error(w, fmt.Sprintf("faultsrv: %s=%q is not a non-negative integer", name, s), http.StatusBadRequest)
		return 0, false
	}
	return n, true
}

// hijack takes the connection over from net/http, which would not send a
// response shorter than its Content-Length, and writes a 200 status line
// and headers announcing contentLength bytes. The caller writes (part of)
// the body through the returned writer and closes the connection.
func hijack(w http.ResponseWriter, contentLength int) (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	if lw, ok := w.(*local.LoggingWriter); ok {
		lw.Status = http.StatusOK
	}
	fmt.Fprintf(rw, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", contentLength)
	return conn, rw, nil
}

// note adds to the request's log line what happened to its connection.
func note(w http.ResponseWriter, format string, args ...any) {
	if lw, ok := w.(*local.LoggingWriter); ok {
		lw.Note = fmt.Sprintf(format, args...)
	}
}

// logRequests logs every request as one line once it has been answered.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &local.LoggingWriter{ResponseWriter: w}
		next.ServeHTTP(lw, r)
		status := "-"
		if lw.Status != 0 {
			status = strconv.Itoa(lw.Status)
		}
		line := fmt.Sprintf("%s %s %s %dms", r.Method, r.URL.RequestURI(), status, time.Since(start).Milliseconds())
		if lw.Note != "" {
			line += " (" + lw.Note + ")"
		}
		log.Print(line)
	})
}
