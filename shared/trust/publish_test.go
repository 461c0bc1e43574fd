package trust_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"trustcenter/shared/trust"
)

// fileInfo is an Inspector that accepts any file and hashes it, so the
// domain's rules are tested without the PDF engine.
type fileInfo struct{}

func (fileInfo) Inspect(pdf []byte) (trust.FileInfo, error) {
	sum := sha256.Sum256(pdf)
	return trust.FileInfo{Pages: 1, Size: int64(len(pdf)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// TestPublishUploadRules: only admins take any step; each person with an
// active grant is counted and mailed once, however many grants they hold.
func TestPublishUploadRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) { e.Inspect = fileInfo{} })
	for range 2 {
		r := f.pending(t)
		if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	form, err := f.svc.UploadForm(ctx, admin, "soc2")
	if err != nil || form.Direct || form.URL != trust.UploadPath("soc2") {
		t.Fatalf("upload form %+v: %v", form, err)
	}
	key := form.Fields[0][1]
	file := "%PDF-1.7 version two, long enough not to look cut short"
	if err := f.svc.Receive(ctx, admin, "soc2", key, strings.NewReader(file), int64(len(file))); err != nil {
		t.Fatalf("Receive: %v", err)
	}
	doc := trust.Document{ID: "soc2", Title: "SOC 2 Type II", Kind: "SOC 2 Type II", Access: trust.Gated, FileName: "soc2.pdf"}
	rv, err := f.svc.Review(ctx, admin, doc, key)
	if err != nil || rv.Refused != nil || len(rv.Warnings) != 0 || rv.NextVersion() != 2 {
		t.Fatalf("review %+v: %v", rv, err)
	}
	if len(rv.Holders) != 1 {
		t.Errorf("%d holders, want Ada once for her two grants", len(rv.Holders))
	}

	forbidden := []struct {
		step string
		err  error
	}{}
	add := func(step string, err error) {
		forbidden = append(forbidden, struct {
			step string
			err  error
		}{step, err})
	}
	_, err = f.svc.UploadForm(ctx, staff, "soc2")
	add("upload form", err)
	add("receive", f.svc.Receive(ctx, staff, "soc2", key, strings.NewReader(file), int64(len(file))))
	_, err = f.svc.Review(ctx, staff, doc, key)
	add("review", err)
	_, err = f.svc.PublishUpload(ctx, staff, doc, key, trust.PublishOptions{SHA256: rv.Info.SHA256, Confirmed: true}, trust.Client{})
	add("publish", err)
	_, _, _, err = f.svc.History(ctx, staff, "soc2")
	add("history", err)
	_, err = f.svc.Rollback(ctx, staff, "soc2", 1, trust.Client{})
	add("rollback", err)
	_, err = f.svc.OpenVersion(ctx, staff, "soc2", 1, trust.Client{})
	add("version download", err)
	for _, c := range forbidden {
		if trust.ErrorCode(c.err) != trust.EForbidden {
			t.Errorf("an approver's %s: %v, want forbidden", c.step, c.err)
		}
	}

	before := len(f.mail.to("ada@buyer.example"))
	if _, err := f.svc.PublishUpload(ctx, admin, doc, key, trust.PublishOptions{SHA256: "another file"}, trust.Client{}); trust.ErrorCode(err) != trust.EConflict {
		t.Errorf("publishing a file other than the one reviewed: %v", err)
	}
	d, err := f.svc.PublishUpload(ctx, admin, doc, key, trust.PublishOptions{SHA256: rv.Info.SHA256, Notify: true}, trust.Client{})
	if err != nil || d.Version != 2 || len(d.History) != 2 || d.History[1].By != admin.Email || d.Pages != 1 {
		t.Fatalf("published %+v: %v", d, err)
	}
	if n := len(f.mail.to("ada@buyer.example")) - before; n != 1 {
		t.Errorf("%d new-version mails to Ada, want 1", n)
	}
}
