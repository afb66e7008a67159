package certs

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHTTPFetcher(t *testing.T) {
	p := newPKI(t)
	big := bytes.Repeat([]byte("A"), MaxInputSize+10)
	mux := http.NewServeMux()
	mux.HandleFunc("/int.der", func(w http.ResponseWriter, _ *http.Request) { w.Write(p.inter.cert.Raw) })
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) { w.Write(big) })
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i < 2*MaxInputSize/4096; i++ {
			w.Write(big[:4096])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/int.der", http.StatusFound) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	f := &HTTPFetcher{Timeout: 300 * time.Millisecond}
	ctx := context.Background()
	for _, path := range []string{"/int.der", "/moved"} {
		got, err := f.Fetch(ctx, srv.URL+path)
		if err != nil || !bytes.Equal(got, p.inter.cert.Raw) {
			t.Errorf("%s: %d bytes, %v", path, len(got), err)
		}
	}
	for path, want := range map[string]string{
		"/missing":     "404",
		"/big":         "larger than",
		"/big-chunked": "larger than",
		"/slow":        "no answer within 300ms",
		"/to-file":     "redirect to a file URL refused",
		"/loop":        "more than 3 redirects",
	} {
		_, err := f.Fetch(ctx, srv.URL+path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error saying %q", path, err, want)
		}
	}
	if _, err := f.Fetch(ctx, srv.URL+"/big-chunked"); !errors.Is(err, ErrInputTooLarge) {
		t.Errorf("oversized body: %v, want ErrInputTooLarge", err)
	}
}

// The fetcher plugs into chain building: a leaf whose intermediate is
// missing gets it from the AIA URL, and the chain verifies.
func TestHTTPFetcherBuildsChain(t *testing.T) {
	p := newPKI(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(p.inter.cert.Raw) }))
	defer srv.Close()
	leaf := p.leafWith(t, func(c *x509.Certificate) { c.IssuingCertificateURL = []string{srv.URL + "/int.der"} })
	res := BuildChainFetching(context.Background(), &HTTPFetcher{}, leaf, nil, p.roots, testNow)
	if !res.Verified || len(res.Fetched) != 1 || len(res.Chain) != 2 {
		t.Fatalf("verified %v, fetched %v, chain of %d: %+v", res.Verified, res.Fetched, len(res.Chain), res.Problems)
	}
}
