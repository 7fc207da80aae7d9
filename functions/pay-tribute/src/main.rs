//! `/pay/tribute`: the provider's payment notifications.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::init_logging();
    let app = shared::app::App::from_env_or_exit().await;
    shared::lambda::run_http(|req| {
        let app = app.clone();
        async move { shared::payhooks::tribute(&app, req).await }
    })
    .await
}
