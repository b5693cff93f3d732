// Package atomicfile replaces files so that a crash leaves the old contents or the
// new, never a mix: the data goes to a temporary file in the same directory, is synced,
// renamed over the target, and the directory is synced so the rename itself is durable.
// CONFIG REWRITE and RDB snapshots write their files through it.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces path with data, keeping path's permissions (0644 for a new file).
// pattern names the temporary file, as os.CreateTemp's pattern does.
func Write(path string, data []byte, pattern string) error {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, mode)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
