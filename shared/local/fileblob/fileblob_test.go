package fileblob

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trustcenter/shared/trust"
)

func TestPutOpen(t *testing.T) {
	root := filepath.Join(t.TempDir(), "blobs")
	d := Dir(root)
	body := "%PDF-1.7 report"
	if err := d.Put(t.Context(), "reports/soc2/v1.pdf", strings.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
		t.Fatalf("Put: %v", err)
	}
	f, err := d.Open(t.Context(), "reports/soc2/v1.pdf")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || string(got) != body {
		t.Fatalf("read back %q, %v; want %q", got, err, body)
	}
	// Gated reports must not be readable by other users of the machine.
	for _, dir := range []string{root, filepath.Join(root, "reports"), filepath.Join(root, "reports", "soc2")} {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("%s has mode %o, want 700", dir, perm)
		}
	}
	fi, err := os.Stat(filepath.Join(root, "reports", "soc2", "v1.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("blob file has mode %o, want 600", perm)
	}

	_, err = d.Open(t.Context(), "reports/soc2/v2.pdf")
	if code := trust.ErrorCode(err); code != trust.ENotFound {
		t.Fatalf("Open of a missing blob: %v (code %s), want not_found", err, code)
	}
}

// TestPutRefusesWrongSize: a body shorter or longer than announced is an
// upload gone wrong; it must not land, nor replace what is there.
func TestPutRefusesWrongSize(t *testing.T) {
	root := t.TempDir()
	d := Dir(root)
	const good = "good content"
	if err := d.Put(t.Context(), "k", strings.NewReader(good), int64(len(good)), ""); err != nil {
		t.Fatalf("Put: %v", err)
	}
	for _, tc := range []struct {
		name string
		body string
		size int64
	}{
		{"short", "cut", 10},
		{"long", "longer than announced", 5},
		{"empty", "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, key := range []string{"k", "new"} {
				err := d.Put(t.Context(), key, strings.NewReader(tc.body), tc.size, "")
				if err == nil {
					t.Fatalf("Put(%q) of %d bytes announced as %d succeeded", key, len(tc.body), tc.size)
				}
				if !strings.Contains(err.Error(), "announced") {
					t.Fatalf("Put(%q): the error does not say what is wrong: %v", key, err)
				}
			}
			got, err := os.ReadFile(filepath.Join(root, "k"))
			if err != nil || string(got) != good {
				t.Fatalf("existing blob after a refused Put: %q, %v; want %q", got, err, good)
			}
			if _, err := os.Stat(filepath.Join(root, "new")); !os.IsNotExist(err) {
				t.Fatalf("a refused Put left a blob: %v", err)
			}
			entries, err := os.ReadDir(root)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Fatalf("files after a refused Put: %v, want only k", entries)
			}
		})
	}
}

// TestCopy: publishing an upload copies it whole; a missing source is not
// found and writes nothing.
func TestCopy(t *testing.T) {
	d := Dir(t.TempDir())
	body := "%PDF-1.7 upload"
	if err := d.Put(t.Context(), "incoming/soc2/a.pdf", strings.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	if err := d.Copy(t.Context(), "incoming/soc2/a.pdf", "reports/soc2/v2.pdf"); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	f, err := d.Open(t.Context(), "reports/soc2/v2.pdf")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != body {
		t.Fatalf("the copy reads %q, want %q", got, body)
	}
	if err := d.Copy(t.Context(), "incoming/soc2/missing.pdf", "reports/soc2/v3.pdf"); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("Copy of a missing file: %v", err)
	}
	if _, err := d.Open(t.Context(), "reports/soc2/v3.pdf"); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("a failed copy left a file: %v", err)
	}
}

func TestDelete(t *testing.T) {
	d := Dir(t.TempDir())
	const key = "copies/gnt_1/soc2/v1-WM-AAAA-0001.pdf"
	body := "%PDF-1.7 copy"
	if err := d.Put(t.Context(), key, strings.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := d.Delete(t.Context(), key); err != nil {
			t.Fatalf("Delete %d: %v", i+1, err)
		}
	}
	if _, err := d.Open(t.Context(), key); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("Open after Delete: %v", err)
	}
	if err := d.Delete(t.Context(), "../outside"); trust.ErrorCode(err) != trust.EInvalid {
		t.Fatalf("Delete outside the folder: %v, want EInvalid", err)
	}
}
