//! `POST /panel`: the panel's webhooks. Authenticated by
//! `X-Remnawave-Signature` (hex HMAC-SHA256 of the raw body, keyed with
//! PANEL_WEBHOOK_SECRET), refused when stale (the signed body's `timestamp`)
//! or when the unsigned `X-Remnawave-Timestamp` header contradicts it,
//! de-duplicated by a hash of the body. Events about our users update the
//! user item and queue a notice in the user's language; everything else is
//! accepted and ignored.

use crate::adapters::app::App;
use crate::adapters::http::{HttpRequest, HttpResponse};
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::panel::{parse_time, username_for};
use crate::adapters::store::StoreError;
use crate::adapters::store::once::Claim;
use crate::adapters::store::panel::{PanelFacts, Seen};
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::format::date_time;
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::TelegramId;
use crate::domains::access::sync::enqueue_repair;
use crate::domains::error::Error;
use hmac::{Hmac, Mac};
use http::StatusCode;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Remnawave-Signature";
/// Header carrying the send time (not covered by the signature).
pub const TIMESTAMP_HEADER: &str = "X-Remnawave-Timestamp";
/// How far an event's time may be from ours (either way) and still be taken.
pub const MAX_SKEW_SECS: i64 = 300;
/// Scope of the processed-event markers.
const EVENT_SCOPE: &str = "panel-event";
/// Events older than the skew are refused anyway; keep markers well past it.
const EVENT_MARKER_SECS: i64 = 86_400;
/// A subscription end this much later than the panel's means the panel is behind.
const DRIFT_SECS: i64 = 60;

/// `hex(HMAC-SHA256(secret, body))`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `given` (hex, either case) is the body's signature; compared in
/// constant time.
pub fn signature_valid(secret: &str, body: &[u8], given: Option<&str>) -> bool {
    let Some(bytes) = given.and_then(|g| hex::decode(g.trim()).ok()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    mac.verify_slice(&bytes).is_ok()
}

/// Why an authentic body is refused as a replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// The body has no readable `timestamp`.
    NoTimestamp,
    /// The event is older (or newer) than the allowed skew.
    OutOfWindow {
        /// Seconds between the event and now.
        age: i64,
    },
    /// The header's time contradicts the signed body's.
    HeaderMismatch,
}

/// Checks the signed `timestamp` against `now`, and the header against it.
/// The header may be ISO 8601 or unix seconds/milliseconds.
pub fn check_fresh(body_ts: Option<&str>, header_ts: Option<&str>, now: i64) -> Result<i64, Stale> {
    let at = body_ts.and_then(parse_time).ok_or(Stale::NoTimestamp)?;
    // `abs_diff`: a time at either end of i64 must not overflow (in a
    // release build it would wrap and could pass the window).
    if now.abs_diff(at) > MAX_SKEW_SECS.unsigned_abs() {
        return Err(Stale::OutOfWindow {
            age: now.saturating_sub(at),
        });
    }
    if let Some(h) = header_ts.map(str::trim).filter(|h| !h.is_empty()) {
        let header_at = parse_time(h).or_else(|| {
            h.parse::<i64>()
                .ok()
                .map(|n| if n > 100_000_000_000 { n / 1000 } else { n })
        });
        match header_at {
            Some(h) if h.abs_diff(at) <= MAX_SKEW_SECS.unsigned_abs() => {}
            _ => return Err(Stale::HeaderMismatch),
        }
    }
    Ok(at)
}

/// The envelope every webhook has.
#[derive(Debug, Deserialize)]
struct Envelope {
    event: String,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default)]
    meta: Option<Meta>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default)]
    expiration: Option<f64>,
    #[serde(default)]
    not_connected_after_hours: Option<f64>,
}

/// The parts of the user in an event we read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventUser {
    id: i64,
    username: String,
    status: String,
    #[serde(default)]
    telegram_id: Option<i64>,
    #[serde(default)]
    expire_at: Option<String>,
    #[serde(default)]
    short_uuid: Option<String>,
    #[serde(default)]
    subscription_url: Option<String>,
    #[serde(default)]
    traffic_limit_bytes: Option<f64>,
    #[serde(default)]
    user_traffic: Option<EventTraffic>,
    #[serde(default)]
    last_traffic_reset_at: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EventTraffic {
    #[serde(default)]
    used_traffic_bytes: Option<f64>,
    #[serde(default)]
    online_at: Option<String>,
    #[serde(default)]
    first_connected_at: Option<String>,
}

