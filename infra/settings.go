package main

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"trustcenter/shared/app"
	"trustcenter/shared/trust"
)

// Defaults applied when the corresponding setting is left out.
const (
	DefaultLogRetentionDays = 30
	DefaultThrottleRate     = 50
	DefaultThrottleBurst    = 100
)

// DefaultReservedConcurrency keeps a flood on one function from taking the
// account's whole concurrency from the others. The sum (75) must leave the
// account 100 unreserved executions, so the account limit must be at least
// 175; new accounts start at 10 and must ask for the usual 1,000 first.
var DefaultReservedConcurrency = map[string]int{FnPublic: 50, FnAccess: 10, FnDownload: 10, FnAdmin: 5, FnConnect: 0}

// logRetentionDays are the values CloudWatch Logs accepts.
var logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// TrustCenterStackProps configures NewTrustCenterStack. StackProps.Env must
// name the region (the edge resources depend on it); the rest are the
// deployment settings, each a context value of the same name (Settings).
type TrustCenterStackProps struct {
	awscdk.StackProps

	// AssetsDir holds <name>/bootstrap for each of FunctionNames.
	AssetsDir string
	// MailFrom is the SES sender, an address with an optional display name
	// ("Example Trust Center <trust@example.com>"). The SES permission is
	// scoped to the address and its domain.
	MailFrom string
	// MailReplyTo, when set, is where replies to every mail go (a
	// monitored sales or security address).
	MailReplyTo string
	// LapseWarningDays is how many days before a grant ends its holder is
	// mailed (0: the default, trust.DefaultLapseWarningDays).
	LapseWarningDays int
	// Staff are the staff entries ("email" or "email:role"), passed to the
	// functions as TRUST_STAFF. At least one.
	Staff []string
	// AutoApprove are e-mail domains whose confirmed requests are approved
	// without staff (TRUST_AUTO_APPROVE on the access function).
	AutoApprove []string
	// AlarmEmail receives every alarm.
	AlarmEmail string
	// DomainName and CertificateArn, both or neither, put the distribution
	// behind a custom domain. CloudFront only takes certificates from
	// us-east-1.
	DomainName     string
	CertificateArn string
	// BaseURL is the public origin used in links and mail. Default: the
	// custom domain if set, else the distribution's domain.
	BaseURL string
	// LogRetentionDays applies to every log group (default 30).
	LogRetentionDays int
	// ReservedConcurrency per function; a function left out gets its
	// default, 0 leaves it unreserved.
	ReservedConcurrency map[string]int
	// ThrottleRate (requests/s) and ThrottleBurst bound the stage's default
	// route settings; routeThrottle tightens single routes below that.
	ThrottleRate  float64
	ThrottleBurst float64
	// Slack and single sign-on (their secrets are in the StaffServices
	// secret, filled in after deploy). SlackChannel is a channel id;
	// SlackUsers maps Slack user ids to staff ("U123=alice@example.com");
	// RemindAfter a Go duration ("24h").
	SlackChannel, SlackUsers, RemindAfter    string
	OIDCIssuer, OIDCClientID, OIDCGroupRoles string
}

// Setting is one deployment setting as a context value.
type Setting struct {
	Key, Make, Required, Example, What string
}

