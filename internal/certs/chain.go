package certs

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Chain problem codes, stable for JSON consumers. Policy turns them into
// findings; see chainFindings.
const (
	ProblemNoCertificate       = "no_certificate"
	ProblemMissingIntermediate = "missing_intermediate"
	ProblemUnknownRoot         = "unknown_root"
	ProblemWrongIntermediate   = "wrong_intermediate"
	ProblemExtraCert           = "extra_cert"
	ProblemRootDropped         = "root_dropped"
	ProblemOutOfOrder          = "out_of_order"
	ProblemInsecureSignature   = "insecure_signature"
	ProblemIntermediateInvalid = "intermediate_invalid"
	ProblemChainUsage          = "chain_usage"
	ProblemInvalidChain        = "invalid_chain"
	ProblemFetchFailed         = "fetch_failed"
)

// maxChainLen bounds the walk from leaf to root; real chains have 2 to 4
// certificates, and x509.Verify itself stops at a similar depth.
const maxChainLen = 10

// ChainLink is one certificate of a built chain, for display.
type ChainLink struct {
	Role              string `json:"role"` // leaf, intermediate, root
	Subject           string `json:"subject"`
	Issuer            string `json:"issuer"`
	SHA256Fingerprint string `json:"sha256_fingerprint"`
}

// ChainProblem is one thing wrong with the supplied chain.
type ChainProblem struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Subject string   `json:"subject,omitempty"` // the certificate concerned
	URLs    []string `json:"urls,omitempty"`    // AIA issuer URLs that may supply what is missing
}

// ChainResult is what BuildChain made of a leaf and the certificates supplied
// with it.
type ChainResult struct {
	Leaf    *x509.Certificate   `json:"-"`
	Chain   []*x509.Certificate `json:"-"` // leaf first, then intermediates towards the root: what a server should send
	Root    *x509.Certificate   `json:"-"` // the trust anchor reached, when Trusted
	Dropped []*x509.Certificate `json:"-"` // supplied self-signed roots left out of Chain
	Extra   []*x509.Certificate `json:"-"` // supplied certificates that belong to no path from the leaf

	Links []ChainLink `json:"chain"`
	// Trusted: the chain leads to a certificate in the trust anchors. It is
	// judged as of a moment the leaf is valid and for any usage, so that an
	// expired leaf or a missing serverAuth EKU is reported by its own check
	// instead of hiding as "untrusted".
	Trusted bool `json:"trusted"`
	// Verified: x509.Verify succeeded at now for serverAuth; what a client
	// would conclude today.
	Verified    bool           `json:"verified"`
	VerifyError string         `json:"verify_error,omitempty"`
	Reordered   bool           `json:"reordered"` // the supplied order was not leaf-to-root
	Problems    []ChainProblem `json:"problems"`
	Fetched     []string       `json:"fetched,omitempty"` // AIA URLs whose certificates were added
}

