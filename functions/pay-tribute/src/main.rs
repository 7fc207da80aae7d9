//! `/pay/tribute`: the provider's payment notifications.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::adapters::lambda::http_function(|app, req| async move {
        shared::domains::money::payhooks::tribute(&app, req).await
    })
    .await
}
