//! `scripts/import`: puts every item of a JSON-lines file (from stdin) into the table.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((table, store)) =
        importer::table_from_args("table-import <table> < backup.jsonl").await
    else {
        return ExitCode::from(2);
    };
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