// HasProblem reports whether the result carries a problem with code.
func (r ChainResult) HasProblem(code string) bool {
	for _, p := range r.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

func (r *ChainResult) add(code, subject, msg string, urls ...string) {
	r.Problems = append(r.Problems, ChainProblem{Code: code, Message: msg, Subject: subject, URLs: urls})
}

// FindLeaf picks the end-entity certificate out of a mixed list. With a
// public key, it is the certificate carrying that key (a non-CA one first).
// Without one, or when no certificate carries the key, it is a non-CA
// certificate that issued none of the others; failing that, any certificate
// that issued none of the others. Nil for an empty list.
func FindLeaf(certs []*x509.Certificate, pub crypto.PublicKey) *x509.Certificate {
	if len(certs) == 0 {
		return nil
	}
	if !isNilKey(pub) {
		var match *x509.Certificate
		for _, c := range certs {
			if PublicKeysEqual(c.PublicKey, pub) {
				if !isCA(c) {
					return c
				}
				if match == nil {
					match = c
				}
			}
		}
		if match != nil {
			return match
		}
	}
	for _, c := range certs {
		if !isCA(c) && !issuesAny(c, certs) {
			return c
		}
	}
	for _, c := range certs {
		if !issuesAny(c, certs) {
			return c
		}
	}
	return certs[0]
}

func isCA(c *x509.Certificate) bool { return c.BasicConstraintsValid && c.IsCA }

func issuesAny(c *x509.Certificate, certs []*x509.Certificate) bool {
	for _, d := range certs {
		if d != c && !bytes.Equal(d.Raw, c.Raw) && issuedBy(d, c) {
			return true
		}
	}
	return false
}

// issuedBy reports whether parent issued child: child names parent's subject
// as its issuer, the key identifiers agree where both are present, and
// parent's key verifies child's signature. CheckSignature accepts SHA-1, so
// SHA-1 links are still found (and reported by the weak_signature check);
// an MD5 signature cannot be checked at all and is linked on names alone.
func issuedBy(child, parent *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	if len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 &&
		!bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId) {
		return false
	}
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

// isInsecureSignature reports whether a signature algorithm is one Go's
// verifier refuses and browsers reject: SHA-1 and MD5 based ones.
func isInsecureSignature(alg x509.SignatureAlgorithm) bool {
	switch alg {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		return true
	}
	return false
}

// BuildChain orders leaf and the supplied certificates into the chain a
// server should send, and judges it against roots (nil means the system
// roots) at now. supplied may hold the leaf itself, intermediates and roots,
// in any order; leaf may be nil, in which case FindLeaf chooses. Supplied
// self-signed roots are left out of Chain (clients must have their own copy
// for it to mean anything) and reported. Nothing is fetched: see
// BuildChainFetching.
func BuildChain(leaf *x509.Certificate, supplied []*x509.Certificate, roots *x509.CertPool, now time.Time) ChainResult {
	// presented is the order the certificates came in, for judging that
	// order: the leaf counts where it was supplied, or first if given apart.
	presented := uniqueCerts(supplied)
	if leaf != nil && !containsCert(presented, leaf) {
		presented = append([]*x509.Certificate{leaf}, presented...)
	}
	if leaf == nil {
		leaf = FindLeaf(presented, nil)
	}
	res := ChainResult{Leaf: leaf, Problems: []ChainProblem{}}
	if leaf == nil {
		res.add(ProblemNoCertificate, "", "no certificate was supplied")
		return res
	}
	rest := without(presented, leaf)
	res.Chain, rest = walkChain(leaf, rest, roots, now)
	if top := res.Chain[len(res.Chain)-1]; len(res.Chain) > 1 && isSelfSigned(top) {
		res.Chain = res.Chain[:len(res.Chain)-1]
		res.Dropped = append(res.Dropped, top)
		res.add(ProblemRootDropped, top.Subject.String(),
			fmt.Sprintf("the supplied root %q was left out of the chain; clients use their own copy", top.Subject))
	}
	res.Reordered = !sameOrder(presented, res.Chain)
	if res.Reordered {
		res.add(ProblemOutOfOrder, "", "the certificates were not supplied in leaf-to-root order; the chain was reordered")
	}
	res.judgeTrust(roots, now)
	res.checkIntermediateValidity(now)
	res.classifyLeftovers(rest)
	res.Links = links(res.Chain, res.rootForDisplay())
	return res
}

// walkChain follows issuers from leaf through pool, up to and including a
// self-signed root if one was supplied. It stops as soon as a trust anchor
// issued the current certificate, as clients do: a supplied cross-signed or
// expired path above a trusted CA (the "chain of pain") is left over, not
// followed. It returns the path and what is left.
func walkChain(leaf *x509.Certificate, pool []*x509.Certificate, roots *x509.CertPool, now time.Time) (path, rest []*x509.Certificate) {
	path = []*x509.Certificate{leaf}
	rest = pool
	for cur := leaf; len(path) < maxChainLen && !isSelfSigned(cur); {
		next := pickIssuer(cur, rest)
		if next == nil {
			break
		}
		anchored := issuedByAnchor(cur, roots, now)
		if anchored && !isSelfSigned(next) {
			break // a supplied copy of the root is still taken, to be dropped as such
		}
		path = append(path, next)
		rest = without(rest, next)
		cur = next
	}
	return path, rest
}

// issuedByAnchor reports whether a trust anchor in roots issued c directly.
// It is judged at a moment c is valid, so that an expired leaf still counts as
// anchored and its expiry is reported by the validity check.
func issuedByAnchor(c *x509.Certificate, roots *x509.CertPool, now time.Time) bool {
	_, err := c.Verify(x509.VerifyOptions{
		Roots:       roots, // nil: the system roots
		CurrentTime: structuralTime([]*x509.Certificate{c}, now),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err == nil
}

// pickIssuer prefers an intermediate over a root when both could have issued
// cur (a cross-signed CA), because the intermediate leads somewhere a client
// may trust while the supplied root is dropped anyway.
func pickIssuer(cur *x509.Certificate, pool []*x509.Certificate) *x509.Certificate {
	var root *x509.Certificate
	for _, c := range pool {
		if !issuedBy(cur, c) {
			continue
		}
		if !isSelfSigned(c) {
			return c
		}
		if root == nil {
			root = c
		}
	}
	return root
}

// judgeTrust runs the standard verifier twice: once exactly as a client
// would today, and, if that fails, once structurally (a moment the leaf is
// valid, any usage) to tell an untrusted or incomplete chain from a leaf
// problem that other checks report.
func (r *ChainResult) judgeTrust(roots *x509.CertPool, now time.Time) {
	chains, err := verify(r.Chain, roots, now, x509.ExtKeyUsageServerAuth)
	if err == nil {
		r.Verified, r.Trusted = true, true
		r.Root = pickRoot(chains, len(r.Chain))
		return
	}
	r.VerifyError = err.Error()
	chains, serr := verify(r.Chain, roots, structuralTime(r.Chain, now), x509.ExtKeyUsageAny)
	if serr == nil {
		r.Trusted = true
		r.Root = pickRoot(chains, len(r.Chain))
		r.explainVerifyFailure(err)
		return
	}
	// Go refuses SHA-1 anywhere below the root; judge the part above the
	// last weak link, and leave the weak link itself to weak_signature.
	if from := secureFrom(r.Chain); from > 0 {
		weak := r.Chain[from-1]
		r.add(ProblemInsecureSignature, weak.Subject.String(),
			fmt.Sprintf("%q is signed with %s, which clients refuse", weak.Subject, weak.SignatureAlgorithm))
		upper := r.Chain[from:]
		if len(upper) == 0 && len(r.Dropped) > 0 {
			upper = r.Dropped[:1] // the weak link is to a supplied root: is that root trusted?
		}
		if len(upper) > 0 {
			if chains, uerr := verify(upper, roots, structuralTime(upper, now), x509.ExtKeyUsageAny); uerr == nil {
				r.Trusted = true
				r.Root = pickRoot(chains, len(upper))
				return
			}
		}
	}
	r.explainUntrusted(serr) // the structural error: it is about the path, not the leaf's dates
}

// verify runs the standard verifier on chain[0] with the rest of chain as
// intermediates.
func verify(chain []*x509.Certificate, roots *x509.CertPool, at time.Time, usage x509.ExtKeyUsage) ([][]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	return chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{usage},
	})
}

// pickRoot takes the anchor of the verified chain that used all our
// intermediates, else of the first.
func pickRoot(chains [][]*x509.Certificate, n int) *x509.Certificate {
	best := chains[0]
	for _, c := range chains {
		if len(c) == n+1 {
			best = c
			break
		}
	}
	return best[len(best)-1]
}

// withinValidity moves now into c's validity period, so a structural check
// does not fail on c's dates.
func withinValidity(c *x509.Certificate, now time.Time) time.Time {
	switch {
	case now.Before(c.NotBefore):
		return c.NotBefore
	case now.After(c.NotAfter):
		return c.NotAfter
	}
	return now
}

// structuralTime is the moment closest to now at which every certificate of
// the chain is valid, or failing that one at which the leaf is. Judging trust
// then separates "does this chain lead to a root" from "is it in date".
func structuralTime(chain []*x509.Certificate, now time.Time) time.Time {
	lo, hi := chain[0].NotBefore, chain[0].NotAfter
	for _, c := range chain[1:] {
		if c.NotBefore.After(lo) {
			lo = c.NotBefore
		}
		if c.NotAfter.Before(hi) {
			hi = c.NotAfter
		}
	}
	if lo.After(hi) {
		return withinValidity(chain[0], now)
	}
	switch {
	case now.Before(lo):
		return lo
	case now.After(hi):
		return hi
	}
	return now
}

// secureFrom returns the index of the lowest certificate above which every
// signature is in an algorithm the verifier accepts; 0 if all are.
func secureFrom(chain []*x509.Certificate) int {
	from := 0
	for i, c := range chain {
		if isInsecureSignature(c.SignatureAlgorithm) {
			from = i + 1
		}
	}
	return from
}

// explainVerifyFailure records why a structurally trusted chain still fails
// for a client today, when the reason lies in the chain rather than in the
// leaf (the leaf's dates and EKU have their own checks).
func (r *ChainResult) explainVerifyFailure(err error) {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		switch inv.Reason {
		case x509.Expired:
			return // reported by the validity checks of the leaf or intermediates
		case x509.IncompatibleUsage:
			if !allowsServerAuth(r.Leaf) {
				return // reported by no_server_auth
			}
			r.add(ProblemChainUsage, "", "an intermediate's extended key usage does not allow server authentication")
			return
		}
	}
	r.add(ProblemInvalidChain, "", "the chain does not verify: "+err.Error())
}

