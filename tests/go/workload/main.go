// Command workload is e2e-profile's test workload: a real Go program that
// serves net/http/pprof and allocates and burns CPU in a known pattern set by
// its flags. The tests and the demo profile it instead of a cluster
// component, so they read real runtime output and can check what the tools
// report against what the flags asked for.
//
// Each part of the pattern runs in its own function, so that profiles
// attribute it by name:
//
//   - main.buildSteadyCache allocates -steady bytes once, at start, and keeps
//     them: its inuse_space stays flat for the whole run.
//   - main.leakyRetain allocates -leak bytes per second in 16 KiB chunks that
//     are never freed: T seconds after the address is announced its
//     inuse_space is leak*T, less at most one tick's worth and one chunk,
//     within the sampling error of -memprofilerate (under 1% from 3 MiB on
//     at the default rate; -memprofilerate 1 makes it exact).
//   - main.churnJSON marshals and unmarshals JSON making -churn bytes per
//     second of garbage: it grows alloc_space, under encoding/json, but not
//     inuse_space.
//   - main.burnCPU spins for -cpu of every tick on one goroutine, which the
//     CPU profile shows as that many cores.
//   - main.parkedWorker parks -goroutines goroutines on a channel, which the
//     goroutine profile counts.
//
// A test starts it on a free loopback port and waits for the address file:
//
//	go build -o workload tests/go/workload/main.go
//	./workload -addr-file w.url -leak 1048576 &
//	until [ -s w.url ]; do sleep 0.1; done
//	curl -s "$(cat w.url)/debug/pprof/heap?gc=1" >heap.pprof
//
// Beside net/http/pprof it serves /memstats, its runtime.ReadMemStats as
// "Name<TAB>value" lines, for tests that check readings of MemStats, and
// /leak, the leak's control: GET says "bytes<TAB>N" (the rate, bytes per
// second) and "leaked<TAB>X" (the bytes leaked so far); POST /leak?bytes=N
// sets the rate from now on (0 stops the leak, what leaked stays) and
// answers the same, so that a test can make it leak in one phase only.
//
// -exit-after lets a test simulate a pod restart: when the workload exits,
// the test starts a new one on the same -addr, whose counters start again
// from zero.
//
// It only ever listens on loopback, since net/http/pprof exposes the process
// to anyone who can reach it. Log lines go to stderr; stdout carries only the
// base URL. It exits 0 on SIGINT, SIGTERM or -exit-after, 1 if it cannot
// listen, 2 on bad flags.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof" // serves /debug/pprof/* on http.DefaultServeMux
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"e2e-profile/tests/go/internal/local"
)

const (
	// leakChunk is the size of every leaked allocation: small enough that
	// the leak is many objects piling up, as real leaks are, and a size
	// class of its own, so the heap profile records exactly this size. Not
	// smaller: at the default -memprofilerate of 4096 bytes a 16 KiB object
	// is sampled 98% of the time, so the leak's sampling error is under 1%
	// from 3 MiB on (4 KiB objects, sampled 63% of the time, would give 3%).
	leakChunk = 16 << 10

	// steadyChunk is the size of the steady cache's allocations: large
	// enough that every one of them is sampled at the default
	// -memprofilerate, so the steady part is exact in the heap profile.
	steadyChunk = 64 << 10
)

type config struct {
	addr           string
	addrFile       string
	steady         int64
	leak           int64
	churn          int64
	cpu            float64
	tick           time.Duration
	goroutines     int
	exitAfter      time.Duration
	memProfileRate int
	seed           int64
}

// Globals, so that the garbage collector sees them as live for the whole run.
var (
	steadyCache [][]byte // filled once by buildSteadyCache
	leaked      [][]byte // grows by leakChunk at a time, never shrinks
)

