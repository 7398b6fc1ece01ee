package main

import "testing"

func TestDefaultProcsIsHalfTheCPUsAtLeastOne(t *testing.T) {
	for cpus, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 8: 4} {
		if got := defaultProcs(cpus); got != want {
			t.Errorf("defaultProcs(%d) = %d, want %d", cpus, got, want)
		}
	}
}
