//! The `dev` binary as an operator runs it: a representative operator `.env`
//! starts the stack; SIGTERM, SIGHUP and the parent's end stop it with every
//! child (moto_server included); three bad settings give one message.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/operator-sample.env"
);

fn dev(env_file: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dev"));
    c.env("ENV_FILE", env_file)
        .env("DEV_ADDR", "127.0.0.1:0")
        .env("DEV_POLL", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Reads the banner up to the moto line; returns moto's `host:port` and the rest of stdout.
fn ready(child: &mut Child) -> (String, BufReader<std::process::ChildStdout>) {
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).expect("stdout") > 0,
            "dev ended before it was ready:\n{seen}"
        );
        seen.push_str(&line);
        if let Some(endpoint) = line.trim().strip_prefix("moto:") {
            assert!(seen.contains("local stack ready"), "{seen}");
            let addr = endpoint.trim().trim_start_matches("http://").to_owned();
            assert!(
                TcpStream::connect(&addr).is_ok(),
                "moto answers while the stack runs"
            );
            return (addr, out);
        }
    }
}

/// Waits (bounded) for moto's port to close: the process is gone.
fn moto_stopped(addr: &str) -> bool {
    for _ in 0..200 {
        if TcpStream::connect(addr).is_err() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn stops_on(signal: libc::c_int, name: &str) {
    let mut child = dev(SAMPLE).spawn().expect("dev starts");
    let (moto, mut out) = ready(&mut child);
    // SAFETY: a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let status = child.wait().expect("dev ends");
    let mut rest = String::new();
    out.read_to_string(&mut rest).expect("stdout");
    assert!(
        status.success(),
        "dev ends cleanly on {name}: {status:?} {rest}"
    );
    assert!(rest.contains(&format!("stopping ({name})")), "{rest}");
    assert!(moto_stopped(&moto), "moto_server still runs after {name}");
}

#[test]
fn the_sample_operator_env_starts_and_sigterm_stops_everything() {
    stops_on(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sighup_stops_everything() {
    stops_on(libc::SIGHUP, "SIGHUP");
}

#[test]
fn the_parents_end_stops_everything() {
    // A parent that dies without a word (SIGKILL): dev is told by the kernel.
    let mut parent = Command::new("bash")
        .arg("-c")
        .arg(format!("{} & wait", env!("CARGO_BIN_EXE_dev")))
        .env("ENV_FILE", SAMPLE)
        .env("DEV_ADDR", "127.0.0.1:0")
        .env("DEV_POLL", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash starts");
    let (moto, mut out) = ready(&mut parent);
    parent.kill().expect("parent killed");
    parent.wait().expect("parent reaped");
    // dev holds stdout until it exits: end of file means it has.
    let mut rest = String::new();
    out.read_to_string(&mut rest).expect("stdout");
    assert!(rest.contains("stopping (SIGTERM)"), "{rest}");
    assert!(
        moto_stopped(&moto),
        "moto_server still runs after the parent's end"
    );
}

#[test]
fn three_bad_settings_are_named_in_one_message() {
    let dir = std::env::temp_dir().join(format!("dev-bad-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.env");
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    let bad = sample
        .replace("ADMIN_IDS=111111111,222222222", "ADMIN_IDS=111111111,two")
        .replace("RUB_PRICE_3_MONTHS=400", "RUB_PRICE_3_MONTHS=4oo")
        .replace("TRIAL_DURATION_DAYS=3", "TRIAL_DURATION_DAYS=three");
    std::fs::write(&file, bad).unwrap();
    let out = dev(file.to_str().unwrap()).output().expect("dev runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("settings are invalid"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    for name in ["ADMIN_IDS", "RUB_PRICE_3_MONTHS", "TRIAL_DURATION_DAYS"] {
        assert!(lines[0].contains(name), "{name} missing: {stderr}");
    }
    assert!(
        lines[0].starts_with("local stack failed to start: 3 settings are invalid"),
        "{stderr}"
    );
}
