//! A `moto_server` child process on a free loopback port.

use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// A running moto_server; killed when dropped.
pub struct Moto {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    _child: Child,
}

/// The Python that has moto installed: `MOTO_PYTHON`, else the project's `.venv`.
pub fn moto_python() -> String {
    if let Ok(bin) = std::env::var("MOTO_PYTHON") {
        return bin;
    }
    concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python").to_owned()
}

/// moto_server with atomic DynamoDB requests (see the script's comment).
const LAUNCHER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/lib/moto_atomic.py");

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Makes this process receive SIGTERM when its parent ends (a terminal or
/// supervisor gone without a signal), so it stops its children as on `kill`;
/// exits at once if the parent is already gone.
pub fn die_with_parent() {
    // SAFETY: plain syscalls without pointers.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
        if libc::getppid() == 1 {
            std::process::exit(0);
        }
    }
}

impl Moto {
    /// Starts moto_server and waits until it answers.
    pub async fn start() -> Result<Moto, String> {
        let bin = moto_python();
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port().map_err(|e| e.to_string())?;
            let mut cmd = Command::new(&bin);
            cmd.args([LAUNCHER, "-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .process_group(0);
            // moto_server ends with this process, however it ends (even SIGKILL).
            // SAFETY: prctl is async-signal-safe and touches only the child.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
            let child = cmd
                .spawn()
                .map_err(|e| format!("cannot start moto_server with {bin} (scripts/dev and scripts/test install it): {e}"))?;
            let endpoint = format!("http://127.0.0.1:{port}");
            let moto = Moto {
                endpoint,
                _child: child,
            };
            match moto.wait_ready(Duration::from_secs(20)).await {
                Ok(()) => return Ok(moto),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    async fn wait_ready(&self, within: Duration) -> Result<(), String> {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < within {
            if client
                .get(format!("{}/moto-api/", self.endpoint))
                .send()
                .await
                .is_ok()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "moto_server did not answer at {} within {within:?}",
            self.endpoint
        ))
    }
}

impl Moto {
    /// DynamoDB operations served so far, by name (from the launcher's `/_counts`).
    pub async fn dynamodb_calls(&self) -> Result<std::collections::BTreeMap<String, u64>, String> {
        reqwest::get(format!("{}/_counts", self.endpoint))
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())
    }
}
