//! The main screens, user and admin, in both languages, rendered from a
//! fixed state and compared with the reviewed snapshots in
//! `tests/snapshots/`: a change to any text shows in review as a change to
//! those files. `UPDATE_SNAPSHOTS=1` rewrites them after a deliberate
//! change (then read the diff).
//!
//! What differs from run to run (today's dates, the referral code, order
//! ids) is replaced by a placeholder before comparing.
//!
//! Beside them, the flows that forgive and tell: a refused amount asked
//! again, the card showing where a change is taking the panel, and the
//! subscriber's notices switched off by the operator.

use e2e::TestStack;
use e2e::fake_providers::FakeProviders;
use e2e::shop::{referral_settings, with_extra};
use e2e::story::{buttons, last_to, mentions, press, say, start, text};
use shared::base::clock::now;
use shared::base::types::Lang;

const ADMIN: i64 = 7900;

/// A screen as a reviewer reads it: the text, then each row of buttons.
fn render(call: &e2e::fake_telegram::Call) -> String {
    let mut out = call.body["text"]
        .as_str()
        .or(call.body["caption"].as_str())
        .unwrap_or_default()
        .to_owned();
    for row in call.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let labels: Vec<String> = row
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| format!("[{}]", b["text"].as_str().unwrap_or_default()))
            .collect();
        out.push_str(&format!("\n{}", labels.join(" ")));
    }
    out
}

