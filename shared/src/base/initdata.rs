//! A Mini App's `initData`, checked as Telegram documents it: the secret is
//! HMAC-SHA-256 of the bot token under the key `WebAppData`; the hash is the
//! hex HMAC-SHA-256, under that secret, of every other field as `key=value`
//! lines sorted by key; compared in constant time; and `auth_date` no older
//! than the window the caller allows. Only a [`Verified`] value carries an
//! identity, and it can only be built by that check.

use crate::base::types::TelegramId;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How old an `initData` may be: a day. Telegram Desktop and iOS hand out
/// the `initData` of the moment the Mini App was opened and keep it while
/// the app stays open (for hours on a desktop), so a short window would
/// log out users who did nothing wrong; a signed value cannot be forged,
/// only replayed, and a replay only shows its owner's own cabinet.
pub const MAX_AGE_SECS: i64 = 24 * 3600;
/// A clock ahead of ours by less than this is tolerated.
const FUTURE_SKEW_SECS: i64 = 300;

/// The Telegram user a Mini App was opened by (`WebAppUser`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct WebAppUser {
    /// Telegram id.
    pub id: TelegramId,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Username without `@`.
    #[serde(default)]
    pub username: Option<String>,
    /// IETF language tag of the user's Telegram client.
    #[serde(default)]
    pub language_code: Option<String>,
}

/// `initData` whose hash matched the bot token and whose age is within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Who opened the Mini App.
    pub user: WebAppUser,
    /// When Telegram signed it, unix seconds.
    pub auth_date: i64,
    /// The `startapp` parameter of the link that opened it, if any.
    pub start_param: Option<String>,
}

/// Why an `initData` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitDataError {
    /// Not a query string with one `hash`, `auth_date` and `user` each.
    #[error("initData is malformed: {0}")]
    Malformed(&'static str),
    /// The hash does not match: not signed with this bot's token.
    #[error("initData signature does not match")]
    BadSignature,
    /// Signed, but longer ago than the window (or too far in the future).
    #[error("initData is expired")]
    Expired,
}

/// Checks `init_data` (the raw `Telegram.WebApp.initData` string) against
/// `bot_token` at `now`.
pub fn verify(init_data: &str, bot_token: &str, now: i64) -> Result<Verified, InitDataError> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(init_data.as_bytes()) {
        if fields.iter().any(|(seen, _)| *seen == k) {
            return Err(InitDataError::Malformed("a field appears twice"));
        }
        fields.push((k.into_owned(), v.into_owned()));
    }
    let Some(at) = fields.iter().position(|(k, _)| k == "hash") else {
        return Err(InitDataError::Malformed("no hash"));
    };
    let (_, hash) = fields.remove(at);
    let given = hex::decode(&hash).map_err(|_| InitDataError::Malformed("hash is not hex"))?;
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let check = fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    if !bool::from(signature(bot_token, &check).as_slice().ct_eq(&given)) {
        return Err(InitDataError::BadSignature);
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let auth_date: i64 = field("auth_date")
        .and_then(|v| v.parse().ok())
        .ok_or(InitDataError::Malformed("no auth_date"))?;
    if now - auth_date > MAX_AGE_SECS || auth_date - now > FUTURE_SKEW_SECS {
        return Err(InitDataError::Expired);
    }
    let user: WebAppUser = field("user")
        .and_then(|v| serde_json::from_str(v).ok())
        .ok_or(InitDataError::Malformed("no user"))?;
    Ok(Verified {
        user,
        auth_date,
        start_param: field("start_param").map(str::to_owned),
    })
}

/// The hash Telegram puts on `data_check_string` for the bot `bot_token`.
fn signature(bot_token: &str, data_check_string: &str) -> Vec<u8> {
    let mut secret = <Hmac<Sha256>>::new_from_slice(b"WebAppData").expect("any key length");
    secret.update(bot_token.as_bytes());
    let secret = secret.finalize().into_bytes();
    let mut mac = <Hmac<Sha256>>::new_from_slice(&secret).expect("any key length");
    mac.update(data_check_string.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Signs `fields` as Telegram would for `bot_token` and returns the
/// `initData` string (for tests and the local stack's tools: the signature
/// needs the bot token, so only the bot's owner can make one).
pub fn sign(fields: &[(&str, &str)], bot_token: &str) -> String {
    let mut sorted: Vec<&(&str, &str)> = fields.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let check = sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let hash = hex::encode(signature(bot_token, &check));
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        out.append_pair(k, v);
    }
    out.append_pair("hash", &hash);
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:ABC-def_ghi";
    const USER: &str = r#"{"id":42,"first_name":"Анна","language_code":"ru"}"#;

    fn signed(at: i64) -> String {
        sign(
            &[
                ("auth_date", &at.to_string()),
                ("query_id", "AAE"),
                ("user", USER),
            ],
            TOKEN,
        )
    }

    #[test]
    fn a_signed_value_yields_its_user() {
        let v = verify(&signed(1_000), TOKEN, 1_060).unwrap();
        assert_eq!(v.user.id, TelegramId(42));
        assert_eq!(v.user.first_name, "Анна");
        assert_eq!(v.auth_date, 1_000);
        assert_eq!(v.start_param, None);
    }

    #[test]
    fn the_check_string_is_sorted_lines_without_the_hash() {
        // Written out by hand from Telegram's description, independently of `sign`.
        let data = "auth_date=1000\nquery_id=AAE\nuser=".to_owned() + USER;
        let expected = hex::encode(signature(TOKEN, &data));
        let raw = signed(1_000);
        assert!(raw.ends_with(&format!("hash={expected}")), "{raw}");
    }

    #[test]
    fn another_token_a_changed_field_or_no_hash_is_refused() {
        let raw = signed(1_000);
        assert_eq!(
            verify(&raw, "123456:other", 1_000),
            Err(InitDataError::BadSignature)
        );
        let changed = raw.replace("%22id%22%3A42", "%22id%22%3A43");
        assert_ne!(changed, raw);
        assert_eq!(
            verify(&changed, TOKEN, 1_000),
            Err(InitDataError::BadSignature)
        );
        let added = format!("start_param=x&{raw}");
        assert_eq!(
            verify(&added, TOKEN, 1_000),
            Err(InitDataError::BadSignature)
        );
        let no_hash = raw.split("&hash=").next().unwrap();
        assert!(matches!(
            verify(no_hash, TOKEN, 1_000),
            Err(InitDataError::Malformed(_))
        ));
        let twice = format!("{raw}&user=x");
        assert!(matches!(
            verify(&twice, TOKEN, 1_000),
            Err(InitDataError::Malformed(_))
        ));
        assert!(matches!(
            verify("", TOKEN, 1_000),
            Err(InitDataError::Malformed(_))
        ));
    }

    #[test]
    fn a_day_old_value_is_accepted_and_older_refused() {
        let raw = signed(1_000);
        assert!(verify(&raw, TOKEN, 1_000 + MAX_AGE_SECS).is_ok());
        assert_eq!(
            verify(&raw, TOKEN, 1_001 + MAX_AGE_SECS),
            Err(InitDataError::Expired)
        );
        assert_eq!(
            verify(&raw, TOKEN, 1_000 - 301),
            Err(InitDataError::Expired)
        );
    }

    #[test]
    fn the_start_parameter_is_kept() {
        let raw = sign(
            &[
                ("auth_date", "5"),
                ("start_param", "ref_abc"),
                ("user", USER),
            ],
            TOKEN,
        );
        assert_eq!(
            verify(&raw, TOKEN, 5).unwrap().start_param.as_deref(),
            Some("ref_abc")
        );
    }
}
