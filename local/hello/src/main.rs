//! A `lambda_runtime` hello-world, built with the same profile and runtime
//! crates as the functions: `scripts/bench` times its cold start as the
//! floor the functions' start-up is compared with.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        |event: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
            Ok::<_, lambda_runtime::Error>(serde_json::json!({"hello": event.payload}))
        },
    ))
    .await
}
