//! Closing one cell of the joint layer-1 arrangement (docs/theory.md §11).
//!
//! On a cell P every layer-1 phase is fixed, so each network restricted to P is a
//! one-hidden-layer network in x. The closer compares the canonical data of the two restricted
//! networks: first over all of `R^{n0}` (an identity, no LP); then with the neurons of every
//! differing hyperplane that misses the interior of P fixed by LP-dual bounds and folded into the
//! affine part; if the data still differ, a witness is built next to a differing hyperplane that
//! meets the interior of P (or, when only the affine parts differ, at an LP optimum of the
//! affine difference), and checked by exact evaluation of both networks.
//!
//! The first two steps run in machine integers when everything fits (`small.rs` for the
//! canonical data; the cell's split rows scaled to primitive integer rows and `i128` LPs for the
//! fixes, their multipliers scaled back to the stored rows); the rational path runs otherwise,
//! and always for witnesses.

use fibers_check::{NeuronId, Phase, Side, Sparse};
use fibers_exact::lp::{optimum_i128, solve, LinearProgram, LpOutcome};
use fibers_exact::{Integer, Matrix, Rational};
use fibers_net::Network;
use fibers_tree::tree::{Cell, CellClose};
use std::collections::HashMap;

use crate::small::{self, SmallNet};

type Affine = Vec<Rational>;

/// One layer-2 neuron of a restricted network: `v σ(z(x))`.
struct Term {
    /// Which neuron.
    id: NeuronId,
    /// Its pre-activation on the cell (affine in x).
    z: Affine,
    /// Its outgoing column (one entry per output).
    v: Vec<Rational>,
}

/// Canonical data: affine part (one form per output) and the jump vector of every
/// normalised hyperplane (first nonzero linear coefficient 1).
struct Data {
    affine: Vec<Affine>,
    jumps: HashMap<Affine, Vec<Rational>>,
}

/// Integer tables of one network's layer-2 pre-activations on a cell, updated as the layer-1
/// phases change from cell to cell (the cells come in depth-first order, so consecutive cells
/// differ in few phases): `z_k = (base_k + Σ_{j active} tab_kj) / den_k`.
struct Tables {
    /// The layer-2 neurons that matter, with their outgoing columns.
    neurons: Vec<(usize, Vec<Rational>)>,
    den: Vec<Integer>,
    /// Per neuron that matters, per layer-1 neuron: `den_k · w2_kj · (w1_j, b1_j)` (`None` if
    /// `w2_kj = 0`).
    tab: Vec<Vec<Option<Vec<Integer>>>>,
    /// Layer-1 neurons active in `cur`.
    active: Vec<bool>,
    /// Current numerators (for the phases in `active`, which lag behind `want` while the
    /// machine-integer tables answer).
    cur: Vec<Vec<Integer>>,
    /// The layer-1 phases of the current cell.
    want: Vec<bool>,
    /// The same tables in machine integers, when everything fits.
    small: Option<SmallNet>,
}

fn lcm(a: &Integer, b: &Integer) -> Integer {
    (a * b).abs().div_exact(&a.gcd(b))
}