func main() {
	cfg := parseFlags()
	// Before anything else allocates: allocations made at the old rate are
	// sampled at the old rate.
	setMemProfileRate(cfg.memProfileRate)

	log.SetPrefix("workload: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	// From now on a signal means a clean exit, even during start-up.
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		log.Fatal(err)
	}
	// The flag named a loopback host, but "localhost" is whatever the
	// resolver says: check the address actually bound too.
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		ln.Close()
		usageError("-addr %s: bound %s, which is not a loopback address", cfg.addr, ln.Addr())
	}

	rng := rand.New(rand.NewSource(cfg.seed))
	steadyCache = buildSteadyCache(cfg.steady, rng)
	w := newWorkload(cfg, rng)

	http.HandleFunc("/memstats", serveMemStats)
	http.HandleFunc("/leak", w.serveLeak)
	srv := &http.Server{
		Handler: http.DefaultServeMux,
		// No write timeout: /debug/pprof/profile?seconds=N legitimately
		// takes N seconds to answer.
		ReadHeaderTimeout: 10 * time.Second,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	workCtx, stopWork := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	w.start(workCtx, &workers)

	url := "http://" + ln.Addr().String()
	if cfg.addrFile != "" {
		if err := local.WriteFileAtomic(cfg.addrFile, url+"\n"); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(url)
	log.Printf("serving pprof at %s: steady=%d leak=%d/s churn=%d/s (%d B/call) cpu=%g tick=%s goroutines=%d memprofilerate=%d seed=%d",
		url, cfg.steady, cfg.leak, cfg.churn, w.churnPerCall, cfg.cpu, cfg.tick, cfg.goroutines, runtime.MemProfileRate, cfg.seed)

	var exitTimer <-chan time.Time // nil, so never ready, without -exit-after
	if cfg.exitAfter > 0 {
		exitTimer = time.After(cfg.exitAfter)
	}
	select {
	case <-ctx.Done():
		log.Print("signal received, exiting")
	case <-exitTimer:
		log.Printf("-exit-after %s elapsed, exiting", cfg.exitAfter)
	case err := <-serveErr:
		log.Fatal(err)
	}
	// Close, not Shutdown: a CPU profile in progress would hold a graceful
	// shutdown for its whole window, and a pod that goes away does not
	// finish its requests either.
	srv.Close()
	stopWork()
	workers.Wait()
	log.Printf("ran %s: leaked %d bytes in %d chunks, %d churnJSON calls",
		time.Since(w.started).Round(time.Millisecond), w.leakedBytes, len(leaked), w.churnCalls)
}

// serveMemStats writes the runtime's own runtime.ReadMemStats, one
// "Name<TAB>value" line per figure, so that a test can hold
// pprof-memstats's reading of heap?debug=1 against it.
func serveMemStats(w http.ResponseWriter, _ *http.Request) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Fprintf(w, "Sys\t%d\nHeapSys\t%d\nHeapInuse\t%d\nHeapIdle\t%d\nHeapReleased\t%d\nStackInuse\t%d\nNextGC\t%d\nNumGC\t%d\nPauseTotalNs\t%d\n",
		m.Sys, m.HeapSys, m.HeapInuse, m.HeapIdle, m.HeapReleased, m.StackInuse, m.NextGC, m.NumGC, m.PauseTotalNs)
}

func parseFlags() config {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:0", "listen on `host:port`, loopback only (port 0 picks a free one)")
	flag.StringVar(&c.addrFile, "addr-file", "", "once listening, write the base URL to `path` (atomically)")
	flag.Int64Var(&c.steady, "steady", 8<<20, "`bytes` allocated once at start and kept (main.buildSteadyCache)")
	flag.Int64Var(&c.leak, "leak", 1<<20, "`bytes` per second allocated and never freed (main.leakyRetain)")
	flag.Int64Var(&c.churn, "churn", 4<<20, "`bytes` per second of JSON garbage (main.churnJSON)")
	flag.Float64Var(&c.cpu, "cpu", 0.25, "`fraction` of each tick spent spinning on one goroutine (main.burnCPU)")
	flag.DurationVar(&c.tick, "tick", 100*time.Millisecond, "pacing `interval` of the leak, churn and CPU parts")
	flag.IntVar(&c.goroutines, "goroutines", 0, "`count` of extra goroutines parked on a channel (main.parkedWorker)")
	flag.DurationVar(&c.exitAfter, "exit-after", 0, "exit 0 after this `duration` (0: run until signalled)")
	flag.IntVar(&c.memProfileRate, "memprofilerate", 4096, "runtime.MemProfileRate: mean `bytes` between heap samples (1: every allocation)")
	flag.Int64Var(&c.seed, "seed", 1, "`seed` for the generated data, so runs are repeatable")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: workload [flags]\n\nServe net/http/pprof with a known memory and CPU pattern.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	switch {
	case flag.NArg() > 0:
		usageError("unexpected argument %q", flag.Arg(0))
	case c.steady < 0 || c.leak < 0 || c.churn < 0:
		usageError("-steady, -leak and -churn must not be negative")
	case !(c.cpu >= 0 && c.cpu <= 1):
		usageError("-cpu must be between 0 and 1, not %g", c.cpu)
	case c.tick <= 0:
		usageError("-tick must be positive")
	case c.goroutines < 0 || c.exitAfter < 0 || c.memProfileRate < 0:
		usageError("-goroutines, -exit-after and -memprofilerate must not be negative")
	}
	if err := local.CheckLoopback(c.addr); err != nil {
		usageError("%v", err)
	}
	return c
}

