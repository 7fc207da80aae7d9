//! The admin side: `/admin` menu, stats and chart, users (find, card, ban,
//! days, balance, trial, message), the audit log. The caller has already
//! authorised the admin (`config.admin(id)` and a proven origin) for this
//! very update; nothing here trusts callback data for that.

use super::screens::Screen;
use super::{BotError, send};
use crate::adapters::app::App;
use crate::adapters::pay::Money;
use crate::adapters::store::StoreError;
use crate::adapters::store::admin::Audit;
use crate::adapters::store::stats::counter;
use crate::adapters::store::users::User;
use crate::base::admin_callback::{AdminAction, PayStatus, PayView};
use crate::base::clock::now;
use crate::base::format::{date, date_time, money};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Kopecks, Lang, TelegramId};
use crate::domains::admin::broadcast;
use crate::domains::admin::stats::{Span, Stats};
use crate::domains::admin::users::{self, Outcome};
use aws_sdk_dynamodb::types::AttributeValue;
use std::time::Duration;
use teloxide_core::payloads::SendPhotoSetters;
use teloxide_core::requests::Requester;
use teloxide_core::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, ParseMode,
};

/// Conversation states of the admin side (on the admin's user item).
const FIND: &str = "adm_find";
const BALANCE: &str = "adm_bal:";
const MESSAGE: &str = "adm_msg:";
const BROADCAST: &str = "adm_bc";
const BUTTONS: &str = "adm_bcb:";
/// Banned users listed at once.
const BANNED_PAGE: i32 = 50;

/// What the admin side answers with.
pub enum Reply {
    /// A screen (edited in place after a button, sent after a message).
    Screen(Screen),
    /// Already answered (a photo, a copied message).
    Sent,
}

fn err(e: String) -> BotError {
    BotError::Store(StoreError::Dynamo(e))
}

fn btn(lang: Lang, key: &str, a: AdminAction) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(t(lang, key), a.data())
}

/// `/admin`.
pub fn menu(lang: Lang) -> Screen {
    Screen {
        text: t(lang, "admin-menu"),
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![
                btn(lang, "admin-btn-stats", AdminAction::Stats),
                btn(lang, "admin-btn-chart", AdminAction::Chart),
            ],
            vec![
                btn(lang, "admin-btn-find", AdminAction::Find),
                btn(lang, "admin-btn-banned", AdminAction::Banned),
            ],
            vec![btn(
                lang,
                "admin-btn-payments",
                AdminAction::Payments(compact_day(now()), "all".into(), PayView::default()),
            )],
            vec![
                btn(lang, "admin-btn-broadcast", AdminAction::Broadcast),
                btn(lang, "admin-btn-logs", AdminAction::Logs(None)),
            ],
        ]),
    }
}

fn back(lang: Lang) -> Vec<InlineKeyboardButton> {
    vec![btn(lang, "admin-btn-back", AdminAction::Menu)]
}

