// Command local runs the whole trust center on one machine: every Lambda
// function's handler on one mux, with the embedded engines under
// TRUST_DATA_DIR (bbolt, report files, .eml outbox, signing key).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"trustcenter/shared/app"
)

func main() {
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
	l, err := app.OpenLocal(cfg, log)
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