// explainUntrusted says why no path to a trust anchor was found.
func (r *ChainResult) explainUntrusted(err error) {
	var unknown x509.UnknownAuthorityError
	top := r.Chain[len(r.Chain)-1]
	switch {
	case len(r.Dropped) > 0:
		root := r.Dropped[0]
		r.add(ProblemUnknownRoot, root.Subject.String(),
			fmt.Sprintf("the chain ends at the root %q, which is not a trusted root", root.Subject))
	case isSelfSigned(top):
		r.add(ProblemUnknownRoot, top.Subject.String(),
			fmt.Sprintf("%q is self-signed and not a trusted root", top.Subject))
	case errors.As(err, &unknown):
		r.add(ProblemMissingIntermediate, top.Subject.String(),
			fmt.Sprintf("no certificate for %q, the issuer of %q, was supplied, and it is not a trusted root", top.Issuer, top.Subject),
			top.IssuingCertificateURL...)
	default:
		r.add(ProblemInvalidChain, "", "the chain does not verify: "+err.Error())
	}
}

// checkIntermediateValidity reports intermediates and the anchor outside
// their validity at now; the leaf's dates are the validity check's business.
func (r *ChainResult) checkIntermediateValidity(now time.Time) {
	others := append([]*x509.Certificate{}, r.Chain[1:]...)
	if r.Root != nil && !containsCert(r.Chain, r.Root) {
		others = append(others, r.Root)
	}
	for _, c := range others {
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			r.add(ProblemIntermediateInvalid, c.Subject.String(),
				fmt.Sprintf("CA certificate %q is valid only from %s to %s", c.Subject,
					c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339)))
		}
	}
}