/// Admin commands and the answers to what the admin side asked for.
/// `None`: not an admin matter, the ordinary bot handles the message.
pub async fn on_message(
    app: &App,
    admin: &User,
    msg: &Message,
    command: &str,
    text: &str,
) -> Result<Option<Reply>, BotError> {
    let lang = admin.lang;
    let arg = text.split_whitespace().nth(1).unwrap_or_default();
    let ts = now();
    let reply = match command {
        "/admin" => Reply::Screen(menu(lang)),
        "/stats" => Reply::Screen(stats_screen(app, lang).await?),
        "/chart" => chart(app, admin).await?,
        "/user" | "/find" if !arg.is_empty() => Reply::Screen(found(app, lang, arg).await?),
        "/ban" | "/unban" if !arg.is_empty() => {
            let Some(target) = users::find(app, arg).await.map_err(err)? else {
                return Ok(Some(Reply::Screen(plain_back(
                    lang,
                    t(lang, "admin-user-not-found"),
                ))));
            };
            Reply::Screen(ban(app, admin, target.id, command == "/ban").await?)
        }
        "/banned" => Reply::Screen(banned(app, lang).await?),
        "/logs" => Reply::Screen(logs(app, lang, None, None).await?),
        "/logscsv" => logs_csv(app, admin).await?,
        "/payments" => {
            Reply::Screen(payments(app, lang, &compact_day(ts), "all", PayView::default()).await?)
        }
        "/payment" if !arg.is_empty() => Reply::Screen(payment(app, lang, arg).await?),
        "/broadcast" => {
            app.store.set_state(admin.id, BROADCAST, ts).await?;
            Reply::Screen(plain_back(lang, t(lang, "broadcast-ask")))
        }
        _ if !command.starts_with('/') => {
            let Some(state) = admin.waiting_for(ts).map(str::to_owned) else {
                return Ok(None);
            };
            if state == BROADCAST {
                app.store.clear_state(admin.id).await?;
                let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
                app.store
                    .create_broadcast(&id, admin.id, lang, msg.chat.id.0, msg.id.0, ts)
                    .await?;
                Reply::Screen(audience_screen(lang, &id))
            } else if let Some(id) = state.strip_prefix(BUTTONS) {
                let id = id.to_owned();
                let buttons = match broadcast::parse_buttons(text) {
                    Ok(b) => b,
                    Err(line) => {
                        // The state stays: the admin sends the list again.
                        return Ok(Some(Reply::Screen(plain_back(
                            lang,
                            tr(
                                lang,
                                "broadcast-buttons-invalid",
                                &[("line", Arg::Str(html(&line)))],
                            ),
                        ))));
                    }
                };
                app.store.clear_state(admin.id).await?;
                let json = serde_json::to_string(&buttons).map_err(|e| err(e.to_string()))?;
                let kept = app
                    .store
                    .broadcast_transition(
                        &id,
                        "draft",
                        "SET buttons = :b",
                        &[(":b", AttributeValue::S(json))],
                    )
                    .await?;
                if !kept {
                    Reply::Screen(plain_back(lang, t(lang, "broadcast-not-draft")))
                } else {
                    let mut screen = audience_screen(lang, &id);
                    screen.text = format!(
                        "{}\n{}",
                        tr(
                            lang,
                            "broadcast-buttons-set",
                            &[("count", Arg::Num(buttons.len() as i64))]
                        ),
                        screen.text
                    );
                    Reply::Screen(screen)
                }
            } else if state == FIND {
                app.store.clear_state(admin.id).await?;
                Reply::Screen(found(app, lang, text).await?)
            } else if let Some(id) = state.strip_prefix(BALANCE).and_then(parse_id) {
                let Some((delta, reason)) = users::parse_adjustment(text) else {
                    return Ok(Some(Reply::Screen(Screen::plain(t(
                        lang,
                        "admin-balance-invalid",
                    )))));
                };
                app.store.clear_state(admin.id).await?;
                let op = format!("{}-{}", msg.chat.id, msg.id.0);
                let out = users::adjust_balance(app, admin.id, id, delta, &reason, &op)
                    .await
                    .map_err(err)?;
                Reply::Screen(after(app, lang, id, out, "admin-balance-refused").await?)
            } else if let Some(id) = state.strip_prefix(MESSAGE).and_then(parse_id) {
                app.store.clear_state(admin.id).await?;
                let copied = app
                    .bot
                    .copy_message(ChatId(id.0), msg.chat.id, msg.id)
                    .await;
                let text = match copied {
                    Ok(_) => {
                        users::record_message(app, admin.id, id)
                            .await
                            .map_err(err)?;
                        t(lang, "admin-message-sent")
                    }
                    Err(e) => tr(
                        lang,
                        "admin-message-failed",
                        &[("reason", Arg::Str(html(&e.to_string())))],
                    ),
                };
                Reply::Screen(Screen {
                    text,
                    keyboard: InlineKeyboardMarkup::new(vec![vec![btn(
                        lang,
                        "admin-btn-card",
                        AdminAction::Card(id),
                    )]]),
                })
            } else {
                return Ok(None);
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(reply))
}

fn parse_id(s: &str) -> Option<TelegramId> {
    s.parse().ok().map(TelegramId)
}

fn plain_back(lang: Lang, text: String) -> Screen {
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![back(lang)]),
    }
}

