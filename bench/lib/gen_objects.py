"""Generate real object code for targets whose objects this machine cannot provide.

The host has no Mach-O (darwin) objects and no aarch64 musl libraries, so for
those triples we compile generated Rust with the installed rustc: its LLVM
emits objects for any built-in target, and a `#![no_core]` crate needs no
target standard library. RUSTC_BOOTSTRAP=1 unlocks the two unstable features
that takes on a stable toolchain. The code is mixing arithmetic with distinct
64-bit constants and calls between functions, which compresses about like
real compiled code (~3-4x with deflate); the seed makes it reproducible.
"""

import os
import subprocess
import sys

MINICORE = """\
#![feature(no_core, lang_items)]
#![allow(internal_features)]
#![no_core]
#![crate_type = "lib"]
#[lang = "pointee_sized"] pub trait PointeeSized {}
#[lang = "meta_sized"] pub trait MetaSized: PointeeSized {}
#[lang = "sized"] pub trait Sized: MetaSized {}
#[lang = "copy"] pub trait Copy {}
impl Copy for u64 {}
#[lang = "add"] pub trait Add<R = Self> { type Output; fn add(self, r: R) -> Self::Output; }
#[lang = "mul"] pub trait Mul<R = Self> { type Output; fn mul(self, r: R) -> Self::Output; }
#[lang = "bitxor"] pub trait BitXor<R = Self> { type Output; fn bitxor(self, r: R) -> Self::Output; }
#[lang = "shr"] pub trait Shr<R = Self> { type Output; fn shr(self, r: R) -> Self::Output; }
impl Add for u64 { type Output = u64; fn add(self, r: u64) -> u64 { self + r } }
impl Mul for u64 { type Output = u64; fn mul(self, r: u64) -> u64 { self * r } }
impl BitXor for u64 { type Output = u64; fn bitxor(self, r: u64) -> u64 { self ^ r } }
impl Shr for u64 { type Output = u64; fn shr(self, r: u64) -> u64 { self >> r } }
"""


POOL = 48


def lcg(seed):
    """Deterministic 64-bit pseudo-random stream (no dependence on Python's random)."""
    state = seed & 0xFFFFFFFFFFFFFFFF
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        yield state ^ (state >> 29)


def rust_source(seed, functions, ops):
    rnd = lcg(seed)
    # A small pool of constants, as real code reuses its masks and multipliers;
    # fully random immediates everywhere would compress far worse than code does.
    pool = [next(rnd) | 1 for _ in range(POOL)]
    out = [MINICORE]
    for i in range(functions):
        body = ["    let mut x = a ^ 0x%016x;" % pool[next(rnd) % POOL]]
        for _ in range(ops):
            k = next(rnd)
            kind = k % 4
            c = pool[next(rnd) % POOL]
            if kind == 0:
                body.append("    x = x.wrapping_mix(0x%016x);" % c)
            elif kind == 1:
                body.append("    x = (x ^ (x >> %d)) * 0x%016x;" % (k % 63 + 1, c))
            elif kind == 2:
                body.append("    x = x + (b ^ 0x%016x);" % c)
            else:
                body.append("    x = (x * 0x%016x) ^ b;" % c)
        if i > 0:
            body.append("    x = x ^ f%d_%d(b, x);" % (seed, (next(rnd) % i)))
        body.append("    x")
        out.append(
            '#[unsafe(no_mangle)] #[inline(never)] pub extern "C" fn f%d_%d(a: u64, b: u64) -> u64 {\n%s\n}\n'
            % (seed, i, "\n".join(body))
        )
    # `wrapping_mix` stands for an inlined helper: keeps bodies varied.
    out.append(
        "trait Mix { fn wrapping_mix(self, c: u64) -> u64; }\n"
        "impl Mix for u64 { #[inline(always)] fn wrapping_mix(self, c: u64) -> u64 { (self + c) ^ (self >> 17) } }\n"
    )
    return "".join(out)


def generate(triple, workdir, count, functions=1500, ops=24):
    """Compile `count` generated crates for `triple`; return the object paths."""
    os.makedirs(workdir, exist_ok=True)
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    paths = []
    for n in range(count):
        seed = 1000 + n
        src = os.path.join(workdir, "gen%d.rs" % seed)
        obj = os.path.join(workdir, "gen%d.o" % seed)
        if not os.path.exists(obj):
            with open(src, "w") as f:
                f.write(rust_source(seed, functions, ops))
            subprocess.run(
                ["rustc", "--target", triple, "--emit", "obj", "-C", "opt-level=1",
                 "-C", "panic=abort", "--crate-name", "gen%d" % seed, "-o", obj + ".tmp", src],
                check=True, env=env,
            )
            os.replace(obj + ".tmp", obj)
        paths.append(obj)
    return paths


if __name__ == "__main__":
    print(generate(sys.argv[1], sys.argv[2], int(sys.argv[3])))
