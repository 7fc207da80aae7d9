//! `GET /health`: a real check of the table and every configured queue.

use crate::adapters::http::HttpResponse;
use crate::adapters::store::Store;
use aws_sdk_sqs::types::QueueAttributeName;
use http::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// What the health check looks at. Built from `TABLE_NAME` and the queue
/// URLs only: the health function needs no secret and no bot token.
#[derive(Clone, Debug)]
pub struct Probe {
    /// The table.
    pub store: Store,
    /// SQS client.
    pub sqs: aws_sdk_sqs::Client,
    /// (name, URL) of each queue to check.
    pub queues: Vec<(&'static str, String)>,
}

impl Probe {
    /// Reads `TABLE_NAME`, `OUTBOX_QUEUE_URL`, `PANEL_SYNC_QUEUE_URL`, `JOBS_QUEUE_URL`.
    pub async fn from_env() -> Probe {
        let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let queues = [
            ("outbox", var("OUTBOX_QUEUE_URL")),
            ("panel_sync", var("PANEL_SYNC_QUEUE_URL")),
            ("jobs", var("JOBS_QUEUE_URL")),
        ];
        Probe {
            store: Store::new(
                aws_sdk_dynamodb::Client::new(&aws),
                var("TABLE_NAME").unwrap_or_else(|| "vpn-shop".into()),
            ),
            sqs: aws_sdk_sqs::Client::new(&aws),
            queues: queues
                .into_iter()
                .filter_map(|(n, u)| Some((n, u?)))
                .collect(),
        }
    }
}

/// Runs every check concurrently; 200 when all pass, 503 otherwise.
pub async fn handle_health(probe: &Probe) -> HttpResponse {
    let table = timed(async {
        probe
            .store
            .ping()
            .await
            .map(|_| json!({}))
            .map_err(|e| e.to_string())
    });
    let queue_checks = futures::future::join_all(
        probe
            .queues
            .iter()
            .map(|(name, url)| async move { (*name, timed(queue_depth(&probe.sqs, url)).await) }),
    );
    let (table, queue_results) = tokio::join!(table, queue_checks);
    let mut all_ok = table.0;
    let mut checks = serde_json::Map::new();
    checks.insert("table".into(), table.1);
    for (name, (ok, value)) in queue_results {
        all_ok &= ok;
        checks.insert(name.into(), value);
    }
    let status = if all_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    HttpResponse::json(
        status,
        &json!({
            "status": if all_ok { "ok" } else { "degraded" },
            "version": env!("CARGO_PKG_VERSION"),
            "checks": checks,
        }),
    )
}

async fn queue_depth(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<Value, String> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
    let depth = out
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
        .and_then(|v| v.parse::<u64>().ok());
    Ok(json!({ "depth": depth }))
}

/// Runs a check under the timeout; returns whether it passed and its report.
async fn timed(check: impl Future<Output = Result<Value, String>>) -> (bool, Value) {
    let started = Instant::now();
    let result = tokio::time::timeout(CHECK_TIMEOUT, check).await;
    let ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(Ok(mut v)) => {
            v["ok"] = json!(true);
            v["ms"] = json!(ms);
            (true, v)
        }
        Ok(Err(e)) => {
            tracing::error!("health check failed: {e}");
            (
                false,
                json!({"ok": false, "ms": ms, "error": "unreachable"}),
            )
        }
        Err(_) => (false, json!({"ok": false, "ms": ms, "error": "timeout"})),
    }
}
