//! The payment provider clients against in-process fakes of the providers'
//! APIs: what we send (auth, idempotence, bodies) and how we read answers,
//! outages and refusals.

use e2e::fake_providers::{Api, FakeProviders};
use e2e::signed::yookassa_payment;
use serde_json::{Value, json};
use shared::adapters::pay::cryptopay::{self, CreateInvoice, InvoicePrice};
use shared::adapters::pay::freekassa::{self, CreateOrder};
use shared::adapters::pay::yookassa::{self, CreatePayment, YooEvent, YooStatus};
use shared::adapters::pay::{Money, OrderId, PayError};
use shared::base::config::{
    CryptoCurrencyType, CryptoNetwork, CryptoPay, FreeKassa, IpNet, YooKassa,
};
use shared::base::types::{Kopecks, TelegramId};
use std::net::IpAddr;

/// base64("610042:test_e2e_YooSecret-key_01"), computed with Python's base64 module.
const YOOKASSA_BASIC: &str = "Basic NjEwMDQyOnRlc3RfZTJlX1lvb1NlY3JldC1rZXlfMDE=";

fn yookassa_cfg(fake: &FakeProviders) -> YooKassa {
    let c = fake.credentials();
    YooKassa {
        shop_id: c.yookassa_shop_id.clone(),
        secret_key: c.yookassa_secret_key.clone(),
        return_url: Some("https://t.me/e2e_vpn_bot".into()),
        default_receipt_email: Some("receipts@e2e.example".into()),
        vat_code: 1,
        payment_mode: "full_prepayment".into(),
        payment_subject: "service".into(),
        tax_system_code: None,
        autopayments_enabled: true,
        autopayments_require_card_binding: false,
        api_url: fake.yookassa_url(),
        allowed_ips: ["185.71.76.0/27", "77.75.156.11", "2a02:5180::/32"]
            .iter()
            .map(|s| s.parse::<IpNet>().expect("net"))
            .collect(),
    }
}

fn yookassa_order(order: &OrderId, save_card: bool) -> CreatePayment {
    CreatePayment {
        order: order.clone(),
        user: TelegramId(900200300),
        amount: Kopecks(19900),
        description: format!("VPN subscription, 1 month (order {order})"),
        item_description: "VPN subscription, 1 month".into(),
        email: None,
        save_card,
        saved_method_id: None,
        fallback_return_url: None,
    }
}

