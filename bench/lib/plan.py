"""Describe the benchmark cases as a JSON plan for harness.py.

Every case installs the same archive (served by the loopback server, or read
from the local fixture for the floors) into its own output folder under WORK,
which `prep` empties before each sample.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import TAG, lib_name  # noqa: E402

MAIN = "x86_64-unknown-linux-gnu"
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"  # no Go on it, unless a case adds it


def out_dir(work, name):
    return os.path.join(work, "out", name)


def fresh(path):
    """Untimed prep: an empty output folder."""
    return [["rm", "-rf", path], ["mkdir", "-p", path]]


def slim_cmd(args, dest, *extra):
    return [args.slim, "install", "v1.4.0", "--base-url", args.url, "--cache-dir", dest,
            "--quiet", *extra]


def install_group(args):
    zip_name = "slim-bindings-%s.zip" % MAIN
    zip_url = "%s/%s/%s" % (args.url, TAG, zip_name)
    local_zip = os.path.join(args.root, "mirror", TAG, zip_name)
    local_lib = os.path.join(args.root, "lib", MAIN, lib_name(MAIN))
    member = "%s/%s" % (MAIN, lib_name(MAIN))
    cases = []

    def add(name, key, commands_for):
        d = out_dir(args.work, key)
        cases.append({"name": name, "prep": fresh(d), "commands": commands_for(d)})

    if args.slim:
        add("slim-setup install", "slim", lambda d: [slim_cmd(args, d, "--force")])
    add("naive: curl+sha256sum+unzip", "naive", lambda d: [[
        "bash", "-c",
        'set -e; cd "$1"; curl -sSfo "$2" "$3"; curl -sSfo SHA256SUMS "$4"; '
        'sha256sum -c --ignore-missing --quiet SHA256SUMS; unzip -o -q "$2" -d lib',
        "naive", d, zip_name, zip_url, "%s/%s/SHA256SUMS" % (args.url, TAG)]])
    if args.oldtool:
        add("old Go tool (reimpl.)", "old", lambda d: [[args.oldtool, "-url", zip_url, "-dir", d]])
    add("floor: curl download only", "curl", lambda d: [["curl", "-sSfo", "/dev/null", zip_url]])
    add("floor: unzip -p (local zip)", "unzipp", lambda d: [[
        "bash", "-c", 'unzip -p "$1" "$2" > "$3"', "unzip-p", local_zip, member, os.path.join(d, "lib.a")]])
    add("floor: cp of the library", "cp", lambda d: [["cp", local_lib, os.path.join(d, "lib.a")]])
    add("floor: cp + fsync", "cpsync", lambda d: [[
        "bash", "-c", 'cp "$1" "$2" && sync "$2"', "cp-sync", local_lib, os.path.join(d, "lib.a")]])
    return {"id": "install", "title": "Install one target (%d MiB library)" % args.size_mib,
            "baseline": "naive: curl+sha256sum+unzip", "cases": cases}


def noop_group(args):
    d = out_dir(args.work, "noop")
    installed = os.path.join(d, lib_name(MAIN))
    setup = fresh(d) + [slim_cmd(args, d)]
    return {"id": "noop", "title": "Already installed: no-op run vs one sha256sum",
            "baseline": "sha256sum of the library", "setup": setup,
            "cases": [
                {"name": "slim-setup no-op", "prep": [], "commands": [slim_cmd(args, d)]},
                # Users have Go installed: slim-setup may ask `go env`, which costs a Go start-up.
                {"name": "slim-setup no-op, go on PATH", "prep": [], "commands": [slim_cmd(args, d)],
                 "env": {"PATH": "%s:%s" % (args.go_dir, BASE_PATH)}},
                {"name": "sha256sum of the library", "prep": [], "commands": [["sha256sum", installed]]},
            ] if args.go_dir else [
                {"name": "slim-setup no-op", "prep": [], "commands": [slim_cmd(args, d)]},
                {"name": "sha256sum of the library", "prep": [], "commands": [["sha256sum", installed]]},
            ]}


def multi_group(args, targets):
    par_dir = out_dir(args.work, "multi-par")
    seq_dir = out_dir(args.work, "multi-seq")
    if len(targets) == 7:
        par_flags, label = ["--all"], "--all (7 targets)"
    else:
        par_flags = [f for t in targets for f in ("--target", t)]
        label = "%d x --target" % len(targets)
    return {"id": "multi", "title": "Several targets: one run vs one run per target, in sequence",
            "baseline": "one run per target, sequential", "runs": args.multi_runs,
            "cases": [
                {"name": "slim-setup %s" % label, "prep": fresh(par_dir),
                 "commands": [slim_cmd(args, par_dir, "--force", *par_flags)]},
                {"name": "one run per target, sequential", "prep": fresh(seq_dir),
                 "commands": [slim_cmd(args, seq_dir, "--force", "--target", t) for t in targets]},
            ]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--multi-runs", type=int, required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--root", required=True, help="fixture folder for this size")
    ap.add_argument("--work", required=True)
    ap.add_argument("--slim", default="")
    ap.add_argument("--oldtool", default="")
    ap.add_argument("--go-dir", default="", help="folder of a `go` binary, for the no-op-with-Go case")
    ap.add_argument("--multi", default="", help="comma-separated triples for the multi-target group")
    ap.add_argument("--access-log", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    groups = [install_group(args)]
    if args.slim:
        groups.append(noop_group(args))
        if args.multi:
            groups.append(multi_group(args, args.multi.split(",")))
    env = {"PATH": BASE_PATH, "HOME": os.path.join(args.work, "home"),
           "TMPDIR": os.path.join(args.work, "tmp"), "LANG": "C.UTF-8"}
    for d in (env["HOME"], env["TMPDIR"]):
        os.makedirs(d, exist_ok=True)
    json.dump({"size_mib": args.size_mib, "runs": args.runs, "env": env, "groups": groups,
               "access_log": args.access_log, "results": args.results, "log": args.log},
              sys.stdout, indent=1)


if __name__ == "__main__":
    main()
