//! Jobs queue consumer: background work such as panel reconciliation pages.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::lambda::sqs_function(|app, batch| async move {
        shared::jobs::handle_jobs(&app, batch).await
    })
    .await
}
