//! The cabinet's JSON API (`/app/api/…`). Every call is the verified
//! caller's (`auth::caller`); ids in a path or body only ever select among
//! the caller's own things. A call that changes something carries the
//! page's press id and is answered once (`Store::take_press`): a double tap
//! or a retry gets the first answer back. Endpoints, answers and errors:
//! `docs/cabinet.md`.

use super::{ApiError, auth, json};
use crate::adapters::app::App;
use crate::adapters::http::{HttpRequest, HttpResponse};
use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::presses::Press;
use crate::adapters::store::users::{Traffic, User};
use crate::base::callback::{TOPUP_MAX, TOPUP_MIN, TOPUP_PRESETS, device_key};
use crate::base::clock::now;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, plain, t, tr};
use crate::base::types::{Kopecks, Lang, Period, Provider};
use crate::bot::{buy, screens, vpn};
use crate::domains::money::catalog;
use crate::domains::money::checkout::{self, Checkout, CheckoutRequest};
use crate::domains::money::links::CheckoutError;
use crate::domains::money::orders::Purchase;
use http::StatusCode;
use serde_json::{Value, json};

/// Rows of the history per page.
const HISTORY_PAGE: i32 = 10;

/// The labels the page shows, by Fluent key (the bot's where it has one).
const LABELS: &[&str] = &[
    "cab-title",
    "cab-tab-subscription",
    "cab-tab-connect",
    "cab-tab-devices",
    "cab-tab-pay",
    "cab-tab-history",
    "cab-tab-referrals",
    "cab-traffic",
    "cab-devices-used",
    "cab-trial-offer",
    "cab-trial-take",
    "cab-link",
    "cab-copy",
    "cab-copied",
    "cab-guide",
    "cab-download",
    "cab-add",
    "cab-link-pending",
    "cab-no-subscription",
    "cab-remove",
    "cab-plans",
    "cab-topup",
    "cab-topup-amount",
    "cab-waiting",
    "cab-paid",
    "cab-promo",
    "cab-promo-placeholder",
    "cab-apply",
    "cab-balance",
    "cab-more",
    "cab-share",
    "cab-error",
    "cab-support",
    "devices-none",
    "history-empty",
];

/// Serves `/app/api/<path>`.
pub(super) async fn handle(app: &App, req: HttpRequest, path: &str) -> HttpResponse {
    let ts = now();
    let user = match auth::caller(app, &req, ts).await {
        Ok(user) => user,
        Err(e) => return e.response(app.config.default_language),
    };
    let lang = user.lang;
    let answer = match (req.method.as_str(), path) {
        ("GET", "me") => me(app, &user, ts).await,
        ("GET", "connect") => connect(app, &user, ts).await,
        ("GET", "devices") => devices(app, &user).await,
        ("GET", "plans") => Ok(plans(app, &user, ts)),
        ("GET", "history") => history(app, &user, &req.query).await,
        ("GET", "referrals") => referrals(app, &user).await,
        ("GET", p) if p.starts_with("orders/") => order(app, &user, &p[7..], ts).await,
        ("POST", "language") => language(app, &user, &req.body).await,
        ("POST", action @ ("pay" | "promo" | "trial" | "devices/remove")) => {
            return once(app, &user, action, &req.body, ts).await;
        }
        _ => Err(ApiError::not_found("no_such_endpoint")),
    };
    reply(lang, answer)
}

fn reply(lang: Lang, answer: Result<Value, ApiError>) -> HttpResponse {
    match answer {
        Ok(v) => json(StatusCode::OK, &v),
        Err(e) => e.response(lang),
    }
}

/// The body of a call that changes something.
#[derive(Debug, serde::Deserialize)]
struct Action {
    /// The page's id for this press: the same press sent twice is one action.
    press: String,
    /// `pay`: what is bought.
    #[serde(default)]
    plan: Option<u32>,
    /// `pay`: a balance top-up of this many rubles instead of a plan.
    #[serde(default)]
    topup: Option<u32>,
    /// `pay`: how (`yookassa`, `cryptopay`, `stars`, `balance`, …).
    #[serde(default)]
    provider: Option<String>,
    /// `promo`: what the user typed.
    #[serde(default)]
    code: Option<String>,
    /// `devices/remove`: the device's id from `devices`.
    #[serde(default)]
    device: Option<u32>,
}

