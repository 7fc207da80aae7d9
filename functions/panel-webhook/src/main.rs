//! `POST /panel`: the VPN panel's webhooks.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::adapters::lambda::http_function(|app, req| async move {
        shared::domains::access::webhook::handle_panel_webhook(&app, req).await
    })
    .await
}
