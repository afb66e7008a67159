package cli

import (
	"fmt"
	"strings"

	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/store"
)

// tlsStatus is the TLS section of `cwsec status`: the active certificate,
// its days left, and how its deployment to each configured target went.
type tlsStatus struct {
	sectionStatus
	Certificate *certSummary `json:"certificate,omitempty"`
	Pending     int          `json:"pending_requests"`
	Targets     []tlsTarget  `json:"targets"`
	// findings are what Finding joins, each with its verdict.
	findings []tlsFinding
}

type tlsFinding struct {
	verdict, text string
	// expiry marks the active certificate's expiry, which status --check
	// leaves to the certificate check it folds in.
	expiry bool
}

type tlsTarget struct {
	Name       string            `json:"name"`
	Format     string            `json:"format"`
	Endpoint   string            `json:"verify_endpoint,omitempty"`
	LastDeploy *certs.Deployment `json:"last_deploy,omitempty"` // of the active certificate
}

func (a *app) readTLSStatus(tx *store.Tx) (tlsStatus, error) {
	s := tlsStatus{Targets: []tlsTarget{}}
	recs, err := certs.Records(tx)
	if err != nil {
		return s, err
	}
	var active *certs.Record
	for i, r := range recs {
		switch r.State {
		case certs.StateActive:
			active = &recs[i]
		case certs.StatePending:
			s.Pending++
		}
	}
	for _, t := range a.cfg.TLS.Deploy {
		tt := tlsTarget{Name: t.Name, Format: t.Format, Endpoint: t.VerifyEndpoint}
		if active != nil {
			if d, ok := active.Deployments[t.Name]; ok {
				tt.LastDeploy = &d
			}
		}
		s.Targets = append(s.Targets, tt)
	}
	if active == nil {
		s.Summary = "not configured: no certificate installed"
		if s.Pending > 0 {
			s.Summary += fmt.Sprintf(" (%d pending request%s)", s.Pending, plural(s.Pending))
		}
		return s, nil
	}
	sum, err := a.summarize(*active)
	if err != nil {
		return s, err
	}
	leaf, err := active.Leaf()
	if err != nil {
		return s, err
	}
	s.Configured, s.Certificate = true, &sum
	raise := func(verdict, text string) {
		s.findings = append(s.findings, tlsFinding{verdict: verdict, text: text})
	}
	days := *sum.DaysLeft
	warnAt, critAt := certs.ExpiryThresholds(leaf, a.cfg.TLS.WarnDays, a.cfg.TLS.CritDays)
	left := leaf.NotAfter.Sub(a.now())
	switch {
	case left < 0:
		raise(verdictCritical, fmt.Sprintf("the active certificate %s expired on %s", sum.ID, utcTime(leaf.NotAfter)))
	case left < critAt:
		raise(verdictCritical, fmt.Sprintf("the active certificate %s expires in %d days", sum.ID, days))
	case left < warnAt:
		raise(verdictWarning, fmt.Sprintf("the active certificate %s expires in %d days", sum.ID, days))
	}
	if len(s.findings) > 0 {
		s.findings[0].expiry = true
	}
	var deployed []string
	for _, t := range s.Targets {
		switch {
		case t.LastDeploy == nil:
			raise(verdictWarning, fmt.Sprintf("the active certificate is not deployed to %s; run 'cwsec cert deploy'", t.Name))
		case !t.LastDeploy.OK:
			raise(verdictWarning, fmt.Sprintf("deploying the active certificate to %s failed on %s", t.Name, utcTime(t.LastDeploy.At)))
		default:
			deployed = append(deployed, t.Name)
		}
	}
	name := leaf.Subject.CommonName
	if name == "" && len(sum.Names) > 0 {
		name = sum.Names[0]
	}
	s.Summary = fmt.Sprintf("%s (%s), expires %s, %d days left", name, sum.ID, leaf.NotAfter.UTC().Format("2006-01-02"), days)
	switch {
	case len(s.Targets) == 0:
		s.Summary += "; no deploy targets"
	case len(deployed) > 0:
		s.Summary += "; deployed to " + strings.Join(deployed, ", ")
	}
	var texts []string
	for _, f := range s.findings {
		texts = append(texts, f.text)
	}
	s.Finding = strings.Join(texts, "; ")
	return s, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
