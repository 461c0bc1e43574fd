package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"trustcenter/shared/trust"
)

// evidenceHeader names the CSV's columns, the JSON's field names.
var evidenceHeader = []string{"request", "name", "email", "company", "status", "mode", "version", "seq", "sha256",
	"signature", "accepted_at", "ip", "user_agent", "relies_on", "reference"}

func (s *server) evidence(w http.ResponseWriter, r *http.Request, sess trust.Session) ([]trust.EvidenceRow, bool) {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	rows, err := s.svc.Evidence(r.Context(), sess, days)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return rows, true
}

func (s *server) evidenceCSV(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	rows, ok := s.evidence(w, r, sess)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="nda-evidence.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write(evidenceHeader)
	for _, e := range rows {
		at := ""
		if !e.AcceptedAt.IsZero() {
			at = e.AcceptedAt.UTC().Format(time.RFC3339)
		}
		seq := ""
		if e.Seq > 0 {
			seq = strconv.Itoa(e.Seq)
		}
		rec := []string{e.Request, e.Name, e.Email, e.Company, string(e.Status), e.Mode, e.Version, seq, e.SHA256,
			e.Signature, at, e.IP, e.UserAgent, e.ReliesOn, e.Reference}
		for i, v := range rec {
			rec[i] = csvSafe(v)
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

// csvSafe keeps a requester's text from being read as a formula by the
// spreadsheet that opens the export.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}

func (s *server) evidenceJSON(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	rows, ok := s.evidence(w, r, sess)
	if !ok {
		return
	}
	if rows == nil {
		rows = []trust.EvidenceRow{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="nda-evidence.json"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rows)
}
