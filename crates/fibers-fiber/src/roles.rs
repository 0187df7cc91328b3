//! Role assignments of the layer-2 neurons of a fiber parameter, modulo permutations
//! (docs/theory.md §8), their enumeration and the exact test of which ones are realisable.
//!
//! Relative to the target data `G_s` (kinks labelled `P_0 … P_{K−1}`, and `N_h = P_K` on the
//! branch `s > 0`), each layer-2 neuron of a parameter `θ'` in canonical layer-1 coordinates
//! is one of
//!
//! - a **member of kink `P`**: `(w', β') = μ ẑ_P(s)` with `μ > 0` or (flipped) `μ < 0`;
//! - **linear**: `(w', β') ≥ 0`;
//! - **dead**: `(w', β') ≤ 0`;
//! - **null**: `v' = 0`;
//! - a **member of a zero-sum group** on a hyperplane `ν` that is not a kink of `G_s`:
//!   `(w', β') = ρ ν`, the leader having `ρ = 1`, the group's `Σ |ρ| v' = 0`.
//!
//! A [`PartKey`] counts the roles (this is the assignment modulo permutations of layer 2); a
//! part of the description is nonempty iff every kink has a member and the affine balance of
//! [`crate::affine`] has a solution ([`PartKey::problem`]).

use crate::affine::AffineProblem;
use crate::model::{Branch, Target};
use fibers_exact::Rational;
use std::fmt;

/// The role of one slot (a layer-2 neuron in the standard order of its part).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlotRole {
    /// Member of the kink with this label; `negative` means `μ < 0` (flipped).
    Kink {
        /// The kink label.
        label: usize,
        /// `μ < 0`.
        negative: bool,
    },
    /// `(w, β) ≥ 0`.
    Linear,
    /// `(w, β) ≤ 0`.
    Dead,
    /// `v = 0`.
    Null,
    /// Member of zero-sum group `group`.
    Group {
        /// The group (index into [`PartKey::groups`]).
        group: usize,
        /// The leader (`ρ = 1`, carries the hyperplane).
        leader: bool,
        /// `ρ < 0`.
        opposite: bool,
    },
}

impl SlotRole {
    /// Short text: `P0+`, `P1-`, `linear`, `dead`, `null`, `Z0 leader`, `Z0+`, `Z0-`.
    pub fn label(&self) -> String {
        match *self {
            SlotRole::Kink { label, negative } => {
                format!("P{label}{}", if negative { "-" } else { "+" })
            }
            SlotRole::Linear => "linear".into(),
            SlotRole::Dead => "dead".into(),
            SlotRole::Null => "null".into(),
            SlotRole::Group {
                group,
                leader,
                opposite,
            } => {
                if leader {
                    format!("Z{group}*")
                } else {
                    format!("Z{group}{}", if opposite { "-" } else { "+" })
                }
            }
        }
    }
}

/// A role assignment modulo permutations of layer 2, on one branch of the hidden shift.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartKey {
    /// The branch of `s`.
    pub branch: Branch,
    /// `(members with μ > 0, members with μ < 0)` per kink label.
    pub kinks: Vec<(usize, usize)>,
    /// Linear neurons.
    pub linear: usize,
    /// Dead neurons.
    pub dead: usize,
    /// Null neurons.
    pub null: usize,
    /// Zero-sum groups `(members on the leader's side incl. the leader, opposite members)`,
    /// each with `same ≥ opposite`, `same ≥ 1`, `same + opposite ≥ 2`; sorted decreasingly.
    pub groups: Vec<(usize, usize)>,
}

impl PartKey {
    /// The slots in standard order: kinks by label (`μ > 0` first), linear, dead, null,
    /// groups (leader, same side, opposite side).
    pub fn slots(&self) -> Vec<SlotRole> {
        let mut out = Vec::new();
        for (label, &(p, q)) in self.kinks.iter().enumerate() {
            out.extend(std::iter::repeat_n(
                SlotRole::Kink {
                    label,
                    negative: false,
                },
                p,
            ));
            out.extend(std::iter::repeat_n(
                SlotRole::Kink {
                    label,
                    negative: true,
                },
                q,
            ));
        }
        out.extend(std::iter::repeat_n(SlotRole::Linear, self.linear));
        out.extend(std::iter::repeat_n(SlotRole::Dead, self.dead));
        out.extend(std::iter::repeat_n(SlotRole::Null, self.null));
        for (group, &(same, opp)) in self.groups.iter().enumerate() {
            out.push(SlotRole::Group {
                group,
                leader: true,
                opposite: false,
            });
            out.extend(std::iter::repeat_n(
                SlotRole::Group {
                    group,
                    leader: false,
                    opposite: false,
                },
                same - 1,
            ));
            out.extend(std::iter::repeat_n(
                SlotRole::Group {
                    group,
                    leader: false,
                    opposite: true,
                },
                opp,
            ));
        }
        out
    }

    /// Number of slots.
    pub fn size(&self) -> usize {
        self.kinks.iter().map(|(p, q)| p + q).sum::<usize>()
            + self.linear
            + self.dead
            + self.null
            + self.groups.iter().map(|(p, q)| p + q).sum::<usize>()
    }

