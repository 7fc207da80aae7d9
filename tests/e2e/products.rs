//! Products beyond months, end to end over the local stack with the fake
//! panel: extra device slots (prorated, the panel's device limit raised and
//! lowered again by a refund, renewed with the period or dropped), traffic
//! packs on a period (the panel's traffic limit, a refund, the renewal and
//! the carry-over), and traffic sale mode (packages instead of months).

use e2e::fake_panel::FakePanel;
use e2e::fake_providers::FakeProviders;
use e2e::shop::{cryptopay_settings, freekassa_settings, referral_settings, with_extra};
use e2e::signed::{Priced, cryptopay_paid, freekassa_paid, pre_checkout_query, successful_payment};
use e2e::story::{self, order, press, press_pay, press_stars, provider_ref, register};
use e2e::{TestStack, text_update};
use serde_json::Value;
use shared::adapters::pay::OrderId;
use shared::adapters::store::credit::TRAFFIC_MODE_END;
use shared::base::clock::now;
use shared::base::money::{Kopecks, Money};
use shared::domains::money::orders::{OrderStatus, Purchase};

const GB: u64 = 1 << 30;
const ADMIN: i64 = 9900;
const DAY: i64 = 86_400;

/// A shop with the panel (three devices included, 100 GB a month), Crypto
/// Pay, FreeKassa and Stars, and `extra` settings.
async fn shop(p: &FakeProviders, extra: &[(&str, &str)]) -> (TestStack, FakePanel) {
    let mut settings = vec![
        ("RUB_PRICE_1_MONTH", "199".to_owned()),
        ("STARS_ENABLED", "true".to_owned()),
        ("STARS_PRICE_1_MONTH", "150".to_owned()),
        ("RATE_LIMIT_ENABLED", "false".to_owned()),
        ("ADMIN_IDS", ADMIN.to_string()),
    ];
    settings.extend(cryptopay_settings(p));
    settings.extend(freekassa_settings());
    TestStack::start_with_panel(&with_extra(&settings, extra)).await
}

/// `user` buys a month with Crypto Pay (199 ₽); the panel is synced.
async fn buy_month(t: &TestStack, p: &FakeProviders, user: i64, base: i64) -> OrderId {
    let id = press_pay(t, p, user, "pay:1m:cryptopay", base).await;
    let invoice: u64 = provider_ref(t, &id).await.parse().expect("numeric");
    let paid = cryptopay_paid(&id.0, invoice, Priced::Fiat("RUB"), "199.00", base as u64);
    paid.post_ok(t).await;
    t.stack.drain_panel_sync().await.expect("sync");
    id
}

/// Pays Stars order `id` of `user` for `stars`, twice (Telegram delivering
/// the same payment again).
async fn pay_stars(t: &TestStack, user: i64, id: &OrderId, stars: u64, base: i64) {
    assert_eq!(
        t.update(&pre_checkout_query(base, user, &id.0, stars))
            .await,
        200
    );
    let charge = format!("charge-{}", id.0);
    for u in [base + 1, base + 2] {
        assert_eq!(
            t.update(&successful_payment(u, user, &id.0, stars, &charge))
                .await,
            200
        );
    }
    t.stack.drain_panel_sync().await.expect("sync");
}

/// The panel's user of `user`.
fn panel_user(panel: &FakePanel, user: i64) -> Value {
    panel
        .users()
        .into_iter()
        .find(|u| u["telegramId"] == user)
        .expect("a panel user")
}

fn device_limit(panel: &FakePanel, user: i64) -> i64 {
    panel_user(panel, user)["hwidDeviceLimit"]
        .as_i64()
        .expect("a device limit")
}

fn traffic_limit(panel: &FakePanel, user: i64) -> u64 {
    panel_user(panel, user)["trafficLimitBytes"]
        .as_u64()
        .expect("a traffic limit")
}

/// The admin refunds Stars order `id` with `/refund`.
async fn admin_refund(t: &TestStack, id: &OrderId, update_id: i64) {
    assert_eq!(
        t.update(&text_update(
            update_id,
            ADMIN,
            "Admin",
            "en",
            &format!("/refund {}", id.0)
        ))
        .await,
        200
    );
    t.stack.drain_panel_sync().await.expect("sync");
}

