//! What one request costs in calls to the outside world, for every scenario
//! the product's speed goals are about (see `stories.rs`). The counts are
//! deterministic, so a change that adds a round trip fails here;
//! `scripts/bench` prints the same table and docs/benchmarks.md compares it
//! with the goals.

mod stories;

use stories::{Cost, expected};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_costs_exactly_the_calls_it_costs_today() {
    let shop = stories::shop().await;
    // Every scenario is checked, then all differences are reported at once.
    let mut report = String::new();
    let mut wrong = Vec::new();
    let mut check = |scenario: &str, cost: &Cost, want: &[&str]| {
        report.push_str(&format!("## {scenario}\n{}", cost.table()));
        if cost.table() != expected(want) {
            wrong.push(format!(
                "## {scenario}\nexpected:\n{}measured:\n{}",
                expected(want),
                cost.table()
            ));
        }
    };

    stories::run(&shop, &mut check).await;
    if std::env::var_os("COSTS_PRINT").is_some() {
        println!("{report}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
