package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/token"
)

const keyringUsage = `usage:
  local keyring list   --secret <arn> | --file <path>
  local keyring rotate --secret <arn> | --file <path>  [--purpose publication]
  local keyring remove --secret <arn> | --file <path>  --kid <kid>
  local keyring new                     (a fresh keyring on stdout)
  local keyring rotate < keyring.json   (stdin to stdout)
--secret is the deployed secret (the stack's SigningKeysSecretArn output),
read and written with the AWS credentials and region of the environment;
--file is a local key file (data/keys.json); --purpose publication rotates
the key that signs trust.json instead of the link key`

// keyring manages the signing keyring: the deployed secret, a local key
// file, or stdin to stdout. It prints kids, never key material, except for
// the stdout forms, which exist for keyrings kept elsewhere.
func keyring(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, now time.Time) error {
	if len(args) == 0 {
		return errors.New(keyringUsage)
	}
	cmd := args[0]
	fs := flag.NewFlagSet("keyring "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	secret := fs.String("secret", "", "")
	file := fs.String("file", "", "")
	kid := fs.String("kid", "", "")
	purpose := fs.String("purpose", "links", "")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return fmt.Errorf("keyring %s: bad arguments\n%s", cmd, keyringUsage)
	}
	if *secret != "" && *file != "" {
		return errors.New("keyring: give --secret or --file, not both")
	}
	if *purpose != "links" && *purpose != string(token.ForPublication) {
		return fmt.Errorf("keyring: --purpose is links or %s, not %q", token.ForPublication, *purpose)
	}
	if (*kid != "") != (cmd == "remove") {
		return fmt.Errorf("keyring %s: --kid goes with remove, and remove needs it\n%s", cmd, keyringUsage)
	}

	if *secret == "" && *file == "" {
		return keyringStdout(cmd, stdin, stdout, now)
	}
	var store keyStore
	if *secret != "" {
		sm, err := secretsClient(ctx)
		if err != nil {
			return err
		}
		store = secretStore{sm: sm, id: *secret}
	} else {
		store = fileStore(*file)
	}

	k, err := store.load(ctx)
	if err != nil {
		return err
	}
	old := k.Active
	if *purpose == string(token.ForPublication) {
		old = k.Publishing
	}
	switch cmd {
	case "list":
	case "rotate":
		rotate := k.Rotate
		if *purpose == string(token.ForPublication) {
			rotate = k.RotatePublication
		}
		if err := rotate(now); err != nil {
			return err
		}
	case "remove":
		if err := k.Remove(*kid); err != nil {
			return err
		}
	default:
		return fmt.Errorf("keyring: unknown command %q\n%s", cmd, keyringUsage)
	}
	if cmd != "list" {
		if err := store.save(ctx, k); err != nil {
			return err
		}
	}
	printKeyring(stdout, store.name(), k)
	switch cmd {
	case "rotate":
		if *purpose == string(token.ForPublication) {
			fmt.Fprintf(stdout, "trust.json is signed by %s within %s; %s stays in the JWKS. Remove it once no one needs to verify copies it signed:\n  keyring remove %s --kid %s\n",
				k.Publishing, token.MaxAge, old, store.flag(), old)
			break
		}
		fmt.Fprintf(stdout, "Every function signs with %s within %s. Remove %s once the links it signed have expired (the longest grant plus 7 days):\n  keyring remove %s --kid %s\n",
			k.Active, token.MaxAge, old, store.flag(), old)
	case "remove":
		fmt.Fprintf(stdout, "Links signed by %s are refused everywhere within %s.\n", *kid, token.MaxAge)
	}
	return nil
}

func printKeyring(w io.Writer, where string, k *token.Keyring) {
	fmt.Fprintf(w, "%s: %d key(s)\n", where, len(k.Keys))
	for _, key := range k.Keys {
		mark := ""
		switch key.ID {
		case k.Active:
			mark = "  (signs)"
		case k.Publishing:
			mark = "  (signs trust.json)"
		}
		fmt.Fprintf(w, "  %s%s\n", key.ID, mark)
	}
}

// keyringStdout is the form for a keyring kept outside the secret and the
// file: new prints one, rotate reads one on stdin and prints it rotated.
func keyringStdout(cmd string, stdin io.Reader, stdout io.Writer, now time.Time) error {
	k := &token.Keyring{}
	switch cmd {
	case "new":
	case "rotate":
		data, err := io.ReadAll(stdin)
		if err != nil {
			return err
		}
		if k, err = token.ParseKeyring(data); err != nil {
			return err
		}
	default:
		return fmt.Errorf("keyring %s needs --secret or --file\n%s", cmd, keyringUsage)
	}
	if err := k.Rotate(now); err != nil {
		return err
	}
	_, err := stdout.Write(append(k.Marshal(), '\n'))
	return err
}

// secretsClient uses the standard AWS credential chain and region
// (environment, shared config and profiles, SSO): this runs on an
// operator's machine, not in a Lambda.
func secretsClient(ctx context.Context) (*secretsmanager.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("keyring: AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("keyring: no AWS region: set AWS_REGION or a profile's region")
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

// keyStore is where the keyring is kept.
type keyStore interface {
	load(ctx context.Context) (*token.Keyring, error)
	save(ctx context.Context, k *token.Keyring) error
	name() string
	flag() string // the flag that names it again
}

type secretStore struct {
	sm *secretsmanager.Client
	id string
}

func (s secretStore) load(ctx context.Context) (*token.Keyring, error) {
	return secretkeys.Load(ctx, s.sm, s.id)
}
func (s secretStore) save(ctx context.Context, k *token.Keyring) error {
	return secretkeys.Save(ctx, s.sm, s.id, k)
}
func (s secretStore) name() string { return "secret " + s.id }
func (s secretStore) flag() string { return "--secret " + shellQuote(s.id) }

type fileStore string

func (f fileStore) load(ctx context.Context) (*token.Keyring, error) { return token.File(f).Load(ctx) }
func (f fileStore) save(_ context.Context, k *token.Keyring) error {
	// Written beside and renamed, so a server reading the file never sees
	// half a keyring.
	tmp := string(f) + ".new"
	if err := os.WriteFile(tmp, k.Marshal(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, string(f))
}
func (f fileStore) name() string { return "file " + string(f) }
func (f fileStore) flag() string { return "--file " + shellQuote(string(f)) }

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"$\\`*?[]{}()<>|&;!#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
