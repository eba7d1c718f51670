//! A real HTTP/1.1 server on 127.0.0.1:0 for integration tests, built on
//! `std::net` with one thread per connection and `Connection: close` on every
//! response. Routes match the exact path (with or without the query); bytes
//! routes and `serve_dir` files honour `Range`/`If-Range` with a strong ETag and
//! a Last-Modified derived from the content. Faults make a route misbehave,
//! each optionally only the first N times. Every request is recorded and every
//! body byte counted, so tests can assert what the client did (or did not do).

pub mod http;
mod route;

use std::collections::{BTreeMap, HashMap};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

#[allow(unused_imports)]
pub use route::Gate;
use route::{Cut, Reply, Tail};
pub use route::{Fault, Route};

/// How long a blocked socket call waits before re-checking the shutdown flag:
/// bounds how long `Drop` takes, it is never a wait for the client.
const POLL: Duration = Duration::from_millis(50);

/// One request as received; header names are lowercased, repeated headers joined by ", ".
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent (origin-form, with query).
    pub path: String,
    pub headers: BTreeMap<String, String>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

struct Inner {
    routes: Mutex<HashMap<String, Route>>,
    dirs: Mutex<Vec<(String, PathBuf)>>,
    fallback: Mutex<Route>,
    requests: Mutex<Vec<Request>>,
    body_bytes: AtomicU64,
    shutdown: AtomicBool,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// A running server; it stops (and its threads end) when dropped.
pub struct Server {
    addr: SocketAddr,
    inner: Arc<Inner>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds 127.0.0.1:0 before returning, so the URL is usable at once.
    pub fn start() -> Server {
        Server::start_at(std::net::Ipv4Addr::LOCALHOST.into())
    }

    /// Binds `ip`:0: with `outward_ip()`, a host slim-setup does not treat
    /// as loopback, still on this machine.
    pub fn start_at(ip: std::net::IpAddr) -> Server {
        let listener = TcpListener::bind((ip, 0)).expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let inner = Arc::new(Inner {
            routes: Mutex::new(HashMap::new()),
            dirs: Mutex::new(Vec::new()),
            fallback: Mutex::new(Route::status(404, "not found\n")),
            requests: Mutex::new(Vec::new()),
            body_bytes: AtomicU64::new(0),
            shutdown: AtomicBool::new(false),
            workers: Mutex::new(Vec::new()),
        });
        let shared = inner.clone();
        let acceptor = thread::spawn(move || accept_loop(listener, shared));
        Server { addr, inner, acceptor: Some(acceptor) }
    }
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// `url()` followed by `path` (which starts with `/`).
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{path}", self.url())
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// Adds or replaces the route for an exact path (fault counters restart).
    pub fn route(&self, path: impl Into<String>, route: Route) {
        lock(&self.inner.routes).insert(path.into(), route);
    }
    /// Serves the files under `dir` at `prefix/...` (404 for missing files and
    /// for `..`; names are not percent-decoded).
    pub fn serve_dir(&self, prefix: impl Into<String>, dir: &Path) {
        let prefix = prefix.into().trim_end_matches('/').to_string();
        lock(&self.inner.dirs).push((prefix, dir.to_path_buf()));
    }
    /// What unmatched paths answer (default: 404 text).
    pub fn fallback(&self, route: Route) {
        *lock(&self.inner.fallback) = route;
    }
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.inner.requests).clone()
    }
    /// Requests whose path, with or without the query, is `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        let hit = |r: &&Request| http::origin_form(&r.path) == path || http::path_only(&r.path) == path;
        lock(&self.inner.requests).iter().filter(hit).cloned().collect()
    }
    pub fn count(&self, path: &str) -> usize {
        self.requests_to(path).len()
    }
    /// Body bytes handed to the kernel over all responses (headers excluded).
    pub fn body_bytes_sent(&self) -> u64 {
        self.inner.body_bytes.load(Ordering::SeqCst)
    }
    /// Forgets recorded requests and the byte count (routes stay).
    pub fn reset(&self) {
        lock(&self.inner.requests).clear();
        self.inner.body_bytes.store(0, Ordering::SeqCst);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        // Wake the blocking accept so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        // Workers poll the flag every POLL, so these joins are short.
        let workers = std::mem::take(&mut *lock(&self.inner.workers));
        for worker in workers {
            let _ = worker.join();
        }
    }
}

fn accept_loop(listener: TcpListener, inner: Arc<Inner>) {
    for conn in listener.incoming() {
        if inner.shutdown.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = conn else {
            // e.g. out of file descriptors: back off instead of spinning.
            thread::sleep(POLL);
            continue;
        };
        let shared = inner.clone();
        let worker = thread::spawn(move || serve(&shared, stream));
        let mut workers = lock(&inner.workers);
        workers.retain(|w| !w.is_finished());
        workers.push(worker);
    }
}

