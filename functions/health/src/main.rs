//! `GET /health`: table, queues, dead-letter queues, and whether the functions can start.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::adapters::app::init_logging();
    let probe = std::sync::Arc::new(shared::adapters::health::Probe::from_env().await);
    shared::adapters::lambda::run_http(|req| {
        let probe = probe.clone();
        async move { shared::adapters::health::handle_health(&probe, &req).await }
    })
    .await
}
