//go:build dep_tls

package main

// Linked only with -tags dep_tls (bench/depcost.sh measures what it adds to a
// cobra program's size and start-up). In cwsec: endpoint checks and deploy
// verification (crypto/tls); certificates everywhere (crypto/x509).
import (
	_ "crypto/tls"
	_ "crypto/x509"
)
