// Package stamp delivers personal copies of report PDFs: every page carries
// the recipient's name, company and email, the delivery date and a watermark
// ID, as real text, so that a leaked copy names its source and the ID leads
// back to the delivery record. It also checks uploads (Inspect) and reads
// the ID back from a copy found in the wild (FindID).
//
// The PDF work is done by pdfcpu; this package decides what the stamp says,
// where it goes and which failures mean what to the person uploading.
package stamp

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
	"golang.org/x/text/unicode/norm"
)

// The package calls pdfcpu's engine (pdfcpu.Read, validate, WriteContext)
// rather than its api package: api brings in form filling and with it
// go-runewidth, whose init fills 2.2 MB of tables, 40 ms of every cold start.

func init() {
	// Without this pdfcpu writes a configuration folder under the user's
	// home on first use; a Lambda has no writable home, and the core fonts
	// we stamp with need no configuration.
	model.ConfigPath = "disable"
}

// Recipient is who a copy is made for.
type Recipient struct {
	Name, Company, Email string
}

// IDKey is the document-information entry that holds the watermark ID.
const IDKey = "WatermarkID"

// Stamp returns a copy of the PDF src stamped on every page for r, dated
// when (shown in UTC) and carrying the watermark ID id (see NewID). The
// original's pages, text, sizes and rotation are kept. A malformed id gives
// ErrBadID; a file that cannot be stamped, an *Error as for Inspect.
func Stamp(src []byte, r Recipient, when time.Time, id string) ([]byte, error) {
	id, err := ParseID(id)
	if err != nil {
		return nil, err
	}
	ctx, err := open(src)
	if err != nil {
		return nil, err
	}
	if err := stampPages(ctx, ctx.PageCount, r, when, id); err != nil {
		return nil, err
	}
	return write(ctx, len(src))
}

// stampPages stamps pages 1..n of ctx and records id in its metadata.
func stampPages(ctx *model.Context, n int, r Recipient, when time.Time, id string) (err error) {
	defer catch(&err, "stamping it")
	groups, narrowest, err := pageGroups(ctx, n)
	if err != nil {
		return damaged(err, "reading its pages")
	}
	m := newMark(r, when, id, narrowest)
	for _, g := range groups {
		// pdfcpu draws a mark on a rotated page by turning the whole page
		// upright, which loses its /Rotate; so the page is marked as if it
		// were not rotated, with the mark turned against the rotation to
		// come out upright, and its rotation is put back afterwards.
		for _, pg := range g.pages {
			pg.dict.Update("Rotate", types.Integer(0))
		}
		marks, err := m.watermarks(g.shape)
		if err != nil {
			return err
		}
		pages := types.IntSet{}
		for _, pg := range g.pages {
			pages[pg.nr] = true
		}
		// One pass per mark because pdfcpu gives all marks of a pass the
		// same opacity: the diagonal is translucent, the footer solid.
		for _, wm := range marks {
			if err := pdfcpu.AddWatermarks(ctx, pages, wm); err != nil {
				return damaged(err, "stamping it")
			}
		}
		for _, pg := range g.pages {
			if g.rotate == 0 && !pg.hadRotate {
				pg.dict.Delete("Rotate")
			} else {
				pg.dict.Update("Rotate", types.Integer(pg.rotate))
			}
		}
	}
	if err := pdfcpu.PropertiesAdd(ctx, map[string]string{IDKey: id}); err != nil {
		return damaged(err, "recording the watermark ID")
	}
	// The keyword also shows in a reader's document properties, where an
	// admin holding a leaked copy can look it up without tools.
	if err := pdfcpu.KeywordsAdd(ctx, []string{id}); err != nil {
		return damaged(err, "recording the watermark ID")
	}
	return nil
}

// shape is what decides how a page's marks are drawn: its rotation and, for
// a rotated page, the angle of its diagonal as the reader sees it.
type shape struct {
	rotate int     // clockwise quarter turns in degrees: 0, 90, 180 or 270
	angle  float64 // diagonal angle in the page's own coordinates, rotated pages only
	scale  float64 // the diagonal's width relative to the page's own, when not diagonalScale
}

type page struct {
	nr        int
	dict      types.Dict
	rotate    int // as found, kept to be restored exactly
	hadRotate bool
}

type group struct {
	shape
	pages []page
}

