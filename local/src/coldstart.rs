//! `scripts/bench`: cold starts as Lambda does them. Serves the Lambda
//! Runtime API (`/2018-06-01/runtime/invocation/next`, `…/{id}/response`,
//! `…/{id}/error`, `/init/error`) on loopback, execs each function's release
//! binary with the environment Lambda gives it (settings' secret served by the
//! local stack's Secrets Manager, DynamoDB and SQS by moto), and times exec →
//! first `next` (init) and the first invocation (`next` answered → response
//! posted), with the peak RSS (`VmHWM`) read before the process is stopped.
//! The same is done for `hello`, a `lambda_runtime` hello-world built with the
//! same profile: the floor. Prints a table; asserts nothing.
//!
//! `coldstart <release dir> [runs]`

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};
use shared::base::config::Vars;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc};

const SECRET: &str = "bench_webhook_secret";

/// What the runtime API saw of one process.
#[derive(Debug)]
enum Seen {
    Next(Instant),
    Response(Instant, u16),
    Error(Instant, String),
}

struct Api {
    event: Value,
    served: Mutex<bool>,
    tx: mpsc::UnboundedSender<Seen>,
}

async fn answer(api: Arc<Api>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    let now = Instant::now();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if path.ends_with("/invocation/next") {
        let _ = api.tx.send(Seen::Next(now));
        let again = std::mem::replace(&mut *api.served.lock().await, true);
        if again {
            // The sandbox is frozen until the next event: never answer.
            std::future::pending::<()>().await;
        }
        let deadline = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() + 30_000)
            .unwrap_or_default();
        return Response::builder()
            .header("content-type", "application/json")
            .header("lambda-runtime-aws-request-id", "bench-request-1")
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:bench",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000",
            )
            .body(Full::new(Bytes::from(api.event.to_string())))
            .expect("response");
    }
    if path.ends_with("/response") {
        let status = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["statusCode"].as_u64())
            .unwrap_or(200) as u16;
        let _ = api.tx.send(Seen::Response(now, status));
    } else if path.ends_with("/error") {
        let _ = api.tx.send(Seen::Error(
            now,
            String::from_utf8_lossy(&body).into_owned(),
        ));
    }
    Response::builder()
        .status(202)
        .body(Full::new(Bytes::from_static(b"{\"status\":\"OK\"}")))
        .expect("response")
}

/// One cold start: init, first invocation, peak RSS (kB), the function's status.
struct Run {
    init: Duration,
    invoke: Duration,
    rss_kb: u64,
    status: String,
}

async fn cold_start(
    bin: &Path,
    env: &BTreeMap<String, String>,
    event: &Value,
) -> Result<Run, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let api = Arc::new(Api {
        event: event.clone(),
        served: Mutex::new(false),
        tx,
    });
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let api = api.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    let api = api.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(api, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    let started = Instant::now();
    let mut child = tokio::process::Command::new(bin)
        .env_clear()
        .envs(env)
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let pid = child.id().unwrap_or_default();
    let first = wait(&mut rx).await?;
    let Seen::Next(init_at) = first else {
        return Err(format!("init failed: {first:?}"));
    };
    let (done_at, status) = match wait(&mut rx).await? {
        Seen::Response(at, status) => (at, status.to_string()),
        Seen::Error(at, e) => (at, format!("error {}", &e[..e.len().min(80)])),
        other => return Err(format!("unexpected {other:?}")),
    };
    // Wait for the runtime to ask for the next event: the invocation is over.
    let _ = wait(&mut rx).await;
    let rss_kb = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0);
    let _ = child.kill().await;
    server.abort();
    Ok(Run {
        init: init_at - started,
        invoke: done_at - init_at,
        rss_kb,
        status,
    })
}

async fn wait(rx: &mut mpsc::UnboundedReceiver<Seen>) -> Result<Seen, String> {
    tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .map_err(|_| "no word from the function within 30 s".to_owned())?
        .ok_or_else(|| "runtime API closed".to_owned())
}

fn read_event(name: &str) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../events/").to_owned() + name;
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text.replace("replace_with_WEBHOOK_SECRET_TOKEN", SECRET))
        .expect("event json")
}

/// An HTTP API event for `path` with `body`, from the Telegram sample.
fn http_event(path: &str, body: &str) -> Value {
    let mut ev = read_event("telegram.json");
    ev["rawPath"] = json!(path);
    ev["routeKey"] = json!(format!("POST {path}"));
    ev["requestContext"]["http"]["path"] = json!(path);
    ev["requestContext"]["routeKey"] = json!(format!("POST {path}"));
    ev["requestContext"]["http"]["sourceIp"] = json!("127.0.0.1");
    ev["body"] = json!(body);
    ev
}

