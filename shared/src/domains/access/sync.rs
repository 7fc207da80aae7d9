//! The panel-sync worker: makes the user's panel account match what
//! DynamoDB says (expiry, traffic limit, squads, device limit), creating or
//! adopting the account when needed, and sends the subscription link once.
//!
//! Messages arrive on the FIFO `PanelSyncQueue`, grouped by user, so one
//! user's changes apply in order. Every step is idempotent: the panel gets
//! absolute values (never "add 30 days"), the link is sent under an
//! at-most-once marker. A panel outage leaves the message on the queue;
//! nothing in DynamoDB is ever rolled back because the panel was down.

use super::crypt4::LinkView;
use crate::adapters::app::App;
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::panel::{
    Desired, PanelClient, PanelError, PanelStatus, PanelUser, UserRef, username_for,
};
use crate::adapters::queue::{Received, consume};
use crate::adapters::queues::{self, Message};
use crate::adapters::store::StoreError;
use crate::adapters::store::once::Claim;
use crate::adapters::store::panel::PanelAccount;
use crate::adapters::store::users::{PanelLink, Traffic, User};
use crate::base::clock::now;
use crate::base::config::Panel;
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::TelegramId;
use crate::domains::error::Error;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde::{Deserialize, Serialize};

/// `maxReceiveCount` of `PanelSyncQueue` in `template.yaml`: the delivery
/// after which a failing message goes to the dead-letter queue.
pub const MAX_RECEIVES: u32 = 8;
/// Scope of the "subscription link sent" marker (`<user>#<panel id>`).
const LINK_SCOPE: &str = "sub-link";
/// The link is sent once per panel account, ever.
const LINK_MARKER_SECS: i64 = 100 * 365 * 86_400;

/// A request to bring one user's panel account in line with DynamoDB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelSyncRequest {
    /// The user.
    pub user: TelegramId,
    /// Why (for logs; the work is the same).
    pub reason: SyncReason,
}

/// Why a sync was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncReason {
    /// A payment extended the subscription.
    Paid,
    /// The free trial started.
    Trial,
    /// Admin reconciliation found the panel behind.
    Reconcile,
    /// The bot noticed an active subscription without a panel account, or
    /// a panel event that contradicts DynamoDB.
    Repair,
    /// An admin changed the user.
    Admin,
    /// An inviter's bonus days were granted.
    Referral,
    /// A refund took days back.
    Refund,
    /// A promo code gave days.
    Promo,
    /// An admin deleted the user: the panel account is deleted too.
    Delete,
}

/// Queues a sync of `req.user` on the FIFO queue: grouped by user (in
/// order), de-duplicated by `dedup` for SQS's five-minute window (an order
/// id, say, so a re-delivered payment queues one sync).
pub async fn enqueue_sync(app: &App, req: &PanelSyncRequest, dedup: &str) -> Result<(), Error> {
    let url = queues::url(
        app.config.infra.panel_sync_queue_url.as_deref(),
        "PANEL_SYNC_QUEUE_URL",
    )
    .map_err(Error::from)?;
    let msg = Message::json(req)
        .map_err(Error::from)?
        .fifo(req.user.to_string(), dedup_id(dedup));
    queues::send(&app.sqs, url, msg).await.map_err(Error::from)
}

/// Queues a repair sync of `user`, one per subscription end (and SQS's five
/// minutes); a failure is logged, not returned.
pub async fn enqueue_repair(app: &App, user: &User) {
    let req = PanelSyncRequest {
        user: user.id,
        reason: SyncReason::Repair,
    };
    let dedup = format!("repair-{}-{}", user.id, user.sub_end.unwrap_or_default());
    if let Err(e) = enqueue_sync(app, &req, &dedup).await {
        tracing::error!(user = %user.id, "could not queue a repair sync: {e}");
    }
}

/// SQS takes up to 128 characters of printable ASCII as a deduplication
/// id; anything else is hashed into one.
fn dedup_id(dedup: &str) -> String {
    let fits = (1..=128).contains(&dedup.len()) && dedup.bytes().all(|b| b.is_ascii_graphic());
    if fits {
        dedup.to_owned()
    } else {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(dedup.as_bytes()))
    }
}