/// `torrent_blocker.report`'s `report.actionReport`: what was blocked, until when.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ActionReport {
    #[serde(default)]
    blocked: bool,
    #[serde(default)]
    ip: String,
    #[serde(default)]
    will_unblock_at: Option<String>,
    #[serde(default)]
    processed_at: Option<String>,
}

impl EventUser {
    /// What the event says about the account now.
    fn facts(&self) -> PanelFacts {
        let traffic = self.user_traffic.as_ref();
        PanelFacts {
            status: self.status.clone(),
            crypt4: None,
            account: self
                .short_uuid
                .clone()
                .zip(self.subscription_url.clone())
                .filter(|(short, url)| !short.is_empty() && !url.is_empty())
                .map(|(short_uuid, url)| {
                    (
                        crate::adapters::store::users::PanelLink {
                            id: self.id,
                            short_uuid,
                        },
                        url,
                    )
                }),
            traffic: traffic
                .and_then(|t| t.used_traffic_bytes)
                .zip(self.traffic_limit_bytes)
                .map(|(used, limit)| (bytes(used), bytes(limit))),
            seen: Seen {
                online_at: traffic
                    .and_then(|t| t.online_at.as_deref())
                    .and_then(parse_time),
                first_connected: traffic
                    .and_then(|t| t.first_connected_at.as_deref())
                    .and_then(parse_time),
            },
        }
    }

    fn used(&self) -> u64 {
        bytes(
            self.user_traffic
                .as_ref()
                .and_then(|t| t.used_traffic_bytes)
                .unwrap_or_default(),
        )
    }
}

