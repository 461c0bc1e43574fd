package localapp_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"trustcenter/shared/local/sample"
	"trustcenter/shared/testkit/browsertest"
	"trustcenter/shared/testkit/pdftest"
)

var (
	watermarkRe = regexp.MustCompile(`WM-[0-9A-Z]{4}-[0-9A-Z]{4}`)
	grantRe     = regexp.MustCompile(`gnt_[A-Za-z0-9_-]+`)
)

// traceUpload posts file to the trace form as the signed-in staff member.
func (h *harness) traceUpload(csrf string, file []byte) response {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", "found.pdf")
	fw.Write(file)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, h.base+"/admin/trace", &body)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.do(req)
}

// stampedFor checks that every page of pdf names email and carries one
// watermark ID, the same on each, and returns it.
func stampedFor(t *testing.T, pdf []byte, email string) string {
	t.Helper()
	pdftest.Check(t, pdf)
	id := ""
	for page := 1; page <= pdftest.Pages(t, pdf); page++ {
		text := pdftest.PageText(t, pdf, page)
		ids := watermarkRe.FindAllString(text, -1)
		if !strings.Contains(text, email) || len(ids) == 0 {
			t.Fatalf("page %d does not name %s with a watermark ID:\n%s", page, email, text)
		}
		for _, got := range ids {
			if id == "" {
				id = got
			}
			if got != id {
				t.Fatalf("page %d carries %s and %s", page, id, got)
			}
		}
	}
	return id
}

// countOf counts the occurrences of an event type on a request's page.
func (h *harness) countOf(id, eventType string) int {
	h.t.Helper()
	return strings.Count(h.get("/admin/requests/"+id).Body, "<td>"+eventType+"</td>")
}

