// Package app is what every way of running the trust center shares: the
// configuration, read once at start, and the domain service built on
// whichever engines the caller brings (shared/aws/lambdaapp for a Lambda
// function, shared/local/localapp for one machine).
package app

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
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

// NewService builds the domain service on the given engines.
func NewService(c Config, site *content.Site, store trust.Store, blobs trust.Blobs, mail trust.Mailer, keys *token.Keyring, log *slog.Logger) *trust.Service {
	return &trust.Service{
		Store:       store,
		Blobs:       blobs,
		Mail:        mail,
		Tokens:      token.New(keys, c.Issuer, time.Now),
		Log:         log,
		BaseURL:     c.BaseURL,
		Company:     site.Company.Name,
		Staff:       c.Staff,
		NDA:         site.NDA.Trust(),
		AutoApprove: c.AutoApprove,
		Translate:   i18n.T,
	}
}
