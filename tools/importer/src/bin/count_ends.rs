//! `scripts/count-ends`: counts into the stats screen's subscription-end
//! buckets every user whose end is not there yet (docs/operations.md).
//! Safe to run at any time and as often as wanted.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, store)) = importer::table_from_args("count-ends <table>").await else {
        return ExitCode::from(2);
    };
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