/// A byte count the panel sent as a JSON number.
fn bytes(v: f64) -> u64 {
    if v.is_finite() && v > 0.0 {
        v as u64
    } else {
        0
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventDevice {
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    os_version: Option<String>,
    #[serde(default)]
    device_model: Option<String>,
}

/// What an event means for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The subscription ended.
    Expired,
    /// It ends in this many hours.
    ExpiresIn(i64),
    /// It ended this many hours ago.
    ExpiredAgo(i64),
    /// The traffic limit was reached.
    Limited,
    /// Access was switched off on the panel.
    Disabled,
    /// Access was switched back on.
    Enabled,
    /// A new device connected (its description).
    DeviceAdded(String),
    /// A device was removed.
    DeviceDeleted,
    /// The VPN was used for the first time.
    FirstConnected,
    /// Never connected this many hours after creation.
    NotConnected(i64),
    /// Traffic used past one of the panel's thresholds.
    Threshold,
    /// Cut off by the torrent blocker.
    TorrentBlocked,
    /// The subscription link was reissued on the panel.
    Revoked,
    /// The panel's user was deleted.
    Deleted,
    /// The panel's user was changed.
    Modified,
    /// The traffic counter was reset.
    TrafficReset,
}

/// Reads the event name (3.x `user.expiration` with `meta.expiration`
/// hours, negative before expiry; 2.x `user.expires_in_72_hours` kinds).
fn kind(event: &str, meta: Option<&Meta>, device: Option<EventDevice>) -> Option<Kind> {
    match event {
        "user.expired" => Some(Kind::Expired),
        "user.limited" => Some(Kind::Limited),
        "user.disabled" => Some(Kind::Disabled),
        "user.enabled" => Some(Kind::Enabled),
        "user.first_connected" => Some(Kind::FirstConnected),
        "user.not_connected" => Some(Kind::NotConnected(
            meta.and_then(|m| m.not_connected_after_hours)
                .map_or(0, |h| h.round() as i64),
        )),
        "user.bandwidth_usage_threshold_reached" => Some(Kind::Threshold),
        "user.revoked" => Some(Kind::Revoked),
        "user.deleted" => Some(Kind::Deleted),
        "user.modified" => Some(Kind::Modified),
        "user.traffic_reset" => Some(Kind::TrafficReset),
        "torrent_blocker.report" => Some(Kind::TorrentBlocked),
        "user_hwid_devices.deleted" => Some(Kind::DeviceDeleted),
        "user_hwid_devices.added" => Some(Kind::DeviceAdded(describe(device))),
        "user.expiration" => {
            let hours = meta?.expiration?.round() as i64;
            match hours {
                h if h < 0 => Some(Kind::ExpiresIn(-h)),
                h if h > 0 => Some(Kind::ExpiredAgo(h)),
                _ => Some(Kind::Expired),
            }
        }
        other => {
            if let Some(h) = other
                .strip_prefix("user.expires_in_")
                .and_then(|r| r.strip_suffix("_hours"))
                .and_then(|h| h.parse::<i64>().ok())
            {
                return Some(Kind::ExpiresIn(h));
            }
            other
                .strip_prefix("user.expired_")
                .and_then(|r| r.strip_suffix("_hours_ago"))
                .and_then(|h| h.parse::<i64>().ok())
                .map(Kind::ExpiredAgo)
        }
    }
}

fn describe(device: Option<EventDevice>) -> String {
    let Some(d) = device else {
        return String::new();
    };
    [d.device_model, d.platform, d.os_version]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `POST /panel`.
pub async fn handle_panel_webhook(app: &App, req: HttpRequest) -> HttpResponse {
    let Some(secret) = app.config.panel_webhook_secret.as_deref() else {
        tracing::error!(
            "panel webhook refused: PANEL_WEBHOOK_SECRET is not set, so no event can be authenticated"
        );
        return HttpResponse::error(StatusCode::UNAUTHORIZED, "unauthorized");
    };
    if !signature_valid(secret, &req.body, req.header(SIGNATURE_HEADER)) {
        tracing::warn!(source_ip = ?req.source_ip, "panel webhook refused: signature missing or wrong");
        return HttpResponse::error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let envelope: Envelope = match serde_json::from_slice(&req.body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!("panel webhook refused: signed body is not an event: {e}");
            return HttpResponse::error(StatusCode::BAD_REQUEST, "not an event");
        }
    };
    let ts = now();
    let at = match check_fresh(
        envelope.timestamp.as_deref(),
        req.header(TIMESTAMP_HEADER),
        ts,
    ) {
        Ok(at) => at,
        Err(why) => {
            tracing::warn!(event = %envelope.event, ?why, "panel webhook refused: stale or replayed");
            return HttpResponse::error(StatusCode::BAD_REQUEST, "stale or replayed event");
        }
    };
    let id = hex::encode(Sha256::digest(&req.body));
    match app
        .store
        .claim_once(EVENT_SCOPE, &id, ts, EVENT_MARKER_SECS)
        .await
    {
        Ok(Claim::Duplicate) => return HttpResponse::ok(),
        Ok(Claim::Acquired) => {}
        Err(e) => {
            tracing::error!("panel webhook: storage failed: {e}");
            return HttpResponse::error(StatusCode::INTERNAL_SERVER_ERROR, "temporary failure");
        }
    }
    match apply(app, &envelope, at).await {
        Ok(()) => HttpResponse::ok(),
        Err(e) => {
            tracing::error!(event = %envelope.event, "panel webhook failed: {e}");
            if let Err(e) = app.store.release_once(EVENT_SCOPE, &id).await {
                tracing::error!("could not release the panel event marker: {e}");
            }
            HttpResponse::error(StatusCode::INTERNAL_SERVER_ERROR, "temporary failure")
        }
    }
}

/// Updates our state for an authentic, fresh, first-seen event.
async fn apply(app: &App, envelope: &Envelope, at: i64) -> Result<(), Error> {
    let mut report = ActionReport::default();
    let (user_json, device) = if envelope.event.starts_with("user_hwid_devices.") {
        (
            envelope.data.get("user").cloned().unwrap_or_default(),
            envelope
                .data
                .get("hwidUserDevice")
                .cloned()
                .and_then(|d| serde_json::from_value::<EventDevice>(d).ok()),
        )
    } else if envelope.event.starts_with("torrent_blocker.") {
        if let Some(r) = envelope.data.pointer("/report/actionReport") {
            report = serde_json::from_value(r.clone()).unwrap_or_default();
        }
        (envelope.data.get("user").cloned().unwrap_or_default(), None)
    } else if envelope.event.starts_with("user.") {
        (envelope.data.clone(), None)
    } else {
        tracing::info!(event = %envelope.event, "panel event ignored");
        return Ok(());
    };
    let Some(kind) = kind(&envelope.event, envelope.meta.as_ref(), device) else {
        tracing::info!(event = %envelope.event, "panel event ignored");
        return Ok(());
    };
    let Ok(subject) = serde_json::from_value::<EventUser>(user_json) else {
        tracing::warn!(event = %envelope.event, "panel event without a readable user, ignored");
        return Ok(());
    };
    let Some(user) = our_user(app, &subject).await.map_err(Error::from)? else {
        tracing::info!(event = %envelope.event, panel_id = subject.id, "panel event about a user that is not ours, ignored");
        return Ok(());
    };
    if kind == Kind::Deleted {
        return deleted(app, &user, &subject, at).await;
    }
    // The link's crypt4 form is made once and kept with it: the notices
    // below show the one stored.
    let mut facts = subject.facts();
    let mut user = user;
    if let Some((_, url)) = &facts.account {
        facts.crypt4 = super::crypt4::seal(&app.config, &user, url);
        user.crypt4 = facts.crypt4.clone().map(|c4| (url.clone(), c4));
    }
    app.store
        .apply_panel_facts(user.id, &facts, at)
        .await
        .map_err(Error::from)?;
    if kind == Kind::TrafficReset {
        app.store
            .traffic_was_reset(user.id, at)
            .await
            .map_err(Error::from)?;
        if user.packs + user.old_packs > 0 {
            // The packs lasted until this reset: the limit comes down.
            enqueue_repair(app, &user).await;
        }
    }
    if matches!(
        kind,
        Kind::Expired | Kind::ExpiredAgo(_) | Kind::ExpiresIn(_)
    ) && panel_behind(&user, &subject, at)
    {
        // We renewed but the panel has not heard yet: the sync is queued or
        // was lost. Queue one more rather than tell a paying user they expired.
        enqueue_repair(app, &user).await;
        tracing::info!(user = %user.id, event = %envelope.event, "panel behind DynamoDB; sync queued, no notice");
        return Ok(());
    }
    if kind == Kind::TorrentBlocked && report.blocked {
        app.admin_log(tr(
            app.config.default_language,
            "log-torrent-blocked",
            &[
                ("user", Arg::Str(user.id.to_string())),
                ("ip", Arg::Str(html(&report.ip))),
                (
                    "until",
                    Arg::Str(unblock_text(app.config.default_language, &report)),
                ),
            ],
        ))
        .await;
    }
    if let Some(msg) = notice(&user, &kind) {
        app.outbox
            .send(&msg, 0)
            .await
            .map_err(|e| format!("notice not queued: {e}"))?;
    }
    let Some((key, msg)) = panel_notice(app, &user, &kind, &subject, &report) else {
        return Ok(());
    };
    send_notice_once(app, user.id, &key, &msg, at).await
}

/// When the torrent blocker lets the user back in, as the user reads it.
fn unblock_text(lang: crate::base::types::Lang, report: &ActionReport) -> String {
    report
        .will_unblock_at
        .as_deref()
        .and_then(parse_time)
        .map(|t| format!("{} UTC", date_time(lang, t)))
        .unwrap_or_else(|| "—".into())
}

/// Scope of the once-per-meaning markers of panel notices: a notice the
/// panel sends again with another timestamp (a retry, a repeated
/// threshold) is still sent once.
const NOTICE_SCOPE: &str = "panel-notice";
/// How long a notice's marker is kept: longer than any subscription the
/// notice could repeat within.
const NOTICE_KEEP_SECS: i64 = 400 * 86_400;
/// How long a notice's marker is held while it is being queued.
const NOTICE_LEASE_SECS: i64 = 120;

/// Queues `msg` unless the notice `key` of `user` was sent before.
async fn send_notice_once(
    app: &App,
    user: TelegramId,
    key: &str,
    msg: &OutgoingText,
    now: i64,
) -> Result<(), Error> {
    let id = format!("{user}:{key}");
    if crate::domains::messaging::queue_once(app, NOTICE_SCOPE, &id, now, NOTICE_LEASE_SECS, msg)
        .await?
    {
        app.store
            .keep_once(NOTICE_SCOPE, &id, now + NOTICE_KEEP_SECS)
            .await
            .map_err(Error::from)?;
    }
    Ok(())
}

/// Marks the notice `key` of `user` as sent (the bot told them itself).
pub async fn notice_sent(app: &App, user: TelegramId, key: &str, now: i64) -> Result<(), Error> {
    let id = format!("{user}:{key}");
    app.store
        .claim_once(NOTICE_SCOPE, &id, now, NOTICE_KEEP_SECS)
        .await
        .map(|_| ())
        .map_err(Error::from)
}

/// The panel deleted the user's account: forget it; with paid time left
/// the next sync creates a new one (queued now), and the admins are told.
async fn deleted(app: &App, user: &User, subject: &EventUser, at: i64) -> Result<(), Error> {
    app.store
        .forget_panel_account(user.id, subject.id)
        .await
        .map_err(Error::from)?;
    let paid_left = user.active(at) && !user.on_trial() && !user.banned;
    if paid_left {
        enqueue_repair(app, user).await;
    } else {
        // Not re-created by a sync (a trial opening "My subscription")
        // until a payment.
        app.store
            .mark_panel_gone(user.id)
            .await
            .map_err(Error::from)?;
    }
    let lang = app.config.default_language;
    app.admin_log(tr(
        lang,
        if paid_left {
            "log-panel-user-deleted-recreated"
        } else {
            "log-panel-user-deleted"
        },
        &[
            ("user", Arg::Str(user.id.to_string())),
            ("id", Arg::Str(subject.id.to_string())),
        ],
    ))
    .await;
    if !app.config.notifications.panel.deleted || user.banned || user.blocked_at.is_some() {
        return Ok(());
    }
    let key = if paid_left {
        "panel-deleted-recreated"
    } else {
        "panel-deleted"
    };
    let msg = OutgoingText::to_user(user.id, t(user.lang, key));
    send_notice_once(app, user.id, &format!("del:{}", subject.id), &msg, at).await
}

/// Our user the event is about: same Telegram id, and the panel account we
/// linked (or, before linking, the username the bot gives).
async fn our_user(app: &App, subject: &EventUser) -> Result<Option<User>, StoreError> {
    let Some(tg) = subject.telegram_id.filter(|t| *t > 0).map(TelegramId) else {
        return Ok(None);
    };
    let Some(user) = app.store.get_user(tg).await? else {
        return Ok(None);
    };
    let ours = match &user.panel {
        Some(link) => link.id == subject.id,
        None => subject.username == username_for(tg),
    };
    Ok(ours.then_some(user))
}

fn panel_behind(user: &User, subject: &EventUser, now: i64) -> bool {
    let panel_end = subject.expire_at.as_deref().and_then(parse_time);
    match (user.sub_end, panel_end) {
        (Some(ours), Some(theirs)) => ours > theirs + DRIFT_SECS && ours > now,
        _ => false,
    }
}

/// The message the user gets for an event, if any. Expiry events
/// (`user.expiration`, `user.expired`, 2.x `expires_in`/`expired_…_ago`)
/// update the status only: the expiry notices belong to the scheduler
/// (`domains::schedule::notices`), which knows our end date, the user's
/// language and settings, and sends each once per subscription end.
fn notice(user: &User, kind: &Kind) -> Option<OutgoingText> {
    let lang = user.lang;
    let (text, sub_button) = match kind {
        Kind::Limited => (t(lang, "panel-limited"), true),
        Kind::Disabled if !user.banned => (t(lang, "panel-disabled"), false),
        Kind::Enabled if !user.banned => (t(lang, "panel-enabled"), true),
        Kind::DeviceAdded(what) => (
            tr(
                lang,
                "panel-device-added",
                &[("device", Arg::Str(html(non_empty(what))))],
            ),
            false,
        ),
        _ => return None,
    };
    if user.banned || user.blocked_at.is_some() {
        return None;
    }
    let mut msg = OutgoingText::to_user(user.id, text);
    if sub_button {
        msg.buttons.push(vec![Button::Callback {
            text: t(lang, "btn-subscription"),
            data: crate::base::callback::Action::Subscription.data(),
        }]);
    }
    Some(msg)
}

/// The notice a new kind of panel event brings, with its once-key, when
/// the operator has it on.
fn panel_notice(
    app: &App,
    user: &User,
    kind: &Kind,
    subject: &EventUser,
    report: &ActionReport,
) -> Option<(String, OutgoingText)> {
    if user.banned || user.blocked_at.is_some() {
        return None;
    }
    let on = app.config.notifications.panel;
    let lang = user.lang;
    let sub = || Button::Callback {
        text: t(lang, "btn-subscription"),
        data: crate::base::callback::Action::Subscription.data(),
    };
    let (key, text, buttons) = match kind {
        Kind::FirstConnected if on.first_connected => {
            ("first".to_owned(), t(lang, "panel-first-connected"), vec![])
        }
        Kind::NotConnected(hours)
            if on.not_connected
                && user.first_connected.is_none()
                && subject.facts().seen.first_connected.is_none() =>
        {
            let mut buttons = vec![vec![Button::Callback {
                text: t(lang, "btn-how-to-connect"),
                data: crate::base::callback::Action::Guide(None).data(),
            }]];
            if let Some(support) = &app.config.links.support {
                buttons.push(vec![Button::Url {
                    text: t(lang, "btn-support"),
                    url: support.clone(),
                }]);
            }
            (
                format!("nc:{hours}"),
                t(lang, "panel-not-connected"),
                buttons,
            )
        }
        Kind::Threshold if on.bandwidth_threshold => {
            let limit = subject.traffic_limit_bytes.map(bytes).unwrap_or_default();
            if limit == 0 {
                return None;
            }
            let used = subject.used();
            let percent = (used.saturating_mul(100) / limit).min(100);
            // The panel's thresholds are round (50, 80, 95 %): one notice
            // per tenth of the limit per traffic period.
            let key = format!(
                "bw:{}:{}",
                percent / 10,
                subject.last_traffic_reset_at.as_deref().unwrap_or("-")
            );
            let button = if crate::domains::money::catalog::offers_packs(&app.config, user, now()) {
                Button::Callback {
                    text: t(lang, "btn-more-traffic"),
                    data: crate::base::callback::BuyAction::MoreTraffic.data(),
                }
            } else {
                sub()
            };
            (
                key,
                tr(
                    lang,
                    "panel-threshold",
                    &[
                        ("percent", Arg::Num(percent as i64)),
                        (
                            "used",
                            Arg::Str(crate::base::format::bytes_text(lang, used)),
                        ),
                        (
                            "limit",
                            Arg::Str(crate::base::format::bytes_text(lang, limit)),
                        ),
                    ],
                ),
                vec![vec![button]],
            )
        }
        Kind::TorrentBlocked if on.torrent_blocker && report.blocked => (
            format!(
                "tb:{}",
                report
                    .processed_at
                    .as_deref()
                    .or(report.will_unblock_at.as_deref())
                    .unwrap_or("-")
            ),
            tr(
                lang,
                "panel-torrent-blocked",
                &[("until", Arg::Str(unblock_text(lang, report)))],
            ),
            vec![],
        ),
        Kind::Revoked if on.revoked => {
            let url = subject.subscription_url.clone().unwrap_or_default();
            if url.is_empty() {
                return None;
            }
            let view = super::crypt4::LinkView::for_user(&app.config, user, &url);
            (
                format!("rv:{}", subject.short_uuid.as_deref().unwrap_or("-")),
                tr(
                    lang,
                    "panel-revoked",
                    &[("link", Arg::Str(html(&view.text)))],
                ),
                vec![vec![sub()]],
            )
        }
        Kind::TrafficReset if on.traffic_reset => (
            format!(
                "tr:{}",
                subject.last_traffic_reset_at.as_deref().unwrap_or("-")
            ),
            t(lang, "panel-traffic-reset"),
            vec![vec![sub()]],
        ),
        _ => return None,
    };
    let mut msg = OutgoingText::to_user(user.id, text);
    msg.buttons = buttons;
    Some((key, msg))
}

fn non_empty(what: &str) -> &str {
    if what.is_empty() { "—" } else { what }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn iso(ts: i64) -> String {
        crate::adapters::panel::format_time(ts)
    }

    #[test]
    fn the_signature_is_hex_hmac_of_the_raw_body() {
        let body = br#"{"scope":"service","event":"service.panel_started"}"#;
        let sig = signature("s3cret", body);
        assert!(signature_valid("s3cret", body, Some(&sig)));
        assert!(signature_valid(
            "s3cret",
            body,
            Some(&sig.to_ascii_uppercase())
        ));
        assert!(!signature_valid("other", body, Some(&sig)));
        assert!(!signature_valid(
            "s3cret",
            br#"{"scope": "service","event":"service.panel_started"}"#,
            Some(&sig)
        ));
        assert!(!signature_valid("s3cret", body, None));
        assert!(!signature_valid("s3cret", body, Some("zz")));
        assert!(!signature_valid("s3cret", body, Some(&sig[..32])));
    }

    #[test]
    fn fresh_events_pass_and_stale_ones_do_not() {
        let body = iso(NOW - 10);
        assert_eq!(check_fresh(Some(&body), None, NOW), Ok(NOW - 10));
        assert_eq!(check_fresh(Some(&body), Some(&body), NOW), Ok(NOW - 10));
        assert_eq!(
            check_fresh(Some(&body), Some(&(NOW - 5).to_string()), NOW),
            Ok(NOW - 10)
        );
        assert_eq!(
            check_fresh(Some(&body), Some(&((NOW - 5) * 1000).to_string()), NOW),
            Ok(NOW - 10)
        );
        assert_eq!(
            check_fresh(Some(&iso(NOW - 301)), None, NOW),
            Err(Stale::OutOfWindow { age: 301 })
        );
        assert_eq!(
            check_fresh(Some(&iso(NOW + 400)), None, NOW),
            Err(Stale::OutOfWindow { age: -400 })
        );
        assert_eq!(
            check_fresh(Some(&body), Some(&iso(NOW - 3600)), NOW),
            Err(Stale::HeaderMismatch)
        );
        assert_eq!(
            check_fresh(Some(&body), Some("yesterday"), NOW),
            Err(Stale::HeaderMismatch)
        );
        assert_eq!(check_fresh(None, None, NOW), Err(Stale::NoTimestamp));
    }

    /// Found by the `panel_webhook` fuzz target: times at the ends of i64
    /// overflowed the window arithmetic (a panic in a debug build, a wrap
    /// that could pass the window in a release build).
    #[test]
    fn extreme_times_are_refused_without_overflow() {
        let body = iso(NOW);
        for now in [i64::MIN, i64::MAX] {
            assert!(matches!(
                check_fresh(Some(&body), None, now),
                Err(Stale::OutOfWindow { .. })
            ));
        }
        assert_eq!(
            check_fresh(Some(&body), Some(&i64::MIN.to_string()), NOW),
            Err(Stale::HeaderMismatch)
        );
        assert_eq!(
            check_fresh(Some(&body), Some(&i64::MAX.to_string()), NOW),
            Err(Stale::HeaderMismatch)
        );
    }

    #[test]
    fn event_kinds_of_both_panel_generations() {
        let before = Meta {
            expiration: Some(-72.0),
            not_connected_after_hours: None,
        };
        let after = Meta {
            expiration: Some(24.0),
            not_connected_after_hours: None,
        };
        assert_eq!(
            kind("user.expiration", Some(&before), None),
            Some(Kind::ExpiresIn(72))
        );
        assert_eq!(
            kind("user.expiration", Some(&after), None),
            Some(Kind::ExpiredAgo(24))
        );
        assert_eq!(kind("user.expiration", None, None), None);
        assert_eq!(
            kind("user.expires_in_48_hours", None, None),
            Some(Kind::ExpiresIn(48))
        );
        assert_eq!(
            kind("user.expired_24_hours_ago", None, None),
            Some(Kind::ExpiredAgo(24))
        );
        assert_eq!(kind("user.expired", None, None), Some(Kind::Expired));
        assert_eq!(kind("user.modified", None, None), Some(Kind::Modified));
        assert_eq!(kind("user.created", None, None), None);
        let nudge = Meta {
            expiration: None,
            not_connected_after_hours: Some(24.0),
        };
        assert_eq!(
            kind("user.not_connected", Some(&nudge), None),
            Some(Kind::NotConnected(24))
        );
        assert_eq!(kind("node.connection_lost", None, None), None);
        let device = EventDevice {
            platform: Some("iOS".into()),
            os_version: Some("18.1".into()),
            device_model: Some("iPhone 15".into()),
        };
        assert_eq!(
            kind("user_hwid_devices.added", None, Some(device)),
            Some(Kind::DeviceAdded("iPhone 15 · iOS · 18.1".into()))
        );
    }
}