/// A press of an admin button.
pub async fn on_action(
    app: &App,
    admin: &User,
    action: AdminAction,
    message: Option<i32>,
) -> Result<Reply, BotError> {
    let lang = admin.lang;
    let ts = now();
    let screen = match action {
        AdminAction::Menu => menu(lang),
        AdminAction::Stats => stats_screen(app, lang).await?,
        AdminAction::Chart => return chart(app, admin).await,
        AdminAction::Find => {
            app.store.set_state(admin.id, FIND, ts).await?;
            plain_back(lang, t(lang, "admin-find-ask"))
        }
        AdminAction::Card(id) => match app.store.get_user(id).await? {
            Some(u) => card(app, lang, &u),
            None => plain_back(lang, t(lang, "admin-user-not-found")),
        },
        AdminAction::Ban(id) => ban(app, admin, id, true).await?,
        AdminAction::Unban(id) => ban(app, admin, id, false).await?,
        AdminAction::Days(id, days, stamp) => {
            let out = users::add_days(app, admin.id, id, days, stamp)
                .await
                .map_err(err)?;
            after(app, lang, id, out, "admin-card-outdated").await?
        }
        AdminAction::Balance(id) => {
            app.store
                .set_state(admin.id, &format!("{BALANCE}{id}"), ts)
                .await?;
            plain_back(
                lang,
                tr(
                    lang,
                    "admin-balance-ask",
                    &[("id", Arg::Str(id.to_string()))],
                ),
            )
        }
        AdminAction::Delete(id) => Screen {
            text: tr(
                lang,
                "admin-delete-confirm",
                &[("id", Arg::Str(id.to_string()))],
            ),
            keyboard: InlineKeyboardMarkup::new(vec![
                vec![btn(
                    lang,
                    "admin-btn-delete-yes",
                    AdminAction::DeleteConfirm(id),
                )],
                vec![btn(lang, "admin-btn-card", AdminAction::Card(id))],
            ]),
        },
        AdminAction::DeleteConfirm(id) => {
            let out = users::delete_user(app, admin.id, id).await.map_err(err)?;
            let key = if out {
                "admin-delete-done"
            } else {
                "admin-delete-gone"
            };
            plain_back(lang, tr(lang, key, &[("id", Arg::Str(id.to_string()))]))
        }
        AdminAction::ResetTrial(id) => {
            let out = users::reset_trial(app, admin.id, id).await.map_err(err)?;
            after(app, lang, id, out, "admin-trial-not-used").await?
        }
        AdminAction::Message(id) => {
            app.store
                .set_state(admin.id, &format!("{MESSAGE}{id}"), ts)
                .await?;
            plain_back(
                lang,
                tr(
                    lang,
                    "admin-message-ask",
                    &[("id", Arg::Str(id.to_string()))],
                ),
            )
        }
        AdminAction::Banned => banned(app, lang).await?,
        AdminAction::Logs(cursor) => logs(app, lang, None, cursor).await?,
        AdminAction::UserLogs(id, cursor) => logs(app, lang, Some(id), cursor).await?,
        AdminAction::LogsCsv => return logs_csv(app, admin).await,
        AdminAction::Payments(day, prov, view) => payments(app, lang, &day, &prov, view).await?,
        AdminAction::PaymentsCsv(day, prov, view) => {
            return payments_csv(app, admin, &day, &prov, view).await;
        }
        AdminAction::Payment(order) => payment(app, lang, &order).await?,
        AdminAction::PaymentRefund(order) => {
            let (reply, changed) = match yookassa_order(app, &order).await? {
                Some(o) => yookassa_refund(app, lang, &o).await?,
                None => (super::stars::admin_refund(app, &order).await?, true),
            };
            if changed {
                users::record_refund(app, admin.id, &order)
                    .await
                    .map_err(err)?;
            }
            let mut screen = payment(app, lang, &order).await?;
            screen.text = format!("{reply}\n\n{}", screen.text);
            screen
        }
        AdminAction::Broadcast => {
            app.store.set_state(admin.id, BROADCAST, ts).await?;
            plain_back(lang, t(lang, "broadcast-ask"))
        }
        AdminAction::BroadcastAudience(id, audience) => {
            app.store
                .broadcast_transition(
                    &id,
                    "draft",
                    "SET audience = :a",
                    &[(":a", AttributeValue::S(audience.clone()))],
                )
                .await?;
            broadcast_confirm(app, lang, &id, &audience).await?
        }
        AdminAction::BroadcastButtons(id) => {
            app.store
                .set_state(admin.id, &format!("{BUTTONS}{id}"), ts)
                .await?;
            plain_back(lang, t(lang, "broadcast-buttons-ask"))
        }
        AdminAction::BroadcastStart(id) => {
            let Some(msg) = message else {
                return Ok(Reply::Sent);
            };
            if !broadcast::start(app, &id, msg).await.map_err(err)? {
                plain_back(lang, t(lang, "broadcast-not-draft"))
            } else {
                users::record_broadcast(app, admin.id, &id)
                    .await
                    .map_err(err)?;
                let b = app
                    .store
                    .get_broadcast(&id)
                    .await?
                    .ok_or_else(|| err("broadcast vanished".into()))?;
                Screen {
                    text: broadcast::progress_text(lang, &b, false),
                    keyboard: InlineKeyboardMarkup::new(vec![vec![btn(
                        lang,
                        "broadcast-btn-cancel",
                        AdminAction::BroadcastCancel(id),
                    )]]),
                }
            }
        }
        AdminAction::BroadcastCancel(id) => {
            broadcast::cancel(app, &id).await.map_err(err)?;
            let b = app
                .store
                .get_broadcast(&id)
                .await?
                .ok_or_else(|| err("broadcast vanished".into()))?;
            plain_back(lang, broadcast::progress_text(lang, &b, b.finished()))
        }
    };
    Ok(Reply::Screen(screen))
}

