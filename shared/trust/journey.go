package trust

// requesterMails are the mails about a requester's own requests. Each ends
// by pointing at "my requests": someone with several requests, or who lost
// an older mail, finds all of them from any one. Mails to staff, to
// subscribers and the my-requests sign-in itself do not.
var requesterMails = map[string]bool{
	"mail.confirm":     true,
	"mail.approved":    true,
	"mail.denied":      true,
	"mail.new_version": true,
	"mail.lapse_soon":  true,
	"mail.lapsed":      true,
	"mail.signed_nda":  true,
}