// pageGroups sorts pages 1..n by shape, so that each shape costs one pass
// whatever the page count, and finds the narrowest page as the reader sees
// it, which the footer must fit.
func pageGroups(ctx *model.Context, n int) (groups []group, narrowest float64, err error) {
	index := map[shape]int{}
	narrowest = math.Inf(1)
	for nr := 1; nr <= n; nr++ {
		d, _, attrs, err := ctx.PageDict(nr, false)
		if err != nil {
			return nil, 0, fmt.Errorf("page %d: %w", nr, err)
		}
		if d == nil || attrs == nil || attrs.MediaBox == nil {
			return nil, 0, fmt.Errorf("page %d: no page dictionary or media box", nr)
		}
		_, had := d.Find("Rotate")
		pg := page{nr: nr, dict: d, rotate: attrs.Rotate, hadRotate: had}
		sh := shape{rotate: ((attrs.Rotate % 360) + 360) % 360}
		if sh.rotate%90 != 0 {
			return nil, 0, fmt.Errorf("page %d: rotation %d is not a quarter turn", nr, attrs.Rotate)
		}
		box := attrs.MediaBox
		if attrs.CropBox != nil {
			box = attrs.CropBox
		}
		w, h := box.Width(), box.Height()
		if sh.rotate == 90 || sh.rotate == 270 {
			narrowest = min(narrowest, h)
		} else {
			narrowest = min(narrowest, w)
		}
		if sh.rotate != 0 {
			if sh.rotate != 180 {
				// pdfcpu sizes the mark against the unrotated width,
				// which the reader sees as the height.
				sh.scale = math.Round(min(1, diagonalScale*h/w)*100) / 100
				w, h = h, w
			}
			// The reader's diagonal, turned back by the page's rotation;
			// rounded so that pages of one size share a group.
			a := math.Atan2(h, w)*180/math.Pi + float64(sh.rotate)
			if a > 180 {
				a -= 360
			}
			sh.angle = math.Round(a*10) / 10
		}
		i, ok := index[sh]
		if !ok {
			i = len(groups)
			index[sh] = i
			groups = append(groups, group{shape: sh})
		}
		groups[i].pages = append(groups[i].pages, pg)
	}
	return groups, narrowest, nil
}

func write(ctx *model.Context, sizeHint int) (out []byte, err error) {
	defer catch(&err, "writing the stamped copy")
	var b bytes.Buffer
	b.Grow(sizeHint + sizeHint/8 + 16<<10)
	w := bufio.NewWriter(&b)
	ctx.Write.Writer = w
	if err := errors.Join(pdfcpu.WriteContext(ctx), w.Flush()); err != nil {
		return nil, damaged(err, "writing the stamped copy")
	}
	return b.Bytes(), nil
}

// Info describes an uploaded PDF that passed Inspect.
type Info struct {
	Pages int
	// Size is the file's length in bytes, SHA256 its hex digest.
	Size   int64
	SHA256 string
	// From the document information, empty when absent.
	Title, Subject, Author, Producer string
	// OwnerPassword is true for a file with restrictions set by an owner
	// password but no password to open it: readers open it, and so do we.
	OwnerPassword bool
}

// Inspect checks that data is a PDF that can be opened and stamped, by
// stamping its first page on trial and writing the result, and describes
// it. A refusal is an *Error
// whose message tells the uploader what to do instead.
func Inspect(data []byte) (Info, error) {
	ctx, err := open(data)
	if err != nil {
		return Info{}, err
	}
	sum := sha256.Sum256(data)
	info := Info{
		Pages:         ctx.PageCount,
		Size:          int64(len(data)),
		SHA256:        hex.EncodeToString(sum[:]),
		Title:         ctx.Title,
		Subject:       ctx.Subject,
		Author:        ctx.Author,
		Producer:      ctx.Producer,
		OwnerPassword: ctx.Encrypt != nil,
	}
	trial := Recipient{Name: "Upload check", Company: "Trust center", Email: "check@example.invalid"}
	if err := stampPages(ctx, 1, trial, time.Now(), NewID()); err != nil {
		return Info{}, err
	}
	// Writing the whole file out too finds broken objects on any page,
	// which pdfcpu only meets when it copies them.
	if _, err := write(ctx, len(data)); err != nil {
		return Info{}, err
	}
	return info, nil
}

