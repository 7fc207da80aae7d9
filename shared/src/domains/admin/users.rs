//! Admin changes to one user: ban, unban, days, balance, trial, message.
//! Each is one conditional transaction with its ledger and audit entries
//! (`adapters::store::admin`), then, when access changed, a panel sync.

use crate::adapters::app::App;
use crate::adapters::outbox::OutgoingText;
use crate::adapters::store::admin::{Audit, Change};
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, tr};
use crate::base::types::{Kopecks, TelegramId};
use crate::domains::access::sync::SyncReason;
use crate::domains::error::Error;
use crate::domains::money::effects::sync;

/// What an admin action came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done; the user as stored now.
    Done(Box<User>),
    /// Nothing changed (already so, out of date, or repeated).
    Stale,
    /// No such user.
    Unknown,
}

fn audit(admin: TelegramId, action: &str, target: TelegramId, detail: String) -> Audit {
    Audit {
        admin,
        action: action.to_owned(),
        target: Some(target),
        detail,
        at: now(),
    }
}

/// Finds a user by Telegram id, `@username` or referral code.
pub async fn find(app: &App, query: &str) -> Result<Option<User>, Error> {
    let q = query.trim();
    let id = if let Some(name) = q.strip_prefix('@') {
        app.store
            .find_by_username(name)
            .await
            .map_err(Error::from)?
    } else if let Ok(id) = q.parse::<i64>() {
        Some(TelegramId(id))
    } else {
        match app.store.find_by_ref_code(q).await.map_err(Error::from)? {
            Some(id) => Some(id),
            None => app.store.find_by_username(q).await.map_err(Error::from)?,
        }
    };
    match id {
        Some(id) => app.store.get_user(id).await.map_err(Error::from),
        None => Ok(None),
    }
}

async fn done(app: &App, id: TelegramId, change: Change) -> Result<Outcome, Error> {
    match change {
        Change::Stale => Ok(Outcome::Stale),
        Change::Done => match app.store.get_user(id).await.map_err(Error::from)? {
            Some(u) => Ok(Outcome::Done(Box::new(u))),
            None => Ok(Outcome::Unknown),
        },
    }
}

/// Bans or unbans; the panel user is disabled or re-enabled by the sync
/// worker (it enforces `banned`).
pub async fn set_banned(
    app: &App,
    admin: TelegramId,
    id: TelegramId,
    banned: bool,
) -> Result<Outcome, Error> {
    let action = if banned { "ban" } else { "unban" };
    let entry = audit(admin, action, id, String::new());
    let change = app
        .store
        .set_banned(id, banned, &entry)
        .await
        .map_err(Error::from)?;
    if change == Change::Done {
        sync(
            app,
            id,
            SyncReason::Admin,
            &format!("{action}-{id}-{}", entry.at),
        )
        .await?;
        log(app, &entry).await;
    }
    done(app, id, change).await
}

/// Adds (or, negative, removes) days, starting from the end `stamp` the
/// admin saw (0 = none). Removing never ends the subscription before now.
pub async fn add_days(
    app: &App,
    admin: TelegramId,
    id: TelegramId,
    days: i32,
    stamp: i64,
) -> Result<Outcome, Error> {
    let ts = now();
    let old = (stamp != 0).then_some(stamp);
    let new = if days > 0 {
        old.unwrap_or(ts).max(ts) + i64::from(days) * 86_400
    } else {
        match old {
            Some(end) if end > ts => (end + i64::from(days) * 86_400).max(ts),
            _ => return Ok(Outcome::Stale),
        }
    };
    let entry = audit(admin, "days", id, format!("{days:+}"));
    let change = app
        .store
        .set_sub_end_by_admin(id, old, new, days, &entry)
        .await
        .map_err(Error::from)?;
    if change == Change::Done {
        sync(app, id, SyncReason::Admin, &format!("days-{id}-{new}")).await?;
        log(app, &entry).await;
    }
    let out = done(app, id, change).await?;
    if let Outcome::Done(u) = &out
        && app.config.notifications.personal.admin_days
    {
        let key = if days > 0 {
            "notice-admin-days-added"
        } else {
            "notice-admin-days-taken"
        };
        let text = tr(
            u.lang,
            key,
            &[
                ("count", Arg::Num(i64::from(days.abs()))),
                ("date", Arg::Str(date(u.lang, new))),
            ],
        );
        tell(app, id, text).await;
    }
    Ok(out)
}

/// Adjusts the balance by `delta` kopecks with a reason, once per `op`.
pub async fn adjust_balance(
    app: &App,
    admin: TelegramId,
    id: TelegramId,
    delta: i64,
    reason: &str,
    op: &str,
) -> Result<Outcome, Error> {
    let entry = audit(admin, "balance", id, format!("{delta:+} {reason}"));
    let change = app
        .store
        .adjust_balance(id, delta, op, &entry)
        .await
        .map_err(Error::from)?;
    if change == Change::Done {
        log(app, &entry).await;
    }
    let out = done(app, id, change).await?;
    if let Outcome::Done(u) = &out
        && app.config.notifications.personal.admin_balance
    {
        let key = if delta > 0 {
            "notice-admin-balance-added"
        } else {
            "notice-admin-balance-taken"
        };
        let text = tr(
            u.lang,
            key,
            &[
                (
                    "amount",
                    Arg::Str(money(u.lang, &app.config, Kopecks(delta.unsigned_abs()))),
                ),
                ("balance", Arg::Str(money(u.lang, &app.config, u.balance))),
            ],
        );
        tell(app, id, text).await;
    }
    Ok(out)
}

