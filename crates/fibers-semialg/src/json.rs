//! JSON reading and writing (a contract with the other crates and tools).
//!
//! # Polynomial
//!
//! ```json
//! {"terms": [{"coef": "-1/2", "powers": {"W2[0][1]": 2, "b1[0]": 1}},
//!            {"coef": "3", "powers": {}}]}
//! ```
//!
//! - `coef`: a rational as a string (`"3"`, `"-1/2"`, also exact decimals `"0.25"`) or as a
//!   JSON number (read exactly); a zero denominator is an error.
//! - `powers`: variable name → exponent, a nonnegative integer below 2³²; it may be omitted
//!   for a constant term. Exponent 0 is allowed and means the variable is absent.
//! - Terms may come in any order; repeated monomials are added up and zero coefficients
//!   dropped. Written JSON lists nonzero terms from the largest to the smallest in the
//!   canonical term order ([`crate::monomial`]), with coefficients as strings in lowest terms
//!   and powers in canonical variable order; the zero polynomial is `{"terms": []}`.
//!
//! # Constraint
//!
//! `{"poly": <polynomial>, "rel": "="}` where `rel` is one of `"="`, `">"`, `">="`, `"!="`
//! and the constraint reads `poly rel 0`.
//!
//! # Basic set
//!
//! ```json
//! {"variables": ["W1[0][0]", "b1[0]"],
//!  "auxiliary": ["mu"],
//!  "constraints": [{"poly": ..., "rel": ">"}, ...]}
//! ```
//!
//! `variables` lists the coordinates of the ambient space in order; `auxiliary` (optional
//! when empty; always written) lists the existentially quantified variables; every variable
//! of a constraint must be declared in one of the two lists, and no name twice.
//!
//! # Union
//!
//! ```json
//! {"variables": ["x", "y"], "union": [<basic set>, <basic set>, ...]}
//! ```
//!
//! Each part is a complete basic set object whose `variables` are those of the union (in any
//! order). [`SemiAlgebraicSet::from_json_value`] also accepts a single basic set object.
//!
//! # Errors
//!
//! Reading never panics: every problem is a [`JsonError`] naming the place in the document
//! (`$.constraints[2].poly.terms[0].coef`) and what is wrong. Unknown keys are errors, so
//! that misspelt keys are not silently ignored.

use crate::monomial::Monomial;
use crate::polynomial::Polynomial;
use crate::set::{BasicSet, Constraint, Relation, SemiAlgebraicSet, SetError};
use crate::var::{InvalidVarName, Var};
use fibers_exact::{ParseRationalError, Rational};
use serde_json::{Map, Value};

/// What is wrong at some place of a JSON document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonErrorKind {
    /// The text is not JSON.
    #[error("invalid JSON: {0}")]
    Syntax(String),
    /// A value of the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What was expected.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A required key is missing.
    #[error("missing key {0:?}")]
    MissingKey(&'static str),
    /// A key that the format does not have.
    #[error("unknown key {key:?} (expected one of: {expected})")]
    UnknownKey {
        /// The key found.
        key: String,
        /// The keys allowed here.
        expected: String,
    },
    /// A coefficient that is not a rational number (including zero denominators).
    #[error("invalid coefficient: {0}")]
    Coefficient(#[from] ParseRationalError),
    /// An invalid variable name.
    #[error(transparent)]
    VarName(#[from] InvalidVarName),
    /// An exponent that is not an integer in `0..2^32`.
    #[error("invalid exponent {0}: expected an integer from 0 to 4294967295")]
    Exponent(String),
    /// An unknown relation.
    #[error("unknown relation {0:?} (expected one of \"=\", \">\", \">=\", \"!=\"; write p < 0 as -p > 0)")]
    Relation(String),
    /// The document is well formed but does not describe a valid set.
    #[error(transparent)]
    Set(#[from] SetError),
}

/// An error reading JSON: where (a path such as `$.terms[0].coef`) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct JsonError {
    /// The place in the document, `$` being the root.
    pub path: String,
    /// What is wrong there.
    pub kind: JsonErrorKind,
}

fn err(path: &str, kind: impl Into<JsonErrorKind>) -> JsonError {
    JsonError {
        path: path.to_string(),
        kind: kind.into(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong(path: &str, expected: &'static str, found: &Value) -> JsonError {
    err(
        path,
        JsonErrorKind::WrongType {
            expected,
            found: type_name(found),
        },
    )
}

fn as_object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, JsonError> {
    v.as_object().ok_or_else(|| wrong(path, "an object", v))
}

fn as_array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, JsonError> {
    v.as_array().ok_or_else(|| wrong(path, "an array", v))
}

fn check_keys(obj: &Map<String, Value>, allowed: &[&str], path: &str) -> Result<(), JsonError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(err(
            path,
            JsonErrorKind::UnknownKey {
                key: key.clone(),
                expected: allowed
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
        )),
        None => Ok(()),
    }
}

fn required<'a>(
    obj: &'a Map<String, Value>,
    key: &'static str,
    path: &str,
) -> Result<&'a Value, JsonError> {
    obj.get(key)
        .ok_or_else(|| err(path, JsonErrorKind::MissingKey(key)))
}

fn read_var(name: &str, path: &str) -> Result<Var, JsonError> {
    Var::try_new(name).map_err(|e| err(path, e))
}

fn read_coefficient(v: &Value, path: &str) -> Result<Rational, JsonError> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(wrong(path, "a rational as a string or a number", other)),
    };
    text.parse::<Rational>().map_err(|e| err(path, e))
}

