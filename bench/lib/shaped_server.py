"""A loopback HTTP server in GitHub's shape, with the network shaped inside it.

    shaped_server.py --root MIRROR --profile far-cdn --ports-file PORTS.json --log REQUESTS.jsonl
    selfcheck.py --root MIRROR --profile ci          (its shaping, measured with curl)

MIRROR is a folder laid out like a release (`{tag}/{asset}`, e.g. the bench
fixture's `target/bench-fixture/150MiB/mirror`). Three listeners on 127.0.0.1:

  api     `GET /api/repos/{owner}/{repo}/releases/tags/{tag}`: the release as
          JSON (`assets[]` with name, size, browser_download_url and
          digest "sha256:<hex>", hashed once at start-up)
  github  `GET|HEAD /{owner}/{repo}/releases/download/{tag}/{asset}`: a 302 to
          the cdn port (the api route answers here too)
  cdn     the bytes: Content-Length, Accept-Ranges, ETag, Last-Modified,
          `Range: bytes=a-b | a- | -n` (206 + Content-Range, 416 when
          unsatisfiable or malformed), If-Range, HEAD, keep-alive

api.github.com and github.com are two hosts, so they are two ports here: a
client cannot reuse its API connection for the download, as it cannot on GitHub.

Shaping (no `tc netem` on these machines, so it lives here): every response
head waits one RTT after its request arrived, and the first on a connection
one more (the TCP+TLS handshake); bodies go out in small slices, each
connection paced to its own cap and all of them together to the link cap.
A control listener (unshaped) answers `GET /quiesce`: it returns once no
request is in flight, so a harness reads a complete log after each sample.

Each request is one JSON line in --log (emptied at start); times are seconds
since "epoch", the CLOCK_MONOTONIC value in the first line (the same clock as
Python's time.monotonic() in any process on this machine).
"""

import argparse
import email.utils
import hashlib
import http.server
import itertools
import json
import os
import re
import select
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

MB = 1_000_000  # rates are decimal, as link speeds are quoted (12.5 MB/s = 100 Mbit/s)

# name: (RTT seconds, per-connection cap B/s or None, link cap B/s or None)
PROFILES = {
    "far-cdn": (0.150, 4 * MB, 100 * MB),
    "home": (0.030, None, 12.5 * MB),
    "ci": (0.010, 60 * MB, 250 * MB),
    "unshaped": (0.0, None, None),  # the server's own ceiling; not one of the profiles
}
OWNER, REPO = "agntcy", "slim"
SLACK = 0.005  # seconds of credit a paced sender may catch up after waking late


class Pacer:
    """A token bucket as a virtual clock: `next` is when the next byte may leave.

    Idle time earns at most SLACK seconds of credit, so there are no bursts
    beyond one slice plus SLACK x rate, yet a late wake-up does not lose rate.
    """

    def __init__(self, rate):
        self.rate = rate
        self.next = 0.0
        self.lock = threading.Lock()

    def reserve(self, n):
        """Book n bytes; return the monotonic time they may be sent."""
        if not self.rate:
            return 0.0
        with self.lock:
            start = max(self.next, time.monotonic() - SLACK)
            self.next = start + n / self.rate
            return start


def wait_until(t):
    delay = t - time.monotonic()
    if delay > 0:
        time.sleep(delay)


