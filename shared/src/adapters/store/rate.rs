//! Fixed-window rate counters: one item per user and window, expired by TTL.

use super::attrs::{ItemExt, n, s};
use super::{Store, StoreError};
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::types::ReturnValue;
use futures::FutureExt;

impl Store {
    /// Counts one request of `user` in the window containing `now` and
    /// returns the count so far, this one included.
    pub async fn hit_rate(
        &self,
        user: TelegramId,
        window_secs: u32,
        now: i64,
    ) -> Result<u64, StoreError> {
        let window = now.div_euclid(i64::from(window_secs.max(1)));
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(format!("RATE#{user}#{window}")))
            .key("SK", s("RATE"))
            .update_expression("ADD c :one SET #ttl = :ttl")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", n(now + i64::from(window_secs) * 2 + 60))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.attributes().and_then(|a| a.u64("c")).unwrap_or(1))
    }
}