func usageError(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "workload: "+format+"\n", args...)
	os.Exit(2)
}

// memSink keeps setMemProfileRate's allocations from being optimised away.
var memSink *[64]byte

// setMemProfileRate sets runtime.MemProfileRate so that it applies from the
// next allocation on. Assigning the variable alone is not enough: every P
// keeps a countdown to its next sample drawn at the old rate (512 KiB on
// average, up to 18 times that), so the first megabytes allocated after the
// change would be sampled at the old rate, and the steady cache, allocated
// next, would come out short in the heap profile. The countdowns are redrawn
// when a P is created and when it takes a sample, so: shrink to one P
// (dropping the others), make that P take a sample (at rate 1 every
// allocation is one), and grow back (new Ps draw at the new rate).
func setMemProfileRate(rate int) {
	if rate == runtime.MemProfileRate {
		return
	}
	procs := runtime.GOMAXPROCS(1)
	runtime.MemProfileRate = 1
	memSink = new([64]byte) // sampled, and the countdown set to 0
	runtime.MemProfileRate = rate
	memSink = new([64]byte) // sampled, and the countdown drawn at rate
	runtime.GOMAXPROCS(procs)
}

// buildSteadyCache allocates size bytes of deterministic data, the steady
// part of the workload that the caller keeps for the whole run. The heap
// profile shows size exactly when it is a multiple of steadyChunk, else
// rounded up to the allocator's next size for the last chunk.
//
//go:noinline
func buildSteadyCache(size int64, rng *rand.Rand) [][]byte {
	cache := make([][]byte, 0, (size+steadyChunk-1)/steadyChunk)
	for size > 0 {
		n := int64(steadyChunk)
		if size < n {
			n = size
		}
		b := make([]byte, n)
		rng.Read(b) // touch every page: the cache is resident, not just reserved
		cache = append(cache, b)
		size -= n
	}
	return cache
}

// leakyRetain allocates one chunk of the leak; its caller keeps it in leaked
// forever. Allocating is all it does, and the append to leaked (24 bytes a
// chunk, plus the slice's regrowth) is charged to the caller, so that the
// heap profile's inuse_space for main.leakyRetain, flat and cum, is exactly
// the leaked bytes.
//
//go:noinline
func leakyRetain(pattern []byte) []byte {
	b := make([]byte, len(pattern))
	// Fill by hand, to touch every page as a real leak would. Not with
	// copy: the compiler turns make-then-copy into a direct call of the
	// runtime's allocator, which the heap profile's stack skipping does
	// not expect, and the allocation would be charged to our caller.
	for i := range b {
		b[i] = pattern[i]
	}
	return b
}

// record is the JSON churn's document: strings, numbers, a slice and a map,
// so encoding/json goes through its usual reflection paths.
type record struct {
	ID     int               `json:"id"`
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
	Values []float64         `json:"values"`
}

// churnJSON round-trips payload through encoding/json and drops the result:
// garbage, which shows in alloc_space but is gone from inuse_space after the
// next GC (all but encoding/json's pooled buffer, some 64 KiB at most).
//
//go:noinline
func churnJSON(payload []record) {
	data, err := json.Marshal(payload)
	if err != nil {
		panic(err) // record has only encodable fields
	}
	var back []record
	if err := json.Unmarshal(data, &back); err != nil {
		panic(err)
	}
	if len(back) != len(payload) {
		panic("churnJSON: round trip lost records")
	}
}

// burnSink keeps burnCPU's arithmetic from being optimised away.
var burnSink uint64

