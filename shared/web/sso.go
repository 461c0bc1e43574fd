package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"trustcenter/shared/trust"
)

// SSODeps is the company's OpenID Connect provider, for staff sign-in by
// authorization code with PKCE, state and nonce. An empty Issuer turns it
// off.
type SSODeps struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// HTTP reaches the provider; nil is a client with a short timeout.
	HTTP *http.Client
	// Now is the clock ID tokens expire by; nil is the system's.
	Now func() time.Time
}

// Enabled reports whether single sign-on is configured.
func (d SSODeps) Enabled() bool { return d.Issuer != "" && d.ClientID != "" }

const (
	ssoCookie   = "tc_sso"
	ssoPath     = "/admin/sso"
	ssoCallback = "/admin/sso/callback"
	// ssoAttemptTTL is how long a started sign-in may take at the provider.
	ssoAttemptTTL = 10 * time.Minute
)

// ssoClient discovers the provider once, on first use, and tries again on
// the next request if discovery failed (a provider down at a cold start
// must not need a redeploy).
type ssoClient struct {
	deps     SSODeps
	redirect string
	mu       sync.Mutex
	provider *oidc.Provider
}

func (c *ssoClient) http() *http.Client {
	if c.deps.HTTP != nil {
		return c.deps.HTTP
	}
	return &http.Client{Timeout: 5 * time.Second}
}

func (c *ssoClient) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.http())
}

func (c *ssoClient) config(ctx context.Context) (*oauth2.Config, *oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider == nil {
		p, err := oidc.NewProvider(c.ctx(ctx), c.deps.Issuer)
		if err != nil {
			return nil, nil, trust.Unavailable(fmt.Errorf("oidc discovery of %s: %w", c.deps.Issuer, err))
		}
		c.provider = p
	}
	oc := &oauth2.Config{
		ClientID: c.deps.ClientID, ClientSecret: c.deps.ClientSecret, Endpoint: c.provider.Endpoint(),
		RedirectURL: c.redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile", "groups"},
	}
	return oc, c.provider, nil
}

// identity checks the ID token of tok (signed by the issuer's keys, issued
// by the issuer, for our client, unexpired by our clock, with this
// attempt's nonce) and reads who it names. Providers that leave the email
// out of the ID token give it at the userinfo endpoint, for the same
// subject.
func (c *ssoClient) identity(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, nonce string) (trust.Identity, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return trust.Identity{}, errors.New("the token answer has no id_token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: c.deps.ClientID, Now: c.deps.Now}).Verify(ctx, raw)
	if err != nil {
		return trust.Identity{}, err
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return trust.Identity{}, errors.New("the ID token's nonce is not this attempt's")
	}
	var claims ssoClaims
	if err := idt.Claims(&claims); err != nil {
		return trust.Identity{}, err
	}
	if claims.Email == "" {
		info, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return trust.Identity{}, fmt.Errorf("userinfo: %w", err)
		}
		if info.Subject != idt.Subject {
			return trust.Identity{}, errors.New("userinfo names another subject than the ID token")
		}
		if err := info.Claims(&claims); err != nil {
			return trust.Identity{}, err
		}
	}
	return trust.Identity{Issuer: idt.Issuer, Subject: idt.Subject, Email: claims.Email,
		EmailVerified: claims.EmailVerified != nil && *claims.EmailVerified, Groups: claims.Groups}, nil
}

// ssoClaims are the claims we read. email_verified must be true, not
// merely present.
type ssoClaims struct {
	Email         string   `json:"email"`
	EmailVerified *bool    `json:"email_verified"`
	Groups        []string `json:"groups"`
}

func (s *server) ssoAttemptCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: ssoCookie, Value: value, Path: ssoPath, MaxAge: maxAge,
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode}
}

// startSSO sends the browser to the provider with a fresh state, nonce and
// PKCE verifier, which only this browser's cookie holds.
func (s *server) startSSO(w http.ResponseWriter, r *http.Request) {
	if s.sso == nil {
		s.fail(w, r, trust.Errorf(trust.ENotFound, "single sign-on is not configured"))
		return
	}
	oc, _, err := s.sso.config(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	state, nonce, verifier := trust.RandomID(32), trust.RandomID(32), oauth2.GenerateVerifier()
	http.SetCookie(w, s.ssoAttemptCookie(r, state+"."+nonce+"."+verifier, int(ssoAttemptTTL/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusSeeOther)
}

// finishSSO takes the provider's answer: the state must be this browser's,
// the code is exchanged with the verifier, and the ID token must be signed
// by the issuer for us, unexpired, with our nonce; then the service decides
// whether the person is staff.
func (s *server) finishSSO(w http.ResponseWriter, r *http.Request) {
	if s.sso == nil {
		s.fail(w, r, trust.Errorf(trust.ENotFound, "single sign-on is not configured"))
		return
	}
	refused := userError(trust.EUnauthorized, "error.sso_failed")
	// The attempt is over whatever happens next.
	http.SetCookie(w, s.ssoAttemptCookie(r, "", -1))
	c, err := r.Cookie(ssoCookie)
	if err != nil {
		s.fail(w, r, refused)
		return
	}
	parts := strings.Split(c.Value, ".")
	q := r.URL.Query()
	if len(parts) != 3 || q.Get("error") != "" || q.Get("code") == "" ||
		subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(parts[0])) != 1 {
		s.log.Warn("sso answer refused", "provider_error", q.Get("error"))
		s.fail(w, r, refused)
		return
	}
	state, nonce, verifier := parts[0], parts[1], parts[2]
	oc, provider, err := s.sso.config(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := s.sso.ctx(r.Context())
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		// The provider answering 4xx refused the code (replayed, expired,
		// another client's); anything else is the provider being down,
		// which is our 503, not a refusal.
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response == nil || re.Response.StatusCode >= 500 {
			s.log.Error("sso code exchange failed", "err", err)
			s.fail(w, r, trust.Unavailable(err))
			return
		}
		s.log.Warn("sso code exchange refused", "err", err)
		s.fail(w, r, refused)
		return
	}
	id, err := s.sso.identity(ctx, provider, tok, nonce)
	if err != nil {
		s.log.Warn("sso id token refused", "err", err)
		s.fail(w, r, refused)
		return
	}
	sess, err := s.svc.CompleteSSO(r.Context(), id, state, client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setSession(w, r, sess)
	http.Redirect(w, r, "/admin/requests", http.StatusSeeOther)
}
