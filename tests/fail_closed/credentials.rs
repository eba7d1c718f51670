//! Credentials go only where they belong: the GitHub token to the API of
//! the base it belongs to, over https or to loopback; a URL's password and
//! a netrc login to the mirror host and never to a redirect target on
//! another host; and no byte of any of them in the output, the manifest or
//! `list`. The https rows run against a loopback TLS server whose test CA
//! slim-setup trusts through SSL_CERT_FILE.

use crate::run;
use crate::support::case::{Case, GNU, TAG, gnu_lib, gnu_zip};
use crate::support::disk::assert_installed;
use crate::support::github::{FakeGitHub, OWNER, REPO, asset_name};
use crate::support::run::Run;
use crate::support::server::{Request, Route, Server, outward_ip};
use crate::support::tls::TlsFront;
use crate::support::{self, sha256_hex};

const TOKEN: &str = "ghp_fail-closed-TOKEN-0123456789";
const PASSWORD: &str = "pw-n0t-f0r-y0ur-eyes";

fn authorization(r: &Request) -> Option<&str> {
    r.header("authorization")
}

/// No byte of `secret` in the run's output, the manifest beside the library,
/// or `list` (text and JSON).
fn never_shown(c: &Case, r: &Run, secret: &str) {
    assert!(!r.stdout.contains(secret) && !r.stderr.contains(secret), "{secret} printed\n{r}");
    let manifest = format!("{}.slim-setup.json", c.lib().display());
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        assert!(!text.contains(secret), "{secret} stored in {manifest}:\n{text}");
    }
    for extra in [&[][..], &["--json"]] {
        let mut list = support::cmd::slim_setup(&c.home);
        list.args(["list", "--cache-dir"]).arg(&c.dest).args(extra);
        let l = run(list).ok();
        assert!(!l.stdout.contains(secret) && !l.stderr.contains(secret), "{secret} in list\n{l}");
    }
}

fn no_request_carries(srv: &Server, secret: &str) {
    for r in srv.requests() {
        let all = format!("{} {:?}", r.path, r.headers);
        assert!(!all.contains(secret), "{secret} reached {}: {all}", srv.url());
    }
}

fn enterprise() -> FakeGitHub {
    let gh = FakeGitHub::start_enterprise();
    gh.publish(OWNER, REPO, TAG, &asset_name(GNU), gnu_zip().to_vec());
    gh
}

/// A GitHub-shaped base on another host is GitHub Enterprise: its own
/// `/api/v3` is asked, with the token, over https; the download is not
/// given the token, and nothing asks api.github.com (there is no network
/// here: asking it would fail the install, which verifies).
#[test]
fn an_enterprise_base_asks_its_own_api_with_the_token() {
    let gh = enterprise();
    let front = TlsFront::start(gh.gh.addr());
    let c = Case::new();
    let mut cmd = c.install_own_api(GNU, &front.url_for(&format!("/{OWNER}/{REPO}/releases/download")));
    cmd.env("GITHUB_TOKEN", TOKEN)
        .env("SSL_CERT_FILE", front.ca_file())
        .args(["--json", "--require-checksum"]);
    let r = run(cmd).ok();
    let by = r.target()["verified_by"].as_str().unwrap_or_default().to_string();
    let api_url = front.url_for("/api/v3/repos/agntcy/slim/releases/tags");
    assert!(by.starts_with("GitHub release digest (") && by.contains(&api_url), "{by}\n{r}");
    let api = gh.gh.requests_to(&gh.api_path(OWNER, REPO, TAG));
    assert!(
        !api.is_empty() && api.iter().all(|q| authorization(q).is_some_and(|a| a.contains(TOKEN))),
        "{api:?}"
    );
    let downloads = gh.gh.requests_to(&gh.download_path(OWNER, REPO, TAG, &asset_name(GNU)));
    assert!(!downloads.is_empty() && downloads.iter().all(|q| authorization(q).is_none()), "{downloads:?}");
    no_request_carries(&gh.cdn, TOKEN);
    assert_installed(&c.lib(), gnu_lib(), &r);
    never_shown(&c, &r, TOKEN);
}