    /// Number of zero-sum groups with members on both sides (each supplies a free rank-one
    /// affine term).
    pub fn mixed_groups(&self) -> usize {
        self.groups.iter().filter(|g| g.1 > 0).count()
    }

    /// The affine balance of this assignment against the target data.
    pub fn problem(&self, target: &Target) -> AffineProblem {
        let n1 = target.linear.first().map_or(0, Vec::len);
        let mut b = target.linear.clone();
        let mut mixed = Vec::new();
        for (i, &(p, q)) in self.kinks.iter().enumerate() {
            let w = target.kink_weights(i);
            if p == 0 && q > 0 {
                for (row, j) in b.iter_mut().zip(&target.kinks[i].jump) {
                    for (x, wi) in row.iter_mut().zip(&w) {
                        *x += j * wi;
                    }
                }
            } else if p > 0 && q > 0 {
                mixed.push(w);
            }
        }
        AffineProblem {
            n1,
            b,
            mixed,
            groups: self.mixed_groups(),
            linear: self.linear,
        }
    }

    /// Whether the part is nonempty (exact).
    pub fn realisable(&self, target: &Target) -> bool {
        self.kinks.iter().all(|&(p, q)| p + q >= 1) && self.problem(target).feasible()
    }

    /// Whether every point of the part has a kink member with `v = 0`, so that the part lies
    /// inside the part where that member is null (it is then left out of the description,
    /// which does not change the union). Decided in two cases (otherwise `false`): a single
    /// mixed zero-sum group and nothing else to balance a zero `B` (its `E` must vanish); and
    /// no linear neurons and no mixed groups: then the flipped totals `F_P` of the mixed kinks solve
    /// `Σ_P F_P ŵ_Pᵀ = −B`, and `F_P` is forced when `ŵ_P` is outside the span of the other
    /// mixed kinks' weights; a forced `F_P = J_P` (resp. `0`) with a single unflipped (resp.
    /// flipped) member forces that member's `v` to vanish.
    pub fn degenerate(&self, target: &Target) -> bool {
        let prob = self.problem(target);
        if prob.linear == 0
            && prob.mixed.is_empty()
            && prob.groups == 1
            && prob.b.iter().all(|r| r.iter().all(Rational::is_zero))
        {
            // The one mixed group must supply E ν = 0 with ν's weights nonzero (else its
            // members are not crossing): E = 0, so a side with a single member has v = 0.
            let &(p, q) = self
                .groups
                .iter()
                .find(|g| g.1 > 0)
                .expect("one mixed group");
            return p == 1 || q == 1;
        }
        if prob.linear > 0 || prob.groups > 0 || prob.mixed.is_empty() {
            return false;
        }
        let mixed_labels: Vec<usize> = (0..self.kinks.len())
            .filter(|&i| self.kinks[i].0 > 0 && self.kinks[i].1 > 0)
            .collect();
        for (m, &label) in mixed_labels.iter().enumerate() {
            let others: Vec<Vec<Rational>> = prob
                .mixed
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != m)
                .map(|(_, w)| w.clone())
                .collect();
            if crate::lin::in_span(&others, &prob.mixed[m]) {
                continue; // F_P not forced
            }
            // F_{P,o} is the (unique) coefficient of ŵ_P in −b_o.
            let jump = &target.kinks[label].jump;
            let mut forced = Vec::with_capacity(prob.b.len());
            for row in &prob.b {
                let rhs: Vec<Rational> = row.iter().map(|x| -x).collect();
                match crate::lin::solve_columns(&prob.mixed, &rhs) {
                    Some(c) => forced.push(c[m].clone()),
                    None => return false, // infeasible: not our concern here
                }
            }
            let (p, q) = self.kinks[label];
            let zero = forced.iter().all(Rational::is_zero);
            let all = forced.iter().zip(jump).all(|(f, j)| f == j);
            if (p == 1 && all) || (q == 1 && zero) {
                return true;
            }
        }
        false
    }

    /// Whether every slot is a kink member with exactly one member per kink.
    pub fn rigid(&self) -> bool {
        self.kinks.iter().all(|&(p, q)| p + q == 1)
            && self.linear == 0
            && self.dead == 0
            && self.null == 0
            && self.groups.is_empty()
    }

    /// A one-line summary such as `s >= 0: P0+ P1- linear dead x2`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (label, &(p, q)) in self.kinks.iter().enumerate() {
            for (n, sign) in [(p, "+"), (q, "-")] {
                match n {
                    0 => {}
                    1 => parts.push(format!("P{label}{sign}")),
                    _ => parts.push(format!("P{label}{sign} x{n}")),
                }
            }
        }
        for (n, name) in [
            (self.linear, "linear"),
            (self.dead, "dead"),
            (self.null, "null"),
        ] {
            match n {
                0 => {}
                1 => parts.push(name.to_string()),
                _ => parts.push(format!("{name} x{n}")),
            }
        }
        for (g, &(p, q)) in self.groups.iter().enumerate() {
            parts.push(format!("Z{g}({p}+{q}-)"));
        }
        let roles = if parts.is_empty() {
            "(no neurons)".to_string()
        } else {
            parts.join(" ")
        };
        match self.branch {
            Branch::NoShift => roles,
            b => format!("{}: {roles}", b.label()),
        }
    }
}

