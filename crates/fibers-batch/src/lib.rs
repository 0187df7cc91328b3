//! Many networks at once: `fibers batch equiv|canon|dedup`.
//!
//! The input is JSON Lines, one object per line, or a directory of checkpoint files
//! ([`input`]). A line holds a network inline (the JSON network format) or names a file:
//! `{"id": "run-3", "path": "ckpt/run-3.safetensors"}` (relative paths are taken from the
//! input file's directory; an optional `"keys"` names the tensors of that file). For `equiv`
//! a line is `{"a": NET, "b": NET}`, each `NET` inline, a path string, or `{"path": …}`.
//!
//! Results are streamed ([`stream`]): each line's result is handed to the caller as soon as it
//! and every line before it are decided, in input order; work runs in parallel on a rayon pool
//! with a bounded number of lines in flight. [`dedup`] groups networks into functional
//! equivalence classes: by canonical hash where the networks are generic, by certified pairwise
//! decision against class representatives that agree at a few small rational points where they
//! are not; every membership is verified by a checked certificate.

pub mod align;
pub mod dedup;
pub mod input;
pub mod lines;
pub mod stream;
pub mod witness;

pub use dedup::Dedup;
pub use input::{Input, InputError};
pub use lines::{canon_line, equiv_line, report_json, Context, Outcome, Status};
pub use stream::{run, Mode, Summary};
