//! Panel-sync queue consumer: makes the VPN panel match DynamoDB.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::adapters::lambda::sqs_function(|app, batch| async move {
        shared::domains::access::sync::handle_panel_sync(&app, batch).await
    })
    .await
}
