"""Measure the shaped server with curl before trusting it (`selfcheck.py --root MIRROR --profile P`).

Starts the server in this process (and an unshaped twin for the ceiling) and
checks, from the client's side as curl reports it:
  - a response head arrives 1 RTT after the request, 2 on a new connection;
  - the GitHub shape (302 to the cdn) reaches its first byte after 4 RTT;
  - one connection gets its cap: min(per connection, link);
  - 8 parallel ranged connections get min(8 x per connection, link), and,
    when 8 are not enough to fill the link, enough connections get the link cap;
  - unshaped, what Python can serve at all (it must exceed the fastest cap).
Prints one line per measurement and exits 1 when any is off.
"""

import json
import math
import subprocess
import sys

import shaped_server as ss

TAG = "slim-bindings-v1.4.0"
ASSET = "slim-bindings-x86_64-unknown-linux-gnu.zip"
FMT = r"%{time_connect} %{time_starttransfer} %{time_total} %{size_download} %{num_connects}\n"
RATE_TOL = 0.10  # a rate within 10% of its cap
HEAD_TOL = 0.004  # a head at most 4 ms (+10%) later than its RTTs, never earlier


def curl(args):
    out = subprocess.run(["curl", "-sS", "--noproxy", "*", *args], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.strip().splitlines():
        c, st, total, size, conns = line.split()
        rows.append({"connect": float(c), "first": float(st), "total": float(total),
                     "bytes": int(size), "connects": int(conns)})
    return rows


def cdn_url(sh):
    return "http://127.0.0.1:%d/release-assets/%s/%s/%s/%s" % (sh.ports["cdn"], ss.OWNER, ss.REPO, TAG, ASSET)


def parallel(url, ranges):
    """One curl process, all transfers at once: (bytes, seconds from the first body byte to the last)."""
    args = ["-Z", "--parallel-immediate", "--parallel-max", str(len(ranges))]
    for i, (a, b) in enumerate(ranges):
        if i:
            args.append("--next")
        args += ["-s", "-o", "/dev/null", "-r", "%d-%d" % (a, b), "-w", FMT, url]
    rows = curl(args)
    assert len(rows) == len(ranges), rows
    secs = max(r["total"] for r in rows) - min(r["first"] for r in rows)
    return sum(r["bytes"] for r in rows), secs, sum(r["connects"] for r in rows)


def split(total, n):
    step = total // n
    return [(i * step, (i + 1) * step - 1 if i < n - 1 else total - 1) for i in range(n)]


def fmt_rate(r):
    return "unlimited" if not r else "%.1f MB/s" % (r / ss.MB)


def run(root, profile, json_path=None):
    release = ss.Release(root)
    size = release.files[(TAG, ASSET)]["size"]
    rtt, conn_cap, link_cap = ss.PROFILES[profile]
    sh, servers = ss.start(root, profile, release=release)
    free, free_servers = ss.start(root, "unshaped", release=release)
    url = cdn_url(sh)
    results, ok = [], True

    def report(name, measured, expected, good, unit):
        nonlocal ok
        ok = ok and good
        results.append({"check": name, "measured": measured, "expected": expected, "ok": good})
        show = (lambda v: "%.1f ms" % (v * 1000)) if unit == "s" else (lambda v: "%.1f MB/s" % (v / ss.MB))
        print("  %-4s %-52s %10s  (expected %s)" % ("ok" if good else "OFF", name, show(measured),
                                                    show(expected)), flush=True)

    def head_ok(measured, expected):
        return expected - 0.0005 <= measured <= expected * 1.10 + HEAD_TOL

    def rate_ok(measured, cap):
        return abs(measured - cap) <= RATE_TOL * cap

    print("shaping self-check, profile %s: RTT %g ms, per connection %s, link %s, slice %d B (curl)"
          % (profile, rtt * 1000, fmt_rate(conn_cap), fmt_rate(link_cap), sh.slice), flush=True)
    try:
        # Heads: one curl, two requests on one connection (the second reuses it).
        # From curl's start, connect included (~0.1 ms on loopback): subtracting time_connect
        # would make the head look early whenever curl is descheduled right after connecting.
        first, second = curl(["-o", "/dev/null", "-o", "/dev/null", "-r", "0-0", "-w", FMT, url, url])
        report("head, new connection (handshake + request)", first["first"], 2 * rtt,
               head_ok(first["first"], 2 * rtt), "s")
        report("head, reused connection (request)", second["first"], rtt,
               head_ok(second["first"], rtt) and second["connects"] == 0, "s")
        gh = "http://127.0.0.1:%d/%s/%s/releases/download/%s/%s" % (sh.ports["github"], ss.OWNER, ss.REPO, TAG, ASSET)
        (chain,) = curl(["-L", "-o", "/dev/null", "-r", "0-0", "-w", FMT, gh])
        report("first byte via github 302 -> cdn (2 conns x 2 RTT)", chain["first"], 4 * rtt,
               head_ok(chain["first"], 4 * rtt), "s")

        one_cap = min(r for r in (conn_cap, link_cap) if r) if (conn_cap or link_cap) else None
        if one_cap:
            n = min(size, int(one_cap * 2.0))  # ~2 s of transfer
            (r,) = curl(["-o", "/dev/null", "-r", "0-%d" % (n - 1), "-w", FMT, url])
            rate = r["bytes"] / (r["total"] - r["first"])
            report("1 connection, %d MB" % (n // ss.MB), rate, one_cap, rate_ok(rate, one_cap), "B/s")

            eight_cap = min(x for x in (8 * conn_cap if conn_cap else None, link_cap) if x)
            n = min(size, int(eight_cap * 2.0))
            got, secs, conns = parallel(url, split(n, 8))
            report("8 parallel ranges, %d MB (%d connections)" % (n // ss.MB, conns), got / secs, eight_cap,
                   rate_ok(got / secs, eight_cap) and conns == 8, "B/s")
            if conn_cap and link_cap and 8 * conn_cap < link_cap:
                k = math.ceil(link_cap / conn_cap) + 2
                n = min(size, int(link_cap * 2.0))
                got, secs, conns = parallel(url, split(n, k))
                report("%d parallel ranges, %d MB: the link cap" % (k, n // ss.MB), got / secs, link_cap,
                       rate_ok(got / secs, link_cap), "B/s")

        # The ceiling: Python serving the whole zip with no shaping at all.
        fastest = max(x for x in (conn_cap, link_cap, 1) if x)
        (r,) = curl(["-o", "/dev/null", "-w", FMT, cdn_url(free)])
        rate = r["bytes"] / max(r["total"] - r["first"], 1e-6)
        report("unshaped ceiling, 1 connection, whole zip", rate, fastest, rate >= 1.5 * fastest, "B/s")
        got, secs, conns = parallel(cdn_url(free), split(size, 8))
        report("unshaped ceiling, 8 parallel ranges", got / secs, fastest, got / secs >= 1.5 * fastest, "B/s")
    finally:
        for srv in servers + free_servers:
            srv.shutdown()
            srv.server_close()
    print("shaping self-check: %s" % ("ok" if ok else "OFF: do not trust this profile's numbers"), flush=True)
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"profile": profile, "ok": ok, "slice": sh.slice, "checks": results}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True, help="mirror folder: {tag}/{asset}")
    ap.add_argument("--profile", choices=sorted(ss.PROFILES), required=True)
    ap.add_argument("--json", help="write the measurements here")
    a = ap.parse_args()
    sys.exit(run(a.root, a.profile, a.json))