fn serve(inner: &Inner, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(POLL));
    let _ = stream.set_nodelay(true);
    let Some(req) = http::read_request(&mut stream, &inner.shutdown) else {
        return;
    };
    // Recorded before answering: once the client has a response, it is visible.
    lock(&inner.requests).push(req.clone());
    let reply = inner.respond(&req);
    if let Some(gate) = &reply.hold_head
        && !http::hold(&mut stream, &inner.shutdown, &|| gate.is_open())
    {
        return;
    }
    let head_only = req.method == "HEAD";
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, http::reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = &reply.body[reply.span.clone()];
    let declared = reply.declared.unwrap_or(body.len() as u64);
    match reply.tail {
        Tail::None => head.push_str(&format!("content-length: {declared}\r\n")),
        Tail::Zeros(n) => head.push_str(&format!("content-length: {}\r\n", declared + n)),
        Tail::Endless => {}
    }
    head.push_str("connection: close\r\n\r\n");
    let stop = &inner.shutdown;
    if http::send(&mut stream, head.as_bytes(), stop, None).is_err() || head_only {
        return;
    }
    let counter = Some(&inner.body_bytes);
    match reply.cut {
        None => {
            let zeros = vec![0u8; 64 * 1024];
            let mut left = match reply.tail {
                Tail::None => 0,
                Tail::Zeros(n) => n,
                Tail::Endless => u64::MAX,
            };
            let mut sent = match reply.pace {
                None => http::send(&mut stream, body, stop, counter),
                Some(rate) => paced(&mut stream, body, rate, stop, counter),
            };
            while sent.is_ok() && left > 0 {
                let n = left.min(zeros.len() as u64);
                sent = http::send(&mut stream, &zeros[..n as usize], stop, counter);
                left -= n;
            }
            if sent.is_ok() {
                let _ = stream.shutdown(Shutdown::Write);
            }
        }
        Some(Cut::Drip(n, every)) => {
            let n = body.len().min(n as usize);
            let mut sent = http::send(&mut stream, &body[..n], stop, counter);
            for byte in body[n..].chunks(1) {
                if sent.is_err() {
                    break;
                }
                // The server's pace, not a wait for the client.
                thread::sleep(every);
                sent = http::send(&mut stream, byte, stop, counter);
            }
        }
        Some(Cut::Drop(n)) => {
            let part = &body[..body.len().min(n as usize)];
            let _ = match reply.pace {
                None => http::send(&mut stream, part, stop, counter),
                Some(rate) => paced(&mut stream, part, rate, stop, counter),
            };
            let _ = stream.shutdown(Shutdown::Both);
        }
        Some(Cut::Stall(n)) => {
            if http::send(&mut stream, &body[..body.len().min(n as usize)], stop, counter).is_ok() {
                http::hold(&mut stream, stop, &|| false);
            }
        }
        Some(Cut::Hold(n, gate)) => {
            let n = body.len().min(n as usize);
            if http::send(&mut stream, &body[..n], stop, counter).is_ok()
                && http::hold(&mut stream, stop, &|| gate.is_open())
                && http::send(&mut stream, &body[n..], stop, counter).is_ok()
            {
                let _ = stream.shutdown(Shutdown::Write);
            }
        }
    }
}

/// `body` at `rate` bytes a second: the server's pace, in 64 KiB steps.
fn paced(
    stream: &mut TcpStream,
    body: &[u8],
    rate: u64,
    stop: &AtomicBool,
    counter: Option<&AtomicU64>,
) -> std::io::Result<()> {
    let started = std::time::Instant::now();
    let mut sent = 0u64;
    for chunk in body.chunks(64 * 1024) {
        http::send(stream, chunk, stop, counter)?;
        sent += chunk.len() as u64;
        let due = Duration::from_secs_f64(sent as f64 / rate as f64);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            thread::sleep(wait);
        }
    }
    Ok(())
}

impl Inner {
    fn respond(&self, req: &Request) -> Reply {
        let (target, path) = (http::origin_form(&req.path), http::path_only(&req.path));
        let mut routes = lock(&self.routes);
        let key = if routes.contains_key(target) { target } else { path };
        if let Some(route) = routes.get_mut(key) {
            return route.respond(req);
        }
        drop(routes);
        if let Some(mut route) = self.dir_route(path) {
            return route.respond(req);
        }
        lock(&self.fallback).respond(req)
    }

    /// A bytes route for a file under a served folder; 404 when missing or
    /// when the path tries to leave the folder.
    fn dir_route(&self, path: &str) -> Option<Route> {
        let dirs = lock(&self.dirs);
        let (rest, dir) = dirs.iter().find_map(|(prefix, dir)| {
            let rest = path.strip_prefix(prefix.as_str())?;
            (rest.starts_with('/')).then_some((rest.trim_start_matches('/'), dir))
        })?;
        let rel = Path::new(rest);
        let inside = rel.components().all(|c| matches!(c, Component::Normal(_)));
        let file = dir.join(rel);
        Some(match std::fs::read(&file) {
            Ok(data) if inside && !rest.is_empty() => Route::bytes(data),
            _ => Route::status(404, "not found\n"),
        })
    }
}

/// This machine's address on its outward interface (not loopback): what a
/// UDP socket aimed at a documentation address would send from. Nothing is
/// sent. Panics on a machine with no network interface but `lo`.
pub fn outward_ip() -> std::net::IpAddr {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").expect("udp socket");
    probe.connect("192.0.2.200:9").expect("a machine with a non-loopback interface (route to 192.0.2.0/24)");
    let ip = probe.local_addr().expect("local addr").ip();
    assert!(!ip.is_loopback() && !ip.is_unspecified(), "no non-loopback address: {ip}");
    ip
}

/// Locks, ignoring poisoning: a panicking test must not wedge the server.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