/// Why a sync did not finish.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// PANEL_API_URL is not set.
    #[error("the panel is not configured (PANEL_API_URL)")]
    NotConfigured,
    /// The panel failed or refused.
    #[error(transparent)]
    Panel(#[from] PanelError),
    /// DynamoDB failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The subscription link could not be queued.
    #[error("outbox: {0}")]
    Outbox(String),
}

/// What a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new panel user was created.
    Created,
    /// An existing panel user (same Telegram id or username) was taken over.
    Adopted,
    /// The linked panel user was brought up to date.
    Updated,
    /// The user has no subscription: nothing to provision.
    NoSubscription,
    /// No such user in DynamoDB.
    NoUser,
    /// The deleted user's panel accounts were deleted.
    Deleted,
}

/// Handles one batch from the panel-sync queue.
pub async fn handle_panel_sync(app: &App, event: SqsEvent) -> SqsBatchResponse {
    consume(&event, |m| async move {
        process(app, m).await.map_err(|e| e.to_string())
    })
    .await
}

async fn process(app: &App, m: Received<'_>) -> Result<(), Error> {
    let req: PanelSyncRequest =
        serde_json::from_str(m.body).map_err(|e| format!("malformed panel-sync message: {e}"))?;
    let result = if req.reason == SyncReason::Delete {
        delete_user(app, req.user).await
    } else {
        sync_user(app, req.user, now()).await
    };
    match result {
        Ok(outcome) => {
            tracing::info!(user = %req.user, reason = ?req.reason, ?outcome, "panel in sync");
            Ok(())
        }
        Err(e) => {
            if m.receive_count >= MAX_RECEIVES {
                alert_admins(app, &req, m.receive_count, &e).await;
            } else {
                back_off(app, &m).await;
            }
            Err(Error::Text(format!(
                "user {} (attempt {}): {e}",
                req.user, m.receive_count
            )))
        }
    }
}

/// How long a message that failed on delivery `attempt` waits before the
/// next: doubling from the queue's 120 s up to an hour, so eight deliveries
/// span about three hours of panel outage before the dead-letter queue.
pub fn backoff_secs(attempt: u32) -> i32 {
    let secs = 60u64 << attempt.clamp(1, 6);
    secs.min(3600) as i32
}

async fn back_off(app: &App, m: &Received<'_>) {
    let (Some(url), Some(handle)) = (
        app.config.infra.panel_sync_queue_url.as_deref(),
        m.receipt_handle,
    ) else {
        return;
    };
    let secs = backoff_secs(m.receive_count);
    if let Err(e) = queues::delay_retry(&app.sqs, url, handle.to_owned(), secs).await {
        tracing::warn!("could not delay the retry: {e}");
    }
}

async fn alert_admins(app: &App, req: &PanelSyncRequest, attempts: u32, e: &SyncError) {
    let text = tr(
        app.config.default_language,
        "log-panel-sync-failed",
        &[
            ("user", Arg::Str(req.user.to_string())),
            ("count", Arg::Num(i64::from(attempts))),
            ("reason", Arg::Str(html(&e.to_string()))),
        ],
    );
    app.admin_log(text).await;
}

/// The traffic limit in bytes the user's current subscription gets: the
/// trial's; in traffic sale mode the traffic bought; else the period's
/// limit plus the packs bought for it (and carried over), when it has one.
pub fn traffic_limit_bytes(app: &App, panel: &Panel, user: &User) -> u64 {
    if traffic_sold(user) {
        return user.packs + user.old_packs;
    }
    match (user.on_trial(), app.config.trial) {
        (true, Some(trial)) => trial.traffic_limit_bytes,
        _ if panel.traffic_limit_bytes == 0 => 0,
        _ => panel.traffic_limit_bytes + user.packs + user.old_packs,
    }
}

/// Whether `user`'s subscription is traffic bought in traffic sale mode
/// (it has no end by date).
fn traffic_sold(user: &User) -> bool {
    user.sub_end == Some(crate::adapters::store::credit::TRAFFIC_MODE_END) && user.packs > 0
}

/// The device limit the user's subscription gets: the operator's, plus the
/// extra slots bought for a paid period.
fn device_limit(panel: &Panel, user: &User) -> Option<u32> {
    match panel.hwid_device_limit {
        Some(n) if n > 0 && !user.on_trial() => Some(n + user.extra_devices),
        other => other,
    }
}

