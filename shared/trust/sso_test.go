package trust_test

import (
	"context"
	"testing"

	"trustcenter/shared/trust"
)

func TestCompleteSSO(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *trust.Config, _ *trust.Engines) {
		c.SSO.GroupRoles = map[string]trust.Role{"security": trust.Admin, "sales": trust.Approver}
	})
	cases := []struct {
		name  string
		id    trust.Identity
		code  trust.Code
		role  trust.Role
		group bool
	}{
		{"listed staff keep their role", trust.Identity{Email: "Sales@Lumen.example", EmailVerified: true, Groups: []string{"security"}}, "", trust.Approver, false},
		{"a group admits with its role", trust.Identity{Email: "eve@lumen.example", EmailVerified: true, Groups: []string{"sales", "security"}}, "", trust.Admin, true},
		{"unverified email", trust.Identity{Email: "sales@lumen.example", Groups: []string{"security"}}, trust.EUnauthorized, "", false},
		{"no email", trust.Identity{EmailVerified: true}, trust.EUnauthorized, "", false},
		{"neither listed nor in a mapped group", trust.Identity{Email: "mallory@elsewhere.example", EmailVerified: true, Groups: []string{"everyone"}}, trust.EForbidden, "", false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sess, err := f.svc.CompleteSSO(ctx, tc.id, "state"+string(rune('a'+i)), trust.Client{})
			if trust.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
				t.Fatalf("err = %v, want %q", err, tc.code)
			}
			if err != nil {
				return
			}
			if sess.Role != tc.role || sess.GroupRole != tc.group {
				t.Errorf("session: %s group=%v", sess.Role, sess.GroupRole)
			}
			live, err := f.svc.Session(ctx, sess.ID)
			if err != nil || live.Role != tc.role {
				t.Errorf("the session does not hold: %v %s", err, live.Role)
			}
		})
	}
	// An attempt's state is spent once.
	id := trust.Identity{Email: "sales@lumen.example", EmailVerified: true}
	if _, err := f.svc.CompleteSSO(ctx, id, "once", trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CompleteSSO(ctx, id, "once", trust.Client{}); trust.ErrorCode(err) != trust.EUnauthorized {
		t.Errorf("spent attempt: %v", err)
	}
}
