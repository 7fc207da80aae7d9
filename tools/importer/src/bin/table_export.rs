//! `scripts/export`: every item of the table as JSON lines on stdout.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Some(table) = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("TABLE_NAME").ok())
    else {
        eprintln!("usage: table-export <table> > backup.jsonl   (or set TABLE_NAME)");
        return ExitCode::from(2);
    };
    let store = importer::store_from_env(&table).await;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match importer::table_io::export(store.client(), &table, &mut out).await {
        Ok(n) => {
            eprintln!("exported {n} items from {table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("export failed: {e}");
            ExitCode::FAILURE
        }
    }
}
