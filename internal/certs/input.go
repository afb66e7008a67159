package certs

import (
	"fmt"
	"io"
)

// MaxInputSize bounds every certificate file, chain, CSR, key or PKCS#12 file
// this package reads. Real inputs are small: a leaf with a long chain is
// around 10 KiB and a PKCS#12 file rarely passes 20 KiB, while the whole
// Mozilla root bundle is about 220 KiB. One MiB leaves room for any honest
// file and refuses a wrong path (a log, a disk image) before it is read whole.
const MaxInputSize = 1 << 20

// ReadBounded reads r to the end but never more than limit+1 bytes: a larger
// input is refused with ErrInputTooLarge without being read in full. A limit
// of zero or less means MaxInputSize.
func ReadBounded(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = MaxInputSize
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(limit)
	}
	return data, nil
}

func tooLarge(limit int64) error {
	return newError(ErrInputTooLarge,
		fmt.Sprintf("input is larger than %d bytes", limit),
		"certificate files are a few kilobytes; check that the path names a certificate, chain, key or PKCS#12 file")
}
