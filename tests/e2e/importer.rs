//! Moving in from remnawave-tg-shop / 2GETPRO: a real PostgreSQL 15 cluster
//! holding the Python bot's schema and 400 users of every shape is
//! imported into the local stack. The dry run's counts are what the run
//! writes; a run cut off half-way is finished by running it again; a
//! second run changes nothing; a migrated user opens the bot and finds
//! their subscription, balance, history and invitees, and cannot take the
//! trial again. Users who had already started this bot are merged by the
//! documented rules.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::fake_telegram::Call;
use e2e::fault_proxy::Fault;
use e2e::postgres::Postgres;
use e2e::{TestStack, callback_update, text_update};
use importer::table_io;
use shared::adapters::store::Store;
use shared::base::clock::now;
use shared::base::types::TelegramId;
use std::collections::BTreeMap;
use std::path::Path;

const DAY: i64 = 86_400;
/// The fixture user whose screens the test reads.
const MARIA: i64 = 5_000_001;

fn text_of(call: &Call) -> String {
    call.body["text"].as_str().unwrap_or_default().to_owned()
}

fn last_screen(t: &TestStack, user: i64) -> String {
    let edits: Vec<Call> = t
        .telegram
        .calls_of("editMessageText")
        .into_iter()
        .filter(|c| c.body["chat_id"] == user)
        .collect();
    edits.last().map(text_of).unwrap_or_default()
}

async fn fixture_db(pg: &Postgres) -> tokio_postgres::Client {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pg");
    pg.psql_file("postgres", &dir.join("schema.sql"));
    pg.psql_file("postgres", &dir.join("data.sql"));
    importer::connect(&pg.url("postgres"))
        .await
        .expect("connects")
}

async fn count(db: &tokio_postgres::Client, sql: &str) -> u64 {
    let n: i64 = db.query_one(sql, &[]).await.expect(sql).get(0);
    n as u64
}

/// Every item of the table, keyed by `PK|SK`, as DynamoDB JSON.
async fn snapshot(store: &Store) -> BTreeMap<String, String> {
    let mut out = Vec::new();
    table_io::export(store.client(), store.table(), &mut out)
        .await
        .expect("export");
    String::from_utf8(out)
        .expect("utf-8")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            (format!("{}|{}", v["PK"]["S"], v["SK"]["S"]), l.to_owned())
        })
        .collect()
}