impl Tables {
    fn new(n: &Network) -> Self {
        let arch = n.arch();
        let n0 = arch.n0;
        let (mut neurons, mut den, mut tab, mut cur) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        // Layer 1 as (numerator, denominator) pairs, when they fit (then the tables are built
        // in machine integers, to the same values).
        let l1: Option<Vec<Vec<(i128, i128)>>> = (0..arch.n1)
            .map(|j| n.w1()[j].iter().chain([&n.b1()[j]]).map(parts).collect())
            .collect();
        for k in 0..arch.n2 {
            let v: Vec<Rational> = (0..arch.n3).map(|o| n.w3()[o][k].clone()).collect();
            if v.iter().all(Rational::is_zero) {
                continue;
            }
            if let Some((t, base, d)) = l1.as_ref().and_then(|l1| small_tables(n, k, l1)) {
                tab.push(t);
                cur.push(base);
                den.push(d);
                neurons.push((k, v));
                continue;
            }
            let prods: Vec<Option<Vec<Rational>>> = (0..arch.n1)
                .map(|j| {
                    let w = &n.w2()[k][j];
                    (!w.is_zero()).then(|| {
                        let mut f: Vec<Rational> = n.w1()[j].iter().map(|c| w * c).collect();
                        f.push(w * &n.b1()[j]);
                        f
                    })
                })
                .collect();
            let mut d = n.b2()[k].denom();
            for f in prods.iter().flatten() {
                for x in f {
                    d = lcm(&d, &x.denom());
                }
            }
            let scale = |x: &Rational| x.numer() * d.div_exact(&x.denom());
            let mut base = vec![Integer::zero(); n0 + 1];
            base[n0] = scale(&n.b2()[k]);
            tab.push(
                prods
                    .iter()
                    .map(|f| f.as_ref().map(|f| f.iter().map(scale).collect()))
                    .collect(),
            );
            cur.push(base);
            den.push(d);
            neurons.push((k, v));
        }
        let small = SmallNet::new(n, &neurons, &den, &tab, &cur);
        Tables {
            neurons,
            den,
            tab,
            active: vec![false; arch.n1],
            cur,
            want: vec![false; arch.n1],
            small,
        }
    }

    /// Brings the rational numerators `cur` to the phases of the current cell.
    fn sync(&mut self) {
        for j in 0..self.want.len() {
            let on = self.want[j];
            if on == self.active[j] {
                continue;
            }
            self.active[j] = on;
            for (t, z) in self.tab.iter().zip(self.cur.iter_mut()) {
                if let Some(f) = &t[j] {
                    for (a, c) in z.iter_mut().zip(f) {
                        if on {
                            *a += c;
                        } else {
                            *a -= c;
                        }
                    }
                }
            }
        }
    }

    /// Moves to the layer-1 phases of a cell.
    fn update(&mut self, phases: &[Option<Phase>]) -> Result<(), String> {
        for (j, ph) in phases.iter().enumerate() {
            let on = match ph {
                Some(Phase::Active) => true,
                Some(Phase::Inactive) => false,
                None => {
                    if self.tab.iter().any(|t| t[j].is_some()) {
                        return Err(format!("layer-1 neuron {j} has no phase in a cell"));
                    }
                    false
                }
            };
            self.want[j] = on;
            if let Some(s) = &mut self.small {
                s.set(j, on);
            }
        }
        if self.small.is_none() {
            self.sync();
        }
        Ok(())
    }
}

/// One layer-2 neuron's integer tables: per layer-1 neuron, the base, the denominator.
type NeuronTables = (Vec<Option<Vec<Integer>>>, Vec<Integer>, Integer);

/// A neuron's primitive hyperplane key and factor (see `small::SmallNet::key`).
type NeuronKey = Option<(Vec<i128>, i128)>;

/// `x` as (numerator, positive denominator) when both fit in 64 bits.
fn parts(x: &Rational) -> Option<(i128, i128)> {
    Some((
        i128::from(x.numer().to_i64()?),
        i128::from(x.denom().to_i64()?),
    ))
}

/// The integer tables of layer-2 neuron `k` (as in [`Tables::new`]: per layer-1 neuron
/// `d · w2_kj · (w1_j, b1_j)`, the base `d · b2_k`, and the least common denominator `d`)
/// computed in machine integers from layer 1 as pairs `l1`; `None` when something does not fit.
fn small_tables(n: &Network, k: usize, l1: &[Vec<(i128, i128)>]) -> Option<NeuronTables> {
    let n0 = n.arch().n0;
    let b2 = parts(&n.b2()[k])?;
    let mut d = b2.1;
    let mut prods = Vec::with_capacity(l1.len());
    for (j, row) in l1.iter().enumerate() {
        let w = &n.w2()[k][j];
        if w.is_zero() {
            prods.push(None);
            continue;
        }
        let (p, q) = parts(w)?;
        let f = row
            .iter()
            .map(|&(r, t)| {
                let (num, den) = (p.checked_mul(r)?, q.checked_mul(t)?);
                let g = gcd(num, den);
                Some((num / g, den / g))
            })
            .collect::<Option<Vec<_>>>()?;
        for &(_, den) in &f {
            d = d.checked_mul(den / gcd(d, den))?;
        }
        prods.push(Some(f));
    }
    let scale = |(num, den): (i128, i128)| num.checked_mul(d / den).map(int);
    let mut base = vec![Integer::zero(); n0 + 1];
    base[n0] = scale(b2)?;
    let tab = prods
        .into_iter()
        .map(|f| match f {
            None => Some(None),
            Some(f) => f
                .into_iter()
                .map(scale)
                .collect::<Option<Vec<_>>>()
                .map(Some),
        })
        .collect::<Option<Vec<_>>>()?;
    Some((tab, base, int(d)))
}

