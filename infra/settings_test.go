package main

import (
	"os"
	"strings"
	"testing"
)

// goodContext is a complete set of settings; each case below spoils one.
var goodContext = map[string]string{
	"mailFrom":            "Lumen Ledger Trust Center <trust@example.com>",
	"staff":               "alice@example.com, bob@example.com:approver",
	"alarmEmail":          "ops@example.com",
	"autoApprove":         "example.com,partner.example",
	"domainName":          "trust.example.com",
	"certificateArn":      "arn:aws:acm:us-east-1:123456789012:certificate/0000-abcd",
	"baseUrl":             "https://trust.example.com",
	"logRetentionDays":    "90",
	"reservedConcurrency": "public=100,admin=0",
}

func fromContext(ctx map[string]string, region string) (*TrustCenterStackProps, error) {
	return PropsFromContext(func(k string) string { return ctx[k] }, "", region)
}

func TestPropsFromContext(t *testing.T) {
	p, err := fromContext(goodContext, "eu-west-1")
	if err != nil {
		t.Fatalf("good settings refused: %v", err)
	}
	if p.MailFrom != goodContext["mailFrom"] || strings.Join(p.Staff, "|") != "alice@example.com|bob@example.com:approver" ||
		strings.Join(p.AutoApprove, "|") != "example.com|partner.example" || p.AlarmEmail != "ops@example.com" ||
		p.LogRetentionDays != 90 || p.concurrency(FnPublic) != 100 || p.concurrency(FnAdmin) != 0 ||
		p.concurrency(FnAccess) != DefaultReservedConcurrency[FnAccess] || p.region() != "eu-west-1" || p.AssetsDir != "build" {
		t.Errorf("props = %+v", p)
	}
	minimal := map[string]string{"mailFrom": "trust@example.com", "staff": "alice@example.com", "alarmEmail": "ops@example.com"}
	if p, err := fromContext(minimal, "us-east-1"); err != nil || p.logRetention() != DefaultLogRetentionDays {
		t.Errorf("minimal settings: %+v, %v", p, err)
	}
	if _, err := fromContext(minimal, ""); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("no region: %v, want an error naming the region", err)
	}

	// Each bad or missing setting fails with a message naming it.
	for name, tc := range map[string]struct{ key, value string }{
		"no sender":                {"mailFrom", ""},
		"sender not an address":    {"mailFrom", "Trust Center"},
		"no staff":                 {"staff", ""},
		"only commas as staff":     {"staff", " , ,"},
		"staff not an address":     {"staff", "alice"},
		"staff with a bad role":    {"staff", "alice@example.com:owner"},
		"no alarm address":         {"alarmEmail", ""},
		"alarm address with name":  {"alarmEmail", "Ops <ops@example.com>"},
		"auto-approve an address":  {"autoApprove", "bob@example.com"},
		"auto-approve not domain":  {"autoApprove", "example"},
		"domain without cert":      {"certificateArn", ""},
		"cert in another region":   {"certificateArn", "arn:aws:acm:eu-west-1:123456789012:certificate/0000-abcd"},
		"cert not an ARN":          {"certificateArn", "my-cert"},
		"domain not a domain":      {"domainName", "https://trust.example.com"},
		"base URL over http":       {"baseUrl", "http://trust.example.com"},
		"base URL with a path":     {"baseUrl", "https://example.com/trust"},
		"retention not a number":   {"logRetentionDays", "a month"},
		"retention not accepted":   {"logRetentionDays", "31"},
		"concurrency unknown fn":   {"reservedConcurrency", "pubic=10"},
		"concurrency not a number": {"reservedConcurrency", "public=ten"},
		"concurrency negative":     {"reservedConcurrency", "public=-1"},
		"concurrency no equals":    {"reservedConcurrency", "public"},
	} {
		ctx := map[string]string{}
		for k, v := range goodContext {
			ctx[k] = v
		}
		ctx[tc.key] = tc.value
		_, err := fromContext(ctx, "eu-west-1")
		if err == nil {
			t.Errorf("%s: accepted %s=%q", name, tc.key, tc.value)
			continue
		}
		if !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: error %q does not name %s", name, err, tc.key)
		}
	}
	// A certificate without its domain is named too.
	ctx := map[string]string{}
	for k, v := range goodContext {
		ctx[k] = v
	}
	delete(ctx, "domainName")
	if _, err := fromContext(ctx, "eu-west-1"); err == nil || !strings.Contains(err.Error(), "domainName") {
		t.Errorf("cert without domain: %v", err)
	}
}

// The README's settings table lists every setting the app reads.
func TestReadmeListsSettings(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range Settings {
		if !strings.Contains(readme, "| `"+s.Key+"` |") {
			t.Errorf("README has no settings row for %s", s.Key)
		}
	}
	for _, v := range []string{"MAIL_FROM", "STAFF", "ALARM_EMAIL", "APPROVE=never"} {
		if !strings.Contains(readme, v) {
			t.Errorf("README does not mention %s", v)
		}
	}
}
