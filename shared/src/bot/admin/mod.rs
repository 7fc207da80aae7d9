//! The admin side (`docs/admin.md`): admin commands, the answers to what it
//! asked for and its buttons, each routed to its screen in this folder. The
//! caller has already authorised the admin (`config.admin(id)` and a proven
//! origin) for this very update; nothing here trusts callback data for that.

pub mod audit;
pub mod broadcasts;
mod confirm;
pub mod growth;
pub mod menu;
pub mod payments;
pub mod stats;
pub mod sync;
pub mod users;

use crate::adapters::app::App;
use crate::adapters::store::users::User;
use crate::base::admin_callback::{AdminAction, PayView};
use crate::base::clock::now;
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::TelegramId;
use crate::bot::BotError;
use crate::bot::screens::Screen;
use crate::domains::admin::broadcast;
use crate::domains::admin::users as admin_users;
use audit::{logs, logs_csv};
use broadcasts::{audience_screen, broadcast_confirm};
use menu::{Reply, btn, compact_day, err, menu, plain_back};
use payments::{payment, payments, payments_csv, yookassa_order, yookassa_refund};
use stats::{chart, stats_screen};
use teloxide_core::requests::Requester;
use teloxide_core::types::{ChatId, InlineKeyboardMarkup, Message};
use users::{after, ban, banned, card, found};

/// Conversation states of the admin side (on the admin's user item).
const FIND: &str = "adm_find";
const BALANCE: &str = "adm_bal:";
const MESSAGE: &str = "adm_msg:";
const BROADCAST: &str = "adm_bc";
const BUTTONS: &str = "adm_bcb:";

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
            let Some(target) = admin_users::find(app, arg).await.map_err(err)? else {
                return Ok(Some(Reply::Screen(plain_back(
                    lang,
                    t(lang, "admin-user-not-found"),
                ))));
            };
            if command == "/ban" {
                Reply::Screen(confirm::ban(lang, target.id))
            } else {
                Reply::Screen(ban(app, admin, target.id, false).await?)
            }
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
                let kept = app.store.set_broadcast_buttons(&id, &buttons).await?;
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
                let Some((delta, reason)) = admin_users::parse_adjustment(text) else {
                    return Ok(Some(Reply::Screen(Screen::plain(t(
                        lang,
                        "admin-balance-invalid",
                    )))));
                };
                let op = format!("{}-{}", msg.chat.id, msg.id.0);
                if delta < 0 {
                    // Taking money away asks first; the state now holds it.
                    let screen =
                        confirm::take_balance(app, lang, admin.id, id, (delta, &reason, &op))
                            .await?;
                    return Ok(Some(Reply::Screen(screen)));
                }
                app.store.clear_state(admin.id).await?;
                let out = admin_users::adjust_balance(app, admin.id, id, delta, &reason, &op)
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
                        admin_users::record_message(app, admin.id, id)
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
        AdminAction::Ban(id) => confirm::ban(lang, id),
        AdminAction::BanConfirm(id) => ban(app, admin, id, true).await?,
        AdminAction::Unban(id) => ban(app, admin, id, false).await?,
        AdminAction::Days(id, days, stamp) if days < 0 && stamp > ts => {
            confirm::take_days(lang, id, days, stamp)
        }
        AdminAction::Days(id, days, stamp) | AdminAction::DaysConfirm(id, days, stamp) => {
            let out = admin_users::add_days(app, admin.id, id, days, stamp)
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
        AdminAction::BalanceConfirm(id) => {
            match confirm::pending_deduction(admin.waiting_for(ts), id) {
                Some((delta, op, reason)) => {
                    app.store.clear_state(admin.id).await?;
                    let out = admin_users::adjust_balance(app, admin.id, id, delta, &reason, &op)
                        .await
                        .map_err(err)?;
                    after(app, lang, id, out, "admin-balance-refused").await?
                }
                // Pressed twice, or after the question expired: nothing to do.
                None => after(app, lang, id, admin_users::Outcome::Stale, "admin-already").await?,
            }
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
            let out = admin_users::delete_user(app, admin.id, id)
                .await
                .map_err(err)?;
            let key = if out {
                "admin-delete-done"
            } else {
                "admin-delete-gone"
            };
            plain_back(lang, tr(lang, key, &[("id", Arg::Str(id.to_string()))]))
        }
        AdminAction::ResetTrial(id) => {
            let out = admin_users::reset_trial(app, admin.id, id)
                .await
                .map_err(err)?;
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
        AdminAction::PaymentRefund(order) => confirm::refund(app, lang, &order).await?,
        AdminAction::PaymentRefundConfirm(order) => {
            let (reply, changed) = match yookassa_order(app, &order).await? {
                Some(o) => yookassa_refund(app, lang, &o).await?,
                None => (crate::bot::stars::admin_refund(app, &order).await?, true),
            };
            if changed {
                admin_users::record_refund(app, admin.id, &order)
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
            app.store.set_broadcast_audience(&id, &audience).await?;
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
                admin_users::record_broadcast(app, admin.id, &id)
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
            let before = app
                .store
                .get_broadcast(&id)
                .await?
                .ok_or_else(|| err("broadcast vanished".into()))?;
            // A broadcast that already reached everyone is not "cancelled".
            let cancelled = !before.finished() && broadcast::cancel(app, &id).await.map_err(err)?;
            let b = app
                .store
                .get_broadcast(&id)
                .await?
                .ok_or_else(|| err("broadcast vanished".into()))?;
            let mut text = broadcast::progress_text(lang, &b, b.finished());
            if !cancelled {
                text = format!("{}\n\n{text}", t(lang, "broadcast-already-over"));
            }
            plain_back(lang, text)
        }
    };
    Ok(Reply::Screen(screen))
}
