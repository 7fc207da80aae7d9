//! Sentry, when `SENTRY_ENABLED` and `SENTRY_DSN` are set: every `ERROR`
//! log line of a request becomes a Sentry event (tagged with the function's
//! name, secrets scrubbed), sent before the function answers, since Lambda
//! freezes the process after that. A small envelope POST over the existing
//! HTTP client, not the Sentry SDK, to keep the binaries lean.
//!
//! Protocol: <https://develop.sentry.dev/sdk/data-model/envelopes/>.

use crate::base::config::Sentry;
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;

/// Errors kept between two flushes at most (a failing request logs a few).
const MAX_PENDING: usize = 20;
/// Time allowed for sending, so a slow Sentry does not hold the answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(2);

/// An error logged since the last flush.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    /// The module that logged it.
    pub target: String,
    /// The message and its fields, `key=value`.
    pub message: String,
}

static PENDING: Mutex<Vec<Captured>> = Mutex::new(Vec::new());

/// The `tracing` layer that keeps `ERROR` events for [`flush`].
pub struct CaptureErrors;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CaptureErrors {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if *event.metadata().level() != tracing::Level::ERROR {
            return;
        }
        let mut text = Text::default();
        event.record(&mut text);
        if let Ok(mut pending) = PENDING.lock()
            && pending.len() < MAX_PENDING
        {
            pending.push(Captured {
                target: event.metadata().target().to_owned(),
                message: text.0,
            });
        }
    }
}

#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            self.0.push_str(&format!("{value:?}"));
        } else {
            self.0.push_str(&format!("{}={value:?}", field.name()));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            self.0.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}

/// The parts of a DSN (`https://<key>@<host>/<project>`).
#[derive(Debug, PartialEq, Eq)]
pub struct Dsn {
    /// Where envelopes go.
    pub envelope_url: String,
    /// The public key.
    pub key: String,
}

impl Dsn {
    /// Parses a DSN; `None` when it is not one.
    pub fn parse(dsn: &str) -> Option<Dsn> {
        let (scheme, rest) = dsn.split_once("://")?;
        let (key, rest) = rest.split_once('@')?;
        let key = key.split(':').next()?;
        let (host, path) = rest.split_once('/')?;
        let project = path.trim_end_matches('/').rsplit('/').next()?;
        let prefix = path
            .trim_end_matches('/')
            .strip_suffix(project)?
            .trim_end_matches('/');
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("/{prefix}")
        };
        (!key.is_empty() && !host.is_empty() && !project.is_empty()).then(|| Dsn {
            envelope_url: format!("{scheme}://{host}{prefix}/api/{project}/envelope/"),
            key: key.to_owned(),
        })
    }
}

/// `text` with every secret replaced by `***`.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, "***");
    }
    out
}

/// The envelope of one event.
pub fn envelope(
    event_id: &str,
    captured: &Captured,
    function: &str,
    settings: &Sentry,
    timestamp: i64,
) -> String {
    let event = json!({
        "event_id": event_id,
        "timestamp": timestamp,
        "platform": "other",
        "level": "error",
        "logger": captured.target,
        "message": {"formatted": captured.message},
        "environment": settings.environment,
        "release": concat!("vpn-shop@", env!("CARGO_PKG_VERSION")),
        "tags": {"function": function},
    })
    .to_string();
    format!(
        "{}\n{}\n{event}\n",
        json!({"event_id": event_id}),
        json!({"type": "event", "length": event.len()})
    )
}

/// Sends the errors logged since the last flush (and forgets them); without
/// Sentry they are only forgotten. Called before each answer.
pub async fn flush(http: &reqwest::Client, config: &crate::base::config::Config) {
    let pending = match PENDING.lock() {
        Ok(mut p) => std::mem::take(&mut *p),
        Err(_) => return,
    };
    let Some(settings) = &config.sentry else {
        return;
    };
    if pending.is_empty() {
        return;
    }
    let Some(dsn) = Dsn::parse(&settings.dsn) else {
        return;
    };
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    let mut secrets = vec![config.bot_token.as_str(), settings.dsn.as_str()];
    secrets.extend(config.webhook.secret_token.as_deref());
    let auth = format!(
        "Sentry sentry_version=7, sentry_key={}, sentry_client=vpn-shop/{}",
        dsn.key,
        env!("CARGO_PKG_VERSION")
    );
    for captured in pending {
        let captured = Captured {
            target: captured.target,
            message: scrub(&captured.message, &secrets),
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let body = envelope(
            &id,
            &captured,
            &function,
            settings,
            chrono::Utc::now().timestamp(),
        );
        let sent = http
            .post(&dsn.envelope_url)
            .header("X-Sentry-Auth", &auth)
            .header("Content-Type", "application/x-sentry-envelope")
            .timeout(SEND_TIMEOUT)
            .body(body)
            .send()
            .await;
        if let Err(e) = sent {
            // Not `error!`: that would be captured again.
            tracing::warn!("Sentry not reached: {}", e.without_url());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsn_envelope_and_scrubbing() {
        let dsn = Dsn::parse("https://abc123@o42.ingest.sentry.io/4506").unwrap();
        assert_eq!(
            dsn.envelope_url,
            "https://o42.ingest.sentry.io/api/4506/envelope/"
        );
        assert_eq!(dsn.key, "abc123");
        let dsn = Dsn::parse("https://k:old-secret@sentry.example.com/sub/7").unwrap();
        assert_eq!(
            dsn.envelope_url,
            "https://sentry.example.com/sub/api/7/envelope/"
        );
        assert_eq!(dsn.key, "k");
        assert!(Dsn::parse("https://sentry.example.com/7").is_none());

        let token = "123456:SECRET-token";
        let text = scrub(
            &format!(
                "error sending request for url (https://api.telegram.org/bot{token}/sendMessage)"
            ),
            &[token],
        );
        assert!(
            !text.contains("SECRET") && text.contains("bot***/sendMessage"),
            "{text}"
        );

        let settings = Sentry {
            dsn: "https://abc@sentry.example.com/1".into(),
            environment: Some("production".into()),
            traces_sample_rate: 0.0,
        };
        let captured = Captured {
            target: "shared::bot".into(),
            message: "store failed".into(),
        };
        let env = envelope(
            "0123456789abcdef0123456789abcdef",
            &captured,
            "vpn-shop-telegram",
            &settings,
            1_767_225_600,
        );
        let lines: Vec<&str> = env.trim_end().split('\n').collect();
        assert_eq!(lines.len(), 3, "header, item header, item");
        let header: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(header["event_id"], "0123456789abcdef0123456789abcdef");
        let item: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(item["type"], "event");
        assert_eq!(item["length"].as_u64().unwrap() as usize, lines[2].len());
        let event: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
        assert_eq!(event["tags"]["function"], "vpn-shop-telegram");
        assert_eq!(event["environment"], "production");
        assert_eq!(event["message"]["formatted"], "store failed");
        assert!(
            !env.contains("sentry.example.com"),
            "the DSN is not in the envelope"
        );
    }

    #[test]
    fn error_events_are_captured_with_their_fields() {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(CaptureErrors);
        PENDING.lock().unwrap().clear();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("not an error");
            tracing::error!(order = 7, "credit failed");
        });
        let pending = std::mem::take(&mut *PENDING.lock().unwrap());
        assert_eq!(pending.len(), 1, "{pending:?}");
        assert_eq!(pending[0].message, "credit failed order=7");
    }
}
