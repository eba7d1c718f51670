// Command oldtool is a small REIMPLEMENTATION (not the original code) of the
// download path of the Go setup tool that slim-setup replaces
// (slim-bindings-go's cmd/slim-bindings-setup), for benchmarking only.
//
// It does what that tool does once it has decided the URL and folder:
// net/http's http.Get with the default client (no timeouts), copy the whole
// body to a temp file in os.TempDir, open it with archive/zip, and copy every
// "*.a" entry that is not "*.dll.a" by its base name straight into the cache
// folder. No checksum, no fsync, no atomic rename: the same as the original.
//
//	oldtool -url http://127.0.0.1:PORT/tag/slim-bindings-TRIPLE.zip -dir CACHE
package main

import (
	"archive/zip"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	url := flag.String("url", "", "zip URL")
	dir := flag.String("dir", "", "cache folder to extract the libraries into")
	flag.Parse()
	if *url == "" || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: oldtool -url URL -dir DIR")
		os.Exit(2)
	}
	if err := install(*url, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "oldtool:", err)
		os.Exit(1)
	}
}

func install(url, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download failed: %s", resp.Status)
	}

	// The whole archive goes to disk first: archive/zip needs random access.
	tmp, err := os.CreateTemp("", "slim-bindings-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := io.Copy(tmp, resp.Body); err != nil {
		return err
	}

	zr, err := zip.OpenReader(tmp.Name())
	if err != nil {
		return err
	}
	defer zr.Close()
	extracted := 0
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".a") || strings.HasSuffix(f.Name, ".dll.a") {
			continue
		}
		if err := extract(f, filepath.Join(dir, filepath.Base(f.Name))); err != nil {
			return err
		}
		extracted++
	}
	if extracted == 0 {
		return fmt.Errorf("no library files found in archive")
	}
	return nil
}

func extract(f *zip.File, out string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, rc); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
