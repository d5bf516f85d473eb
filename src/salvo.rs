//! The Hughes salvo model (Hughes 1995, Naval Research Logistics 42(2):267-289), as a
//! reference calculator: the expected outcome of one simultaneous exchange of salvos
//! between two forces, which the stochastic engine should approach in the mean when given
//! matching inputs (`tests/salvo.rs`).
//!
//! ```text
//! ΔB = (α·A − b3·B) / b1, clamped to [0, B]
//! ΔA = (β·B − a3·A) / a1, clamped to [0, A]
//! ```
//!
//! A, B: units on each side; α, β: well-aimed missiles each unit fires per salvo; a3, b3:
//! incoming missiles each unit can destroy per salvo; a1, b1: hits that put a unit out of
//! action.

/// The inputs of one exchange.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Forces {
    pub a: f64,
    pub b: f64,
    pub alpha: f64,
    pub beta: f64,
    pub a1: f64,
    pub b1: f64,
    pub a3: f64,
    pub b3: f64,
}

/// Units put out of action on each side, and what is left.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exchange {
    pub delta_a: f64,
    pub delta_b: f64,
    pub a_left: f64,
    pub b_left: f64,
}

/// An input the model cannot take: which one (as its `salvo-model` flag) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForcesError {
    pub flag: &'static str,
    pub problem: String,
}

impl std::fmt::Display for ForcesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.flag, self.problem)
    }
}

impl std::error::Error for ForcesError {}

impl Forces {
    /// Every input finite and non-negative, staying powers above 0; else the input at fault.
    pub fn check(&self) -> Result<(), ForcesError> {
        let fields = [
            ("--a", self.a),
            ("--b", self.b),
            ("--alpha", self.alpha),
            ("--beta", self.beta),
            ("--a1", self.a1),
            ("--b1", self.b1),
            ("--a3", self.a3),
            ("--b3", self.b3),
        ];
        for (flag, v) in fields {
            if !v.is_finite() || v < 0.0 {
                return Err(ForcesError {
                    flag,
                    problem: format!("expected a finite number of 0 or more, found {v}"),
                });
            }
        }
        for (flag, v) in [("--a1", self.a1), ("--b1", self.b1)] {
            if v == 0.0 {
                return Err(ForcesError {
                    flag,
                    problem: "a staying power of 0 hits is undefined; use a number above 0".into(),
                });
            }
        }
        Ok(())
    }

    /// The expected outcome of one simultaneous exchange.
    pub fn exchange(&self) -> Exchange {
        let delta_b = ((self.alpha * self.a - self.b3 * self.b) / self.b1).clamp(0.0, self.b);
        let delta_a = ((self.beta * self.b - self.a3 * self.a) / self.a1).clamp(0.0, self.a);
        Exchange {
            delta_a,
            delta_b,
            a_left: self.a - delta_a,
            b_left: self.b - delta_b,
        }
    }
}

