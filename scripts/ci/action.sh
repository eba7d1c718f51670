#!/usr/bin/env bash
# The steps of the composite action (action.yml), kept here so they can be
# linted and tested outside GitHub Actions.
#
#   action.sh plan      bindings version, targets, GOPATH, cache paths and key
#   action.sh tool      install the slim-setup binary (or use INPUT_SLIM_SETUP_PATH)
#   action.sh install   run `slim-setup install --json`, export the library paths
#   action.sh front     CC (and the mirror) for later steps: the C compiler front
#
# Inputs arrive as environment variables (action.yml maps them); results go to
# $GITHUB_OUTPUT as `name=value` lines (multi-line values use the heredoc form);
# variables for later steps go to $GITHUB_ENV.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "::error title=slim-setup::$*" >&2; exit 1; }
output() { # NAME VALUE; VALUE may span lines
    local delim="slim_setup_$RANDOM$RANDOM"
    printf '%s<<%s\n%s\n%s\n' "$1" "$delim" "$2" "$delim" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

# The version go.mod requires, for either major module path; empty if none.
gomod_version() {
    [[ -f go.mod ]] || return 0
    awk '
        /^require[[:space:]]*\(/ { block = 1; next }
        block && /^\)/ { block = 0; next }
        { mod = ""; ver = "" }
        block { mod = $1; ver = $2 }
        /^require[[:space:]]+[^(]/ { mod = $2; ver = $3 }
        mod ~ /^github\.com\/agntcy\/slim-bindings-go(\/v[0-9]+)?$/ && ver ~ /^v[0-9]/ { print ver; exit }
    ' go.mod
}

# Split a list given with spaces, commas or newlines into words, in order,
# each once.
words() { tr ',\n\t' '   ' <<<"$1" | tr -s ' ' '\n' | sed '/^$/d' | awk '!seen[$0]++'; }

plan() {
    local version="${INPUT_VERSION:-}"
    if [[ -z "$version" ]]; then
        version="$(gomod_version)"
        [[ -n "$version" ]] || die "no github.com/agntcy/slim-bindings-go requirement in $(pwd)/go.mod; set the action's 'version' input or 'working-directory'"
        echo "bindings version $version (from go.mod)"
    fi
    [[ "$version" == v* ]] || version="v$version"
    [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "not a bindings version: '$version'"

    local targets=() t
    while read -r t; do
        [[ -n "$t" ]] || continue
        [[ "$t" =~ ^[A-Za-z0-9_]+(-[A-Za-z0-9_.]+){2,3}$ ]] || die "not a target triple: '$t'"
        targets+=("$t")
    done < <(words "${INPUT_TARGETS:-}")

    # Where the libraries land by default: the first GOPATH entry, as Go reads
    # it (including `go env -w GOPATH=...`), else Go's own default.
    local gopath="" sep=":"
    [[ "${RUNNER_OS:-}" == Windows ]] && sep=";"
    if command -v go >/dev/null 2>&1; then gopath="$(go env GOPATH 2>/dev/null || true)"; fi
    [[ -n "$gopath" ]] || gopath="${GOPATH:-${HOME:?}/go}"
    gopath="${gopath%%"$sep"*}"

    local cache_paths
    if [[ "$version" == v0.7.2 ]]; then
        cache_paths="$(dirname "$gopath")/.cache/slim-bindings" # v0.7.2's cgo lines look there
    else
        cache_paths="$gopath/.cgo-cache/slim-bindings"
    fi

    # The key names exactly what the cache holds: the version and the targets
    # (sorted, so that `a b` and `b,a` share one entry).
    local what
    if ((${#targets[@]})); then
        what="$(printf '%s\n' "${targets[@]}" | LC_ALL=C sort | paste -s -d + -)"
    else
        what="${INPUT_GOOS:-host}-${INPUT_GOARCH:-host}-${INPUT_LIBC:-default}"
    fi
    local key="slim-bindings-1-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$version-$what"

    output version "$version"
    output targets "${targets[*]:-}"
    output gopath "$gopath"
    output cache-paths "$cache_paths"
    output cache-key "$key"
    echo "cache key $key"
}

tool() {
    local bin
    if [[ -n "${INPUT_SLIM_SETUP_PATH:-}" ]]; then
        bin="$INPUT_SLIM_SETUP_PATH"
        [[ -x "$bin" || -x "$bin.exe" ]] || die "slim-setup-path '$bin' is not an executable"
        [[ -x "$bin" ]] || bin="$bin.exe"
    else
        local version="${INPUT_SLIM_SETUP_VERSION:-}"
        if [[ -z "$version" ]]; then
            # `uses: agntcy/slim-setup@v0.3.1` pins the tool too; a moving ref
            # such as @v1 or @main takes the latest release.
            if [[ "${ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then version="$ACTION_REF"; else version=latest; fi
        fi
        local dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/slim-setup-tool"
        bin="$(sh "$here/../install.sh" --version "$version" --dir "$dir")"
    fi
    dirname "$bin" >>"${GITHUB_PATH:-/dev/null}"
    "$bin" --version
    output bin "$bin"
}

# The installed library paths from `slim-setup install --json`
# ({"targets": [{"path": ..., "also_installed_as": [...]}, ...]}): each
# target's path (the name cgo links) first, then any extra names.
library_paths() {
    if command -v jq >/dev/null 2>&1; then
        jq -r '[.targets[].path] + [.targets[].also_installed_as // [] | .[]] | .[]' "$1"
    elif command -v python3 >/dev/null 2>&1; then
        python3 - "$1" <<'PY'
import json, sys
targets = json.load(open(sys.argv[1]))["targets"]
for p in [t["path"] for t in targets] + [a for t in targets for a in t.get("also_installed_as") or []]:
    print(p)
PY
    else
        die "need jq or python3 to read slim-setup's JSON report"
    fi
}

install() {
    local bin="${SLIM_SETUP_BIN:?}" args=(install "${PLAN_VERSION:?}") t
    for t in ${PLAN_TARGETS:-}; do args+=(--target "$t"); done
    if [[ -z "${PLAN_TARGETS:-}" ]]; then
        [[ -z "${INPUT_GOOS:-}" ]] || args+=(--goos "$INPUT_GOOS")
        [[ -z "${INPUT_GOARCH:-}" ]] || args+=(--goarch "$INPUT_GOARCH")
        [[ -z "${INPUT_LIBC:-}" ]] || args+=(--libc "$INPUT_LIBC")
    fi
    [[ -z "${INPUT_BASE_URL:-}" ]] || args+=(--base-url "$INPUT_BASE_URL")
    args+=(--json --no-progress)
    # An empty token input must not look like a token to the tool.
    [[ -n "${GITHUB_TOKEN:-}" ]] || unset GITHUB_TOKEN

    local report="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/slim-setup-install-$$.json"
    echo "slim-setup ${args[*]}"
    "$bin" "${args[@]}" >"$report"
    cat "$report"
    local paths
    paths="$(library_paths "$report")"
    [[ -n "$paths" ]] || die "slim-setup reported no installed library path"
    output path "$(head -n 1 <<<"$paths")"
    output paths "$paths"
}

# CC for the job's later steps: the slim-setup C compiler front around the
# compiler they would use (CC, else `go env CC`, else gcc), so that every
# `go build` installs the library its link needs (any version, either libc).
# The front reads the mirror from SLIM_BINDINGS_BASE_URL, so base-url goes there too.
front() {
    local bin="${SLIM_SETUP_BIN:?}" cc="${CC:-}" first second
    if [[ -z "$cc" ]] && command -v go >/dev/null 2>&1; then cc="$(go env CC 2>/dev/null || true)"; fi
    [[ -n "$cc" ]] || cc=gcc
    read -r first second _ <<<"$cc"
    first="${first##*[\\/]}"
    first="${first//[\"\']/}"
    if [[ ("$first" == slim-setup || "$first" == slim-setup.exe) && "$second" == cc ]]; then
        echo "CC already runs the slim-setup C compiler front: $cc"
        output cc "$cc"
        return 0
    fi
    # Go splits CC on spaces, honouring quotes.
    [[ "$bin" != *[[:space:]]* ]] || bin="'$bin'"
    local value="$bin cc $cc"
    local env_file="${GITHUB_ENV:?GITHUB_ENV is not set}"
    echo "CC=$value" >>"$env_file"
    echo "CC=$value (for the following steps)"
    if [[ -n "${INPUT_BASE_URL:-}" ]]; then
        echo "SLIM_BINDINGS_BASE_URL=$INPUT_BASE_URL" >>"$env_file"
        echo "SLIM_BINDINGS_BASE_URL=$INPUT_BASE_URL (for the following steps)"
    fi
    output cc "$value"
}

case "${1:-}" in
plan | tool | install | front) "$1" ;;
*) echo "usage: $0 plan|tool|install|front" >&2; exit 2 ;;
esac
