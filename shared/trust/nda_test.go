package trust_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

func TestPublishNDAMajorAndMinor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	vs, err := f.svc.NDAVersions(ctx)
	if err != nil || len(vs) != 1 || vs[0].Label != nda.Version || vs[0].SHA256 != nda.Hash() {
		t.Fatalf("before any publication: %+v, %v (want the content file's NDA as version 1)", vs, err)
	}
	if _, err := f.svc.PublishNDA(ctx, staff, trust.NDAInput{Label: "x", Text: "y"}, trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
		t.Fatalf("an approver published: %v", err)
	}
	minor, err := f.svc.PublishNDA(ctx, admin, trust.NDAInput{Label: "2026-01a", Text: "Minor text.\r\nSecond line."}, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if minor.Seq != 2 || minor.Series != 1 || minor.Text != "Minor text.\nSecond line." || minor.SHA256 != trust.HashText(minor.Text) {
		t.Fatalf("minor version %+v", minor)
	}
	_, err = f.svc.PublishNDA(ctx, admin, trust.NDAInput{Label: "2026-01a", Text: "again", Effective: "soon"}, trust.Client{})
	if fe := trust.FieldErrors(err); fe["label"] == "" || fe["effective"] == "" {
		t.Fatalf("a label taken and a bad date: %v %v", err, fe)
	}
	later := f.now.AddDate(0, 0, 10)
	major, err := f.svc.PublishNDA(ctx, admin, trust.NDAInput{Label: "2027-01", Text: "Major text.", Major: true, Effective: later.Format("2006-01-02")}, trust.Client{})
	if err != nil || major.Seq != 3 || major.Series != 3 {
		t.Fatalf("major: %+v %v", major, err)
	}
	if cur, _ := f.svc.CurrentNDA(ctx); cur.Seq != 2 {
		t.Fatalf("before its effective date the current version is %d, want 2", cur.Seq)
	}
	f.now = later.Add(time.Hour)
	if cur, _ := f.svc.CurrentNDA(ctx); cur.Seq != 3 {
		t.Fatalf("after its effective date the current version is %d, want 3", cur.Seq)
	}
	if old, err := f.svc.NDAVersionBySeq(ctx, 1); err != nil || old.Text != nda.Text {
		t.Fatalf("version 1 is not readable any more: %+v %v", old, err)
	}
}

