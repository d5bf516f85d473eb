//! The engine's thread. It owns the exercise and the live [`Simulation`] of replicate 0,
//! takes commands from the window over a channel, runs the clock, and sends back
//! snapshots; file I/O and what-ifs happen here or on threads it starts, never on the
//! window's thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use super::files::{self, SavedExercise};
use super::live::{self, LogLine, Reader, Session, Snapshot};
use crate::engine::budget::{DEFAULT_BUDGET_BYTES, Sizes};
use crate::exercise::{Exercise, Given, Inject, live as live_sim};
use crate::report::{self, Stat};
use crate::scenario::Origin;
use crate::world::Simulation;

/// How the worker starts.
#[derive(Clone, Debug)]
pub enum Start {
    /// A scenario, opened `at_s` seconds after its start.
    Scenario {
        origin: Origin,
        seed: u32,
        at_s: u32,
    },
    /// A saved exercise.
    Saved(PathBuf),
}

pub enum Command {
    Play,
    Pause,
    /// Run to the next tick at which anything happens.
    Step,
    /// Run every tick up to this one (or the end) and stop there: the clock by command,
    /// the same on any machine, where playing goes as far as the wall clock allows.
    RunTo(u32),
    /// Simulated seconds per real second.
    Speed(f64),
    Inject(Inject),
    WhatIf {
        replicates: u32,
    },
    Save(PathBuf),
    Load(PathBuf),
    /// The after-action report into a folder: the log as CSV, the what-if charts as PNG.
    Export(PathBuf),
}

/// A what-if's outcome: per-replicate figures from the tick it forked at.
#[derive(Clone, Debug)]
pub struct WhatIf {
    pub from_tick: u32,
    pub replicates: u32,
    pub wall_seconds: f64,
    /// Leakers over the whole scenario, per replicate.
    pub leakers: Vec<f64>,
    /// Per asset: (id, name, hits per replicate).
    pub hits: Vec<(String, String, Vec<f64>)>,
}

impl WhatIf {
    pub fn leakers_stat(&self) -> Stat {
        Stat::of(&self.leakers)
    }
}

pub enum Report {
    /// A new session (a scenario planned anew): forget the old one.
    Session(Arc<Session>),
    Snapshot(Box<Snapshot>),
    /// The exercise could not be opened: nothing to show but this.
    Failed(String),
    /// An inject the checker refused, or a command that could not be done.
    Rejected(String),
    Notice(String),
    WhatIfProgress {
        done: u32,
        total: u32,
    },
    WhatIf(Arc<WhatIf>),
}

/// The window's end of the worker.
pub struct Worker {
    pub commands: Sender<Command>,
    pub reports: Receiver<Report>,
}

impl Worker {
    /// Start the worker thread; `repaint` wakes the window when a report is sent.
    pub fn spawn(start: Start, repaint: impl Fn() + Send + Sync + 'static) -> Worker {
        let (ctx, crx) = channel();
        let (rtx, rrx) = channel();
        let repaint: Arc<dyn Fn() + Send + Sync> = Arc::new(repaint);
        std::thread::Builder::new()
            .name("hormuz-engine".into())
            .spawn(move || {
                let mut engine = Engine {
                    reports: rtx,
                    repaint,
                    state: None,
                    playing: false,
                    speed: 60.0,
                    clock_origin: None,
                    what_if: None,
                    whatif_running: false,
                    epochs: 0,
                };
                engine.open(start);
                engine.serve(crx);
            })
            .expect("the engine thread starts");
        Worker {
            commands: ctx,
            reports: rrx,
        }
    }
}

struct Live {
    exercise: Exercise,
    session: Arc<Session>,
    sim: Simulation,
    reader: Reader,
    /// Every log line of the session so far, for saving and exporting.
    lines: Vec<LogLine>,
}