/// Counters of the closer.
#[derive(Clone, Debug, Default)]
pub struct CellStats {
    /// Cells closed by the identity (no LP).
    pub identity: u64,
    /// Of these, cells closed by the identity in machine integers.
    pub small: u64,
    /// Cells closed after LP fixes.
    pub with_fixes: u64,
    /// Of these, cells closed after fixes found in machine integers.
    pub small_fixes: u64,
    /// Layer-2 neurons fixed by LP-dual bounds.
    pub fixes: u64,
    /// Linear programs solved.
    pub lps: u64,
}

/// Closes cells for [`crate::cells::layer1_cells`].
pub struct Closer<'a> {
    nets: [&'a Network; 2],
    tables: [Tables; 2],
    n0: usize,
    /// The counters.
    pub stats: CellStats,
}

fn side(s: usize) -> Side {
    if s == 0 {
        Side::A
    } else {
        Side::B
    }
}

fn add_outer(acc: &mut [Affine], v: &[Rational], z: &[Rational]) {
    for (f, vo) in acc.iter_mut().zip(v) {
        if vo.is_zero() {
            continue;
        }
        for (a, c) in f.iter_mut().zip(z) {
            if !c.is_zero() {
                *a += vo * c;
            }
        }
    }
}

fn eval_affine(f: &[Rational], x: &[Rational]) -> Rational {
    let n = x.len();
    let mut s = f[n].clone();
    for (c, xi) in f[..n].iter().zip(x) {
        if !c.is_zero() && !xi.is_zero() {
            s += c * xi;
        }
    }
    s
}

fn dot(a: &[Rational], b: &[Rational]) -> Rational {
    let mut s = Rational::zero();
    for (x, y) in a.iter().zip(b) {
        if !x.is_zero() && !y.is_zero() {
            s += x * y;
        }
    }
    s
}

/// The first nonzero linear coefficient of `z` and its index.
fn leading(z: &[Rational], n0: usize) -> Option<(usize, Rational)> {
    z[..n0]
        .iter()
        .position(|c| !c.is_zero())
        .map(|i| (i, z[i].clone()))
}

impl<'a> Closer<'a> {
    /// A closer for the pair `(a, b)` (same input and output widths).
    pub fn new(a: &'a Network, b: &'a Network) -> Self {
        Closer {
            nets: [a, b],
            tables: [Tables::new(a), Tables::new(b)],
            n0: a.arch().n0,
            stats: CellStats::default(),
        }
    }

    /// The layer-2 neurons that matter of network `s`, restricted to the cell.
    fn terms(&mut self, s: usize, cell: &Cell) -> Result<Vec<Term>, String> {
        let t = &mut self.tables[s];
        t.update(&cell.phases[s])?;
        t.sync();
        Ok(t.neurons
            .iter()
            .zip(&t.cur)
            .zip(&t.den)
            .map(|(((k, v), z), d)| Term {
                id: NeuronId {
                    side: side(s),
                    layer: 2,
                    index: *k,
                },
                z: z.iter()
                    .map(|x| Rational::new(x.clone(), d.clone()).expect("positive denominator"))
                    .collect(),
                v: v.clone(),
            })
            .collect())
    }

