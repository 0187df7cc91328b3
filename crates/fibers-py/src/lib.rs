//! Python bindings of fibers: the native module `fibers._native` behind the `fibers` package
//! (`python/`, built by maturin). The Python layer (`python/fibers/__init__.py`) turns the
//! JSON values returned here into objects with `fractions.Fraction` values; every decision is made here, by
//! the same library calls as the command-line tool, on exact rationals.
//!
//! Long calls release the GIL and, from the computation's progress callback, every 100 ms
//! re-take it to check for Ctrl-C (`PyErr_CheckSignals`), a time budget and a Python progress
//! callable; an interruption unwinds the computation with [`std::panic::resume_unwind`] (no
//! panic message) and raises the Python exception. Calls whose computation reports progress
//! rarely or never (canon, classify, the summary and the certified bounds) run on a worker
//! thread while the calling thread checks Ctrl-C and the budget every 20 ms
//! ([`Ctl::run_detached`]), except polynomial calls on small networks, which take
//! milliseconds. Small results cross as Python dicts built from the JSON values.

use fibers::fiber::orbit::{self as moves, Lcg};
use fibers::{decide_with_progress, DecideError, DecideOptions, Method, Outcome, Stats};
use fibers_bottleneck::canonical::CanonicalForm;
use fibers_bottleneck::layer1::realise;
use fibers_check::{certificate_from_str, certificate_to_string, check, CheckOptions, Verdict};
use fibers_conserve::bounds::{bounds_with_progress, BoundsOptions as LawBoundsOptions};
use fibers_conserve::lie::LieOptions;
use fibers_conserve::regions::{PatternSet, RegionError};
use fibers_conserve::{analyse, Dataset, Options};
use fibers_exact::Rational;
use fibers_fiber::render::{self, RenderOptions};
use fibers_fiber::{
    describe, functional_dimension, summarize, Bounds, BoundsOptions, DescribeOptions, Description,
    FunDimError, FunDimOptions, MemberOptions, Summary,
};
use fibers_import::KeyMap;
use fibers_net::json::{network_from_str, network_to_string, vector_to_value};
use fibers_net::{Architecture, Layer, LoadError, Network};
use fibers_semialg::polynomial::Polynomial;
use fibers_semialg::var::Parameter;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

create_exception!(
    _native,
    FibersError,
    PyException,
    "Base class of the errors raised by fibers."
);
create_exception!(
    _native,
    BadInput,
    FibersError,
    "Bad input (unreadable or malformed network, wrong shapes, bad option values); the message \
     names the place, as the command-line tool's exit-2 messages do."
);
create_exception!(
    _native,
    BudgetExhausted,
    FibersError,
    "A budget (nodes, parts, regions or time) ran out before an answer; the CLI's exit 3."
);
create_exception!(
    _native,
    InternalError,
    FibersError,
    "A bug: a self-check failed (e.g. a fresh certificate rejected by the checker); the CLI's \
     exit 1."
);

fn bad(e: impl ToString) -> PyErr {
    BadInput::new_err(e.to_string())
}

fn load_err(e: LoadError) -> PyErr {
    bad(e)
}

/// A JSON value as the Python object `json.loads` would give, built directly (a small result
/// crosses the boundary without being written as text and parsed again).
fn to_py(py: Python<'_>, v: &Value) -> PyResult<PyObject> {
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any().unbind(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any().unbind(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN))
                .into_any()
                .unbind(),
        },
        Value::String(t) => PyString::new(py, t).into_any().unbind(),
        Value::Array(xs) => {
            let l = PyList::empty(py);
            for x in xs {
                l.append(to_py(py, x)?)?;
            }
            l.into_any().unbind()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any().unbind()
        }
    })
}

// ---------------------------------------------------------------------------------------
// Interruptible long calls

/// The payload of the unwinding that stops a computation (not a panic: no message printed).
struct Cancelled;

/// What a long call checks from its progress callback.
struct Ctl {
    deadline: Option<(Instant, f64)>,
    progress: Option<Py<PyAny>>,
    last: Mutex<Instant>,
    err: Mutex<Option<PyErr>>,
    /// Set by the main thread of [`Ctl::run_polling`]: the workers stop at their next tick.
    cancel: AtomicBool,
}

impl Ctl {
    fn new(timeout: Option<f64>, progress: Option<Py<PyAny>>) -> PyResult<Ctl> {
        let deadline = match timeout {
            Some(t) if t.is_finite() && t > 0.0 => {
                Some((Instant::now() + Duration::from_secs_f64(t), t))
            }
            Some(t) => {
                return Err(bad(format!(
                    "timeout: expected a positive number of seconds, found {t}"
                )))
            }
            None => None,
        };
        Ok(Ctl {
            deadline,
            progress,
            last: Mutex::new(Instant::now()),
            err: Mutex::new(None),
            cancel: AtomicBool::new(false),
        })
    }