// burnCPU spins on the current goroutine for d.
//
//go:noinline
func burnCPU(d time.Duration) {
	deadline := time.Now().Add(d)
	x := burnSink | 1
	for time.Now().Before(deadline) {
		// A batch of xorshift steps between clock reads, so the CPU
		// profile shows burnCPU itself rather than time.Now.
		for i := 0; i < 1000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	burnSink = x
}

// parkedWorker blocks until stop is closed, which the workload never does:
// it stands for goroutines a service leaves waiting.
func parkedWorker(stop <-chan struct{}) {
	<-stop
}

type workload struct {
	cfg          config
	pattern      []byte   // contents of every leaked chunk
	payload      []record // what churnJSON round-trips
	churnPerCall int64    // bytes one churnJSON call allocates, measured
	parked       chan struct{}

	// The leak's pace, set by /leak: leakBase bytes were owed at
	// leakSince, and leakRate more are owed each second after it.
	// leakedBytes is written by the pacing goroutine and read by /leak.
	mu          sync.Mutex
	leakRate    int64
	leakBase    int64
	leakSince   time.Time
	leakedBytes int64

	// Written by the pacing goroutine only, read once it has stopped.
	started    time.Time
	churnCalls int64
}

// leakOwed is what the leak owes at now; w.mu is held.
func (w *workload) leakOwed(now time.Time) int64 {
	return w.leakBase + int64(float64(w.leakRate)*now.Sub(w.leakSince).Seconds())
}

// serveLeak is /leak: the leak's rate and what leaked, and with POST
// ?bytes=N a new rate from now on.
func (w *workload) serveLeak(rw http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		n, err := strconv.ParseInt(r.URL.Query().Get("bytes"), 10, 64)
		if err != nil || n < 0 {
			http.Error(rw, "bytes=N: a whole number of bytes per second, 0 or more", http.StatusBadRequest)
			return
		}
		now := time.Now()
		w.mu.Lock()
		w.leakBase = w.leakOwed(now)
		w.leakSince = now
		w.leakRate = n
		w.mu.Unlock()
		log.Printf("leak set to %d bytes/s", n)
	default:
		rw.Header().Set("Allow", "GET, POST")
		http.Error(rw, "GET or POST", http.StatusMethodNotAllowed)
		return
	}
	w.mu.Lock()
	rate, leaked := w.leakRate, w.leakedBytes
	w.mu.Unlock()
	fmt.Fprintf(rw, "bytes\t%d\nleaked\t%d\n", rate, leaked)
}

func newWorkload(cfg config, rng *rand.Rand) *workload {
	w := &workload{cfg: cfg, pattern: make([]byte, leakChunk), parked: make(chan struct{}), leakRate: cfg.leak}
	rng.Read(w.pattern)
	w.payload = make([]record, 64)
	for i := range w.payload {
		r := record{
			ID:     i,
			Name:   fmt.Sprintf("object-%04d", i),
			Labels: make(map[string]string, 4),
			Values: make([]float64, 8),
		}
		for j := 0; j < 4; j++ {
			r.Labels[fmt.Sprintf("label-%d", j)] = fmt.Sprintf("value-%08x", rng.Uint32())
		}
		for j := range r.Values {
			r.Values[j] = rng.Float64() * 1000
		}
		w.payload[i] = r
	}
	if cfg.churn > 0 {
		w.calibrateChurn()
	}
	return w
}

// calibrateChurn measures what one churnJSON call allocates, so that the
// churn can be paced in bytes. The first call is left out of the measure:
// it also fills encoding/json's per-type caches, once. All its calls count
// towards the churn.
func (w *workload) calibrateChurn() {
	const calls = 4
	churnJSON(w.payload)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < calls; i++ {
		churnJSON(w.payload)
	}
	runtime.ReadMemStats(&after)
	w.churnPerCall = int64(after.TotalAlloc-before.TotalAlloc) / calls
	if w.churnPerCall < 1 {
		w.churnPerCall = 1
	}
	w.churnCalls = 1 + calls
}

// start launches the parked goroutines and, until ctx is done, the pacing
// and CPU-burning goroutines.
func (w *workload) start(ctx context.Context, wg *sync.WaitGroup) {
	for i := 0; i < w.cfg.goroutines; i++ {
		go parkedWorker(w.parked)
	}
	w.started = time.Now()
	w.leakSince = w.started
	wg.Add(1)
	go func() {
		defer wg.Done()
		every(ctx, w.cfg.tick, w.step)
	}()
	if busy := time.Duration(float64(w.cfg.tick) * w.cfg.cpu); busy > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			every(ctx, w.cfg.tick, func(time.Time) { burnCPU(busy) })
		}()
	}
}

// every calls f at every tick of a ticker until ctx is done.
func every(ctx context.Context, tick time.Duration, f func(now time.Time)) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			f(now)
		}
	}
}

// step brings the leak and the churn up to date. Both are paced by the time
// since start, not by counting ticks, so that late or dropped ticks (a
// ticker drops them when its reader is busy) are caught up: at any tick,
// leak*elapsed bytes are retained, less than one chunk (with /leak, the
// sum of rate*time over the rates set).
func (w *workload) step(now time.Time) {
	elapsed := now.Sub(w.started).Seconds()
	w.mu.Lock()
	owed, done := w.leakOwed(now), w.leakedBytes
	w.mu.Unlock()
	for done+leakChunk <= owed {
		leaked = append(leaked, leakyRetain(w.pattern))
		done += leakChunk
	}
	w.mu.Lock()
	w.leakedBytes = done
	w.mu.Unlock()
	if w.cfg.churn > 0 {
		owed := int64(float64(w.cfg.churn) * elapsed)
		for (w.churnCalls+1)*w.churnPerCall <= owed {
			churnJSON(w.payload)
			w.churnCalls++
		}
	}
}
