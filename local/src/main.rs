//! `scripts/dev`: the whole bot on this machine. Reads `.env` (or `ENV_FILE`),
//! serves every route on `DEV_ADDR` (default 127.0.0.1:3000), runs the queue
//! consumers and the scheduler (every 30 s), and long-polls Telegram when there is no `WEBHOOK_BASE_URL`.

use local_stack::moto::die_with_parent;
use shared::base::config::Vars;
use std::net::SocketAddr;

#[tokio::main]
async fn main() {
    die_with_parent();
    // Listen for the stop signals before anything is started or announced,
    // so a signal sent as soon as "ready" is printed is never missed.
    let stops = Stops::listen();
    shared::adapters::app::init_logging();
    let mut vars = Vars::from_env();
    if let Some(path) = shared::adapters::app::dotenv_path(&vars)
        && let Err(e) = vars.merge_dotenv_file(&path)
    {
        eprintln!("configuration error: {e}");
        std::process::exit(1);
    }
    let addr: SocketAddr = match vars.get("DEV_ADDR").unwrap_or("127.0.0.1:3000").parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!(
                "configuration error: DEV_ADDR: expected host:port, got {:?}",
                vars.get("DEV_ADDR")
            );
            std::process::exit(1);
        }
    };
    let poll = match vars.get("DEV_POLL").map(str::trim) {
        Some("0" | "false" | "no" | "off") => false,
        Some("1" | "true" | "yes" | "on") => true,
        _ => vars
            .get("WEBHOOK_BASE_URL")
            .is_none_or(|v| v.trim().is_empty()),
    };
    let mut stack = match local_stack::Stack::start(vars, addr, true).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("local stack failed to start: {e}");
            std::process::exit(1);
        }
    };
    if poll {
        stack.spawn_polling();
    }
    println!("local stack ready");
    println!(
        "  routes:   http://{}  (POST /telegram, POST /panel, GET /health)",
        stack.addr
    );
    println!("  moto:     {}", stack.moto.endpoint);
    println!(
        "  schedule: every {} s on the wall clock (notices, payment re-checks, nightly sync)",
        local_stack::SCHEDULER_EVERY.as_secs()
    );
    println!(
        "  polling:  {}",
        if poll { "on (getUpdates)" } else { "off" }
    );
    println!("Ctrl-C (or SIGTERM, SIGHUP, or the parent's end) stops everything.");
    let signal = stops.wait().await;
    println!("stopping ({signal})");
    drop(stack);
}

/// The stop signals: SIGINT (Ctrl-C), SIGTERM (`kill`, a process
/// supervisor, a test harness) and SIGHUP (the terminal closed); with
/// [`die_with_parent`] the parent's end arrives as SIGTERM.
struct Stops {
    term: Option<tokio::signal::unix::Signal>,
    hup: Option<tokio::signal::unix::Signal>,
}

impl Stops {
    /// Installs the handlers now.
    fn listen() -> Stops {
        use tokio::signal::unix::{SignalKind, signal};
        Stops {
            term: signal(SignalKind::terminate()).ok(),
            hup: signal(SignalKind::hangup()).ok(),
        }
    }

    /// Waits for the first of them.
    async fn wait(self) -> &'static str {
        let (Some(mut term), Some(mut hup)) = (self.term, self.hup) else {
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT";
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => "SIGINT",
            _ = term.recv() => "SIGTERM",
            _ = hup.recv() => "SIGHUP",
        }
    }
}
