//! A posterior over the uncertain figures: parameter sets accepted by `hormuz calibrate
//! --fit` (approximate Bayesian computation against the calibration events), each a value
//! per parameter path. A run that draws from it gives replicate `r` the set
//! `floor(u(seed, r, POSTERIOR_KEY) * sets)`, so the pick, like every other draw, is a
//! function of the seed and the replicate alone; parameters the posterior does not name
//! (no calibration event sees them) keep their prior draws.
//!
//! The built-in posterior, `scenarios/posterior.json`, is fitted to the built-in database
//! and calibration events; `hormuz calibrate --fit` writes a new one.

use serde::{Deserialize, Serialize};

/// What a posterior file says it is (`format`).
pub const FORMAT: &str = "hormuz posterior 1";
/// The built-in posterior, fitted to the built-in database and calibration events.
pub const BUILT_IN: &str = include_str!("../../scenarios/posterior.json");
pub const BUILT_IN_NAME: &str = "scenarios/posterior.json (built in)";
/// Bounds on a posterior file, checked before anything proportional to it is kept.
pub const MAX_BYTES: u64 = 256 << 20;
pub const MAX_PARAMETERS: usize = 100_000;
pub const MAX_SETS: usize = 1_000_000;
pub const MAX_VALUES: usize = 10_000_000;
/// The draw key of the posterior's pick of a set.
pub const POSTERIOR_KEY: &str = "posterior.set";
/// Significant digits a posterior keeps of each value (the file, not the simulation, is
/// the posterior: its values are what runs draw).
pub const DIGITS: usize = 6;

/// `v` to [`DIGITS`] significant digits.
pub fn rounded(v: f64) -> f64 {
    format!("{v:.*e}", DIGITS - 1).parse().unwrap_or(v)
}

/// How a posterior was made: enough to make it again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Fit {
    /// The method, in words.
    pub method: String,
    /// The calibration events, by file.
    pub events: Vec<String>,
    /// Prior parameter sets simulated, one replicate each.
    pub sets: u32,
    /// Sets accepted.
    pub accepted: u32,
    /// The largest distance accepted.
    pub tolerance: f64,
    pub seed: u32,
    pub version: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Posterior {
    pub format: String,
    pub fit: Fit,
    /// Parameter paths (`threats.qiam-1.launch_reliability`), one per column.
    pub parameters: Vec<String>,
    /// Accepted sets: one value per parameter each.
    pub samples: Vec<Vec<f64>>,
}

impl Posterior {
    /// Parse and check a posterior file's text; `name` is how errors name the file.
    pub fn parse(text: &str, name: &str) -> Result<Posterior, String> {
        if text.len() as u64 > MAX_BYTES {
            return Err(format!(
                "{name}: {} bytes, above the {MAX_BYTES} a posterior may have",
                text.len()
            ));
        }
        // Arrays and values counted in the text before it is parsed, so that no parse
        // allocates beyond the bounds: every set is an array, and values are separated by
        // commas.
        let count = |c: u8| text.bytes().filter(|&b| b == c).count();
        let (arrays, commas) = (count(b'['), count(b','));
        if arrays > MAX_SETS + 2 || commas > MAX_VALUES + MAX_SETS + MAX_PARAMETERS + 64 {
            return Err(format!(
                "{name}: {arrays} arrays and {commas} commas, more than a posterior within the bounds holds ({MAX_PARAMETERS} parameters, {MAX_SETS} sets, {MAX_VALUES} values)"
            ));
        }
        let p: Posterior = serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        if p.format != FORMAT {
            return Err(format!(
                "{name}: format {:?}, expected {FORMAT:?} (a file written by hormuz calibrate --fit)",
                p.format
            ));
        }
        let (np, ns) = (p.parameters.len(), p.samples.len());
        if np > MAX_PARAMETERS || ns > MAX_SETS || np * ns > MAX_VALUES {
            return Err(format!(
                "{name}: {np} parameters and {ns} sets, above the bounds ({MAX_PARAMETERS} parameters, {MAX_SETS} sets, {MAX_VALUES} values)"
            ));
        }
        if ns == 0 {
            return Err(format!("{name}: no parameter sets (samples is empty)"));
        }
        let mut seen = std::collections::HashSet::new();
        for path in &p.parameters {
            if !seen.insert(path.as_str()) {
                return Err(format!("{name}: parameter {path} is listed twice"));
            }
        }
        for (i, s) in p.samples.iter().enumerate() {
            if s.len() != np {
                return Err(format!(
                    "{name}: sample {i} has {} values for {np} parameters",
                    s.len()
                ));
            }
            if let Some(j) = s.iter().position(|v| !v.is_finite()) {
                return Err(format!(
                    "{name}: sample {i}, parameter {}: not a finite number",
                    p.parameters[j]
                ));
            }
        }
        Ok(p)
    }

