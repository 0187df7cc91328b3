//! The progress spinner that long computations show on stderr.

use std::time::{Duration, Instant};

/// A spinner on stderr, shown once a computation has run for a moment.
pub struct Progress {
    start: Instant,
    bar: Option<indicatif::ProgressBar>,
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress {
    /// A spinner that appears after 400 ms.
    pub fn new() -> Self {
        Progress {
            start: Instant::now(),
            bar: None,
        }
    }
    /// Shows `msg`.
    pub fn update(&mut self, msg: impl FnOnce() -> String) {
        if self.bar.is_none() && self.start.elapsed() > Duration::from_millis(400) {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_message(msg());
            bar.tick();
        }
    }
    /// Removes the spinner.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
