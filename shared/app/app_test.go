package app

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// A function built without keys (the public one) signs no links: a call
// that would sign or check one answers ErrNoEngine instead of dereferencing
// a missing keyring. With keys, the same calls work.
func TestServiceWithoutKeysRefusesLinks(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "trust.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := Config{BaseURL: "https://trust.example", Issuer: "test", Staff: []trust.Staff{{Email: "admin@trust.example", Role: trust.Admin}}}
	site := &content.Site{Company: content.Company{Name: "Lumen"}}
	e := trust.Engines{Store: store}

	svc := NewService(c, site, nil, e)
	if err := svc.StartSignIn(t.Context(), "admin@trust.example", trust.Client{}); !errors.Is(err, trust.ErrNoEngine) {
		t.Fatalf("sign-in without keys: %v, want ErrNoEngine", err)
	}
	if _, err := svc.CompleteSignIn(t.Context(), "x.y.z", false, trust.Client{}); !errors.Is(err, trust.ErrNoEngine) {
		t.Fatalf("a sign-in link without keys: %v, want ErrNoEngine", err)
	}

	keys := &token.Keyring{}
	if err := keys.Rotate(time.Now()); err != nil {
		t.Fatal(err)
	}
	// Mail has no engine here either, so the link is queued, not sent:
	// signing it is what this checks.
	if err := NewService(c, site, token.Fixed(keys), e).StartSignIn(t.Context(), "admin@trust.example", trust.Client{}); err != nil {
		t.Fatalf("sign-in with keys: %v", err)
	}
	if pending, err := store.PendingMails(t.Context(), 10); err != nil || len(pending) != 1 {
		t.Fatalf("%d sign-in mails queued (%v), want 1", len(pending), err)
	}
}

// The edge's settings are read with the rest: the origin secret (masked
// when the configuration is printed), the client address header and the
// request budget, which must be a positive duration.
func TestFromEnvReadsEdgeSettings(t *testing.T) {
	t.Setenv("TRUST_ORIGIN_SECRET", "s3cret-origin")
	t.Setenv("TRUST_CLIENT_IP_HEADER", "CloudFront-Viewer-Address")
	t.Setenv("TRUST_REQUEST_BUDGET", "")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.OriginSecret != "s3cret-origin" || c.ClientIPHeader != "CloudFront-Viewer-Address" || c.RequestBudget != DefaultRequestBudget {
		t.Errorf("got secret %q, header %q, budget %v", c.OriginSecret, c.ClientIPHeader, c.RequestBudget)
	}
	if s := c.String(); strings.Contains(s, "s3cret-origin") || !strings.Contains(s, "CloudFront-Viewer-Address") {
		t.Errorf("printed config does not mask the secret: %s", s)
	}

	t.Setenv("TRUST_REQUEST_BUDGET", "2500ms")
	if c, err := FromEnv(); err != nil || c.RequestBudget != 2500*time.Millisecond {
		t.Errorf("budget 2500ms: %v, %v", c.RequestBudget, err)
	}
	for _, bad := range []string{"8", "-1s", "0s", "soon"} {
		t.Setenv("TRUST_REQUEST_BUDGET", bad)
		if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "TRUST_REQUEST_BUDGET") {
			t.Errorf("budget %q: err %v, want one naming TRUST_REQUEST_BUDGET", bad, err)
		}
	}
}

func TestUnconfirmedRetentionFromEnv(t *testing.T) {
	for _, c := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 30 * 24 * time.Hour, true},
		{"7", 7 * 24 * time.Hour, true},
		{" 90 ", 90 * 24 * time.Hour, true},
		{"0", 0, false},
		{"-3", 0, false},
		{"30d", 0, false},
	} {
		t.Setenv("TRUST_UNCONFIRMED_RETENTION_DAYS", c.value)
		got, err := FromEnv()
		if c.ok && (err != nil || got.UnconfirmedRetention != c.want) {
			t.Errorf("%q: %v, %v; want %v", c.value, got.UnconfirmedRetention, err, c.want)
		}
		if !c.ok && err == nil {
			t.Errorf("%q: accepted as %v", c.value, got.UnconfirmedRetention)
		}
	}
}
