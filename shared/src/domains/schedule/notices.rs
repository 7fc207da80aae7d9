//! Expiry notices: before the end, at the end (the trial's own text when
//! the subscription was the trial), after it. This is the only place that
//! tells a user their subscription is ending; the panel's expiry webhooks
//! update the status only (why: `docs/architecture.md`).
//!
//! The worker re-reads the user just before sending: a renewal in between
//! (the end moved), a ban or a blocked bot means no notice. At most one
//! notice of a kind per subscription end, by the marker
//! `ONCE#notice#<user>#<kind>#<end>`, which is a short lease until the
//! message is safely queued and a record after: a crash in between lets the
//! lease lapse and the job's retry sends it (a notice is never lost to a
//! marker, at worst repeated once after such a crash).

use crate::adapters::app::App;
use crate::adapters::jobs::NoticeKind;
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::store::once::Claim;
use crate::adapters::store::users::User;
use crate::base::callback::BuyAction;
use crate::base::clock::now;
use crate::base::format::date;
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::TelegramId;
use crate::domains::error::Error;
use crate::domains::renewal::{balance, cards};

/// Marker scope.
const SCOPE: &str = "notice";
/// How long the marker is held while the message is being queued.
const LEASE_SECS: i64 = 120;
/// How long a sent notice is remembered after the end it was about.
const KEEP_SECS: i64 = 60 * 86_400;

/// What the worker did with one notice job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Queued for the user.
    Sent,
    /// Sent before (a repeated run or delivery).
    Duplicate,
    /// Not for this user now (renewed, banned, blocked, gone, turned off).
    Skipped,
}

/// Sends the `kind` notice about `user`'s subscription ending at `end`, once.
pub async fn send(
    app: &App,
    user: TelegramId,
    kind: NoticeKind,
    end: i64,
) -> Result<Outcome, Error> {
    let Some(u) = app.store.get_user(user).await.map_err(Error::from)? else {
        return Ok(Outcome::Skipped);
    };
    let Some(msg) = message(app, &u, kind, end) else {
        tracing::info!(user = %user, kind = kind.code(), end, "notice not due any more");
        return Ok(Outcome::Skipped);
    };
    // A subscription that will be renewed (from the balance, or with a
    // saved card) gets the renewal's own notice instead of "renew now";
    // should the renewal fail,
    // the notices at and after the end still go.
    if kind == NoticeKind::Before && (cards::enabled(app) || u.renew_balance) {
        let wallet = app.store.wallet(user).await.map_err(Error::from)?;
        let from_balance = balance::plan_for(app, &u, &wallet, end, now())
            .is_some_and(|(_, price)| balance::covers(&u, &price));
        if from_balance || cards::plan_for(app, &u, &wallet, end, now()).is_some() {
            tracing::info!(user = %user, end, "before-notice left to auto-renewal");
            return Ok(Outcome::Skipped);
        }
    }
    let id = format!("{user}#{}#{end}", kind.code());
    let at = now();
    let claim = app
        .store
        .claim_once(SCOPE, &id, at, LEASE_SECS)
        .await
        .map_err(Error::from)?;
    if claim == Claim::Duplicate {
        return Ok(Outcome::Duplicate);
    }
    if let Err(e) = app.outbox.send(&msg, 0).await {
        if let Err(r) = app.store.release_once(SCOPE, &id).await {
            tracing::error!(%id, "notice marker not released (its lease lapses): {r}");
        }
        return Err(Error::Text(format!("notice not queued: {e}")));
    }
    // Queued: keep the marker. If this fails the lease lapses and a retry
    // may send the notice a second time, which beats never sending it.
    app.store
        .keep_once(SCOPE, &id, end.max(at) + KEEP_SECS)
        .await
        .map_err(Error::from)?;
    Ok(Outcome::Sent)
}

/// The message for `user`, or `None` when it is not due any more.
fn message(app: &App, user: &User, kind: NoticeKind, end: i64) -> Option<OutgoingText> {
    let n = &app.config.notifications;
    let on = n.enabled
        && match kind {
            NoticeKind::Before => n.days_before > 0,
            NoticeKind::Expired => n.on_expire,
            NoticeKind::After => n.after_expire,
        };
    if !on || user.banned || user.blocked_at.is_some() || user.sub_end != Some(end) {
        return None;
    }
    let lang = user.lang;
    let trial = user.trial_end == Some(end);
    let text = match kind {
        NoticeKind::Before => tr(
            lang,
            "notice-expires-soon",
            &[
                ("count", Arg::Num(i64::from(n.days_before))),
                ("date", Arg::Str(date(lang, end))),
            ],
        ),
        NoticeKind::Expired if trial => t(lang, "notice-trial-ended"),
        NoticeKind::Expired => t(lang, "notice-expired"),
        NoticeKind::After => t(lang, "notice-expired-ago"),
    };
    let mut msg = OutgoingText::to_user(user.id, text);
    msg.buttons.push(vec![Button::Callback {
        text: t(lang, "btn-renew"),
        data: BuyAction::Plans.data(),
    }]);
    Some(msg)
}
