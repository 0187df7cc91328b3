//! Text, JSON and LaTeX renderings of a [`Description`] and of a membership report.
//!
//! The JSON object always has `"dimension"` (an integer, or `null` when unknown) and, with a
//! membership report, `"member"` (a boolean, or `null` when undecided); the semi-algebraic
//! description is under `"description"."set"` in the format of [`fibers_semialg::json`].
//! The LaTeX rendering is a complete `article` document (amsmath, amssymb, amsthm) that states
//! the fiber as a theorem, optionally led by the summary theorem; symbol names are typeset in
//! math mode and the parameter's rows as inline lists that break to fit the page.

use crate::describe::{Description, Kind};
use crate::fundim::FunDimError;
use crate::member::Witness;
use crate::membership::MemberReport;
use crate::roles::SlotRole;
use crate::summary::Summary;
use fibers_bottleneck::canonical::CanonicalForm;
use fibers_exact::Rational;
use fibers_net::json::vector_to_value;
use fibers_semialg::render::{rational_latex, var_latex};
use fibers_semialg::{BasicSet, Certainty};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Rendering options.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Write out at most this many parts in full (text and LaTeX; JSON has all).
    pub max_parts_shown: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            max_parts_shown: 12,
        }
    }
}

fn vt(v: &[Rational]) -> String {
    let parts: Vec<String> = v.iter().map(Rational::to_string).collect();
    format!("[{}]", parts.join(", "))
}

fn mt(m: &[Vec<Rational>]) -> String {
    let rows: Vec<String> = m.iter().map(|r| vt(r)).collect();
    format!("[{}]", rows.join(", "))
}

fn completeness(d: &Description) -> String {
    match (&d.partial, d.kind) {
        (Some(p), _) => format!("partial: {p}"),
        (None, Kind::Bottleneck) => "every listed parameter is in the fiber (proved); that the \
             fiber has no other parameter is docs/theory.md §8 (open for the layer-1 part), checked \
             against the exact branch tree in the tests"
            .to_string(),
        (None, _) => "partial".to_string(),
    }
}

fn set_text(set: &BasicSet, name: &str) -> String {
    let mut s = format!("{name} = {{ theta' in R^{} |", set.variables().len());
    if set.is_quantified() {
        let aux: Vec<String> = set.auxiliary().iter().map(|v| v.to_string()).collect();
        let _ = write!(s, " exists {} in R:", aux.join(", "));
    }
    let lines: Vec<String> = set
        .constraints()
        .iter()
        .map(|c| format!("\n    {}", c.to_text()))
        .collect();
    s.push_str(&lines.join(","));
    s.push_str(" }");
    s
}

fn witness_text(w: &Witness, hidden: bool) -> Vec<String> {
    let mut out = Vec::new();
    let rows: Vec<String> = w
        .layer1
        .iter()
        .zip(&w.lambda)
        .enumerate()
        .map(|(j, (i, l))| format!("row {j} <- row {i} (lambda {l})"))
        .collect();
    if !rows.is_empty() {
        out.push(format!("layer 1: {}", rows.join(", ")));
    } else {
        out.push("layer 1: any".to_string());
    }
    if hidden {
        if let Some(s) = &w.shift {
            out.push(format!("hidden shift s = {s}"));
        }
    }
    let slots: Vec<String> = w
        .layer2
        .iter()
        .enumerate()
        .map(|(slot, &k)| format!("slot {slot} <- neuron {k} ({})", w.roles[k].label()))
        .collect();
    out.push(format!("layer 2: {}", slots.join(", ")));
    out.push(format!("part: {}", w.part));
    let aux: Vec<String> = w.aux.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    if !aux.is_empty() {
        out.push(format!("auxiliary values: {}", aux.join(", ")));
    }
    out
}

fn witness_json(w: &Witness) -> Value {
    json!({
        "layer1_rows": w.layer1,
        "lambda": vector_to_value(&w.lambda),
        "shift": w.shift.as_ref().map(fibers_net::json::rational_to_value),
        "layer2_neurons": w.layer2,
        "roles": w.roles.iter().map(SlotRole::label).collect::<Vec<_>>(),
        "part": w.part.summary(),
        "aux": w.aux.iter().map(|(k, v)| (k.to_string(), fibers_net::json::rational_to_value(v))).collect::<serde_json::Map<String, Value>>(),
    })
}

