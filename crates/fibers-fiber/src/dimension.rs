//! The dimension formula of docs/theory.md §8 and the local dimension of a part from the exact rank
//! of its Jacobian.
//!
//! For a generic bottleneck parameter with non-constant `f`, with `C`, `L`, `D` the crossing,
//! linear and dead layer-2 neurons and `[h] = 1` if a hidden layer-1 neuron exists:
//!
//! ```text
//! dim Fib(θ) = n1 + [h] + |C| + |D|(n1 + 1 + n3) + lin(|L|),
//! lin(m) = m(n1 + n3 + 1) − r(n1 + n3 − r),  r = min(m, n1, n3).
//! ```
//!
//! For constant `f`: `D − n3`. The formula's hypotheses exclude null neurons (`v_k = 0` or
//! `(w_k, β_k) = 0`), positively parallel crossing neurons, and a layer-1 neuron that admits the
//! hidden shift of docs/theory.md §5 (Theorem 5.7) without being hidden in the raw sense
//! (Definition 4.3), which `[h]` does not count; [`dimension_formula`] names the failing
//! hypothesis in [`Formula::note`], and then the value must not be reported.

use crate::model::Frame;
use crate::roles::PartKey;
use crate::system::lifted_set;
use fibers_bottleneck::orthant::{layer2_roles, Layer2Role};
use fibers_net::Network;
use fibers_semialg::{LocalDimension, Point};

/// `lin(m)` of docs/theory.md §8.
pub fn lin(m: usize, n1: usize, n3: usize) -> usize {
    if m == 0 {
        return 0;
    }
    let r = m.min(n1).min(n3);
    m * (n1 + n3 + 1) - r * (n1 + n3 - r)
}

/// The value of the docs/theory.md §8 formula at a parameter, with a note when the parameter is
/// outside what the formula covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Formula {
    /// The value of the expression (meaningful only when [`Formula::applies`]).
    pub value: usize,
    /// The hypothesis of the formula that fails at the parameter, if one does (null neurons,
    /// parallel crossing neurons, a shiftable layer-1 neuron that is not raw-hidden, live
    /// neurons of a constant function).
    pub note: Option<String>,
}

impl Formula {
    /// Whether every hypothesis holds (the value may then be reported).
    pub fn applies(&self) -> bool {
        self.note.is_none()
    }

    /// The value where the hypotheses hold.
    pub fn value_if_applies(&self) -> Option<usize> {
        self.applies().then_some(self.value)
    }

    /// `"12"`, or `"not applicable (hypothesis fails: …)"`.
    pub fn display(&self) -> String {
        match &self.note {
            None => self.value.to_string(),
            Some(n) => format!("not applicable (hypothesis fails: {n})"),
        }
    }
}

/// Layer-1 neurons that admit the hidden shift of docs/theory.md §5 (Theorem 5.7) by some
/// `t ≠ 0` without being raw-hidden (Definition 4.3): every layer-2 neuron with `v_k ≠ 0` and
/// `w_kh ≠ 0` has `β_k ≤ 0` and `w_ki ≤ 0` for `i ≠ h` (so `t ≥ 0` is allowed), while some
/// neuron with `v_k ≠ 0` and `w_kh = 0` breaks the raw condition. The formula's `[h]` does not
/// count such a shift direction.
pub fn shiftable_not_raw_hidden(net: &Network) -> Vec<usize> {
    let a = net.arch();
    let v_zero = |k: usize| net.w3().iter().all(|row| row[k].is_zero());
    (0..a.n1)
        .filter(|&h| {
            let users: Vec<usize> = (0..a.n2)
                .filter(|&k| !v_zero(k) && !net.w2()[k][h].is_zero())
                .collect();
            !users.is_empty()
                && users.iter().all(|&k| {
                    !net.b2()[k].is_positive()
                        && (0..a.n1).all(|i| i == h || !net.w2()[k][i].is_positive())
                })
                && !crate::orbit::is_hidden(net, h)
        })
        .collect()
}

/// docs/theory.md §8 for a non-constant bottleneck parameter (`hidden`: a hidden layer-1 neuron
/// exists; `parallel`: number of crossing neurons sharing a hyperplane with another).
pub fn dimension_formula(net: &Network, hidden: bool, parallel: usize) -> Formula {
    let a = net.arch();
    let roles = layer2_roles(net);
    let count = |r: Layer2Role| roles.iter().filter(|x| **x == r).count();
    let (c, l, d, z) = (
        count(Layer2Role::Crossing),
        count(Layer2Role::Linear),
        count(Layer2Role::Dead),
        count(Layer2Role::Null),
    );
    let h = usize::from(hidden && c > 0);
    let value = a.n1 + h + c + d * (a.n1 + 1 + a.n3) + lin(l, a.n1, a.n3);
    let mut notes = Vec::new();
    if z > 0 {
        let null: Vec<String> = (0..roles.len())
            .filter(|&k| roles[k] == Layer2Role::Null)
            .map(|k| k.to_string())
            .collect();
        notes.push(format!(
            "no null layer-2 neuron: neuron(s) {} have v = 0 or (w, b) = 0, whose free \
             parameters the formula does not count",
            null.join(", ")
        ));
    }
    let shiftable = shiftable_not_raw_hidden(net);
    if !shiftable.is_empty() {
        let hs: Vec<String> = shiftable.iter().map(|h| h.to_string()).collect();
        notes.push(format!(
            "every shiftable layer-1 neuron is raw-hidden: neuron(s) {} admit the hidden shift \
             (docs/theory.md §5, Theorem 5.7) without being raw-hidden (Definition 4.3), and [h] \
             does not count that direction",
            hs.join(", ")
        ));
    }
    if parallel > 0 {
        notes.push(format!(
            "distinct crossing hyperplanes: {parallel} crossing neurons share hyperplanes"
        ));
    }
    Formula {
        value,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// docs/theory.md §8 for a constant function: `D − n3`.
pub fn constant_formula(net: &Network) -> Formula {
    let a = net.arch();
    let roles = layer2_roles(net);
    let live = roles
        .iter()
        .filter(|r| matches!(r, Layer2Role::Crossing | Layer2Role::Linear))
        .count();
    Formula {
        value: a.param_count() - a.n3,
        note: (live > 0).then(|| {
            format!("every layer-2 neuron dead: {live} layer-2 neuron(s) are crossing or linear")
        }),
    }
}

/// The local dimension of a part at a parameter, from the lifted set (parameters and
/// auxiliary values together); `aux` must be the parameter's auxiliary values.
pub fn part_dimension(
    frame: &Frame,
    key: &PartKey,
    point: &Point,
    aux: &Point,
) -> Result<LocalDimension, String> {
    let set = lifted_set(frame, key);
    let mut full = point.clone();
    full.extend(aux.iter().map(|(k, v)| (k.clone(), v.clone())));
    set.local_dimension(&full).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lin_matches_theory_instances() {
        // (2,2,3,2) two linear: lin(2) = 2·5 − 2·2 = 6; docs/theory.md: dim 9 = n1 + |C| + lin(2)
        // with one crossing: 2 + 1 + 6.
        assert_eq!(lin(2, 2, 2), 6);
        // (2,2,2,1) one linear: lin(1) = 4 − 1·2 = 2; dim 5 = 2 + 1 + 2.
        assert_eq!(lin(1, 2, 1), 2);
        // (2,2,4,2) three linear: lin(3) = 15 − 2·2 = 11; dim 14 = 2 + 1 + 11.
        assert_eq!(lin(3, 2, 2), 11);
        assert_eq!(lin(0, 2, 2), 0);
    }
}
