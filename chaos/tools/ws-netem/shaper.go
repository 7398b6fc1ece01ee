package main

import (
	"container/heap"
	"encoding/binary"
	"math/rand/v2"
	"time"
)

// FlowKey identifies one direction of a transport flow (protocol, addresses, ports).
// Packets that cannot be parsed share the zero key, so they stay in order among themselves.
type FlowKey struct {
	Proto    uint8
	Src, Dst [16]byte
	Sport    uint16
	Dport    uint16
}

// ParseFlow reads the flow key from the start of an IPv4 or IPv6 packet (at least the IP header
// and 4 bytes of the transport header are needed for ports; shorter packets get no ports).
func ParseFlow(p []byte) FlowKey {
	var k FlowKey
	if len(p) < 1 {
		return k
	}
	var l4 []byte
	switch p[0] >> 4 {
	case 4:
		if len(p) < 20 {
			return k
		}
		ihl := int(p[0]&0x0f) * 4
		k.Proto = p[9]
		copy(k.Src[:4], p[12:16])
		copy(k.Dst[:4], p[16:20])
		// Only the first fragment carries ports.
		if binary.BigEndian.Uint16(p[6:8])&0x1fff == 0 && ihl >= 20 && len(p) >= ihl {
			l4 = p[ihl:]
		}
	case 6:
		if len(p) < 40 {
			return k
		}
		k.Proto = p[6]
		copy(k.Src[:], p[8:24])
		copy(k.Dst[:], p[24:40])
		l4 = p[40:]
	default:
		return k
	}
	switch k.Proto {
	case 6, 17, 132: // TCP, UDP, SCTP
		if len(l4) >= 4 {
			k.Sport = binary.BigEndian.Uint16(l4[0:2])
			k.Dport = binary.BigEndian.Uint16(l4[2:4])
		}
	}
	return k
}

// Shaper decides, per packet, whether it is lost and when it is released.
//
// Release time = arrival + delay + uniform(-jitter, +jitter), never before arrival. Within one
// flow packets are never reordered: a packet whose draw would overtake the previous packet of its
// flow is held until that one is released (netem reorders instead; TCP then sees reordering as
// loss and the measured latency becomes a retransmission artefact rather than the delay asked
// for). Across flows release order follows release times. The price: a packet sent right after
// another of its flow waits for the later of the two draws, so with jitter a reply that follows
// a quick ACK sees max(two draws) (100±50 ms gives a median near 120 ms, not 100 ms).
type Shaper struct {
	Delay       time.Duration
	Jitter      time.Duration
	LossPercent float64
	rnd         *rand.Rand
	last        map[FlowKey]time.Time
}

func NewShaper(delay, jitter time.Duration, lossPercent float64, seed uint64) *Shaper {
	return &Shaper{
		Delay:       delay,
		Jitter:      jitter,
		LossPercent: lossPercent,
		rnd:         rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		last:        map[FlowKey]time.Time{},
	}
}

// Decide returns drop=true for a lost packet, else the moment to release it.
func (s *Shaper) Decide(now time.Time, k FlowKey) (drop bool, releaseAt time.Time) {
	if s.LossPercent > 0 && s.rnd.Float64()*100 < s.LossPercent {
		return true, now
	}
	d := s.Delay
	if s.Jitter > 0 {
		d += time.Duration(s.rnd.Int64N(int64(2*s.Jitter)+1)) - s.Jitter
	}
	if d < 0 {
		d = 0
	}
	at := now.Add(d)
	if prev, ok := s.last[k]; ok && at.Before(prev) {
		at = prev
	}
	s.last[k] = at
	return false, at
}

// Forget drops flows whose last packet was released before now; keeps the flow table bounded
// by the number of flows with packets in flight.
func (s *Shaper) Forget(now time.Time) {
	for k, at := range s.last {
		if at.Before(now) {
			delete(s.last, k)
		}
	}
}

// Flows is the number of flows currently remembered.
func (s *Shaper) Flows() int { return len(s.last) }

type held struct {
	at  time.Time
	seq uint64
	id  uint32
}

type heldHeap []held

func (h heldHeap) Len() int { return len(h) }
func (h heldHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h heldHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *heldHeap) Push(x any)   { *h = append(*h, x.(held)) }
func (h *heldHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Pending holds packet ids until their release time; equal times leave in arrival order.
type Pending struct {
	h   heldHeap
	seq uint64
}

func (p *Pending) Len() int { return p.h.Len() }

func (p *Pending) Push(id uint32, at time.Time) {
	p.seq++
	heap.Push(&p.h, held{at: at, seq: p.seq, id: id})
}

// Due removes and returns, in release order, every id whose time is not after now.
func (p *Pending) Due(now time.Time) []uint32 {
	var out []uint32
	for p.h.Len() > 0 && !p.h[0].at.After(now) {
		out = append(out, heap.Pop(&p.h).(held).id)
	}
	return out
}

// Next is the earliest release time, ok=false when nothing is held.
func (p *Pending) Next() (time.Time, bool) {
	if p.h.Len() == 0 {
		return time.Time{}, false
	}
	return p.h[0].at, true
}

// All removes and returns every held id in release order.
func (p *Pending) All() []uint32 {
	var out []uint32
	for p.h.Len() > 0 {
		out = append(out, heap.Pop(&p.h).(held).id)
	}
	return out
}