fn valid_press(p: &str) -> bool {
    (8..=64).contains(&p.len())
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Runs `action` once per press: the first request does it and keeps its
/// answer, a repeat gets that answer, a repeat while it runs is told to
/// wait. A failure on our side lets go of the press so a retry does it.
async fn once(app: &App, user: &User, action: &str, body: &[u8], ts: i64) -> HttpResponse {
    let lang = user.lang;
    let parsed: Action = match serde_json::from_slice(body) {
        Ok(a) => a,
        Err(_) => return ApiError::bad_request("bad_body").response(lang),
    };
    if !valid_press(&parsed.press) {
        return ApiError::bad_request("bad_press").response(lang);
    }
    let key = format!("{action}:{}", parsed.press);
    match app.store.take_press(user.id, &key, ts).await {
        Err(e) => return ApiError::from(e).response(lang),
        Ok(Press::InProgress) => {
            return ApiError::new(StatusCode::CONFLICT, "in_progress", "cab-in-progress")
                .response(lang);
        }
        Ok(Press::Done(status, answer)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let value = serde_json::from_str(&answer).unwrap_or(Value::Null);
            return json(status, &value);
        }
        Ok(Press::Acquired) => {}
    }
    let result = match action {
        "pay" => pay(app, user, &parsed, &key).await,
        "promo" => promo(app, user, &parsed, ts).await,
        "trial" => trial(app, user, ts).await,
        _ => remove_device(app, user, &parsed).await,
    };
    let resp = reply(lang, result);
    if resp.status.is_server_error() {
        if let Err(e) = app.store.release_press(user.id, &key).await {
            tracing::error!("press not released: {e}");
        }
    } else if let Err(e) = app
        .store
        .finish_press(
            user.id,
            &key,
            resp.status.as_u16(),
            &String::from_utf8_lossy(&resp.body),
        )
        .await
    {
        // The action is done; only its record is missing. A repeat within
        // the lease is told to wait; one after it does the action again:
        // nothing more for a balance purchase, a promo code, the trial or a
        // device (each is once by itself too), a second pending order for
        // a provider's page (paid only if the user pays it).
        tracing::error!("press answer not kept: {e}");
    }
    resp
}

fn labels(lang: Lang) -> Value {
    let map: serde_json::Map<String, Value> = LABELS
        .iter()
        .map(|k| ((*k).to_owned(), Value::String(plain(&t(lang, k)))))
        .collect();
    Value::Object(map)
}

/// Traffic from the panel (one call), else the last figures the bot cached.
async fn traffic(app: &App, user: &User) -> Option<Traffic> {
    let (client, link) = (app.panel.as_ref()?, user.panel.as_ref()?);
    match vpn::within(client.user(link.id)).await {
        Ok(p) => Some(Traffic {
            used: p.used_bytes(),
            limit: p.traffic_limit_bytes,
            at: now(),
        }),
        Err(e) => {
            tracing::warn!(user = %user.id, "traffic not read from the panel: {e}");
            user.traffic
        }
    }
}

/// The dashboard: one `UpdateItem` (the caller's touch) and at most one
/// panel call (traffic).
async fn me(app: &App, user: &User, ts: i64) -> Result<Value, ApiError> {
    let config = &app.config;
    let lang = user.lang;
    let active = user.active(ts);
    let traffic = traffic(app, user).await.filter(|_| user.sub_end.is_some());
    let days_left = user
        .sub_end
        .filter(|_| active)
        .map(|end| (end - ts + 86_399) / 86_400);
    Ok(json!({
        "ok": true,
        "user": {"id": user.id.0, "name": user.first_name, "lang": lang.code()},
        "texts": labels(lang),
        "subscription": {
            "active": active,
            "end": user.sub_end,
            "end_text": user.sub_end.map(|at| date(user.lang, at)),
            "days_left": days_left,
            "status": plain(&screens::subscription_status(user, ts)),
            "trial": user.trial_end.is_some() && user.trial_end == user.sub_end,
            "traffic": traffic.map(|t| json!({
                "used": t.used, "limit": t.limit,
                "text": plain(&screens::traffic_line(lang, t)),
            })),
            "device_limit": config.panel.as_ref().and_then(|p| p.hwid_device_limit),
            "link_ready": active && user.subscription_url.is_some(),
            "link_pending": active && user.subscription_url.is_none() && config.panel.is_some(),
            "trial_offer": screens::trial_offered(config, user, ts)
                .then(|| config.trial.map(|t| plain(&tr(lang, "cab-trial-days", &[("count", Arg::Num(i64::from(t.days)))]))))
                .flatten(),
        },
        "balance": {"kopecks": user.balance.0, "text": money(lang, config, user.balance)},
        "sections": {
            "devices": screens::devices_offered(config, user),
            "pay": catalog::selling(config),
            "topup": catalog::topup_available(config),
        },
        "support": config.links.support,
    }))
}

/// The subscription link, its QR code and the install guide: the
/// operator's own from the panel's Subscription Page configuration (read at
/// most every ten minutes), else the built-in one, the same guide the bot's
/// "How to connect" shows.
async fn connect(app: &App, user: &User, ts: i64) -> Result<Value, ApiError> {
    let link = user.subscription_url.as_deref().filter(|_| user.active(ts));
    let config = match app.panel.as_ref() {
        Some(client) => vpn::within(client.subpage_config(ts))
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("subscription-page configuration not read, built-in guide: {e}");
                None
            }),
        None => None,
    };
    let guide = crate::domains::access::subpage::guide_for(
        config.as_ref(),
        user.lang,
        link.unwrap_or_default(),
    );
    let Some(link) = link else {
        return Ok(
            json!({"ok": true, "link": null, "qr": null, "guide": guide_json(&guide, None)}),
        );
    };
    // With crypt4 on, the link shown (and its QR code) is the crypt4 one;
    // the guide's buttons are found by the plain link they carry.
    let shown = crate::domains::access::crypt4::LinkView::for_user(&app.config, user, link).text;
    let qr = qrcode::QrCode::new(shown.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build()
        })
        .map_err(|e| ApiError::internal(&e))?;
    Ok(json!({"ok": true, "link": shown, "qr": qr, "guide": guide_json(&guide, Some(link))}))
}

