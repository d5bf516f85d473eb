//! The binary run under a time limit that only a hang reaches, with its peak resident
//! memory: what the bound tests (`tests/bounds.rs`) assert on besides the exit status and
//! the message.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What a bounded run of the binary gave.
pub struct Bounded {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// The child's peak resident memory (`ru_maxrss` of `wait4`), bytes.
    pub peak_rss: u64,
}

impl Bounded {
    /// Exit 2, no panic, and stderr contains every needle.
    pub fn assert_bad_input(&self, needles: &[&str]) {
        self.assert_exit(2, needles);
    }

    /// This exit status, no panic, and stderr contains every needle.
    pub fn assert_exit(&self, code: i32, needles: &[&str]) {
        let err = &self.stderr;
        assert_eq!(
            self.status.code(),
            Some(code),
            "exit status; stderr:\n{err}"
        );
        assert!(!err.contains("panicked"), "panic:\n{err}");
        for n in needles {
            assert!(err.contains(n), "expected {n:?} in:\n{err}");
        }
    }
}

/// Run the `hormuz` binary of this build with `args`; kill it and fail the test if it has
/// not finished after `limit` (a hang: no bounded input takes anywhere near it).
// The child is reaped by `wait4` (for its peak memory), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn hormuz_within(args: &[&str], limit: Duration) -> Bounded {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hormuz"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hormuz");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: `rusage` is plain data that `wait4` fills; the pid is our own child,
        // which `std` does not reap (it is never waited for through `child`).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let got = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if got == pid {
            break (status, usage);
        }
        assert!(got == 0, "wait4: {}", std::io::Error::last_os_error());
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "hormuz {} did not finish within {} s: a hang",
                args.join(" "),
                limit.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Bounded {
        status: ExitStatus::from_raw(status),
        stdout: out.join().expect("stdout"),
        stderr: err.join().expect("stderr"),
        // Kilobytes on Linux.
        peak_rss: usage.ru_maxrss as u64 * 1024,
    }
}
