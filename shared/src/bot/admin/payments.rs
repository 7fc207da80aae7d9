//! Payments on the admin side: the credited payments of 1, 7 or 30 days by
//! provider and status, one payment's detail, the CSV export, and the
//! refund of a YooKassa order through its API (Stars refunds are in
//! `bot::stars`).

use super::menu::{Reply, back, btn, compact_day, err, plain_back};
use crate::adapters::app::App;
use crate::adapters::pay::Money;
use crate::adapters::store::users::User;
use crate::base::admin_callback::{AdminAction, PayStatus, PayView};
use crate::base::clock::now;
use crate::base::format::{date, date_time, order_status, provider_filter_name, provider_name};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Kopecks, Lang};
use crate::bot::BotError;
use crate::bot::screens::Screen;
use teloxide_core::requests::Requester;
use teloxide_core::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile};

/// `yyyy-mm-dd` from `yyyymmdd`.
fn dashed(day: &str) -> String {
    format!("{}-{}-{}", &day[..4], &day[4..6], &day[6..8])
}

fn day_ts(day: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(&dashed(day), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map(|d| d.and_utc().timestamp())
        .unwrap_or_else(now)
}

/// Payments listed on one screen (the CSV has all).
const PAYMENTS_SHOWN: usize = 30;

/// The credited payments of `view.days` days ending with `day`, newest
/// first (one `Query` per day), of one provider or all, with each order's
/// current status, kept when it matches `view.status`.
async fn payment_rows(
    app: &App,
    day: &str,
    prov: &str,
    view: PayView,
) -> Result<Vec<(crate::adapters::store::payments::PaymentRow, String)>, BotError> {
    let end = day_ts(day);
    let mut rows = Vec::new();
    for back in 0..i64::from(view.days) {
        let d = compact_day(end - back * 86_400);
        rows.extend(
            app.store
                .payments_of_day(&dashed(&d), (prov != "all").then_some(prov))
                .await?,
        );
    }
    // The current status (a refund changes it) from the orders themselves.
    let statuses = futures::future::join_all(rows.iter().map(|r| async {
        let id = crate::adapters::pay::OrderId(r.order.clone());
        match app.store.get_order(&id).await {
            Ok(Some(o)) => o.status.code().to_owned(),
            _ => "?".to_owned(),
        }
    }))
    .await;
    Ok(rows
        .into_iter()
        .zip(statuses)
        .filter(|(_, status)| view.status == PayStatus::Any || status == view.status.code())
        .collect())
}

pub(super) async fn payments(
    app: &App,
    lang: Lang,
    day: &str,
    prov: &str,
    view: PayView,
) -> Result<Screen, BotError> {
    let rows = payment_rows(app, day, prov, view).await?;
    let dates = if view.days == 1 {
        date(lang, day_ts(day))
    } else {
        format!(
            "{} – {}",
            date(lang, day_ts(day) - (i64::from(view.days) - 1) * 86_400),
            date(lang, day_ts(day))
        )
    };
    let mut text = tr(
        lang,
        "admin-payments-title",
        &[
            ("date", Arg::Str(dates)),
            ("provider", Arg::Str(provider_filter_name(lang, prov))),
            ("count", Arg::Num(rows.len() as i64)),
        ],
    );
    if view.status != PayStatus::Any {
        text.push_str(&format!(" · {}", filter_name(lang, view.status)));
    }
    let mut kb = Vec::new();
    for (r, status) in rows.iter().take(PAYMENTS_SHOWN) {
        let m = Money::from_minor(r.amount, &r.currency).unwrap_or(Money::Rub(Kopecks(0)));
        text.push_str(&format!(
            "\n{} · <code>{}</code> · {} · {} · {} · {}",
            date_time(lang, r.at),
            r.user,
            html(&provider_filter_name(lang, &r.provider)),
            crate::domains::money::effects::amount_text(app, lang, &m),
            html(&product_name(lang, &r.purchase)),
            order_status(lang, status),
        ));
        let detail = AdminAction::Payment(r.order.clone());
        if detail.data().len() <= 64 {
            let label = format!(
                "{} {}",
                r.user,
                crate::domains::money::effects::amount_text(app, lang, &m)
            );
            kb.push(vec![InlineKeyboardButton::callback(label, detail.data())]);
        }
    }
    let ts = day_ts(day);
    kb.push(vec![
        InlineKeyboardButton::callback(
            "◀",
            AdminAction::Payments(compact_day(ts - 86_400), prov.to_owned(), view).data(),
        ),
        btn(
            lang,
            "admin-btn-csv",
            AdminAction::PaymentsCsv(day.to_owned(), prov.to_owned(), view),
        ),
        InlineKeyboardButton::callback(
            "▶",
            AdminAction::Payments(compact_day(ts + 86_400), prov.to_owned(), view).data(),
        ),
    ]);
    // Status and range: 1, 7 or 30 days ending with this day.
    let row: Vec<InlineKeyboardButton> = [PayStatus::Any, PayStatus::Paid, PayStatus::Refunded]
        .into_iter()
        .map(|status| {
            InlineKeyboardButton::callback(
                marked(status == view.status, filter_name(lang, status)),
                AdminAction::Payments(day.to_owned(), prov.to_owned(), PayView { status, ..view })
                    .data(),
            )
        })
        .collect();
    kb.push(row);
    kb.push(
        [1u8, 7, 30]
            .into_iter()
            .map(|days| {
                let label = tr(
                    lang,
                    "admin-range-days",
                    &[("count", Arg::Num(i64::from(days)))],
                );
                InlineKeyboardButton::callback(
                    marked(days == view.days, label),
                    AdminAction::Payments(
                        day.to_owned(),
                        prov.to_owned(),
                        PayView { days, ..view },
                    )
                    .data(),
                )
            })
            .collect(),
    );
    let provider_button = |p: &&str| {
        InlineKeyboardButton::callback(
            marked(*p == prov, provider_filter_name(lang, p)),
            AdminAction::Payments(day.to_owned(), (*p).to_owned(), view).data(),
        )
    };
    let filters = crate::base::admin_callback::PAYMENT_FILTERS;
    kb.push(filters.iter().take(3).map(provider_button).collect());
    kb.push(
        filters
            .iter()
            .skip(3)
            .take(3)
            .map(provider_button)
            .collect(),
    );
    kb.push(filters.iter().skip(6).map(provider_button).collect());
    kb.push(back(lang));
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(kb),
    })
}

