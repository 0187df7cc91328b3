//! `fibers`: exact decisions about the parameter symmetries of three-layer ReLU networks.

mod commands;
mod error;
mod load;
mod output;
mod progress;

use clap::{Parser, Subcommand};
use error::CliError;

/// Exact symbolic computation for the parameter symmetries of three-layer ReLU networks
/// f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3.
///
/// Exit status: 0 success (both verdicts of `equiv` count as success), 1 a check failed,
/// 2 bad input, 3 budget exhausted (undecided).
#[derive(Parser, Debug)]
#[command(name = "fibers", version, about, long_about = None)]
struct Cli {
    /// Tensor names for .safetensors networks: W1,b1,W2,b2,W3,b3 (six names) or three layer
    /// prefixes such as fc1,fc2,fc3 [default: the three Linear layers found by name, in order;
    /// other depths are refused]. One file's names: PATH:KEYS, e.g. b.safetensors:fc1,fc2,fc3.
    #[arg(long, global = true, value_name = "NAMES")]
    keys: Option<String>,
    /// Read a Linear layer without a bias tensor (bias=False) with a zero bias.
    #[arg(long, global = true)]
    zero_bias: bool,
    /// How decimal literals in JSON network files are read: `exact` decimals (0.1 is 1/10), or
    /// the `f32` / `f64` float they denote (for files written by json.dumps(tensor.tolist())).
    #[arg(long, global = true, value_enum, value_name = "MODE", default_value_t = JsonFloatsArg::Exact)]
    json_floats: JsonFloatsArg,
    /// Largest input file read, in bytes (docs/resources.md).
    #[arg(long, global = true, value_name = "BYTES", default_value_t = fibers_net::json::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Most digits of a number's numerator or denominator, after expanding a decimal exponent
    /// such as `9e999` (docs/resources.md).
    #[arg(long, global = true, value_name = "N", default_value_t = fibers_exact::DEFAULT_MAX_DIGITS)]
    max_digits: usize,
    /// Memory limit of the branch tree's affine forms, in bytes; past it the decision stops
    /// undecided (exit 3) (docs/resources.md).
    #[arg(long, global = true, value_name = "BYTES", default_value_t = fibers_tree::DEFAULT_MAX_MEMORY)]
    max_memory: u64,
    #[command(subcommand)]
    command: Command,
}

/// The `--json-floats` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum JsonFloatsArg {
    /// Exact decimals.
    Exact,
    /// The nearest f32.
    F32,
    /// The nearest f64.
    F64,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate a network exactly at a rational input.
    Eval(commands::eval::EvalArgs),
    /// Decide exactly whether two networks compute the same function, with a certificate.
    Equiv(commands::equiv::EquivArgs),
    /// Check a certificate against two network files (exit 0 valid, 1 invalid, 2 bad input).
    Check(commands::check::CheckArgs),
    /// Show certified verdicts on bundled example pairs.
    Demo(commands::demo::DemoArgs),
    /// Classify a network: roles on the orthant, hidden layer-1 neurons, genericity.
    Classify(commands::classify::ClassifyArgs),
    /// Canonical form of the function of a (bottleneck) network, with a SHA-256 hash.
    Canon(commands::canon::CanonArgs),
    /// Convert a network between the JSON format and safetensors (by file extension).
    Convert(commands::convert::ConvertArgs),
    /// Many networks or pairs from a JSON Lines file, in parallel: equiv, canon, dedup.
    Batch(commands::batch::BatchArgs),
    /// The fiber of a parameter: symmetries, semi-algebraic description, dimension, membership.
    Fiber(commands::fiber::FiberArgs),
    /// Functional dimension: exact Jacobian rank over every linear region, vs D - dim Fib.
    Fundim(commands::fundim::FundimArgs),
    /// Parameters drawn from every component of the fiber, one network per JSON line.
    Sample(commands::sample::SampleArgs),
    /// Conservation laws of gradient flow: exact laws, Lie-algebra count, flow demonstration.
    Conserve(commands::conserve::ConserveArgs),
    /// The permutation, positive scales and hidden shifts that carry network B to network A.
    Align(commands::align::AlignArgs),
}

fn run(cli: Cli) -> Result<(), CliError> {
    let floats = match cli.json_floats {
        JsonFloatsArg::Exact => fibers_import::JsonFloats::Exact,
        JsonFloatsArg::F32 => fibers_import::JsonFloats::F32,
        JsonFloatsArg::F64 => fibers_import::JsonFloats::F64,
    };
    load::set_options(cli.keys.as_deref(), cli.zero_bias, floats)?;
    fibers_net::json::set_max_file_size(cli.max_file_size);
    fibers_exact::set_max_digits(cli.max_digits);
    fibers_tree::set_max_memory(cli.max_memory);
    match cli.command {
        Command::Eval(a) => commands::eval::run(&a),
        Command::Equiv(a) => commands::equiv::run(&a),
        Command::Check(a) => commands::check::run(&a),
        Command::Demo(a) => commands::demo::run(&a),
        Command::Classify(a) => commands::classify::run(&a),
        Command::Canon(a) => commands::canon::run(&a),
        Command::Convert(a) => commands::convert::run(&a),
        Command::Batch(a) => commands::batch::run(&a),
        Command::Fiber(a) => commands::fiber::run(&a),
        Command::Fundim(a) => commands::fundim::run(&a),
        Command::Sample(a) => commands::sample::run(&a),
        Command::Conserve(a) => commands::conserve::run(&a),
        Command::Align(a) => commands::align::run(&a),
    }
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if let Err(e) = run(cli) {
        if !matches!(e, CliError::ClosedOutput) {
            eprintln!("fibers: {e}");
        }
        std::process::exit(e.exit_code());
    }
}
