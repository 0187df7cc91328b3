//! The names of the six tensors of a state dict.

use std::fmt;

/// The tensor names of `W1, b1, W2, b2, W3, b3` in a state dict.
///
/// The default is PyTorch's naming for `nn.Sequential(Linear, ReLU, Linear, ReLU, Linear)`:
/// `0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyMap {
    names: [String; 6],
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::pytorch_sequential()
    }
}

impl KeyMap {
    /// `0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias` (`nn.Sequential` numbering).
    pub fn pytorch_sequential() -> Self {
        KeyMap::with_prefixes(["0", "2", "4"])
    }

    /// `P.weight, P.bias` for each of the three layer prefixes `P`.
    pub fn with_prefixes(prefixes: [&str; 3]) -> Self {
        let [a, b, c] = prefixes;
        KeyMap {
            names: [
                format!("{a}.weight"),
                format!("{a}.bias"),
                format!("{b}.weight"),
                format!("{b}.bias"),
                format!("{c}.weight"),
                format!("{c}.bias"),
            ],
        }
    }

    /// Six explicit names, in the order `W1, b1, W2, b2, W3, b3`.
    ///
    /// `Err` if a name is empty or two names are the same.
    pub fn new(names: [String; 6]) -> Result<Self, String> {
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() {
                return Err(format!("name {} is empty", i + 1));
            }
            if let Some(j) = names[..i].iter().position(|m| m == n) {
                return Err(format!(
                    "\"{}\" names both entry {} and entry {}",
                    n.escape_debug(),
                    j + 1,
                    i + 1
                ));
            }
        }
        Ok(KeyMap { names })
    }

    /// Parses the text of a `--keys` option: six comma-separated names in the order
    /// `W1, b1, W2, b2, W3, b3` (e.g. `fc1.weight,fc1.bias,fc2.weight,fc2.bias,fc3.weight,fc3.bias`),
    /// or three layer prefixes (e.g. `fc1,fc2,fc3`, meaning `fc1.weight, fc1.bias, ...`).
    /// Spaces around names are ignored.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        match parts.len() {
            6 => KeyMap::new(std::array::from_fn(|i| parts[i].to_string())),
            3 => {
                if let Some(i) = parts.iter().position(|p| p.is_empty()) {
                    return Err(format!("prefix {} is empty", i + 1));
                }
                KeyMap::new(KeyMap::with_prefixes([parts[0], parts[1], parts[2]]).names)
            }
            n => Err(format!(
                "expected 6 comma-separated tensor names (W1,b1,W2,b2,W3,b3) or 3 layer \
                 prefixes, found {n}"
            )),
        }
    }

    /// The name of the weight of layer `l` (1, 2 or 3).
    pub fn weight(&self, l: usize) -> &str {
        &self.names[2 * (l - 1)]
    }

    /// The name of the bias of layer `l` (1, 2 or 3).
    pub fn bias(&self, l: usize) -> &str {
        &self.names[2 * (l - 1) + 1]
    }

    /// All six names, in the order `W1, b1, W2, b2, W3, b3`.
    pub fn names(&self) -> &[String; 6] {
        &self.names
    }
}

impl fmt::Display for KeyMap {
    /// The six names joined by commas (the `--keys` syntax).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_sequential_numbering() {
        let k = KeyMap::default();
        assert_eq!(
            k.to_string(),
            "0.weight,0.bias,2.weight,2.bias,4.weight,4.bias"
        );
        assert_eq!(k.weight(2), "2.weight");
        assert_eq!(k.bias(3), "4.bias");
    }

    #[test]
    fn parses_six_names_and_three_prefixes() {
        let six =
            KeyMap::parse("fc1.weight, fc1.bias,fc2.weight,fc2.bias,fc3.weight,fc3.bias").unwrap();
        let three = KeyMap::parse("fc1,fc2,fc3").unwrap();
        assert_eq!(six, three);
        assert_eq!(six.weight(1), "fc1.weight");
        assert_eq!(six.bias(3), "fc3.bias");
    }

    #[test]
    fn rejects_bad_lists() {
        assert!(KeyMap::parse("a,b").unwrap_err().contains("found 2"));
        assert!(KeyMap::parse("a,b,c,d,e,a")
            .unwrap_err()
            .contains("entry 1 and entry 6"));
        assert!(KeyMap::parse("a,,c")
            .unwrap_err()
            .contains("prefix 2 is empty"));
        assert!(KeyMap::parse("a,b,c,d,e,").unwrap_err().contains("name 6"));
        assert!(KeyMap::parse("x,x,y").is_err());
    }
}