fn desired(app: &App, panel: &Panel, user: &User, expire_at: i64) -> Desired {
    let description = match &user.username {
        Some(u) => format!("Telegram {} @{u}", user.id),
        None => format!("Telegram {}", user.id),
    };
    Desired {
        telegram_id: user.id,
        expire_at,
        traffic_limit_bytes: traffic_limit_bytes(app, panel, user),
        traffic_strategy: if traffic_sold(user) {
            crate::base::config::TrafficStrategy::NoReset
        } else {
            panel.traffic_strategy
        },
        squads: panel.squad_uuids.clone(),
        external_squad: panel.external_squad_uuid.clone(),
        hwid_device_limit: device_limit(panel, user),
        description,
    }
}

/// How soon access ends when DynamoDB says it already has: the panel takes
/// no past expiry.
const END_SOON_SECS: i64 = 60;

/// Makes the panel match DynamoDB for one user, and sends the subscription
/// link the first time there is one. Safe to repeat.
pub async fn sync_user(app: &App, id: TelegramId, now: i64) -> Result<Outcome, SyncError> {
    let (Some(panel), Some(client)) = (app.config.panel.as_ref(), app.panel.as_ref()) else {
        return Err(SyncError::NotConfigured);
    };
    let Some(user) = app.store.get_user(id).await? else {
        return Ok(Outcome::NoUser);
    };
    let Some(expire_at) = user.sub_end else {
        return Ok(Outcome::NoSubscription);
    };
    if user.panel_gone && user.panel.is_none() && (user.on_trial() || !user.active(now)) {
        // Deleted on the panel with no paid time left: not re-created.
        return Ok(Outcome::NoSubscription);
    }
    let want = desired(app, panel, &user, expire_at);
    let (mut account, outcome) = apply(app, client, &user, &want, now).await?;
    if expire_at <= now
        && account
            .expire_ts()
            .is_some_and(|end| end > now + END_SOON_SECS)
    {
        // Days were taken back (a refund): the panel refuses a past expiry,
        // so access ends at the soonest one it takes.
        let soon = Desired {
            expire_at: now + END_SOON_SECS,
            ..want.clone()
        };
        account = client
            .update_user(&UserRef::Id(account.id), &soon, false, now)
            .await?;
    }
    if needs_activation(&account, &want, now) {
        account = client
            .update_user(&UserRef::Id(account.id), &want, true, now)
            .await?;
    }
    let status = enforce_ban(app, client, &user, &account).await?;
    let crypt4 = super::crypt4::seal(&app.config, &user, &account.subscription_url);
    let saved = PanelAccount {
        link: PanelLink {
            id: account.id,
            short_uuid: account.short_uuid.clone(),
        },
        sub_url: account.subscription_url.clone(),
        crypt4: crypt4.clone(),
        status: status.as_str().to_owned(),
        traffic: Traffic {
            used: account.used_bytes(),
            limit: account.traffic_limit_bytes,
            at: now,
        },
        seen: account.seen(),
    };
    app.store.save_panel_account(id, &saved).await?;
    if user.active(now) && !user.banned && !account.subscription_url.is_empty() {
        let view = LinkView::of(&app.config, &account.subscription_url, crypt4.as_deref());
        send_link_once(app, &user, &account, &view, expire_at, now).await?;
    }
    Ok(outcome)
}

/// Deletes a deleted user's panel accounts: the one the bot linked and any
/// carrying their Telegram id. If the user came back (wrote `/start` again)
/// before this ran, their profile exists and the ordinary sync runs
/// instead. Safe to repeat (an account already gone is success).
pub async fn delete_user(app: &App, id: TelegramId) -> Result<Outcome, SyncError> {
    let Some(client) = app.panel.as_ref() else {
        return Err(SyncError::NotConfigured);
    };
    if app.store.get_user(id).await?.is_some() {
        return sync_user(app, id, now()).await;
    }
    let mut ids: Vec<i64> = app.store.gone_panel_id(id).await?.into_iter().collect();
    for u in client.users_by_telegram_id(id).await? {
        if !ids.contains(&u.id) {
            ids.push(u.id);
        }
    }
    for panel_id in &ids {
        client.delete_user(*panel_id).await?;
    }
    tracing::info!(user = %id, deleted = ids.len(), "panel accounts of a deleted user deleted");
    Ok(Outcome::Deleted)
}

