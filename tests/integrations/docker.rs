//! `examples/docker-build.sh`, the Dockerfile's steps, run outside Docker:
//! argument handling and the exact commands (dry run), and, with the real Go
//! and zig from scripts/test (SLIM_GO, SLIM_ZIG), the whole build of static
//! amd64 and arm64 binaries against the sample mirror.

use std::process::{Command, Output};

use super::scripts::{ok, run, script, script_as_user, stderr, stdout};
use super::*;
use crate::support::{binfmt, user};

fn steps(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = script(&root().join("examples/docker-build.sh"), home, &[]);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd)
}

#[test]
fn deps_downloads_the_go_modules_only() {
    let home = tempfile::tempdir().expect("tempdir");
    let o = steps(home.path(), &["--dry-run", "deps"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "+ go mod download\n");
    let o = steps(home.path(), &["--dry-run", "deps"], &[("GO", "/opt/go/bin/go")]);
    assert_eq!(stdout(&o), "+ /opt/go/bin/go mod download\n");
    // The old separate setup step is gone.
    assert_eq!(steps(home.path(), &["--dry-run", "prefetch"], &[]).status.code(), Some(2));
}

#[test]
fn build_cross_compiles_static_with_zig_musl_per_targetarch() {
    let home = tempfile::tempdir().expect("tempdir");
    for (arch, zig) in [("amd64", "x86_64-linux-musl"), ("arm64", "aarch64-linux-musl")] {
        let o = steps(home.path(), &["--dry-run", "build"], &[("TARGETARCH", arch), ("OUT", "/out/app")]);
        assert!(o.status.success(), "{arch}: {}", stderr(&o));
        assert_eq!(
            stdout(&o),
            format!(
                "+ mkdir -p /out\n\
                 + env CGO_ENABLED=1 GOOS=linux GOARCH={arch} 'CC=slim-setup cc zig cc -target {zig}' \
                 'CXX=slim-setup cc zig c++ -target {zig}' \
                 go build -trimpath -ldflags '-s -w -linkmode external -extldflags -static' -o /out/app .\n"
            )
        );
    }
    let o = steps(home.path(), &["--dry-run", "build"], &[("TARGETARCH", "riscv64")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no SLIM library for linux/riscv64"));
    let o = steps(home.path(), &["--dry-run", "build"], &[]);
    assert_eq!(o.status.code(), Some(2), "TARGETARCH is required");
    for args in [&["bogus"][..], &[], &["deps", "build"]] {
        assert_eq!(steps(home.path(), args, &[]).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn tools_step_pins_zig_and_installs_slim_setup_with_install_sh() {
    let home = tempfile::tempdir().expect("tempdir");
    let o = steps(
        home.path(),
        &["--dry-run", "tools"],
        &[("SLIM_SETUP_VERSION", "0.3.1"), ("ZIGLANG_VERSION", "0.17.1")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("pip install --disable-pip-version-check --no-cache-dir -q ziglang==0.17.1\n"),
        "{out}"
    );
    assert!(out.contains("/slim-setup/v0.3.1/scripts/install.sh\n"), "{out}");
    assert!(out.contains("+ sh /tmp/slim-setup-install.sh --version 0.3.1 --dir /usr/local/bin\n"), "{out}");
}

/// The static check must be able to fail: a distribution's dynamically
/// linked shell has an interpreter and NEEDED entries.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn elf_check_sees_a_dynamic_executable() {
    let sh = std::fs::canonicalize("/bin/sh").expect("/bin/sh");
    let e = binfmt::elf(&std::fs::read(&sh).expect("read /bin/sh"), "/bin/sh");
    assert_eq!(e.machine, binfmt::EM_X86_64);
    assert!(e.interp.is_some() && !e.needed.is_empty(), "{} looks static", sh.display());
}

/// With the real Go and zig (set by scripts/test), the Dockerfile's steps
/// build static amd64 and arm64 binaries against the sample mirror, the
/// library arriving through the cc front during each build, and both run
/// (arm64 under qemu).
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[ignore = "needs Go, zig and qemu-aarch64: run scripts/test"]
fn full_run_builds_static_binaries_for_both_platforms() {
    let need = |var: &str| {
        std::env::var(var)
            .unwrap_or_else(|_| panic!("{var} is not set: run the ignored tests through scripts/test"))
    };
    let (go, zig) = (need("SLIM_GO"), need("SLIM_ZIG"));
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    // A stand-in bindings module served by a file-based module proxy, and a consumer app.
    let proxy = h.join("goproxy");
    ok(Command::new("python3").arg(root().join("scripts/fixtures/build-goproxy.py")).arg(&proxy));
    let app = h.join("app");
    std::fs::create_dir_all(&app).expect("mkdir app");
    std::fs::copy(root().join("tests/gomodules/consumer/main.go"), app.join("main.go")).expect("main.go");
    std::fs::write(
        app.join("go.mod"),
        "module example.com/app\n\ngo 1.22\n\nrequire github.com/agntcy/slim-bindings-go v1.4.0\n",
    )
    .expect("go.mod");
    // The caches the Go end-to-end suite uses: a cold zig builds musl per
    // target (minutes), so a fresh clone must not start from empty ones.
    let (go_cache, zig_cache) = (crate::support::e2e_cache("go-build"), crate::support::e2e_cache("zig"));
    // Go and slim-setup run as an ordinary user, who owns this HOME.
    user::give(h);
    let go_bin = Path::new(&go).parent().expect("go's folder").to_path_buf();
    let mirror = root().join("examples/mirror");
    let env = |cmd: &mut Command| {
        cmd.env("GO", &go)
            .env("ZIG", &zig)
            .env("SLIM_SETUP", env!("CARGO_BIN_EXE_slim-setup"))
            .env("SLIM_BINDINGS_BASE_URL", &mirror)
            .env("GOPATH", h.join("gopath"))
            .env("GOCACHE", &go_cache)
            .env("GOPROXY", format!("file://{}", proxy.display()))
            .env("GOFLAGS", "-mod=mod")
            .env("GOSUMDB", "off")
            .env("GOTOOLCHAIN", "local")
            .env("ZIG_GLOBAL_CACHE_DIR", &zig_cache)
            .current_dir(&app);
    };
    let steps = root().join("examples/docker-build.sh");
    let mut deps = script_as_user(&steps, h, &[&go_bin]);
    env(&mut deps);
    deps.arg("deps");
    ok(&mut deps);
    let libs = h.join("gopath/.cgo-cache/slim-bindings/v1.4.0");
    assert!(!libs.exists(), "deps installed a library: {}", libs.display());

    for (arch, machine, triple) in
        [("amd64", 62, "x86_64-unknown-linux-musl"), ("arm64", 183, "aarch64-unknown-linux-musl")]
    {
        let out = h.join(format!("out/{arch}/app"));
        let mut build = script_as_user(&steps, h, &[&go_bin]);
        env(&mut build);
        build.arg("build").env("TARGETARCH", arch).env("OUT", &out);
        ok(&mut build);
        let e = binfmt::elf(&std::fs::read(&out).expect("read the binary"), arch);
        assert_eq!(e.machine, machine, "{arch}: wrong ELF machine");
        assert!(e.interp.is_none() && e.needed.is_empty(), "{arch}: not static ({e:?})");
        // The fixture library reports its own triple: the musl archive was linked.
        let mut c = match arch {
            "amd64" => user::command(&out),
            _ => {
                let qemu = ["/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-aarch64"]
                    .into_iter()
                    .find(|q| Path::new(q).is_file())
                    .expect("qemu-aarch64 is needed: apt-get install qemu-user-static");
                let mut c = user::command(qemu);
                c.arg(&out);
                c
            }
        };
        assert_eq!(ok(c.env_clear()).trim(), triple, "{arch}");
    }
    // Each musl library under its own name, no _gnu alias: glibc builds of
    // the same project can share this GOPATH.
    let mut names = crate::support::disk::names_in(&libs);
    names.retain(|n| n.ends_with(".a"));
    assert_eq!(names, ["libslim_bindings_aarch64_linux_musl.a", "libslim_bindings_x86_64_linux_musl.a"]);
    // Go left its module cache read-only.
    user::make_removable(h);
}
