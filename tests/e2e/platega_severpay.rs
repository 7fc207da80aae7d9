//! Buying through Platega and SeverPay, end to end, against fakes of their
//! APIs: the bot creates the transaction, the provider's notification
//! arrives at our route, and only what the provider's API reports when
//! asked back can credit. Paid once under concurrent and repeated
//! deliveries; forged, unconfirmed, mismatched and unknown payments change
//! nothing; an outage at the re-fetch is retried, not lost.

use e2e::fake_platega::FakePlatega;
use e2e::fake_providers::FakeProviders;
use e2e::fake_severpay::{self, FakeSeverPay};
use e2e::shop::{Settings, platega_settings, severpay_settings, shop_settings, with_extra};
use e2e::signed::{Webhook, platega, severpay, severpay_signed_with};
use e2e::story::{ledger, mentions, order, press, provider_ref};
use e2e::{TestStack, text_update};
use serde_json::{Value, json};
use shared::adapters::pay::OrderId;
use shared::domains::money::orders::OrderStatus;
use shared::domains::schedule::stuck::{Recheck, recheck};

const DAY: i64 = 86_400;
const LOG_CHAT: i64 = e2e::shop::SHOP_LOG_CHAT;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Prov {
    Platega,
    Severpay,
}

use Prov::{Platega, Severpay};

impl Prov {
    fn slug(self) -> &'static str {
        match self {
            Platega => "platega",
            Severpay => "severpay",
        }
    }
}

struct Shop {
    t: TestStack,
    platega: FakePlatega,
    severpay: FakeSeverPay,
    _providers: FakeProviders,
}

async fn shop(extra: &[(&str, &str)]) -> Shop {
    let providers = FakeProviders::start().await;
    let platega = FakePlatega::start().await;
    let severpay = FakeSeverPay::start().await;
    let mut settings: Settings = shop_settings(&providers);
    settings.extend(platega_settings(&platega));
    settings.extend(severpay_settings(&severpay));
    let t = TestStack::start(&with_extra(&settings, extra)).await;
    Shop {
        t,
        platega,
        severpay,
        _providers: providers,
    }
}

fn days_left(end: Option<i64>) -> i64 {
    end.map_or(0, |end| (end - shared::base::clock::now() + 3600) / DAY)
}

async fn days(s: &Shop, user: i64) -> i64 {
    days_left(s.t.user(user).await.and_then(|u| u.sub_end))
}

/// `user` (registered) presses the provider's 1-month button; our order and
/// the provider's id for it.
async fn buy(s: &Shop, user: i64, p: Prov, update_id: i64) -> (OrderId, String) {
    press(&s.t, update_id, user, &format!("pay:1m:{}", p.slug())).await;
    let order = match p {
        Platega => s.platega.requests().last().expect("created").body["payload"].clone(),
        Severpay => s.severpay.requests().last().expect("created").body["order_id"].clone(),
    };
    let order = OrderId(order.as_str().expect("our order id").to_owned());
    let id = provider_ref(&s.t, &order).await;
    (order, id)
}

/// The provider's API now says paid.
fn mark_paid(s: &Shop, p: Prov, id: &str) {
    match p {
        Platega => s.platega.set_status(id, "CONFIRMED"),
        Severpay => s.severpay.set_status(id, "success"),
    }
}

/// The provider's notification that `id` (of `order`) was paid 199 ₽.
fn paid_notice(p: Prov, id: &str, order: &OrderId) -> Webhook {
    match p {
        Platega => platega(id, "CONFIRMED", 199.0, &order.0),
        Severpay => severpay(json!({
            "id": id.parse::<u64>().expect("numeric id"),
            "order_id": order.0,
            "amount": 199.0,
            "currency": "RUB",
            "status": "success",
        })),
    }
}

async fn register(s: &Shop, user: i64) {
    assert_eq!(
        s.t.update(&text_update(1, user, "Vera", "en", "/start"))
            .await,
        200
    );
}

