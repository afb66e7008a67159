package certs

import (
	"bytes"
	"encoding/pem"
	"fmt"
)

var (
	pemBegin = []byte("-----BEGIN ")
	pemEnd   = []byte("-----END ")
)

// MaxPEMBlocks bounds how many PEM blocks one input may hold. The Mozilla root
// bundle has about 150; a server chain has two to four.
const MaxPEMBlocks = 512

// decodePEM splits data into PEM blocks, strictly. encoding/pem on its own
// skips a damaged block and carries on with the next one, which would let a
// chain with a half-pasted intermediate look like a shorter, valid chain. So
// each BEGIN line is cut out together with the first END line after it and
// decoded alone: a BEGIN without END is "truncated", a block that does not
// decode is "corrupt", and non-blank bytes after the last END line are
// "trailing data". Text before and between blocks is allowed, because OpenSSL
// writes "Bag Attributes" and "subject=" lines there. Input without any BEGIN
// line returns no blocks and no error; the caller decides what that means.
func decodePEM(data []byte) ([]*pem.Block, error) {
	var blocks []*pem.Block
	pos := 0
	for {
		i := bytes.Index(data[pos:], pemBegin)
		if i < 0 {
			break
		}
		start := pos + i
		n := len(blocks) + 1
		if n > MaxPEMBlocks {
			return nil, newError(ErrInputTooLarge,
				fmt.Sprintf("input holds more than %d PEM blocks", MaxPEMBlocks),
				"split the file; a server chain needs only the certificate, its intermediates and its key")
		}
		block, next, err := decodeOneBlock(data, start, n)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, block)
		pos = next
	}
	if len(blocks) > 0 && len(bytes.TrimSpace(data[pos:])) > 0 {
		return nil, newError(ErrTrailingData,
			fmt.Sprintf("unexpected data after the last PEM block (line %d)", lineAt(data, pos+firstNonSpace(data[pos:]))),
			"remove what follows the last -----END ...----- line; if it is part of a certificate, its BEGIN line is missing")
	}
	return blocks, nil
}

// decodeOneBlock decodes the block whose BEGIN line starts at data[start] and
// returns the offset just after its END line.
func decodeOneBlock(data []byte, start, n int) (*pem.Block, int, error) {
	seg := data[start:]
	typ, ok := beginType(seg)
	line := lineAt(data, start)
	where := fmt.Sprintf("PEM block %d (%q, line %d)", n, typ, line)
	if !ok {
		return nil, 0, newError(ErrCorruptPEM, fmt.Sprintf("PEM block %d (line %d) has a malformed BEGIN line", n, line),
			`a PEM BEGIN line looks like "-----BEGIN CERTIFICATE-----"`)
	}
	body := seg[len(pemBegin):]
	endAt := bytes.Index(body, pemEnd)
	nextBegin := bytes.Index(body, pemBegin)
	if endAt < 0 || (nextBegin >= 0 && nextBegin < endAt) {
		return nil, 0, newError(ErrTruncatedPEM,
			fmt.Sprintf("%s is truncated: no \"-----END %s-----\" line follows it", where, typ),
			"the file was probably cut off while copying; copy the whole block again, END line included")
	}
	endLine := len(pemBegin) + endAt
	stop := len(seg)
	if nl := bytes.IndexByte(seg[endLine:], '\n'); nl >= 0 {
		stop = endLine + nl + 1
	}
	block, rest := pem.Decode(seg[:stop])
	if block == nil || len(bytes.TrimSpace(rest)) > 0 {
		return nil, 0, newError(ErrCorruptPEM,
			fmt.Sprintf("%s is corrupt: its base64 body or its END line is damaged", where),
			"copy the block again from its source; the END line must name the same type as the BEGIN line")
	}
	return block, start + stop, nil
}

// beginType returns the type named on the BEGIN line at the start of seg.
func beginType(seg []byte) (string, bool) {
	line := seg[len(pemBegin):]
	if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	line = bytes.TrimRight(line, " \t\r")
	typ, found := bytes.CutSuffix(line, []byte("-----"))
	if !found || len(typ) > 64 {
		return "", false
	}
	return string(typ), true
}

func lineAt(data []byte, off int) int {
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func firstNonSpace(b []byte) int {
	return len(b) - len(bytes.TrimLeft(b, " \t\r\n\v\f"))
}

// encodeBlocks writes DER values as consecutive PEM blocks of one type.
func encodeBlocks(typ string, ders ...[]byte) []byte {
	var buf bytes.Buffer
	for _, der := range ders {
		_ = pem.Encode(&buf, &pem.Block{Type: typ, Bytes: der})
	}
	return buf.Bytes()
}