    /// Canonical data of a restricted network; `fixed` gives phases that hold on the cell.
    fn data(&self, s: usize, terms: &[Term], fixed: &HashMap<NeuronId, Phase>) -> Data {
        let n = self.nets[s];
        let n0 = self.n0;
        let n3 = n.arch().n3;
        let mut affine: Vec<Affine> = (0..n3)
            .map(|o| {
                let mut f = vec![Rational::zero(); n0 + 1];
                f[n0] = n.b3()[o].clone();
                f
            })
            .collect();
        let mut jumps: HashMap<Affine, Vec<Rational>> = HashMap::new();
        for t in terms {
            match fixed.get(&t.id) {
                Some(Phase::Active) => {
                    add_outer(&mut affine, &t.v, &t.z);
                    continue;
                }
                Some(Phase::Inactive) => continue,
                None => {}
            }
            let Some((_, c)) = leading(&t.z, n0) else {
                if t.z[n0].is_positive() {
                    add_outer(&mut affine, &t.v, &t.z);
                }
                continue;
            };
            if c.is_negative() {
                add_outer(&mut affine, &t.v, &t.z);
            }
            let key: Affine = t.z.iter().map(|x| x / &c).collect();
            let abs = c.abs();
            let jump = jumps
                .entry(key)
                .or_insert_with(|| vec![Rational::zero(); n3]);
            for (j, vo) in jump.iter_mut().zip(&t.v) {
                if !vo.is_zero() {
                    *j += vo * &abs;
                }
            }
        }
        jumps.retain(|_, j| j.iter().any(|x| !x.is_zero()));
        Data { affine, jumps }
    }

    /// The hyperplanes whose jumps differ between A and B, with the jump difference A − B.
    fn differing(da: &Data, db: &Data) -> Vec<(Affine, Vec<Rational>)> {
        let mut out = Vec::new();
        for (k, ja) in &da.jumps {
            match db.jumps.get(k) {
                Some(jb) if jb == ja => {}
                Some(jb) => out.push((k.clone(), ja.iter().zip(jb).map(|(x, y)| x - y).collect())),
                None => out.push((k.clone(), ja.clone())),
            }
        }
        for (k, jb) in &db.jumps {
            if !da.jumps.contains_key(k) {
                out.push((k.clone(), jb.iter().map(|x| -x).collect()));
            }
        }
        // A deterministic order (hash maps iterate in random order).
        out.sort();
        out
    }

    /// `max form(x)` over the cell (split rows only), multipliers mapped to row indices.
    fn lp_max(
        &mut self,
        cell: &Cell,
        form: &[Rational],
    ) -> Result<(LpOutcome, Vec<usize>), String> {
        self.stats.lps += 1;
        fibers_tree::tree::lp_max_over_split_rows(cell.rows, cell.split_row, self.n0, form)
    }

    /// Multipliers proving `form ≤ 0` on the cell, or `None` if `form > 0` somewhere.
    fn upper(&mut self, cell: &Cell, form: &[Rational]) -> Result<Option<Sparse>, String> {
        let n = self.n0;
        let (outcome, used) = self.lp_max(cell, form)?;
        match outcome {
            LpOutcome::Optimal { dual, value, .. } if &value + &form[n] <= Rational::zero() => {
                Ok(Some(
                    dual.iter()
                        .enumerate()
                        .filter(|(_, y)| !y.is_zero())
                        .map(|(i, y)| (used[i], y.clone()))
                        .collect(),
                ))
            }
            LpOutcome::Infeasible { .. } => Err("an empty cell reached the closer".into()),
            _ => Ok(None),
        }
    }

