"""The network group: install through the shaped GitHub-like server, one profile.

Called by `bench/run.sh --network` with the shaped server already listening
(its ports file and JSON-lines request log); not meant to be run by hand.
Cases run alternately (one warm-up round, then --runs rounds, the starting
case rotating), each into an emptied folder; every sample's library is
compared with the fixture's, so a case that "wins" by installing nothing
fails instead. From the server's log each sample also gets its time to the
first archive byte (process start to the first cdn body byte), connections,
requests and cdn bytes. A slim-setup case whose flags the binary does not
accept yet is SKIP, with clap's reason.
"""

import argparse
import filecmp
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from fixture import TAG, lib_name  # noqa: E402
from shaped_server import MB, OWNER, PROFILES, REPO  # noqa: E402

MAIN = "x86_64-unknown-linux-gnu"
ZIP = "slim-bindings-%s.zip" % MAIN
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
SLIM, OLD, NAIVE, ARIA = "slim-setup", "old Go tool (reimpl.)", "curl+sha256sum+unzip", "aria2c -x8 -s8+sha256sum+unzip"
ARIA_K = "aria2c -x8 -s8 -k1M+sha256sum+unzip"
C1, C8 = "slim-setup --connections 1", "slim-setup --connections 8"

# A release script: the digest from the API, then the download, check, unzip.
PIPELINE = r'''set -euo pipefail; cd "$1"
digest=$(curl -sSf -H 'Accept: application/vnd.github+json' "$2" |
  jq -r --arg n "$3" '.assets[] | select(.name == $n) | .digest')
%s
echo "${digest#sha256:}  $3" | sha256sum -c --quiet -
unzip -o -q "$3" -d lib'''
CURL_GET = 'curl -sSfL -o "$3" "$4"'
ARIA_GET = 'aria2c -q -x8 -s8 -d "$1" -o "$3" "$4"'
# aria2c splits no piece below --min-split-size (20 MiB by default): a 46 MiB zip
# gets 2 connections from `-x8 -s8`. With -k1M it really uses 8.
ARIA_K_GET = 'aria2c -q -x8 -s8 -k1M -d "$1" -o "$3" "$4"'


def cases(args, ports):
    api = "http://127.0.0.1:%d/api" % ports["api"]
    base = "http://127.0.0.1:%d/%s/%s/releases/download" % (ports["github"], OWNER, REPO)
    url = "%s/%s/%s" % (base, TAG, ZIP)
    release_api = "%s/repos/%s/%s/releases/tags/%s" % (api, OWNER, REPO, TAG)
    lib = lib_name(MAIN)
    out = []

    def add(name, key, argv_for, produced, flags=None):
        d = os.path.join(args.work, "out", "net-" + key)
        out.append({"name": name, "dir": d, "prep": [["rm", "-rf", d], ["mkdir", "-p", d]],
                    "commands": [argv_for(d)], "produced": os.path.join(d, produced), "flags": flags})

    def slim(*extra):
        return lambda d: [args.slim, "install", "v1.4.0", "--target", MAIN, "--cache-dir", d,
                          "--base-url", base, "--github-api-url", api, "--force", "--quiet", *extra]

    add(SLIM, "slim", slim(), lib, [])
    add(C1, "slim-c1", slim("--connections", "1"), lib, ["--connections", "1"])
    add(C8, "slim-c8", slim("--connections", "8"), lib, ["--connections", "8"])
    if args.oldtool:  # the old tool never asked the API: no checksum
        add(OLD, "old", lambda d: [args.oldtool, "-url", url, "-dir", d], lib)
    unzipped = os.path.join("lib", MAIN, lib)
    add(NAIVE, "naive", lambda d: ["bash", "-c", PIPELINE % CURL_GET, "naive", d, release_api, ZIP, url], unzipped)
    add(ARIA, "aria2", lambda d: ["bash", "-c", PIPELINE % ARIA_GET, "aria2", d, release_api, ZIP, url], unzipped)
    add(ARIA_K, "aria2-k1m", lambda d: ["bash", "-c", PIPELINE % ARIA_K_GET, "aria2", d, release_api, ZIP, url],
        unzipped)
    return out


def skip_reason(args, case, env):
    """Why a slim-setup case cannot run with this binary, or None. clap checks every
    flag before acting on --help, so an unknown flag fails here without a download."""
    if case["flags"] is None:
        return None
    if not args.slim:
        return "no slim-setup binary"
    argv = case["commands"][0] + ["--help"]
    p = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode == 0:
        return None
    lines = [line.strip() for line in (p.stderr + p.stdout).splitlines() if line.strip()]
    why = next((line for line in lines if line.startswith("error:")), lines[0] if lines else "")
    return "%s: exit %d, %s" % (" ".join(case["flags"]) or "slim-setup", p.returncode, why)


