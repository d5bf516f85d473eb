//! A GPU device lost in the middle of a run: every read-back after it (a map that fails,
//! a wait that reports the device's error) reaches the caller as an `Err`, never a panic.
//! A device of its own, so that no other test's device is lost.

mod common;

use std::sync::Arc;

use hormuz::engine::gpu::{GpuBackend, GpuContext};
use hormuz::engine::plan;
use hormuz::scenario::{self, Origin};
use hormuz::world::{RunConfig, Simulation};

#[test]
fn a_lost_device_is_an_error_not_a_panic() {
    if common::require_gpu().is_none() {
        return;
    }
    let ctx = Arc::new(GpuContext::new().expect("a second device on the same adapter"));
    let sc = Arc::new(scenario::load(Origin::Disk(common::data_dir().join("smoke.toml"))).unwrap());
    let plan = Arc::new(plan::build(&sc));
    let config = RunConfig {
        replicates: 4,
        seed: 1,
        record: 0..1,
    };
    let backend = GpuBackend::with_context(ctx.clone(), plan.clone(), 4, 0..1, None).unwrap();
    let mut sim = Simulation::new(sc, plan, &config, Box::new(backend));
    // A few ticks run on the device; then it is lost.
    for _ in 0..3 {
        assert!(
            sim.step().unwrap(),
            "the smoke scenario runs more than 3 ticks"
        );
    }
    ctx.device.destroy();
    let mut failure = None;
    for _ in 0..10_000 {
        match sim.step() {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let e = failure
        .or_else(|| sim.finish().err())
        .expect("a run on a lost device fails");
    eprintln!("the run on a lost device: {e}");
    assert!(e.contains("GPU"), "{e}");
}
