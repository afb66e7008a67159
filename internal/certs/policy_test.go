package certs

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// failing renders the non-ok findings as "code:severity", sorted.
func failing(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		if f.Severity != SeverityOK {
			out = append(out, f.Code+":"+f.Severity.String())
		}
	}
	sort.Strings(out)
	return out
}

func TestEvaluateDefects(t *testing.T) {
	p := newPKI(t)
	rsaInter := p.root.intermediate(t, "cwsec RSA Intermediate", testKey(t, "rsa2048"))
	otherRoot := newRoot(t, "Other Root", testKey(t, "p256-e"))
	renewed := p.root.intermediate(t, "cwsec Test Intermediate", testKey(t, "p256-f"))
	expiredInter := p.root.intermediate(t, "Old Intermediate", testKey(t, "p256-c"), func(c *x509.Certificate) {
		c.NotBefore, c.NotAfter = day(2021, 1, 1), day(2026, 11, 30)
	})
	stranger := p.inter.issue(t, leafTemplate("other.example.org", day(2026, 11, 20), nDays(90)), testKey(t, "p256-d").Public())

	leaf := func(mod func(*x509.Certificate)) *x509.Certificate { return p.leafWith(t, mod) }
	withKey := func(kind string, mod func(*x509.Certificate)) *x509.Certificate {
		tmpl := leafTemplate("careware.example.org", day(2026, 11, 20), nDays(90))
		if mod != nil {
			mod(tmpl)
		}
		return p.inter.issue(t, tmpl, testKey(t, kind).Public())
	}
	dates := func(from time.Time, life int) func(*x509.Certificate) {
		return func(c *x509.Certificate) { c.NotBefore, c.NotAfter = from, from.Add(nDays(life)-time.Second) }
	}
	rsaLeafTmpl := leafTemplate("careware.example.org", day(2026, 11, 20), nDays(90))
	rsaLeafTmpl.SignatureAlgorithm = x509.SHA256WithRSA
	md5Leaf := md5Signed(t, rsaInter.issue(t, rsaLeafTmpl, p.leafKey.Public()), rsaInter.key.(*rsa.PrivateKey))

	base := func() PolicyInput {
		return PolicyInput{Leaf: p.leaf, Chain: []*x509.Certificate{p.inter.cert}, Roots: p.roots,
			Key: p.leafKey.Public(), Names: []string{"careware.example.org", "192.0.2.10"}, Now: testNow}
	}
	cases := []struct {
		name string
		mod  func(*PolicyInput)
		want []string
	}{
		{"good", func(*PolicyInput) {}, nil},
		{"wrong key", func(in *PolicyInput) { in.Key = testKey(t, "p256-b").Public() }, []string{"key_mismatch:critical"}},
		{"expired", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 8, 1), 90)) }, []string{"expired:critical"}},
		{"not yet valid", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 12, 10), 90)) }, []string{"not_yet_valid:critical"}},
		{"expires in 15 days", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 9, 20), 90)) }, []string{"expires_soon:warning"}},
		{"expires in 3 days", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 9, 8), 90)) }, []string{"expires_soon:critical"}},
		{"47-day cert with 24 days left", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 11, 10), 47)) }, nil},
		{"47-day cert with 10 days left", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 10, 27), 47)) }, []string{"expires_soon:warning"}},
		{"custom thresholds", func(in *PolicyInput) {
			in.Leaf = leaf(dates(day(2026, 9, 20), 90))
			in.WarnDays, in.CritDays = 10, 5
		}, nil},
		{"sha1 signature", func(in *PolicyInput) {
			in.Leaf = leaf(func(c *x509.Certificate) { c.SignatureAlgorithm = x509.ECDSAWithSHA1 })
		}, []string{"weak_signature:critical"}},
		{"md5 signature", func(in *PolicyInput) {
			in.Leaf, in.Chain = md5Leaf, []*x509.Certificate{rsaInter.cert}
		}, []string{"weak_signature:critical"}},
		{"rsa-1024 key", func(in *PolicyInput) {
			in.Leaf, in.Key = withKey("rsa1024", nil), testKey(t, "rsa1024").Public()
		}, []string{"weak_key:critical"}},
		{"p-224 key", func(in *PolicyInput) {
			in.Leaf, in.Key = withKey("p224", nil), testKey(t, "p224").Public()
		}, []string{"weak_key:critical"}},
		{"no san", func(in *PolicyInput) {
			in.Leaf, in.Names = leaf(func(c *x509.Certificate) { c.DNSNames, c.IPAddresses = nil, nil }), nil
		}, []string{"no_san:critical"}},
		{"no san, names required", func(in *PolicyInput) {
			in.Leaf = leaf(func(c *x509.Certificate) { c.DNSNames, c.IPAddresses = nil, nil })
		}, []string{"name_not_covered:critical", "no_san:critical"}},
		{"CA:TRUE leaf", func(in *PolicyInput) { in.Leaf = leaf(func(c *x509.Certificate) { c.IsCA = true }) }, []string{"leaf_is_ca:critical"}},
		{"keyCertSign", func(in *PolicyInput) {
			in.Leaf = leaf(func(c *x509.Certificate) { c.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign })
		}, []string{"bad_key_usage:critical"}},
		{"ecdsa without digitalSignature", func(in *PolicyInput) {
			in.Leaf = leaf(func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageKeyEncipherment })
		}, []string{"bad_key_usage:critical"}},
		{"rsa keyEncipherment only", func(in *PolicyInput) {
			in.Leaf = withKey("rsa2048", func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageKeyEncipherment })
			in.Key = testKey(t, "rsa2048").Public()
		}, []string{"bad_key_usage:warning"}},
		{"rsa digitalSignature|keyEncipherment", func(in *PolicyInput) {
			in.Leaf = withKey("rsa2048", func(c *x509.Certificate) {
				c.KeyUsage = x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature
			})
			in.Key = testKey(t, "rsa2048").Public()
		}, nil},
		{"clientAuth only", func(in *PolicyInput) {
			in.Leaf = leaf(func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} })
		}, []string{"no_server_auth:critical"}},
		{"no EKU at all", func(in *PolicyInput) { in.Leaf = leaf(func(c *x509.Certificate) { c.ExtKeyUsage = nil }) }, []string{"no_server_auth:critical"}},
		{"any EKU", func(in *PolicyInput) {
			in.Leaf = leaf(func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageAny} })
		}, []string{"no_server_auth:critical"}},
		{"390 days issued before 2026-03-15", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 3, 1), 390)) }, nil},
		{"400 days issued before 2026-03-15", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 3, 1), 400)) }, []string{"lifetime_exceeds_cap:warning"}},
		{"300 days issued after 2026-03-15, private root", func(in *PolicyInput) { in.Leaf = leaf(dates(day(2026, 4, 1), 300)) }, []string{"lifetime_exceeds_cap:warning"}},
		{"300 days issued after 2026-03-15, public root", func(in *PolicyInput) {
			in.Leaf, in.PublicRoot = leaf(dates(day(2026, 4, 1), 300)), true
		}, []string{"lifetime_exceeds_cap:critical"}},
		{"200 days issued on 2026-03-15", func(in *PolicyInput) {
			in.Leaf, in.PublicRoot, in.Now = leaf(dates(day(2026, 3, 15), 200)), true, day(2026, 5, 1)
		}, nil},
		{"201 days issued on 2026-03-15", func(in *PolicyInput) {
			in.Leaf, in.PublicRoot, in.Now = leaf(dates(day(2026, 3, 15), 201)), true, day(2026, 5, 1)
		}, []string{"lifetime_exceeds_cap:critical"}},
		{"name not covered", func(in *PolicyInput) { in.Names = []string{"careware.example.org", "other.example.org", "192.0.2.11"} }, []string{"name_not_covered:critical"}},
		{"invalid required name", func(in *PolicyInput) { in.Names = []string{"bad_name"} }, []string{"invalid_required_name:unknown"}},
		{"incomplete chain", func(in *PolicyInput) { in.Chain = nil }, []string{"incomplete_chain:critical"}},
		{"expired and incomplete", func(in *PolicyInput) {
			in.Leaf, in.Chain = leaf(dates(day(2026, 8, 1), 90)), nil
		}, []string{"expired:critical", "incomplete_chain:critical"}},
		{"not yet valid, wrong intermediate", func(in *PolicyInput) {
			in.Leaf, in.Chain = leaf(dates(day(2026, 12, 10), 90)), []*x509.Certificate{renewed.cert}
		}, []string{"incomplete_chain:critical", "not_yet_valid:critical", "wrong_intermediate:critical"}},
		{"untrusted root", func(in *PolicyInput) { in.Roots = pool(otherRoot.cert) }, []string{"incomplete_chain:critical"}},
		{"untrusted root supplied", func(in *PolicyInput) {
			in.Roots, in.Chain = pool(otherRoot.cert), []*x509.Certificate{p.inter.cert, p.root.cert}
		}, []string{"untrusted_root:critical"}},
		{"wrong intermediate", func(in *PolicyInput) { in.Chain = []*x509.Certificate{renewed.cert} }, []string{"incomplete_chain:critical", "wrong_intermediate:critical"}},
		{"expired intermediate", func(in *PolicyInput) {
			in.Leaf = expiredInter.issue(t, leafTemplate("careware.example.org", day(2026, 11, 1), nDays(60)), p.leafKey.Public())
			in.Chain = []*x509.Certificate{expiredInter.cert}
		}, []string{"intermediate_invalid:critical"}},
		{"install: order and extras fixed", func(in *PolicyInput) {
			in.Chain = []*x509.Certificate{stranger, p.root.cert, p.inter.cert, p.leaf}
		}, nil},
		{"served out of order with extra", func(in *PolicyInput) {
			in.Chain = []*x509.Certificate{stranger, p.inter.cert, p.leaf}
			in.Leaf, in.Served = nil, true
		}, []string{"chain_out_of_order:warning", "extra_certs:warning"}},
		{"served with root", func(in *PolicyInput) {
			in.Chain, in.Served = []*x509.Certificate{p.leaf, p.inter.cert, p.root.cert}, true
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.mod(&in)
			fs := Evaluate(in)
			want := c.want
			if want == nil {
				want = []string{}
			}
			sort.Strings(want)
			if got := failing(fs); !reflect.DeepEqual(got, want) {
				t.Fatalf("failing findings %v, want %v\n%s", got, want, dump(fs))
			}
			for _, f := range fs {
				if f.Severity != SeverityOK && f.Hint == "" {
					t.Errorf("finding %s has no hint", f.Code)
				}
				if f.Check == "" || f.Code == "" || f.Message == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Severity.String() + " " + f.Code + ": " + f.Message + "\n")
	}
	return b.String()
}