/// Tells the user what an admin just did to them. At most once: the
/// change is done once, and a notice the queue did not take is logged.
async fn tell(app: &App, id: TelegramId, text: String) {
    if let Err(e) = app.outbox.send(&OutgoingText::to_user(id, text), 0).await {
        tracing::error!(user = %id, "admin change notice not queued: {e}");
    }
}

/// Lets the user take the trial again.
pub async fn reset_trial(app: &App, admin: TelegramId, id: TelegramId) -> Result<Outcome, Error> {
    let entry = audit(admin, "reset_trial", id, String::new());
    let change = app
        .store
        .reset_trial(id, &entry)
        .await
        .map_err(Error::from)?;
    if change == Change::Done {
        log(app, &entry).await;
    }
    done(app, id, change).await
}

/// Deletes a user from the bot (see `Store::delete_user` for what is kept)
/// and queues the deletion of their panel accounts. `false` when there
/// was no such user (already deleted: a second press).
pub async fn delete_user(app: &App, admin: TelegramId, id: TelegramId) -> Result<bool, Error> {
    let Some(user) = app.store.get_user(id).await.map_err(Error::from)? else {
        return Ok(false);
    };
    let entry = audit(admin, "delete", id, String::new());
    let change = app
        .store
        .delete_user(&user, &entry)
        .await
        .map_err(Error::from)?;
    if change == Change::Stale {
        return Ok(false);
    }
    sync(
        app,
        id,
        SyncReason::Delete,
        &format!("delete-{id}-{}", entry.at),
    )
    .await?;
    log(app, &entry).await;
    Ok(true)
}

/// Records that an admin sent a user a message.
pub async fn record_message(app: &App, admin: TelegramId, id: TelegramId) -> Result<(), Error> {
    app.store
        .audit(&audit(admin, "message", id, String::new()))
        .await
        .map_err(Error::from)
}

/// Records that an admin started a broadcast.
pub async fn record_broadcast(app: &App, admin: TelegramId, id: &str) -> Result<(), Error> {
    app.store
        .audit(&Audit {
            admin,
            action: "broadcast".into(),
            target: None,
            detail: id.to_owned(),
            at: now(),
        })
        .await
        .map_err(Error::from)
}

/// Records that an admin asked for a payment's refund.
/// Once per order: two simultaneous presses of a YooKassa Refund button
/// both see YooKassa's one refund (one idempotence key), and write one entry.
pub async fn record_refund(app: &App, admin: TelegramId, order: &str) -> Result<(), Error> {
    let entry = Audit {
        admin,
        action: "refund".into(),
        target: None,
        detail: order.to_owned(),
        at: now(),
    };
    app.store
        .audit_once(&entry, "admin-refund", order)
        .await
        .map(|_| ())
        .map_err(Error::from)
}

/// Parses an adjustment as an admin types it: `+150 reason`, `-99.50 reason`.
/// Returns kopecks and the reason (required).
pub fn parse_adjustment(text: &str) -> Option<(i64, String)> {
    let text = text.trim();
    let (amount, reason) = text.split_once(char::is_whitespace)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > 200 {
        return None;
    }
    let (neg, digits) = match amount.as_bytes().first()? {
        b'-' => (true, &amount[1..]),
        b'+' => (false, &amount[1..]),
        _ => (false, amount),
    };
    let digits = digits.replace(',', ".");
    let (whole, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !(whole.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let rub: i64 = whole.parse().ok().filter(|r| *r <= 1_000_000)?;
    let kop: i64 = format!("{frac:0<2}").parse().ok()?;
    let total = rub * 100 + kop;
    (total > 0).then_some((if neg { -total } else { total }, reason.to_owned()))
}

/// The change in the log chat, as the audit log reads it.
async fn log(app: &App, entry: &Audit) {
    let lang = app.config.default_language;
    app.admin_log(crate::base::i18n::tr(
        lang,
        "log-admin-action",
        &[
            (
                "admin",
                crate::base::i18n::Arg::Str(entry.admin.to_string()),
            ),
            (
                "what",
                crate::base::i18n::Arg::Str(super::audit::describe(lang, &app.config, entry)),
            ),
        ],
    ))
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustments_need_an_amount_and_a_reason() {
        assert_eq!(
            parse_adjustment("+150 bonus"),
            Some((15_000, "bonus".into()))
        );
        assert_eq!(
            parse_adjustment("-99.5 chargeback fee"),
            Some((-9_950, "chargeback fee".into()))
        );
        assert_eq!(parse_adjustment("12,34 x"), Some((1_234, "x".into())));
        assert_eq!(parse_adjustment("150"), None);
        assert_eq!(parse_adjustment("abc reason"), None);
        assert_eq!(parse_adjustment("0 reason"), None);
        assert_eq!(parse_adjustment("1.234 reason"), None);
    }
}