/// (binary, event, what the first invocation does).
fn functions() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        ("hello", json!({"hello": "world"}), "echo (the floor)"),
        (
            "telegram",
            read_event("telegram.json"),
            "/start of a new user",
        ),
        ("health", read_event("health.json"), "GET /health"),
        ("sender", read_event("sender.json"), "one outbox message"),
        (
            "pay-yookassa",
            http_event("/pay/yookassa", "{}"),
            "notification from a foreign IP, refused",
        ),
        (
            "pay-cryptopay",
            http_event("/pay/cryptopay", "{}"),
            "unsigned webhook, refused",
        ),
        (
            "pay-freekassa",
            http_event("/pay/freekassa", "MERCHANT_ID=1"),
            "unsigned form, refused",
        ),
        (
            "pay-platega",
            http_event("/pay/platega", "{}"),
            "callback without the merchant headers, refused",
        ),
        (
            "pay-severpay",
            http_event("/pay/severpay", "{}"),
            "unsigned notification, refused",
        ),
        (
            "pay-tribute",
            http_event("/pay/tribute", "{}"),
            "unsigned webhook, refused",
        ),
        (
            "panel-webhook",
            read_event("panel-webhook.json"),
            "unsigned event, refused",
        ),
        (
            "panel-sync",
            read_event("panel-sync.json"),
            "one sync (panel not configured)",
        ),
        ("jobs", read_event("jobs.json"), "one job"),
        (
            "scheduler",
            read_event("scheduler.json"),
            "one schedule tick (nothing due)",
        ),
        (
            "alarms",
            read_event("alarms.json"),
            "one alarm to the log chat (none configured)",
        ),
        (
            "cabinet",
            read_event("cabinet.json"),
            "GET /app/ (the page and its assets gzipped on first use)",
        ),
    ]
}

/// The Secrets Manager read of a cold start, taken apart: the first call of a
/// fresh SDK client (what init pays: connect, the client's first request),
/// a warm call on a kept connection (signing, parsing and the local stack's
/// answer), and the same request unsigned over a raw HTTP/1.1 loopback
/// connection (the local stack's answer alone: moto's Python, not ours).
struct SecretSplit {
    cold: Duration,
    warm: Duration,
    raw: Duration,
}