fn read_exponent(v: &Value, path: &str) -> Result<u32, JsonError> {
    let Value::Number(n) = v else {
        return Err(wrong(path, "a nonnegative integer exponent", v));
    };
    n.as_u64()
        .and_then(|e| u32::try_from(e).ok())
        .ok_or_else(|| err(path, JsonErrorKind::Exponent(n.to_string())))
}

fn read_var_list(v: &Value, path: &str) -> Result<Vec<Var>, JsonError> {
    as_array(v, path)?
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let p = format!("{path}[{i}]");
            match x {
                Value::String(s) => read_var(s, &p),
                other => Err(wrong(&p, "a variable name (string)", other)),
            }
        })
        .collect()
}

fn polynomial_from(v: &Value, path: &str) -> Result<Polynomial, JsonError> {
    let obj = as_object(v, path)?;
    check_keys(obj, &["terms"], path)?;
    let terms_path = format!("{path}.terms");
    let terms = as_array(required(obj, "terms", path)?, &terms_path)?;
    let mut out = Vec::with_capacity(terms.len());
    for (i, t) in terms.iter().enumerate() {
        let tp = format!("{terms_path}[{i}]");
        let term = as_object(t, &tp)?;
        check_keys(term, &["coef", "powers"], &tp)?;
        let coef = read_coefficient(required(term, "coef", &tp)?, &format!("{tp}.coef"))?;
        let mut powers = Vec::new();
        if let Some(pw) = term.get("powers") {
            let pp = format!("{tp}.powers");
            for (name, e) in as_object(pw, &pp)? {
                let ep = format!("{pp}[{name:?}]");
                powers.push((read_var(name, &ep)?, read_exponent(e, &ep)?));
            }
        }
        out.push((coef, Monomial::from_powers(powers)));
    }
    Ok(Polynomial::from_terms(out))
}

fn polynomial_to(p: &Polynomial) -> Value {
    let terms = p
        .terms()
        .rev()
        .map(|(m, c)| {
            let powers: Map<String, Value> = m
                .powers()
                .map(|(v, e)| (v.name().to_string(), Value::from(e)))
                .collect();
            let mut t = Map::new();
            t.insert("coef".into(), Value::String(c.to_string()));
            t.insert("powers".into(), Value::Object(powers));
            Value::Object(t)
        })
        .collect();
    let mut obj = Map::new();
    obj.insert("terms".into(), Value::Array(terms));
    Value::Object(obj)
}

