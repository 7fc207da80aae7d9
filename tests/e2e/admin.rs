//! The admin side end to end: authorisation of every action, the user card
//! and what admins change (ban reaching the panel, days, balance with a
//! ledger entry, trial, message), the audit log, stats from counters and
//! the chart.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::fake_panel::FakePanel;
use e2e::signed::{Payer, successful_payment_by};
use e2e::story::{buttons, last_to, press, press_stars, text, texts_to};
use e2e::{TestStack, text_update};
use serde_json::json;
use shared::adapters::pay::OrderId;
use shared::base::types::TelegramId;

const ADMIN: i64 = 9000;
const DAY: i64 = 86_400;

async fn desk(panel: bool) -> (TestStack, Option<FakePanel>) {
    let vars: &[(&str, &str)] = &[
        ("ADMIN_IDS", "9000"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("STARS_ENABLED", "true"),
        ("STARS_PRICE_1_MONTH", "150"),
        ("TRIAL_ENABLED", "true"),
        ("TRIAL_DURATION_DAYS", "3"),
        ("LOGS_PAGE_SIZE", "2"),
        (
            "INLINE_USER_STATS_THUMBNAIL_URL",
            "https://example.com/thumbs/users.png",
        ),
    ];
    if panel {
        let (t, p) = TestStack::start_with_panel(vars).await;
        (t, Some(p))
    } else {
        (TestStack::start(vars).await, None)
    }
}

async fn say(t: &TestStack, update_id: i64, user: i64, text: &str) {
    assert_eq!(
        t.update(&text_update(update_id, user, "Ann", "en", text))
            .await,
        200
    );
}

async fn audit_count(t: &TestStack) -> usize {
    t.stack
        .app
        .store
        .audit_page(None, None, 100)
        .await
        .expect("audit readable")
        .0
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admins_crafted_admin_buttons_and_commands_change_nothing() {
    let (t, _) = desk(false).await;
    say(&t, 1, 4101, "/start").await;
    say(&t, 2, 4102, "/start").await;
    for (i, data) in [
        "adm:ban:4102",
        "adm:banok:4102",
        "adm:d:4102:30:0",
        "adm:dok:4102:30:0",
        "adm:balok:4102",
        "adm:rt:4102",
        "adm:bal:4102",
        "adm:msg:4102",
        "adm:del:4102",
        "adm:delok:4102",
        "adm:stats",
        "adm:logs",
        "adm",
    ]
    .iter()
    .enumerate()
    {
        press(&t, 10 + i as i64, 4101, data).await;
    }
    say(&t, 30, 4101, "/ban 4102").await;
    say(&t, 31, 4101, "/stats").await;
    say(&t, 32, 4101, "+500 gift").await;
    let target = t.user(4102).await.expect("not deleted");
    assert!(!target.banned);
    assert_eq!(target.sub_end, None);
    assert_eq!(target.balance.0, 0);
    let attacker = t.user(4101).await.expect("user");
    assert_eq!(attacker.waiting, None, "no admin conversation started");
    assert_eq!(audit_count(&t).await, 0);
    // Nothing the attacker saw is an admin screen.
    for c in t.telegram.calls() {
        if c.body["chat_id"].as_i64() == Some(4101) {
            assert!(!text(&c).contains("Admin"), "{}", text(&c));
            assert!(buttons(&c).iter().all(|b| !b.starts_with("adm")));
        }
    }
    assert!(t.telegram.calls_of("sendPhoto").is_empty());

    // The same buttons from the admin work.
    say(&t, 40, ADMIN, "/start").await;
    press(&t, 41, ADMIN, "adm:ban:4102").await;
    assert!(
        !t.user(4102).await.expect("user").banned,
        "asking bans nobody"
    );
    press(&t, 42, ADMIN, "adm:banok:4102").await;
    assert!(t.user(4102).await.expect("user").banned);
    assert_eq!(audit_count(&t).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ban_days_balance_trial_and_message_reach_the_user_and_the_panel_and_the_log() {
    let (t, panel) = desk(true).await;
    let panel = panel.expect("panel");
    say(&t, 1, ADMIN, "/start").await;
    say(&t, 2, 4201, "/start").await;
    // The user takes the trial: the panel user exists.
    press(&t, 3, 4201, "trial").await;
    t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!(panel.users().len(), 1);
    let trial_end = t.user(4201).await.expect("user").sub_end.expect("trial");
    // (As if Telegram had told us the username.)
    t.set_user_attr(4201, "username", AttributeValue::S("Ann_Shop".into()))
        .await;
    t.set_user_attr(4201, "GSI3PK", AttributeValue::S("UNAME#ann_shop".into()))
        .await;
    t.set_user_attr(4201, "GSI3SK", AttributeValue::S("USER#4201".into()))
        .await;

    // Found by @username; the card carries the actions.
    say(&t, 4, ADMIN, "/user @ann_shop").await;
    let card = last_to(&t, ADMIN);
    assert!(text(&card).contains("4201"), "{}", text(&card));
    let plus7 = format!("adm:d:4201:7:{trial_end}");
    assert!(buttons(&card).contains(&plus7), "{:?}", buttons(&card));

    // Ban: the panel user is disabled; unban: enabled again.
    press(&t, 5, ADMIN, "adm:ban:4201").await;
    let ask = last_to(&t, ADMIN);
    assert!(text(&ask).contains("switched off"), "{}", text(&ask));
    assert!(
        buttons(&ask).contains(&"adm:u:4201".to_owned()),
        "no goes back"
    );
    assert!(
        !t.user(4201).await.expect("user").banned,
        "asking bans nobody"
    );
    press(&t, 55, ADMIN, "adm:banok:4201").await;
    assert!(t.user(4201).await.expect("user").banned);
    t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!(panel.users()[0]["status"], "DISABLED");
    press(&t, 6, ADMIN, "adm:banned").await;
    assert!(buttons(&last_to(&t, ADMIN)).contains(&"adm:u:4201".to_owned()));
    press(&t, 7, ADMIN, "adm:unban:4201").await;
    t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!(panel.users()[0]["status"], "ACTIVE");
    press(&t, 8, ADMIN, "adm:banned").await;
    assert!(!buttons(&last_to(&t, ADMIN)).contains(&"adm:u:4201".to_owned()));

    // +7 days reaches the panel; the same button again changes nothing.
    press(&t, 9, ADMIN, &plus7).await;
    let end = t.user(4201).await.expect("user").sub_end.expect("end");
    assert_eq!(end, trial_end + 7 * DAY);
    // The user is told, once, in their language, with the new end.
    t.drain_outbox().await;
    let told = |needle: &str| {
        texts_to(&t, 4201)
            .iter()
            .filter(|m| m.contains(needle))
            .count()
    };
    assert_eq!(
        told("added 7 days to your subscription"),
        1,
        "{:?}",
        texts_to(&t, 4201)
    );
    press(&t, 10, ADMIN, &plus7).await;
    assert_eq!(t.user(4201).await.expect("user").sub_end, Some(end));
    t.drain_outbox().await;
    assert_eq!(
        told("added 7 days to your subscription"),
        1,
        "a stale press tells nothing"
    );
    assert!(text(&last_to(&t, ADMIN)).contains("out of date"));
    t.stack.drain_panel_sync().await.expect("drains");
    let expire = panel.users()[0]["expireAt"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(expire, shared::adapters::panel::format_time(end));

    // Balance: +150 with a reason writes a ledger entry; the same message
    // delivered again (a retried update) adjusts once.
    press(&t, 11, ADMIN, "adm:bal:4201").await;
    let adjust = json!({"update_id": 12, "message": {
        "message_id": 777, "date": 1_700_000_000,
        "from": {"id": ADMIN, "is_bot": false, "first_name": "Boss", "language_code": "en"},
        "chat": {"id": ADMIN, "type": "private", "first_name": "Boss"},
        "text": "+150 compensation for downtime"
    }});
    assert_eq!(t.update(&adjust).await, 200);
    assert_eq!(t.user(4201).await.expect("user").balance.0, 15_000);
    press(&t, 13, ADMIN, "adm:bal:4201").await;
    let mut again = adjust.clone();
    again["update_id"] = json!(14);
    assert_eq!(t.update(&again).await, 200);
    assert_eq!(t.user(4201).await.expect("user").balance.0, 15_000);
    t.drain_outbox().await;
    assert_eq!(
        told("added 150 ₽ to your balance"),
        1,
        "{:?}",
        texts_to(&t, 4201)
    );
    let (ledger, _) = t
        .stack
        .app
        .store
        .ledger_page(TelegramId(4201), None, 10)
        .await
        .expect("ledger");
    let adj: Vec<_> = ledger
        .iter()
        .filter(|r| r.kind == "admin_balance")
        .collect();
    assert_eq!(adj.len(), 1);
    assert_eq!(adj[0].amount.as_ref().map(|m| m.minor()), Some(15_000));
    assert!(
        ledger
            .iter()
            .any(|r| r.kind == "admin_days" && r.days == Some(7))
    );
    // Taking more than there is is refused, without asking.
    press(&t, 15, ADMIN, "adm:bal:4201").await;
    say(&t, 16, ADMIN, "-200 mistake").await;
    assert_eq!(t.user(4201).await.expect("user").balance.0, 15_000);
    assert!(text(&last_to(&t, ADMIN)).contains("Nothing changed"));
    // Taking some asks first, naming the amount and what remains; "yes"
    // takes it once, however often it is pressed.
    press(&t, 60, ADMIN, "adm:bal:4201").await;
    say(&t, 61, ADMIN, "-50 mistake").await;
    let ask = last_to(&t, ADMIN);
    assert!(
        text(&ask).contains("50 ₽") && text(&ask).contains("100 ₽"),
        "{}",
        text(&ask)
    );
    assert_eq!(t.user(4201).await.expect("user").balance.0, 15_000);
    press(&t, 62, ADMIN, "adm:balok:4201").await;
    assert_eq!(t.user(4201).await.expect("user").balance.0, 10_000);
    press(&t, 63, ADMIN, "adm:balok:4201").await;
    assert_eq!(t.user(4201).await.expect("user").balance.0, 10_000);
    t.drain_outbox().await;
    assert_eq!(
        told("took 50 ₽ from your balance"),
        1,
        "{:?}",
        texts_to(&t, 4201)
    );
    // Taking days asks too, naming the new end.
    let end = t.user(4201).await.expect("user").sub_end.expect("end");
    press(&t, 64, ADMIN, &format!("adm:d:4201:-1:{end}")).await;
    assert!(buttons(&last_to(&t, ADMIN)).contains(&format!("adm:dok:4201:-1:{end}")));
    assert_eq!(t.user(4201).await.expect("user").sub_end, Some(end));
    press(&t, 65, ADMIN, &format!("adm:dok:4201:-1:{end}")).await;
    assert_eq!(t.user(4201).await.expect("user").sub_end, Some(end - DAY));

    // Reset trial.
    press(&t, 17, ADMIN, "adm:rt:4201").await;
    assert_eq!(t.user(4201).await.expect("user").trial_used_at, None);

    // A message, copied as is.
    press(&t, 18, ADMIN, "adm:msg:4201").await;
    say(&t, 19, ADMIN, "Hello from support").await;
    let copies = t.telegram.calls_of("copyMessage");
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].body["chat_id"].as_i64(), Some(4201));

    // The audit log: ban, unban, days, balance, trial, message; paged by 2.
    let (all, _) = t
        .stack
        .app
        .store
        .audit_page(None, None, 100)
        .await
        .expect("audit");
    let actions: Vec<&str> = all.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "message",
            "reset_trial",
            "days",
            "balance",
            "balance",
            "days",
            "unban",
            "ban"
        ]
    );
    assert!(
        all.iter()
            .all(|a| a.admin == TelegramId(ADMIN) && a.target == Some(TelegramId(4201)))
    );
    say(&t, 20, ADMIN, "/logs").await;
    let page = last_to(&t, ADMIN);
    assert_eq!(text(&page).matches("🛠").count(), 2, "{}", text(&page));
    // Sentences in the admin's language, not stored words.
    assert!(
        text(&page).contains("wrote to <code>4201</code>"),
        "{}",
        text(&page)
    );
    let more = buttons(&page)
        .into_iter()
        .find(|b| b.starts_with("adm:logs:"))
        .expect("a next page");
    press(&t, 21, ADMIN, &more).await;
    assert!(
        text(&last_to(&t, ADMIN)).contains("took 1 day from <code>4201</code>"),
        "{}",
        text(&last_to(&t, ADMIN))
    );

    // The CSV export parses back to the same rows.
    press(&t, 22, ADMIN, "adm:logcsv").await;
    let docs = t.telegram.calls_of("sendDocument");
    assert_eq!(docs.len(), 1);
    let raw = hex::decode(docs[0].body["document"]["hex"].as_str().expect("upload")).expect("hex");
    let mut reader = csv::Reader::from_reader(raw.as_slice());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    let from_csv: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    let expected: Vec<(String, String, String)> = all
        .iter()
        .map(|a| {
            (
                a.admin.to_string(),
                a.action.clone(),
                a.target.map(|t| t.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let expected: Vec<(&str, &str, &str)> = expected
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(from_csv, expected);
    // Amounts in rubles with the unit, never kopecks.
    assert!(
        rows.iter()
            .any(|r| r[4] == "+150 ₽ compensation for downtime"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r[5] == "added 150 ₽ to the balance of 4201 (compensation for downtime)")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_come_from_counters_and_the_chart_is_a_png() {
    let (t, _) = desk(false).await;
    say(&t, 1, ADMIN, "/start").await;
    for (i, u) in [4301, 4302, 4303].iter().enumerate() {
        say(&t, 2 + i as i64, *u, "/start").await;
    }
    press(&t, 10, 4301, "trial").await;
    // A Stars purchase by 4302.
    let order = press_stars(&t, 4302, "pay:1m:stars", 11).await;
    let paid = successful_payment_by(12, payer(4302), &order.0, 150, "admin-stats-charge");
    assert_eq!(t.update(&paid).await, 200);
    // Delivered twice: counted once.
    assert_eq!(t.update(&paid).await, 200);

    say(&t, 20, ADMIN, "/stats").await;
    let stats = text(&last_to(&t, ADMIN));
    assert!(stats.contains("Sign-ups: 4 / 4 / 4 / 4"), "{stats}");
    assert!(stats.contains("Trials started: 1 / 1 / 1 / 1"), "{stats}");
    // 4303 blocks the bot (told twice), then 4301 blocks and comes back.
    let member = |id: i64, status: &str, update: i64| {
        json!({"update_id": update, "my_chat_member": {
            "chat": {"id": id, "type": "private", "first_name": "U"},
            "from": {"id": id, "is_bot": false, "first_name": "U"},
            "date": 1_700_000_100,
            "old_chat_member": {"user": {"id": 7000000001i64, "is_bot": true, "first_name": "Shop"}, "status": "member"},
            "new_chat_member": {"user": {"id": 7000000001i64, "is_bot": true, "first_name": "Shop"}, "status": status, "until_date": 0}
        }})
    };
    for (id, status, update) in [
        (4303, "kicked", 130),
        (4303, "kicked", 131),
        (4301, "kicked", 132),
        (4301, "member", 133),
    ] {
        assert_eq!(t.update(&member(id, status, update)).await, 200);
    }
    say(&t, 134, ADMIN, "/stats").await;
    let stats = text(&last_to(&t, ADMIN));
    assert!(stats.contains("Blocked the bot now: 1"), "{stats}");
    // 4303 writes again: back.
    say(&t, 135, 4303, "/start").await;
    say(&t, 136, ADMIN, "/stats").await;
    let stats = text(&last_to(&t, ADMIN));
    assert!(stats.contains("Blocked the bot now: 0"), "{stats}");
    // No panel configured: no panel line.
    assert!(!stats.contains("Panel"), "{stats}");
    assert!(stats.contains("Plan purchases: 1 / 1 / 1 / 1"), "{stats}");
    assert!(stats.contains("First purchases: 1 / 1 / 1 / 1"), "{stats}");
    assert!(stats.contains("stars 150 ⭐"), "{stats}");
    let counters = t
        .stack
        .app
        .store
        .counters("2000-01-01", "2999-12-31")
        .await
        .expect("counters");
    assert_eq!(counters.total("signups"), 4);

    // Payments: today's list, the CSV parsed back, the detail and a refund.
    let today = shared::adapters::store::keys::day_of(shared::base::clock::now()).replace('-', "");
    press(&t, 30, ADMIN, &format!("adm:pay:{today}:all")).await;
    let list = last_to(&t, ADMIN);
    assert!(text(&list).contains("4302"), "{}", text(&list));
    assert!(buttons(&list).contains(&format!("adm:po:{}", order.0)));
    let csv_rows = |t: &TestStack| -> Vec<Vec<String>> {
        let doc = t
            .telegram
            .calls_of("sendDocument")
            .pop()
            .expect("a document");
        let raw = hex::decode(doc.body["document"]["hex"].as_str().expect("upload")).expect("hex");
        csv::Reader::from_reader(raw.as_slice())
            .records()
            .map(|r| r.expect("row").iter().map(str::to_owned).collect())
            .collect()
    };
    press(&t, 31, ADMIN, &format!("adm:paycsv:{today}:stars")).await;
    let rows = csv_rows(&t);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0][1..8],
        [
            order.0.as_str(),
            "4302",
            "stars",
            "plan:1m",
            "150",
            "XTR",
            "paid"
        ]
    );
    assert!(
        ["1-month subscription", "подписка на 1 месяц"].contains(&rows[0][8].as_str()),
        "the product in the admin's words: {:?}",
        rows[0]
    );
    press(&t, 32, ADMIN, &format!("adm:paycsv:{today}:yookassa")).await;
    assert!(csv_rows(&t).is_empty());
    press(&t, 33, ADMIN, &format!("adm:po:{}", order.0)).await;
    assert!(buttons(&last_to(&t, ADMIN)).contains(&format!("adm:prf:{}", order.0)));
    press(&t, 34, ADMIN, &format!("adm:prf:{}", order.0)).await;
    assert!(
        t.telegram.calls_of("refundStarPayment").is_empty(),
        "asking refunds nothing"
    );
    assert!(buttons(&last_to(&t, ADMIN)).contains(&format!("adm:rf:{}", order.0)));
    press(&t, 340, ADMIN, &format!("adm:rf:{}", order.0)).await;
    assert_eq!(t.telegram.calls_of("refundStarPayment").len(), 1);
    press(&t, 35, ADMIN, &format!("adm:paycsv:{today}:all")).await;
    assert_eq!(csv_rows(&t)[0][7], "refunded");

    // Filters: the same order indexed two days back too (as if paid then):
    // 7 days is one query a day; the status filter applies to the orders'
    // current status, in the list and the CSV.
    let store = &t.stack.app.store;
    let two_days_ago = shared::base::clock::now() - 2 * DAY;
    let old_day = shared::adapters::store::keys::day_of(two_days_ago);
    let item = |k: &str, v: AttributeValue| (k.to_owned(), v);
    store
        .client()
        .put_item()
        .table_name(store.table())
        .set_item(Some(
            [
                item("PK", AttributeValue::S(format!("PAYDAY#{old_day}"))),
                item(
                    "SK",
                    AttributeValue::S(format!("{two_days_ago:011}#{}", order.0)),
                ),
                item("order_id", AttributeValue::S(order.0.clone())),
                item("user", AttributeValue::N("4302".into())),
                item("provider", AttributeValue::S("stars".into())),
                item("purchase", AttributeValue::S("plan:1m".into())),
                item("amount", AttributeValue::N("150".into())),
                item("currency", AttributeValue::S("XTR".into())),
                item("at", AttributeValue::N(two_days_ago.to_string())),
            ]
            .into_iter()
            .collect(),
        ))
        .send()
        .await
        .expect("indexed");
    press(&t, 36, ADMIN, &format!("adm:paycsv:{today}:all:any:7")).await;
    assert_eq!(csv_rows(&t).len(), 2);
    press(
        &t,
        37,
        ADMIN,
        &format!("adm:paycsv:{today}:stars:refunded:7"),
    )
    .await;
    assert_eq!(csv_rows(&t).len(), 2);
    press(&t, 38, ADMIN, &format!("adm:paycsv:{today}:all:paid:30")).await;
    assert!(csv_rows(&t).is_empty());
    press(&t, 39, ADMIN, &format!("adm:paycsv:{today}:all:refunded:1")).await;
    assert_eq!(csv_rows(&t).len(), 1);
    press(&t, 40, ADMIN, &format!("adm:pay:{today}:all:refunded:7")).await;
    let list = last_to(&t, ADMIN);
    assert!(text(&list).contains("· refunded"), "{}", text(&list));
    assert_eq!(text(&list).matches("4302").count(), 2, "{}", text(&list));
    assert!(buttons(&list).contains(&format!("adm:paycsv:{today}:all:refunded:7")));
    assert!(buttons(&list).contains(&format!("adm:pay:{today}:all:paid:7")));
    assert!(buttons(&list).contains(&format!("adm:pay:{today}:all:refunded:30")));

    press(&t, 21, ADMIN, "adm:chart").await;
    let photos = t.telegram.calls_of("sendPhoto");
    assert_eq!(photos.len(), 1);
    assert_eq!(
        photos[0].body["chat_id"].as_i64(),
        Some(ADMIN),
        "{}",
        photos[0]
            .body
            .to_string()
            .chars()
            .take(300)
            .collect::<String>()
    );
    let body = &photos[0].body;
    let upload = body["photo"]["hex"].as_str();
    let png = hex::decode(upload.unwrap_or_else(|| panic!("an upload: {:.400}", body.to_string())))
        .expect("hex");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) = (
        u32::from_be_bytes([png[16], png[17], png[18], png[19]]),
        u32::from_be_bytes([png[20], png[21], png[22], png[23]]),
    );
    assert_eq!((w, h), (960, 960));
}

fn inline_query(update_id: i64, user: i64) -> serde_json::Value {
    json!({"update_id": update_id, "inline_query": {
        "id": format!("iq-{update_id}"),
        "from": {"id": user, "is_bot": false, "first_name": "Ann", "language_code": "en"},
        "query": "", "offset": ""
    }})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_mode_gives_everyone_their_link_and_admins_the_stats() {
    let (t, _) = desk(false).await;
    say(&t, 1, 4401, "/start").await;
    say(&t, 2, ADMIN, "/start").await;
    assert_eq!(t.update(&inline_query(3, 4401)).await, 200);
    let answers = t.telegram.calls_of("answerInlineQuery");
    let results = answers[0].body["results"]
        .as_array()
        .expect("results")
        .clone();
    assert_eq!(results.len(), 1);
    let code = t.user(4401).await.expect("user").ref_code;
    let shared_text = results[0]["input_message_content"]["message_text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        shared_text.contains(&format!("?start=ref_{code}")),
        "{shared_text}"
    );

    assert_eq!(t.update(&inline_query(4, ADMIN)).await, 200);
    let answers = t.telegram.calls_of("answerInlineQuery");
    let results = answers[1].body["results"]
        .as_array()
        .expect("results")
        .clone();
    let ids: Vec<&str> = results.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["ref", "users", "money", "system"]);
    assert_eq!(
        results[1]["thumbnail_url"],
        "https://example.com/thumbs/users.png"
    );
    let users = results[1]["input_message_content"]["message_text"]
        .as_str()
        .unwrap_or_default();
    assert!(users.contains("2 in total"), "{users}");
    assert_eq!(answers[1].body["cache_time"], 0);
}

/// Runs the outbox the way its event source does on AWS: two runs at once
/// (`MaximumConcurrency: 2`), each a batch of up to 10 messages, until none
/// is visible. Returns the receipt handles of the messages that failed.
async fn two_senders(
    t: &TestStack,
    app: &std::sync::Arc<shared::adapters::app::App>,
) -> Vec<String> {
    let url = app.config.infra.outbox_queue_url.clone().expect("outbox");
    let one = || {
        let app = app.clone();
        let url = url.clone();
        let sqs = t.stack.app.sqs.clone();
        async move {
            let handler = move |event| {
                let app = app.clone();
                async move { shared::domains::messaging::sender::handle_outbox(&app, event).await }
            };
            let mut failed = Vec::new();
            loop {
                let batch = local_stack::workers::poll_batch(&sqs, &url, &handler, 0)
                    .await
                    .expect("batch");
                if batch.received == 0 {
                    return failed;
                }
                failed.extend(batch.failed);
            }
        }
    };
    let (a, b) = futures::join!(one(), one());
    a.into_iter().chain(b).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_reaches_everyone_once_despite_redelivery_and_a_crash_and_counts_the_blocked() {
    use shared::adapters::store::users::Visitor;
    let (t, _) = desk(false).await;
    say(&t, 1, ADMIN, "/start").await;
    let store = &t.stack.app.store;
    let ids: Vec<i64> = (0..2000).map(|i| 4_600_000 + i).collect();
    for chunk in ids.chunks(50) {
        futures::future::join_all(chunk.iter().map(|id| {
            let v = Visitor {
                id: TelegramId(*id),
                first_name: "U".into(),
                last_name: None,
                username: None,
                lang: shared::base::types::Lang::En,
            };
            async move {
                store
                    .touch_user(&v, 1_700_000_000, &format!("n{}", v.id))
                    .await
                    .expect("user")
            }
        }))
        .await;
    }
    // 5 we know blocked the bot and one banned: never tried.
    for id in &ids[..5] {
        store
            .set_blocked(TelegramId(*id), Some(1))
            .await
            .expect("set");
    }
    t.set_user_attr(ids[5], "banned", AttributeValue::Bool(true))
        .await;
    // Telegram as the issue asks: 30 messages a second, 429 above.
    t.telegram.set_rate_limit(30);

    press(&t, 2, ADMIN, "adm:bc").await;
    say(&t, 3, ADMIN, "Big <b>news</b>").await;
    let draft = buttons(&last_to(&t, ADMIN))
        .into_iter()
        .find(|b| b.starts_with("adm:bca:"))
        .expect("audience buttons");
    let id = draft.split(':').nth(2).expect("id").to_owned();
    press(&t, 4, ADMIN, &format!("adm:bca:{id}:all")).await;
    assert!(text(&last_to(&t, ADMIN)).contains("Send?"));
    press(&t, 5, ADMIN, &format!("adm:bcgo:{id}")).await;
    // Pressed again: still one broadcast.
    press(&t, 6, ADMIN, &format!("adm:bcgo:{id}")).await;
    let fanned = t.stack.drain_jobs().await.expect("jobs");
    assert_eq!(fanned.failed, 0);
    // The first page's job delivered again (as after a crash before SQS
    // heard back): its batches are queued twice, and it queues the second
    // page again.
    shared::adapters::jobs::enqueue_job(
        &t.stack.app,
        &shared::adapters::jobs::Job::BroadcastPage {
            broadcast: id.clone(),
            page: 0,
            cursor: None,
        },
    )
    .await
    .expect("queued");
    t.stack.drain_jobs().await.expect("jobs");
    let b = store.get_broadcast(&id).await.expect("read").expect("b");
    let tried = 2001 - 5 - 1;
    assert_eq!((b.queued, b.fanout_done), (tried, true));

    // 50 recipients blocked the bot without our knowing (Telegram answers
    // 403); none in the batch that crashes.
    let (page0, _) = store
        .get_broadcast_page(&id, 0)
        .await
        .expect("read")
        .expect("page 0");
    let crash_chunk: Vec<i64> = page0[100..110].iter().map(|u| u.0).collect();
    let blocked: Vec<i64> = page0[200..250].iter().map(|u| u.0).collect();
    for id in &blocked {
        t.telegram.block(*id);
    }

    // The sender crashes right after Telegram took the first chunk of batch
    // `0.5` (recipients 100..110 of page 0), before recording it: its
    // DynamoDB write fails, the message stays on the queue.
    let proxy = t.fault_proxy().await;
    let routes = t.routes_via(&proxy).await;
    proxy.add(
        "TransactWriteItems",
        Some("BATCH#0.5"),
        1000,
        e2e::fault_proxy::Fault::Fail(500),
    );
    let mut failed = two_senders(&t, &routes.app).await;
    // Copies Telegram asked to wait for come back after their delay.
    loop {
        let b = store.get_broadcast(&id).await.expect("read").expect("b");
        if b.left() <= 20 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        failed.extend(two_senders(&t, &routes.app).await);
    }
    // Left: the crashed batch (and, if it came while the crashed one was
    // held, its duplicate from the re-delivered page).
    assert!(!failed.is_empty());
    let b = store.get_broadcast(&id).await.expect("read").expect("b");
    assert_eq!(b.left(), 20, "{b:?}");
    for c in &crash_chunk {
        assert_eq!(
            t.telegram
                .calls_of("copyMessage")
                .iter()
                .filter(|m| m.body["chat_id"].as_i64() == Some(*c))
                .count(),
            1
        );
    }
    // Its retry comes while the crashed delivery might still be running:
    // it waits. After the lease, the chunk the crashed delivery held is
    // counted failed (never resent) and the rest of the batch is sent.
    let url = t
        .stack
        .app
        .config
        .infra
        .outbox_queue_url
        .clone()
        .expect("outbox");
    let make_visible = |handles: Vec<String>| {
        let sqs = t.stack.app.sqs.clone();
        let url = url.clone();
        async move {
            for handle in handles {
                let made = sqs
                    .change_message_visibility()
                    .queue_url(&url)
                    .receipt_handle(handle)
                    .visibility_timeout(0)
                    .send()
                    .await;
                // A handle of a receive that a later receive of the same
                // message replaced (a slow machine loops more): the later
                // handle is in the list too.
                if let Err(e) = made {
                    let stale = e
                        .as_service_error()
                        .is_some_and(|s| s.is_receipt_handle_is_invalid());
                    assert!(stale, "visible: {e:?}");
                }
            }
        }
    };
    // As if the crashed delivery had written a moment ago.
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key("PK", AttributeValue::S(format!("BCAST#{id}")))
        .key("SK", AttributeValue::S("BATCH#0.5".into()))
        .update_expression("SET #a = :now")
        .expression_attribute_names("#a", "at")
        .expression_attribute_values(
            ":now",
            AttributeValue::N(shared::base::clock::now().to_string()),
        )
        .send()
        .await
        .expect("lease fresh");
    make_visible(failed).await;
    let still = two_senders(&t, &t.stack.app).await;
    assert!(!still.is_empty(), "the lease is not over: it waits");
    assert_eq!(
        store
            .get_broadcast(&id)
            .await
            .expect("read")
            .expect("b")
            .left(),
        20
    );
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key("PK", AttributeValue::S(format!("BCAST#{id}")))
        .key("SK", AttributeValue::S("BATCH#0.5".into()))
        .update_expression("SET #a = :old")
        .expression_attribute_names("#a", "at")
        .expression_attribute_values(":old", AttributeValue::N("0".into()))
        .send()
        .await
        .expect("lease over");
    make_visible(still).await;
    loop {
        // The batch's two deliveries may come at once: one waits for the other.
        let left = two_senders(&t, &t.stack.app).await;
        make_visible(left).await;
        let b = store.get_broadcast(&id).await.expect("read").expect("b");
        if b.finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    let copies = t.telegram.calls_of("copyMessage");
    let mut per_chat = std::collections::HashMap::<i64, usize>::new();
    for c in &copies {
        *per_chat
            .entry(c.body["chat_id"].as_i64().expect("chat"))
            .or_default() += 1;
    }
    // Everyone but the known-blocked and the banned was tried exactly once
    // (the admin too: they are a user of the bot) — the crashed chunk too.
    assert!(per_chat.values().all(|n| *n == 1), "a recipient got two");
    assert_eq!(per_chat.len() as i64, tried);
    for id in &ids[..6] {
        assert!(!per_chat.contains_key(id));
    }
    let b = store
        .get_broadcast(&id)
        .await
        .expect("read")
        .expect("broadcast");
    let sent = tried - 50 - 10;
    assert_eq!((b.sent, b.blocked, b.failed, b.left()), (sent, 50, 10, 0));
    // The 403s are remembered.
    assert!(t.user(blocked[3]).await.expect("user").blocked_at.is_some());
    // The admin's progress message ends with the totals, in the admin's
    // language (English here; the operator's default is Russian).
    let last = t
        .telegram
        .calls_of("editMessageText")
        .into_iter()
        .rev()
        .find(|c| c.body["chat_id"].as_i64() == Some(ADMIN))
        .expect("progress");
    assert!(
        text(&last).contains(&format!(
            "finished: sent {sent}, failed 10, blocked 50, left 0"
        )),
        "{}",
        text(&last)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stats_screen_shows_the_panels_health_or_unavailable() {
    let (t, panel) = desk(true).await;
    let panel = panel.expect("panel");
    say(&t, 1, ADMIN, "/start").await;
    say(&t, 2, ADMIN, "/stats").await;
    let stats = text(&last_to(&t, ADMIN));
    assert!(stats.contains("Sign-ups: 1 / 1 / 1 / 1"), "{stats}");
    assert!(
        stats.contains("3 nodes online; memory 1.0 / 4.0 GB; up 3 d"),
        "{stats}"
    );
    assert!(
        panel
            .calls()
            .iter()
            .any(|c| c.method == "GET" && c.path == "/api/system/stats" && c.authorized)
    );
    // The panel down: the counters still show, the panel's line says so.
    panel.set_down(true);
    say(&t, 3, ADMIN, "/stats").await;
    let stats = text(&last_to(&t, ADMIN));
    assert!(stats.contains("Sign-ups: 1 / 1 / 1 / 1"), "{stats}");
    assert!(stats.contains("Panel</b>: unavailable"), "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_carries_the_url_buttons_the_admin_listed() {
    let (t, _) = desk(false).await;
    say(&t, 1, ADMIN, "/start").await;
    say(&t, 2, 4701, "/start").await;
    press(&t, 3, ADMIN, "adm:bc").await;
    say(&t, 4, ADMIN, "Sale!").await;
    let add = buttons(&last_to(&t, ADMIN))
        .into_iter()
        .find(|b| b.starts_with("adm:bcb:"))
        .expect("buttons button");
    let id = add.split(':').nth(2).expect("id").to_owned();
    press(&t, 5, ADMIN, &add).await;
    // A bad line is refused and the list asked again.
    say(
        &t,
        6,
        ADMIN,
        "Shop - https://example.com/shop\nnot a button",
    )
    .await;
    assert!(
        text(&last_to(&t, ADMIN)).contains("Not a button: <code>not a button</code>"),
        "{}",
        text(&last_to(&t, ADMIN))
    );
    say(
        &t,
        7,
        ADMIN,
        "Shop - https://example.com/shop\nNews - https://t.me/news",
    )
    .await;
    assert!(text(&last_to(&t, ADMIN)).contains("Buttons: 2"));
    press(&t, 8, ADMIN, &format!("adm:bca:{id}:all")).await;
    press(&t, 9, ADMIN, &format!("adm:bcgo:{id}")).await;
    t.stack.drain_jobs().await.expect("jobs");
    t.drain_outbox().await;
    let copies = t.telegram.calls_of("copyMessage");
    assert_eq!(copies.len(), 2);
    for c in &copies {
        let rows = &c.body["reply_markup"]["inline_keyboard"];
        assert_eq!(rows[0][0]["text"], "Shop");
        assert_eq!(rows[0][0]["url"], "https://example.com/shop");
        assert_eq!(rows[1][0]["url"], "https://t.me/news");
    }
    // Cancelling it now says it is over, and changes nothing.
    press(&t, 12, ADMIN, &format!("adm:bcx:{id}")).await;
    assert!(
        text(&last_to(&t, ADMIN)).starts_with("This broadcast is already over"),
        "{}",
        text(&last_to(&t, ADMIN))
    );
    let status = t
        .stack
        .app
        .store
        .get_broadcast(&id)
        .await
        .expect("read")
        .expect("broadcast")
        .status;
    assert_ne!(status, "cancelled");
    // A non-admin cannot add buttons to it.
    let before = store_buttons(&t, &id).await;
    press(&t, 10, 4701, &add).await;
    say(&t, 11, 4701, "Evil - https://evil.example").await;
    assert_eq!(store_buttons(&t, &id).await, before);
}

async fn store_buttons(t: &TestStack, id: &str) -> Vec<(String, String)> {
    t.stack
        .app
        .store
        .get_broadcast(id)
        .await
        .expect("read")
        .expect("broadcast")
        .buttons
}

/// Pays a one-month plan with Stars as `user`; the order's id.
/// This file's Stars payers: named B, speaking English.
fn payer(id: i64) -> Payer<'static> {
    Payer {
        id,
        name: "B",
        lang: "en",
    }
}

async fn pay_stars(t: &TestStack, update: i64, user: i64, charge: &str) -> OrderId {
    let order = press_stars(t, user, "pay:1m:stars", update).await;
    let paid = successful_payment_by(update + 1, payer(user), &order.0, 150, charge);
    assert_eq!(t.update(&paid).await, 200);
    order
}

/// Where users stand (active, on trial, expired, never paid) at `at`.
async fn standing(t: &TestStack, at: i64) -> (i64, i64, i64, i64) {
    let st = shared::domains::admin::stats::load(&t.stack.app, at)
        .await
        .expect("stats")
        .standing;
    (st.active, st.trial, st.expired(), st.never_paid())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_trial_expired_and_never_paid_follow_trials_payments_days_and_refunds() {
    let (t, _) = desk(false).await;
    let now = shared::base::clock::now();
    let day = 86_400;
    say(&t, 1, ADMIN, "/start").await;
    for (i, u) in [4801, 4802, 4803, 4804].iter().enumerate() {
        say(&t, 2 + i as i64, *u, "/start").await;
    }
    assert_eq!(standing(&t, now).await, (0, 0, 0, 5));
    // Two trials; then 4801 pays over its trial.
    press(&t, 10, 4801, "trial").await;
    press(&t, 11, 4802, "trial").await;
    // Pressed again: the trial is once.
    press(&t, 12, 4802, "trial").await;
    assert_eq!(standing(&t, now).await, (2, 2, 0, 5));
    pay_stars(&t, 20, 4801, "ends-charge-1").await;
    assert_eq!(standing(&t, now).await, (2, 1, 0, 4));
    // A purchase by a user with no end, then its refund (the end goes back
    // to now: counted until the day is over).
    let order = pay_stars(&t, 30, 4803, "ends-charge-2").await;
    assert_eq!(standing(&t, now).await, (3, 1, 0, 3));
    // The admin adds a week to 4804 (no end before).
    press(&t, 40, ADMIN, "adm:d:4804:7:0").await;
    assert_eq!(standing(&t, now).await, (4, 1, 0, 3));
    press(&t, 41, ADMIN, &format!("adm:rf:{}", order.0)).await;
    assert_eq!(t.telegram.calls_of("refundStarPayment").len(), 1);
    assert_eq!(standing(&t, now).await, (4, 1, 0, 3));
    // Tomorrow: 4803's refunded end is over.
    assert_eq!(standing(&t, now + day).await, (3, 1, 1, 3));
    // In 5 days the trial (3 days here) is over too; in 10 days the week;
    // in 60 days everything.
    let trial_days = i64::from(t.stack.app.config.trial.expect("trial").days);
    assert!(trial_days + 1 < 7 && trial_days < 30, "the test's timeline");
    assert_eq!(
        standing(&t, now + (trial_days + 1) * day).await,
        (2, 0, 2, 3)
    );
    assert_eq!(standing(&t, now + 10 * day).await, (1, 0, 3, 3));
    assert_eq!(standing(&t, now + 60 * day).await, (0, 0, 4, 3));
    // The admin resets 4802's trial while it runs: no longer "on trial".
    press(&t, 42, ADMIN, "adm:rt:4802").await;
    assert_eq!(standing(&t, now).await, (4, 0, 0, 3));

    // The stats screen shows them.
    say(&t, 50, ADMIN, "/stats").await;
    let stats = text(&last_to(&t, ADMIN));
    assert!(
        stats.contains("With an active subscription now: 4 (on trial: 0)"),
        "{stats}"
    );
    // The broadcast preview counts each audience.
    press(&t, 60, ADMIN, "adm:bc").await;
    say(&t, 61, ADMIN, "News").await;
    let id = buttons(&last_to(&t, ADMIN))
        .into_iter()
        .find(|b| b.starts_with("adm:bcb:"))
        .expect("buttons button")
        .split(':')
        .nth(2)
        .expect("id")
        .to_owned();
    for (i, (audience, count)) in [
        ("all", 5),
        ("active", 4),
        ("expired", 0),
        ("never_paid", 3),
        ("trial", 0),
    ]
    .iter()
    .enumerate()
    {
        press(
            &t,
            70 + i as i64,
            ADMIN,
            &format!("adm:bca:{id}:{audience}"),
        )
        .await;
        let confirm = text(&last_to(&t, ADMIN));
        assert!(
            confirm.contains(&format!("{count} recipients at most")),
            "{audience}: {confirm}"
        );
    }

    // Deleting users takes them out of every count: 4804 (the admin's week,
    // never paid), then 4801 (paid); a second press counts nothing twice.
    press(&t, 80, ADMIN, "adm:delok:4804").await;
    assert_eq!(standing(&t, now).await, (3, 0, 0, 2));
    press(&t, 81, ADMIN, "adm:delok:4801").await;
    press(&t, 82, ADMIN, "adm:delok:4801").await;
    assert_eq!(standing(&t, now).await, (2, 0, 0, 2));
    assert_eq!(standing(&t, now + 60 * day).await, (0, 0, 2, 2));
    let st = shared::domains::admin::stats::load(&t.stack.app, now)
        .await
        .expect("stats")
        .standing;
    assert_eq!((st.users, st.paid, st.with_end), (3, 1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_user_removes_them_and_their_panel_account_and_keeps_the_trial_used() {
    let (t, panel) = desk(true).await;
    let panel = panel.expect("panel");
    say(&t, 1, ADMIN, "/start").await;
    say(&t, 2, 4601, "/start").await;
    press(&t, 3, 4601, "trial").await;
    t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!(panel.users().len(), 1);
    let code = t.user(4601).await.expect("user").ref_code;
    // Banned too: the banned list and gauge follow the deletion.
    press(&t, 4, ADMIN, "adm:banok:4601").await;
    t.stack.drain_panel_sync().await.expect("drains");

    // The card has Delete; it asks first.
    press(&t, 5, ADMIN, "adm:u:4601").await;
    assert!(buttons(&last_to(&t, ADMIN)).contains(&"adm:del:4601".to_owned()));
    press(&t, 6, ADMIN, "adm:del:4601").await;
    assert!(t.user(4601).await.is_some(), "asking deletes nothing");
    assert!(buttons(&last_to(&t, ADMIN)).contains(&"adm:delok:4601".to_owned()));
    press(&t, 7, ADMIN, "adm:delok:4601").await;
    assert!(t.user(4601).await.is_none(), "the profile is gone");
    assert!(text(&last_to(&t, ADMIN)).contains("deleted"));
    press(&t, 8, ADMIN, "adm:delok:4601").await;
    assert!(text(&last_to(&t, ADMIN)).contains("already deleted"));
    // Today's sign-ups and all time's agree: the admin alone is left.
    let day = shared::adapters::store::keys::day_of(shared::base::clock::now());
    let counters = t
        .stack
        .app
        .store
        .counters(&day, &day)
        .await
        .expect("counters");
    assert_eq!(
        (counters.day(&day, "signups"), counters.total("signups")),
        (1, 1),
        "a deleted user leaves the day and all time"
    );
    let audit = t
        .stack
        .app
        .store
        .audit_page(None, None, 100)
        .await
        .expect("audit")
        .0;
    assert_eq!(audit.iter().filter(|a| a.action == "delete").count(), 1);
    press(&t, 9, ADMIN, "adm:banned").await;
    assert!(!buttons(&last_to(&t, ADMIN)).contains(&"adm:u:4601".to_owned()));
    // The referral code no longer finds them.
    say(&t, 10, ADMIN, &format!("/user {code}")).await;
    assert!(!text(&last_to(&t, ADMIN)).contains("4601"));

    // The panel account is deleted through the sync queue.
    t.stack.drain_panel_sync().await.expect("drains");
    assert!(panel.users().is_empty(), "{:?}", panel.users());
    assert!(
        panel
            .calls()
            .iter()
            .any(|c| c.method == "DELETE" && c.path.starts_with("/api/users/"))
    );

    // Writing /start again starts fresh, without a second trial.
    say(&t, 11, 4601, "/start").await;
    let fresh = t.user(4601).await.expect("registered again");
    assert!(!fresh.banned);
    assert_eq!(fresh.sub_end, None);
    press(&t, 12, 4601, "trial").await;
    let fresh = t.user(4601).await.expect("user");
    assert_eq!(fresh.sub_end, None, "no second trial");
    t.stack.drain_panel_sync().await.expect("drains");
    assert!(panel.users().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ends_set_before_the_buckets_are_counted_once_by_the_next_writer_or_the_backfill() {
    let (t, _) = desk(false).await;
    let now = shared::base::clock::now();
    let day = 86_400;
    say(&t, 1, ADMIN, "/start").await;
    for (i, u) in [4901, 4902, 4903].iter().enumerate() {
        say(&t, 2 + i as i64, *u, "/start").await;
    }
    // Ends written before the buckets existed (no mark): not counted.
    t.set_sub_end(4901, now + 10 * day).await;
    t.set_sub_end(4902, now - 10 * day).await;
    t.set_sub_end(4903, now + 20 * day).await;
    assert_eq!(standing(&t, now).await, (0, 0, 0, 4));
    // A writer moving an uncounted end counts it (and takes nothing from
    // the day it was never counted on).
    press(&t, 10, ADMIN, &format!("adm:d:4903:7:{}", now + 20 * day)).await;
    assert_eq!(
        t.user(4903).await.expect("user").sub_end,
        Some(now + 27 * day)
    );
    assert_eq!(standing(&t, now).await, (1, 0, 0, 4));
    // The backfill counts the other two; run again, it counts nobody.
    let store = &t.stack.app.store;
    let first = store.backfill_ends().await.expect("backfill");
    assert_eq!((first.found, first.counted), (2, 2));
    assert_eq!(standing(&t, now).await, (2, 0, 1, 4));
    let second = store.backfill_ends().await.expect("backfill");
    assert_eq!((second.found, second.counted), (0, 0));
    assert_eq!(standing(&t, now).await, (2, 0, 1, 4));
    // Counted ends move as before: 3 days off 4901.
    press(
        &t,
        11,
        ADMIN,
        &format!("adm:dok:4901:-3:{}", now + 10 * day),
    )
    .await;
    assert_eq!(
        t.user(4901).await.expect("user").sub_end,
        Some(now + 7 * day)
    );
    assert_eq!(standing(&t, now).await, (2, 0, 1, 4));
    assert_eq!(standing(&t, now + 15 * day).await, (1, 0, 2, 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_refund_is_audited_once_per_order_whatever_the_presses() {
    let (t, _) = desk(false).await;
    let app = &t.stack.app;
    // Two presses that both got YooKassa's one refund record it twice.
    let (a, b) = tokio::join!(
        shared::domains::admin::users::record_refund(app, TelegramId(ADMIN), "ord-once"),
        shared::domains::admin::users::record_refund(app, TelegramId(ADMIN), "ord-once"),
    );
    a.expect("first");
    b.expect("second");
    shared::domains::admin::users::record_refund(app, TelegramId(ADMIN), "ord-other")
        .await
        .expect("another order");
    let audit = app
        .store
        .audit_page(None, None, 100)
        .await
        .expect("audit")
        .0;
    let refunds: Vec<&str> = audit
        .iter()
        .filter(|a| a.action == "refund")
        .map(|a| a.detail.as_str())
        .collect();
    assert_eq!(refunds.len(), 2, "{refunds:?}");
    assert!(refunds.contains(&"ord-once") && refunds.contains(&"ord-other"));
}
