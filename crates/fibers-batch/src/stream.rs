//! The streaming executor: lines read on their own thread, worked on in parallel, results
//! handed over in input order as soon as they are ready.
//!
//! Each line goes through `prepare` (parallel, on the pool), then `place` (in input order, on
//! the calling thread; it may itself run parallel work on the pool), whose result is either
//! final or a job finished in parallel. At most `window` lines are in flight, which bounds the
//! memory whatever the input's length; the reader waits for room, so a result is written as
//! soon as it is decided even when the input arrives slowly (a pipe).

use crate::dedup::Dedup;
use crate::input::{Input, InputError};
use crate::lines::{canon_line, equiv_line, guarded, Context, Outcome, Status};
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

/// What `place` makes of a prepared line.
pub enum Placed {
    /// The result.
    Done(Outcome),
    /// A job that computes the result (run in parallel).
    Later(Box<dyn FnOnce() -> Outcome + Send>),
}

/// The batch modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Decide each pair.
    Equiv,
    /// Canonical form of each network.
    Canon,
    /// Equivalence classes.
    Dedup,
}

impl Mode {
    /// `equiv`, `canon` or `dedup`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Equiv => "equiv",
            Mode::Canon => "canon",
            Mode::Dedup => "dedup",
        }
    }
}

/// Counts of a finished batch.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Lines handled.
    pub lines: usize,
    /// How many lines had each tag, in order of first appearance.
    pub tags: Vec<(&'static str, usize)>,
    /// The worst status of any line.
    pub worst: Option<Status>,
    /// The first line that was not `Ok`: its error text, or `line N`.
    pub first_problem: Option<String>,
}

impl Summary {
    fn add(&mut self, n: usize, o: &Outcome) {
        self.lines += 1;
        if self.worst.is_none() || self.worst.is_some_and(|w| o.status > w) {
            self.worst = Some(o.status);
        }
        if o.status != Status::Ok && self.first_problem.is_none() {
            self.first_problem = Some(
                o.json["error"]
                    .as_str()
                    .map_or_else(|| format!("line {n}"), str::to_string),
            );
        }
        match self.tags.iter_mut().find(|(t, _)| *t == o.tag) {
            Some((_, c)) => *c += 1,
            None => self.tags.push((o.tag, 1)),
        }
    }
    /// How many lines had `tag`.
    pub fn count(&self, tag: &str) -> usize {
        self.tags
            .iter()
            .find(|(t, _)| *t == tag)
            .map_or(0, |(_, c)| *c)
    }
}

/// Why a batch stopped early.
#[derive(Debug)]
pub enum Stop<E> {
    /// The input could not be read.
    Input(InputError),
    /// The sink refused a line (e.g. a closed pipe).
    Sink(E),
}

type Prep<P> = Result<P, Outcome>;

/// Messages to the ordering loop. The first number is the line's place among the lines read
/// (1, 2, 3, … with no gaps: blank lines are skipped), the second its number in the input.
enum Msg<P> {
    Line(usize, usize, Result<String, Outcome>),
    Prepared(usize, usize, Prep<P>),
    Finished(usize, usize, Outcome),
    End(usize),
    Failed(InputError),
}

/// The in-flight counter the reader waits on.
struct Gate {
    state: Mutex<(usize, bool)>,
    cv: Condvar,
}

