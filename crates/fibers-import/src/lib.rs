//! Model import and export for the fibers engine.
//!
//! [`safetensors`] reads a PyTorch state dict of three `Linear` layers (with ReLU between)
//! saved as a `.safetensors` file into an exact [`fibers_net::Network`]: every f16, bf16, f32
//! or f64 entry becomes the exact rational that the float denotes (NaN and infinities are
//! refused, naming the tensor and index), and the architecture is inferred from the tensor
//! shapes and checked for consistency. It also writes a network back as f64 tensors, refusing
//! (or, when asked, rounding to nearest) rationals that no f64 represents.
//!
//! [`detect`] finds the three layers whatever their names (`0, 2, 4`, `fc1, fc2, fc3`, gaps from
//! `Dropout`, `module.` prefixes) and refuses state dicts of any other depth; [`KeyMap`] names
//! the six tensors explicitly instead (`--keys`). [`file`] reads any supported file (safetensors,
//! JSON networks with exact or float literals), refuses PyTorch pickles, and splits `PATH:KEYS`
//! arguments.

pub mod detect;
pub mod file;
pub mod keys;
pub mod safetensors;

pub use file::{
    network_from_bytes, read_network_file, split_path_keys, ImportOptions, Imported, JsonFloats,
    Kind,
};
pub use keys::KeyMap;
pub use safetensors::{
    network_from_safetensors, network_from_safetensors_with, network_to_safetensors,
    read_safetensors, ExportError, LayerNames, LayerSource, Rounding, SafetensorsExport,
};
