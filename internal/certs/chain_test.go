package certs

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func problemCodes(r ChainResult) []string {
	codes := []string{}
	for _, p := range r.Problems {
		codes = append(codes, p.Code)
	}
	return codes
}

func chainSubjects(r ChainResult) []string {
	var s []string
	for _, c := range r.Chain {
		s = append(s, c.Subject.CommonName)
	}
	return s
}

func TestBuildChainGood(t *testing.T) {
	p := newPKI(t)
	r := BuildChain(p.leaf, []*x509.Certificate{p.inter.cert}, p.roots, testNow)
	if !r.Verified || !r.Trusted || len(r.Problems) != 0 || r.Reordered {
		t.Fatalf("good chain: verified %v trusted %v problems %v (%s)", r.Verified, r.Trusted, problemCodes(r), r.VerifyError)
	}
	if r.Root == nil || !bytes.Equal(r.Root.Raw, p.root.cert.Raw) {
		t.Fatal("root not reported")
	}
	roles := []string{}
	for _, l := range r.Links {
		roles = append(roles, l.Role)
	}
	if !reflect.DeepEqual(roles, []string{"leaf", "intermediate", "root"}) {
		t.Fatalf("links %v", roles)
	}
}

func TestBuildChainMixedOrderWithRoot(t *testing.T) {
	p := newPKI(t)
	inter2 := p.inter.intermediate(t, "cwsec Test Issuing CA", testKey(t, "p256-c"))
	leaf := inter2.issue(t, leafTemplate("careware.example.org", day(2026, 11, 20), nDays(90)), p.leafKey.Public())
	// Everything in one list, in the worst order, leaf not given separately.
	supplied := []*x509.Certificate{p.root.cert, p.inter.cert, leaf, inter2.cert}
	r := BuildChain(nil, supplied, p.roots, testNow)
	want := []string{"careware.example.org", "cwsec Test Issuing CA", "cwsec Test Intermediate"}
	if got := chainSubjects(r); !reflect.DeepEqual(got, want) {
		t.Fatalf("chain %v, want %v", got, want)
	}
	if !r.Verified || !r.Reordered || len(r.Dropped) != 1 || !bytes.Equal(r.Dropped[0].Raw, p.root.cert.Raw) {
		t.Fatalf("verified %v reordered %v dropped %d", r.Verified, r.Reordered, len(r.Dropped))
	}
	if codes := problemCodes(r); !reflect.DeepEqual(codes, []string{ProblemRootDropped, ProblemOutOfOrder}) {
		t.Fatalf("problems %v", codes)
	}
	// The same list in the right order is not "reordered".
	inOrder := BuildChain(nil, []*x509.Certificate{leaf, inter2.cert, p.inter.cert}, p.roots, testNow)
	if inOrder.Reordered || len(inOrder.Problems) != 0 {
		t.Fatalf("in-order chain: reordered %v problems %v", inOrder.Reordered, problemCodes(inOrder))
	}
}

func TestFindLeaf(t *testing.T) {
	p := newPKI(t)
	other := p.inter.issue(t, leafTemplate("other.example.org", day(2026, 11, 20), nDays(90)), testKey(t, "p256-d").Public())
	list := []*x509.Certificate{p.root.cert, p.inter.cert, other, p.leaf}
	if got := FindLeaf(list, p.leafKey.Public()); got != p.leaf {
		t.Errorf("with key: %v", got.Subject)
	}
	if got := FindLeaf([]*x509.Certificate{p.root.cert, p.inter.cert, p.leaf}, nil); got != p.leaf {
		t.Errorf("without key: %v", got.Subject)
	}
	if got := FindLeaf([]*x509.Certificate{p.root.cert, p.inter.cert}, nil); got != p.inter.cert {
		t.Errorf("CA-only list: want the bottom CA, got %v", got.Subject)
	}
	if FindLeaf(nil, nil) != nil {
		t.Error("empty list")
	}
}

func TestBuildChainMissingIntermediate(t *testing.T) {
	p := newPKI(t)
	r := BuildChain(p.leaf, nil, p.roots, testNow)
	if r.Trusted || r.Verified {
		t.Fatal("leaf without intermediate trusted")
	}
	if !reflect.DeepEqual(problemCodes(r), []string{ProblemMissingIntermediate}) {
		t.Fatalf("problems %v", problemCodes(r))
	}
	if got := r.Problems[0].URLs; !reflect.DeepEqual(got, []string{"http://ca.test/intermediate.crt"}) {
		t.Fatalf("AIA URLs %v", got)
	}
}

