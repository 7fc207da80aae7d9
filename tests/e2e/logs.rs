//! No secret in any log: the stories of `stories.rs` (start, referral,
//! buttons, every provider's payment webhook and its duplicate, the panel
//! sync and the panel webhook) plus a payment with a saved card, the outbox
//! delivered and every queue drained, run with every log line of every
//! target at `debug` captured as the functions write them on Lambda (JSON);
//! no line may hold a configured secret or a full card token.

#![allow(dead_code)] // stories.rs is shared with the cost test

mod stories;

use e2e::shop::{
    CRYPTOPAY_TOKEN, FREEKASSA_FIRST_SECRET, FREEKASSA_SECOND_SECRET, TRIBUTE_API_KEY,
    YOOKASSA_SECRET_KEY,
};
use e2e::signed::yookassa_payment;
use e2e::story::{press_pay, provider_ref};
use e2e::{PANEL_KEY, PANEL_SECRET, SECRET, TOKEN};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Every byte any subscriber line wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the process-wide subscriber once: JSON lines, spans included,
/// every target at `debug`.
fn capture() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        logs
    })
}

/// A saved card's token as YooKassa returns it for recurring charges.
const CARD_TOKEN: &str = "2f6a8c1e-000f-5000-9000-1c3e5a7b9d20";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_card_token_appears_in_any_log_line_at_debug() {
    let logs = capture();
    let shop = stories::shop().await;
    stories::run(&shop, &mut |_, _, _| {}).await;

    // A payment with a card saved for renewals.
    let t = &shop.t;
    let order = press_pay(t, &shop.providers, 8002, "pay:1m:yookassa", 40).await;
    let payment = provider_ref(t, &order).await;
    shop.providers
        .set_payment_status(&payment, "succeeded", true);
    shop.providers.update_payment(&payment, |p| {
        p["payment_method"]["id"] = serde_json::json!(CARD_TOKEN);
    });
    yookassa_payment(&payment, "payment.succeeded", "succeeded", "199.00")
        .post_ok(t)
        .await;

    // Everything queued is delivered: sender, panel sync, jobs.
    assert!(t.drain_outbox().await > 0, "notices were delivered");
    t.stack.drain_panel_sync().await.expect("panel sync drains");
    t.stack.drain_jobs().await.expect("jobs drain");

    let text = String::from_utf8_lossy(&logs.0.lock().expect("log buffer")).into_owned();
    let lines = text.lines().count();
    assert!(
        lines > 200,
        "debug logging was captured ({lines} lines): the check below means something"
    );
    assert!(
        text.contains("\"level\":\"DEBUG\""),
        "debug lines were captured"
    );
    let secrets = [
        ("bot token", TOKEN),
        (
            "bot token secret half",
            TOKEN.split_once(':').expect("token").1,
        ),
        ("webhook secret token", SECRET),
        ("panel API token", PANEL_KEY),
        ("panel webhook secret", PANEL_SECRET),
        ("YooKassa secret key", YOOKASSA_SECRET_KEY),
        ("Crypto Pay token", CRYPTOPAY_TOKEN),
        ("Tribute API key", TRIBUTE_API_KEY),
        ("FreeKassa first secret", FREEKASSA_FIRST_SECRET),
        ("FreeKassa second secret", FREEKASSA_SECOND_SECRET),
        ("saved card token", CARD_TOKEN),
    ];
    let mut found = Vec::new();
    for (name, secret) in secrets {
        let encoded: String = form_urlencoded_like(secret);
        for line in text.lines() {
            if line.contains(secret) || line.contains(&encoded) {
                found.push(format!("{name}: {}", &line[..line.len().min(400)]));
                break;
            }
        }
    }
    assert!(
        found.is_empty(),
        "secrets in the logs:\n{}",
        found.join("\n")
    );
}

/// `secret` with `:` percent-encoded, as it looks inside a URL's query.
fn form_urlencoded_like(secret: &str) -> String {
    secret.replace(':', "%3A")
}
