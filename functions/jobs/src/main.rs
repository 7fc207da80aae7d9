//! Jobs queue consumer: background work such as panel reconciliation pages.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::adapters::lambda::sqs_function(|app, batch| async move {
        shared::domains::ops::jobs::handle_jobs(&app, batch).await
    })
    .await
}
