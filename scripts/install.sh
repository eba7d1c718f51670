#!/bin/sh
# Install the slim-setup binary itself from its GitHub release (or a mirror),
# verified against the release's SHA256SUMS.
#
#   curl -fsSL https://raw.githubusercontent.com/agntcy/slim-setup/main/scripts/install.sh | sh
#   sh install.sh [--version X.Y.Z|latest] [--dir DIR] [--base-url URL] [--target TRIPLE] [--dry-run]
#
# Options (each also read from the environment):
#   --version V    release to install, `0.3.1` or `v0.3.1`       SLIM_SETUP_VERSION (default: latest)
#   --dir DIR      folder to install into                        SLIM_SETUP_INSTALL_DIR (default: ~/.local/bin)
#   --base-url U   where releases live: U/vX.Y.Z/<asset>         SLIM_SETUP_BASE_URL
#                  (https://, http:// to loopback, file:// or a plain folder)
#                  default: https://github.com/agntcy/slim-setup/releases/download
#   --target T     Rust target triple to fetch instead of the detected one
#   --dry-run      print the target, the URLs it would fetch and the install path; fetch nothing
#
# Release layout: {base}/v{version}/slim-setup-{version}-{triple}.tar.gz (.zip on
# Windows) and {base}/v{version}/SHA256SUMS. With `latest`, a GitHub base uses
# GitHub's releases/latest/download redirect and a mirror its `latest/` folder;
# the archive name (and so the version) is then read from SHA256SUMS.
#
# Output: progress on stderr; the installed binary's path alone on stdout.
# Exit codes: 0 installed (or dry run), 1 failure, 2 usage.
set -eu

default_base="https://github.com/agntcy/slim-setup/releases/download"
version="${SLIM_SETUP_VERSION:-latest}"
dir="${SLIM_SETUP_INSTALL_DIR:-}"
base="${SLIM_SETUP_BASE_URL:-$default_base}"
target="${SLIM_SETUP_TARGET:-}"
dry_run=0

say() { printf 'slim-setup-install: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
usage() { say "$*"; say "see --help"; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
    --version | --dir | --base-url | --target)
        [ $# -ge 2 ] || usage "$1 needs a value"
        case "$1" in
        --version) version="$2" ;;
        --dir) dir="$2" ;;
        --base-url) base="$2" ;;
        --target) target="$2" ;;
        esac
        shift 2
        ;;
    --version=*) version="${1#*=}"; shift ;;
    --dir=*) dir="${1#*=}"; shift ;;
    --base-url=*) base="${1#*=}"; shift ;;
    --target=*) target="${1#*=}"; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help)
        # Piped into sh there is no file to read the header from.
        if [ -f "$0" ]; then sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; else
            echo "usage: install.sh [--version X.Y.Z|latest] [--dir DIR] [--base-url URL] [--target TRIPLE] [--dry-run]"
        fi
        exit 0
        ;;
    *) usage "unknown argument: $1" ;;
    esac
done

# --- target detection -------------------------------------------------------
# Linux always gets the static musl build: it runs on glibc and musl hosts
# alike, so there is no libc to detect (and no musl probe to get wrong).
detect_target() {
    os="$(uname -s)"
    arch="$(uname -m)"
    case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no slim-setup build for CPU '$arch' (builds exist for x86_64 and aarch64); build from source: cargo install slim-setup" ;;
    esac
    case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin)
        # A shell under Rosetta reports x86_64 on Apple silicon; the native build is faster.
        if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
            arch=aarch64
        fi
        echo "$arch-apple-darwin"
        ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
        # Only an x86_64 Windows build is published; Windows on Arm runs it emulated.
        echo "x86_64-pc-windows-msvc"
        ;;
    *) die "no slim-setup build for OS '$os'; build from source: cargo install slim-setup" ;;
    esac
}

[ -n "$target" ] || target="$(detect_target)"
case "$target" in
*-windows-*) ext=zip exe=slim-setup.exe ;;
*) ext=tar.gz exe=slim-setup ;;
esac

# --- URLs -------------------------------------------------------------------
base="${base%/}"
[ "$version" = latest ] || {
    version="${version#v}"
    case "$version" in
    *[!0-9A-Za-z.+-]*) usage "version must look like 1.2.3 or v1.2.3 (or be 'latest'), got '$version'" ;;
    [0-9]*.[0-9]*.[0-9]*) ;;
    *) usage "version must look like 1.2.3 or v1.2.3 (or be 'latest'), got '$version'" ;;
    esac
}
if [ "$version" = latest ]; then
    case "$base" in
    # GitHub serves the newest release under releases/latest/download/<asset>.
    */releases/download) release_url="${base%/download}/latest/download" ;;
    *) release_url="$base/latest" ;;
    esac