def cpu_seconds(pid):
    """User + system CPU time of a process so far (the shaped server's share of the 2 cores)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy():
    """Non-idle CPU seconds of all cores since boot (guest time is already in user)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu():
    """CPU seconds of this process and the children it has waited for (the cases)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class RequestLog:
    def __init__(self, path, control_port):
        self.path = path
        self.control = "http://127.0.0.1:%d/quiesce" % control_port
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with open(path) as f:
            self.epoch = json.loads(f.readline())["epoch"]

    def offset(self):
        return os.path.getsize(self.path)

    def since(self, offset):
        """The records after offset, once the server has no request in flight."""
        with self.opener.open(self.control, timeout=60) as r:
            r.read()
        with open(self.path) as f:
            f.seek(offset)
            return [json.loads(line) for line in f if line.strip()]


def sample_stats(records, start, epoch):
    """What the server saw of one sample; times relative to the sample's start."""
    reqs = [r for r in records if r["event"] == "request"]
    first = [r["t_first"] for r in reqs if r["role"] == "cdn" and r["status"] in (200, 206) and r["t_first"] is not None]
    return {"ttfb": (epoch + min(first) - start) if first else None,
            "conns": sum(1 for r in records if r["event"] == "open"),
            "requests": len(reqs),
            "cdn_bytes": sum(r["bytes"] for r in reqs if r["role"] == "cdn"),
            "timeline": [{"role": r["role"], "conn": r["conn"], "new_conn": r["new_conn"], "method": r["method"],
                          "status": r["status"], "range": r["range"], "bytes": r["bytes"],
                          "arrived": round(epoch + r["t"] - start, 4),
                          "head": round(epoch + r["t_head"] - start, 4) if r["t_head"] is not None else None}
                         for r in reqs]}


def measure(runnable, args, env, log, rlog, fixture_lib, server_pid):
    rss_file = os.path.join(env["TMPDIR"], "rss.txt")
    res = {c["name"]: {"samples": [], "failed": 0, "wrong_output": 0} for c in runnable}
    loads = []
    for rnd in range(args.runs + 1):
        loads.append(os.getloadavg()[0])
        order = runnable[rnd % len(runnable):] + runnable[:rnd % len(runnable)]
        for case in order:
            harness.prepare(case, env, log)
            offset, cpu, busy, mine = rlog.offset(), cpu_seconds(server_pid), machine_busy(), own_cpu()
            start = time.monotonic()
            secs, rss, ok = harness.run_once(case["commands"], env, log, rss_file)
            busy, mine, cpu = machine_busy() - busy, own_cpu() - mine, cpu_seconds(server_pid) - cpu
            stats = sample_stats(rlog.since(offset), start, rlog.epoch)
            # What other jobs took while this sample ran: the shared machine's noise, measured.
            stats.update(server_cpu=cpu, case_cpu=mine, others_cpu=max(0.0, busy - mine - cpu))
            right = ok and os.path.isfile(case["produced"]) and filecmp.cmp(case["produced"], fixture_lib, shallow=False)
            if ok and not right:
                print("  %s: %s is not the fixture's library" % (case["name"], case["produced"]), file=log)
            if rnd == 0:
                if not right:
                    print("bench: WARNING: %s failed its warm-up (see %s)" % (case["name"], args.log),
                          file=sys.stderr, flush=True)
                continue
            r = res[case["name"]]
            if right:
                r["samples"].append(dict(stats, wall=secs, rss_kib=rss))
            elif ok:
                r["wrong_output"] += 1
            else:
                r["failed"] += 1
        print("  round %d/%d done" % (rnd, args.runs), file=sys.stderr, flush=True)
    return res, loads