// open reads and validates data, sorting failures into the three refusals
// an uploader can act on.
func open(data []byte) (ctx *model.Context, err error) {
	// Readers accept the header anywhere in the first kilobyte; so does
	// pdfcpu, so this only turns away files that are no PDF at all.
	if !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return nil, ErrNotPDF
	}
	// pdfcpu rebuilds a truncated file from what is left and reports no
	// error, so a copy cut short in transfer would be delivered without its
	// last pages. A complete file ends with %%EOF (a little trailing junk is
	// common, hence the window).
	if !bytes.Contains(data[max(0, len(data)-1024):], []byte("%%EOF")) {
		return nil, damaged(errors.New("no %EOF marker at the end: the file is truncated"), "reading it")
	}
	defer catch(&err, "reading it")
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Cmd = model.ADDWATERMARKS
	// No optimizing pass (merging duplicate fonts and images): it would
	// cost a fifth of the time of every download, for a file the uploader
	// was content with.
	ctx, err = pdfcpu.Read(bytes.NewReader(data), conf)
	if err == nil {
		err = validate.XRefTable(ctx)
	}
	if err != nil {
		if errors.Is(err, pdfcpu.ErrWrongPassword) {
			return nil, &Error{kind: ErrPassword, cause: err}
		}
		return nil, damaged(err, "reading it")
	}
	if ctx.PageCount < 1 {
		return nil, damaged(errors.New("no pages"), "reading it")
	}
	return ctx, nil
}

// Error is a refusal: its message is meant for the person who supplied the
// file, and errors.Is matches it against ErrNotPDF, ErrDamaged, ErrPassword
// ErrNoID or ErrSeveralIDs. The underlying cause, for the log, is in Unwrap.
type Error struct {
	kind  *Error
	msg   string
	note  string // specifics that belong in the message, such as the IDs found
	cause error
}

func (e *Error) Error() string {
	msg := e.msg
	if e.kind != nil {
		msg = e.kind.msg
	}
	if e.note != "" {
		msg += ": " + e.note
	}
	return msg
}

// Detail is the technical reason, for the log.
func (e *Error) Detail() string {
	if e.cause == nil {
		return e.Error()
	}
	return e.Error() + ": " + e.cause.Error()
}

func (e *Error) Unwrap() error { return e.cause }

func (e *Error) Is(target error) bool { return e.kind != nil && target == e.kind }

// The refusals.
var (
	ErrNotPDF   = &Error{msg: "this file is not a PDF: export the report as PDF and upload that"}
	ErrDamaged  = &Error{msg: "this PDF is damaged or incomplete: save or export it again (or re-download it) and upload the new copy"}
	ErrPassword = &Error{msg: "this PDF needs a password to open: upload a copy without an open password"}
	ErrNoID     = &Error{msg: "no watermark ID found: this copy was not stamped by the trust center, or the stamp was removed"}
	// ErrSeveralIDs means the copy was stamped again after delivery; each
	// ID it lists leads to one delivery.
	ErrSeveralIDs = &Error{msg: "several watermark IDs found, look up each"}
)

func damaged(cause error, doing string) *Error {
	return &Error{kind: ErrDamaged, cause: fmt.Errorf("%s: %w", doing, cause)}
}

// catch turns a panic inside pdfcpu, which malformed files can provoke, into
// a refusal instead of a crashed server.
func catch(err *error, doing string) {
	if r := recover(); r != nil {
		*err = damaged(fmt.Errorf("pdfcpu panic: %v", r), doing)
	}
}

// clean makes a recipient field safe to draw: one line, no control
// characters, and no backslash, which pdfcpu reads as the start of a line
// break. The standard fonts we stamp with hold Latin-1 only (pdfcpu draws
// anything else as a space), so other letters lose their accents
// (Dvořák as Dvorak) and scripts beyond that are left out; the delivery
// record keeps the name as typed.
func clean(s string, max int) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case r == '\\':
			b.WriteByte('/')
		case unicode.IsControl(r) || unicode.IsSpace(r):
			b.WriteByte(' ')
		case r <= 0xff:
			b.WriteRune(r)
		default:
			b.WriteString(latin1(r))
		}
	}
	s = strings.Join(strings.Fields(b.String()), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-3]) + "..."
	}
	return s
}

// latin1 spells r with Latin-1 letters: its base letter when it is one with
// marks added, a few letters that have no decomposition, or nothing.
func latin1(r rune) string {
	switch r {
	case 'Ł':
		return "L"
	case 'ł':
		return "l"
	case 'Đ':
		return "D"
	case 'đ', 'ð':
		return "d"
	case 'ı':
		return "i"
	case 'Œ':
		return "OE"
	case 'œ':
		return "oe"
	case '‘', '’':
		return "'"
	case '“', '”':
		return "\""
	case '–', '—':
		return "-"
	}
	var b strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if d <= 0xff && !unicode.Is(unicode.Mn, d) {
			b.WriteRune(d)
		}
	}
	return b.String()
}
