//go:build dep_qr

package main

// Linked only with -tags dep_qr (bench/depcost.sh measures what it adds to a
// cobra program's size and start-up). In cwsec: 2fa enroll (terminal QR and
// PNG).
import (
	_ "github.com/mdp/qrterminal/v3"
	_ "image/png"
)
