package trust

import (
	"context"
	"slices"
)

// Identity is what a verified ID token from the company's identity
// provider says of the person signing in. The web layer checks the
// token's signature, issuer, audience, expiry and nonce; the service
// decides whether that person is staff.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Groups        []string
}

// SSOConfig maps the identity provider's groups to roles; a person on the
// staff list keeps their listed role, and a group only admits people the
// list does not name. Admin wins over approver when both match.
type SSOConfig struct {
	GroupRoles map[string]Role
}

// ssoStaff is the staff member id is, if any.
func (s *Service) ssoStaff(id Identity) (Staff, bool, error) {
	email := normalizeEmail(id.Email)
	if email == "" || validEmail(email).Key != "" {
		return Staff{}, false, errorMsg(EUnauthorized, msg("error.sso_unverified"))
	}
	if !id.EmailVerified {
		return Staff{}, false, errorMsg(EUnauthorized, msg("error.sso_unverified"))
	}
	if st, ok := s.StaffMember(email); ok {
		return st, false, nil
	}
	var role Role
	for _, g := range id.Groups {
		switch r := s.cfg.SSO.GroupRoles[g]; {
		case r == Admin:
			role = Admin
		case r == Approver && role == "":
			role = Approver
		}
	}
	if role == "" {
		return Staff{}, false, errorMsg(EForbidden, msg("error.sso_not_staff"))
	}
	return Staff{Email: email, Role: role}, true, nil
}

// CompleteSSO opens a session for a verified identity, once per sign-in
// attempt (state, the attempt's random id, is spent), or refuses someone
// who is not staff, whose email is not verified, or who comes back with a
// spent attempt. Refusals are audited like the email link's.
func (s *Service) CompleteSSO(ctx context.Context, id Identity, state string, c Client) (Session, error) {
	st, byGroup, err := s.ssoStaff(id)
	if err != nil {
		ev := s.event("signin:"+normalizeEmail(id.Email), "signin.sso_refused", normalizeEmail(id.Email), string(ErrorCode(err)), c)
		if cerr := s.commit(ctx, Tx{Events: []Event{ev}}); cerr != nil {
			return Session{}, cerr
		}
		return Session{}, err
	}
	now := s.now()
	sess := Session{ID: RandomID(32), Email: st.Email, Role: st.Role, CSRF: RandomID(32), CreatedAt: now, ExpiresAt: now.Add(SessionTTL), GroupRole: byGroup}
	stored := sess
	stored.ID = SessionKey(sess.ID)
	detail := "sso " + id.Issuer
	if byGroup {
		detail += " group role " + string(st.Role)
	}
	tx := Tx{
		Uses:    []Use{{ID: "sso:" + state, ExpiresAt: now.Add(SessionTTL)}},
		Session: &stored,
		Events:  []Event{s.event("staff:"+st.Email, "signin.completed", st.Email, detail, c)},
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			return Session{}, errorMsg(EUnauthorized, msg("error.sso_failed"))
		}
		return Session{}, err
	}
	return sess, nil
}

// SSORoles lists the roles groups may map to, for checking settings.
var SSORoles = []Role{Admin, Approver}

// ValidSSORole reports whether r is a role a group may map to.
func ValidSSORole(r Role) bool { return slices.Contains(SSORoles, r) }
