//! Loading networks named on the command line.

use crate::error::CliError;
use fibers_net::Network;
use std::path::Path;

/// Reads the network in `path` (JSON network file).
pub fn network(path: &Path) -> Result<Network, CliError> {
    Ok(fibers_net::json::read_network(path)?)
}
