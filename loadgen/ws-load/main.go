// ws-load: windshear's embedded open-model load engine. It reads a plan (loadgen/load-plan.ts),
// attacks with one vegeta Attacker per flow, paced by the plan's piecewise-linear schedule, and
// writes one JSON record per request (endpoint, intended start, send lag, duration, status,
// error) to plan.records; a summary line (arrivals intended and sent per flow, CPU seconds) goes
// to stdout at the end. vegeta's own timestamp is the send time and it never reports arrivals it
// did not send, so the intended start and the unsent count are ours. Requests go through our own
// keep-alive HTTP/1.1 transport (transport.go).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

const version = "0.1.0"
const vegetaVersion = "v12.13.0"

type flowSummary struct {
	Flow     string `json:"flow"`
	Intended uint64 `json:"intended"`
	Sent     uint64 `json:"sent"`
	Unsent   uint64 `json:"unsent"`
}

type summary struct {
	Engine     string        `json:"engine"`
	Version    string        `json:"version"`
	StartAtMs  int64         `json:"startAtMs"`
	Aborted    bool          `json:"aborted"`
	Flows      []flowSummary `json:"flows"`
	CPUUserSec float64       `json:"cpuUserSec"`
	CPUSysSec  float64       `json:"cpuSysSec"`
	MaxRSSKiB  int64         `json:"maxRssKiB"`
}

func main() {
	planPath := flag.String("plan", "", "plan file (JSON, see loadgen/load-plan.ts)")
	lifeline := flag.Bool("lifeline-stdin", false, "stop when standard input closes (the parent died)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	check := flag.Bool("check", false, "validate the plan and exit")
	cpuProfile := flag.String("cpuprofile", "", "write a Go CPU profile of the run to this file (go tool pprof)")
	_ = flag.String("owner", "", "the state directory of the harness that started it (windshear down stops leftovers by it)")
	flag.Parse()
	if *showVersion {
		fmt.Printf("ws-load %s (vegeta %s)\n", version, vegetaVersion)
		return
	}
	// Die with the parent: a load process must never outlive the harness.
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
	if os.Getppid() == 1 {
		os.Exit(3)
	}
	if *planPath == "" {
		fmt.Fprintln(os.Stderr, "ws-load: -plan is required")
		os.Exit(2)
	}
	plan, err := readPlan(*planPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ws-load: %v\n", err)
		os.Exit(2)
	}
	if ps := plan.problems(); len(ps) > 0 {
		for _, p := range ps {
			fmt.Fprintf(os.Stderr, "ws-load: bad plan: %s\n", p)
		}
		os.Exit(2)
	}
	if *check {
		return
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ws-load: %v\n", err)
			os.Exit(2)
		}
		code := run(plan, *lifeline)
		stop()
		os.Exit(code)
	}
	os.Exit(run(plan, *lifeline))
}