// TestStampedCopies: a requester's downloads are one copy stamped for them,
// staff trace it by ID and by file to the right grant, and revoking the
// grant removes the copy and refuses the link.
func TestStampedCopies(t *testing.T) {
	pdftest.RequireTools(t)
	h := boot(t, nil)
	ada := h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026")

	// HEAD asks about the link and takes nothing: no copy, no download.
	req, _ := http.NewRequest(http.MethodHead, h.abs(ada.download), nil)
	if res := h.do(req); res.Status != http.StatusOK || res.Body != "" {
		t.Fatalf("HEAD on a granted link: %d %q", res.Status, res.Body)
	}
	if n, m := h.countOf(ada.id, "document.downloaded"), h.countOf(ada.id, "copy.stamped"); n != 0 || m != 0 {
		t.Fatalf("HEAD recorded %d downloads and %d copies", n, m)
	}

	start := time.Now()
	first := h.get(ada.download)
	firstTook := time.Since(start)
	if first.Status != http.StatusOK || first.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("first download: %d %v", first.Status, first.Header)
	}
	id := stampedFor(t, []byte(first.Body), "ada@buyer.example")
	if info := pdftest.Info(t, []byte(first.Body)); !strings.Contains(info["Keywords"], id) {
		t.Errorf("the copy's properties do not name %s: %v", id, info)
	}
	start = time.Now()
	second := h.get(ada.download)
	secondTook := time.Since(start)
	if second.Status != http.StatusOK || second.Body != first.Body || second.Header.Get("ETag") != first.Header.Get("ETag") {
		t.Fatalf("second download is not the same copy: %d, ETag %s vs %s", second.Status, second.Header.Get("ETag"), first.Header.Get("ETag"))
	}
	t.Logf("first download (stamps) %v, second (kept copy) %v, %d bytes", firstTook, secondTook, len(first.Body))
	if n, m := h.countOf(ada.id, "document.downloaded"), h.countOf(ada.id, "copy.stamped"); n != 2 || m != 1 {
		t.Fatalf("%d downloads and %d copies recorded, want 2 and 1", n, m)
	}

	// The public SOC 3 is the file itself, unstamped.
	if soc3 := h.get("/documents/soc3-2026"); soc3.Body != string(sample.SOC3()) {
		t.Error("the public SOC 3 is not served as published")
	}

	// Another recipient gets a copy of their own.
	grace := h.approve("Grace Hopper", "grace@navy.example", 30, "soc2-type2-2026")
	other := h.get(grace.download)
	otherID := stampedFor(t, []byte(other.Body), "grace@navy.example")
	if otherID == id || strings.Contains(pdftest.Text(t, []byte(other.Body)), "ada@buyer.example") {
		t.Fatalf("Grace's copy carries Ada's mark (%s, %s)", otherID, id)
	}

	// The request page links each download to its trace; an approver may
	// trace.
	csrf := h.signIn("sales@trust.localhost")
	if page := h.get("/admin/requests/" + ada.id); !strings.Contains(page.Body, `href="/admin/trace?id=`+id+`"`) {
		t.Fatal("the request page does not link the download to its trace")
	}
	byID := h.get("/admin/trace?id=" + strings.ToLower(id))
	if byID.Status != http.StatusOK {
		t.Fatalf("trace by id: %d", byID.Status)
	}
	for _, want := range []string{"Ada Lovelace", "ada@buyer.example", "Example Buyer Ltd", ada.id, "SOC 2 Type II", "version 1", "Downloads of this copy (2)", "127.0.0.1"} {
		if !strings.Contains(byID.Body, want) {
			t.Errorf("trace by id lacks %q", want)
		}
	}
	grant := grantRe.FindString(byID.Body)
	if grant == "" || strings.Contains(byID.Body, grace.id) {
		t.Fatalf("trace by id names grant %q or Grace's request", grant)
	}
	byFile := h.traceUpload(csrf, []byte(first.Body))
	if byFile.Status != http.StatusOK || !strings.Contains(byFile.Body, ada.id) || !strings.Contains(byFile.Body, grant) || strings.Contains(byFile.Body, grace.id) {
		t.Fatalf("trace by file: %d, does not lead to Ada's grant %s alone", byFile.Status, grant)
	}
	if res := h.traceUpload(csrf, []byte(other.Body)); !strings.Contains(res.Body, grace.id) || strings.Contains(res.Body, ada.id) {
		t.Fatal("Grace's copy does not trace to Grace alone")
	}
	if n := h.countOf(ada.id, "copy.traced"); n != 2 {
		t.Errorf("%d traces on Ada's trail, want 2", n)
	}

	refusals := []struct {
		name   string
		res    response
		status int
		says   string
	}{
		{"unknown id", h.get("/admin/trace?id=WM-ZZZZ-ZZZZ"), http.StatusNotFound, "No copy has the watermark ID WM-ZZZZ-ZZZZ"},
		{"not an id", h.get("/admin/trace?id=hello"), http.StatusBadRequest, "That is not a watermark ID"},
		{"unstamped pdf", h.traceUpload(csrf, sample.SOC3()), http.StatusBadRequest, "This PDF carries no watermark ID"},
		{"not a pdf", h.traceUpload(csrf, []byte("GIF89a")), http.StatusBadRequest, "not a PDF"},
	}
	for _, r := range refusals {
		if r.res.Status != r.status || !strings.Contains(r.res.Body, r.says) {
			t.Errorf("%s: %d, want %d saying %q", r.name, r.res.Status, r.status, r.says)
		}
	}

	// Revoking removes the kept copy and refuses the link; the record
	// still traces.
	copies := filepath.Join(h.local.Config.DataDir, "reports", "copies", grant)
	if files, _ := filepath.Glob(filepath.Join(copies, "*", "*.pdf")); len(files) != 1 {
		t.Fatalf("kept copies of the grant before revoking: %v", files)
	}
	if res := h.post("/admin/requests/"+ada.id+"/revoke", url.Values{"csrf": {csrf}, "reason": {"The evaluation ended."}, "confirm": {"1"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	if files, _ := filepath.Glob(filepath.Join(copies, "*", "*.pdf")); len(files) != 0 {
		t.Fatalf("copies left after revoking: %v", files)
	}
	if res := h.get(ada.download); res.Status != http.StatusForbidden {
		t.Fatalf("download after revoke: %d", res.Status)
	}
	req, _ = http.NewRequest(http.MethodHead, h.abs(ada.download), nil)
	if res := h.do(req); res.Status != http.StatusForbidden {
		t.Fatalf("HEAD after revoke: %d", res.Status)
	}
	if res := h.get("/admin/trace?id=" + id); res.Status != http.StatusOK || !strings.Contains(res.Body, "Revoked") {
		t.Fatalf("trace after revoke: %d", res.Status)
	}
}

// TestConcurrentFirstDownloads: several first downloads of one grant's
// document at once all get the same copy.
func TestConcurrentFirstDownloads(t *testing.T) {
	pdftest.RequireTools(t)
	h := boot(t, nil)
	g := h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026")
	const n = 6
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := http.Get(h.abs(g.download))
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(res.Body)
			if res.StatusCode != http.StatusOK {
				t.Errorf("download %d: %d", i, res.StatusCode)
			}
			bodies[i] = b.String()
		})
	}
	wg.Wait()
	for i := range n {
		if bodies[i] != bodies[0] {
			t.Fatalf("download %d got another copy than download 0", i)
		}
	}
	stampedFor(t, []byte(bodies[0]), "ada@buyer.example")
	h.signIn("admin@trust.localhost")
	if m := h.countOf(g.id, "copy.stamped"); m != 1 {
		t.Fatalf("%d copies recorded, want 1", m)
	}
	files, _ := filepath.Glob(filepath.Join(h.local.Config.DataDir, "reports", "copies", "*", "*", "*.pdf"))
	if len(files) != 1 {
		t.Fatalf("kept files: %v, want the one copy", files)
	}
}

