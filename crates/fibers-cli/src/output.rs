//! Writing to standard output. A closed output (`fibers ... | head`) is the error
//! [`CliError::ClosedOutput`]: the command stops and `fibers` leaves quietly with the status a
//! process stopped by SIGPIPE reports (141). Every other write error is reported.

use crate::error::CliError;
use std::fmt;
use std::io::{self, Write};

/// Writes formatted text to standard output.
pub fn text(args: fmt::Arguments) -> Result<(), CliError> {
    io::stdout().lock().write_fmt(args).map_err(stdout_error)
}

/// Writes formatted text and a newline to standard output.
pub fn line(args: fmt::Arguments) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(stdout_error)
}

/// The error of a failed write to standard output.
pub fn stdout_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::ClosedOutput
    } else {
        CliError::Failed(format!("cannot write to stdout: {e}"))
    }
}

/// `println!` that returns `Result<(), CliError>` instead of panicking on a write error.
macro_rules! outln {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// `print!` that returns `Result<(), CliError>` instead of panicking on a write error.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::text(format_args!($($arg)*))
    };
}

pub(crate) use {out, outln};