/// The guide as the page reads it: per app, where to get it (the first
/// link of its steps that is not the subscriber's) and the link that adds
/// the subscription (the first that carries it), with the steps as text.
fn guide_json(guide: &crate::domains::access::subpage::Guide, link: Option<&str>) -> Value {
    Value::Array(
        guide
            .platforms
            .iter()
            .map(|p| {
                json!({
                    "id": p.id,
                    "name": p.name,
                    "apps": p.apps.iter().map(|a| {
                        let buttons = a.steps.iter().flat_map(|s| &s.buttons);
                        let carries = |url: &str| link.is_some_and(|l| !l.is_empty() && url.contains(l));
                        json!({
                            "name": a.name,
                            "featured": a.featured,
                            "download": buttons.clone().map(|b| b.url.as_str()).find(|u| !carries(u)),
                            "add": buttons.map(|b| b.url.as_str()).find(|u| carries(u)),
                            "steps": a.steps.iter().map(|s| json!({"title": s.title, "text": s.text})).collect::<Vec<_>>(),
                        })
                    }).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

fn device_json(lang: Lang, d: &crate::adapters::panel::Device) -> Value {
    json!({
        "id": device_key(&d.hwid),
        "name": screens::device_name(lang, d),
        "platform": d.platform,
        "added": d.created_at.as_deref().and_then(crate::adapters::panel::parse_time)
            .map(|at| date(lang, at)),
    })
}

fn panel_unavailable() -> ApiError {
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "panel_unavailable",
        "panel-unavailable",
    )
}

/// The caller's panel account, when devices are offered to them.
fn device_panel<'a>(
    app: &'a App,
    user: &User,
) -> Result<(&'a crate::adapters::panel::PanelClient, i64), ApiError> {
    match (app.panel.as_ref(), user.panel.as_ref()) {
        (Some(client), Some(link)) if screens::devices_offered(&app.config, user) => {
            Ok((client, link.id))
        }
        _ => Err(ApiError::not_found("no_devices")),
    }
}

/// The caller's devices (one panel call).
async fn devices(app: &App, user: &User) -> Result<Value, ApiError> {
    let (client, panel_id) = device_panel(app, user)?;
    let list = vpn::within(client.devices(panel_id)).await.map_err(|e| {
        tracing::warn!(user = %user.id, "devices not read from the panel: {e}");
        panel_unavailable()
    })?;
    Ok(json!({
        "ok": true,
        "limit": app.config.panel.as_ref().and_then(|p| p.hwid_device_limit),
        "devices": list.iter().map(|d| device_json(user.lang, d)).collect::<Vec<_>>(),
    }))
}

/// Removes one of the caller's devices; a device no longer listed (removed
/// by the first of two requests, or never theirs) removes nothing.
async fn remove_device(app: &App, user: &User, action: &Action) -> Result<Value, ApiError> {
    let key = action.device.ok_or(ApiError::bad_request("no_device"))?;
    let (client, panel_id) = device_panel(app, user)?;
    let list = vpn::within(client.devices(panel_id))
        .await
        .map_err(|_| panel_unavailable())?;
    let Some(device) = list.iter().find(|d| device_key(&d.hwid) == key) else {
        return Err(ApiError::not_found("no_such_device"));
    };
    let rest = vpn::within(client.delete_device(panel_id, &device.hwid))
        .await
        .map_err(|e| {
            tracing::warn!(user = %user.id, "device not removed: {e}");
            panel_unavailable()
        })?;
    tracing::info!(user = %user.id, "device removed from the cabinet");
    let name = screens::device_name(user.lang, device);
    Ok(json!({
        "ok": true,
        "removed": name,
        "text": plain(&tr(user.lang, "device-removed", &[("name", Arg::Str(crate::base::i18n::html(&name)))])),
        "devices": rest.iter().map(|d| device_json(user.lang, d)).collect::<Vec<_>>(),
    }))
}

fn method_json(app: &App, user: &User, provider: Provider) -> Value {
    json!({"provider": provider.code(), "label": plain(&buy::method_label(&app.config, user.lang, provider, user))})
}

/// The plans with their prices and ways to pay, top-up amounts and methods.
fn plans(app: &App, user: &User, ts: i64) -> Value {
    let config = &app.config;
    let plans: Vec<Value> = config
        .plans
        .iter()
        .filter(|p| p.enabled)
        .filter_map(|p| {
            let methods = catalog::plan_methods(config, p.period, Some(user));
            (!methods.is_empty()).then(|| {
                json!({
                    "months": p.period.months(),
                    "label": plain(&buy::price_line(config, user, crate::base::types::Product::Period(p.period))),
                    "methods": methods.iter().map(|m| method_json(app, user, *m)).collect::<Vec<_>>(),
                })
            })
        })
        .collect();
    let topup = catalog::topup_available(config).then(|| {
        json!({
            "min": TOPUP_MIN, "max": TOPUP_MAX,
            "presets": TOPUP_PRESETS.iter().map(|rub| json!({
                "rub": rub, "text": money(user.lang, config, Kopecks::from_rubles(u64::from(*rub))),
            })).collect::<Vec<_>>(),
            "methods": catalog::rub_providers(config).iter().map(|m| method_json(app, user, *m)).collect::<Vec<_>>(),
        })
    });
    let discount = user.discount_at(ts).map(|d| {
        plain(&tr(
            user.lang,
            "plans-discount",
            &[
                ("percent", Arg::Num(i64::from(d.percent))),
                ("date", Arg::Str(date(user.lang, d.until))),
            ],
        ))
    });
    json!({
        "ok": true,
        "plans": plans,
        "topup": topup,
        "discount": discount,
        "balance": money(user.lang, config, user.balance),
    })
}

/// Starts paying through the bot's own checkout: the same order, prices,
/// discount reservation and crediting. The press is the checkout's press
/// too, so a balance purchase pressed twice is one order even past the
/// press record.
async fn pay(app: &App, user: &User, action: &Action, key: &str) -> Result<Value, ApiError> {
    let provider = action
        .provider
        .as_deref()
        .and_then(Provider::from_code)
        .ok_or(ApiError::bad_request("bad_provider"))?;
    let unavailable = || {
        ApiError::new(
            StatusCode::CONFLICT,
            "method_unavailable",
            "method-unavailable",
        )
    };
    let (purchase, amount) = match (action.plan, action.topup) {
        (Some(months), None) => {
            let period = Period::from_months(months).ok_or(ApiError::bad_request("bad_plan"))?;
            if provider == Provider::Tribute {
                // Tribute sells through its own subscription links, not our orders.
                let link = app.config.plan(period).tribute_link.clone().filter(|_| {
                    catalog::plan_methods(&app.config, period, Some(user))
                        .contains(&Provider::Tribute)
                });
                return match link {
                    Some(url) => Ok(json!({"ok": true, "kind": "external", "url": url})),
                    None => Err(unavailable()),
                };
            }
            let purchase = Purchase::Plan(period);
            let amount = checkout::price(app, user, purchase, provider).ok_or_else(unavailable)?;
            (purchase, amount)
        }
        (None, Some(rub)) => {
            if !(TOPUP_MIN..=TOPUP_MAX).contains(&rub) {
                return Err(ApiError::bad_request("bad_amount"));
            }
            if !catalog::rub_providers(&app.config).contains(&provider) {
                return Err(unavailable());
            }
            let k = Kopecks::from_rubles(u64::from(rub));
            (Purchase::TopUp(k), Money::rub(k))
        }
        _ => return Err(ApiError::bad_request("plan_or_topup")),
    };
    let press = format!("cabinet:{key}");
    let req = CheckoutRequest {
        user,
        purchase,
        amount,
        provider,
        press: Some(&press),
        save_card: false,
        invoice_link: true,
    };
    match checkout::start(app, req).await {
        Ok(Checkout::Link { url, order, .. }) => {
            let kind = if provider == Provider::Stars {
                "invoice"
            } else {
                "link"
            };
            Ok(json!({"ok": true, "kind": kind, "url": url, "order": order.id.0}))
        }
        Ok(Checkout::Paid(credit)) => {
            crate::domains::money::effects::after_credit(app, &credit).await?;
            Ok(json!({
                "ok": true, "kind": "paid", "order": credit.order.id.0,
                "end_text": credit.user.sub_end.map(|at| date(credit.user.lang, at)),
            }))
        }
        Ok(Checkout::InvoiceSent(order)) => {
            Ok(json!({"ok": true, "kind": "chat", "order": order.id.0}))
        }
        Ok(Checkout::Refused(key)) => Err(ApiError::new(StatusCode::CONFLICT, "refused", key)),
        Err(CheckoutError::Provider(e)) => {
            tracing::error!(provider = provider.code(), "payment could not start: {e}");
            Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                "provider_failed",
                "payment-start-failed",
            ))
        }
        Err(e) => Err(ApiError::internal(&e)),
    }
}

/// An order of the caller's: its status and, once paid, the new end. An
/// order of anyone else is answered exactly as one that does not exist.
async fn order(app: &App, user: &User, id: &str, ts: i64) -> Result<Value, ApiError> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::not_found("no_such_order"));
    }
    let order = app
        .store
        .get_order(&OrderId(id.to_owned()))
        .await?
        .filter(|o| o.user == user.id)
        .ok_or(ApiError::not_found("no_such_order"))?;
    let status = order.status.code();
    let paid = status == "paid";
    let fresh = if paid {
        app.store.get_user(user.id).await?
    } else {
        None
    };
    let fresh = fresh.as_ref().unwrap_or(user);
    Ok(json!({
        "ok": true,
        "order": order.id.0,
        "status": status,
        "end_text": fresh.sub_end.filter(|_| paid).map(|at| date(user.lang, at)),
        "status_text": paid.then(|| plain(&screens::subscription_status(fresh, ts))),
        "balance": paid.then(|| money(user.lang, &app.config, fresh.balance)),
    }))
}

