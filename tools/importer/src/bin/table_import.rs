//! `scripts/import`: puts every item of a JSON-lines file (from stdin) into the table.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Some(table) = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("TABLE_NAME").ok())
    else {
        eprintln!("usage: table-import <table> < backup.jsonl   (or set TABLE_NAME)");
        return ExitCode::from(2);
    };
    let store = importer::store_from_env(&table).await;
    let stdin = std::io::stdin();
    match importer::table_io::import(store.client(), &table, stdin.lock()).await {
        Ok(n) => {
            eprintln!("imported {n} items into {table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("import failed: {e}");
            ExitCode::FAILURE
        }
    }
}