/// Finds the user's panel account (linked, or by Telegram id, or by
/// username) and updates it, or creates one.
async fn apply(
    app: &App,
    client: &PanelClient,
    user: &User,
    want: &Desired,
    now: i64,
) -> Result<(PanelUser, Outcome), SyncError> {
    if let Some(link) = &user.panel {
        match client
            .update_user(&UserRef::Id(link.id), want, false, now)
            .await
        {
            Ok(u) => return Ok((u, Outcome::Updated)),
            Err(PanelError::NotFound) => {
                tracing::warn!(user = %user.id, panel_id = link.id, "linked panel user is gone; finding or creating another");
                app.store.forget_panel_account(user.id, link.id).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let found = client.users_by_telegram_id(user.id).await?;
    if let Some(existing) = pick(user.id, &found) {
        let u = client
            .update_user(&UserRef::Id(existing.id), want, false, now)
            .await?;
        return Ok((u, Outcome::Adopted));
    }
    match client.create_user(want).await {
        Ok(u) => Ok((u, Outcome::Created)),
        Err(PanelError::UsernameTaken) => {
            // The username exists but carries no (or another) Telegram id:
            // an account from an earlier bot. Take it over rather than fail.
            tracing::info!(user = %user.id, "username taken on the panel; adopting that user");
            let u = client
                .update_user(&UserRef::Username(username_for(user.id)), want, false, now)
                .await?;
            Ok((u, Outcome::Adopted))
        }
        Err(e) => Err(e.into()),
    }
}

/// Of the panel users carrying a Telegram id, the one the bot would have
/// created (`tg_<id>`), else the oldest.
pub fn pick(id: TelegramId, found: &[PanelUser]) -> Option<&PanelUser> {
    let ours = username_for(id);
    found
        .iter()
        .filter(|u| u.telegram_id == Some(id.0))
        .min_by_key(|u| (u.username != ours, u.id))
}

/// Whether an update left the user expired or limited although the
/// subscription (and its traffic) now allow access.
fn needs_activation(account: &PanelUser, want: &Desired, now: i64) -> bool {
    if want.expire_at <= now {
        return false;
    }
    match account.status {
        PanelStatus::Expired => true,
        PanelStatus::Limited => {
            want.traffic_limit_bytes == 0 || account.used_bytes() < want.traffic_limit_bytes
        }
        PanelStatus::Active | PanelStatus::Disabled => false,
    }
}

/// Disables the panel user of a banned user, and re-enables it once the
/// ban is lifted, but only if the bot was the one that disabled it (a user
/// an operator disabled in the panel stays disabled).
async fn enforce_ban(
    app: &App,
    client: &PanelClient,
    user: &User,
    account: &PanelUser,
) -> Result<PanelStatus, SyncError> {
    if user.banned && account.status != PanelStatus::Disabled {
        client.disable_user(account.id).await?;
        app.store.set_panel_disabled_by_us(user.id, true).await?;
        return Ok(PanelStatus::Disabled);
    }
    if !user.banned && user.panel_disabled_by_us {
        client.enable_user(account.id).await?;
        app.store.set_panel_disabled_by_us(user.id, false).await?;
        return Ok(PanelStatus::Active);
    }
    Ok(account.status)
}

/// Sends the link the first time the user has this panel account: once
/// after provisioning, and again only if the account was replaced (deleted
/// on the panel and created anew, with a new link).
async fn send_link_once(
    app: &App,
    user: &User,
    account: &PanelUser,
    view: &LinkView,
    expire_at: i64,
    now: i64,
) -> Result<(), SyncError> {
    let id = format!("{}#{}", user.id, account.id);
    if app
        .store
        .claim_once(LINK_SCOPE, &id, now, LINK_MARKER_SECS)
        .await?
        == Claim::Duplicate
    {
        return Ok(());
    }
    let msg = link_message(app, user, view, expire_at);
    if let Err(e) = app.outbox.send(&msg, 0).await {
        // Give the marker back: the retry must send it.
        if let Err(e) = app.store.release_once(LINK_SCOPE, &id).await {
            tracing::error!(user = %user.id, "could not release the link marker: {e}");
        }
        return Err(SyncError::Outbox(e.to_string()));
    }
    Ok(())
}

/// The "your VPN is ready" message: link, Connect and Mini App buttons.
pub fn link_message(app: &App, user: &User, view: &LinkView, expire_at: i64) -> OutgoingText {
    let lang = user.lang;
    let text = tr(
        lang,
        "sub-ready",
        &[
            ("link", Arg::Str(html(&view.text))),
            ("date", Arg::Str(crate::base::format::date(lang, expire_at))),
        ],
    );
    let mut msg = OutgoingText::to_user(user.id, text);
    if let Some(url) = &view.button {
        msg.buttons.push(vec![Button::Url {
            text: t(lang, "btn-connect"),
            url: url.clone(),
        }]);
    }
    if let Some(mini) = &app.config.subscription_mini_app_url {
        msg.buttons.push(vec![Button::WebApp {
            text: t(lang, "btn-mini-app"),
            url: mini.clone(),
        }]);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel_user(id: i64, username: &str, tg: Option<i64>) -> PanelUser {
        PanelUser {
            id,
            short_uuid: format!("s{id}"),
            username: username.into(),
            status: PanelStatus::Active,
            traffic_limit_bytes: 0,
            expire_at: "2030-01-01T00:00:00.000Z".into(),
            telegram_id: tg,
            subscription_url: String::new(),
            user_traffic: None,
        }
    }

    #[test]
    fn the_account_the_bot_made_is_preferred_then_the_oldest() {
        let id = TelegramId(42);
        let found = vec![
            panel_user(9, "imported", Some(42)),
            panel_user(12, "tg_42", Some(42)),
            panel_user(3, "other", Some(43)),
        ];
        assert_eq!(pick(id, &found).map(|u| u.id), Some(12));
        let found = vec![
            panel_user(9, "imported", Some(42)),
            panel_user(5, "older", Some(42)),
        ];
        assert_eq!(pick(id, &found).map(|u| u.id), Some(5));
        assert!(pick(id, &[panel_user(3, "tg_42", Some(43))]).is_none());
    }

    #[test]
    fn retries_back_off_up_to_an_hour() {
        let waits: Vec<i32> = (1..MAX_RECEIVES).map(backoff_secs).collect();
        assert_eq!(waits, vec![120, 240, 480, 960, 1920, 3600, 3600]);
        let total: i32 = waits.iter().sum();
        assert!(
            (3 * 3600 - 600..=3 * 3600 + 600).contains(&total),
            "{total}"
        );
    }

    #[test]
    fn dedup_ids_fit_sqs() {
        assert_eq!(dedup_id("order-0f3a"), "order-0f3a");
        let long = "x".repeat(200);
        assert_eq!(dedup_id(&long).len(), 64);
        assert_eq!(dedup_id("with space").len(), 64);
    }

    #[test]
    fn the_request_is_plain_json() {
        let req = PanelSyncRequest {
            user: TelegramId(7),
            reason: SyncReason::Paid,
        };
        let json = serde_json::to_string(&req).expect("json");
        assert_eq!(json, r#"{"user":7,"reason":"paid"}"#);
        assert_eq!(
            serde_json::from_str::<PanelSyncRequest>(&json).expect("back"),
            req
        );
    }

    #[test]
    fn renewing_a_limited_or_expired_user_reactivates_it() {
        let want = Desired {
            telegram_id: TelegramId(1),
            expire_at: 2_000,
            traffic_limit_bytes: 100,
            traffic_strategy: crate::base::config::TrafficStrategy::NoReset,
            squads: vec![],
            external_squad: None,
            hwid_device_limit: None,
            description: String::new(),
        };
        let mut u = panel_user(1, "tg_1", Some(1));
        u.status = PanelStatus::Expired;
        assert!(needs_activation(&u, &want, 1_000));
        assert!(!needs_activation(&u, &want, 3_000), "still in the past");
        u.status = PanelStatus::Limited;
        u.user_traffic = Some(crate::adapters::panel::UserTraffic {
            used_traffic_bytes: 150,
            online_at: None,
            first_connected_at: None,
        });
        assert!(!needs_activation(&u, &want, 1_000), "still over the limit");
        u.user_traffic = Some(crate::adapters::panel::UserTraffic {
            used_traffic_bytes: 50,
            online_at: None,
            first_connected_at: None,
        });
        assert!(needs_activation(&u, &want, 1_000));
        u.status = PanelStatus::Disabled;
        assert!(
            !needs_activation(&u, &want, 1_000),
            "a disabled user stays disabled"
        );
    }
}
