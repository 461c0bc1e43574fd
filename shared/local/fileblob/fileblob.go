// Package fileblob is the local blob engine: report files in a folder.
package fileblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"trustcenter/shared/trust"
)

// Dir keeps blobs as files under its path.
type Dir string

func (d Dir) path(key string) (string, error) {
	clean := filepath.Clean("/" + key)
	if clean == "/" || strings.Contains(key, "..") {
		return "", trust.Errorf(trust.EInvalid, "Invalid file key.")
	}
	return filepath.Join(string(d), filepath.FromSlash(clean)), nil
}

// Put stores the size bytes of body under key, whole or not at all
// (temporary file, then rename). A body of any other length is refused, as
// S3 refuses one that does not match its Content-Length, so a truncated
// upload never replaces a good file. Reports may be gated, so only the owner
// may read the folders.
func (d Dir) Put(ctx context.Context, key string, body io.Reader, size int64, contentType string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return trust.Unavailable(err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return trust.Unavailable(err)
	}
	defer os.Remove(f.Name())
	// One byte more than announced is enough to tell a longer body.
	n, err := io.Copy(f, io.LimitReader(body, size+1))
	if err != nil {
		f.Close()
		return trust.Unavailable(fmt.Errorf("fileblob: write %s: %w", key, err))
	}
	if n != size {
		f.Close()
		if n > size {
			return trust.Unavailable(fmt.Errorf("fileblob: body of %q is longer than the %d bytes announced", key, size))
		}
		return trust.Unavailable(fmt.Errorf("fileblob: body of %q has %d bytes, not the %d announced", key, n, size))
	}
	if err := f.Close(); err != nil {
		return trust.Unavailable(err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return trust.Unavailable(err)
	}
	return nil
}

// Open returns the blob's content.
func (d Dir) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, trust.Errorf(trust.ENotFound, "The file is missing.")
	}
	if err != nil {
		return nil, trust.Unavailable(err)
	}
	return f, nil
}

// Copy stores from's content under to, whole or not at all, as Put does.
func (d Dir) Copy(ctx context.Context, from, to string) error {
	src, err := d.Open(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	info, err := src.(*os.File).Stat()
	if err != nil {
		return trust.Unavailable(err)
	}
	return d.Put(ctx, to, src, info.Size(), "")
}

// Delete removes the blob; a missing one is not an error.
func (d Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return trust.Unavailable(err)
	}
	return nil
}
