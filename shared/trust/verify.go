package trust

import (
	"context"
	"time"
)

// Genuine is what anyone may learn of a stamped copy from its watermark
// ID: that the trust center issued it, of which document and version, and
// on which day. Never to whom: the recipient is the staff's to trace
// (Trace), and the type has no field that could carry them.
type Genuine struct {
	WatermarkID string
	Document    string
	Version     int
	Issued      time.Time // the day, in UTC, the copy was stamped
}

// VerifyCopy answers whether the watermark ID typed belongs to a copy the
// trust center issued. A typed ID that cannot be one is EInvalid, one no
// copy carries ENotFound; both say so in the reader's language.
func (s *Service) VerifyCopy(ctx context.Context, typed string) (Genuine, error) {
	if _, none := s.stamp.(noStamper); none {
		return Genuine{}, noEngine("stamper", "ParseID")
	}
	id, ok := s.stamp.ParseID(typed)
	if !ok {
		m := msg("error.trace_bad_id")
		return Genuine{}, invalid(m, map[string]Msg{"id": m})
	}
	cp, err := s.store.CopyByWatermark(ctx, id)
	if ErrorCode(err) == ENotFound {
		return Genuine{}, errorMsg(ENotFound, msg("error.trace_unknown", id))
	}
	if err != nil {
		return Genuine{}, err
	}
	// The day alone: the hour of a download is a detail of the
	// recipient's, not of the copy.
	issued := cp.CreatedAt.UTC().Truncate(24 * time.Hour)
	return Genuine{WatermarkID: cp.WatermarkID, Document: cp.Document, Version: cp.Version, Issued: issued}, nil
}
