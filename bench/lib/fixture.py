"""Build the benchmark fixture: a release-like mirror of real `ar` archives.

    fixture.py --size-mib 150 --root DIR --triple x86_64-unknown-linux-gnu [--triple ...]

For each triple: take real object files of that format and machine from this
machine (Rust toolchain rlibs, Debian static libraries, cross libraries; see
SOURCES), repeat them under distinct member names until the library reaches the
requested size, archive them with `ar` in deterministic mode, and zip the
folder `<triple>/` with Info-ZIP at level 6 like the release workflow does.
Output:

    DIR/lib/<triple>/<libname>.a                       the library itself (floors)
    DIR/mirror/slim-bindings-v1.4.0/slim-bindings-<triple>.zip
    DIR/mirror/slim-bindings-v1.4.0/SHA256SUMS

A stamp per triple (hash of this builder + size) makes reruns skip the work.
Same machine image in, same bytes out: member order is fixed, `ar D` zeroes
timestamps and owners, and the zip gets fixed mtimes and no extra fields (-X).
"""

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arfile  # noqa: E402
import gen_objects  # noqa: E402

TAG = "slim-bindings-v1.4.0"
RUST_LIB = None  # filled lazily: $(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/lib
# Rust crates whose object code does not call into the C library directly, so
# they are fair content for a musl archive too (std and libc are not).
LIBC_AGNOSTIC_RLIBS = ("core", "alloc", "compiler_builtins", "gimli", "object", "memchr",
                       "addr2line", "miniz_oxide", "rustc_demangle", "hashbrown", "adler2")
# MinGW's libraries are mostly ~700-byte per-function import stubs: 150 MiB of
# them would be 200k+ members, which makes `ar` take minutes and gigabytes to
# index and looks nothing like a Rust staticlib (few, large members).
MIN_MEMBER = {"x86_64-pc-windows-gnu": 4096}
# ELF e_machine / COFF machine values we accept per triple's architecture.
ELF_MACHINE = {"x86_64": 62, "aarch64": 183}


def rust_lib_dir():
    global RUST_LIB
    if RUST_LIB is None:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], check=True,
                                 capture_output=True, text=True).stdout.strip()
        RUST_LIB = os.path.join(sysroot, "lib/rustlib/x86_64-unknown-linux-gnu/lib")
    return RUST_LIB


def rlibs(names=None):
    paths = sorted(glob.glob(os.path.join(rust_lib_dir(), "*.rlib")))
    if names is None:
        return paths
    keep = []
    for p in paths:
        crate = os.path.basename(p)[3:].rsplit("-", 1)[0]
        if crate in names:
            keep.append(p)
    return keep


def static_libs(*patterns):
    out = []
    for pat in patterns:
        out += sorted(p for p in glob.glob(pat) if not p.endswith(".dll.a"))
    return out


def sources(triple):
    """(archives to take members from, generated object count) for a triple."""
    if triple == "x86_64-unknown-linux-gnu":
        return rlibs() + static_libs("/usr/lib/x86_64-linux-gnu/*.a"), 0
    if triple == "x86_64-unknown-linux-musl":
        return rlibs(LIBC_AGNOSTIC_RLIBS) + static_libs("/usr/lib/x86_64-linux-musl/*.a"), 0
    if triple == "aarch64-unknown-linux-gnu":
        return static_libs("/usr/aarch64-linux-gnu/lib/*.a",
                           "/usr/lib/gcc-cross/aarch64-linux-gnu/12/*.a"), 0
    if triple == "aarch64-unknown-linux-musl":
        gcc = "/usr/lib/gcc-cross/aarch64-linux-gnu/12/"
        return static_libs(gcc + "libgcc.a", gcc + "libgcc_eh.a", gcc + "libatomic.a"), 6
    if triple == "x86_64-pc-windows-gnu":
        return static_libs("/usr/lib/gcc/x86_64-w64-mingw32/12-win32/*.a",
                           "/usr/x86_64-w64-mingw32/lib/*.a"), 0
    if triple in ("x86_64-apple-darwin", "aarch64-apple-darwin"):
        return [], 8
    raise SystemExit("fixture: no object source for %s" % triple)


