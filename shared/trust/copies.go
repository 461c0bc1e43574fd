package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
)

// CopiesPrefix is where stamped copies are kept in the blob engine, one
// folder per grant (copies/<grant>/<document>/v<version>-<watermark>.pdf),
// apart from the reports, so that storage rules (an expiry, narrower
// permissions) can tell them apart.
const CopiesPrefix = "copies/"

// MaxCopyAge bounds how long a kept copy can still be served: it is made
// during its grant, and a grant lasts at most MaxDays. Storage may forget
// older copies (the S3 bucket's lifecycle rule does).
const MaxCopyAge = MaxDays * 24 * time.Hour

// copyFor returns r's copy of version d.Version of d, stamping it on the
// first download. Two first downloads at once may both stamp, but only one
// copy record can be created: the other download removes its file and
// serves the winner's, so every download of a version is the same copy.
// The watermark ID is in the file's name because the losing file must not
// overwrite the winning one.
func (s *Service) copyFor(ctx context.Context, r Request, d Document, c Client) (Copy, error) {
	cp, err := s.store.GetCopy(ctx, r.GrantID, d.ID, d.Version)
	if err == nil || ErrorCode(err) != ENotFound {
		return cp, err
	}
	src, err := s.readBlob(ctx, d.BlobKey)
	if err != nil {
		return Copy{}, fmt.Errorf("copy of %s for %s: %w", d.ID, r.ID, err)
	}
	now := s.now()
	id := s.stamp.NewID()
	pdf, err := s.stamp.Stamp(src, Recipient{Name: r.Name, Company: r.Company, Email: r.Email}, now, id)
	if err != nil {
		return Copy{}, fmt.Errorf("stamp %s for %s: %w", d.ID, r.ID, err)
	}
	sum := sha256.Sum256(pdf)
	cp = Copy{
		WatermarkID: id, Request: r.ID, Grant: r.GrantID, Document: d.ID, Version: d.Version,
		BlobKey: fmt.Sprintf("%s%s/%s/v%d-%s.pdf", CopiesPrefix, r.GrantID, d.ID, d.Version, id),
		Size:    int64(len(pdf)), SHA256: hex.EncodeToString(sum[:]),
		Name: r.Name, Company: r.Company, Email: r.Email, CreatedAt: now,
	}
	if err := s.blobs.Put(ctx, cp.BlobKey, bytes.NewReader(pdf), cp.Size, "application/pdf"); err != nil {
		return Copy{}, fmt.Errorf("keep copy %s: %w", id, err)
	}
	e := s.event(r.ID, "copy.stamped", "system", fmt.Sprintf("document=%s version=%d grant=%s", d.ID, d.Version, r.GrantID), c)
	e.Watermark = id
	err = s.commit(ctx, Tx{Copy: &cp, Events: []Event{e}})
	if err == nil {
		return cp, nil
	}
	if derr := s.blobs.Delete(ctx, cp.BlobKey); derr != nil {
		s.log.Error("remove unused copy", "key", cp.BlobKey, "err", derr)
	}
	if ErrorCode(err) == EConflict {
		if won, gerr := s.store.GetCopy(ctx, r.GrantID, d.ID, d.Version); gerr == nil {
			return won, nil
		}
	}
	return Copy{}, fmt.Errorf("record copy %s: %w", id, err)
}

func (s *Service) readBlob(ctx context.Context, key string) ([]byte, error) {
	f, err := s.blobs.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, Unavailable(err)
	}
	return b, nil
}

// removeCopies deletes the files of a grant's copies; their records stay,
// so a copy that got out still traces back. Revocation calls it in its own
// flow, and only logs a failure: the grant has ended either way (every
// download re-reads it), and the bucket's expiry rule removes what is left.
// A grant that simply expires is swept by SweepExpiredCopies. It returns
// the files removed and the removals that failed (each logged); err is the
// copies' listing failing.
func (s *Service) removeCopies(ctx context.Context, grant string) (removed, failed int, err error) {
	copies, err := s.store.ListCopies(ctx, grant)
	if err != nil {
		s.log.Error("list copies to remove", "grant", grant, "err", err)
		return 0, 0, err
	}
	for _, cp := range copies {
		if err := s.blobs.Delete(ctx, cp.BlobKey); err != nil {
			s.log.Error("remove copy", "grant", grant, "key", cp.BlobKey, "err", err)
			failed++
			continue
		}
		removed++
	}
	return removed, failed, nil
}

// Traced is what a trace finds: the copy, the request and grant it was
// made for, and every download that delivered it.
type Traced struct {
	Copy      Copy
	Request   Request
	Downloads []Event
}

// Trace looks up whose copy the watermark ID typed is. Each lookup is an
// event: on the request's trail when the ID is known, else on the staff
// member's.
func (s *Service) Trace(ctx context.Context, by Session, typed string, c Client) (Traced, error) {
	if err := authorize(by, Trace); err != nil {
		return Traced{}, err
	}
	if _, none := s.stamp.(noStamper); none {
		return Traced{}, noEngine("stamper", "ParseID")
	}
	id, ok := s.stamp.ParseID(typed)
	if !ok {
		m := msg("error.trace_bad_id")
		return Traced{}, invalid(m, map[string]Msg{"id": m})
	}
	return s.trace(ctx, by, id, "id", c)
}

// TraceFile reads the watermark ID from a PDF found somewhere and traces
// it as Trace does.
func (s *Service) TraceFile(ctx context.Context, by Session, pdf []byte, c Client) (Traced, error) {
	if err := authorize(by, Trace); err != nil {
		return Traced{}, err
	}
	id, err := s.stamp.FindID(pdf)
	if errors.Is(err, ErrNoWatermark) {
		m := msg("error.trace_no_stamp")
		return Traced{}, invalid(m, map[string]Msg{"file": m})
	}
	if err != nil {
		return Traced{}, err
	}
	return s.trace(ctx, by, id, "file", c)
}

func (s *Service) trace(ctx context.Context, by Session, id, via string, c Client) (Traced, error) {
	cp, err := s.store.CopyByWatermark(ctx, id)
	if ErrorCode(err) == ENotFound {
		e := s.event("staff:"+by.Email, "copy.trace_unknown", by.Email, "via="+via, c)
		e.Watermark = id
		if err := s.commit(ctx, Tx{Events: []Event{e}}); err != nil {
			return Traced{}, fmt.Errorf("record trace: %w", err)
		}
		return Traced{}, errorMsg(ENotFound, msg("error.trace_unknown", id))
	}
	if err != nil {
		return Traced{}, err
	}
	r, events, err := s.Request(ctx, cp.Request)
	if err != nil {
		return Traced{}, fmt.Errorf("trace %s: %w", id, err)
	}
	t := Traced{Copy: cp, Request: r}
	for _, e := range events {
		if e.Type == "document.downloaded" && e.Watermark == id {
			t.Downloads = append(t.Downloads, e)
		}
	}
	e := s.event(r.ID, "copy.traced", by.Email, "via="+via, c)
	e.Watermark = id
	if err := s.commit(ctx, Tx{Events: []Event{e}}); err != nil {
		return Traced{}, fmt.Errorf("record trace: %w", err)
	}
	return t, nil
}