func run(plan *Plan, lifeline bool) int {
	// Every request allocates a little and little stays live: collect less often (less CPU per
	// request; the heap stays tens of MiB).
	debug.SetGCPercent(400)
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(defaultProcs(runtime.NumCPU()))
	}
	out, err := os.Create(plan.Records)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ws-load: %v\n", err)
		return 1
	}
	w := &recordWriter{buf: bufio.NewWriterSize(out, 1<<18)}
	stopFlush := w.flushEvery(200 * time.Millisecond)

	zero := time.Now().Add(100 * time.Millisecond)
	if plan.StartAtMs > 0 {
		zero = time.UnixMilli(plan.StartAtMs)
	}
	timeout := time.Duration(plan.TimeoutMs) * time.Millisecond
	data := newData(plan)
	zero = readyZero(zero, time.Now())
	// The first line says when second 0 of the schedule is (the harness aligns its windows to it).
	w.writeStart(zero)

	var attackers []*vegeta.Attacker
	var mu sync.Mutex
	aborted := false
	stopAll := func() {
		mu.Lock()
		defer mu.Unlock()
		aborted = true
		for _, a := range attackers {
			a.Stop()
		}
	}
	// SIGINT: the harness stops the run and still reads what was recorded, so stop gracefully.
	// SIGTERM (the parent-death signal) or standard input closing: nobody is left to read, so
	// keep what was written and exit now, without waiting for requests in flight.
	orphaned := func() {
		w.mu.Lock()
		_ = w.buf.Flush()
		os.Exit(3)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for sig := range sigs {
			if sig == syscall.SIGTERM {
				orphaned()
			}
			stopAll()
		}
	}()
	if lifeline {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			orphaned()
		}()
	}

	var wg sync.WaitGroup
	sums := make([]flowSummary, len(plan.Flows))
	for i, f := range plan.Flows {
		sched := NewSchedule(f.StartRate, f.Stages)
		peak := sched.PeakRate()
		// Little's law: rate × the longest a request may take, so a hung target makes the engine
		// add workers rather than fall behind; bounded by the plan.
		maxWorkers := uint64(peak*(timeout.Seconds()+1)) + 10
		if maxWorkers > plan.MaxWorkers {
			maxWorkers = plan.MaxWorkers
		}
		workers := uint64(peak*0.1) + 5
		if workers > maxWorkers {
			workers = maxWorkers
		}
		maxBody := int64(0)
		if f.Name == "reservation" {
			maxBody = 4096
		}
		a := vegeta.NewAttacker(
			vegeta.Client(newClient(timeout, int(maxWorkers))),
			vegeta.Workers(workers),
			vegeta.MaxWorkers(maxWorkers),
			vegeta.Redirects(vegeta.NoFollow),
			vegeta.MaxBody(maxBody),
		)
		mu.Lock()
		attackers = append(attackers, a)
		mu.Unlock()
		p := &pacer{zero: zero, sched: sched, deadline: zero.Add(sched.Length()).Add(timeout)}
		sums[i] = flowSummary{Flow: f.Name, Intended: sched.Arrivals()}
		wg.Add(1)
		go func(i int, name string) {
			defer wg.Done()
			for res := range a.Attack(data.targeter(name), p, 0, name) {
				at, _ := sched.At(res.Seq)
				intended := zero.Add(at)
				ep := endpointOf(name, res.Method)
				if ep == "reserve" && res.Code == 202 {
					data.accepted(res.Body)
				}
				w.write(ep, intended, res)
				sums[i].Sent++
			}
		}(i, f.Name)
	}
	wg.Wait()
	stopFlush()
	if err := w.close(out); err != nil {
		fmt.Fprintf(os.Stderr, "ws-load: writing %s: %v\n", plan.Records, err)
		return 1
	}
	for i := range sums {
		if sums[i].Intended > sums[i].Sent {
			sums[i].Unsent = sums[i].Intended - sums[i].Sent
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	mu.Lock()
	s := summary{
		Engine: "ws-load", Version: version, StartAtMs: zero.UnixMilli(), Aborted: aborted, Flows: sums,
		CPUUserSec: tv(ru.Utime), CPUSysSec: tv(ru.Stime), MaxRSSKiB: ru.Maxrss,
	}
	mu.Unlock()
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
	return 0
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}

// defaultProcs is how many OS threads run Go code at once: half the CPUs, at least one. The
// engine shares the machine with what it measures; on 2 cores one thread sent 8,000 req/s on
// time at 0.060 CPU-s per 1,000 requests where two took 0.070-0.085 (fewer cross-thread
// wake-ups), leaving the other core to the target. GOMAXPROCS in the environment overrides it.
func defaultProcs(cpus int) int {
	if cpus/2 < 1 {
		return 1
	}
	return cpus / 2
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// newClient is the HTTP client of one flow's attacker: rawTransport (transport.go), keep-alive
// HTTP/1.1, one request at a time per connection, no proxy from the environment (the target is
// loopback), no transparent gzip. The timeout is the transport's (connection deadlines), so the
// client starts no timer of its own per request.
func newClient(timeout time.Duration, maxIdle int) *http.Client {
	return &http.Client{Transport: newRawTransport(timeout, maxIdle)}
}

// endpointOf names the request the way every record and report does (loadgen/request-record.ts).
func endpointOf(flow, method string) string {
	switch flow {
	case "reservation":
		if method == "GET" {
			return "reservation-get"
		}
		return "reserve"
	case "booking":
		return "book"
	case "price":
		if method == "GET" {
			return "price"
		}
	}
	return "search"
}

type recordWriter struct {
	mu  sync.Mutex
	buf *bufio.Writer
	b   []byte
	err error
}

func (w *recordWriter) write(endpoint string, intended time.Time, r *vegeta.Result) {
	lag := r.Timestamp.Sub(intended).Microseconds()
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.b[:0]
	b = append(b, `{"endpoint":"`...)
	b = append(b, endpoint...)
	b = append(b, `","intended_us":`...)
	b = strconv.AppendInt(b, intended.UnixMicro(), 10)
	b = append(b, `,"lag_us":`...)
	b = strconv.AppendInt(b, lag, 10)
	b = append(b, `,"duration_us":`...)
	b = strconv.AppendInt(b, r.Latency.Microseconds(), 10)
	b = append(b, `,"status":`...)
	b = strconv.AppendUint(b, uint64(r.Code), 10)
	if r.Code == 0 && r.Error != "" {
		e, _ := json.Marshal(r.Error)
		b = append(b, `,"error":`...)
		b = append(b, e...)
	}
	b = append(b, "}\n"...)
	w.b = b
	if _, err := w.buf.Write(b); err != nil && w.err == nil {
		w.err = err
	}
}

// startMargin is how far ahead of now a schedule starts when its planned zero has passed.
const startMargin = 20 * time.Millisecond

// readyZero is when second 0 of the schedule is, now that the engine is ready to send: the
// planned zero, or a little after now when the engine was not ready in time. A schedule whose
// zero passed while the process was starting would send its first arrival of every flow late
// (170 ms measured with the stack up), which is the engine's start-up and not the machine's.
func readyZero(planned, now time.Time) time.Time {
	if earliest := now.Add(startMargin); planned.Before(earliest) {
		// A whole millisecond, so the line the harness reads is exactly the zero in use.
		return time.UnixMilli(earliest.UnixMilli() + 1)
	}
	return planned
}

// writeStart writes the line that tells the harness when the schedule starts, before any record.
func (w *recordWriter) writeStart(zero time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := strconv.AppendInt([]byte(`{"schedule_start_epoch_ms":`), zero.UnixMilli(), 10)
	b = append(b, "}\n"...)
	if _, err := w.buf.Write(b); err != nil && w.err == nil {
		w.err = err
	}
	if err := w.buf.Flush(); err != nil && w.err == nil {
		w.err = err
	}
}

func (w *recordWriter) flushEvery(d time.Duration) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				w.mu.Lock()
				_ = w.buf.Flush()
				w.mu.Unlock()
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); <-stopped }
}

