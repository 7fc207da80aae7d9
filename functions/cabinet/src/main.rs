//! `/app/…`: the subscriber's cabinet, a Telegram Mini App: its page, its assets and its JSON API.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::adapters::lambda::http_function(|app, req| async move {
        shared::bot::cabinet::handle(&app, req).await
    })
    .await
}
