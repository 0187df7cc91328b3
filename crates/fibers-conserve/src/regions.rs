//! Which activation patterns the laws must respect: those realised by a dataset, or every
//! linear region of the network found by exact linear programming.
//!
//! # Linear regions (no data)
//!
//! A *linear region* of `f_θ` here is a full-dimensional cell of the arrangement of all
//! neurons: the set of inputs `x` with a fixed activation pattern, when that set has
//! non-empty interior. [`linear_regions`] enumerates all of them exactly, by a depth-first
//! branch over the neurons (layer 1 first, then layer 2, whose pre-activations are affine in `x`
//! once the layer-1 phases are fixed), like the branch tree of docs/theory.md §2. A branch `σ·p(x) ≥ 0`
//! is kept when the cell has interior: the exact LP `maximize t subject to σ·p(x) ≥ t` for every
//! branch taken so far, `t ≤ 1`, has optimum `t* > 0`. The optimal `x` of a leaf lies strictly
//! inside every constraint, so it is an interior *witness point* of the region. A neuron whose
//! pre-activation does not depend on `x` on the cell takes the phase of its constant (0 counts
//! as inactive, see [`crate::model`]; such a neuron is listed in [`PatternSet::degenerate`]). The enumeration is complete: every full-dimensional cell
//! is found, because both branches are explored whenever they have interior.

use crate::model::Pattern;
use fibers_exact::{lp, LinearProgram, LpOutcome, Matrix, Rational};
use fibers_net::Network;

/// Where a pattern set comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternSource {
    /// Patterns realised by the points of a dataset.
    Data {
        /// Number of data points.
        points: usize,
        /// Number of data points at which some neuron is exactly on its kink (counted as
        /// inactive there).
        on_kink: usize,
    },
    /// Every linear region of the network (exact LP enumeration).
    Regions,
}

/// A set of distinct activation patterns, each with a point of `R^{n0}` that realises it.
#[derive(Clone, Debug)]
pub struct PatternSet {
    /// The distinct patterns, sorted.
    pub patterns: Vec<Pattern>,
    /// For each pattern, an input realising it (a data point, or an interior point of the
    /// region).
    pub witnesses: Vec<Vec<Rational>>,
    /// Where the patterns come from.
    pub source: PatternSource,
    /// Neurons `(layer, unit)` whose pre-activation vanishes identically on some linear
    /// region (e.g. `β_k = 0` on the region where every layer-1 neuron is off): there the
    /// phase is a convention (inactive, `σ'(0) = 0`), and the parameter is not generic.
    pub degenerate: Vec<(usize, usize)>,
}

impl PatternSet {
    /// The patterns realised by the points `xs` (each of length `n0`).
    pub fn from_data(net: &Network, xs: &[Vec<Rational>]) -> PatternSet {
        let mut pairs: Vec<(Pattern, Vec<Rational>)> = Vec::new();
        let mut on_kink = 0;
        for x in xs {
            let (p, kink) = Pattern::at(net, x);
            if kink {
                on_kink += 1;
            }
            if !pairs.iter().any(|(q, _)| *q == p) {
                pairs.push((p, x.clone()));
            }
        }
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let (patterns, witnesses) = pairs.into_iter().unzip();
        PatternSet {
            patterns,
            witnesses,
            source: PatternSource::Data {
                points: xs.len(),
                on_kink,
            },
            degenerate: Vec::new(),
        }
    }

    /// A short description, e.g. `"7 linear regions (exact LP enumeration)"`.
    pub fn describe(&self) -> String {
        match &self.source {
            PatternSource::Regions => format!(
                "{} linear regions of the network (exact LP enumeration)",
                self.patterns.len()
            ),
            PatternSource::Data { points, on_kink } => {
                let mut s = format!(
                    "{} activation patterns realised by {} data points",
                    self.patterns.len(),
                    points
                );
                if *on_kink > 0 {
                    s.push_str(&format!(
                        " ({on_kink} on a kink, counted as inactive there)"
                    ));
                }
                s
            }
        }
    }

    /// For each layer-2 neuron: `Some(true)` if active in every pattern, `Some(false)` if
    /// inactive in every pattern, `None` if it changes phase.
    pub fn layer2_constancy(&self) -> Vec<Option<bool>> {
        constancy(self.patterns.iter().map(|p| &p.layer2[..]))
    }

    /// For each layer-1 neuron, as [`PatternSet::layer2_constancy`], over the patterns in
    /// which some layer-2 neuron is active (in the others the output is `b3` and no layer-1
    /// neuron matters).
    pub fn layer1_constancy(&self) -> Vec<Option<bool>> {
        let n1 = self.patterns.first().map_or(0, |p| p.layer1.len());
        let rows: Vec<&[bool]> = self
            .patterns
            .iter()
            .filter(|p| p.layer2.iter().any(|&a| a))
            .map(|p| &p.layer1[..])
            .collect();
        if rows.is_empty() {
            return vec![Some(false); n1];
        }
        constancy(rows.into_iter())
    }

