//! `scripts/count-ends`: counts into the stats screen's subscription-end
//! buckets every user whose end is not there yet (docs/operations.md).
//! Safe to run at any time and as often as wanted.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Some(table) = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("TABLE_NAME").ok())
    else {
        eprintln!("usage: count-ends <table>   (or set TABLE_NAME)");
        return ExitCode::from(2);
    };
    let store = importer::store_from_env(&table).await;
    match store.backfill_ends().await {
        Ok(run) => {
            println!(
                "users with an uncounted end found: {}, counted now: {}, \
                 counted meanwhile by the bot: {}",
                run.found, run.counted, run.counted_by_writers
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("counting failed (run it again: it is idempotent): {e}");
            ExitCode::FAILURE
        }
    }
}
