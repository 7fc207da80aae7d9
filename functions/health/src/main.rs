//! `GET /health`: table and queue checks.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::init_logging();
    let probe = std::sync::Arc::new(shared::health::Probe::from_env().await);
    shared::lambda::run_http(|_req| {
        let probe = probe.clone();
        async move { shared::health::handle_health(&probe).await }
    })
    .await
}