// TestBrowserTrace traces a copy in the browser as staff do: typing the ID
// from a leaked page into the form. The page is audited with axe in every
// view, found and not found, and saved at desktop and phone widths.
func TestBrowserTrace(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Katherine Johnson", "katherine@buyer.example", 30, "soc2-type2-2026")
	for range 2 {
		if res := h.get(g.download); res.Status != http.StatusOK {
			t.Fatalf("download: %d", res.Status)
		}
	}
	id := watermarkRe.FindString(h.get("/admin/requests/" + g.id).Body)
	if id == "" {
		t.Fatal("the request page names no watermark ID")
	}
	b := newTab(t, h)
	b.signInStaff("sales@trust.localhost")
	b.open("/admin/trace")
	b.audit("trace form")
	b.do("typing the watermark ID", chromedp.Focus(chromedp.ID("id")), chromedp.KeyEvent(strings.ToLower(id)))
	b.follow("looking it up", chromedp.KeyEvent("\r"))
	if got := b.text(`#found-h`); !strings.Contains(got, id) {
		t.Fatalf("the trace heading says %q, want %s", got, id)
	}
	if got := b.text(`dl.kv`); !strings.Contains(got, "katherine@buyer.example") || !strings.Contains(got, g.id) {
		t.Fatalf("the trace does not name the recipient and request: %q", got)
	}
	b.audit("trace found")
	for _, width := range []int{1280, 375} {
		height := 900
		if width < 600 {
			height = 740
		}
		browsertest.Screenshot(t, b.ctx, fmt.Sprintf("trace-%d", width), width, height)
		if sw, iw := eval[int](b, `document.documentElement.scrollWidth`), eval[int](b, `window.innerWidth`); sw > iw {
			t.Errorf("trace at %d px: page is %d px wide; too wide: %s", width, sw, eval[string](b, wideElementsJS))
		}
	}
	if res := run(b, "tracing an unknown id", chromedp.NavigateResponse(h.base+"/admin/trace?id=WM-ZZZZ-ZZZZ")); res == nil || res.Status != http.StatusNotFound {
		t.Fatalf("an unknown id in the browser: %+v", res)
	}
	if got := b.text(`[role="alert"]`); !strings.Contains(got, "WM-ZZZZ-ZZZZ") {
		t.Fatalf("unknown id answered %q", got)
	}
	b.audit("trace not found")
}
