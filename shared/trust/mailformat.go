package trust

import (
	"html"
	"strings"
	"time"

	"trustcenter/shared/i18n"
)

// The HTML part of a mail says exactly what its plain text says, from the
// same catalog text: the words escaped, blank lines as paragraph breaks,
// our own links as links, and the first of them (what the mail asks the
// reader to do) as its one button, labelled by the catalog's
// "<key>.button". A mail without such a label has no button. Nothing a
// visitor typed is ever a link: quoted() defused it before it got here,
// and only text that starts with our own address becomes one.

const (
	mailButtonStyle = "display:inline-block;padding:12px 22px;background:#0b57a4;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600"
	mailBodyStyle   = "margin:0;padding:24px 16px;background:#ffffff;color:#1b1f24;font:16px/1.5 -apple-system,'Segoe UI',Roboto,'PingFang SC','Microsoft YaHei',sans-serif"
	mailSmallStyle  = "color:#4a5360;font-size:13px;word-break:break-all"
)

// mailHTML renders text (the mail's plain-text body) for lang.
func (s *Service) mailHTML(lang, key, subject, text string) string {
	label := ""
	if i18n.Has(key + ".button") {
		label = i18n.T(lang, key+".button")
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="` + html.EscapeString(lang) + `"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width"><title>` + html.EscapeString(subject) + `</title></head>` +
		`<body style="` + mailBodyStyle + `"><div style="max-width:560px;margin:0 auto">`)
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		var lines []string
		flush := func() {
			if len(lines) > 0 {
				b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
				lines = nil
			}
		}
		for _, l := range strings.Split(para, "\n") {
			u := html.EscapeString(l)
			switch {
			case s.ours(l) && label != "":
				flush()
				b.WriteString(`<p style="margin:24px 0"><a href="` + u + `" style="` + mailButtonStyle + `">` + html.EscapeString(label) + `</a></p>`)
				b.WriteString(`<p style="` + mailSmallStyle + `">` + u + `</p>`)
				label = ""
			case s.ours(l):
				lines = append(lines, `<a href="`+u+`" style="color:#0b57a4;word-break:break-all">`+u+`</a>`)
			default:
				lines = append(lines, u)
			}
		}
		flush()
	}
	b.WriteString("</div></body></html>\n")
	return b.String()
}

// ours reports whether a whole line is one of our own links.
func (s *Service) ours(line string) bool {
	return s.cfg.BaseURL != "" && strings.HasPrefix(line, s.cfg.BaseURL+"/") && !strings.ContainsAny(line, " \t<>\"'")
}

// mailTime is a moment as a mail to a reader of lang states it, in UTC:
// the catalog text says "UTC" beside it. Mails go out off the request
// path, from a queue, to people whose time zone we never asked (the pages
// carry no script that could tell us), so every date is UTC and says so.
func mailTime(lang string, t time.Time) string {
	t = t.UTC()
	return i18n.FormatDate(lang, t) + " " + t.Format("15:04")
}
