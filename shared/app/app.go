// Package app wires a Lambda function together: configuration read once at
// cold start, the AWS engines, the domain service and the handler.
// functions/* mains are a few lines around it; the one-machine server is
// package localapp, which shares the configuration and NewService.
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
	staff, err := ParseStaff(env("TRUST_STAFF", DefaultStaff))
	if err != nil {
		return Config{}, err
	}
	c.Staff = staff
	for _, d := range strings.Split(os.Getenv("TRUST_AUTO_APPROVE"), ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			c.AutoApprove = append(c.AutoApprove, d)
		}
	}
	return c, nil
}

// ParseStaff reads "a@x.com,b@y.com:approver": each entry an email with an
// optional role (admin when omitted).
func ParseStaff(v string) ([]trust.Staff, error) {
	var staff []trust.Staff
	for _, e := range strings.Split(v, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		email, role, _ := strings.Cut(e, ":")
		st := trust.Staff{Email: strings.ToLower(email), Role: trust.Role(role)}
		if st.Role == "" {
			st.Role = trust.Admin
		}
		if st.Role != trust.Admin && st.Role != trust.Approver {
			return nil, fmt.Errorf("TRUST_STAFF: %q: role must be admin or approver", e)
		}
		if trust.CheckAddress(st.Email) != nil {
			return nil, fmt.Errorf("TRUST_STAFF: %q is not an email address", e)
		}
		staff = append(staff, st)
	}
	if len(staff) == 0 {
		return nil, fmt.Errorf("TRUST_STAFF: no staff email given")
	}
	return staff, nil
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