else
    release_url="$base/v$version"
fi
sums_url="$release_url/SHA256SUMS"

[ -n "$dir" ] || {
    [ -n "${HOME:-}" ] || die "HOME is not set; pass --dir or set SLIM_SETUP_INSTALL_DIR"
    dir="$HOME/.local/bin"
}
dest="$dir/$exe"

asset_for() { echo "slim-setup-$1-$target.$ext"; }

if [ "$dry_run" = 1 ]; then
    echo "target: $target"
    echo "fetch: $sums_url"
    if [ "$version" = latest ]; then
        echo "fetch: $release_url/$(asset_for '<version from SHA256SUMS>')"
    else
        echo "fetch: $release_url/$(asset_for "$version")"
    fi
    echo "install: $dest"
    exit 0
fi

# --- fetching ---------------------------------------------------------------
# A local path or file:// URL is copied, so a mirror on disk (or a test) needs
# no web server. Remote URLs must be https, except plain http to loopback.
fetch() { # URL OUTFILE
    case "$1" in
    file://*) cp "${1#file://}" "$2" ;;
    https://*) remote "$1" "$2" ;;
    http://127.* | http://localhost[:/]* | http://\[::1\]*) remote "$1" "$2" ;;
    http://*) die "refusing plain http to a non-loopback host: $1" ;;
    *://*) die "unsupported URL scheme: $1" ;;
    *) cp "$1" "$2" ;;
    esac
}
remote() {
    if command -v curl >/dev/null 2>&1; then
        curl --proto '=https,http' --fail --silent --show-error --location \
            --retry 3 --connect-timeout 20 --max-time 600 --output "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget --quiet --tries=3 --timeout=60 --output-document="$2" "$1"
    else
        die "need curl or wget to download $1"
    fi
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        die "need sha256sum or shasum to verify the download"
    fi
}

tmp="$(mktemp -d 2>/dev/null || mktemp -d -t slim-setup)"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

say "target $target"
say "fetching $sums_url"
fetch "$sums_url" "$tmp/SHA256SUMS" || die "could not fetch $sums_url"

# Lines are `<hex>  <name>` (or `<hex> *<name>` in binary mode).
if [ "$version" = latest ]; then
    asset="$(awk -v t="-$target.$ext" '{ n = $2; sub(/^\*/, "", n) }
        index(n, "slim-setup-") == 1 && substr(n, length(n) - length(t) + 1) == t { print n; exit }' "$tmp/SHA256SUMS")"
    [ -n "$asset" ] || die "SHA256SUMS at $sums_url lists no archive for $target"
    version="${asset#slim-setup-}"
    version="${version%-"$target.$ext"}"
else
    asset="$(asset_for "$version")"
fi
want="$(awk -v a="$asset" '{ n = $2; sub(/^\*/, "", n) } n == a { print $1; exit }' "$tmp/SHA256SUMS")"
[ -n "$want" ] || die "SHA256SUMS at $sums_url has no line for $asset"

say "fetching $release_url/$asset"
fetch "$release_url/$asset" "$tmp/$asset" || die "could not fetch $release_url/$asset"
got="$(sha256_of "$tmp/$asset")"
[ "$got" = "$want" ] || die "checksum mismatch for $asset: SHA256SUMS says $want, the download has $got"
say "sha256 ok ($got)"

# --- unpacking and install --------------------------------------------------
mkdir "$tmp/x"
case "$ext" in
tar.gz) tar -xzf "$tmp/$asset" -C "$tmp/x" ;;
zip)
    if command -v unzip >/dev/null 2>&1; then
        unzip -q "$tmp/$asset" -d "$tmp/x"
    else
        powershell.exe -NoProfile -Command "Expand-Archive -LiteralPath '$tmp/$asset' -DestinationPath '$tmp/x'"
    fi
    ;;
esac
# The archive holds one folder, slim-setup-{version}-{triple}/, with the binary in it.
bin="$tmp/x/slim-setup-$version-$target/$exe"
[ -f "$bin" ] || die "$asset does not contain slim-setup-$version-$target/$exe"

mkdir -p "$dir" || die "could not create install folder '$dir'"
# Copy beside the destination, then rename: a running slim-setup or an
# interrupted install never sees a half-written binary.
cp "$bin" "$dir/.$exe.tmp.$$" || die "could not write into '$dir'"
chmod 755 "$dir/.$exe.tmp.$$"
mv -f "$dir/.$exe.tmp.$$" "$dest" || die "could not install '$dest'"
say "installed slim-setup $version to $dest"

case ":${PATH:-}:" in
*":$dir:"*) ;;
*) say "note: '$dir' is not on PATH; add it, e.g. export PATH=\"$dir:\$PATH\"" ;;
esac
echo "$dest"