func TestEvaluateGoodListsEveryCheck(t *testing.T) {
	p := newPKI(t)
	fs := Evaluate(PolicyInput{Leaf: p.leaf, Chain: []*x509.Certificate{p.inter.cert}, Roots: p.roots,
		Key: p.leafKey.Public(), Names: []string{"careware.example.org"}, Now: testNow})
	var checks []string
	for _, f := range fs {
		checks = append(checks, f.Check)
	}
	want := []string{CheckKey, CheckChain, CheckNames, CheckValidity, CheckExpiry, CheckServerAuth, CheckKeyUsage,
		CheckCA, CheckKeyStrength, CheckSignature, CheckSAN, CheckLifetime, CheckConformance}
	if !reflect.DeepEqual(checks, want) {
		t.Fatalf("checks %v, want %v", checks, want)
	}
	if Worst(fs) != SeverityOK {
		t.Fatal(dump(fs))
	}
}

func TestEvaluateIncompleteChainHintNamesAIA(t *testing.T) {
	p := newPKI(t)
	fs := Evaluate(PolicyInput{Leaf: p.leaf, Roots: p.roots, Now: testNow})
	for _, f := range fs {
		if f.Code == CodeIncompleteChain {
			if !strings.Contains(f.Hint, "http://ca.test/intermediate.crt") {
				t.Fatalf("hint %q lacks the AIA URL", f.Hint)
			}
			return
		}
	}
	t.Fatal("no incomplete_chain finding")
}