    /// Called from the computation: every 100 ms, checks Ctrl-C and the time budget and shows
    /// `msg` through the progress callable; stops the computation on an error.
    fn tick(&self, msg: impl FnOnce() -> String) {
        if self.cancel.load(Ordering::Relaxed) {
            std::panic::resume_unwind(Box::new(Cancelled));
        }
        let now = Instant::now();
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if now.duration_since(*last) < Duration::from_millis(100) {
                return;
            }
            *last = now;
        }
        let r = Python::with_gil(|py| -> PyResult<()> {
            py.check_signals()?;
            if let Some((d, t)) = self.deadline {
                if now > d {
                    return Err(BudgetExhausted::new_err(format!(
                        "timeout: no answer within {t} s"
                    )));
                }
            }
            if let Some(p) = &self.progress {
                p.call1(py, (msg(),))?;
            }
            Ok(())
        });
        if let Err(e) = r {
            self.stop(e);
            std::panic::resume_unwind(Box::new(Cancelled));
        }
    }

    /// Records the first error and tells every worker to stop.
    fn stop(&self, e: PyErr) {
        let mut err = self.err.lock().unwrap_or_else(|p| p.into_inner());
        if err.is_none() {
            *err = Some(e);
        }
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Like [`Ctl::run`] for work on other threads (rayon), where Python's signal handlers do
    /// not run: the calling (main) thread checks for Ctrl-C every 20 ms meanwhile.
    fn run_polling<T: Send>(
        &self,
        py: Python<'_>,
        work: impl FnOnce(&Ctl) -> T + Send,
    ) -> PyResult<T> {
        self.run(py, |ctl| {
            std::thread::scope(|s| {
                let h = s.spawn(|| std::panic::catch_unwind(AssertUnwindSafe(|| work(ctl))));
                while !h.is_finished() {
                    std::thread::sleep(Duration::from_millis(20));
                    if let Err(e) = Python::with_gil(|py| py.check_signals()) {
                        ctl.stop(e);
                    }
                }
                match h.join() {
                    Ok(Ok(v)) => v,
                    Ok(Err(payload)) | Err(payload) => std::panic::resume_unwind(payload),
                }
            })
        })
    }

    /// Checks Ctrl-C and the time budget from the calling thread (with the GIL).
    fn poll(&self) -> PyResult<()> {
        Python::with_gil(|py| {
            py.check_signals()?;
            match self.deadline {
                Some((d, t)) if Instant::now() > d => Err(BudgetExhausted::new_err(format!(
                    "timeout: no answer within {t} s"
                ))),
                _ => Ok(()),
            }
        })
    }

    /// Runs `work` on a worker thread ([`pool`]) while the calling thread waits without the
    /// GIL, checking Ctrl-C and the time budget every 20 ms: an interruption returns at once,
    /// also from computations that have no progress callback (canon, classify, the bounds).
    /// The worker stops at its next [`Ctl::tick`]; a computation without ticks finishes in the
    /// background and its result is dropped.
    ///
    /// With `inline` (a polynomial computation on a [small](Net::small) network: milliseconds)
    /// `work` runs on the calling thread instead, as [`Ctl::run`]: a handoff to a worker
    /// costs tens of microseconds, the whole of a small call.
    fn run_detached<T: Send + 'static>(
        self: &Arc<Self>,
        py: Python<'_>,
        inline: bool,
        work: impl FnOnce(&Ctl) -> T + Send + 'static,
    ) -> PyResult<T> {
        if inline {
            return self.run(py, work);
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let ctl = Arc::clone(self);
        pool::spawn(Box::new(move || {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| work(&ctl)));
            Box::new(move || {
                let _ = tx.send(r);
            })
        }))
        .map_err(InternalError::new_err)?;
        let r = py.allow_threads(move || loop {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(r) => break Some(r),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = self.poll() {
                        self.stop(e);
                        break None;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    self.stop(InternalError::new_err(
                        "internal error: the worker thread ended without an answer",
                    ));
                    break None;
                }
            }
        });
        match r {
            Some(Ok(v)) => Ok(v),
            Some(Err(payload)) if !payload.is::<Cancelled>() => std::panic::resume_unwind(payload),
            _ => Err(self.take_err()),
        }
    }

    /// The recorded error of an interrupted call.
    fn take_err(&self) -> PyErr {
        self.err
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_else(|| PyKeyboardInterrupt::new_err(()))
    }

    /// Runs `work` without the GIL; an interruption from [`Ctl::tick`] becomes its exception.
    fn run<T: Send>(&self, py: Python<'_>, work: impl FnOnce(&Ctl) -> T + Send) -> PyResult<T> {
        let r = py.allow_threads(|| std::panic::catch_unwind(AssertUnwindSafe(|| work(self))));
        match r {
            Ok(v) => Ok(v),
            Err(payload) if payload.is::<Cancelled>() => Err(self.take_err()),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }
}

/// Worker threads for [`Ctl::run_detached`], kept between calls (a handoff to an idle worker
/// is cheaper than starting a thread); a new one is started when none is idle, e.g. while an
/// interrupted computation still finishes in the background.
mod pool {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::Mutex;

    /// A job: the work, returning what to do once the worker is idle again (deliver the
    /// result, so that the next call finds the worker idle).
    pub type Job = Box<dyn FnOnce() -> Box<dyn FnOnce() + Send> + Send>;

    static IDLE: Mutex<Vec<Sender<Job>>> = Mutex::new(Vec::new());
    /// Idle workers kept at most.
    const KEEP: usize = 4;
    /// Stack of a worker (the main thread's usual size; the engine recurses).
    const STACK: usize = 16 << 20;

    fn idle() -> std::sync::MutexGuard<'static, Vec<Sender<Job>>> {
        IDLE.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `job` on an idle worker, or on a new one; `Err` when no thread can be started.
    pub fn spawn(job: Job) -> Result<(), String> {
        let mut job = job;
        while let Some(tx) = idle().pop() {
            match tx.send(job) {
                Ok(()) => return Ok(()),
                Err(e) => job = e.0,
            }
        }
        let (tx, rx) = channel::<Job>();
        let started = std::thread::Builder::new()
            .name("fibers-worker".into())
            .stack_size(STACK)
            .spawn(move || {
                let mut next = Some(job);
                while let Some(job) = next.take() {
                    let deliver = job();
                    let keep = {
                        let mut idle = idle();
                        let keep = idle.len() < KEEP;
                        if keep {
                            idle.push(tx.clone());
                        }
                        keep
                    };
                    deliver();
                    if keep {
                        next = rx.recv().ok();
                    }
                }
            });
        started
            .map(|_| ())
            .map_err(|e| format!("internal error: cannot start a worker thread: {e}"))
    }
}

// ---------------------------------------------------------------------------------------
// Networks

/// A three-layer ReLU network with exact rational parameters.
#[pyclass(module = "fibers._native", frozen)]
#[derive(Clone)]
pub struct Net {
    /// Shared, so that a call running on a worker thread holds it without a copy.
    net: Arc<Network>,
    /// At most [`SMALL_PARAMS`] parameters of at most [`SMALL_BITS`] bits in all: polynomial
    /// computations on it take milliseconds and run on the calling thread.
    small: bool,
}

/// Parameters of a [small](Net::small) network, at most.
const SMALL_PARAMS: usize = 256;
/// Bits of the numerators and denominators of a [small](Net::small) network, at most.
const SMALL_BITS: u64 = 64 * SMALL_PARAMS as u64;

impl Net {
    fn new(net: Network) -> Net {
        let small = net.arch().param_count() <= SMALL_PARAMS && {
            let bits: u64 = net
                .layers()
                .iter()
                .flat_map(|l| l.weight.iter().flatten().chain(&l.bias))
                .map(|r| r.numer().bits() + r.denom().bits())
                .sum();
            bits <= SMALL_BITS
        };
        Net {
            net: Arc::new(net),
            small,
        }
    }
}

fn rational_of(
    v: &Bound<'_, PyAny>,
    place: &dyn Fn() -> String,
    source: &str,
) -> PyResult<Rational> {
    if let Ok(f) = v.downcast::<PyFloat>() {
        let x = f.value();
        return Rational::from_f64_exact(x).ok_or_else(|| {
            bad(format!(
                "{source}: {}: expected a finite number, found {x}",
                place()
            ))
        });
    }
    if v.is_instance_of::<PyInt>() || v.hasattr("numerator")? {
        // int, bool, fractions.Fraction (str gives "p/q" or "p").
        let text = v.str()?.to_string();
        return text
            .parse::<Rational>()
            .map_err(|e| bad(format!("{source}: {}: {e}", place())));
    }
    if let Ok(s) = v.extract::<String>() {
        return s
            .trim()
            .parse::<Rational>()
            .map_err(|e| bad(format!("{source}: {}: {e}", place())));
    }
    // numpy scalars and anything else with __float__ (float32 widens exactly to float).
    if let Ok(x) = v.extract::<f64>() {
        return Rational::from_f64_exact(x).ok_or_else(|| {
            bad(format!(
                "{source}: {}: expected a finite number, found {x}",
                place()
            ))
        });
    }
    Err(bad(format!(
        "{source}: {}: expected a number, found {}",
        place(),
        v.get_type().name()?
    )))
}

