#!/usr/bin/env bash
# Print the version a release tag stands for, after checking that it is the
# version in Cargo.toml (so `slim-setup --version` and the archive names agree).
#
#   scripts/ci/release-version.sh TAG        e.g. v0.3.1 -> prints 0.3.1
set -euo pipefail

(($# == 1)) || { echo "usage: $0 TAG" >&2; exit 2; }
tag="$1"
[[ "$tag" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || {
    echo "release-version: tag '$tag' is not v<semver>" >&2; exit 1; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The first `version = "..."` inside [package].
crate="$(awk '/^\[/ { in_pkg = ($0 == "[package]") }
    in_pkg && /^version[[:space:]]*=/ { gsub(/.*=[[:space:]]*"|".*/, ""); print; exit }' "$root/Cargo.toml")"
[[ "${tag#v}" == "$crate" ]] || {
    echo "release-version: tag $tag does not match Cargo.toml version $crate" >&2; exit 1; }
echo "$crate"
