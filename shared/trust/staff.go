package trust

import (
	"fmt"
	"strings"
)

// ParseStaff reads a staff list written "a@x.com,b@y.com:approver": each
// entry an email with an optional role, admin when omitted. The functions
// read it from TRUST_STAFF and the CDK app checks it at synthesis, so a typo
// fails the deploy rather than every cold start.
func ParseStaff(v string) ([]Staff, error) {
	var staff []Staff
	for _, e := range strings.Split(v, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		email, role, _ := strings.Cut(e, ":")
		st := Staff{Email: normalizeEmail(email), Role: Role(role)}
		if st.Role == "" {
			st.Role = Admin
		}
		if st.Role != Admin && st.Role != Approver {
			return nil, fmt.Errorf("staff %q: role must be admin or approver", e)
		}
		if validEmail(st.Email).Key != "" {
			return nil, fmt.Errorf("staff %q is not an email address", e)
		}
		staff = append(staff, st)
	}
	if len(staff) == 0 {
		return nil, fmt.Errorf("no staff email given")
	}
	return staff, nil
}
