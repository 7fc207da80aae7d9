//! Small pieces every provider module shares: keyed hashes, amounts that
//! arrive as JSON strings or numbers, and how an HTTP outcome becomes a
//! [`PayError`].

use super::PayError;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// How long one call to a provider's API may take before we give up and
/// report [`PayError::Unavailable`] (API Gateway itself cuts us off at 30 s).
pub const API_TIMEOUT: Duration = Duration::from_secs(10);

/// Lower-case hex of HMAC-SHA256(`key`, `msg`).
pub fn hmac_sha256_hex(key: &[u8], msg: &[u8]) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

/// A JSON amount as decimal text: providers send `"299.00"`, `"299"`,
/// `299` or `250.0`. Floats keep their shortest round-trip text, so
/// `250.0` stays `"250.0"` and [`super::parse_minor`] reads it exactly.
pub fn amount_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON id as text: ids arrive as strings or as integers.
pub fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// Sends a provider's request and reads its answer whole: the HTTP status
/// and the body's text; a transport failure is [`transport_error`].
pub async fn exchange(
    provider: &str,
    req: reqwest::RequestBuilder,
) -> Result<(u16, String), PayError> {
    let resp = req.send().await.map_err(|e| transport_error(provider, e))?;
    let status = resp.status().as_u16();
    let text = resp
        .text()
        .await
        .map_err(|e| transport_error(provider, e))?;
    Ok((status, text))
}

/// A transport failure (no answer, timeout, broken connection): retry later.
pub fn transport_error(provider: &str, e: reqwest::Error) -> PayError {
    let what = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        // Without the URL: only headers carry credentials, but keep logs short.
        e.without_url().to_string()
    };
    PayError::Unavailable(format!("{provider}: {what}"))
}

/// An HTTP status that is not success: 5xx, 429 and 408 mean "retry later",
/// every other 4xx is the provider refusing the request.
pub fn status_error(provider: &str, status: u16, detail: &str) -> PayError {
    let detail: String = detail.chars().take(300).collect();
    if status >= 500 || status == 429 || status == 408 {
        PayError::Unavailable(format!("{provider}: HTTP {status} {detail}"))
    } else {
        PayError::Refused(format!("{provider}: HTTP {status} {detail}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hmac_known_answer() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn amounts_and_ids_from_strings_or_numbers() {
        assert_eq!(amount_text(&json!("299.00")).as_deref(), Some("299.00"));
        assert_eq!(amount_text(&json!(299)).as_deref(), Some("299"));
        assert_eq!(amount_text(&json!(250.0)).as_deref(), Some("250.0"));
        assert_eq!(amount_text(&json!(0.1)).as_deref(), Some("0.1"));
        assert_eq!(amount_text(&json!(null)), None);
        assert_eq!(id_text(&json!(23360001)).as_deref(), Some("23360001"));
        assert_eq!(id_text(&json!("abc")).as_deref(), Some("abc"));
        assert_eq!(id_text(&json!("")), None);
        assert_eq!(id_text(&json!(1.5)), None);
    }

    #[test]
    fn statuses() {
        assert!(matches!(
            status_error("x", 502, ""),
            PayError::Unavailable(_)
        ));
        assert!(matches!(
            status_error("x", 429, ""),
            PayError::Unavailable(_)
        ));
        assert!(matches!(status_error("x", 400, ""), PayError::Refused(_)));
        assert!(matches!(status_error("x", 401, ""), PayError::Refused(_)));
    }
}
