//! `scripts/export`: every item of the table as JSON lines on stdout.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((table, store)) =
        importer::table_from_args("table-export <table> > backup.jsonl").await
    else {
        return ExitCode::from(2);
    };
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