    /// A point of the cell where `form > 0`, if any.
    fn point_above(
        &mut self,
        cell: &Cell,
        form: &[Rational],
    ) -> Result<Option<Vec<Rational>>, String> {
        let n = self.n0;
        let (outcome, _) = self.lp_max(cell, form)?;
        Ok(match outcome {
            LpOutcome::Optimal { x, value, .. } => (&value + &form[n]).is_positive().then_some(x),
            LpOutcome::Unbounded { x, ray } => {
                let slope = dot(&form[..n], &ray);
                let fx = eval_affine(form, &x);
                let t = if fx.is_positive() {
                    Rational::zero()
                } else {
                    -&fx / &slope + Rational::one()
                };
                Some(x.iter().zip(&ray).map(|(xi, d)| xi + &(&t * d)).collect())
            }
            LpOutcome::Infeasible { .. } => None,
        })
    }

    /// A point of the hyperplane `key = 0` in the interior of the cell (the hyperplane is known
    /// to meet it).
    fn point_on(&mut self, cell: &Cell, key: &[Rational]) -> Result<Vec<Rational>, String> {
        let n = self.n0;
        let used: Vec<usize> = (0..cell.rows.len())
            .filter(|&i| cell.split_row[i])
            .collect();
        let (i1, c) = leading(key, n).ok_or("constant hyperplane")?;
        if used.is_empty() {
            let mut x = vec![Rational::zero(); n];
            x[i1] = -&key[n] / &c;
            return Ok(x);
        }
        // max s subject to row_i(x) + s ≤ 0, ±key(x) ≤ 0, s ≤ 1; variables (x, s).
        self.stats.lps += 1;
        let m = used.len() + 3;
        let a = Matrix::from_fn(m, n + 1, |i, j| {
            if i < used.len() {
                if j < n {
                    cell.rows[used[i]][j].clone()
                } else {
                    Rational::one()
                }
            } else if i == used.len() || i == used.len() + 1 {
                let sgn = if i == used.len() { 1 } else { -1 };
                if j < n {
                    &key[j] * &Rational::from(sgn)
                } else {
                    Rational::zero()
                }
            } else if j < n {
                Rational::zero()
            } else {
                Rational::one()
            }
        });
        let mut b: Vec<Rational> = used.iter().map(|&i| -&cell.rows[i][n]).collect();
        b.push(-&key[n]);
        b.push(key[n].clone());
        b.push(Rational::one());
        let mut c = vec![Rational::zero(); n + 1];
        c[n] = Rational::one();
        let lp = LinearProgram { a, b, c };
        match std::panic::catch_unwind(|| solve(&lp)) {
            Ok(LpOutcome::Optimal { x, value, .. }) if value.is_positive() => Ok(x[..n].to_vec()),
            Ok(_) => Err("a differing hyperplane that meets the cell has no interior point".into()),
            Err(_) => Err("the LP solver failed in a cell".into()),
        }
    }

    fn differs(&self, x: &[Rational]) -> bool {
        self.nets[0].eval(x) != self.nets[1].eval(x)
    }

