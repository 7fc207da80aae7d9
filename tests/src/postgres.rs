//! A throw-away PostgreSQL 15 cluster for one test: `initdb` into a fresh
//! directory under the system temp dir, `pg_ctl start` listening only on a
//! Unix socket in that directory (so parallel clusters never share a port),
//! stopped and removed on drop. PostgreSQL refuses to run as root: as root
//! the cluster runs as the unprivileged user [`PG_USER`], created on first
//! use.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// Where the image's PostgreSQL 15 binaries are.
pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The unprivileged user clusters run as when the tests run as root.
pub const PG_USER: &str = "e2e-postgres";
/// The port number in the socket's name (nothing listens on TCP).
const PORT: u16 = 5432;

/// A running cluster.
pub struct Postgres {
    dir: PathBuf,
    as_user: Option<&'static str>,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn run(as_user: Option<&str>, program: &str, args: &[&str]) {
    let path = format!("{PG_BIN}/{program}");
    let out = match as_user {
        Some(u) => Command::new("runuser")
            .args(["-u", u, "--", &path])
            .args(args)
            .output(),
        None => Command::new(&path).args(args).output(),
    }
    .unwrap_or_else(|e| panic!("{path}: {e} (PostgreSQL 15 must be installed)"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Postgres {
    /// Starts a fresh cluster.
    pub fn start() -> Postgres {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "e2e-pg-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cluster dir");
        let as_user = is_root().then_some(PG_USER);
        if let Some(user) = as_user {
            let exists = Command::new("id")
                .arg(user)
                .output()
                .is_ok_and(|o| o.status.success());
            if !exists {
                // Two test binaries may race here; the loser's "exists" is fine.
                let _ = Command::new("useradd")
                    .args([
                        "--system",
                        "--no-create-home",
                        "--shell",
                        "/usr/sbin/nologin",
                        user,
                    ])
                    .output();
            }
            let out = Command::new("chown")
                .args([&format!("{user}:"), dir.to_str().expect("utf-8 path")])
                .output()
                .expect("chown");
            assert!(out.status.success(), "chown {dir:?} to {user}");
        }
        let data = dir.join("data");
        let data_s = data.to_str().expect("utf-8 path");
        run(
            as_user,
            "initdb",
            &[
                "-D",
                data_s,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        let opts = format!(
            "-p {PORT} -k {} -c listen_addresses= -c fsync=off",
            dir.display()
        );
        let log = dir.join("log");
        run(
            as_user,
            "pg_ctl",
            &[
                "-D",
                data_s,
                "-o",
                &opts,
                "-l",
                log.to_str().expect("utf-8"),
                "-w",
                "start",
            ],
        );
        Postgres { dir, as_user }
    }

    /// The socket directory.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// A connection string for database `db` (as the superuser `postgres`).
    pub fn url(&self, db: &str) -> String {
        format!(
            "host={} port={PORT} user=postgres dbname={db}",
            self.dir.display()
        )
    }

    /// Runs SQL from a file with `psql` (stops at the first error).
    pub fn psql_file(&self, db: &str, file: &Path) {
        let sock = self.dir.to_str().expect("utf-8");
        let port = PORT.to_string();
        let file = file.to_str().expect("utf-8");
        let out = Command::new(format!("{PG_BIN}/psql"))
            .args([
                "-h",
                sock,
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-f",
                file,
            ])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql {file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(data) = self.dir.join("data").to_str() {
            let path = format!("{PG_BIN}/pg_ctl");
            let args = ["-D", data, "-m", "immediate", "-w", "stop"];
            let _ = match self.as_user {
                Some(u) => Command::new("runuser")
                    .args(["-u", u, "--", &path])
                    .args(args)
                    .output(),
                None => Command::new(&path).args(args).output(),
            };
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