// Settings is the one list of deployment settings, with the make variable
// that sets each; the README's table lists them (TestReadmeListsSettings).
var Settings = []Setting{
	{"mailFrom", "MAIL_FROM", "yes", "`Lumen Ledger Trust Center <trust@example.com>`", "SES sender, with an optional display name; verify the address or its domain in SES"},
	{"mailReplyTo", "MAIL_REPLY_TO", "no", "`security@example.com`", "Reply-To of every mail: a monitored sales or security address"},
	{"lapseWarningDays", "LAPSE_WARNING_DAYS", "no (7)", "`14`", "days before a grant ends that its holder is mailed, with a link to request renewal"},
	{"staff", "STAFF", "yes", "`alice@example.com,bob@example.com:approver`", "staff accounts, `email[:admin|approver]`, comma-separated (admin when omitted)"},
	{"alarmEmail", "ALARM_EMAIL", "yes", "`ops@example.com`", "subscribed to the alarm topic (confirm the e-mail AWS sends)"},
	{"autoApprove", "AUTO_APPROVE", "no", "`example.com,partner.example`", "e-mail domains whose confirmed requests are approved without staff"},
	{"domainName", "DOMAIN_NAME", "with certificateArn", "`trust.example.com`", "custom domain on the CloudFront distribution; point it at the `DomainTarget` output"},
	{"certificateArn", "CERTIFICATE_ARN", "with domainName", "`arn:aws:acm:us-east-1:…`", "ACM certificate for domainName, in us-east-1 whatever the stack's region"},
	{"baseUrl", "BASE_URL", "no", "`https://trust.example.com`", "public origin in links and mail; default `https://<domainName>`, else the distribution's domain"},
	{"logRetentionDays", "LOG_RETENTION_DAYS", "no (30)", "`90`", "retention of every log group, a value CloudWatch Logs accepts"},
	{"reservedConcurrency", "RESERVED_CONCURRENCY", "no (public=50,access=10,download=10,admin=5)", "`public=100,admin=0`", "reserved concurrency per function; 0 leaves it unreserved, a function left out keeps its default"},
	{"slackChannel", "SLACK_CHANNEL", "no", "`C0123456789`", "Slack channel id where each new pending request is posted with Approve/Deny (bot token and signing secret: the `StaffServices` secret)"},
	{"slackUsers", "SLACK_USERS", "no", "`U0123ABCD=bob@example.com`", "Slack user id = staff e-mail, comma-separated: the only Slack users whose Approve/Deny count"},
	{"remindAfter", "REMIND_AFTER", "no (off)", "`24h`", "remind approvers (mail, and Slack when set up) of a request pending this long, once"},
	{"oidcIssuer", "OIDC_ISSUER", "with oidcClientId", "`https://login.example.com`", "the company's OpenID Connect issuer for staff single sign-on (client secret: the `StaffServices` secret)"},
	{"oidcClientId", "OIDC_CLIENT_ID", "with oidcIssuer", "`trust-center`", "OIDC client id; register `<baseUrl>/admin/sso/callback` as its redirect URI"},
	{"oidcGroupRoles", "OIDC_GROUP_ROLES", "no", "`security=admin,sales=approver`", "groups claim → role, for people not in `staff`; listed staff keep their role"},
	{"assets", "—", "no (build)", "`build`", "directory holding `<function>/bootstrap` and `content.json` (`make build`)"},
}

// validateStaffServices checks the Slack and single sign-on settings as
// the functions will read them, so a typo fails the deploy.
func (p *TrustCenterStackProps) validateStaffServices() error {
	staff, _ := trust.ParseStaff(strings.Join(p.Staff, ","))
	if _, err := trust.ParseSlackUsers(p.SlackUsers, staff); err != nil {
		return fmt.Errorf("slackUsers: %w", err)
	}
	if p.RemindAfter != "" {
		if d, err := time.ParseDuration(p.RemindAfter); err != nil || d <= 0 {
			return fmt.Errorf("remindAfter: %q is not a positive duration (e.g. 24h)", p.RemindAfter)
		}
	}
	if (p.OIDCIssuer == "") != (p.OIDCClientID == "") {
		return fmt.Errorf("oidcIssuer and oidcClientId: give both or neither")
	}
	if u, err := url.Parse(p.OIDCIssuer); p.OIDCIssuer != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
		return fmt.Errorf("oidcIssuer: %q is not an https URL", p.OIDCIssuer)
	}
	if _, err := app.ParseGroupRoles(p.OIDCGroupRoles); err != nil {
		return fmt.Errorf("oidcGroupRoles: %w", err)
	}
	return nil
}

// PropsFromContext reads the settings through get (the app's context; ""
// when absent) for a stack in account and region. Every problem names the
// setting.
func PropsFromContext(get func(key string) string, account, region string) (*TrustCenterStackProps, error) {
	p := &TrustCenterStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("Trust center: SOC reports, NDA-gated access requests, signed download links"),
		},
		AssetsDir:      get("assets"),
		MailFrom:       get("mailFrom"),
		MailReplyTo:    get("mailReplyTo"),
		AlarmEmail:     get("alarmEmail"),
		DomainName:     get("domainName"),
		CertificateArn: get("certificateArn"),
		BaseURL:        get("baseUrl"),
		Staff:          splitList(get("staff")),
		AutoApprove:    splitList(get("autoApprove")),
		SlackChannel:   get("slackChannel"),
		SlackUsers:     get("slackUsers"),
		RemindAfter:    get("remindAfter"),
		OIDCIssuer:     get("oidcIssuer"),
		OIDCClientID:   get("oidcClientId"),
		OIDCGroupRoles: get("oidcGroupRoles"),
	}
	if p.AssetsDir == "" {
		p.AssetsDir = "build"
	}
	if v := get("logRetentionDays"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("context logRetentionDays: %q is not a number of days", v)
		}
		p.LogRetentionDays = n
	}
	if v := get("lapseWarningDays"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("context lapseWarningDays: %q is not a whole number of days, at least 1", v)
		}
		p.LapseWarningDays = n
	}
	if v := get("reservedConcurrency"); v != "" {
		rc, err := parseConcurrency(v)
		if err != nil {
			return nil, fmt.Errorf("context reservedConcurrency: %w", err)
		}
		p.ReservedConcurrency = rc
	}
	if region == "" {
		return nil, fmt.Errorf("no AWS region: set AWS_REGION (or a region in your AWS profile) so that the CDK CLI passes it; the edge resources depend on it")
	}
	p.Env = &awscdk.Environment{Region: jsii.String(region)}
	if account != "" {
		p.Env.Account = jsii.String(account)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("context %w", err)
	}
	return p, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func parseConcurrency(v string) (map[string]int, error) {
	out := map[string]int{}
	for _, e := range splitList(v) {
		name, n, ok := strings.Cut(e, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want function=number, e.g. public=50", e)
		}
		name = strings.TrimSpace(name)
		if !slices.Contains(FunctionNames, name) {
			return nil, fmt.Errorf("%q: unknown function %q (functions: %s)", e, name, strings.Join(FunctionNames, ", "))
		}
		c, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a number", e, n)
		}
		out[name] = c
	}
	return out, nil
}

