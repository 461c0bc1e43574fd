// Package localapp is the whole trust center on one machine: every
// function's handler on one mux, on the embedded engines (bbolt, files,
// .eml outbox), with the example documents seeded on first run. It is what
// `make run` starts; the Lambda functions use package app alone, which
// keeps this package's engines and the YAML reader out of their binaries.
package localapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"trustcenter/shared/app"
	"trustcenter/shared/content"
	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/local/emlmail"
	"trustcenter/shared/local/fileblob"
	"trustcenter/shared/local/sample"
	"trustcenter/shared/ndapdf"
	"trustcenter/shared/slackbot"
	"trustcenter/shared/stamp"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
	"trustcenter/shared/web"
)

// Local is the whole trust center on one machine: every function's handler
// on one mux, on the embedded engines under DataDir.
type Local struct {
	Config  app.Config
	Service *trust.Service
	Handler http.Handler
	Outbox  string // folder of .eml files
	// Drained, when set before Serve, is told what each of the server's
	// own drains delivered (tests wait on it).
	Drained func(trust.MailReport)

	log      *slog.Logger
	store    *boltstore.Store
	listener net.Listener
	server   *http.Server
	done     chan error
	// worked is closed when the background work (delivery, sweeps) has
	// stopped, so Close returns only once nothing writes any more.
	worked chan struct{}
	stop   context.CancelFunc

	// wake is signalled after a commit that queued mail; the mail
	// goroutine started by Serve then drains the outbox, off the request.
	wake chan struct{}
	// draining is held by each drain, so that DeliverMail returns only
	// when no drain is still writing a mail file.
	draining sync.Mutex
}

// Open opens the embedded engines, seeding the example documents on
// first run. clock is the one the service and the store read; tests pass
// one they can move.
func Open(c app.Config, log *slog.Logger, clock trust.Clock) (*Local, error) {
	site, err := LoadContent(c.ContentPath)
	if err != nil {
		return nil, err
	}
	store, err := boltstore.Open(filepath.Join(c.DataDir, "trust.db"), clock)
	if err != nil {
		return nil, err
	}
	// The key file is read again every few minutes, so a key rotated into
	// it (keyring rotate --file) is used without a restart.
	keyFile := filepath.Join(c.DataDir, "keys.json")
	if _, err := token.LoadOrCreateFile(keyFile, clock.Now()); err != nil {
		store.Close()
		return nil, err
	}
	keys, err := token.NewHolder(context.Background(), token.File(keyFile), clock)
	if err != nil {
		store.Close()
		return nil, err
	}
	l := &Local{Config: c, log: log, store: store, Outbox: filepath.Join(c.DataDir, "outbox"), wake: make(chan struct{}, 1)}
	l.Service = app.NewService(c, site, keys, trust.Engines{
		Store:     store,
		Blobs:     fileblob.Dir(filepath.Join(c.DataDir, "reports")),
		Inspect:   stamp.Inspector{},
		Mail:      slackbot.NewMailer(slackbot.Settings{Token: c.SlackToken, APIURL: c.SlackAPIURL}, &emlmail.Outbox{Dir: l.Outbox, From: c.MailFrom, FromName: c.SenderName(site.Company.Name), ReplyTo: c.MailReplyTo}),
		Stamper:   stamp.Engine{},
		SignedNDA: ndapdf.Engine{},
		Clock:     clock,
		Log:       log,
		MailQueued: func() {
			select {
			case l.wake <- struct{}{}:
			default: // a drain is already due; it will find this mail too
			}
		},
	})
	if err := Seed(context.Background(), l.Service, site); err != nil {
		store.Close()
		return nil, err
	}
	// Each start is this machine's deploy: subscribers hear of what it
	// publishes that they were not told of yet, once.
	if n, err := l.Service.Announce(context.Background(), site.Published(c.BaseURL)); err != nil {
		log.Error("announce updates", "err", err)
	} else if n > 0 {
		log.Info("announced updates", "mails", n)
	}
	l.Handler = web.New(web.Deps{Service: l.Service, Site: site, Log: log, RequestBudget: c.RequestBudget,
		Slack: web.SlackDeps{SigningSecret: c.SlackSigningSecret, HTTP: c.HTTPClient},
		SSO:   web.SSODeps{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret, HTTP: c.HTTPClient, Now: clock}}, web.Functions()...)
	return l, nil
}

