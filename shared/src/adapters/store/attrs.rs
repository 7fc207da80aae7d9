//! Reading typed values out of DynamoDB items.
//!
//! Items are mapped by hand, not with `serde_dynamo`, on purpose: almost
//! every write here is an `UpdateItem` with `if_not_exists`, `ADD` or a
//! condition on single attributes (registration, crediting, counters), which
//! a whole-item serializer does not express; reads take a few attributes of
//! items that several writers share (the user item holds profile, balance,
//! subscription, panel link and conversation state), where a missing
//! attribute must default rather than fail the whole item. These getters
//! keep that explicit in a few lines and add no dependency to every binary.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// A DynamoDB item as the SDK returns it.
pub type Item = HashMap<String, AttributeValue>;

/// Shorthand constructors for attribute values.
pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A number attribute.
pub fn n(v: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// Typed getters over an item.
pub trait ItemExt {
    /// A string attribute.
    fn str(&self, name: &str) -> Option<&str>;
    /// A number attribute as i64.
    fn i64(&self, name: &str) -> Option<i64>;
    /// A number attribute as u64.
    fn u64(&self, name: &str) -> Option<u64>;
    /// A boolean attribute (missing = false).
    fn flag(&self, name: &str) -> bool;
}

impl ItemExt for Item {
    fn str(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(AttributeValue::S(v)) => Some(v),
            _ => None,
        }
    }
    fn i64(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(AttributeValue::N(v)) => v.parse().ok(),
            _ => None,
        }
    }
    fn u64(&self, name: &str) -> Option<u64> {
        match self.get(name) {
            Some(AttributeValue::N(v)) => v.parse().ok(),
            _ => None,
        }
    }
    fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some(AttributeValue::Bool(true)))
    }
}
