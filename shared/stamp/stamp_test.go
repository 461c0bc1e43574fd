package stamp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/testkit/pdftest"
)

var (
	jane = Recipient{Name: "Jane Doe", Company: "Acme Corp", Email: "jane@acme.example"}
	omar = Recipient{Name: "Omar Haddad", Company: "Borealis GmbH", Email: "omar.haddad@borealis.example"}
	when = time.Date(2026, time.December, 1, 23, 30, 0, 0, time.FixedZone("PST", -8*3600))
)

// accepted lists the shapes of PDF that must open and stamp, each built
// from scratch in the test's temporary folder.
var accepted = []struct {
	name  string
	pages []psPage
	make  func(t *testing.T, dir string, gs []byte) []byte
}{
	{"ghostscript A4", []psPage{a4, a4, a4}, nil},
	{"ghostscript Letter landscape", []psPage{letterL, letterL}, nil},
	{"mixed page sizes", []psPage{a4, letterL, a5, legal}, nil},
	{"object streams", []psPage{a4, a4}, func(t *testing.T, dir string, gs []byte) []byte {
		return qpdf(t, dir, gs, "--object-streams=generate")
	}},
	{"linearized", []psPage{a4, a4, a4}, func(t *testing.T, dir string, gs []byte) []byte {
		return qpdf(t, dir, gs, "--linearize")
	}},
	{"rotated pages", []psPage{a4, a4, a4, a4}, func(t *testing.T, dir string, gs []byte) []byte {
		return qpdf(t, dir, gs, "--rotate=+90:2", "--rotate=+180:3", "--rotate=+270:4")
	}},
	{"mixed sizes, rotated", []psPage{a4, letterL, a5}, func(t *testing.T, dir string, gs []byte) []byte {
		return qpdf(t, dir, gs, "--rotate=+90:1,3", "--object-streams=generate")
	}},
	{"owner password only", []psPage{a4, a4}, func(t *testing.T, dir string, gs []byte) []byte {
		return qpdf(t, dir, gs, "--encrypt", "", "owner-secret", "256", "--")
	}},
	{"owner password, changes and copying forbidden", []psPage{a4, a4}, func(t *testing.T, dir string, gs []byte) []byte {
		return qpdf(t, dir, gs, "--encrypt", "", "owner-secret", "128", "--use-aes=y", "--modify=none", "--extract=n", "--")
	}},
	{"cairo", []psPage{a4, letterL}, func(t *testing.T, dir string, gs []byte) []byte {
		return cairo(t, dir, gs)
	}},
}

func TestStampAcceptedShapes(t *testing.T) {
	pdftest.RequireTools(t)
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := ghostscript(t, dir, tc.pages)
			if tc.make != nil {
				src = tc.make(t, dir, src)
			}
			before := pdftest.PageList(t, src)

			info, err := Inspect(src)
			if err != nil {
				t.Fatalf("Inspect refused it: %v", err)
			}
			sum := sha256.Sum256(src)
			if info.Pages != len(tc.pages) || info.Size != int64(len(src)) || info.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("Inspect = %+v, want %d pages, %d bytes and the file's SHA-256", info, len(tc.pages), len(src))
			}
			if want := strings.HasPrefix(tc.name, "owner password"); info.OwnerPassword != want {
				t.Errorf("OwnerPassword = %v, want %v", info.OwnerPassword, want)
			}

			id := NewID()
			out, err := Stamp(src, jane, when, id)
			if err != nil {
				t.Fatalf("Stamp: %v", err)
			}
			preview(t, tc.name, out)
			pdftest.Check(t, out)
			after := pdftest.PageList(t, out)
			if len(after) != len(before) {
				t.Fatalf("stamped copy has %d pages, the original %d", len(after), len(before))
			}
			for i := range before {
				n := i + 1
				if after[i] != before[i] {
					t.Errorf("page %d: size and rotation %+v, the original's %+v", n, after[i], before[i])
				}
				text := pdftest.Normalize(pdftest.PageText(t, out, n))
				for _, want := range []string{jane.Email, id, "2026-12-02 UTC", jane.Name + " · " + jane.Company, pageMarker(n)} {
					if !strings.Contains(text, want) {
						t.Errorf("page %d text lacks %q:\n%s", n, want, text)
					}
				}
				// The diagonal comes out one glyph per line, so it is found
				// in drawing order with the spaces squeezed out.
				raw := pdftest.Squash(pdftest.RawPageText(t, out, n))
				if diag := pdftest.Squash(jane.Email + id); !strings.Contains(raw, diag) {
					t.Errorf("page %d: no diagonal mark %q in %q", n, diag, raw)
				}
			}
			if got := pdftest.Info(t, out)["Keywords"]; !strings.Contains(got, id) {
				t.Errorf("Keywords %q lack the watermark ID", got)
			}
			if got, err := FindID(out); err != nil || got != id {
				t.Errorf("FindID = %q, %v; want %q", got, err, id)
			}
		})
	}
}

