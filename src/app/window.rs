//! The native window: eframe with its wgpu renderer (the same wgpu as the engine), and
//! the scripted mode `--frames N --screenshot PATH` that plays the clock for N frames,
//! reads back the window's own rendered frame and writes it as a PNG.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use eframe::egui;

use super::fog::Team;
use super::ui::{AppOptions, ExerciseApp};
use super::worker::Start;
use crate::scenario::Origin;

pub const WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];
/// The window's least size (the layout shares it out so that the map keeps a part).
pub const MIN_WINDOW_SIZE: [f32; 2] = [720.0, 480.0];

/// How the window plays: the clock's speed, and the scripted mode.
#[derive(Clone, Debug)]
pub struct WindowOptions {
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Play the clock for this many frames, then close.
    pub frames: Option<u32>,
    /// Write the last frame as a PNG here before closing (scripted mode only).
    pub screenshot: Option<PathBuf>,
    /// Whose view the window opens with.
    pub view: Team,
}

/// Why the window ended in failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WindowError {
    /// What the scripted window showed as its failure: the scenario or saved exercise
    /// could not be opened (or the base map not loaded).
    Open(String),
    /// The window could not open, or its frame could not be read back or written.
    Window(String),
}

impl WindowError {
    /// Whether the input (the scenario or exercise) is at fault rather than the machine.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, WindowError::Open(_))
    }
}

impl std::fmt::Display for WindowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WindowError::Open(e) | WindowError::Window(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for WindowError {}

/// What a scripted run reports when it closes.
#[derive(Default)]
struct Outcome {
    written: Option<Result<(), String>>,
    failed: Option<String>,
    geometry: Option<String>,
    /// Since the first counted frame: frame-to-frame intervals, time in `ui`, and eframe's
    /// CPU time per frame (ui, tessellation and the render's submission), seconds.
    intervals: Vec<f64>,
    ui_times: Vec<f64>,
    cpu_times: Vec<f64>,
}

struct Window {
    app: ExerciseApp,
    frames: Option<u32>,
    screenshot: Option<PathBuf>,
    counted: u32,
    requested: bool,
    outcome: Arc<Mutex<Outcome>>,
    last: Option<Instant>,
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let t0 = Instant::now();
        self.app.show(ui);
        let ui_time = t0.elapsed().as_secs_f64();
        let Some(n) = self.frames else { return };
        let ctx = ui.ctx().clone();
        ctx.request_repaint();
        if let Some(e) = self.app.failed().or(self.app.map_error()) {
            self.outcome.lock().expect("not poisoned").failed = Some(e.to_string());
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if !self.app.ready() {
            return;
        }
        {
            let mut o = self.outcome.lock().expect("not poisoned");
            if let Some(prev) = self.last {
                o.intervals.push(prev.elapsed().as_secs_f64());
            }
            o.ui_times.push(ui_time);
            if let Some(cpu) = frame.info().cpu_usage {
                o.cpu_times.push(cpu as f64);
            }
        }
        self.last = Some(Instant::now());
        self.counted += 1;
        if self.counted < n {
            return;
        }
        let done = {
            let o = self.outcome.lock().expect("not poisoned");
            o.written.is_some()
        };
        match (&self.screenshot, self.requested) {
            (None, _) => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            (Some(_), _) if done => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            (Some(path), false) => {
                self.requested = true;
                let (rect, view) = self.app.map_geometry().expect("the map was drawn");
                let geometry = serde_json::json!({
                    "screenshot": path,
                    "pixels_per_point": ctx.pixels_per_point(),
                    "map_rect": [rect.min.x, rect.min.y, rect.max.x, rect.max.y],
                    "view": view,
                });
                self.outcome.lock().expect("not poisoned").geometry = Some(geometry.to_string());
                let path = path.clone();
                let outcome = self.outcome.clone();
                let repaint = ctx.clone();
                ctx.request_screenshot(move |image| {
                    // Encoding and writing happen off the window's thread.
                    std::thread::spawn(move || {
                        let result = write_png(&path, &image);
                        outcome.lock().expect("not poisoned").written = Some(result);
                        repaint.request_repaint();
                    });
                });
            }
            (Some(_), true) => {}
        }
    }
}

fn write_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let img = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or("the screenshot has the wrong size")?;
    img.save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn stats(v: &[f64]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let q = |p: f64| s[((p * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1] * 1e3;
    format!(
        "mean {:.1} ms, p50 {:.1} ms, p95 {:.1} ms",
        v.iter().sum::<f64>() / v.len() as f64 * 1e3,
        q(0.5),
        q(0.95)
    )
}

/// What cannot be opened is refused before any window opens (exit status 2): a scenario
/// file that is not there, `--at` after the scenario's end.
pub fn check_start(start: &Start) -> Result<(), String> {
    let Start::Scenario { origin, at_s, .. } = start else {
        return Ok(());
    };
    if let Origin::Disk(p) = origin
        && !p.is_file()
    {
        return Err(format!("{}: no such scenario file", p.display()));
    }
    // The duration is read from the file's syntax; what else is wrong with it the window
    // shows, with a way to open a saved exercise instead.
    // (Templates expanded first: a unit that takes a required key from its template is
    // no syntax error.)
    if let Ok(end) = crate::scenario::duration_seconds(origin.clone())
        && *at_s > end
    {
        return Err(format!(
            "--at {}: after the end of the scenario ({})",
            crate::scenario::types::Clock(*at_s),
            crate::scenario::types::Clock(end)
        ));
    }
    Ok(())
}

/// Open the window on `start` and run it until it closes.
pub fn run(start: Start, args: &WindowOptions) -> Result<(), WindowError> {
    let scripted = args.frames.is_some();
    let app = ExerciseApp::new(
        start,
        AppOptions {
            speed: args.speed,
            play: scripted,
            team: args.view,
        },
    );
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let window = Window {
        app,
        frames: args.frames,
        screenshot: args.screenshot.clone(),
        counted: 0,
        requested: false,
        outcome: outcome.clone(),
        last: None,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("hormuz — exercise")
            .with_inner_size(WINDOW_SIZE)
            .with_min_inner_size(MIN_WINDOW_SIZE),
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };

    eframe::run_native("hormuz", options, Box::new(move |_cc| Ok(Box::new(window))))
        .map_err(|e| WindowError::Window(format!("cannot open the window: {e}")))?;
    let o = outcome.lock().expect("not poisoned");
    if let Some(e) = &o.failed {
        return Err(WindowError::Open(e.clone()));
    }
    if scripted {
        eprintln!(
            "{} frames: frame interval {}; in ui {}; window thread's CPU (ui, tessellation, render submission) {}",
            o.ui_times.len(),
            stats(&o.intervals),
            stats(&o.ui_times),
            stats(&o.cpu_times)
        );
    }
    if let Some(path) = &args.screenshot {
        match &o.written {
            Some(Ok(())) => {
                if let Some(g) = &o.geometry {
                    println!("{g}");
                }
                eprintln!("wrote {}", path.display());
            }
            Some(Err(e)) => return Err(WindowError::Window(e.clone())),
            None => {
                return Err(WindowError::Window(format!(
                    "{}: the window closed before its frame was read back",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}