    /// A witness next to the hyperplane `key` (which meets the interior of the cell and carries
    /// a nonzero jump difference); `others` are the other differing hyperplanes.
    fn witness_near(
        &mut self,
        cell: &Cell,
        key: &[Rational],
        others: &[&Affine],
    ) -> Result<Vec<Rational>, String> {
        let n = self.n0;
        let mut x0 = self.point_on(cell, key)?;
        let (i1, _) = leading(key, n).ok_or("constant hyperplane")?;
        let walls: Vec<&Affine> = (0..cell.rows.len())
            .filter(|&i| cell.split_row[i])
            .map(|i| &cell.rows[i])
            .collect();
        // Step size along `d` keeping every nonzero form's sign at `x`.
        let step = |x: &[Rational], d: &[Rational], forms: &[&Affine]| -> Rational {
            let mut t = Rational::one();
            for f in forms {
                let slope = dot(&f[..n], d);
                let val = eval_affine(f, x);
                if slope.is_zero() || val.is_zero() {
                    continue;
                }
                let lim = (&val / &slope).abs() / Rational::from(2);
                if lim < t {
                    t = lim;
                }
            }
            t
        };
        let mut forms: Vec<&Affine> = walls.clone();
        forms.extend(others.iter().copied());
        // Move off the other hyperplanes within `key = 0`.
        let on: Vec<&Affine> = others
            .iter()
            .copied()
            .filter(|g| eval_affine(g, &x0).is_zero())
            .collect();
        if !on.is_empty() {
            let mut found = None;
            for m in 1..=(2 * others.len() as i64 + 4) {
                let mut u = vec![Rational::zero(); n];
                let mut p = Rational::one();
                for i in 0..n {
                    if i == i1 {
                        continue;
                    }
                    p *= Rational::from(m);
                    u[i] += &p;
                    u[i1] -= &(&p * &key[i]);
                }
                if on.iter().all(|g| !dot(&g[..n], &u).is_zero()) {
                    found = Some(u);
                    break;
                }
            }
            let u = found.ok_or("no direction off the other hyperplanes")?;
            let t = step(&x0, &u, &forms);
            x0 = x0.iter().zip(&u).map(|(a, d)| a + &(&t * d)).collect();
        }
        let mut d = vec![Rational::zero(); n];
        d[i1] = Rational::one();
        let t = step(&x0, &d, &forms);
        let plus: Vec<Rational> = x0.iter().zip(&d).map(|(a, e)| a + &(&t * e)).collect();
        let minus: Vec<Rational> = x0.iter().zip(&d).map(|(a, e)| a - &(&t * e)).collect();
        for x in [plus, x0, minus] {
            if self.differs(&x) {
                return Ok(x);
            }
        }
        Err("no witness next to a differing hyperplane".into())
    }

    /// The second step of the closer in machine integers: every differing hyperplane must
    /// miss the interior of the cell (decided by `i128` LPs over the cell's split rows, each
    /// scaled to a primitive integer row), its neurons are fixed and folded in, and the data
    /// must then agree. Returns the fixes, or `None` when anything else happens (a crossing
    /// differing hyperplane, differing affine parts, an overflow), and the rational path
    /// decides.
    fn small_fixes(
        &mut self,
        cell: &Cell,
        keys: &[Vec<i128>],
    ) -> Option<Vec<(NeuronId, Phase, Sparse)>> {
        let n = self.n0;
        let (sa, sb) = (
            self.tables[0].small.as_ref()?,
            self.tables[1].small.as_ref()?,
        );
        if keys.is_empty() {
            return None;
        }
        let neuron_keys: [Vec<NeuronKey>; 2] =
            [sa, sb].map(|net| (0..net.len()).map(|i| net.key(i)).collect());
        let rows = int_rows(cell)?;
        if rows.used.is_empty() {
            return None;
        }
        let mut fixed = [vec![None; sa.len()], vec![None; sb.len()]];
        let mut fixes = Vec::new();
        let mut lps = 0;
        for key in keys {
            // `key ≤ 0` on the cell (sign −1) or `key ≥ 0` (sign +1), with multipliers for the
            // stored rows.
            lps += 1;
            let (sign, y) = match rows.upper(key, 1, n)? {
                Some(y) => (-1, y),
                None => {
                    lps += 1;
                    (1, rows.upper(key, -1, n)??)
                }
            };
            for (s, fixed_s) in fixed.iter_mut().enumerate() {
                for (i, fix) in fixed_s.iter_mut().enumerate() {
                    let Some((k, g)) = &neuron_keys[s][i] else {
                        continue;
                    };
                    let g = *g;
                    if k != key {
                        continue;
                    }
                    // z = (g / d) · key: its sign on the cell is sign(g)·sign; the row of the
                    // phase is (|g| / d)·(±key) ≤ 0, proved by (|g| / d)·y.
                    let active = (g > 0) == (sign > 0);
                    let phase = if active {
                        Phase::Active
                    } else {
                        Phase::Inactive
                    };
                    let t = &self.tables[s];
                    let scale = Rational::new(int(g.abs()), t.den[i].clone()).expect("positive");
                    let bound: Sparse = y.iter().map(|(r, v)| (*r, v * &scale)).collect();
                    *fix = Some(active);
                    fixes.push((
                        NeuronId {
                            side: side(s),
                            layer: 2,
                            index: t.neurons[i].0,
                        },
                        phase,
                        bound,
                    ));
                }
            }
        }
        self.stats.lps += lps;
        small::identical_fixed(sa, &fixed[0], sb, &fixed[1])?.then_some(fixes)
    }