// classifyLeftovers reports supplied certificates that are not on the path.
// When the chain is incomplete, a leftover CA certificate is most likely the
// wrong intermediate (an old one, or another CA's); otherwise it is just extra.
func (r *ChainResult) classifyLeftovers(rest []*x509.Certificate) {
	top := r.Chain[len(r.Chain)-1]
	for _, c := range rest {
		r.Extra = append(r.Extra, c)
		switch {
		case !r.Trusted && isCA(c) && !isSelfSigned(c):
			why := "it does not sign " + fmt.Sprintf("%q", top.Subject)
			if bytes.Equal(c.RawSubject, top.RawIssuer) {
				why += " (same name as its issuer, but a different key: an old or renewed intermediate?)"
			}
			r.add(ProblemWrongIntermediate, c.Subject.String(),
				fmt.Sprintf("the supplied intermediate %q is not part of the chain: %s", c.Subject, why), top.IssuingCertificateURL...)
		default:
			r.add(ProblemExtraCert, c.Subject.String(),
				fmt.Sprintf("the supplied certificate %q is not part of the chain and will be left out", c.Subject))
		}
	}
}

func (r *ChainResult) rootForDisplay() *x509.Certificate {
	if r.Root != nil && !containsCert(r.Chain, r.Root) {
		return r.Root
	}
	if len(r.Dropped) > 0 {
		return r.Dropped[0]
	}
	return nil
}

