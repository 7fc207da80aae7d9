//! What one request costs in calls to the outside world, for every scenario
//! the product's speed goals are about (see `stories.rs`). The counts are
//! deterministic, so a change that adds a round trip fails here;
//! `scripts/bench` prints the same table and docs/benchmarks.md compares it
//! with the goals.

mod stories;

use stories::{Cost, expected};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_costs_exactly_the_calls_it_costs_today_and_webhooks_meet_the_goal() {
    let shop = stories::shop().await;
    // Every scenario is checked, then all differences are reported at once.
    let mut report = String::new();
    let mut wrong = Vec::new();
    let mut webhooks = 0;
    let mut check = |scenario: &str, cost: &Cost, want: &[&str]| {
        report.push_str(&format!("## {scenario}\n{}", cost.table()));
        if scenario.contains("payment webhook") && !scenario.contains(" again") {
            webhooks += 1;
            if let Some(why) = over_the_webhook_goal(cost) {
                wrong.push(format!("## {scenario}\n{why}\n{}", cost.table()));
            }
        }
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
    assert_eq!(
        webhooks, 9,
        "every provider's webhook is measured, and the products beyond months"
    );
}

/// The goal for a payment webhook that credits: before answering, at most
/// one DynamoDB read round trip, the crediting transaction, one SQS send,
/// and no other write, whoever pays (a referred user's first payment too:
/// the inviter's reward is granted by the jobs worker).
fn over_the_webhook_goal(cost: &Cost) -> Option<String> {
    let reads = ["GetItem", "BatchGetItem", "Query", "Scan"]
        .iter()
        .map(|op| cost.calls("dynamodb", op))
        .sum::<u64>();
    if reads > 1 {
        return Some(format!("{reads} reads, the goal is 1"));
    }
    if cost.calls("dynamodb", "TransactWriteItems") != 1 {
        return Some("not exactly one crediting transaction".into());
    }
    if cost.calls("sqs", "SendMessage") > 1 {
        return Some("more than one SQS send".into());
    }
    let others: Vec<_> = cost
        .aws_ops()
        .into_iter()
        .filter(|(op, _)| {
            ![
                "GetItem",
                "BatchGetItem",
                "Query",
                "Scan",
                "TransactWriteItems",
                "SendMessage",
            ]
            .contains(&op.as_str())
        })
        .collect();
    (!others.is_empty()).then(|| format!("other calls before answering: {others:?}"))
}