fn yookassa_ip() -> Option<IpAddr> {
    Some("185.71.76.20".parse().expect("ip"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yookassa_payment_is_created_with_idempotence_key_basic_auth_and_receipt() {
    let fake = FakeProviders::start().await;
    let cfg = yookassa_cfg(&fake);
    let http = reqwest::Client::new();
    let order = OrderId::new();

    let created = yookassa::create_payment(&http, &cfg, &yookassa_order(&order, true))
        .await
        .expect("payment created");
    assert_eq!(created.status, YooStatus::Pending);
    assert!(!created.paid);
    let url = created.confirmation_url.expect("confirmation url");
    assert!(url.starts_with("https://yoomoney.ru/checkout/"), "{url}");

    let sent = fake.requests_to(Api::Yookassa);
    assert_eq!(sent.len(), 1);
    let r = &sent[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/payments"));
    assert_eq!(r.header("idempotence-key"), Some(order.0.as_str()));
    assert_eq!(r.header("authorization"), Some(YOOKASSA_BASIC));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let b = &r.body;
    assert_eq!(b["amount"], json!({"value": "199.00", "currency": "RUB"}));
    assert_eq!(b["capture"], true);
    assert_eq!(
        b["confirmation"],
        json!({"type": "redirect", "return_url": "https://t.me/e2e_vpn_bot"})
    );
    assert_eq!(b["metadata"]["order_id"], order.0);
    assert_eq!(b["metadata"]["telegram_user_id"], "900200300");
    assert_eq!(b["save_payment_method"], true);
    assert_eq!(
        b["receipt"],
        json!({
            "customer": {"email": "receipts@e2e.example"},
            "items": [{
                "description": "VPN subscription, 1 month",
                "quantity": "1.00",
                "amount": {"value": "199.00", "currency": "RUB"},
                "vat_code": 1,
                "payment_mode": "full_prepayment",
                "payment_subject": "service",
            }],
        })
    );

    // A retry of the same order reuses the key, and YooKassa answers the same payment.
    let again = yookassa::create_payment(&http, &cfg, &yookassa_order(&order, true))
        .await
        .expect("retry answered");
    assert_eq!(again.payment_id, created.payment_id);
    let keys: Vec<_> = fake
        .requests_to(Api::Yookassa)
        .iter()
        .map(|r| r.header("idempotence-key").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(keys, vec![order.0.clone(), order.0.clone()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yookassa_saved_card_charge_and_payment_lookup() {
    let fake = FakeProviders::start().await;
    let cfg = yookassa_cfg(&fake);
    let http = reqwest::Client::new();
    let order = OrderId::new();
    let created = yookassa::create_payment(&http, &cfg, &yookassa_order(&order, false))
        .await
        .expect("created");
    let sent = &fake.requests_to(Api::Yookassa)[0].body;
    assert!(sent.get("save_payment_method").is_none(), "not asked");

    let p = yookassa::get_payment(&http, &cfg, &created.payment_id)
        .await
        .expect("fetched");
    assert_eq!(p.status, YooStatus::Pending);
    assert_eq!(p.order_id, Some(order.clone()));
    assert_eq!(p.amount, Money::rub(Kopecks(19900)));

    fake.set_payment_status(&created.payment_id, "succeeded", true);
    let p = yookassa::get_payment(&http, &cfg, &created.payment_id)
        .await
        .expect("fetched");
    assert_eq!(p.status, YooStatus::Succeeded);
    assert!(p.paid);
    assert_eq!(p.saved_method_id(), Some(created.payment_id.as_str()));
    let get = fake.requests_to(Api::Yookassa).pop().expect("a request");
    assert_eq!(get.method, "GET");
    assert_eq!(get.path, format!("/payments/{}", created.payment_id));
    assert_eq!(get.header("authorization"), Some(YOOKASSA_BASIC));
    assert_eq!(get.header("idempotence-key"), None);

    // Auto-renewal: the saved method is charged without the payer.
    let renewal_order = OrderId::new();
    let mut renewal = yookassa_order(&renewal_order, false);
    renewal.saved_method_id = Some(created.payment_id.clone());
    let charged = yookassa::create_payment(&http, &cfg, &renewal)
        .await
        .expect("charged");
    assert_eq!(charged.status, YooStatus::Succeeded);
    assert!(charged.paid);
    assert_eq!(charged.confirmation_url, None);
    let sent = fake.requests_to(Api::Yookassa).pop().expect("a request");
    assert_eq!(sent.body["payment_method_id"], created.payment_id);
    assert!(sent.body.get("confirmation").is_none());
    assert_eq!(
        sent.header("idempotence-key"),
        Some(renewal_order.0.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yookassa_notifications_are_decided_by_the_api() {
    let fake = FakeProviders::start().await;
    let cfg = yookassa_cfg(&fake);
    let http = reqwest::Client::new();
    let order = OrderId::new();
    let id = yookassa::create_payment(&http, &cfg, &yookassa_order(&order, true))
        .await
        .expect("created")
        .payment_id;
    let claim = yookassa_payment(&id, "payment.succeeded", "succeeded", "1.00").body;
    let verify = |from: Option<IpAddr>, body: Vec<u8>| {
        let http = http.clone();
        let cfg = cfg.clone();
        async move { yookassa::verify_notification(&http, &cfg, from, &body).await }
    };

    // The notification claims success; the API says pending: nothing paid.
    let e = verify(yookassa_ip(), claim.clone())
        .await
        .expect("verified");
    assert_eq!(e.into_inner(), YooEvent::Other("payment.pending".into()));
    let get = fake.requests_to(Api::Yookassa).pop().expect("re-fetched");
    assert_eq!(get.path, format!("/payments/{id}"));
    assert_eq!(get.header("authorization"), Some(YOOKASSA_BASIC));

    // Now the API agrees; the amount is the API's (199.00), not the notification's (1.00).
    fake.set_payment_status(&id, "succeeded", true);
    let e = verify(yookassa_ip(), claim.clone())
        .await
        .expect("verified");
    assert_eq!(
        e.into_inner(),
        YooEvent::PaymentSucceeded {
            order_id: Some(order.clone()),
            amount: Money::rub(Kopecks(19900)),
            payment_id: id.clone(),
            saved_method: Some(yookassa::YooPaymentMethod {
                id: id.clone(),
                kind: "bank_card".into(),
                saved: true,
                title: Some("Bank card *4242".into()),
                card_type: Some("Visa".into()),
                last4: Some("4242".into()),
            }),
        }
    );
    // An IPv4-mapped IPv6 sender is the same address.
    let mapped = Some("::ffff:185.71.76.20".parse().expect("ip"));
    assert!(verify(mapped, claim.clone()).await.is_ok());

    // From outside the list: refused without asking the API.
    let before = fake.requests_to(Api::Yookassa).len();
    for from in ["185.71.76.32", "8.8.8.8"] {
        let r = verify(Some(from.parse().expect("ip")), claim.clone()).await;
        assert!(matches!(r, Err(PayError::NotAuthentic(_))), "{from}: {r:?}");
    }
    assert_eq!(fake.requests_to(Api::Yookassa).len(), before);

    // A payment the API does not know was never YooKassa's.
    let r = verify(
        yookassa_ip(),
        yookassa_payment(
            "2f000000-000f-5000-8000-000000000000",
            "payment.succeeded",
            "succeeded",
            "1.00",
        )
        .body,
    )
    .await;
    assert!(matches!(r, Err(PayError::NotAuthentic(_))), "{r:?}");

    // The API is down, or refuses our credentials: retry later (5xx to YooKassa).
    fake.fail_next(
        Api::Yookassa,
        503,
        json!({"type": "error", "code": "internal_server_error"}),
    );
    let r = verify(yookassa_ip(), claim.clone()).await;
    assert!(matches!(r, Err(PayError::Unavailable(_))), "{r:?}");
    let mut wrong = cfg.clone();
    wrong.secret_key = "test_wrong".into();
    let r = yookassa::verify_notification(&http, &wrong, yookassa_ip(), &claim).await;
    assert!(matches!(r, Err(PayError::Unavailable(_))), "{r:?}");

    // Cancelled.
    fake.set_payment_status(&id, "canceled", false);
    let e = verify(
        yookassa_ip(),
        yookassa_payment(&id, "payment.canceled", "succeeded", "1.00").body,
    )
    .await
    .expect("verified");
    assert_eq!(
        e.into_inner(),
        YooEvent::PaymentCanceled {
            order_id: Some(order.clone()),
            payment_id: id.clone()
        }
    );

    // Junk from a YooKassa address.
    let r = verify(yookassa_ip(), b"{\"event\":1}".to_vec()).await;
    assert!(matches!(r, Err(PayError::Malformed(_))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yookassa_refunds_are_fetched_too() {
    let fake = FakeProviders::start().await;
    let cfg = yookassa_cfg(&fake);
    let http = reqwest::Client::new();
    let refund_id = "2f5a2e11-0015-5000-8000-00000000e2e1";
    let mut refund = json!({
        "id": refund_id,
        "payment_id": "2f5a1b3c-000f-5000-9000-00000000e2e1",
        "status": "pending",
        "amount": {"value": 99.5, "currency": "RUB"},
        "created_at": "2025-11-03T10:00:00+00:00",
    });
    fake.insert_refund(refund.clone());
    let body = yookassa_payment(refund_id, "refund.succeeded", "succeeded", "1.00").body;
    let e = yookassa::verify_notification(&http, &cfg, yookassa_ip(), &body)
        .await
        .expect("verified");
    assert_eq!(e.into_inner(), YooEvent::Other("refund.pending".into()));

    refund["status"] = json!("succeeded");
    fake.insert_refund(refund);
    let e = yookassa::verify_notification(&http, &cfg, yookassa_ip(), &body)
        .await
        .expect("verified");
    assert_eq!(
        e.into_inner(),
        YooEvent::RefundSucceeded {
            payment_id: "2f5a1b3c-000f-5000-9000-00000000e2e1".into(),
            refund_id: refund_id.into(),
            amount: Money::rub(Kopecks(9950)),
        }
    );
    let get = fake.requests_to(Api::Yookassa).pop().expect("fetched");
    assert_eq!(
        (get.method.as_str(), get.path.as_str()),
        ("GET", &*format!("/refunds/{refund_id}"))
    );
    let r = yookassa::get_refund(&http, &cfg, "2f5a2e11-0015-5000-8000-0000000000ff").await;
    assert!(matches!(r, Err(PayError::Refused(_))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yookassa_refusals_and_outages() {
    let fake = FakeProviders::start().await;
    let cfg = yookassa_cfg(&fake);
    let http = reqwest::Client::new();
    let req = yookassa_order(&OrderId::new(), false);

    fake.fail_next(
        Api::Yookassa,
        400,
        json!({"type": "error", "id": "e1", "code": "invalid_request", "description": "Invalid receipt", "parameter": "receipt"}),
    );
    match yookassa::create_payment(&http, &cfg, &req).await {
        Err(PayError::Refused(m)) => assert!(
            m.contains("invalid_request") && m.contains("receipt"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    fake.fail_next(
        Api::Yookassa,
        500,
        json!({"type": "error", "code": "internal_server_error"}),
    );
    assert!(matches!(
        yookassa::create_payment(&http, &cfg, &req).await,
        Err(PayError::Unavailable(_))
    ));
    let mut wrong = cfg.clone();
    wrong.secret_key = "test_not_ours".into();
    assert!(matches!(
        yookassa::create_payment(&http, &wrong, &req).await,
        Err(PayError::Refused(_))
    ));
    let mut closed = cfg.clone();
    closed.api_url = "http://127.0.0.1:9/v3".into();
    assert!(matches!(
        yookassa::create_payment(&http, &closed, &req).await,
        Err(PayError::Unavailable(_))
    ));
    // Three calls reached the fake (refused, failed, wrong key); the closed port none.
    assert_eq!(fake.requests_to(Api::Yookassa).len(), 3);
}

fn cryptopay_cfg(fake: &FakeProviders) -> CryptoPay {
    CryptoPay {
        token: fake.credentials().cryptopay_token.clone(),
        network: CryptoNetwork::Testnet,
        currency_type: CryptoCurrencyType::Fiat,
        asset: "USDT".into(),
        api_url: fake.cryptopay_url(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cryptopay_invoices_carry_the_token_and_our_order() {
    let fake = FakeProviders::start().await;
    let cfg = cryptopay_cfg(&fake);
    let http = reqwest::Client::new();
    let order = OrderId::new();
    let fiat = CreateInvoice {
        order: order.clone(),
        price: InvoicePrice::Fiat {
            amount: Kopecks(19900),
            accepted_assets: vec!["USDT".into(), "TON".into()],
        },
        description: "VPN 1 month".into(),
        expires_in: 3600,
        paid_button_url: Some("https://t.me/e2e_vpn_bot".into()),
    };
    let created = cryptopay::create_invoice(&http, &cfg, &fiat)
        .await
        .expect("invoice created");
    assert!(
        created
            .pay_url
            .starts_with("https://t.me/CryptoTestnetBot?start="),
        "{}",
        created.pay_url
    );
    assert!(created.mini_app_url.is_some() && created.web_app_url.is_some());
    assert_eq!(created.status, "active");

    let r = fake.requests_to(Api::Cryptopay).pop().expect("sent");
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/createInvoice")
    );
    assert_eq!(r.header("crypto-pay-api-token"), Some(cfg.token.as_str()));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        json!({
            "currency_type": "fiat", "fiat": "RUB", "amount": "199.00",
            "accepted_assets": "USDT,TON", "description": "VPN 1 month",
            "payload": order.0, "expires_in": 3600,
            "paid_btn_name": "openBot", "paid_btn_url": "https://t.me/e2e_vpn_bot",
            "allow_comments": false, "allow_anonymous": false,
        })
    );

    let crypto = CreateInvoice {
        price: InvoicePrice::Crypto(
            shared::base::money::AssetAmount::parse("TON", "0.75").expect("amount"),
        ),
        paid_button_url: None,
        ..fiat.clone()
    };
    let created2 = cryptopay::create_invoice(&http, &cfg, &crypto)
        .await
        .expect("invoice created");
    assert_ne!(created2.invoice_id, created.invoice_id);
    let r = fake.requests_to(Api::Cryptopay).pop().expect("sent");
    assert_eq!(r.body["currency_type"], "crypto");
    assert_eq!(r.body["asset"], "TON");
    assert_eq!(r.body["amount"], "0.75");
    assert!(r.body.get("fiat").is_none());

    // Wrong token: Crypto Pay's 401 is a refusal.
    let mut wrong = cfg.clone();
    wrong.token = "30117:AAnotOurs".into();
    match cryptopay::create_invoice(&http, &wrong, &fiat).await {
        Err(PayError::Refused(m)) => assert!(m.contains("UNAUTHORIZED"), "{m}"),
        other => panic!("{other:?}"),
    }
    // An outage, and an ok:false answer with HTTP 200.
    fake.fail_next(Api::Cryptopay, 502, Value::Null);
    assert!(matches!(
        cryptopay::create_invoice(&http, &cfg, &fiat).await,
        Err(PayError::Unavailable(_))
    ));
    fake.fail_next(
        Api::Cryptopay,
        200,
        json!({"ok": false, "error": {"code": 400, "name": "EXPIRES_IN_INVALID"}}),
    );
    match cryptopay::create_invoice(&http, &cfg, &fiat).await {
        Err(PayError::Refused(m)) => assert!(m.contains("EXPIRES_IN_INVALID"), "{m}"),
        other => panic!("{other:?}"),
    }
}

fn freekassa_cfg(fake: &FakeProviders) -> FreeKassa {
    let c = fake.credentials();
    FreeKassa {
        merchant_id: c.freekassa_shop_id.to_string(),
        first_secret: "e2e_first".into(),
        second_secret: "e2e_second".into(),
        api_key: Some(c.freekassa_api_key.clone()),
        payment_url: "https://pay.fk.money/".into(),
        payment_ip: Some("203.0.113.44".into()),
        payment_method_id: Some(44),
        api_url: fake.freekassa_url(),
        allowed_ips: vec!["168.119.157.136".parse().expect("net")],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freekassa_orders_are_signed_with_increasing_nonces() {
    let fake = FakeProviders::start().await;
    let cfg = freekassa_cfg(&fake);
    let http = reqwest::Client::new();
    let order = OrderId::new();
    let req = CreateOrder {
        order: order.clone(),
        amount: Kopecks(29950),
        email: Some("buyer@e2e.example".into()),
        user: TelegramId(900200300),
    };
    let location = freekassa::create_order(&http, &cfg, &req)
        .await
        .expect("order created");
    assert!(
        location.starts_with("https://pay.fk.money/form/"),
        "{location}"
    );

    let r = fake.requests_to(Api::Freekassa).pop().expect("sent");
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/orders/create")
    );
    let b = &r.body;
    assert_eq!(b["shopId"], 41207);
    assert_eq!(b["paymentId"], order.0);
    assert_eq!(b["i"], 44);
    assert_eq!(b["email"], "buyer@e2e.example");
    assert_eq!(b["ip"], "203.0.113.44");
    assert_eq!(b["amount"], json!(299.5));
    assert_eq!(b["currency"], "RUB");
    let first_nonce = b["nonce"].as_u64().expect("numeric nonce");
    assert!(b["signature"].as_str().is_some_and(|s| s.len() == 64));

    // A second order right away still gets a larger nonce, so the fake accepts it.
    let req2 = CreateOrder {
        order: OrderId::new(),
        amount: Kopecks(19900),
        email: None,
        user: TelegramId(900200301),
    };
    freekassa::create_order(&http, &cfg, &req2)
        .await
        .expect("second order created");
    let r = fake.requests_to(Api::Freekassa).pop().expect("sent");
    assert!(r.body["nonce"].as_u64().expect("nonce") > first_nonce);
    assert_eq!(r.body["amount"], json!(199));
    assert_eq!(r.body["email"], "900200301@telegram.org");

    // A wrong API key: FreeKassa refuses the signature.
    let mut wrong = cfg.clone();
    wrong.api_key = Some("not_the_key".into());
    match freekassa::create_order(&http, &wrong, &req).await {
        Err(PayError::Refused(m)) => assert!(m.contains("Wrong signature"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Without FREEKASSA_PAYMENT_IP nothing is sent.
    let before = fake.requests_to(Api::Freekassa).len();
    let mut no_ip = cfg.clone();
    no_ip.payment_ip = None;
    assert!(matches!(
        freekassa::create_order(&http, &no_ip, &req).await,
        Err(PayError::Refused(_))
    ));
    assert_eq!(fake.requests_to(Api::Freekassa).len(), before);
    // An outage.
    fake.fail_next(
        Api::Freekassa,
        503,
        json!({"type": "error", "message": "maintenance"}),
    );
    assert!(matches!(
        freekassa::create_order(&http, &cfg, &req).await,
        Err(PayError::Unavailable(_))
    ));
}
