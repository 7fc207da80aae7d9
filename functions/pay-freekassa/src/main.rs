//! `/pay/freekassa`: the provider's payment notifications.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::http_function(
        |app, req| async move { shared::payhooks::freekassa(&app, req).await },
    )
    .await
}
