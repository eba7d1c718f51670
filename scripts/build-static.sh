#!/usr/bin/env bash
# Build a fully static slim-setup for Linux with the host's glibc toolchain
# (`+crt-static`), then prove it is static and print its size.
#
#   scripts/build-static.sh [--target TRIPLE] [--profile PROFILE]
#
# Why this exists: the release workflow ships musl binaries built with
# cargo-zigbuild, which needs the musl standard library; a machine that has
# only the host's x86_64-unknown-linux-gnu standard library can still produce
# a binary with no dynamic dependencies this way. glibc's static getaddrinfo
# would dlopen NSS modules for /etc/nsswitch.conf sources other than files and
# dns (e.g. LDAP host lookups); plain DNS and /etc/hosts work, which is all
# slim-setup needs. The release binaries are musl, which has no such caveat.
#
# Honours CARGO_TARGET_DIR. Prints the binary's path as the last line of stdout.
set -euo pipefail

target=x86_64-unknown-linux-gnu
profile=release
while (($#)); do
    case "$1" in
    --target) target="${2:?--target needs a triple}"; shift 2 ;;
    --profile) profile="${2:?--profile needs a name}"; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-static: unknown argument: $1" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# RUSTFLAGS with an explicit --target applies to the target only, so build
# scripts and proc macros stay dynamically linked host programs (as they must).
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --locked --manifest-path "$root/Cargo.toml" --profile "$profile" --target "$target" >&2

# cargo names the `dev` profile's folder `debug`.
dir="$profile"
[[ "$profile" == dev ]] && dir=debug
bin="$target_dir/$target/$dir/slim-setup"
[[ -x "$bin" ]] || { echo "build-static: no binary at $bin" >&2; exit 1; }

fail() { echo "build-static: $bin is not static: $*" >&2; exit 1; }

# Three independent views, since each tool has blind spots: `readelf -d`
# lists the shared libraries the loader would map, `ldd` asks the loader
# itself, and the ELF program headers show whether an interpreter is requested.
needed="$(readelf -d "$bin" 2>/dev/null | grep '(NEEDED)' || true)"
[[ -z "$needed" ]] || fail "readelf -d lists NEEDED entries:"$'\n'"$needed"
if readelf -l "$bin" | grep -q 'INTERP'; then
    fail "it requests a program interpreter (dynamic loader)"
fi
ldd_out="$(ldd "$bin" 2>&1 || true)"
case "$ldd_out" in
*"not a dynamic executable"* | *"statically linked"*) ;;
*) fail "ldd reports dependencies:"$'\n'"$ldd_out" ;;
esac

# The binary must also start: a static glibc program that could not resolve
# its own start-up would fail here, not in a user's Dockerfile.
"$bin" --version >&2

size="$(wc -c <"$bin" | tr -d ' ')"
echo "build-static: ok: no NEEDED, no INTERP, ldd: $(tr '\n' ' ' <<<"$ldd_out" | sed 's/[[:space:]]*$//')" >&2
echo "build-static: size: $size bytes ($((size / 1024 / 1024)) MiB)" >&2
echo "$bin"