// A form that showed another text, or a version since replaced, is refused
// on the NDA alone; the recorded hash is the one posted.
func TestSubmitRefusesAnotherText(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := validInput()
	in.NDASHA256 = trust.HashText("some other text")
	_, err := f.svc.Submit(ctx, in, trust.Client{})
	if fe := trust.FieldErrors(err); fe["nda_version"] == "" || len(fe) != 1 {
		t.Fatalf("another hash: %v %v", err, fe)
	}
	if _, err := f.svc.PublishNDA(ctx, admin, trust.NDAInput{Label: "2026-02", Text: "New text."}, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, validInput(), trust.Client{}); trust.FieldErrors(err)["nda_version"] == "" {
		t.Fatalf("the replaced version was accepted: %v", err)
	}
	in = validInput()
	in.NDAVersion, in.NDASHA256 = "2026-02", strings.ToUpper(trust.HashText("New text."))
	r, err := f.svc.Submit(ctx, in, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if r.NDA.Seq != 2 || r.NDA.TextSHA256 != trust.HashText("New text.") {
		t.Fatalf("evidence %+v", r.NDA)
	}
}

// approved files, confirms and approves a request made with in.
func (f *fixture) approved(t *testing.T, in trust.RequestInput) (trust.Request, string) {
	t.Helper()
	ctx := context.Background()
	r, err := f.svc.Submit(ctx, in, trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	r, err = f.store.GetRequest(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r, lastLink(t, f.mail.to(r.Email), "/access/")
}

func downloadLinks(t *testing.T, f *fixture, access string) (trust.Grant, []string) {
	t.Helper()
	g, err := f.svc.AccessPage(context.Background(), access)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, l := range g.Links {
		links = append(links, l)
	}
	return g, links
}

func TestMajorVersionAskedAtTheAccessPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, access := f.approved(t, validInput())
	_, links := downloadLinks(t, f, access)
	if len(links) != 1 {
		t.Fatalf("links %v", links)
	}
	if _, err := f.svc.PublishNDA(ctx, admin, trust.NDAInput{Label: "2026-01b", Text: "Typo fixed."}, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if g, _ := downloadLinks(t, f, access); g.AcceptNDA != nil {
		t.Fatalf("a minor version asked again: %+v", g.AcceptNDA)
	}
	major, err := f.svc.PublishNDA(ctx, admin, trust.NDAInput{Label: "2027", Text: "New terms.", Major: true}, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	g, none := downloadLinks(t, f, access)
	if g.AcceptNDA == nil || g.AcceptNDA.Seq != major.Seq || len(none) != 0 {
		t.Fatalf("after a major version: asks %+v, links %v", g.AcceptNDA, none)
	}
	if _, err := f.svc.Download(ctx, links[0], trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
		t.Fatalf("a link minted before the major version still downloads: %v", err)
	}
	_, err = f.svc.AcceptAtAccess(ctx, access, major.Label, major.SHA256, true, "Someone Else", trust.Client{})
	if trust.FieldErrors(err)["nda_signature"] == "" {
		t.Fatalf("another name signed: %v", err)
	}
	_, err = f.svc.AcceptAtAccess(ctx, access, major.Label, nda.Hash(), true, "Ada Lovelace", trust.Client{})
	if trust.FieldErrors(err)["nda_version"] == "" {
		t.Fatalf("the old text's hash accepted: %v", err)
	}
	r, err := f.svc.AcceptAtAccess(ctx, access, major.Label, major.SHA256, true, "Ada Lovelace", trust.Client{IP: "198.51.100.4"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Reacceptances) != 1 || r.Reacceptances[0].TextSHA256 != major.SHA256 || r.Reacceptances[0].IP != "198.51.100.4" {
		t.Fatalf("re-acceptance %+v", r.Reacceptances)
	}
	if _, err := f.svc.Download(ctx, links[0], trust.Client{}); err != nil {
		t.Fatalf("after accepting: %v", err)
	}
}

func TestAcceptedBeforeIsNotAskedAgain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, _ := f.approved(t, validInput())

	prior := validInput()
	prior.NDAMode, prior.NDAAccept, prior.NDASignature = trust.NDAPrior, false, ""
	f.now = f.now.AddDate(0, 6, 0)
	r, access := f.approved(t, prior)
	if r.NDA.ReliesOn != first.ID || r.NDA.Seq != 1 || r.NDA.TextSHA256 != nda.Hash() {
		t.Fatalf("within the period: %+v", r.NDA)
	}
	if g, _ := downloadLinks(t, f, access); g.AcceptNDA != nil {
		t.Fatal("asked again within the period")
	}
	evs, _ := f.store.ListEvents(ctx, r.ID)
	if !hasNDAEvent(evs, "nda.relied", first.ID) {
		t.Errorf("no nda.relied event naming %s: %+v", first.ID, evs)
	}

	// A year and more later, the same claim finds nothing to rely on:
	// the access page asks for the click-through.
	f.now = f.now.AddDate(1, 0, 0)
	late, access := f.approved(t, prior)
	if late.NDA.ReliesOn != "" || late.NDA.Seq != 0 {
		t.Fatalf("past the period: %+v", late.NDA)
	}
	if g, _ := downloadLinks(t, f, access); g.AcceptNDA == nil {
		t.Fatal("not asked past the period")
	}

	// Another address cannot ride on Ada's acceptance.
	other := prior
	other.Email = "eve@buyer.example"
	o, access := f.approved(t, other)
	if o.NDA.ReliesOn != "" {
		t.Fatalf("another address relied on %s", o.NDA.ReliesOn)
	}
	if g, _ := downloadLinks(t, f, access); g.AcceptNDA == nil {
		t.Fatal("another address was not asked")
	}
}

func hasNDAEvent(evs []trust.Event, typ, detail string) bool {
	for _, e := range evs {
		if e.Type == typ && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}

func TestExistingNDAConfirmedByStaff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := validInput()
	in.NDAMode, in.NDAAccept, in.NDASignature, in.ExistingNote = trust.NDAExisting, false, "", "MNDA 2024"
	r, access := f.approved(t, in)
	if r.ExistingNDA == nil || r.ExistingNDA.Note != "MNDA 2024" {
		t.Fatalf("existing NDA %+v", r.ExistingNDA)
	}
	if g, _ := downloadLinks(t, f, access); g.AcceptNDA == nil {
		t.Fatal("downloads before staff confirmed the existing NDA")
	}
	if _, err := f.svc.SettleExistingNDA(ctx, staff, r.ID, true, "", "2024-05-01", trust.Client{}); trust.FieldErrors(err)["reference"] == "" {
		t.Fatalf("confirmed without a reference: %v", err)
	}
	got, err := f.svc.SettleExistingNDA(ctx, staff, r.ID, true, "Mutual NDA Buyer–Lumen", "2024-05-01", trust.Client{})
	if err != nil || got.ExistingNDA.State != trust.ExistingConfirmed || got.ExistingNDA.By != staff.Email {
		t.Fatalf("confirm: %+v %v", got.ExistingNDA, err)
	}
	if g, links := downloadLinks(t, f, access); g.AcceptNDA != nil || len(links) != 1 {
		t.Fatal("still asked after staff confirmed")
	}
	got, err = f.svc.SettleExistingNDA(ctx, staff, r.ID, false, "", "", trust.Client{})
	if err != nil || got.ExistingNDA.State != trust.ExistingClickThough {
		t.Fatalf("click-through: %+v %v", got.ExistingNDA, err)
	}
	if g, _ := downloadLinks(t, f, access); g.AcceptNDA == nil {
		t.Fatal("not asked after staff asked for the click-through")
	}
	rows, err := f.svc.Evidence(ctx, staff, 0)
	if err != nil || len(rows) != 1 || rows[0].Mode != "existing" {
		t.Fatalf("evidence %+v %v", rows, err)
	}
}

// fakeNDAPDF stands in for package ndapdf: the PDF is the evidence's
// request and hash, which is all these tests look at.
type fakeNDAPDF struct{}

func (fakeNDAPDF) Render(e trust.NDAEvidence) ([]byte, error) {
	return []byte("%PDF-fake " + e.Request + " " + e.SHA256 + " " + e.Signature), nil
}