impl fmt::Display for PartKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

/// The result of [`enumerate`].
#[derive(Clone, Debug)]
pub struct Enumeration {
    /// Realisable assignments, in enumeration order.
    pub parts: Vec<PartKey>,
    /// Candidate assignments examined.
    pub examined: usize,
    /// Candidates rejected: empty (the affine balance has no solution) or contained in
    /// another part ([`PartKey::degenerate`]).
    pub rejected: usize,
    /// Whether the budget stopped the enumeration.
    pub truncated: bool,
}

/// Group patterns `(same, opposite)` of a given size, decreasing.
fn patterns(size: usize) -> Vec<(usize, usize)> {
    (0..=size / 2).map(|q| (size - q, q)).collect()
}

/// Multisets of group patterns with total size `g`, each sorted decreasingly.
fn group_multisets(g: usize) -> Vec<Vec<(usize, usize)>> {
    fn rec(
        left: usize,
        max: (usize, usize),
        cur: &mut Vec<(usize, usize)>,
        out: &mut Vec<Vec<(usize, usize)>>,
    ) {
        if left == 0 {
            out.push(cur.clone());
            return;
        }
        for size in 2..=left {
            for p in patterns(size) {
                if p <= max {
                    cur.push(p);
                    rec(left - size, p, cur, out);
                    cur.pop();
                }
            }
        }
    }
    let mut out = Vec::new();
    rec(g, (usize::MAX, usize::MAX), &mut Vec::new(), &mut out);
    out
}

/// All realisable role assignments of `n2` neurons against the targets of the given branches,
/// examining at most `budget` candidates; `progress` is called with the number examined.
pub fn enumerate(
    targets: &[Target],
    n2: usize,
    budget: usize,
    progress: &mut dyn FnMut(usize),
) -> Enumeration {
    let mut e = Enumeration {
        parts: Vec::new(),
        examined: 0,
        rejected: 0,
        truncated: false,
    };
    for target in targets {
        let k = target.kinks.len();
        if k > n2 {
            continue;
        }
        let mut counts = vec![(0usize, 0usize); k];
        if !kinks_rec(target, n2, 0, n2, &mut counts, budget, &mut e, progress) {
            e.truncated = true;
            break;
        }
    }
    e
}

#[allow(clippy::too_many_arguments)]
fn kinks_rec(
    target: &Target,
    n2: usize,
    i: usize,
    left: usize,
    counts: &mut Vec<(usize, usize)>,
    budget: usize,
    e: &mut Enumeration,
    progress: &mut dyn FnMut(usize),
) -> bool {
    let k = counts.len();
    if i == k {
        for linear in 0..=left {
            for dead in 0..=left - linear {
                for null in 0..=left - linear - dead {
                    let g = left - linear - dead - null;
                    if g == 1 {
                        continue;
                    }
                    for groups in group_multisets(g) {
                        if e.examined >= budget {
                            return false;
                        }
                        e.examined += 1;
                        if e.examined.is_multiple_of(64) {
                            progress(e.examined);
                        }
                        let key = PartKey {
                            branch: target.branch,
                            kinks: counts.clone(),
                            linear,
                            dead,
                            null,
                            groups,
                        };
                        debug_assert_eq!(key.size(), n2);
                        if key.realisable(target) && !key.degenerate(target) {
                            e.parts.push(key);
                        } else {
                            e.rejected += 1;
                        }
                    }
                }
            }
        }
        return true;
    }
    // Kink i needs at least one member; keep one slot for each later kink.
    let reserve = k - i - 1;
    for total in 1..=left.saturating_sub(reserve) {
        for q in 0..=total {
            counts[i] = (total - q, q);
            if !kinks_rec(target, n2, i + 1, left - total, counts, budget, e, progress) {
                return false;
            }
        }
    }
    counts[i] = (0, 0);
    true
}

/// Sign of the first nonzero entry of a vector and the vector divided by that entry.
pub fn normalise(v: &[Rational]) -> Option<(Rational, Vec<Rational>)> {
    let f = v.iter().find(|x| !x.is_zero())?.clone();
    let inv = f.recip().expect("nonzero");
    Some((f, v.iter().map(|x| x * &inv).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_multisets_are_complete_and_canonical() {
        assert_eq!(group_multisets(0), vec![Vec::<(usize, usize)>::new()]);
        assert!(group_multisets(1).is_empty());
        assert_eq!(group_multisets(2), vec![vec![(2, 0)], vec![(1, 1)]]);
        // size 4: one group (4,0),(3,1),(2,2) or two groups of 2: {(2,0),(2,0)},
        // {(2,0),(1,1)}, {(1,1),(1,1)}.
        assert_eq!(group_multisets(4).len(), 6);
    }
}
