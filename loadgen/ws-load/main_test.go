package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestDefaultProcsIsHalfTheCPUsAtLeastOne(t *testing.T) {
	for cpus, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 8: 4} {
		if got := defaultProcs(cpus); got != want {
			t.Errorf("defaultProcs(%d) = %d, want %d", cpus, got, want)
		}
	}
}

// The whole engine against a local server: every arrival of every flow is sent through the
// transport and recorded once, with its intended start on the schedule.
func TestRunRecordsEveryArrivalOfEveryFlow(t *testing.T) {
	var reserved atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/v1/reservations":
			if r.Header.Get("Idempotency-Key") == "" {
				w.WriteHeader(400)
				return
			}
			n := reserved.Add(1)
			w.WriteHeader(202)
			fmt.Fprintf(w, `{"reservationId":"r%d"}`, n)
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v1/reservations/"):
			_, _ = io.WriteString(w, `{"status":"held"}`)
		case r.URL.Path == "/v1/search":
			_, _ = io.WriteString(w, `{"results":[]}`)
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	plan := &Plan{
		BaseURL: srv.URL, TimeoutMs: 2000, Seed: 1, RunID: "t", APIKey: "k", PaymentToken: "tok-ok",
		Airports: []string{"LHR", "JFK"}, Dates: []string{"2026-12-01"}, FlightIDs: []string{"F1"},
		ReadAfterMs: 100, MaxWorkers: 1000, Records: filepath.Join(dir, "records.jsonl"),
		Flows: []FlowPlan{
			{Name: "search", StartRate: 200, Stages: []Stage{{Target: 200, DurationSec: 1}}},
			{Name: "reservation", StartRate: 50, Stages: []Stage{{Target: 50, DurationSec: 1}}},
		},
	}
	if code := run(plan, false); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	b, err := os.ReadFile(plan.Records)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r struct {
			Endpoint   string `json:"endpoint"`
			IntendedUs int64  `json:"intended_us"`
			LagUs      int64  `json:"lag_us"`
			DurationUs int64  `json:"duration_us"`
			Status     int    `json:"status"`
			Error      string `json:"error"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if r.Error != "" || (r.Status != 200 && r.Status != 202) {
			t.Fatalf("record %q: want a 200 or 202 without error", l)
		}
		counts[r.Endpoint]++
	}
	if counts["search"] != 200 {
		t.Fatalf("search records %d, want 200", counts["search"])
	}
	if counts["reserve"]+counts["reservation-get"] != 50 || counts["reservation-get"] == 0 {
		t.Fatalf("reservation records %v, want 50 with some read-backs", counts)
	}
}