impl Gate {
    fn enter(&self, window: usize) -> bool {
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while g.0 >= window && !g.1 {
            g = self.cv.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        g.0 += 1;
        !g.1
    }
    fn leave(&self) {
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        g.0 = g.0.saturating_sub(1);
        self.cv.notify_all();
    }
    fn close(&self) {
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        g.1 = true;
        self.cv.notify_all();
    }
}

/// Runs a batch: reads `input`, works on `pool`, and hands each line's number and result to
/// `sink` in input order. `window` bounds the lines in flight.
pub fn run<E>(
    mode: Mode,
    input: Input,
    cx: &Context,
    pool: &rayon::ThreadPool,
    window: usize,
    max_line_bytes: usize,
    sink: &mut dyn FnMut(usize, &Outcome) -> Result<(), E>,
) -> Result<Summary, Stop<E>> {
    match mode {
        Mode::Equiv => execute(
            input,
            pool,
            window,
            max_line_bytes,
            &|n, text: String| Ok(equiv_line(n, &text, cx).unwrap_or_else(|o| o)),
            &mut |_, o: Outcome| Placed::Done(o),
            sink,
        ),
        Mode::Canon => execute(
            input,
            pool,
            window,
            max_line_bytes,
            &|n, text: String| Ok(canon_line(n, &text, cx).unwrap_or_else(|o| o)),
            &mut |_, o: Outcome| Placed::Done(o),
            sink,
        ),
        Mode::Dedup => {
            let mut dedup = Dedup::new(cx.decide.clone());
            execute(
                input,
                pool,
                window,
                max_line_bytes,
                &|n, text: String| Dedup::prepare(n, &text, cx),
                &mut |n, p| dedup.place(n, p, pool),
                sink,
            )
        }
    }
}

/// The generic executor (see the module documentation).
pub fn execute<P: Send, E>(
    input: Input,
    pool: &rayon::ThreadPool,
    window: usize,
    max_line_bytes: usize,
    prepare: &(dyn Fn(usize, String) -> Prep<P> + Sync),
    place: &mut dyn FnMut(usize, P) -> Placed,
    sink: &mut dyn FnMut(usize, &Outcome) -> Result<(), E>,
) -> Result<Summary, Stop<E>> {
    let window = window.max(1);
    let (tx, rx) = mpsc::channel::<Msg<P>>();
    let gate = Arc::new(Gate {
        state: Mutex::new((0, false)),
        cv: Condvar::new(),
    });
    let lines = input.into_lines(max_line_bytes);
    let mut summary = Summary::default();
    let result = std::thread::scope(|ts| {
        let reader_tx = tx.clone();
        let reader_gate = Arc::clone(&gate);
        ts.spawn(move || {
            let mut count = 0;
            for item in lines {
                if !reader_gate.enter(window) {
                    return;
                }
                match item {
                    Ok((n, line)) => {
                        count += 1;
                        if reader_tx.send(Msg::Line(count, n, line)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = reader_tx.send(Msg::Failed(e));
                        return;
                    }
                }
            }
            let _ = reader_tx.send(Msg::End(count));
        });
        let out = pool.in_place_scope(|s| {
            let mut prepared: BTreeMap<usize, (usize, Prep<P>)> = BTreeMap::new();
            let mut ready: BTreeMap<usize, (usize, Outcome)> = BTreeMap::new();
            let (mut next_place, mut next_out) = (1usize, 1usize);
            let mut total: Option<usize> = None;
            loop {
                if total.is_some_and(|t| next_out > t) {
                    return Ok(());
                }
                let Ok(msg) = rx.recv() else {
                    return Ok(());
                };
                match msg {
                    Msg::Line(k, n, line) => match line {
                        Err(o) => {
                            prepared.insert(k, (n, Err(o)));
                        }
                        Ok(text) => {
                            let tx = tx.clone();
                            s.spawn(move |_| {
                                let p = guarded(n, || prepare(n, text));
                                let _ = tx.send(Msg::Prepared(k, n, p));
                            });
                        }
                    },
                    Msg::Prepared(k, n, p) => {
                        prepared.insert(k, (n, p));
                    }
                    Msg::Finished(k, n, o) => {
                        ready.insert(k, (n, o));
                    }
                    Msg::End(c) => total = Some(c),
                    Msg::Failed(e) => return Err(Stop::Input(e)),
                }
                while let Some((n, p)) = prepared.remove(&next_place) {
                    let k = next_place;
                    next_place += 1;
                    let placed = match p {
                        Err(o) => Placed::Done(o),
                        Ok(p) => match guarded(n, || Ok(place(n, p))) {
                            Ok(x) => x,
                            Err(o) => Placed::Done(o),
                        },
                    };
                    match placed {
                        Placed::Done(o) => {
                            ready.insert(k, (n, o));
                        }
                        Placed::Later(job) => {
                            let tx = tx.clone();
                            s.spawn(move |_| {
                                let o = guarded(n, || Ok(job())).unwrap_or_else(|o| o);
                                let _ = tx.send(Msg::Finished(k, n, o));
                            });
                        }
                    }
                }
                while let Some((n, o)) = ready.remove(&next_out) {
                    summary.add(n, &o);
                    sink(n, &o).map_err(Stop::Sink)?;
                    next_out += 1;
                    gate.leave();
                }
            }
        });
        gate.close();
        out
    });
    drop(tx);
    result.map(|()| summary)
}
