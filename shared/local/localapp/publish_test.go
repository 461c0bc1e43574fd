package localapp_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"trustcenter/shared/local/sample"
	"trustcenter/shared/testkit/pdftest"
	"trustcenter/shared/trust"
)

const soc2 = "soc2-type2-2026"

var (
	formRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]+)" enctype="multipart/form-data">(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

// uploadForm is the documents page's form for doc: its action and hidden
// fields, as a browser would send them.
func (h *harness) uploadForm(doc string) (string, url.Values) {
	h.t.Helper()
	res := h.get("/admin/documents")
	if res.Status != http.StatusOK {
		h.t.Fatalf("documents page: %d", res.Status)
	}
	for _, m := range formRe.FindAllStringSubmatch(res.Body, -1) {
		if !strings.Contains(m[2], `id="file-`+doc+`"`) {
			continue
		}
		fields := url.Values{}
		for _, f := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
			fields.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
		}
		return html.UnescapeString(m[1]), fields
	}
	h.t.Fatalf("the documents page has no upload form for %s", doc)
	return "", nil
}

// postFile sends fields and then file as the form's multipart post.
func (h *harness) postFile(action string, fields url.Values, file []byte) response {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", "report.pdf")
	fw.Write(file)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, h.abs(action), &body)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.do(req)
}

// upload sends file through doc's form and returns the review page's
// address it lands on.
func (h *harness) upload(doc string, file []byte) string {
	h.t.Helper()
	action, fields := h.uploadForm(doc)
	res := h.postFile(action, fields, file)
	loc := res.Header.Get("Location")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/documents/"+doc+"/confirm?key=") {
		h.t.Fatalf("upload to %s: %d to %q, want 303 to its review", doc, res.Status, loc)
	}
	return loc
}

// publish posts the review page's form, with the boxes ticked as given.
func (h *harness) publish(review response, doc string, confirm, notify bool) response {
	h.t.Helper()
	form := url.Values{}
	for _, f := range hiddenRe.FindAllStringSubmatch(review.Body, -1) {
		form.Set(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	if confirm {
		form.Set("confirm", "1")
	}
	if notify {
		form.Set("notify", "1")
	}
	return h.post("/admin/documents/"+doc+"/publish", form)
}

// TestPublishRefusesBadFiles: the review names what is wrong with a file
// that cannot be delivered, and offers nothing to publish.
func TestPublishRefusesBadFiles(t *testing.T) {
	h := boot(t, nil)
	h.signIn("admin@trust.localhost")
	good := sample.SOC2TypeII()
	for _, c := range []struct {
		name, want string
		file       []byte
	}{
		{"not a PDF", "this file is not a PDF", []byte("GIF89a not a pdf at all")},
		{"truncated", "damaged or incomplete", good[:len(good)/2]},
		{"user password", "needs a password to open", pdftest.WithUserPassword(t, good, "secret")},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			review := h.get(h.upload(soc2, c.file))
			if review.Status != http.StatusOK || !strings.Contains(review.Body, "This file cannot be published.") || !strings.Contains(review.Body, c.want) {
				t.Fatalf("review: %d, want the refusal %q:\n%s", review.Status, c.want, review.Body)
			}
			if strings.Contains(review.Body, `/publish"`) {
				t.Error("a refused file is offered for publishing")
			}
		})
	}
}

