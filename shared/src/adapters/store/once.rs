//! At-most-once markers: one conditional put that either takes the marker or
//! finds it taken. Processed Telegram updates, provider events, notices sent
//! and renewal charges all go through here.

use super::attrs::{ItemExt, n, s};
use super::{Store, StoreError, put_unless_condition_failed};
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use futures::FutureExt;

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This caller owns the marker now and must do the work.
    Acquired,
    /// Someone already did (or is doing) it: do nothing.
    Duplicate,
}

/// The sort key every marker shares.
const SK: &str = "ONCE";

/// Partition key of a marker.
pub fn once_key(scope: &str, id: &str) -> String {
    format!("ONCE#{scope}#{id}")
}

impl Store {
    /// Takes the marker `scope/id` until `now + keep_secs`. An expired marker
    /// is taken over (expiry is checked in the condition, not left to TTL,
    /// which deletes late).
    pub async fn claim_once(
        &self,
        scope: &str,
        id: &str,
        now: i64,
        keep_secs: i64,
    ) -> Result<Claim, StoreError> {
        let expires = now + keep_secs;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(once_key(scope, id)))
            .item("SK", s(SK))
            .item("at", n(now))
            .item("expires", n(expires))
            .item("ttl", n(expires))
            .condition_expression("attribute_not_exists(PK) OR expires < :now")
            .expression_attribute_values(":now", n(now))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .boxed()
            .await;
        match put_unless_condition_failed(result)? {
            Ok(_) => Ok(Claim::Acquired),
            Err(old) => {
                let at = old.and_then(|i| i.i64("at")).unwrap_or_default();
                tracing::info!(scope, id, first_seen = at, "duplicate ignored");
                Ok(Claim::Duplicate)
            }
        }
    }

    /// Keeps a marker taken with a short hold until `until`, once the work
    /// is safely done: a claim is a lease first (a crash before the work
    /// lets it lapse, so a retry does the work), a record after.
    pub async fn keep_once(&self, scope: &str, id: &str, until: i64) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(once_key(scope, id)))
            .key("SK", s(SK))
            .update_expression("SET expires = :u, #ttl = :u")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":u", n(until))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Gives a marker back after the work failed, so a retry can do it.
    pub async fn release_once(&self, scope: &str, id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(once_key(scope, id)))
            .key("SK", s(SK))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }
}
