//! `GET /health`: the table, every queue, the dead-letter queues' depths, and
//! whether a function can start (the settings parse and the secret is
//! readable). Publicly the answer is only `healthy` / `unhealthy` (200 / 503);
//! a caller with the `HEALTH_TOKEN` (header `Authorization: Bearer <token>`)
//! also gets every check.

use crate::adapters::http::{HttpRequest, HttpResponse};
use crate::adapters::store::Store;
use crate::base::config::{Config, Vars};
use http::StatusCode;
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const CHECK_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a start-up check's answer is reused (each costs a secret read).
const STARTUP_CHECK_TTL: Duration = Duration::from_secs(60);

/// Whether the functions can start: the environment plus the secret parse as settings.
#[derive(Debug)]
pub struct StartupCheck {
    /// The environment the functions get (without the secret).
    pub vars: Vars,
    /// Secrets Manager and the secret's ARN (`SECRETS_ARN`), when there is one.
    pub secret: Option<(aws_sdk_secretsmanager::Client, String)>,
    cache: Mutex<Option<(Instant, StartupResult)>>,
}

/// The outcome of a start-up check, and the details token it found.
#[derive(Debug, Clone)]
struct StartupResult {
    error: Option<String>,
    token: Option<String>,
}

impl StartupCheck {
    /// A check over these settings and secret.
    pub fn new(vars: Vars, secret: Option<(aws_sdk_secretsmanager::Client, String)>) -> Self {
        StartupCheck {
            vars,
            secret,
            cache: Mutex::new(None),
        }
    }

    async fn run(&self) -> StartupResult {
        if let Ok(cache) = self.cache.lock()
            && let Some((at, result)) = cache.as_ref()
            && at.elapsed() < STARTUP_CHECK_TTL
        {
            return result.clone();
        }
        let mut vars = self.vars.clone();
        let mut error = None;
        if let Some((client, arn)) = &self.secret {
            match tokio::time::timeout(
                CHECK_TIMEOUT,
                client.get_secret_value().secret_id(arn).send(),
            )
            .await
            {
                Ok(Ok(out)) => {
                    if let Err(e) = vars.merge_secret_json(out.secret_string().unwrap_or("{}")) {
                        error = Some(e.to_string());
                    }
                }
                Ok(Err(e)) => {
                    error = Some(format!(
                        "SECRETS_ARN: could not read the secret: {}",
                        aws_sdk_secretsmanager::error::DisplayErrorContext(e)
                    ))
                }
                Err(_) => error = Some("SECRETS_ARN: reading the secret timed out".into()),
            }
        }
        let token = vars
            .get("HEALTH_TOKEN")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if error.is_none()
            && let Err(e) = Config::from_vars(&vars)
        {
            error = Some(e.to_string());
        }
        let result = StartupResult { error, token };
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Some((Instant::now(), result.clone()));
        }
        result
    }
}

/// What the health check looks at.
#[derive(Debug)]
pub struct Probe {
    /// The table.
    pub store: Store,
    /// SQS client.
    pub sqs: aws_sdk_sqs::Client,
    /// (name, URL) of each queue to check.
    pub queues: Vec<(&'static str, String)>,
    /// (name, URL) of each dead-letter queue whose depth is reported; a message in one is unhealthy.
    pub dlqs: Vec<(&'static str, String)>,
    /// Whether the functions can start; `None` where the caller already proved it (the local stack started).
    pub startup: Option<StartupCheck>,
    /// The details token when there is no start-up check to find it (`HEALTH_TOKEN` of the running app).
    pub token: Option<String>,
}

impl Probe {
    /// Reads `TABLE_NAME`, the queue URLs (`OUTBOX_QUEUE_URL`, `PANEL_SYNC_QUEUE_URL`,
    /// `JOBS_QUEUE_URL`), the dead-letter queue URLs (`OUTBOX_DLQ_URL`,
    /// `PANEL_SYNC_DLQ_URL`, `JOBS_DLQ_URL`) and `SECRETS_ARN`.
    pub async fn from_env() -> Probe {
        let aws = crate::adapters::net::aws_loader().load().await;
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let named = |list: [(&'static str, Option<String>); 3]| {
            list.into_iter()
                .filter_map(|(n, u)| Some((n, u?)))
                .collect::<Vec<_>>()
        };
        let secret = var("SECRETS_ARN").map(|arn| (aws_sdk_secretsmanager::Client::new(&aws), arn));
        Probe {
            store: Store::new(
                aws_sdk_dynamodb::Client::new(&aws),
                var("TABLE_NAME").unwrap_or_else(|| "vpn-shop".into()),
            ),
            sqs: aws_sdk_sqs::Client::new(&aws),
            queues: named([
                ("outbox", var("OUTBOX_QUEUE_URL")),
                ("panel_sync", var("PANEL_SYNC_QUEUE_URL")),
                ("jobs", var("JOBS_QUEUE_URL")),
            ]),
            dlqs: named([
                ("outbox_dlq", var("OUTBOX_DLQ_URL")),
                ("panel_sync_dlq", var("PANEL_SYNC_DLQ_URL")),
                ("jobs_dlq", var("JOBS_DLQ_URL")),
            ]),
            startup: Some(StartupCheck::new(Vars::from_env(), secret)),
            token: None,
        }
    }
}

/// Whether the request carries `token` as `Authorization: Bearer <token>`.
fn authorized(req: &HttpRequest, token: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    let (Some(token), Some(given)) = (token, req.header("authorization")) else {
        return false;
    };
    let given = given.strip_prefix("Bearer ").unwrap_or("");
    bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

/// Runs every check concurrently; 200 when all pass, 503 otherwise.
pub async fn handle_health(probe: &Probe, req: &HttpRequest) -> HttpResponse {
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
    let dlq_checks = futures::future::join_all(
        probe
            .dlqs
            .iter()
            .map(|(name, url)| async move { (*name, timed(queue_depth(&probe.sqs, url)).await) }),
    );
    let startup = async {
        match &probe.startup {
            Some(check) => Some(check.run().await),
            None => None,
        }
    };
    let (table, queue_results, dlq_results, startup) =
        tokio::join!(table, queue_checks, dlq_checks, startup);
    let mut all_ok = table.0;
    let mut checks = serde_json::Map::new();
    checks.insert("table".into(), table.1);
    for (name, (ok, value)) in queue_results {
        all_ok &= ok;
        checks.insert(name.into(), value);
    }
    for (name, (ok, mut value)) in dlq_results {
        let empty = value["depth"].as_u64() == Some(0);
        value["ok"] = json!(ok && empty);
        all_ok &= ok && empty;
        checks.insert(name.into(), value);
    }
    let token = match &startup {
        Some(result) => {
            all_ok &= result.error.is_none();
            checks.insert(
                "startup".into(),
                match &result.error {
                    None => json!({"ok": true}),
                    Some(e) => json!({"ok": false, "error": e}),
                },
            );
            result.token.clone()
        }
        None => probe.token.clone(),
    };
    let status = if all_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = if all_ok { "healthy" } else { "unhealthy" };
    if !authorized(req, token.as_deref()) {
        return HttpResponse::json(status, &json!({ "status": word }));
    }
    HttpResponse::json(
        status,
        &json!({
            "status": word,
            "version": env!("CARGO_PKG_VERSION"),
            "checks": checks,
        }),
    )
}

async fn queue_depth(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<Value, String> {
    let depth = crate::adapters::queues::depth(sqs, url)
        .await
        .map_err(|e| e.to_string())?;
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