async fn found(app: &App, lang: Lang, query: &str) -> Result<Screen, BotError> {
    Ok(match users::find(app, query).await.map_err(err)? {
        Some(u) => card(app, lang, &u),
        None => plain_back(lang, t(lang, "admin-user-not-found")),
    })
}

async fn ban(app: &App, admin: &User, id: TelegramId, banned: bool) -> Result<Screen, BotError> {
    let out = users::set_banned(app, admin.id, id, banned)
        .await
        .map_err(err)?;
    after(app, admin.lang, id, out, "admin-already").await
}

/// The card after a change: the new state, or a note that nothing changed
/// above the current state.
async fn after(
    app: &App,
    lang: Lang,
    id: TelegramId,
    out: Outcome,
    stale_key: &str,
) -> Result<Screen, BotError> {
    Ok(match out {
        Outcome::Done(u) => card(app, lang, &u),
        Outcome::Unknown => plain_back(lang, t(lang, "admin-user-not-found")),
        Outcome::Stale => match app.store.get_user(id).await? {
            Some(u) => {
                let mut s = card(app, lang, &u);
                s.text = format!("{}\n\n{}", t(lang, stale_key), s.text);
                s
            }
            None => plain_back(lang, t(lang, "admin-user-not-found")),
        },
    })
}

