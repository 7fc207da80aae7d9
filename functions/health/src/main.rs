//! `GET /health`: table and queue checks.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::adapters::app::init_logging();
    let probe = std::sync::Arc::new(shared::domains::ops::health::Probe::from_env().await);
    shared::adapters::lambda::run_http(|_req| {
        let probe = probe.clone();
        async move { shared::domains::ops::health::handle_health(&probe).await }
    })
    .await
}
