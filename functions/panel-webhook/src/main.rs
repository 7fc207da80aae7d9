//! `POST /panel`: the VPN panel's webhooks.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::init_logging();
    let app = shared::app::App::from_env_or_exit().await;
    shared::lambda::run_http(|req| {
        let app = app.clone();
        async move { shared::panel::webhook::handle_panel_webhook(&app, req).await }
    })
    .await
}
