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

/// Where the moto_server executable is: `MOTO_SERVER_BIN`, else the
/// project's `.venv`, else `PATH`.
pub fn moto_bin() -> String {
    if let Ok(bin) = std::env::var("MOTO_SERVER_BIN") {
        return bin;
    }
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/moto_server");
    if std::path::Path::new(venv).exists() {
        return venv.to_owned();
    }
    "moto_server".to_owned()
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Moto {
    /// Starts moto_server and waits until it answers.
    pub async fn start() -> Result<Moto, String> {
        let bin = moto_bin();
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port().map_err(|e| e.to_string())?;
            let child = Command::new(&bin)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| format!("cannot start {bin} (run scripts/dev or scripts/test, which install it): {e}"))?;
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