/// A user's card.
pub fn card(app: &App, lang: Lang, u: &User) -> Screen {
    let ts = now();
    let none = || "—".to_owned();
    let name = match &u.username {
        Some(n) => format!("{} (@{})", html(&u.first_name), html(n)),
        None => html(&u.first_name),
    };
    let sub = match u.sub_end {
        Some(end) if end > ts => tr(
            lang,
            "admin-card-sub-until",
            &[("date", Arg::Str(date_time(end)))],
        ),
        Some(end) => tr(
            lang,
            "admin-card-sub-ended",
            &[("date", Arg::Str(date(end)))],
        ),
        None => none(),
    };
    let text = tr(
        lang,
        "admin-card",
        &[
            ("name", Arg::Str(name)),
            ("id", Arg::Str(u.id.to_string())),
            ("registered", Arg::Str(date(u.created_at))),
            ("sub", Arg::Str(sub)),
            (
                "panel",
                Arg::Str(u.panel_status.clone().unwrap_or_else(none)),
            ),
            ("balance", Arg::Str(money(&app.config, u.balance))),
            (
                "trial",
                Arg::Str(u.trial_used_at.map(date).unwrap_or_else(none)),
            ),
            ("referrals", Arg::Num(u.referrals as i64)),
            (
                "referrer",
                Arg::Str(u.referrer.map(|r| r.to_string()).unwrap_or_else(none)),
            ),
            (
                "campaign",
                Arg::Str(u.campaign.as_deref().map(html).unwrap_or_else(none)),
            ),
            ("code", Arg::Str(html(&u.ref_code))),
            (
                "banned",
                Arg::Str(t(lang, if u.banned { "admin-yes" } else { "admin-no" })),
            ),
            (
                "blocked",
                Arg::Str(u.blocked_at.map(date).unwrap_or_else(none)),
            ),
        ],
    );
    let stamp = u.sub_end.unwrap_or(0);
    let days = |d: i32| {
        InlineKeyboardButton::callback(format!("{d:+}d"), AdminAction::Days(u.id, d, stamp).data())
    };
    let mut rows = vec![vec![days(1), days(7), days(30)]];
    if u.active(ts) {
        rows.push(vec![days(-1), days(-7), days(-30)]);
    }
    rows.push(vec![
        if u.banned {
            btn(lang, "admin-btn-unban", AdminAction::Unban(u.id))
        } else {
            btn(lang, "admin-btn-ban", AdminAction::Ban(u.id))
        },
        btn(lang, "admin-btn-balance", AdminAction::Balance(u.id)),
    ]);
    let mut row = vec![
        btn(lang, "admin-btn-message", AdminAction::Message(u.id)),
        btn(lang, "admin-btn-delete", AdminAction::Delete(u.id)),
    ];
    if u.trial_used_at.is_some() {
        row.push(btn(
            lang,
            "admin-btn-reset-trial",
            AdminAction::ResetTrial(u.id),
        ));
    }
    rows.push(row);
    rows.push(vec![
        btn(
            lang,
            "admin-btn-user-logs",
            AdminAction::UserLogs(u.id, None),
        ),
        btn(lang, "admin-btn-back", AdminAction::Menu),
    ]);
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

async fn banned(app: &App, lang: Lang) -> Result<Screen, BotError> {
    let rows = app.store.banned(BANNED_PAGE).await?;
    let mut text = t(lang, "admin-banned-title");
    if rows.is_empty() {
        text.push_str(&format!("\n{}", t(lang, "admin-banned-none")));
    }
    let mut kb = Vec::new();
    for (id, at) in &rows {
        text.push_str(&format!("\n<code>{id}</code> · {}", date(*at)));
        kb.push(vec![InlineKeyboardButton::callback(
            id.to_string(),
            AdminAction::Card(*id).data(),
        )]);
    }
    kb.push(back(lang));
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(kb),
    })
}

async fn logs(
    app: &App,
    lang: Lang,
    user: Option<TelegramId>,
    cursor: Option<String>,
) -> Result<Screen, BotError> {
    let size = app.config.logs_page_size.min(100) as i32;
    let (rows, next) = app.store.audit_page(user, cursor.as_deref(), size).await?;
    let mut text = match user {
        Some(u) => tr(
            lang,
            "admin-logs-user-title",
            &[("id", Arg::Str(u.to_string()))],
        ),
        None => t(lang, "admin-logs-title"),
    };
    if rows.is_empty() {
        text.push_str(&format!("\n{}", t(lang, "admin-logs-empty")));
    }
    for a in &rows {
        text.push('\n');
        text.push_str(&audit_line(a));
    }
    let mut kb = Vec::new();
    if let Some(c) = next {
        let more = match user {
            Some(u) => AdminAction::UserLogs(u, Some(c)),
            None => AdminAction::Logs(Some(c)),
        };
        kb.push(vec![btn(lang, "admin-btn-more", more)]);
    }
    match user {
        Some(u) => kb.push(vec![btn(lang, "admin-btn-card", AdminAction::Card(u))]),
        None => kb.push(vec![btn(lang, "admin-btn-csv", AdminAction::LogsCsv)]),
    }
    kb.push(back(lang));
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(kb),
    })
}

fn audit_line(a: &Audit) -> String {
    let target = a
        .target
        .map(|t| format!(" → <code>{t}</code>"))
        .unwrap_or_default();
    let detail = if a.detail.is_empty() {
        String::new()
    } else {
        format!(" {}", html(&a.detail))
    };
    format!(
        "{} · <code>{}</code> {}{target}{detail}",
        date_time(a.at),
        a.admin,
        html(&a.action)
    )
}

/// The stats screen, from the counters.
pub async fn stats_screen(app: &App, lang: Lang) -> Result<Screen, BotError> {
    // The panel is asked alongside the counters; its failure shows as
    // "unavailable", never breaks the screen.
    let (st, panel) = futures::join!(
        Box::pin(crate::domains::admin::stats::load(app, now())),
        Box::pin(panel_health(app, lang))
    );
    let mut text = stats_text(app, lang, &st?);
    text.push_str(&panel);
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![
                btn(lang, "admin-btn-refresh", AdminAction::Stats),
                btn(lang, "admin-btn-chart", AdminAction::Chart),
            ],
            back(lang),
        ]),
    })
}