struct Engine {
    reports: Sender<Report>,
    repaint: Arc<dyn Fn() + Send + Sync>,
    state: Option<Live>,
    playing: bool,
    speed: f64,
    /// While playing: (real instant, simulated seconds) the clock runs from.
    clock_origin: Option<(Instant, f64)>,
    what_if: Option<Arc<WhatIf>>,
    whatif_running: bool,
    epochs: u64,
}

impl Engine {
    fn send(&self, r: Report) {
        let _ = self.reports.send(r);
        (self.repaint)();
    }

    fn open(&mut self, start: Start) {
        let result = match start {
            Start::Scenario { origin, seed, at_s } => {
                let ex = Exercise::new(origin, seed);
                // The tick length is the scenario's: the replay converts.
                self.build(ex, Tick::Seconds(at_s))
            }
            Start::Saved(path) => files::load_exercise(&path).and_then(|saved| {
                let ex = saved.exercise()?;
                self.build(ex, Tick::Tick(saved.tick))
            }),
        };
        if let Err(e) = result {
            self.send(Report::Failed(e));
        }
    }

    /// Plan the exercise, replay it to `tick`, and make it the live session.
    fn build(&mut self, exercise: Exercise, at: Tick) -> Result<(), String> {
        let live = self.replay(&exercise, at)?;
        self.install(exercise, live);
        Ok(())
    }

    fn replay(&mut self, exercise: &Exercise, at: Tick) -> Result<(Session, Simulation), String> {
        let sc = Arc::new(exercise.scenario().map_err(|e| e.to_string())?);
        let plan = Arc::new(crate::exercise::plan_live(&sc)?);
        let mut sim = live_sim(sc.clone(), plan.clone(), exercise.seed)?;
        let tick = match at {
            Tick::Tick(t) => t,
            Tick::Seconds(s) => s / sc.tick_seconds,
        };
        sim.advance_to(tick.min(sc.ticks))?;
        self.epochs += 1;
        let source = match &exercise.origin {
            Origin::Disk(p) => p.display().to_string(),
            Origin::Embedded(n) => format!("{n} (built in)"),
        };
        let session = Session {
            epoch: self.epochs,
            units: live::units(&sc),
            scenario: sc,
            plan,
            seed: exercise.seed,
            injects: exercise.injects.clone(),
            source,
        };
        Ok((session, sim))
    }

    fn install(&mut self, exercise: Exercise, (session, sim): (Session, Simulation)) {
        let session = Arc::new(session);
        self.state = Some(Live {
            exercise,
            session: session.clone(),
            sim,
            reader: Reader::new(),
            lines: Vec::new(),
        });
        self.send(Report::Session(session));
        self.snapshot();
    }

    fn snapshot(&mut self) {
        let (playing, speed) = (self.playing, self.speed);
        let Some(live) = &mut self.state else { return };
        let mut snap = live.reader.snapshot(&live.session, &mut live.sim);
        snap.playing = playing;
        snap.speed = speed;
        live.lines.extend(snap.lines.iter().cloned());
        self.send(Report::Snapshot(Box::new(snap)));
    }

    fn tick_seconds(&self) -> f64 {
        self.state
            .as_ref()
            .map_or(1.0, |l| l.session.scenario.tick_seconds as f64)
    }