    /// The built-in posterior.
    pub fn built_in() -> Result<Posterior, String> {
        Posterior::parse(BUILT_IN, BUILT_IN_NAME)
    }

    /// Read and check a posterior file, bounded before it is read.
    pub fn load(path: &std::path::Path) -> Result<Posterior, String> {
        let name = path.display().to_string();
        let len = std::fs::metadata(path)
            .map_err(|e| format!("{name}: {e}"))?
            .len();
        if len > MAX_BYTES {
            return Err(format!(
                "{name}: {len} bytes, above the {MAX_BYTES} a posterior may have"
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
        Posterior::parse(&text, &name)
    }

    /// The file's text: JSON, one line per set.
    pub fn to_json(&self) -> String {
        let head = serde_json::json!({
            "format": self.format,
            "fit": self.fit,
            "parameters": self.parameters,
        });
        let mut out = serde_json::to_string_pretty(&head).expect("a posterior serialises");
        out.pop();
        out.push_str(",\n  \"samples\": [\n");
        for (i, s) in self.samples.iter().enumerate() {
            let values: Vec<String> = s.iter().map(|v| format!("{v:?}")).collect();
            let comma = if i + 1 < self.samples.len() { "," } else { "" };
            out.push_str(&format!("    [{}]{comma}\n", values.join(", ")));
        }
        out.push_str("  ]\n}\n");
        out
    }

    /// SHA-256 of the file's text ([`Posterior::to_json`]), in hex.
    pub fn sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.to_json().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The column of a parameter path.
    pub fn column(&self, path: &str) -> Option<usize> {
        self.parameters.iter().position(|p| p == path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posterior() -> Posterior {
        Posterior {
            format: FORMAT.into(),
            fit: Fit {
                method: "test".into(),
                events: vec!["a.toml".into()],
                sets: 10,
                accepted: 2,
                tolerance: 0.5,
                seed: 3,
                version: "0".into(),
            },
            parameters: vec!["threats.x.cep_m".into(), "sides.s.detection.drone".into()],
            samples: vec![
                vec![rounded(1234.56789), rounded(0.1 + 0.2)],
                vec![20.0, 1.0],
            ],
        }
    }

    #[test]
    fn a_posterior_reads_back_what_it_wrote() {
        let p = posterior();
        assert_eq!(p.samples[0], vec![1234.57, 0.3]);
        assert_eq!(Posterior::parse(&p.to_json(), "t").unwrap(), p);
        // One line per set.
        assert!(
            p.to_json()
                .contains("    [1234.57, 0.3],\n    [20.0, 1.0]\n")
        );
    }

    #[test]
    fn bad_posteriors_are_refused_with_what_is_wrong() {
        let mut p = posterior();
        p.samples[1].pop();
        let e = Posterior::parse(&p.to_json(), "f.json").unwrap_err();
        assert!(
            e.contains("f.json: sample 1 has 1 values for 2 parameters"),
            "{e}"
        );
        let mut p = posterior();
        p.parameters[1] = p.parameters[0].clone();
        let e = Posterior::parse(&p.to_json(), "f.json").unwrap_err();
        assert!(e.contains("listed twice"), "{e}");
        let mut p = posterior();
        p.samples.clear();
        let e = Posterior::parse(&p.to_json(), "f.json").unwrap_err();
        assert!(e.contains("no parameter sets"), "{e}");
        let e = Posterior::parse("{]", "f.json").unwrap_err();
        assert!(e.starts_with("f.json: "), "{e}");
        let e =
            Posterior::parse(&posterior().to_json().replace(FORMAT, "x"), "f.json").unwrap_err();
        assert!(e.contains("expected \"hormuz posterior 1\""), "{e}");
    }

    #[test]
    fn a_posterior_too_large_is_refused_before_it_is_parsed() {
        let text = format!(
            "{{\"samples\": [{}]}}",
            vec!["[0]"; MAX_SETS + 10].join(",")
        );
        let e = Posterior::parse(&text, "big.json").unwrap_err();
        assert!(
            e.contains("more than a posterior within the bounds holds"),
            "{e}"
        );
    }

    #[test]
    fn the_built_in_posterior_reads() {
        let p = Posterior::built_in().unwrap();
        assert!(p.samples.len() >= 100, "{}", p.samples.len());
        assert!(p.fit.events.len() >= 3);
    }
}