func (w *recordWriter) close(f *os.File) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.buf.Flush(); err != nil {
		return err
	}
	if w.err != nil {
		return w.err
	}
	return f.Close()
}

// data makes each flow's requests: random routes, known flights, unique idempotency keys, and
// reservations read back no sooner than readAfter after they were accepted.
type data struct {
	plan    *Plan
	mu      sync.Mutex
	rng     *rand.Rand
	seq     uint64
	pending []pendingRes
}

type pendingRes struct {
	id string
	at time.Time
}

func newData(p *Plan) *data { return &data{plan: p, rng: rand.New(rand.NewSource(p.Seed))} }

func (d *data) pick(xs []string) string { return xs[d.rng.Intn(len(xs))] }

func (d *data) accepted(body []byte) {
	var r struct {
		ReservationID string `json:"reservationId"`
	}
	if json.Unmarshal(body, &r) != nil || r.ReservationID == "" {
		return
	}
	d.mu.Lock()
	if len(d.pending) < 1000 {
		d.pending = append(d.pending, pendingRes{id: r.ReservationID, at: time.Now()})
	}
	d.mu.Unlock()
}

func (d *data) targeter(flow string) vegeta.Targeter {
	p := d.plan
	auth := "Bearer " + p.APIKey
	return func(t *vegeta.Target) error {
		d.mu.Lock()
		defer d.mu.Unlock()
		t.Header = nil
		t.Body = nil
		if flow == "search" || len(p.FlightIDs) == 0 {
			o := d.pick(p.Airports)
			dst := d.pick(p.Airports)
			for dst == o {
				dst = d.pick(p.Airports)
			}
			t.Method = "GET"
			t.URL = p.BaseURL + "/v1/search?origin=" + o + "&destination=" + dst + "&date=" + d.pick(p.Dates) + "&limit=20"
			return nil
		}
		flight := d.pick(p.FlightIDs)
		switch flow {
		case "price":
			t.Method = "GET"
			t.URL = p.BaseURL + "/v1/flights/" + url.PathEscape(flight) + "/price"
			return nil
		case "reservation":
			if len(d.pending) > 0 && time.Since(d.pending[0].at) >= time.Duration(p.ReadAfterMs)*time.Millisecond {
				id := d.pending[0].id
				d.pending = d.pending[1:]
				t.Method = "GET"
				t.URL = p.BaseURL + "/v1/reservations/" + url.PathEscape(id)
				return nil
			}
		}
		d.seq++
		kind := "r"
		path := "/v1/reservations"
		if flow == "booking" {
			kind, path = "b", "/v1/bookings"
		}
		key := p.RunID + "-" + kind + "-" + strconv.FormatUint(d.seq, 10)
		body := map[string]any{"flightId": flight, "seats": 1, "passenger": map[string]string{"name": "load " + key}}
		if flow == "booking" {
			body["paymentToken"] = p.PaymentToken
		}
		t.Body, _ = json.Marshal(body)
		t.Method = "POST"
		t.URL = p.BaseURL + path
		t.Header = map[string][]string{
			"Authorization":    {auth},
			"Idempotency-Key":  {key},
			"Content-Type":     {"application/json"},
			"X-Correlation-Id": {key},
		}
		return nil
	}
}