fn rationals_to_strings(v: &[Rational]) -> Vec<String> {
    v.iter().map(|r| r.to_string()).collect()
}

/// One layer as given from Python: weight rows and bias of Python numbers.
type PyLayer<'py> = (Vec<Vec<Bound<'py, PyAny>>>, Vec<Bound<'py, PyAny>>);

#[pymethods]
impl Net {
    /// Reads a JSON network from its text; `source` names it in error messages.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str, source: &str) -> PyResult<Net> {
        py.allow_threads(|| network_from_str(text, source))
            .map(Net::new)
            .map_err(load_err)
    }

    /// Reads a safetensors state dict from its bytes; `keys` are the six tensor names (W1, b1,
    /// W2, b2, W3, b3), default those of `nn.Sequential`.
    #[staticmethod]
    #[pyo3(signature = (data, source, keys=None))]
    fn from_safetensors(
        py: Python<'_>,
        data: &[u8],
        source: &str,
        keys: Option<Vec<String>>,
    ) -> PyResult<Net> {
        let keys = match keys {
            None => KeyMap::default(),
            Some(k) => {
                let arr: [String; 6] = k.try_into().map_err(|k: Vec<String>| {
                    bad(format!("keys: expected 6 tensor names, found {}", k.len()))
                })?;
                KeyMap::new(arr).map_err(|m| bad(format!("keys: {m}")))?
            }
        };
        py.allow_threads(|| fibers_import::network_from_safetensors(data, source, &keys))
            .map(Net::new)
            .map_err(load_err)
    }

    /// A network from its three layers, each `(weight rows, bias)`; the entries are Python
    /// floats (read as the exact rationals they denote), ints, Fractions or "p/q" strings.
    /// `names` are the six names used in error messages.
    #[staticmethod]
    fn from_values(layers: Vec<PyLayer<'_>>, source: &str, names: Vec<String>) -> PyResult<Net> {
        if layers.len() != 3 || names.len() != 6 {
            return Err(bad(format!(
                "{source}: expected 3 layers, found {}",
                layers.len()
            )));
        }
        let mut out = Vec::with_capacity(3);
        for (l, (w, b)) in layers.iter().enumerate() {
            let wn = &names[2 * l];
            let bn = &names[2 * l + 1];
            let mut weight = Vec::with_capacity(w.len());
            for (i, row) in w.iter().enumerate() {
                let mut r = Vec::with_capacity(row.len());
                for (j, x) in row.iter().enumerate() {
                    r.push(rational_of(x, &|| format!("{wn}[{i}][{j}]"), source)?);
                }
                weight.push(r);
            }
            let mut bias = Vec::with_capacity(b.len());
            for (i, x) in b.iter().enumerate() {
                bias.push(rational_of(x, &|| format!("{bn}[{i}]"), source)?);
            }
            out.push(Layer { weight, bias });
        }
        let n0 = out[0].weight.first().map_or(0, |r| r.len());
        let arch = Architecture::new(n0, out[0].bias.len(), out[1].bias.len(), out[2].bias.len());
        for (l, layer) in out.iter().enumerate() {
            let (r, c) = arch.weight_shape(l + 1);
            let wn = &names[2 * l];
            if layer.weight.len() != r || layer.weight.iter().any(|row| row.len() != c) {
                let found = format!(
                    "{} x {}",
                    layer.weight.len(),
                    layer.weight.first().map_or(0, |x| x.len())
                );
                return Err(bad(format!(
                    "{source}: {wn}: expected shape {r} x {c} (to chain with the other layers), \
                     found {found}"
                )));
            }
        }
        if arch.widths().contains(&0) {
            return Err(bad(format!("{source}: {}: a layer of width 0", names[0])));
        }
        let layers: [Layer; 3] = out.try_into().map_err(|_| bad("3 layers"))?;
        Network::new(arch, layers)
            .map(Net::new)
            .map_err(|m| bad(format!("{source}: {m}")))
    }

    /// The JSON network file text (exact).
    fn to_json(&self) -> String {
        network_to_string(&self.net)
    }

    /// The widths `(n0, n1, n2, n3)`.
    fn arch(&self) -> (usize, usize, usize, usize) {
        let a = self.net.arch();
        (a.n0, a.n1, a.n2, a.n3)
    }

    /// The content hash used by certificates (SHA-256 of the exact parameters).
    fn content_hash(&self) -> String {
        fibers_check::network_hash(&self.net)
    }

    /// The exact parameters as `[(weight rows, bias)] * 3` of "p/q" strings.
    #[allow(clippy::type_complexity)]
    fn values(&self) -> Vec<(Vec<Vec<String>>, Vec<String>)> {
        self.net
            .layers()
            .iter()
            .map(|l| {
                (
                    l.weight.iter().map(|r| rationals_to_strings(r)).collect(),
                    rationals_to_strings(&l.bias),
                )
            })
            .collect()
    }

    /// The parameters rounded to the nearest f64, `[(weight rows, bias)] * 3`.
    #[allow(clippy::type_complexity)]
    fn floats(&self) -> Vec<(Vec<Vec<f64>>, Vec<f64>)> {
        let f = |v: &[Rational]| v.iter().map(|r| r.to_f64_lossy()).collect::<Vec<_>>();
        self.net
            .layers()
            .iter()
            .map(|l| (l.weight.iter().map(|r| f(r)).collect(), f(&l.bias)))
            .collect()
    }

    /// Exact output at an exact input (entries as for `from_values`), as "p/q" strings.
    fn eval(&self, x: Vec<Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
        let n0 = self.net.arch().n0;
        if x.len() != n0 {
            return Err(bad(format!("x: expected {n0} entries, found {}", x.len())));
        }
        let xs = x
            .iter()
            .enumerate()
            .map(|(i, v)| rational_of(v, &|| format!("[{i}]"), "x"))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(rationals_to_strings(&self.net.eval(&xs)))
    }

    /// The exact outputs at fixed probe points, as a JSON string: equivalent networks have
    /// equal fingerprints (used to split a dedup job into independent groups).
    fn fingerprint(&self) -> String {
        fingerprint(&self.net)
    }

    fn __eq__(&self, other: &Net) -> bool {
        self.net == other.net
    }
}

const FINGERPRINT_POINTS: usize = 8;

/// The exact outputs at [`FINGERPRINT_POINTS`] fixed probe points, as a JSON string.
fn fingerprint(net: &Network) -> String {
    let a = net.arch();
    let outs: Vec<Value> = fibers::decision::probe_points(a.n0, FINGERPRINT_POINTS, 0xF1B3)
        .iter()
        .map(|x| vector_to_value(&net.eval(x)))
        .collect();
    json!([a.n0, a.n3, outs]).to_string()
}

// ---------------------------------------------------------------------------------------
// equiv, check

