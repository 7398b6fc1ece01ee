package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"strconv"
	"sync"
	"time"
)

// rawTransport is a lean HTTP/1.1 RoundTripper for plain http: one request at a time per
// keep-alive connection (no pipelining), written in one write and read on the calling goroutine.
// net/http's Transport runs a read and a write goroutine per connection and hands every request
// and response between them over channels; on a 2-core machine that scheduling, not the
// syscalls, was most of the engine's CPU per request. Timeouts are connection deadlines: the
// whole exchange (dial, write, status, headers, body) must end by the request's context
// deadline, or by now + timeout when it has none.
type rawTransport struct {
	dial1   func(ctx context.Context, network, addr string) (net.Conn, error)
	timeout time.Duration
	// idleFor: an idle connection older than this is closed rather than reused (servers close
	// idle keep-alive connections after a few seconds; Node's default is 5 s).
	idleFor time.Duration
	maxIdle int

	// maxDialing bounds the dials in flight (see conn).
	maxDialing int

	mu      sync.Mutex
	idle    []*rawConn // most recently used last
	dialing int
	waiters []chan *rawConn // first come, first served
}

type rawConn struct {
	addr   string
	c      net.Conn
	br     *bufio.Reader
	wb     []byte
	usedAt time.Time
}

func newRawTransport(timeout time.Duration, maxIdle int) *rawTransport {
	return &rawTransport{
		// No local address: binding to 0.0.0.0:0 before connect makes the kernel search the
		// whole ephemeral range for a free port (half the engine's CPU with many TIME_WAIT
		// sockets); connect alone picks one by the 4-tuple.
		dial1:      (&net.Dialer{KeepAlive: 30 * time.Second, Timeout: timeout}).DialContext,
		timeout:    timeout,
		idleFor:    4 * time.Second,
		maxIdle:    maxIdle,
		maxDialing: 64,
	}
}

var errNotHTTP = errors.New("ws-load: only plain http:// targets are supported")

// RoundTrip sends req on an idle connection (or a new one) and reads the status and headers;
// the body is read by the caller and hands the connection back once read to its end.
func (t *rawTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" {
		closeBody(req)
		return nil, errNotHTTP
	}
	deadline, ok := req.Context().Deadline()
	if !ok {
		deadline = time.Now().Add(t.timeout)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		closeBody(req)
		if err != nil {
			return nil, err
		}
		body = b
	}
	for attempt := 0; ; attempt++ {
		pc, reused, err := t.conn(req.Context(), req.URL.Host, deadline)
		if err != nil {
			return nil, err
		}
		resp, err := t.exchange(pc, req, body)
		if err == nil {
			return resp, nil
		}
		_ = pc.c.Close()
		// A reused connection the server closed while it was idle fails before any byte of
		// an answer: send once more on a new connection, as net/http does for requests that
		// are safe to repeat (GET, or with an Idempotency-Key).
		if reused && attempt == 0 && errors.Is(err, errStale) && retryable(req) {
			continue
		}
		return nil, err
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

func retryable(req *http.Request) bool {
	switch req.Method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != ""
}

// conn returns an idle connection to addr (reused = true) or a new one, with its deadline set.
// At most maxDialing dials are in flight: a request that finds no idle connection and no free
// dial slot waits for whichever comes first, a connection handed back or a slot, until its
// deadline. Without that bound a target that stalls for half a second (a burst of thousands of
// requests in flight) got thousands of simultaneous connects, overflowed its listen backlog
// (SYNs dropped, retried after 1 s, 3 s, ...) and never recovered. Connections in total stay
// bounded only by the workers.
func (t *rawTransport) conn(ctx context.Context, addr string, deadline time.Time) (*rawConn, bool, error) {
	for {
		t.mu.Lock()
		pc := t.popIdle(addr)
		if pc != nil {
			t.mu.Unlock()
			if err := pc.c.SetDeadline(deadline); err != nil {
				_ = pc.c.Close()
				continue
			}
			return pc, true, nil
		}
		if t.dialing < t.maxDialing {
			t.dialing++
			t.mu.Unlock()
			pc, err := t.dial(ctx, addr, deadline)
			return pc, false, err
		}
		w := make(chan *rawConn, 1)
		t.waiters = append(t.waiters, w)
		t.mu.Unlock()
		pc, permit, err := t.wait(ctx, w, deadline)
		if err != nil {
			return nil, false, err
		}
		if permit {
			pc, err := t.dial(ctx, addr, deadline)
			return pc, false, err
		}
		if pc.addr != addr {
			_ = pc.c.Close()
			continue
		}
		if err := pc.c.SetDeadline(deadline); err != nil {
			_ = pc.c.Close()
			continue
		}
		return pc, true, nil
	}
}

// popIdle takes the most recently used idle connection that is neither too old nor to another
// address (t.mu held).
func (t *rawTransport) popIdle(addr string) *rawConn {
	now := time.Now()
	for len(t.idle) > 0 {
		pc := t.idle[len(t.idle)-1]
		t.idle[len(t.idle)-1] = nil
		t.idle = t.idle[:len(t.idle)-1]
		if now.Sub(pc.usedAt) > t.idleFor || pc.addr != addr {
			_ = pc.c.Close()
			continue
		}
		return pc
	}
	return nil
}

// wait waits on w for a connection handed back (pc) or a dial slot (permit), until the deadline.
func (t *rawTransport) wait(ctx context.Context, w chan *rawConn, deadline time.Time) (pc *rawConn, permit bool, err error) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var gaveUp error
	select {
	case pc = <-w:
		return pc, pc == nil, nil
	case <-timer.C:
		gaveUp = fmt.Errorf("no connection within the timeout (%d dials in flight): %w", t.maxDialing, os.ErrDeadlineExceeded)
	case <-ctx.Done():
		gaveUp = ctx.Err()
	}
	t.mu.Lock()
	for i, x := range t.waiters {
		if x == w {
			t.waiters = append(t.waiters[:i], t.waiters[i+1:]...)
			t.mu.Unlock()
			return nil, false, gaveUp
		}
	}
	t.mu.Unlock()
	// Handed something just as we gave up: pass it on.
	if pc = <-w; pc != nil {
		t.put(pc)
	} else {
		t.dialDone()
	}
	return nil, false, gaveUp
}

