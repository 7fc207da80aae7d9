//! `POST /telegram`: Telegram's webhook.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::adapters::lambda::http_function(|app, req| async move {
        shared::bot::handle_webhook(&app, req).await
    })
    .await
}
