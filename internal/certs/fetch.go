package certs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// HTTP fetching of AIA "CA Issuers" URLs: the one place the certificate
// domain talks to the network on its own, behind the Fetcher interface so
// the policy code stays pure and `--offline` is simply a nil Fetcher.

// Defaults for HTTPFetcher.
const (
	DefaultFetchTimeout = 10 * time.Second
	maxFetchRedirects   = 3
)

// HTTPFetcher fetches AIA URLs over HTTP(S): each request bounded in time,
// each response in size (MaxInputSize), at most three redirects and only to
// http or https URLs. Proxies come from the environment, as for any client.
type HTTPFetcher struct {
	Timeout time.Duration // per request; zero means DefaultFetchTimeout
	Client  *http.Client  // nil: a client made from Timeout
}

// Fetch implements Fetcher.
func (f *HTTPFetcher) Fetch(ctx context.Context, url string) ([]byte, error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: timeout, CheckRedirect: checkRedirect}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "cwsec (AIA issuer fetch)")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("no answer within %s", timeout)
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	if resp.ContentLength > MaxInputSize {
		return nil, tooLarge(MaxInputSize)
	}
	return ReadBounded(resp.Body, MaxInputSize)
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxFetchRedirects {
		return fmt.Errorf("more than %d redirects", maxFetchRedirects)
	}
	if s := strings.ToLower(req.URL.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("redirect to a %s URL refused", req.URL.Scheme)
	}
	return nil
}