/// The plain-text description.
pub fn to_text(d: &Description, opts: &RenderOptions) -> String {
    let a = d.net.arch();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "fiber of a parameter of architecture {a}, D = {} parameters",
        a.param_count()
    );
    let _ = writeln!(s, "kind: {}", d.kind.name());
    let _ = writeln!(s, "stratum: {}", d.classification.stratum);
    if let Some(ng) = &d.classification.not_generic {
        let _ = writeln!(s, "not generic: {ng}");
    }
    if let Some(c) = &d.canonical {
        let _ = writeln!(s, "canonical form: {}", c.kind());
    }
    let _ = writeln!(s, "completeness: {}", completeness(d));
    if let Some(m) = &d.model {
        let _ = writeln!(
            s,
            "canonical layer 1 (rows scaled to first entry +-1, sorted; hidden neuron at its \
             threshold):"
        );
        for j in 0..a.n1 {
            let hidden = m.hidden_neuron(j).is_some();
            let _ = writeln!(
                s,
                "  row {j} = {} x raw row {}: a = {}, c = {}{}",
                m.scale[j],
                m.order[j],
                vt(&m.layer1.weight[j]),
                m.layer1.bias[j],
                if hidden { " (hidden)" } else { "" }
            );
        }
        let _ = writeln!(s, "canonical data of G on the orthant U:");
        for (l, k) in m.data.kinks.iter().enumerate() {
            let _ = writeln!(
                s,
                "  kink P{l}: normal {} jump {}",
                vt(&k.normal),
                vt(&k.jump)
            );
        }
        let _ = writeln!(s, "  linear part A = {}", mt(&m.data.linear));
        let _ = writeln!(s, "  offset a = {}", vt(&m.data.offset));
        for h in &m.hidden {
            let _ = writeln!(
                s,
                "  hidden neuron {} (raw {}): t_min = {} (raw), u_h column of the oriented \
                 affine part {}{}",
                h.neuron,
                h.raw_neuron,
                h.t_min_raw,
                vt(&h.tilde),
                if m.shift_creates_kink(h.neuron) {
                    format!(
                        " (a shift s > 0 creates the kink N_h = P{}: u_{} - s)",
                        m.kink_count(),
                        h.neuron
                    )
                } else {
                    String::new()
                }
            );
        }
    }
    if let Some(f) = &d.frame {
        if d.kind == Kind::Constant {
            let _ = writeln!(
                s,
                "constant value {}",
                vt(&f.targets[0]
                    .offset
                    .iter()
                    .map(|e| e.c.clone())
                    .collect::<Vec<_>>())
            );
        }
    }
    let _ = writeln!(s, "symmetries at this parameter:");
    for sym in &d.symmetries {
        let _ = writeln!(
            s,
            "  {} ({}{}): {}; side condition: {}",
            sym.name,
            if sym.discrete {
                "discrete"
            } else {
                "continuous"
            },
            sym.dimension
                .map(|x| format!(", {x} free parameters"))
                .unwrap_or_default(),
            sym.action,
            sym.condition
        );
    }
    if d.frame.is_some() {
        let _ = writeln!(
            s,
            "description: Fib(theta) {} union over relabellings (pi, sigma) in S_{} x S_{} of \
             (pi, sigma).({}); {} part(s) (role assignments examined {}, empty or contained in another part {}{})",
            if d.kind == Kind::Bottleneck {
                "="
            } else {
                "contains the"
            },
            a.n1,
            a.n2,
            match d.parts.len() {
                0 => "empty set".to_string(),
                n @ 1..=3 => (0..n)
                    .map(|i| format!("S{i}"))
                    .collect::<Vec<_>>()
                    .join(" u "),
                n => format!("S0 u ... u S{}", n - 1),
            },
            d.parts.len(),
            d.examined,
            d.rejected,
            if d.truncated {
                ", TRUNCATED by the budget"
            } else {
                ""
            }
        );
        let _ = writeln!(
            s,
            "  variables: theta' = (W1[j][i], b1[j], W2[k][j], b2[k], W3[o][k], b3[o]); \
             auxiliary: lambda_j (layer-1 factors), s (hidden shift), mu_k (kink members), \
             rho_k (zero-sum group members)"
        );
        for (i, p) in d.parts.iter().enumerate() {
            let _ = writeln!(
                s,
                "  S{i}: {}{}",
                p.key,
                if p.contains_parameter {
                    "  [contains the parameter]"
                } else {
                    ""
                }
            );
        }
        for (i, p) in d.parts.iter().enumerate().take(opts.max_parts_shown) {
            let _ = writeln!(s, "{}", set_text(&p.set, &format!("S{i}")));
        }
        if d.parts.len() > opts.max_parts_shown {
            let _ = writeln!(
                s,
                "(parts S{} to S{} are written out in the JSON output)",
                opts.max_parts_shown,
                d.parts.len() - 1
            );
        }
    }
    match &d.own {
        Some(w) => {
            let _ = writeln!(s, "the parameter itself:");
            for line in witness_text(w, d.model.as_ref().is_some_and(|m| !m.hidden.is_empty())) {
                let _ = writeln!(s, "  {line}");
            }
        }
        None if d.frame.is_some() => {
            let _ = writeln!(s, "the parameter itself is not in the described parts");
        }
        None => {}
    }
    let _ = writeln!(
        s,
        "dimension: {} ({})",
        d.dimension()
            .map_or("unknown".to_string(), |x| x.to_string()),
        d.dimension_source()
    );
    if let Some(f) = &d.formula {
        let _ = writeln!(s, "  docs/theory.md §8 formula: {}", f.display());
    }
    match &d.fundim {
        Some(Ok(f)) => {
            let _ = writeln!(
                s,
                "  D - functional dimension: {} - {} = {} ({} linear regions, {} points)",
                f.params,
                f.rank,
                f.corank(),
                f.regions,
                f.points
            );
            if f.non_differentiable_regions > 0 {
                let _ = writeln!(
                    s,
                    "    {} of the {} regions left out: f is not differentiable in the \
                     parameters there (docs/theory.md §12, Definition 12.1)",
                    f.non_differentiable_regions, f.regions
                );
            }
        }
        Some(Err(e)) => {
            let _ = writeln!(s, "  functional dimension: not computed ({e})");
        }
        None => {}
    }
    let _ = writeln!(
        s,
        "connected components: {} ({})",
        d.components
            .map_or("unknown".to_string(), |c| c.to_string()),
        d.components_note
    );
    s
}

fn fundim_json(f: &Option<Result<crate::FunDim, FunDimError>>) -> Value {
    match f {
        None => Value::Null,
        Some(Ok(f)) => json!({
            "rank": f.rank, "parameters": f.params, "corank": f.corank(),
            "regions": f.regions, "points": f.points,
            "non_differentiable_regions": f.non_differentiable_regions,
        }),
        Some(Err(e)) => json!({"error": e.to_string()}),
    }
}