fn decide_opts(method: &str, max_nodes: Option<u64>) -> PyResult<DecideOptions> {
    // The names of `fibers_decide::Method`, so a new method needs no second list here.
    let Some(&method) = Method::ALL.iter().find(|m| m.name() == method) else {
        let names: Vec<String> = Method::ALL
            .iter()
            .map(|m| format!("{:?}", m.name()))
            .collect();
        return Err(bad(format!(
            "method: expected one of {}, found {method:?}",
            names.join(", ")
        )));
    };
    Ok(DecideOptions {
        method,
        max_nodes,
        ..DecideOptions::default()
    })
}

fn check_widths(a: &Network, b: &Network) -> PyResult<()> {
    let (x, y) = (a.arch(), b.arch());
    if x.n0 != y.n0 || x.n3 != y.n3 {
        return Err(bad(format!(
            "a has architecture {x} and b has {y}: the input widths (n0) and output widths \
             (n3) must agree"
        )));
    }
    Ok(())
}

/// No verdict: the node budget ran out, or the fast path alone gave up (the reason).
struct Undecided(Option<String>);

/// One certified decision: the verdict JSON (as `fibers equiv --json`, with `stats`) and the
/// certificate text; [`Undecided`] when there is no verdict.
fn decide_one(
    a: &Network,
    b: &Network,
    opts: &DecideOptions,
    ctl: &Ctl,
    with_cert: bool,
) -> Result<Result<(Value, Option<String>), Undecided>, String> {
    let r = decide_with_progress(a, b, opts, &mut |s: &Stats| {
        ctl.tick(|| {
            format!(
                "nodes explored {}, leaves closed {}, LPs {}",
                s.nodes, s.leaves, s.lps
            )
        })
    })
    .map_err(|e| match e {
        DecideError::ArchitectureMismatch(m) => m,
        DecideError::Internal(m) => format!("internal error: {m}"),
    })?;
    let cert = match &r.outcome {
        Outcome::Equivalent { certificate } | Outcome::NotEquivalent { certificate, .. } => {
            certificate
        }
        Outcome::Undecided => return Ok(Err(Undecided(r.fallback.clone()))),
    };
    check(cert, a, b, CheckOptions::default())
        .map_err(|e| format!("internal error: the certificate does not pass the checker: {e}"))?;
    let obj = r.to_json(a, b);
    Ok(Ok((obj, with_cert.then(|| certificate_to_string(cert)))))
}

fn undecided(max_nodes: Option<u64>) -> PyErr {
    BudgetExhausted::new_err(format!(
        "undecided: the node budget ({}) ran out",
        max_nodes.unwrap_or(0)
    ))
}