/// The same enterprise shape on plain http to a host that is not loopback
/// (this machine's outward address, with --allow-http): the API is asked
/// without the token.
#[test]
fn a_token_never_travels_over_plain_http_to_another_host() {
    let gh = FakeGitHub::start_enterprise_at(outward_ip());
    gh.publish(OWNER, REPO, TAG, &asset_name(GNU), gnu_zip().to_vec());
    let c = Case::new();
    let mut cmd = c.install_own_api(GNU, &gh.base_url(OWNER, REPO));
    cmd.env("GITHUB_TOKEN", TOKEN).args(["--allow-http", "--json"]);
    let r = run(cmd).ok();
    assert!(!gh.gh.requests_to(&gh.api_path(OWNER, REPO, TAG)).is_empty(), "the API was asked\n{r}");
    no_request_carries(&gh.gh, TOKEN);
    no_request_carries(&gh.cdn, TOKEN);
    assert_installed(&c.lib(), gnu_lib(), &r);
    never_shown(&c, &r, TOKEN);
}

/// The rule for given URLs applies to redirects: an https mirror's 302 to
/// plain http on a host that is not loopback is refused unless --allow-http.
#[test]
fn a_redirect_to_plain_http_needs_allow_http() {
    let far = Server::start_at(outward_ip());
    far.route(format!("/far/{}", asset_name(GNU)), Route::bytes(gnu_zip().to_vec()));
    let near = Server::start();
    let asset = format!("/m/{TAG}/{}", asset_name(GNU));
    near.route(asset.clone(), Route::redirect(far.url_for(&format!("/far/{}", asset_name(GNU)))));
    let sums = format!("{}  {}\n", sha256_hex(gnu_zip()), asset_name(GNU));
    near.route(format!("/m/{TAG}/SHA256SUMS"), Route::bytes(sums.into_bytes()));
    let front = TlsFront::start(near.addr());
    let c = Case::new();
    let cmd = |extra: &[&str]| {
        let mut cmd = c.install_own_api(GNU, &front.url_for("/m"));
        cmd.env("SSL_CERT_FILE", front.ca_file()).args(extra);
        cmd
    };
    let r = run(cmd(&[])).fails(1);
    r.error(&["plain http", &far.addr().ip().to_string(), "--allow-http"]);
    assert_eq!(far.requests().len(), 0, "the http host was never asked\n{r}");
    assert!(!c.lib().exists(), "{r}");
    let r = run(cmd(&["--allow-http"])).ok();
    assert_installed(&c.lib(), gnu_lib(), &r);

    // A loopback mirror's redirect to a far host name: refused before any lookup.
    let local = Server::start();
    local.route(asset, Route::redirect(format!("http://mirror.example.net/{}", asset_name(GNU))));
    let c = Case::new();
    let r = run(c.install_own_api(GNU, &local.url_for("/m"))).fails(1);
    r.error(&["plain http", "mirror.example.net", "--allow-http"]);
}

/// `user:password@` in a base works (sent as Basic auth) and the password
/// is `***` everywhere it could show: output, JSON, errors, manifest, list.
#[test]
fn a_password_in_the_base_url_is_used_and_never_shown() {
    let (srv, _) = crate::support::case::mirror(Route::bytes(gnu_zip().to_vec()), Some(gnu_zip()));
    let base = format!("http://mirror-user:{PASSWORD}@{}/m", srv.addr());
    let c = Case::new();
    let mut cmd = c.install_own_api(GNU, &base);
    cmd.arg("--json");
    let r = run(cmd).ok();
    let basic = format!("Basic {}", base64(&format!("mirror-user:{PASSWORD}")));
    let asked = srv.requests_to(&format!("/m/{TAG}/{}", asset_name(GNU)));
    assert!(asked.iter().all(|q| authorization(q) == Some(basic.as_str())), "{asked:?}");
    assert!(r.stdout.contains("mirror-user:***@"), "shown redacted\n{r}");
    assert_installed(&c.lib(), gnu_lib(), &r);
    never_shown(&c, &r, PASSWORD);
    // An error names the URL, redacted too.
    let mut missing = support::cmd::slim_setup(&c.home);
    missing
        .args(["install", "v1.2.0", "--target", GNU, "--no-progress", "--cache-dir"])
        .arg(c.dest.join("old"));
    missing.args(["--base-url", &base]);
    let r = run(missing).fails(1);
    r.error(&["mirror-user:***@"]);
    never_shown(&c, &r, PASSWORD);
}