fn screen(t: &TestStack) -> String {
    story::text(&story::last_screen(t))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_devices_are_prorated_raise_the_panel_limit_and_a_refund_lowers_it() {
    let p = FakeProviders::start().await;
    let (t, panel) = shop(
        &p,
        &[
            ("PRICE_PER_DEVICE", "10000"),
            ("STARS_PRICE_PER_DEVICE", "60"),
            ("MAX_DEVICES_LIMIT", "6"),
        ],
    )
    .await;
    let user = 5101;
    register(&t, 1, user, "ru").await;
    // Without a paid subscription there is nothing to add devices to.
    press(&t, 2, user, "pay:d1:cryptopay").await;
    assert!(t.telegram.calls_of("answerCallbackQuery").iter().any(|c| {
        c.body["text"]
            .as_str()
            .unwrap_or_default()
            .contains("действующей платной подписке")
    }));
    assert!(p.requests().is_empty(), "no invoice made");

    buy_month(&t, &p, user, 10).await;
    assert_eq!(device_limit(&panel, user), 3);

    // The subscription screen offers devices; the screen explains the price.
    press(&t, 20, user, "sub").await;
    assert!(story::buttons(&story::last_screen(&t)).contains(&"moredev".to_owned()));
    press(&t, 21, user, "moredev").await;
    let buttons = story::buttons(&story::last_screen(&t));
    assert_eq!(
        buttons,
        vec!["plan:d1", "plan:d2", "plan:d3", "sub"],
        "three more allowed up to six"
    );
    press(&t, 22, user, "plan:d2").await;
    let text = screen(&t);
    assert!(
        text.contains("2 × 100 ₽ × 30 дн. / 30 дн. = <b>200 ₽</b>"),
        "{text}"
    );
    assert!(
        text.contains("2 × 60 ⭐ × 30 дн. / 30 дн. = <b>120 ⭐</b>"),
        "{text}"
    );

    // Paid with Crypto Pay, delivered three times, two of them at once.
    let id = press_pay(&t, &p, user, "pay:d2:cryptopay", 23).await;
    let o = order(&t, &id).await;
    assert_eq!(o.purchase, Purchase::Devices(2));
    assert_eq!(o.amount, Money::rub(Kopecks(20_000)));
    let invoice: u64 = provider_ref(&t, &id).await.parse().expect("numeric");
    let paid = cryptopay_paid(&id.0, invoice, Priced::Fiat("RUB"), "200.00", 24);
    let (a, b) = tokio::join!(paid.post(&t), paid.post(&t));
    assert_eq!((a.0, b.0), (200, 200));
    paid.post_ok(&t).await;
    t.stack.drain_panel_sync().await.expect("sync");
    assert_eq!(t.user(user).await.expect("u").extra_devices, 2);
    assert_eq!(
        device_limit(&panel, user),
        5,
        "three included and two bought"
    );
    assert_eq!(
        story::ledger_kinds(&t, user)
            .await
            .iter()
            .filter(|k| *k == "devices")
            .count(),
        1
    );
    t.drain_outbox().await;
    assert_eq!(
        story::told(&t, user, "✅ Оплата получена! Добавлено устройств: 2"),
        1
    );

    // Over the maximum: refused before any order is made.
    let before = p.requests().len();
    press(&t, 30, user, "pay:d2:cryptopay").await;
    assert_eq!(p.requests().len(), before);

    // One more with Stars (prorated: 60 ⭐ for the days left), then its refund.
    let stars_id = press_stars(&t, user, "pay:d1:stars", 31).await;
    let stars = order(&t, &stars_id)
        .await
        .amount
        .as_stars()
        .expect("stars")
        .0;
    assert!((59..=60).contains(&stars), "{stars}");
    pay_stars(&t, user, &stars_id, u64::from(stars), 32).await;
    assert_eq!(device_limit(&panel, user), 6);
    admin_refund(&t, &stars_id, 40).await;
    assert_eq!(order(&t, &stars_id).await.status, OrderStatus::Refunded);
    assert_eq!(t.user(user).await.expect("u").extra_devices, 2);
    assert_eq!(
        device_limit(&panel, user),
        5,
        "the refund takes the slot back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_renews_the_extra_devices_in_its_price_or_drops_them() {
    for (renew, price, limit) in [("true", "299.00", 4), ("false", "199.00", 3)] {
        let p = FakeProviders::start().await;
        let (t, panel) = shop(
            &p,
            &[
                ("PRICE_PER_DEVICE", "10000"),
                ("EXTRA_DEVICES_RENEW", renew),
            ],
        )
        .await;
        let user = 5201;
        register(&t, 1, user, "en").await;
        buy_month(&t, &p, user, 10).await;
        let id = press_pay(&t, &p, user, "pay:d1:cryptopay", 20).await;
        let invoice: u64 = provider_ref(&t, &id).await.parse().expect("numeric");
        cryptopay_paid(&id.0, invoice, Priced::Fiat("RUB"), "100.00", 21)
            .post_ok(&t)
            .await;
        t.stack.drain_panel_sync().await.expect("sync");
        assert_eq!(device_limit(&panel, user), 4);

        // The renewal's payment screen says what becomes of the slot.
        press(&t, 30, user, "plan:1m").await;
        let text = screen(&t);
        if renew == "true" {
            assert!(
                text.contains("299 ₽") && text.contains("renew with the period"),
                "{text}"
            );
        } else {
            assert!(
                text.contains("199 ₽") && text.contains("do not carry"),
                "{text}"
            );
        }
        let renewal = press_pay(&t, &p, user, "pay:1m:cryptopay", 31).await;
        let invoice: u64 = provider_ref(&t, &renewal).await.parse().expect("numeric");
        cryptopay_paid(&renewal.0, invoice, Priced::Fiat("RUB"), price, 32)
            .post_ok(&t)
            .await;
        t.stack.drain_panel_sync().await.expect("sync");
        assert_eq!(order(&t, &renewal).await.status, OrderStatus::Paid);
        let after = t.user(user).await.expect("u");
        assert!(after.sub_end.expect("end") > now() + 55 * DAY);
        assert_eq!(
            device_limit(&panel, user),
            limit,
            "EXTRA_DEVICES_RENEW={renew}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_packs_add_to_the_period_and_leave_with_it_or_a_refund() {
    let p = FakeProviders::start().await;
    let (t, panel) = shop(
        &p,
        &[
            ("TRAFFIC_TOPUP_PACKAGES", "10:99,0.5:15,bad"),
            ("STARS_TRAFFIC_TOPUP_PACKAGES", "10:70"),
        ],
    )
    .await;
    let user = 5301;
    register(&t, 1, user, "en").await;
    buy_month(&t, &p, user, 10).await;
    assert_eq!(traffic_limit(&panel, user), 100 * GB);

    press(&t, 20, user, "moregb").await;
    let buttons = story::buttons(&story::last_screen(&t));
    assert_eq!(
        buttons,
        vec![
            format!("plan:g{}", 10 * GB),
            format!("plan:g{}", GB / 2),
            "sub".to_owned()
        ]
    );
    // A size not on the list cannot be bought.
    let before = p.requests().len();
    press(&t, 21, user, &format!("pay:g{}:cryptopay", 7 * GB)).await;
    assert_eq!(p.requests().len(), before);

    let id = press_stars(&t, user, &format!("pay:g{}:stars", 10 * GB), 30).await;
    assert_eq!(order(&t, &id).await.purchase, Purchase::Traffic(10 * GB));
    pay_stars(&t, user, &id, 70, 31).await;
    assert_eq!(t.user(user).await.expect("u").packs, 10 * GB);
    assert_eq!(traffic_limit(&panel, user), 110 * GB);
    press(&t, 35, user, "sub").await;
    assert!(screen(&t).contains("from packs: +10 GB"), "{}", screen(&t));

    admin_refund(&t, &id, 40).await;
    assert_eq!(t.user(user).await.expect("u").packs, 0);
    assert_eq!(traffic_limit(&panel, user), 100 * GB);

    // Packs last for their period: a renewal starts without them.
    let half = press_pay(&t, &p, user, &format!("pay:g{}:freekassa", GB / 2), 50).await;
    freekassa_paid("15", &half.0, "fk-half-1").post_ok(&t).await;
    t.stack.drain_panel_sync().await.expect("sync");
    assert_eq!(traffic_limit(&panel, user), 100 * GB + GB / 2);
    buy_month(&t, &p, user, 60).await;
    let after = t.user(user).await.expect("u");
    assert_eq!((after.packs, after.old_packs), (0, 0));
    assert_eq!(traffic_limit(&panel, user), 100 * GB);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unused_pack_traffic_carries_over_one_renewal() {
    let p = FakeProviders::start().await;
    let (t, panel) = shop(
        &p,
        &[
            ("TRAFFIC_TOPUP_PACKAGES", "10:99"),
            ("TRAFFIC_TOPUP_CARRY_OVER", "true"),
        ],
    )
    .await;
    let user = 5401;
    register(&t, 1, user, "en").await;
    buy_month(&t, &p, user, 10).await;
    let id = press_pay(&t, &p, user, &format!("pay:g{}:freekassa", 10 * GB), 20).await;
    freekassa_paid("99", &id.0, "fk-pack-1").post_ok(&t).await;
    t.stack.drain_panel_sync().await.expect("sync");
    assert_eq!(traffic_limit(&panel, user), 110 * GB);

    // 104 GB used of 110: 6 GB of the pack are left, and carried over.
    let panel_id = panel_user(&panel, user)["id"].as_i64().expect("id");
    panel.set_used_traffic(panel_id, 104 * GB);
    t.stack.drain_panel_sync().await.expect("sync");
    shared::domains::access::sync::sync_user(
        &t.stack.app,
        shared::base::types::TelegramId(user),
        now(),
    )
    .await
    .expect("synced");
    buy_month(&t, &p, user, 30).await;
    let after = t.user(user).await.expect("u");
    assert_eq!((after.packs, after.old_packs), (0, 6 * GB));
    assert_eq!(traffic_limit(&panel, user), 106 * GB);

    // Only one renewal: the next one drops what was carried.
    buy_month(&t, &p, user, 40).await;
    let after = t.user(user).await.expect("u");
    assert_eq!((after.packs, after.old_packs), (0, 0));
    assert_eq!(traffic_limit(&panel, user), 100 * GB);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_sale_mode_sells_packages_instead_of_months() {
    let p = FakeProviders::start().await;
    let mut extra = vec![
        ("TRAFFIC_PACKAGES", "10:199,50:799"),
        ("STARS_TRAFFIC_PACKAGES", "10:150"),
    ];
    let referral: Vec<(&str, String)> = referral_settings();
    let referral: Vec<(&str, &str)> = referral.iter().map(|(k, v)| (*k, v.as_str())).collect();
    extra.extend(referral);
    let (t, panel) = shop(&p, &extra).await;
    let (inviter, user) = (5501, 5502);
    story::inviter_and_buyer(&t, inviter, user, 1).await;

    press(&t, 10, user, "buy").await;
    let buttons = story::buttons(&story::last_screen(&t));
    assert_eq!(
        buttons,
        vec![
            format!("plan:g{}", 10 * GB),
            format!("plan:g{}", 50 * GB),
            "menu".to_owned()
        ],
        "packages, no months"
    );
    // Months are not sold in this mode, whatever the button says.
    let before = p.requests().len();
    press(&t, 11, user, "pay:1m:cryptopay").await;
    assert_eq!(p.requests().len(), before);

    let id = press_pay(&t, &p, user, &format!("pay:g{}:freekassa", 10 * GB), 20).await;
    freekassa_paid("199", &id.0, "fk-tm-1").post_ok(&t).await;
    freekassa_paid("199", &id.0, "fk-tm-1").post_ok(&t).await;
    t.stack.drain_panel_sync().await.expect("sync");
    let u = t.user(user).await.expect("u");
    assert_eq!(u.sub_end, Some(TRAFFIC_MODE_END), "no end by date");
    assert_eq!(u.packs, 10 * GB);
    // A package is this shop's plan: its buyer is a paying customer.
    let st = shared::domains::admin::stats::load(&t.stack.app, now())
        .await
        .expect("stats")
        .standing;
    assert_eq!(
        (st.users, st.paid),
        (2, 1),
        "the buyer is no longer never-paid"
    );
    let account = panel_user(&panel, user);
    assert_eq!(account["trafficLimitBytes"].as_u64(), Some(10 * GB));
    assert_eq!(account["trafficLimitStrategy"], "NO_RESET");
    // No referral bonus for traffic: the inviter's end did not move.
    t.drain_jobs().await;
    assert_eq!(t.user(inviter).await.expect("i").sub_end, None);

    let more = press_stars(&t, user, &format!("pay:g{}:stars", 10 * GB), 30).await;
    pay_stars(&t, user, &more, 150, 31).await;
    assert_eq!(traffic_limit(&panel, user), 20 * GB);
    press(&t, 40, user, "hist").await;
    assert!(screen(&t).contains("10 ГБ трафика"), "{}", screen(&t));

    // Refunding every package ends the subscription (a limit of 0 would be
    // unlimited on the panel).
    admin_refund(&t, &more, 50).await;
    assert_eq!(traffic_limit(&panel, user), 10 * GB);
    assert_eq!(
        t.user(user).await.expect("u").sub_end,
        Some(TRAFFIC_MODE_END)
    );
    shared::domains::money::refunds::refund(&t.stack.app, &id, "test")
        .await
        .expect("refunded");
    let u = t.user(user).await.expect("u");
    assert_eq!(u.packs, 0);
    assert!(u.sub_end.expect("end") <= now());
}