/// A filter button's label, marked when it is the one in use.
fn marked(active: bool, label: String) -> String {
    if active {
        format!("✓ {label}")
    } else {
        label
    }
}

/// A status filter as a word ("все", "оплаченные", "возвращённые").
fn filter_name(lang: Lang, status: PayStatus) -> String {
    t(lang, &format!("admin-filter-{}", status.code()))
}

/// The order `id` when it is a YooKassa payment (refunded through its API).
pub(super) async fn yookassa_order(
    app: &App,
    id: &str,
) -> Result<Option<crate::domains::money::orders::Order>, BotError> {
    let Some(order_id) = crate::adapters::pay::OrderId::parse(id) else {
        return Ok(None);
    };
    Ok(app
        .store
        .get_order(&order_id)
        .await?
        .filter(|o| o.provider == crate::base::types::Provider::Yookassa))
}

/// Refunds a YooKassa order through the API; the reply and whether
/// anything changed (a refusal changes nothing and is not audited).
pub(super) async fn yookassa_refund(
    app: &App,
    lang: Lang,
    order: &crate::domains::money::orders::Order,
) -> Result<(String, bool), BotError> {
    use crate::domains::money::orders::{OrderStatus, Refund};
    use crate::domains::money::refunds::{self, YooRefundOutcome};
    let arg = || vec![("order", Arg::Str(order.id.0.clone()))];
    if order.status != OrderStatus::Paid {
        return Ok((t(lang, "refund-not-refundable"), false));
    }
    match refunds::yookassa_refund(app, order).await {
        Ok(YooRefundOutcome::Refused(why)) => Ok((
            tr(lang, "refund-refused", &[("error", Arg::Str(html(&why)))]),
            false,
        )),
        Ok(YooRefundOutcome::Pending) => Ok((tr(lang, "refund-pending", &arg()), true)),
        Ok(YooRefundOutcome::Recorded(r)) if matches!(*r, Refund::Done { .. }) => {
            Ok((tr(lang, "refund-done", &arg()), true))
        }
        Ok(YooRefundOutcome::Recorded(_)) => {
            Ok((tr(lang, "refund-money-not-recorded", &arg()), true))
        }
        Err(e) => {
            tracing::error!(order = %order.id, "YooKassa refunded but not recorded: {e}");
            Ok((tr(lang, "refund-money-not-recorded", &arg()), true))
        }
    }
}