class Release:
    """The mirror's files, hashed once: what the API lists and the cdn serves."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.files = {}  # (tag, name) -> dict(path, size, mtime, sha256)
        for tag in sorted(os.listdir(self.root)):
            tag_dir = os.path.join(self.root, tag)
            if not os.path.isdir(tag_dir):
                continue
            for name in sorted(os.listdir(tag_dir)):
                path = os.path.join(tag_dir, name)
                if not os.path.isfile(path):
                    continue
                h = hashlib.sha256()
                with open(path, "rb") as f:
                    while chunk := f.read(1 << 20):
                        h.update(chunk)
                st = os.stat(path)
                self.files[(tag, name)] = {"path": path, "size": st.st_size, "mtime": int(st.st_mtime),
                                           "sha256": h.hexdigest()}

    def release_json(self, tag, github_base):
        assets = [{"name": name, "size": f["size"], "state": "uploaded",
                   "content_type": "application/zip" if name.endswith(".zip") else "text/plain",
                   "digest": "sha256:" + f["sha256"],
                   "browser_download_url": "%s/%s/%s/releases/download/%s/%s" % (
                       github_base, OWNER, REPO, tag, name)}
                  for (t, name), f in self.files.items() if t == tag]
        if not assets:
            return None
        return json.dumps({"tag_name": tag, "name": tag, "draft": False, "prerelease": False,
                           "assets": assets}).encode()


class Log:
    def __init__(self, path, epoch):
        self.epoch = epoch
        self.lock = threading.Lock()
        self.f = open(path, "w", buffering=1) if path else None  # one server, one log
        self.write({"event": "start", "epoch": epoch, "pid": os.getpid()})

    def rel(self, t):
        return round(t - self.epoch, 6) if t is not None else None

    def write(self, record):
        if self.f:
            with self.lock:
                self.f.write(json.dumps(record) + "\n")


class Shaping:
    """Everything the handlers share: profile, pacers, counters, log."""

    def __init__(self, release, profile, log, slice_bytes=None):
        self.release = release
        self.rtt, self.conn_rate, link_rate = PROFILES[profile]
        self.profile = profile
        self.link = Pacer(link_rate)
        fastest = min(r for r in (self.conn_rate, link_rate, 10**12) if r)
        # ~2 ms of the tightest rate per slice, within 16-64 KiB: smooth at 4 MB/s, cheap at 250 MB/s.
        self.slice = slice_bytes or int(min(64 << 10, max(16 << 10, fastest * 0.002)))
        self.log = log
        self.conn_ids = itertools.count(1)
        self.ports = {}
        self.in_flight = 0
        self.idle = threading.Condition()

    def begin(self):
        with self.idle:
            self.in_flight += 1

    def end(self):
        with self.idle:
            self.in_flight -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout):
        with self.idle:
            return self.idle.wait_for(lambda: self.in_flight == 0, timeout)


RANGE_RE = re.compile(r"^(\d*)-(\d*)$")


def parse_range(value, size):
    """`Range` -> (start, end) inclusive, "ignore" (serve 200) or "bad" (416)."""
    unit, _, spec = value.partition("=")
    if unit.strip().lower() != "bytes":
        return "ignore"  # RFC 9110: an unknown unit is ignored
    if "," in spec:
        return "ignore"  # several ranges: allowed to answer 200 with everything
    m = RANGE_RE.match(spec.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return "bad"
    first, last = m.group(1), m.group(2)
    if not first:  # suffix: the last n bytes
        n = int(last)
        if n == 0:
            return "bad"
        return (max(0, size - n), size - 1)
    a = int(first)
    b = int(last) if last else size - 1
    if b < a or a >= size:
        return "bad"
    return (a, min(b, size - 1))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: several requests per connection
    disable_nagle_algorithm = True  # heads must not wait for a delayed ACK
    timeout = 60  # an idle keep-alive connection is closed after this
    shaping: Shaping = None  # set per listener class
    role = ""

    def setup(self):
        super().setup()
        sh = self.shaping
        self.conn = next(sh.conn_ids)
        self.client_address, self.accepted = self.client_address  # see Server.get_request
        self.requests_on_conn = 0
        self.pacer = Pacer(sh.conn_rate)
        self.poller = select.poll()
        self.poller.register(self.connection.fileno(), select.POLLOUT)
        sh.log.write({"event": "open", "conn": self.conn, "role": self.role, "t": sh.log.rel(self.accepted)})

    def finish(self):
        try:
            super().finish()
        finally:
            sh = self.shaping
            sh.log.write({"event": "close", "conn": self.conn, "role": self.role,
                          "t": sh.log.rel(time.monotonic()), "requests": self.requests_on_conn})

    def log_message(self, *args):
        pass  # the JSON log says it all

    def version_string(self):
        return "shaped-bench"

    def do_GET(self):
        self.serve(head_only=False)

    def do_HEAD(self):
        self.serve(head_only=True)

    # --- one request -------------------------------------------------------------
    def serve(self, head_only):
        sh = self.shaping
        sh.begin()
        arrived = time.monotonic()
        new_conn = self.requests_on_conn == 0
        self.requests_on_conn += 1
        rec = {"event": "request", "conn": self.conn, "role": self.role, "new_conn": new_conn,
               "t": sh.log.rel(arrived), "method": self.command, "path": self.path,
               "range": self.headers.get("Range"), "if_range": self.headers.get("If-Range"),
               "status": None, "bytes": 0, "t_head": None, "t_first": None, "t_end": None}
        # The handshake costs one RTT after the connection opened, then the request one more.
        self.head_at = (max(self.accepted + sh.rtt, arrived) if new_conn else arrived) + sh.rtt
        try:
            self.route(rec, head_only)
        except (BrokenPipeError, ConnectionResetError, TimeoutError) as e:
            rec["aborted"] = type(e).__name__
            self.close_connection = True
        finally:
            rec["t_end"] = sh.log.rel(time.monotonic())
            sh.log.write(rec)
            sh.end()

    def route(self, rec, head_only):
        path = urlsplit(self.path).path
        parts = [p for p in path.split("/") if p]
        rel = self.shaping.release
        if self.role in ("api", "github") and parts[:2] == ["api", "repos"] and len(parts) == 7 \
                and parts[4:6] == ["releases", "tags"]:
            owner, repo, tag = parts[2], parts[3], parts[6]
            gh = "http://127.0.0.1:%d" % self.shaping.ports["github"]
            body = rel.release_json(tag, gh) if (owner, repo) == (OWNER, REPO) else None
            if body is None:
                return self.small(rec, 404, b'{"message":"Not Found"}', "application/json", head_only)
            return self.small(rec, 200, body, "application/json; charset=utf-8", head_only)
        if self.role == "github" and len(parts) == 6 and parts[2:4] == ["releases", "download"]:
            owner, repo, tag, name = parts[0], parts[1], parts[4], parts[5]
            if (owner, repo) != (OWNER, REPO) or (tag, name) not in rel.files:
                return self.small(rec, 404, b"Not Found", "text/plain", head_only)
            # Like GitHub: a signed, expiring CDN URL; the query is a credential, not a path.
            loc = "http://127.0.0.1:%d/release-assets/%s/%s/%s/%s?X-Amz-Expires=300&X-Amz-Signature=%s" % (
                self.shaping.ports["cdn"], owner, repo, tag, name, rel.files[(tag, name)]["sha256"][:16])
            return self.small(rec, 302, b"", "text/html; charset=utf-8", head_only, [("Location", loc)])
        if self.role == "cdn" and len(parts) == 5 and parts[0] == "release-assets" \
                and (parts[3], parts[4]) in rel.files:
            return self.file(rec, rel.files[(parts[3], parts[4])], head_only)
        return self.small(rec, 404, b"Not Found", "text/plain", head_only)

    def send_head(self, rec, status, headers):
        wait_until(self.head_at)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()  # one write: status line and headers
        rec["status"] = status
        rec["t_head"] = self.shaping.log.rel(time.monotonic())

    def small(self, rec, status, body, ctype, head_only, extra=()):
        self.send_head(rec, status, [("Content-Type", ctype), ("Content-Length", str(len(body))), *extra])
        if body and not head_only:
            self.paced(rec, lambda off, n: self.wfile.write(body[off:off + n]) or n, len(body))

    def file(self, rec, f, head_only):
        size = f["size"]
        etag = '"%s"' % f["sha256"][:32]
        last_mod = email.utils.formatdate(f["mtime"], usegmt=True)
        headers = [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes"),
                   ("ETag", etag), ("Last-Modified", last_mod)]
        start, end, status = 0, size - 1, 200
        want = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        # If-Range: the range only if the client's validator still names this file (strong match).
        if want and (if_range is None or if_range.strip() in (etag, last_mod)):
            r = parse_range(want, size)
            if r == "bad":
                self.send_head(rec, 416, headers + [("Content-Range", "bytes */%d" % size),
                                                    ("Content-Length", "0")])
                return
            if r != "ignore":
                (start, end), status = r, 206
                headers.append(("Content-Range", "bytes %d-%d/%d" % (start, end, size)))
        length = end - start + 1
        self.send_head(rec, status, headers + [("Content-Length", str(length))])
        if head_only or length == 0:
            return
        with open(f["path"], "rb") as src:
            fd = src.fileno()
            self.paced(rec, lambda off, n: self.sendfile(fd, start + off, n), length)

    # --- the body, paced ---------------------------------------------------------
    def paced(self, rec, send, length):
        """send(offset, n) -> bytes sent; slices booked on this connection's pacer, then the link's."""
        sh = self.shaping
        off = 0
        while off < length:
            n = min(sh.slice, length - off)
            wait_until(self.pacer.reserve(n))
            wait_until(sh.link.reserve(n))
            if rec["t_first"] is None:
                rec["t_first"] = sh.log.rel(time.monotonic())
            sent = send(off, n)
            off += sent
            rec["bytes"] = off

    def sendfile(self, fd, offset, n):
        """All n bytes from the page cache, on a socket that has a timeout (so is non-blocking)."""
        out = self.connection.fileno()
        done = 0
        while done < n:
            try:
                sent = os.sendfile(out, fd, offset + done, n - done)
            except BlockingIOError:
                if not self.poller.poll(self.timeout * 1000):
                    raise TimeoutError("client stopped reading") from None
                continue
            if sent == 0:
                raise ConnectionResetError("file ended early")
            done += sent
        return done


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # aria2c and ranged clients open many connections at once

    def get_request(self):
        # Stamp the connection when it is accepted, not when its thread gets to run:
        # on a busy machine that can be milliseconds later, and the handshake is timed from here.
        sock, addr = self.socket.accept()
        return sock, (addr, time.monotonic())


def start(root, profile, log_path=None, slice_bytes=None, release=None):
    """Bind the four listeners on free ports and serve them in threads; return (shaping, servers)."""
    epoch = time.monotonic()
    sh = Shaping(release or Release(root), profile, Log(log_path, epoch), slice_bytes)
    servers = []
    for role in ("api", "github", "cdn"):
        cls = type("Handler_" + role, (Handler,), {"shaping": sh, "role": role})
        srv = Server(("127.0.0.1", 0), cls)
        sh.ports[role] = srv.server_address[1]
        servers.append(srv)
    ctl = Server(("127.0.0.1", 0), type("Control", (Control,), {"shaping": sh}))
    sh.ports["control"] = ctl.server_address[1]
    servers.append(ctl)
    for srv in servers:
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    return sh, servers


class Control(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    shaping: Shaping = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        idle = self.shaping.wait_idle(timeout=30)
        body = json.dumps({"idle": idle, "in_flight": self.shaping.in_flight}).encode()
        self.send_response(200 if idle else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="profiles (RTT, per connection, link): " + "; ".join(
                                     "%s %g ms, %s, %s" % (k, v[0] * 1000,
                                                           "%g MB/s" % (v[1] / MB) if v[1] else "unlimited",
                                                           "%g MB/s" % (v[2] / MB) if v[2] else "unlimited")
                                     for k, v in PROFILES.items()))
    ap.add_argument("--root", required=True, help="mirror folder: {tag}/{asset}")
    ap.add_argument("--profile", choices=sorted(PROFILES), default="unshaped")
    ap.add_argument("--ports-file", help="write {api, github, cdn, control} ports here (JSON) once listening")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--slice", type=int, help="bytes per paced slice (default: ~2 ms of the tightest cap, 16-64 KiB)")
    args = ap.parse_args()
    sh, _ = start(args.root, args.profile, args.log, args.slice)
    if args.ports_file:
        tmp = args.ports_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(dict(sh.ports, pid=os.getpid(), profile=args.profile, slice=sh.slice), f)
        os.replace(tmp, args.ports_file)  # appears complete or not at all
    print("shaped_server: profile %s, ports %s, slice %d B" % (args.profile, sh.ports, sh.slice), file=sys.stderr)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