fn kinds(snap: &BTreeMap<String, String>, pk_prefix: &str, sk_prefix: &str) -> u64 {
    snap.keys()
        .filter(|k| {
            let (pk, sk) = k.split_once('|').expect("key");
            pk.trim_matches('"').starts_with(pk_prefix)
                && sk.trim_matches('"').starts_with(sk_prefix)
        })
        .count() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_bots_users_move_in_once_with_everything_they_had() {
    let pg = Postgres::start();
    let db = fixture_db(&pg).await;
    let t = TestStack::start(&[
        ("TRIAL_ENABLED", "true"),
        ("TRIAL_DURATION_DAYS", "3"),
        ("BOT_USERNAME", "test_shop_bot"),
    ])
    .await;
    let store = t.stack.app.store.clone();
    let ts = now();

    // Two users had already found this bot before the move.
    // 5000020: registered here with 1 ₽ on the balance and a short end.
    assert_eq!(
        t.update(&text_update(1, 5_000_020, "Ann", "ru", "/start"))
            .await,
        200
    );
    store
        .add_balance(TelegramId(5_000_020), 100)
        .await
        .expect("balance");
    t.set_sub_end(5_000_020, ts + DAY).await;
    // 5000044: invited here by 5000003, with an end later than the old bot's.
    assert_eq!(
        t.update(&text_update(2, 5_000_044, "Bob", "ru", "/start"))
            .await,
        200
    );
    t.set_user_attr(5_000_044, "referrer", AttributeValue::N("5000003".into()))
        .await;
    let far = ts + 900 * DAY;
    t.set_sub_end(5_000_044, far).await;

    // The dry run maps everything, says what it cannot, and writes nothing.
    let before = snapshot(&store).await;
    let dry = importer::import(&db, None, ts).await.expect("dry run");
    assert_eq!(snapshot(&store).await, before, "a dry run writes nothing");
    let report = dry.report.clone();
    let c = |k: &str| report.counts.get(k).copied().unwrap_or_default();
    assert_eq!(c("users"), 400);
    assert_eq!(
        c("subscriptions"),
        count(&db, "SELECT count(DISTINCT user_id) FROM subscriptions").await
    );
    assert_eq!(c("trials_used"), c("subscriptions"));
    let paid_mappable = count(
        &db,
        "SELECT count(*) FROM payments WHERE status = 'succeeded' \
         AND provider IN ('yookassa','telegram_stars','cryptopay','freekassa','tribute') \
         AND currency IN ('RUB','XTR') AND amount = round(amount::numeric) \
         AND (subscription_duration_months IN (1,3,6,12) \
              OR (subscription_duration_months IS NULL AND description LIKE 'Пополнение%'))",
    )
    .await;
    assert!(paid_mappable > 200, "{paid_mappable}");
    // The cryptopay rows of 1490.50 ₽ are whole kopecks: counted separately.
    let crypto_halves = count(
        &db,
        "SELECT count(*) FROM payments WHERE status='succeeded' AND amount = 1490.5",
    )
    .await;
    assert_eq!(c("payments"), paid_mappable + crypto_halves);
    assert_eq!(c("referrals"), count(&db, "SELECT count(*) FROM users WHERE referred_by_id IS NOT NULL AND referred_by_id <> user_id").await);
    assert_eq!(
        c("balance_entries"),
        count(&db, "SELECT count(*) FROM transactions").await
    );
    assert_eq!(
        c("promo_activations"),
        count(&db, "SELECT count(*) FROM promo_code_activations").await - 1
    );
    assert_eq!(
        c("saved_methods"),
        20 + 10,
        "the card in both tables counts once"
    );
    let why: Vec<String> = report
        .unmappable
        .iter()
        .map(|u| format!("{} {}: {}", u.table, u.id, u.why))
        .collect();
    for expected in [
        "provider \"platega\"",
        "a period of 2 months",
        "neither a period nor a balance top-up",
        "currency \"USDT\"",
        "a fraction of a Star",
        "invited by themselves",
        "negative balance -500",
        "differs from another only in case",
        "promo_code_activations",
    ] {
        assert!(
            why.iter().any(|w| w.contains(expected)),
            "{expected} not in {why:#?}"
        );
    }
    assert_eq!(
        report.skipped.values().sum::<u64>(),
        count(
            &db,
            "SELECT count(*) FROM payments WHERE status <> 'succeeded'"
        )
        .await
            + 1
    );
    let rendered = report.render("dry run");
    assert!(rendered.contains("cannot map: 9 rows"), "{rendered}");

    // A run cut off half-way (DynamoDB keeps failing on one user)...
    let proxy = t.fault_proxy().await;
    proxy.add(
        "TransactWriteItems",
        Some("USER#5000200"),
        1000,
        Fault::Fail(500),
    );
    let aws = local_stack::local_aws(&proxy.url).await;
    let cut = Store::new(aws_sdk_dynamodb::Client::new(&aws), store.table());
    let err = importer::import(&db, Some(&cut), ts)
        .await
        .expect_err("cut off");
    assert!(err.contains("run it again"), "{err}");
    let partial = snapshot(&store).await;
    assert!(kinds(&partial, "ONCE#import-user#", "ONCE") < 400);
    assert!(kinds(&partial, "ONCE#import-user#", "ONCE") > 0);

    // ...is finished by running it again: the totals are the dry run's.
    let run = importer::import(&db, Some(&store), ts)
        .await
        .expect("import");
    let out = run.outcome.expect("a real run");
    for (kind, n) in &report.counts {
        assert_eq!(out.total(kind), *n, "{kind}: {}", out.render());
    }
    let snap = snapshot(&store).await;
    assert_eq!(kinds(&snap, "ONCE#import-user#", "ONCE"), 400);
    assert_eq!(kinds(&snap, "USER#", "PROFILE"), 400);
    assert_eq!(kinds(&snap, "ORDER#", "ORDER"), c("payments"));
    assert_eq!(
        kinds(&snap, "USER#", "LEDGER#"),
        c("payments") + c("balance_entries")
    );
    assert_eq!(kinds(&snap, "USER#", "PAYMETHOD#"), c("saved_methods"));
    assert_eq!(kinds(&snap, "PROMO#", "ACT#"), c("promo_activations"));
    assert_eq!(kinds(&snap, "PROMO#", "IMPORTED"), 3);
    assert_eq!(kinds(&snap, "CAMPAIGN#", "IMPORTED"), 3);
    assert_eq!(kinds(&snap, "REFALIAS#", "ALIAS"), c("ref_code_aliases"));

    // A second run changes nothing.
    let again = importer::import(&db, Some(&store), ts)
        .await
        .expect("re-run");
    let again = again.outcome.expect("a real run");
    assert!(again.written.is_empty(), "{}", again.render());
    assert_eq!(snapshot(&store).await, snap, "a second run changes nothing");

    // Merged users: the later end wins, balances add, the earlier inviter stays.
    let ann = t.user(5_000_020).await.expect("merged");
    assert_eq!(ann.balance.0, 100 + 740, "ours plus the old bot's");
    let old_end = db
        .query_one("SELECT EXTRACT(EPOCH FROM max(end_date))::bigint FROM subscriptions WHERE user_id = 5000020", &[])
        .await
        .expect("end")
        .get::<_, i64>(0);
    assert_eq!(ann.sub_end, Some(old_end));
    assert!(ann.created_at < ts, "the earlier registration stays");
    let bob = t.user(5_000_044).await.expect("merged");
    assert_eq!(bob.sub_end, Some(far));
    assert_eq!(bob.referrer, Some(TelegramId(5_000_003)));
    assert!(bob.trial_used_at.is_some());

    // Maria opens the bot after the move.
    let maria = t.user(MARIA).await.expect("imported");
    let end: i64 = db
        .query_one("SELECT EXTRACT(EPOCH FROM max(end_date))::bigint FROM subscriptions WHERE user_id = $1", &[&MARIA])
        .await
        .expect("end")
        .get(0);
    assert_eq!(maria.sub_end, Some(end));
    assert_eq!(maria.referrals, 10);
    assert_eq!(
        t.update(&text_update(10, MARIA, "Мария", "en", "/start"))
            .await,
        200
    );
    let menu = t
        .telegram
        .sent_to(MARIA)
        .last()
        .map(text_of)
        .unwrap_or_default();
    assert!(!menu.is_empty());
    let menu_buttons =
        t.telegram.sent_to(MARIA).last().expect("menu").body["reply_markup"].to_string();
    assert!(
        !menu_buttons.contains("\"trial\""),
        "no trial offered: {menu_buttons}"
    );

    assert_eq!(
        t.update(&callback_update(11, MARIA, "profile", 500)).await,
        200
    );
    let profile = last_screen(&t, MARIA);
    let date = shared::base::format::date(end);
    assert!(profile.contains(&date), "{profile}");
    assert!(profile.contains("123.45"), "{profile}");

    assert_eq!(
        t.update(&callback_update(12, MARIA, "hist", 500)).await,
        200
    );
    let history = last_screen(&t, MARIA);
    assert!(
        history.contains("300 ⭐") && history.contains("90"),
        "{history}"
    );
    assert!(history.contains("+123.45"), "{history}");

    assert_eq!(t.update(&callback_update(13, MARIA, "ref", 500)).await, 200);
    let referrals = last_screen(&t, MARIA);
    assert!(referrals.contains("<b>10</b>"), "{referrals}");

    // The trial button, pressed anyway (an old message), refuses.
    assert_eq!(
        t.update(&callback_update(14, MARIA, "trial", 500)).await,
        200
    );
    assert!(
        last_screen(&t, MARIA).contains("only for new users"),
        "{}",
        last_screen(&t, MARIA)
    );
    assert_eq!(t.user(MARIA).await.expect("user").sub_end, Some(end));

    // An old referral link still finds its inviter.
    assert_eq!(
        t.update(&text_update(15, 6_000_001, "New", "en", "/start ref_OLD1"))
            .await,
        200
    );
    assert_eq!(
        t.user(6_000_001).await.expect("new").referrer,
        Some(TelegramId(MARIA))
    );

    // Promo codes activated in the old bot stay activated; saved cards came along.
    assert!(
        store
            .promo_activated("WELCOME", TelegramId(5_000_013))
            .await
            .expect("read")
    );
    assert!(
        !store
            .promo_activated("WELCOME", TelegramId(5_000_014))
            .await
            .expect("read")
    );
    let cards = store
        .saved_methods(TelegramId(5_000_040))
        .await
        .expect("read");
    assert_eq!(cards.len(), 2);
    assert!(cards.iter().any(|m| m.method_id == "pm-40"
        && m.is_default
        && m.card_last4.as_deref() == Some("4242")));
    assert_eq!(
        t.user(5_000_040).await.expect("user").referrer,
        Some(TelegramId(MARIA))
    );
}
