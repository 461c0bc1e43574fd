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
	"time"

	"trustcenter/shared/app"
	"trustcenter/shared/content"
	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/local/emlmail"
	"trustcenter/shared/local/fileblob"
	"trustcenter/shared/local/sample"
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

	log      *slog.Logger
	store    *boltstore.Store
	listener net.Listener
	server   *http.Server
	done     chan error
	stop     context.CancelFunc
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
	keys, err := token.LoadOrCreateFile(filepath.Join(c.DataDir, "keys.json"), clock.Now())
	if err != nil {
		store.Close()
		return nil, err
	}
	l := &Local{Config: c, log: log, store: store, Outbox: filepath.Join(c.DataDir, "outbox")}
	l.Service = app.NewService(c, site, keys, trust.Engines{
		Store:   store,
		Blobs:   fileblob.Dir(filepath.Join(c.DataDir, "reports")),
		Inspect: stamp.Inspector{},
		Mail:    &emlmail.Outbox{Dir: l.Outbox, From: c.MailFrom},
		Clock:   clock,
		Log:     log,
	})
	if err := Seed(context.Background(), l.Service, site); err != nil {
		store.Close()
		return nil, err
	}
	l.Handler = web.New(web.Deps{Service: l.Service, Site: site, Log: log}, web.Functions()...)
	return l, nil
}

// Start listens on addr (":0" picks a free port) and serves until Close.
// It also retries undelivered mail once a minute.
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
	go func() {
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := l.Service.RetryMail(ctx); err != nil {
					l.log.Error("retry mail", "err", err)
				}
			}
		}
	}()
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
			continue
		}
		d, _ := site.StoreDocument(cd.ID)
		if _, err := svc.Publish(ctx, seeder, d, gen(), trust.Client{}); err != nil {
			return fmt.Errorf("seed %s: %w", cd.ID, err)
		}
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