/// Decides exactly whether `a` and `b` compute the same function; returns the verdict (the
/// JSON object as a dict) and the certificate (checked by the independent checker before it is returned).
#[pyfunction]
#[pyo3(signature = (a, b, method="auto", max_nodes=None, timeout=None, progress=None))]
fn equiv(
    py: Python<'_>,
    a: &Net,
    b: &Net,
    method: &str,
    max_nodes: Option<u64>,
    timeout: Option<f64>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(PyObject, String)> {
    check_widths(&a.net, &b.net)?;
    let opts = decide_opts(method, max_nodes)?;
    let ctl = Ctl::new(timeout, progress)?;
    let r = ctl.run(py, |ctl| decide_one(&a.net, &b.net, &opts, ctl, true))?;
    match r {
        Ok(Ok((v, c))) => Ok((to_py(py, &v)?, c.unwrap_or_default())),
        Ok(Err(Undecided(why))) => Err(match (method, why) {
            ("fast", Some(why)) => {
                BudgetExhausted::new_err(format!("undecided: the fast path gave up: {why}"))
            }
            ("symmetry", Some(why)) => {
                BudgetExhausted::new_err(format!("undecided: the symmetry path gave up: {why}"))
            }
            _ => undecided(max_nodes),
        }),
        Err(m) => Err(InternalError::new_err(m)),
    }
}

/// Checks a certificate against two networks with the independent checker: `(valid, verdict,
/// reason)`.
#[pyfunction]
#[pyo3(signature = (certificate, a, b, check_hashes=true, source="certificate"))]
fn check_certificate(
    py: Python<'_>,
    certificate: &str,
    a: &Net,
    b: &Net,
    check_hashes: bool,
    source: &str,
) -> PyResult<(bool, String, Option<String>)> {
    let cert = certificate_from_str(certificate, source).map_err(load_err)?;
    check_widths(&a.net, &b.net)?;
    let r = py.allow_threads(|| check(&cert, &a.net, &b.net, CheckOptions { check_hashes }));
    Ok(match r {
        Ok(v) => (
            true,
            match v {
                Verdict::Equivalent => "equivalent",
                Verdict::NotEquivalent => "not-equivalent",
            }
            .to_string(),
            None,
        ),
        Err(r) => (false, cert.verdict.as_str().to_string(), Some(r.0)),
    })
}

// ---------------------------------------------------------------------------------------
// canon, classify

/// The canonical form (as `fibers canon --json`): a dict `{"status": "canonical", "hash",
/// "text", "kind"}` with the form (a [`Lazy`]), or `{"status": "not-generic", "condition",
/// "detail", "message"}` and None.
/// Runs on a worker thread (Ctrl-C and `timeout` return at once) unless `a` is small.
#[pyfunction]
#[pyo3(signature = (a, timeout=None))]
fn canon(py: Python<'_>, a: &Net, timeout: Option<f64>) -> PyResult<(PyObject, Option<Lazy>)> {
    let net = Arc::clone(&a.net);
    let (v, form) = Arc::new(Ctl::new(timeout, None)?).run_detached(py, a.small, move |_| {
        match fibers_bottleneck::canonicalize(&net) {
            Ok(c) => (
                json!({
                    "status": "canonical",
                    "hash": c.form.hash(),
                    "text": c.form.text(),
                    "kind": c.form.kind(),
                }),
                Some(Lazy(c.form.to_json())),
            ),
            Err(e) => (
                json!({
                    "status": "not-generic",
                    "condition": e.condition.name(),
                    "detail": e.detail,
                    "message": e.to_string(),
                }),
                None,
            ),
        }
    })?;
    Ok((to_py(py, &v)?, form))
}

/// A JSON value made into Python objects only when asked for (a canonical form's `form`:
/// converting it costs as much as a small canonicalisation).
#[pyclass(module = "fibers._native", frozen)]
pub struct Lazy(Value);

#[pymethods]
impl Lazy {
    /// The value, as `json.loads` would give it.
    fn get(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py(py, &self.0)
    }
}

/// The representative network of a bottleneck canonical form (as `fibers canon --network`).
#[pyfunction]
fn canon_network(a: &Net) -> PyResult<Net> {
    let c =
        fibers_bottleneck::canonicalize(&a.net).map_err(|e| bad(format!("not generic: {e}")))?;
    let CanonicalForm::Bottleneck { n0, rows, data } = &c.form else {
        return Err(bad(format!(
            "network: a {} canonical form has no representative network",
            c.form.kind()
        )));
    };
    let layer1 = Layer {
        weight: rows.iter().map(|r| r.weight.clone()).collect(),
        bias: rows.iter().map(|r| r.bias.clone()).collect(),
    };
    Ok(Net::new(realise(
        &layer1,
        *n0,
        data,
        &vec![false; data.kinks.len()],
    )))
}

/// Classification (as `fibers classify`): `(the JSON of --json as a dict, text)`.
/// Runs on a worker thread (Ctrl-C and `timeout` return at once) unless `a` is small.
#[pyfunction]
#[pyo3(signature = (a, timeout=None))]
fn classify(py: Python<'_>, a: &Net, timeout: Option<f64>) -> PyResult<(PyObject, String)> {
    let net = Arc::clone(&a.net);
    let (v, text) = Arc::new(Ctl::new(timeout, None)?).run_detached(py, a.small, move |_| {
        let c = fibers_bottleneck::classify(&net);
        (c.to_json(), c.to_text())
    })?;
    Ok((to_py(py, &v)?, text))
}

// ---------------------------------------------------------------------------------------
// fiber, fundim, sample

/// The fiber of a parameter (as `fibers fiber`): by default the polynomial summary (symmetry
/// group at θ, the part containing θ, its dimension certified by bounds); with `exhaustive`
/// (the CLI's `--parts`) the full description, every part enumerated. Each is computed when
/// first needed (the LaTeX document and a membership outside the fast path need the
/// description).
#[pyclass(module = "fibers._native", frozen)]
pub struct FiberDesc {
    net: Arc<Network>,
    small: bool,
    exhaustive: bool,
    max_parts: usize,
    max_regions: Option<usize>,
    max_points: usize,
    summary: OnceLock<Arc<Summary>>,
    desc: OnceLock<Arc<Description>>,
}

fn describe_ctl(
    net: &Network,
    max_parts: usize,
    fundim: Option<FunDimOptions>,
    ctl: &Ctl,
) -> Result<Description, String> {
    let opts = DescribeOptions { max_parts, fundim };
    describe(net, &opts, &mut |stage, n| {
        ctl.tick(|| match stage {
            "parts" => format!("role assignments examined: {n}"),
            _ => format!("linear regions found: {n}"),
        })
    })
    .map_err(|e| format!("internal error: {}", e.0))
}

fn summarize_ctl(net: &Network, max_points: usize, ctl: &Ctl) -> Summary {
    summarize(
        net,
        &BoundsOptions {
            max_points,
            seed: 1,
        },
        &mut |m| ctl.tick(|| format!("dimension bounds: {m}")),
    )
}

impl FiberDesc {
    /// The summary, computed on first use (polynomial).
    fn summary(&self, ctl: &Arc<Ctl>, py: Python<'_>) -> PyResult<Arc<Summary>> {
        if let Some(s) = self.summary.get() {
            return Ok(Arc::clone(s));
        }
        let (net, max_points) = (Arc::clone(&self.net), self.max_points);
        let s = ctl.run_detached(py, self.small, move |ctl| {
            Arc::new(summarize_ctl(&net, max_points, ctl))
        })?;
        Ok(Arc::clone(self.summary.get_or_init(|| s)))
    }

    /// The full description, computed on first use (exponential in the widths);
    /// [`BudgetExhausted`] when more than `max_parts` role assignments.
    fn description(&self, ctl: &Arc<Ctl>, py: Python<'_>) -> PyResult<Arc<Description>> {
        let d = match self.desc.get() {
            Some(d) => Arc::clone(d),
            None => {
                let net = Arc::clone(&self.net);
                let (max_parts, fundim) = (
                    self.max_parts,
                    self.max_regions.map(|m| FunDimOptions { max_regions: m }),
                );
                let d = ctl
                    .run_detached(py, false, move |ctl| {
                        describe_ctl(&net, max_parts, fundim, ctl)
                    })?
                    .map_err(InternalError::new_err)?;
                Arc::clone(self.desc.get_or_init(|| Arc::new(d)))
            }
        };
        if d.truncated {
            return Err(BudgetExhausted::new_err(format!(
                "the description is truncated: more than {} role assignments (max_parts)",
                self.max_parts
            )));
        }
        Ok(d)
    }
}

/// Describes the fiber of `a` (as `fibers fiber`; `exhaustive`: as `fibers fiber --parts`).
#[pyfunction]
#[pyo3(signature = (a, exhaustive=false, max_parts=20_000, max_regions=Some(4096), max_points=64, timeout=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn fiber(
    py: Python<'_>,
    a: &Net,
    exhaustive: bool,
    max_parts: usize,
    max_regions: Option<usize>,
    max_points: usize,
    timeout: Option<f64>,
    progress: Option<Py<PyAny>>,
) -> PyResult<FiberDesc> {
    let ctl = Arc::new(Ctl::new(timeout, progress)?);
    let f = FiberDesc {
        net: Arc::clone(&a.net),
        small: a.small,
        exhaustive,
        max_parts,
        max_regions,
        max_points,
        summary: OnceLock::new(),
        desc: OnceLock::new(),
    };
    if exhaustive {
        f.description(&ctl, py)?;
    } else {
        f.summary(&ctl, py)?;
    }
    Ok(f)
}

#[pymethods]
impl FiberDesc {
    /// Whether this is the full description (`exhaustive=True`, the CLI's `--parts`).
    #[getter]
    fn exhaustive(&self) -> bool {
        self.exhaustive
    }

    /// As `fibers fiber --format json` (the summary), or `fibers fiber --parts --format json`,
    /// as a dict.
    fn data(&self, py: Python<'_>) -> PyResult<PyObject> {
        let ctl = Arc::new(Ctl::new(None, None)?);
        let v = if self.exhaustive {
            render::to_json(&*self.description(&ctl, py)?)
        } else {
            self.summary(&ctl, py)?.to_json()
        };
        to_py(py, &v)
    }

    /// Plain text (as `fibers fiber`, or `fibers fiber --parts`).
    #[pyo3(signature = (show_parts=12))]
    fn text(&self, py: Python<'_>, show_parts: usize) -> PyResult<String> {
        let ctl = Arc::new(Ctl::new(None, None)?);
        Ok(if self.exhaustive {
            render::to_text(
                &*self.description(&ctl, py)?,
                &RenderOptions {
                    max_parts_shown: show_parts,
                },
            )
        } else {
            self.summary(&ctl, py)?.to_text()
        })
    }

