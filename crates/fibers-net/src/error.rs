//! Errors from reading a network.

/// A network file that cannot be read, with the file and the place in it.
///
/// Displays as one line: `FILE: PLACE: MESSAGE`, e.g.
/// `net.json: layers[1].weight[2][0]: zero denominator in "1/0"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {place}: {message}")]
pub struct LoadError {
    /// The file (or other source) the network came from.
    pub source_name: String,
    /// Where in the file: a JSON path such as `layers[1].weight[2][0]`, or `line 3 column 5`.
    pub place: String,
    /// What is wrong.
    pub message: String,
}

impl LoadError {
    /// A new error.
    pub fn new(source_name: &str, place: impl Into<String>, message: impl Into<String>) -> Self {
        LoadError {
            source_name: source_name.to_string(),
            place: place.into(),
            message: message.into(),
        }
    }
}
