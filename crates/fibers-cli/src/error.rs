//! Errors of the command-line tool and their exit statuses.

/// Why a command did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input (unreadable or malformed file, wrong shapes, bad option values): exit 2.
    #[error("{0}")]
    BadInput(String),
    /// A check that ran and failed (e.g. a certificate that does not prove its verdict): exit 1.
    #[error("{0}")]
    Failed(String),
    /// The budget ran out before a verdict: exit 3.
    #[error("{0}")]
    Undecided(String),
    /// Standard output was closed by its reader (`fibers ... | head`): exit 141, quietly, as a
    /// process stopped by SIGPIPE.
    #[error("standard output closed")]
    ClosedOutput,
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Failed(_) => 1,
            CliError::BadInput(_) => 2,
            CliError::Undecided(_) => 3,
            CliError::ClosedOutput => 141,
        }
    }
}

impl From<fibers_net::LoadError> for CliError {
    fn from(e: fibers_net::LoadError) -> Self {
        CliError::BadInput(e.to_string())
    }
}
