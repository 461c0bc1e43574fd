package scheduler_test

import (
	"testing"
	"time"

	"trustcenter/shared/aws/scheduler"
)

// TestDrainReportsSecurityTxtDaysLeft: with the content's Expires known,
// each drain writes the whole days left as a declared metric (negative
// once passed); a stream run does not, nor a drain without content.
func TestDrainReportsSecurityTxtDaysLeft(t *testing.T) {
	for _, c := range []struct {
		expires time.Duration // from the world's clock
		want    float64
	}{
		{45*24*time.Hour + time.Hour, 45},
		{29*24*time.Hour + 23*time.Hour, 29},
		{time.Hour, 0},
		{-36 * time.Hour, -2},
	} {
		w := newWorld(t)
		w.h.SecurityTxtExpires = w.clock.now.Add(c.expires)
		if err := w.h.Handle(t.Context(), fixture(t, "schedule.json")); err != nil {
			t.Fatal(err)
		}
		if err := w.h.Handle(t.Context(), fixture(t, "stream-outbox-insert.json")); err != nil {
			t.Fatal(err)
		}
		lines := w.emfLines(t)
		if got := lines[0][scheduler.MetricSecurityTxtDays]; got != c.want {
			t.Errorf("expires in %v: %s = %v, want %v", c.expires, scheduler.MetricSecurityTxtDays, got, c.want)
		}
		declared := false
		for _, m := range lines[0]["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Metrics"].([]any) {
			declared = declared || m.(map[string]any)["Name"] == scheduler.MetricSecurityTxtDays
		}
		if !declared {
			t.Errorf("%s is not declared in the EMF block", scheduler.MetricSecurityTxtDays)
		}
		if _, ok := lines[1][scheduler.MetricSecurityTxtDays]; ok {
			t.Error("a stream run reports the days left")
		}
	}
	w := newWorld(t)
	if err := w.h.Handle(t.Context(), fixture(t, "schedule.json")); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.emfLines(t)[0][scheduler.MetricSecurityTxtDays]; ok {
		t.Error("a drain without content reports the days left")
	}
}
