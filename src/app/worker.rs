//! The engine's thread. It owns the exercise and the live [`Simulation`] of replicate 0,
//! takes commands from the window over a channel, runs the clock, and sends back
//! snapshots; file I/O and what-ifs happen here or on threads it starts, never on the
//! window's thread.
//!
//! The past replays exactly, so going back in time is a replay to that tick, and an inject
//! removed or edited is a replay of the exercise without it (or with the new one).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use super::checks::{self, Now};
use super::files::{self, SavedExercise};
use super::live::{LogLine, Reader, Session, Shot, Snapshot};
use super::whatif::{self, From, Message};
pub use super::whatif::{Outcome, WhatIf};
use crate::exercise::{Exercise, Given, Inject, live as live_sim};
use crate::scenario::{LoadError, Origin};
use crate::world::{BatteryIndex, Online, Simulation};

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
    /// Go to this tick and stop there: forward by running the clock, back by replaying
    /// the exercise (the past replays exactly). The clock by command, the same on any
    /// machine, where playing goes as far as the wall clock allows.
    RunTo(u32),
    /// Simulated seconds per real second.
    Speed(f64),
    Inject(Inject),
    /// Take back the inject at this index (0-based) and replay.
    RemoveInject(usize),
    /// Give this inject instead of the one at the index, at that inject's time.
    ReplaceInject(usize, Inject),
    /// A what-if from now; with `branch`, with and without that inject (0-based).
    WhatIf {
        replicates: u32,
        branch: Option<usize>,
    },
    /// Save the exercise; a file already there is not overwritten: the worker asks.
    Save(PathBuf),
    /// Save the exercise over a file already there.
    SaveOver(PathBuf),
    Load(PathBuf),
    /// The after-action report into a folder: one HTML document, the log as CSV.
    Export(PathBuf),
}

pub enum Report {
    /// A new session (a scenario planned anew): forget the old one.
    Session(Arc<Session>),
    Snapshot(Box<Snapshot>),
    /// The exercise could not be opened: nothing to show but this.
    Failed(String),
    /// A command that could not be done.
    Rejected(String),
    /// An inject refused, in the facilitator's words.
    InjectRefused(String),
    Notice(String),
    /// Saving would overwrite this file: the window asks first.
    Exists(PathBuf),
    WhatIfProgress {
        done: u32,
        total: u32,
    },
    WhatIf(Arc<Outcome>),
    /// A what-if that could not start or failed: the panel is free again.
    WhatIfRefused(String),
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
    /// Every log line and interceptor shot of the session so far, for saving and the
    /// report; the last snapshot (without its lines) for the report's summary.
    lines: Vec<LogLine>,
    shots: Vec<Shot>,
    last: Option<Snapshot>,
}