/// A page of the ledger, newest first.
async fn history(app: &App, user: &User, query: &str) -> Result<Value, ApiError> {
    let cursor = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.into_owned());
    if let Some(c) = &cursor
        && (c.len() > 128
            || !c
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"#_-:.".contains(&b)))
    {
        return Err(ApiError::bad_request("bad_cursor"));
    }
    let (rows, next) = app
        .store
        .ledger_page(user.id, cursor.as_deref(), HISTORY_PAGE)
        .await?;
    Ok(json!({
        "ok": true,
        "balance": money(user.lang, &app.config, user.balance),
        "rows": rows.iter().map(|r| plain(&buy::history_line(&app.config, user.lang, r))).collect::<Vec<_>>(),
        "next": next,
    }))
}

/// The personal link, Telegram's share link, and what invitees brought.
async fn referrals(app: &App, user: &User) -> Result<Value, ApiError> {
    let bot = app.bot_username().await;
    let screen = screens::referrals(&app.config, user, bot);
    let link = bot.map(|b| format!("https://t.me/{b}?start=ref_{}", user.ref_code));
    let share = link.as_deref().and_then(|l| {
        reqwest::Url::parse_with_params(
            "https://t.me/share/url",
            &[("url", l), ("text", &t(user.lang, "referral-share-text"))],
        )
        .ok()
        .map(String::from)
    });
    // The bot's referral text, without its title and the link (the page
    // shows the link in its own box).
    let text = plain(&screen.text);
    let all: Vec<&str> = text.lines().map(str::trim).collect();
    let shown = |l: &str| link.as_deref() == Some(l) || l.ends_with(&user.ref_code);
    let lines: Vec<&str> = all
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(i, l)| {
            !l.is_empty() && !shown(l) && !all.get(i + 1).is_some_and(|next| shown(next))
        })
        .map(|(_, l)| *l)
        .collect();
    Ok(json!({
        "ok": true,
        "link": link,
        "share": share,
        "invited": user.referrals,
        "paying": user.referral_stats.paying,
        "lines": lines,
    }))
}