func TestRefusedShapes(t *testing.T) {
	pdftest.RequireTools(t)
	dir := t.TempDir()
	gs := ghostscript(t, dir, []psPage{a4, a4, a4})
	refused := []struct {
		name string
		data []byte
		want error
	}{
		{"user password", qpdf(t, dir, gs, "--encrypt", "user-secret", "owner-secret", "256", "--"), ErrPassword},
		{"user password, RC4", qpdf(t, dir, gs, "--allow-weak-crypto", "--encrypt", "user-secret", "owner-secret", "128", "--use-aes=n", "--"), ErrPassword},
		{"truncated to half", gs[:len(gs)/2], ErrDamaged},
		{"truncated before the trailer", gs[:len(gs)-200], ErrDamaged},
		{"PDF header then garbage", []byte("%PDF-1.7\n" + strings.Repeat("garbage ", 200)), ErrDamaged},
		{"PostScript", []byte(postScript([]psPage{a4})), ErrNotPDF},
		{"HTML", []byte("<!doctype html><title>report</title><p>SOC 2"), ErrNotPDF},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrNotPDF},
		{"empty", nil, ErrNotPDF},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Inspect(tc.data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Inspect error %v, want %v", err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Error() != tc.want.Error() {
				t.Errorf("error %q should be the refusal's message %q", err, tc.want)
			}
			if _, err := Stamp(tc.data, jane, when, NewID()); !errors.Is(err, tc.want) {
				t.Errorf("Stamp error %v, want %v", err, tc.want)
			}
			if _, err := FindID(tc.data); !errors.Is(err, tc.want) {
				t.Errorf("FindID error %v, want %v", err, tc.want)
			}
		})
	}
	if !strings.Contains(ErrPassword.Error(), "upload a copy without an open password") {
		t.Errorf("ErrPassword says %q", ErrPassword)
	}
}