struct Engine {
    reports: Sender<Report>,
    repaint: Arc<dyn Fn() + Send + Sync>,
    state: Option<Live>,
    playing: bool,
    speed: f64,
    /// While playing: (real instant, simulated seconds) the clock runs from.
    clock_origin: Option<(Instant, f64)>,
    what_if: Option<Arc<Outcome>>,
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
        self.replay_with(exercise, at, |e| e.to_string())
    }

    /// [`Self::replay`], saying what the scenario checker refuses with `words`.
    fn replay_with(
        &mut self,
        exercise: &Exercise,
        at: Tick,
        words: fn(&LoadError) -> String,
    ) -> Result<(Session, Simulation), String> {
        let sc = Arc::new(exercise.scenario().map_err(|e| words(&e))?);
        let plan = Arc::new(crate::exercise::plan_live(&sc, exercise.seed)?);
        let mut sim = live_sim(sc.clone(), plan.clone(), exercise.seed)?;
        let tick = match at {
            Tick::Tick(t) => t,
            Tick::Seconds(s) => s / sc.tick_seconds,
        };
        sim.advance_to(tick.min(sc.ticks))?;
        self.epochs += 1;
        Ok((Session::planned(sc, plan, exercise, self.epochs), sim))
    }

    fn install(&mut self, exercise: Exercise, (session, sim): (Session, Simulation)) {
        let session = Arc::new(session);
        self.state = Some(Live {
            exercise,
            session: session.clone(),
            sim,
            reader: Reader::new(),
            lines: Vec::new(),
            shots: Vec::new(),
            last: None,
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
        live.shots.extend(snap.shots.iter().copied());
        live.last = Some(Snapshot {
            lines: Vec::new(),
            shots: Vec::new(),
            ..snap.clone()
        });
        self.send(Report::Snapshot(Box::new(snap)));
    }

    fn tick_seconds(&self) -> f64 {
        self.state
            .as_ref()
            .map_or(1.0, |l| l.session.scenario.tick_seconds as f64)
    }

    fn serve(&mut self, commands: Receiver<Command>) {
        let (wtx, wrx) = channel::<Message>();
        loop {
            let cmd = if self.playing || self.whatif_running {
                let wait = if self.playing { 15 } else { 50 };
                match commands.recv_timeout(Duration::from_millis(wait)) {
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
                    Message::Progress(done, total) => {
                        self.send(Report::WhatIfProgress { done, total })
                    }
                    Message::Done(result) => {
                        self.whatif_running = false;
                        match result {
                            Ok(w) => {
                                let w = Arc::new(w);
                                self.what_if = Some(w.clone());
                                self.send(Report::WhatIf(w));
                            }
                            Err(e) => {
                                self.send(Report::WhatIfRefused(format!("what-if failed: {e}")))
                            }
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

    fn stop(&mut self) {
        self.playing = false;
        self.clock_origin = None;
    }

    fn handle(&mut self, cmd: Command, whatif: &Sender<Message>) {
        match cmd {
            Command::Play => {
                if self.state.is_some() {
                    self.playing = true;
                    self.clock_origin = None;
                    self.snapshot();
                }
            }
            Command::Pause => {
                self.stop();
                self.snapshot();
            }
            Command::Speed(s) => {
                self.speed = s.clamp(1.0, 3600.0);
                self.clock_origin = None;
                self.snapshot();
            }
            Command::Step => {
                self.stop();
                if let Some(live) = &mut self.state
                    && let Err(e) = live.sim.step()
                {
                    self.send(Report::Rejected(format!("the engine stopped: {e}")));
                }
                self.snapshot();
            }
            Command::RunTo(tick) => self.run_to(tick),
            Command::Inject(inject) => self.inject(inject),
            Command::RemoveInject(i) => self.change_inject(i, None),
            Command::ReplaceInject(i, inject) => self.change_inject(i, Some(inject)),
            Command::WhatIf { replicates, branch } => {
                self.what_if(replicates, branch, whatif.clone())
            }
            Command::Save(path) => self.save(path, false),
            Command::SaveOver(path) => self.save(path, true),
            Command::Load(path) => self.load(path),
            Command::Export(dir) => self.export(dir),
        }
    }

    fn load(&mut self, path: PathBuf) {
        self.stop();
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

    fn run_to(&mut self, tick: u32) {
        self.stop();
        let Some(live) = &mut self.state else { return };
        let clock = live.sim.clock();
        let tick = tick.min(clock.end);
        if tick < clock.tick {
            // Back in time: the exercise replayed to that tick, injects and all.
            let exercise = live.exercise.clone();
            match self.replay(&exercise, Tick::Tick(tick)) {
                Ok(next) => self.install(exercise, next),
                Err(e) => self.send(Report::Rejected(format!("cannot go back: {e}"))),
            }
            return;
        }
        if let Err(e) = live.sim.advance_to(tick) {
            self.send(Report::Rejected(format!("the engine stopped: {e}")));
        }
        self.snapshot();
    }

    /// What the checks need of the live state now.
    fn now(live: &mut Live) -> Now {
        let sc = &live.session.scenario;
        let mut online = vec![true; sc.batteries.len()];
        if let Some(mut q) = live.sim.world.try_query::<(&BatteryIndex, &Online)>() {
            for (b, o) in q.iter(&live.sim.world) {
                online[b.0] = o.0;
            }
        }
        let launchers_alive = live
            .last
            .as_ref()
            .map(|s| s.launchers_alive.clone())
            .unwrap_or_default();
        Now {
            tick: live.sim.clock().tick,
            launchers_alive,
            online,
        }
    }

    fn inject(&mut self, inject: Inject) {
        let _ = super::land::land(); // parsed here, on the worker's thread, for the checks
        let Some(live) = &mut self.state else { return };
        let now = Self::now(live);
        if let Err(e) = checks::inject(&live.session, &now, &inject, None) {
            self.send(Report::InjectRefused(e));
            return;
        }
        let mut exercise = live.exercise.clone();
        exercise.injects.push(Given {
            tick: now.tick,
            inject,
        });
        self.replan(exercise, now.tick);
    }

    /// Remove the inject at `index`, or give `with` in its place at its time, and replay
    /// to where the clock is.
    fn change_inject(&mut self, index: usize, with: Option<Inject>) {
        let _ = super::land::land();
        let Some(live) = &mut self.state else { return };
        let Some(old) = live.exercise.injects.get(index).cloned() else {
            self.send(Report::InjectRefused(format!(
                "there is no inject-{}",
                index + 1
            )));
            return;
        };
        let tick = live.sim.clock().tick;
        let mut exercise = live.exercise.clone();
        match with {
            Some(inject) => {
                let mut now = Self::now(live);
                now.tick = old.tick;
                if old.tick != tick {
                    // Launchers standing then are not known here: the checker judges.
                    now.launchers_alive.clear();
                }
                let session = live.session.clone();
                if let Err(e) = checks::inject(&session, &now, &inject, Some(&old.inject)) {
                    self.send(Report::InjectRefused(e));
                    return;
                }
                exercise.injects[index].inject = inject;
            }
            None => {
                exercise.injects.remove(index);
            }
        }
        self.replan(exercise, tick);
    }

    /// Replan `exercise` and replay it to `tick`: the new live session, or the checker's
    /// refusal in plain words.
    fn replan(&mut self, exercise: Exercise, tick: u32) {
        match self.replay_with(&exercise, Tick::Tick(tick), checks::plain) {
            Ok(next) => {
                self.clock_origin = None;
                self.install(exercise, next);
            }
            Err(e) => self.send(Report::InjectRefused(e)),
        }
    }

    fn what_if(&mut self, replicates: u32, branch: Option<usize>, tx: Sender<Message>) {
        if self.whatif_running {
            self.send(Report::WhatIfRefused("a what-if is already running".into()));
            return;
        }
        let Some(live) = &self.state else { return };
        let replicates = replicates.clamp(1, 1_000_000);
        let session = live.session.clone();
        let tick_s = session.scenario.tick_seconds;
        let from = match branch {
            None => whatif::memory_check(&session, replicates, 1)
                .and_then(|_| whatif::fork_of(&live.sim, &session.plan, replicates))
                .map(|s| From::Live(Box::new(s))),
            Some(i) => match live.exercise.injects.get(i) {
                None => Err(format!("there is no inject-{}", i + 1)),
                Some(g) => whatif::memory_check(&session, replicates, 2).map(|_| {
                    let mut without = live.exercise.clone();
                    without.injects.remove(i);
                    From::Replay {
                        tick: g.tick.min(live.sim.clock().tick),
                        runs: vec![
                            (format!("with inject-{}", i + 1), live.exercise.clone()),
                            (format!("without inject-{}", i + 1), without),
                        ],
                    }
                }),
            },
        };
        match from {
            Ok(from) => {
                let injects = whatif::injects_in_force(&live.exercise, tick_s);
                self.whatif_running = true;
                whatif::spawn(from, replicates, session, injects, tx, self.repaint.clone());
            }
            Err(e) => self.send(Report::WhatIfRefused(e)),
        }
    }

    fn save(&mut self, path: PathBuf, overwrite: bool) {
        let Some(live) = &self.state else { return };
        if !overwrite && path.exists() {
            self.send(Report::Exists(path));
            return;
        }
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
        let Some(snap) = &live.last else { return };
        let tick_s = live.session.scenario.tick_seconds;
        let report = super::report::Report {
            session: &live.session,
            snap,
            lines: &live.lines,
            shots: &live.shots,
            what_if: self.what_if.as_deref(),
            injects: whatif::injects_in_force(&live.exercise, tick_s),
        };
        match files::export(&dir, &report) {
            Ok(written) => self.send(Report::Notice(format!(
                "wrote the after-action report ({}) in {}",
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