func TestEvaluateNoCertificate(t *testing.T) {
	fs := Evaluate(PolicyInput{Now: testNow})
	if got := failing(fs); !reflect.DeepEqual(got, []string{"no_certificate:critical"}) {
		t.Fatal(got)
	}
}

func TestEvaluateUsesPrebuiltChain(t *testing.T) {
	p := newPKI(t)
	built := BuildChain(p.leaf, []*x509.Certificate{p.inter.cert}, p.roots, testNow)
	// Chain and Roots are ignored when Built is given.
	fs := Evaluate(PolicyInput{Built: &built, Roots: pool(), Now: testNow})
	if Worst(fs) != SeverityOK {
		t.Fatal(dump(fs))
	}
}

func TestCoversName(t *testing.T) {
	p := newPKI(t)
	wild := p.leafWith(t, func(c *x509.Certificate) {
		c.DNSNames = []string{"*.example.org", "xn--bcher-kva.example", "Upper.Example.NET"}
	})
	cases := map[string]bool{
		"a.example.org":     true,
		"A.Example.Org.":    true,
		"example.org":       false,
		"a.b.example.org":   false,
		"*.example.org":     true,
		"*.b.example.org":   false,
		"bücher.example":    true,
		"upper.example.net": true,
		"192.0.2.10":        true,
		"192.0.2.11":        false,
		"aexample.org":      false,
		"other.example.com": false,
	}
	for name, want := range cases {
		got, err := CoversName(wild, name)
		if err != nil || got != want {
			t.Errorf("CoversName(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
}

func TestExpiryThresholds(t *testing.T) {
	p := newPKI(t)
	c90 := p.leafWith(t, func(c *x509.Certificate) { c.NotAfter = c.NotBefore.Add(nDays(90) - time.Second) })
	c47 := p.leafWith(t, func(c *x509.Certificate) { c.NotAfter = c.NotBefore.Add(nDays(47) - time.Second) })
	c398 := p.leafWith(t, func(c *x509.Certificate) { c.NotAfter = c.NotBefore.Add(nDays(398) - time.Second) })
	cases := []struct {
		cert       *x509.Certificate
		warn, crit time.Duration
	}{
		{c90, nDays(30), nDays(7)},
		{c47, nDays(47) / 3, nDays(47) / 10},
		{c398, nDays(30), nDays(7)},
	}
	for _, c := range cases {
		w, cr := ExpiryThresholds(c.cert, 0, 0)
		if w != c.warn || cr != c.crit {
			t.Errorf("lifetime %d days: thresholds %v/%v, want %v/%v", LifetimeDays(c.cert), w, cr, c.warn, c.crit)
		}
	}
}

func TestLifetimeCap(t *testing.T) {
	cases := map[time.Time]int{
		day(2025, 1, 1):                    398,
		day(2026, 3, 15).Add(-time.Second): 398,
		day(2026, 3, 15):                   200,
		day(2027, 3, 14):                   200,
		day(2027, 3, 15):                   100,
		day(2029, 3, 14):                   100,
		day(2029, 3, 15):                   47,
		day(2035, 1, 1):                    47,
	}
	for nb, want := range cases {
		if got := LifetimeCap(nb); got != want {
			t.Errorf("LifetimeCap(%s) = %d, want %d", nb.Format(time.RFC3339), got, want)
		}
	}
}

func TestSeverity(t *testing.T) {
	if !(SeverityOK < SeverityWarning && SeverityWarning < SeverityUnknown && SeverityUnknown < SeverityCritical) {
		t.Fatal("severity order must be ok < warning < unknown < critical")
	}
	if Worst([]Finding{{Severity: SeverityWarning}, {Severity: SeverityUnknown}, {Severity: SeverityOK}}) != SeverityUnknown {
		t.Fatal("worst of warning and unknown")
	}
	if Worst(nil) != SeverityOK {
		t.Fatal("worst of nothing")
	}
	b, _ := json.Marshal(Finding{Check: "c", Code: "x", Severity: SeverityCritical, Message: "m"})
	if !strings.Contains(string(b), `"severity":"critical"`) {
		t.Fatalf("JSON %s", b)
	}
	var f Finding
	if err := json.Unmarshal([]byte(`{"severity":"Warning"}`), &f); err != nil || f.Severity != SeverityWarning {
		t.Fatalf("unmarshal: %v %v", f.Severity, err)
	}
}

func TestInPool(t *testing.T) {
	p := newPKI(t)
	if !InPool(p.root.cert, p.roots) {
		t.Error("root not found in its pool")
	}
	if InPool(p.inter.cert, p.roots) {
		t.Error("intermediate reported as an anchor")
	}
	if InPool(p.root.cert, nil) {
		t.Error("nil pool")
	}
}
