// Package app is what every way of running the trust center shares: the
// configuration, read once at start, and the domain service built on
// whichever engines the caller brings (shared/aws/lambdaapp for a Lambda
// function, shared/local/localapp for one machine).
package app

import (
	"fmt"
	"net/http"
	"net/mail"
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
	// MailFrom is the sender's bare address; MailFromName its display name
	// (TRUST_MAIL_FROM may be "Name <address>"; "" means "<company> Trust
	// Center"), MailReplyTo where replies go ("" for the sender).
	MailFrom     string
	MailFromName string
	MailReplyTo  string
	// LapseWarning is how long before a grant ends its holder is told
	// (TRUST_LAPSE_WARNING_DAYS).
	LapseWarning time.Duration
	AutoApprove  []string
	// UnconfirmedRetention is how long a request whose address was never
	// confirmed is kept (TRUST_UNCONFIRMED_RETENTION_DAYS).
	UnconfirmedRetention time.Duration
	// NDAReuse is how long an NDA acceptance spares the same address the
	// click-through (TRUST_NDA_REUSE_DAYS).
	NDAReuse time.Duration
	// Issuer is pinned in every token. It stays the same when the site
	// moves to a new address, so links already sent keep working.
	Issuer string
	// AWS engines
	Table      string
	Bucket     string
	KeysSecret string
	// OriginSecret is the value the edge (CloudFront) sends in
	// X-Origin-Verify; when set, a request without it is refused, so the
	// API cannot be reached around the edge's WAF and cache. Never logged.
	OriginSecret string
	// ClientIPHeader names the header the edge puts the viewer's address
	// in ("ip:port"). It is believed only on requests that carry the
	// origin secret; without a secret it is ignored.
	ClientIPHeader string
	// RequestBudget bounds every request, so a hanging dependency gives
	// the trust center's own 503 before the platform's timeout does.
	RequestBudget time.Duration
	// Slack: the bot token and signing secret are secrets (never logged);
	// channel, user map and reminder delay are plain settings.
	SlackToken         string
	SlackSigningSecret string
	SlackAPIURL        string // tests only: a fake of Slack's Web API
	Slack              trust.SlackConfig
	// OIDC is the staff's identity provider; OIDCClientSecret is a secret.
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	SSO              trust.SSOConfig
	// HTTPClient reaches the outside services (the identity provider,
	// Slack); nil is each one's default. Tests put their network here.
	HTTPClient *http.Client
}

// DefaultRequestBudget leaves two seconds of the functions' 10 s timeout
// (infra) for the answer to get out.
const DefaultRequestBudget = 8 * time.Second

// String masks the origin secret, so printing a Config leaks nothing.
func (c Config) String() string {
	masked := c
	for _, v := range []*string{&masked.OriginSecret, &masked.SlackToken, &masked.SlackSigningSecret, &masked.OIDCClientSecret} {
		if *v != "" {
			*v = "***"
		}
	}
	type plain Config // drops this method, so Sprintf does not recurse
	return fmt.Sprintf("%+v", plain(masked))
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

		OriginSecret:   os.Getenv("TRUST_ORIGIN_SECRET"),
		ClientIPHeader: os.Getenv("TRUST_CLIENT_IP_HEADER"),
		RequestBudget:  DefaultRequestBudget,
	}
	if v := os.Getenv("TRUST_REQUEST_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("TRUST_REQUEST_BUDGET: %q is not a positive duration (want e.g. 8s)", v)
		}
		c.RequestBudget = d
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
	reuse, err := positiveInt("TRUST_NDA_REUSE_DAYS", int(trust.DefaultNDAReuse/(24*time.Hour)))
	if err != nil {
		return Config{}, err
	}
	c.NDAReuse = time.Duration(reuse) * 24 * time.Hour
	if c.MailFrom, c.MailFromName, err = parseSender(c.MailFrom); err != nil {
		return Config{}, fmt.Errorf("TRUST_MAIL_FROM: %w", err)
	}
	if c.MailReplyTo = strings.TrimSpace(os.Getenv("TRUST_MAIL_REPLY_TO")); c.MailReplyTo != "" {
		if err := trust.CheckAddress(c.MailReplyTo); err != nil {
			return Config{}, fmt.Errorf("TRUST_MAIL_REPLY_TO: %q is not one bare email address", c.MailReplyTo)
		}
	}
	warn, err := positiveInt("TRUST_LAPSE_WARNING_DAYS", trust.DefaultLapseWarningDays)
	if err != nil {
		return Config{}, err
	}
	c.LapseWarning = time.Duration(warn) * 24 * time.Hour
	if err := c.readStaffServices(); err != nil {
		return Config{}, err
	}
	for _, d := range strings.Split(os.Getenv("TRUST_AUTO_APPROVE"), ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			c.AutoApprove = append(c.AutoApprove, d)
		}
	}
	return c, nil
}

