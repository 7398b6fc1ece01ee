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
	"time"
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
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var start struct {
		ScheduleStartEpochMs int64 `json:"schedule_start_epoch_ms"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &start); err != nil || start.ScheduleStartEpochMs == 0 {
		t.Fatalf("first line %q: want the schedule's start", lines[0])
	}
	for _, l := range lines[1:] {
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

// A planned zero that passed while the engine was starting moves to just after it is ready, on a
// whole millisecond; a zero still ahead is kept.
func TestReadyZeroStartsLateSchedulesWhenReady(t *testing.T) {
	now := time.UnixMilli(1_000_000).Add(300 * time.Microsecond)
	late := readyZero(now.Add(-170*time.Millisecond), now)
	if late.Before(now.Add(startMargin)) || late.Sub(now) > startMargin+time.Millisecond || late.UnixMilli()*1e6 != late.UnixNano() {
		t.Fatalf("late zero %v for now %v: want a whole ms within %v after now", late, now, startMargin)
	}
	ahead := now.Add(time.Second)
	if got := readyZero(ahead, now); !got.Equal(ahead) {
		t.Fatalf("zero ahead %v moved to %v", ahead, got)
	}
}

// A plan whose start passed before the engine ran still sends its first arrivals on time: the
// records start at or after the reported zero.
func TestRunStartsAPastScheduleWhenReady(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"results":[]}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	before := time.Now()
	plan := &Plan{
		BaseURL: srv.URL, TimeoutMs: 2000, Seed: 1, RunID: "t", APIKey: "k", PaymentToken: "tok-ok",
		Airports: []string{"LHR", "JFK"}, Dates: []string{"2026-12-01"}, FlightIDs: []string{"F1"},
		ReadAfterMs: 100, MaxWorkers: 100, Records: filepath.Join(dir, "records.jsonl"),
		StartAtMs: before.Add(-2 * time.Second).UnixMilli(),
		Flows:     []FlowPlan{{Name: "search", StartRate: 20, Stages: []Stage{{Target: 20, DurationSec: 1}}}},
	}
	if code := run(plan, false); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	b, err := os.ReadFile(plan.Records)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var start struct {
		ScheduleStartEpochMs int64 `json:"schedule_start_epoch_ms"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &start); err != nil {
		t.Fatal(err)
	}
	if start.ScheduleStartEpochMs < before.UnixMilli() {
		t.Fatalf("schedule start %d is before the engine ran (%d)", start.ScheduleStartEpochMs, before.UnixMilli())
	}
	var first struct {
		IntendedUs int64 `json:"intended_us"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &first); err != nil {
		t.Fatal(err)
	}
	if first.IntendedUs < start.ScheduleStartEpochMs*1000 {
		t.Fatalf("first arrival intended at %d us, before the reported start %d ms", first.IntendedUs, start.ScheduleStartEpochMs)
	}
	if len(lines)-1 != 20 {
		t.Fatalf("%d records, want 20", len(lines)-1)
	}
}
