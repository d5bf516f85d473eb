//! `hormuz app` on the command line: bad flags are refused before any window opens, and a
//! build without the `desktop` feature says how to get the app.

mod common;

use common::hormuz;

#[test]
fn bad_app_flags_exit_2_and_name_the_flag() {
    for (args, says) in [
        (&["app", "--screenshot", "x.png"][..], "--frames"),
        (&["app", "--speed", "0"][..], "from 1 to 3600"),
        (&["app", "--speed", "7200"][..], "from 1 to 3600"),
        (&["app", "--at", "1:75"][..], "HH:MM"),
        (&["app", "--frames", "0"][..], "--frames"),
        (&["app", "a.toml", "--exercise", "b.json"][..], "--exercise"),
    ] {
        let out = hormuz(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[cfg(not(feature = "desktop"))]
#[test]
fn without_the_desktop_feature_the_app_says_how_to_get_it() {
    let out = hormuz(&["app"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--features desktop"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
