// Package app is what every way of running the trust center shares: the
// configuration, read once at start, and the domain service built on
// whichever engines the caller brings (shared/aws/lambdaapp for a Lambda
// function, shared/local/localapp for one machine).
package app

import (
	"fmt"
	"os"
	"strings"

	"trustcenter/shared/content"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// Config is every setting, read once from the environment.
type Config struct {
	Port        string // local server only
	DataDir     string // local engines only
	BaseURL     string
	Staff       []trust.Staff
	ContentPath string // "" means the built-in example company
	MailFrom    string
	AutoApprove []string
	// Issuer is pinned in every token. It stays the same when the site
	// moves to a new address, so links already sent keep working.
	Issuer string
	// AWS engines
	Table      string
	Bucket     string
	KeysSecret string
}

// DefaultStaff is the one local account when TRUST_STAFF is not set.
const DefaultStaff = "admin@trust.localhost"

// FromEnv reads the configuration, with defaults for one machine.
func FromEnv() (Config, error) {
	c := Config{
		Port:        env("PORT", "8080"),
		DataDir:     env("TRUST_DATA_DIR", "data"),
		ContentPath: os.Getenv("TRUST_CONTENT"),
		MailFrom:    env("TRUST_MAIL_FROM", "no-reply@trust.localhost"),
		Table:       os.Getenv("TRUST_TABLE"),
		Bucket:      os.Getenv("TRUST_BUCKET"),
		KeysSecret:  os.Getenv("TRUST_KEYS_SECRET"),
		Issuer:      env("TRUST_ISSUER", "trustcenter"),
	}
	c.BaseURL = strings.TrimRight(env("TRUST_BASE_URL", "http://localhost:"+c.Port), "/")
	staff, err := trust.ParseStaff(env("TRUST_STAFF", DefaultStaff))
	if err != nil {
		return Config{}, fmt.Errorf("TRUST_STAFF: %w", err)
	}
	c.Staff = staff
	for _, d := range strings.Split(os.Getenv("TRUST_AUTO_APPROVE"), ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			c.AutoApprove = append(c.AutoApprove, d)
		}
	}
	return c, nil
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// NewService builds the domain service on the engines a function brings,
// signing links with the keys keeps current; a function without keys (nil)
// signs and checks no links, and the service refuses the calls that would.
func NewService(c Config, site *content.Site, keys *token.Holder, e trust.Engines) *trust.Service {
	if keys != nil {
		e.Signer = token.Held(keys, c.Issuer)
	}
	return trust.New(trust.Config{
		BaseURL:     c.BaseURL,
		Company:     site.Company.Name,
		Staff:       c.Staff,
		NDA:         site.NDA.Trust(),
		AutoApprove: c.AutoApprove,
	}, e)
}