def summary(r):
    s = r["samples"] if r else []
    if not s:
        return None
    med = lambda k: statistics.median(x[k] for x in s)  # noqa: E731
    ttfbs = [x["ttfb"] for x in s if x["ttfb"] is not None]
    return {"median": med("wall"), "min": min(x["wall"] for x in s), "rss_mib": max(x["rss_kib"] for x in s) / 1024,
            "ttfb": statistics.median(ttfbs) if ttfbs else None, "conns": med("conns"), "requests": med("requests"),
            "cdn_mb": med("cdn_bytes") / MB, "server_cpu": med("server_cpu"), "case_cpu": med("case_cpu"),
            "others_cpu": max(x["others_cpu"] for x in s), "runs": len(s)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", choices=sorted(PROFILES), required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--root", required=True, help="fixture folder for this size")
    ap.add_argument("--work", required=True)
    ap.add_argument("--slim", default="")
    ap.add_argument("--oldtool", default="")
    ap.add_argument("--ports", required=True, help="the shaped server's ports file")
    ap.add_argument("--requests", required=True, help="the shaped server's request log")
    ap.add_argument("--selfcheck", default="", help="the self-check's JSON, recorded with the results")
    ap.add_argument("--results", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()

    rtt, conn_rate, link_rate = PROFILES[args.profile]
    with open(args.ports) as f:
        ports = json.load(f)
    env = {"PATH": BASE_PATH, "HOME": os.path.join(args.work, "home"),
           "TMPDIR": os.path.join(args.work, "tmp"), "LANG": "C.UTF-8"}
    for d in (env["HOME"], env["TMPDIR"]):
        os.makedirs(d, exist_ok=True)
    zip_bytes = os.path.getsize(os.path.join(args.root, "mirror", TAG, ZIP))
    fixture_lib = os.path.join(args.root, "lib", MAIN, lib_name(MAIN))
    link_floor = zip_bytes / link_rate if link_rate else None

    all_cases = cases(args, ports)
    skipped = {}
    for c in all_cases:
        why = skip_reason(args, c, env)
        if why:
            skipped[c["name"]] = why
    runnable = [c for c in all_cases if c["name"] not in skipped]
    print("measuring: network profile %s (%d rounds after a warm-up, alternating, %d cases)"
          % (args.profile, args.runs, len(runnable)), file=sys.stderr, flush=True)
    rlog = RequestLog(args.requests, ports["control"])
    with open(args.log, "a") as log:
        res, loads = measure(runnable, args, env, log, rlog, fixture_lib, ports["pid"])

    sums = {c["name"]: summary(res.get(c["name"])) for c in all_cases}
    print("\nNetwork profile %s: RTT %g ms, per connection %s, link %s; zip %d bytes (%.1f MB)"
          % (args.profile, rtt * 1000, "%g MB/s" % (conn_rate / MB) if conn_rate else "unlimited",
             "%g MB/s" % (link_rate / MB) if link_rate else "unlimited", zip_bytes, zip_bytes / MB))
    if link_floor:
        print("(link floor = zip / link = %.3f s; ratio = median / median of \"%s\")" % (link_floor, OLD))
    print("(1st byte: process start to the first cdn body byte; conns, reqs, cdn MB: what the server saw;\n"
          " CPU s: the case's user+sys, srv CPU: the shaped server's (medians); others: the most CPU-s\n"
          " that other jobs on the machine took during one sample, all cores together)")
    print("  %-37s %8s %8s %6s %6s %7s %8s %5s %4s %6s %7s %7s %6s"
          % ("case", "median s", "min s", "ratio", "x link", "RSS MiB", "1st byte", "conns", "reqs", "cdn MB",
             "CPU s", "srv CPU", "others"))
    old = sums.get(OLD)
    for c in all_cases:
        name, s = c["name"], sums[c["name"]]
        if name in skipped:
            print("  %-37s SKIP  %s" % (name, skipped[name]))
            continue
        if s is None:
            r = res[name]
            print("  %-37s %8s   (no good runs: %d failed, %d wrong output; see the log)"
                  % (name, "-", r["failed"], r["wrong_output"]))
            continue
        print("  %-37s %8.3f %8.3f %6s %6s %7.1f %8s %5g %4g %6.1f %7.2f %7.2f %6.2f"
              % (name, s["median"], s["min"], "%.2f" % (s["median"] / old["median"]) if old else "-",
                 "%.2f" % (s["median"] / link_floor) if link_floor else "-", s["rss_mib"],
                 "%.3f" % s["ttfb"] if s["ttfb"] is not None else "-", s["conns"], s["requests"], s["cdn_mb"],
                 s["case_cpu"], s["server_cpu"], s["others_cpu"]))

    checks = targets(args.profile, sums, skipped, rtt, zip_bytes, link_rate)
    slim_runs = res.get(SLIM, {}).get("samples") or []
    if slim_runs:
        print("\nslim-setup's requests in its last run (s from its start; arrived -> head sent):")
        for t in slim_runs[-1]["timeline"]:
            print("  %-6s conn %-4d %-4s %s %-4s %-12s %.3f -> %s  %d B"
                  % (t["role"], t["conn"], "new" if t["new_conn"] else "kept", t["method"], t["status"],
                     t["range"] or "", t["arrived"], "%.3f" % t["head"] if t["head"] is not None else "-", t["bytes"]))
    print("load average (1 min) at the start of each round: %s" % " ".join("%.2f" % x for x in loads))

    selfcheck = None
    if args.selfcheck and os.path.exists(args.selfcheck):
        with open(args.selfcheck) as f:
            selfcheck = json.load(f)
    with open(args.results, "w") as f:
        json.dump({"profile": args.profile, "rtt": rtt, "per_connection": conn_rate, "link": link_rate,
                   "zip_bytes": zip_bytes, "runs": args.runs, "loads": loads, "selfcheck": selfcheck,
                   "skipped": skipped, "summary": sums, "results": res, "checks": checks}, f, indent=1)
    print("\nraw samples: %s\nlog: %s\nrequests: %s" % (args.results, args.log, args.requests))


def ratio_check(checks, label, a, b, limit):
    """a <= limit x b, with both medians shown."""
    checks.append(harness.check(label, a["median"] <= limit * b["median"], "%.3f s / %.3f s = %.2f" % (
        a["median"], b["median"], a["median"] / b["median"])))


def skip(checks, label, why):
    print("  SKIP  %s  (%s)" % (label, why))
    checks.append({"check": label, "pass": None, "detail": why})


def targets(profile, sums, skipped, rtt, zip_bytes, link_rate):
    """The issue's targets for this profile, each PASS/FAIL with its ratio, or SKIP with why."""
    print("\nTargets (issue 14), profile %s:" % profile)
    checks = []
    slim = sums.get(SLIM)
    need = sums.get

    def why_missing(name):
        return skipped.get(name) or "no good %s runs" % name

    if profile == "far-cdn":
        for other, limit in ((OLD, 0.35), (ARIA, 0.9)):
            label = "far CDN: slim-setup <= %.2f x %s" % (limit, other)
            if slim and need(other):
                ratio_check(checks, label, slim, sums[other], limit)
            else:
                skip(checks, label, why_missing(SLIM if not slim else other))
        if slim and need(ARIA_K):  # not the target: aria2c with 8 connections in fact
            print("  INFO  far CDN: slim-setup / %s = %.2f" % (ARIA_K, slim["median"] / sums[ARIA_K]["median"]))
    elif profile == "home":
        wall = 1.10 * zip_bytes / link_rate + 0.3
        label = "home: slim-setup <= 1.10 x zip/link + 0.3 s = %.3f s" % wall
        if slim:
            checks.append(harness.check(label, slim["median"] <= wall, "%.3f s / %.3f s = %.2f" % (
                slim["median"], wall, slim["median"] / wall)))
        else:
            skip(checks, label, why_missing(SLIM))
    elif profile == "ci":
        for other, limit, label in (
                (C1, 1.0, "CI: slim-setup not slower than --connections 1"),
                # The speed issue's loopback targets, applied under CI shaping.
                (NAIVE, 0.40, "CI: slim-setup <= 0.40 x %s (loopback target, CI-shaped)" % NAIVE),
                (OLD, 0.50, "CI: slim-setup <= 0.50 x %s (loopback target, CI-shaped)" % OLD)):
            if slim and need(other):
                ratio_check(checks, label, slim, sums[other], limit)
            else:
                skip(checks, label, why_missing(SLIM if not slim else other))

    # 2 RTT for the two requests that stay in series (github 302, cdn GET) plus one
    # RTT handshake for each of the three connections (api, github, cdn) = 5 RTT.
    bound = 5 * rtt
    label = "first archive byte <= 2 RTT + 3 handshakes = %.0f ms" % (bound * 1000)
    if slim and slim["ttfb"] is not None:
        checks.append(harness.check(label, slim["ttfb"] <= bound, "%.0f ms / %.0f ms = %.2f" % (
            slim["ttfb"] * 1000, bound * 1000, slim["ttfb"] / bound)))
    else:
        skip(checks, label, why_missing(SLIM))
    if slim and slim["ttfb"] is not None and need(OLD) and sums[OLD]["ttfb"] is not None:
        # The same clock includes each client's start-up and this harness's spawn
        # (Python, GNU time): the old tool asks no API at all, so its first byte is
        # the floor for a client that keeps the API out of series.
        print("  INFO  first archive byte: slim-setup %.0f ms, the old tool (no API request at all) %.0f ms"
              % (slim["ttfb"] * 1000, sums[OLD]["ttfb"] * 1000))
    print("        (bound: 2 RTT for the requests that must stay in series, the github 302 and the cdn\n"
          "         GET, + 1 RTT handshake for each connection the GitHub shape needs: api, github, cdn.\n"
          "         With the API call in series it is 6 RTT; overlapped, 4 RTT + the client's own start-up.)")
    for name in (SLIM, C1, C8):
        label = "peak RSS <= 24 MiB: %s" % name
        if sums.get(name):
            checks.append(harness.check(label, sums[name]["rss_mib"] <= 24, "%.1f MiB" % sums[name]["rss_mib"]))
        else:
            skip(checks, label, why_missing(name))
    return checks


if __name__ == "__main__":
    main()
