package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Flow names: one per kind of user journey (loadgen/load-plan.ts FLOWS).
var knownFlows = map[string]bool{"search": true, "price": true, "reservation": true, "booking": true}

// FlowPlan is one flow's arrival schedule.
type FlowPlan struct {
	Name      string  `json:"name"`
	StartRate float64 `json:"startRate"`
	Stages    []Stage `json:"stages"`
}

// Plan is what loadgen/load-plan.ts writes (EnginePlan): the schedule, the target and the data.
type Plan struct {
	BaseURL      string     `json:"baseUrl"`
	StartAtMs    int64      `json:"startAtMs"`
	TimeoutMs    int64      `json:"timeoutMs"`
	Seed         int64      `json:"seed"`
	RunID        string     `json:"runId"`
	APIKey       string     `json:"apiKey"`
	PaymentToken string     `json:"paymentToken"`
	Airports     []string   `json:"airports"`
	Dates        []string   `json:"dates"`
	FlightIDs    []string   `json:"flightIds"`
	ReadAfterMs  int64      `json:"readAfterMs"`
	MaxWorkers   uint64     `json:"maxWorkers"`
	MaxRate      float64    `json:"maxRate"`
	Records      string     `json:"records"`
	Flows        []FlowPlan `json:"flows"`
}

func readPlan(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Plan
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.ReadAfterMs == 0 {
		p.ReadAfterMs = 1000
	}
	if p.MaxWorkers == 0 {
		p.MaxWorkers = 20000
	}
	if p.PaymentToken == "" {
		p.PaymentToken = "tok-ok"
	}
	return &p, nil
}

// problems lists everything wrong with the plan at once (loadgen/load-plan.ts checks the same
// before it starts the engine; this is the engine's own guard).
func (p *Plan) problems() []string {
	var out []string
	if !strings.HasPrefix(p.BaseURL, "http://") && !strings.HasPrefix(p.BaseURL, "https://") {
		out = append(out, fmt.Sprintf("baseUrl must be an http(s) URL, got %q", p.BaseURL))
	}
	if p.TimeoutMs <= 0 {
		out = append(out, "timeoutMs must be > 0")
	}
	if p.Records == "" {
		out = append(out, "records (output path) is required")
	}
	if len(p.Flows) == 0 {
		out = append(out, "flows must not be empty")
	}
	if len(p.Airports) < 2 || len(p.Dates) == 0 {
		out = append(out, "airports (>= 2) and dates (>= 1) are required")
	}
	total := 0.0
	length := 0.0
	for i, f := range p.Flows {
		if !knownFlows[f.Name] {
			out = append(out, fmt.Sprintf("flows[%d].name %q is not one of search, price, reservation, booking", i, f.Name))
		}
		if f.StartRate < 0 {
			out = append(out, fmt.Sprintf("flows[%d].startRate must be >= 0", i))
		}
		for j, s := range f.Stages {
			if s.Target < 0 || s.DurationSec < 0 {
				out = append(out, fmt.Sprintf("flows[%d].stages[%d] must have target >= 0 and durationSec >= 0", i, j))
			}
		}
		sched := NewSchedule(f.StartRate, f.Stages)
		total += sched.PeakRate()
		if sched.Length().Seconds() > length {
			length = sched.Length().Seconds()
		}
	}
	if len(p.Flows) > 0 && length <= 0 {
		out = append(out, "the schedule has zero duration")
	}
	if p.MaxRate > 0 && total > p.MaxRate {
		out = append(out, fmt.Sprintf("peak rate %.0f req/s is above this engine's limit of %.0f req/s", total, p.MaxRate))
	}
	return out
}