/// Dates of the days around now as `lang` writes them (`<date+3>` is in
/// three days), and times of the day, so a snapshot taken on another day
/// or minute compares equal; then the ids of this run.
fn normalise(lang: Lang, ids: &[String], text: String) -> String {
    let mut text = text;
    for offset in (-2..=400).rev() {
        let day = shared::base::format::date(lang, now() + offset * 86_400);
        text = text.replace(&day, &format!("<date{offset:+}>"));
    }
    for id in ids {
        text = text.replace(id.as_str(), "<id>");
    }
    let chars: Vec<char> = text.chars().collect();
    let is_time = |w: &[char]| {
        w.len() == 5
            && w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == ':'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if is_time(&chars[i..(i + 5).min(chars.len())]) {
            out.push_str("<hh:mm>");
            i += 5;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

async fn screens(t: &TestStack, lang: &str, user: i64, base: i64) -> String {
    let l = if lang == "ru" { Lang::Ru } else { Lang::En };
    let mut shots: Vec<(String, String)> = Vec::new();
    let snap = |name: &str, shots: &mut Vec<(String, String)>, chat: i64| {
        shots.push((name.to_owned(), render(&last_to(t, chat))));
    };
    start(t, base, user, "Ann", lang).await;
    snap("start", &mut shots, user);
    press(t, base + 1, user, "sub").await;
    snap("subscription, none yet", &mut shots, user);
    press(t, base + 2, user, "trial").await;
    snap("trial taken", &mut shots, user);
    press(t, base + 3, user, "sub").await;
    snap("subscription on trial", &mut shots, user);
    // "Renew" on the subscription screen opens plans whose Back returns
    // to the subscription, not the menu.
    assert!(buttons(&last_to(t, user)).contains(&"buy:sub".to_owned()));
    press(t, base + 30, user, "buy:sub").await;
    assert_eq!(
        buttons(&last_to(t, user)).last().map(String::as_str),
        Some("sub")
    );
    press(t, base + 4, user, "buy").await;
    snap("plans", &mut shots, user);
    press(t, base + 5, user, "topup").await;
    snap("top up", &mut shots, user);
    assert_eq!(
        buttons(&last_to(t, user)).last().map(String::as_str),
        Some("profile"),
        "top-ups are reached from the profile"
    );
    press(t, base + 6, user, "ref").await;
    snap("referrals", &mut shots, user);
    press(t, base + 7, user, "profile").await;
    snap("profile", &mut shots, user);
    say(t, base + 8, user, "Ann", lang, "/help").await;
    snap("help", &mut shots, user);
    say(t, base + 9, user, "Ann", lang, "what is this?").await;
    snap("free text", &mut shots, user);

    // The admin, in the same language.
    start(t, base + 20, ADMIN, "Boss", lang).await;
    // The admin registered in the first run's language: now this one.
    t.set_user_attr(
        ADMIN,
        "lang",
        aws_sdk_dynamodb::types::AttributeValue::S(lang.into()),
    )
    .await;
    say(t, base + 21, ADMIN, "Boss", lang, "/admin").await;
    snap("admin menu", &mut shots, ADMIN);
    say(t, base + 22, ADMIN, "Boss", lang, "/stats").await;
    snap("admin stats", &mut shots, ADMIN);
    say(t, base + 23, ADMIN, "Boss", lang, &format!("/user {user}")).await;
    snap("admin user card", &mut shots, ADMIN);
    let end = t.user(user).await.expect("user").sub_end.expect("trial");
    press(t, base + 24, ADMIN, &format!("adm:d:{user}:-1:{end}")).await;
    snap("admin take a day: asks", &mut shots, ADMIN);
    press(t, base + 25, ADMIN, &format!("adm:ban:{user}")).await;
    snap("admin ban: asks", &mut shots, ADMIN);
    press(t, base + 26, ADMIN, &format!("adm:d:{user}:7:{end}")).await;
    snap("admin +7 days", &mut shots, ADMIN);
    say(t, base + 27, ADMIN, "Boss", lang, "/payments").await;
    snap("admin payments", &mut shots, ADMIN);
    press(t, base + 28, ADMIN, &format!("adm:ul:{user}")).await;
    snap("admin audit log of the user", &mut shots, ADMIN);

    let codes = vec![
        t.user(user).await.expect("user").ref_code,
        t.user(ADMIN).await.expect("admin").ref_code,
        user.to_string(),
    ];
    let mut out = String::new();
    for (name, text) in shots {
        out.push_str(&format!("===== {name}\n{}\n\n", normalise(l, &codes, text)));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_screens_read_as_reviewed() {
    let providers = FakeProviders::start().await;
    let mut settings = e2e::shop::shop_settings(&providers);
    settings.extend(referral_settings());
    settings.push(("ADMIN_IDS", ADMIN.to_string()));
    settings.push(("TRIAL_ENABLED", "true".into()));
    settings.push(("TRIAL_DURATION_DAYS", "3".into()));
    let t = TestStack::start(&with_extra(&settings, &[])).await;
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (lang, user, base) in [("ru", 7101, 100), ("en", 7102, 200)] {
        let got = screens(&t, lang, user, base).await;
        let path = format!(
            "{}/snapshots/screens-{lang}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        if update {
            std::fs::write(&path, &got).expect("writes the snapshot");
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != got {
            std::fs::write(format!("{path}.new"), &got).expect("writes the new screens");
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "screens changed: compare {stale:?} with their .new files; if the change is meant, run with UPDATE_SNAPSHOTS=1 and commit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_top_up_amount_is_asked_again_until_a_valid_one_or_a_cancel() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[]).await;
    let user = 7201;
    start(&t, 1, user, "Ann", "en").await;
    press(&t, 2, user, "tcustom").await;
    assert_eq!(
        buttons(&last_to(&t, user)),
        vec!["topup".to_owned()],
        "a cancel"
    );
    // Too little, then not a number: asked again each time, with the cancel.
    for (i, refused) in ["5", "a lot"].iter().enumerate() {
        say(&t, 3 + i as i64, user, "Ann", "en", refused).await;
        let again = last_to(&t, user);
        assert!(
            text(&again).starts_with("That is not an amount"),
            "{}",
            text(&again)
        );
        assert_eq!(buttons(&again), vec!["topup".to_owned()]);
    }
    say(&t, 5, user, "Ann", "en", "500").await;
    assert!(text(&last_to(&t, user)).starts_with("Top up by <b>500 ₽</b>"));
    // Cancelled: the next number is no longer an amount.
    press(&t, 6, user, "tcustom").await;
    press(&t, 7, user, "topup").await;
    say(&t, 8, user, "Ann", "en", "300").await;
    assert!(
        text(&last_to(&t, user)).starts_with("ℹ️ <b>How can I help?</b>"),
        "{}",
        text(&last_to(&t, user))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_after_a_ban_shows_the_panel_being_switched_off() {
    let admin = ADMIN.to_string();
    let (t, _panel) =
        TestStack::start_with_panel(&[("ADMIN_IDS", admin.as_str()), ("TRIAL_ENABLED", "true")])
            .await;
    let user = 7301;
    start(&t, 1, user, "Ann", "en").await;
    start(&t, 2, ADMIN, "Boss", "en").await;
    press(&t, 3, user, "trial").await;
    t.stack.drain_panel_sync().await.expect("sync");
    say(&t, 4, ADMIN, "Boss", "en", &format!("/user {user}")).await;
    assert!(
        text(&last_to(&t, ADMIN)).contains("panel: active"),
        "{}",
        text(&last_to(&t, ADMIN))
    );
    press(&t, 5, ADMIN, &format!("adm:banok:{user}")).await;
    let card = text(&last_to(&t, ADMIN));
    assert!(card.contains("panel: being switched off"), "{card}");
    t.stack.drain_panel_sync().await.expect("sync");
    say(&t, 6, ADMIN, "Boss", "en", &format!("/user {user}")).await;
    assert!(
        text(&last_to(&t, ADMIN)).contains("panel: disabled"),
        "{}",
        text(&last_to(&t, ADMIN))
    );
    press(&t, 7, ADMIN, &format!("adm:unban:{user}")).await;
    let card = text(&last_to(&t, ADMIN));
    assert!(card.contains("panel: being switched on"), "{card}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_can_switch_the_subscribers_notices_off() {
    let admin = ADMIN.to_string();
    let t = TestStack::start(&[
        ("ADMIN_IDS", admin.as_str()),
        ("NOTIFY_USER_ADMIN_DAYS", "false"),
        ("NOTIFY_USER_ADMIN_BALANCE", "false"),
    ])
    .await;
    let user = 7401;
    start(&t, 1, user, "Ann", "en").await;
    start(&t, 2, ADMIN, "Boss", "en").await;
    press(&t, 3, ADMIN, &format!("adm:d:{user}:7:0")).await;
    press(&t, 4, ADMIN, &format!("adm:bal:{user}")).await;
    say(&t, 5, ADMIN, "Boss", "en", "+150 sorry").await;
    assert_eq!(t.user(user).await.expect("user").balance.0, 15_000);
    assert!(t.user(user).await.expect("user").sub_end.is_some());
    t.drain_outbox().await;
    assert_eq!(mentions(&t, user, "An administrator"), 0);
}