fn base64(text: &str) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            out.push(if i <= chunk.len() { ABC[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// A private mirror authenticates the way Go users already do: a netrc
/// entry for its host (NETRC, or ~/.netrc). Its redirect to another host
/// gets no credentials.
#[test]
fn netrc_logins_go_to_the_mirror_host_and_not_to_its_redirects() {
    let cdn = Server::start();
    cdn.route(format!("/blob/{}", asset_name(GNU)), Route::bytes(gnu_zip().to_vec()));
    let srv = Server::start();
    // Another host by name (localhost, not 127.0.0.1), on this machine.
    let elsewhere = format!("http://localhost:{}/blob/{}", cdn.addr().port(), asset_name(GNU));
    srv.route(format!("/m/{TAG}/{}", asset_name(GNU)), Route::redirect(elsewhere));
    let sums = format!("{}  {}\n", sha256_hex(gnu_zip()), asset_name(GNU));
    srv.route(format!("/m/{TAG}/SHA256SUMS"), Route::bytes(sums.into_bytes()));
    let netrc = format!("machine 127.0.0.1\n  login netrc-user\n  password {PASSWORD}\n");
    for via_env in [true, false] {
        let c = Case::new();
        let file = if via_env { c.home.join("creds/netrc") } else { c.home.join(".netrc") };
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &netrc).unwrap();
        let mut cmd = c.install_own_api(GNU, &srv.url_for("/m"));
        if via_env {
            cmd.env("NETRC", &file);
        }
        let r = run(cmd).ok();
        let basic = format!("Basic {}", base64(&format!("netrc-user:{PASSWORD}")));
        let asked = srv.requests_to(&format!("/m/{TAG}/{}", asset_name(GNU)));
        assert!(
            !asked.is_empty() && asked.iter().all(|q| authorization(q) == Some(basic.as_str())),
            "{asked:?}"
        );
        no_request_carries(&cdn, &base64(&format!("netrc-user:{PASSWORD}")));
        assert!(cdn.requests().iter().all(|q| authorization(q).is_none()), "{:?}", cdn.requests());
        assert_installed(&c.lib(), gnu_lib(), &r);
        never_shown(&c, &r, PASSWORD);
        srv.reset();
        cdn.reset();
    }
}

/// The system roots load beside the first connection, not before it, and
/// still decide: a certificate from a CA that SSL_CERT_FILE does not name is
/// refused during the handshake, so no request (and no credential) reaches
/// the server, nothing is retried (a certificate is not a blip) and nothing
/// is installed; trusting its CA lets the same install through.
#[test]
fn a_certificate_nobody_trusts_is_refused_before_any_request() {
    let (srv, _) = crate::support::case::mirror(Route::bytes(gnu_zip().to_vec()), Some(gnu_zip()));
    let front = TlsFront::start(srv.addr());
    let stranger = TlsFront::start(srv.addr());
    let c = Case::new();
    let mut cmd = c.install_own_api(GNU, &front.url_for("/m"));
    cmd.env("SSL_CERT_FILE", stranger.ca_file()).env("GITHUB_TOKEN", TOKEN);
    let r = run(cmd).fails(1);
    r.error(&["certificate"]);
    r.says(&["hint: ", "certificate is not trusted here", "SSL_CERT_FILE"]);
    assert!(!r.stderr.contains("retrying"), "a certificate is not a network blip: no retry\n{r}");
    assert_eq!(srv.requests().len(), 0, "a request passed an untrusted handshake\n{r}");
    assert!(!c.lib().exists(), "{r}");
    never_shown(&c, &r, TOKEN);

    let mut cmd = c.install_own_api(GNU, &front.url_for("/m"));
    cmd.env("SSL_CERT_FILE", front.ca_file());
    let r = run(cmd).ok();
    assert_installed(&c.lib(), gnu_lib(), &r);
}