/// The text `hormuz salvo-model` prints.
pub fn render(f: &Forces, x: &Exchange) -> String {
    let n = |v: f64| crate::report::format_number((v * 1e6).round() / 1e6);
    format!(
        "Hughes salvo model, one simultaneous exchange (Hughes 1995)\n\
         A: {a} units, {alpha} missiles each, {a3} intercepts each, {a1} hits to put one out of action\n\
         B: {b} units, {beta} missiles each, {b3} intercepts each, {b1} hits to put one out of action\n\
         ΔB = (alpha·A − b3·B) / b1 = ({alpha}·{a} − {b3}·{b}) / {b1}, clamped to [0, {b}] = {db}\n\
         ΔA = (beta·B − a3·A) / a1 = ({beta}·{b} − {a3}·{a}) / {a1}, clamped to [0, {a}] = {da}\n\
         survivors: A {al}, B {bl}\n",
        a = n(f.a),
        b = n(f.b),
        alpha = n(f.alpha),
        beta = n(f.beta),
        a1 = n(f.a1),
        b1 = n(f.b1),
        a3 = n(f.a3),
        b3 = n(f.b3),
        db = n(x.delta_b),
        da = n(x.delta_a),
        al = n(x.a_left),
        bl = n(x.b_left),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forces(v: [f64; 8]) -> Forces {
        let [a, b, alpha, beta, a1, b1, a3, b3] = v;
        Forces {
            a,
            b,
            alpha,
            beta,
            a1,
            b1,
            a3,
            b3,
        }
    }

    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() < 1e-12
    }

    /// Worked example, in the style of Hughes (1995): A = 2, B = 3, α = 6, β = 2, a1 = 3,
    /// b1 = 2, a3 = 1, b3 = 1.
    /// ΔB = (6·2 − 1·3) / 2 = 9/2 = 4.5, more than B's 3 units: clamped to 3, B is wiped out.
    /// ΔA = (2·3 − 1·2) / 3 = 4/3 ≈ 1.333; A keeps 2 − 4/3 = 2/3 of a unit.
    #[test]
    fn a_stronger_salvo_wipes_out_the_other_side() {
        let x = forces([2.0, 3.0, 6.0, 2.0, 3.0, 2.0, 1.0, 1.0]).exchange();
        assert!(close(x.delta_b, 3.0) && close(x.b_left, 0.0), "{x:?}");
        assert!(
            close(x.delta_a, 4.0 / 3.0) && close(x.a_left, 2.0 / 3.0),
            "{x:?}"
        );
    }

    /// Defence that outmatches the offence: A = 4, B = 4, α = β = 2, a1 = b1 = 2,
    /// a3 = b3 = 3. ΔB = (2·4 − 3·4) / 2 = −2, clamped to 0; ΔA the same. Nobody loses.
    #[test]
    fn defence_stronger_than_offence_loses_nothing() {
        let x = forces([4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0]).exchange();
        assert_eq!(
            (x.delta_a, x.delta_b, x.a_left, x.b_left),
            (0.0, 0.0, 4.0, 4.0)
        );
    }

    /// Both sides lose part: A = 6, B = 5, α = 3, β = 3, a1 = 2, b1 = 3, a3 = 1, b3 = 2.
    /// ΔB = (3·6 − 2·5) / 3 = 8/3 ≈ 2.667, B keeps 7/3 ≈ 2.333.
    /// ΔA = (3·5 − 1·6) / 2 = 9/2 = 4.5, A keeps 1.5.
    #[test]
    fn both_sides_lose_part_of_their_force() {
        let x = forces([6.0, 5.0, 3.0, 3.0, 2.0, 3.0, 1.0, 2.0]).exchange();
        assert!(
            close(x.delta_b, 8.0 / 3.0) && close(x.b_left, 7.0 / 3.0),
            "{x:?}"
        );
        assert!(close(x.delta_a, 4.5) && close(x.a_left, 1.5), "{x:?}");
    }

    /// Hughes' point about parity: with equal forces, the side whose missiles outnumber the
    /// other's defences by more wins. A = B = 3, α = 4, β = 3, a1 = b1 = 2, a3 = b3 = 2:
    /// ΔB = (12 − 6) / 2 = 3 (B wiped out), ΔA = (9 − 6) / 2 = 1.5.
    #[test]
    fn one_more_missile_per_ship_decides_an_even_fight() {
        let x = forces([3.0, 3.0, 4.0, 3.0, 2.0, 2.0, 2.0, 2.0]).exchange();
        assert!(close(x.delta_b, 3.0) && close(x.delta_a, 1.5), "{x:?}");
    }

    #[test]
    fn bad_inputs_name_the_flag() {
        let e = forces([1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]).check();
        assert!(e.unwrap_err().to_string().starts_with("--a1:"));
        let e = forces([1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]).check();
        assert!(e.unwrap_err().to_string().starts_with("--b:"));
        let e = forces([1.0, 1.0, f64::NAN, 1.0, 1.0, 1.0, 0.0, 0.0]).check();
        assert!(e.unwrap_err().to_string().starts_with("--alpha:"));
    }
}