/// The JSON description.
pub fn to_json(d: &Description) -> Value {
    let a = d.net.arch();
    let parts: Vec<Value> = d
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "name": format!("S{i}"),
                "summary": p.key.summary(),
                "branch": p.key.branch.label(),
                "roles": p.key.slots().iter().map(SlotRole::label).collect::<Vec<_>>(),
                "contains_parameter": p.contains_parameter,
            })
        })
        .collect();
    let description = d.union().map(|u| {
        json!({
            "relabelling": "the fiber is the union of the images of this set under all permutations of layer 1 and of layer 2",
            "parts": parts,
            "set": u.to_json_value(),
            "examined": d.examined,
            "rejected": d.rejected,
            "truncated": d.truncated,
        })
    });
    let model = d.model.as_ref().map(|m| {
        json!({
            "layer1": m.layer1.weight.iter().zip(&m.layer1.bias).enumerate().map(|(j, (w, c))| json!({
                "weight": vector_to_value(w), "bias": fibers_net::json::rational_to_value(c),
                "raw_row": m.order[j], "scale": fibers_net::json::rational_to_value(&m.scale[j]),
                "hidden": m.hidden_neuron(j).is_some(),
            })).collect::<Vec<_>>(),
            "kinks": m.data.kinks.iter().map(|k| json!({"normal": vector_to_value(&k.normal), "jump": vector_to_value(&k.jump)})).collect::<Vec<_>>(),
            "linear": m.data.linear.iter().map(|r| vector_to_value(r)).collect::<Vec<_>>(),
            "offset": vector_to_value(&m.data.offset),
            "hidden": m.hidden.iter().map(|h| json!({
                "neuron": h.neuron, "raw_neuron": h.raw_neuron,
                "t_min": fibers_net::json::rational_to_value(&h.t_min_raw),
                "tilde": vector_to_value(&h.tilde),
                "shift_creates_kink": m.shift_creates_kink(h.neuron),
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "kind": d.kind.name(),
        "architecture": [a.n0, a.n1, a.n2, a.n3],
        "parameters": a.param_count(),
        "stratum": d.classification.stratum,
        "classification": d.classification.to_json(),
        "canonical": d.canonical.as_ref().map(CanonicalForm::to_json),
        "partial": d.partial,
        "completeness": completeness(d),
        "canonical_coordinates": model,
        "symmetries": d.symmetries.iter().map(|s| json!({
            "name": s.name, "discrete": s.discrete, "dimension": s.dimension,
            "action": s.action, "condition": s.condition,
        })).collect::<Vec<_>>(),
        "description": description,
        "parameter_witness": d.own.as_ref().map(witness_json),
        "dimension": d.dimension(),
        "dimension_source": d.dimension_source(),
        "formula": d.formula.as_ref().map(|f| json!({"value": f.value_if_applies(), "not_applicable": f.note})),
        "part_dimension": d.part_dimension.as_ref().map(|p| json!({
            "ambient": p.ambient, "equalities": p.equalities, "jacobian_rank": p.jacobian_rank,
            "dimension": p.dimension,
            "certainty": match p.certainty { Certainty::Proven => "proven", Certainty::AssumingSmooth => "assuming-smooth", Certainty::UpperBound => "upper-bound" },
        })),
        "functional_dimension": fundim_json(&d.fundim),
        "components": d.components.map(|c| c.to_string()),
        "components_note": d.components_note,
    })
}

/// Adds a membership report to a JSON description (`"member"`, `"membership"`).
pub fn add_member_json(v: &mut Value, r: &MemberReport) {
    v["member"] = json!(r.member);
    v["membership"] = json!({
        "member": r.member,
        "method": r.method,
        "in_description": r.in_description,
        "description_reason": r.description_reason,
        "witness": r.witness.as_ref().map(witness_json),
        "counter_input": r.counter_input.as_ref().map(|x| vector_to_value(x)),
        "description_counterexample": r.description_counterexample,
    });
}

/// The plain-text membership report.
pub fn member_text(r: &MemberReport, hidden: bool) -> String {
    let mut s = format!(
        "member: {} (decided by {})\n",
        match r.member {
            Some(true) => "yes",
            Some(false) => "no",
            None => "undecided (budget)",
        },
        r.method
    );
    if let Some(w) = &r.witness {
        for line in witness_text(w, hidden) {
            let _ = writeln!(s, "  {line}");
        }
    }
    if let Some(reason) = &r.description_reason {
        let _ = writeln!(s, "  not in the described parts: {reason}");
    }
    if let Some(x) = &r.counter_input {
        let _ = writeln!(s, "  the functions differ at x = {}", vt(x));
    }
    if r.description_counterexample {
        let _ = writeln!(
            s,
            "  COUNTEREXAMPLE TO docs/theory.md: the branch tree proves this parameter is in the fiber, \
             but the description (docs/theory.md §8) excludes it"
        );
    }
    s
}

fn matrix_latex(m: &[Vec<Rational>]) -> String {
    let rows: Vec<String> = m
        .iter()
        .map(|r| r.iter().map(rational_latex).collect::<Vec<_>>().join(" & "))
        .collect();
    format!(
        "\\begin{{pmatrix}} {} \\end{{pmatrix}}",
        rows.join(" \\\\ ")
    )
}

fn column_latex(v: &[Rational]) -> String {
    let rows: Vec<Vec<Rational>> = v.iter().map(|x| vec![x.clone()]).collect();
    matrix_latex(&rows)
}

fn escape(s: &str) -> String {
    let s = s
        .replace("->", "\u{2192}")
        .replace("<=", "\u{2264}")
        .replace(">=", "\u{2265}");
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // Identifiers such as `lambda_j`, `t_min`, `theta'` are typeset in math mode.
        if chars[i].is_ascii_alphabetic() && (i == 0 || !is_ident(chars[i - 1])) {
            let mut j = i;
            while j < chars.len() && is_ident(chars[j]) {
                j += 1;
            }
            while j < chars.len() && chars[j] == '\'' {
                j += 1;
            }
            let tok: String = chars[i..j].iter().collect();
            if let Some(m) = symbol_latex(&tok) {
                let _ = write!(out, "${m}$");
                i = j;
                continue;
            }
        }
        let ch = chars[i];
        i += 1;
        match ch {
            '_' | '%' | '&' | '#' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(ch);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\\' => out.push_str("\\textbackslash{}"),
            '<' => out.push_str("$<$"),
            '>' => out.push_str("$>$"),
            '|' => out.push_str("$|$"),
            '§' => out.push_str("\\S{}"),
            c if c.is_ascii() => out.push(c),
            c => {
                let _ = write!(out, "{}", ascii_fallback(c));
            }
        }
    }
    merge_math(&out)
}

/// Joins adjacent inline formulas (`$|$$\mu$` → `$|\mu$`); an escaped `\$` is kept.
fn merge_math(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && prev != '\\' && chars.peek() == Some(&'$') {
            chars.next();
            prev = '\0';
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

const GREEK: [&str; 11] = [
    "alpha", "beta", "gamma", "delta", "lambda", "mu", "rho", "sigma", "theta", "tau", "pi",
];

/// The math-mode form of an ASCII symbol name (`lambda_j` → `\lambda_{j}`, `t_min` →
/// `t_{\min}`, `theta'` → `\theta'`), or `None` for an ordinary word.
fn symbol_latex(tok: &str) -> Option<String> {
    let primes = tok.len() - tok.trim_end_matches('\'').len();
    let core = &tok[..tok.len() - primes];
    let (base, sub) = match core.split_once('_') {
        Some((b, s)) => (b, Some(s)),
        None => (core, None),
    };
    let base_latex = if GREEK.contains(&base) {
        format!("\\{base}")
    } else if sub.is_some() && base.len() == 1 {
        base.to_string()
    } else {
        return None;
    };
    let sub_latex = match sub {
        None => String::new(),
        Some("min") | Some("max") => format!("_{{\\{}}}", sub.unwrap_or_default()),
        Some(x)
            if !x.is_empty() && x.len() <= 3 && x.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!("_{{{x}}}")
        }
        Some(_) => return None,
    };
    Some(format!("{base_latex}{sub_latex}{}", "'".repeat(primes)))
}

/// Entries of a vector as an inline list that may break after every comma.
fn list_latex(v: &[Rational]) -> String {
    let parts: Vec<String> = v.iter().map(rational_latex).collect();
    format!("({})", parts.join(",\\allowbreak "))
}

/// The parameter θ, row by row, as inline lists that break to fit the page.
fn parameter_latex(n: &fibers_net::Network) -> String {
    let mut s = String::from("\\begin{flushleft}\\small\n");
    let layers: [(&[Vec<Rational>], &[Rational]); 3] =
        [(n.w1(), n.b1()), (n.w2(), n.b2()), (n.w3(), n.b3())];
    for (l, (w, b)) in layers.iter().enumerate() {
        let l = l + 1;
        for (i, row) in w.iter().enumerate() {
            let _ = writeln!(s, "$W^{{({l})}}_{{{i},\\cdot}} = {}$\\\\", list_latex(row));
        }
        let _ = writeln!(
            s,
            "$b^{{({l})}} = {}${}",
            list_latex(b),
            if l < 3 { "\\\\[0.5ex]" } else { "" }
        );
    }
    s.push_str("\\end{flushleft}\n");
    s
}

fn ascii_fallback(c: char) -> &'static str {
    match c {
        'θ' => "$\\theta$",
        'σ' => "$\\sigma$",
        'λ' => "$\\lambda$",
        'μ' => "$\\mu$",
        '≤' => "$\\leq$",
        '≥' => "$\\geq$",
        '→' => "$\\to$",
        '−' => "-",
        _ => "?",
    }
}

fn part_latex(set: &BasicSet, name: &str) -> String {
    let mut s = format!(
        "${name}$ is the set of $\\theta' \\in \\mathbb{{R}}^{{{}}}$ ",
        set.variables().len()
    );
    if set.is_quantified() {
        let aux: Vec<String> = set
            .auxiliary()
            .iter()
            .map(|v| format!("${}$", var_latex(v)))
            .collect();
        let _ = write!(
            s,
            "for which there are {} $\\in \\mathbb{{R}}$ with all of the following",
            aux.join(",\\allowbreak{} ")
        );
    } else {
        s.push_str("with all of the following");
    }
    s.push_str(":\n");
    if set.constraints().is_empty() {
        s.push_str("(no constraint).\n");
        return s;
    }
    s.push_str("\\begin{align*}\n");
    let rows: Vec<String> = set
        .constraints()
        .iter()
        .map(|c| format!("{} &{} 0", c.poly.to_latex(), c.rel.latex()))
        .collect();
    s.push_str(&rows.join(" \\\\\n"));
    s.push_str("\n\\end{align*}\n");
    s
}

/// A complete LaTeX document stating the fiber as a theorem.
pub fn to_latex(d: &Description, opts: &RenderOptions) -> String {
    to_latex_with_summary(d, None, opts)
}

/// The theorem-style summary ([`Summary`]) as a LaTeX theorem: the symmetry group at θ, the
/// part containing θ, and the local dimension with how it is certified.
pub fn summary_latex(sm: &Summary) -> String {
    let [n0, n1, n2, n3] = sm.arch;
    let [c, l, dd, z] = sm.roles;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\\begin{{theorem}}[Summary]\\label{{thm:summary}}\nLet $\\theta$ be the parameter below \
         (architecture $({n0}, {n1}, {n2}, {n3})$, $D = {}$ parameters; stratum: {}).\n\
         \\begin{{enumerate}}\n\\item \\emph{{The symmetry group at $\\theta$}} is generated by\n\
         \\begin{{description}}",
        sm.params,
        escape(&sm.classification.stratum)
    );
    for line in sm.symmetry_lines() {
        let (name, rest) = line.split_once(' ').unwrap_or(("", line.as_str()));
        let _ = writeln!(s, "\\item[{}] {}.", escape(name), escape(rest));
    }
    let _ = writeln!(
        s,
        "\\end{{description}}\n\\item \\emph{{The part of $\\operatorname{{Fib}}(\\theta)$ \
         containing $\\theta$}}: layer 1 equal to that of $\\theta$ up to M1, M2{}; layer-2 roles \
         ${c}$ crossing, ${l}$ linear, ${dd}$ dead, ${z}$ null; canonical data of $G$ on the \
         orthant equal to those of $\\theta$ (docs/theory.md \\S 6).",
        if sm.hidden.is_empty() {
            ""
        } else {
            " and the hidden shift M7"
        }
    );
    match &sm.bounds {
        Ok(b) => {
            match b.fiber_dimension() {
                Some(dim) => {
                    let _ = writeln!(
                        s,
                        "\\item \\emph{{The local dimension}} of $\\operatorname{{Fib}}(\\theta)$ \
                         at $\\theta$ is ${dim}$, certified: the bounds on the functional \
                         dimension meet at ${} = D - {dim}$.",
                        b.lower
                    );
                }
                None if b.certified() => {
                    let (lo, hi) = b.fiber_dimension_bounds();
                    let _ = writeln!(
                        s,
                        "\\item \\emph{{The local dimension}} at $\\theta$ is between ${lo}$ and \
                         ${hi}$ (open: the functional dimension ${}$ is certified, but ${}$ \
                         symmetry direction(s) between parallel crossing neurons hold at \
                         $\\theta$ only, so $D - {} = {hi}$ is only an upper bound).",
                        b.lower, b.pointwise, b.lower
                    );
                }
                None => {
                    let (lo, hi) = b.fiber_dimension_bounds();
                    let _ = writeln!(
                        s,
                        "\\item \\emph{{The local dimension}} at $\\theta$ is between ${lo}$ and \
                         ${hi}$ (open: the bounds ${}$ and ${}$ on the functional dimension do \
                         not meet).",
                        b.lower, b.upper
                    );
                }
            }
            let _ = writeln!(
                s,
                "The lower bound ${}$ is the rank over $\\mathbb{{F}}_p$ of ${}$ Jacobian rows \
                 (${}$ kinks, ${}$ regions); the upper bound ${}$ is $D - \\dim T$, with $T$ of \
                 rank ${}$ spanned by verified symmetry directions.",
                b.lower, b.rows, b.kinks, b.regions, b.upper, b.symmetry_rank
            );
        }
        Err(e) => {
            let _ = writeln!(
                s,
                "\\item \\emph{{The local dimension}} at $\\theta$: open (the bounds do not \
                 apply: {}).",
                escape(e)
            );
        }
    }
    if let Some(f) = &sm.formula {
        match f.value_if_applies() {
            Some(v) => {
                let _ = writeln!(s, "The formula of docs/theory.md \\S 8 gives ${v}$.");
            }
            None => {
                let _ = writeln!(
                    s,
                    "The formula of docs/theory.md \\S 8 does not apply (hypothesis fails: {}).",
                    escape(f.note.as_deref().unwrap_or_default())
                );
            }
        }
    }
    s.push_str("\\end{enumerate}\n\\end{theorem}\n");
    s
}

/// A complete LaTeX document stating the fiber as a theorem, led by the summary theorem
/// ([`summary_latex`]) when one is given; the full description (every part) follows it.
pub fn to_latex_with_summary(
    d: &Description,
    summary: Option<&Summary>,
    opts: &RenderOptions,
) -> String {
    let a = d.net.arch();
    let n = &d.net;
    let mut s = String::from(
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb,amsthm}\n\\allowdisplaybreaks\n\
         \\newtheorem{theorem}{Theorem}\n\\newtheorem*{remark}{Remark}\n\\begin{document}\n",
    );
    let _ = writeln!(
        s,
        "\\section*{{The fiber of a three-layer ReLU network}}\n\
         Let $f_\\theta(x) = W^{{(3)}} \\sigma(W^{{(2)}} \\sigma(W^{{(1)}} x + b^{{(1)}}) + \
         b^{{(2)}}) + b^{{(3)}}$ with $\\sigma(t) = \\max(t, 0)$, architecture \
         $({}, {}, {}, {})$ and $D = {}$ parameters \
         $\\theta' = (W^{{(1)}}, b^{{(1)}}, W^{{(2)}}, b^{{(2)}}, W^{{(3)}}, b^{{(3)}})$. \
         The fiber of $\\theta$ is $\\operatorname{{Fib}}(\\theta) = \\{{\\theta' : \
         f_{{\\theta'}} = f_\\theta\\}}$.",
        a.n0,
        a.n1,
        a.n2,
        a.n3,
        a.param_count()
    );
    if let Some(sm) = summary {
        s.push_str(&summary_latex(sm));
        s.push_str("\\subsection*{The full description}\n");
    }
    let _ = writeln!(s, "The parameter $\\theta$ is\n{}", parameter_latex(n));
    let _ = writeln!(s, "Stratum: {}.\n", escape(&d.classification.stratum));
    if let Some(m) = &d.model {
        let rows: Vec<String> = (0..a.n1)
            .map(|j| {
                let w: Vec<String> = m.layer1.weight[j].iter().map(rational_latex).collect();
                format!(
                    "a_{{{j}}} = ({}),\\ c_{{{j}}} = {}",
                    w.join(", "),
                    rational_latex(&m.layer1.bias[j])
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "In canonical coordinates (layer-1 rows scaled by positive factors to a first \
             entry $\\pm 1$ and sorted{}) the first layer is\n\\begin{{gather*}}\n{}\n\
             \\end{{gather*}}",
            if !m.hidden.is_empty() {
                ", hidden neurons at their thresholds"
            } else {
                ""
            },
            rows.join(", \\\\\n")
        );
        let mut g = String::new();
        for (l, k) in m.data.kinks.iter().enumerate() {
            let w: Vec<String> = k.normal.iter().map(rational_latex).collect();
            let j: Vec<String> = k.jump.iter().map(rational_latex).collect();
            let _ = writeln!(
                g,
                "\\hat z_{{P_{l}}} = ({}),\\ J_{{P_{l}}} = ({}), \\\\",
                w.join(", "),
                j.join(", ")
            );
        }
        let _ = writeln!(
            s,
            "and $G(u) = W^{{(3)}}\\sigma(W^{{(2)}}u + b^{{(2)}}) + b^{{(3)}}$ has on the orthant \
             $U = \\mathbb{{R}}^{{{}}}_{{\\geq 0}}$ the canonical data \
             $G(u) = \\sum_P J_P \\sigma(\\hat z_P \\cdot (u, 1)) + A u + a$ with\n\
             \\begin{{gather*}}\n{g}A = {}, \\quad a = {}.\n\\end{{gather*}}",
            a.n1,
            matrix_latex(&m.data.linear),
            column_latex(&m.data.offset)
        );
        for h in &m.hidden {
            let _ = writeln!(
                s,
                "Layer-1 neuron {} is hidden (canonical index $h = {}$, threshold \
                 $t_{{\\min}} = {}$ in the coordinates of $\\theta$).\n",
                h.raw_neuron,
                h.neuron,
                rational_latex(&h.t_min_raw)
            );
        }
    }
    // The symmetry group.
    let mut sym = String::new();
    for x in &d.symmetries {
        let _ = writeln!(
            sym,
            "\\item[{}] ({}) {} \\emph{{Side condition:}} {}.",
            escape(&x.name),
            if x.discrete { "discrete" } else { "continuous" },
            escape(&x.action),
            escape(&x.condition)
        );
    }
    let dim = d.dimension();
    let shown = d.parts.len().min(opts.max_parts_shown);
    match (&d.frame, d.kind) {
        (Some(_), kind) => {
            let names: Vec<String> = (0..d.parts.len().min(4))
                .map(|i| format!("S_{{{i}}}"))
                .collect();
            let union = match d.parts.len() {
                0 => "\\varnothing".to_string(),
                1..=4 => names.join(" \\cup "),
                m => format!("S_{{0}} \\cup \\dots \\cup S_{{{}}}", m - 1),
            };
            let rel = "\\subseteq";
            let _ = writeln!(
                s,
                "\\begin{{theorem}}\\label{{thm:fiber}}\nLet \
                 $\\mathcal{{S}} = {union}$, the sets $S_i$ being defined below \
                 ({} role assignment(s) of the layer-2 neurons modulo permutations), and let \
                 $\\Pi = S_{{{}}} \\times S_{{{}}}$ act by permuting the neurons of both hidden \
                 layers. Then\n\\[ \\bigcup_{{g \\in \\Pi}} g \\cdot \\mathcal{{S}} {rel} \
                 \\operatorname{{Fib}}(\\theta) \\]\n{}{}\
                 The symmetries available at $\\theta$ are:\n\\begin{{description}}\n{sym}\
                 \\end{{description}}\n{}\\end{{theorem}}\n",
                d.parts.len(),
                a.n1,
                a.n2,
                if kind == Kind::Bottleneck {
                    "with equality if the layer-1 part of the description is complete \
                     (docs/theory.md \\S 8, open; checked against the exact branch-tree decider). "
                } else {
                    ""
                },
                if let Some(p) = &d.partial {
                    format!("The description is partial: {}.\n\n", escape(p))
                } else {
                    String::new()
                },
                match (dim, &d.part_dimension) {
                    (Some(x), Some(pd)) if pd.certainty == Certainty::Proven => format!(
                        "The part containing a relabelling of $\\theta$ has local dimension \
                         ${x}$ there (its equalities are regular there; exact Jacobian rank {}).\n",
                        pd.jacobian_rank
                    ),
                    (Some(x), _) => format!(
                        "The local dimension at $\\theta$ is ${x}$ ({}).\n",
                        escape(&d.dimension_source())
                    ),
                    _ => String::new(),
                }
            );
            if d.truncated {
                s.push_str(
                    "\\begin{remark}The enumeration of role assignments stopped at its budget; \
                     the union above lists only the parts found.\\end{remark}\n",
                );
            }
            let _ = writeln!(
                s,
                "In the sets below, $\\lambda_j > 0$ are the positive factors of the layer-1 \
                 rows, $s$ is the shift of the hidden neuron, $\\mu_k$ the factors of kink \
                 members and $\\rho_k$ the ratios of zero-sum group members to their leader.\n"
            );
            for (i, p) in d.parts.iter().enumerate().take(shown) {
                let _ = writeln!(
                    s,
                    "\\paragraph{{Part $S_{{{i}}}$}} ({}{})",
                    escape(&p.key.summary()),
                    if p.contains_parameter {
                        "; contains $\\theta$"
                    } else {
                        ""
                    }
                );
                s.push_str(&part_latex(&p.set, &format!("S_{{{i}}}")));
            }
            if d.parts.len() > shown {
                let _ = writeln!(
                    s,
                    "\nThe parts $S_{{{shown}}}, \\dots, S_{{{}}}$ are written out in the JSON \
                     output of \\texttt{{fibers fiber --format json}}.\n",
                    d.parts.len() - 1
                );
            }
        }
        (None, _) => {
            let _ = writeln!(
                s,
                "\\begin{{theorem}}\nThe following transformations keep $f_\\theta$, hence map \
                 $\\theta$ into $\\operatorname{{Fib}}(\\theta)$:\n\\begin{{description}}\n{sym}\
                 \\end{{description}}\n{}\\end{{theorem}}\n\\begin{{remark}}{}\\end{{remark}}\n",
                match dim {
                    Some(x) => format!(
                        "Moreover $D - \\operatorname{{rank}} J = {x}$, where $J$ is the Jacobian \
                         of $\\theta \\mapsto (f_\\theta(x_i))_i$ over points of every linear \
                         region.\n"
                    ),
                    None => String::new(),
                },
                escape(d.partial.as_deref().unwrap_or("no description"))
            );
        }
    }
    if let Some(Ok(f)) = &d.fundim {
        let _ = writeln!(
            s,
            "\\begin{{remark}}The functional dimension (exact rank over $\\mathbb{{Q}}$ of the \
             Jacobian of $\\theta \\mapsto (f_\\theta(x_i))_i$ at ${}$ points inside all ${}$ \
             linear regions) is ${}$, and $D - {} = {}${}.\\end{{remark}}",
            f.points,
            f.regions,
            f.rank,
            f.rank,
            f.corank(),
            if f.non_differentiable_regions > 0 {
                format!(
                    " (the ${}$ regions where $f$ is not differentiable in $\\theta$ are left \
                     out)",
                    f.non_differentiable_regions
                )
            } else {
                String::new()
            }
        );
    }
    s.push_str("\\end{document}\n");
    s
}

/// A LaTeX paragraph with a membership report (to insert before `\end{document}`).
pub fn member_latex(r: &MemberReport) -> String {
    let mut s = String::from("\\paragraph{Membership of a second parameter $\\theta'$.}\n");
    let verdict = match r.member {
        Some(true) => "$\\theta' \\in \\operatorname{Fib}(\\theta)$",
        Some(false) => "$\\theta' \\notin \\operatorname{Fib}(\\theta)$",
        None => "undecided (budget)",
    };
    let _ = writeln!(s, "{verdict}, decided by {}.", escape(r.method));
    if let Some(w) = &r.witness {
        let _ = writeln!(
            s,
            "It lies in the part with roles {} after relabelling: {}.",
            escape(&w.part.summary()),
            escape(&witness_text(w, w.shift.is_some()).join("; "))
        );
    }
    if let Some(x) = &r.counter_input {
        let xs: Vec<String> = x.iter().map(rational_latex).collect();
        let _ = writeln!(s, "The functions differ at $x = ({})$.", xs.join(", "));
    }
    s.push('\n');
    s
}

/// `c + d s` in LaTeX.
fn affine_latex(e: &crate::model::Affine) -> String {
    if e.d.is_zero() {
        rational_latex(&e.c)
    } else if e.c.is_zero() {
        format!("{}\\,s", rational_latex(&e.d))
    } else if e.d.is_negative() {
        format!("{} - {}\\,s", rational_latex(&e.c), rational_latex(&-&e.d))
    } else {
        format!("{} + {}\\,s", rational_latex(&e.c), rational_latex(&e.d))
    }
}

/// A complete LaTeX document stating the fiber in polynomial size ([`crate::factored`]): the
/// summary theorem when given, the per-neuron description as a theorem, the canonical data,
/// and the part containing θ as a product of factors.
pub fn factored_latex(f: &crate::factored::Factored, summary: Option<&Summary>) -> String {
    let a = f.net.arch();
    let mut s = String::from(
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb,amsthm}\n\\allowdisplaybreaks\n\
         \\newtheorem{theorem}{Theorem}\n\\newtheorem*{remark}{Remark}\n\\begin{document}\n",
    );
    let _ = writeln!(
        s,
        "\\section*{{The fiber of a three-layer ReLU network}}\n\
         Let $f_\\theta(x) = W^{{(3)}} \\sigma(W^{{(2)}} \\sigma(W^{{(1)}} x + b^{{(1)}}) + \
         b^{{(2)}}) + b^{{(3)}}$ with $\\sigma(t) = \\max(t, 0)$, architecture \
         $({}, {}, {}, {})$ and $D = {}$ parameters \
         $\\theta' = (W^{{(1)}}, b^{{(1)}}, W^{{(2)}}, b^{{(2)}}, W^{{(3)}}, b^{{(3)}})$. \
         The fiber of $\\theta$ is $\\operatorname{{Fib}}(\\theta) = \\{{\\theta' : \
         f_{{\\theta'}} = f_\\theta\\}}$.",
        a.n0,
        a.n1,
        a.n2,
        a.n3,
        a.param_count()
    );
    if let Some(sm) = summary {
        s.push_str(&summary_latex(sm));
    }
    s.push_str("\\subsection*{The fiber in polynomial size}\n");
    if let Some(frame) = &f.frame {
        let layer1 = if f.model.is_some() {
            "$\\lambda_j > 0$, $W'^{(1)}_{j,\\cdot} = \\lambda_j a_j$ and \
             $b'^{(1)}_j = \\lambda_j (c_j + [j = h]\\, s)$ for every layer-1 neuron $j$"
        } else {
            "any layer 1 ($\\lambda_j = 1$, $f$ is constant)"
        };
        let _ = writeln!(
            s,
            "\\begin{{theorem}}\\label{{thm:factored}}\nFor $\\theta'$ write $v'_k$ for column $k$ \
             of $W'^{{(3)}}$ and $\\tilde w_{{kj}} = W'^{{(2)}}_{{kj}} \\lambda_j$. For each branch \
             $b$ of the hidden shift $s$ below, with the canonical data $\\hat z_l(s)$, $J_l$ \
             ($l < K_b$), $A$ and $a(s)$ listed after the theorem, let $F_b$ be the set of \
             $\\theta'$ for which there are $\\lambda \\in \\mathbb{{R}}^{{{n1}}}$, $s$, \
             $\\mu, \\rho \\in \\mathbb{{R}}^{{{n2}}}$ and $\\nu_g \\in \\mathbb{{R}}^{{{n1p}}}$ with\n\
             \\begin{{itemize}}\n\
             \\item[(L1)] {layer1};\n\
             \\item[(N)] every layer-2 neuron $k$ has one of the roles \
             $P_l^{{\\pm}}$: $(\\tilde w_k, b'^{{(2)}}_k) = \\mu_k \\hat z_l(s)$ with $\\pm \\mu_k > 0$; \
             linear: $(W'^{{(2)}}_{{k,\\cdot}}, b'^{{(2)}}_k) \\geq 0$; \
             dead: $(W'^{{(2)}}_{{k,\\cdot}}, b'^{{(2)}}_k) \\leq 0$; null: $v'_k = 0$; \
             $Z_g$: $(\\tilde w_k, b'^{{(2)}}_k) = \\rho_k \\nu_g$ with $\\rho_k \\neq 0$;\n\
             \\item[(E)] $\\sum_{{k \\in P_l}} |\\mu_k|\\, v'_k = J_l$ for every kink $l$, \
             $\\sum_{{k \\in Z_g}} |\\rho_k|\\, v'_k = 0$ for every group $g$, and\n\
             \\begin{{multline*}} \\sum_{{k \\text{{ linear}}}} v'_k (\\tilde w_k, b'^{{(2)}}_k) + \\sum_l \
             \\sum_{{k \\in P_l^-}} \\mu_k v'_k \\hat z_l(s) \\\\ + \\sum_g \\sum_{{k \\in Z_g,\\, \
             \\rho_k < 0}} \\rho_k v'_k \\nu_g + [\\,0 \\mid b'^{{(3)}}\\,] = [\\,A \\mid a(s)\\,]. \\end{{multline*}}\n\
             \\end{{itemize}}\n\
             Then $\\bigcup_{{\\pi \\in S_{{{n1}}}}} \\bigcup_b \\pi \\cdot F_b \\subseteq \
             \\operatorname{{Fib}}(\\theta)$, {eq}\n\
             The description has polynomial size: one disjunction of $2K_b + 3 + \\lfloor {n2}/2 \
             \\rfloor$ role templates per neuron and linear coupling equations; no role \
             assignment is enumerated (an assignment whose part is empty has no solution).\n\
             \\end{{theorem}}",
            n1 = a.n1,
            n2 = a.n2,
            n1p = a.n1 + 1,
            eq = match &f.partial {
                None => "with equality if the layer-1 part of the description is complete \
                         (docs/theory.md \\S 8, Theorem 8.3, open; checked against the exact \
                         branch-tree decider)."
                    .to_string(),
                Some(p) => format!("and the description is partial: {}.", escape(p)),
            },
        );
        if let Some(m) = &f.model {
            s.push_str("\\paragraph{Canonical layer 1.}\n\\begin{flushleft}\\small\n");
            for j in 0..a.n1 {
                let _ = writeln!(
                    s,
                    "$a_{{{j}}} = {}$, $c_{{{j}}} = {}${}\\\\",
                    list_latex(&m.layer1.weight[j]),
                    rational_latex(&m.layer1.bias[j]),
                    if m.hidden_neuron(j).is_some() {
                        format!(" (hidden: $h = {j}$)")
                    } else {
                        String::new()
                    }
                );
            }
            s.push_str("\\end{flushleft}\n");
        }
        for t in &frame.targets {
            let _ = writeln!(
                s,
                "\\paragraph{{Branch {}.}}\n\\begin{{flushleft}}\\small",
                escape(&t.branch.label())
            );
            for k in &t.kinks {
                let z: Vec<String> = k.normal.iter().map(affine_latex).collect();
                let _ = writeln!(
                    s,
                    "$\\hat z_{{{l}}}(s) = ({}),\\ J_{{{l}}} = {}$\\\\",
                    z.join(",\\allowbreak "),
                    list_latex(&k.jump),
                    l = k.label
                );
            }
            for (o, row) in t.linear.iter().enumerate() {
                let _ = writeln!(s, "$A_{{{o},\\cdot}} = {}$\\\\", list_latex(row));
            }
            let off: Vec<String> = t.offset.iter().map(affine_latex).collect();
            let _ = writeln!(
                s,
                "$a(s) = ({})${}\n\\end{{flushleft}}",
                off.join(",\\allowbreak "),
                match t.branch {
                    crate::model::Branch::Positive(_) => ", with $s > 0$",
                    crate::model::Branch::NonNegative(_) => ", with $s \\geq 0$",
                    _ => "",
                }
            );
        }
    } else {
        let _ = writeln!(
            s,
            "\\begin{{remark}}{}\\end{{remark}}",
            escape(f.partial.as_deref().unwrap_or("no description"))
        );
    }
    if !f.factors.is_empty() {
        s.push_str(
            "\\paragraph{The part containing $\\theta$} is the product of\n\\begin{itemize}\n",
        );
    }
    for fac in &f.factors {
        let ns: Vec<String> = fac.neurons.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            s,
            "\\item {} (neurons {}): {}; dimension {}.",
            escape(&fac.name),
            ns.join(", "),
            escape(&fac.set),
            fac.dimension
                .map_or("not in closed form".to_string(), |d| format!("${d}$"))
        );
    }
    if !f.factors.is_empty() {
        s.push_str("\\end{itemize}\n");
    }
    if let Some(d) = f.product_dimension() {
        let _ = writeln!(s, "The factors' dimensions add up to ${d}$.\n");
    }
    s.push_str(
        "\\begin{remark}The exhaustive list of role assignments (exponential in the widths) is \
         \\texttt{fibers fiber --format latex --exhaustive}.\\end{remark}\n",
    );
    let _ = writeln!(s, "The parameter $\\theta$ is\n{}", parameter_latex(&f.net));
    s.push_str("\\end{document}\n");
    s
}

#[cfg(test)]
mod latex_tests {
    use super::escape;

    #[test]
    fn symbols_in_math_mode() {
        assert_eq!(
            escape("(a_j, c_j) -> lambda_j (a_j, c_j), t >= t_min, sum |mu_k| v_k = J_P"),
            "($a_{j}$, $c_{j}$) $\\to$ $\\lambda_{j}$ ($a_{j}$, $c_{j}$), t $\\geq$ $t_{\\min}$, \
             sum $|\\mu_{k}|$ $v_{k}$ = $J_{P}$"
        );
        assert_eq!(escape("theta' and lambda"), "$\\theta'$ and $\\lambda$");
        // Ordinary words and long names stay text (escaped).
        assert_eq!(
            escape("layer_one b3 x_long_name"),
            "layer\\_one b3 x\\_long\\_name"
        );
        assert_eq!(escape("cost $5"), "cost \\$5");
    }
}