    /// Closes one cell.
    pub fn close(&mut self, cell: &Cell) -> CellClose {
        match self.try_close(cell) {
            Ok(c) => c,
            Err(m) => CellClose::Internal(m),
        }
    }

    fn try_close(&mut self, cell: &Cell) -> Result<CellClose, String> {
        let n = self.n0;
        self.tables[0].update(&cell.phases[0])?;
        self.tables[1].update(&cell.phases[1])?;
        if let (Some(sa), Some(sb)) = (&self.tables[0].small, &self.tables[1].small) {
            match small::differing(sa, sb) {
                Some((keys, true)) if keys.is_empty() => {
                    self.stats.identity += 1;
                    self.stats.small += 1;
                    return Ok(CellClose::Canonical(Vec::new()));
                }
                Some((keys, _)) => {
                    if let Some(fixes) = self.small_fixes(cell, &keys) {
                        self.stats.with_fixes += 1;
                        self.stats.small_fixes += 1;
                        self.stats.fixes += fixes.len() as u64;
                        return Ok(CellClose::Canonical(fixes));
                    }
                }
                None => {}
            }
        }
        let ta = self.terms(0, cell)?;
        let tb = self.terms(1, cell)?;
        let none = HashMap::new();
        let (da, db) = (self.data(0, &ta, &none), self.data(1, &tb, &none));
        let diff = Self::differing(&da, &db);
        if diff.is_empty() && da.affine == db.affine {
            self.stats.identity += 1;
            return Ok(CellClose::Canonical(Vec::new()));
        }
        // Fix the neurons of every differing hyperplane that misses the interior of the cell.
        let mut fixed: HashMap<NeuronId, Phase> = HashMap::new();
        let mut fixes: Vec<(NeuronId, Phase, Sparse)> = Vec::new();
        let mut crossing: Vec<(Affine, Vec<Rational>)> = Vec::new();
        for (key, delta) in diff {
            let neg: Affine = key.iter().map(|x| -x).collect();
            // `key ≤ 0` on the cell (sign −1) or `key ≥ 0` (sign +1).
            let (sign, y) = if let Some(y) = self.upper(cell, &key)? {
                (-1, y)
            } else if let Some(y) = self.upper(cell, &neg)? {
                (1, y)
            } else {
                crossing.push((key, delta));
                continue;
            };
            for t in ta.iter().chain(&tb) {
                let Some((_, c)) = leading(&t.z, n) else {
                    continue;
                };
                if t.z.iter().zip(&key).any(|(zi, ki)| *zi != ki * &c) {
                    continue;
                }
                // z = c·key: its sign on the cell is sign(c)·sign; the row of the phase is
                // |c|·(±key) ≤ 0, proved by |c|·y.
                let active = (c.is_positive()) == (sign > 0);
                let phase = if active {
                    Phase::Active
                } else {
                    Phase::Inactive
                };
                let abs = c.abs();
                let bound: Sparse = y.iter().map(|(i, v)| (*i, v * &abs)).collect();
                fixed.insert(t.id, phase);
                fixes.push((t.id, phase, bound));
            }
        }
        let (da, db) = (self.data(0, &ta, &fixed), self.data(1, &tb, &fixed));
        if crossing.is_empty() && da.affine == db.affine {
            self.stats.with_fixes += 1;
            self.stats.fixes += fixes.len() as u64;
            return Ok(CellClose::Canonical(fixes));
        }
        let x = if let Some((key, _)) = crossing.first() {
            let others: Vec<&Affine> = crossing[1..].iter().map(|(k, _)| k).collect();
            self.witness_near(cell, key, &others)?
        } else {
            let o = (0..da.affine.len())
                .find(|&o| da.affine[o] != db.affine[o])
                .ok_or("canonical data equal after the fixes but not before")?;
            let h: Affine = da.affine[o]
                .iter()
                .zip(&db.affine[o])
                .map(|(p, q)| p - q)
                .collect();
            let neg: Affine = h.iter().map(|v| -v).collect();
            match self.point_above(cell, &h)? {
                Some(x) => x,
                None => self
                    .point_above(cell, &neg)?
                    .ok_or("a nonzero affine difference vanishes on a cell")?,
            }
        };
        if !self.differs(&x) {
            return Err("the witness of a cell does not separate the networks".into());
        }
        Ok(CellClose::Witness(x))
    }
}