func TestBuildChainUnknownRoot(t *testing.T) {
	p := newPKI(t)
	other := newRoot(t, "Some Other Root", testKey(t, "p256-e"))
	r := BuildChain(p.leaf, []*x509.Certificate{p.root.cert, p.inter.cert}, pool(other.cert), testNow)
	if r.Trusted || !reflect.DeepEqual(problemCodes(r), []string{ProblemRootDropped, ProblemUnknownRoot}) {
		t.Fatalf("trusted %v problems %v", r.Trusted, problemCodes(r))
	}
	if !strings.Contains(r.Problems[1].Message, "cwsec Test Root") {
		t.Errorf("message does not name the root: %s", r.Problems[1].Message)
	}
}

func TestBuildChainWrongIntermediate(t *testing.T) {
	p := newPKI(t)
	// A renewed intermediate: same name, new key. It cannot have signed the leaf.
	renewed := p.root.intermediate(t, "cwsec Test Intermediate", testKey(t, "p256-f"))
	r := BuildChain(p.leaf, []*x509.Certificate{renewed.cert}, p.roots, testNow)
	if r.Trusted || !reflect.DeepEqual(problemCodes(r), []string{ProblemMissingIntermediate, ProblemWrongIntermediate}) {
		t.Fatalf("trusted %v problems %v", r.Trusted, problemCodes(r))
	}
	if !strings.Contains(r.Problems[1].Message, "different key") {
		t.Errorf("message does not explain: %s", r.Problems[1].Message)
	}
	// Another CA's intermediate.
	otherRoot := newRoot(t, "Other Root", testKey(t, "p256-e"))
	otherInter := otherRoot.intermediate(t, "Other Intermediate", testKey(t, "p256-d"))
	r = BuildChain(p.leaf, []*x509.Certificate{otherInter.cert}, pool(p.root.cert, otherRoot.cert), testNow)
	if !r.HasProblem(ProblemWrongIntermediate) || !r.HasProblem(ProblemMissingIntermediate) {
		t.Fatalf("problems %v", problemCodes(r))
	}
}

func TestBuildChainExtraCert(t *testing.T) {
	p := newPKI(t)
	stranger := p.inter.issue(t, leafTemplate("other.example.org", day(2026, 11, 20), nDays(90)), testKey(t, "p256-d").Public())
	r := BuildChain(p.leaf, []*x509.Certificate{p.inter.cert, stranger}, p.roots, testNow)
	if !r.Verified || !reflect.DeepEqual(problemCodes(r), []string{ProblemExtraCert}) || len(r.Extra) != 1 {
		t.Fatalf("verified %v problems %v", r.Verified, problemCodes(r))
	}
	if len(r.Chain) != 2 {
		t.Fatalf("extra certificate ended up in the chain: %v", chainSubjects(r))
	}
}

func TestBuildChainExpiredIntermediate(t *testing.T) {
	p := newPKI(t)
	old := p.root.intermediate(t, "Old Intermediate", testKey(t, "p256-c"), func(c *x509.Certificate) {
		c.NotBefore, c.NotAfter = day(2021, 1, 1), day(2026, 11, 30)
	})
	leaf := old.issue(t, leafTemplate("careware.example.org", day(2026, 11, 1), nDays(60)), p.leafKey.Public())
	r := BuildChain(leaf, []*x509.Certificate{old.cert}, p.roots, testNow)
	if r.Verified || !r.Trusted || !reflect.DeepEqual(problemCodes(r), []string{ProblemIntermediateInvalid}) {
		t.Fatalf("verified %v trusted %v problems %v", r.Verified, r.Trusted, problemCodes(r))
	}
}

func TestBuildChainSHA1Leaf(t *testing.T) {
	p := newPKI(t)
	leaf := p.leafWith(t, func(c *x509.Certificate) { c.SignatureAlgorithm = x509.ECDSAWithSHA1 })
	if leaf.SignatureAlgorithm != x509.ECDSAWithSHA1 {
		t.Fatalf("test certificate signed with %v", leaf.SignatureAlgorithm)
	}
	r := BuildChain(leaf, []*x509.Certificate{p.inter.cert}, p.roots, testNow)
	if r.Verified || !r.Trusted || len(r.Chain) != 2 || !r.HasProblem(ProblemInsecureSignature) {
		t.Fatalf("verified %v trusted %v chain %v problems %v", r.Verified, r.Trusted, chainSubjects(r), problemCodes(r))
	}
}

