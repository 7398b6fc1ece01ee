package main

import (
	"math"
	"time"
)

// Stage ramps the arrival rate linearly from the previous stage's target (or the flow's
// startRate) to Target requests/s over DurationSec seconds.
type Stage struct {
	Target      float64 `json:"target"`
	DurationSec float64 `json:"durationSec"`
}

// Schedule is a piecewise-linear open-model arrival schedule: arrival k (0-based) is due at the
// moment the integral of the rate reaches k, so a constant rate r puts arrival k at k/r seconds.
type Schedule struct {
	starts  []float64 // stage start, seconds
	rates   []float64 // rate at stage start, req/s
	slopes  []float64 // req/s per second within the stage
	lengths []float64 // stage length, seconds
	counts  []float64 // arrivals due before the stage starts
	total   float64   // integral of the rate over the whole schedule
	length  float64   // seconds
}

// NewSchedule builds the schedule of one flow.
func NewSchedule(startRate float64, stages []Stage) *Schedule {
	s := &Schedule{}
	t, rate, count := 0.0, startRate, 0.0
	for _, st := range stages {
		d := st.DurationSec
		slope := 0.0
		if d > 0 {
			slope = (st.Target - rate) / d
		}
		s.starts = append(s.starts, t)
		s.rates = append(s.rates, rate)
		s.slopes = append(s.slopes, slope)
		s.lengths = append(s.lengths, d)
		s.counts = append(s.counts, count)
		count += rate*d + slope*d*d/2
		t += d
		rate = st.Target
	}
	s.total, s.length = count, t
	return s
}

// Arrivals is the number of arrivals the schedule asks for: those due strictly before its end.
func (s *Schedule) Arrivals() uint64 {
	if s.total <= 0 {
		return 0
	}
	return uint64(math.Ceil(s.total - 1e-9))
}

// Length is the schedule's length.
func (s *Schedule) Length() time.Duration { return seconds(s.length) }

// At is when arrival k is due, from the schedule's start; ok is false past the last arrival.
func (s *Schedule) At(k uint64) (time.Duration, bool) {
	if k >= s.Arrivals() {
		return 0, false
	}
	m := float64(k)
	for i := range s.starts {
		a, sl, d := s.rates[i], s.slopes[i], s.lengths[i]
		rest := m - s.counts[i]
		if rest >= a*d+sl*d*d/2 {
			continue // due in a later stage
		}
		tau := 0.0
		if rest > 0 {
			if sl == 0 {
				tau = rest / a
			} else {
				// a·τ + sl·τ²/2 = rest, in the form that stays exact when sl is small.
				tau = 2 * rest / (a + math.Sqrt(math.Max(0, a*a+2*sl*rest)))
			}
		}
		return seconds(s.starts[i] + math.Min(tau, d)), true
	}
	// Rounding left the last arrival just past the integral: it is due at the end.
	return s.Length(), true
}

// RateAt is the arrival rate at t seconds from the start (req/s).
func (s *Schedule) RateAt(t float64) float64 {
	for i := len(s.starts) - 1; i >= 0; i-- {
		if t >= s.starts[i] && t < s.starts[i]+s.lengths[i] {
			return s.rates[i] + s.slopes[i]*(t-s.starts[i])
		}
	}
	return 0
}

// PeakRate is the highest rate anywhere in the schedule (req/s).
func (s *Schedule) PeakRate() float64 {
	peak := 0.0
	for i := range s.starts {
		peak = math.Max(peak, math.Max(s.rates[i], s.rates[i]+s.slopes[i]*s.lengths[i]))
	}
	return peak
}

func seconds(f float64) time.Duration { return time.Duration(math.Round(f * 1e9)) }

// pacer is a vegeta.Pacer that releases arrival `hits` at zero+At(hits). It gives up (stops)
// once the schedule is over or the deadline has passed, so the attack is bounded whatever the
// target does; arrivals not released by then are the run's unsent arrivals.
type pacer struct {
	zero     time.Time
	sched    *Schedule
	deadline time.Time
}

func (p *pacer) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	at, ok := p.sched.At(hits)
	if !ok {
		return 0, true
	}
	now := time.Now()
	if now.After(p.deadline) {
		return 0, true
	}
	wait := p.zero.Add(at).Sub(now)
	if wait < 0 {
		wait = 0
	}
	return wait, false
}

func (p *pacer) Rate(elapsed time.Duration) float64 { return p.sched.RateAt(elapsed.Seconds()) }
