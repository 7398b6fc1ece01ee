package main

import (
	"testing"
	"time"
)

var t0 = time.Unix(1_700_000_000, 0)

func ipv4TCP(src, dst [4]byte, sport, dport uint16) []byte {
	p := make([]byte, 40)
	p[0] = 0x45
	p[9] = 6
	copy(p[12:16], src[:])
	copy(p[16:20], dst[:])
	p[20], p[21] = byte(sport>>8), byte(sport)
	p[22], p[23] = byte(dport>>8), byte(dport)
	return p
}

func TestParseFlowIPv4TCP(t *testing.T) {
	k := ParseFlow(ipv4TCP([4]byte{10, 99, 0, 2}, [4]byte{10, 99, 0, 1}, 7070, 40000))
	if k.Proto != 6 || k.Sport != 7070 || k.Dport != 40000 {
		t.Fatalf("got %+v", k)
	}
	if k.Src[0] != 10 || k.Src[3] != 2 || k.Dst[3] != 1 {
		t.Fatalf("addresses: %+v", k)
	}
}

func TestParseFlowShortAndFragment(t *testing.T) {
	if k := ParseFlow(nil); k != (FlowKey{}) {
		t.Fatalf("empty packet: %+v", k)
	}
	p := ipv4TCP([4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8}, 1, 2)
	p[7] = 8 // fragment offset != 0: no ports
	if k := ParseFlow(p); k.Sport != 0 || k.Dport != 0 || k.Proto != 6 {
		t.Fatalf("fragment: %+v", k)
	}
	if k := ParseFlow(p[:20]); k.Sport != 0 {
		t.Fatalf("no transport header: %+v", k)
	}
}

func TestParseFlowIPv6UDP(t *testing.T) {
	p := make([]byte, 48)
	p[0] = 0x60
	p[6] = 17
	p[23] = 1
	p[39] = 2
	p[40], p[41], p[42], p[43] = 0, 53, 0x1f, 0x90
	k := ParseFlow(p)
	if k.Proto != 17 || k.Sport != 53 || k.Dport != 8080 || k.Src[15] != 1 || k.Dst[15] != 2 {
		t.Fatalf("got %+v", k)
	}
}

func TestDecideFixedDelay(t *testing.T) {
	s := NewShaper(200*time.Millisecond, 0, 0, 1)
	drop, at := s.Decide(t0, FlowKey{})
	if drop || !at.Equal(t0.Add(200*time.Millisecond)) {
		t.Fatalf("drop=%v at=%v", drop, at.Sub(t0))
	}
}

func TestDecideJitterStaysInRange(t *testing.T) {
	s := NewShaper(100*time.Millisecond, 30*time.Millisecond, 0, 7)
	lo, hi := time.Hour, time.Duration(0)
	for i := range 5000 {
		// A new flow each time, so ordering never holds a packet back.
		_, at := s.Decide(t0, FlowKey{Sport: uint16(i)})
		d := at.Sub(t0)
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo < 70*time.Millisecond || hi > 130*time.Millisecond {
		t.Fatalf("range %v..%v outside 70ms..130ms", lo, hi)
	}
	if lo > 75*time.Millisecond || hi < 125*time.Millisecond {
		t.Fatalf("range %v..%v does not spread over the jitter", lo, hi)
	}
}

func TestDecideNeverNegative(t *testing.T) {
	s := NewShaper(5*time.Millisecond, 50*time.Millisecond, 0, 3)
	for i := range 1000 {
		_, at := s.Decide(t0, FlowKey{Sport: uint16(i)})
		if at.Before(t0) {
			t.Fatalf("released before arrival: %v", at.Sub(t0))
		}
	}
}

func TestDecideKeepsOrderWithinFlow(t *testing.T) {
	s := NewShaper(100*time.Millisecond, 50*time.Millisecond, 0, 11)
	flow := FlowKey{Proto: 6, Sport: 1, Dport: 2}
	var prev time.Time
	for i := range 2000 {
		_, at := s.Decide(t0.Add(time.Duration(i)*time.Millisecond), flow)
		if at.Before(prev) {
			t.Fatalf("packet %d released at %v before previous %v", i, at.Sub(t0), prev.Sub(t0))
		}
		prev = at
	}
}

func TestDecideLoss(t *testing.T) {
	s := NewShaper(0, 0, 25, 5)
	lost := 0
	for range 10000 {
		if drop, _ := s.Decide(t0, FlowKey{}); drop {
			lost++
		}
	}
	if lost < 2200 || lost > 2800 {
		t.Fatalf("lost %d of 10000, want about 2500", lost)
	}
	none := NewShaper(0, 0, 0, 5)
	for range 1000 {
		if drop, _ := none.Decide(t0, FlowKey{}); drop {
			t.Fatal("dropped with 0% loss")
		}
	}
}

func TestForgetBoundsFlows(t *testing.T) {
	s := NewShaper(10*time.Millisecond, 0, 0, 1)
	for i := range 100 {
		s.Decide(t0, FlowKey{Sport: uint16(i)})
	}
	s.Forget(t0.Add(5 * time.Millisecond))
	if s.Flows() != 100 {
		t.Fatalf("forgot flows still in flight: %d", s.Flows())
	}
	s.Forget(t0.Add(11 * time.Millisecond))
	if s.Flows() != 0 {
		t.Fatalf("kept %d flows", s.Flows())
	}
}

func TestPendingReleasesInTimeThenArrivalOrder(t *testing.T) {
	var p Pending
	p.Push(1, t0.Add(30*time.Millisecond))
	p.Push(2, t0.Add(10*time.Millisecond))
	p.Push(3, t0.Add(10*time.Millisecond))
	p.Push(4, t0.Add(20*time.Millisecond))
	if got := p.Due(t0.Add(5 * time.Millisecond)); len(got) != 0 {
		t.Fatalf("released early: %v", got)
	}
	next, ok := p.Next()
	if !ok || !next.Equal(t0.Add(10*time.Millisecond)) {
		t.Fatalf("next %v %v", next, ok)
	}
	got := p.Due(t0.Add(20 * time.Millisecond))
	if len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 4 {
		t.Fatalf("got %v, want [2 3 4]", got)
	}
	if rest := p.All(); len(rest) != 1 || rest[0] != 1 || p.Len() != 0 {
		t.Fatalf("rest %v len %d", rest, p.Len())
	}
	if _, ok := p.Next(); ok {
		t.Fatal("next on empty")
	}
}

func TestValidate(t *testing.T) {
	good := options{queueNum: 1000, delayMs: 200, jitterMs: 20, lossPercent: 1, maxQueue: 10000}
	if err := validate(good); err != nil {
		t.Fatal(err)
	}
	bad := []options{
		{queueNum: 70000, maxQueue: 1},
		{delayMs: -1, maxQueue: 1},
		{lossPercent: 101, maxQueue: 1},
		{maxQueue: 0},
	}
	for _, o := range bad {
		if validate(o) == nil {
			t.Fatalf("accepted %+v", o)
		}
	}
}
