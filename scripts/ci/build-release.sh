#!/usr/bin/env bash
# Build one release binary of slim-setup for a Rust target triple and copy it
# to OUT_DIR/<triple>/ (the layout scripts/ci/package-release.sh packages).
#
#   scripts/ci/build-release.sh TRIPLE OUT_DIR
#
# How each target is built, and why:
#   *-unknown-linux-musl  cargo zigbuild: zig supplies a musl C toolchain for the
#                         C parts (aws-lc-sys) on any host, and musl links fully
#                         static, so one binary runs on every Linux (glibc or musl).
#   *-apple-darwin        cargo build on a macOS runner (Apple's SDK is needed).
#   *-pc-windows-msvc     cargo build on a Windows runner with +crt-static, so the
#                         .exe needs no Visual C++ runtime, only system DLLs.
# Honours CARGO_TARGET_DIR. Linux results are checked to have no dynamic deps.
set -euo pipefail

(($# == 2)) || { echo "usage: $0 TRIPLE OUT_DIR" >&2; exit 2; }
triple="$1"
out="$2/$triple"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

exe=slim-setup
case "$triple" in
*-unknown-linux-musl) cargo_build=(cargo zigbuild) ;;
*-apple-darwin) cargo_build=(cargo build) ;;
*-pc-windows-msvc)
    cargo_build=(cargo build)
    exe=slim-setup.exe
    export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static"
    # aws-lc-sys assembles with NASM on x86_64 Windows; its vetted prebuilt
    # objects avoid installing NASM on the runner.
    export AWS_LC_SYS_PREBUILT_NASM=1
    ;;
*) echo "build-release: no release recipe for $triple" >&2; exit 2 ;;
esac

"${cargo_build[@]}" --manifest-path "$root/Cargo.toml" --locked --release --target "$triple" >&2
bin="$target_dir/$triple/release/$exe"
[[ -f "$bin" ]] || { echo "build-release: cargo produced no $bin" >&2; exit 1; }

if [[ "$triple" == *-linux-* ]]; then
    if readelf -d "$bin" | grep -q '(NEEDED)' || readelf -l "$bin" | grep -q INTERP; then
        echo "build-release: $bin is dynamically linked:" >&2
        readelf -d "$bin" >&2
        exit 1
    fi
fi

mkdir -p "$out"
cp "$bin" "$out/$exe"
echo "build-release: $out/$exe ($(wc -c <"$bin" | tr -d ' ') bytes)" >&2
echo "$out/$exe"