    /// Pairs `k < l` of layer-2 neurons with the same phase in every pattern, and active in
    /// some: their rows and columns can be mixed (the linear block of docs/theory.md §9 when both are
    /// always active).
    pub fn layer2_tied_pairs(&self) -> Vec<(usize, usize)> {
        let n2 = self.patterns.first().map_or(0, |p| p.layer2.len());
        tied(n2, self.patterns.iter().map(|p| &p.layer2[..]).collect())
    }

    /// Pairs `j < l` of layer-1 neurons with the same phase in every pattern in which some
    /// layer-2 neuron is active, and active in some such pattern.
    pub fn layer1_tied_pairs(&self) -> Vec<(usize, usize)> {
        let n1 = self.patterns.first().map_or(0, |p| p.layer1.len());
        tied(
            n1,
            self.patterns
                .iter()
                .filter(|p| p.layer2.iter().any(|&a| a))
                .map(|p| &p.layer1[..])
                .collect(),
        )
    }
}

fn tied(n: usize, rows: Vec<&[bool]>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for k in 0..n {
        for l in k + 1..n {
            if rows.iter().all(|r| r[k] == r[l]) && rows.iter().any(|r| r[k]) {
                out.push((k, l));
            }
        }
    }
    out
}

fn constancy<'a>(rows: impl Iterator<Item = &'a [bool]>) -> Vec<Option<bool>> {
    let mut out: Option<Vec<Option<bool>>> = None;
    for r in rows {
        match &mut out {
            None => out = Some(r.iter().map(|&b| Some(b)).collect()),
            Some(acc) => {
                for (a, &b) in acc.iter_mut().zip(r) {
                    if *a != Some(b) {
                        *a = None;
                    }
                }
            }
        }
    }
    out.unwrap_or_default()
}

/// Why the region enumeration stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// More regions than the limit.
    #[error("more than {0} linear regions; give a dataset with --data instead")]
    TooMany(usize),
}

/// The default limit on the number of linear regions enumerated.
pub const MAX_REGIONS: usize = 4096;

/// An affine function `g·x + c` of the input.
#[derive(Clone, Debug)]
struct Affine {
    g: Vec<Rational>,
    c: Rational,
}

struct Search<'a> {
    net: &'a Network,
    n0: usize,
    /// Rows `(coeffs of x, coeff of t)`, right-hand sides: `row · (x, t) ≤ rhs`.
    rows: Vec<Vec<Rational>>,
    rhs: Vec<Rational>,
    layer1: Vec<bool>,
    layer2: Vec<bool>,
    found: Vec<(Pattern, Vec<Rational>)>,
    degenerate: Vec<(usize, usize)>,
    limit: usize,
    witness: Vec<Rational>,
}