    fn serve(&mut self, commands: Receiver<Command>) {
        let (wtx, wrx) = channel::<WhatIfMessage>();
        loop {
            let cmd = if self.playing {
                match commands.recv_timeout(Duration::from_millis(15)) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else if self.whatif_running {
                match commands.recv_timeout(Duration::from_millis(50)) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else {
                match commands.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                }
            };
            if let Some(cmd) = cmd {
                self.handle(cmd, &wtx);
            }
            while let Ok(m) = wrx.try_recv() {
                match m {
                    WhatIfMessage::Progress(done, total) => {
                        self.send(Report::WhatIfProgress { done, total })
                    }
                    WhatIfMessage::Done(result) => {
                        self.whatif_running = false;
                        match result {
                            Ok(w) => {
                                let w = Arc::new(w);
                                self.what_if = Some(w.clone());
                                self.send(Report::WhatIf(w));
                            }
                            Err(e) => self.send(Report::Rejected(format!("what-if failed: {e}"))),
                        }
                    }
                }
            }
            if self.playing {
                self.run_clock();
            }
        }
    }

    fn run_clock(&mut self) {
        let tick_s = self.tick_seconds();
        let speed = self.speed;
        let Some(live) = &mut self.state else {
            self.playing = false;
            return;
        };
        let clock = live.sim.clock();
        if clock.tick >= clock.end {
            // Nowhere left to go (opened or stopped at the end): stop rather than spin.
            self.playing = false;
            self.clock_origin = None;
            self.snapshot();
            return;
        }
        let (t0, s0) = *self
            .clock_origin
            .get_or_insert((Instant::now(), clock.seconds()));
        let now = s0 + t0.elapsed().as_secs_f64() * speed;
        let target = ((now / tick_s).floor() as u32).min(clock.end);
        if target <= clock.tick {
            return;
        }
        if let Err(e) = live.sim.advance_to(target) {
            self.playing = false;
            self.send(Report::Rejected(format!("the engine stopped: {e}")));
        }
        if target >= clock.end {
            self.playing = false;
            self.clock_origin = None;
        }
        self.snapshot();
    }

    fn handle(&mut self, cmd: Command, whatif: &Sender<WhatIfMessage>) {
        match cmd {
            Command::Play => {
                if self.state.is_some() {
                    self.playing = true;
                    self.clock_origin = None;
                    self.snapshot();
                }
            }
            Command::Pause => {
                self.playing = false;
                self.clock_origin = None;
                self.snapshot();
            }
            Command::Speed(s) => {
                self.speed = s.clamp(1.0, 3600.0);
                self.clock_origin = None;
                self.snapshot();
            }
            Command::Step => {
                self.playing = false;
                self.clock_origin = None;
                if let Some(live) = &mut self.state
                    && let Err(e) = live.sim.step()
                {
                    self.send(Report::Rejected(format!("the engine stopped: {e}")));
                }
                self.snapshot();
            }
            Command::RunTo(tick) => self.run_to(tick),
            Command::Inject(inject) => self.inject(inject),
            Command::WhatIf { replicates } => self.what_if(replicates, whatif.clone()),
            Command::Save(path) => self.save(path),
            Command::Load(path) => {
                self.playing = false;
                self.clock_origin = None;
                let result = files::load_exercise(&path).and_then(|saved| {
                    let ex = saved.exercise()?;
                    let live = self.replay(&ex, Tick::Tick(saved.tick))?;
                    Ok((ex, live))
                });
                match result {
                    Ok((ex, live)) => {
                        self.what_if = None;
                        self.install(ex, live);
                        self.send(Report::Notice(format!("loaded {}", path.display())));
                    }
                    Err(e) => self.send(Report::Rejected(e)),
                }
            }
            Command::Export(dir) => self.export(dir),
        }
    }

    fn run_to(&mut self, tick: u32) {
        self.playing = false;
        self.clock_origin = None;
        let Some(live) = &mut self.state else { return };
        let clock = live.sim.clock();
        let result = if tick < clock.tick {
            let tick_s = live.session.scenario.tick_seconds;
            Err(format!(
                "the clock runs forward only: T+{} has passed (load a saved exercise to go back)",
                live::clock(tick, tick_s)
            ))
        } else {
            live.sim
                .advance_to(tick.min(clock.end))
                .map_err(|e| format!("the engine stopped: {e}"))
        };
        if let Err(e) = result {
            self.send(Report::Rejected(e));
        }
        self.snapshot();
    }

    fn inject(&mut self, inject: Inject) {
        let Some(live) = &self.state else { return };
        let tick = live.sim.clock().tick;
        let mut exercise = live.exercise.clone();
        exercise.injects.push(Given { tick, inject });
        // The checker judges the inject like any order of the scenario.
        match self.replay(&exercise, Tick::Tick(tick)) {
            Ok(next) => {
                self.clock_origin = None;
                self.install(exercise, next);
            }
            Err(e) => self.send(Report::Rejected(format!("inject refused:\n{e}"))),
        }
    }

    fn what_if(&mut self, replicates: u32, tx: Sender<WhatIfMessage>) {
        if self.whatif_running {
            self.send(Report::Rejected("a what-if is already running".into()));
            return;
        }
        let Some(live) = &self.state else { return };
        let replicates = replicates.clamp(1, 100_000);
        let (sc, plan) = (&live.session.scenario, &live.session.plan);
        let budget = crate::report::budget(sc, replicates, 0, DEFAULT_BUDGET_BYTES);
        if let Err(e) = budget.check(sc, &Sizes::of_plan(plan, sc)) {
            self.send(Report::Rejected(format!("what-if: {e}")));
            return;
        }
        let fork = match live.sim.fork(replicates, None) {
            Ok(f) => f,
            Err(e) => {
                self.send(Report::Rejected(format!("what-if: {e}")));
                return;
            }
        };
        let from_tick = live.sim.clock().tick;
        let session = live.session.clone();
        self.whatif_running = true;
        let repaint = self.repaint.clone();
        std::thread::Builder::new()
            .name("hormuz-what-if".into())
            .spawn(move || {
                let started = Instant::now();
                let mut last = Instant::now();
                let progress_tx = tx.clone();
                let out = fork.run(|tick, end| {
                    if last.elapsed() > Duration::from_millis(100) || tick == end {
                        last = Instant::now();
                        let span = end.saturating_sub(from_tick).max(1);
                        let done = tick.saturating_sub(from_tick).min(span);
                        let _ = progress_tx.send(WhatIfMessage::Progress(done, span));
                        repaint();
                    }
                });
                let result = out.map(|out| {
                    let sc = &session.scenario;
                    let fig = report::figures(sc, &session.plan, &out);
                    WhatIf {
                        from_tick,
                        replicates,
                        wall_seconds: started.elapsed().as_secs_f64(),
                        leakers: fig.column("leaked_total").unwrap_or_default(),
                        hits: sc
                            .assets
                            .iter()
                            .map(|a| {
                                (
                                    a.id.clone(),
                                    a.name.clone(),
                                    fig.column(&format!("hits_{}", a.id)).unwrap_or_default(),
                                )
                            })
                            .collect(),
                    }
                });
                let _ = tx.send(WhatIfMessage::Done(result));
                repaint();
            })
            .expect("the what-if thread starts");
    }

    fn save(&mut self, path: PathBuf) {
        let Some(live) = &self.state else { return };
        let saved = SavedExercise::new(
            &live.exercise,
            &live.session,
            live.sim.clock().tick,
            &live.lines,
        );
        match saved.and_then(|s| files::save_exercise(&s, &path)) {
            Ok(()) => self.send(Report::Notice(format!("saved {}", path.display()))),
            Err(e) => self.send(Report::Rejected(e)),
        }
    }

    fn export(&mut self, dir: PathBuf) {
        let Some(live) = &self.state else { return };
        match files::export(&dir, &live.session, &live.lines, self.what_if.as_deref()) {
            Ok(written) => self.send(Report::Notice(format!(
                "wrote {} in {}",
                written.join(", "),
                dir.display()
            ))),
            Err(e) => self.send(Report::Rejected(e)),
        }
    }
}

/// A time to replay to, in ticks or in seconds before the scenario says how long a tick is.
#[derive(Clone, Copy)]
enum Tick {
    Tick(u32),
    Seconds(u32),
}

enum WhatIfMessage {
    Progress(u32, u32),
    Done(Result<WhatIf, String>),
}