def object_ok(triple, data):
    """True if `data` is an object file of the triple's format and machine."""
    arch = triple.split("-")[0]
    if len(data) < MIN_MEMBER.get(triple, 0):
        return False
    if "linux" in triple:
        return (data[:4] == b"\x7fELF" and data[4] == 2 and
                int.from_bytes(data[18:20], "little") == ELF_MACHINE[arch])
    if "windows" in triple:  # a real COFF object, not a short import stub
        return int.from_bytes(data[0:2], "little") == 0x8664 and data[2:4] != b"\xff\xff"
    if "darwin" in triple:
        return data[:4] == b"\xcf\xfa\xed\xfe"
    return False


def lib_name(triple):
    parts = triple.split("-")
    fields = [parts[0], parts[2]] + parts[3:4]
    return "libslim_bindings_%s.a" % "_".join(fields)


def collect_members(triple, work):
    """Write every usable object once to work/u/; return [(path, size, label)]."""
    archives, generated = sources(triple)
    missing = [a for a in archives if not os.path.exists(a)]
    if not archives and not generated or missing:
        raise SystemExit("fixture: missing sources for %s (run bench/run.sh, it installs them)" % triple)
    udir = os.path.join(work, "u")
    os.makedirs(udir, exist_ok=True)
    members = []
    for src in archives:
        stem = os.path.basename(src).split(".")[0].split("-")[0]
        for name, data in arfile.members(src):
            if not object_ok(triple, data):
                continue
            path = os.path.join(udir, "%06d.o" % len(members))
            with open(path, "wb") as f:
                f.write(data)
            members.append((path, len(data), "%s_%s" % (stem, name)))
    if generated:
        # Generated objects do not depend on the size: cache them beside the size folders.
        gen_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(work))), "gen", triple)
        for obj in gen_objects.generate(triple, gen_dir, generated):
            with open(obj, "rb") as f:
                assert object_ok(triple, f.read(64)), obj
            members.append((obj, os.path.getsize(obj), os.path.basename(obj)))
    if not members:
        raise SystemExit("fixture: no %s objects found" % triple)
    return members


def fill(members, size):
    """Cycle through members in order, taking each one that still fits."""
    chosen, total, rnd = [], 8, 0
    while True:
        added = False
        for path, length, label in members:
            cost = 60 + length + (length & 1)
            if total + cost <= size:
                chosen.append((path, "r%d_%s" % (rnd, safe(label))))
                total += cost
                added = True
        if not added:
            return chosen
        rnd += 1


def safe(label):
    keep = "".join(c if c.isalnum() or c in "._-" else "_" for c in label)
    return keep[-72:]


def run_ar(names, adir, work, tmp):
    listfile = os.path.join(work, "members.txt")
    with open(listfile, "w") as f:
        f.write("\n".join(names) + "\n")
    if os.path.exists(tmp):
        os.remove(tmp)
    # q = append without the O(n^2) replace scan; GNU ar still writes the
    # symbol index. D = deterministic (zero mtime/uid/gid, mode 644).
    # Output goes to a log: bfd's LTO plugin complains about every Rust object
    # that embeds LLVM bitcode newer than the system's LLVM (harmless).
    with open(os.path.join(work, "ar.log"), "w") as log:
        done = subprocess.run(["ar", "qcD", os.path.abspath(tmp), "@" + os.path.abspath(listfile)],
                              cwd=adir, stdout=log, stderr=log)
    if done.returncode != 0:
        raise SystemExit("fixture: ar failed, see %s" % os.path.join(work, "ar.log"))


def link_members(chosen, adir):
    """Hard-link the chosen objects under unique, stable names (ar names members by basename)."""
    shutil.rmtree(adir, ignore_errors=True)
    os.makedirs(adir)
    names = []
    for i, (path, label) in enumerate(chosen):
        name = "%06d_%s" % (i, label)
        os.link(path, os.path.join(adir, name))
        names.append(name)
    return names


