#!/usr/bin/env bash
# Package release binaries into the layout scripts/install.sh and the
# GitHub release expect, with a SHA256SUMS over every archive.
#
#   scripts/ci/package-release.sh VERSION BIN_DIR OUT_DIR
#
#   VERSION  `v0.3.1` or `0.3.1` (the tag, usually $GITHUB_REF_NAME)
#   BIN_DIR  one folder per Rust target triple holding slim-setup or slim-setup.exe
#            (what the release workflow's build jobs upload)
#   OUT_DIR  gets v{VERSION}/slim-setup-{VERSION}-{triple}.tar.gz (.zip for
#            Windows) and v{VERSION}/SHA256SUMS, so OUT_DIR works as a
#            --base-url for scripts/install.sh before anything is published.
#
# Archives are reproducible for a given SOURCE_DATE_EPOCH (default: the last
# commit's time): sorted entries, fixed owner and mtime, no gzip timestamp.
# Each holds one folder slim-setup-{VERSION}-{triple}/ with the binary plus
# README.md and LICENSE when the repository has them.
set -euo pipefail

(($# == 3)) || { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
version="${1#v}"
bin_dir="$2"
out_dir="$3"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || {
    echo "package-release: not a release version: $1" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 315532800)}"
# zip cannot store times before 1980.
((epoch >= 315532800)) || epoch=315532800
release="$out_dir/v$version"
mkdir -p "$release"
release="$(cd "$release" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

count=0
for triple_dir in "$bin_dir"/*/; do
    triple="$(basename "$triple_dir")"
    case "$triple" in
    *-windows-*) exe=slim-setup.exe ext=zip ;;
    *) exe=slim-setup ext=tar.gz ;;
    esac
    [[ -f "$triple_dir/$exe" ]] || { echo "package-release: $triple_dir has no $exe" >&2; exit 1; }
    name="slim-setup-$version-$triple"
    mkdir "$stage/$name"
    cp "$triple_dir/$exe" "$stage/$name/$exe"
    chmod 755 "$stage/$name/$exe"
    for doc in README.md LICENSE; do
        [[ -f "$root/$doc" ]] && cp "$root/$doc" "$stage/$name/$doc"
    done
    find "$stage/$name" -exec touch -h -d "@$epoch" {} +
    if [[ "$ext" == zip ]]; then
        # -X drops extra attributes (uid/gid, extended times) that vary between machines.
        (cd "$stage" && find "$name" | LC_ALL=C sort | zip -q -X -@ "$release/$name.zip")
    else
        tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
            --format=gnu -cf - "$name" | gzip -n -9 >"$release/$name.tar.gz"
    fi
    echo "package-release: $release/$name.$ext" >&2
    count=$((count + 1))
done
((count > 0)) || { echo "package-release: no binaries under $bin_dir" >&2; exit 1; }

# sha256sum's text format, `<hex>  <name>`, sorted by name: what install.sh,
# `sha256sum -c` and slim-setup's own mirror support read.
(cd "$release" && find . -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.zip' \) -printf '%f\n' |
    LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
echo "package-release: $release/SHA256SUMS ($count archives)" >&2
echo "$release"