func TestBuildChainSelfSignedLeaf(t *testing.T) {
	key := testKey(t, "p256")
	tmpl := leafTemplate("careware.example.org", day(2026, 11, 20), nDays(90))
	self := sign(t, tmpl, tmpl, key.Public(), key, 0)
	r := BuildChain(self, nil, pool(), testNow)
	if r.Trusted || !reflect.DeepEqual(problemCodes(r), []string{ProblemUnknownRoot}) {
		t.Fatalf("trusted %v problems %v", r.Trusted, problemCodes(r))
	}
	// Pinned as its own anchor, it is trusted.
	if r := BuildChain(self, nil, pool(self), testNow); !r.Verified {
		t.Fatalf("self-signed leaf in the roots: %s", r.VerifyError)
	}
}

func TestBuildChainNoLeaf(t *testing.T) {
	r := BuildChain(nil, nil, nil, testNow)
	if !r.HasProblem(ProblemNoCertificate) {
		t.Fatal(problemCodes(r))
	}
}

type fakeFetcher struct {
	files map[string][]byte
	calls []string
}

func (f *fakeFetcher) Fetch(_ context.Context, url string) ([]byte, error) {
	f.calls = append(f.calls, url)
	if b, ok := f.files[url]; ok {
		return b, nil
	}
	return nil, errors.New("404 not found")
}

func TestBuildChainFetching(t *testing.T) {
	p := newPKI(t)
	f := &fakeFetcher{files: map[string][]byte{"http://ca.test/intermediate.crt": p.inter.cert.Raw}}
	r := BuildChainFetching(context.Background(), f, p.leaf, nil, p.roots, testNow)
	if !r.Verified || len(r.Problems) != 0 || !reflect.DeepEqual(r.Fetched, []string{"http://ca.test/intermediate.crt"}) {
		t.Fatalf("verified %v problems %v fetched %v", r.Verified, problemCodes(r), r.Fetched)
	}

	// PEM and PKCS#7 responses work too.
	f = &fakeFetcher{files: map[string][]byte{"http://ca.test/intermediate.crt": buildP7(t, p.inter.cert)}}
	if r := BuildChainFetching(context.Background(), f, p.leaf, nil, p.roots, testNow); !r.Verified {
		t.Fatalf("PKCS#7 AIA response: %v", problemCodes(r))
	}

	// A failing fetch leaves the chain incomplete and says why.
	f = &fakeFetcher{}
	r = BuildChainFetching(context.Background(), f, p.leaf, nil, p.roots, testNow)
	if r.Trusted || !r.HasProblem(ProblemMissingIntermediate) || !r.HasProblem(ProblemFetchFailed) || len(f.calls) != 1 {
		t.Fatalf("problems %v calls %v", problemCodes(r), f.calls)
	}

	// A certificate that did not issue the leaf is not used.
	f = &fakeFetcher{files: map[string][]byte{"http://ca.test/intermediate.crt": p.root.cert.Raw}}
	r = BuildChainFetching(context.Background(), f, p.leaf, nil, p.roots, testNow)
	if r.Trusted || len(r.Chain) != 1 {
		t.Fatalf("unrelated fetched certificate used: %v", chainSubjects(r))
	}

	// Offline.
	if r := BuildChainFetching(context.Background(), nil, p.leaf, nil, p.roots, testNow); !r.HasProblem(ProblemMissingIntermediate) {
		t.Fatal(problemCodes(r))
	}
}

func TestBuildChainFetchingIsBounded(t *testing.T) {
	// A chain of CAs each pointing to the next by AIA, longer than the bound.
	root := newRoot(t, "Deep Root", testKey(t, "p256-e"))
	files := map[string][]byte{}
	ca := root
	for i := 0; i < MaxAIAFetches+2; i++ {
		next := ca.intermediate(t, "Deep "+string(rune('A'+i)), testKey(t, "p256-c"))
		files["http://ca.test/"+ca.cert.Subject.CommonName+".crt"] = ca.cert.Raw
		ca = next
	}
	tmpl := leafTemplate("deep.example.org", day(2026, 11, 20), nDays(90))
	tmpl.IssuingCertificateURL = []string{"http://ca.test/" + ca.cert.Subject.CommonName + ".crt"}
	files[tmpl.IssuingCertificateURL[0]] = ca.cert.Raw
	leaf := ca.issue(t, tmpl, testKey(t, "p256").Public())
	f := &fakeFetcher{files: files}
	r := BuildChainFetching(context.Background(), f, leaf, nil, pool(root.cert), testNow)
	if len(f.calls) > MaxAIAFetches || r.Trusted {
		t.Fatalf("%d fetches (limit %d), trusted %v", len(f.calls), MaxAIAFetches, r.Trusted)
	}
}
