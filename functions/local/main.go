// Command local runs the whole trust center on one machine: every Lambda
// function's handler on one mux, with the embedded engines under
// TRUST_DATA_DIR (bbolt, report files, .eml outbox, signing key).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"trustcenter/shared/app"
	"trustcenter/shared/content"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/local/localapp"
	"trustcenter/shared/trust"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "compile" {
		// make build: check the content file and write the form the Lambda
		// functions read.
		if err := compile(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "kb-import" {
		// A questionnaire's answers (question,answer,category CSV) as the
		// content file's knowledge section, on stdout to append.
		if err := kbImport(os.Args[2], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "trustcenter kb-import:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "keyring" {
		if err := keyring(context.Background(), os.Args[2:], os.Stdin, os.Stdout, time.Now()); err != nil {
			fmt.Fprintln(os.Stderr, "trustcenter keyring:", err)
			os.Exit(2)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "trustcenter:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := app.FromEnv()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	l, err := localapp.Open(cfg, log, trust.SystemClock)
	if err != nil {
		return err
	}
	if err := l.Start(":" + cfg.Port); err != nil {
		l.Close()
		return err
	}
	fmt.Printf("Trust center: %s\n", cfg.BaseURL)
	fmt.Printf("Staff console: %s/admin (sign in as", cfg.BaseURL)
	for _, st := range cfg.Staff {
		fmt.Printf(" %s", st.Email)
	}
	fmt.Printf("; sign-in links arrive in %s)\n", l.Outbox)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Println("shutting down")
	return l.Close()
}

func kbImport(path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	yaml, err := contentfile.ImportCSV(f, path)
	if err != nil {
		return err
	}
	_, err = out.Write(yaml)
	return err
}

func compile(in, out string) error {
	site, err := localapp.LoadContent(in)
	if err != nil {
		return err
	}
	if err := contentfile.Deployable(site, in, time.Now()); err != nil {
		return err
	}
	data, err := content.Compile(site)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Println(in + ": ok, compiled to " + out)
	return nil
}
