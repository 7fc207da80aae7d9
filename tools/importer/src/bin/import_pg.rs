//! `scripts/migrate-from-pg`: imports a remnawave-tg-shop / 2GETPRO
//! PostgreSQL database into the table (docs/operations.md).

use std::process::ExitCode;

const USAGE: &str =
    "usage: import-pg --pg <postgresql url> [--table <name>] [--dry-run] [--renew-period <months>]
  --pg       the Python bot's database, e.g. postgresql://user:password@127.0.0.1:5432/shop
             (no TLS: reach a remote database through an SSH tunnel)
  --table    the DynamoDB table (default: $TABLE_NAME)
  --dry-run  print what would be imported and what cannot be; write nothing
  --renew-period  1, 3, 6 or 12: the plan auto-renewal buys for a user with a
             saved card who never paid for a plan (default 1)
AWS settings come from the environment (AWS_REGION, AWS_PROFILE or keys;
AWS_ENDPOINT_URL for the local stack).";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        ))
        .init();
    let mut pg = None;
    let mut table = std::env::var("TABLE_NAME").ok();
    let mut dry = false;
    let mut options = importer::Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--pg" => pg = args.next(),
            "--table" => table = args.next(),
            "--dry-run" => dry = true,
            "--renew-period" => {
                match args
                    .next()
                    .and_then(|m| m.parse().ok())
                    .and_then(shared::base::types::Period::from_months)
                {
                    Some(p) => options.renew_period = p,
                    None => {
                        eprintln!("--renew-period must be 1, 3, 6 or 12\n{USAGE}");
                        return ExitCode::from(2);
                    }
                }
            }
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(pg) = pg else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let db = match importer::connect(&pg).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let store = match (&table, dry) {
        (_, true) => None,
        (Some(t), false) => Some(importer::store_from_env(t).await),
        (None, false) => {
            eprintln!("--table (or TABLE_NAME) is needed for a real run\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let now = chrono::Utc::now().timestamp();
    match importer::import_with(&db, store.as_ref(), now, options).await {
        Ok(run) => {
            let title = if dry {
                "dry run: nothing written. The source maps to:"
            } else {
                "imported. The source maps to:"
            };
            print!("{}", run.report.render(title));
            if let Some(out) = run.outcome {
                print!("{}", out.render());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("import failed: {e}");
            ExitCode::FAILURE
        }
    }
}