def build_library(triple, size, work, out_path):
    members = collect_members(triple, work)
    adir = os.path.join(work, "a")
    tmp = out_path + ".tmp"
    chosen = fill(members, size)
    run_ar(link_members(chosen, adir), adir, work, tmp)
    # The symbol index comes on top of the members and grows with them (Rust
    # objects have many long symbols: it can be a tenth of the file). Measure
    # its share, then refill so that members + index land just under `size`.
    members_bytes = sum(os.path.getsize(p) + 60 for p, _ in chosen)
    final = os.path.getsize(tmp)
    if final > size:
        share = (final - members_bytes) / members_bytes
        chosen = fill(members, int(size / (1 + share * 1.01)))
        run_ar(link_members(chosen, adir), adir, work, tmp)
    os.replace(tmp, out_path)
    return len(chosen)


def build_zip(triple, lib_path, zip_path, work):
    zdir = os.path.join(work, "z")
    os.makedirs(os.path.join(zdir, triple))
    inner = os.path.join(zdir, triple, os.path.basename(lib_path))
    os.link(lib_path, inner)
    for p in (inner, os.path.join(zdir, triple)):
        os.utime(p, (1735689600, 1735689600))  # 2025-01-01T00:00:00Z
    tmp = zip_path + ".tmp.zip"
    if os.path.exists(tmp):
        os.remove(tmp)
    subprocess.run(["zip", "-q", "-r", "-6", "-X", os.path.abspath(tmp), triple],
                   check=True, cwd=zdir, env=dict(os.environ, TZ="UTC"))
    os.replace(tmp, zip_path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def write_sums(tag_dir):
    lines = ["%s  %s\n" % (sha256(p), os.path.basename(p))
             for p in sorted(glob.glob(os.path.join(tag_dir, "*.zip")))]
    with open(os.path.join(tag_dir, "SHA256SUMS.tmp"), "w") as f:
        f.writelines(lines)
    os.replace(os.path.join(tag_dir, "SHA256SUMS.tmp"), os.path.join(tag_dir, "SHA256SUMS"))


def builder_id(size):
    h = hashlib.sha256(str(size).encode())
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("fixture.py", "arfile.py", "gen_objects.py"):
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def ensure(triple, size_mib, root):
    size = size_mib * 1024 * 1024
    tag_dir = os.path.join(root, "mirror", TAG)
    lib_dir = os.path.join(root, "lib", triple)
    lib_path = os.path.join(lib_dir, lib_name(triple))
    zip_path = os.path.join(tag_dir, "slim-bindings-%s.zip" % triple)
    stamp = os.path.join(root, "stamps", triple)
    want = builder_id(size)
    if os.path.exists(stamp) and open(stamp).read().strip() == want and os.path.exists(zip_path):
        return lib_path, zip_path, False
    for d in (tag_dir, lib_dir, os.path.dirname(stamp)):
        os.makedirs(d, exist_ok=True)
    work = os.path.join(root, "work", triple)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    count = build_library(triple, size, work, lib_path)
    build_zip(triple, lib_path, zip_path, work)
    shutil.rmtree(work)
    write_sums(tag_dir)
    lib_size, zip_size = os.path.getsize(lib_path), os.path.getsize(zip_path)
    ratio = lib_size / zip_size
    print("fixture: %s: %d members, library %.1f MiB, zip %.1f MiB, ratio %.2fx" %
          (triple, count, lib_size / 2**20, zip_size / 2**20, ratio), file=sys.stderr)
    if not 2.5 <= ratio <= 5.0:
        print("fixture: WARNING: compression ratio %.2fx is outside 2.5-5x (release: ~3.7x)" % ratio,
              file=sys.stderr)
    with open(stamp, "w") as f:
        f.write(want + "\n")
    return lib_path, zip_path, True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mib", type=int, required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--triple", action="append", required=True)
    args = ap.parse_args()
    for triple in args.triple:
        lib_path, zip_path, built = ensure(triple, args.size_mib, args.root)
        print("%s\t%s\t%s" % (triple, lib_path, zip_path))


if __name__ == "__main__":
    main()
