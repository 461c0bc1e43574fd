package ndapdf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/ndapdf"
	"trustcenter/shared/trust"
)

func TestSignedNDAText(t *testing.T) {
	text := strings.Repeat("The recipient keeps the reports confidential and uses them only to assess the vendor. ", 60) +
		"\n\nGoverning law: England and Wales."
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	r := trust.Request{ID: "req_abc123", Name: "Ada Lovelace", Email: "ada@buyer.example", Company: "Buyer Ltd"}
	a := trust.Acceptance{Version: "2026-01", TextSHA256: trust.HashText(text), Signature: "Ada Lovelace", AcceptedAt: at,
		IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
	pdf, err := ndapdf.Render(trust.EvidenceFor("Lumen Ledger", r, a, text, at.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("NDAPDF_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "nda.pdf"), pdf, 0o600)
	}
	got := pdftotext(t, pdf)
	flat := strings.Join(strings.Fields(got), " ")
	for _, want := range []string{
		"Non-disclosure agreement - Lumen Ledger",
		"uses them only to assess the vendor. The recipient keeps",
		"Governing law: England and Wales.",
		"Evidence of acceptance",
		"Name: Ada Lovelace", "Email: ada@buyer.example", "Company: Buyer Ltd", "Signature: Ada Lovelace",
		"NDA version: 2026-01", "SHA-256: " + trust.HashText(text), "Accepted at: 2026-11-25 09:00:00 UTC",
		"IP address: 192.0.2.7", "User agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", "Request: req_abc123",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	if pages := strings.Count(got, "\f"); pages < 2 {
		t.Errorf("a long text fits %d page(s); want it to flow onto a second", pages)
	}
}

func TestNonLatinNamesAreSpelledOut(t *testing.T) {
	r := trust.Request{ID: "req_1", Name: "李雷", Email: "li@buyer.example", Company: "Buyer"}
	pdf, err := ndapdf.Render(trust.EvidenceFor("Lumen", r, trust.Acceptance{Signature: `李雷 \ Ω`}, "Text.", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(pdftotext(t, pdf)), " ")
	if !strings.Contains(flat, "Name: <U+674E><U+96F7>") || !strings.Contains(flat, "<U+005C> <U+03A9>") {
		t.Errorf("non-Latin-1 text not spelled as code points:\n%s", flat)
	}
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "nda.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}
