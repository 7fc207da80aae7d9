//! Who is calling: the Mini App's `initData` from the `Authorization: tma
//! <initData>` header, checked with the bot token
//! (`base::initdata::verify`), then the user registered or refreshed the
//! way an update from them would be (one `UpdateItem`; a new user's
//! attribution, campaign count and `promo_` code from the start parameter,
//! as `/start` does). No id from a URL or a body is ever used for identity.

use super::ApiError;
use crate::adapters::app::App;
use crate::adapters::http::HttpRequest;
use crate::adapters::store::users::{Touched, User, Visitor};
use crate::base::initdata::{InitDataError, verify};
use crate::base::types::Lang;
use crate::bot::start::{StartParam, parse_start};
use http::StatusCode;

/// The header's scheme, as Telegram's own examples name it.
const SCHEME: &str = "tma ";

/// The verified caller, registered and not banned.
pub(super) async fn caller(app: &App, req: &HttpRequest, now: i64) -> Result<User, ApiError> {
    let raw = req
        .header("authorization")
        .and_then(|h| h.strip_prefix(SCHEME))
        .ok_or(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth_missing",
            "cab-auth-failed",
        ))?;
    let verified = verify(raw, &app.config.bot_token, now).map_err(|e| {
        tracing::info!("cabinet refused initData: {e}");
        match e {
            InitDataError::Expired => {
                ApiError::new(StatusCode::UNAUTHORIZED, "auth_expired", "cab-auth-expired")
            }
            _ => ApiError::new(StatusCode::UNAUTHORIZED, "auth_invalid", "cab-auth-failed"),
        }
    })?;
    let u = &verified.user;
    let visitor = Visitor {
        id: u.id,
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        username: u.username.clone(),
        lang: Lang::from_telegram(u.language_code.as_deref())
            .unwrap_or(app.config.default_language),
    };
    let nonce = uuid::Uuid::new_v4().to_string();
    let Touched {
        mut user,
        registered,
    } = app.store.touch_user(&visitor, now, &nonce).await?;
    if registered {
        // The `startapp` parameter of the link that opened the cabinet, as
        // `/start`'s: counted and attributed at registration only (every
        // call of this session carries it again).
        let start = verified
            .start_param
            .as_deref()
            .and_then(|p| parse_start(&format!("/start {p}")));
        let referrer = match &start {
            Some(StartParam::Referral(code)) if app.config.growth.referral_enabled => {
                super::super::gate::resolve_referrer(app, user.id, code).await?
            }
            _ => None,
        };
        super::super::gate::on_registered(app, &user, start.as_ref(), referrer).await?;
        if let Some(StartParam::Promo(code)) = &start {
            // The bot's own path for a `promo_` link; the origin is proven.
            app.store.set_pending_promo(user.id, code).await?;
            user.pending_promo = Some(code.clone());
            super::super::promo::apply_pending(app, &mut user, now).await?;
            if let Some(fresh) = app.store.get_user(user.id).await? {
                user = fresh;
            }
        }
    }
    if user.banned {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "banned", "banned"));
    }
    Ok(user)
}