async fn secret_split(endpoint: &str, arn: &str, runs: usize) -> Result<SecretSplit, String> {
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..runs {
        let aws = local_stack::local_aws(endpoint).await;
        let client = aws_sdk_secretsmanager::Client::new(&aws);
        for i in 0..3 {
            let t = Instant::now();
            client
                .get_secret_value()
                .secret_id(arn)
                .send()
                .await
                .map_err(|e| aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string())?;
            match i {
                0 => cold.push(t.elapsed()),
                2 => warm.push(t.elapsed()),
                _ => {}
            }
        }
    }
    let authority = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let body = json!({ "SecretId": arn }).to_string();
    let mut raw = Vec::new();
    for i in 0..runs + 2 {
        // moto closes the connection after each answer: a fresh one each time.
        let t = Instant::now();
        let stream = tokio::net::TcpStream::connect(&authority)
            .await
            .map_err(|e| e.to_string())?;
        let (mut send, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        let req = Request::post("/")
            .header("host", &authority)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "secretsmanager.GetSecretValue")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=local/20261130/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
            )
            .body(Full::new(Bytes::from(body.clone())))
            .map_err(|e| e.to_string())?;
        let resp = send.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        resp.into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("raw GetSecretValue: {status}"));
        }
        if i >= 2 {
            raw.push(t.elapsed());
        }
    }
    Ok(SecretSplit {
        cold: median(&mut cold),
        warm: median(&mut warm),
        raw: median(&mut raw),
    })
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms2(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("target/release"));
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(7);

    // Every provider on, so each payment function's first invocation reaches
    // its own check (a disabled provider answers 404 before any).
    let settings = [
        ("BOT_TOKEN", "1:bench"),
        ("WEBHOOK_SECRET_TOKEN", SECRET),
        ("TELEGRAM_API_URL", "http://127.0.0.1:9"),
        ("RUB_PRICE_1_MONTH", "199"),
        ("YOOKASSA_ENABLED", "true"),
        ("YOOKASSA_SHOP_ID", "100500"),
        ("YOOKASSA_SECRET_KEY", "test_bench_yookassa_key"),
        ("CRYPTOPAY_ENABLED", "true"),
        ("CRYPTOPAY_TOKEN", "1000:bench_cryptopay_token"),
        ("FREEKASSA_ENABLED", "true"),
        ("FREEKASSA_MERCHANT_ID", "100500"),
        ("FREEKASSA_API_KEY", "bench_freekassa_api_key"),
        ("PLATEGA_ENABLED", "true"),
        ("PLATEGA_MERCHANT_ID", "bench-merchant"),
        ("PLATEGA_SECRET", "bench_platega_secret"),
        ("SEVERPAY_ENABLED", "true"),
        ("SEVERPAY_MID", "100500"),
        ("SEVERPAY_TOKEN", "bench_severpay_token"),
        ("FREEKASSA_FIRST_SECRET", "bench_first"),
        ("FREEKASSA_SECOND_SECRET", "bench_second"),
        ("TRIBUTE_ENABLED", "true"),
        ("TRIBUTE_API_KEY", "bench_tribute_key"),
        ("CABINET_ENABLED", "true"),
        ("CABINET_URL", "https://cabinet.example/app"),
    ];
    let mut vars = Vars::new();
    for (k, v) in settings {
        vars.set(k, v);
    }
    // The secret ones go to the local secret; the rest are the function's
    // environment, as the template gives them.
    let secret: serde_json::Map<String, Value> =
        serde_json::from_str(&vars.secrets_json()).expect("secret json");
    let stack = local_stack::Stack::start(vars, "127.0.0.1:0".parse().expect("addr"), false)
        .await
        .expect("local stack starts");
    // The environment Lambda gives a function, pointed at the local stack.
    let mut env: BTreeMap<String, String> = stack.provisioned.env.clone().into_iter().collect();
    for (k, v) in [
        ("AWS_LAMBDA_FUNCTION_NAME", "bench"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/30/[$LATEST]bench"),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("_HANDLER", "bootstrap"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_SESSION_TOKEN", "local"),
        ("AWS_ENDPOINT_URL", stack.moto.endpoint.as_str()),
        ("TELEGRAM_API_URL", "http://127.0.0.1:9"),
        ("RUB_PRICE_1_MONTH", "199"),
        ("LANG", "C.UTF-8"),
        ("TZ", ":UTC"),
    ] {
        env.insert(k.to_owned(), v.to_owned());
    }
    for (k, v) in settings {
        if !secret.contains_key(k) {
            env.insert(k.to_owned(), v.to_owned());
        }
    }

    println!(
        "cold starts under the Runtime API emulator, {runs} runs each (init: median, then fastest; ratio and 1st call: median; secret from the local Secrets Manager)"
    );
    println!(
        "{:<16} {:>11} {:>7} {:>12} {:>9} {:>9}  first invocation",
        "function", "init ms min", "ratio", "1st call ms", "peak RSS", "zip"
    );
    // The same environment with the secret settings given directly: init
    // without the Secrets Manager round trip (what the rest of init costs).
    let mut no_secret = env.clone();
    no_secret.remove("SECRETS_ARN");
    for (k, v) in settings {
        no_secret.insert(k.into(), v.into());
    }
    println!(
        "† the secret settings given in the environment: init without the Secrets Manager round trip"
    );
    let mut rows = Vec::new();
    for (name, event, what) in functions() {
        rows.push((name, name.to_owned(), event.clone(), what, &env));
        if name != "hello" {
            rows.push((name, format!("{name} †"), event, what, &no_secret));
        }
    }
    let mut floor = None;
    for (name, label, event, what, env) in rows {
        let bin = dir.join(name);
        if !bin.exists() {
            println!("{label:<16} (no binary at {})", bin.display());
            continue;
        }
        let mut inits = Vec::new();
        let mut calls = Vec::new();
        let mut rss = 0;
        let mut status = String::new();
        for _ in 0..runs {
            match cold_start(&bin, env, &event).await {
                Ok(r) => {
                    inits.push(r.init);
                    calls.push(r.invoke);
                    rss = rss.max(r.rss_kb);
                    status = r.status;
                }
                Err(e) => {
                    status = e;
                    break;
                }
            }
        }
        if inits.is_empty() {
            println!("{label:<16} failed: {status}");
            continue;
        }
        let init = median(&mut inits);
        // The fastest run: the least disturbed by a busy machine.
        let fastest = inits[0];
        let floor_init = *floor.get_or_insert(init);

        let zip = std::env::var(format!("ZIP_{}", name.replace('-', "_")))
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .map(|b| format!("{:.1} MB", b / 1_048_576.0))
            .unwrap_or_else(|| "-".into());
        println!(
            "{label:<16} {:>5} {:>5} {:>6.1}x {:>12} {:>6.1} MB {:>9}  {what} → {status}",
            ms(init),
            ms(fastest),
            init.as_secs_f64() / floor_init.as_secs_f64(),
            ms(median(&mut calls)),
            rss as f64 / 1024.0,
            zip,
        );
    }
    let (Some(endpoint), Some(arn)) = (env.get("AWS_ENDPOINT_URL"), env.get("SECRETS_ARN")) else {
        return;
    };
    match secret_split(endpoint, arn, runs).await {
        Ok(split) => {
            println!(
                "the Secrets Manager read, taken apart (medians of {runs}): a fresh client's first call {} ms (connect and the client's first request), a warm call {} ms, the local stack answering alone {} ms (unsigned, raw HTTP/1.1 on a fresh loopback connection: moto's Python, not ours)",
                ms2(split.cold),
                ms2(split.warm),
                ms2(split.raw),
            );
        }
        Err(e) => println!("the Secrets Manager read could not be taken apart: {e}"),
    }
}