fn int(v: i128) -> Integer {
    match i64::try_from(v) {
        Ok(s) => Integer::from(s),
        Err(_) => v.to_string().parse().expect("an i128 is an integer"),
    }
}

/// The split rows of a cell as primitive integer rows `λᵢ · rowᵢ` (`λᵢ > 0`), row-major, with
/// the right-hand sides of `A x ≤ b`.
struct IntRows {
    a: Vec<i128>,
    b: Vec<i128>,
    /// Per row: its index among the cell's rows and `λᵢ`.
    used: Vec<(usize, Rational)>,
}

/// Entries of [`IntRows`] stay below `2^62`.
const ROW_BITS: u32 = 62;

fn int_rows(cell: &Cell) -> Option<IntRows> {
    let n = cell.n0;
    let mut rows = IntRows {
        a: Vec::new(),
        b: Vec::new(),
        used: Vec::new(),
    };
    for (i, row) in cell.rows.iter().enumerate() {
        if !cell.split_row[i] {
            continue;
        }
        let mut parts = Vec::with_capacity(n + 1);
        let mut den: i128 = 1;
        for c in row {
            let (p, q) = (
                i128::from(c.numer().to_i64()?),
                i128::from(c.denom().to_i64()?),
            );
            den = den.checked_mul(q / gcd(den, q))?;
            parts.push((p, q));
        }
        let num: Vec<i128> = parts
            .into_iter()
            .map(|(p, q)| p.checked_mul(den / q).filter(|v| *v != i128::MIN))
            .collect::<Option<_>>()?;
        let g = num.iter().fold(0, |g, x| gcd(g, *x));
        if g == 0 {
            continue; // a zero row says nothing
        }
        let num: Vec<i128> = num.iter().map(|x| x / g).collect();
        if num.iter().any(|x| x.unsigned_abs() >= 1u128 << ROW_BITS) {
            return None;
        }
        rows.a.extend_from_slice(&num[..n]);
        rows.b.push(-num[n]);
        rows.used
            .push((i, Rational::new(int(den), int(g)).expect("nonzero gcd")));
    }
    Some(rows)
}

/// The gcd of `|a|` and `|b|` (`i128::MAX` stands for `2^127`, which only `i128::MIN`
/// entries give; callers reject entries that large).
fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    i128::try_from(a).unwrap_or(i128::MAX)
}

impl IntRows {
    /// Multipliers (for the cell's rows) proving `sign · key ≤ 0` on the cell, `Some(None)` if
    /// there are none (the form is positive somewhere, or unbounded), `None` on overflow.
    fn upper(&self, key: &[i128], sign: i128, n: usize) -> Option<Option<Sparse>> {
        let c: Vec<i128> = key[..n].iter().map(|x| sign * x).collect();
        let m = self.used.len();
        // No optimum (empty or unbounded): no proof.
        match optimum_i128(m, n, &self.a, &self.b, &c)? {
            Some((dual, value)) => {
                let top = value.0.checked_add((sign * key[n]).checked_mul(value.1)?)?;
                if top > 0 {
                    return Some(None);
                }
                let den = int(dual.den);
                Some(Some(
                    dual.num
                        .iter()
                        .zip(&self.used)
                        .filter(|(y, _)| **y != 0)
                        .map(|(y, (i, lambda))| {
                            let y = Rational::new(int(*y), den.clone()).expect("positive");
                            (*i, y * lambda)
                        })
                        .collect(),
                ))
            }
            None => Some(None),
        }
    }
}
