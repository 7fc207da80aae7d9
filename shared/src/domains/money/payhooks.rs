//! The payment providers' webhooks: authenticate, then settle by the shared
//! answer-code policy (`crate::domains::money::settle`).

use crate::adapters::app::App;
use crate::adapters::http::{HttpRequest, HttpResponse};
use crate::adapters::outbox::OutgoingText;
use crate::adapters::pay::{
    Money, OrderId, PayError, cryptopay, freekassa, platega, severpay, tribute, yookassa,
};
use crate::adapters::store::imports::merchant_order_ref;
use crate::adapters::store::once::Claim;
use crate::base::clock::now;
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::Provider;
use crate::domains::error::Error;
use crate::domains::money::effects::flag_suspicious;
use crate::domains::money::orders::{Order, OrderStatus, Payment, Purchase};
use crate::domains::money::refunds;
use crate::domains::money::settle::{
    Settlement, imported_order, settle, settle_unmatched, unknown_payment,
};
use crate::domains::renewal::cards::remember;
use http::StatusCode;
use sha2::{Digest, Sha256};

/// `POST /pay/yookassa`.
pub async fn yookassa(app: &App, req: HttpRequest) -> HttpResponse {
    let Some(cfg) = app.config.yookassa.as_ref() else {
        return disabled(Provider::Yookassa);
    };
    let event = match yookassa::verify_notification(&app.http, cfg, req.source_ip, &req.body).await
    {
        Ok(v) => v.into_inner(),
        Err(e) => return refused(Provider::Yookassa, &e),
    };
    let result = match event {
        yookassa::YooEvent::PaymentSucceeded {
            order_id: Some(order),
            amount,
            payment_id,
            saved_method,
        } => {
            let paid = Payment {
                order,
                amount,
                provider_ref: payment_id,
            };
            match settle(app, Settlement::of(Provider::Yookassa, &paid)).await {
                Ok(_) => match saved_method {
                    Some(m) => remember(app, &paid.order, &m).await.map_err(Error::from),
                    None => Ok(()),
                },
                Err(e) => Err(e),
            }
        }
        yookassa::YooEvent::PaymentSucceeded {
            order_id: None,
            payment_id,
            amount,
            ..
        } => {
            settle_unmatched(
                app,
                Provider::Yookassa,
                &payment_id,
                &amount,
                &format!("payment {payment_id} has no order of ours"),
            )
            .await
        }
        yookassa::YooEvent::PaymentCanceled {
            order_id: Some(order),
            ..
        } => canceled(app, &order).await,
        yookassa::YooEvent::PaymentCanceled { order_id: None, .. } => Ok(()),
        yookassa::YooEvent::RefundSucceeded {
            payment_id,
            refund_id,
            amount,
        } => match yookassa::get_payment(&app.http, cfg, &payment_id).await {
            Ok(p) => {
                refunded(
                    app,
                    Provider::Yookassa,
                    p.order_id,
                    &payment_id,
                    &format!("{refund_id}: {amount}"),
                    &amount,
                )
                .await
            }
            Err(e) => return refused(Provider::Yookassa, &e),
        },
        yookassa::YooEvent::Other(kind) => {
            tracing::info!(kind, "yookassa notification without effect");
            Ok(())
        }
    };
    answer(Provider::Yookassa, result, "ok")
}

/// `POST /pay/cryptopay`.
pub async fn cryptopay(app: &App, req: HttpRequest) -> HttpResponse {
    let Some(cfg) = app.config.cryptopay.as_ref() else {
        return disabled(Provider::Cryptopay);
    };
    let update =
        match cryptopay::verify_webhook(cfg, &req.body, req.header(cryptopay::SIGNATURE_HEADER)) {
            Ok(v) => v.into_inner(),
            Err(PayError::Unreadable(why)) => {
                return answer(
                    Provider::Cryptopay,
                    unreadable(app, Provider::Cryptopay, &why, &req.body).await,
                    "ok",
                );
            }
            Err(e) => return refused(Provider::Cryptopay, &e),
        };
    if update.update_type != "invoice_paid" || !update.invoice.is_paid() {
        tracing::info!(update_type = %update.update_type, "cryptopay update without effect");
        return HttpResponse::ok();
    }
    let invoice = &update.invoice;
    let result = match invoice.order_id() {
        Some(order) => settle(
            app,
            Settlement::of(
                Provider::Cryptopay,
                &Payment {
                    order,
                    amount: invoice.price.clone(),
                    provider_ref: invoice.invoice_id.to_string(),
                },
            ),
        )
        .await
        .map(|_| ()),
        None => {
            settle_unmatched(
                app,
                Provider::Cryptopay,
                &invoice.invoice_id.to_string(),
                &invoice.price,
                &format!(
                    "invoice {} paid with payload {:?}",
                    invoice.invoice_id, invoice.payload
                ),
            )
            .await
        }
    };
    answer(Provider::Cryptopay, result, "ok")
}

