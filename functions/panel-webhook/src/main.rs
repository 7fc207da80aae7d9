//! `POST /panel`: the VPN panel's webhooks.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::http_function(|app, req| async move {
        shared::panel::webhook::handle_panel_webhook(&app, req).await
    })
    .await
}