/// The panel's health line of the stats screen (empty without a panel).
async fn panel_health(app: &App, lang: Lang) -> String {
    let Some(panel) = app.panel.as_ref() else {
        return String::new();
    };
    // A slow panel must not hold the screen: it waits at most this long.
    let asked = tokio::time::timeout(Duration::from_secs(3), panel.system_stats()).await;
    match asked
        .map_err(|_| "timed out".to_owned())
        .and_then(|r| r.map_err(|e| e.to_string()))
    {
        Ok(s) => {
            let gb = |b: f64| format!("{:.1}", b / 1_073_741_824.0);
            format!(
                "\n{}",
                tr(
                    lang,
                    "admin-stats-panel",
                    &[
                        ("users", Arg::Num(s.users.total_users as i64)),
                        ("online", Arg::Num(s.online_stats.online_now as i64)),
                        ("nodes", Arg::Num(s.nodes.total_online as i64)),
                        ("used", Arg::Str(gb(s.memory.used))),
                        ("total", Arg::Str(gb(s.memory.total))),
                        ("days", Arg::Num((s.uptime / 86_400.0) as i64)),
                    ],
                )
            )
        }
        Err(e) => {
            tracing::warn!("panel stats unavailable: {e}");
            format!("\n{}", t(lang, "admin-stats-panel-unavailable"))
        }
    }
}

/// The stats as text (the screen and the inline results).
pub fn stats_text(app: &App, lang: Lang, st: &Stats) -> String {
    let four = |name: &str| {
        [Span::Today, Span::Week, Span::Month, Span::All]
            .map(|s| st.get(s, name).to_string())
            .join(" / ")
    };
    let mut text = tr(
        lang,
        "admin-stats",
        &[
            ("users", Arg::Str(four(counter::SIGNUPS))),
            ("banned", Arg::Num(st.get(Span::All, counter::BANNED))),
            ("blocked", Arg::Num(st.get(Span::All, counter::BLOCKED))),
            ("active", Arg::Num(st.standing.active)),
            ("on_trial", Arg::Num(st.standing.trial)),
            ("trials", Arg::Str(four(counter::TRIALS))),
            ("plans", Arg::Str(four(counter::PLANS))),
            ("first", Arg::Str(four(counter::FIRST_PLANS))),
            ("refunds", Arg::Str(four(counter::REFUNDS))),
            ("f_start", Arg::Num(st.get(Span::Month, counter::SIGNUPS))),
            ("f_trial", Arg::Num(st.get(Span::Month, counter::TRIALS))),
            (
                "f_first",
                Arg::Num(st.get(Span::Month, counter::FIRST_PLANS)),
            ),
            (
                "f_renew",
                Arg::Num(
                    st.get(Span::Month, counter::PLANS) - st.get(Span::Month, counter::FIRST_PLANS),
                ),
            ),
        ],
    );
    text.push_str(&revenue_text(app, lang, st));
    text
}

/// Revenue by period and provider.
pub fn revenue_text(app: &App, lang: Lang, st: &Stats) -> String {
    let mut text = String::new();
    for (span, key) in [
        (Span::Today, "admin-span-today"),
        (Span::Week, "admin-span-week"),
        (Span::Month, "admin-span-month"),
        (Span::All, "admin-span-all"),
    ] {
        let rev = st.revenue(span);
        text.push_str(&format!("\n<b>{}</b>: ", t(lang, key)));
        if rev.is_empty() {
            text.push('0');
        }
        let parts: Vec<String> = rev
            .iter()
            .map(|((prov, cur), v)| {
                let m =
                    Money::from_minor((*v).max(0) as u64, cur).unwrap_or(Money::Rub(Kopecks(0)));
                format!(
                    "{prov} {}",
                    crate::domains::money::effects::amount_text(app, &m)
                )
            })
            .collect();
        text.push_str(&parts.join(", "));
    }
    text
}

