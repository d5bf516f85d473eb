//! The progress bar of the long commands (`run`, `sweep`), drawn on stderr.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps: `what`, the bar, then `counter` (an indicatif template, such as
/// `{percent:>3}% {msg}`), then the elapsed time.
pub fn progress_bar(len: u64, what: &str, counter: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:40}} {counter} [{{elapsed_precise}}]"
        ))
        .expect("valid template"),
    );
    pb
}