/// `POST|GET /pay/freekassa`: the form body, or the query of a GET.
pub async fn freekassa(app: &App, req: HttpRequest) -> HttpResponse {
    let Some(cfg) = app.config.freekassa.as_ref() else {
        return disabled(Provider::Freekassa);
    };
    let raw: &[u8] = if req.body.is_empty() {
        req.query.as_bytes()
    } else {
        &req.body
    };
    let params = freekassa::parse_form(raw);
    let n = match freekassa::verify_notification(cfg, req.source_ip, &params) {
        Ok(v) => v.into_inner(),
        Err(PayError::Unreadable(why)) => {
            return match unreadable(app, Provider::Freekassa, &why, raw).await {
                Ok(()) => HttpResponse::text(StatusCode::OK, freekassa::SUCCESS_BODY),
                Err(e) => failed(Provider::Freekassa, &e),
            };
        }
        Err(e) => return refused(Provider::Freekassa, &e),
    };
    let provider_ref = n
        .intid
        .clone()
        .unwrap_or_else(|| n.merchant_order_id.clone());
    let result = freekassa_paid(app, &n, provider_ref).await;
    match result {
        Ok(()) => HttpResponse::text(StatusCode::OK, freekassa::SUCCESS_BODY),
        Err(e) => failed(Provider::Freekassa, &e),
    }
}

/// Settles an authentic FreeKassa payment: for the order it names, or the
/// order the importer brought over (the old bot's payments name its own
/// payment id), else recorded as an unknown payment.
async fn freekassa_paid(
    app: &App,
    n: &freekassa::FkNotification,
    provider_ref: String,
) -> Result<(), Error> {
    let order = match n.order_id.clone() {
        Some(order) => Some(order),
        None => {
            let old = merchant_order_ref(&n.merchant_order_id);
            imported_order(app, Provider::Freekassa, &old).await?
        }
    };
    let Some(order) = order else {
        let detail = format!(
            "payment {provider_ref} for unknown order {:?}",
            n.merchant_order_id
        );
        return settle_unmatched(app, Provider::Freekassa, &provider_ref, &n.amount, &detail).await;
    };
    let payment = Payment {
        order,
        amount: n.amount.clone(),
        provider_ref,
    };
    settle(app, Settlement::of(Provider::Freekassa, &payment))
        .await
        .map(|_| ())
}

/// `POST /pay/tribute`.
pub async fn tribute(app: &App, req: HttpRequest) -> HttpResponse {
    let Some(cfg) = app.config.tribute.as_ref() else {
        return disabled(Provider::Tribute);
    };
    let event = match tribute::verify_webhook(cfg, &req.body, req.header(tribute::SIGNATURE_HEADER))
    {
        Ok(v) => v.into_inner(),
        Err(PayError::Unreadable(why)) => {
            return answer(
                Provider::Tribute,
                unreadable(app, Provider::Tribute, &why, &req.body).await,
                "ok",
            );
        }
        Err(e) => return refused(Provider::Tribute, &e),
    };
    let result = match &event.kind {
        tribute::TributeKind::NewSubscription(s) | tribute::TributeKind::RenewedSubscription(s) => {
            tribute_paid(
                app,
                &event,
                s,
                cfg.skip_notifications
                    && matches!(event.kind, tribute::TributeKind::RenewedSubscription(_)),
            )
            .await
        }
        tribute::TributeKind::CancelledSubscription(s) => {
            tribute_cancelled(app, &event, s, cfg.skip_cancellation_notifications).await
        }
        tribute::TributeKind::Other => {
            tracing::info!(name = %event.name, "tribute event without effect");
            Ok(())
        }
    };
    answer(Provider::Tribute, result, "ok")
}