async fn chart(app: &App, admin: &User) -> Result<Reply, BotError> {
    let lang = admin.lang;
    let st = crate::domains::admin::stats::load(app, now()).await?;
    let labels = crate::domains::admin::chart::Labels {
        signups: t(lang, "admin-chart-signups"),
        revenue: t(lang, "admin-chart-revenue"),
    };
    let png = match crate::domains::admin::chart::render(&st.series(), &labels) {
        Ok(png) => png,
        Err(e) => {
            tracing::error!("chart not drawn: {e}");
            return Ok(Reply::Screen(plain_back(
                lang,
                t(lang, "admin-chart-failed"),
            )));
        }
    };
    let total: i64 = st.series().iter().map(|s| s.2).sum();
    let caption = tr(
        lang,
        "admin-chart-caption",
        &[(
            "revenue",
            Arg::Str(money(&app.config, Kopecks(total.max(0) as u64 * 100))),
        )],
    );
    let sent = app
        .bot
        .send_photo(
            ChatId(admin.id.0),
            InputFile::memory(png).file_name("stats.png"),
        )
        .caption(caption)
        .parse_mode(ParseMode::Html)
        .await;
    if let Err(e) = sent {
        tracing::error!("chart not sent: {e}");
        send(app, admin.id, &Screen::plain(t(lang, "admin-chart-failed"))).await;
    }
    Ok(Reply::Sent)
}

fn audience_screen(lang: Lang, id: &str) -> Screen {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = crate::base::admin_callback::AUDIENCES
        .iter()
        .map(|a| {
            vec![btn(
                lang,
                &format!("broadcast-audience-{a}"),
                AdminAction::BroadcastAudience(id.to_owned(), (*a).to_owned()),
            )]
        })
        .collect();
    rows.push(vec![btn(
        lang,
        "broadcast-btn-buttons",
        AdminAction::BroadcastButtons(id.to_owned()),
    )]);
    rows.push(back(lang));
    Screen {
        text: t(lang, "broadcast-pick-audience"),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// The confirmation: the audience and its recipient count from the
/// counters (`domains::admin::stats::audience_count`).
async fn broadcast_confirm(
    app: &App,
    lang: Lang,
    id: &str,
    audience: &str,
) -> Result<Screen, BotError> {
    let st = crate::domains::admin::stats::load(app, now()).await?;
    let n = crate::domains::admin::stats::audience_count(&st.standing, audience);
    let count = tr(lang, "broadcast-count", &[("count", Arg::Num(n))]);
    let text = tr(
        lang,
        "broadcast-confirm",
        &[
            (
                "audience",
                Arg::Str(t(lang, &format!("broadcast-audience-{audience}"))),
            ),
            ("count", Arg::Str(count)),
        ],
    );
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![btn(
                lang,
                "broadcast-btn-send",
                AdminAction::BroadcastStart(id.to_owned()),
            )],
            back(lang),
        ]),
    })
}

/// Rows in one CSV export of the audit log (the newest).
const CSV_ROWS: i32 = 10_000;