// domainRE is a DNS name of at least two labels, which is all an e-mail
// domain or a CloudFront alias can be.
var domainRE = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+$`)

// certificateRE is an ACM certificate ARN in us-east-1, the only region
// CloudFront takes certificates from.
var certificateRE = regexp.MustCompile(`^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[0-9a-f-]+$`)

// Validate reports settings the stack cannot deploy with, naming the
// setting: a failed synth beats functions that refuse every cold start.
func (p *TrustCenterStackProps) Validate() error {
	if p.AssetsDir == "" {
		return fmt.Errorf("assets: the directory of the function binaries is required")
	}
	if p.Env == nil || p.Env.Region == nil || *p.Env.Region == "" {
		return fmt.Errorf("region: the stack's region is required")
	}
	if strings.TrimSpace(p.MailFrom) == "" {
		return fmt.Errorf("mailFrom: required, the SES sender, e.g. \"Example Trust Center <trust@example.com>\"")
	}
	if _, err := SESIdentities(p.MailFrom); err != nil {
		return fmt.Errorf("mailFrom: %w", err)
	}
	if p.MailReplyTo != "" {
		if err := trust.CheckAddress(p.MailReplyTo); err != nil {
			return fmt.Errorf("mailReplyTo: %q is not one bare e-mail address", p.MailReplyTo)
		}
	}
	if len(p.Staff) == 0 {
		return fmt.Errorf("staff: required, at least one staff e-mail (email[:admin|approver], comma-separated)")
	}
	if _, err := trust.ParseStaff(strings.Join(p.Staff, ",")); err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	for _, d := range p.AutoApprove {
		if strings.Contains(d, "@") || !domainRE.MatchString(d) {
			return fmt.Errorf("autoApprove: %q is not an e-mail domain (e.g. example.com)", d)
		}
	}
	if err := p.validateStaffServices(); err != nil {
		return err
	}
	if p.AlarmEmail == "" {
		return fmt.Errorf("alarmEmail: required, the address every alarm is sent to")
	}
	if a, err := mail.ParseAddress(p.AlarmEmail); err != nil || a.Address != p.AlarmEmail {
		return fmt.Errorf("alarmEmail: %q is not a plain e-mail address", p.AlarmEmail)
	}
	if (p.DomainName == "") != (p.CertificateArn == "") {
		return fmt.Errorf("domainName and certificateArn: give both or neither")
	}
	if p.DomainName != "" && !domainRE.MatchString(p.DomainName) {
		return fmt.Errorf("domainName: %q is not a domain name", p.DomainName)
	}
	if p.CertificateArn != "" && !certificateRE.MatchString(p.CertificateArn) {
		return fmt.Errorf("certificateArn: %q is not an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)", p.CertificateArn)
	}
	if p.BaseURL != "" {
		u, err := url.Parse(p.BaseURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fmt.Errorf("baseUrl: %q is not an https origin like https://trust.example.com", p.BaseURL)
		}
	}
	if p.LogRetentionDays != 0 && !slices.Contains(logRetentionDays, p.LogRetentionDays) {
		return fmt.Errorf("logRetentionDays: %d is not one CloudWatch Logs accepts (%v)", p.LogRetentionDays, logRetentionDays)
	}
	for name, n := range p.ReservedConcurrency {
		if !slices.Contains(FunctionNames, name) {
			return fmt.Errorf("reservedConcurrency: unknown function %q", name)
		}
		if n < 0 || n > 1000 {
			return fmt.Errorf("reservedConcurrency: %s=%d is outside 0..1000", name, n)
		}
	}
	if p.ThrottleRate < 0 || p.ThrottleBurst < 0 {
		return fmt.Errorf("throttle: rate and burst must not be negative")
	}
	return nil
}

func (p *TrustCenterStackProps) region() string { return *p.Env.Region }

func (p *TrustCenterStackProps) logRetention() float64 {
	if p.LogRetentionDays == 0 {
		return DefaultLogRetentionDays
	}
	return float64(p.LogRetentionDays)
}

func (p *TrustCenterStackProps) concurrency(fn string) int {
	if n, ok := p.ReservedConcurrency[fn]; ok {
		return n
	}
	return DefaultReservedConcurrency[fn]
}
