//! The cabinet: the subscriber's Telegram Mini App under `/app/`. Its page
//! and assets (`assets`), embedded in the binary; its JSON API under
//! `/app/api/` (`api`), every call authenticated by the Mini App's signed
//! `initData` (`auth`). It is another face of the same shop: money goes
//! through `domains::money::checkout`, access through the panel client and
//! the sync queue, texts through the bot's Fluent files. See `docs/cabinet.md`.

mod api;
pub mod assets;
mod auth;

use crate::adapters::app::App;
use crate::adapters::http::{HttpRequest, HttpResponse};
use crate::base::i18n::{plain, t};
use crate::base::types::Lang;
use http::StatusCode;

/// Serves one request under `/app`.
pub async fn handle(app: &App, req: HttpRequest) -> HttpResponse {
    if app.config.cabinet.is_none() {
        return HttpResponse::error(StatusCode::NOT_FOUND, "the cabinet is turned off");
    }
    let Some(rest) = req.path.strip_prefix("/app") else {
        return HttpResponse::error(StatusCode::NOT_FOUND, "no such route");
    };
    let rest = rest.to_owned();
    match (req.method.as_str(), rest.as_str()) {
        ("GET" | "HEAD", "") => HttpResponse::bytes(
            StatusCode::PERMANENT_REDIRECT,
            "text/plain; charset=utf-8",
            bytes::Bytes::new(),
        )
        .with_header(http::header::LOCATION, "/app/"),
        ("GET" | "HEAD", "/") => assets::index(&req),
        ("GET" | "HEAD", p) if p.starts_with("/assets/") => assets::asset(&req, &p[8..]),
        (_, p) if p.starts_with("/api/") => api::handle(app, req, &rest[5..]).await,
        _ => HttpResponse::error(StatusCode::NOT_FOUND, "no such route"),
    }
}

/// A refused or failed API call: the status, a stable code for the page
/// and the text key shown to the user.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    key: &'static str,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, key: &'static str) -> ApiError {
        ApiError { status, code, key }
    }

    /// Our side failed (storage, a queue): the page may try again.
    fn internal(what: &dyn std::fmt::Display) -> ApiError {
        tracing::error!("cabinet request failed: {what}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "cab-error")
    }

    /// A request the API does not understand.
    fn bad_request(code: &'static str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, "cab-bad-request")
    }

    /// Nothing of the caller's has that id (another user's ids included).
    fn not_found(code: &'static str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, "cab-not-found")
    }

    fn response(&self, lang: Lang) -> HttpResponse {
        json(
            self.status,
            &serde_json::json!({"ok": false, "error": self.code, "message": plain(&t(lang, self.key))}),
        )
    }
}

impl From<crate::adapters::store::StoreError> for ApiError {
    fn from(e: crate::adapters::store::StoreError) -> ApiError {
        ApiError::internal(&e)
    }
}

impl From<crate::domains::error::Error> for ApiError {
    fn from(e: crate::domains::error::Error) -> ApiError {
        ApiError::internal(&e)
    }
}

impl From<super::BotError> for ApiError {
    fn from(e: super::BotError) -> ApiError {
        ApiError::internal(&e)
    }
}

/// A JSON answer nobody caches (it is one user's).
fn json(status: StatusCode, value: &serde_json::Value) -> HttpResponse {
    HttpResponse::json(status, value)
        .with_header(http::header::CACHE_CONTROL, "no-store")
        .with_header(http::header::X_CONTENT_TYPE_OPTIONS, "nosniff")
}