    /// A complete LaTeX document (as `fibers fiber --format latex`): the summary theorem, then
    /// the full description (computed here if not yet: exponential in the widths). With
    /// `parts=False`, the summary theorem alone (polynomial).
    #[pyo3(signature = (show_parts=12, parts=true, timeout=None, progress=None))]
    fn latex(
        &self,
        py: Python<'_>,
        show_parts: usize,
        parts: bool,
        timeout: Option<f64>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<String> {
        let ctl = Arc::new(Ctl::new(timeout, progress)?);
        let s = self.summary(&ctl, py)?;
        if !parts {
            let a = self.net.arch();
            return Ok(format!(
                "\\documentclass{{article}}\n\\usepackage{{amsmath,amssymb,amsthm}}\n\
                 \\newtheorem{{theorem}}{{Theorem}}\n\\begin{{document}}\n\
                 \\section*{{The fiber of a three-layer ReLU network}}\n\
                 Architecture $({}, {}, {}, {})$; the fiber of $\\theta$ is \
                 $\\operatorname{{Fib}}(\\theta) = \\{{\\theta' : f_{{\\theta'}} = f_\\theta\\}}$.\n{}\
                 \\end{{document}}\n",
                a.n0,
                a.n1,
                a.n2,
                a.n3,
                render::summary_latex(&s)
            ));
        }
        let d = self.description(&ctl, py)?;
        Ok(render::to_latex_with_summary(
            &d,
            Some(&s),
            &RenderOptions {
                max_parts_shown: show_parts,
            },
        ))
    }

    /// Decides exactly whether `b` lies in the fiber (as `fibers fiber --member`, JSON). By
    /// default the certified fast decision of f_A = f_B (`member`, `member_certified_by`,
    /// `member_witness`; its certificate passes the checker here); when the fast path gives
    /// up, or with `exhaustive`, the description's membership with the witnessing
    /// permutations, scalings and roles (the branch tree where the description is silent),
    /// with `description_counterexample`.
    #[pyo3(signature = (b, max_nodes=None, timeout=None, progress=None))]
    fn member(
        &self,
        py: Python<'_>,
        b: &Net,
        max_nodes: Option<u64>,
        timeout: Option<f64>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<String> {
        let (x, y) = (b.net.arch(), self.net.arch());
        if x != y {
            return Err(bad(format!(
                "b: architecture {x} differs from {y} of the fiber's network; the fiber lives in \
                 the parameter space of one architecture"
            )));
        }
        let ctl = Arc::new(Ctl::new(timeout, progress)?);
        if !self.exhaustive {
            let (a, bn) = (Arc::clone(&self.net), Arc::clone(&b.net));
            let fast = ctl.run_detached(py, self.small, move |_| {
                fibers_bottleneck::certified::fast(&a, &bn).map(|(o, method)| {
                    let checked = match &o {
                        Outcome::Equivalent { certificate }
                        | Outcome::NotEquivalent { certificate, .. } => {
                            check(certificate, &a, &bn, CheckOptions::default()).map(|_| ())
                        }
                        Outcome::Undecided => Ok(()),
                    };
                    (o, method, checked)
                })
            })?;
            if let Ok((o, method, checked)) = fast {
                if let Err(e) = checked {
                    return Err(InternalError::new_err(format!(
                        "internal error: the fast path's certificate does not pass the checker: \
                         {e}"
                    )));
                }
                let mut v = json!({
                    "member": matches!(o, Outcome::Equivalent { .. }),
                    "member_certified_by": format!(
                        "fast path ({method}); the certificate is re-checked by `fibers check`"
                    ),
                });
                if let Outcome::NotEquivalent { witness, .. } = &o {
                    v["member_witness"] = json!(rationals_to_strings(witness));
                }
                return Ok(v.to_string());
            }
        }
        let d = self.description(&ctl, py)?;
        let bn = Arc::clone(&b.net);
        let r = ctl
            .run_detached(py, false, move |ctl| {
                d.membership(&bn, &MemberOptions { max_nodes }, &mut |s| {
                    ctl.tick(|| {
                        format!(
                            "branch tree: nodes {}, leaves {}, LPs {}",
                            s.nodes, s.leaves, s.lps
                        )
                    })
                })
            })?
            .map_err(|e| InternalError::new_err(format!("internal error: {}", e.0)))?;
        if r.member.is_none() {
            return Err(BudgetExhausted::new_err(
                "undecided: the branch tree's node budget (max_nodes) ran out",
            ));
        }
        let mut v = json!({});
        render::add_member_json(&mut v, &r);
        v["description_counterexample"] = json!(r.description_counterexample);
        Ok(v.to_string())
    }
}

/// Functional dimension (as `fibers fundim --json`, as a dict): certified by bounds that meet, falling
/// back to the enumeration of linear regions (`max_regions`, 0: no fallback) when they do not;
/// with `exhaustive`, as `fibers fundim --exhaustive --json`.
#[pyfunction]
#[pyo3(signature = (a, exhaustive=false, max_points=64, max_regions=4096, timeout=None, progress=None, source="network"))]
#[allow(clippy::too_many_arguments)]
fn fundim(
    py: Python<'_>,
    a: &Net,
    exhaustive: bool,
    max_points: usize,
    max_regions: usize,
    timeout: Option<f64>,
    progress: Option<Py<PyAny>>,
    source: &str,
) -> PyResult<PyObject> {
    let ctl = Arc::new(Ctl::new(timeout, progress)?);
    let net = Arc::clone(&a.net);
    if exhaustive {
        let (r, d) = ctl.run_detached(py, false, move |ctl| {
            let r = functional_dimension(&net, &FunDimOptions { max_regions }, &mut |n| {
                ctl.tick(|| format!("linear regions found: {n}"))
            });
            let d = r
                .as_ref()
                .ok()
                .map(|_| describe_ctl(&net, 20_000, None, ctl));
            (r, d)
        })?;
        let f = match r {
            Ok(f) => f,
            Err(FunDimError::Budget(n)) => {
                return Err(BudgetExhausted::new_err(format!(
                    "more than {n} linear regions (raise max_regions)"
                )))
            }
            Err(e @ FunDimError::NotDifferentiable(_)) => {
                return Err(bad(format!("{source}: {e}")))
            }
        };
        let d = d
            .expect("described after a dimension")
            .map_err(InternalError::new_err)?;
        return to_py(
            py,
            &fibers_fiber::ExhaustiveFundimReport {
                fundim: &f,
                description: &d,
            }
            .to_json(),
        );
    }
    let s = {
        let net = Arc::clone(&net);
        ctl.run_detached(py, a.small, move |ctl| summarize_ctl(&net, max_points, ctl))?
    };
    // Fall back to the enumeration when the bounds do not meet.
    let exhaustive = if !s.bounds.as_ref().is_ok_and(Bounds::certified) && max_regions > 0 {
        Some(ctl.run_detached(py, false, move |ctl| {
            functional_dimension(&net, &FunDimOptions { max_regions }, &mut |n| {
                ctl.tick(|| format!("linear regions found: {n}"))
            })
        })?)
    } else {
        None
    };
    let (bounds, why_not) = match &s.bounds {
        Ok(b) => (Some(b), None),
        Err(e) => (None, Some(e)),
    };
    let (exhaustive, fallback_note) = match exhaustive {
        None => (None, None),
        Some(Ok(f)) => (Some(f), None),
        Some(Err(e @ FunDimError::NotDifferentiable(_))) if bounds.is_none() => {
            return Err(bad(format!("{source}: {e}")))
        }
        Some(Err(e)) => (None, Some(e.to_string())),
    };
    let report = fibers_fiber::FundimReport {
        params: s.params,
        bounds: bounds.cloned(),
        bounds_not_applicable: why_not.cloned(),
        exhaustive,
        exhaustive_not_run: fallback_note,
        formula: s.formula.clone(),
    };
    to_py(py, &report.to_json())
}

/// Parameters drawn from every part of the fiber (as `fibers sample`); the second value is the
/// note the CLI prints on stderr, if any.
#[pyfunction]
#[pyo3(signature = (a, count=10, seed=1, max_parts=20_000, timeout=None, progress=None))]
fn sample(
    py: Python<'_>,
    a: &Net,
    count: usize,
    seed: u64,
    max_parts: usize,
    timeout: Option<f64>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(Vec<Net>, Option<String>)> {
    let ctl = Ctl::new(timeout, progress)?;
    let net = &a.net;
    let r = ctl.run(py, |ctl| -> Result<_, PyErr> {
        let d = describe_ctl(net, max_parts, None, ctl).map_err(InternalError::new_err)?;
        if d.truncated {
            return Err(BudgetExhausted::new_err(format!(
                "more than {max_parts} role assignments (max_parts): cannot sample every part"
            )));
        }
        let keys: Vec<_> = d.parts.iter().map(|p| p.key.clone()).collect();
        Ok(match (&d.frame, keys.is_empty()) {
            (Some(frame), false) => {
                let note = (count < keys.len()).then(|| {
                    format!(
                        "{} parts but only {count} samples: parts {count}..{} not visited",
                        keys.len(),
                        keys.len() - 1
                    )
                });
                let s = fibers_fiber::sample::sample_parts(frame, &keys, count, seed, &mut |i| {
                    ctl.tick(|| format!("samples drawn: {i}"))
                });
                (s, note)
            }
            _ => {
                let note = format!(
                    "no description of this fiber ({}); sampling only the orbit of \
                     permutations, positive scalings and dead-neuron changes (M1-M3)",
                    d.partial.as_deref().unwrap_or(d.kind.name())
                );
                let mut rng = Lcg::new(seed);
                let s = (0..count)
                    .map(|_| {
                        let mut n = moves::random_permute(net, &mut rng);
                        n = moves::random_positive_scaling(&n, &mut rng);
                        if let Some(m) = moves::dead_change(&n, &mut rng) {
                            n = m;
                        }
                        Some(n)
                    })
                    .collect();
                (s, Some(note))
            }
        })
    })??;
    let (samples, note) = r;
    let nets = samples
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            s.map(Net::new).ok_or_else(|| {
                InternalError::new_err(format!("internal error: sample {i} could not be built"))
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok((nets, note))
}

// ---------------------------------------------------------------------------------------
// conserve

fn param_name(p: Parameter) -> Value {
    match p {
        Parameter::Weight { layer, row, col } => json!(["W", layer, row, col]),
        Parameter::Bias { layer, unit } => json!(["b", layer, unit]),
    }
}

/// One law's polynomial for the Python `Law`: its name, `terms` and LaTeX.
fn law_terms(name: &str, polynomial: &Polynomial) -> Value {
    let t: Vec<Value> = polynomial
        .terms()
        .map(|(m, c)| {
            let powers: Vec<Value> = m
                .powers()
                .map(|(var, e)| {
                    json!([
                        var.parameter().map(param_name).unwrap_or(json!(var.name())),
                        e
                    ])
                })
                .collect();
            json!([c.to_string(), powers])
        })
        .collect();
    json!({"name": name, "terms": t, "latex": polynomial.to_latex()})
}

/// Conservation laws (as `fibers conserve --json`, as a dict: the number of independent laws certified
/// by bounds that meet, without enumerating linear regions; with `exhaustive`, as `fibers
/// conserve --exhaustive --json`: every linear region and the Lie algebra), each law with
/// `law_terms`: `[coefficient "p/q", [[param, exponent], ...]]` where a param is `["W",
/// layer, row, col]` or `["b", layer, unit]`, and its LaTeX.
#[pyfunction]
#[pyo3(signature = (a, data=None, exhaustive=false, max_level=8, max_patterns=2000, max_brackets=64, seed=1, timeout=None, progress=None, source="data"))]
#[allow(clippy::too_many_arguments)]
fn conserve(
    py: Python<'_>,
    a: &Net,
    data: Option<&str>,
    exhaustive: bool,
    max_level: usize,
    max_patterns: usize,
    max_brackets: usize,
    seed: u64,
    timeout: Option<f64>,
    progress: Option<Py<PyAny>>,
    source: &str,
) -> PyResult<PyObject> {
    let arch = a.net.arch();
    let data = match data {
        Some(t) => Some(Dataset::from_str(t, arch.n0, arch.n3, source).map_err(load_err)?),
        None => None,
    };
    let ctl = Arc::new(Ctl::new(timeout, progress)?);
    let net = Arc::clone(&a.net);
    if !exhaustive {
        let opts = LawBoundsOptions {
            seed,
            max_patterns,
            max_brackets,
            ..LawBoundsOptions::default()
        };
        let b = ctl.run_detached(py, a.small, move |ctl| {
            let set = data.map(|d| PatternSet::from_data(&net, &d.x));
            bounds_with_progress(&net, set.as_ref(), &opts, &mut |m| {
                ctl.tick(|| m.to_string())
            })
        })?;
        let mut v = b.to_json(&arch);
        v["law_terms"] = b
            .laws
            .iter()
            .map(|l| law_terms(&l.name, &l.polynomial))
            .collect();
        return to_py(py, &v);
    }
    let opts = Options {
        lie: LieOptions {
            max_level,
            ..LieOptions::default()
        },
        ..Options::default()
    };
    let analysis = ctl
        .run_detached(py, false, move |_| analyse(&net, data.as_ref(), &opts))?
        .map_err(|e| match e {
            RegionError::TooMany(_) => BudgetExhausted::new_err(e.to_string()),
        })?;
    let mut v = analysis.exhaustive_json();
    v["law_terms"] = analysis
        .laws
        .iter()
        .map(|l| law_terms(&l.law.name, &l.law.polynomial))
        .collect();
    to_py(py, &v)
}

// ---------------------------------------------------------------------------------------
// dedup, batch equiv

/// Certified pairwise verdict: `Some(true)` equivalent, `Some(false)` not, `None` undecided.
fn pairwise(
    a: &Network,
    b: &Network,
    opts: &DecideOptions,
    ctl: &Ctl,
) -> Result<Option<bool>, String> {
    let (x, y) = (a.arch(), b.arch());
    if x.n0 != y.n0 || x.n3 != y.n3 {
        return Ok(Some(false));
    }
    Ok(decide_one(a, b, opts, ctl, false)?
        .ok()
        .map(|(v, _)| v["verdict"] == "equivalent"))
}

/// Groups networks into functional-equivalence classes, as `fibers batch dedup`: by canonical
/// form where generic (each membership verified by a checked certificate against the class
/// representative), else by certified pairwise decisions against the representatives that agree
/// at the probe points. Returns one JSON record per network.
#[pyfunction]
#[pyo3(signature = (nets, max_nodes=None, timeout=None, progress=None))]
fn dedup(
    py: Python<'_>,
    nets: Vec<PyRef<'_, Net>>,
    max_nodes: Option<u64>,
    timeout: Option<f64>,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let nets: Vec<Network> = nets.iter().map(|n| Network::clone(&n.net)).collect();
    let opts = decide_opts("auto", max_nodes)?;
    let ctl = Ctl::new(timeout, progress)?;
    let out = ctl.run(py, |ctl| dedup_inner(&nets, &opts, ctl))?;
    out.map(|v| Value::Array(v).to_string())
        .map_err(InternalError::new_err)
}

fn dedup_inner(nets: &[Network], opts: &DecideOptions, ctl: &Ctl) -> Result<Vec<Value>, String> {
    let prepared: Vec<(Result<String, String>, String)> = nets
        .par_iter()
        .map(|n| {
            let canon = fibers_bottleneck::canonicalize(n)
                .map(|c| c.form.hash())
                .map_err(|e| e.to_string());
            (canon, fingerprint(n))
        })
        .collect();
    // representative index, has_generic
    let mut classes: Vec<(usize, bool)> = Vec::new();
    let mut by_hash: HashMap<String, usize> = HashMap::new();
    let mut by_print: HashMap<String, Vec<usize>> = HashMap::new();
    let mut out = Vec::with_capacity(nets.len());
    for (n, (net, (canon, print))) in nets.iter().zip(prepared).enumerate() {
        ctl.tick(|| format!("networks placed: {n} of {}", nets.len()));
        if let Ok(h) = &canon {
            if let Some(&class) = by_hash.get(h) {
                let rep = classes[class].0;
                let cert = match pairwise(net, &nets[rep], opts, ctl)? {
                    Some(true) => "checked",
                    Some(false) => {
                        return Err(format!(
                            "internal error: network {n} has the canonical form of network \
                             {rep} but the certified decision says not equivalent"
                        ))
                    }
                    None => "undecided (max_nodes)",
                };
                out.push(
                    json!({"class": class, "representative": rep, "new_class": false,
                    "generic": true, "sha256": h, "by": "canonical-form", "certificate": cert}),
                );
                continue;
            }
        }
        let generic = canon.is_ok();
        let candidates: Vec<usize> = by_print
            .get(&print)
            .map(|cs| {
                cs.iter()
                    .copied()
                    .filter(|&c| !(generic && classes[c].1))
                    .collect()
            })
            .unwrap_or_default();
        let mut joined = None;
        let mut undecided = Vec::new();
        let mut decided = 0usize;
        for &c in &candidates {
            decided += 1;
            match pairwise(net, &nets[classes[c].0], opts, ctl)? {
                Some(true) => {
                    joined = Some(c);
                    break;
                }
                Some(false) => {}
                None => undecided.push(classes[c].0),
            }
        }
        let class = match joined {
            Some(c) => c,
            None => {
                classes.push((n, false));
                by_print.entry(print).or_default().push(classes.len() - 1);
                classes.len() - 1
            }
        };
        if let Ok(h) = &canon {
            classes[class].1 = true;
            by_hash.insert(h.clone(), class);
        }
        let rep = classes[class].0;
        let mut rec = json!({"class": class, "representative": rep, "new_class": rep == n,
            "generic": generic, "sha256": canon.as_ref().ok(), "compared": decided});
        if joined.is_some() {
            rec["by"] = json!("pairwise");
            rec["certificate"] = json!("checked");
        }
        if let Err(why) = &canon {
            rec["not_generic"] = json!(why);
        }
        if !undecided.is_empty() {
            rec["undecided_against"] = json!(undecided);
        }
        out.push(rec);
    }
    Ok(out)
}

/// Certified verdicts for many pairs, in parallel (as `fibers batch equiv`): one verdict JSON
/// per pair (`"undecided"` when the node budget ran out; `"bad-input"` with `error` for pairs
/// whose widths differ).
#[pyfunction]
#[pyo3(signature = (pairs, method="auto", max_nodes=None, certificates=false, timeout=None, progress=None))]
fn batch_equiv(
    py: Python<'_>,
    pairs: Vec<(PyRef<'_, Net>, PyRef<'_, Net>)>,
    method: &str,
    max_nodes: Option<u64>,
    certificates: bool,
    timeout: Option<f64>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Vec<(String, Option<String>)>> {
    let pairs: Vec<(Network, Network)> = pairs
        .iter()
        .map(|(a, b)| (Network::clone(&a.net), Network::clone(&b.net)))
        .collect();
    let opts = decide_opts(method, max_nodes)?;
    let ctl = Ctl::new(timeout, progress)?;
    let r = ctl.run_polling(py, |ctl| {
        pairs
            .par_iter()
            .map(|(a, b)| {
                let (x, y) = (a.arch(), b.arch());
                if x.n0 != y.n0 || x.n3 != y.n3 {
                    return Ok((
                        json!({"verdict": "bad-input", "error": format!(
                            "architectures {x} and {y} differ in input or output width (n0, n3 \
                             must agree)")})
                        .to_string(),
                        None,
                    ));
                }
                Ok(match decide_one(a, b, &opts, ctl, certificates)? {
                    Ok((v, c)) => (v.to_string(), c),
                    Err(Undecided(why)) => (
                        json!({"verdict": "undecided", "fallback": why}).to_string(),
                        None,
                    ),
                })
            })
            .collect::<Result<Vec<_>, String>>()
    })?;
    r.map_err(InternalError::new_err)
}

/// The arithmetic backend compiled in ("num-bigint" or "gmp").
#[pyfunction]
fn backend() -> &'static str {
    fibers_exact::backend_name()
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("FibersError", py.get_type::<FibersError>())?;
    m.add("BadInput", py.get_type::<BadInput>())?;
    m.add("BudgetExhausted", py.get_type::<BudgetExhausted>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_class::<Net>()?;
    m.add_class::<FiberDesc>()?;
    m.add_class::<Lazy>()?;
    m.add_function(wrap_pyfunction!(equiv, m)?)?;
    m.add_function(wrap_pyfunction!(check_certificate, m)?)?;
    m.add_function(wrap_pyfunction!(canon, m)?)?;
    m.add_function(wrap_pyfunction!(canon_network, m)?)?;
    m.add_function(wrap_pyfunction!(classify, m)?)?;
    m.add_function(wrap_pyfunction!(fiber, m)?)?;
    m.add_function(wrap_pyfunction!(fundim, m)?)?;
    m.add_function(wrap_pyfunction!(sample, m)?)?;
    m.add_function(wrap_pyfunction!(conserve, m)?)?;
    m.add_function(wrap_pyfunction!(dedup, m)?)?;
    m.add_function(wrap_pyfunction!(batch_equiv, m)?)?;
    m.add_function(wrap_pyfunction!(backend, m)?)?;
    Ok(())
}
