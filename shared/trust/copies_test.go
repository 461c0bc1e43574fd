package trust_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// fakeStamper stamps by appending a line that names the recipient and the
// ID, which FindID reads back: enough for the service's rules, without the
// PDF library (package stamp and the end-to-end tests cover real copies).
// stamped counts Stamp calls; gate, when set, holds every Stamp until it
// is closed, after saying so on entered, so that concurrent first
// downloads really overlap.
type fakeStamper struct {
	stamped atomic.Int32
	next    atomic.Int32
	entered chan struct{}
	gate    chan struct{}
}

var fakeID = regexp.MustCompile(`WM-[0-9A-Z]{4}-[0-9A-Z]{4}`)

func (s *fakeStamper) NewID() string { return fmt.Sprintf("WM-TEST-%04d", s.next.Add(1)) }

func (s *fakeStamper) ParseID(v string) (string, bool) {
	v = strings.ToUpper(strings.TrimSpace(v))
	return v, fakeID.MatchString(v) && len(v) == 12
}

func (s *fakeStamper) Stamp(pdf []byte, to trust.Recipient, when time.Time, id string) ([]byte, error) {
	s.stamped.Add(1)
	if s.gate != nil {
		s.entered <- struct{}{}
		<-s.gate
	}
	return fmt.Appendf(bytes.Clone(pdf), "\nstamped for %s <%s> on %s as %s\n", to.Name, to.Email, when.UTC().Format(time.DateOnly), id), nil
}

func (s *fakeStamper) FindID(pdf []byte) (string, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return "", trust.Errorf(trust.EInvalid, "This file is not a PDF.")
	}
	if id := fakeID.Find(pdf); id != nil {
		return string(id), nil
	}
	return "", trust.ErrNoWatermark
}

// granted approves a pending request and returns it with its download
// tokens by document.
func (f *fixture) granted(t *testing.T) (trust.Request, map[string]string) {
	t.Helper()
	ctx := context.Background()
	r := f.pending(t)
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	g, err := f.svc.AccessPage(ctx, lastLink(t, f.mail.to(r.Email), "/access/"))
	if err != nil {
		t.Fatal(err)
	}
	return g.Request, g.Links
}

func (f *fixture) read(t *testing.T, key string) []byte {
	t.Helper()
	rc, err := f.blobs.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDownloadsServeOneStampedCopy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r, links := f.granted(t)
	first, err := f.svc.Download(ctx, links["soc2"], trust.Client{IP: "198.51.100.7", UserAgent: "Firefox"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.BlobKey, trust.CopiesPrefix+r.GrantID+"/soc2/v1-WM-") {
		t.Fatalf("served %s, want a copy under copies/%s/soc2/", first.BlobKey, r.GrantID)
	}
	body := f.read(t, first.BlobKey)
	id := fakeID.FindString(string(body))
	if !bytes.Contains(body, []byte("<ada@buyer.example>")) || id == "" || int64(len(body)) != first.Size {
		t.Fatalf("copy %q (size %d) is not stamped for the recipient", body, first.Size)
	}
	f.now = f.now.Add(time.Hour)
	second, err := f.svc.Download(ctx, links["soc2"], trust.Client{IP: "198.51.100.8"})
	if err != nil {
		t.Fatal(err)
	}
	if second.BlobKey != first.BlobKey || second.SHA256 != first.SHA256 || f.stamp.stamped.Load() != 1 {
		t.Fatalf("second download: %s (stamped %d times), want the kept copy %s stamped once", second.BlobKey, f.stamp.stamped.Load(), first.BlobKey)
	}

	// A new version of the document is a new copy with its own ID.
	if _, err := f.svc.Publish(ctx, admin, trust.Document{ID: "soc2", Title: "SOC 2 Type II", Access: trust.Gated, FileName: "soc2.pdf"}, []byte("%PDF-1.4 soc2 v2"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	third, err := f.svc.Download(ctx, links["soc2"], trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if third.BlobKey == first.BlobKey || !strings.Contains(third.BlobKey, "/soc2/v2-") {
		t.Fatalf("after a new version the copy is %s", third.BlobKey)
	}

	tr, err := f.svc.Trace(ctx, staff, strings.ToLower(id), trust.Client{IP: "203.0.113.9"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Copy.WatermarkID != id || tr.Request.ID != r.ID || tr.Copy.Grant != r.GrantID || tr.Copy.Version != 1 || tr.Copy.Email != r.Email {
		t.Fatalf("trace = %+v", tr.Copy)
	}
	if len(tr.Downloads) != 2 || tr.Downloads[0].IP != "198.51.100.7" || tr.Downloads[1].IP != "198.51.100.8" {
		t.Fatalf("trace downloads = %+v, want the two of version 1", tr.Downloads)
	}
	byFile, err := f.svc.TraceFile(ctx, admin, body, trust.Client{})
	if err != nil || byFile.Copy.WatermarkID != id {
		t.Fatalf("trace by file: %+v, %v", byFile.Copy, err)
	}
	_, events, _ := f.svc.Request(ctx, r.ID)
	traces := 0
	for _, e := range events {
		if e.Type == "copy.traced" && e.Watermark == id {
			traces++
		}
	}
	if traces != 2 {
		t.Fatalf("%d trace events on the request's trail, want 2", traces)
	}
}

func TestPublicDocumentsAreNotStamped(t *testing.T) {
	f := newFixture(t)
	d, err := f.svc.PublicDocument(context.Background(), "soc3", trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.BlobKey, "reports/") || f.stamp.stamped.Load() != 0 {
		t.Fatalf("public document served from %s, stamped %d times", d.BlobKey, f.stamp.stamped.Load())
	}
}

func TestCheckDownloadRecordsNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r, links := f.granted(t)
	_, before, _ := f.svc.Request(ctx, r.ID)
	if _, _, err := f.svc.CheckDownload(ctx, links["soc2"]); err != nil {
		t.Fatal(err)
	}
	_, after, _ := f.svc.Request(ctx, r.ID)
	if len(after) != len(before) || f.stamp.stamped.Load() != 0 {
		t.Fatalf("a check recorded %d events and stamped %d times", len(after)-len(before), f.stamp.stamped.Load())
	}
}

// Simultaneous first downloads may each stamp, but they all serve the one
// copy that got its record in, and the losers' files are removed.
func TestConcurrentFirstDownloadsServeOneCopy(t *testing.T) {
	const n = 8
	ctx := context.Background()
	f := newFixture(t)
	_, links := f.granted(t)
	f.stamp.gate, f.stamp.entered = make(chan struct{}), make(chan struct{})
	keys := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d, err := f.svc.Download(ctx, links["soc2"], trust.Client{IP: fmt.Sprintf("192.0.2.%d", i+1)})
			keys[i], errs[i] = d.BlobKey, err
		})
	}
	// Every download has read "no copy yet" and is stamping before any
	// of them may finish.
	for range n {
		<-f.stamp.entered
	}
	close(f.stamp.gate)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("download %d: %v", i, errs[i])
		}
		if keys[i] != keys[0] {
			t.Fatalf("download %d served %s, download 0 %s", i, keys[i], keys[0])
		}
	}
	f.read(t, keys[0])
	for i := 1; i <= n; i++ {
		key := strings.Replace(keys[0], fakeID.FindString(keys[0]), fmt.Sprintf("WM-TEST-%04d", i), 1)
		if key == keys[0] {
			continue
		}
		if rc, err := f.blobs.Open(ctx, key); err == nil {
			rc.Close()
			t.Errorf("the losing copy %s was left behind", key)
		}
	}
}

