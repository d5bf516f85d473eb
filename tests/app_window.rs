//! The exercise app in a real window: X11 under Xvfb, wgpu on Mesa (lavapipe's Vulkan, or
//! llvmpipe's GL). The app draws some frames, reads back its own rendered frame and writes
//! it as a PNG; the test finds the Gulf in it.
//!
//! The scripted mode plays the clock by the wall clock, so the app opens at the scenario's
//! end (`--at 24:00`), where there is nothing left to play: the frame read back is the
//! same however fast the machine draws.
//!
//! Without `xvfb-run` the test is skipped, visibly, or fails under CI
//! (`common::require_xvfb`).
#![cfg(feature = "desktop")]

mod common;

use std::path::Path;
use std::process::Command;

use eframe::egui::{Pos2, Rect};
use hormuz::app::map::{self, View};
use hormuz::geo::LatLon;

/// Share of the pixels of a 7x7 patch within `tolerance` of `colour`.
fn share(img: &image::RgbaImage, at: Pos2, colour: [u8; 3], tolerance: i32) -> f64 {
    let mut n = 0;
    let mut hits = 0;
    for dy in -3..=3 {
        for dx in -3..=3 {
            let (x, y) = (at.x as i32 + dx, at.y as i32 + dy);
            if x < 0 || y < 0 || x >= img.width() as i32 || y >= img.height() as i32 {
                continue;
            }
            n += 1;
            let p = img.get_pixel(x as u32, y as u32).0;
            let d = (0..3)
                .map(|i| (p[i] as i32 - colour[i] as i32).abs())
                .max()
                .unwrap();
            if d <= tolerance {
                hits += 1;
            }
        }
    }
    hits as f64 / n.max(1) as f64
}

#[test]
fn the_window_draws_the_gulf_under_xvfb() {
    if !common::require_xvfb() {
        return;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let shot = out.join("app.png");
    let _ = std::fs::remove_file(&shot);
    let runtime = tempfile::tempdir().unwrap();
    let run = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_hormuz"))
        .args(["app", "--at", "24:00", "--frames", "20", "--screenshot"])
        .arg(&shot)
        .env("XDG_RUNTIME_DIR", runtime.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "hormuz app exited with {}\nstdout: {stdout}\nstderr: {stderr}",
        run.status
    );
    eprintln!("{stderr}");

    // Where the map was, as the app reports it.
    let geometry: serde_json::Value = serde_json::from_str(
        stdout
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .expect("the app prints its map geometry"),
    )
    .unwrap();
    let f = |v: &serde_json::Value| v.as_f64().unwrap() as f32;
    let r = geometry["map_rect"].as_array().unwrap();
    let rect = Rect::from_min_max(Pos2::new(f(&r[0]), f(&r[1])), Pos2::new(f(&r[2]), f(&r[3])));
    let view: View = serde_json::from_value(geometry["view"].clone()).unwrap();
    let ppp = f(&geometry["pixels_per_point"]);
    let pixel = |lat: f64, lon: f64| {
        let p = view.lat_lon_to_screen(rect, LatLon::new(lat, lon));
        Pos2::new(p.x * ppp, p.y * ppp)
    };

    let img = image::open(&shot).unwrap().to_rgba8();
    assert!(
        img.width() >= 1000 && img.height() >= 600,
        "{:?}",
        img.dimensions()
    );
    let colours: std::collections::HashSet<[u8; 4]> = img.pixels().map(|p| p.0).collect();
    assert!(
        colours.len() > 100,
        "a blank frame: {} colours",
        colours.len()
    );

    let land = map::LAND.to_array();
    let sea = map::SEA.to_array();
    let land = [land[0], land[1], land[2]];
    let sea = [sea[0], sea[1], sea[2]];
    // Land around the Gulf: Saudi Arabia, Oman, Iran; its waters between them.
    for (name, lat, lon) in [
        ("Saudi Arabia", 23.3, 49.8),
        ("Oman", 22.0, 57.0),
        ("Iran", 30.5, 58.0),
    ] {
        let s = share(&img, pixel(lat, lon), land, 6);
        assert!(s >= 0.5, "{name} ({lat}, {lon}) is not land-coloured: {s}");
    }
    for (name, lat, lon) in [
        ("the Gulf off Bahrain", 27.6, 50.0),
        ("the Gulf off Qatar", 25.5, 53.0),
    ] {
        let s = share(&img, pixel(lat, lon), sea, 6);
        assert!(s >= 0.5, "{name} ({lat}, {lon}) is not sea-coloured: {s}");
    }
    // Coastline strokes around the Gulf.
    let (a, b) = (pixel(30.5, 48.0), pixel(24.0, 57.0));
    let coast = map::COAST.to_array();
    let mut strokes = 0;
    for y in a.y as u32..b.y as u32 {
        for x in a.x as u32..b.x as u32 {
            let p = img.get_pixel(x, y).0;
            if (0..3).all(|i| (p[i] as i32 - coast[i] as i32).abs() <= 40) {
                strokes += 1;
            }
        }
    }
    assert!(strokes > 100, "{strokes} coastline pixels around the Gulf");
}
