//! A `moto_server` child process on a free loopback port.

use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
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
    /// Starts moto_server and waits until it answers. The launcher binds a
    /// free port itself and reports it, so no other process can take the
    /// port between choosing and binding it.
    pub async fn start() -> Result<Moto, String> {
        let bin = moto_python();
        let mut cmd = Command::new(&bin);
        cmd.args([LAUNCHER, "-H", "127.0.0.1", "-p", "0"])
            .stdout(Stdio::piped())
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
        let mut child = cmd.spawn().map_err(|e| {
            format!(
                "cannot start moto_server with {bin} (scripts/dev and scripts/test install it): {e}"
            )
        })?;
        let stdout = child.stdout.take().ok_or("moto_server: no stdout")?;
        let mut lines = BufReader::new(stdout);
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(30), lines.read_line(&mut line))
            .await
            .map_err(|_| "moto_server did not report its port within 30 s".to_owned())?
            .map_err(|e| format!("moto_server: {e}"))?;
        // Keep reading what it prints, so its stdout never breaks.
        tokio::spawn(async move {
            let mut sink = tokio::io::sink();
            let _ = tokio::io::copy(&mut lines, &mut sink).await;
        });
        let port: u16 = line
            .trim()
            .parse()
            .map_err(|_| format!("moto_server reported {line:?}, not a port"))?;
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            _child: child,
        };
        moto.wait_ready(Duration::from_secs(20)).await?;
        Ok(moto)
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

/// AWS operations served by the emulator, by service and operation name.
pub type Calls = std::collections::BTreeMap<String, u64>;

/// What the launcher's `/_counts` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct AwsCalls {
    /// DynamoDB operations (`GetItem`, `TransactWriteItems`, …).
    #[serde(default)]
    pub dynamodb: Calls,
    /// SQS operations (`SendMessage`, …).
    #[serde(default)]
    pub sqs: Calls,
    /// Secrets Manager operations (`GetSecretValue`).
    #[serde(default)]
    pub secretsmanager: Calls,
}

impl AwsCalls {
    /// The calls made since `before` (operations with none are left out).
    pub fn since(&self, before: &AwsCalls) -> AwsCalls {
        let diff = |now: &Calls, then: &Calls| -> Calls {
            now.iter()
                .map(|(k, v)| (k.clone(), v - then.get(k).copied().unwrap_or(0)))
                .filter(|(_, v)| *v > 0)
                .collect()
        };
        AwsCalls {
            dynamodb: diff(&self.dynamodb, &before.dynamodb),
            sqs: diff(&self.sqs, &before.sqs),
            secretsmanager: diff(&self.secretsmanager, &before.secretsmanager),
        }
    }
}

impl Moto {
    /// AWS operations served so far (from the launcher's `/_counts`).
    pub async fn calls(&self) -> Result<AwsCalls, String> {
        reqwest::get(format!("{}/_counts", self.endpoint))
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())
    }

    /// DynamoDB operations served so far, by name.
    pub async fn dynamodb_calls(&self) -> Result<Calls, String> {
        Ok(self.calls().await?.dynamodb)
    }
}