/// Tribute has no order of ours: the event itself becomes one, with an id
/// derived from the event (name, time, ids), so a re-delivery finds it paid.
async fn tribute_paid(
    app: &App,
    event: &tribute::TributeEvent,
    s: &tribute::TributeSubscription,
    quiet: bool,
) -> Result<(), Error> {
    let cfg = app
        .config
        .tribute
        .as_ref()
        .ok_or(Error::Settings("TRIBUTE_API_KEY"))?;
    let period = match tribute::product_of(event, cfg, &app.config.plans) {
        Ok(period) => period,
        Err(why) => {
            // Paid, but not for something the operator sells here: recorded
            // and flagged for an admin, never credited.
            return unknown_payment(
                app,
                Provider::Tribute,
                &event.dedup_key(),
                &format!("payment by {} not credited: {why}", s.telegram_user_id),
            )
            .await;
        }
    };
    let id = event_order_id(&event.dedup_key());
    let mut order = Order::new(
        s.telegram_user_id,
        Purchase::Plan(period),
        s.amount.clone(),
        Provider::Tribute,
        now(),
    );
    order.id = id.clone();
    let payment = Payment {
        order: id,
        amount: s.amount.clone(),
        provider_ref: s.subscription_id.to_string(),
    };
    // The order is written by the crediting transaction, unless a delivery
    // before this one wrote it.
    settle(
        app,
        Settlement {
            provider: Provider::Tribute,
            payment: &payment,
            creates: Some(&order),
            tell_user: !quiet,
        },
    )
    .await
    .map(|_| ())
}

async fn tribute_cancelled(
    app: &App,
    event: &tribute::TributeEvent,
    s: &tribute::TributeSubscription,
    quiet: bool,
) -> Result<(), Error> {
    if app
        .store
        .claim_once("tribute-event", &event.dedup_key(), now(), 90 * 86_400)
        .await?
        == Claim::Duplicate
    {
        return Ok(());
    }
    app.admin_log(tr(
        app.config.default_language,
        "log-tribute-cancelled",
        &[
            ("id", Arg::Str(s.telegram_user_id.to_string())),
            (
                "name",
                Arg::Str(crate::base::i18n::html(&s.subscription_name)),
            ),
        ],
    ))
    .await;
    if !quiet {
        let lang = app
            .store
            .get_user(s.telegram_user_id)
            .await?
            .map(|u| u.lang)
            .unwrap_or(app.config.default_language);
        if let Err(e) = app
            .outbox
            .send(
                &OutgoingText::to_user(s.telegram_user_id, t(lang, "tribute-cancelled")),
                0,
            )
            .await
        {
            let _ = app
                .store
                .release_once("tribute-event", &event.dedup_key())
                .await;
            return Err(e.into());
        }
    }
    Ok(())
}

/// An order id for an event without one of ours: 32 hex characters of
/// SHA-256 of its de-duplication key.
fn event_order_id(key: &str) -> OrderId {
    OrderId(hex::encode(&Sha256::digest(key.as_bytes())[..16]))
}

/// Closes a pending order its provider canceled and tells the buyer (once:
/// only the call that closes it sends). Webhooks and the stuck-payment
/// re-check both end here.
pub async fn canceled(app: &App, order: &OrderId) -> Result<(), Error> {
    if !app.store.cancel_order(order, now()).await? {
        return Ok(());
    }
    if let Some(o) = app.store.get_order(order).await?
        && let Some(user) = app.store.get_user(o.user).await?
        && let Err(e) = app
            .outbox
            .send(
                &OutgoingText::to_user(user.id, t(user.lang, "payment-canceled")),
                0,
            )
            .await
    {
        tracing::error!("cancellation notice not queued: {e}");
    }
    Ok(())
}