pub(super) async fn payment(app: &App, lang: Lang, id: &str) -> Result<Screen, BotError> {
    let Some(order_id) = crate::adapters::pay::OrderId::parse(id) else {
        return Ok(plain_back(lang, t(lang, "refund-not-found")));
    };
    let Some(o) = app.store.get_order(&order_id).await? else {
        return Ok(plain_back(lang, t(lang, "refund-not-found")));
    };
    let text = tr(
        lang,
        "admin-payment",
        &[
            ("order", Arg::Str(html(&o.id.0))),
            ("user", Arg::Str(o.user.to_string())),
            ("provider", Arg::Str(provider_name(lang, o.provider))),
            (
                "amount",
                Arg::Str(crate::domains::money::effects::amount_text(
                    app, lang, &o.amount,
                )),
            ),
            ("status", Arg::Str(order_status(lang, o.status.code()))),
            ("date", Arg::Str(date_time(lang, o.created_at))),
            (
                "ref",
                Arg::Str(html(o.provider_ref.as_deref().unwrap_or("—"))),
            ),
            ("days", Arg::Num(i64::from(o.granted_days.unwrap_or(0)))),
        ],
    );
    let mut kb = Vec::new();
    let refundable = o.status == crate::domains::money::orders::OrderStatus::Paid
        && (o.provider == crate::base::types::Provider::Stars
            || (o.provider == crate::base::types::Provider::Yookassa
                && app.config.yookassa.is_some()));
    let refund = AdminAction::PaymentRefund(o.id.0.clone());
    if refundable && refund.data().len() <= 64 {
        kb.push(vec![btn(lang, "admin-btn-refund", refund)]);
    }
    kb.push(vec![btn(lang, "admin-btn-card", AdminAction::Card(o.user))]);
    kb.push(back(lang));
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(kb),
    })
}

/// What a payment bought as the admin reads it ("1-month subscription",
/// "+2 devices", "10 GB of traffic"); an unknown code as stored.
fn product_name(lang: crate::base::types::Lang, code: &str) -> String {
    crate::domains::money::orders::Purchase::from_code(code).map_or_else(
        || code.to_owned(),
        |p| crate::domains::money::catalog::what(lang, p),
    )
}

/// A day's payments as CSV: `at,order,user,provider,purchase,amount_minor,currency,status,product`
/// (`purchase` the stored code, `product` its name in the admin's language).
pub(super) async fn payments_csv(
    app: &App,
    admin: &User,
    day: &str,
    prov: &str,
    view: PayView,
) -> Result<Reply, BotError> {
    let rows = payment_rows(app, day, prov, view).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| err(e.to_string().into());
    w.write_record([
        "at",
        "order",
        "user",
        "provider",
        "purchase",
        "amount_minor",
        "currency",
        "status",
        "product",
    ])
    .map_err(csv_err)?;
    for (r, status) in &rows {
        let at = chrono::DateTime::from_timestamp(r.at, 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default();
        w.write_record([
            at.as_str(),
            &r.order,
            &r.user.to_string(),
            &r.provider,
            &r.purchase,
            &r.amount.to_string(),
            &r.currency,
            status,
            &product_name(admin.lang, &r.purchase),
        ])
        .map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string().into()))?;
    let name = format!("payments-{}-{prov}.csv", dashed(day));
    if let Err(e) = app
        .bot
        .send_document(ChatId(admin.id.0), InputFile::memory(bytes).file_name(name))
        .await
    {
        tracing::error!("payments CSV not sent: {e}");
    }
    Ok(Reply::Sent)
}
