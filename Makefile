# Shortcuts for cwsec's developers. Every target is one plain command that
# also works without make.

.PHONY: build test docs release-check

# The binary, as goreleaser builds it but without the version stamp.
build:
	CGO_ENABLED=0 go build -trimpath -o cwsec ./cmd/cwsec

test:
	go test -race ./...

# Regenerate docs/man, docs/commands and completions/ from the command tree
# (a test fails until they match it).
docs:
	go run ./cmd/gen-docs

# goreleaser check and a snapshot release into dist/ (slow the first time).
release-check:
	scripts/release-check.sh