/// A refund of `provider`'s payment `payment_id` (a YooKassa refund, a
/// Platega refund or chargeback): of the order the payment names, or else
/// of the order the importer brought over for that payment (paid in the old
/// bot), which is then refunded like one of ours.
async fn refunded(
    app: &App,
    provider: Provider,
    named: Option<OrderId>,
    payment_id: &str,
    what: &str,
    amount: &Money,
) -> Result<(), Error> {
    let mut found = match &named {
        Some(id) => app.store.get_order(id).await?,
        None => None,
    };
    if found.is_none()
        && let Some(id) = imported_order(app, provider, payment_id).await?
    {
        found = app.store.get_order(&id).await?;
    }
    let Some(o) = found else {
        flag_suspicious(
            app,
            provider,
            &format!(
                "refund {what} of payment {payment_id} for unknown order {}",
                named.map_or("-".into(), |o| o.0)
            ),
        )
        .await;
        return Ok(());
    };
    // Crediting records the paying payment on the order, so a refund of
    // another payment naming it is of a second payment, credited as an
    // order of its own (`CreditOutcome::SecondPayment`).
    let o = match o.provider_ref.as_deref() {
        Some(paid_by) if o.status == OrderStatus::Paid || o.status == OrderStatus::Refunded => {
            if paid_by == payment_id {
                o
            } else {
                let second = o.second_payment(payment_id, now()).id;
                match app.store.get_order(&second).await? {
                    Some(s) => s,
                    None => {
                        flag_suspicious(
                            app,
                            provider,
                            &format!(
                                "refund {what} of payment {payment_id}: order {} was paid by {paid_by}, nothing taken back",
                                o.id
                            ),
                        )
                        .await;
                        return Ok(());
                    }
                }
            }
        }
        _ => o,
    };
    if *amount != o.amount {
        // A partial refund: the days are not split; the admins decide.
        flag_suspicious(
            app,
            provider,
            &format!(
                "partial refund {what} of order {} ({}): nothing taken back",
                o.id, o.amount
            ),
        )
        .await;
        return Ok(());
    }
    let order = &o.id;
    refunds::refund(app, order, what).await?;
    Ok(())
}

/// `POST /pay/platega`: a callback admitted by its two headers, decided by
/// the transaction as Platega's API reports it.
pub async fn platega(app: &App, req: HttpRequest) -> HttpResponse {
    let Some(cfg) = app.config.platega.as_ref() else {
        return disabled(Provider::Platega);
    };
    let callback = match platega::verify_callback(
        &app.http,
        cfg,
        req.header(platega::MERCHANT_HEADER),
        req.header(platega::SECRET_HEADER),
        &req.body,
    )
    .await
    {
        Ok(v) => v.into_inner(),
        Err(e) => return refused(Provider::Platega, &e),
    };
    let tx = &callback.transaction;
    let result = match &tx.status {
        platega::PlategaStatus::Confirmed => {
            paid_by_api(
                app,
                Provider::Platega,
                tx.order_id.clone(),
                &tx.id,
                tx.amount.as_ref(),
            )
            .await
        }
        platega::PlategaStatus::Canceled => match &tx.order_id {
            Some(order) => canceled(app, order).await,
            None => Ok(()),
        },
        platega::PlategaStatus::Refunded => match &tx.amount {
            Some(amount) => {
                let what = format!("{} {:?}", tx.id, tx.status);
                refunded(
                    app,
                    Provider::Platega,
                    tx.order_id.clone(),
                    &tx.id,
                    &what,
                    amount,
                )
                .await
            }
            None => unreadable(app, Provider::Platega, "refund without amount", &req.body).await,
        },
        status if callback.claimed == platega::PlategaStatus::Confirmed => {
            // Said paid, but the API does not say so (yet): nothing is
            // credited, and Platega is asked to deliver again.
            tracing::warn!(transaction = %tx.id, ?status, "platega callback says paid, the API does not");
            return HttpResponse::error(StatusCode::SERVICE_UNAVAILABLE, "not confirmed yet");
        }
        status => {
            tracing::info!(transaction = %tx.id, ?status, "platega callback without effect");
            Ok(())
        }
    };
    answer(Provider::Platega, result, "ok")
}

/// `POST /pay/severpay`: a notification admitted by its signature, decided
/// by the payment as SeverPay's API reports it. Answered `{"status":true}`.
pub async fn severpay(app: &App, req: HttpRequest) -> HttpResponse {
    let Some(cfg) = app.config.severpay.as_ref() else {
        return disabled(Provider::Severpay);
    };
    let notice = match severpay::verify_notification(&app.http, cfg, &req.body).await {
        Ok(v) => v.into_inner(),
        Err(e) => return refused(Provider::Severpay, &e),
    };
    let payin = notice.as_ref().map(|n| &n.payin);
    let result = match payin {
        None => Ok(()),
        Some(p) if p.status == severpay::SpStatus::Success => {
            paid_by_api(
                app,
                Provider::Severpay,
                p.order_id.clone(),
                &p.id,
                p.amount.as_ref(),
            )
            .await
        }
        Some(p) if p.status.is_closed() => match &p.order_id {
            Some(order) => canceled(app, order).await,
            None => Ok(()),
        },
        Some(p)
            if notice
                .as_ref()
                .is_some_and(|n| n.claimed == severpay::SpStatus::Success) =>
        {
            // Said paid, but the API does not say so (yet): nothing is
            // credited, and SeverPay is asked to deliver again.
            tracing::warn!(payment = %p.id, status = ?p.status, "severpay notification says paid, the API does not");
            return HttpResponse::error(StatusCode::SERVICE_UNAVAILABLE, "not confirmed yet");
        }
        Some(p) => {
            tracing::info!(payment = %p.id, status = ?p.status, "severpay notification without effect");
            Ok(())
        }
    };
    match result {
        Ok(()) => HttpResponse::json(StatusCode::OK, &serde_json::json!({"status": true})),
        Err(e) => failed(Provider::Severpay, &e),
    }
}