// Start listens on addr (":0" picks a free port) and serves until Close.
// It also delivers mail, right after each commit that queues some and once
// a minute for mail whose backoff has passed, and once a minute sweeps
// expired items (used links, sessions, counters, unconfirmed requests past
// retention).
func (l *Local) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	l.Serve(ln)
	return nil
}

// Serve is Start on a listener of the caller's, which can learn its address
// (and put it in the configuration's BaseURL) before Open.
func (l *Local) Serve(ln net.Listener) {
	l.listener = ln
	l.server = newHTTPServer(l.Handler)
	l.done = make(chan error, 1)
	ctx, stop := context.WithCancel(context.Background())
	l.stop = stop
	go func() { l.done <- l.server.Serve(ln) }()
	l.worked = make(chan struct{})
	go func() {
		defer close(l.worked)
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				// What DynamoDB expires by TTL, bbolt deletes here.
				if err := l.store.Sweep(ctx); err != nil {
					l.log.Error("sweep expired items", "err", err)
				}
				// The kept copies of grants that ended, as the scheduler
				// function removes them on AWS.
				if _, err := l.Service.SweepExpiredCopies(ctx); err != nil {
					l.log.Error("sweep copies", "err", err)
				}
				// As the scheduler function does on its schedule.
				if _, err := l.Service.RemindLapses(ctx); err != nil {
					l.log.Error("remind lapses", "err", err)
				}
				if _, err := l.Service.RemindPending(ctx); err != nil {
					l.log.Error("remind approvers", "err", err)
				}
			case <-l.wake:
			}
			r, err := l.drain(ctx)
			if err != nil {
				l.log.Error("deliver mail", "err", err)
			}
			if l.Drained != nil {
				l.Drained(r)
			}
		}
	}()
}

// DeliverMail drains the outbox now: every mail that is due is written to
// the outbox folder when it returns. It is what the mail goroutine runs,
// and what a test calls to wait for the mails a step queued.
func (l *Local) DeliverMail(ctx context.Context) error {
	_, err := l.drain(ctx)
	return err
}

func (l *Local) drain(ctx context.Context) (trust.MailReport, error) {
	l.draining.Lock()
	defer l.draining.Unlock()
	return l.Service.DrainMail(ctx)
}

// newHTTPServer bounds how long a connection may hold the server: a client
// that trickles its request, reads its answer slowly or idles between
// requests is cut off instead of keeping a connection for good. The read
// and write bounds leave room for the largest report going either way.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       time.Minute,
	}
}

// Addr is the address the server listens on.
func (l *Local) Addr() string { return l.listener.Addr().String() }

// Close stops the server, letting requests in flight finish, and closes the
// store.
func (l *Local) Close() error {
	var errs []error
	if l.server != nil {
		l.stop()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errs = append(errs, l.server.Shutdown(ctx))
		if err := <-l.done; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		<-l.worked
	}
	errs = append(errs, l.store.Close())
	return errors.Join(errs...)
}

// seeder is who publishes the samples: the local server itself, with the
// role publishing takes.
var seeder = trust.Session{Email: "seed", Role: trust.Admin}

// Seed stores a sample PDF, marked SAMPLE, for every document of the
// content that has no file yet, so the first run has something to serve.
func Seed(ctx context.Context, svc *trust.Service, site *content.Site) error {
	samples := map[content.Framework]func() []byte{
		content.SOC3: sample.SOC3,
		content.SOC2: sample.SOC2TypeII,
		content.SOC1: sample.SOC1TypeII,
	}
	stored, err := svc.Documents(ctx)
	if err != nil {
		return err
	}
	for _, cd := range site.Documents {
		if slices.ContainsFunc(stored, func(d trust.Document) bool { return d.ID == cd.ID }) {
			continue
		}
		cert, _ := site.Certification(cd.Certification)
		gen := samples[cert.Framework]
		if gen == nil {
			title := cd.Title.String()
			gen = func() []byte { return sample.Document(title) }
		}
		d, _ := site.StoreDocument(cd.ID)
		if _, err := svc.Publish(ctx, seeder, d, gen(), trust.Client{}); err != nil {
			return fmt.Errorf("seed %s: %w", cd.ID, err)
		}
	}
	// The first start stores the rules TRUST_AUTO_APPROVE stands for;
	// later starts find them stored and leave the admins' edits alone.
	if _, err := svc.Rules(ctx); err != nil {
		return fmt.Errorf("seed rules: %w", err)
	}
	return nil
}

// LoadContent reads the content file, or the built-in example.
func LoadContent(path string) (*content.Site, error) {
	if path == "" {
		return contentfile.Example()
	}
	return contentfile.Load(path)
}