/// A promo code: the bot's activation (limit, once per user, guesses).
async fn promo(app: &App, user: &User, action: &Action, ts: i64) -> Result<Value, ApiError> {
    use crate::domains::growth::promo::Outcome;
    let code = action.code.as_deref().unwrap_or_default();
    let outcome = crate::domains::growth::promo::activate(app, user, code, ts).await?;
    match outcome {
        Outcome::Activated { .. } => {
            let screen = super::super::promo::render(app, user.lang, outcome);
            Ok(json!({"ok": true, "text": plain(&screen.text)}))
        }
        Outcome::Refused(why) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "promo_refused",
            why.key(),
        )),
    }
}

/// The free trial, once per user, as the bot's button starts it.
async fn trial(app: &App, user: &User, ts: i64) -> Result<Value, ApiError> {
    if !screens::trial_offered(&app.config, user, ts) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "trial_unavailable",
            "trial-unavailable",
        ));
    }
    let screen = vpn::trial(app, user, ts).await?;
    let fresh = app.store.get_user(user.id).await?;
    if fresh.as_ref().and_then(|u| u.trial_used_at).is_none() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "trial_unavailable",
            "trial-unavailable",
        ));
    }
    Ok(json!({"ok": true, "text": plain(&screen.text)}))
}

/// The caller's language, for the cabinet and the bot alike.
async fn language(app: &App, user: &User, body: &[u8]) -> Result<Value, ApiError> {
    #[derive(serde::Deserialize)]
    struct Body {
        lang: String,
    }
    let lang = serde_json::from_slice::<Body>(body)
        .ok()
        .and_then(|b| Lang::from_code(&b.lang))
        .ok_or(ApiError::bad_request("bad_language"))?;
    app.store.set_language(user.id, lang).await?;
    Ok(json!({"ok": true, "lang": lang.code()}))
}