func TestRevokeRemovesCopies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r, links := f.granted(t)
	d, err := f.svc.Download(ctx, links["soc2"], trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	body := f.read(t, d.BlobKey)
	if _, err := f.svc.Revoke(ctx, staff, r.ID, "no longer needed", trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.blobs.Open(ctx, d.BlobKey); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("the copy is still kept after revocation: %v", err)
	}
	if _, err := f.svc.Download(ctx, links["soc2"], trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
		t.Fatalf("download after revoke: %v, want EForbidden", err)
	}
	// The record stays: a copy that got out before still traces back.
	tr, err := f.svc.TraceFile(ctx, staff, body, trust.Client{})
	if err != nil || tr.Request.Status != trust.Revoked {
		t.Fatalf("trace after revoke: %+v, %v", tr.Request.Status, err)
	}
}

func TestTraceRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	cases := []struct {
		name string
		run  func() error
		code trust.Code
		key  string
	}{
		{"malformed id", func() error { _, err := f.svc.Trace(ctx, staff, "hello", trust.Client{}); return err }, trust.EInvalid, "error.trace_bad_id"},
		{"unknown id", func() error { _, err := f.svc.Trace(ctx, staff, "WM-ZZZZ-ZZZZ", trust.Client{}); return err }, trust.ENotFound, "error.trace_unknown"},
		{"pdf without stamp", func() error {
			_, err := f.svc.TraceFile(ctx, staff, []byte("%PDF-1.4 plain"), trust.Client{})
			return err
		}, trust.EInvalid, "error.trace_no_stamp"},
		{"not a pdf", func() error { _, err := f.svc.TraceFile(ctx, staff, []byte("hello"), trust.Client{}); return err }, trust.EInvalid, ""},
		{"no role", func() error {
			_, err := f.svc.Trace(ctx, trust.Session{Email: "x@lumen.example"}, "WM-ZZZZ-ZZZZ", trust.Client{})
			return err
		}, trust.EForbidden, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			var e *trust.Error
			if trust.ErrorCode(err) != c.code || c.key != "" && (!errors.As(err, &e) || e.Key != c.key) {
				t.Fatalf("got %v, want %s %s", err, c.code, c.key)
			}
		})
	}
	evs, err := f.store.ListEvents(ctx, "staff:"+staff.Email)
	if err != nil || len(evs) != 1 || evs[0].Type != "copy.trace_unknown" || evs[0].Watermark != "WM-ZZZZ-ZZZZ" {
		t.Fatalf("unknown trace not audited: %+v, %v", evs, err)
	}
}