func links(chain []*x509.Certificate, root *x509.Certificate) []ChainLink {
	out := []ChainLink{}
	for i, c := range chain {
		role := "intermediate"
		if i == 0 {
			role = "leaf"
		}
		out = append(out, linkOf(role, c))
	}
	if root != nil {
		out = append(out, linkOf("root", root))
	}
	return out
}

func linkOf(role string, c *x509.Certificate) ChainLink {
	return ChainLink{Role: role, Subject: c.Subject.String(), Issuer: c.Issuer.String(), SHA256Fingerprint: Fingerprint(c.Raw)}
}

func allowsServerAuth(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

func uniqueCerts(certs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		if c != nil && !containsCert(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func containsCert(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, d := range list {
		if d == c || bytes.Equal(d.Raw, c.Raw) {
			return true
		}
	}
	return false
}

func without(list []*x509.Certificate, c *x509.Certificate) []*x509.Certificate {
	out := make([]*x509.Certificate, 0, len(list))
	for _, d := range list {
		if d != c && !bytes.Equal(d.Raw, c.Raw) {
			out = append(out, d)
		}
	}
	return out
}

// sameOrder reports whether the chain's certificates appear in presented in
// chain order (other certificates in between do not count).
func sameOrder(presented, chain []*x509.Certificate) bool {
	i := 0
	for _, p := range presented {
		if i < len(chain) && bytes.Equal(p.Raw, chain[i].Raw) {
			i++
		} else if containsCert(chain[i:], p) {
			return false
		}
	}
	return true
}

// Fetcher retrieves a URL. The CLI passes an HTTP client with a timeout and
// a size limit, or nil to stay offline.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// MaxAIAFetches bounds how many AIA URLs one chain build may fetch: enough for
// a leaf missing two intermediates and a root, not enough to be led around.
const MaxAIAFetches = 4

// BuildChainFetching is BuildChain that, while an intermediate is missing,
// fetches the issuer certificate from the AIA "CA Issuers" URL of the top of
// the chain through f, at most MaxAIAFetches times. Only http and https URLs
// are followed, responses over MaxInputSize are refused, and a fetched
// certificate is used only if it really issued the certificate below it.
// With a nil Fetcher it is BuildChain.
func BuildChainFetching(ctx context.Context, f Fetcher, leaf *x509.Certificate, supplied []*x509.Certificate, roots *x509.CertPool, now time.Time) ChainResult {
	res := BuildChain(leaf, supplied, roots, now)
	if f == nil {
		return res
	}
	var fetched []*x509.Certificate
	var urls, failures []string
	tried := map[string]bool{}
	for n := 0; n < MaxAIAFetches && ctx.Err() == nil; {
		url := nextFetchURL(res, tried)
		if url == "" {
			break
		}
		tried[url] = true
		n++
		issuer, err := fetchIssuer(ctx, f, url, res.Chain[len(res.Chain)-1])
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", url, err))
			continue
		}
		fetched = append(fetched, issuer)
		urls = append(urls, url)
		res = BuildChain(res.Leaf, append(append([]*x509.Certificate{}, supplied...), fetched...), roots, now)
	}
	res.Fetched = urls
	for _, msg := range failures {
		res.add(ProblemFetchFailed, "", "could not fetch an issuer certificate: "+msg)
	}
	return res
}

func nextFetchURL(res ChainResult, tried map[string]bool) string {
	for _, p := range res.Problems {
		if p.Code != ProblemMissingIntermediate {
			continue
		}
		for _, u := range p.URLs {
			l := strings.ToLower(u)
			if !tried[u] && (strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")) {
				return u
			}
		}
	}
	return ""
}

// fetchIssuer fetches url and returns the certificate in it that issued
// child. AIA responses are DER, PEM or PKCS#7, all of which ParseBundle reads.
func fetchIssuer(ctx context.Context, f Fetcher, url string, child *x509.Certificate) (*x509.Certificate, error) {
	data, err := f.Fetch(ctx, url)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxInputSize {
		return nil, tooLarge(MaxInputSize)
	}
	b, err := ParseBundle(data, nil)
	if err != nil {
		return nil, err
	}
	for _, c := range b.Certificates {
		if issuedBy(child, c) {
			return c, nil
		}
	}
	return nil, fmt.Errorf("the certificate there did not issue %q", child.Subject)
}
