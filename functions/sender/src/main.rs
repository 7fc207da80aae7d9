//! Outbox queue consumer: delivers queued Telegram messages.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::adapters::lambda::sqs_function(|app, batch| async move {
        shared::domains::messaging::sender::handle_outbox(&app, batch).await
    })
    .await
}
