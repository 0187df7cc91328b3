//! Model import and export for the fibers engine.
//!
//! [`safetensors`] reads a PyTorch state dict of `nn.Sequential(Linear, ReLU, Linear, ReLU,
//! Linear)` saved as a `.safetensors` file into an exact [`fibers_net::Network`]: every f16,
//! bf16, f32 or f64 entry becomes the exact rational that the float denotes (NaN and
//! infinities are refused, naming the tensor and index), and the architecture is inferred from
//! the tensor shapes and checked for consistency. It also writes a network back as f64 tensors,
//! refusing (or, when asked, rounding to nearest) rationals that no f64 represents.
//!
//! [`KeyMap`] names the six tensors (`0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias` by
//! default, as `nn.Sequential` numbers its modules).

pub mod keys;
pub mod safetensors;

pub use keys::KeyMap;
pub use safetensors::{
    network_from_safetensors, network_to_safetensors, read_safetensors, ExportError, Rounding,
    SafetensorsExport,
};
