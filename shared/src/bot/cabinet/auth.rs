//! Who is calling: the Mini App's `initData` from the `Authorization: tma
//! <initData>` header, checked with the bot token
//! (`base::initdata::verify`), then the user registered or refreshed the
//! way an update from them would be (one `UpdateItem`; a new user's
//! attribution from the start parameter, as `/start` does). No id from a
//! URL or a body is ever used for identity.

use super::ApiError;
use crate::adapters::app::App;
use crate::adapters::http::HttpRequest;
use crate::adapters::store::users::{Touched, User, Visitor};
use crate::base::initdata::{InitDataError, verify};
use crate::base::types::Lang;
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
    let Touched { user, registered } = app.store.touch_user(&visitor, now, &nonce).await?;
    if registered {
        let start = verified
            .start_param
            .as_deref()
            .and_then(|p| super::super::start::parse_start(&format!("/start {p}")));
        super::super::gate::on_registered(app, &user, start.as_ref()).await?;
    }
    if user.banned {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "banned", "banned"));
    }
    Ok(user)
}