// Two recipients' copies of one report must each lead back to their own
// delivery, whichever way the ID is read.
func TestCopiesNameTheirOwnRecipient(t *testing.T) {
	pdftest.RequireTools(t)
	dir := t.TempDir()
	src := ghostscript(t, dir, []psPage{a4, letterL})
	janeID, omarID := NewID(), NewID()
	forJane, err := Stamp(src, jane, when, janeID)
	if err != nil {
		t.Fatal(err)
	}
	forOmar, err := Stamp(src, omar, when, omarID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := FindID(forOmar); err != nil || got != omarID {
		t.Fatalf("FindID(Omar's copy) = %q, %v; want %q", got, err, omarID)
	}
	text := pdftest.Text(t, forOmar)
	for _, leak := range []string{janeID, jane.Email, jane.Name} {
		if strings.Contains(text, leak) {
			t.Errorf("Omar's copy shows %q from Jane's", leak)
		}
	}
	if bytes.Contains(forOmar, []byte(janeID)) {
		t.Error("Omar's copy holds Jane's ID somewhere in its bytes")
	}

	// With the metadata gone, the ID is read from the pages.
	stripped := withoutMetadata(t, forOmar, omarID)
	if info := pdftest.Info(t, stripped); strings.Contains(info["Keywords"], omarID) {
		t.Fatalf("metadata still names the ID: %v", info)
	}
	if got, err := FindID(stripped); err != nil || got != omarID {
		t.Errorf("FindID without metadata = %q, %v; want %q", got, err, omarID)
	}

	// Jane's copy stamped again for Omar carries both IDs on its pages,
	// but its metadata names the last delivery.
	again, err := Stamp(forJane, omar, when, omarID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := FindID(again); err != nil || got != omarID {
		t.Errorf("FindID(restamped) = %q, %v; want %q", got, err, omarID)
	}
	_, err = FindID(withoutMetadata(t, again, omarID, janeID))
	if !errors.Is(err, ErrSeveralIDs) || !strings.Contains(err.Error(), janeID) || !strings.Contains(err.Error(), omarID) {
		t.Errorf("FindID(restamped, no metadata) error %v, want ErrSeveralIDs naming both", err)
	}

	if _, err := FindID(src); !errors.Is(err, ErrNoID) {
		t.Errorf("FindID(unstamped) error %v, want ErrNoID", err)
	}
}

// withoutMetadata drops the document information the way a careless
// re-save does, leaving the pages alone.
func withoutMetadata(t *testing.T, data []byte, ids ...string) []byte {
	t.Helper()
	// Out of object streams, the metadata is plain text; the pages'
	// streams stay compressed, so what matches below is metadata only.
	// Same-length replacements keep the cross-reference offsets right.
	out := qpdf(t, t.TempDir(), data, "--object-streams=disable")
	out = bytes.ReplaceAll(out, []byte("/"+IDKey), []byte("/"+strings.Repeat("X", len(IDKey))))
	// pdfcpu writes the entries as UTF-16 hex strings.
	for _, id := range ids {
		var hex16, blank strings.Builder
		for _, c := range id {
			fmt.Fprintf(&hex16, "%04x", c)
			blank.WriteString("0058")
		}
		out = bytes.ReplaceAll(out, []byte(hex16.String()), []byte(blank.String()))
	}
	return out
}

func TestRecipientFieldsAreCleaned(t *testing.T) {
	pdftest.RequireTools(t)
	dir := t.TempDir()
	src := ghostscript(t, dir, []psPage{a4})
	odd := Recipient{Name: "Zoë (QA)\\n Smith\r\nline", Company: "", Email: "zoe@example.com"}
	id := NewID()
	out, err := Stamp(src, odd, when, id)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Normalize(pdftest.PageText(t, out, 1))
	if want := "Copy for Zoë (QA)/n Smith line <zoe@example.com> · 2026-12-02 UTC · " + id; !strings.Contains(text, want) {
		t.Errorf("footer should read %q; page text:\n%s", want, text)
	}
	for name, want := range map[string]string{
		"Antonín Dvořák":    "Antonín Dvorák",
		"Łukasz Żółkiewski": "Lukasz Zólkiewski",
		"王小明 (Wang)":        "(Wang)",
		"O’Brien – Ops":     "O'Brien - Ops",
	} {
		if got := clean(name, 60); got != want {
			t.Errorf("clean(%q) = %q, want %q", name, got, want)
		}
	}
	if got := clean(strings.Repeat("a", 70), 60); got != strings.Repeat("a", 57)+"..." {
		t.Errorf("clean of 70 letters = %q, want 57 and an ellipsis", got)
	}
	if _, err := Stamp(src, odd, when, "not-an-id"); !errors.Is(err, ErrBadID) {
		t.Errorf("Stamp with a bad ID: %v, want ErrBadID", err)
	}
}

// preview writes page images of a stamped copy to $STAMP_PREVIEW, when set,
// for a person to look at: `STAMP_PREVIEW=/tmp/p go test -run Accepted`.
func preview(t *testing.T, name string, pdf []byte) {
	dir := os.Getenv("STAMP_PREVIEW")
	if dir == "" {
		return
	}
	prefix := filepath.Join(dir, strings.NewReplacer(" ", "-", ",", "").Replace(name))
	run(t, ".", "pdftoppm", "-r", "60", "-png", pdftest.File(t, pdf), prefix)
}

// A Lambda or the local server stamps several downloads at once.
func TestConcurrentStamps(t *testing.T) {
	pdftest.RequireTools(t)
	src := ghostscript(t, t.TempDir(), []psPage{a4, letterL})
	ids := make([]string, 6)
	errs := make(chan error, len(ids))
	outs := make([][]byte, len(ids))
	for i := range ids {
		ids[i] = NewID()
		go func() {
			var err error
			outs[i], err = Stamp(src, jane, when, ids[i])
			errs <- err
		}()
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, out := range outs {
		if got, err := FindID(out); err != nil || got != ids[i] {
			t.Errorf("copy %d: FindID = %q, %v; want %q", i, got, err, ids[i])
		}
	}
}

// A long name on a small page still gets the whole footer on the page.
func TestLongRecipientOnSmallPage(t *testing.T) {
	pdftest.RequireTools(t)
	src := ghostscript(t, t.TempDir(), []psPage{a5})
	long := Recipient{
		Name:    "Maximiliane Alexandra von Hohenberg-Wittelsbach",
		Company: "Internationale Treuhand- und Revisionsgesellschaft mbH",
		Email:   "maximiliane.von.hohenberg-wittelsbach@revisionsgesellschaft.example",
	}
	id := NewID()
	out, err := Stamp(src, long, when, id)
	if err != nil {
		t.Fatal(err)
	}
	preview(t, "long recipient A5", out)
	// -bbox-layout would give coordinates; cropping to the page with -x/-W
	// is enough to show the footer's ends are on it.
	text := pdftest.Normalize(pdftest.PageText(t, out, 1))
	for _, want := range []string{"Copy for Maximiliane", long.Email, id, "Confidential: do not forward"} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q:\n%s", want, text)
		}
	}
}
