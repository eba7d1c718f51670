"""Run the benchmark cases alternately and print medians, ratios and checks.

Called by bench/run.sh with a JSON plan on stdin (see plan() there); not meant
to be run by hand. Each case is a list of commands (argv lists) run one after
another as one timed sample; `prep` commands run untimed before every sample
(clearing outputs), followed by a `sync` so that writeback from one sample
does not land in the next. Wall time comes from perf_counter around the
children; peak RSS from GNU time's %M, which covers a process and the
descendants it waited for (so `bash -c 'a && b'` reports the largest of them).
"""

import json
import os
import statistics
import subprocess
import sys
import time


def run_once(commands, env, log, rss_file):
    """Run `commands` in sequence; return (seconds, peak RSS KiB, ok).

    Each command runs under `/usr/bin/time -f %M`, which reports the peak RSS
    of the child it forked itself. Taking ru_maxrss from our own wait4 would
    not do: Linux keeps the pre-exec high-water mark, and a child forked (or
    vforked) from this Python process starts with Python's ~15 MiB already.
    """
    peak, ok = 0, True
    start = time.perf_counter()
    for argv in commands:
        code = subprocess.call(["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file, *argv],
                               env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        with open(rss_file) as f:
            lines = f.read().split()
        peak = max([peak] + [int(x) for x in lines if x.isdigit()])
        if code != 0:
            ok = False
            print("  command failed (exit %d): %s" % (code, " ".join(argv)), file=log)
            break
    return time.perf_counter() - start, peak, ok


def prepare(case, env, log):
    for argv in case.get("prep", []):
        subprocess.run(argv, env=env, stdout=log, stderr=log, check=True)
    os.sync()


def measure(group, runs, env, log):
    """Alternate the cases of a group for `runs` rounds after one warm-up each."""
    rss_file = os.path.join(env["TMPDIR"], "rss.txt")
    results = {c["name"]: {"wall": [], "rss": [], "failed": 0} for c in group}
    for rnd in range(runs + 1):
        # Rotate the starting case every round so no case always runs first.
        order = group[rnd % len(group):] + group[:rnd % len(group)]
        for case in order:
            case_env = dict(env, **case.get("env", {}))
            prepare(case, case_env, log)
            secs, rss, ok = run_once(case["commands"], case_env, log, rss_file)
            if rnd == 0:
                continue  # warm-up: page cache, server, binary pages
            r = results[case["name"]]
            if ok:
                r["wall"].append(secs)
                r["rss"].append(rss)
            else:
                r["failed"] += 1
        print("  round %d/%d done" % (rnd, runs), file=sys.stderr, flush=True)
    return results


def count_lines(path):
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def summary(results, name):
    r = results.get(name)
    if not r or not r["wall"]:
        return None
    return {"median": statistics.median(r["wall"]), "min": min(r["wall"]),
            "rss_mib": max(r["rss"]) / 1024, "runs": len(r["wall"]), "failed": r["failed"]}


def print_table(title, results, baseline):
    base = summary(results, baseline)
    print("\n%s\n(ratio = median / median of \"%s\")" % (title, baseline))
    print("  %-34s %9s %9s %7s %8s" % ("case", "median s", "min s", "ratio", "RSS MiB"))
    for name in results:
        s = summary(results, name)
        if s is None:
            print("  %-34s %9s   (all %d runs failed, see the log)" % (name, "-", results[name]["failed"]))
            continue
        ratio = "%.2f" % (s["median"] / base["median"]) if base else "-"
        print("  %-34s %9.3f %9.3f %7s %8.1f" % (name, s["median"], s["min"], ratio, s["rss_mib"]))


def check(label, ok, detail):
    verdict = "PASS" if ok else "FAIL"
    print("  %s  %s  (%s)" % (verdict, label, detail))
    return {"check": label, "pass": bool(ok), "detail": detail}


def main():
    plan = json.load(sys.stdin)
    env = plan["env"]
    runs = plan["runs"]
    out = {"size_mib": plan["size_mib"], "runs": runs, "groups": {}, "checks": []}
    with open(plan["log"], "a") as log:
        for group in plan["groups"]:
            print("measuring: %s (%d rounds, alternating)" % (group["title"], runs), file=sys.stderr)
            for argv in group.get("setup", []):  # e.g. the install the no-op runs find
                subprocess.run(argv, env=env, stdout=log, stderr=log, check=True)
            before = count_lines(plan["access_log"])
            res = measure(group["cases"], group.get("runs", runs), env, log)
            requests = count_lines(plan["access_log"]) - before
            out["groups"][group["id"]] = {"title": group["title"], "baseline": group["baseline"],
                                          "results": res, "requests": requests}
            print_table(group["title"], res, group["baseline"])

    g = out["groups"]
    print("\nTargets (issue 5), %d MiB:" % plan["size_mib"])
    checks = out["checks"]
    main_res = g.get("install", {}).get("results", {})
    slim = summary(main_res, "slim-setup install")
    naive = summary(main_res, "naive: curl+sha256sum+unzip")
    old = summary(main_res, "old Go tool (reimpl.)")
    if slim and naive:
        checks.append(check("install <= 0.40 x naive", slim["median"] <= 0.40 * naive["median"],
                            "%.3f s / %.3f s = %.2f" % (slim["median"], naive["median"], slim["median"] / naive["median"])))
    if slim and old:
        checks.append(check("install <= 0.50 x old Go tool", slim["median"] <= 0.50 * old["median"],
                            "%.3f s / %.3f s = %.2f" % (slim["median"], old["median"], slim["median"] / old["median"])))
    if slim:
        checks.append(check("install peak RSS <= 24 MiB", slim["rss_mib"] <= 24, "%.1f MiB" % slim["rss_mib"]))
    if not slim:
        print("  SKIP  slim-setup checks: no successful slim-setup runs (binary missing or failing)")
    noop_g = g.get("noop")
    if noop_g:
        sha = summary(noop_g["results"], "sha256sum of the library")
        for name in ("slim-setup no-op", "slim-setup no-op, go on PATH"):
            noop = summary(noop_g["results"], name)
            if noop and sha:
                checks.append(check("%s < 5%% of one sha256sum" % name, noop["median"] < 0.05 * sha["median"],
                                    "%.4f s / %.3f s = %.1f%%" % (noop["median"], sha["median"],
                                                                  100 * noop["median"] / sha["median"])))
        if noop_g["results"]:
            checks.append(check("no-op makes zero requests", noop_g["requests"] == 0,
                                "%d requests during the no-op group" % noop_g["requests"]))
    multi_g = g.get("multi")
    if multi_g:
        parallel_name, sequential_name = list(multi_g["results"])[:2]
        par = summary(multi_g["results"], parallel_name)
        seq = summary(multi_g["results"], sequential_name)
        if par and seq:
            checks.append(check("multi-target <= 0.65 x sequential", par["median"] <= 0.65 * seq["median"],
                                "%.3f s / %.3f s = %.2f" % (par["median"], seq["median"], par["median"] / seq["median"])))
            print("  INFO  multi-target peak RSS %.1f MiB (the 24 MiB target is for one install)" % par["rss_mib"])
    with open(plan["results"], "w") as f:
        json.dump(out, f, indent=1)
    print("\nraw samples: %s\nlog: %s" % (plan["results"], plan["log"]))


if __name__ == "__main__":
    main()
