// Package app is what every way of running the trust center shares: the
// configuration, read once at start, and the domain service built on
// whichever engines the caller brings (shared/aws/lambdaapp for a Lambda
// function, shared/local/localapp for one machine).
package app

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

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
	// UnconfirmedRetention is how long a request whose address was never
	// confirmed is kept (TRUST_UNCONFIRMED_RETENTION_DAYS).
	UnconfirmedRetention time.Duration
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
	days, err := positiveInt("TRUST_UNCONFIRMED_RETENTION_DAYS", int(trust.DefaultUnconfirmedRetention/(24*time.Hour)))
	if err != nil {
		return Config{}, err
	}
	c.UnconfirmedRetention = time.Duration(days) * 24 * time.Hour
	for _, d := range strings.Split(os.Getenv("TRUST_AUTO_APPROVE"), ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			c.AutoApprove = append(c.AutoApprove, d)
		}
	}
	return c, nil
}

// positiveInt reads a whole number of at least 1, def when unset.
func positiveInt(key string, def int) (int, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s: %q is not a whole number of at least 1", key, v)
	}
	return n, nil
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// NewService builds the domain service on the engines a function brings,
// signing links with keys; a function without keys (nil) signs and checks
// no links, and the service refuses the calls that would.
func NewService(c Config, site *content.Site, keys *token.Keyring, e trust.Engines) *trust.Service {
	if keys != nil {
		e.Signer = token.New(keys, c.Issuer)
	}
	return trust.New(trust.Config{
		BaseURL:     c.BaseURL,
		Company:     site.Company.Name,
		Staff:       c.Staff,
		NDA:         site.NDA.Trust(),
		AutoApprove: c.AutoApprove,

		UnconfirmedRetention: c.UnconfirmedRetention,
	}, e)
}
