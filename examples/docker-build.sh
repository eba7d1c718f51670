#!/bin/sh
# The build steps of examples/Dockerfile, as a script that runs the same way
# inside the image and outside it (the project's tests run it outside Docker).
#
#   docker-build.sh [--dry-run] tools   install zig (PyPI) and slim-setup (its install.sh)
#   docker-build.sh [--dry-run] deps    go mod download (the Go modules only)
#   docker-build.sh [--dry-run] build   static Go binary for TARGETARCH (amd64|arm64) with zig musl,
#                                       through the slim-setup C compiler front: the SLIM library
#                                       arrives when go build links it (no separate setup step)
#
# --dry-run prints each command (`+ ...`) instead of running it.
#
# Environment (Docker build args become these):
#   TARGETARCH              amd64 or arm64 (set by BuildKit per platform); build only
#   OUT                     output binary (default /out/app)
#   PKG                     Go package to build (default .)
#   GO, ZIG, SLIM_SETUP     commands to use (default go, zig, slim-setup)
#   SLIM_BINDINGS_BASE_URL  mirror of the release assets (the front reads it itself; so do
#                           SLIM_SETUP_OFFLINE, GITHUB_TOKEN and slim-bindings.sum)
#   SLIM_SETUP_VERSION      slim-setup release to install (tools; default latest)
#   ZIGLANG_VERSION         ziglang release from PyPI (tools; default 0.17.1)
#   TOOLS_PREFIX            where tools installs (default /usr/local)
set -eu

dry_run=0
say() { printf 'docker-build: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
usage() {
    say "$*"
    say "usage: docker-build.sh [--dry-run] tools|deps|build"
    exit 2
}

# Run a command, or with --dry-run print it, quoting words that need it.
run() {
    if [ "$dry_run" = 1 ]; then
        line="+"
        for a in "$@"; do
            case "$a" in
            *[!A-Za-z0-9_./:=@+,-]* | '') line="$line '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'" ;;
            *) line="$line $a" ;;
            esac
        done
        echo "$line"
    else
        "$@"
    fi
}

GO="${GO:-go}"
ZIG="${ZIG:-zig}"
SLIM_SETUP="${SLIM_SETUP:-slim-setup}"
OUT="${OUT:-/out/app}"
PKG="${PKG:-.}"

tools() {
    prefix="${TOOLS_PREFIX:-/usr/local}"
    zig_version="${ZIGLANG_VERSION:-0.17.1}"
    # zig from PyPI: pinned, and with wheels for amd64 and arm64 build machines.
    run python3 -m venv "$prefix/lib/ziglang"
    run "$prefix/lib/ziglang/bin/pip" install --disable-pip-version-check --no-cache-dir -q "ziglang==$zig_version"
    # Call zig's binary directly (cgo starts the C compiler many times; a
    # Python wrapper per call is slow). zig finds its lib/ beside the real file.
    run sh -c "ln -sf \"\$($prefix/lib/ziglang/bin/python -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')/zig\" $prefix/bin/zig"
    version="${SLIM_SETUP_VERSION:-latest}"
    ref=main
    case "$version" in latest) ;; v*) ref="$version" ;; *) ref="v$version" ;; esac
    run curl --proto '=https' -fsSL -o /tmp/slim-setup-install.sh \
        "https://raw.githubusercontent.com/agntcy/slim-setup/$ref/scripts/install.sh"
    run sh /tmp/slim-setup-install.sh --version "$version" --dir "$prefix/bin"
    run "$ZIG" version
    run "$SLIM_SETUP" --version
}

deps() {
    # Only the Go modules: the SLIM library comes with the build, for the
    # version go.mod requires and the libc of the compiler that links it.
    run "$GO" mod download
}

build() {
    arch="${TARGETARCH:-}"
    case "$arch" in
    amd64) zig_target=x86_64-linux-musl machine="X86-64" ;;
    arm64) zig_target=aarch64-linux-musl machine="AArch64" ;;
    '') usage "TARGETARCH is not set (amd64 or arm64)" ;;
    *) die "no SLIM library for linux/$arch; supported: amd64, arm64" ;;
    esac
    run mkdir -p "$(dirname "$OUT")"
    # External linking with zig's musl, fully static: the binary needs no libc
    # and no SLIM library at run time, so it runs FROM scratch. The front
    # (`slim-setup cc`) installs the musl library under its own _musl name
    # when the link asks for it, and links that.
    run env CGO_ENABLED=1 GOOS=linux GOARCH="$arch" \
        CC="$SLIM_SETUP cc $ZIG cc -target $zig_target" CXX="$SLIM_SETUP cc $ZIG c++ -target $zig_target" \
        "$GO" build -trimpath -ldflags "-s -w -linkmode external -extldflags -static" -o "$OUT" "$PKG"
    [ "$dry_run" = 0 ] || return 0
    check_static "$OUT" "$machine"
}

# The image is FROM scratch: a dynamic loader or shared library request
# would only fail at `docker run`. Catch it here.
check_static() {
    command -v readelf >/dev/null 2>&1 || { say "readelf not found; static check skipped"; return 0; }
    readelf -h "$1" | grep -q "Machine:.*$2" || die "$1 is not a $2 ELF: $(readelf -h "$1" | grep Machine:)"
    if readelf -lW "$1" | grep -q INTERP || readelf -dW "$1" | grep -q '(NEEDED)'; then
        die "$1 is dynamically linked: $(readelf -dW "$1" | grep NEEDED | tr -s ' ')"
    fi
    say "$1: static $2 executable, $(wc -c <"$1" | tr -d ' ') bytes"
}

[ "${1:-}" != --dry-run ] || { dry_run=1; shift; }
[ $# -eq 1 ] || usage "expected one step"
case "$1" in
tools | deps | build) "$1" ;;
*) usage "unknown step: $1" ;;
esac