fn constraint_from(v: &Value, path: &str) -> Result<Constraint, JsonError> {
    let obj = as_object(v, path)?;
    check_keys(obj, &["poly", "rel"], path)?;
    let poly = polynomial_from(required(obj, "poly", path)?, &format!("{path}.poly"))?;
    let rp = format!("{path}.rel");
    let rel = match required(obj, "rel", path)? {
        Value::String(s) => {
            Relation::from_symbol(s).ok_or_else(|| err(&rp, JsonErrorKind::Relation(s.clone())))?
        }
        other => return Err(wrong(&rp, "a relation string", other)),
    };
    Ok(Constraint::new(poly, rel))
}

fn constraint_to(c: &Constraint) -> Value {
    let mut obj = Map::new();
    obj.insert("poly".into(), polynomial_to(&c.poly));
    obj.insert("rel".into(), Value::String(c.rel.symbol().into()));
    Value::Object(obj)
}

fn names(vars: &[Var]) -> Value {
    Value::Array(
        vars.iter()
            .map(|v| Value::String(v.name().into()))
            .collect(),
    )
}

fn basic_from(v: &Value, path: &str) -> Result<BasicSet, JsonError> {
    let obj = as_object(v, path)?;
    check_keys(obj, &["variables", "auxiliary", "constraints"], path)?;
    let variables = read_var_list(
        required(obj, "variables", path)?,
        &format!("{path}.variables"),
    )?;
    let auxiliary = match obj.get("auxiliary") {
        Some(a) => read_var_list(a, &format!("{path}.auxiliary"))?,
        None => Vec::new(),
    };
    let cp = format!("{path}.constraints");
    let constraints = as_array(required(obj, "constraints", path)?, &cp)?
        .iter()
        .enumerate()
        .map(|(i, c)| constraint_from(c, &format!("{cp}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    BasicSet::new(variables, auxiliary, constraints).map_err(|e| {
        let at = match &e {
            SetError::UndeclaredVariable { index, .. } => format!("{cp}[{index}]"),
            _ => path.to_string(),
        };
        err(&at, e)
    })
}

fn basic_to(b: &BasicSet) -> Value {
    let mut obj = Map::new();
    obj.insert("variables".into(), names(b.variables()));
    obj.insert("auxiliary".into(), names(b.auxiliary()));
    obj.insert(
        "constraints".into(),
        Value::Array(b.constraints().iter().map(constraint_to).collect()),
    );
    Value::Object(obj)
}

fn set_from(v: &Value, path: &str) -> Result<SemiAlgebraicSet, JsonError> {
    let obj = as_object(v, path)?;
    if !obj.contains_key("union") {
        return basic_from(v, path).map(SemiAlgebraicSet::from);
    }
    check_keys(obj, &["variables", "union"], path)?;
    let variables = read_var_list(
        required(obj, "variables", path)?,
        &format!("{path}.variables"),
    )?;
    let up = format!("{path}.union");
    let parts = as_array(&obj["union"], &up)?
        .iter()
        .enumerate()
        .map(|(i, b)| basic_from(b, &format!("{up}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    SemiAlgebraicSet::union(variables, parts).map_err(|e| {
        let at = match &e {
            SetError::VariablesMismatch { part, .. } => format!("{up}[{part}].variables"),
            _ => format!("{path}.variables"),
        };
        err(&at, e)
    })
}

fn set_to(s: &SemiAlgebraicSet) -> Value {
    let mut obj = Map::new();
    obj.insert("variables".into(), names(s.variables()));
    obj.insert(
        "union".into(),
        Value::Array(s.parts().iter().map(basic_to).collect()),
    );
    Value::Object(obj)
}

fn parse(text: &str) -> Result<Value, JsonError> {
    serde_json::from_str(text).map_err(|e| err("$", JsonErrorKind::Syntax(e.to_string())))
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("a JSON value always serialises")
}

macro_rules! json_api {
    ($ty:ty, $from:ident, $to:ident, $what:literal) => {
        impl $ty {
            #[doc = concat!("Reads ", $what, " from a JSON value (see [`crate::json`]).")]
            pub fn from_json_value(v: &Value) -> Result<Self, JsonError> {
                $from(v, "$")
            }
            #[doc = concat!("Reads ", $what, " from JSON text (see [`crate::json`]).")]
            pub fn from_json_str(text: &str) -> Result<Self, JsonError> {
                $from(&parse(text)?, "$")
            }
            #[doc = concat!("Writes ", $what, " as a JSON value (see [`crate::json`]).")]
            pub fn to_json_value(&self) -> Value {
                $to(self)
            }
            #[doc = concat!("Writes ", $what, " as pretty-printed JSON text (see [`crate::json`]).")]
            pub fn to_json_string(&self) -> String {
                pretty(&$to(self))
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $to(self).serialize(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = Value::deserialize(d)?;
                $from(&v, "$").map_err(serde::de::Error::custom)
            }
        }
    };
}

json_api!(Polynomial, polynomial_from, polynomial_to, "a polynomial");
json_api!(Constraint, constraint_from, constraint_to, "a constraint");
json_api!(BasicSet, basic_from, basic_to, "a basic set");
json_api!(
    SemiAlgebraicSet,
    set_from,
    set_to,
    "a union of basic sets (or a single basic set)"
);

impl serde::Serialize for Var {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Var {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Var::try_new(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_err(text: &str) -> String {
        match SemiAlgebraicSet::from_json_str(text) {
            Ok(s) => panic!("accepted {text}: {s}"),
            Err(e) => e.to_string(),
        }
    }

    fn poly_err(text: &str) -> String {
        match Polynomial::from_json_str(text) {
            Ok(p) => panic!("accepted {text}: {p}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn polynomial_round_trip_and_canonical_form() {
        let text = r#"{"terms": [
            {"coef": "1/2", "powers": {"b1[0]": 1, "W2[0][1]": 2}},
            {"coef": 3},
            {"coef": "-0.25", "powers": {"b1[0]": 1, "W2[0][1]": 2, "mu": 0}},
            {"coef": 12345678901234567890123, "powers": {"x": 1}},
            {"coef": "2/4", "powers": {"x": 1}}
        ]}"#;
        let p = Polynomial::from_json_str(text).unwrap();
        assert_eq!(
            p.to_string(),
            "1/4*b1[0]*W2[0][1]^2 + 24691357802469135780247/2*x + 3"
        );
        let written = p.to_json_value();
        assert_eq!(
            serde_json::to_string(&written).unwrap(),
            r#"{"terms":[{"coef":"1/4","powers":{"b1[0]":1,"W2[0][1]":2}},{"coef":"24691357802469135780247/2","powers":{"x":1}},{"coef":"3","powers":{}}]}"#
        );
        assert_eq!(Polynomial::from_json_value(&written).unwrap(), p);
        let via_serde: Polynomial = serde_json::from_str(text).unwrap();
        assert_eq!(via_serde, p);
        assert_eq!(
            Polynomial::zero().to_json_value().to_string(),
            r#"{"terms":[]}"#
        );
    }

    #[test]
    fn polynomial_errors() {
        let cases = [
            ("[1]", "$: expected an object, found an array"),
            ("{}", "$: missing key \"terms\""),
            (
                "{\"terms\": 1}",
                "$.terms: expected an array, found a number",
            ),
            (
                "{\"terms\": [{\"coef\": \"1/0\"}]}",
                "$.terms[0].coef: invalid coefficient: zero denominator in \"1/0\"",
            ),
            (
                "{\"terms\": [{\"coef\": \"abc\"}]}",
                "$.terms[0].coef: invalid coefficient: not a number",
            ),
            (
                "{\"terms\": [{\"coef\": true}]}",
                "$.terms[0].coef: expected a rational as a string or a number, found a boolean",
            ),
            (
                "{\"terms\": [{\"powers\": {}}]}",
                "$.terms[0]: missing key \"coef\"",
            ),
            (
                "{\"terms\": [{\"coef\": 1, \"power\": {}}]}",
                "$.terms[0]: unknown key \"power\"",
            ),
            (
                "{\"terms\": [{\"coef\": 1, \"powers\": {\"x\": -1}}]}",
                "$.terms[0].powers[\"x\"]: invalid exponent -1",
            ),
            (
                "{\"terms\": [{\"coef\": 1, \"powers\": {\"x\": 1.5}}]}",
                "$.terms[0].powers[\"x\"]: invalid exponent 1.5",
            ),
            (
                "{\"terms\": [{\"coef\": 1, \"powers\": {\"x\": 4294967296}}]}",
                "$.terms[0].powers[\"x\"]: invalid exponent 4294967296",
            ),
            (
                "{\"terms\": [{\"coef\": 1, \"powers\": {\"x\": \"2\"}}]}",
                "$.terms[0].powers[\"x\"]: expected a nonnegative integer exponent, found a string",
            ),
            (
                "{\"terms\": [{\"coef\": 1, \"powers\": {\"2x\": 1}}]}",
                "$.terms[0].powers[\"2x\"]: invalid variable name \"2x\"",
            ),
            ("{\"terms\": [", "$: invalid JSON: EOF while parsing"),
        ];
        for (text, want) in cases {
            let got = poly_err(text);
            assert!(got.starts_with(want), "{text}\n got: {got}\nwant: {want}");
        }
    }

    #[test]
    fn set_errors() {
        let x = r#"{"terms": [{"coef": 1, "powers": {"x": 1}}]}"#;
        let cases = [
            (
                format!(r#"{{"variables": ["x"], "constraints": [{{"poly": {x}, "rel": "<"}}]}}"#),
                "$.constraints[0].rel: unknown relation \"<\"",
            ),
            (
                format!(r#"{{"variables": ["x"], "constraints": [{{"poly": {x}, "rel": 0}}]}}"#),
                "$.constraints[0].rel: expected a relation string, found a number",
            ),
            (
                format!(r#"{{"variables": ["x"], "constraints": [{{"poly": {x}}}]}}"#),
                "$.constraints[0]: missing key \"rel\"",
            ),
            (
                format!(r#"{{"variables": ["y"], "constraints": [{{"poly": {x}, "rel": "="}}]}}"#),
                "$.constraints[0]: constraint 0 uses undeclared variable x",
            ),
            (
                r#"{"variables": ["x"], "auxiliary": ["x"], "constraints": []}"#.to_string(),
                "$: variable x is declared more than once",
            ),
            (
                r#"{"variables": ["x", 3], "constraints": []}"#.to_string(),
                "$.variables[1]: expected a variable name (string), found a number",
            ),
            (
                r#"{"variables": ["x"], "constraints": [], "extra": 1}"#.to_string(),
                "$: unknown key \"extra\"",
            ),
            (
                r#"{"variables": ["x", "y"], "union": [{"variables": ["x"], "constraints": []}]}"#
                    .to_string(),
                "$.union[0].variables: part 0 of the union has variables (x) instead of (x, y)",
            ),
            (
                r#"{"variables": ["x"], "union": {}}"#.to_string(),
                "$.union: expected an array, found an object",
            ),
            (
                r#"{"variables": ["x"], "union": [{"constraints": []}]}"#.to_string(),
                "$.union[0]: missing key \"variables\"",
            ),
        ];
        for (text, want) in cases {
            let got = read_err(&text);
            assert!(got.starts_with(want), "{text}\n got: {got}\nwant: {want}");
        }
    }

    #[test]
    fn sets_round_trip() {
        let x = Var::new("x");
        let mu = Var::new("mu");
        let b = BasicSet::new(
            vec![x.clone()],
            vec![mu.clone()],
            vec![
                Constraint::positive(Polynomial::var(mu.clone())),
                Constraint::zero(Polynomial::var(x.clone()) - Polynomial::var(mu.clone())),
            ],
        )
        .unwrap();
        let j = b.to_json_string();
        assert_eq!(BasicSet::from_json_str(&j).unwrap(), b);
        let s = SemiAlgebraicSet::from_json_str(&j).unwrap();
        assert_eq!(s, SemiAlgebraicSet::from(b.clone()));
        let u = SemiAlgebraicSet::union(vec![x], vec![b.clone(), b]).unwrap();
        let back: SemiAlgebraicSet = serde_json::from_str(&u.to_json_string()).unwrap();
        assert_eq!(back, u);
    }
}