// dial makes a new connection in a dial slot taken by the caller, and frees the slot.
func (t *rawTransport) dial(ctx context.Context, addr string, deadline time.Time) (*rawConn, error) {
	defer t.dialDone()
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	c, err := t.dial1(dctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := c.SetDeadline(deadline); err != nil {
		_ = c.Close()
		return nil, err
	}
	return &rawConn{c: c, br: bufio.NewReaderSize(c, 4096), addr: addr}, nil
}

// dialDone frees a dial slot: the first waiter gets it, if any.
func (t *rawTransport) dialDone() {
	t.mu.Lock()
	if len(t.waiters) > 0 {
		w := t.waiters[0]
		t.waiters = t.waiters[1:]
		t.mu.Unlock()
		w <- nil // the slot passes to the waiter (dialing unchanged)
		return
	}
	t.dialing--
	t.mu.Unlock()
}

// put hands a connection back: to the first waiter, else to the idle list.
func (t *rawTransport) put(pc *rawConn) {
	pc.usedAt = time.Now()
	t.mu.Lock()
	if len(t.waiters) > 0 {
		w := t.waiters[0]
		t.waiters = t.waiters[1:]
		t.mu.Unlock()
		w <- pc
		return
	}
	if len(t.idle) < t.maxIdle {
		t.idle = append(t.idle, pc)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	_ = pc.c.Close()
}

// CloseIdleConnections closes every idle connection (http.Client calls it on shutdown).
func (t *rawTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, pc := range idle {
		_ = pc.c.Close()
	}
}

// errStale: the connection ended before any byte of an answer (a reused one the server closed).
var errStale = errors.New("connection closed before the response")

func (t *rawTransport) exchange(pc *rawConn, req *http.Request, body []byte) (*http.Response, error) {
	pc.wb = appendRequest(pc.wb[:0], req, body)
	if _, err := pc.c.Write(pc.wb); err != nil {
		if isReset(err) {
			return nil, fmt.Errorf("%w: %v", errStale, err)
		}
		return nil, err
	}
	resp, err := readResponseHead(pc.br, req)
	if err != nil {
		return nil, err
	}
	keep := !resp.Close
	switch {
	case !bodyAllowed(req.Method, resp.StatusCode):
		resp.Body = http.NoBody
		resp.ContentLength = 0
		if keep {
			t.put(pc)
		} else {
			_ = pc.c.Close()
		}
	case resp.ContentLength >= 0:
		resp.Body = &rawBody{t: t, pc: pc, r: &lengthReader{r: pc.br, n: resp.ContentLength}, keep: keep}
		if resp.ContentLength == 0 {
			resp.Body.(*rawBody).done(true)
		}
	case len(resp.TransferEncoding) > 0:
		resp.Body = &rawBody{t: t, pc: pc, r: httputil.NewChunkedReader(pc.br), keep: keep, chunked: true}
	default:
		// No length: the body runs to the end of the connection.
		resp.Body = &rawBody{t: t, pc: pc, r: pc.br, keep: false}
	}
	return resp, nil
}

func bodyAllowed(method string, status int) bool {
	return method != "HEAD" && status >= 200 && status != 204 && status != 304
}

// appendRequest appends req in HTTP/1.1 wire format (the headers as given, Host, and a
// Content-Length when there is a body).
func appendRequest(b []byte, req *http.Request, body []byte) []byte {
	b = append(b, req.Method...)
	b = append(b, ' ')
	b = append(b, req.URL.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	b = append(b, host...)
	b = append(b, "\r\n"...)
	for k, vs := range req.Header {
		if k == "Host" || k == "Content-Length" || k == "Connection" {
			continue
		}
		for _, v := range vs {
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	if body != nil || req.Method == "POST" || req.Method == "PUT" || req.Method == "PATCH" {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, body...)
}

// readResponseHead reads the status line and headers (skipping 1xx answers). Of the headers,
// resp.Header keeps Location only.
func readResponseHead(br *bufio.Reader, req *http.Request) (*http.Response, error) {
	for {
		line, err := readLine(br)
		if err != nil {
			if errors.Is(err, io.EOF) || isReset(err) {
				return nil, fmt.Errorf("%w: %v", errStale, err)
			}
			return nil, err
		}
		// HTTP/1.x SP 3DIGIT [SP reason]
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return nil, fmt.Errorf("malformed HTTP status line %q", line)
		}
		code, err := strconv.Atoi(string(line[9:12]))
		if err != nil || code < 100 {
			return nil, fmt.Errorf("malformed HTTP status code %q", line[9:12])
		}
		resp := &http.Response{
			Status:        string(bytes.TrimSpace(line[9:])),
			StatusCode:    code,
			Proto:         string(line[:8]),
			ProtoMajor:    1,
			ProtoMinor:    int(line[7] - '0'),
			Header:        http.Header{},
			ContentLength: -1,
			Request:       req,
			Close:         line[7] == '0',
		}
		for {
			h, err := readLine(br)
			if err != nil {
				return nil, err
			}
			if len(h) == 0 {
				break
			}
			i := bytes.IndexByte(h, ':')
			if i <= 0 {
				return nil, fmt.Errorf("malformed HTTP header %q", h)
			}
			// Only the headers that frame the message are read (nothing downstream reads the
			// others, and keeping them cost an allocation each).
			k, v := bytes.TrimSpace(h[:i]), bytes.TrimSpace(h[i+1:])
			switch {
			case bytes.EqualFold(k, hContentLength):
				n, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("bad Content-Length %q", v)
				}
				resp.ContentLength = n
			case bytes.EqualFold(k, hTransferEncoding):
				if !bytes.EqualFold(v, vChunked) {
					return nil, fmt.Errorf("unsupported Transfer-Encoding %q", v)
				}
				resp.TransferEncoding = chunkedTE
			case bytes.EqualFold(k, hConnection):
				if bytes.EqualFold(v, vClose) {
					resp.Close = true
				} else if bytes.EqualFold(v, vKeepAlive) && resp.ProtoMinor == 0 {
					resp.Close = false
				}
			case bytes.EqualFold(k, hLocation):
				resp.Header.Set("Location", string(v))
			}
		}
		if len(resp.TransferEncoding) > 0 {
			resp.ContentLength = -1 // chunked wins over a length (RFC 9112 6.3)
		}
		if code >= 200 || code == 101 {
			return resp, nil
		}
		// 1xx: an interim answer; the real one follows.
	}
}

var (
	hContentLength    = []byte("Content-Length")
	hTransferEncoding = []byte("Transfer-Encoding")
	hConnection       = []byte("Connection")
	hLocation         = []byte("Location")
	vChunked          = []byte("chunked")
	vClose            = []byte("close")
	vKeepAlive        = []byte("keep-alive")
	chunkedTE         = []string{"chunked"}
)

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

// readLine reads one CRLF- (or LF-) terminated line without its terminator; the slice is valid
// until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, errors.New("HTTP header line too long")
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// rawBody is a response body: read to its end, it gives the connection back for the next
// request; closed early, or after an error, the connection is closed.
type rawBody struct {
	t       *rawTransport
	pc      *rawConn
	r       io.Reader
	keep    bool
	chunked bool
	closed  bool
}

func (b *rawBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		ok := true
		if b.chunked {
			ok = skipTrailer(b.pc.br) == nil
		}
		b.done(ok)
		return n, io.EOF
	}
	if err != nil {
		b.done(false)
	}
	return n, err
}

func (b *rawBody) done(reuse bool) {
	if b.closed {
		return
	}
	b.closed = true
	if reuse && b.keep {
		b.t.put(b.pc)
	} else {
		_ = b.pc.c.Close()
	}
}

func (b *rawBody) Close() error {
	b.done(false)
	return nil
}

// lengthReader reads n bytes and then io.EOF; the connection ending sooner is an error.
type lengthReader struct {
	r io.Reader
	n int64
}

func (l *lengthReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if err == io.EOF && l.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err == nil && l.n == 0 {
		err = io.EOF
	}
	return n, err
}

// skipTrailer reads the trailer section after a chunked body's last chunk, up to its empty line.
func skipTrailer(br *bufio.Reader) error {
	for {
		l, err := readLine(br)
		if err != nil {
			return err
		}
		if len(l) == 0 {
			return nil
		}
	}
}
