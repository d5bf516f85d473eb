//! `hormuz salvo-model`: the Hughes salvo model as a calculator (`crate::salvo`).

use clap::Args;

use crate::error::Failure;
use crate::salvo::{Forces, render};

#[derive(Args, Debug, Clone)]
pub struct SalvoArgs {
    /// Units on side A.
    #[arg(long)]
    pub a: f64,
    /// Units on side B.
    #[arg(long)]
    pub b: f64,
    /// Well-aimed missiles each A unit fires per salvo.
    #[arg(long)]
    pub alpha: f64,
    /// Well-aimed missiles each B unit fires per salvo.
    #[arg(long)]
    pub beta: f64,
    /// Hits that put an A unit out of action (staying power).
    #[arg(long)]
    pub a1: f64,
    /// Hits that put a B unit out of action (staying power).
    #[arg(long)]
    pub b1: f64,
    /// Incoming missiles each A unit can destroy per salvo.
    #[arg(long)]
    pub a3: f64,
    /// Incoming missiles each B unit can destroy per salvo.
    #[arg(long)]
    pub b3: f64,
}

pub fn main(s: &SalvoArgs) -> Result<(), Failure> {
    let f = Forces {
        a: s.a,
        b: s.b,
        alpha: s.alpha,
        beta: s.beta,
        a1: s.a1,
        b1: s.b1,
        a3: s.a3,
        b3: s.b3,
    };
    f.check()?;
    print!("{}", render(&f, &f.exchange()));
    Ok(())
}
