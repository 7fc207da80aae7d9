//! `/pay/severpay`: the provider's payment notifications.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::adapters::lambda::http_function(|app, req| async move {
        shared::domains::money::payhooks::severpay(&app, req).await
    })
    .await
}
