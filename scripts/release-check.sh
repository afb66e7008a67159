#!/usr/bin/env bash
# Check the release configuration without publishing anything:
#
#   1. goreleaser check                         (.goreleaser.yaml is valid)
#   2. goreleaser release --snapshot --clean    (every archive, package and
#                                                checksum, built into dist/)
#   3. the built Linux binary reports the version goreleaser stamped, and is
#      static; the deb and rpm hold the binary, man pages and completions where
#      they belong (each checked when dpkg-deb / rpm is installed).
#
# GoReleaser is run from its Go module at a pinned version, so nothing needs
# installing; the first run downloads and compiles it (a few hundred modules,
# several minutes), later runs reuse the Go build cache. Not part of CI.
#
#   scripts/release-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# v2.17.0 is the newest GoReleaser whose go.mod asks for no more than this
# repository's Go (1.26); v2.18 needs Go 1.27.
GORELEASER_VERSION=v2.17.0
goreleaser() {
	GOTOOLCHAIN=local go run "github.com/goreleaser/goreleaser/v2@${GORELEASER_VERSION}" "$@"
}

# GoReleaser reads the commit and its date only once it has found the remote's
# URL. A checkout without a remote (a CI clone, a scratch copy) gets one for
# this run through git's environment, so that the snapshot is stamped as a
# release would be; nothing is written to the repository's config.
if [ -z "$(git remote)" ]; then
	export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/cwsec/cwsec.git
fi

goreleaser check
goreleaser release --snapshot --clean

echo
echo "== checking dist/"
fail() { echo "release-check: $*" >&2; exit 1; }

bin=$(find dist -path '*linux_amd64*' -type f -name cwsec | head -n1)
[ -n "$bin" ] || fail "no linux/amd64 binary in dist/"
version_out=$("$bin" version)
echo "$bin version: $version_out"
commit=$(git rev-parse HEAD)
case "$version_out" in
*"cwsec dev "* | *"commit none"* | *"built unknown"* | *"built 0001-"*) fail "the binary was not stamped by ldflags" ;;
*"commit $commit, built "*) ;;
*) fail "the binary does not name the commit $commit" ;;
esac
if command -v file >/dev/null; then
	file "$bin" | grep -q "statically linked" || fail "$bin is not statically linked: $(file "$bin")"
fi

for platform in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64; do
	ls dist/cwsec_*_"$platform".tar.gz >/dev/null 2>&1 || fail "no archive for $platform"
done
for platform in windows_amd64 windows_arm64; do
	ls dist/cwsec_*_"$platform".zip >/dev/null 2>&1 || fail "no archive for $platform"
done
archive=$(ls dist/cwsec_*_linux_amd64.tar.gz)
listing=$(tar -tzf "$archive")
for want in README.md LICENSE docs/man/cwsec.1 docs/man/cwsec-2fa-verify.1 completions/cwsec.bash completions/_cwsec completions/cwsec.fish completions/cwsec.ps1; do
	grep -q "/$want\$" <<<"$listing" || fail "$archive lacks $want"
done
echo "archives: every platform present; $archive holds README, LICENSE, man pages, completions"

[ -s dist/checksums.txt ] || fail "no checksums.txt"
(cd dist && sha256sum --check --quiet checksums.txt) || fail "checksums.txt does not match"
echo "checksums: $(wc -l <dist/checksums.txt) files, all match"

deb=$(ls dist/*.deb | grep amd64 | head -n1)
if command -v dpkg-deb >/dev/null; then
	contents=$(dpkg-deb -c "$deb")
	for want in ./usr/bin/cwsec ./usr/share/man/man1/cwsec.1 ./usr/share/man/man1/cwsec-cert-install.1 \
		./usr/share/bash-completion/completions/cwsec ./usr/share/zsh/vendor-completions/_cwsec \
		./usr/share/fish/vendor_completions.d/cwsec.fish; do
		grep -q " $want\$" <<<"$contents" || fail "$deb lacks $want"
	done
	echo "deb: $deb installs the binary, man pages and completions"
else
	echo "deb: $deb built (dpkg-deb not installed: contents not checked)"
fi
rpm=$(ls dist/*.rpm | grep x86_64 | head -n1)
if command -v rpm >/dev/null; then
	contents=$(rpm -qlp "$rpm")
	for want in /usr/bin/cwsec /usr/share/man/man1/cwsec.1 /usr/share/bash-completion/completions/cwsec \
		/usr/share/zsh/site-functions/_cwsec /usr/share/fish/vendor_completions.d/cwsec.fish; do
		grep -qx "$want" <<<"$contents" || fail "$rpm lacks $want"
	done
	echo "rpm: $rpm installs the binary, man pages and completions"
else
	echo "rpm: $rpm built (rpm not installed: contents not checked)"
fi
echo "release-check: OK"