/// Settles a payment the provider's API reports paid: for the order it
/// names, else the order imported for its id, else recorded as unknown; an
/// amount the API did not state is recorded and flagged, never guessed.
pub async fn paid_by_api(
    app: &App,
    provider: Provider,
    order: Option<OrderId>,
    provider_ref: &str,
    amount: Option<&Money>,
) -> Result<(), Error> {
    let Some(amount) = amount else {
        let detail = format!("payment {provider_ref} reported paid without an amount");
        return unknown_payment(app, provider, provider_ref, &detail).await;
    };
    match order {
        Some(order) => {
            let paid = Payment {
                order,
                amount: amount.clone(),
                provider_ref: provider_ref.to_owned(),
            };
            settle(app, Settlement::of(provider, &paid))
                .await
                .map(|_| ())
        }
        None => {
            let detail = format!("payment {provider_ref} has no order of ours");
            settle_unmatched(app, provider, provider_ref, amount, &detail).await
        }
    }
}

/// An authentic notification we cannot read: money may have moved, so it is
/// recorded (once per body) and flagged for an admin, and answered as
/// settled so the provider does not retry it for ever.
async fn unreadable(app: &App, provider: Provider, why: &str, raw: &[u8]) -> Result<(), Error> {
    let key = hex::encode(&Sha256::digest(raw)[..16]);
    let detail = format!("unreadable notification {key}: {why}");
    unknown_payment(app, provider, &key, &detail).await
}

fn answer(provider: Provider, result: Result<(), Error>, body: &str) -> HttpResponse {
    match result {
        Ok(()) => HttpResponse::json(
            StatusCode::OK,
            &serde_json::json!({"ok": true, "result": body}),
        ),
        Err(e) => failed(provider, &e),
    }
}

fn failed(provider: Provider, e: &Error) -> HttpResponse {
    let provider = provider.code();
    tracing::error!(
        provider,
        "notification not processed, the provider will retry: {e}"
    );
    HttpResponse::error(StatusCode::INTERNAL_SERVER_ERROR, "temporary failure")
}

fn disabled(provider: Provider) -> HttpResponse {
    let provider = provider.code();
    tracing::warn!(provider, "notification for a disabled provider refused");
    HttpResponse::error(StatusCode::NOT_FOUND, "provider not enabled")
}

/// Maps a verification failure to the provider's retry rules.
fn refused(provider: Provider, e: &PayError) -> HttpResponse {
    let provider = provider.code();
    match e {
        PayError::NotAuthentic(why) => {
            tracing::warn!(provider, "notification refused: {why}");
            HttpResponse::error(StatusCode::UNAUTHORIZED, "not authentic")
        }
        PayError::Malformed(why) => {
            tracing::warn!(provider, "malformed notification refused: {why}");
            HttpResponse::error(StatusCode::BAD_REQUEST, "malformed")
        }
        PayError::Unavailable(why) => {
            tracing::error!(
                provider,
                "cannot verify now, the provider will retry: {why}"
            );
            HttpResponse::error(StatusCode::SERVICE_UNAVAILABLE, "temporary failure")
        }
        PayError::Unreadable(why) => {
            // Handlers record these before they get here; refuse the rest.
            tracing::warn!(provider, "unreadable notification: {why}");
            HttpResponse::error(StatusCode::BAD_REQUEST, "unreadable")
        }
        PayError::Refused(why) => {
            tracing::warn!(provider, "verification refused: {why}");
            HttpResponse::error(StatusCode::BAD_REQUEST, "refused")
        }
    }
}
