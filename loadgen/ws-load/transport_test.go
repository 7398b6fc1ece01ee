package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func rawClient(timeout time.Duration) (*http.Client, *rawTransport) {
	t := newRawTransport(timeout, 100)
	return &http.Client{Transport: t}, t
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	b, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	return res.StatusCode, string(b)
}

func TestRawTransportKeepsOneConnectionAcrossRequests(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test") != "yes" {
			w.WriteHeader(400)
			return
		}
		_, _ = io.WriteString(w, "hello "+r.URL.Query().Get("n"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, _ := rawClient(5 * time.Second)
	for i := 0; i < 50; i++ {
		req, _ := http.NewRequest("GET", srv.URL+"/x?n=7", nil)
		req.Header.Set("X-Test", "yes")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if res.StatusCode != 200 || string(b) != "hello 7" {
			t.Fatalf("got %d %q", res.StatusCode, b)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("50 sequential requests used %d connections, want 1", n)
	}
}

func TestRawTransportReadsChunkedBodiesAndReusesTheConnection(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i < 3; i++ {
			_, _ = io.WriteString(w, strings.Repeat("ab", 3000))
			w.(http.Flusher).Flush() // no Content-Length: chunked
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, _ := rawClient(5 * time.Second)
	for i := 0; i < 3; i++ {
		code, body := get(t, c, srv.URL)
		if code != 200 || len(body) != 18000 {
			t.Fatalf("got %d and %d bytes", code, len(body))
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("used %d connections, want 1", n)
	}
}

func TestRawTransportPostsABodyWithItsLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(202)
		_, _ = io.WriteString(w, r.Method+" "+r.Header.Get("Idempotency-Key")+" "+string(b))
	}))
	defer srv.Close()
	c, _ := rawClient(5 * time.Second)
	req, _ := http.NewRequest("POST", srv.URL+"/v1/reservations", strings.NewReader(`{"a":1}`))
	req.Header.Set("Idempotency-Key", "k-1")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 202 || string(b) != `POST k-1 {"a":1}` {
		t.Fatalf("got %d %q", res.StatusCode, b)
	}
}

func TestRawTransportNoContentAndErrorStatuses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/204":
			w.WriteHeader(204)
		default:
			http.Error(w, "nope", 503)
		}
	}))
	defer srv.Close()
	c, _ := rawClient(5 * time.Second)
	for i := 0; i < 2; i++ {
		if code, body := get(t, c, srv.URL+"/204"); code != 204 || body != "" {
			t.Fatalf("got %d %q", code, body)
		}
		if code, body := get(t, c, srv.URL+"/503"); code != 503 || body != "nope\n" {
			t.Fatalf("got %d %q", code, body)
		}
	}
}

// A server that answers and then closes idle connections (as Node does after its keep-alive
// timeout): a GET on the closed connection is sent again on a new one, not reported as an error.
func TestRawTransportRetriesAGetOnAConnectionTheServerClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					l, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if l == "\r\n" {
						_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
						return // close right after the answer, without saying so
					}
				}
			}(c)
		}
	}()
	c, _ := rawClient(5 * time.Second)
	for i := 0; i < 3; i++ {
		if code, body := get(t, c, "http://"+ln.Addr().String()+"/"); code != 200 || body != "ok" {
			t.Fatalf("request %d: got %d %q", i, code, body)
		}
		time.Sleep(20 * time.Millisecond) // let the close arrive
	}
	// A POST without an idempotency key is not repeated: it fails (the server may have it).
	req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/", strings.NewReader("x"))
	if res, err := c.Do(req); err == nil {
		_ = res.Body.Close()
		t.Fatal("a POST without an Idempotency-Key on a closed connection must fail, not be sent again")
	}
}

func TestRawTransportTimesOutAHungServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	c, _ := rawClient(200 * time.Millisecond)
	start := time.Now()
	_, err := c.Get(srv.URL)
	if err == nil {
		t.Fatal("want a timeout error")
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
		t.Fatalf("timed out after %v, want about 200ms", d)
	}
	var ne net.Error
	if !asNetError(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a timeout, got %v", err)
	}
}

func asNetError(err error, ne *net.Error) bool {
	for err != nil {
		if e, ok := err.(net.Error); ok {
			*ne = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func TestRawTransportRefusesOtherSchemes(t *testing.T) {
	c, _ := rawClient(time.Second)
	if _, err := c.Get("https://127.0.0.1:1/"); err == nil {
		t.Fatal("https must be refused")
	}
}

func TestRawTransportDropsConnectionsIdleTooLong(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "x")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, tr := rawClient(time.Second)
	tr.idleFor = 30 * time.Millisecond
	get(t, c, srv.URL)
	time.Sleep(60 * time.Millisecond)
	get(t, c, srv.URL)
	if n := conns.Load(); n != 2 {
		t.Fatalf("used %d connections, want 2 (the idle one was too old)", n)
	}
}

// A burst of requests with no idle connection makes at most maxDialing connects at once; the
// others wait for a dial slot or a connection handed back, and all are answered.
func TestRawTransportBoundsDialsInFlight(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(5 * time.Millisecond)
		_, _ = io.WriteString(w, "x")
	}))
	defer srv.Close()
	c, tr := rawClient(5 * time.Second)
	tr.maxDialing = 2
	var inFlight, peak, dials atomic.Int64
	var d net.Dialer
	tr.dial1 = func(ctx context.Context, network, addr string) (net.Conn, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		dials.Add(1)
		time.Sleep(20 * time.Millisecond) // a slow connect
		return d.DialContext(ctx, network, addr)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Get(srv.URL)
			if err != nil {
				errs <- err
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if p := peak.Load(); p > 2 {
		t.Fatalf("%d dials in flight at once, want <= 2", p)
	}
	if n := dials.Load(); n >= 40 {
		t.Fatalf("%d dials for 40 requests: waiting requests should have reused connections", n)
	}
}

// A request waiting for a connection gives up at its deadline.
func TestRawTransportWaitingForAConnectionTimesOut(t *testing.T) {
	c, tr := rawClient(100 * time.Millisecond)
	tr.maxDialing = 1
	block := make(chan struct{})
	defer close(block)
	tr.dial1 = func(ctx context.Context, _, _ string) (net.Conn, error) {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil, ctx.Err()
	}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			if _, err := c.Get("http://127.0.0.1:1/"); err == nil {
				t.Error("want an error")
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("gave up after %v, want about 100ms", d)
			}
		}()
	}
	wg.Wait()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.dialing != 0 || len(tr.waiters) != 0 {
		t.Fatalf("left %d dialing and %d waiting, want none", tr.dialing, len(tr.waiters))
	}
}
