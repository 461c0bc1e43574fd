package trust_test

import (
	"context"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// TestSweepRemovesExpiredGrantsCopies: on a fixed clock, a grant that ended
// loses its kept copy at the next sweep, whose record still traces; a grant
// still running keeps its copy; a sweep finds nothing more to do the day
// after the window, which is the bucket rule's.
func TestSweepRemovesExpiredGrantsCopies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	old, oldLinks := f.granted(t) // 30 days from now
	oldCopy, err := f.svc.Download(ctx, oldLinks["soc2"], trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	body := f.read(t, oldCopy.BlobKey)

	// Before the end nothing is swept.
	if rep, err := f.svc.SweepExpiredCopies(ctx); err != nil || rep.Grants != 0 || rep.Removed != 0 {
		t.Fatalf("sweep before the end: %+v, %v", rep, err)
	}

	f.now = old.ExpiresAt.Add(-time.Hour)
	running, runningLinks := f.granted(t)
	runningCopy, err := f.svc.Download(ctx, runningLinks["soc2"], trust.Client{})
	if err != nil {
		t.Fatal(err)
	}

	f.now = old.ExpiresAt.Add(time.Hour)
	rep, err := f.svc.SweepExpiredCopies(ctx)
	if err != nil || rep.Grants != 1 || rep.Removed != 1 || rep.Failed != 0 {
		t.Fatalf("sweep after the end: %+v, %v", rep, err)
	}
	if _, err := f.blobs.Open(ctx, oldCopy.BlobKey); trust.ErrorCode(err) != trust.ENotFound {
		t.Errorf("the ended grant's copy is still kept: %v", err)
	}
	if f.read(t, runningCopy.BlobKey) == nil || running.ExpiresAt.Before(f.now) {
		t.Error("the running grant's copy is gone")
	}
	if tr, err := f.svc.TraceFile(ctx, staff, body, trust.Client{}); err != nil || tr.Request.ID != old.ID {
		t.Errorf("the removed copy no longer traces: %+v, %v", tr.Request.ID, err)
	}

	// A second sweep in the window finds the grant again, its file gone.
	if rep, err := f.svc.SweepExpiredCopies(ctx); err != nil || rep.Grants != 1 || rep.Failed != 0 {
		t.Errorf("second sweep: %+v, %v", rep, err)
	}
	f.now = old.ExpiresAt.Add(49 * time.Hour)
	if rep, err := f.svc.SweepExpiredCopies(ctx); err != nil || rep.Grants != 0 {
		t.Errorf("sweep past the window: %+v, %v", rep, err)
	}
}