// TestPublishReviewConfirmRollback walks the whole flow on the local server:
// a clean upload states what it replaces and who gets it, publishes on
// confirmation and mails the holders; uploads that look wrong need the
// box ticked; the history lists each version, serves its file and rolls
// back; and an approver can do none of it.
func TestPublishReviewConfirmRollback(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Ada Lovelace", "ada@buyer.example", 30, soc2)
	// A grant without this document: Grace is not one of the people to tell.
	h.approve("Grace Hopper", "grace@buyer.example", 30, "soc1-type2-2026")
	v1 := sample.SOC2TypeII()

	// A clean new version: no warnings, and the review says what happens.
	v2 := pdftest.Minimal("Lumen Ledger SOC 2 Type II Report, second edition", len(v1))
	// Holders download stamped copies: the edition's words tell the file.
	serves := func(link, words string) bool {
		dl := h.get(link)
		return dl.Status == http.StatusOK && strings.Contains(pdftest.Text(t, []byte(dl.Body)), words)
	}
	review := h.get(h.upload(soc2, v2))
	for _, want := range []string{"This replaces version 1 of", "with version 2.", "1 person with active access will get version 2.", `name="notify"`, "Publish version 2"} {
		if !strings.Contains(review.Body, want) {
			t.Errorf("the review does not say %q", want)
		}
	}
	if strings.Contains(review.Body, `name="confirm"`) {
		t.Error("a clean upload asks to confirm warnings")
	}
	before := len(h.mailsTo("ada@buyer.example", "/access/"))
	res := h.publish(review, soc2, false, true)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", res.Status, res.Body)
	}
	if done := h.get(res.Header.Get("Location")); !strings.Contains(done.Body, "version 2 is published.") {
		t.Errorf("after publishing, the documents page does not name the version:\n%s", done.Body)
	}
	mails := h.mailsTo("ada@buyer.example", "/access/")
	if len(mails) != before+1 || !strings.Contains(mails[len(mails)-1].Body, "(version 2) is ready") {
		t.Fatalf("new-version mails to the holder: %d (was %d), want one saying version 2", len(mails), before)
	}
	for _, m := range h.mailsTo("grace@buyer.example", "") {
		if strings.Contains(m.Body, "is ready for you") {
			t.Error("a requester without the document was told of its new version")
		}
	}
	if !serves(g.download, "second edition") {
		t.Fatal("the link sent before does not serve version 2")
	}
	// Publishing the same upload twice cannot make a third version.
	if again := h.publish(review, soc2, false, false); again.Status == http.StatusSeeOther {
		t.Error("the same upload published twice")
	}

	// Uploads that look wrong: each warning, and no publishing without the box.
	for _, c := range []struct {
		name, want string
		file       []byte
	}{
		{"same file as an earlier version", "identical to version 1 of this document", v1},
		{"another framework", "names SOC 1; this document is SOC 2", sample.SOC1TypeII()},
		{"another type", "names Type I; this document is Type II", pdftest.Minimal("Lumen Ledger SOC 2 Type I Report", len(v2))},
		{"much smaller", "less than half the size of version 2", pdftest.Minimal("Lumen Ledger SOC 2 Type II Report", 0)},
		{"same as another document", "identical to SOC 3", h.storedFile(t, "soc3-2026")},
	} {
		review := h.get(h.upload(soc2, c.file))
		if !strings.Contains(html.UnescapeString(review.Body), c.want) || !strings.Contains(review.Body, `name="confirm"`) {
			t.Errorf("%s: the review does not warn %q with a box to tick", c.name, c.want)
			continue
		}
		if res := h.publish(review, soc2, false, false); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Tick the box") {
			t.Errorf("%s: publishing without the box: %d", c.name, res.Status)
		}
	}
	review = h.get(h.upload(soc2, sample.SOC1TypeII()))
	if res := h.publish(review, soc2, true, false); res.Status != http.StatusSeeOther {
		t.Fatalf("publishing with the warnings confirmed: %d", res.Status)
	}

	// A review cannot be pointed at a published file or another document's upload.
	soc3Review := h.upload("soc3-2026", v2)
	key := strings.TrimPrefix(soc3Review, "/admin/documents/soc3-2026/confirm?key=")
	for _, k := range []string{key, "reports/" + soc2 + "/v1.pdf", "incoming/" + soc2 + "/../../keys.json"} {
		if res := h.get("/admin/documents/" + soc2 + "/confirm?key=" + k); res.Status != http.StatusBadRequest {
			t.Errorf("review of key %q: %d, want 400", k, res.Status)
		}
	}

	// History: newest first, with who, size, hash and pages; each version downloads.
	hist := h.get("/admin/documents/" + soc2)
	if hist.Status != http.StatusOK {
		t.Fatalf("history: %d", hist.Status)
	}
	for _, want := range []string{"/versions/3", "/versions/2", "/versions/1", "admin@trust.localhost", sha256hex(v2), "document.published"} {
		if !strings.Contains(hist.Body, want) {
			t.Errorf("the history does not show %q", want)
		}
	}
	if dl := h.get("/admin/documents/" + soc2 + "/versions/1"); dl.Status != http.StatusOK || dl.Body != string(v1) {
		t.Errorf("version 1's download: %d, %d bytes", dl.Status, len(dl.Body))
	}

	// Rollback to version 2: a new version 4 that serves version 2's file.
	csrf := csrfRe.FindStringSubmatch(hist.Body)[1]
	if res := h.post("/admin/documents/"+soc2+"/rollback", url.Values{"csrf": {csrf}, "version": {"3"}}); res.Status != http.StatusBadRequest {
		t.Errorf("rolling back to the current version: %d", res.Status)
	}
	res = h.post("/admin/documents/"+soc2+"/rollback", url.Values{"csrf": {csrf}, "version": {"2"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("rollback: %d %s", res.Status, res.Body)
	}
	if done := h.get(res.Header.Get("Location")); !strings.Contains(done.Body, "version 4 is published, with the file of version 2.") {
		t.Error("after the rollback, the documents page does not say what happened")
	}
	if !serves(g.download, "second edition") {
		t.Error("after the rollback, the holder's link does not serve version 2's file")
	}
	hist = h.get("/admin/documents/" + soc2)
	if !strings.Contains(hist.Body, "restores version 2") || !strings.Contains(hist.Body, "document.rolled_back") {
		t.Error("the history does not record the rollback")
	}

	// An approver, in a browser session of their own, may do none of it.
	approver := &harness{t: t, local: h.local, base: h.base, outbox: h.outbox, client: newClient()}
	approverCSRF := approver.signIn("sales@trust.localhost")
	for _, path := range []string{"/admin/documents", "/admin/documents/" + soc2, "/admin/documents/" + soc2 + "/versions/1", soc3Review} {
		if res := approver.get(path); res.Status != http.StatusForbidden {
			t.Errorf("an approver opening %s: %d", path, res.Status)
		}
	}
	if res := approver.postFile(trust.UploadPath(soc2), url.Values{"csrf": {approverCSRF}, "key": {"incoming/" + soc2 + "/AAAAAAAAAAAAAAAAAAAAAAAA.pdf"}}, v2); res.Status != http.StatusForbidden {
		t.Errorf("an approver uploading: %d", res.Status)
	}
	if res := approver.post("/admin/documents/"+soc2+"/rollback", url.Values{"csrf": {approverCSRF}, "version": {"1"}}); res.Status != http.StatusForbidden {
		t.Errorf("an approver rolling back: %d", res.Status)
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// storedFile is the current file of doc, as its public or admin download
// serves it.
func (h *harness) storedFile(t *testing.T, doc string) []byte {
	t.Helper()
	res := h.get("/documents/" + doc)
	if res.Status != http.StatusOK {
		t.Fatalf("download %s: %d", doc, res.Status)
	}
	return []byte(res.Body)
}
