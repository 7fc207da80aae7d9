//! Payment providers. Each provider module turns our order into the
//! provider's payment request, and turns the provider's notification into a
//! [`Verified`] value that can only be built by checking its authenticity
//! over the raw bytes received. Crediting lives in `crate::domains::money::orders`.

pub mod cryptopay;
pub mod freekassa;
pub mod platega;
pub mod pyjson;
pub mod severpay;
pub mod tribute;
pub mod wire;
pub mod yookassa;

pub use crate::base::money::{Money, parse_decimal as parse_minor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Our order id: the idempotency key sent to every provider.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub String);

impl OrderId {
    /// A fresh, unguessable order id (32 hex characters, no dashes: every
    /// provider accepts it as a payload, order number and idempotence key).
    pub fn new() -> OrderId {
        OrderId(uuid::Uuid::new_v4().simple().to_string())
    }

    /// A fresh order id of `buyer`: 32 random hex characters, `x`, the
    /// buyer's Telegram id. Crediting reads the order and the buyer in one
    /// round trip because the buyer's key is in the id ([`OrderId::buyer`]);
    /// the order item stays the authority on who the buyer is.
    pub fn for_buyer(buyer: i64) -> OrderId {
        OrderId(format!("{}x{buyer}", uuid::Uuid::new_v4().simple()))
    }

    /// The buyer an id made by [`OrderId::for_buyer`] names; `None` for
    /// older ids (and ids made from events), which cost one more read.
    pub fn buyer(&self) -> Option<i64> {
        let (random, user) = self.0.split_once('x')?;
        let ok = random.len() == 32
            && random.bytes().all(|b| b.is_ascii_hexdigit())
            && !user.is_empty()
            && user.bytes().all(|b| b.is_ascii_digit());
        user.parse().ok().filter(|u: &i64| ok && *u > 0)
    }

    /// Parses an id that came back from a provider.
    pub fn parse(s: &str) -> Option<OrderId> {
        let ok = (8..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| OrderId(s.to_owned()))
    }
}

impl Default for OrderId {
    fn default() -> Self {
        OrderId::new()
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A notification whose authenticity was proven. Only provider modules
/// construct it, and only after checking a signature, a secret, or the
/// provider's own API.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified<T>(T);

impl<T> Verified<T> {
    /// Wraps a value the caller has just authenticated. Keep calls to this
    /// inside the provider modules' verification functions.
    pub(crate) fn trust(value: T) -> Verified<T> {
        Verified(value)
    }

    /// The authenticated value.
    pub fn get(&self) -> &T {
        &self.0
    }

    /// Takes the authenticated value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Why a provider call or a notification failed.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// Not authentic: bad or missing signature, wrong merchant, source IP not allowed.
    #[error("not authentic: {0}")]
    NotAuthentic(String),
    /// Not yet known to be authentic, and not a shape we understand.
    #[error("malformed: {0}")]
    Malformed(String),
    /// Proven authentic, but not a shape we understand (an amount written
    /// in a form we did not expect, say): money may have moved, so it is
    /// recorded and flagged, and the provider is told it was settled.
    #[error("authentic but unreadable: {0}")]
    Unreadable(String),
    /// The provider could not be reached or answered 5xx / timed out: retry later.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request (4xx with its error).
    #[error("provider refused: {0}")]
    Refused(String),
}

/// A constant-time comparison of two hex signatures, ignoring ASCII case.
pub fn hex_eq(expected_lower_hex: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    let given = given.trim().to_ascii_lowercase();
    expected_lower_hex.len() == given.len()
        && bool::from(expected_lower_hex.as_bytes().ct_eq(given.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids() {
        let id = OrderId::new();
        assert_eq!(id.0.len(), 32);
        assert_eq!(OrderId::parse(&id.0), Some(id.clone()));
        assert_eq!(OrderId::parse("a b"), None);
        assert_eq!(OrderId::parse("short"), None);
        assert_eq!(id.buyer(), None);
        let mine = OrderId::for_buyer(1_234_567_890);
        assert_eq!(mine.buyer(), Some(1_234_567_890));
        assert_eq!(OrderId::parse(&mine.0), Some(mine.clone()));
        assert!(mine.0.len() <= 64);
        assert_eq!(OrderId(format!("{}x+12", &id.0)).buyer(), None);
        assert_eq!(OrderId(format!("{}x-12", &id.0)).buyer(), None);
        assert_eq!(OrderId("abcx12".into()).buyer(), None);
    }

    #[test]
    fn hex_signatures() {
        assert!(hex_eq("abcdef01", "ABCDEF01"));
        assert!(!hex_eq("abcdef01", "abcdef02"));
        assert!(!hex_eq("abcdef01", "abcdef0"));
    }
}