// parseSender splits "Name <address>" (or a bare address) into the bare
// address and the display name.
func parseSender(v string) (addr, name string, err error) {
	a, err := mail.ParseAddress(v)
	if err != nil {
		return "", "", fmt.Errorf("%q is not an address with an optional display name", v)
	}
	return a.Address, a.Name, nil
}

// SenderName is the display name mails go out under: the configured one,
// else the company's trust center.
func (c Config) SenderName(company string) string {
	if c.MailFromName != "" {
		return c.MailFromName
	}
	return company + " Trust Center"
}

// readStaffServices reads the Slack and single sign-on settings.
func (c *Config) readStaffServices() error {
	c.SlackToken = os.Getenv("TRUST_SLACK_BOT_TOKEN")
	c.SlackSigningSecret = os.Getenv("TRUST_SLACK_SIGNING_SECRET")
	c.SlackAPIURL = os.Getenv("TRUST_SLACK_API_URL")
	c.Slack.Channel = os.Getenv("TRUST_SLACK_CHANNEL")
	users, err := trust.ParseSlackUsers(os.Getenv("TRUST_SLACK_USERS"), c.Staff)
	if err != nil {
		return fmt.Errorf("TRUST_SLACK_USERS: %w", err)
	}
	c.Slack.Users = users
	if v := os.Getenv("TRUST_REMIND_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("TRUST_REMIND_AFTER: %q is not a positive duration (want e.g. 24h)", v)
		}
		c.Slack.RemindAfter = d
	}
	c.OIDCIssuer = os.Getenv("TRUST_OIDC_ISSUER")
	c.OIDCClientID = os.Getenv("TRUST_OIDC_CLIENT_ID")
	c.OIDCClientSecret = os.Getenv("TRUST_OIDC_CLIENT_SECRET")
	if (c.OIDCIssuer == "") != (c.OIDCClientID == "") {
		return fmt.Errorf("TRUST_OIDC_ISSUER and TRUST_OIDC_CLIENT_ID: set both or neither")
	}
	roles, err := ParseGroupRoles(os.Getenv("TRUST_OIDC_GROUP_ROLES"))
	if err != nil {
		return fmt.Errorf("TRUST_OIDC_GROUP_ROLES: %w", err)
	}
	c.SSO.GroupRoles = roles
	return nil
}

// ParseGroupRoles reads "security=admin,sales=approver".
func ParseGroupRoles(v string) (map[string]trust.Role, error) {
	roles := map[string]trust.Role{}
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		g, r, ok := strings.Cut(e, "=")
		g, r = strings.TrimSpace(g), strings.TrimSpace(r)
		if !ok || g == "" || !trust.ValidSSORole(trust.Role(r)) {
			return nil, fmt.Errorf("%q: want group=admin or group=approver", e)
		}
		roles[g] = trust.Role(r)
	}
	return roles, nil
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
// signing links with the keys keeps current; a function without keys (nil)
// signs and checks no links, and the service refuses the calls that would.
func NewService(c Config, site *content.Site, keys *token.Holder, e trust.Engines) *trust.Service {
	if keys != nil {
		e.Signer = token.Held(keys, c.Issuer)
		e.Attester = token.Publishing(keys)
	}
	return trust.New(trust.Config{
		BaseURL:      c.BaseURL,
		Company:      site.Company.Name,
		Staff:        c.Staff,
		NDA:          site.NDA.Trust(),
		AutoApprove:  c.AutoApprove,
		LapseWarning: c.LapseWarning,

		UnconfirmedRetention: c.UnconfirmedRetention,
		NDAReuse:             c.NDAReuse,
		Slack:                c.Slack,
		SSO:                  c.SSO,
	}, e)
}