impl Search<'_> {
    /// Optimal `t` and `x` of the current cell, if its interior is non-empty.
    fn interior_point(&self) -> Option<Vec<Rational>> {
        let n = self.n0 + 1;
        let mut rows = self.rows.clone();
        let mut rhs = self.rhs.clone();
        let mut cap = vec![Rational::zero(); n];
        cap[self.n0] = Rational::one();
        rows.push(cap.clone());
        rhs.push(Rational::one());
        let data: Vec<Rational> = rows.into_iter().flatten().collect();
        let a = Matrix::new(rhs.len(), n, data);
        match lp::solve(&LinearProgram::new(a, rhs, cap)) {
            LpOutcome::Optimal { x, value, .. } if value.is_positive() => {
                Some(x[..self.n0].to_vec())
            }
            _ => None,
        }
    }

    fn affine(&self, level: usize, unit: usize) -> Affine {
        let w1 = self.net.w1();
        let b1 = self.net.b1();
        if level == 1 {
            return Affine {
                g: w1[unit].clone(),
                c: b1[unit].clone(),
            };
        }
        let w2 = self.net.w2();
        let mut g = vec![Rational::zero(); self.n0];
        let mut c = self.net.b2()[unit].clone();
        for (j, active) in self.layer1.iter().enumerate() {
            let w = &w2[unit][j];
            if *active && !w.is_zero() {
                for (gi, aji) in g.iter_mut().zip(&w1[j]) {
                    *gi += w * aji;
                }
                c += w * &b1[j];
            }
        }
        Affine { g, c }
    }

    fn branch(&mut self, level: usize, unit: usize) -> Result<(), RegionError> {
        let arch = self.net.arch();
        let (level, unit) = if level == 1 && unit == arch.n1 {
            (2, 0)
        } else {
            (level, unit)
        };
        if level == 2 && unit == arch.n2 {
            if self.found.len() >= self.limit {
                return Err(RegionError::TooMany(self.limit));
            }
            self.found.push((
                Pattern {
                    layer1: self.layer1.clone(),
                    layer2: self.layer2.clone(),
                },
                self.witness.clone(),
            ));
            return Ok(());
        }
        let aff = self.affine(level, unit);
        let set = |s: &mut Self, active: bool| {
            if level == 1 {
                s.layer1.push(active);
            } else {
                s.layer2.push(active);
            }
        };
        let unset = |s: &mut Self| {
            if level == 1 {
                s.layer1.pop();
            } else {
                s.layer2.pop();
            }
        };
        if aff.g.iter().all(Rational::is_zero) {
            if aff.c.is_zero() && !self.degenerate.contains(&(level, unit)) {
                self.degenerate.push((level, unit));
            }
            set(self, aff.c.is_positive());
            self.branch(level, unit + 1)?;
            unset(self);
            return Ok(());
        }
        for active in [true, false] {
            // active: g·x + c ≥ t  ⇔  -g·x + t ≤ c;  inactive: g·x + c ≤ -t  ⇔  g·x + t ≤ -c.
            let sign = if active {
                -Rational::one()
            } else {
                Rational::one()
            };
            let mut row: Vec<Rational> = aff.g.iter().map(|gi| &sign * gi).collect();
            row.push(Rational::one());
            self.rows.push(row);
            self.rhs.push(&sign * &aff.c * -Rational::one());
            if let Some(x) = self.interior_point() {
                let saved = std::mem::replace(&mut self.witness, x);
                set(self, active);
                let r = self.branch(level, unit + 1);
                unset(self);
                self.witness = saved;
                r?;
            }
            self.rows.pop();
            self.rhs.pop();
        }
        Ok(())
    }
}

/// Every linear region of `net` (see the [module docs](self)), with an interior witness point,
/// or an error when there are more than `limit`.
pub fn linear_regions(net: &Network, limit: usize) -> Result<PatternSet, RegionError> {
    let n0 = net.arch().n0;
    let mut s = Search {
        net,
        n0,
        rows: Vec::new(),
        rhs: Vec::new(),
        layer1: Vec::new(),
        layer2: Vec::new(),
        found: Vec::new(),
        degenerate: Vec::new(),
        limit,
        witness: vec![Rational::zero(); n0],
    };
    s.branch(1, 0)?;
    let mut found = s.found;
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let (patterns, witnesses) = found.into_iter().unzip();
    let mut degenerate = s.degenerate;
    degenerate.sort();
    Ok(PatternSet {
        patterns,
        witnesses,
        source: PatternSource::Regions,
        degenerate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_net::{Architecture, Layer};

    fn r(v: i64) -> Rational {
        Rational::from(v)
    }

    #[test]
    fn one_dimensional_regions() {
        // n0 = 1, n1 = 2: y0 = x, y1 = -x + 1; layer 2: z0 = u0 - u1 (+0), one output.
        let arch = Architecture::new(1, 2, 1, 1);
        let net = Network::new(
            arch,
            [
                Layer {
                    weight: vec![vec![r(1)], vec![r(-1)]],
                    bias: vec![r(0), r(1)],
                },
                Layer {
                    weight: vec![vec![r(1), r(-1)]],
                    bias: vec![r(0)],
                },
                Layer {
                    weight: vec![vec![r(1)]],
                    bias: vec![r(0)],
                },
            ],
        )
        .unwrap();
        let regions = linear_regions(&net, 100).unwrap();
        // x < 0: u = (0, 1-x), z = x - 1 < 0.  0 < x < 1: z = 2x - 1 changes sign at 1/2.
        // x > 1: u = (x, 0), z = x > 0.
        let shown: Vec<String> = regions.patterns.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown, vec!["-+|-", "+-|+", "++|-", "++|+"]);
        for (p, w) in regions.patterns.iter().zip(&regions.witnesses) {
            let (q, kink) = Pattern::at(&net, w);
            assert!(!kink);
            assert_eq!(&q, p);
        }
        let data = PatternSet::from_data(&net, &[vec![r(-3)], vec![r(5)], vec![r(0)]]);
        // x = 0 has y0 = 0 (counted inactive): the same pattern as x = -3.
        assert_eq!(data.patterns.len(), 2);
        assert_eq!(
            data.source,
            PatternSource::Data {
                points: 3,
                on_kink: 1
            }
        );
        assert_eq!(regions.layer2_constancy(), vec![None]);
        assert!(matches!(
            linear_regions(&net, 2),
            Err(RegionError::TooMany(2))
        ));
    }
}
