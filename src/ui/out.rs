//! Standard output as a `Result`: a reader that went away
//! (`slim-setup list | head -1`) ends the command quietly with exit 0, as
//! ripgrep and cargo do, instead of the panic `println!` gives.

use std::fmt::Arguments;
use std::io::{self, Write};

use crate::error::{Error, Result};

pub(crate) fn write(text: Arguments) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_fmt(text).and_then(|_| out.flush()).map_err(|e| match e.kind() {
        io::ErrorKind::BrokenPipe => Error::ClosedOutput,
        _ => Error::Output(e),
    })
}

/// `println!` whose failure is the command's: `outln!(...)?`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::ui::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` whose failure is the command's: `out!(...)?`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::ui::out::write(format_args!($($arg)*))
    };
}

pub(crate) use {out, outln};
