//! `/pay/platega`: the provider's transaction callbacks.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::adapters::lambda::http_function(|app, req| async move {
        shared::domains::money::payhooks::platega(&app, req).await
    })
    .await
}
