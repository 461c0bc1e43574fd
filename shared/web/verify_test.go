package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// TestVerifyNeverRevealsRecipient: a watermark ID from a real stamped copy
// is answered as genuine with its document and version, typed in any
// case and without dashes, and the page holds nothing of the recipient
// or their request; an unknown ID and a malformed one say so.
func TestVerifyNeverRevealsRecipient(t *testing.T) {
	ctx := t.Context()
	f := newDownloadsFixture(t)
	now := time.Now()
	req := trust.Request{ID: "req_verify1", Name: "Ada Quillfeather", Email: "ada.quill@buyer.example", Company: "Buyer Widgets Ltd",
		Documents: []string{"report-gated"}, Status: trust.Approved, CreatedAt: now, GrantID: "gnt_verify1", ExpiresAt: now.Add(time.Hour),
		NDA: trust.Acceptance{Seq: 1, Series: 1, TextSHA256: "ab"}}
	if err := f.store.Commit(ctx, trust.Tx{Request: &req}); err != nil {
		t.Fatal(err)
	}
	link, err := f.signer.Sign(trust.DownloadLink, trust.Claims{Request: req.ID, Grant: req.GrantID, Document: "report-gated", ExpiresAt: now.Add(time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if rec := f.serve(t, Download, httptest.NewRequest("GET", "/download/"+link, nil)); rec.Code != http.StatusOK {
		t.Fatalf("download: %d", rec.Code)
	}
	copies, err := f.store.ListCopies(ctx, req.GrantID)
	if err != nil || len(copies) != 1 {
		t.Fatalf("copies: %v, %v", copies, err)
	}
	id := copies[0].WatermarkID
	typed := strings.ToLower(strings.ReplaceAll(id, "-", " "))

	rec := f.serve(t, Download, httptest.NewRequest("GET", "/verify?id="+strings.ReplaceAll(typed, " ", "+"), nil))
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "Genuine copy") || !strings.Contains(body, id) ||
		!strings.Contains(body, "<dd>1</dd>") {
		t.Fatalf("verify %q: %d, want the genuine copy %s of version 1:\n%s", typed, rec.Code, id, body)
	}
	for _, secret := range []string{req.Name, "Quillfeather", req.Email, "buyer.example", req.Company, req.ID, req.GrantID, copies[0].BlobKey} {
		if strings.Contains(body, secret) {
			t.Errorf("the verify page reveals %q", secret)
		}
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}

	for target, want := range map[string]int{
		"/verify":                            http.StatusOK,
		"/verify?id=WM-0000-0000":            http.StatusNotFound,
		"/verify?id=not-an-id":               http.StatusBadRequest,
		"/verify?id=&lang=zh-CN":             http.StatusBadRequest,
		"/verify?id=WM-0000-0000&lang=zh-CN": http.StatusNotFound,
	} {
		rec := f.serve(t, Download, httptest.NewRequest("GET", target, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", target, rec.Code, want)
		}
		if want != http.StatusOK && !strings.Contains(rec.Body.String(), `role="alert"`) {
			t.Errorf("GET %s: no message says what is wrong", target)
		}
	}
}