async fn status(s: &Shop, o: &OrderId) -> OrderStatus {
    order(&s.t, o).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_pays_through_platega_and_severpay_once_each() {
    let s = shop(&[]).await;
    let user = 7101;
    register(&s, user).await;
    press(&s.t, 5, user, "plan:1m").await;
    let shown = e2e::story::buttons(&e2e::story::last_screen(&s.t));
    for p in [Platega, Severpay] {
        assert!(
            shown.iter().any(|b| b == &format!("pay:1m:{}", p.slug())),
            "{shown:?}"
        );
    }
    let mut expected = 0;
    for (i, p) in [Platega, Severpay].into_iter().enumerate() {
        let (order_id, id) = buy(&s, user, p, 10 + i as i64).await;
        // What we sent is what the provider documents.
        match p {
            Platega => {
                let sent = s.platega.requests().last().cloned().expect("sent");
                assert_eq!(
                    sent.header("x-merchantid"),
                    Some(e2e::fake_platega::MERCHANT_ID)
                );
                assert_eq!(sent.body["paymentMethod"], 2);
                assert_eq!(
                    sent.body["paymentDetails"],
                    json!({"amount": 199, "currency": "RUB"})
                );
                assert_eq!(sent.body["return"], "https://t.me/test_shop_bot");
            }
            Severpay => {
                let sent = s.severpay.requests().last().cloned().expect("sent");
                assert_eq!(sent.body["amount"], "199.00");
                assert_eq!(sent.body["client_id"], user.to_string());
                assert_eq!(sent.body["lifetime"], 60);
                let text = String::from_utf8(sent.raw.clone()).expect("utf-8");
                assert!(
                    text.ends_with(&format!(
                        ",\"sign\":\"{}\"}}",
                        fake_severpay::sign_of(sent.body.as_object().expect("object"))
                    )),
                    "sign last: {text}"
                );
            }
        }
        mark_paid(&s, p, &id);
        let notice = paid_notice(p, &id, &order_id);
        let (code, body) = notice.post(&s.t).await;
        assert_eq!(code, 200, "{p:?}: {body}");
        if p == Severpay {
            assert_eq!(
                serde_json::from_str::<Value>(&body).expect("json"),
                json!({"status": true})
            );
        }
        expected += 30;
        assert_eq!(days(&s, user).await, expected, "{p:?} credited");
        assert_eq!(status(&s, &order_id).await, OrderStatus::Paid);
        // Delivered again later: harmless.
        assert_eq!(notice.post(&s.t).await.0, 200);
        assert_eq!(days(&s, user).await, expected, "{p:?} credited once");
    }
    assert_eq!(ledger(&s.t, user).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_deliveries_credit_once() {
    let s = shop(&[]).await;
    let user = 7102;
    register(&s, user).await;
    let mut expected = 0;
    for (i, p) in [Platega, Severpay].into_iter().enumerate() {
        let (order_id, id) = buy(&s, user, p, 10 + i as i64).await;
        mark_paid(&s, p, &id);
        let notice = paid_notice(p, &id, &order_id);
        let answers = futures::future::join_all((0..50).map(|_| notice.post(&s.t))).await;
        assert!(answers.iter().all(|(c, _)| *c == 200), "{p:?}: {answers:?}");
        expected += 30;
        assert_eq!(days(&s, user).await, expected, "{p:?} credited once");
    }
    assert_eq!(ledger(&s.t, user).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_notifications_change_nothing() {
    let s = shop(&[]).await;
    let user = 7103;
    register(&s, user).await;
    let (pl_order, pl_id) = buy(&s, user, Platega, 10).await;
    let (sp_order, sp_id) = buy(&s, user, Severpay, 11).await;
    mark_paid(&s, Platega, &pl_id);
    mark_paid(&s, Severpay, &sp_id);
    let asked_before = (s.platega.requests().len(), s.severpay.requests().len());

    // Platega: the headers are the only proof.
    let good = paid_notice(Platega, &pl_id, &pl_order);
    assert_eq!(good.clone().unsigned().post(&s.t).await.0, 401);
    let wrong_secret = good.clone().header("X-Secret", "guess");
    assert_eq!(wrong_secret.post(&s.t).await.0, 401);
    let other_merchant = good.clone().header("X-MerchantId", "someone-else");
    assert_eq!(other_merchant.post(&s.t).await.0, 401);
    let no_secret = good
        .clone()
        .unsigned()
        .header("X-MerchantId", e2e::fake_platega::MERCHANT_ID);
    assert_eq!(no_secret.post(&s.t).await.0, 401);
    assert_eq!(
        good.clone()
            .with_body(b"not json".to_vec())
            .post(&s.t)
            .await
            .0,
        400
    );

    // SeverPay: another shop's token, a tampered body, no sign, junk.
    let data = json!({"id": sp_id.parse::<u64>().expect("n"), "order_id": sp_order.0,
        "amount": 199.0, "currency": "RUB", "status": "success"});
    let other = severpay_signed_with(data.clone(), "another-shop-token");
    assert_eq!(other.post(&s.t).await.0, 401);
    let signed = severpay(data);
    let tampered = String::from_utf8(signed.body.clone())
        .expect("utf-8")
        .replace("199.0", "1.0");
    assert_eq!(
        signed
            .clone()
            .with_body(tampered.into_bytes())
            .post(&s.t)
            .await
            .0,
        401
    );
    let text = String::from_utf8(signed.body.clone()).expect("utf-8");
    let unsigned = format!("{}}}", &text[..text.find(",\"sign\"").expect("sign")]);
    assert_eq!(
        signed
            .clone()
            .with_body(unsigned.into_bytes())
            .post(&s.t)
            .await
            .0,
        401
    );
    assert_eq!(signed.with_body(b"[1,2]".to_vec()).post(&s.t).await.0, 400);

    assert_eq!(
        (s.platega.requests().len(), s.severpay.requests().len()),
        asked_before,
        "no forgery reached the providers' APIs"
    );
    // Authentic headers, but a transaction Platega does not know.
    let unknown = platega(
        "0b7e0a4c-0000-4000-8000-000000000000",
        "CONFIRMED",
        199.0,
        &pl_order.0,
    );
    assert_eq!(unknown.post(&s.t).await.0, 401);

    assert_eq!(days(&s, user).await, 0, "nothing credited by any of it");
    for o in [&pl_order, &sp_order] {
        assert_eq!(status(&s, o).await, OrderStatus::Pending);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn said_paid_while_the_api_says_pending_credits_nothing_and_is_delivered_again() {
    let s = shop(&[]).await;
    let user = 7104;
    register(&s, user).await;
    let mut expected = 0;
    for (i, p) in [Platega, Severpay].into_iter().enumerate() {
        let (order_id, id) = buy(&s, user, p, 10 + i as i64).await;
        let notice = paid_notice(p, &id, &order_id);
        // The API still says pending: not credited, and the provider is
        // told to deliver again (non-2xx).
        assert_eq!(notice.post(&s.t).await.0, 503, "{p:?}");
        assert_eq!(days(&s, user).await, expected);
        assert_eq!(status(&s, &order_id).await, OrderStatus::Pending);
        // The re-delivery after the API caught up credits.
        mark_paid(&s, p, &id);
        assert_eq!(notice.post(&s.t).await.0, 200, "{p:?}");
        expected += 30;
        assert_eq!(days(&s, user).await, expected, "{p:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_at_the_refetch_is_retried_not_lost() {
    let s = shop(&[]).await;
    let user = 7105;
    register(&s, user).await;
    let mut expected = 0;
    for (i, p) in [Platega, Severpay].into_iter().enumerate() {
        let (order_id, id) = buy(&s, user, p, 10 + i as i64).await;
        mark_paid(&s, p, &id);
        let notice = paid_notice(p, &id, &order_id);
        for (code, body) in [
            (502, json!({"message": "bad gateway"})),
            (
                401,
                json!({"status": false, "msg": "our credentials refused"}),
            ),
        ] {
            match p {
                Platega => s.platega.fail_next(code, body),
                Severpay => s.severpay.fail_next(code, body),
            }
            assert_eq!(notice.post(&s.t).await.0, 503, "{p:?} {code}");
            assert_eq!(days(&s, user).await, expected);
        }
        assert_eq!(notice.post(&s.t).await.0, 200, "{p:?}");
        expected += 30;
        assert_eq!(
            days(&s, user).await,
            expected,
            "{p:?} credited on the retry"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_amount_currency_or_order_is_not_credited_but_flagged() {
    let s = shop(&[]).await;
    let user = 7106;
    register(&s, user).await;
    let mut update_id = 10;
    let mut flagged = 0;
    for p in [Platega, Severpay] {
        for change in ["amount", "currency", "order"] {
            let (order_id, id) = buy(&s, user, p, update_id).await;
            update_id += 1;
            mark_paid(&s, p, &id);
            let stranger = "feedfacefeedfacefeedfacefeedface";
            match (p, change) {
                (Platega, "amount") => s
                    .platega
                    .update(&id, |t| t["paymentDetails"]["amount"] = json!(1.0)),
                (Platega, "currency") => s
                    .platega
                    .update(&id, |t| t["paymentDetails"]["currency"] = json!("USD")),
                (Platega, _) => s.platega.update(&id, |t| t["payload"] = json!(stranger)),
                (Severpay, "amount") => s.severpay.update(&id, |t| t["amount"] = json!(1.0)),
                (Severpay, "currency") => s.severpay.update(&id, |t| t["currency"] = json!("USD")),
                (Severpay, _) => s.severpay.update(&id, |t| t["order_id"] = json!(stranger)),
            }
            // The notification itself says the right things; the API decides.
            assert_eq!(
                paid_notice(p, &id, &order_id).post(&s.t).await.0,
                200,
                "{p:?} {change}"
            );
            assert_eq!(days(&s, user).await, 0, "{p:?} {change}: nothing credited");
            assert_eq!(status(&s, &order_id).await, OrderStatus::Pending);
            flagged += 1;
        }
    }
    s.t.drain_outbox().await;
    assert_eq!(mentions(&s.t, LOG_CHAT, "⚠️"), flagged, "each flagged once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canceled_payments_close_and_a_platega_chargeback_takes_the_days_back() {
    let s = shop(&[]).await;
    let user = 7107;
    register(&s, user).await;
    // Canceled / failed at the provider: the order closes.
    let (pl_order, pl_id) = buy(&s, user, Platega, 10).await;
    s.platega.set_status(&pl_id, "CANCELED");
    assert_eq!(
        platega(&pl_id, "CANCELED", 199.0, &pl_order.0)
            .post(&s.t)
            .await
            .0,
        200
    );
    assert_eq!(status(&s, &pl_order).await, OrderStatus::Canceled);
    let (sp_order, sp_id) = buy(&s, user, Severpay, 11).await;
    s.severpay.set_status(&sp_id, "fail");
    let failed = severpay(
        json!({"id": sp_id.parse::<u64>().expect("n"), "order_id": sp_order.0,
        "amount": 199.0, "currency": "RUB", "status": "fail"}),
    );
    let (code, body) = failed.post(&s.t).await;
    assert_eq!((code, body.as_str()), (200, r#"{"status":true}"#));
    assert_eq!(status(&s, &sp_order).await, OrderStatus::Canceled);

    // Paid, then charged back at Platega: the order is refunded, the days go.
    let (order_id, id) = buy(&s, user, Platega, 12).await;
    mark_paid(&s, Platega, &id);
    paid_notice(Platega, &id, &order_id).post_ok(&s.t).await;
    assert_eq!(days(&s, user).await, 30);
    s.platega.set_status(&id, "CHARGEBACKED");
    let chargeback = platega(&id, "CHARGEBACKED", 199.0, &order_id.0);
    assert_eq!(chargeback.post(&s.t).await.0, 200);
    assert_eq!(status(&s, &order_id).await, OrderStatus::Refunded);
    assert_eq!(days(&s, user).await, 0);
    // Told twice: harmless.
    assert_eq!(chargeback.post(&s.t).await.0, 200);
    assert_eq!(status(&s, &order_id).await, OrderStatus::Refunded);
    // A late "paid" for the refunded order credits nothing.
    s.platega.set_status(&id, "CONFIRMED");
    assert_eq!(paid_notice(Platega, &id, &order_id).post(&s.t).await.0, 200);
    assert_eq!(days(&s, user).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_whose_notification_never_came_is_found_by_the_recheck() {
    let s = shop(&[]).await;
    let user = 7108;
    register(&s, user).await;
    let mut expected = 0;
    for (i, p) in [Platega, Severpay].into_iter().enumerate() {
        let (order_id, id) = buy(&s, user, p, 10 + i as i64).await;
        let now = shared::base::clock::now();
        assert_eq!(
            recheck(&s.t.stack.app, &order_id, false, now)
                .await
                .expect("asked"),
            Recheck::Pending
        );
        mark_paid(&s, p, &id);
        assert_eq!(
            recheck(&s.t.stack.app, &order_id, false, now)
                .await
                .expect("asked"),
            Recheck::Credited
        );
        expected += 30;
        assert_eq!(days(&s, user).await, expected, "{p:?}");
        // The notification arriving after all: a duplicate.
        assert_eq!(paid_notice(p, &id, &order_id).post(&s.t).await.0, 200);
        assert_eq!(days(&s, user).await, expected, "{p:?}");
    }
}
