package main

import (
	"math"
	"testing"
	"time"
)

func TestConstantRate(t *testing.T) {
	s := NewSchedule(16, []Stage{{Target: 16, DurationSec: 60}})
	if got := s.Arrivals(); got != 960 {
		t.Fatalf("arrivals = %d, want 960", got)
	}
	at, _ := s.At(16)
	if at != time.Second {
		t.Fatalf("arrival 16 at %v, want 1s", at)
	}
	if _, ok := s.At(960); ok {
		t.Fatal("arrival 960 is past the end")
	}
	last, _ := s.At(959)
	if last >= 60*time.Second {
		t.Fatalf("last arrival at %v, not before the end", last)
	}
}

func TestRampCountsMatchTheIntegral(t *testing.T) {
	// 0 → 100 req/s over 10 s: 500 arrivals; the k-th at sqrt(2k/10) s.
	s := NewSchedule(0, []Stage{{Target: 100, DurationSec: 10}, {Target: 100, DurationSec: 5}})
	if got := s.Arrivals(); got != 1000 {
		t.Fatalf("arrivals = %d, want 1000", got)
	}
	at, _ := s.At(250)
	want := math.Sqrt(2 * 250.0 / 10)
	if math.Abs(at.Seconds()-want) > 1e-6 {
		t.Fatalf("arrival 250 at %v, want %.6f s", at, want)
	}
	at, _ = s.At(600)
	if math.Abs(at.Seconds()-11) > 1e-6 {
		t.Fatalf("arrival 600 at %v, want 11 s", at)
	}
	prev := time.Duration(-1)
	for k := uint64(0); k < s.Arrivals(); k++ {
		a, ok := s.At(k)
		if !ok || a < prev {
			t.Fatalf("arrival %d at %v after %v (ok %v): not monotonic", k, a, prev, ok)
		}
		prev = a
	}
}

func TestRampDownAndZeroStages(t *testing.T) {
	s := NewSchedule(10, []Stage{{Target: 0, DurationSec: 4}, {Target: 0, DurationSec: 3}, {Target: 4, DurationSec: 0}, {Target: 4, DurationSec: 2}})
	// 10→0 over 4 s = 20; 0 for 3 s; 4 req/s for 2 s = 8.
	if got := s.Arrivals(); got != 28 {
		t.Fatalf("arrivals = %d, want 28", got)
	}
	at, _ := s.At(20)
	if math.Abs(at.Seconds()-7) > 1e-6 {
		t.Fatalf("arrival 20 at %v, want 7 s (after the idle stage)", at)
	}
	if s.PeakRate() != 10 {
		t.Fatalf("peak %v", s.PeakRate())
	}
}

func TestPacerStopsAtTheDeadline(t *testing.T) {
	s := NewSchedule(1000, []Stage{{Target: 1000, DurationSec: 10}})
	p := &pacer{zero: time.Now().Add(-time.Hour), sched: s, deadline: time.Now().Add(-time.Second)}
	if _, stop := p.Pace(0, 5); !stop {
		t.Fatal("a pacer past its deadline must stop")
	}
	p.deadline = time.Now().Add(time.Hour)
	if wait, stop := p.Pace(0, 5); stop || wait != 0 {
		t.Fatalf("late arrival: wait %v stop %v, want 0 false", wait, stop)
	}
	if _, stop := p.Pace(0, s.Arrivals()); !stop {
		t.Fatal("the pacer must stop after the last arrival")
	}
}