/// The audit log as a CSV document: `at,admin,action,target,detail`, newest first.
async fn logs_csv(app: &App, admin: &User) -> Result<Reply, BotError> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    while (rows.len() as i32) < CSV_ROWS {
        let (page, next) = app.store.audit_page(None, cursor.as_deref(), 500).await?;
        rows.extend(page);
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| err(e.to_string());
    w.write_record(["at", "admin", "action", "target", "detail"])
        .map_err(csv_err)?;
    for a in &rows {
        let at = chrono::DateTime::from_timestamp(a.at, 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default();
        let target = a.target.map(|t| t.to_string()).unwrap_or_default();
        w.write_record([
            at.as_str(),
            &a.admin.to_string(),
            &a.action,
            &target,
            &a.detail,
        ])
        .map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    let sent = app
        .bot
        .send_document(
            ChatId(admin.id.0),
            InputFile::memory(bytes).file_name("audit-log.csv"),
        )
        .await;
    if let Err(e) = sent {
        tracing::error!("audit CSV not sent: {e}");
    }
    Ok(Reply::Sent)
}

/// `yyyymmdd` of a unix time (UTC), as payments buttons carry it.
fn compact_day(ts: i64) -> String {
    crate::adapters::store::keys::day_of(ts).replace('-', "")
}

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
            Ok(Some(o)) => format!("{:?}", o.status).to_lowercase(),
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

async fn payments(
    app: &App,
    lang: Lang,
    day: &str,
    prov: &str,
    view: PayView,
) -> Result<Screen, BotError> {
    let rows = payment_rows(app, day, prov, view).await?;
    let dates = if view.days == 1 {
        dashed(day)
    } else {
        format!(
            "{} – {}",
            dashed(&compact_day(
                day_ts(day) - (i64::from(view.days) - 1) * 86_400
            )),
            dashed(day)
        )
    };
    let mut text = tr(
        lang,
        "admin-payments-title",
        &[
            ("date", Arg::Str(dates)),
            ("provider", Arg::Str(prov.to_owned())),
            ("count", Arg::Num(rows.len() as i64)),
        ],
    );
    if view.status != PayStatus::Any {
        text.push_str(&format!(" · {}", view.status.code()));
    }
    let mut kb = Vec::new();
    for (r, status) in rows.iter().take(PAYMENTS_SHOWN) {
        let m = Money::from_minor(r.amount, &r.currency).unwrap_or(Money::Rub(Kopecks(0)));
        text.push_str(&format!(
            "\n{} · <code>{}</code> · {} · {} · {} · {status}",
            date_time(r.at),
            r.user,
            html(&r.provider),
            crate::domains::money::effects::amount_text(app, &m),
            html(&r.purchase)
        ));
        let detail = AdminAction::Payment(r.order.clone());
        if detail.data().len() <= 64 {
            let label = format!(
                "{} {}",
                r.user,
                crate::domains::money::effects::amount_text(app, &m)
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
    let mut row: Vec<InlineKeyboardButton> = [PayStatus::Any, PayStatus::Paid, PayStatus::Refunded]
        .into_iter()
        .map(|status| {
            InlineKeyboardButton::callback(
                status.code(),
                AdminAction::Payments(day.to_owned(), prov.to_owned(), PayView { status, ..view })
                    .data(),
            )
        })
        .collect();
    row.extend([1u8, 7, 30].into_iter().map(|days| {
        InlineKeyboardButton::callback(
            format!("{days}d"),
            AdminAction::Payments(day.to_owned(), prov.to_owned(), PayView { days, ..view }).data(),
        )
    }));
    kb.push(row);
    kb.push(
        crate::base::admin_callback::PAYMENT_FILTERS
            .iter()
            .take(4)
            .map(|p| {
                InlineKeyboardButton::callback(
                    *p,
                    AdminAction::Payments(day.to_owned(), (*p).to_owned(), view).data(),
                )
            })
            .collect(),
    );
    kb.push(
        crate::base::admin_callback::PAYMENT_FILTERS
            .iter()
            .skip(4)
            .map(|p| {
                InlineKeyboardButton::callback(
                    *p,
                    AdminAction::Payments(day.to_owned(), (*p).to_owned(), view).data(),
                )
            })
            .collect(),
    );
    kb.push(back(lang));
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(kb),
    })
}

/// The order `id` when it is a YooKassa payment (refunded through its API).
async fn yookassa_order(
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
async fn yookassa_refund(
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
            let user_lang = app
                .store
                .get_user(order.user)
                .await?
                .map(|u| u.lang)
                .unwrap_or(lang);
            let notice = crate::adapters::outbox::OutgoingText::to_user(
                TelegramId(order.user.0),
                t(user_lang, "refund-user-notice-money"),
            );
            if let Err(e) = app.outbox.send(&notice, 0).await {
                tracing::error!("refund notice not queued: {e}");
            }
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

async fn payment(app: &App, lang: Lang, id: &str) -> Result<Screen, BotError> {
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
            ("provider", Arg::Str(o.provider.code().to_owned())),
            (
                "amount",
                Arg::Str(crate::domains::money::effects::amount_text(app, &o.amount)),
            ),
            ("status", Arg::Str(format!("{:?}", o.status).to_lowercase())),
            ("date", Arg::Str(date_time(o.created_at))),
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

/// A day's payments as CSV: `at,order,user,provider,purchase,amount_minor,currency,status`.
async fn payments_csv(
    app: &App,
    admin: &User,
    day: &str,
    prov: &str,
    view: PayView,
) -> Result<Reply, BotError> {
    let rows = payment_rows(app, day, prov, view).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| err(e.to_string());
    w.write_record([
        "at",
        "order",
        "user",
        "provider",
        "purchase",
        "amount_minor",
        "currency",
        "status",
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
        ])
        .map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
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
